//! Counters of what logging could not do, for the user to read and alarm on.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

static RECORDS: AtomicU64 = AtomicU64::new(0);
static WRITE_ERRORS: AtomicU64 = AtomicU64::new(0);
static SINK_PANICS: AtomicU64 = AtomicU64::new(0);
static TRUNCATED: AtomicU64 = AtomicU64::new(0);
static SERIALIZE_ERRORS: AtomicU64 = AtomicU64::new(0);
static FORMAT_PANICS: AtomicU64 = AtomicU64::new(0);

/// What seclog has written and failed to write since the process started.
///
/// ```
/// let before = seclog::stats();
/// # let _ = before.records;
/// assert!(seclog::stats().records >= before.records);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Records handed to a sink successfully.
    pub records: u64,
    /// Records a sink failed to write (for example stdout closed: `EPIPE`).
    pub write_errors: u64,
    /// Records lost because a sink panicked.
    pub sink_panics: u64,
    /// Records that had something cut to fit the bounds.
    pub truncated: u64,
    /// Values whose `Serialize` implementation returned an error.
    pub serialize_errors: u64,
    /// Records whose formatting panicked (a `Serialize`, `Redact` or
    /// `Display` implementation panicked); the record was still written,
    /// marked `seclog.truncated`.
    pub format_panics: u64,
}

/// The counters so far.
pub fn stats() -> Stats {
    Stats {
        records: RECORDS.load(Relaxed),
        write_errors: WRITE_ERRORS.load(Relaxed),
        sink_panics: SINK_PANICS.load(Relaxed),
        truncated: TRUNCATED.load(Relaxed),
        serialize_errors: SERIALIZE_ERRORS.load(Relaxed),
        format_panics: FORMAT_PANICS.load(Relaxed),
    }
}

pub(crate) fn record_written() {
    RECORDS.fetch_add(1, Relaxed);
}
pub(crate) fn write_error() {
    WRITE_ERRORS.fetch_add(1, Relaxed);
}
pub(crate) fn sink_panic() {
    SINK_PANICS.fetch_add(1, Relaxed);
}
pub(crate) fn truncated() {
    TRUNCATED.fetch_add(1, Relaxed);
}
pub(crate) fn serialize_error() {
    SERIALIZE_ERRORS.fetch_add(1, Relaxed);
}
pub(crate) fn format_panic() {
    FORMAT_PANICS.fetch_add(1, Relaxed);
}
