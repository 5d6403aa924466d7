#[seclog::audit(redact(seal("req.password")))]
fn login(req: serde_json::Value) {
    let _ = req;
}

fn main() {}
