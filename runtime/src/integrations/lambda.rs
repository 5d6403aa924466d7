//! AWS Lambda (`lambda_runtime` 1.x, feature `lambda`).
//!
//! A handler taking `LambdaEvent<T>` (or `T` and a `Context`) needs nothing
//! more than `#[seclog::audit]`:
//!
//! ```no_run
//! use lambda_runtime::{service_fn, Error, LambdaEvent};
//! use serde_json::{json, Value};
//!
//! #[seclog::audit]
//! async fn handler(event: LambdaEvent<Value>) -> Result<Value, Error> {
//!     Ok(json!({ "received": event.payload }))
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Error> {
//!     lambda_runtime::run(service_fn(handler)).await
//! }
//! ```
//!
//! | field | from |
//! |---|---|
//! | `faas.execution`, `transaction.id` | the request id (`Lambda-Runtime-Aws-Request-Id`) |
//! | `faas.id` | the invoked function's ARN, without its version or alias |
//! | `faas.name`, `faas.version` | the function's configuration |
//! | `faas.coldstart` | `true` for the first invocation of the process only |
//! | `faas.trigger.type` | `http` for API Gateway and ALB payloads; inferred for a `serde_json::Value` payload; else `other` |
//! | `trace.id` | the X-Ray trace id (the `Root` of `Lambda-Runtime-Trace-Id`) |
//! | `seclog.memory.limit_bytes` | the function's memory size (end records) |
//! | `seclog.memory.peak_bytes` | the process's peak resident memory (end records) |
//! | `seclog.time_left_ms` | milliseconds left before the invocation's deadline when it ended |
//!
//! The memory and time members are written as root keys
//! (`"seclog.memory.peak_bytes": 31457280`), which Elasticsearch and
//! OpenSearch read as the same fields as the nested form.
//!
//! A `LambdaEvent<T>` is logged as its payload: through `T`'s [`Redact`]
//! when it has one (as `serde_json::Value` and the `aws-events` types do,
//! or a type deriving it), else through its `Serialize` with the
//! sensitive-key policy (a `#[derive(Serialize, Deserialize)]` payload
//! needs nothing more); the `Context` is never logged. A payload type that
//! implements neither is a compile error naming it
//! (`` `Order` cannot be logged ``).
//!
//! Destructured in the argument (`LambdaEvent { payload, context }:
//! LambdaEvent<T>`), the event logs `payload` the same way, and nothing
//! bound from its `context` (under any name) is logged; the context still
//! gives the 4 W's, also when the pattern leaves it out (`context: _` or
//! `..`).

use crate::context::{Context, Describe, Text};
use crate::context::{LambdaPayload, Unwrapped};
use crate::format::RecordView;
use crate::json;
use crate::redact::{Out, Redact, Writer};
use lambda_runtime::LambdaEvent;
use std::any::Any;
use std::sync::OnceLock;
use std::time::SystemTime;

/// The request id of the process's first invocation: that invocation, and
/// only it, is a cold start (nested audited calls within it included).
static FIRST_REQUEST: OnceLock<Box<str>> = OnceLock::new();

fn is_coldstart(request_id: &str) -> bool {
    **FIRST_REQUEST.get_or_init(|| request_id.into()) == *request_id
}

/// `faas.id`: the function's ARN without a version or alias qualifier
/// (`arn:aws:lambda:region:account:function:name[:qualifier]`), as ECS
/// asks.
fn unqualified_arn(arn: &str) -> &str {
    match arn.match_indices(':').nth(6) {
        Some((i, _)) => &arn[..i],
        None => arn,
    }
}

/// The X-Ray trace id: the `Root` of `Root=1-…;Parent=…;Sampled=1`, or the
/// value itself when it has no `Root`.
fn xray_root(header: &str) -> &str {
    header
        .split(';')
        .find_map(|part| part.trim().strip_prefix("Root="))
        .unwrap_or(header)
}

/// The 4 W's of the invocation: request id, function, memory, trace,
/// deadline and cold start.
///
/// ```
/// use seclog::context::{Context, Describe};
///
/// #[seclog::audit]
/// fn handler(payload: u32, context: lambda_runtime::Context) -> u32 {
///     payload
/// }
///
/// let mut context = lambda_runtime::Context::default();
/// context.request_id = "8f3c0b6e-5d0e-4a39-9d57-2c1b7e0f4a11".into();
/// context.invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:orders:live".into();
/// let run = seclog::testing::capture(|| handler(7, context));
/// let end = &run.records()[1];
/// assert_eq!(end["faas"]["execution"], "8f3c0b6e-5d0e-4a39-9d57-2c1b7e0f4a11");
/// assert_eq!(end["transaction"]["id"], "8f3c0b6e-5d0e-4a39-9d57-2c1b7e0f4a11");
/// assert_eq!(end["faas"]["id"], "arn:aws:lambda:eu-west-1:123456789012:function:orders");
/// assert!(end["seclog"]["input"].get("context").is_none());
/// ```
impl Describe for lambda_runtime::Context {
    fn describe(&self, cx: &mut Context) {
        if !self.request_id.is_empty() {
            cx.set_request_id(&self.request_id);
            cx.set_coldstart(is_coldstart(&self.request_id));
        }
        if !self.invoked_function_arn.is_empty() {
            cx.set_faas_id(&unqualified_arn(&self.invoked_function_arn));
        }
        let env = &self.env_config;
        if !env.function_name.is_empty() {
            cx.set_faas_name(&env.function_name);
        }
        if !env.version.is_empty() {
            cx.set_faas_version(&env.version);
        }
        if let Ok(mb) = u64::try_from(env.memory) {
            if mb > 0 {
                cx.set_memory_limit_bytes(mb.saturating_mul(1024 * 1024));
            }
        }
        if let Some(trace) = self.xray_trace_id.as_deref().filter(|t| !t.is_empty()) {
            cx.set_trace_id(&xray_root(trace));
        }
        if self.deadline > 0 {
            cx.set_deadline_ms(self.deadline);
        }
        // The payload, described after the context, knows better.
        if cx.get(Text::TriggerType).is_none() {
            cx.set_trigger_type("other");
        }
    }
}

/// The context's 4 W's, then the payload's: the API Gateway and ALB types
/// of `aws-events` describe the request, and a `serde_json::Value` payload
/// gives the trigger type it looks like.
impl<T: 'static> Describe for LambdaEvent<T> {
    fn describe(&self, cx: &mut Context) {
        self.context.describe(cx);
        describe_payload(&self.payload, cx);
    }
}

/// A `serde_json::Value` payload taken out of its event in the handler's
/// argument gives the trigger it looks like, as the whole event does; a
/// typed payload (an API Gateway or ALB request) describes itself, and the
/// context gives the rest, also when the pattern leaves it out. Whatever the
/// pattern binds from the context is never logged.
///
/// ```
/// use lambda_runtime::LambdaEvent;
/// use serde_json::{json, Value};
///
/// #[seclog::audit]
/// fn handler(LambdaEvent { payload, context }: LambdaEvent<Value>) -> bool {
///     payload.is_object() && !context.request_id.is_empty()
/// }
///
/// let mut context = lambda_runtime::Context::default();
/// context.request_id = "c0ffee00-0000-4000-8000-000000000002".into();
/// let payload = json!({"Records": [{"eventSource": "aws:sqs", "body": "{}"}]});
/// let run = seclog::testing::capture(|| handler(LambdaEvent::new(payload.clone(), context)));
/// let start = &run.records()[0];
/// assert_eq!(start["seclog"]["input"], json!({ "payload": payload }), "no context");
/// assert_eq!(start["faas"]["execution"], "c0ffee00-0000-4000-8000-000000000002");
/// assert_eq!(start["faas"]["trigger"]["type"], "pubsub");
/// ```
impl Describe for Unwrapped<'_, LambdaPayload, serde_json::Value> {
    fn describe(&self, cx: &mut Context) {
        describe_payload(self.value, cx);
    }
}

/// A `LambdaEvent` is logged as its payload: the context feeds the 4 W's
/// and is never logged.
///
/// ```
/// use lambda_runtime::LambdaEvent;
/// use serde_json::{json, Value};
///
/// #[seclog::audit]
/// fn handler(event: LambdaEvent<Value>) -> usize {
///     event.payload.as_object().map_or(0, |o| o.len())
/// }
///
/// let mut context = lambda_runtime::Context::default();
/// context.request_id = "c0ffee00-0000-4000-8000-000000000001".into();
/// let payload = json!({"order": 42, "password": "hunter2"});
/// let run = seclog::testing::capture(|| handler(LambdaEvent::new(payload, context)));
/// let start = &run.records()[0];
/// assert_eq!(start["seclog"]["input"]["event"], json!({"order": 42, "password": "[REDACTED]"}));
/// assert_eq!(start["faas"]["trigger"]["type"], "other");
/// ```
///
/// A typed payload that only derives `Serialize` (next to the
/// `Deserialize` the runtime needs) is logged through serde, with the
/// sensitive-key policy:
///
/// ```
/// use lambda_runtime::LambdaEvent;
///
/// #[derive(serde::Deserialize, serde::Serialize)]
/// struct Order { id: u64, card_number: String }
///
/// #[seclog::audit]
/// fn handler(event: LambdaEvent<Order>) -> u64 {
///     event.payload.id
/// }
///
/// let order = Order { id: 7, card_number: "4111111111111111".into() };
/// let event = LambdaEvent::new(order, lambda_runtime::Context::default());
/// let run = seclog::testing::capture(|| handler(event));
/// let start = &run.records()[0];
/// assert_eq!(start["seclog"]["input"]["event"]["id"], 7);
/// assert_eq!(start["seclog"]["input"]["event"]["card_number"], "[REDACTED]");
/// ```
impl<T: Redact> Redact for LambdaEvent<T> {
    fn redact(&self, out: Out<'_>) {
        self.payload.redact(out)
    }
}

// A payload that is only `Serialize` (the common typed event) is logged
// through serde, and the error of one that is neither names the payload.
super::wrapper::carried_by! {
    <T> LambdaEvent<T> => |v, out| out.serialize(&v.payload);
}

fn describe_payload(payload: &dyn Any, cx: &mut Context) {
    #[cfg(feature = "aws-events")]
    {
        use aws_lambda_events::alb::AlbTargetGroupRequest;
        use aws_lambda_events::apigw::{ApiGatewayProxyRequest, ApiGatewayV2httpRequest};
        if let Some(r) = payload.downcast_ref::<ApiGatewayProxyRequest>() {
            return r.describe(cx);
        }
        if let Some(r) = payload.downcast_ref::<ApiGatewayV2httpRequest>() {
            return r.describe(cx);
        }
        if let Some(r) = payload.downcast_ref::<AlbTargetGroupRequest>() {
            return r.describe(cx);
        }
    }
    if let Some(v) = payload.downcast_ref::<serde_json::Value>() {
        cx.set_trigger_type(trigger_of(v));
    }
}

/// The ECS `faas.trigger.type` an untyped event looks like.
fn trigger_of(event: &serde_json::Value) -> &'static str {
    let http = ["requestContext", "httpMethod", "routeKey"];
    if http.iter().any(|k| event.get(k).is_some()) {
        return "http";
    }
    if event.get("source").and_then(|s| s.as_str()) == Some("aws.events")
        && event.get("detail-type").and_then(|s| s.as_str()) == Some("Scheduled Event")
    {
        return "timer";
    }
    let record = event
        .get("Records")
        .and_then(|r| r.get(0))
        .map(|r| r.get("eventSource").or_else(|| r.get("EventSource")));
    match record.flatten().and_then(|s| s.as_str()) {
        Some("aws:sqs" | "aws:sns" | "aws:kinesis" | "aws:kafka" | "aws:mq") => "pubsub",
        Some("aws:s3" | "aws:dynamodb") => "datasource",
        _ => "other",
    }
}

/// Whether the invocation was described by a Lambda context.
fn is_lambda(cx: &Context) -> bool {
    cx.memory_limit_bytes.is_some() || cx.deadline_ms.is_some()
}

/// The process's peak memory, for the end record of a Lambda invocation.
pub(crate) fn invocation_peak_memory(view: &RecordView<'_>) -> Option<u64> {
    view.cx
        .filter(|cx| is_lambda(cx))
        .and_then(|_| peak_memory_bytes())
}

/// `,"seclog.memory.limit_bytes":…,"seclog.memory.peak_bytes":…,
/// "seclog.time_left_ms":…` on the end record of a Lambda invocation.
pub(crate) fn write_end_members(view: &RecordView<'_>, peak: Option<u64>, w: &mut Writer) {
    let Some(cx) = view.cx.filter(|cx| is_lambda(cx)) else {
        return;
    };
    if let Some(limit) = cx.memory_limit_bytes {
        member(w, "seclog.memory.limit_bytes");
        json::push_u64(&mut w.buf, limit);
    }
    if let Some(peak) = peak {
        member(w, "seclog.memory.peak_bytes");
        json::push_u64(&mut w.buf, peak);
    }
    // Lambda's longest timeout is 15 minutes: a deadline further than an
    // hour from now is not in milliseconds since the epoch (some local
    // emulators send seconds) and would only mislead, so it is left out.
    let deadline = cx.deadline_ms.map(|d| (d, now_ms()));
    if let Some((deadline, now)) = deadline.filter(|(d, now)| d.abs_diff(*now) <= 3_600_000) {
        member(w, "seclog.time_left_ms");
        if deadline >= now {
            json::push_u64(&mut w.buf, deadline - now);
        } else {
            w.buf.push(b'-');
            json::push_u64(&mut w.buf, now - deadline);
        }
    }
}

/// Starts a root member of the record (there is always one before it).
fn member(w: &mut Writer, key: &str) {
    w.buf.push(b',');
    json::push_static_str(&mut w.buf, key);
    w.buf.push(b':');
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The process's peak resident set size, in bytes.
#[cfg(unix)]
pub(crate) fn peak_memory_bytes() -> Option<u64> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `getrusage` fills the `rusage` it is given and reports
    // failure by its return value; the memory is zeroed, so it is
    // initialised either way.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) };
    if rc != 0 {
        return None;
    }
    // SAFETY: zero-initialised above and filled by `getrusage`.
    let maxrss = u64::try_from(unsafe { usage.assume_init() }.ru_maxrss).ok()?;
    // Linux reports kibibytes; the Apple systems report bytes.
    if cfg!(any(target_os = "macos", target_os = "ios")) {
        Some(maxrss)
    } else {
        Some(maxrss.saturating_mul(1024))
    }
}

/// The process's peak resident set size, in bytes.
#[cfg(not(unix))]
pub(crate) fn peak_memory_bytes() -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn arn_loses_its_qualifier_only() {
        let base = "arn:aws:lambda:eu-west-1:123456789012:function:orders";
        assert_eq!(unqualified_arn(base), base);
        assert_eq!(unqualified_arn(&format!("{base}:live")), base);
        assert_eq!(unqualified_arn(&format!("{base}:17")), base);
        assert_eq!(unqualified_arn("not-an-arn"), "not-an-arn");
        assert_eq!(unqualified_arn(""), "");
    }

    #[test]
    fn xray_trace_id_is_the_root() {
        assert_eq!(
            xray_root("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"),
            "1-5759e988-bd862e3fe1be46a994272793"
        );
        assert_eq!(xray_root("Parent=1;Root=1-abc"), "1-abc");
        assert_eq!(xray_root("opaque"), "opaque");
    }

    #[test]
    fn untyped_events_give_their_trigger_type() {
        let cases = [
            (json!({"httpMethod": "GET", "path": "/"}), "http"),
            (json!({"version": "2.0", "routeKey": "GET /"}), "http"),
            (
                json!({"source": "aws.events", "detail-type": "Scheduled Event"}),
                "timer",
            ),
            (json!({"Records": [{"eventSource": "aws:sqs"}]}), "pubsub"),
            (json!({"Records": [{"EventSource": "aws:sns"}]}), "pubsub"),
            (
                json!({"Records": [{"eventSource": "aws:s3"}]}),
                "datasource",
            ),
            (json!({"Records": "not a list"}), "other"),
            (json!({"order": 1}), "other"),
            (json!([1, 2]), "other"),
            (json!("text"), "other"),
        ];
        for (event, trigger) in cases {
            assert_eq!(trigger_of(&event), trigger, "{event}");
        }
    }

    #[test]
    fn peak_memory_is_known_on_unix() {
        if cfg!(unix) {
            let peak = peak_memory_bytes().expect("getrusage works");
            assert!(
                peak >= 1024 * 1024,
                "a running process uses at least 1 MiB: {peak}"
            );
        }
    }

    /// The only test of this crate that describes an invocation context,
    /// so it sees the process's first one.
    #[test]
    fn only_the_first_invocation_is_a_cold_start() {
        let context = |id: &str| {
            let mut c = lambda_runtime::Context::default();
            c.request_id = id.into();
            c
        };
        let cold = |c: &lambda_runtime::Context| {
            let mut cx = Context::new(4096);
            c.describe(&mut cx);
            cx.coldstart()
        };
        let first = context("11111111-1111-4111-8111-111111111111");
        assert_eq!(cold(&first), Some(true));
        // A nested audited call of the same invocation is still the cold one.
        assert_eq!(cold(&first), Some(true));
        assert_eq!(
            cold(&context("22222222-2222-4222-8222-222222222222")),
            Some(false)
        );
        assert_eq!(cold(&context("")), None, "no request id: unknown");
    }
}
