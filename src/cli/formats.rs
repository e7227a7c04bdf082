//! `dechrome clean --warc` and `clean --parquet`: corpus containers cleaned record by record (WARC)
//! or row group by row group (Parquet), each input written to one output under a temporary name
//! renamed into place once complete, so a failed input leaves nothing behind.
//!
//! A damaged input (a truncated gzip member, a `Content-Length` past the end, a missing or
//! non-string column, a corrupt footer) fails with an error naming the file and the record or row
//! group. With `--on-error fail` the run stops there; with `skip` or `keep` it goes on with the
//! next input (exit status 2). A record whose cleaned form cannot be written (a digest in an
//! algorithm dechrome cannot recompute) is left out (`skip`) or written as it was (`keep`).

use std::io::Write;
use std::path::{Path, PathBuf};

use dechrome::formats::{char_offset, warc};
use dechrome::output::{AtomicWriter, OutputGuard};
use dechrome::report;
use dechrome::{Cleaner, Error, Verdict, jsonl};
use rayon::prelude::*;

use super::common::{self, CleanArgs, OnError, Status, interrupted, interrupted_error};
use super::summary::{Counts, Progress};

/// Records cleaned per parallel batch (and at most [`BATCH_BYTES`] of them).
const BATCH_RECORDS: usize = 256;
/// Bytes of records per parallel batch.
const BATCH_BYTES: usize = 8 << 20;

/// The container format of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// WARC or WET records.
    Warc,
    /// Parquet rows.
    Parquet,
}

impl Container {
    /// The format a file's name says it holds.
    pub fn of_name(path: &Path) -> Option<Container> {
        if warc::is_warc_name(path) {
            Some(Container::Warc)
        } else if dechrome::formats::is_parquet_name(path) {
            Some(Container::Parquet)
        } else {
            None
        }
    }

    fn flag(self) -> &'static str {
        match self {
            Container::Warc => "--warc",
            Container::Parquet => "--parquet",
        }
    }

    fn is_file(self, path: &Path) -> bool {
        Container::of_name(path) == Some(self)
    }
}

/// What cleaning one document produced.
pub struct DocOut {
    /// The cleaned text, when it changed.
    pub text: Option<Vec<u8>>,
    /// The removals as annotated (with `--annotate`).
    pub annotations: Vec<jsonl::Annotation>,
    /// Lines for stderr.
    pub messages: String,
    /// Its counts.
    pub counts: Counts,
}

/// Cleans one document of a container, found at `at` (`path:record N`, `path:row N:field`), of
/// the publisher its record names (`--publisher-field`; `None` or blank: the run's publisher or
/// the signatures decide); removals are described at their character offset in the text.
pub fn clean_doc(
    cleaner: &Cleaner,
    args: &CleanArgs,
    at: &str,
    text: &[u8],
    publisher: Option<&str>,
) -> DocOut {
    let mut out = DocOut {
        text: None,
        annotations: Vec::new(),
        messages: String::new(),
        counts: Counts::default(),
    };
    let _memory = match common::reserve_memory(Path::new(at), dechrome::input::cleaning_cost(text))
    {
        Ok(r) => r,
        Err(e) => {
            out.messages = format!("dechrome: warning: {e}; record kept as it was\n");
            out.counts.read = 1;
            out.counts.failed = 1;
            out.counts.kept = 1;
            return out;
        }
    };
    let outcome = match publisher.filter(|p| !p.trim().is_empty()) {
        Some(p) => cleaner.clean_for(text, Some(p)),
        None => cleaner.clean(text),
    };
    out.counts.add_outcome(&outcome);
    if args.explain {
        for r in report::findings(&outcome.removals)
            .iter()
            .map(|f| f.removal)
        {
            let place = format!("{at}:{}", char_offset(text, r.range.start));
            out.messages
                .push_str(&report::removal_line(&place, r, &text[r.range.clone()]));
            out.messages.push('\n');
        }
    }
    if let Some(why) = report::refusal(
        outcome.verdict,
        outcome.guarded_share,
        cleaner.max_removal(),
    ) {
        out.messages.push_str(&format!("{at}: {why}\n"));
    }
    if args.annotate.is_some() {
        out.annotations = jsonl::annotations(&String::from_utf8_lossy(text), &outcome);
    }
    if outcome.verdict == Verdict::Cleaned && !args.keep_text {
        out.text = Some(outcome.text.into_owned());
    }
    out
}

/// Lists the input files: named files as they are, directories walked (in name order) for the
/// files of the format. Each comes with its output name (below `-o DIR`).
fn expand(inputs: &[PathBuf], kind: Container) -> Result<Vec<(PathBuf, PathBuf)>, Error> {
    let mut out = Vec::new();
    for p in inputs {
        if p == Path::new("-") {
            return Err(Error::Usage(format!(
                "{} reads files, not stdin; name the files",
                kind.flag()
            )));
        }
        if p.is_dir() {
            for e in walkdir::WalkDir::new(p).sort_by_file_name() {
                let e = e.map_err(|e| {
                    let at = e.path().unwrap_or(p).to_path_buf();
                    Error::io(at, e.into())
                })?;
                if e.file_type().is_file() && kind.is_file(e.path()) {
                    let rel = e.path().strip_prefix(p).unwrap_or(e.path()).to_path_buf();
                    out.push((e.path().to_path_buf(), rel));
                }
            }
        } else {
            let name = p
                .file_name()
                .ok_or_else(|| Error::Usage(format!("{}: not a file name", p.display())))?;
            out.push((p.clone(), PathBuf::from(name)));
        }
    }
    Ok(out)
}

/// Where the output of each input goes.
enum Target {
    /// Standard output.
    Stdout,
    /// One file (a single input).
    File(PathBuf),
    /// Below a directory, under the input's name.
    Dir(PathBuf),
}

/// Runs `clean --warc` or `clean --parquet` over `inputs`.
pub fn run(
    args: &CleanArgs,
    kind: Container,
    cleaner: &Cleaner,
    pool: &rayon::ThreadPool,
    inputs: &[PathBuf],
    guard: &OutputGuard,
) -> Result<(Status, Counts), Error> {
    let files = expand(inputs, kind)?;
    let to_jsonl = args.to_jsonl;
    let target = match &args.output {
        None if kind == Container::Parquet => {
            return Err(Error::Usage(
                "--parquet writes files: name an output with -o FILE.parquet or -o DIR".into(),
            ));
        }
        None => Target::Stdout,
        Some(o) if to_jsonl => Target::File(o.clone()),
        Some(o) if kind.is_file(o) => {
            if files.len() != 1 {
                return Err(Error::Usage(format!(
                    "-o {} names one file, but there are {} inputs; name a directory",
                    o.display(),
                    files.len()
                )));
            }
            Target::File(o.clone())
        }
        Some(o) => {
            guard.check_dir(o)?;
            if o.exists() && !o.is_dir() {
                return Err(Error::Usage(format!(
                    "-o {} is a file, not a directory; name a directory for the outputs",
                    o.display()
                )));
            }
            Target::Dir(o.clone())
        }
    };
    // Every output is checked before anything is written.
    let mut outputs = Vec::new();
    for (_, rel) in &files {
        match &target {
            Target::File(f) => guard.check_file(f)?,
            Target::Dir(d) => {
                let out = d.join(rel);
                if outputs.contains(&out) {
                    return Err(Error::Usage(format!(
                        "two inputs would both be written to {}; clean them into separate \
                         directories",
                        out.display()
                    )));
                }
                guard.check_file(&out)?;
                outputs.push(out);
            }
            Target::Stdout => {}
        }
    }
    let total: u64 = files
        .iter()
        .map(|(p, _)| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .sum();
    let progress = Progress::new(Some(total), args.quiet || matches!(target, Target::Stdout));
    let mut counts = Counts::default();
    let mut status = Status::Ok;
    // With --to-jsonl every input goes to one stream.
    let mut jsonl_out: Option<Box<dyn Write>> = None;
    let mut jsonl_file: Option<AtomicWriter> = None;
    if to_jsonl {
        match &target {
            Target::File(f) => jsonl_file = Some(AtomicWriter::create(guard, f)?),
            _ => jsonl_out = Some(Box::new(std::io::BufWriter::new(std::io::stdout().lock()))),
        }
    }
    let mut raw_done = 0;
    for (input, rel) in &files {
        if interrupted() {
            return Err(interrupted_error());
        }
        let mut one = Counts::default();
        let result = match kind {
            Container::Warc => {
                let sink: WarcSink = if let Some(w) = jsonl_file.as_mut() {
                    WarcSink::Jsonl(w)
                } else if let Some(w) = jsonl_out.as_mut() {
                    WarcSink::JsonlStream(w.as_mut())
                } else {
                    match &target {
                        Target::Stdout => WarcSink::Stdout(std::io::stdout().lock()),
                        Target::File(f) => WarcSink::file(guard, f)?,
                        Target::Dir(d) => {
                            let path = guard.check_below(d, rel, true)?;
                            WarcSink::file(guard, &path)?
                        }
                    }
                };
                clean_warc(args, cleaner, pool, input, sink, &progress, &mut one)
            }
            Container::Parquet => {
                let path = match &target {
                    Target::File(f) => f.clone(),
                    Target::Dir(d) => guard.check_below(d, rel, true)?,
                    Target::Stdout => unreachable!("refused above"),
                };
                clean_parquet(
                    args, cleaner, pool, input, guard, &path, &progress, &mut one,
                )
            }
        };
        raw_done += std::fs::metadata(input).map(|m| m.len()).unwrap_or(0);
        counts.merge(&one);
        match result {
            Ok(()) => {
                if one.failed > 0 {
                    status = Status::Error;
                }
            }
            Err(e) => {
                counts.unreadable += 1;
                status = Status::Error;
                if args.on_error == OnError::Fail {
                    progress.finish();
                    return Err(e);
                }
                progress.eprint(&format!(
                    "dechrome: error: {e}; no output written for this input\n"
                ));
            }
        }
        progress.update(raw_done, counts.read);
    }
    progress.finish();
    if let Some(w) = jsonl_file {
        w.finish()?;
    }
    if let Some(mut w) = jsonl_out {
        w.flush().map_err(|e| Error::io("<stdout>", e))?;
    }
    Ok((status, counts))
}

/// Where cleaned WARC records go.
enum WarcSink<'a> {
    Stdout(std::io::StdoutLock<'static>),
    /// A WARC file; gzip-compressed record by record when `gzip`.
    File {
        w: AtomicWriter,
        gzip: bool,
    },
    /// JSONL to the run's output file.
    Jsonl(&'a mut AtomicWriter),
    /// JSONL to stdout.
    JsonlStream(&'a mut dyn Write),
}

impl WarcSink<'_> {
    fn file<'b>(guard: &OutputGuard, path: &Path) -> Result<WarcSink<'b>, Error> {
        let gzip = path.extension().is_some_and(|e| e == "gz");
        Ok(WarcSink::File {
            w: AtomicWriter::create_raw(guard, path)?,
            gzip,
        })
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        match self {
            WarcSink::Stdout(w) => w.write_all(bytes).map_err(|e| Error::io("<stdout>", e)),
            WarcSink::File { w, .. } => w.write_all(bytes),
            WarcSink::Jsonl(w) => AtomicWriter::write_all(w, bytes),
            WarcSink::JsonlStream(w) => w.write_all(bytes).map_err(|e| Error::io("<stdout>", e)),
        }
    }

    fn is_jsonl(&self) -> bool {
        matches!(self, WarcSink::Jsonl(_) | WarcSink::JsonlStream(_))
    }

    fn record(&mut self, rec: &warc::Record) -> Result<(), Error> {
        let bytes = match self {
            WarcSink::File { gzip: true, w } => {
                warc::gzip_member(rec).map_err(|e| Error::io(w.path(), e))?
            }
            _ => {
                let mut b = Vec::with_capacity(rec.head.len() + rec.block.len() + 4);
                rec.write_to(&mut b).expect("writing to memory");
                b
            }
        };
        self.write(&bytes)
    }

    fn finish(self) -> Result<(), Error> {
        match self {
            WarcSink::Stdout(mut w) => w.flush().map_err(|e| Error::io("<stdout>", e)),
            WarcSink::File { w, .. } => w.finish(),
            WarcSink::Jsonl(_) | WarcSink::JsonlStream(_) => Ok(()),
        }
    }
}

/// One record's JSON line for `--to-jsonl`.
fn jsonl_line(args: &CleanArgs, rec: &warc::Record, text: &[u8], out: &DocOut) -> Vec<u8> {
    let mut line = Vec::with_capacity(text.len() + 256);
    let field = |line: &mut Vec<u8>, name: &str, value: &str, first: bool| {
        line.push(if first { b'{' } else { b',' });
        jsonl::push_json_string(line, name);
        line.push(b':');
        jsonl::push_json_string(line, value);
    };
    field(
        &mut line,
        "url",
        rec.header("WARC-Target-URI").unwrap_or(""),
        true,
    );
    field(
        &mut line,
        "warc_record_id",
        rec.header("WARC-Record-ID").unwrap_or(""),
        false,
    );
    field(
        &mut line,
        "date",
        rec.header("WARC-Date").unwrap_or(""),
        false,
    );
    let cleaned = out.text.as_deref().unwrap_or(text);
    field(
        &mut line,
        &args.field,
        &String::from_utf8_lossy(cleaned),
        false,
    );
    if let Some(name) = &args.annotate {
        line.push(b',');
        jsonl::push_json_string(&mut line, name);
        line.push(b':');
        jsonl::push_annotations(&mut line, &out.annotations);
    }
    line.extend_from_slice(b"}\n");
    line
}

/// Cleans one WARC input into `sink`. On failure, the error and the counts so far; the sink's
/// file (if any) is dropped unfinished, so nothing is left under its name.
fn clean_warc(
    args: &CleanArgs,
    cleaner: &Cleaner,
    pool: &rayon::ThreadPool,
    input: &Path,
    mut sink: WarcSink<'_>,
    progress: &Progress,
    counts: &mut Counts,
) -> Result<(), Error> {
    let name = input.display().to_string();
    let stream = dechrome::input::open_stream(input, Default::default())?;
    let mut reader = warc::Reader::new(stream, name.clone(), args.limits.max_file_size);
    let mut done = false;
    while !done {
        let mut batch = Vec::new();
        let mut bytes = 0;
        let mut failure = None;
        while batch.len() < BATCH_RECORDS && bytes < BATCH_BYTES {
            match reader.next_record() {
                Ok(Some(r)) => {
                    bytes += r.block.len() + r.head.len();
                    batch.push(r);
                }
                Ok(None) => {
                    done = true;
                    break;
                }
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        let outs: Vec<Option<DocOut>> = pool.install(|| {
            batch
                .par_iter()
                .map(|r| {
                    (r.payload() != warc::Payload::Other).then(|| {
                        let at = format!("{name}:record {}", r.number);
                        let publisher = args.publisher_field.as_deref().and_then(|h| r.header(h));
                        clean_doc(cleaner, args, &at, r.text(), publisher)
                    })
                })
                .collect()
        });
        for (rec, out) in batch.iter().zip(outs) {
            counts.bytes_in += (rec.head.len() + rec.block.len()) as u64;
            let Some(out) = out else {
                if !sink.is_jsonl() {
                    sink.record(rec)?;
                }
                continue;
            };
            progress.eprint(&out.messages);
            counts.merge(&out.counts);
            if sink.is_jsonl() {
                let line = jsonl_line(args, rec, rec.text(), &out);
                counts.bytes_out += line.len() as u64;
                sink.write(&line)?;
                continue;
            }
            let new = match &out.text {
                None => Ok(None),
                Some(t) => rec.with_text(t).map(Some),
            };
            match new {
                Ok(new) => {
                    let r = new.as_ref().unwrap_or(rec);
                    counts.bytes_out += r.block.len() as u64;
                    sink.record(r)?;
                }
                Err(why) => {
                    let e = Error::Input {
                        path: format!("{name}:record {}", rec.number).into(),
                        message: why,
                    };
                    counts.failed += 1;
                    match args.on_error {
                        OnError::Fail => return Err(e),
                        OnError::Skip => {
                            counts.dropped += 1;
                            progress.eprint(&format!("dechrome: warning: {e}; record skipped\n"));
                        }
                        OnError::Keep => {
                            counts.kept += 1;
                            progress.eprint(&format!(
                                "dechrome: warning: {e}; record kept as it was\n"
                            ));
                            sink.record(rec)?;
                        }
                    }
                }
            }
        }
        if let Some(e) = failure {
            return Err(e);
        }
        if interrupted() {
            return Err(interrupted_error());
        }
    }
    sink.finish()
}

#[cfg(feature = "parquet")]
#[allow(clippy::too_many_arguments)]
fn clean_parquet(
    args: &CleanArgs,
    cleaner: &Cleaner,
    pool: &rayon::ThreadPool,
    input: &Path,
    guard: &OutputGuard,
    output: &Path,
    progress: &Progress,
    counts: &mut Counts,
) -> Result<(), Error> {
    use dechrome::formats::parquet::{ByteArray, Table};
    let table = Table::open(input)?;
    let col = table.string_column(&args.field)?;
    let publisher_col = match args.publisher_field.as_deref() {
        Some(name) => Some(table.string_column(name)?),
        None => None,
    };
    if let Some(name) = args.annotate.as_deref()
        && table.has_column(name)
    {
        return Err(Error::Input {
            path: input.into(),
            message: format!(
                "column `{name}` already exists; name a new column for the removals with --annotate"
            ),
        });
    }
    let out = AtomicWriter::create_raw(guard, output)?;
    let name = input.display().to_string();
    let field = &args.field;
    let mut replace = |g: usize, first: u64, values: Vec<Option<ByteArray>>| {
        let publishers = match publisher_col {
            Some(c) => table.read(g, c)?.0,
            None => Vec::new(),
        };
        let outs: Vec<Option<DocOut>> = pool.install(|| {
            values
                .par_iter()
                .enumerate()
                .map(|(i, v)| {
                    v.as_ref().map(|v| {
                        let at = format!("{name}:row {}:{field}", first + i as u64 + 1);
                        let publisher = publishers
                            .get(i)
                            .and_then(|p| p.as_ref())
                            .and_then(|p| std::str::from_utf8(p.data()).ok());
                        clean_doc(cleaner, args, &at, v.data(), publisher)
                    })
                })
                .collect()
        });
        let mut new = Vec::with_capacity(values.len());
        let mut annotations = Vec::new();
        for (v, out) in values.into_iter().zip(outs) {
            let Some(out) = out else {
                new.push(None);
                if args.annotate.is_some() {
                    annotations.push(None);
                }
                continue;
            };
            if args.annotate.is_some() {
                annotations.push(Some(out.annotations));
            }
            progress.eprint(&out.messages);
            counts.merge(&out.counts);
            let v = v.expect("a value for each outcome");
            counts.bytes_in += v.len() as u64;
            match out.text {
                Some(t) => {
                    counts.bytes_out += t.len() as u64;
                    new.push(Some(ByteArray::from(t)));
                }
                None => {
                    counts.bytes_out += v.len() as u64;
                    new.push(Some(v));
                }
            }
        }
        if interrupted() {
            return Err(interrupted_error());
        }
        Ok((new, annotations))
    };
    table
        .rewrite(col, args.annotate.as_deref(), out, &mut replace)?
        .finish()
}

#[cfg(not(feature = "parquet"))]
#[allow(clippy::too_many_arguments)]
fn clean_parquet(
    _args: &CleanArgs,
    _cleaner: &Cleaner,
    _pool: &rayon::ThreadPool,
    input: &Path,
    _guard: &OutputGuard,
    _output: &Path,
    _progress: &Progress,
    _counts: &mut Counts,
) -> Result<(), Error> {
    Err(Error::Usage(format!(
        "{}: this dechrome was built without Parquet support (cargo feature `parquet`)",
        input.display()
    )))
}
