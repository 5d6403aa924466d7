#[seclog::audit]
enum Command {
    Login,
}

fn main() {
    let _ = Command::Login;
}
