//! Sinks: any `io::Write`, user-defined sinks, `tracing` events, and sinks
//! that fail or panic, which must never change a handler's result.

use seclog::testing::with_config;
use seclog::Level;
use serde_json::Value;
use std::io;
use std::sync::{Arc, Mutex};

#[seclog::audit(who = user)]
fn withdraw(user: &str, amount: u64) -> Result<u64, String> {
    if amount > 100 {
        Err("insufficient funds".into())
    } else {
        Ok(100 - amount)
    }
}

/// A shared buffer usable as an `io::Write` sink.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl io::Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    fn records(&self) -> Vec<Value> {
        let text = String::from_utf8(self.0.lock().unwrap().clone()).unwrap();
        assert!(text.ends_with('\n'), "every record ends its line");
        text.lines()
            .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
            .collect()
    }
}

#[test]
fn any_io_write_receives_one_json_line_per_record() {
    let buf = Buffer::default();
    let config = seclog::builder().writer(buf.clone()).build().unwrap();
    let out = with_config(config, || (withdraw("alice", 30), withdraw("alice", 300)));
    assert_eq!(out, (Ok(70), Err("insufficient funds".to_string())));
    let records = buf.records();
    assert_eq!(records.len(), 4);
    assert_eq!(records[1]["seclog"]["response"], 70);
    assert_eq!(records[3]["error"]["message"], "insufficient funds");
    seclog_tests::assert_ecs(&records);
}

#[test]
fn a_user_defined_sink_sees_each_record_and_its_level() {
    let seen: Arc<Mutex<Vec<(Level, String)>>> = Arc::default();
    let sink_seen = seen.clone();
    let sink = seclog::sink::FnSink(move |record: &[u8], level: Level| {
        sink_seen
            .lock()
            .unwrap()
            .push((level, String::from_utf8_lossy(record).into_owned()));
        Ok(())
    });
    let config = seclog::builder().sink(sink).build().unwrap();
    with_config(config, || withdraw("bob", 500)).unwrap_err();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].0, Level::Info);
    assert_eq!(seen[1].0, Level::Warn);
    for (_, line) in seen.iter() {
        assert_eq!(line.matches('\n').count(), 1);
        assert!(line.ends_with('\n'));
    }
}

struct FailingSink;
impl seclog::Sink for FailingSink {
    fn write(&self, _: &[u8], _: Level) -> io::Result<()> {
        Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed"))
    }
}

struct PanickingSink;
impl seclog::Sink for PanickingSink {
    fn write(&self, _: &[u8], _: Level) -> io::Result<()> {
        panic!("sink exploded")
    }
}

#[test]
fn a_failing_sink_never_changes_the_handler_result_and_is_counted() {
    let config = seclog::builder().sink(FailingSink).build().unwrap();
    let before = seclog::stats().write_errors;
    let out = with_config(config, || (withdraw("carol", 10), withdraw("carol", 1000)));
    assert_eq!(out, (Ok(90), Err("insufficient funds".to_string())));
    assert!(
        seclog::stats().write_errors >= before + 4,
        "each failed write is counted"
    );
}

#[test]
fn a_panicking_sink_never_changes_the_handler_result_and_is_counted() {
    let config = seclog::builder().sink(PanickingSink).build().unwrap();
    let before = seclog::stats().sink_panics;
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let out = with_config(config, || withdraw("dave", 20));
    std::panic::set_hook(hook);
    assert_eq!(out, Ok(80));
    assert!(seclog::stats().sink_panics >= before + 2);
}

#[test]
fn the_tracing_sink_emits_events_inside_the_invocation_span() {
    use tracing_subscriber::layer::SubscriberExt;

    let collected = Arc::new(Mutex::new(Vec::<Seen>::new()));
    let layer = RecordLayer(collected.clone());
    let subscriber = tracing_subscriber::registry().with(layer);
    let config = seclog::builder().tracing().build().unwrap();
    seclog_tests::with_subscriber(subscriber, || {
        with_config(config, || withdraw("erin", 1)).unwrap();
    });
    let events = collected.lock().unwrap();
    assert_eq!(events.len(), 2, "{events:?}");
    for (level, record, tx) in events.iter() {
        assert_eq!(level, "INFO");
        let r: Value = serde_json::from_str(record).unwrap();
        assert_eq!(r["user"]["id"], "erin");
        assert_eq!(
            Some(r["transaction"]["id"].as_str().unwrap().to_string()),
            *tx,
            "the span carries transaction.id"
        );
    }
}

#[test]
fn the_handlers_own_tracing_events_nest_in_the_invocation_span() {
    use tracing_subscriber::layer::SubscriberExt;

    #[seclog::audit]
    fn noisy(n: u32) -> u32 {
        tracing::info!(n, "inside the handler");
        n
    }
    let collected = Arc::new(Mutex::new(Vec::new()));
    let subscriber = tracing_subscriber::registry().with(RecordLayer(collected.clone()));
    let run = seclog_tests::with_subscriber(subscriber, || seclog::testing::capture(|| noisy(3)));
    let records = run.records();
    let events = collected.lock().unwrap();
    let own: Vec<_> = events
        .iter()
        .filter(|(_, msg, _)| msg == "inside the handler")
        .collect();
    assert_eq!(own.len(), 1);
    assert_eq!(
        own[0].2.as_deref(),
        records[0]["transaction"]["id"].as_str()
    );
}

/// Collects events: level, the `record` field (or message), and the
/// `transaction.id` of the innermost span that has one.
struct RecordLayer(Arc<Mutex<Vec<Seen>>>);

/// An event as seen: level, record or message, and the span's `transaction.id`.
type Seen = (String, String, Option<String>);

#[derive(Default)]
struct Fields {
    record: Option<String>,
    tx: Option<String>,
}

impl tracing::field::Visit for Fields {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        match field.name() {
            "record" => self.record = Some(value.to_string()),
            "transaction.id" => self.tx = Some(value.to_string()),
            "message" => self.record = Some(value.to_string()),
            _ => {}
        }
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.record = Some(format!("{value:?}"));
        }
    }
}

struct TxId(String);

impl<S> tracing_subscriber::Layer<S> for RecordLayer
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut f = Fields::default();
        attrs.record(&mut f);
        if let (Some(tx), Some(span)) = (f.tx, ctx.span(id)) {
            span.extensions_mut().insert(TxId(tx));
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: tracing_subscriber::layer::Context<'_, S>) {
        let mut f = Fields::default();
        event.record(&mut f);
        let tx = ctx.event_scope(event).and_then(|scope| {
            scope
                .from_root()
                .filter_map(|s| s.extensions().get::<TxId>().map(|t| t.0.clone()))
                .last()
        });
        self.0.lock().unwrap().push((
            event.metadata().level().to_string(),
            f.record.unwrap_or_default(),
            tx,
        ));
    }
}
