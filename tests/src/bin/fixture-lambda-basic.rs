//! The `lambda_basic` example function, built as a test-only binary (named
//! apart from the example, which users run) so the end-to-end test can run it (`CARGO_BIN_EXE_fixture-lambda-basic`).

#[path = "../../../examples/src/bin/lambda_basic.rs"]
mod function;

fn main() -> Result<(), lambda_runtime::Error> {
    function::main()
}
