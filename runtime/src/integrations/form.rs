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
pub(crate) fn write_form(text: &str, out: Out<'_>) {
    let mut params: BTreeMap<Cow<'_, str>, Vec<Cow<'_, str>>> = BTreeMap::new();
    for (name, value) in form_urlencoded::parse(text.as_bytes()) {
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
}
