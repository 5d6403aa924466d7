//! A small YAML writer for CloudFormation templates.
//!
//! A template is a tree of maps, lists and scalars; [`Node`] holds one and
//! [`Node::write`] lays it out as block YAML. Text is written plain only
//! when no YAML parser could read it as anything but that text (a word of
//! letters, digits and `_-./:` that is not `true`, `null`, a number...);
//! other printable ASCII text is single-quoted (so filter patterns full of
//! `"` read as written), and anything else double-quoted with every
//! character outside printable ASCII escaped: a value can never end its
//! line, start a comment or become a tag, whatever it holds. Long text (queries, rule bodies) can
//! be written as a literal block (`|-`), which keeps it readable.

use std::fmt::Write as _;

/// One YAML value.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Text.
    Str(String),
    /// Text written as a literal block (`|-`): for several lines of text
    /// that has no control characters and no trailing spaces; anything
    /// else falls back to a quoted string.
    Block(String),
    /// An integer.
    Int(i64),
    /// `true` or `false`.
    Bool(bool),
    /// A list.
    List(Vec<Node>),
    /// A map, in the order given.
    Map(Vec<(String, Node)>),
}

impl Node {
    /// Text.
    pub fn str(s: impl Into<String>) -> Node {
        Node::Str(s.into())
    }

    /// A map from pairs.
    pub fn map<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Node)>) -> Node {
        Node::Map(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// `{"Ref": name}`: a parameter or resource, in CloudFormation's long
    /// form (short-form tags such as `!Ref` are not plain YAML).
    pub fn reference(name: &str) -> Node {
        Node::map([("Ref", Node::str(name))])
    }

    /// `{"Fn::Sub": text}`.
    pub fn sub(text: impl Into<String>) -> Node {
        Node::map([("Fn::Sub", Node::Str(text.into()))])
    }

    /// The YAML document, ending with a newline.
    ///
    /// ```
    /// use seclog_cli::cloudwatch::yaml::Node;
    /// let doc = Node::map([
    ///     ("Name", Node::str("failed logins")),
    ///     ("Pattern", Node::str(r#"{ $.a = "b" }"#)),
    ///     ("Groups", Node::List(vec![Node::str("/aws/lambda/login")])),
    ///     ("Count", Node::Int(3)),
    /// ]);
    /// assert_eq!(
    ///     doc.write(),
    ///     "Name: failed logins\nPattern: '{ $.a = \"b\" }'\nGroups:\n  - /aws/lambda/login\nCount: 3\n"
    /// );
    /// ```
    pub fn write(&self) -> String {
        let mut out = String::new();
        match self {
            Node::Map(m) if !m.is_empty() => write_map(&mut out, m, 0),
            Node::List(l) if !l.is_empty() => write_list(&mut out, l, 0),
            scalar => {
                write_scalar(&mut out, scalar, 0);
                out.push('\n');
            }
        }
        out
    }
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat(' ').take(n));
}

fn write_map(out: &mut String, m: &[(String, Node)], at: usize) {
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 {
            indent(out, at);
        }
        write_key(out, k);
        out.push(':');
        write_value(out, v, at + 2);
    }
}

fn write_list(out: &mut String, l: &[Node], at: usize) {
    for (i, v) in l.iter().enumerate() {
        if i > 0 {
            indent(out, at);
        }
        out.push_str("- ");
        match v {
            Node::Map(m) if !m.is_empty() => write_map(out, m, at + 2),
            Node::List(inner) if !inner.is_empty() => write_list(out, inner, at + 2),
            scalar => {
                write_scalar(out, scalar, at + 2);
                out.push('\n');
            }
        }
    }
}

/// A map member's value, after its `key:`.
fn write_value(out: &mut String, v: &Node, at: usize) {
    match v {
        Node::Map(m) if !m.is_empty() => {
            out.push('\n');
            indent(out, at);
            write_map(out, m, at);
        }
        Node::List(l) if !l.is_empty() => {
            out.push('\n');
            indent(out, at);
            write_list(out, l, at);
        }
        scalar => {
            out.push(' ');
            write_scalar(out, scalar, at);
            out.push('\n');
        }
    }
}

fn write_key(out: &mut String, k: &str) {
    if is_plain(k) {
        out.push_str(k);
    } else {
        quote(out, k);
    }
}

/// A scalar (or an empty collection) in place; a block's lines are
/// indented by `at`.
fn write_scalar(out: &mut String, v: &Node, at: usize) {
    match v {
        Node::Str(s) if is_plain(s) => out.push_str(s),
        Node::Str(s) if is_printable(s) => single_quote(out, s),
        Node::Str(s) => quote(out, s),
        Node::Block(s) if is_block(s) => {
            out.push_str("|-");
            for line in s.lines() {
                out.push('\n');
                if !line.is_empty() {
                    indent(out, at);
                    out.push_str(line);
                }
            }
        }
        Node::Block(s) => quote(out, s),
        Node::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Map(_) => out.push_str("{}"),
        Node::List(_) => out.push_str("[]"),
    }
}

/// Whether `s` reads back as itself when written plain: it starts with a
/// letter or `/`, holds only letters, digits, spaces and `_-./:`, has no
/// `: ` (a key) and no trailing space, and is none of YAML's words for
/// booleans and null.
fn is_plain(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let words = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
    ];
    (first.is_ascii_alphabetic() || first == '/')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || " _-./:".contains(c))
        && !s.contains(": ")
        && !s.ends_with([' ', ':'])
        && !words.iter().any(|w| s.eq_ignore_ascii_case(w))
}

/// Whether `s` can be a literal block: printable ASCII lines, the first
/// not indented (YAML would take its indent for the block's), no trailing
/// spaces.
fn is_block(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(' ')
        && s.lines()
            .all(|l| l.bytes().all(|b| (b' '..=b'~').contains(&b)) && !l.ends_with(' '))
        && !s.contains('\r')
        && !s.ends_with('\n')
}

/// Whether `s` is printable ASCII only, which single quotes keep as is.
fn is_printable(s: &str) -> bool {
    s.bytes().all(|b| (b' '..=b'~').contains(&b))
}

/// `s` single-quoted: no escapes but `''` for a quote, so a filter
/// pattern full of `"` reads as written.
fn single_quote(out: &mut String, s: &str) {
    out.push('\'');
    out.push_str(&s.replace('\'', "''"));
    out.push('\'');
}

/// `s` double-quoted, everything outside printable ASCII escaped (YAML's
/// escapes: `\uXXXX`, `\UXXXXXXXX`).
fn quote(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            ' '..='~' => out.push(c),
            c if (c as u32) <= 0xFFFF => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08X}", c as u32);
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_a_parser_would_retype_are_quoted() {
        for s in [
            "true", "No", "null", "~", "12", "-1", "1e3", "", " lead", "trail ", "a: b", "#x",
            "@x", "*x", "!Ref x", "a #b", "x:",
        ] {
            let out = Node::str(s).write();
            assert!(out.starts_with(['"', '\'']), "{s:?} → {out}");
        }
        for s in [
            "FailedLogins",
            "/aws/lambda/login",
            "AWS::Logs::MetricFilter",
            "a b",
        ] {
            assert_eq!(Node::str(s).write(), format!("{s}\n"));
        }
    }

    #[test]
    fn quotes_are_kept_readable() {
        assert_eq!(
            Node::str(r#"{ $.a = "it's" }"#).write(),
            "'{ $.a = \"it''s\" }'\n"
        );
    }

    #[test]
    fn control_and_unicode_characters_are_escaped() {
        let out = Node::str("a\"b\\c\nd\u{2028}e\u{1F600}\u{7}").write();
        assert_eq!(out, "\"a\\\"b\\\\c\\nd\\u2028e\\U0001F600\\u0007\"\n");
    }

    #[test]
    fn blocks_keep_their_lines_and_fall_back_to_quotes() {
        let doc = Node::map([("Q", Node::Block("fields a\n| sort a".into()))]);
        assert_eq!(doc.write(), "Q: |-\n  fields a\n  | sort a\n");
        let doc = Node::map([("Q", Node::Block("bad \nline".into()))]);
        assert_eq!(doc.write(), "Q: \"bad \\nline\"\n");
    }

    #[test]
    fn nested_lists_and_maps_are_indented() {
        let doc = Node::map([(
            "R",
            Node::map([(
                "Items",
                Node::List(vec![
                    Node::map([("A", Node::Int(1)), ("B", Node::Bool(true))]),
                    Node::List(vec![Node::str("x")]),
                    Node::Map(vec![]),
                ]),
            )]),
        )]);
        assert_eq!(
            doc.write(),
            "R:\n  Items:\n    - A: 1\n      B: true\n    - - x\n    - {}\n"
        );
    }
}
