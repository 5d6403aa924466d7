//! The `lambda_http_login` example, built as a binary of the test package so
//! the end-to-end test can run it (`CARGO_BIN_EXE_lambda-http-login`).

#[path = "../../../examples/examples/lambda_http_login.rs"]
mod function;

fn main() -> Result<(), lambda_http::Error> {
    function::main()
}
