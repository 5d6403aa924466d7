//! `security_event!(NAME, key = value, ...)` read as written, every
//! malformed argument reported and skipped.

use crate::errors::{skip_to_comma, Errors};
use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Ident, Token};

/// One `key = value`.
pub(crate) struct KeyValue {
    pub(crate) key: Ident,
    pub(crate) value: Expr,
}

/// The macro call as written.
pub(crate) struct Call {
    pub(crate) name: Ident,
    pub(crate) args: Vec<KeyValue>,
}

const USAGE: &str = "write `security_event!(NAME, key = value, ...)`, as in `security_event!(authz_fail, user = id, resource = \"/admin\")`";

impl Call {
    /// Parses the call, collecting every error; `None` when not even the
    /// name could be read.
    pub(crate) fn from_syn(input: TokenStream, errors: &mut Errors) -> Option<Call> {
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
