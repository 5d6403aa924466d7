//! The vocabulary of a record: levels, outcomes, phases, and the
//! [`Outcome`] trait by which a response says whether it was a failure.

use std::fmt;
use std::str::FromStr;

/// The ECS release whose field list and allowed values the records follow,
/// written in every record's `ecs.version` (the repository's
/// `reference/ecs/fields.csv` is that release's list, and a test keeps the
/// two equal).
pub const ECS_VERSION: &str = "9.5.0-dev";

/// A record's severity (`log.level`).
///
/// `Critical` is above `Error`: the OWASP Logging Vocabulary uses it for
/// events such as `authz_fail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Level {
    /// Very detailed diagnostics.
    Trace = 0,
    /// Diagnostics.
    Debug = 1,
    /// Normal operation: the default for a successful invocation.
    Info = 2,
    /// Something failed: the level of a failed invocation.
    Warn = 3,
    /// Something broke: the level of a panic.
    Error = 4,
    /// A security event that needs attention now.
    Critical = 5,
}

impl Level {
    /// The name written in `log.level`.
    ///
    /// ```
    /// assert_eq!(seclog::Level::Warn.as_str(), "warn");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
            Level::Critical => "critical",
        }
    }
    /// The level's name in AWS Lambda's advanced logging controls, which
    /// read a JSON log line's root `"level"`: `critical` is `FATAL`.
    ///
    /// ```
    /// assert_eq!(seclog::Level::Critical.lambda_name(), "FATAL");
    /// assert_eq!(seclog::Level::Warn.lambda_name(), "WARN");
    /// ```
    pub const fn lambda_name(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
            Level::Critical => "FATAL",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for a level name that does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseLevelError(pub(crate) String);

impl fmt::Display for ParseLevelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown level `{}`; expected one of: trace, debug, info, warn, error, critical, off",
            self.0
        )
    }
}

impl std::error::Error for ParseLevelError {}

impl FromStr for Level {
    type Err = ParseLevelError;

    /// Parses a level name, ignoring case (`warning` is accepted for `warn`).
    ///
    /// ```
    /// assert_eq!("WARN".parse::<seclog::Level>(), Ok(seclog::Level::Warn));
    /// assert!("loud".parse::<seclog::Level>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "trace" => Ok(Level::Trace),
            "debug" => Ok(Level::Debug),
            "info" => Ok(Level::Info),
            "warn" | "warning" => Ok(Level::Warn),
            "error" => Ok(Level::Error),
            "critical" => Ok(Level::Critical),
            _ => Err(ParseLevelError(s.to_string())),
        }
    }
}

/// `event.outcome`: the ECS allowed values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventOutcome {
    /// The handler did what was asked.
    Success,
    /// The handler failed or refused.
    Failure,
    /// Not known (a cancelled invocation).
    Unknown,
}

impl EventOutcome {
    /// The ECS value.
    pub const fn as_str(self) -> &'static str {
        match self {
            EventOutcome::Success => "success",
            EventOutcome::Failure => "failure",
            EventOutcome::Unknown => "unknown",
        }
    }
}

/// How a handler's response says whether the invocation succeeded.
///
/// `#[audit]` uses it for the returned value (the `Ok` value of a
/// `Result`); types without it are successes. The HTTP response types of
/// the integrations implement it (status >= 400 is a failure).
///
/// ```
/// use seclog::{EventOutcome, Outcome};
///
/// #[derive(serde::Serialize)]
/// struct LoginReply { accepted: bool }
///
/// impl Outcome for LoginReply {
///     fn outcome(&self) -> EventOutcome {
///         if self.accepted { EventOutcome::Success } else { EventOutcome::Failure }
///     }
/// }
///
/// #[seclog::audit]
/// fn login(user: &str) -> LoginReply {
///     LoginReply { accepted: user == "alice" }
/// }
///
/// let run = seclog::testing::capture(|| login("mallory"));
/// assert_eq!(run.records()[1]["event"]["outcome"], "failure");
/// ```
pub trait Outcome {
    /// Success or failure of the invocation that returned `self`.
    fn outcome(&self) -> EventOutcome;

    /// The HTTP status code, for `http.response.status_code`, if any.
    fn status_code(&self) -> Option<u16> {
        None
    }
}

impl<T: Outcome + ?Sized> Outcome for &T {
    fn outcome(&self) -> EventOutcome {
        (**self).outcome()
    }
    fn status_code(&self) -> Option<u16> {
        (**self).status_code()
    }
}

impl<T: Outcome + ?Sized> Outcome for Box<T> {
    fn outcome(&self) -> EventOutcome {
        (**self).outcome()
    }
    fn status_code(&self) -> Option<u16> {
        (**self).status_code()
    }
}

/// `Err` is a failure. `#[audit]` sees a `Result` by its name and handles
/// `Ok` and `Err` itself (the `Ok` value's own `Outcome`, the error's
/// message and type); this is for a `Result` it cannot see, behind an
/// alias such as `type Reply = Result<Response, ApiError>`, which is then
/// logged as a value: an `Err` still makes the invocation a failure.
///
/// ```
/// type Reply = Result<u64, String>;
///
/// #[seclog::audit]
/// fn withdraw(amount: u64) -> Reply {
///     if amount > 100 { Err("insufficient funds".into()) } else { Ok(100 - amount) }
/// }
///
/// let run = seclog::testing::capture(|| withdraw(500));
/// let end = &run.records()[1];
/// assert_eq!(end["event"]["outcome"], "failure");
/// assert_eq!(end["log.level"], "warn");
/// assert_eq!(end["seclog"]["response"]["Err"], "insufficient funds");
/// ```
impl<T, E> Outcome for Result<T, E> {
    fn outcome(&self) -> EventOutcome {
        match self {
            Ok(_) => EventOutcome::Success,
            Err(_) => EventOutcome::Failure,
        }
    }
}

/// Which record of an invocation this is (`seclog.phase`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Before the body runs: inputs.
    Start,
    /// After it returned, failed, panicked or was cancelled.
    End,
    /// A security event emitted during (or outside) an invocation.
    Event,
}

impl Phase {
    /// The value of `seclog.phase`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Phase::Start => "start",
            Phase::End => "end",
            Phase::Event => "event",
        }
    }
}

/// When a handler writes its records (`emit = "both" | "end"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Emit {
    /// A start record with the inputs, and an end record.
    Both,
    /// One record at the end, with inputs and response.
    End,
}
