#[seclog::audit(level = debug)]
fn login(user: &str) -> usize {
    user.len()
}

fn main() {
    login("alice");
}
