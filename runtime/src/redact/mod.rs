//! How values appear in records: the [`Redact`] trait and the bounded writer
//! it writes into.
//!
//! A type's redaction is compiled into the code that writes it: there is no
//! intermediate `Value`, no walk over a copy, and no string matching except
//! the keys of untyped data (maps, `serde_json::Value`, `Serialize`-only
//! types), which pass the [sensitive-key policy](policy).
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

#[doc(hidden)]
#[path = "derive.rs"]
pub mod __derive;
pub(crate) mod policy;
mod serde_adapter;
pub mod shapes;
mod std_impls;

use crate::json;
pub(crate) use policy::Policy;
use std::fmt;

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
/// | none | the field type's own `Redact` | any type implementing `Redact` |
/// | `#[redact]` | `"[REDACTED]"` (even for `None`: absence is not revealed) | any |
/// | `#[redact(keep_last = N)]`, `#[redact(keep_first = N)]` | one `*` per character, keeping at most `N` characters and never more than half of the value | `String`, `&str`, `Box<str>`, `Cow<str>`, `Rc<str>`, `Arc<str>`, an `Option` of one (`None` is `null`) |
/// | `#[redact(hash)]` | a keyed digest: HMAC-SHA-256 truncated to 128 bits, 32 hex digits | text as above, integers (as their decimal text), bytes, an `Option` of one |
/// | `#[redact(skip)]` | left out | any |
/// | `#[redact(serialize)]` | through `serde::Serialize`, with the sensitive-key policy | any type implementing `Serialize` |
///
/// A field without an attribute whose type does not implement `Redact`, a
/// mask on a type that is not text, an unknown mode, two modes on one field,
/// `keep_last = 0` and the derive on a union are compile errors under the
/// offending tokens. Fields of a derived type are logged as declared: the
/// sensitive-key policy applies to untyped data only, so mark every secret
/// field.
///
/// # Shapes and serde
///
/// A struct is an object, a tuple struct an array, a newtype its field's
/// value and a unit struct `null`; an enum is externally tagged, as serde
/// writes it by default (`"Unit"`, `{"Newtype": value}`, `{"Tuple": [..]}`,
/// `{"Struct": {..}}`). So the log shows the names on the wire, the derive
/// reads serde's `rename`, `rename_all` (every casing), `rename_all_fields`,
/// `skip`, `skip_serializing`, `skip_serializing_if` and `transparent`; a
/// variant serde skips is logged as its name alone. serde's other enum
/// representations (`tag`, `content`, `untagged`) and `flatten` are not
/// followed: the log keeps the default shape.
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

/// A compiled redaction path set, built by `#[audit(redact(...))]` at
/// compile time: the children of the current position in the value.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Mask(pub &'static [MaskNode]);

/// One segment of a compiled redaction path.
#[doc(hidden)]
#[derive(Debug)]
pub struct MaskNode {
    /// A member name, an array index, or `*` for any one.
    pub key: &'static str,
    /// Redact the value here entirely.
    pub redact: bool,
    /// Deeper segments (the macro has already merged `*`'s into each
    /// sibling, so the first match is the only one that applies).
    pub children: &'static [MaskNode],
}

impl Mask {
    pub(crate) const NONE: Mask = Mask(&[]);

    #[inline]
    fn child(self, key: &str) -> Option<&'static MaskNode> {
        if self.0.is_empty() {
            return None;
        }
        self.0
            .iter()
            .find(|n| n.key == key)
            .or_else(|| self.0.iter().find(|n| n.key == "*"))
    }

    /// The mask below member `key` (empty when nothing below is redacted).
    pub(crate) fn child_mask(self, key: &str) -> Mask {
        self.child(key).map_or(Mask::NONE, |n| Mask(n.children))
    }

    #[inline]
    fn child_index(self, index: usize) -> Option<&'static MaskNode> {
        if self.0.is_empty() {
            return None;
        }
        let mut digits = itoa::Buffer::new();
        self.child(digits.format(index))
    }
}

#[derive(PartialEq, Eq)]
enum Room {
    Yes,
    /// The record size limit was reached just now: the caller marks the cut.
    JustCut,
    /// The cut was already marked: the caller writes nothing more.
    Exhausted,
}

/// The state of one record being written: the reused buffer, the bounds,
/// and what has been cut.
#[doc(hidden)]
pub struct Writer {
    pub(crate) buf: Vec<u8>,
    pub(crate) limits: Limits,
    /// Payload writing stops once the buffer reaches this length.
    pub(crate) limit_end: usize,
    depth: usize,
    pub(crate) truncated: bool,
    /// The record size limit was hit: nothing more is written.
    exhausted: bool,
    pub(crate) policy: &'static Policy,
    pub(crate) hash_key: &'static crate::hash::HashKey,
    /// Scratch space for map keys, reused across records.
    pub(crate) scratch: String,
    /// How many strings were cut so far (by either bound).
    pub(crate) cuts: u32,
}

impl Writer {
    pub(crate) fn new(
        buf: Vec<u8>,
        limits: Limits,
        policy: &'static Policy,
        hash_key: &'static crate::hash::HashKey,
    ) -> Self {
        let mut w = Writer {
            buf,
            limits,
            limit_end: 0,
            depth: 0,
            truncated: false,
            exhausted: false,
            policy,
            hash_key,
            scratch: String::new(),
            cuts: 0,
        };
        w.reset();
        w
    }

    /// Starts a new record in the same buffer.
    pub(crate) fn reset(&mut self) {
        self.buf.clear();
        self.limit_end = self.limits.max_record_bytes.saturating_sub(RESERVE);
        self.depth = 0;
        self.truncated = false;
        self.exhausted = false;
    }

    /// An [`Out`] for one top-level value.
    pub(crate) fn out(&mut self, mask: Mask) -> Out<'_> {
        Out { w: self, mask }
    }

    /// Whether there is room to begin another value.
    #[inline]
    fn room(&mut self) -> Room {
        if self.exhausted {
            return Room::Exhausted;
        }
        if self.buf.len() >= self.limit_end {
            self.exhausted = true;
            self.truncated = true;
            return Room::JustCut;
        }
        Room::Yes
    }

    fn close_variant(&mut self, close: bool) {
        if close {
            self.depth -= 1;
            self.buf.push(b'}');
        }
    }

    /// Whether `s` fits whole, as it is, under the string and size bounds
    /// with `extra` more bytes around it.
    #[inline]
    fn fits_whole(&self, s: &str, extra: usize) -> bool {
        s.len() <= self.limits.max_string_bytes
            && self.buf.len() + s.len() + extra <= self.limit_end.max(self.buf.len() + 1)
    }

    /// Writes a bounded, escaped JSON string.
    #[inline]
    pub(crate) fn string(&mut self, s: &str) {
        self.string_inline(s);
    }

    /// [`string`](Self::string), always inlined: for the one place values'
    /// text passes ([`Out::str`]), where the common case then costs no call.
    #[inline(always)]
    fn string_inline(&mut self, s: &str) {
        if self.fits_whole(s, 1) && json::push_plain_str(&mut self.buf, s) {
            return;
        }
        self.string_slowly(s);
    }

    /// [`string`](Self::string) for text to escape or cut.
    #[inline(never)]
    fn string_slowly(&mut self, s: &str) {
        self.buf.push(b'"');
        let max_in = self.limits.max_string_bytes;
        let limit = self.limit_end.max(self.buf.len());
        let taken = json::write_escaped(&mut self.buf, s, max_in, limit);
        if taken < s.len() {
            self.mark_cut_string(s.len() - taken);
        }
        self.buf.push(b'"');
    }

    fn mark_cut_string(&mut self, rest: usize) {
        self.truncated = true;
        self.cuts = self.cuts.wrapping_add(1);
        self.buf.extend_from_slice("…[truncated ".as_bytes());
        json::push_u64(&mut self.buf, rest as u64);
        self.buf.extend_from_slice(b" bytes]");
    }

    /// Writes a bounded string from `Display` output, without allocating.
    pub(crate) fn display(&mut self, v: &dyn fmt::Display) {
        self.buf.push(b'"');
        let mut sink = DisplaySink {
            w: self,
            taken: 0,
            cut: 0,
        };
        // A panicking or failing `Display` leaves what it wrote so far.
        let _ = fmt::write(&mut sink, format_args!("{v}"));
        let cut = sink.cut;
        if cut > 0 {
            self.mark_cut_string(cut);
        }
        self.buf.push(b'"');
    }
}

/// Adapts `Display` output to the bounded string writer.
struct DisplaySink<'a> {
    w: &'a mut Writer,
    taken: usize,
    cut: usize,
}

impl fmt::Write for DisplaySink<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.cut > 0 {
            self.cut += s.len();
            return Ok(());
        }
        let max_in = self.w.limits.max_string_bytes.saturating_sub(self.taken);
        let limit = self.w.limit_end.max(self.w.buf.len());
        let n = json::write_escaped(&mut self.w.buf, s, max_in, limit);
        self.taken += n;
        if n < s.len() {
            self.cut += s.len() - n;
        }
        Ok(())
    }
}

const REDACTED: &str = "[REDACTED]";
const CUT_MARKER: &[u8] = b"\"[truncated: record size limit]\"";

/// The place one value is written to. Obtained by [`Redact::redact`]; every
/// method consumes it and writes exactly one JSON value, within the record's
/// bounds.
pub struct Out<'a> {
    w: &'a mut Writer,
    mask: Mask,
}

impl<'a> Out<'a> {
    #[inline]
    fn begin(&mut self) -> bool {
        if self.w.room() != Room::Yes {
            // A value must still be written for the JSON to stay valid; it
            // is the marker of the cut.
            self.w.buf.extend_from_slice(CUT_MARKER);
            return false;
        }
        true
    }

    /// A string, escaped and bounded.
    #[inline]
    pub fn str(mut self, s: &str) {
        if self.begin() {
            self.w.string_inline(s);
        }
    }

    /// A string made by `Display`, escaped and bounded, written without an
    /// intermediate `String`.
    pub fn display(mut self, v: &dyn fmt::Display) {
        if self.begin() {
            self.w.display(v);
        }
    }

    /// A boolean.
    pub fn bool(mut self, v: bool) {
        if self.begin() {
            self.w
                .buf
                .extend_from_slice(if v { b"true" } else { b"false" });
        }
    }

    /// An unsigned integer.
    pub fn u64(mut self, v: u64) {
        if self.begin() {
            json::push_u64(&mut self.w.buf, v);
        }
    }

    /// A signed integer.
    pub fn i64(mut self, v: i64) {
        if self.begin() {
            self.w
                .buf
                .extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
        }
    }

    /// A 128-bit unsigned integer.
    pub fn u128(mut self, v: u128) {
        if self.begin() {
            self.w
                .buf
                .extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
        }
    }

    /// A 128-bit signed integer.
    pub fn i128(mut self, v: i128) {
        if self.begin() {
            self.w
                .buf
                .extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
        }
    }

    /// A float; NaN and infinities are written as `null`, as JSON has none.
    pub fn f64(mut self, v: f64) {
        if self.begin() {
            if v.is_finite() {
                self.w
                    .buf
                    .extend_from_slice(ryu::Buffer::new().format_finite(v).as_bytes());
            } else {
                self.w.buf.extend_from_slice(b"null");
            }
        }
    }

    /// `null`.
    pub fn null(mut self) {
        if self.begin() {
            self.w.buf.extend_from_slice(b"null");
        }
    }

    /// The redaction marker `"[REDACTED]"`, in place of the value.
    pub fn redacted(mut self) {
        if self.begin() {
            json::push_static_str(&mut self.w.buf, REDACTED);
        }
    }

    /// `s` masked with `*`, keeping its last `n` characters only when that
    /// is at most half of it: shorter values are fully masked.
    ///
    /// ```
    /// use seclog::{Out, Redact};
    /// struct Last4(&'static str);
    /// impl Redact for Last4 {
    ///     fn redact(&self, out: Out<'_>) { out.keep_last(self.0, 4) }
    /// }
    /// assert_eq!(seclog::to_json(&Last4("4111111111111111")), r#""************1111""#);
    /// assert_eq!(seclog::to_json(&Last4("1234567")), r#""*******""#);
    /// assert_eq!(seclog::to_json(&Last4("12345678")), r#""****5678""#);
    /// ```
    pub fn keep_last(self, s: &str, n: usize) {
        self.masked(s, n, false)
    }

    /// `s` masked with `*`, keeping its first `n` characters only when that
    /// is at most half of it: shorter values are fully masked.
    ///
    /// ```
    /// use seclog::{Out, Redact};
    /// struct First2(&'static str);
    /// impl Redact for First2 {
    ///     fn redact(&self, out: Out<'_>) { out.keep_first(self.0, 2) }
    /// }
    /// assert_eq!(seclog::to_json(&First2("alice@example.com")), r#""al***************""#);
    /// ```
    pub fn keep_first(self, s: &str, n: usize) {
        self.masked(s, n, true)
    }

    fn masked(mut self, s: &str, n: usize, first: bool) {
        if !self.begin() {
            return;
        }
        let total = s.chars().count();
        let keep = if n.saturating_mul(2) <= total { n } else { 0 };
        let w = &mut *self.w;
        w.buf.push(b'"');
        let max = w.limits.max_string_bytes;
        let mut written = 0usize;
        for (i, c) in s.chars().enumerate() {
            if written >= max || w.buf.len() >= w.limit_end {
                let rest = total - i;
                w.mark_cut_string(rest);
                break;
            }
            let visible = if first { i < keep } else { i >= total - keep };
            if visible {
                let mut tmp = [0u8; 4];
                let piece = c.encode_utf8(&mut tmp);
                let limit = usize::MAX;
                json::write_escaped(&mut w.buf, piece, usize::MAX, limit);
                written += piece.len();
            } else {
                w.buf.push(b'*');
                written += 1;
            }
        }
        w.buf.push(b'"');
    }

    /// A keyed digest of `value` (HMAC-SHA-256, truncated to 128 bits, hex),
    /// so one user's records correlate without the value being revealed.
    /// The key comes from `SECLOG_HASH_KEY` or [`Builder::hash_key`](crate::Builder::hash_key).
    pub fn hashed(mut self, value: &[u8]) {
        if self.begin() {
            let digest = self.w.hash_key.digest(value);
            json::push_static_str(&mut self.w.buf, &digest);
        }
    }

    /// Any `Serialize` value, through serde, with the sensitive-key policy
    /// applied to every map key and struct field name.
    pub fn serialize<T: serde::Serialize + ?Sized>(self, value: &T) {
        serde_adapter::serialize(self, value)
    }

    /// Writes `value` through its own [`Redact`] implementation, keeping this
    /// position's redaction paths.
    #[inline]
    pub fn value<T: Redact + ?Sized>(self, value: &T) {
        value.redact(self)
    }

    /// Starts an object; members are added with [`Object::field`] and
    /// [`Object::entry`], and the object closes when dropped.
    pub fn object(mut self) -> Object<'a> {
        let live = self.open(b'{');
        Object {
            w: self.w,
            mask: self.mask,
            first: true,
            count: 0,
            skipped: 0,
            live,
            close_variant: false,
            headless: false,
        }
    }

    /// Starts an array; items are added with [`Array::item`], and the array
    /// closes when dropped.
    pub fn array(mut self) -> Array<'a> {
        let live = self.open(b'[');
        Array {
            w: self.w,
            mask: self.mask,
            first: true,
            count: 0,
            skipped: 0,
            live,
            close_variant: false,
        }
    }

    fn open(&mut self, bracket: u8) -> bool {
        if !self.begin() {
            return false;
        }
        if self.w.depth >= self.w.limits.max_depth {
            self.w.truncated = true;
            self.w
                .buf
                .extend_from_slice(b"\"[truncated: depth limit]\"");
            return false;
        }
        self.w.depth += 1;
        self.w.buf.push(bracket);
        true
    }

    /// Opens `{"name": ` for an enum variant with content and returns the
    /// slot of the content; the container written there must be made with
    /// `closing_variant` so it closes the variant's object too. When the
    /// content is not to be written (a cut, the depth limit, a sensitive
    /// variant name), the value is complete and the writer is handed back.
    pub(crate) fn open_variant(mut self, name: &str) -> Result<Out<'a>, &'a mut Writer> {
        if !self.open(b'{') {
            return Err(self.w);
        }
        self.w.string(name);
        self.w.buf.push(b':');
        let sensitive = self.w.policy.is_sensitive(name);
        match slot(self.mask.child(name)) {
            Slot::Write(mask) if !sensitive => Ok(Out { w: self.w, mask }),
            _ => {
                json::push_static_str(&mut self.w.buf, REDACTED);
                self.w.depth -= 1;
                self.w.buf.push(b'}');
                Err(self.w)
            }
        }
    }
}

/// What a member or item does given the redaction paths.
enum Slot {
    Write(Mask),
    Redact,
}

fn slot(node: Option<&'static MaskNode>) -> Slot {
    match node {
        None => Slot::Write(Mask::NONE),
        Some(n) if n.redact => Slot::Redact,
        Some(n) => Slot::Write(Mask(n.children)),
    }
}

/// An object being written. Closes itself when dropped.
pub struct Object<'a> {
    w: &'a mut Writer,
    mask: Mask,
    first: bool,
    count: usize,
    skipped: usize,
    live: bool,
    /// Also closes the object of an enum variant around this one.
    close_variant: bool,
    /// The braces belong to the caller.
    headless: bool,
}

impl<'a> Object<'a> {
    pub(crate) fn dead(w: &'a mut Writer) -> Self {
        Object {
            w,
            mask: Mask::NONE,
            first: true,
            count: 0,
            skipped: 0,
            live: false,
            close_variant: false,
            headless: false,
        }
    }

    /// Continues an object whose `{` was already written by the record
    /// formatter; it writes members only and leaves the `}` to its caller.
    pub(crate) fn continuing(w: &'a mut Writer, mask: Mask, first: bool) -> Self {
        Object {
            w,
            mask,
            first,
            count: 0,
            skipped: 0,
            live: true,
            close_variant: false,
            headless: true,
        }
    }

    /// Whether no member has been written yet.
    pub(crate) fn is_first(&self) -> bool {
        self.first
    }

    pub(crate) fn writer(&mut self) -> &mut Writer {
        self.w
    }

    pub(crate) fn closing_variant(mut self) -> Self {
        self.close_variant = true;
        self
    }

    /// Begins a member; returns the slot for its value, or `None` when the
    /// member is skipped because of a bound.
    #[inline]
    fn member(&mut self, key: &str) -> Option<Slot> {
        if !self.live {
            return None;
        }
        if self.count >= self.w.limits.max_items {
            self.skipped += 1;
            return None;
        }
        match self.w.room() {
            Room::Yes => {}
            Room::Exhausted => return None,
            Room::JustCut => {
                if !self.first {
                    self.w.buf.push(b',');
                }
                self.first = false;
                self.w.buf.extend_from_slice(b"\"[truncated]\":");
                self.w.buf.extend_from_slice(CUT_MARKER);
                return None;
            }
        }
        let comma = !self.first;
        self.first = false;
        self.count += 1;
        if !(self.w.fits_whole(key, 1) && json::push_plain_key(&mut self.w.buf, comma, key)) {
            if comma {
                self.w.buf.push(b',');
            }
            self.w.string_slowly(key);
            self.w.buf.push(b':');
        }
        Some(slot(self.mask.child(key)))
    }

    /// A member written through its value's [`Redact`] implementation.
    #[inline]
    pub fn field<T: Redact + ?Sized>(&mut self, key: &str, value: &T) {
        self.field_with(key, |out| value.redact(out))
    }

    /// A member whose value is written by `f`.
    pub fn field_with(&mut self, key: &str, f: impl FnOnce(Out<'_>)) {
        if let Some(mask) = self.open(key, false) {
            f(Out { w: self.w, mask });
        }
    }

    /// A member of untyped data: redacted when `key` is sensitive under the
    /// sensitive-key policy, else written through [`Redact`].
    pub fn entry<T: Redact + ?Sized>(&mut self, key: &str, value: &T) {
        self.entry_with(key, |out| value.redact(out))
    }

    /// Like [`Object::entry`], with the value written by `f`.
    pub fn entry_with(&mut self, key: &str, f: impl FnOnce(Out<'_>)) {
        let sensitive = self.w.policy.is_sensitive(key);
        self.entry_judged(key, sensitive, f);
    }

    /// [`Object::entry_with`] for a static key (a field name): its verdict
    /// is remembered by address.
    pub(crate) fn entry_static_with(&mut self, key: &'static str, f: impl FnOnce(Out<'_>)) {
        let sensitive = self.w.policy.is_sensitive_static(key);
        self.entry_judged(key, sensitive, f);
    }

    #[inline]
    fn entry_judged(&mut self, key: &str, sensitive: bool, f: impl FnOnce(Out<'_>)) {
        if let Some(mask) = self.open(key, sensitive) {
            f(Out { w: self.w, mask });
        }
    }

    /// Begins member `key`: `None` when it is complete already (redacted,
    /// because of its redaction path or, if `sensitive`, its name) or left
    /// out because of a bound, else the redaction paths below it. One copy
    /// of this code serves every value type (whose code is generic), and
    /// its answer comes back in registers.
    #[inline(never)]
    fn open(&mut self, key: &str, sensitive: bool) -> Option<Mask> {
        match self.member(key)? {
            Slot::Write(mask) if !sensitive => Some(mask),
            _ => {
                json::push_static_str(&mut self.w.buf, REDACTED);
                None
            }
        }
    }
}

impl Drop for Object<'_> {
    fn drop(&mut self) {
        if !self.live {
            self.w.close_variant(self.close_variant);
            return;
        }
        // Once the record size limit cut it, the size marker says so; a
        // count marker too would only add bytes past the limit.
        if self.skipped > 0 && !self.w.exhausted {
            self.w.truncated = true;
            if !self.first {
                self.w.buf.push(b',');
            }
            self.w.buf.extend_from_slice(b"\"[truncated]\":\"");
            json::push_u64(&mut self.w.buf, self.skipped as u64);
            self.w.buf.extend_from_slice(b" more entries\"");
        }
        if self.headless {
            return;
        }
        self.w.depth -= 1;
        self.w.buf.push(b'}');
        self.w.close_variant(self.close_variant);
    }
}

/// An array being written. Closes itself when dropped.
pub struct Array<'a> {
    w: &'a mut Writer,
    mask: Mask,
    first: bool,
    count: usize,
    skipped: usize,
    live: bool,
    /// Also closes the object of an enum variant around this one.
    close_variant: bool,
}

impl<'a> Array<'a> {
    pub(crate) fn dead(w: &'a mut Writer) -> Self {
        Array {
            w,
            mask: Mask::NONE,
            first: true,
            count: 0,
            skipped: 0,
            live: false,
            close_variant: false,
        }
    }

    pub(crate) fn closing_variant(mut self) -> Self {
        self.close_variant = true;
        self
    }

    /// An item written through its [`Redact`] implementation.
    #[inline]
    pub fn item<T: Redact + ?Sized>(&mut self, value: &T) {
        self.item_with(|out| value.redact(out))
    }

    /// An item written by `f`.
    pub fn item_with(&mut self, f: impl FnOnce(Out<'_>)) {
        if !self.live {
            return;
        }
        if self.count >= self.w.limits.max_items {
            self.skipped += 1;
            return;
        }
        match self.w.room() {
            Room::Yes => {}
            Room::Exhausted => return,
            Room::JustCut => {
                if !self.first {
                    self.w.buf.push(b',');
                }
                self.first = false;
                self.w.buf.extend_from_slice(CUT_MARKER);
                return;
            }
        }
        if !self.first {
            self.w.buf.push(b',');
        }
        self.first = false;
        let index = self.count;
        self.count += 1;
        match slot(self.mask.child_index(index)) {
            Slot::Redact => json::push_static_str(&mut self.w.buf, REDACTED),
            Slot::Write(mask) => f(Out { w: self.w, mask }),
        }
    }

    /// Counts `n` further items as cut without visiting them (for the tail
    /// of a long collection once the item limit is reached).
    pub fn skip(&mut self, n: usize) {
        if self.live {
            self.skipped += n;
        }
    }

    /// Whether another item would still be written.
    pub fn is_full(&self) -> bool {
        !self.live || self.count >= self.w.limits.max_items || self.w.exhausted
    }
}

impl Drop for Array<'_> {
    fn drop(&mut self) {
        if !self.live {
            self.w.close_variant(self.close_variant);
            return;
        }
        // Once the record size limit cut it, the size marker says so; a
        // count marker too would only add bytes past the limit.
        if self.skipped > 0 && !self.w.exhausted {
            self.w.truncated = true;
            if !self.first {
                self.w.buf.push(b',');
            }
            self.w.buf.extend_from_slice(b"\"[truncated: ");
            json::push_u64(&mut self.w.buf, self.skipped as u64);
            self.w.buf.extend_from_slice(b" more items]\"");
        }
        self.w.depth -= 1;
        self.w.buf.push(b']');
        self.w.close_variant(self.close_variant);
    }
}
