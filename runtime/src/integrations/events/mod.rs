//! API Gateway and ALB events (`aws_lambda_events`, feature `aws-events`).
//!
//! The REST API (v1) proxy request, the HTTP API (v2) request and the ALB
//! target group request implement [`Describe`] and [`Redact`]; their
//! responses implement [`Redact`] and [`Outcome`] (a status of 400 or more
//! is a failure, and so is a status API Gateway would reject).
//!
//! | field | REST API (v1) | HTTP API (v2) | ALB |
//! |---|---|---|---|
//! | `http.request.method` | `httpMethod` | `requestContext.http.method` | `httpMethod` |
//! | `url.path` | `path` | `requestContext.http.path` | `path` |
//! | `source.ip` | `requestContext.identity.sourceIp` | `requestContext.http.sourceIp` | the last `X-Forwarded-For` address (the one the load balancer appended) |
//! | `user_agent.original` | `requestContext.identity.userAgent` | `requestContext.http.userAgent` | `User-Agent` |
//! | `user.id` | authorizer `claims.sub`, else the authorizer's `sub`, else `principalId`, else the Cognito identity or IAM user ARN | JWT claim `sub`, else the Lambda authorizer's `sub` or `principalId`, else the IAM identity | none |
//! | `faas.trigger.type` | `http` | `http` | `http` |
//! | `http.response.status_code` | response `statusCode` | response `statusCode` | response `statusCode` |
//!
//! What is logged of a request: method, path, headers, query string and
//! path parameters, the request context (identity and authorizer) and the
//! body; headers, query strings, parameters and authorizer data pass the
//! sensitive-key policy, so `Authorization`, `Cookie`, `Set-Cookie` and API
//! keys never reach a record. Cookies are logged by name only, with every
//! value `[REDACTED]`. A JSON body (by its `Content-Type`, or unlabelled and
//! starting with `{` or `[`) is logged as structured data through the same
//! policy; any other body as its size and content type, as in
//! `"[512 bytes: application/x-www-form-urlencoded]"`.
//!
//! Why the *last* `X-Forwarded-For` address for ALB: the load balancer
//! appends the address it saw to whatever the client sent, so every earlier
//! entry is the client's own claim and can be forged. The whole chain stays
//! in the logged headers.
//!
//! ```
//! use aws_lambda_events::apigw::{ApiGatewayProxyRequest, ApiGatewayProxyResponse};
//!
//! #[seclog::audit]
//! fn handler(request: ApiGatewayProxyRequest) -> ApiGatewayProxyResponse {
//!     let mut response = ApiGatewayProxyResponse::default();
//!     response.status_code = 403;
//!     response
//! }
//!
//! let request: ApiGatewayProxyRequest = serde_json::from_value(serde_json::json!({
//!     "httpMethod": "DELETE",
//!     "path": "/orders/42",
//!     "headers": { "Authorization": "Bearer eyJhbGciOi.secret" },
//!     "requestContext": {
//!         "httpMethod": "DELETE",
//!         "identity": { "sourceIp": "198.51.100.7" },
//!         "authorizer": { "claims": { "sub": "7d9a2c1e" } }
//!     }
//! })).unwrap();
//! let run = seclog::testing::capture(|| handler(request));
//! let [start, end] = &run.records()[..] else { panic!() };
//! assert_eq!(start["http"]["request"]["method"], "DELETE");
//! assert_eq!(start["source"]["ip"], "198.51.100.7");
//! assert_eq!(start["user"]["id"], "7d9a2c1e");
//! assert_eq!(start["seclog"]["input"]["request"]["headers"]["authorization"], "[REDACTED]");
//! assert_eq!(end["event"]["outcome"], "failure");
//! assert_eq!(end["http"]["response"]["status_code"], 403);
//! assert!(!run.lines.iter().any(|l| l.contains("secret")));
//! ```

mod body;

pub(crate) use super::headers::write_headers;
pub(crate) use body::{write_body, write_cookies, write_query, BodyView};

use crate::context::{Context, Describe};
use crate::record::{EventOutcome, Outcome};
use crate::redact::{Object, Out, Redact};
use aws_lambda_events::alb::{
    AlbTargetGroupRequest, AlbTargetGroupRequestContext, AlbTargetGroupResponse,
};
use aws_lambda_events::apigw::{
    ApiGatewayProxyRequest, ApiGatewayProxyRequestContext, ApiGatewayProxyResponse,
    ApiGatewayRequestAuthorizer, ApiGatewayV2httpRequest, ApiGatewayV2httpRequestContext,
    ApiGatewayV2httpResponse,
};
use aws_lambda_events::http::HeaderMap;
use aws_lambda_events::query_map::QueryMap;
use body::content_type;
use serde_json::Value;

// ---------------------------------------------------------------------------
// Who and Where
// ---------------------------------------------------------------------------

fn nonempty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    nonempty(headers.get(name).and_then(|v| v.to_str().ok()))
}

/// The address the load balancer saw: the last `X-Forwarded-For` entry.
pub(crate) fn forwarded_for(headers: &HeaderMap) -> Option<&str> {
    let last_line = headers.get_all("x-forwarded-for").iter().next_back()?;
    let line = last_line.to_str().ok()?;
    line.rsplit(',').map(str::trim).find(|s| !s.is_empty())
}

/// The user an API Gateway authorizer established.
fn authorizer_user(a: &ApiGatewayRequestAuthorizer) -> Option<&str> {
    let field = |k: &str| nonempty(a.fields.get(k).and_then(Value::as_str));
    let jwt_sub = a
        .jwt
        .as_ref()
        .and_then(|j| nonempty(j.claims.get("sub").map(String::as_str)));
    let claims_sub = nonempty(
        a.fields
            .get("claims")
            .and_then(|c| c.get("sub"))
            .and_then(Value::as_str),
    );
    let iam = a.iam.as_ref();
    jwt_sub
        .or(claims_sub)
        .or_else(|| field("sub"))
        .or_else(|| field("principalId"))
        .or_else(|| {
            nonempty(
                iam.and_then(|i| i.cognito_identity.as_ref())
                    .and_then(|c| c.identity_id.as_deref()),
            )
        })
        .or_else(|| nonempty(iam.and_then(|i| i.user_arn.as_deref())))
}

pub(crate) fn describe_v1_context(
    c: &ApiGatewayProxyRequestContext,
    headers: &HeaderMap,
    cx: &mut Context,
) {
    if let Some(ip) = nonempty(c.identity.source_ip.as_deref()) {
        cx.set_source(&ip);
    }
    if let Some(ua) =
        nonempty(c.identity.user_agent.as_deref()).or_else(|| header(headers, "user-agent"))
    {
        cx.set_user_agent(&ua);
    }
    let user = authorizer_user(&c.authorizer)
        .or_else(|| nonempty(c.identity.cognito_identity_id.as_deref()))
        .or_else(|| nonempty(c.identity.user_arn.as_deref()));
    if let Some(user) = user {
        cx.set_user_id(&user);
    }
}

pub(crate) fn describe_v2_context(
    c: &ApiGatewayV2httpRequestContext,
    headers: &HeaderMap,
    cx: &mut Context,
) {
    if let Some(ip) = nonempty(c.http.source_ip.as_deref()) {
        cx.set_source(&ip);
    }
    if let Some(ua) =
        nonempty(c.http.user_agent.as_deref()).or_else(|| header(headers, "user-agent"))
    {
        cx.set_user_agent(&ua);
    }
    if let Some(user) = c.authorizer.as_ref().and_then(authorizer_user) {
        cx.set_user_id(&user);
    }
}

pub(crate) fn describe_alb(headers: &HeaderMap, cx: &mut Context) {
    if let Some(ip) = forwarded_for(headers) {
        cx.set_source(&ip);
    }
    if let Some(ua) = header(headers, "user-agent") {
        cx.set_user_agent(&ua);
    }
}

/// Method, path, source address, user agent and the authorizer's user.
impl Describe for ApiGatewayProxyRequest {
    fn describe(&self, cx: &mut Context) {
        cx.set_trigger_type("http");
        cx.set_http_method(&self.http_method.as_str());
        if let Some(path) = nonempty(self.path.as_deref()) {
            super::route::set_url_path(cx, path, self.resource.as_deref());
        } else if let Some(path) = nonempty(self.request_context.path.as_deref()) {
            let route = self.request_context.resource_path.as_deref();
            super::route::set_url_path(cx, path, route);
        }
        let headers = if self.headers.is_empty() {
            &self.multi_value_headers
        } else {
            &self.headers
        };
        describe_v1_context(&self.request_context, headers, cx);
    }
}

/// Method, path, source address, user agent and the authorizer's user.
impl Describe for ApiGatewayV2httpRequest {
    fn describe(&self, cx: &mut Context) {
        cx.set_trigger_type("http");
        let http = &self.request_context.http;
        cx.set_http_method(&http.method.as_str());
        if let Some(path) = nonempty(http.path.as_deref()).or(nonempty(self.raw_path.as_deref())) {
            let route = super::route::of_route_key(self.route_key.as_deref());
            super::route::set_url_path(cx, path, route);
        }
        describe_v2_context(&self.request_context, &self.headers, cx);
    }
}

/// Method, path, the client address the load balancer saw, user agent.
impl Describe for AlbTargetGroupRequest {
    fn describe(&self, cx: &mut Context) {
        cx.set_trigger_type("http");
        cx.set_http_method(&self.http_method.as_str());
        if let Some(path) = nonempty(self.path.as_deref()) {
            cx.set_url_path(&path);
        }
        describe_alb(pick(&self.multi_value_headers, &self.headers), cx);
    }
}

/// The multi-value map when there is one (it holds every value), else the
/// single-value one. (ALB sends one or the other, as the target group
/// asks; API Gateway REST APIs send both.)
fn pick<'m>(multi: &'m HeaderMap, single: &'m HeaderMap) -> &'m HeaderMap {
    if multi.is_empty() {
        single
    } else {
        multi
    }
}

fn pick_query<'m>(multi: &'m QueryMap, single: &'m QueryMap) -> &'m QueryMap {
    if multi.is_empty() {
        single
    } else {
        multi
    }
}

// ---------------------------------------------------------------------------
// Outcomes
// ---------------------------------------------------------------------------

/// A status API Gateway and ALB accept: 100 to 599.
fn valid_status(status: i64) -> Option<u16> {
    u16::try_from(status)
        .ok()
        .filter(|s| (100..=599).contains(s))
}

pub(crate) fn outcome_of_status(status: Option<u16>) -> EventOutcome {
    match status {
        Some(s) if s < 400 => EventOutcome::Success,
        // A status the gateway rejects becomes a 502 for the caller.
        _ => EventOutcome::Failure,
    }
}

/// A status of 400 or more is a failure.
impl Outcome for ApiGatewayProxyResponse {
    fn outcome(&self) -> EventOutcome {
        outcome_of_status(valid_status(self.status_code))
    }
    fn status_code(&self) -> Option<u16> {
        valid_status(self.status_code)
    }
}

/// A status of 400 or more is a failure.
impl Outcome for ApiGatewayV2httpResponse {
    fn outcome(&self) -> EventOutcome {
        outcome_of_status(valid_status(self.status_code))
    }
    fn status_code(&self) -> Option<u16> {
        valid_status(self.status_code)
    }
}

/// A status of 400 or more is a failure.
impl Outcome for AlbTargetGroupResponse {
    fn outcome(&self) -> EventOutcome {
        outcome_of_status(valid_status(self.status_code))
    }
    fn status_code(&self) -> Option<u16> {
        valid_status(self.status_code)
    }
}

/// Writes a member when the value is there.
fn opt(o: &mut Object<'_>, key: &str, value: &Option<String>) {
    if let Some(v) = value {
        o.field(key, v);
    }
}

/// An authorizer's data: JWT claims and scopes, a Lambda authorizer's
/// context, the IAM identity; names through the sensitive-key policy.
fn write_authorizer(a: &ApiGatewayRequestAuthorizer, lambda_key: &str, out: Out<'_>) {
    let mut o = out.object();
    if let Some(jwt) = &a.jwt {
        o.field_with("jwt", |out| {
            let mut j = out.object();
            j.field("claims", &jwt.claims);
            if let Some(scopes) = &jwt.scopes {
                j.field("scopes", scopes);
            }
        });
    }
    if !a.fields.is_empty() {
        if lambda_key.is_empty() {
            // REST APIs put the authorizer's data right here.
            for (k, v) in &a.fields {
                o.entry(k, v);
            }
        } else {
            o.field(lambda_key, &a.fields);
        }
    }
    if let Some(iam) = &a.iam {
        o.field_with("iam", |out| {
            let mut i = out.object();
            opt(&mut i, "accountId", &iam.account_id);
            opt(&mut i, "callerId", &iam.caller_id);
            opt(&mut i, "principalOrgId", &iam.principal_org_id);
            opt(&mut i, "userArn", &iam.user_arn);
            opt(&mut i, "userId", &iam.user_id);
            if let Some(c) = &iam.cognito_identity {
                i.field_with("cognitoIdentity", |out| {
                    let mut c2 = out.object();
                    opt(&mut c2, "identityId", &c.identity_id);
                    opt(&mut c2, "identityPoolId", &c.identity_pool_id);
                    c2.field("amr", &c.amr);
                });
            }
        });
    }
}

pub(crate) fn write_v1_context(c: &ApiGatewayProxyRequestContext, out: Out<'_>) {
    let mut o = out.object();
    opt(&mut o, "requestId", &c.request_id);
    opt(&mut o, "stage", &c.stage);
    opt(&mut o, "domainName", &c.domain_name);
    opt(&mut o, "apiId", &c.apiid);
    opt(&mut o, "resourcePath", &c.resource_path);
    opt(&mut o, "protocol", &c.protocol);
    if c.request_time_epoch != 0 {
        o.field("requestTimeEpoch", &c.request_time_epoch);
    }
    o.field_with("identity", |out| {
        let id = &c.identity;
        let mut i = out.object();
        opt(&mut i, "sourceIp", &id.source_ip);
        opt(&mut i, "userAgent", &id.user_agent);
        opt(&mut i, "caller", &id.caller);
        opt(&mut i, "user", &id.user);
        opt(&mut i, "userArn", &id.user_arn);
        opt(&mut i, "accountId", &id.account_id);
        opt(&mut i, "cognitoIdentityId", &id.cognito_identity_id);
        opt(
            &mut i,
            "cognitoIdentityPoolId",
            &id.cognito_identity_pool_id,
        );
        opt(
            &mut i,
            "cognitoAuthenticationType",
            &id.cognito_authentication_type,
        );
        opt(
            &mut i,
            "cognitoAuthenticationProvider",
            &id.cognito_authentication_provider,
        );
        if let Some(key) = &id.api_key {
            // Shows that a key was sent, never which.
            i.entry("apiKey", key);
        }
    });
    if !c.authorizer.fields.is_empty() || c.authorizer.jwt.is_some() || c.authorizer.iam.is_some() {
        o.field_with("authorizer", |out| write_authorizer(&c.authorizer, "", out));
    }
}

pub(crate) fn write_v2_context(c: &ApiGatewayV2httpRequestContext, out: Out<'_>) {
    let mut o = out.object();
    opt(&mut o, "requestId", &c.request_id);
    opt(&mut o, "routeKey", &c.route_key);
    opt(&mut o, "stage", &c.stage);
    opt(&mut o, "domainName", &c.domain_name);
    opt(&mut o, "apiId", &c.apiid);
    opt(&mut o, "accountId", &c.account_id);
    if c.time_epoch != 0 {
        o.field("timeEpoch", &c.time_epoch);
    }
    o.field_with("http", |out| {
        let h = &c.http;
        let mut i = out.object();
        i.field("method", h.method.as_str());
        if let Some(path) = &h.path {
            let route = super::route::of_route_key(c.route_key.as_deref());
            i.field_with("path", |out| super::route::write_path(path, route, out));
        }
        opt(&mut i, "protocol", &h.protocol);
        opt(&mut i, "sourceIp", &h.source_ip);
        opt(&mut i, "userAgent", &h.user_agent);
    });
    if let Some(a) = &c.authorizer {
        o.field_with("authorizer", |out| write_authorizer(a, "lambda", out));
    }
    if let Some(cert) = c
        .authentication
        .as_ref()
        .and_then(|a| a.client_cert.as_ref())
    {
        o.field_with("authentication", |out| {
            let mut a = out.object();
            a.field_with("clientCert", |out| {
                let mut i = out.object();
                opt(&mut i, "subjectDN", &cert.subject_dn);
                opt(&mut i, "issuerDN", &cert.issuer_dn);
                opt(&mut i, "serialNumber", &cert.serial_number);
            });
        });
    }
}

pub(crate) fn write_alb_context(c: &AlbTargetGroupRequestContext, out: Out<'_>) {
    let mut o = out.object();
    o.field_with("elb", |out| {
        let mut e = out.object();
        opt(&mut e, "targetGroupArn", &c.elb.target_group_arn);
    });
}

/// Method, path, headers, query string, path parameters, request context
/// and body; see the [module](self) for what is redacted.
impl Redact for ApiGatewayProxyRequest {
    fn redact(&self, out: Out<'_>) {
        let headers = pick(&self.multi_value_headers, &self.headers);
        let query = pick_query(
            &self.multi_value_query_string_parameters,
            &self.query_string_parameters,
        );
        let mut o = out.object();
        o.field("httpMethod", self.http_method.as_str());
        if let Some(path) = &self.path {
            o.field_with("path", |out| {
                super::route::write_path(path, self.resource.as_deref(), out)
            });
        }
        opt(&mut o, "resource", &self.resource);
        o.field_with("headers", |out| write_headers(headers, out));
        if !query.is_empty() {
            o.field_with("queryStringParameters", |out| write_query(query, out));
        }
        if !self.path_parameters.is_empty() {
            o.field("pathParameters", &self.path_parameters);
        }
        o.field_with("requestContext", |out| {
            write_v1_context(&self.request_context, out)
        });
        let body = BodyView::of_text(self.body.as_deref(), self.is_base64_encoded);
        o.field_with("body", |out| write_body(body, content_type(headers), out));
    }
}

/// Route, path, headers, cookies (names only), query string, path
/// parameters, request context and body; see the [module](self).
impl Redact for ApiGatewayV2httpRequest {
    fn redact(&self, out: Out<'_>) {
        let mut o = out.object();
        opt(&mut o, "routeKey", &self.route_key);
        if let Some(path) = &self.raw_path {
            let route = super::route::of_route_key(self.route_key.as_deref());
            o.field_with("rawPath", |out| super::route::write_path(path, route, out));
        }
        o.field_with("headers", |out| write_headers(&self.headers, out));
        if let Some(cookies) = self.cookies.as_ref().filter(|c| !c.is_empty()) {
            o.field_with("cookies", |out| {
                write_cookies(cookies.iter().map(String::as_str), out)
            });
        }
        if !self.query_string_parameters.is_empty() {
            o.field_with("queryStringParameters", |out| {
                write_query(&self.query_string_parameters, out)
            });
        }
        if !self.path_parameters.is_empty() {
            o.field("pathParameters", &self.path_parameters);
        }
        o.field_with("requestContext", |out| {
            write_v2_context(&self.request_context, out)
        });
        let body = BodyView::of_text(self.body.as_deref(), self.is_base64_encoded);
        o.field_with("body", |out| {
            write_body(body, content_type(&self.headers), out)
        });
    }
}

/// Method, path, headers, query string, load balancer and body; see the
/// [module](self).
impl Redact for AlbTargetGroupRequest {
    fn redact(&self, out: Out<'_>) {
        let headers = pick(&self.multi_value_headers, &self.headers);
        let query = pick_query(
            &self.multi_value_query_string_parameters,
            &self.query_string_parameters,
        );
        let mut o = out.object();
        o.field("httpMethod", self.http_method.as_str());
        opt(&mut o, "path", &self.path);
        o.field_with("headers", |out| write_headers(headers, out));
        if !query.is_empty() {
            o.field_with("queryStringParameters", |out| write_query(query, out));
        }
        o.field_with("requestContext", |out| {
            write_alb_context(&self.request_context, out)
        });
        let body = BodyView::of_text(self.body.as_deref(), self.is_base64_encoded);
        o.field_with("body", |out| write_body(body, content_type(headers), out));
    }
}

/// Status, headers (`Set-Cookie` redacted) and body.
impl Redact for ApiGatewayProxyResponse {
    fn redact(&self, out: Out<'_>) {
        let headers = pick(&self.multi_value_headers, &self.headers);
        let mut o = out.object();
        o.field("statusCode", &self.status_code);
        o.field_with("headers", |out| write_headers(headers, out));
        let body = BodyView::of_body(self.body.as_ref(), self.is_base64_encoded);
        o.field_with("body", |out| write_body(body, content_type(headers), out));
    }
}

/// Status, headers, cookies (names only) and body.
impl Redact for ApiGatewayV2httpResponse {
    fn redact(&self, out: Out<'_>) {
        let headers = pick(&self.multi_value_headers, &self.headers);
        let mut o = out.object();
        o.field("statusCode", &self.status_code);
        o.field_with("headers", |out| write_headers(headers, out));
        if !self.cookies.is_empty() {
            o.field_with("cookies", |out| {
                write_cookies(self.cookies.iter().map(String::as_str), out)
            });
        }
        let body = BodyView::of_body(self.body.as_ref(), self.is_base64_encoded);
        o.field_with("body", |out| write_body(body, content_type(headers), out));
    }
}

/// Status, status description, headers (`Set-Cookie` redacted) and body.
impl Redact for AlbTargetGroupResponse {
    fn redact(&self, out: Out<'_>) {
        let headers = pick(&self.multi_value_headers, &self.headers);
        let mut o = out.object();
        o.field("statusCode", &self.status_code);
        opt(&mut o, "statusDescription", &self.status_description);
        o.field_with("headers", |out| write_headers(headers, out));
        let body = BodyView::of_body(self.body.as_ref(), self.is_base64_encoded);
        o.field_with("body", |out| write_body(body, content_type(headers), out));
    }
}

#[cfg(test)]
mod tests;
