//! `dechrome clean`: stdin to stdout, files to stdout, or files and trees mirrored into an output
//! directory, in parallel batches written in input order.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use clap::Args;
use dechrome::report::{LineIndex, excerpt};
use dechrome::{Cleaner, Error, Outcome, Verdict, input, output};
use rayon::prelude::*;

use super::files::{self, Walked};
use super::summary::{Counts, Progress};
use super::{PatternOpts, Status, jsonl_run};

/// How many files are read, cleaned and written per parallel batch.
const BATCH: usize = 256;

/// Arguments of `dechrome clean`.
#[derive(Args, Debug)]
pub struct CleanArgs {
    /// Files or directories to clean; none (or `-`) reads stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Write here instead of stdout: files and trees are mirrored into this directory; with
    /// --jsonl, one file (when the name ends in .jsonl, .jsonl.gz or .jsonl.zst) or shards.
    #[arg(short = 'o', long = "output", value_name = "OUTDIR")]
    pub output: Option<PathBuf>,
    /// Which files of a directory to clean (matched against the path below the directory; default
    /// `*.txt`, or every file the configuration's `include` lets through).
    #[arg(long, value_name = "GLOB")]
    pub glob: Option<String>,
    /// Print every removal to stderr as `path:line:col: rule-id: "removed text"`.
    #[arg(long)]
    pub explain: bool,
    /// Refuse (leave unchanged, and report) a document when the rules would remove more than this
    /// share of its paragraph text, the lines that read as prose (default 0.8, or the
    /// configuration's `max-removal`).
    #[arg(long, value_name = "SHARE")]
    pub max_removal: Option<f64>,
    /// Skip (and report) a file larger than this, such as 64K, 256M or 2G, instead of reading it;
    /// with --jsonl, a record (line) larger than this ends its input with an error.
    #[arg(long, value_name = "SIZE", default_value = "256M", value_parser = input::parse_size)]
    pub max_file_size: u64,
    /// Memory the documents cleaned at the same time may take together, such as 512M or 4G
    /// (default: half the memory available). Workers wait for each other to stay within it; a
    /// document that alone would need more is skipped with an error.
    #[arg(long, value_name = "SIZE", value_parser = input::parse_size)]
    pub max_memory: Option<u64>,
    /// Worker threads (default: all cores).
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Print no summary and no progress bar.
    #[arg(short, long)]
    pub quiet: bool,
    /// Skip inputs whose output file already exists (resumes an interrupted run into -o OUTDIR);
    /// with --jsonl, keep the shards that exist and pass over the records they hold.
    #[arg(long)]
    pub skip_existing: bool,
    /// With --jsonl -o OUTDIR: replace the shards of an earlier run in OUTDIR (those beyond the
    /// new run's last shard are removed); without it, such a directory is refused unless
    /// --skip-existing resumes the run.
    #[arg(long)]
    pub overwrite: bool,
    /// Write the run's statistics (the summary's numbers) to this file as JSON.
    #[arg(long, value_name = "FILE")]
    pub stats: Option<PathBuf>,
    /// Read JSON Lines: clean one string field of each record, keep every other field as it is.
    /// Inputs ending in .gz or .zst are decompressed.
    #[arg(long, help_heading = "JSONL")]
    pub jsonl: bool,
    /// The record field to clean.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "text",
        help_heading = "JSONL"
    )]
    pub field: String,
    /// Add this field to each record: the removals, as objects with rule, family, scope, and start
    /// and end offsets in Unicode characters (scalar values) of the field's decoded string.
    #[arg(long, value_name = "FIELD", help_heading = "JSONL")]
    pub annotate: Option<String>,
    /// What to do with a record that is not a JSON object with the string field: stop the run
    /// (fail), leave it out of the output (skip) or write it as it was (keep). Each is reported.
    #[arg(
        long,
        value_enum,
        value_name = "ACTION",
        default_value = "fail",
        help_heading = "JSONL"
    )]
    pub on_error: OnError,
    /// Input records per shard, with -o OUTDIR (shards part-00000.jsonl, ...; a record left out
    /// by --on-error skip still counts, so a resume lines up). An -o path ending in .jsonl,
    /// .jsonl.gz or .jsonl.zst is one output file instead.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 100_000,
        help_heading = "JSONL"
    )]
    pub shard_size: usize,
    /// Compress shards: gz or zst.
    #[arg(long, value_name = "FORMAT", help_heading = "JSONL")]
    pub compress: Option<String>,
    #[command(flatten)]
    pub patterns: PatternOpts,
}

/// Set by Ctrl-C (SIGINT, SIGTERM): the run stops after the batch in progress.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Makes Ctrl-C (SIGINT, SIGTERM) set the flag [`interrupted`] reads. Without a handler, Ctrl-C
/// would end the process at once and leave temporary files behind.
pub fn set_interrupt_handler() {
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::Relaxed));
}

/// Has the run been interrupted?
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}

/// The error an interrupted run ends with.
pub fn interrupted_error() -> Error {
    Error::Usage("interrupted; complete outputs are kept, no partial file is left".into())
}

/// What happens to a malformed JSONL record.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnError {
    /// Stop with an error naming the line.
    Fail,
    /// Leave the record out of the output, with a warning.
    Skip,
    /// Write the record as it was, with a warning.
    Keep,
}

/// One file to clean and where its output goes (`None`: stdout).
struct Task {
    input: PathBuf,
    output: Option<PathBuf>,
}

/// What cleaning one file produced, kept until it can be reported in input order.
struct Done {
    /// Cleaned bytes for stdout (stdout mode only).
    text: Option<Vec<u8>>,
    /// Lines for stderr.
    messages: String,
    counts: Counts,
}

/// Describes removals and refusals of one document, as printed to stderr.
pub fn describe(
    path: &str,
    input: &[u8],
    outcome: &Outcome<'_>,
    explain: bool,
    max: f64,
) -> String {
    let mut out = String::new();
    if explain {
        let idx = LineIndex::new(input);
        for r in &outcome.removals {
            let (line, col) = idx.line_col(r.range.start);
            out.push_str(&format!(
                "{path}:{line}:{col}: {}: {}\n",
                r.rule.id,
                excerpt(&input[r.range.clone()])
            ));
        }
        for n in &outcome.notices {
            let (line, col) = idx.line_col(n.range.start);
            out.push_str(&format!(
                "{path}:{line}:{col}: {}: note: {}\n",
                n.rule.id, n.message
            ));
        }
    }
    if outcome.verdict == Verdict::Refused && outcome.guarded_share <= max {
        out.push_str(&format!(
            "{path}: refused: cleaning did not settle after {} passes; left unchanged\n",
            dechrome::filter::MAX_PASSES
        ));
    } else if outcome.verdict == Verdict::Refused {
        out.push_str(&format!(
            "{path}: refused: the rules would remove {:.0}% of the paragraph text (limit {:.0}%); left unchanged\n",
            outcome.guarded_share * 100.0,
            max * 100.0
        ));
    }
    out
}

fn validate(args: &CleanArgs) -> Result<(), Error> {
    if args.jobs == Some(0) {
        return Err(Error::Usage("--jobs must be at least 1".into()));
    }
    if !args.jsonl {
        let used = [
            (args.annotate.is_some(), "--annotate"),
            (args.field != "text", "--field"),
            (args.on_error != OnError::Fail, "--on-error"),
            (args.compress.is_some(), "--compress"),
        ];
        if let Some((_, name)) = used.iter().find(|(u, _)| *u) {
            return Err(Error::Usage(format!("{name} needs --jsonl")));
        }
    } else {
        if args.shard_size == 0 {
            return Err(Error::Usage("--shard-size must be at least 1".into()));
        }
        if args.annotate.as_deref() == Some(args.field.as_str()) {
            return Err(Error::Usage(
                "--annotate must name another field than --field".into(),
            ));
        }
    }
    if args.skip_existing && args.output.is_none() {
        return Err(Error::Usage("--skip-existing needs -o OUTDIR".into()));
    }
    Ok(())
}

/// Runs `dechrome clean`.
pub fn run(args: &CleanArgs) -> Result<Status, Error> {
    validate(args)?;
    set_interrupt_handler();
    super::set_memory_budget(args.max_memory);
    let config = args.patterns.config()?;
    let max = super::max_removal(args.max_removal, config.as_ref())?;
    let set = args.patterns.build_with(config.as_ref())?;
    let cleaner = Cleaner::new(set).with_max_removal(max);
    let select = files::Selector::new(args.glob.as_deref(), config.as_ref())?;
    let stdin_only =
        args.paths.is_empty() || (args.paths.len() == 1 && args.paths[0] == Path::new("-"));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()
        .map_err(|e| Error::Usage(format!("cannot start worker threads: {e}")))?;
    let start = Instant::now();
    if args.jsonl {
        let inputs: Vec<PathBuf> = if args.paths.is_empty() {
            vec![PathBuf::from("-")]
        } else {
            args.paths.clone()
        };
        if let Some(d) = inputs.iter().find(|p| p.is_dir()) {
            return Err(Error::Usage(format!(
                "{}: is a directory; --jsonl reads files (or - for stdin)",
                d.display()
            )));
        }
        let guard = output::OutputGuard::new(&inputs);
        check_outputs(args, &guard, &[])?;
        if let Some(o) = &args.output {
            if jsonl_run::is_file_target(o) {
                guard.check_file(o)?;
            } else {
                guard.check_shard_dir(o, |n| output::shard_number(n).is_some())?;
            }
        }
        if let Some(o) = &args.output
            && args.skip_existing
            && jsonl_run::is_file_target(o)
            && o.exists()
        {
            // A single output file exists only once complete: the job is done.
            if !args.quiet {
                eprintln!(
                    "dechrome: {}: output exists; nothing done (--skip-existing)",
                    o.display()
                );
            }
            return Ok(Status::Ok);
        }
        let (status, counts) = jsonl_run::run(args, &cleaner, &pool, &inputs, &guard)?;
        finish(args, &guard, &counts, "records", start)?;
        return Ok(status);
    }
    let guard = output::OutputGuard::new(&args.paths);
    if stdin_only && args.output.is_none() {
        check_outputs(args, &guard, &[])?;
        return clean_stdin(&cleaner, args);
    }
    let mut status = Status::Ok;
    let mut tasks = Vec::new();
    let mut stderr = String::new();
    let mut counts = Counts::default();
    match &args.output {
        None => {
            for p in &args.paths {
                if p.is_dir() {
                    return Err(Error::Usage(format!(
                        "{}: is a directory; use -o OUTDIR to mirror a tree",
                        p.display()
                    )));
                }
                tasks.push(Task {
                    input: p.clone(),
                    output: None,
                });
            }
        }
        Some(outdir) => {
            if stdin_only {
                return Err(Error::Usage(
                    "-o OUTDIR needs input paths, not stdin".into(),
                ));
            }
            guard.check_dir(outdir)?;
            for p in &args.paths {
                if p.is_dir() {
                    for w in files::walk(p, &select) {
                        match w {
                            Walked::File { path, rel } => tasks.push(Task {
                                output: Some(rel),
                                input: path,
                            }),
                            Walked::Link(path) => {
                                stderr.push_str(&files::link_skipped(&path));
                            }
                            Walked::Failed(e) => {
                                stderr.push_str(&format!("dechrome: error: {e}\n"));
                                status = Status::Error;
                            }
                        }
                    }
                } else {
                    let name = p
                        .file_name()
                        .ok_or_else(|| Error::Usage(format!("{}: not a file name", p.display())))?;
                    tasks.push(Task {
                        output: Some(PathBuf::from(name)),
                        input: p.clone(),
                    });
                }
            }
        }
    }
    let outdir = args.output.as_deref().unwrap_or(Path::new(""));
    let mut written = Vec::new();
    for t in &tasks {
        if let Some(rel) = &t.output {
            written.push((guard.check_below(outdir, rel, false)?, t.input.as_path()));
        }
    }
    check_outputs(args, &guard, &written)?;
    eprint!("{stderr}");
    if args.skip_existing {
        let before = tasks.len();
        tasks.retain(|t| !t.output.as_ref().is_some_and(|o| outdir.join(o).exists()));
        counts.existing = (before - tasks.len()) as u64;
    }
    let total = tasks
        .iter()
        .map(|t| std::fs::metadata(&t.input).map(|m| m.len()).unwrap_or(0))
        .sum();
    let progress = Progress::new(Some(total), args.quiet || args.output.is_none());
    let stdout = std::io::stdout();
    for batch in tasks.chunks(BATCH) {
        if interrupted() {
            progress.finish();
            return Err(interrupted_error());
        }
        let done: Vec<Done> = pool.install(|| {
            batch
                .par_iter()
                .map(|t| process(&cleaner, t, args, &guard))
                .collect()
        });
        let mut out = stdout.lock();
        for d in done {
            if let Some(text) = &d.text {
                out.write_all(text).map_err(|e| Error::io("<stdout>", e))?;
            }
            progress.eprint(&d.messages);
            if d.counts.failed > 0 {
                status = Status::Error;
            }
            counts.merge(&d.counts);
        }
        out.flush().map_err(|e| Error::io("<stdout>", e))?;
        progress.update(counts.bytes_in, counts.read);
    }
    progress.finish();
    if args.output.is_some() {
        finish(args, &guard, &counts, "files", start)?;
    } else if let Some(path) = &args.stats {
        counts.write_json(&guard, path, start.elapsed())?;
    }
    Ok(status)
}

/// Prints the summary (unless quiet) and writes the statistics file.
fn finish(
    args: &CleanArgs,
    guard: &output::OutputGuard,
    counts: &Counts,
    unit: &str,
    start: Instant,
) -> Result<(), Error> {
    let elapsed = start.elapsed();
    if !args.quiet {
        eprint!("{}", counts.summary(unit, elapsed));
    }
    if let Some(path) = &args.stats {
        counts.write_json(guard, path, elapsed)?;
    }
    Ok(())
}

/// Refuses, before anything is written, two inputs that would be written to one output file
/// (`written` holds each output file with its input), and a `--stats` file that is an input or
/// one of the outputs. Outputs are compared resolved, so two spellings of one path collide.
fn check_outputs(
    args: &CleanArgs,
    guard: &output::OutputGuard,
    written: &[(PathBuf, &Path)],
) -> Result<(), Error> {
    let mut seen: std::collections::HashMap<PathBuf, &Path> = std::collections::HashMap::new();
    for (out, input) in written {
        if let Some(first) = seen.insert(dechrome::guard::resolve(out), input) {
            return Err(Error::Usage(format!(
                "inputs {} and {} would both be written to {}; clean them into separate \
                 directories",
                first.display(),
                input.display(),
                out.display()
            )));
        }
    }
    if let Some(stats) = &args.stats {
        guard.check_file(stats)?;
        if let Some(input) = seen.get(&dechrome::guard::resolve(stats)) {
            return Err(Error::Usage(format!(
                "output {} is written twice: from input {} and as --stats",
                stats.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

fn process(cleaner: &Cleaner, task: &Task, args: &CleanArgs, guard: &output::OutputGuard) -> Done {
    let display = task.input.display().to_string();
    let mut counts = Counts::default();
    let fail = |e: Error| Done {
        text: None,
        messages: format!("dechrome: error: {e}\n"),
        counts: Counts {
            read: 1,
            failed: 1,
            ..Counts::default()
        },
    };
    let bytes = match input::read_text_limited(&task.input, args.max_file_size) {
        Ok(Some(b)) => b,
        Ok(None) => {
            return Done {
                text: None,
                messages: format!("dechrome: warning: {display}: binary file skipped\n"),
                counts: Counts {
                    binary: 1,
                    ..Counts::default()
                },
            };
        }
        Err(e) => return fail(e),
    };
    let _memory = match super::reserve_memory(&task.input, input::cleaning_cost(&bytes)) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let outcome = cleaner.clean(&bytes);
    let messages = describe(
        &display,
        &bytes,
        &outcome,
        args.explain,
        cleaner.max_removal(),
    );
    counts.add_outcome(&outcome);
    counts.bytes_in = bytes.len() as u64;
    counts.bytes_out = outcome.text.len() as u64;
    match &task.output {
        None => Done {
            text: Some(outcome.text.into_owned()),
            messages,
            counts,
        },
        Some(rel) => match output::write_renamed(
            guard,
            args.output.as_deref().unwrap_or(Path::new("")),
            rel,
            &outcome.text,
        ) {
            Ok(()) => Done {
                text: None,
                messages,
                counts,
            },
            Err(e) => fail(e),
        },
    }
}

fn clean_stdin(cleaner: &Cleaner, args: &CleanArgs) -> Result<Status, Error> {
    let path = Path::new("<stdin>");
    let bytes = input::read_limited(std::io::stdin().lock(), args.max_file_size)
        .map_err(|e| Error::io(path, e))?
        .ok_or_else(|| input::too_large(path, args.max_file_size))?;
    match input::sniff(&bytes) {
        input::Kind::Text => {}
        input::Kind::Binary => {
            return Err(Error::Input {
                path: path.into(),
                message: "binary input (NUL bytes); nothing cleaned".into(),
            });
        }
        input::Kind::Utf16 => {
            return Err(Error::Input {
                path: path.into(),
                message: "UTF-16 text is not supported; convert it to UTF-8 first".into(),
            });
        }
    }
    let _memory = super::reserve_memory(path, input::cleaning_cost(&bytes))?;
    let outcome = cleaner.clean(&bytes);
    eprint!(
        "{}",
        describe(
            "<stdin>",
            &bytes,
            &outcome,
            args.explain,
            cleaner.max_removal()
        )
    );
    let mut out = std::io::stdout().lock();
    out.write_all(&outcome.text)
        .and_then(|_| out.flush())
        .map_err(|e| Error::io("<stdout>", e))?;
    Ok(Status::Ok)
}
