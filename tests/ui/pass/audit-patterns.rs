//! Argument patterns: each binding of a destructuring pattern is logged as
//! its own input, named after the binding; `_` binds nothing and is not
//! logged. Raw identifiers and `mut` bindings work as written.

use serde::Serialize;

#[derive(Serialize)]
struct Point {
    x: i32,
    y: i32,
}

struct Wrapper(u32);

#[seclog::audit]
fn sum((a, b): (u32, u32)) -> u32 {
    a + b
}

#[seclog::audit]
fn norm(Point { x, y }: Point) -> i32 {
    x.abs() + y.abs()
}

#[seclog::audit]
fn unwrap(Wrapper(inner): Wrapper) -> u32 {
    inner
}

#[seclog::audit]
fn first([head, ..]: [u8; 3]) -> u8 {
    head
}

#[seclog::audit(skip(r#type))]
fn kind(r#type: &str, r#match: bool) -> String {
    format!("{type}:{match}", type = r#type, match = r#match)
}

#[seclog::audit]
fn r#loop(times: u32) -> u32 {
    times
}

#[seclog::audit]
fn bump(mut counter: u32, _: u32, _unused: u32) -> u32 {
    counter += 1;
    counter
}

#[seclog::audit]
fn by_ref(&n: &u32, ref label: String) -> usize {
    n as usize + label.len()
}

fn main() {
    let run = seclog::testing::capture(run);
    let records = run.records();
    let input = |i: usize| records[i]["seclog"]["input"].clone();
    // Each binding of a pattern is an input named after the binding.
    assert_eq!(input(0), serde_json::json!({"a": 1, "b": 2}));
    assert_eq!(input(2), serde_json::json!({"x": -1, "y": 2}));
    assert_eq!(input(4), serde_json::json!({"inner": 4}));
    assert_eq!(input(6), serde_json::json!({"head": 9}));
    // Raw identifiers are logged without `r#`; `skip` accepts either spelling.
    assert_eq!(input(8), serde_json::json!({"match": true}));
    assert_eq!(records[10]["event"]["action"], "loop");
    // `_` binds nothing, so it is not logged.
    assert_eq!(input(12), serde_json::json!({"counter": 1, "_unused": 0}));
    assert_eq!(input(14), serde_json::json!({"n": 1, "label": "ab"}));
}

fn run() {
    assert_eq!(sum((1, 2)), 3);
    assert_eq!(norm(Point { x: -1, y: 2 }), 3);
    assert_eq!(unwrap(Wrapper(4)), 4);
    assert_eq!(first([9, 8, 7]), 9);
    assert_eq!(kind("user", true), "user:true");
    assert_eq!(r#loop(2), 2);
    assert_eq!(bump(1, 0, 0), 2);
    assert_eq!(by_ref(&1, "ab".into()), 3);
}
