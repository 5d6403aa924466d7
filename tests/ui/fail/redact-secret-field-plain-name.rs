// A field named like a secret is logged as it is unless it is marked: the
// derive refuses it. The error is the only one: the handler that logs the
// type is not reported as well.
#[derive(seclog::Redact)]
struct Login {
    username: String,
    password: String,
}

#[seclog::audit]
fn login(req: Login) -> bool {
    req.username == "alice" && req.password == "hunter2"
}

fn main() {
    login(Login {
        username: "alice".into(),
        password: "hunter2".into(),
    });
}
