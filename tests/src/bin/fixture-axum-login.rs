//! The `axum_login` example, built as a test-only binary (named apart from
//! the example, which users run) so the
//! end-to-end test can run it as a Lambda function
//! (`CARGO_BIN_EXE_fixture-axum-login`).

#[path = "../../../examples/examples/axum_login.rs"]
mod function;

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    function::main()
}
