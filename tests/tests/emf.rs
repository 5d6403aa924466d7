//! CloudWatch Embedded Metric Format: end records carry the `_aws`
//! metadata and the metric and dimension members CloudWatch needs, within
//! the specification's limits, in the same line as the record.

use seclog::integrations::emf;
use seclog::testing::capture_with;
use serde_json::Value;
use std::time::{SystemTime, UNIX_EPOCH};

fn emf_config() -> seclog::Config {
    seclog::builder()
        .emf(true)
        .service("checkout")
        .build()
        .unwrap()
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// The units CloudWatch accepts.
const UNITS: &[&str] = &[
    "Seconds",
    "Microseconds",
    "Milliseconds",
    "Bytes",
    "Kilobytes",
    "Megabytes",
    "Gigabytes",
    "Terabytes",
    "Bits",
    "Kilobits",
    "Megabits",
    "Gigabits",
    "Terabits",
    "Percent",
    "Count",
    "Bytes/Second",
    "Kilobytes/Second",
    "Megabytes/Second",
    "Gigabytes/Second",
    "Terabytes/Second",
    "Bits/Second",
    "Kilobits/Second",
    "Megabits/Second",
    "Gigabits/Second",
    "Terabits/Second",
    "Count/Second",
    "None",
];

/// Checks a record against the EMF specification and returns its metrics
/// by name.
fn check_emf(record: &Value, from_ms: u64, to_ms: u64) -> Vec<(String, f64)> {
    let aws = record
        .get("_aws")
        .unwrap_or_else(|| panic!("no root `_aws`: {record}"));
    let ts = aws["Timestamp"]
        .as_u64()
        .unwrap_or_else(|| panic!("Timestamp is an integer: {aws}"));
    assert!(
        (from_ms..=to_ms).contains(&ts),
        "Timestamp {ts} is the record's time in milliseconds"
    );
    let directives = aws["CloudWatchMetrics"]
        .as_array()
        .expect("CloudWatchMetrics is an array");
    assert!(!directives.is_empty());
    let mut metrics = Vec::new();
    for d in directives {
        let ns = d["Namespace"].as_str().expect("Namespace is a string");
        assert!((1..=255).contains(&ns.len()));
        for set in d["Dimensions"].as_array().expect("Dimensions is an array") {
            let set = set.as_array().expect("a dimension set is an array");
            assert!(set.len() <= 30, "at most 30 dimensions per set");
            for name in set {
                let name = name.as_str().expect("dimension names are strings");
                let value = record[name]
                    .as_str()
                    .unwrap_or_else(|| panic!("dimension {name} is a root string member"));
                assert!(!value.is_empty() && value.len() <= 1024);
            }
        }
        let list = d["Metrics"].as_array().expect("Metrics is an array");
        assert!(list.len() <= 100, "at most 100 metrics per directive");
        for m in list {
            let name = m["Name"].as_str().expect("a metric has a Name");
            assert!(UNITS.contains(&m["Unit"].as_str().unwrap()), "{m}");
            let value = record[name]
                .as_f64()
                .unwrap_or_else(|| panic!("metric {name} is a root number: {record}"));
            metrics.push((name.to_string(), value));
        }
    }
    metrics
}

fn metric(metrics: &[(String, f64)], name: &str) -> Option<f64> {
    metrics.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
}

#[seclog::audit(budget = "5s")]
fn pay(amount: u64) -> Result<u64, String> {
    if amount > 100 {
        return Err("over the limit".into());
    }
    Ok(amount)
}

#[seclog::audit(auth = "login")]
fn login(user: &str) -> Result<(), String> {
    if user == "alice" {
        Ok(())
    } else {
        Err("bad credentials".into())
    }
}

#[test]
fn end_records_carry_emf_metadata_and_members() {
    let from = now_ms();
    let run = capture_with(emf_config(), || pay(7));
    let to = now_ms();
    let records = run.records();
    seclog_tests::assert_ecs(&records);
    assert_eq!(records.len(), 2, "no extra line for metrics");
    let (start, end) = (&records[0], &records[1]);
    assert!(
        start.get("_aws").is_none(),
        "start records carry no metrics"
    );
    assert!(start
        .as_object()
        .unwrap()
        .keys()
        .all(|k| !k.starts_with("seclog.metrics.")));

    let metrics = check_emf(end, from, to);
    let directive = &end["_aws"]["CloudWatchMetrics"][0];
    assert_eq!(directive["Namespace"], emf::DEFAULT_NAMESPACE);
    assert_eq!(
        directive["Dimensions"],
        serde_json::json!([[emf::SERVICE, emf::ACTION]])
    );
    assert_eq!(end[emf::SERVICE], "checkout");
    assert_eq!(end[emf::ACTION], "pay");
    let duration_ms = metric(&metrics, emf::DURATION_MS).unwrap();
    let duration_ns = end["event"]["duration"].as_f64().unwrap();
    assert!(
        (duration_ms - duration_ns / 1e6).abs() < 1e-9,
        "{duration_ms} ms is event.duration"
    );
    assert_eq!(metric(&metrics, emf::FAILURE), Some(0.0));
    assert_eq!(metric(&metrics, emf::BUDGET_EXCEEDED), Some(0.0));
    assert_eq!(
        metric(&metrics, emf::AUTH_FAILURE),
        None,
        "not an authentication handler"
    );
    assert_eq!(
        metric(&metrics, emf::COLDSTART),
        None,
        "not a Lambda invocation"
    );
    assert_eq!(
        metric(&metrics, emf::MEMORY_PEAK_BYTES),
        None,
        "not a Lambda invocation"
    );
    assert!(
        end["seclog.metrics.failure"].is_u64(),
        "counts are integers"
    );
}

#[test]
fn failures_and_authentication_failures_are_counted() {
    let run = capture_with(emf_config(), || pay(1_000));
    let records = run.records();
    seclog_tests::assert_ecs(&records);
    let metrics = check_emf(&records[1], 0, u64::MAX);
    assert_eq!(metric(&metrics, emf::FAILURE), Some(1.0));

    for (user, failed) in [("alice", 0.0), ("mallory", 1.0)] {
        let run = capture_with(emf_config(), || login(user));
        let records = run.records();
        seclog_tests::assert_ecs(&records);
        let metrics = check_emf(&records[1], 0, u64::MAX);
        assert_eq!(metric(&metrics, emf::AUTH_FAILURE), Some(failed), "{user}");
        assert_eq!(metric(&metrics, emf::FAILURE), Some(failed), "{user}");
        assert_eq!(metric(&metrics, emf::BUDGET_EXCEEDED), None, "no budget");
    }
}

#[seclog::audit(budget = "1ms")]
fn slow() {
    // Past the budget by construction, whatever the machine.
    std::thread::sleep(std::time::Duration::from_millis(20));
}

#[test]
fn budget_overruns_are_counted() {
    let run = capture_with(emf_config(), slow);
    let records = run.records();
    seclog_tests::assert_ecs(&records);
    assert_eq!(records[1]["seclog"]["budget"]["exceeded"], true);
    let metrics = check_emf(&records[1], 0, u64::MAX);
    assert_eq!(metric(&metrics, emf::BUDGET_EXCEEDED), Some(1.0));
    assert!(metric(&metrics, emf::DURATION_MS).unwrap() >= 20.0);
}

#[seclog::audit(emit = "end")]
fn once(n: u32) -> u32 {
    n
}

#[test]
fn a_single_record_invocation_carries_its_metrics() {
    let run = capture_with(emf_config(), || once(3));
    let records = run.records();
    assert_eq!(records.len(), 1);
    seclog_tests::assert_ecs(&records);
    assert_eq!(records[0]["seclog"]["input"]["n"], 3);
    check_emf(&records[0], 0, u64::MAX);
}

#[test]
fn without_emf_records_have_no_metrics() {
    let config = seclog::builder().emf(false).build().unwrap();
    let run = capture_with(config, || pay(7));
    for r in run.records() {
        assert!(r.get("_aws").is_none());
        assert!(
            r.as_object()
                .unwrap()
                .keys()
                .all(|k| !k.starts_with("seclog.metrics.")),
            "{r}"
        );
    }
    // EMF is a JSON format: a pretty line carries none of it.
    let config = seclog::builder()
        .emf(true)
        .format(seclog::Format::Pretty)
        .build()
        .unwrap();
    let run = capture_with(config, || pay(7));
    assert_eq!(run.lines.len(), 2);
    assert!(run
        .lines
        .iter()
        .all(|l| !l.contains("_aws") && !l.contains("seclog.metrics.")));
}

#[seclog::audit]
fn big() -> Vec<String> {
    vec!["x".repeat(500); 100]
}

#[test]
fn metrics_survive_a_record_cut_at_the_size_limit() {
    let config = seclog::builder()
        .emf(true)
        .max_record_bytes(8 * 1024)
        .max_string_bytes(512)
        .build()
        .unwrap();
    let run = capture_with(config, big);
    let records = run.records();
    seclog_tests::assert_ecs(&records);
    let end = &records[1];
    // The response is cut where the record reached its limit, the metrics
    // are whole, and the line, newline included, stays within the limit.
    assert!(
        run.lines[1].contains("[truncated: record size limit]"),
        "{}",
        run.lines[1]
    );
    assert_eq!(end["seclog"]["truncated"], true);
    assert!(
        run.lines[1].len() < 8 * 1024,
        "{} bytes",
        run.lines[1].len()
    );
    check_emf(end, 0, u64::MAX);
}
