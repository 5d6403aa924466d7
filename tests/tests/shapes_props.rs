//! Properties of finding secrets by their shape, for every input
//! (proptest):
//!
//! - a secret of every kind, planted anywhere in random text (in a derived
//!   field, untyped JSON's values and keys, `who`, an `Err`'s message, a
//!   panic message, an OWASP event's argument and every part of the
//!   context a handler can set),
//!   appears in no output of the capture sink, an `io::Write` sink or the
//!   `tracing` sink, in JSON or pretty, while the text around it does;
//! - random text holding no secret is logged byte for byte;
//! - what is logged is what `seclog::redact_text` says.
//!
//! Secrets are made so that their distinctive parts (eight characters or
//! more mixing upper case and digits) occur nowhere else, so finding one
//! in the output is a leak, never a coincidence. `PROPTEST_CASES` runs
//! more cases.

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError};
use seclog::testing::{capture_with, with_config};
use seclog::Format;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex, OnceLock};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: seclog_tests::proptest_cases(40),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------
// Secrets of every kind, with what must not be seen of them.
// ---------------------------------------------------------------------------

/// A secret as planted, and the parts of it that must not be seen.
#[derive(Debug, Clone)]
struct Secret {
    text: String,
    parts: Vec<String>,
    /// A private key without its end line: redacted to the end of the text.
    to_the_end: bool,
}

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.len();
        let v = u32::from(chunk[0]) << 16
            | u32::from(*chunk.get(1).unwrap_or(&0)) << 8
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= n {
                out.push(B64[(v >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Distinctive: upper-case letters and digits, which the surrounding text
/// never holds together.
fn distinctive(len: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Z][0-9][A-Z0-9]{{{},{}}}", len.start, len.end))
        .expect("a valid pattern")
}

fn jwt() -> impl Strategy<Value = Secret> {
    (
        "[A-Za-z0-9_-]{7,40}",
        distinctive(8..60),
        "[A-Za-z0-9_-]{0,43}",
        0..3usize,
    )
        .prop_map(|(header, payload, signature, form)| {
            let mut text = format!("eyJ{header}.{payload}.{signature}");
            match form {
                // Encrypted: five segments.
                1 if !signature.is_empty() => text.push_str(&format!(".{payload}Q.tag")),
                // Encrypted with a key agreed directly: the key's segment
                // empty.
                2 => text = format!("eyJ{header}..iv{signature}.{payload}.tag"),
                _ => {}
            }
            Secret {
                text,
                parts: vec![payload],
                to_the_end: false,
            }
        })
}

fn bearer() -> impl Strategy<Value = Secret> {
    (
        prop::sample::select(vec!["Bearer", "bearer", "BEARER"]),
        distinctive(6..40),
        "[a-z][a-z0-9._~+/-]{0,8}",
        any::<bool>(),
    )
        // Digits and lower case: a credential, not a word. Also as the
        // `headers` crate's `Debug` prints one.
        .prop_map(|(scheme, token, tail, tuple)| Secret {
            text: match tuple {
                false => format!("{scheme} {token}{tail}"),
                true => format!(r#"Authorization({scheme}("{token}{tail}"))"#),
            },
            parts: vec![token],
            to_the_end: false,
        })
}

fn basic() -> impl Strategy<Value = Secret> {
    (
        prop::sample::select(vec!["Basic", "basic"]),
        "[a-z]{1,12}",
        distinctive(8..24),
    )
        .prop_map(|(scheme, user, password)| {
            let credential = base64(format!("{user}:{password}").as_bytes());
            Secret {
                text: format!("{scheme} {credential}"),
                parts: vec![credential],
                to_the_end: false,
            }
        })
}

fn aws() -> impl Strategy<Value = Secret> {
    (
        prop::sample::select(vec!["AKIA", "ASIA"]),
        "[A-Z0-9]{2}[0-9][A-Z0-9]{13}",
    )
        .prop_map(|(prefix, rest)| {
            let text = format!("{prefix}{rest}");
            Secret {
                parts: vec![text.clone()],
                text,
                to_the_end: false,
            }
        })
}

/// A secret in JSON text carried base64-encoded, as a Kinesis or Kafka
/// record's data or a registry's auth header carries it (base64 or
/// base64url, padded or not): the run, whole, must not be logged.
fn base64_json() -> impl Strategy<Value = Secret> {
    use base64::Engine as _;
    (
        prop_oneof![quoted_pair(), jwt(), card(), aws()],
        any::<bool>(),
    )
        .prop_map(|(secret, url)| {
            let json = match secret.text.starts_with('{') {
                true => format!(r#"{{"n":1,"d":{}}}"#, secret.text),
                false => format!(r#"{{"n":1,"d":"{}"}}"#, secret.text),
            };
            let encoded = match url {
                true => base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&json),
                false => base64::engine::general_purpose::STANDARD.encode(&json),
            };
            Secret {
                parts: vec![encoded.trim_end_matches('=').to_string()],
                text: encoded,
                to_the_end: false,
            }
        })
}

/// Up to 80 bytes of `text` either side of `len` bytes at `at`, cut at
/// characters' boundaries.
fn around(text: &str, at: usize, len: usize) -> &str {
    let mut start = at.saturating_sub(80);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (at + len + 80).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    &text[start..end]
}

/// An AWS session token: its prefix, then base64 with `/`, `+` and
/// padding (the distinctive part in it must not be logged).
fn session_token() -> impl Strategy<Value = Secret> {
    (
        "[A-Za-z0-9+/]{0,40}",
        distinctive(90..120),
        "[A-Za-z0-9+/]{0,40}",
        prop::sample::select(vec!["", "=", "=="]),
    )
        .prop_map(|(head, body, tail, padding)| Secret {
            text: format!("IQoJb3JpZ2luX2Vj{head}{body}{tail}{padding}"),
            parts: vec![body],
            to_the_end: false,
        })
}

/// A service's token: its prefix, then a body of its alphabet (the
/// distinctive part, upper-case letters and digits, is what must not be
/// logged), long enough, with lower-case letters where its random part
/// has both cases.
fn service_token() -> impl Strategy<Value = Secret> {
    (
        prop::sample::select(vec![
            ("ghp_", "[a-z]{1,6}"),
            ("gho_", "[a-z]{1,6}"),
            ("ghs_", "[a-z]{1,6}"),
            ("github_pat_", "[a-z_]{10,20}"),
            ("sk-proj-", "[a-z_-]{0,8}"),
            ("sk-ant-api03-", "[a-z_-]{0,8}"),
            ("sk_live_", "[a-z]{1,6}"),
            ("rk_test_", "[a-z]{1,6}"),
            ("whsec_", "[a-z]{0,6}"),
            ("npm_", "[a-z]{1,6}"),
            ("hf_", "[a-z]{1,6}"),
            ("xoxb-123456789012-1234567890123-", "[a-z-]{0,6}"),
            ("xoxp-1234567890-1234567890-", "[a-z-]{0,6}"),
            ("AIza", "[a-z]{1,6}"),
            ("dckr_pat_", "[a-z][a-z_-]{0,5}"),
            ("glsa_", "[a-z][a-z_]{0,5}"),
            ("pscale_tkn_", "[a-z][a-z_-]{0,5}"),
            ("lin_api_", "[a-z]{1,6}"),
            ("ntn_", "[a-z]{1,6}"),
            ("figd_", "[a-z][a-z_-]{0,5}"),
            ("gsk_", "[a-z]{1,6}"),
            ("hcaik_01", "[a-z0-9]{20,30}"),
        ]),
        distinctive(40..60),
    )
        .prop_flat_map(|((prefix, tail), body)| {
            proptest::string::string_regex(tail)
                .expect("a valid pattern")
                .prop_map(move |tail| {
                    let text = format!("{prefix}{body}{tail}");
                    Secret {
                        text,
                        parts: vec![body.clone()],
                        to_the_end: false,
                    }
                })
        })
}

/// An incoming webhook's URL, whose path after its known beginning is the
/// secret, or Telegram's bot API's, whose path holds the bot's token (the
/// distinctive part in it must not be logged).
fn webhook() -> impl Strategy<Value = Secret> {
    (
        prop::sample::select(vec![
            "https://hooks.slack.com/services/T0A1B2C3D/B0A1B2C3D/",
            "https://discord.com/api/webhooks/1234567890123456789/",
            "https://canary.discord.com/api/webhooks/1234567890123456789/",
            "https://api.telegram.org/bot6386605549:AA",
        ]),
        distinctive(30..40),
    )
        .prop_map(|(url, secret)| Secret {
            text: format!("{url}{secret}"),
            parts: vec![secret],
            to_the_end: false,
        })
}

fn private_key() -> impl Strategy<Value = Secret> {
    (
        prop::sample::select(vec![
            "PRIVATE KEY",
            "RSA PRIVATE KEY",
            "EC PRIVATE KEY",
            "OPENSSH PRIVATE KEY",
            "ENCRYPTED PRIVATE KEY",
        ]),
        prop::collection::vec(distinctive(20..64), 1..4),
        any::<bool>(),
    )
        .prop_map(|(label, lines, ended)| {
            let mut text = format!("-----BEGIN {label}-----\n{}", lines.join("\n"));
            if ended {
                text.push_str(&format!("\n-----END {label}-----"));
            }
            Secret {
                text,
                parts: lines,
                to_the_end: !ended,
            }
        })
}

/// A Luhn-valid number of 13 to 19 digits that begins as a card may
/// (from 2 to 9, or 1 for the 15 digits of an airline's), in one group or
/// in groups of four joined by spaces, dashes, `+` (a form body's space)
/// or `%20` (a URL's).
fn card() -> impl Strategy<Value = Secret> {
    let digits = prop_oneof![
        (2u8..10, prop::collection::vec(0u8..10, 11..18)),
        (Just(1u8), prop::collection::vec(0u8..10, 13..=13)),
    ];
    (digits, prop::sample::select(vec!["", " ", "-", "+", "%20"])).prop_map(
        |((first, rest), separator)| {
            let mut digits = vec![first];
            digits.extend(rest);
            // The check digit that makes the Luhn sum a multiple of ten.
            let sum: u32 = digits
                .iter()
                .rev()
                .enumerate()
                .map(|(k, &d)| {
                    let d = u32::from(d);
                    if k % 2 == 0 {
                        if d * 2 > 9 {
                            d * 2 - 9
                        } else {
                            d * 2
                        }
                    } else {
                        d
                    }
                })
                .sum();
            digits.push(((10 - sum % 10) % 10) as u8);
            let plain: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
            let grouped: Vec<&str> = plain
                .as_bytes()
                .chunks(4)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect();
            let text = grouped.join(separator);
            Secret {
                parts: vec![plain, text.clone()],
                text,
                to_the_end: false,
            }
        },
    )
}

fn query() -> impl Strategy<Value = Secret> {
    (
        prop::sample::select(vec![
            "password",
            "passwd",
            "token",
            "access_token",
            "client_secret",
            "api_key",
            "apiKey",
            "session",
            "Authorization",
            "card-number",
            "ssn",
        ]),
        distinctive(6..30),
        "[a-z0-9%._~-]{0,6}",
    )
        .prop_map(|(key, value, tail)| {
            let value = format!("{value}{tail}");
            Secret {
                text: format!("{key}={value}"),
                parts: vec![value],
                to_the_end: false,
            }
        })
}

/// A URL with a password, as a connection string in an error has it.
fn url() -> impl Strategy<Value = Secret> {
    (
        prop::sample::select(vec![
            "postgres",
            "mysql",
            "redis",
            "amqp",
            "https",
            "mongodb+srv",
        ]),
        "[a-z_]{0,8}",
        distinctive(8..24),
        "(@[a-z]{1,4})?",
        "[a-z]{1,10}(\\.[a-z]{2,5})?(:[0-9]{2,5})?",
        "(/[a-z]{0,8})?",
    )
        .prop_map(|(scheme, user, password, at, host, path)| Secret {
            text: format!("{scheme}://{user}:{password}{at}@{host}{path}"),
            parts: vec![password],
            to_the_end: false,
        })
}

/// A value under a sensitive key in JSON quoted as text, as an upstream
/// error quotes a request body (or JSON inside a JSON string, its quotes
/// escaped).
fn quoted_pair() -> impl Strategy<Value = Secret> {
    (
        prop::sample::select(vec!["password", "api_key", "client_secret", "token", "ssn"]),
        distinctive(6..30),
        prop::sample::select(vec![r#"""#, r#"\""#]),
        prop::sample::select(vec![":", ": "]),
        // The value alone, in an array, or in an object.
        0..3usize,
    )
        .prop_map(|(key, value, quote, colon, nest)| {
            let string = format!("{quote}{value}{quote}");
            let value_text = match nest {
                0 => string,
                1 => format!("[{string}, 1]"),
                _ => format!("{{{quote}k{quote}:{string}}}"),
            };
            Secret {
                text: format!("{{{quote}{key}{quote}{colon}{value_text}}}"),
                parts: vec![value],
                to_the_end: false,
            }
        })
}

/// A value under a sensitive key of a `key: value` pair in text: Rust's
/// `Debug` of a struct (quoted, in `Some(…)`, pretty) or of a
/// `serde_json::Value` (one line, pretty), YAML, a header dump, a Python
/// dict, a tuple struct named for a secret
/// (`ClientSecret("…")`), TOML (`key = "…"`), logfmt (`key="…"`), a
/// YAML block scalar, `Debug` of a name and value pair, PostgreSQL's
/// detail of a key's violation, serde's complaint at a path or for a
/// configuration's key, a TOML error's
/// excerpt, a JSON Web Key's private member. A quoted
/// value may hold a space.
fn text_pair() -> impl Strategy<Value = Secret> {
    (
        prop::sample::select(vec![
            "password",
            "api_key",
            "X-Api-Key",
            "client_secret",
            "ssn",
        ]),
        distinctive(6..20),
        prop::option::of(distinctive(2..10)),
        0..27usize,
    )
        .prop_map(|(key, value, second, form)| {
            let camel: String = key
                .split(['_', '-'])
                .map(|w| w[..1].to_uppercase() + &w[1..])
                .collect();
            let quoted = match &second {
                Some(second) => format!("{value} {second}"),
                None => value.clone(),
            };
            let text = match form {
                0 => format!(r#"Login {{ user: "bob", {key}: "{quoted}", n: 1 }}"#),
                1 => format!(r#"Login {{ {key}: Some("{quoted}") }}"#),
                2 => format!(
                    "Login {{
    {key}: \"{quoted}\",
}}"
                ),
                3 => format!("\n{key}: {value}\nrole: admin"),
                4 => format!("\r\nHost: example.com\r\n{key}: {value}\r\n"),
                5 => format!(r#"rejected {camel}("{quoted}")"#),
                6 => format!("[auth]\n{key} = \"{quoted}\"\nn = 1"),
                7 => format!(r#"level=warn {key}="{quoted}" n=1"#),
                8 => format!("\ndb:\n  {key}: |\n    {value}\n    {quoted}\n  n: 1\n"),
                // `{:?}` and `{:#?}` of a `serde_json::Value`, and a map
                // of `Option`s.
                9 => format!(r#"Object {{"user": String("bob"), "{key}": String("{quoted}")}}"#),
                10 => {
                    format!("Object {{\n    \"{key}\": String(\n        \"{quoted}\",\n    ),\n}}")
                }
                11 => format!(r#"{{"{key}": Some("{quoted}"), "n": None}}"#),
                // A list of pairs, as `{:?}` prints a form's parameters.
                12 => format!(r#"[("user", "bob"), ("{key}", "{quoted}")]"#),
                // A header given on a command line.
                13 => format!(r#"curl -H "{key}: {quoted}" https://api.example.com"#),
                // A list of variables: a sensitive name, then its value.
                14 => format!(
                    r#"{{"env": [{{"name": "STAGE", "value": "prod"}}, {{"name": "{key}", "value": "{quoted}"}}]}}"#
                ),
                15 => format!("\nenv:\n  - name: {key}\n    value: {value}\n"),
                // A command line's flag, as `{:?}` of a `Command` quotes it.
                16 => format!(r#""tool" "--{key}" "{quoted}" "-v""#),
                // A struct under a quoted key, as a map of headers prints
                // its values.
                17 => format!(r#"{{"{key}": HeaderValue {{ _private: H1("{quoted}") }}, "n": 1}}"#),
                // An XML element named for a secret, in a document with a
                // namespace (a SOAP body, an AWS response).
                18 => format!(r#"<r xmlns="urn:x"><n:{camel}>{quoted}</n:{camel}><id>7</id></r>"#),
                // `Debug` of a name and value pair (k8s-openapi, the AWS
                // SDK).
                19 => format!(
                    r#"[EnvVar {{ name: "{key}", value: Some("{quoted}"), value_from: None }}]"#
                ),
                20 => format!(
                    r#"Parameter {{ parameter_key: Some("{camel}"), parameter_value: Some("{quoted}") }}"#
                ),
                // A database error's key whose column is sensitive.
                21 => format!(r#"detail: Some("Key ({key})=({quoted}) already exists.")"#),
                // serde's complaint at the key's path, as axum's rejection
                // of a JSON body words it; a line a TOML error quotes.
                23 => format!(
                    "Failed to deserialize the JSON body into the target type: {key}: invalid type: string {quoted:?}, expected u32 at line 1 column 9"
                ),
                24 => format!("TOML parse error at line 5, column 3\n  |\n5 | {key} = {value}\n  |   ^\n"),
                // serde's complaint whose field a configuration crate
                // names after the value.
                25 => format!(
                    "invalid type: found string {quoted:?}, expected u16 for key \"default.{key}\" in config.toml"
                ),
                // A JSON Web Key's private member (its key aside).
                22 => format!(r#"{{"kty":"EC","crv":"P-256","x":"f83O","d":"{quoted}"}}"#),
                _ => format!("{{'user': 'bob', '{key}': '{quoted}'}}"),
            };
            let mut parts = vec![value];
            // An unquoted value is one word: the second is only planted
            // where quotes hold it.
            if !matches!(form, 3 | 4 | 15 | 24) {
                parts.extend(second);
            }
            Secret {
                text,
                parts,
                to_the_end: false,
            }
        })
}

/// A secret as a form body (`+` for a space) or a URL (`%20`) carries it:
/// its `+`, `/`, `=` and line breaks percent-encoded, and maybe quoted as
/// URL-encoded JSON quotes it (`%22`).
fn encoded() -> impl Strategy<Value = Secret> {
    (
        // A card number's groups are joined as a form body or URL joins
        // them already (`card`); here it is only quoted.
        prop_oneof![
            jwt(),
            bearer(),
            basic(),
            aws(),
            session_token(),
            private_key()
        ],
        prop::sample::select(vec!["+", "%20"]),
        any::<bool>(),
    )
        .prop_map(|(secret, space, quoted)| {
            let encode = |text: &str| {
                text.chars()
                    .map(|c| match c {
                        ' ' => space.to_string(),
                        '+' => "%2B".into(),
                        '/' => "%2F".into(),
                        '=' => "%3D".into(),
                        '\n' => "%0A".into(),
                        c => c.to_string(),
                    })
                    .collect::<String>()
            };
            let text = encode(&secret.text);
            Secret {
                text: if quoted && !secret.to_the_end {
                    format!("%22{text}%22")
                } else {
                    text
                },
                parts: secret.parts.iter().map(|p| encode(p)).collect(),
                to_the_end: secret.to_the_end,
            }
        })
}

/// A pair, a URL with a password or a JSON text percent-encoded whole
/// inside the value of a key that is not sensitive, as a query carries
/// another URL (`redirect_uri=https%3A%2F%2F…%3Faccess_token%3D…`).
fn nested_encoded() -> impl Strategy<Value = Secret> {
    (
        prop_oneof![query(), url(), quoted_pair()],
        prop::sample::select(vec![
            "next=",
            "redirect_uri=https%3A%2F%2Fapp%2Fcb%3F",
            "q=",
        ]),
    )
        .prop_map(|(secret, outer)| {
            let encode = |text: &str| {
                text.bytes()
                    .map(|c| match c {
                        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                            (c as char).to_string()
                        }
                        c => format!("%{c:02X}"),
                    })
                    .collect::<String>()
            };
            Secret {
                text: format!("{outer}{}", encode(&secret.text)),
                parts: secret.parts.iter().map(|p| encode(p)).collect(),
                to_the_end: false,
            }
        })
}

/// A card number quoted as URL-encoded JSON quotes it.
fn quoted_card() -> impl Strategy<Value = Secret> {
    card().prop_map(|card| Secret {
        text: format!("%22{}%22", card.text),
        ..card
    })
}

/// A secret of any kind. None whose random part spells a sensitive term
/// (a base64 credential holding `pwd`, a key id holding `SSN`): before a
/// `=`, `: ` or `("` that part is a sensitive key, and its value (a quote
/// the next piece opens, to the end of the text) is replaced with it, as
/// it should be, taking the words the test expects to stay.
fn any_secret() -> impl Strategy<Value = Secret> {
    let kinds = prop_oneof![
        jwt(),
        bearer(),
        basic(),
        aws(),
        session_token(),
        base64_json(),
        service_token(),
        webhook(),
        private_key(),
        card(),
        query(),
        url(),
        quoted_pair(),
        text_pair(),
        encoded(),
        quoted_card(),
        nested_encoded()
    ];
    kinds.prop_filter("no part spells a sensitive term", |secret| {
        !secret
            .parts
            .iter()
            .any(|part| seclog::is_sensitive_key(part))
    })
}

// ---------------------------------------------------------------------------
// Text around them.
// ---------------------------------------------------------------------------

/// Words and hostile characters that cannot make a secret's shape: no
/// upper case, no digits, no `b` (of `bearer`/`basic`), no `=`, and no
/// sensitive term spelled anywhere (the random letters spell `pwd` or
/// `ssn` now and then, and `\nssn: x`, `"pwd":x` or `cvv("x` are pairs
/// whose values are secrets by their key).
fn words() -> impl Strategy<Value = String> {
    r#"[ac-z ,.;:!?()"'é€😀\n\t\x{2028}\\-]{0,40}"#
        .prop_filter("spells no sensitive term", |w| !seclog::is_sensitive_key(w))
}

/// Values that look like data but hold no secret: ids, references,
/// timestamps, digests, numbers that fail the Luhn check.
fn benign() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "550e8400-e29b-41d4-a716-446655440000",
        "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        "order ORD-2024-000123",
        "2026-11-27T18:40:00.123456Z",
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "4111 1111 1111 1112",
        "1234567890",
        "1764270000128",
        "1764270000123458",
        "+44 20 7946 0958",
        "198.51.100.23",
        "q=0.9",
        "user=alice&page=2",
        "Mozilla/5.0 (X11; Linux x86_64)",
        "eyJ alone",
        "Basic plan",
        "Basic+plan",
        r#"{"id":"order-1","qty":2}"#,
        "-----BEGIN CERTIFICATE-----",
        "-----BEGIN+CERTIFICATE-----%0AMIIBszCCAVmg",
        "sk_live_xxx",
        "snake_case_value",
        "sk-en-release-notes-for-the-winter-quarter-of-2026",
        "ghp_ is a prefix",
        "https://api.slack.com/messaging/webhooks",
    ])
    .prop_map(String::from)
}

/// Random text without secrets: words and benign values, each value set
/// apart by words, so no two numbers join into a longer one.
fn clean_text() -> impl Strategy<Value = String> {
    prop::collection::vec((words(), benign()), 0..6).prop_map(|pieces| {
        let mut text = String::new();
        for (words, value) in pieces {
            text.push_str(&words);
            text.push_str(" x ");
            text.push_str(&value);
            text.push_str(" x ");
        }
        text
    })
}

/// What can stand right before or after a secret: neither a letter nor a
/// digit (which would make it part of a longer word), nor `.` or `,`
/// (which after or before digits make a decimal number); also such a
/// character escaped as a JSON text carried as a string escapes it (`\n`
/// as a backslash and an `n`, `\u0022`) or as a URL encodes it (`%22`).
fn boundary() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        " ", "\n", "\t", "(", ")", "\"", "'", ";", "|", "<", ">", "!", "?", r"\n", r"\t", r"\r",
        r"\u0022", "%22", "%0A",
    ])
}

/// Clean text with secrets planted at random places.
fn planted() -> impl Strategy<Value = (String, Vec<Secret>)> {
    prop::collection::vec((clean_text(), boundary(), any_secret(), boundary()), 1..4).prop_map(
        |pieces| {
            let mut text = String::new();
            let mut secrets = Vec::new();
            for (before, left, secret, right) in pieces {
                text.push_str(&before);
                text.push_str(left);
                text.push_str(&secret.text);
                text.push_str(right);
                secrets.push(secret);
            }
            // On a line of its own: a quote the pieces open and never
            // close takes the rest of its line with the secret after it.
            text.push_str("\nend of text");
            (text, secrets)
        },
    )
}

// ---------------------------------------------------------------------------
// Handlers and sinks.
// ---------------------------------------------------------------------------

#[derive(seclog::Redact, serde::Serialize)]
struct Request {
    id: u32,
    note: String,
}

/// The text as a derived field, in untyped JSON (a value and a key), as
/// `who`, and as the error's message.
#[seclog::audit(who = user)]
fn handle(user: &str, request: Request, body: Value) -> Result<u32, String> {
    Err(format!("{} failed: {}", request.id, request.note))
}

/// The text in a panic's message.
#[seclog::audit]
fn crash(text: &str) -> u32 {
    panic!("crashed on {text}")
}

/// The text as every part of an invocation's context a handler can set.
struct Described(String);

impl seclog::context::Describe for Described {
    fn describe(&self, cx: &mut seclog::context::Context) {
        let t = &self.0;
        cx.set_user_id(t);
        cx.set_user_name(t);
        cx.set_user_hash(t);
        cx.set_source(t);
        cx.set_user_agent(t);
        cx.set_url_path(t);
        cx.set_http_method(t);
        cx.set_trace_id(t);
        cx.set_request_id(t);
        cx.set_faas_id(t);
        cx.set_faas_name(t);
        cx.set_faas_version(t);
        cx.set_action(t);
    }
}

#[seclog::audit(skip(context))]
fn described(context: Described) -> usize {
    context.0.len()
}

/// The text as an OWASP event's argument (quoted by `message` too).
#[seclog::audit]
fn deny(text: &str) -> bool {
    seclog::security_event!(authz_fail, user = "mallory", resource = text);
    false
}

fn run_all(text: &str) {
    let body = json!({"comment": text, "list": [text], "keyed": {text: "value"}});
    let request = Request {
        id: 7,
        note: text.to_string(),
    };
    assert!(handle(text, request, body).is_err());
    let quiet = std::panic::catch_unwind(|| crash(text));
    assert!(quiet.is_err());
    assert!(!deny(text));
    described(Described(text.to_string()));
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

fn builder(format: Format) -> seclog::Builder {
    seclog::builder().format(format).service("shapes-props")
}

/// What the capture sink, an `io::Write` sink and the `tracing` sink
/// received while `f` ran, in JSON and pretty.
fn every_output(f: impl Fn()) -> Vec<(String, String)> {
    use tracing_subscriber::layer::SubscriberExt;
    static TRACING: OnceLock<[seclog::Config; 2]> = OnceLock::new();
    let tracing = TRACING.get_or_init(|| {
        [Format::Json, Format::Pretty].map(|f| builder(f).tracing().build().unwrap())
    });
    let mut outputs = Vec::new();
    for (k, format) in [Format::Json, Format::Pretty].into_iter().enumerate() {
        let run = capture_with(builder(format).build().unwrap(), &f);
        outputs.push((format!("capture {format:?}"), run.lines.join("\n")));

        let buffer = seclog_tests::SharedBuffer::default();
        with_config(builder(format).writer(buffer.clone()).build().unwrap(), &f);
        outputs.push((format!("io::Write {format:?}"), buffer.text()));

        let fields = Fields::default();
        let subscriber = tracing_subscriber::registry().with(fields.clone());
        seclog_tests::with_subscriber(subscriber, || with_config(tracing[k], &f));
        let seen = std::mem::take(&mut *fields.0.lock().unwrap());
        outputs.push((
            format!("tracing {format:?}"),
            String::from_utf8(seen).unwrap(),
        ));
    }
    outputs
}

fn quiet_panics() {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        // Only the handler's own panic: a failing case's message quotes
        // the records, which hold "crashed on" too, and must be seen.
        std::panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied());
            if !message.is_some_and(|m| m.starts_with("crashed on")) {
                default(info);
            }
        }));
    });
}

/// The one key of the logged object `object`.
fn the_key(object: &Value) -> &str {
    let members = object.as_object().expect("an object");
    assert_eq!(members.len(), 1, "one member: {object}");
    members.keys().next().unwrap()
}

/// The logged value at `path` of the start (0) or end (1) record.
fn logged(records: &[Value], record: usize, path: &[&str]) -> Value {
    path.iter()
        .fold(&records[record], |v, k| match k.parse::<usize>() {
            Ok(i) => &v[i],
            Err(_) => &v[*k],
        })
        .clone()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn no_planted_secret_reaches_any_sink_in_any_format((text, secrets) in planted()) {
        quiet_panics();
        let to_the_end = secrets.iter().any(|s| s.to_the_end);
        for (sink, output) in every_output(|| run_all(&text)) {
            prop_assert!(
                to_the_end || output.contains("end of text"),
                "{}: the words around are there: {}",
                sink,
                output
            );
            for secret in &secrets {
                for part in &secret.parts {
                    if let Some(at) = output.find(part.as_str()) {
                        return Err(TestCaseError::fail(format!(
                            "{sink}: {part:?} of {secret:?} leaked: …{}…",
                            around(&output, at, part.len())
                        )));
                    }
                }
            }
        }
    }

    #[test]
    fn text_without_secrets_is_logged_byte_for_byte(text in clean_text()) {
        quiet_panics();
        let run = capture_with(builder(Format::Json).build().unwrap(), || run_all(&text));
        let records = run.records();
        let expected = Value::String(text.clone());
        prop_assert_eq!(&records[0]["user"]["id"], &expected);
        prop_assert_eq!(&records[0]["seclog"]["input"]["request"]["note"], &expected);
        prop_assert_eq!(&records[0]["seclog"]["input"]["body"]["comment"], &expected);
        prop_assert_eq!(&records[0]["seclog"]["input"]["body"]["list"][0], &expected);
        prop_assert_eq!(the_key(&records[0]["seclog"]["input"]["body"]["keyed"]), text.as_str());
        prop_assert_eq!(&records[1]["error"]["message"], &Value::String(format!("7 failed: {text}")));
        prop_assert_eq!(&records[3]["error"]["message"], &Value::String(format!("crashed on {text}")));
        prop_assert_eq!(seclog::redact_text(&text), text.as_str());
    }

    #[test]
    fn what_is_logged_is_what_redact_text_says((text, _) in planted()) {
        quiet_panics();
        let run = capture_with(builder(Format::Json).build().unwrap(), || run_all(&text));
        let records = run.records();
        let expected = Value::String(seclog::redact_text(&text).into_owned());
        for (record, path) in [
            (0, &["user", "id"][..]),
            (0, &["seclog", "input", "request", "note"]),
            (0, &["seclog", "input", "body", "comment"]),
            (0, &["seclog", "input", "body", "list", "0"]),
        ] {
            prop_assert_eq!(&logged(&records, record, path), &expected, "{:?}", path);
        }
        let key = seclog::redact_text(&text);
        prop_assert_eq!(the_key(&records[0]["seclog"]["input"]["body"]["keyed"]), key.as_ref());
        let message = format!("crashed on {text}");
        prop_assert_eq!(
            &records[3]["error"]["message"],
            &Value::String(seclog::redact_text(&message).into_owned())
        );
    }
}
