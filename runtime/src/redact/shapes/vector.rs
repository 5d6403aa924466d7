//! The x86_64 vector passes of [`find`](super::find): SSE2 always, AVX2
//! when the processor has it. The SSE2 steps compare each byte with each
//! byte of interest; the AVX2 steps look each byte's two nibbles up in
//! tables of sixteen bytes (`vpshufb`), which tells eight classes of
//! bytes apart in three instructions (see [`Class`]).

use super::{windows_of_13, Places};
use std::arch::x86_64::*;

/// Calls `at` for each set bit of `mark`, at `base` plus its lane.
#[inline(always)]
pub(crate) fn each(mut mark: u32, base: usize, places: &mut impl Places) {
    while mark != 0 {
        places.at(base + mark.trailing_zeros() as usize);
        mark &= mark - 1;
    }
}

/// Reports the first window of each run in `windows` (found in the run
/// bits `w`, whose bit 0 is byte `base`, which wraps below zero in a
/// text's first step: no window starts there).
#[inline(never)]
#[cold]
pub(crate) fn each_run(w: u64, mut windows: u64, base: usize, places: &mut impl Places) {
    while windows != 0 {
        let k = windows.trailing_zeros();
        places.run(base.wrapping_add(k as usize));
        // On past the end of this window's run.
        let end = k + (!w >> k).trailing_zeros();
        windows &= u64::MAX.checked_shl(end).unwrap_or(0);
    }
}

/// -1 in the lanes of sixteen bytes `v`, whose next bytes are `next`,
/// that are places (see [`find`](super::find)). Without `LONG` (a text
/// of fewer than 16 bytes), only the places of shapes that fit: not a
/// service's token nor a webhook's URL (`_`, `k-`, `I` but before `A`,
/// `:/`), each longer than 16 bytes.
#[inline(always)]
pub(crate) unsafe fn places16<const LONG: bool>(v: __m128i, next: __m128i) -> __m128i {
    let eq = |x: __m128i, c: u8| _mm_cmpeq_epi8(x, _mm_set1_epi8(c as i8));
    let single = _mm_or_si128(_mm_or_si128(eq(v, b'='), eq(v, b'J')), eq(v, b'@'));
    let dashes = _mm_and_si128(eq(v, b'-'), eq(next, b'-'));
    // `b` or `B` (0x42, 0x62), then `a`, `e`, `A` or `E` (0x41, 0x45,
    // 0x61, 0x65).
    let scheme = _mm_and_si128(
        eq(_mm_and_si128(v, _mm_set1_epi8(0xdfu8 as i8)), 0x42),
        eq(_mm_and_si128(next, _mm_set1_epi8(0xdbu8 as i8)), 0x41),
    );
    let found = _mm_or_si128(_mm_or_si128(single, dashes), scheme);
    if !LONG {
        // `IA` of `AKIA`, `: ` of `key: value`.
        let aws = _mm_and_si128(eq(v, b'I'), eq(next, b'A'));
        let colon = _mm_and_si128(eq(v, b':'), eq(next, b' '));
        return _mm_or_si128(found, _mm_or_si128(aws, colon));
    }
    // `I`, then `A`, `J`, `Q`, `Z`, `a`, `j`, `q` or `z` (the classes of
    // the 32-byte passes hold these eight together): without bits 4 and
    // 5, `A` or `J`.
    let folded = _mm_and_si128(next, _mm_set1_epi8(0xcfu8 as i8));
    let after_i = _mm_or_si128(eq(folded, b'A'), eq(folded, b'J'));
    let aws_or_google = _mm_and_si128(eq(v, b'I'), after_i);
    // `:` then a space, of a `key: value` pair, or `/`, of `https://`.
    let colon = _mm_and_si128(eq(v, b':'), _mm_or_si128(eq(next, b' '), eq(next, b'/')));
    // `_` and `k-` of a service token's prefix.
    let token = _mm_or_si128(eq(v, b'_'), _mm_and_si128(eq(v, b'k'), eq(next, b'-')));
    _mm_or_si128(
        _mm_or_si128(found, token),
        _mm_or_si128(colon, aws_or_google),
    )
}

/// [`places16`], with [`quoted16`] in a pass that does not copy.
#[inline(always)]
unsafe fn places16_of<const COPY: bool, const LONG: bool>(v: __m128i, next: __m128i) -> __m128i {
    let found = places16::<LONG>(v, next);
    if COPY {
        found
    } else {
        _mm_or_si128(found, quoted16(v, next))
    }
}

/// -1 in the lanes of `v` holding `"` followed by `:` (the end of a
/// quoted `"key":`) or `(` followed by `"` (a tuple struct's `Debug`,
/// `Password("…")`). Looked for only in the passes that do not copy: a
/// text with `"` needs escaping, so the copying passes hand it to those.
#[inline(always)]
unsafe fn quoted16(v: __m128i, next: __m128i) -> __m128i {
    let eq = |x: __m128i, c: u8| _mm_cmpeq_epi8(x, _mm_set1_epi8(c as i8));
    _mm_or_si128(
        _mm_and_si128(eq(v, b'"'), eq(next, b':')),
        _mm_and_si128(eq(v, b'('), eq(next, b'"')),
    )
}

/// The bits of the lanes of `v` that can be part of a card number's run
/// ([`is_card_byte`](super::is_card_byte)): digits, spaces, dashes, `+`
/// and `%`.
#[inline(always)]
pub(crate) unsafe fn run16(v: __m128i) -> u32 {
    let eq = |x: __m128i, c: u8| _mm_cmpeq_epi8(x, _mm_set1_epi8(c as i8));
    let above = _mm_sub_epi8(v, _mm_set1_epi8(b'0' as i8));
    let digit = _mm_cmpeq_epi8(_mm_min_epu8(above, _mm_set1_epi8(9)), above);
    let spaces = _mm_or_si128(eq(v, b' '), eq(v, b'+'));
    // `%` (0x25) and `-` (0x2d) are alike but for bit 3.
    let dashes = eq(_mm_or_si128(v, _mm_set1_epi8(0x08)), b'-');
    _mm_movemask_epi8(_mm_or_si128(digit, _mm_or_si128(spaces, dashes))) as u32
}

/// -1 in the lanes that need escaping in JSON or a closer look (as
/// `json::write_escaped` has it): controls and every byte from 0x80
/// (below 0x20 as signed bytes), `"`, `\` and DEL.
#[inline(always)]
pub(crate) unsafe fn escape16(v: __m128i) -> __m128i {
    let eq = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
    let low = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
    _mm_or_si128(
        _mm_or_si128(low, eq(b'"')),
        _mm_or_si128(eq(b'\\'), eq(0x7f)),
    )
}

/// The pass of [`find`](super::find) and
/// [`copy_finding`](super::copy_finding) for at least 16 bytes: with
/// `COPY`, the bytes are stored at `dst` (as long as `text`) and
/// `false` returned at the first step that needs escaping. Up to 32
/// bytes (64 with AVX2) are two overlapping blocks, without a loop.
///
/// # Safety
///
/// `text` is at least 16 bytes long; with `COPY`, `dst` is valid for
/// as many bytes.
#[inline(always)]
pub(super) unsafe fn pass<const COPY: bool>(
    text: &[u8],
    dst: *mut u8,
    places: &mut impl Places,
) -> bool {
    if std::is_x86_feature_detected!("avx2") {
        with_avx2::<COPY>(text, dst, places)
    } else {
        without_avx2::<COPY>(text, dst, places)
    }
}

/// [`pass`] where AVX2 is not available.
#[inline(never)]
unsafe fn without_avx2<const COPY: bool>(
    text: &[u8],
    dst: *mut u8,
    places: &mut impl Places,
) -> bool {
    if text.len() <= 32 {
        two16::<COPY>(text, dst, places)
    } else {
        pass16::<COPY>(text, dst, places)
    }
}

/// [`pass`] where AVX2 is available: also the sixteen-byte blocks are
/// then compiled to its three-operand form.
#[target_feature(enable = "avx2")]
#[inline(never)]
pub(super) unsafe fn with_avx2<const COPY: bool>(
    text: &[u8],
    dst: *mut u8,
    places: &mut impl Places,
) -> bool {
    let n = text.len();
    if n <= 32 {
        both16::<COPY>(text, dst, places)
    } else if n <= 64 {
        two32::<COPY>(text, dst, places)
    } else {
        pass32::<COPY>(text, dst, places)
    }
}

/// Reports the places and the runs of a text of at most 64 bytes, one
/// bit a byte in `mark` and `runs`.
#[inline(always)]
fn report(mut mark: u64, runs: u64, places: &mut impl Places) {
    while mark != 0 {
        places.at(mark.trailing_zeros() as usize);
        mark &= mark - 1;
    }
    let windows = windows_of_13(runs);
    if windows != 0 {
        each_run(runs, windows, 0, places);
    }
}

/// [`pass`] for 16 to 32 bytes: the first and the last sixteen.
#[inline(always)]
unsafe fn two16<const COPY: bool>(text: &[u8], dst: *mut u8, places: &mut impl Places) -> bool {
    let n = text.len();
    let load = |i: usize| _mm_loadu_si128(text.as_ptr().add(i).cast());
    let (first, last) = (load(0), load(n - 16));
    // The next byte of each lane of the first block is in the text
    // unless the text is those sixteen bytes.
    let next = if n > 16 {
        load(1)
    } else {
        _mm_srli_si128(first, 1)
    };
    if COPY {
        if _mm_movemask_epi8(_mm_or_si128(escape16(first), escape16(last))) != 0 {
            return false;
        }
        _mm_storeu_si128(dst.cast(), first);
        _mm_storeu_si128(dst.add(n - 16).cast(), last);
    }
    let shift = n - 16;
    let mark = u64::from(_mm_movemask_epi8(places16_of::<COPY, true>(first, next)) as u32)
        | u64::from(
            _mm_movemask_epi8(places16_of::<COPY, true>(last, _mm_srli_si128(last, 1))) as u32,
        ) << shift;
    let runs = u64::from(run16(first)) | u64::from(run16(last)) << shift;
    if mark != 0 || runs != 0 && windows_of_13(runs) != 0 {
        report(mark, runs, places);
    }
    true
}

/// [`two16`] with AVX2: both blocks in one vector, looked at together.
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn both16<const COPY: bool>(text: &[u8], dst: *mut u8, places: &mut impl Places) -> bool {
    let n = text.len();
    let load = |i: usize| _mm_loadu_si128(text.as_ptr().add(i).cast());
    let (first, last) = (load(0), load(n - 16));
    let next = if n > 16 {
        load(1)
    } else {
        _mm_srli_si128(first, 1)
    };
    let both = _mm256_inserti128_si256(_mm256_castsi128_si256(first), last, 1);
    let nexts = _mm256_inserti128_si256(_mm256_castsi128_si256(next), _mm_srli_si128(last, 1), 1);
    let looked = look32(both, nexts, &Tables::new::<COPY>());
    if COPY {
        if looked.escape {
            return false;
        }
        _mm_storeu_si128(dst.cast(), first);
        _mm_storeu_si128(dst.add(n - 16).cast(), last);
    }
    // Lanes 16 on are the last block's, whose first byte is `n - 16`.
    let spread = |m: u32| u64::from(m & 0xffff) | u64::from(m >> 16) << (n - 16);
    let mark = spread(looked.places);
    let runs = spread(looked.runs);
    if mark != 0 || windows_of_13(runs) != 0 {
        report(mark, runs, places);
    }
    true
}

/// [`pass`] for 33 to 64 bytes: the first and the last 32.
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn two32<const COPY: bool>(text: &[u8], dst: *mut u8, places: &mut impl Places) -> bool {
    let n = text.len();
    let load = |i: usize| _mm256_loadu_si256(text.as_ptr().add(i).cast());
    let (first, last) = (load(0), load(n - 32));
    let t = Tables::new::<COPY>();
    let head = look32(first, load(1), &t);
    let tail = look32(last, shifted(last), &t);
    if COPY {
        if head.escape || tail.escape {
            return false;
        }
        _mm256_storeu_si256(dst.cast(), first);
        _mm256_storeu_si256(dst.add(n - 32).cast(), last);
    }
    let shift = n - 32;
    let mark = u64::from(head.places) | u64::from(tail.places) << shift;
    let runs = u64::from(head.runs) | u64::from(tail.runs) << shift;
    if mark != 0 || windows_of_13(runs) != 0 {
        report(mark, runs, places);
    }
    true
}

/// The next byte of each lane of the last 32 bytes `v`: `v` moved down a
/// lane across its two halves, a zero after its last.
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn shifted(v: __m256i) -> __m256i {
    _mm256_alignr_epi8(_mm256_permute2x128_si256(v, v, 0x81), v, 1)
}

/// The pass of [`find`](super::find) and
/// [`copy_finding`](super::copy_finding) sixteen bytes a step, for at
/// least 16 bytes; with `COPY`, each step is stored at `dst` (as long
/// as `text`) and `false` returned at the first that needs escaping.
///
/// # Safety
///
/// `text` is at least 16 bytes long; with `COPY`, `dst` is valid for
/// as many bytes.
#[inline(always)]
pub(super) unsafe fn pass16<const COPY: bool>(
    text: &[u8],
    dst: *mut u8,
    places: &mut impl Places,
) -> bool {
    let n = text.len();
    let load = |i: usize| _mm_loadu_si128(text.as_ptr().add(i).cast());
    // Bits 0 to 15: the run bytes of the sixteen bytes before `i` (for
    // a text of at most 64 bytes, of all bytes before `i`).
    let mut before = 0u64;
    let mut i = 0;
    while i + 17 <= n {
        let v = load(i);
        let found = places16_of::<COPY, true>(v, load(i + 1));
        if COPY {
            let escape = escape16(v);
            if _mm_movemask_epi8(_mm_or_si128(found, escape)) != 0 {
                if _mm_movemask_epi8(escape) != 0 {
                    return false;
                }
                each(_mm_movemask_epi8(found) as u32, i, places);
            }
            _mm_storeu_si128(dst.add(i).cast(), v);
        } else {
            let mark = _mm_movemask_epi8(found) as u32;
            if mark != 0 {
                each(mark, i, places);
            }
        }
        let here = u64::from(run16(v));
        if n <= 64 {
            // One look for the whole text, at its end.
            before |= here << i;
        } else {
            let w = before | here << 16;
            // Windows that end in this step (from bit 4) and start in
            // the sixteen bytes before or in it.
            let windows = windows_of_13(w) & 0xffff_fff0;
            if windows != 0 {
                each_run(w, windows, i.wrapping_sub(16), places);
            }
            before = here;
        }
        i += 16;
    }
    // The last sixteen bytes, overlapping the step before: its lanes
    // already seen are left out, and the last lane has no next byte.
    let fresh = n - i;
    let seen = 16 - fresh;
    let v = load(n - 16);
    let found = places16_of::<COPY, true>(v, _mm_srli_si128(v, 1));
    if COPY {
        if _mm_movemask_epi8(escape16(v)) != 0 {
            return false;
        }
        _mm_storeu_si128(dst.add(n - 16).cast(), v);
    }
    let mark = _mm_movemask_epi8(found) as u32 >> seen;
    if mark != 0 {
        each(mark, i, places);
    }
    if n <= 64 {
        let all = before | u64::from(run16(v)) << (n - 16);
        let windows = windows_of_13(all);
        if windows != 0 {
            each_run(all, windows, 0, places);
        }
    } else {
        let w = before | u64::from(run16(v) >> seen) << 16;
        let windows = windows_of_13(w) & 0xffff_fff0;
        if windows != 0 {
            each_run(w, windows, i.wrapping_sub(16), places);
        }
    }
    true
}

/// One class of bytes of the 32-byte passes: those whose low nibble is
/// in `lo` and whose high nibble is in `hi` (bit `k` of each set for
/// nibble `k`), a product of two sets of nibbles. A pass looks a byte's
/// nibbles up in two tables of sixteen bytes (`vpshufb`) and keeps the
/// bits both have: each bit of the result is one class, so eight are
/// told apart in three instructions.
#[derive(Clone, Copy)]
struct Class {
    bit: u8,
    lo: u16,
    hi: u16,
}

/// The class of bit `bit` (see [`Class`]).
const fn class(bit: u8, lo: u16, hi: u16) -> Class {
    Class { bit, lo, hi }
}

/// A byte's nibbles as [`Class`]'s sets: `one(c)` is `c` alone.
const fn one(c: u8) -> u16 {
    1 << c
}

/// Every nibble.
const ALL: u16 = 0xffff;

/// The two tables that tell `classes` apart (low nibbles, high nibbles).
const fn tables(classes: &[Class]) -> ([u8; 16], [u8; 16]) {
    let (mut lo, mut hi) = ([0u8; 16], [0u8; 16]);
    let mut k = 0;
    while k < classes.len() {
        let c = classes[k];
        let mut n = 0;
        while n < 16 {
            if c.lo & (1 << n) != 0 {
                lo[n] |= c.bit;
            }
            if c.hi & (1 << n) != 0 {
                hi[n] |= c.bit;
            }
            n += 1;
        }
        k += 1;
    }
    (lo, hi)
}

/// The first byte of each place (see [`find`](super::find)), one bit a
/// kind of place. `@` and `J` share a bit: both are places whatever
/// follows, and `{0, A} × {4}` holds just them.
const FIRSTS: [Class; 8] = [
    class(0x01, one(0x0) | one(0xa), one(4)), // `@`, `J`
    class(0x02, one(0xd), one(3)),            // `=`
    class(0x04, one(0xd), one(2)),            // `-`
    class(0x08, one(0x2), one(4) | one(6)),   // `B`, `b`
    class(0x10, one(0x9), one(4)),            // `I`
    class(0x20, one(0xa), one(3)),            // `:`
    class(0x40, one(0x2), one(2)),            // `"`
    class(0x80, one(0x8), one(2)),            // `(`
];

/// The byte that must follow each of [`FIRSTS`], in the same bit.
const SECONDS: [Class; 8] = [
    class(0x01, ALL, ALL),                             // any
    class(0x02, ALL, ALL),                             // any
    class(0x04, one(0xd), one(2)),                     // `-`
    class(0x08, one(0x1) | one(0x5), one(4) | one(6)), // `a`, `e`, `A`, `E`
    class(0x10, one(0x1) | one(0xa), 0x00f0),          // `A`, `J`, `Q`, `Z`, `a`, `j`, `q`, `z`
    class(0x20, one(0x0) | one(0xf), one(2)),          // ` `, `/`
    class(0x40, one(0xa), one(3)),                     // `:`
    class(0x80, one(0x2), one(2)),                     // `"`
];

/// [`SECONDS`] in a pass that copies: `"` then `:` and `(` then `"` are
/// not places there (see [`quoted16`]).
const SECONDS_COPYING: [Class; 6] = [
    SECONDS[0], SECONDS[1], SECONDS[2], SECONDS[3], SECONDS[4], SECONDS[5],
];

/// The bytes of a card number's run, those JSON escapes, and the first
/// bytes of the places [`FIRSTS`] has no room for: `_` (a place whatever
/// follows) and `k` (when `-` follows). Moved down five bits, these two
/// meet [`SECONDS`]' bits 1 (any byte) and 2 (`-`).
const RUN_BIT: u8 = 0x03;
const ESCAPE_BIT: u8 = 0x3c;
const OTHERS: [Class; 8] = [
    class(0x01, 0x03ff, one(3)),                                    // digits
    class(0x02, one(0x0) | one(0x5) | one(0xb) | one(0xd), one(2)), // ` `, `%`, `+`, `-`
    class(0x04, ALL, 0xff03),                                       // controls, from 0x80
    class(0x08, one(0x2), one(2)),                                  // `"`
    class(0x10, one(0xc), one(5)),                                  // `\`
    class(0x20, one(0xf), one(7)),                                  // DEL
    class(0x40, one(0xf), one(5)),                                  // `_`
    class(0x80, one(0xb), one(6)),                                  // `k`
];

const FIRST_TABLES: ([u8; 16], [u8; 16]) = tables(&FIRSTS);
const SECOND_TABLES: ([u8; 16], [u8; 16]) = tables(&SECONDS);
const SECOND_TABLES_COPYING: ([u8; 16], [u8; 16]) = tables(&SECONDS_COPYING);
const OTHER_TABLES: ([u8; 16], [u8; 16]) = tables(&OTHERS);

/// The tables of a 32-byte pass, in registers.
#[derive(Clone, Copy)]
struct Tables {
    first: (__m256i, __m256i),
    second: (__m256i, __m256i),
    other: (__m256i, __m256i),
    nibble: __m256i,
    run: __m256i,
    escape: __m256i,
    token: __m256i,
}

impl Tables {
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn new<const COPY: bool>() -> Tables {
        let pair = |(lo, hi): ([u8; 16], [u8; 16])| {
            let wide =
                |t: [u8; 16]| _mm256_broadcastsi128_si256(_mm_loadu_si128(t.as_ptr().cast()));
            (wide(lo), wide(hi))
        };
        Tables {
            first: pair(FIRST_TABLES),
            second: pair(if COPY {
                SECOND_TABLES_COPYING
            } else {
                SECOND_TABLES
            }),
            other: pair(OTHER_TABLES),
            nibble: _mm256_set1_epi8(0x0f),
            run: _mm256_set1_epi8(RUN_BIT as i8),
            escape: _mm256_set1_epi8(ESCAPE_BIT as i8),
            token: _mm256_set1_epi8(0x06),
        }
    }
}

/// What a 32-byte pass learns of 32 bytes `v`, whose next bytes are
/// `next`: one bit a byte.
struct Looked {
    /// The places.
    places: u32,
    /// The bytes of a card number's run.
    runs: u32,
    /// Whether any byte needs escaping in JSON (as [`escape16`]).
    escape: bool,
}

/// The bits of `t`'s classes each byte of `v` is in.
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn classes(v: __m256i, (lo, hi): (__m256i, __m256i), nibble: __m256i) -> __m256i {
    let low = _mm256_and_si256(v, nibble);
    let high = _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble);
    _mm256_and_si256(_mm256_shuffle_epi8(lo, low), _mm256_shuffle_epi8(hi, high))
}

/// [`places16_of`], [`run16`] and [`escape16`] for 32 bytes at once.
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn look32(v: __m256i, next: __m256i, t: &Tables) -> Looked {
    let zero = _mm256_setzero_si256();
    let first = classes(v, t.first, t.nibble);
    let second = classes(next, t.second, t.nibble);
    let other = classes(v, t.other, t.nibble);
    let none = |x: __m256i| _mm256_movemask_epi8(_mm256_cmpeq_epi8(x, zero)) as u32;
    // `_` and `k` moved down to the bits of SECONDS they pair with (the
    // bits moved in from the lane's other byte are masked off).
    let token = _mm256_and_si256(_mm256_srli_epi16(other, 5), t.token);
    let paired = _mm256_or_si256(first, token);
    Looked {
        places: !none(_mm256_and_si256(paired, second)),
        runs: !none(_mm256_and_si256(other, t.run)),
        escape: none(_mm256_and_si256(other, t.escape)) != u32::MAX,
    }
}

/// [`pass16`] thirty-two bytes a step, for at least 32 bytes.
///
/// # Safety
///
/// AVX2 is available; `text` is at least 32 bytes long; with `COPY`,
/// `dst` is valid for as many bytes.
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn pass32<const COPY: bool>(text: &[u8], dst: *mut u8, places: &mut impl Places) -> bool {
    let n = text.len();
    let load = |i: usize| _mm256_loadu_si256(text.as_ptr().add(i).cast());
    let t = Tables::new::<COPY>();
    // Bits 0 to 31: the run bytes of the 32 bytes before `i` (for a
    // text of at most 64 bytes, of all bytes before `i`).
    let mut before = 0u64;
    let mut i = 0;
    while i + 33 <= n {
        let v = load(i);
        let looked = look32(v, load(i + 1), &t);
        if COPY {
            if looked.escape {
                return false;
            }
            _mm256_storeu_si256(dst.add(i).cast(), v);
        }
        if looked.places != 0 {
            each(looked.places, i, places);
        }
        let here = u64::from(looked.runs);
        if n <= 64 {
            before |= here << i;
        } else {
            let w = before | here << 32;
            // Windows that end in this step (from bit 20) and start in
            // the 32 bytes before or in it.
            let windows = windows_of_13(w) & 0x000f_ffff_fff0_0000;
            if windows != 0 {
                each_run(w, windows, i.wrapping_sub(32), places);
            }
            before = here;
        }
        i += 32;
    }
    // The last 32 bytes, overlapping the step before.
    let fresh = n - i;
    let seen = 32 - fresh as u32;
    let v = load(n - 32);
    let looked = look32(v, shifted(v), &t);
    if COPY {
        if looked.escape {
            return false;
        }
        _mm256_storeu_si256(dst.add(n - 32).cast(), v);
    }
    let mark = looked.places >> seen;
    if mark != 0 {
        each(mark, i, places);
    }
    if n <= 64 {
        let all = before | u64::from(looked.runs) << (n - 32);
        let windows = windows_of_13(all);
        if windows != 0 {
            each_run(all, windows, 0, places);
        }
    } else {
        let w = before | u64::from(looked.runs >> seen) << 32;
        let windows = windows_of_13(w) & 0x000f_ffff_fff0_0000;
        if windows != 0 {
            each_run(w, windows, i.wrapping_sub(32), places);
        }
    }
    true
}

/// [`find`](super::find) for 8 to 15 bytes: two overlapping halves in
/// one vector.
#[inline(always)]
pub(super) fn find_8_to_15(text: &[u8], places: &mut impl Places) {
    let n = text.len();
    let word = |i: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&text[i..i + 8]);
        u64::from_le_bytes(w)
    };
    find_in_halves::<false>(word(0), word(n - 8), n, places);
}

/// [`find`](super::find) for 8 to 15 bytes given as their first and
/// last eight. Bytes 0 to 6 are read in the low half (whose last lane
/// is followed by the high half's first, not the next byte), bytes 7
/// on in the high half. As in the passes, only without `COPY` is a `"`
/// before `:` a place (the copy takes no text with `"`).
#[inline(always)]
pub(crate) fn find_in_halves<const COPY: bool>(
    head: u64,
    tail: u64,
    n: usize,
    places: &mut impl Places,
) {
    // SAFETY: SSE2 is part of every x86_64 target.
    let (mark, runs) = unsafe {
        let v = _mm_set_epi64x(tail as i64, head as i64);
        let found = places16_of::<COPY, false>(v, _mm_srli_si128(v, 1));
        (_mm_movemask_epi8(found) as u32, run16(v))
    };
    // The high half's lane of byte 7.
    let seven = 23 - n;
    let mark = mark & 0x7f | (mark >> seven) << 7;
    if mark != 0 {
        each(mark, 0, places);
    }
    if n >= super::CARD_RUN {
        let w = u64::from(runs & 0x7f | (runs >> seven) << 7);
        let windows = windows_of_13(w);
        if windows != 0 {
            each_run(w, windows, 0, places);
        }
    }
}
