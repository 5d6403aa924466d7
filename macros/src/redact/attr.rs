//! `#[redact(...)]` and the `#[serde(...)]` options that change names on the
//! wire, parsed into typed values. Every malformed attribute is reported and
//! parsing goes on, so a user with three mistakes sees three errors.

use super::case::Case;
use crate::errors::{did_you_mean, Errors};
use proc_macro2::Span;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, ExprLit, Lit, Meta, Token};

/// The modes of `#[redact(...)]`, as written.
pub(crate) const MODES: &[&str] = &[
    "keep_last",
    "keep_first",
    "hash",
    "skip",
    "serialize",
    "clear",
    "seal",
];

const MODES_LIST: &str = "keep_last = N, keep_first = N, hash, skip, serialize, clear, seal";

/// How one field is logged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// No attribute: through the field type's own `Redact`.
    Own,
    /// `#[redact]`: `"[REDACTED]"`.
    Redacted,
    /// `#[redact(keep_last = N)]`.
    KeepLast(usize),
    /// `#[redact(keep_first = N)]`.
    KeepFirst(usize),
    /// `#[redact(hash)]`.
    Hash,
    /// `#[redact(skip)]`.
    Skip,
    /// `#[redact(serialize)]`.
    Serialize,
    /// `#[redact(clear)]`: through the field type's own `Redact`, like no
    /// attribute, for a field whose name looks sensitive but is not (or
    /// whose type redacts itself); no sensitive term applies to its name.
    Clear,
    /// `#[redact(seal)]`: its JSON (through `Serialize`), sealed for the
    /// investigator's key.
    Seal,
}

impl Mode {
    fn describe(self) -> String {
        match self {
            Mode::Own => "no attribute".into(),
            Mode::Redacted => "`#[redact]`".into(),
            Mode::KeepLast(n) => format!("`keep_last = {n}`"),
            Mode::KeepFirst(n) => format!("`keep_first = {n}`"),
            Mode::Hash => "`hash`".into(),
            Mode::Skip => "`skip`".into(),
            Mode::Serialize => "`serialize`".into(),
            Mode::Clear => "`clear`".into(),
            Mode::Seal => "`seal`".into(),
        }
    }
}

/// A field's `#[redact]` mode, with the tokens that set it (for errors).
pub(crate) struct FieldMode {
    pub(crate) mode: Mode,
    pub(crate) span: Span,
}

/// Parses every `#[redact]` attribute of a field into one mode.
pub(crate) fn field_mode(attrs: &[Attribute], errors: &mut Errors) -> FieldMode {
    let mut found: Option<FieldMode> = None;
    let mut set = |mode: Mode, span: Span, errors: &mut Errors| match &found {
        Some(first) => errors.push(syn::Error::new(
            span,
            format!(
                "{} and {} both given: a field has one redaction mode; keep one of them",
                first.mode.describe(),
                mode.describe()
            ),
        )),
        None => found = Some(FieldMode { mode, span }),
    };
    for attr in attrs.iter().filter(|a| a.path().is_ident("redact")) {
        match &attr.meta {
            Meta::Path(_) => set(Mode::Redacted, attr.span(), errors),
            Meta::NameValue(nv) => errors.spanned(
                nv,
                format!("write `#[redact]` to log \"[REDACTED]\", or `#[redact(mode)]` with one mode: {MODES_LIST}"),
            ),
            Meta::List(list) => {
                let metas = match list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) {
                    Ok(m) => m,
                    Err(e) => {
                        errors.push(syn::Error::new(e.span(), format!("{e}; expected a redaction mode: {MODES_LIST}")));
                        continue;
                    }
                };
                if metas.is_empty() {
                    errors.spanned(
                        attr,
                        format!("empty `#[redact()]`: write `#[redact]` to log \"[REDACTED]\", or name one mode: {MODES_LIST}"),
                    );
                }
                for meta in &metas {
                    if let Some(mode) = one_mode(meta, errors) {
                        set(mode, meta.span(), errors);
                    }
                }
            }
        }
    }
    found.unwrap_or(FieldMode {
        mode: Mode::Own,
        span: Span::call_site(),
    })
}

/// One `mode` or `mode = N` inside `#[redact(...)]`.
fn one_mode(meta: &Meta, errors: &mut Errors) -> Option<Mode> {
    let path = meta.path();
    let name = match path.get_ident() {
        Some(i) => i.to_string(),
        None => {
            errors.spanned(path, format!("expected a redaction mode: {MODES_LIST}"));
            return None;
        }
    };
    match name.as_str() {
        "keep_last" | "keep_first" => {
            let n = count(&name, meta, errors)?;
            Some(if name == "keep_last" {
                Mode::KeepLast(n)
            } else {
                Mode::KeepFirst(n)
            })
        }
        "hash" | "skip" | "serialize" | "clear" | "seal" => {
            if !matches!(meta, Meta::Path(_)) {
                errors.spanned(
                    meta,
                    format!("`{name}` takes no value: write `#[redact({name})]`"),
                );
                return None;
            }
            Some(match name.as_str() {
                "hash" => Mode::Hash,
                "skip" => Mode::Skip,
                "serialize" => Mode::Serialize,
                "seal" => Mode::Seal,
                _ => Mode::Clear,
            })
        }
        "redact" | "redacted" => {
            errors.spanned(path, "write `#[redact]` alone to log \"[REDACTED]\"");
            None
        }
        _ => {
            errors.spanned(
                path,
                format!(
                    "unknown redaction mode `{name}`; expected one of: {MODES_LIST} (or `#[redact]` alone to log \"[REDACTED]\"){}",
                    did_you_mean(&name, MODES)
                ),
            );
            None
        }
    }
}

/// The `N` of `keep_last = N`: a whole number of characters, at least 1.
fn count(name: &str, meta: &Meta, errors: &mut Errors) -> Option<usize> {
    let example = format!("`{name} = 4`");
    let value = match meta {
        Meta::NameValue(nv) => &nv.value,
        Meta::Path(p) => {
            errors.spanned(
                p,
                format!("`{name}` needs the number of characters to keep: {example}"),
            );
            return None;
        }
        Meta::List(l) => {
            errors.spanned(l, format!("write {example}, with `=`"));
            return None;
        }
    };
    let lit = match ungroup(value) {
        Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        }) => i,
        other => {
            errors.spanned(
                other,
                format!("`{name}` takes a whole number of characters, as in {example}"),
            );
            return None;
        }
    };
    match lit.base10_parse::<usize>() {
        Ok(0) => {
            errors.spanned(
                lit,
                format!("`{name} = 0` keeps no character: use `#[redact]` to hide the whole value, or keep 1 or more"),
            );
            None
        }
        Ok(n) => Some(n),
        Err(e) => {
            errors.spanned(
                lit,
                format!("`{name}`: {e}; use a small whole number, as in {example}"),
            );
            None
        }
    }
}

/// What `#[redact]` on something other than a field is told.
pub(crate) fn reject_misplaced(attrs: &[Attribute], what: &str, errors: &mut Errors) {
    for attr in attrs.iter().filter(|a| a.path().is_ident("redact")) {
        errors.spanned(
            attr,
            format!(
                "`#[redact]` goes on fields, not on {what}: mark each field whose value must not be logged as is (`#[redact]`, `#[redact(hash)]`, ...)"
            ),
        );
    }
}

/// The `#[serde(...)]` options that change what appears on the wire.
#[derive(Default)]
pub(crate) struct Serde {
    /// `rename = "..."` or `rename(serialize = "...")`.
    pub(crate) rename: Option<String>,
    /// `rename_all = "..."` (on a container or a variant).
    pub(crate) rename_all: Option<Case>,
    /// `rename_all_fields = "..."` (on an enum: the fields of its variants).
    pub(crate) rename_all_fields: Option<Case>,
    /// `skip` or `skip_serializing`.
    pub(crate) skip: bool,
    /// `skip_serializing_if = "path"`.
    pub(crate) skip_if: Option<syn::ExprPath>,
    /// `transparent`.
    pub(crate) transparent: bool,
    /// `tag = "..."` (on an enum: internally or, with `content`, adjacently
    /// tagged).
    pub(crate) tag: Option<String>,
    /// `content = "..."` (on an enum, with `tag`).
    pub(crate) content: Option<String>,
    /// `untagged` (on an enum, or on one of its variants).
    pub(crate) untagged: bool,
    /// `flatten` (on a field).
    pub(crate) flatten: bool,
}

/// Reads serde's options; malformed ones are left for serde to report.
pub(crate) fn serde(attrs: &[Attribute]) -> Serde {
    let mut out = Serde::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let Ok(metas) = attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
        else {
            continue;
        };
        for meta in metas {
            let Some(name) = meta.path().get_ident().map(|i| i.to_string()) else {
                continue;
            };
            match name.as_str() {
                "rename" => out.rename = serialize_str(&meta).or(out.rename),
                "rename_all" => {
                    out.rename_all = serialize_str(&meta)
                        .and_then(|s| Case::from_serde(&s))
                        .or(out.rename_all)
                }
                "rename_all_fields" => {
                    out.rename_all_fields = serialize_str(&meta)
                        .and_then(|s| Case::from_serde(&s))
                        .or(out.rename_all_fields)
                }
                "skip" | "skip_serializing" => out.skip = true,
                "skip_serializing_if" => {
                    if let Some(path) =
                        str_value(&meta).and_then(|s| syn::parse_str::<syn::ExprPath>(&s).ok())
                    {
                        out.skip_if = Some(path);
                    }
                }
                "transparent" => out.transparent = true,
                "tag" => out.tag = str_value(&meta).or(out.tag),
                "content" => out.content = str_value(&meta).or(out.content),
                "untagged" => out.untagged = true,
                "flatten" => out.flatten = true,
                _ => {}
            }
        }
    }
    out
}

/// The serialization side of `name = "x"` or `name(serialize = "x", ...)`.
fn serialize_str(meta: &Meta) -> Option<String> {
    match meta {
        Meta::NameValue(_) => str_value(meta),
        Meta::List(list) => {
            let inner = list
                .parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
                .ok()?;
            inner
                .iter()
                .find(|m| m.path().is_ident("serialize"))
                .and_then(str_value)
        }
        Meta::Path(_) => None,
    }
}

fn str_value(meta: &Meta) -> Option<String> {
    match meta {
        Meta::NameValue(nv) => match ungroup(&nv.value) {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    }
}

/// The expression inside the invisible group a `macro_rules!` fragment
/// (`$case:literal`) arrives in.
fn ungroup(expr: &Expr) -> &Expr {
    match expr {
        Expr::Group(g) => ungroup(&g.expr),
        other => other,
    }
}
