//! Same answers online and offline: a scripted attack runs through audited
//! handlers in real processes, and the command, reading their records,
//! finds exactly the attacks, across processes that each saw too little.

mod common;

use common::{records_in, seclog, Scratch};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};

#[derive(serde::Serialize, seclog::AuthEvent)]
#[auth(login)]
struct Login {
    #[auth(user)]
    user: String,
    #[serde(skip)]
    password: String,
    #[auth(source_ip)]
    ip: String,
}

#[seclog::audit]
fn login(req: Login) -> Result<(), &'static str> {
    if req.password == "right" {
        Ok(())
    } else {
        Err("bad credentials")
    }
}

/// A handler the process dies inside, after its start record.
#[seclog::audit(who = user)]
fn export(user: &str) -> u32 {
    std::process::exit(0)
}

fn attempt(user: &str, password: &str, ip: &str) {
    let _ = login(Login {
        user: user.into(),
        password: password.into(),
        ip: ip.into(),
    });
}

const BRUTE: &str = "203.0.113.7";
const STUFFER: &str = "203.0.113.66";
const CAROL_ATTACKER: &str = "198.51.100.23";

/// One process's share of the attack.
fn part(name: &str) {
    match name {
        "a" => {
            attempt("dave", "right", "192.0.2.10");
            for _ in 0..3 {
                attempt("alice", "guess", BRUTE);
            }
            for i in 0..6 {
                attempt(&format!("u{i}"), "Summer2024!", STUFFER);
            }
        }
        "b" => {
            for _ in 0..3 {
                attempt("alice", "guess", BRUTE);
            }
            for i in 6..12 {
                attempt(&format!("u{i}"), "Summer2024!", STUFFER);
            }
            for _ in 0..5 {
                attempt("carol", "carol123", CAROL_ATTACKER);
            }
        }
        "c" => {
            attempt("eve", "typo", "192.0.2.20");
            attempt("eve", "right", "192.0.2.20");
            attempt("carol", "right", CAROL_ATTACKER);
            export("frank");
        }
        other => panic!("no part {other}"),
    }
}

#[test]
#[ignore = "a process of the attack, started by the other tests with SECLOG_SCENARIO"]
fn scenario_process() {
    let parts = std::env::var("SECLOG_SCENARIO").expect("SECLOG_SCENARIO names the parts");
    // The harness's `test scenario_process ... ` has no newline yet: end
    // it, so that the first record starts a line.
    println!();
    for p in parts.split(',') {
        part(p);
    }
}

/// Runs the parts in one process; its standard output (records and the
/// test harness's own lines) goes to `out`.
fn run_process(parts: &str, out: &Path) {
    let file = std::fs::File::create(out).unwrap();
    let status = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "scenario_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("SECLOG_SCENARIO", parts)
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "the process {parts} ran");
}

fn findings(run: &common::Run) -> BTreeSet<(String, String, String)> {
    run.json_lines()
        .iter()
        .map(|a| {
            let user = ["name", "hash", "id"]
                .iter()
                .find_map(|m| a["user"][m].as_str())
                .unwrap_or("")
                .to_string();
            (
                a["event"]["action"].as_str().unwrap().to_string(),
                user,
                a["source"]["ip"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn expected() -> BTreeSet<(String, String, String)> {
    [
        ("brute_force", "alice", ""),
        ("brute_force", "carol", ""),
        ("credential_stuffing", "", STUFFER),
        ("login_after_attack", "carol", ""),
        ("incomplete_invocation", "frank", ""),
    ]
    .iter()
    .map(|(a, u, s)| (a.to_string(), u.to_string(), s.to_string()))
    .collect()
}

#[test]
fn the_attack_split_over_three_processes_is_found_and_nothing_else() {
    let dir = Scratch::new("replay");
    let files = ["a", "b", "c"].map(|p| {
        let path = dir.path(&format!("process-{p}.log"));
        run_process(p, &path);
        path
    });
    // No process saw enough on its own: their detectors raised nothing.
    let records = records_in(&files.iter().map(|p| p.as_path()).collect::<Vec<_>>());
    assert!(records
        .iter()
        .all(|r| r["event"]["action"] != "authn_login_fail_max" || r["user"]["name"] != "alice"));
    assert!(records.iter().all(|r| r["event"]["kind"] != "alert"));

    let paths: Vec<String> = files
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let mut args = vec!["detect", "--format", "json"];
    args.extend(paths.iter().map(String::as_str));
    let run = seclog(&args);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(findings(&run), expected(), "{}", run.stdout);

    let alerts = run.json_lines();
    seclog_tests::assert_ecs(&alerts);
    let alice = alerts
        .iter()
        .find(|a| a["event"]["action"] == "brute_force" && a["user"]["name"] == "alice")
        .unwrap();
    assert_eq!(
        alice["seclog"]["count"], 6,
        "three failures from each of two processes"
    );
    assert_eq!(alice["related"]["ip"], serde_json::json!([BRUTE]));
    let stuffing = alerts
        .iter()
        .find(|a| a["event"]["action"] == "credential_stuffing")
        .unwrap();
    assert_eq!(stuffing["seclog"]["count"], 12);
    assert_eq!(
        stuffing["seclog"]["distinct_users"], 10,
        "raised at the tenth user"
    );
    let carol = alerts
        .iter()
        .find(|a| a["event"]["action"] == "login_after_attack")
        .unwrap();
    assert_eq!(
        carol["source"]["ip"],
        Value::Null,
        "the finding is about the user"
    );
    assert_eq!(carol["related"]["ip"], serde_json::json!([CAROL_ATTACKER]));
    let killed = alerts
        .iter()
        .find(|a| a["event"]["action"] == "incomplete_invocation")
        .unwrap();
    assert_eq!(killed["seclog"]["action"], "export");
    let export_start = records
        .iter()
        .find(|r| r["event"]["action"] == "export")
        .unwrap();
    assert_eq!(export_start["seclog"]["phase"], "start");
    assert_eq!(
        killed["seclog"]["transactions"][0],
        export_start["transaction"]["id"]
    );

    // The blocklist: exactly the attacking addresses, sorted.
    let mut args = vec!["blocklist"];
    args.extend(paths.iter().map(String::as_str));
    let run = seclog(&args);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.lines(), [CAROL_ATTACKER, BRUTE, STUFFER]);
    // The harness's own lines in the processes' output were skipped, and
    // said so.
    assert!(run.stderr.contains("other line"), "{}", run.stderr);
    let mut args = vec!["blocklist", "--format", "csv"];
    args.extend(paths.iter().map(String::as_str));
    let run = seclog(&args);
    let rows: Vec<Vec<&str>> = run.lines().iter().map(|l| l.split(',').collect()).collect();
    assert_eq!(
        rows[0],
        [
            "address",
            "reasons",
            "failures",
            "users",
            "first_seen",
            "last_seen"
        ]
    );
    let summary: Vec<(&str, &str, &str, &str)> =
        rows[1..].iter().map(|r| (r[0], r[1], r[2], r[3])).collect();
    assert_eq!(
        summary,
        [
            (CAROL_ATTACKER, "brute_force", "5", "1"),
            (BRUTE, "brute_force", "6", "1"),
            (STUFFER, "credential_stuffing", "12", "12"),
        ]
    );
    assert!(rows[1..].iter().all(|r| r[4] <= r[5]));

    // The timeline of the brute-force address: each of its records, in
    // time order.
    let mut args = vec!["timeline", "--ip", BRUTE, "--format", "json"];
    args.extend(paths.iter().map(String::as_str));
    let run = seclog(&args);
    let shown = run.json_lines();
    let mut want: Vec<&Value> = records
        .iter()
        .filter(|r| r["source"]["ip"] == BRUTE)
        .collect();
    want.sort_by_key(|r| r["@timestamp"].as_str().unwrap().to_string());
    assert_eq!(shown.len(), 12, "six attempts, a start and an end each");
    assert_eq!(shown.iter().collect::<Vec<_>>(), want);

    let mut args = vec!["timeline", "--ip", BRUTE];
    args.extend(paths.iter().map(String::as_str));
    let run = seclog(&args);
    let lines = run.lines();
    assert_eq!(
        lines.len(),
        7,
        "a header and one line per invocation:\n{}",
        run.stdout
    );
    assert!(lines[1..].iter().all(|l| l.contains(" login ")
        && l.contains("failure")
        && l.contains("authn_login_fail:alice")));
}

#[test]
fn the_attack_in_one_process_gets_the_same_answers_online_and_offline() {
    let dir = Scratch::new("online");
    let path = dir.path("one-process.log");
    run_process("a,b,c", &path);
    let records = records_in(&[path.as_path()]);
    // Online: the process's own detector.
    let online: BTreeSet<(String, String, String)> = records
        .iter()
        .filter_map(|r| match r["event"]["action"].as_str()? {
            "authn_login_fail_max" => Some((
                "brute_force".to_string(),
                r["user"]["name"].as_str()?.to_string(),
                String::new(),
            )),
            "credential_stuffing" => Some((
                "credential_stuffing".to_string(),
                String::new(),
                r["source"]["ip"].as_str()?.to_string(),
            )),
            _ => None,
        })
        .collect();
    let successafterfail: Vec<&str> = records
        .iter()
        .filter_map(|r| r["seclog"]["owasp"].as_str())
        .filter(|o| o.starts_with("authn_login_successafterfail:"))
        .collect();
    assert_eq!(
        successafterfail,
        [
            "authn_login_successafterfail:eve,1",
            "authn_login_successafterfail:carol,5"
        ]
    );

    let run = seclog(&["detect", "--format", "json", &path.to_string_lossy()]);
    let offline = findings(&run);
    let offline_attacks: BTreeSet<_> = offline
        .iter()
        .filter(|(a, _, _)| a == "brute_force" || a == "credential_stuffing")
        .cloned()
        .collect();
    assert_eq!(online, offline_attacks);
    assert_eq!(offline, expected());
}
