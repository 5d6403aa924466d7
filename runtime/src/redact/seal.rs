//! Sealed values in records: the value's JSON, written by the bounded
//! writer as any value is, then sealed in place into one token.

use super::out::{CUT_MARKER, REDACTED};
use super::{Mask, Out, Writer};
use crate::json;
use crate::seal::Sealer;
use std::cell::RefCell;

thread_local! {
    /// A sealed value's plaintext, encrypted in place: one per thread, as
    /// values are also written by short-lived writers (an invocation's
    /// inputs are rendered once, apart from its records).
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

impl Out<'_> {
    /// `value`'s JSON (through `serde::Serialize`), sealed with the
    /// investigator's public key (`SECLOG_SEAL_KEY` or
    /// [`Builder::seal_key`](crate::Builder::seal_key)) into a token only
    /// the private key opens (`seclog unseal`); see [`seal`](crate::seal).
    /// Without a key it is written `"[REDACTED]"`, and a `pipeline_error`
    /// record says so once per process.
    ///
    /// The value keeps the record's bounds (string length, items, depth)
    /// but neither the sensitive-key policy nor the search for secrets by
    /// their shape: it is sealed whole for the investigator. A token is written whole or, when the record has no
    /// room left for it, not at all (the record is then marked cut).
    ///
    /// ```
    /// use seclog::{Out, Redact};
    /// use seclog::seal::{UnsealKey, Unsealer};
    ///
    /// /// A submitted password: hidden in the logs, kept for the investigator.
    /// struct Attempt(String);
    /// impl Redact for Attempt {
    ///     fn redact(&self, out: Out<'_>) { out.sealed(&self.0) }
    /// }
    ///
    /// let investigator = UnsealKey::generate().unwrap();
    /// let config = seclog::builder().seal_key(investigator.seal_key().to_string()).build().unwrap();
    /// let run = seclog::testing::capture_with(config, || seclog::to_json(&Attempt("' OR 1=1 --".into())));
    /// let token: String = serde_json::from_str(&run.output).unwrap();
    /// assert!(token.starts_with("seclog-sealed:v1:"));
    /// assert_eq!(Unsealer::new(investigator).open(&token).unwrap(), r#""' OR 1=1 --""#);
    /// ```
    pub fn sealed<T: serde::Serialize + ?Sized>(self, value: &T) {
        self.seal_with(|out| out.serialize(value))
    }

    /// What `write` writes, sealed as [`sealed`](Self::sealed) seals a
    /// value: for a value written through its own [`Redact`](super::Redact).
    pub fn seal_with(mut self, write: impl FnOnce(Out<'_>)) {
        if !self.begin() {
            return;
        }
        let w = &mut *self.w;
        if w.sealing {
            // Inside a value being sealed: the whole of it is sealed once.
            write(Out {
                w,
                mask: Mask::NONE,
            });
            return;
        }
        let Some(sealer) = w.sealer else {
            crate::seal::note_missing_key();
            json::push_static_str(&mut w.buf, REDACTED);
            return;
        };
        let mark = w.buf.len();
        let end = w.limit_end;
        // The plaintext stops early enough that its token, which is larger,
        // fits where the record's values end; the slack covers what the
        // bounded writer adds past its limit when it cuts (markers and
        // closing brackets).
        let slack = 96 + 2 * w.limits.max_depth;
        let room = sealer.max_json_len(end.saturating_sub(mark + 2));
        if room <= slack {
            return no_room(w);
        }
        w.limit_end = mark + room - slack;
        // Kept whole for the investigator: neither the sensitive-key
        // policy nor the search for secrets by their shape applies inside.
        w.sealing = true;
        let unscanned = std::mem::replace(&mut w.unscanned, true);
        write(Out {
            w: &mut *w,
            mask: Mask::NONE,
        });
        w.unscanned = unscanned;
        w.sealing = false;
        w.limit_end = end;

        let sealed = SCRATCH.try_with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => seal_tail(w, sealer, mark, end, &mut scratch),
            Err(_) => seal_tail(w, sealer, mark, end, &mut Vec::new()),
        });
        if sealed.is_err() {
            // The thread is exiting: a buffer of its own.
            seal_tail(w, sealer, mark, end, &mut Vec::new());
        }
    }
}

/// Replaces the plaintext written from `mark` on by its token, using
/// `scratch`, if the token fits before `end`.
fn seal_tail(w: &mut Writer, sealer: &Sealer, mark: usize, end: usize, scratch: &mut Vec<u8>) {
    scratch.clear();
    scratch.extend_from_slice(&w.buf[mark..]);
    w.buf.truncate(mark);
    // Whole or not at all: a token is never cut.
    if mark + 2 + sealer.token_len(scratch.len()) > end {
        scratch.clear();
        return no_room(w);
    }
    w.buf.push(b'"');
    match sealer.seal_in_place(scratch, &mut w.buf) {
        Ok(()) => w.buf.push(b'"'),
        Err(_) => {
            // No randomness for a nonce: the value is left out, never
            // written in the clear.
            scratch.clear();
            w.buf.truncate(mark);
            json::push_static_str(&mut w.buf, REDACTED);
        }
    }
}

/// The record has no room for the token: its place says so, and the record
/// is cut there.
fn no_room(w: &mut Writer) {
    w.buf.extend_from_slice(CUT_MARKER);
    w.truncated = true;
    w.exhausted = true;
}
