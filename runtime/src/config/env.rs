//! The one reader of the process environment: every `SECLOG_*` variable
//! (and the `AWS_*` ones that say where the process runs) is read here,
//! checked, and turned into configuration or a [`ConfigError`] naming the
//! variable, the value and what is accepted.

use super::builder::check_limits;
use super::builder::Builder;
use super::detector::{Settings, MAX_KEYS, MAX_THRESHOLD, MAX_WINDOW};
use super::{ConfigError, Format, Process, MIN_HASH_KEY};
use crate::record::Level;
use crate::redact::Limits;
use crate::sink;
use std::time::Duration;

/// A variable's value; unset and empty are the same.
pub(crate) fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Process {
    /// Where the process runs, from the platform's variables.
    pub(super) fn from_env() -> Self {
        let faas_name = env("AWS_LAMBDA_FUNCTION_NAME");
        Process {
            faas_version: env("AWS_LAMBDA_FUNCTION_VERSION"),
            cloud_provider: faas_name.as_ref().map(|_| "aws"),
            cloud_region: env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION")),
            faas_name,
        }
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

/// A level of AWS Lambda's advanced logging controls (`AWS_LAMBDA_LOG_LEVEL`):
/// `FATAL` keeps only `critical`.
fn lambda_level(v: &str) -> Option<Level> {
    Some(match v.trim().to_ascii_uppercase().as_str() {
        "TRACE" => Level::Trace,
        "DEBUG" => Level::Debug,
        "INFO" => Level::Info,
        "WARN" => Level::Warn,
        "ERROR" => Level::Error,
        "FATAL" => Level::Critical,
        _ => return None,
    })
}

impl Builder {
    /// Applies the `SECLOG_*` environment variables over what is set so far,
    /// and AWS Lambda's logging controls: `AWS_LAMBDA_LOG_LEVEL` sets the
    /// level when `SECLOG_LEVEL` is unset, and `AWS_LAMBDA_LOG_FORMAT=JSON`
    /// turns on [`Builder::lambda_json`].
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
            if let Err(expected) = check_emf_namespace(&v) {
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
        if let Some(v) = env("AWS_LAMBDA_LOG_LEVEL").filter(|_| env("SECLOG_LEVEL").is_none()) {
            match lambda_level(&v) {
                Some(l) => self.level = Some(l),
                None => self.problems.push(ConfigError::InvalidVar {
                    var: "AWS_LAMBDA_LOG_LEVEL",
                    value: v,
                    expected: "one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL (or set SECLOG_LEVEL)"
                        .into(),
                }),
            }
        }
        if let Some(v) = env("AWS_LAMBDA_LOG_FORMAT") {
            match v.trim().to_ascii_lowercase().as_str() {
                "json" => self.lambda_json = true,
                "text" => self.lambda_json = false,
                _ => self.problems.push(ConfigError::InvalidVar {
                    var: "AWS_LAMBDA_LOG_FORMAT",
                    value: v,
                    expected: "`JSON` or `Text`".into(),
                }),
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
}

impl Settings {
    /// Like `from_env`, but keeps the value of each invalid variable and
    /// returns the problems.
    pub(crate) fn read_env_lenient(mut self) -> (Self, Vec<ConfigError>) {
        let mut problems = Vec::new();
        let mut count = |var: &'static str, lo: u64, hi: u64, slot: &mut u64| {
            if let Some(v) = env(var) {
                match v.trim().parse::<u64>() {
                    Ok(n) if (lo..=hi).contains(&n) => *slot = n,
                    _ => problems.push(ConfigError::InvalidVar {
                        var,
                        value: v,
                        expected: format!("a whole number from {lo} to {hi}"),
                    }),
                }
            }
        };
        let mut user = u64::from(self.user_max_failures);
        let mut ip = u64::from(self.ip_max_users);
        let mut keys = self.max_keys as u64;
        count(
            "SECLOG_MONITOR_USER_MAX_FAILURES",
            1,
            u64::from(MAX_THRESHOLD),
            &mut user,
        );
        count(
            "SECLOG_MONITOR_IP_MAX_USERS",
            2,
            u64::from(MAX_THRESHOLD),
            &mut ip,
        );
        count("SECLOG_MONITOR_MAX_KEYS", 1, MAX_KEYS as u64, &mut keys);
        self.user_max_failures = user as u32;
        self.ip_max_users = ip as u32;
        self.max_keys = keys as usize;
        for (var, slot) in [
            ("SECLOG_MONITOR_USER_WINDOW", &mut self.user_window),
            ("SECLOG_MONITOR_IP_WINDOW", &mut self.ip_window),
        ] {
            if let Some(v) = env(var) {
                match humantime::parse_duration(v.trim()) {
                    Ok(d) if (Duration::from_secs(1)..=MAX_WINDOW).contains(&d) => *slot = d,
                    _ => problems.push(ConfigError::InvalidVar {
                        var,
                        value: v,
                        expected: "a duration from 1s to 24h, such as `90s`, `15m` or `1h`".into(),
                    }),
                }
            }
        }
        if let Some(v) = env("SECLOG_MONITOR") {
            match v.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => self.enabled = true,
                "0" | "false" | "no" | "off" => self.enabled = false,
                _ => problems.push(ConfigError::InvalidVar {
                    var: "SECLOG_MONITOR",
                    value: v,
                    expected: "`on` or `off`".into(),
                }),
            }
        }
        (self, problems)
    }
}

/// `SECLOG_EMF_NAMESPACE`: `None` when unset, else the namespace or why
/// CloudWatch would refuse it.
#[cfg(feature = "emf")]
pub(crate) fn emf_namespace() -> Option<Result<String, ConfigError>> {
    let v = env("SECLOG_EMF_NAMESPACE")?;
    Some(match check_emf_namespace(&v) {
        Ok(()) => Ok(v),
        Err(expected) => Err(ConfigError::InvalidVar {
            var: "SECLOG_EMF_NAMESPACE",
            value: v,
            expected,
        }),
    })
}

/// Whether CloudWatch accepts `ns` as a namespace; if not, what it accepts.
#[cfg(feature = "emf")]
pub(crate) fn check_emf_namespace(ns: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || ".-_/#: ".contains(c);
    if ns.is_empty() || ns.len() > 255 || !ns.chars().all(allowed) || ns.starts_with("AWS/") {
        return Err("1 to 255 of letters, digits and `.-_/#: `, not starting with `AWS/`".into());
    }
    Ok(())
}

#[cfg(all(test, feature = "emf"))]
mod tests {
    use super::*;

    #[test]
    fn namespaces_follow_cloudwatch_rules() {
        for ok in ["seclog", "Shop/Orders", "a.b-c_d#e:f g", &"n".repeat(255)] {
            assert!(check_emf_namespace(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "AWS/Lambda",
            "quote\"d",
            "new\nline",
            "é",
            &"n".repeat(256),
        ] {
            assert!(check_emf_namespace(bad).is_err(), "{bad}");
        }
    }
}
