//! `seclog detect --format json`: one ECS alert record per finding, with
//! `@timestamp`, `log.level` and `message` first, every kind of finding
//! checked against the ECS field list.

mod common;

use common::{seclog, Scratch};

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

#[seclog::audit(who = user, source_ip = ip, budget = "1ms")]
fn report(user: &str, ip: &str, slow: bool) -> Result<(), &'static str> {
    if slow {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    if user == "mallory" {
        seclog::security_event!(authz_fail, resource = "/admin/reports");
        return Err("forbidden");
    }
    Ok(())
}

#[test]
fn every_kind_of_finding_is_an_ecs_alert_record() {
    let dir = Scratch::new("alerts");
    let monitor = seclog::monitor::Monitor::new(Default::default()).unwrap();
    let run = monitor.scope(|| {
        seclog::testing::capture(|| {
            for i in 0..10 {
                let attempt = |user: &str, password: &str| {
                    let _ = login(Login {
                        user: user.into(),
                        password: password.into(),
                        ip: "203.0.113.66".into(),
                    });
                };
                attempt(&format!("u{i}"), "x");
                attempt("bob", "x");
            }
            let _ = login(Login {
                user: "bob".into(),
                password: "right".into(),
                ip: "203.0.113.66".into(),
            });
            let _ = report("mallory", "198.51.100.4", false);
            let _ = report("ann", "198.51.100.5", true);
        })
    });
    let mut lines = run.lines.clone();
    // An invocation that never ended: its end record cut from the log.
    let ann_end = lines
        .iter()
        .position(|l| {
            l.contains("\"action\":\"report\"")
                && l.contains("\"phase\":\"end\"")
                && l.contains("ann")
        })
        .unwrap();
    let mut with_end = lines.clone();
    lines.remove(ann_end);
    let p = dir.write("r.log", (lines.join("\n") + "\n").as_bytes());
    let out = seclog(&["detect", "--format", "json", &p.to_string_lossy()]);
    for line in out.lines() {
        assert!(line.starts_with("{\"@timestamp\":\""), "{line}");
        let level = line.find(",\"log.level\":").expect("log.level");
        let message = line.find(",\"message\":").expect("message");
        assert!(
            level < message && message < line.find(",\"ecs.version\"").unwrap(),
            "{line}"
        );
    }
    let alerts = out.json_lines();
    let kinds: Vec<&str> = alerts
        .iter()
        .map(|a| a["event"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "brute_force",
            "credential_stuffing",
            "login_after_attack",
            "authz_fail",
            "incomplete_invocation"
        ],
        "{}",
        out.stdout
    );
    seclog_tests::assert_ecs(&alerts);
    for a in &alerts {
        assert_eq!(a["event"]["kind"], "alert");
        assert!(a["event"]["start"].as_str().unwrap() <= a["event"]["end"].as_str().unwrap());
        assert_eq!(a["@timestamp"], a["event"]["end"]);
        assert!(
            a["seclog"]["transactions"]
                .as_array()
                .is_some_and(|t| !t.is_empty()),
            "{a}"
        );
    }
    let bob = &alerts[0];
    assert_eq!(bob["user"]["name"], "bob");
    assert_eq!(bob["seclog"]["count"], 10);
    assert_eq!(bob["log.level"], "warn");
    assert_eq!(alerts[1]["source"]["ip"], "203.0.113.66");
    assert_eq!(
        alerts[1]["seclog"]["users_total"], 11,
        "bob and the ten others"
    );
    assert_eq!(alerts[2]["user"]["name"], "bob");
    assert_eq!(alerts[2]["log.level"], "critical");
    assert_eq!(alerts[3]["user"]["id"], "mallory");
    assert_eq!(alerts[3]["seclog"]["resources"][0], "/admin/reports");
    assert_eq!(alerts[4]["seclog"]["action"], "report");
    assert_eq!(alerts[4]["user"]["id"], "ann");

    // With its end record, the slow invocation is an overrun instead.
    with_end.retain(|l| !l.contains("authz_fail") && !l.contains("mallory"));
    let p = dir.write("r2.log", (with_end.join("\n") + "\n").as_bytes());
    let out = seclog(&["detect", "--format", "json", &p.to_string_lossy()]);
    let alerts = out.json_lines();
    let budget = alerts
        .iter()
        .find(|a| a["event"]["action"] == "budget_exceeded")
        .unwrap();
    assert_eq!(budget["seclog"]["action"], "report");
    assert_eq!(budget["seclog"]["budget_ms"], 1);
    assert!(budget["seclog"]["max_duration"].as_u64().unwrap() >= 5_000_000);
    assert!(alerts
        .iter()
        .all(|a| a["event"]["action"] != "incomplete_invocation"));
    seclog_tests::assert_ecs(&alerts);
}

#[derive(seclog::Redact, seclog::AuthEvent)]
#[auth(login)]
struct HashedLogin {
    #[auth(user)]
    #[redact(hash)]
    email: String,
    #[auth(source_ip)]
    #[redact(skip)]
    ip: String,
}

#[seclog::audit]
fn hashed_login(req: HashedLogin) -> Result<(), &'static str> {
    let _ = req;
    Err("no")
}

#[test]
fn a_user_logged_by_digest_is_reported_by_digest() {
    let dir = Scratch::new("hashed");
    let key = "a test key of 32 bytes, not real";
    let config = seclog::builder().hash_key(key).build().unwrap();
    let monitor = seclog::monitor::Monitor::new(Default::default()).unwrap();
    let run = monitor.scope(|| {
        seclog::testing::capture_with(config, || {
            for _ in 0..5 {
                let _ = hashed_login(HashedLogin {
                    email: "alice@example.com".into(),
                    ip: "192.0.2.8".into(),
                });
            }
        })
    });
    let p = dir.write("r.log", (run.lines.join("\n") + "\n").as_bytes());
    let out = seclog(&["detect", "--format", "json", &p.to_string_lossy()]);
    let alerts = out.json_lines();
    assert_eq!(alerts.len(), 1, "{}", out.stdout);
    let digest = seclog::HashKey::new(key.as_bytes())
        .digest(b"alice@example.com")
        .to_string();
    assert_eq!(alerts[0]["user"]["hash"], digest.as_str());
    assert!(alerts[0]["user"].get("name").is_none());
    assert!(!out.stdout.contains("alice@example.com"));
    seclog_tests::assert_ecs(&alerts);
}
