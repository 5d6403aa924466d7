// A response with a body stream: it cannot be logged without consuming it,
// so the error says how to record the outcome without it.
use axum::body::Body;
use axum::http::StatusCode;

#[seclog::audit]
async fn download() -> (StatusCode, Body) {
    (StatusCode::OK, Body::from("a large file"))
}

fn main() {
    let _ = download;
}
