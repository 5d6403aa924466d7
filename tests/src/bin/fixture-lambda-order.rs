//! A Lambda function with a typed payload, as most are written: the event
//! is a struct that derives `Deserialize` (for the runtime) and `Serialize`,
//! and nothing of seclog's. The end-to-end test runs it against its own
//! Runtime API (`CARGO_BIN_EXE_fixture-lambda-order`).

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Serialize)]
struct Order {
    order_id: u64,
    customer: String,
    card_number: String,
    amount_cents: u64,
}

#[derive(Serialize)]
struct Receipt {
    order_id: u64,
    charged_cents: u64,
}

#[seclog::audit(budget = "1s")]
async fn charge(event: LambdaEvent<Order>) -> Result<Receipt, Error> {
    let order = event.payload;
    if order.amount_cents == 0 {
        return Err(format!("order {} has nothing to charge", order.order_id).into());
    }
    Ok(Receipt {
        order_id: order.order_id,
        charged_cents: order.amount_cents,
    })
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    seclog::init()?;
    lambda_runtime::run(service_fn(charge)).await
}
