// The name that counts is the one on the wire, after serde's `rename`: a
// harmless Rust name renamed to `accessToken` is a secret-looking field,
// and a secret-looking Rust name renamed to `hint` is not.
#[derive(serde::Serialize, seclog::Redact)]
struct Grant {
    #[serde(rename = "accessToken")]
    grant: String,
    #[serde(rename = "hint")]
    password_reminder: String,
}

fn main() {}
