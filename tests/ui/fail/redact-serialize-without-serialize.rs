struct Card {
    number: String,
}

#[derive(seclog::Redact)]
struct Payment {
    #[redact(serialize)]
    card: Card,
}

fn main() {}
