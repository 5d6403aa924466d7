//! A terminal is attacker-facing too: usernames, addresses, resources and
//! file names in hostile records never reach the output raw, in tables,
//! timelines, summaries, errors or warnings; JSON output stays valid JSON
//! with the same values.

mod common;

use common::{seclog, Scratch};

/// Characters a terminal must never see raw.
const HOSTILE: [char; 12] = [
    '\u{1b}', '\u{7}', '\u{8}', '\r', '\u{9b}', '\u{7f}', '\u{2028}', '\u{2029}', '\u{202e}',
    '\u{2066}', '\u{200f}', '\u{0}',
];

fn assert_clean(what: &str, text: &str) {
    for c in HOSTILE {
        assert!(
            !text.contains(c),
            "{what} carries U+{:04X} raw:\n{text}",
            c as u32
        );
    }
    for line in text.lines() {
        assert!(!line.contains('\t'), "{what} carries a raw tab: {line}");
    }
}

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

#[seclog::audit(who = user, source_ip = ip)]
fn read(user: &str, ip: &str, path: &str) -> Result<(), String> {
    seclog::security_event!(authz_fail, resource = path);
    Err(format!("denied: {path}"))
}

/// Real records whose attacker-chosen text is full of escapes: a user
/// under brute force, a stuffing address, authorization failures.
fn hostile_log(dir: &Scratch) -> std::path::PathBuf {
    let user = "root\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{202e}nimda\u{2028}x\r\u{7f}\u{0}";
    let ip = "evil\u{1b}[1;31m\u{2066}host\u{200f}";
    let path = "/files/\u{1b}[8m\thidden\u{2029}";
    let monitor = seclog::monitor::Monitor::new(Default::default()).unwrap();
    let run = monitor.scope(|| {
        seclog::testing::capture(|| {
            for i in 0..12 {
                let _ = login(Login {
                    user: format!("{user}{}", i % 11),
                    ip: ip.into(),
                });
            }
            let _ = read(user, ip, path);
        })
    });
    let mut text = run.lines.join("\n");
    // A line no seclog wrote, escapes and all, among the records.
    text.push_str("\n\u{1b}[31mnot a record\u{7}\n{\"@timestamp\":\"\u{1b}\",\"seclog\":{\"phase\":\"end\"}}\n");
    dir.write("hostile\u{1b}[2J.log", text.as_bytes())
}

#[test]
fn detect_table_escapes_every_control_and_bidi_character() {
    let dir = Scratch::new("hostile-detect");
    let p = hostile_log(&dir);
    let run = seclog(&["detect", &p.to_string_lossy()]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_clean("detect's table", &run.stdout);
    assert_clean("detect's stderr", &run.stderr);
    assert!(run.stdout.contains("credential_stuffing"), "{}", run.stdout);
    assert!(run.stdout.contains("authz_fail"), "{}", run.stdout);
    assert!(
        run.stdout.contains("root\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{9b}31m\\u{202e}nimda\\u{2028}x\\u{d}\\u{7f}\\u{0}"),
        "escapes are visible: {}",
        run.stdout
    );
}

#[test]
fn detect_json_is_valid_json_with_the_same_values_and_no_raw_controls() {
    let dir = Scratch::new("hostile-json");
    let p = hostile_log(&dir);
    let run = seclog(&["detect", "--format", "json", &p.to_string_lossy()]);
    assert_clean("detect's JSON", &run.stdout);
    let alerts = run.json_lines();
    let authz = alerts
        .iter()
        .find(|a| a["event"]["action"] == "authz_fail")
        .unwrap();
    assert_eq!(
        authz["seclog"]["resources"][0], "/files/\u{1b}[8m\thidden\u{2029}",
        "the value survives, escaped as JSON"
    );
    seclog_tests::assert_ecs(&alerts);
}

#[test]
fn timeline_summary_and_blocklist_escape_too() {
    let dir = Scratch::new("hostile-timeline");
    let p = hostile_log(&dir);
    let file = p.to_string_lossy().into_owned();
    let ip = "evil\u{1b}[1;31m\u{2066}host\u{200f}";
    let run = seclog(&["timeline", "--ip", ip, &file]);
    assert_clean("timeline", &run.stdout);
    assert_eq!(
        run.lines().len(),
        1 + 12 + 1 + 2,
        "header, 12 logins, the process's own stuffing alert, a read and its event:\n{}",
        run.stdout
    );
    let run = seclog(&["timeline", "--ip", ip, "--format", "json", &file]);
    assert_clean("timeline's JSON", &run.stdout);
    assert_eq!(run.json_lines().len(), 12 * 2 + 1 + 3);
    let run = seclog(&["summary", &file]);
    assert_clean("summary", &run.stdout);
    assert!(
        run.stdout
            .contains("evil\\u{1b}[1;31m\\u{2066}host\\u{200f}"),
        "{}",
        run.stdout
    );
    let run = seclog(&["blocklist", "--format", "csv", &file]);
    assert_clean("blocklist", &run.stdout);
    assert_clean("blocklist's stderr", &run.stderr);
    assert!(run.stderr.contains("not IP addresses"), "{}", run.stderr);
}

#[test]
fn errors_and_warnings_escape_file_names() {
    let dir = Scratch::new("hostile-names");
    let missing = dir.path("gone\u{1b}[2J\u{7}.log");
    let run = seclog(&["detect", &missing.to_string_lossy()]);
    assert_eq!(run.code, Some(1));
    assert_clean("the error", &run.stderr);
    assert!(
        run.stderr.contains("gone\\u{1b}[2J\\u{7}.log"),
        "{}",
        run.stderr
    );
    let cut = dir.write("cut\u{1b}[31m.gz", &common::gzip(b"{}\n")[..10]);
    let run = seclog(&["summary", &cut.to_string_lossy()]);
    assert_eq!(run.code, Some(1));
    assert_clean("the warning", &run.stderr);
    assert!(run.stderr.contains("cut\\u{1b}[31m.gz"), "{}", run.stderr);
}

#[test]
fn a_table_fits_the_width_it_is_given() {
    let dir = Scratch::new("width");
    let p = hostile_log(&dir);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_seclog"))
        .args(["detect", &p.to_string_lossy()])
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for line in text.lines() {
        assert!(
            unicode_width::UnicodeWidthStr::width(line) <= 100,
            "{} columns: {line}",
            unicode_width::UnicodeWidthStr::width(line)
        );
    }
}
