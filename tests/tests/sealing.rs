//! Sealed values: written as tokens that only the investigator's private
//! key opens. Every test reads the records as JSON, and opens the tokens
//! the way `seclog unseal` does ([`Unsealer::unseal_record`]).

// Fields of the test types exist to be logged, not read.
#![allow(dead_code)]

use seclog::seal::{OpenError, SealKey, UnsealKey, Unsealer};
use seclog::testing::capture_with;
use seclog::{Config, Out, Redact};
use serde::Serialize;
use serde_json::{json, Value};

/// The investigator's key pair and a configuration sealing for it.
fn investigator() -> (UnsealKey, Config) {
    let key = UnsealKey::generate().unwrap();
    let config = seclog::builder()
        .seal_key(key.seal_key().to_string())
        .build()
        .unwrap();
    (key, config)
}

/// Each record with its tokens opened; panics on a token that does not open.
fn unsealed(key: &UnsealKey, lines: &[String]) -> Vec<Value> {
    let mut unsealer = Unsealer::new(key.clone());
    lines
        .iter()
        .map(|line| {
            let mut out = Vec::new();
            unsealer.unseal_record(line.as_bytes(), &mut out, |e| panic!("{e}: {line}"));
            serde_json::from_slice(&out).expect("an unsealed record is JSON")
        })
        .collect()
}

/// A value that seals itself through [`Out::sealed`].
struct Sealed<T>(T);

impl<T: Serialize> Redact for Sealed<T> {
    fn redact(&self, out: Out<'_>) {
        out.sealed(&self.0)
    }
}

/// The strings in a record that are sealed tokens.
fn tokens(record: &Value) -> Vec<String> {
    let mut found = Vec::new();
    fn walk(v: &Value, found: &mut Vec<String>) {
        match v {
            Value::String(s) if seclog::seal::is_token(s) => found.push(s.clone()),
            Value::Array(items) => items.iter().for_each(|i| walk(i, found)),
            Value::Object(members) => members.values().for_each(|m| walk(m, found)),
            _ => {}
        }
    }
    walk(record, &mut found);
    found
}

#[seclog::audit(emit = "end", skip_response)]
fn log_value<T: Serialize>(value: Sealed<T>) {
    let _ = value;
}

/// `value` sealed in a record, and that record unsealed.
fn round_trip<T: Serialize>(value: T) -> (Value, Value) {
    let (key, config) = investigator();
    let run = capture_with(config, || log_value(Sealed(value)));
    let records = run.records();
    assert_eq!(records.len(), 1, "{:?}", run.lines);
    let opened = unsealed(&key, &run.lines);
    (
        records[0]["seclog"]["input"]["value"].clone(),
        opened[0]["seclog"]["input"]["value"].clone(),
    )
}

#[test]
fn a_sealed_password_is_in_no_byte_and_unseals_to_exactly_what_was_sent() {
    // An argument named like a secret is redacted by its name; a
    // `seal("...")` path naming it seals it instead.
    #[seclog::audit(who = user, redact(seal("password")))]
    fn login(user: &str, password: &str) -> Result<(), &'static str> {
        let _ = password;
        Err("bad credentials")
    }
    let (key, config) = investigator();
    let password = "' OR 1=1 --";
    let run = capture_with(config, || login("alice", password));
    assert_eq!(run.lines.len(), 2);
    for line in &run.lines {
        assert!(!line.contains(password), "{line}");
        assert!(!line.contains("OR 1=1"), "{line}");
    }
    let records = run.records();
    let token = records[0]["seclog"]["input"]["password"].as_str().unwrap();
    assert!(token.starts_with("seclog-sealed:v1:"), "{token}");
    assert!(
        token.contains(&key.id().to_string()),
        "the token names its key"
    );

    let opened = unsealed(&key, &run.lines);
    assert_eq!(
        opened[0]["seclog"]["input"]["password"],
        json!({"unsealed": password})
    );
    // Everything else is as it was.
    let mut rest = opened[0].clone();
    rest["seclog"]["input"]["password"] = records[0]["seclog"]["input"]["password"].clone();
    assert_eq!(rest, records[0]);
}

#[test]
fn every_supported_type_round_trips() {
    #[derive(Serialize)]
    struct Login {
        user: String,
        password: String,
        tries: u32,
    }
    let cases: Vec<(Value, Value)> = vec![
        round_trip("hunter2"),
        round_trip(String::from(
            "quote \" backslash \\ newline \n nul \0 é € 😀 \u{2028}",
        )),
        round_trip(""),
        round_trip(u64::MAX),
        round_trip(i64::MIN),
        round_trip(-1.5f64),
        round_trip(true),
        round_trip(vec![0u8, 1, 127, 128, 255]),
        round_trip(Some("4111 1111 1111 1111")),
        round_trip(None::<String>),
        round_trip(Some(42u16)),
        round_trip(Login {
            user: "alice".into(),
            password: "hunter2".into(),
            tries: 3,
        }),
        round_trip(json!({"api_key": "ak-live-1", "nested": [{"token": "t"}]})),
    ];
    let expected = [
        json!("hunter2"),
        json!("quote \" backslash \\ newline \n nul \0 é € 😀 \u{2028}"),
        json!(""),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(-1.5),
        json!(true),
        json!([0, 1, 127, 128, 255]),
        json!("4111 1111 1111 1111"),
        json!(null),
        json!(42),
        // A sealed value is kept whole for the investigator: the
        // sensitive-key policy does not apply inside it.
        json!({"user": "alice", "password": "hunter2", "tries": 3}),
        json!({"api_key": "ak-live-1", "nested": [{"token": "t"}]}),
    ];
    for ((logged, opened), expected) in cases.into_iter().zip(expected) {
        assert!(
            seclog::seal::is_token(logged.as_str().unwrap()),
            "{logged} is a token"
        );
        assert_eq!(opened, json!({ "unsealed": expected }));
    }
}

#[test]
fn the_same_value_sealed_twice_gives_different_tokens() {
    let (_, config) = investigator();
    #[seclog::audit(emit = "end")]
    fn twice(a: Sealed<&str>, b: Sealed<&str>) {
        let _ = (a, b);
    }
    let run = capture_with(config, || {
        twice(Sealed("alice@example.com"), Sealed("alice@example.com"))
    });
    let record = &run.records()[0];
    let (a, b) = (
        &record["seclog"]["input"]["a"],
        &record["seclog"]["input"]["b"],
    );
    assert_ne!(a, b, "equal values are not revealed equal");
}

#[test]
fn an_altered_cut_or_foreign_token_is_reported_and_left_sealed() {
    let (key, config) = investigator();
    let (stranger, stranger_config) = investigator();
    let ours = capture_with(config, || log_value(Sealed("hunter2"))).lines;
    let theirs = capture_with(stranger_config, || log_value(Sealed("hunter2"))).lines;
    let token = tokens(&serde_json::from_str(&ours[0]).unwrap()).remove(0);

    let altered = {
        let mut t = token.clone().into_bytes();
        let i = t.len() - 10;
        t[i] = if t[i] == b'A' { b'B' } else { b'A' };
        String::from_utf8(t).unwrap()
    };
    let cut = token[..token.len() - 4].to_string();
    let mut unsealer = Unsealer::new(key);
    for (line, expected) in [
        (ours[0].replace(&token, &altered), "damaged"),
        (ours[0].replace(&token, &cut), "damaged"),
        (theirs[0].clone(), "other key"),
    ] {
        let mut out = Vec::new();
        let mut failures = Vec::new();
        let opened = unsealer.unseal_record(line.as_bytes(), &mut out, |e| failures.push(e));
        assert_eq!(opened, 0);
        assert_eq!(out, line.as_bytes(), "left byte for byte");
        assert_eq!(failures.len(), 1, "{expected}");
        match (&failures[0], expected) {
            (OpenError::Damaged(_), "damaged") => {}
            (OpenError::OtherKey { sealed_for, .. }, "other key") => {
                assert_eq!(*sealed_for, stranger.id())
            }
            (other, _) => panic!("{expected}: {other:?}"),
        }
    }
}

#[test]
fn a_token_is_written_whole_or_not_at_all_when_the_record_is_full() {
    let key = UnsealKey::generate().unwrap();
    let config = seclog::builder()
        .seal_key(key.seal_key().to_string())
        .max_record_bytes(8 * 1024)
        .max_string_bytes(512)
        .build()
        .unwrap();
    #[seclog::audit(emit = "end", skip_response)]
    fn fill(padding: String, values: Vec<Sealed<String>>) {
        let _ = (padding, values);
    }
    let mut whole = 0;
    let mut cut_at_token = 0;
    for padding in (5_000..7_600).step_by(37) {
        let values: Vec<String> = (0..40)
            .map(|i| format!("{i:02}-{}", "v".repeat(300)))
            .collect();
        let run = capture_with(config, || {
            fill(
                "p".repeat(padding),
                values.iter().cloned().map(Sealed).collect(),
            )
        });
        let record = &run.records()[0];
        assert!(run.lines[0].len() <= 8 * 1024);
        assert_eq!(record["seclog"]["truncated"], true);
        // Every token there opens, to a value that was sent (cut only by
        // the string bound, which marks it inside the value).
        let opened = unsealed(&key, &run.lines);
        let items = opened[0]["seclog"]["input"]["values"]
            .as_array()
            .unwrap()
            .clone();
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::Object(o) => {
                    let text = o["unsealed"].as_str().unwrap();
                    assert!(values[i].starts_with(text.split('…').next().unwrap()));
                    assert!(text.ends_with("bytes]") || text == values[i]);
                    whole += 1;
                }
                Value::String(s) => {
                    assert_eq!(s, "[truncated: record size limit]");
                    assert_eq!(i, items.len() - 1, "the cut is the last item");
                    cut_at_token += 1;
                }
                other => panic!("{other}"),
            }
        }
    }
    assert!(
        whole > 0 && cut_at_token > 0,
        "{whole} whole, {cut_at_token} cut"
    );

    // One sealed value larger than the record: its token still fits, and
    // holds the value as far as the record had room, marked as cut.
    let items: Vec<String> = (0..60)
        .map(|i| format!("{i:02}-{}", "v".repeat(300)))
        .collect();
    let run = capture_with(config, || log_value(Sealed(items.clone())));
    assert!(run.lines[0].len() <= 8 * 1024, "{}", run.lines[0].len());
    let opened = unsealed(&key, &run.lines);
    let kept = opened[0]["seclog"]["input"]["value"]["unsealed"]
        .as_array()
        .unwrap()
        .clone();
    assert!(kept.len() > 5 && kept.len() < items.len(), "{}", kept.len());
    assert_eq!(kept[kept.len() - 1], "[truncated: record size limit]");
    let values = &kept[..kept.len() - 1];
    for (i, (kept, sent)) in values.iter().zip(&items).enumerate() {
        let kept = kept.as_str().unwrap();
        if i + 1 < values.len() {
            assert_eq!(kept, sent);
        } else {
            // The last one may have been cut where the room ended.
            let (prefix, marker) = kept.split_once('…').unwrap_or((kept, ""));
            assert!(sent.starts_with(prefix) && (marker.is_empty() || marker.ends_with("bytes]")));
        }
    }
}

#[test]
fn a_sealed_value_keeps_the_string_bound_and_says_where_it_was_cut() {
    let key = UnsealKey::generate().unwrap();
    let config = seclog::builder()
        .seal_key(key.seal_key().to_string())
        .max_string_bytes(64)
        .build()
        .unwrap();
    let long = "x".repeat(100);
    let run = capture_with(config, || log_value(Sealed(long.as_str())));
    let opened = unsealed(&key, &run.lines);
    assert_eq!(
        opened[0]["seclog"]["input"]["value"]["unsealed"],
        format!("{}…[truncated 36 bytes]", "x".repeat(64))
    );
    assert_eq!(run.records()[0]["seclog"]["truncated"], true);
}

#[test]
fn the_pretty_format_carries_the_token_too() {
    let key = UnsealKey::generate().unwrap();
    let config = seclog::builder()
        .seal_key(key.seal_key().to_string())
        .format(seclog::Format::Pretty)
        .build()
        .unwrap();
    let run = capture_with(config, || log_value(Sealed("hunter2")));
    assert_eq!(run.lines.len(), 1);
    assert!(!run.lines[0].contains("hunter2"), "{}", run.lines[0]);
    assert!(
        run.lines[0].contains("seclog-sealed:v1:"),
        "{}",
        run.lines[0]
    );
}

#[test]
fn without_a_key_a_sealed_value_is_redacted_and_a_warning_says_so_once() {
    // The only test of this file sealing without a key, so the
    // once-per-process warning is its.
    let config = seclog::builder().build().unwrap();
    let first = capture_with(config, || log_value(Sealed("hunter2")));
    let records = first.records();
    assert_eq!(records.len(), 2, "{:?}", first.lines);
    assert_eq!(records[0]["seclog"]["input"]["value"], "[REDACTED]");
    let warning = &records[1];
    assert_eq!(warning["event"]["kind"], "pipeline_error");
    assert_eq!(warning["log.level"], "warn");
    let message = warning["message"].as_str().unwrap();
    assert!(message.contains("SECLOG_SEAL_KEY"), "{message}");
    assert!(message.contains("seclog keygen"), "{message}");
    assert!(first.lines.iter().all(|l| !l.contains("hunter2")));

    let second = capture_with(config, || log_value(Sealed("hunter2"))).records();
    assert_eq!(second.len(), 1, "the warning is given once");
    assert_eq!(second[0]["seclog"]["input"]["value"], "[REDACTED]");
}

#[test]
fn a_bad_key_is_a_configuration_error_that_never_echoes_a_private_key() {
    let err = seclog::builder().seal_key("not a key").build().unwrap_err();
    assert!(
        err.to_string()
            .starts_with("Builder::seal_key is not a usable sealing key: not a seclog sealing key"),
        "{err}"
    );

    let private = UnsealKey::generate().unwrap().to_file_text();
    let key_line = private.lines().last().unwrap().to_string();
    let err = seclog::builder()
        .seal_key(key_line.clone())
        .build()
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("private unseal key"), "{message}");
    let secret_part = key_line.rsplit(':').next().unwrap();
    assert!(!message.contains(secret_part), "{message}");

    let public = UnsealKey::generate().unwrap().seal_key().to_string();
    let cut = &public[..public.len() - 3];
    let err = seclog::builder().seal_key(cut).build().unwrap_err();
    assert!(err.to_string().contains("damaged"), "{err}");
    assert!(public.parse::<SealKey>().is_ok());
}

/// `SECLOG_SEAL_KEY` is read by `init`, which names it when it is bad; run
/// in a child process of this test binary, so no other test sees the
/// variable.
#[test]
fn init_names_a_bad_seclog_seal_key() {
    const CHILD: &str = "SECLOG_SEALING_CHILD";
    if let Some(expect) = std::env::var_os(CHILD) {
        match (expect.to_str().unwrap(), seclog::init()) {
            ("ok", Ok(())) => {}
            ("bad", Err(e)) => {
                let message = e.to_string();
                assert!(
                    message.starts_with("SECLOG_SEAL_KEY is not a usable sealing key"),
                    "{message}"
                );
                assert!(!message.contains("AAAA"), "{message}");
            }
            (expect, got) => panic!("{expect}: {got:?}"),
        }
        return;
    }
    let public = UnsealKey::generate().unwrap().seal_key().to_string();
    for (value, expect) in [
        (public.as_str(), "ok"),
        ("seclog-seal-pub:v1:0123456789abcdef:AAAA", "bad"),
        (&public[..public.len() - 1], "bad"),
    ] {
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "init_names_a_bad_seclog_seal_key",
                "--test-threads=1",
            ])
            .env(CHILD, expect)
            .env("SECLOG_SEAL_KEY", value)
            .output()
            .expect("the test binary runs");
        assert!(
            output.status.success(),
            "{value} ({expect}):\n{}",
            String::from_utf8_lossy(&output.stdout)
        );
    }
}

#[test]
fn a_derived_sealed_field_round_trips() {
    #[derive(seclog::Redact)]
    struct Login {
        user: String,
        #[redact(seal)]
        password: String,
        #[redact(seal)]
        otp: Option<u32>,
        #[redact(seal)]
        key: Vec<u8>,
    }
    #[seclog::audit(emit = "end")]
    fn login(req: Login) {
        let _ = req;
    }
    let (key, config) = investigator();
    let run = capture_with(config, || {
        login(Login {
            user: "alice".into(),
            password: "hunter2".into(),
            otp: Some(913370),
            key: vec![1, 2, 3],
        })
    });
    assert!(!run.lines[0].contains("hunter2"));
    let opened = unsealed(&key, &run.lines);
    assert_eq!(
        opened[0]["seclog"]["input"]["req"],
        json!({
            "user": "alice",
            "password": {"unsealed": "hunter2"},
            "otp": {"unsealed": 913370},
            "key": {"unsealed": [1, 2, 3]},
        })
    );
}

#[test]
fn a_sealed_path_seals_untyped_data_where_it_points() {
    #[seclog::audit(
        emit = "end",
        redact(
            "event.headers.authorization",
            seal("event.body.password", "event.body.card"),
            seal("return.session")
        )
    )]
    fn login(event: Value) -> Value {
        let _ = event;
        json!({"session": "s-123", "user": "alice"})
    }
    let (key, config) = investigator();
    let event = json!({
        "headers": {"authorization": "Bearer abc", "host": "example.com"},
        "body": {"user": "alice", "password": "' OR 1=1 --", "card": {"number": "4111", "cvv": "123"}},
    });
    let run = capture_with(config, || login(event.clone()));
    for secret in ["OR 1=1", "4111", "s-123", "Bearer abc"] {
        assert!(!run.lines[0].contains(secret), "{secret}: {}", run.lines[0]);
    }
    let opened = &unsealed(&key, &run.lines)[0]["seclog"];
    assert_eq!(
        opened["input"]["event"]["headers"]["authorization"],
        "[REDACTED]"
    );
    assert_eq!(opened["input"]["event"]["headers"]["host"], "example.com");
    assert_eq!(
        opened["input"]["event"]["body"],
        json!({
            "user": "alice",
            // The path wins over the sensitive name, and the whole value
            // is kept, the policy's names inside it too.
            "password": {"unsealed": "' OR 1=1 --"},
            "card": {"unsealed": {"number": "4111", "cvv": "123"}},
        })
    );
    assert_eq!(
        opened["response"],
        json!({"session": {"unsealed": "s-123"}, "user": "alice"})
    );
}

#[test]
fn a_sealed_user_correlates_by_its_digest() {
    #[derive(seclog::Redact, seclog::AuthEvent)]
    #[auth(login)]
    struct Login {
        #[auth(user)]
        #[redact(seal)]
        user: String,
        #[redact]
        password: String,
    }
    #[seclog::audit(emit = "end")]
    fn login(req: Login) -> Result<(), &'static str> {
        let _ = req;
        Err("bad credentials")
    }
    let key = UnsealKey::generate().unwrap();
    let config = seclog::builder()
        .seal_key(key.seal_key().to_string())
        .hash_key("a test key of thirty-two bytes!!")
        .build()
        .unwrap();
    let attempt = || {
        login(Login {
            user: "alice@example.com".into(),
            password: "hunter2".into(),
        })
    };
    let first = capture_with(config, attempt);
    let second = capture_with(config, attempt);
    let (a, b) = (&first.records()[0], &second.records()[0]);
    assert!(first
        .lines
        .iter()
        .chain(&second.lines)
        .all(|l| !l.contains("alice@")));
    // Two attempts by one user: the same `user.hash`, different tokens.
    assert_eq!(a["user"]["hash"], b["user"]["hash"]);
    assert!(a["user"]["hash"].as_str().is_some());
    assert_ne!(
        a["seclog"]["input"]["req"]["user"],
        b["seclog"]["input"]["req"]["user"]
    );
    let opened = unsealed(&key, &first.lines);
    assert_eq!(
        opened[0]["seclog"]["input"]["req"]["user"],
        json!({"unsealed": "alice@example.com"})
    );
}
