//! Code generation for `#[derive(Redact)]`, from the validated model only.
//!
//! Each field is written by code chosen at compile time for its mode: no
//! name matching or intermediate value at run time. Calls that need the
//! field's type to implement something carry the type's span, so an error
//! points at the field the user must change.

use super::attr::Mode;
use super::{bound, Container, Data, Field, FieldsStyle, Shape, Tagging, Variant};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

pub(crate) fn expand(c: &Container<'_>) -> TokenStream {
    let ident = c.ident;
    let (impl_generics, ty_generics, _) = c.generics.split_for_impl();
    let where_clause = bound::where_clause(c);
    let body = match &c.data {
        Data::Struct(shape) => shape_tokens(shape, &|f| {
            let member = &f.member;
            quote!(&self.#member)
        }),
        Data::Enum(variants, tagging) => enum_tokens(ident, variants, tagging),
    };
    quote! {
        #[automatically_derived]
        impl #impl_generics ::seclog::Redact for #ident #ty_generics #where_clause {
            fn redact(&self, __seclog_out: ::seclog::Out<'_>) {
                #[allow(unused_imports)]
                use ::seclog::redact::__derive::{FieldNotRedact as _, FieldViaRedact as _};
                #body
            }
        }
    }
}

/// The impl beside the errors of an invalid derive: "[REDACTED]" for the
/// whole value, with no bound the fields would need.
pub(crate) fn fallback(c: &Container<'_>) -> TokenStream {
    let ident = c.ident;
    let (impl_generics, ty_generics, where_clause) = c.generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics ::seclog::Redact for #ident #ty_generics #where_clause {
            fn redact(&self, __seclog_out: ::seclog::Out<'_>) {
                __seclog_out.redacted()
            }
        }
    }
}

/// Where one field's value goes.
enum Slot<'n> {
    /// Into `__seclog_out` itself (a newtype).
    Value,
    /// A member of `__seclog_object`.
    Member(&'n str),
    /// An item of `__seclog_array`.
    Item,
}

/// Writes `shape` into `__seclog_out`; `value` gives a field's `&T`.
fn shape_tokens(shape: &Shape<'_>, value: &dyn Fn(&Field<'_>) -> TokenStream) -> TokenStream {
    shape_with_tag(shape, value, None)
}

/// [`shape_tokens`], with a first member `tag` when the shape is an object
/// (an internally tagged variant's `{"<tag>": "<name>", ...}`).
fn shape_with_tag(
    shape: &Shape<'_>,
    value: &dyn Fn(&Field<'_>) -> TokenStream,
    tag: Option<TokenStream>,
) -> TokenStream {
    let logged = |fields: &[Field<'_>]| fields.iter().filter(|f| f.mode != Mode::Skip).count();
    match shape {
        Shape::Unit => quote!(__seclog_out.null();),
        Shape::Newtype(f) => field_tokens(f, &value(f), Slot::Value),
        Shape::Named(fields) => {
            let writes = fields
                .iter()
                .map(|f| field_tokens(f, &value(f), Slot::Member(&f.name)));
            let binding = if logged(fields) == 0 && tag.is_none() {
                quote!(__seclog_object)
            } else {
                quote!(mut __seclog_object)
            };
            quote! {
                let #binding = __seclog_out.object();
                #tag
                #(#writes)*
            }
        }
        Shape::Tuple(fields) => {
            let writes = fields
                .iter()
                .map(|f| field_tokens(f, &value(f), Slot::Item));
            let binding = if logged(fields) == 0 {
                quote!(__seclog_array)
            } else {
                quote!(mut __seclog_array)
            };
            quote! {
                let #binding = __seclog_out.array();
                #(#writes)*
            }
        }
    }
}

/// The statement writing one field.
fn field_tokens(f: &Field<'_>, value: &TokenStream, slot: Slot<'_>) -> TokenStream {
    let span = f.ty.span();
    // The value carries the type's span too: rustc underlines the argument
    // that fails a bound.
    let value = &respan(value.clone(), span);
    let write = match f.mode {
        Mode::Own => {
            let call = quote_spanned!(span=> .__seclog_field(__seclog_out));
            quote!((&&::seclog::redact::__derive::Probe(#value))#call)
        }
        // Through the field type's own `Redact`, its text not scanned for
        // secrets' shapes.
        Mode::Clear => {
            let call = quote_spanned!(span=> .__seclog_field(__seclog_out));
            quote! {
                ::seclog::redact::__derive::clear(__seclog_out, |__seclog_out: ::seclog::Out<'_>| {
                    (&&::seclog::redact::__derive::Probe(#value))#call
                })
            }
        }
        Mode::Redacted => quote!(__seclog_out.redacted()),
        Mode::KeepLast(n) => {
            let f = quote_spanned!(span=> ::seclog::redact::__derive::keep_last);
            quote!(#f(__seclog_out, #value, #n))
        }
        Mode::KeepFirst(n) => {
            let f = quote_spanned!(span=> ::seclog::redact::__derive::keep_first);
            quote!(#f(__seclog_out, #value, #n))
        }
        Mode::Hash => {
            let f = quote_spanned!(span=> ::seclog::redact::__derive::hash);
            quote!(#f(__seclog_out, #value))
        }
        Mode::Serialize => {
            let f = quote_spanned!(span=> ::seclog::redact::__derive::serialize);
            quote!(#f(__seclog_out, #value))
        }
        Mode::Seal => {
            // Under `seal`: an error there when the feature is not built.
            let feature = quote_spanned!(f.mode_span=> ::seclog::__seal_feature!());
            let seal = quote_spanned!(span=> ::seclog::redact::__derive::seal);
            quote!({ #feature; #seal(__seclog_out, #value) })
        }
        Mode::Skip => return TokenStream::new(),
    };
    let statement = match slot {
        Slot::Value => quote!(#write;),
        // A member's name is judged at run time unless the field is marked
        // (a mask already hides its value; `clear` declares it is not
        // secret): terms added at run time reach unmarked fields, and every
        // term reaches `serialize` fields, as it reaches untyped data.
        Slot::Member(name) => {
            let write = quote!(|__seclog_out: ::seclog::Out<'_>| #write);
            match f.mode {
                // A masked value cannot be merged: it stays a member.
                Mode::Own | Mode::Clear | Mode::Serialize if f.flatten => quote! {
                    __seclog_object.flatten_with(#name, #write);
                },
                Mode::Own => quote! {
                    ::seclog::redact::__derive::field_checked(&mut __seclog_object, #name, #write);
                },
                Mode::Serialize => quote! {
                    ::seclog::redact::__derive::field_by_policy(&mut __seclog_object, #name, #write);
                },
                _ => quote!(__seclog_object.field_with(#name, #write);),
            }
        }
        Slot::Item => quote!(__seclog_array.item_with(|__seclog_out: ::seclog::Out<'_>| #write);),
    };
    match &f.skip_if {
        Some(path) => quote! {
            if !#path(#value) {
                #statement
            }
        },
        None => statement,
    }
}

/// `tokens` with every token given `span`.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut t| {
            if let proc_macro2::TokenTree::Group(g) = &t {
                let mut group = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                t = group.into();
            }
            t.set_span(span);
            t
        })
        .collect()
}

/// `{"<tag>": "<name>"` as the first member of `__seclog_object`: the
/// variant's name, seclog's own words (not scanned).
fn tag_member(tag: &str, name: &str) -> TokenStream {
    quote! {
        __seclog_object.field_with(#tag, |__seclog_out: ::seclog::Out<'_>| {
            ::seclog::redact::__derive::variant_name(__seclog_out, #name)
        });
    }
}

fn enum_tokens(ident: &syn::Ident, variants: &[Variant<'_>], tagging: &Tagging) -> TokenStream {
    if variants.is_empty() {
        return quote!(match *self {});
    }
    let arms = variants.iter().map(|v| {
        let vident = v.ident;
        let fields: Vec<&Field<'_>> = match &v.shape {
            Shape::Named(fs) | Shape::Tuple(fs) => fs.iter().collect(),
            Shape::Newtype(f) => vec![f],
            Shape::Unit => Vec::new(),
        };
        let used: Vec<&&Field<'_>> = fields
            .iter()
            .filter(|f| f.mode != Mode::Skip && !v.skipped)
            .collect();
        let binding =
            |f: &Field<'_>| format_ident!("__seclog_{}", f.index, span = Span::call_site());
        let pattern = match v.fields_style {
            FieldsStyle::Unit => quote!(#ident::#vident),
            FieldsStyle::Named => {
                let binds = used.iter().map(|f| {
                    let member = &f.member;
                    let b = binding(f);
                    quote!(#member: #b)
                });
                quote!(#ident::#vident { #(#binds,)* .. })
            }
            FieldsStyle::Unnamed => {
                let binds = used.iter().map(|f| {
                    let b = binding(f);
                    let index = match &f.member {
                        syn::Member::Unnamed(i) => i.clone(),
                        syn::Member::Named(_) => syn::Index::from(f.index),
                    };
                    quote!(#index: #b)
                });
                quote!(#ident::#vident { #(#binds,)* .. })
            }
        };
        let name = &v.name;
        let value = |f: &Field<'_>| {
            let b = binding(f);
            quote!(#b)
        };
        let tagging = if v.untagged {
            &Tagging::Untagged
        } else {
            tagging
        };
        let unit = matches!(v.shape, Shape::Unit);
        let body = match tagging {
            // serde refuses to write a skipped variant; its name says which.
            _ if v.skipped => quote!(__seclog_out.str(#name);),
            Tagging::Untagged => shape_tokens(&v.shape, &value),
            Tagging::Adjacent { tag, content } => {
                let tag = tag_member(tag, name);
                let content = (!unit).then(|| {
                    let content_tokens = shape_tokens(&v.shape, &value);
                    quote! {
                        __seclog_object.field_with(#content, |__seclog_out: ::seclog::Out<'_>| {
                            #content_tokens
                        });
                    }
                });
                quote! {
                    let mut __seclog_object = __seclog_out.object();
                    #tag
                    #content
                }
            }
            Tagging::Internal { tag } if unit => {
                let tag = tag_member(tag, name);
                quote! {
                    let mut __seclog_object = __seclog_out.object();
                    #tag
                }
            }
            Tagging::Internal { tag } if matches!(v.shape, Shape::Named(_)) => {
                shape_with_tag(&v.shape, &value, Some(tag_member(tag, name)))
            }
            // A newtype variant, internally tagged: its content's members
            // beside the tag (content that is not an object, which serde
            // refuses, is written as a member named for the variant).
            Tagging::Internal { tag } if matches!(v.shape, Shape::Newtype(_)) => {
                let tag = tag_member(tag, name);
                let content = shape_tokens(&v.shape, &value);
                quote! {
                    let mut __seclog_object = __seclog_out.object();
                    #tag
                    __seclog_object.flatten_with(#name, |__seclog_out: ::seclog::Out<'_>| { #content });
                }
            }
            Tagging::External | Tagging::Internal { .. } if unit => {
                quote!(__seclog_out.str(#name);)
            }
            Tagging::External | Tagging::Internal { .. } => {
                let content = shape_tokens(&v.shape, &value);
                quote! {
                    let mut __seclog_variant = __seclog_out.object();
                    __seclog_variant.field_with(#name, |__seclog_out: ::seclog::Out<'_>| { #content });
                }
            }
        };
        quote!(#pattern => { #body })
    });
    quote! {
        match self {
            #(#arms)*
        }
    }
}
