//! The `seclog-detector` Lambda function: see the crate's documentation
//! and the README's "Fleet-wide detection on CloudWatch".

fn main() -> Result<(), lambda_runtime::Error> {
    seclog_detector::run()
}
