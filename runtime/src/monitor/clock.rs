//! Where the detector reads the time.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Where the detector reads the time: a monotonic clock by default, a
/// [`ManualClock`] in tests, so windows slide without sleeping.
///
/// ```
/// use seclog::monitor::{Clock, Monitor};
/// use std::time::{Duration, Instant};
///
/// /// Time since the service started.
/// struct SinceStart(Instant);
///
/// impl Clock for SinceStart {
///     fn now(&self) -> Duration {
///         self.0.elapsed()
///     }
/// }
///
/// let monitor = Monitor::with_clock(Default::default(), SinceStart(Instant::now())).unwrap();
/// assert!(!monitor.is_flagged_ip("192.0.2.1"));
/// ```
pub trait Clock: Send + Sync + 'static {
    /// Time elapsed since any fixed origin; must never go backwards.
    fn now(&self) -> Duration;
}

/// The process's monotonic clock.
pub(super) struct SystemClock(pub(super) Instant);

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.0.elapsed()
    }
}

/// A clock that moves only when told to, for tests.
///
/// ```
/// use seclog::monitor::{Clock, ManualClock};
/// use std::time::Duration;
///
/// let clock = ManualClock::new();
/// let handle = clock.clone();
/// handle.advance(Duration::from_secs(90));
/// assert_eq!(clock.now(), Duration::from_secs(90));
/// ```
#[derive(Debug, Clone, Default)]
pub struct ManualClock(Arc<AtomicU64>);

impl ManualClock {
    /// A clock at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock (and every clone of it) forward.
    pub fn advance(&self, by: Duration) {
        let ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        let _ = self
            .0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| {
                Some(t.saturating_add(ms))
            });
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        Duration::from_millis(self.0.load(Ordering::Relaxed))
    }
}
