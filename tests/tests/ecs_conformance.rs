//! Every kind of record seclog writes conforms to the Elastic Common Schema
//! (`reference/ecs/fields.csv`, ECS 9.5.0-dev): each field outside `seclog.*`
//! exists with a fitting JSON type, and `event.*` hold allowed values; and to
//! Elastic's ECS logging specification (`reference/ecs-logging/spec.json`):
//! `@timestamp`, `log.level` (a top-level dotted key) and `message` open
//! every line, in that order, and `ecs.version` is there. The other test
//! files apply the same checks to the records they capture.

use seclog::context::{Context, Describe};
use seclog::testing::capture;
use seclog_tests::{assert_ecs, assert_ecs_lines, ecs_logging_violations, ecs_violations};
use serde_json::json;

/// A request type that knows every Where and Who field the runtime can
/// write, as the platform integrations do.
struct FullRequest;

impl Describe for FullRequest {
    fn describe(&self, cx: &mut Context) {
        cx.set_user_id(&"u-1");
        cx.set_user_name(&"alice");
        cx.set_user_hash(&"0f1e2d3c4b5a69788796a5b4c3d2e1f0");
        cx.set_source(&"198.51.100.23");
        cx.set_user_agent(&"Mozilla/5.0");
        cx.set_url_path(&"/v1/orders");
        cx.set_http_method(&"POST");
        cx.set_trace_id(&"1-5759e988-bd862e3fe1be46a994272793");
        cx.set_request_id(&"c6af9ac6-7b61-11e6-9a41-93e812345678");
        cx.set_faas_id(&"arn:aws:lambda:eu-west-1:123456789012:function:orders");
        cx.set_faas_name(&"orders");
        cx.set_faas_version(&"7");
        cx.set_trigger_type("http");
        cx.set_coldstart(true);
    }
}

#[derive(serde::Serialize)]
struct Reply {
    status: u16,
}

impl seclog::Outcome for Reply {
    fn outcome(&self) -> seclog::EventOutcome {
        if self.status >= 400 {
            seclog::EventOutcome::Failure
        } else {
            seclog::EventOutcome::Success
        }
    }
    fn status_code(&self) -> Option<u16> {
        Some(self.status)
    }
}

#[seclog::audit(skip(req), budget = "1s", category = "web")]
fn full(req: FullRequest, status: u16) -> Reply {
    let _ = req;
    Reply { status }
}

#[seclog::audit(auth = "login")]
fn login(user: &str) -> Result<(), String> {
    Err(format!("bad password for {user}"))
}

#[seclog::audit]
fn explode() {
    panic!("boom")
}

#[test]
fn records_with_every_field_conform() {
    let run = capture(|| {
        full(FullRequest, 200);
        full(FullRequest, 503);
        let _ = login("mallory");
        let _ = std::panic::catch_unwind(explode);
    });
    let records = run.records();
    assert_eq!(records.len(), 8);
    let end = &records[1];
    assert_eq!(
        end["faas"]["execution"],
        "c6af9ac6-7b61-11e6-9a41-93e812345678"
    );
    assert_eq!(
        end["transaction"]["id"], "c6af9ac6-7b61-11e6-9a41-93e812345678",
        "the request id is the transaction id"
    );
    assert_eq!(end["faas"]["trigger"]["type"], "http");
    assert_eq!(end["faas"]["coldstart"], true);
    assert_eq!(end["http"]["request"]["method"], "POST");
    assert_eq!(end["http"]["response"]["status_code"], 200);
    assert_eq!(end["url"]["path"], "/v1/orders");
    assert_eq!(end["trace"]["id"], "1-5759e988-bd862e3fe1be46a994272793");
    assert_eq!(end["user"]["name"], "alice");
    assert_eq!(records[5]["event"]["category"], json!(["authentication"]));
    assert_ecs(&records);
    assert_ecs_lines(&run.lines);
}

#[test]
fn every_kind_of_record_follows_the_ecs_logging_specification() {
    // Start and end records, a security event, an alert of the detector, a
    // panic, a configuration problem, with and without AWS Lambda's keys.
    let monitor =
        seclog::monitor::Monitor::new(seclog::monitor::Settings::default().user_max_failures(2))
            .unwrap();
    for lambda_json in [false, true] {
        let config = seclog::builder().lambda_json(lambda_json).build().unwrap();
        let run = seclog::testing::capture_with(config, || {
            monitor.scope(|| {
                full(FullRequest, 200);
                for _ in 0..3 {
                    let _ = login("mallory");
                }
                let _ = std::panic::catch_unwind(explode);
                seclog::security_event!(authz_fail, user = "mallory", resource = "/admin");
            })
        });
        let records = assert_ecs_lines(&run.lines);
        let levels: Vec<&str> = records
            .iter()
            .map(|r| r["log.level"].as_str().unwrap())
            .collect();
        for level in ["info", "warn", "error", "critical"] {
            assert!(levels.contains(&level), "{level} in {levels:?}");
        }
        for (line, record) in run.lines.iter().zip(&records) {
            assert!(line.starts_with(r#"{"@timestamp":""#), "{line}");
            assert_eq!(record["ecs"]["version"], seclog::record::ECS_VERSION);
            assert!(record["log"].get("level").is_none(), "never nested: {line}");
            assert_eq!(record.get("level").is_some(), lambda_json, "{line}");
        }
    }
}

#[test]
fn the_specification_check_catches_what_it_forbids() {
    let nested = r#"{"@timestamp":"2026-01-01T00:00:00.000000Z","log":{"level":"info"},"message":"m","ecs":{"version":"9.5.0-dev"}}"#;
    let problems = ecs_logging_violations(nested);
    assert!(
        problems.iter().any(|p| p.contains("never nested")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("member 1 must be `log.level`")),
        "{problems:?}"
    );
    let out_of_order =
        r#"{"message":"m","@timestamp":"2026-01-01T00:00:00.000000Z","log.level":"info"}"#;
    let problems = ecs_logging_violations(out_of_order);
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("member 0 must be `@timestamp`")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("`ecs.version` is required")),
        "{problems:?}"
    );
    let bad_time =
        r#"{"@timestamp":"yesterday","log.level":"info","message":"m","ecs.version":"9.5.0-dev"}"#;
    let problems = ecs_logging_violations(bad_time);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("`@timestamp` is not a \"datetime\""),
        "{problems:?}"
    );
    let good = r#"{"@timestamp":"2026-01-01T00:00:00.000000Z","log.level":"info","message":"m","ecs.version":"9.5.0-dev"}"#;
    assert_eq!(ecs_logging_violations(good), Vec::<String>::new());
}

#[test]
fn the_ecs_version_written_is_the_release_of_the_field_list() {
    let csv = std::fs::read_to_string(seclog_tests::ecs_dir().join("fields.csv")).unwrap();
    let versions: std::collections::BTreeSet<&str> = csv
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        // A quoted example may run over several lines; rows start with the
        // release.
        .filter(|v| v.split('.').count() == 3 && v.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert_eq!(
        versions.into_iter().collect::<Vec<_>>(),
        [seclog::record::ECS_VERSION]
    );
}

#[test]
fn the_check_catches_what_ecs_does_not_allow() {
    let bad = json!({
        "@timestamp": "2026-01-01T00:00:00.000000Z",
        "event": {"kind": "happening", "category": ["api", "vibes"], "outcome": "meh", "duration": "slow"},
        "user": {"nickname": "x"},
        "faas": {"coldstart": "yes"},
        "custom_top_level": 1,
        "seclog": {"anything": "goes"}
    });
    let problems = ecs_violations(&bad);
    for expected in [
        "event.kind = \"happening\"",
        "event.category = \"vibes\"",
        "event.outcome = \"meh\"",
        "event.duration is ECS type long",
        "user.nickname is not an ECS field",
        "faas.coldstart is ECS type boolean",
        "custom_top_level is not an ECS field",
    ] {
        assert!(
            problems.iter().any(|p| p.starts_with(expected)),
            "missing `{expected}` in {problems:#?}"
        );
    }
    assert_eq!(problems.len(), 7, "{problems:#?}");
}

#[test]
fn the_compile_time_category_list_matches_ecs() {
    // `#[audit(category = ...)]` is checked against a list compiled into the
    // macro crate; it must be exactly ECS's allowed values.
    let allowed: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(seclog_tests::ecs_dir().join("allowed_values.json")).unwrap(),
    )
    .unwrap();
    let ecs: Vec<&str> = allowed["allowed_values"]["event.category"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    // The `Category` enum of the macros' model: `Variant = "name",` lines
    // between `enum Category {` and the closing brace.
    let source = include_str!("../../macros/src/model.rs");
    let start = source
        .find("enum Category {")
        .expect("the model declares Category");
    let block = &source[start..];
    let block = &block[..block.find('}').unwrap()];
    let compiled: Vec<&str> = block
        .lines()
        .filter_map(|l| {
            l.trim()
                .split_once("= \"")
                .and_then(|(_, name)| name.strip_suffix("\","))
        })
        .collect();
    assert_eq!(compiled, ecs);
}
