//! A program writing one invocation at each level seclog has, for the tests
//! of level filtering by the environment (`SECLOG_LEVEL`, and AWS Lambda's
//! `AWS_LAMBDA_LOG_LEVEL` and `AWS_LAMBDA_LOG_FORMAT`).
//!
//! It audits a `trace` handler, a `debug` one, an `info` one, one that fails
//! (`warn`), one that panics (`error`) and one that reports a critical
//! security event, then prints `done` on stderr.

#[seclog::audit(level = "trace")]
fn trace_handler() {}

#[seclog::audit(level = "debug")]
fn debug_handler() {}

#[seclog::audit]
fn info_handler() {}

#[seclog::audit]
fn failing_handler() -> Result<(), String> {
    Err("refused".into())
}

#[seclog::audit]
fn panicking_handler() {
    panic!("broken invariant");
}

#[seclog::audit(who = "mallory")]
fn forbidden_handler() -> Result<(), String> {
    seclog::security_event!(authz_fail, resource = "/admin");
    Err("forbidden".into())
}

fn main() {
    seclog::init().expect("a valid configuration");
    std::panic::set_hook(Box::new(|_| {}));
    trace_handler();
    debug_handler();
    info_handler();
    let _ = failing_handler();
    let _ = std::panic::catch_unwind(panicking_handler);
    let _ = forbidden_handler();
    eprintln!("done");
}
