//! The default sensitive-key policy.
//!
//! Wherever data reaches a record without a `#[derive(Redact)]` type to say
//! how (a `serde_json::Value`, a map, a `Serialize`-only argument, a
//! `#[redact(serialize)]` field, headers, query strings), every member whose
//! key looks sensitive is logged as `"[REDACTED]"`.
//!
//! A key is sensitive when, with case, `-`, `_`, `.` and spaces ignored, it
//! *contains* one of the terms of [`DEFAULT_SENSITIVE_KEYS`] or one added with
//! [`Builder::sensitive_key`](crate::Builder::sensitive_key). Containment
//! rather than equality is deliberate: `x-api-key`, `access_token`,
//! `client_secret` and `Set-Cookie` are all caught, at the price of also
//! redacting an innocent `token_count`. For a security log that is the right
//! way to be wrong.

use std::cell::Cell;

/// The terms of the default sensitive-key policy, in normalised form
/// (lower case, without `-`, `_`, `.` or spaces).
///
/// ```
/// assert!(seclog::DEFAULT_SENSITIVE_KEYS.contains(&"password"));
/// assert!(seclog::is_sensitive_key("X-Api-Key"));
/// assert!(seclog::is_sensitive_key("refresh_token"));
/// assert!(!seclog::is_sensitive_key("username"));
/// ```
pub const DEFAULT_SENSITIVE_KEYS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "pwd",
    "secret",
    "token",
    "apikey",
    "authorization",
    "cookie",
    "session",
    "credential",
    "privatekey",
    "cardnumber",
    "cvv",
    "cvc",
    "ssn",
    "signature",
    "accesskey",
    "accountkey",
    "subscriptionkey",
    "functionskey",
    "encryptionkey",
    "signingkey",
    "masterkey",
    "clientkey",
    "tlskey",
    "hmackey",
    "jwtkey",
    "appkey",
    "authkey",
    "writekey",
    "licensekey",
    "pepper",
    "codeverifier",
    "pkce",
    "cipherkey",
    "aeskey",
    "applicationkey",
    "challengeanswer",
    "privatechallenge",
    "securityanswer",
    "verificationcode",
    "mfacode",
    "otpcode",
    "totp",
];

/// The length of the shortest of [`DEFAULT_SENSITIVE_KEYS`].
const DEFAULT_MIN_TERM_LEN: usize = {
    let mut min = usize::MAX;
    let mut i = 0;
    while i < DEFAULT_SENSITIVE_KEYS.len() {
        if DEFAULT_SENSITIVE_KEYS[i].len() < min {
            min = DEFAULT_SENSITIVE_KEYS[i].len();
        }
        i += 1;
    }
    min
};

/// A set of sensitive-key terms: the defaults plus any the user added.
#[derive(Debug, Clone, Default)]
pub(crate) struct Policy {
    /// Extra terms, already normalised.
    extra: Vec<Box<str>>,
}

impl Policy {
    pub(crate) fn with_extra<I: IntoIterator<Item = String>>(terms: I) -> Self {
        let mut extra = Vec::new();
        for t in terms {
            let mut n = String::with_capacity(t.len());
            for c in t.chars().filter(|c| !is_ignored(*c)) {
                n.extend(c.to_lowercase());
            }
            if !n.is_empty() {
                extra.push(n.into_boxed_str());
            }
        }
        Policy { extra }
    }

    /// Whether terms were added to the defaults (with
    /// [`Builder::sensitive_key`](crate::Builder::sensitive_key) or
    /// `SECLOG_SENSITIVE_KEYS`).
    #[inline]
    pub(crate) fn has_added_terms(&self) -> bool {
        !self.extra.is_empty()
    }

    /// The length of the shortest term: a shorter key holds none.
    #[inline]
    pub(crate) fn min_term_len(&self) -> usize {
        self.extra
            .iter()
            .map(|t| t.len())
            .fold(DEFAULT_MIN_TERM_LEN, usize::min)
    }

    /// Whether a member named `key` must be redacted.
    pub(crate) fn is_sensitive(&self, key: &str) -> bool {
        // On the hot path for every key of untyped data, which repeats from
        // one invocation to the next: under the default terms, a verdict
        // is remembered per thread for short keys.
        if self.extra.is_empty() {
            return remembered_verdict(key, || self.search(key), None::<fn() -> bool>).sensitive;
        }
        self.search(key)
    }

    /// What to make of a key of data: whether its member is redacted (as
    /// [`is_sensitive`](Self::is_sensitive)), and whether the key itself
    /// holds a secret's shape (asked of `holds_shape`, which looks for the
    /// built-in shapes). Under the default terms both verdicts on a short
    /// key are remembered together, so keys that repeat from one
    /// invocation to the next (header names, field names of JSON bodies)
    /// are looked at once.
    #[inline]
    pub(crate) fn judge_key(&self, key: &str, holds_shape: impl FnOnce() -> bool) -> KeyVerdict {
        if self.extra.is_empty() {
            return remembered_verdict(key, || self.search(key), Some(holds_shape));
        }
        KeyVerdict {
            sensitive: self.search(key),
            shaped: holds_shape(),
        }
    }

    /// [`is_sensitive`](Self::is_sensitive) for a key that is a static
    /// string, such as a struct's field name: its verdict is remembered
    /// per thread by the string's address, a few instructions a look.
    /// Exact: a `&'static str`'s text never changes and its address is
    /// never reused, and neither is the address of a `&'static Policy` (a
    /// configuration lives as long as the process), so the entry names
    /// its policy too; policies of the default terms alone share entries.
    #[inline]
    pub(crate) fn is_sensitive_static(&'static self, key: &'static str) -> bool {
        let policy = if self.extra.is_empty() {
            0
        } else {
            self as *const Policy as usize
        };
        let (ptr, len) = (key.as_ptr() as usize, key.len());
        // Two ways a set: keys sharing a set by chance both stay.
        let set = ((ptr as u64 ^ len as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 56) as usize
            * STATIC_WAYS
            % STATIC_SLOTS;
        let is =
            |e: &StaticSeen| e.ptr.get() == ptr && e.len.get() == len && e.policy.get() == policy;
        let hit = STATIC_SEEN.try_with(|seen| {
            seen[set..set + STATIC_WAYS]
                .iter()
                .find(|e| is(e))
                .map(|e| e.sensitive.get())
        });
        if let Ok(Some(sensitive)) = hit {
            return sensitive;
        }
        let sensitive = self.is_sensitive(key);
        let _ = STATIC_SEEN.try_with(|seen| {
            // The newest first: the older makes way.
            let (newer, older) = (&seen[set], &seen[set + 1]);
            older.ptr.set(newer.ptr.get());
            older.len.set(newer.len.get());
            older.policy.set(newer.policy.get());
            older.sensitive.set(newer.sensitive.get());
            newer.ptr.set(ptr);
            newer.len.set(len);
            newer.policy.set(policy);
            newer.sensitive.set(sensitive);
        });
        sensitive
    }

    /// The key of a quoted `"key":` in `text` whose closing quote is at
    /// `end`: where it begins (after the quote before `end`), and whether
    /// it is sensitive as [`is_sensitive`](Self::is_sensitive) has it
    /// (without its memory of verdicts: keys read out of text seldom
    /// repeat); `None` when no quote comes before. Under the default terms
    /// the key is judged as it is read back, each byte once.
    pub(crate) fn quoted_key_before(&self, text: &str, end: usize) -> Option<(usize, bool)> {
        let b = text.as_bytes();
        let mut k = end;
        if self.extra.is_empty() {
            let terms = &DEFAULT_TERMS_REVERSED;
            let (mut s, mut all, mut held) = (0u16, 0u8, false);
            while k > 0 && b[k - 1] != b'"' {
                let c = b[k - 1];
                all |= c;
                s = terms.next[s as usize % MAX_STATES]
                    [terms.class[c as usize] as usize % MAX_CLASSES];
                held |= terms.accept[s as usize % MAX_STATES];
                k -= 1;
            }
            if k == 0 {
                return None;
            }
            // A key outside ASCII is normalised to be judged.
            if held || all.is_ascii() {
                return Some((k, held || is_short_secret_name(&b[k..end])));
            }
        } else {
            k = b[..end].iter().rposition(|&c| c == b'"')? + 1;
        }
        // Between two ASCII quotes: a slice of whole characters.
        Some((k, self.search(text.get(k..end)?)))
    }

    fn search(&self, key: &str) -> bool {
        if is_short_secret_name(key.as_bytes()) {
            return true;
        }
        if self.extra.is_empty() {
            if let Some(verdict) = DEFAULT_TERMS.matches(key.as_bytes()) {
                return verdict;
            }
            // Else not ASCII and no term among its ASCII bytes: normalised
            // below, where a character may lower-case to ASCII.
        }
        let mut stack = [0u8; 96];
        let mut heap;
        let norm: &[u8] = if key.len() <= stack.len() && key.is_ascii() {
            let mut n = 0;
            for b in key.bytes() {
                if !is_ignored(b as char) {
                    stack[n] = b.to_ascii_lowercase();
                    n += 1;
                }
            }
            &stack[..n]
        } else {
            heap = String::with_capacity(key.len());
            for c in key.chars().filter(|c| !is_ignored(*c)) {
                heap.extend(c.to_lowercase());
            }
            heap.as_bytes()
        };
        DEFAULT_SENSITIVE_KEYS
            .iter()
            .any(|t| contains(norm, t.as_bytes()))
            || self.extra.iter().any(|t| contains(norm, t.as_bytes()))
    }
}

/// [`DEFAULT_SENSITIVE_KEYS`] as an Aho-Corasick automaton over ASCII,
/// built at compile time: one table step per byte of the key, with case and
/// the ignored separators folded into the table, finds whether any term
/// occurs in the normalised key exactly as the normalising search does.
static DEFAULT_TERMS: Terms = Terms::build(DEFAULT_SENSITIVE_KEYS, false);

/// [`DEFAULT_TERMS`] for keys read backwards: each term reversed, so that
/// a key read from its end finds a term where the key read forwards would.
static DEFAULT_TERMS_REVERSED: Terms = Terms::build(DEFAULT_SENSITIVE_KEYS, true);

/// A power of two: a state read from the table, masked by it, needs no
/// bounds check.
const MAX_STATES: usize = 512;
const MAX_CLASSES: usize = 32;
/// Byte class of a byte no term contains: back to the start.
const OTHER: u8 = 0;
/// Byte class of an ignored separator: no move.
const IGNORED: u8 = 1;

struct Terms {
    /// Byte → class: `OTHER`, `IGNORED`, or one per byte used by the terms
    /// (upper- and lower-case letters alike).
    class: [u8; 256],
    /// State → class → state.
    next: [[u16; MAX_CLASSES]; MAX_STATES],
    /// A term ends in this state (or in one of its suffixes).
    accept: [bool; MAX_STATES],
}

impl Terms {
    const fn build(terms: &[&str], reversed: bool) -> Terms {
        let mut class = [OTHER; 256];
        class[b'-' as usize] = IGNORED;
        class[b'_' as usize] = IGNORED;
        class[b'.' as usize] = IGNORED;
        class[b' ' as usize] = IGNORED;
        let mut classes = 2;
        // The trie: `child[s][c]` is 0 where there is no child (the root is
        // nobody's child).
        let mut child = [[0u16; MAX_CLASSES]; MAX_STATES];
        let mut accept = [false; MAX_STATES];
        let mut states = 1;
        let mut t = 0;
        while t < terms.len() {
            let term = terms[t].as_bytes();
            let mut s = 0;
            let mut i = 0;
            while i < term.len() {
                let b = if reversed {
                    term[term.len() - 1 - i]
                } else {
                    term[i]
                };
                assert!(
                    b.is_ascii() && !b.is_ascii_uppercase() && class[b as usize] != IGNORED,
                    "terms are normalised"
                );
                if class[b as usize] == OTHER {
                    assert!(classes < MAX_CLASSES, "raise MAX_CLASSES");
                    class[b as usize] = classes as u8;
                    class[b.to_ascii_uppercase() as usize] = classes as u8;
                    classes += 1;
                }
                let c = class[b as usize] as usize;
                if child[s][c] == 0 {
                    assert!(states < MAX_STATES, "raise MAX_STATES");
                    child[s][c] = states as u16;
                    states += 1;
                }
                s = child[s][c] as usize;
                i += 1;
            }
            accept[s] = true;
            t += 1;
        }
        // Breadth first, each state's moves complete the trie's with those
        // of its longest proper suffix that is also a trie state (`fail`).
        let mut next = [[0u16; MAX_CLASSES]; MAX_STATES];
        let mut fail = [0u16; MAX_STATES];
        let mut queue = [0u16; MAX_STATES];
        let (mut head, mut tail) = (0, 0);
        let mut c = 2;
        while c < classes {
            next[0][c] = child[0][c];
            if child[0][c] != 0 {
                queue[tail] = child[0][c];
                tail += 1;
            }
            c += 1;
        }
        next[0][IGNORED as usize] = 0;
        while head < tail {
            let s = queue[head] as usize;
            head += 1;
            let f = fail[s] as usize;
            accept[s] = accept[s] || accept[f];
            next[s][IGNORED as usize] = s as u16;
            let mut c = 2;
            while c < classes {
                let t = child[s][c];
                if t != 0 {
                    fail[t as usize] = next[f][c];
                    next[s][c] = t;
                    queue[tail] = t;
                    tail += 1;
                } else {
                    next[s][c] = next[f][c];
                }
                c += 1;
            }
        }
        Terms {
            class,
            next,
            accept,
        }
    }

    /// Whether `key` contains a term once normalised: `Some` when it
    /// does, or when it is ASCII (whose every byte the table knows), else
    /// `None`. A term found among ASCII bytes is one in the normalised key
    /// too (a byte outside ASCII only begins the look again).
    #[inline]
    fn matches(&self, key: &[u8]) -> Option<bool> {
        let mut s = 0u16;
        let mut all = 0u8;
        for &b in key {
            all |= b;
            // Both indices in range by the masks: no bounds checks.
            let class = self.class[b as usize] as usize % MAX_CLASSES;
            s = self.next[s as usize % MAX_STATES][class];
            if self.accept[s as usize % MAX_STATES] {
                return Some(true);
            }
        }
        all.is_ascii().then_some(false)
    }
}

/// A key of at most 32 bytes as four words that, with its length, are the
/// key: overlapping reads cover every byte.
#[inline(always)]
fn key_words(key: &[u8]) -> Option<[u64; 4]> {
    let n = key.len();
    let word = |i: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&key[i..i + 8]);
        u64::from_le_bytes(w)
    };
    Some(match n {
        0 => [0; 4],
        1..=3 => [
            u64::from(key[0]) | u64::from(key[n / 2]) << 8 | u64::from(key[n - 1]) << 16,
            0,
            0,
            0,
        ],
        4..=7 => {
            let head = u32::from_le_bytes([key[0], key[1], key[2], key[3]]);
            let tail = u32::from_le_bytes([key[n - 4], key[n - 3], key[n - 2], key[n - 1]]);
            [u64::from(head) | u64::from(tail) << 32, 0, 0, 0]
        }
        8..=32 => [
            word(0),
            word(8.min(n - 8)),
            word(16.min(n - 8)),
            word(n - 8),
        ],
        _ => return None,
    })
}

/// A remembered verdict: `len` is the key's length plus one (0: empty).
/// Fields are cells of their own, so a look reads them in place.
struct Seen {
    words: [Cell<u64>; 4],
    len: Cell<u8>,
    sensitive: Cell<bool>,
    /// Whether the key holds a built-in shape: [`UNKNOWN`] until asked.
    shaped: Cell<u8>,
}

/// [`Seen::shaped`] before anyone asked.
const UNKNOWN: u8 = 2;

impl Seen {
    const fn empty() -> Seen {
        Seen {
            words: [const { Cell::new(0) }; 4],
            len: Cell::new(0),
            sensitive: Cell::new(false),
            shaped: Cell::new(UNKNOWN),
        }
    }

    #[inline]
    fn is(&self, words: &[u64; 4], len: u8) -> bool {
        self.len.get() == len && (0..4).all(|i| self.words[i].get() == words[i])
    }

    fn set(&self, words: [u64; 4], len: u8, sensitive: bool, shaped: u8) {
        for (cell, word) in self.words.iter().zip(words) {
            cell.set(word);
        }
        self.len.set(len);
        self.sensitive.set(sensitive);
        self.shaped.set(shaped);
    }
}

/// Four slots per hash value, 512 in all (20 KiB per thread).
const SEEN_SLOTS: usize = 512;
const SEEN_WAYS: usize = 4;

thread_local! {
    /// Verdicts of the default terms for short keys seen on this thread, by
    /// content, in a fixed table (a new key takes the place of the oldest of
    /// the four in its slots): nothing allocates, and a wrong verdict is
    /// impossible since a hit compares the whole key.
    static SEEN: [Seen; SEEN_SLOTS] = const { [const { Seen::empty() }; SEEN_SLOTS] };
}

/// A verdict on a static key: its address and length, and its policy (0
/// for the default terms alone). A null address is never a key's, so an
/// empty entry matches nothing.
struct StaticSeen {
    ptr: Cell<usize>,
    len: Cell<usize>,
    policy: Cell<usize>,
    sensitive: Cell<bool>,
}

/// Two entries a set, 512 in all (16 KiB per thread).
const STATIC_SLOTS: usize = 512;
const STATIC_WAYS: usize = 2;

thread_local! {
    static STATIC_SEEN: [StaticSeen; STATIC_SLOTS] = const {
        [const {
            StaticSeen {
                ptr: Cell::new(0),
                len: Cell::new(0),
                policy: Cell::new(0),
                sensitive: Cell::new(false),
            }
        }; STATIC_SLOTS]
    };
}

/// What a key of data is judged to be: see [`Policy::judge_key`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct KeyVerdict {
    /// Its member is redacted.
    pub(crate) sensitive: bool,
    /// The key itself holds a secret's shape.
    pub(crate) shaped: bool,
}

/// The default terms' verdict on `key`, remembered or found by `search`,
/// and, when `holds_shape` is given, whether the key holds a built-in
/// shape, remembered or found by it (`shaped` is `false` when not asked).
#[inline]
fn remembered_verdict(
    key: &str,
    search: impl FnOnce() -> bool,
    holds_shape: Option<impl FnOnce() -> bool>,
) -> KeyVerdict {
    let Some(words) = key_words(key.as_bytes()) else {
        return KeyVerdict {
            sensitive: search(),
            shaped: holds_shape.is_some_and(|f| f()),
        };
    };
    let len = key.len() as u8 + 1;
    let mix = words[0]
        ^ words[1].rotate_left(16)
        ^ words[2].rotate_left(32)
        ^ words[3].rotate_left(48)
        ^ u64::from(len);
    let first = (mix.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 57) as usize * SEEN_WAYS % SEEN_SLOTS;
    let hit = SEEN.try_with(|seen| {
        seen[first..first + SEEN_WAYS]
            .iter()
            .position(|e| e.is(&words, len))
            .map(|way| {
                let e = &seen[first + way];
                (first + way, e.sensitive.get(), e.shaped.get())
            })
    });
    if let Ok(Some((at, sensitive, shaped))) = hit {
        let shaped = match holds_shape {
            Some(f) if shaped == UNKNOWN => {
                let found = u8::from(f());
                let _ = SEEN.try_with(|seen| seen[at].shaped.set(found));
                found
            }
            _ => shaped,
        };
        return KeyVerdict {
            sensitive,
            shaped: shaped == 1,
        };
    }
    let sensitive = search();
    let shaped = holds_shape.map_or(UNKNOWN, |f| u8::from(f()));
    let _ = SEEN.try_with(|seen| {
        // The newest first: the oldest makes way.
        for way in (first + 1..first + SEEN_WAYS).rev() {
            let older = &seen[way - 1];
            seen[way].set(
                older.words.each_ref().map(Cell::get),
                older.len.get(),
                older.sensitive.get(),
                older.shaped.get(),
            );
        }
        seen[first].set(words, len, sensitive, shaped);
    });
    KeyVerdict {
        sensitive,
        shaped: shaped == 1,
    }
}

/// Short names of secrets, which are no terms: contained anywhere they
/// would take `author`, `design` or `passenger` for secrets. `auth` and
/// `sig` count as the whole key (case and `-`, `_`, `.` or spaces before
/// it aside: npm's `_auth`, Docker's `"auth"`, an Azure SAS URL's `sig=`),
/// `pass` also as the key's last word (`DB_PASS`, `smtp-pass`, `dbPass`).
pub const SHORT_SECRET_NAMES: &[&str] = &["auth", "sig", "pass"];

/// Whether `key` is one of [`SHORT_SECRET_NAMES`] as they count: on the
/// path of every key read out of text, so most keys are refused by their
/// last bytes, case folded, without a call.
#[inline(always)]
pub(crate) fn is_short_secret_name(key: &[u8]) -> bool {
    // Setting bit 5 folds an ASCII letter's case and maps no other byte to
    // a lower-case letter but the upper-case one.
    let n = key.len();
    let last = match key.last_chunk::<4>() {
        Some(last) => u32::from_le_bytes(*last),
        None if n == 3 => u32::from_le_bytes([0, key[0], key[1], key[2]]),
        None => return false,
    };
    let w = last | 0x2020_2020;
    (w == u32::from_le_bytes(*b"pass")
        || w == u32::from_le_bytes(*b"auth")
        || w & !0xff == u32::from_le_bytes(*b"\0sig"))
        && is_short_secret_name_slowly(key)
}

#[inline(never)]
#[cold]
fn is_short_secret_name_slowly(key: &[u8]) -> bool {
    let start = key.iter().take_while(|&&c| is_ignored(c as char)).count();
    let key = &key[start..];
    let n = key.len();
    if n > 4 + 64 {
        return false;
    }
    if SHORT_SECRET_NAMES
        .iter()
        .any(|name| key.eq_ignore_ascii_case(name.as_bytes()))
    {
        return true;
    }
    // `pass` as the last word: after a separator, or capitalised after a
    // lower-case letter.
    n > 4
        && key[n - 4..].eq_ignore_ascii_case(b"pass")
        && (is_ignored(key[n - 5] as char) || key[n - 5].is_ascii_lowercase() && key[n - 4] == b'P')
}

/// Whether `key` names a private member of a JSON Web Key (RFC 7518):
/// `d` of an EC or OKP key, `d`, `p`, `q`, `dp`, `dq` and `qi` of an RSA
/// key, `k` of a symmetric one. Secret only in an object that is a key
/// (one with a `kty` member): elsewhere `d` or `k` name anything.
pub(crate) fn is_jwk_private_member(key: &[u8]) -> bool {
    matches!(key, b"d" | b"p" | b"q" | b"dp" | b"dq" | b"qi" | b"k")
}

fn is_ignored(c: char) -> bool {
    matches!(c, '-' | '_' | '.' | ' ')
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.len() <= hay.len() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Whether the default policy treats a member named `key` as sensitive.
///
/// ```
/// assert!(seclog::is_sensitive_key("Authorization"));
/// assert!(seclog::is_sensitive_key("card_number"));
/// assert!(!seclog::is_sensitive_key("amount"));
/// ```
pub fn is_sensitive_key(key: &str) -> bool {
    Policy::default().is_sensitive(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition: normalise, then look for each term.
    fn by_definition(key: &str) -> bool {
        let norm: String = key
            .chars()
            .filter(|c| !is_ignored(*c))
            .flat_map(char::to_lowercase)
            .collect();
        DEFAULT_SENSITIVE_KEYS.iter().any(|t| norm.contains(t))
            || SHORT_SECRET_NAMES.iter().any(|n| {
                key.trim_start_matches(['-', '_', '.', ' '])
                    .eq_ignore_ascii_case(n)
            })
            || {
                // `pass` as the last word: after a separator, or
                // capitalised after a lower-case letter.
                let words: Vec<&str> = key.split(['-', '_', '.', ' ']).collect();
                let last = words.last().copied().unwrap_or("");
                let camel = last.len() > 4
                    && last.ends_with("Pass")
                    && last[..last.len() - 4].ends_with(|c: char| c.is_ascii_lowercase());
                words.len() > 1 && last.eq_ignore_ascii_case("pass") || camel
            }
    }

    #[test]
    fn a_remembered_verdict_belongs_to_one_key() {
        // The words stand for the key: changing any byte changes them.
        for n in 0..=32 {
            let key: Vec<u8> = (0..n as u8).map(|i| b'a' + i % 26).collect();
            for i in 0..n {
                let mut other = key.clone();
                other[i] = b'Z';
                assert_ne!(key_words(&key), key_words(&other), "length {n}, byte {i}");
            }
        }
        assert_eq!(key_words(&[b'a'; 33]), None);
        // Keys sharing a slot by chance still get their own verdicts.
        let p = Policy::default();
        for round in 0..3 {
            for i in 0..2000 {
                let key = if i % 7 == 0 {
                    format!("k{i}_token")
                } else {
                    format!("k{i}_name")
                };
                assert_eq!(p.is_sensitive(&key), i % 7 == 0, "{key} in round {round}");
            }
        }
    }

    #[test]
    fn a_key_is_looked_at_for_shapes_once_and_only_when_asked() {
        let p = Policy::default();
        let looks = &Cell::new(0);
        let holds = |answer: bool| {
            move || {
                looks.set(looks.get() + 1);
                answer
            }
        };
        // Judged for the policy alone first: the shape is not looked at.
        assert!(p.is_sensitive("x-shape-token"));
        assert_eq!(looks.get(), 0);
        // Asked later: looked at once, then remembered with the verdict.
        for _ in 0..3 {
            let verdict = p.judge_key("x-shape-token", holds(true));
            assert_eq!(
                verdict,
                KeyVerdict {
                    sensitive: true,
                    shaped: true
                }
            );
        }
        assert_eq!(looks.get(), 1);
        for _ in 0..3 {
            assert!(!p.judge_key("x-shape-plain", holds(false)).shaped);
        }
        assert_eq!(looks.get(), 2);
        // Keys too long to remember, and policies with added terms, are
        // looked at every time.
        let long = "k".repeat(40);
        let extra = Policy::with_extra(["pin".to_string()]);
        for _ in 0..2 {
            assert!(p.judge_key(&long, holds(true)).shaped);
            assert!(extra.judge_key("x-shape-pin", holds(true)).sensitive);
        }
        assert_eq!(looks.get(), 6);
    }

    #[test]
    fn a_static_key_is_judged_by_its_own_policy() {
        let default: &'static Policy = Box::leak(Box::default());
        let extra: &'static Policy =
            Box::leak(Box::new(Policy::with_extra(["Account-Number".to_string()])));
        for _ in 0..3 {
            assert!(!default.is_sensitive_static("accountNumber"));
            assert!(extra.is_sensitive_static("accountNumber"));
            assert!(default.is_sensitive_static("password"));
            assert!(extra.is_sensitive_static("password"));
            // The same text at another address, and a prefix of it.
            let copy: &'static str = Box::leak("accountNumber".to_string().into_boxed_str());
            assert!(extra.is_sensitive_static(copy));
            assert!(!extra.is_sensitive_static(&copy[..7]));
        }
    }

    #[test]
    fn the_automaton_agrees_with_the_definition() {
        let mut keys: Vec<String> = Vec::new();
        for t in DEFAULT_SENSITIVE_KEYS {
            let upper = t.to_ascii_uppercase();
            let spaced: String = t.chars().flat_map(|c| [c, '-']).collect();
            let cut = &t[..t.len() - 1];
            for k in [
                t.to_string(),
                upper,
                spaced,
                cut.to_string(),
                format!("x{cut}_{}", &t[t.len() - 1..]),
            ] {
                keys.push(format!("pre{k}post"));
                keys.push(k);
            }
        }
        // Overlaps and near misses, then pseudo-random keys over the terms'
        // letters, the separators and a few others.
        keys.extend(
            [
                "passpassword",
                "pwpwd",
                "ssssn",
                "cvcvv",
                "tokentoke",
                "sessio",
                "cookiE",
                "api key",
                "a.p.i.k.e.y",
            ]
            .map(String::from),
        );
        let alphabet = b"pswordtkneacivyuhlgmb-_. PSWXZ19";
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..50_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 13) as usize;
            let key: String = (0..len)
                .map(|i| alphabet[((x >> (4 + 5 * i)) % 32) as usize] as char)
                .collect();
            keys.push(key);
        }
        // Keys outside ASCII, one lower-casing to ASCII (the Kelvin sign
        // to `k`).
        keys.extend(["api\u{212a}ey", "pässword", "tök\u{212a}en", "ÉSSN"].map(String::from));
        // The short names, and words that hold them.
        keys.extend(
            [
                "pass",
                "PASS",
                "DB_PASS",
                "smtp-pass",
                "dbPass",
                "a.Pass",
                "_auth",
                "AUTH",
                "sig",
                "x-Sig",
                "bypass",
                "compass",
                "passenger",
                "XPass",
                "dbpass",
                "pass_",
                "author",
                "oauth",
                "design",
                "a_uth",
                "sig_",
                "ÿPass",
                "éPass",
            ]
            .map(String::from),
        );
        let p = Policy::default();
        for k in &keys {
            assert_eq!(p.search(k), by_definition(k), "{k:?}");
            assert_eq!(p.is_sensitive(k), by_definition(k), "{k:?}");
            assert_eq!(p.is_sensitive(k), by_definition(k), "{k:?} remembered");
            // Read back from a quoted key's closing quote, as JSON quoted
            // in text is read.
            let quoted = format!("{{\"{k}\":1}}");
            assert_eq!(
                p.quoted_key_before(&quoted, k.len() + 2),
                Some((2, by_definition(k))),
                "{k:?} read back"
            );
        }
        assert!(
            keys.iter().filter(|k| by_definition(k)).count() > 100,
            "the sample has sensitive keys"
        );
    }

    #[test]
    fn matches_without_case_dashes_or_underscores() {
        let p = Policy::default();
        for k in [
            "password",
            "PASSWORD",
            "user_password",
            "Set-Cookie",
            "x-api-key",
            "API_KEY",
            "Authorization",
            "access_token",
            "client-secret",
            "sessionId",
            "private_key",
            "card-number",
            "CVV",
            "ssn",
            "Proxy-Authorization",
            "mfa.passcode.secret",
        ] {
            assert!(p.is_sensitive(k), "{k} should be sensitive");
        }
        for k in ["username", "email", "amount", "path", "ip", "user-agent"] {
            assert!(!p.is_sensitive(k), "{k} should not be sensitive");
        }
    }

    #[test]
    fn extra_terms_are_normalised() {
        let p = Policy::with_extra(["Account-PIN".to_string()]);
        assert!(p.is_sensitive("accountpin"));
        assert!(p.is_sensitive("ACCOUNT_PIN_HASH"));
        assert!(!p.is_sensitive("pin"));
        // Read back from a quoted key, with the added terms too.
        let text = r#"{"pin":1,"ACCOUNT_PIN_HASH":"x","password":2}"#;
        let end = |key: &str| text.find(&format!("{key}\"")).unwrap() + key.len();
        assert_eq!(p.quoted_key_before(text, end("pin")), Some((2, false)));
        assert_eq!(
            p.quoted_key_before(text, end("ACCOUNT_PIN_HASH")),
            Some((10, true))
        );
        assert_eq!(p.quoted_key_before(text, end("password")), Some((33, true)));
        assert_eq!(p.quoted_key_before("pin\":1", 3), None, "no opening quote");
    }

    #[test]
    fn long_and_non_ascii_keys_are_checked() {
        let p = Policy::default();
        let long = format!("{}password", "x".repeat(200));
        assert!(p.is_sensitive(&long));
        assert!(p.is_sensitive("Pässword-TOKEN"));
    }
}
