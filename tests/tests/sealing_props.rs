//! Properties of sealed values that must hold for every input (proptest):
//!
//! - no sealed value reaches any output line, whatever the value, the
//!   format (JSON or pretty) and the bounds;
//! - every token in a record opens with the investigator's key, to the
//!   value that was sent (or, where a bound cut it, to its beginning with
//!   the cut marked): never to a wrong value;
//! - any text round-trips exactly;
//! - a token changed anywhere does not open.
//!
//! For a longer run set `PROPTEST_CASES`, e.g. `PROPTEST_CASES=2000 cargo
//! test -p seclog-tests --test sealing_props --release`.
//!
//! Secrets are made of upper-case ASCII letters only and everything else
//! of other characters, so any eight consecutive letters of a secret found
//! in the output are a leak (a token's base64url holds a given eight
//! letters with a chance of 2^-48 per position).

use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use seclog::seal::{UnsealKey, Unsealer};
use seclog::testing::capture_with;
use seclog::{Format, Out, Redact};
use serde::Serialize;
use serde_json::{Map, Value};
use std::sync::OnceLock;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: seclog_tests::proptest_cases(40),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// One investigator for the whole file: making keys is not what is tested.
fn investigator() -> &'static UnsealKey {
    static KEY: OnceLock<UnsealKey> = OnceLock::new();
    KEY.get_or_init(|| UnsealKey::generate().unwrap())
}

fn secret() -> impl Strategy<Value = String> {
    "[A-Z]{16,40}"
}

fn public_text() -> impl Strategy<Value = String> {
    r#"[a-z0-9 é€😀"\\\n\r\t\x00\x{2028}]{0,24}"#
}

/// A tree holding secrets anywhere, under any member name (sensitive ones
/// included: nothing inside a sealed value is redacted).
fn secret_tree() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        secret().prop_map(Value::String),
        public_text().prop_map(Value::String),
        any::<i64>().prop_map(Value::from),
        Just(Value::Null),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec!["password", "token", "note", "id", "apiKey"]),
                    inner
                ),
                0..4
            )
            .prop_map(|members| Value::Object(
                members
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect::<Map<_, _>>()
            )),
        ]
    })
}

/// A value sealed through [`Out::sealed`].
#[derive(Debug, Clone)]
struct Sealed<T>(T);

impl<T: Serialize> Redact for Sealed<T> {
    fn redact(&self, out: Out<'_>) {
        out.sealed(&self.0)
    }
}

/// What a handler receives: two fields sealed by the derive.
#[derive(seclog::Redact, Debug, Clone)]
struct Submission {
    name: String,
    #[redact(seal)]
    password: String,
    #[redact(seal)]
    payload: Value,
    note: String,
}

#[seclog::audit(emit = "end", skip_response)]
fn submit(req: Submission) {
    let _ = req;
}

fn secrets_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_uppercase()) => {
            out.push(s.clone())
        }
        Value::Array(items) => items.iter().for_each(|i| secrets_in(i, out)),
        Value::Object(members) => members.values().for_each(|m| secrets_in(m, out)),
        _ => {}
    }
}

/// Whether any eight consecutive letters of `secret` are in `line`.
fn leaks(line: &str, secret: &str) -> bool {
    secret
        .as_bytes()
        .windows(8)
        .any(|w| line.contains(std::str::from_utf8(w).unwrap()))
}

/// Whether `kept` is `sent`, or its beginning with the cut marked.
fn kept_or_cut(kept: &str, sent: &str) -> bool {
    kept == sent
        || kept
            .split_once('…')
            .is_some_and(|(prefix, marker)| sent.starts_with(prefix) && marker.ends_with(" bytes]"))
}

/// Whether `kept` is `sent`, or `sent` cut by a bound (strings cut at their
/// beginning, containers ending early, cut markers in place of values).
fn tree_kept_or_cut(kept: &Value, sent: &Value) -> bool {
    match (kept, sent) {
        (Value::String(k), _) if k.starts_with("[truncated") => true,
        (Value::String(k), Value::String(s)) => kept_or_cut(k, s),
        (Value::Array(k), Value::Array(s)) => k.iter().zip(s).all(|(k, s)| tree_kept_or_cut(k, s)),
        (Value::Object(k), Value::Object(s)) => k.iter().all(|(name, k)| {
            name == "[truncated]" || s.get(name).is_some_and(|s| tree_kept_or_cut(k, s))
        }),
        _ => kept == sent,
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn no_sealed_value_reaches_any_output_and_each_token_opens_to_what_was_sent(
        name in public_text(),
        password in secret(),
        payload in secret_tree(),
        note in public_text(),
        max_string in 16usize..=512,
        max_record in 8usize..40,
        pretty in any::<bool>(),
    ) {
        let config = seclog::builder()
            .seal_key(investigator().seal_key().to_string())
            .max_string_bytes(max_string)
            .max_record_bytes(max_record * 1024)
            .format(if pretty { Format::Pretty } else { Format::Json })
            .build()
            .unwrap();
        let run = capture_with(config, || {
            submit(Submission { name, password: password.clone(), payload: payload.clone(), note })
        });
        prop_assert_eq!(run.lines.len(), 1);
        let mut secrets = vec![password.clone()];
        secrets_in(&payload, &mut secrets);
        for line in &run.lines {
            for secret in &secrets {
                prop_assert!(!leaks(line, secret), "{} leaked in {}", secret, line);
            }
        }
        if pretty {
            return Ok(());
        }
        let mut unsealer = Unsealer::new(investigator().clone());
        let mut out = Vec::new();
        let mut failures = Vec::new();
        unsealer.unseal_record(run.lines[0].as_bytes(), &mut out, |e| failures.push(e));
        prop_assert!(failures.is_empty(), "{:?}", failures);
        let record: Value = serde_json::from_slice(&out).unwrap();
        let input = &record["seclog"]["input"]["req"];
        let kept = &input["password"]["unsealed"];
        prop_assert!(kept.as_str().is_some_and(|k| kept_or_cut(k, &password)), "{}", kept);
        let kept = &input["payload"]["unsealed"];
        prop_assert!(tree_kept_or_cut(kept, &payload), "{} from {}", kept, payload);
        if record["seclog"]["truncated"] != true {
            prop_assert_eq!(kept, &payload);
        }
    }

    #[test]
    fn any_text_round_trips(text in any::<String>(), controls in "[\x00-\x1f\x7f\u{80}-\u{9f}\u{2028}\u{2029}]{0,8}") {
        let text = format!("{text}{controls}");
        let config = seclog::builder()
            .seal_key(investigator().seal_key().to_string())
            .build()
            .unwrap();
        #[seclog::audit(emit = "end", skip_response)]
        fn log(text: Sealed<String>) {
            let _ = text;
        }
        let run = capture_with(config, || log(Sealed(text.clone())));
        let token = run.records()[0]["seclog"]["input"]["text"].as_str().unwrap().to_string();
        let opened = Unsealer::new(investigator().clone()).open(&token).unwrap();
        prop_assert_eq!(serde_json::from_str::<String>(&opened).unwrap(), text);
    }

    #[test]
    fn a_token_changed_anywhere_does_not_open(
        value in secret(),
        at in any::<prop::sample::Index>(),
        with in prop::sample::select(b"ABCabc019-_:".to_vec()),
    ) {
        let sealer = seclog::seal::Sealer::new(&investigator().seal_key()).unwrap();
        let token = sealer.seal_to_string(format!("{value:?}").as_bytes()).unwrap();
        let mut changed = token.clone().into_bytes();
        let i = at.index(changed.len());
        if changed[i] == with {
            return Ok(());
        }
        changed[i] = with;
        let changed = String::from_utf8(changed).unwrap();
        let opened = Unsealer::new(investigator().clone()).open(&changed);
        prop_assert!(opened.is_err(), "{} opened to {:?}", changed, opened);
    }
}
