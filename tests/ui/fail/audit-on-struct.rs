#[seclog::audit]
struct Login {
    user: String,
}

fn main() {
    let _ = Login {
        user: "alice".into(),
    }
    .user;
}
