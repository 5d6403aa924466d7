//! `lambda_http` (feature `lambda-http`): one handler for API Gateway REST
//! and HTTP APIs and ALB.
//!
//! `lambda_http::Request` implements [`Describe`] and [`Redact`]: the
//! Lambda invocation's 4 W's (as the `lambda` feature gives them), then
//! the request's, taken from its request context as the
//! [`events`] table says (ALB: the last `X-Forwarded-For`
//! address). Responses (`http::Response` of `lambda_http::Body`, `String`
//! or `&'static str`) implement [`Redact`], and any `http::Response`
//! [`Outcome`](crate::Outcome) (in [`http_types`](super::http_types)): a
//! status of 400 or more is a failure.
//!
//! Headers, query string and path parameters, request-context authorizer
//! data and JSON bodies pass the sensitive-key policy; `lambda_http` folds
//! an HTTP API's cookies into the `cookie` header, which is redacted whole.
//!
//! ```no_run
//! use lambda_http::{service_fn, Body, Error, Request, Response};
//!
//! #[seclog::audit(budget = "1s")]
//! async fn handler(request: Request) -> Result<Response<Body>, Error> {
//!     let status = if request.headers().contains_key("authorization") { 200 } else { 401 };
//!     Ok(Response::builder().status(status).body(Body::Empty)?)
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Error> {
//!     lambda_http::run(service_fn(handler)).await
//! }
//! ```

use super::events::{self, BodyView};
use crate::context::{Context, Describe};
use crate::redact::{Out, Redact};
use lambda_http::request::RequestContext;
use lambda_http::{Body, RequestExt};

/// The path the client asked for: without the API Gateway stage that
/// `lambda_http` may have put in the URI.
fn path(request: &lambda_http::Request) -> &str {
    let raw = request.raw_http_path();
    if raw.is_empty() {
        request.uri().path()
    } else {
        raw
    }
}

/// The route API Gateway matched the request to: a REST API's resource
/// path, an HTTP API's route key's (see [`route`](super::route)).
fn route(request: &lambda_http::Request) -> Option<&str> {
    match request.request_context_ref()? {
        RequestContext::ApiGatewayV1(c) => c.resource_path.as_deref(),
        RequestContext::ApiGatewayV2(c) => super::route::of_route_key(c.route_key.as_deref()),
        _ => None,
    }
}

/// The invocation's and the request's 4 W's.
///
/// ```
/// use seclog::context::{Context, Describe};
///
/// let event = r#"{
///   "version": "2.0", "routeKey": "POST /login", "rawPath": "/login", "rawQueryString": "",
///   "headers": {"user-agent": "curl/8.5.0", "content-type": "application/json"},
///   "requestContext": {
///     "http": {"method": "POST", "path": "/login", "protocol": "HTTP/1.1",
///              "sourceIp": "203.0.113.9", "userAgent": "curl/8.5.0"},
///     "requestId": "Jx1dGhUjIAMEV3A=", "routeKey": "POST /login", "stage": "$default",
///     "timeEpoch": 1764268630000
///   },
///   "body": "{\"username\":\"alice\",\"password\":\"hunter2\"}", "isBase64Encoded": false
/// }"#;
/// let request = lambda_http::request::from_str(event).unwrap();
///
/// #[seclog::audit]
/// fn login(request: lambda_http::Request) {}
///
/// let run = seclog::testing::capture(|| login(request));
/// let start = &run.records()[0];
/// assert_eq!(start["http"]["request"]["method"], "POST");
/// assert_eq!(start["url"]["path"], "/login");
/// assert_eq!(start["source"]["ip"], "203.0.113.9");
/// assert_eq!(start["seclog"]["input"]["request"]["body"]["password"], "[REDACTED]");
/// ```
impl Describe for lambda_http::Request {
    fn describe(&self, cx: &mut Context) {
        if let Some(lambda) = self.lambda_context_ref() {
            lambda.describe(cx);
        }
        cx.set_trigger_type("http");
        cx.set_http_method(&self.method().as_str());
        super::route::set_url_path(cx, path(self), route(self));
        let headers = self.headers();
        match self.request_context_ref() {
            Some(RequestContext::ApiGatewayV1(c)) => events::describe_v1_context(c, headers, cx),
            Some(RequestContext::ApiGatewayV2(c)) => events::describe_v2_context(c, headers, cx),
            Some(RequestContext::Alb(_)) => events::describe_alb(headers, cx),
            // Other sources (WebSocket, VPC Lattice, ...) give what their
            // headers say.
            _ => {
                if let Some(ua) = headers.get("user-agent").and_then(|v| v.to_str().ok()) {
                    cx.set_user_agent(&ua);
                }
            }
        }
    }
}

/// Method, path, headers, query string and path parameters, request
/// context and body, through the sensitive-key policy.
impl Redact for lambda_http::Request {
    fn redact(&self, out: Out<'_>) {
        let headers = self.headers();
        let mut o = out.object();
        o.field("httpMethod", self.method().as_str());
        o.field_with("path", |out| {
            super::route::write_path(path(self), route(self), out)
        });
        o.field_with("headers", |out| events::write_headers(headers, out));
        if let Some(query) = self.query_string_parameters_ref().filter(|q| !q.is_empty()) {
            o.field_with("queryStringParameters", |out| {
                events::write_query(query, out)
            });
        }
        if let Some(params) = self.path_parameters_ref().filter(|q| !q.is_empty()) {
            o.field_with("pathParameters", |out| events::write_query(params, out));
        }
        match self.request_context_ref() {
            Some(RequestContext::ApiGatewayV1(c)) => {
                o.field_with("requestContext", |out| events::write_v1_context(c, out))
            }
            Some(RequestContext::ApiGatewayV2(c)) => {
                o.field_with("requestContext", |out| events::write_v2_context(c, out))
            }
            Some(RequestContext::Alb(c)) => {
                o.field_with("requestContext", |out| events::write_alb_context(c, out))
            }
            _ => {}
        }
        let content_type = headers.get("content-type").and_then(|v| v.to_str().ok());
        let body = BodyView::of_body(Some(self.body()), false);
        o.field_with("body", |out| events::write_body(body, content_type, out));
    }
}

fn write_response(r: &lambda_http::Response<impl AsBody>, out: Out<'_>) {
    let headers = r.headers();
    let mut o = out.object();
    o.field("statusCode", &r.status().as_u16());
    o.field_with("headers", |out| events::write_headers(headers, out));
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok());
    o.field_with("body", |out| {
        events::write_body(r.body().view(), content_type, out)
    });
}

trait AsBody {
    fn view(&self) -> BodyView<'_>;
}

impl AsBody for Body {
    fn view(&self) -> BodyView<'_> {
        BodyView::of_body(Some(self), false)
    }
}

impl AsBody for String {
    fn view(&self) -> BodyView<'_> {
        BodyView::Text(self)
    }
}

impl AsBody for &'static str {
    fn view(&self) -> BodyView<'_> {
        BodyView::Text(self)
    }
}

/// Status, headers (`Set-Cookie` redacted) and body (JSON structured,
/// anything else by size and content type).
impl Redact for lambda_http::Response<Body> {
    fn redact(&self, out: Out<'_>) {
        write_response(self, out)
    }
}

/// Status, headers (`Set-Cookie` redacted) and body.
impl Redact for lambda_http::Response<String> {
    fn redact(&self, out: Out<'_>) {
        write_response(self, out)
    }
}

/// Status, headers (`Set-Cookie` redacted) and body.
impl Redact for lambda_http::Response<&'static str> {
    fn redact(&self, out: Out<'_>) {
        write_response(self, out)
    }
}
