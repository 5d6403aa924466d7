//! Sealing asked of a `seclog` built without its `seal` feature: a compile
//! error under `seal` that says which feature to turn on (trybuild).
//!
//! `TRYBUILD=overwrite cargo test -p seclog-no-seal-tests` regenerates the
//! `.stderr` files after an intended change; read them as a user would.

#[test]
fn ui() {
    trybuild::TestCases::new().compile_fail("ui/*.rs");
}
