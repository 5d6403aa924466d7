#[derive(seclog::Redact)]
struct Login {
    user: String,
    #[redact(seal)]
    password: String,
}

fn main() {}
