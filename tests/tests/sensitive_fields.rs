//! Derived types are safe by default: a field named like a secret cannot be
//! left unmarked (a compile error, in `tests/ui/fail/redact-secret-*`), and
//! terms added to the sensitive-key policy at run time, with
//! `Builder::sensitive_key` or `SECLOG_SENSITIVE_KEYS`, redact the derived
//! fields whose logged name contains them, unless they are
//! `#[redact(clear)]`.

use seclog::testing::capture_with;
use serde::Serialize;
use serde_json::{json, Value};

/// The terms and short names the derive checks at compile time are the
/// runtime's, one for one and in order.
#[test]
fn the_compile_time_terms_are_the_default_sensitive_keys() {
    let source = include_str!("../../macros/src/redact/sensitive.rs");
    // The strings of the list the macro crate declares as `name`.
    let list = |name: &str| -> Vec<&str> {
        let start = source
            .find(&format!("pub(crate) const {name}"))
            .unwrap_or_else(|| panic!("the macro crate declares {name}"));
        let list = &source[start..];
        let list = &list[list.find("= &[").unwrap() + 4..list.find("];").unwrap()];
        list.split(',')
            .map(|item| item.trim().trim_matches('"'))
            .filter(|item| !item.is_empty())
            .collect()
    };
    assert_eq!(list("TERMS"), seclog::DEFAULT_SENSITIVE_KEYS);
    assert_eq!(list("SHORT_NAMES"), seclog::SHORT_SECRET_NAMES);
}

#[derive(Serialize, seclog::Redact)]
#[serde(rename_all = "camelCase")]
struct PinChange {
    user_name: String,
    pin_code: String,
    #[redact(clear)]
    pin_hint: String,
    #[redact(clear)]
    token_count: u32,
    #[redact(hash)]
    session_id: String,
    device: Device,
}

#[derive(Serialize, seclog::Redact)]
enum Device {
    Phone { number: String, sim_pin: String },
}

#[seclog::audit]
fn change_pin(req: PinChange) -> PinChange {
    req
}

fn request() -> PinChange {
    PinChange {
        user_name: "alice".into(),
        pin_code: "pin-4921".into(),
        pin_hint: "grandma's year".into(),
        token_count: 3,
        session_id: "s-7".into(),
        device: Device::Phone {
            number: "+1-555-0100".into(),
            sim_pin: "sim-0000".into(),
        },
    }
}

fn keyed() -> seclog::Builder {
    seclog::builder().hash_key("sixteen+ bytes of test key material")
}

/// The input of the start record and the response of the end record.
fn logged(config: seclog::Config) -> (Value, Value, Vec<String>) {
    let run = capture_with(config, || change_pin(request()));
    let records = run.records();
    (
        records[0]["seclog"]["input"]["req"].clone(),
        records[1]["seclog"]["response"].clone(),
        run.lines,
    )
}

#[test]
fn a_term_added_with_the_builder_redacts_derived_fields_of_that_name() {
    let (input, response, lines) = logged(keyed().sensitive_key("pin").build().unwrap());
    for logged in [&input, &response] {
        assert_eq!(logged["userName"], "alice");
        assert_eq!(logged["pinCode"], "[REDACTED]");
        assert_eq!(logged["pinHint"], "grandma's year", "`clear` stays");
        assert_eq!(logged["tokenCount"], 3, "`clear` stays");
        assert_eq!(logged["sessionId"].as_str().unwrap().len(), 32);
        assert_eq!(
            logged["device"],
            json!({"Phone": {"number": "+1-555-0100", "sim_pin": "[REDACTED]"}})
        );
    }
    // The values carry letters no generated field (ids, digests, timestamps,
    // durations) can hold, so any line showing them shows the secret.
    for line in &lines {
        assert!(!line.contains("pin-4921"), "{line}");
        assert!(!line.contains("sim-0000"), "{line}");
    }
}

#[test]
fn added_terms_match_as_the_default_ones_do() {
    // Case, `-`, `_`, `.` and spaces aside, anywhere in the logged name.
    let config = keyed().sensitive_key("Sim-PIN").build().unwrap();
    let (input, _, _) = logged(config);
    assert_eq!(input["device"]["Phone"]["sim_pin"], "[REDACTED]");
    assert_eq!(input["pinCode"], "pin-4921", "only the added term counts");
}

#[test]
fn without_added_terms_unmarked_fields_are_logged_as_declared() {
    let (input, response, _) = logged(keyed().build().unwrap());
    for logged in [&input, &response] {
        assert_eq!(logged["pinCode"], "pin-4921");
        assert_eq!(logged["device"]["Phone"]["sim_pin"], "sim-0000");
    }
}

#[test]
fn each_configuration_judges_a_field_by_its_own_terms() {
    // The verdicts are remembered per thread by the name's address and the
    // configuration: alternating configurations never borrow each other's.
    let with_pin = keyed().sensitive_key("pin").build().unwrap();
    let with_number = keyed().sensitive_key("number").build().unwrap();
    let without = keyed().build().unwrap();
    for _ in 0..3 {
        let (input, _, _) = logged(with_pin);
        assert_eq!(input["pinCode"], "[REDACTED]");
        assert_eq!(input["device"]["Phone"]["number"], "+1-555-0100");
        let (input, _, _) = logged(without);
        assert_eq!(input["pinCode"], "pin-4921");
        let (input, _, _) = logged(with_number);
        assert_eq!(input["pinCode"], "pin-4921");
        assert_eq!(input["device"]["Phone"]["number"], "[REDACTED]");
    }
}

#[derive(Serialize, seclog::Redact)]
struct Webhook {
    #[redact(serialize)]
    session: Value,
    #[redact(serialize)]
    metadata: Value,
    #[redact(serialize)]
    pin_pad: Value,
}

#[seclog::audit(skip_response)]
fn webhook(body: Webhook) {
    let _ = body;
}

#[test]
fn a_serialize_field_is_judged_by_every_term_like_the_members_inside_it() {
    let body = || Webhook {
        session: json!({"id": "s-1"}),
        metadata: json!({"channel": "web", "api_key": "ak-1", "pin": "1234"}),
        pin_pad: json!("v2"),
    };
    let run = capture_with(keyed().build().unwrap(), || webhook(body()));
    assert_eq!(
        run.records()[0]["seclog"]["input"]["body"],
        json!({
            "session": "[REDACTED]",
            "metadata": {"channel": "web", "api_key": "[REDACTED]", "pin": "1234"},
            "pin_pad": "v2",
        })
    );
    let run = capture_with(keyed().sensitive_key("pin").build().unwrap(), || {
        webhook(body())
    });
    assert_eq!(
        run.records()[0]["seclog"]["input"]["body"],
        json!({
            "session": "[REDACTED]",
            "metadata": {"channel": "web", "api_key": "[REDACTED]", "pin": "[REDACTED]"},
            "pin_pad": "[REDACTED]",
        })
    );
}

/// Runs this test binary again, as `test`, with `SECLOG_SENSITIVE_KEYS`
/// set to `keys` and the other `SECLOG_` variables removed.
fn child(test: &str, keys: &str) -> std::process::Output {
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    for (k, _) in std::env::vars() {
        if k.starts_with("SECLOG_") {
            command.env_remove(k);
        }
    }
    command
        .args([
            "--exact",
            test,
            "--test-threads=1",
            "--nocapture",
            "--quiet",
        ])
        .env(CHILD, "1")
        .env("SECLOG_SENSITIVE_KEYS", keys)
        .env("SECLOG_HASH_KEY", "sixteen+ bytes of test key material")
        .output()
        .expect("the test binary runs")
}

/// Marks the child process of [`child`].
const CHILD: &str = "SECLOG_SENSITIVE_FIELDS_CHILD";

/// The records among a child's standard output (the test harness writes
/// its own lines there too).
fn records(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn terms_from_seclog_sensitive_keys_redact_derived_fields() {
    const TEST: &str = "terms_from_seclog_sensitive_keys_redact_derived_fields";
    if std::env::var_os(CHILD).is_some() {
        // The child: configured from its environment, records on stdout.
        seclog::init().expect("SECLOG_SENSITIVE_KEYS is valid");
        change_pin(request());
        return;
    }
    let out = child(TEST, " sim-pin , pin_code");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = records(&out.stdout);
    assert_eq!(records.len(), 2, "a start and an end record");
    let input = &records[0]["seclog"]["input"]["req"];
    assert_eq!(input["pinCode"], "[REDACTED]");
    assert_eq!(input["device"]["Phone"]["sim_pin"], "[REDACTED]");
    assert_eq!(input["pinHint"], "grandma's year", "`clear` stays");
    assert_eq!(input["userName"], "alice");
}

#[test]
fn a_bad_seclog_sensitive_keys_fails_init_naming_the_variable() {
    const TEST: &str = "a_bad_seclog_sensitive_keys_fails_init_naming_the_variable";
    if std::env::var_os(CHILD).is_some() {
        let err = seclog::init().expect_err("the value is refused");
        eprintln!("init: {err}");
        std::process::exit(3);
    }
    for bad in ["pin;otp", "pin,,otp", "pin,", "--", "pin\u{1b}[31m"] {
        let out = child(TEST, bad);
        assert_eq!(out.status.code(), Some(3), "{bad:?} was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let expected = format!(
            "init: SECLOG_SENSITIVE_KEYS={bad:?} is not valid: expected terms separated by commas, each of letters, digits, `-`, `_`, `.` or spaces, as in `pin,account-number`"
        );
        assert!(stderr.lines().any(|l| l == expected), "{bad:?}: {stderr}");
    }
}

#[test]
fn a_bad_seclog_sensitive_keys_is_reported_when_configured_lazily() {
    const TEST: &str = "a_bad_seclog_sensitive_keys_is_reported_when_configured_lazily";
    if std::env::var_os(CHILD).is_some() {
        // No `init`: the first record configures seclog.
        change_pin(request());
        return;
    }
    let out = child(TEST, "pin|otp");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = records(&out.stdout);
    assert_eq!(records.len(), 3, "the problem, then the handler's records");
    assert_eq!(records[0]["event"]["kind"], "pipeline_error");
    let message = records[0]["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("SECLOG_SENSITIVE_KEYS=\"pin|otp\" is not valid"),
        "{message}"
    );
    // The defaults apply: no term was added, and the handler is unchanged.
    assert_eq!(records[1]["seclog"]["input"]["req"]["pinCode"], "pin-4921");
    assert_eq!(records[2]["seclog"]["response"]["userName"], "alice");
    seclog_tests::assert_ecs(&records);
}
