#[seclog::audit(auth = "signin")]
fn login(user: &str) -> bool {
    user == "alice"
}

fn main() {
    login("alice");
}
