#[seclog::audit(nmae = "login", levle = "debug")]
fn login(user: &str) -> usize {
    user.len()
}

fn main() {
    login("alice");
}
