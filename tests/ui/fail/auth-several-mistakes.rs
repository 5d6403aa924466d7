#[derive(seclog::AuthEvent)]
#[auth(login, user)]
struct Login {
    #[auth(usr)]
    username: String,
    #[auth(logout)]
    session: String,
    #[auth(source_ip = "x")]
    ip: String,
}

fn main() {}
