//! The `seclog-detector` Lambda function, built as a test-only binary so
//! the end-to-end test can run it (`CARGO_BIN_EXE_fixture-detector`).

fn main() -> Result<(), lambda_runtime::Error> {
    seclog_detector::run()
}
