#[seclog::audit(who)]
fn login(user: &str) -> usize {
    user.len()
}

fn main() {
    login("alice");
}
