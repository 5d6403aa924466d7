//! Record shape and bounds: one line of valid JSON whatever the input,
//! strings, items, depth and record size bounded with markers where cut,
//! the pretty format, and configuration errors that name what was wrong.

use seclog::testing::{capture, capture_with};
use seclog::{ConfigError, Format};
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[seclog::audit(who = user, user_agent = ua)]
fn echo(user: &str, ua: &str, payload: Value) -> Value {
    payload
}

const HOSTILE: &str = "line1\nline2\r\n\u{0}\u{1b}[31m\"},{\"forged\":true}\u{2028}\u{2029}\\";

#[test]
fn hostile_text_stays_inside_its_field_on_one_line() {
    let run = capture(|| echo(HOSTILE, HOSTILE, json!({ "note": HOSTILE, HOSTILE: 1 })));
    assert_eq!(run.lines.len(), 2);
    for line in &run.lines {
        assert!(!line.contains('\n') && !line.contains('\r'));
        assert!(!line.contains('\u{2028}') && !line.contains('\u{2029}'));
    }
    let records = run.records();
    for r in &records {
        assert_eq!(r["user"]["id"], HOSTILE, "round-trips exactly");
        assert_eq!(r["user_agent"]["original"], HOSTILE);
        assert!(r.get("forged").is_none());
    }
    assert_eq!(records[0]["seclog"]["input"]["payload"]["note"], HOSTILE);
    assert_eq!(records[0]["seclog"]["input"]["payload"][HOSTILE], 1);
    seclog_tests::assert_ecs(&records);
}

#[test]
fn pretty_format_is_one_line_per_record_with_controls_escaped() {
    let config = seclog::builder().format(Format::Pretty).build().unwrap();
    let run = capture_with(config, || echo(HOSTILE, "ua", json!({"k": HOSTILE})));
    assert_eq!(run.lines.len(), 2);
    for line in &run.lines {
        assert!(
            !line.contains('\n') && !line.contains('\r') && !line.contains('\u{0}'),
            "{line:?}"
        );
        assert!(!line.contains('\u{2028}'));
        assert!(
            line.contains("user.id=\"line1\\nline2\\r\\n\\u0000\\u001b[31m"),
            "{line}"
        );
    }
    assert!(run.lines[0].contains(" INFO "));
    assert!(run.lines[1].contains("event.outcome=success"));
}

#[test]
fn long_strings_are_cut_on_a_char_boundary_and_marked() {
    let long = "é".repeat(5000); // 10,000 bytes
    let run = capture(|| echo("u", "ua", json!(long)));
    let records = run.records();
    let start = &records[0];
    let cut = start["seclog"]["input"]["payload"].as_str().unwrap();
    assert!(cut.starts_with(&"é".repeat(2048)));
    assert!(
        cut.ends_with("…[truncated 5904 bytes]"),
        "{}",
        &cut[cut.len() - 40..]
    );
    assert_eq!(start["seclog"]["truncated"], true);
    assert!(
        records[1]["seclog"]["truncated"] == true,
        "the response is cut too"
    );
}

#[test]
fn arrays_and_maps_keep_the_first_items_and_count_the_rest() {
    let many: Vec<u32> = (0..1000).collect();
    let map: BTreeMap<String, u32> = (0..300).map(|i| (format!("k{i:03}"), i)).collect();
    let run = capture(|| echo("u", "ua", json!({"list": many, "map": map})));
    let r = &run.records()[0];
    let list = r["seclog"]["input"]["payload"]["list"].as_array().unwrap();
    assert_eq!(list.len(), 257);
    assert_eq!(list[255], 255);
    assert_eq!(list[256], "[truncated: 744 more items]");
    let map = r["seclog"]["input"]["payload"]["map"].as_object().unwrap();
    assert_eq!(map.len(), 257);
    assert_eq!(map["[truncated]"], "44 more entries");
    assert_eq!(r["seclog"]["truncated"], true);
}

#[test]
fn deep_nesting_is_cut_at_the_depth_limit() {
    let mut v = json!("bottom");
    for _ in 0..100 {
        v = json!({ "d": v });
    }
    let run = capture(|| echo("u", "ua", v.clone()));
    let r = &run.records()[0];
    let mut cur = &r["seclog"]["input"]["payload"];
    let mut depth = 0;
    while let Some(next) = cur.get("d") {
        cur = next;
        depth += 1;
    }
    assert_eq!(cur, "[truncated: depth limit]");
    // seclog, input and payload's own nesting count toward the limit of 32.
    assert!((28..32).contains(&depth), "cut at depth {depth}");
    assert_eq!(r["seclog"]["truncated"], true);
}

#[test]
fn records_never_exceed_the_record_limit() {
    let config = seclog::builder()
        .max_record_bytes(16 * 1024)
        .max_string_bytes(1000)
        .build()
        .unwrap();
    let big: Vec<String> = (0..200).map(|i| format!("{i:0>900}")).collect();
    let run = capture_with(config, || echo("u", "ua", json!(big)));
    assert_eq!(
        run.output.as_array().unwrap().len(),
        200,
        "the handler's result is untouched"
    );
    for line in &run.lines {
        assert!(line.len() < 16 * 1024, "{} bytes", line.len());
    }
    let records = run.records();
    let items = records[0]["seclog"]["input"]["payload"].as_array().unwrap();
    assert!(items.len() < 200);
    assert_eq!(items.last().unwrap(), "[truncated: record size limit]");
    assert_eq!(records[0]["seclog"]["truncated"], true);
    assert_eq!(
        records[0]["user"]["id"], "u",
        "the 4 W's come before the payload and survive the cut"
    );
}

#[test]
fn the_end_record_repeats_the_start_records_four_ws_exactly_even_when_cut() {
    // The end record copies the start record's 4 W's as they were written,
    // cut strings and their markers included, and marks itself as cut too.
    let members = ["transaction", "service", "user", "user_agent"];
    for (record, string, len) in [(256 * 1024, 4096, 100), (8 * 1024, 512, 600)] {
        let config = seclog::builder()
            .max_record_bytes(record)
            .max_string_bytes(string)
            .build()
            .unwrap();
        let (ua, user) = ("u".repeat(len), "w".repeat(len));
        let run = capture_with(config, || echo(&user, &ua, json!({"k": 1})));
        let records = run.records();
        assert_eq!(records.len(), 2);
        let (start, end) = (&records[0], &records[1]);
        for m in members {
            assert_eq!(start[m], end[m], "{m} with {len}-byte strings");
        }
        let cut = len > string;
        let written = end["user_agent"]["original"].as_str().unwrap();
        assert_eq!(written.contains("[truncated"), cut, "{written}");
        for r in [start, end] {
            assert_eq!(r["seclog"]["truncated"] == true, cut);
        }
        assert_eq!(end["event"]["outcome"], "success");
        assert_eq!(end["seclog"]["response"], json!({"k": 1}));
        seclog_tests::assert_ecs(&records);
    }
}

#[test]
fn six_megabyte_payload_gives_a_bounded_record() {
    let huge = "x".repeat(6 * 1024 * 1024);
    let run = capture(|| echo("u", "ua", json!({"body": huge})));
    assert_eq!(run.output["body"].as_str().unwrap().len(), 6 * 1024 * 1024);
    for line in &run.lines {
        assert!(line.len() <= 256 * 1024);
    }
    assert_eq!(run.records()[1]["seclog"]["truncated"], true);
}

#[test]
fn builder_rejects_out_of_range_limits_naming_them() {
    let err = seclog::builder()
        .max_record_bytes(2 * 1024 * 1024)
        .build()
        .unwrap_err();
    assert!(matches!(
        err,
        ConfigError::InvalidLimit {
            name: "max_record_bytes",
            ..
        }
    ));
    assert!(err.to_string().contains("CloudWatch"), "{err}");
    let err = seclog::builder().max_depth(0).build().unwrap_err();
    assert_eq!(
        err.to_string(),
        "max_depth = 0 is out of range: expected 2 to 128"
    );
    let err = seclog::builder().hash_key("short").build().unwrap_err();
    assert!(err.to_string().contains("at least 16"), "{err}");
    assert!(!err.to_string().contains("short"), "never echo a key");
}

#[test]
fn environment_errors_name_the_variable_and_the_value() {
    // One test owns these variables, so no other test sees them change.
    let cases = [
        ("SECLOG_LEVEL", "loud", "SECLOG_LEVEL=\"loud\" is not valid: expected one of trace, debug, info, warn, error, critical, off"),
        ("SECLOG_FORMAT", "xml", "SECLOG_FORMAT=\"xml\" is not valid: expected `json` or `pretty`"),
        ("SECLOG_SINK", "kafka", "SECLOG_SINK=\"kafka\" is not valid: expected one of stdout, stderr, tracing"),
        ("SECLOG_MAX_STRING", "big", "SECLOG_MAX_STRING=\"big\" is not valid: expected a whole number of bytes or items"),
        ("SECLOG_EMF", "maybe", "SECLOG_EMF=\"maybe\" is not valid: expected `true` or `false`"),
        ("SECLOG_EMF_NAMESPACE", "AWS/Lambda", "SECLOG_EMF_NAMESPACE=\"AWS/Lambda\" is not valid: expected 1 to 255 of letters, digits and `.-_/#: `, not starting with `AWS/`"),
    ];
    for (var, value, message) in cases {
        std::env::set_var(var, value);
        let err = seclog::builder().from_env().unwrap_err();
        std::env::remove_var(var);
        assert_eq!(err.to_string(), message);
    }
    std::env::set_var("SECLOG_MONITOR_USER_MAX_FAILURES", "many");
    let err = seclog::builder().from_env().unwrap_err().to_string();
    std::env::remove_var("SECLOG_MONITOR_USER_MAX_FAILURES");
    assert!(
        err.starts_with("SECLOG_MONITOR_USER_MAX_FAILURES=\"many\" is not valid"),
        "{err}"
    );
    std::env::set_var("SECLOG_HASH_KEY", "tiny");
    let err = seclog::builder().from_env().unwrap_err().to_string();
    std::env::remove_var("SECLOG_HASH_KEY");
    assert_eq!(
        err,
        "SECLOG_HASH_KEY=\"<4 bytes>\" is not valid: expected at least 16 bytes"
    );
}

#[test]
fn install_twice_is_an_error() {
    // The first install may race with lazy configuration by another test;
    // either way the second call must fail.
    let _ = seclog::builder().install();
    assert_eq!(
        seclog::builder().install(),
        Err(ConfigError::AlreadyInstalled)
    );
}
