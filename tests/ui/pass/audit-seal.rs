// `#[redact(seal)]` on every kind of field it takes, and `seal("path")`
// beside plain paths, in one handler.

#[derive(serde::Serialize)]
struct Card {
    number: String,
}

#[derive(seclog::Redact)]
struct Login<T: serde::Serialize> {
    user: String,
    #[redact(seal)]
    password: String,
    #[redact(seal)]
    otp: Option<u32>,
    #[redact(seal)]
    key: Vec<u8>,
    #[redact(seal)]
    card: Card,
    #[redact(seal)]
    extra: T,
}

#[seclog::audit(redact("body.token", seal("body.password", "return.session")))]
fn login(req: Login<serde_json::Value>, body: serde_json::Value) -> serde_json::Value {
    let _ = (req, body);
    serde_json::json!({"session": "s"})
}

fn main() {
    let _ = login;
}
