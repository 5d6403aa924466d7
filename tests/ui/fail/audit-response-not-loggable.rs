pub struct Session {
    pub token: String,
}

#[seclog::audit]
fn login(user: &str) -> Session {
    Session {
        token: format!("token-for-{user}"),
    }
}

fn main() {
    let _ = login("alice").token;
}
