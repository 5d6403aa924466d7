//! Formatting: a record is a function of its data and a reused buffer.
//!
//! JSON records use ECS names as nested objects, in a fixed order: the
//! 4 W's first, the payloads (`seclog.input`, `seclog.response`) last, so a
//! record cut at the size limit loses payload, never who, where or when.
//!
//! A [`RecordView`] and a reused [`Writer`] in, the record's bytes out: no
//! I/O and no configuration read behind the caller's back (the caller
//! passes the [`Config`]); what formatting keeps is caches (a handler's
//! fixed members, the current second's text) and the `stats` counters.

mod json;
mod pretty;
mod summary;
mod time;
mod view;

pub(crate) use view::{ErrorView, RecordView, Timing};

use crate::config::{Config, Format};
use crate::redact::{Mask, Writer};
use crate::stats;

/// Writes one value alone as JSON into `out` (cleared first), with the
/// bounds of `config`; returns whether anything was cut.
pub(crate) fn render(
    config: Config,
    out: &mut Vec<u8>,
    mask: Mask,
    f: &mut dyn FnMut(crate::redact::Out<'_>),
) -> bool {
    let inner = config.0;
    let mut writer = Writer::new(
        std::mem::take(out),
        inner.limits,
        &inner.policy,
        &inner.hash_key,
    );
    #[cfg(feature = "seal")]
    {
        writer.sealer = inner.sealer;
    }
    writer.shapes = inner.shapes;
    // Half the record: the rest of the end record must still fit.
    writer.limit_end /= 2;
    let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(writer.out(mask)))).is_ok();
    if !ok {
        stats::format_panic();
        writer.reset();
        writer
            .buf
            .extend_from_slice(b"\"[unavailable: the value panicked while being logged]\"");
        writer.truncated = true;
    }
    let truncated = writer.truncated;
    *out = writer.buf;
    truncated
}

/// Writes members of its own at the end of a JSON record, after `seclog`:
/// how an integration adds to records without formatting knowing it.
pub(crate) type Tail = fn(Config, &RecordView<'_>, &mut Writer);

/// Formats the record `v` into `w` in the configuration's format; `tail`
/// adds to a JSON record's end.
pub(crate) fn write_record(
    config: Config,
    v: &mut RecordView<'_>,
    w: &mut Writer,
    tail: Option<Tail>,
) {
    // The 4 W's text cut to the string limit carries its own marker, as do
    // the inputs an `emit = "end"` record carries, written earlier.
    w.truncated |=
        v.cx.is_some_and(|cx| cx.has_cut() || (v.inputs_json.is_some() && cx.inputs_truncated));
    match config.0.format {
        Format::Json => json::write_json(config, v, w, tail),
        Format::Pretty => pretty::write_pretty(config, v, w),
    }
}
