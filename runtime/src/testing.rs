//! Capturing records in tests.
//!
//! [`capture`] runs a closure and returns its result together with every
//! record written on this thread meanwhile; [`capture_future`] does the same
//! for a future, across its polls. Records of work spawned onto other
//! threads are not captured (they go to the process's sink).
//!
//! ```
//! #[seclog::audit]
//! fn greet(name: &str) -> String {
//!     format!("hello {name}")
//! }
//!
//! let run = seclog::testing::capture(|| greet("alice"));
//! assert_eq!(run.output, "hello alice");
//! let records = run.records();
//! assert_eq!(records.len(), 2);
//! assert_eq!(records[0]["seclog"]["input"]["name"], "alice");
//! assert_eq!(records[1]["seclog"]["response"], "hello alice");
//! ```

use crate::config::Config;
use crate::record::Level;
use crate::sink::Sink;
use crate::state::{self, with_override, Override, Scoped};
use std::future::Future;
use std::io;
use std::sync::{Arc, Mutex};

/// The result of a captured closure or future and the records it wrote.
#[derive(Debug, Clone)]
pub struct Captured<T> {
    /// What the closure or future returned.
    pub output: T,
    /// Each record as written, without its newline.
    pub lines: Vec<String>,
}

impl<T> Captured<T> {
    /// The records parsed as JSON.
    ///
    /// # Panics
    ///
    /// When a record is not valid JSON (as with the pretty format): a test
    /// helper failing loudly.
    pub fn records(&self) -> Vec<serde_json::Value> {
        self.lines
            .iter()
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("record is not valid JSON ({e}): {l}"))
            })
            .collect()
    }
}

/// The capture sink: collects lines.
#[derive(Clone, Default)]
struct Collector(Arc<Mutex<Vec<String>>>);

impl Sink for Collector {
    fn write(&self, record: &[u8], _level: Level) -> io::Result<()> {
        let line = String::from_utf8_lossy(record)
            .trim_end_matches('\n')
            .to_string();
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(line);
        Ok(())
    }
}

/// A copy of `base` whose records go to a collector.
fn capturing(base: Config) -> (Config, Collector) {
    let collector = Collector::default();
    let b = base.0;
    // Same level, format, limits, policy and hash key; only the sink differs.
    let inner = crate::config::Inner {
        level: b.level,
        format: b.format,
        sink: Box::new(collector.clone()),
        limits: b.limits,
        policy: b.policy.clone(),
        hash_key: b.hash_key.clone(),
        #[cfg(feature = "seal")]
        sealer: b.sealer,
        shapes: b.shapes,
        service: b.service.clone(),
        process: b.process.clone(),
        emf: b.emf,
        lambda_json: b.lambda_json,
        problems: Vec::new(),
    };
    (Config(Box::leak(Box::new(inner))), collector)
}

fn lines(c: &Collector) -> Vec<String> {
    std::mem::take(&mut *c.0.lock().unwrap_or_else(|e| e.into_inner()))
}

/// Runs `f`, capturing the records it writes on this thread (with the
/// process's configuration: level, format, limits, keys).
pub fn capture<R>(f: impl FnOnce() -> R) -> Captured<R> {
    capture_with(state::current(), f)
}

/// Runs `f` with `config`'s level, format, limits and keys, capturing the
/// records instead of sending them to its sink.
///
/// ```
/// let config = seclog::builder().level(seclog::Level::Warn).build().unwrap();
/// #[seclog::audit]
/// fn ping() {}
/// let run = seclog::testing::capture_with(config, ping);
/// assert!(run.lines.is_empty(), "info records are below warn");
/// ```
pub fn capture_with<R>(config: Config, f: impl FnOnce() -> R) -> Captured<R> {
    let (config, collector) = capturing(config);
    let output = with_override(config, f);
    Captured {
        output,
        lines: lines(&collector),
    }
}

/// Runs `f` with `config` as this thread's configuration (its own sink
/// included), without capturing.
pub fn with_config<R>(config: Config, f: impl FnOnce() -> R) -> R {
    with_override(config, f)
}

/// Awaits `fut`, capturing the records written during its polls.
///
/// ```
/// #[seclog::audit]
/// async fn fetch(id: u32) -> Option<u32> {
///     Some(id * 2)
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let run = seclog::testing::capture_future(fetch(21)).await;
/// assert_eq!(run.output, Some(42));
/// assert_eq!(run.records()[1]["seclog"]["response"], 42);
/// # });
/// ```
pub async fn capture_future<F: Future>(fut: F) -> Captured<F::Output> {
    capture_future_with(state::current(), fut).await
}

/// [`capture_future`] with a given configuration.
pub async fn capture_future_with<F: Future>(config: Config, fut: F) -> Captured<F::Output> {
    let (config, collector) = capturing(config);
    let output = Scoped::new(Override(config), fut).await;
    Captured {
        output,
        lines: lines(&collector),
    }
}
