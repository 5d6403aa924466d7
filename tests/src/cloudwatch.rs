//! CloudWatch's matching, over parsed records: the JSON metric filter
//! patterns and Contributor Insights rule filters that
//! `seclog cloudwatch template` deploys, evaluated as CloudWatch Logs
//! evaluates them, so the tests can check them against real records.
//!
//! Filter patterns: `{ EXPR }` where `EXPR` combines, with `&&`, `||` and
//! parentheses, comparisons of a selector (`$.a.b`, `$.list[0]`) with a
//! string (`=`/`!=`, quoted or bare, `*` as a wildcard at its start or
//! end; `"*"` alone matches any value that is there), with a number (`=`,
//! `!=`, `<`, `<=`, `>`, `>=`), and `IS TRUE`, `IS FALSE`, `IS NULL`,
//! `NOT EXISTS`. A comparison on a member that is absent, or of another
//! type, does not match (`NOT EXISTS` aside), as in CloudWatch.
//!
//! Also where the tests find `cfn-lint` ([`cfn_lint`]).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `cfn-lint`, for the tests of the CloudFormation template:
/// `$SECLOG_CFN_LINT` (what `.ci/run` sets, to the virtual environment it
/// makes), else the repository's `.venv-cfn-lint/`, else `cfn-lint` on the
/// `PATH`.
///
/// # Panics
///
/// When none is there, saying how to get it, unless
/// `SECLOG_SKIP_CFN_LINT=1` asks to skip (then `None`, and a note on
/// stderr); in CI (`CI=true`) never skips.
pub fn cfn_lint() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let found = std::env::var_os("SECLOG_CFN_LINT")
        .map(PathBuf::from)
        .or_else(|| Some(root.join(".venv-cfn-lint/bin/cfn-lint")).filter(|p| p.exists()))
        .or_else(|| {
            Command::new("cfn-lint")
                .arg("--version")
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|_| PathBuf::from("cfn-lint"))
        });
    if found.is_some() {
        return found;
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let skip = std::env::var("SECLOG_SKIP_CFN_LINT").is_ok_and(|v| v == "1");
    if skip && !ci {
        eprintln!("cfn-lint not found: skipped because SECLOG_SKIP_CFN_LINT=1");
        return None;
    }
    panic!(
        "cfn-lint not found: run `bash .ci/run` once (it makes .venv-cfn-lint/), or \
         `python3 -m venv .venv-cfn-lint && .venv-cfn-lint/bin/pip install cfn-lint`, \
         or set SECLOG_CFN_LINT to a cfn-lint; SECLOG_SKIP_CFN_LINT=1 skips (never in CI)"
    )
}

/// Runs `cfn_lint` on the template at `path`; panics with its findings.
pub fn assert_cfn_lint_passes(cfn_lint: &Path, path: &Path) {
    let out = Command::new(cfn_lint)
        .arg("--")
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", cfn_lint.display()));
    assert!(
        out.status.success(),
        "cfn-lint finds problems in {}:\n{}{}",
        path.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A parsed filter pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    /// Both sides match.
    And(Box<Pattern>, Box<Pattern>),
    /// Either side matches.
    Or(Box<Pattern>, Box<Pattern>),
    /// A selector compared with a value.
    Compare(Vec<Step>, Op, Literal),
    /// `IS TRUE`, `IS FALSE`, `IS NULL`, `NOT EXISTS`.
    Is(Vec<Step>, Test),
}

/// One step of a selector.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// `.name`
    Member(String),
    /// `[n]`
    Index(usize),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// What a selector is compared with.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// Text, with `*` wildcards at its ends.
    Text(String),
    /// A number.
    Number(f64),
}

/// A postfix test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Test {
    /// `IS TRUE`
    True,
    /// `IS FALSE`
    False,
    /// `IS NULL`
    Null,
    /// `NOT EXISTS`
    NotExists,
}

impl Pattern {
    /// Parses `{ EXPR }`; the error says where it stopped.
    pub fn parse(text: &str) -> Result<Pattern, String> {
        let mut p = Parser {
            s: text.as_bytes(),
            at: 0,
        };
        p.skip();
        p.expect("{")?;
        let e = p.or()?;
        p.expect("}")?;
        p.skip();
        if p.at != p.s.len() {
            return Err(p.error("the end of the pattern"));
        }
        Ok(e)
    }

    /// Whether the record matches.
    pub fn matches(&self, record: &Value) -> bool {
        match self {
            Pattern::And(a, b) => a.matches(record) && b.matches(record),
            Pattern::Or(a, b) => a.matches(record) || b.matches(record),
            Pattern::Is(sel, test) => {
                let v = select(record, sel);
                match test {
                    Test::True => v == Some(&Value::Bool(true)),
                    Test::False => v == Some(&Value::Bool(false)),
                    Test::Null => v == Some(&Value::Null),
                    Test::NotExists => v.is_none(),
                }
            }
            Pattern::Compare(sel, op, lit) => {
                let Some(v) = select(record, sel) else {
                    return false;
                };
                match (lit, v) {
                    (Literal::Text(t), Value::String(s)) => {
                        let eq = wildcard(t, s);
                        match op {
                            Op::Eq => eq,
                            Op::Ne => !eq,
                            _ => false,
                        }
                    }
                    (Literal::Text(t), _) if t == "*" => *op == Op::Eq,
                    (Literal::Number(n), Value::Number(x)) => {
                        let x = x.as_f64().unwrap_or(f64::NAN);
                        match op {
                            Op::Eq => x == *n,
                            Op::Ne => x != *n,
                            Op::Lt => x < *n,
                            Op::Le => x <= *n,
                            Op::Gt => x > *n,
                            Op::Ge => x >= *n,
                        }
                    }
                    _ => false,
                }
            }
        }
    }

    /// Every selector of the pattern, as `$.a.b` paths.
    pub fn selectors(&self) -> Vec<Vec<Step>> {
        match self {
            Pattern::And(a, b) | Pattern::Or(a, b) => {
                let mut v = a.selectors();
                v.extend(b.selectors());
                v
            }
            Pattern::Compare(s, ..) | Pattern::Is(s, _) => vec![s.clone()],
        }
    }
}

/// The member a selector names, if the record has it.
pub fn select<'v>(record: &'v Value, steps: &[Step]) -> Option<&'v Value> {
    let mut v = record;
    for step in steps {
        v = match step {
            Step::Member(m) => v.as_object()?.get(m)?,
            Step::Index(i) => v.as_array()?.get(*i)?,
        };
    }
    Some(v)
}

/// `text` against `pattern` with a `*` at its start and/or end.
fn wildcard(pattern: &str, text: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let (head, p) = match pattern.strip_prefix('*') {
        Some(rest) => (true, rest),
        None => (false, pattern),
    };
    let (tail, p) = match p.strip_suffix('*') {
        Some(rest) => (true, rest),
        None => (false, p),
    };
    match (head, tail) {
        (false, false) => text == p,
        (false, true) => text.starts_with(p),
        (true, false) => text.ends_with(p),
        (true, true) => text.contains(p),
    }
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn skip(&mut self) {
        while self.s.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn error(&self, wanted: &str) -> String {
        let rest = String::from_utf8_lossy(&self.s[self.at.min(self.s.len())..]);
        format!("expected {wanted} at byte {}: {rest:?}", self.at)
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip();
        if self.s[self.at..].starts_with(token.as_bytes()) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, token: &str) -> Result<(), String> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(self.error(&format!("`{token}`")))
        }
    }

    fn or(&mut self) -> Result<Pattern, String> {
        let mut e = self.and()?;
        while self.eat("||") {
            e = Pattern::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }

    fn and(&mut self) -> Result<Pattern, String> {
        let mut e = self.primary()?;
        while self.eat("&&") {
            e = Pattern::And(Box::new(e), Box::new(self.primary()?));
        }
        Ok(e)
    }

    fn primary(&mut self) -> Result<Pattern, String> {
        if self.eat("(") {
            let e = self.or()?;
            self.expect(")")?;
            return Ok(e);
        }
        let sel = self.selector()?;
        for (word, test) in [
            ("IS TRUE", Test::True),
            ("IS FALSE", Test::False),
            ("IS NULL", Test::Null),
            ("NOT EXISTS", Test::NotExists),
        ] {
            if self.eat(word) {
                return Ok(Pattern::Is(sel, test));
            }
        }
        let op = [
            ("!=", Op::Ne),
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("=", Op::Eq),
            ("<", Op::Lt),
            (">", Op::Gt),
        ]
        .into_iter()
        .find(|(t, _)| self.eat(t))
        .map(|(_, op)| op)
        .ok_or_else(|| self.error("a comparison, IS or NOT EXISTS"))?;
        let lit = self.literal()?;
        if matches!(lit, Literal::Text(_)) && !matches!(op, Op::Eq | Op::Ne) {
            return Err(self.error("a number after an ordering comparison"));
        }
        Ok(Pattern::Compare(sel, op, lit))
    }

    fn selector(&mut self) -> Result<Vec<Step>, String> {
        self.expect("$")?;
        let mut steps = Vec::new();
        loop {
            if self.s.get(self.at) == Some(&b'.') {
                self.at += 1;
                let start = self.at;
                while self
                    .s
                    .get(self.at)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
                {
                    self.at += 1;
                }
                if start == self.at {
                    return Err(self.error("a member name"));
                }
                steps.push(Step::Member(
                    String::from_utf8_lossy(&self.s[start..self.at]).into_owned(),
                ));
            } else if self.s.get(self.at) == Some(&b'[') {
                self.at += 1;
                let start = self.at;
                while self.s.get(self.at).is_some_and(u8::is_ascii_digit) {
                    self.at += 1;
                }
                let n = std::str::from_utf8(&self.s[start..self.at])
                    .ok()
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(|| self.error("an index"))?;
                self.expect("]")?;
                steps.push(Step::Index(n));
            } else if steps.is_empty() {
                return Err(self.error("`.member` or `[index]` after `$`"));
            } else {
                return Ok(steps);
            }
        }
    }

    fn literal(&mut self) -> Result<Literal, String> {
        self.skip();
        if self.s.get(self.at) == Some(&b'"') {
            self.at += 1;
            let mut out = Vec::new();
            loop {
                match self.s.get(self.at) {
                    None => return Err(self.error("a closing `\"`")),
                    Some(b'"') => {
                        self.at += 1;
                        break;
                    }
                    Some(b'\\') => {
                        let c = *self
                            .s
                            .get(self.at + 1)
                            .ok_or_else(|| self.error("an escape"))?;
                        out.push(c);
                        self.at += 2;
                    }
                    Some(&c) => {
                        out.push(c);
                        self.at += 1;
                    }
                }
            }
            return Ok(Literal::Text(String::from_utf8_lossy(&out).into_owned()));
        }
        let start = self.at;
        while self
            .s
            .get(self.at)
            .is_some_and(|b| !b.is_ascii_whitespace() && !b"(){}&|".contains(b))
        {
            self.at += 1;
        }
        let word = std::str::from_utf8(&self.s[start..self.at]).unwrap_or_default();
        if word.is_empty() {
            return Err(self.error("a value"));
        }
        Ok(match word.parse::<f64>() {
            Ok(n) => Literal::Number(n),
            Err(_) => Literal::Text(word.to_string()),
        })
    }
}

/// A Contributor Insights rule body's filters and keys, applied to one
/// record: `Some(contributor)` (the keys' values, as text) when the record
/// passes every filter, `None` when it does not count. A record without
/// one of the keys does not count either.
///
/// Supports the filter operators `In`, `NotIn`, `StartsWith` and
/// `IsPresent`; any other panics, so a rule using one is noticed.
pub fn contributor(body: &Value, record: &Value) -> Option<Vec<String>> {
    let path = |p: &str| -> Vec<Step> {
        p.strip_prefix("$.")
            .unwrap_or_else(|| panic!("a rule member starts with `$.`: {p}"))
            .split('.')
            .map(|m| Step::Member(m.to_string()))
            .collect()
    };
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let contribution = &body["Contribution"];
    for f in contribution["Filters"].as_array().into_iter().flatten() {
        let member = select(record, &path(f["Match"].as_str().expect("Match")));
        let value = member.and_then(text);
        let strings = |k: &str| -> Vec<String> {
            f[k].as_array()
                .unwrap()
                .iter()
                .map(|s| text(s).unwrap())
                .collect()
        };
        let pass = if f.get("In").is_some() {
            value.is_some_and(|v| strings("In").contains(&v))
        } else if f.get("NotIn").is_some() {
            value.is_some_and(|v| !strings("NotIn").contains(&v))
        } else if f.get("StartsWith").is_some() {
            value.is_some_and(|v| strings("StartsWith").iter().any(|p| v.starts_with(p)))
        } else if let Some(present) = f.get("IsPresent") {
            member.is_some() == present.as_bool().unwrap()
        } else {
            panic!("a filter operator this evaluator does not know: {f}")
        };
        if !pass {
            return None;
        }
    }
    contribution["Keys"]
        .as_array()
        .expect("Keys")
        .iter()
        .map(|k| select(record, &path(k.as_str().unwrap())).and_then(text))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(p: &str, r: &Value) -> bool {
        Pattern::parse(p).unwrap().matches(r)
    }

    #[test]
    fn strings_match_exactly_or_by_wildcard() {
        let r =
            json!({"a": {"b": "authn_login_fail:bob"}, "n": 5, "t": true, "z": null, "l": ["x"]});
        assert!(m(r#"{ $.a.b = "authn_login_fail:bob" }"#, &r));
        assert!(m(r#"{ $.a.b = "authn_login_fail*" }"#, &r));
        assert!(m(r#"{ $.a.b = "*:bob" }"#, &r));
        assert!(m(r#"{ $.a.b = "*login*" }"#, &r));
        assert!(!m(r#"{ $.a.b = "authn_login_fail" }"#, &r));
        assert!(m(r#"{ $.a.b != "x*" }"#, &r));
        assert!(!m(r#"{ $.missing != "x" }"#, &r), "absent never compares");
        assert!(m(r#"{ $.n = "*" }"#, &r), "* is any value that is there");
        assert!(m(r#"{ $.l[0] = x }"#, &r), "bare words are text");
    }

    #[test]
    fn numbers_booleans_nulls_and_absence() {
        let r = json!({"n": 5, "t": true, "f": false, "z": null, "s": "5"});
        assert!(m("{ $.n > 4 }", &r) && m("{ $.n >= 5 }", &r) && !m("{ $.n < 5 }", &r));
        assert!(!m("{ $.s = 5 }", &r), "text is not a number");
        assert!(m("{ $.t IS TRUE }", &r) && !m("{ $.f IS TRUE }", &r));
        assert!(m("{ $.f IS FALSE }", &r) && m("{ $.z IS NULL }", &r));
        assert!(m("{ $.q NOT EXISTS }", &r) && !m("{ $.z NOT EXISTS }", &r));
    }

    #[test]
    fn and_binds_tighter_than_or_and_parentheses_group() {
        let r = json!({"a": 1, "b": 2});
        assert!(m("{ $.a = 9 && $.b = 9 || $.a = 1 }", &r));
        assert!(!m("{ $.a = 9 && ($.b = 9 || $.a = 1) }", &r));
    }

    #[test]
    fn malformed_patterns_are_refused() {
        for p in [
            "$.a = 1",
            "{ $.a = 1",
            "{ a = 1 }",
            "{ $.a ~ 1 }",
            "{ $.a > x }",
            "{ $. = 1 }",
            r#"{ $.a = "open }"#,
        ] {
            assert!(Pattern::parse(p).is_err(), "{p}");
        }
    }

    #[test]
    fn rule_filters_select_contributors() {
        let body = json!({"Contribution": {"Keys": ["$.source.ip"], "Filters": [
            {"Match": "$.event.outcome", "In": ["failure"]},
            {"Match": "$.seclog.owasp", "StartsWith": ["authn_login_fail"]},
        ]}});
        let hit = json!({"event": {"outcome": "failure"}, "seclog": {"owasp": "authn_login_fail:a"}, "source": {"ip": "192.0.2.1"}});
        assert_eq!(
            contributor(&body, &hit),
            Some(vec!["192.0.2.1".to_string()])
        );
        let no_key =
            json!({"event": {"outcome": "failure"}, "seclog": {"owasp": "authn_login_fail"}});
        assert_eq!(contributor(&body, &no_key), None);
        let success = json!({"event": {"outcome": "success"}, "seclog": {"owasp": "authn_login_fail:a"}, "source": {"ip": "192.0.2.1"}});
        assert_eq!(contributor(&body, &success), None);
    }
}
