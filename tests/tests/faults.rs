//! Logging never changes the handler's result, never panics into it, and
//! survives a failing output: sinks that fail, fail halfway, block or
//! panic; `Serialize`, `Redact`, `Display` and `Outcome` implementations
//! that fail or panic; payloads of 6 MB (AWS Lambda's maximum). Each fault
//! leaves the result unchanged, every record that is written bounded, valid
//! and marked, and a counter in `seclog::stats()` that says what happened.
//!
//! The counters are process-wide, so the tests of this file take turns and
//! assert exact changes.

use seclog::{Level, Out, Redact};
use seclog_tests::SharedBuffer as Buffer;
use serde::ser::{Error as _, SerializeMap, SerializeSeq, SerializeStruct};
use serde_json::Value;
use std::cell::Cell;
use std::fmt;
use std::io;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Once};
use std::time::Duration;

// ---------------------------------------------------------------------------
// Harness: one test at a time, exact counter changes, quiet expected panics.
// ---------------------------------------------------------------------------

fn one_at_a_time() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|e| e.into_inner())
}

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with the panic hook silent on this thread: the panics inside
/// are the faults under test, caught by seclog or by the test.
fn quietly<R>(f: impl FnOnce() -> R) -> R {
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
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    out.unwrap_or_else(|p| std::panic::resume_unwind(p))
}

/// What the counters changed by.
#[derive(Debug, Default, PartialEq, Eq)]
struct Delta {
    records: u64,
    write_errors: u64,
    sink_panics: u64,
    truncated: u64,
    serialize_errors: u64,
    format_panics: u64,
}

fn delta<R>(f: impl FnOnce() -> R) -> (R, Delta) {
    let before = seclog::stats();
    let out = f();
    let after = seclog::stats();
    let d = Delta {
        records: after.records - before.records,
        write_errors: after.write_errors - before.write_errors,
        sink_panics: after.sink_panics - before.sink_panics,
        truncated: after.truncated - before.truncated,
        serialize_errors: after.serialize_errors - before.serialize_errors,
        format_panics: after.format_panics - before.format_panics,
    };
    (out, d)
}

/// Parses each line as one record.
fn parse(lines: &[String]) -> Vec<Value> {
    lines
        .iter()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("not one JSON record ({e}): {l}"))
        })
        .collect()
}

/// Runs `f` capturing its records, with the counters' change.
fn captured<R>(f: impl FnOnce() -> R) -> (R, Vec<Value>, Delta) {
    let (run, d) = delta(|| seclog::testing::capture(f));
    let records = parse(&run.lines);
    seclog_tests::assert_ecs(&records);
    (run.output, records, d)
}

// ---------------------------------------------------------------------------
// Sinks.
// ---------------------------------------------------------------------------

#[seclog::audit(who = user)]
fn transfer(user: &str, amount: u64) -> Result<u64, String> {
    if amount > 1_000 {
        Err(format!("{amount} is over the limit"))
    } else {
        Ok(1_000 - amount)
    }
}

/// Accepts the first `good` writes, fails the next after taking half of
/// it, then accepts everything again: a disk that filled up for a moment.
struct FailsHalfway {
    inner: Buffer,
    writes: usize,
    fail_at: usize,
}

impl io::Write for FailsHalfway {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writes += 1;
        if self.writes == self.fail_at {
            let half = buf.len() / 2;
            self.inner.write(&buf[..half])?;
            return Ok(half);
        }
        if self.writes == self.fail_at + 1 {
            return Err(io::Error::other("no space left on device"));
        }
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_write_that_fails_halfway_loses_that_record_only() {
    let _turn = one_at_a_time();
    let out = Buffer::default();
    // Write 3 is record 3's first write: half of it goes through, the rest fails.
    let sink = FailsHalfway {
        inner: out.clone(),
        writes: 0,
        fail_at: 3,
    };
    let config = seclog::builder().writer(sink).build().unwrap();
    let (results, d) = delta(|| {
        seclog::testing::with_config(config, || {
            [transfer("ann", 1), transfer("ann", 2), transfer("ann", 3)]
        })
    });
    assert_eq!(results, [Ok(999), Ok(998), Ok(997)]);
    assert_eq!(
        d,
        Delta {
            records: 5,
            write_errors: 1,
            ..Delta::default()
        }
    );

    let text = out.text();
    let lines: Vec<&str> = text.lines().collect();
    // Records 1, 2, 4, 5 and 6 are whole lines; record 3's first half is a
    // line of its own, which no record continues.
    let whole: Vec<Value> = lines
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(whole.len(), 5, "{text}");
    assert_eq!(
        lines.len(),
        6,
        "the cut record stays on its own line: {text}"
    );
    let cut: Vec<&&str> = lines
        .iter()
        .filter(|l| serde_json::from_str::<Value>(l).is_err())
        .collect();
    assert_eq!(cut.len(), 1);
    assert!(cut[0].starts_with("{\"@timestamp\""), "{}", cut[0]);
    assert!(text.ends_with('\n'));
    let phases: Vec<&str> = whole
        .iter()
        .map(|r| r["seclog"]["phase"].as_str().unwrap())
        .collect();
    assert_eq!(phases, ["start", "end", "end", "start", "end"]);
}

/// Accepts a few bytes per call, and is interrupted every other call.
struct Trickle {
    inner: Buffer,
    calls: usize,
}

impl io::Write for Trickle {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.calls += 1;
        if self.calls % 2 == 0 {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "signal"));
        }
        let n = buf.len().min(7);
        self.inner.write(&buf[..n])
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_writer_taking_a_few_bytes_at_a_time_gets_whole_records() {
    let _turn = one_at_a_time();
    let out = Buffer::default();
    let config = seclog::builder()
        .writer(Trickle {
            inner: out.clone(),
            calls: 0,
        })
        .build()
        .unwrap();
    let (result, d) = delta(|| seclog::testing::with_config(config, || transfer("bo", 5_000)));
    assert_eq!(result, Err("5000 is over the limit".to_string()));
    assert_eq!(
        d,
        Delta {
            records: 2,
            ..Delta::default()
        }
    );
    let lines: Vec<String> = out.text().lines().map(String::from).collect();
    let records = parse(&lines);
    assert_eq!(records.len(), 2);
    assert_eq!(records[1]["error"]["message"], "5000 is over the limit");
}

/// Panics on its second write, then works: its mutex is poisoned.
struct PanicsOnce {
    inner: Buffer,
    writes: usize,
}

impl io::Write for PanicsOnce {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writes += 1;
        if self.writes == 2 {
            panic!("the writer broke");
        }
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_writer_that_panicked_once_keeps_receiving_records() {
    let _turn = one_at_a_time();
    let out = Buffer::default();
    let config = seclog::builder()
        .writer(PanicsOnce {
            inner: out.clone(),
            writes: 0,
        })
        .build()
        .unwrap();
    let (results, d) = delta(|| {
        quietly(|| {
            seclog::testing::with_config(config, || [transfer("cy", 10), transfer("cy", 20)])
        })
    });
    assert_eq!(results, [Ok(990), Ok(980)]);
    assert_eq!(
        d,
        Delta {
            records: 3,
            sink_panics: 1,
            ..Delta::default()
        }
    );
    let lines: Vec<String> = out.text().lines().map(String::from).collect();
    let records = parse(&lines);
    let phases: Vec<&str> = records
        .iter()
        .map(|r| r["seclog"]["phase"].as_str().unwrap())
        .collect();
    assert_eq!(
        phases,
        ["start", "start", "end"],
        "only the record whose write panicked is lost"
    );
}

/// Holds every write for a moment, as a slow pipe or disk would.
struct Slow {
    inner: Buffer,
    calls: Arc<AtomicUsize>,
}

impl seclog::Sink for Slow {
    fn write(&self, record: &[u8], _level: Level) -> io::Result<()> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(5));
        io::Write::write_all(&mut self.inner.clone(), record)
    }
}

#[test]
fn a_slow_sink_gets_one_write_per_record_and_changes_no_result() {
    let _turn = one_at_a_time();
    let out = Buffer::default();
    let calls = Arc::new(AtomicUsize::new(0));
    let config = seclog::builder()
        .sink(Slow {
            inner: out.clone(),
            calls: calls.clone(),
        })
        .build()
        .unwrap();
    let (results, d) = delta(|| {
        std::thread::scope(|s| {
            let workers: Vec<_> = (0..8u64)
                .map(|t| {
                    s.spawn(move || {
                        seclog::testing::with_config(config, || {
                            (0..10u64)
                                .map(|i| transfer("di", t * 100 + i))
                                .collect::<Vec<_>>()
                        })
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().unwrap())
                .collect::<Vec<_>>()
        })
    });
    for (t, results) in results.iter().enumerate() {
        let expected: Vec<Result<u64, String>> = (0..10u64)
            .map(|i| Ok(1_000 - (t as u64 * 100 + i)))
            .collect();
        assert_eq!(*results, expected);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 160, "one write per record");
    assert_eq!(
        d,
        Delta {
            records: 160,
            ..Delta::default()
        }
    );
    let lines: Vec<String> = out.text().lines().map(String::from).collect();
    let records = parse(&lines);
    assert_eq!(records.len(), 160);
    let mut starts = std::collections::HashMap::new();
    for r in &records {
        *starts
            .entry((
                r["transaction"]["id"].to_string(),
                r["seclog"]["phase"].to_string(),
            ))
            .or_insert(0) += 1;
    }
    assert_eq!(
        starts.len(),
        160,
        "each invocation has one start and one end record"
    );
}

#[test]
fn a_closed_stdout_counts_every_lost_record() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fixture-load"))
        .args(["--after-stdin-closes", "sync", "1", "50"])
        .env_remove("SECLOG_SINK")
        .env_remove("SECLOG_LEVEL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Every write fails with EPIPE: the child starts once its stdout is closed.
    drop(child.stdout.take());
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "no SIGPIPE death, no panic: {:?}",
        out.status
    );
    let report = String::from_utf8(out.stderr).unwrap();
    assert!(report.contains("results=50 ok=50"), "{report}");
    assert!(
        report.contains("records=0 write_errors=100 sink_panics=0"),
        "{report}"
    );
}

// ---------------------------------------------------------------------------
// Values whose own code fails.
// ---------------------------------------------------------------------------

/// `Serialize` implementations that fail at each place a value can.
#[derive(Clone, Copy)]
enum Failing {
    AtOnce,
    InStruct,
    InMapValue,
    AfterMapKey,
    InSeq,
}

impl serde::Serialize for Failing {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Failing::AtOnce => Err(S::Error::custom("cannot serialize")),
            Failing::InStruct => {
                let mut st = s.serialize_struct("Account", 2)?;
                st.serialize_field("id", &7)?;
                st.serialize_field("balance", &Failing::AtOnce)?;
                st.end()
            }
            Failing::InMapValue => {
                let mut m = s.serialize_map(None)?;
                m.serialize_entry("fine", &1)?;
                m.serialize_entry("broken", &Failing::AtOnce)?;
                m.end()
            }
            Failing::AfterMapKey => {
                let mut m = s.serialize_map(None)?;
                m.serialize_key("orphan")?;
                Err(S::Error::custom("no value"))
            }
            Failing::InSeq => {
                let mut q = s.serialize_seq(Some(3))?;
                q.serialize_element(&1)?;
                q.serialize_element(&Failing::AtOnce)?;
                q.end()
            }
        }
    }
}

#[seclog::audit]
fn takes_failing(value: Failing, n: u32) -> u32 {
    n + 1
}

#[seclog::audit(emit = "end")]
fn takes_failing_end(value: Failing, n: u32) -> u32 {
    n + 1
}

#[seclog::audit]
fn returns_failing(kind: u8) -> Failing {
    [
        Failing::AtOnce,
        Failing::InStruct,
        Failing::InMapValue,
        Failing::AfterMapKey,
        Failing::InSeq,
    ][kind as usize]
}

#[test]
fn a_serialize_error_leaves_a_valid_marked_record_and_is_counted() {
    let _turn = one_at_a_time();
    let all = [
        Failing::AtOnce,
        Failing::InStruct,
        Failing::InMapValue,
        Failing::AfterMapKey,
        Failing::InSeq,
    ];
    for (i, failing) in all.into_iter().enumerate() {
        let (out, records, d) = captured(|| takes_failing(failing, 41));
        assert_eq!(out, 42);
        assert_eq!(
            d,
            Delta {
                records: 2,
                truncated: 1,
                serialize_errors: 1,
                ..Delta::default()
            },
            "case {i}"
        );
        let start = &records[0];
        assert_eq!(start["seclog"]["truncated"], true, "case {i}: {start}");
        assert_eq!(
            start["seclog"]["input"]["n"], 41,
            "the other inputs are still logged"
        );
        assert!(records[1]["seclog"].get("truncated").is_none());

        let (out, records, d) = captured(|| takes_failing_end(failing, 1));
        assert_eq!(out, 2);
        assert_eq!(
            d,
            Delta {
                records: 1,
                truncated: 1,
                serialize_errors: 1,
                ..Delta::default()
            },
            "case {i}"
        );
        assert_eq!(records[0]["seclog"]["truncated"], true);
        assert_eq!(records[0]["seclog"]["input"]["n"], 1);

        let (_, records, d) = captured(|| returns_failing(i as u8));
        assert_eq!(
            d,
            Delta {
                records: 2,
                truncated: 1,
                serialize_errors: 1,
                ..Delta::default()
            },
            "case {i}"
        );
        assert_eq!(records[1]["seclog"]["truncated"], true);
        assert_eq!(records[1]["event"]["outcome"], "success");
    }
    let (_, records, _) = captured(|| takes_failing(Failing::AtOnce, 0));
    assert_eq!(
        records[0]["seclog"]["input"]["value"],
        "[unavailable: the value's Serialize implementation failed]"
    );
    let (_, records, _) = captured(|| takes_failing(Failing::InStruct, 0));
    assert_eq!(
        records[0]["seclog"]["input"]["value"]["id"], 7,
        "what was written before the error stays"
    );
}

/// A value whose logging code panics.
struct Explosive;

impl serde::Serialize for Explosive {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        panic!("Serialize exploded")
    }
}

#[derive(Debug)]
struct ExplosiveRedact;

impl Redact for ExplosiveRedact {
    fn redact(&self, out: Out<'_>) {
        let mut o = out.object();
        o.field("before", &1u32);
        panic!("Redact exploded")
    }
}

#[seclog::audit(who = user)]
fn serialize_panics(user: &str, value: Explosive) -> u32 {
    7
}

#[seclog::audit(who = user)]
fn redact_panics(user: &str, value: ExplosiveRedact) -> u32 {
    8
}

#[seclog::audit(who = user, emit = "end")]
fn redact_panics_end(user: &str, value: ExplosiveRedact) -> u32 {
    9
}

#[seclog::audit(who = user)]
fn response_panics(user: &str) -> ExplosiveRedact {
    ExplosiveRedact
}

/// Checks a record whose formatting panicked: written all the same, with
/// the 4 W's, marked.
fn assert_minimal(record: &Value, phase: &str) {
    assert_eq!(record["seclog"]["phase"], phase);
    assert_eq!(record["seclog"]["truncated"], true, "{record}");
    assert_eq!(record["user"]["id"], "eve", "who survives: {record}");
    assert!(record["transaction"]["id"].is_string());
}

#[test]
fn a_panicking_serialize_or_redact_changes_no_result_and_is_counted() {
    let _turn = one_at_a_time();
    let (out, records, d) = quietly(|| captured(|| serialize_panics("eve", Explosive)));
    assert_eq!(out, 7);
    assert_eq!(
        d,
        Delta {
            records: 2,
            truncated: 1,
            format_panics: 1,
            ..Delta::default()
        }
    );
    assert_minimal(&records[0], "start");
    assert_eq!(records[1]["seclog"]["response"], 7);

    let (out, records, d) = quietly(|| captured(|| redact_panics("eve", ExplosiveRedact)));
    assert_eq!(out, 8);
    assert_eq!(
        d,
        Delta {
            records: 2,
            truncated: 1,
            format_panics: 1,
            ..Delta::default()
        }
    );
    assert_minimal(&records[0], "start");

    let (out, records, d) = quietly(|| captured(|| redact_panics_end("eve", ExplosiveRedact)));
    assert_eq!(out, 9);
    assert_eq!(
        d,
        Delta {
            records: 1,
            truncated: 1,
            format_panics: 1,
            ..Delta::default()
        }
    );
    assert_eq!(
        records[0]["seclog"]["input"],
        "[unavailable: the value panicked while being logged]"
    );
    assert_eq!(records[0]["seclog"]["truncated"], true);
    assert_eq!(records[0]["seclog"]["response"], 9);

    let (_, records, d) = quietly(|| captured(|| response_panics("eve")));
    assert_eq!(
        d,
        Delta {
            records: 2,
            truncated: 1,
            format_panics: 1,
            ..Delta::default()
        }
    );
    assert_minimal(&records[1], "end");
    assert_eq!(records[1]["event"]["outcome"], "success");
}

/// An error whose `Display` panics.
#[derive(Debug, PartialEq)]
struct BadError;

impl fmt::Display for BadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("half a mess")?;
        panic!("Display exploded")
    }
}

#[seclog::audit(who = user)]
fn fails_badly(user: &str) -> Result<u32, BadError> {
    Err(BadError)
}

#[test]
fn an_error_whose_display_panics_is_still_recorded_as_a_failure() {
    let _turn = one_at_a_time();
    let (out, records, d) = quietly(|| captured(|| fails_badly("eve")));
    assert_eq!(out, Err(BadError));
    assert_eq!(
        d,
        Delta {
            records: 2,
            truncated: 1,
            format_panics: 1,
            ..Delta::default()
        }
    );
    let end = &records[1];
    assert_minimal(end, "end");
    assert_eq!(end["event"]["outcome"], "failure");
    assert_eq!(end["log.level"], "warn");
    assert_eq!(end["error"]["type"], "faults::BadError");
    assert!(
        end["error"].get("message").is_none(),
        "no half-written message: {end}"
    );
}

/// A `who` whose `Display` panics.
struct BadName;

impl fmt::Display for BadName {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("Display of who exploded")
    }
}

#[seclog::audit(who = BadName, user_agent = "probe/1")]
fn bad_who(n: u32) -> u32 {
    n * 3
}

#[test]
fn a_who_whose_display_panics_changes_no_result() {
    let _turn = one_at_a_time();
    let (out, records, d) = quietly(|| captured(|| bad_who(5)));
    assert_eq!(out, 15);
    assert_eq!(
        d,
        Delta {
            records: 2,
            truncated: 2,
            format_panics: 1,
            ..Delta::default()
        }
    );
    for r in &records {
        assert!(r.get("user").is_none(), "no half-written who: {r}");
        assert_eq!(r["seclog"]["truncated"], true);
    }
    assert_eq!(records[0]["seclog"]["input"]["n"], 5);
    assert_eq!(records[1]["seclog"]["response"], 15);
}

/// A response whose `seclog::Outcome` panics.
#[derive(serde::Serialize, Debug, PartialEq)]
struct Reply(u32);

impl seclog::Outcome for Reply {
    fn outcome(&self) -> seclog::EventOutcome {
        panic!("Outcome exploded")
    }
}

#[seclog::audit]
fn bad_outcome(n: u32) -> Reply {
    Reply(n)
}

#[seclog::audit]
async fn bad_outcome_async(n: u32) -> Reply {
    Reply(n)
}

#[test]
fn a_response_whose_outcome_panics_changes_no_result() {
    let _turn = one_at_a_time();
    let (out, records, d) = quietly(|| captured(|| bad_outcome(4)));
    assert_eq!(out, Reply(4));
    assert_eq!(
        d,
        Delta {
            records: 2,
            format_panics: 1,
            ..Delta::default()
        }
    );
    assert_eq!(
        records[1]["event"]["outcome"], "unknown",
        "seclog could not tell"
    );
    assert_eq!(records[1]["seclog"]["response"], 4);

    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let (run, d) =
        quietly(|| delta(|| rt.block_on(seclog::testing::capture_future(bad_outcome_async(6)))));
    assert_eq!(run.output, Reply(6));
    assert_eq!(
        d,
        Delta {
            records: 2,
            format_panics: 1,
            ..Delta::default()
        }
    );
    assert_eq!(run.records()[1]["event"]["outcome"], "unknown");
}

// ---------------------------------------------------------------------------
// 6 MB, AWS Lambda's largest payload, through every field at once.
// ---------------------------------------------------------------------------

const SIX_MB: usize = 6 * 1024 * 1024;

#[derive(serde::Serialize)]
struct Upload {
    name: String,
    chunks: Vec<String>,
}

#[seclog::audit(who = user, source_ip = ip, user_agent = ua)]
fn upload(
    user: &str,
    ip: &str,
    ua: &str,
    body: &str,
    file: &Upload,
    fail: bool,
) -> Result<usize, String> {
    if fail {
        Err(body.to_string())
    } else {
        Ok(body.len() + file.chunks.len())
    }
}

#[seclog::audit(skip_all)]
fn upload_panics(body: &str) -> usize {
    panic!("{body}")
}

#[test]
fn six_megabytes_in_every_field_give_bounded_marked_records() {
    let _turn = one_at_a_time();
    let big = "\"\n".repeat(SIX_MB / 2); // escapes double it: 12 MB of JSON
    let file = Upload {
        name: "x".repeat(SIX_MB),
        chunks: (0..SIX_MB / 1024).map(|_| "y".repeat(1024)).collect(),
    };
    for max_record in [256 * 1024, 1024 * 1024] {
        let config = seclog::builder()
            .max_record_bytes(max_record)
            .build()
            .unwrap();
        for fail in [false, true] {
            let (run, d) = delta(|| {
                seclog::testing::capture_with(config, || {
                    upload(&big, &big, &big, &big, &file, fail)
                })
            });
            let expected = if fail {
                Err(big.clone())
            } else {
                Ok(SIX_MB + SIX_MB / 1024)
            };
            assert!(run.output == expected, "the result is untouched");
            assert_eq!(
                d,
                Delta {
                    records: 2,
                    truncated: 2,
                    ..Delta::default()
                }
            );
            for line in &run.lines {
                assert!(line.len() < max_record, "{} bytes", line.len());
            }
            let records = parse(&run.lines);
            seclog_tests::assert_ecs(&records);
            for r in &records {
                assert_eq!(r["seclog"]["truncated"], true);
                let who = r["user"]["id"].as_str().unwrap();
                assert!(
                    who.ends_with(" bytes]") && who.contains("…[truncated "),
                    "who is cut and marked"
                );
            }
            let end = &records[1];
            let cut = if fail {
                &end["error"]["message"]
            } else {
                &end["seclog"]["response"]
            };
            if fail {
                assert!(cut.as_str().unwrap().contains("…[truncated "), "{cut}");
            } else {
                assert_eq!(*cut, SIX_MB + SIX_MB / 1024);
            }
        }
        let (run, d) = quietly(|| {
            delta(|| {
                seclog::testing::capture_with(config, || {
                    std::panic::catch_unwind(|| upload_panics(&big)).is_err()
                })
            })
        });
        assert!(run.output);
        assert_eq!(
            d,
            Delta {
                records: 2,
                truncated: 1,
                ..Delta::default()
            }
        );
        let end = &parse(&run.lines)[1];
        assert!(run.lines[1].len() < max_record);
        assert!(end["error"]["message"]
            .as_str()
            .unwrap()
            .contains("…[truncated "));
    }
}
