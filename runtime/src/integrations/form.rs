//! `application/x-www-form-urlencoded` text, a query string or a form
//! body, as an object through the sensitive-key policy.

use crate::redact::Out;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Form text as an object: each parameter, decoded, through the
/// sensitive-key policy, its value a string (an array when it was given
/// more than once). Names are in sorted order, each once, so a repeated
/// name can neither write a duplicate member nor cost more than its share.
/// Values are text like any other: secrets in them are found by their
/// shape.
///
/// Only the first [`MAX_FORM_BYTES`] are read (to the last `&` before
/// them), so a hostile body of millions of pairs costs bounded memory; the
/// pairs left are counted with the members the item bound leaves out.
pub(crate) fn write_form(text: &str, out: Out<'_>) {
    let read = if text.len() <= MAX_FORM_BYTES {
        text
    } else {
        let cut = crate::json::floor_char_boundary(text, MAX_FORM_BYTES);
        &text[..text[..cut].rfind('&').unwrap_or(cut)]
    };
    let mut params: BTreeMap<Cow<'_, str>, Vec<Cow<'_, str>>> = BTreeMap::new();
    for (name, value) in form_urlencoded::parse(read.as_bytes()) {
        params.entry(name).or_default().push(value);
    }
    let mut object = out.object();
    for (name, values) in &params {
        object.entry_with(name, |out| match &values[..] {
            [one] => out.str(one),
            many => {
                let mut array = out.array();
                for v in many {
                    array.item_with(|out| out.str(v));
                }
            }
        });
    }
    let left = text[read.len()..]
        .split('&')
        .filter(|p| !p.is_empty())
        .count();
    object.skip(left);
}

/// The most form text read: 64 KiB, far more than a record shows of it
/// (256 members of 4 KiB strings at most, by default).
pub(crate) const MAX_FORM_BYTES: usize = 64 * 1024;
