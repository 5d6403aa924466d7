//! Formatting: a record is a function of its data and a reused buffer.
//!
//! JSON records use ECS names as nested objects, in a fixed order: the
//! 4 W's first, the payloads (`seclog.input`, `seclog.response`) last, so a
//! record cut at the size limit loses payload, never who, where or when.

use crate::config::{Config, Format};
use crate::context::{Context, Text};
use crate::id::Id;
use crate::json;
use crate::record::{EventOutcome, Level, Phase};
use crate::redact::{Mask, Object, Writer};
use crate::stats;
use std::cell::RefCell;
use std::fmt;
use std::time::{Duration, SystemTime};

/// Static facts about a handler, built by `#[audit]`.
#[doc(hidden)]
#[derive(Debug)]
pub struct HandlerMeta {
    /// `event.action`.
    pub name: &'static str,
    /// Level of a successful invocation's records.
    pub level: Level,
    /// `event.category`.
    pub category: &'static str,
    /// Whether `category` was given in the attribute (else an
    /// authentication argument makes it `authentication`).
    pub category_explicit: bool,
    /// Duration budget in nanoseconds.
    pub budget_ns: Option<u64>,
    /// The budget as written, for messages (`"3s"`).
    pub budget_text: &'static str,
    /// `both` or `end`.
    pub emit: crate::record::Emit,
    /// `log.origin.function`: `module::path::name`.
    pub function: &'static str,
    /// `log.origin.file.name`.
    pub file: &'static str,
    /// `log.origin.file.line`.
    pub line: u32,
    /// Authentication kind, when the handler is an authentication action.
    pub auth: Option<&'static str>,
    /// Redaction paths, rooted at `input` and `response`.
    pub mask: Mask,
}

/// The error of a failed invocation.
pub(crate) struct ErrorView<'a> {
    pub(crate) kind: &'a str,
    pub(crate) message: Option<&'a dyn fmt::Display>,
}

/// Timing of an end record.
#[derive(Clone, Copy)]
pub(crate) struct Timing {
    pub(crate) start: SystemTime,
    pub(crate) duration: Duration,
}

/// Everything one record says, borrowed from where it lives.
pub(crate) struct RecordView<'a> {
    pub(crate) level: Level,
    pub(crate) phase: Phase,
    /// `event.kind`: `event`, `alert` or `pipeline_error`.
    pub(crate) kind: &'static str,
    pub(crate) category: &'a str,
    /// `event.type`.
    pub(crate) types: &'static str,
    pub(crate) action: &'a str,
    pub(crate) outcome: Option<EventOutcome>,
    pub(crate) meta: Option<&'static HandlerMeta>,
    pub(crate) cx: Option<&'a Context>,
    pub(crate) transaction: Option<&'a str>,
    pub(crate) timing: Option<Timing>,
    pub(crate) error: Option<ErrorView<'a>>,
    pub(crate) status_code: Option<u16>,
    pub(crate) budget_exceeded: Option<bool>,
    pub(crate) owasp: Option<&'a dyn fmt::Display>,
    pub(crate) cancelled: bool,
    /// The human summary; `None` derives it from phase and outcome.
    pub(crate) message: Option<&'a dyn fmt::Display>,
    /// Writes `input`/`response`/other members into the `seclog` object.
    pub(crate) payload: Option<&'a mut (dyn FnMut(&mut Object<'_>) + 'a)>,
    /// Inputs already written as JSON (for `emit = "end"`).
    pub(crate) inputs_json: Option<&'a [u8]>,
}

impl<'a> RecordView<'a> {
    pub(crate) fn new(level: Level, phase: Phase, action: &'a str) -> Self {
        RecordView {
            level,
            phase,
            kind: "event",
            category: "api",
            types: "info",
            action,
            outcome: None,
            meta: None,
            cx: None,
            transaction: None,
            timing: None,
            error: None,
            status_code: None,
            budget_exceeded: None,
            owasp: None,
            cancelled: false,
            message: None,
            payload: None,
            inputs_json: None,
        }
    }
}

thread_local! {
    /// The writer (buffer and scratch) reused by every record of this thread.
    static WRITER: RefCell<Option<Writer>> = const { RefCell::new(None) };
}

/// Formats and writes a record with `config`, if its level is enabled.
/// Never panics and never fails: problems are counted in [`stats`].
pub(crate) fn emit(config: Config, view: &mut RecordView<'_>) {
    if !config.enabled(view.level) {
        return;
    }
    let inner = config.0;
    let mut writer = WRITER
        .try_with(|w| w.try_borrow_mut().ok().and_then(|mut w| w.take()))
        .ok()
        .flatten()
        .unwrap_or_else(|| Writer::new(Vec::with_capacity(4096), inner.limits, &inner.policy, &inner.hash_key));
    writer.limits = inner.limits;
    writer.policy = &inner.policy;
    writer.hash_key = &inner.hash_key;
    writer.reset();

    let formatted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        write_record(config, view, &mut writer);
    }));
    if formatted.is_err() {
        // A user `Display`/`Serialize`/`Redact` panicked mid-record: write a
        // minimal, valid record in its place rather than lose the event.
        stats::format_panic();
        writer.reset();
        view.payload = None;
        view.inputs_json = None;
        view.error = view.error.as_ref().map(|e| ErrorView { kind: e.kind, message: None });
        view.message = None;
        view.owasp = None;
        writer.truncated = true;
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| write_record(config, view, &mut writer))).is_err() {
            writer.reset();
        }
    }
    if !writer.buf.is_empty() {
        if writer.truncated {
            stats::truncated();
        }
        writer.buf.push(b'\n');
        let level = view.level;
        let buf = &writer.buf;
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| inner.sink.write(buf, level))) {
            Ok(Ok(())) => stats::record_written(),
            Ok(Err(_)) => stats::write_error(),
            Err(_) => stats::sink_panic(),
        }
    }
    if crate::hash::WARN_PENDING.swap(false, std::sync::atomic::Ordering::Relaxed) {
        report_ephemeral_key(config);
    }
    // Keep the buffer for the next record unless one record made it huge.
    if writer.buf.capacity() <= 2 * crate::redact::Limits::MAX_RECORD_BYTES {
        let _ = WRITER.try_with(|w| {
            if let Ok(mut w) = w.try_borrow_mut() {
                *w = Some(writer);
            }
        });
    }
}

/// Writes one value alone as JSON into `out` (cleared first), with the
/// bounds of `config`; returns whether anything was cut.
pub(crate) fn render(config: Config, out: &mut Vec<u8>, mask: Mask, f: &mut dyn FnMut(crate::redact::Out<'_>)) -> bool {
    let inner = config.0;
    let mut writer = Writer::new(std::mem::take(out), inner.limits, &inner.policy, &inner.hash_key);
    // Half the record: the rest of the end record must still fit.
    writer.limit_end /= 2;
    let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(writer.out(mask)))).is_ok();
    if !ok {
        stats::format_panic();
        writer.reset();
        writer.buf.extend_from_slice(b"\"[unavailable: the value panicked while being logged]\"");
        writer.truncated = true;
    }
    let truncated = writer.truncated;
    *out = writer.buf;
    truncated
}

fn write_record(config: Config, v: &mut RecordView<'_>, w: &mut Writer) {
    // The 4 W's text cut to the string limit carries its own marker, as do
    // the inputs an `emit = "end"` record carries, written earlier.
    w.truncated |=
        v.cx.is_some_and(|cx| cx.has_cut() || (v.inputs_json.is_some() && cx.inputs_truncated));
    match config.0.format {
        Format::Json => write_json(config, v, w),
        Format::Pretty => write_pretty(config, v, w),
    }
}

/// A human summary of the record.
struct Summary<'a, 'b>(&'a RecordView<'b>);

impl fmt::Display for Summary<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        if let Some(m) = v.message {
            return m.fmt(f);
        }
        match v.phase {
            Phase::Start => write!(f, "{} started", v.action),
            Phase::Event => match v.owasp {
                Some(o) => o.fmt(f),
                None => f.write_str(v.action),
            },
            Phase::End => {
                let d = v.timing.map(|t| t.duration).unwrap_or_default();
                if v.cancelled {
                    write!(f, "{} was cancelled after {}", v.action, HumanDuration(d))?;
                } else if v.error.as_ref().is_some_and(|e| e.kind == "panic") {
                    write!(f, "{} panicked after {}", v.action, HumanDuration(d))?;
                } else if v.outcome == Some(EventOutcome::Failure) {
                    write!(f, "{} failed in {}", v.action, HumanDuration(d))?;
                } else {
                    write!(f, "{} succeeded in {}", v.action, HumanDuration(d))?;
                }
                if v.budget_exceeded == Some(true) {
                    if let Some(m) = v.meta {
                        write!(f, ", over its {} budget", m.budget_text)?;
                    }
                }
                Ok(())
            }
        }
    }
}

/// `1.234 ms`, `2.5 s`, `850 µs`.
pub(crate) struct HumanDuration(pub(crate) Duration);

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = self.0.as_nanos();
        if ns < 1_000 {
            write!(f, "{ns} ns")
        } else if ns < 1_000_000 {
            write!(f, "{:.1} µs", ns as f64 / 1e3)
        } else if ns < 1_000_000_000 {
            write!(f, "{:.3} ms", ns as f64 / 1e6)
        } else {
            write!(f, "{:.3} s", ns as f64 / 1e9)
        }
    }
}

/// Members of the record, written in order with commas between.
struct Members<'w> {
    w: &'w mut Writer,
    first: bool,
}

impl<'w> Members<'w> {
    fn key(&mut self, key: &str) -> &mut Writer {
        if !self.first {
            self.w.buf.push(b',');
        }
        self.first = false;
        json::push_static_str(&mut self.w.buf, key);
        self.w.buf.push(b':');
        self.w
    }

    fn str(&mut self, key: &str, value: &str) {
        self.key(key).string(value);
    }

    fn static_str(&mut self, key: &str, value: &str) {
        json::push_static_str(&mut self.key(key).buf, value);
    }

    fn display(&mut self, key: &str, value: &dyn fmt::Display) {
        self.key(key).display(value);
    }

    fn u64(&mut self, key: &str, value: u64) {
        json::push_u64(&mut self.key(key).buf, value);
    }

    fn bool(&mut self, key: &str, value: bool) {
        self.key(key).buf.extend_from_slice(if value { b"true" } else { b"false" });
    }

    fn time(&mut self, key: &str, t: SystemTime) {
        let w = self.key(key);
        w.buf.push(b'"');
        write_rfc3339(&mut w.buf, t);
        w.buf.push(b'"');
    }

    /// A nested object: `f` writes its members.
    fn object(&mut self, key: &str, f: impl FnOnce(&mut Members<'_>)) {
        let w = self.key(key);
        w.buf.push(b'{');
        let mut inner = Members { w, first: true };
        f(&mut inner);
        inner.w.buf.push(b'}');
    }

    /// A nested object written only if `any` (so no empty objects appear).
    fn object_if(&mut self, any: bool, key: &str, f: impl FnOnce(&mut Members<'_>)) {
        if any {
            self.object(key, f);
        }
    }
}

fn write_rfc3339(buf: &mut Vec<u8>, t: SystemTime) {
    use std::io::Write;
    // `humantime` writes `YYYY-MM-DDTHH:MM:SS.ffffffZ` without allocating.
    let _ = write!(buf, "{}", humantime::format_rfc3339_micros(t));
}

/// Current time, clamped to the epoch for clocks set before 1970.
fn now() -> SystemTime {
    SystemTime::now().max(SystemTime::UNIX_EPOCH)
}

fn write_json(config: Config, v: &mut RecordView<'_>, w: &mut Writer) {
    let inner = config.0;
    let now = now();
    let event_id: Id = crate::id::new_id();
    w.buf.push(b'{');
    let mut m = Members { w, first: true };
    m.time("@timestamp", now);
    m.object("log", |m| {
        m.static_str("level", v.level.as_str());
        if let Some(meta) = v.meta {
            m.object("origin", |m| {
                m.str("function", meta.function);
                m.object("file", |m| {
                    m.str("name", meta.file);
                    m.u64("line", meta.line as u64);
                });
            });
        }
    });
    m.display("message", &Summary(v));
    write_event(&mut m, v, event_id, now);
    if let Some(tx) = v.transaction {
        m.object("transaction", |m| m.str("id", tx));
    }
    m.object("service", |m| m.str("name", &inner.service));
    write_where(&mut m, config, v.cx, v.status_code);
    write_who(&mut m, v.cx);
    if let Some(e) = &v.error {
        m.object("error", |m| {
            m.str("type", e.kind);
            if let Some(msg) = e.message {
                m.display("message", msg);
            }
        });
    }
    write_seclog(&mut m, v);
    #[cfg(any(feature = "emf", feature = "lambda"))]
    crate::integrations::write_end_members(config, v, w);
    w.buf.push(b'}');
}

fn write_event(m: &mut Members<'_>, v: &RecordView<'_>, id: Id, now: SystemTime) {
    m.object("event", |m| {
        m.static_str("kind", v.kind);
        m.key("category").buf.push(b'[');
        json::push_str(&mut m.w.buf, v.category);
        m.w.buf.push(b']');
        m.key("type").buf.push(b'[');
        json::push_static_str(&mut m.w.buf, v.types);
        m.w.buf.push(b']');
        m.str("action", v.action);
        if let Some(o) = v.outcome {
            m.static_str("outcome", o.as_str());
        }
        m.static_str("id", id.as_str());
        if let Some(t) = v.timing {
            m.time("start", t.start);
            m.time("end", now.max(t.start));
            m.u64("duration", u64::try_from(t.duration.as_nanos()).unwrap_or(u64::MAX));
        }
    });
}

fn write_where(m: &mut Members<'_>, config: Config, cx: Option<&Context>, status: Option<u16>) {
    let p = &config.0.process;
    let get = |t| cx.and_then(|c| c.get(t));
    let faas_name = get(Text::FaasName).or(p.faas_name.as_deref());
    let faas_version = get(Text::FaasVersion).or(p.faas_version.as_deref());
    let faas_id = get(Text::FaasId);
    let execution = get(Text::RequestId);
    let trigger = get(Text::TriggerType);
    let coldstart = cx.and_then(|c| c.coldstart());
    let any_faas = faas_name.is_some()
        || faas_version.is_some()
        || faas_id.is_some()
        || execution.is_some()
        || trigger.is_some()
        || coldstart.is_some();
    m.object_if(any_faas, "faas", |m| {
        if let Some(v) = faas_name {
            m.str("name", v);
        }
        if let Some(v) = faas_version {
            m.str("version", v);
        }
        if let Some(v) = faas_id {
            m.str("id", v);
        }
        if let Some(v) = execution {
            m.str("execution", v);
        }
        if let Some(v) = coldstart {
            m.bool("coldstart", v);
        }
        if let Some(v) = trigger {
            m.object("trigger", |m| m.str("type", v));
        }
    });
    m.object_if(p.cloud_provider.is_some() || p.cloud_region.is_some(), "cloud", |m| {
        if let Some(v) = p.cloud_provider {
            m.static_str("provider", v);
        }
        if let Some(v) = &p.cloud_region {
            m.str("region", v);
        }
    });
    if let Some(path) = get(Text::UrlPath) {
        m.object("url", |m| m.str("path", path));
    }
    let method = get(Text::HttpMethod);
    m.object_if(method.is_some() || status.is_some(), "http", |m| {
        if let Some(v) = method {
            m.object("request", |m| m.str("method", v));
        }
        if let Some(code) = status {
            m.object("response", |m| m.u64("status_code", code as u64));
        }
    });
    if let Some(t) = get(Text::TraceId) {
        m.object("trace", |m| m.str("id", t));
    }
}

fn write_who(m: &mut Members<'_>, cx: Option<&Context>) {
    let Some(cx) = cx else { return };
    let (id, name, hash) = (cx.get(Text::UserId), cx.get(Text::UserName), cx.get(Text::UserHash));
    m.object_if(id.is_some() || name.is_some() || hash.is_some(), "user", |m| {
        if let Some(v) = id {
            m.str("id", v);
        }
        if let Some(v) = name {
            m.str("name", v);
        }
        if let Some(v) = hash {
            m.str("hash", v);
        }
    });
    if let Some(s) = cx.get(Text::Source) {
        m.object("source", |m| m.str(if cx.source_is_ip() { "ip" } else { "address" }, s));
    }
    if let Some(ua) = cx.get(Text::UserAgent) {
        m.object("user_agent", |m| m.str("original", ua));
    }
}

fn write_seclog(m: &mut Members<'_>, v: &mut RecordView<'_>) {
    m.object("seclog", |m| {
        m.static_str("phase", v.phase.as_str());
        if let Some(o) = v.owasp {
            m.display("owasp", o);
        }
        if let (Some(meta), Some(exceeded)) = (v.meta, v.budget_exceeded) {
            if let Some(ns) = meta.budget_ns {
                m.object("budget", |m| {
                    m.u64("ms", ns / 1_000_000);
                    m.bool("exceeded", exceeded);
                });
            }
        }
        if v.cancelled {
            m.bool("cancelled", true);
        }
        if let Some(raw) = v.inputs_json {
            let w = m.key("input");
            w.buf.extend_from_slice(raw);
        }
        if let Some(payload) = v.payload.as_mut() {
            // The payload members go into the same `seclog` object through
            // the bounded writer. The object's own braces were written by
            // `Members::object`, so a headless `Object` continues it.
            let first = m.first;
            let mask = v.meta.map_or(Mask::NONE, |meta| meta.mask);
            let mut obj = Object::continuing(m.w, mask, first);
            payload(&mut obj);
            m.first = obj.is_first();
            drop(obj);
        }
        if m.w.truncated {
            m.bool("truncated", true);
        }
    });
}

/// One human line: time, level, summary, then the 4 W's as `key=value`
/// and the payloads as compact JSON. Values that need it are quoted and
/// escaped exactly as JSON strings are, so the line cannot be split.
fn write_pretty(config: Config, v: &mut RecordView<'_>, w: &mut Writer) {
    use std::io::Write as _;
    let now = now();
    write_rfc3339(&mut w.buf, now);
    let _ = write!(w.buf, " {:<5} ", v.level.as_str().to_ascii_uppercase());
    pretty_text(w, &Summary(v));
    let kv = |w: &mut Writer, key: &str, value: &dyn fmt::Display| {
        w.buf.push(b' ');
        w.buf.extend_from_slice(key.as_bytes());
        w.buf.push(b'=');
        pretty_text(w, value);
    };
    kv(w, "event.action", &v.action);
    if let Some(o) = v.outcome {
        kv(w, "event.outcome", &o.as_str());
    }
    if let Some(t) = v.timing {
        kv(w, "event.duration", &HumanDuration(t.duration));
    }
    if let Some(tx) = v.transaction {
        kv(w, "transaction.id", &tx);
    }
    if let Some(cx) = v.cx {
        for (key, field) in [
            ("user.id", Text::UserId),
            ("user.name", Text::UserName),
            ("user.hash", Text::UserHash),
            (if cx.source_is_ip() { "source.ip" } else { "source.address" }, Text::Source),
            ("user_agent.original", Text::UserAgent),
            ("http.request.method", Text::HttpMethod),
            ("url.path", Text::UrlPath),
            ("faas.execution", Text::RequestId),
            ("trace.id", Text::TraceId),
        ] {
            if let Some(value) = cx.get(field) {
                kv(w, key, &value);
            }
        }
    }
    if let Some(code) = v.status_code {
        kv(w, "http.response.status_code", &code);
    }
    if let Some(e) = &v.error {
        kv(w, "error.type", &e.kind);
        if let Some(msg) = e.message {
            kv(w, "error.message", msg);
        }
    }
    if let Some(o) = v.owasp {
        kv(w, "seclog.owasp", o);
    }
    if v.budget_exceeded == Some(true) {
        kv(w, "seclog.budget.exceeded", &true);
    }
    if v.cancelled {
        kv(w, "seclog.cancelled", &true);
    }
    let _ = config;
    if let Some(raw) = v.inputs_json {
        w.buf.extend_from_slice(b" input=");
        w.buf.extend_from_slice(raw);
    }
    if let Some(payload) = v.payload.as_mut() {
        w.buf.extend_from_slice(b" seclog=");
        let mask = v.meta.map_or(Mask::NONE, |meta| meta.mask);
        let mut obj = w.out(mask).object();
        payload(&mut obj);
    }
    if w.truncated {
        w.buf.extend_from_slice(b" seclog.truncated=true");
    }
}

/// Text as is when it is a plain word, else as an escaped JSON string.
fn pretty_text(w: &mut Writer, value: &dyn fmt::Display) {
    let start = w.buf.len();
    w.display(value);
    // `display` wrote a quoted, escaped string; drop the quotes when the
    // content is a plain word, for readability.
    let inner = &w.buf[start + 1..w.buf.len() - 1];
    let plain = !inner.is_empty()
        && inner.iter().all(|&b| b.is_ascii_graphic() && b != b'"' && b != b'\\' && b != b'=');
    if plain {
        w.buf.remove(start);
        w.buf.pop();
    }
}

/// Reports, once, that `#[redact(hash)]` digests use a random key.
pub(crate) fn report_ephemeral_key(config: Config) {
    let message = "no hash key is configured: #[redact(hash)] digests use a random key for this process and will not correlate across processes; set SECLOG_HASH_KEY (at least 16 random bytes) or Builder::hash_key";
    let mut view = RecordView::new(Level::Warn, Phase::Event, "seclog.config");
    view.kind = "pipeline_error";
    view.category = "configuration";
    view.message = Some(&message);
    emit(config, &mut view);
}

/// Reports a configuration problem as an error record.
pub(crate) fn report_config_problem(config: Config, problem: &crate::config::ConfigError) {
    let message = format_args!("{problem}; using the default instead");
    let mut view = RecordView::new(Level::Error, Phase::Event, "seclog.config");
    view.kind = "pipeline_error";
    view.category = "configuration";
    view.message = Some(&message);
    view.error = Some(ErrorView { kind: "seclog::ConfigError", message: Some(problem) });
    emit(config, &mut view);
}
