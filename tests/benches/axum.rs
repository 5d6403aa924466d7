//! What recording an axum request costs: one router, called in process
//! (no sockets, so only the framework and seclog are measured), bare, under
//! `AuditLayer`, and under `AuditLayer` with its login handler audited too,
//! on a JSON login request with the usual headers. The records go to a
//! writer that discards them, through the ordinary sink path.
//!
//! ```text
//! cargo bench -p seclog-tests --bench axum                          # the numbers
//! SECLOG_BENCH_QUICK=1 cargo bench -p seclog-tests --bench axum     # a few seconds
//! ```
//!
//! As in the `audit` benchmark, the cases are interleaved (one sample of
//! each per round, in rotating order) and each ratio is the median of the
//! per-round ratios, so noise from other work on the machine hits every
//! case alike. Run without `--bench` (as `cargo test --benches` does), each
//! case runs a few times as a smoke test and nothing is timed.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use seclog::integrations::axum::AuditLayer;
use std::hint::black_box;
use std::time::{Duration, Instant};
use tower::ServiceExt;

#[derive(serde::Deserialize, seclog::Redact, seclog::AuthEvent)]
#[auth(login)]
struct Creds {
    #[auth(user)]
    username: String,
    #[redact]
    password: String,
}

async fn login(Json(creds): Json<Creds>) -> StatusCode {
    if creds.username == "alice" && creds.password == "correct horse battery staple" {
        StatusCode::OK
    } else {
        StatusCode::UNAUTHORIZED
    }
}

#[seclog::audit]
async fn login_audited(Json(creds): Json<Creds>) -> StatusCode {
    if creds.username == "alice" && creds.password == "correct horse battery staple" {
        StatusCode::OK
    } else {
        StatusCode::UNAUTHORIZED
    }
}

fn request() -> Request<Body> {
    Request::post("/login")
        .header("host", "api.example.com")
        .header(
            "user-agent",
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        )
        .header("accept", "application/json")
        .header("content-type", "application/json")
        .header(
            "authorization",
            "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl",
        )
        .header("cookie", "session=5f0c1e9a7b2d4c3e8a6b; theme=dark")
        .header("x-forwarded-for", "203.0.113.9")
        .body(Body::from(
            r#"{"username":"alice","password":"correct horse battery staple"}"#,
        ))
        .unwrap()
}

struct Case {
    label: &'static str,
    router: Router,
    samples: Vec<f64>,
}

/// `n` requests through `router`, one after another.
fn run(runtime: &tokio::runtime::Runtime, router: &Router, n: u64) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        let response = runtime.block_on(router.clone().oneshot(request())).unwrap();
        black_box(response.status());
    }
    start.elapsed()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    seclog::builder()
        .writer(std::io::sink())
        .install()
        .expect("the benchmark configures seclog first");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut cases = vec![
        Case {
            label: "router, no seclog (baseline)",
            router: Router::new()
                .route("/login", post(login))
                .route("/health", get(|| async { "ok" })),
            samples: Vec::new(),
        },
        Case {
            label: "router under AuditLayer",
            router: Router::new()
                .route("/login", post(login))
                .route("/health", get(|| async { "ok" }))
                .layer(AuditLayer::new()),
            samples: Vec::new(),
        },
        Case {
            label: "AuditLayer + #[audit] handler",
            router: Router::new()
                .route("/login", post(login_audited))
                .route("/health", get(|| async { "ok" }))
                .layer(AuditLayer::new()),
            samples: Vec::new(),
        },
    ];
    if !std::env::args().any(|a| a == "--bench") {
        for case in &cases {
            run(&runtime, &case.router, 3);
        }
        println!("axum benchmark: smoke run only (pass --bench to measure)");
        return;
    }
    let quick = std::env::var_os("SECLOG_BENCH_QUICK").is_some();
    let (warm_up, rounds, calls) = if quick {
        (100, 40, 200)
    } else {
        (2_000, 300, 500)
    };
    for case in &cases {
        run(&runtime, &case.router, warm_up);
    }
    for round in 0..rounds {
        for i in 0..cases.len() {
            let case = &mut cases[(round + i) % 3];
            let took = run(&runtime, &case.router, calls);
            case.samples.push(took.as_nanos() as f64 / calls as f64);
        }
    }
    let baseline = cases[0].samples.clone();
    println!(
        "{:<34} {:>14} {:>18}",
        "case (one POST /login)", "ns/request", "x baseline"
    );
    for case in &cases {
        let ratios: Vec<f64> = case
            .samples
            .iter()
            .zip(&baseline)
            .map(|(s, b)| s / b)
            .collect();
        println!(
            "{:<34} {:>14.0} {:>17.2}x",
            case.label,
            median(case.samples.clone()),
            median(ratios)
        );
    }
}
