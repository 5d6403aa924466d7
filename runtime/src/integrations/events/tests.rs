//! Unit tests of the API Gateway and ALB payloads: content types, bodies, bounds.

use super::body::{is_json_type, write_json_text};
use super::*;

fn render(f: impl FnOnce(Out<'_>)) -> serde_json::Value {
    let mut buf = Vec::new();
    let mut f = Some(f);
    crate::format::render(
        crate::state::current(),
        &mut buf,
        crate::redact::Mask::default(),
        &mut |out| {
            if let Some(f) = f.take() {
                f(out)
            }
        },
    );
    let text = String::from_utf8(buf).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn json_types_are_recognised() {
    for t in [
        "application/json",
        "Application/JSON; charset=utf-8",
        "application/problem+json",
        "application/vnd.api+JSON",
    ] {
        assert!(is_json_type(t), "{t}");
    }
    for t in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "json",
        "+json",
        "application/jsonp",
        "",
    ] {
        assert!(!is_json_type(t), "{t}");
    }
    assert!(
        !is_json_type("application/€json"),
        "multi-byte text never splits a character"
    );
}

#[test]
fn json_bodies_are_structured_and_redacted() {
    let body = r#"{"user":"alice","Password":"hunter2","items":[1,2.5,true,null,{"api_key":"k-123"}],"a\"b":"c"}"#;
    let v = render(|out| write_body(BodyView::Text(body), Some("application/json"), out));
    assert_eq!(
        v,
        serde_json::json!({"user":"alice","Password":"[REDACTED]","items":[1,2.5,true,null,{"api_key":"[REDACTED]"}],"a\"b":"c"})
    );
}

#[test]
fn form_bodies_are_objects_and_redacted() {
    use base64::Engine as _;
    const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";
    let form = "username=alice&password=hunter2&note=my+card+4111+1111+1111+1111&tag=a&tag=b%26c";
    let expected = serde_json::json!({
        "username": "alice",
        "password": "[REDACTED]",
        "note": "my card [REDACTED:card_number]",
        "tag": ["a", "b&c"],
    });
    let v = render(|out| write_body(BodyView::Text(form), Some(FORM), out));
    assert_eq!(v, expected);
    // An HTTP API sends a form base64-encoded.
    let encoded = base64::engine::general_purpose::STANDARD.encode(form);
    let v = render(|out| write_body(BodyView::Base64(&encoded), Some(FORM), out));
    assert_eq!(v, expected);
    let v = render(|out| write_body(BodyView::Bytes(form.as_bytes()), Some(FORM), out));
    assert_eq!(v, expected);
}

#[test]
fn a_huge_form_body_is_read_to_a_bound() {
    let pairs = 200_000;
    let form: String = (0..pairs).map(|i| format!("k{i}=v&")).collect();
    let v = render(|out| {
        write_body(
            BodyView::Text(&form),
            Some("application/x-www-form-urlencoded"),
            out,
        )
    });
    let members = v.as_object().unwrap();
    // The record's own bound: 256 members, and every other pair counted,
    // read or not.
    assert_eq!(members.len(), 256 + 1);
    assert_eq!(
        members["[truncated]"],
        format!("{} more entries", pairs - 256)
    );
}

#[test]
fn base64_json_bodies_are_decoded_and_structured() {
    use base64::Engine as _;
    let body = r#"{"user":"alice","password":"hunter2"}"#;
    let encoded = base64::engine::general_purpose::STANDARD.encode(body);
    let v = render(|out| write_body(BodyView::Base64(&encoded), Some("application/json"), out));
    assert_eq!(
        v,
        serde_json::json!({"user": "alice", "password": "[REDACTED]"})
    );
    // Not base64, or not text once decoded: by size and type.
    let v = render(|out| {
        write_body(
            BodyView::Base64("not base64!"),
            Some("application/json"),
            out,
        )
    });
    assert_eq!(v, "[11 bytes base64: application/json]");
    let v = render(|out| write_body(BodyView::Base64("/w=="), Some("application/json"), out));
    assert_eq!(v, "[4 bytes base64: application/json]");
}

#[test]
fn other_bodies_are_logged_by_size_and_type() {
    let v = render(|out| write_body(BodyView::Text("hunter2=x"), Some("text/plain"), out));
    assert_eq!(v, "[9 bytes: text/plain]");
    let v = render(|out| write_body(BodyView::Text("{not json"), Some("application/json"), out));
    assert_eq!(v, "[9 bytes: application/json]");
    let v = render(|out| write_body(BodyView::Base64("aGVsbG8="), Some("image/png"), out));
    assert_eq!(v, "[8 bytes base64: image/png]");
    let v = render(|out| write_body(BodyView::Text("hunter2"), None, out));
    assert_eq!(v, "[7 bytes]");
    let v = render(|out| write_body(BodyView::Text(r#"{"token":"t"}"#), None, out));
    assert_eq!(
        v,
        serde_json::json!({"token": "[REDACTED]"}),
        "unlabelled JSON is still JSON"
    );
    let v = render(|out| write_body(BodyView::None, Some("application/json"), out));
    assert_eq!(v, serde_json::Value::Null);
}

#[test]
fn bounds_apply_to_transcoded_bodies() {
    let config = crate::builder().max_items(3).max_depth(4).build().unwrap();
    let body = r#"{"list":[1,2,3,4,5],"deep":{"a":{"b":{"c":{"d":1}}}},"x":1,"y":2}"#;
    let mut buf = Vec::new();
    crate::format::render(
        config,
        &mut buf,
        crate::redact::Mask::default(),
        &mut |out| write_json_text(body, out),
    );
    let v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
    assert_eq!(
        v["list"],
        serde_json::json!([1, 2, 3, "[truncated: 2 more items]"])
    );
    // The fourth level opens no object; what it held is read past.
    assert_eq!(
        v["deep"]["a"]["b"],
        serde_json::json!({"c": "[truncated: depth limit]"})
    );
    assert_eq!(v["x"], 1);
    assert_eq!(v["[truncated]"], "1 more entries");
}

#[test]
fn cookies_keep_their_names_only() {
    let cookies = [
        "sid=abc123; Path=/",
        " theme = dark",
        "value-only-secret",
        "=empty-name",
    ];
    let v = render(|out| write_cookies(cookies.into_iter(), out));
    assert_eq!(
        v,
        serde_json::json!([
            "sid=[REDACTED]",
            "theme=[REDACTED]",
            "=[REDACTED]",
            "=[REDACTED]"
        ])
    );
}

#[test]
fn forwarded_for_is_the_address_the_balancer_appended() {
    let mut h = HeaderMap::new();
    assert_eq!(forwarded_for(&h), None);
    h.insert("x-forwarded-for", "203.0.113.50".parse().unwrap());
    assert_eq!(forwarded_for(&h), Some("203.0.113.50"));
    h.insert("x-forwarded-for", "10.9.9.9, 203.0.113.50".parse().unwrap());
    assert_eq!(forwarded_for(&h), Some("203.0.113.50"));
    h.append("x-forwarded-for", "198.51.100.1 ,".parse().unwrap());
    assert_eq!(forwarded_for(&h), Some("198.51.100.1"));
}

#[test]
fn statuses_outside_http_are_failures() {
    for (status, outcome, code) in [
        (200, EventOutcome::Success, Some(200)),
        (302, EventOutcome::Success, Some(302)),
        (401, EventOutcome::Failure, Some(401)),
        (503, EventOutcome::Failure, Some(503)),
        (0, EventOutcome::Failure, None),
        (-1, EventOutcome::Failure, None),
        (70_000, EventOutcome::Failure, None),
    ] {
        let mut r = ApiGatewayProxyResponse::default();
        r.status_code = status;
        assert_eq!((r.outcome(), r.status_code()), (outcome, code), "{status}");
    }
}
