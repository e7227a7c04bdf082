//! `dechrome clean --jsonl`: a three-stage pipeline with bounded memory. A reader thread reads
//! records in batches of about [`BATCH_BYTES`]; the worker pool cleans each batch in parallel,
//! in chunks; a writer thread writes the chunks in input order, prints messages and counts.
//! The output is the same for every `--jobs`.
//!
//! With `--skip-existing`, a run into shards resumes an interrupted one: the shards from
//! `part-00000` on that already exist are kept, and the input records they stand for (the first
//! `shards * --shard-size` records of the input, blank lines apart) are passed over without being
//! cleaned. A shard holds the output of `--shard-size` input records, fewer when some were left
//! out, so shard boundaries depend only on the input: the result equals an uninterrupted run,
//! whatever the first run left out. A run into a directory holding shards of an earlier run is
//! refused unless it resumes it (`--skip-existing`) or replaces it (`--overwrite`, which also
//! removes the earlier shards beyond the new ones). The run's `--shard-size` is recorded beside
//! the shards (`.dechrome.shards`), and a resume with another size is refused.
//! A single output file that exists means the job is done: nothing is read.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::time::Duration;

use dechrome::jsonl::{self, LineRef};
use dechrome::output::{AtomicWriter, Compression, OutputGuard, RecordSink, ShardSink, StreamSink};
use dechrome::report;
use dechrome::{Cleaner, Error};
use rayon::prelude::*;

use super::common::{self, CleanArgs, OnError, Status, interrupted, interrupted_error};
use super::summary::{Counts, Progress};

/// Bytes of input per batch (a batch holds whole lines, so it can be larger). With 2 MiB, peak RSS
/// on a 1 GB input with two threads was 108 MB; with 1 MiB it was 91 MB at the same speed. On
/// 46 MB of real pages at `-j 2`, 512 KiB holds 2 MB less than 1 MiB at the same speed; 256 KiB
/// saves 0.8 MB more but runs 5% slower.
const BATCH_BYTES: usize = 512 << 10;
/// Most bytes asked for per read.
const READ_CHUNK: usize = 512 << 10;
/// Bytes asked for per read once a batch is full, until its last line ends: the buffer is zeroed
/// ahead of each read, and zeroed bytes are memory the batch holds until it is cleaned.
const TAIL_CHUNK: usize = 64 << 10;
/// Records per parallel task. Small, so that the two threads finish a batch together: with 16 (a
/// batch of real pages is about 7 tasks) one thread waited for the other's last task.
const CHUNK: usize = 4;
/// Batches buffered between the stages. One is enough for the reader to keep ahead of the
/// workers; each more is about a MiB of input and its output held. Between the workers and the
/// writer it also lets two batches be cleaned at once: a thread that is done with its share of
/// one batch starts on the next instead of waiting for the other's last task.
const DEPTH: usize = 1;

/// Whole lines of one input.
pub(super) struct Batch {
    pub(super) input: Arc<str>,
    /// Line number of the first line.
    pub(super) first_line: u64,
    pub(super) data: Vec<u8>,
    /// Start offset of the first line.
    pub(super) start: usize,
    /// End offset of each line (terminator included).
    pub(super) ends: Vec<usize>,
}

/// What the reader sends.
pub(super) enum Read {
    Batch(Batch),
    /// An input could not be opened or read, or holds a record above the size limit: reported,
    /// then the run goes on with the next input.
    Failed(Error),
    /// An input skipped with a warning (binary data): the message. The run's status is then 2.
    Skipped(String),
}

/// The UTF-8 byte-order mark. At the start of an input it is no part of the first record: it is
/// kept in the output, in front of that record, and not parsed.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Splits a leading byte-order mark off the first line of an input.
pub(super) fn split_bom(line: &[u8], line_no: u64) -> (&[u8], &[u8]) {
    match line.strip_prefix(BOM) {
        Some(rest) if line_no == 1 => (BOM, rest),
        _ => (&[], line),
    }
}

/// The output of one chunk of records.
#[derive(Default)]
struct ChunkOut {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    messages: String,
    counts: Counts,
    /// A malformed record under `--on-error fail`: the chunk stops there.
    fatal: Option<Error>,
    /// An input could not be read (already in `messages`).
    input_failed: bool,
}

/// What the writer receives, in input order: the output of a batch, or of a message, as it will be.
enum Pending {
    /// Output known when it was sent (a message about an input, records passed over).
    Ready(Vec<ChunkOut>),
    /// A batch being cleaned in the pool: its output arrives here when it is done.
    Cleaning(Receiver<Vec<ChunkOut>>),
}

/// Is `path` a single output file (by its extension) rather than a shard directory?
pub fn is_file_target(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let name = name.trim_end_matches(".gz").trim_end_matches(".zst");
    name.ends_with(".jsonl") || name.ends_with(".ndjson") || name.ends_with(".json")
}

/// Runs the JSONL pipeline over `inputs` (`-` is stdin).
pub fn run(
    args: &CleanArgs,
    cleaner: &Cleaner,
    pool: &rayon::ThreadPool,
    inputs: &[PathBuf],
    guard: &OutputGuard,
) -> Result<(Status, Counts), Error> {
    // Output records passed over because existing shards hold them (`--skip-existing`).
    let mut skip: u64 = 0;
    let sink: Box<dyn RecordSink + Send> = match &args.output {
        None => Box::new(StreamSink::stdout()),
        Some(o) if is_file_target(o) => Box::new(StreamSink::File(AtomicWriter::create(guard, o)?)),
        Some(dir) => {
            let compression = match args.compress.as_deref() {
                None => Compression::None,
                Some("gz") => Compression::Gzip,
                Some("zst") => Compression::Zstd,
                Some(other) => {
                    return Err(Error::Usage(format!(
                        "--compress: unknown {other:?}; use gz or zst"
                    )));
                }
            };
            let earlier = dechrome::output::shards_in(dir, 0);
            if let Some(first) = earlier.first()
                && !args.skip_existing
                && !args.overwrite
            {
                return Err(Error::Usage(format!(
                    "output directory {} holds shards of an earlier run ({}); resume it with \
                     --skip-existing, or replace them with --overwrite",
                    dir.display(),
                    first.display()
                )));
            }
            // A resume must use the run's own options: shards of another --compress would not be
            // seen as done, and every record in them would be written twice (found in review).
            if args.skip_existing
                && let Some(other) = earlier.iter().find(|p| {
                    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    dechrome::output::shard_number(name)
                        .is_some_and(|n| name != ShardSink::shard_name(n, compression))
                })
            {
                return Err(Error::Usage(format!(
                    "output directory {} holds {}, written with another --compress; resume with \
                     the options of that run, or replace its shards with --overwrite",
                    dir.display(),
                    other.display()
                )));
            }
            // Shard boundaries depend on --shard-size: a resume with another size would pass
            // over the wrong number of records, losing or repeating some.
            if args.skip_existing
                && !earlier.is_empty()
                && let Some(size) = ShardSink::recorded_size(dir)?
                && size != args.shard_size.max(1)
            {
                return Err(Error::Usage(format!(
                    "output directory {} holds shards of {size} records (--shard-size {size}, \
                     recorded in {}); resume with --shard-size {size}, or replace them with \
                     --overwrite",
                    dir.display(),
                    dir.join(ShardSink::RUN_FILE).display()
                )));
            }
            let mut first = 0;
            if args.skip_existing {
                while dir.join(ShardSink::shard_name(first, compression)).exists() {
                    first += 1;
                }
                skip = first as u64 * args.shard_size as u64;
            }
            Box::new(
                ShardSink::new(guard, dir, args.shard_size, compression)
                    .starting_at(first)
                    .replacing(args.overwrite),
            )
        }
    };
    let total: Option<u64> = inputs
        .iter()
        .map(|p| (p != Path::new("-")).then(|| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)))
        .sum();
    let raw_read = Arc::new(AtomicU64::new(0));
    let progress = Progress::new(total, args.quiet);
    let (read_tx, read_rx) = sync_channel::<Read>(DEPTH);
    let (out_tx, out_rx) = sync_channel::<Pending>(DEPTH);
    // The reader is not joined: after an interruption it may be blocked reading stdin.
    {
        let raw_read = raw_read.clone();
        let inputs = inputs.to_vec();
        let max = args.limits.max_file_size;
        std::thread::spawn(move || read_inputs(&inputs, max, raw_read, read_tx));
    }
    std::thread::scope(|s| {
        let writer = s.spawn(|| write_outputs(sink, out_rx, &progress, &raw_read));
        let field = args.field.as_str();
        let annotate = args.annotate.as_deref();
        // Batches are cleaned as tasks of this scope, so that the next batch starts while the
        // last records of one are still being cleaned; the writer puts them back in order. The
        // scope ends when every batch sent to the pool is done.
        pool.in_place_scope(|batches| {
            loop {
                let item = match read_rx.recv_timeout(Duration::from_millis(100)) {
                    Ok(item) => item,
                    Err(RecvTimeoutError::Timeout) if interrupted() => break,
                    Err(RecvTimeoutError::Timeout) => continue,
                    Err(RecvTimeoutError::Disconnected) => break,
                };
                if interrupted() {
                    break;
                }
                let item = match item {
                    Read::Batch(b) if skip > 0 => {
                        let (rest, passed) = pass_over(b, &mut skip);
                        if out_tx.send(Pending::Ready(vec![passed])).is_err() {
                            break;
                        }
                        match rest {
                            Some(b) => Read::Batch(b),
                            None => continue,
                        }
                    }
                    other => other,
                };
                let chunks = match item {
                    // A skipped or unreadable input makes the run fail (exit 2) as the run goes on.
                    Read::Skipped(message) => vec![ChunkOut {
                        messages: message,
                        input_failed: true,
                        counts: Counts {
                            binary: 1,
                            ..Counts::default()
                        },
                        ..ChunkOut::default()
                    }],
                    Read::Failed(e) => {
                        vec![ChunkOut {
                            messages: format!("dechrome: error: {e}\n"),
                            input_failed: true,
                            counts: Counts {
                                unreadable: 1,
                                ..Counts::default()
                            },
                            ..ChunkOut::default()
                        }]
                    }
                    Read::Batch(b) => {
                        let (done_tx, done_rx) = sync_channel(1);
                        // Sent before the batch is handed to the pool, so that at most the batch the
                        // writer waits for and one more are cleaned at once (the channel holds one).
                        if out_tx.send(Pending::Cleaning(done_rx)).is_err() {
                            break; // The writer stopped (an error); it says why.
                        }
                        batches.spawn(move |_| {
                            let chunks = b
                                .ends
                                .par_chunks(CHUNK)
                                .enumerate()
                                .map(|(i, ends)| {
                                    let start = if i == 0 {
                                        b.start
                                    } else {
                                        b.ends[i * CHUNK - 1]
                                    };
                                    let line_no = b.first_line + (i * CHUNK) as u64;
                                    clean_chunk(
                                        cleaner, args, field, annotate, &b, start, ends, line_no,
                                    )
                                })
                                .collect();
                            // The writer may have stopped on an error, and dropped the receiver.
                            let _ = done_tx.send(chunks);
                        });
                        continue;
                    }
                };
                if out_tx.send(Pending::Ready(chunks)).is_err() {
                    break; // The writer stopped (an error); it says why.
                }
            }
        });
        drop(out_tx);
        let written = writer.join().expect("writer thread");
        progress.finish();
        let (counts, failed) = written?;
        Ok((if failed { Status::Error } else { Status::Ok }, counts))
    })
}

/// Passes over the lines of `batch` that hold the next `skip` input records (`--skip-existing`:
/// existing shards hold their output), without cleaning them. Every line but a blank one is a
/// record, written or not (a record left out by `--on-error skip` counts too). Returns the rest of the batch, if any, and the counts of
/// the lines passed over.
fn pass_over(mut batch: Batch, skip: &mut u64) -> (Option<Batch>, ChunkOut) {
    let mut out = ChunkOut::default();
    let mut start = batch.start;
    let mut taken = 0;
    for &end in &batch.ends {
        if *skip == 0 {
            break;
        }
        let full = &batch.data[start..end];
        let line = full.strip_suffix(b"\n").unwrap_or(full);
        let (_, line) = split_bom(line, batch.first_line + taken as u64);
        out.counts.bytes_in += full.len() as u64;
        start = end;
        taken += 1;
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            out.counts.blank += 1;
        } else {
            out.counts.existing += 1;
            *skip -= 1;
        }
    }
    if taken == batch.ends.len() {
        return (None, out);
    }
    batch.first_line += taken as u64;
    batch.start = start;
    batch.ends.drain(..taken);
    (Some(batch), out)
}

/// Reads the inputs in turn and sends their lines in batches. A record (line) longer than `max`
/// bytes ends its input with an error: it is not read into memory.
pub(super) fn read_inputs(
    inputs: &[PathBuf],
    max: u64,
    raw_read: Arc<AtomicU64>,
    tx: SyncSender<Read>,
) {
    for path in inputs {
        if interrupted() {
            return;
        }
        let name: Arc<str> = if path == Path::new("-") {
            "<stdin>".into()
        } else {
            path.display().to_string().into()
        };
        let mut reader = match dechrome::input::open_stream(path, raw_read.clone()) {
            Ok(r) => r,
            Err(e) => {
                if tx.send(Read::Failed(e)).is_err() {
                    return;
                }
                continue;
            }
        };
        // UTF-16 text is refused and binary data skipped, as `clean` does with text files.
        let kind = match reader.fill_buf() {
            Ok(head) => dechrome::input::sniff(head),
            Err(_) => dechrome::input::Kind::Text, // The read below reports the error.
        };
        let refusal = match kind {
            dechrome::input::Kind::Text => None,
            dechrome::input::Kind::Binary => Some(Read::Skipped(format!(
                "dechrome: warning: {}\n",
                report::binary_skipped(&name)
            ))),
            dechrome::input::Kind::Utf16 => Some(Read::Failed(Error::Input {
                path: path.clone(),
                message: "UTF-16 text is not supported; convert it to UTF-8 first".into(),
            })),
        };
        if let Some(r) = refusal {
            if tx.send(r).is_err() {
                return;
            }
            continue;
        }
        let mut line_no = 1;
        let mut carry: Vec<u8> = Vec::new();
        loop {
            let (data, stop, eof) = fill(&mut reader, &mut carry, max);
            let mut ends: Vec<usize> = memchr::memchr_iter(b'\n', &data).map(|i| i + 1).collect();
            // A last line with no terminator is a record, unless a read error cut it short (a
            // damaged compressed stream): then only the error is reported.
            if eof && stop.is_none() && ends.last().copied() != Some(data.len()) && !data.is_empty()
            {
                ends.push(data.len());
            }
            let n = ends.len() as u64;
            if !ends.is_empty() {
                let batch = Batch {
                    input: name.clone(),
                    first_line: line_no,
                    data,
                    start: 0,
                    ends,
                };
                if tx.send(Read::Batch(batch)).is_err() {
                    return;
                }
            }
            line_no += n;
            if let Some(stop) = stop {
                let e = match stop {
                    Stop::Io(e) => Error::io(path, e),
                    Stop::TooLong => Error::Input {
                        path: format!("{name}:{line_no}").into(),
                        message: format!(
                            "record larger than the limit of {max} bytes; skipped with the rest \
                             of the input"
                        ),
                    },
                };
                if tx.send(Read::Failed(e)).is_err() {
                    return;
                }
                break;
            }
            if eof {
                break;
            }
        }
    }
}

/// Why reading an input stopped early.
enum Stop {
    /// A read error.
    Io(std::io::Error),
    /// A line longer than the limit: the batch holds the lines before it.
    TooLong,
}

/// Reads at least [`BATCH_BYTES`] (or to the end of input) after the carried-over bytes, and keeps
/// whole lines: the bytes after the last newline are carried over to the next batch. Returns the
/// batch, why reading stopped early (a read error, or a line of more than `max` bytes, of which no
/// more than `max` plus one read is held), and whether the input is exhausted.
fn fill(reader: &mut dyn BufRead, carry: &mut Vec<u8>, max: u64) -> (Vec<u8>, Option<Stop>, bool) {
    let mut data = Vec::with_capacity(BATCH_BYTES + carry.len() + READ_CHUNK);
    data.append(carry);
    let mut len = data.len();
    // The carried-over bytes are the start of one line (they hold no newline).
    let mut line_start = 0;
    let mut newline = false;
    let too_long = |from: usize, to: usize| (to - from) as u64 > max;
    loop {
        if too_long(line_start, len) {
            data.truncate(line_start);
            return (data, Some(Stop::TooLong), true);
        }
        if len >= BATCH_BYTES && newline {
            break;
        }
        let want = if len < BATCH_BYTES {
            (BATCH_BYTES - len).min(READ_CHUNK)
        } else {
            TAIL_CHUNK
        };
        if data.len() < len + want {
            data.resize(len + want, 0);
        }
        match reader.read(&mut data[len..len + want]) {
            Ok(0) => {
                data.truncate(len);
                return (data, None, true);
            }
            Ok(n) => {
                for at in memchr::memchr_iter(b'\n', &data[len..len + n]).map(|i| len + i) {
                    if too_long(line_start, at) {
                        data.truncate(line_start);
                        return (data, Some(Stop::TooLong), true);
                    }
                    line_start = at + 1;
                    newline = true;
                }
                len += n;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                data.truncate(len);
                return (data, Some(Stop::Io(e)), true);
            }
        }
    }
    data.truncate(len);
    let last = memchr::memrchr(b'\n', &data).expect("a newline") + 1;
    carry.extend_from_slice(&data[last..]);
    data.truncate(last);
    (data, None, false)
}

#[allow(clippy::too_many_arguments)]
fn clean_chunk(
    cleaner: &Cleaner,
    args: &CleanArgs,
    field: &str,
    annotate: Option<&str>,
    batch: &Batch,
    mut start: usize,
    ends: &[usize],
    first_line: u64,
) -> ChunkOut {
    let mut out = ChunkOut {
        bytes: Vec::with_capacity(ends.last().map_or(0, |e| e - start) + 1024),
        ..ChunkOut::default()
    };
    for (k, &end) in ends.iter().enumerate() {
        let full = &batch.data[start..end];
        start = end;
        let line_no = first_line + k as u64;
        out.counts.bytes_in += full.len() as u64;
        let line = full.strip_suffix(b"\n").unwrap_or(full);
        let (bom, line) = split_bom(line, line_no);
        let at = LineRef {
            input: &batch.input,
            line: line_no,
        };
        // A record's text holds about as many lines as the line has escapes, at most.
        let cost =
            dechrome::input::record_cost(line.len(), memchr::memchr_iter(b'\\', line).count());
        let (_memory, result) = match common::reserve_memory(Path::new(&at.to_string()), cost) {
            Ok(r) => (
                Some(r),
                jsonl::clean_record_with(
                    cleaner,
                    line,
                    at,
                    field,
                    annotate,
                    args.keep_text,
                    args.publisher_field.as_deref(),
                ),
            ),
            Err(e) => (None, Err(e)),
        };
        match result {
            Ok(None) => {
                out.counts.blank += 1;
                // A BOM opening a blank line goes in front of the next record.
                out.bytes.extend_from_slice(bom);
            }
            Ok(Some(rec)) => {
                let found = report::findings(&rec.removals);
                out.counts.add(
                    rec.verdict,
                    found.iter().map(|f| f.removal.rule.family.as_str()),
                );
                out.bytes.extend_from_slice(bom);
                match &rec.line {
                    Some(l) => out.bytes.extend_from_slice(l),
                    None => out.bytes.extend_from_slice(line),
                }
                out.bytes.push(b'\n');
                out.ends.push(out.bytes.len());
                if args.explain {
                    for r in found.iter().map(|f| f.removal) {
                        let removed = &rec.text.as_bytes()[r.range.clone()];
                        out.messages
                            .push_str(&report::removal_line(&at.to_string(), r, removed));
                        out.messages.push('\n');
                    }
                    for n in &rec.notices {
                        out.messages
                            .push_str(&report::note_line(&at.to_string(), n));
                        out.messages.push('\n');
                    }
                }
                if let Some(why) =
                    report::refusal(rec.verdict, rec.guarded_share, cleaner.max_removal())
                {
                    out.messages.push_str(&format!("{at}: {why}\n"));
                }
            }
            Err(e) => {
                out.counts.read += 1;
                out.counts.failed += 1;
                match args.on_error {
                    OnError::Fail => {
                        out.fatal = Some(e);
                        return out;
                    }
                    OnError::Skip => {
                        out.counts.dropped += 1;
                        // An empty record: shards count input records, so that a resume passes
                        // over the same records whatever the first run left out.
                        out.ends.push(out.bytes.len());
                        out.messages
                            .push_str(&format!("dechrome: warning: {e}; record skipped\n"));
                    }
                    OnError::Keep => {
                        out.counts.kept += 1;
                        out.messages
                            .push_str(&format!("dechrome: warning: {e}; record kept as it was\n"));
                        out.bytes.extend_from_slice(bom);
                        out.bytes.extend_from_slice(line);
                        out.bytes.push(b'\n');
                        out.ends.push(out.bytes.len());
                    }
                }
            }
        }
    }
    out
}

/// The writer stage: returns the counts and whether anything failed, or the error that stopped it.
fn write_outputs(
    mut sink: Box<dyn RecordSink + Send>,
    rx: Receiver<Pending>,
    progress: &Progress,
    raw_read: &AtomicU64,
) -> Result<(Counts, bool), Error> {
    let mut counts = Counts::default();
    let mut failed = false;
    for pending in rx {
        let chunks = match pending {
            Pending::Ready(chunks) => chunks,
            Pending::Cleaning(done) => match done.recv() {
                Ok(chunks) => chunks,
                // The task ended without its output: it panicked, and the scope that ran it
                // passes the panic on. The output in progress is not completed.
                Err(_) => {
                    sink.abort()?;
                    return Err(Error::Usage("a worker stopped without its output".into()));
                }
            },
        };
        for c in chunks {
            sink.write_records(&c.bytes, &c.ends)?;
            progress.eprint(&c.messages);
            counts.merge(&c.counts);
            counts.bytes_out += c.bytes.len() as u64;
            failed |= c.input_failed;
            if let Some(e) = c.fatal {
                // Records before the bad one are written; the shard or file in progress is not
                // completed, so an incomplete output is never left under its final name.
                if let Err(f) = sink.abort() {
                    progress.eprint(&format!("dechrome: error: {f}\n"));
                }
                return Err(e);
            }
        }
        progress.update(raw_read.load(Ordering::Relaxed), counts.read);
    }
    if interrupted() {
        // Complete shards stay; the one in progress is discarded.
        sink.abort()?;
        return Err(interrupted_error());
    }
    sink.finish()?;
    Ok((counts, failed))
}
