//! Fleet-wide detection on CloudWatch: what `seclog cloudwatch template`
//! deploys.
//!
//! A Lambda function runs in many execution environments at once, and
//! each process's detector sees only its share of the traffic. CloudWatch
//! Logs is where every record of every environment meets, so the detection
//! that must see the whole fleet is set up there:
//!
//! - [`METRIC_FILTERS`]: one metric per kind of record worth an alarm
//!   (failed logins, authorization failures, critical events, budget
//!   overruns, seclog's own pipeline errors, alerts), each with an alarm;
//! - [`INSIGHT_RULES`]: Contributor Insights rules, the top attacking
//!   addresses, the top attacked users, the actions failing most;
//! - [`QUERIES`]: saved Logs Insights queries for the investigations the
//!   `seclog` command offers;
//! - [`DETECTOR_SUBSCRIPTION`]: the subscription filter that streams the
//!   records the detector needs to the `seclog-detector` function, which
//!   runs the command's detector over the whole fleet.
//!
//! Every pattern, key and field here refers only to members seclog writes,
//! in the shape it writes them (nested objects, `seclog.owasp` strings as
//! the OWASP vocabulary spells them); the test suite checks each one
//! against records of real audited handlers. [`template`] lays them out as
//! a CloudFormation template.

pub mod command;
pub mod template;
pub mod yaml;

/// A metric filter: a CloudWatch Logs JSON filter pattern, the metric it
/// counts into (one per matching record) and the alarm on that metric.
#[derive(Debug, Clone, Copy)]
pub struct MetricFilter {
    /// The metric's name, also the stem of the resources' logical ids.
    pub metric: &'static str,
    /// The filter pattern, in CloudWatch Logs' JSON pattern syntax.
    pub pattern: &'static str,
    /// What the metric counts, for the alarm's description.
    pub counts: &'static str,
    /// The template parameter holding the alarm's threshold.
    pub threshold_parameter: &'static str,
    /// The threshold's default: matching records per alarm period, summed
    /// over every log group.
    pub default_threshold: u32,
}

/// The metric filters, in the template's order.
///
/// ```
/// let failed = &seclog_cli::cloudwatch::METRIC_FILTERS[0];
/// assert_eq!(failed.metric, "FailedLogins");
/// assert!(failed.pattern.contains(r#"$.seclog.owasp = "authn_login_fail*""#));
/// ```
pub const METRIC_FILTERS: &[MetricFilter] = &[
    MetricFilter {
        metric: "FailedLogins",
        // End records only: the vocabulary event of a failed login is on
        // its end record (`authn_login_fail:<user>`, or `authn_login_fail`
        // alone when no user was claimed); the detector's own
        // `authn_login_fail_max` records are events, not ends.
        pattern: r#"{ ($.seclog.phase = "end") && ($.event.outcome = "failure") && ($.seclog.owasp = "authn_login_fail*") }"#,
        counts: "failed logins (and second factors) across every log group",
        threshold_parameter: "FailedLoginsThreshold",
        default_threshold: 50,
    },
    MetricFilter {
        metric: "AuthorizationFailures",
        pattern: r#"{ $.seclog.owasp = "authz_fail*" }"#,
        counts: "authorization failures (authz_fail events)",
        threshold_parameter: "AuthorizationFailuresThreshold",
        default_threshold: 10,
    },
    MetricFilter {
        metric: "CriticalEvents",
        // `log.level` is a dotted root key (ECS logging), which no JSON
        // filter selector can name; what seclog writes at `critical` is
        // named instead: the OWASP vocabulary's CRITICAL events
        // (`upload_validation` unless its result is `passed`, which seclog
        // reads without regard to case: a `Passed` would be counted here)
        // and the credential-stuffing alert.
        pattern: concat!(
            r#"{ ($.event.action = "credential_stuffing")"#,
            r#" || ($.seclog.owasp = "authn_password_change_fail*")"#,
            r#" || ($.seclog.owasp = "authn_impossible_travel*")"#,
            r#" || ($.seclog.owasp = "authn_token_reuse*")"#,
            r#" || ($.seclog.owasp = "authz_fail*")"#,
            r#" || ($.seclog.owasp = "malicious_extraneous*")"#,
            r#" || ($.seclog.owasp = "malicious_attack_tool*")"#,
            r#" || ($.seclog.owasp = "malicious_cors*")"#,
            r#" || ($.seclog.owasp = "malicious_direct_reference*")"#,
            r#" || ($.seclog.owasp = "sequence_fail*")"#,
            r#" || ($.seclog.owasp = "session_use_after_expire*")"#,
            r#" || (($.seclog.owasp = "upload_validation*") && ($.seclog.owasp != "*:passed")) }"#
        ),
        counts: "records at level critical (OWASP vocabulary events such as authz_fail, credential stuffing alerts)",
        threshold_parameter: "CriticalEventsThreshold",
        default_threshold: 1,
    },
    MetricFilter {
        metric: "BudgetOverruns",
        pattern: r#"{ $.seclog.budget.exceeded IS TRUE }"#,
        counts: "invocations over their duration budget (slowdowns are an attack vector: denial of wallet)",
        threshold_parameter: "BudgetOverrunsThreshold",
        default_threshold: 20,
    },
    MetricFilter {
        metric: "PipelineErrors",
        pattern: r#"{ $.event.kind = "pipeline_error" }"#,
        counts: "seclog's own configuration problems (records that may be missing or unkeyed)",
        threshold_parameter: "PipelineErrorsThreshold",
        default_threshold: 1,
    },
    MetricFilter {
        metric: "SecurityAlerts",
        // In-process detector alerts (credential stuffing, written as
        // `event.kind: alert`; brute force as `authn_login_fail_max`) and
        // the fleet detector's findings, all alerts.
        pattern: r#"{ ($.event.kind = "alert") || ($.seclog.owasp = "authn_login_fail_max*") }"#,
        counts: "detector alerts: brute force, credential stuffing and the fleet detector's findings",
        threshold_parameter: "SecurityAlertsThreshold",
        default_threshold: 1,
    },
];

/// The filter pattern of the subscription that streams records to the
/// `seclog-detector` function: the login outcomes its detector counts
/// (`authn_login_fail`, `authn_login_success`,
/// `authn_login_successafterfail`), and nothing else, so the function is
/// invoked, and paid, for what it uses only.
pub const DETECTOR_SUBSCRIPTION: &str = r#"{ $.seclog.owasp = "authn_login_*" }"#;

/// A condition of a Contributor Insights rule on one member.
#[derive(Debug, Clone, Copy)]
pub enum RuleFilter {
    /// The member is one of these strings.
    In(&'static str, &'static [&'static str]),
    /// The member starts with one of these strings.
    StartsWith(&'static str, &'static [&'static str]),
}

impl RuleFilter {
    /// The member the condition is on (`$.event.outcome`).
    pub fn member(&self) -> &'static str {
        match self {
            RuleFilter::In(m, _) | RuleFilter::StartsWith(m, _) => m,
        }
    }
}

/// A Contributor Insights rule: the top contributors (`keys`) among the
/// records that pass every filter.
#[derive(Debug, Clone, Copy)]
pub struct InsightRule {
    /// The resource's logical id.
    pub id: &'static str,
    /// The rule's name after the stack's (rule names are unique per
    /// account and region).
    pub name: &'static str,
    /// The members whose values are the contributors.
    pub keys: &'static [&'static str],
    /// The conditions a record must meet to count.
    pub filters: &'static [RuleFilter],
}

const FAILED_LOGIN_END: &[RuleFilter] = &[
    RuleFilter::In("$.seclog.phase", &["end"]),
    RuleFilter::In("$.event.outcome", &["failure"]),
    RuleFilter::StartsWith("$.seclog.owasp", &["authn_login_fail"]),
];

/// The Contributor Insights rules, in the template's order.
pub const INSIGHT_RULES: &[InsightRule] = &[
    InsightRule {
        id: "TopAddressesByFailedLogins",
        name: "top-addresses-by-failed-logins",
        keys: &["$.source.ip"],
        filters: FAILED_LOGIN_END,
    },
    InsightRule {
        id: "TopUsersByFailedLogins",
        // The vocabulary event names the claimed user as the detector
        // counts it (name, digest or id): `authn_login_fail:<user>`.
        name: "top-users-by-failed-logins",
        keys: &["$.seclog.owasp"],
        filters: FAILED_LOGIN_END,
    },
    InsightRule {
        id: "TopActionsByFailures",
        name: "top-actions-by-failures",
        keys: &["$.event.action"],
        filters: &[
            RuleFilter::In("$.seclog.phase", &["end"]),
            RuleFilter::In("$.event.outcome", &["failure"]),
        ],
    },
];

impl InsightRule {
    /// The rule's body (Contributor Insights' JSON rule syntax) over
    /// `log_groups`.
    ///
    /// ```
    /// let rule = &seclog_cli::cloudwatch::INSIGHT_RULES[0];
    /// let body = serde_json::to_value(rule.body(&["/aws/lambda/login".to_string()])).unwrap();
    /// assert_eq!(body["Contribution"]["Keys"][0], "$.source.ip");
    /// assert_eq!(body["LogGroupNames"][0], "/aws/lambda/login");
    /// ```
    pub fn body<'a>(&self, log_groups: &'a [String]) -> RuleBody<'a> {
        RuleBody {
            schema: Schema {
                name: "CloudWatchLogRule",
                version: 1,
            },
            log_group_names: log_groups,
            log_format: "JSON",
            contribution: Contribution {
                keys: self.keys,
                filters: self.filters,
            },
            aggregate_on: "Count",
        }
    }
}

/// A Contributor Insights rule body, its members in the documentation's
/// order.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RuleBody<'a> {
    schema: Schema,
    log_group_names: &'a [String],
    log_format: &'static str,
    contribution: Contribution,
    aggregate_on: &'static str,
}

#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct Schema {
    name: &'static str,
    version: u32,
}

#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct Contribution {
    keys: &'static [&'static str],
    filters: &'static [RuleFilter],
}

impl serde::Serialize for RuleFilter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("Match", self.member())?;
        match self {
            RuleFilter::In(_, values) => m.serialize_entry("In", values)?,
            RuleFilter::StartsWith(_, values) => m.serialize_entry("StartsWith", values)?,
        }
        m.end()
    }
}

/// A member a saved query reads, and whether it must be a number.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The member, as Logs Insights names a JSON member (`source.ip`).
    pub path: &'static str,
    /// Whether the query does arithmetic or numeric comparison on it.
    pub number: bool,
}

const fn text(path: &'static str) -> Field {
    Field {
        path,
        number: false,
    }
}

const fn number(path: &'static str) -> Field {
    Field { path, number: true }
}

/// A saved Logs Insights query.
#[derive(Debug, Clone, Copy)]
pub struct SavedQuery {
    /// The resource's logical id.
    pub id: &'static str,
    /// Its name in the console, under a `seclog/<stack>/` folder.
    pub name: &'static str,
    /// The query, in Logs Insights' query language.
    pub query: &'static str,
    /// Every record member it reads (the `@` fields are Logs Insights'
    /// own).
    pub fields: &'static [Field],
}

/// The saved queries, in the template's order: the investigations of the
/// `seclog` command (`detect`, `timeline`, `summary`), in the console.
pub const QUERIES: &[SavedQuery] = &[
    SavedQuery {
        id: "FailedLoginsPerAddressQuery",
        name: "Failed logins per address",
        query: r#"filter seclog.phase = "end" and event.outcome = "failure" and seclog.owasp like /^authn_login_fail/
| stats count(*) as failures, count_distinct(seclog.owasp) as users, min(@timestamp) as first, max(@timestamp) as last by source.ip
| sort failures desc
| limit 100"#,
        fields: &[
            text("seclog.phase"),
            text("event.outcome"),
            text("seclog.owasp"),
            text("source.ip"),
        ],
    },
    SavedQuery {
        id: "AddressTimelineQuery",
        name: "Timeline of an address",
        query: r#"# Replace 192.0.2.1 with the address under investigation.
fields @timestamp, seclog.phase, event.action, event.outcome, seclog.owasp, user.name, transaction.id, message
| filter source.ip = "192.0.2.1"
| sort @timestamp asc
| limit 1000"#,
        fields: &[
            text("seclog.phase"),
            text("event.action"),
            text("event.outcome"),
            text("seclog.owasp"),
            text("user.name"),
            text("transaction.id"),
            text("message"),
            text("source.ip"),
        ],
    },
    SavedQuery {
        id: "IncompleteInvocationsQuery",
        name: "Incomplete invocations",
        // Only end records have `event.duration`: a transaction that has
        // a start and none is an invocation killed or timed out.
        query: r#"filter seclog.phase = "start" or seclog.phase = "end"
| stats count(*) as records, count(event.duration) as ended, min(@timestamp) as started, earliest(event.action) as action, earliest(source.ip) as address by transaction.id
| filter ended = 0
| sort started desc
| limit 100"#,
        fields: &[
            text("seclog.phase"),
            number("event.duration"),
            text("event.action"),
            text("source.ip"),
            text("transaction.id"),
        ],
    },
    SavedQuery {
        id: "BudgetOverrunsQuery",
        name: "Budget overruns",
        // Numbers rather than the boolean `seclog.budget.exceeded`: the
        // comparison reads the same in every query language.
        query: r#"filter ispresent(seclog.budget.ms) and event.duration > seclog.budget.ms * 1000000
| fields event.duration / 1000000 as duration_ms
| stats count(*) as overruns, max(duration_ms) as worst_ms, pct(duration_ms, 99) as p99_ms by event.action, seclog.budget.ms
| sort overruns desc
| limit 100"#,
        fields: &[
            number("seclog.budget.ms"),
            number("event.duration"),
            text("event.action"),
        ],
    },
    SavedQuery {
        id: "SlowestActionsQuery",
        name: "Slowest actions",
        query: r#"filter seclog.phase = "end"
| fields event.duration / 1000000 as duration_ms
| stats count(*) as invocations, avg(duration_ms) as avg_ms, pct(duration_ms, 99) as p99_ms, max(duration_ms) as max_ms by event.action
| sort p99_ms desc
| limit 25"#,
        fields: &[
            text("seclog.phase"),
            number("event.duration"),
            text("event.action"),
        ],
    },
    SavedQuery {
        id: "SecurityAlertsQuery",
        name: "Security alerts",
        query: r#"filter event.kind = "alert" or seclog.owasp like /^authn_login_fail_max/
| fields @timestamp, event.action, message, source.ip, user.name, seclog.owasp
| sort @timestamp desc
| limit 200"#,
        fields: &[
            text("event.kind"),
            text("seclog.owasp"),
            text("event.action"),
            text("message"),
            text("source.ip"),
            text("user.name"),
        ],
    },
];
