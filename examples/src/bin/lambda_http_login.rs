//! A login endpoint on AWS Lambda behind API Gateway (REST or HTTP API) or
//! an Application Load Balancer, audited by seclog.
//!
//! Each invocation writes a start record with the request (method, path,
//! headers, query string, JSON body; `Authorization`, `Cookie`, API keys
//! and the password `[REDACTED]`) and an end record with the response
//! (`Set-Cookie` redacted) and its outcome: a 401 is a `failure`, logged at
//! `warn`. Who and where come from the request: `source.ip`,
//! `user_agent.original`, `user.id` from an authorizer's `sub`.
//!
//! Run it locally with [cargo-lambda](https://www.cargo-lambda.info):
//!
//! ```sh
//! cargo lambda watch --bin lambda_http_login --features lambda-http
//! curl -i localhost:9000/login -H 'content-type: application/json' \
//!      -d '{"username": "alice", "password": "wrong"}'
//! ```
//!
//! Deploy it with `cargo lambda build --release --bin lambda_http_login --features lambda-http`
//! and `cargo lambda deploy`, then put API Gateway or a load balancer in
//! front; set `SECLOG_EMF=true` to alarm on `seclog.metrics.auth_failure`.

use lambda_http::{service_fn, Body, Error, Request, RequestPayloadExt, Response};
use serde::Deserialize;
use std::hash::{BuildHasher, Hasher};

#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

/// The one account of this demonstration. A real function checks a
/// password hash from its user store.
const DEMO_USER: &str = "alice";
const DEMO_PASSWORD: &str = "correct horse battery staple";

/// Compares without stopping at the first difference, so the time taken
/// says nothing about how much of a guess was right.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A session id for the demonstration (a real one comes from a CSPRNG and
/// a session store).
fn session_id() -> String {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    format!("{:016x}", h.finish())
}

fn json(status: u16, body: &'static str) -> Result<Response<Body>, Error> {
    Ok(Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(body))?)
}

/// `POST /login` with `{"username": "...", "password": "..."}` (JSON or a
/// form): 200 with a session cookie, or 401.
#[seclog::audit(name = "login", auth = "login", budget = "500ms")]
async fn login(request: Request) -> Result<Response<Body>, Error> {
    let credentials: Option<Credentials> = request.payload().unwrap_or(None);
    let valid = credentials
        .is_some_and(|c| same(&c.username, DEMO_USER) & same(&c.password, DEMO_PASSWORD));
    if !valid {
        return json(401, r#"{"error":"invalid username or password"}"#);
    }
    let mut response = json(200, r#"{"ok":true}"#)?;
    let cookie = format!(
        "session={}; Path=/; Secure; HttpOnly; SameSite=Strict",
        session_id()
    );
    response.headers_mut().insert("set-cookie", cookie.parse()?);
    Ok(response)
}

// `pub` so the test suite can run this very function against its own
// Runtime API.
#[tokio::main]
pub async fn main() -> Result<(), Error> {
    // A bad SECLOG_* value stops the function at start-up, visibly.
    seclog::init()?;
    lambda_http::run(service_fn(login)).await
}
