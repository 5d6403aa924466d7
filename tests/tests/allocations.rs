//! An audited invocation allocates nothing on the heap once warm: buffers,
//! contexts and key verdicts are reused, so logging every invocation puts no
//! pressure on the allocator. Counted with a global allocator that counts
//! the allocations of the calling thread, over the benchmark's handler and
//! event (`tests/benches/api_gateway`), and over a derived type whose field
//! names are judged by a term added at run time.
//!
//! Allocation counts are deterministic, unlike times: this belongs in the
//! test suite, and the benchmark reports the times.

#[path = "../benches/api_gateway/mod.rs"]
mod api_gateway;

use seclog::{Level, Sink};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;
use std::io;
use std::sync::{Arc, Mutex};

/// The system allocator, counting each allocation on the calling thread.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn counted() {
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counter is a const-initialised thread-local, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        counted();
        // SAFETY: the caller upholds `alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        counted();
        // SAFETY: the caller upholds `alloc_zeroed`'s contract.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        counted();
        // SAFETY: the caller upholds `realloc`'s contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller upholds `dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

/// Heap allocations made by `calls` calls of `f`, after `warm_up` calls.
fn allocations_per_run(warm_up: usize, calls: usize, mut f: impl FnMut()) -> u64 {
    for _ in 0..warm_up {
        f();
    }
    let before = allocations();
    for _ in 0..calls {
        f();
    }
    allocations() - before
}

/// Like stdout: each record written whole under a lock, into a buffer
/// allocated up front (the last record is kept, to be checked).
#[derive(Clone)]
struct LineBuffer(Arc<Mutex<(Vec<u8>, u64)>>);

impl LineBuffer {
    fn new() -> Self {
        LineBuffer(Arc::new(Mutex::new((Vec::with_capacity(64 * 1024), 0))))
    }

    fn last_record(&self) -> serde_json::Value {
        let guard = self.0.lock().unwrap();
        serde_json::from_slice(&guard.0).expect("the last record is one JSON object")
    }

    fn records(&self) -> u64 {
        self.0.lock().unwrap().1
    }
}

impl Sink for LineBuffer {
    fn write(&self, record: &[u8], _level: Level) -> io::Result<()> {
        let mut guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let (line, count) = &mut *guard;
        line.clear();
        line.extend_from_slice(record);
        *count += 1;
        Ok(())
    }
}

#[test]
fn an_audited_invocation_allocates_nothing_once_warm() {
    let sink = LineBuffer::new();
    let config = seclog::builder()
        .level(Level::Info)
        .service("transfers-api")
        .sink(sink.clone())
        .build()
        .unwrap();
    let event = api_gateway::event();
    let allocated = seclog::testing::with_config(config, || {
        allocations_per_run(100, 10_000, || {
            let _ = black_box(api_gateway::transfer_audited(black_box(&event)));
        })
    });
    assert_eq!(
        allocated, 0,
        "heap allocations in 10,000 audited invocations"
    );
    assert_eq!(
        sink.records(),
        2 * 10_100,
        "each invocation wrote its start and end records"
    );
    let end = sink.last_record();
    assert_eq!(end["seclog"]["phase"], "end");
    assert_eq!(end["seclog"]["response"]["statusCode"], 201);
}

#[test]
fn a_handler_filtered_out_by_level_allocates_nothing() {
    let sink = LineBuffer::new();
    let config = seclog::builder()
        .level(Level::Info)
        .sink(sink.clone())
        .build()
        .unwrap();
    let event = api_gateway::event();
    let allocated = seclog::testing::with_config(config, || {
        allocations_per_run(10, 10_000, || {
            let _ = black_box(api_gateway::transfer_filtered(black_box(&event)));
        })
    });
    assert_eq!(
        allocated, 0,
        "heap allocations in 10,000 filtered-out invocations"
    );
    assert_eq!(sink.records(), 0);
}

/// The process-wide configuration with the real stdout sink, in a child
/// process of this test binary whose standard output is discarded.
#[test]
fn the_stdout_sink_allocates_nothing_once_warm() {
    const CHILD: &str = "SECLOG_ALLOCATIONS_CHILD";
    if std::env::var_os(CHILD).is_some() {
        seclog::builder()
            .level(Level::Info)
            .stdout()
            .install()
            .expect("the child configures seclog first");
        let event = api_gateway::event();
        let allocated = allocations_per_run(100, 10_000, || {
            let _ = black_box(api_gateway::transfer_audited(black_box(&event)));
        });
        assert_eq!(
            allocated, 0,
            "heap allocations in 10,000 audited invocations writing to stdout"
        );
        assert_eq!(seclog::stats().records, 2 * 10_100);
        return;
    }
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "the_stdout_sink_allocates_nothing_once_warm",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .stdout(std::process::Stdio::null())
        .output()
        .expect("the test binary runs");
    assert!(
        output.status.success(),
        "the child failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[derive(serde::Serialize, seclog::Redact)]
struct PinChange {
    account: String,
    pin_code: String,
    #[redact(clear)]
    pin_hint: String,
    attempts: u32,
}

#[seclog::audit(name = "change_pin")]
#[inline(never)]
fn change_pin(req: &PinChange) -> &PinChange {
    req
}

#[test]
fn derived_fields_judged_by_terms_added_at_run_time_allocate_nothing() {
    let sink = LineBuffer::new();
    let config = seclog::builder()
        .level(Level::Info)
        .sensitive_key("pin")
        .sink(sink.clone())
        .build()
        .unwrap();
    let req = PinChange {
        account: "acct-1".into(),
        pin_code: "4921".into(),
        pin_hint: "a year".into(),
        attempts: 1,
    };
    let allocated = seclog::testing::with_config(config, || {
        allocations_per_run(100, 10_000, || {
            let _ = black_box(change_pin(black_box(&req)));
        })
    });
    assert_eq!(
        allocated, 0,
        "heap allocations in 10,000 audited invocations"
    );
    let end = sink.last_record();
    assert_eq!(end["seclog"]["response"]["pin_code"], "[REDACTED]");
    assert_eq!(end["seclog"]["response"]["pin_hint"], "a year");
}
