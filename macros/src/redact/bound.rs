//! The `where` clause of a derived impl: like serde_derive, a bound on each
//! type parameter that a logged field uses, for the trait its mode needs
//! (`Redact`, `Serialize`, or the text traits of the masks), so
//! `Wrapper<T>` implements `Redact` exactly when `T` can be logged.

use super::attr::Mode;
use super::Container;
use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::visit::Visit;
use syn::{GenericParam, Ident, Type, TypePath, WhereClause};

/// The impl's `where` clause: the type's own predicates and the inferred
/// bounds.
pub(crate) fn where_clause(c: &Container<'_>) -> Option<WhereClause> {
    let params: Vec<&Ident> = c
        .generics
        .params
        .iter()
        .filter_map(|p| match p {
            GenericParam::Type(t) => Some(&t.ident),
            _ => None,
        })
        .collect();
    let mut clause = c.generics.where_clause.clone();
    if params.is_empty() {
        return clause;
    }
    let mut seen: Vec<String> = Vec::new();
    let mut predicates: Vec<TokenStream> = Vec::new();
    for field in c.logged_fields() {
        let Some(bound) = trait_for(field.mode) else {
            continue;
        };
        let mut finder = Finder {
            params: &params,
            found: Vec::new(),
        };
        finder.visit_type(field.ty);
        for ty in finder.found {
            let predicate = quote!(#ty: #bound);
            let key = predicate.to_string();
            if !seen.contains(&key) {
                seen.push(key);
                predicates.push(predicate);
            }
        }
    }
    if predicates.is_empty() {
        return clause;
    }
    let clause = clause.get_or_insert_with(|| syn::parse_quote!(where));
    for p in predicates {
        clause.predicates.push(syn::parse_quote!(#p));
    }
    Some(clause.clone())
}

/// The trait a field's type (and so its type parameters) must implement.
fn trait_for(mode: Mode) -> Option<TokenStream> {
    Some(match mode {
        Mode::Own | Mode::Clear => quote!(::seclog::Redact),
        Mode::Serialize => quote!(::seclog::__private::serde::Serialize),
        Mode::KeepLast(_) | Mode::KeepFirst(_) => quote!(::seclog::redact::__derive::MaskText),
        Mode::Hash => quote!(::seclog::redact::__derive::HashInput),
        Mode::Redacted | Mode::Skip => return None,
    })
}

/// Collects the types to bound: a parameter `T` itself, or a path through
/// it (`T::Item`, `<T as Trait>::Item`). `PhantomData<T>` logs nothing and
/// needs no bound.
struct Finder<'p> {
    params: &'p [&'p Ident],
    found: Vec<Type>,
}

impl Finder<'_> {
    fn mentions_param(&self, ty: &Type) -> bool {
        struct Mentions<'p>(&'p [&'p Ident], bool);
        impl<'ast> Visit<'ast> for Mentions<'_> {
            fn visit_ident(&mut self, i: &'ast Ident) {
                if self.0.contains(&i) {
                    self.1 = true;
                }
            }
        }
        let mut m = Mentions(self.params, false);
        m.visit_type(ty);
        m.1
    }
}

impl<'ast> Visit<'ast> for Finder<'_> {
    fn visit_type_path(&mut self, tp: &'ast TypePath) {
        if let Some(q) = &tp.qself {
            if self.mentions_param(&q.ty) {
                self.found.push(Type::Path(tp.clone()));
            }
            return;
        }
        let segments = &tp.path.segments;
        if tp.path.leading_colon.is_none() {
            if let Some(first) = segments.first() {
                if self.params.contains(&&first.ident) {
                    let ty = if segments.len() == 1 {
                        first.ident.to_token_stream()
                    } else {
                        tp.to_token_stream()
                    };
                    if let Ok(ty) = syn::parse2::<Type>(ty) {
                        self.found.push(ty);
                    }
                    return;
                }
            }
        }
        if segments.last().is_some_and(|s| s.ident == "PhantomData") {
            return;
        }
        syn::visit::visit_type_path(self, tp);
    }

    fn visit_macro(&mut self, _: &'ast syn::Macro) {}
}
