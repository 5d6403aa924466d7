//! Installing: [`init`](crate::init) and [`Builder::install`] make a
//! configuration and a detector the process's, once, at start-up.

use crate::config::{Builder, ConfigError};
use crate::state::install;

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

impl Builder {
    /// Builds and makes this the process's configuration.
    ///
    /// Fails with [`ConfigError::AlreadyInstalled`] when seclog is already
    /// configured.
    pub fn install(mut self) -> Result<(), ConfigError> {
        // Checked before anything is installed, so a bad setting leaves
        // the process unconfigured rather than half-configured.
        let monitor = self
            .take_monitor()
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
