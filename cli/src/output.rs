//! What the binary prints for people: the findings, the blocklist, the
//! timeline and the summary, laid out for a terminal (only the binary
//! prints; the library's `table` and `text` make it safe and aligned).

use super::*;

/// A time for a table: to the second.
pub(crate) fn short_time(micros: i64) -> String {
    let full = format_time(micros);
    format!("{}Z", &full[..19])
}

pub(crate) fn print_findings(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    if report.findings.is_empty() {
        return writeln!(out, "No findings.");
    }
    let mut t = Table::new(&[
        "FINDING",
        "USER",
        "SOURCE",
        ">COUNT",
        "FIRST SEEN",
        "LAST SEEN",
        "DETAIL",
    ]);
    for f in &report.findings {
        let list = |c: &detect::Capped, what: &str| {
            let more = c.total.saturating_sub(c.items.len() as u64);
            let mut s = format!("{} {what}: {}", c.total, c.items.join(", "));
            if more > 0 {
                s += &format!(", +{more}");
            }
            s
        };
        let detail = match f.kind {
            detect::Kind::BruteForce => list(&f.sources, "address(es)"),
            detect::Kind::CredentialStuffing => list(&f.users, "user(s)"),
            detect::Kind::LoginAfterAttack => format!(
                "{}; {}",
                f.reasons.join(", "),
                list(&f.sources, "address(es)")
            ),
            detect::Kind::AuthzFail => list(&f.resources, "resource(s)"),
            detect::Kind::IncompleteInvocation => format!(
                "{} in transaction {}",
                f.action.as_deref().unwrap_or("?"),
                f.transactions.items.join(", ")
            ),
            detect::Kind::BudgetExceeded => format!(
                "{}: up to {} against {} ms",
                f.action.as_deref().unwrap_or("?"),
                f.max_duration
                    .map(human_duration)
                    .unwrap_or_else(|| "?".into()),
                f.budget_ms.map_or("?".into(), |b| b.to_string())
            ),
        };
        t.row(&[
            f.kind.action().to_string(),
            f.user.clone().unwrap_or_default(),
            f.source.clone().unwrap_or_default(),
            f.count.to_string(),
            short_time(f.first),
            short_time(f.last),
            detail,
        ]);
    }
    t.write(out, terminal_width())
}

pub(crate) fn print_blocklist(
    out: &mut dyn Write,
    report: &Report,
    format: BlockFormat,
) -> io::Result<()> {
    let ips = report
        .blocklist
        .iter()
        .filter(|(a, _)| a.parse::<std::net::IpAddr>().is_ok());
    let left_out = report.blocklist.len() - ips.clone().count();
    if left_out > 0 {
        eprintln!("seclog: {left_out} attacking source(s) are not IP addresses and were left out");
    }
    match format {
        BlockFormat::Plain => {
            for (a, _) in ips {
                writeln!(out, "{a}")?;
            }
        }
        BlockFormat::Csv => {
            writeln!(out, "address,reasons,failures,users,first_seen,last_seen")?;
            for (a, b) in ips {
                let reasons: Vec<&str> = b.reasons.iter().map(|k| k.action()).collect();
                writeln!(
                    out,
                    "{a},{},{},{},{},{}",
                    reasons.join(";"),
                    b.failures,
                    b.users.total,
                    format_time(b.first),
                    format_time(b.last)
                )?;
            }
        }
    }
    Ok(())
}

pub(crate) fn run_timeline(
    out: &mut dyn Write,
    filter: Filter,
    format: DetectFormat,
    read: &ReadArgs,
) -> io::Result<(Stats, bool)> {
    let list = inputs(read)?;
    let json = matches!(format, DetectFormat::Json);
    let ex = timeline::TimelineExtract::new(filter, json);
    let mut console = Console::new(&list, read.quiet);
    let mut pairing = Pairing::default();
    let width = terminal_width();
    let mut result = Ok(());
    let mut header = false;
    let stats = scan::scan(&list, &ex, &options(read), &mut console, |t, item| {
        if result.is_err() {
            return;
        }
        if json {
            let line = item.line.as_deref().unwrap_or("");
            result = writeln!(out, "{}", text::json(line));
            return;
        }
        for e in pairing.feed(t, item) {
            if result.is_ok() && !header {
                header = true;
                result = write_timeline_header(out);
            }
            if result.is_ok() {
                result = write_entry(out, &e, width);
            }
        }
    });
    console.done();
    result?;
    if !json {
        for e in pairing.finish() {
            if !header {
                header = true;
                write_timeline_header(out)?;
            }
            write_entry(out, &e, width)?;
        }
        if !header {
            writeln!(out, "No records.")?;
        }
    }
    Ok((stats, stats.failed_inputs > 0))
}

/// The timeline's columns and their widths (the last one takes the rest).
pub(crate) const TIMELINE: [(&str, usize); 8] = [
    ("TIME", 27),
    ("TRANSACTION", 32),
    ("ACTION", 20),
    ("OUTCOME", 10),
    ("DURATION", 9),
    ("USER", 16),
    ("SOURCE", 15),
    ("EVENT", 0),
];

pub(crate) fn write_timeline_header(out: &mut dyn Write) -> io::Result<()> {
    let cells: Vec<String> = TIMELINE.iter().map(|(h, _)| h.to_string()).collect();
    write_row(out, &cells, None)
}

pub(crate) fn write_row(
    out: &mut dyn Write,
    cells: &[String],
    width: Option<usize>,
) -> io::Result<()> {
    let mut line = String::new();
    for (i, (c, (_, w))) in cells.iter().zip(TIMELINE.iter()).enumerate() {
        let c = text::terminal(c);
        if i + 1 == TIMELINE.len() {
            let rest = width.map(|w| w.saturating_sub(text::width_of(&line)).max(10));
            match rest {
                Some(r) => line.push_str(&text::fit(&c, r)),
                None => line.push_str(&c),
            }
        } else {
            let c = text::fit(&c, *w);
            line.push_str(&c);
            line.push_str(&" ".repeat(w.saturating_sub(text::width_of(&c)) + 2));
        }
    }
    writeln!(out, "{}", line.trim_end())
}

pub(crate) fn write_entry(
    out: &mut dyn Write,
    e: &timeline::Entry,
    width: Option<usize>,
) -> io::Result<()> {
    let i = &e.item;
    let outcome = if e.complete {
        i.outcome.clone().unwrap_or_default()
    } else {
        "incomplete".into()
    };
    let cells = [
        format_time(e.time),
        i.transaction.clone(),
        match i.phase {
            seclog_cli::record::Phase::Event => format!("! {}", i.action),
            _ => i.action.clone(),
        },
        outcome,
        i.duration.map(human_duration).unwrap_or_default(),
        i.user.clone().unwrap_or_default(),
        i.source.clone().unwrap_or_default(),
        i.detail.clone().unwrap_or_default(),
    ];
    write_row(out, &cells, width)
}

pub(crate) fn print_summary(out: &mut dyn Write, s: &Summary, top: usize) -> io::Result<()> {
    let width = terminal_width();
    if let Some((a, b)) = s.span {
        writeln!(out, "Records from {} to {}", format_time(a), format_time(b))?;
        writeln!(out)?;
    }
    let mut t = Table::new(&[
        "ACTION",
        ">INVOCATIONS",
        ">FAILED",
        ">FAIL %",
        ">P50",
        ">P95",
        ">P99",
        ">OVER BUDGET",
        ">COLD STARTS",
    ]);
    let q = |a: &summary::Action, x: f64| {
        a.durations
            .quantile(x)
            .map(human_duration)
            .unwrap_or_default()
    };
    let row = |t: &mut Table, name: String, a: &summary::Action| {
        let rate = if a.invocations == 0 {
            0.0
        } else {
            100.0 * a.failures as f64 / a.invocations as f64
        };
        t.row(&[
            name,
            a.invocations.to_string(),
            a.failures.to_string(),
            format!("{rate:.1}"),
            q(a, 0.50),
            q(a, 0.95),
            q(a, 0.99),
            a.over_budget.to_string(),
            a.cold_starts.to_string(),
        ]);
    };
    for (name, a) in s.rows() {
        row(&mut t, name, a);
    }
    if t.is_empty() {
        return writeln!(out, "No end records.");
    }
    row(&mut t, "(all)".into(), &s.total());
    t.write(out, width)?;
    for (title, top_table) in [("ADDRESS", &s.addresses), ("USER", &s.users)] {
        let rows = top_table.top(top);
        if rows.is_empty() {
            continue;
        }
        writeln!(out)?;
        let mut t = Table::new(&[&format!("TOP FAILING {title}"), ">FAILURES", ">± ERROR"]);
        for (k, c, e) in rows {
            t.row(&[k.to_string(), c.to_string(), e.to_string()]);
        }
        t.write(out, width)?;
    }
    Ok(())
}
