#[seclog::audit(budget = "1000s")]
fn export(user: &str) -> usize {
    user.len()
}

fn main() {
    export("alice");
}
