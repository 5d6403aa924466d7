//! `security_event!(NAME, key = value, ...)`: read the call as written
//! ([`parse`]), check it against the embedded OWASP Logging Vocabulary
//! ([`Event::validate`]), then expand the checked event ([`expand`]).

mod expand;
mod parse;
mod vocabulary;

use crate::errors::{distance, Errors};
use crate::model::{Category, Level};
use parse::{Call, KeyValue};
use proc_macro2::TokenStream;
use quote::quote;
use syn::ext::IdentExt;
use syn::Expr;
use vocabulary::{Param, EVENTS};

pub(crate) fn security_event(input: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let call = Call::from_syn(input, &mut errors);
    let event = call.as_ref().and_then(|c| Event::validate(c, &mut errors));
    match (errors.finish(), event) {
        (Ok(()), Some(event)) => expand::expand(&event),
        (Err(e), _) => anyway(e, call.as_ref()),
        // Neither a call nor an event comes without an error reported.
        (Ok(()), None) => TokenStream::new(),
    }
}

/// The errors, with the values still evaluated so the user sees only the
/// real mistakes (no "unused variable" warnings).
fn anyway(e: syn::Error, call: Option<&Call>) -> TokenStream {
    let errors = e.to_compile_error();
    let values = call.into_iter().flat_map(|c| &c.args).map(|a| {
        let v = &a.value;
        quote!(let _ = &(#v);)
    });
    quote!({ #errors #(#values)* })
}

/// A checked event: its vocabulary entry and the value of each argument.
pub(crate) struct Event<'a> {
    pub(crate) name: &'static str,
    pub(crate) level: Level,
    pub(crate) category: Category,
    pub(crate) types: &'static str,
    pub(crate) outcome: Option<&'static str>,
    /// In the vocabulary's order: each argument and its values by key.
    pub(crate) params: Vec<(Param, Vec<(String, &'a KeyValue)>)>,
    /// Every value in the order written, evaluated first.
    pub(crate) written: &'a [KeyValue],
}

impl<'a> Event<'a> {
    /// The call checked against its vocabulary entry; `None` (reported)
    /// when the name is not in the vocabulary.
    fn validate(call: &'a Call, errors: &mut Errors) -> Option<Event<'a>> {
        let written = call.name.unraw().to_string();
        let Some(&(name, arguments, level)) = EVENTS.iter().find(|(n, _, _)| *n == written) else {
            errors.spanned(&call.name, unknown_name(&written));
            return None;
        };
        let Some(level) = vocabulary::level(level) else {
            // The embedded table is checked by a unit test; this keeps an
            // unknown level from ever becoming a default.
            errors.spanned(
                &call.name,
                format!("seclog's vocabulary gives `{name}` the unknown level `{level}`"),
            );
            return None;
        };
        let params = vocabulary::params(arguments);
        let mut slots: Vec<(Param, Vec<(String, &KeyValue)>)> =
            params.into_iter().map(|p| (p, Vec::new())).collect();
        let all_keys: Vec<String> = slots.iter().flat_map(|(p, _)| p.shown_keys()).collect();
        let all_refs: Vec<&str> = all_keys.iter().map(String::as_str).collect();
        let mut seen: Vec<String> = Vec::new();
        // Arguments a misspelt key probably meant: not reported missing too.
        let mut meant: Vec<&str> = Vec::new();
        for kv in &call.args {
            let key = kv.key.unraw().to_string();
            let Some((param, given)) = slots.iter_mut().find(|(p, _)| p.keys().contains(&key))
            else {
                let guess = crate::errors::closest(&key, &all_refs);
                meant.extend(guess);
                errors.spanned(
                    &kv.key,
                    format!(
                        "`{name}` has no argument `{key}`{}; its arguments: {}",
                        guess
                            .map(|g| format!(" (did you mean `{g}`?)"))
                            .unwrap_or_default(),
                        if all_keys.is_empty() {
                            "none".to_string()
                        } else {
                            all_keys.join(", ")
                        }
                    ),
                );
                continue;
            };
            // `user` and `userid` are one argument.
            let canonical = if key == "userid" {
                "user".to_string()
            } else if key == "user_agent" {
                "useragent".into()
            } else {
                key.clone()
            };
            if seen.contains(&canonical) {
                errors.spanned(
                    &kv.key,
                    format!("`{canonical}` is given twice: give each argument once"),
                );
                continue;
            }
            seen.push(canonical.clone());
            if *param == Param::UserOrIp && !given.is_empty() {
                errors.spanned(
                    &kv.key,
                    format!("`{name}` takes `user` or `ip` (its first argument is `userid|ip`), not both: keep one"),
                );
                continue;
            }
            if let Param::Choice(arg, allowed) = &*param {
                if let Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = &kv.value
                {
                    if !allowed.contains(&s.value()) {
                        errors.spanned(
                            s,
                            format!(
                                "`{arg}` of `{name}` is one of: {}; not `{}`",
                                allowed.join(", "),
                                s.value()
                            ),
                        );
                    }
                }
            }
            given.push((canonical, kv));
        }
        let mut missing = Vec::new();
        for (param, given) in &slots {
            if param.optional() {
                continue;
            }
            for key in param.keys() {
                if !given.iter().any(|(k, _)| *k == key) && !meant.contains(&key.as_str()) {
                    missing.push(key);
                }
            }
        }
        if !missing.is_empty() {
            let list = missing
                .iter()
                .map(|k| format!("`{k} = ...`"))
                .collect::<Vec<_>>()
                .join(", ");
            errors.spanned(
                &call.name,
                format!(
                    "`{name}` needs {}: add {list} (its arguments: {})",
                    if missing.len() == 1 {
                        "an argument"
                    } else {
                        "more arguments"
                    },
                    all_keys.join(", ")
                ),
            );
        }
        let (category, types) = vocabulary::ecs(name);
        Some(Event {
            name,
            level,
            category,
            types,
            outcome: vocabulary::outcome(name),
            params: slots,
            written: &call.args,
        })
    }
}

/// "unknown event; the nearest names are ..."
fn unknown_name(written: &str) -> String {
    let lower = written.to_ascii_lowercase();
    if lower != written && EVENTS.iter().any(|(n, _, _)| *n == lower) {
        return format!("OWASP vocabulary event names are lower case: write `{lower}`");
    }
    let mut near: Vec<(usize, &str)> = EVENTS
        .iter()
        .map(|(n, _, _)| (distance(&lower, n), *n))
        .collect();
    near.sort();
    let names: Vec<String> = near.iter().take(3).map(|(_, n)| format!("`{n}`")).collect();
    format!(
        "`{written}` is not an event of the OWASP Logging Vocabulary; the nearest are {}, {} and {}",
        names[0], names[1], names[2]
    )
}
