//! Runtime configuration: the builder, environment variables, and the
//! process-wide configuration records are written with.
//!
//! Zero set-up works: the first record configures seclog from the
//! environment. To see a bad value as an error at start-up, call
//! [`init`](crate::init) (or [`Builder::install`]) first thing in `main`.
//!
//! | variable | values | default |
//! |---|---|---|
//! | `SECLOG_LEVEL` | `trace`, `debug`, `info`, `warn`, `error`, `critical`, `off` | `info` |
//! | `SECLOG_FORMAT` | `json`, `pretty` | `json` |
//! | `SECLOG_SINK` | `stdout`, `stderr`, `tracing` | `stdout` |
//! | `SECLOG_HASH_KEY` | the key for `#[redact(hash)]` (at least 16 bytes) | a random per-process key |
//! | `SECLOG_SENSITIVE_KEYS` | terms added to the [sensitive-key policy](crate::is_sensitive_key), comma-separated (`pin,account-number`); they redact derived fields of that name too | none |
//! | `SECLOG_SERVICE` | `service.name` | `AWS_LAMBDA_FUNCTION_NAME`, else the executable's name |
//! | `SECLOG_EMF` | `true`/`false`: CloudWatch metrics in end records (feature `emf`) | `false` |
//! | `SECLOG_EMF_NAMESPACE` | the metrics' CloudWatch namespace (feature `emf`; not starting with `AWS/`) | `seclog` |
//! | `SECLOG_MAX_STRING` | bytes per string | 4096 |
//! | `SECLOG_MAX_ITEMS` | items per array or map | 256 |
//! | `SECLOG_MAX_DEPTH` | nesting depth | 32 |
//! | `SECLOG_MAX_RECORD` | bytes per record, 8 KiB to 1 MiB | 262144 |
//!
//! When seclog configures itself lazily and a variable is invalid, it uses
//! that variable's default and writes an `error` record
//! (`event.kind: pipeline_error`) naming the variable, the value and the
//! fix, once, as the process's first record.

use crate::hash::HashKey;
use crate::record::Level;
use crate::redact::{Limits, Policy};
use crate::sink::{self, Sink};
use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

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
    /// `install` was called after seclog was already configured (by an
    /// earlier `install`, or lazily by the first record).
    AlreadyInstalled,
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
    pub(crate) service: String,
    pub(crate) process: Process,
    pub(crate) emf: bool,
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

impl Process {
    fn from_env() -> Self {
        let faas_name = env("AWS_LAMBDA_FUNCTION_NAME");
        Process {
            faas_version: env("AWS_LAMBDA_FUNCTION_VERSION"),
            cloud_provider: faas_name.as_ref().map(|_| "aws"),
            cloud_region: env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION")),
            faas_name,
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

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
    level: Option<Level>,
    format: Format,
    sink: Option<Box<dyn Sink>>,
    limits: Limits,
    extra_keys: Vec<String>,
    hash_key: Option<Vec<u8>>,
    service: Option<String>,
    emf: bool,
    monitor: Option<crate::monitor::Settings>,
    problems: Vec<ConfigError>,
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
            service: None,
            emf: false,
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

    /// Applies the `SECLOG_*` environment variables over what is set so far.
    ///
    /// ```
    /// std::env::set_var("SECLOG_FORMAT", "xml");
    /// let err = seclog::builder().from_env().unwrap_err();
    /// assert_eq!(err.to_string(), r#"SECLOG_FORMAT="xml" is not valid: expected `json` or `pretty`"#);
    /// std::env::remove_var("SECLOG_FORMAT");
    /// ```
    /// The `SECLOG_MONITOR_*` variables of the brute-force detector are
    /// checked here too, so `seclog::init()` rejects a bad one at start-up.
    pub fn from_env(self) -> Result<Self, ConfigError> {
        let mut b = self.env_lenient();
        if let Some(e) = b.problems.first() {
            return Err(e.clone());
        }
        // Read when the first metrics are written; checked here too, so a
        // bad value fails `init` rather than being reported later.
        #[cfg(feature = "emf")]
        if let Some(v) = env("SECLOG_EMF_NAMESPACE") {
            if let Err(expected) = crate::integrations::emf::check_namespace(&v) {
                return Err(ConfigError::InvalidVar {
                    var: "SECLOG_EMF_NAMESPACE",
                    value: v,
                    expected,
                });
            }
        }
        b.monitor = Some(b.monitor.take().unwrap_or_default().from_env()?);
        Ok(b)
    }

    /// Thresholds and windows of the brute-force detector
    /// ([`seclog::monitor`](crate::monitor)), applied by [`Builder::install`].
    ///
    /// ```
    /// let settings = seclog::monitor::Settings::default().user_max_failures(3);
    /// let builder = seclog::builder().monitor(settings);
    /// # let _ = builder;
    /// ```
    pub fn monitor(mut self, settings: crate::monitor::Settings) -> Self {
        self.monitor = Some(settings);
        self
    }

    /// Like `from_env`, but keeps the default of each invalid variable and
    /// remembers the problem, to be reported as a record.
    pub(crate) fn env_lenient(mut self) -> Self {
        if let Some(v) = env("SECLOG_LEVEL") {
            if v.trim().eq_ignore_ascii_case("off") {
                self.level = None;
            } else {
                match v.parse::<Level>() {
                    Ok(l) => self.level = Some(l),
                    Err(_) => self.problems.push(ConfigError::InvalidVar {
                        var: "SECLOG_LEVEL",
                        value: v,
                        expected: "one of trace, debug, info, warn, error, critical, off".into(),
                    }),
                }
            }
        }
        if let Some(v) = env("SECLOG_FORMAT") {
            match v.trim().to_ascii_lowercase().as_str() {
                "json" => self.format = Format::Json,
                "pretty" => self.format = Format::Pretty,
                _ => self.problems.push(ConfigError::InvalidVar {
                    var: "SECLOG_FORMAT",
                    value: v,
                    expected: "`json` or `pretty`".into(),
                }),
            }
        }
        if let Some(v) = env("SECLOG_SINK") {
            match v.trim().to_ascii_lowercase().as_str() {
                "stdout" => self.sink = Some(Box::new(sink::Stdout)),
                "stderr" => self.sink = Some(Box::new(sink::Stderr)),
                "tracing" => self.sink = Some(Box::new(sink::Tracing)),
                _ => self.problems.push(ConfigError::InvalidVar {
                    var: "SECLOG_SINK",
                    value: v,
                    expected: "one of stdout, stderr, tracing".into(),
                }),
            }
        }
        if let Some(v) = env("SECLOG_HASH_KEY") {
            if v.len() < MIN_HASH_KEY {
                self.problems.push(ConfigError::InvalidVar {
                    var: "SECLOG_HASH_KEY",
                    // Never echo a secret, even a bad one.
                    value: format!("<{} bytes>", v.len()),
                    expected: format!("at least {MIN_HASH_KEY} bytes"),
                });
            } else {
                self.hash_key = Some(v.into_bytes());
            }
        }
        if let Some(v) = env("SECLOG_SENSITIVE_KEYS") {
            match sensitive_terms(&v) {
                Some(terms) => self.extra_keys.extend(terms),
                None => self.problems.push(ConfigError::InvalidVar {
                    var: "SECLOG_SENSITIVE_KEYS",
                    value: v,
                    expected: "terms separated by commas, each of letters, digits, `-`, `_`, `.` or spaces, as in `pin,account-number`".into(),
                }),
            }
        }
        if let Some(v) = env("SECLOG_SERVICE") {
            self.service = Some(v);
        }
        if let Some(v) = env("SECLOG_EMF") {
            match v.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => self.emf = true,
                "0" | "false" | "no" | "off" => self.emf = false,
                _ => self.problems.push(ConfigError::InvalidVar {
                    var: "SECLOG_EMF",
                    value: v,
                    expected: "`true` or `false`".into(),
                }),
            }
        }
        for (var, slot) in [
            ("SECLOG_MAX_STRING", &mut self.limits.max_string_bytes),
            ("SECLOG_MAX_ITEMS", &mut self.limits.max_items),
            ("SECLOG_MAX_DEPTH", &mut self.limits.max_depth),
            ("SECLOG_MAX_RECORD", &mut self.limits.max_record_bytes),
        ] {
            if let Some(v) = env(var) {
                match v.trim().parse::<usize>() {
                    Ok(n) => *slot = n,
                    Err(_) => self.problems.push(ConfigError::InvalidVar {
                        var,
                        value: v,
                        expected: "a whole number of bytes or items".into(),
                    }),
                }
            }
        }
        // A limit out of range is reported under its variable, and the
        // default kept.
        let defaults = Limits::default();
        if let Err(e) = check_limits(&self.limits) {
            if let ConfigError::InvalidLimit {
                name,
                value,
                expected,
            } = e
            {
                let var = match name {
                    "max_string_bytes" => {
                        self.limits.max_string_bytes = defaults.max_string_bytes;
                        "SECLOG_MAX_STRING"
                    }
                    "max_items" => {
                        self.limits.max_items = defaults.max_items;
                        "SECLOG_MAX_ITEMS"
                    }
                    "max_depth" => {
                        self.limits.max_depth = defaults.max_depth;
                        "SECLOG_MAX_DEPTH"
                    }
                    _ => {
                        self.limits.max_record_bytes = defaults.max_record_bytes;
                        "SECLOG_MAX_RECORD"
                    }
                };
                self.problems.push(ConfigError::InvalidVar {
                    var,
                    value: value.to_string(),
                    expected,
                });
            }
            if check_limits(&self.limits).is_err() {
                self.limits = defaults;
            }
        }
        self
    }

    /// Checks and freezes the configuration.
    pub fn build(self) -> Result<Config, ConfigError> {
        check_limits(&self.limits)?;
        let hash_key = match &self.hash_key {
            Some(k) if k.len() < MIN_HASH_KEY => {
                return Err(ConfigError::WeakHashKey { len: k.len() })
            }
            Some(k) => HashKey::new(k),
            None => HashKey::random(),
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
            service,
            process,
            emf: self.emf,
            problems: self.problems,
        };
        // Configurations live for the whole process: records borrow from
        // them on the hot path without reference counting.
        Ok(Config(Box::leak(Box::new(inner))))
    }

    /// Builds and makes this the process's configuration.
    ///
    /// Fails with [`ConfigError::AlreadyInstalled`] when seclog is already
    /// configured.
    pub fn install(mut self) -> Result<(), ConfigError> {
        // Checked before anything is installed, so a bad setting leaves
        // the process unconfigured rather than half-configured.
        let monitor = self
            .monitor
            .take()
            .map(crate::monitor::Monitor::new)
            .transpose()?;
        let config = self.build()?;
        install(config)?;
        if let Some(m) = monitor {
            crate::monitor::install(m);
        }
        Ok(())
    }
}

/// The terms of `SECLOG_SENSITIVE_KEYS`, or `None` when one is empty or
/// has a character no key term needs (a `;` or `|` used as the separator
/// would otherwise make one long term that never matches).
fn sensitive_terms(value: &str) -> Option<Vec<String>> {
    value
        .split(',')
        .map(|t| {
            let t = t.trim();
            let allowed = t
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' '));
            (allowed && t.chars().any(char::is_alphanumeric)).then(|| t.to_string())
        })
        .collect()
}

fn check_limits(l: &Limits) -> Result<(), ConfigError> {
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

static GLOBAL: OnceLock<Config> = OnceLock::new();
/// The global least level as a byte, for the hot path: `UNSET` until
/// configured, `OFF` when logging is off. A level below it is off, which
/// is one comparison; `UNSET` is below every level, so the configuration
/// is read (and made) on the first look.
static MAX_LEVEL: AtomicU8 = AtomicU8::new(UNSET);
const UNSET: u8 = 0;
const OFF: u8 = 254;

fn install(config: Config) -> Result<(), ConfigError> {
    GLOBAL
        .set(config)
        .map_err(|_| ConfigError::AlreadyInstalled)?;
    publish(config);
    Ok(())
}

fn publish(config: Config) {
    MAX_LEVEL.store(config.0.level.map_or(OFF, |l| l as u8), Ordering::Release);
    for problem in &config.0.problems {
        crate::format::report_config_problem(config, problem);
    }
}

/// The process's configuration, configuring from the environment on first use.
#[inline]
pub(crate) fn global() -> Config {
    match GLOBAL.get() {
        Some(c) => *c,
        None => configure(),
    }
}

#[cold]
fn configure() -> Config {
    let mut fresh = false;
    let config = *GLOBAL.get_or_init(|| {
        fresh = true;
        // Lenient: a bad variable is reported as a record, not a failure.
        Builder::default()
            .env_lenient()
            .build()
            .unwrap_or_else(|_| {
                Builder::default()
                    .build()
                    .unwrap_or_else(|_| unreachable_config())
            })
    });
    if fresh {
        publish(config);
    }
    config
}

/// The defaults always build; this only satisfies the types.
fn unreachable_config() -> Config {
    Config(Box::leak(Box::new(Inner {
        level: Some(Level::Info),
        format: Format::Json,
        sink: Box::new(sink::Stdout),
        limits: Limits::default(),
        policy: Policy::default(),
        hash_key: HashKey::random(),
        service: "unknown".into(),
        process: Process::default(),
        emf: false,
        problems: Vec::new(),
    })))
}

/// Whether a record at `level` would be written by the global
/// configuration: one atomic load once configured.
#[inline]
pub(crate) fn global_enabled(level: Level) -> bool {
    let max = MAX_LEVEL.load(Ordering::Relaxed);
    if (level as u8) < max {
        return false;
    }
    // Not configured yet (or configured at `trace`, whose byte is the
    // same): the configuration says.
    max != UNSET || global().enabled(level)
}

/// Configures seclog from the environment, reporting the first bad
/// variable as an error. Call it first thing in `main` to fail fast.
///
/// ```no_run
/// fn main() -> Result<(), seclog::ConfigError> {
///     seclog::init()?;
///     // ... run the handlers
///     Ok(())
/// }
/// ```
pub fn init() -> Result<(), ConfigError> {
    Builder::default().from_env()?.install()
}

/// Starts a configuration from the defaults.
pub fn builder() -> Builder {
    Builder::default()
}

/// The configuration records are currently written with on this thread.
#[inline]
pub fn current() -> Config {
    crate::testing::override_config().unwrap_or_else(global)
}
