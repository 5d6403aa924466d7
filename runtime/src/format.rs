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
use std::cell::{Cell, RefCell};
use std::fmt;
use std::sync::OnceLock;
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
    /// Parts of its records that never change, as JSON, written once.
    pub cache: MetaCache,
}

/// Parts of a handler's records that are the same in every record, as
/// JSON, each written the first time a record needs it: `log.origin`, and
/// the beginning of `event` (kind, category, type, action) of its start
/// and end records.
#[doc(hidden)]
#[derive(Debug)]
pub struct MetaCache {
    origin: OnceLock<Box<[u8]>>,
    start_event: OnceLock<Box<[u8]>>,
    end_event: OnceLock<Box<[u8]>>,
}

impl MetaCache {
    #[allow(clippy::new_without_default)]
    pub const fn new() -> MetaCache {
        MetaCache {
            origin: OnceLock::new(),
            start_event: OnceLock::new(),
            end_event: OnceLock::new(),
        }
    }
}

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
    /// `@timestamp`, when not the time of writing.
    pub(crate) at: Option<SystemTime>,
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
    /// Keeps the members from `transaction` to `user_agent` as written (a
    /// start record's, for its end record), unless something in them was
    /// cut.
    pub(crate) header_out: Option<&'a mut Vec<u8>>,
    /// Those members as the start record wrote them, written as they are
    /// (the same context and configuration write the same bytes).
    pub(crate) header_in: Option<&'a [u8]>,
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
            at: None,
            error: None,
            status_code: None,
            budget_exceeded: None,
            owasp: None,
            cancelled: false,
            message: None,
            payload: None,
            inputs_json: None,
            header_out: None,
            header_in: None,
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
    let fresh = || {
        Writer::new(
            Vec::with_capacity(4096),
            inner.limits,
            &inner.policy,
            &inner.hash_key,
        )
    };
    // The thread's writer, used where it is; a record written while
    // another is (from a sink, say) gets a writer of its own.
    let reused = WRITER.try_with(|slot| {
        let Ok(mut slot) = slot.try_borrow_mut() else {
            return false;
        };
        let writer = slot.get_or_insert_with(fresh);
        write_and_send(config, view, writer);
        // Keep the buffer for the next record unless one record made it huge.
        if writer.buf.capacity() > 2 * crate::redact::Limits::MAX_RECORD_BYTES {
            *slot = None;
        }
        true
    });
    if reused != Ok(true) {
        write_and_send(config, view, &mut fresh());
    }
    if crate::hash::WARN_PENDING.swap(false, std::sync::atomic::Ordering::Relaxed) {
        report_ephemeral_key(config);
    }
}

/// Formats the record in `writer` and hands it to the sink.
fn write_and_send(config: Config, view: &mut RecordView<'_>, writer: &mut Writer) {
    let inner = config.0;
    writer.limits = inner.limits;
    writer.policy = &inner.policy;
    writer.hash_key = &inner.hash_key;
    writer.reset();

    let formatted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        write_record(config, view, writer);
    }));
    if formatted.is_err() {
        // A user `Display`/`Serialize`/`Redact` panicked mid-record: write a
        // minimal, valid record in its place rather than lose the event.
        stats::format_panic();
        writer.reset();
        view.payload = None;
        view.inputs_json = None;
        view.error = view.error.as_ref().map(|e| ErrorView {
            kind: e.kind,
            message: None,
        });
        view.message = None;
        view.owasp = None;
        writer.truncated = true;
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            write_record(config, view, writer)
        }))
        .is_err()
        {
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
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            inner.sink.write(buf, level)
        })) {
            Ok(Ok(())) => stats::record_written(),
            Ok(Err(_)) => stats::write_error(),
            Err(_) => stats::sink_panic(),
        }
    }
}

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

impl Summary<'_, '_> {
    /// Appends the summary without `fmt`, as `Display` writes it; `false`
    /// when it takes `Display` (a message or an OWASP event given as one, a
    /// duration at an exact half).
    fn push_to(&self, out: &mut ShortText) -> bool {
        let v = self.0;
        if v.message.is_some() {
            return false;
        }
        match v.phase {
            Phase::Start => {
                out.push(v.action);
                out.push(" started");
            }
            Phase::Event => match v.owasp {
                Some(_) => return false,
                None => out.push(v.action),
            },
            Phase::End => {
                out.push(v.action);
                out.push(if v.cancelled {
                    " was cancelled after "
                } else if v.error.as_ref().is_some_and(|e| e.kind == "panic") {
                    " panicked after "
                } else if v.outcome == Some(EventOutcome::Failure) {
                    " failed in "
                } else {
                    " succeeded in "
                });
                if !HumanDuration(v.timing.map(|t| t.duration).unwrap_or_default()).push_to(out) {
                    return false;
                }
                if v.budget_exceeded == Some(true) {
                    if let Some(m) = v.meta {
                        out.push(", over its ");
                        out.push(m.budget_text);
                        out.push(" budget");
                    }
                }
            }
        }
        true
    }
}

/// `1.234 ms`, `2.5 s`, `850 µs`.
pub(crate) struct HumanDuration(pub(crate) Duration);

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = ShortText::new();
        if self.push_to(&mut text) {
            return f.write_str(text.as_str());
        }
        let ns = self.0.as_nanos();
        match ns {
            1_000..=999_999 => write!(f, "{:.1} µs", ns as f64 / 1e3),
            1_000_000..=999_999_999 => write!(f, "{:.3} ms", ns as f64 / 1e6),
            _ => write!(f, "{:.3} s", ns as f64 / 1e9),
        }
    }
}

impl HumanDuration {
    /// Appends the text, without `fmt`: `ns / unit` to one or three decimals
    /// (the digits of `ns / step`), rounded as floating-point formatting
    /// rounds `ns as f64 / unit`, which is by integers except at an exact
    /// half, where the binary value decides: then this says `false` and
    /// leaves it to [`Display`](fmt::Display).
    fn push_to(&self, out: &mut ShortText) -> bool {
        let ns = self.0.as_nanos();
        let Ok(small) = u64::try_from(ns) else {
            return false;
        };
        let (step, scale, suffix) = match small {
            0..=999 => {
                out.push(itoa::Buffer::new().format(small));
                out.push(" ns");
                return true;
            }
            1_000..=999_999 => (100, 10, " µs"),
            1_000_000..=999_999_999 => (1_000, 1_000, " ms"),
            _ => (1_000_000, 1_000, " s"),
        };
        let (steps, rest) = (small / step, small % step);
        if rest * 2 == step {
            return false;
        }
        let steps = if rest * 2 > step { steps + 1 } else { steps };
        out.push(itoa::Buffer::new().format(steps / scale));
        out.push(".");
        // The decimals with their leading zeros: `scale + decimals` without
        // its leading one.
        let mut decimals = itoa::Buffer::new();
        out.push(&decimals.format(steps % scale + scale)[1..]);
        out.push(suffix);
        true
    }
}

/// Short text built on the stack, such as a record's summary; once a push
/// would not fit, it stays unfinished and says so.
pub(crate) struct ShortText {
    buf: [u8; 200],
    len: usize,
    fits: bool,
}

impl ShortText {
    pub(crate) fn new() -> Self {
        ShortText {
            buf: [0; 200],
            len: 0,
            fits: true,
        }
    }

    pub(crate) fn push(&mut self, s: &str) {
        match self.buf.get_mut(self.len..self.len + s.len()) {
            Some(slot) if self.fits => {
                slot.copy_from_slice(s.as_bytes());
                self.len += s.len();
            }
            _ => self.fits = false,
        }
    }

    /// The text, if everything pushed fitted.
    pub(crate) fn finished(&self) -> Option<&str> {
        self.fits.then(|| self.as_str())
    }

    fn as_str(&self) -> &str {
        // Only whole `&str`s are pushed: always UTF-8.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
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

thread_local! {
    /// The second last written, and its text `YYYY-MM-DDTHH:MM:SS`: the
    /// calendar is worked out once a second, not once a record.
    static SECOND: Cell<(u64, [u8; 19])> = const { Cell::new((u64::MAX, [0; 19])) };
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ` as fixed-size text, or `None` outside
/// the calendar's range (from before 1970, after 9999).
#[inline]
fn rfc3339(t: SystemTime) -> Option<[u8; 27]> {
    let since = t.duration_since(SystemTime::UNIX_EPOCH).ok()?;
    let second = second_text(since.as_secs())?;
    let mut text = [0u8; 27];
    text[..19].copy_from_slice(&second);
    // The microseconds, two digits at a time.
    let micros = since.subsec_micros();
    let (high, rest) = (micros / 10_000, micros % 10_000);
    let (mid, low) = (rest / 100, rest % 100);
    text[19] = b'.';
    text[20..22].copy_from_slice(&TWO_DIGITS[high as usize]);
    text[22..24].copy_from_slice(&TWO_DIGITS[mid as usize]);
    text[24..26].copy_from_slice(&TWO_DIGITS[low as usize]);
    text[26] = b'Z';
    Some(text)
}

/// `00` to `99`.
static TWO_DIGITS: [[u8; 2]; 100] = {
    let mut t = [[0u8; 2]; 100];
    let mut i = 0;
    while i < 100 {
        t[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
        i += 1;
    }
    t
};

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
fn write_rfc3339(buf: &mut Vec<u8>, t: SystemTime) {
    match rfc3339(t) {
        Some(text) => buf.extend_from_slice(&text),
        None => {
            use std::io::Write;
            // Out of `humantime`'s range: it says so, as it always did.
            let _ = write!(buf, "{}", humantime::format_rfc3339_micros(t));
        }
    }
}

/// The text of the second `secs` seconds after the epoch, from `humantime`
/// (`None` past its range, the year 9999).
fn second_text(secs: u64) -> Option<[u8; 19]> {
    if secs >= 253_402_300_800 {
        return None;
    }
    let (last, text) = SECOND.try_with(Cell::get).unwrap_or((u64::MAX, [0; 19]));
    if last == secs {
        return Some(text);
    }
    let mut full = [0u8; 20];
    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
    std::io::Write::write_fmt(
        &mut &mut full[..],
        format_args!("{}", humantime::format_rfc3339_seconds(t)),
    )
    .ok()?;
    let mut text = [0u8; 19];
    text.copy_from_slice(&full[..19]);
    let _ = SECOND.try_with(|s| s.set((secs, text)));
    Some(text)
}

/// Current time, clamped to the epoch for clocks set before 1970.
fn now() -> SystemTime {
    SystemTime::now().max(SystemTime::UNIX_EPOCH)
}

fn write_json(config: Config, v: &mut RecordView<'_>, w: &mut Writer) {
    let inner = config.0;
    let now = v.at.unwrap_or_else(now);
    let event_id: Id = crate::id::new_id();
    w.buf.push(b'{');
    let mut m = Members { w, first: true };
    // The end record's `event.end` is the same instant.
    let now_text = rfc3339(now);
    m.time_as("@timestamp", now, now_text);
    m.object("log", |m| {
        m.static_str("level", v.level.as_str());
        if let Some(meta) = v.meta {
            let whole = meta.function.len().max(meta.file.len()) <= m.w.limits.max_string_bytes;
            let w = m.key("origin");
            once(w, whole.then_some(&meta.cache.origin), |w| {
                w.buf.push(b'{');
                let mut m = Members { w, first: true };
                m.str("function", meta.function);
                m.object("file", |m| {
                    m.str("name", meta.file);
                    m.u64("line", meta.line as u64);
                });
                m.w.buf.push(b'}');
            });
        }
    });
    // The summary built on the stack and written as a string, as `Display`
    // through the writer would write it, but without `fmt`.
    let mut summary = ShortText::new();
    match Summary(v)
        .push_to(&mut summary)
        .then(|| summary.finished())
        .flatten()
    {
        Some(text) => m.str("message", text),
        None => m.display("message", &Summary(v)),
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
                m.object("transaction", |m| m.str("id", tx));
            }
            m.object("service", |m| m.str("name", &inner.service));
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
        m.str("action", v.action);
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
                m.str("region", v);
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

/// One human line: time, level, summary, then the 4 W's as `key=value`
/// and the payloads as compact JSON. Values that need it are quoted and
/// escaped exactly as JSON strings are, so the line cannot be split.
fn write_pretty(config: Config, v: &mut RecordView<'_>, w: &mut Writer) {
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
    view.error = Some(ErrorView {
        kind: "seclog::ConfigError",
        message: Some(problem),
    });
    emit(config, &mut view);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_as_humantime_writes_them() {
        let mut t = SystemTime::UNIX_EPOCH;
        for step in [
            1,
            999,
            1_000,
            999_999,
            1_000_000,
            59_999_999,
            86_399_999_999,
            31_622_400_000_001,
        ] {
            for _ in 0..50 {
                t += Duration::from_micros(step) + Duration::from_nanos(step % 1_000);
                let mut ours = Vec::new();
                write_rfc3339(&mut ours, t);
                assert_eq!(
                    String::from_utf8(ours).unwrap(),
                    humantime::format_rfc3339_micros(t).to_string()
                );
            }
        }
    }

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
        let config = crate::config::current();
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
            write_json(config, &mut view, &mut w);
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

    #[test]
    fn summaries_built_without_fmt_read_as_display_writes_them() {
        static META: HandlerMeta = HandlerMeta {
            name: "transfer",
            level: Level::Info,
            category: "api",
            category_explicit: false,
            budget_ns: Some(250_000_000),
            budget_text: "250ms",
            emit: crate::record::Emit::Both,
            function: "app::transfer",
            file: "src/main.rs",
            line: 1,
            auth: None,
            mask: Mask::NONE,
            cache: MetaCache::new(),
        };
        for phase in [Phase::Start, Phase::End, Phase::Event] {
            for (cancelled, panic, outcome, over) in [
                (false, false, Some(EventOutcome::Success), None),
                (false, false, Some(EventOutcome::Failure), Some(true)),
                (false, true, Some(EventOutcome::Failure), Some(false)),
                (true, false, Some(EventOutcome::Unknown), Some(true)),
            ] {
                for ns in [0, 916, 1_950, 1_949, 1_050, 2_500_000, 3_000_000_001] {
                    let mut v = RecordView::new(Level::Info, phase, "transfer");
                    v.meta = Some(&META);
                    v.cancelled = cancelled;
                    v.outcome = outcome;
                    v.budget_exceeded = over;
                    v.error = panic.then_some(ErrorView {
                        kind: "panic",
                        message: None,
                    });
                    v.timing = Some(Timing {
                        start: SystemTime::UNIX_EPOCH,
                        duration: Duration::from_nanos(ns),
                    });
                    let mut text = ShortText::new();
                    if Summary(&v).push_to(&mut text) {
                        assert_eq!(text.finished(), Some(Summary(&v).to_string().as_str()));
                    } else {
                        assert_eq!(ns % 100, 50, "only an exact half takes Display");
                    }
                }
            }
        }
    }

    #[test]
    fn durations_read_as_floating_point_formatting_writes_them() {
        let by_float = |ns: u128| {
            if ns < 1_000 {
                format!("{ns} ns")
            } else if ns < 1_000_000 {
                format!("{:.1} µs", ns as f64 / 1e3)
            } else if ns < 1_000_000_000 {
                format!("{:.3} ms", ns as f64 / 1e6)
            } else {
                format!("{:.3} s", ns as f64 / 1e9)
            }
        };
        let mut samples: Vec<u128> = (0..3_000).collect();
        for base in [1_000u128, 1_000_000, 1_000_000_000, 60_000_000_000] {
            for k in [1, 2, 3, 7, 9, 10, 99, 999] {
                let n = base * k;
                samples.extend([
                    n - 1,
                    n,
                    n + 1,
                    n + base / 20,
                    n + base / 2,
                    n + base / 2000,
                    n + base * 3 / 2000,
                ]);
            }
        }
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            samples.push(u128::from(x % 5_000_000_000));
            samples.push(u128::from(x % 2_000_000) / 50 * 50);
        }
        for ns in samples {
            let d = Duration::from_nanos(ns as u64);
            assert_eq!(HumanDuration(d).to_string(), by_float(ns), "{ns} ns");
        }
    }
}
