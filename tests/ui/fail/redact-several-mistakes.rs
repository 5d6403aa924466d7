#[derive(seclog::Redact)]
struct SignUp {
    #[redact(keep_lst = 2)]
    email: String,
    #[redact(hash = true)]
    user: String,
    #[redact()]
    password: String,
    #[redact = "yes"]
    phone: String,
}

fn main() {}
