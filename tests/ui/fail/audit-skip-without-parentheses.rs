#[seclog::audit(skip = password)]
fn login(user: &str, password: &str) -> bool {
    user == "alice" && password == "hunter2"
}

fn main() {
    login("alice", "hunter2");
}
