//! `security_event!(NAME, key = value, ...)`: parse the call, check it
//! against the embedded OWASP Logging Vocabulary, then expand it.

mod vocabulary;

use crate::errors::Errors;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Expr, Ident, Token};
use vocabulary::{Param, EVENTS};

pub(crate) fn security_event(input: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let call = Call::parse(input, &mut errors);
    let event = call.as_ref().and_then(|c| Event::validate(c, &mut errors));
    match (errors.finish(), event) {
        (Ok(()), Some(event)) => expand(&event),
        (Err(e), _) => anyway(e, call.as_ref()),
        (Ok(()), None) => anyway(
            syn::Error::new(Span::call_site(), "invalid security event"),
            call.as_ref(),
        ),
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

/// One `key = value`.
struct KeyValue {
    key: Ident,
    value: Expr,
}

/// The macro call as written.
struct Call {
    name: Ident,
    args: Vec<KeyValue>,
}

const USAGE: &str = "write `security_event!(NAME, key = value, ...)`, as in `security_event!(authz_fail, user = id, resource = \"/admin\")`";

impl Call {
    /// Parses the call, collecting every error; `None` when not even the
    /// name could be read.
    fn parse(input: TokenStream, errors: &mut Errors) -> Option<Call> {
        if input.is_empty() {
            errors.push(syn::Error::new(
                Span::call_site(),
                format!("expected an OWASP vocabulary event name: {USAGE}"),
            ));
            return None;
        }
        let mut call = None;
        let parser = |input: ParseStream<'_>| {
            let name = if input.peek(syn::LitStr) {
                let lit: syn::LitStr = input.parse()?;
                errors.spanned(
                    &lit,
                    format!(
                        "the event name is a bare word, not a string: write `{}` without quotes",
                        lit.value()
                    ),
                );
                Ident::new(
                    &lit.value()
                        .replace(|c: char| !c.is_alphanumeric() && c != '_', "_"),
                    lit.span(),
                )
            } else {
                match input.call(Ident::parse_any) {
                    Ok(i) => i,
                    Err(e) => {
                        return Err(syn::Error::new(
                            e.span(),
                            format!("expected an OWASP vocabulary event name: {USAGE}"),
                        ))
                    }
                }
            };
            let mut args = Vec::new();
            while !input.is_empty() {
                if let Err(e) = input.parse::<Token![,]>() {
                    errors.push(syn::Error::new(
                        e.span(),
                        "expected `,` before the next `key = value`",
                    ));
                    skip_to_comma(input);
                    continue;
                }
                if input.is_empty() {
                    break;
                }
                match key_value(input) {
                    Ok(kv) => args.push(kv),
                    Err(e) => {
                        errors.push(e);
                        skip_to_comma(input);
                    }
                }
            }
            call = Some(Call { name, args });
            Ok(())
        };
        if let Err(e) = parser.parse2(input) {
            errors.push(e);
        }
        call
    }
}

fn key_value(input: ParseStream<'_>) -> syn::Result<KeyValue> {
    let key = input
        .call(Ident::parse_any)
        .map_err(|e| syn::Error::new(e.span(), format!("expected `key = value`: {USAGE}")))?;
    if !input.peek(Token![=]) {
        return Err(syn::Error::new(
            key.span(),
            format!("`{key}` needs a value: write `{key} = ...` (a value that is `Display`, or an `Option` of one)"),
        ));
    }
    input.parse::<Token![=]>()?;
    let value: Expr = input.parse()?;
    Ok(KeyValue { key, value })
}

fn skip_to_comma(input: ParseStream<'_>) {
    while !input.is_empty() && !input.peek(Token![,]) {
        if input.parse::<proc_macro2::TokenTree>().is_err() {
            break;
        }
    }
}

/// A checked event: its vocabulary entry and the value of each argument.
struct Event<'a> {
    name: &'static str,
    level: &'static str,
    category: &'static str,
    types: &'static str,
    outcome: Option<&'static str>,
    /// In the vocabulary's order: each argument and its values by key.
    params: Vec<(Param, Vec<(String, &'a KeyValue)>)>,
    /// Every value in the order written, evaluated first.
    written: &'a [KeyValue],
}

impl<'a> Event<'a> {
    fn validate(call: &'a Call, errors: &mut Errors) -> Option<Event<'a>> {
        let written = call.name.unraw().to_string();
        let Some(&(name, arguments, level)) = EVENTS.iter().find(|(n, _, _)| *n == written) else {
            errors.spanned(&call.name, unknown_name(&written));
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
            level: match level {
                "WARN" => "Warn",
                "CRITICAL" => "Critical",
                // INFO, and INFO|CRITICAL (raised at run time by the result).
                _ => "Info",
            },
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

/// Edit distance counting a swap of two neighbouring letters as one edit.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

fn expand(event: &Event<'_>) -> TokenStream {
    let name = event.name;
    let level = format_ident!("{}", event.level);
    let category = event.category;
    let types = event.types;
    let outcome = match event.outcome {
        Some(o) => {
            let o = format_ident!("{}", o);
            quote!(::core::option::Option::Some(::seclog::__owasp::EventOutcome::#o))
        }
        None => quote!(::core::option::Option::None),
    };
    // Values are evaluated once, in the order written.
    let local = |i: usize| format_ident!("__seclog_value_{}", i);
    let bindings = event.written.iter().enumerate().map(|(i, kv)| {
        let v = &kv.value;
        let l = local(i);
        quote!(let #l = &(#v);)
    });
    let index_of = |kv: &KeyValue| {
        event
            .written
            .iter()
            .position(|w| std::ptr::eq(w, kv))
            .unwrap_or(0)
    };
    let text = |given: &[(String, &KeyValue)], key: &str| -> TokenStream {
        match given.iter().find(|(k, _)| k == key) {
            Some((_, kv)) => {
                let l = local(index_of(kv));
                let call = quote_spanned!(kv.value.span()=> .__seclog_arg());
                quote!((&&&::seclog::__owasp::Arg(#l))#call)
            }
            None => quote!(::core::option::Option::None),
        }
    };
    let steps = event.params.iter().map(|(param, given)| match param {
        Param::User => {
            let v = text(given, "user");
            quote!(__seclog_event.user(#v);)
        }
        Param::UserOrIp => {
            let (u, ip) = (text(given, "user"), text(given, "ip"));
            quote!(__seclog_event.user_or_ip(#u, #ip);)
        }
        Param::UserAgent => {
            let v = text(given, "useragent");
            quote!(__seclog_event.user_agent(#v);)
        }
        Param::List => {
            let l = given.first().map(|(_, kv)| local(index_of(kv)));
            let span = given
                .first()
                .map_or_else(Span::call_site, |(_, kv)| kv.value.span());
            quote_spanned!(span=> __seclog_event.list(#l);)
        }
        Param::CheckResult => {
            let (c, r) = (text(given, "check"), text(given, "result"));
            quote!(__seclog_event.check_result(#c, #r);)
        }
        Param::Choice(key, _) | Param::Text(key) => {
            let v = text(given, key);
            quote!(__seclog_event.text(#v);)
        }
    });
    quote! {
        {
            #[allow(unused_imports)]
            use ::seclog::__owasp::{ArgViaDisplay as _, ArgViaNothing as _, ArgViaOption as _};
            #(#bindings)*
            let mut __seclog_event = ::seclog::__owasp::Event::new(
                #name,
                ::seclog::__owasp::Level::#level,
                #category,
                #types,
                #outcome,
            );
            #(#steps)*
            __seclog_event.emit();
        }
    }
}
