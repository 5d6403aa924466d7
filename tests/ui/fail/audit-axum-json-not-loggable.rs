// A JSON body type that implements neither `Redact` nor `Serialize`: the
// error names the body type, not axum's `Json`.
use axum::Json;

#[derive(serde::Deserialize)]
struct Creds {
    username: String,
    password: String,
}

#[seclog::audit]
async fn login(creds: Json<Creds>) -> bool {
    creds.username == "alice" && creds.password == "correct horse"
}

fn main() {
    let _ = login;
}
