//! The JSON writer's unit tests: escaping, bounds, and the fast paths read as the plain ones.

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
    let mixed =
        "plain text \u{1}\u{2}\"quoted\" back\\slash \u{2028} snow ☃ \u{7f} end of a longer line";
    assert_eq!(esc(mixed), reference(mixed));
}

#[test]
fn both_block_looks_flag_the_same_bytes() {
    for b in 0..=255u8 {
        for at in 0..16 {
            let mut block = [b'a'; 16];
            block[at] = b;
            let first = |f: u32| (f != 0).then(|| f.trailing_zeros());
            let flagged = flags16_words(&block) != 0;
            assert_eq!(first(flags16(&block)), first(flags16_words(&block)));
            let expected = !(0x20..0x7f).contains(&b) || b == b'"' || b == b'\\';
            assert_eq!(flagged, expected, "byte {b:#04x} at {at}");
            let (low, high) = (load(&block[..8]), load(&block[8..]));
            assert_eq!(!pair_plain(low, high), expected, "byte {b:#04x} at {at}");
        }
    }
}

#[test]
fn the_bounded_and_unbounded_paths_agree() {
    let texts = [
        "{\"transferId\":\"tr-5f0c\",\"links\":{\"self\":\"/v1/t\"}}".to_string(),
        format!("{}\u{2028}{}\u{85}é\n", "x".repeat(17), "y".repeat(33)),
        "\u{1}\u{2}\u{3}\"\\\u{7f}\u{9f}\u{a0}☃".repeat(5),
    ];
    for text in &texts {
        let unbounded = esc(text);
        assert_eq!(unbounded, reference(text));
        // An output bound just large enough takes the bounded path.
        let mut b = Vec::new();
        let n = write_escaped(&mut b, text, usize::MAX, unbounded.len());
        assert_eq!((n, String::from_utf8(b).unwrap()), (text.len(), unbounded));
    }
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
