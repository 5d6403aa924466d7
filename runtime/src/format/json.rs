//! ECS JSON: nested objects in a fixed order, the 4 W's first and the
//! payloads (`seclog.input`, `seclog.response`) last, so a record cut at
//! the size limit loses payload, never who, where or when.

use super::summary::{ShortText, Summary};
use super::time::{now, rfc3339, write_rfc3339};
use super::view::RecordView;
use super::Tail;
use crate::config::Config;
use crate::context::{Context, Text};
use crate::id::Id;
use crate::json;
use crate::record::ECS_VERSION;
use crate::redact::{Mask, Object, Writer};
use std::fmt;
use std::sync::OnceLock;
use std::time::SystemTime;

/// Writes what `write` writes, from `cell` when it holds it (written once
/// there with the same bounds), or directly when there is no `cell`. The
/// caller offers a cell only where no string written would be cut, so the
/// bytes are the same under any configuration.
fn once(w: &mut Writer, cell: Option<&OnceLock<Box<[u8]>>>, write: impl FnOnce(&mut Writer)) {
    match cell {
        Some(cell) => {
            let bytes = cell.get_or_init(|| {
                let mut fresh = Writer::new(Vec::new(), w.limits, w.policy, w.hash_key);
                write(&mut fresh);
                fresh.buf.into_boxed_slice()
            });
            w.buf.extend_from_slice(bytes);
        }
        None => write(w),
    }
}
/// Members of the record, written in order with commas between.
struct Members<'w> {
    w: &'w mut Writer,
    first: bool,
}

impl<'w> Members<'w> {
    #[inline(always)]
    fn key(&mut self, key: &str) -> &mut Writer {
        json::push_key(&mut self.w.buf, !self.first, key);
        self.first = false;
        self.w
    }

    // Inlined, as are all members: with the key a constant, writing it is
    // a few stores.
    #[inline(always)]
    fn str(&mut self, key: &str, value: &str) {
        self.key(key).string(value);
    }

    /// A string seclog chose (a name, an id, a type): not scanned for
    /// secrets' shapes, unlike the values it is given.
    #[inline(always)]
    fn own_str(&mut self, key: &str, value: &str) {
        self.key(key).own_string(value);
    }

    #[inline(always)]
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
        self.key(key)
            .buf
            .extend_from_slice(if value { b"true" } else { b"false" });
    }

    fn time(&mut self, key: &str, t: SystemTime) {
        self.time_as(key, t, rfc3339(t));
    }

    /// A time whose text is already made (`None` outside its range).
    fn time_as(&mut self, key: &str, t: SystemTime, text: Option<[u8; 27]>) {
        let w = self.key(key);
        match text {
            Some(text) => {
                let mut quoted = [b'"'; 29];
                quoted[1..28].copy_from_slice(&text);
                w.buf.extend_from_slice(&quoted);
            }
            None => {
                w.buf.push(b'"');
                write_rfc3339(&mut w.buf, t);
                w.buf.push(b'"');
            }
        }
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
pub(super) fn write_json(
    config: Config,
    v: &mut RecordView<'_>,
    w: &mut Writer,
    tail: Option<Tail>,
) {
    let inner = config.0;
    let now = v.at.unwrap_or_else(now);
    let event_id: Id = crate::id::new_id();
    w.buf.push(b'{');
    let mut m = Members { w, first: true };
    // The end record's `event.end` is the same instant.
    let now_text = rfc3339(now);
    m.time_as("@timestamp", now, now_text);
    // The ECS logging specification: `@timestamp`, `log.level` (a top-level
    // dotted key, never nested) and `message` open every record, in order.
    m.static_str("log.level", v.level.as_str());
    // The summary built on the stack and written as a string, as `Display`
    // through the writer would write it, but without `fmt`: words of
    // seclog's and the handler's name. A summary that quotes a given
    // message or an OWASP event (whose arguments are data: a user name, a
    // resource) is scanned for shapes like any text of data.
    let mut summary = ShortText::new();
    match Summary(v)
        .push_to(&mut summary)
        .then(|| summary.finished())
        .flatten()
    {
        Some(text) => m.own_str("message", text),
        None => m.display("message", &Summary(v)),
    }
    if inner.lambda_json {
        // What AWS Lambda's log-level filter reads of a JSON line.
        m.static_str("level", v.level.lambda_name());
        m.time_as("timestamp", now, now_text);
    }
    m.object("ecs", |m| m.static_str("version", ECS_VERSION));
    if let Some(meta) = v.meta {
        m.object("log", |m| {
            let whole = meta.function.len().max(meta.file.len()) <= m.w.limits.max_string_bytes;
            let w = m.key("origin");
            once(w, whole.then_some(&meta.cache.origin), |w| {
                w.buf.push(b'{');
                let mut m = Members { w, first: true };
                m.own_str("function", meta.function);
                m.object("file", |m| {
                    m.own_str("name", meta.file);
                    m.u64("line", meta.line as u64);
                });
                m.w.buf.push(b'}');
            });
        });
    }
    write_event(&mut m, v, event_id, now, now_text);
    // The members both records of an invocation have alike: copied from
    // the start record when it kept them and they fit as they are here
    // (so none would be cut now either); they follow `event`, so each
    // begins with a comma wherever it is written.
    let fits = |h: &[u8]| m.w.buf.len() + h.len() <= m.w.limit_end;
    match v.header_in.filter(|h| !h.is_empty() && fits(h)) {
        Some(header) => m.w.buf.extend_from_slice(header),
        None => {
            let (start, cuts) = (m.w.buf.len(), m.w.cuts);
            if let Some(tx) = v.transaction {
                // The platform's request id, or one the handler took from
                // its request, is data and scanned; an id seclog made is not.
                let own = v.cx.is_some_and(Context::transaction_is_own);
                m.object("transaction", |m| {
                    if own {
                        m.own_str("id", tx)
                    } else {
                        m.str("id", tx)
                    }
                });
            }
            m.object("service", |m| m.own_str("name", &inner.service));
            write_where(&mut m, config, v.cx);
            write_who(&mut m, v.cx);
            if let Some(out) = v.header_out.as_mut() {
                out.clear();
                if m.w.cuts == cuts {
                    out.extend_from_slice(&m.w.buf[start..]);
                }
            }
        }
    }
    write_http(&mut m, v.cx, v.status_code);
    if let Some(e) = &v.error {
        m.object("error", |m| {
            m.own_str("type", e.kind);
            if let Some(msg) = e.message {
                m.display("message", msg);
            }
        });
    }
    write_seclog(&mut m, v);
    if let Some(tail) = tail {
        tail(config, v, w);
    }
    w.buf.push(b'}');
}

fn write_event(
    m: &mut Members<'_>,
    v: &RecordView<'_>,
    id: Id,
    now: SystemTime,
    now_text: Option<[u8; 27]>,
) {
    // A handler's start and end records begin `event` alike each time.
    let max = m.w.limits.max_string_bytes;
    let cell = v
        .meta
        .filter(|meta| {
            v.kind == "event"
                && v.action == meta.name
                && v.category == meta.category
                && meta.name.len() <= max
        })
        .and_then(|meta| match v.types {
            "start" => Some(&meta.cache.start_event),
            "end" => Some(&meta.cache.end_event),
            _ => None,
        });
    let w = m.key("event");
    once(w, cell, |w| {
        w.buf.push(b'{');
        let mut m = Members { w, first: true };
        m.static_str("kind", v.kind);
        m.key("category").buf.push(b'[');
        json::push_str(&mut m.w.buf, v.category);
        m.w.buf.push(b']');
        m.key("type").buf.push(b'[');
        json::push_static_str(&mut m.w.buf, v.types);
        m.w.buf.push(b']');
        m.own_str("action", v.action);
    });
    {
        let mut m = Members { w, first: false };
        if let Some(o) = v.outcome {
            m.static_str("outcome", o.as_str());
        }
        m.key("id").buf.extend_from_slice(&id.quoted());
        if let Some(t) = v.timing {
            m.time("start", t.start);
            if now >= t.start {
                m.time_as("end", now, now_text);
            } else {
                m.time("end", t.start);
            }
            m.u64(
                "duration",
                u64::try_from(t.duration.as_nanos()).unwrap_or(u64::MAX),
            );
        }
        m.w.buf.push(b'}');
    }
}

fn write_where(m: &mut Members<'_>, config: Config, cx: Option<&Context>) {
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
    m.object_if(
        p.cloud_provider.is_some() || p.cloud_region.is_some(),
        "cloud",
        |m| {
            if let Some(v) = p.cloud_provider {
                m.static_str("provider", v);
            }
            if let Some(v) = &p.cloud_region {
                m.own_str("region", v);
            }
        },
    );
    if let Some(path) = get(Text::UrlPath) {
        m.object("url", |m| m.str("path", path));
    }
    if let Some(t) = get(Text::TraceId) {
        m.object("trace", |m| m.str("id", t));
    }
}

/// `http.request.method` and `http.response.status_code`: after the members
/// both records have alike, as only the end record has a status.
fn write_http(m: &mut Members<'_>, cx: Option<&Context>, status: Option<u16>) {
    let method = cx.and_then(|c| c.get(Text::HttpMethod));
    m.object_if(method.is_some() || status.is_some(), "http", |m| {
        if let Some(v) = method {
            m.object("request", |m| m.str("method", v));
        }
        if let Some(code) = status {
            m.object("response", |m| m.u64("status_code", code as u64));
        }
    });
}

fn write_who(m: &mut Members<'_>, cx: Option<&Context>) {
    let Some(cx) = cx else { return };
    let (id, name, hash) = (
        cx.get(Text::UserId),
        cx.get(Text::UserName),
        cx.get(Text::UserHash),
    );
    m.object_if(
        id.is_some() || name.is_some() || hash.is_some(),
        "user",
        |m| {
            if let Some(v) = id {
                m.str("id", v);
            }
            if let Some(v) = name {
                m.str("name", v);
            }
            // A digest as seclog makes them passes the scan unchanged; the
            // text a handler set through `Context::set_user_hash` is
            // scanned like any text of data.
            if let Some(v) = hash {
                m.str("hash", v);
            }
        },
    );
    if let Some(s) = cx.get(Text::Source) {
        m.object("source", |m| {
            m.str(if cx.source_is_ip() { "ip" } else { "address" }, s)
        });
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::handler::{HandlerMeta, MetaCache};
    use crate::record::{Level, Phase};

    #[test]
    fn the_origin_written_once_reads_as_written_member_by_member() {
        static META: HandlerMeta = HandlerMeta {
            name: "transfer",
            level: Level::Info,
            category: "api",
            category_explicit: false,
            budget_ns: None,
            budget_text: "",
            emit: crate::record::Emit::Both,
            function: "app::\"quoted\"::transfer",
            file: "src\\windows\\main.rs",
            line: 4321,
            auth: None,
            mask: Mask::NONE,
            cache: MetaCache::new(),
        };
        let config = crate::state::current();
        let write = |max_string_bytes: usize, category: &str| {
            let inner = config.0;
            let limits = crate::redact::Limits {
                max_string_bytes,
                ..inner.limits
            };
            let mut w = Writer::new(Vec::new(), limits, &inner.policy, &inner.hash_key);
            let mut view = RecordView::new(Level::Info, Phase::Start, "transfer");
            view.meta = Some(&META);
            view.category = category;
            view.types = "start";
            write_json(config, &mut view, &mut w, None);
            serde_json::from_slice::<serde_json::Value>(&w.buf).unwrap()
        };
        let record =
            |max_string_bytes: usize| write(max_string_bytes, "api")["log"]["origin"].clone();
        // The beginning of `event`, written once for the handler's start
        // records, and directly for a category of the invocation's own.
        for category in ["api", "api", "authentication"] {
            let event = write(4096, category)["event"].clone();
            assert_eq!(event["kind"], "event");
            assert_eq!(event["category"], serde_json::json!([category]));
            assert_eq!(event["type"], serde_json::json!(["start"]));
            assert_eq!(event["action"], "transfer");
            assert_eq!(event["id"].as_str().unwrap().len(), 32);
        }
        for _ in 0..2 {
            let origin = record(4096);
            assert_eq!(origin["function"], META.function);
            assert_eq!(origin["file"]["name"], META.file);
            assert_eq!(origin["file"]["line"], 4321);
        }
        // Strings the limit cuts are written member by member, marked.
        let cut = record(16);
        let function = cut["function"].as_str().unwrap();
        assert!(function.starts_with("app::\"quoted\"::") && function.contains("[truncated"));
        assert_eq!(cut["file"]["line"], 4321);
    }
}
