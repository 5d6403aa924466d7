//! Properties of redaction that must hold for every input (proptest):
//!
//! - no secret reaches any output line: not in fields marked `#[redact]`,
//!   `keep_last`, `keep_first`, `hash` or `skip`, not under a sensitive key
//!   at any depth and in any case, not at a redaction path, whatever the
//!   format (JSON or pretty) and bounds;
//! - every JSON record is one line of valid JSON, with no character split
//!   by a cut;
//! - a derived type's `Serialize` output is unchanged by the derive.
//!
//! Case counts are modest so the suite stays fast; for a longer run set
//! `PROPTEST_CASES`, e.g. `PROPTEST_CASES=5000 cargo test -p seclog-tests
//! --test redaction_props --release`.
//!
//! Secrets are made of upper-case ASCII letters only and everything else
//! (public text, keys, numbers) of other characters, so any eight
//! consecutive letters of a secret found in the output are a leak, never a
//! coincidence.

// Fields of the test types exist to be logged, not read.
#![allow(dead_code)]

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError};
use seclog::testing::capture_with;
use seclog::Format;
use seclog_tests::SharedBuffer;
use serde::Serialize;
use serde_json::{Map, Value};

const KEY: &str = "a test key of thirty-two bytes!!";

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: seclog_tests::proptest_cases(40),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------
// Generators.
// ---------------------------------------------------------------------------

fn secret() -> impl Strategy<Value = String> {
    "[A-Z]{16,40}"
}

/// Text an attacker might send: no upper-case letters (those are secrets'),
/// but quotes, backslashes, control characters, line separators, non-ASCII.
fn public_text() -> impl Strategy<Value = String> {
    r#"[a-z0-9 é€😀"\\\n\r\t\x00\x{2028}]{0,24}"#
}

/// A member name that no policy term is contained in.
fn public_key() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "id", "name", "city", "amount", "items", "data", "note", "list", "x", "kind",
    ])
    .prop_map(str::to_string)
}

/// A sensitive member name: a policy term in any case, split by any of the
/// ignored separators, with a prefix or suffix.
fn sensitive_key() -> impl Strategy<Value = String> {
    let terms = seclog::DEFAULT_SENSITIVE_KEYS.to_vec();
    (
        prop::sample::select(terms),
        prop::collection::vec(any::<bool>(), 16),
        prop::sample::select(vec!["", "x-", "user_", "Old", "primary."]),
        prop::sample::select(vec!["", "_id", "-Hash", "s", " value"]),
        any::<prop::sample::Index>(),
        prop::sample::select(vec!["", "-", "_", ".", " "]),
    )
        .prop_map(|(term, upper, prefix, suffix, at, sep)| {
            let mut body: String = term
                .chars()
                .zip(upper.iter().cycle())
                .map(|(c, &u)| if u { c.to_ascii_uppercase() } else { c })
                .collect();
            body.insert_str(at.index(body.len() + 1), sep);
            format!("{prefix}{body}{suffix}")
        })
}

fn public_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(Value::from),
        public_text().prop_map(Value::String),
    ]
}

/// Anything that may hold a secret: a secret string, or a tree with
/// secrets anywhere in it (all of it is under a sensitive key).
fn secret_bearing() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![secret().prop_map(Value::String), public_leaf()];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((public_key(), inner), 0..4)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// Untyped data with secrets planted under sensitive keys at any depth.
fn planted_value() -> impl Strategy<Value = Value> {
    public_leaf().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            (
                prop::collection::vec((public_key(), inner), 0..5),
                prop::collection::vec((sensitive_key(), secret_bearing()), 0..3),
            )
                .prop_map(|(public, sensitive)| {
                    let mut m = Map::new();
                    // Sensitive members last, so a public one of the same
                    // name cannot replace a planted secret.
                    for (k, v) in public.into_iter().chain(sensitive) {
                        m.insert(k, v);
                    }
                    Value::Object(m)
                }),
        ]
    })
}

#[derive(seclog::Redact, Serialize, Debug, Clone)]
struct Account {
    name: String,
    #[redact]
    password: String,
    #[redact(keep_last = 4)]
    card: String,
    #[redact(keep_first = 2)]
    email: Option<String>,
    #[redact(hash)]
    user: String,
    #[redact(skip)]
    otp: String,
    #[redact(serialize)]
    extra: Value,
    login: Login,
    children: Vec<Account>,
}

#[derive(seclog::Redact, Serialize, Debug, Clone)]
#[serde(rename_all = "kebab-case")]
enum Login {
    Anonymous,
    Password {
        user_name: String,
        #[redact]
        password: String,
    },
    ApiKey(#[redact(hash)] String),
    Card(String, #[redact(keep_last = 4)] String),
}

fn login() -> impl Strategy<Value = Login> {
    prop_oneof![
        Just(Login::Anonymous),
        (public_text(), secret()).prop_map(|(user_name, password)| Login::Password {
            user_name,
            password
        }),
        secret().prop_map(Login::ApiKey),
        (public_text(), secret()).prop_map(|(a, b)| Login::Card(a, b)),
    ]
}

fn account() -> impl Strategy<Value = Account> {
    let leaf = (
        public_text(),
        secret(),
        secret(),
        prop::option::of(secret()),
        secret(),
        secret(),
        planted_value(),
        login(),
    )
        .prop_map(
            |(name, password, card, email, user, otp, extra, login)| Account {
                name,
                password,
                card,
                email,
                user,
                otp,
                extra,
                login,
                children: Vec::new(),
            },
        );
    leaf.prop_recursive(3, 12, 3, |inner| {
        (inner.clone(), prop::collection::vec(inner, 0..3)).prop_map(|(mut a, children)| {
            a.children = children;
            a
        })
    })
}

#[derive(seclog::Redact, Serialize, Debug, Clone)]
struct Profile {
    city: String,
    phone: String,
}

#[derive(seclog::Redact, Serialize, Debug, Clone)]
struct Item {
    id: u32,
    note: String,
}

#[derive(seclog::Redact, Serialize, Debug, Clone)]
struct Request {
    account: Account,
    profile: Profile,
    items: Vec<Item>,
}

#[derive(seclog::Redact, Serialize, Debug, Clone)]
struct Reply {
    status: String,
    #[redact]
    token: String,
}

fn request() -> impl Strategy<Value = Request> {
    (
        account(),
        public_text(),
        secret(),
        prop::collection::vec((any::<u32>(), secret()), 0..6),
    )
        .prop_map(|(account, city, phone, items)| Request {
            account,
            profile: Profile { city, phone },
            items: items
                .into_iter()
                .map(|(id, note)| Item { id, note })
                .collect(),
        })
}

/// A configuration: either format, arbitrary (valid) bounds.
#[derive(Debug, Clone, Copy)]
struct Settings {
    pretty: bool,
    record_kib: usize,
    string: usize,
    items: usize,
    depth: usize,
}

impl Settings {
    fn builder(self) -> seclog::Builder {
        seclog::builder()
            .format(if self.pretty {
                Format::Pretty
            } else {
                Format::Json
            })
            .hash_key(KEY)
            .max_record_bytes(self.record_kib * 1024)
            .max_string_bytes(self.string)
            .max_items(self.items)
            .max_depth(self.depth)
    }

    /// For `capture_with`, which collects the records itself.
    fn config(self) -> seclog::Config {
        self.builder()
            .build()
            .expect("the generated bounds are valid")
    }

    /// Writing the records' bytes to `out`, as a process's sink would.
    fn writing_to(self, out: SharedBuffer) -> seclog::Config {
        self.builder()
            .writer(out)
            .build()
            .expect("the generated bounds are valid")
    }
}

fn settings() -> impl Strategy<Value = Settings> {
    (
        prop::bool::ANY,
        8usize..=256,
        16usize..=512,
        1usize..=300,
        2usize..=40,
    )
        .prop_map(|(pretty, record_kib, string, items, depth)| Settings {
            pretty,
            record_kib,
            string,
            items,
            depth,
        })
}

/// The lines written to `out`; bytes that are not UTF-8 fail the test.
fn lines(out: &SharedBuffer) -> Result<Vec<String>, TestCaseError> {
    let text = String::from_utf8(out.bytes())
        .map_err(|e| TestCaseError::fail(format!("output is not UTF-8: {e}")))?;
    prop_assert!(text.ends_with('\n'), "every record ends its line");
    Ok(text.lines().map(str::to_string).collect())
}

// ---------------------------------------------------------------------------
// What is checked.
// ---------------------------------------------------------------------------

/// Every secret of the request, the body and the reply.
fn secrets(req: &Request, body: &Value, reply: &Reply) -> Vec<String> {
    fn of_value(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) if s.len() >= 16 && s.bytes().all(|b| b.is_ascii_uppercase()) => {
                out.push(s.clone())
            }
            Value::Array(items) => items.iter().for_each(|i| of_value(i, out)),
            Value::Object(m) => m.values().for_each(|i| of_value(i, out)),
            _ => {}
        }
    }
    fn of_account(a: &Account, out: &mut Vec<String>) {
        out.extend([
            a.password.clone(),
            a.card.clone(),
            a.user.clone(),
            a.otp.clone(),
        ]);
        out.extend(a.email.clone());
        of_value(&a.extra, out);
        match &a.login {
            Login::Anonymous => {}
            Login::Password { password, .. } => out.push(password.clone()),
            Login::ApiKey(k) => out.push(k.clone()),
            Login::Card(_, c) => out.push(c.clone()),
        }
        a.children.iter().for_each(|c| of_account(c, out));
    }
    let mut out = Vec::new();
    of_account(&req.account, &mut out);
    out.push(req.profile.phone.clone());
    out.extend(req.items.iter().map(|i| i.note.clone()));
    of_value(body, &mut out);
    out.push(reply.token.clone());
    out
}

/// No eight consecutive characters of any secret in any line.
fn assert_no_leak(lines: &[String], secrets: &[String]) -> Result<(), TestCaseError> {
    for secret in secrets {
        for window in secret.as_bytes().windows(8) {
            let window = std::str::from_utf8(window).expect("ASCII");
            for line in lines {
                prop_assert!(
                    !line.contains(window),
                    "`{}` of secret `{}` leaked in:\n{}",
                    window,
                    secret,
                    line
                );
            }
        }
    }
    Ok(())
}

/// JSON records are single lines of valid JSON; no output line has a
/// replacement character (a character split by a cut would show as one).
fn assert_well_formed(lines: &[String], json: bool) -> Result<(), TestCaseError> {
    for line in lines {
        prop_assert!(
            !line.contains('\n') && !line.contains('\r'),
            "a record spans lines: {:?}",
            line
        );
        prop_assert!(
            !line.contains('\u{FFFD}'),
            "a character was split: {}",
            line
        );
        prop_assert!(
            !line.contains('\u{2028}') && !line.contains('\u{2029}'),
            "a raw line separator: {:?}",
            line
        );
        if json {
            let parsed: Result<Value, _> = serde_json::from_str(line);
            prop_assert!(parsed.is_ok(), "not JSON ({:?}): {}", parsed.err(), line);
        }
    }
    Ok(())
}

#[seclog::audit(redact("req.profile.phone", "req.items.*.note"))]
fn handle(req: Request, body: Value) -> Result<Reply, String> {
    let _ = body;
    Ok(Reply {
        status: req.account.name,
        token: req.profile.phone,
    })
}

/// Members flattened in, two levels deep, between members of its own.
#[derive(seclog::Redact, Serialize, Clone, Debug)]
struct Spread {
    a: u32,
    #[serde(flatten)]
    inner: Inner,
    #[serde(flatten)]
    extra: std::collections::BTreeMap<String, u32>,
    z: u32,
}

#[derive(seclog::Redact, Serialize, Clone, Debug)]
struct Inner {
    b: u32,
    #[serde(flatten)]
    more: std::collections::BTreeMap<String, u32>,
}

fn spread() -> impl Strategy<Value = Spread> {
    let map = |prefix: &'static str| {
        prop::collection::vec(any::<u32>(), 0..8).prop_map(move |values| {
            values
                .into_iter()
                .enumerate()
                .map(|(i, v)| (format!("{prefix}{i}"), v))
                .collect()
        })
    };
    (any::<u32>(), any::<u32>(), map("m"), map("x"), any::<u32>()).prop_map(
        |(a, b, more, extra, z)| Spread {
            a,
            inner: Inner { b, more },
            extra,
            z,
        },
    )
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn no_secret_reaches_any_output(
        req in request(),
        body in planted_value(),
        settings in settings(),
    ) {
        let expected = Reply { status: req.account.name.clone(), token: req.profile.phone.clone() };
        let all = secrets(&req, &body, &expected);
        let json = !settings.pretty;

        let run = capture_with(settings.config(), || handle(req.clone(), body.clone()));
        let reply = run.output.as_ref().expect("the handler succeeds");
        prop_assert_eq!(&reply.token, &expected.token, "the handler's value is untouched");
        prop_assert_eq!(run.lines.len(), 2);
        assert_no_leak(&run.lines, &all)?;
        assert_well_formed(&run.lines, json)?;

        // The same through an `io::Write` sink, byte for byte.
        let out = SharedBuffer::default();
        seclog::testing::with_config(settings.writing_to(out.clone()), || handle(req, body)).expect("succeeds");
        let lines = lines(&out)?;
        prop_assert_eq!(lines.len(), 2);
        assert_no_leak(&lines, &all)?;
        assert_well_formed(&lines, json)?;
    }

    #[test]
    fn no_secret_under_a_sensitive_key_reaches_any_output(
        body in planted_value(),
        settings in settings(),
    ) {
        let mut all = Vec::new();
        secrets_of(&body, &mut all);
        let json = !settings.pretty;
        let config = settings.config();
        #[seclog::audit(emit = "end")]
        fn receive(body: Value) -> Value {
            body
        }
        let run = capture_with(config, || receive(body.clone()));
        prop_assert_eq!(&run.output, &body);
        assert_no_leak(&run.lines, &all)?;
        assert_well_formed(&run.lines, json)?;
    }

    #[test]
    fn flattened_members_share_their_outer_objects_bound(
        value in spread(),
        items in 1usize..24,
    ) {
        #[seclog::audit(emit = "end", skip_response)]
        fn take(value: Spread) {
            let _ = value;
        }
        let config = seclog::builder().hash_key(KEY).max_items(items).build().expect("valid");
        let run = capture_with(config, || take(value.clone()));
        let records = run.records();
        let logged = records[0]["seclog"]["input"]["value"].as_object().expect("an object").clone();
        // The members in the order serde writes them, the first `items`
        // of them logged and the rest counted once.
        let mut wire = vec![("a".to_string(), value.a), ("b".to_string(), value.inner.b)];
        wire.extend(value.inner.more.clone());
        wire.extend(value.extra.clone());
        wire.push(("z".to_string(), value.z));
        let mut expected: Map<String, Value> = wire
            .iter()
            .take(items)
            .map(|(k, v)| (k.clone(), Value::from(*v)))
            .collect();
        if wire.len() > items {
            expected.insert(
                "[truncated]".into(),
                Value::from(format!("{} more entries", wire.len() - items)),
            );
        }
        prop_assert_eq!(logged, expected);
    }

    #[test]
    fn the_derive_leaves_serialize_unchanged(account in account()) {
        let wire = serde_json::to_value(&account).expect("serializes");
        prop_assert_eq!(&wire["password"], &Value::String(account.password.clone()));
        prop_assert_eq!(&wire["card"], &Value::String(account.card.clone()));
        prop_assert_eq!(&wire["otp"], &Value::String(account.otp.clone()));
        prop_assert_eq!(&wire["extra"], &account.extra);
        prop_assert_eq!(wire["children"].as_array().map(Vec::len), Some(account.children.len()));
    }

    #[test]
    fn masks_keep_at_most_half_and_never_split_characters(
        text in r"[a-zé€😀A-Z0-9]{0,40}",
        string_limit in 16usize..64,
    ) {
        #[derive(seclog::Redact)]
        struct Masked {
            #[redact(keep_last = 4)]
            last: String,
            #[redact(keep_first = 3)]
            first: String,
        }
        #[seclog::audit(emit = "end")]
        fn mask(value: Masked) {
            let _ = value;
        }
        let config = seclog::builder().hash_key(KEY).max_string_bytes(string_limit).build().expect("valid");
        let run = capture_with(config, || mask(Masked { last: text.clone(), first: text.clone() }));
        assert_well_formed(&run.lines, true)?;
        let records = run.records();
        let logged = &records[0]["seclog"]["input"]["value"];
        let chars: Vec<char> = text.chars().collect();
        for (field, keep, from_end) in [("last", 4usize, true), ("first", 3usize, false)] {
            let kept = if keep * 2 <= chars.len() { keep } else { 0 };
            let expected: String = chars
                .iter()
                .enumerate()
                .map(|(i, &c)| {
                    let visible = if from_end { i >= chars.len() - kept } else { i < kept };
                    if visible { c } else { '*' }
                })
                .collect();
            let shown = logged[field].as_str().expect("a string");
            match shown.find("…[truncated ") {
                // A cut keeps a prefix of the masked text, in whole characters.
                Some(at) => prop_assert!(expected.starts_with(&shown[..at]), "{} of {:?}: {}", field, text, shown),
                None => prop_assert_eq!(shown, expected.as_str()),
            }
        }
    }
}

fn secrets_of(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) if s.len() >= 16 && s.bytes().all(|b| b.is_ascii_uppercase()) => {
            out.push(s.clone())
        }
        Value::Array(items) => items.iter().for_each(|i| secrets_of(i, out)),
        Value::Object(m) => m.values().for_each(|i| secrets_of(i, out)),
        _ => {}
    }
}
