#[seclog::audit(redact("req.token", sael("req.password")))]
fn login(req: serde_json::Value) {
    let _ = req;
}

fn main() {}
