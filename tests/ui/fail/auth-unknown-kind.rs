#[derive(seclog::AuthEvent)]
#[auth(logn)]
struct Login {
    #[auth(user)]
    username: String,
}

fn main() {}
