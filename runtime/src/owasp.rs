//! The OWASP Logging Vocabulary's event strings, and how seclog encodes
//! their arguments.
//!
//! An event string is `name[:arg1,arg2,...]`, for example
//! `authn_login_fail:alice`; seclog writes it in `seclog.owasp`. Arguments
//! are usually attacker-controlled text (a username typed into a login
//! form), so each one is **percent-encoded** before it is placed between
//! the separators: `%`, `,`, `:`, `(`, `)`, `|` and every control
//! character (U+0000–U+001F, U+007F–U+009F) are written as `%` and two
//! upper-case hex digits per UTF-8 byte; everything else, including
//! non-ASCII letters, is written as is. A username `alice,admin` therefore
//! becomes `authn_login_fail:alice%2Cadmin`: one argument, never two, and
//! no value can add, remove or shift an argument or end the name early.
//!
//! The vocabulary's structured arguments keep their literal punctuation:
//! the field list of `input_validation_fail` is `(field1,field2)` and the
//! check of `upload_validation` is `check:result`; inside them each value is
//! encoded the same way.
//!
//! ```
//! use seclog::owasp;
//!
//! assert_eq!(owasp::encode("alice,admin"), "alice%2Cadmin");
//! assert_eq!(owasp::encode("x:y"), "x%3Ay");
//! assert_eq!(owasp::encode("zoë"), "zoë");
//!
//! let (name, args) = owasp::split("authn_login_fail_max:alice%2Cadmin,5").unwrap();
//! assert_eq!(name, "authn_login_fail_max");
//! assert_eq!(args, ["alice%2Cadmin", "5"]);
//! assert_eq!(owasp::decode(args[0]).as_deref(), Some("alice,admin"));
//! ```

use std::borrow::Cow;
use std::fmt::{self, Write as _};

/// Whether a character is written percent-encoded in an argument.
#[inline]
fn reserved(c: char) -> bool {
    matches!(c, '%' | ',' | ':' | '(' | ')' | '|') || c.is_control()
}

/// Percent-encodes one argument of an event string.
///
/// ```
/// assert_eq!(seclog::owasp::encode("bob"), "bob");
/// assert_eq!(seclog::owasp::encode("50%\n(x)|y"), "50%25%0A%28x%29%7Cy");
/// ```
pub fn encode(arg: &str) -> Cow<'_, str> {
    if !arg.chars().any(reserved) {
        return Cow::Borrowed(arg);
    }
    let mut out = String::with_capacity(arg.len() + 8);
    let _ = Encoder(&mut out).write_str(arg);
    Cow::Owned(out)
}

/// Reverses [`encode`]. `None` when `arg` is not the output of `encode`: a
/// reserved character appears unencoded, a `%` is not followed by two hex
/// digits, or the bytes are not UTF-8.
///
/// ```
/// assert_eq!(seclog::owasp::decode("alice%2Cadmin").as_deref(), Some("alice,admin"));
/// assert_eq!(seclog::owasp::decode("alice,admin"), None);
/// assert_eq!(seclog::owasp::decode("%4"), None);
/// ```
pub fn decode(arg: &str) -> Option<String> {
    let bytes = arg.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hi = (hex[0] as char).to_digit(16)?;
                let lo = (hex[1] as char).to_digit(16)?;
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            _ => {
                // Copy one whole character, refusing reserved ones.
                let c = arg[i..].chars().next()?;
                if reserved(c) {
                    return None;
                }
                out.extend_from_slice(&bytes[i..i + c.len_utf8()]);
                i += c.len_utf8();
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Splits an event string into its name and its arguments, still encoded.
/// A parenthesised list counts as one argument. `None` when the string has
/// no name or its parentheses do not balance.
///
/// ```
/// let (name, args) = seclog::owasp::split("input_validation_fail:(dob,zip),alice").unwrap();
/// assert_eq!(name, "input_validation_fail");
/// assert_eq!(args, ["(dob,zip)", "alice"]);
/// assert_eq!(seclog::owasp::split("sys_crash").unwrap(), ("sys_crash", vec![]));
/// ```
pub fn split(event: &str) -> Option<(&str, Vec<&str>)> {
    let (name, rest) = match event.split_once(':') {
        Some((n, r)) => (n, Some(r)),
        None => (event, None),
    };
    if name.is_empty() || name.chars().any(reserved) {
        return None;
    }
    let Some(rest) = rest else {
        return Some((name, Vec::new()));
    };
    let mut args = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, b) in rest.bytes().enumerate() {
        match b {
            b'(' => depth += 1,
            b')' => depth = depth.checked_sub(1)?,
            b',' if depth == 0 => {
                args.push(&rest[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return None;
    }
    args.push(&rest[start..]);
    Some((name, args))
}

/// A `fmt::Write` that percent-encodes everything written through it.
pub(crate) struct Encoder<'a>(pub(crate) &'a mut String);

impl fmt::Write for Encoder<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let mut run = 0;
        for (i, c) in s.char_indices() {
            if reserved(c) {
                self.0.push_str(&s[run..i]);
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    self.0.push('%');
                    self.0.push(HEX[(b >> 4) as usize] as char);
                    self.0.push(HEX[(b & 0xf) as usize] as char);
                }
                run = i + c.len_utf8();
            }
        }
        self.0.push_str(&s[run..]);
        Ok(())
    }
}

/// Appends `value`'s `Display` output to `out` as an event's argument
/// ([`encode_scanned`]).
pub(crate) fn push_encoded(out: &mut String, value: &dyn fmt::Display) {
    let start = out.len();
    // A failing `Display` leaves what it wrote; the event is still written.
    let _ = write!(out, "{value}");
    if let Cow::Owned(text) = encode_scanned(&out[start..]) {
        out.truncate(start);
        out.push_str(&text);
    }
}

/// `arg` as an event's argument: the secrets found in it by their shape
/// replaced (see [`redact_text`](crate::redact_text)), then [`encode`]d.
/// In that order: encoding changes what stands around a secret (a line
/// break before a card number becomes `%0A`, a letter), which would hide
/// it from the scan. Borrowed when neither changes anything.
pub(crate) fn encode_scanned(arg: &str) -> Cow<'_, str> {
    match crate::redact_text(arg) {
        Cow::Borrowed(text) => encode(text),
        Cow::Owned(text) => Cow::Owned(encode(&text).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_separators_and_controls_only() {
        assert_eq!(
            encode("a,b:c(d)e|f%g\u{0}\u{85}é"),
            "a%2Cb%3Ac%28d%29e%7Cf%25g%00%C2%85é"
        );
        assert!(matches!(encode("plain name"), Cow::Borrowed(_)));
    }

    #[test]
    fn decode_rejects_unencoded_separators() {
        for bad in ["a,b", "a:b", "a(b", "%zz", "%", "%C3"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn split_rejects_unbalanced_lists() {
        assert_eq!(split("x:(a,b"), None);
        assert_eq!(split("x:a)"), None);
        assert_eq!(split(":a"), None);
        assert_eq!(split("x:"), Some(("x", vec![""])));
    }
}
