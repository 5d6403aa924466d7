//! Code generation for `security_event!`, from the validated model only.

use super::parse::KeyValue;
use super::vocabulary::Param;
use super::Event;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

pub(crate) fn expand(event: &Event<'_>) -> TokenStream {
    let name = event.name;
    let level = event.level.variant();
    let category = event.category.name();
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
