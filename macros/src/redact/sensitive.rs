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
    "hmackey",
    "jwtkey",
    "appkey",
    "authkey",
    "writekey",
    "licensekey",
    "pepper",
    "codeverifier",
    "pkce",
    "cipherkey",
    "aeskey",
    "applicationkey",
    "challengeanswer",
    "privatechallenge",
    "securityanswer",
    "verificationcode",
    "mfacode",
    "otpcode",
    "totp",
];

/// Short names of secrets, which are no terms: `auth` and `sig` count as
/// the whole name, `pass` also as its last word (`db_pass`), as
/// `seclog::SHORT_SECRET_NAMES` has it (`tests/tests/sensitive_fields.rs`
/// keeps the two in step).
pub(crate) const SHORT_NAMES: &[&str] = &["auth", "sig", "pass"];

/// The first term (in list order) that `name` contains once normalised,
/// or the short name it is.
pub(crate) fn matched_term(name: &str) -> Option<&'static str> {
    let normalised = normalise(name);
    TERMS
        .iter()
        .copied()
        .find(|t| normalised.contains(t))
        .or_else(|| short_name(name))
}

/// The short name `name` is, as the runtime's policy counts one.
fn short_name(name: &str) -> Option<&'static str> {
    let trimmed = name.trim_start_matches(['-', '_', '.', ' ']);
    if let Some(short) = SHORT_NAMES.iter().find(|n| trimmed.eq_ignore_ascii_case(n)) {
        return Some(short);
    }
    let n = trimmed.len();
    let last_word = n > 4
        && trimmed.is_char_boundary(n - 4)
        && trimmed[n - 4..].eq_ignore_ascii_case("pass")
        && {
            let before = trimmed.as_bytes()[n - 5];
            matches!(before, b'-' | b'_' | b'.' | b' ')
                || before.is_ascii_lowercase() && trimmed.as_bytes()[n - 4] == b'P'
        };
    last_word.then_some("pass")
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
        for (name, short) in [
            ("pass", "pass"),
            ("db_pass", "pass"),
            ("smtpPass", "pass"),
            ("auth", "auth"),
            ("_auth", "auth"),
            ("sig", "sig"),
        ] {
            assert_eq!(matched_term(name), Some(short), "{name}");
        }
        for name in [
            "email",
            "username",
            "amount",
            "pin_code",
            "api",
            "bypass",
            "compass",
            "passenger",
            "author",
            "oauth_provider",
            "design",
            "dbpass",
        ] {
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
