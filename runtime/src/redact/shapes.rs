//! Secrets found by their shape in free text.
//!
//! Types say how their fields are logged and keys say which members of
//! untyped data are sensitive, but a token pasted into a comment, a card
//! number in an upstream error or a private key in a panic message carry
//! no such sign. Their shape does: every text seclog writes that did not
//! come from a `clear` field is looked at, and each match is replaced in
//! place by `[REDACTED:<kind>]`, the words around it kept.
//!
//! | kind | shape | written as |
//! |---|---|---|
//! | [`jwt`](SecretKind::Jwt) | three base64url segments separated by dots, the first starting `eyJ` (an encoded `{"`), at least 10 and 2 characters long for the first two; up to two more segments (an encrypted token) | `[REDACTED:jwt]` |
//! | [`bearer`](SecretKind::Bearer) | the word `Bearer` (any case) then spaces and a token of at least 8 characters that mixes two of lower case, upper case (after its first character) and digits | `Bearer [REDACTED:bearer]` |
//! | [`basic`](SecretKind::Basic) | the word `Basic` (any case) then spaces and base64 text that decodes to printable `user:password` | `Basic [REDACTED:basic]` |
//! | [`aws_access_key_id`](SecretKind::AwsAccessKeyId) | `AKIA` or `ASIA` and 16 upper-case letters or digits, with no letter or digit on either side | `[REDACTED:aws_access_key_id]` |
//! | [`private_key`](SecretKind::PrivateKey) | a PEM block whose label names a `PRIVATE KEY`, from `-----BEGIN` through the matching `-----END` line, or to the end of the text when that line is missing | `[REDACTED:private_key]` |
//! | [`card_number`](SecretKind::CardNumber) | 13 to 19 digits, in groups joined by single spaces or dashes, that pass the Luhn check and are not part of a longer run of letters and digits (nor a decimal number) | `[REDACTED:card_number]` |
//! | [`query_param`](SecretKind::QueryParam) | `key=value` where the key is sensitive ([`is_sensitive_key`](crate::is_sensitive_key), with the terms added at run time): the value, up to `&`, whitespace or the end | `password=[REDACTED:query_param]` |
//!
//! The scheme word of a `Bearer` or `Basic` credential and the key of a
//! `key=value` pair are kept: they say what was there without revealing
//! it. Everything else stays byte for byte: UUIDs, order references,
//! timestamps, hex digests, numbers that fail the Luhn check, words.
//!
//! Users add shapes of their own with a [`SecretShape`], registered on
//! the [builder](crate::Builder::secret_shape); finding shapes can be
//! turned off there too ([`Builder::shape_detection`](crate::Builder::shape_detection)).
//!
//! Scanning costs little on the text records are made of: a vector pass
//! (SSE2 on x86_64, eight-byte words elsewhere) looks for what every shape
//! must contain (`=`, `J`, `--`, `IA`, `Ba`/`Be` in any case, thirteen
//! digits), and only a text where something is found is scanned exactly.

use super::Policy;
use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

/// The kinds of secret seclog finds by their shape, named in the marker
/// that replaces them: `[REDACTED:<name>]`.
///
/// ```
/// use seclog::redact::shapes::SecretKind;
///
/// assert_eq!(SecretKind::Jwt.name(), "jwt");
/// assert_eq!(SecretKind::CardNumber.to_string(), "[REDACTED:card_number]");
/// assert_eq!(SecretKind::Custom("employee_id").to_string(), "[REDACTED:employee_id]");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SecretKind {
    /// A JSON Web Token (signed, or encrypted with five segments).
    Jwt,
    /// The token of a `Bearer` credential; the scheme word is kept.
    Bearer,
    /// The `user:password` of a `Basic` credential; the scheme word is kept.
    Basic,
    /// An AWS access key id (`AKIA…` long-term, `ASIA…` temporary).
    AwsAccessKeyId,
    /// A PEM private key block.
    PrivateKey,
    /// A payment card number (a Luhn-valid primary account number).
    CardNumber,
    /// The value of a `key=value` pair whose key is sensitive.
    QueryParam,
    /// Found by a [`SecretShape`] the user registered, under its name.
    Custom(&'static str),
}

impl SecretKind {
    /// The kinds seclog finds by itself; when two matches begin at the
    /// same place, the kind that comes first here names them.
    pub const BUILT_IN: [SecretKind; 7] = [
        SecretKind::PrivateKey,
        SecretKind::Jwt,
        SecretKind::AwsAccessKeyId,
        SecretKind::CardNumber,
        SecretKind::Bearer,
        SecretKind::Basic,
        SecretKind::QueryParam,
    ];

    /// The name written in the marker (`jwt`, `card_number`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            SecretKind::Jwt => "jwt",
            SecretKind::Bearer => "bearer",
            SecretKind::Basic => "basic",
            SecretKind::AwsAccessKeyId => "aws_access_key_id",
            SecretKind::PrivateKey => "private_key",
            SecretKind::CardNumber => "card_number",
            SecretKind::QueryParam => "query_param",
            SecretKind::Custom(name) => name,
        }
    }

    /// The marker of a built-in kind, ready to copy.
    fn static_marker(&self) -> Option<&'static str> {
        Some(match self {
            SecretKind::Jwt => "[REDACTED:jwt]",
            SecretKind::Bearer => "[REDACTED:bearer]",
            SecretKind::Basic => "[REDACTED:basic]",
            SecretKind::AwsAccessKeyId => "[REDACTED:aws_access_key_id]",
            SecretKind::PrivateKey => "[REDACTED:private_key]",
            SecretKind::CardNumber => "[REDACTED:card_number]",
            SecretKind::QueryParam => "[REDACTED:query_param]",
            SecretKind::Custom(_) => return None,
        })
    }

    /// Appends the marker, `[REDACTED:<name>]`, to `out`.
    pub(crate) fn push_marker(&self, out: &mut Vec<u8>) {
        match self.static_marker() {
            Some(marker) => out.extend_from_slice(marker.as_bytes()),
            None => {
                out.extend_from_slice(b"[REDACTED:");
                out.extend_from_slice(self.name().as_bytes());
                out.push(b']');
            }
        }
    }

    /// The place of a kind in [`BUILT_IN`](Self::BUILT_IN), the user's
    /// after: which names two matches that start at the same place.
    fn rank(&self) -> (usize, &'static str) {
        match Self::BUILT_IN.iter().position(|k| k == self) {
            Some(rank) => (rank, ""),
            None => (Self::BUILT_IN.len(), self.name()),
        }
    }

    /// The length of the marker in bytes.
    pub(crate) fn marker_len(&self) -> usize {
        "[REDACTED:]".len() + self.name().len()
    }
}

/// The marker that replaces a secret of this kind: `[REDACTED:<name>]`.
impl fmt::Display for SecretKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[REDACTED:{}]", self.name())
    }
}

/// Whether `name` can name a user's kind: 1 to 32 of `a-z`, `0-9` and `_`,
/// so the marker it makes is plain text that never needs escaping.
pub(crate) fn is_valid_kind_name(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A shape of secret of the user's own, registered with
/// [`Builder::secret_shape`](crate::Builder::secret_shape) under a kind
/// name: each match is written `[REDACTED:<name>]`.
///
/// `find` returns the first match that starts at or after byte `from` of
/// `text`, as a byte range; seclog calls it again after each match, so it
/// never needs to allocate. A closure of that signature is a shape. User
/// shapes see every text seclog scans (there is no prefilter for them), so
/// keep them cheap; a range that is empty, out of bounds or before `from`
/// ends the search in that text, a range inside a character grows to whole
/// characters, and a shape that panics has the whole text redacted under
/// its name.
///
/// ```
/// use std::ops::Range;
///
/// /// Employee ids: `EMP-` and six digits.
/// fn employee_id(text: &str, from: usize) -> Option<Range<usize>> {
///     let at = from + text.get(from..)?.find("EMP-")?;
///     let digits = text.as_bytes().get(at + 4..at + 10)?;
///     if digits.iter().all(u8::is_ascii_digit) {
///         Some(at..at + 10)
///     } else {
///         employee_id(text, at + 4)
///     }
/// }
///
/// let config = seclog::builder().secret_shape("employee_id", employee_id).build().unwrap();
/// let text = seclog::testing::with_config(config, || {
///     seclog::redact_text("approved by EMP-004211 today").into_owned()
/// });
/// assert_eq!(text, "approved by [REDACTED:employee_id] today");
/// ```
pub trait SecretShape: Send + Sync + 'static {
    /// The first match starting at or after `from`, as a byte range of `text`.
    fn find(&self, text: &str, from: usize) -> Option<Range<usize>>;
}

impl<F> SecretShape for F
where
    F: Fn(&str, usize) -> Option<Range<usize>> + Send + Sync + 'static,
{
    fn find(&self, text: &str, from: usize) -> Option<Range<usize>> {
        self(text, from)
    }
}

/// Finding secrets by their shape as configured: on (the default) or off,
/// and the user's shapes by kind name.
pub(crate) struct Shapes {
    pub(crate) on: bool,
    pub(crate) custom: Vec<(&'static str, Box<dyn SecretShape>)>,
}

impl Shapes {
    /// The default: the built-in shapes, none of the user's.
    pub(crate) const DEFAULT: Shapes = Shapes {
        on: true,
        custom: Vec::new(),
    };

    /// Off: nothing is scanned.
    pub(crate) const OFF: Shapes = Shapes {
        on: false,
        custom: Vec::new(),
    };
}

/// The default settings, for writers made before a configuration is known.
pub(crate) static DEFAULT: Shapes = Shapes::DEFAULT;

/// Finding shapes turned off.
pub(crate) static OFF: Shapes = Shapes::OFF;

/// One secret found: where it is in the text, and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) kind: SecretKind,
}

/// Finds the built-in shapes in `text`, appending them to `found` in order
/// of position, never overlapping; `policy` judges the key of a
/// `key=value` pair. Linear in the length of the text whatever it holds:
/// each detector's look is bounded, or skips what it has read.
///
/// A vector pass ([`find`]) finds the few places a shape can begin and the
/// runs of digits, spaces and dashes long enough to hold a card number,
/// and only those are looked at.
pub(crate) fn scan(text: &str, policy: &Policy, found: &mut Vec<Found>) {
    let first = found.len();
    find(text.as_bytes(), &mut Finder::new(text, policy, found));
    settle(found, first);
}

/// What a vector pass over a text reports.
pub(crate) trait Places {
    /// A place where a shape other than a card number may begin (see
    /// [`find`]).
    fn at(&mut self, p: usize);
    /// Thirteen digits, spaces or dashes in a row from `window`: a card
    /// number may be in the run around them.
    fn run(&mut self, window: usize);
}

/// Looks at the places a vector pass reports, and collects the matches.
/// Each kind is looked for on its own: one kind's match never hides the
/// beginning of another's (overlaps are merged afterwards), while matches
/// of one kind never overlap, so a place inside the last one is not looked
/// at again.
pub(crate) struct Finder<'a> {
    text: &'a str,
    policy: &'a Policy,
    pub(crate) found: &'a mut Vec<Found>,
    /// Where the next match of each kind may begin: a `key=value` value,
    /// a JWT, a private key, an AWS key id, a credential, a card run. A
    /// JWT's is also past the first segment of a `eyJ` that was not one:
    /// a later `eyJ` inside it would read the same segments again.
    next: [usize; 6],
}

impl<'a> Finder<'a> {
    pub(crate) fn new(text: &'a str, policy: &'a Policy, found: &'a mut Vec<Found>) -> Self {
        Finder {
            text,
            policy,
            found,
            next: [0; 6],
        }
    }
}

impl Places for Finder<'_> {
    #[inline(always)]
    fn at(&mut self, p: usize) {
        // Most places are refused by a byte or two around them, without
        // a call: `b` inside a word, `J` not after `ey`, `=` without a
        // value or a key.
        let b = self.text.as_bytes();
        let before = |k: usize| if p >= k { b[p - k] } else { b' ' };
        let worth = match b[p] {
            b'=' => is_key_byte(before(1)) && b.get(p + 1).is_some_and(|&c| c != b'=' && c != b'&'),
            b'J' => before(2) == b'e' && before(1) == b'y',
            b'I' => before(2) == b'A',
            b'-' => b.get(p + 4) == Some(&b'-'),
            _ => !is_alnum(before(1)),
        };
        if worth {
            self.look(p);
        }
    }

    #[inline(never)]
    fn run(&mut self, window: usize) {
        if window < self.next[5] {
            return;
        }
        let b = self.text.as_bytes();
        let mut start = window;
        while start > 0 && is_card_byte(b[start - 1]) {
            start -= 1;
        }
        let end = run(b, window + CARD_RUN, is_card_byte);
        read(window - start);
        self.next[5] = end;
        cards_in(b, start, end, self.found);
    }
}

impl Finder<'_> {
    /// Looks at place `p` for the shape its byte can belong to.
    #[inline(never)]
    fn look(&mut self, p: usize) {
        let b = self.text.as_bytes();
        let (hit, kind) = match b[p] {
            b'=' if p >= self.next[0] => (query_value_at(self.text, p, self.policy), 0),
            b'J' if p >= 2 && p - 2 >= self.next[1] => match jwt_at(b, p - 2) {
                Ok(hit) => (Some(hit), 1),
                Err(seen) => {
                    self.next[1] = seen;
                    return;
                }
            },
            b'-' if p >= self.next[2] => (private_key_at(b, p), 2),
            b'I' if p >= 2 && p - 2 >= self.next[3] => (aws_at(b, p - 2), 3),
            b'B' | b'b' if p >= self.next[4] => (credential_at(b, p), 4),
            _ => return,
        };
        if let Some(hit) = hit {
            self.next[kind] = hit.end;
            self.found.push(hit);
        }
    }
}

/// Looks for card numbers in the run `start..end` of digits, spaces and
/// dashes: from each group of digits, so a card overlapping a longer valid
/// number before it is still covered (overlaps are merged afterwards).
pub(crate) fn cards_in(b: &[u8], start: usize, end: usize, found: &mut Vec<Found>) {
    let mut i = start;
    while i < end {
        if b[i].is_ascii_digit() {
            if let Some(hit) = card_at(b, i) {
                found.push(hit);
            }
            i = run(b, i, |c| c.is_ascii_digit());
        } else {
            i += 1;
        }
    }
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn is_b64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// The end of the run of bytes from `i` that satisfy `f`.
fn run(b: &[u8], mut i: usize, f: impl Fn(u8) -> bool) -> usize {
    let from = i;
    while i < b.len() && f(b[i]) {
        i += 1;
    }
    read(i - from);
    i
}

#[cfg(test)]
thread_local! {
    /// Bytes the detectors read beyond the main loop's one look a byte.
    static READ: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Counts `n` bytes read by a detector (in tests: scanning must stay linear).
#[inline(always)]
fn read(n: usize) {
    #[cfg(test)]
    READ.with(|r| r.set(r.get() + n));
    let _ = n;
}

/// Whether no letter or digit comes right before `i`.
fn word_starts(b: &[u8], i: usize) -> bool {
    i == 0 || !is_alnum(b[i - 1])
}

/// A JWT at `i`, or the end of the first segment read when there is none.
fn jwt_at(b: &[u8], i: usize) -> Result<Found, usize> {
    if !b[i..].starts_with(b"eyJ") || !word_starts(b, i) {
        return Err(i + 1);
    }
    let first = run(b, i, is_b64url);
    let second = |dot: usize| {
        let end = run(b, dot + 1, is_b64url);
        (b.get(dot) == Some(&b'.')).then_some(end)
    };
    let Some(payload) = second(first).filter(|&end| first - i >= 10 && end - first > 2) else {
        return Err(first);
    };
    if b.get(payload) != Some(&b'.') {
        return Err(first);
    }
    // The signature may be empty (an unsecured token keeps its dot); an
    // encrypted token has two more segments.
    let mut end = run(b, payload + 1, is_b64url);
    for _ in 0..2 {
        if b.get(end) == Some(&b'.') && b.get(end + 1).is_some_and(|&c| is_b64url(c)) {
            end = run(b, end + 1, is_b64url);
        } else {
            break;
        }
    }
    Ok(Found {
        start: i,
        end,
        kind: SecretKind::Jwt,
    })
}

/// An AWS access key id at `i`.
fn aws_at(b: &[u8], i: usize) -> Option<Found> {
    let key = b.get(i..i + 20)?;
    let upper_or_digit = |c: &u8| c.is_ascii_uppercase() || c.is_ascii_digit();
    let found = (key.starts_with(b"AKIA") || key.starts_with(b"ASIA"))
        && key[4..].iter().all(upper_or_digit)
        && word_starts(b, i)
        && b.get(i + 20).map_or(true, |&c| !is_alnum(c));
    found.then_some(Found {
        start: i,
        end: i + 20,
        kind: SecretKind::AwsAccessKeyId,
    })
}

/// A PEM private key block beginning at `i`.
fn private_key_at(b: &[u8], i: usize) -> Option<Found> {
    const BEGIN: &[u8] = b"-----BEGIN ";
    if !b[i..].starts_with(BEGIN) {
        return None;
    }
    let label_start = i + BEGIN.len();
    let label_end = run(b, label_start, |c| {
        c.is_ascii_uppercase() || c.is_ascii_digit() || c == b' '
    });
    let label = &b[label_start..label_end];
    if !b[label_end..].starts_with(b"-----") || find_bytes(label, b"PRIVATE KEY").is_none() {
        return None;
    }
    let mut from = label_end + 5;
    let mut end = b.len();
    while let Some(at) = find_bytes(&b[from..], b"-----END ") {
        let after = from + at + b"-----END ".len();
        let rest = &b[after..];
        if rest.starts_with(label) && rest[label.len()..].starts_with(b"-----") {
            end = after + label.len() + 5;
            break;
        }
        from = after;
    }
    Some(Found {
        start: i,
        end,
        kind: SecretKind::PrivateKey,
    })
}

/// Where `needle` first occurs in `hay`.
fn find_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut at = 0;
    while at + needle.len() <= hay.len() {
        let i = at
            + hay[at..=hay.len() - needle.len()]
                .iter()
                .position(|&c| c == first)?;
        read(i + 1 - at);
        if hay[i + 1..].starts_with(rest) {
            return Some(i);
        }
        at = i + 1;
    }
    None
}

/// The credential of a `Bearer` or `Basic` scheme word at `i` (the match
/// is the credential alone: the word stays).
fn credential_at(b: &[u8], i: usize) -> Option<Found> {
    if !word_starts(b, i) {
        return None;
    }
    let (word, kind): (&[u8], _) = match b.get(i + 1).map(u8::to_ascii_lowercase) {
        Some(b'e') => (b"bearer", SecretKind::Bearer),
        Some(b'a') => (b"basic", SecretKind::Basic),
        _ => return None,
    };
    if !b.get(i..i + word.len())?.eq_ignore_ascii_case(word) {
        return None;
    }
    let start = run(b, i + word.len(), |c| c == b' ' || c == b'\t');
    if start == i + word.len() {
        return None;
    }
    let end = match kind {
        SecretKind::Bearer => bearer_token(b, start)?,
        _ => basic_credential(b, start)?,
    };
    Some(Found { start, end, kind })
}

/// The end of a `Bearer` token (RFC 6750's token68) that looks like a
/// credential: at least eight characters mixing two of lower case, upper
/// case after the first character, and digits. A word in a sentence
/// ("bearer responsibilities") mixes none.
fn bearer_token(b: &[u8], start: usize) -> Option<usize> {
    let body = run(b, start, |c| {
        c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
    });
    let end = run(b, body, |c| c == b'=');
    let token = &b[start..body];
    if token.len() < 8 {
        return None;
    }
    let lower = token.iter().any(u8::is_ascii_lowercase);
    let upper = token[1..].iter().any(u8::is_ascii_uppercase);
    let digit = token.iter().any(u8::is_ascii_digit);
    (u8::from(lower) + u8::from(upper) + u8::from(digit) >= 2).then_some(end)
}

/// The end of a `Basic` credential: base64 that decodes to `user:password`
/// in printable text. A word after "basic" decodes to no such thing.
fn basic_credential(b: &[u8], start: usize) -> Option<usize> {
    let body = run(b, start, |c| {
        c.is_ascii_alphanumeric() || c == b'+' || c == b'/'
    });
    let end = body + run(&b[body..], 0, |c| c == b'=').min(2);
    let text = &b[start..body];
    if text.len() < 4 || text.len() % 4 == 1 {
        return None;
    }
    // Decoded on the way, six bits a character, without a buffer.
    let mut colon = false;
    let mut bits = 0u32;
    let mut count = 0;
    let mut utf8 = Utf8Check::default();
    for &c in text {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            _ => 63,
        };
        bits = bits << 6 | u32::from(v);
        count += 6;
        if count >= 8 {
            count -= 8;
            let byte = (bits >> count) as u8;
            bits &= (1 << count) - 1;
            colon |= byte == b':';
            if !utf8.push(byte) {
                return None;
            }
        }
    }
    (colon && utf8.is_complete()).then_some(end)
}

/// A streaming check that bytes are UTF-8 text without control characters.
#[derive(Default)]
struct Utf8Check {
    /// Continuation bytes still expected.
    pending: u8,
}

impl Utf8Check {
    fn push(&mut self, byte: u8) -> bool {
        if self.pending > 0 {
            self.pending -= 1;
            return byte & 0xc0 == 0x80;
        }
        match byte {
            0x20..=0x7e => true,
            0xc2..=0xdf => {
                self.pending = 1;
                true
            }
            0xe0..=0xef => {
                self.pending = 2;
                true
            }
            0xf0..=0xf4 => {
                self.pending = 3;
                true
            }
            _ => false,
        }
    }

    fn is_complete(&self) -> bool {
        self.pending == 0
    }
}

/// The value of a `key=value` pair whose `=` is at `i`, when its key is
/// sensitive: up to `&`, whitespace or the end.
fn query_value_at(text: &str, i: usize, policy: &Policy) -> Option<Found> {
    let b = text.as_bytes();
    // Cheap refusals first: no value (the end, `&`, whitespace, or more
    // `=` as in base64 padding), no key.
    match b.get(i + 1) {
        Some(&c) if c != b'&' && c != b'=' && !c.is_ascii_whitespace() => {}
        _ => return None,
    }
    let mut key_start = i;
    while key_start > 0 && is_key_byte(b[key_start - 1]) {
        key_start -= 1;
    }
    read(i - key_start);
    // A key shorter than every term cannot hold one.
    if i - key_start < policy.min_term_len() {
        return None;
    }
    // The key is ASCII, so its bounds are character boundaries.
    let key = &text[key_start..i];
    let is_sensitive = if key.as_bytes().contains(&b'%') {
        let mut decoded = [0u8; 128];
        match percent_decode(key.as_bytes(), &mut decoded) {
            Some(key) => policy.is_sensitive(key),
            None => policy.is_sensitive(key),
        }
    } else {
        policy.is_sensitive(key)
    };
    if !is_sensitive {
        return None;
    }
    // Read only after a sensitive key: keys never hold `=`, so each byte
    // is read once as a key and at most once as a value (a value ends at
    // the next match of its kind).
    let end = run(b, i + 1, |c| c != b'&' && !c.is_ascii_whitespace());
    // A value seclog already replaced (`name=[REDACTED]` of a cookie) is
    // left as it is.
    if is_marker(&b[i + 1..end]) {
        return None;
    }
    Some(Found {
        start: i + 1,
        end,
        kind: SecretKind::QueryParam,
    })
}

/// Whether `text` is a marker seclog writes in place of a secret:
/// `[REDACTED]` or `[REDACTED:<kind>]`.
fn is_marker(text: &[u8]) -> bool {
    match text
        .strip_prefix(b"[REDACTED")
        .and_then(|t| t.strip_suffix(b"]"))
    {
        Some(b"") => true,
        Some(kind) => kind.strip_prefix(b":").is_some_and(|k| {
            !k.is_empty()
                && k.iter()
                    .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
        }),
        None => false,
    }
}

/// A byte of a query or form key: letters, digits and `_ - . [ ] %`.
fn is_key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'[' | b']' | b'%')
}

/// `key` with its `%XX` escapes decoded into `out`, when it fits and is
/// text.
fn percent_decode<'a>(key: &[u8], out: &'a mut [u8; 128]) -> Option<&'a str> {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let (mut i, mut n) = (0, 0);
    while i < key.len() {
        let byte = match key[i] {
            b'%' if i + 2 < key.len() => match (hex(key[i + 1]), hex(key[i + 2])) {
                (Some(h), Some(l)) => {
                    i += 2;
                    h << 4 | l
                }
                _ => b'%',
            },
            c => c,
        };
        *out.get_mut(n)? = byte;
        n += 1;
        i += 1;
    }
    std::str::from_utf8(&out[..n]).ok()
}

/// The longest card number that starts at the group of digits at `i`.
fn card_at(b: &[u8], i: usize) -> Option<Found> {
    let end = card_starts(b, i).then(|| card_from(b, i)).flatten()?;
    Some(Found {
        start: i,
        end,
        kind: SecretKind::CardNumber,
    })
}

fn is_card_separator(c: u8) -> bool {
    c == b' ' || c == b'-'
}

/// Whether a card may start at `i`: no letter or digit before it, nor a
/// decimal point or thousands separator after a digit.
fn card_starts(b: &[u8], i: usize) -> bool {
    match i {
        0 => true,
        1 => !is_alnum(b[0]),
        _ => {
            let before = b[i - 1];
            !(is_alnum(before) || matches!(before, b'.' | b',') && b[i - 2].is_ascii_digit())
        }
    }
}

/// Whether a card may end at `i` (mirroring [`card_starts`]).
fn card_ends(b: &[u8], i: usize) -> bool {
    match b.get(i) {
        None => true,
        Some(&after) => {
            !(is_alnum(after)
                || matches!(after, b'.' | b',') && b.get(i + 1).is_some_and(u8::is_ascii_digit))
        }
    }
}

/// The end of the longest card number that starts at the group at `i`.
fn card_from(b: &[u8], i: usize) -> Option<usize> {
    let mut digits = [0u8; 19];
    let mut count = 0;
    let mut best = None;
    let mut at = i;
    loop {
        let end = run(b, at, |c| c.is_ascii_digit());
        if count + (end - at) > 19 {
            return best;
        }
        for &d in &b[at..end] {
            digits[count] = d - b'0';
            count += 1;
        }
        if count >= 13 && card_ends(b, end) && luhn(&digits[..count]) {
            best = Some(end);
        }
        match b.get(end..end + 2) {
            Some([sep, digit]) if is_card_separator(*sep) && digit.is_ascii_digit() => {
                at = end + 1;
            }
            _ => return best,
        }
    }
}

/// The Luhn check: from the right, every second digit doubled (its digits
/// summed), the total a multiple of ten.
pub(crate) fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(k, &d)| {
            let d = u32::from(d);
            if k % 2 == 1 {
                let twice = d * 2;
                if twice > 9 {
                    twice - 9
                } else {
                    twice
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// Runs the user's shapes over `text`, appending what they find to
/// `found` (unordered across shapes). A shape that panics has the whole
/// text redacted under its name.
pub(crate) fn scan_custom(text: &str, shapes: &Shapes, found: &mut Vec<Found>) {
    for (name, shape) in &shapes.custom {
        let kind = SecretKind::Custom(name);
        let before = found.len();
        let search = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut from = 0;
            while from < text.len() {
                let Some(range) = shape.find(text, from) else {
                    break;
                };
                if range.start < from || range.start >= range.end || range.end > text.len() {
                    break;
                }
                let start = floor_char_boundary(text, range.start);
                let end = ceil_char_boundary(text, range.end);
                found.push(Found { start, end, kind });
                from = end;
            }
        }));
        if search.is_err() {
            found.truncate(before);
            found.push(Found {
                start: 0,
                end: text.len(),
                kind,
            });
        }
    }
}

/// Puts `found[from..]` in order of position and merges overlapping
/// matches: the one that starts first names the union (at the same place,
/// the kind first in [`SecretKind::BUILT_IN`], then the user's).
pub(crate) fn settle(found: &mut Vec<Found>, from: usize) {
    let tail = &mut found[from..];
    if tail.windows(2).all(|w| w[0].end <= w[1].start) {
        return;
    }
    tail.sort_unstable_by_key(|f| (f.start, f.kind.rank()));
    let mut kept = 0;
    for k in 1..tail.len() {
        let next = tail[k];
        if next.start < tail[kept].end {
            tail[kept].end = tail[kept].end.max(next.end);
        } else {
            kept += 1;
            tail[kept] = next;
        }
    }
    found.truncate(from + kept + 1);
}

/// How much of a text with markers was written, and how long it is.
pub(crate) struct Written {
    /// Bytes of the text as logged (markers in place of secrets) written.
    pub(crate) shown: usize,
    /// Bytes of the text as logged in all.
    pub(crate) whole: usize,
}

/// Appends `text` as the content of a JSON string (escaped, without
/// quotes) with each of `found` (settled) replaced by its marker: at most
/// `max` bytes of the text so made (as `json::write_escaped` bounds
/// text), and stopping before the buffer passes `out_limit`. A cut never
/// splits a character or a marker, and never shows part of a secret: the
/// secrets were replaced before the text was cut.
pub(crate) fn write_redacted(
    buf: &mut Vec<u8>,
    text: &str,
    found: &[Found],
    max: usize,
    out_limit: usize,
) -> Written {
    let whole = text.len() + found.iter().map(|f| f.kind.marker_len()).sum::<usize>()
        - found.iter().map(|f| f.end - f.start).sum::<usize>();
    let mut shown = 0;
    let mut at = 0;
    for f in found {
        let piece = &text[at..f.start];
        let taken = crate::json::write_escaped(buf, piece, max - shown, out_limit);
        shown += taken;
        if taken < piece.len() {
            return Written { shown, whole };
        }
        let marker = f.kind.marker_len();
        if shown + marker > max || buf.len() + marker > out_limit {
            return Written { shown, whole };
        }
        f.kind.push_marker(buf);
        shown += marker;
        at = f.end;
    }
    shown += crate::json::write_escaped(buf, &text[at..], max - shown, out_limit);
    Written { shown, whole }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Reports to `places` each place of `text` where a built-in shape other
/// than a card number may begin, and each window of thirteen digits,
/// spaces or dashes in a row (where a card number may be). The places are
/// bytes every such shape contains: `=` (of a `key=value` pair), `J` (of
/// `eyJ`), `-` followed by `-` (of `-----BEGIN`), and `I`, `b` or `B`
/// followed by `a`, `e`, `A` or `E` (`IA` of `AKIA` and `ASIA`, `Be` and
/// `Ba` of `Bearer` and `Basic`). In the text records are made of both are
/// rare, so the exact look costs next to nothing: this pass is the price,
/// sixteen bytes a step (thirty-two with AVX2).
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
        // Under eight bytes only a `key=value` pair fits: its `=` is
        // neither first nor last.
        for (p, &b) in text.iter().enumerate().take(n.saturating_sub(1)).skip(1) {
            if b == b'=' {
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
    vector::find_in_halves(head, tail, text.len(), places);
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (head, tail);
        find_bytewise(text, places);
    }
}

/// Whether `b` can be part of a card number's run.
fn is_card_byte(b: u8) -> bool {
    b.is_ascii_digit() || is_card_separator(b)
}

/// The shortest run that can hold a card number: 13 digits.
const CARD_RUN: usize = 13;

/// The windows of thirteen set bits in a row in `w`: bit `k` of the result
/// is set when bits `k` to `k + 12` of `w` all are.
#[inline(always)]
pub(crate) fn windows_of_13(w: u64) -> u64 {
    let mut x = w & w >> 1;
    x &= x >> 2;
    x &= x >> 4;
    x & x >> 5
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod vector {
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
    /// that are places (see [`find`](super::find)).
    #[inline(always)]
    pub(crate) unsafe fn places16(v: __m128i, next: __m128i) -> __m128i {
        let eq = |x: __m128i, c: u8| _mm_cmpeq_epi8(x, _mm_set1_epi8(c as i8));
        let single = _mm_or_si128(eq(v, b'='), eq(v, b'J'));
        let dashes = _mm_and_si128(eq(v, b'-'), eq(next, b'-'));
        // `I`, `b` or `B` (0x49, 0x42, 0x62), then `a`, `e`, `A` or `E`
        // (0x41, 0x45, 0x61, 0x65).
        let first = _mm_or_si128(
            eq(v, b'I'),
            eq(_mm_and_si128(v, _mm_set1_epi8(0xdfu8 as i8)), 0x42),
        );
        let second = eq(_mm_and_si128(next, _mm_set1_epi8(0xdbu8 as i8)), 0x41);
        _mm_or_si128(_mm_or_si128(single, dashes), _mm_and_si128(first, second))
    }

    /// The bits of the lanes of `v` that are digits, spaces or dashes.
    #[inline(always)]
    pub(crate) unsafe fn run16(v: __m128i) -> u32 {
        let above = _mm_sub_epi8(v, _mm_set1_epi8(b'0' as i8));
        let digit = _mm_cmpeq_epi8(_mm_min_epu8(above, _mm_set1_epi8(9)), above);
        let space = _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8));
        let dash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'-' as i8));
        _mm_movemask_epi8(_mm_or_si128(digit, _mm_or_si128(space, dash))) as u32
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
    unsafe fn with_avx2<const COPY: bool>(
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
        let mark = u64::from(_mm_movemask_epi8(places16(first, next)) as u32)
            | u64::from(_mm_movemask_epi8(places16(last, _mm_srli_si128(last, 1))) as u32) << shift;
        let runs = u64::from(run16(first)) | u64::from(run16(last)) << shift;
        if mark != 0 || runs != 0 && windows_of_13(runs) != 0 {
            report(mark, runs, places);
        }
        true
    }

    /// [`two16`] with AVX2: both blocks in one vector, looked at together.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn both16<const COPY: bool>(
        text: &[u8],
        dst: *mut u8,
        places: &mut impl Places,
    ) -> bool {
        let n = text.len();
        let load = |i: usize| _mm_loadu_si128(text.as_ptr().add(i).cast());
        let (first, last) = (load(0), load(n - 16));
        let next = if n > 16 {
            load(1)
        } else {
            _mm_srli_si128(first, 1)
        };
        let both = _mm256_inserti128_si256(_mm256_castsi128_si256(first), last, 1);
        let nexts =
            _mm256_inserti128_si256(_mm256_castsi128_si256(next), _mm_srli_si128(last, 1), 1);
        if COPY {
            if _mm256_movemask_epi8(escape32(both)) != 0 {
                return false;
            }
            _mm_storeu_si128(dst.cast(), first);
            _mm_storeu_si128(dst.add(n - 16).cast(), last);
        }
        // Lanes 16 on are the last block's, whose first byte is `n - 16`.
        let spread = |m: u32| u64::from(m & 0xffff) | u64::from(m >> 16) << (n - 16);
        let mark = spread(_mm256_movemask_epi8(places32(both, nexts)) as u32);
        let runs = spread(run32(both));
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
        let next_last = _mm256_alignr_epi8(_mm256_permute2x128_si256(last, last, 0x81), last, 1);
        if COPY {
            if _mm256_movemask_epi8(_mm256_or_si256(escape32(first), escape32(last))) != 0 {
                return false;
            }
            _mm256_storeu_si256(dst.cast(), first);
            _mm256_storeu_si256(dst.add(n - 32).cast(), last);
        }
        let shift = n - 32;
        let mark = u64::from(_mm256_movemask_epi8(places32(first, load(1))) as u32)
            | u64::from(_mm256_movemask_epi8(places32(last, next_last)) as u32) << shift;
        let runs = u64::from(run32(first)) | u64::from(run32(last)) << shift;
        if mark != 0 || windows_of_13(runs) != 0 {
            report(mark, runs, places);
        }
        true
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
            let found = places16(v, load(i + 1));
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
        let found = places16(v, _mm_srli_si128(v, 1));
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

    /// [`places16`] for 32 bytes.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn places32(v: __m256i, next: __m256i) -> __m256i {
        let eq = |x: __m256i, c: u8| _mm256_cmpeq_epi8(x, _mm256_set1_epi8(c as i8));
        let single = _mm256_or_si256(eq(v, b'='), eq(v, b'J'));
        let dashes = _mm256_and_si256(eq(v, b'-'), eq(next, b'-'));
        let first = _mm256_or_si256(
            eq(v, b'I'),
            eq(_mm256_and_si256(v, _mm256_set1_epi8(0xdfu8 as i8)), 0x42),
        );
        let second = eq(_mm256_and_si256(next, _mm256_set1_epi8(0xdbu8 as i8)), 0x41);
        _mm256_or_si256(
            _mm256_or_si256(single, dashes),
            _mm256_and_si256(first, second),
        )
    }

    /// [`escape16`] for 32 bytes.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn escape32(v: __m256i) -> __m256i {
        let eq = |c: u8| _mm256_cmpeq_epi8(v, _mm256_set1_epi8(c as i8));
        let low = _mm256_cmpgt_epi8(_mm256_set1_epi8(0x20), v);
        _mm256_or_si256(
            _mm256_or_si256(low, eq(b'"')),
            _mm256_or_si256(eq(b'\\'), eq(0x7f)),
        )
    }

    /// [`run16`] for 32 bytes.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn run32(v: __m256i) -> u32 {
        let eq = |c: u8| _mm256_cmpeq_epi8(v, _mm256_set1_epi8(c as i8));
        let above = _mm256_sub_epi8(v, _mm256_set1_epi8(b'0' as i8));
        let digit = _mm256_cmpeq_epi8(_mm256_min_epu8(above, _mm256_set1_epi8(9)), above);
        _mm256_movemask_epi8(_mm256_or_si256(digit, _mm256_or_si256(eq(b' '), eq(b'-')))) as u32
    }

    /// [`pass16`] thirty-two bytes a step, for at least 32 bytes.
    ///
    /// # Safety
    ///
    /// AVX2 is available; `text` is at least 32 bytes long; with `COPY`,
    /// `dst` is valid for as many bytes.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn pass32<const COPY: bool>(
        text: &[u8],
        dst: *mut u8,
        places: &mut impl Places,
    ) -> bool {
        let n = text.len();
        let load = |i: usize| _mm256_loadu_si256(text.as_ptr().add(i).cast());
        // Bits 0 to 31: the run bytes of the 32 bytes before `i` (for a
        // text of at most 64 bytes, of all bytes before `i`).
        let mut before = 0u64;
        let mut i = 0;
        while i + 33 <= n {
            let v = load(i);
            let found = places32(v, load(i + 1));
            if COPY {
                let escape = escape32(v);
                if _mm256_movemask_epi8(_mm256_or_si256(found, escape)) != 0 {
                    if _mm256_movemask_epi8(escape) != 0 {
                        return false;
                    }
                    each(_mm256_movemask_epi8(found) as u32, i, places);
                }
                _mm256_storeu_si256(dst.add(i).cast(), v);
            } else {
                let mark = _mm256_movemask_epi8(found) as u32;
                if mark != 0 {
                    each(mark, i, places);
                }
            }
            let here = u64::from(run32(v));
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
        // The last 32 bytes, overlapping the step before. The next byte of
        // each lane: the vector moved down a lane across its two halves.
        let fresh = n - i;
        let seen = 32 - fresh as u32;
        let v = load(n - 32);
        let next = _mm256_alignr_epi8(_mm256_permute2x128_si256(v, v, 0x81), v, 1);
        if COPY {
            if _mm256_movemask_epi8(escape32(v)) != 0 {
                return false;
            }
            _mm256_storeu_si256(dst.add(n - 32).cast(), v);
        }
        let mark = (_mm256_movemask_epi8(places32(v, next)) as u32) >> seen;
        if mark != 0 {
            each(mark, i, places);
        }
        if n <= 64 {
            let all = before | u64::from(run32(v)) << (n - 32);
            let windows = windows_of_13(all);
            if windows != 0 {
                each_run(all, windows, 0, places);
            }
        } else {
            let w = before | u64::from(run32(v) >> seen) << 32;
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
        find_in_halves(word(0), word(n - 8), n, places);
    }

    /// [`find`](super::find) for 8 to 15 bytes given as their first and
    /// last eight. Bytes 0 to 6 are read in the low half (whose last lane
    /// is followed by the high half's first, not the next byte), bytes 7
    /// on in the high half.
    #[inline(always)]
    pub(crate) fn find_in_halves(head: u64, tail: u64, n: usize, places: &mut impl Places) {
        // SAFETY: SSE2 is part of every x86_64 target.
        let (mark, runs) = unsafe {
            let v = _mm_set_epi64x(tail as i64, head as i64);
            let found = places16(v, _mm_srli_si128(v, 1));
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
}

/// [`find`] a byte at a time: the other targets' version and the vector
/// versions' reference.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn find_bytewise(text: &[u8], places: &mut impl Places) {
    let mut run = 0;
    for (p, &c) in text.iter().enumerate() {
        let next = text.get(p + 1).copied().unwrap_or(0);
        if c == b'='
            || c == b'J'
            || (c == b'-' && next == b'-')
            || ((c == b'I' || c & 0xdf == 0x42) && next & 0xdb == 0x41)
        {
            places.at(p);
        }
        run = if is_card_byte(c) { run + 1 } else { 0 };
        if run >= CARD_RUN {
            places.run(p + 1 - CARD_RUN);
        }
    }
}

/// `text` with the shapes found in it (the built-in ones under `policy`,
/// and the user's) replaced by their markers; borrowed when nothing was
/// found, or when finding shapes is off.
pub(crate) fn redact_text_in<'a>(text: &'a str, policy: &Policy, shapes: &Shapes) -> Cow<'a, str> {
    if !shapes.on {
        return Cow::Borrowed(text);
    }
    let mut found = Vec::new();
    scan(text, policy, &mut found);
    scan_custom(text, shapes, &mut found);
    if found.is_empty() {
        return Cow::Borrowed(text);
    }
    settle(&mut found, 0);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in &found {
        out.push_str(&text[at..f.start]);
        out.push_str(&f.kind.to_string());
        at = f.end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition the vector passes must agree with: each kind looked
    /// for at every byte where its match can begin, then overlaps merged.
    fn scan_everywhere(text: &str, policy: &Policy, found: &mut Vec<Found>) {
        let b = text.as_bytes();
        let mut kind = |f: &mut dyn FnMut(usize) -> Result<Found, usize>| {
            let mut i = 0;
            while i < b.len() {
                match f(i) {
                    Ok(hit) => {
                        found.push(hit);
                        i = hit.end.max(i + 1);
                    }
                    Err(next) => i = next.max(i + 1),
                }
            }
        };
        kind(&mut |i| jwt_at(b, i));
        kind(&mut |i| aws_at(b, i).ok_or(i + 1));
        kind(&mut |i| private_key_at(b, i).ok_or(i + 1));
        kind(&mut |i| match b[i] {
            b'b' | b'B' => credential_at(b, i).ok_or(i + 1),
            _ => Err(i + 1),
        });
        kind(&mut |i| match b[i] {
            b'=' => query_value_at(text, i, policy).ok_or(i + 1),
            _ => Err(i + 1),
        });
        // Cards overlap: each group of digits is looked at.
        for i in 0..b.len() {
            if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_digit()) {
                found.extend(card_at(b, i));
            }
        }
        settle(found, 0);
    }

    fn redact(text: &str) -> String {
        redact_text_in(text, &Policy::default(), &Shapes::DEFAULT).into_owned()
    }

    /// `text` redacted with one user shape besides the built-in ones.
    fn redact_with(text: &str, name: &'static str, shape: impl SecretShape) -> String {
        let shapes = Shapes {
            on: true,
            custom: vec![(name, Box::new(shape))],
        };
        redact_text_in(text, &Policy::default(), &shapes).into_owned()
    }

    const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

    #[test]
    fn a_jwt_is_replaced_and_the_words_around_it_stay() {
        assert_eq!(
            redact(&format!("token {JWT} expired")),
            "token [REDACTED:jwt] expired"
        );
        assert_eq!(redact(&format!("({JWT})")), "([REDACTED:jwt])");
        // Unsecured (empty signature) and encrypted (five segments).
        let none = "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.";
        assert_eq!(redact(&format!("{none} x")), "[REDACTED:jwt] x");
        let jwe = "eyJhbGciOiJSU0EtT0FFUCJ9.OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGe.48V1_ALb6US04U3b.5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A.XFBoMYUZodetZdvTiFvSkQ";
        assert_eq!(redact(&format!("jwe={jwe};")), "jwe=[REDACTED:jwt];");
    }

    #[test]
    fn what_only_resembles_a_jwt_stays() {
        for text in [
            "heyJude.mp3.bak",
            "eyJ.a.b",
            "eyJhbGciOiJIUzI1NiJ9 alone",
            "eyJhbGciOiJIUzI1NiJ9.x",
            "the eyJ prefix",
        ] {
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn a_bearer_or_basic_credential_keeps_its_scheme_word() {
        assert_eq!(
            redact("Authorization: Bearer mF_9.B5f-4.1JqM rejected"),
            "Authorization: Bearer [REDACTED:bearer] rejected"
        );
        assert_eq!(
            redact("bearer   a1b2c3d4e5f6"),
            "bearer   [REDACTED:bearer]"
        );
        // A JWT as the token is named for what it is.
        assert_eq!(redact(&format!("BEARER {JWT}")), "BEARER [REDACTED:jwt]");
        // "Aladdin:open sesame"
        assert_eq!(
            redact("Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==, retry"),
            "Authorization: Basic [REDACTED:basic], retry"
        );
        assert_eq!(redact("basic dTpw"), "basic [REDACTED:basic]");
    }

    #[test]
    fn the_words_bearer_and_basic_in_a_sentence_stay() {
        for text in [
            "the bearer of this letter",
            "Bearer responsibilities",
            "bearer well-being",
            "Basic information",
            "basic plan selected",
            "a basic authentication scheme",
            "Bearer abcdefghijkl",
            "Basic",
            "babble basically bearers",
        ] {
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn an_aws_access_key_id_is_replaced_on_word_boundaries() {
        assert_eq!(
            redact("key AKIAIOSFODNN7EXAMPLE, temp ASIAY34FZKBOKMUTVV7A."),
            "key [REDACTED:aws_access_key_id], temp [REDACTED:aws_access_key_id]."
        );
        assert_eq!(
            redact("id=AKIAIOSFODNN7EXAMPLE"),
            "id=[REDACTED:aws_access_key_id]"
        );
        for text in [
            "XAKIAIOSFODNN7EXAMPLE",
            "AKIAIOSFODNN7EXAMPLEX",
            "AKIAIOSFODNN7EXAMPL",
            "AKIAiosfodnn7example",
            "AGPAIOSFODNN7EXAMPLE",
        ] {
            assert_eq!(redact(text), text);
        }
    }

    const PEM: &str = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\nKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQ==\n-----END RSA PRIVATE KEY-----";

    #[test]
    fn a_private_key_is_replaced_through_its_end_line() {
        assert_eq!(
            redact(&format!("loaded {PEM}\nthen failed")),
            "loaded [REDACTED:private_key]\nthen failed"
        );
        let pkcs8 = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----";
        assert_eq!(redact(&format!("a{pkcs8}b")), "a[REDACTED:private_key]b");
    }

    #[test]
    fn a_private_key_without_its_end_line_is_replaced_to_the_end() {
        let cut = &PEM[..80];
        assert_eq!(
            redact(&format!("panicked at {cut}")),
            "panicked at [REDACTED:private_key]"
        );
        // Another block's END line does not end it.
        assert_eq!(
            redact("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END CERTIFICATE-----\nmore"),
            "[REDACTED:private_key]"
        );
    }

    #[test]
    fn public_pem_blocks_stay() {
        let cert = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----";
        assert_eq!(redact(cert), cert);
        let public = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----";
        assert_eq!(redact(public), public);
    }

    #[test]
    fn a_luhn_valid_card_number_is_replaced_however_it_is_grouped() {
        for card in [
            "4111111111111111",
            "4111 1111 1111 1111",
            "4111-1111-1111-1111",
            "378282246310005",
            "3782 822463 10005",
            "6011000990139424",
            "4222222222222",
            "6250941006528599",
            "4000 0566 5566 5556 122",
            "6304000000000000000",
            "5555-5555-5555-4444",
        ] {
            assert!(luhn(
                &card
                    .bytes()
                    .filter(u8::is_ascii_digit)
                    .map(|d| d - b'0')
                    .collect::<Vec<_>>()
            ));
            assert_eq!(
                redact(&format!("card {card}, declined")),
                "card [REDACTED:card_number], declined",
                "{card}"
            );
        }
        assert_eq!(
            redact("4111111111111111"),
            "[REDACTED:card_number]",
            "the whole text"
        );
        // Next to other numbers joined by the same separators.
        assert_eq!(
            redact("qty 12 4111 1111 1111 1111 ok"),
            "qty 12 [REDACTED:card_number] ok"
        );
        assert_eq!(redact("#4111111111111111."), "#[REDACTED:card_number].");
        // "14 4111 1111 1111" passes the Luhn check too, and ends inside
        // the card: both are covered.
        assert_eq!(
            redact("ref 14 4111 1111 1111 1111 ok"),
            "ref [REDACTED:card_number] ok"
        );
    }

    #[test]
    fn numbers_that_are_not_card_numbers_stay() {
        for text in [
            "4111111111111112",
            "4111 1111 1111 1112",
            "411111111111",
            "41111111111111111111",
            "x4111111111111111",
            "4111111111111111x",
            "3.4111111111111111",
            "4111111111111111.5",
            "4111  1111 1111 1111",
            "4111--1111-1111-1111",
            "2024-01-15 10:30:00.123456",
            "2026-11-27T18:40:00.123Z",
            "+44 20 7946 0958",
            "1,234,567,890,123,456",
            "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "550e8400-e29b-41d4-a716-446655440000",
        ] {
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn a_sensitive_query_or_form_value_is_replaced_and_its_key_kept() {
        assert_eq!(
            redact("/login?user=alice&password=hunter2&next=/home"),
            "/login?user=alice&password=[REDACTED:query_param]&next=/home"
        );
        assert_eq!(
            redact("client_secret=s3cr3t grant_type=client_credentials"),
            "client_secret=[REDACTED:query_param] grant_type=client_credentials"
        );
        assert_eq!(redact("x?API_KEY=abc"), "x?API_KEY=[REDACTED:query_param]");
        // A percent-encoded key is read decoded.
        assert_eq!(
            redact("api%5Fkey=abc&a=b"),
            "api%5Fkey=[REDACTED:query_param]&a=b"
        );
        assert_eq!(
            redact("user[password]=pw"),
            "user[password]=[REDACTED:query_param]"
        );
        for text in [
            "a=b&c=d",
            "session=[REDACTED]",
            "token=[REDACTED:jwt]&x=1",
            "password=",
            "password=&x=1",
            "=secret",
            "x = password=",
            "Root=1-6747a2f1-3c5e7a9b1d2f4e6a8c0b2d4f",
        ] {
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn a_term_added_at_run_time_is_a_sensitive_key() {
        let mut found = Vec::new();
        let policy = Policy::with_extra(["PIN".to_string()]);
        scan("pin=1234&user=bob", &policy, &mut found);
        assert_eq!(
            found,
            [Found {
                start: 4,
                end: 8,
                kind: SecretKind::QueryParam
            }]
        );
    }

    #[test]
    fn ordinary_text_stays_byte_for_byte() {
        for text in [
            "",
            "hello world",
            "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "order ORD-2024-000123 shipped",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15",
            "198.51.100.23, 130.176.212.17",
            "Invoice 2026-1187, October rent",
            "naïve café — ☃ 東京",
            "IBAN DE89 3704 0044 0532 0130 00",
        ] {
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn one_shape_never_hides_the_beginning_of_another() {
        // The value of a sensitive pair ends at the space inside a PEM
        // header (the block, starting at the same place, names the union),
        // and another ends inside a card number.
        assert_eq!(
            redact(&format!("private_key={PEM} done")),
            "private_key=[REDACTED:private_key] done"
        );
        assert_eq!(
            redact("token=#4111 1111 1111 1111 end"),
            "token=[REDACTED:query_param] end"
        );
        assert_eq!(
            redact("pin=1234 4111 1111 1111 1111 end"),
            "pin=1234 [REDACTED:card_number] end"
        );
    }

    #[test]
    fn several_secrets_in_one_text_are_all_replaced_in_order() {
        let text = format!("a AKIAIOSFODNN7EXAMPLE b {JWT} c 4111111111111111 d token=x e");
        assert_eq!(
            redact(&text),
            "a [REDACTED:aws_access_key_id] b [REDACTED:jwt] c [REDACTED:card_number] d token=[REDACTED:query_param] e"
        );
    }

    #[test]
    fn user_shapes_are_merged_with_the_built_in_ones() {
        let upper = |text: &str, from: usize| {
            let at = from + text[from..].find("SECRET")?;
            Some(at..at + 6)
        };
        assert_eq!(
            redact_with("a SECRET b token=SECRETx SECRET", "word", upper),
            "a [REDACTED:word] b token=[REDACTED:query_param] [REDACTED:word]"
        );
    }

    #[test]
    fn a_misbehaving_user_shape_cannot_loop_split_a_character_or_leak() {
        let again = |_: &str, _: usize| Some(0..1);
        assert_eq!(
            redact_with("éa", "odd", again),
            "[REDACTED:odd]a",
            "grown to whole characters, once"
        );
        let wide = |text: &str, _: usize| Some(1..text.len() + 5);
        assert_eq!(
            redact_with("abc", "odd", wide),
            "abc",
            "out of bounds: ignored"
        );
        let empty = |_: &str, from: usize| Some(from..from);
        assert_eq!(redact_with("abc", "odd", empty), "abc");
        let inside = |_: &str, from: usize| (from == 0).then_some(2..3);
        assert_eq!(redact_with("aé€", "odd", inside), "a[REDACTED:odd]€");
        let panics = |_: &str, _: usize| -> Option<Range<usize>> { panic!("shape bug") };
        let quiet = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let text = redact_with("anything", "odd", panics);
        std::panic::set_hook(quiet);
        assert_eq!(text, "[REDACTED:odd]", "a panic redacts the whole text");
    }

    #[test]
    fn nothing_is_found_when_finding_shapes_is_off() {
        let text = "key AKIAIOSFODNN7EXAMPLE";
        assert_eq!(redact_text_in(text, &Policy::default(), &Shapes::OFF), text);
    }

    #[test]
    fn overlapping_matches_merge_under_the_first() {
        let mut found = vec![
            Found {
                start: 5,
                end: 9,
                kind: SecretKind::Custom("b"),
            },
            Found {
                start: 0,
                end: 6,
                kind: SecretKind::Custom("a"),
            },
            Found {
                start: 12,
                end: 14,
                kind: SecretKind::Custom("c"),
            },
        ];
        settle(&mut found, 0);
        assert_eq!(
            found,
            [
                Found {
                    start: 0,
                    end: 9,
                    kind: SecretKind::Custom("a")
                },
                Found {
                    start: 12,
                    end: 14,
                    kind: SecretKind::Custom("c")
                }
            ]
        );
    }

    #[test]
    fn kind_names_make_plain_markers() {
        for kind in SecretKind::BUILT_IN {
            assert!(is_valid_kind_name(kind.name()), "{kind:?}");
            let mut marker = Vec::new();
            kind.push_marker(&mut marker);
            assert_eq!(marker, kind.to_string().as_bytes());
            assert_eq!(marker.len(), kind.marker_len());
        }
        assert!(!is_valid_kind_name(""));
        assert!(!is_valid_kind_name("Employee"));
        assert!(!is_valid_kind_name("a]b"));
        assert!(!is_valid_kind_name(&"x".repeat(33)));
    }

    /// A small deterministic generator (xorshift), so the tests need no
    /// dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// What a pass reported.
    #[derive(Default)]
    struct Reported {
        at: Vec<usize>,
        windows: Vec<usize>,
    }

    impl Places for Reported {
        fn at(&mut self, p: usize) {
            self.at.push(p);
        }
        fn run(&mut self, window: usize) {
            self.windows.push(window);
        }
    }

    impl Reported {
        /// The runs around the windows reported.
        fn runs(&self, text: &str) -> std::collections::BTreeSet<(usize, usize)> {
            let b = text.as_bytes();
            self.windows
                .iter()
                .map(|&w| {
                    assert!(b[w..w + CARD_RUN].iter().all(|&c| is_card_byte(c)));
                    let mut start = w;
                    while start > 0 && is_card_byte(b[start - 1]) {
                        start -= 1;
                    }
                    (start, run(b, w, is_card_byte))
                })
                .collect()
        }
    }

    #[test]
    fn the_vector_passes_find_what_looking_everywhere_finds() {
        let pieces = [
            JWT,
            "Bearer a1b2c3d4e5f6",
            "basic dTpw",
            "AKIAIOSFODNN7EXAMPLE",
            "ASIAY34FZKBOKMUTVV7A",
            PEM,
            "4111111111111111",
            "4111 1111 1111 1111",
            "378282246310005",
            "4222222222222",
            "token=x",
            "a",
            " ",
            "-",
            "=",
            "J",
            "I",
            "A",
            "b",
            "e",
            "7",
            "12",
            "é",
            "\u{2028}",
            "0123456789",
            "hello",
            "uuid c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "password=",
            "eyJhbGciOiJIUzI1NiJ9",
            ".",
            "Basic ",
            "bearer ",
            "&",
            "\n",
            "-----BEGIN EC PRIVATE KEY-----",
            "IA",
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let (mut fast, mut everywhere) = (Vec::new(), Vec::new());
        let mut shapes = 0;
        for _ in 0..30_000 {
            let mut text = String::new();
            for _ in 0..rng.below(10) {
                text.push_str(pieces[rng.below(pieces.len())]);
            }
            // Every length around the block size, from every offset.
            let cut = rng.below(text.len() + 1);
            let text = &text[floor_char_boundary(&text, cut)..];
            fast.clear();
            everywhere.clear();
            scan(text, &Policy::default(), &mut fast);
            scan_everywhere(text, &Policy::default(), &mut everywhere);
            assert_eq!(fast, everywhere, "{text:?}");
            shapes += usize::from(!fast.is_empty());
            // The places and runs reported are those of the definition
            // (under eight bytes, only a `key=value` pair fits, whose `=` is
            // neither first nor last).
            let (mut vector, mut defined) = (Reported::default(), Reported::default());
            find(text.as_bytes(), &mut vector);
            find_bytewise(text.as_bytes(), &mut defined);
            if text.len() < 8 {
                defined
                    .at
                    .retain(|&p| text.as_bytes()[p] == b'=' && p > 0 && p + 1 < text.len());
            }
            assert_eq!(vector.at, defined.at, "{text:?}");
            assert_eq!(vector.runs(text), defined.runs(text), "{text:?}");
            // Sixteen bytes a step, also where thirty-two would be taken.
            #[cfg(target_arch = "x86_64")]
            if text.len() >= 16 {
                let mut narrow = Reported::default();
                // SAFETY: at least 16 bytes, nothing copied.
                unsafe {
                    vector::pass16::<false>(text.as_bytes(), std::ptr::null_mut(), &mut narrow)
                };
                assert_eq!(narrow.at, defined.at, "{text:?}");
                assert_eq!(narrow.runs(text), defined.runs(text), "{text:?}");
            }
            // The copying pass reports the same, and copies.
            if text.len() >= 16
                && !text
                    .bytes()
                    .any(|b| !(0x20..0x7f).contains(&b) || b == b'"' || b == b'\\')
            {
                let mut copied = Reported::default();
                let mut out = vec![std::mem::MaybeUninit::new(0u8); text.len()];
                assert!(copy_finding(&mut out, text.as_bytes(), &mut copied));
                let out: Vec<u8> = out.iter().map(|b| unsafe { b.assume_init() }).collect();
                assert_eq!(out, text.as_bytes());
                assert_eq!(copied.at, vector.at, "{text:?}");
                assert_eq!(copied.runs(text), vector.runs(text), "{text:?}");
            }
        }
        assert!(shapes > 3_000, "the sample has shapes: {shapes}");
    }

    #[test]
    fn ordinary_text_gives_the_passes_nothing_to_look_at() {
        for text in [
            "application/json",
            "gzip, deflate, br",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko)",
            "198.51.100.23, 130.176.212.17",
            "/v1/accounts/acc-7731-0042/transfers",
            "transfers.write accounts.read",
            "c0ffee00-1234-4abc-9def-0123456789ab",
            "2026-11-27T18:40:00.123Z",
            "short",
            "POST",
            "Invoice 2026-1187, March rent",
        ] {
            let mut reported = Reported::default();
            find(text.as_bytes(), &mut reported);
            assert!(
                reported.at.is_empty() && reported.windows.is_empty(),
                "{text}"
            );
        }
    }

    #[test]
    fn scanning_is_linear_on_hostile_text() {
        // Each of these would make a naive scanner read the text again
        // from every candidate position. A card number is looked for from
        // each group of digits, over at most 37 bytes.
        let n = 100_000;
        let texts = [
            "eyJ-".repeat(n / 4),
            "eyJhbGciOiJIUzI1NiJ9.".repeat(n / 21),
            "1 ".repeat(n / 2),
            "1-".repeat(n / 2),
            "-----BEGIN PRIVATE KEY-----".repeat(n / 27),
            format!("-----BEGIN PRIVATE KEY-----{}", "-----END ".repeat(n / 9)),
            format!("{}=", "a".repeat(n)),
            "a=".repeat(n / 2),
            "Bearer ".repeat(n / 7),
            format!("Basic {}", "QUJD".repeat(n / 4)),
            "AKIA".repeat(n / 4),
            format!("{JWT} ").repeat(n / JWT.len()),
        ];
        for text in &texts {
            READ.with(|r| r.set(0));
            let mut found = Vec::new();
            // Every key holding an `a` is sensitive.
            scan(text, &Policy::with_extra(["a".to_string()]), &mut found);
            let read = READ.with(|r| r.get());
            assert!(
                read <= 40 * text.len(),
                "{read} bytes read for {} in {:?}…",
                text.len(),
                &text[..24]
            );
        }
    }
}
