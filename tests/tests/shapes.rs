//! Secrets found by their shape: a JSON Web Token pasted into a comment, an
//! AWS access key id in a derived `note` field, a card number in an `Err`'s
//! message and a private key in a panic message reach no output byte of
//! any sink (capture, `io::Write`, `tracing`) in either format, while the
//! words around them do; every kind is replaced by its marker; ordinary
//! values (UUIDs, order references, timestamps, digests, numbers that fail
//! the Luhn check) are logged exactly; a secret cut by the string limit
//! shows no part of itself; `#[redact(clear)]` text is logged as declared;
//! and finding shapes can be extended and turned off.

use seclog::testing::{capture, capture_with, with_config};
use seclog::Format;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
const AWS_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const CARD: &str = "4111 1111 1111 1111";
const PASSWORD: &str = "Tr0ub4dor&3 battery staple";
const PRIVATE_KEY: &str = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\nKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQJAIJLixBy2qpFoS4DSmoEm\n-----END RSA PRIVATE KEY-----";

/// Distinctive pieces of each secret: none may appear in any output.
fn pieces(secret: &str) -> Vec<String> {
    let mut out = vec![secret.to_string()];
    match secret {
        JWT => out.extend(secret.split('.').map(String::from)),
        CARD => out.extend(["4111111111111111".into(), "4111 1111".into()]),
        PRIVATE_KEY => out.extend(secret.lines().skip(1).take(3).map(|l| l[..24].to_string())),
        PASSWORD => out.extend(secret.split(' ').map(String::from)),
        _ => {}
    }
    out
}

/// A `tracing` layer keeping every field of every event, as text.
#[derive(Clone, Default)]
struct Fields(Arc<Mutex<Vec<u8>>>);

struct Collect<'a>(&'a mut Vec<u8>);

impl tracing::field::Visit for Collect<'_> {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0
            .extend_from_slice(format!("{field}={value}\n").as_bytes());
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0
            .extend_from_slice(format!("{field}={value:?}\n").as_bytes());
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Fields {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        event.record(&mut Collect(&mut self.0.lock().unwrap()));
    }
}

/// What the capture sink, an `io::Write` sink and the `tracing` sink
/// received while `f` ran, in JSON and pretty.
fn every_output(f: impl Fn()) -> Vec<(String, Vec<u8>)> {
    use tracing_subscriber::layer::SubscriberExt;
    let mut outputs = Vec::new();
    for format in [Format::Json, Format::Pretty] {
        let builder = || seclog::builder().format(format).service("shapes");
        let run = capture_with(builder().build().unwrap(), &f);
        outputs.push((
            format!("capture {format:?}"),
            run.lines.join("\n").into_bytes(),
        ));

        let buffer = seclog_tests::SharedBuffer::default();
        with_config(builder().writer(buffer.clone()).build().unwrap(), &f);
        outputs.push((format!("io::Write {format:?}"), buffer.bytes()));

        let fields = Fields::default();
        let subscriber = tracing_subscriber::registry().with(fields.clone());
        let tracing = builder().tracing().build().unwrap();
        seclog_tests::with_subscriber(subscriber, || with_config(tracing, &f));
        let seen = std::mem::take(&mut *fields.0.lock().unwrap());
        outputs.push((format!("tracing {format:?}"), seen));
    }
    outputs
}

/// No piece of `secret` in any output of `f`, and every one of `words`
/// in each.
fn assert_found_everywhere(f: impl Fn(), secret: &str, words: &[&str]) {
    for (sink, output) in every_output(f) {
        let text = String::from_utf8_lossy(&output);
        assert!(!text.is_empty(), "{sink}: no records seen");
        for piece in pieces(secret) {
            // The pretty format and the `tracing` fields escape new lines.
            let escaped = piece.replace('\n', "\\n");
            assert!(
                !text.contains(&piece) && !text.contains(&escaped),
                "{sink}: {piece:?} leaked in {text}"
            );
        }
        for word in words {
            assert!(
                text.contains(word),
                "{sink}: {word:?} is missing from {text}"
            );
        }
    }
}

/// Runs `f`, which panics, without the panic hook's message.
fn quietly(f: impl FnOnce() + std::panic::UnwindSafe) {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = info.to_string();
            let payload = info
                .payload()
                .downcast_ref::<String>()
                .map_or("", String::as_str);
            if !message.contains("cannot load")
                && !message.contains("git clone")
                && !payload.starts_with("storage refused")
            {
                default(info);
            }
        }));
    });
    assert!(std::panic::catch_unwind(f).is_err(), "the handler panicked");
}

#[seclog::audit]
fn post_comment(body: Value) -> u32 {
    body.as_object().map_or(0, |o| o.len() as u32)
}

#[test]
fn a_jwt_pasted_into_a_json_comment_never_reaches_the_output() {
    let comment = format!("my token {JWT} stopped working, please help");
    let body = json!({"ticket": 42, "comment": comment});
    let run = capture(|| post_comment(body.clone()));
    let records = run.records();
    assert_eq!(run.output, 2, "the handler's result is unchanged");
    assert_eq!(
        records[0]["seclog"]["input"]["body"],
        json!({"ticket": 42, "comment": "my token [REDACTED:jwt] stopped working, please help"})
    );
    assert_found_everywhere(
        || {
            post_comment(body.clone());
        },
        JWT,
        &["my token", "stopped working, please help", "[REDACTED:jwt]"],
    );
}

/// Query parameters as API Gateway hands them over: a bare `?<token>`
/// (as a magic link sends) is a key with an empty value.
#[derive(seclog::Redact, serde::Serialize)]
struct Callback {
    query: std::collections::BTreeMap<String, String>,
}

#[seclog::audit]
fn sign_in_callback(callback: Callback, body: Value) -> usize {
    callback.query.len() + body.as_object().map_or(0, |o| o.len())
}

#[test]
fn a_secret_sent_as_a_key_is_replaced_in_the_key() {
    let callback = || Callback {
        query: [
            (JWT.to_string(), String::new()),
            ("lang".into(), "en".into()),
        ]
        .into(),
    };
    let body = json!({
        format!("Bearer {}", &JWT[40..72]): "old session",
        "card 4111-1111-1111-1111": 1,
        "550e8400-e29b-41d4-a716-446655440000": "an id as a key stays",
    });
    let run = capture(|| sign_in_callback(callback(), body.clone()));
    assert_eq!(run.output, 5, "the handler's result is unchanged");
    let input = &run.records()[0]["seclog"]["input"];
    assert_eq!(
        input["callback"]["query"],
        json!({"[REDACTED:jwt]": "", "lang": "en"})
    );
    assert_eq!(
        input["body"],
        json!({
            "Bearer [REDACTED:bearer]": "old session",
            "card [REDACTED:card_number]": 1,
            "550e8400-e29b-41d4-a716-446655440000": "an id as a key stays",
        })
    );
    assert_found_everywhere(
        || {
            sign_in_callback(callback(), body.clone());
        },
        JWT,
        &[
            "[REDACTED:jwt]",
            "lang",
            "old session",
            "an id as a key stays",
        ],
    );
}

/// A proxy response as a handler writes its own type for it: the body is
/// the JSON text the client receives.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct ProxyResponse {
    status_code: u16,
    body: String,
}

#[seclog::audit]
fn refresh_session(user: &str) -> ProxyResponse {
    ProxyResponse {
        status_code: 200,
        body: format!(
            r#"{{"user":"{user}","access_token":"opaque-7Qm2vX9L","expires_in":3600,"refresh_token":"r-51d0c2"}}"#
        ),
    }
}

#[test]
fn tokens_in_a_json_response_body_carried_as_a_string_never_reach_the_output() {
    let run = capture(|| refresh_session("alice"));
    assert!(
        run.output
            .body
            .contains(r#""access_token":"opaque-7Qm2vX9L""#),
        "the handler's result is unchanged"
    );
    let response = &run.records()[1]["seclog"]["response"];
    assert_eq!(response["statusCode"], 200);
    let body: Value = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
    assert_eq!(
        body,
        json!({
            "user": "alice",
            "access_token": "[REDACTED:json_value]",
            "expires_in": 3600,
            "refresh_token": "[REDACTED:json_value]",
        })
    );
    for (sink, output) in every_output(|| {
        refresh_session("alice");
    }) {
        let text = String::from_utf8_lossy(&output);
        assert!(text.contains("expires_in"), "{sink}: {text}");
        for secret in ["opaque-7Qm2vX9L", "r-51d0c2"] {
            assert!(!text.contains(secret), "{sink}: {secret} leaked in {text}");
        }
    }
}

#[seclog::audit(who = user)]
fn refuse_export(user: &str, reason: &str) -> bool {
    seclog::security_event!(authz_fail, resource = reason);
    false
}

#[test]
fn a_secret_in_an_owasp_events_argument_is_replaced_before_it_is_encoded() {
    // Encoded first, the line break would become `%0A` and the card
    // number would follow a letter, which no card number does.
    let reason = format!("export of\n{CARD}");
    let run = capture(|| refuse_export("mallory", &reason));
    let event = &run.records()[1];
    let owasp = event["seclog"]["owasp"].as_str().unwrap();
    assert_eq!(event["message"], owasp, "the summary quotes the event");
    let (name, args) = seclog::owasp::split(owasp).unwrap();
    assert_eq!(name, "authz_fail");
    let args: Vec<String> = args
        .iter()
        .map(|a| seclog::owasp::decode(a).unwrap())
        .collect();
    assert_eq!(args, ["mallory", "export of\n[REDACTED:card_number]"]);
    assert_found_everywhere(
        || {
            refuse_export("mallory", &reason);
        },
        CARD,
        &["authz_fail:mallory,export of%0A[REDACTED%3Acard_number]"],
    );
}

/// A GraphQL request: the operation's name and the client's request id
/// are the client's to choose.
struct Operation {
    name: String,
    request_id: String,
}

impl seclog::context::Describe for Operation {
    fn describe(&self, cx: &mut seclog::context::Context) {
        cx.set_action(&self.name);
        cx.set_request_id(&self.request_id);
    }
}

#[seclog::audit(skip(op))]
fn graphql(op: Operation) -> u32 {
    op.name.len() as u32
}

#[test]
fn an_action_and_an_id_taken_from_the_request_are_scanned() {
    let op = || Operation {
        name: format!("login {AWS_KEY_ID}"),
        request_id: JWT.to_string(),
    };
    let run = capture(|| graphql(op()));
    for record in run.records() {
        assert_eq!(
            record["event"]["action"],
            "login [REDACTED:aws_access_key_id]"
        );
        assert_eq!(record["transaction"]["id"], "[REDACTED:jwt]");
        assert_eq!(record["faas"]["execution"], "[REDACTED:jwt]");
    }
    assert_eq!(
        run.records()[0]["message"],
        "login [REDACTED:aws_access_key_id] started"
    );
    let run_it = || {
        graphql(op());
    };
    assert_found_everywhere(run_it, AWS_KEY_ID, &["login [REDACTED"]);
    assert_found_everywhere(run_it, JWT, &["[REDACTED:jwt]"]);
}

#[derive(seclog::Redact, serde::Serialize)]
struct Ticket {
    id: u32,
    note: String,
}

#[seclog::audit]
fn open_ticket(ticket: Ticket) -> u32 {
    ticket.id
}

#[test]
fn an_aws_key_id_in_a_derived_note_field_never_reaches_the_output() {
    let note = format!("the deploy used {AWS_KEY_ID}, rotate it today");
    let ticket = || Ticket {
        id: 7,
        note: note.clone(),
    };
    let run = capture(|| open_ticket(ticket()));
    assert_eq!(run.output, 7);
    assert_eq!(
        run.records()[0]["seclog"]["input"]["ticket"]["note"],
        "the deploy used [REDACTED:aws_access_key_id], rotate it today"
    );
    assert_found_everywhere(
        || {
            open_ticket(ticket());
        },
        AWS_KEY_ID,
        &["the deploy used", ", rotate it today"],
    );
}

#[seclog::audit]
fn charge(amount: u64) -> Result<u64, String> {
    Err(format!("upstream declined card {CARD} for {amount} cents"))
}

#[test]
fn a_card_number_in_an_err_message_never_reaches_the_output() {
    let run = capture(|| charge(1250));
    assert_eq!(
        run.output,
        Err(format!("upstream declined card {CARD} for 1250 cents")),
        "the handler's error is unchanged"
    );
    let end = &run.records()[1];
    assert_eq!(end["event"]["outcome"], "failure");
    assert_eq!(
        end["error"]["message"],
        "upstream declined card [REDACTED:card_number] for 1250 cents"
    );
    assert_found_everywhere(
        || {
            let _ = charge(1250);
        },
        CARD,
        &["upstream declined card", "for 1250 cents"],
    );
}

#[seclog::audit]
fn load_key(name: &str) -> u32 {
    panic!("cannot load {name}: {PRIVATE_KEY} is encrypted")
}

#[test]
fn a_private_key_in_a_panic_message_never_reaches_the_output() {
    let run = capture(|| {
        quietly(|| {
            load_key("signing");
        })
    });
    let end = &run.records()[1];
    assert_eq!(end["error"]["type"], "panic");
    assert_eq!(
        end["error"]["message"],
        "cannot load signing: [REDACTED:private_key] is encrypted"
    );
    assert_found_everywhere(
        || {
            quietly(|| {
                load_key("signing");
            })
        },
        PRIVATE_KEY,
        &["cannot load signing:", " is encrypted"],
    );
}

const OPENAI_KEY: &str = "sk-proj-4mZ8xQv2Lr7Tn1Kp9Ws3Yd6Fh0Jb5Gc8Ue2Ai4Oo7Sl1Nq3Xt";
const GITHUB_TOKEN: &str = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";

#[seclog::audit]
fn summarize(ticket: u32) -> Result<u32, String> {
    Err(format!(
        "completion failed for ticket {ticket}: 401 Incorrect API key provided: {OPENAI_KEY}"
    ))
}

#[seclog::audit]
fn mirror(repo: &str) -> u32 {
    panic!("git clone https://{GITHUB_TOKEN}@github.com/{repo}.git failed: exit status 128")
}

#[test]
fn a_services_token_in_an_err_or_a_panic_message_never_reaches_the_output() {
    let run = capture(|| summarize(7));
    assert_eq!(
        run.output,
        Err(format!(
            "completion failed for ticket 7: 401 Incorrect API key provided: {OPENAI_KEY}"
        )),
        "the handler's error is unchanged"
    );
    assert_eq!(
        run.records()[1]["error"]["message"],
        "completion failed for ticket 7: 401 Incorrect API key provided: [REDACTED:service_token]"
    );
    assert_found_everywhere(
        || {
            let _ = summarize(7);
        },
        OPENAI_KEY,
        &[
            "completion failed for ticket 7",
            "Incorrect API key provided: ",
        ],
    );
    let run = capture(|| {
        quietly(|| {
            mirror("acme/orders");
        })
    });
    assert_eq!(
        run.records()[1]["error"]["message"],
        "git clone https://[REDACTED:service_token]@github.com/acme/orders.git failed: exit status 128"
    );
    assert_found_everywhere(
        || {
            quietly(|| {
                mirror("acme/orders");
            })
        },
        GITHUB_TOKEN,
        &["git clone https://", "@github.com/acme/orders.git failed"],
    );
}

/// A rejected sign-in, as a user's code keeps it: `Debug` prints the
/// password with the rest.
#[derive(Debug)]
#[allow(dead_code)]
struct Rejected {
    reason: &'static str,
    user: String,
    password: String,
}

fn check_password(user: &str, password: &str) -> Result<u32, Rejected> {
    Err(Rejected {
        reason: "cannot load profile",
        user: user.into(),
        password: password.into(),
    })
}

#[seclog::audit(skip(password))]
fn sign_in_or_panic(user: &str, password: &str) -> u32 {
    check_password(user, password).unwrap()
}

#[seclog::audit(skip(password))]
fn sign_in(user: &str, password: &str) -> Result<u32, String> {
    check_password(user, password).map_err(|e| format!("sign-in failed: {e:?}"))
}

#[test]
fn a_password_in_the_debug_of_a_struct_in_a_panic_or_err_message_never_reaches_the_output() {
    let run = capture(|| {
        quietly(|| {
            sign_in_or_panic("bob", PASSWORD);
        })
    });
    let end = &run.records()[1];
    assert_eq!(end["error"]["type"], "panic");
    assert_eq!(
        end["error"]["message"],
        "called `Result::unwrap()` on an `Err` value: Rejected { reason: \"cannot load profile\", \
         user: \"bob\", password: \"[REDACTED:key_value]\" }"
    );
    let run = capture(|| sign_in("bob", PASSWORD));
    assert!(
        run.output.as_ref().is_err_and(|e| e.contains(PASSWORD)),
        "the handler's error is unchanged"
    );
    assert_eq!(
        run.records()[1]["error"]["message"],
        "sign-in failed: Rejected { reason: \"cannot load profile\", user: \"bob\", \
         password: \"[REDACTED:key_value]\" }"
    );
    assert_found_everywhere(
        || {
            let _ = sign_in("bob", PASSWORD);
            quietly(|| {
                sign_in_or_panic("bob", PASSWORD);
            });
        },
        PASSWORD,
        &["sign-in failed: Rejected", "user: \\\"bob\\\", password: "],
    );
}

/// A configuration as a user's code reads it: untyped, and printed with
/// `{:?}` when it is refused.
fn storage_config(account_key: &str) -> serde_json::Value {
    serde_json::json!({
        "account": "acmeprodlogs",
        "account_key": account_key,
        "connection": format!(
            "DefaultEndpointsProtocol=https;AccountName=acmeprodlogs;AccountKey={account_key};EndpointSuffix=core.windows.net"
        ),
    })
}

#[seclog::audit(skip(account_key))]
fn open_storage(account_key: &str) -> Result<u32, String> {
    Err(format!(
        "storage refused: {:?}",
        storage_config(account_key)
    ))
}

#[seclog::audit(skip(account_key))]
fn open_storage_or_panic(account_key: &str) -> u32 {
    panic!("storage refused: {:#?}", storage_config(account_key))
}

const ACCOUNT_KEY: &str =
    "yOKhJXvbJWybPk+7SYFG73Awy/lTclLczq3XZLajL7sJrerhCcSplyA5dTUrh4sUXIpC2ITPTP2nLY4dXdkliQ==";

#[test]
fn a_key_in_the_debug_of_untyped_data_in_an_err_or_a_panic_message_never_reaches_the_output() {
    let run = capture(|| open_storage(ACCOUNT_KEY));
    assert!(
        run.output.as_ref().is_err_and(|e| e.contains(ACCOUNT_KEY)),
        "the handler's error is unchanged"
    );
    assert_eq!(
        run.records()[1]["error"]["message"],
        "storage refused: Object {\"account\": String(\"acmeprodlogs\"), \
         \"account_key\": [REDACTED:json_value], \"connection\": String(\"DefaultEndpointsProtocol=https;\
         AccountName=acmeprodlogs;AccountKey=[REDACTED:query_param];EndpointSuffix=core.windows.net\")}"
    );
    let run = capture(|| {
        quietly(|| {
            open_storage_or_panic(ACCOUNT_KEY);
        })
    });
    let end = &run.records()[1];
    assert_eq!(end["error"]["type"], "panic");
    assert_eq!(
        end["error"]["message"],
        "storage refused: Object {\n    \"account\": String(\"acmeprodlogs\"),\n    \
         \"account_key\": [REDACTED:json_value],\n    \"connection\": \
         String(\"DefaultEndpointsProtocol=https;AccountName=acmeprodlogs;\
         AccountKey=[REDACTED:query_param];EndpointSuffix=core.windows.net\"),\n}"
    );
    assert_found_everywhere(
        || {
            let _ = open_storage(ACCOUNT_KEY);
            quietly(|| {
                open_storage_or_panic(ACCOUNT_KEY);
            });
        },
        ACCOUNT_KEY,
        &[
            "storage refused: Object",
            "AccountName=acmeprodlogs;AccountKey=",
        ],
    );
}

#[seclog::audit]
fn note(text: &str) {}

/// The text `note` logs for `text`, with the default configuration.
fn logged(text: &str) -> Value {
    capture(|| note(text)).records()[0]["seclog"]["input"]["text"].clone()
}

#[test]
fn every_kind_is_replaced_by_its_marker_and_nothing_around_it() {
    for (text, expected) in [
        (
            format!("jwt {JWT} end"),
            "jwt [REDACTED:jwt] end".to_string(),
        ),
        (
            "Authorization: Bearer mF_9.B5f-4.1JqM1x, retried".into(),
            "Authorization: Bearer [REDACTED:bearer], retried".into(),
        ),
        (
            "Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ== sent".into(),
            "Authorization: Basic [REDACTED:basic] sent".into(),
        ),
        (
            format!("key={AWS_KEY_ID}; temporary ASIAY34FZKBOKMUTVV7A."),
            "key=[REDACTED:aws_access_key_id]; temporary [REDACTED:aws_access_key_id].".into(),
        ),
        (
            format!("loaded\n{PRIVATE_KEY}\nthen failed"),
            "loaded\n[REDACTED:private_key]\nthen failed".into(),
        ),
        (
            "cards 4111-1111-1111-1111 and 378282246310005 declined".into(),
            "cards [REDACTED:card_number] and [REDACTED:card_number] declined".into(),
        ),
        (
            "POST /login?user=alice&password=hunter2&next=/home".into(),
            "POST /login?user=alice&password=[REDACTED:query_param]&next=/home".into(),
        ),
        (
            "grant_type=password&client_secret=s3cr3t&scope=read".into(),
            "grant_type=password&client_secret=[REDACTED:query_param]&scope=read".into(),
        ),
        (
            "connect failed: postgres://app:hunter2@db:5432/orders".into(),
            "connect failed: postgres://app:[REDACTED:url_password]@db:5432/orders".into(),
        ),
        (
            r#"upstream 400: {"user":"bob","password":"hunter2"}"#.into(),
            r#"upstream 400: {"user":"bob","password":"[REDACTED:json_value]"}"#.into(),
        ),
        (
            format!("rotated {GITHUB_TOKEN} and {OPENAI_KEY}."),
            "rotated [REDACTED:service_token] and [REDACTED:service_token].".into(),
        ),
        (
            "alert failed: POST https://hooks.slack.com/services/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 returned 404".into(),
            "alert failed: POST https://hooks.slack.com/services/[REDACTED:service_token] returned 404".into(),
        ),
        (
            "error sending request for url (https://generativelanguage.googleapis.com/v1beta/models/gemini-pro:generateContent?key=AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY)".into(),
            "error sending request for url (https://generativelanguage.googleapis.com/v1beta/models/gemini-pro:generateContent?key=[REDACTED:service_token])".into(),
        ),
        (
            "config: {\n  user: app\n  secret: s3cr3t\n}".into(),
            "config: {\n  user: app\n  secret: [REDACTED:key_value]\n}".into(),
        ),
    ] {
        assert_eq!(logged(&text), Value::String(expected), "{text}");
    }
}

#[test]
fn ordinary_values_are_logged_exactly() {
    for text in [
        "550e8400-e29b-41d4-a716-446655440000",
        "order ORD-2024-000123 shipped to 221B Baker Street",
        "2026-11-27T18:40:00.123456Z",
        "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "invoice 4111 1111 1111 1112 is not a card",
        "order 1234567890123 and phone +44 20 7946 0958",
        "the bearer of this letter, basic rules, Bearer abcdefghij",
        "eyJ is how JSON starts in base64, heyJude.mp3.bak",
        "a=b&c=d count=3",
        "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----",
        "naïve café — ☃ 東京 \u{1b}[0m",
    ] {
        assert_eq!(logged(text), Value::String(text.into()), "{text}");
    }
}

#[test]
fn a_secret_cut_by_the_string_limit_shows_no_part_of_itself() {
    const LIMIT: usize = 4096;
    let config = seclog::builder().build().unwrap();
    assert_eq!(config.limits().max_string_bytes, LIMIT);
    for (secret, marker) in [
        (JWT, "[REDACTED:jwt]"),
        (AWS_KEY_ID, "[REDACTED:aws_access_key_id]"),
        (CARD, "[REDACTED:card_number]"),
        (PRIVATE_KEY, "[REDACTED:private_key]"),
    ] {
        // The secret begins well before the cut, just before it, at it.
        for at in [
            LIMIT - 40,
            LIMIT - 27,
            LIMIT - 12,
            LIMIT - 5,
            LIMIT - 1,
            LIMIT,
        ] {
            for after in [0, 1, 100] {
                let text = format!("{} {secret} {}", "x".repeat(at - 1), "y".repeat(after));
                let as_logged = format!("{} {marker} {}", "x".repeat(at - 1), "y".repeat(after));
                let value = logged(&text);
                let value = value.as_str().unwrap();
                let (shown, cut) = match value.rsplit_once("…[truncated ") {
                    Some((shown, count)) => (shown, count.strip_suffix(" bytes]").unwrap()),
                    None => (value, "0"),
                };
                // What is shown is the text as logged, cut, and the count
                // is what was left of it.
                assert!(
                    as_logged.starts_with(shown),
                    "{secret:.8}… at {at}: {shown:.40}"
                );
                assert_eq!(cut.parse::<usize>().unwrap(), as_logged.len() - shown.len());
                assert!(shown.len() <= LIMIT);
                // The marker is there whole when it fits, else nothing of
                // the secret's place is.
                if at + marker.len() <= LIMIT {
                    assert!(shown.contains(marker), "{secret:.8}… at {at}");
                } else {
                    assert!(
                        shown.len() <= at,
                        "{secret:.8}… at {at}: a marker is never split"
                    );
                }
            }
        }
    }
}

/// Logs a text holding a JWT ever closer to the string limit with `log`,
/// which returns the text as logged and every line written, and checks
/// that no part of the token shows, whether the text was cut or not.
fn assert_a_jwt_at_the_limit_shows_no_part(log: impl Fn(&str) -> (String, Vec<String>)) {
    for at in [4096 - 60, 4096 - 40, 4096 - 20, 4096 - 5, 4096] {
        let text = format!("{} {JWT} trailing words", "x".repeat(at - 1));
        let (logged, lines) = log(&text);
        let shown = logged.split("…[truncated ").next().unwrap();
        assert!(shown.len() <= 4096);
        assert!(
            !shown.contains("eyJ"),
            "at {at}: {}",
            &shown[shown.len() - 30..]
        );
        assert!(lines.iter().all(|l| !l.contains(&JWT[..12])));
    }
}

#[test]
fn a_secret_in_a_key_cut_by_the_string_limit_shows_no_part_of_itself() {
    assert_a_jwt_at_the_limit_shows_no_part(|key| {
        let run = capture(|| post_comment(json!({ key: 1 })));
        let body = &run.records()[0]["seclog"]["input"]["body"];
        let key = body.as_object().unwrap().keys().next().unwrap().clone();
        (key, run.lines)
    });
}

#[test]
fn a_secret_in_who_cut_by_the_string_limit_shows_no_part_of_itself() {
    // `who` is kept past the limit, so it is scanned before it is cut.
    assert_a_jwt_at_the_limit_shows_no_part(|user| {
        let run = capture(|| whoami(user, "agent"));
        let id = run.records()[0]["user"]["id"].as_str().unwrap().to_string();
        (id, run.lines)
    });
}

#[derive(seclog::Redact, serde::Serialize)]
struct Example {
    /// Documentation samples are public: declared so.
    #[redact(clear)]
    sample_token: String,
    note: String,
}

#[seclog::audit]
fn show_example(example: Example) {}

#[test]
fn the_text_of_a_clear_field_is_logged_as_declared() {
    let run = capture(|| {
        show_example(Example {
            sample_token: format!("AWS docs use {AWS_KEY_ID}"),
            note: format!("AWS docs use {AWS_KEY_ID}"),
        })
    });
    let example = &run.records()[0]["seclog"]["input"]["example"];
    assert_eq!(
        example["sample_token"],
        format!("AWS docs use {AWS_KEY_ID}")
    );
    assert_eq!(example["note"], "AWS docs use [REDACTED:aws_access_key_id]");
}

#[seclog::audit(who = user, user_agent = agent)]
fn whoami(user: &str, agent: &str) {}

#[test]
fn who_and_user_agent_values_are_scanned() {
    let run = capture(|| whoami(JWT, &format!("deploy-bot/1.0 (key {AWS_KEY_ID})")));
    let start = &run.records()[0];
    assert_eq!(start["user"]["id"], "[REDACTED:jwt]");
    assert_eq!(
        start["user_agent"]["original"],
        "deploy-bot/1.0 (key [REDACTED:aws_access_key_id])"
    );
    assert!(run
        .lines
        .iter()
        .all(|l| !l.contains(AWS_KEY_ID) && !l.contains(JWT)));
}

/// `EMP-` and six digits.
fn employee_id(text: &str, from: usize) -> Option<std::ops::Range<usize>> {
    let at = from + text.get(from..)?.find("EMP-")?;
    let digits = text.as_bytes().get(at + 4..at + 10)?;
    if digits.iter().all(u8::is_ascii_digit) {
        Some(at..at + 10)
    } else {
        employee_id(text, at + 4)
    }
}

#[test]
fn a_shape_of_the_users_own_is_found_in_every_text() {
    let config = seclog::builder()
        .secret_shape("employee_id", employee_id)
        .build()
        .unwrap();
    let run = capture_with(config, || {
        whoami("EMP-004211", "tool EMP-123456");
        note("approved by EMP-004211 and EMP-12 (not one)");
    });
    let records = run.records();
    assert_eq!(records[0]["user"]["id"], "[REDACTED:employee_id]");
    assert_eq!(
        records[0]["user_agent"]["original"],
        "tool [REDACTED:employee_id]"
    );
    assert_eq!(
        records[2]["seclog"]["input"]["text"],
        "approved by [REDACTED:employee_id] and EMP-12 (not one)"
    );
    // Built-in shapes are still found alongside.
    let text = format!("EMP-004211 used {AWS_KEY_ID}");
    let redacted = with_config(config, || seclog::redact_text(&text).into_owned());
    assert_eq!(
        redacted,
        "[REDACTED:employee_id] used [REDACTED:aws_access_key_id]"
    );
}

#[test]
fn a_shape_name_that_is_not_a_kind_name_is_a_configuration_error() {
    for name in [
        "",
        "Employee",
        "employee id",
        "a]b",
        "jwt",
        &*"x".repeat(33).leak(),
    ] {
        let err = seclog::builder()
            .secret_shape(name, employee_id)
            .build()
            .unwrap_err();
        assert_eq!(err, seclog::ConfigError::InvalidShapeName { name });
        assert!(err.to_string().contains("a-z, 0-9 and _"), "{err}");
    }
}

#[test]
fn finding_shapes_can_be_turned_off() {
    let text = format!("key {AWS_KEY_ID} and card {CARD}");
    let off = seclog::builder().shape_detection(false).build().unwrap();
    let run = capture_with(off, || note(&text));
    assert_eq!(run.records()[0]["seclog"]["input"]["text"], text);
    assert_eq!(
        with_config(off, || seclog::redact_text(&text).into_owned()),
        text
    );
    // On by default.
    assert_ne!(logged(&text), Value::String(text.clone()));
}

#[test]
fn terms_added_at_run_time_make_sensitive_query_keys() {
    let config = seclog::builder().sensitive_key("pin").build().unwrap();
    let run = capture_with(config, || note("POST /atm?account=42&pin=1234"));
    assert_eq!(
        run.records()[0]["seclog"]["input"]["text"],
        "POST /atm?account=42&pin=[REDACTED:query_param]"
    );
    assert_eq!(
        logged("POST /atm?account=42&pin=1234"),
        "POST /atm?account=42&pin=1234"
    );
}

#[test]
fn redact_text_redacts_as_records_do() {
    for text in [
        format!("jwt {JWT} and {CARD}"),
        "password=hunter2 done".into(),
        "nothing to see here".into(),
    ] {
        assert_eq!(
            logged(&text),
            Value::String(seclog::redact_text(&text).into_owned())
        );
    }
}
