#[derive(seclog::AuthEvent)]
#[auth(login)]
struct Login {
    #[auth(user)]
    username: String,
    #[auth(source_ip)]
    ip: u32,
}

fn main() {}
