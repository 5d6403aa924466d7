//! The invocation semantics of SPEC "`#[seclog::audit(...)]`": start and end
//! records, the 4 W's on both, outcomes, panics, cancellation, budgets,
//! levels and the options that shape what is logged.

use seclog::testing::{capture, capture_future, capture_with};
use seclog::{EventOutcome, Level, Outcome};
use seclog_tests::assert_ecs;
use serde::Serialize;
use serde_json::Value;
use std::cell::Cell;
use std::time::Duration;

fn two(records: &[Value]) -> (&Value, &Value) {
    assert_eq!(
        records.len(),
        2,
        "expected a start and an end record: {records:#?}"
    );
    (&records[0], &records[1])
}

#[derive(Serialize)]
struct Order {
    item: String,
    quantity: u32,
}

#[seclog::audit(who = user, source_ip = ip, user_agent = ua)]
fn place_order(user: &str, ip: &str, ua: &str, order: Order) -> Result<u64, String> {
    if order.quantity == 0 {
        return Err(format!("no quantity for {}", order.item));
    }
    Ok(order.quantity as u64 * 100)
}

thread_local! {
    static RECORDS_SEEN_BY_BODY: Cell<usize> = const { Cell::new(0) };
}

#[test]
fn start_record_is_written_before_the_body_runs_and_carries_the_inputs() {
    #[seclog::audit]
    fn observe(x: u32) -> u32 {
        // The body sees the start record already captured.
        RECORDS_SEEN_BY_BODY.with(|c| c.set(c.get() + 1));
        x
    }
    let records = capture(|| observe(7)).records();
    let (start, _) = two(&records);
    assert_eq!(start["seclog"]["phase"], "start");
    assert_eq!(start["event"]["type"], serde_json::json!(["start"]));
    assert_eq!(start["seclog"]["input"]["x"], 7);
    assert!(
        start["seclog"].get("response").is_none(),
        "only the end record carries the response"
    );
    assert!(start["event"].get("outcome").is_none());
    assert_eq!(RECORDS_SEEN_BY_BODY.with(Cell::get), 1);
}

#[test]
fn both_records_carry_the_four_ws_and_one_transaction_id() {
    let run = capture(|| {
        place_order(
            "alice",
            "198.51.100.7",
            "curl/8.5",
            Order {
                item: "book".into(),
                quantity: 2,
            },
        )
    });
    assert_eq!(run.output, Ok(200));
    let records = run.records();
    let (start, end) = two(&records);
    for r in [start, end] {
        assert_eq!(r["user"]["id"], "alice");
        assert_eq!(r["source"]["ip"], "198.51.100.7");
        assert_eq!(r["user_agent"]["original"], "curl/8.5");
        assert_eq!(r["event"]["action"], "place_order");
        assert_eq!(r["event"]["category"], serde_json::json!(["api"]));
        assert_eq!(r["log"]["origin"]["function"], "invocation::place_order");
        assert!(r["log"]["origin"]["file"]["name"]
            .as_str()
            .unwrap()
            .ends_with("invocation.rs"));
        assert!(r["log"]["origin"]["file"]["line"].as_u64().unwrap() > 0);
        assert!(r["@timestamp"].as_str().unwrap().ends_with('Z'));
        assert!(r["service"]["name"].is_string());
    }
    assert_eq!(start["transaction"]["id"], end["transaction"]["id"]);
    assert_ne!(start["event"]["id"], end["event"]["id"]);
    assert_eq!(start["seclog"]["input"]["order"]["item"], "book");
    assert!(
        end["seclog"].get("input").is_none(),
        "only the start record carries the inputs"
    );
    assert_eq!(end["seclog"]["response"], 200);
    assert_eq!(end["event"]["outcome"], "success");
    assert_eq!(end["event"]["type"], serde_json::json!(["end"]));
    assert_eq!(end["log.level"], "info");
    assert_ecs(&records);
}

#[test]
fn timestamps_are_rfc3339_utc_with_microseconds_and_duration_is_nanoseconds() {
    let run = capture(|| {
        place_order(
            "a",
            "10.0.0.1",
            "ua",
            Order {
                item: "x".into(),
                quantity: 1,
            },
        )
    });
    let records = run.records();
    let (_, end) = two(&records);
    for key in [
        &end["@timestamp"],
        &end["event"]["start"],
        &end["event"]["end"],
    ] {
        let s = key.as_str().unwrap();
        // 2026-11-27T18:35:05.123456Z
        assert_eq!(s.len(), 27, "{s}");
        assert_eq!(&s[10..11], "T");
        assert_eq!(&s[19..20], ".");
        assert!(s[20..26].bytes().all(|b| b.is_ascii_digit()), "{s}");
        assert!(s.ends_with('Z'));
    }
    assert!(end["event"]["start"].as_str() <= end["event"]["end"].as_str());
    assert!(end["event"]["duration"].is_u64());
}

#[test]
fn an_err_is_a_failure_with_error_type_and_message_at_warn() {
    let run = capture(|| {
        place_order(
            "bob",
            "10.0.0.2",
            "ua",
            Order {
                item: "pen".into(),
                quantity: 0,
            },
        )
    });
    assert_eq!(run.output, Err("no quantity for pen".to_string()));
    let records = run.records();
    let (_, end) = two(&records);
    assert_eq!(end["event"]["outcome"], "failure");
    assert_eq!(end["log.level"], "warn");
    assert_eq!(end["error"]["message"], "no quantity for pen");
    assert_eq!(end["error"]["type"], "alloc::string::String");
    assert!(end["seclog"].get("response").is_none());
    assert_ecs(&records);
}

#[test]
fn error_messages_are_bounded() {
    #[seclog::audit]
    fn fails() -> Result<(), String> {
        Err("e".repeat(100_000))
    }
    let run = capture(fails);
    let records = run.records();
    let msg = records[1]["error"]["message"].as_str().unwrap();
    assert!(msg.len() < 4200, "{} bytes", msg.len());
    assert!(msg.contains("[truncated"));
    assert_eq!(records[1]["seclog"]["truncated"], true);
}

#[derive(Serialize)]
struct HttpReply {
    status: u16,
    body: String,
}

impl Outcome for HttpReply {
    fn outcome(&self) -> EventOutcome {
        if self.status >= 400 {
            EventOutcome::Failure
        } else {
            EventOutcome::Success
        }
    }
    fn status_code(&self) -> Option<u16> {
        Some(self.status)
    }
}

/// An `HttpReply` returned as an error says its status and body.
impl std::fmt::Display for HttpReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.body)
    }
}

#[seclog::audit]
fn http_handler(status: u16) -> HttpReply {
    HttpReply {
        status,
        body: "ok".into(),
    }
}

#[test]
fn a_response_implementing_outcome_decides_and_gives_its_status_code() {
    let records = capture(|| http_handler(403)).records();
    let (_, end) = two(&records);
    assert_eq!(end["event"]["outcome"], "failure");
    assert_eq!(end["http"]["response"]["status_code"], 403);
    assert_eq!(end["log.level"], "warn");
    assert_eq!(end["seclog"]["response"]["body"], "ok");

    let records = capture(|| http_handler(200)).records();
    assert_eq!(records[1]["event"]["outcome"], "success");
    assert_eq!(records[1]["http"]["response"]["status_code"], 200);
    assert_ecs(&records);
}

#[test]
fn outcome_of_the_ok_value_counts_inside_a_result() {
    #[seclog::audit]
    fn wrapped(status: u16) -> Result<HttpReply, String> {
        Ok(HttpReply {
            status,
            body: String::new(),
        })
    }
    let records = capture(|| wrapped(500)).records();
    assert_eq!(records[1]["event"]["outcome"], "failure");
    assert_eq!(records[1]["http"]["response"]["status_code"], 500);
}

#[test]
fn an_err_that_is_an_http_response_gives_its_status_code() {
    #[seclog::audit]
    fn find(id: u32) -> Result<String, HttpReply> {
        Err(HttpReply {
            status: 404,
            body: format!("no invoice {id}"),
        })
    }
    let records = capture(|| find(7)).records();
    let (_, end) = two(&records);
    assert_eq!(end["event"]["outcome"], "failure");
    assert_eq!(end["http"]["response"]["status_code"], 404);
    assert_eq!(end["error"]["message"], "404 no invoice 7");
    assert_ecs(&records);

    // An error that is no response has none.
    let records = capture(|| {
        place_order(
            "bob",
            "10.0.0.2",
            "ua",
            Order {
                item: "pen".into(),
                quantity: 0,
            },
        )
    })
    .records();
    assert!(records[1].get("http").is_none(), "{}", records[1]);
}

#[test]
fn a_panic_is_recorded_at_error_and_resumed_unchanged() {
    #[seclog::audit]
    fn explode(code: u32) -> u32 {
        if code > 0 {
            std::panic::panic_any(format!("boom {code}"));
        }
        code
    }
    let run = capture(|| std::panic::catch_unwind(|| explode(3)));
    let records = run.records();
    let payload = run.output.expect_err("the panic reaches the caller");
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("boom 3")
    );
    let (_, end) = two(&records);
    assert_eq!(end["event"]["outcome"], "failure");
    assert_eq!(end["error"]["type"], "panic");
    assert_eq!(end["error"]["message"], "boom 3");
    assert_eq!(end["log.level"], "error");
    assert!(end["message"].as_str().unwrap().contains("panicked"));
    assert_ecs(&records);
}

#[test]
fn a_dropped_future_is_recorded_as_cancelled() {
    #[seclog::audit]
    async fn never_finishes(id: u32) -> u32 {
        std::future::pending::<()>().await;
        id
    }
    let run = capture(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            let timed_out = tokio::time::timeout(Duration::from_millis(5), never_finishes(9)).await;
            assert!(timed_out.is_err());
        })
    });
    let records = run.records();
    let (start, end) = two(&records);
    assert_eq!(start["seclog"]["input"]["id"], 9);
    assert_eq!(end["event"]["outcome"], "unknown");
    assert_eq!(end["seclog"]["cancelled"], true);
    assert_eq!(end["log.level"], "warn");
    assert!(end["message"].as_str().unwrap().contains("cancelled"));
    assert_ecs(&records);
}

#[test]
fn an_async_panic_is_recorded_and_resumed() {
    #[seclog::audit]
    async fn explode_later() -> u32 {
        tokio::task::yield_now().await;
        panic!("async boom")
    }
    let run = capture(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async { futures_catch(explode_later()).await })
    });
    assert_eq!(run.output, Err("async boom"));
    let records = run.records();
    assert_eq!(records[1]["error"]["type"], "panic");
    assert_eq!(records[1]["error"]["message"], "async boom");
    assert!(
        records[1]["seclog"].get("cancelled").is_none(),
        "a panic is not a cancellation"
    );
}

/// Polls a future, turning a panic into `Err(message)`.
async fn futures_catch<F: std::future::Future<Output = u32>>(fut: F) -> Result<u32, &'static str> {
    let mut fut = Box::pin(fut);
    std::future::poll_fn(move |cx| {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
            Ok(std::task::Poll::Ready(v)) => std::task::Poll::Ready(Ok(v)),
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Err(p) => std::task::Poll::Ready(Err(*p.downcast::<&'static str>().unwrap())),
        }
    })
    .await
}

#[test]
fn exceeding_the_budget_warns_and_says_so() {
    #[seclog::audit(budget = "5ms")]
    fn slow() {
        std::thread::sleep(Duration::from_millis(15));
    }
    #[seclog::audit(budget = "10s")]
    fn fast() {}

    let records = capture(slow).records();
    let end = &records[1];
    assert_eq!(end["log.level"], "warn");
    assert_eq!(end["event"]["outcome"], "success");
    assert_eq!(end["seclog"]["budget"]["exceeded"], true);
    assert_eq!(end["seclog"]["budget"]["ms"], 5);
    assert!(end["event"]["duration"].as_u64().unwrap() >= 15_000_000);
    assert!(end["message"]
        .as_str()
        .unwrap()
        .contains("over its 5ms budget"));

    let records = capture(fast).records();
    assert_eq!(records[1]["log.level"], "info");
    assert_eq!(records[1]["seclog"]["budget"]["exceeded"], false);
    assert_eq!(records[1]["seclog"]["budget"]["ms"], 10_000);
    assert_ecs(&records);
}

#[test]
fn handler_level_and_the_configured_level_filter_records() {
    #[seclog::audit(level = "debug")]
    fn chatty(ok: bool) -> Result<(), String> {
        if ok {
            Ok(())
        } else {
            Err("bad".into())
        }
    }
    let info = seclog::builder().level(Level::Info).build().unwrap();
    let run = capture_with(info, || chatty(true));
    assert!(
        run.lines.is_empty(),
        "debug records are filtered out at info: {:?}",
        run.lines
    );

    // A failure is still recorded at warn, with what is known without the
    // arguments (the handler's level switched the inputs off).
    let run = capture_with(info, || chatty(false));
    let records = run.records();
    assert_eq!(records.len(), 1, "{records:#?}");
    assert_eq!(records[0]["event"]["outcome"], "failure");
    assert_eq!(records[0]["log.level"], "warn");
    assert!(records[0]["transaction"]["id"].is_string());

    let debug = seclog::builder().level(Level::Debug).build().unwrap();
    let records = capture_with(debug, || chatty(true)).records();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["log.level"], "debug");
    assert_eq!(records[1]["log.level"], "debug");

    let off = seclog::builder().off().build().unwrap();
    assert!(capture_with(off, || chatty(false)).lines.is_empty());
}

#[test]
fn skip_skip_all_and_skip_response_keep_values_out() {
    #[seclog::audit(skip(token))]
    fn with_token(user: &str, token: &str) -> String {
        format!("{user}:{token}")
    }
    #[seclog::audit(skip_all)]
    fn all_skipped(a: &str, b: u32) -> u32 {
        let _ = a;
        b
    }
    #[seclog::audit(skip_response)]
    fn secret_response(user: &str) -> Result<String, String> {
        Ok(format!("session-for-{user}"))
    }

    let run = capture(|| with_token("alice", "tok-123"));
    let records = run.records();
    assert_eq!(records[0]["seclog"]["input"]["user"], "alice");
    assert!(records[0]["seclog"]["input"].get("token").is_none());
    assert_eq!(
        records[1]["seclog"]["response"], "alice:tok-123",
        "skip is for inputs only"
    );

    let records = capture(|| all_skipped("x", 2)).records();
    assert_eq!(records[0]["seclog"]["input"], serde_json::json!({}));
    assert_eq!(records[1]["seclog"]["response"], 2);

    let run = capture(|| secret_response("bob"));
    let records = run.records();
    assert_eq!(records[1]["event"]["outcome"], "success");
    assert!(records[1]["seclog"].get("response").is_none());
    assert!(!run.lines.iter().any(|l| l.contains("session-for-bob")));
}

#[test]
fn emit_end_writes_one_record_with_inputs_and_response() {
    #[seclog::audit(emit = "end", who = user)]
    fn lookup(user: &str, id: u32) -> Option<String> {
        (id == 1).then(|| format!("{user}-1"))
    }
    let records = capture(|| lookup("carol", 1)).records();
    assert_eq!(records.len(), 1, "{records:#?}");
    let r = &records[0];
    assert_eq!(r["seclog"]["phase"], "end");
    assert_eq!(r["seclog"]["input"]["id"], 1);
    assert_eq!(r["seclog"]["input"]["user"], "carol");
    assert_eq!(r["seclog"]["response"], "carol-1");
    assert_eq!(r["user"]["id"], "carol");

    let records = capture(|| lookup("carol", 2)).records();
    assert_eq!(records[0]["seclog"]["response"], Value::Null);
    assert_eq!(records[0]["event"]["outcome"], "success");
    assert_ecs(&records);
}

#[test]
fn name_and_category_options_set_action_and_category() {
    #[seclog::audit(name = "orders.cancel", category = "web")]
    fn cancel(id: u64) -> u64 {
        id
    }
    let records = capture(|| cancel(5)).records();
    for r in &records {
        assert_eq!(r["event"]["action"], "orders.cancel");
        assert_eq!(r["event"]["category"], serde_json::json!(["web"]));
    }
    assert!(records[1]["message"]
        .as_str()
        .unwrap()
        .starts_with("orders.cancel succeeded"));
}

#[test]
fn who_may_be_absent_and_a_non_ip_source_is_an_address() {
    #[seclog::audit(who = session_user, source_ip = peer)]
    fn anonymous(session_user: Option<&str>, peer: String) {
        let _ = (session_user, peer);
    }
    let records = capture(|| anonymous(None, "unix:/run/app.sock".into())).records();
    for r in &records {
        assert!(
            r.get("user").is_none(),
            "no user.id when `who` is None: {r}"
        );
        assert_eq!(r["source"]["address"], "unix:/run/app.sock");
        assert!(r["source"].get("ip").is_none());
    }
    let records = capture(|| anonymous(Some("dave"), "2001:db8::7".into())).records();
    assert_eq!(records[0]["user"]["id"], "dave");
    assert_eq!(records[1]["source"]["ip"], "2001:db8::7");
    assert_ecs(&records);
}

#[test]
fn nested_invocations_share_the_transaction_id() {
    #[seclog::audit]
    fn inner(x: u32) -> u32 {
        x + 1
    }
    #[seclog::audit]
    fn outer(x: u32) -> u32 {
        inner(x) * 2
    }
    let records = capture(|| outer(1)).records();
    assert_eq!(records.len(), 4);
    let tx = &records[0]["transaction"]["id"];
    assert!(records.iter().all(|r| &r["transaction"]["id"] == tx));
    let ids: std::collections::HashSet<_> = records
        .iter()
        .map(|r| r["event"]["id"].to_string())
        .collect();
    assert_eq!(ids.len(), 4, "event.id is unique per record");
}

#[test]
fn a_nested_invocation_has_its_callers_who_and_where_unless_it_knows_better() {
    #[seclog::audit(who = "svc-billing")]
    fn inner(x: u32) -> u32 {
        x + 1
    }
    #[seclog::audit(who = user, source_ip = "198.51.100.4", user_agent = "curl/8.5.0")]
    fn outer(user: &str, x: u32) -> u32 {
        inner(x) * 2
    }
    let records = capture(|| outer("alice", 1)).records();
    let [o_start, i_start, i_end, o_end] = &records[..] else {
        panic!("{records:#?}")
    };
    for r in [o_start, i_start, i_end, o_end] {
        assert_eq!(r["source"]["ip"], "198.51.100.4");
        assert_eq!(r["user_agent"]["original"], "curl/8.5.0");
    }
    assert_eq!(o_end["user"]["id"], "alice");
    assert_eq!(i_end["user"]["id"], "svc-billing", "its own who wins");
    assert_eq!(i_end["event"]["action"], "inner", "its own action");
    assert_ecs(&records);
}

#[test]
fn a_filtered_out_handler_inside_an_invocation_leaves_its_events_with_the_caller() {
    // `inner` is below the level: it writes nothing, and a security event
    // raised in its body still carries the caller's transaction id.
    #[seclog::audit(level = "debug")]
    fn inner(x: u32) -> u32 {
        seclog::security_event!(authz_fail, resource = "/admin");
        x + 1
    }
    #[seclog::audit]
    fn outer(x: u32) -> u32 {
        inner(x) * 2
    }
    let records = capture(|| outer(1)).records();
    assert_eq!(records.len(), 3, "outer's start and end, and the event");
    assert_eq!(records[1]["seclog"]["owasp"], "authz_fail:,/admin");
    let tx = &records[0]["transaction"]["id"];
    assert!(tx.is_string());
    assert!(records.iter().all(|r| &r["transaction"]["id"] == tx));
    assert_ecs(&records);

    // Alone, it still records a panic (at `error`), though not a success.
    #[seclog::audit(level = "debug")]
    fn quiet(fail: bool) -> u32 {
        if fail {
            panic!("quiet handler failed");
        }
        1
    }
    assert!(capture(|| quiet(false)).records().is_empty());
    let run = capture(|| std::panic::catch_unwind(|| quiet(true)).is_err());
    assert!(run.output);
    let records = run.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["log.level"], "error");
    assert_eq!(records[0]["error"]["type"], "panic");
    assert_eq!(records[0]["error"]["message"], "quiet handler failed");
}

#[test]
fn separate_invocations_get_separate_transaction_ids() {
    #[seclog::audit]
    fn ping() {}
    let records = capture(|| {
        ping();
        ping();
    })
    .records();
    assert_eq!(records.len(), 4);
    assert_eq!(
        records[0]["transaction"]["id"],
        records[1]["transaction"]["id"]
    );
    assert_ne!(
        records[0]["transaction"]["id"],
        records[2]["transaction"]["id"]
    );
    let tx = records[0]["transaction"]["id"].as_str().unwrap();
    assert_eq!(tx.len(), 32);
    assert!(tx.bytes().all(|b| b.is_ascii_hexdigit()));
}

#[test]
fn async_handlers_are_audited_across_awaits() {
    #[seclog::audit(who = user)]
    async fn fetch(user: String, delay_ms: u64) -> Result<Vec<u32>, std::io::Error> {
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        Ok(vec![1, 2, 3])
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let run = rt.block_on(capture_future(fetch("erin".into(), 3)));
    let records = run.records();
    assert_eq!(run.output.unwrap(), vec![1, 2, 3]);
    let (start, end) = two(&records);
    assert_eq!(start["user"]["id"], "erin");
    assert_eq!(end["user"]["id"], "erin");
    assert_eq!(end["seclog"]["response"], serde_json::json!([1, 2, 3]));
    assert!(end["event"]["duration"].as_u64().unwrap() >= 3_000_000);
    assert_ecs(&records);
}
