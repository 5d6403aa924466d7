//! axum handlers as users write them, audited and routed: extractors
//! destructured or not (`mut` too), tuples of path parameters, state of any
//! type, responses of every usual shape, `impl IntoResponse`; each one
//! still an axum `Handler` (its future `Send`) after the attribute.

use axum::extract::{ConnectInfo, Extension, Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

/// Not loggable, and never logged: state and extensions are the server's.
struct Pool;

#[derive(Clone)]
struct App {
    pool: Arc<Pool>,
}

#[derive(serde::Deserialize, serde::Serialize)]
struct Order {
    item: String,
    quantity: u32,
}

#[derive(serde::Deserialize, seclog::Redact, seclog::AuthEvent)]
#[auth(login)]
struct Creds {
    #[auth(user)]
    username: String,
    #[redact]
    password: String,
}

#[seclog::audit]
async fn login(
    State(app): State<App>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(body): Json<Creds>,
) -> StatusCode {
    let _ = (&app.pool, addr, headers.len(), &body.username);
    if body.password.is_empty() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    }
}

#[seclog::audit]
async fn order_line(
    Path((order, line)): Path<(u32, String)>,
    Query(params): Query<HashMap<String, String>>,
    Extension(pool): Extension<Arc<Pool>>,
) -> Result<Json<Order>, StatusCode> {
    let _ = (params, pool);
    if order == 0 {
        return Err(StatusCode::NOT_FOUND);
    }
    Ok(Json(Order { item: line, quantity: order }))
}

#[seclog::audit]
async fn create(state: State<App>, Json(mut order): Json<Order>) -> (StatusCode, Json<Order>) {
    let _ = &state.pool;
    order.quantity += 1;
    (StatusCode::CREATED, Json(order))
}

#[seclog::audit]
async fn form(Form(order): Form<Order>) -> impl IntoResponse {
    if order.quantity > 10 {
        (StatusCode::BAD_REQUEST, "too many".to_string())
    } else {
        (StatusCode::OK, order.item)
    }
}

#[seclog::audit]
async fn page() -> Html<String> {
    Html("<p>hello</p>".to_string())
}

#[seclog::audit]
async fn moved() -> Redirect {
    Redirect::permanent("/new")
}

#[seclog::audit]
async fn raw() -> Response {
    StatusCode::IM_A_TEAPOT.into_response()
}

#[seclog::audit(skip_response)]
async fn headers_out() -> impl IntoResponse {
    ([("x-request-id", "7")], "ok")
}

fn main() {
    let _app: Router = Router::new()
        .route("/login", post(login))
        .route("/orders/{order}/{line}", get(order_line))
        .route("/orders", post(create))
        .route("/form", post(form))
        .route("/page", get(page))
        .route("/old", get(moved))
        .route("/teapot", get(raw))
        .route("/headers", get(headers_out))
        .layer(seclog::integrations::axum::AuditLayer::new())
        .with_state(App { pool: Arc::new(Pool) });
}
