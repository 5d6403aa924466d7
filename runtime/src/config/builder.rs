//! The builder: a configuration set in code, checked and frozen by
//! [`Builder::build`].

use super::{Config, ConfigError, Format, Inner, Process, MIN_HASH_KEY};
use crate::hash::HashKey;
use crate::record::Level;
use crate::redact::shapes::{self, SecretKind, SecretShape, Shapes};
use crate::redact::{Limits, Policy};
use crate::sink::{self, Sink};
use std::fmt;

/// Configures seclog. Start with [`builder`](crate::builder).
///
/// ```
/// let config = seclog::builder()
///     .level(seclog::Level::Debug)
///     .format(seclog::Format::Pretty)
///     .max_string_bytes(1024)
///     .sensitive_key("pin")
///     .service("payments")
///     .build()
///     .unwrap();
/// assert_eq!(config.level(), Some(seclog::Level::Debug));
/// ```
#[must_use]
pub struct Builder {
    pub(super) level: Option<Level>,
    pub(super) format: Format,
    pub(super) sink: Option<Box<dyn Sink>>,
    pub(super) limits: Limits,
    pub(super) extra_keys: Vec<String>,
    pub(super) hash_key: Option<Vec<u8>>,
    /// The public key for sealed values, as text, and where it came from.
    #[cfg(feature = "seal")]
    pub(super) seal_key: Option<(&'static str, String)>,
    pub(super) shape_detection: bool,
    pub(super) shapes: Vec<(&'static str, Box<dyn SecretShape>)>,
    pub(super) service: Option<String>,
    pub(super) emf: bool,
    pub(super) lambda_json: bool,
    pub(super) monitor: Option<super::detector::Settings>,
    pub(super) problems: Vec<ConfigError>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            level: Some(Level::Info),
            format: Format::Json,
            sink: None,
            limits: Limits::default(),
            extra_keys: Vec::new(),
            hash_key: None,
            #[cfg(feature = "seal")]
            seal_key: None,
            shape_detection: true,
            shapes: Vec::new(),
            service: None,
            emf: false,
            lambda_json: false,
            monitor: None,
            problems: Vec::new(),
        }
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("level", &self.level)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl Builder {
    /// The least severe level written (`SECLOG_LEVEL`).
    pub fn level(mut self, level: Level) -> Self {
        self.level = Some(level);
        self
    }

    /// Writes no records at all.
    pub fn off(mut self) -> Self {
        self.level = None;
        self
    }

    /// JSON or pretty (`SECLOG_FORMAT`).
    pub fn format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// Any sink.
    pub fn sink(mut self, sink: impl Sink) -> Self {
        self.sink = Some(Box::new(sink));
        self
    }

    /// Records to standard output (the default).
    pub fn stdout(self) -> Self {
        self.sink(sink::Stdout)
    }

    /// Records to standard error.
    pub fn stderr(self) -> Self {
        self.sink(sink::Stderr)
    }

    /// Records to any `io::Write`.
    pub fn writer<W: std::io::Write + Send + 'static>(self, w: W) -> Self {
        self.sink(sink::Writer::new(w))
    }

    /// Records as `tracing` events (target `seclog`).
    pub fn tracing(self) -> Self {
        self.sink(sink::Tracing)
    }

    /// Longest string kept, in bytes.
    pub fn max_string_bytes(mut self, n: usize) -> Self {
        self.limits.max_string_bytes = n;
        self
    }

    /// Most items kept per array, map or object.
    pub fn max_items(mut self, n: usize) -> Self {
        self.limits.max_items = n;
        self
    }

    /// Deepest nesting kept.
    pub fn max_depth(mut self, n: usize) -> Self {
        self.limits.max_depth = n;
        self
    }

    /// Largest record in bytes, from 8 KiB to 1 MiB.
    pub fn max_record_bytes(mut self, n: usize) -> Self {
        self.limits.max_record_bytes = n;
        self
    }

    /// Adds a term to the sensitive-key policy (matched like the defaults:
    /// contained in the key, ignoring case, `-`, `_`, `.` and spaces;
    /// `SECLOG_SENSITIVE_KEYS` adds more). Besides keys of untyped data, it
    /// redacts the fields of `#[derive(Redact)]` types whose logged name
    /// contains it, unless they are marked `#[redact(clear)]`.
    pub fn sensitive_key(mut self, term: impl Into<String>) -> Self {
        self.extra_keys.push(term.into());
        self
    }

    /// The key for `#[redact(hash)]` digests (`SECLOG_HASH_KEY`); at least
    /// 16 bytes. Use the same key in every function whose records should
    /// correlate.
    pub fn hash_key(mut self, key: impl AsRef<[u8]>) -> Self {
        self.hash_key = Some(key.as_ref().to_vec());
        self
    }

    /// The investigator's public key for `#[redact(seal)]` values
    /// (`SECLOG_SEAL_KEY`): the line of the `seclog-seal.pub` file that
    /// `seclog keygen` writes. [`build`](Self::build) checks it; without
    /// one, sealed values are written `[REDACTED]` and a `pipeline_error`
    /// record says so, once.
    ///
    /// ```
    /// let investigator = seclog::seal::UnsealKey::generate().unwrap(); // kept offline
    /// let public = investigator.seal_key().to_string();
    /// assert!(seclog::builder().seal_key(public.as_str()).build().is_ok());
    ///
    /// let err = seclog::builder().seal_key("seclog-seal-pub:v1:0123").build().unwrap_err();
    /// assert!(err.to_string().starts_with("Builder::seal_key is not a usable sealing key"));
    /// ```
    #[cfg(feature = "seal")]
    pub fn seal_key(mut self, public_key: impl Into<String>) -> Self {
        self.seal_key = Some(("Builder::seal_key", public_key.into()));
        self
    }

    /// Whether secrets are found by their shape in the text seclog writes
    /// (JSON Web Tokens, `Bearer` and `Basic` credentials, AWS access key
    /// ids, services' tokens and webhook URLs, PEM private keys, card
    /// numbers, sensitive `key=value` and `key: value` pairs, and the
    /// shapes added with [`secret_shape`](Self::secret_shape); all the
    /// kinds: [`SecretKind`](crate::redact::shapes::SecretKind)):
    /// on by default. Turning it off leaves such text as it is, to be
    /// redacted by type and by key only; it exists to measure what finding
    /// shapes costs, and for text known to hold none.
    ///
    /// ```
    /// #[seclog::audit]
    /// fn note(text: &str) {}
    ///
    /// let text = "key AKIAIOSFODNN7EXAMPLE";
    /// let on = seclog::testing::capture(|| note(text));
    /// assert_eq!(on.records()[0]["seclog"]["input"]["text"], "key [REDACTED:aws_access_key_id]");
    /// let off = seclog::builder().shape_detection(false).build().unwrap();
    /// let off = seclog::testing::capture_with(off, || note(text));
    /// assert_eq!(off.records()[0]["seclog"]["input"]["text"], text);
    /// ```
    pub fn shape_detection(mut self, on: bool) -> Self {
        self.shape_detection = on;
        self
    }

    /// Adds a shape of secret of your own, found like the built-in ones in
    /// every text seclog writes and replaced by `[REDACTED:<name>]`: see
    /// [`SecretShape`](crate::redact::shapes::SecretShape). The name is 1
    /// to 32 of `a-z`, `0-9` and `_`, not a built-in kind's name
    /// ([`SecretKind`]); [`build`](Self::build) says otherwise.
    ///
    /// ```
    /// /// `ACME-` and twelve upper-case letters or digits: an Acme API key.
    /// fn acme_key(text: &str, from: usize) -> Option<std::ops::Range<usize>> {
    ///     let at = from + text.get(from..)?.find("ACME-")?;
    ///     let key = text.as_bytes().get(at + 5..at + 17)?;
    ///     if key.iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
    ///         Some(at..at + 17)
    ///     } else {
    ///         acme_key(text, at + 5)
    ///     }
    /// }
    ///
    /// #[seclog::audit]
    /// fn call(note: &str) {}
    ///
    /// let config = seclog::builder().secret_shape("acme_key", acme_key).build().unwrap();
    /// let run = seclog::testing::capture_with(config, || call("retry with ACME-7F3K9QW2ZX1B"));
    /// assert_eq!(run.records()[0]["seclog"]["input"]["note"], "retry with [REDACTED:acme_key]");
    ///
    /// let bad = seclog::builder().secret_shape("Acme Key", acme_key).build();
    /// assert!(matches!(bad, Err(seclog::ConfigError::InvalidShapeName { .. })));
    /// ```
    pub fn secret_shape(mut self, name: &'static str, shape: impl SecretShape) -> Self {
        self.shapes.push((name, Box::new(shape)));
        self
    }

    /// `service.name` (`SECLOG_SERVICE`).
    pub fn service(mut self, name: impl Into<String>) -> Self {
        self.service = Some(name.into());
        self
    }

    /// CloudWatch Embedded Metric Format in end records (`SECLOG_EMF`).
    pub fn emf(mut self, on: bool) -> Self {
        self.emf = on;
        self
    }

    /// Whether every record also carries the root `"level"` (AWS Lambda's
    /// names: `critical` is `FATAL`) and `"timestamp"` keys that Lambda's
    /// log-level filter reads when the function's log format is JSON, so
    /// Lambda never drops a record seclog wrote. On by itself when
    /// `AWS_LAMBDA_LOG_FORMAT=JSON` (what Lambda sets for that log format).
    ///
    /// ```
    /// #[seclog::audit]
    /// fn ping() -> Result<(), &'static str> { Err("down") }
    ///
    /// let config = seclog::builder().lambda_json(true).build().unwrap();
    /// let run = seclog::testing::capture_with(config, ping);
    /// let end = &run.records()[1];
    /// assert_eq!(end["level"], "WARN");
    /// assert_eq!(end["timestamp"], end["@timestamp"]);
    /// ```
    pub fn lambda_json(mut self, on: bool) -> Self {
        self.lambda_json = on;
        self
    }

    /// Thresholds and windows of the brute-force detector
    /// ([`seclog::monitor`](crate::monitor)), applied by [`Builder::install`].
    ///
    /// ```
    /// let settings = seclog::monitor::Settings::default().user_max_failures(3);
    /// let builder = seclog::builder().monitor(settings);
    /// # let _ = builder;
    /// ```
    pub fn monitor(mut self, settings: super::detector::Settings) -> Self {
        self.monitor = Some(settings);
        self
    }

    /// Checks and freezes the configuration.
    pub fn build(self) -> Result<Config, ConfigError> {
        check_limits(&self.limits)?;
        for &(name, _) in &self.shapes {
            let built_in = SecretKind::BUILT_IN.iter().any(|k| k.name() == name);
            if !shapes::is_valid_kind_name(name) || built_in {
                return Err(ConfigError::InvalidShapeName { name });
            }
        }
        let hash_key = match &self.hash_key {
            Some(k) if k.len() < MIN_HASH_KEY => {
                return Err(ConfigError::WeakHashKey { len: k.len() })
            }
            Some(k) => HashKey::new(k),
            None => HashKey::random(),
        };
        #[cfg(feature = "seal")]
        let sealer = match &self.seal_key {
            None => None,
            Some((name, text)) => {
                let invalid = |e: crate::seal::KeyError| ConfigError::InvalidSealKey {
                    name,
                    problem: e.to_string(),
                };
                let key: crate::seal::SealKey = text.parse().map_err(invalid)?;
                // The one asymmetric operation: an ephemeral key pair and
                // its agreement with the investigator's key, per
                // configuration (that is, per process or key rotation).
                let sealer = crate::seal::Sealer::new(&key).map_err(invalid)?;
                Some(&*Box::leak(Box::new(sealer)))
            }
        };
        let process = Process::from_env();
        let service = self
            .service
            .clone()
            .or_else(|| process.faas_name.clone())
            .or_else(|| {
                std::env::current_exe()
                    .ok()
                    .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
            })
            .unwrap_or_else(|| "unknown".into());
        let inner = Inner {
            level: self.level,
            format: self.format,
            sink: self.sink.unwrap_or_else(|| Box::new(sink::Stdout)),
            limits: self.limits,
            policy: Policy::with_extra(self.extra_keys),
            hash_key,
            #[cfg(feature = "seal")]
            sealer,
            shapes: match (self.shape_detection, self.shapes.is_empty()) {
                (true, true) => &shapes::DEFAULT,
                (false, true) => &shapes::OFF,
                (on, false) => Box::leak(Box::new(Shapes {
                    on,
                    custom: self.shapes,
                })),
            },
            service,
            process,
            emf: self.emf,
            lambda_json: self.lambda_json,
            problems: self.problems,
        };
        // Configurations live for the whole process: records borrow from
        // them on the hot path without reference counting.
        Ok(Config(Box::leak(Box::new(inner))))
    }

    /// The detector settings given, for [`Builder::install`] (taken, so
    /// they are installed once).
    pub(crate) fn take_monitor(&mut self) -> Option<super::detector::Settings> {
        self.monitor.take()
    }
}

/// Checks each limit against its range, the record limit first.
pub(super) fn check_limits(l: &Limits) -> Result<(), ConfigError> {
    let bad = |name, value, expected: String| {
        Err(ConfigError::InvalidLimit {
            name,
            value,
            expected,
        })
    };
    if !(Limits::MIN_RECORD_BYTES..=Limits::MAX_RECORD_BYTES).contains(&l.max_record_bytes) {
        return bad(
            "max_record_bytes",
            l.max_record_bytes,
            format!(
                "{} to {} (CloudWatch Logs' event limit)",
                Limits::MIN_RECORD_BYTES,
                Limits::MAX_RECORD_BYTES
            ),
        );
    }
    let max_string = l.max_record_bytes / 16;
    if !(16..=max_string).contains(&l.max_string_bytes) {
        return bad(
            "max_string_bytes",
            l.max_string_bytes,
            format!("16 to {max_string} (a 16th of the record limit)"),
        );
    }
    if !(1..=65_536).contains(&l.max_items) {
        return bad("max_items", l.max_items, "1 to 65536".into());
    }
    if !(2..=128).contains(&l.max_depth) {
        return bad("max_depth", l.max_depth, "2 to 128".into());
    }
    Ok(())
}
