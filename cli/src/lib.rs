//! The library behind the `seclog` command: reading seclog's records from
//! files, gzip, standard input and CloudWatch Logs' export shapes
//! ([`input`], [`scan`]), and what the command makes of them
//! ([`detect`], [`timeline`], [`summary`]).
//!
//! Layers, from the bottom: [`text`] (making record text safe to print) and
//! [`record`] (the members read from a record) know nothing of inputs;
//! [`input`] turns bytes into lines; [`scan`] reads inputs in parallel and
//! merges records in time order; [`detect`], [`timeline`] and [`summary`]
//! consume merged records; [`table`] lays out what a person reads. Only
//! the binary prints.
//!
//! ```
//! use seclog_cli::{detect, input::Input, scan};
//!
//! let dir = std::env::temp_dir().join(format!("seclog-cli-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("records.log");
//! let mut text = String::new();
//! for i in 0..5 {
//!     text += &format!(
//!         r#"{{"@timestamp":"2026-01-01T00:00:0{i}Z","event":{{"action":"login","outcome":"failure"}},"transaction":{{"id":"t{i}"}},"user":{{"name":"alice"}},"source":{{"ip":"192.0.2.1"}},"seclog":{{"phase":"end","owasp":"authn_login_fail:alice"}}}}"#
//!     );
//!     text.push('\n');
//! }
//! std::fs::write(&path, text).unwrap();
//!
//! struct Quiet;
//! impl scan::Observer for Quiet {
//!     fn warning(&mut self, _: &str) {}
//! }
//! let mut detector = detect::Detector::new(Default::default()).unwrap();
//! let stats = scan::scan(&[Input::File(path)], &detect::DetectExtract::default(), &Default::default(), &mut Quiet, |t, item| detector.feed(t, item));
//! assert_eq!(stats.records, 5);
//! let report = detector.finish();
//! assert_eq!(report.findings[0].kind, detect::Kind::BruteForce);
//! assert_eq!(report.blocklist[0].0, "192.0.2.1");
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

#![warn(missing_docs)]

pub mod cloudwatch;
pub mod detect;
pub mod fast;
pub mod input;
pub mod record;
pub mod scan;
pub mod summary;
pub mod table;
pub mod text;
pub mod timeline;
