// The payload of a typed Lambda event implements neither `Redact` nor
// `Serialize`: the error names the payload type, which the user can change,
// not `LambdaEvent`, which they cannot.
use lambda_runtime::LambdaEvent;

#[derive(serde::Deserialize)]
struct Order {
    id: u64,
    card_number: String,
}

#[seclog::audit]
async fn handler(event: LambdaEvent<Order>) -> u64 {
    let _ = &event.payload.card_number;
    event.payload.id
}

fn main() {
    let _ = handler;
}
