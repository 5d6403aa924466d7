//! The integrations cost nothing unless asked for: `seclog`'s default build
//! compiles none of the AWS crates (nor their HTTP client and async
//! runtime), and each feature brings in only what it names. Read from
//! `cargo tree`, offline, on this workspace.

use std::collections::BTreeSet;
use std::process::Command;

/// The crates `seclog` builds with `features` (normal dependencies only).
fn crates(features: &str) -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    let mut c = Command::new(cargo);
    c.args([
        "tree",
        "--offline",
        "-p",
        "seclog",
        "-e",
        "normal",
        "--prefix",
        "none",
        "--format",
        "{p}",
    ])
    .arg("--manifest-path")
    .arg(&manifest);
    if !features.is_empty() {
        c.args(["--features", features]);
    }
    let out = c.output().expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

const LAMBDA: &[&str] = &[
    "lambda_runtime",
    "lambda_http",
    "aws_lambda_events",
    "hyper",
    "tokio",
];

#[test]
fn the_default_build_compiles_no_lambda_crate() {
    let default = crates("");
    assert!(
        default.contains("seclog") && default.contains("serde_json"),
        "{default:?}"
    );
    for name in LAMBDA {
        assert!(
            !default.contains(*name),
            "{name} is in the default build: {default:?}"
        );
    }
}

#[test]
fn each_feature_brings_in_what_it_names() {
    let lambda = crates("lambda");
    assert!(lambda.contains("lambda_runtime"), "{lambda:?}");
    assert!(
        !lambda.contains("lambda_http") && !lambda.contains("aws_lambda_events"),
        "{lambda:?}"
    );

    let events = crates("aws-events");
    assert!(events.contains("aws_lambda_events"), "{events:?}");
    assert!(
        !events.contains("lambda_runtime") && !events.contains("hyper"),
        "no runtime: {events:?}"
    );

    let http = crates("lambda-http");
    for name in ["lambda_http", "lambda_runtime", "aws_lambda_events"] {
        assert!(http.contains(name), "{name}: {http:?}");
    }

    let emf = crates("emf");
    for name in LAMBDA {
        assert!(!emf.contains(*name), "emf needs no {name}: {emf:?}");
    }
}
