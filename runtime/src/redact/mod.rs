//! How values appear in records: the [`Redact`] trait and the bounded writer
//! it writes into.
//!
//! A type's redaction is compiled into the code that writes it: there is no
//! intermediate `Value`, no walk over a copy, and no string matching except
//! the keys of untyped data (maps, `serde_json::Value`, `Serialize`-only
//! types), which pass the [sensitive-key policy](crate::is_sensitive_key).
//!
//! Every value is written through [`Out`], which enforces the record's
//! bounds (string length, items per array or map, depth, record size) and
//! marks every cut where it happened:
//!
//! | cut | marker |
//! |---|---|
//! | string longer than the limit | kept prefix, then `…[truncated N bytes]` inside the string |
//! | more items than the limit | a last item `"[truncated: N more items]"` |
//! | more map or object members than the limit | a last member `"[truncated]": "N more entries"` |
//! | nesting deeper than the limit | the value `"[truncated: depth limit]"` |
//! | record size limit reached | `"[truncated: record size limit]"` where writing stopped |
//!
//! and every record with a cut carries `seclog.truncated: true`.

mod derive;
mod mask;
mod object;
mod out;
pub(crate) mod policy;
#[cfg(feature = "seal")]
mod seal;
mod serde_adapter;
pub mod shapes;
mod std_impls;
mod writer;

pub use mask::{Mask, MaskNode};
pub use object::{Array, Object};
pub use out::Out;
pub(crate) use policy::Policy;
#[cfg(feature = "axum")]
pub(crate) use std_impls::bytes as byte_string;
pub use writer::Writer;

/// What `#[derive(seclog::Redact)]` expands to: re-exports only. Not a
/// public API: no stability promises.
#[doc(hidden)]
pub mod __derive {
    pub use super::derive::*;
    // The dispatch family lives a layer up, with the others.
    pub use crate::dispatch::{FieldNotRedact, FieldViaRedact, NotRedact, Wrap as Probe};
}

/// How a value is written into a record.
///
/// Derive it with `#[derive(seclog::Redact)]` to declare, on the type, how it
/// appears in logs and which fields are redacted; seclog implements it for
/// the standard library's types and `serde_json::Value`. The derive never
/// changes the type's `Serialize`: a response still carries the real values.
///
/// ```
/// use serde_json::json;
///
/// #[derive(seclog::Redact, serde::Serialize)]
/// #[serde(rename_all = "camelCase")]
/// struct Payment {
///     account_id: String,                // through `String`'s own `Redact`
///     #[redact]
///     password: String,                  // "[REDACTED]"
///     #[redact(keep_last = 4)]
///     card_number: String,               // "************1111"
///     #[redact(keep_first = 2)]
///     email: Option<String>,             // "al***************"
///     #[redact(hash)]
///     customer: String,                  // a keyed digest: correlates, reveals nothing
///     #[redact(skip)]
///     otp: String,                       // left out
///     #[redact(serialize)]
///     metadata: serde_json::Value,       // through serde, with the sensitive-key policy
/// }
///
/// #[seclog::audit]
/// fn pay(req: Payment) -> u64 {
///     42
/// }
///
/// let config = seclog::builder().hash_key("sixteen+ random bytes, from a secret store").build().unwrap();
/// let run = seclog::testing::capture_with(config, || {
///     pay(Payment {
///         account_id: "acct-1".into(),
///         password: "hunter2".into(),
///         card_number: "4111111111111111".into(),
///         email: Some("alice@example.com".into()),
///         customer: "cust-42".into(),
///         otp: "913370".into(),
///         metadata: json!({"channel": "web", "api_key": "ak-live-1"}),
///     })
/// });
/// let req = &run.records()[0]["seclog"]["input"]["req"];
/// assert_eq!(req["accountId"], "acct-1");
/// assert_eq!(req["password"], "[REDACTED]");
/// assert_eq!(req["cardNumber"], "************1111");
/// assert_eq!(req["email"], "al***************");
/// assert_eq!(req["customer"].as_str().unwrap().len(), 32);
/// assert!(req.get("otp").is_none());
/// assert_eq!(req["metadata"], json!({"channel": "web", "api_key": "[REDACTED]"}));
/// for secret in ["hunter2", "411111111111", "alice@", "cust-42", "913370", "ak-live"] {
///     assert!(run.lines.iter().all(|line| !line.contains(secret)));
/// }
/// ```
///
/// # Field attributes
///
/// | attribute | logged as | field types |
/// |---|---|---|
/// | none | the field type's own `Redact`; a name that looks secret is a compile error (below) | any type implementing `Redact` |
/// | `#[redact]` | `"[REDACTED]"` (even for `None`: absence is not revealed) | any |
/// | `#[redact(keep_last = N)]`, `#[redact(keep_first = N)]` | one `*` per character, keeping at most `N` characters and never more than half of the value | `String`, `&str`, `Box<str>`, `Cow<str>`, `Rc<str>`, `Arc<str>`, an `Option` of one (`None` is `null`) |
/// | `#[redact(hash)]` | a keyed digest: HMAC-SHA-256 truncated to 128 bits, 32 hex digits | text as above, integers (as their decimal text), bytes, an `Option` of one |
/// | `#[redact(skip)]` | left out | any |
/// | `#[redact(serialize)]` | through `serde::Serialize`, with the sensitive-key policy (the field's own name included) | any type implementing `Serialize` |
/// | `#[redact(clear)]` | the field type's own `Redact`, whatever its name | any type implementing `Redact` |
/// | `#[redact(seal)]` | its JSON sealed into a token that only the investigator's private key opens (feature `seal`; see `seclog::seal`) | any type implementing `Serialize` |
///
/// A field without an attribute whose type does not implement `Redact`, a
/// mask on a type that is not text, an unknown mode, two modes on one field,
/// `keep_last = 0` and the derive on a union are compile errors under the
/// offending tokens.
///
/// # Fields named like secrets
///
/// A field whose name as logged (after serde's `rename`, `rename_all` or
/// `rename_all_fields`) contains a term of [`DEFAULT_SENSITIVE_KEYS`](crate::DEFAULT_SENSITIVE_KEYS),
/// matched as [`is_sensitive_key`](crate::is_sensitive_key) matches keys,
/// must say how it is logged: without an attribute it is a compile error
/// under the field, naming it and the term, and every such field is reported
/// at once. Mark a secret with a mode above, and a name that only looks
/// secret (`token_count`, `password_policy`), or a field whose type redacts
/// itself, with `#[redact(clear)]`:
///
/// ```compile_fail
/// #[derive(seclog::Redact)]
/// struct Signup {
///     email: String,
///     password: String, // error: field `password` looks secret ...
/// }
/// ```
///
/// Terms added at run time ([`Builder::sensitive_key`](crate::Builder::sensitive_key),
/// `SECLOG_SENSITIVE_KEYS`) cannot be checked at compile time: they redact
/// the fields without an attribute whose logged name contains them, and
/// `#[redact(serialize)]` fields are judged by every term; `clear` fields
/// and masked fields are written as declared.
///
/// ```
/// #[derive(seclog::Redact)]
/// struct PinChange {
///     pin_code: String,
///     #[redact(clear)]
///     pin_hint: String,
/// }
///
/// let config = seclog::builder().sensitive_key("pin").build().unwrap();
/// let change = PinChange { pin_code: "4921".into(), pin_hint: "a year".into() };
/// let json = seclog::testing::with_config(config, || seclog::to_json(&change));
/// assert_eq!(json, r#"{"pin_code":"[REDACTED]","pin_hint":"a year"}"#);
/// assert_eq!(seclog::to_json(&change), r#"{"pin_code":"4921","pin_hint":"a year"}"#);
/// ```
///
/// # Shapes and serde
///
/// A struct is an object, a tuple struct an array, a newtype its field's
/// value and a unit struct `null`; an enum is written as serde writes it:
/// externally tagged by default (`"Unit"`, `{"Newtype": value}`,
/// `{"Tuple": [..]}`, `{"Struct": {..}}`), internally tagged under
/// `tag = "type"` (`{"type": "Struct", ..}`), adjacently under `tag` and
/// `content`, and as its content alone under `untagged` (on the enum or a
/// variant). So the log shows the names and shape on the wire, the derive
/// reads serde's `rename`, `rename_all` (every casing), `rename_all_fields`,
/// `skip`, `skip_serializing`, `skip_serializing_if`, `transparent`, `tag`,
/// `content`, `untagged` and `flatten` (a flattened field's members join
/// its parent's, as do an internally tagged newtype variant's beside its
/// tag); a variant serde skips is logged as its name alone.
///
/// ```
/// #[derive(seclog::Redact, serde::Serialize)]
/// #[serde(tag = "type", rename_all = "snake_case")]
/// enum Credential {
///     ApiKey { owner: String, #[redact] key: String },
///     Anonymous,
/// }
///
/// let key = Credential::ApiKey { owner: "ci".into(), key: "k-123".into() };
/// assert_eq!(
///     seclog::to_json(&key),
///     r#"{"type":"api_key","owner":"ci","key":"[REDACTED]"}"#
/// );
/// assert_eq!(seclog::to_json(&Credential::Anonymous), r#"{"type":"anonymous"}"#);
/// ```
///
/// # Generic types
///
/// As serde does, the derive bounds each type parameter a logged field uses
/// by what the field's mode needs (`T: Redact` for a field logged through
/// its own `Redact`, `T: Serialize` for `#[redact(serialize)]`), so
/// `Page<T>` implements `Redact` exactly when `T` can be logged.
///
/// # Implementing it by hand
///
/// An implementation writes exactly one value into `out`:
///
/// ```
/// use seclog::{Out, Redact};
///
/// /// A card number that only ever shows its last four digits.
/// struct CardNumber(String);
///
/// impl Redact for CardNumber {
///     fn redact(&self, out: Out<'_>) {
///         out.keep_last(&self.0, 4);
///     }
/// }
///
/// let json = seclog::to_json(&CardNumber("4111111111111111".into()));
/// assert_eq!(json, r#""************1111""#);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be logged: it implements neither `seclog::Redact` nor `serde::Serialize`",
    label = "this value would be written to the log",
    note = "derive `seclog::Redact` on the type to declare how it is logged (and which fields are redacted), or implement `serde::Serialize`"
)]
pub trait Redact {
    /// Writes this value into `out`.
    fn redact(&self, out: Out<'_>);

    /// Writes a slice of this type. Only `u8` overrides it, so that byte
    /// strings are logged by length; not meant to be implemented elsewhere.
    #[doc(hidden)]
    fn redact_slice(items: &[Self], out: Out<'_>)
    where
        Self: Sized,
    {
        std_impls::seq(items.iter(), out)
    }
}

/// The record's size and shape bounds.
///
/// ```
/// let limits = seclog::Limits::default();
/// assert_eq!(limits.max_string_bytes, 4096);
/// assert_eq!(limits.max_items, 256);
/// assert_eq!(limits.max_depth, 32);
/// assert_eq!(limits.max_record_bytes, 256 * 1024);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest string kept, in bytes (`SECLOG_MAX_STRING`).
    pub max_string_bytes: usize,
    /// Most items kept per array, map or object (`SECLOG_MAX_ITEMS`).
    pub max_items: usize,
    /// Deepest nesting kept (`SECLOG_MAX_DEPTH`).
    pub max_depth: usize,
    /// Largest record, in bytes, newline included (`SECLOG_MAX_RECORD`);
    /// at most [`Limits::MAX_RECORD_BYTES`].
    pub max_record_bytes: usize,
}

impl Limits {
    /// The hard ceiling on a record: CloudWatch Logs' event size limit.
    pub const MAX_RECORD_BYTES: usize = 1024 * 1024;
    /// The smallest record limit accepted: room for the fixed fields.
    pub const MIN_RECORD_BYTES: usize = 8 * 1024;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_string_bytes: 4096,
            max_items: 256,
            max_depth: 32,
            max_record_bytes: 256 * 1024,
        }
    }
}

/// Room kept at the end of a record for closing brackets, the truncation
/// flag and the last fixed fields, so a cut record still closes validly.
pub(crate) const RESERVE: usize = 1024;
