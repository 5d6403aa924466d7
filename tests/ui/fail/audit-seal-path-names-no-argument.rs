#[seclog::audit(redact(seal("request.password")))]
fn login(req: serde_json::Value) {
    let _ = req;
}

fn main() {}
