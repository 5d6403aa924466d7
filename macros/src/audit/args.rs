//! `#[audit(...)]` options parsed into a typed model.
//!
//! Each option is declared once, as a row of [`OPTIONS`]: its name and how
//! its value is read. The parser dispatches on that table, the "expected one
//! of" list and the duplicate check read it, and the option's value is
//! checked as it is read (an unknown level is an error, never a default).
//! Parsing reports every malformed option and keeps going, so a user with
//! three mistakes sees three errors.

use crate::errors::{skip_to_comma, suggest, unknown, Errors};
use crate::model::{named, AuthKind, Category, Level};
use proc_macro2::TokenStream;
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Ident, LitStr, Token};

named! {
    /// Which records an invocation writes (`emit = "..."`).
    pub(crate) enum Emit {
        /// A start record with the inputs, and an end record.
        Both = "both",
        /// One record at the end, with everything.
        End = "end",
    }
}

/// A duration budget: nanoseconds, and the text as written (for records).
pub(crate) struct Budget {
    pub(crate) ns: u64,
    pub(crate) text: String,
}

/// The options as written, each read into its type.
#[derive(Default)]
pub(crate) struct AuditArgs {
    pub(crate) name: Option<String>,
    pub(crate) level: Option<Level>,
    pub(crate) skip: Vec<Ident>,
    /// The `skip(...)` keyword, for error spans.
    pub(crate) skip_kw: Option<Ident>,
    /// The `skip_all` keyword, for error spans.
    pub(crate) skip_all: Option<Ident>,
    pub(crate) who: Option<Expr>,
    pub(crate) source_ip: Option<Expr>,
    pub(crate) user_agent: Option<Expr>,
    pub(crate) redact: Vec<LitStr>,
    pub(crate) skip_response: bool,
    pub(crate) budget: Option<Budget>,
    pub(crate) auth: Option<AuthKind>,
    pub(crate) category: Option<Category>,
    pub(crate) emit: Option<Emit>,
}

/// Reads one option's value (the tokens after its name) into the model.
/// An `Err` is a malformed value: the caller reports it and skips to the
/// next option. A value that is well formed but not allowed is reported
/// into `errors` and parsing goes on.
type ReadValue = fn(&mut AuditArgs, &Ident, ParseStream<'_>, &mut Errors) -> syn::Result<()>;

/// One option of `#[audit]`.
struct Spec {
    name: &'static str,
    read: ReadValue,
}

/// Every option of `#[audit]`, in the order "expected one of" lists them.
const OPTIONS: &[Spec] = &[
    Spec {
        name: "name",
        read: |args, key, input, errors| {
            let lit = string_value(key, input, "login")?;
            if lit.value().trim().is_empty() {
                errors.spanned(
                    &lit,
                    "`name` must not be empty: it is the record's `event.action`",
                );
            }
            args.name = Some(lit.value());
            Ok(())
        },
    },
    Spec {
        name: "level",
        read: |args, key, input, errors| {
            let lit = string_value(key, input, "debug")?;
            match Level::from_name(&lit.value()) {
                Some(level) => args.level = Some(level),
                None => errors.spanned(&lit, Level::unknown(&lit.value())),
            }
            Ok(())
        },
    },
    Spec {
        name: "skip",
        read: |args, key, input, errors| {
            let content = parenthesized(key, input, "skip(password, token)")?;
            // `self` is accepted here so validation can say why it cannot be skipped.
            let names = content.parse_terminated(Ident::parse_any, Token![,])?;
            if names.is_empty() {
                errors.spanned(key, "`skip()` names no argument: list the arguments to keep out of the log, as in `skip(password)`, or remove it");
            }
            args.skip_kw = Some(key.clone());
            args.skip.extend(names);
            Ok(())
        },
    },
    Spec {
        name: "skip_all",
        read: |args, key, input, _| {
            no_value(key, input)?;
            args.skip_all = Some(key.clone());
            Ok(())
        },
    },
    Spec {
        name: "who",
        read: |args, key, input, _| {
            args.who = Some(expr_value(key, input, "claims.sub")?);
            Ok(())
        },
    },
    Spec {
        name: "source_ip",
        read: |args, key, input, _| {
            args.source_ip = Some(expr_value(key, input, "req.ip")?);
            Ok(())
        },
    },
    Spec {
        name: "user_agent",
        read: |args, key, input, _| {
            args.user_agent = Some(expr_value(key, input, "req.user_agent")?);
            Ok(())
        },
    },
    Spec {
        name: "redact",
        read: |args, key, input, errors| {
            let content =
                parenthesized(key, input, "redact(\"req.card.number\", \"return.token\")")?;
            let paths =
                content.parse_terminated(|p: ParseStream<'_>| p.parse::<LitStr>(), Token![,])?;
            if paths.is_empty() {
                errors.spanned(
                    key,
                    "`redact()` names no path: write `redact(\"arg.field\", \"return.token\")`",
                );
            }
            args.redact.extend(paths);
            Ok(())
        },
    },
    Spec {
        name: "skip_response",
        read: |args, key, input, _| {
            no_value(key, input)?;
            args.skip_response = true;
            Ok(())
        },
    },
    Spec {
        name: "budget",
        read: |args, key, input, errors| {
            let lit = string_value(key, input, "250ms")?;
            match parse_budget(&lit.value()) {
                Ok(ns) => {
                    args.budget = Some(Budget {
                        ns,
                        text: lit.value(),
                    })
                }
                Err(why) => errors.spanned(&lit, why),
            }
            Ok(())
        },
    },
    Spec {
        name: "auth",
        read: |args, key, input, errors| {
            let lit = string_value(key, input, "login")?;
            match AuthKind::from_name(&lit.value()) {
                Some(kind) => args.auth = Some(kind),
                None => errors.spanned(&lit, AuthKind::unknown(&lit.value())),
            }
            Ok(())
        },
    },
    Spec {
        name: "category",
        read: |args, key, input, errors| {
            let lit = string_value(key, input, "web")?;
            match Category::from_name(&lit.value()) {
                Some(category) => args.category = Some(category),
                None => errors.spanned(&lit, Category::unknown(&lit.value())),
            }
            Ok(())
        },
    },
    Spec {
        name: "emit",
        read: |args, key, input, errors| {
            let lit = string_value(key, input, "end")?;
            let v = lit.value();
            match Emit::from_name(&v) {
                Some(emit) => args.emit = Some(emit),
                None => {
                    let expected =
                        "`both` (a start and an end record) or `end` (one record at the end)";
                    errors.spanned(
                        &lit,
                        match suggest(&v, Emit::NAMES) {
                            Some(c) => format!(
                                "unknown emit mode `{v}`: did you mean `{c}`? Expected {expected}"
                            ),
                            None => format!("unknown emit mode `{v}`; expected {expected}"),
                        },
                    )
                }
            }
            Ok(())
        },
    },
];

/// The names of every option, for "expected one of".
fn option_names() -> Vec<&'static str> {
    OPTIONS.iter().map(|o| o.name).collect()
}

impl AuditArgs {
    /// Parses the attribute's arguments, collecting every error.
    pub(crate) fn from_syn(tokens: TokenStream, errors: &mut Errors) -> AuditArgs {
        let mut args = AuditArgs::default();
        let parser = |input: ParseStream<'_>| {
            let names = option_names();
            let mut seen: Vec<usize> = Vec::new();
            while !input.is_empty() {
                let key: Ident = match input.call(Ident::parse_any) {
                    Ok(k) => k,
                    Err(_) => {
                        let tt: proc_macro2::TokenTree = input.parse()?;
                        errors.spanned(
                            &tt,
                            format!(
                                "expected an option, as in `name = \"login\"` or `skip(password)`; the options are: {}",
                                names.join(", ")
                            ),
                        );
                        skip_to_comma(input);
                        continue;
                    }
                };
                let word = key.to_string();
                match OPTIONS.iter().position(|o| o.name == word) {
                    Some(i) => {
                        if seen.contains(&i) {
                            errors.spanned(
                                &key,
                                format!("duplicate option `{word}`: it is already given earlier in this attribute; keep one of them"),
                            );
                        }
                        seen.push(i);
                        if let Err(e) = (OPTIONS[i].read)(&mut args, &key, input, errors) {
                            errors.push(e);
                            skip_to_comma(input);
                        }
                    }
                    None => {
                        let hint = suggest(&word, &names);
                        errors.spanned(&key, unknown("option", &word, &names, hint));
                        skip_to_comma(input);
                    }
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
}

/// The string literal after `key =`; `example` shows a valid value.
fn string_value(key: &Ident, input: ParseStream<'_>, example: &str) -> syn::Result<LitStr> {
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

/// The expression after `key =`; `example` shows one.
fn expr_value(key: &Ident, input: ParseStream<'_>, example: &str) -> syn::Result<Expr> {
    if !input.peek(Token![=]) || is_end_after_eq(input) {
        return Err(syn::Error::new(
            key.span(),
            format!("`{key}` needs a value: write `{key} = EXPR`, where EXPR may use the arguments by name, as in `{key} = {example}`"),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(tokens: TokenStream) -> (AuditArgs, Vec<String>) {
        let mut errors = Errors::default();
        let args = AuditArgs::from_syn(tokens, &mut errors);
        let messages = match errors.finish() {
            Ok(()) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        };
        (args, messages)
    }

    #[test]
    fn every_option_reads_into_its_type() {
        let (args, errors) = parse(quote::quote! {
            name = "sign_in", level = "debug", skip(password), who = claims.sub,
            source_ip = req.ip, user_agent = req.ua, redact("req.card"),
            skip_response, budget = "1.5s", auth = "login", category = "web", emit = "end"
        });
        assert_eq!(errors, Vec::<String>::new());
        assert_eq!(args.name.as_deref(), Some("sign_in"));
        assert_eq!(args.level, Some(Level::Debug));
        assert_eq!(args.skip.len(), 1);
        assert!(args.who.is_some() && args.source_ip.is_some() && args.user_agent.is_some());
        assert_eq!(args.redact.len(), 1);
        assert!(args.skip_response);
        assert_eq!(args.budget.as_ref().map(|b| b.ns), Some(1_500_000_000));
        assert_eq!(args.auth, Some(AuthKind::Login));
        assert_eq!(args.category, Some(Category::Web));
        assert_eq!(args.emit, Some(Emit::End));
    }

    #[test]
    fn an_unknown_value_is_an_error_and_no_default() {
        let (args, errors) = parse(quote::quote!(level = "verbose", auth = "x", emit = "all"));
        assert_eq!(args.level, None);
        assert_eq!(args.auth, None);
        assert_eq!(args.emit, None);
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].starts_with("unknown level `verbose`"));
    }

    #[test]
    fn the_options_are_listed_once_each() {
        let mut names = option_names();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n);
    }
}
