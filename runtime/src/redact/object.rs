//! [`Object`] and [`Array`]: containers being written, each member or item
//! through the redaction paths and within the item and size bounds.

use super::out::{CUT_MARKER, REDACTED};
use super::writer::{Flatten, Room, Tally};
use super::{Mask, MaskNode, Out, Redact, Writer};
use crate::json;

/// What a member or item does given the redaction paths.
pub(super) enum Slot {
    Write(Mask),
    Redact,
    /// `seal("path")`: the value is sealed whole.
    Seal,
}

pub(super) fn slot(node: Option<&'static MaskNode>) -> Slot {
    match node {
        None => Slot::Write(Mask::NONE),
        Some(n) if n.redact => Slot::Redact,
        Some(n) if n.seal => Slot::Seal,
        Some(n) => Slot::Write(Mask(n.children)),
    }
}

/// Writes a member's or item's value with `f`, sealed when `mask` says so.
#[inline]
pub(super) fn write_value(w: &mut Writer, mask: Mask, f: impl FnOnce(Out<'_>)) {
    if mask.is_sealed() {
        return seal_value(w, f);
    }
    f(Out { w, mask })
}

/// A value at a `seal("path")`.
#[inline(never)]
fn seal_value(w: &mut Writer, f: impl FnOnce(Out<'_>)) {
    #[cfg(feature = "seal")]
    Out {
        w,
        mask: Mask::NONE,
    }
    .seal_with(f);
    // Without the feature, `seal("path")` is a compile error already
    // (`__seal_feature!`); this keeps that the one error.
    #[cfg(not(feature = "seal"))]
    {
        let _ = f;
        json::push_static_str(&mut w.buf, REDACTED);
    }
}

/// An object being written. Closes itself when dropped.
pub struct Object<'a> {
    pub(super) w: &'a mut Writer,
    pub(super) mask: Mask,
    pub(super) first: bool,
    pub(super) count: usize,
    pub(super) skipped: usize,
    pub(super) live: bool,
    /// Also closes the object of an enum variant around this one.
    pub(super) close_variant: bool,
    /// The braces belong to the caller.
    pub(super) headless: bool,
    /// The members of a flattened value, written in its outer object's
    /// place: they count against that object's bound, and hand it their
    /// tally when they close.
    pub(super) flat: bool,
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
            flat: false,
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
            flat: false,
        }
    }

    /// The members of a flattened value: they continue the outer object,
    /// from where it stood (see [`Object::flatten_with`]).
    pub(super) fn flattened(w: &'a mut Writer, mask: Mask, tally: Tally) -> Self {
        Object {
            w,
            mask,
            first: tally.first,
            count: tally.count,
            skipped: tally.skipped,
            live: true,
            close_variant: false,
            headless: true,
            flat: true,
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
    /// member is skipped because of a bound. With `shaped`, the key holds
    /// a secret's shape and is written with it replaced. Inlined into
    /// both callers, so `open`'s copy has no trace of that case.
    #[inline(always)]
    fn member(&mut self, key: &str, shaped: bool) -> Option<Slot> {
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
        if shaped
            || !(self.w.fits_whole(key, 1) && json::push_plain_key(&mut self.w.buf, comma, key))
        {
            if comma {
                self.w.buf.push(b',');
            }
            if shaped {
                self.w.string_slowly(key);
            } else {
                self.w.plain_string_slowly(key);
            }
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
            write_value(self.w, mask, f);
        }
    }

    /// A member whose value's own members join this object's, as serde's
    /// `#[serde(flatten)]` writes it: when `f` writes an object, its
    /// members are written here in the member's place; any other value is
    /// written as the member `key` (serde would refuse it), except `null`
    /// (an absent `Option`), which writes nothing. A redacted or sealed
    /// value stays a member. The value's members count against this
    /// object's item bound, as if they were its own: past it, one
    /// `"[truncated]"` member counts all that were left out.
    ///
    /// ```
    /// use seclog::{Out, Redact};
    /// struct Page { n: u32, extra: Vec<(&'static str, u32)> }
    /// impl Redact for Page {
    ///     fn redact(&self, out: Out<'_>) {
    ///         let mut o = out.object();
    ///         o.field("n", &self.n);
    ///         o.flatten_with("extra", |out| {
    ///             let mut extra = out.object();
    ///             for (k, v) in &self.extra {
    ///                 extra.entry(k, v);
    ///             }
    ///         });
    ///     }
    /// }
    /// let page = Page { n: 1, extra: vec![("size", 20)] };
    /// assert_eq!(seclog::to_json(&page), r#"{"n":1,"size":20}"#);
    /// ```
    pub fn flatten_with(&mut self, key: &str, f: impl FnOnce(Out<'_>)) {
        if self.live && self.count >= self.w.limits.max_items {
            return self.flatten_past_bound(key, f);
        }
        let (first, key_start) = (self.first, self.w.buf.len());
        let Some(mask) = self.open(key, false) else {
            return;
        };
        if mask.is_sealed() {
            return write_value(self.w, mask, f);
        }
        let value_start = self.w.buf.len();
        // The member's place goes to the value's members.
        let tally = Tally {
            count: self.count - 1,
            skipped: self.skipped,
            first,
        };
        self.w.flattened = None;
        self.w.flatten = Some(Flatten {
            key_start,
            value_start,
            tally,
        });
        f(Out { w: self.w, mask });
        let flattened = self.w.flatten.take().is_none();
        if let Some(after) = self.w.flattened.take() {
            self.count = after.count;
            self.skipped = after.skipped;
            self.first = after.first;
            return;
        }
        if !flattened && self.w.buf[value_start..] == *b"null" {
            // An absent value (`None`): nothing, as serde writes it.
            self.w.buf.truncate(key_start);
        }
        if self.w.buf.len() == key_start {
            // Nothing was written in the member's place.
            self.first = first;
            self.count -= 1;
        }
    }

    /// [`Object::flatten_with`] once the item bound is reached: each member
    /// of the value is counted as left out, as it would be were it this
    /// object's own, and nothing is written. A value that is not an object
    /// (which serde would refuse) counts as one member, and an absent one
    /// (`null`) as none.
    #[cold]
    #[inline(never)]
    fn flatten_past_bound(&mut self, key: &str, f: impl FnOnce(Out<'_>)) {
        let mask = match slot(self.mask.child(key)) {
            Slot::Write(mask) if !mask.is_sealed() => mask,
            // Redacted or sealed, it stays one member.
            _ => {
                self.skipped += 1;
                return;
            }
        };
        let start = self.w.buf.len();
        let before = (self.w.truncated, self.w.exhausted, self.w.cuts);
        let tally = Tally {
            count: self.count,
            skipped: self.skipped,
            first: self.first,
        };
        self.w.flattened = None;
        self.w.flatten = Some(Flatten {
            key_start: start,
            value_start: start,
            tally,
        });
        f(Out { w: self.w, mask });
        self.w.flatten = None;
        if let Some(after) = self.w.flattened.take() {
            // Every member was refused by the bound before it was written.
            self.skipped = after.skipped;
            return;
        }
        // Written as a member would have been: taken back, with any cut
        // it made.
        let absent = self.w.buf[start..] == *b"null";
        self.w.buf.truncate(start);
        (self.w.truncated, self.w.exhausted, self.w.cuts) = before;
        if !absent {
            self.skipped += 1;
        }
    }

    /// Counts `n` further members as cut without visiting them (for the
    /// tail of a collection read no further).
    #[cfg(any(feature = "aws-events", feature = "axum"))]
    pub(crate) fn skip(&mut self, n: usize) {
        if self.live {
            self.skipped += n;
        }
    }

    /// A member of untyped data: redacted when `key` is sensitive under the
    /// sensitive-key policy, else written through [`Redact`]. The key is
    /// data too: a secret's shape in it is replaced there, as in any text
    /// seclog scans.
    pub fn entry<T: Redact + ?Sized>(&mut self, key: &str, value: &T) {
        self.entry_with(key, |out| value.redact(out))
    }

    /// Like [`Object::entry`], with the value written by `f`.
    pub fn entry_with(&mut self, key: &str, f: impl FnOnce(Out<'_>)) {
        let verdict = self.w.judge_key(key);
        if verdict.shaped {
            return self.entry_shaped(key, verdict.sensitive, f);
        }
        self.entry_judged(key, verdict.sensitive, f);
    }

    /// [`Object::entry_with`] for a key that holds a secret's shape (a
    /// token sent as a bare query string, say): written with the secret
    /// replaced, as any text of data is.
    #[cold]
    #[inline(never)]
    fn entry_shaped(&mut self, key: &str, sensitive: bool, f: impl FnOnce(Out<'_>)) {
        let slot = self.member(key, true);
        if let Some(mask) = self.opened(slot, sensitive) {
            write_value(self.w, mask, f);
        }
    }

    /// [`Object::entry_with`] for a static key (a field name): its verdict
    /// is remembered by address.
    pub(crate) fn entry_static_with(&mut self, key: &'static str, f: impl FnOnce(Out<'_>)) {
        let sensitive = self.w.is_sensitive_static(key);
        self.entry_judged(key, sensitive, f);
    }

    #[inline]
    pub(crate) fn entry_judged(&mut self, key: &str, sensitive: bool, f: impl FnOnce(Out<'_>)) {
        if let Some(mask) = self.open(key, sensitive) {
            write_value(self.w, mask, f);
        }
    }

    /// Begins member `key`: `None` when it is complete already (redacted,
    /// because of its redaction path or, if `sensitive`, its name) or left
    /// out because of a bound, else the redaction paths below it
    /// ([`Mask::sealed`] at a `seal("path")`, which wins over a sensitive
    /// name: the value is hidden either way, and the path says it is
    /// wanted). One copy of this code serves every value type (whose code
    /// is generic), and its answer comes back in registers.
    #[inline(never)]
    fn open(&mut self, key: &str, sensitive: bool) -> Option<Mask> {
        let slot = self.member(key, false);
        self.opened(slot, sensitive)
    }

    /// The mask for a member's value given its `slot`: see [`Object::open`].
    #[inline(always)]
    fn opened(&mut self, slot: Option<Slot>, sensitive: bool) -> Option<Mask> {
        match slot? {
            Slot::Write(mask) if !sensitive => Some(mask),
            Slot::Seal => Some(Mask::sealed()),
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
        if self.flat {
            // The outer object goes on from here, and marks what was
            // skipped once, when it closes.
            self.w.flattened = Some(Tally {
                count: self.count,
                skipped: self.skipped,
                first: self.first,
            });
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
    pub(super) w: &'a mut Writer,
    pub(super) mask: Mask,
    pub(super) first: bool,
    pub(super) count: usize,
    pub(super) skipped: usize,
    pub(super) live: bool,
    /// Also closes the object of an enum variant around this one.
    pub(super) close_variant: bool,
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
            Slot::Seal => seal_value(self.w, f),
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
