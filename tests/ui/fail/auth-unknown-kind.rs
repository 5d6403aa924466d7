#[derive(seclog::AuthEvent)]
#[auth(logn)]
struct Login {
    #[auth(user)]
    username: String,
}

#[derive(seclog::AuthEvent)]
#[auth(signin)]
struct SignIn {
    #[auth(user)]
    username: String,
}

fn main() {}
