//! The `http` crate's types, which axum and `lambda_http` share (features
//! `axum` and `lambda-http`): what a handler taking or returning them logs.
//!
//! | type | as an argument | as a response |
//! |---|---|---|
//! | `StatusCode` | its number | `http.response.status_code`; 400 or more is a failure |
//! | `Response<B>` | | `http.response.status_code`; 400 or more is a failure (what is logged of it depends on `B`: see the `axum` and `http` modules) |
//! | `HeaderMap` | each header through the sensitive-key policy (`Authorization`, `Cookie`, API keys: `[REDACTED]`); `User-Agent` gives `user_agent.original` | |
//! | `Method` | its name; gives `http.request.method` | |
//! | `Uri` | its path and query string (each parameter through the policy); the path gives `url.path` | |

#[cfg(feature = "axum")]
pub(crate) use super::headers::write_header_pairs;
pub(crate) use super::headers::write_headers;
use crate::context::{Context, Describe};
use crate::record::{EventOutcome, Outcome};
use crate::redact::{Out, Redact};
use http::header::USER_AGENT;
use http::{HeaderMap, Method, StatusCode, Uri};

/// A status of 400 or more is a failure.
pub(crate) fn outcome_of_status(status: StatusCode) -> EventOutcome {
    if status.as_u16() < 400 {
        EventOutcome::Success
    } else {
        EventOutcome::Failure
    }
}

/// A status of 400 or more is a failure.
///
/// ```
/// use http::StatusCode;
///
/// #[seclog::audit]
/// fn delete_invoice(id: u32) -> StatusCode {
///     if id == 0 { StatusCode::NOT_FOUND } else { StatusCode::NO_CONTENT }
/// }
///
/// let run = seclog::testing::capture(|| delete_invoice(0));
/// let end = &run.records()[1];
/// assert_eq!(end["http"]["response"]["status_code"], 404);
/// assert_eq!(end["event"]["outcome"], "failure");
/// assert_eq!(end["seclog"]["response"], 404);
/// ```
impl Outcome for StatusCode {
    fn outcome(&self) -> EventOutcome {
        outcome_of_status(*self)
    }
    fn status_code(&self) -> Option<u16> {
        Some(self.as_u16())
    }
}

/// Its number.
impl Redact for StatusCode {
    fn redact(&self, out: Out<'_>) {
        out.u64(u64::from(self.as_u16()))
    }
}

/// A status of 400 or more is a failure.
impl<B> Outcome for http::Response<B> {
    fn outcome(&self) -> EventOutcome {
        outcome_of_status(self.status())
    }
    fn status_code(&self) -> Option<u16> {
        Some(self.status().as_u16())
    }
}

/// Each header, its name lower case and through the sensitive-key policy,
/// its value a string (an array when it was sent more than once).
///
/// ```
/// use http::HeaderMap;
///
/// #[seclog::audit]
/// fn whoami(headers: HeaderMap) {}
///
/// let mut headers = HeaderMap::new();
/// headers.insert("user-agent", "curl/8.5.0".parse().unwrap());
/// headers.insert("authorization", "Bearer abc.def.ghi".parse().unwrap());
/// headers.append("accept", "text/html".parse().unwrap());
/// headers.append("accept", "application/json".parse().unwrap());
/// let run = seclog::testing::capture(|| whoami(headers));
/// let start = &run.records()[0];
/// assert_eq!(start["user_agent"]["original"], "curl/8.5.0");
/// let logged = &start["seclog"]["input"]["headers"];
/// assert_eq!(logged["authorization"], "[REDACTED]");
/// assert_eq!(logged["accept"], serde_json::json!(["text/html", "application/json"]));
/// assert!(!run.lines.iter().any(|l| l.contains("abc.def.ghi")));
/// ```
impl Redact for HeaderMap {
    fn redact(&self, out: Out<'_>) {
        write_headers(self, out)
    }
}

/// `User-Agent` gives `user_agent.original`.
impl Describe for HeaderMap {
    fn describe(&self, cx: &mut Context) {
        if let Some(ua) = user_agent(self) {
            cx.set_user_agent(&ua);
        }
    }
}

/// Its name.
impl Redact for Method {
    fn redact(&self, out: Out<'_>) {
        out.str(self.as_str())
    }
}

/// `http.request.method`.
impl Describe for Method {
    fn describe(&self, cx: &mut Context) {
        cx.set_http_method(&self.as_str())
    }
}

/// `{"path": ..., "query": {...}}`, each query parameter through the
/// sensitive-key policy.
///
/// ```
/// use http::Uri;
///
/// #[seclog::audit]
/// fn reset(uri: Uri) {}
///
/// let uri: Uri = "/reset?user=alice&token=s3cr3t".parse().unwrap();
/// let run = seclog::testing::capture(|| reset(uri));
/// let start = &run.records()[0];
/// assert_eq!(start["url"]["path"], "/reset");
/// assert_eq!(start["seclog"]["input"]["uri"]["query"]["token"], "[REDACTED]");
/// assert_eq!(start["seclog"]["input"]["uri"]["query"]["user"], "alice");
/// ```
impl Redact for Uri {
    fn redact(&self, out: Out<'_>) {
        let mut o = out.object();
        let path = self.path();
        // Under `AuditLayer`, the request's path with its route's
        // sensitive parameters redacted: a `Uri` knows no route.
        crate::invocation::with_current_context(|cx| {
            let redacted = cx
                .and_then(|cx| cx.get(crate::context::Text::UrlPath))
                .filter(|redacted| crate::context::is_redaction_of(redacted, path));
            o.field("path", redacted.unwrap_or(path));
        });
        if let Some(query) = self.query() {
            o.field_with("query", |out| write_query(query, out));
        }
    }
}

/// `url.path`.
impl Describe for Uri {
    fn describe(&self, cx: &mut Context) {
        cx.set_url_path(&self.path())
    }
}

/// The `User-Agent` header, when it is text and not blank.
pub(crate) fn user_agent(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .filter(|s| !s.trim().is_empty())
}

/// A query string as an object (see [`write_form`](super::form::write_form)).
pub(crate) use super::form::write_form as write_query;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_from_400_are_failures() {
        assert_eq!(outcome_of_status(StatusCode::OK), EventOutcome::Success);
        assert_eq!(
            outcome_of_status(StatusCode::PERMANENT_REDIRECT),
            EventOutcome::Success
        );
        assert_eq!(
            outcome_of_status(StatusCode::BAD_REQUEST),
            EventOutcome::Failure
        );
        assert_eq!(
            outcome_of_status(StatusCode::INTERNAL_SERVER_ERROR),
            EventOutcome::Failure
        );
    }

    #[test]
    fn a_query_string_is_decoded_grouped_and_redacted() {
        let json = crate::to_json(
            &"/x?b=2&a=1&b=3&api_key=k%20v&empty&%FF=x"
                .parse::<Uri>()
                .unwrap(),
        );
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "path": "/x",
                "query": {"a": "1", "api_key": "[REDACTED]", "b": ["2", "3"], "empty": "", "\u{FFFD}": "x"}
            })
        );
    }
}
