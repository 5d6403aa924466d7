//! Emission: the thread's reused writer, formatting under panic
//! isolation, the one sink call per record, and the counters of what
//! could not be done.

use crate::config::{Config, ConfigError};
use crate::format::{self, ErrorView, RecordView, Tail};
use crate::record::{Level, Phase};
use crate::redact::Writer;
use crate::stats;
use std::cell::RefCell;

/// The integrations' members at the end of JSON records (Lambda memory and
/// time, EMF metrics), when their features are built.
#[cfg(any(feature = "emf", feature = "lambda"))]
const TAIL: Option<Tail> = Some(crate::integrations::write_end_members);
#[cfg(not(any(feature = "emf", feature = "lambda")))]
const TAIL: Option<Tail> = None;

thread_local! {
    /// The writer (buffer and scratch) reused by every record of this thread.
    static WRITER: RefCell<Option<Writer>> = const { RefCell::new(None) };
}

/// Formats and writes a record with `config`, if its level is enabled.
/// Never panics and never fails: problems are counted in [`stats`].
pub(crate) fn emit(config: Config, view: &mut RecordView<'_>) {
    if !config.enabled(view.level) {
        return;
    }
    // Before the record, as the record uses what the problem is about.
    #[cfg(feature = "emf")]
    if let Some(problem) = crate::integrations::config_problem(config, view) {
        report_config_problem(config, &problem);
    }
    let inner = config.0;
    let fresh = || {
        let mut writer = Writer::new(
            Vec::with_capacity(4096),
            inner.limits,
            &inner.policy,
            &inner.hash_key,
        );
        writer.reserve_for_shapes();
        writer
    };
    // The thread's writer, used where it is; a record written while
    // another is (from a sink, say) gets a writer of its own.
    let reused = WRITER.try_with(|slot| {
        let Ok(mut slot) = slot.try_borrow_mut() else {
            return false;
        };
        let writer = slot.get_or_insert_with(fresh);
        write_and_send(config, view, writer);
        // Keep the buffer for the next record unless one record made it huge.
        if writer.buf.capacity() > 2 * crate::redact::Limits::MAX_RECORD_BYTES {
            *slot = None;
        }
        true
    });
    if reused != Ok(true) {
        write_and_send(config, view, &mut fresh());
    }
    if crate::hash::WARN_PENDING.swap(false, std::sync::atomic::Ordering::Relaxed) {
        report_ephemeral_key(config);
    }
    #[cfg(feature = "seal")]
    if crate::seal::take_missing_key_warning() {
        report_missing_seal_key(config);
    }
}

/// Formats the record in `writer` and hands it to the sink.
fn write_and_send(config: Config, view: &mut RecordView<'_>, writer: &mut Writer) {
    let inner = config.0;
    writer.limits = inner.limits;
    writer.policy = &inner.policy;
    writer.hash_key = &inner.hash_key;
    #[cfg(feature = "seal")]
    {
        writer.sealer = inner.sealer;
    }
    writer.shapes = inner.shapes;
    writer.reset();

    let formatted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        format::write_record(config, view, writer, TAIL);
    }));
    if formatted.is_err() {
        // A user `Display`/`Serialize`/`Redact` panicked mid-record: write a
        // minimal, valid record in its place rather than lose the event.
        stats::format_panic();
        writer.reset();
        view.payload = None;
        view.inputs_json = None;
        view.error = view.error.as_ref().map(|e| ErrorView {
            kind: e.kind,
            message: None,
        });
        view.message = None;
        view.owasp = None;
        writer.truncated = true;
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            format::write_record(config, view, writer, TAIL)
        }))
        .is_err()
        {
            writer.reset();
        }
    }
    if !writer.buf.is_empty() {
        if writer.truncated {
            stats::truncated();
        }
        writer.buf.push(b'\n');
        let level = view.level;
        let buf = &writer.buf;
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            inner.sink.write(buf, level)
        })) {
            Ok(Ok(())) => stats::record_written(),
            Ok(Err(_)) => stats::write_error(),
            Err(_) => stats::sink_panic(),
        }
    }
}
/// Reports, once, that `#[redact(hash)]` digests use a random key.
pub(crate) fn report_ephemeral_key(config: Config) {
    let message = "no hash key is configured: #[redact(hash)] digests use a random key for this process and will not correlate across processes; set SECLOG_HASH_KEY (at least 16 random bytes) or Builder::hash_key";
    let mut view = RecordView::new(Level::Warn, Phase::Event, "seclog.config");
    view.kind = "pipeline_error";
    view.category = "configuration";
    view.message = Some(&message);
    emit(config, &mut view);
}

/// Reports, once, that `#[redact(seal)]` values were written `[REDACTED]`
/// for want of a key.
#[cfg(feature = "seal")]
pub(crate) fn report_missing_seal_key(config: Config) {
    let message = "no seal key is configured: #[redact(seal)] values are written as [REDACTED] and cannot be recovered; set SECLOG_SEAL_KEY to the line of seclog-seal.pub (made offline by `seclog keygen DIR`) or use Builder::seal_key";
    let mut view = RecordView::new(Level::Warn, Phase::Event, "seclog.config");
    view.kind = "pipeline_error";
    view.category = "configuration";
    view.message = Some(&message);
    emit(config, &mut view);
}

/// Reports a configuration problem as an error record.
pub(crate) fn report_config_problem(config: Config, problem: &ConfigError) {
    let message = format_args!("{problem}; using the default instead");
    let mut view = RecordView::new(Level::Error, Phase::Event, "seclog.config");
    view.kind = "pipeline_error";
    view.category = "configuration";
    view.message = Some(&message);
    view.error = Some(ErrorView {
        kind: "seclog::ConfigError",
        message: Some(problem),
    });
    emit(config, &mut view);
}
