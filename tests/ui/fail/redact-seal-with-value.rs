#[derive(seclog::Redact)]
struct Login {
    user: String,
    #[redact(seal = "investigator")]
    password: String,
}

fn main() {}
