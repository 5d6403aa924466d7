//! `#[audit]`: parse the options and the function into a model, validate
//! the model as a whole, then expand it.

mod args;
mod expand;
mod mask;

use crate::errors::{with_item, Errors};
use args::{AuditArgs, Emit};
use proc_macro2::TokenStream;
use syn::{FnArg, Ident, ItemFn, Pat, ReturnType, Type};

pub(crate) fn audit(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let args = AuditArgs::parse(attr, &mut errors);
    let func = match parse_item(item.clone()) {
        Ok(f) => f,
        Err(e) => {
            errors.push(e);
            return with_item(errors.finish().unwrap_err(), item);
        }
    };
    let model = Handler::new(args, &func, &mut errors);
    if let Err(e) = errors.finish() {
        return with_item(e, unaudited(func));
    }
    expand::expand(&model, func)
}

/// The user's function as written, for when the attribute has errors, with
/// its arguments marked used as the audited function would use them (it
/// reads every argument), so only the attribute's errors are reported and
/// no "unused variable" follows.
fn unaudited(mut func: ItemFn) -> TokenStream {
    if func.sig.constness.is_none() {
        let mut names = Vec::new();
        for arg in &func.sig.inputs {
            if let FnArg::Typed(pt) = arg {
                bindings(&pt.pat, &mut names);
            }
        }
        let uses = names.iter().map(|n| syn::parse_quote!(let _ = &#n;));
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

/// What `#[audit]` needs to know about one function argument binding.
pub(crate) struct Input {
    /// The binding (the argument's name, or a name bound by its pattern).
    pub(crate) ident: Ident,
    /// The argument's type, for error spans.
    pub(crate) ty: Type,
    /// Logged as `seclog.input.<name>`.
    pub(crate) logged: bool,
    /// The argument's type when the binding is all a newtype pattern takes
    /// out of it (`ConnectInfo(addr): ConnectInfo<SocketAddr>`), so the
    /// binding can be described as what it was unwrapped from.
    pub(crate) unwrapped_from: Option<Type>,
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

/// The validated model of one audited handler.
pub(crate) struct Handler {
    pub(crate) name: String,
    pub(crate) level: String,
    pub(crate) category: String,
    pub(crate) category_explicit: bool,
    pub(crate) budget: Option<(u64, String)>,
    pub(crate) emit: Emit,
    pub(crate) auth: Option<String>,
    pub(crate) inputs: Vec<Input>,
    /// All argument bindings, logged or not, with their types, for `Describe`.
    pub(crate) who: Option<syn::Expr>,
    pub(crate) source_ip: Option<syn::Expr>,
    pub(crate) user_agent: Option<syn::Expr>,
    pub(crate) returns: Returns,
    pub(crate) ret_ty: Option<Type>,
    pub(crate) skip_response: bool,
    pub(crate) mask: mask::Trie,
}

/// The ident bindings a pattern introduces, in order.
fn bindings(pat: &Pat, out: &mut Vec<Ident>) {
    match pat {
        Pat::Ident(p) => {
            out.push(p.ident.clone());
            if let Some((_, sub)) = &p.subpat {
                bindings(sub, out);
            }
        }
        Pat::Tuple(t) => t.elems.iter().for_each(|p| bindings(p, out)),
        Pat::TupleStruct(t) => t.elems.iter().for_each(|p| bindings(p, out)),
        Pat::Struct(s) => s.fields.iter().for_each(|f| bindings(&f.pat, out)),
        Pat::Reference(r) => bindings(&r.pat, out),
        Pat::Slice(s) => s.elems.iter().for_each(|p| bindings(p, out)),
        Pat::Type(t) => bindings(&t.pat, out),
        Pat::Paren(p) => bindings(&p.pat, out),
        Pat::Or(o) => {
            if let Some(first) = o.cases.first() {
                bindings(first, out)
            }
        }
        _ => {}
    }
}

/// Whether an argument of this type is never logged as an input: the
/// platform's invocation context (`lambda_runtime::Context`), which feeds
/// the 4 W's, and axum's `State<S>` and `Extension<T>`, which carry the
/// server's own values (pools, clients, keys), not the request's.
fn is_never_logged(ty: &Type) -> bool {
    match ty {
        Type::Path(p) => p.path.segments.last().is_some_and(|s| {
            let generic = matches!(s.arguments, syn::PathArguments::AngleBracketed(_));
            s.ident == "Context" || (generic && (s.ident == "State" || s.ident == "Extension"))
        }),
        Type::Reference(r) => is_never_logged(&r.elem),
        Type::Paren(p) => is_never_logged(&p.elem),
        Type::Group(g) => is_never_logged(&g.elem),
        _ => false,
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

impl Handler {
    /// Builds the model and checks everything that involves both the
    /// options and the function, in one place.
    fn new(args: AuditArgs, func: &ItemFn, errors: &mut Errors) -> Handler {
        let sig = &func.sig;
        if let Some(c) = &sig.constness {
            errors.spanned(c, "`#[seclog::audit]` cannot go on a `const fn`: logging happens at run time; remove `const` or the attribute");
        }
        if let Some(v) = &sig.variadic {
            errors.spanned(v, "`#[seclog::audit]` cannot go on a variadic function: its arguments cannot be named to be logged");
        }

        // Every binding of every argument.
        let mut all: Vec<Input> = Vec::new();
        let mut has_receiver = false;
        for arg in &sig.inputs {
            match arg {
                FnArg::Receiver(_) => has_receiver = true,
                FnArg::Typed(pt) => {
                    let mut names = Vec::new();
                    bindings(&pt.pat, &mut names);
                    let never = is_never_logged(&pt.ty);
                    let unwrapped = unwrapped_from(&pt.pat, &pt.ty);
                    for ident in names {
                        all.push(Input {
                            ident,
                            ty: (*pt.ty).clone(),
                            logged: !never,
                            unwrapped_from: unwrapped.clone(),
                        });
                    }
                }
            }
        }
        let names: Vec<String> = all.iter().map(|i| unraw(&i.ident)).collect();
        let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();

        // skip / skip_all
        if let (Some(all_kw), Some(skip_kw)) = (&args.skip_all, &args.skip_kw) {
            errors.spanned(
                skip_kw,
                "`skip(...)` and `skip_all` together: `skip_all` already keeps every argument out of the log; remove one of them",
            );
            let _ = all_kw;
        }
        for s in &args.skip {
            let n = unraw(s);
            if n == "self" {
                errors.spanned(s, "`self` is never logged as an input, so it need not be skipped; remove it from `skip`");
            } else if !names.contains(&n) {
                let fn_name = &sig.ident;
                let msg = match (args::suggestion(&n, &name_refs), names.is_empty()) {
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
        if args.skip_all.is_some() {
            all.iter_mut().for_each(|i| i.logged = false);
        }
        for i in &mut all {
            if args.skip.iter().any(|s| unraw(s) == unraw(&i.ident)) {
                i.logged = false;
            }
        }

        let (returns, ret_ty) = returns_of(&sig.output);

        // Redaction paths.
        let mut trie = mask::Trie::default();
        for lit in &args.redact {
            let path = lit.value();
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
                        format!(
                            "redaction path `{path}` names the response, but `{}` returns nothing",
                            sig.ident
                        ),
                    );
                    continue;
                }
                if args.skip_response {
                    errors.spanned(lit, format!("redaction path `{path}` names the response, but `skip_response` already keeps it out of the log; remove one of them"));
                    continue;
                }
                trie.insert("response", &segments[1..]);
            } else if let Some(input) = all.iter().find(|i| unraw(&i.ident) == first) {
                if !input.logged {
                    errors.spanned(lit, format!("redaction path `{path}` names `{first}`, which is not logged (skipped); remove the path"));
                    continue;
                }
                let mut full = vec![first];
                full.extend_from_slice(&segments[1..]);
                trie.insert("input", &full);
            } else {
                let mut candidates = name_refs.clone();
                candidates.push("return");
                let fn_name = &sig.ident;
                let allowed = if names.is_empty() {
                    format!("`return` (`{fn_name}` has no arguments)")
                } else {
                    format!(
                        "an argument of `{fn_name}` ({}) or `return`",
                        names.join(", ")
                    )
                };
                let msg = match args::suggestion(first, &candidates) {
                    Some(c) => format!(
                        "redaction path `{path}` names no argument: did you mean `{c}`? The first segment must be {allowed}"
                    ),
                    None => format!("redaction path `{path}` names no argument: the first segment must be {allowed}"),
                };
                errors.spanned(lit, msg);
            }
        }
        let _ = has_receiver;

        let name = args.name.clone().unwrap_or_else(|| unraw(&sig.ident));
        let level = args.level.clone().unwrap_or_else(|| "info".into());
        let auth = args.auth.clone();
        let category = args.category.clone().unwrap_or_else(|| {
            if auth.is_some() {
                "authentication".into()
            } else {
                "api".into()
            }
        });
        Handler {
            category_explicit: args.category.is_some(),
            name,
            level,
            category,
            budget: args.budget,
            emit: args.emit.unwrap_or(Emit::Both),
            auth,
            inputs: all,
            who: args.who,
            source_ip: args.source_ip,
            user_agent: args.user_agent,
            returns,
            ret_ty,
            skip_response: args.skip_response,
            mask: trie,
        }
    }
}

/// An identifier's name without `r#`.
pub(crate) fn unraw(i: &Ident) -> String {
    let s = i.to_string();
    s.strip_prefix("r#").map(str::to_string).unwrap_or(s)
}
