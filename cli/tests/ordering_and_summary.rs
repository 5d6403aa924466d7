//! Records from many inputs merged in `@timestamp` order (within the
//! reorder window, and what happens beyond it), and the summary's figures.

mod common;

use common::{seclog, Scratch};

/// A hand-made end record: the ordering tests need times no real run can
/// give. Every other test uses records written by audited handlers.
fn end(ts: &str, tx: &str, action: &str, outcome: &str, duration_ns: u64, ip: &str) -> String {
    format!(
        r#"{{"@timestamp":"{ts}","log":{{"level":"info"}},"message":"m","event":{{"kind":"event","category":["api"],"type":["end"],"action":"{action}","outcome":"{outcome}","duration":{duration_ns}}},"transaction":{{"id":"{tx}"}},"user":{{"name":"u-{tx}"}},"source":{{"ip":"{ip}"}},"seclog":{{"phase":"end"}}}}"#
    )
}

fn times(run: &common::Run) -> Vec<String> {
    run.json_lines()
        .iter()
        .map(|r| r["transaction"]["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn records_of_several_inputs_come_out_in_time_order() {
    let dir = Scratch::new("merge");
    let a = [
        end("2026-01-01T00:00:01Z", "a1", "x", "success", 1, "192.0.2.1"),
        end("2026-01-01T00:00:03Z", "a3", "x", "success", 1, "192.0.2.1"),
        // Slightly out of order within its input: inside the window.
        end(
            "2026-01-01T00:00:02.500Z",
            "a2",
            "x",
            "success",
            1,
            "192.0.2.1",
        ),
        end("2026-01-01T00:00:05Z", "a5", "x", "success", 1, "192.0.2.1"),
    ];
    let b = [
        end("2026-01-01T00:00:02Z", "b2", "x", "success", 1, "192.0.2.1"),
        end("2026-01-01T00:00:04Z", "b4", "x", "success", 1, "192.0.2.1"),
    ];
    let pa = dir.write("a.log", (a.join("\n") + "\n").as_bytes());
    let pb = dir.write("b.log", (b.join("\n") + "\n").as_bytes());
    let run = seclog(&[
        "timeline",
        "--ip",
        "192.0.2.1",
        "--format",
        "json",
        &pa.to_string_lossy(),
        &pb.to_string_lossy(),
    ]);
    assert_eq!(times(&run), ["a1", "b2", "a2", "a3", "b4", "a5"]);
    assert!(!run.stderr.contains("out of time order"), "{}", run.stderr);
}

#[test]
fn a_record_later_than_the_window_is_counted_where_it_came_and_reported() {
    let dir = Scratch::new("late");
    let a = [
        end("2026-01-01T00:00:00Z", "t0", "x", "success", 1, "192.0.2.1"),
        end(
            "2026-01-01T00:01:00Z",
            "t60",
            "x",
            "success",
            1,
            "192.0.2.1",
        ),
        end(
            "2026-01-01T00:02:00Z",
            "t120",
            "x",
            "success",
            1,
            "192.0.2.1",
        ),
        end(
            "2026-01-01T00:00:30Z",
            "t30",
            "x",
            "success",
            1,
            "192.0.2.1",
        ),
        end(
            "2026-01-01T00:03:00Z",
            "t180",
            "x",
            "success",
            1,
            "192.0.2.1",
        ),
    ];
    let p = dir.write("a.log", (a.join("\n") + "\n").as_bytes());
    let file = p.to_string_lossy().into_owned();
    let args = ["timeline", "--ip", "192.0.2.1", "--format", "json"];
    // With a 10 s window, t0 and t60 were merged before t30 came.
    let mut narrow = args.to_vec();
    narrow.extend(["--reorder-window", "10s", &file]);
    let run = seclog(&narrow);
    assert_eq!(
        times(&run),
        ["t0", "t60", "t30", "t120", "t180"],
        "nothing dropped"
    );
    assert!(
        run.stderr
            .contains("1 record out of time order by more than the reorder window"),
        "{}",
        run.stderr
    );
    // A 2 min window holds t60 back until t180: t30 is put in its place.
    let mut wide = args.to_vec();
    wide.extend(["--reorder-window", "2m", &file]);
    let run = seclog(&wide);
    assert_eq!(times(&run), ["t0", "t30", "t60", "t120", "t180"]);
    assert!(!run.stderr.contains("out of time order"), "{}", run.stderr);
}

#[seclog::audit(budget = "1ms")]
fn checkout(ms: u64, fail: bool) -> Result<(), &'static str> {
    std::thread::sleep(std::time::Duration::from_millis(ms));
    if fail {
        Err("declined")
    } else {
        Ok(())
    }
}

#[seclog::audit(who = user, source_ip = ip)]
fn profile(user: &str, ip: &str) -> Result<(), &'static str> {
    let _ = (user, ip);
    Err("not found")
}

#[test]
fn summary_counts_invocations_failures_percentiles_and_overruns_per_action() {
    let dir = Scratch::new("summary");
    let run = seclog::testing::capture(|| {
        for i in 0..20u64 {
            let _ = checkout(if i == 19 { 30 } else { 0 }, i % 4 == 0);
        }
        for _ in 0..3 {
            let _ = profile("mallory", "203.0.113.9");
        }
        let _ = profile("bob", "192.0.2.4");
    });
    let p = dir.write("r.log", (run.lines.join("\n") + "\n").as_bytes());
    let out = seclog(&["summary", &p.to_string_lossy()]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let row = |name: &str| -> Vec<String> {
        out.stdout
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} row:\n{}", out.stdout))
            .split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect()
    };
    let checkout = row("checkout ");
    assert_eq!(&checkout[1..4], ["20", "5", "25.0"], "{}", out.stdout);
    assert!(
        checkout[6].ends_with(" ms"),
        "p99 is the 30 ms one: {checkout:?}"
    );
    assert_eq!(
        checkout[7], "1",
        "one over its budget... at least the 30 ms one: {checkout:?}"
    );
    let profile = row("profile ");
    assert_eq!(&profile[1..4], ["4", "4", "100.0"]);
    let top = out
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("TOP FAILING ADDRESS"))
        .nth(1)
        .unwrap();
    assert!(
        top.starts_with("203.0.113.9") && top.contains(" 3 "),
        "{top}"
    );
    let all = row("(all)");
    assert_eq!(all[1], "24");
}
