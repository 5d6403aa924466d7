//! The pretty format: one human line per record, every value that needs
//! it quoted and escaped as a JSON string, so a line cannot be split.

use super::summary::{HumanDuration, Summary};
use super::time::{now, write_rfc3339};
use super::view::RecordView;
use crate::config::Config;
use crate::context::Text;
use crate::redact::{Mask, Writer};
use std::fmt;

/// One human line: time, level, summary, then the 4 W's as `key=value`
/// and the payloads as compact JSON. Values that need it are quoted and
/// escaped exactly as JSON strings are, so the line cannot be split.
pub(super) fn write_pretty(config: Config, v: &mut RecordView<'_>, w: &mut Writer) {
    use std::io::Write as _;
    let now = v.at.unwrap_or_else(now);
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
            (
                if cx.source_is_ip() {
                    "source.ip"
                } else {
                    "source.address"
                },
                Text::Source,
            ),
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
        && inner
            .iter()
            .all(|&b| b.is_ascii_graphic() && b != b'"' && b != b'\\' && b != b'=');
    if plain {
        w.buf.remove(start);
        w.buf.pop();
    }
}
