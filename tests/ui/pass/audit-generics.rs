//! Generics, `where` clauses, lifetimes, references and `impl Trait`.

use serde::Serialize;
use std::fmt::Display;

#[seclog::audit]
fn longest<'a>(x: &'a str, y: &'a str) -> &'a str {
    if x.len() >= y.len() {
        x
    } else {
        y
    }
}

#[seclog::audit]
fn split<'a, 'b: 'a>(text: &'a str, sep: &'b str) -> Vec<&'a str> {
    text.split(sep).collect()
}

#[seclog::audit]
fn pair<K, V>(key: K, value: V) -> (K, V)
where
    K: Serialize + Display,
    V: Serialize + Clone,
{
    (key, value)
}

#[seclog::audit]
fn count<const N: usize>(items: [u8; N]) -> usize {
    items.len()
}

#[seclog::audit]
fn describe(value: impl Serialize + Display) -> impl Serialize {
    value.to_string()
}

#[seclog::audit(skip_response)]
fn evens(limit: u32) -> impl Iterator<Item = u32> {
    (0..limit).filter(|n| n % 2 == 0)
}

#[seclog::audit(skip(f))]
fn apply<F: Fn(u32) -> u32>(f: F, x: u32) -> u32 {
    f(x)
}

#[seclog::audit(skip(items))]
fn total<'a, I>(items: I) -> u64
where
    I: IntoIterator<Item = &'a u64>,
{
    items.into_iter().sum()
}

#[seclog::audit(skip(out))]
fn fill(out: &mut Vec<u8>, byte: u8) -> usize {
    out.push(byte);
    out.len()
}

fn main() {
    let run = seclog::testing::capture(run);
    let records = run.records();
    assert_eq!(records.len(), 18);
    assert_eq!(records[1]["seclog"]["response"], "abc");
    assert_eq!(records[11]["seclog"].get("response"), None, "skip_response");
}

fn run() {
    assert_eq!(longest("abc", "de"), "abc");
    assert_eq!(split("a,b", ","), vec!["a", "b"]);
    assert_eq!(pair("k", 1), ("k", 1));
    assert_eq!(count([1, 2, 3]), 3);
    let _ = describe(5);
    assert_eq!(evens(5).collect::<Vec<_>>(), vec![0, 2, 4]);
    assert_eq!(apply(|x| x + 1, 1), 2);
    assert_eq!(total(&[1, 2]), 3);
    let mut buf = Vec::new();
    assert_eq!(fill(&mut buf, 1), 1);
}
