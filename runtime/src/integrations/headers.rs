//! HTTP headers as a record writes them, for every integration that has
//! them (API Gateway and ALB events, `lambda_http`, axum).

use crate::redact::Out;
use http::HeaderMap;
#[cfg(feature = "axum")]
use http::HeaderName;

/// Headers as an object: each name (lower case) through the sensitive-key
/// policy, its value a string, or an array when it was sent more than once.
pub(crate) fn write_headers(map: &HeaderMap, out: Out<'_>) {
    let mut object = out.object();
    for name in map.keys() {
        let values = map.get_all(name);
        object.entry_with(name.as_str(), |out| {
            let mut iter = values.iter();
            match (iter.next(), iter.next()) {
                (Some(one), None) => header_value(one.as_bytes(), out),
                _ => {
                    let mut array = out.array();
                    for v in values.iter() {
                        array.item_with(|out| header_value(v.as_bytes(), out));
                    }
                }
            }
        });
    }
}

/// Headers given as `(name, value)` pairs (axum's header arrays), written
/// as [`write_headers`] writes a map: a name given more than once has its
/// values in an array, in order.
#[cfg(feature = "axum")]
pub(crate) fn write_header_pairs<V: AsRef<[u8]>>(pairs: &[(HeaderName, V)], out: Out<'_>) {
    let mut object = out.object();
    for (i, (name, _)) in pairs.iter().enumerate() {
        if pairs[..i].iter().any(|(seen, _)| seen == name) {
            continue;
        }
        let values = || {
            pairs[i..]
                .iter()
                .filter(move |(n, _)| n == name)
                .map(|(_, v)| v.as_ref())
        };
        object.entry_with(name.as_str(), |out| {
            let mut iter = values();
            match (iter.next(), iter.next()) {
                (Some(one), None) => header_value(one, out),
                _ => {
                    let mut array = out.array();
                    for v in values() {
                        array.item_with(|out| header_value(v, out));
                    }
                }
            }
        });
    }
}

/// A header's value: its text, or the lossy text of bytes that are not
/// UTF-8.
fn header_value(bytes: &[u8], out: Out<'_>) {
    match std::str::from_utf8(bytes) {
        Ok(s) => out.str(s),
        Err(_) => out.display(&String::from_utf8_lossy(bytes)),
    }
}
