//! Handlers that receive a secret in every way seclog promises to keep out
//! of the records: a skipped argument, sensitive keys (struct fields, map
//! keys, nested JSON), redaction paths into an argument and into the
//! response, `redact("return")` and `skip_response`, with `emit` both and
//! end. Shared by the `fixture-leak` binary and the leak tests.

use serde::Serialize;
use serde_json::{json, Value};
use std::collections::HashMap;

/// A login request: `password` and `api_key` are sensitive keys.
#[derive(Serialize, Clone, Debug)]
pub struct Login {
    pub user: String,
    pub password: String,
    pub api_key: String,
    pub profile: Value,
}

/// A session: `token` is redacted by a path.
#[derive(Serialize, Clone, Debug)]
pub struct Session {
    pub user: String,
    pub token: String,
}

#[seclog::audit(who = user, skip(pin), redact("card.number", "card.holder.*", "return.token"))]
pub fn sign_in(
    user: &str,
    pin: &str,
    login: &Login,
    card: &Value,
    headers: &HashMap<String, String>,
) -> Result<Session, String> {
    Ok(Session {
        user: user.to_string(),
        token: login.password.clone(),
    })
}

#[seclog::audit(who = user, skip(pin), redact("card.number", "card.holder.*", "return.token"), emit = "end")]
pub fn sign_in_once(
    user: &str,
    pin: &str,
    login: &Login,
    card: &Value,
    headers: &HashMap<String, String>,
) -> Result<Session, String> {
    Ok(Session {
        user: user.to_string(),
        token: login.password.clone(),
    })
}

#[seclog::audit(who = user, skip(seed), skip_response)]
pub fn issue_token(user: &str, seed: &str) -> String {
    seed.to_string()
}

#[seclog::audit(who = user, skip(seed), redact("return"))]
pub fn reveal(user: &str, seed: &str) -> Result<Vec<String>, String> {
    Ok(vec![seed.to_string(), "public".to_string()])
}

/// Calls every handler with `secret` wherever a secret may go, and
/// returns whether every result came back unchanged.
pub fn run_all(secret: &str) -> bool {
    let login = Login {
        user: "alice".into(),
        password: secret.into(),
        api_key: secret.into(),
        profile: json!({ "city": "lyon", "session_token": secret, "keys": [{ "private_key": secret }] }),
    };
    let card =
        json!({ "number": secret, "holder": { "name": secret, "pin": secret }, "brand": "visa" });
    let headers = HashMap::from([
        ("Authorization".to_string(), format!("Bearer {secret}")),
        ("Cookie".to_string(), format!("sid={secret}")),
        ("X-Api-Key".to_string(), secret.to_string()),
        ("accept".to_string(), "application/json".to_string()),
    ]);
    let a = sign_in("alice", secret, &login, &card, &headers).map(|s| s.token);
    let b = sign_in_once("alice", secret, &login, &card, &headers).map(|s| s.token);
    let c = issue_token("alice", secret);
    let d = reveal("alice", secret);
    a.as_deref() == Ok(secret)
        && b.as_deref() == Ok(secret)
        && c == secret
        && d == Ok(vec![secret.to_string(), "public".to_string()])
}
