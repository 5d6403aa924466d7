//! What an audited invocation costs, side by side with the floor and the
//! alternatives a user would otherwise pick, on one realistic API Gateway
//! event, in one process:
//!
//! ```text
//! cargo bench -p seclog-tests --bench audit                          # the numbers
//! SECLOG_BENCH_QUICK=1 cargo bench -p seclog-tests --bench audit     # a few seconds
//! SECLOG_BENCH_SHOW=1 ...      # also print the records being measured
//! SECLOG_BENCH_PROFILE=seclog SECLOG_BENCH_CALLS=100000 ...   # one case, for a profiler
//! ```
//!
//! The harness interleaves the cases: every round takes one sample of each
//! (in rotating order), so a burst of noise from other work on the machine
//! hits all cases alike, and each ratio is the median of the per-round
//! ratios. Each case is warmed up first; a sample is a timed loop of many
//! calls, long enough that the clock's own cost vanishes. The table gives
//! the median and the interquartile range of the samples. (Criterion
//! measures one benchmark after another; the targets are ratios between
//! cases, which on a shared machine only hold up when measured together.)
//!
//! Run without `--bench` (as `cargo test --benches` does), each case runs a
//! few times as a smoke test and nothing is timed.

mod api_gateway;

use api_gateway::{event, reply, ApiGatewayResponse, Event};
use serde_json::Value;
use std::hint::black_box;
use std::io;
use std::time::{Duration, Instant};

/// How long to measure.
#[derive(Clone, Copy)]
struct Plan {
    warm_up: Duration,
    sample: Duration,
    rounds: usize,
}

const FULL: Plan = Plan {
    warm_up: Duration::from_millis(1500),
    sample: Duration::from_millis(2),
    rounds: 1500,
};
const QUICK: Plan = Plan {
    warm_up: Duration::from_millis(100),
    sample: Duration::from_micros(500),
    rounds: 60,
};

/// One measured case: `run(n)` makes `n` calls and returns how long they took.
struct Case {
    label: &'static str,
    run: Box<dyn FnMut(u64) -> Duration>,
    iters: u64,
    /// Nanoseconds per call, one per round.
    samples: Vec<f64>,
}

fn timed(n: u64, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed()
}

fn case(label: &'static str, run: impl FnMut(u64) -> Duration + 'static) -> Case {
    Case {
        label,
        run: Box::new(run),
        iters: 1,
        samples: Vec::new(),
    }
}

/// The floor: serde_json writing the input and the response into a reused
/// buffer, nothing else.
fn floor(buf: &mut Vec<u8>, event: &Event, reply: &ApiGatewayResponse) {
    buf.clear();
    serde_json::to_writer(&mut *buf, event).expect("the event serializes");
    serde_json::to_writer(&mut *buf, reply).expect("the response serializes");
}

/// Runtime redaction, as data-masking libraries do it: a `Value` copy of
/// the data, walked and masked with seclog's own sensitive-key list, then
/// serialized.
fn runtime_redaction(buf: &mut Vec<u8>, event: &Event, reply: &ApiGatewayResponse) {
    fn mask(v: &mut Value) {
        match v {
            Value::Object(members) => {
                for (key, value) in members.iter_mut() {
                    if seclog::is_sensitive_key(key) {
                        *value = Value::String("[REDACTED]".to_owned());
                    } else {
                        mask(value);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(mask),
            _ => {}
        }
    }
    buf.clear();
    let mut input = serde_json::to_value(event).expect("the event converts");
    mask(&mut input);
    serde_json::to_writer(&mut *buf, &input).expect("the masked event serializes");
    let mut output = serde_json::to_value(reply).expect("the response converts");
    mask(&mut output);
    serde_json::to_writer(&mut *buf, &output).expect("the masked response serializes");
}

/// `tracing-subscriber`'s JSON formatter writing into `make_writer`'s writer.
fn json_subscriber<W>(make_writer: W) -> tracing::Dispatch
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    tracing::Dispatch::new(
        tracing_subscriber::fmt()
            .json()
            .with_writer(make_writer)
            .finish(),
    )
}

/// What sealing a field costs: one login whose password is sealed for the
/// investigator, against the same login with the password redacted.
mod sealing {
    #[derive(seclog::Redact)]
    pub struct Sealed<'a> {
        pub user: &'a str,
        #[redact(seal)]
        pub password: &'a str,
    }

    #[derive(seclog::Redact)]
    pub struct Redacted<'a> {
        pub user: &'a str,
        #[redact]
        pub password: &'a str,
    }

    #[seclog::audit(name = "login", emit = "end")]
    pub fn login_sealed(req: Sealed<'_>) -> bool {
        req.password.len() >= 8
    }

    #[seclog::audit(name = "login", emit = "end")]
    pub fn login_redacted(req: Redacted<'_>) -> bool {
        req.password.len() >= 8
    }

    /// A short submitted password, as an investigation would want it.
    pub const PASSWORD: &str = "' OR 1=1 --";
}

/// Checks that every case does what its label says before anything is
/// timed, and returns sizes for the header: (input, response, seclog's two
/// records, tracing's line).
fn check(event: &Event, investigator: &seclog::seal::UnsealKey) -> (usize, usize, usize, usize) {
    let password = event.body.password.as_str();
    let mut buf = Vec::new();
    floor(&mut buf, event, reply());
    let input_len = serde_json::to_vec(event).expect("serializes").len();
    let reply_len = buf.len() - input_len;

    let run = seclog::testing::capture(|| api_gateway::transfer_audited(event));
    let records = run.records();
    assert_eq!(records.len(), 2, "start and end records");
    assert_eq!(
        records[0]["seclog"]["input"]["event"]["body"]["password"],
        "[REDACTED]"
    );
    assert_eq!(
        records[0]["seclog"]["input"]["event"]["headers"]["Authorization"],
        "[REDACTED]"
    );
    assert_eq!(records[1]["seclog"]["response"]["statusCode"], 201);
    assert_eq!(
        records[1]["user"]["id"],
        "8f1dc2e4-a60b-41a5-9c3b-1d6e5f7a8091"
    );
    assert!(
        !run.lines.iter().any(|l| l.contains(password)),
        "the password never reaches a record"
    );
    let records_len = run.lines.iter().map(|l| l.len() + 1).sum();
    if std::env::var_os("SECLOG_BENCH_SHOW").is_some() {
        run.lines.iter().for_each(|l| println!("{l}"));
    }

    let filtered = seclog::testing::capture(|| api_gateway::transfer_filtered(event));
    assert!(
        filtered.lines.is_empty(),
        "debug records are filtered out at info"
    );

    runtime_redaction(&mut buf, event, reply());
    let text = String::from_utf8_lossy(&buf);
    assert!(!text.contains(password) && text.contains("[REDACTED]"));

    let lines = seclog_tests::SharedBuffer::default();
    let sink = lines.clone();
    let dispatch = json_subscriber(move || sink.clone());
    tracing::dispatcher::with_default(&dispatch, || {
        black_box(api_gateway::transfer_traced(event)).is_ok()
    });
    let traced = lines.text();
    assert!(
        traced.contains("transfer_traced") && traced.contains(password),
        "tracing logs the password: {traced}"
    );
    let sealed = seclog::testing::capture(|| {
        sealing::login_sealed(sealing::Sealed {
            user: "alice",
            password: sealing::PASSWORD,
        })
    });
    let token = sealed.records()[0]["seclog"]["input"]["req"]["password"]
        .as_str()
        .expect("a sealed token")
        .to_string();
    assert!(!sealed.lines[0].contains(sealing::PASSWORD));
    let opened = seclog::seal::Unsealer::new(investigator.clone())
        .open(&token)
        .expect("the investigator opens it");
    assert_eq!(opened, format!("{:?}", sealing::PASSWORD));
    let redacted = seclog::testing::capture(|| {
        sealing::login_redacted(sealing::Redacted {
            user: "alice",
            password: sealing::PASSWORD,
        })
    });
    assert_eq!(
        redacted.records()[0]["seclog"]["input"]["req"]["password"],
        "[REDACTED]"
    );

    (input_len, reply_len, records_len, traced.len())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

/// Median and interquartile range.
fn summary(v: Vec<f64>) -> (f64, f64, f64) {
    let s = sorted(v);
    (
        percentile(&s, 0.5),
        percentile(&s, 0.25),
        percentile(&s, 0.75),
    )
}

/// Per-round `f(a, b)`, summarised.
fn paired(a: &Case, b: &Case, f: impl Fn(f64, f64) -> f64) -> (f64, f64, f64) {
    summary(
        a.samples
            .iter()
            .zip(&b.samples)
            .map(|(x, y)| f(*x, *y))
            .collect(),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let benching = args.iter().any(|a| a == "--bench");
    let quick = std::env::var_os("SECLOG_BENCH_QUICK").is_some_and(|v| v != "0")
        || args.iter().any(|a| a == "--quick");
    let plan = if quick { QUICK } else { FULL };

    // The process's configuration: records at `info` and above, formatted
    // in full and handed to a sink that discards them (sealed values for an
    // investigator's key); and the same without finding secrets by their
    // shape, to measure what that costs.
    let investigator = seclog::seal::UnsealKey::generate().expect("a key pair");
    let public = investigator.seal_key().to_string();
    let builder = || {
        seclog::builder()
            .level(seclog::Level::Info)
            .service("transfers-api")
            .seal_key(public.clone())
            .sink(seclog::sink::FnSink(|record: &[u8], _| {
                black_box(record);
                Ok(())
            }))
    };
    let no_shapes = builder().shape_detection(false).build().expect("it builds");
    builder()
        .install()
        .expect("the benchmark configures seclog first");

    let event: &'static Event = Box::leak(Box::new(event()));
    let (input_len, reply_len, records_len, traced_len) = check(event, &investigator);

    let tracing_dispatch = json_subscriber(io::sink);
    let mut cases = vec![
        case(
            "floor: serde_json, input + response into a reused Vec<u8>",
            {
                let mut buf = Vec::with_capacity(4096);
                move |n| {
                    timed(n, || {
                        floor(black_box(&mut buf), black_box(event), black_box(reply()))
                    })
                }
            },
        ),
        case(
            "seclog: audited invocation, start + end records, redacted",
            move |n| {
                timed(n, || {
                    let _ = black_box(api_gateway::transfer_audited(black_box(event)));
                })
            },
        ),
        case("seclog, not finding secrets by their shape", move |n| {
            // The configuration is set once a sample, not once a call.
            seclog::testing::with_config(no_shapes, || {
                timed(n, || {
                    let _ = black_box(api_gateway::transfer_audited(black_box(event)));
                })
            })
        }),
        case("runtime redaction: to_value, walk and mask, serialize", {
            let mut buf = Vec::with_capacity(4096);
            move |n| {
                timed(n, || {
                    runtime_redaction(black_box(&mut buf), black_box(event), black_box(reply()))
                })
            }
        }),
        case(
            "#[tracing::instrument(ret)] + JSON (redacts nothing)",
            move |n| {
                tracing::dispatcher::with_default(&tracing_dispatch, || {
                    timed(n, || {
                        let _ = black_box(api_gateway::transfer_traced(black_box(event)));
                    })
                })
            },
        ),
        case("handler without the attribute", move |n| {
            timed(n, || {
                let _ = black_box(api_gateway::transfer_bare(black_box(event)));
            })
        }),
        case(
            "same handler audited, records filtered out by level",
            move |n| {
                timed(n, || {
                    let _ = black_box(api_gateway::transfer_filtered(black_box(event)));
                })
            },
        ),
        case("login, end record, password sealed", move |n| {
            timed(n, || {
                black_box(sealing::login_sealed(sealing::Sealed {
                    user: black_box("alice"),
                    password: black_box(sealing::PASSWORD),
                }));
            })
        }),
        case("login, end record, password redacted", move |n| {
            timed(n, || {
                black_box(sealing::login_redacted(sealing::Redacted {
                    user: black_box("alice"),
                    password: black_box(sealing::PASSWORD),
                }));
            })
        }),
        case("Sealer: one short value sealed into a reused buffer", {
            let sealer = seclog::seal::Sealer::new(&investigator.seal_key()).expect("a sealer");
            let json = format!("{:?}", sealing::PASSWORD);
            let mut scratch = Vec::with_capacity(64);
            let mut token = Vec::with_capacity(256);
            move |n| {
                timed(n, || {
                    scratch.clear();
                    scratch.extend_from_slice(black_box(json.as_bytes()));
                    token.clear();
                    let _ = sealer.seal_in_place(&mut scratch, &mut token);
                    black_box(&token);
                })
            }
        }),
    ];

    // For profilers (callgrind, perf): only the case whose label starts
    // with `SECLOG_BENCH_PROFILE`, `SECLOG_BENCH_CALLS` times, untimed.
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
        println!(
            "audit benchmark: {} cases checked (run with `cargo bench` to measure)",
            cases.len()
        );
        return;
    }

    println!(
        "seclog audit benchmark ({} mode): API Gateway REST event, input {input_len} B and response {reply_len} B as JSON;",
        if quick { "quick" } else { "full" }
    );
    println!(
        "seclog writes {records_len} B in its two records, tracing {traced_len} B in its line."
    );

    // Warm up each case and size its samples.
    for c in &mut cases {
        let start = Instant::now();
        let mut n = 1;
        let mut per_call = 0.0;
        while start.elapsed() < plan.warm_up {
            let took = (c.run)(n);
            per_call = took.as_secs_f64() / n as f64;
            if took < plan.sample {
                n *= 2;
            }
        }
        c.iters = ((plan.sample.as_secs_f64() / per_call).ceil() as u64).max(1);
    }

    let count = cases.len();
    for round in 0..plan.rounds {
        for k in 0..count {
            let c = &mut cases[(round + k) % count];
            let took = (c.run)(c.iters);
            c.samples.push(took.as_nanos() as f64 / c.iters as f64);
        }
    }

    let [floor, seclog, no_shapes, redaction, traced, bare, filtered, sealed, redacted, sealer] =
        &cases[..]
    else {
        unreachable!()
    };
    println!();
    println!(
        "{:<62} {:>10} {:>21} {:>9}",
        "case", "median ns", "p25..p75 ns", "vs floor"
    );
    for c in &cases {
        let (median, p25, p75) = summary(c.samples.clone());
        let apart = [bare, filtered, sealed, redacted, sealer];
        let ratio = if apart.iter().any(|a| std::ptr::eq(c, *a)) {
            String::from("-")
        } else {
            format!("{:.2}x", paired(c, floor, |x, y| x / y).0)
        };
        println!(
            "{:<62} {:>10.1} {:>21} {:>9}",
            c.label,
            median,
            format!("{p25:.1}..{p75:.1}"),
            ratio
        );
    }

    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    let over_floor = paired(seclog, floor, |x, y| x / y);
    let without_shapes = paired(no_shapes, floor, |x, y| x / y);
    let shapes_cost = paired(seclog, no_shapes, |x, y| x / y);
    let vs_redaction = paired(redaction, seclog, |x, y| x / y);
    let vs_tracing = paired(traced, seclog, |x, y| x / y);
    let extra = paired(filtered, bare, |x, y| x - y);
    let sealing_cost = paired(sealed, redacted, |x, y| x - y);
    println!();
    println!("SPEC performance targets (per-round ratios: median, p25..p75):");
    let targets = [
        (
            "seclog without shapes at most 1.5x the floor",
            without_shapes,
            "x",
            without_shapes.0 <= 1.5,
        ),
        (
            "seclog finding shapes at most 1.6x the floor",
            over_floor,
            "x",
            over_floor.0 <= 1.6,
        ),
        (
            "finding shapes adds at most 10%",
            shapes_cost,
            "x",
            shapes_cost.0 <= 1.10,
        ),
        (
            "runtime redaction at least 3x seclog",
            vs_redaction,
            "x",
            vs_redaction.0 >= 3.0,
        ),
        (
            "#[instrument] + JSON slower than seclog",
            vs_tracing,
            "x",
            vs_tracing.0 > 1.0,
        ),
        (
            "filtered out: under 5 ns extra",
            extra,
            " ns",
            extra.0 < 5.0,
        ),
        (
            "sealing one short field: at most 2 us",
            sealing_cost,
            " ns",
            sealing_cost.0 <= 2000.0,
        ),
    ];
    for (label, (median, p25, p75), unit, ok) in targets {
        println!(
            "  {:<46} {median:>6.2}{unit:<3} ({p25:.2}..{p75:.2})  {}",
            format!("{label}:"),
            verdict(ok)
        );
    }
}
