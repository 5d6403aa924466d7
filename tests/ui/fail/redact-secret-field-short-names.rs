// Short names of secrets count as the whole name (`auth`, `sig`) or, for
// `pass`, as its last word; words that only hold them (`author`,
// `passenger`) are no secrets.
#[derive(seclog::Redact)]
struct Mailer {
    author: String,
    passengers: u32,
    auth: String,
    smtp_pass: String,
}

fn main() {}
