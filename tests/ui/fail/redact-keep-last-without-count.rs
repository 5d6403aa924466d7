#[derive(seclog::Redact)]
struct Payment {
    #[redact(keep_last)]
    card_number: String,
    #[redact(keep_first = "2")]
    holder: String,
}

fn main() {}
