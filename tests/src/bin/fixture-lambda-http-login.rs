//! The `lambda_http_login` example function, built as a test-only binary
//! (named apart from the example, which users run) so the end-to-end test
//! can run it (`CARGO_BIN_EXE_fixture-lambda-http-login`).

#[path = "../../../examples/src/bin/lambda_http_login.rs"]
mod function;

fn main() -> Result<(), lambda_http::Error> {
    function::main()
}
