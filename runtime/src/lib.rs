//! # seclog
//!
//! Security-grade logging for serverless and HTTP handlers. One attribute,
//! [`#[seclog::audit]`](macro@audit), on a handler logs every invocation's
//! inputs, the OWASP "4 W's" (when, where, who, what), the response and the
//! timing against a budget, as Elastic Common Schema JSON, one line per
//! record. Redaction is declared on the types, so logging everything is
//! safe by construction.
//!
//! ```
//! #[derive(serde::Serialize)]
//! struct Transfer { to: String, amount: u64, password: String }
//!
//! #[seclog::audit(who = user, budget = "250ms")]
//! fn transfer(user: &str, req: Transfer) -> Result<u64, String> {
//!     if req.amount > 1_000 { Err("limit exceeded".into()) } else { Ok(req.amount) }
//! }
//!
//! let run = seclog::testing::capture(|| {
//!     transfer("alice", Transfer { to: "bob".into(), amount: 5_000, password: "hunter2".into() })
//! });
//! let [start, end] = &run.records()[..] else { panic!() };
//! assert_eq!(start["user"]["id"], "alice");
//! assert_eq!(start["seclog"]["input"]["req"]["password"], "[REDACTED]");
//! assert_eq!(end["event"]["outcome"], "failure");
//! assert_eq!(end["error"]["message"], "limit exceeded");
//! assert!(!run.lines.iter().any(|l| l.contains("hunter2")));
//! ```
//!
//! See the README for the guided tour.

#![warn(missing_docs)]

pub mod auth;
mod auth_outcome;
pub mod config;
pub mod context;
mod dispatch;
mod emit;
mod format;
mod handler;
mod hash;
mod id;
mod install;
#[cfg(any(
    feature = "lambda",
    feature = "aws-events",
    feature = "emf",
    feature = "axum"
))]
pub mod integrations;
mod invocation;
mod json;
pub mod monitor;
pub mod owasp;
pub mod record;
pub mod redact;
#[cfg(feature = "seal")]
pub mod seal;
mod security_event;
pub mod sink;
mod state;
mod stats;
pub mod testing;

/// What `#[audit]` expands to: re-exports only, so the paths generated code
/// names stay put while the code lives in the layer it belongs to. Not a
/// public API: no stability promises.
#[doc(hidden)]
pub mod __private {
    pub use crate::context::{LambdaPayload, Unwrapped};
    pub use crate::dispatch::{
        ArgumentNotLoggable, AuthNothing, AuthViaTrait, DescribeNothing, DescribeViaTrait,
        ErrorNoDisplay, ErrorViaDisplay, ImplTraitNotLoggable, LogViaNothing, LogViaRedact,
        LogViaSerialize, NotText, OutcomeDefault, OutcomeViaTrait, ResponseNotLoggable,
        TextViaDisplay, TextViaNothing, TextViaOption, Wrap,
    };
    pub use crate::handler::{HandlerMeta, MetaCache};
    pub use crate::invocation::{type_name_of, Audited, Begun, Invocation, Once};
    pub use crate::record::{Emit, EventOutcome, Level};
    pub use crate::redact::__derive::field_by_policy as input;
    pub use crate::redact::{Mask, MaskNode, Object, Out, Redact};
    pub use serde;
}

/// What `security_event!` and `#[derive(AuthEvent)]` expand to: re-exports
/// only, as [`__private`]. Not a public API: no stability promises.
#[doc(hidden)]
pub mod __owasp {
    pub use crate::dispatch::{
        NotEventText as NotText, TextViaDisplay as ArgViaDisplay, TextViaNothing as ArgViaNothing,
        TextViaOption as ArgViaOption, Wrap as Arg,
    };
    pub use crate::record::{EventOutcome, Level};
    pub use crate::security_event::{set_user_hash, Event};
}

/// What `#[redact(seal)]` and `seal("path")` expand to beside their code:
/// nothing when sealing is built, else the error that says how to build it.
#[cfg(feature = "seal")]
#[doc(hidden)]
#[macro_export]
macro_rules! __seal_feature {
    () => {};
}

/// What `#[redact(seal)]` and `seal("path")` expand to beside their code:
/// nothing when sealing is built, else the error that says how to build it.
#[cfg(not(feature = "seal"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __seal_feature {
    () => {
        ::core::compile_error! {
            "sealing needs seclog's `seal` cargo feature: depend on `seclog = { version = \"0.1\", features = [\"seal\"] }`"
        }
    };
}

pub use auth::AuthEvent;
pub use config::{builder, init, Builder, Config, ConfigError, Format};
pub use hash::{Digest, HashKey};
pub use record::{EventOutcome, Level, Outcome};
pub use redact::policy::{is_sensitive_key, DEFAULT_SENSITIVE_KEYS, SHORT_SECRET_NAMES};
pub use redact::shapes::{SecretKind, SecretShape};
pub use redact::{Array, Limits, Object, Out, Redact};
/// Audits a handler: every call writes a start record (inputs, who, where,
/// when) and an end record (outcome, duration, response, error).
///
/// ```
/// #[derive(serde::Serialize)]
/// struct Login {
///     user: String,
///     password: String,
/// }
///
/// #[seclog::audit(name = "login", who = req.user.as_str(), skip_response, budget = "250ms")]
/// fn login(req: Login, attempt: u32) -> Result<String, String> {
///     if req.password != "hunter2" {
///         return Err(format!("wrong password for {}", req.user));
///     }
///     Ok(format!("session-{attempt}"))
/// }
///
/// let run = seclog::testing::capture(|| {
///     login(Login { user: "alice".into(), password: "letmein".into() }, 3)
/// });
/// assert!(run.output.is_err(), "the handler's result is unchanged");
/// let [start, end] = &run.records()[..] else { panic!("two records") };
/// assert_eq!(start["event"]["action"], "login");
/// assert_eq!(start["user"]["id"], "alice");
/// assert_eq!(start["seclog"]["input"]["attempt"], 3);
/// assert_eq!(start["seclog"]["input"]["req"]["password"], "[REDACTED]");
/// assert_eq!(end["event"]["outcome"], "failure");
/// assert_eq!(end["error"]["message"], "wrong password for alice");
/// assert_eq!(end["seclog"]["budget"]["ms"], 250);
/// assert!(end["seclog"].get("response").is_none(), "skip_response");
/// ```
///
/// # Options
///
/// | option | meaning | default |
/// |---|---|---|
/// | `name = "login"` | the action, `event.action` | the function's name |
/// | `level = "debug"` | level of a successful call's records: `trace`, `debug`, `info`, `warn`, `error`, `critical` | `info` |
/// | `skip(a, b)` / `skip_all` | arguments kept out of the log | every argument logged |
/// | `who = EXPR` | the acting user, `user.id` | from request types, else absent |
/// | `source_ip = EXPR` | the requester, `source.ip` (`source.address` when not an IP) | from request types |
/// | `user_agent = EXPR` | `user_agent.original` | from request types |
/// | `redact("req.card.number", "return.token")` | extra paths redacted in an argument (first segment: its name) or in the response (`return`; `"return"` alone redacts all of it); `*` matches one level; `seal("req.password")` among them seals the value there for the investigator instead (feature `seal`, see `seclog::seal`) | none |
/// | `skip_response` | the returned value is not logged (outcome, status and duration still are) | logged |
/// | `budget = "3s"` | duration budget in `ms` or `s` (1 ms to 900 s); a slower call ends at `warn` with `seclog.budget.exceeded` | none |
/// | `auth = "login"` | an authentication action: `login`, `logout`, `password_change`, `token_create`, `token_revoke`, `mfa`, `signup` | none |
/// | `category = "web"` | `event.category`, one of the ECS allowed values | `authentication` for auth handlers, else `api` |
/// | `emit = "end"` | `both`: a start and an end record; `end`: one record at the end with everything | `both` |
///
/// `who`, `source_ip` and `user_agent` are expressions over the arguments
/// (by name, `self` included), evaluated before the body runs; their value
/// implements `Display`, or is an `Option` of such a value (`None` writes
/// nothing).
///
/// # What is logged
///
/// - **Inputs**: each argument, as `seclog.input.<name>`, through its
///   [`Redact`](trait@Redact) implementation, else its `serde::Serialize`
///   with the [sensitive-key policy](is_sensitive_key). A method's receiver
///   (`self`) is never an input, nor is an argument whose type is named
///   `Context` (the Lambda invocation context feeds the 4 W's instead), nor
///   anything a pattern binds from one or from the `context` of a
///   `LambdaEvent { .. }` pattern (`LambdaEvent { payload, context: ctx }`
///   logs `payload` only; the context, bound or not, feeds the 4 W's).
/// - **Argument patterns**: each binding of a destructuring pattern is its
///   own input, named after the binding: `fn f((a, b): (u32, u32))` logs
///   `seclog.input.a` and `seclog.input.b`, and `Point { x, y }: Point` logs
///   `x` and `y`; `skip(...)` and redaction paths name those bindings. A `_`
///   pattern binds nothing and is not logged. Raw identifiers are logged
///   without `r#` (`r#type` as `type`).
/// - **Response and outcome**, read from the return type as written: `()`
///   and `!` have no response; `Result<T, E>` (also `io::Result<T>` and
///   aliases named `Result`) logs `Ok` as the response and `Err` as a failure
///   with `error.message` (its `Display`) and `error.type`; `Option<T>` logs
///   `Some` as the response and `None` as `null`; any other type is the
///   response, and a type implementing [`Outcome`] decides success or
///   failure (and an HTTP status) itself.
/// - **A panic** is recorded as a failure (`error.type = "panic"`, with its
///   message) and then resumed unchanged.
///
/// # Handler shapes
///
/// Free functions, inherent and trait-impl methods (`self`, `&self`,
/// `&mut self`, `self: Box<Self>`), `async fn`, `unsafe fn`, `extern fn`,
/// generics with `where` clauses, lifetimes, references and `impl Trait` in
/// arguments and return (an `impl Trait` response must promise `Serialize`
/// or `Redact` to be logged, else use `skip_response`). The function keeps
/// its signature, visibility, attributes and docs; `return` and `?` in the
/// body behave as before.
///
/// # `async fn`
///
/// The body becomes an inner future wrapped in one that runs each poll
/// inside the invocation, with no extra allocation. The start record is
/// written at the first poll; the end record when the body completes. A
/// future dropped before it completes (a timeout, a cancelled request) ends
/// with `event.outcome = "unknown"` and `seclog.cancelled = true`. The
/// returned future is `Send` whenever the body's is, so an audited handler
/// can be spawned:
///
/// ```
/// #[seclog::audit(emit = "end")]
/// async fn fetch(id: u32) -> Option<String> {
///     (id != 0).then(|| format!("user-{id}"))
/// }
///
/// fn assert_send<T: Send>(_: &T) {}
/// assert_send(&fetch(7));
///
/// let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let run = rt.block_on(seclog::testing::capture_future(fetch(7)));
/// assert_eq!(run.output.as_deref(), Some("user-7"));
/// let records = run.records();
/// assert_eq!(records.len(), 1, "emit = \"end\" writes one record");
/// assert_eq!(records[0]["seclog"]["input"]["id"], 7);
/// assert_eq!(records[0]["seclog"]["response"], "user-7");
/// ```
///
/// # Compile-time errors
///
/// Every misuse is an error under the offending tokens that says how to fix
/// it, all of them at once: an unknown or repeated option, `skip` of an
/// argument that does not exist or together with `skip_all`, an unknown
/// level, category, authentication kind or emit mode, a budget without a
/// unit or out of range, a redaction path naming no argument, the attribute
/// on something other than a function with a body or on a `const fn`, and an
/// argument or response that implements neither `Redact` nor `Serialize`.
pub use seclog_macros::audit;
/// Derives [`AuthEvent`](trait@AuthEvent) and
/// [`Describe`](context::Describe): see the trait for the attributes.
pub use seclog_macros::AuthEvent;
/// Derives [`Redact`](trait@Redact): see the trait for the field attributes.
pub use seclog_macros::Redact;
pub use sink::Sink;
pub use stats::{stats, Stats};

/// Writes an OWASP Logging Vocabulary event, from anywhere.
///
/// `security_event!(NAME, key = value, ...)`: `NAME` is an event of the
/// vocabulary (`authz_fail`, `session_use_after_expire`, ...), checked at
/// compile time, and each key one of its arguments, in any order; the
/// event string is written in `seclog.owasp` with the arguments in the
/// vocabulary's order, each [percent-encoded](owasp), at the vocabulary's
/// level (`event.action` is the name).
///
/// The keys are the vocabulary's argument names, except that `userid` is
/// written `user` (`userid` is accepted too), the `userid|ip` of the
/// `malicious_*` events is `user` or `ip`, the field list of
/// `input_validation_fail` is `fields` (anything iterable), and the
/// `check:result` of `upload_validation` is `check` and `result` (the event
/// is `critical` unless the result is `passed`). Every argument is needed,
/// except `user`, `ip` and `useragent`, which default to the surrounding
/// invocation's user (`user.id`, else `user.name`, else `user.hash`),
/// source address and user agent (also when given as `None`). A value is
/// anything `Display`, or an `Option` of it.
///
/// Inside an audited invocation the record carries the invocation's
/// `transaction.id` and its 4 W's; outside one, a fresh `transaction.id`.
/// `authn_login_fail` is also counted by the [detector](monitor).
///
/// ```
/// #[seclog::audit(who = user, source_ip = ip)]
/// fn admin_page(user: &str, ip: &str) -> Result<(), &'static str> {
///     seclog::security_event!(authz_fail, resource = "/admin");
///     Err("forbidden")
/// }
///
/// let run = seclog::testing::capture(|| admin_page("mallory", "203.0.113.9"));
/// let [start, event, end] = &run.records()[..] else { panic!() };
/// assert_eq!(event["seclog"]["owasp"], "authz_fail:mallory,/admin");
/// assert_eq!(event["log.level"], "critical");
/// assert_eq!(event["transaction"]["id"], end["transaction"]["id"]);
/// assert_eq!(event["source"]["ip"], "203.0.113.9");
///
/// // Attacker-controlled text cannot add or shift an argument.
/// let run = seclog::testing::capture(|| {
///     seclog::security_event!(authz_fail, user = "eve,admin", resource = "/a:b");
/// });
/// assert_eq!(run.records()[0]["seclog"]["owasp"], "authz_fail:eve%2Cadmin,/a%3Ab");
/// ```
pub use seclog_macros::security_event;

/// The README's Rust snippets, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// A value as seclog would log it: JSON with its redaction applied, within
/// the current configuration's bounds.
///
/// ```
/// let v = serde_json::json!({"password": "hunter2", "user": "alice"});
/// assert_eq!(seclog::to_json(&v), r#"{"password":"[REDACTED]","user":"alice"}"#);
/// ```
pub fn to_json<T: Redact + ?Sized>(value: &T) -> String {
    let mut out = Vec::new();
    format::render(
        state::current(),
        &mut out,
        redact::Mask::default(),
        &mut |o| value.redact(o),
    );
    String::from_utf8(out).unwrap_or_default()
}

/// `text` with the secrets found in it by their shape replaced by their
/// markers, as seclog writes text into a record under the current
/// configuration (its sensitive-key terms and secret shapes; unchanged
/// when [shape detection](Builder::shape_detection) is off). For text you
/// log yourself, elsewhere than through seclog: borrowed when nothing was
/// found.
///
/// ```
/// assert_eq!(
///     seclog::redact_text("GET /cb?code=7f3a&access_token=ya29.a0AfH6SM HTTP/1.1"),
///     "GET /cb?code=7f3a&access_token=[REDACTED:query_param] HTTP/1.1"
/// );
/// assert_eq!(
///     seclog::redact_text("paid with 4111 1111 1111 1111, thanks"),
///     "paid with [REDACTED:card_number], thanks"
/// );
/// assert_eq!(seclog::redact_text("order 4111 1111 1111 1112"), "order 4111 1111 1111 1112");
/// ```
pub fn redact_text(text: &str) -> std::borrow::Cow<'_, str> {
    let inner = state::current().0;
    redact::shapes::redact_text_in(text, &inner.policy, inner.shapes)
}
