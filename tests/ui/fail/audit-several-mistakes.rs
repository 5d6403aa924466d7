#[seclog::audit(
    levl = "debug",
    skip(pasword),
    budget = "3",
    category = "webb",
    emit = "end"
)]
fn login(user: &str, password: &str) -> bool {
    user == "alice" && password == "hunter2"
}

fn main() {
    login("alice", "hunter2");
}
