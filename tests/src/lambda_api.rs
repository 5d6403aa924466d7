//! A Lambda Runtime API on loopback, and Lambda functions run against it
//! as processes: the end-to-end tests of the Lambda examples and of the
//! `seclog-detector` function share it.
//!
//! [`RuntimeApi::serve`] hands out queued events on
//! `GET .../invocation/next` and collects what the function posts back;
//! [`Function::start`] runs a function binary with the environment Lambda
//! gives it and captures its stdout (the records, as CloudWatch Logs would
//! receive them) and stderr.

use serde_json::Value;
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The invoked function's ARN the Runtime API announces.
pub const ARN: &str = "arn:aws:lambda:eu-west-1:123456789012:function:login";
/// The X-Ray trace root the Runtime API announces.
pub const TRACE_ROOT: &str = "1-6747688e-0a1b2c3d4e5f60718293a4b5";
/// How long a function may take to answer before the test gives up on it
/// (a hang is a failure, never a wait forever).
pub const PATIENCE: Duration = Duration::from_secs(120);

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

// ---------------------------------------------------------------------------
// A Lambda Runtime API on loopback: `GET .../invocation/next` hands out the
// queued events, `POST .../invocation/{id}/response|error` are collected.
// ---------------------------------------------------------------------------

/// One event to hand out.
pub struct Invocation {
    /// `Lambda-Runtime-Aws-Request-Id`.
    pub request_id: String,
    /// The payload.
    pub event: Value,
    /// `Lambda-Runtime-Deadline-Ms`.
    pub deadline_ms: u64,
}

impl Invocation {
    /// An event due within Lambda's longest timeout.
    pub fn new(request_id: &str, event: Value) -> Self {
        // Lambda's longest timeout: the function is nowhere near it.
        Invocation {
            request_id: request_id.into(),
            event,
            deadline_ms: now_ms() + 900_000,
        }
    }
}

/// What the function posted back.
#[derive(Debug)]
pub enum Posted {
    /// `POST .../invocation/{id}/response`.
    Response {
        /// The invocation's request id.
        request_id: String,
        /// The response.
        body: Value,
    },
    /// `POST .../invocation/{id}/error`.
    Error {
        /// The invocation's request id.
        request_id: String,
        /// The error document.
        body: Value,
    },
    /// `POST .../init/error`: the function failed to start.
    InitError {
        /// The error document.
        body: Value,
    },
}

#[derive(Default)]
struct Queue {
    events: VecDeque<Invocation>,
    closed: bool,
}

/// The Runtime API, serving until dropped.
pub struct RuntimeApi {
    /// Where it listens (`AWS_LAMBDA_RUNTIME_API`).
    pub addr: SocketAddr,
    queue: Arc<(Mutex<Queue>, Condvar)>,
    posted: Receiver<Posted>,
    acceptor: Option<JoinHandle<()>>,
}

impl RuntimeApi {
    /// Serves `events`, in order, on 127.0.0.1.
    pub fn serve(events: Vec<Invocation>) -> RuntimeApi {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let queue = Arc::new((
            Mutex::new(Queue {
                events: events.into(),
                closed: false,
            }),
            Condvar::new(),
        ));
        let (tx, posted) = mpsc::channel();
        let q = Arc::clone(&queue);
        let acceptor = thread::spawn(move || {
            for stream in listener.incoming() {
                if q.0.lock().unwrap().closed {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (q, tx) = (Arc::clone(&q), tx.clone());
                thread::spawn(move || connection(stream, &q, &tx));
            }
        });
        RuntimeApi {
            addr,
            queue,
            posted,
            acceptor: Some(acceptor),
        }
    }

    /// The next response or error the function posted; panics with the
    /// function's output when it failed to start or posted nothing within
    /// [`PATIENCE`].
    pub fn next_posted(&self, child: &mut Function) -> Posted {
        match self.posted.recv_timeout(PATIENCE) {
            Ok(Posted::InitError { body }) => {
                let (_, stderr) = child.finish();
                panic!("the function failed to start: {body}\nstderr:\n{stderr}")
            }
            Ok(p) => p,
            Err(_) => {
                let (stdout, stderr) = child.finish();
                panic!("the function posted nothing within {PATIENCE:?}\nstdout:\n{stdout}\nstderr:\n{stderr}")
            }
        }
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.queue.0.lock().unwrap().closed = true;
        self.queue.1.notify_all();
        // Wake the acceptor so it sees the queue closed.
        let _ = TcpStream::connect(self.addr);
        if let Some(a) = self.acceptor.take() {
            let _ = a.join();
        }
    }
}

struct Request {
    method: String,
    path: String,
    body: Vec<u8>,
}

fn read_request(r: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_string(), parts.next()?.to_string());
    let (mut length, mut chunked) = (0usize, false);
    // At most 100 header lines: the runtime sends a handful.
    for _ in 0..100 {
        let mut h = String::new();
        r.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (name, value) = h.split_once(':')?;
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().ok()?,
            "transfer-encoding" => chunked = value.trim().eq_ignore_ascii_case("chunked"),
            _ => {}
        }
    }
    let mut body = Vec::new();
    if chunked {
        // At most 10 000 chunks: a response is a few.
        for _ in 0..10_000 {
            let mut size = String::new();
            r.read_line(&mut size).ok()?;
            let n = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
            let mut chunk = vec![0; n + 2];
            r.read_exact(&mut chunk).ok()?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    } else {
        body.resize(length, 0);
        r.read_exact(&mut body).ok()?;
    }
    Some(Request { method, path, body })
}

fn respond(
    w: &mut TcpStream,
    status: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\n", body.len());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    w.write_all(head.as_bytes())?;
    w.write_all(body)?;
    w.flush()
}

/// One keep-alive connection of the runtime's HTTP client; ends when the
/// function closes it (or exits) or the API shuts down.
fn connection(stream: TcpStream, queue: &(Mutex<Queue>, Condvar), tx: &Sender<Posted>) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    while let Some(req) = read_request(&mut reader) {
        let path = req.path.trim_start_matches("/2018-06-01/runtime/");
        let parsed = || serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        let ok = match (req.method.as_str(), path) {
            ("GET", "invocation/next") => {
                let next = {
                    let mut q = queue.0.lock().unwrap();
                    // The function waits here between invocations, as on
                    // Lambda; the test ends it once it has every answer.
                    while q.events.is_empty() && !q.closed {
                        q = queue.1.wait(q).unwrap();
                    }
                    q.events.pop_front()
                };
                let Some(inv) = next else { return };
                let headers = [
                    ("content-type", "application/json".to_string()),
                    ("lambda-runtime-aws-request-id", inv.request_id.clone()),
                    ("lambda-runtime-deadline-ms", inv.deadline_ms.to_string()),
                    ("lambda-runtime-invoked-function-arn", format!("{ARN}:live")),
                    (
                        "lambda-runtime-trace-id",
                        format!("Root={TRACE_ROOT};Parent=53995c3f42cd8ad8;Sampled=1"),
                    ),
                ];
                respond(
                    &mut writer,
                    "200 OK",
                    &headers,
                    inv.event.to_string().as_bytes(),
                )
            }
            ("POST", "init/error") => {
                let _ = tx.send(Posted::InitError { body: parsed() });
                respond(&mut writer, "202 Accepted", &[], br#"{"status":"OK"}"#)
            }
            ("POST", p) if p.starts_with("invocation/") => {
                let rest = &p["invocation/".len()..];
                let (id, kind) = rest.rsplit_once('/').unwrap_or((rest, ""));
                let request_id = id.to_string();
                let posted = match kind {
                    "response" => Some(Posted::Response {
                        request_id,
                        body: parsed(),
                    }),
                    "error" => Some(Posted::Error {
                        request_id,
                        body: parsed(),
                    }),
                    _ => None,
                };
                match posted {
                    Some(p) => {
                        let _ = tx.send(p);
                        respond(&mut writer, "202 Accepted", &[], br#"{"status":"OK"}"#)
                    }
                    None => respond(&mut writer, "404 Not Found", &[], b""),
                }
            }
            _ => respond(&mut writer, "404 Not Found", &[], b""),
        };
        if ok.is_err() {
            return;
        }
    }
}

// ---------------------------------------------------------------------------
// The function under test: one of the examples, as a process.
// ---------------------------------------------------------------------------

/// A function binary running as a process.
pub struct Function {
    child: Child,
    stdout: Option<JoinHandle<String>>,
    stderr: Option<JoinHandle<String>>,
}

impl Function {
    /// Starts `exe` against `api` with Lambda's environment (a `login`
    /// function in eu-west-1), `extra_env` added last.
    pub fn start(exe: &str, api: &RuntimeApi, extra_env: &[(&str, &str)]) -> Function {
        let mut c = Command::new(exe);
        for (k, _) in std::env::vars() {
            if k.starts_with("SECLOG_") || k.starts_with("AWS_") || k.starts_with("_X_AMZN") {
                c.env_remove(k);
            }
        }
        c.env("AWS_LAMBDA_RUNTIME_API", api.addr.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", "login")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "17")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/login")
            .env(
                "AWS_LAMBDA_LOG_STREAM_NAME",
                "2026/11/27/[17]0123456789abcdef",
            )
            .env("AWS_REGION", "eu-west-1")
            .envs(extra_env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap_or_else(|e| panic!("{exe}: {e}"));
        let read_all = |mut r: Box<dyn Read + Send>| {
            thread::spawn(move || {
                let mut s = Vec::new();
                let _ = r.read_to_end(&mut s);
                String::from_utf8_lossy(&s).into_owned()
            })
        };
        let stdout = read_all(Box::new(child.stdout.take().unwrap()));
        let stderr = read_all(Box::new(child.stderr.take().unwrap()));
        Function {
            child,
            stdout: Some(stdout),
            stderr: Some(stderr),
        }
    }

    /// How the function exited, if it did within `patience`.
    pub fn exited_within(&mut self, patience: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + patience;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Stops the function (it waits for its next event forever, as on
    /// Lambda) and returns everything it wrote.
    pub fn finish(&mut self) -> (String, String) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let out = self
            .stdout
            .take()
            .map(|h| h.join().unwrap())
            .unwrap_or_default();
        let err = self
            .stderr
            .take()
            .map(|h| h.join().unwrap())
            .unwrap_or_default();
        (out, err)
    }
}

impl Drop for Function {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
