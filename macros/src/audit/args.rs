//! `#[audit(...)]` options parsed into a typed model.
//!
//! Parsing reports every malformed option and keeps going, so a user with
//! three mistakes sees three errors.

use crate::errors::{closest, Errors};
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

pub(crate) const AUTH_KINDS: &[&str] = &[
    "login",
    "logout",
    "password_change",
    "token_create",
    "token_revoke",
    "mfa",
    "signup",
];

/// Words users reach for that mean one of the authentication kinds, which
/// edit distance alone would map wrongly (`signin` is closest to `signup`).
const AUTH_SYNONYMS: &[(&str, &str)] = &[
    ("signin", "login"),
    ("sign_in", "login"),
    ("log_in", "login"),
    ("authenticate", "login"),
    ("authentication", "login"),
    ("signout", "logout"),
    ("sign_out", "logout"),
    ("log_out", "logout"),
    ("register", "signup"),
    ("registration", "signup"),
    ("sign_up", "signup"),
    ("password_reset", "password_change"),
    ("password_update", "password_change"),
    ("2fa", "mfa"),
    ("otp", "mfa"),
    ("totp", "mfa"),
    ("token_issue", "token_create"),
    ("token_delete", "token_revoke"),
];

/// "unknown level `warning`: did you mean `warn`? Expected one of: ..."
pub(crate) fn unknown(what: &str, word: &str, candidates: &[&str]) -> String {
    unknown_with(what, word, candidates, suggestion(word, candidates))
}

fn unknown_with(what: &str, word: &str, candidates: &[&str], suggestion: Option<&str>) -> String {
    let list = candidates.join(", ");
    match suggestion {
        Some(c) => format!("unknown {what} `{word}`: did you mean `{c}`? Expected one of: {list}"),
        None => format!("unknown {what} `{word}`; expected one of: {list}"),
    }
}

/// The candidate the user most likely meant: the same word in another case,
/// else the closest by edit distance.
pub(crate) fn suggestion<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = word.to_lowercase().replace('-', "_");
    candidates
        .iter()
        .copied()
        .find(|c| *c == lower)
        .or_else(|| closest(&lower, candidates))
}

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
                        errors.spanned(
                            &tt,
                            format!(
                                "expected an option, as in `name = \"login\"` or `skip(password)`; the options are: {}",
                                OPTIONS.join(", ")
                            ),
                        );
                        skip_to_comma(input);
                        continue;
                    }
                };
                let name = key.to_string();
                if seen.contains(&name) && OPTIONS.contains(&name.as_str()) {
                    errors.spanned(
                        &key,
                        format!("duplicate option `{name}`: it is already given earlier in this attribute; keep one of them"),
                    );
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

    fn option(
        &mut self,
        key: &Ident,
        input: ParseStream<'_>,
        errors: &mut Errors,
    ) -> syn::Result<()> {
        match key.to_string().as_str() {
            "name" => {
                let lit = string_value(key, input)?;
                if lit.value().trim().is_empty() {
                    errors.spanned(
                        &lit,
                        "`name` must not be empty: it is the record's `event.action`",
                    );
                }
                self.name = Some(lit.value());
            }
            "level" => {
                let lit = string_value(key, input)?;
                let v = lit.value();
                if !LEVELS.contains(&v.as_str()) {
                    errors.spanned(&lit, unknown("level", &v, LEVELS));
                }
                self.level = Some(v);
            }
            "skip" => {
                let content = parenthesized(key, input, "skip(password, token)")?;
                let names = content.parse_terminated(Ident::parse_any_ident, Token![,])?;
                if names.is_empty() {
                    errors.spanned(key, "`skip()` names no argument: list the arguments to keep out of the log, as in `skip(password)`, or remove it");
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
                let content =
                    parenthesized(key, input, "redact(\"req.card.number\", \"return.token\")")?;
                let paths = content
                    .parse_terminated(|p: ParseStream<'_>| p.parse::<LitStr>(), Token![,])?;
                if paths.is_empty() {
                    errors.spanned(
                        key,
                        "`redact()` names no path: write `redact(\"arg.field\", \"return.token\")`",
                    );
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
                    let lower = v.to_lowercase().replace('-', "_");
                    let synonym = AUTH_SYNONYMS
                        .iter()
                        .find(|(w, _)| *w == lower)
                        .map(|(_, k)| *k);
                    let hint = synonym.or_else(|| suggestion(&v, AUTH_KINDS));
                    errors.spanned(
                        &lit,
                        unknown_with("authentication kind", &v, AUTH_KINDS, hint),
                    );
                }
                self.auth = Some(v);
            }
            "category" => {
                let lit = string_value(key, input)?;
                let v = lit.value();
                if !crate::ecs::CATEGORIES.contains(&v.as_str()) {
                    let cats = crate::ecs::CATEGORIES;
                    let list = cats.join(", ");
                    errors.spanned(
                        &lit,
                        match suggestion(&v, cats) {
                            Some(c) => format!(
                                "`{v}` is not an ECS `event.category`: did you mean `{c}`? Expected one of the ECS allowed values: {list}"
                            ),
                            None => format!("`{v}` is not an ECS `event.category`; expected one of the ECS allowed values: {list}"),
                        },
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
                        match suggestion(other, &["both", "end"]) {
                            Some(c) => format!(
                                "unknown emit mode `{other}`: did you mean `{c}`? Expected `both` (a start and an end record) or `end` (one record at the end)"
                            ),
                            None => format!(
                                "unknown emit mode `{other}`; expected `both` (a start and an end record) or `end` (one record at the end)"
                            ),
                        },
                    ),
                }
            }
            other => {
                errors.spanned(key, unknown("option", other, OPTIONS));
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

/// An example value of each string option, for messages.
fn example(key: &Ident) -> &'static str {
    match key.to_string().as_str() {
        "name" => "login",
        "level" => "debug",
        "budget" => "250ms",
        "auth" => "login",
        "category" => "web",
        "emit" => "end",
        _ => "...",
    }
}

fn string_value(key: &Ident, input: ParseStream<'_>) -> syn::Result<LitStr> {
    let example = example(key);
    if !input.peek(Token![=]) || is_end_after_eq(input) {
        return Err(syn::Error::new(
            key.span(),
            format!("`{key}` needs a value: write `{key} = \"{example}\"`"),
        ));
    }
    input.parse::<Token![=]>()?;
    if input.peek(LitStr) {
        return input.parse();
    }
    let tt: proc_macro2::TokenTree = input.parse()?;
    // `level = debug` or `budget = 3`: show the same text quoted.
    let quoted = match &tt {
        proc_macro2::TokenTree::Ident(i) => i.to_string(),
        proc_macro2::TokenTree::Literal(l) => l.to_string(),
        _ => example.to_string(),
    };
    Err(syn::Error::new(
        tt.span(),
        format!("`{key}` takes a string literal: write `{key} = \"{quoted}\"`"),
    ))
}

/// Whether nothing but a `,` or the end follows the `=` at the cursor.
fn is_end_after_eq(input: ParseStream<'_>) -> bool {
    let fork = input.fork();
    let _ = fork.parse::<Token![=]>();
    fork.is_empty() || fork.peek(Token![,])
}

fn expr_value(key: &Ident, input: ParseStream<'_>) -> syn::Result<Expr> {
    if !input.peek(Token![=]) || is_end_after_eq(input) {
        return Err(syn::Error::new(
            key.span(),
            format!("`{key}` needs a value: write `{key} = EXPR`, where EXPR may use the arguments by name, as in `{key} = {}`", match key.to_string().as_str() {
                "who" => "claims.sub",
                "source_ip" => "req.ip",
                _ => "req.user_agent",
            }),
        ));
    }
    input.parse::<Token![=]>()?;
    input.parse()
}

/// The `(...)` after `skip` or `redact`.
fn parenthesized<'a>(
    key: &Ident,
    input: ParseStream<'a>,
    example: &str,
) -> syn::Result<syn::parse::ParseBuffer<'a>> {
    let content;
    if input.peek(syn::token::Paren) {
        syn::parenthesized!(content in input);
        return Ok(content);
    }
    Err(syn::Error::new(
        key.span(),
        format!("`{key}` takes a list in parentheses: write `{example}`"),
    ))
}

fn no_value(key: &Ident, input: ParseStream<'_>) -> syn::Result<()> {
    if input.peek(Token![=]) || input.peek(syn::token::Paren) {
        return Err(syn::Error::new(
            key.span(),
            format!("`{key}` takes no value: write just `{key}`"),
        ));
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
        if t.parse::<f64>().is_ok() {
            return Err(format!(
                "budget `{s}` has no unit: write `budget = \"{t}ms\"` or `budget = \"{t}s\"`"
            ));
        }
        return Err(format!(
            "budget `{s}` has no unit: write a number followed by `ms` or `s`, as in `budget = \"250ms\"` or `budget = \"3s\"`"
        ));
    };
    let n: f64 = num.trim().parse().map_err(|_| {
        format!("budget `{s}` is not a number followed by `ms` or `s`: write it as in `budget = \"250ms\"` or `budget = \"1.5s\"`")
    })?;
    if !(n.is_finite() && n > 0.0) {
        return Err(format!(
            "budget `{s}` must be more than zero: write the longest the handler should take, as in `budget = \"250ms\"`, or remove `budget`"
        ));
    }
    let ns = n * unit_ns;
    if !(1_000_000.0..=900.0 * 1e9).contains(&ns) {
        return Err(format!(
            "budget `{s}` is out of range: use 1ms to 900s (AWS Lambda's longest timeout)"
        ));
    }
    Ok(ns as u64)
}
