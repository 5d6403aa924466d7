//! Code generation for `#[derive(AuthEvent)]`, from the validated model.

use super::{Group, Model, Role};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

pub(crate) fn expand(model: &Model<'_>) -> TokenStream {
    let body = describe_body(model);
    impls(model, body)
}

/// The impls without any role, beside the errors of an invalid derive.
pub(crate) fn fallback(model: &Model<'_>) -> TokenStream {
    impls(model, quote!(let _ = __seclog_cx;))
}

fn impls(model: &Model<'_>, body: TokenStream) -> TokenStream {
    let input = model.input;
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    // Without a kind the derive has errors, and these impls only keep
    // them from cascading: any kind serves.
    let kind = model.kind.map_or("login", |k| k.name());
    quote! {
        impl #impl_generics ::seclog::AuthEvent for #ident #ty_generics #where_clause {
            const KIND: &'static str = #kind;
        }

        impl #impl_generics ::seclog::context::Describe for #ident #ty_generics #where_clause {
            fn describe(&self, __seclog_cx: &mut ::seclog::context::Context) {
                #body
            }
        }
    }
}

fn describe_body(model: &Model<'_>) -> TokenStream {
    let groups: Vec<&Group> = model
        .groups
        .iter()
        .filter(|g| !g.marked.is_empty())
        .collect();
    if groups.is_empty() {
        return quote!(let _ = __seclog_cx;);
    }
    let arms = groups.iter().map(|g| {
        let binds = g.marked.iter().enumerate().map(|(i, m)| {
            let member = &m.member;
            let local = format_ident!("__seclog_field_{}", i);
            quote!(#member: #local)
        });
        // One binding per field, even when a field has two roles.
        let mut seen = Vec::new();
        let binds: Vec<TokenStream> = binds
            .zip(&g.marked)
            .filter(|(_, m)| {
                let new = !seen.contains(&m.member);
                seen.push(m.member.clone());
                new
            })
            .map(|(b, _)| b)
            .collect();
        let steps = g.marked.iter().map(|m| {
            let first = g
                .marked
                .iter()
                .position(|f| f.member == m.member)
                .unwrap_or(0);
            let local = format_ident!("__seclog_field_{}", first);
            step(m.role, m.redacted, &m.ty, quote!(#local))
        });
        let pattern = match &g.variant {
            Some(v) => quote!(Self::#v { #(#binds,)* .. }),
            None => quote!(Self { #(#binds,)* .. }),
        };
        quote!(#pattern => { #(#steps)* })
    });
    let catch_all =
        matches!(model.input.data, super::Data::Enum(_)) && groups.len() < model.groups.len();
    let rest = catch_all.then(|| quote!(_ => {}));
    quote! {
        #[allow(unused_imports)]
        use ::seclog::__owasp::{ArgViaDisplay as _, ArgViaNothing as _, ArgViaOption as _};
        match self {
            #(#arms)*
            #rest
        }
    }
}

/// What one marked field adds to the context; `value` is a `&FieldType`.
fn step(role: Role, redacted: bool, ty: &syn::Type, value: TokenStream) -> TokenStream {
    // Spanned on the field's type, so a type that does not fit the role is
    // reported there.
    let span: Span = ty.span();
    let call = quote_spanned!(span=> .__seclog_arg());
    let text = quote!((&&&::seclog::__owasp::Arg(#value))#call);
    match role {
        Role::User if redacted => quote! {
            if let ::core::option::Option::Some(__seclog_v) = #text {
                ::seclog::__owasp::set_user_hash(__seclog_cx, __seclog_v);
            }
        },
        Role::User => quote! {
            if let ::core::option::Option::Some(__seclog_v) = #text {
                __seclog_cx.set_user_name(__seclog_v);
            }
        },
        Role::UserAgent => quote! {
            if let ::core::option::Option::Some(__seclog_v) = #text {
                __seclog_cx.set_user_agent(__seclog_v);
            }
        },
        Role::SourceIp => quote_spanned! {span=>
            <#ty as ::seclog::auth::SourceAddress>::describe_source(#value, __seclog_cx);
        },
    }
}
