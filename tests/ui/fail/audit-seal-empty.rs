#[seclog::audit(redact(seal()))]
fn login(req: serde_json::Value) {
    let _ = req;
}

fn main() {}
