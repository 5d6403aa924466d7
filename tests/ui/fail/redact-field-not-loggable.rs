#[derive(serde::Serialize)]
struct Card {
    number: String,
}

#[derive(seclog::Redact)]
struct Payment {
    amount: u64,
    card: Card,
}

fn main() {}
