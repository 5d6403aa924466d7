//! The process-level behaviour a Lambda function relies on: records on
//! stdout as JSON lines with zero set-up, environment variables read at
//! start-up, bad values reported as a record naming the variable, and a
//! closed stdout that never changes the handler's result.

use serde_json::Value;
use std::process::{Command, Stdio};

fn probe() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_fixture-probe"));
    for (k, _) in std::env::vars() {
        if k.starts_with("SECLOG_") || k.starts_with("AWS_") {
            c.env_remove(k);
        }
    }
    c
}

fn json_lines(bytes: &[u8]) -> Vec<Value> {
    let text = std::str::from_utf8(bytes).expect("records are UTF-8");
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn zero_setup_writes_json_lines_to_stdout() {
    let out = probe().arg("3").output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr).trim(), "result=6");
    let records = json_lines(&out.stdout);
    assert_eq!(records.len(), 6);
    for r in &records {
        assert_eq!(r["service"]["name"], "fixture-probe");
        assert_eq!(r["user"]["id"], "probe-user");
        assert_eq!(r["source"]["ip"], "203.0.113.5");
    }
    seclog_tests::assert_ecs(&records);
}

#[test]
fn environment_variables_configure_format_sink_level_and_service() {
    let out = probe()
        .env("SECLOG_SINK", "stderr")
        .env("SECLOG_SERVICE", "payments")
        .output()
        .unwrap();
    assert!(out.stdout.is_empty(), "records went to stderr");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let records: Vec<Value> = stderr
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["service"]["name"], "payments");

    let out = probe().env("SECLOG_LEVEL", "warn").output().unwrap();
    assert!(out.stdout.is_empty(), "info records are below warn");

    let out = probe().env("SECLOG_FORMAT", "pretty").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].contains(" INFO ") && lines[0].contains("user.id=probe-user"),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains("event.outcome=success"), "{}", lines[1]);
}

#[test]
fn lambda_environment_fills_faas_and_cloud() {
    let out = probe()
        .env("AWS_LAMBDA_FUNCTION_NAME", "orders-api")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_REGION", "eu-west-1")
        .output()
        .unwrap();
    let records = json_lines(&out.stdout);
    for r in &records {
        assert_eq!(r["service"]["name"], "orders-api");
        assert_eq!(r["faas"]["name"], "orders-api");
        assert_eq!(r["faas"]["version"], "$LATEST");
        assert_eq!(r["cloud"]["provider"], "aws");
        assert_eq!(r["cloud"]["region"], "eu-west-1");
    }
    seclog_tests::assert_ecs(&records);
}

#[test]
fn a_bad_variable_is_reported_once_naming_variable_and_value() {
    let out = probe()
        .env("SECLOG_LEVEL", "loud")
        .env("SECLOG_MAX_DEPTH", "1000")
        .output()
        .unwrap();
    assert!(out.status.success());
    let records = json_lines(&out.stdout);
    let problems: Vec<&Value> = records
        .iter()
        .filter(|r| r["event"]["kind"] == "pipeline_error")
        .collect();
    assert_eq!(problems.len(), 2, "{records:#?}");
    assert_eq!(problems[0]["log.level"], "error");
    let msg = problems[0]["error"]["message"].as_str().unwrap();
    assert!(msg.contains("SECLOG_LEVEL=\"loud\""), "{msg}");
    assert!(
        msg.contains("trace, debug, info"),
        "says what is accepted: {msg}"
    );
    let msg = problems[1]["error"]["message"].as_str().unwrap();
    assert!(msg.contains("SECLOG_MAX_DEPTH=\"1000\""), "{msg}");
    // The defaults still apply and the handler's records are written.
    assert_eq!(
        records
            .iter()
            .filter(|r| r["event"]["action"] == "handler")
            .count(),
        2
    );
    seclog_tests::assert_ecs(&records);
}

#[test]
fn a_bad_emf_namespace_is_reported_once_before_the_first_metrics() {
    let out = probe()
        .arg("2")
        .env("SECLOG_EMF", "true")
        .env("SECLOG_EMF_NAMESPACE", "AWS/Lambda")
        .output()
        .unwrap();
    assert!(out.status.success());
    let records = json_lines(&out.stdout);
    let problems: Vec<usize> = (0..records.len())
        .filter(|&i| records[i]["event"]["kind"] == "pipeline_error")
        .collect();
    assert_eq!(problems.len(), 1, "reported once: {records:#?}");
    let problem = &records[problems[0]];
    let msg = problem["error"]["message"].as_str().unwrap();
    assert!(msg.contains("SECLOG_EMF_NAMESPACE=\"AWS/Lambda\""), "{msg}");
    let ends: Vec<usize> = (0..records.len())
        .filter(|&i| records[i]["seclog"]["phase"] == "end")
        .collect();
    assert_eq!(ends.len(), 2);
    assert!(
        problems[0] < ends[0],
        "the problem precedes the first metrics"
    );
    for &i in &ends {
        let directive = &records[i]["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], "seclog", "the default is used");
    }
}

#[test]
fn a_closed_stdout_never_changes_the_result() {
    let mut child = probe()
        .arg("50")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the read end at once: every write gets EPIPE.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "no SIGPIPE death, no panic: {:?}",
        out.status
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr).trim(), "result=2450");
}
