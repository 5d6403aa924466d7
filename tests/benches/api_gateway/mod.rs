//! The workload of the performance benchmark and of the allocation test: an
//! API Gateway REST (proxy integration) event of about 2 KiB, as a user
//! deserializes it (headers with `Authorization` and `Cookie`, a JSON body
//! with a password), a response of a few hundred bytes, and the same handler
//! written four ways: audited by seclog, audited but filtered out by level,
//! instrumented by `tracing`, and bare.

#![allow(dead_code)] // each including target uses a part of it

use seclog::context::{Context, Describe};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::hint::black_box;
use std::sync::OnceLock;

/// `APIGatewayProxyRequest`, with the JSON body already parsed into `B`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiGatewayRequest<B> {
    pub resource: String,
    pub path: String,
    pub http_method: String,
    pub headers: BTreeMap<String, String>,
    pub query_string_parameters: BTreeMap<String, String>,
    pub path_parameters: BTreeMap<String, String>,
    pub request_context: RequestContext,
    pub body: B,
    pub is_base64_encoded: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestContext {
    pub account_id: String,
    pub api_id: String,
    pub stage: String,
    pub request_id: String,
    pub request_time_epoch: u64,
    pub domain_name: String,
    pub protocol: String,
    pub identity: Identity,
    pub authorizer: Authorizer,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    pub source_ip: String,
    pub user_agent: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Authorizer {
    pub claims: Claims,
}

#[derive(Debug, Clone, Serialize)]
pub struct Claims {
    pub sub: String,
    pub email: String,
    #[serde(rename = "cognito:username")]
    pub username: String,
    pub scope: String,
}

/// The request body: a money transfer confirmed with the user's password.
#[derive(Debug, Clone, Serialize)]
pub struct TransferBody {
    pub from_account: String,
    pub to_account: String,
    pub amount_cents: u64,
    pub currency: String,
    pub memo: String,
    pub password: String,
}

/// `APIGatewayProxyResponse`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiGatewayResponse {
    pub status_code: u16,
    pub headers: BTreeMap<String, String>,
    pub body: String,
    pub is_base64_encoded: bool,
}

/// What the integration types do: the request knows who and where.
impl<B> Describe for ApiGatewayRequest<B> {
    fn describe(&self, cx: &mut Context) {
        cx.set_user_id(&self.request_context.authorizer.claims.sub);
        cx.set_source(&self.request_context.identity.source_ip);
        cx.set_user_agent(&self.request_context.identity.user_agent);
        cx.set_url_path(&self.path);
        cx.set_http_method(&self.http_method);
        if let Some(trace) = self.headers.get("X-Amzn-Trace-Id") {
            cx.set_trace_id(trace);
        }
    }
}

/// A status of 400 or more is a failure.
impl seclog::Outcome for ApiGatewayResponse {
    fn outcome(&self) -> seclog::EventOutcome {
        if self.status_code >= 400 {
            seclog::EventOutcome::Failure
        } else {
            seclog::EventOutcome::Success
        }
    }
    fn status_code(&self) -> Option<u16> {
        Some(self.status_code)
    }
}

#[derive(Debug)]
pub struct TransferError(pub &'static str);

impl fmt::Display for TransferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

pub type Event = ApiGatewayRequest<TransferBody>;

fn s(v: &str) -> String {
    v.to_string()
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (s(k), s(v))).collect()
}

/// The request, as API Gateway delivers it through CloudFront.
pub fn event() -> Event {
    ApiGatewayRequest {
        resource: s("/v1/accounts/{accountId}/transfers"),
        path: s("/v1/accounts/acc-7731-0042/transfers"),
        http_method: s("POST"),
        headers: map(&[
            ("Accept", "application/json"),
            ("Accept-Encoding", "gzip, deflate, br"),
            ("Accept-Language", "en-GB,en;q=0.9,de;q=0.8"),
            (
                "Authorization",
                "Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IjRmMWcyM2E3In0.eyJzdWIiOiI4ZjFkYzJlNC1hNjBiLTQ\
                 xYTUtOWMzYi0xZDZlNWY3YTgwOTEiLCJzY29wZSI6InRyYW5zZmVycy53cml0ZSIsImV4cCI6MTc5NjQwMDAwMH0.Qm9n\
                 dXNTaWduYXR1cmVGb3JCZW5jaG1hcmtpbmdPbmx5X25vdF9hX3JlYWxfdG9rZW4",
            ),
            ("CloudFront-Forwarded-Proto", "https"),
            ("CloudFront-Is-Desktop-Viewer", "true"),
            ("CloudFront-Is-Mobile-Viewer", "false"),
            ("CloudFront-Viewer-Country", "DE"),
            ("Content-Length", "163"),
            ("Content-Type", "application/json"),
            ("Cookie", "session=s%3A9f8e7d6c5b4a39281706f5e4d3c2b1a0.Xk2p9QvR8sT7uV6w; csrftoken=7d2c1b0a9f8e; theme=dark"),
            ("Host", "api.example.com"),
            ("Origin", "https://app.example.com"),
            ("Referer", "https://app.example.com/accounts/acc-7731-0042/transfer"),
            (
                "User-Agent",
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
            ),
            ("Via", "2.0 5f3a9c1e2b7d4e6f.cloudfront.net (CloudFront)"),
            ("X-Amz-Cf-Id", "pX9kR2mN7vL4sT1qW8eY3uI6oP0aZ5xC-bV2nM9kJ4hG7fD1sA=="),
            ("X-Amzn-Trace-Id", "Root=1-6747a2f1-3c5e7a9b1d2f4e6a8c0b2d4f"),
            ("X-Forwarded-For", "198.51.100.23, 130.176.212.17"),
            ("X-Forwarded-Port", "443"),
            ("X-Forwarded-Proto", "https"),
        ]),
        query_string_parameters: map(&[("dryRun", "false"), ("idempotencyKey", "c0ffee00-1234-4abc-9def-0123456789ab")]),
        path_parameters: map(&[("accountId", "acc-7731-0042")]),
        request_context: RequestContext {
            account_id: s("123456789012"),
            api_id: s("a1b2c3d4e5"),
            stage: s("prod"),
            request_id: s("c6af9ac6-7b61-11e6-9a41-93e8deadbeef"),
            request_time_epoch: 1_764_270_000_123,
            domain_name: s("api.example.com"),
            protocol: s("HTTP/1.1"),
            identity: Identity {
                source_ip: s("198.51.100.23"),
                user_agent: s("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15"),
            },
            authorizer: Authorizer {
                claims: Claims {
                    sub: s("8f1dc2e4-a60b-41a5-9c3b-1d6e5f7a8091"),
                    email: s("alice@example.com"),
                    username: s("alice"),
                    scope: s("transfers.write accounts.read"),
                },
            },
        },
        body: TransferBody {
            from_account: s("acc-7731-0042"),
            to_account: s("acc-1180-9377"),
            amount_cents: 125_000,
            currency: s("EUR"),
            memo: s("Invoice 2026-1187, October rent"),
            password: s("correct horse battery staple"),
        },
        is_base64_encoded: false,
    }
}

/// The handler's response: built once, so the handlers themselves cost
/// nothing and allocate nothing.
pub fn reply() -> &'static ApiGatewayResponse {
    static REPLY: OnceLock<ApiGatewayResponse> = OnceLock::new();
    REPLY.get_or_init(|| ApiGatewayResponse {
        status_code: 201,
        headers: map(&[
            ("Cache-Control", "no-store"),
            ("Content-Type", "application/json"),
            ("X-Request-Id", "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"),
        ]),
        body: s(r#"{"transferId":"tr-5f0c2a7e91d4","status":"pending","from":"acc-7731-0042","to":"acc-1180-9377","amountCents":125000,"currency":"EUR","createdAt":"2026-11-27T18:40:00.123Z","links":{"self":"/v1/transfers/tr-5f0c2a7e91d4"}}"#),
        is_base64_encoded: false,
    })
}

/// The handler's own work, the same in every variant.
#[inline(always)]
fn body(event: &Event) -> Result<&'static ApiGatewayResponse, TransferError> {
    if black_box(event.body.amount_cents) > 10_000_000 {
        return Err(TransferError("over the daily limit"));
    }
    Ok(reply())
}

/// Audited by seclog: start and end records with inputs, the 4 W's and the
/// response, redacted.
#[seclog::audit(name = "transfer")]
#[inline(never)]
pub fn transfer_audited(event: &Event) -> Result<&'static ApiGatewayResponse, TransferError> {
    body(event)
}

/// Audited at `debug`: filtered out when the level is `info`.
#[seclog::audit(name = "transfer", level = "debug")]
#[inline(never)]
pub fn transfer_filtered(event: &Event) -> Result<&'static ApiGatewayResponse, TransferError> {
    body(event)
}

/// The same function without the attribute.
#[inline(never)]
pub fn transfer_bare(event: &Event) -> Result<&'static ApiGatewayResponse, TransferError> {
    body(event)
}

/// Instrumented by `tracing`: arguments and return value through `Debug`,
/// nothing redacted.
#[tracing::instrument(ret)]
#[inline(never)]
pub fn transfer_traced(event: &Event) -> Result<&'static ApiGatewayResponse, TransferError> {
    body(event)
}
