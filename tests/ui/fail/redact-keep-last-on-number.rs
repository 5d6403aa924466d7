#[derive(seclog::Redact)]
struct Account {
    #[redact(keep_last = 4)]
    number: u64,
    #[redact(hash)]
    owner: Owner,
}

#[derive(seclog::Redact)]
struct Owner {
    name: String,
}

fn main() {}
