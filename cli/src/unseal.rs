//! `seclog unseal`: the records with their sealed values opened by the
//! investigator's private key (`seclog keygen` makes the key pair; see
//! `seclog::seal`).
//!
//! Inputs are read as every command reads them ([`input`]: files, gzip,
//! directories, standard input, CloudWatch Logs' export shapes), one after
//! another and in order, without the time-ordered merge: the output is
//! the records as they were, one per line, each token that opens replaced
//! by `{"unsealed": <value>}` and every other byte as it was.

use crate::input::{self, Input, Line};
use seclog::seal::{OpenError, Unsealer};
use std::io::{self, Write};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// What [`unseal`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Records written.
    pub records: u64,
    /// Sealed values opened.
    pub opened: u64,
    /// Tokens that did not open (for another key, altered, cut).
    pub failed: u64,
    /// Lines that were not records (AWS Lambda's own, other programs').
    pub skipped: u64,
}

/// Writes every record of `inputs` to `out`, one per line, with each
/// sealed value `unsealer` opens replaced by `{"unsealed": <value>}`.
/// Each token that does not open is left as it was and told to `warn`,
/// with the input and line it is on; so is an input that cannot be read.
///
/// ```
/// use seclog::seal::{Sealer, UnsealKey, Unsealer};
/// use seclog_cli::{input::Input, unseal};
///
/// let key = UnsealKey::generate().unwrap();
/// let token = Sealer::new(&key.seal_key()).unwrap().seal_to_string(br#""hunter2""#).unwrap();
/// let dir = std::env::temp_dir().join(format!("seclog-unseal-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("records.log");
/// std::fs::write(&path, format!("{{\"password\":\"{token}\"}}\nSTART RequestId: 1\n")).unwrap();
///
/// let mut out = Vec::new();
/// let counts = unseal::unseal(&[Input::File(path)], &mut Unsealer::new(key), &mut out, &mut |w| panic!("{w}")).unwrap();
/// assert_eq!(out, b"{\"password\":{\"unsealed\":\"hunter2\"}}\n");
/// assert_eq!((counts.records, counts.opened, counts.skipped), (1, 1, 1));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn unseal(
    inputs: &[Input],
    unsealer: &mut Unsealer,
    out: &mut dyn Write,
    warn: &mut dyn FnMut(&str),
) -> io::Result<Counts> {
    let mut counts = Counts::default();
    let mut record = Vec::new();
    let mut block = Vec::new();
    for input in inputs {
        let mut blocks = match input::open(input, Arc::new(AtomicU64::new(0)), input::BLOCK_BYTES) {
            Ok(b) => b,
            Err(e) => {
                warn(&format!("{input}: {e}"));
                continue;
            }
        };
        let mut line_no = 0u64;
        loop {
            let next = match blocks.next_block(input::BLOCK_BYTES, std::mem::take(&mut block)) {
                Ok(Some(b)) => b,
                Ok(None) => break,
                Err(e) => {
                    warn(&format!("{input}: {e}"));
                    break;
                }
            };
            for line in next.split(|&b| b == b'\n') {
                line_no += 1;
                let json = match input::classify(line) {
                    Line::Json(json) => json,
                    Line::Blank => continue,
                    Line::Platform | Line::Other => {
                        counts.skipped += 1;
                        continue;
                    }
                };
                record.clear();
                let mut failures = 0;
                counts.opened += unsealer.unseal_record(json, &mut record, |e: OpenError| {
                    failures += 1;
                    warn(&format!("{input}:{line_no}: {e}"));
                }) as u64;
                counts.failed += failures;
                counts.records += 1;
                let text = String::from_utf8_lossy(&record);
                writeln!(out, "{}", crate::text::json(&text))?;
            }
            block = next;
        }
    }
    Ok(counts)
}
