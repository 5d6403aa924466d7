//! [`Out`]: the place one value is written to, within the record's bounds.

use super::object::{slot, Slot};
use super::serde_adapter;
use super::writer::Room;
use super::{Array, Mask, Object, Redact, Writer};
use crate::json;
use std::fmt;

pub(super) const REDACTED: &str = "[REDACTED]";
pub(super) const CUT_MARKER: &[u8] = b"\"[truncated: record size limit]\"";

/// The place one value is written to. Obtained by [`Redact::redact`]; every
/// method consumes it and writes exactly one JSON value, within the record's
/// bounds.
pub struct Out<'a> {
    pub(super) w: &'a mut Writer,
    pub(super) mask: Mask,
}

impl<'a> Out<'a> {
    /// The sensitive-key policy of the record being written.
    #[cfg(any(feature = "aws-events", feature = "axum"))]
    pub(crate) fn policy(&self) -> &'static super::policy::Policy {
        self.w.policy
    }

    #[inline]
    pub(super) fn begin(&mut self) -> bool {
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
        if let Some(flat) = self.w.flatten {
            self.w.flatten = None;
            if flat.value_start == self.w.buf.len() {
                // The value of a flattened member: its members join the
                // outer object's, where the member's key was.
                self.w.buf.truncate(flat.key_start);
                return Object::flattened(self.w, self.mask, flat.tally);
            }
        }
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
            flat: false,
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
        self.w.own_string(name);
        self.w.buf.push(b':');
        let sensitive = self.w.is_sensitive(name);
        match slot(self.mask.child(name)) {
            Slot::Write(mask) if !sensitive => Ok(Out { w: self.w, mask }),
            // A `seal("path")` ending at a variant's name (the content's
            // container also closes the variant) is redacted, as is a
            // sensitive name: hidden either way.
            _ => {
                json::push_static_str(&mut self.w.buf, REDACTED);
                self.w.depth -= 1;
                self.w.buf.push(b'}');
                Err(self.w)
            }
        }
    }
}
