#[seclog::audit(redact("req.password", seal("req.password")))]
fn login(req: serde_json::Value) {
    let _ = req;
}

fn main() {}
