#[derive(seclog::Redact)]
#[redact]
enum Credential {
    #[redact(hash)]
    Password(String),
    Token(#[redact] String),
}

fn main() {}
