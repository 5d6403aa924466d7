//! The `seclog-detector` function sees the whole fleet: a brute force and a
//! credential stuffing attack are spread over several execution
//! environments of a login function (real processes, each with its own
//! detector and log stream), so that none of them reaches a limit alone.
//! Their records are filtered by the template's subscription pattern and
//! packed into real subscription payloads (gzip, base64, several streams,
//! several payloads), which the detector function, run under the Lambda
//! Runtime API emulator, receives one invocation at a time: it raises the
//! alerts no single process raised, once each.

use base64::Engine as _;
use seclog_cli::cloudwatch::{DETECTOR_SUBSCRIPTION, METRIC_FILTERS};
use seclog_tests::cloudwatch::Pattern;
use seclog_tests::lambda_api::{Function, Invocation, Posted, RuntimeApi};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::Write;

const STREAMS: usize = 4;
const TARGET: &str = "bob";
const STUFFER: &str = "203.0.113.66";

fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The attack's share that execution environment `p` receives: two
/// guesses at bob's password from its own address, three accounts tried
/// from the stuffer's address, and alice logging in.
fn share(p: usize) -> Vec<Value> {
    let mut events = vec![
        json!({"username": TARGET, "password": "guess1", "ip": format!("198.51.100.{}", 10 + p)}),
        json!({"username": TARGET, "password": "guess2", "ip": format!("198.51.100.{}", 10 + p)}),
    ];
    for i in 0..3 {
        events.push(
            json!({"username": format!("user{}", 3 * p + i), "password": "123456", "ip": STUFFER}),
        );
    }
    events.push(
        json!({"username": "alice", "password": "correct horse battery staple", "ip": "192.0.2.7"}),
    );
    events
}

/// One execution environment's stdout: its records, one per line.
fn run_environment(p: usize) -> String {
    let events = share(p);
    let invocations = events
        .iter()
        .enumerate()
        .map(|(i, e)| Invocation::new(&format!("req-{p}-{i}"), e.clone()))
        .collect();
    let api = RuntimeApi::serve(invocations);
    let stream = format!("2026/12/01/[$LATEST]{p:032x}");
    let mut function = Function::start(
        env!("CARGO_BIN_EXE_fixture-login-function"),
        &api,
        &[("AWS_LAMBDA_LOG_STREAM_NAME", &stream)],
    );
    for _ in &events {
        api.next_posted(&mut function);
    }
    let (stdout, _) = function.finish();
    stdout
}

/// A subscription payload of `lines` from one stream, as CloudWatch Logs
/// hands it to a function.
fn payload(stream: usize, lines: &[&str]) -> Value {
    let events: Vec<Value> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let record: Value = serde_json::from_str(l).unwrap();
            let at = record["@timestamp"].as_str().unwrap();
            json!({"id": format!("{stream}{i:08}"), "timestamp": millis(at), "message": l})
        })
        .collect();
    let document = json!({
        "messageType": "DATA_MESSAGE",
        "owner": "123456789012",
        "logGroup": "/aws/lambda/login",
        "logStream": format!("2026/12/01/[$LATEST]{stream:032x}"),
        "subscriptionFilters": ["seclog-detector"],
        "logEvents": events,
    });
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(document.to_string().as_bytes()).unwrap();
    let data = base64::engine::general_purpose::STANDARD.encode(gz.finish().unwrap());
    json!({"awslogs": {"data": data}})
}

fn millis(rfc3339: &str) -> u64 {
    let t = humantime_parse(rfc3339);
    t.duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64
}

fn humantime_parse(s: &str) -> std::time::SystemTime {
    let micros = seclog_cli::record::parse_time(s).expect("an RFC 3339 timestamp");
    std::time::UNIX_EPOCH + std::time::Duration::from_micros(micros as u64)
}

fn alerts_of(records: &[Value]) -> Vec<&Value> {
    records
        .iter()
        .filter(|r| {
            r["event"]["kind"] == "alert"
                || r["seclog"]["owasp"]
                    .as_str()
                    .is_some_and(|o| o.starts_with("authn_login_fail_max"))
        })
        .collect()
}

#[test]
fn the_detector_function_raises_the_alerts_no_single_environment_raised() {
    // The fleet, under attack.
    let outputs: Vec<String> = (0..STREAMS).map(run_environment).collect();
    let subscription = Pattern::parse(DETECTOR_SUBSCRIPTION).unwrap();
    let mut streamed: Vec<Vec<&str>> = Vec::new();
    for (p, out) in outputs.iter().enumerate() {
        let records = json_lines(out);
        assert_eq!(
            records.len(),
            2 * share(p).len(),
            "a start and an end record per invocation"
        );
        seclog_tests::assert_ecs(&records);
        assert!(
            alerts_of(&records).is_empty(),
            "environment {p} alone reached no limit: {:#?}",
            alerts_of(&records)
        );
        // What the subscription filter lets through: the login outcomes.
        let lines: Vec<&str> = out
            .lines()
            .filter(|l| subscription.matches(&serde_json::from_str(l).unwrap()))
            .collect();
        assert_eq!(lines.len(), share(p).len(), "one end record per login");
        streamed.push(lines);
    }

    // Two payloads per stream, the streams interleaved, as CloudWatch
    // Logs delivers them: the detector keeps its counts across
    // invocations.
    let mut invocations = Vec::new();
    for half in 0..2 {
        for (p, lines) in streamed.iter().enumerate() {
            let part = &lines[half * 3..(half * 3 + 3).min(lines.len())];
            invocations.push(Invocation::new(
                &format!("detect-{half}-{p}"),
                payload(p, part),
            ));
        }
    }
    let count = invocations.len();
    let api = RuntimeApi::serve(invocations);
    let mut detector = Function::start(
        env!("CARGO_BIN_EXE_fixture-detector"),
        &api,
        &[
            ("AWS_LAMBDA_FUNCTION_NAME", "seclog-detector"),
            ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/seclog-detector"),
        ],
    );
    let mut summaries = Vec::new();
    for _ in 0..count {
        match api.next_posted(&mut detector) {
            Posted::Response { body, .. } => summaries.push(body),
            other => panic!("the detector failed: {other:?}"),
        }
    }
    let (stdout, stderr) = detector.finish();
    drop(api);

    let counted: u64 = summaries
        .iter()
        .map(|s| s["counted"].as_u64().unwrap())
        .sum();
    let events: u64 = summaries
        .iter()
        .map(|s| s["events"].as_u64().unwrap())
        .sum();
    assert_eq!((events, counted), (24, 24), "{summaries:#?}");
    assert_eq!(
        summaries
            .iter()
            .map(|s| s["alerts"].as_u64().unwrap())
            .sum::<u64>(),
        2,
        "{summaries:#?}\n{stdout}"
    );

    let records = json_lines(&stdout);
    let alerts = alerts_of(&records);
    assert_eq!(alerts.len(), 2, "{stdout}\n{stderr}");
    let owned: Vec<Value> = alerts.iter().map(|a| (*a).clone()).collect();
    seclog_tests::assert_ecs(&owned);
    // ECS logging's order: `@timestamp`, `log.level`, `message` first.
    for line in stdout.lines().filter(|l| l.contains(r#""kind":"alert""#)) {
        let at = |key: &str| line.find(key).unwrap_or(usize::MAX);
        assert!(line.starts_with(r#"{"@timestamp":"#), "{line}");
        assert!(at(r#","log.level":"#) < at(r#","message":"#), "{line}");
        assert!(at(r#","message":"#) < at(r#","ecs.version":"#), "{line}");
    }
    let brute = alerts
        .iter()
        .find(|a| a["event"]["action"] == "brute_force")
        .expect("brute force");
    assert_eq!(brute["user"]["name"], TARGET);
    assert_eq!(brute["seclog"]["owasp"], "authn_login_fail_max:bob,5");
    assert_eq!(brute["log.level"], "warn");
    let sources: BTreeSet<&str> = brute["seclog"]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        sources.len() >= 3,
        "the guesses came from several environments' addresses: {sources:?}"
    );
    assert_eq!(brute["seclog"]["count"], 5);

    let stuffing = alerts
        .iter()
        .find(|a| a["event"]["action"] == "credential_stuffing")
        .expect("credential stuffing");
    assert_eq!(stuffing["source"]["ip"], STUFFER);
    assert_eq!(stuffing["log.level"], "critical");
    assert_eq!(stuffing["seclog"]["distinct_users"], 10);
    assert_eq!(stuffing["seclog"]["users"].as_array().unwrap().len(), 10);

    // The template's alarm counts them.
    let metric = METRIC_FILTERS
        .iter()
        .find(|f| f.metric == "SecurityAlerts")
        .unwrap();
    let pattern = Pattern::parse(metric.pattern).unwrap();
    for a in &alerts {
        assert!(pattern.matches(a), "SecurityAlerts misses {a}");
    }
    // The detector's own invocations are audited: one start and one end
    // record per payload, with the counts as the response.
    let ends: Vec<&Value> = records
        .iter()
        .filter(|r| r["event"]["action"] == "detect" && r["seclog"]["phase"] == "end")
        .collect();
    assert_eq!(ends.len(), count);
    assert!(ends.iter().all(|e| e["event"]["outcome"] == "success"));
}

#[test]
fn a_payload_that_is_not_cloudwatch_fails_the_invocation_and_not_the_function() {
    let api = RuntimeApi::serve(vec![
        Invocation::new("bad-1", json!({"awslogs": {"data": "%%% not base64"}})),
        Invocation::new("good-2", payload(0, &[])),
    ]);
    let mut detector = Function::start(env!("CARGO_BIN_EXE_fixture-detector"), &api, &[]);
    match api.next_posted(&mut detector) {
        Posted::Error { request_id, body } => {
            assert_eq!(request_id, "bad-1");
            let message = body["errorMessage"].as_str().unwrap();
            assert!(
                message.starts_with("not a CloudWatch Logs subscription payload"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    match api.next_posted(&mut detector) {
        Posted::Response { request_id, body } => {
            assert_eq!(request_id, "good-2");
            assert_eq!(
                body,
                json!({"events": 0, "counted": 0, "skipped": 0, "alerts": 0})
            );
        }
        other => panic!("{other:?}"),
    }
    let (stdout, _) = detector.finish();
    let records = json_lines(&stdout);
    let failed: Vec<&Value> = records
        .iter()
        .filter(|r| r["event"]["outcome"] == "failure")
        .collect();
    assert_eq!(failed.len(), 1, "the bad payload's end record: {stdout}");
}

#[derive(seclog::Redact, seclog::AuthEvent)]
#[auth(login)]
struct Login {
    #[auth(user)]
    username: String,
    #[redact]
    password: String,
    #[auth(source_ip)]
    ip: String,
}

#[seclog::audit(name = "login")]
fn login(req: Login) -> Result<(), &'static str> {
    if req.password == "right" {
        Ok(())
    } else {
        Err("invalid username or password")
    }
}

/// The login outcomes (end records) of `attempts`, each in its own
/// process-like detector scope, as JSON lines.
fn login_lines(attempts: &[(&str, &str, &str)]) -> Vec<String> {
    let mut lines = Vec::new();
    for (user, password, ip) in attempts {
        // A detector of its own for each attempt: no process sees two.
        let monitor = seclog::monitor::Monitor::new(Default::default()).unwrap();
        let run = seclog::testing::capture(|| {
            monitor.scope(|| {
                let _ = login(Login {
                    username: user.to_string(),
                    password: password.to_string(),
                    ip: ip.to_string(),
                });
            })
        });
        lines.extend(
            run.records()
                .iter()
                .filter(|r| r["seclog"]["phase"] == "end")
                .map(Value::to_string),
        );
    }
    lines
}

/// The batch's counts, and its alerts parsed.
fn process(
    detector: &mut seclog_detector::FleetDetector,
    lines: &[String],
) -> (seclog_detector::Batch, Vec<Value>) {
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let event = payload(0, &refs);
    let batch = detector
        .process(event.to_string().as_bytes())
        .expect("a subscription event");
    let alerts = batch
        .alerts
        .iter()
        .map(|a| serde_json::from_str(a).expect("an alert is one JSON object"))
        .collect();
    (batch, alerts)
}

#[test]
fn a_login_of_a_user_under_brute_force_is_a_likely_compromised_account() {
    let mut detector = seclog_detector::FleetDetector::new(Default::default()).unwrap();
    let guesses: Vec<(&str, &str, &str)> = (0..5)
        .map(|_| ("carol", "guess", "198.51.100.40"))
        .collect();
    let (_, first) = process(&mut detector, &login_lines(&guesses));
    assert_eq!(first.len(), 1, "{first:#?}");
    assert_eq!(first[0]["event"]["action"], "brute_force");
    // The next invocation: the guess that worked.
    let (_, second) = process(
        &mut detector,
        &login_lines(&[("carol", "right", "198.51.100.40")]),
    );
    assert_eq!(second.len(), 1, "{second:#?}");
    let alert = &second[0];
    assert_eq!(alert["event"]["action"], "login_after_attack");
    assert_eq!(alert["user"]["name"], "carol");
    assert_eq!(
        alert["seclog"]["owasp"],
        "authn_login_successafterfail:carol,5"
    );
    assert!(
        alert["event"]["reason"]
            .as_str()
            .unwrap()
            .contains("user under brute force"),
        "{alert}"
    );
}

#[test]
fn records_are_counted_in_time_order_within_a_payload() {
    // Five failures, then the guess that worked, handed over newest first
    // (streams interleave): counted on their own timestamps, the login
    // comes after the brute force it ends.
    let mut attempts: Vec<(&str, &str, &str)> =
        (0..5).map(|_| ("dave", "guess", "198.51.100.41")).collect();
    attempts.push(("dave", "right", "198.51.100.41"));
    let mut lines = login_lines(&attempts);
    lines.reverse();
    let mut detector = seclog_detector::FleetDetector::new(Default::default()).unwrap();
    let (batch, alerts) = process(&mut detector, &lines);
    assert_eq!((batch.events, batch.counted, batch.skipped), (6, 6, 0));
    let actions: Vec<&str> = alerts
        .iter()
        .map(|a| a["event"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["brute_force", "login_after_attack"]);
    assert_eq!(alerts[0]["seclog"]["transactions_total"], 5);
}

#[test]
fn a_payload_of_other_lines_counts_nothing() {
    let mut detector = seclog_detector::FleetDetector::new(Default::default()).unwrap();
    let other = [
        r#"START RequestId: 1 Version: $LATEST"#,
        r#"{"not":"a seclog record"}"#,
        "thread 'main' panicked at src/main.rs:1:1",
    ];
    let events: Vec<Value> = other
        .iter()
        .map(|m| json!({"id": "1", "timestamp": 0, "message": m}))
        .collect();
    let doc = json!({"messageType": "DATA_MESSAGE", "logEvents": events});
    let batch = detector.process(doc.to_string().as_bytes()).unwrap();
    assert_eq!((batch.events, batch.counted, batch.skipped), (3, 0, 3));
    assert!(batch.alerts.is_empty());
}
