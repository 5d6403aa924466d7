//! A redacted value never appears in any output byte, by any sink or
//! format: a secret given to a skipped argument, under a sensitive key (a
//! struct field, a map key, nested JSON), at a `redact(...)` path of an
//! argument or of the response, in a `redact("return")` or `skip_response`
//! response, with `emit` both and end, is absent from what the capture
//! sink, an `io::Write` sink, the `tracing` sink (event and span fields
//! alike) and the real stdout (a child process) receive, in JSON and pretty.
//!
//! And what cannot be promised, shown precisely: an error's `Display` and a
//! panic's message are logged as they are (bounded and escaped, with only
//! secrets of a known shape replaced, `shapes.rs`); seclog cannot know that
//! they hold a secret of no known shape, and `skip`/`redact` do not reach
//! them. What does hold: only `Display` is used (never `Debug`), only
//! `error.message` carries it, and a panic payload that is not a string is
//! never logged.
//!
//! Secrets start with at least 16 upper-case ASCII letters, which nothing
//! else in these records contains, followed by hostile text; a leak is any
//! 8 of those letters found in the output bytes. `PROPTEST_CASES` runs more
//! cases.

#[path = "../src/bin/fixture-leak/surface.rs"]
mod surface;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};
use seclog::Format;
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::io::{self, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, Once, OnceLock};

fn cases(default: u32) -> ProptestConfig {
    ProptestConfig {
        cases: seclog_tests::proptest_cases(default),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Upper-case letters, then anything an attacker or a user might put in a
/// secret (quotes, controls, separators, non-ASCII).
fn secret() -> impl Strategy<Value = String> {
    (
        "[A-Z]{16,32}",
        vec(
            prop_oneof![
                any::<char>().prop_map(String::from),
                prop::sample::select(vec![
                    "\"",
                    "\\",
                    "\n",
                    "\r\n",
                    "\0",
                    "\u{1b}[0m",
                    "\u{2028}",
                    "\u{85}",
                    "é",
                    "😀",
                    " ",
                    "=",
                ])
                .prop_map(String::from),
            ],
            0..8,
        ),
    )
        .prop_map(|(core, tail)| core + &tail.concat())
}

/// The secret's upper-case letters: what a leak would show.
fn core(secret: &str) -> &str {
    let end = secret
        .bytes()
        .position(|b| !b.is_ascii_uppercase())
        .unwrap_or(secret.len());
    &secret[..end]
}

/// No 8 consecutive letters of the secret anywhere in `output`.
fn assert_no_leak(output: &[u8], secret: &str, sink: &str) -> Result<(), TestCaseError> {
    for window in core(secret).as_bytes().windows(8) {
        if let Some(at) = output.windows(8).position(|w| w == window) {
            let from = at.saturating_sub(200);
            let context = String::from_utf8_lossy(&output[from..(at + 200).min(output.len())]);
            return Err(TestCaseError::fail(format!(
                "{sink}: the secret leaked: …{context}…"
            )));
        }
    }
    // The output is the records: the public user is there.
    prop_assert!(
        output.windows(5).any(|w| w == b"alice"),
        "{}: no records seen",
        sink
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// Sinks in this process.
// ---------------------------------------------------------------------------

thread_local! {
    static BYTES: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// An `io::Write` destination per thread, so cases run side by side.
struct ThreadBytes;

impl Write for ThreadBytes {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        BYTES.with(|b| b.borrow_mut().extend_from_slice(buf));
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn builder(format: Format) -> seclog::Builder {
    seclog::builder()
        .format(format)
        .hash_key("a fixed key for the leak tests!!")
        .service("leaks")
}

/// Configurations built once: a writer and a tracing one per format.
fn configs(format: Format) -> &'static (seclog::Config, seclog::Config) {
    static JSON: OnceLock<(seclog::Config, seclog::Config)> = OnceLock::new();
    static PRETTY: OnceLock<(seclog::Config, seclog::Config)> = OnceLock::new();
    let cell = if format == Format::Json {
        &JSON
    } else {
        &PRETTY
    };
    cell.get_or_init(|| {
        (
            builder(format).writer(ThreadBytes).build().unwrap(),
            builder(format).tracing().build().unwrap(),
        )
    })
}

/// Every text a `tracing` subscriber is given: event fields and span
/// fields, each as it would print them.
#[derive(Clone, Default)]
struct Everything(Arc<Mutex<Vec<u8>>>);

struct Collect<'a>(&'a mut Vec<u8>);

impl tracing::field::Visit for Collect<'_> {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0
            .extend_from_slice(format!("{field}={value}\n").as_bytes());
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn fmt::Debug) {
        self.0
            .extend_from_slice(format!("{field}={value:?}\n").as_bytes());
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Everything {
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _: &tracing::span::Id,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        attrs.record(&mut Collect(&mut self.0.lock().unwrap()));
    }
    fn on_record(
        &self,
        _: &tracing::span::Id,
        values: &tracing::span::Record<'_>,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        values.record(&mut Collect(&mut self.0.lock().unwrap()));
    }
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        event.record(&mut Collect(&mut self.0.lock().unwrap()));
    }
}

/// What each sink received while `f` ran, in `format`.
fn through_every_sink(format: Format, f: impl Fn() -> bool) -> Vec<(&'static str, Vec<u8>)> {
    use tracing_subscriber::layer::SubscriberExt;
    let (writer, tracing) = *configs(format);
    let mut outputs = Vec::new();

    let run = seclog::testing::capture_with(builder(format).build().unwrap(), &f);
    assert!(run.output, "the handlers' results are unchanged");
    outputs.push(("capture", run.lines.join("\n").into_bytes()));

    BYTES.with(|b| b.borrow_mut().clear());
    assert!(seclog::testing::with_config(writer, &f));
    outputs.push((
        "io::Write",
        BYTES.with(|b| std::mem::take(&mut *b.borrow_mut())),
    ));

    let seen = Everything::default();
    let subscriber = tracing_subscriber::registry().with(seen.clone());
    assert!(seclog_tests::with_subscriber(subscriber, || {
        seclog::testing::with_config(tracing, &f)
    }));
    outputs.push(("tracing", std::mem::take(&mut *seen.0.lock().unwrap())));
    outputs
}

/// The records of one `run_all`, checked for the redactions that must be
/// there: a test that looked at the wrong thing would fail here.
fn assert_redacted_where_expected(secret: &str) {
    let run = seclog::testing::capture_with(builder(Format::Json).build().unwrap(), || {
        surface::run_all(secret)
    });
    let r = run.records();
    seclog_tests::assert_ecs(&r);
    let [sign_in, signed_in, once, issue_start, issued, reveal_start, revealed] = &r[..] else {
        panic!("7 records expected: {r:#?}")
    };
    let input = &sign_in["seclog"]["input"];
    assert!(input.get("pin").is_none(), "a skipped argument is absent");
    assert_eq!(input["login"]["password"], "[REDACTED]");
    assert_eq!(input["login"]["api_key"], "[REDACTED]");
    assert_eq!(input["login"]["user"], "alice");
    assert_eq!(input["login"]["profile"]["session_token"], "[REDACTED]");
    assert_eq!(
        input["login"]["profile"]["keys"][0]["private_key"],
        "[REDACTED]"
    );
    assert_eq!(input["card"]["number"], "[REDACTED]");
    assert_eq!(input["card"]["holder"]["name"], "[REDACTED]");
    assert_eq!(input["card"]["brand"], "visa");
    assert_eq!(input["headers"]["Authorization"], "[REDACTED]");
    assert_eq!(input["headers"]["Cookie"], "[REDACTED]");
    assert_eq!(input["headers"]["X-Api-Key"], "[REDACTED]");
    assert_eq!(input["headers"]["accept"], "application/json");
    assert_eq!(signed_in["seclog"]["response"]["token"], "[REDACTED]");
    assert_eq!(signed_in["seclog"]["response"]["user"], "alice");
    assert_eq!(once["seclog"]["input"]["card"]["number"], "[REDACTED]");
    assert_eq!(once["seclog"]["response"]["token"], "[REDACTED]");
    assert!(issue_start["seclog"]["input"].get("seed").is_none());
    assert!(issued["seclog"].get("response").is_none(), "skip_response");
    assert_eq!(issued["event"]["outcome"], "success");
    assert!(reveal_start["seclog"]["input"].get("seed").is_none());
    assert_eq!(revealed["seclog"]["response"], "[REDACTED]");
}

proptest! {
    #![proptest_config(cases(48))]

    #[test]
    fn no_redacted_secret_reaches_any_sink_in_any_format(secret in secret()) {
        for format in [Format::Json, Format::Pretty] {
            for (sink, output) in through_every_sink(format, || surface::run_all(&secret)) {
                assert_no_leak(&output, &secret, &format!("{sink} ({format:?})"))?;
            }
        }
        assert_redacted_where_expected(&secret);
    }
}

// ---------------------------------------------------------------------------
// The real stdout, in a child process.
// ---------------------------------------------------------------------------

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn no_redacted_secret_reaches_the_real_stdout() {
    let mut runner = TestRunner::new(cases(6));
    runner
        .run(&vec(secret(), 1..12), |secrets| {
            for format in ["json", "pretty"] {
                let mut child = Command::new(env!("CARGO_BIN_EXE_fixture-leak"))
                    .env("SECLOG_FORMAT", format)
                    .env("SECLOG_HASH_KEY", "a fixed key for the leak tests!!")
                    .env_remove("SECLOG_SINK")
                    .env_remove("SECLOG_LEVEL")
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap();
                let input: String = secrets.iter().map(|s| hex(s) + "\n").collect();
                child
                    .stdin
                    .take()
                    .unwrap()
                    .write_all(input.as_bytes())
                    .unwrap();
                let out = child.wait_with_output().unwrap();
                prop_assert!(out.status.success());
                let report = String::from_utf8_lossy(&out.stderr);
                prop_assert_eq!(report.trim(), format!("ok={}", secrets.len()));
                let text = std::str::from_utf8(&out.stdout).expect("records are UTF-8");
                prop_assert_eq!(text.lines().count(), 7 * secrets.len());
                if format == "json" {
                    for line in text.lines() {
                        prop_assert!(serde_json::from_str::<Value>(line).is_ok(), "{}", line);
                    }
                }
                for secret in &secrets {
                    assert_no_leak(&out.stdout, secret, &format!("stdout ({format})"))?;
                }
            }
            Ok(())
        })
        .unwrap();
}

// ---------------------------------------------------------------------------
// Error messages and panic payloads: what can and cannot be promised.
// ---------------------------------------------------------------------------

/// An error whose `Debug` shows the secret and whose `Display` does not.
struct Declined {
    card: String,
}

impl fmt::Debug for Declined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Declined {{ card: {:?} }}", self.card)
    }
}

impl fmt::Display for Declined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the card was declined")
    }
}

#[seclog::audit(who = user, skip(card))]
fn charge(user: &str, card: &str) -> Result<u32, Declined> {
    Err(Declined {
        card: card.to_string(),
    })
}

#[seclog::audit(who = user, skip(card))]
fn charge_loudly(user: &str, card: &str) -> Result<u32, String> {
    Err(format!("card {card} was declined"))
}

#[seclog::audit(who = user, skip(card), skip_response)]
fn charge_quietly(user: &str, card: &str) -> Result<String, String> {
    Err(format!("card {card} was declined"))
}

#[seclog::audit(who = user, skip(card), redact("return"))]
fn charge_redacted(user: &str, card: &str) -> Result<String, String> {
    Err(format!("card {card} was declined"))
}

#[seclog::audit(who = user, skip(card))]
fn crash(user: &str, card: &str) -> u32 {
    panic!("cannot charge {card}")
}

/// A panic payload that is not a string.
struct Crash {
    card: String,
}

#[seclog::audit(who = user, skip(card))]
fn crash_with_payload(user: &str, card: &str) -> u32 {
    std::panic::panic_any(Crash {
        card: card.to_string(),
    })
}

/// Runs `f`, which panics, with the panic hook silent on this thread.
fn quietly(f: impl FnOnce()) {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                default(info)
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).expect_err("a panic");
    QUIET.with(|q| q.set(false));
    if let Some(crash) = payload.downcast_ref::<Crash>() {
        assert!(
            !crash.card.is_empty(),
            "the payload reaches the caller unchanged"
        );
    }
}

/// The end record with `error.message` taken out, and that message.
fn split_error(mut end: Value) -> (Value, Option<String>) {
    let message = end["error"]
        .as_object_mut()
        .and_then(|e| e.remove("message"))
        .map(|m| m.as_str().unwrap().to_string());
    (end, message)
}

proptest! {
    #![proptest_config(cases(32))]

    #[test]
    fn an_errors_debug_is_never_logged(secret in secret()) {
        for format in [Format::Json, Format::Pretty] {
            for (sink, output) in through_every_sink(format, || charge("alice", &secret).is_err()) {
                assert_no_leak(&output, &secret, &format!("{sink} ({format:?})"))?;
            }
        }
        let run = seclog::testing::capture(|| charge("alice", &secret));
        let end = &run.records()[1];
        prop_assert_eq!(&end["error"]["message"], "the card was declined");
        prop_assert_eq!(&end["error"]["type"], "leaks::Declined");
    }

    #[test]
    fn a_non_string_panic_payload_is_never_logged(secret in secret()) {
        for format in [Format::Json, Format::Pretty] {
            let f = || {
                quietly(|| {
                    crash_with_payload("alice", &secret);
                });
                true
            };
            for (sink, output) in through_every_sink(format, f) {
                assert_no_leak(&output, &secret, &format!("{sink} ({format:?})"))?;
            }
        }
        let run = seclog::testing::capture(|| quietly(|| {
            crash_with_payload("alice", &secret);
        }));
        prop_assert_eq!(&run.records()[1]["error"]["message"], "Box<dyn Any>");
    }

    /// The limit: an error's `Display` is the error message, secret and
    /// all, whatever `skip`, `skip_response` or `redact("return")` say; it
    /// appears in `error.message` only, once, exactly as displayed.
    #[test]
    fn an_error_message_is_logged_as_displayed_and_only_there(secret in secret()) {
        let displayed = format!("card {secret} was declined");
        let runs = [
            seclog::testing::capture(|| charge_loudly("alice", &secret).is_err()),
            seclog::testing::capture(|| charge_quietly("alice", &secret).is_err()),
            seclog::testing::capture(|| charge_redacted("alice", &secret).is_err()),
        ];
        for run in runs {
            prop_assert!(run.output);
            let records = run.records();
            assert_no_leak(run.lines[0].as_bytes(), &secret, "the start record")?;
            let (rest, message) = split_error(records[1].clone());
            let expected = seclog::redact_text(&displayed);
            prop_assert_eq!(message.as_deref(), Some(&*expected));
            assert_no_leak(rest.to_string().as_bytes(), &secret, "the end record but error.message")?;
        }
    }

    /// The same for a panic whose message holds the secret.
    #[test]
    fn a_panic_message_is_logged_as_panicked_and_only_there(secret in secret()) {
        let run = seclog::testing::capture(|| quietly(|| {
            crash("alice", &secret);
        }));
        let records = run.records();
        assert_no_leak(run.lines[0].as_bytes(), &secret, "the start record")?;
        let (rest, message) = split_error(records[1].clone());
        let panicked = format!("cannot charge {secret}");
        prop_assert_eq!(message.as_deref(), Some(&*seclog::redact_text(&panicked)));
        prop_assert_eq!(&rest["error"]["type"], "panic");
        assert_no_leak(rest.to_string().as_bytes(), &secret, "the end record but error.message")?;
    }
}
