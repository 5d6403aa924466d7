//! serde's `rename_all` casings, so the log shows the names on the wire.
//!
//! Field names are written in Rust as `snake_case` and variant names as
//! `PascalCase`; each casing converts from that form, as serde does.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Case {
    Lower,
    Upper,
    Pascal,
    Camel,
    Snake,
    ScreamingSnake,
    Kebab,
    ScreamingKebab,
}

impl Case {
    /// The casing serde calls `name`, if it is one.
    pub(crate) fn from_serde(name: &str) -> Option<Case> {
        Some(match name {
            "lowercase" => Case::Lower,
            "UPPERCASE" => Case::Upper,
            "PascalCase" => Case::Pascal,
            "camelCase" => Case::Camel,
            "snake_case" => Case::Snake,
            "SCREAMING_SNAKE_CASE" => Case::ScreamingSnake,
            "kebab-case" => Case::Kebab,
            "SCREAMING-KEBAB-CASE" => Case::ScreamingKebab,
            _ => return None,
        })
    }

    /// A `snake_case` field name in this casing.
    pub(crate) fn field(self, name: &str) -> String {
        match self {
            Case::Lower | Case::Snake => name.to_string(),
            Case::Upper | Case::ScreamingSnake => name.to_ascii_uppercase(),
            Case::Pascal => words_capitalised(name),
            Case::Camel => lower_first(&words_capitalised(name)),
            Case::Kebab => name.replace('_', "-"),
            Case::ScreamingKebab => name.to_ascii_uppercase().replace('_', "-"),
        }
    }

    /// A `PascalCase` variant name in this casing.
    pub(crate) fn variant(self, name: &str) -> String {
        match self {
            Case::Pascal => name.to_string(),
            Case::Lower => name.to_ascii_lowercase(),
            Case::Upper => name.to_ascii_uppercase(),
            Case::Camel => lower_first(name),
            Case::Snake => split_before_capitals(name, '_'),
            Case::ScreamingSnake => split_before_capitals(name, '_').to_ascii_uppercase(),
            Case::Kebab => split_before_capitals(name, '-'),
            Case::ScreamingKebab => split_before_capitals(name, '-').to_ascii_uppercase(),
        }
    }
}

/// `user_id` → `UserId`: each `_` dropped and the letter after it upper-cased.
fn words_capitalised(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper_next = true;
    for c in name.chars() {
        if c == '_' {
            upper_next = true;
        } else if upper_next {
            out.extend(c.to_uppercase());
            upper_next = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `HttpServer` → `http_server` (with `sep` between words): every upper-case
/// letter after the first character starts a word.
fn split_before_capitals(name: &str, sep: char) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.char_indices() {
        if i > 0 && c.is_uppercase() {
            out.push(sep);
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::Case::*;

    #[test]
    fn fields() {
        let cases = [
            (Lower, "user_id"),
            (Upper, "USER_ID"),
            (Pascal, "UserId"),
            (Camel, "userId"),
            (Snake, "user_id"),
            (ScreamingSnake, "USER_ID"),
            (Kebab, "user-id"),
            (ScreamingKebab, "USER-ID"),
        ];
        for (case, expected) in cases {
            assert_eq!(case.field("user_id"), expected, "{case:?}");
        }
    }

    #[test]
    fn variants() {
        let cases = [
            (Lower, "httpserver"),
            (Upper, "HTTPSERVER"),
            (Pascal, "HTTPServer"),
            (Camel, "hTTPServer"),
            (Snake, "h_t_t_p_server"),
            (ScreamingSnake, "H_T_T_P_SERVER"),
            (Kebab, "h-t-t-p-server"),
            (ScreamingKebab, "H-T-T-P-SERVER"),
        ];
        for (case, expected) in cases {
            assert_eq!(case.variant("HTTPServer"), expected, "{case:?}");
        }
    }
}
