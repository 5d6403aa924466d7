//! The state of one record being written: the reused buffer, the bounds
//! (string length, record size, depth) and what has been cut.

use super::policy::KeyVerdict;
use super::shapes::{self, Finder, Found, Progress, Shapes};
use super::{Limits, Mask, Out, Policy, RESERVE};
use crate::json::{self, SCAN_PAST_CUT};
use std::fmt;

/// A member being flattened: where its key begins (the object's members
/// take its place), where its value begins, and where the outer object
/// stood before it.
#[derive(Clone, Copy)]
pub(super) struct Flatten {
    pub(super) key_start: usize,
    pub(super) value_start: usize,
    pub(super) tally: Tally,
}

/// Where an object stands against its member bound: the members written
/// and skipped, and whether none was written yet. A flattened object
/// starts from its outer object's and hands its own back when it closes,
/// so the members of both count against one bound.
#[derive(Clone, Copy)]
pub(super) struct Tally {
    pub(super) count: usize,
    pub(super) skipped: usize,
    pub(super) first: bool,
}

#[derive(PartialEq, Eq)]
pub(super) enum Room {
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
    pub(super) depth: usize,
    pub(crate) truncated: bool,
    /// The record size limit was hit: nothing more is written.
    pub(super) exhausted: bool,
    pub(crate) policy: &'static Policy,
    pub(crate) hash_key: &'static crate::hash::HashKey,
    /// Scratch space for map keys, reused across records.
    pub(crate) scratch: String,
    /// How many strings were cut so far (by either bound).
    pub(crate) cuts: u32,
    /// Seals `#[redact(seal)]` values; `None` without a key.
    #[cfg(feature = "seal")]
    pub(crate) sealer: Option<&'static crate::seal::Sealer>,
    /// A sealed value's plaintext is being written: it is kept whole for
    /// the investigator, so the sensitive-key policy does not apply.
    pub(super) sealing: bool,
    /// Finding secrets by their shape, as configured.
    pub(crate) shapes: &'static Shapes,
    /// Inside a `#[redact(clear)]` field: its text is written as declared,
    /// not scanned.
    pub(crate) unscanned: bool,
    /// A member being flattened ([`Object::flatten_with`](super::Object::flatten_with)):
    /// an object opened where its value begins continues the outer one.
    pub(super) flatten: Option<Flatten>,
    /// What a flattened object handed back to its outer one when it closed.
    pub(super) flattened: Option<Tally>,
    /// The shapes found in the text being written, reused across records.
    found: Vec<Found>,
    /// How far the look for shapes got in the last string (see
    /// [`Progress`]).
    progress: Progress,
    /// `Display` output being scanned, reused across records.
    shown: String,
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
            #[cfg(feature = "seal")]
            sealer: None,
            sealing: false,
            shapes: &shapes::DEFAULT,
            unscanned: false,
            flatten: None,
            flattened: None,
            found: Vec::new(),
            progress: Progress::default(),
            shown: String::new(),
        };
        w.reset();
        w
    }

    /// Room in the buffers that finding shapes reuses, made with the
    /// thread's writer: the first secret or `Display` text need not grow
    /// them while records are written.
    pub(crate) fn reserve_for_shapes(&mut self) {
        self.found.reserve(16);
        self.shown.reserve(1024);
    }

    /// Starts a new record in the same buffer.
    pub(crate) fn reset(&mut self) {
        self.buf.clear();
        self.limit_end = self.limits.max_record_bytes.saturating_sub(RESERVE);
        self.depth = 0;
        self.truncated = false;
        self.exhausted = false;
        self.sealing = false;
        self.unscanned = false;
        self.flatten = None;
        self.flattened = None;
    }

    /// Whether a member named `key` of untyped data is redacted: under the
    /// sensitive-key policy, except inside a sealed value.
    #[inline]
    pub(super) fn is_sensitive(&self, key: &str) -> bool {
        !self.sealing && self.policy.is_sensitive(key)
    }

    /// What to make of a key of data ([`Object::entry`](super::Object::entry)):
    /// whether its member is redacted, as [`is_sensitive`](Self::is_sensitive)
    /// says, and whether the key holds a secret's shape, which is then
    /// replaced in it like in any text seclog scans (never inside a sealed
    /// or `clear` value).
    #[inline]
    pub(super) fn judge_key(&mut self, key: &str) -> KeyVerdict {
        if self.unscanned || !self.shapes.on {
            return KeyVerdict {
                sensitive: self.is_sensitive(key),
                shaped: false,
            };
        }
        // As far as a value would be scanned: what lies past it is never
        // written.
        let max = self.limits.max_string_bytes.saturating_add(SCAN_PAST_CUT);
        let scanned = || &key[..json::floor_char_boundary(key, max)];
        let (policy, found) = (self.policy, &mut self.found);
        let mut verdict = policy.judge_key(key, || {
            found.clear();
            shapes::scan(scanned(), policy, found);
            let any = !found.is_empty();
            found.clear();
            any
        });
        if !verdict.shaped && !self.shapes.custom.is_empty() {
            self.found.clear();
            shapes::scan_custom(scanned(), self.shapes, &mut self.found);
            verdict.shaped = !self.found.is_empty();
            self.found.clear();
        }
        verdict
    }

    /// [`is_sensitive`](Self::is_sensitive) for a static key.
    #[inline]
    pub(super) fn is_sensitive_static(&self, key: &'static str) -> bool {
        !self.sealing && self.policy.is_sensitive_static(key)
    }

    /// An [`Out`] for one top-level value.
    pub(crate) fn out(&mut self, mask: Mask) -> Out<'_> {
        Out { w: self, mask }
    }

    /// Whether there is room to begin another value.
    #[inline]
    pub(super) fn room(&mut self) -> Room {
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

    pub(super) fn close_variant(&mut self, close: bool) {
        if close {
            self.depth -= 1;
            self.buf.push(b'}');
        }
    }

    /// Whether `s` fits whole, as it is, under the string and size bounds
    /// with `extra` more bytes around it.
    #[inline]
    pub(super) fn fits_whole(&self, s: &str, extra: usize) -> bool {
        s.len() <= self.limits.max_string_bytes
            && self.buf.len() + s.len() + extra <= self.limit_end.max(self.buf.len() + 1)
    }

    /// Writes a bounded, escaped JSON string, the secrets found in it by
    /// their shape replaced by their markers.
    #[inline]
    pub(crate) fn string(&mut self, s: &str) {
        self.string_inline(s);
    }

    /// [`string`](Self::string), always inlined: for the one place values'
    /// text passes ([`Out::str`]), where the common case then costs no call.
    #[inline(always)]
    pub(super) fn string_inline(&mut self, s: &str) {
        if self.fits_whole(s, 1) {
            if self.unscanned || !self.shapes.on {
                if json::push_plain_str(&mut self.buf, s) {
                    return;
                }
            } else if self.copy_scanning(s) {
                return;
            }
        }
        self.string_slowly(s);
    }

    /// Copies `s` whole as a JSON string in the pass that looks for
    /// shapes; `false`, with nothing written, when it needs escaping or
    /// holds a secret (the slow path writes it).
    #[inline(always)]
    fn copy_scanning(&mut self, s: &str) -> bool {
        let start = self.buf.len();
        self.found.clear();
        let mut finder = Finder::new(s, self.policy, &mut self.found, &mut self.progress);
        if !json::push_value_str(&mut self.buf, s, &mut finder) {
            return false;
        }
        if !self.shapes.custom.is_empty() {
            shapes::scan_custom(s, self.shapes, &mut self.found);
        }
        if self.found.is_empty() {
            return true;
        }
        self.buf.truncate(start);
        false
    }

    /// Writes a string seclog chose (a name, an id, a type): bounded and
    /// escaped, not scanned.
    #[inline]
    pub(crate) fn own_string(&mut self, s: &str) {
        if self.fits_whole(s, 1) && json::push_plain_str(&mut self.buf, s) {
            return;
        }
        self.plain_string_slowly(s);
    }

    /// [`string`](Self::string) for text to escape or cut, or holding a
    /// secret.
    #[inline(never)]
    pub(super) fn string_slowly(&mut self, s: &str) {
        if self.unscanned || !self.shapes.on {
            return self.plain_string_slowly(s);
        }
        // What lies past the scanned part is never written: a secret that
        // began in it may go on there.
        let max = self.limits.max_string_bytes;
        let scanned = &s[..json::floor_char_boundary(s, max.saturating_add(SCAN_PAST_CUT))];
        self.write_scanned(scanned, s.len() - scanned.len());
    }

    /// Writes `text` as a JSON string with the shapes found in it replaced
    /// by their markers, bounded; `beyond` more bytes of it were not even
    /// looked at and count as cut.
    fn write_scanned(&mut self, text: &str, beyond: usize) {
        let mut found = std::mem::take(&mut self.found);
        found.clear();
        shapes::scan(text, self.policy, &mut found);
        shapes::scan_custom(text, self.shapes, &mut found);
        shapes::settle(text, &mut found, 0);
        self.buf.push(b'"');
        let limit = self.limit_end.max(self.buf.len());
        let max = self.limits.max_string_bytes;
        let written = shapes::write_redacted(&mut self.buf, text, &found, max, limit);
        self.found = found;
        let cut = written.whole - written.shown + beyond;
        if cut > 0 {
            self.mark_cut_string(cut);
        }
        self.buf.push(b'"');
    }

    /// [`own_string`](Self::own_string) for text to escape or cut; also a
    /// member's key that needs escaping.
    #[inline(never)]
    pub(super) fn plain_string_slowly(&mut self, s: &str) {
        self.buf.push(b'"');
        let max_in = self.limits.max_string_bytes;
        let limit = self.limit_end.max(self.buf.len());
        let taken = json::write_escaped(&mut self.buf, s, max_in, limit);
        if taken < s.len() {
            self.mark_cut_string(s.len() - taken);
        }
        self.buf.push(b'"');
    }

    pub(super) fn mark_cut_string(&mut self, rest: usize) {
        self.truncated = true;
        self.cuts = self.cuts.wrapping_add(1);
        self.buf.extend_from_slice("…[truncated ".as_bytes());
        json::push_u64(&mut self.buf, rest as u64);
        self.buf.extend_from_slice(b" bytes]");
    }

    /// Writes a bounded string from `Display` output, the secrets found in
    /// it by their shape replaced by their markers. The text is gathered
    /// whole first (up to [`SCAN_PAST_CUT`] past the string limit, in a
    /// buffer reused across records), since a secret may span the pieces
    /// `Display` writes; without scanning, it is written as it comes.
    pub(crate) fn display(&mut self, v: &dyn fmt::Display) {
        if self.unscanned || !self.shapes.on {
            return self.display_as_written(v);
        }
        let mut shown = Gathered {
            text: std::mem::take(&mut self.shown),
            room: self.limits.max_string_bytes.saturating_add(SCAN_PAST_CUT),
            rest: 0,
        };
        shown.text.clear();
        // A panicking `Display` unwinds to emission, which writes the
        // record again without it; a failing one leaves what it wrote.
        let _ = fmt::write(&mut shown, format_args!("{v}"));
        let text = shown.text;
        self.write_scanned(&text, shown.rest);
        self.shown = text;
    }

    /// [`display`](Self::display) without scanning: bounded as it comes,
    /// without allocating.
    fn display_as_written(&mut self, v: &dyn fmt::Display) {
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

/// `Display` output gathered up to `room` bytes (never splitting a
/// character); `rest` counts the bytes past it.
struct Gathered {
    text: String,
    room: usize,
    rest: usize,
}

impl fmt::Write for Gathered {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let fits = json::floor_char_boundary(s, self.room - self.text.len().min(self.room));
        self.text.push_str(&s[..fits]);
        self.rest += s.len() - fits;
        if fits < s.len() {
            // Past the room, nothing more is kept.
            self.room = self.text.len();
        }
        Ok(())
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
