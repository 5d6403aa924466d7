//! [`AuditLayer`]: a tower layer that records every request of the service
//! it wraps. It begins an invocation of its own per request, so it sits
//! with the invocation engine in the layers (above `invocation`), while the
//! rest of the axum integration only describes and writes values.

use super::super::http_types;
use super::{describe_request, write_request_head, write_response_head};
use crate::handler::{HandlerMeta, MetaCache};
use crate::invocation::{Audited, Invocation};
use crate::record::{Emit, Level};
use crate::redact::{Mask, Out};
use axum::extract::MatchedPath;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use tower_layer::Layer;
use tower_service::Service;

/// The static facts of the layer's records; the action is each request's.
static EXCHANGE: HandlerMeta = HandlerMeta {
    name: "http_request",
    level: Level::Info,
    category: "web",
    category_explicit: true,
    budget_ns: None,
    budget_text: "",
    emit: Emit::Both,
    function: "seclog::integrations::axum::AuditLayer",
    file: file!(),
    line: line!(),
    auth: None,
    mask: Mask(&[]),
    cache: MetaCache::new(),
};

/// A tower layer that records every request of the service it wraps: a
/// start record when the request arrives, an end record when the response
/// is ready (or the request fails, panics or is dropped). See the
/// [module](crate::integrations::axum) for what the records hold and how an audited handler
/// inside it is recorded.
///
/// ```
/// use axum::{body::Body, http::Request, routing::get, Router};
/// use seclog::integrations::axum::AuditLayer;
/// use tower_service::Service;
///
/// let mut app: Router = Router::new()
///     .route("/invoices/{id}", get(|| async { "an invoice" }))
///     .layer(AuditLayer::new());
///
/// let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let request = Request::get("/invoices/42?token=s3cr3t").body(Body::empty()).unwrap();
/// // The start record is written when the request arrives (`call`).
/// let run = seclog::testing::capture(|| runtime.block_on(app.call(request)));
/// assert_eq!(run.output.as_ref().unwrap().status(), 200);
/// let [start, end] = &run.records()[..] else { panic!() };
/// assert_eq!(start["event"]["action"], "GET /invoices/{id}");
/// assert_eq!(start["url"]["path"], "/invoices/42");
/// assert_eq!(start["seclog"]["input"]["request"]["query"]["token"], "[REDACTED]");
/// assert_eq!(end["http"]["response"]["status_code"], 200);
/// assert_eq!(end["event"]["outcome"], "success");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct AuditLayer {
    _private: (),
}

impl AuditLayer {
    /// The layer, recording at `info` (failures at `warn`).
    pub fn new() -> Self {
        AuditLayer { _private: () }
    }
}

impl<S> Layer<S> for AuditLayer {
    type Service = AuditService<S>;

    fn layer(&self, inner: S) -> AuditService<S> {
        AuditService { inner }
    }
}

/// The service [`AuditLayer`] wraps around another.
#[derive(Debug, Clone)]
pub struct AuditService<S> {
    inner: S,
}

impl<S, ReqBody, ResBody> Service<http::Request<ReqBody>> for AuditService<S>
where
    S: Service<http::Request<ReqBody>, Response = http::Response<ResBody>>,
    S::Error: fmt::Display,
{
    type Response = http::Response<ResBody>;
    type Error = S::Error;
    type Future = AuditFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<ReqBody>) -> Self::Future {
        let invocation = Invocation::begin(
            &EXCHANGE,
            |cx| {
                describe_request(&request, cx);
                let method = request.method();
                match request.extensions().get::<MatchedPath>() {
                    Some(route) => cx.set_action(&format_args!("{method} {}", route.as_str())),
                    None => cx.set_action(&format_args!("{method} (unmatched)")),
                }
            },
            |inputs| inputs.field_with("request", |out| write_request_head(&request, out)),
            || false,
        );
        // What the service does before its future is polled belongs to the
        // request too.
        let future = invocation.scope(|| self.inner.call(request));
        AuditFuture {
            inner: Audited::new(invocation, future, end_exchange),
        }
    }
}

/// Ends a request's invocation with the response's status and headers, or
/// the service's error.
fn end_exchange<B, E: fmt::Display>(
    invocation: &mut Invocation,
    result: &Result<http::Response<B>, E>,
) {
    match result {
        Ok(response) => {
            let status = response.status();
            invocation.finish_value(
                (http_types::outcome_of_status(status), Some(status.as_u16())),
                Some(&mut |out: Out<'_>| write_response_head(status, response.headers(), out)),
            );
        }
        Err(e) => invocation.finish_error(std::any::type_name::<E>(), Some(e), None),
    }
}

pin_project_lite::pin_project! {
    /// The future of a request recorded by [`AuditLayer`].
    pub struct AuditFuture<F: Future> {
        #[pin]
        inner: Audited<F, fn(&mut Invocation, &F::Output)>,
    }
}

impl<F, B, E> Future for AuditFuture<F>
where
    F: Future<Output = Result<http::Response<B>, E>>,
    E: fmt::Display,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        self.project().inner.poll(cx)
    }
}

impl<F: Future> fmt::Debug for AuditFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuditFuture").finish_non_exhaustive()
    }
}
