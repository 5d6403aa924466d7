//! A handful of audited handlers and the records they write.
//!
//! ```sh
//! cargo run -p seclog-examples --example quickstart
//! SECLOG_FORMAT=pretty cargo run -p seclog-examples --example quickstart
//! ```
//!
//! Every invocation writes a start record (inputs, who, where, when) and an
//! end record (outcome, duration, response or error) to stdout, one JSON
//! object per line, as AWS Lambda ships them to CloudWatch Logs.

use serde::Serialize;
use std::time::Duration;

#[derive(Serialize)]
struct Transfer {
    to: String,
    amount_cents: u64,
    /// Logged as "[REDACTED]": the key matches the sensitive-key policy.
    password: String,
}

#[derive(Serialize)]
struct Receipt {
    id: u64,
    status: &'static str,
}

/// A success: the response is logged.
#[seclog::audit(who = user, source_ip = ip)]
fn get_balance(user: &str, ip: &str, account: u32) -> Result<u64, String> {
    let _ = (user, ip, account);
    Ok(12_345)
}

/// A failure: `Err` gives `event.outcome: failure`, `error.type` and `error.message`.
#[seclog::audit(name = "transfer", who = user)]
fn transfer(user: &str, req: Transfer) -> Result<Receipt, std::io::Error> {
    if req.amount_cents > 100_000 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "over the daily limit",
        ));
    }
    Ok(Receipt {
        id: 7,
        status: "sent",
    })
}

/// A panic is recorded (`error.type: panic`) and then resumed unchanged.
#[seclog::audit]
fn export_report(month: u8) -> Vec<u32> {
    if month > 12 {
        panic!("no such month: {month}");
    }
    vec![1, 2, 3]
}

/// Over budget: the end record is `warn` with `seclog.budget.exceeded: true`.
#[seclog::audit(budget = "20ms", level = "debug")]
async fn slow_search(query: String) -> Vec<String> {
    tokio::time::sleep(Duration::from_millis(30)).await;
    vec![format!("result for {query}")]
}

fn main() {
    // Show debug records too (the budget example runs at `debug`).
    seclog::builder()
        .level(seclog::Level::Debug)
        .from_env()
        .and_then(|b| b.install())
        .expect("SECLOG_* variables are valid");

    let _ = get_balance("alice", "198.51.100.7", 42);
    let _ = transfer(
        "mallory",
        Transfer {
            to: "attacker".into(),
            amount_cents: 9_000_000,
            password: "hunter2".into(),
        },
    );

    // Keep the demo's panic message off stderr; the record has it.
    std::panic::set_hook(Box::new(|_| {}));
    let _ = std::panic::catch_unwind(|| export_report(13));
    let _ = std::panic::take_hook();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a tokio runtime");
    rt.block_on(slow_search("invoices".into()));
}
