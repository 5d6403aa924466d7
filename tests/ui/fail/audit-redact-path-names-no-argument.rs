#[seclog::audit(redact("requets.password"))]
fn login(request: serde_json::Value) -> bool {
    request["user"] == "alice"
}

fn main() {
    login(serde_json::json!({"user": "alice"}));
}
