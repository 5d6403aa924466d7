//! Collects every error of a macro invocation so the user sees all of
//! them at once, each under its own tokens, and words the common ones
//! ("unknown ...; did you mean ...?") the same way in every macro.

use proc_macro2::TokenStream;
use quote::ToTokens;
use std::fmt::Display;

/// The errors of one macro invocation, combined in the order found.
#[derive(Default)]
pub(crate) struct Errors {
    combined: Option<syn::Error>,
}

impl Errors {
    pub(crate) fn push(&mut self, e: syn::Error) {
        match &mut self.combined {
            Some(c) => c.combine(e),
            None => self.combined = Some(e),
        }
    }

    pub(crate) fn spanned<T: ToTokens, M: Display>(&mut self, tokens: T, msg: M) {
        self.push(syn::Error::new_spanned(tokens, msg));
    }

    pub(crate) fn finish(self) -> Result<(), syn::Error> {
        match self.combined {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// The user's item unchanged, with the errors beside it, so only the real
/// mistakes are reported and no cascade of "cannot find function" follows.
pub(crate) fn with_item(errors: syn::Error, item: TokenStream) -> TokenStream {
    let mut out = errors.to_compile_error();
    out.extend(item);
    out
}

/// Skips the rest of a malformed item, up to the next `,` at this level,
/// so parsing goes on and the next mistake is reported too.
pub(crate) fn skip_to_comma(input: syn::parse::ParseStream<'_>) {
    while !input.is_empty() && !input.peek(syn::Token![,]) {
        if input.parse::<proc_macro2::TokenTree>().is_err() {
            break;
        }
    }
}

/// The candidate the user most likely meant by `word`: the same word in
/// another case or with `-` for `_`, else the closest by edit distance.
pub(crate) fn suggest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = word.to_lowercase().replace('-', "_");
    candidates
        .iter()
        .copied()
        .find(|c| *c == lower)
        .or_else(|| closest(&lower, candidates))
}

/// The closest candidate to `word` by edit distance, if it is close enough
/// to be a likely typo.
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (distance(word, c), *c))
        .filter(|(d, c)| *d <= c.len().max(word.len()).div_ceil(3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance counting a swap of two neighbouring letters as one edit
/// (optimal string alignment), the commonest typo after a wrong letter.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

/// "; did you mean `x`?" or nothing.
pub(crate) fn did_you_mean(word: &str, candidates: &[&str]) -> String {
    match closest(word, candidates) {
        Some(c) => format!("; did you mean `{c}`?"),
        None => String::new(),
    }
}

/// "unknown level `warning`: did you mean `warn`? Expected one of: ...",
/// with the suggestion the caller found (if any).
pub(crate) fn unknown(what: &str, word: &str, candidates: &[&str], hint: Option<&str>) -> String {
    let list = candidates.join(", ");
    match hint {
        Some(c) => format!("unknown {what} `{word}`: did you mean `{c}`? Expected one of: {list}"),
        None => format!("unknown {what} `{word}`; expected one of: {list}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_swap_of_neighbours_is_one_edit() {
        assert_eq!(distance("nmae", "name"), 1);
        assert_eq!(distance("levle", "level"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
    }

    #[test]
    fn suggestions_prefer_the_same_word_in_another_case() {
        let levels = ["trace", "debug", "info", "warn", "error", "critical"];
        assert_eq!(suggest("WARN", &levels), Some("warn"));
        assert_eq!(suggest("warning", &levels), Some("warn"));
        assert_eq!(suggest("verbose", &levels), None);
        assert_eq!(
            suggest("token-create", &["token_create", "token_revoke"]),
            Some("token_create")
        );
    }
}
