//! The Lambda examples as real Lambda functions: each runs as its own
//! process against a Lambda Runtime API this test serves on 127.0.0.1, with
//! API Gateway REST (v1), HTTP API (v2) and ALB events carrying real
//! `Authorization` and `Cookie` headers. The records are read from the
//! function's stdout, as CloudWatch Logs would receive them, and the
//! responses from what the runtime posted back.

use seclog_tests::lambda_api::{
    Function, Invocation, Posted, RuntimeApi, ARN, PATIENCE, TRACE_ROOT,
};
use serde_json::{json, Value};

fn fixture(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn records(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("stdout line is not a JSON record ({e}): {l}"))
        })
        .collect()
}

/// The start and end records of one invocation.
fn invocation<'r>(records: &'r [Value], request_id: &str) -> (&'r Value, &'r Value) {
    let mine: Vec<&Value> = records
        .iter()
        .filter(|r| r["faas"]["execution"] == request_id)
        .collect();
    assert_eq!(
        mine.len(),
        2,
        "one start and one end record for {request_id}: {mine:#?}"
    );
    assert_eq!(mine[0]["seclog"]["phase"], "start");
    assert_eq!(mine[1]["seclog"]["phase"], "end");
    for r in &mine {
        assert_eq!(
            r["transaction"]["id"], request_id,
            "the request id is the transaction"
        );
    }
    (mine[0], mine[1])
}

fn with_body(mut event: Value, username: &str, password: &str) -> Value {
    event["body"] = json!(json!({ "username": username, "password": password }).to_string());
    event
}

fn assert_absent(outputs: &[(&str, &str)], secrets: &[&str]) {
    for (name, text) in outputs {
        for secret in secrets {
            assert!(
                !text.contains(secret),
                "{secret:?} appears in {name}:\n{text}"
            );
        }
    }
}

const GOOD_PASSWORD: &str = "correct horse battery staple";

#[test]
fn login_function_behind_api_gateway_and_alb_logs_every_invocation_without_secrets() {
    let v1 = fixture("apigw-v1-login-request.json");
    let v2 = fixture("apigw-v2-login-request.json");
    let alb = fixture("alb-login-request.json");
    let secrets = [
        v1["headers"]["Authorization"].as_str().unwrap().to_string(),
        v1["headers"]["Cookie"].as_str().unwrap().to_string(),
        "v1-fixture-session-cookie-7f3a9c".to_string(),
        v1["headers"]["X-Api-Key"].as_str().unwrap().to_string(),
        v2["headers"]["authorization"].as_str().unwrap().to_string(),
        "v2-fixture-session-cookie-0be41d".to_string(),
        alb["headers"]["authorization"]
            .as_str()
            .unwrap()
            .to_string(),
        "alb-fixture-session-cookie-c95e02".to_string(),
        GOOD_PASSWORD.to_string(),
        "wrong-password-v2".to_string(),
        "wrong-password-alb".to_string(),
    ];
    let ids = [
        "0f6b2e1a-1111-4c3d-9e8f-7a6b5c4d3e21",
        "0f6b2e1a-2222-4c3d-9e8f-7a6b5c4d3e22",
        "0f6b2e1a-3333-4c3d-9e8f-7a6b5c4d3e23",
    ];
    let api = RuntimeApi::serve(vec![
        Invocation::new(ids[0], with_body(v1, "alice", GOOD_PASSWORD)),
        Invocation::new(ids[1], with_body(v2, "alice", "wrong-password-v2")),
        Invocation::new(ids[2], with_body(alb, "mallory", "wrong-password-alb")),
    ]);
    let mut function = Function::start(
        env!("CARGO_BIN_EXE_fixture-lambda-http-login"),
        &api,
        &[
            ("SECLOG_EMF", "true"),
            ("SECLOG_EMF_NAMESPACE", "Shop/Login"),
        ],
    );

    // The runtime answers each invocation in turn.
    let mut responses = Vec::new();
    for id in ids {
        match api.next_posted(&mut function) {
            Posted::Response { request_id, body } => {
                assert_eq!(request_id, id);
                responses.push(body);
            }
            other => panic!("expected a response for {id}, got {other:?}"),
        }
    }
    let (stdout, stderr) = function.finish();
    drop(api);

    // What went back to API Gateway and the load balancer.
    assert_eq!(responses[0]["statusCode"], 200, "{}", responses[0]);
    assert_eq!(responses[1]["statusCode"], 401, "{}", responses[1]);
    assert_eq!(responses[2]["statusCode"], 401, "{}", responses[2]);
    assert_eq!(
        responses[2]["statusDescription"], "401 Unauthorized",
        "an ALB response"
    );
    let set_cookie = responses[0]["multiValueHeaders"]["set-cookie"][0]
        .as_str()
        .or(responses[0]["headers"]["set-cookie"].as_str())
        .unwrap_or_else(|| panic!("the login sets a session cookie: {}", responses[0]));
    let session = set_cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("session=")
        .to_string();
    assert!(session.len() >= 16, "{set_cookie}");

    let records = records(&stdout);
    assert_eq!(
        records.len(),
        6,
        "two records per invocation, nothing else:\n{stdout}"
    );
    seclog_tests::assert_ecs(&records);

    // Every record carries the function and the invocation.
    for r in &records {
        assert_eq!(r["faas"]["id"], ARN, "the ARN without its alias");
        assert_eq!(r["faas"]["name"], "login");
        assert_eq!(r["faas"]["version"], "17");
        assert_eq!(r["faas"]["trigger"]["type"], "http");
        assert_eq!(r["cloud"]["provider"], "aws");
        assert_eq!(r["cloud"]["region"], "eu-west-1");
        assert_eq!(r["trace"]["id"], TRACE_ROOT);
        assert_eq!(r["event"]["action"], "login");
        assert_eq!(r["url"]["path"], "/login");
        assert_eq!(r["http"]["request"]["method"], "POST");
    }

    // Cold start: the first invocation of the process only.
    let coldstarts: Vec<&Value> = ids
        .iter()
        .map(|id| &invocation(&records, id).1["faas"]["coldstart"])
        .collect();
    assert_eq!(coldstarts, [true, false, false]);
    for id in ids {
        let (start, end) = invocation(&records, id);
        assert_eq!(start["faas"]["coldstart"], end["faas"]["coldstart"]);
    }

    // REST API, good credentials: a success, the caller from the request context.
    let (start, end) = invocation(&records, ids[0]);
    assert_eq!(start["source"]["ip"], "198.51.100.23");
    assert_eq!(
        start["user"]["id"], "4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
        "the authorizer's sub"
    );
    assert_eq!(
        start["user_agent"]["original"],
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
    );
    let input = &start["seclog"]["input"]["request"];
    assert_eq!(input["headers"]["authorization"], "[REDACTED]");
    assert_eq!(input["headers"]["cookie"], "[REDACTED]");
    assert_eq!(input["headers"]["x-api-key"], "[REDACTED]");
    assert_eq!(
        input["body"],
        json!({"username": "alice", "password": "[REDACTED]"})
    );
    assert_eq!(end["event"]["outcome"], "success");
    assert_eq!(end["http"]["response"]["status_code"], 200);
    assert_eq!(end["log.level"], "info");
    assert_eq!(
        end["seclog"]["response"]["headers"]["set-cookie"],
        "[REDACTED]"
    );
    assert_eq!(end["seclog"]["response"]["body"], json!({"ok": true}));

    // HTTP API and ALB, wrong passwords: 401s are failures.
    for (id, ip, user) in [
        (
            ids[1],
            "203.0.113.77",
            Some("9b2e7c41-3d5f-4a6b-8c9d-0e1f2a3b4c5d"),
        ),
        (ids[2], "192.0.2.44", None),
    ] {
        let (start, end) = invocation(&records, id);
        assert_eq!(start["source"]["ip"], ip);
        assert_eq!(start["user"]["id"].as_str(), user);
        assert_eq!(
            start["seclog"]["input"]["request"]["headers"]["authorization"],
            "[REDACTED]"
        );
        assert_eq!(
            start["seclog"]["input"]["request"]["body"]["password"],
            "[REDACTED]"
        );
        assert_eq!(end["event"]["outcome"], "failure");
        assert_eq!(end["http"]["response"]["status_code"], 401);
        assert_eq!(end["log.level"], "warn");
    }

    // End records: memory, time left and CloudWatch metrics, in the same line.
    for (i, id) in ids.iter().enumerate() {
        let (start, end) = invocation(&records, id);
        assert!(
            start.get("_aws").is_none(),
            "metrics are on end records only"
        );
        assert_eq!(end["seclog.memory.limit_bytes"], 128 * 1024 * 1024);
        assert!(
            end["seclog.memory.peak_bytes"]
                .as_u64()
                .is_some_and(|b| b > 0),
            "{end}"
        );
        let left = end["seclog.time_left_ms"].as_i64().unwrap();
        assert!(left <= 900_000, "{left}");
        let directive = &end["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], "Shop/Login");
        assert_eq!(end["seclog.metrics.service"], "login");
        assert_eq!(end["seclog.metrics.action"], "login");
        assert_eq!(end["seclog.metrics.failure"], u64::from(i > 0));
        assert_eq!(end["seclog.metrics.auth_failure"], u64::from(i > 0));
        assert_eq!(end["seclog.metrics.coldstart"], u64::from(i == 0));
        assert_eq!(end["seclog.metrics.budget_exceeded"], 0);
    }

    // No credential reached the logs, nor went back in a response; the
    // session cookie went back to the client only.
    let posted = responses
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    let secret_refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
    assert_absent(
        &[
            ("stdout", &stdout),
            ("stderr", &stderr),
            ("the responses", &posted),
        ],
        &secret_refs,
    );
    assert_absent(&[("stdout", &stdout), ("stderr", &stderr)], &[&session]);
}

#[test]
fn basic_function_logs_the_payload_and_the_invocation_context() {
    let ids = [
        "7a1c0de5-aaaa-4f00-8b00-000000000001",
        "7a1c0de5-bbbb-4f00-8b00-000000000002",
        "7a1c0de5-cccc-4f00-8b00-000000000003",
    ];
    let api = RuntimeApi::serve(vec![
        Invocation::new(ids[0], json!({"order": 42, "api_key": "k-live-e2e-5f2a"})),
        Invocation::new(
            ids[1],
            json!({"Records": [{"eventSource": "aws:sqs", "body": "{}"}], "order": 7}),
        ),
        Invocation::new(
            ids[2],
            json!({"customer": "c-9", "password": "basic-e2e-password"}),
        ),
    ]);
    let mut function = Function::start(env!("CARGO_BIN_EXE_fixture-lambda-basic"), &api, &[]);
    let mut posted = Vec::new();
    for _ in ids {
        posted.push(api.next_posted(&mut function));
    }
    let (stdout, stderr) = function.finish();
    drop(api);

    match &posted[0] {
        Posted::Response { request_id, body } => {
            assert_eq!(
                (request_id.as_str(), body),
                (ids[0], &json!({"accepted": 42}))
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(&posted[1], Posted::Response { request_id, .. } if request_id == ids[1]),
        "{:?}",
        posted[1]
    );
    match &posted[2] {
        Posted::Error { request_id, body } => {
            assert_eq!(request_id, ids[2]);
            assert_eq!(body["errorMessage"], "the event has no order", "{body}");
        }
        other => panic!("the third event has no order: {other:?}"),
    }

    let records = records(&stdout);
    assert_eq!(records.len(), 6, "{stdout}");
    seclog_tests::assert_ecs(&records);
    let (start, end) = invocation(&records, ids[0]);
    assert_eq!(
        start["seclog"]["input"]["event"],
        json!({"order": 42, "api_key": "[REDACTED]"})
    );
    assert!(start["seclog"]["input"].get("context").is_none());
    assert_eq!(start["faas"]["trigger"]["type"], "other");
    assert_eq!(start["faas"]["coldstart"], true);
    assert_eq!(end["seclog"]["response"], json!({"accepted": 42}));
    assert_eq!(end["event"]["outcome"], "success");
    assert!(end.get("_aws").is_none(), "no metrics without SECLOG_EMF");

    let (start, end) = invocation(&records, ids[1]);
    assert_eq!(
        start["faas"]["trigger"]["type"], "pubsub",
        "an SQS-shaped event"
    );
    assert_eq!(end["faas"]["coldstart"], false);

    let (start, end) = invocation(&records, ids[2]);
    assert_eq!(start["seclog"]["input"]["event"]["password"], "[REDACTED]");
    assert_eq!(end["event"]["outcome"], "failure");
    assert_eq!(end["error"]["message"], "the event has no order");
    assert_eq!(end["log.level"], "warn");
    assert_eq!(end["faas"]["coldstart"], false);

    assert_absent(
        &[("stdout", &stdout), ("stderr", &stderr)],
        &["k-live-e2e-5f2a", "basic-e2e-password"],
    );
}

#[test]
fn a_bad_emf_namespace_stops_the_function_at_start_naming_it() {
    // `seclog::init()` checks every SECLOG_ variable: a namespace CloudWatch
    // would refuse ends the function before it asks for an event.
    let api = RuntimeApi::serve(Vec::new());
    let mut function = Function::start(
        env!("CARGO_BIN_EXE_fixture-lambda-basic"),
        &api,
        &[
            ("SECLOG_EMF", "true"),
            ("SECLOG_EMF_NAMESPACE", "AWS/Lambda"),
        ],
    );
    let status = function.exited_within(PATIENCE);
    let (stdout, stderr) = function.finish();
    drop(api);
    assert!(status.is_some_and(|s| !s.success()), "{status:?}\n{stderr}");
    // `main` returned the error, which Rust prints with `Debug`.
    assert!(
        stderr.contains(r#"var: "SECLOG_EMF_NAMESPACE", value: "AWS/Lambda""#)
            && stderr.contains("not starting with `AWS/`"),
        "{stderr}"
    );
    assert!(records(&stdout).is_empty(), "{stdout}");
}

#[test]
fn a_typed_payload_is_logged_through_serde_with_its_card_number_redacted() {
    const CARD: &str = "4111111111111111";
    let ids = [
        "5e1d0a7c-1111-4a2b-9c3d-4e5f6a7b8c01",
        "5e1d0a7c-2222-4a2b-9c3d-4e5f6a7b8c02",
    ];
    let api = RuntimeApi::serve(vec![
        Invocation::new(
            ids[0],
            json!({"order_id": 1001, "customer": "c-77", "card_number": CARD, "amount_cents": 2599}),
        ),
        Invocation::new(
            ids[1],
            json!({"order_id": 1002, "customer": "c-78", "card_number": CARD, "amount_cents": 0}),
        ),
    ]);
    let mut function = Function::start(env!("CARGO_BIN_EXE_fixture-lambda-order"), &api, &[]);
    let posted: Vec<Posted> = ids.iter().map(|_| api.next_posted(&mut function)).collect();
    let (stdout, stderr) = function.finish();
    drop(api);

    match &posted[0] {
        Posted::Response { request_id, body } => {
            assert_eq!(request_id, ids[0]);
            assert_eq!(body, &json!({"order_id": 1001, "charged_cents": 2599}));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(&posted[1], Posted::Error { request_id, .. } if request_id == ids[1]),
        "{:?}",
        posted[1]
    );

    let records = records(&stdout);
    assert_eq!(records.len(), 4, "{stdout}");
    seclog_tests::assert_ecs(&records);
    let (start, end) = invocation(&records, ids[0]);
    assert_eq!(
        start["seclog"]["input"]["event"],
        json!({"order_id": 1001, "customer": "c-77", "card_number": "[REDACTED]", "amount_cents": 2599})
    );
    assert_eq!(start["faas"]["trigger"]["type"], "other");
    assert_eq!(end["event"]["outcome"], "success");
    assert_eq!(
        end["seclog"]["response"],
        json!({"order_id": 1001, "charged_cents": 2599})
    );
    let (start, end) = invocation(&records, ids[1]);
    assert_eq!(
        start["seclog"]["input"]["event"]["card_number"],
        "[REDACTED]"
    );
    assert_eq!(end["event"]["outcome"], "failure");
    assert_eq!(end["error"]["message"], "order 1002 has nothing to charge");

    assert_absent(&[("stdout", &stdout), ("stderr", &stderr)], &[CARD]);
}

#[test]
fn the_axum_example_runs_unchanged_on_lambda_with_the_layer_and_the_handler_in_each_invocation() {
    let v2 = fixture("apigw-v2-login-request.json");
    let alb = fixture("alb-login-request.json");
    let secrets = [
        v2["headers"]["authorization"].as_str().unwrap().to_string(),
        "v2-fixture-session-cookie-0be41d".to_string(),
        "v2-fixture-query-token-88c1".to_string(),
        alb["headers"]["authorization"]
            .as_str()
            .unwrap()
            .to_string(),
        "alb-fixture-session-cookie-c95e02".to_string(),
        GOOD_PASSWORD.to_string(),
        "wrong-password-alb".to_string(),
    ];
    let ids = [
        "a8c0e1d2-1111-4b5c-8d9e-0f1a2b3c4d51",
        "a8c0e1d2-2222-4b5c-8d9e-0f1a2b3c4d52",
    ];
    let api = RuntimeApi::serve(vec![
        Invocation::new(ids[0], with_body(v2, "alice", GOOD_PASSWORD)),
        Invocation::new(ids[1], with_body(alb, "mallory", "wrong-password-alb")),
    ]);
    let mut function = Function::start(env!("CARGO_BIN_EXE_fixture-axum-login"), &api, &[]);
    let mut responses = Vec::new();
    for id in ids {
        match api.next_posted(&mut function) {
            Posted::Response { request_id, body } => {
                assert_eq!(request_id, id);
                responses.push(body);
            }
            other => panic!("expected a response for {id}, got {other:?}"),
        }
    }
    let (stdout, stderr) = function.finish();
    drop(api);
    assert_eq!(responses[0]["statusCode"], 200, "{}", responses[0]);
    assert_eq!(responses[1]["statusCode"], 401, "{}", responses[1]);
    let token = serde_json::from_str::<Value>(responses[0]["body"].as_str().unwrap()).unwrap()
        ["token"]
        .as_str()
        .unwrap()
        .to_string();

    let records = records(&stdout);
    assert_eq!(records.len(), 8, "two pairs per invocation:\n{stdout}");
    seclog_tests::assert_ecs(&records);
    for (id, ip) in [(ids[0], "203.0.113.77"), (ids[1], "192.0.2.44")] {
        let mine: Vec<&Value> = records
            .iter()
            .filter(|r| r["faas"]["execution"] == id)
            .collect();
        let [layer_start, start, end, layer_end] = mine[..] else {
            panic!("the layer's pair around the handler's for {id}: {mine:#?}")
        };
        for r in &mine {
            assert_eq!(
                r["transaction"]["id"], id,
                "the request id is the transaction"
            );
            assert_eq!(r["faas"]["id"], ARN);
            assert_eq!(r["faas"]["trigger"]["type"], "http");
            assert_eq!(r["source"]["ip"], ip);
            assert_eq!(r["url"]["path"], "/login");
            assert_eq!(r["http"]["request"]["method"], "POST");
        }
        assert_eq!(layer_start["event"]["action"], "POST /login");
        assert_eq!(layer_end["event"]["action"], "POST /login");
        assert_eq!(start["event"]["action"], "login");
        assert_eq!(end["event"]["action"], "login");
        let headers = &layer_start["seclog"]["input"]["request"]["headers"];
        assert_eq!(headers["authorization"], "[REDACTED]");
        assert_eq!(start["seclog"]["input"]["creds"]["password"], "[REDACTED]");
    }
    let mine = |id: &str| -> Vec<&Value> {
        records
            .iter()
            .filter(|r| r["faas"]["execution"] == id)
            .collect()
    };
    let good = mine(ids[0]);
    assert_eq!(
        good[0]["user"]["id"], "9b2e7c41-3d5f-4a6b-8c9d-0e1f2a3b4c5d",
        "the JWT's sub"
    );
    assert_eq!(
        good[2]["user"]["id"], good[0]["user"]["id"],
        "the handler has the caller's user"
    );
    assert_eq!(good[2]["seclog"]["owasp"], "authn_login_success:alice");
    assert_eq!(good[2]["seclog"]["response"]["token"], "[REDACTED]");
    assert_eq!(good[3]["http"]["response"]["status_code"], 200);
    let bad = mine(ids[1]);
    assert_eq!(bad[2]["seclog"]["owasp"], "authn_login_fail:mallory");
    assert_eq!(bad[2]["http"]["response"]["status_code"], 401);
    assert_eq!(bad[3]["http"]["response"]["status_code"], 401);
    assert_eq!(bad[3]["event"]["outcome"], "failure");

    let secret_refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
    assert_absent(&[("stdout", &stdout), ("stderr", &stderr)], &secret_refs);
    assert_absent(&[("stdout", &stdout), ("stderr", &stderr)], &[&token]);
}
