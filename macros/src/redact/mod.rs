//! `#[derive(Redact)]`: parse the type and its attributes into a model,
//! check it as a whole, then expand it.

mod attr;
mod bound;
mod case;
mod expand;
mod sensitive;

use crate::errors::Errors;
use attr::{FieldMode, Mode};
use case::Case;
use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Attribute, Fields, Generics, Ident, Item, Member, Type};

pub(crate) fn derive(item: TokenStream) -> TokenStream {
    let item = match syn::parse2::<Item>(item) {
        Ok(item) => item,
        Err(e) => return e.to_compile_error(),
    };
    let mut errors = Errors::default();
    let model = Container::from_syn(&item, &mut errors);
    if let Some(model) = &model {
        model.validate(&mut errors);
    }
    match (errors.finish(), model) {
        (Ok(()), Some(model)) => expand::expand(&model),
        // The impl anyway (logging "[REDACTED]"), so that only the real
        // mistakes are reported, not "`Signup` cannot be logged" where the
        // type is used.
        (Err(e), Some(model)) => {
            let mut out = e.to_compile_error();
            out.extend(expand::fallback(&model));
            out
        }
        (Err(e), None) => e.to_compile_error(),
        (Ok(()), None) => TokenStream::new(),
    }
}

/// The validated model of one type.
pub(crate) struct Container<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) generics: &'a Generics,
    pub(crate) data: Data<'a>,
}

pub(crate) enum Data<'a> {
    Struct(Shape<'a>),
    Enum(Vec<Variant<'a>>, Tagging),
}

/// How an enum's variants are told apart on the wire, as serde's
/// `tag`, `content` and `untagged` say.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Tagging {
    /// `{"Variant": content}` (serde's default).
    External,
    /// `{"<tag>": "Variant", ...fields}`.
    Internal { tag: String },
    /// `{"<tag>": "Variant", "<content>": content}`.
    Adjacent { tag: String, content: String },
    /// The content alone.
    Untagged,
}

/// The fields of a struct or variant, and how they are laid out in JSON.
pub(crate) enum Shape<'a> {
    /// `{ "a": ..., "b": ... }`.
    Named(Vec<Field<'a>>),
    /// `[ ..., ... ]`.
    Tuple(Vec<Field<'a>>),
    /// The one field's value alone (a newtype, or `#[serde(transparent)]`).
    Newtype(Field<'a>),
    /// `null` for a struct, the name alone for a variant.
    Unit,
}

pub(crate) struct Variant<'a> {
    pub(crate) ident: &'a Ident,
    /// The name on the wire.
    pub(crate) name: String,
    /// The whole variant is skipped by serde: only its name is logged.
    pub(crate) skipped: bool,
    /// `#[serde(untagged)]` on the variant: its content alone.
    pub(crate) untagged: bool,
    pub(crate) shape: Shape<'a>,
    /// How the variant's fields are matched: `{ .. }`, `( .. )` or nothing.
    pub(crate) fields_style: FieldsStyle,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldsStyle {
    Named,
    Unnamed,
    Unit,
}

pub(crate) struct Field<'a> {
    /// `self.<member>`.
    pub(crate) member: Member,
    /// Position among all the fields (for enum bindings).
    pub(crate) index: usize,
    /// The name on the wire (named fields).
    pub(crate) name: String,
    pub(crate) ty: &'a Type,
    pub(crate) mode: Mode,
    /// The field carries a `#[redact...]` attribute, even a malformed one
    /// (reported on its own): the user has decided how it is logged.
    pub(crate) marked: bool,
    /// The tokens that set the mode, for errors.
    pub(crate) mode_span: Span,
    pub(crate) skip_if: Option<syn::ExprPath>,
    /// `#[serde(flatten)]`: the value's members join the outer object's,
    /// and the field's name is not written.
    pub(crate) flatten: bool,
}

impl<'a> Container<'a> {
    fn from_syn(item: &'a Item, errors: &mut Errors) -> Option<Container<'a>> {
        match item {
            Item::Struct(s) => {
                attr::reject_misplaced(&s.attrs, "the type", errors);
                let serde = attr::serde(&s.attrs);
                let shape = shape(&s.fields, serde.rename_all, serde.transparent, errors);
                Some(Container {
                    ident: &s.ident,
                    generics: &s.generics,
                    data: Data::Struct(shape),
                })
            }
            Item::Enum(e) => {
                attr::reject_misplaced(&e.attrs, "the type", errors);
                let serde = attr::serde(&e.attrs);
                let variants = e
                    .variants
                    .iter()
                    .map(|v| {
                        attr::reject_misplaced(&v.attrs, "an enum variant", errors);
                        let vs = attr::serde(&v.attrs);
                        let name = vs.rename.clone().unwrap_or_else(|| {
                            let raw = v.ident.unraw().to_string();
                            serde.rename_all.map_or(raw.clone(), |c| c.variant(&raw))
                        });
                        let fields_case = vs.rename_all.or(serde.rename_all_fields);
                        let shape = match shape(&v.fields, fields_case, false, errors) {
                            // serde writes a newtype variant whose field is
                            // skipped as its name alone.
                            Shape::Newtype(f) if f.mode == Mode::Skip => Shape::Unit,
                            shape => shape,
                        };
                        let fields_style = match v.fields {
                            Fields::Named(_) => FieldsStyle::Named,
                            Fields::Unnamed(_) => FieldsStyle::Unnamed,
                            Fields::Unit => FieldsStyle::Unit,
                        };
                        Variant {
                            ident: &v.ident,
                            name,
                            skipped: vs.skip,
                            untagged: vs.untagged,
                            shape,
                            fields_style,
                        }
                    })
                    .collect();
                let tagging = match (serde.untagged, serde.tag, serde.content) {
                    (true, _, _) => Tagging::Untagged,
                    (false, Some(tag), Some(content)) => Tagging::Adjacent { tag, content },
                    (false, Some(tag), None) => Tagging::Internal { tag },
                    (false, None, _) => Tagging::External,
                };
                Some(Container {
                    ident: &e.ident,
                    generics: &e.generics,
                    data: Data::Enum(variants, tagging),
                })
            }
            Item::Union(u) => {
                errors.spanned(
                    u.union_token,
                    "#[derive(seclog::Redact)] cannot be used on a union: which field holds the value is not known, so it cannot be logged safely; implement `seclog::Redact` for the union by hand (for example writing `out.redacted()`)",
                );
                None
            }
            other => {
                let span = other.span();
                errors.push(syn::Error::new(
                    span,
                    "#[derive(seclog::Redact)] goes on a struct or an enum",
                ));
                None
            }
        }
    }
}

impl<'a> Container<'a> {
    /// The checks that involve more than one attribute.
    fn validate(&self, errors: &mut Errors) {
        if let Data::Struct(Shape::Newtype(f)) = &self.data {
            if f.mode == Mode::Skip {
                errors.push(syn::Error::new(
                    f.mode_span,
                    format!(
                        "the only field of `{}` cannot be skipped: there would be nothing left to log; use `#[redact]` to log \"[REDACTED]\" in its place",
                        self.ident
                    ),
                ));
            }
        }
        // Every unmarked field named like a secret, all at once (a
        // flattened field's name is not written: its members are, each
        // judged where its type is derived or by the policy).
        for f in self.logged_fields().into_iter().filter(|f| !f.flatten) {
            if let (Mode::Own, false, Member::Named(ident)) = (f.mode, f.marked, &f.member) {
                if let Some(term) = sensitive::matched_term(&f.name) {
                    errors.spanned(ident, looks_secret(ident, &f.name, term));
                }
            }
        }
    }

    /// The fields whose values are logged: every field not skipped, of the
    /// struct or of each variant serde does not skip.
    pub(crate) fn logged_fields<'c>(&'c self) -> Vec<&'c Field<'a>> {
        let mut out = Vec::new();
        let mut add = |shape: &'c Shape<'a>| match shape {
            Shape::Named(fs) | Shape::Tuple(fs) => {
                out.extend(fs.iter().filter(|f| f.mode != Mode::Skip))
            }
            Shape::Newtype(f) => out.push(f),
            Shape::Unit => {}
        };
        match &self.data {
            Data::Struct(shape) => add(shape),
            Data::Enum(variants, _) => variants
                .iter()
                .filter(|v| !v.skipped)
                .for_each(|v| add(&v.shape)),
        }
        out
    }
}

/// The error of an unmarked field whose logged name `name` contains the
/// sensitive term `term`.
fn looks_secret(ident: &Ident, name: &str, term: &str) -> String {
    let field = ident.unraw().to_string();
    let (logged, its) = if *name == field {
        (format!("field `{field}`"), "its name")
    } else {
        (format!("field `{field}`, logged as `{name}`,"), "that name")
    };
    let ignoring = if name.to_lowercase().contains(term) {
        ""
    } else {
        " (case, `-`, `_` and `.` aside)"
    };
    let why = if !sensitive::SHORT_NAMES.contains(&term) {
        format!("{its} contains the sensitive term `{term}`{ignoring}")
    } else if name
        .trim_start_matches(['-', '_', '.', ' '])
        .eq_ignore_ascii_case(term)
    {
        format!("{its} is `{term}`, a secret's short name")
    } else {
        format!("{its} ends in the word `{term}`, a secret's short name")
    };
    format!(
        "{logged} looks secret: {why}, and an unmarked field is logged as it is. \
         Mark it `#[redact]`, `#[redact(hash)]`, `#[redact(seal)]`, `#[redact(keep_last = N)]` or `#[redact(skip)]`; \
         or `#[redact(clear)]` to log it as declared, if the value is not secret or its type redacts itself"
    )
}

/// The fields of a struct or variant, with their wire names and modes.
fn shape<'a>(
    fields: &'a Fields,
    case: Option<Case>,
    transparent: bool,
    errors: &mut Errors,
) -> Shape<'a> {
    let mut out = Vec::new();
    for (index, f) in fields.iter().enumerate() {
        let FieldMode { mode, span } = attr::field_mode(&f.attrs, errors);
        let serde = attr::serde(&f.attrs);
        let span = match serde_skip_span(&f.attrs) {
            Some(s) if serde.skip && mode != Mode::Skip => s,
            _ => span,
        };
        let (member, name) = match &f.ident {
            Some(ident) => {
                let raw = ident.unraw().to_string();
                let name = serde
                    .rename
                    .clone()
                    .unwrap_or_else(|| case.map_or(raw.clone(), |c| c.field(&raw)));
                (Member::Named(ident.clone()), name)
            }
            None => (
                Member::Unnamed(syn::Index {
                    index: index as u32,
                    span: f.ty.span(),
                }),
                index.to_string(),
            ),
        };
        let mode = if serde.skip { Mode::Skip } else { mode };
        out.push(Field {
            member,
            index,
            name,
            ty: &f.ty,
            mode,
            marked: f.attrs.iter().any(|a| a.path().is_ident("redact")),
            mode_span: span,
            skip_if: serde.skip_if,
            flatten: serde.flatten,
        });
    }
    match fields {
        Fields::Unit => Shape::Unit,
        Fields::Named(_) if transparent => newtype(out),
        Fields::Named(_) => Shape::Named(out),
        Fields::Unnamed(_) if out.len() == 1 || transparent => newtype(out),
        Fields::Unnamed(_) => Shape::Tuple(out),
    }
}

/// The one field a newtype (or a `#[serde(transparent)]` struct) is logged
/// as: the one not skipped, or the only one.
fn newtype(fields: Vec<Field<'_>>) -> Shape<'_> {
    let count = fields.len();
    match fields
        .into_iter()
        .find(|f| f.mode != Mode::Skip || count == 1)
    {
        Some(f) => Shape::Newtype(f),
        None => Shape::Unit,
    }
}

fn serde_skip_span(attrs: &[Attribute]) -> Option<Span> {
    attrs
        .iter()
        .find(|a| a.path().is_ident("serde"))
        .map(Spanned::span)
}
