//! `#[audit(...)]` options parsed into a typed model.
//!
//! Parsing reports every malformed option and keeps going, so a user with
//! three mistakes sees three errors.

use crate::errors::{did_you_mean, Errors};
use proc_macro2::TokenStream;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Ident, LitStr, Token};

pub(crate) const OPTIONS: &[&str] = &[
    "name",
    "level",
    "skip",
    "skip_all",
    "who",
    "source_ip",
    "user_agent",
    "redact",
    "skip_response",
    "budget",
    "auth",
    "category",
    "emit",
];

pub(crate) const LEVELS: &[&str] = &["trace", "debug", "info", "warn", "error", "critical"];

pub(crate) const AUTH_KINDS: &[&str] =
    &["login", "logout", "password_change", "token_create", "token_revoke", "mfa", "signup"];

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Emit {
    Both,
    End,
}

#[derive(Default)]
pub(crate) struct AuditArgs {
    pub(crate) name: Option<String>,
    pub(crate) level: Option<String>,
    pub(crate) skip: Vec<Ident>,
    /// The `skip_all` keyword, for error spans.
    pub(crate) skip_all: Option<Ident>,
    /// The `skip(...)` keyword, for error spans.
    pub(crate) skip_kw: Option<Ident>,
    pub(crate) who: Option<Expr>,
    pub(crate) source_ip: Option<Expr>,
    pub(crate) user_agent: Option<Expr>,
    pub(crate) redact: Vec<LitStr>,
    pub(crate) skip_response: bool,
    /// Budget in nanoseconds, and the text as written.
    pub(crate) budget: Option<(u64, String)>,
    pub(crate) auth: Option<String>,
    pub(crate) category: Option<String>,
    pub(crate) emit: Option<Emit>,
}

impl AuditArgs {
    /// Parses the attribute's arguments, collecting every error.
    pub(crate) fn parse(tokens: TokenStream, errors: &mut Errors) -> AuditArgs {
        let mut args = AuditArgs::default();
        let parser = |input: ParseStream<'_>| {
            let mut seen: Vec<String> = Vec::new();
            while !input.is_empty() {
                let key: Ident = match input.call(syn::ext::IdentExt::parse_any) {
                    Ok(k) => k,
                    Err(_) => {
                        let tt: proc_macro2::TokenTree = input.parse()?;
                        errors.spanned(&tt, format!("expected an option name; expected one of: {}", OPTIONS.join(", ")));
                        skip_to_comma(input);
                        continue;
                    }
                };
                let name = key.to_string();
                if seen.contains(&name) && OPTIONS.contains(&name.as_str()) {
                    errors.spanned(&key, format!("duplicate option `{name}`: give each option once"));
                }
                seen.push(name.clone());
                if let Err(e) = args.option(&key, input, errors) {
                    errors.push(e);
                    skip_to_comma(input);
                }
                if input.is_empty() {
                    break;
                }
                if let Err(e) = input.parse::<Token![,]>() {
                    errors.push(syn::Error::new(e.span(), "expected `,` between options"));
                    skip_to_comma(input);
                    let _ = input.parse::<Token![,]>();
                }
            }
            Ok(())
        };
        if let Err(e) = parser.parse2(tokens) {
            errors.push(e);
        }
        args
    }

    fn option(&mut self, key: &Ident, input: ParseStream<'_>, errors: &mut Errors) -> syn::Result<()> {
        match key.to_string().as_str() {
            "name" => {
                let lit = string_value(key, input)?;
                if lit.value().trim().is_empty() {
                    errors.spanned(&lit, "`name` must not be empty: it is the record's `event.action`");
                }
                self.name = Some(lit.value());
            }
            "level" => {
                let lit = string_value(key, input)?;
                let v = lit.value();
                if !LEVELS.contains(&v.as_str()) {
                    errors.spanned(
                        &lit,
                        format!("unknown level `{v}`; expected one of: {}{}", LEVELS.join(", "), did_you_mean(&v, LEVELS)),
                    );
                }
                self.level = Some(v);
            }
            "skip" => {
                let content;
                syn::parenthesized!(content in input);
                let names = content.parse_terminated(Ident::parse_any_ident, Token![,])?;
                if names.is_empty() {
                    errors.spanned(key, "`skip()` names no argument: list arguments, as in `skip(password)`, or remove it");
                }
                self.skip_kw = Some(key.clone());
                self.skip.extend(names);
            }
            "skip_all" => {
                no_value(key, input)?;
                self.skip_all = Some(key.clone());
            }
            "who" => self.who = Some(expr_value(key, input)?),
            "source_ip" => self.source_ip = Some(expr_value(key, input)?),
            "user_agent" => self.user_agent = Some(expr_value(key, input)?),
            "redact" => {
                let content;
                syn::parenthesized!(content in input);
                let paths = content.parse_terminated(|p: ParseStream<'_>| p.parse::<LitStr>(), Token![,])?;
                if paths.is_empty() {
                    errors.spanned(key, "`redact()` names no path: write `redact(\"arg.field\", \"return.token\")`");
                }
                self.redact.extend(paths);
            }
            "skip_response" => {
                no_value(key, input)?;
                self.skip_response = true;
            }
            "budget" => {
                let lit = string_value(key, input)?;
                match parse_budget(&lit.value()) {
                    Ok(ns) => self.budget = Some((ns, lit.value())),
                    Err(why) => errors.spanned(&lit, why),
                }
            }
            "auth" => {
                let lit = string_value(key, input)?;
                let v = lit.value();
                if !AUTH_KINDS.contains(&v.as_str()) {
                    errors.spanned(
                        &lit,
                        format!(
                            "unknown authentication kind `{v}`; expected one of: {}{}",
                            AUTH_KINDS.join(", "),
                            did_you_mean(&v, AUTH_KINDS)
                        ),
                    );
                }
                self.auth = Some(v);
            }
            "category" => {
                let lit = string_value(key, input)?;
                let v = lit.value();
                if !crate::ecs::CATEGORIES.contains(&v.as_str()) {
                    errors.spanned(
                        &lit,
                        format!(
                            "`{v}` is not an ECS `event.category`; expected one of: {}{}",
                            crate::ecs::CATEGORIES.join(", "),
                            did_you_mean(&v, crate::ecs::CATEGORIES)
                        ),
                    );
                }
                self.category = Some(v);
            }
            "emit" => {
                let lit = string_value(key, input)?;
                match lit.value().as_str() {
                    "both" => self.emit = Some(Emit::Both),
                    "end" => self.emit = Some(Emit::End),
                    other => errors.spanned(
                        &lit,
                        format!("unknown emit mode `{other}`; expected `both` (start and end records) or `end` (one record)"),
                    ),
                }
            }
            other => {
                errors.spanned(
                    key,
                    format!("unknown option `{other}`; expected one of: {}{}", OPTIONS.join(", "), did_you_mean(other, OPTIONS)),
                );
                skip_to_comma(input);
            }
        }
        Ok(())
    }
}

trait ParseAnyIdent {
    fn parse_any_ident(input: ParseStream<'_>) -> syn::Result<Ident>;
}

impl ParseAnyIdent for Ident {
    fn parse_any_ident(input: ParseStream<'_>) -> syn::Result<Ident> {
        // `self` is accepted here so the validator can say why it cannot be skipped.
        syn::ext::IdentExt::parse_any(input)
    }
}

fn skip_to_comma(input: ParseStream<'_>) {
    while !input.is_empty() && !input.peek(Token![,]) {
        let _ = input.parse::<proc_macro2::TokenTree>();
    }
}

fn string_value(key: &Ident, input: ParseStream<'_>) -> syn::Result<LitStr> {
    if !input.peek(Token![=]) {
        return Err(syn::Error::new(key.span(), format!("`{key}` needs a value: write `{key} = \"...\"`")));
    }
    input.parse::<Token![=]>()?;
    if input.peek(LitStr) {
        return input.parse();
    }
    let tt: proc_macro2::TokenTree = input.parse()?;
    Err(syn::Error::new(tt.span(), format!("`{key}` takes a string literal: write `{key} = \"...\"`")))
}

fn expr_value(key: &Ident, input: ParseStream<'_>) -> syn::Result<Expr> {
    if !input.peek(Token![=]) {
        return Err(syn::Error::new(
            key.span(),
            format!("`{key}` needs a value: write `{key} = EXPR`, where EXPR may use the arguments by name"),
        ));
    }
    input.parse::<Token![=]>()?;
    input.parse()
}

fn no_value(key: &Ident, input: ParseStream<'_>) -> syn::Result<()> {
    if input.peek(Token![=]) || input.peek(syn::token::Paren) {
        return Err(syn::Error::new(key.span(), format!("`{key}` takes no value: write just `{key}`")));
    }
    Ok(())
}

/// Parses `"250ms"`, `"3s"`, `"1.5s"` into nanoseconds.
pub(crate) fn parse_budget(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, unit_ns) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1_000_000f64)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1_000_000_000f64)
    } else {
        return Err(format!(
            "budget `{s}` has no unit: write a number followed by `ms` or `s`, as in `budget = \"250ms\"` or `budget = \"3s\"`"
        ));
    };
    let n: f64 = num.trim().parse().map_err(|_| {
        format!("budget `{s}` is not a number followed by `ms` or `s`: write it as in `budget = \"250ms\"` or `budget = \"1.5s\"`")
    })?;
    if !(n.is_finite() && n > 0.0) {
        return Err(format!("budget `{s}` must be more than zero"));
    }
    let ns = n * unit_ns;
    if !(1_000_000.0..=900.0 * 1e9).contains(&ns) {
        return Err(format!("budget `{s}` is out of range: use 1ms to 900s (AWS Lambda's longest timeout)"));
    }
    Ok(ns as u64)
}
