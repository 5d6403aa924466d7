//! Authentication events: `#[derive(AuthEvent)]`, the OWASP vocabulary
//! event of each kind's success and failure at the vocabulary's level,
//! hashed users, outcomes, `security_event!` and the argument encoding.

use seclog::monitor::Monitor;
use seclog::{EventOutcome, Outcome};
use serde_json::Value;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

/// The vocabulary's level of each event, from the repository's copy.
fn vocabulary_levels() -> HashMap<String, String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../reference/owasp/vocabulary.tsv"
    );
    let text = std::fs::read_to_string(path).expect("reference/owasp/vocabulary.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols[0].to_string(), cols[2].to_ascii_lowercase())
        })
        .collect()
}

/// Runs `f` with a fresh detector, so tests do not count each other's
/// failures.
fn isolated<R>(f: impl FnOnce() -> R) -> R {
    Monitor::new(Default::default()).unwrap().scope(f)
}

fn end_of(records: &[Value]) -> &Value {
    records
        .iter()
        .find(|r| r["seclog"]["phase"] == "end")
        .expect("an end record")
}

#[derive(serde::Serialize, seclog::AuthEvent)]
#[auth(login)]
struct Login {
    #[auth(user)]
    username: String,
    #[serde(skip)]
    password: String,
    #[auth(source_ip)]
    ip: IpAddr,
    #[auth(user_agent)]
    agent: Option<String>,
}

fn login_req(user: &str, password: &str, ip: &str) -> Login {
    Login {
        username: user.into(),
        password: password.into(),
        ip: ip.parse().unwrap(),
        agent: Some("curl/8.5".into()),
    }
}

#[seclog::audit]
fn login(req: Login) -> Result<String, String> {
    if req.password == "correct horse" {
        Ok("session".into())
    } else {
        Err("bad credentials".into())
    }
}

#[test]
fn a_successful_login_writes_authn_login_success_with_who_and_where() {
    let run = isolated(|| {
        seclog::testing::capture(|| login(login_req("alice", "correct horse", "198.51.100.7")))
    });
    let records = run.records();
    let [start, end] = &records[..] else {
        panic!("two records: {records:?}")
    };
    for r in [start, end] {
        assert_eq!(
            r["event"]["category"],
            serde_json::json!(["authentication"])
        );
        assert_eq!(r["user"]["name"], "alice");
        assert_eq!(r["source"]["ip"], "198.51.100.7");
        assert_eq!(r["user_agent"]["original"], "curl/8.5");
    }
    assert_eq!(end["seclog"]["owasp"], "authn_login_success:alice");
    assert_eq!(end["log.level"], "info");
    assert!(
        start["seclog"].get("owasp").is_none(),
        "the event is the outcome's, on the end record"
    );
}

#[test]
fn a_failed_login_writes_authn_login_fail_at_warn() {
    let run = isolated(|| {
        seclog::testing::capture(|| login(login_req("alice", "guess", "198.51.100.7")))
    });
    let end = end_of(&run.records()).clone();
    assert_eq!(end["event"]["outcome"], "failure");
    assert_eq!(end["seclog"]["owasp"], "authn_login_fail:alice");
    assert_eq!(end["log.level"], "warn");
}

#[test]
fn a_success_after_failures_writes_successafterfail_with_the_retries() {
    let owasp = isolated(|| {
        let mut out = Vec::new();
        for password in ["a", "b", "correct horse", "c", "correct horse"] {
            let run = seclog::testing::capture(|| login(login_req("bob", password, "192.0.2.1")));
            out.push(end_of(&run.records())["seclog"]["owasp"].clone());
        }
        out
    });
    assert_eq!(
        owasp,
        [
            "authn_login_fail:bob",
            "authn_login_fail:bob",
            "authn_login_successafterfail:bob,2",
            "authn_login_fail:bob",
            "authn_login_successafterfail:bob,1",
        ]
    );
}

/// A handler of each kind that succeeds or fails on demand.
macro_rules! kind_handler {
    ($name:ident, $kind:literal) => {
        #[seclog::audit(auth = $kind, who = user)]
        fn $name(user: &str, ok: bool) -> Result<(), &'static str> {
            if ok {
                Ok(())
            } else {
                Err("refused")
            }
        }
    };
}
kind_handler!(k_login, "login");
kind_handler!(k_logout, "logout");
kind_handler!(k_password_change, "password_change");
kind_handler!(k_token_create, "token_create");
kind_handler!(k_token_revoke, "token_revoke");
kind_handler!(k_mfa, "mfa");
kind_handler!(k_signup, "signup");

#[test]
fn each_kind_maps_success_and_failure_to_its_vocabulary_event_at_the_vocabulary_level() {
    let levels = vocabulary_levels();
    type Handler = fn(&str, bool) -> Result<(), &'static str>;
    let cases: [(&str, Handler, &str, Option<&str>); 7] = [
        (
            "login",
            k_login,
            "authn_login_success:carol",
            Some("authn_login_fail:carol"),
        ),
        ("logout", k_logout, "session_expired:carol,logout", None),
        (
            "password_change",
            k_password_change,
            "authn_password_change:carol",
            Some("authn_password_change_fail:carol"),
        ),
        (
            "token_create",
            k_token_create,
            "authn_token_created:carol",
            None,
        ),
        (
            "token_revoke",
            k_token_revoke,
            "authn_token_revoked:carol",
            None,
        ),
        (
            "mfa",
            k_mfa,
            "authn_login_success:carol",
            Some("authn_login_fail:carol"),
        ),
        ("signup", k_signup, "user_created:carol,carol", None),
    ];
    for (kind, handler, success, failure) in cases {
        for (ok, expected) in [(true, Some(success)), (false, failure)] {
            let run = isolated(|| seclog::testing::capture(|| handler("carol", ok)));
            let end = end_of(&run.records()).clone();
            assert_eq!(end["event"]["category"][0], "authentication", "{kind}");
            match expected {
                Some(event) => {
                    assert_eq!(end["seclog"]["owasp"], event, "{kind} ok={ok}");
                    let name = event.split(':').next().unwrap();
                    let vocab = &levels[name];
                    // The handler's own level for a failure is warn: the
                    // record is at least that, and at least the vocabulary's.
                    let want = if ok {
                        vocab.clone()
                    } else {
                        std::cmp::max_by_key(vocab.clone(), "warn".to_string(), |l| rank(l))
                    };
                    assert_eq!(end["log.level"], want.as_str(), "{kind} ok={ok}");
                }
                None => {
                    assert!(
                        end["seclog"].get("owasp").is_none(),
                        "{kind} failure has no vocabulary event"
                    );
                    assert_eq!(end["log.level"], "warn");
                }
            }
        }
    }
}

fn rank(level: &str) -> u8 {
    match level {
        "info" => 2,
        "warn" => 3,
        "error" => 4,
        "critical" => 5,
        _ => 0,
    }
}

#[test]
fn password_change_failure_is_critical() {
    let run = isolated(|| seclog::testing::capture(|| k_password_change("dave", false)));
    let end = end_of(&run.records()).clone();
    assert_eq!(end["seclog"]["owasp"], "authn_password_change_fail:dave");
    assert_eq!(end["log.level"], "critical");
}

#[seclog::audit(auth = "signup", who = admin)]
fn admin_creates(admin: &str, req: NewAccount) {
    let _ = (admin, req);
}

#[derive(serde::Serialize, seclog::AuthEvent)]
#[auth(signup)]
struct NewAccount {
    #[auth(user)]
    login: String,
}

#[test]
fn a_signup_by_an_admin_names_the_admin_as_actor() {
    let run = isolated(|| {
        seclog::testing::capture(|| {
            admin_creates(
                "root",
                NewAccount {
                    login: "erin".into(),
                },
            )
        })
    });
    let end = end_of(&run.records()).clone();
    assert_eq!(end["seclog"]["owasp"], "user_created:root,erin");
    assert_eq!(end["user"]["id"], "root");
    assert_eq!(end["user"]["name"], "erin");
}

// --- hashed users ----------------------------------------------------------

const KEY: &str = "a test key of 32 bytes, not real";

#[derive(seclog::Redact, seclog::AuthEvent)]
#[auth(login)]
struct HashedLogin {
    #[auth(user)]
    #[redact(hash)]
    email: String,
    #[redact]
    password: String,
    #[auth(source_ip)]
    #[redact(skip)]
    ip: String,
}

#[seclog::audit]
fn hashed_login(req: HashedLogin) -> Result<(), String> {
    if req.password == "pw" {
        Ok(())
    } else {
        Err("no".into())
    }
}

#[test]
fn a_hashed_user_field_gives_user_hash_and_never_the_clear_value() {
    let config = seclog::builder().hash_key(KEY).build().unwrap();
    let run = isolated(|| {
        seclog::testing::capture_with(config, || {
            hashed_login(HashedLogin {
                email: "alice@example.com".into(),
                password: "x".into(),
                ip: "203.0.113.4".into(),
            })
        })
    });
    let digest = seclog::HashKey::new(KEY.as_bytes())
        .digest(b"alice@example.com")
        .to_string();
    let records = run.records();
    let end = end_of(&records);
    assert_eq!(end["user"]["hash"], digest.as_str());
    assert!(end["user"].get("name").is_none());
    assert_eq!(end["seclog"]["owasp"], format!("authn_login_fail:{digest}"));
    // The same digest as the input's own `#[redact(hash)]`.
    assert_eq!(
        records[0]["seclog"]["input"]["req"]["email"],
        digest.as_str()
    );
    assert_eq!(records[0]["source"]["ip"], "203.0.113.4");
    for line in &run.lines {
        assert!(
            !line.contains("alice@example.com"),
            "clear value leaked: {line}"
        );
    }
}

#[derive(seclog::Redact, seclog::AuthEvent)]
#[auth(mfa)]
struct MaskedMfa {
    #[auth(user)]
    #[redact]
    username: String,
    #[redact]
    code: String,
}

#[seclog::audit]
fn mfa(req: MaskedMfa) -> Result<(), ()> {
    let _ = req.code;
    Err(())
}

#[test]
fn a_fully_redacted_user_field_is_logged_by_digest_only() {
    let config = seclog::builder().hash_key(KEY).build().unwrap();
    let run = isolated(|| {
        seclog::testing::capture_with(config, || {
            mfa(MaskedMfa {
                username: "mallory".into(),
                code: "123456".into(),
            })
        })
    });
    let digest = seclog::HashKey::new(KEY.as_bytes())
        .digest(b"mallory")
        .to_string();
    let end = end_of(&run.records()).clone();
    assert_eq!(end["user"]["hash"], digest.as_str());
    assert_eq!(end["seclog"]["owasp"], format!("authn_login_fail:{digest}"));
    assert!(run
        .lines
        .iter()
        .all(|l| !l.contains("mallory") && !l.contains("123456")));
}

#[test]
fn a_flagged_hashed_user_is_found_by_its_clear_value() {
    let config = seclog::builder().hash_key(KEY).build().unwrap();
    let monitor = Monitor::new(seclog::monitor::Settings::default().user_max_failures(2)).unwrap();
    monitor.scope(|| {
        seclog::testing::capture_with(config, || {
            for _ in 0..2 {
                let _ = mfa(MaskedMfa {
                    username: "mallory".into(),
                    code: "0".into(),
                });
            }
            assert!(seclog::monitor::is_flagged_user("mallory"));
            assert!(!seclog::monitor::is_flagged_user("alice"));
        })
    });
}

// --- outcomes --------------------------------------------------------------

#[derive(serde::Serialize)]
struct HttpResponse {
    status: u16,
}

impl Outcome for HttpResponse {
    fn outcome(&self) -> EventOutcome {
        if self.status >= 400 {
            EventOutcome::Failure
        } else {
            EventOutcome::Success
        }
    }
    fn status_code(&self) -> Option<u16> {
        Some(self.status)
    }
}

#[seclog::audit]
fn http_login(req: Login) -> HttpResponse {
    HttpResponse {
        status: if req.password == "correct horse" {
            200
        } else {
            401
        },
    }
}

#[test]
fn an_http_status_of_400_or_more_is_a_failed_login() {
    let (ok, denied) = isolated(|| {
        let ok = seclog::testing::capture(|| {
            http_login(login_req("frank", "correct horse", "192.0.2.9"))
        });
        let denied =
            seclog::testing::capture(|| http_login(login_req("frank", "nope", "192.0.2.9")));
        (
            end_of(&ok.records()).clone(),
            end_of(&denied.records()).clone(),
        )
    });
    assert_eq!(ok["http"]["response"]["status_code"], 200);
    assert_eq!(ok["seclog"]["owasp"], "authn_login_success:frank");
    assert_eq!(denied["http"]["response"]["status_code"], 401);
    assert_eq!(denied["event"]["outcome"], "failure");
    assert_eq!(denied["seclog"]["owasp"], "authn_login_fail:frank");
    assert_eq!(denied["log.level"], "warn");
}

#[derive(serde::Serialize)]
struct Verdict {
    accepted: bool,
}

impl Outcome for Verdict {
    fn outcome(&self) -> EventOutcome {
        if self.accepted {
            EventOutcome::Success
        } else {
            EventOutcome::Failure
        }
    }
}

#[seclog::audit(auth = "login", who = user)]
fn verdict_login(user: &str) -> Verdict {
    Verdict {
        accepted: user == "grace",
    }
}

#[test]
fn a_response_implementing_outcome_decides_the_event() {
    let ends = isolated(|| {
        ["grace", "heidi"]
            .map(|u| end_of(&seclog::testing::capture(|| verdict_login(u)).records()).clone())
    });
    assert_eq!(ends[0]["seclog"]["owasp"], "authn_login_success:grace");
    assert_eq!(ends[1]["seclog"]["owasp"], "authn_login_fail:heidi");
    assert!(ends[1].get("error").is_none(), "a failure without an error");
}

// --- derive shapes -----------------------------------------------------------

#[derive(serde::Serialize, seclog::AuthEvent)]
#[auth(token_revoke)]
enum Revoke {
    ByUser {
        #[auth(user)]
        user: String,
        #[auth(source_ip)]
        from: SocketAddr,
    },
    Expired(#[auth(user)] Option<String>),
    All,
}

#[seclog::audit]
fn revoke(req: Revoke) {
    let _ = req;
}

#[test]
fn enums_tuple_fields_options_and_socket_addresses_describe_the_attempt() {
    let ends = isolated(|| {
        [
            Revoke::ByUser {
                user: "ivan".into(),
                from: "[2001:db8::7]:443".parse().unwrap(),
            },
            Revoke::Expired(Some("judy".into())),
            Revoke::Expired(None),
            Revoke::All,
        ]
        .map(|r| end_of(&seclog::testing::capture(|| revoke(r)).records()).clone())
    });
    assert_eq!(ends[0]["seclog"]["owasp"], "authn_token_revoked:ivan");
    assert_eq!(
        ends[0]["source"]["ip"], "2001:db8::7",
        "the socket address's IP"
    );
    assert_eq!(ends[1]["user"]["name"], "judy");
    assert!(ends[2].get("user").is_none());
    assert_eq!(ends[2]["seclog"]["owasp"], "authn_token_revoked");
    assert_eq!(ends[3]["seclog"]["owasp"], "authn_token_revoked");
}

#[test]
fn a_source_that_is_not_an_ip_is_source_address() {
    #[derive(serde::Serialize, seclog::AuthEvent)]
    #[auth(logout)]
    struct Logout<'a> {
        #[auth(user)]
        user: &'a str,
        #[auth(source_ip)]
        peer: &'a str,
    }
    #[seclog::audit]
    fn logout(req: Logout<'_>) {
        let _ = req;
    }
    let run = isolated(|| {
        seclog::testing::capture(|| {
            logout(Logout {
                user: "kim",
                peer: "unix:/run/app.sock",
            })
        })
    });
    let end = end_of(&run.records()).clone();
    assert_eq!(end["source"]["address"], "unix:/run/app.sock");
    assert!(end["source"].get("ip").is_none());
    assert_eq!(end["seclog"]["owasp"], "session_expired:kim,logout");
}

// --- security_event! ---------------------------------------------------------

#[seclog::audit(who = user, source_ip = ip, user_agent = "probe/1.0")]
fn admin_page(user: &str, ip: &str) -> Result<(), &'static str> {
    seclog::security_event!(authz_fail, resource = "/admin");
    seclog::security_event!(malicious_direct_reference);
    Err("forbidden")
}

#[test]
fn security_event_inside_an_invocation_carries_its_transaction_and_who_and_where() {
    let run = isolated(|| seclog::testing::capture(|| admin_page("mallory", "203.0.113.9")));
    let records = run.records();
    let [start, authz, direct, end] = &records[..] else {
        panic!("four records: {records:?}")
    };
    let tx = &start["transaction"]["id"];
    assert!(tx.is_string());
    for event in [authz, direct] {
        assert_eq!(&event["transaction"]["id"], tx);
        assert_eq!(event["seclog"]["phase"], "event");
        assert_eq!(event["user"]["id"], "mallory");
        assert_eq!(event["source"]["ip"], "203.0.113.9");
        assert_eq!(event["log.level"], "critical");
        assert_ne!(event["event"]["id"], end["event"]["id"]);
    }
    assert_eq!(authz["seclog"]["owasp"], "authz_fail:mallory,/admin");
    assert_eq!(authz["event"]["action"], "authz_fail");
    assert_eq!(authz["event"]["outcome"], "failure");
    assert_eq!(authz["message"], "authz_fail:mallory,/admin");
    // `userid|ip` and `useragent` come from the invocation.
    assert_eq!(
        direct["seclog"]["owasp"],
        "malicious_direct_reference:mallory,probe/1.0"
    );
    assert_eq!(&end["transaction"]["id"], tx);
}

#[test]
fn security_event_outside_an_invocation_has_a_fresh_transaction() {
    let run = isolated(|| {
        seclog::testing::capture(|| {
            seclog::security_event!(sys_monitor_disabled, user = "ops", monitor = "fraud-rules");
            seclog::security_event!(sys_monitor_disabled, user = "ops", monitor = "fraud-rules");
        })
    });
    let records = run.records();
    assert_eq!(records.len(), 2);
    let (a, b) = (&records[0], &records[1]);
    assert_eq!(a["seclog"]["owasp"], "sys_monitor_disabled:ops,fraud-rules");
    assert_eq!(a["log.level"], "warn");
    assert_eq!(a["transaction"]["id"].as_str().map(str::len), Some(32));
    assert_ne!(
        a["transaction"]["id"], b["transaction"]["id"],
        "each event its own transaction"
    );
    assert!(a.get("user").is_none() && a.get("source").is_none());
}

#[test]
fn security_event_writes_arguments_in_the_vocabulary_order_whatever_the_order_given() {
    let user: Option<&str> = Some("lena");
    let fields = vec!["date_of_birth", "zip"];
    let run = isolated(|| {
        seclog::testing::capture(|| {
            seclog::security_event!(
                privilege_permissions_changed,
                tolevel = "admin",
                object = "billing",
                user = user,
                fromlevel = "viewer"
            );
            seclog::security_event!(input_validation_fail, fields = fields, userid = "lena");
            seclog::security_event!(
                upload_validation,
                filename = "cv.pdf",
                check = "virusscan",
                result = "passed"
            );
            seclog::security_event!(
                upload_validation,
                filename = "cv.pdf",
                check = "virusscan",
                result = "FAILED"
            );
            seclog::security_event!(authn_login_lock, user = "lena", reason = "maxretries");
            seclog::security_event!(
                malicious_cors,
                ip = "198.51.100.1",
                useragent = "x",
                referer = "https://evil.example"
            );
        })
    });
    let owasp: Vec<(String, String)> = run
        .records()
        .iter()
        .map(|r| {
            (
                r["seclog"]["owasp"].as_str().unwrap().to_string(),
                r["log.level"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        (
            "privilege_permissions_changed:lena,billing,viewer,admin",
            "warn",
        ),
        ("input_validation_fail:(date_of_birth,zip),lena", "warn"),
        ("upload_validation:cv.pdf,virusscan:passed", "info"),
        ("upload_validation:cv.pdf,virusscan:FAILED", "critical"),
        ("authn_login_lock:lena,maxretries", "warn"),
        (
            "malicious_cors:198.51.100.1,x,https%3A//evil.example",
            "critical",
        ),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(owasp, want);
}

#[test]
fn security_event_levels_follow_the_vocabulary() {
    let levels = vocabulary_levels();
    let run = isolated(|| {
        seclog::testing::capture(|| {
            seclog::security_event!(session_use_after_expire, user = "a");
            seclog::security_event!(sensitive_read, user = "a", object = "ledger");
            seclog::security_event!(session_created, user = "a");
            seclog::security_event!(authn_token_reuse, user = "a", tokenid = "t1");
        })
    });
    for r in run.records() {
        let name = r["event"]["action"].as_str().unwrap();
        assert_eq!(r["log.level"], levels[name].as_str(), "{name}");
    }
    assert_eq!(run.lines.len(), 4);
}

#[test]
fn separators_in_attacker_text_are_encoded() {
    let run = isolated(|| {
        seclog::testing::capture(|| login(login_req("alice,admin:x(%)\n", "guess", "192.0.2.77")))
    });
    let end = end_of(&run.records()).clone();
    assert_eq!(
        end["seclog"]["owasp"],
        "authn_login_fail:alice%2Cadmin%3Ax%28%25%29%0A"
    );
    let (name, args) = seclog::owasp::split(end["seclog"]["owasp"].as_str().unwrap()).unwrap();
    assert_eq!((name, args.len()), ("authn_login_fail", 1));
    assert_eq!(
        seclog::owasp::decode(args[0]).as_deref(),
        Some("alice,admin:x(%)\n")
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// No username can add, remove or shift an argument of the
        /// detector's `authn_login_fail_max:<user>,<max>` or of a login
        /// event: each decodes back to exactly what was given.
        #[test]
        fn no_username_or_resource_forges_or_shifts_an_argument(user in "\\PC{0,40}|[,:()%|\\n\\r\\x00a-z]{0,20}", resource in ".{0,40}") {
            let monitor = Monitor::new(seclog::monitor::Settings::default().user_max_failures(1)).unwrap();
            let run = monitor.scope(|| seclog::testing::capture(|| {
                let _ = login(login_req(&user, "guess", "192.0.2.1"));
                seclog::security_event!(authz_fail, user = &user, resource = &resource);
            }));
            let events: Vec<String> = run.records().iter()
                .filter_map(|r| r["seclog"]["owasp"].as_str().map(str::to_string))
                .collect();
            prop_assert_eq!(events.len(), 3, "{:?}", events);
            let expected: [(&str, Vec<&str>); 3] = [
                ("authn_login_fail", vec![user.as_str()]),
                ("authn_login_fail_max", vec![user.as_str(), "1"]),
                ("authz_fail", vec![user.as_str(), resource.as_str()]),
            ];
            for (event, (name, args)) in events.iter().zip(expected) {
                let (n, raw) = seclog::owasp::split(event).expect("a well-formed event");
                prop_assert_eq!(n, name);
                // Empty arguments at the end are left out.
                let args: Vec<&str> = {
                    let mut a = args;
                    while a.last() == Some(&"") { a.pop(); }
                    a
                };
                prop_assert_eq!(raw.len(), args.len(), "{}", event);
                for (r, a) in raw.iter().zip(&args) {
                    let decoded = seclog::owasp::decode(r);
                    prop_assert_eq!(decoded.as_deref(), Some(*a));
                }
            }
        }

        #[test]
        fn encode_then_split_and_decode_gives_back_every_argument(args in proptest::collection::vec("\\PC*|[,:()%|]*", 1..6)) {
            let text = format!("x:{}", args.iter().map(|a| seclog::owasp::encode(a)).collect::<Vec<_>>().join(","));
            let (name, raw) = seclog::owasp::split(&text).unwrap();
            prop_assert_eq!(name, "x");
            let decoded: Vec<String> = raw.iter().map(|r| seclog::owasp::decode(r).unwrap()).collect();
            prop_assert_eq!(decoded, args);
        }
    }
}

#[test]
fn authentication_and_security_event_records_conform_to_ecs() {
    let config = seclog::builder().hash_key(KEY).build().unwrap();
    let run = isolated(|| {
        seclog::testing::capture_with(config, || {
            let _ = login(login_req("alice", "correct horse", "198.51.100.7"));
            let _ = login(login_req("alice", "guess", "198.51.100.7"));
            let _ = hashed_login(HashedLogin {
                email: "a@example.com".into(),
                password: "pw".into(),
                ip: "::1".into(),
            });
            let _ = http_login(login_req("frank", "nope", "192.0.2.9"));
            let _ = admin_page("mallory", "203.0.113.9");
            seclog::security_event!(
                upload_validation,
                filename = "a.pdf",
                check = "virusscan",
                result = "passed"
            );
            seclog::security_event!(session_created, user = "a");
            seclog::security_event!(sys_startup, user = "ops");
            seclog::security_event!(sys_monitor_disabled, user = "ops", monitor = "m");
            seclog::security_event!(
                user_created,
                user = "root",
                newuserid = "b",
                attributes = "role=admin"
            );
            seclog::security_event!(input_validation_fail, fields = ["zip"], user = "a");
            seclog::security_event!(excess_rate_limit_exceeded, user = "a", max = 100);
            seclog::security_event!(sensitive_read, user = "a", object = "ledger");
            seclog::security_event!(authz_admin, user = "root", event = "user_privilege_change");
        })
    });
    let records = run.records();
    assert_eq!(
        records
            .iter()
            .filter(|r| r["seclog"]["phase"] == "event")
            .count(),
        11
    );
    seclog_tests::assert_ecs(&records);
}

#[seclog::audit]
async fn async_login(req: Login) -> Result<(), String> {
    tokio::task::yield_now().await;
    if req.password == "correct horse" {
        Ok(())
    } else {
        Err("bad credentials".into())
    }
}

#[tokio::test]
async fn an_async_handler_writes_the_same_events_and_feeds_the_scoped_detector() {
    let monitor = Monitor::new(seclog::monitor::Settings::default().user_max_failures(2)).unwrap();
    let mut events = Vec::new();
    for password in ["a", "b", "correct horse"] {
        let fut = async_login(login_req("kate", password, "192.0.2.30"));
        let run = seclog::testing::capture_future(monitor.scope_future(fut)).await;
        events.extend(
            run.records()
                .iter()
                .filter_map(|r| r["seclog"]["owasp"].as_str().map(str::to_string)),
        );
    }
    assert_eq!(
        events,
        [
            "authn_login_fail:kate",
            "authn_login_fail:kate",
            "authn_login_fail_max:kate,2",
            "authn_login_successafterfail:kate,2"
        ]
    );
    assert!(monitor.is_flagged_user("kate"));
}

#[derive(serde::Serialize, seclog::AuthEvent)]
#[auth(login)]
struct GenericLogin<U: std::fmt::Display> {
    #[auth(user)]
    user: U,
}

#[seclog::audit]
fn generic_login<U: std::fmt::Display + serde::Serialize>(req: GenericLogin<U>) -> Result<(), ()> {
    let _ = req;
    Err(())
}

#[test]
fn a_generic_request_type_describes_its_user() {
    let run =
        isolated(|| seclog::testing::capture(|| generic_login(GenericLogin { user: 4242u32 })));
    let end = end_of(&run.records()).clone();
    assert_eq!(end["user"]["name"], "4242");
    assert_eq!(end["seclog"]["owasp"], "authn_login_fail:4242");
}

#[test]
fn a_high_level_filter_still_counts_failed_logins_and_keeps_critical_events() {
    // Under `error`, a failed login's `warn` record is filtered out, but the
    // detector still counts it, and a critical vocabulary event still gets
    // through on its raised level.
    let strict = seclog::builder()
        .level(seclog::Level::Error)
        .build()
        .unwrap();
    let monitor = Monitor::new(Default::default()).unwrap();
    let run = monitor.scope(|| {
        seclog::testing::capture_with(strict, || {
            for _ in 0..5 {
                let _ = login(login_req("erin", "guess", "203.0.113.77"));
            }
            k_password_change("erin", false)
        })
    });
    assert!(
        monitor.is_flagged_user("erin"),
        "five filtered-out failures were still counted"
    );
    let records = run.records();
    assert!(
        records
            .iter()
            .all(|r| r["log.level"] == "error" || r["log.level"] == "critical"),
        "{records:#?}"
    );
    assert!(records
        .iter()
        .any(|r| r["seclog"]["owasp"] == "authn_password_change_fail:erin"));
}
