//! A load generator for the tests that need many concurrent invocations
//! writing to the real stdout (a pipe the test reads).
//!
//! - `fixture-load async N`: N concurrent invocations of an `async`
//!   handler on a multi-thread tokio runtime; every invocation waits inside
//!   the handler until all N have started, so all N are in flight at once.
//! - `fixture-load sync THREADS N`: N invocations of a sync handler, in
//!   rounds of THREADS threads: every invocation of a round waits inside
//!   the handler until the round's others have started (N is a multiple of
//!   THREADS).
//! - `--after-stdin-closes` first: waits for the end of stdin before
//!   starting (so a test can close stdout first).
//!
//! Invocation `seq` logs a body of up to 4,000 bytes that spells its
//! number (see [`body`]), so a reader can tell whole records from mixed
//! ones. At the end the program reports on stderr how many results were
//! right and what `seclog::stats()` counted.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The body invocation `seq` logs: `seq` as 6 digits and a `|`, repeated.
fn body(seq: u64) -> String {
    format!("{seq:06}|").repeat((seq % 6 * 800 / 7) as usize)
}

#[seclog::audit(who = user, skip(gate))]
async fn serve(
    user: String,
    seq: u64,
    body: String,
    gate: Arc<tokio::sync::Barrier>,
) -> Result<u64, String> {
    gate.wait().await;
    if body.len() > 4_000 {
        return Err("body too long".into());
    }
    Ok(seq * 2)
}

#[seclog::audit(who = user, skip(gate))]
fn handle(user: &str, seq: u64, body: &str, gate: &std::sync::Barrier) -> Result<u64, String> {
    gate.wait();
    if body.len() > 4_000 {
        return Err("body too long".into());
    }
    Ok(seq * 2)
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "--after-stdin-closes") {
        args.remove(0);
        let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut Vec::new());
    }
    let number = |i: usize| -> u64 {
        args.get(i).and_then(|a| a.parse().ok()).unwrap_or_else(|| {
            eprintln!("usage: fixture-load async N | fixture-load sync THREADS N");
            std::process::exit(2)
        })
    };
    let ok = Arc::new(AtomicU64::new(0));
    let n = match args.first().map(String::as_str) {
        Some("async") => {
            let n = number(1);
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(4)
                .build()
                .unwrap();
            runtime.block_on(async {
                let gate = Arc::new(tokio::sync::Barrier::new(n as usize));
                let tasks: Vec<_> = (0..n)
                    .map(|seq| {
                        let (gate, ok) = (gate.clone(), ok.clone());
                        tokio::spawn(async move {
                            if serve(format!("user-{}", seq % 97), seq, body(seq), gate).await
                                == Ok(seq * 2)
                            {
                                ok.fetch_add(1, Ordering::Relaxed);
                            }
                        })
                    })
                    .collect();
                for task in tasks {
                    task.await.unwrap();
                }
            });
            n
        }
        Some("sync") => {
            let (threads, n) = (number(1), number(2));
            if threads == 0 || n % threads != 0 {
                number(usize::MAX);
            }
            let gate = Arc::new(std::sync::Barrier::new(threads as usize));
            let workers: Vec<_> = (0..threads)
                .map(|t| {
                    let (gate, ok) = (gate.clone(), ok.clone());
                    std::thread::spawn(move || {
                        for seq in (t..n).step_by(threads as usize) {
                            let user = format!("user-{}", seq % 97);
                            if handle(&user, seq, &body(seq), &gate) == Ok(seq * 2) {
                                ok.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    })
                })
                .collect();
            for w in workers {
                w.join().unwrap();
            }
            n
        }
        _ => number(usize::MAX),
    };
    let s = seclog::stats();
    eprintln!("results={n} ok={}", ok.load(Ordering::Relaxed));
    eprintln!(
        "records={} write_errors={} sink_panics={}",
        s.records, s.write_errors, s.sink_panics
    );
}
