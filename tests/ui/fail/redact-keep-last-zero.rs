#[derive(seclog::Redact)]
struct Payment {
    #[redact(keep_last = 0)]
    card_number: String,
}

fn main() {}
