//! Code generation for `#[audit]`, from the validated model only.

use super::args::Emit;
use super::{Handler, Returns};
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::ItemFn;

pub(crate) fn expand(h: &Handler<'_>) -> TokenStream {
    let ItemFn {
        attrs, vis, block, ..
    } = h.func;
    let sig = &h.sig;
    let is_async = sig.asyncness.is_some();
    let fn_name = sig.ident.unraw().to_string();

    let name = &h.name;
    let level = h.level.variant();
    let level = quote!(::seclog::__private::Level::#level);
    let category = h.category.name();
    let category_explicit = h.category_explicit;
    let (budget_ns, budget_text) = match &h.budget {
        Some(b) => {
            let ns = b.ns;
            (quote!(::core::option::Option::Some(#ns)), b.text.clone())
        }
        None => (quote!(::core::option::Option::None), String::new()),
    };
    let emit = match h.emit {
        Emit::Both => quote!(::seclog::__private::Emit::Both),
        Emit::End => quote!(::seclog::__private::Emit::End),
    };
    let auth = match h.auth {
        Some(kind) => {
            let kind = kind.name();
            quote!(::core::option::Option::Some(#kind))
        }
        None => quote!(::core::option::Option::None),
    };
    let mask = h.mask.to_tokens();
    // Under each `seal`: an error there when the feature is not built.
    let seal_feature = h
        .seals
        .iter()
        .map(|k| quote_spanned!(k.span()=> ::seclog::__seal_feature!{}));

    // Whether an argument is an authentication attempt (a constant per
    // handler once monomorphised).
    let auth_probe: Vec<_> = h.inputs.iter().map(|i| unspanned(&i.ident)).collect();

    // The 4 W's from the arguments, then from the options (which win): first
    // the Lambda contexts only seclog binds, as a whole `LambdaEvent`
    // describes its context before its payload.
    let hidden = h.hidden.iter().map(|ident| {
        quote! {
            (&&::seclog::__private::Wrap(&#ident)).__seclog_describe(__seclog_cx);
        }
    });
    let describe = h.inputs.iter().map(|i| {
        let ident = unspanned(&i.ident);
        // What a newtype pattern took out of its wrapper is also described
        // as the wrapper's content (`ConnectInfo(addr)` gives `source.ip`).
        let unwrapped = i.unwrapped_from.as_ref().map(|ty| {
            quote! {
                (&&::seclog::__private::Wrap(&::seclog::__private::Unwrapped::<#ty, _>::new(&#ident)))
                    .__seclog_describe(__seclog_cx);
            }
        });
        quote! {
            (&&::seclog::__private::Wrap(&#ident)).__seclog_describe(__seclog_cx);
            #unwrapped
            (&&::seclog::__private::Wrap(&#ident)).__seclog_auth(__seclog_cx);
        }
    });
    let text_option = |expr: &Option<syn::Expr>, setter: &str| {
        let setter = syn::Ident::new(setter, Span::call_site());
        expr.as_ref().map(|e| {
            let call = quote_spanned!(e.span()=> .__seclog_text());
            quote! {
                if let ::core::option::Option::Some(__seclog_v) = (&&&::seclog::__private::Wrap(&(#e)))#call {
                    __seclog_cx.#setter(__seclog_v);
                }
            }
        })
    };
    let who = text_option(&h.who, "set_user_id");
    let source_ip = text_option(&h.source_ip, "set_source");
    let user_agent = text_option(&h.user_agent, "set_user_agent");

    let inputs = h.inputs.iter().filter(|i| i.logged).map(|i| {
        let ident = unspanned(&i.ident);
        let key = i.name();
        // The method call carries the argument type's span, so "cannot be
        // logged" points at the type the user must change.
        let call = quote_spanned!(i.ty.span()=> .__seclog_log(__seclog_out));
        // An argument named like a secret (`password`, `api_key`, or a term
        // added at run time) is logged as "[REDACTED]", whatever its type:
        // its name is judged by the sensitive-key policy, as a key of
        // untyped data is.
        quote! {
            ::seclog::__private::input(__seclog_inputs, #key, |__seclog_out| (&&&::seclog::__private::Wrap(&#ident))#call);
        }
    });

    let finish = finish_tokens(h);
    // Gives the body's closure or async block the handler's return type, so
    // `?` and `.into()` in the body infer as they would in the function, and
    // the response and error are known where `finish` picks how to log them.
    // `!` cannot be written in a `let` or a turbofish on stable Rust, so a
    // body that never returns is typed as `Infallible`, which `!` coerces to;
    // an `impl Trait` cannot be written there either, so it is `_`, which
    // the body's value fills in with the hidden type.
    let fake_ty = match h.returns {
        Returns::Never => Some(quote!(::core::convert::Infallible)),
        _ => h
            .ret_ty
            .as_ref()
            .and_then(body_return_type)
            .map(|t| quote!(#t)),
    };
    let fake_return = fake_ty.map(|t| {
        quote! {
            if false {
                return ::core::option::Option::<#t>::None.unwrap();
            }
        }
    });

    let prelude = quote! {
        use ::seclog::__private::{
            AuthNothing as _, AuthViaTrait as _, DescribeNothing as _, DescribeViaTrait as _, ErrorNoDisplay as _, ErrorViaDisplay as _,
            LogViaNothing as _, LogViaRedact as _, LogViaSerialize as _, OutcomeDefault as _,
            OutcomeViaTrait as _, TextViaDisplay as _, TextViaNothing as _, TextViaOption as _,
        };
    };

    // Only the synchronous path finishes the invocation in place, and only
    // it may skip the invocation altogether (`None`: the level is off).
    let inv_mut = if is_async { quote!() } else { quote!(mut) };
    let begin_fn = if is_async {
        quote!(begin)
    } else {
        quote!(begin_sync)
    };
    let begin = quote! {
        #(#seal_feature)*
        static __SECLOG_META: ::seclog::__private::HandlerMeta = ::seclog::__private::HandlerMeta {
            name: #name,
            level: #level,
            category: #category,
            category_explicit: #category_explicit,
            budget_ns: #budget_ns,
            budget_text: #budget_text,
            emit: #emit,
            function: ::core::concat!(::core::module_path!(), "::", #fn_name),
            file: ::core::file!(),
            line: ::core::line!(),
            auth: #auth,
            mask: ::seclog::__private::Mask(#mask),
            cache: ::seclog::__private::MetaCache::new(),
        };
        let #inv_mut __seclog_inv = ::seclog::__private::Invocation::#begin_fn(
            &__SECLOG_META,
            |__seclog_cx: &mut ::seclog::context::Context| {
                #prelude
                #(#hidden)*
                #(#describe)*
                #who
                #source_ip
                #user_agent
            },
            |__seclog_inputs: &mut ::seclog::__private::Object<'_>| {
                #prelude
                #(#inputs)*
            },
            || {
                #prelude
                false #(|| (&&::seclog::__private::Wrap(&#auth_probe)).__seclog_is_auth())*
            },
        );
    };

    let body = if is_async {
        let audited = quote! {
            ::seclog::__private::Audited::new(
                __seclog_inv,
                async move {
                    #fake_return
                    #block
                },
                |__seclog_inv: &mut ::seclog::__private::Invocation, __seclog_ret| {
                    #prelude
                    #finish
                },
            )
            .await
        };
        let output = if h.returns == Returns::Never {
            quote!(match #audited {})
        } else {
            audited
        };
        quote! {
            #begin
            #output
        }
    } else {
        let returned = if h.returns == Returns::Never {
            quote! {
                ::core::result::Result::Ok(__seclog_never) => match __seclog_never {},
            }
        } else {
            let failed = failed_tokens(h);
            quote! {
                ::core::result::Result::Ok(__seclog_value) => {
                    {
                        let __seclog_ret = &__seclog_value;
                        #prelude
                        // One copy of the code that ends the invocation
                        // serves both arms.
                        let __seclog_finish = |__seclog_inv: &mut ::seclog::__private::Invocation| {
                            #finish
                        };
                        match __seclog_inv.get_mut() {
                            ::core::option::Option::Some(__seclog_inv) => __seclog_finish(__seclog_inv),
                            // The level is off: only a failure is recorded.
                            ::core::option::Option::None => {
                                if #failed {
                                    __seclog_finish(&mut ::seclog::__private::Invocation::idle(&__SECLOG_META));
                                }
                            }
                        }
                    }
                    __seclog_value
                }
            }
        };
        quote! {
            #begin
            let __seclog_once = ::seclog::__private::Once;
            // The invocation is current exactly while the body runs (its
            // scope), also when the body unwinds.
            let __seclog_result = __seclog_inv.scope(move || {
                ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(move || {
                    // Moving the token in makes the closure `FnOnce`, so the body
                    // may return borrows of what it captures (`&mut self.field`).
                    let __seclog_once = __seclog_once;
                    #fake_return
                    #block
                }))
            });
            match __seclog_result {
                #returned
                ::core::result::Result::Err(__seclog_panic) => {
                    match __seclog_inv.get_mut() {
                        ::core::option::Option::Some(__seclog_inv) => __seclog_inv.panicked(&*__seclog_panic),
                        ::core::option::Option::None => {
                            ::seclog::__private::Invocation::idle(&__SECLOG_META).panicked(&*__seclog_panic)
                        }
                    }
                    ::std::panic::resume_unwind(__seclog_panic)
                }
            }
        }
    };

    quote! {
        #(#attrs)*
        #vis #sig {
            #body
        }
    }
}

/// The binding as seclog's own code names it: the reads seclog adds are not
/// the user's, so lints on the user's bindings (a `_name` that is read) do
/// not fire on them.
fn unspanned(ident: &syn::Ident) -> syn::Ident {
    let mut ident = ident.clone();
    ident.set_span(Span::call_site());
    ident
}

/// The code that ends the invocation, given `__seclog_inv: &mut Invocation`
/// and `__seclog_ret: &Output`.
fn finish_tokens(h: &Handler<'_>) -> TokenStream {
    let span = h
        .ret_ty
        .as_ref()
        .map(|t| t.span())
        .unwrap_or_else(Span::call_site);
    // The method decides the "cannot be logged" message: an `impl Trait`
    // response is not named by its hidden type.
    let log_call = if h.ret_ty.as_ref().is_some_and(contains_impl_trait) {
        quote_spanned!(span=> .__seclog_log_impl_trait(__seclog_out))
    } else {
        quote_spanned!(span=> .__seclog_log_response(__seclog_out))
    };
    let value = |v: TokenStream| {
        if h.skip_response {
            quote! {
                __seclog_inv.finish_value((&&::seclog::__private::Wrap(#v)).__seclog_outcome(), ::core::option::Option::None);
            }
        } else {
            quote! {
                let __seclog_w = ::seclog::__private::Wrap(#v);
                __seclog_inv.finish_value(
                    (&&__seclog_w).__seclog_outcome(),
                    ::core::option::Option::Some(&mut |__seclog_out: ::seclog::__private::Out<'_>| (&&&__seclog_w)#log_call),
                );
            }
        }
    };
    match h.returns {
        // Never called: the body of a `-> !` handler does not return.
        Returns::Never => quote! {
            match *__seclog_ret {}
        },
        Returns::Unit => quote! {
            let _ = __seclog_ret;
            __seclog_inv.finish_value((::seclog::__private::EventOutcome::Success, ::core::option::Option::None), ::core::option::Option::None);
        },
        Returns::Result => {
            let ok = value(quote!(__seclog_ok));
            quote! {
                match __seclog_ret {
                    ::core::result::Result::Ok(__seclog_ok) => { #ok }
                    ::core::result::Result::Err(__seclog_err) => {
                        __seclog_inv.finish_error(
                            ::seclog::__private::type_name_of(__seclog_err),
                            (&&::seclog::__private::Wrap(__seclog_err)).__seclog_error_message(),
                            // An error that is an HTTP response has a status.
                            (&&::seclog::__private::Wrap(__seclog_err)).__seclog_outcome().1,
                        );
                    }
                }
            }
        }
        Returns::Option => {
            let some = value(quote!(__seclog_some));
            let none = if h.skip_response {
                quote!(::core::option::Option::None)
            } else {
                quote!(::core::option::Option::Some(
                    &mut |__seclog_out: ::seclog::__private::Out<'_>| __seclog_out.null()
                ))
            };
            quote! {
                match __seclog_ret {
                    ::core::option::Option::Some(__seclog_some) => { #some }
                    ::core::option::Option::None => {
                        __seclog_inv.finish_value((::seclog::__private::EventOutcome::Success, ::core::option::Option::None), #none);
                    }
                }
            }
        }
        Returns::Value => value(quote!(__seclog_ret)),
    }
}

/// Whether the returned value `__seclog_ret: &Output` is a failure (an
/// `Err`, or an outcome that is not a success): what a handler whose level
/// is off still records. Uses only the outcome, which every type has.
fn failed_tokens(h: &Handler<'_>) -> TokenStream {
    let failed = |v: TokenStream| {
        quote! {
            (&&::seclog::__private::Wrap(#v)).__seclog_outcome().0 != ::seclog::__private::EventOutcome::Success
        }
    };
    match h.returns {
        Returns::Never | Returns::Unit => quote!(false),
        Returns::Result => {
            let ok = failed(quote!(__seclog_ok));
            quote! {
                match __seclog_ret {
                    ::core::result::Result::Ok(__seclog_ok) => #ok,
                    ::core::result::Result::Err(_) => true,
                }
            }
        }
        Returns::Option => {
            let some = failed(quote!(__seclog_some));
            quote! {
                match __seclog_ret {
                    ::core::option::Option::Some(__seclog_some) => #some,
                    ::core::option::Option::None => false,
                }
            }
        }
        Returns::Value => failed(quote!(__seclog_ret)),
    }
}

/// The return type as the body's value has it: each `impl Trait` replaced
/// by `_` (`Result<impl IntoResponse, Error>` is `Result<_, Error>`), or
/// nothing when that leaves only `_`.
fn body_return_type(ty: &syn::Type) -> Option<syn::Type> {
    use syn::visit_mut::VisitMut;
    struct Infer;
    impl VisitMut for Infer {
        fn visit_type_mut(&mut self, ty: &mut syn::Type) {
            match ty {
                syn::Type::ImplTrait(t) => {
                    *ty = syn::Type::Infer(syn::TypeInfer {
                        underscore_token: syn::Token![_](t.impl_token.span),
                    });
                }
                _ => syn::visit_mut::visit_type_mut(self, ty),
            }
        }
    }
    let mut ty = ty.clone();
    Infer.visit_type_mut(&mut ty);
    match super::strip_parens(&ty) {
        syn::Type::Infer(_) => None,
        _ => Some(ty),
    }
}

pub(crate) fn contains_impl_trait(ty: &syn::Type) -> bool {
    use syn::visit::Visit;
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_type_impl_trait(&mut self, _: &'ast syn::TypeImplTrait) {
            self.0 = true;
        }
    }
    let mut f = Finder(false);
    f.visit_type(ty);
    f.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_is_typed_with_each_impl_trait_as_an_inferred_type() {
        let cases: Vec<(syn::Type, Option<syn::Type>)> = vec![
            (
                syn::parse_quote!(Result<impl IntoResponse, lambda_http::Error>),
                Some(syn::parse_quote!(Result<_, lambda_http::Error>)),
            ),
            (
                syn::parse_quote!(Result<Option<(u8, impl Display + Serialize)>, BadCount>),
                Some(syn::parse_quote!(Result<Option<(u8, _)>, BadCount>)),
            ),
            (
                syn::parse_quote!(Box<dyn Iterator<Item = impl Display>>),
                Some(syn::parse_quote!(Box<dyn Iterator<Item = _>>)),
            ),
            (
                syn::parse_quote!(Result<u32, String>),
                Some(syn::parse_quote!(Result<u32, String>)),
            ),
            (syn::parse_quote!(impl Future<Output = Result<u8, E>>), None),
            (syn::parse_quote!((impl IntoResponse)), None),
        ];
        for (ty, expected) in cases {
            let shown = quote!(#ty).to_string();
            let got = body_return_type(&ty).map(|t| quote!(#t).to_string());
            let expected = expected.map(|t| quote!(#t).to_string());
            assert_eq!(got, expected, "{shown}");
        }
    }
}
