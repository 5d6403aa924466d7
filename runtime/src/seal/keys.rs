//! The investigator's key pair: its text forms, its key id, and the files
//! `seclog keygen` writes.

use super::{b64, KEY_ID_LEN};
use base64::Engine as _;
use sha2::{Digest as _, Sha256};
use std::fmt;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use x25519_dalek::{PublicKey, StaticSecret};

/// The public key's text begins with this.
const PUBLIC_PREFIX: &str = "seclog-seal-pub:v1:";
/// The private key's line begins with this.
const SECRET_PREFIX: &str = "seclog-seal-secret:v1:";
/// Domain separation for the key id, so it is never the digest of anything
/// else.
const KEY_ID_LABEL: &[u8] = b"seclog-seal key id v1";

/// The name of the private key file `seclog keygen` writes.
pub const SECRET_FILE: &str = "seclog-seal.key";
/// The name of the public key file `seclog keygen` writes.
pub const PUBLIC_FILE: &str = "seclog-seal.pub";

/// A key's short name: the first 8 bytes of a SHA-256 of its public key,
/// written as 16 hex digits in the public key, the private key and every
/// token sealed for it, so a token says which key opens it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId(pub(crate) [u8; KEY_ID_LEN]);

impl KeyId {
    fn of(public: &PublicKey) -> KeyId {
        let digest = Sha256::new()
            .chain_update(KEY_ID_LABEL)
            .chain_update(public.as_bytes())
            .finalize();
        let mut id = [0u8; KEY_ID_LEN];
        id.copy_from_slice(&digest[..KEY_ID_LEN]);
        KeyId(id)
    }

    /// The id as 16 lower-case hex digits, on the stack.
    pub(crate) fn hex(&self) -> [u8; 2 * KEY_ID_LEN] {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 2 * KEY_ID_LEN];
        for (i, b) in self.0.iter().enumerate() {
            out[2 * i] = HEX[(b >> 4) as usize];
            out[2 * i + 1] = HEX[(b & 0xf) as usize];
        }
        out
    }

    /// Reads 16 lower-case hex digits.
    pub(crate) fn parse(text: &str) -> Option<KeyId> {
        let bytes = text.as_bytes();
        if bytes.len() != 2 * KEY_ID_LEN {
            return None;
        }
        let digit = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        let mut id = [0u8; KEY_ID_LEN];
        for (i, pair) in bytes.chunks(2).enumerate() {
            id[i] = digit(pair[0])? << 4 | digit(pair[1])?;
        }
        Some(KeyId(id))
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only ASCII hex digits are in it.
        f.write_str(std::str::from_utf8(&self.hex()).unwrap_or_default())
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// Why a key's text, a key file or key generation was refused.
///
/// No message ever contains key material: a private key pasted where a
/// public one belongs is named as such, not echoed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// The text is not a seclog public key.
    NotAPublicKey,
    /// A private key was given where the public key belongs.
    SecretGivenAsPublic,
    /// The text is not a seclog private key file.
    NotASecretKey,
    /// The key's text has the right prefix but the wrong shape.
    Malformed(&'static str),
    /// The key id in the text is not the id of the key beside it.
    KeyIdMismatch,
    /// The public key is one of the few X25519 points that would make every
    /// sealed value readable by anyone.
    WeakKey,
    /// The operating system gave no randomness.
    NoRandomness,
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::NotAPublicKey => write!(
                f,
                "not a seclog sealing key: expected the line of `{PUBLIC_FILE}`, which begins with `{PUBLIC_PREFIX}` (make one with `seclog keygen DIR`)"
            ),
            KeyError::SecretGivenAsPublic => write!(
                f,
                "this is the private unseal key (`{SECRET_FILE}`): never give it to a function; use the line of `{PUBLIC_FILE}` instead, and since it was exposed, make a new key pair"
            ),
            KeyError::NotASecretKey => write!(
                f,
                "not a seclog unseal key: expected the file `{SECRET_FILE}` written by `seclog keygen`, whose key line begins with `{SECRET_PREFIX}`"
            ),
            KeyError::Malformed(what) => write!(f, "the key is damaged: {what}; copy it again, whole"),
            KeyError::KeyIdMismatch => f.write_str(
                "the key id does not match the key: the text was altered or cut; copy it again, whole",
            ),
            KeyError::WeakKey => f.write_str(
                "the public key is a degenerate X25519 point that would not keep values secret; make a new key pair with `seclog keygen DIR`",
            ),
            KeyError::NoRandomness => {
                f.write_str("the operating system gave no randomness to make a key with")
            }
        }
    }
}

impl std::error::Error for KeyError {}

/// The investigator's public key: what a function holds to seal values
/// (`SECLOG_SEAL_KEY`, or [`Builder::seal_key`](crate::Builder::seal_key)).
/// It can seal but never open; it is not secret, though there is no reason
/// to publish it.
///
/// Its text is one line, `seclog-seal-pub:v1:<key id>:<key>`, as in the
/// `seclog-seal.pub` file `seclog keygen` writes; the key id doubles as a
/// checksum, so a value altered or cut in a deployment is refused at
/// start-up rather than sealing values for a key nobody has.
///
/// ```
/// let secret = seclog::seal::UnsealKey::generate().unwrap();
/// let public = secret.seal_key();
/// let text = public.to_string();
/// assert!(text.starts_with("seclog-seal-pub:v1:"));
/// let parsed: seclog::seal::SealKey = text.parse().unwrap();
/// assert_eq!(parsed, public);
/// assert_eq!(parsed.id(), secret.id());
/// assert!(text[..text.len() - 1].parse::<seclog::seal::SealKey>().is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SealKey {
    pub(crate) public: PublicKey,
    pub(crate) id: KeyId,
}

impl SealKey {
    /// The key's id, as tokens sealed for it carry.
    pub fn id(&self) -> KeyId {
        self.id
    }

    fn new(public: PublicKey) -> Result<SealKey, KeyError> {
        // A low-order point gives the same shared secret whatever the
        // ephemeral key: refuse it before anything is sealed with it.
        let probe = StaticSecret::from([0x5a; 32]).diffie_hellman(&public);
        if !probe.was_contributory() {
            return Err(KeyError::WeakKey);
        }
        Ok(SealKey {
            id: KeyId::of(&public),
            public,
        })
    }
}

impl FromStr for SealKey {
    type Err = KeyError;

    fn from_str(text: &str) -> Result<SealKey, KeyError> {
        let text = text.trim();
        if text.contains(SECRET_PREFIX) {
            return Err(KeyError::SecretGivenAsPublic);
        }
        let rest = text
            .strip_prefix(PUBLIC_PREFIX)
            .ok_or(KeyError::NotAPublicKey)?;
        let (id, key) = split_id(rest)?;
        let public = PublicKey::from(*decode_key(key)?);
        let key = SealKey::new(public)?;
        if key.id != id {
            return Err(KeyError::KeyIdMismatch);
        }
        Ok(key)
    }
}

impl fmt::Display for SealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut key = [0u8; 43];
        let n = b64()
            .encode_slice(self.public.as_bytes(), &mut key)
            .unwrap_or(0);
        write!(
            f,
            "{PUBLIC_PREFIX}{}:{}",
            self.id,
            std::str::from_utf8(&key[..n]).unwrap_or_default()
        )
    }
}

impl fmt::Debug for SealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SealKey({self})")
    }
}

/// The investigator's private key: the only thing that opens sealed values.
/// Kept offline (`seclog-seal.key`, written by `seclog keygen` with mode
/// 0600); never given to a function or a log reader. It is wiped from
/// memory when dropped, and never printed by `Debug`.
///
/// ```
/// let secret = seclog::seal::UnsealKey::generate().unwrap();
/// let file = secret.to_file_text();
/// assert!(file.contains(&secret.seal_key().to_string()), "the file names its public key");
/// let read = seclog::seal::UnsealKey::from_file_text(&file).unwrap();
/// assert_eq!(read.id(), secret.id());
/// assert!(!format!("{read:?}").contains(&file.lines().last().unwrap()[30..]));
/// ```
#[derive(Clone)]
pub struct UnsealKey {
    pub(crate) secret: StaticSecret,
    pub(crate) public: SealKey,
}

impl UnsealKey {
    /// A new key pair, from the operating system's randomness.
    pub fn generate() -> Result<UnsealKey, KeyError> {
        let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut bytes[..]).map_err(|_| KeyError::NoRandomness)?;
        let secret = StaticSecret::from(*bytes);
        let public = SealKey::new(PublicKey::from(&secret))?;
        Ok(UnsealKey { secret, public })
    }

    /// The public key that seals values for this key.
    pub fn seal_key(&self) -> SealKey {
        self.public.clone()
    }

    /// The key's id.
    pub fn id(&self) -> KeyId {
        self.public.id
    }

    /// The key file's text: comment lines saying what it is and naming its
    /// public key, then the key line `seclog-seal-secret:v1:<key id>:<key>`.
    pub fn to_file_text(&self) -> String {
        let mut key = zeroize::Zeroizing::new([0u8; 43]);
        let n = b64()
            .encode_slice(self.secret.as_bytes(), &mut key[..])
            .unwrap_or(0);
        format!(
            "# seclog unseal key: opens the values sealed for key id {id}.\n\
             # Keep it offline and readable by the investigator only; never deploy it.\n\
             # Its public key, for SECLOG_SEAL_KEY: {public}\n\
             {SECRET_PREFIX}{id}:{key}\n",
            id = self.public.id,
            public = self.public,
            key = std::str::from_utf8(&key[..n]).unwrap_or_default(),
        )
    }

    /// Reads a key file's text: `#` comment lines and blank lines are
    /// ignored, and exactly one key line must remain.
    pub fn from_file_text(text: &str) -> Result<UnsealKey, KeyError> {
        let mut lines = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'));
        let line = lines.next().ok_or(KeyError::NotASecretKey)?;
        if lines.next().is_some() {
            return Err(KeyError::Malformed("the file holds more than one key line"));
        }
        let rest = line
            .strip_prefix(SECRET_PREFIX)
            .ok_or(KeyError::NotASecretKey)?;
        let (id, key) = split_id(rest)?;
        let secret = StaticSecret::from(*decode_key(key)?);
        let public = SealKey::new(PublicKey::from(&secret))?;
        if public.id != id {
            return Err(KeyError::KeyIdMismatch);
        }
        Ok(UnsealKey { secret, public })
    }

    /// Reads a key file.
    pub fn read(path: &Path) -> Result<UnsealKey, KeyFileError> {
        let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|source| {
            KeyFileError::Io {
                path: path.to_path_buf(),
                source,
            }
        })?);
        UnsealKey::from_file_text(&text).map_err(|source| KeyFileError::Key {
            path: path.to_path_buf(),
            source,
        })
    }
}

impl fmt::Debug for UnsealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The private key itself is never printed.
        f.debug_struct("UnsealKey")
            .field("id", &self.public.id)
            .finish_non_exhaustive()
    }
}

/// Splits `<key id>:<key>` and reads the id.
fn split_id(rest: &str) -> Result<(KeyId, &str), KeyError> {
    let (id, key) = rest
        .split_once(':')
        .ok_or(KeyError::Malformed("the key id or the key is missing"))?;
    let id = KeyId::parse(id).ok_or(KeyError::Malformed(
        "the key id is not 16 lower-case hex digits",
    ))?;
    Ok((id, key))
}

/// Reads a 32-byte key written in unpadded base64url.
fn decode_key(text: &str) -> Result<zeroize::Zeroizing<[u8; 32]>, KeyError> {
    const BAD: KeyError = KeyError::Malformed("the key is not 43 characters of base64url");
    let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
    if text.len() != 43 {
        return Err(BAD);
    }
    match b64().decode_slice(text, &mut bytes[..]) {
        Ok(32) => Ok(bytes),
        _ => Err(BAD),
    }
}

/// Why the key files could not be read or written.
#[derive(Debug)]
#[non_exhaustive]
pub enum KeyFileError {
    /// Reading or writing a file failed.
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// A key file is already there: a new key would orphan every value
    /// sealed for the old one.
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// The file is not a usable key.
    Key {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        source: KeyError,
    },
}

impl fmt::Display for KeyFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyFileError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            KeyFileError::Exists { path } => write!(
                f,
                "{} already exists: a new key would leave every value sealed for the old one unopenable; move it somewhere safe first, or choose another directory",
                path.display()
            ),
            KeyFileError::Key { path, source } => write!(f, "{}: {source}", path.display()),
        }
    }
}

impl std::error::Error for KeyFileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            KeyFileError::Io { source, .. } => Some(source),
            KeyFileError::Key { source, .. } => Some(source),
            KeyFileError::Exists { .. } => None,
        }
    }
}

/// The files [`write_key_pair`] wrote.
#[derive(Debug)]
pub struct KeyFiles {
    /// The private key, `DIR/seclog-seal.key`.
    pub secret: PathBuf,
    /// The public key, `DIR/seclog-seal.pub`.
    pub public: PathBuf,
    /// The new key.
    pub key: SealKey,
}

/// Makes a key pair in `dir` (created if missing): `seclog-seal.key`, the
/// private key, created with mode 0600 on Unix, and `seclog-seal.pub`, one
/// line of text for `SECLOG_SEAL_KEY`. Never overwrites an existing key
/// file.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("seclog-keygen-doc-{}", std::process::id()));
/// let files = seclog::seal::write_key_pair(&dir).unwrap();
/// let public = std::fs::read_to_string(&files.public).unwrap();
/// assert_eq!(public.trim().parse::<seclog::seal::SealKey>().unwrap(), files.key);
/// let secret = seclog::seal::UnsealKey::read(&files.secret).unwrap();
/// assert_eq!(secret.id(), files.key.id());
/// #[cfg(unix)]
/// {
///     use std::os::unix::fs::PermissionsExt;
///     let mode = std::fs::metadata(&files.secret).unwrap().permissions().mode();
///     assert_eq!(mode & 0o777, 0o600);
/// }
/// assert!(seclog::seal::write_key_pair(&dir).is_err(), "an existing key is never replaced");
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn write_key_pair(dir: &Path) -> Result<KeyFiles, KeyFileError> {
    let io_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| KeyFileError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    let secret_path = dir.join(SECRET_FILE);
    let public_path = dir.join(PUBLIC_FILE);
    for path in [&secret_path, &public_path] {
        if path.exists() {
            return Err(KeyFileError::Exists { path: path.clone() });
        }
    }
    let key = UnsealKey::generate().map_err(|source| KeyFileError::Key {
        path: secret_path.clone(),
        source,
    })?;
    let secret_text = zeroize::Zeroizing::new(key.to_file_text());
    write_new(&secret_path, secret_text.as_bytes(), 0o600)?;
    let public_text = format!("{}\n", key.public);
    write_new(&public_path, public_text.as_bytes(), 0o644)?;
    Ok(KeyFiles {
        secret: secret_path,
        public: public_path,
        key: key.public,
    })
}

/// Writes a file that must not exist yet, with `mode` from its creation on
/// (so the private key is never readable by others, not even briefly), and
/// flushes it to disk: a key lost to a crash would orphan what it sealed.
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), KeyFileError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path).map_err(|source| {
        if source.kind() == io::ErrorKind::AlreadyExists {
            KeyFileError::Exists {
                path: path.to_path_buf(),
            }
        } else {
            KeyFileError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    })?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|source| KeyFileError::Io {
            path: path.to_path_buf(),
            source,
        })
}
