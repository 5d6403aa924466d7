//! The closed sets of names the macros accept, as enums shared by every
//! macro that uses them: levels (`#[audit(level)]`, the OWASP vocabulary),
//! ECS categories (`#[audit(category)]`, the vocabulary's mapping) and
//! authentication kinds (`#[audit(auth)]`, `#[auth(...)]`).
//!
//! Each set is written once, as `Variant = "name"` pairs: parsing, the
//! "expected one of" lists and code generation all read it, and an unknown
//! name is always an error, never a default.

use crate::errors::{suggest, unknown};
use proc_macro2::{Ident, Span};

/// An enum whose variants are written as names: `from_name`, `name` and
/// the list of `NAMES`, from one list of `Variant = "name"` pairs.
macro_rules! named {
    (
        $(#[$meta:meta])*
        $vis:vis enum $enum:ident {
            $($(#[$vmeta:meta])* $variant:ident = $name:literal,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $enum {
            $($(#[$vmeta])* $variant,)*
        }

        // Not every set reads every helper.
        #[allow(dead_code)]
        impl $enum {
            /// Every name, in declaration order (for "expected one of").
            pub(crate) const NAMES: &'static [&'static str] = &[$($name,)*];

            /// The value named `name`, if there is one.
            pub(crate) fn from_name(name: &str) -> Option<$enum> {
                match name {
                    $($name => Some($enum::$variant),)*
                    _ => None,
                }
            }

            /// The name as users write it and records show it.
            pub(crate) fn name(self) -> &'static str {
                match self {
                    $($enum::$variant => $name,)*
                }
            }
        }
    };
}
pub(crate) use named;

named! {
    /// A record's level, as `#[audit(level = "...")]` names it.
    pub(crate) enum Level {
        Trace = "trace",
        Debug = "debug",
        Info = "info",
        Warn = "warn",
        Error = "error",
        Critical = "critical",
    }
}

impl Level {
    /// The runtime's variant (`::seclog::__private::Level::<this>`).
    pub(crate) fn variant(self) -> Ident {
        let name = match self {
            Level::Trace => "Trace",
            Level::Debug => "Debug",
            Level::Info => "Info",
            Level::Warn => "Warn",
            Level::Error => "Error",
            Level::Critical => "Critical",
        };
        Ident::new(name, Span::call_site())
    }

    /// "unknown level `warning`: did you mean `warn`? ..."
    pub(crate) fn unknown(word: &str) -> String {
        unknown("level", word, Self::NAMES, suggest(word, Self::NAMES))
    }
}

named! {
    /// ECS `event.category`: its allowed values (ECS 9.5.0-dev,
    /// `reference/ecs/allowed_values.json`; a test in
    /// `tests/tests/ecs_conformance.rs` keeps the two in step).
    pub(crate) enum Category {
        Api = "api",
        Authentication = "authentication",
        Configuration = "configuration",
        Database = "database",
        Driver = "driver",
        Email = "email",
        File = "file",
        Host = "host",
        Iam = "iam",
        IntrusionDetection = "intrusion_detection",
        Library = "library",
        Malware = "malware",
        Network = "network",
        Package = "package",
        Process = "process",
        Registry = "registry",
        Session = "session",
        Threat = "threat",
        Vulnerability = "vulnerability",
        Web = "web",
    }
}

impl Category {
    /// "`webb` is not an ECS `event.category`: did you mean `web`? ..."
    pub(crate) fn unknown(word: &str) -> String {
        let list = Self::NAMES.join(", ");
        match suggest(word, Self::NAMES) {
            Some(c) => format!(
                "`{word}` is not an ECS `event.category`: did you mean `{c}`? Expected one of the ECS allowed values: {list}"
            ),
            None => format!(
                "`{word}` is not an ECS `event.category`; expected one of the ECS allowed values: {list}"
            ),
        }
    }
}

named! {
    /// The kind of an authentication attempt, as `#[audit(auth = "...")]`
    /// and `#[auth(...)]` on an `AuthEvent` type name it.
    pub(crate) enum AuthKind {
        Login = "login",
        Logout = "logout",
        PasswordChange = "password_change",
        TokenCreate = "token_create",
        TokenRevoke = "token_revoke",
        Mfa = "mfa",
        Signup = "signup",
    }
}

impl AuthKind {
    /// Words users reach for that mean one of the kinds, which edit
    /// distance alone would map wrongly (`signin` is closest to `signup`).
    const SYNONYMS: &'static [(&'static str, AuthKind)] = &[
        ("signin", AuthKind::Login),
        ("sign_in", AuthKind::Login),
        ("log_in", AuthKind::Login),
        ("authenticate", AuthKind::Login),
        ("authentication", AuthKind::Login),
        ("signout", AuthKind::Logout),
        ("sign_out", AuthKind::Logout),
        ("log_out", AuthKind::Logout),
        ("register", AuthKind::Signup),
        ("registration", AuthKind::Signup),
        ("sign_up", AuthKind::Signup),
        ("password_reset", AuthKind::PasswordChange),
        ("password_update", AuthKind::PasswordChange),
        ("2fa", AuthKind::Mfa),
        ("otp", AuthKind::Mfa),
        ("totp", AuthKind::Mfa),
        ("token_issue", AuthKind::TokenCreate),
        ("token_delete", AuthKind::TokenRevoke),
    ];

    /// "unknown authentication kind `signin`: did you mean `login`? ..."
    pub(crate) fn unknown(word: &str) -> String {
        let lower = word.to_lowercase().replace('-', "_");
        let hint = Self::SYNONYMS
            .iter()
            .find(|(w, _)| *w == lower)
            .map(|(_, k)| k.name())
            .or_else(|| suggest(word, Self::NAMES));
        unknown("authentication kind", word, Self::NAMES, hint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_reads_back_as_its_value() {
        for name in Level::NAMES {
            assert_eq!(Level::from_name(name).map(Level::name), Some(*name));
        }
        for name in Category::NAMES {
            assert_eq!(Category::from_name(name).map(Category::name), Some(*name));
        }
        for name in AuthKind::NAMES {
            assert_eq!(AuthKind::from_name(name).map(AuthKind::name), Some(*name));
        }
        assert_eq!(Level::from_name("warning"), None);
        assert_eq!(Level::from_name("Info"), None);
    }

    #[test]
    fn a_level_names_its_runtime_variant() {
        for name in Level::NAMES {
            let level = Level::from_name(name).unwrap();
            assert_eq!(level.variant().to_string().to_lowercase(), *name);
        }
    }

    #[test]
    fn synonyms_name_the_kind_meant() {
        assert!(AuthKind::unknown("signin").contains("did you mean `login`?"));
        assert!(AuthKind::unknown("Sign-Up").contains("did you mean `signup`?"));
        assert!(AuthKind::unknown("logn").contains("did you mean `login`?"));
        assert!(AuthKind::unknown("frobnicate").starts_with(
            "unknown authentication kind `frobnicate`; expected one of: login, logout"
        ));
    }
}
