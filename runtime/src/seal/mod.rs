//! Sealed values: hidden from every reader of the logs, opened offline by
//! the investigator (`#[redact(seal)]`, the `seal` cargo feature).
//!
//! Redaction is one-way, and an investigation sometimes needs the value:
//! the "password" an attacker submitted is often an injection payload or a
//! credential from a breach list. A sealed value is encrypted to the
//! investigator's **public** key: the function can seal but never open, and
//! only the private key, kept offline, opens the tokens (`seclog unseal`).
//!
//! # Keys
//!
//! `seclog keygen DIR` ([`write_key_pair`]) writes `DIR/seclog-seal.key`,
//! the private [`UnsealKey`] (mode 0600), and `DIR/seclog-seal.pub`, the
//! public [`SealKey`] as one line of text, which the function takes from
//! `SECLOG_SEAL_KEY` or [`Builder::seal_key`](crate::Builder::seal_key).
//! Each key has a [`KeyId`], written in every token sealed for it.
//!
//! # How a value is sealed
//!
//! Once per process (per configured key), a [`Sealer`] draws an ephemeral
//! X25519 key pair, agrees a shared secret with the investigator's public
//! key, and derives the process key with HKDF-SHA-256 (salted with both
//! public keys); the ephemeral private key is then wiped. Each value is
//! then written as its JSON text, padded with spaces to a multiple of 16
//! bytes, and encrypted in place with AES-256-GCM-SIV under the process
//! key and a nonce never used before (a random per-process prefix and a
//! counter; in a forked child, 12 random bytes). No network call, ever; one
//! asymmetric operation per process; per value, symmetric work in reused
//! buffers.
//!
//! # The token
//!
//! ```text
//! seclog-sealed:v1:<key id>:<ephemeral public key>:<nonce ‖ ciphertext ‖ tag>
//! ```
//!
//! a JSON string: the format version, the key id as 16 hex digits, the
//! ephemeral public key and the sealed body in unpadded base64url. The
//! header (everything before the body) is the associated data, so a token
//! whose version, key id, ephemeral key, nonce, ciphertext or tag was
//! changed, or which was cut, fails to open ([`OpenError::Damaged`]); a
//! token for another key is named as such ([`OpenError::OtherKey`]).
//!
//! # What it protects, and what not
//!
//! - A leaked log export, an over-privileged log reader or a stolen
//!   function (its code, configuration and memory) reveal no sealed value:
//!   none of them holds the private key.
//! - Sealing the same value twice gives different tokens, and the tokens
//!   cannot be checked against guesses: equal values are not revealed
//!   equal. For correlation use `#[redact(hash)]` beside the sealed field
//!   (`user.hash` plus a sealed name).
//! - The length of a value is revealed to within 16 bytes.
//! - A token does not prove who sealed it: anyone holding the public key
//!   can seal, so a token in a record is as trustworthy as the record. The
//!   integrity of the logs is the log store's to keep.
//! - A value sealed while the private key was lost is lost too: keep the
//!   private key where the investigation will find it.
//!
//! ```
//! use seclog::seal::{Sealer, UnsealKey, Unsealer};
//!
//! // Offline, once: the investigator's key pair.
//! let investigator = UnsealKey::generate().unwrap();
//! let public = investigator.seal_key().to_string(); // for SECLOG_SEAL_KEY
//!
//! // In the function: seals with the public key only.
//! let sealer = Sealer::new(&public.parse().unwrap()).unwrap();
//! let token = sealer.seal_to_string(br#""' OR 1=1 --""#).unwrap();
//!
//! // Offline, during the investigation.
//! let mut unsealer = Unsealer::new(investigator);
//! assert_eq!(unsealer.open(&token).unwrap(), r#""' OR 1=1 --""#);
//! ```

mod keys;
mod open;
mod sealer;

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

pub use keys::{
    write_key_pair, KeyError, KeyFileError, KeyFiles, KeyId, SealKey, UnsealKey, PUBLIC_FILE,
    SECRET_FILE,
};
pub use open::{OpenError, Unsealer};
pub use sealer::{SealError, Sealer};

/// Every sealed token's text begins with this, whatever its version.
pub const TOKEN_FAMILY: &str = "seclog-sealed:";
/// The beginning of the tokens this version writes.
pub const TOKEN_PREFIX: &str = "seclog-sealed:v1:";

/// Bytes of a key id.
const KEY_ID_LEN: usize = 8;
/// A token's header: the prefix, the key id in hex, the ephemeral public
/// key in base64url, and their separators.
const HEADER_LEN: usize = TOKEN_PREFIX.len() + 2 * KEY_ID_LEN + 1 + 43 + 1;
/// AES-GCM-SIV's nonce and tag.
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// The plaintext is padded to a multiple of this.
const PAD: usize = 16;
/// HKDF's `info` for the process key.
const PROCESS_KEY_INFO: &[u8] = b"seclog-sealed:v1 process key";

/// Whether the "no seal key" warning was given in this process.
static WARNED: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// The thread whose record left a value unsealed writes the warning
    /// next, to the same sink (a test's capture included).
    static PENDING: Cell<bool> = const { Cell::new(false) };
}

/// A value was to be sealed but no key is configured: the first time in
/// the process, the record being written is followed by a warning.
pub(crate) fn note_missing_key() {
    if !WARNED.swap(true, Ordering::Relaxed) {
        let _ = PENDING.try_with(|p| p.set(true));
    }
}

/// Whether this thread owes the "no seal key" warning (and no longer).
pub(crate) fn take_missing_key_warning() -> bool {
    PENDING.try_with(|p| p.replace(false)).unwrap_or(false)
}

/// Unpadded base64url, which JSON strings carry without escapes.
fn b64() -> &'static base64::engine::GeneralPurpose {
    &base64::engine::general_purpose::URL_SAFE_NO_PAD
}

/// Whether `text` is a sealed token (by its prefix: it may still not open).
///
/// ```
/// assert!(seclog::seal::is_token("seclog-sealed:v1:0011223344556677:…"));
/// assert!(!seclog::seal::is_token("[REDACTED]"));
/// ```
pub fn is_token(text: &str) -> bool {
    text.starts_with(TOKEN_FAMILY)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> (Sealer, Unsealer) {
        let key = UnsealKey::generate().unwrap();
        (Sealer::new(&key.seal_key()).unwrap(), Unsealer::new(key))
    }

    #[test]
    fn a_sealed_value_opens_to_its_json_text() {
        let (sealer, mut unsealer) = pair();
        for json in [
            r#""hunter2""#,
            "42",
            "-1.5e300",
            "null",
            r#"[1,2,3]"#,
            r#"{"a":"b","c":[true,false]}"#,
            r#""""#,
            r#""sixteen bytes!!""#,
        ] {
            let token = sealer.seal_to_string(json.as_bytes()).unwrap();
            assert_eq!(unsealer.open(&token).unwrap(), json);
        }
    }

    #[test]
    fn the_same_value_seals_to_different_tokens() {
        let (sealer, _) = pair();
        let a = sealer.seal_to_string(b"\"x\"").unwrap();
        let b = sealer.seal_to_string(b"\"x\"").unwrap();
        assert_ne!(a, b);
        // Same process: same header (key id, ephemeral key), other body.
        assert_eq!(a[..HEADER_LEN], b[..HEADER_LEN]);
    }

    #[test]
    fn a_changed_byte_anywhere_fails_to_open() {
        let (sealer, mut unsealer) = pair();
        let token = sealer.seal_to_string(br#""hunter2""#).unwrap();
        for i in TOKEN_PREFIX.len()..token.len() {
            if token.as_bytes()[i] == b':' {
                continue;
            }
            let mut altered = token.clone().into_bytes();
            altered[i] = if altered[i] == b'A' { b'B' } else { b'A' };
            let altered = String::from_utf8(altered).unwrap();
            let opened = unsealer.open(&altered);
            assert!(
                matches!(
                    opened,
                    Err(OpenError::Damaged(_) | OpenError::OtherKey { .. })
                ),
                "byte {i}: {opened:?}"
            );
        }
    }

    #[test]
    fn a_cut_token_fails_to_open() {
        let (sealer, mut unsealer) = pair();
        let token = sealer
            .seal_to_string(br#""a value long enough for three blocks of ciphertext""#)
            .unwrap();
        for len in 0..token.len() {
            let cut = &token[..len];
            assert!(unsealer.open(cut).is_err(), "cut at {len} opened");
        }
    }

    #[test]
    fn a_token_for_another_key_names_that_key() {
        let (sealer, _) = pair();
        let (_, mut stranger) = pair();
        let token = sealer.seal_to_string(b"1").unwrap();
        assert_eq!(
            stranger.open(&token),
            Err(OpenError::OtherKey {
                sealed_for: sealer.key_id(),
                key: stranger.key_id()
            })
        );
    }

    #[test]
    fn a_token_with_another_key_id_does_not_open_under_ours() {
        // Rewriting the key id to ours does not make a stranger's token
        // open: the id is authenticated, and the key agreement differs.
        let (sealer, _) = pair();
        let (_, mut unsealer) = pair();
        let token = sealer.seal_to_string(b"1").unwrap();
        let ours = unsealer.key_id().to_string();
        let forged = format!("{TOKEN_PREFIX}{ours}{}", &token[TOKEN_PREFIX.len() + 16..]);
        assert!(matches!(unsealer.open(&forged), Err(OpenError::Damaged(_))));
    }

    #[test]
    fn an_unknown_version_is_named() {
        let (_, mut unsealer) = pair();
        assert_eq!(
            unsealer.open("seclog-sealed:v9:00"),
            Err(OpenError::UnknownVersion("v9".into()))
        );
        assert_eq!(unsealer.open("hunter2"), Err(OpenError::NotAToken));
    }

    #[test]
    fn unseal_record_replaces_only_tokens_that_open() {
        let (sealer, mut unsealer) = pair();
        let (stranger, _) = pair();
        let ours = sealer.seal_to_string(br#""a\nb""#).unwrap();
        let theirs = stranger.seal_to_string(b"2").unwrap();
        let record = format!(
            "{{\"x\": \"{ours}\", \"y\":\"{theirs}\", \"{ours}\":1, \"z\":\"say \\\"{ours}\\\"\"}}"
        );
        let mut out = Vec::new();
        let mut failures = Vec::new();
        let opened = unsealer.unseal_record(record.as_bytes(), &mut out, |e| failures.push(e));
        assert_eq!(opened, 1);
        assert!(matches!(failures[..], [OpenError::OtherKey { .. }]));
        let expected = record.replacen(&format!("\"{ours}\","), r#"{"unsealed":"a\nb"},"#, 1);
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }

    #[test]
    fn a_forged_token_cannot_break_the_record_line() {
        // Anyone with the public key can seal: a token holding raw line
        // breaks and terminal escapes still unseals onto one safe line.
        let (sealer, mut unsealer) = pair();
        let token = sealer
            .seal_to_string(
                "[\n1,\r\n\"\u{1b}\u{9b}31m\u{2028}\"\n]"
                    .replace('\u{1b}', "\\u001b")
                    .as_bytes(),
            )
            .unwrap();
        let record = format!(r#"{{"p":"{token}"}}"#);
        let mut out = Vec::new();
        unsealer.unseal_record(record.as_bytes(), &mut out, |e| panic!("{e}"));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"p":{"unsealed":[1,"\u001b\u009b31m\u2028"]}}"#
        );
    }

    #[test]
    fn a_token_holding_no_json_is_refused() {
        let (sealer, mut unsealer) = pair();
        let token = sealer.seal_to_string(b"not json").unwrap();
        assert_eq!(unsealer.open(&token), Err(OpenError::NotJson));
    }

    #[test]
    fn keys_round_trip_through_their_text() {
        let key = UnsealKey::generate().unwrap();
        let public: SealKey = key.seal_key().to_string().parse().unwrap();
        assert_eq!(public, key.seal_key());
        let read = UnsealKey::from_file_text(&key.to_file_text()).unwrap();
        assert_eq!(read.seal_key(), key.seal_key());
    }

    #[test]
    fn a_private_key_is_refused_as_public_and_never_echoed() {
        let key = UnsealKey::generate().unwrap();
        let file = key.to_file_text();
        let secret_line = file.lines().last().unwrap();
        let err = secret_line.parse::<SealKey>().unwrap_err();
        assert_eq!(err, KeyError::SecretGivenAsPublic);
        assert!(!err.to_string().contains(&secret_line[40..]));
        assert!(matches!(
            file.parse::<SealKey>(),
            Err(KeyError::SecretGivenAsPublic)
        ));
    }

    #[test]
    fn an_altered_public_key_is_refused() {
        let text = UnsealKey::generate().unwrap().seal_key().to_string();
        let mut bytes = text.clone().into_bytes();
        let last = bytes.len() - 1;
        bytes[last] = if bytes[last] == b'A' { b'Q' } else { b'A' };
        let altered = String::from_utf8(bytes).unwrap();
        assert!(matches!(
            altered.parse::<SealKey>(),
            Err(KeyError::KeyIdMismatch | KeyError::Malformed(_))
        ));
        assert!(matches!(
            text[..text.len() - 2].parse::<SealKey>(),
            Err(KeyError::Malformed(_))
        ));
        assert_eq!("".parse::<SealKey>(), Err(KeyError::NotAPublicKey));
        assert_eq!(
            "seclog-seal-pub:v1:0000000000000000:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                .parse::<SealKey>(),
            Err(KeyError::WeakKey),
            "the all-zero point"
        );
    }

    #[test]
    fn a_key_file_with_two_keys_or_none_is_refused() {
        let a = UnsealKey::generate().unwrap().to_file_text();
        let b = UnsealKey::generate().unwrap().to_file_text();
        assert!(matches!(
            UnsealKey::from_file_text(&format!("{a}{b}")),
            Err(KeyError::Malformed(_))
        ));
        assert_eq!(
            UnsealKey::from_file_text("# nothing\n").unwrap_err(),
            KeyError::NotASecretKey
        );
    }
}
