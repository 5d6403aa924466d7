//! Opening tokens with the investigator's private key, and replacing them
//! in records (what `seclog unseal` does).

use super::keys::{KeyId, UnsealKey};
use super::{b64, HEADER_LEN, NONCE_LEN, PAD, TAG_LEN, TOKEN_FAMILY, TOKEN_PREFIX};
use aes_gcm_siv::aead::{AeadInPlace, KeyInit};
use aes_gcm_siv::{Aes256GcmSiv, Nonce, Tag};
use base64::Engine as _;
use std::collections::HashMap;
use std::fmt;
use x25519_dalek::PublicKey;

/// Why a token did not open. The token is then left as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OpenError {
    /// The text is not a sealed token.
    NotAToken,
    /// The token is of a format this version of seclog does not know.
    UnknownVersion(String),
    /// The token was sealed for another key.
    OtherKey {
        /// The key the token was sealed for.
        sealed_for: KeyId,
        /// The key given to open it.
        key: KeyId,
    },
    /// The token was altered or cut: its parts do not parse, or it does
    /// not authenticate under this key.
    Damaged(&'static str),
    /// The token authenticates but holds no JSON value: it was sealed with
    /// the public key by something other than seclog.
    NotJson,
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::NotAToken => write!(f, "not a sealed token (`{TOKEN_PREFIX}…`)"),
            OpenError::UnknownVersion(v) => write!(
                f,
                "sealed in format `{v}`, which this seclog does not know: open it with a newer one"
            ),
            OpenError::OtherKey { sealed_for, key } => write!(
                f,
                "sealed for key id {sealed_for}, not for this key ({key}): open it with that key"
            ),
            OpenError::Damaged(why) => write!(f, "the token was altered or cut ({why}): not opened"),
            OpenError::NotJson => f.write_str(
                "the token holds no JSON value: it was sealed by something other than seclog, not opened",
            ),
        }
    }
}

impl std::error::Error for OpenError {}

/// Opens tokens sealed for one key.
///
/// A function's tokens share its ephemeral key, so the key agreement is
/// done once per ephemeral key and remembered (for a bounded number of
/// them).
///
/// ```
/// use seclog::seal::{OpenError, Sealer, UnsealKey, Unsealer};
///
/// let investigator = UnsealKey::generate().unwrap();
/// let token = Sealer::new(&investigator.seal_key()).unwrap().seal_to_string(b"4111").unwrap();
/// let mut unsealer = Unsealer::new(investigator);
/// assert_eq!(unsealer.open(&token).unwrap(), "4111");
///
/// let mut altered = token.clone().into_bytes();
/// let last = altered.len() - 1;
/// altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
/// let altered = String::from_utf8(altered).unwrap();
/// assert!(matches!(unsealer.open(&altered), Err(OpenError::Damaged(_))));
///
/// let stranger = Unsealer::new(UnsealKey::generate().unwrap()).open(&token);
/// assert!(matches!(stranger, Err(OpenError::OtherKey { .. })));
/// ```
pub struct Unsealer {
    key: UnsealKey,
    /// Process keys by ephemeral public key.
    ciphers: HashMap<[u8; 32], Aes256GcmSiv>,
}

/// How many process keys are remembered before the memory starts over.
const CIPHER_CACHE: usize = 4096;

impl Unsealer {
    /// An unsealer for `key`.
    pub fn new(key: UnsealKey) -> Unsealer {
        Unsealer {
            key,
            ciphers: HashMap::new(),
        }
    }

    /// The id of the key tokens must be sealed for.
    pub fn key_id(&self) -> KeyId {
        self.key.id()
    }

    /// Opens a token: the JSON text of the sealed value, as it was written.
    pub fn open(&mut self, token: &str) -> Result<String, OpenError> {
        let mut plain = Vec::new();
        self.open_into(token, &mut plain)?;
        // `open_into` checked the text is JSON, so it is UTF-8.
        String::from_utf8(plain).map_err(|_| OpenError::NotJson)
    }

    /// Opens a token into `plain` (cleared first): the sealed JSON text.
    fn open_into(&mut self, token: &str, plain: &mut Vec<u8>) -> Result<(), OpenError> {
        plain.clear();
        let rest = token
            .strip_prefix(TOKEN_FAMILY)
            .ok_or(OpenError::NotAToken)?;
        let (version, rest) = rest.split_once(':').unwrap_or((rest, ""));
        if version != "v1" {
            let shown: String = version
                .chars()
                .take(16)
                .filter(|c| !c.is_control())
                .collect();
            return Err(OpenError::UnknownVersion(shown));
        }
        let (id, rest) = rest
            .split_once(':')
            .ok_or(OpenError::Damaged("no key id"))?;
        let sealed_for =
            KeyId::parse(id).ok_or(OpenError::Damaged("the key id is not 16 hex digits"))?;
        if sealed_for != self.key.id() {
            return Err(OpenError::OtherKey {
                sealed_for,
                key: self.key.id(),
            });
        }
        let (epk, body) = rest
            .split_once(':')
            .ok_or(OpenError::Damaged("no ephemeral key"))?;
        if token.len() - body.len() != HEADER_LEN || epk.len() != 43 {
            return Err(OpenError::Damaged("the ephemeral key is not 43 characters"));
        }
        let header = &token.as_bytes()[..HEADER_LEN];
        let mut ephemeral = [0u8; 32];
        if b64().decode_slice(epk, &mut ephemeral) != Ok(32) {
            return Err(OpenError::Damaged("the ephemeral key is not base64url"));
        }

        b64()
            .decode_vec(body, plain)
            .map_err(|_| OpenError::Damaged("the body is not base64url"))?;
        let min = NONCE_LEN + PAD + TAG_LEN;
        if plain.len() < min || (plain.len() - NONCE_LEN - TAG_LEN) % PAD != 0 {
            plain.clear();
            return Err(OpenError::Damaged("the body is cut"));
        }
        let nonce = *Nonce::from_slice(&plain[..NONCE_LEN]);
        let tag = *Tag::from_slice(&plain[plain.len() - TAG_LEN..]);
        plain.truncate(plain.len() - TAG_LEN);
        plain.drain(..NONCE_LEN);

        let cipher = self.cipher(&ephemeral)?;
        if cipher
            .decrypt_in_place_detached(&nonce, header, plain, &tag)
            .is_err()
        {
            plain.clear();
            return Err(OpenError::Damaged("it does not authenticate"));
        }
        // The padding is spaces after the JSON text.
        while plain.last() == Some(&b' ') {
            plain.pop();
        }
        if serde_json::from_slice::<serde::de::IgnoredAny>(plain).is_err() {
            plain.clear();
            return Err(OpenError::NotJson);
        }
        Ok(())
    }

    /// The process key agreed with `ephemeral`, derived once.
    fn cipher(&mut self, ephemeral: &[u8; 32]) -> Result<&Aes256GcmSiv, OpenError> {
        if !self.ciphers.contains_key(ephemeral) {
            let shared = self.key.secret.diffie_hellman(&PublicKey::from(*ephemeral));
            if !shared.was_contributory() {
                return Err(OpenError::Damaged("the ephemeral key is degenerate"));
            }
            let key = super::sealer::process_key(
                shared.as_bytes(),
                ephemeral,
                self.key.public.public.as_bytes(),
            );
            if self.ciphers.len() >= CIPHER_CACHE {
                self.ciphers.clear();
            }
            self.ciphers
                .insert(*ephemeral, Aes256GcmSiv::new((&*key).into()));
        }
        Ok(&self.ciphers[ephemeral])
    }

    /// Copies one record (a JSON line) to `out` with every sealed value
    /// this key opens replaced by `{"unsealed":<value>}`, and every other
    /// byte as it was. A token that does not open is left as it is and
    /// handed to `failed`. Returns how many values were opened.
    ///
    /// The opened value is written on one line with no raw control
    /// character: a forged token cannot break the record or reach a
    /// terminal's escape sequences.
    ///
    /// ```
    /// use seclog::seal::{Sealer, UnsealKey, Unsealer};
    ///
    /// let investigator = UnsealKey::generate().unwrap();
    /// let sealer = Sealer::new(&investigator.seal_key()).unwrap();
    /// let token = sealer.seal_to_string(br#""hunter2""#).unwrap();
    /// let record = format!(r#"{{"user":"alice","password":"{token}"}}"#);
    ///
    /// let mut out = Vec::new();
    /// let mut failures = Vec::new();
    /// let opened = Unsealer::new(investigator)
    ///     .unseal_record(record.as_bytes(), &mut out, |e| failures.push(e));
    /// assert_eq!(opened, 1);
    /// assert!(failures.is_empty());
    /// assert_eq!(out, br#"{"user":"alice","password":{"unsealed":"hunter2"}}"#);
    /// ```
    pub fn unseal_record(
        &mut self,
        record: &[u8],
        out: &mut Vec<u8>,
        mut failed: impl FnMut(OpenError),
    ) -> usize {
        let mut opened = 0;
        let mut plain = Vec::new();
        let mut copied = 0;
        let mut i = 0;
        while i < record.len() {
            if record[i] != b'"' {
                i += 1;
                continue;
            }
            let start = i;
            let (end, escaped) = string_end(record, start);
            i = end;
            let content = &record[start + 1..end.saturating_sub(1).max(start + 1)];
            if escaped || !content.starts_with(TOKEN_FAMILY.as_bytes()) {
                continue;
            }
            // A member name is never a sealed value; replacing one would
            // break the record.
            let is_key = record[end..]
                .iter()
                .find(|b| !b.is_ascii_whitespace())
                .is_some_and(|&b| b == b':');
            let Ok(token) = std::str::from_utf8(content) else {
                continue;
            };
            if is_key {
                continue;
            }
            match self.open_into(token, &mut plain) {
                Ok(()) => {
                    out.extend_from_slice(&record[copied..start]);
                    out.extend_from_slice(b"{\"unsealed\":");
                    safe_json(&plain, out);
                    out.push(b'}');
                    copied = end;
                    opened += 1;
                }
                Err(e) => failed(e),
            }
        }
        out.extend_from_slice(&record[copied..]);
        opened
    }
}

impl fmt::Debug for Unsealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unsealer")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// The end (one past the closing quote) of the JSON string starting at
/// `start`, and whether it holds an escape. An unclosed string ends the
/// record.
fn string_end(record: &[u8], start: usize) -> (usize, bool) {
    let mut escaped = false;
    let mut i = start + 1;
    while i < record.len() {
        match record[i] {
            b'\\' => {
                escaped = true;
                i += 2;
            }
            b'"' => return (i + 1, escaped),
            _ => i += 1,
        }
    }
    (record.len(), true)
}

/// Writes valid JSON text on one line with nothing a terminal would act on:
/// whitespace between tokens is dropped, and inside strings DEL, the C1
/// controls and the line and paragraph separators are written as `\u`
/// escapes (raw C0 controls cannot occur in valid JSON strings).
fn safe_json(json: &[u8], out: &mut Vec<u8>) {
    let Ok(text) = std::str::from_utf8(json) else {
        return;
    };
    let mut in_string = false;
    let mut escape = false;
    for c in text.chars() {
        if in_string {
            if escape {
                escape = false;
            } else if c == '\\' {
                escape = true;
            } else if c == '"' {
                in_string = false;
            } else if c == '\u{7f}'
                || ('\u{80}'..='\u{9f}').contains(&c)
                || c == '\u{2028}'
                || c == '\u{2029}'
                || c < ' '
            {
                let mut buf = [0u8; 6];
                let code = c as u32;
                const HEX: &[u8; 16] = b"0123456789abcdef";
                buf[..2].copy_from_slice(b"\\u");
                for (k, shift) in [12, 8, 4, 0].into_iter().enumerate() {
                    buf[2 + k] = HEX[((code >> shift) & 0xf) as usize];
                }
                out.extend_from_slice(&buf);
                continue;
            }
        } else if c.is_ascii_whitespace() {
            continue;
        } else if c == '"' {
            in_string = true;
        }
        let mut utf8 = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_json_escapes_what_a_terminal_would_act_on() {
        let mut out = Vec::new();
        safe_json(
            "{ \"a\" :\t\"x\u{9b}[2J\u{7f}\u{2028}\" }\n".as_bytes(),
            &mut out,
        );
        assert_eq!(out, br#"{"a":"x\u009b[2J\u007f\u2028"}"#);
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value["a"], "x\u{9b}[2J\u{7f}\u{2028}");
    }

    #[test]
    fn escaped_quotes_do_not_end_a_string() {
        let record = br#"{"a":"x\"seclog-sealed:v1:","b":1}"#;
        let (end, escaped) = string_end(record, 5);
        assert_eq!(&record[end..], br#","b":1}"#);
        assert!(escaped);
    }
}
