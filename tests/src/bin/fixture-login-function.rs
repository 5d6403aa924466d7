//! A login Lambda function as a fleet runs it: every execution environment
//! is one process with its own detector, whose records go to its own log
//! stream. The detector function's end-to-end test runs several of them
//! (`CARGO_BIN_EXE_fixture-login-function`) under one spread-out attack.

use lambda_runtime::{service_fn, Context, Error, LambdaEvent};

/// The login form, as the function receives it.
#[derive(serde::Deserialize, seclog::Redact, seclog::AuthEvent)]
#[auth(login)]
struct LoginRequest {
    #[auth(user)]
    username: String,
    #[redact]
    password: String,
    #[auth(source_ip)]
    ip: String,
}

#[seclog::audit(name = "login")]
async fn login(request: LoginRequest, context: Context) -> Result<serde_json::Value, Error> {
    let _ = context;
    if request.username == "alice" && request.password == "correct horse battery staple" {
        Ok(serde_json::json!({ "status": 200 }))
    } else {
        Err("invalid username or password".into())
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    seclog::init()?;
    lambda_runtime::run(service_fn(|e: LambdaEvent<LoginRequest>| {
        login(e.payload, e.context)
    }))
    .await
}
