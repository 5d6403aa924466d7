//! The brute-force detector: authentication failures counted per user and
//! per source IP in sliding windows.
//!
//! Every failed `login` or `mfa` attempt of an audited handler (see
//! [`AuthEvent`](crate::AuthEvent)), and every
//! `security_event!(authn_login_fail, ...)`, is counted here:
//!
//! - **per user**: when one user reaches [`Settings::user_max_failures`]
//!   failures within [`Settings::user_window`], seclog writes
//!   `authn_login_fail_max:<user>,<max>` (level `warn`) once, and the user
//!   stays flagged for one window from then. A later success writes
//!   `authn_login_successafterfail:<user>,<retries>`.
//! - **per source IP**: when failures for [`Settings::ip_max_users`]
//!   distinct users come from one address within [`Settings::ip_window`]
//!   (credential stuffing, password spraying), seclog writes one
//!   `event.kind: alert` record (level `critical`, `event.action:
//!   credential_stuffing`) and the address stays flagged for one window.
//!
//! A handler can refuse early with [`is_flagged_user`] and
//! [`is_flagged_ip`].
//!
//! | setting | env var | default | range |
//! |---|---|---|---|
//! | [`user_max_failures`](Settings::user_max_failures) | `SECLOG_MONITOR_USER_MAX_FAILURES` | 5 | 1 to 64 |
//! | [`user_window`](Settings::user_window) | `SECLOG_MONITOR_USER_WINDOW` | `15m` | 1 s to 24 h |
//! | [`ip_max_users`](Settings::ip_max_users) | `SECLOG_MONITOR_IP_MAX_USERS` | 10 | 2 to 64 |
//! | [`ip_window`](Settings::ip_window) | `SECLOG_MONITOR_IP_WINDOW` | `15m` | 1 s to 24 h |
//! | [`max_keys`](Settings::max_keys) | `SECLOG_MONITOR_MAX_KEYS` | 10000 | 1 to 1000000 |
//! | [`enabled`](Settings::enabled) | `SECLOG_MONITOR` (`on`/`off`) | on | |
//!
//! Durations are written like `90s`, `15m` or `1h`.
//!
//! **Bounded memory, constant work.** Users and addresses are tracked by a
//! 64-bit keyed fingerprint, never by their text, in two tables of at most
//! `max_keys` entries each; when a table is full, the entry least recently
//! seen is evicted. A user entry keeps the times of its last
//! `user_max_failures` failures (a ring, so "that many within the window"
//! is one comparison); an address entry keeps its last `ip_max_users`
//! distinct users. Each event does a bounded amount of work (at most 64
//! comparisons) whatever the traffic, and at the defaults both tables
//! together hold about 4 MB at most (3.9 MB with tables full), however
//! many users and addresses fail.
//!
//! ```
//! use seclog::monitor::{ManualClock, Monitor, Settings};
//! use std::time::Duration;
//!
//! let clock = ManualClock::new();
//! let settings = Settings::default().user_max_failures(3).user_window(Duration::from_secs(60));
//! let monitor = Monitor::with_clock(settings, clock.clone()).unwrap();
//!
//! assert!(!monitor.failure(Some("alice"), Some("198.51.100.7")).user_limit_reached);
//! assert!(!monitor.failure(Some("alice"), Some("198.51.100.7")).user_limit_reached);
//! assert!(monitor.failure(Some("alice"), Some("198.51.100.7")).user_limit_reached);
//! assert!(monitor.is_flagged_user("alice"));
//!
//! clock.advance(Duration::from_secs(61));
//! assert!(!monitor.is_flagged_user("alice"), "the window slid past the failures");
//! ```

mod clock;
mod event_time;
mod table;

pub use crate::config::detector::Settings;
pub use clock::{Clock, ManualClock};

use crate::config::ConfigError;
use clock::SystemClock;
use std::collections::hash_map::RandomState;
use std::future::Future;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use table::{State, Table};

/// What one failure did to the counts.
///
/// ```
/// let monitor = seclog::monitor::Monitor::new(Default::default()).unwrap();
/// let f = monitor.failure(Some("alice"), Some("203.0.113.5"));
/// assert_eq!((f.user_failures, f.ip_distinct_users), (1, 1));
/// assert!(!f.user_limit_reached && !f.ip_limit_reached);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Findings {
    /// The user's failures since its last success, this one included, with
    /// no pause of a whole user window between two of them (the `retries`
    /// a success would report).
    pub user_failures: u32,
    /// This failure flagged the user: it reached `user_max_failures`
    /// while the user was not flagged yet.
    pub user_limit_reached: bool,
    /// Distinct users failing from this address within the address window.
    pub ip_distinct_users: u32,
    /// This failure flagged the address: it reached `ip_max_users`.
    pub ip_limit_reached: bool,
}

/// How many users and addresses the detector tracks right now (see
/// [`Monitor::tracked`]).
///
/// ```
/// let monitor = seclog::monitor::Monitor::new(Default::default()).unwrap();
/// monitor.failure(Some("alice"), Some("192.0.2.1"));
/// assert_eq!(monitor.tracked(), seclog::monitor::Tracked { users: 1, ips: 1 });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tracked {
    /// User entries.
    pub users: usize,
    /// Address entries.
    pub ips: usize,
}

/// A detector: settings, a clock and the counts. Cheap to clone (clones
/// share the counts).
///
/// seclog feeds the process's detector ([`current`]); build your own to
/// use other settings ([`install`]) or, in tests, to isolate counts and
/// move time ([`Monitor::scope`], [`ManualClock`]).
///
/// ```
/// use seclog::monitor::{Monitor, Settings};
///
/// let monitor = Monitor::new(Settings::default().ip_max_users(3)).unwrap();
/// for user in ["ann", "bob", "cid"] {
///     monitor.failure(Some(user), Some("192.0.2.1"));
/// }
/// assert!(monitor.is_flagged_ip("192.0.2.1"));
/// assert!(!monitor.is_flagged_ip("192.0.2.2"));
/// ```
#[derive(Clone)]
pub struct Monitor(Arc<Shared>);

struct Shared {
    settings: Settings,
    clock: Box<dyn Clock>,
    state: Mutex<State>,
    keys: RandomState,
    /// Whether a user was ever counted by digest (`user.hash`), so that
    /// `is_flagged_user` also looks the digest up.
    saw_digests: AtomicBool,
}

impl std::fmt::Debug for Monitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Monitor")
            .field("settings", &self.0.settings)
            .field("tracked", &self.tracked())
            .finish()
    }
}

impl Monitor {
    /// A detector with the process's monotonic clock; an error names a
    /// setting out of range.
    ///
    /// ```
    /// use seclog::monitor::{Monitor, Settings};
    /// assert!(Monitor::new(Settings::default()).is_ok());
    /// assert!(Monitor::new(Settings::default().max_keys(0)).is_err());
    /// ```
    pub fn new(settings: Settings) -> Result<Monitor, ConfigError> {
        Self::with_clock(settings, SystemClock(Instant::now()))
    }

    /// A detector reading time from `clock`.
    ///
    /// ```
    /// let clock = seclog::monitor::ManualClock::new();
    /// let monitor = seclog::monitor::Monitor::with_clock(Default::default(), clock).unwrap();
    /// assert_eq!(monitor.settings().user_max_failures, 5);
    /// ```
    pub fn with_clock(settings: Settings, clock: impl Clock) -> Result<Monitor, ConfigError> {
        settings.validate()?;
        let state = State {
            users: Table::new(settings.max_keys, settings.user_max_failures as usize),
            ips: Table::new(settings.max_keys, 2 * settings.ip_max_users as usize),
        };
        Ok(Monitor(Arc::new(Shared {
            settings,
            clock: Box::new(clock),
            state: Mutex::new(state),
            keys: RandomState::new(),
            saw_digests: AtomicBool::new(false),
        })))
    }

    /// The settings.
    ///
    /// ```
    /// let monitor = seclog::monitor::Monitor::new(Default::default()).unwrap();
    /// assert_eq!(monitor.settings().ip_max_users, 10);
    /// ```
    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    /// Counts a failed authentication of `user` (as logged: the name, or
    /// the digest for hashed users) from `source` (an IP address, or any
    /// address text). seclog calls it for every failed `login` or `mfa`
    /// attempt; call it yourself for attempts seclog does not see.
    ///
    /// ```
    /// use seclog::monitor::{Monitor, Settings};
    /// let monitor = Monitor::new(Settings::default().user_max_failures(2)).unwrap();
    /// assert!(!monitor.failure(Some("alice"), Some("192.0.2.1")).user_limit_reached);
    /// let second = monitor.failure(Some("alice"), Some("192.0.2.2"));
    /// assert!(second.user_limit_reached, "the user is counted across addresses");
    /// assert_eq!(second.user_failures, 2);
    /// ```
    pub fn failure(&self, user: Option<&str>, source: Option<&str>) -> Findings {
        self.count_failure(self.now(), user.map(|u| self.user_key(u)), source)
    }

    /// [`failure`](Monitor::failure) for a user logged by digest.
    pub(crate) fn failure_by_digest(&self, digest: &str, source: Option<&str>) -> Findings {
        self.0.saw_digests.store(true, Ordering::Relaxed);
        self.failure(Some(digest), source)
    }

    fn count_failure(&self, now: u64, user: Option<u64>, source: Option<&str>) -> Findings {
        let s = &self.0.settings;
        let mut findings = Findings::default();
        if !s.enabled {
            return findings;
        }
        let mut state = self.0.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(key) = user {
            let window = millis(s.user_window);
            let (node, times) = state.users.touch(key);
            let width = times.len();
            let newest = times
                .get((node.pos as usize + width - 1) % width)
                .copied()
                .unwrap_or(0);
            if node.len == 0 || now.saturating_sub(newest) >= window {
                node.streak = 0;
            }
            node.streak = node.streak.saturating_add(1);
            findings.user_failures = node.streak;
            if let Some(slot) = times.get_mut(node.pos as usize) {
                *slot = now;
            }
            node.pos = (node.pos + 1) % width as u32;
            node.len = (node.len + 1).min(width as u32);
            // The ring holds the last `max` failures: the limit is reached
            // when the oldest of them is still inside the window.
            let oldest = times.get(node.pos as usize).copied().unwrap_or(0);
            let full = node.len as usize == width && now.saturating_sub(oldest) < window;
            if full && node.flagged_until <= now {
                node.flagged_until = now.saturating_add(window);
                findings.user_limit_reached = true;
            }
        }
        if let (Some(source), Some(user)) = (source, user) {
            let window = millis(s.ip_window);
            let (node, pairs) = state.ips.touch(self.ip_key(source));
            // Pairs of (user fingerprint, time of its last failure); time 0
            // is an empty pair.
            let live = |t: u64| t != 0 && now.saturating_sub(t) < window;
            let mut found = false;
            let mut free = None;
            let mut oldest = (0usize, u64::MAX);
            for (i, pair) in pairs.chunks_exact_mut(2).enumerate() {
                if live(pair[1]) && pair[0] == user {
                    pair[1] = now;
                    found = true;
                    break;
                }
                if !live(pair[1]) && free.is_none() {
                    free = Some(i);
                }
                if pair[1] < oldest.1 {
                    oldest = (i, pair[1]);
                }
            }
            if !found {
                let i = free.unwrap_or(oldest.0);
                if let Some(pair) = pairs.chunks_exact_mut(2).nth(i) {
                    pair[0] = user;
                    pair[1] = now;
                }
            }
            findings.ip_distinct_users =
                pairs.chunks_exact(2).filter(|p| live(p[1])).count() as u32;
            if findings.ip_distinct_users >= s.ip_max_users && node.flagged_until <= now {
                node.flagged_until = now.saturating_add(window);
                findings.ip_limit_reached = true;
            }
        }
        findings
    }

    /// Records a successful authentication of `user`: returns how many
    /// failures preceded it since the last success, with no pause of a whole
    /// user window between them and the last one within the window (the
    /// `retries` of `authn_login_successafterfail`), and starts the count
    /// afresh. A flag already raised stays until its window ends.
    ///
    /// ```
    /// let monitor = seclog::monitor::Monitor::new(Default::default()).unwrap();
    /// monitor.failure(Some("alice"), None);
    /// monitor.failure(Some("alice"), None);
    /// assert_eq!(monitor.success(Some("alice")), 2);
    /// assert_eq!(monitor.success(Some("alice")), 0);
    /// ```
    pub fn success(&self, user: Option<&str>) -> u32 {
        self.count_success(self.now(), user)
    }

    fn count_success(&self, now: u64, user: Option<&str>) -> u32 {
        let s = &self.0.settings;
        let Some(user) = user else { return 0 };
        if !s.enabled {
            return 0;
        }
        let key = self.user_key(user);
        let mut state = self.0.state.lock().unwrap_or_else(|e| e.into_inner());
        let Some((node, times)) = state.users.get_mut(key) else {
            return 0;
        };
        let width = times.len();
        let newest = times
            .get((node.pos as usize + width - 1) % width)
            .copied()
            .unwrap_or(0);
        let recent = node.len > 0 && now.saturating_sub(newest) < millis(s.user_window);
        let retries = if recent { node.streak } else { 0 };
        times.iter_mut().for_each(|t| *t = 0);
        node.len = 0;
        node.pos = 0;
        node.streak = 0;
        retries
    }

    /// Whether `user` is flagged: it reached `user_max_failures` within the
    /// last window. Ask with the clear value even when the user is logged
    /// hashed: its digest is looked up too.
    ///
    /// ```
    /// let monitor = seclog::monitor::Monitor::new(seclog::monitor::Settings::default().user_max_failures(1)).unwrap();
    /// monitor.failure(Some("mallory"), None);
    /// assert!(monitor.is_flagged_user("mallory"));
    /// assert!(!monitor.is_flagged_user("alice"));
    /// ```
    pub fn is_flagged_user(&self, user: &str) -> bool {
        if self.flagged_user_key(self.user_key(user)) {
            return true;
        }
        if self.0.saw_digests.load(Ordering::Relaxed) {
            let digest = crate::state::current().0.hash_key.digest(user.as_bytes());
            return self.flagged_user_key(self.user_key(&digest));
        }
        false
    }

    fn flagged_user_key(&self, key: u64) -> bool {
        self.flagged_user_key_at(key, self.now())
    }

    fn flagged_user_key_at(&self, key: u64, now: u64) -> bool {
        let state = self.0.state.lock().unwrap_or_else(|e| e.into_inner());
        state.users.get(key).is_some_and(|n| n.flagged_until > now)
    }

    /// Whether the address `ip` is flagged: failures for `ip_max_users`
    /// distinct users came from it within the last window.
    ///
    /// ```
    /// use seclog::monitor::{Monitor, Settings};
    /// let monitor = Monitor::new(Settings::default().ip_max_users(2)).unwrap();
    /// monitor.failure(Some("ann"), Some("2001:db8::9"));
    /// assert!(!monitor.is_flagged_ip("2001:db8::9"));
    /// monitor.failure(Some("bob"), Some("2001:db8::9"));
    /// assert!(monitor.is_flagged_ip("2001:db8:0:0::9"), "however the address is written");
    /// ```
    pub fn is_flagged_ip(&self, ip: &str) -> bool {
        self.flagged_ip_at(ip, self.now())
    }

    fn flagged_ip_at(&self, ip: &str, now: u64) -> bool {
        let key = self.ip_key(ip);
        let state = self.0.state.lock().unwrap_or_else(|e| e.into_inner());
        state.ips.get(key).is_some_and(|n| n.flagged_until > now)
    }

    /// How many users and addresses are tracked: never more than
    /// `max_keys` of each.
    ///
    /// ```
    /// use seclog::monitor::{Monitor, Settings};
    /// let monitor = Monitor::new(Settings::default().max_keys(2)).unwrap();
    /// for ip in ["192.0.2.1", "192.0.2.2", "192.0.2.3"] {
    ///     monitor.failure(Some(ip), Some(ip));
    /// }
    /// assert_eq!(monitor.tracked(), seclog::monitor::Tracked { users: 2, ips: 2 });
    /// ```
    pub fn tracked(&self) -> Tracked {
        let state = self.0.state.lock().unwrap_or_else(|e| e.into_inner());
        Tracked {
            users: state.users.len(),
            ips: state.ips.len(),
        }
    }

    /// Runs `f` with this detector as the current one on this thread (in
    /// place of the process's), so tests count in isolation.
    ///
    /// ```
    /// use seclog::monitor::{self, Monitor, Settings};
    ///
    /// let mine = Monitor::new(Settings::default().user_max_failures(1)).unwrap();
    /// mine.scope(|| {
    ///     seclog::security_event!(authn_login_fail, user = "eve");
    ///     assert!(monitor::is_flagged_user("eve"));
    /// });
    /// assert!(!monitor::is_flagged_user("eve"), "the process's detector saw nothing");
    /// ```
    pub fn scope<R>(&self, f: impl FnOnce() -> R) -> R {
        let prev = SCOPED.with(|s| s.replace(Some(self.clone())));
        struct Restore(Option<Monitor>);
        impl Drop for Restore {
            fn drop(&mut self) {
                let prev = self.0.take();
                let _ = SCOPED.try_with(|s| *s.borrow_mut() = prev);
            }
        }
        let _restore = Restore(prev);
        f()
    }

    /// [`scope`](Monitor::scope) for a future: this detector is the current
    /// one on whichever thread polls it, during each poll.
    ///
    /// ```
    /// use seclog::monitor::{Monitor, Settings};
    ///
    /// #[seclog::audit(auth = "login", who = user)]
    /// async fn login(user: &str) -> Result<(), &'static str> {
    ///     Err("bad credentials")
    /// }
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let mine = Monitor::new(Settings::default().user_max_failures(1)).unwrap();
    /// let run = seclog::testing::capture_future(mine.scope_future(login("eve"))).await;
    /// assert_eq!(run.records()[2]["seclog"]["owasp"], "authn_login_fail_max:eve,1");
    /// assert!(mine.is_flagged_user("eve"));
    /// # });
    /// ```
    pub fn scope_future<F: Future>(&self, fut: F) -> Scoped<F> {
        Scoped::new(self.clone(), fut)
    }

    fn now(&self) -> u64 {
        // Shifted by one so that 0 can mark an empty slot.
        millis(self.0.clock.now()).saturating_add(1)
    }

    fn user_key(&self, user: &str) -> u64 {
        self.0.keys.hash_one((0u8, user))
    }

    fn ip_key(&self, source: &str) -> u64 {
        // `2001:db8::1` and `2001:DB8:0::1` are one address.
        match source.trim().parse::<std::net::IpAddr>() {
            Ok(ip) => self.0.keys.hash_one((1u8, ip.to_canonical())),
            Err(_) => self.0.keys.hash_one((2u8, source)),
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The future of [`Monitor::scope_future`].
pub type Scoped<F> = crate::state::Scoped<Monitor, F>;

impl crate::state::ThreadScope for Monitor {
    fn scope<R>(&self, f: impl FnOnce() -> R) -> R {
        Monitor::scope(self, f)
    }
}

thread_local! {
    /// The detector installed on this thread by `Monitor::scope`.
    static SCOPED: std::cell::RefCell<Option<Monitor>> = const { std::cell::RefCell::new(None) };
}

static GLOBAL: RwLock<Option<Monitor>> = RwLock::new(None);

/// The detector authentication events are counted by on this thread: the
/// one of an enclosing [`Monitor::scope`], else the process's (configured
/// from the environment on first use, or by [`install`]).
///
/// ```
/// assert!(seclog::monitor::current().settings().enabled);
/// ```
pub fn current() -> Monitor {
    if let Some(m) = SCOPED.try_with(|s| s.borrow().clone()).ok().flatten() {
        return m;
    }
    if let Some(m) = GLOBAL.read().unwrap_or_else(|e| e.into_inner()).as_ref() {
        return m.clone();
    }
    let mut global = GLOBAL.write().unwrap_or_else(|e| e.into_inner());
    if let Some(m) = global.as_ref() {
        return m.clone();
    }
    let (settings, problems) = Settings::default().read_env_lenient();
    let monitor = match Monitor::new(settings) {
        Ok(m) => m,
        // The lenient reader keeps only values within range; the defaults
        // always build.
        Err(_) => Monitor::new(Settings::default()).unwrap_or_else(|_| unreachable_monitor()),
    };
    *global = Some(monitor.clone());
    drop(global);
    for problem in &problems {
        crate::emit::report_config_problem(crate::state::current(), problem);
    }
    monitor
}

fn unreachable_monitor() -> Monitor {
    let settings = Settings::default();
    Monitor(Arc::new(Shared {
        state: Mutex::new(State {
            users: Table::new(1, 1),
            ips: Table::new(1, 4),
        }),
        settings,
        clock: Box::new(SystemClock(Instant::now())),
        keys: RandomState::new(),
        saw_digests: AtomicBool::new(false),
    }))
}

/// Makes `monitor` the process's detector, replacing the current one and
/// its counts.
///
/// ```
/// use seclog::monitor::{self, Monitor, Settings};
/// monitor::install(Monitor::new(Settings::default().user_max_failures(10)).unwrap());
/// assert_eq!(monitor::current().settings().user_max_failures, 10);
/// ```
pub fn install(monitor: Monitor) {
    *GLOBAL.write().unwrap_or_else(|e| e.into_inner()) = Some(monitor);
}

/// Builds a detector from `settings` and makes it the process's.
///
/// ```
/// use seclog::monitor::{self, Settings};
/// monitor::configure(Settings::default().from_env()?.ip_max_users(25))?;
/// assert_eq!(monitor::current().settings().ip_max_users, 25);
/// # Ok::<(), seclog::ConfigError>(())
/// ```
pub fn configure(settings: Settings) -> Result<(), ConfigError> {
    install(Monitor::new(settings)?);
    Ok(())
}

/// Whether `user` is currently flagged by the [`current`] detector, so a
/// handler can refuse before checking a password.
///
/// ```
/// #[seclog::audit(auth = "login", who = user)]
/// fn login(user: &str) -> Result<(), &'static str> {
///     if seclog::monitor::is_flagged_user(user) {
///         return Err("too many failed attempts; try again later");
///     }
///     Ok(())
/// }
/// # login("alice").unwrap();
/// ```
pub fn is_flagged_user(user: &str) -> bool {
    current().is_flagged_user(user)
}

/// Whether the address `ip` is currently flagged by the [`current`]
/// detector (credential stuffing or password spraying from it).
///
/// ```
/// assert!(!seclog::monitor::is_flagged_ip("198.51.100.7"));
/// ```
pub fn is_flagged_ip(ip: &str) -> bool {
    current().is_flagged_ip(ip)
}
