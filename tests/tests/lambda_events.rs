//! The API Gateway REST (v1), HTTP API (v2) and ALB integrations on the
//! request fixtures in `tests/fixtures/`: what each request type gives the
//! 4 W's, what of it is logged, what the responses say about the outcome,
//! and that no credential of a fixture reaches a record. The same events go
//! through `aws_lambda_events` types, `lambda_http::Request` and
//! `LambdaEvent<T>`.

use aws_lambda_events::alb::{AlbTargetGroupRequest, AlbTargetGroupResponse};
use aws_lambda_events::apigw::{
    ApiGatewayProxyRequest, ApiGatewayProxyResponse, ApiGatewayV2httpRequest,
    ApiGatewayV2httpResponse,
};
use aws_lambda_events::encodings::Body;
use aws_lambda_events::http::{HeaderMap, HeaderValue};
use lambda_runtime::LambdaEvent;
use proptest::prelude::*;
use seclog::testing::{capture, Captured};
use serde_json::{json, Value};
use std::sync::Arc;

fn fixture_text(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn fixture<T: serde::de::DeserializeOwned>(name: &str) -> T {
    serde_json::from_str(&fixture_text(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Every credential the fixtures carry.
const FIXTURE_SECRETS: &[&str] = &[
    "djEtZml4dHVyZS1hdXRob3JpemF0aW9uLXNpZ25hdHVyZQ",
    "v1-fixture-session-cookie-7f3a9c",
    "v1-fixture-api-key-Qm9uZEphbWVz",
    "v1-fixture-query-token-51d2",
    "v1-fixture-password-Tr0ub4dor",
    "djItZml4dHVyZS1hdXRob3JpemF0aW9uLXNpZ25hdHVyZQ",
    "v2-fixture-session-cookie-0be41d",
    "v2-fixture-query-token-88c1",
    "v2-fixture-password-hunter2",
    "YWxpY2U6YWxiLWZpeHR1cmUtYmFzaWMtc2VjcmV0",
    "alb-fixture-session-cookie-c95e02",
    "alb-fixture-password-guess1",
    "response-session-cookie-31f0",
];

/// The records of a run, checked against ECS and for every fixture secret.
fn checked<T>(run: &Captured<T>) -> Vec<Value> {
    let records = run.records();
    seclog_tests::assert_ecs(&records);
    for line in &run.lines {
        for secret in FIXTURE_SECRETS {
            assert!(!line.contains(secret), "{secret} reached a record: {line}");
        }
    }
    records
}

fn pair(records: &[Value]) -> (&Value, &Value) {
    assert_eq!(records.len(), 2, "{records:#?}");
    (&records[0], &records[1])
}

fn session_cookie_headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("content-type", HeaderValue::from_static("application/json"));
    h.insert(
        "set-cookie",
        HeaderValue::from_static("session=response-session-cookie-31f0; Secure; HttpOnly"),
    );
    h
}

#[seclog::audit(name = "login")]
fn rest_login(request: ApiGatewayProxyRequest) -> ApiGatewayProxyResponse {
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = if request.body.is_some() { 401 } else { 400 };
    response.headers = session_cookie_headers();
    response.body = Some(Body::Text(
        r#"{"error":"invalid credentials","retry_token":"r-1"}"#.into(),
    ));
    response
}

#[test]
fn rest_api_request_gives_method_path_caller_and_authorizer_user() {
    let request: ApiGatewayProxyRequest = fixture("apigw-v1-login-request.json");
    let run = capture(|| rest_login(request));
    let records = checked(&run);
    let (start, end) = pair(&records);
    for r in [start, end] {
        assert_eq!(r["http"]["request"]["method"], "POST");
        assert_eq!(r["url"]["path"], "/login");
        assert_eq!(
            r["source"]["ip"], "198.51.100.23",
            "the request context's sourceIp"
        );
        assert_eq!(
            r["user_agent"]["original"],
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
        );
        assert_eq!(
            r["user"]["id"], "4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
            "the Cognito authorizer's sub"
        );
        assert_eq!(r["faas"]["trigger"]["type"], "http");
    }

    let input = &start["seclog"]["input"]["request"];
    assert_eq!(input["httpMethod"], "POST");
    assert_eq!(input["path"], "/login");
    assert_eq!(input["resource"], "/login");
    let headers = &input["headers"];
    assert_eq!(headers["authorization"], "[REDACTED]");
    assert_eq!(headers["cookie"], "[REDACTED]");
    assert_eq!(headers["x-api-key"], "[REDACTED]");
    assert_eq!(
        headers["x-forwarded-for"], "198.51.100.23, 130.176.0.1",
        "the chain stays for forensics"
    );
    assert_eq!(
        headers["host"],
        "abc123defg.execute-api.eu-west-1.amazonaws.com"
    );
    assert_eq!(
        input["queryStringParameters"],
        json!({"redirect": ["/account"], "token": "[REDACTED]"})
    );
    let context = &input["requestContext"];
    assert_eq!(context["requestId"], "c6af9ac6-7b61-11e6-9a41-93e8deadbeef");
    assert_eq!(context["stage"], "prod");
    assert_eq!(context["identity"]["sourceIp"], "198.51.100.23");
    assert_eq!(context["identity"]["apiKey"], "[REDACTED]");
    assert_eq!(context["authorizer"]["claims"]["cognito:username"], "alice");
    assert_eq!(
        input["body"],
        json!({"username": "alice", "password": "[REDACTED]"}),
        "a JSON body, structured"
    );

    assert_eq!(end["event"]["outcome"], "failure");
    assert_eq!(end["http"]["response"]["status_code"], 401);
    assert_eq!(end["log.level"], "warn");
    let response = &end["seclog"]["response"];
    assert_eq!(response["statusCode"], 401);
    assert_eq!(response["headers"]["set-cookie"], "[REDACTED]");
    assert_eq!(
        response["body"],
        json!({"error": "invalid credentials", "retry_token": "[REDACTED]"})
    );
}

#[seclog::audit(name = "login")]
fn http_api_login(request: ApiGatewayV2httpRequest) -> ApiGatewayV2httpResponse {
    let mut response = ApiGatewayV2httpResponse::default();
    response.status_code = if request.body.is_some() { 200 } else { 400 };
    response.cookies = vec!["session=response-session-cookie-31f0; Secure; HttpOnly".into()];
    response.body = Some(Body::Text("<p>Welcome</p>".into()));
    response.headers.insert(
        "content-type",
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

#[test]
fn http_api_request_gives_the_jwt_subject_and_cookie_names_only() {
    let request: ApiGatewayV2httpRequest = fixture("apigw-v2-login-request.json");
    let run = capture(|| http_api_login(request));
    let records = checked(&run);
    let (start, end) = pair(&records);
    assert_eq!(
        start["http"]["request"]["method"], "POST",
        "from requestContext.http"
    );
    assert_eq!(start["url"]["path"], "/login");
    assert_eq!(start["source"]["ip"], "203.0.113.77");
    assert_eq!(start["user_agent"]["original"], "curl/8.5.0");
    assert_eq!(
        start["user"]["id"], "9b2e7c41-3d5f-4a6b-8c9d-0e1f2a3b4c5d",
        "the JWT authorizer's sub"
    );

    let input = &start["seclog"]["input"]["request"];
    assert_eq!(input["routeKey"], "POST /login");
    assert_eq!(
        input["cookies"],
        json!(["session=[REDACTED]", "theme=[REDACTED]"])
    );
    assert_eq!(input["headers"]["authorization"], "[REDACTED]");
    assert_eq!(input["queryStringParameters"]["access_token"], "[REDACTED]");
    assert!(
        input.get("rawQueryString").is_none(),
        "the raw query string would bypass the policy"
    );
    assert_eq!(input["requestContext"]["http"]["sourceIp"], "203.0.113.77");
    assert_eq!(
        input["requestContext"]["authorizer"]["jwt"]["claims"]["username"],
        "alice"
    );
    assert_eq!(
        input["requestContext"]["authorizer"]["jwt"]["scopes"],
        json!(["openid", "email"])
    );
    assert_eq!(input["body"]["password"], "[REDACTED]");

    assert_eq!(end["event"]["outcome"], "success");
    assert_eq!(end["http"]["response"]["status_code"], 200);
    let response = &end["seclog"]["response"];
    assert_eq!(response["cookies"], json!(["session=[REDACTED]"]));
    assert_eq!(
        response["body"], "[14 bytes: text/html; charset=utf-8]",
        "not JSON: size and type"
    );
}

#[seclog::audit(name = "login")]
fn alb_login(request: AlbTargetGroupRequest) -> AlbTargetGroupResponse {
    let mut response = AlbTargetGroupResponse::default();
    response.status_code = if request.body.is_some() { 302 } else { 400 };
    response.status_description = Some("302 Found".into());
    response.headers = session_cookie_headers();
    response
}

#[test]
fn alb_request_takes_the_address_the_load_balancer_appended() {
    let request: AlbTargetGroupRequest = fixture("alb-login-request.json");
    let run = capture(|| alb_login(request));
    let records = checked(&run);
    let (start, end) = pair(&records);
    // The client sent `10.9.9.9` itself; the balancer appended what it saw.
    assert_eq!(start["source"]["ip"], "192.0.2.44");
    assert_eq!(start["user_agent"]["original"], "python-requests/2.32.3");
    assert!(start.get("user").is_none(), "ALB has no authorizer");
    let input = &start["seclog"]["input"]["request"];
    assert_eq!(input["headers"]["authorization"], "[REDACTED]");
    assert_eq!(input["headers"]["cookie"], "[REDACTED]");
    assert_eq!(input["headers"]["x-forwarded-for"], "10.9.9.9, 192.0.2.44");
    assert_eq!(
        input["requestContext"]["elb"]["targetGroupArn"],
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/login-tg/6d0ecf831eec9f09"
    );
    assert_eq!(
        input["body"],
        json!({"username": "mallory", "password": "[REDACTED]"})
    );
    assert_eq!(
        end["event"]["outcome"], "success",
        "a redirect is not a failure"
    );
    assert_eq!(end["http"]["response"]["status_code"], 302);
    assert_eq!(end["seclog"]["response"]["statusDescription"], "302 Found");
    assert_eq!(
        end["seclog"]["response"]["headers"]["set-cookie"],
        "[REDACTED]"
    );
    assert_eq!(end["seclog"]["response"]["body"], Value::Null);
}

#[seclog::audit(name = "login")]
fn http_login(request: lambda_http::Request) -> lambda_http::Response<lambda_http::Body> {
    let status = if request.headers().contains_key("authorization") {
        403
    } else {
        401
    };
    let mut response =
        lambda_http::Response::new(lambda_http::Body::from(r#"{"error":"forbidden"}"#));
    *response.status_mut() = lambda_http::http::StatusCode::from_u16(status).unwrap();
    response.headers_mut().extend(session_cookie_headers());
    response
}

#[test]
fn lambda_http_requests_from_each_fixture_describe_the_caller() {
    let cases = [
        (
            "apigw-v1-login-request.json",
            "198.51.100.23",
            Some("4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"),
            "alice",
        ),
        (
            "apigw-v2-login-request.json",
            "203.0.113.77",
            Some("9b2e7c41-3d5f-4a6b-8c9d-0e1f2a3b4c5d"),
            "alice",
        ),
        ("alb-login-request.json", "192.0.2.44", None, "mallory"),
    ];
    for (name, ip, user, username) in cases {
        let request = lambda_http::request::from_str(&fixture_text(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let run = capture(|| http_login(request));
        let records = checked(&run);
        let (start, end) = pair(&records);
        assert_eq!(start["http"]["request"]["method"], "POST", "{name}");
        assert_eq!(
            start["url"]["path"], "/login",
            "{name}: without the API Gateway stage"
        );
        assert_eq!(start["source"]["ip"], ip, "{name}");
        assert_eq!(start["user"]["id"].as_str(), user, "{name}");
        assert_eq!(start["faas"]["trigger"]["type"], "http", "{name}");
        let input = &start["seclog"]["input"]["request"];
        assert_eq!(input["headers"]["authorization"], "[REDACTED]", "{name}");
        // lambda_http folds an HTTP API's cookies into the `cookie` header.
        assert_eq!(input["headers"]["cookie"], "[REDACTED]", "{name}");
        assert_eq!(
            input["body"],
            json!({"username": username, "password": "[REDACTED]"}),
            "{name}"
        );
        assert!(input["requestContext"].is_object(), "{name}");
        assert_eq!(end["event"]["outcome"], "failure", "{name}");
        assert_eq!(end["http"]["response"]["status_code"], 403, "{name}");
        assert_eq!(
            end["seclog"]["response"]["headers"]["set-cookie"], "[REDACTED]",
            "{name}"
        );
        assert_eq!(
            end["seclog"]["response"]["body"],
            json!({"error": "forbidden"}),
            "{name}"
        );
    }
}

#[seclog::audit]
fn page(status: u16) -> lambda_http::Response<String> {
    let mut response = lambda_http::Response::new("<html>ok</html>".to_string());
    *response.status_mut() = lambda_http::http::StatusCode::from_u16(status).unwrap();
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("text/html"));
    response
}

#[test]
fn http_responses_decide_the_outcome_by_status() {
    for (status, outcome) in [
        (200, "success"),
        (304, "success"),
        (404, "failure"),
        (500, "failure"),
    ] {
        let run = capture(|| page(status));
        let records = checked(&run);
        let (_, end) = pair(&records);
        assert_eq!(end["event"]["outcome"], outcome, "{status}");
        assert_eq!(end["http"]["response"]["status_code"], status, "{status}");
        assert_eq!(end["seclog"]["response"]["body"], "[15 bytes: text/html]");
    }
}

/// lambda_http's own example handler: `Result<impl IntoResponse, Error>`,
/// with the error type named only in the signature and the body only `?`
/// and `Ok`.
#[seclog::audit]
async fn hello(
    _event: lambda_http::Request,
    status: u16,
) -> Result<impl lambda_http::IntoResponse, lambda_http::Error> {
    let resp = lambda_http::Response::builder()
        .status(status)
        .header("content-type", "text/html")
        .body("Hello AWS Lambda HTTP request".to_string())
        .map_err(Box::new)?;
    Ok(resp)
}

/// The same shape, synchronous, answering with `json!`.
#[seclog::audit]
fn greeting(name: &str) -> Result<impl lambda_http::IntoResponse, lambda_http::Error> {
    let name = Some(name)
        .filter(|n| !n.is_empty())
        .ok_or("a name is needed")?;
    Ok(json!({ "message": format!("Hello {name}") }))
}

/// What an `impl IntoResponse` gives lambda_http: status, content type and
/// body text.
fn sent(
    runtime: &tokio::runtime::Runtime,
    response: impl lambda_http::IntoResponse,
) -> (u16, String, String) {
    let response = runtime.block_on(response.into_response());
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    let body = match response.body() {
        lambda_http::Body::Text(text) => text.clone(),
        other => panic!("a text body: {other:?}"),
    };
    (response.status().as_u16(), content_type, body)
}

#[test]
fn a_result_of_impl_into_response_whose_error_only_the_signature_names() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let request =
        || lambda_http::request::from_str(&fixture_text("apigw-v2-login-request.json")).unwrap();

    let run = runtime.block_on(seclog::testing::capture_future(hello(request(), 200)));
    let records = checked(&run);
    let (_, end) = pair(&records);
    assert_eq!(end["event"]["outcome"], "success");
    assert_eq!(end["http"]["response"]["status_code"], 200);
    assert_eq!(end["seclog"]["response"]["body"], "[29 bytes: text/html]");
    let Ok(response) = run.output else {
        panic!("the body's Ok")
    };
    assert_eq!(
        sent(&runtime, response),
        (
            200,
            "text/html".into(),
            "Hello AWS Lambda HTTP request".into()
        )
    );

    let run = runtime.block_on(seclog::testing::capture_future(hello(request(), 1000)));
    let records = checked(&run);
    let (_, end) = pair(&records);
    assert_eq!(end["event"]["outcome"], "failure");
    assert_eq!(end["error"]["message"], "invalid status code");
    assert!(end["seclog"].get("response").is_none());
    let Err(error) = run.output else {
        panic!("the body's Err")
    };
    assert!(
        error
            .downcast_ref::<Box<lambda_http::http::Error>>()
            .is_some(),
        "the error the body made: {error:?}"
    );

    let run = capture(|| greeting("alice"));
    let records = checked(&run);
    let (start, end) = pair(&records);
    assert_eq!(start["seclog"]["input"]["name"], "alice");
    assert_eq!(end["event"]["outcome"], "success");
    assert_eq!(end["seclog"]["response"], json!({"message": "Hello alice"}));
    let Ok(response) = run.output else {
        panic!("the body's Ok")
    };
    assert_eq!(
        sent(&runtime, response),
        (
            200,
            "application/json".into(),
            r#"{"message":"Hello alice"}"#.into()
        )
    );

    let run = capture(|| greeting(""));
    let records = checked(&run);
    let (_, end) = pair(&records);
    assert_eq!(end["event"]["outcome"], "failure");
    assert_eq!(end["error"]["message"], "a name is needed");
    let Err(error) = run.output else {
        panic!("the body's Err")
    };
    assert_eq!(error.to_string(), "a name is needed");
}

fn now_ms() -> u64 {
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since_epoch.unwrap().as_millis() as u64
}

fn lambda_context(request_id: &str) -> lambda_runtime::Context {
    let config = lambda_runtime::Config {
        function_name: "orders".into(),
        version: "$LATEST".into(),
        memory: 512,
        ..Default::default()
    };
    let mut context = lambda_runtime::Context::default();
    context.request_id = request_id.into();
    context.invoked_function_arn =
        "arn:aws:lambda:eu-west-1:123456789012:function:orders:prod".into();
    context.xray_trace_id =
        Some("Root=1-6747688e-aaaabbbbccccddddeeeeffff;Parent=1;Sampled=0".into());
    // Lambda's deadline: milliseconds since the epoch, a minute from now.
    context.deadline = now_ms() + 60_000;
    context.env_config = Arc::new(config);
    context
}

#[seclog::audit]
fn orders(event: LambdaEvent<ApiGatewayProxyRequest>) -> ApiGatewayProxyResponse {
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = if event.payload.path.is_some() {
        200
    } else {
        404
    };
    response
}

#[test]
fn a_lambda_event_of_an_api_gateway_request_describes_invocation_and_request() {
    let request: ApiGatewayProxyRequest = fixture("apigw-v1-login-request.json");
    let id = "d3adb33f-0000-4000-8000-00000000e401";
    let run = capture(|| orders(LambdaEvent::new(request, lambda_context(id))));
    let records = checked(&run);
    let (start, end) = pair(&records);
    for r in [start, end] {
        assert_eq!(r["faas"]["execution"], id);
        assert_eq!(r["transaction"]["id"], id);
        assert_eq!(
            r["faas"]["id"],
            "arn:aws:lambda:eu-west-1:123456789012:function:orders"
        );
        assert_eq!(r["faas"]["name"], "orders");
        assert_eq!(r["faas"]["version"], "$LATEST");
        assert!(r["faas"]["coldstart"].is_boolean());
        assert_eq!(r["faas"]["trigger"]["type"], "http", "from the payload");
        assert_eq!(r["trace"]["id"], "1-6747688e-aaaabbbbccccddddeeeeffff");
        assert_eq!(r["source"]["ip"], "198.51.100.23");
        assert_eq!(r["user"]["id"], "4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f");
    }
    let input = &start["seclog"]["input"]["event"];
    assert_eq!(input["path"], "/login", "the payload is the input");
    assert!(input.get("context").is_none() && input.get("payload").is_none());
    assert_eq!(end["seclog.memory.limit_bytes"], 512 * 1024 * 1024);
    assert!(end["seclog.memory.peak_bytes"]
        .as_u64()
        .is_some_and(|b| b > 0));
    assert!(
        end["seclog.time_left_ms"]
            .as_i64()
            .is_some_and(|ms| ms > 0 && ms <= 60_000),
        "a deadline a minute away"
    );
    assert!(
        start.get("seclog.memory.limit_bytes").is_none(),
        "end records only"
    );
    assert_eq!(end["event"]["outcome"], "success");
}

/// Some local emulators send the deadline in seconds, not milliseconds:
/// such a deadline is implausible (decades ago) and left out rather than
/// logged as a time left of minus fifty years.
#[test]
fn an_implausible_deadline_is_left_out() {
    let mut context = lambda_context("d3adb33f-0000-4000-8000-00000000e499");
    context.deadline = now_ms() / 1000 + 60;
    let request: ApiGatewayProxyRequest = fixture("apigw-v1-login-request.json");
    let run = capture(|| orders(LambdaEvent::new(request, context)));
    let records = checked(&run);
    let (_, end) = pair(&records);
    assert!(end.get("seclog.time_left_ms").is_none(), "{end}");
    assert_eq!(end["seclog.memory.limit_bytes"], 512 * 1024 * 1024);
}

/// An HTTP API sends a form body base64-encoded: it is decoded and logged
/// as an object, the password redacted, the rest of the login kept.
#[test]
fn a_base64_form_body_is_logged_as_its_fields() {
    use base64::Engine as _;
    let form = "username=alice&password=v2-form-password-hunter2&remember=on";
    let mut text = fixture_text("apigw-v2-login-request.json");
    text = text.replace(
        r#""content-type": "application/json""#,
        r#""content-type": "application/x-www-form-urlencoded""#,
    );
    let mut event: Value = serde_json::from_str(&text).unwrap();
    event["body"] = Value::from(base64::engine::general_purpose::STANDARD.encode(form));
    event["isBase64Encoded"] = Value::from(true);
    let request: ApiGatewayV2httpRequest = serde_json::from_value(event).unwrap();
    let run = capture(|| {
        split(
            request,
            lambda_context("d3adb33f-0000-4000-8000-00000000e403"),
        )
    });
    let records = checked(&run);
    let (start, _) = pair(&records);
    assert_eq!(
        start["seclog"]["input"]["request"]["body"],
        json!({"username": "alice", "password": "[REDACTED]", "remember": "on"})
    );
    assert!(!run.lines.iter().any(|l| l.contains("v2-form-password")));
}

#[seclog::audit]
fn split(request: ApiGatewayV2httpRequest, context: lambda_runtime::Context) -> Option<String> {
    request.raw_path.filter(|_| !context.request_id.is_empty())
}

#[test]
fn a_payload_and_a_context_taken_apart_describe_the_same() {
    let request: ApiGatewayV2httpRequest = fixture("apigw-v2-login-request.json");
    let id = "d3adb33f-0000-4000-8000-00000000e402";
    let run = capture(|| split(request, lambda_context(id)));
    let records = checked(&run);
    let (start, _) = pair(&records);
    assert_eq!(start["faas"]["execution"], id);
    assert_eq!(start["faas"]["trigger"]["type"], "http");
    assert_eq!(start["source"]["ip"], "203.0.113.77");
    assert!(
        start["seclog"]["input"].get("context").is_none(),
        "the context is never logged"
    );
    assert_eq!(start["seclog"]["input"]["request"]["rawPath"], "/login");
}

/// A context carrying every value a Lambda context can hold, each marked
/// so that its appearance anywhere in a record is found: the values only
/// the context holds (`CONTEXT_ONLY`), and the request id, ARN and deadline,
/// which feed the 4 W's but are never inputs.
fn full_context(request_id: &str) -> lambda_runtime::Context {
    let mut context = serde_json::to_value(lambda_context(request_id)).unwrap();
    context["env_config"]["log_stream"] = json!("2026/05/01/[$LATEST]ctx-log-stream-4b7e");
    context["env_config"]["log_group"] = json!("/aws/lambda/ctx-log-group-c2d9");
    context["identity"] = json!({
        "identityId": "eu-west-1:ctx-identity-5e1f",
        "identityPoolId": "eu-west-1:ctx-identity-pool-a07b",
    });
    context["client_context"] = json!({
        "client": {
            "installationId": "ctx-installation-61d0",
            "appTitle": "ctx-app-title-0c3a",
            "appVersionName": "ctx-app-version-77e5",
            "appVersionCode": "ctx-app-code-3d41",
            "appPackageName": "ctx-app-package-b8a2",
        },
        "custom": {"theme": "ctx-custom-value-93a1"},
        "environment": {"locale": "ctx-environment-value-2f68"},
    });
    context["tenant_id"] = json!("ctx-tenant-8e3f");
    serde_json::from_value(context).unwrap()
}

const CONTEXT_ONLY: &[&str] = &[
    "ctx-log-stream-4b7e",
    "ctx-log-group-c2d9",
    "ctx-identity-5e1f",
    "ctx-identity-pool-a07b",
    "ctx-installation-61d0",
    "ctx-app-title-0c3a",
    "ctx-app-version-77e5",
    "ctx-app-code-3d41",
    "ctx-app-package-b8a2",
    "ctx-custom-value-93a1",
    "ctx-environment-value-2f68",
    "ctx-tenant-8e3f",
    "env_config",
    "client_context",
    "invoked_function_arn",
];

/// The start and end records of a handler given `context`, checked:
/// the inputs are exactly `input`, no value of the context is one of them
/// nor anywhere else in a record but in the 4 W's it gives, and those 4 W's
/// are there.
fn context_never_logged<T>(
    run: &Captured<T>,
    context: &lambda_runtime::Context,
    input: Value,
) -> (Value, Value) {
    let id = context.request_id.as_str();
    let records = checked(run);
    let (start, end) = pair(&records);
    assert_eq!(start["seclog"]["input"], input, "{start:#}");
    for line in &run.lines {
        for value in CONTEXT_ONLY {
            assert!(!line.contains(value), "{value} reached a record: {line}");
        }
    }
    let logged = start["seclog"]["input"].to_string();
    let deadline = context.deadline.to_string();
    for value in [id, &context.invoked_function_arn, &deadline] {
        assert!(!logged.contains(value), "{value} is no input: {logged}");
    }
    for r in [start, end] {
        assert_eq!(r["faas"]["execution"], id, "the context still describes");
        assert_eq!(r["faas"]["name"], "orders");
        assert_eq!(r["trace"]["id"], "1-6747688e-aaaabbbbccccddddeeeeffff");
    }
    assert!(end["seclog.time_left_ms"].as_i64().is_some_and(|ms| ms > 0));
    (start.clone(), end.clone())
}

#[derive(serde::Deserialize, serde::Serialize, Clone)]
struct OrderPlaced {
    order_id: String,
    card_number: String,
}

fn order_placed() -> OrderPlaced {
    OrderPlaced {
        order_id: "o-7".into(),
        card_number: "4111111111111111".into(),
    }
}

fn logged_order() -> Value {
    json!({"order_id": "o-7", "card_number": "[REDACTED]"})
}

#[seclog::audit]
fn destructured(LambdaEvent { payload, context }: LambdaEvent<OrderPlaced>) -> String {
    format!("{} {}", payload.order_id, context.request_id.len())
}

#[seclog::audit]
async fn destructured_async(
    lambda_runtime::LambdaEvent {
        payload,
        context: ctx,
    }: lambda_runtime::LambdaEvent<OrderPlaced>,
) -> Result<String, lambda_runtime::Error> {
    Ok(format!("{} {}", payload.order_id, ctx.request_id.len()))
}

#[seclog::audit]
fn context_ignored(
    LambdaEvent {
        payload,
        context: _,
    }: LambdaEvent<OrderPlaced>,
) -> String {
    payload.order_id
}

#[seclog::audit]
fn context_left_out(LambdaEvent { payload, .. }: LambdaEvent<OrderPlaced>) -> String {
    payload.order_id
}

#[seclog::audit]
fn context_taken_apart(
    LambdaEvent {
        payload: OrderPlaced { order_id, .. },
        context: lambda_runtime::Context { request_id, .. },
    }: LambdaEvent<OrderPlaced>,
) -> usize {
    order_id.len() + request_id.len()
}

#[seclog::audit]
fn context_in_a_tuple((payload, context): (OrderPlaced, lambda_runtime::Context)) -> String {
    format!("{} {}", payload.order_id, context.request_id.len())
}

#[test]
fn a_destructured_lambda_event_logs_its_payload_and_never_its_context() {
    let id = "d3adb33f-0000-4000-8000-00000000e404";
    let context = full_context(id);
    let event = || LambdaEvent::new(order_placed(), context.clone());
    let length = id.len();

    let run = capture(|| destructured(event()));
    assert_eq!(run.output, format!("o-7 {length}"));
    context_never_logged(&run, &context, json!({"payload": logged_order()}));

    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let run = runtime.block_on(seclog::testing::capture_future(destructured_async(event())));
    assert_eq!(run.output.as_ref().unwrap(), &format!("o-7 {length}"));
    context_never_logged(&run, &context, json!({"payload": logged_order()}));

    let run = capture(|| context_ignored(event()));
    assert_eq!(run.output, "o-7");
    context_never_logged(&run, &context, json!({"payload": logged_order()}));

    let run = capture(|| context_left_out(event()));
    assert_eq!(run.output, "o-7");
    context_never_logged(&run, &context, json!({"payload": logged_order()}));

    let run = capture(|| context_taken_apart(event()));
    assert_eq!(run.output, 3 + length);
    assert!(run.lines.iter().all(|l| !l.contains("4111111111111111")));
    let records = checked(&run);
    let (start, _) = pair(&records);
    assert_eq!(
        start["seclog"]["input"],
        json!({"order_id": "o-7"}),
        "the context's fields are no inputs"
    );

    let run = capture(|| context_in_a_tuple((order_placed(), context.clone())));
    assert_eq!(run.output, format!("o-7 {length}"));
    context_never_logged(&run, &context, json!({"payload": logged_order()}));
}

#[seclog::audit]
fn untyped(LambdaEvent { payload, context }: LambdaEvent<Value>) -> bool {
    payload.is_object() && !context.request_id.is_empty()
}

#[seclog::audit]
fn untyped_whole(event: LambdaEvent<Value>) -> bool {
    event.payload.is_object() && !event.context.request_id.is_empty()
}

#[test]
fn a_destructured_payload_describes_the_trigger_as_the_whole_event_does() {
    let context = full_context("d3adb33f-0000-4000-8000-00000000e405");
    let sqs = json!({"Records": [{"eventSource": "aws:sqs", "body": "{}"}]});
    let run = capture(|| untyped(LambdaEvent::new(sqs.clone(), context.clone())));
    assert!(run.output);
    let (start, _) = context_never_logged(&run, &context, json!({"payload": sqs}));
    assert_eq!(start["faas"]["trigger"]["type"], "pubsub");

    let run = capture(|| untyped_whole(LambdaEvent::new(sqs.clone(), context.clone())));
    let (whole, _) = context_never_logged(&run, &context, json!({"event": sqs}));
    for member in ["faas", "trace", "transaction"] {
        assert_eq!(start[member], whole[member], "{member}");
    }
}

#[seclog::audit]
fn anything(request: ApiGatewayProxyRequest) -> usize {
    request.headers.len()
}

#[test]
fn hostile_requests_never_panic_nor_leak_and_stay_one_valid_line() {
    let mut deep = String::new();
    for _ in 0..100_000 {
        deep.push_str("{\"a\":");
    }
    deep.push('1');
    for _ in 0..100_000 {
        deep.push('}');
    }
    let events = [
        // A claim that is not a string, a body nested 100 000 deep.
        json!({"httpMethod": "POST", "path": "/x", "headers": {"content-type": "application/json"},
               "requestContext": {"httpMethod": "POST", "authorizer": {"claims": {"sub": 42}, "principalId": ""}},
               "body": deep}),
        // Control characters and line separators where a header and a path go.
        // (HTTP headers cannot hold CR or LF; the request context can.)
        json!({"httpMethod": "GET", "path": "/a\nb\u{2028}c\"}", "headers": {"x-note": "tab\there"},
               "requestContext": {"httpMethod": "GET",
                                  "identity": {"sourceIp": "not-an-ip\n", "userAgent": "x\r\n{\"forged\":true}"}}}),
        // A sensitive member holding an object, base64 JSON, an empty multi-value parameter.
        json!({"httpMethod": "POST", "path": "/y", "headers": {"Content-Type": "application/json"},
               "multiValueQueryStringParameters": {"a": [], "session_id": ["s-hostile-77"]},
               "requestContext": {"httpMethod": "POST"},
               "body": "eyJwYXNzd29yZCI6InMzY3IzdCJ9", "isBase64Encoded": true}),
        json!({"httpMethod": "POST", "path": "/z", "headers": {"content-type": "application/json"},
               "requestContext": {"httpMethod": "POST"},
               "body": "{\"credentials\":{\"user\":\"u\",\"pin\":\"hostile-pin-5150\"},\"Api-Key\":[\"hostile-key\"]}"}),
    ];
    let mut lines = Vec::new();
    for event in events {
        let request: ApiGatewayProxyRequest = serde_json::from_value(event).unwrap();
        let run = capture(|| anything(request));
        let records = checked(&run);
        assert_eq!(records.len(), 2);
        lines.extend(run.lines);
    }
    for line in &lines {
        assert!(!line.contains('\n') && !line.contains('\u{2028}'), "{line}");
        for secret in ["s-hostile-77", "hostile-pin-5150", "hostile-key", "s3cr3t"] {
            assert!(!line.contains(secret), "{secret}: {line}");
        }
    }
    let records: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        records[0].get("user").is_none(),
        "a numeric sub is no user id"
    );
    // The body is read to its end without recursing, and kept to the depth limit.
    let mut body = &records[0]["seclog"]["input"]["request"]["body"];
    while let Some(inner) = body.get("a") {
        body = inner;
    }
    assert_eq!(body, "[truncated: depth limit]");
    assert_eq!(records[0]["seclog"]["truncated"], true);
    assert_eq!(records[2]["url"]["path"], "/a\nb\u{2028}c\"}");
    assert_eq!(
        records[2]["source"]["address"], "not-an-ip\n",
        "not an IP: source.address"
    );
    assert_eq!(
        records[2]["user_agent"]["original"],
        "x\r\n{\"forged\":true}"
    );
    assert!(records[2].get("forged").is_none());
    assert_eq!(
        records[2]["seclog"]["input"]["request"]["headers"]["x-note"],
        "tab\there"
    );
    assert_eq!(
        records[4]["seclog"]["input"]["request"]["body"],
        json!({"password": "[REDACTED]"}),
        "base64 JSON is decoded and structured"
    );
    assert_eq!(
        records[4]["seclog"]["input"]["request"]["queryStringParameters"]["session_id"],
        "[REDACTED]"
    );
    assert_eq!(
        records[6]["seclog"]["input"]["request"]["body"],
        json!({"credentials": "[REDACTED]", "Api-Key": "[REDACTED]"})
    );
}

#[test]
fn header_values_that_are_not_text_are_logged_as_text() {
    let mut request = ApiGatewayProxyRequest::default();
    request
        .headers
        .insert("x-note", HeaderValue::from_bytes(b"caf\xe9 \xff").unwrap());
    request.headers.insert(
        "authorization",
        HeaderValue::from_bytes(b"Bearer \xfe\xffbinary-secret-1").unwrap(),
    );
    request
        .headers
        .append("x-multi", HeaderValue::from_static("one"));
    request
        .headers
        .append("x-multi", HeaderValue::from_static("two"));
    let run = capture(|| anything(request));
    let records = checked(&run);
    let headers = &records[0]["seclog"]["input"]["request"]["headers"];
    assert_eq!(headers["x-note"], "caf\u{fffd} \u{fffd}");
    assert_eq!(headers["authorization"], "[REDACTED]");
    assert_eq!(
        headers["x-multi"],
        json!(["one", "two"]),
        "a repeated header is an array"
    );
    assert!(!run.lines.iter().any(|l| l.contains("binary-secret-1")));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Whatever the credentials' values and the case of their header names,
    /// none reaches a record.
    #[test]
    fn credentials_never_reach_a_record(
        token in "[A-Za-z0-9._~+/-]{12,64}",
        cookie in "[A-Za-z0-9]{12,40}",
        password in "[ -~]{12,40}",
        upper in any::<bool>(),
    ) {
        let name = |n: &str| if upper { n.to_ascii_uppercase() } else { n.to_string() };
        let mut headers = serde_json::Map::new();
        headers.insert(name("Authorization"), json!(format!("Bearer {token}")));
        headers.insert(name("Cookie"), json!(format!("sid={cookie}")));
        headers.insert("Content-Type".into(), json!("application/json"));
        let body = json!({"username": "alice", "password": password}).to_string();
        let event = json!({
            "httpMethod": "POST", "path": "/login", "headers": headers,
            "requestContext": {"httpMethod": "POST", "identity": {"sourceIp": "192.0.2.1"}},
            "body": body,
        });
        let request: ApiGatewayProxyRequest = serde_json::from_value(event).unwrap();
        let run = capture(|| rest_login(request));
        prop_assert_eq!(run.lines.len(), 2);
        for line in &run.lines {
            prop_assert!(!line.contains(&token), "{}", line);
            prop_assert!(!line.contains(&cookie), "{}", line);
            // The serialized form of the password, escapes included.
            let escaped = serde_json::to_string(&password).unwrap();
            prop_assert!(!line.contains(escaped.trim_matches('"')), "{}", line);
        }
    }
}

/// A Kinesis stream's consumer: its records' data is base64 of the
/// producer's JSON.
#[seclog::audit]
fn ingest(event: LambdaEvent<aws_lambda_events::kinesis::KinesisEvent>) -> usize {
    event.payload.records.len()
}

#[test]
fn a_secret_in_a_kinesis_records_base64_data_is_not_logged() {
    use base64::Engine as _;
    let producer = r#"{"user":"bob","action":"signup","password":"hunter2-from-the-stream"}"#;
    let plain = r#"{"user":"bob","action":"login"}"#;
    let encode = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
    let record = |data: &str| {
        json!({
            "eventSource": "aws:kinesis",
            "eventID": "shardId-000000000000:4959",
            "awsRegion": "eu-west-1",
            "kinesis": {
                "kinesisSchemaVersion": "1.0",
                "partitionKey": "bob",
                "sequenceNumber": "4959",
                "data": data,
                "approximateArrivalTimestamp": 1718000000.5
            }
        })
    };
    let event = serde_json::from_value(json!({
        "Records": [record(&encode(producer)), record(&encode(plain))]
    }))
    .unwrap();
    let id = "d3adb33f-0000-4000-8000-00000000e402";
    let run = capture(|| ingest(LambdaEvent::new(event, lambda_context(id))));
    assert_eq!(run.output, 2);
    let records = checked(&run);
    let logged = &records[0]["seclog"]["input"]["event"]["Records"];
    // The record whose JSON holds a password: its data whole; the other's
    // is kept, and so is every other field.
    assert_eq!(logged[0]["kinesis"]["data"], "[REDACTED:json_value]");
    assert_eq!(logged[0]["kinesis"]["partitionKey"], "bob");
    assert_eq!(logged[1]["kinesis"]["data"], encode(plain));
    let all = run.lines.join("\n");
    assert!(!all.contains(&encode(producer)[..40]), "{all}");
    assert!(!all.contains("hunter2-from-the-stream"), "{all}");
}

/// A password reset behind API Gateway, its token in the path.
#[seclog::audit]
fn reset_v1(request: ApiGatewayProxyRequest) -> ApiGatewayProxyResponse {
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = 204 + i64::from(request.path_parameters.is_empty());
    response
}

#[seclog::audit]
fn reset_v2(request: ApiGatewayV2httpRequest) -> ApiGatewayV2httpResponse {
    let mut response = ApiGatewayV2httpResponse::default();
    response.status_code = 204 + i64::from(request.path_parameters.is_empty());
    response
}

#[seclog::audit]
fn reset_http(request: lambda_http::Request) -> u16 {
    204 + u16::from(request.uri().path().is_empty())
}

#[test]
fn a_resources_sensitive_parameter_is_redacted_in_every_path_the_records_hold() {
    const TOKEN: &str = "Rk9v3QzT1xWm8pLs";
    let path = format!("/reset/{TOKEN}");
    // A REST API: `resource` and `resourcePath` name the parameter.
    let mut v1: Value = serde_json::from_str(&fixture_text("apigw-v1-login-request.json")).unwrap();
    v1["resource"] = json!("/reset/{token}");
    v1["path"] = json!(path);
    v1["pathParameters"] = json!({"token": TOKEN});
    v1["requestContext"]["resourcePath"] = json!("/reset/{token}");
    v1["requestContext"]["path"] = json!(format!("/prod{path}"));
    // An HTTP API: the route key does.
    let mut v2: Value = serde_json::from_str(&fixture_text("apigw-v2-login-request.json")).unwrap();
    v2["routeKey"] = json!("POST /reset/{token}");
    v2["rawPath"] = json!(path);
    v2["pathParameters"] = json!({"token": TOKEN});
    v2["requestContext"]["routeKey"] = json!("POST /reset/{token}");
    v2["requestContext"]["http"]["path"] = json!(path);

    let run = capture(|| reset_v1(serde_json::from_value(v1.clone()).unwrap()));
    let records = checked(&run);
    let (start, end) = pair(&records);
    assert_eq!(start["url"]["path"], "/reset/[REDACTED]");
    assert_eq!(end["url"]["path"], "/reset/[REDACTED]");
    let input = &start["seclog"]["input"]["request"];
    assert_eq!(input["path"], "/reset/[REDACTED]");
    assert_eq!(input["resource"], "/reset/{token}");
    assert_eq!(input["pathParameters"]["token"], "[REDACTED]");
    assert!(!run.lines.join("\n").contains(TOKEN));

    let run = capture(|| reset_v2(serde_json::from_value(v2.clone()).unwrap()));
    let records = checked(&run);
    let (start, _) = pair(&records);
    assert_eq!(start["url"]["path"], "/reset/[REDACTED]");
    let input = &start["seclog"]["input"]["request"];
    assert_eq!(input["rawPath"], "/reset/[REDACTED]");
    assert_eq!(input["requestContext"]["http"]["path"], "/reset/[REDACTED]");
    assert_eq!(input["routeKey"], "POST /reset/{token}");
    assert!(!run.lines.join("\n").contains(TOKEN));

    // Through lambda_http, for both.
    for event in [v1, v2] {
        let request = lambda_http::request::from_str(&event.to_string()).unwrap();
        let run = capture(|| reset_http(request));
        let records = checked(&run);
        let (start, _) = pair(&records);
        assert_eq!(start["url"]["path"], "/reset/[REDACTED]", "{start}");
        assert_eq!(
            start["seclog"]["input"]["request"]["path"],
            "/reset/[REDACTED]"
        );
        assert!(!run.lines.join("\n").contains(TOKEN));
    }
}
