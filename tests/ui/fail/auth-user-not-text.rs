struct Credentials {
    name: String,
}

#[derive(seclog::AuthEvent)]
#[auth(login)]
struct Login {
    #[auth(user)]
    who: Credentials,
}

fn main() {}
