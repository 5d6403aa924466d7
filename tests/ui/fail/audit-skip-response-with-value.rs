#[seclog::audit(skip_response = true)]
fn token(user: &str) -> String {
    format!("token-for-{user}")
}

fn main() {
    token("alice");
}
