#[derive(seclog::Redact)]
struct ApiKey(#[redact(skip)] String);

fn main() {}
