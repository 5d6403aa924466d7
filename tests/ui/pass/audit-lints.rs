//! The generated code adds no warning to a crate that denies or forbids
//! them, so it cannot break a build with strict lint settings.

#![deny(warnings, unused, unreachable_code, nonstandard_style, rust_2018_idioms)]
#![deny(unused_qualifications, unused_results)]
#![forbid(
    unused_variables,
    unused_mut,
    unused_imports,
    unused_must_use,
    unused_assignments
)]
#![forbid(dead_code, unreachable_code, unreachable_patterns, unsafe_code)]

#[seclog::audit]
fn reply(ok: bool) -> (bool, u8) {
    (ok, 1)
}

#[seclog::audit]
fn try_reply(ok: bool) -> Result<(bool, u8), String> {
    let n: u8 = "1".parse().map_err(|_| "bad number".to_string())?;
    Ok((ok, n))
}

#[seclog::audit(skip_all, skip_response)]
fn quiet(secret: String) -> String {
    secret
}

#[seclog::audit]
fn maybe(n: u8) -> Option<u8> {
    if n == 0 {
        return None;
    }
    Some(n)
}

#[seclog::audit]
async fn later(n: u8) -> Option<u8> {
    Some(n)
}

#[seclog::audit]
fn nothing() {}

#[seclog::audit]
fn stop(reason: &str) -> ! {
    panic!("{reason}")
}

#[seclog::audit]
async fn halt(reason: String) -> ! {
    panic!("{reason}")
}

fn main() {
    let run = seclog::testing::capture(|| {
        assert!(reply(true).0);
        assert!(try_reply(true).unwrap().0);
        assert_eq!(quiet("s".into()), "s");
        assert_eq!(maybe(0), None);
        drop(later(1));
        nothing();
        if std::env::args().count() > 99 {
            stop("never");
        }
        drop(halt("never".into()));
    });
    assert_eq!(run.lines.len(), 10);
}
