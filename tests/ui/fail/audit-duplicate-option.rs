#[seclog::audit(level = "debug", name = "login", level = "warn")]
fn login(user: &str) -> usize {
    user.len()
}

fn main() {
    login("alice");
}
