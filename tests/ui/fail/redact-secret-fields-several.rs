// Without the check this logged the password and the API key in clear,
// while the same struct with only `Serialize` was redacted by the
// sensitive-key policy. Every such field is reported at once.
#[derive(serde::Serialize, seclog::Redact)]
struct Signup {
    email: String,
    password: String,
    api_key: String,
}

#[seclog::audit]
fn signup(req: Signup) -> bool {
    !req.email.is_empty()
}

fn main() {
    signup(Signup {
        email: "alice@example.com".into(),
        password: "hunter2".into(),
        api_key: "ak-live-1".into(),
    });
}
