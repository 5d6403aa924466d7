//! `seclog cloudwatch ...`: the command line of the CloudWatch set-up.

use super::template::{self, Options};
use std::io::{self, Write};

/// `seclog cloudwatch` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Prints a CloudFormation template (YAML) of fleet-wide detection on
    /// CloudWatch: metric filters and alarms, Contributor Insights rules,
    /// saved Logs Insights queries, and the subscription to the
    /// `seclog-detector` function.
    Template(TemplateArgs),
}

/// `seclog cloudwatch template` options.
#[derive(Debug, clap::Args)]
pub struct TemplateArgs {
    /// A log group the records are written to (`/aws/lambda/NAME`);
    /// repeat it for each function of the fleet.
    #[arg(long = "log-group", value_name = "NAME", required = true)]
    pub log_groups: Vec<String>,
    /// The `seclog-detector` function's ARN: every log group streams its
    /// login outcomes to it.
    #[arg(long, value_name = "ARN")]
    pub detector_arn: Option<String>,
    /// The detector's own log group, when it is not
    /// `/aws/lambda/<function name>`.
    #[arg(long, value_name = "NAME", requires = "detector_arn")]
    pub detector_log_group: Option<String>,
}

/// Runs `command`, writing to `out`; a bad option is an
/// [`io::ErrorKind::InvalidInput`] error that says what to change.
///
/// ```
/// use clap::Parser;
/// use seclog_cli::cloudwatch::command::{run, Command};
///
/// #[derive(Parser)]
/// struct Cli {
///     #[command(subcommand)]
///     command: Command,
/// }
/// let cli = Cli::parse_from(["seclog", "template", "--log-group", "/aws/lambda/login"]);
/// let mut out = Vec::new();
/// run(&cli.command, &mut out).unwrap();
/// assert!(String::from_utf8(out).unwrap().contains("AWS::CloudWatch::Alarm"));
/// ```
pub fn run(command: &Command, out: &mut dyn Write) -> io::Result<()> {
    match command {
        Command::Template(args) => {
            let options = Options {
                log_groups: args.log_groups.clone(),
                detector_arn: args.detector_arn.clone(),
                detector_log_group: args.detector_log_group.clone(),
            };
            let yaml = template::render(&options)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
            out.write_all(yaml.as_bytes())
        }
    }
}
