#[seclog::audit(budget = "0ms")]
fn login(user: &str) -> usize {
    user.len()
}

fn main() {
    login("alice");
}
