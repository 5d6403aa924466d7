//! Keyed digests for `#[redact(hash)]` and `user.hash`.
//!
//! HMAC-SHA-256 truncated to 128 bits, written as 32 lower-case hex digits.
//! The key comes from `SECLOG_HASH_KEY` or [`Builder::hash_key`](crate::Builder::hash_key);
//! the same key gives the same digest for the same value in every process,
//! so one user's records correlate across functions without the value being
//! logged. Without a key, each process draws a random one (and says so once
//! in a warning record): digests then correlate only within that process.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::cell::Cell;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether the "random key" warning was already raised in this process.
static WARNED: AtomicBool = AtomicBool::new(false);
/// Raised by the first digest with a random key; the record formatter
/// writes the warning after the record that used it.
pub(crate) static WARN_PENDING: PendingWarning = PendingWarning;

thread_local! {
    static PENDING: Cell<bool> = const { Cell::new(false) };
}

/// The pending warning is kept per thread: the thread whose record used the
/// random key is the one that writes the warning next, to the same sink (a
/// test's capture included), never a record written meanwhile on another
/// thread.
pub(crate) struct PendingWarning;

impl PendingWarning {
    /// Sets the flag on this thread and returns its previous value.
    pub(crate) fn swap(&self, value: bool, _order: Ordering) -> bool {
        PENDING.try_with(|p| p.replace(value)).unwrap_or(false)
    }

    /// Sets the flag on this thread.
    pub(crate) fn store(&self, value: bool, _order: Ordering) {
        let _ = PENDING.try_with(|p| p.set(value));
    }
}

/// A keyed hasher, prepared once so a digest costs one HMAC over the value.
#[derive(Clone)]
pub struct HashKey {
    mac: Hmac<Sha256>,
    /// Whether the key was drawn at random for this process.
    pub(crate) ephemeral: bool,
}

impl fmt::Debug for HashKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The key itself is never printed.
        f.debug_struct("HashKey")
            .field("ephemeral", &self.ephemeral)
            .finish_non_exhaustive()
    }
}

/// A digest as hex text, on the stack.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Digest([u8; 32]);

impl std::ops::Deref for Digest {
    type Target = str;
    fn deref(&self) -> &str {
        // Only ASCII hex digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl HashKey {
    /// A hasher with the given key (any length; 32 random bytes recommended).
    pub fn new(key: &[u8]) -> Self {
        HashKey {
            mac: Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length"),
            ephemeral: false,
        }
    }

    /// A hasher with a key drawn at random for this process.
    pub fn random() -> Self {
        let mut key = [0u8; 32];
        if getrandom::fill(&mut key).is_err() {
            // No OS randomness: fall back to std's randomly keyed hasher.
            use std::hash::{BuildHasher, Hasher};
            for chunk in key.chunks_mut(8) {
                let mut h = std::collections::hash_map::RandomState::new().build_hasher();
                h.write_usize(chunk.as_ptr() as usize);
                chunk.copy_from_slice(&h.finish().to_le_bytes());
            }
        }
        HashKey {
            ephemeral: true,
            ..HashKey::new(&key)
        }
    }

    /// The digest of `value`.
    ///
    /// ```
    /// let key = seclog::HashKey::new(b"k");
    /// let a = key.digest(b"alice");
    /// assert_eq!(a.len(), 32);
    /// assert_eq!(a, key.digest(b"alice"));
    /// assert_ne!(a, key.digest(b"bob"));
    /// assert_ne!(a, seclog::HashKey::new(b"other").digest(b"alice"));
    /// ```
    pub fn digest(&self, value: &[u8]) -> Digest {
        if self.ephemeral && !WARNED.swap(true, Ordering::Relaxed) {
            WARN_PENDING.store(true, Ordering::Relaxed);
        }
        let mut mac = self.mac.clone();
        mac.update(value);
        let bytes = mac.finalize().into_bytes();
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 32];
        for (i, b) in bytes.iter().take(16).enumerate() {
            out[2 * i] = HEX[(b >> 4) as usize];
            out[2 * i + 1] = HEX[(b & 0xf) as usize];
        }
        Digest(out)
    }
}
