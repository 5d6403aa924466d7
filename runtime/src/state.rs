//! Process state: the process's configuration, installed once (by
//! [`init`](crate::init) or [`Builder::install`](crate::Builder::install),
//! else from the environment at the first record); the level gate the hot
//! path reads in one atomic load; and the per-thread override of the test
//! helpers. The configuration every record is written with comes from
//! [`current`] here.

use crate::config::{Builder, Config, ConfigError};
use crate::record::Level;
use std::cell::Cell;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

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
