//! The `lambda_basic` example, built as a binary of the test package so the
//! end-to-end test can run it (`CARGO_BIN_EXE_lambda-basic`).

#[path = "../../../examples/examples/lambda_basic.rs"]
mod function;

fn main() -> Result<(), lambda_runtime::Error> {
    function::main()
}
