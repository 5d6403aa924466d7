#[seclog::audit(nmae = "login", levle = "debug")]
fn login(user: &str, password: &str) {}

fn main() {
    login("alice", "hunter2");
}
