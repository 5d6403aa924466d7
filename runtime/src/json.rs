//! Low-level JSON text: escaping and bounded string writing.
//!
//! Everything attacker-controlled reaches the output through [`write_str`],
//! which escapes every control character (C0, DEL and C1, whose U+0085 is a
//! line break and U+009B a terminal escape to some readers), `"` and `\`,
//! and also U+2028 and U+2029 (JavaScript line terminators that some log
//! viewers split on), so a record is always exactly one line of valid JSON.

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
    if bytes.len() <= max_in && buf.len() + bytes.len() <= out_limit && is_plain(bytes) {
        buf.extend_from_slice(bytes);
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
                buf.extend_from_slice(if bytes[i + 2] == 0xa8 { b"\\u2028" } else { b"\\u2029" });
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

/// Whether no byte of `bytes` needs escaping.
#[inline]
fn is_plain(bytes: &[u8]) -> bool {
    const SPACES: u64 = 0x2020_2020_2020_2020;
    let n = bytes.len();
    // Whole words only (a word assembled in memory byte by byte would stall
    // the load that reads it back): the tail is the last eight bytes,
    // overlapping, and a short string is read as two overlapping halves,
    // padded with spaces, which need no escaping.
    let word = match n {
        0 => return true,
        1 => u64::from(bytes[0]) | SPACES << 8,
        2..=3 => {
            let head = u16::from_le_bytes([bytes[0], bytes[1]]);
            let tail = u16::from_le_bytes([bytes[n - 2], bytes[n - 1]]);
            u64::from(head) | u64::from(tail) << 16 | SPACES << 32
        }
        4..=7 => {
            let head = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
            let tail = u32::from_le_bytes([bytes[n - 4], bytes[n - 3], bytes[n - 2], bytes[n - 1]]);
            u64::from(head) | u64::from(tail) << 32
        }
        _ => {
            let mut flags = 0;
            let mut words = bytes.chunks_exact(8);
            for word in &mut words {
                flags |= escape_flags(load(word));
            }
            if !words.remainder().is_empty() {
                flags |= escape_flags(load(&bytes[n - 8..]));
            }
            return flags == 0;
        }
    };
    escape_flags(word) == 0
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

/// Pushes a run of bytes that need no escaping if it fits under `out_limit`.
#[inline]
fn push_run(buf: &mut Vec<u8>, run: &[u8], out_limit: usize) -> bool {
    if buf.len() + run.len() > out_limit {
        return false;
    }
    buf.extend_from_slice(run);
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
    buf.push(b'"');
    buf.extend_from_slice(s.as_bytes());
    buf.push(b'"');
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
        assert_eq!(esc("a\"b\\c\nd\r\u{0}\u{7f}"), "a\\\"b\\\\c\\nd\\r\\u0000\\u007f");
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
        let specials = ["\"", "\\", "\n", "\u{0}", "\u{1f}", "\u{7f}", "\u{2028}", "\u{2029}", "\u{2027}", "\u{20ac}", "é", "\u{80}", "\u{9f}", "\u{a0}"];
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
            assert_eq!((n, b.as_slice()), (bound.min(36), &s.as_bytes()[..bound.min(36)]));
            let mut b = Vec::new();
            let n = write_escaped(&mut b, s, usize::MAX, bound);
            assert_eq!((n, b.as_slice()), (bound.min(36), &s.as_bytes()[..bound.min(36)]));
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
