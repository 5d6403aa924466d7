#[derive(seclog::AuthEvent)]
#[auth(login)]
struct Login {
    #[auth(user)]
    username: String,
    #[auth(user)]
    email: String,
}

fn main() {}
