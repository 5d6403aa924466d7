//! The `axum_login` example, built as a binary of the test package so the
//! end-to-end test can run it as a Lambda function
//! (`CARGO_BIN_EXE_axum-login`).

#[path = "../../../examples/examples/axum_login.rs"]
mod function;

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    function::main()
}
