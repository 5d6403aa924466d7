//! `#[derive(AuthEvent)]`: read the `#[auth(...)]` attributes into a
//! model, check it as a whole, then expand it.

mod expand;

use crate::errors::{did_you_mean, Errors};
use crate::model::{named, AuthKind};
use proc_macro2::TokenStream;
use syn::punctuated::Punctuated;
use syn::{Attribute, Fields, Generics, Ident, Item, Member, Meta, Token, Type, Variant};

pub(crate) fn derive(input: TokenStream) -> TokenStream {
    let input = match syn::parse2::<Item>(input) {
        Ok(Item::Struct(s)) => Input {
            attrs: s.attrs,
            ident: s.ident,
            generics: s.generics,
            data: Data::Struct(s.fields),
        },
        Ok(Item::Enum(e)) => Input {
            attrs: e.attrs,
            ident: e.ident,
            generics: e.generics,
            data: Data::Enum(e.variants.into_iter().collect()),
        },
        Ok(Item::Union(u)) => Input {
            attrs: u.attrs,
            ident: u.ident,
            generics: u.generics,
            data: Data::Union(u.union_token),
        },
        Ok(other) => {
            return syn::Error::new_spanned(
                other,
                "#[derive(seclog::AuthEvent)] goes on a struct or an enum",
            )
            .to_compile_error()
        }
        Err(e) => return e.to_compile_error(),
    };
    let mut errors = Errors::default();
    let model = Model::from_syn(&input, &mut errors);
    model.validate(&mut errors);
    match errors.finish() {
        Ok(()) => expand::expand(&model),
        Err(e) => {
            // The impls anyway (with no roles), so that only the real
            // mistakes are reported, not "`Login` is not an `AuthEvent`".
            let mut out = e.to_compile_error();
            out.extend(expand::fallback(&model));
            out
        }
    }
}

/// The derive's item: a struct, an enum or (refused) a union.
pub(crate) struct Input {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) ident: Ident,
    pub(crate) generics: Generics,
    pub(crate) data: Data,
}

pub(crate) enum Data {
    Struct(Fields),
    Enum(Vec<Variant>),
    Union(Token![union]),
}

named! {
    /// What a marked field is for.
    pub(crate) enum Role {
        User = "user",
        SourceIp = "source_ip",
        UserAgent = "user_agent",
    }
}

/// One marked field.
pub(crate) struct Marked {
    pub(crate) member: Member,
    pub(crate) ty: Type,
    pub(crate) role: Role,
    /// The role word in `#[auth(...)]`, for error spans.
    pub(crate) word: Ident,
    /// The field is redacted by `#[derive(Redact)]` (anything but
    /// `#[redact(serialize)]` and `#[redact(clear)]`): a user is then
    /// logged by digest only.
    pub(crate) redacted: bool,
}

/// A struct's fields, or one enum variant's.
pub(crate) struct Group {
    /// `None` for a struct.
    pub(crate) variant: Option<Ident>,
    pub(crate) marked: Vec<Marked>,
}

/// The validated model of one `#[derive(AuthEvent)]`.
pub(crate) struct Model<'a> {
    pub(crate) input: &'a Input,
    /// The kind of attempt (absent only when the derive has errors).
    pub(crate) kind: Option<AuthKind>,
    pub(crate) groups: Vec<Group>,
}

impl<'a> Model<'a> {
    fn from_syn(input: &'a Input, errors: &mut Errors) -> Model<'a> {
        let mut kind: Option<AuthKind> = None;
        for attr in input.attrs.iter().filter(|a| a.path().is_ident("auth")) {
            for word in words(attr, "#[auth(login)]", errors) {
                let w = word.to_string();
                if let Some(role) = Role::from_name(&w) {
                    errors.spanned(
                        &word,
                        format!(
                            "`#[auth({w})]` goes on a field, not on the type: put it on the field that holds the {}",
                            role.holds()
                        ),
                    );
                } else if let Some(this) = AuthKind::from_name(&w) {
                    match kind {
                        Some(first) => errors.spanned(
                            &word,
                            format!(
                                "the kind is given twice (`{}` and `{w}`): an attempt has one kind",
                                first.name()
                            ),
                        ),
                        None => kind = Some(this),
                    }
                } else {
                    errors.spanned(&word, AuthKind::unknown(&w));
                }
            }
        }
        let mut groups = Vec::new();
        match &input.data {
            Data::Struct(fields) => groups.push(Group {
                variant: None,
                marked: marked_fields(fields, errors),
            }),
            Data::Enum(variants) => {
                for v in variants {
                    for attr in v.attrs.iter().filter(|a| a.path().is_ident("auth")) {
                        errors.spanned(
                            attr,
                            "`#[auth(...)]` does not go on an enum variant: put the kind on the enum and the roles on fields",
                        );
                    }
                    groups.push(Group {
                        variant: Some(v.ident.clone()),
                        marked: marked_fields(&v.fields, errors),
                    });
                }
            }
            Data::Union(token) => errors.spanned(
                token,
                "#[derive(seclog::AuthEvent)] goes on a struct or an enum, not on a union",
            ),
        }
        Model {
            input,
            kind,
            groups,
        }
    }

    /// The checks that involve more than one attribute.
    fn validate(&self, errors: &mut Errors) {
        if self.kind.is_none() && self.input.attrs.iter().all(|a| !a.path().is_ident("auth")) {
            errors.spanned(
                &self.input.ident,
                format!(
                    "#[derive(seclog::AuthEvent)] needs the kind of attempt: add `#[auth(login)]` (or another kind) to `{}`; kinds: {}",
                    self.input.ident,
                    AuthKind::NAMES.join(", ")
                ),
            );
        }
        for group in &self.groups {
            for (i, m) in group.marked.iter().enumerate() {
                if let Some(first) = group.marked[..i].iter().find(|f| f.role == m.role) {
                    let what = m.role.holds();
                    let (a, b) = (member_name(&first.member), member_name(&m.member));
                    if first.member == m.member {
                        errors.spanned(
                            &m.word,
                            format!("`{}` is given twice on `{a}`: give it once", m.role.name()),
                        );
                    } else {
                        errors.spanned(
                            &m.word,
                            format!(
                                "two fields are marked `#[auth({})]` (`{a}` and `{b}`): mark only the one that holds the {what}",
                                m.role.name()
                            ),
                        );
                    }
                }
            }
        }
    }
}

impl Role {
    /// What a field with this role holds, for messages.
    fn holds(self) -> &'static str {
        match self {
            Role::User => "claimed identity",
            Role::SourceIp => "requester's address",
            Role::UserAgent => "requester's user agent",
        }
    }
}

fn member_name(m: &Member) -> String {
    match m {
        Member::Named(i) => i.to_string(),
        Member::Unnamed(i) => i.index.to_string(),
    }
}

/// The words of one `#[auth(a, b)]`; each error is reported and skipped.
fn words(attr: &Attribute, example: &str, errors: &mut Errors) -> Vec<Ident> {
    let list = match &attr.meta {
        Meta::List(_) => attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated),
        _ => {
            errors.spanned(
                attr,
                format!("expected a word in parentheses, as in `{example}`"),
            );
            return Vec::new();
        }
    };
    let list = match list {
        Ok(l) => l,
        Err(e) => {
            errors.push(syn::Error::new(
                e.span(),
                format!("expected words in parentheses, as in `{example}`"),
            ));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for meta in list {
        match meta.path().get_ident() {
            Some(word) if matches!(meta, Meta::Path(_)) => out.push(word.clone()),
            Some(word) => errors.spanned(
                &meta,
                format!("`{word}` takes no value: write `#[auth({word})]`"),
            ),
            None => errors.spanned(
                meta.path(),
                format!("expected a single word, as in `{example}`"),
            ),
        }
    }
    if out.is_empty() && is_empty_list(attr) {
        errors.spanned(attr, format!("`#[auth()]` is empty: write `{example}`"));
    }
    out
}

/// Whether an attribute's parentheses are empty.
fn is_empty_list(attr: &Attribute) -> bool {
    matches!(&attr.meta, Meta::List(l) if l.tokens.is_empty())
}

fn marked_fields(fields: &Fields, errors: &mut Errors) -> Vec<Marked> {
    let mut out = Vec::new();
    for (i, field) in fields.iter().enumerate() {
        let member = match &field.ident {
            Some(id) => Member::Named(id.clone()),
            None => Member::Unnamed(syn::Index::from(i)),
        };
        let redacted = field
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("redact"))
            .any(|a| match &a.meta {
                // `serialize` and `clear` log the value as it is.
                Meta::List(l) => !l
                    .tokens
                    .clone()
                    .into_iter()
                    .any(|t| t.to_string() == "serialize" || t.to_string() == "clear"),
                _ => true,
            });
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("auth")) {
            for word in words(attr, "#[auth(user)]", errors) {
                let w = word.to_string();
                let role = match Role::from_name(&w) {
                    Some(role) => role,
                    None if AuthKind::from_name(&w).is_some() => {
                        errors.spanned(
                            &word,
                            format!("the kind `#[auth({w})]` goes on the type, not on a field; fields take: {}", Role::NAMES.join(", ")),
                        );
                        continue;
                    }
                    None => {
                        errors.spanned(
                            &word,
                            format!(
                                "unknown field role `{w}`; expected one of: {}{}",
                                Role::NAMES.join(", "),
                                did_you_mean(&w, Role::NAMES)
                            ),
                        );
                        continue;
                    }
                };
                out.push(Marked {
                    member: member.clone(),
                    ty: field.ty.clone(),
                    role,
                    word,
                    redacted,
                });
            }
        }
    }
    out
}
