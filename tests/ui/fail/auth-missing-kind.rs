#[derive(seclog::AuthEvent)]
struct Login {
    #[auth(user)]
    username: String,
}

fn main() {}
