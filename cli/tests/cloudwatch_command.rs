//! `seclog cloudwatch template` as a user runs it: the template it prints
//! for `--log-group /aws/lambda/login` passes `cfn-lint`, and bad options
//! stop it with a message that says what to change, printing nothing else.
//!
//! `cfn-lint` is found by `seclog_tests::cloudwatch::cfn_lint`:
//! `$SECLOG_CFN_LINT` (set by `.ci/run`), else the repository's
//! `.venv-cfn-lint/`, else the `PATH`; without it the test fails saying how
//! to get it, unless `SECLOG_SKIP_CFN_LINT=1` (never in CI).

use seclog_tests::cloudwatch::{assert_cfn_lint_passes, cfn_lint};
use std::process::{Command, Output};

fn seclog(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_seclog"))
        .args(args)
        .output()
        .expect("the seclog binary runs")
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
    assert_cfn_lint_passes(&cfn_lint, &path);
    let _ = std::fs::remove_file(&path);
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
