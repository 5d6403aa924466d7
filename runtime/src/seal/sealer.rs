//! The process's sealer: one X25519 agreement when it is made, then one
//! AES-256-GCM-SIV encryption per value, in place, in reused buffers.

use super::keys::{KeyError, KeyId, SealKey};
use super::{b64, HEADER_LEN, NONCE_LEN, PAD, PROCESS_KEY_INFO, TAG_LEN, TOKEN_PREFIX};
use aes_gcm_siv::aead::{AeadInPlace, KeyInit};
use aes_gcm_siv::{Aes256GcmSiv, Nonce};
use base64::Engine as _;
use hkdf::Hkdf;
use sha2::Sha256;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use x25519_dalek::{PublicKey, StaticSecret};

/// Seals values for one investigator's key.
///
/// Made once per process (or per key): it draws an ephemeral X25519 key
/// pair, agrees a secret with the investigator's public key and derives
/// the process key from it with HKDF-SHA-256; the ephemeral private key is
/// then wiped. Each value is then sealed with AES-256-GCM-SIV under the
/// process key and a fresh nonce (a random per-process prefix and a
/// counter), with the token's header (format version, key id, ephemeral
/// public key) as associated data. Nothing in it can open what it sealed.
///
/// ```
/// use seclog::seal::{Sealer, UnsealKey, Unsealer};
///
/// let investigator = UnsealKey::generate().unwrap();
/// let sealer = Sealer::new(&investigator.seal_key()).unwrap();
/// let token = sealer.seal_to_string(br#""' OR 1=1 --""#).unwrap();
/// assert!(token.starts_with("seclog-sealed:v1:"));
/// assert!(!token.contains("OR 1=1"));
/// assert_ne!(token, sealer.seal_to_string(br#""' OR 1=1 --""#).unwrap(), "no equality leak");
///
/// let mut unsealer = Unsealer::new(investigator);
/// assert_eq!(unsealer.open(&token).unwrap(), r#""' OR 1=1 --""#);
/// ```
pub struct Sealer {
    cipher: Aes256GcmSiv,
    /// `seclog-sealed:v1:<key id>:<ephemeral public key>:`, the start of
    /// every token and the associated data of every value.
    header: [u8; HEADER_LEN],
    nonce_prefix: [u8; NONCE_LEN - 8],
    counter: AtomicU64,
    key_id: KeyId,
    /// The process's fork count when this sealer was made: a forked child
    /// shares the process key and counter with its parent, so there it
    /// draws each nonce whole from the operating system instead (as it
    /// always does where forks cannot be watched: `None`). GCM-SIV would
    /// survive a repeated nonce, revealing only that two values were equal;
    /// this keeps it from revealing even that.
    forks: Option<u64>,
}

/// Why a value could not be sealed; the value is then left out, never
/// written in the clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SealError {
    /// The operating system gave no randomness for a nonce.
    NoRandomness,
    /// The value is beyond what one token can hold (256 GiB).
    TooLong,
}

impl fmt::Display for SealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SealError::NoRandomness => "the operating system gave no randomness to seal with",
            SealError::TooLong => "the value is too long to seal",
        })
    }
}

impl std::error::Error for SealError {}

impl Sealer {
    /// A sealer for `key`, with a new ephemeral key pair. Fails only when
    /// the operating system gives no randomness.
    pub fn new(key: &SealKey) -> Result<Sealer, KeyError> {
        let forks = fork::watch().then(fork::count);
        let mut random = zeroize::Zeroizing::new([0u8; 32 + NONCE_LEN - 8]);
        getrandom::fill(&mut random[..]).map_err(|_| KeyError::NoRandomness)?;
        let mut ephemeral_bytes = zeroize::Zeroizing::new([0u8; 32]);
        ephemeral_bytes.copy_from_slice(&random[..32]);
        let ephemeral = StaticSecret::from(*ephemeral_bytes);
        let ephemeral_public = PublicKey::from(&ephemeral);
        let shared = ephemeral.diffie_hellman(&key.public);
        if !shared.was_contributory() {
            return Err(KeyError::WeakKey);
        }
        let process_key = process_key(
            shared.as_bytes(),
            ephemeral_public.as_bytes(),
            key.public.as_bytes(),
        );
        let mut nonce_prefix = [0u8; NONCE_LEN - 8];
        nonce_prefix.copy_from_slice(&random[32..]);
        Ok(Sealer {
            cipher: Aes256GcmSiv::new((&*process_key).into()),
            header: header(key.id, ephemeral_public.as_bytes()),
            nonce_prefix,
            counter: AtomicU64::new(0),
            key_id: key.id,
            forks,
        })
    }

    /// The id of the key values are sealed for.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The length of the token for a value whose JSON text is `json_len`
    /// bytes long.
    pub fn token_len(&self, json_len: usize) -> usize {
        HEADER_LEN + b64_len(NONCE_LEN + padded_len(json_len) + TAG_LEN)
    }

    /// The longest JSON text whose token is at most `token_room` bytes long
    /// (0 when no token fits).
    pub fn max_json_len(&self, token_room: usize) -> usize {
        let Some(text) = token_room.checked_sub(HEADER_LEN) else {
            return 0;
        };
        // Unpadded base64 of `n` bytes is at most `text` long exactly when
        // `n <= 3 * text / 4`; the plaintext is padded to whole blocks.
        let sealed = text / 4 * 3 + [0, 0, 1, 2][text % 4];
        let padded = sealed.saturating_sub(NONCE_LEN + TAG_LEN) / PAD * PAD;
        padded.min(MAX_PLAINTEXT)
    }

    /// Seals the JSON text in `scratch` and appends the token's text to
    /// `out`. `scratch` is padded, encrypted in place and left holding
    /// ciphertext; neither buffer grows beyond what the token needs, so
    /// buffers kept between calls make sealing allocation-free. On error
    /// nothing is appended to `out`.
    pub fn seal_in_place(&self, scratch: &mut Vec<u8>, out: &mut Vec<u8>) -> Result<(), SealError> {
        // Spaces after a JSON text change nothing, and hide its exact length.
        let padded = padded_len(scratch.len());
        if padded > MAX_PLAINTEXT {
            return Err(SealError::TooLong);
        }
        scratch.resize(padded, b' ');
        let nonce = self.nonce()?;
        let tag = self
            .cipher
            .encrypt_in_place_detached(Nonce::from_slice(&nonce), &self.header, scratch)
            .map_err(|_| SealError::TooLong)?;
        scratch.extend_from_slice(&tag);

        let start = out.len();
        let body = b64_len(NONCE_LEN) + b64_len(scratch.len());
        out.resize(start + HEADER_LEN + body, 0);
        let token = &mut out[start..];
        token[..HEADER_LEN].copy_from_slice(&self.header);
        // The nonce is a whole number of base64 groups, so encoding it and
        // the ciphertext apart gives the text of encoding them together.
        let n = b64()
            .encode_slice(nonce, &mut token[HEADER_LEN..])
            .unwrap_or(0);
        let m = b64()
            .encode_slice(&scratch[..], &mut token[HEADER_LEN + n..])
            .unwrap_or(0);
        debug_assert_eq!(HEADER_LEN + n + m, token.len());
        Ok(())
    }

    /// Seals a value's JSON text into a new token: for occasional use
    /// (the record writer uses [`seal_in_place`](Self::seal_in_place)).
    pub fn seal_to_string(&self, json: &[u8]) -> Result<String, SealError> {
        let mut scratch = json.to_vec();
        let mut out = Vec::with_capacity(self.token_len(json.len()));
        self.seal_in_place(&mut scratch, &mut out)?;
        // Only the ASCII header and base64url text are in it.
        Ok(String::from_utf8(out).unwrap_or_default())
    }

    /// A nonce never used with this process key: the random prefix and the
    /// next count, or in a forked child (which shares both with its parent
    /// and its siblings) 12 bytes straight from the operating system.
    #[inline]
    fn nonce(&self) -> Result<[u8; NONCE_LEN], SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        if Some(fork::count()) == self.forks {
            let count = self.counter.fetch_add(1, Ordering::Relaxed);
            nonce[..NONCE_LEN - 8].copy_from_slice(&self.nonce_prefix);
            nonce[NONCE_LEN - 8..].copy_from_slice(&count.to_be_bytes());
        } else {
            getrandom::fill(&mut nonce).map_err(|_| SealError::NoRandomness)?;
        }
        Ok(nonce)
    }
}

impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The process key is never printed.
        f.debug_struct("Sealer")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// The largest plaintext sealed: far above any record, and far below
/// AES-GCM-SIV's limit (2^36 bytes).
const MAX_PLAINTEXT: usize = 1 << 30;

/// The plaintext's length once padded: a multiple of [`PAD`], at least one.
pub(super) fn padded_len(len: usize) -> usize {
    len.max(1).div_ceil(PAD).saturating_mul(PAD)
}

/// Unpadded base64's length for `n` bytes.
fn b64_len(n: usize) -> usize {
    (n / 3) * 4 + [0, 2, 3][n % 3]
}

/// The process key: HKDF-SHA-256 over the X25519 shared secret, salted with
/// both public keys so it is bound to this exchange and this recipient.
pub(super) fn process_key(
    shared: &[u8; 32],
    ephemeral_public: &[u8; 32],
    recipient: &[u8; 32],
) -> zeroize::Zeroizing<[u8; 32]> {
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(ephemeral_public);
    salt[32..].copy_from_slice(recipient);
    let mut key = zeroize::Zeroizing::new([0u8; 32]);
    // 32 bytes is far below HKDF-SHA-256's output limit.
    let _ = Hkdf::<Sha256>::new(Some(&salt), shared).expand(PROCESS_KEY_INFO, &mut key[..]);
    key
}

/// The header of a token: `seclog-sealed:v1:<key id>:<ephemeral key>:`.
pub(super) fn header(id: KeyId, ephemeral_public: &[u8; 32]) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    let mut at = 0;
    for part in [TOKEN_PREFIX.as_bytes(), &id.hex(), b":"] {
        h[at..at + part.len()].copy_from_slice(part);
        at += part.len();
    }
    at += b64()
        .encode_slice(ephemeral_public, &mut h[at..])
        .unwrap_or(0);
    h[at] = b':';
    debug_assert_eq!(at + 1, HEADER_LEN);
    h
}

/// Counts the process's forks, so a sealer notices it runs in a child.
mod fork {
    use std::sync::atomic::{AtomicU64, Ordering};

    static FORKS: AtomicU64 = AtomicU64::new(0);

    /// How many forks led to this process since the count began (0 until
    /// the first fork): compared, not interpreted.
    #[inline]
    pub(super) fn count() -> u64 {
        FORKS.load(Ordering::Relaxed)
    }

    #[cfg(unix)]
    extern "C" fn forked() {
        // Async-signal-safe: one atomic add in the child.
        FORKS.fetch_add(1, Ordering::Relaxed);
    }

    /// Registers the fork handler, once per process; whether forks are
    /// watched.
    pub(super) fn watch() -> bool {
        static WATCHED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *WATCHED.get_or_init(|| {
            #[cfg(unix)]
            {
                // SAFETY: `forked` is a plain function that only touches an
                // atomic, which is safe in a freshly forked child; the
                // other two handlers are absent.
                unsafe { libc::pthread_atfork(None, None, Some(forked)) == 0 }
            }
            #[cfg(not(unix))]
            {
                // No fork to watch for.
                true
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_hides_the_length_within_sixteen_bytes() {
        assert_eq!(padded_len(0), 16);
        assert_eq!(padded_len(1), 16);
        assert_eq!(padded_len(16), 16);
        assert_eq!(padded_len(17), 32);
    }

    #[test]
    fn the_token_is_as_long_as_announced() {
        let key = super::super::UnsealKey::generate().unwrap();
        let sealer = Sealer::new(&key.seal_key()).unwrap();
        for len in [0, 1, 15, 16, 17, 100, 4096] {
            let json = vec![b'1'; len];
            let token = sealer.seal_to_string(&json).unwrap();
            assert_eq!(token.len(), sealer.token_len(len), "{len}");
        }
    }

    #[test]
    fn max_json_len_is_the_longest_text_whose_token_fits() {
        let key = super::super::UnsealKey::generate().unwrap();
        let sealer = Sealer::new(&key.seal_key()).unwrap();
        for room in 0..2000 {
            let max = sealer.max_json_len(room);
            if max > 0 {
                assert!(sealer.token_len(max) <= room, "{room}: {max}");
            }
            assert!(sealer.token_len(max + 1) > room, "{room}: {max} + 1 fits");
        }
    }

    #[test]
    fn nonces_never_repeat_within_a_sealer() {
        let key = super::super::UnsealKey::generate().unwrap();
        let sealer = Sealer::new(&key.seal_key()).unwrap();
        let a = sealer.nonce().unwrap();
        let b = sealer.nonce().unwrap();
        assert_ne!(a, b);
        assert_eq!(a[..4], b[..4], "one random prefix per sealer");
        assert_eq!(u64::from_be_bytes(b[4..].try_into().unwrap()), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_forked_child_never_reuses_its_parents_nonces() {
        let key = super::super::UnsealKey::generate().unwrap();
        let sealer = Sealer::new(&key.seal_key()).unwrap();
        let first = sealer.nonce().unwrap();
        let mut fds = [0i32; 2];
        // SAFETY: a plain pipe; both ends are closed below.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        // SAFETY: the child only draws a nonce (an atomic load and the
        // getrandom system call), writes it to the pipe and exits without
        // running destructors or touching the allocator.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            let nonce = sealer.nonce().unwrap_or([0; NONCE_LEN]);
            unsafe {
                libc::write(fds[1], nonce.as_ptr().cast(), NONCE_LEN);
                libc::_exit(0);
            }
        }
        let mut child = [0u8; NONCE_LEN];
        // SAFETY: reads into a buffer of the length given, then reaps the child.
        unsafe {
            libc::close(fds[1]);
            assert_eq!(
                libc::read(fds[0], child.as_mut_ptr().cast(), NONCE_LEN),
                NONCE_LEN as isize
            );
            libc::close(fds[0]);
            libc::waitpid(pid, std::ptr::null_mut(), 0);
        }
        let next = sealer.nonce().unwrap();
        assert_eq!(next[..4], first[..4], "the parent goes on counting");
        assert_ne!(child, next, "the child drew its own nonce");
        assert_ne!(child[..4], first[..4], "not from the shared prefix");
    }

    #[test]
    fn the_header_is_the_prefix_the_key_id_and_the_ephemeral_key() {
        let key = super::super::UnsealKey::generate().unwrap();
        let sealer = Sealer::new(&key.seal_key()).unwrap();
        let header = std::str::from_utf8(&sealer.header).unwrap();
        let rest = header.strip_prefix("seclog-sealed:v1:").unwrap();
        let (id, epk) = rest.split_once(':').unwrap();
        assert_eq!(id, key.id().to_string());
        assert_eq!(epk.len(), 44);
        assert!(epk.ends_with(':'));
    }
}
