#[seclog::audit(emit = "start")]
fn login(user: &str) -> usize {
    user.len()
}

fn main() {
    login("alice");
}
