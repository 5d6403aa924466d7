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

/// How far past the string limit text is kept and scanned for secrets'
/// shapes before it is cut (`redact::shapes`): a secret that begins before
/// the cut is recognised whole, and replaced whole, when it ends within
/// this many bytes after it.
pub(crate) const SCAN_PAST_CUT: usize = 64 * 1024;

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
    // With room for every byte escaped at its longest, the output bound
    // needs no look on the way.
    if end_in
        .checked_mul(6)
        .and_then(|most| most.checked_add(buf.len()))
        .is_some_and(|end| end <= out_limit)
    {
        escape_within(buf, &bytes[..end_in], bytes);
        return end_in;
    }
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

/// Appends `text` escaped, with no bound to watch: `text` is `whole` or a
/// prefix of it ending on a character boundary (`whole` lets the look at a
/// multibyte character read all of its bytes). Each step copies sixteen
/// bytes and keeps those before the first that needs a look, so plain runs
/// go sixteen bytes at a time and text dense with escapes (JSON inside a
/// string) costs a step per escape, with no call to `memcpy`.
fn escape_within(buf: &mut Vec<u8>, text: &[u8], whole: &[u8]) {
    let n = text.len();
    // At most six bytes out for each in, and a block's overhang.
    buf.reserve(n * 6 + 16);
    let len = buf.len();
    let out = buf.spare_capacity_mut();
    let (mut i, mut o) = (0, 0);
    while i < n {
        if i + 16 <= n {
            let block = block16(&text[i..]);
            put(&mut out[o..o + 16], block);
            let flags = flags16(&block);
            if flags == 0 {
                i += 16;
                o += 16;
                continue;
            }
            let plain = flags.trailing_zeros() as usize;
            i += plain;
            o += plain;
        }
        let b = text[i];
        match ESCAPE[b as usize] {
            0 => {
                out[o].write(b);
                (i, o) = (i + 1, o + 1);
            }
            b'u' => {
                put(&mut out[o..o + 6], u00(b));
                (i, o) = (i + 1, o + 6);
            }
            b'?' if b == 0xc2 && whole.get(i + 1).is_some_and(|&next| next < 0xa0) => {
                put(&mut out[o..o + 6], u00(whole[i + 1]));
                (i, o) = (i + 2, o + 6);
            }
            b'?' if b == 0xe2
                && whole.get(i + 1) == Some(&0x80)
                && matches!(whole.get(i + 2), Some(0xa8 | 0xa9)) =>
            {
                put(
                    &mut out[o..o + 6],
                    if whole[i + 2] == 0xa8 {
                        *b"\\u2028"
                    } else {
                        *b"\\u2029"
                    },
                );
                (i, o) = (i + 3, o + 6);
            }
            b'?' => {
                out[o].write(b);
                (i, o) = (i + 1, o + 1);
            }
            esc => {
                put(&mut out[o..o + 2], [b'\\', esc]);
                (i, o) = (i + 1, o + 2);
            }
        }
    }
    // SAFETY: the `o` bytes after the length were all written above (the
    // reservation made room for them).
    unsafe { buf.set_len(len + o) };
}

/// `\u00XX` for the byte `b`.
#[inline]
fn u00(b: u8) -> [u8; 6] {
    [
        b'\\',
        b'u',
        b'0',
        b'0',
        HEX[(b >> 4) as usize],
        HEX[(b & 0xf) as usize],
    ]
}

/// Appends `bytes` when none of them needs escaping, and says whether it
/// did (appending nothing when not).
#[inline]
fn append_plain(buf: &mut Vec<u8>, bytes: &[u8]) -> bool {
    append_framed::<true>(buf, b"", bytes, b"")
}

/// Appends `bytes`, known to need no escaping.
#[inline]
fn append_run(buf: &mut Vec<u8>, bytes: &[u8]) {
    append_framed::<false>(buf, b"", bytes, b"");
}

/// Appends `before`, `bytes` and `after` (short fixed text such as quotes,
/// a comma or a colon) with one reservation, when none of `bytes` needs
/// escaping (with `CHECK` off, known not to); says whether it did, and
/// appends nothing when not.
#[inline(always)]
fn append_framed<const CHECK: bool>(
    buf: &mut Vec<u8>,
    before: &[u8],
    bytes: &[u8],
    after: &[u8],
) -> bool {
    let (b, n, a) = (before.len(), bytes.len(), after.len());
    buf.reserve(b + n + a);
    let len = buf.len();
    let out = &mut buf.spare_capacity_mut()[..b + n + a];
    for (slot, &byte) in out[..b].iter_mut().zip(before) {
        slot.write(byte);
    }
    if !copy_words::<CHECK>(&mut out[b..b + n], bytes) {
        return false;
    }
    for (slot, &byte) in out[b + n..].iter_mut().zip(after) {
        slot.write(byte);
    }
    // SAFETY: the `b + n + a` bytes after the length were all written
    // above (the reservation made room for them).
    unsafe { buf.set_len(len + b + n + a) };
    true
}

/// Copies `bytes` into `out` (of the same length), checking with `CHECK`
/// that none needs escaping; `false` at the first that may (what was
/// copied is then garbage the caller does not keep). Each byte is read
/// once, in whole words that are checked and stored together, so the short
/// strings records are made of cost no call to `memcpy`. A word is never
/// assembled in memory byte by byte (reading it back would stall): a tail
/// is the last eight or sixteen bytes, overlapping, and a short string is
/// read as two overlapping halves (padded with spaces, which need no
/// escaping, for the check).
#[inline(always)]
fn copy_words<const CHECK: bool>(out: &mut [MaybeUninit<u8>], bytes: &[u8]) -> bool {
    const SPACES: u64 = 0x2020_2020_2020_2020;
    let needs_look = |w: u64| CHECK && plain_flags(w) != 0;
    let n = bytes.len();
    match n {
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
        8..=15 => {
            let (head, tail) = (load(&bytes[..8]), load(&bytes[n - 8..]));
            put(&mut out[..8], head.to_le_bytes());
            put(&mut out[n - 8..], tail.to_le_bytes());
            !CHECK || pair_plain(head, tail)
        }
        _ => {
            // Sixteen bytes at a time, stopping at the first block that
            // needs escaping (a plain loop rather than a vector loop and a
            // call to `memcpy`, slower for the short strings that dominate).
            let mut i = 0;
            while i + 16 <= n {
                let block = block16(&bytes[i..]);
                if CHECK && !plain16(&block) {
                    return false;
                }
                put(&mut out[i..i + 16], block);
                i += 16;
            }
            if i < n {
                let block = block16(&bytes[n - 16..]);
                if CHECK && !plain16(&block) {
                    return false;
                }
                put(&mut out[n - 16..], block);
            }
            true
        }
    }
}

/// The first sixteen bytes of `bytes`.
#[inline(always)]
fn block16(bytes: &[u8]) -> [u8; 16] {
    let mut b = [0u8; 16];
    b.copy_from_slice(&bytes[..16]);
    b
}

/// Whether none of the sixteen bytes of two words needs a look: on x86_64
/// one vector check of both (the words go to a vector register as they
/// are, never through memory).
#[inline(always)]
fn pair_plain(low: u64, high: u64) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::_mm_set_epi64x;
        // SAFETY: SSE2 is part of every x86_64 target.
        let v = unsafe { _mm_set_epi64x(high as i64, low as i64) };
        vector_flags(v) == 0
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        plain_flags(low) | plain_flags(high) == 0
    }
}

/// Whether none of sixteen bytes needs a look.
#[inline(always)]
fn plain16(block: &[u8; 16]) -> bool {
    flags16(block) == 0
}

/// One bit per byte of sixteen that needs a look (as [`plain_flags`]
/// says): one SSE2 compare of each kind for all of them.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn flags16(block: &[u8; 16]) -> u32 {
    use std::arch::x86_64::_mm_loadu_si128;
    // SAFETY: SSE2 is part of every x86_64 target; the load is an
    // unaligned read of the sixteen bytes of `block`.
    vector_flags(unsafe { _mm_loadu_si128(block.as_ptr().cast()) })
}

/// [`flags16`] of sixteen bytes in a vector register.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn vector_flags(v: std::arch::x86_64::__m128i) -> u32 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of every x86_64 target.
    unsafe {
        // Signed: below 0x20 are the controls and all bytes from 0x80.
        let low = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
        let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
        let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
        let del = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f));
        let any = _mm_or_si128(_mm_or_si128(low, quote), _mm_or_si128(backslash, del));
        _mm_movemask_epi8(any) as u32
    }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn flags16(block: &[u8; 16]) -> u32 {
    flags16_words(block)
}

/// [`flags16`] without vector instructions, two words at a time (the other
/// targets' version, also tested on x86_64): exact for the lowest flagged
/// byte, which is all a caller reads.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
fn flags16_words(block: &[u8; 16]) -> u32 {
    let (low, high) = (
        plain_flags(load(&block[..8])),
        plain_flags(load(&block[8..])),
    );
    match (low, high) {
        (0, 0) => 0,
        (0, h) => 1 << (8 + h.trailing_zeros() / 8),
        (l, _) => 1 << (l.trailing_zeros() / 8),
    }
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

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// For eight bytes (little-endian), the high bit of each byte equal to
/// `c`: exact for the lowest, while a byte above one may be flagged by a
/// borrow.
#[inline(always)]
fn bytes_equal(w: u64, c: u8) -> u64 {
    let x = w ^ (ONES * u64::from(c));
    x.wrapping_sub(ONES) & !x & HIGH
}

/// For eight bytes (little-endian), the high bit of each byte that needs a
/// look from [`ESCAPE`]: controls, `"`, `\`, DEL, 0xE2 (the lead byte of
/// U+2028/U+2029) and 0xC2 (of the C1 controls). Exact for the lowest flagged
/// byte; a byte above one may be flagged by a borrow, which only costs a look.
#[inline]
fn escape_flags(w: u64) -> u64 {
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    control
        | bytes_equal(w, b'"')
        | bytes_equal(w, b'\\')
        | bytes_equal(w, 0x7f)
        | bytes_equal(w, 0xe2)
        | bytes_equal(w, 0xc2)
}

/// For eight bytes (little-endian), a flag in each byte that may need
/// escaping: controls, `"`, `\`, and DEL and above (all of non-ASCII text,
/// left to the exact look of [`escape_flags`]). Fewer steps than that look,
/// for the ASCII text most records are made of.
#[inline]
fn plain_flags(w: u64) -> u64 {
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    let del_and_above = (w.wrapping_add(ONES) | w) & HIGH;
    control | del_and_above | bytes_equal(w, b'"') | bytes_equal(w, b'\\')
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
    if !push_plain_str(buf, s) {
        push_str(buf, s);
    }
}

/// Appends a member's key, `"key":`, after a comma unless it is the first:
/// a key seclog chose (short and escape-free). Inlined: with the key a
/// constant, this is a few stores.
#[inline(always)]
pub(crate) fn push_key(buf: &mut Vec<u8>, comma: bool, key: &str) {
    debug_assert!(key.bytes().all(|b| ESCAPE[b as usize] == 0));
    let before: &[u8] = if comma { b",\"" } else { b"\"" };
    append_framed::<false>(buf, before, key.as_bytes(), b"\":");
}

/// Appends `"key":` for any key, after a comma unless it is the first,
/// when the key needs no escaping; says whether it did (appending nothing
/// when not).
#[inline]
pub(crate) fn push_plain_key(buf: &mut Vec<u8>, comma: bool, key: &str) -> bool {
    let before: &[u8] = if comma { b",\"" } else { b"\"" };
    append_framed::<true>(buf, before, key.as_bytes(), b"\":")
}

/// Appends `"text"` when the text needs no escaping; says whether it did
/// (appending nothing when not).
#[inline]
pub(crate) fn push_plain_str(buf: &mut Vec<u8>, text: &str) -> bool {
    append_framed::<true>(buf, b"\"", text.as_bytes(), b"\"")
}

/// Appends `"text"` for a value's text when it needs no escaping (appending
/// nothing and returning `false` when it does), reporting to `places`
/// where a secret's shape may be (see `redact::shapes::find`): the copy,
/// the escape check and the look for shapes are one pass.
#[inline(always)]
pub(crate) fn push_value_str(
    buf: &mut Vec<u8>,
    text: &str,
    places: &mut impl crate::redact::shapes::Places,
) -> bool {
    use crate::redact::shapes;
    let bytes = text.as_bytes();
    let n = bytes.len();
    buf.reserve(n + 2);
    let len = buf.len();
    let out = &mut buf.spare_capacity_mut()[..n + 2];
    if n < 8 {
        if !copy_words::<true>(&mut out[1..n + 1], bytes) {
            return false;
        }
        // Under eight bytes only a `key=value` or `key: value` pair fits.
        if n >= 3 && has_pair_sign(bytes) {
            shapes::find_short(bytes, places);
        }
    } else if n < 16 {
        let (head, tail) = (load(&bytes[..8]), load(&bytes[n - 8..]));
        put(&mut out[1..9], head.to_le_bytes());
        put(&mut out[n - 7..n + 1], tail.to_le_bytes());
        if !pair_plain(head, tail) {
            return false;
        }
        shapes::find_in_halves(head, tail, bytes, places);
    } else if !shapes::copy_finding(&mut out[1..n + 1], bytes, places) {
        return false;
    }
    out[0].write(b'"');
    out[n + 1].write(b'"');
    // SAFETY: the `n + 2` bytes after the length were all written above
    // (the reservation made room for them).
    unsafe { buf.set_len(len + n + 2) };
    true
}

/// Whether 3 to 7 bytes hold `=` or `:` (for 3, `=` in the middle).
#[inline(always)]
fn has_pair_sign(bytes: &[u8]) -> bool {
    let n = bytes.len();
    let word = if n >= 4 {
        let head = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        let tail = u32::from_le_bytes([bytes[n - 4], bytes[n - 3], bytes[n - 2], bytes[n - 1]]);
        u64::from(head) | u64::from(tail) << 32
    } else {
        return bytes[1] == b'=';
    };
    bytes_equal(word, b'=') | bytes_equal(word, b':') != 0
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
mod tests;
