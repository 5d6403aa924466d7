//! Runtime configuration: the builder, environment variables, and the
//! process-wide configuration records are written with.
//!
//! Zero set-up works: the first record configures seclog from the
//! environment. To see a bad value as an error at start-up, call
//! [`init`] (or [`Builder::install`]) first thing in `main`.
//!
//! | variable | values | default |
//! |---|---|---|
//! | `SECLOG_LEVEL` | `trace`, `debug`, `info`, `warn`, `error`, `critical`, `off` | `info` |
//! | `SECLOG_FORMAT` | `json`, `pretty` | `json` |
//! | `SECLOG_SINK` | `stdout`, `stderr`, `tracing` | `stdout` |
//! | `SECLOG_HASH_KEY` | the key for `#[redact(hash)]` (at least 16 bytes) | a random per-process key |
//! | `SECLOG_SEAL_KEY` | the investigator's public key for `#[redact(seal)]`, the line of `seclog-seal.pub` (feature `seal`) | none: sealed values are written `[REDACTED]` |
//! | `SECLOG_SENSITIVE_KEYS` | terms added to the [sensitive-key policy](crate::is_sensitive_key), comma-separated (`pin,account-number`); they redact derived fields of that name too | none |
//! | `SECLOG_SERVICE` | `service.name` | `AWS_LAMBDA_FUNCTION_NAME`, else the executable's name |
//! | `SECLOG_EMF` | `true`/`false`: CloudWatch metrics in end records (feature `emf`) | `false` |
//! | `SECLOG_EMF_NAMESPACE` | the metrics' CloudWatch namespace (feature `emf`; not starting with `AWS/`) | `seclog` |
//! | `SECLOG_MAX_STRING` | bytes per string | 4096 |
//! | `SECLOG_MAX_ITEMS` | items per array or map | 256 |
//! | `SECLOG_MAX_DEPTH` | nesting depth | 32 |
//! | `SECLOG_MAX_RECORD` | bytes per record, 8 KiB to 1 MiB | 262144 |
//! | `AWS_LAMBDA_LOG_LEVEL` | set by AWS Lambda's advanced logging controls: `TRACE`, `DEBUG`, `INFO`, `WARN`, `ERROR`, `FATAL` (only `critical`); the level when `SECLOG_LEVEL` is unset | unset |
//! | `AWS_LAMBDA_LOG_FORMAT` | set by AWS Lambda: `JSON` adds the root `level` and `timestamp` keys Lambda's log-level filter reads ([`Builder::lambda_json`]) | `Text` |
//!
//! When seclog configures itself lazily and a variable is invalid, it uses
//! that variable's default and writes an `error` record
//! (`event.kind: pipeline_error`) naming the variable, the value and the
//! fix, once, as the process's first record.

mod builder;
pub(crate) mod detector;
pub(crate) mod env;

pub use builder::Builder;
// Defined with the process's state and with installing, layers above, and
// re-exported here where users look for them.
pub use crate::install::init;
pub use crate::state::current;

use crate::hash::HashKey;
use crate::record::Level;
use crate::redact::shapes::Shapes;
use crate::redact::{Limits, Policy};
use crate::sink::Sink;
use std::fmt;

/// How records are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One ECS JSON object per line (the default; what log pipelines read).
    Json,
    /// One human-readable line per record: level, action, outcome, the
    /// 4 W's as `key=value`, payloads as JSON. Still one line per record,
    /// with every control character escaped.
    Pretty,
}

/// A configuration that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// An environment variable has a value seclog does not accept.
    InvalidVar {
        /// The variable, e.g. `SECLOG_LEVEL`.
        var: &'static str,
        /// Its value.
        value: String,
        /// What is accepted.
        expected: String,
    },
    /// A size limit is out of range.
    InvalidLimit {
        /// The builder method or variable.
        name: &'static str,
        /// The value given.
        value: usize,
        /// What is accepted.
        expected: String,
    },
    /// A hash key is too short to resist guessing.
    WeakHashKey {
        /// The key's length in bytes.
        len: usize,
    },
    /// The key for sealed values is not a usable public key.
    InvalidSealKey {
        /// Where it came from: `SECLOG_SEAL_KEY` or `Builder::seal_key`.
        name: &'static str,
        /// What is wrong with it (never the key's text: a private key
        /// given by mistake must not be echoed into the logs).
        problem: String,
    },
    /// `install` was called after seclog was already configured (by an
    /// earlier `install`, or lazily by the first record).
    AlreadyInstalled,
    /// A secret shape's name cannot be a kind name
    /// ([`Builder::secret_shape`](crate::Builder::secret_shape)).
    InvalidShapeName {
        /// The name given.
        name: &'static str,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::InvalidVar { var, value, expected } => {
                write!(f, "{var}={value:?} is not valid: expected {expected}")
            }
            ConfigError::InvalidLimit { name, value, expected } => {
                write!(f, "{name} = {value} is out of range: expected {expected}")
            }
            ConfigError::WeakHashKey { len } => write!(
                f,
                "the hash key is {len} bytes long: use at least {MIN_HASH_KEY} random bytes (SECLOG_HASH_KEY or Builder::hash_key)"
            ),
            ConfigError::InvalidSealKey { name, problem } => {
                write!(f, "{name} is not a usable sealing key: {problem}")
            }
            ConfigError::InvalidShapeName { name } => write!(
                f,
                "the secret shape name {name:?} is not valid: use 1 to 32 of a-z, 0-9 and _, other than a built-in kind's name (it is written as [REDACTED:<name>])"
            ),
            ConfigError::AlreadyInstalled => f.write_str(
                "seclog is already configured: call seclog::init() or Builder::install() once, before the first record",
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

const MIN_HASH_KEY: usize = 16;

/// A finished configuration. Cheap to copy; lives as long as the process
/// (build configurations once, not per request).
#[derive(Clone, Copy)]
pub struct Config(pub(crate) &'static Inner);

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("level", &self.0.level)
            .field("format", &self.0.format)
            .field("limits", &self.0.limits)
            .field("service", &self.0.service)
            .finish_non_exhaustive()
    }
}

pub(crate) struct Inner {
    /// `None` when logging is off.
    pub(crate) level: Option<Level>,
    pub(crate) format: Format,
    pub(crate) sink: Box<dyn Sink>,
    pub(crate) limits: Limits,
    pub(crate) policy: Policy,
    pub(crate) hash_key: HashKey,
    /// Seals `#[redact(seal)]` values; `None` without a key.
    #[cfg(feature = "seal")]
    pub(crate) sealer: Option<&'static crate::seal::Sealer>,
    /// Finding secrets by their shape: on or off, and the user's shapes.
    pub(crate) shapes: &'static Shapes,
    pub(crate) service: String,
    pub(crate) process: Process,
    pub(crate) emf: bool,
    /// AWS Lambda's JSON log format: records carry its `level` and
    /// `timestamp` root keys.
    pub(crate) lambda_json: bool,
    /// Problems found while configuring lazily, reported as records.
    pub(crate) problems: Vec<ConfigError>,
}

/// What the process environment says about Where.
#[derive(Debug, Clone, Default)]
pub(crate) struct Process {
    pub(crate) faas_name: Option<String>,
    pub(crate) faas_version: Option<String>,
    pub(crate) cloud_provider: Option<&'static str>,
    pub(crate) cloud_region: Option<String>,
}

impl Config {
    /// The least severe level written, or `None` when logging is off.
    pub fn level(&self) -> Option<Level> {
        self.0.level
    }

    /// The output format.
    pub fn format(&self) -> Format {
        self.0.format
    }

    /// The bounds.
    pub fn limits(&self) -> Limits {
        self.0.limits
    }

    /// `service.name`.
    pub fn service(&self) -> &str {
        &self.0.service
    }

    #[inline]
    pub(crate) fn enabled(&self, level: Level) -> bool {
        self.0.level.is_some_and(|min| level >= min)
    }
}

impl Config {
    /// The defaults, built without checks: for where the checked defaults
    /// failed to build, which they never do (this only satisfies the types).
    pub(crate) fn fallback() -> Config {
        Config(Box::leak(Box::new(Inner {
            level: Some(Level::Info),
            format: Format::Json,
            sink: Box::new(crate::sink::Stdout),
            limits: Limits::default(),
            policy: Policy::default(),
            hash_key: HashKey::random(),
            #[cfg(feature = "seal")]
            sealer: None,
            shapes: &crate::redact::shapes::DEFAULT,
            service: "unknown".into(),
            process: Process::default(),
            emf: false,
            lambda_json: false,
            problems: Vec::new(),
        })))
    }
}

/// Starts a configuration from the defaults.
pub fn builder() -> Builder {
    Builder::default()
}
