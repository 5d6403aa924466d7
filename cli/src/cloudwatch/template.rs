//! The CloudFormation template of `seclog cloudwatch template`.
//!
//! One stack holds, for the log groups given:
//!
//! | resources | per |
//! |---|---|
//! | `AWS::Logs::MetricFilter` for each of [`METRIC_FILTERS`] | log group (and the detector's) |
//! | `AWS::CloudWatch::Alarm` on each metric, to the `AlarmTopicArn` SNS topic | metric |
//! | `AWS::CloudWatch::InsightRule` for each of [`INSIGHT_RULES`] | stack |
//! | `AWS::Logs::QueryDefinition` for each of [`QUERIES`] | stack |
//! | `AWS::Lambda::Permission` and `AWS::Logs::SubscriptionFilter` to the detector (`--detector-arn`) | log group |
//!
//! Thresholds, the alarm period and the metrics' namespace are template
//! parameters with defaults. The metrics are counted over every log group
//! together, so an attack spread over a fleet adds up in one metric. The
//! template needs no IAM capability and deploys as is, or inside a SAM
//! template.

use super::yaml::Node;
use super::{DETECTOR_SUBSCRIPTION, INSIGHT_RULES, METRIC_FILTERS, QUERIES};
use std::fmt;

/// The most log groups one template covers: each adds up to eight
/// resources, and a stack holds at most 500.
pub const MAX_LOG_GROUPS: usize = 50;

/// What the template covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// The log groups the records are written to (`/aws/lambda/login`).
    pub log_groups: Vec<String>,
    /// The `seclog-detector` function's ARN: when given, every log group
    /// streams its authentication events to it.
    pub detector_arn: Option<String>,
    /// The detector's own log group, where its alerts are written;
    /// `/aws/lambda/<function name>` when not given.
    pub detector_log_group: Option<String>,
}

/// Why no template could be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// No `--log-group` was given.
    NoLogGroup,
    /// More log groups than one stack can hold.
    TooManyLogGroups(usize),
    /// A log group name CloudWatch Logs would refuse.
    BadLogGroup(String),
    /// A log group given twice.
    DuplicateLogGroup(String),
    /// Not a Lambda function ARN.
    BadDetectorArn(String),
    /// The detector's log group among those streamed to it: its own
    /// alerts would invoke it again, forever.
    DetectorStreamsItself(String),
    /// `--detector-log-group` without `--detector-arn`.
    DetectorLogGroupWithoutArn,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let safe = |s: &str| crate::text::terminal(s).into_owned();
        match self {
            TemplateError::NoLogGroup => f.write_str(
                "no log group: name each one the records are written to, e.g. --log-group /aws/lambda/login",
            ),
            TemplateError::TooManyLogGroups(n) => write!(
                f,
                "{n} log groups: one template covers at most {MAX_LOG_GROUPS} (a stack holds at most 500 resources); split them into several stacks"
            ),
            TemplateError::BadLogGroup(g) => write!(
                f,
                "log group {:?} is not a CloudWatch Logs log group name: 1 to 512 characters among letters, digits and `_-./#`",
                safe(g)
            ),
            TemplateError::DuplicateLogGroup(g) => {
                write!(f, "log group {:?} is given twice", safe(g))
            }
            TemplateError::BadDetectorArn(a) => write!(
                f,
                "--detector-arn {:?} is not a Lambda function ARN: expected arn:aws:lambda:REGION:ACCOUNT:function:NAME",
                safe(a)
            ),
            TemplateError::DetectorStreamsItself(g) => write!(
                f,
                "log group {:?} is the detector's own: streaming its alerts back to it would invoke it forever; leave it out of --log-group",
                safe(g)
            ),
            TemplateError::DetectorLogGroupWithoutArn => {
                f.write_str("--detector-log-group needs --detector-arn")
            }
        }
    }
}

impl std::error::Error for TemplateError {}

/// The template, as YAML, with a header saying how to deploy it.
///
/// ```
/// use seclog_cli::cloudwatch::template::{render, Options};
/// let yaml = render(&Options {
///     log_groups: vec!["/aws/lambda/login".into()],
///     ..Options::default()
/// })
/// .unwrap();
/// assert!(yaml.contains("AWS::Logs::MetricFilter"));
/// assert!(yaml.contains("AWS::CloudWatch::InsightRule"));
/// assert!(!yaml.contains("AWS::Logs::SubscriptionFilter"), "no detector was given");
/// ```
pub fn render(options: &Options) -> Result<String, TemplateError> {
    let doc = template(options)?;
    let mut out = String::from(
        "# seclog: fleet-wide detection on CloudWatch, from `seclog cloudwatch template`.\n\
         # Deploy (the log groups must exist):\n\
         #   aws cloudformation deploy --stack-name seclog-detection --template-file FILE \\\n\
         #     --parameter-overrides AlarmTopicArn=arn:aws:sns:REGION:ACCOUNT:TOPIC\n",
    );
    out.push_str(&doc.write());
    Ok(out)
}

/// A function's name and region from its ARN
/// (`arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`).
fn parse_function_arn(arn: &str) -> Option<(&str, &str)> {
    let parts: Vec<&str> = arn.split(':').collect();
    let [arn_word, partition, "lambda", region, account, "function", name, rest @ ..] =
        parts.as_slice()
    else {
        return None;
    };
    let word = |s: &str, extra: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
    };
    let ok = *arn_word == "arn"
        && partition.starts_with("aws")
        && word(partition, "-")
        && word(region, "-")
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && name.len() <= 64
        && word(name, "-_")
        && rest.len() <= 1
        && rest.iter().all(|q| q.len() <= 128 && word(q, "-_$"));
    ok.then_some((*name, *region))
}

/// Whether CloudWatch Logs accepts `name` as a log group name.
fn valid_log_group(name: &str) -> bool {
    (1..=512).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./#".contains(c))
}

/// The template as a YAML tree, after checking the options.
pub fn template(options: &Options) -> Result<Node, TemplateError> {
    let groups = &options.log_groups;
    if groups.is_empty() {
        return Err(TemplateError::NoLogGroup);
    }
    if groups.len() > MAX_LOG_GROUPS {
        return Err(TemplateError::TooManyLogGroups(groups.len()));
    }
    for (i, g) in groups.iter().enumerate() {
        if !valid_log_group(g) {
            return Err(TemplateError::BadLogGroup(g.clone()));
        }
        if groups[..i].contains(g) {
            return Err(TemplateError::DuplicateLogGroup(g.clone()));
        }
    }
    let detector = match (&options.detector_arn, &options.detector_log_group) {
        (None, None) => None,
        (None, Some(_)) => return Err(TemplateError::DetectorLogGroupWithoutArn),
        (Some(arn), given) => {
            let (name, _region) = parse_function_arn(arn)
                .ok_or_else(|| TemplateError::BadDetectorArn(arn.clone()))?;
            let log_group = given
                .clone()
                .unwrap_or_else(|| format!("/aws/lambda/{name}"));
            if !valid_log_group(&log_group) {
                return Err(TemplateError::BadLogGroup(log_group));
            }
            if groups.contains(&log_group) {
                return Err(TemplateError::DetectorStreamsItself(log_group));
            }
            Some((arn.as_str(), log_group))
        }
    };

    let mut resources: Vec<(String, Node)> = Vec::new();
    // The detector's log group gets the metric filters too: its alerts
    // are what the SecurityAlerts metric counts.
    let mut filtered: Vec<&str> = groups.iter().map(String::as_str).collect();
    if let Some((_, g)) = &detector {
        filtered.push(g);
    }
    for f in METRIC_FILTERS {
        for (i, group) in filtered.iter().enumerate() {
            resources.push((
                format!("{}Filter{}", f.metric, i + 1),
                resource(
                    "AWS::Logs::MetricFilter",
                    [
                        ("LogGroupName", Node::str(*group)),
                        ("FilterPattern", Node::str(f.pattern)),
                        (
                            "MetricTransformations",
                            Node::List(vec![Node::map([
                                ("MetricNamespace", Node::reference("MetricNamespace")),
                                ("MetricName", Node::str(f.metric)),
                                ("MetricValue", Node::str("1")),
                                ("Unit", Node::str("Count")),
                            ])]),
                        ),
                    ],
                ),
            ));
        }
        resources.push((
            format!("{}Alarm", f.metric),
            resource(
                "AWS::CloudWatch::Alarm",
                [
                    (
                        "AlarmDescription",
                        Node::str(format!(
                            "seclog: {} reached the threshold within one period",
                            f.counts
                        )),
                    ),
                    ("Namespace", Node::reference("MetricNamespace")),
                    ("MetricName", Node::str(f.metric)),
                    ("Statistic", Node::str("Sum")),
                    ("Period", Node::reference("AlarmPeriod")),
                    ("EvaluationPeriods", Node::Int(1)),
                    ("Threshold", Node::reference(f.threshold_parameter)),
                    (
                        "ComparisonOperator",
                        Node::str("GreaterThanOrEqualToThreshold"),
                    ),
                    // No matching record in a period is no attack, not
                    // missing data.
                    ("TreatMissingData", Node::str("notBreaching")),
                    (
                        "AlarmActions",
                        Node::List(vec![Node::reference("AlarmTopicArn")]),
                    ),
                ],
            ),
        ));
    }
    for rule in INSIGHT_RULES {
        let body = serde_json::to_string_pretty(&rule.body(groups))
            .expect("strings and numbers always serialize");
        resources.push((
            rule.id.to_string(),
            resource(
                "AWS::CloudWatch::InsightRule",
                [
                    (
                        "RuleName",
                        Node::sub(format!("${{AWS::StackName}}-{}", rule.name)),
                    ),
                    ("RuleState", Node::str("ENABLED")),
                    ("RuleBody", Node::Block(body)),
                ],
            ),
        ));
    }
    for q in QUERIES {
        resources.push((
            q.id.to_string(),
            resource(
                "AWS::Logs::QueryDefinition",
                [
                    (
                        "Name",
                        Node::sub(format!("seclog/${{AWS::StackName}}/{}", q.name)),
                    ),
                    ("QueryString", Node::Block(q.query.to_string())),
                    (
                        "LogGroupNames",
                        Node::List(filtered.iter().map(|g| Node::str(*g)).collect()),
                    ),
                ],
            ),
        ));
    }
    if let Some((arn, _)) = &detector {
        for (i, group) in groups.iter().enumerate() {
            let permission = format!("DetectorPermission{}", i + 1);
            resources.push((
                permission.clone(),
                resource(
                    "AWS::Lambda::Permission",
                    [
                        ("Action", Node::str("lambda:InvokeFunction")),
                        ("FunctionName", Node::str(*arn)),
                        ("Principal", Node::str("logs.amazonaws.com")),
                        ("SourceAccount", Node::reference("AWS::AccountId")),
                        (
                            "SourceArn",
                            Node::sub(format!(
                                "arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{group}:*"
                            )),
                        ),
                    ],
                ),
            ));
            let Node::Map(mut subscription) = resource(
                "AWS::Logs::SubscriptionFilter",
                [
                    ("LogGroupName", Node::str(group)),
                    ("FilterPattern", Node::str(DETECTOR_SUBSCRIPTION)),
                    ("DestinationArn", Node::str(*arn)),
                ],
            ) else {
                unreachable!("a resource is a map")
            };
            // CloudWatch Logs checks that it may invoke the function when
            // the filter is created.
            subscription.insert(1, ("DependsOn".into(), Node::str(permission)));
            resources.push((
                format!("DetectorSubscription{}", i + 1),
                Node::Map(subscription),
            ));
        }
    }

    let described: String = if groups.len() <= 3 {
        groups.join(", ")
    } else {
        format!(
            "{} and {} more log groups",
            groups[..2].join(", "),
            groups.len() - 2
        )
    };
    Ok(Node::map([
        ("AWSTemplateFormatVersion", Node::str("2010-09-09")),
        (
            "Description",
            Node::str(format!(
                "seclog fleet-wide detection on CloudWatch for {described}: metric filters and alarms, Contributor Insights rules, saved Logs Insights queries{}",
                if detector.is_some() { ", the detector subscription" } else { "" }
            )),
        ),
        ("Parameters", parameters()),
        ("Resources", Node::Map(resources)),
    ]))
}

fn resource<const N: usize>(kind: &str, properties: [(&str, Node); N]) -> Node {
    Node::map([
        ("Type", Node::str(kind)),
        ("Properties", Node::map(properties)),
    ])
}

fn parameters() -> Node {
    let mut params = vec![
        (
            "AlarmTopicArn".to_string(),
            Node::map([
                ("Type", Node::str("String")),
                (
                    "Description",
                    Node::str("The SNS topic the alarms notify (email, chat, paging)"),
                ),
                (
                    "AllowedPattern",
                    Node::str("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]{1,256}$"),
                ),
                (
                    "ConstraintDescription",
                    Node::str("an SNS topic ARN: arn:aws:sns:REGION:ACCOUNT:NAME"),
                ),
            ]),
        ),
        (
            "MetricNamespace".to_string(),
            Node::map([
                ("Type", Node::str("String")),
                ("Default", Node::str("seclog")),
                (
                    "Description",
                    Node::str("The CloudWatch namespace of the metrics (not starting with AWS/)"),
                ),
                (
                    "AllowedPattern",
                    Node::str("^[A-Za-z0-9._/#:-][A-Za-z0-9 ._/#:-]{0,254}$"),
                ),
            ]),
        ),
        (
            "AlarmPeriod".to_string(),
            Node::map([
                ("Type", Node::str("Number")),
                ("Default", Node::Int(300)),
                (
                    "Description",
                    Node::str("Seconds over which each alarm sums its metric"),
                ),
                (
                    "AllowedValues",
                    Node::List([60, 300, 900, 3600].map(Node::Int).to_vec()),
                ),
            ]),
        ),
    ];
    for f in METRIC_FILTERS {
        params.push((
            f.threshold_parameter.to_string(),
            Node::map([
                ("Type", Node::str("Number")),
                ("Default", Node::Int(f.default_threshold.into())),
                ("MinValue", Node::Int(1)),
                (
                    "Description",
                    Node::str(format!(
                        "Alarm when {} reach this many in one period",
                        f.counts
                    )),
                ),
            ]),
        ));
    }
    Node::Map(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(groups: &[&str]) -> Options {
        Options {
            log_groups: groups.iter().map(|g| g.to_string()).collect(),
            ..Options::default()
        }
    }

    #[test]
    fn bad_options_are_refused_with_a_reason() {
        assert_eq!(template(&options(&[])), Err(TemplateError::NoLogGroup));
        assert_eq!(
            template(&options(&["/aws/lambda/a b"])),
            Err(TemplateError::BadLogGroup("/aws/lambda/a b".into()))
        );
        assert_eq!(
            template(&options(&["/a", "/a"])),
            Err(TemplateError::DuplicateLogGroup("/a".into()))
        );
        let many: Vec<String> = (0..=MAX_LOG_GROUPS).map(|i| format!("/g{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(matches!(
            template(&options(&many)),
            Err(TemplateError::TooManyLogGroups(51))
        ));
        let mut o = options(&["/aws/lambda/login", "/aws/lambda/seclog-detector"]);
        o.detector_arn =
            Some("arn:aws:lambda:eu-west-1:123456789012:function:seclog-detector".into());
        assert_eq!(
            template(&o),
            Err(TemplateError::DetectorStreamsItself(
                "/aws/lambda/seclog-detector".into()
            ))
        );
        for arn in [
            "arn:aws:lambda:eu-west-1:1234:function:x",
            "arn:aws:sns:eu-west-1:123456789012:function:x",
            "arn:aws:lambda:eu-west-1:123456789012:function:x y",
            "arn:aws:lambda:eu-west-1:123456789012:function:x:1:2",
        ] {
            let mut o = options(&["/aws/lambda/login"]);
            o.detector_arn = Some(arn.into());
            assert_eq!(template(&o), Err(TemplateError::BadDetectorArn(arn.into())));
        }
        let mut o = options(&["/aws/lambda/login"]);
        o.detector_log_group = Some("/x".into());
        assert_eq!(template(&o), Err(TemplateError::DetectorLogGroupWithoutArn));
    }

    #[test]
    fn an_error_never_prints_control_characters() {
        let e = TemplateError::BadLogGroup("/x\u{1b}[2J".into()).to_string();
        assert!(!e.contains('\u{1b}'), "{e}");
    }

    #[test]
    fn a_qualified_function_arn_is_accepted() {
        assert_eq!(
            parse_function_arn("arn:aws:lambda:eu-west-1:123456789012:function:det:live"),
            Some(("det", "eu-west-1"))
        );
        assert_eq!(
            parse_function_arn("arn:aws-cn:lambda:cn-north-1:123456789012:function:det"),
            Some(("det", "cn-north-1"))
        );
    }
}
