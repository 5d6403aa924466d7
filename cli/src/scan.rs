//! Reading every input in parallel and merging the records in time order.
//!
//! **Parsing** is the costly part and runs on a pool of worker threads (one
//! per core): each input is read in blocks of whole lines, each block is
//! parsed by a worker into the few items a command needs, and the blocks of
//! one input come back in the order they were read.
//!
//! **Ordering** is a k-way merge of the inputs on `@timestamp`, each input
//! taken to be in time order up to a *reorder window* (`--reorder-window`,
//! 2 s by default: threads of one process, or streams interleaved in an
//! export, write records a little out of order). Items wait in one heap and
//! leave it, earliest first, once every input still being read has reached
//! a time past theirs by the window; the input that is furthest behind is
//! read next. The heap holds at most `--reorder-buffer` items (100,000 by
//! default) and 32 MiB; past that the earliest leaves early. An item that arrives
//! after a later one has left (out of order by more than the window, or
//! forced out by the cap) is still counted, in the order it came, and
//! reported as *late*: nothing is ever dropped for being out of order.
//!
//! Memory is bounded by the heap's cap, the blocks in flight (a few per
//! worker) and one block per input being merged. Every input is merged at
//! once, so each stays open while it is read (and a CloudWatch document
//! has a thread decoding it): for many thousands of inputs, such as an
//! export's objects, merge them per log stream first (`cat`, `zcat`).

use crate::input::{self, Blocks, Input, Line};
use crate::record::{self, Record};
use std::collections::{BinaryHeap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

/// What a command takes from each record.
pub trait Extract: Sync {
    /// The item kept for each record of interest.
    type Item: Send;

    /// The item for one record (`time` is its `@timestamp` in microseconds,
    /// `line` its JSON text), or `None` to skip it.
    fn extract(&self, record: &Record<'_>, time: i64, line: &[u8]) -> Option<Self::Item>;

    /// The bytes an item holds, counted against the reorder buffer's
    /// [`Options::reorder_bytes`].
    fn size(&self, _item: &Self::Item) -> usize {
        std::mem::size_of::<Self::Item>()
    }

    /// Text that every line of interest contains, so the others are skipped
    /// without being parsed.
    fn prefilter(&self) -> Option<&memchr::memmem::Finder<'_>> {
        None
    }
}

/// What was read, and what was skipped.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Inputs read.
    pub inputs: u64,
    /// seclog records read.
    pub records: u64,
    /// AWS Lambda's own lines (`START`, `END`, `REPORT`, ...).
    pub platform: u64,
    /// Lines that are not seclog records: other programs' text or JSON.
    pub other: u64,
    /// Lines that start like JSON but are not valid JSON, or records whose
    /// members have the wrong types.
    pub malformed: u64,
    /// Lines skipped unparsed by a command's filter.
    pub filtered: u64,
    /// Records that came after a later one had already been counted.
    pub late: u64,
    /// Inputs that ended with a read error (reported as warnings).
    pub failed_inputs: u64,
}

impl std::ops::AddAssign for Stats {
    fn add_assign(&mut self, o: Stats) {
        self.inputs += o.inputs;
        self.records += o.records;
        self.platform += o.platform;
        self.other += o.other;
        self.malformed += o.malformed;
        self.filtered += o.filtered;
        self.late += o.late;
        self.failed_inputs += o.failed_inputs;
    }
}

/// How to read.
#[derive(Debug, Clone)]
pub struct Options {
    /// How far out of time order one input may be, in microseconds.
    pub reorder_window: i64,
    /// The most items waiting to be merged.
    pub reorder_buffer: usize,
    /// The most bytes those items may hold.
    pub reorder_bytes: usize,
    /// Parsing threads.
    pub workers: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            reorder_window: 2_000_000,
            reorder_buffer: 100_000,
            reorder_bytes: 32 * 1024 * 1024,
            workers: std::thread::available_parallelism().map_or(2, |n| n.get().min(8)),
        }
    }
}

/// Progress and warnings, reported as the inputs are read.
pub trait Observer {
    /// Raw bytes read so far, over all inputs.
    fn progress(&mut self, _bytes: u64) {}
    /// An input that could not be read to its end.
    fn warning(&mut self, message: &str);
}

/// A parsed block, and its buffer to reuse.
struct Parsed<T> {
    items: Vec<(i64, T)>,
    stats: Stats,
    buffer: Vec<u8>,
}

/// Parses one block of lines.
fn parse_block<E: Extract>(ex: &E, block: &[u8]) -> Parsed<E::Item> {
    let mut items = Vec::new();
    let mut stats = Stats::default();
    let filter = ex.prefilter();
    let mut begin = 0;
    let ends = memchr::memchr_iter(b'\n', block).chain(std::iter::once(block.len()));
    for end in ends {
        let line = &block[begin..end];
        begin = end + 1;
        let json = match input::classify(line) {
            Line::Blank => continue,
            Line::Platform => {
                stats.platform += 1;
                continue;
            }
            Line::Other => {
                stats.other += 1;
                continue;
            }
            Line::Json(j) => j,
        };
        if let Some(f) = filter {
            if f.find(json).is_none() {
                stats.filtered += 1;
                continue;
            }
        }
        let rec = match record::parse(json) {
            Ok(r) => r,
            Err(_) => {
                // Valid JSON of another shape is another program's line,
                // unless it claims to be a record.
                match serde_json::from_slice::<Claims>(json) {
                    Ok(c) if c.timestamp.is_none() || c.seclog.is_none() => stats.other += 1,
                    _ => stats.malformed += 1,
                }
                continue;
            }
        };
        if rec
            .platform_type
            .as_deref()
            .is_some_and(|t| t.starts_with("platform."))
        {
            stats.platform += 1;
            continue;
        }
        if !rec.is_seclog() {
            stats.other += 1;
            continue;
        }
        let Some(time) = rec.time() else {
            stats.malformed += 1;
            continue;
        };
        stats.records += 1;
        if let Some(item) = ex.extract(&rec, time, json) {
            items.push((time, item));
        }
    }
    Parsed {
        items,
        stats,
        buffer: Vec::new(),
    }
}

/// What a record has that other programs' JSON lines do not.
#[derive(serde::Deserialize)]
struct Claims {
    #[serde(rename = "@timestamp")]
    timestamp: Option<serde::de::IgnoredAny>,
    seclog: Option<serde::de::IgnoredAny>,
}

type Job<T> = (Vec<u8>, SyncSender<Parsed<T>>);

struct Source<T> {
    input: Input,
    blocks: Option<Blocks>,
    opened: bool,
    pending: VecDeque<Receiver<Parsed<T>>>,
    /// The latest time read from it (`i64::MIN` before its first record).
    newest: i64,
    done: bool,
}

struct Waiting<T> {
    time: i64,
    seq: u64,
    size: usize,
    item: T,
}

impl<T> PartialEq for Waiting<T> {
    fn eq(&self, o: &Self) -> bool {
        (self.time, self.seq) == (o.time, o.seq)
    }
}
impl<T> Eq for Waiting<T> {}
impl<T> PartialOrd for Waiting<T> {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl<T> Ord for Waiting<T> {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        // Reversed: the heap's top is the earliest.
        (o.time, o.seq).cmp(&(self.time, self.seq))
    }
}

/// Items waiting to leave in time order: each input's in-order items in a
/// queue of their own (the common case costs a push and a pop), those out
/// of order within their input in one heap, and a heap of the queues'
/// fronts to take the earliest among inputs.
struct Merge<T> {
    queues: Vec<VecDeque<Waiting<T>>>,
    fronts: BinaryHeap<std::cmp::Reverse<(i64, u64, usize)>>,
    stragglers: BinaryHeap<Waiting<T>>,
    len: usize,
    bytes: usize,
}

impl<T> Merge<T> {
    fn new(inputs: usize) -> Merge<T> {
        Merge {
            queues: (0..inputs).map(|_| VecDeque::new()).collect(),
            fronts: BinaryHeap::new(),
            stragglers: BinaryHeap::new(),
            len: 0,
            bytes: 0,
        }
    }

    fn push(&mut self, input: usize, w: Waiting<T>) {
        self.len += 1;
        self.bytes += w.size;
        let q = &mut self.queues[input];
        match q.back() {
            None => {
                self.fronts.push(std::cmp::Reverse((w.time, w.seq, input)));
                q.push_back(w);
            }
            Some(b) if b.time <= w.time => q.push_back(w),
            Some(_) => self.stragglers.push(w),
        }
    }

    /// The earliest item's time.
    fn first_time(&self) -> Option<i64> {
        let q = self.fronts.peek().map(|f| (f.0 .0, f.0 .1));
        let s = self.stragglers.peek().map(|w| (w.time, w.seq));
        match (q, s) {
            (Some(a), Some(b)) => Some(a.min(b).0),
            (a, b) => a.or(b).map(|x| x.0),
        }
    }

    fn pop(&mut self) -> Option<Waiting<T>> {
        let q = self.fronts.peek().map(|f| (f.0 .0, f.0 .1));
        let s = self.stragglers.peek().map(|w| (w.time, w.seq));
        let from_queue = match (q, s) {
            (Some(a), Some(b)) => a < b,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        self.len -= 1;
        if !from_queue {
            return self.stragglers.pop();
        }
        let std::cmp::Reverse((_, _, input)) = self.fronts.pop()?;
        let q = &mut self.queues[input];
        let w = q.pop_front();
        if let Some(next) = q.front() {
            self.fronts
                .push(std::cmp::Reverse((next.time, next.seq, input)));
        }
        w
    }
}

/// Reads every input and calls `sink` with each item, in time order (see
/// the module's documentation for what that means exactly).
pub fn scan<E: Extract>(
    inputs: &[Input],
    ex: &E,
    options: &Options,
    observer: &mut dyn Observer,
    mut sink: impl FnMut(i64, E::Item),
) -> Stats {
    let workers = options.workers.max(1);
    let read = Arc::new(AtomicU64::new(0));
    // Many inputs merged at once share the memory for blocks.
    let block_bytes = (64 * 1024 * 1024 / inputs.len().max(1)).clamp(16 * 1024, input::BLOCK_BYTES);
    let max_in_flight = 2 * workers + 2;
    let mut stats = Stats::default();

    std::thread::scope(|scope| {
        let (job_tx, job_rx) = sync_channel::<Job<E::Item>>(max_in_flight);
        let job_rx = Arc::new(Mutex::new(job_rx));
        for _ in 0..workers {
            let job_rx = Arc::clone(&job_rx);
            scope.spawn(move || loop {
                let job = {
                    let rx = job_rx.lock().unwrap_or_else(|e| e.into_inner());
                    rx.recv()
                };
                let Ok((block, reply)) = job else { return };
                let mut parsed = parse_block(ex, &block);
                parsed.buffer = block;
                let _ = reply.send(parsed);
            });
        }

        let mut sources: Vec<Source<E::Item>> = inputs
            .iter()
            .map(|i| Source {
                input: i.clone(),
                blocks: None,
                opened: false,
                pending: VecDeque::new(),
                newest: i64::MIN,
                done: false,
            })
            .collect();
        let mut heap: Merge<E::Item> = Merge::new(sources.len());
        let mut seq = 0u64;
        let mut last_out = i64::MIN;
        let mut in_flight = 0usize;
        let mut buffers: Vec<Vec<u8>> = Vec::new();

        let mut emit = |heap: &mut Merge<E::Item>, upto: i64, stats: &mut Stats| {
            while let Some(first) = heap.first_time() {
                if first > upto
                    && heap.len <= options.reorder_buffer
                    && heap.bytes <= options.reorder_bytes
                {
                    break;
                }
                let Some(w) = heap.pop() else { break };
                if w.time < last_out {
                    stats.late += 1;
                } else {
                    last_out = w.time;
                }
                sink(w.time, w.item);
            }
        };

        // The input furthest behind is read next.
        while let Some(s) = (0..sources.len())
            .filter(|&i| !sources[i].done)
            .min_by_key(|&i| sources[i].newest)
        {
            let src = &mut sources[s];
            if !src.opened {
                src.opened = true;
                match input::open(&src.input, Arc::clone(&read), block_bytes) {
                    Ok(b) => {
                        src.blocks = Some(b);
                        stats.inputs += 1;
                    }
                    Err(e) => {
                        observer.warning(&format!(
                            "cannot read {}: {}",
                            src.input,
                            crate::text::Safe(&e.to_string())
                        ));
                        stats.failed_inputs += 1;
                        src.done = true;
                        continue;
                    }
                }
            }
            // Read ahead so that every worker has a block of this input.
            let depth = workers + 1;
            while src.pending.len() < depth && (src.pending.is_empty() || in_flight < max_in_flight)
            {
                let Some(blocks) = src.blocks.as_mut() else {
                    break;
                };
                let buffer = buffers
                    .pop()
                    .unwrap_or_else(|| Vec::with_capacity(block_bytes + 64 * 1024));
                match blocks.next_block(block_bytes, buffer) {
                    Ok(Some(block)) => {
                        let (tx, rx) = sync_channel(1);
                        if job_tx.send((block, tx)).is_err() {
                            break;
                        }
                        src.pending.push_back(rx);
                        in_flight += 1;
                    }
                    Ok(None) => {
                        src.blocks = None;
                        break;
                    }
                    Err(e) => {
                        observer.warning(&format!(
                            "stopped reading {}: {}",
                            src.input,
                            crate::text::Safe(&e)
                        ));
                        stats.failed_inputs += 1;
                        src.blocks = None;
                        break;
                    }
                }
                if src.pending.len() >= depth {
                    break;
                }
            }
            observer.progress(read.load(Ordering::Relaxed));
            let Some(rx) = src.pending.pop_front() else {
                // Nothing left to read or parse.
                src.done = true;
                src.newest = i64::MAX;
                let upto = watermark(&sources, options.reorder_window);
                emit(&mut heap, upto, &mut stats);
                continue;
            };
            in_flight -= 1;
            // A worker only stops when the job channel closes.
            let Ok(parsed) = rx.recv() else { break };
            stats += parsed.stats;
            if parsed.buffer.capacity() > 0 && buffers.len() < max_in_flight {
                buffers.push(parsed.buffer);
            }
            // The other inputs do not move while this block is merged: the
            // bound they set is computed once.
            let others = sources
                .iter()
                .enumerate()
                .filter(|(i, o)| *i != s && !o.done)
                .map(|(_, o)| o.newest.saturating_sub(options.reorder_window))
                .min()
                .unwrap_or(i64::MAX);
            let src = &mut sources[s];
            for (time, item) in parsed.items {
                src.newest = src.newest.max(time);
                seq += 1;
                let size = ex.size(&item);
                heap.push(
                    s,
                    Waiting {
                        time,
                        seq,
                        size,
                        item,
                    },
                );
                let upto = others.min(src.newest.saturating_sub(options.reorder_window));
                emit(&mut heap, upto, &mut stats);
            }
            if src.blocks.is_none() && src.pending.is_empty() {
                src.done = true;
            }
            let upto = watermark(&sources, options.reorder_window);
            emit(&mut heap, upto, &mut stats);
        }
        emit(&mut heap, i64::MAX, &mut stats);
        observer.progress(read.load(Ordering::Relaxed));
        drop(job_tx);
    });
    stats
}

/// Items up to this time can leave the heap: every input still being read
/// has reached a time past it by the window.
fn watermark<T>(sources: &[Source<T>], window: i64) -> i64 {
    sources
        .iter()
        .filter(|s| !s.done)
        .map(|s| s.newest.saturating_sub(window))
        .min()
        .unwrap_or(i64::MAX)
}
