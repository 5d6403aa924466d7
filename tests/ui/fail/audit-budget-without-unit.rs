#[seclog::audit(budget = "250")]
fn login(user: &str) -> usize {
    user.len()
}

fn main() {
    login("alice");
}
