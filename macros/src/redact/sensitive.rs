//! The default sensitive-key terms, known at compile time, so that a
//! derived field named like a secret and left unmarked is an error rather
//! than a secret in the log.
//!
//! The list equals `seclog::DEFAULT_SENSITIVE_KEYS`, term for term and in
//! order (`tests/tests/sensitive_fields.rs` keeps the two in step),
//! and names are matched as `seclog::is_sensitive_key` matches them: case,
//! `-`, `_`, `.` and spaces ignored, the term contained anywhere.

/// The terms, normalised (lower case, without `-`, `_`, `.` or spaces).
pub(crate) const TERMS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "pwd",
    "secret",
    "token",
    "apikey",
    "authorization",
    "cookie",
    "session",
    "credential",
    "privatekey",
    "cardnumber",
    "cvv",
    "cvc",
    "ssn",
    "signature",
    "accesskey",
    "accountkey",
    "subscriptionkey",
    "functionskey",
    "encryptionkey",
    "signingkey",
    "masterkey",
    "clientkey",
    "tlskey",
];

/// The first term (in list order) that `name` contains once normalised.
pub(crate) fn matched_term(name: &str) -> Option<&'static str> {
    let normalised = normalise(name);
    TERMS.iter().copied().find(|t| normalised.contains(t))
}

/// `name` in lower case without the separators the policy ignores.
pub(crate) fn normalise(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '-' | '_' | '.' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_as_the_runtime_policy_matches_them() {
        for (name, term) in [
            ("password", "password"),
            ("user_password", "password"),
            ("apiKey", "apikey"),
            ("API-KEY", "apikey"),
            ("x.api.key", "apikey"),
            ("accessToken", "token"),
            ("token_count", "token"),
            ("Set-Cookie", "cookie"),
            ("card_number", "cardnumber"),
            ("PASSWORD_HINT", "password"),
        ] {
            assert_eq!(matched_term(name), Some(term), "{name}");
        }
        for name in ["email", "username", "amount", "pin_code", "pass", "api"] {
            assert_eq!(matched_term(name), None, "{name}");
        }
    }

    #[test]
    fn the_terms_are_normalised() {
        for t in TERMS {
            assert_eq!(&normalise(t), t);
        }
    }
}
