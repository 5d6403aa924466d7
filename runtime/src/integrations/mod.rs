//! Serverless integrations, each behind a cargo feature; the default build
//! compiles none of them.
//!
//! | feature | module | what it adds |
//! |---|---|---|
//! | `lambda` | [`lambda`] | [`Describe`](crate::context::Describe) for `lambda_runtime::Context` and `LambdaEvent<T>` (logged as its payload); `seclog.memory.*` and `seclog.time_left_ms` on end records |
//! | `aws-events` | [`events`] | `Describe`, [`Redact`](crate::Redact) and [`Outcome`](crate::Outcome) for the `aws_lambda_events` API Gateway (REST v1, HTTP v2) and ALB requests and responses |
//! | `lambda-http` | [`http`] | the same for `lambda_http::Request` and `Response`; implies `lambda` and `aws-events` |
//! | `emf` | [`emf`] | CloudWatch Embedded Metric Format in end records (`SECLOG_EMF=true`) |
//! | `axum` | [`axum`] | axum 0.8 extractors and responses in audited handlers, and [`AuditLayer`](axum::AuditLayer), recording every request of a router |
//! | `axum`, `lambda-http` | [`http_types`] | the `http` types both share: `StatusCode`, `Response`, `HeaderMap`, `Method`, `Uri` |
//!
//! The `lambda*` and `aws-events` features need Rust 1.84, the minimum of
//! the AWS crates they build on; `axum` needs Rust 1.80, axum's minimum.

#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "emf")]
pub mod emf;
#[cfg(feature = "aws-events")]
pub mod events;
#[cfg(any(feature = "aws-events", feature = "axum"))]
mod form;
#[cfg(any(feature = "aws-events", feature = "axum"))]
mod headers;
#[cfg(feature = "lambda-http")]
pub mod http;
#[cfg(any(feature = "axum", feature = "lambda-http"))]
pub mod http_types;
#[cfg(feature = "lambda")]
pub mod lambda;
#[cfg(any(feature = "aws-events", feature = "axum"))]
mod route;
#[cfg(any(feature = "axum", feature = "lambda"))]
mod wrapper;

/// A problem an integration finds with its configuration when a record is
/// about to be written (an invalid `SECLOG_EMF_NAMESPACE` before the first
/// JSON end record with metrics), returned once for the caller to report:
/// integrations write no records themselves.
#[cfg(feature = "emf")]
pub(crate) fn config_problem(
    config: crate::config::Config,
    view: &crate::format::RecordView<'_>,
) -> Option<crate::config::ConfigError> {
    let metrics = view.phase == crate::record::Phase::End
        && config.0.emf
        && config.0.format == crate::config::Format::Json;
    metrics.then(emf::namespace_problem).flatten()
}

/// Writes the integrations' members at the end of a JSON end record, after
/// the `seclog` object: the Lambda memory and time members, then the EMF
/// metrics. Everything is dropped again if it would push the record past
/// its size limit, so the record's bound holds.
#[cfg(any(feature = "emf", feature = "lambda"))]
pub(crate) fn write_end_members(
    config: crate::config::Config,
    view: &crate::format::RecordView<'_>,
    w: &mut crate::redact::Writer,
) {
    if view.phase != crate::record::Phase::End {
        return;
    }
    let mark = w.buf.len();
    // One reading of the process's peak memory serves both.
    #[cfg(feature = "lambda")]
    let peak = lambda::invocation_peak_memory(view);
    #[cfg(not(feature = "lambda"))]
    let peak = None;
    #[cfg(feature = "lambda")]
    lambda::write_end_members(view, peak, w);
    #[cfg(feature = "emf")]
    if config.0.emf {
        emf::write_members(config, view, peak, w);
    }
    let _ = peak;
    // The closing brace and the newline still follow.
    if w.buf.len() + 2 > config.0.limits.max_record_bytes {
        w.buf.truncate(mark);
    }
    let _ = config;
}
