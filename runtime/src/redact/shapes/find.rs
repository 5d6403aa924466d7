//! The vector pass that finds the few places a shape may begin, and the
//! runs of digits long enough to hold a card number, before any detector
//! looks (SSE2 or AVX2 on x86_64, a byte at a time elsewhere).

use super::*;

/// Reports to `places` each place of `text` where a built-in shape other
/// than a card number may begin, and each window of thirteen digits,
/// spaces or dashes in a row (where a card number may be). The places are
/// bytes every such shape contains: `=` (of a `key=value` pair), `J` (of
/// `eyJ`), `@` (ending a URL's `user:password`), `-` followed by `-` (of
/// `-----BEGIN`), `"` followed by `:` (of a quoted `"key":`), `:`
/// followed by a space (of a `key: value` pair) or by `/` (of a webhook's
/// `https://`), `(` followed by `"` (of
/// a tuple struct's `Debug`, `Password("…")`), `b` or `B` followed by
/// `a`, `e`, `A` or `E` (`Be` and `Ba` of `Bearer` and `Basic`), `I`
/// followed by `A`, `J`, `Q`, `Z`, `a`, `j`, `q` or `z` (`IA` of `AKIA`
/// and `ASIA`, `Iz` of `AIza`, `IQ` of an AWS session token's `IQoJ`; the
/// others come with them, see `vector`), `_` (of a service
/// token's prefix, `ghp_`) and `k` followed by `-` (of `sk-`). In the
/// text records are made of these are rare, so the exact look costs next
/// to nothing: this pass is the price, sixteen bytes a step (thirty-two
/// with AVX2). A text of fewer than sixteen bytes is not looked at for
/// the places of shapes longer than that (`_`, `k-`, `I` before anything
/// but `A`, `:/`).
#[inline]
pub(crate) fn find(text: &[u8], places: &mut impl Places) {
    let n = text.len();
    if n < 16 {
        return find_short(text, places);
    }
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `text` is at least 16 bytes long; nothing is copied; AVX2
    // is used only where it is available.
    unsafe {
        vector::pass::<false>(text, std::ptr::null_mut(), places);
    }
    #[cfg(not(target_arch = "x86_64"))]
    find_bytewise(text, places);
}

/// Copies `text` into `out` (as long as it, at least 16 bytes) while
/// reporting what [`find`] reports, as long as no byte needs escaping in
/// JSON (a control character, `"`, `\`, DEL or any non-ASCII byte, which
/// JSON escaping looks at closer); `false` at the first block that does
/// (`out` then holds garbage the caller does not keep). One pass reads
/// each byte once for the copy, the escape check and the places.
#[inline(always)]
pub(crate) fn copy_finding(
    out: &mut [std::mem::MaybeUninit<u8>],
    text: &[u8],
    places: &mut impl Places,
) -> bool {
    let n = text.len();
    assert!(n >= 16 && out.len() == n);
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `out` and `text` are as long, at least 16 bytes; AVX2 is
    // used only where it is available.
    unsafe {
        vector::pass::<true>(text, out.as_mut_ptr().cast::<u8>(), places)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        for (slot, &b) in out.iter_mut().zip(text) {
            if b < 0x20 || b >= 0x7f || b == b'"' || b == b'\\' {
                return false;
            }
            slot.write(b);
        }
        find_bytewise(text, places);
        true
    }
}

/// [`find`] for fewer than sixteen bytes.
#[inline]
pub(crate) fn find_short(text: &[u8], places: &mut impl Places) {
    let n = text.len();
    if n < 8 {
        // Under eight bytes only a `key=value` pair, a quoted `"key":1`,
        // a `key: 1` or a `Pwd("1` that never closes fits, whose `=`,
        // `":`, `: ` or `("` is neither first nor last, or the shortest
        // URLs with a password (`://:p@`, `a://:p@`), whose `@` is sixth
        // or seventh.
        for (p, &b) in text.iter().enumerate().skip(1) {
            let next = text.get(p + 1).copied();
            if (b == b'=' && next.is_some())
                || (b == b'"' && next == Some(b':'))
                || (b == b':' && next == Some(b' '))
                || (b == b'(' && next == Some(b'"'))
                || (b == b'@' && p >= 5)
            {
                places.at(p);
            }
        }
        return;
    }
    #[cfg(target_arch = "x86_64")]
    vector::find_8_to_15(text, places);
    #[cfg(not(target_arch = "x86_64"))]
    find_bytewise(text, places);
}

/// [`find`] for 8 to 15 bytes whose first and last eight, as little-endian
/// words, are `head` and `tail` (already read by the copy).
#[inline(always)]
pub(crate) fn find_in_halves(head: u64, tail: u64, text: &[u8], places: &mut impl Places) {
    #[cfg(target_arch = "x86_64")]
    vector::find_in_halves::<true>(head, tail, text.len(), places);
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (head, tail);
        find_bytewise(text, places);
    }
}

/// Whether `b` can be part of a card number's run: a digit, a separator,
/// or the `%` of a percent-encoded one (`%20`, whose other two bytes are
/// digits).
pub(super) fn is_card_byte(b: u8) -> bool {
    b.is_ascii_digit() || is_card_separator(b) || b == b'%'
}

/// The shortest run that can hold a card number: 13 digits.
pub(super) const CARD_RUN: usize = 13;

/// The windows of thirteen set bits in a row in `w`: bit `k` of the result
/// is set when bits `k` to `k + 12` of `w` all are.
#[inline(always)]
pub(crate) fn windows_of_13(w: u64) -> u64 {
    let mut x = w & w >> 1;
    x &= x >> 2;
    x &= x >> 4;
    x & x >> 5
}

/// [`find`] a byte at a time: the other targets' version and the vector
/// versions' reference.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
pub(super) fn find_bytewise(text: &[u8], places: &mut impl Places) {
    let mut run = 0;
    for (p, &c) in text.iter().enumerate() {
        let next = text.get(p + 1).copied().unwrap_or(0);
        if c == b'='
            || c == b'J'
            || c == b'@'
            || (c == b'-' && next == b'-')
            || (c == b'"' && next == b':')
            || (c == b':' && (next == b' ' || next == b'/'))
            || (c == b'(' && next == b'"')
            || (c & 0xdf == 0x42 && next & 0xdb == 0x41)
            || (c == b'I' && matches!(next, b'A' | b'J' | b'Q' | b'Z' | b'a' | b'j' | b'q' | b'z'))
            || c == b'_'
            || (c == b'k' && next == b'-')
        {
            places.at(p);
        }
        run = if is_card_byte(c) { run + 1 } else { 0 };
        if run >= CARD_RUN {
            places.run(p + 1 - CARD_RUN);
        }
    }
}
