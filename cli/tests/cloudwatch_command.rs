//! `seclog cloudwatch template` as a user runs it: the template it prints
//! for `--log-group /aws/lambda/login` passes `cfn-lint`, and bad options
//! stop it with a message that says what to change, printing nothing else.
//!
//! `cfn-lint` is found as the suite's CloudFormation tests find it
//! (`tests/tests/cloudwatch_template.rs`): `$SECLOG_CFN_LINT` (set by
//! `.ci/run`), else the repository's `.venv-cfn-lint/`, else the `PATH`;
//! without it the test fails saying how to get it, unless
//! `SECLOG_SKIP_CFN_LINT=1` (never in CI).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn seclog(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_seclog"))
        .args(args)
        .output()
        .expect("the seclog binary runs")
}

fn cfn_lint() -> Option<PathBuf> {
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
    if !ci && std::env::var("SECLOG_SKIP_CFN_LINT").is_ok_and(|v| v == "1") {
        eprintln!("cfn-lint not found: skipped because SECLOG_SKIP_CFN_LINT=1");
        return None;
    }
    panic!(
        "cfn-lint not found: run `bash .ci/run` once (it makes .venv-cfn-lint/), or \
         `python3 -m venv .venv-cfn-lint && .venv-cfn-lint/bin/pip install cfn-lint`; \
         SECLOG_SKIP_CFN_LINT=1 skips (never in CI)"
    )
}

#[test]
fn the_template_for_one_log_group_passes_cfn_lint() {
    let out = seclog(&["cloudwatch", "template", "--log-group", "/aws/lambda/login"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let yaml = String::from_utf8(out.stdout).expect("YAML is UTF-8");
    assert!(yaml.contains("LogGroupName: /aws/lambda/login"), "{yaml}");
    let Some(cfn_lint) = cfn_lint() else { return };
    let path =
        std::env::temp_dir().join(format!("seclog-cli-template-{}.yaml", std::process::id()));
    std::fs::write(&path, &yaml).unwrap();
    let lint = Command::new(&cfn_lint)
        .arg("--")
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", cfn_lint.display()));
    let _ = std::fs::remove_file(&path);
    assert!(
        lint.status.success(),
        "cfn-lint finds problems:\n{}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );
}

#[test]
fn a_bad_log_group_stops_the_command_naming_it_without_control_characters() {
    let out = seclog(&[
        "cloudwatch",
        "template",
        "--log-group",
        "/aws/lambda/x\u{1b}[2J",
    ]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no half template");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("is not a CloudWatch Logs log group name"),
        "{err}"
    );
    assert!(!err.contains('\u{1b}'), "{err:?}");
}

#[test]
fn the_detector_cannot_be_subscribed_to_its_own_log_group() {
    let out = seclog(&[
        "cloudwatch",
        "template",
        "--log-group",
        "/aws/lambda/seclog-detector",
        "--detector-arn",
        "arn:aws:lambda:eu-west-1:123456789012:function:seclog-detector",
    ]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the detector's own"), "{err}");
}

#[test]
fn a_log_group_is_required() {
    let out = seclog(&["cloudwatch", "template"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--log-group"));
}
