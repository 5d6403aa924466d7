//! `seclog`: reconstructs an attack from seclog's records.
//!
//! See `seclog --help` and the README's "The `seclog` command" section.

use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use seclog_cli::detect::{self, Detector, Report};
use seclog_cli::input::{self, Input};
use seclog_cli::record::format_time;
use seclog_cli::scan::{self, Observer, Stats};
use seclog_cli::summary::{self, human_duration, Summary};
use seclog_cli::table::{terminal_width, Table};
use seclog_cli::text;
use seclog_cli::timeline::{self, Filter, Pairing};
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

mod output;
use output::*;

#[derive(Parser)]
#[command(
    name = "seclog",
    version,
    about = "Reconstructs an attack from seclog's records: files, .gz, directories, standard input, CloudWatch Logs exports",
    after_help = "Inputs may be seclog's JSON lines, S3 exports (`<timestamp> <record>`), `aws logs tail` output (`<timestamp> <stream> <record>`), Lambda's text format, `aws logs filter-log-events` or `get-log-events` output, and CloudWatch subscription payloads (also `{\"awslogs\":{\"data\":..}}`), each plain or gzipped. With no input, standard input is read."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// CloudWatch: fleet-wide detection for a fleet's log groups.
    Cloudwatch {
        #[command(subcommand)]
        command: seclog_cli::cloudwatch::command::Command,
    },
    /// Replays the brute-force detector over the records on their own
    /// timestamps and lists what it finds.
    Detect {
        /// Output: a table for people, or one ECS alert record per line.
        #[arg(long, value_enum, default_value_t = DetectFormat::Table)]
        format: DetectFormat,
        #[command(flatten)]
        settings: SettingsArgs,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Prints the addresses to block (brute force and credential
    /// stuffing), one per line, sorted.
    Blocklist {
        /// Output: addresses only, or CSV with reasons, counts and times.
        #[arg(long, value_enum, default_value_t = BlockFormat::Plain)]
        format: BlockFormat,
        #[command(flatten)]
        settings: SettingsArgs,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Every record touching one address, user or transaction, in time
    /// order; an invocation's start and end on one line.
    Timeline {
        #[command(flatten)]
        filter: FilterArgs,
        /// Output: a table for people, or the records themselves.
        #[arg(long, value_enum, default_value_t = DetectFormat::Table)]
        format: DetectFormat,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Per action: invocations, failure rate, p50/p95/p99 duration, budget
    /// overruns, cold starts; the most failing addresses and users.
    Summary {
        /// How many failing addresses and users to list.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=1000))]
        top: u16,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Makes the investigator's key pair for sealed fields
    /// (`#[redact(seal)]`): DIR/seclog-seal.key, the private key (mode 0600:
    /// keep it offline), and DIR/seclog-seal.pub, whose one line is the
    /// functions' SECLOG_SEAL_KEY (also printed on standard output). Never
    /// replaces an existing key.
    Keygen {
        /// Where to write the two files (made if missing).
        dir: PathBuf,
    },
    /// Prints the records with every sealed value the private key opens
    /// replaced by {"unsealed": <value>}, every other byte as it was; a
    /// token sealed for another key, altered or cut is reported on standard
    /// error and left as it is. Exits with 2 when some token did not open.
    Unseal {
        /// The private key: the `seclog-seal.key` file `seclog keygen` wrote.
        #[arg(long)]
        key: PathBuf,
        /// Files, directories (every file under them) or `-` for standard
        /// input; standard input when none is given.
        inputs: Vec<PathBuf>,
        /// No closing line of counts on standard error.
        #[arg(short, long)]
        quiet: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum DetectFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum BlockFormat {
    Plain,
    Csv,
}

#[derive(Args)]
#[group(required = true, multiple = false)]
struct FilterArgs {
    /// Records from this address (`source.ip` or `source.address`).
    #[arg(long)]
    ip: Option<String>,
    /// Records of this user (`user.name`, `user.hash` or `user.id`).
    #[arg(long)]
    user: Option<String>,
    /// Records of this `transaction.id`.
    #[arg(long)]
    transaction: Option<String>,
}

/// The detector's settings: the `SECLOG_MONITOR_*` variables apply first,
/// as in the functions that wrote the records; these flags override them.
#[derive(Args)]
struct SettingsArgs {
    /// Failures of one user within the user window that flag it
    /// [env: SECLOG_MONITOR_USER_MAX_FAILURES; default 5]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=64))]
    user_max_failures: Option<u32>,
    /// The per-user window, like `90s`, `15m`, `1h`
    /// [env: SECLOG_MONITOR_USER_WINDOW; default 15m]
    #[arg(long, value_parser = window)]
    user_window: Option<Duration>,
    /// Distinct users failing from one address within the address window
    /// that flag it [env: SECLOG_MONITOR_IP_MAX_USERS; default 10]
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..=64))]
    ip_max_users: Option<u32>,
    /// The per-address window [env: SECLOG_MONITOR_IP_WINDOW; default 15m]
    #[arg(long, value_parser = window)]
    ip_window: Option<Duration>,
    /// Most users, and most addresses, tracked at once; also caps findings
    /// and open invocations [env: SECLOG_MONITOR_MAX_KEYS; default 10000]
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    max_keys: Option<u64>,
}

/// How inputs are read.
#[derive(Args)]
struct ReadArgs {
    /// Files, directories (every file under them) or `-` for standard
    /// input; standard input when none is given.
    inputs: Vec<PathBuf>,
    /// How far out of time order one input may be and still be merged in
    /// order.
    #[arg(long, value_parser = reorder_window, default_value = "2s")]
    reorder_window: Duration,
    /// Most records waiting to be merged in time order.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    reorder_buffer: u64,
    /// Parsing threads (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
    /// No progress bar and no closing line of counts on standard error.
    #[arg(short, long)]
    quiet: bool,
}

fn window(s: &str) -> Result<Duration, String> {
    match humantime::parse_duration(s.trim()) {
        Ok(d) if (Duration::from_secs(1)..=Duration::from_secs(86_400)).contains(&d) => Ok(d),
        _ => Err("expected a duration from 1s to 24h, such as `90s`, `15m` or `1h`".into()),
    }
}

fn reorder_window(s: &str) -> Result<Duration, String> {
    match humantime::parse_duration(s.trim()) {
        Ok(d) if d <= Duration::from_secs(86_400) => Ok(d),
        _ => Err("expected a duration up to 24h, such as `0s`, `2s` or `5m`".into()),
    }
}

impl SettingsArgs {
    fn settings(&self) -> Result<seclog::monitor::Settings, String> {
        let mut s = seclog::monitor::Settings::default()
            .from_env()
            .map_err(|e| text::terminal(&e.to_string()).into_owned())?;
        if let Some(n) = self.user_max_failures {
            s = s.user_max_failures(n);
        }
        if let Some(d) = self.user_window {
            s = s.user_window(d);
        }
        if let Some(n) = self.ip_max_users {
            s = s.ip_max_users(n);
        }
        if let Some(d) = self.ip_window {
            s = s.ip_window(d);
        }
        if let Some(n) = self.max_keys {
            s = s.max_keys(n as usize);
        }
        // Reading records is not counting failures: `SECLOG_MONITOR=off`
        // is for the functions, not for the replay.
        s = s.enabled(true);
        s.validate().map_err(|e| e.to_string())?;
        Ok(s)
    }
}

/// Progress on standard error (only when it is a terminal) and warnings.
struct Console {
    bar: Option<ProgressBar>,
    warnings: u64,
}

impl Console {
    fn new(inputs: &[Input], quiet: bool) -> Console {
        let bar = (!quiet && io::stderr().is_terminal()).then(|| {
            let bar = match input::total_bytes(inputs) {
                Some(total) => ProgressBar::with_draw_target(
                    Some(total),
                    ProgressDrawTarget::stderr(),
                )
                .with_style(
                    ProgressStyle::with_template(
                        "{bar:40} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} {eta}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                ),
                None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
                    .with_style(
                        ProgressStyle::with_template(
                            "{spinner} {binary_bytes} {binary_bytes_per_sec}",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    ),
            };
            // Short inputs finish before the first draw.
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Console { bar, warnings: 0 }
    }

    fn done(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Observer for Console {
    fn progress(&mut self, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(bytes);
        }
    }

    fn warning(&mut self, message: &str) {
        self.warnings += 1;
        // Callers escape record and file text; escaping again here would
        // double the backslashes, so only unsafe characters are escaped.
        let safe = format!("seclog: warning: {}", text::controls(message));
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{safe}")),
            None => eprintln!("{safe}"),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            // Messages are built from escaped parts; `controls` guards the
            // rest (an operating system's message) without doubling.
            eprintln!("seclog: error: {}", text::controls(&e.to_string()));
            ExitCode::FAILURE
        }
    }
}

fn fail(message: String) -> io::Error {
    io::Error::other(message)
}

fn options(read: &ReadArgs) -> scan::Options {
    let mut o = scan::Options {
        reorder_window: i64::try_from(read.reorder_window.as_micros()).unwrap_or(i64::MAX),
        reorder_buffer: read.reorder_buffer as usize,
        ..Default::default()
    };
    if let Some(t) = read.threads {
        o.workers = usize::from(t);
    }
    o
}

fn inputs(read: &ReadArgs) -> io::Result<Vec<Input>> {
    input_list(&read.inputs)
}

fn input_list(paths: &[PathBuf]) -> io::Result<Vec<Input>> {
    let list = input::expand(paths).map_err(|e| fail(e.to_string()))?;
    if list.contains(&Input::Stdin) && io::stdin().is_terminal() {
        // Otherwise the command would seem to hang.
        eprintln!("seclog: reading records from standard input (end with Ctrl-D; see --help)");
    }
    Ok(list)
}

fn run(cli: Cli) -> io::Result<ExitCode> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    let (stats, quiet, failed) = match cli.command {
        Command::Keygen { dir } => return keygen(&dir, &mut out),
        Command::Unseal { key, inputs, quiet } => return unseal(&key, &inputs, quiet, &mut out),
        Command::Cloudwatch { command } => {
            seclog_cli::cloudwatch::command::run(&command, &mut out)?;
            out.flush()?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Detect {
            format,
            settings,
            read,
        } => {
            let (report, stats, failed) = run_detector(&settings, &read)?;
            match format {
                DetectFormat::Json => {
                    for f in &report.findings {
                        let line = detect::alert(f);
                        writeln!(out, "{}", text::json(&line))?;
                    }
                }
                DetectFormat::Table => print_findings(&mut out, &report)?,
            }
            (stats, read.quiet, failed)
        }
        Command::Blocklist {
            format,
            settings,
            read,
        } => {
            let (report, stats, failed) = run_detector(&settings, &read)?;
            print_blocklist(&mut out, &report, format)?;
            (stats, read.quiet, failed)
        }
        Command::Timeline {
            filter,
            format,
            read,
        } => {
            let filter = match (filter.ip, filter.user, filter.transaction) {
                (Some(ip), _, _) => Filter::Ip(ip),
                (_, Some(u), _) => Filter::User(u),
                (_, _, Some(t)) => Filter::Transaction(t),
                _ => return Err(fail("give one of --ip, --user or --transaction".into())),
            };
            let (stats, failed) = run_timeline(&mut out, filter, format, &read)?;
            (stats, read.quiet, failed)
        }
        Command::Summary { top, read } => {
            let list = inputs(&read)?;
            let mut console = Console::new(&list, read.quiet);
            let mut summary = Summary::default();
            let stats = scan::scan(
                &list,
                &summary::SummaryExtract,
                &options(&read),
                &mut console,
                |t, item| summary.feed(t, item),
            );
            console.done();
            print_summary(&mut out, &summary, usize::from(top))?;
            (stats, read.quiet, stats.failed_inputs > 0)
        }
    };
    out.flush()?;
    if !quiet {
        eprintln!("seclog: {}", describe(&stats));
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn run_detector(settings: &SettingsArgs, read: &ReadArgs) -> io::Result<(Report, Stats, bool)> {
    let settings = settings.settings().map_err(fail)?;
    let list = inputs(read)?;
    let mut detector = Detector::new(settings).map_err(|e| fail(e.to_string()))?;
    let mut console = Console::new(&list, read.quiet);
    let stats = scan::scan(
        &list,
        &detect::DetectExtract::default(),
        &options(read),
        &mut console,
        |t, item| detector.feed(t, item),
    );
    console.done();
    let report = detector.finish();
    let d = report.dropped;
    if d.findings + d.open_invocations + d.addresses > 0 {
        console.warning(&format!(
            "limits reached (raise --max-keys): {} findings, {} open invocations and {} addresses were not kept",
            d.findings, d.open_invocations, d.addresses
        ));
    }
    Ok((report, stats, stats.failed_inputs > 0))
}

fn describe(s: &Stats) -> String {
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut skipped = vec![
        plural(s.platform, "Lambda platform line", "Lambda platform lines"),
        plural(s.other, "other line", "other lines"),
        plural(s.malformed, "malformed line", "malformed lines"),
    ];
    if s.filtered > 0 {
        skipped.push(format!("{} lines without the text sought", s.filtered));
    }
    let mut line = format!(
        "{} from {}; skipped {}",
        plural(s.records, "record", "records"),
        plural(s.inputs, "input", "inputs"),
        skipped.join(", ")
    );
    if s.late > 0 {
        line += &format!(
            "; {} out of time order by more than the reorder window (counted where they came)",
            plural(s.late, "record", "records")
        );
    }
    if s.failed_inputs > 0 {
        line += &format!(
            "; {} could not be read to the end",
            plural(s.failed_inputs, "input", "inputs")
        );
    }
    line
}

/// `seclog keygen DIR`.
fn keygen(dir: &std::path::Path, out: &mut impl Write) -> io::Result<ExitCode> {
    let files = seclog::seal::write_key_pair(dir)
        .map_err(|e| fail(text::terminal(&e.to_string()).into_owned()))?;
    writeln!(out, "{}", files.key)?;
    out.flush()?;
    eprintln!(
        "seclog: wrote {} (the private key of key id {}: keep it offline; it alone opens what is sealed for it)",
        text::terminal(&files.secret.to_string_lossy()),
        files.key.id()
    );
    eprintln!(
        "seclog: wrote {} (its line, printed above, is the functions' SECLOG_SEAL_KEY)",
        text::terminal(&files.public.to_string_lossy())
    );
    Ok(ExitCode::SUCCESS)
}

/// `seclog unseal --key FILE [INPUTS]`.
fn unseal(
    key: &std::path::Path,
    paths: &[PathBuf],
    quiet: bool,
    out: &mut impl Write,
) -> io::Result<ExitCode> {
    let key = seclog::seal::UnsealKey::read(key)
        .map_err(|e| fail(text::terminal(&e.to_string()).into_owned()))?;
    let mut unsealer = seclog::seal::Unsealer::new(key);
    let list = input_list(paths)?;
    // Warnings only: no progress bar over the records being printed.
    let mut console = Console::new(&list, true);
    let counts =
        seclog_cli::unseal::unseal(&list, &mut unsealer, out, &mut |w| console.warning(w))?;
    out.flush()?;
    console.done();
    if !quiet {
        let n = |count: u64, one: &str, many: &str| {
            format!("{count} {}", if count == 1 { one } else { many })
        };
        eprintln!(
            "seclog: {}, {} unsealed, {} not opened",
            n(counts.records, "record", "records"),
            n(counts.opened, "value", "values"),
            counts.failed
        );
    }
    Ok(if counts.failed > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
