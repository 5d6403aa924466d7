struct Card {
    number: String,
}

#[derive(seclog::Redact)]
struct Payment {
    #[redact(seal)]
    card: Card,
}

fn main() {}
