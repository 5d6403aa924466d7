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
pub mod config;
pub mod context;
mod format;
mod hash;
mod id;
mod json;
pub mod record;
pub mod redact;
pub mod sink;
mod stats;
pub mod testing;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use auth::AuthEvent;
pub use config::{builder, init, Builder, Config, ConfigError, Format};
pub use hash::{Digest, HashKey};
pub use record::{EventOutcome, Level, Outcome};
pub use redact::policy::{is_sensitive_key, DEFAULT_SENSITIVE_KEYS};
pub use redact::{Array, Limits, Object, Out, Redact};
pub use seclog_macros::audit;
/// Derives [`Redact`](trait@Redact): see the trait for the field attributes.
pub use seclog_macros::Redact;
pub use sink::Sink;
pub use stats::{stats, Stats};

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
    format::render(config::current(), &mut out, redact::Mask::default(), &mut |o| value.redact(o));
    String::from_utf8(out).unwrap_or_default()
}
