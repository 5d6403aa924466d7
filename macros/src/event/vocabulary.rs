//! The OWASP Logging Vocabulary, embedded so `security_event!` checks
//! names and arguments at compile time. The source of truth is
//! `reference/owasp/vocabulary.tsv`; a test keeps the two identical.

use crate::model::{Category, Level};

/// Each event: name, arguments (as written in the vocabulary), level.
pub(crate) const EVENTS: &[(&str, &str, &str)] = &[
    ("authn_login_success", "userid", "INFO"),
    ("authn_login_successafterfail", "userid,retries", "INFO"),
    ("authn_login_fail", "userid", "WARN"),
    ("authn_login_fail_max", "userid,maxlimit", "WARN"),
    (
        "authn_login_lock",
        "userid,reason(maxretries|suspicious|customer|other)",
        "WARN",
    ),
    ("authn_password_change", "userid", "INFO"),
    ("authn_password_change_fail", "userid", "CRITICAL"),
    (
        "authn_impossible_travel",
        "userid,region1,region2",
        "CRITICAL",
    ),
    ("authn_token_created", "userid,entitlements", "INFO"),
    ("authn_token_revoked", "userid,tokenid", "INFO"),
    ("authn_token_reuse", "userid,tokenid", "CRITICAL"),
    ("authn_token_delete", "appid", "WARN"),
    ("authz_fail", "userid,resource", "CRITICAL"),
    ("authz_change", "userid,from,to", "WARN"),
    ("authz_admin", "userid,event", "WARN"),
    ("crypt_decrypt_fail", "userid", "WARN"),
    ("crypt_encrypt_fail", "userid", "WARN"),
    ("excess_rate_limit_exceeded", "userid,max", "WARN"),
    ("upload_complete", "userid,filename,type", "INFO"),
    ("upload_stored", "filename,from,to", "INFO"),
    (
        "upload_validation",
        "filename,check:result",
        "INFO|CRITICAL",
    ),
    ("upload_delete", "userid,fileid", "INFO"),
    (
        "input_validation_fail",
        "(field1,field2,...),userid",
        "WARN",
    ),
    ("input_validation_discrete_fail", "field,userid", "WARN"),
    ("malicious_excess_404", "userid|ip,useragent", "WARN"),
    (
        "malicious_extraneous",
        "userid|ip,inputname,useragent",
        "CRITICAL",
    ),
    (
        "malicious_attack_tool",
        "userid|ip,toolname,useragent",
        "CRITICAL",
    ),
    ("malicious_cors", "userid|ip,useragent,referer", "CRITICAL"),
    (
        "malicious_direct_reference",
        "userid|ip,useragent",
        "CRITICAL",
    ),
    (
        "privilege_permissions_changed",
        "userid,object,fromlevel,tolevel",
        "WARN",
    ),
    ("sensitive_create", "userid,object", "WARN"),
    ("sensitive_read", "userid,object", "WARN"),
    ("sensitive_update", "userid,object", "WARN"),
    ("sensitive_delete", "userid,object", "WARN"),
    ("sequence_fail", "userid", "CRITICAL"),
    ("session_created", "userid", "INFO"),
    ("session_renewed", "userid", "INFO"),
    ("session_expired", "userid,reason", "INFO"),
    ("session_use_after_expire", "userid", "CRITICAL"),
    ("sys_startup", "userid", "WARN"),
    ("sys_shutdown", "userid", "WARN"),
    ("sys_restart", "userid", "WARN"),
    ("sys_crash", "reason", "WARN"),
    ("sys_monitor_disabled", "userid,monitor", "WARN"),
    ("sys_monitor_enabled", "userid,monitor", "WARN"),
    ("user_created", "userid,newuserid,attributes", "WARN"),
    ("user_updated", "userid,onuserid,attributes", "WARN"),
    ("user_archived", "userid,onuserid", "WARN"),
    ("user_deleted", "userid,onuserid", "WARN"),
];

/// The level of a vocabulary entry; `INFO|CRITICAL` is `info`, raised at
/// run time by the result.
pub(crate) fn level(text: &str) -> Option<Level> {
    match text {
        "INFO" | "INFO|CRITICAL" => Some(Level::Info),
        "WARN" => Some(Level::Warn),
        "CRITICAL" => Some(Level::Critical),
        _ => None,
    }
}

/// One argument of an event, as `security_event!` takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Param {
    /// `userid`: key `user` (or `userid`); defaults to the invocation's user.
    User,
    /// `userid|ip`: key `user` or `ip`; defaults to the invocation's user,
    /// else its source address.
    UserOrIp,
    /// `useragent`: key `useragent` (or `user_agent`); defaults to the
    /// invocation's user agent.
    UserAgent,
    /// `(field1,field2,...)`: key `fields`, a list.
    List,
    /// `check:result`: keys `check` and `result`.
    CheckResult,
    /// `reason(a|b|...)`: one of the listed values.
    Choice(String, Vec<String>),
    /// Any other argument, by its name.
    Text(String),
}

impl Param {
    /// The keys that give this argument.
    pub(crate) fn keys(&self) -> Vec<String> {
        match self {
            Param::User => vec!["user".into(), "userid".into()],
            Param::UserOrIp => vec!["user".into(), "userid".into(), "ip".into()],
            Param::UserAgent => vec!["useragent".into(), "user_agent".into()],
            Param::List => vec!["fields".into()],
            Param::CheckResult => vec!["check".into(), "result".into()],
            Param::Choice(name, _) | Param::Text(name) => vec![name.clone()],
        }
    }

    /// The keys as a user should write them (aliases left out).
    pub(crate) fn shown_keys(&self) -> Vec<String> {
        match self {
            Param::User => vec!["user".into()],
            Param::UserOrIp => vec!["user".into(), "ip".into()],
            Param::UserAgent => vec!["useragent".into()],
            other => other.keys(),
        }
    }

    /// Whether the argument may be left out (it comes from the invocation).
    pub(crate) fn optional(&self) -> bool {
        matches!(self, Param::User | Param::UserOrIp | Param::UserAgent)
    }
}

/// The arguments of an event from its vocabulary text.
pub(crate) fn params(arguments: &str) -> Vec<Param> {
    split_top_level(arguments)
        .into_iter()
        .map(|a| match a {
            "userid" => Param::User,
            "userid|ip" => Param::UserOrIp,
            "useragent" => Param::UserAgent,
            "check:result" => Param::CheckResult,
            a if a.starts_with('(') => Param::List,
            a => match a.split_once('(') {
                Some((name, rest)) => Param::Choice(
                    name.to_string(),
                    rest.trim_end_matches(')')
                        .split('|')
                        .map(str::to_string)
                        .collect(),
                ),
                None => Param::Text(a.to_string()),
            },
        })
        .collect()
}

/// Splits at commas outside parentheses.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if !s.is_empty() {
        out.push(&s[start..]);
    }
    out
}

/// ECS `event.category` and `event.type` of an event (pairs ECS expects).
pub(crate) fn ecs(name: &str) -> (Category, &'static str) {
    let prefix = name.split('_').next().unwrap_or_default();
    match (prefix, name) {
        ("authn", _) => (Category::Authentication, "info"),
        (_, "authz_change") | (_, "privilege_permissions_changed") => (Category::Iam, "change"),
        (_, "authz_admin") => (Category::Iam, "admin"),
        ("authz", _) => (Category::Iam, "info"),
        (_, "excess_rate_limit_exceeded") => (Category::IntrusionDetection, "denied"),
        (_, "upload_complete") | (_, "upload_stored") => (Category::File, "creation"),
        (_, "upload_delete") => (Category::File, "deletion"),
        ("upload", _) => (Category::File, "info"),
        ("input", _) => (Category::Api, "denied"),
        ("malicious", _) | ("sequence", _) => (Category::IntrusionDetection, "info"),
        (_, "sensitive_create") => (Category::Api, "creation"),
        (_, "sensitive_read") => (Category::Api, "access"),
        (_, "sensitive_update") => (Category::Api, "change"),
        (_, "sensitive_delete") => (Category::Api, "deletion"),
        (_, "session_created") => (Category::Session, "start"),
        (_, "session_expired") => (Category::Session, "end"),
        ("session", _) => (Category::Session, "info"),
        (_, "sys_startup") | (_, "sys_restart") => (Category::Host, "start"),
        (_, "sys_shutdown") | (_, "sys_crash") => (Category::Host, "end"),
        ("sys", _) => (Category::Configuration, "change"),
        (_, "user_created") => (Category::Iam, "creation"),
        (_, "user_deleted") => (Category::Iam, "deletion"),
        ("user", _) => (Category::Iam, "change"),
        _ => (Category::Api, "info"),
    }
}

/// `event.outcome` of an event, when its name says it.
pub(crate) fn outcome(name: &str) -> Option<&'static str> {
    if name.contains("success") {
        Some("Success")
    } else if name.contains("fail") {
        Some("Failure")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded table is the repository's vocabulary file, row for row.
    #[test]
    fn embedded_vocabulary_equals_the_reference_file() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../reference/owasp/vocabulary.tsv"
        );
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
        let rows: Vec<Vec<&str>> = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| l.split('\t').collect())
            .collect();
        assert_eq!(rows[0], ["event", "arguments", "level"]);
        let file: Vec<(&str, &str, &str)> = rows[1..]
            .iter()
            .map(|r| {
                assert_eq!(r.len(), 3, "row {r:?}");
                (r[0], r[1], r[2])
            })
            .collect();
        assert_eq!(EVENTS, &file[..]);
    }

    #[test]
    fn every_argument_has_a_distinct_key_and_every_level_is_known() {
        for (name, args, level) in EVENTS {
            let params = params(args);
            let mut keys: Vec<String> = params.iter().flat_map(Param::keys).collect();
            let n = keys.len();
            keys.sort();
            keys.dedup();
            assert_eq!(keys.len(), n, "{name}: two arguments share a key");
            assert!(super::level(level).is_some(), "{name}: {level}");
        }
    }

    #[test]
    fn structured_arguments_are_recognised() {
        assert_eq!(
            params("(field1,field2,...),userid"),
            [Param::List, Param::User]
        );
        assert_eq!(
            params("filename,check:result"),
            [Param::Text("filename".into()), Param::CheckResult]
        );
        assert_eq!(
            params("userid,reason(maxretries|suspicious|customer|other)"),
            [
                Param::User,
                Param::Choice(
                    "reason".into(),
                    vec![
                        "maxretries".into(),
                        "suspicious".into(),
                        "customer".into(),
                        "other".into()
                    ]
                )
            ]
        );
        assert_eq!(
            params("userid|ip,useragent"),
            [Param::UserOrIp, Param::UserAgent]
        );
    }

    #[test]
    fn ecs_pairs_are_allowed_by_ecs() {
        // ECS 9.5.0-dev `category_expected_types` for the categories used.
        let expected: &[(&str, &[&str])] = &[
            ("authentication", &["start", "end", "info"]),
            (
                "iam",
                &[
                    "admin", "change", "creation", "deletion", "group", "info", "user",
                ],
            ),
            ("intrusion_detection", &["allowed", "denied", "info"]),
            (
                "file",
                &["access", "change", "creation", "deletion", "info"],
            ),
            (
                "api",
                &[
                    "access", "admin", "allowed", "change", "creation", "deletion", "denied",
                    "end", "info", "start", "user",
                ],
            ),
            ("session", &["start", "end", "info"]),
            ("host", &["access", "change", "end", "info", "start"]),
            (
                "configuration",
                &["access", "change", "creation", "deletion", "info"],
            ),
        ];
        for (name, _, _) in EVENTS {
            let (category, ty) = ecs(name);
            let category = category.name();
            let types = expected
                .iter()
                .find(|(c, _)| *c == category)
                .map(|(_, t)| *t)
                .unwrap_or_default();
            assert!(types.contains(&ty), "{name}: {category}/{ty}");
        }
    }
}
