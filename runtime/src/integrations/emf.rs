//! CloudWatch Embedded Metric Format (feature `emf`).
//!
//! With `SECLOG_EMF=true` (or [`Builder::emf(true)`](crate::Builder::emf)),
//! every JSON end record also carries the EMF metadata that makes CloudWatch
//! Logs extract metrics from it: no extra log line, no API call, and alarms
//! (with their email or chat notifications) can watch the numbers.
//!
//! | metric | unit | value |
//! |---|---|---|
//! | [`DURATION_MS`] | Milliseconds | the handler's duration |
//! | [`FAILURE`] | Count | 1 when the outcome is `failure`, else 0 |
//! | [`AUTH_FAILURE`] | Count | authentication handlers: 1 for a failed attempt, else 0 |
//! | [`BUDGET_EXCEEDED`] | Count | handlers with a `budget`: 1 when over it, else 0 |
//! | [`COLDSTART`] | Count | Lambda invocations: 1 for the cold start, else 0 |
//! | [`MEMORY_PEAK_BYTES`] | Bytes | Lambda invocations: the process's peak memory |
//!
//! The dimensions are [`SERVICE`] (`service.name`) and [`ACTION`]
//! (`event.action`); the namespace is `seclog` unless
//! `SECLOG_EMF_NAMESPACE` or [`set_namespace`] says otherwise. EMF wants the
//! metric and dimension members at the root of the JSON object; they are
//! named under `seclog.metrics.` so the record stays ECS-conformant
//! (Elasticsearch reads a dotted root key as the nested field):
//!
//! ```text
//! {…,"seclog":{"phase":"end",…},
//!  "_aws":{"Timestamp":1764268630845,"CloudWatchMetrics":[{"Namespace":"seclog",
//!    "Dimensions":[["seclog.metrics.service","seclog.metrics.action"]],
//!    "Metrics":[{"Name":"seclog.metrics.duration_ms","Unit":"Milliseconds"},{"Name":"seclog.metrics.failure","Unit":"Count"}]}]},
//!  "seclog.metrics.service":"orders","seclog.metrics.action":"login",
//!  "seclog.metrics.duration_ms":12.5,"seclog.metrics.failure":1}
//! ```
//!
//! ```
//! #[seclog::audit(auth = "login")]
//! fn login(user: &str) -> Result<(), String> {
//!     Err("bad credentials".into())
//! }
//!
//! let config = seclog::builder().emf(true).service("accounts").build().unwrap();
//! let run = seclog::testing::capture_with(config, || login("mallory"));
//! let end = &run.records()[1];
//! assert_eq!(end["seclog.metrics.failure"], 1);
//! assert_eq!(end["seclog.metrics.auth_failure"], 1);
//! assert_eq!(end["seclog.metrics.service"], "accounts");
//! assert_eq!(end["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0][1], "seclog.metrics.action");
//! ```

use crate::config::{Config, ConfigError};
use crate::format::RecordView;
use crate::json;
use crate::record::EventOutcome;
use crate::redact::Writer;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::SystemTime;

/// Metric: the handler's duration, in milliseconds.
pub const DURATION_MS: &str = "seclog.metrics.duration_ms";
/// Metric: 1 for a failed invocation, else 0.
pub const FAILURE: &str = "seclog.metrics.failure";
/// Metric: 1 for a failed authentication attempt, else 0 (authentication
/// handlers only).
pub const AUTH_FAILURE: &str = "seclog.metrics.auth_failure";
/// Metric: 1 when the invocation exceeded its budget, else 0 (handlers
/// with a budget only).
pub const BUDGET_EXCEEDED: &str = "seclog.metrics.budget_exceeded";
/// Metric: 1 for a cold start, else 0 (Lambda invocations only).
pub const COLDSTART: &str = "seclog.metrics.coldstart";
/// Metric: the process's peak resident memory, in bytes (Lambda
/// invocations only).
pub const MEMORY_PEAK_BYTES: &str = "seclog.metrics.memory_peak_bytes";
/// Dimension: the service (`service.name`).
pub const SERVICE: &str = "seclog.metrics.service";
/// Dimension: the handler's action (`event.action`).
pub const ACTION: &str = "seclog.metrics.action";

/// The namespace when none is configured.
pub const DEFAULT_NAMESPACE: &str = "seclog";

static NAMESPACE: OnceLock<Box<str>> = OnceLock::new();
static REPORTED: AtomicBool = AtomicBool::new(false);

/// Sets the CloudWatch namespace of the metrics, in place of
/// `SECLOG_EMF_NAMESPACE`. Call it before the first record.
///
/// ```
/// seclog::integrations::emf::set_namespace("Shop/Orders").unwrap();
/// assert!(seclog::integrations::emf::set_namespace("AWS/Lambda").is_err());
/// ```
///
/// # Errors
///
/// When `namespace` is not a valid CloudWatch namespace (1 to 255 of
/// letters, digits and `.-_/#: `, not starting with `AWS/`), or a namespace
/// is already in use.
pub fn set_namespace(namespace: &str) -> Result<(), ConfigError> {
    crate::config::env::check_emf_namespace(namespace).map_err(|expected| {
        ConfigError::InvalidVar {
            var: "emf::set_namespace",
            value: namespace.into(),
            expected,
        }
    })?;
    NAMESPACE
        .set(namespace.into())
        .map_err(|_| ConfigError::AlreadyInstalled)
}

/// The namespace in use: set by code, else from the environment (its
/// default when the environment's is not valid).
fn namespace() -> &'static str {
    NAMESPACE.get_or_init(|| match crate::config::env::emf_namespace() {
        Some(Ok(v)) => v.into(),
        Some(Err(_)) | None => DEFAULT_NAMESPACE.into(),
    })
}

/// Settles the namespace, and returns the problem with the environment's
/// value the one time it is found, for the caller to report.
pub(crate) fn namespace_problem() -> Option<ConfigError> {
    if NAMESPACE.get().is_some() || REPORTED.load(Ordering::Relaxed) {
        return None;
    }
    let problem = crate::config::env::emf_namespace().and_then(Result::err);
    namespace();
    problem.filter(|_| !REPORTED.swap(true, Ordering::Relaxed))
}

/// One metric member.
#[derive(Clone, Copy)]
enum Value {
    Ms(f64),
    Count(bool),
    Bytes(u64),
}

impl Value {
    fn unit(self) -> &'static str {
        match self {
            Value::Ms(_) => "Milliseconds",
            Value::Count(_) => "Count",
            Value::Bytes(_) => "Bytes",
        }
    }

    fn write(self, buf: &mut Vec<u8>) {
        match self {
            Value::Ms(ms) => buf.extend_from_slice(ryu::Buffer::new().format_finite(ms).as_bytes()),
            Value::Count(b) => buf.push(if b { b'1' } else { b'0' }),
            Value::Bytes(n) => json::push_u64(buf, n),
        }
    }
}

/// The metrics of one end record (at most six: far below EMF's 100).
fn metrics(v: &RecordView<'_>, peak: Option<u64>) -> [Option<(&'static str, Value)>; 6] {
    let failed = v.outcome == Some(EventOutcome::Failure);
    let cx = v.cx;
    let auth = cx
        .and_then(|c| c.auth_kind())
        .or(v.meta.and_then(|m| m.auth))
        .is_some();
    [
        v.timing
            .map(|t| (DURATION_MS, Value::Ms(t.duration.as_nanos() as f64 / 1e6))),
        Some((FAILURE, Value::Count(failed))),
        auth.then_some((AUTH_FAILURE, Value::Count(failed))),
        v.budget_exceeded
            .map(|b| (BUDGET_EXCEEDED, Value::Count(b))),
        cx.and_then(|c| c.coldstart())
            .map(|c| (COLDSTART, Value::Count(c))),
        peak.map(|p| (MEMORY_PEAK_BYTES, Value::Bytes(p))),
    ]
}

/// Dimension values are the service's and the action's names (an action
/// taken from a request was scanned for secrets' shapes when it was set);
/// bounded all the same (CloudWatch takes 1024).
fn dimension(buf: &mut Vec<u8>, value: &str) {
    let value = if value.is_empty() { "unknown" } else { value };
    json::push_str(buf, &value[..json::floor_char_boundary(value, 256)]);
}

fn member(buf: &mut Vec<u8>, key: &str) {
    buf.push(b',');
    json::push_static_str(buf, key);
    buf.push(b':');
}

/// Writes `_aws` and the metric and dimension members at the root of an
/// end record.
pub(crate) fn write_members(config: Config, v: &RecordView<'_>, peak: Option<u64>, w: &mut Writer) {
    let namespace = namespace();
    let metrics = metrics(v, peak);
    let buf = &mut w.buf;
    member(buf, "_aws");
    buf.extend_from_slice(b"{\"Timestamp\":");
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    json::push_u64(buf, u64::try_from(now.as_millis()).unwrap_or(u64::MAX));
    buf.extend_from_slice(b",\"CloudWatchMetrics\":[{\"Namespace\":");
    json::push_str(buf, namespace);
    buf.extend_from_slice(b",\"Dimensions\":[[");
    json::push_static_str(buf, SERVICE);
    buf.push(b',');
    json::push_static_str(buf, ACTION);
    buf.extend_from_slice(b"]],\"Metrics\":[");
    for (i, (name, value)) in metrics.iter().flatten().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        buf.extend_from_slice(b"{\"Name\":");
        json::push_static_str(buf, name);
        buf.extend_from_slice(b",\"Unit\":");
        json::push_static_str(buf, value.unit());
        buf.push(b'}');
    }
    buf.extend_from_slice(b"]}]}");
    member(buf, SERVICE);
    dimension(buf, &config.0.service);
    member(buf, ACTION);
    dimension(buf, v.action);
    for (name, value) in metrics.iter().flatten() {
        member(buf, name);
        value.write(buf);
    }
}
