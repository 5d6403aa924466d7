//! Secrets found by their shape in a corpus of texts as real services and
//! their dependencies print them (`fixtures/shapes_corpus.rs`), through
//! `seclog::redact_text`, which applies what every record's strings go
//! through: no secret of a covered text is shown, in whole or in part;
//! what the README says is not covered is not; texts without secrets are
//! kept byte for byte, but for the values of keys that hold a sensitive
//! term.

#[path = "../fixtures/shapes_corpus.rs"]
mod corpus;

/// Whether `out` shows `secret`, or eight characters of it in a row when
/// it is longer than twelve; of a secret printed as a list of bytes
/// (`104, 117, …`, as `{:?}` prints a `Vec<u8>`), six of its numbers in a
/// row (eight characters of one occur in any list of bytes).
fn shows(out: &str, secret: &str) -> bool {
    if secret.contains(", ")
        && secret
            .bytes()
            .all(|c| c.is_ascii_digit() || c == b',' || c == b' ')
    {
        let numbers: Vec<&str> = secret.split(", ").collect();
        return numbers.windows(6).any(|w| out.contains(&w.join(", ")));
    }
    let chars: Vec<char> = secret.chars().collect();
    out.contains(secret)
        || chars.len() > 12
            && chars
                .windows(8)
                .any(|w| out.contains(&w.iter().collect::<String>()))
}

#[test]
fn no_secret_of_a_covered_text_is_shown() {
    let mut shown = Vec::new();
    for (by, text, secrets) in corpus::COVERED {
        let out = seclog::redact_text(text);
        for secret in *secrets {
            assert!(text.contains(secret), "{by}: {secret:?} is not in {text:?}");
            if shows(&out, secret) {
                shown.push(format!("{by}: {secret:?} in {out:?}"));
            }
        }
    }
    assert!(
        shown.is_empty(),
        "{} shown:\n{}",
        shown.len(),
        shown.join("\n")
    );
    assert!(corpus::COVERED.len() >= 250);
}

#[test]
fn what_the_readme_says_is_not_covered_is_not() {
    // When one of these is found, it moves to `COVERED`, and the README's
    // "What is not covered" loses its form.
    for (by, text, secrets) in corpus::NOT_COVERED {
        let out = seclog::redact_text(text);
        assert!(
            secrets.iter().any(|secret| shows(&out, secret)),
            "{by}: {text:?} is now covered ({out:?}): move it to COVERED and the README's list"
        );
    }
}

#[test]
fn texts_without_secrets_are_kept_byte_for_byte() {
    for (by, text) in corpus::BENIGN {
        assert_eq!(seclog::redact_text(text), *text, "{by}");
    }
}

#[test]
fn a_value_under_a_key_holding_a_sensitive_term_is_redacted() {
    for (by, text, logged) in corpus::TERM_CONTAINMENT {
        assert_eq!(seclog::redact_text(text), *logged, "{by}: {text:?}");
    }
}
