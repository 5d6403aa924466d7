//! What an audited axum handler logs of each extractor it takes and each
//! response it returns: handlers called directly, as axum would call them
//! after extraction, and their records read back.

use axum::extract::{ConnectInfo, Extension, Form, MatchedPath, Path, Query, Request, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{Html, IntoResponse, NoContent, Redirect, Response};
use axum::Json;
use seclog::context::{Context, Describe};
use seclog::testing::{capture, Captured};
use seclog_tests::assert_ecs;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;

/// Runs an async handler to completion, capturing its records.
fn run<F: Future>(handler: F) -> Captured<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    capture(|| runtime.block_on(handler))
}

fn start_and_end<T>(run: &Captured<T>) -> (Value, Value) {
    let records = run.records();
    assert_ecs(&records);
    let [start, end] = &records[..] else {
        panic!("a start and an end record: {records:#?}")
    };
    (start.clone(), end.clone())
}

/// Only `Serialize`: seclog logs it through serde and the sensitive-key
/// policy.
#[derive(serde::Serialize, serde::Deserialize, Clone)]
struct Order {
    item: String,
    quantity: u32,
    card_number: String,
}

fn order() -> Order {
    Order {
        item: "pen".into(),
        quantity: 3,
        card_number: "4111111111111111".into(),
    }
}

/// `Redact` decides: `note` is redacted though its name is harmless.
#[derive(serde::Deserialize, seclog::Redact)]
struct Note {
    #[redact]
    note: String,
    id: u32,
}

#[test]
fn json_form_query_and_path_are_logged_as_the_value_they_carry_destructured_or_not() {
    #[seclog::audit]
    async fn create(
        Path(shop): Path<u32>,
        query: Query<HashMap<String, String>>,
        Json(order): Json<Order>,
        form: Form<Order>,
        note: Json<Note>,
    ) -> u32 {
        let _ = &note.note;
        shop + order.quantity + form.quantity + query.len() as u32 + note.id
    }
    let query = HashMap::from([
        ("page".to_string(), "2".to_string()),
        ("api_key".to_string(), "k-live-query".to_string()),
    ]);
    let note = Note {
        note: "leave at the back door".into(),
        id: 1,
    };
    let run = run(create(
        Path(9),
        Query(query),
        Json(order()),
        Form(order()),
        Json(note),
    ));
    assert_eq!(run.output, 9 + 3 + 3 + 2 + 1);
    let (start, _) = start_and_end(&run);
    let input = &start["seclog"]["input"];
    assert_eq!(input["shop"], 9);
    assert_eq!(
        input["query"],
        json!({"page": "2", "api_key": "[REDACTED]"})
    );
    let logged_order = json!({"item": "pen", "quantity": 3, "card_number": "[REDACTED]"});
    assert_eq!(input["order"], logged_order, "destructured: the binding");
    assert_eq!(input["form"], logged_order, "whole: the value inside");
    assert_eq!(
        input["note"],
        json!({"note": "[REDACTED]", "id": 1}),
        "its Redact, not serde"
    );
    assert!(!run.lines.iter().any(|l| l.contains("4111111111111111")
        || l.contains("k-live-query")
        || l.contains("back door")));
}

#[test]
fn state_and_extension_are_never_logged_and_may_describe_the_request() {
    #[derive(Clone)]
    struct App {
        db_password: String,
    }
    #[derive(Clone)]
    struct CurrentUser(String);
    impl Describe for CurrentUser {
        fn describe(&self, cx: &mut Context) {
            cx.set_user_id(&self.0);
        }
    }
    #[seclog::audit]
    async fn invoices(
        State(app): State<App>,
        state: State<App>,
        Extension(user): Extension<CurrentUser>,
        ext: Extension<CurrentUser>,
    ) -> usize {
        app.db_password.len() + state.db_password.len() + user.0.len() + ext.0 .0.len()
    }
    let app = App {
        db_password: "pg-password-77".into(),
    };
    let user = CurrentUser("u-42".into());
    let run = run(invoices(
        State(app.clone()),
        State(app),
        Extension(user.clone()),
        Extension(user),
    ));
    let (start, end) = start_and_end(&run);
    assert_eq!(
        start["seclog"]["input"],
        json!({}),
        "nothing of the state or extensions"
    );
    assert_eq!(start["user"]["id"], "u-42");
    assert_eq!(end["user"]["id"], "u-42");
    assert!(!run.lines.iter().any(|l| l.contains("pg-password-77")));
}

#[test]
fn connect_info_headers_method_and_uri_give_the_four_ws() {
    #[seclog::audit]
    async fn whoami(
        info: ConnectInfo<SocketAddr>,
        method: Method,
        uri: Uri,
        headers: HeaderMap,
    ) -> usize {
        let _ = (info, method, uri);
        headers.len()
    }
    let mut headers = HeaderMap::new();
    headers.insert("user-agent", "Mozilla/5.0 (X11)".parse().unwrap());
    headers.insert("x-api-key", "k-live-header".parse().unwrap());
    headers.insert("cookie", "session=abc123def".parse().unwrap());
    let uri: Uri = "/me?token=t-123&view=full".parse().unwrap();
    let peer: SocketAddr = "203.0.113.9:50000".parse().unwrap();
    let run = run(whoami(ConnectInfo(peer), Method::PATCH, uri, headers));
    let (start, end) = start_and_end(&run);
    for r in [&start, &end] {
        assert_eq!(r["source"]["ip"], "203.0.113.9");
        assert_eq!(r["user_agent"]["original"], "Mozilla/5.0 (X11)");
        assert_eq!(r["http"]["request"]["method"], "PATCH");
        assert_eq!(r["url"]["path"], "/me");
    }
    let input = &start["seclog"]["input"];
    assert_eq!(input["info"], "203.0.113.9:50000");
    assert_eq!(input["method"], "PATCH");
    assert_eq!(
        input["uri"],
        json!({"path": "/me", "query": {"token": "[REDACTED]", "view": "full"}})
    );
    assert_eq!(input["headers"]["x-api-key"], "[REDACTED]");
    assert_eq!(input["headers"]["cookie"], "[REDACTED]");
    assert!(!run
        .lines
        .iter()
        .any(|l| l.contains("k-live-header") || l.contains("abc123def") || l.contains("t-123")));
}

#[test]
fn a_whole_request_is_described_and_logged_without_its_body() {
    #[seclog::audit]
    async fn raw(request: Request) -> StatusCode {
        let _ = request;
        StatusCode::ACCEPTED
    }
    let mut request = Request::post("/upload?signature=abc")
        .header("authorization", "Basic YWxpY2U6aHVudGVyMg==")
        .header("user-agent", "uploader/1.0")
        .body(axum::body::Body::from("the body is a stream"))
        .unwrap();
    request.extensions_mut().insert(ConnectInfo(
        "198.51.100.7:443".parse::<SocketAddr>().unwrap(),
    ));
    let run = run(raw(request));
    let (start, end) = start_and_end(&run);
    assert_eq!(start["source"]["ip"], "198.51.100.7");
    assert_eq!(start["http"]["request"]["method"], "POST");
    assert_eq!(start["url"]["path"], "/upload");
    assert_eq!(start["user_agent"]["original"], "uploader/1.0");
    let logged = &start["seclog"]["input"]["request"];
    assert_eq!(logged["headers"]["authorization"], "[REDACTED]");
    assert_eq!(logged["query"]["signature"], "[REDACTED]");
    assert!(logged.get("body").is_none());
    assert_eq!(end["http"]["response"]["status_code"], 202);
    assert!(!run.lines.iter().any(|l| l.contains("YWxpY2U6aHVudGVyMg")));
}

#[test]
fn a_matched_path_argument_is_logged_as_the_route() {
    #[seclog::audit]
    async fn routed(path: MatchedPath) {
        let _ = path;
    }
    let mut request = Request::get("/x").body(axum::body::Body::empty()).unwrap();
    let router: axum::Router = axum::Router::new().route(
        "/x",
        axum::routing::get(|path: MatchedPath| async move { routed(path).await }),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo("127.0.0.1:1".parse::<SocketAddr>().unwrap()));
    let run = capture(|| runtime.block_on(tower::ServiceExt::<Request>::oneshot(router, request)));
    assert_eq!(run.output.as_ref().unwrap().status(), 200);
    assert_eq!(run.records()[0]["seclog"]["input"]["path"], "/x");
}

#[test]
fn a_body_taken_as_bytes_is_logged_as_its_length() {
    #[seclog::audit]
    async fn upload(Path(name): Path<String>, body: axum::body::Bytes) -> StatusCode {
        match body.len() {
            0 => StatusCode::BAD_REQUEST,
            _ if name.is_empty() => StatusCode::NOT_FOUND,
            _ => StatusCode::CREATED,
        }
    }
    let router: axum::Router =
        axum::Router::new().route("/files/{name}", axum::routing::put(upload));
    let request = Request::put("/files/notes.txt")
        .body(axum::body::Body::from("password=hunter2"))
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let run = capture(|| runtime.block_on(tower::ServiceExt::<Request>::oneshot(router, request)));
    assert_eq!(run.output.as_ref().unwrap().status(), 201);
    let (start, end) = start_and_end(&run);
    assert_eq!(
        start["seclog"]["input"],
        json!({"name": "notes.txt", "body": "[16 bytes]"})
    );
    assert_eq!(end["http"]["response"]["status_code"], 201);
    assert!(!run.lines.iter().any(|l| l.contains("hunter2")));
}

#[test]
fn status_code_responses_give_the_status_and_400_or_more_is_a_failure() {
    #[seclog::audit]
    async fn status(code: u16) -> StatusCode {
        StatusCode::from_u16(code).unwrap()
    }
    for (code, outcome, level) in [
        (200, "success", "info"),
        (302, "success", "info"),
        (404, "failure", "warn"),
        (503, "failure", "warn"),
    ] {
        let run = run(status(code));
        let (_, end) = start_and_end(&run);
        assert_eq!(end["http"]["response"]["status_code"], code);
        assert_eq!(end["event"]["outcome"], outcome, "{code}");
        assert_eq!(end["log.level"], level, "{code}");
        assert_eq!(end["seclog"]["response"], code);
    }
}

#[test]
fn a_status_and_json_tuple_logs_both_and_its_status_decides() {
    #[seclog::audit]
    async fn create(order: Json<Order>) -> (StatusCode, Json<Order>) {
        (StatusCode::CREATED, order)
    }
    #[seclog::audit]
    async fn refuse(reason: String) -> (StatusCode, String) {
        (StatusCode::CONFLICT, reason)
    }
    let run1 = run(create(Json(order())));
    let (_, end) = start_and_end(&run1);
    assert_eq!(end["http"]["response"]["status_code"], 201);
    assert_eq!(end["event"]["outcome"], "success");
    assert_eq!(
        end["seclog"]["response"],
        json!([201, {"item": "pen", "quantity": 3, "card_number": "[REDACTED]"}])
    );
    let run2 = run(refuse("already paid".into()));
    let (_, end) = start_and_end(&run2);
    assert_eq!(end["http"]["response"]["status_code"], 409);
    assert_eq!(end["event"]["outcome"], "failure");
    assert_eq!(end["seclog"]["response"], json!([409, "already paid"]));
}

#[test]
fn json_html_and_no_content_responses_are_successes_with_their_status() {
    #[seclog::audit]
    async fn json_reply() -> Json<Order> {
        Json(order())
    }
    #[seclog::audit]
    async fn page() -> Html<&'static str> {
        Html("<h1>hello</h1>")
    }
    #[seclog::audit]
    async fn gone() -> NoContent {
        NoContent
    }
    let r = run(json_reply());
    let (_, end) = start_and_end(&r);
    assert_eq!(end["http"]["response"]["status_code"], 200);
    assert_eq!(end["seclog"]["response"]["card_number"], "[REDACTED]");
    let r = run(page());
    let (_, end) = start_and_end(&r);
    assert_eq!(end["http"]["response"]["status_code"], 200);
    assert_eq!(end["seclog"]["response"], "<h1>hello</h1>");
    let r = run(gone());
    let (_, end) = start_and_end(&r);
    assert_eq!(end["http"]["response"]["status_code"], 204);
    assert_eq!(end["seclog"]["response"], Value::Null);
}

#[test]
fn a_response_logs_its_status_and_headers_through_the_policy() {
    #[seclog::audit]
    async fn sign_in() -> Response {
        (
            StatusCode::SEE_OTHER,
            [(SET_COOKIE, "session=resp-session-9f8e; HttpOnly")],
            "signed in",
        )
            .into_response()
    }
    let r = run(sign_in());
    assert_eq!(r.output.status(), StatusCode::SEE_OTHER, "unchanged");
    let (_, end) = start_and_end(&r);
    assert_eq!(end["http"]["response"]["status_code"], 303);
    assert_eq!(end["event"]["outcome"], "success");
    assert_eq!(end["seclog"]["response"]["status"], 303);
    assert_eq!(
        end["seclog"]["response"]["headers"]["set-cookie"],
        "[REDACTED]"
    );
    assert!(!r.lines.iter().any(|l| l.contains("resp-session-9f8e")));
}

#[test]
fn an_err_that_is_a_response_gives_its_status() {
    #[seclog::audit]
    async fn find(id: u32) -> Result<Json<Order>, StatusCode> {
        if id == 1 {
            Ok(Json(order()))
        } else {
            Err(StatusCode::NOT_FOUND)
        }
    }
    #[seclog::audit]
    async fn update(id: u32) -> Result<StatusCode, (StatusCode, String)> {
        Err((StatusCode::FORBIDDEN, format!("order {id} is not yours")))
    }
    let r = run(find(2));
    let (_, end) = start_and_end(&r);
    assert_eq!(end["event"]["outcome"], "failure");
    assert_eq!(end["http"]["response"]["status_code"], 404);
    assert_eq!(end["error"]["message"], "404 Not Found");
    let r = run(find(1));
    let (_, end) = start_and_end(&r);
    assert_eq!(end["event"]["outcome"], "success");
    assert_eq!(end["http"]["response"]["status_code"], 200);
    let r = run(update(3));
    let (_, end) = start_and_end(&r);
    assert_eq!(end["event"]["outcome"], "failure");
    assert_eq!(end["http"]["response"]["status_code"], 403);
}

#[test]
fn an_impl_into_response_keeps_its_signature_and_gives_the_status_of_what_it_returned() {
    #[seclog::audit]
    async fn maybe(ok: bool) -> impl IntoResponse {
        if ok {
            (StatusCode::OK, "fine".to_string())
        } else {
            (StatusCode::TOO_MANY_REQUESTS, "slow down".to_string())
        }
    }
    // The caller still sees `impl IntoResponse`, and only that.
    fn assert_into_response<T: IntoResponse>(_: &T) {}
    let r = run(maybe(false));
    assert_into_response(&r.output);
    let (_, end) = start_and_end(&r);
    assert_eq!(end["http"]["response"]["status_code"], 429);
    assert_eq!(end["event"]["outcome"], "failure");
    assert_eq!(end["seclog"]["response"], json!([429, "slow down"]));
    let r = run(maybe(true));
    let (_, end) = start_and_end(&r);
    assert_eq!(end["http"]["response"]["status_code"], 200);
    assert_eq!(end["event"]["outcome"], "success");
}

/// An application's error: a response of its own, made by `?` from what
/// the handler's body fails with.
#[derive(Debug)]
enum AppError {
    BadId(std::num::ParseIntError),
}

impl From<std::num::ParseIntError> for AppError {
    fn from(e: std::num::ParseIntError) -> Self {
        AppError::BadId(e)
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppError::BadId(e) => write!(f, "bad id: {e}"),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        (StatusCode::BAD_REQUEST, self.to_string()).into_response()
    }
}

#[seclog::audit]
async fn item(Path(id): Path<String>) -> Result<impl IntoResponse, AppError> {
    let id: u64 = id.parse()?;
    Ok(Json(json!({ "id": id })))
}

#[test]
fn a_result_of_impl_into_response_whose_error_only_the_signature_names() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let router: axum::Router = axum::Router::new().route("/items/{id}", axum::routing::get(item));
    let call = |uri: &str| {
        let request = Request::get(uri).body(axum::body::Body::empty()).unwrap();
        let router = router.clone();
        capture(|| {
            runtime.block_on(async move {
                let response = tower::ServiceExt::<Request>::oneshot(router, request)
                    .await
                    .unwrap();
                let status = response.status();
                let body = axum::body::to_bytes(response.into_body(), 1 << 16)
                    .await
                    .unwrap();
                (status, String::from_utf8(body.to_vec()).unwrap())
            })
        })
    };

    let found = call("/items/42");
    assert_eq!(found.output, (StatusCode::OK, r#"{"id":42}"#.to_string()));
    let (start, end) = start_and_end(&found);
    assert_eq!(start["seclog"]["input"]["id"], "42");
    assert_eq!(end["event"]["outcome"], "success");
    assert_eq!(end["http"]["response"]["status_code"], 200);
    assert_eq!(end["seclog"]["response"], json!({"id": 42}));

    let parse_error = "4x2".parse::<u64>().unwrap_err();
    let refused = call("/items/4x2");
    assert_eq!(
        refused.output,
        (StatusCode::BAD_REQUEST, format!("bad id: {parse_error}"))
    );
    let (_, end) = start_and_end(&refused);
    assert_eq!(end["event"]["outcome"], "failure");
    assert_eq!(end["error"]["message"], format!("bad id: {parse_error}"));
    assert!(end["seclog"].get("response").is_none());

    // Called directly: the body's own error, unchanged.
    let direct = run(item(Path("4x2".into())));
    assert!(matches!(direct.output, Err(AppError::BadId(ref e)) if *e == parse_error));
}

#[test]
fn a_redirect_logs_its_status_and_keeps_tokens_in_its_location_out() {
    #[seclog::audit]
    async fn callback() -> Redirect {
        Redirect::temporary("/done?code=ok#access_token=at-from-fragment&state=s1")
    }
    let r = run(callback());
    let (_, end) = start_and_end(&r);
    assert_eq!(end["http"]["response"]["status_code"], 307);
    assert_eq!(end["event"]["outcome"], "success");
    assert_eq!(
        end["seclog"]["response"],
        json!({"status": 307, "location": {"url": "/done", "query": {"code": "ok"}, "fragment": {"access_token": "[REDACTED]", "state": "s1"}}})
    );
    assert!(!r.lines.iter().any(|l| l.contains("at-from-fragment")));
}

#[test]
fn an_authentication_attempt_in_a_whole_json_body_makes_an_authentication_handler() {
    #[derive(serde::Deserialize, seclog::Redact, seclog::AuthEvent)]
    #[auth(login)]
    struct Creds {
        #[auth(user)]
        username: String,
        #[redact]
        password: String,
    }
    #[seclog::audit]
    async fn login(creds: Json<Creds>) -> StatusCode {
        if creds.password == "correct horse" {
            StatusCode::OK
        } else {
            StatusCode::UNAUTHORIZED
        }
    }
    let creds = Creds {
        username: "carol".into(),
        password: "guess-1".into(),
    };
    let r = seclog::monitor::Monitor::new(Default::default())
        .unwrap()
        .scope(|| run(login(Json(creds))));
    let (start, end) = start_and_end(&r);
    assert_eq!(start["event"]["category"], json!(["authentication"]));
    assert_eq!(start["user"]["name"], "carol");
    assert_eq!(start["seclog"]["input"]["creds"]["password"], "[REDACTED]");
    assert_eq!(end["seclog"]["owasp"], "authn_login_fail:carol");
    assert_eq!(end["http"]["response"]["status_code"], 401);
    assert!(!r.lines.iter().any(|l| l.contains("guess-1")));
}

/// Calls `router` once with `request`, as a server would, capturing the
/// records written meanwhile; the response's status and body text.
fn call(router: axum::Router, request: Request) -> (StatusCode, String, Captured<()>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut answer = None;
    let run = runtime.block_on(seclog::testing::capture_future(async {
        let response = tower::ServiceExt::<Request>::oneshot(router, request)
            .await
            .unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        answer = Some((status, String::from_utf8(body.to_vec()).unwrap()));
    }));
    let (status, body) = answer.unwrap();
    (status, body, run)
}

fn post_json(uri: &str, body: &str) -> Request {
    Request::post(uri)
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.to_string()))
        .unwrap()
}

fn get_request(uri: &str) -> Request {
    Request::get(uri).body(axum::body::Body::empty()).unwrap()
}

fn assert_not_in(run: &Captured<()>, secrets: &[&str]) {
    for line in &run.lines {
        for secret in secrets {
            assert!(!line.contains(secret), "{secret} in {line}");
        }
    }
}

/// Only `Serialize`: what a signup form's body usually is.
#[derive(serde::Serialize, serde::Deserialize)]
struct Signup {
    username: String,
    password: String,
}

#[test]
fn an_optional_json_body_of_a_serialize_only_type_is_logged_as_the_value_or_null() {
    #[seclog::audit]
    async fn update_profile(payload: Option<Json<Signup>>) -> StatusCode {
        match payload {
            Some(Json(s)) if !s.password.is_empty() => StatusCode::OK,
            Some(_) => StatusCode::BAD_REQUEST,
            None => StatusCode::NO_CONTENT,
        }
    }
    let router = || axum::Router::new().route("/profile", axum::routing::post(update_profile));

    let request = post_json(
        "/profile",
        r#"{"username":"alice","password":"pw-in-the-body-41"}"#,
    );
    let (status, body, run) = call(router(), request);
    assert_eq!((status, body.as_str()), (StatusCode::OK, ""));
    let (start, end) = start_and_end(&run);
    assert_eq!(
        start["seclog"]["input"]["payload"],
        json!({"username": "alice", "password": "[REDACTED]"})
    );
    assert_eq!(end["http"]["response"]["status_code"], 200);
    assert_not_in(&run, &["pw-in-the-body-41"]);

    // No content type: axum gives `None`.
    let request = Request::post("/profile")
        .body(axum::body::Body::empty())
        .unwrap();
    let (status, _, run) = call(router(), request);
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (start, _) = start_and_end(&run);
    assert_eq!(start["seclog"]["input"]["payload"], Value::Null);
}

#[test]
fn a_json_result_logs_the_body_or_the_rejection_text() {
    use axum::extract::rejection::JsonRejection;

    #[seclog::audit]
    async fn create_checked(
        payload: Result<Json<Value>, JsonRejection>,
    ) -> Result<Json<Value>, (StatusCode, String)> {
        match payload {
            Ok(Json(v)) => Ok(Json(v)),
            Err(rejection) => Err((rejection.status(), rejection.body_text())),
        }
    }
    /// Which way a transfer goes: an unknown variant is named in axum's text.
    #[derive(serde::Serialize, serde::Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Direction {
        In,
        Out,
    }
    #[seclog::audit]
    async fn typed(payload: Result<Json<Direction>, JsonRejection>) -> (StatusCode, String) {
        match payload {
            Ok(_) => (StatusCode::OK, String::new()),
            Err(rejection) => (rejection.status(), rejection.body_text()),
        }
    }
    /// A login whose password is a string: axum's text names the field
    /// and quotes a value of the wrong type.
    #[derive(serde::Serialize, serde::Deserialize)]
    struct Login {
        user: String,
        password: String,
    }
    #[seclog::audit]
    async fn login(payload: Result<Json<Login>, JsonRejection>) -> (StatusCode, String) {
        match payload {
            Ok(_) => (StatusCode::OK, String::new()),
            Err(rejection) => (rejection.status(), rejection.body_text()),
        }
    }
    let router = || {
        axum::Router::new()
            .route("/items", axum::routing::post(create_checked))
            .route("/typed", axum::routing::post(typed))
            .route("/login", axum::routing::post(login))
    };

    let sent = r#"{"name":"pen","password":"pw-in-the-body-42"}"#;
    let (status, body, run) = call(router(), post_json("/items", sent));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        serde_json::from_str::<Value>(sent).unwrap()
    );
    let (start, end) = start_and_end(&run);
    let logged = json!({"name": "pen", "password": "[REDACTED]"});
    assert_eq!(start["seclog"]["input"]["payload"], logged);
    assert_eq!(end["seclog"]["response"], logged);
    assert_not_in(&run, &["pw-in-the-body-42"]);

    // No content type: the rejection's status and text.
    let request = Request::post("/items")
        .body(axum::body::Body::from(sent))
        .unwrap();
    let (status, body, run) = call(router(), request);
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        body,
        "Expected request with `Content-Type: application/json`"
    );
    let (start, end) = start_and_end(&run);
    assert_eq!(
        start["seclog"]["input"]["payload"],
        json!({"rejection": {"status": 415, "text": body}})
    );
    assert_eq!(end["event"]["outcome"], "failure");
    assert_not_in(&run, &["pw-in-the-body-42"]);

    // axum's text quotes the request: a secret in it is found by its shape.
    const GITHUB_TOKEN: &str = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
    let (status, body, run) = call(
        router(),
        post_json("/typed", &format!("\"{GITHUB_TOKEN}\"")),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains(GITHUB_TOKEN), "axum's own text: {body}");
    let (start, _) = start_and_end(&run);
    let rejection = &start["seclog"]["input"]["payload"]["rejection"];
    assert_eq!(rejection["status"], 422);
    let text = rejection["text"].as_str().unwrap();
    assert!(
        text.starts_with("Failed to deserialize the JSON body"),
        "{text}"
    );
    assert_not_in(&run, &[GITHUB_TOKEN]);

    // A password of the wrong type: axum's text quotes it after the
    // field's name, the handler answers with it, and neither record
    // shows it.
    let (status, body, run) = call(
        router(),
        post_json("/login", r#"{"user":"bob","password":68481033}"#),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("password: invalid type: integer `68481033`"),
        "axum's own text: {body}"
    );
    let (start, end) = start_and_end(&run);
    let text = start["seclog"]["input"]["payload"]["rejection"]["text"]
        .as_str()
        .unwrap();
    assert!(
        text.contains("password: invalid type: integer `[REDACTED:key_value]`, expected a string"),
        "{text}"
    );
    assert!(
        end["seclog"]["response"]
            .to_string()
            .contains("[REDACTED:key_value]"),
        "{end}"
    );
    assert_not_in(&run, &["68481033"]);

    // A known variant: the value.
    let (status, _, run) = call(router(), post_json("/typed", "\"out\""));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(start_and_end(&run).0["seclog"]["input"]["payload"], "out");
}

#[test]
fn query_and_form_results_log_the_value_through_the_policy_or_the_rejection() {
    use axum::extract::rejection::{FormRejection, QueryRejection};

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Search {
        q: String,
        token: String,
    }
    #[seclog::audit]
    async fn search(query: Result<Query<Search>, QueryRejection>) -> (StatusCode, String) {
        match query {
            Ok(_) => (StatusCode::OK, String::new()),
            Err(rejection) => (rejection.status(), rejection.body_text()),
        }
    }
    #[seclog::audit]
    async fn sign_up(form: Result<Form<Signup>, FormRejection>) -> StatusCode {
        match form {
            Ok(_) => StatusCode::CREATED,
            Err(rejection) => rejection.status(),
        }
    }
    let router = || {
        axum::Router::new()
            .route("/search", axum::routing::get(search))
            .route("/signup", axum::routing::post(sign_up))
    };

    let (status, _, run) = call(
        router(),
        get_request("/search?q=pens&token=tok-in-the-query-43"),
    );
    assert_eq!(status, StatusCode::OK);
    let (start, _) = start_and_end(&run);
    assert_eq!(
        start["seclog"]["input"]["query"],
        json!({"q": "pens", "token": "[REDACTED]"})
    );
    assert_not_in(&run, &["tok-in-the-query-43"]);

    let (status, body, run) = call(router(), get_request("/search?q=pens"));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        "Failed to deserialize query string: missing field `token`"
    );
    let (start, _) = start_and_end(&run);
    assert_eq!(
        start["seclog"]["input"]["query"],
        json!({"rejection": {"status": 400, "text": body}})
    );

    let request = Request::post("/signup")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(
            "username=alice&password=pw-in-the-form-44",
        ))
        .unwrap();
    let (status, _, run) = call(router(), request);
    assert_eq!(status, StatusCode::CREATED);
    let (start, _) = start_and_end(&run);
    assert_eq!(
        start["seclog"]["input"]["form"],
        json!({"username": "alice", "password": "[REDACTED]"})
    );
    assert_not_in(&run, &["pw-in-the-form-44"]);
}

#[test]
fn an_optional_extension_is_never_logged_and_describes_the_user_when_present() {
    #[derive(Clone)]
    struct CurrentUser {
        id: String,
        session_key: String,
    }
    impl Describe for CurrentUser {
        fn describe(&self, cx: &mut Context) {
            cx.set_user_id(&self.id);
        }
    }
    #[seclog::audit]
    async fn maybe_me(user: Option<Extension<CurrentUser>>) -> String {
        user.map(|Extension(u)| u.id + &u.session_key[..0])
            .unwrap_or_else(|| "anonymous".into())
    }
    let user = CurrentUser {
        id: "u-42".into(),
        session_key: "sk-in-the-extension-45".into(),
    };
    let route = || axum::Router::new().route("/me", axum::routing::get(maybe_me));

    let (status, body, run) = call(route().layer(Extension(user)), get_request("/me"));
    assert_eq!((status, body.as_str()), (StatusCode::OK, "u-42"));
    let (start, end) = start_and_end(&run);
    assert_eq!(start["seclog"]["input"], json!({}), "never logged");
    assert_eq!(start["user"]["id"], "u-42");
    assert_eq!(end["seclog"]["response"], "u-42");
    assert_not_in(&run, &["sk-in-the-extension-45"]);

    let (status, body, run) = call(route(), get_request("/me"));
    assert_eq!((status, body.as_str()), (StatusCode::OK, "anonymous"));
    let (start, _) = start_and_end(&run);
    assert_eq!(start["seclog"]["input"], json!({}));
    assert!(start.get("user").is_none());
}

#[test]
fn an_original_uri_and_a_raw_query_taken_whole_are_logged_through_the_policy() {
    use axum::extract::{OriginalUri, RawQuery};

    #[seclog::audit]
    async fn reset(uri: OriginalUri, query: RawQuery) -> (StatusCode, String) {
        (
            StatusCode::NOT_FOUND,
            format!("{} {:?}", uri.0.path(), query.0.is_some()),
        )
    }
    let router = || {
        axum::Router::new().nest(
            "/api",
            axum::Router::new().route("/reset", axum::routing::get(reset)),
        )
    };

    let (status, body, run) = call(
        router(),
        get_request("/api/reset?user=alice&token=tok-in-the-query-46"),
    );
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::NOT_FOUND, "/api/reset true")
    );
    let (start, end) = start_and_end(&run);
    let input = &start["seclog"]["input"];
    let query = json!({"user": "alice", "token": "[REDACTED]"});
    assert_eq!(
        input["uri"],
        json!({"path": "/api/reset", "query": query}),
        "the path before nesting"
    );
    assert_eq!(input["query"], query);
    assert_eq!(start["url"]["path"], "/api/reset");
    assert_eq!(end["http"]["response"]["status_code"], 404);
    assert_not_in(&run, &["tok-in-the-query-46"]);

    let (_, body, run) = call(router(), get_request("/api/reset"));
    assert_eq!(body, "/api/reset false");
    let (start, _) = start_and_end(&run);
    assert_eq!(
        start["seclog"]["input"]["uri"],
        json!({"path": "/api/reset"})
    );
    assert_eq!(start["seclog"]["input"]["query"], Value::Null);
}

/// Only `Serialize`: what a handler usually answers with.
#[derive(serde::Serialize)]
struct User {
    id: u32,
    username: String,
    api_token: String,
}

fn user() -> User {
    User {
        id: 1,
        username: "alice".into(),
        api_token: "tok-in-the-response-47".into(),
    }
}

const USER_SENT: &str = r#"{"id":1,"username":"alice","api_token":"tok-in-the-response-47"}"#;

fn logged_user() -> Value {
    json!({"id": 1, "username": "alice", "api_token": "[REDACTED]"})
}

#[test]
fn header_map_and_json_responses_log_the_headers_through_the_policy_and_a_serialize_only_body() {
    use axum::http::header::{ETAG, LOCATION};

    fn headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(ETAG, "\"v1\"".parse().unwrap());
        h.insert(SET_COOKIE, "sid=sid-in-the-response-48".parse().unwrap());
        h
    }
    #[seclog::audit]
    async fn with_etag() -> (HeaderMap, Json<User>) {
        (headers(), Json(user()))
    }
    #[seclog::audit]
    async fn created() -> (StatusCode, HeaderMap, Json<User>) {
        let mut h = headers();
        h.insert(LOCATION, "/users/1".parse().unwrap());
        (StatusCode::CREATED, h, Json(user()))
    }
    let router = || {
        axum::Router::new()
            .route("/etag", axum::routing::get(with_etag))
            .route("/users", axum::routing::post(created))
    };
    let secrets = ["tok-in-the-response-47", "sid-in-the-response-48"];

    let (status, body, run) = call(router(), get_request("/etag"));
    assert_eq!((status, body.as_str()), (StatusCode::OK, USER_SENT));
    let (_, end) = start_and_end(&run);
    assert_eq!(end["http"]["response"]["status_code"], 200);
    assert_eq!(
        end["seclog"]["response"],
        json!([{"etag": "\"v1\"", "set-cookie": "[REDACTED]"}, logged_user()])
    );
    assert_not_in(&run, &secrets);

    let (status, body, run) = call(router(), post_json("/users", "{}"));
    assert_eq!((status, body.as_str()), (StatusCode::CREATED, USER_SENT));
    let (_, end) = start_and_end(&run);
    assert_eq!(end["http"]["response"]["status_code"], 201);
    assert_eq!(
        end["seclog"]["response"],
        json!([201, {"etag": "\"v1\"", "set-cookie": "[REDACTED]", "location": "/users/1"}, logged_user()])
    );
    assert_not_in(&run, &secrets);
}

#[test]
fn header_array_responses_behind_impl_into_response_log_each_header_through_the_policy() {
    use axum::http::header::{CONTENT_TYPE, LOCATION};

    #[seclog::audit]
    async fn export_csv() -> impl IntoResponse {
        (
            [
                (CONTENT_TYPE, "text/csv"),
                (SET_COOKIE, "sid=sid-in-the-response-49"),
                (SET_COOKIE, "theme=dark"),
            ],
            "id,name\n1,alice\n".to_string(),
        )
    }
    #[seclog::audit]
    async fn created_with_location() -> impl IntoResponse {
        let user = user();
        (
            StatusCode::CREATED,
            [(LOCATION, format!("/users/{}", user.id))],
            Json(user),
        )
    }
    let router = || {
        axum::Router::new()
            .route("/export", axum::routing::get(export_csv))
            .route("/users", axum::routing::post(created_with_location))
    };

    let (status, body, run) = call(router(), get_request("/export"));
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, "id,name\n1,alice\n")
    );
    let (_, end) = start_and_end(&run);
    assert_eq!(end["event"]["outcome"], "success");
    assert_eq!(
        end["seclog"]["response"],
        json!([
            {"content-type": "text/csv", "set-cookie": "[REDACTED]"},
            "id,name\n1,alice\n"
        ])
    );
    assert_not_in(&run, &["sid-in-the-response-49", "theme=dark"]);

    let (status, body, run) = call(router(), post_json("/users", "{}"));
    assert_eq!((status, body.as_str()), (StatusCode::CREATED, USER_SENT));
    let (_, end) = start_and_end(&run);
    assert_eq!(end["http"]["response"]["status_code"], 201);
    assert_eq!(
        end["seclog"]["response"],
        json!([201, {"location": "/users/1"}, logged_user()])
    );
    assert_not_in(&run, &["tok-in-the-response-47"]);
}
