//! Low-level JSON text: escaping and bounded string writing.
//!
//! Everything attacker-controlled reaches the output through [`write_str`],
//! which escapes every control character (C0, DEL and C1, whose U+0085 is a
//! line break and U+009B a terminal escape to some readers), `"` and `\`,
//! and also U+2028 and U+2029 (JavaScript line terminators that some log
//! viewers split on), so a record is always exactly one line of valid JSON.

use std::mem::MaybeUninit;

/// What a byte needs when it appears in a JSON string: 0 = copy as is,
/// b'u' = `\u00XX`, anything else = a two-character escape `\X`.
static ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = b'u';
        i += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0a] = b'n';
    t[0x0c] = b'f';
    t[0x0d] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t[0x7f] = b'u';
    // Lead bytes of U+2028/U+2029 and of the C1 controls (U+0080 to
    // U+009F): checked in full by the slow path.
    t[0xe2] = b'?';
    t[0xc2] = b'?';
    t
};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `s` escaped (without quotes) and returns how many bytes of `s`
/// were consumed: all of them unless the output would pass `out_limit` or
/// more than `max_in` input bytes would be taken. Never splits a character.
#[inline]
pub(crate) fn write_escaped(buf: &mut Vec<u8>, s: &str, max_in: usize, out_limit: usize) -> usize {
    let bytes = s.as_bytes();
    // The common case: nothing to escape and room for all of it.
    if bytes.len() <= max_in && buf.len() + bytes.len() <= out_limit && append_plain(buf, bytes) {
        return bytes.len();
    }
    write_escaped_slowly(buf, s, max_in, out_limit)
}

/// [`write_escaped`] for text with something to escape or to cut.
#[inline(never)]
fn write_escaped_slowly(buf: &mut Vec<u8>, s: &str, max_in: usize, out_limit: usize) -> usize {
    let bytes = s.as_bytes();
    let end_in = floor_char_boundary(s, max_in.min(bytes.len()));
    let mut start = 0;
    let mut i = 0;
    while i < end_in {
        // Eight bytes at a time through runs with nothing to escape.
        while let Some(word) = bytes.get(i..i + 8).filter(|_| i + 8 <= end_in) {
            let flags = escape_flags(load(word));
            if flags != 0 {
                // The lowest flag marks the first byte that needs a look.
                i += (flags.trailing_zeros() / 8) as usize;
                break;
            }
            i += 8;
        }
        if i >= end_in {
            break;
        }
        let b = bytes[i];
        let esc = ESCAPE[b as usize];
        if esc == 0 {
            i += 1;
            continue;
        }
        if esc == b'?' {
            // U+2028 is E2 80 A8, U+2029 is E2 80 A9; C1 controls are C2 80 to C2 9F.
            let separator = b == 0xe2
                && i + 2 < bytes.len()
                && bytes[i + 1] == 0x80
                && (bytes[i + 2] == 0xa8 || bytes[i + 2] == 0xa9);
            let c1 = b == 0xc2 && i + 1 < bytes.len() && bytes[i + 1] < 0xa0;
            if !(separator || c1) {
                i += 1;
                continue;
            }
        }
        // Flush the safe run, bounded by the output limit.
        if !push_run(buf, &bytes[start..i], out_limit) {
            return start + fitting_prefix(s, start, i, buf, out_limit);
        }
        let need = if esc == b'u' || esc == b'?' { 6 } else { 2 };
        if buf.len() + need > out_limit {
            return i;
        }
        match esc {
            b'u' => {
                buf.extend_from_slice(b"\\u00");
                buf.push(HEX[(b >> 4) as usize]);
                buf.push(HEX[(b & 0xf) as usize]);
                i += 1;
            }
            b'?' if b == 0xc2 => {
                buf.extend_from_slice(b"\\u00");
                buf.push(HEX[(bytes[i + 1] >> 4) as usize]);
                buf.push(HEX[(bytes[i + 1] & 0xf) as usize]);
                i += 2;
            }
            b'?' => {
                buf.extend_from_slice(if bytes[i + 2] == 0xa8 {
                    b"\\u2028"
                } else {
                    b"\\u2029"
                });
                i += 3;
            }
            c => {
                buf.push(b'\\');
                buf.push(c);
                i += 1;
            }
        }
        start = i;
    }
    if !push_run(buf, &bytes[start..end_in], out_limit) {
        return start + fitting_prefix(s, start, end_in, buf, out_limit);
    }
    end_in
}

/// Appends `bytes` when none of them needs escaping, and says whether it
/// did (appending nothing when not). Each byte is read once, in whole words
/// that are checked and stored together, so the short strings records are
/// made of cost no call to `memcpy`. A word is never assembled in memory
/// byte by byte (reading it back would stall): a tail is the last eight
/// bytes, overlapping, and a short string is read as two overlapping halves
/// (padded with spaces, which need no escaping, for the check).
#[inline]
fn append_plain(buf: &mut Vec<u8>, bytes: &[u8]) -> bool {
    append_words::<true>(buf, bytes)
}

/// Appends `bytes`, known to need no escaping, in whole words as
/// [`append_plain`] does (short runs between escapes cost no `memcpy`).
#[inline]
fn append_run(buf: &mut Vec<u8>, bytes: &[u8]) {
    append_words::<false>(buf, bytes);
}

/// [`append_plain`], or with `CHECK` off a copy without the checks.
#[inline(always)]
fn append_words<const CHECK: bool>(buf: &mut Vec<u8>, bytes: &[u8]) -> bool {
    const SPACES: u64 = 0x2020_2020_2020_2020;
    let needs_look = |w: u64| CHECK && plain_flags(w) != 0;
    let n = bytes.len();
    buf.reserve(n);
    let len = buf.len();
    let out = &mut buf.spare_capacity_mut()[..n];
    let plain = match n {
        0 => true,
        1 => {
            out[0].write(bytes[0]);
            !needs_look(u64::from(bytes[0]) | SPACES << 8)
        }
        2..=3 => {
            let (head, tail) = ([bytes[0], bytes[1]], [bytes[n - 2], bytes[n - 1]]);
            put(&mut out[..2], head);
            put(&mut out[n - 2..], tail);
            let word =
                u64::from(u16::from_le_bytes(head)) | u64::from(u16::from_le_bytes(tail)) << 16;
            !needs_look(word | SPACES << 32)
        }
        4..=7 => {
            let head = [bytes[0], bytes[1], bytes[2], bytes[3]];
            let tail = [bytes[n - 4], bytes[n - 3], bytes[n - 2], bytes[n - 1]];
            put(&mut out[..4], head);
            put(&mut out[n - 4..], tail);
            !needs_look(
                u64::from(u32::from_le_bytes(head)) | u64::from(u32::from_le_bytes(tail)) << 32,
            )
        }
        _ => {
            // Word by word, stopping at the first that needs escaping (which
            // also keeps this a plain loop rather than a vector loop and a
            // call to `memcpy`, slower for the short strings that dominate).
            let mut i = 0;
            while i + 8 <= n {
                let w = load(&bytes[i..i + 8]);
                if needs_look(w) {
                    return false;
                }
                put(&mut out[i..i + 8], w.to_le_bytes());
                i += 8;
            }
            if i < n {
                let w = load(&bytes[n - 8..]);
                if needs_look(w) {
                    return false;
                }
                put(&mut out[n - 8..], w.to_le_bytes());
            }
            true
        }
    };
    if plain {
        // SAFETY: the `n` bytes after the length were all written above
        // (the reservation made room for them).
        unsafe { buf.set_len(len + n) };
    }
    plain
}

/// Writes `bytes` at the start of `out`.
#[inline]
fn put<const N: usize>(out: &mut [MaybeUninit<u8>], bytes: [u8; N]) {
    for (slot, b) in out[..N].iter_mut().zip(bytes) {
        slot.write(b);
    }
}

/// Eight bytes as one little-endian word.
#[inline]
fn load(word: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&word[..8]);
    u64::from_le_bytes(w)
}

/// For eight bytes (little-endian), the high bit of each byte that needs a
/// look from [`ESCAPE`]: controls, `"`, `\`, DEL, 0xE2 (the lead byte of
/// U+2028/U+2029) and 0xC2 (of the C1 controls). Exact for the lowest flagged
/// byte; a byte above one may be flagged by a borrow, which only costs a look.
#[inline]
fn escape_flags(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    control
        | zero_byte(w ^ (ONES * b'"' as u64))
        | zero_byte(w ^ (ONES * b'\\' as u64))
        | zero_byte(w ^ (ONES * 0x7f))
        | zero_byte(w ^ (ONES * 0xe2))
        | zero_byte(w ^ (ONES * 0xc2))
}

/// For eight bytes (little-endian), a flag in each byte that may need
/// escaping: controls, `"`, `\`, and DEL and above (all of non-ASCII text,
/// left to the exact look of [`escape_flags`]). Fewer steps than that look,
/// for the ASCII text most records are made of.
#[inline]
fn plain_flags(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    let del_and_above = (w.wrapping_add(ONES) | w) & HIGH;
    control
        | del_and_above
        | zero_byte(w ^ (ONES * b'"' as u64))
        | zero_byte(w ^ (ONES * b'\\' as u64))
}

/// Pushes a run of bytes that need no escaping if it fits under `out_limit`.
#[inline]
fn push_run(buf: &mut Vec<u8>, run: &[u8], out_limit: usize) -> bool {
    if buf.len() + run.len() > out_limit {
        return false;
    }
    append_run(buf, run);
    true
}

/// Pushes as much of `s[from..to]` (a run needing no escapes) as fits, at a
/// character boundary, and returns how many bytes that was.
fn fitting_prefix(s: &str, from: usize, to: usize, buf: &mut Vec<u8>, out_limit: usize) -> usize {
    let room = out_limit.saturating_sub(buf.len());
    let cut = floor_char_boundary(s, from + room.min(to - from));
    buf.extend_from_slice(&s.as_bytes()[from..cut]);
    cut - from
}

/// The largest character boundary of `s` at or below `i`.
pub(crate) fn floor_char_boundary(s: &str, i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    let mut i = i;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Appends a complete JSON string of trusted, short, escape-free text
/// (field names and fixed values chosen by seclog itself).
#[inline]
pub(crate) fn push_static_str(buf: &mut Vec<u8>, s: &str) {
    debug_assert!(s.bytes().all(|b| ESCAPE[b as usize] == 0));
    buf.reserve(s.len() + 2);
    buf.push(b'"');
    if !append_plain(buf, s.as_bytes()) {
        write_escaped(buf, s, usize::MAX, usize::MAX);
    }
    buf.push(b'"');
}

/// Appends a member's key, `"key":`, after a comma unless it is the first:
/// a key seclog chose (short and escape-free). Kept out of line: records
/// have many keys, and one copy of this code serves them all.
#[inline(never)]
pub(crate) fn push_key(buf: &mut Vec<u8>, comma: bool, key: &str) {
    debug_assert!(key.bytes().all(|b| ESCAPE[b as usize] == 0));
    buf.reserve(key.len() + 4);
    if comma {
        buf.push(b',');
    }
    buf.push(b'"');
    append_run(buf, key.as_bytes());
    buf.extend_from_slice(b"\":");
}

/// Appends a JSON string for any text, escaped, without bounds (used for
/// short values seclog already bounded, such as ids and names from macros).
pub(crate) fn push_str(buf: &mut Vec<u8>, s: &str) {
    buf.push(b'"');
    write_escaped(buf, s, usize::MAX, usize::MAX);
    buf.push(b'"');
}

#[inline]
pub(crate) fn push_u64(buf: &mut Vec<u8>, v: u64) {
    buf.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(s: &str) -> String {
        let mut b = Vec::new();
        write_escaped(&mut b, s, usize::MAX, usize::MAX);
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn escapes_controls_quotes_and_line_separators() {
        assert_eq!(
            esc("a\"b\\c\nd\r\u{0}\u{7f}"),
            "a\\\"b\\\\c\\nd\\r\\u0000\\u007f"
        );
        assert_eq!(esc("x\u{2028}y\u{2029}z"), "x\\u2028y\\u2029z");
        assert_eq!(esc("€ é ☃"), "€ é ☃");
        assert_eq!(
            esc("a\u{80}b\u{85}c\u{9b}d\u{9f}"),
            "a\\u0080b\\u0085c\\u009bd\\u009f"
        );
        assert_eq!(esc("\u{a0}©¿"), "\u{a0}©¿", "the rest of Latin-1 is text");
        let long = "eight by\u{85}tes and more \u{9b}31m then plain text again";
        assert_eq!(
            esc(long),
            long.replace('\u{85}', "\\u0085")
                .replace('\u{9b}', "\\u009b")
        );
    }

    /// Escapes one character at a time, as the JSON grammar reads.
    fn reference(s: &str) -> String {
        let mut out = String::new();
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '\u{2028}' => out.push_str("\\u2028"),
                '\u{2029}' => out.push_str("\\u2029"),
                c if (c as u32) < 0x20 || ('\u{7f}'..='\u{9f}').contains(&c) => {
                    out.push_str(&format!("\\u{:04x}", c as u32))
                }
                c => out.push(c),
            }
        }
        out
    }

    #[test]
    fn every_special_character_is_escaped_at_every_offset() {
        let specials = [
            "\"", "\\", "\n", "\u{0}", "\u{1f}", "\u{7f}", "\u{2028}", "\u{2029}", "\u{2027}",
            "\u{20ac}", "é", "\u{80}", "\u{9f}", "\u{a0}",
        ];
        for special in specials {
            for offset in 0..20 {
                for tail in [0, 1, 7, 8, 9, 17] {
                    let s = format!("{}{special}{}", "a".repeat(offset), "b".repeat(tail));
                    assert_eq!(esc(&s), reference(&s), "{s:?}");
                }
            }
        }
        let mixed = "plain text \u{1}\u{2}\"quoted\" back\\slash \u{2028} snow ☃ \u{7f} end of a longer line";
        assert_eq!(esc(mixed), reference(mixed));
    }

    #[test]
    fn long_plain_runs_respect_both_bounds() {
        let s = "abcdefghijklmnopqrstuvwxyz0123456789";
        for bound in [0, 1, 7, 8, 9, 16, 17, 35, 36, 40] {
            let mut b = Vec::new();
            let n = write_escaped(&mut b, s, bound, usize::MAX);
            assert_eq!(
                (n, b.as_slice()),
                (bound.min(36), &s.as_bytes()[..bound.min(36)])
            );
            let mut b = Vec::new();
            let n = write_escaped(&mut b, s, usize::MAX, bound);
            assert_eq!(
                (n, b.as_slice()),
                (bound.min(36), &s.as_bytes()[..bound.min(36)])
            );
        }
    }

    #[test]
    fn stops_at_input_bound_on_a_char_boundary() {
        let mut b = Vec::new();
        let n = write_escaped(&mut b, "aé€", 3, usize::MAX);
        assert_eq!(n, 3);
        assert_eq!(b, "aé".as_bytes());
        let mut b = Vec::new();
        let n = write_escaped(&mut b, "aé€", 4, usize::MAX);
        assert_eq!(n, 3, "never splits the euro sign");
    }

    #[test]
    fn stops_at_output_bound() {
        let mut b = Vec::new();
        let n = write_escaped(&mut b, "\n\n\n\n", usize::MAX, 5);
        assert_eq!(n, 2);
        assert_eq!(b, b"\\n\\n");
        let mut b = Vec::new();
        let n = write_escaped(&mut b, "abcdef", usize::MAX, 4);
        assert_eq!((n, b.as_slice()), (4, &b"abcd"[..]));
    }
}
