//! axum 0.8 (feature `axum`): audited handlers taking extractors, and
//! [`AuditLayer`], which records every request of a router.
//!
//! # Handlers
//!
//! `#[seclog::audit]` goes on an axum handler as it is:
//!
//! ```no_run
//! use axum::extract::{ConnectInfo, State};
//! use axum::http::{HeaderMap, StatusCode};
//! use axum::Json;
//! use std::net::SocketAddr;
//!
//! #[derive(Clone)]
//! struct App { /* a database pool, keys, ... */ }
//!
//! #[derive(serde::Deserialize, seclog::Redact, seclog::AuthEvent)]
//! #[auth(login)]
//! struct Creds {
//!     #[auth(user)]
//!     username: String,
//!     #[redact]
//!     password: String,
//! }
//!
//! #[seclog::audit]
//! async fn login(
//!     State(app): State<App>,
//!     ConnectInfo(addr): ConnectInfo<SocketAddr>,
//!     headers: HeaderMap,
//!     Json(creds): Json<Creds>,
//! ) -> StatusCode {
//!     if creds.password == "correct horse battery staple" { StatusCode::OK } else { StatusCode::UNAUTHORIZED }
//! }
//! ```
//!
//! | argument | logged as | gives |
//! |---|---|---|
//! | `State<S>`, `Extension<T>` (destructured or not), `Option<Extension<T>>` | never logged: they hold the server's values, not the request's | what `S` or `T` knows, if it implements [`Describe`] (a signed-in user in an `Extension`, say) |
//! | `Json<T>`, `Form<T>`, `Query<T>`, `Path<T>` | the `T` inside: its [`Redact`] when it has one, else its `Serialize` through the sensitive-key policy | what `T` knows (an [`AuthEvent`] makes the handler an authentication action) |
//! | `Option<Json<T>>`, `Option<Path<T>>` | the `T` inside as above; `null` when axum gave `None` | what `T` knows |
//! | `Result<Json<T>, JsonRejection>`, and `Form`, `Query`, `Path` with their rejections | `Ok`: the `T` inside as above; `Err`: `{"rejection": {"status": 415, "text": "..."}}`, axum's status and text (the text is made from the request: secrets in it are found by their shape) | `Ok`: what `T` knows |
//! | `ConnectInfo<SocketAddr>` (destructured or not) | the address | `source.ip` |
//! | `HeaderMap` | each header through the sensitive-key policy (`Authorization`, `Cookie`, API keys: `[REDACTED]`) | `user_agent.original` |
//! | `Method`, `Uri`, `OriginalUri` | the method; the path and the query string (each parameter through the policy) | `http.request.method`; `url.path` |
//! | `RawQuery` | the query string as an object, each parameter through the policy; `null` when there is none | |
//! | `Request` (`axum::extract::Request`) | method, path, query string and headers (the body is a stream, left unread) | all of the above |
//! | `MatchedPath` | the route | |
//!
//! | response | `http.response.status_code` | logged as |
//! |---|---|---|
//! | `StatusCode` | itself | its number |
//! | `Response` (`http::Response<Body>`) | its status | status and headers (the body is a stream, left unread) |
//! | `Json<T>`, `Form<T>`, `Html<T>` | 200 | the `T` inside |
//! | `Redirect` | its status | status and location (its query string through the policy) |
//! | `NoContent` | 204 | `null` |
//! | `(StatusCode, T)`, `(StatusCode, P, T)` | the `StatusCode` | an array of the parts, when each can be logged (`(StatusCode, Json<T>)`, `(StatusCode, HeaderMap, Json<T>)` and `(StatusCode, [(HeaderName, V); N], Json<T>)` also with a `Serialize`-only `T`) |
//! | `(HeaderMap, T)`, `([(HeaderName, V); N], T)` | `T`'s | an array of the headers (each through the sensitive-key policy, `Set-Cookie` `[REDACTED]`) and `T` (`Json<T>` also with a `Serialize`-only `T`) |
//! | `Result<T, E>` | `Ok`: as `T`; `Err`: as `E` when it is one of these (or implements [`Outcome`] with a status) | `Ok`: as `T`; `Err` is the error |
//! | `impl IntoResponse` | as the value the handler returned | as that value |
//!
//! A status of 400 or more is a failure. An error type of your own that
//! implements `IntoResponse` gives its status too when it implements
//! [`Outcome`] (`status_code`); [`AuditLayer`] records the status the
//! client received in every case.
//!
//! A header array is logged when its names are `HeaderName`s
//! (`[(header::SET_COOKIE, value)]`), through the sensitive-key policy as a
//! `HeaderMap` is. A response whose parts cannot all be logged is a compile
//! error that says so; log the outcome without it with
//! `#[seclog::audit(skip_response)]`.
//!
//! # Every request: [`AuditLayer`]
//!
//! ```no_run
//! use axum::{routing::get, Router};
//! use seclog::integrations::axum::AuditLayer;
//!
//! let app: Router = Router::new()
//!     .route("/health", get(|| async { "ok" }))
//!     .route("/invoices/{id}", get(|| async { "an invoice" }))
//!     .layer(AuditLayer::new());
//! ```
//!
//! Each request gets a start record (its method, path, query string and
//! headers) and an end record (status, outcome, duration, and the
//! response's status and headers), with `event.action` the matched route
//! (`GET /invoices/{id}`), `event.category: ["web"]`, `url.path`,
//! `http.request.method`, `source.ip` (from `ConnectInfo`, when the server
//! was started with `into_make_service_with_connect_info::<SocketAddr>()`)
//! and `user_agent.original`.
//! Add it with `Router::layer`, after the routes: there axum knows the
//! matched route. Around a whole router (`ServiceBuilder`, or any other
//! tower HTTP service) the layer records the same, with the method and
//! `(unmatched)` as the action.
//!
//! **With audited handlers**, the layer's invocation is the outer one and
//! the handler's is nested in it, so a request reads, under one
//! `transaction.id`: the layer's start (the HTTP request), the handler's
//! start (its inputs), the handler's end (its response, the authentication
//! event), the layer's end (the status sent). The handler's records carry
//! the request's `source.ip`, `user_agent.original`, `url.path` and method
//! from the layer even when the handler takes no extractor for them.
//! Each pair answers its own question (what reached the server; what the
//! handler was given and did), and the transaction joins them.
//!
//! # On AWS Lambda
//!
//! The same router runs on Lambda through `lambda_http` (`lambda_http::run(app)`);
//! with the `lambda-http` feature too, the layer takes the invocation's
//! 4 W's from the Lambda and API Gateway contexts `lambda_http` puts in the
//! request (request id as `transaction.id`, `faas.*`, `source.ip`, the
//! authorizer's `user.id`), as an audited `lambda_http::Request` handler
//! does.

use super::http_types::{self, user_agent, write_header_pairs, write_headers, write_query};
use super::wrapper::carried_by;
use crate::context::{Context, Describe, Text, Unwrapped};
use crate::record::{EventOutcome, Outcome};
use crate::redact::{Out, Redact};
use crate::AuthEvent;
use axum::extract::connect_info::MockConnectInfo;
use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{
    ConnectInfo, Extension, Form, MatchedPath, OriginalUri, Path, Query, RawQuery, State,
};
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::response::{Html, NoContent, Redirect};
use axum::Json;
use std::net::SocketAddr;

mod layer;
pub use layer::{AuditFuture, AuditLayer, AuditService};

// ---------------------------------------------------------------------------
// Extractors
// ---------------------------------------------------------------------------

macro_rules! carrier {
    ($($wrapper:ident),*) => {$(
        /// Logged as the value it carries.
        impl<T: Redact> Redact for $wrapper<T> {
            fn redact(&self, out: Out<'_>) {
                self.0.redact(out)
            }
        }

        /// What the value it carries knows.
        impl<T: Describe> Describe for $wrapper<T> {
            fn describe(&self, cx: &mut Context) {
                self.0.describe(cx)
            }
        }

        /// An authentication attempt when the value it carries is one.
        impl<T: AuthEvent> AuthEvent for $wrapper<T> {
            const KIND: &'static str = T::KIND;
        }
    )*};
}
carrier!(Json, Form, Query, Path);

carried_by! {
    <T> Json<T> => |v, out| out.serialize(&v.0);
    <T> Form<T> => |v, out| out.serialize(&v.0);
    <T> Query<T> => |v, out| out.serialize(&v.0);
    <T> Path<T> => |v, out| out.serialize(&v.0);
    <T> (StatusCode, Json<T>) => |v, out| {
        let mut array = out.array();
        array.item(&v.0);
        array.item_with(|out| out.serialize(&v.1 .0));
    };
    <T> (HeaderMap, Json<T>) => |v, out| {
        let mut array = out.array();
        array.item(&v.0);
        array.item_with(|out| out.serialize(&v.1 .0));
    };
    <T> (StatusCode, HeaderMap, Json<T>) => |v, out| {
        let mut array = out.array();
        array.item(&v.0);
        array.item(&v.1);
        array.item_with(|out| out.serialize(&v.2 .0));
    };
    <T> Option<Json<T>> => |v, out| match v {
        Some(json) => out.serialize(&json.0),
        None => out.null(),
    };
    <T> Option<Path<T>> => |v, out| match v {
        Some(path) => out.serialize(&path.0),
        None => out.null(),
    };
    <T> Result<Json<T>, JsonRejection> => |v, out| match v {
        Ok(json) => out.serialize(&json.0),
        Err(rejection) => write_rejection(rejection.status(), rejection, out),
    };
    <T> Result<Form<T>, FormRejection> => |v, out| match v {
        Ok(form) => out.serialize(&form.0),
        Err(rejection) => write_rejection(rejection.status(), rejection, out),
    };
    <T> Result<Query<T>, QueryRejection> => |v, out| match v {
        Ok(query) => out.serialize(&query.0),
        Err(rejection) => write_rejection(rejection.status(), rejection, out),
    };
    <T> Result<Path<T>, PathRejection> => |v, out| match v {
        Ok(path) => out.serialize(&path.0),
        Err(rejection) => write_rejection(rejection.status(), rejection, out),
    };
}

macro_rules! extracted_or_rejected {
    ($($wrapper:ident, $rejection:ident;)*) => {$(
        /// What the extractor gave: the value it carries when it succeeded,
        /// else its rejection as `{"rejection": {"status": 415, "text": "..."}}`
        /// (the text axum answers with, made from the request: secrets in
        /// it are found by their shape).
        impl<T: Redact> Redact for Result<$wrapper<T>, $rejection> {
            fn redact(&self, out: Out<'_>) {
                match self {
                    Ok(v) => v.0.redact(out),
                    Err(rejection) => write_rejection(rejection.status(), rejection, out),
                }
            }
        }

        /// What the value it carries knows, when the extractor succeeded.
        impl<T: Describe> Describe for Result<$wrapper<T>, $rejection> {
            fn describe(&self, cx: &mut Context) {
                if let Ok(v) = self {
                    v.0.describe(cx)
                }
            }
        }
    )*};
}
extracted_or_rejected! {
    Json, JsonRejection;
    Form, FormRejection;
    Query, QueryRejection;
    Path, PathRejection;
}

/// An extractor's rejection: `{"rejection": {"status": 415, "text": "..."}}`,
/// the text through the writer's string path (scanned for secrets' shapes).
fn write_rejection(status: StatusCode, text: &dyn std::fmt::Display, out: Out<'_>) {
    let mut o = out.object();
    o.field_with("rejection", |out| {
        let mut o = out.object();
        o.field("status", &status);
        o.field_with("text", |out| out.display(text));
    });
}

/// What the server's state knows, if anything; never logged.
impl<S: Describe> Describe for State<S> {
    fn describe(&self, cx: &mut Context) {
        self.0.describe(cx)
    }
}

/// What the extension knows (a signed-in user that implements
/// [`Describe`] gives `user.id`); never logged.
///
/// ```
/// use axum::Extension;
/// use seclog::context::{Context, Describe};
///
/// #[derive(Clone)]
/// struct CurrentUser { id: String }
///
/// impl Describe for CurrentUser {
///     fn describe(&self, cx: &mut Context) {
///         cx.set_user_id(&self.id);
///     }
/// }
///
/// #[seclog::audit]
/// fn list_invoices(Extension(user): Extension<CurrentUser>) -> usize { 0 }
///
/// let run = seclog::testing::capture(|| list_invoices(Extension(CurrentUser { id: "u-42".into() })));
/// let start = &run.records()[0];
/// assert_eq!(start["user"]["id"], "u-42");
/// assert!(start["seclog"]["input"].get("user").is_none(), "never logged");
/// ```
impl<T: Describe> Describe for Extension<T> {
    fn describe(&self, cx: &mut Context) {
        self.0.describe(cx)
    }
}

/// The peer's address.
impl<T: Redact> Redact for ConnectInfo<T> {
    fn redact(&self, out: Out<'_>) {
        self.0.redact(out)
    }
}

/// `source.ip`: the peer's address.
impl Describe for ConnectInfo<SocketAddr> {
    fn describe(&self, cx: &mut Context) {
        cx.set_source(&self.0.ip())
    }
}

/// `source.ip`, for `ConnectInfo(addr): ConnectInfo<SocketAddr>`.
impl Describe for Unwrapped<'_, ConnectInfo<SocketAddr>, SocketAddr> {
    fn describe(&self, cx: &mut Context) {
        cx.set_source(&self.value.ip())
    }
}

/// The path and the query string (each parameter through the
/// sensitive-key policy), as a [`Uri`](axum::http::Uri) is logged.
impl Redact for OriginalUri {
    fn redact(&self, out: Out<'_>) {
        self.0.redact(out)
    }
}

/// `url.path`: the path the client asked for, before any nesting.
impl Describe for OriginalUri {
    fn describe(&self, cx: &mut Context) {
        self.0.describe(cx)
    }
}

/// The query string as an object, each parameter through the sensitive-key
/// policy (as a [`Uri`](axum::http::Uri)'s query is logged); `null` when there is none.
impl Redact for RawQuery {
    fn redact(&self, out: Out<'_>) {
        match &self.0 {
            Some(query) => write_query(query, out),
            None => out.null(),
        }
    }
}

/// A body taken as bytes (`body: Bytes`): its length, `"[N bytes]"`, as
/// any byte string is logged (and as `Bytes` is when `bytes`' `serde`
/// feature is on). Take it as `String`, `Json<T>` or `Form<T>` to log what
/// it says, or read it into one.
impl Redact for axum::body::Bytes {
    fn redact(&self, out: Out<'_>) {
        crate::redact::byte_string(self, out)
    }
}

/// The route.
impl Redact for MatchedPath {
    fn redact(&self, out: Out<'_>) {
        out.str(self.as_str())
    }
}

/// `http.request.method`, `url.path`, `source.ip` (from `ConnectInfo`)
/// and `user_agent.original`.
impl Describe for axum::extract::Request {
    fn describe(&self, cx: &mut Context) {
        describe_request(self, cx)
    }
}

/// Method, path, query string and headers (each through the sensitive-key
/// policy); the body is a stream, left unread.
impl Redact for axum::extract::Request {
    fn redact(&self, out: Out<'_>) {
        write_request_head(self, out)
    }
}

/// The 4 W's of an HTTP request: from the Lambda contexts when it came
/// through `lambda_http`, then from the request itself for what they did
/// not say.
pub(super) fn describe_request<B>(request: &http::Request<B>, cx: &mut Context) {
    let extensions = request.extensions();
    let headers = request.headers();
    #[cfg(feature = "lambda-http")]
    let path = describe_lambda(extensions, headers, cx).unwrap_or(request.uri().path());
    #[cfg(not(feature = "lambda-http"))]
    let path = request.uri().path();
    cx.set_http_method(&request.method().as_str());
    let route = extensions.get::<MatchedPath>().map(MatchedPath::as_str);
    super::route::set_url_path(cx, path, route);
    if cx.get(Text::Source).is_none() {
        let peer = extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(a)| a)
            .or_else(|| {
                extensions
                    .get::<MockConnectInfo<SocketAddr>>()
                    .map(|m| &m.0)
            });
        if let Some(addr) = peer {
            cx.set_source(&addr.ip());
        }
    }
    describe_user_agent(headers, cx);
}

/// The Lambda invocation's and API Gateway's (or ALB's) 4 W's of a
/// request `lambda_http` made; the path the client asked for, when it
/// knows it.
#[cfg(feature = "lambda-http")]
fn describe_lambda<'r>(
    extensions: &'r http::Extensions,
    headers: &HeaderMap,
    cx: &mut Context,
) -> Option<&'r str> {
    use super::events;
    use lambda_http::request::RequestContext;
    use lambda_http::RequestExt;
    let lambda = extensions.lambda_context_ref()?;
    lambda.describe(cx);
    cx.set_trigger_type("http");
    match extensions.request_context_ref() {
        Some(RequestContext::ApiGatewayV1(c)) => events::describe_v1_context(c, headers, cx),
        Some(RequestContext::ApiGatewayV2(c)) => events::describe_v2_context(c, headers, cx),
        Some(RequestContext::Alb(_)) => events::describe_alb(headers, cx),
        _ => {}
    }
    Some(extensions.raw_http_path()).filter(|p| !p.is_empty())
}

/// Sets `user_agent.original` from the headers, unless something that
/// knows better (a Lambda request context) set it already.
fn describe_user_agent(headers: &HeaderMap, cx: &mut Context) {
    if cx.get(Text::UserAgent).is_none() {
        if let Some(ua) = user_agent(headers) {
            cx.set_user_agent(&ua);
        }
    }
}

/// Method, path (the values of the route's sensitive parameters
/// redacted, see [`route`](super::route)), query string and headers.
pub(super) fn write_request_head<B>(request: &http::Request<B>, out: Out<'_>) {
    let (method, uri, headers) = (request.method(), request.uri(), request.headers());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str);
    let mut o = out.object();
    o.field("method", method.as_str());
    o.field_with("path", |out| {
        super::route::write_path(uri.path(), route, out)
    });
    if let Some(query) = uri.query() {
        o.field_with("query", |out| write_query(query, out));
    }
    o.field_with("headers", |out| write_headers(headers, out));
}

pub(super) fn write_response_head(status: StatusCode, headers: &HeaderMap, out: Out<'_>) {
    let mut o = out.object();
    o.field("status", &status);
    o.field_with("headers", |out| write_headers(headers, out));
}

// ---------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------

/// The status, `200`.
fn ok() -> Option<u16> {
    Some(StatusCode::OK.as_u16())
}

/// Sent as 200.
impl<T> Outcome for Json<T> {
    fn outcome(&self) -> EventOutcome {
        EventOutcome::Success
    }
    fn status_code(&self) -> Option<u16> {
        ok()
    }
}

/// Sent as 200.
impl<T> Outcome for Form<T> {
    fn outcome(&self) -> EventOutcome {
        EventOutcome::Success
    }
    fn status_code(&self) -> Option<u16> {
        ok()
    }
}

/// Sent as 200.
impl<T> Outcome for Html<T> {
    fn outcome(&self) -> EventOutcome {
        EventOutcome::Success
    }
    fn status_code(&self) -> Option<u16> {
        ok()
    }
}

/// Logged as the value it carries.
impl<T: Redact> Redact for Html<T> {
    fn redact(&self, out: Out<'_>) {
        self.0.redact(out)
    }
}

/// Sent as 204.
impl Outcome for NoContent {
    fn outcome(&self) -> EventOutcome {
        EventOutcome::Success
    }
    fn status_code(&self) -> Option<u16> {
        Some(StatusCode::NO_CONTENT.as_u16())
    }
}

/// `null`: there is no content.
impl Redact for NoContent {
    fn redact(&self, out: Out<'_>) {
        out.null()
    }
}

/// Its status (a redirection: a success).
impl Outcome for Redirect {
    fn outcome(&self) -> EventOutcome {
        http_types::outcome_of_status(self.status_code())
    }
    fn status_code(&self) -> Option<u16> {
        Some(self.status_code().as_u16())
    }
}

/// `{"status": 303, "location": {"url": ..., "query": {...}, "fragment": {...}}}`:
/// the query string and the fragment (where OAuth puts tokens) each
/// through the sensitive-key policy.
///
/// ```
/// use axum::response::Redirect;
///
/// #[seclog::audit]
/// fn callback() -> Redirect {
///     Redirect::to("https://app.example/done?state=7#access_token=eyJhbGci.x.y&token_type=bearer")
/// }
///
/// let run = seclog::testing::capture(callback);
/// let end = &run.records()[1];
/// assert_eq!(end["http"]["response"]["status_code"], 303);
/// let location = &end["seclog"]["response"]["location"];
/// assert_eq!(location["url"], "https://app.example/done");
/// assert_eq!(location["query"]["state"], "7");
/// assert_eq!(location["fragment"]["access_token"], "[REDACTED]");
/// assert!(!run.lines.iter().any(|l| l.contains("eyJhbGci")));
/// ```
impl Redact for Redirect {
    fn redact(&self, out: Out<'_>) {
        let mut o = out.object();
        o.field("status", &self.status_code());
        o.field_with("location", |out| {
            let location = self.location();
            let (rest, fragment) = match location.split_once('#') {
                Some((rest, fragment)) => (rest, Some(fragment)),
                None => (location, None),
            };
            let (url, query) = match rest.split_once('?') {
                Some((url, query)) => (url, Some(query)),
                None => (rest, None),
            };
            let mut o = out.object();
            o.field("url", url);
            if let Some(query) = query {
                o.field_with("query", |out| write_query(query, out));
            }
            if let Some(fragment) = fragment {
                o.field_with("fragment", |out| write_query(fragment, out));
            }
        });
    }
}

/// Status and headers (each through the sensitive-key policy, so
/// `Set-Cookie` is `[REDACTED]`); the body is a stream, left unread.
impl Redact for axum::response::Response {
    fn redact(&self, out: Out<'_>) {
        write_response_head(self.status(), self.headers(), out)
    }
}

/// The status sent is the `StatusCode`: 400 or more is a failure.
impl<T> Outcome for (StatusCode, T) {
    fn outcome(&self) -> EventOutcome {
        http_types::outcome_of_status(self.0)
    }
    fn status_code(&self) -> Option<u16> {
        Some(self.0.as_u16())
    }
}

/// The status sent is the `StatusCode`: 400 or more is a failure.
impl<P, T> Outcome for (StatusCode, P, T) {
    fn outcome(&self) -> EventOutcome {
        http_types::outcome_of_status(self.0)
    }
    fn status_code(&self) -> Option<u16> {
        Some(self.0.as_u16())
    }
}

/// The status is what the part after the headers gives.
impl<T: Outcome> Outcome for (HeaderMap, T) {
    fn outcome(&self) -> EventOutcome {
        self.1.outcome()
    }
    fn status_code(&self) -> Option<u16> {
        self.1.status_code()
    }
}

/// A header array (`[(header::LOCATION, "/users/7")]`, a response part):
/// each header through the sensitive-key policy, as a [`HeaderMap`] is
/// logged (`Set-Cookie` `[REDACTED]`).
impl<V: AsRef<[u8]>, const N: usize> Redact for [(HeaderName, V); N] {
    fn redact(&self, out: Out<'_>) {
        write_header_pairs(self, out)
    }
}

/// The status is what the part after the headers gives.
impl<V, const N: usize, T: Outcome> Outcome for ([(HeaderName, V); N], T) {
    fn outcome(&self) -> EventOutcome {
        self.1.outcome()
    }
    fn status_code(&self) -> Option<u16> {
        self.1.status_code()
    }
}

// `(StatusCode, [(HeaderName, V); N], Json<T>)` with a `Serialize`-only
// `T`, as `carried_by!` does for one type parameter.
impl<V: AsRef<[u8]>, const N: usize, T: serde::Serialize> crate::dispatch::LogViaSerialize
    for &&&crate::dispatch::Wrap<'_, (StatusCode, [(HeaderName, V); N], Json<T>)>
{
    #[inline]
    fn __seclog_log(&self, out: Out<'_>) {
        let v = self.0;
        let mut array = out.array();
        array.item(&v.0);
        array.item(&v.1);
        array.item_with(|out| out.serialize(&v.2 .0));
    }
}

impl<V, const N: usize, T> crate::dispatch::LogViaNothing<T>
    for &crate::dispatch::Wrap<'_, (StatusCode, [(HeaderName, V); N], Json<T>)>
{
    fn __seclog_log(&self, _: Out<'_>)
    where
        T: crate::dispatch::ArgumentNotLoggable,
    {
    }
    fn __seclog_log_response(&self, _: Out<'_>)
    where
        T: crate::dispatch::ResponseNotLoggable,
    {
    }
    fn __seclog_log_impl_trait(&self, _: Out<'_>)
    where
        T: crate::dispatch::ImplTraitNotLoggable,
    {
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Logged under the `axum` feature alone, where `Bytes` has no
    /// `Serialize` (another feature may turn on `bytes`' `serde`).
    #[test]
    fn a_body_of_bytes_is_logged_as_its_length() {
        fn redacts<T: Redact>(value: &T) -> String {
            crate::to_json(value)
        }
        assert_eq!(
            redacts(&axum::body::Bytes::from_static(b"abc")),
            r#""[3 bytes]""#
        );
    }
}
