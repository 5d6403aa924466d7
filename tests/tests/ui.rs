//! Compile-time errors of the macros, as users see them (trybuild).
//!
//! `TRYBUILD=overwrite cargo test -p seclog-tests --test ui` regenerates
//! the `.stderr` files after an intended change; read them as a user would.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*.rs");
}
