//! How request and response payloads are logged: headers, query strings
//! and cookies as objects through the sensitive-key policy, and bodies as
//! JSON when they are JSON (transcoded straight into the record, without
//! an intermediate `Value`) and as an object when they are a form (base64
//! decoded first when API Gateway or an ALB encoded them), else by size
//! and content type.

use crate::redact::{Array, Object, Out};
use aws_lambda_events::encodings::Body;
use aws_lambda_events::http::HeaderMap;
use aws_lambda_events::query_map::QueryMap;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Query string parameters as an object of value arrays, names through
/// the sensitive-key policy.
pub(crate) fn write_query(map: &QueryMap, out: Out<'_>) {
    out.serialize(map)
}

/// Cookies (`name=value` strings) by name only: a cookie's value is a
/// credential more often than not, whatever its name. A cookie without
/// `=` is all value (as browsers read it), so it has no name to show.
pub(crate) fn write_cookies<'c>(cookies: impl Iterator<Item = &'c str>, out: Out<'_>) {
    let mut array = out.array();
    for cookie in cookies {
        let name = cookie.split_once('=').map_or("", |(name, _)| name).trim();
        array.item_with(|out| out.display(&format_args!("{name}=[REDACTED]")));
    }
}

/// A body as the application sees it.
pub(crate) enum BodyView<'b> {
    /// No body.
    None,
    /// Text as received.
    Text(&'b str),
    /// Bytes (decoded from base64 already).
    Bytes(&'b [u8]),
    /// Base64 text of a binary body.
    Base64(&'b str),
}

impl<'b> BodyView<'b> {
    pub(crate) fn of_text(text: Option<&'b str>, base64: bool) -> Self {
        match text {
            None => BodyView::None,
            Some(t) if base64 => BodyView::Base64(t),
            Some(t) => BodyView::Text(t),
        }
    }

    pub(crate) fn of_body(body: Option<&'b Body>, base64: bool) -> Self {
        match body {
            None | Some(Body::Empty) => BodyView::None,
            Some(Body::Text(t)) if base64 => BodyView::Base64(t),
            Some(Body::Text(t)) => BodyView::Text(t),
            Some(Body::Binary(b)) => BodyView::Bytes(b),
            // `Body` may grow variants: an unknown one is logged as present.
            Some(_) => BodyView::Bytes(&[]),
        }
    }
}

/// Whether a `Content-Type` names JSON (`application/json`, `…+json`).
pub(super) fn is_json_type(content_type: &str) -> bool {
    let media = content_type.split(';').next().unwrap_or_default().trim();
    media.eq_ignore_ascii_case("application/json")
        || (media.len() > 5 && media.is_char_boundary(media.len() - 5) && {
            let (_, suffix) = media.split_at(media.len() - 5);
            suffix.eq_ignore_ascii_case("+json")
        })
}

/// Whether a `Content-Type` names a form body
/// (`application/x-www-form-urlencoded`).
pub(super) fn is_form_type(content_type: &str) -> bool {
    let media = content_type.split(';').next().unwrap_or_default().trim();
    media.eq_ignore_ascii_case("application/x-www-form-urlencoded")
}

/// The most base64 text of a JSON or form body that is decoded to be
/// logged: what a record of the largest size (1 MiB) could show of it.
/// A longer one is logged by size and type.
const MAX_DECODED_BASE64: usize = (crate::redact::Limits::MAX_RECORD_BYTES / 3 + 1) * 4;

/// Whether `text` is one complete JSON value.
fn is_json(text: &str) -> bool {
    serde_json::from_str::<IgnoredAny>(text).is_ok()
}

/// A body: JSON as structured data and a form as an object, through the
/// sensitive-key policy; anything else as `"[N bytes: content/type]"`. A
/// JSON or form body API Gateway or an ALB sent base64-encoded (an HTTP
/// API does so for forms) is decoded first.
pub(crate) fn write_body(body: BodyView<'_>, content_type: Option<&str>, out: Out<'_>) {
    use base64::Engine as _;
    let json_label = content_type.map(is_json_type);
    let form = content_type.is_some_and(is_form_type);
    let readable = form || json_label == Some(true);
    let decoded: Vec<u8>;
    let text = match body {
        BodyView::None => return out.null(),
        BodyView::Text(t) => Some(t),
        BodyView::Bytes(b) if readable => std::str::from_utf8(b).ok(),
        BodyView::Base64(t) if readable && t.len() <= MAX_DECODED_BASE64 => {
            match base64::engine::general_purpose::STANDARD.decode(t.trim_end()) {
                Ok(bytes) => {
                    decoded = bytes;
                    std::str::from_utf8(&decoded).ok()
                }
                Err(_) => None,
            }
        }
        BodyView::Bytes(_) | BodyView::Base64(_) => None,
    };
    if let (Some(text), true) = (text, form) {
        return crate::integrations::form::write_form(text, out);
    }
    if let Some(text) = text {
        let looks_json = match json_label {
            Some(labelled) => labelled,
            None => matches!(text.trim_start().as_bytes().first(), Some(b'{' | b'[')),
        };
        if looks_json && is_json(text) {
            return write_json_text(text, out);
        }
    }
    let (len, encoding) = match body {
        BodyView::Base64(t) => (t.len(), " base64"),
        BodyView::Text(t) => (t.len(), ""),
        BodyView::Bytes(b) => (b.len(), ""),
        BodyView::None => (0, ""),
    };
    // The content type is the client's text: keep it short.
    let kind = content_type.map(|c| &c[..crate::json::floor_char_boundary(c, 100)]);
    match kind {
        Some(kind) => out.display(&format_args!("[{len} bytes{encoding}: {kind}]")),
        None => out.display(&format_args!("[{len} bytes{encoding}]")),
    }
}

pub(super) fn content_type(headers: &HeaderMap) -> Option<&str> {
    headers.get("content-type").and_then(|v| v.to_str().ok())
}

/// Writes one JSON text as structured data, member names through the
/// sensitive-key policy, without building an intermediate value.
pub(crate) fn write_json_text(text: &str, out: Out<'_>) {
    let mut de = serde_json::Deserializer::from_str(text);
    let _ = transcode(&mut de, out);
}

/// Writes the next JSON value of `d` into `out`. Whatever happens, `out`
/// receives exactly one value, so the record stays valid JSON.
fn transcode<'de, D: Deserializer<'de>>(d: D, out: Out<'_>) -> Result<(), D::Error> {
    let mut slot = Some(out);
    let result = d.deserialize_any(Transcode { slot: &mut slot });
    if let Some(out) = slot {
        out.null();
    }
    result
}

struct Transcode<'s, 'a> {
    slot: &'s mut Option<Out<'a>>,
}

impl Transcode<'_, '_> {
    fn with<E>(self, f: impl FnOnce(Out<'_>)) -> Result<(), E> {
        if let Some(out) = self.slot.take() {
            f(out);
        }
        Ok(())
    }
}

impl<'de> Visitor<'de> for Transcode<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.with(|out| out.bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.with(|out| out.i64(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.with(|out| out.u64(v))
    }

    fn visit_i128<E>(self, v: i128) -> Result<(), E> {
        self.with(|out| out.i128(v))
    }

    fn visit_u128<E>(self, v: u128) -> Result<(), E> {
        self.with(|out| out.u128(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.with(|out| out.f64(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.with(|out| out.str(v))
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.with(|out| out.null())
    }

    fn visit_none<E>(self) -> Result<(), E> {
        self.with(|out| out.null())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some(out) = self.slot.take() else {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        };
        let mut array = out.array();
        while seq.next_element_seed(Item { array: &mut array })?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some(out) = self.slot.take() else {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(());
        };
        let mut object = out.object();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            member(&mut object, key.as_str(), &mut map)?;
        }
        Ok(())
    }
}

/// One member of an untyped object: redacted when its name is sensitive
/// (its value is then read and dropped), else transcoded.
fn member<'de, A: MapAccess<'de>>(
    object: &mut Object<'_>,
    key: &str,
    map: &mut A,
) -> Result<(), A::Error> {
    let mut result = None;
    object.entry_with(key, |out| {
        result = Some(map.next_value_seed(MemberValue(out)))
    });
    match result {
        Some(r) => r,
        None => map.next_value::<IgnoredAny>().map(drop),
    }
}

/// An array item: transcoded when the array still has room, else read and
/// counted as cut.
struct Item<'r, 'a> {
    array: &'r mut Array<'a>,
}

impl<'de> DeserializeSeed<'de> for Item<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let mut d = Some(d);
        let mut result = Ok(());
        self.array.item_with(|out| {
            if let Some(d) = d.take() {
                result = transcode(d, out);
            }
        });
        match d {
            Some(d) => d.deserialize_ignored_any(IgnoredAny).map(drop),
            None => result,
        }
    }
}

/// A member's value.
struct MemberValue<'a>(Out<'a>);

impl<'de> DeserializeSeed<'de> for MemberValue<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        transcode(d, self.0)
    }
}

/// A member name, borrowed from the text unless it had escapes.
enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key<'de>, D::Error> {
        d.deserialize_str(KeySeed)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key::Owned(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
        Ok(Key::Owned(v))
    }
}
