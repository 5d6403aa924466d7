//! Where records come from, and the shapes they come in.
//!
//! An input is a file (plain or gzip, told apart by its first bytes, not
//! its name), every file under a directory, or standard input. Its content
//! is one of two kinds:
//!
//! - **lines**: records one per line as seclog writes them (stdout, a
//!   Lambda log stream), the S3 export form `<timestamp> <record>`, what
//!   `aws logs tail` prints (`<timestamp> <stream> <record>`) and Lambda's
//!   text format (`<timestamp>\t<request id>\t<level>\t<record>`).
//!   AWS Lambda's own lines (`START`, `END`, `REPORT`, `INIT_START`, ...)
//!   and other programs' lines are skipped and counted.
//! - **CloudWatch documents**: the JSON of `aws logs filter-log-events` or
//!   `get-log-events` (`{"events":[{"timestamp":..,"message":"<record>"}]}`),
//!   subscription-filter payloads (`{"messageType":"DATA_MESSAGE",
//!   "logGroup":..,"logEvents":[{"id","timestamp","message"}]}`, gzipped or
//!   not, one or many per input), and the raw Lambda event
//!   `{"awslogs":{"data":"<base64 of gzip>"}}`. Each event's `message` is
//!   read as a line. Documents are read as a stream, one event at a time,
//!   so a large export never sits in memory whole.
//!
//! Both kinds yield *blocks*: whole lines, joined by `\n`, of about
//! [`BLOCK_BYTES`], the unit the parsers work on in parallel.

use base64::Engine as _;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;

/// The size a block of lines aims at.
pub const BLOCK_BYTES: usize = 512 * 1024;

/// The longest line read, in bytes: above seclog's own record limit (256
/// KiB by default, 1 MiB at most) and CloudWatch's event limit.
pub const MAX_LINE: usize = 2 * 1024 * 1024;

/// The most a subscription payload's `awslogs.data` may decompress to
/// (CloudWatch sends at most about 1 MB compressed).
const MAX_PAYLOAD_BYTES: u64 = 64 * 1024 * 1024;

/// Directories nested deeper than this are not descended into (a symbolic
/// link loop ends here).
const MAX_DEPTH: usize = 32;

/// One input: a file or standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file.
    File(PathBuf),
    /// Standard input.
    Stdin,
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::File(p) => write!(f, "{}", crate::text::Safe(&p.to_string_lossy())),
            Input::Stdin => f.write_str("standard input"),
        }
    }
}

/// Why an input could not be read.
#[derive(Debug)]
pub struct InputError {
    /// The input, as given or found.
    pub input: String,
    /// What went wrong.
    pub error: io::Error,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot read {}: {}",
            self.input,
            crate::text::Safe(&self.error.to_string())
        )
    }
}

impl std::error::Error for InputError {}

/// The inputs named by `paths` (`-` is standard input; a directory is every
/// file under it, in name order); standard input when `paths` is empty.
/// An error names the first path that cannot be read.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<Input>, InputError> {
    if paths.is_empty() {
        return Ok(vec![Input::Stdin]);
    }
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Input::Stdin);
            continue;
        }
        walk(p, 0, &mut out)?;
    }
    Ok(out)
}

fn walk(p: &Path, depth: usize, out: &mut Vec<Input>) -> Result<(), InputError> {
    let err = |error| InputError {
        input: Input::File(p.to_path_buf()).to_string(),
        error,
    };
    let meta = std::fs::metadata(p).map_err(err)?;
    if !meta.is_dir() {
        // Opened now so that an unreadable file stops the command before
        // any work, rather than halfway.
        File::open(p).map_err(err)?;
        out.push(Input::File(p.to_path_buf()));
        return Ok(());
    }
    if depth >= MAX_DEPTH {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
        .map_err(err)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for e in entries {
        walk(&e, depth + 1, out)?;
    }
    Ok(())
}

/// The total size of the file inputs, for progress (`None` with standard
/// input).
pub fn total_bytes(inputs: &[Input]) -> Option<u64> {
    inputs.iter().try_fold(0u64, |sum, i| match i {
        Input::File(p) => Some(sum + std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)),
        Input::Stdin => None,
    })
}

/// Counts the bytes read through it, for progress.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// An open input, yielding blocks of lines.
pub struct Blocks {
    inner: BlocksInner,
}

enum BlocksInner {
    Lines(Box<dyn Read + Send>, Vec<u8>),
    /// The error that ended a block, reported after the block.
    Failed(String),
    Documents(Receiver<Result<Vec<u8>, String>>),
    Done,
}

/// Opens `input`: undoes gzip when its first bytes say so, and tells lines
/// from CloudWatch documents. `read` counts the raw bytes read.
pub fn open(input: &Input, read: Arc<AtomicU64>, block_bytes: usize) -> io::Result<Blocks> {
    let raw: Box<dyn Read + Send> = match input {
        Input::File(p) => Box::new(File::open(p)?),
        Input::Stdin => Box::new(io::stdin()),
    };
    let counted: Box<dyn Read + Send> = Box::new(Counting {
        inner: raw,
        count: read,
    });
    let (head, mut r) = peek(counted, 2)?;
    if head.starts_with(&[0x1f, 0x8b]) {
        r = Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            64 * 1024,
            r,
        )));
    }
    let (head, r) = peek(r, 512)?;
    if document_start(&head) {
        let reader = BufReader::with_capacity(64 * 1024, r);
        let (tx, rx) = sync_channel(1);
        std::thread::Builder::new()
            .name("seclog-documents".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                let mut out = BlockSender {
                    block: Vec::with_capacity(block_bytes),
                    limit: block_bytes,
                    tx,
                };
                let result = read_documents(reader, &mut |m| out.message(m));
                let _ = out.flush();
                if let Err(e) = result {
                    let _ = out.tx.send(Err(e));
                }
            })?;
        return Ok(Blocks {
            inner: BlocksInner::Documents(rx),
        });
    }
    Ok(Blocks {
        inner: BlocksInner::Lines(r, Vec::new()),
    })
}

/// Reads up to `n` bytes (fewer only at the end of the input) and gives
/// them back with a reader that reads them again first.
fn peek(mut r: Box<dyn Read + Send>, n: usize) -> io::Result<(Vec<u8>, Box<dyn Read + Send>)> {
    let mut head = Vec::with_capacity(n);
    (&mut r).take(n as u64).read_to_end(&mut head)?;
    let again = io::Cursor::new(head.clone());
    Ok((head, Box::new(again.chain(r))))
}

/// Whether `head` starts a CloudWatch document.
///
/// ```
/// use seclog_cli::input::document_start;
/// assert!(document_start(b"{\n    \"events\": [\n"));
/// assert!(document_start(br#"{"messageType":"DATA_MESSAGE","owner":"1"}"#));
/// assert!(document_start(br#"  {"awslogs":{"data":"H4sI"}}"#));
/// assert!(!document_start(br#"{"@timestamp":"2026-01-01T00:00:00Z"}"#));
/// assert!(!document_start(b"START RequestId: 1 Version: $LATEST"));
/// ```
pub fn document_start(head: &[u8]) -> bool {
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while head.get(*i).is_some_and(|c| c.is_ascii_whitespace()) {
            *i += 1;
        }
    };
    skip_ws(&mut i);
    if head.get(i) != Some(&b'{') {
        return false;
    }
    i += 1;
    skip_ws(&mut i);
    if head.get(i) != Some(&b'"') {
        return false;
    }
    let rest = &head[i + 1..];
    const KEYS: [&str; 9] = [
        "events",
        "messageType",
        "awslogs",
        "owner",
        "logGroup",
        "logStream",
        "logEvents",
        "subscriptionFilters",
        "nextForwardToken",
    ];
    KEYS.iter()
        .any(|k| rest.starts_with(k.as_bytes()) && rest.get(k.len()) == Some(&b'"'))
}

impl Blocks {
    /// The next block of whole lines, `None` at the end of the input;
    /// `block` is a buffer to reuse.
    pub fn next_block(
        &mut self,
        block_bytes: usize,
        mut block: Vec<u8>,
    ) -> Result<Option<Vec<u8>>, String> {
        block.clear();
        match &mut self.inner {
            BlocksInner::Done => Ok(None),
            BlocksInner::Failed(e) => {
                let e = std::mem::take(e);
                self.inner = BlocksInner::Done;
                Err(e)
            }
            BlocksInner::Documents(rx) => match rx.recv() {
                Ok(Ok(block)) => Ok(Some(block)),
                Ok(Err(e)) => {
                    self.inner = BlocksInner::Done;
                    Err(e)
                }
                Err(_) => {
                    self.inner = BlocksInner::Done;
                    Ok(None)
                }
            },
            BlocksInner::Lines(r, carry) => {
                let result = read_lines(r.as_mut(), carry, &mut block, block_bytes);
                match result {
                    Ok(()) if block.is_empty() => {
                        self.inner = BlocksInner::Done;
                        Ok(None)
                    }
                    Ok(()) => Ok(Some(block)),
                    Err(e) if block.is_empty() => {
                        self.inner = BlocksInner::Done;
                        Err(e.to_string())
                    }
                    Err(e) => {
                        // What was read before the error still counts.
                        self.inner = BlocksInner::Failed(e.to_string());
                        Ok(Some(block))
                    }
                }
            }
        }
    }
}

/// Reads whole lines into `block` until it holds at least `limit` bytes or
/// the input ends; `carry` holds the start of a line read past the last
/// block, and receives the start of the next.
fn read_lines(
    r: &mut (dyn Read + Send),
    carry: &mut Vec<u8>,
    block: &mut Vec<u8>,
    limit: usize,
) -> io::Result<()> {
    block.append(carry);
    if block.len() < limit {
        let want = (limit - block.len()) as u64;
        // `read_to_end` reads into spare capacity without zeroing it.
        let n = r.take(want).read_to_end(block)?;
        if (n as u64) < want {
            return Ok(());
        }
    }
    // End on a line boundary; the rest waits for the next block. A line
    // longer than a block is read on until its end, up to MAX_LINE.
    loop {
        if let Some(nl) = memchr::memrchr(b'\n', block) {
            carry.extend_from_slice(&block[nl + 1..]);
            block.truncate(nl + 1);
            return Ok(());
        }
        if block.len() > MAX_LINE {
            // No record is this long: the line is dropped without being
            // kept, and stands as one malformed line (a lone `{`).
            block.clear();
            block.extend_from_slice(b"{\n");
            return skip_line(r, carry);
        }
        if r.take(64 * 1024).read_to_end(block)? == 0 {
            return Ok(());
        }
    }
}

/// Discards input up to and including the next newline; what follows it
/// goes to `carry`.
fn skip_line(r: &mut (dyn Read + Send), carry: &mut Vec<u8>) -> io::Result<()> {
    let mut chunk = Vec::with_capacity(64 * 1024);
    loop {
        chunk.clear();
        if r.take(64 * 1024).read_to_end(&mut chunk)? == 0 {
            return Ok(());
        }
        if let Some(nl) = memchr::memchr(b'\n', &chunk) {
            carry.extend_from_slice(&chunk[nl + 1..]);
            return Ok(());
        }
    }
}

struct BlockSender {
    block: Vec<u8>,
    limit: usize,
    tx: std::sync::mpsc::SyncSender<Result<Vec<u8>, String>>,
}

impl BlockSender {
    /// Adds one event's message as a line; false when the reader is gone.
    fn message(&mut self, m: &str) -> bool {
        self.block.extend_from_slice(m.as_bytes());
        self.block.push(b'\n');
        if self.block.len() >= self.limit {
            return self.flush();
        }
        true
    }

    fn flush(&mut self) -> bool {
        if self.block.is_empty() {
            return true;
        }
        let block = std::mem::replace(&mut self.block, Vec::with_capacity(self.limit));
        self.tx.send(Ok(block)).is_ok()
    }
}

/// Reads every CloudWatch document of `r`, calling `emit` with each event's
/// message; stops early when `emit` returns false. An error says what was
/// wrong and where.
///
/// A function behind a subscription filter gets the raw Lambda event:
///
/// ```
/// use base64::Engine as _;
/// use std::io::Write as _;
///
/// let payload = r#"{"messageType":"DATA_MESSAGE","logGroup":"/aws/lambda/login","logStream":"s","logEvents":[{"id":"1","timestamp":1,"message":"{\"@timestamp\":\"2026-01-01T00:00:00Z\"}\n"}]}"#;
/// let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
/// gz.write_all(payload.as_bytes()).unwrap();
/// let data = base64::engine::general_purpose::STANDARD.encode(gz.finish().unwrap());
/// let event = format!(r#"{{"awslogs":{{"data":"{data}"}}}}"#);
///
/// let mut lines = Vec::new();
/// seclog_cli::input::read_documents(event.as_bytes(), &mut |line| {
///     lines.push(line.to_string());
///     true
/// })
/// .unwrap();
/// assert_eq!(lines, [r#"{"@timestamp":"2026-01-01T00:00:00Z"}"#]);
/// ```
pub fn read_documents(r: impl Read, emit: &mut dyn FnMut(&str) -> bool) -> Result<(), String> {
    let mut de = serde_json::Deserializer::from_reader(r);
    let mut stop = false;
    loop {
        if de.end().is_ok() {
            return Ok(());
        }
        Document {
            emit: &mut *emit,
            stop: &mut stop,
        }
        .deserialize(&mut de)
        .map_err(|e| format!("not a CloudWatch Logs document: {e}"))?;
        if stop {
            return Ok(());
        }
    }
}

/// One document: `events`, `logEvents` and `awslogs` are read, the rest
/// skipped.
struct Document<'e> {
    emit: &'e mut dyn FnMut(&str) -> bool,
    stop: &'e mut bool,
}

impl<'de> DeserializeSeed<'de> for Document<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Document<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a CloudWatch Logs JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "events" | "logEvents" => map.next_value_seed(Events {
                    emit: &mut *self.emit,
                    stop: &mut *self.stop,
                })?,
                "awslogs" => {
                    let data: AwsLogs = map.next_value()?;
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(data.data.trim())
                        .map_err(|e| {
                            serde::de::Error::custom(format!("awslogs.data is not base64: {e}"))
                        })?;
                    let gz = flate2::read::MultiGzDecoder::new(&bytes[..]).take(MAX_PAYLOAD_BYTES);
                    read_documents(gz, &mut *self.emit).map_err(serde::de::Error::custom)?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            if *self.stop {
                // The reader is gone: skip the rest quickly.
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            }
        }
        Ok(())
    }
}

#[derive(serde::Deserialize)]
struct AwsLogs {
    data: String,
}

struct Events<'e> {
    emit: &'e mut dyn FnMut(&str) -> bool,
    stop: &'e mut bool,
}

impl<'de> DeserializeSeed<'de> for Events<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Events<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of log events")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(event) = seq.next_element::<LogEvent>()? {
            if *self.stop {
                continue;
            }
            if let Some(m) = event.message {
                // A message may end in the newline the program wrote.
                for line in m.split('\n') {
                    if !line.trim().is_empty() && !(self.emit)(line) {
                        *self.stop = true;
                        break;
                    }
                }
            }
        }
        Ok(())
    }
}

#[derive(serde::Deserialize)]
struct LogEvent {
    #[serde(default)]
    message: Option<String>,
}

/// What one line is.
#[derive(Debug, PartialEq, Eq)]
pub enum Line<'a> {
    /// A JSON object to read as a record (the S3 export's timestamp prefix
    /// removed).
    Json(&'a [u8]),
    /// One of AWS Lambda's own lines (`START`, `END`, `REPORT`, ...).
    Platform,
    /// Any other text.
    Other,
    /// Nothing but whitespace.
    Blank,
}

/// Tells what `line` (without its newline) is.
///
/// ```
/// use seclog_cli::input::{classify, Line};
/// assert_eq!(classify(b"{\"a\":1}\r"), Line::Json(b"{\"a\":1}"));
/// assert_eq!(classify(b"2026-01-01T00:00:00.000Z {\"a\":1}"), Line::Json(b"{\"a\":1}"));
/// // `aws logs tail` and Lambda's text format.
/// let tail = b"2026-01-01T00:00:00.000000+00:00 2026/01/01/[$LATEST]0f1e {\"a\":1}";
/// assert_eq!(classify(tail), Line::Json(b"{\"a\":1}"));
/// let text = b"2026-01-01T00:00:00.000Z\t8f5e-41d4\tINFO\t{\"a\":1}";
/// assert_eq!(classify(text), Line::Json(b"{\"a\":1}"));
/// let start = b"2026-01-01T00:00:00.000000+00:00 2026/01/01/[$LATEST]0f1e START RequestId: 8f5";
/// assert_eq!(classify(start), Line::Platform);
/// assert_eq!(classify(b"START RequestId: 8f5 Version: $LATEST"), Line::Platform);
/// assert_eq!(classify(b"2026-01-01T00:00:00.000Z REPORT RequestId: 8f5"), Line::Platform);
/// assert_eq!(classify(b"thread 'main' panicked"), Line::Other);
/// assert_eq!(classify(b"  "), Line::Blank);
/// ```
pub fn classify(line: &[u8]) -> Line<'_> {
    let line = trim(line);
    if line.is_empty() {
        return Line::Blank;
    }
    if line[0] == b'{' {
        return Line::Json(line);
    }
    if is_platform(line) {
        return Line::Platform;
    }
    // A timestamp and up to two more words may come before the line: the
    // timestamp alone in S3 exports, the timestamp and the stream in `aws
    // logs tail`, the timestamp, the request id and the level in Lambda's
    // text format (tab-separated).
    if line[0].is_ascii_digit() {
        let mut rest = line;
        for _ in 0..3 {
            let Some(sep) = rest.iter().position(|&c| c == b' ' || c == b'\t') else {
                break;
            };
            rest = trim(&rest[sep..]);
            if rest.first() == Some(&b'{') && rest.last() == Some(&b'}') {
                return Line::Json(rest);
            }
            if is_platform(rest) {
                return Line::Platform;
            }
        }
    }
    Line::Other
}

fn is_platform(line: &[u8]) -> bool {
    const PREFIXES: [&[u8]; 8] = [
        b"START RequestId:",
        b"END RequestId:",
        b"REPORT RequestId:",
        b"INIT_START",
        b"INIT_REPORT",
        b"INIT_RUNTIME_DONE",
        b"EXTENSION",
        b"TELEMETRY",
    ];
    PREFIXES.iter().any(|p| line.starts_with(p))
}

/// `b` without ASCII whitespace at either end.
fn trim(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &b[start..end]
}
