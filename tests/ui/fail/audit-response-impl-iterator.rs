#[seclog::audit]
fn users(prefix: &str) -> impl Iterator<Item = String> + '_ {
    ["alice", "bob"]
        .into_iter()
        .map(move |u| format!("{prefix}{u}"))
}

fn main() {
    let _ = users("user:").count();
}
