//! AWS Lambda's advanced logging controls: with the function's log format
//! set to JSON, Lambda reads each line's root `"level"` and `"timestamp"`
//! and drops a line below the function's application log level (a line
//! without a valid pair counts as INFO). seclog follows
//! `AWS_LAMBDA_LOG_LEVEL` when `SECLOG_LEVEL` is unset, and with
//! `AWS_LAMBDA_LOG_FORMAT=JSON` writes the pair Lambda reads, so Lambda
//! never drops a record seclog wrote.

use serde_json::Value;
use std::process::Command;

/// Runs the fixture with `env` (and nothing of the test's own `SECLOG_*` or
/// `AWS_LAMBDA_*` variables); returns its records, each checked against ECS
/// and the ECS logging specification.
fn run(env: &[(&str, &str)]) -> Vec<Value> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fixture-levels"));
    for (key, _) in std::env::vars() {
        if key.starts_with("SECLOG_") || key.starts_with("AWS_") {
            command.env_remove(key);
        }
    }
    let out = command.envs(env.iter().copied()).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.contains("done"), "{stderr}");
    let text = String::from_utf8(out.stdout).expect("UTF-8 records");
    let lines: Vec<&str> = text.lines().collect();
    seclog_tests::assert_ecs_lines(&lines)
}

/// Lambda's levels, in order.
const LAMBDA_LEVELS: [&str; 6] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];

fn rank(level: &str) -> usize {
    LAMBDA_LEVELS.iter().position(|l| *l == level).unwrap()
}

/// Lambda's documented rule for JSON logs under an application log level:
/// a line whose root `level` is one of Lambda's levels, with a valid
/// `timestamp`, has that level; any other line counts as INFO. Lines below
/// the configured level are dropped.
fn lambda_keeps(record: &Value, configured: &str) -> bool {
    let level = record["level"]
        .as_str()
        .filter(|l| LAMBDA_LEVELS.contains(l));
    let timestamp_ok = record["timestamp"]
        .as_str()
        .is_some_and(|t| t.len() >= 20 && t.as_bytes()[10] == b'T' && t.ends_with('Z'));
    let level = match (level, timestamp_ok) {
        (Some(level), true) => level,
        _ => "INFO",
    };
    rank(level) >= rank(configured)
}

fn levels(records: &[Value]) -> Vec<&str> {
    records
        .iter()
        .map(|r| r["log.level"].as_str().unwrap())
        .collect()
}

#[test]
fn lambda_json_at_warn_writes_nothing_below_warn_and_lambda_keeps_every_record() {
    let records = run(&[
        ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
        ("AWS_LAMBDA_LOG_LEVEL", "WARN"),
    ]);
    let written = levels(&records);
    assert!(
        written.contains(&"warn") && written.contains(&"error") && written.contains(&"critical"),
        "failures, panics and critical events are written: {written:?}"
    );
    assert!(
        written
            .iter()
            .all(|l| matches!(*l, "warn" | "error" | "critical")),
        "nothing below warn: {written:?}"
    );
    for record in &records {
        assert!(lambda_keeps(record, "WARN"), "Lambda would drop {record}");
        assert_eq!(record["timestamp"], record["@timestamp"]);
        let expected = match record["log.level"].as_str().unwrap() {
            "warn" => "WARN",
            "error" => "ERROR",
            "critical" => "FATAL",
            other => panic!("unexpected level {other}"),
        };
        assert_eq!(record["level"], expected);
    }
}

#[test]
fn without_lambda_json_the_records_would_be_dropped_which_is_why_the_pair_is_written() {
    // The same configuration without the JSON format: no pair, and Lambda's
    // rule (if the format were JSON) would count every line as INFO.
    let records = run(&[("AWS_LAMBDA_LOG_LEVEL", "WARN")]);
    assert!(!records.is_empty());
    for record in &records {
        assert!(record.get("level").is_none() && record.get("timestamp").is_none());
        assert!(!lambda_keeps(record, "WARN"));
    }
}

#[test]
fn lambda_log_level_sets_the_level_when_seclog_level_is_unset() {
    let all = levels(&run(&[("AWS_LAMBDA_LOG_LEVEL", "TRACE")])).len();
    let debug = run(&[("AWS_LAMBDA_LOG_LEVEL", "DEBUG")]);
    let info = run(&[("AWS_LAMBDA_LOG_LEVEL", "INFO")]);
    assert!(levels(&debug).contains(&"debug") && !levels(&debug).contains(&"trace"));
    assert!(!levels(&info).contains(&"debug") && levels(&info).contains(&"info"));
    assert!(all > debug.len() && debug.len() > info.len());
    let error = run(&[("AWS_LAMBDA_LOG_LEVEL", "ERROR")]);
    assert!(levels(&error)
        .iter()
        .all(|l| matches!(*l, "error" | "critical")));
    let fatal = run(&[("AWS_LAMBDA_LOG_LEVEL", "FATAL")]);
    assert!(!fatal.is_empty(), "critical events pass FATAL");
    assert!(levels(&fatal).iter().all(|l| *l == "critical"));
}

#[test]
fn seclog_level_wins_over_lambda_log_level() {
    let records = run(&[
        ("AWS_LAMBDA_LOG_LEVEL", "ERROR"),
        ("SECLOG_LEVEL", "debug"),
        ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
    ]);
    assert!(levels(&records).contains(&"debug"));
    let debug = records.iter().find(|r| r["log.level"] == "debug").unwrap();
    assert_eq!(debug["level"], "DEBUG");
}

#[test]
fn a_bad_lambda_log_level_stops_the_function_at_start_up() {
    let out = Command::new(env!("CARGO_BIN_EXE_fixture-levels"))
        .env_remove("SECLOG_LEVEL")
        .env("AWS_LAMBDA_LOG_LEVEL", "LOUD")
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("AWS_LAMBDA_LOG_LEVEL") && stderr.contains("LOUD"),
        "{stderr}"
    );
}
