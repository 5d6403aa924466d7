//! `#[audit]`: read the options and the function into a model
//! ([`Input::from_syn`]), check the model as a whole ([`Input::validate`],
//! which gives the [`Handler`] to expand), then expand it.

mod args;
mod expand;
mod mask;

use crate::errors::{suggest, with_item, Errors};
use crate::model::{AuthKind, Category, Level};
use args::{AuditArgs, Budget, Emit};
use proc_macro2::TokenStream;
use syn::ext::IdentExt;
use syn::{FnArg, Ident, ItemFn, Pat, ReturnType, Type};

pub(crate) fn audit(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let func = match parse_item(item.clone()) {
        Ok(f) => f,
        Err(e) => {
            // The options' own mistakes are worth reporting too.
            AuditArgs::from_syn(attr, &mut errors);
            errors.push(e);
            return with_item(errors.finish().unwrap_err(), item);
        }
    };
    let input = Input::from_syn(attr, &func, &mut errors);
    let handler = input.validate(&mut errors);
    match errors.finish() {
        Ok(()) => expand::expand(&handler),
        Err(e) => with_item(e, unaudited(func)),
    }
}

/// The user's function as written, for when the attribute has errors, with
/// its arguments marked used as the audited function would use them (it
/// reads every argument), so only the attribute's errors are reported and
/// no "unused variable" follows.
fn unaudited(mut func: ItemFn) -> TokenStream {
    if func.sig.constness.is_none() {
        let mut found = Vec::new();
        for arg in &func.sig.inputs {
            if let FnArg::Typed(pt) = arg {
                bindings(&pt.pat, Some(&pt.ty), false, &mut found);
            }
        }
        let uses = found.iter().map(|f| {
            let n = &f.ident;
            syn::parse_quote!(let _ = &#n;)
        });
        func.block.stmts.splice(0..0, uses);
    }
    quote::ToTokens::into_token_stream(func)
}

/// The attribute's item: a function or method with a body.
fn parse_item(item: TokenStream) -> syn::Result<ItemFn> {
    if let Ok(f) = syn::parse2::<ItemFn>(item.clone()) {
        return Ok(f);
    }
    if let Ok(m) = syn::parse2::<syn::TraitItemFn>(item.clone()) {
        return Err(syn::Error::new_spanned(
            &m.sig,
            "`#[seclog::audit]` needs the function's body: put it on the method in each `impl` of the trait, not on the trait's declaration",
        ));
    }
    // The error sits under the item's keyword and name (`struct Login`).
    let (what, head): (&str, TokenStream) = match syn::parse2::<syn::Item>(item.clone()) {
        Ok(syn::Item::Struct(i)) => (
            "a struct: to declare how the type is logged, derive `seclog::Redact` on it",
            head(&i.struct_token, &i.ident),
        ),
        Ok(syn::Item::Enum(i)) => (
            "an enum: to declare how the type is logged, derive `seclog::Redact` on it",
            head(&i.enum_token, &i.ident),
        ),
        Ok(syn::Item::Impl(i)) => (
            "an `impl` block: put it on each method to audit",
            head(&i.impl_token, &i.self_ty),
        ),
        Ok(syn::Item::Trait(i)) => (
            "a trait: put it on the method in each `impl` of the trait",
            head(&i.trait_token, &i.ident),
        ),
        Ok(syn::Item::Mod(i)) => (
            "a module: put it on each handler function",
            head(&i.mod_token, &i.ident),
        ),
        Ok(syn::Item::Const(i)) => ("a constant", head(&i.const_token, &i.ident)),
        Ok(syn::Item::Static(i)) => ("a static", head(&i.static_token, &i.ident)),
        _ => ("this item", item.into_iter().take(1).collect()),
    };
    Err(syn::Error::new_spanned(
        head,
        format!("`#[seclog::audit]` goes on a handler function or method, not on {what}"),
    ))
}

/// Two nodes' tokens, for an error spanning both.
fn head(a: &dyn quote::ToTokens, b: &dyn quote::ToTokens) -> TokenStream {
    let mut out = a.to_token_stream();
    b.to_tokens(&mut out);
    out
}

/// One binding of a function argument (its name, or a name bound by its
/// pattern).
pub(crate) struct Binding {
    pub(crate) ident: Ident,
    /// The argument's type, for error spans.
    pub(crate) ty: Type,
    /// Logged as `seclog.input.<name>`.
    pub(crate) logged: bool,
    /// The argument's type when the binding is all a newtype pattern takes
    /// out of it (`ConnectInfo(addr): ConnectInfo<SocketAddr>`), so the
    /// binding can be described as what it was unwrapped from; for the
    /// `payload` of a `LambdaEvent { payload, .. }` pattern, seclog's
    /// `LambdaPayload`, as the type is not written there.
    pub(crate) unwrapped_from: Option<Type>,
}

impl Binding {
    /// The name as written, without `r#`: the key it is logged under.
    pub(crate) fn name(&self) -> String {
        self.ident.unraw().to_string()
    }
}

/// How the returned value is read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Returns {
    /// `()` or no return type.
    Unit,
    /// `!`: the body never returns; only a panic ends the invocation.
    Never,
    /// A `Result`: `Ok` is the response, `Err` the error.
    Result,
    /// An `Option`: `Some` is the response, `None` a success with `null`.
    Option,
    /// Anything else: the value is the response.
    Value,
}

/// `#[audit]` as written: its options and the function they apply to.
struct Input<'a> {
    args: AuditArgs,
    func: &'a ItemFn,
    /// The signature the audited function is given: the user's, but for
    /// the Lambda contexts bound as `hidden`.
    sig: syn::Signature,
    /// Every binding of every argument, logged unless it is (or is part of)
    /// what is never logged.
    bindings: Vec<Binding>,
    /// The Lambda contexts a `LambdaEvent { .. }` pattern left unbound
    /// (`context: _`, `..`), bound under these names so that they describe
    /// the invocation; not the user's names, and never logged.
    hidden: Vec<Ident>,
    returns: Returns,
    ret_ty: Option<Type>,
}

/// The validated model of one audited handler: everything expansion needs,
/// and nothing it has to check.
pub(crate) struct Handler<'a> {
    pub(crate) func: &'a ItemFn,
    /// The signature to expand, in place of `func`'s (see `Input::sig`).
    pub(crate) sig: syn::Signature,
    pub(crate) name: String,
    pub(crate) level: Level,
    pub(crate) category: Category,
    pub(crate) category_explicit: bool,
    pub(crate) budget: Option<Budget>,
    pub(crate) emit: Emit,
    pub(crate) auth: Option<AuthKind>,
    /// Every argument binding, logged or not, with its type (for the 4 W's).
    pub(crate) inputs: Vec<Binding>,
    /// Bindings seclog added to describe the invocation (`Input::hidden`).
    pub(crate) hidden: Vec<Ident>,
    pub(crate) who: Option<syn::Expr>,
    pub(crate) source_ip: Option<syn::Expr>,
    pub(crate) user_agent: Option<syn::Expr>,
    pub(crate) returns: Returns,
    pub(crate) ret_ty: Option<Type>,
    pub(crate) skip_response: bool,
    pub(crate) mask: mask::Trie,
    /// Each `seal` keyword of `redact(seal(...))`, for the error that the
    /// `seal` feature is missing.
    pub(crate) seals: Vec<syn::Ident>,
}

impl<'a> Input<'a> {
    /// Reads the options and the function's signature; each malformed
    /// option is reported into `errors`.
    fn from_syn(attr: TokenStream, func: &'a ItemFn, errors: &mut Errors) -> Input<'a> {
        let args = AuditArgs::from_syn(attr, errors);
        let mut all = Vec::new();
        let mut sig = func.sig.clone();
        let mut hidden = Vec::new();
        let lambda_payload: Type = syn::parse_quote!(::seclog::__private::LambdaPayload);
        for arg in &mut sig.inputs {
            if let FnArg::Typed(pt) = arg {
                let mut found = Vec::new();
                bindings(&pt.pat, Some(&pt.ty), false, &mut found);
                let unwrapped = unwrapped_from(&pt.pat, &pt.ty);
                all.extend(found.into_iter().map(|f| Binding {
                    ident: f.ident,
                    ty: (*pt.ty).clone(),
                    logged: !f.never,
                    unwrapped_from: if f.lambda_payload {
                        Some(lambda_payload.clone())
                    } else {
                        unwrapped.clone()
                    },
                }));
                let name = Ident::new(
                    &format!("__seclog_context_{}", hidden.len()),
                    proc_macro2::Span::call_site(),
                );
                if bind_unbound_context(&mut pt.pat, &name) {
                    hidden.push(name);
                }
            }
        }
        let (returns, ret_ty) = returns_of(&func.sig.output);
        Input {
            args,
            func,
            sig,
            bindings: all,
            hidden,
            returns,
            ret_ty,
        }
    }

    /// Checks everything that involves both the options and the function,
    /// in one place, and gives the model to expand.
    fn validate(self, errors: &mut Errors) -> Handler<'a> {
        let Input {
            args,
            func,
            sig: audited_sig,
            mut bindings,
            hidden,
            returns,
            ret_ty,
        } = self;
        let sig = &func.sig;
        if let Some(c) = &sig.constness {
            errors.spanned(c, "`#[seclog::audit]` cannot go on a `const fn`: logging happens at run time; remove `const` or the attribute");
        }
        if let Some(v) = &sig.variadic {
            errors.spanned(v, "`#[seclog::audit]` cannot go on a variadic function: its arguments cannot be named to be logged");
        }
        let names: Vec<String> = bindings.iter().map(Binding::name).collect();
        let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let fn_name = &sig.ident;

        // skip / skip_all
        if let (Some(_), Some(skip_kw)) = (&args.skip_all, &args.skip_kw) {
            errors.spanned(
                skip_kw,
                "`skip(...)` and `skip_all` together: `skip_all` already keeps every argument out of the log; remove one of them",
            );
        }
        for s in &args.skip {
            let n = s.unraw().to_string();
            if n == "self" {
                errors.spanned(s, "`self` is never logged as an input, so it need not be skipped; remove it from `skip`");
            } else if !names.contains(&n) {
                let msg = match (suggest(&n, &name_refs), names.is_empty()) {
                    (_, true) => format!("`skip({n})` names no argument: `{fn_name}` has none; remove `skip`"),
                    (Some(c), false) => format!(
                        "`skip({n})` names no argument of `{fn_name}`: did you mean `{c}`? Its arguments are: {}",
                        names.join(", ")
                    ),
                    (None, false) => {
                        format!("`skip({n})` names no argument of `{fn_name}`; its arguments are: {}", names.join(", "))
                    }
                };
                errors.spanned(s, msg);
            }
        }
        for b in &mut bindings {
            let name = b.name();
            if args.skip_all.is_some() || args.skip.iter().any(|s| s.unraw() == name) {
                b.logged = false;
            }
        }

        // Redaction paths.
        let mut trie = mask::Trie::default();
        for (i, rp) in args.redact.iter().enumerate() {
            let (lit, seal) = (&rp.lit, rp.seal.is_some());
            let path = lit.value();
            let other = args.redact[..i]
                .iter()
                .find(|o| o.lit.value() == path && o.seal.is_some() != seal);
            if other.is_some() {
                errors.spanned(lit, format!("`{path}` is both redacted and sealed: keep `\"{path}\"` to hide the value from everyone, or `seal(\"{path}\")` to keep it for the investigator"));
                continue;
            }

            let segments: Vec<&str> = path.split('.').collect();
            if segments.iter().any(|s| s.trim().is_empty()) {
                errors.spanned(lit, format!("redaction path `{path}` has an empty segment: write names separated by single dots, as in `\"req.card.number\"`"));
                continue;
            }
            let first = segments[0];
            if first == "return" {
                if matches!(returns, Returns::Unit | Returns::Never) {
                    errors.spanned(
                        lit,
                        format!("redaction path `{path}` names the response, but `{fn_name}` returns nothing"),
                    );
                } else if args.skip_response {
                    errors.spanned(lit, format!("redaction path `{path}` names the response, but `skip_response` already keeps it out of the log; remove one of them"));
                } else {
                    trie.insert("response", &segments[1..], seal);
                }
            } else if let Some(b) = bindings.iter().find(|b| b.name() == first) {
                if b.logged {
                    trie.insert("input", &segments, seal);
                } else {
                    errors.spanned(lit, format!("redaction path `{path}` names `{first}`, which is not logged (skipped); remove the path"));
                }
            } else {
                let mut candidates = name_refs.clone();
                candidates.push("return");
                let allowed = if names.is_empty() {
                    format!("`return` (`{fn_name}` has no arguments)")
                } else {
                    format!(
                        "an argument of `{fn_name}` ({}) or `return`",
                        names.join(", ")
                    )
                };
                let msg = match suggest(first, &candidates) {
                    Some(c) => format!(
                        "redaction path `{path}` names no argument: did you mean `{c}`? The first segment must be {allowed}"
                    ),
                    None => format!("redaction path `{path}` names no argument: the first segment must be {allowed}"),
                };
                errors.spanned(lit, msg);
            }
        }

        let default_category = if args.auth.is_some() {
            Category::Authentication
        } else {
            Category::Api
        };
        Handler {
            func,
            sig: audited_sig,
            name: args.name.unwrap_or_else(|| fn_name.unraw().to_string()),
            level: args.level.unwrap_or(Level::Info),
            category_explicit: args.category.is_some(),
            category: args.category.unwrap_or(default_category),
            budget: args.budget,
            emit: args.emit.unwrap_or(Emit::Both),
            auth: args.auth,
            inputs: bindings,
            hidden,
            who: args.who,
            source_ip: args.source_ip,
            user_agent: args.user_agent,
            returns,
            ret_ty,
            skip_response: args.skip_response,
            mask: trie,
            seals: args.seals,
        }
    }
}

/// One binding of an argument's pattern.
struct Found {
    ident: Ident,
    /// Bound from what is never logged (see [`is_never_logged`]).
    never: bool,
    /// The whole `payload` of a `LambdaEvent { .. }` pattern.
    lambda_payload: bool,
}

/// The bindings a pattern introduces, in order, each with whether it is
/// never logged: what has a type that is never logged (`ty`, the type the
/// pattern matches where the signature writes it out: an argument's, and
/// the elements' of a tuple, array or reference type), anything bound
/// inside a pattern of a type named `Context`, and anything bound from the
/// `context` of a `LambdaEvent { .. }` pattern (`lambda_runtime`'s, under
/// any path), which is the Lambda context whatever the binding's name.
fn bindings(pat: &Pat, ty: Option<&Type>, never: bool, out: &mut Vec<Found>) {
    let mut ty = ty.map(strip_parens);
    let never = never || ty.is_some_and(is_never_logged);
    // A pattern that is no binding and no `&` matches through references
    // (match ergonomics).
    if !matches!(pat, Pat::Ident(_) | Pat::Reference(_) | Pat::Wild(_)) {
        while let Some(Type::Reference(r)) = ty {
            ty = Some(strip_parens(&r.elem));
        }
    }
    match pat {
        Pat::Ident(p) => {
            out.push(Found {
                ident: p.ident.clone(),
                never,
                lambda_payload: false,
            });
            if let Some((_, sub)) = &p.subpat {
                bindings(sub, ty, never, out);
            }
        }
        Pat::Tuple(t) => {
            let tys: Option<Vec<&Type>> = match ty {
                Some(Type::Tuple(tt)) => Some(tt.elems.iter().collect()),
                _ => None,
            };
            let n = t.elems.len();
            let rest = t.elems.iter().position(|p| matches!(p, Pat::Rest(_)));
            for (i, p) in t.elems.iter().enumerate() {
                // Elements after `..` are counted from the end.
                let ty = tys.as_ref().and_then(|tys| match rest {
                    None if tys.len() == n => tys.get(i).copied(),
                    Some(r) if i < r => tys.get(i).copied(),
                    Some(r) if i > r => (tys.len() + i).checked_sub(n).map(|j| tys[j]),
                    _ => None,
                });
                bindings(p, ty, never, out);
            }
        }
        Pat::Slice(s) => {
            let elem = match ty {
                Some(Type::Array(a)) => Some(&*a.elem),
                Some(Type::Slice(s)) => Some(&*s.elem),
                _ => None,
            };
            s.elems.iter().for_each(|p| bindings(p, elem, never, out));
        }
        Pat::TupleStruct(t) => {
            let never = never || names_context(&t.path);
            t.elems.iter().for_each(|p| bindings(p, None, never, out));
        }
        Pat::Struct(s) => {
            let never = never || names_context(&s.path);
            let lambda_event = is_lambda_event(&s.path);
            for f in &s.fields {
                let field = match &f.member {
                    syn::Member::Named(name) if lambda_event => Some(name.to_string()),
                    _ => None,
                };
                let never = never || field.as_deref() == Some("context");
                let before = out.len();
                bindings(&f.pat, None, never, out);
                // The payload bound whole is described as the event's.
                if field.as_deref() == Some("payload") {
                    if let Pat::Ident(p) = &*f.pat {
                        if p.by_ref.is_none() && p.subpat.is_none() && out.len() == before + 1 {
                            out[before].lambda_payload = true;
                        }
                    }
                }
            }
        }
        Pat::Reference(r) => {
            let ty = match ty {
                Some(Type::Reference(r)) => Some(&*r.elem),
                _ => None,
            };
            bindings(&r.pat, ty, never, out)
        }
        Pat::Type(t) => bindings(&t.pat, Some(&t.ty), never, out),
        Pat::Paren(p) => bindings(&p.pat, ty, never, out),
        Pat::Or(o) => {
            if let Some(first) = o.cases.first() {
                bindings(first, ty, never, out)
            }
        }
        _ => {}
    }
}

/// Whether a pattern's path names a type called `Context`.
fn names_context(path: &syn::Path) -> bool {
    path.segments.last().is_some_and(|s| s.ident == "Context")
}

/// Whether a pattern's path names `LambdaEvent` (`lambda_runtime::LambdaEvent`,
/// imported or not).
fn is_lambda_event(path: &syn::Path) -> bool {
    path.segments
        .last()
        .is_some_and(|s| s.ident == "LambdaEvent")
}

/// Binds the context of an argument's `LambdaEvent { .. }` pattern to
/// `name` when the pattern leaves it unbound (`context: _`, or left out with
/// `..`), so that it still describes the invocation as the whole event
/// would. Only for the argument's pattern itself, which takes the event by
/// value (the binding moves the context out, the other field bound or not)
/// or through a reference (the binding borrows it), never after a `&` or
/// an `@`. Returns whether it did.
fn bind_unbound_context(pat: &mut Pat, name: &Ident) -> bool {
    let Pat::Struct(s) = pat else {
        return false;
    };
    if !is_lambda_event(&s.path) {
        return false;
    }
    let binding: Pat = syn::parse_quote!(#name);
    let context = s
        .fields
        .iter_mut()
        .find(|f| matches!(&f.member, syn::Member::Named(n) if n == "context"));
    match context {
        Some(f) if matches!(*f.pat, Pat::Wild(_)) => {
            *f.pat = binding;
            true
        }
        Some(_) => false,
        None if s.rest.is_some() => {
            s.fields.push(syn::FieldPat {
                attrs: Vec::new(),
                member: syn::Member::Named(Ident::new("context", name.span())),
                colon_token: Some(Default::default()),
                pat: Box::new(binding),
            });
            true
        }
        None => false,
    }
}

/// Whether an argument of this type is never logged as an input: the
/// platform's invocation context (`lambda_runtime::Context`), which feeds
/// the 4 W's, and axum's `State<S>` and `Extension<T>`, which carry the
/// server's own values (pools, clients, keys), not the request's; an
/// `Option` of one (axum's optional `Extension`) neither.
fn is_never_logged(ty: &Type) -> bool {
    match ty {
        Type::Path(p) => p.path.segments.last().is_some_and(|s| {
            let generic = matches!(s.arguments, syn::PathArguments::AngleBracketed(_));
            s.ident == "Context"
                || (generic && (s.ident == "State" || s.ident == "Extension"))
                || (s.ident == "Option" && option_of(&s.arguments).is_some_and(is_never_logged))
        }),
        Type::Reference(r) => is_never_logged(&r.elem),
        Type::Paren(p) => is_never_logged(&p.elem),
        Type::Group(g) => is_never_logged(&g.elem),
        _ => false,
    }
}

/// The one type argument of `Option<T>`.
fn option_of(arguments: &syn::PathArguments) -> Option<&Type> {
    let syn::PathArguments::AngleBracketed(a) = arguments else {
        return None;
    };
    match (a.args.len(), a.args.first()) {
        (1, Some(syn::GenericArgument::Type(t))) => Some(t),
        _ => None,
    }
}

/// The argument's type, when its pattern is a newtype pattern whose only
/// field is a plain binding (`Json(body): Json<Creds>`).
fn unwrapped_from(pat: &Pat, ty: &Type) -> Option<Type> {
    let Pat::TupleStruct(t) = pat else {
        return None;
    };
    let only = match (t.elems.len(), t.elems.first()) {
        (1, Some(p)) => p,
        _ => return None,
    };
    match only {
        Pat::Ident(i)
            if i.subpat.is_none() && i.by_ref.is_none() && !expand::contains_impl_trait(ty) =>
        {
            Some(ty.clone())
        }
        _ => None,
    }
}

fn returns_of(output: &ReturnType) -> (Returns, Option<Type>) {
    let ty = match output {
        ReturnType::Default => return (Returns::Unit, None),
        ReturnType::Type(_, ty) => (**ty).clone(),
    };
    let kind = match strip_parens(&ty) {
        Type::Tuple(t) if t.elems.is_empty() => Returns::Unit,
        Type::Never(_) => Returns::Never,
        Type::Path(p) if p.qself.is_none() => match p.path.segments.last() {
            Some(s) if s.ident == "Result" => Returns::Result,
            Some(s) if s.ident == "Option" => Returns::Option,
            _ => Returns::Value,
        },
        _ => Returns::Value,
    };
    (kind, Some(ty))
}

fn strip_parens(ty: &Type) -> &Type {
    match ty {
        Type::Paren(p) => strip_parens(&p.elem),
        Type::Group(g) => strip_parens(&g.elem),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each binding of an argument `pat: ty`, with whether it is logged and
    /// whether it is a `LambdaEvent`'s whole payload.
    fn logged(arg: syn::PatType) -> Vec<(String, bool, bool)> {
        let mut found = Vec::new();
        bindings(&arg.pat, Some(&arg.ty), false, &mut found);
        let row = |f: Found| (f.ident.to_string(), !f.never, f.lambda_payload);
        found.into_iter().map(row).collect()
    }

    /// A binding's name, whether it is logged, whether it is a whole payload.
    type Row = (&'static str, bool, bool);
    /// An argument and the bindings it gives.
    type Case = (syn::PatType, Vec<Row>);

    fn names(rows: &[Row]) -> Vec<(String, bool, bool)> {
        rows.iter()
            .map(|&(n, l, p)| (n.to_string(), l, p))
            .collect()
    }

    #[test]
    fn the_context_of_a_lambda_event_pattern_is_never_logged_under_any_name() {
        let cases: Vec<Case> = vec![
            (
                syn::parse_quote!(LambdaEvent { payload, context }: LambdaEvent<Order>),
                vec![("payload", true, true), ("context", false, false)],
            ),
            (
                syn::parse_quote!(lambda_runtime::LambdaEvent { context: ctx, payload }: lambda_runtime::LambdaEvent<Value>),
                vec![("ctx", false, false), ("payload", true, true)],
            ),
            (
                syn::parse_quote!(LambdaEvent { payload: Order { id, .. }, context: Context { request_id, .. } }: Ev),
                vec![("id", true, false), ("request_id", false, false)],
            ),
            (
                syn::parse_quote!(LambdaEvent { payload: ref p, .. }: &LambdaEvent<Order>),
                vec![("p", true, false)],
            ),
            (
                syn::parse_quote!(event: LambdaEvent<Order>),
                vec![("event", true, false)],
            ),
        ];
        for (arg, expected) in cases {
            let shown = quote::quote!(#arg).to_string();
            assert_eq!(logged(arg), names(&expected), "{shown}");
        }
    }

    #[test]
    fn a_context_bound_by_other_patterns_is_never_logged() {
        let cases: Vec<Case> = vec![
            (
                syn::parse_quote!((payload, ctx): (Order, lambda_runtime::Context)),
                vec![("payload", true, false), ("ctx", false, false)],
            ),
            (
                syn::parse_quote!((a, .., c): (u8, u16, u32, Context)),
                vec![("a", true, false), ("c", false, false)],
            ),
            (
                syn::parse_quote!((a, c): &(u8, Context)),
                vec![("a", true, false), ("c", false, false)],
            ),
            (
                syn::parse_quote!(&(ref a, ref c): &(u8, Context)),
                vec![("a", true, false), ("c", false, false)],
            ),
            (
                syn::parse_quote!([first, rest @ ..]: [Context; 3]),
                vec![("first", false, false), ("rest", false, false)],
            ),
            (
                syn::parse_quote!(Context { request_id, .. }: Ctx),
                vec![("request_id", false, false)],
            ),
            (
                syn::parse_quote!(State(app): State<App>),
                vec![("app", false, false)],
            ),
            (
                syn::parse_quote!((a, b): Pair),
                vec![("a", true, false), ("b", true, false)],
            ),
        ];
        for (arg, expected) in cases {
            let shown = quote::quote!(#arg).to_string();
            assert_eq!(logged(arg), names(&expected), "{shown}");
        }
    }

    #[test]
    fn a_context_left_unbound_is_bound_for_the_four_ws_only_where_it_can_be() {
        let name: Ident = syn::parse_quote!(__seclog_context_0);
        let cases: Vec<(Pat, Option<Pat>)> = vec![
            (
                syn::parse_quote!(LambdaEvent { payload, .. }),
                Some(syn::parse_quote!(LambdaEvent {
                    payload,
                    context: __seclog_context_0,
                    ..
                })),
            ),
            (
                syn::parse_quote!(lambda_runtime::LambdaEvent {
                    payload,
                    context: _
                }),
                Some(syn::parse_quote!(lambda_runtime::LambdaEvent {
                    payload,
                    context: __seclog_context_0
                })),
            ),
            (syn::parse_quote!(LambdaEvent { payload, context }), None),
            (
                syn::parse_quote!(LambdaEvent {
                    payload,
                    context: Context { .. }
                }),
                None,
            ),
            (syn::parse_quote!(&LambdaEvent { ref payload, .. }), None),
            (syn::parse_quote!(event), None),
            (syn::parse_quote!(Order { id, .. }), None),
        ];
        for (mut pat, expected) in cases {
            let before = quote::quote!(#pat).to_string();
            let bound = bind_unbound_context(&mut pat, &name);
            let after = quote::quote!(#pat).to_string();
            match expected {
                Some(e) => {
                    assert!(bound, "{before}");
                    assert_eq!(after, quote::quote!(#e).to_string());
                }
                None => {
                    assert!(!bound, "{before}");
                    assert_eq!(after, before);
                }
            }
        }
    }
}
