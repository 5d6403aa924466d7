//! The default sensitive-key policy.
//!
//! Wherever data reaches a record without a `#[derive(Redact)]` type to say
//! how (a `serde_json::Value`, a map, a `Serialize`-only argument, a
//! `#[redact(serialize)]` field, headers, query strings), every member whose
//! key looks sensitive is logged as `"[REDACTED]"`.
//!
//! A key is sensitive when, with case, `-`, `_`, `.` and spaces ignored, it
//! *contains* one of the terms of [`DEFAULT_SENSITIVE_KEYS`] or one added with
//! [`Builder::sensitive_key`](crate::Builder::sensitive_key). Containment
//! rather than equality is deliberate: `x-api-key`, `access_token`,
//! `client_secret` and `Set-Cookie` are all caught, at the price of also
//! redacting an innocent `token_count`. For a security log that is the right
//! way to be wrong.

/// The terms of the default sensitive-key policy, in normalised form
/// (lower case, without `-`, `_`, `.` or spaces).
///
/// ```
/// assert!(seclog::DEFAULT_SENSITIVE_KEYS.contains(&"password"));
/// assert!(seclog::is_sensitive_key("X-Api-Key"));
/// assert!(seclog::is_sensitive_key("refresh_token"));
/// assert!(!seclog::is_sensitive_key("username"));
/// ```
pub const DEFAULT_SENSITIVE_KEYS: &[&str] = &[
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
];

/// A set of sensitive-key terms: the defaults plus any the user added.
#[derive(Debug, Clone, Default)]
pub(crate) struct Policy {
    /// Extra terms, already normalised.
    extra: Vec<Box<str>>,
}

impl Policy {
    pub(crate) fn with_extra<I: IntoIterator<Item = String>>(terms: I) -> Self {
        let mut extra = Vec::new();
        for t in terms {
            let mut n = String::with_capacity(t.len());
            for c in t.chars().filter(|c| !is_ignored(*c)) {
                n.extend(c.to_lowercase());
            }
            if !n.is_empty() {
                extra.push(n.into_boxed_str());
            }
        }
        Policy { extra }
    }

    /// Whether a member named `key` must be redacted.
    pub(crate) fn is_sensitive(&self, key: &str) -> bool {
        let mut stack = [0u8; 96];
        let mut heap;
        let norm: &[u8] = if key.len() <= stack.len() && key.is_ascii() {
            let mut n = 0;
            for b in key.bytes() {
                if !is_ignored(b as char) {
                    stack[n] = b.to_ascii_lowercase();
                    n += 1;
                }
            }
            &stack[..n]
        } else {
            heap = String::with_capacity(key.len());
            for c in key.chars().filter(|c| !is_ignored(*c)) {
                heap.extend(c.to_lowercase());
            }
            heap.as_bytes()
        };
        DEFAULT_SENSITIVE_KEYS
            .iter()
            .any(|t| contains(norm, t.as_bytes()))
            || self.extra.iter().any(|t| contains(norm, t.as_bytes()))
    }
}

fn is_ignored(c: char) -> bool {
    matches!(c, '-' | '_' | '.' | ' ')
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.len() <= hay.len() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Whether the default policy treats a member named `key` as sensitive.
///
/// ```
/// assert!(seclog::is_sensitive_key("Authorization"));
/// assert!(seclog::is_sensitive_key("card_number"));
/// assert!(!seclog::is_sensitive_key("amount"));
/// ```
pub fn is_sensitive_key(key: &str) -> bool {
    Policy::default().is_sensitive(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_without_case_dashes_or_underscores() {
        let p = Policy::default();
        for k in [
            "password",
            "PASSWORD",
            "user_password",
            "Set-Cookie",
            "x-api-key",
            "API_KEY",
            "Authorization",
            "access_token",
            "client-secret",
            "sessionId",
            "private_key",
            "card-number",
            "CVV",
            "ssn",
            "Proxy-Authorization",
            "mfa.passcode.secret",
        ] {
            assert!(p.is_sensitive(k), "{k} should be sensitive");
        }
        for k in ["username", "email", "amount", "path", "ip", "user-agent"] {
            assert!(!p.is_sensitive(k), "{k} should not be sensitive");
        }
    }

    #[test]
    fn extra_terms_are_normalised() {
        let p = Policy::with_extra(["Account-PIN".to_string()]);
        assert!(p.is_sensitive("accountpin"));
        assert!(p.is_sensitive("ACCOUNT_PIN_HASH"));
        assert!(!p.is_sensitive("pin"));
    }

    #[test]
    fn long_and_non_ascii_keys_are_checked() {
        let p = Policy::default();
        let long = format!("{}password", "x".repeat(200));
        assert!(p.is_sensitive(&long));
        assert!(p.is_sensitive("Pässword-TOKEN"));
    }
}
