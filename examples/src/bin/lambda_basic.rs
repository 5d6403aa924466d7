//! An AWS Lambda function for any JSON event, audited by seclog.
//!
//! The payload is the logged input (`seclog.input.event`, sensitive keys
//! redacted); the invocation context fills in the 4 W's: request id
//! (`faas.execution`, `transaction.id`), function ARN, name and version,
//! cold start, X-Ray trace, memory and the time left before the deadline.
//!
//! Run it locally with [cargo-lambda](https://www.cargo-lambda.info):
//!
//! ```sh
//! cargo lambda watch --bin lambda_basic --features lambda
//! cargo lambda invoke lambda_basic --data-ascii '{"order": 42, "api_key": "k-live-123"}'
//! ```
//!
//! or against any Lambda Runtime API (`AWS_LAMBDA_RUNTIME_API=host:port`).
//! Deploy it with `cargo lambda build --release --bin lambda_basic --features lambda` and
//! `cargo lambda deploy`; set `SECLOG_EMF=true` to get CloudWatch metrics.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

/// Accepts an event with an `order`; any other event is an error, which
/// the runtime reports to Lambda and seclog records as a failure.
#[seclog::audit(name = "accept_order", budget = "1s")]
async fn handler(event: LambdaEvent<Value>) -> Result<Value, Error> {
    match event.payload.get("order") {
        Some(order) => Ok(json!({ "accepted": order })),
        None => Err("the event has no order".into()),
    }
}

// `pub` so the test suite can run this very function against its own
// Runtime API.
#[tokio::main]
pub async fn main() -> Result<(), Error> {
    // A bad SECLOG_* value stops the function at start-up, visibly.
    seclog::init()?;
    lambda_runtime::run(service_fn(handler)).await
}
