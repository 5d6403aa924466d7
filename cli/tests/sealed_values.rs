//! Sealed values, from the key pair to the investigation: `seclog keygen`
//! writes the keys, a function seals with the public one, and `seclog
//! unseal --key` opens its records in every input shape the command reads;
//! a wrong key or an altered token is reported and never opened.

mod common;

use common::{gzip, seclog, seclog_stdin, Scratch};
use seclog::seal::{SealKey, UnsealKey};
use serde_json::{json, Value};

#[derive(seclog::Redact)]
struct Login {
    user: String,
    #[redact(seal)]
    password: String,
}

#[seclog::audit(emit = "end", who = req.user.as_str())]
fn login(req: Login) -> Result<(), &'static str> {
    let _ = req;
    Err("bad credentials")
}

/// The records a function writes when `password` is submitted, sealed for
/// `public` (the line of `seclog-seal.pub`).
fn records(public: &str, passwords: &[&str]) -> Vec<String> {
    let config = seclog::builder().seal_key(public).build().unwrap();
    passwords
        .iter()
        .flat_map(|p| {
            seclog::testing::capture_with(config, || {
                login(Login {
                    user: "alice".into(),
                    password: (*p).into(),
                })
            })
            .lines
        })
        .collect()
}

/// `seclog keygen` into a scratch directory: (directory, public key line).
fn keygen(name: &str) -> (Scratch, String) {
    let dir = Scratch::new(name);
    let run = seclog(&["keygen", &dir.str("keys")]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let public = std::fs::read_to_string(dir.path("keys").join("seclog-seal.pub")).unwrap();
    assert_eq!(
        run.stdout.trim(),
        public.trim(),
        "the public key is printed"
    );
    (dir, public.trim().to_string())
}

fn password_of(record: &Value) -> &Value {
    &record["seclog"]["input"]["req"]["password"]
}

#[test]
fn keygen_writes_a_private_key_only_its_owner_reads_and_a_public_line() {
    let (dir, public) = keygen("keygen");
    let key = dir.path("keys").join("seclog-seal.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let parsed: SealKey = public.parse().unwrap();
    let secret = UnsealKey::read(&key).unwrap();
    assert_eq!(secret.seal_key(), parsed);
    // Never replaced: the values sealed for it would be lost.
    let again = seclog(&["keygen", &dir.str("keys")]);
    assert_eq!(again.code, Some(1));
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert_eq!(UnsealKey::read(&key).unwrap().id(), secret.id());
}

#[test]
fn unseal_shows_exactly_the_submitted_password_and_leaves_the_rest() {
    let (dir, public) = keygen("unseal");
    let password = "' OR 1=1 --";
    let lines = records(&public, &[password]);
    assert!(lines.iter().all(|l| !l.contains("OR 1=1")), "in no byte");
    let input = dir.write("records.log", (lines.join("\n") + "\n").as_bytes());
    let key = dir.path("keys").join("seclog-seal.key");

    let run = seclog(&[
        "unseal",
        "--key",
        &key.to_string_lossy(),
        &input.to_string_lossy(),
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let out = run.json_lines();
    assert_eq!(out.len(), 1);
    assert_eq!(password_of(&out[0]), &json!({"unsealed": password}));
    // Byte for byte but the token.
    let original: Value = serde_json::from_str(&lines[0]).unwrap();
    let token = password_of(&original).as_str().unwrap();
    assert_eq!(
        run.stdout,
        lines[0].replace(&format!("\"{token}\""), r#"{"unsealed":"' OR 1=1 --"}"#) + "\n"
    );
}

#[test]
fn every_input_shape_is_unsealed() {
    let (dir, public) = keygen("shapes");
    let lines = records(&public, &["first", "second"]);
    let plain = lines.join("\n") + "\n";
    let export = json!({
        "events": lines.iter().enumerate().map(|(i, l)| json!({"timestamp": i, "message": l})).collect::<Vec<_>>()
    })
    .to_string();
    let s3 = lines
        .iter()
        .map(|l| format!("2026-01-01T00:00:00.000Z {l}\n"))
        .collect::<String>();
    let key = dir.path("keys").join("seclog-seal.key");
    let key = key.to_string_lossy();
    for (name, bytes) in [
        ("plain.log", plain.clone().into_bytes()),
        ("plain.log.gz", gzip(plain.as_bytes())),
        ("export.json", export.into_bytes()),
        ("s3.log", s3.into_bytes()),
    ] {
        let p = dir.write(name, &bytes);
        let run = seclog(&["unseal", "--key", &key, &p.to_string_lossy()]);
        assert_eq!(run.code, Some(0), "{name}: {}", run.stderr);
        let passwords: Vec<Value> = run
            .json_lines()
            .iter()
            .map(|r| password_of(r).clone())
            .collect();
        assert_eq!(
            passwords,
            [json!({"unsealed": "first"}), json!({"unsealed": "second"})],
            "{name}"
        );
    }
    let run = seclog_stdin(&["unseal", "--key", &key], plain.as_bytes());
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        password_of(&run.json_lines()[1]),
        &json!({"unsealed": "second"})
    );
}

#[test]
fn a_wrong_key_or_an_altered_token_is_reported_and_never_opened() {
    let (dir, public) = keygen("wrong");
    let (other, _) = keygen("other");
    let lines = records(&public, &["hunter2", "letmein"]);
    let second: Value = serde_json::from_str(&lines[1]).unwrap();
    let token = password_of(&second).as_str().unwrap().to_string();
    let mut altered = token.clone().into_bytes();
    let i = altered.len() - 5;
    altered[i] = if altered[i] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap();
    let tampered = [lines[0].clone(), lines[1].replace(&token, &altered)];
    let input = dir.write("records.log", (tampered.join("\n") + "\n").as_bytes());

    // The right key: the first opens, the altered one is reported.
    let key = dir.path("keys").join("seclog-seal.key");
    let run = seclog(&[
        "unseal",
        "--key",
        &key.to_string_lossy(),
        &input.to_string_lossy(),
    ]);
    assert_eq!(
        run.code,
        Some(2),
        "some tokens did not open: {}",
        run.stderr
    );
    let out = run.lines();
    assert_eq!(
        password_of(&serde_json::from_str(out[0]).unwrap()),
        &json!({"unsealed": "hunter2"})
    );
    assert_eq!(out[1], tampered[1], "left as it was");
    assert!(
        run.stderr
            .contains("records.log:2: the token was altered or cut"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("1 not opened"), "{}", run.stderr);

    // Another key: nothing opens, each token names the key it needs.
    let key = other.path("keys").join("seclog-seal.key");
    let run = seclog(&[
        "unseal",
        "--key",
        &key.to_string_lossy(),
        &input.to_string_lossy(),
    ]);
    assert_eq!(run.code, Some(2));
    assert_eq!(run.stdout, tampered.join("\n") + "\n");
    let id = public.split(':').nth(2).unwrap();
    assert!(
        run.stderr.contains(&format!("sealed for key id {id}")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("2 not opened"), "{}", run.stderr);
    for secret in ["hunter2", "letmein"] {
        assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret));
    }
}

#[test]
fn a_bad_key_file_is_an_error_that_echoes_no_key() {
    let dir = Scratch::new("badkey");
    let public = UnsealKey::generate().unwrap().seal_key().to_string();
    let p = dir.write("public-not-private", public.as_bytes());
    let run = seclog(&["unseal", "--key", &p.to_string_lossy(), "/dev/null"]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("not a seclog unseal key"),
        "{}",
        run.stderr
    );
    let run = seclog(&["unseal", "--key", &dir.str("missing"), "/dev/null"]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("missing"), "{}", run.stderr);
}

#[test]
fn an_opened_value_reaches_the_terminal_escaped() {
    let (dir, public) = keygen("escape");
    // Anyone with the public key can seal anything: terminal escapes, a
    // C1 control, a right-to-left override, a line separator.
    let sealer = seclog::seal::Sealer::new(&public.parse().unwrap()).unwrap();
    let value = "\u{1b}[2J\u{9b}31m\u{202e}exe.txt\u{2028}";
    let json = serde_json::to_string(value).unwrap();
    let token = sealer.seal_to_string(json.as_bytes()).unwrap();
    let p = dir.write("forged.log", format!("{{\"x\":\"{token}\"}}\n").as_bytes());
    let key = dir.path("keys").join("seclog-seal.key");
    let run = seclog(&[
        "unseal",
        "--key",
        &key.to_string_lossy(),
        &p.to_string_lossy(),
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        !run.stdout
            .chars()
            .any(|c| c != '\n' && seclog_cli::text::is_unsafe(c)),
        "{:?}",
        run.stdout
    );
    assert_eq!(run.json_lines()[0], json!({"x": {"unsealed": value}}));
}
