//! The workspace as a user meets it: the commands the README shows name
//! real targets with the features they need, test helpers never share a
//! name with anything a user runs, and the README's first command builds no
//! AWS or web crate.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs cargo (the one running these tests) offline in the workspace root.
fn cargo(args: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(args)
        .arg("--offline")
        .current_dir(root())
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("cargo prints UTF-8")
}

#[derive(Debug)]
struct Target {
    package: String,
    kind: String,
    name: String,
    required_features: Vec<String>,
}

fn targets() -> Vec<Target> {
    let metadata: Value =
        serde_json::from_str(&cargo(&["metadata", "--format-version", "1", "--no-deps"]))
            .expect("cargo metadata is JSON");
    let mut all = Vec::new();
    for package in metadata["packages"].as_array().unwrap() {
        for target in package["targets"].as_array().unwrap() {
            for kind in target["kind"].as_array().unwrap() {
                all.push(Target {
                    package: package["name"].as_str().unwrap().into(),
                    kind: kind.as_str().unwrap().into(),
                    name: target["name"].as_str().unwrap().into(),
                    required_features: target["required-features"]
                        .as_array()
                        .map(|f| f.iter().map(|f| f.as_str().unwrap().into()).collect())
                        .unwrap_or_default(),
                });
            }
        }
    }
    all
}

/// Cargo and cargo-lambda treat `-` and `_` in target names alike.
fn normalized(name: &str) -> String {
    name.replace('-', "_")
}

#[test]
fn test_helpers_never_share_a_name_with_what_users_run() {
    let targets = targets();
    let runnable = |t: &&Target| t.kind == "bin" || t.kind == "example";
    let helpers: Vec<&Target> = targets
        .iter()
        .filter(runnable)
        .filter(|t| t.package == "seclog-tests")
        .collect();
    assert!(!helpers.is_empty(), "the test package has helper binaries");
    for helper in &helpers {
        assert!(
            helper.name.starts_with("fixture-"),
            "test helper `{}` must be named `fixture-…` so nobody mistakes it for something to run",
            helper.name
        );
    }
    let helper_names: BTreeSet<String> = helpers.iter().map(|t| normalized(&t.name)).collect();
    let users: Vec<&Target> = targets
        .iter()
        .filter(runnable)
        .filter(|t| t.package != "seclog-tests")
        .collect();
    assert!(
        users.iter().any(|t| t.name == "quickstart"),
        "the examples are listed: {users:?}"
    );
    for target in users {
        assert!(
            !helper_names.contains(&normalized(&target.name)),
            "`{}` ({} of {}) has the name of a test helper",
            target.name,
            target.kind,
            target.package
        );
    }
}

/// The `cargo …` commands of the README, as their words: lines of its code
/// blocks (after a `$ ` prompt or `VAR=value` assignments) and its inline
/// code spans.
fn readme_commands() -> Vec<Vec<String>> {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let mut lines = Vec::new();
    let mut in_block = false;
    for line in readme.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block {
            lines.push(trimmed.trim_start_matches("$ ").to_string());
        }
    }
    // Inline spans may wrap across lines of prose.
    let prose = readme.replace('\n', " ");
    lines.extend(prose.split('`').skip(1).step_by(2).map(String::from));
    let mut commands = Vec::new();
    for line in lines {
        // `a && b` holds two commands.
        for part in line.split("&&") {
            let words: Vec<String> = part
                .split_whitespace()
                .skip_while(|w| w.contains('=') && !w.starts_with('-'))
                .map(String::from)
                .collect();
            if words.first().is_some_and(|w| w == "cargo") {
                commands.push(words);
            }
        }
    }
    commands
}

fn option<'a>(words: &'a [String], names: &[&str]) -> Option<&'a str> {
    let at = words.iter().position(|w| names.contains(&w.as_str()))?;
    words.get(at + 1).map(String::as_str)
}

#[test]
fn every_target_the_readme_runs_exists_with_the_features_it_names() {
    let targets = targets();
    let commands = readme_commands();
    let mut checked = 0;
    for words in &commands {
        let kinds = [
            ("--example", "example"),
            ("--bin", "bin"),
            ("--test", "test"),
            ("--bench", "bench"),
        ];
        for (flag, kind) in kinds {
            let names = words.windows(2).filter(|w| w[0] == flag).map(|w| &w[1]);
            for name in names {
                checked += check_target(&targets, words, kind, name);
            }
        }
    }
    assert!(
        checked >= 8,
        "the README runs the quickstart, the Lambda functions, tests and the benchmark: {commands:?}"
    );
    assert_eq!(
        commands.first().map(|w| w.join(" ")).as_deref(),
        Some("cargo run -p seclog-examples --example quickstart"),
        "the README opens with the main example"
    );
}

/// Checks that `name` is one target of that kind (in the `-p` package, when
/// one is named) and that the command turns on its required features;
/// returns how many targets it checked.
fn check_target(targets: &[Target], words: &[String], kind: &str, name: &str) -> usize {
    if name.chars().all(|c| c.is_ascii_uppercase()) {
        return 0; // a placeholder: `--example NAME`
    }
    let package = option(words, &["-p", "--package"]);
    let found: Vec<&Target> = targets
        .iter()
        .filter(|t| t.kind == kind && t.name == name)
        .filter(|t| package.map_or(true, |p| t.package == p))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "README: `{}` names {kind} `{name}`, found {found:?}",
        words.join(" ")
    );
    let features: BTreeSet<&str> = option(words, &["--features", "-F"])
        .map(|f| f.split([',', ' ']).collect())
        .unwrap_or_default();
    for needed in &found[0].required_features {
        assert!(
            features.contains(needed.as_str()),
            "README: `{}` needs `--features {needed}`",
            words.join(" ")
        );
    }
    1
}

#[test]
fn the_first_command_builds_no_aws_or_web_crate() {
    let tree = cargo(&[
        "tree",
        "-p",
        "seclog-examples",
        "-e",
        "normal",
        "--prefix",
        "none",
    ]);
    let crates: BTreeMap<&str, &str> = tree
        .lines()
        .filter_map(|line| line.split_once(' '))
        .collect();
    assert!(crates.contains_key("seclog"), "{tree}");
    for heavy in [
        "lambda_http",
        "lambda_runtime",
        "aws_lambda_events",
        "hyper",
        "axum",
        "tower",
        "reqwest",
    ] {
        assert!(
            !crates.contains_key(heavy),
            "`cargo run -p seclog-examples --example quickstart` builds `{heavy}`:\n{tree}"
        );
    }
}
