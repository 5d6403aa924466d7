//! Redaction: `#[derive(seclog::Redact)]` and its field modes, serde's names
//! on the wire, the sensitive-key policy, keyed hashing, redaction paths,
//! seclog's `Redact` for standard types, and the record bounds applied to
//! redacted output. Every test reads the records as JSON.

// Fields of the test types exist to be logged, not read.
#![allow(dead_code)]

use seclog::testing::{capture, capture_with};
use seclog::{Config, HashKey, Redact};
use serde::Serialize;
use serde_json::{json, Value};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::marker::PhantomData;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

const KEY: &str = "a test key of thirty-two bytes!!";

/// A configuration with a fixed hash key, so digests are reproducible (and
/// this file never triggers the random-key warning but in its own test).
fn keyed() -> Config {
    seclog::builder().hash_key(KEY).build().unwrap()
}

/// `value` as seclog logs it, with [`keyed`]'s configuration.
fn logged<T: Redact + ?Sized>(value: &T) -> Value {
    #[seclog::audit(emit = "end", skip_response)]
    fn log<T: Redact + ?Sized>(value: &T) {
        let _ = value;
    }
    let run = capture_with(keyed(), || log(value));
    let records = run.records();
    assert_eq!(records.len(), 1, "{:?}", run.lines);
    records[0]["seclog"]["input"]["value"].clone()
}

fn digest(value: &str) -> String {
    HashKey::new(KEY.as_bytes())
        .digest(value.as_bytes())
        .to_string()
}

// ---------------------------------------------------------------------------
// Field modes, through an audited handler.
// ---------------------------------------------------------------------------

#[derive(seclog::Redact, Serialize, Clone)]
struct Payment {
    account: String,
    #[redact]
    password: String,
    #[redact(keep_last = 4)]
    card_number: String,
    #[redact(keep_first = 2)]
    email: String,
    #[redact(hash)]
    customer: String,
    #[redact(skip)]
    nonce: String,
    #[redact(serialize)]
    metadata: Metadata,
    amount: u64,
}

#[derive(Serialize, Clone)]
struct Metadata {
    channel: String,
    api_key: String,
}

fn payment() -> Payment {
    Payment {
        account: "acct-1".into(),
        password: "hunter2-secret".into(),
        card_number: "4111111111111111".into(),
        email: "alice@example.com".into(),
        customer: "cust-42".into(),
        nonce: "nonce-value-xyz".into(),
        metadata: Metadata {
            channel: "web".into(),
            api_key: "ak-live-123".into(),
        },
        amount: 1250,
    }
}

#[seclog::audit]
fn pay(req: Payment) -> Result<u64, String> {
    Ok(req.amount)
}

fn paid() -> (Value, Vec<String>) {
    let run = capture_with(keyed(), || pay(payment()));
    assert_eq!(run.output, Ok(1250));
    let records = run.records();
    (records[0]["seclog"]["input"]["req"].clone(), run.lines)
}

#[test]
fn unmarked_fields_are_logged_through_their_own_redact() {
    let (req, _) = paid();
    assert_eq!(req["account"], "acct-1");
    assert_eq!(req["amount"], 1250);
}

#[test]
fn redact_logs_the_marker_in_place_of_the_value() {
    let (req, lines) = paid();
    assert_eq!(req["password"], "[REDACTED]");
    assert!(lines.iter().all(|l| !l.contains("hunter2")));
}

#[test]
fn keep_last_masks_all_but_the_last_characters() {
    let (req, lines) = paid();
    assert_eq!(req["card_number"], "************1111");
    assert!(lines.iter().all(|l| !l.contains("411111")));
}

#[test]
fn keep_first_masks_all_but_the_first_characters() {
    let (req, _) = paid();
    assert_eq!(req["email"], "al***************");
}

#[test]
fn hash_logs_a_keyed_digest() {
    let (req, lines) = paid();
    assert_eq!(req["customer"], digest("cust-42"));
    assert_eq!(
        req["customer"].as_str().unwrap().len(),
        32,
        "128 bits in hex"
    );
    assert!(lines.iter().all(|l| !l.contains("cust-42")));
}

#[test]
fn skip_leaves_the_field_out() {
    let (req, lines) = paid();
    assert!(req.get("nonce").is_none(), "{req}");
    assert!(lines.iter().all(|l| !l.contains("nonce-value")));
}

#[test]
fn serialize_goes_through_serde_with_the_sensitive_key_policy() {
    let (req, lines) = paid();
    assert_eq!(
        req["metadata"],
        json!({"channel": "web", "api_key": "[REDACTED]"})
    );
    assert!(lines.iter().all(|l| !l.contains("ak-live")));
}

#[test]
fn the_derive_leaves_serialize_unchanged() {
    let wire = serde_json::to_value(payment()).unwrap();
    assert_eq!(wire["password"], "hunter2-secret");
    assert_eq!(wire["card_number"], "4111111111111111");
    assert_eq!(wire["nonce"], "nonce-value-xyz");
    assert_eq!(wire["metadata"]["api_key"], "ak-live-123");
}

#[derive(seclog::Redact)]
struct Masks {
    #[redact(keep_last = 4)]
    short: String,
    #[redact(keep_last = 4)]
    exactly_double: &'static str,
    #[redact(keep_first = 3)]
    optional: Option<String>,
    #[redact(keep_last = 2)]
    absent: Option<String>,
    #[redact(keep_last = 2)]
    unicode: Cow<'static, str>,
    #[redact]
    absent_secret: Option<String>,
}

#[test]
fn masks_never_show_more_than_half_and_handle_options() {
    let v = logged(&Masks {
        short: "1234567".into(),
        exactly_double: "12345678",
        optional: Some("abcdefgh".into()),
        absent: None,
        unicode: Cow::Borrowed("ÄÖÜßéè"),
        absent_secret: None,
    });
    assert_eq!(
        v["short"], "*******",
        "7 characters: keeping 4 would show more than half"
    );
    assert_eq!(v["exactly_double"], "****5678");
    assert_eq!(v["optional"], "abc*****");
    assert_eq!(v["absent"], Value::Null);
    assert_eq!(
        v["unicode"], "****éè",
        "one `*` per character, never per byte"
    );
    assert_eq!(
        v["absent_secret"], "[REDACTED]",
        "`#[redact]` does not even reveal absence"
    );
}

#[derive(seclog::Redact)]
struct Hashes {
    #[redact(hash)]
    text: &'static str,
    #[redact(hash)]
    number: u64,
    #[redact(hash)]
    bytes: Vec<u8>,
    #[redact(hash)]
    absent: Option<String>,
}

#[test]
fn hash_accepts_text_integers_and_bytes_and_correlates_them() {
    let v = logged(&Hashes {
        text: "42",
        number: 42,
        bytes: b"42".to_vec(),
        absent: None,
    });
    assert_eq!(v["text"], digest("42"));
    assert_eq!(
        v["number"],
        digest("42"),
        "an integer is hashed as its decimal text"
    );
    assert_eq!(v["bytes"], digest("42"));
    assert_eq!(v["absent"], Value::Null);
}

#[test]
fn hash_digests_depend_on_the_key() {
    #[derive(seclog::Redact)]
    struct User {
        #[redact(hash)]
        id: String,
    }
    #[seclog::audit(emit = "end")]
    fn who(user: User) {
        let _ = user;
    }
    let run = |key: &str| {
        let config = seclog::builder().hash_key(key).build().unwrap();
        let records = capture_with(config, || who(User { id: "alice".into() })).records();
        records[0]["seclog"]["input"]["user"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let a = run(KEY);
    assert_eq!(a, run(KEY), "the same key gives the same digest");
    assert_ne!(a, run("another key, also thirty-two b!!"));
    assert_eq!(a, digest("alice"));
}

#[test]
fn a_random_key_is_announced_once_by_a_warning_record() {
    #[derive(seclog::Redact)]
    struct User {
        #[redact(hash)]
        id: String,
    }
    #[seclog::audit(emit = "end")]
    fn who(user: User) {
        let _ = user;
    }
    // No key: a random one for this process. This is the only test of this
    // file hashing without a key, so the once-per-process warning is its.
    let config = seclog::builder().build().unwrap();
    let first = capture_with(config, || who(User { id: "alice".into() })).records();
    assert_eq!(first.len(), 2, "{first:?}");
    let warning = &first[1];
    assert_eq!(warning["log.level"], "warn");
    assert_eq!(warning["event"]["kind"], "pipeline_error");
    let message = warning["message"].as_str().unwrap();
    assert!(
        message.contains("SECLOG_HASH_KEY") && message.contains("correlate"),
        "{message}"
    );
    let second = capture_with(config, || who(User { id: "alice".into() })).records();
    assert_eq!(second.len(), 1, "the warning is given once");
    assert_eq!(
        first[0]["seclog"]["input"]["user"]["id"],
        second[0]["seclog"]["input"]["user"]["id"]
    );
}

// ---------------------------------------------------------------------------
// Shapes: structs, tuples, units, enums, generics; serde's names.
// ---------------------------------------------------------------------------

#[derive(seclog::Redact, Serialize)]
struct Pair(u8, #[redact] String, #[redact(skip)] String);

#[derive(seclog::Redact, Serialize)]
struct Token(#[redact(keep_last = 3)] String);

#[derive(seclog::Redact, Serialize)]
struct Marker;

#[derive(seclog::Redact, Serialize)]
struct Empty {}

#[test]
fn tuple_newtype_and_unit_structs_take_serdes_shapes() {
    assert_eq!(
        logged(&Pair(1, "s".into(), "t".into())),
        json!([1, "[REDACTED]"])
    );
    assert_eq!(logged(&Token("abcdefgh".into())), json!("*****fgh"));
    assert_eq!(logged(&Marker), Value::Null);
    assert_eq!(logged(&Empty {}), json!({}));
    assert_eq!(serde_json::to_value(Marker).unwrap(), Value::Null);
    assert_eq!(serde_json::to_value(Empty {}).unwrap(), json!({}));
}

#[derive(seclog::Redact, Serialize, Clone)]
enum Credential {
    Anonymous,
    ApiKey(#[redact(keep_last = 4)] String),
    Basic(String, #[redact] String),
    Oauth {
        client: String,
        #[redact]
        secret: String,
    },
    Empty(),
    Nothing {},
}

#[test]
fn enums_are_externally_tagged_like_serde() {
    let all = [
        Credential::Anonymous,
        Credential::ApiKey("key-abcdefgh".into()),
        Credential::Basic("alice".into(), "pw".into()),
        Credential::Oauth {
            client: "app".into(),
            secret: "s3cr3t".into(),
        },
        Credential::Empty(),
        Credential::Nothing {},
    ];
    assert_eq!(
        logged(&all[..]),
        json!([
            "Anonymous",
            {"ApiKey": "********efgh"},
            {"Basic": ["alice", "[REDACTED]"]},
            {"Oauth": {"client": "app", "secret": "[REDACTED]"}},
            {"Empty": []},
            {"Nothing": {}},
        ])
    );
    // The same shapes as serde's, with the real values.
    assert_eq!(
        serde_json::to_value(&all[..]).unwrap(),
        json!([
            "Anonymous",
            {"ApiKey": "key-abcdefgh"},
            {"Basic": ["alice", "pw"]},
            {"Oauth": {"client": "app", "secret": "s3cr3t"}},
            {"Empty": []},
            {"Nothing": {}},
        ])
    );
}

#[derive(seclog::Redact, Serialize)]
#[serde(rename_all = "camelCase")]
struct Renamed {
    user_name: String,
    #[serde(rename = "pwd")]
    #[redact]
    password: String,
    #[serde(skip_serializing)]
    internal_id: u64,
    #[serde(skip)]
    #[redact(keep_last = 2)]
    cache: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    nickname: Option<String>,
    r#type: u8,
}

#[test]
fn serde_rename_rename_all_and_skips_are_honoured() {
    let r = Renamed {
        user_name: "alice".into(),
        password: "pw".into(),
        internal_id: 7,
        cache: "cached".into(),
        nickname: None,
        r#type: 1,
    };
    let log = logged(&r);
    assert_eq!(
        log,
        json!({"userName": "alice", "pwd": "[REDACTED]", "type": 1})
    );
    let wire = serde_json::to_value(&r).unwrap();
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&log), keys(&wire), "the log uses the wire's names");
    let with_nickname = Renamed {
        nickname: Some("al".into()),
        ..r
    };
    assert_eq!(logged(&with_nickname)["nickname"], "al");
}

macro_rules! casing {
    ($($case:literal => $s:ident / $e:ident,)*) => {$(
        #[derive(seclog::Redact, Serialize)]
        #[serde(rename_all = $case)]
        struct $s {
            user_id: u8,
            http_status_code: u8,
            a: u8,
        }

        #[derive(seclog::Redact, Serialize)]
        #[serde(rename_all = $case, rename_all_fields = $case)]
        enum $e {
            HttpServer { user_id: u8 },
            ABc,
            Plain(u8),
        }
    )*

        #[test]
        fn every_serde_casing_gives_the_wire_names() {
            $(
                let s = $s { user_id: 1, http_status_code: 2, a: 3 };
                assert_eq!(logged(&s), serde_json::to_value(&s).unwrap(), "rename_all = {} on fields", $case);
                for e in [$e::HttpServer { user_id: 1 }, $e::ABc, $e::Plain(2)] {
                    assert_eq!(logged(&e), serde_json::to_value(&e).unwrap(), "rename_all = {} on variants", $case);
                }
            )*
        }
    };
}

casing! {
    "lowercase" => Lower / LowerE,
    "UPPERCASE" => Upper / UpperE,
    "PascalCase" => Pascal / PascalE,
    "camelCase" => Camel / CamelE,
    "snake_case" => Snake / SnakeE,
    "SCREAMING_SNAKE_CASE" => ScreamingSnake / ScreamingSnakeE,
    "kebab-case" => Kebab / KebabE,
    "SCREAMING-KEBAB-CASE" => ScreamingKebab / ScreamingKebabE,
}

#[derive(seclog::Redact, Serialize)]
#[serde(rename_all = "snake_case")]
enum Event {
    #[serde(rename = "signed-in")]
    SignedIn {
        #[serde(rename = "userName")]
        user: String,
    },
    #[serde(rename_all = "UPPERCASE")]
    PasswordChanged {
        #[redact]
        new_password: String,
    },
    #[serde(skip_serializing)]
    Internal(#[redact(skip)] String),
    Revoked(#[serde(skip)] String),
}

#[test]
fn variant_renames_and_skips_are_honoured() {
    let signed_in = Event::SignedIn {
        user: "alice".into(),
    };
    assert_eq!(
        logged(&signed_in),
        json!({"signed-in": {"userName": "alice"}})
    );
    assert_eq!(
        logged(&signed_in),
        serde_json::to_value(&signed_in).unwrap()
    );
    let changed = Event::PasswordChanged {
        new_password: "pw".into(),
    };
    assert_eq!(
        logged(&changed),
        json!({"password_changed": {"NEW_PASSWORD": "[REDACTED]"}})
    );
    // serde cannot write a skipped variant; the log names it, nothing more.
    assert_eq!(logged(&Event::Internal("state".into())), json!("internal"));
    let revoked = Event::Revoked("why".into());
    assert_eq!(logged(&revoked), json!("revoked"));
    assert_eq!(serde_json::to_value(&revoked).unwrap(), json!("revoked"));
}

/// The same variants under each of serde's enum representations.
macro_rules! represented {
    ($($name:ident: [$($attr:tt)*];)*) => {$(
        #[derive(seclog::Redact, Serialize)]
        #[serde($($attr)*)]
        enum $name {
            Ping,
            Login {
                user: String,
                #[redact]
                password: String,
            },
            Note(String),
            #[serde(rename = "moved")]
            Move { from: u32, to: u32 },
        }

        impl $name {
            fn all() -> Vec<$name> {
                vec![
                    $name::Ping,
                    $name::Login { user: "alice".into(), password: "hunter2".into() },
                    $name::Note("hello".into()),
                    $name::Move { from: 1, to: 2 },
                ]
            }
        }
    )*};
}

represented! {
    External: [];
    Internal: [tag = "type"];
    Adjacent: [tag = "t", content = "c"];
    Untagged: [untagged];
}

/// What serde writes, with `password` as the log writes it.
fn as_serde_writes(value: &impl Serialize) -> Value {
    let mut v = serde_json::to_value(value).unwrap();
    fn hide(v: &mut Value) {
        match v {
            Value::Object(m) => m.iter_mut().for_each(|(k, v)| {
                if k == "password" {
                    *v = json!("[REDACTED]");
                } else {
                    hide(v);
                }
            }),
            Value::Array(items) => items.iter_mut().for_each(hide),
            _ => {}
        }
    }
    hide(&mut v);
    v
}

#[test]
fn enums_are_logged_in_serdes_representation_tag_content_untagged() {
    for v in External::all() {
        assert_eq!(logged(&v), as_serde_writes(&v));
    }
    for v in Adjacent::all() {
        assert_eq!(logged(&v), as_serde_writes(&v));
    }
    for v in Untagged::all() {
        assert_eq!(logged(&v), as_serde_writes(&v));
    }
    let internal = Internal::all();
    assert_eq!(logged(&internal[0]), json!({"type": "Ping"}));
    assert_eq!(
        logged(&internal[1]),
        json!({"type": "Login", "user": "alice", "password": "[REDACTED]"})
    );
    for v in [&internal[0], &internal[1], &internal[3]] {
        assert_eq!(logged(v), as_serde_writes(v));
    }
    // serde refuses an internally tagged newtype whose content is not an
    // object; the log names the content after the variant.
    assert!(serde_json::to_value(&internal[2]).is_err());
    assert_eq!(
        logged(&internal[2]),
        json!({"type": "Note", "Note": "hello"})
    );
    // A variant marked `untagged` is its content alone.
    #[derive(seclog::Redact, Serialize)]
    #[serde(tag = "kind")]
    enum Mixed {
        Known {
            id: u32,
        },
        #[serde(untagged)]
        Other(String),
    }
    for v in [Mixed::Known { id: 7 }, Mixed::Other("raw".into())] {
        assert_eq!(logged(&v), serde_json::to_value(&v).unwrap());
    }
}

#[derive(seclog::Redact, Serialize)]
struct Paging {
    page: u32,
    #[serde(rename = "pageSize")]
    size: u32,
}

#[derive(seclog::Redact, Serialize)]
#[serde(tag = "kind")]
enum Query {
    Search(Search),
    Lookup { id: u32 },
}

#[derive(seclog::Redact, Serialize)]
struct Search {
    terms: String,
    #[serde(flatten)]
    paging: Paging,
    /// Fields the client sent that the type does not know, kept.
    #[serde(flatten)]
    extra: std::collections::BTreeMap<String, Value>,
    #[serde(flatten)]
    more: Option<Paging>,
}

#[test]
fn flattened_fields_and_internally_tagged_newtypes_have_the_wires_shape() {
    let search = || Search {
        terms: "rust".into(),
        paging: Paging { page: 2, size: 50 },
        extra: [
            ("client".to_string(), json!("web")),
            ("api_key".to_string(), json!("k-123")),
        ]
        .into(),
        more: None,
    };
    assert_eq!(
        logged(&search()),
        json!({"terms": "rust", "page": 2, "pageSize": 50, "client": "web", "api_key": "[REDACTED]"})
    );
    let wire = serde_json::to_value(search()).unwrap();
    assert_eq!(
        wire["api_key"], "k-123",
        "serde writes it; the log does not"
    );
    assert_eq!(
        logged(&search()).as_object().unwrap().len(),
        wire.as_object().unwrap().len()
    );
    let query = Query::Search(search());
    assert_eq!(logged(&query)["kind"], "Search");
    assert_eq!(logged(&query)["pageSize"], 50);
    assert_eq!(logged(&query)["api_key"], "[REDACTED]");
    let lookup = Query::Lookup { id: 7 };
    assert_eq!(logged(&lookup), serde_json::to_value(&lookup).unwrap());
}

#[derive(seclog::Redact, Serialize)]
struct Filters {
    first: u32,
    #[serde(flatten)]
    paging: Paging,
    #[serde(flatten)]
    rest: std::collections::BTreeMap<String, u32>,
    #[serde(flatten)]
    maybe: Option<Paging>,
    last: u32,
}

#[test]
fn flattened_members_count_against_the_outer_objects_bound() {
    let config = seclog::builder()
        .hash_key(KEY)
        .max_items(5)
        .build()
        .unwrap();
    #[seclog::audit(emit = "end", skip_response)]
    fn search(filters: Filters) {
        let _ = filters;
    }
    let filters = |maybe| Filters {
        first: 1,
        paging: Paging { page: 2, size: 50 },
        rest: (0..10).map(|i| (format!("k{i}"), i)).collect(),
        maybe,
        last: 9,
    };
    // Past the bound, each member of a flattened value counts as left
    // out, and an absent one counts as none.
    for (maybe, left_out) in [(None, 9), (Some(Paging { page: 3, size: 10 }), 11)] {
        let run = capture_with(config, || search(filters(maybe)));
        let logged = &run.records()[0]["seclog"]["input"]["filters"];
        assert_eq!(
            *logged,
            json!({
                "first": 1,
                "page": 2,
                "pageSize": 50,
                "k0": 0,
                "k1": 1,
                "[truncated]": format!("{left_out} more entries")
            }),
            "one bound for the object and what is flattened into it, one mark"
        );
    }
}

#[derive(seclog::Redact, Serialize)]
#[serde(transparent)]
struct UserId {
    #[redact(hash)]
    id: String,
}

#[test]
fn serde_transparent_logs_the_one_field_alone() {
    assert_eq!(logged(&UserId { id: "u-1".into() }), json!(digest("u-1")));
}

#[derive(seclog::Redact)]
struct Page<T, M: Copy>
where
    M: Default,
{
    items: Vec<T>,
    #[redact(keep_last = 2)]
    cursor: Option<M>,
    #[redact]
    debug: M,
    marker: PhantomData<fn() -> M>,
}

#[derive(seclog::Redact)]
struct Tree<T> {
    value: T,
    children: Vec<Tree<T>>,
}

#[derive(seclog::Redact)]
enum Either<L, R> {
    Left(L),
    Right(#[redact(serialize)] R),
}

#[test]
fn generic_types_get_bounds_for_what_their_fields_need() {
    let page = Page {
        items: vec![payment()],
        cursor: Some("cursor-xy"),
        debug: "dbg",
        marker: PhantomData,
    };
    let v = logged(&page);
    assert_eq!(v["items"][0]["password"], "[REDACTED]");
    assert_eq!(v["cursor"], "*******xy");
    assert_eq!(v["debug"], "[REDACTED]");
    assert_eq!(v["marker"], Value::Null);

    let tree = Tree {
        value: 1u8,
        children: vec![Tree {
            value: 2,
            children: vec![],
        }],
    };
    assert_eq!(
        logged(&tree),
        json!({"value": 1, "children": [{"value": 2, "children": []}]})
    );

    let right: Either<u8, HashMap<&str, &str>> = Either::Right(HashMap::from([("token", "t-1")]));
    assert_eq!(logged(&right), json!({"Right": {"token": "[REDACTED]"}}));
    let left: Either<u8, ()> = Either::Left(3);
    assert_eq!(logged(&left), json!({"Left": 3}));
}

// ---------------------------------------------------------------------------
// Redaction paths, through derived types.
// ---------------------------------------------------------------------------

#[derive(seclog::Redact, Serialize, Clone)]
struct Profile {
    name: String,
    phone: String,
    cards: Vec<Card>,
    login: Credential,
}

#[derive(seclog::Redact, Serialize, Clone)]
struct Card {
    holder: String,
    expiry: String,
}

#[derive(seclog::Redact, Serialize)]
struct Session {
    user: String,
    #[redact]
    token: String,
}

#[seclog::audit(redact(
    "profile.phone",
    "profile.cards.*.expiry",
    "profile.login.Oauth.client",
    "return.user"
))]
fn update(profile: Profile) -> Session {
    Session {
        user: profile.name,
        token: "tok-123456".into(),
    }
}

#[seclog::audit(redact("return"))]
fn issue(user: &str) -> Session {
    Session {
        user: user.into(),
        token: "tok-abcdef".into(),
    }
}

#[test]
fn redaction_paths_reach_into_derived_types_and_the_response() {
    let profile = Profile {
        name: "alice".into(),
        phone: "+1-555-0100".into(),
        cards: vec![
            Card {
                holder: "alice".into(),
                expiry: "12/30".into(),
            },
            Card {
                holder: "bob".into(),
                expiry: "01/31".into(),
            },
        ],
        login: Credential::Oauth {
            client: "app-7".into(),
            secret: "s".into(),
        },
    };
    let run = capture_with(keyed(), || update(profile));
    let records = run.records();
    let input = &records[0]["seclog"]["input"]["profile"];
    assert_eq!(input["name"], "alice");
    assert_eq!(input["phone"], "[REDACTED]");
    assert_eq!(
        input["cards"],
        json!([{"holder": "alice", "expiry": "[REDACTED]"}, {"holder": "bob", "expiry": "[REDACTED]"}])
    );
    assert_eq!(
        input["login"],
        json!({"Oauth": {"client": "[REDACTED]", "secret": "[REDACTED]"}})
    );
    assert_eq!(
        records[1]["seclog"]["response"],
        json!({"user": "[REDACTED]", "token": "[REDACTED]"})
    );
    assert_eq!(
        run.output.token, "tok-123456",
        "the handler's value is untouched"
    );
    for secret in ["555-0100", "12/30", "01/31", "app-7", "tok-123456"] {
        assert!(
            run.lines.iter().all(|l| !l.contains(secret)),
            "{secret} leaked"
        );
    }

    let run = capture_with(keyed(), || issue("bob"));
    assert_eq!(run.records()[1]["seclog"]["response"], "[REDACTED]");
    assert!(run.lines.iter().all(|l| !l.contains("tok-abcdef")));
}

// ---------------------------------------------------------------------------
// The sensitive-key policy on untyped data.
// ---------------------------------------------------------------------------

#[seclog::audit]
fn webhook(body: Value, headers: HashMap<String, String>) -> usize {
    headers.len() + body.as_object().map_or(0, |o| o.len())
}

#[test]
fn sensitive_keys_are_redacted_at_any_depth_and_case() {
    let body = json!({
        "event": "charge",
        "data": {"object": {"Card-Number": "4242424242424242", "amount": 5, "nested": [{"ACCESS_TOKEN": "at-1"}]}},
        "Client_Secret": {"any": "shape"},
    });
    let headers = HashMap::from([
        ("Authorization".to_string(), "Bearer abc.def".to_string()),
        ("X-Api-Key".to_string(), "k-999".to_string()),
        ("content-type".to_string(), "application/json".to_string()),
    ]);
    let run = capture(|| webhook(body, headers));
    let records = run.records();
    let input = &records[0]["seclog"]["input"];
    assert_eq!(input["body"]["event"], "charge");
    assert_eq!(input["body"]["data"]["object"]["Card-Number"], "[REDACTED]");
    assert_eq!(input["body"]["data"]["object"]["amount"], 5);
    assert_eq!(
        input["body"]["data"]["object"]["nested"][0]["ACCESS_TOKEN"],
        "[REDACTED]"
    );
    assert_eq!(
        input["body"]["Client_Secret"], "[REDACTED]",
        "a whole object under a sensitive key"
    );
    assert_eq!(input["headers"]["Authorization"], "[REDACTED]");
    assert_eq!(input["headers"]["X-Api-Key"], "[REDACTED]");
    assert_eq!(input["headers"]["content-type"], "application/json");
    for secret in ["4242", "at-1", "shape", "abc.def", "k-999"] {
        assert!(
            run.lines.iter().all(|l| !l.contains(secret)),
            "{secret} leaked"
        );
    }
}

#[test]
fn the_default_list_covers_the_documented_keys() {
    for key in [
        "password",
        "user_passwd",
        "passphrase",
        "secret",
        "refresh-token",
        "apiKey",
        "API_KEY",
        "authorization",
        "Cookie",
        "sessionId",
        "credentials",
        "private_key",
        "cardNumber",
        "CVV",
        "cvc",
        "ssn",
        "x-signature",
    ] {
        assert!(seclog::is_sensitive_key(key), "{key}");
    }
    for key in ["user", "email", "amount", "id", "path"] {
        assert!(!seclog::is_sensitive_key(key), "{key}");
    }
}

#[test]
fn builder_sensitive_keys_extend_the_list() {
    let config = seclog::builder()
        .hash_key(KEY)
        .sensitive_key("PIN")
        .sensitive_key("mothers-maiden-name")
        .build()
        .unwrap();
    let body = json!({"pin": "1234", "card_pin_code": "9876", "Mothers_Maiden_Name": "Smith", "spin": "ok"});
    let run = capture_with(config, || webhook(body, HashMap::new()));
    let body = &run.records()[0]["seclog"]["input"]["body"];
    assert_eq!(body["pin"], "[REDACTED]");
    assert_eq!(body["card_pin_code"], "[REDACTED]");
    assert_eq!(body["Mothers_Maiden_Name"], "[REDACTED]");
    assert_eq!(
        body["spin"], "[REDACTED]",
        "containment: a term inside a key redacts it"
    );
}

#[derive(Serialize)]
struct SignupForm {
    username: String,
    password: String,
    profile: BTreeMap<String, String>,
}

#[seclog::audit]
fn signup(form: SignupForm) -> bool {
    !form.username.is_empty()
}

#[test]
fn serialize_only_arguments_pass_the_policy() {
    let form = SignupForm {
        username: "carol".into(),
        password: "pa55word".into(),
        profile: BTreeMap::from([
            ("SSN".to_string(), "078-05-1120".to_string()),
            ("city".to_string(), "Oslo".to_string()),
        ]),
    };
    let run = capture(|| signup(form));
    let form = &run.records()[0]["seclog"]["input"]["form"];
    assert_eq!(
        form,
        &json!({"username": "carol", "password": "[REDACTED]", "profile": {"SSN": "[REDACTED]", "city": "Oslo"}})
    );
    assert!(run
        .lines
        .iter()
        .all(|l| !l.contains("pa55word") && !l.contains("078-05")));
}

// ---------------------------------------------------------------------------
// seclog's Redact for standard types.
// ---------------------------------------------------------------------------

#[test]
fn standard_types_are_logged_as_documented() {
    assert_eq!(logged("text"), json!("text"));
    assert_eq!(logged(&'c'), json!("c"));
    assert_eq!(
        logged(&(-5i8, 7u128, 1.5f32, true, ())),
        json!([-5, 7, 1.5, true, null])
    );
    assert_eq!(logged(&f64::NAN), Value::Null);
    assert_eq!(logged(&Some(3u16)), json!(3));
    assert_eq!(logged(&None::<u16>), Value::Null);
    assert_eq!(logged(&vec![1u32, 2]), json!([1, 2]));
    assert_eq!(logged(&[1i64, 2, 3][..]), json!([1, 2, 3]));
    assert_eq!(logged(&[true; 2]), json!([true, true]));
    assert_eq!(logged(&BTreeSet::from(["b", "a"])), json!(["a", "b"]));
    assert_eq!(
        logged(&BTreeMap::from([("user", 1), ("password", 2)])),
        json!({"password": "[REDACTED]", "user": 1})
    );
    assert_eq!(logged(&Box::new("boxed")), json!("boxed"));
    assert_eq!(logged(&Rc::new(1u8)), json!(1));
    assert_eq!(logged(&Arc::<str>::from("shared")), json!("shared"));
    assert_eq!(logged(&Cow::<str>::Owned("cow".into())), json!("cow"));
    assert_eq!(
        logged(&IpAddr::V4(Ipv4Addr::new(203, 0, 113, 9))),
        json!("203.0.113.9")
    );
    assert_eq!(logged(&Ipv6Addr::LOCALHOST), json!("::1"));
    assert_eq!(
        logged(&SocketAddr::from(([10, 0, 0, 1], 443))),
        json!("10.0.0.1:443")
    );
    assert_eq!(
        logged(&Duration::from_millis(3)),
        json!(3_000_000),
        "nanoseconds, as event.duration"
    );
    assert_eq!(
        logged(&(SystemTime::UNIX_EPOCH + Duration::from_micros(1_500_000))),
        json!("1970-01-01T00:00:01.500000Z")
    );
    assert_eq!(
        logged(&json!({"a": [1, {"token": 2}]})),
        json!({"a": [1, {"token": "[REDACTED]"}]})
    );
    assert_eq!(logged(&PhantomData::<String>), Value::Null);
    assert_eq!(logged(&std::num::NonZeroU32::new(9).unwrap()), json!(9));
}

#[test]
fn byte_strings_are_logged_by_length_only() {
    assert_eq!(logged(&b"\x00secret key bytes"[..]), json!("[17 bytes]"));
    assert_eq!(logged(&vec![0u8; 300]), json!("[300 bytes]"));
    assert_eq!(logged(&[7u8; 4]), json!("[4 bytes]"));
    assert_eq!(logged(&Box::<[u8]>::from(&b"ab"[..])), json!("[2 bytes]"));
}

// ---------------------------------------------------------------------------
// Bounds apply to redacted output too.
// ---------------------------------------------------------------------------

#[derive(seclog::Redact)]
struct Bulky {
    #[redact(keep_last = 4)]
    long_card: String,
    note: String,
    items: Vec<u32>,
    #[redact(serialize)]
    untyped: Value,
}

#[test]
fn bounds_cut_redacted_output_and_mark_the_cut() {
    let config = seclog::builder()
        .hash_key(KEY)
        .max_string_bytes(64)
        .max_items(4)
        .build()
        .unwrap();
    #[seclog::audit]
    fn upload(doc: Bulky) -> usize {
        doc.note.len()
    }
    let doc = Bulky {
        long_card: format!("{}1234", "9".repeat(500)),
        note: "é".repeat(100),
        items: (0..10).collect(),
        untyped: json!({"list": (0..10).collect::<Vec<_>>(), "password": "pw-x"}),
    };
    let run = capture_with(config, || upload(doc));
    let records = run.records();
    let doc = &records[0]["seclog"]["input"]["doc"];
    let card = doc["long_card"].as_str().unwrap();
    assert!(card.starts_with(&"*".repeat(64)), "{card}");
    assert!(
        card.ends_with("…[truncated 440 bytes]"),
        "the cut is marked: {card}"
    );
    assert!(
        !card.contains("1234"),
        "a cut mask never shows its kept tail out of place"
    );
    let note = doc["note"].as_str().unwrap();
    assert!(
        note.starts_with(&"é".repeat(32)) && !note.starts_with(&"é".repeat(33)),
        "{note}"
    );
    assert!(
        note.ends_with("…[truncated 136 bytes]"),
        "whole characters only: {note}"
    );
    assert_eq!(
        doc["items"],
        json!([0, 1, 2, 3, "[truncated: 6 more items]"])
    );
    assert_eq!(
        doc["untyped"]["list"],
        json!([0, 1, 2, 3, "[truncated: 6 more items]"])
    );
    assert_eq!(doc["untyped"]["password"], "[REDACTED]");
    assert_eq!(records[0]["seclog"]["truncated"], true);
}

#[derive(seclog::Redact)]
struct Nest {
    #[redact]
    secret: String,
    next: Option<Box<Nest>>,
}

#[test]
fn the_depth_limit_cuts_deep_derived_values_without_revealing_them() {
    let mut nest = Nest {
        secret: "deep-secret-0".into(),
        next: None,
    };
    for i in 1..50 {
        nest = Nest {
            secret: format!("deep-secret-{i}"),
            next: Some(Box::new(nest)),
        };
    }
    let config = seclog::builder()
        .hash_key(KEY)
        .max_depth(8)
        .build()
        .unwrap();
    #[seclog::audit]
    fn walk(nest: Nest) {
        let _ = nest;
    }
    let run = capture_with(config, || walk(nest));
    let line = &run.lines[0];
    assert!(!line.contains("deep-secret"), "{line}");
    assert!(line.contains("[truncated: depth limit]"), "{line}");
    assert_eq!(run.records()[0]["seclog"]["truncated"], true);
}

#[seclog::audit]
fn sign_in(user: &str, password: &str, api_key: String, attempt: u32) -> bool {
    !user.is_empty() && !password.is_empty() && !api_key.is_empty() && attempt < 10
}

#[derive(Serialize)]
struct PlainCreds {
    username: String,
    password: String,
}

#[seclog::audit]
fn sign_in_destructured(PlainCreds { username, password }: PlainCreds, pin: u32) -> bool {
    username.len() + password.len() + pin as usize > 0
}

#[test]
fn an_argument_named_like_a_secret_is_redacted_whatever_its_type() {
    let run = capture(|| sign_in("alice", "hunter2", "ak-live-7".into(), 3));
    assert!(run.output);
    let input = &run.records()[0]["seclog"]["input"];
    assert_eq!(input["user"], "alice");
    assert_eq!(input["password"], "[REDACTED]");
    assert_eq!(input["api_key"], "[REDACTED]");
    assert_eq!(input["attempt"], 3);
    assert!(!run
        .lines
        .iter()
        .any(|l| l.contains("hunter2") || l.contains("ak-live-7")));
}

#[test]
fn a_destructured_binding_named_like_a_secret_is_redacted_and_added_terms_count() {
    let creds = || PlainCreds {
        username: "alice".into(),
        password: "hunter2".into(),
    };
    let run = capture(|| sign_in_destructured(creds(), 49_217_310));
    let input = &run.records()[0]["seclog"]["input"];
    assert_eq!(input["username"], "alice");
    assert_eq!(input["password"], "[REDACTED]");
    assert_eq!(input["pin"], 49_217_310, "not a default term");
    assert!(!run.lines.iter().any(|l| l.contains("hunter2")));
    let config = seclog::builder().sensitive_key("pin").build().unwrap();
    let run = capture_with(config, || sign_in_destructured(creds(), 49_217_310));
    let input = &run.records()[0]["seclog"]["input"];
    assert_eq!(input["pin"], "[REDACTED]", "a term added at run time");
    assert!(!run.lines.iter().any(|l| l.contains("49217310")));
}

#[seclog::audit]
fn load_key(key: serde_json::Value) -> serde_json::Value {
    key
}

#[test]
fn a_json_web_keys_private_members_are_redacted_in_untyped_data() {
    // As a `serde_json::Value` holds one: its members in alphabetical
    // order, `d` before `kty`.
    let jwk = serde_json::json!({
        "kty": "EC", "crv": "P-256", "kid": "es-2024",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
        "d": "jpsQnnGQmL-YBIffH1136cLbnQhANWk3dSc3-dQv7nk"
    });
    let other = serde_json::json!({"d": "2024-06-10", "k": 3, "p": "page"});
    let run = capture(|| load_key(serde_json::json!({"signing": jwk, "other": other})));
    let records = run.records();
    for logged in [
        &records[0]["seclog"]["input"]["key"],
        &records[1]["seclog"]["response"],
    ] {
        let key = &logged["signing"];
        assert_eq!(key["d"], "[REDACTED]");
        assert_eq!(key["x"], "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU");
        assert_eq!(key["kty"], "EC");
        assert_eq!(
            logged["other"],
            serde_json::json!({"d": "2024-06-10", "k": 3, "p": "page"})
        );
    }
    assert!(!run.lines.iter().any(|l| l.contains("jpsQnnGQmL")));
}
