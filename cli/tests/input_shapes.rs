//! The shapes records come in: seclog's lines, gzip, directories, standard
//! input, the S3 export, `aws logs filter-log-events` output, subscription
//! payloads (plain, gzipped, and as the raw Lambda event); Lambda's own
//! lines and other programs' lines skipped and counted; malformed lines
//! counted, never fatal; clear errors for what cannot be read.

mod common;

use base64::Engine as _;
use common::{gzip, seclog, seclog_stdin, Scratch};
use serde_json::json;

#[derive(serde::Serialize, seclog::AuthEvent)]
#[auth(login)]
struct Login {
    #[auth(user)]
    user: String,
    #[auth(source_ip)]
    ip: String,
}

#[seclog::audit]
fn login(req: Login) -> Result<(), &'static str> {
    let _ = req;
    Err("bad credentials")
}

/// Real records of five failed logins of `alice` from 192.0.2.1: a brute
/// force at the default settings.
fn brute_force_lines() -> Vec<String> {
    let monitor = seclog::monitor::Monitor::new(Default::default()).unwrap();
    monitor
        .scope(|| {
            seclog::testing::capture(|| {
                for _ in 0..5 {
                    let _ = login(Login {
                        user: "alice".into(),
                        ip: "192.0.2.1".into(),
                    });
                }
            })
        })
        .lines
        // The process's own detector flagged alice too: only the handler's
        // records are kept, as another process would have written them.
        .into_iter()
        .filter(|l| !l.contains("authn_login_fail_max"))
        .collect()
}

fn ms(line: &str) -> i64 {
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    let t = v["@timestamp"].as_str().unwrap();
    seclog_cli::record::parse_time(t).unwrap() / 1000
}

/// Runs `detect --format json` on `args` and checks it found the brute
/// force on alice from all ten records.
fn assert_brute_force(args: &[&str]) {
    let mut all = vec!["detect", "--format", "json"];
    all.extend_from_slice(args);
    let run = seclog(&all);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let alerts = run.json_lines();
    assert_eq!(alerts.len(), 1, "{}", run.stdout);
    assert_eq!(alerts[0]["event"]["action"], "brute_force");
    assert_eq!(alerts[0]["user"]["name"], "alice");
    assert_eq!(alerts[0]["seclog"]["count"], 5);
    assert!(run.stderr.contains("10 records"), "{}", run.stderr);
}

/// [`assert_brute_force`] on the file at `p`, whose other lines the
/// closing line counts as `skipped` says.
fn assert_brute_force_skipping(p: &std::path::Path, skipped: &str) {
    assert_brute_force(&[&p.to_string_lossy()]);
    let run = seclog(&["summary", &p.to_string_lossy()]);
    assert!(run.stderr.contains(skipped), "{}", run.stderr);
}

#[test]
fn plain_lines_with_lambda_platform_lines_and_other_output() {
    let dir = Scratch::new("plain");
    let mut text = String::from(
        "INIT_START Runtime Version: provided:al2023.v1\nSTART RequestId: 8f5 Version: $LATEST\n",
    );
    for l in brute_force_lines() {
        text += &l;
        text.push('\n');
    }
    text += "thread 'main' panicked at src/main.rs:1:1\nEND RequestId: 8f5\nREPORT RequestId: 8f5\tDuration: 2.1 ms\n";
    text += "{\"time\":\"2026-01-01T00:00:00Z\",\"type\":\"platform.start\",\"record\":{}}\n";
    let p = dir.write("function.log", text.as_bytes());
    assert_brute_force_skipping(
        &p,
        "5 Lambda platform lines, 1 other line, 0 malformed lines",
    );
}

#[test]
fn gzip_is_told_by_its_bytes_not_its_name() {
    let dir = Scratch::new("gzip");
    let text = brute_force_lines().join("\n") + "\n";
    let a = dir.write("records.gz", &gzip(text.as_bytes()));
    let b = dir.write("records.log", &gzip(text.as_bytes()));
    assert_brute_force(&[&a.to_string_lossy()]);
    assert_brute_force(&[&b.to_string_lossy()]);
}

/// The brute-force records, one a line, each after `prefix`.
fn prefixed(prefix: &str) -> String {
    brute_force_lines()
        .iter()
        .map(|l| format!("{prefix}{l}\n"))
        .collect()
}

#[test]
fn s3_export_lines_gzipped() {
    let dir = Scratch::new("s3");
    let mut text = prefixed("2026-11-27T18:57:10.845Z ");
    text += "2026-11-27T18:57:11.000Z REPORT RequestId: 8f5\tDuration: 2.1 ms\n";
    let p = dir.write("000000.gz", &gzip(text.as_bytes()));
    assert_brute_force(&[&p.to_string_lossy()]);
}

#[test]
fn aws_logs_tail_output_and_lambdas_text_format() {
    let dir = Scratch::new("tail");
    // `aws logs tail GROUP` (its detailed format): time, stream, line.
    let mut tail = prefixed("2026-11-27T18:57:10.845000+00:00 2026/11/27/[$LATEST]0f1e2d3c ");
    tail += "2026-11-27T18:57:11.000000+00:00 2026/11/27/[$LATEST]0f1e2d3c REPORT RequestId: 8f5\tDuration: 2.1 ms\n";
    let p = dir.write("tail.log", tail.as_bytes());
    assert_brute_force_skipping(
        &p,
        "1 Lambda platform line, 0 other lines, 0 malformed lines",
    );
    // Lambda's text format: time, request id, level, line, by tabs.
    let text = prefixed("2026-11-27T18:57:10.845Z\t8f5e2a41-d4c2-4e5b-9a1f-0c3d2e1f4a5b\tINFO\t");
    let p = dir.write("text.log", text.as_bytes());
    assert_brute_force(&[&p.to_string_lossy()]);
}

#[test]
fn filter_log_events_output_as_the_aws_cli_prints_it() {
    let dir = Scratch::new("filter");
    let events: Vec<_> = brute_force_lines()
        .iter()
        .enumerate()
        .map(|(i, l)| {
            json!({
                "logStreamName": "2026/11/27/[$LATEST]abc",
                "timestamp": ms(l),
                "message": format!("{l}\n"),
                "ingestionTime": ms(l) + 50,
                "eventId": format!("{i}")
            })
        })
        .collect();
    let doc = json!({"events": events, "searchedLogStreams": []});
    let p = dir.write(
        "events.json",
        serde_json::to_string_pretty(&doc).unwrap().as_bytes(),
    );
    assert_brute_force(&[&p.to_string_lossy()]);
}

fn subscription(lines: &[String], stream: &str) -> serde_json::Value {
    json!({
        "messageType": "DATA_MESSAGE",
        "owner": "123456789012",
        "logGroup": "/aws/lambda/login",
        "logStream": stream,
        "subscriptionFilters": ["seclog"],
        "logEvents": lines.iter().enumerate().map(|(i, l)| json!({"id": format!("{i}"), "timestamp": ms(l), "message": l})).collect::<Vec<_>>()
    })
}

#[test]
fn subscription_payloads_plain_gzipped_and_as_the_lambda_event() {
    let dir = Scratch::new("subscription");
    let lines = brute_force_lines();
    let (first, second) = lines.split_at(4);
    // Two payloads in one input, as a delivery stream concatenates them.
    let plain = format!("{}{}", subscription(first, "a"), subscription(second, "b"));
    let p = dir.write("payloads.json", plain.as_bytes());
    assert_brute_force(&[&p.to_string_lossy()]);

    let gz = dir.write(
        "payload.gz",
        &gzip(subscription(&lines, "a").to_string().as_bytes()),
    );
    assert_brute_force(&[&gz.to_string_lossy()]);

    let data = base64::engine::general_purpose::STANDARD
        .encode(gzip(subscription(&lines, "a").to_string().as_bytes()));
    let event = json!({"awslogs": {"data": data}}).to_string();
    let run = seclog_stdin(&["detect", "--format", "json"], event.as_bytes());
    assert_eq!(run.json_lines().len(), 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.json_lines()[0]["user"]["name"], "alice");
}

#[test]
fn a_directory_is_every_file_under_it_and_dash_is_standard_input() {
    let dir = Scratch::new("dir");
    let lines = brute_force_lines();
    std::fs::create_dir_all(dir.path("2026/11/27")).unwrap();
    // Records of one process split over several files, as exports do.
    for (i, chunk) in lines.chunks(4).enumerate() {
        let text = chunk.join("\n") + "\n";
        dir.write(&format!("2026/11/27/{i:06}.gz"), &gzip(text.as_bytes()));
    }
    assert_brute_force(&[&dir.0.to_string_lossy()]);
    let text = lines.join("\n");
    let run = seclog_stdin(&["detect", "--format", "json", "-"], text.as_bytes());
    assert_eq!(run.json_lines().len(), 1, "{}", run.stderr);
}

#[test]
fn malformed_lines_are_counted_and_never_fatal() {
    let dir = Scratch::new("malformed");
    let mut text = String::new();
    for (i, l) in brute_force_lines().iter().enumerate() {
        text += l;
        text.push('\n');
        match i {
            0 => text += "{\"@timestamp\":\"2026-01-01T00:00:00Z\",\"seclog\":{\"phase\":\n",
            1 => text += &l[..l.len() / 2],
            2 => text += "{\"@timestamp\":\"not a time\",\"seclog\":{\"phase\":\"end\"}}",
            3 => text += "{\"@timestamp\":\"2026-01-01T00:00:00Z\",\"event\":\"not an object\",\"seclog\":{\"phase\":\"end\"}}",
            4 => text.push_str("\u{0}\u{1}\u{ff}garbage"),
            _ => {}
        }
        text.push('\n');
    }
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(b"{\"bad utf8\":\"\xff\xfe\"}\n");
    let p = dir.write("broken.log", &bytes);
    let run = seclog(&["detect", "--format", "json", &p.to_string_lossy()]);
    assert_eq!(run.code, Some(0));
    assert_eq!(run.json_lines().len(), 1, "the brute force is still found");
    assert!(
        run.stderr.contains("2 other lines, 4 malformed lines"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_truncated_gzip_gives_what_it_could_read_a_warning_and_a_failure_status() {
    let dir = Scratch::new("truncated");
    let text = brute_force_lines().join("\n") + "\n";
    let gz = gzip(text.repeat(50).as_bytes());
    let p = dir.write("cut.gz", &gz[..gz.len() - 20]);
    let run = seclog(&["detect", "--format", "json", &p.to_string_lossy()]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("warning: stopped reading"),
        "{}",
        run.stderr
    );
    assert_eq!(run.json_lines()[0]["event"]["action"], "brute_force");
}

#[test]
fn an_unreadable_input_is_an_error_before_any_work() {
    let run = seclog(&["detect", "/nonexistent/records.log"]);
    assert_eq!(run.code, Some(1));
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.starts_with(
            "seclog: error: cannot read /nonexistent/records.log: No such file or directory"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_flags_and_settings_are_errors_that_say_what_is_allowed() {
    let run = seclog(&["detect", "--user-max-failures", "0"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("--user-max-failures"), "{}", run.stderr);
    assert!(run.stderr.contains("1..=64"), "{}", run.stderr);
    let run = seclog(&["detect", "--user-window", "soon"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("expected a duration from 1s to 24h"),
        "{}",
        run.stderr
    );
    let run = seclog(&["timeline"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("--ip"), "{}", run.stderr);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_seclog"))
        .args(["detect", "/dev/null"])
        .env("SECLOG_MONITOR_IP_MAX_USERS", "many")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "seclog: error: SECLOG_MONITOR_IP_MAX_USERS=\"many\" is not valid: expected a whole number from 2 to 64\n"
    );
}

#[test]
fn settings_flags_change_the_thresholds() {
    let dir = Scratch::new("flags");
    let text = brute_force_lines().join("\n") + "\n";
    let p = dir.write("r.log", text.as_bytes());
    let run = seclog(&[
        "detect",
        "--format",
        "json",
        "--user-max-failures",
        "6",
        &p.to_string_lossy(),
    ]);
    assert!(
        run.json_lines().is_empty(),
        "five failures do not reach six"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_seclog"))
        .args(["detect", "--format", "json", &p.to_string_lossy()])
        .env("SECLOG_MONITOR_USER_MAX_FAILURES", "2")
        .output()
        .unwrap();
    let alerts: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0]["seclog"]["raised"], 1, "once per window");
    assert_eq!(
        alerts[0]["seclog"]["count"], 5,
        "the flagged user's failures go on counting"
    );
}

#[test]
fn a_line_longer_than_any_record_is_one_malformed_line() {
    let dir = Scratch::new("huge");
    let lines = brute_force_lines();
    let mut text = lines[..5].join("\n");
    text.push('\n');
    text.push_str(&format!("{{\"@timestamp\":\"{}\"}}\n", "x".repeat(3 << 20)));
    text.push_str(&lines[5..].join("\n"));
    text.push('\n');
    let p = dir.write("huge.log", text.as_bytes());
    assert_brute_force(&[&p.to_string_lossy()]);
    let run = seclog(&["summary", &p.to_string_lossy()]);
    assert!(run.stderr.contains("1 malformed line"), "{}", run.stderr);
}
