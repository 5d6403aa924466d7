#[derive(seclog::Redact)]
struct Login {
    user: String,
    #[redact(hsh)]
    password: String,
}

fn main() {}
