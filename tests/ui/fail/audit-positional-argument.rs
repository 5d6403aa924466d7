#[seclog::audit("login")]
fn sign_in(user: &str) -> usize {
    user.len()
}

fn main() {
    sign_in("alice");
}
