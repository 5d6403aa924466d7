#[seclog::audit(category = "authentification")]
fn login(user: &str) -> usize {
    user.len()
}

fn main() {
    login("alice");
}
