//! Text from records made safe to print.
//!
//! Usernames, paths, resources and messages in the records are chosen by
//! whoever sent the requests, and a terminal obeys escape sequences: an
//! ESC in a username could recolour the screen, move the cursor, retitle
//! the window, or hide the lines after it; a right-to-left override could
//! make `evil.exe` read as `exe.live`. Everything the command prints for a
//! person goes through [`terminal`], and every JSON line it prints through
//! [`json`].

use std::borrow::Cow;
use std::fmt::{self, Write as _};

/// Whether `c` must not reach a terminal raw: C0 controls (tab included),
/// DEL, C1 controls, the Unicode line and paragraph separators, and the
/// bidirectional formatting characters.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{2028}' | '\u{2029}'
        | '\u{061c}' | '\u{200e}' | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}')
}

/// `s` with every [unsafe](is_unsafe) character written as a visible
/// `\u{..}` escape, and `\` as `\\` so an escape cannot be forged.
///
/// ```
/// use seclog_cli::text::terminal;
/// assert_eq!(terminal("alice"), "alice");
/// assert_eq!(terminal("evil\u{1b}[2J"), "evil\\u{1b}[2J");
/// assert_eq!(terminal("a\\u{1b}"), "a\\\\u{1b}");
/// assert_eq!(terminal("x\u{202e}gpj.exe"), "x\\u{202e}gpj.exe");
/// ```
pub fn terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c == '\\' || is_unsafe(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c == '\\' {
            out.push_str("\\\\");
        } else if is_unsafe(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `s` with only the [unsafe](is_unsafe) characters escaped: for a message
/// assembled from parts already passed through [`terminal`], as a last
/// guard that does not double their backslashes.
///
/// ```
/// assert_eq!(seclog_cli::text::controls("a\\b\u{1b}"), "a\\b\\u{1b}");
/// ```
pub fn controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Displays its text through [`terminal`].
///
/// ```
/// let name = "bob\u{7}";
/// assert_eq!(format!("user {}", seclog_cli::text::Safe(name)), "user bob\\u{7}");
/// ```
pub struct Safe<'a>(pub &'a str);

impl fmt::Display for Safe<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&terminal(self.0))
    }
}

/// A JSON text with the characters JSON allows raw in strings but a
/// terminal must not see (DEL, C1 controls, U+2028/2029, bidirectional
/// formatting) written as `\uXXXX` escapes: the same JSON value, safe to
/// print. Raw C0 controls cannot occur in valid JSON; any found are escaped
/// too.
///
/// ```
/// let line = "{\"user\":{\"name\":\"x\u{202e}y\u{85}\"}}";
/// let safe = seclog_cli::text::json(line);
/// assert_eq!(safe, r#"{"user":{"name":"x\u202ey\u0085"}}"#);
/// let a: serde_json::Value = serde_json::from_str(line).unwrap();
/// let b: serde_json::Value = serde_json::from_str(&safe).unwrap();
/// assert_eq!(a, b);
/// ```
pub fn json(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_unsafe(c) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Cuts `s` to at most `width` terminal columns, marking a cut with `…`.
///
/// ```
/// use seclog_cli::text::fit;
/// assert_eq!(fit("administrator", 6), "admin…");
/// assert_eq!(fit("bob", 6), "bob");
/// ```
pub fn fit(s: &str, width: usize) -> Cow<'_, str> {
    use unicode_width::UnicodeWidthChar;
    if width_of(s) <= width {
        return Cow::Borrowed(s);
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    if width > 0 {
        out.push('…');
    }
    Cow::Owned(out)
}

/// The number of terminal columns `s` takes.
pub fn width_of(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}
