//! What finding secrets by their shape costs, on its own: the scanner
//! (`seclog::redact_text`) over the strings of the benchmark's API Gateway
//! event and response (what an audited invocation writes as text), next to
//! escaping the same strings as JSON (`serde_json`). In a record the scan
//! rides along with seclog's own copy and escape check; the `audit`
//! benchmark measures that.
//!
//! ```text
//! cargo bench -p seclog-tests --bench shapes
//! SECLOG_BENCH_QUICK=1 cargo bench -p seclog-tests --bench shapes
//! ```
//!
//! As in the `audit` benchmark, the cases are interleaved round by round
//! and each ratio is the median of the per-round ratios.

mod api_gateway;

use seclog::redact_text;
use serde_json::Value;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Every string of a JSON value that seclog writes as text: not the keys,
/// nor the values of sensitive keys (written as `"[REDACTED]"`).
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
        Value::Object(members) => members
            .iter()
            .filter(|(k, _)| !seclog::is_sensitive_key(k))
            .for_each(|(_, m)| strings(m, out)),
        _ => {}
    }
}

fn timed(n: u64, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed()
}

struct Case {
    label: &'static str,
    run: Box<dyn FnMut(u64) -> Duration>,
    iters: u64,
    samples: Vec<f64>,
}

fn case(label: &'static str, run: impl FnMut(u64) -> Duration + 'static) -> Case {
    Case {
        label,
        run: Box::new(run),
        iters: 1,
        samples: Vec::new(),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let quick = std::env::var_os("SECLOG_BENCH_QUICK").is_some_and(|v| v != "0");
    let (warm_up, sample, rounds) = if quick {
        (Duration::from_millis(100), Duration::from_micros(500), 60)
    } else {
        (Duration::from_millis(1000), Duration::from_millis(2), 800)
    };

    let mut texts = Vec::new();
    strings(
        &serde_json::to_value(api_gateway::event()).expect("the event converts"),
        &mut texts,
    );
    strings(
        &serde_json::to_value(api_gateway::reply()).expect("the response converts"),
        &mut texts,
    );
    let texts: &'static [String] = Box::leak(texts.into_boxed_slice());
    let bytes: usize = texts.iter().map(String::len).sum();
    let flagged: Vec<&str> = texts
        .iter()
        .map(String::as_str)
        .filter(|t| !matches!(redact_text(t), std::borrow::Cow::Borrowed(_)))
        .collect();

    // The same text with a secret of each kind in it.
    let secrets: &'static [String] = Box::leak(
        [
            "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl expired",
            "Authorization: Bearer a1b2c3d4e5f6g7h8 rejected",
            "key AKIAIOSFODNN7EXAMPLE used",
            "card 4111 1111 1111 1111 declined",
            "GET /cb?code=1&access_token=abc123 HTTP/1.1",
        ]
        .map(String::from)
        .to_vec()
        .into_boxed_slice(),
    );

    let mut cases = vec![
        case("escape as JSON (serde_json): the event's strings", {
            let mut buf = Vec::with_capacity(8192);
            move |n| {
                timed(n, || {
                    buf.clear();
                    for t in black_box(texts) {
                        serde_json::to_writer(&mut buf, t).expect("a string serializes");
                    }
                })
            }
        }),
        case("scan for shapes: the event's strings", move |n| {
            timed(n, || {
                for t in black_box(texts) {
                    black_box(redact_text(t));
                }
            })
        }),
        case("scan for shapes: five texts with a secret each", move |n| {
            timed(n, || {
                for t in black_box(secrets) {
                    black_box(redact_text(t));
                }
            })
        }),
    ];

    // For profilers: only the case whose label starts with
    // `SECLOG_BENCH_PROFILE`, `SECLOG_BENCH_CALLS` times, untimed.
    if let Ok(prefix) = std::env::var("SECLOG_BENCH_PROFILE") {
        let calls = std::env::var("SECLOG_BENCH_CALLS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(100_000);
        let c = cases
            .iter_mut()
            .find(|c| c.label.starts_with(&prefix))
            .expect("SECLOG_BENCH_PROFILE names a case");
        (c.run)(calls);
        return;
    }

    if !benching {
        for c in &mut cases {
            (c.run)(3);
        }
        println!("shapes benchmark: {} cases checked", cases.len());
        return;
    }

    println!(
        "seclog shape scanner ({} mode): {} strings, {bytes} B, of the API Gateway event and response;",
        if quick { "quick" } else { "full" },
        texts.len()
    );
    println!("{} of them hold a shape: {flagged:?}", flagged.len());
    for c in &mut cases {
        let start = Instant::now();
        let mut n = 1;
        let mut per_call = 0.0;
        while start.elapsed() < warm_up {
            let took = (c.run)(n);
            per_call = took.as_secs_f64() / n as f64;
            if took < sample {
                n *= 2;
            }
        }
        c.iters = ((sample.as_secs_f64() / per_call).ceil() as u64).max(1);
    }
    let count = cases.len();
    for round in 0..rounds {
        for k in 0..count {
            let c = &mut cases[(round + k) % count];
            let took = (c.run)(c.iters);
            c.samples.push(took.as_nanos() as f64 / c.iters as f64);
        }
    }
    println!();
    println!(
        "{:<52} {:>10} {:>9} {:>12}",
        "case", "median ns", "ns/KiB", "vs escape"
    );
    let escape = cases[0].samples.clone();
    for c in &cases {
        let ratio = median(c.samples.iter().zip(&escape).map(|(x, y)| x / y).collect());
        let ns = median(c.samples.clone());
        let per_kib = if c.label.contains("event") {
            format!("{:.1}", ns * 1024.0 / bytes as f64)
        } else {
            String::from("-")
        };
        println!(
            "{:<52} {:>10.1} {:>9} {:>11.2}x",
            c.label, ns, per_kib, ratio
        );
    }
}
