#[seclog::audit(level = "warning")]
fn login(user: &str) -> usize {
    user.len()
}

fn main() {
    login("alice");
}
