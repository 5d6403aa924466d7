//! Sinks: any `io::Write`, user-defined sinks, and sinks that fail or
//! panic, which must never change a handler's result. (The `tracing` sink
//! and span are in `tracing_spans.rs`.)

use seclog::testing::with_config;
use seclog::Level;
use seclog_tests::SharedBuffer as Buffer;
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
