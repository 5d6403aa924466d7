// A response with a header array: its values would escape the
// sensitive-key policy, so it cannot be logged; the error says how to
// record the outcome without it.
use axum::http::header::SET_COOKIE;
use axum::http::StatusCode;

#[seclog::audit]
async fn sign_in() -> (StatusCode, [(axum::http::HeaderName, &'static str); 1], &'static str) {
    (StatusCode::OK, [(SET_COOKIE, "session=abc")], "welcome")
}

fn main() {
    let _ = sign_in;
}
