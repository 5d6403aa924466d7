#[seclog::audit(who = usr)]
fn login(user: &str) -> usize {
    user.len()
}

fn main() {
    login("alice");
}
