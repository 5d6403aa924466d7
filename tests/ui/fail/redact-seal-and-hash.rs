#[derive(seclog::Redact)]
struct Login {
    user: String,
    #[redact(seal, hash)]
    password: String,
}

fn main() {}
