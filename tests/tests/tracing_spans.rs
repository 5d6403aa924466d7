//! The `tracing` sink and the invocation span: records as `tracing` events
//! inside the span, and the handler's own events nested in it.
//!
//! A test binary of its own: `tracing` caches per call site, for the whole
//! process, whether any subscriber wants it, and tests on other threads
//! reaching seclog's span with no subscriber of theirs could leave that
//! cache stale for these.

use seclog::testing::with_config;
use serde_json::Value;
use std::sync::{Arc, Mutex};

/// A deposit by `user`: its records go to `tracing`.
#[seclog::audit(who = user)]
fn deposit(user: &str, cents: u64) -> u64 {
    cents * 2
}

#[test]
fn the_tracing_sink_emits_events_inside_the_invocation_span() {
    use tracing_subscriber::layer::SubscriberExt;

    let collected = Arc::new(Mutex::new(Vec::<Seen>::new()));
    let layer = RecordLayer(collected.clone());
    let subscriber = tracing_subscriber::registry().with(layer);
    let config = seclog::builder().tracing().build().unwrap();
    seclog_tests::with_subscriber(subscriber, || {
        assert_eq!(with_config(config, || deposit("erin", 21)), 42);
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

/// A request whose id the client chose.
struct Relayed(&'static str);

impl seclog::context::Describe for Relayed {
    fn describe(&self, cx: &mut seclog::context::Context) {
        cx.set_request_id(&self.0);
    }
}

#[test]
fn the_spans_transaction_id_is_scanned_like_the_records() {
    use tracing_subscriber::layer::SubscriberExt;

    #[seclog::audit(skip(request))]
    fn relay(request: Relayed) -> usize {
        request.0.len()
    }
    let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlX29mX2FfdG9rZW4";
    let collected = Arc::new(Mutex::new(Vec::<Seen>::new()));
    let subscriber = tracing_subscriber::registry().with(RecordLayer(collected.clone()));
    let config = seclog::builder().tracing().build().unwrap();
    seclog_tests::with_subscriber(subscriber, || {
        with_config(config, || relay(Relayed(jwt)));
    });
    let events = collected.lock().unwrap();
    assert_eq!(events.len(), 2, "{events:?}");
    for (_, record, tx) in events.iter() {
        let r: Value = serde_json::from_str(record).unwrap();
        assert_eq!(r["transaction"]["id"], "[REDACTED:jwt]");
        assert_eq!(tx.as_deref(), Some("[REDACTED:jwt]"), "the span's field");
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
