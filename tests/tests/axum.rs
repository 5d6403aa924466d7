//! axum end to end: real routers served on 127.0.0.1 (port 0), called by a
//! real HTTP client (hyper's), with the records they write. Handlers take
//! extractors as axum users write them; `AuditLayer` records every request
//! of a router; the two together share one transaction per request.
//!
//! Server, client and handlers run on one current-thread runtime inside
//! `seclog::testing::capture`, so every record of the exchange is captured.

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, Request, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use seclog::integrations::axum::AuditLayer;
use seclog::monitor::Monitor;
use seclog_tests::assert_ecs;
use serde_json::{json, Value};
use std::future::Future;
use std::net::SocketAddr;

const PASSWORD: &str = "correct horse battery staple";
const WRONG_PASSWORD: &str = "Tr0ub4dor&3-wrong";
const BEARER: &str = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
const SESSION: &str = "5f0c1e9a7b2d4c3e8a6b";

/// The application's state: never logged, whatever it holds.
#[derive(Clone)]
struct App {
    signing_key: &'static str,
}

#[derive(serde::Deserialize, seclog::Redact, seclog::AuthEvent)]
#[auth(login)]
struct Creds {
    #[auth(user)]
    username: String,
    #[redact]
    password: String,
}

// The handler as an axum user writes it, unchanged but for the attribute.
#[seclog::audit]
async fn login(
    State(app): State<App>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(body): Json<Creds>,
) -> StatusCode {
    let _ = (app.signing_key, addr, headers.len(), &body.username);
    if body.password == PASSWORD {
        StatusCode::OK
    } else {
        StatusCode::UNAUTHORIZED
    }
}

/// The same login with no extractor for the peer or the headers.
#[seclog::audit]
async fn login_body_only(Json(body): Json<Creds>) -> StatusCode {
    if body.password == PASSWORD {
        StatusCode::OK
    } else {
        StatusCode::UNAUTHORIZED
    }
}

/// Serves `app` on 127.0.0.1 with the peer's address known, runs `client`
/// against it, and returns what `client` returned with every record of
/// the exchange (with a detector of its own, so tests do not count each
/// other's failures).
fn serve<R, F>(app: Router, client: impl FnOnce(SocketAddr) -> F) -> (R, Vec<Value>, String)
where
    F: Future<Output = R>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let run = Monitor::new(Default::default()).unwrap().scope(|| {
        seclog::testing::capture(|| {
            runtime.block_on(async {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                let server = axum::serve(
                    listener,
                    app.into_make_service_with_connect_info::<SocketAddr>(),
                );
                tokio::spawn(async move { server.await.unwrap() });
                client(addr).await
            })
        })
    });
    let records = run.records();
    assert_ecs(&records);
    let text = run.lines.join("\n");
    (run.output, records, text)
}

/// One request with a client's usual headers, an `Authorization` and a
/// session cookie; the response's status and body.
async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, String) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut request = Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"))
        .header("user-agent", "curl/8.5.0")
        .header("authorization", BEARER)
        .header("cookie", format!("session={SESSION}; theme=dark"));
    let body = match body {
        Some(json) => {
            request = request.header("content-type", "application/json");
            Full::new(Bytes::from(json.to_string()))
        }
        None => Full::new(Bytes::new()),
    };
    let response = client.request(request.body(body).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// The records of `action`, in order.
fn of_action<'r>(records: &'r [Value], action: &str) -> Vec<&'r Value> {
    records
        .iter()
        .filter(|r| r["event"]["action"] == action)
        .collect()
}

fn phase<'r>(records: &'r [Value], action: &str, phase: &str) -> &'r Value {
    let found: Vec<&Value> = records
        .iter()
        .filter(|r| r["event"]["action"] == action && r["seclog"]["phase"] == phase)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one {phase} record of {action}: {records:#?}"
    );
    found[0]
}

fn assert_no_secret(text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(
            !text.contains(secret),
            "{secret:?} reached the records:\n{text}"
        );
    }
}

#[test]
fn a_bad_login_through_axum_is_a_401_failure_from_the_peer_with_the_owasp_event_and_no_secret() {
    let app = Router::new().route("/login", post(login)).with_state(App {
        signing_key: "app-signing-key-4c1d",
    });
    let ((bad, good), records, text) = serve(app, |addr| async move {
        let bad = send(
            addr,
            "POST",
            "/login",
            Some(json!({"username": "alice", "password": WRONG_PASSWORD})),
        )
        .await;
        let good = send(
            addr,
            "POST",
            "/login",
            Some(json!({"username": "alice", "password": PASSWORD})),
        )
        .await;
        (bad, good)
    });
    assert_eq!(
        bad.0,
        StatusCode::UNAUTHORIZED,
        "the handler's result is unchanged"
    );
    assert_eq!(good.0, StatusCode::OK);
    assert_eq!(
        records.len(),
        4,
        "a start and an end per request: {records:#?}"
    );

    let [start, end, _, good_end] = &records[..] else {
        unreachable!()
    };
    assert_eq!(start["seclog"]["phase"], "start");
    assert_eq!(start["event"]["action"], "login");
    assert_eq!(start["event"]["category"], json!(["authentication"]));
    assert_eq!(start["source"]["ip"], "127.0.0.1", "from ConnectInfo(addr)");
    assert_eq!(
        start["user_agent"]["original"], "curl/8.5.0",
        "from the HeaderMap"
    );
    assert_eq!(start["user"]["name"], "alice");
    let input = &start["seclog"]["input"];
    assert!(input.get("app").is_none(), "State is never logged: {input}");
    assert_eq!(
        input["body"],
        json!({"username": "alice", "password": "[REDACTED]"})
    );
    assert_eq!(input["headers"]["authorization"], "[REDACTED]");
    assert_eq!(input["headers"]["cookie"], "[REDACTED]");
    assert_eq!(input["headers"]["user-agent"], "curl/8.5.0");
    assert_eq!(
        input["addr"].as_str().map(|a| a.starts_with("127.0.0.1:")),
        Some(true)
    );

    assert_eq!(end["seclog"]["phase"], "end");
    assert_eq!(end["http"]["response"]["status_code"], 401);
    assert_eq!(end["event"]["outcome"], "failure");
    assert_eq!(end["log.level"], "warn");
    assert_eq!(end["source"]["ip"], "127.0.0.1");
    assert_eq!(end["seclog"]["owasp"], "authn_login_fail:alice");
    assert_eq!(end["seclog"]["response"], 401);
    assert_eq!(end["transaction"]["id"], start["transaction"]["id"]);

    assert_eq!(good_end["http"]["response"]["status_code"], 200);
    assert_eq!(good_end["event"]["outcome"], "success");
    assert_eq!(
        good_end["seclog"]["owasp"],
        "authn_login_successafterfail:alice,1"
    );

    assert_no_secret(
        &text,
        &[
            WRONG_PASSWORD,
            PASSWORD,
            BEARER,
            "eyJhbGci",
            SESSION,
            "app-signing-key",
        ],
    );
}

#[test]
fn a_router_under_audit_layer_records_every_request_with_its_route_status_and_peer() {
    let app = Router::new()
        .route("/health", get(|| async { "ok" }))
        .route(
            "/invoices/{id}",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "the ledger is down") }),
        )
        .layer(AuditLayer::new());
    let (responses, records, text) = serve(app, |addr| async move {
        vec![
            send(addr, "GET", "/health", None).await,
            send(
                addr,
                "GET",
                "/invoices/42?token=s3cr3t-query-token&page=2",
                None,
            )
            .await,
            send(addr, "GET", "/nowhere", None).await,
        ]
    });
    assert_eq!(responses[0], (StatusCode::OK, "ok".to_string()));
    assert_eq!(responses[1].0, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(responses[2].0, StatusCode::NOT_FOUND);
    assert_eq!(
        records.len(),
        6,
        "one start and one end per request: {records:#?}"
    );

    for r in &records {
        assert_eq!(r["event"]["category"], json!(["web"]));
        assert_eq!(r["http"]["request"]["method"], "GET");
        assert_eq!(r["source"]["ip"], "127.0.0.1");
        assert_eq!(r["user_agent"]["original"], "curl/8.5.0");
    }

    let start = phase(&records, "GET /health", "start");
    let end = phase(&records, "GET /health", "end");
    assert_eq!(start["url"]["path"], "/health");
    let request = &start["seclog"]["input"]["request"];
    assert_eq!(request["method"], "GET");
    assert_eq!(request["path"], "/health");
    assert_eq!(request["headers"]["authorization"], "[REDACTED]");
    assert_eq!(request["headers"]["cookie"], "[REDACTED]");
    assert_eq!(end["http"]["response"]["status_code"], 200);
    assert_eq!(end["event"]["outcome"], "success");
    assert_eq!(end["log.level"], "info");
    assert!(end["event"]["duration"].as_u64().is_some(), "{end}");
    assert_eq!(end["seclog"]["response"]["status"], 200);
    assert_eq!(
        end["seclog"]["response"]["headers"]["content-type"],
        "text/plain; charset=utf-8"
    );
    assert_eq!(end["transaction"]["id"], start["transaction"]["id"]);

    let start = phase(&records, "GET /invoices/{id}", "start");
    let end = phase(&records, "GET /invoices/{id}", "end");
    assert_eq!(start["url"]["path"], "/invoices/42");
    assert_eq!(
        start["seclog"]["input"]["request"]["query"],
        json!({"page": "2", "token": "[REDACTED]"})
    );
    assert_eq!(end["http"]["response"]["status_code"], 500);
    assert_eq!(end["event"]["outcome"], "failure");
    assert_eq!(end["log.level"], "warn");

    let end = phase(&records, "GET (unmatched)", "end");
    assert_eq!(end["url"]["path"], "/nowhere");
    assert_eq!(end["http"]["response"]["status_code"], 404);
    assert_eq!(end["event"]["outcome"], "failure");

    let transactions: std::collections::HashSet<String> = records
        .iter()
        .map(|r| r["transaction"]["id"].to_string())
        .collect();
    assert_eq!(transactions.len(), 3, "one transaction per request");
    assert_no_secret(&text, &[BEARER, SESSION, "s3cr3t-query-token"]);
}

#[test]
fn an_audited_handler_under_the_layer_nests_in_the_requests_transaction_and_has_its_peer() {
    let app = Router::new()
        .route("/login", post(login_body_only))
        .layer(AuditLayer::new());
    let (response, records, text) = serve(app, |addr| async move {
        send(
            addr,
            "POST",
            "/login",
            Some(json!({"username": "mallory", "password": WRONG_PASSWORD})),
        )
        .await
    });
    assert_eq!(response.0, StatusCode::UNAUTHORIZED);
    let [layer_start, start, end, layer_end] = &records[..] else {
        panic!("the layer's pair around the handler's: {records:#?}")
    };
    assert_eq!(layer_start["event"]["action"], "POST /login");
    assert_eq!(layer_start["seclog"]["phase"], "start");
    assert_eq!(start["event"]["action"], "login_body_only");
    assert_eq!(start["seclog"]["phase"], "start");
    assert_eq!(end["event"]["action"], "login_body_only");
    assert_eq!(layer_end["event"]["action"], "POST /login");
    assert_eq!(layer_end["seclog"]["phase"], "end");
    for r in &records {
        assert_eq!(r["transaction"]["id"], layer_start["transaction"]["id"]);
        assert_eq!(
            r["source"]["ip"], "127.0.0.1",
            "the handler takes it from the layer"
        );
        assert_eq!(r["user_agent"]["original"], "curl/8.5.0");
        assert_eq!(r["url"]["path"], "/login");
    }
    assert_eq!(start["seclog"]["input"]["body"]["password"], "[REDACTED]");
    assert_eq!(end["seclog"]["owasp"], "authn_login_fail:mallory");
    assert_eq!(end["http"]["response"]["status_code"], 401);
    assert!(
        layer_end["seclog"].get("owasp").is_none(),
        "the event is the handler's, once"
    );
    assert_eq!(layer_end["http"]["response"]["status_code"], 401);
    assert_eq!(layer_end["event"]["outcome"], "failure");
    assert_no_secret(&text, &[WRONG_PASSWORD, BEARER, SESSION]);
}

#[test]
fn a_handler_that_panics_under_the_layer_is_recorded_and_the_connection_fails() {
    async fn broken() -> &'static str {
        panic!("the ledger is corrupt")
    }
    let app = Router::new()
        .route("/broken", get(broken))
        .layer(AuditLayer::new());
    let (failed, records, _) = serve(app, |addr| async move {
        let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
        let request = Request::get(format!("http://{addr}/broken"))
            .body(Full::new(Bytes::new()))
            .unwrap();
        client.request(request).await.is_err()
    });
    assert!(failed, "hyper closes the connection of a panicked request");
    let end = phase(&records, "GET /broken", "end");
    assert_eq!(end["event"]["outcome"], "failure");
    assert_eq!(end["error"]["type"], "panic");
    assert_eq!(end["error"]["message"], "the ledger is corrupt");
    assert_eq!(end["log.level"], "error");
}

#[test]
fn a_request_whose_body_the_handler_rejects_is_still_recorded_by_the_layer() {
    let app = Router::new()
        .route("/login", post(login_body_only))
        .layer(AuditLayer::new());
    let (response, records, _) = serve(app, |addr| async move {
        send(addr, "POST", "/login", Some(json!({"username": 7}))).await
    });
    assert_eq!(response.0, StatusCode::UNPROCESSABLE_ENTITY);
    // The extractor refused the body: the handler never ran.
    assert_eq!(records.len(), 2, "{records:#?}");
    let end = phase(&records, "POST /login", "end");
    assert_eq!(end["http"]["response"]["status_code"], 422);
    assert_eq!(end["event"]["outcome"], "failure");
}

#[test]
fn the_layer_wraps_any_tower_http_service_and_calls_it_unchanged() {
    use tower::{Layer, Service};
    let mut service =
        AuditLayer::new().layer(tower::service_fn(|request: Request<Body>| async move {
            let status = if request.uri().path() == "/" {
                204
            } else {
                418
            };
            Ok::<_, std::convert::Infallible>(
                axum::http::Response::builder()
                    .status(status)
                    .header("set-cookie", format!("session={SESSION}"))
                    .body(Body::empty())
                    .unwrap(),
            )
        }));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let request = Request::get("/teapot").body(Body::empty()).unwrap();
    // The start record is written when the service is called, before the
    // future is polled.
    let run = seclog::testing::capture(|| runtime.block_on(service.call(request)));
    assert_eq!(run.output.as_ref().unwrap().status(), 418);
    let records = run.records();
    assert_ecs(&records);
    let end = phase(&records, "GET (unmatched)", "end");
    assert_eq!(end["http"]["response"]["status_code"], 418);
    assert_eq!(
        end["seclog"]["response"]["headers"]["set-cookie"],
        "[REDACTED]"
    );
    assert!(
        records[0].get("source").is_none(),
        "no peer known: {}",
        records[0]
    );
    assert_no_secret(&run.lines.join("\n"), &[SESSION]);
}

/// A password reset's token, in the path.
#[seclog::audit]
async fn reset(
    axum::extract::Path((user_id, token)): axum::extract::Path<(u32, String)>,
) -> StatusCode {
    if token.len() > 8 && user_id > 0 {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

#[test]
fn a_routes_sensitive_parameter_is_redacted_in_the_path_and_the_route_kept() {
    const TOKEN: &str = "Rk9v3QzT1xWm8pLs";
    let app = Router::new()
        .route("/users/{user_id}/reset/{token}", post(reset))
        .route(
            "/invites/{invite_token}/accept",
            get(|| async { "welcome" }),
        )
        .layer(AuditLayer::new());
    let (statuses, records, _) = serve(app, |addr| async move {
        let reset = send(addr, "POST", &format!("/users/42/reset/{TOKEN}"), None).await;
        let invite = send(
            addr,
            "GET",
            &format!("/invites/{TOKEN}/accept?ref=mail"),
            None,
        )
        .await;
        (reset.0, invite.0)
    });
    assert_eq!(statuses, (StatusCode::NO_CONTENT, StatusCode::OK));
    let action = "POST /users/{user_id}/reset/{token}";
    for record in [
        phase(&records, action, "start"),
        phase(&records, action, "end"),
    ] {
        assert_eq!(record["url"]["path"], "/users/42/reset/[REDACTED]");
    }
    assert_eq!(
        phase(&records, action, "start")["seclog"]["input"]["request"]["path"],
        "/users/42/reset/[REDACTED]"
    );
    // The handler's own records: its arguments by their names, the path
    // as the layer has it.
    let handler = of_action(&records, "reset");
    assert_eq!(handler.len(), 2, "{records:#?}");
    assert_eq!(handler[0]["seclog"]["input"]["user_id"], 42);
    assert_eq!(handler[0]["seclog"]["input"]["token"], "[REDACTED]");
    assert_eq!(handler[0]["url"]["path"], "/users/42/reset/[REDACTED]");
    let start = phase(&records, "GET /invites/{invite_token}/accept", "start");
    assert_eq!(start["url"]["path"], "/invites/[REDACTED]/accept");
    assert_eq!(
        start["seclog"]["input"]["request"]["query"],
        json!({"ref": "mail"})
    );
    let all = records.iter().map(Value::to_string).collect::<String>();
    assert!(!all.contains(TOKEN), "{all}");
}

#[test]
fn under_a_nested_routers_layer_the_path_without_its_prefix_is_redacted_too() {
    const TOKEN: &str = "Zq8w2XvT5nLp3Ks7";
    // The layer is the nested router's: the path it sees has lost `/api`,
    // the route it matched has not.
    let api = Router::new()
        .route("/reset/{token}", post(|| async { StatusCode::NO_CONTENT }))
        .layer(AuditLayer::new());
    let app = Router::new().nest("/api", api);
    let (status, records, _) = serve(app, |addr| async move {
        send(addr, "POST", &format!("/api/reset/{TOKEN}"), None)
            .await
            .0
    });
    assert_eq!(status, StatusCode::NO_CONTENT);
    let start = phase(&records, "POST /api/reset/{token}", "start");
    assert_eq!(start["url"]["path"], "/reset/[REDACTED]");
    assert_eq!(
        start["seclog"]["input"]["request"]["path"],
        "/reset/[REDACTED]"
    );
    let all = records.iter().map(Value::to_string).collect::<String>();
    assert!(!all.contains(TOKEN), "{all}");
}

/// A reset that also takes the URI: it knows no route.
#[seclog::audit]
async fn reset_with_uri(
    uri: axum::http::Uri,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> StatusCode {
    if uri.path().ends_with(&token) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

#[test]
fn a_handler_taking_the_uri_under_the_layer_keeps_the_layers_redacted_path() {
    const TOKEN: &str = "Mq4v8ZtR2xWn6pLk";
    let app = Router::new()
        .route("/reset/{token}", post(reset_with_uri))
        .layer(AuditLayer::new());
    let (status, records, _) = serve(app, |addr| async move {
        send(addr, "POST", &format!("/reset/{TOKEN}"), None).await.0
    });
    assert_eq!(status, StatusCode::NO_CONTENT);
    let handler = of_action(&records, "reset_with_uri");
    assert_eq!(handler.len(), 2, "{records:#?}");
    for record in &handler {
        assert_eq!(record["url"]["path"], "/reset/[REDACTED]", "{record}");
    }
    assert_eq!(handler[0]["seclog"]["input"]["token"], "[REDACTED]");
    assert_eq!(
        handler[0]["seclog"]["input"]["uri"]["path"],
        "/reset/[REDACTED]"
    );
    let all = records.iter().map(Value::to_string).collect::<String>();
    assert!(!all.contains(TOKEN), "{all}");
}
