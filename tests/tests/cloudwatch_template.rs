//! `seclog cloudwatch template`: every metric filter pattern, Contributor
//! Insights rule and saved Logs Insights query it deploys refers only to
//! members seclog writes, in the shape it writes them. The records come
//! from real audited handlers under a scripted attack; the patterns and
//! rules are evaluated over them as CloudWatch evaluates them
//! (`seclog_tests::cloudwatch`), and each must select exactly the records
//! it is meant to count, told apart by other members than the ones it
//! reads. The template itself must pass `cfn-lint` (see
//! `seclog_tests::cloudwatch::cfn_lint` for where it is found and what
//! happens without it).

use seclog::monitor::{Monitor, Settings};
use seclog::{EventOutcome, Outcome};
use seclog_cli::cloudwatch::{
    self, template, DETECTOR_SUBSCRIPTION, INSIGHT_RULES, METRIC_FILTERS, QUERIES,
};
use seclog_tests::cloudwatch::{
    assert_cfn_lint_passes, cfn_lint, contributor, select, Pattern, Step,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

#[derive(seclog::Redact, seclog::AuthEvent)]
#[auth(login)]
struct LoginRequest {
    #[auth(user)]
    username: String,
    #[redact]
    password: String,
    #[auth(source_ip)]
    ip: String,
}

struct Status(u16);

impl serde::Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u16(self.0)
    }
}

impl Outcome for Status {
    fn outcome(&self) -> EventOutcome {
        if self.0 < 400 {
            EventOutcome::Success
        } else {
            EventOutcome::Failure
        }
    }
    fn status_code(&self) -> Option<u16> {
        Some(self.0)
    }
}

#[seclog::audit(name = "login")]
fn login(req: LoginRequest) -> Status {
    Status(if req.password == "right" { 200 } else { 401 })
}

/// A login form that names no user: its failure is `authn_login_fail`
/// with no argument.
#[seclog::audit(name = "login", auth = "login", source_ip = ip)]
fn anonymous_login(ip: &str) -> Result<(), &'static str> {
    let _ = ip;
    Err("no such account")
}

#[seclog::audit(who = user, source_ip = ip)]
fn admin_page(user: &str, ip: &str) -> Result<(), &'static str> {
    seclog::security_event!(authz_fail, resource = "/admin");
    Err("forbidden")
}

#[seclog::audit(budget = "1ms")]
fn monthly_report(pause: u64) -> u64 {
    std::thread::sleep(Duration::from_millis(pause));
    pause
}

#[derive(seclog::Redact)]
struct Customer {
    #[redact(hash)]
    email: String,
}

/// Hashes without a key: seclog reports that once per process, as a
/// `pipeline_error` record.
#[seclog::audit(emit = "end")]
fn lookup(customer: Customer) {
    let _ = customer;
}

fn attempt(user: &str, password: &str, ip: &str) {
    login(LoginRequest {
        username: user.into(),
        password: password.into(),
        ip: ip.into(),
    });
}

/// The records of a scripted attack on real handlers, once per test
/// process.
fn records() -> &'static [Value] {
    static RECORDS: OnceLock<Vec<Value>> = OnceLock::new();
    RECORDS.get_or_init(|| {
        let monitor = Monitor::new(Settings::default().user_max_failures(3).ip_max_users(3))
            .expect("valid settings");
        let config = seclog::builder()
            .build()
            .expect("the default configuration");
        let run = seclog::testing::capture_with(config, || {
            monitor.scope(|| {
                attempt("alice", "typo", "198.51.100.20");
                attempt("alice", "right", "198.51.100.20");
                for _ in 0..3 {
                    attempt("bob", "guess", "203.0.113.7");
                }
                for user in ["carol", "dave", "erin"] {
                    attempt(user, "123456", "192.0.2.66");
                }
                let _ = anonymous_login("198.51.100.9");
                let _ = admin_page("mallory", "203.0.113.50");
                monthly_report(20);
                monthly_report(0);
                lookup(Customer {
                    email: "ann@example.com".into(),
                });
                seclog::security_event!(
                    upload_validation,
                    filename = "invoice.pdf",
                    check = "virusscan",
                    result = "passed"
                );
                seclog::security_event!(
                    upload_validation,
                    filename = "invoice.exe",
                    check = "virusscan",
                    result = "infected"
                );
            })
        });
        let records = run.records();
        seclog_tests::assert_ecs(&records);
        records
    })
}

fn matching<'r>(pattern: &str, records: &'r [Value]) -> Vec<&'r Value> {
    let p = Pattern::parse(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
    records.iter().filter(|r| p.matches(r)).collect()
}

fn metric(name: &str) -> &'static cloudwatch::MetricFilter {
    METRIC_FILTERS
        .iter()
        .find(|f| f.metric == name)
        .unwrap_or_else(|| panic!("no metric filter {name}"))
}

fn event_ids(records: &[&Value]) -> BTreeSet<String> {
    records
        .iter()
        .map(|r| {
            r["event"]["id"]
                .as_str()
                .expect("every record has an id")
                .to_string()
        })
        .collect()
}

fn is_authentication(r: &Value) -> bool {
    r["event"]["category"]
        .as_array()
        .is_some_and(|c| c.iter().any(|c| c == "authentication"))
}

/// The end records of failed logins, told by their category and outcome.
fn failed_login_ends(records: &[Value]) -> Vec<&Value> {
    records
        .iter()
        .filter(|r| {
            r["event"]["type"][0] == "end"
                && r["event"]["outcome"] == "failure"
                && is_authentication(r)
        })
        .collect()
}

#[test]
fn every_pattern_selector_names_a_member_seclog_writes() {
    let records = records();
    let mut patterns: Vec<(&str, &str)> = METRIC_FILTERS
        .iter()
        .map(|f| (f.metric, f.pattern))
        .collect();
    patterns.push(("detector subscription", DETECTOR_SUBSCRIPTION));
    for (name, pattern) in patterns {
        // CloudWatch Logs takes filter patterns of at most 1024 characters.
        assert!(
            pattern.len() <= 1024,
            "{name}: {} characters",
            pattern.len()
        );
        let p = Pattern::parse(pattern).unwrap_or_else(|e| panic!("{name}: {e}"));
        for selector in p.selectors() {
            assert!(
                records.iter().any(|r| select(r, &selector).is_some()),
                "{name}: no record has {selector:?}"
            );
        }
    }
}

#[test]
fn failed_logins_count_every_failed_login_end_record_and_nothing_else() {
    let records = records();
    let expected = failed_login_ends(records);
    assert_eq!(expected.len(), 8, "alice 1, bob 3, stuffing 3, anonymous 1");
    let found = matching(metric("FailedLogins").pattern, records);
    assert_eq!(event_ids(&found), event_ids(&expected));
    assert!(
        found
            .iter()
            .any(|r| r["seclog"]["owasp"] == "authn_login_fail"),
        "a failure naming no user is counted too"
    );
}

#[test]
fn authorization_failures_count_the_authz_fail_events() {
    let found = matching(metric("AuthorizationFailures").pattern, records());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["event"]["action"], "authz_fail");
    assert_eq!(found[0]["user"]["id"], "mallory");
}

/// A record's `log.level`, written as a dotted root key (ECS logging) or
/// nested.
fn level(r: &Value) -> Option<&str> {
    r.get("log.level")
        .or_else(|| r.get("log").and_then(|l| l.get("level")))
        .and_then(Value::as_str)
}

#[test]
fn critical_events_are_the_records_at_level_critical() {
    let records = records();
    let expected: Vec<&Value> = records
        .iter()
        .filter(|r| level(r) == Some("critical"))
        .collect();
    let found = matching(metric("CriticalEvents").pattern, records);
    assert_eq!(event_ids(&found), event_ids(&expected));
    let actions: BTreeSet<&str> = found
        .iter()
        .map(|r| r["event"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        BTreeSet::from(["authz_fail", "credential_stuffing", "upload_validation"])
    );
    assert_eq!(found.len(), 3, "the failed upload check only: {found:#?}");
}

#[test]
fn critical_events_name_every_critical_event_of_the_vocabulary() {
    let vocabulary = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../reference/owasp/vocabulary.tsv"),
    )
    .expect("the vocabulary the repository carries");
    let critical: BTreeSet<&str> = vocabulary
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols.len() == 3 && cols[2].split('|').any(|lv| lv == "CRITICAL")).then_some(cols[0])
        })
        .collect();
    assert!(critical.len() >= 10, "{critical:?}");
    let pattern = metric("CriticalEvents").pattern;
    let named: BTreeSet<&str> = pattern
        .split(r#"$.seclog.owasp = ""#)
        .skip(1)
        .map(|rest| rest.split('*').next().unwrap())
        .collect();
    assert_eq!(named, critical);
}

#[test]
fn budget_overruns_count_the_slow_invocation_only() {
    let records = records();
    let found = matching(metric("BudgetOverruns").pattern, records);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["event"]["action"], "monthly_report");
    assert!(found[0]["event"]["duration"].as_u64().unwrap() > 1_000_000);
    let within: Vec<&Value> = records
        .iter()
        .filter(|r| r["event"]["action"] == "monthly_report" && r["seclog"]["budget"].is_object())
        .collect();
    assert_eq!(
        within.len(),
        2,
        "both invocations' end records carry the budget"
    );
}

#[test]
fn pipeline_errors_count_seclogs_own_problems() {
    let found = matching(metric("PipelineErrors").pattern, records());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0]["message"]
        .as_str()
        .unwrap()
        .contains("SECLOG_HASH_KEY"));
}

#[test]
fn security_alerts_count_brute_force_and_credential_stuffing() {
    let found = matching(metric("SecurityAlerts").pattern, records());
    let mut seen: Vec<(String, String)> = found
        .iter()
        .map(|r| {
            (
                r["event"]["action"].as_str().unwrap().to_string(),
                r["source"]["ip"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            (
                "authn_login_fail_max".to_string(),
                "203.0.113.7".to_string()
            ),
            ("credential_stuffing".to_string(), "192.0.2.66".to_string()),
        ]
    );
}

#[test]
fn the_detector_subscription_streams_every_login_outcome_and_nothing_else() {
    let records = records();
    let found = matching(DETECTOR_SUBSCRIPTION, records);
    // What the detector counts: the end records of logins, failed or not
    // (and the in-process detector's own `authn_login_fail_max`, which it
    // ignores); never the inputs of start records.
    let expected: Vec<&Value> = records
        .iter()
        .filter(|r| {
            (r["event"]["type"][0] == "end" && is_authentication(r))
                || r["event"]["action"] == "authn_login_fail_max"
        })
        .collect();
    assert_eq!(event_ids(&found), event_ids(&expected));
    assert!(found.iter().all(|r| r["seclog"]["phase"] != "start"));
    assert_eq!(
        found.len(),
        8 + 1 + 1,
        "failures, alice's success, fail_max"
    );
}

fn rule(id: &str) -> Value {
    let rule = INSIGHT_RULES.iter().find(|r| r.id == id).unwrap();
    serde_json::to_value(rule.body(&["/aws/lambda/login".to_string()])).unwrap()
}

/// Each contributor's count among the records, as Contributor Insights
/// would report them.
fn contributors(id: &str) -> BTreeMap<Vec<String>, u32> {
    let body = rule(id);
    let mut counts = BTreeMap::new();
    for r in records() {
        if let Some(key) = contributor(&body, r) {
            *counts.entry(key).or_default() += 1;
        }
    }
    counts
}

fn keyed<const N: usize>(pairs: [(&str, u32); N]) -> BTreeMap<Vec<String>, u32> {
    pairs
        .into_iter()
        .map(|(k, n)| (vec![k.to_string()], n))
        .collect()
}

#[test]
fn top_addresses_rank_the_failed_logins_by_source_ip() {
    assert_eq!(
        contributors("TopAddressesByFailedLogins"),
        keyed([
            ("192.0.2.66", 3),
            ("198.51.100.20", 1),
            ("198.51.100.9", 1),
            ("203.0.113.7", 3),
        ])
    );
}

#[test]
fn top_users_rank_the_failed_logins_by_claimed_user() {
    assert_eq!(
        contributors("TopUsersByFailedLogins"),
        keyed([
            ("authn_login_fail", 1),
            ("authn_login_fail:alice", 1),
            ("authn_login_fail:bob", 3),
            ("authn_login_fail:carol", 1),
            ("authn_login_fail:dave", 1),
            ("authn_login_fail:erin", 1),
        ])
    );
}

#[test]
fn top_actions_rank_failures_by_handler() {
    assert_eq!(
        contributors("TopActionsByFailures"),
        keyed([("admin_page", 1), ("login", 8)])
    );
}

#[test]
fn every_rule_filter_and_key_names_a_member_seclog_writes() {
    let records = records();
    for r in INSIGHT_RULES {
        let members = r
            .keys
            .iter()
            .copied()
            .chain(r.filters.iter().map(|f| f.member()));
        for m in members {
            let path: Vec<Step> = m
                .strip_prefix("$.")
                .unwrap()
                .split('.')
                .map(|s| Step::Member(s.into()))
                .collect();
            assert!(
                records
                    .iter()
                    .any(|rec| select(rec, &path).is_some_and(Value::is_string)),
                "{}: no record has {m} as text",
                r.id
            );
        }
    }
}

/// The record members a Logs Insights query names: its dotted
/// identifiers, outside strings, regular expressions and comments.
fn dotted_identifiers(query: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in query.lines().filter(|l| !l.trim_start().starts_with('#')) {
        let mut chars = line.chars().peekable();
        let mut word = String::new();
        let mut flush = |word: &mut String| {
            if word.contains('.') && !word.starts_with(|c: char| c.is_ascii_digit()) {
                out.insert(std::mem::take(word));
            }
            word.clear();
        };
        while let Some(c) = chars.next() {
            match c {
                '"' | '/' => {
                    flush(&mut word);
                    for d in chars.by_ref() {
                        if d == c {
                            break;
                        }
                    }
                }
                c if c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '@' => word.push(c),
                _ => flush(&mut word),
            }
        }
        flush(&mut word);
    }
    out
}

#[test]
fn every_query_reads_members_seclog_writes_with_their_types() {
    let records = records();
    for q in QUERIES {
        let declared: BTreeSet<String> = q
            .fields
            .iter()
            .filter(|f| f.path.contains('.'))
            .map(|f| f.path.to_string())
            .collect();
        assert_eq!(
            dotted_identifiers(q.query),
            declared,
            "{}: the members it names are the ones it declares",
            q.name
        );
        for f in q.fields {
            assert!(
                q.query.contains(f.path),
                "{}: declares {} but does not read it",
                q.name,
                f.path
            );
            let path: Vec<Step> = f.path.split('.').map(|s| Step::Member(s.into())).collect();
            let fits = |v: &Value| {
                if f.number {
                    v.is_number()
                } else {
                    v.is_string()
                }
            };
            assert!(
                records.iter().any(|r| select(r, &path).is_some_and(fits)),
                "{}: no record has {} as {}",
                q.name,
                f.path,
                if f.number { "a number" } else { "text" }
            );
        }
    }
}

#[test]
fn the_budget_query_condition_is_seclogs_own_verdict() {
    // `event.duration > seclog.budget.ms * 1000000` on every end record
    // with a budget says what `seclog.budget.exceeded` says.
    let with_budget: Vec<&Value> = records()
        .iter()
        .filter(|r| r["seclog"]["budget"]["ms"].is_u64())
        .collect();
    assert_eq!(with_budget.len(), 2);
    for r in with_budget {
        let over = r["event"]["duration"].as_u64().unwrap()
            > r["seclog"]["budget"]["ms"].as_u64().unwrap() * 1_000_000;
        assert_eq!(
            Some(over),
            r["seclog"]["budget"]["exceeded"].as_bool(),
            "{r}"
        );
    }
}

// ---------------------------------------------------------------------------
// The template as CloudFormation reads it.
// ---------------------------------------------------------------------------

fn write_template(name: &str, options: &template::Options) -> PathBuf {
    let yaml = template::render(options).expect("a template");
    let dir = std::env::temp_dir().join(format!("seclog-cloudwatch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, yaml).unwrap();
    path
}

fn options(groups: &[&str], detector: Option<&str>) -> template::Options {
    template::Options {
        log_groups: groups.iter().map(|g| g.to_string()).collect(),
        detector_arn: detector.map(String::from),
        detector_log_group: None,
    }
}

const DETECTOR: &str = "arn:aws:lambda:eu-west-1:123456789012:function:seclog-detector";

#[test]
fn the_template_passes_cfn_lint() {
    let Some(cfn_lint) = cfn_lint() else { return };
    assert_cfn_lint_passes(
        &cfn_lint,
        &write_template("one.yaml", &options(&["/aws/lambda/login"], None)),
    );
    let fleet = options(
        &[
            "/aws/lambda/login",
            "/aws/lambda/signup",
            "/ecs/orders#blue",
        ],
        Some(DETECTOR),
    );
    assert_cfn_lint_passes(&cfn_lint, &write_template("fleet.yaml", &fleet));
}

/// The template parsed by the YAML library cfn-lint runs on, as JSON.
fn parsed(cfn_lint: &Path, template: &Path) -> Value {
    let python = match cfn_lint.parent() {
        Some(dir) if dir.join("python").exists() => dir.join("python"),
        _ => PathBuf::from("python3"),
    };
    let out = Command::new(&python)
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
        ])
        .arg(template)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", python.display()));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn cloudformation_reads_the_patterns_rules_and_queries_the_suite_checked() {
    let Some(cfn_lint) = cfn_lint() else { return };
    let groups = ["/aws/lambda/login", "/aws/lambda/signup"];
    let doc = parsed(
        &cfn_lint,
        &write_template("read.yaml", &options(&groups, Some(DETECTOR))),
    );
    let resources = doc["Resources"].as_object().unwrap();
    let of_type = |t: &str| -> Vec<&Value> {
        resources
            .values()
            .filter(|r| r["Type"] == t)
            .map(|r| &r["Properties"])
            .collect()
    };
    // Every metric filter on every log group and the detector's.
    let filters = of_type("AWS::Logs::MetricFilter");
    assert_eq!(filters.len(), METRIC_FILTERS.len() * 3);
    for f in METRIC_FILTERS {
        let on: BTreeSet<&str> = filters
            .iter()
            .filter(|p| p["MetricTransformations"][0]["MetricName"] == f.metric)
            .inspect(|p| assert_eq!(p["FilterPattern"], f.pattern))
            .map(|p| p["LogGroupName"].as_str().unwrap())
            .collect();
        assert_eq!(
            on,
            BTreeSet::from([groups[0], groups[1], "/aws/lambda/seclog-detector"])
        );
        let alarm = &resources[&format!("{}Alarm", f.metric)]["Properties"];
        assert_eq!(alarm["MetricName"], f.metric);
        assert_eq!(alarm["Threshold"]["Ref"], f.threshold_parameter);
        assert_eq!(
            doc["Parameters"][f.threshold_parameter]["Default"],
            f.default_threshold
        );
    }
    let group_list: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
    for r in INSIGHT_RULES {
        let body: Value =
            serde_json::from_str(resources[r.id]["Properties"]["RuleBody"].as_str().unwrap())
                .unwrap();
        assert_eq!(body, serde_json::to_value(r.body(&group_list)).unwrap());
    }
    for q in QUERIES {
        assert_eq!(resources[q.id]["Properties"]["QueryString"], q.query);
    }
    let subscriptions = of_type("AWS::Logs::SubscriptionFilter");
    assert_eq!(subscriptions.len(), 2);
    for s in subscriptions {
        assert_eq!(s["FilterPattern"], DETECTOR_SUBSCRIPTION);
        assert_eq!(s["DestinationArn"], DETECTOR);
    }
}
