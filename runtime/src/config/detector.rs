//! The brute-force detector's settings: thresholds and windows, checked
//! against their ranges (see [`seclog::monitor`](crate::monitor)).

use super::ConfigError;
use std::time::Duration;

/// The detector's thresholds and windows.
///
/// Each setting is a public field and a builder method of the same name;
/// [`Settings::from_env`] reads the `SECLOG_MONITOR_*` variables.
///
/// ```
/// use std::time::Duration;
/// let settings = seclog::monitor::Settings::default()
///     .user_max_failures(3)
///     .user_window(Duration::from_secs(300))
///     .ip_max_users(20);
/// assert_eq!(settings.user_max_failures, 3);
/// assert_eq!(settings.ip_window, Duration::from_secs(15 * 60));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Settings {
    /// Failures of one user within `user_window` that flag the user and
    /// write `authn_login_fail_max` (`SECLOG_MONITOR_USER_MAX_FAILURES`).
    pub user_max_failures: u32,
    /// The per-user sliding window (`SECLOG_MONITOR_USER_WINDOW`).
    pub user_window: Duration,
    /// Distinct users failing from one address within `ip_window` that flag
    /// the address and raise an alert (`SECLOG_MONITOR_IP_MAX_USERS`).
    pub ip_max_users: u32,
    /// The per-address sliding window (`SECLOG_MONITOR_IP_WINDOW`).
    pub ip_window: Duration,
    /// Most users, and most addresses, tracked at once; the least recently
    /// seen is evicted beyond it (`SECLOG_MONITOR_MAX_KEYS`).
    pub max_keys: usize,
    /// Whether failures are counted at all (`SECLOG_MONITOR=on|off`).
    pub enabled: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            user_max_failures: 5,
            user_window: Duration::from_secs(15 * 60),
            ip_max_users: 10,
            ip_window: Duration::from_secs(15 * 60),
            max_keys: 10_000,
            enabled: true,
        }
    }
}

pub(crate) const MAX_THRESHOLD: u32 = 64;
pub(crate) const MAX_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);
pub(crate) const MAX_KEYS: usize = 1_000_000;

impl Settings {
    /// Sets [`user_max_failures`](Settings#structfield.user_max_failures).
    ///
    /// ```
    /// let s = seclog::monitor::Settings::default().user_max_failures(3);
    /// assert_eq!(s.user_max_failures, 3);
    /// ```
    pub fn user_max_failures(mut self, n: u32) -> Self {
        self.user_max_failures = n;
        self
    }

    /// Sets [`user_window`](Settings#structfield.user_window).
    ///
    /// ```
    /// let s = seclog::monitor::Settings::default().user_window(std::time::Duration::from_secs(300));
    /// assert_eq!(s.user_window.as_secs(), 300);
    /// ```
    pub fn user_window(mut self, window: Duration) -> Self {
        self.user_window = window;
        self
    }

    /// Sets [`ip_max_users`](Settings#structfield.ip_max_users).
    ///
    /// ```
    /// let s = seclog::monitor::Settings::default().ip_max_users(20);
    /// assert_eq!(s.ip_max_users, 20);
    /// ```
    pub fn ip_max_users(mut self, n: u32) -> Self {
        self.ip_max_users = n;
        self
    }

    /// Sets [`ip_window`](Settings#structfield.ip_window).
    ///
    /// ```
    /// let s = seclog::monitor::Settings::default().ip_window(std::time::Duration::from_secs(3600));
    /// assert_eq!(s.ip_window.as_secs(), 3600);
    /// ```
    pub fn ip_window(mut self, window: Duration) -> Self {
        self.ip_window = window;
        self
    }

    /// Sets [`max_keys`](Settings#structfield.max_keys).
    ///
    /// ```
    /// let s = seclog::monitor::Settings::default().max_keys(100_000);
    /// assert_eq!(s.max_keys, 100_000);
    /// ```
    pub fn max_keys(mut self, n: usize) -> Self {
        self.max_keys = n;
        self
    }

    /// Sets [`enabled`](Settings#structfield.enabled).
    ///
    /// ```
    /// let s = seclog::monitor::Settings::default().enabled(false);
    /// assert_eq!(s.enabled, false);
    /// ```
    pub fn enabled(mut self, on: bool) -> Self {
        self.enabled = on;
        self
    }

    /// Applies the `SECLOG_MONITOR_*` environment variables over these
    /// settings; the first invalid one is an error naming it.
    ///
    /// ```
    /// std::env::set_var("SECLOG_MONITOR_USER_WINDOW", "soon");
    /// let err = seclog::monitor::Settings::default().from_env().unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     r#"SECLOG_MONITOR_USER_WINDOW="soon" is not valid: expected a duration from 1s to 24h, such as `90s`, `15m` or `1h`"#
    /// );
    /// std::env::remove_var("SECLOG_MONITOR_USER_WINDOW");
    /// ```
    pub fn from_env(self) -> Result<Self, ConfigError> {
        let (settings, problems) = self.read_env_lenient();
        match problems.into_iter().next() {
            Some(e) => Err(e),
            None => Ok(settings),
        }
    }

    /// Checks every setting against its range.
    ///
    /// ```
    /// let err = seclog::monitor::Settings::default().ip_max_users(1).validate().unwrap_err();
    /// assert_eq!(err.to_string(), "ip_max_users = 1 is out of range: expected 2 to 64");
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |name, value: u64, expected: &str| {
            Err(ConfigError::InvalidLimit {
                name,
                value: usize::try_from(value).unwrap_or(usize::MAX),
                expected: expected.into(),
            })
        };
        if !(1..=MAX_THRESHOLD).contains(&self.user_max_failures) {
            return bad(
                "user_max_failures",
                self.user_max_failures.into(),
                "1 to 64",
            );
        }
        if !(2..=MAX_THRESHOLD).contains(&self.ip_max_users) {
            return bad("ip_max_users", self.ip_max_users.into(), "2 to 64");
        }
        if !(1..=MAX_KEYS).contains(&self.max_keys) {
            return bad("max_keys", self.max_keys as u64, "1 to 1000000");
        }
        for (name, window) in [
            ("user_window", self.user_window),
            ("ip_window", self.ip_window),
        ] {
            if !(Duration::from_secs(1)..=MAX_WINDOW).contains(&window) {
                return bad(name, window.as_secs(), "1 to 86400 seconds");
            }
        }
        Ok(())
    }
}
