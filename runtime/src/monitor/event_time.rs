//! The detector on event time: replayed over records on their own
//! timestamps (what the `seclog` command and a fleet-wide detector do),
//! through the same counting as the clock-driven methods.

use super::{millis, Findings, Monitor};

/// Event time: the detector replayed over records on their own timestamps.
///
/// A detector fed through these methods reads no clock: each call says
/// when its event happened (a record's `@timestamp`), so failures logged by
/// many processes, hours ago, are counted in the windows they fell in. Feed
/// one detector either event times or its clock, not both: the two count
/// from different origins. Feed events in time order; one earlier than an
/// event already counted is taken to be within the window of it.
impl Monitor {
    /// [`failure`](Monitor::failure) at the time `at`.
    ///
    /// ```
    /// use seclog::monitor::{Monitor, Settings};
    /// use std::time::{Duration, SystemTime};
    ///
    /// let monitor = Monitor::new(Settings::default().user_max_failures(2).user_window(Duration::from_secs(60))).unwrap();
    /// let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    /// assert!(!monitor.failure_at(t0, Some("alice"), Some("192.0.2.1")).user_limit_reached);
    /// let late = monitor.failure_at(t0 + Duration::from_secs(61), Some("alice"), Some("192.0.2.2"));
    /// assert!(!late.user_limit_reached, "61 s apart: not within one window");
    /// let soon = monitor.failure_at(t0 + Duration::from_secs(62), Some("alice"), None);
    /// assert!(soon.user_limit_reached);
    /// assert!(monitor.is_flagged_user_at("alice", t0 + Duration::from_secs(100)));
    /// assert!(!monitor.is_flagged_user_at("alice", t0 + Duration::from_secs(200)));
    /// ```
    pub fn failure_at(
        &self,
        at: std::time::SystemTime,
        user: Option<&str>,
        source: Option<&str>,
    ) -> Findings {
        self.count_failure(event_millis(at), user.map(|u| self.user_key(u)), source)
    }

    /// [`success`](Monitor::success) at the time `at`: the failures that
    /// preceded it, within the user window before `at`.
    ///
    /// ```
    /// use seclog::monitor::Monitor;
    /// use std::time::{Duration, SystemTime};
    ///
    /// let monitor = Monitor::new(Default::default()).unwrap();
    /// let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    /// monitor.failure_at(t0, Some("bob"), None);
    /// monitor.failure_at(t0 + Duration::from_secs(1), Some("bob"), None);
    /// assert_eq!(monitor.success_at(t0 + Duration::from_secs(2), Some("bob")), 2);
    /// monitor.failure_at(t0 + Duration::from_secs(3), Some("bob"), None);
    /// let hour_later = t0 + Duration::from_secs(3600);
    /// assert_eq!(monitor.success_at(hour_later, Some("bob")), 0, "the failure is a window old");
    /// ```
    pub fn success_at(&self, at: std::time::SystemTime, user: Option<&str>) -> u32 {
        self.count_success(event_millis(at), user)
    }

    /// [`is_flagged_user`](Monitor::is_flagged_user) at the time `at`, for
    /// `user` as logged (the name, or the digest of a hashed user).
    ///
    /// ```
    /// use seclog::monitor::{Monitor, Settings};
    /// use std::time::{Duration, SystemTime};
    ///
    /// let monitor = Monitor::new(Settings::default().user_max_failures(1)).unwrap();
    /// let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    /// monitor.failure_at(t0, Some("mallory"), None);
    /// assert!(monitor.is_flagged_user_at("mallory", t0 + Duration::from_secs(60)));
    /// assert!(!monitor.is_flagged_user_at("mallory", t0 + Duration::from_secs(15 * 60)));
    /// ```
    pub fn is_flagged_user_at(&self, user: &str, at: std::time::SystemTime) -> bool {
        self.flagged_user_key_at(self.user_key(user), event_millis(at))
    }

    /// [`is_flagged_ip`](Monitor::is_flagged_ip) at the time `at`.
    ///
    /// ```
    /// use seclog::monitor::{Monitor, Settings};
    /// use std::time::{Duration, SystemTime};
    ///
    /// let monitor = Monitor::new(Settings::default().ip_max_users(2)).unwrap();
    /// let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    /// monitor.failure_at(t0, Some("ann"), Some("203.0.113.9"));
    /// monitor.failure_at(t0, Some("bob"), Some("203.0.113.9"));
    /// assert!(monitor.is_flagged_ip_at("203.0.113.9", t0 + Duration::from_secs(1)));
    /// assert!(!monitor.is_flagged_ip_at("203.0.113.10", t0 + Duration::from_secs(1)));
    /// ```
    pub fn is_flagged_ip_at(&self, ip: &str, at: std::time::SystemTime) -> bool {
        self.flagged_ip_at(ip, event_millis(at))
    }
}

/// Milliseconds since the Unix epoch, shifted by one as the clock's times
/// are (0 marks an empty slot); times before the epoch count as the epoch.
fn event_millis(at: std::time::SystemTime) -> u64 {
    let since = at
        .duration_since(std::time::SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    millis(since).saturating_add(1)
}
