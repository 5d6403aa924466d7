//! What judging derived field names at run time costs: an audited handler
//! whose argument and response are a derived type of 24 fields, with the
//! fields written by the plain writer (`#[redact(clear)]`, the baseline),
//! unmarked under the default terms only (nothing to look up), and unmarked
//! with a term added at run time (each name judged through the per-thread
//! cache of static keys), in one process:
//!
//! ```text
//! cargo bench -p seclog-tests --bench derived_fields
//! SECLOG_BENCH_QUICK=1 cargo bench -p seclog-tests --bench derived_fields
//! ```
//!
//! Two full runs on a shared 2-vCPU machine gave 1.004x and 1.010x for the
//! default terms and 1.101x and 1.115x with an added term (about 2 ns per
//! member for the remembered verdict).
//!
//! Every round takes one sample of each case in rotating order, so noise
//! from other work hits all cases alike; each ratio is the median of the
//! per-round ratios to the baseline. Run without `--bench` (as
//! `cargo test --benches` does), each case runs a few times and nothing is
//! timed.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// 24 fields: the same names and values, written as declared.
macro_rules! wide {
    ($name:ident, $handler:ident $(, #[$mark:meta])?) => {
        #[derive(seclog::Redact, Clone)]
        pub struct $name {
            $(#[$mark])? account_id: String,
            $(#[$mark])? user_name: String,
            $(#[$mark])? email_verified: bool,
            $(#[$mark])? amount_cents: u64,
            $(#[$mark])? currency: String,
            $(#[$mark])? merchant: String,
            $(#[$mark])? country: String,
            $(#[$mark])? created_at: u64,
            $(#[$mark])? attempts: u32,
            $(#[$mark])? channel: String,
            $(#[$mark])? device_type: String,
            $(#[$mark])? app_version: String,
            $(#[$mark])? locale: String,
            $(#[$mark])? time_zone: String,
            $(#[$mark])? referrer: String,
            $(#[$mark])? campaign: String,
            $(#[$mark])? plan: String,
            $(#[$mark])? seats: u32,
            $(#[$mark])? trial: bool,
            $(#[$mark])? region: String,
            $(#[$mark])? order_id: String,
            $(#[$mark])? invoice_id: String,
            $(#[$mark])? discount: u32,
            $(#[$mark])? note: String,
        }

        impl $name {
            fn new() -> Self {
                let s = |v: &str| v.to_string();
                $name {
                    account_id: s("acct-1"), user_name: s("alice"), email_verified: true,
                    amount_cents: 1250, currency: s("EUR"), merchant: s("m-77"),
                    country: s("FR"), created_at: 1_767_225_600, attempts: 1,
                    channel: s("web"), device_type: s("phone"), app_version: s("4.2.1"),
                    locale: s("fr-FR"), time_zone: s("Europe/Paris"), referrer: s("mail"),
                    campaign: s("spring"), plan: s("team"), seats: 5, trial: false,
                    region: s("eu-west-3"), order_id: s("o-981"), invoice_id: s("i-455"),
                    discount: 10, note: s("gift"),
                }
            }
        }

        #[seclog::audit(name = "checkout")]
        #[inline(never)]
        fn $handler(req: &$name) -> &$name {
            req
        }
    };
}

wide!(Clear, checkout_clear, #[redact(clear)]);
wide!(Unmarked, checkout_unmarked);

/// How long to measure.
struct Plan {
    warm_up: Duration,
    sample: Duration,
    rounds: usize,
}

/// One measured case: `run(n)` makes `n` calls and returns how long they took.
struct Case {
    label: &'static str,
    run: Box<dyn FnMut(u64) -> Duration>,
    iters: u64,
    samples: Vec<f64>,
}

fn config(term: Option<&str>) -> seclog::Config {
    let builder = seclog::builder()
        .level(seclog::Level::Info)
        .hash_key("sixteen+ bytes of benchmark key")
        .sink(seclog::sink::FnSink(|record: &[u8], _| {
            black_box(record);
            Ok(())
        }));
    match term {
        Some(t) => builder.sensitive_key(t),
        None => builder,
    }
    .build()
    .expect("the benchmark's configuration is valid")
}

fn timed(n: u64, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let quick = std::env::var_os("SECLOG_BENCH_QUICK").is_some_and(|v| v != "0");
    let plan = if quick {
        Plan {
            warm_up: Duration::from_millis(100),
            sample: Duration::from_micros(500),
            rounds: 60,
        }
    } else {
        Plan {
            warm_up: Duration::from_millis(1000),
            sample: Duration::from_millis(2),
            rounds: 1000,
        }
    };
    let clear: &'static Clear = Box::leak(Box::new(Clear::new()));
    let unmarked: &'static Unmarked = Box::leak(Box::new(Unmarked::new()));
    let (defaults, added) = (config(None), config(Some("pin")));

    // The records are the same in every case: nothing matches "pin".
    let record = |config, f: &dyn Fn()| seclog::testing::capture_with(config, f).lines;
    let expected = record(defaults, &|| {
        checkout_clear(clear);
    });
    for (config, label) in [(defaults, "defaults"), (added, "added term")] {
        let lines = record(config, &|| {
            checkout_unmarked(unmarked);
        });
        assert_eq!(lines.len(), 2, "{label}");
        let strip = |l: &String| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            v.as_object_mut().unwrap().retain(|k, _| k == "seclog");
            v["seclog"].as_object_mut().unwrap().remove("duration");
            v
        };
        assert_eq!(
            lines.iter().map(strip).collect::<Vec<_>>(),
            expected.iter().map(strip).collect::<Vec<_>>(),
            "{label}: the same payloads"
        );
    }

    let mut cases = vec![
        Case {
            label: "every field #[redact(clear)]: the plain writer (baseline)",
            run: Box::new(move |n| {
                seclog::testing::with_config(defaults, || {
                    timed(n, || {
                        black_box(checkout_clear(black_box(clear)));
                    })
                })
            }),
            iters: 1,
            samples: Vec::new(),
        },
        Case {
            label: "unmarked, default terms only: nothing to look up",
            run: Box::new(move |n| {
                seclog::testing::with_config(defaults, || {
                    timed(n, || {
                        black_box(checkout_unmarked(black_box(unmarked)));
                    })
                })
            }),
            iters: 1,
            samples: Vec::new(),
        },
        Case {
            label: "unmarked, a term added at run time: cached verdicts",
            run: Box::new(move |n| {
                seclog::testing::with_config(added, || {
                    timed(n, || {
                        black_box(checkout_unmarked(black_box(unmarked)));
                    })
                })
            }),
            iters: 1,
            samples: Vec::new(),
        },
    ];

    if !benching {
        for c in &mut cases {
            (c.run)(3);
        }
        println!(
            "derived_fields benchmark: {} cases checked (run with `cargo bench` to measure)",
            cases.len()
        );
        return;
    }

    for c in &mut cases {
        let start = Instant::now();
        let mut n = 1;
        let mut per_call = 0.0;
        while start.elapsed() < plan.warm_up {
            per_call = (c.run)(n).as_secs_f64() / n as f64;
            n = (n * 2).min(1 << 20);
        }
        c.iters = ((plan.sample.as_secs_f64() / per_call) as u64).max(1);
    }
    for round in 0..plan.rounds {
        for i in 0..cases.len() {
            let c = &mut cases[(round + i) % 3];
            let d = (c.run)(c.iters);
            c.samples.push(d.as_nanos() as f64 / c.iters as f64);
        }
    }
    println!(
        "derived_fields benchmark ({} mode, {} rounds): an audited call, 24-field derived argument and response",
        if quick { "quick" } else { "full" },
        plan.rounds
    );
    let base = cases[0].samples.clone();
    for c in &cases {
        let ratios: Vec<f64> = c.samples.iter().zip(&base).map(|(s, b)| s / b).collect();
        println!(
            "  {:>8.0} ns/call  x{:.3} of baseline  {}",
            median(c.samples.clone()),
            median(ratios),
            c.label
        );
    }
}
