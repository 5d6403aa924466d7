#[seclog::audit(nmae = "login", levle = "debug")]
fn login(user: &str) {}

fn main() {}
