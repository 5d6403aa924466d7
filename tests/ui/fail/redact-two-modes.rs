#[derive(seclog::Redact)]
struct Payment {
    #[redact(keep_last = 4, hash)]
    card_number: String,
    #[redact]
    #[redact(skip)]
    cvv: String,
}

fn main() {}
