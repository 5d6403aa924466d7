//! Where records go.
//!
//! A sink receives each record as one complete line (newline included) and
//! writes it. The default, [`Stdout`], makes one `write` per record under
//! stdout's lock, so records from concurrent invocations never interleave
//! and a process killed mid-invocation keeps every record already written.
//!
//! A sink that fails or panics never reaches the handler: the failure is
//! counted in [`stats`](crate::stats) and the record is dropped.

use crate::record::Level;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// A destination for records.
///
/// ```
/// use std::sync::{Arc, Mutex};
///
/// /// Keeps the last record in memory.
/// #[derive(Clone, Default)]
/// struct Last(Arc<Mutex<String>>);
///
/// impl seclog::Sink for Last {
///     fn write(&self, record: &[u8], _level: seclog::Level) -> std::io::Result<()> {
///         *self.0.lock().unwrap() = String::from_utf8_lossy(record).into_owned();
///         Ok(())
///     }
/// }
///
/// #[seclog::audit]
/// fn ping() {}
///
/// let last = Last::default();
/// let config = seclog::builder().sink(last.clone()).build().unwrap();
/// seclog::testing::with_config(config, ping);
/// let record: serde_json::Value = serde_json::from_str(&last.0.lock().unwrap()).unwrap();
/// assert_eq!(record["seclog"]["phase"], "end");
/// ```
pub trait Sink: Send + Sync + 'static {
    /// Writes one record: a complete line ending in `\n`.
    fn write(&self, record: &[u8], level: Level) -> io::Result<()>;
}

/// Standard output: what AWS Lambda ships to CloudWatch Logs.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stdout;

impl Sink for Stdout {
    fn write(&self, record: &[u8], _level: Level) -> io::Result<()> {
        // `Stdout` is line-buffered: with its buffer empty, a record ending
        // in its only newline goes out in one `write` under the lock.
        let mut out = io::stdout().lock();
        out.write_all(record)?;
        out.flush()
    }
}

/// Standard error.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stderr;

impl Sink for Stderr {
    fn write(&self, record: &[u8], _level: Level) -> io::Result<()> {
        io::stderr().lock().write_all(record)
    }
}

/// Any `io::Write` (a file, a socket, a buffer), behind a mutex so records
/// stay whole.
#[derive(Debug)]
pub struct Writer<W>(Mutex<W>, AtomicBool);

impl<W: Write + Send + 'static> Writer<W> {
    /// Wraps `w`.
    pub fn new(w: W) -> Self {
        Writer(Mutex::new(w), AtomicBool::new(false))
    }
}

impl<W: Write + Send + 'static> Sink for Writer<W> {
    fn write(&self, record: &[u8], _level: Level) -> io::Result<()> {
        // A writer poisoned by an earlier panic is still usable for whole
        // records: each write is complete or failed.
        let mut w = self.0.lock().unwrap_or_else(|e| e.into_inner());
        // A record that failed halfway (a full disk) left part of a line:
        // end it, so this record starts a line of its own.
        if self.1.load(Ordering::Relaxed) {
            w.write_all(b"\n")?;
            self.1.store(false, Ordering::Relaxed);
        }
        let mut written = 0;
        let result = loop {
            if written == record.len() {
                break w.flush();
            }
            match w.write(&record[written..]) {
                Ok(0) => break Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => written += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        if result.is_err() && written > 0 && written < record.len() {
            self.1.store(true, Ordering::Relaxed);
        }
        result
    }
}

/// `tracing` events: each record becomes an event with target `seclog` at
/// the matching level (`critical` as `ERROR`), the record (without its
/// newline) in the field `record`. The invocation's span is current, so
/// subscribers see `transaction.id` on it.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tracing;

impl Sink for Tracing {
    fn write(&self, record: &[u8], level: Level) -> io::Result<()> {
        let text = std::str::from_utf8(record)
            .unwrap_or_default()
            .trim_end_matches('\n');
        match level {
            Level::Trace => tracing::event!(target: "seclog", tracing::Level::TRACE, record = text),
            Level::Debug => tracing::event!(target: "seclog", tracing::Level::DEBUG, record = text),
            Level::Info => tracing::event!(target: "seclog", tracing::Level::INFO, record = text),
            Level::Warn => tracing::event!(target: "seclog", tracing::Level::WARN, record = text),
            Level::Error | Level::Critical => {
                tracing::event!(target: "seclog", tracing::Level::ERROR, record = text)
            }
        }
        Ok(())
    }
}

/// A closure as a sink.
pub struct FnSink<F>(pub F);

impl<F> Sink for FnSink<F>
where
    F: Fn(&[u8], Level) -> io::Result<()> + Send + Sync + 'static,
{
    fn write(&self, record: &[u8], level: Level) -> io::Result<()> {
        (self.0)(record, level)
    }
}
