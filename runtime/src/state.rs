//! Process state: the process's configuration, installed once (by
//! [`init`](crate::init) or [`Builder::install`](crate::Builder::install),
//! else from the environment at the first record); the level gate the hot
//! path reads in one atomic load; and the per-thread override of the test
//! helpers. The configuration every record is written with comes from
//! [`current`] here. [`Scoped`] carries such a per-thread setting (a
//! test's configuration, a detector) along with a future, poll by poll.

use crate::config::{Builder, Config, ConfigError};
use crate::record::Level;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;
use std::task::{Context as TaskContext, Poll};

static GLOBAL: OnceLock<Config> = OnceLock::new();
/// The global least level as a byte, for the hot path: `UNSET` until
/// configured, `OFF` when logging is off. A level below it is off, which
/// is one comparison; `UNSET` is below every level, so the configuration
/// is read (and made) on the first look.
static MAX_LEVEL: AtomicU8 = AtomicU8::new(UNSET);
const UNSET: u8 = 0;
const OFF: u8 = 254;

/// Makes `config` the process's configuration, once.
pub(crate) fn install(config: Config) -> Result<(), ConfigError> {
    GLOBAL
        .set(config)
        .map_err(|_| ConfigError::AlreadyInstalled)?;
    publish(config);
    Ok(())
}

fn publish(config: Config) {
    MAX_LEVEL.store(config.0.level.map_or(OFF, |l| l as u8), Ordering::Release);
    for problem in &config.0.problems {
        crate::emit::report_config_problem(config, problem);
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
                    .unwrap_or_else(|_| Config::fallback())
            })
    });
    if fresh {
        publish(config);
    }
    config
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

thread_local! {
    /// The configuration that replaces the process's on this thread.
    static OVERRIDE: Cell<Option<Config>> = const { Cell::new(None) };
}

/// The configuration installed on this thread by a capture, if any.
#[inline]
pub(crate) fn override_config() -> Option<Config> {
    OVERRIDE.try_with(Cell::get).ok().flatten()
}

/// Runs `f` with `config` as this thread's configuration, restoring the
/// one before when `f` returns or unwinds.
pub(crate) fn with_override<R>(config: Config, f: impl FnOnce() -> R) -> R {
    /// Puts the previous override back, on return and on unwinding.
    struct Restore(Option<Config>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let prev = self.0.take();
            let _ = OVERRIDE.try_with(|o| o.set(prev));
        }
    }
    let _restore = Restore(OVERRIDE.with(|o| o.replace(Some(config))));
    f()
}

/// The configuration records are currently written with on this thread.
#[inline]
pub fn current() -> Config {
    override_config().unwrap_or_else(global)
}

/// Whether records at `level` are written on this thread right now.
#[inline]
pub(crate) fn enabled(level: Level) -> bool {
    match override_config() {
        Some(c) => c.enabled(level),
        None => global_enabled(level),
    }
}

/// Something that sets a thread's state for the length of a closure: a
/// test's configuration, a detector. Public only so it can bound
/// [`Scoped`]; not reachable from outside the crate.
pub trait ThreadScope {
    /// Runs `f` with this state set on the calling thread.
    fn scope<R>(&self, f: impl FnOnce() -> R) -> R;
}

/// A configuration set as this thread's by the test helpers.
pub(crate) struct Override(pub(crate) Config);

impl ThreadScope for Override {
    fn scope<R>(&self, f: impl FnOnce() -> R) -> R {
        with_override(self.0, f)
    }
}

/// A future whose every poll runs inside a [`ThreadScope`], on whichever
/// thread polls it: a per-thread setting follows the future, not the
/// thread.
#[must_use = "futures do nothing unless polled"]
pub struct Scoped<S, F> {
    scope: S,
    fut: Pin<Box<F>>,
}

impl<S, F> Scoped<S, F> {
    /// `fut`, polled inside `scope`.
    pub(crate) fn new(scope: S, fut: F) -> Self {
        Scoped {
            scope,
            fut: Box::pin(fut),
        }
    }
}

impl<S: ThreadScope + Unpin, F: Future> Future for Scoped<S, F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        let Scoped { scope, fut } = &mut *self;
        scope.scope(|| fut.as_mut().poll(cx))
    }
}
