//! A login API on axum, audited by seclog: the same router serves on a
//! port of your machine and, unchanged, on AWS Lambda through `lambda_http`.
//!
//! `AuditLayer` records every request (route, status, duration, peer, user
//! agent, headers with `Authorization` and `Cookie` `[REDACTED]`); the
//! audited `login` handler adds its own pair under the same
//! `transaction.id`: the credentials with the password `[REDACTED]`, the
//! session it returns with the token `[REDACTED]`, and the OWASP
//! `authn_login_fail:<user>` event of a wrong password, counted by the
//! detector.
//!
//! ```sh
//! cargo run -p seclog-examples --example axum_login --features axum
//! curl -i localhost:3000/login -H 'content-type: application/json' \
//!      -d '{"username": "alice", "password": "wrong"}'
//! curl -i localhost:3000/health
//! ```
//!
//! On Lambda (behind API Gateway or a load balancer) the same binary runs
//! the router through `lambda_http`, which it chooses when Lambda's
//! `AWS_LAMBDA_RUNTIME_API` is set, and the records then carry the
//! invocation's request id, function and the API Gateway caller:
//!
//! ```sh
//! cargo lambda build --release --example axum_login --features axum && cargo lambda deploy axum_login
//! ```

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use seclog::integrations::axum::AuditLayer;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::net::SocketAddr;
use std::sync::Arc;

/// The user store: never logged (`State` never is).
#[derive(Clone)]
struct Users {
    passwords: Arc<HashMap<&'static str, &'static str>>,
}

impl Users {
    /// One account for the demonstration; a real store keeps password
    /// hashes.
    fn demo() -> Self {
        let passwords = HashMap::from([("alice", "correct horse battery staple")]);
        Users {
            passwords: Arc::new(passwords),
        }
    }

    fn check(&self, username: &str, password: &str) -> bool {
        let expected = self.passwords.get(username).copied().unwrap_or("");
        // Compares without stopping at the first difference, so the time
        // taken says nothing about how much of a guess was right.
        let same = expected.len() == password.len()
            && expected
                .bytes()
                .zip(password.bytes())
                .fold(0, |acc, (x, y)| acc | (x ^ y))
                == 0;
        same && !expected.is_empty()
    }
}

/// A login attempt: `username` is the claimed identity of the OWASP event,
/// the password is never logged.
#[derive(serde::Deserialize, seclog::Redact, seclog::AuthEvent)]
#[auth(login)]
struct Credentials {
    #[auth(user)]
    username: String,
    #[redact]
    password: String,
}

/// What a successful login returns: the client sees the token, the log
/// does not.
#[derive(serde::Serialize, seclog::Redact)]
struct Session {
    #[redact]
    token: String,
    expires_in: u32,
}

/// A session token for the demonstration (a real one comes from a CSPRNG
/// and a session store).
fn new_token() -> String {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    format!("{:016x}", h.finish())
}

/// `POST /login` with `{"username": "...", "password": "..."}`: 200 with a
/// session, or 401.
#[seclog::audit(budget = "500ms")]
async fn login(
    State(users): State<Users>,
    Json(creds): Json<Credentials>,
) -> Result<Json<Session>, StatusCode> {
    if !users.check(&creds.username, &creds.password) {
        return Err(StatusCode::UNAUTHORIZED);
    }
    Ok(Json(Session {
        token: new_token(),
        expires_in: 3600,
    }))
}

/// `GET /health`: recorded by the layer alone.
async fn health() -> &'static str {
    "ok"
}

/// The application: routes, state, and the layer that records every
/// request (added last, so it sees the matched route).
pub fn app() -> Router {
    Router::new()
        .route("/login", post(login))
        .route("/health", get(health))
        .with_state(Users::demo())
        .layer(AuditLayer::new())
}

// `pub` so the test suite can run this very function against its own
// Lambda Runtime API.
#[tokio::main]
pub async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    // A bad SECLOG_* value stops the program at start-up, visibly.
    seclog::init()?;
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        // On Lambda: each invocation is one request to the router.
        return lambda_http::run(app()).await;
    }
    let addr = std::env::var("AXUM_LOGIN_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    // The peer's address is what `source.ip` is made of.
    let service = app().into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service).await?;
    Ok(())
}
