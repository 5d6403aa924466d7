//! Under concurrency every record is whole: many invocations at once write
//! to the real stdout, a pipe this test reads while they run, and every
//! record arrives exactly once, on a line of its own, with its own content.
//!
//! The invocations run in a child process (`fixture-load`) so the default
//! `Stdout` sink is the one under load, as on AWS Lambda.

use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::process::Command;

/// The body invocation `seq` logs, as `fixture-load` builds it.
fn body(seq: u64) -> String {
    format!("{seq:06}|").repeat((seq % 6 * 800 / 7) as usize)
}

/// Runs `fixture-load` with `args`, its stdout a pipe read while it runs;
/// returns its records in the order they arrived.
fn load(args: &[&str]) -> Vec<Value> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fixture-load"));
    for (k, _) in std::env::vars() {
        if k.starts_with("SECLOG_") || k.starts_with("AWS_") {
            command.env_remove(k);
        }
    }
    let out = command.args(args).output().unwrap();
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {report}", out.status);
    let n: usize = args.last().unwrap().parse().unwrap();
    assert!(
        report.contains(&format!("results={n} ok={n}\n")),
        "every result is right: {report}"
    );
    assert!(
        report.contains(&format!("records={} write_errors=0 sink_panics=0\n", 2 * n)),
        "every record was written: {report}"
    );

    let text = std::str::from_utf8(&out.stdout).expect("records are UTF-8");
    assert!(text.ends_with('\n'), "the last record ends its line");
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("line {i} is not one whole record ({e}): {line}"))
        })
        .collect()
}

/// Each of `n` invocations has exactly one start and one end record, whole
/// and carrying its own content; no record is lost or repeated.
fn assert_whole(records: &[Value], n: u64) {
    assert_eq!(
        records.len() as u64,
        2 * n,
        "exactly two records per invocation"
    );
    let mut by_transaction: HashMap<&str, (Vec<&Value>, Vec<&Value>)> = HashMap::new();
    let mut event_ids = HashSet::new();
    for r in records {
        assert!(
            event_ids.insert(r["event"]["id"].as_str().unwrap()),
            "event.id is unique: {r}"
        );
        let tx = r["transaction"]["id"].as_str().expect("transaction.id");
        let entry = by_transaction.entry(tx).or_default();
        match r["seclog"]["phase"].as_str() {
            Some("start") => entry.0.push(r),
            Some("end") => entry.1.push(r),
            other => panic!("phase {other:?} in {r}"),
        }
    }
    assert_eq!(
        by_transaction.len() as u64,
        n,
        "one transaction per invocation"
    );
    let mut seen = HashSet::new();
    for (tx, (starts, ends)) in &by_transaction {
        assert_eq!(
            (starts.len(), ends.len()),
            (1, 1),
            "transaction {tx}: one start and one end"
        );
        let (start, end) = (starts[0], ends[0]);
        let seq = start["seclog"]["input"]["seq"]
            .as_u64()
            .expect("the start record carries its input");
        assert!(seq < n && seen.insert(seq), "invocation {seq} appears once");
        assert_eq!(
            start["seclog"]["input"]["body"],
            body(seq),
            "invocation {seq}'s own body, whole"
        );
        let user = format!("user-{}", seq % 97);
        assert_eq!(start["user"]["id"], user);
        assert_eq!(end["user"]["id"], user);
        assert_eq!(end["event"]["outcome"], "success");
        assert_eq!(
            end["seclog"]["response"],
            seq * 2,
            "invocation {seq}'s own response"
        );
        assert!(start
            .get("seclog")
            .and_then(|s| s.get("truncated"))
            .is_none());
    }
    seclog_tests::assert_ecs(&records[..200]);
}

#[test]
fn ten_thousand_concurrent_async_invocations_write_twenty_thousand_whole_records() {
    let records = load(&["async", "10000"]);
    assert_whole(&records, 10_000);
    // Each invocation waits inside the handler until all have started: the
    // 10,000 start records all came before any end record, so all 10,000
    // invocations were in flight at once.
    assert!(records[..10_000]
        .iter()
        .all(|r| r["seclog"]["phase"] == "start"));
    assert!(records[10_000..]
        .iter()
        .all(|r| r["seclog"]["phase"] == "end"));
}

#[test]
fn sixteen_threads_calling_a_sync_handler_write_whole_records() {
    let records = load(&["sync", "16", "10000"]);
    assert_whole(&records, 10_000);
    // Invocations run in rounds of 16, one per thread, each waiting inside
    // the handler for the round's others: a round's 16 start records all
    // came before any of its end records, so 16 invocations were in flight
    // at once, 625 times over.
    let seq_of: HashMap<&str, u64> = records
        .iter()
        .filter(|r| r["seclog"]["phase"] == "start")
        .map(|r| {
            (
                r["transaction"]["id"].as_str().unwrap(),
                r["seclog"]["input"]["seq"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut rounds: HashMap<u64, (usize, usize)> = HashMap::new();
    for (at, r) in records.iter().enumerate() {
        let seq = seq_of[r["transaction"]["id"].as_str().unwrap()];
        let (last_start, first_end) = rounds.entry(seq / 16).or_insert((0, usize::MAX));
        if r["seclog"]["phase"] == "start" {
            *last_start = (*last_start).max(at);
        } else {
            *first_end = (*first_end).min(at);
        }
    }
    assert_eq!(rounds.len(), 625);
    for (round, (last_start, first_end)) in rounds {
        assert!(
            last_start < first_end,
            "round {round}: a start record came after an end record"
        );
    }
}
