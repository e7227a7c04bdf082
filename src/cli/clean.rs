//! `dechrome clean`: stdin to stdout, files to stdout, or files and trees mirrored into an output
//! directory, in parallel batches written in input order.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use dechrome::report::{self, LineIndex};
use dechrome::{Cleaner, Error, Outcome, input, output};
use rayon::prelude::*;

use super::common::{
    self, CleanArgs, OnError, Status, interrupted, interrupted_error, set_interrupt_handler,
};
use super::files::{self, Walked};
use super::formats;
use super::jsonl_run;
use super::summary::{Counts, Progress};

/// How many files are read, cleaned and written per parallel batch.
const BATCH: usize = 256;

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
        for r in report::findings(&outcome.removals)
            .iter()
            .map(|f| f.removal)
        {
            let (line, col) = idx.line_col(r.range.start);
            let at = format!("{path}:{line}:{col}");
            out.push_str(&report::removal_line(&at, r, &input[r.range.clone()]));
            out.push('\n');
        }
        for n in &outcome.notices {
            let (line, col) = idx.line_col(n.range.start);
            out.push_str(&report::note_line(&format!("{path}:{line}:{col}"), n));
            out.push('\n');
        }
    }
    if let Some(why) = report::refusal(outcome.verdict, outcome.guarded_share, max) {
        out.push_str(&format!("{path}: {why}\n"));
    }
    out
}

/// The container format of a run: `--warc`, `--parquet`, or every input named as one format.
fn container(args: &CleanArgs) -> Option<formats::Container> {
    if args.warc {
        return Some(formats::Container::Warc);
    }
    if args.parquet {
        return Some(formats::Container::Parquet);
    }
    if args.jsonl || args.paths.is_empty() {
        return None;
    }
    let first = formats::Container::of_name(&args.paths[0])?;
    args.paths
        .iter()
        .all(|p| formats::Container::of_name(p) == Some(first))
        .then_some(first)
}

fn validate(args: &CleanArgs) -> Result<(), Error> {
    if args.limits.jobs == Some(0) {
        return Err(Error::Usage("--jobs must be at least 1".into()));
    }
    // A WARC or Parquet file among text inputs would be cleaned as one text document.
    if container(args).is_none()
        && !args.jsonl
        && let Some(p) = args
            .paths
            .iter()
            .find(|p| formats::Container::of_name(p).is_some())
    {
        return Err(Error::Usage(format!(
            "{} is a WARC or Parquet file among other inputs; clean it in a run of its own (or \
             name the format with --warc or --parquet)",
            p.display()
        )));
    }
    if args.to_jsonl && container(args) != Some(formats::Container::Warc) {
        return Err(Error::Usage("--to-jsonl needs --warc".into()));
    }
    if let Some(kind) = container(args) {
        if args.annotate.as_deref() == Some(args.field.as_str()) {
            return Err(Error::Usage(
                "--annotate must name another field than --field".into(),
            ));
        }
        if kind == formats::Container::Warc && args.annotate.is_some() && !args.to_jsonl {
            return Err(Error::Usage(
                "--annotate needs --to-jsonl with --warc (WARC records have no field for it)"
                    .into(),
            ));
        }
        if args.skip_existing || args.compress.is_some() {
            return Err(Error::Usage(
                "--skip-existing and --compress are for --jsonl runs".into(),
            ));
        }
    } else if !args.jsonl {
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
    common::set_memory_budget(args.limits.max_memory);
    let config = args.patterns.config()?;
    let max = common::max_removal(args.limits.max_removal, config.as_ref())?;
    let set = args.patterns.build_with(config.as_ref())?;
    // Never dropped: freeing the pattern set's many small allocations at exit costs more than a
    // tenth of the start-up of a one-line run, and the process ends right after.
    let cleaner = std::mem::ManuallyDrop::new(
        common::cleaner(set, max, &args.publisher, config.as_ref())?
            .with_model(args.patterns.line_model(config.as_ref())?),
    );
    let select = files::Selector::from_opts(&args.walk, config.as_ref())?;
    let stdin_only =
        args.paths.is_empty() || (args.paths.len() == 1 && args.paths[0] == Path::new("-"));
    // Worker threads start only when there is more than one input to share among them: one
    // file is cleaned on this thread (no threads to start, no second allocator arena).
    let new_pool = || {
        rayon::ThreadPoolBuilder::new()
            .num_threads(args.limits.jobs.unwrap_or(0))
            .build()
            .map_err(|e| Error::Usage(format!("cannot start worker threads: {e}")))
    };
    let start = Instant::now();
    if let Some(kind) = container(args) {
        let guard = output::OutputGuard::new(&args.paths);
        check_outputs(args, &guard, &[])?;
        let pool = new_pool()?;
        let (status, counts) = formats::run(args, kind, &cleaner, &pool, &args.paths, &guard)?;
        if args.output.is_some() || args.stats.is_some() {
            finish(args, &guard, &counts, "records", start)?;
        }
        return Ok(status);
    }
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
        if let (Some(o), Some(stats)) = (&args.output, &args.stats) {
            stats_apart_from_records(o, stats)?;
        }
        if let Some(o) = &args.output {
            if jsonl_run::is_file_target(o) {
                guard.check_file(o)?;
            } else {
                guard.check_shard_dir(o, |n| output::shard_number(n).is_some())?;
                not_a_file(
                    o,
                    "name a directory for the shards, or a file ending in .jsonl",
                )?;
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
        let pool = new_pool()?;
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
    let mut walks = files::Walks::default();
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
            not_a_file(outdir, "name a directory to write the cleaned files into")?;
            if args.paths.iter().any(|p| p == Path::new("-")) {
                return Err(Error::Usage(
                    "- (stdin) has no file name to write under -o OUTDIR; clean stdin on its own, \
                     to stdout"
                        .into(),
                ));
            }
            for p in &args.paths {
                if p.is_dir() {
                    walks.dirs += 1;
                    for w in files::walk(p, &select) {
                        match w {
                            Walked::File { path, rel } => {
                                walks.files += 1;
                                tasks.push(Task {
                                    output: Some(rel),
                                    input: path,
                                });
                            }
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
    if let Some(w) = select.nothing_matched(&walks) {
        stderr.push_str(&w);
        status = status.max(Status::Findings);
    }
    let outdir = args.output.as_deref().unwrap_or(Path::new(""));
    // Each output, checked before anything is written, with its resolved path.
    let mut written = Vec::new();
    for t in &tasks {
        if let Some(rel) = &t.output {
            let (out, resolved) = guard.check_below_resolved(outdir, rel, false)?;
            written.push((out, resolved, t.input.as_path()));
        }
    }
    check_outputs(args, &guard, &written)?;
    eprint!("{stderr}");
    if args.skip_existing {
        let before = tasks.len();
        tasks.retain(|t| !t.output.as_ref().is_some_and(|o| outdir.join(o).exists()));
        counts.existing = (before - tasks.len()) as u64;
    }
    let quiet = args.quiet || args.output.is_none();
    // The inputs' sizes are looked up only for a bar that is drawn.
    let total = Progress::shown(quiet).then(|| {
        tasks
            .iter()
            .map(|t| std::fs::metadata(&t.input).map(|m| m.len()).unwrap_or(0))
            .sum()
    });
    let progress = Progress::new(total, quiet);
    let stdout = std::io::stdout();
    let mut pool = None;
    for batch in tasks.chunks(BATCH) {
        if interrupted() {
            progress.finish();
            return Err(interrupted_error());
        }
        // One file, or one worker: cleaned on this thread, with no pool to hand work to.
        let done: Vec<Done> = if batch.len() == 1 || args.limits.jobs == Some(1) {
            batch
                .iter()
                .map(|t| process(&cleaner, t, args, &guard))
                .collect()
        } else {
            if pool.is_none() {
                pool = Some(new_pool()?);
            }
            pool.as_ref().expect("just built").install(|| {
                batch
                    .par_iter()
                    .map(|t| process(&cleaner, t, args, &guard))
                    .collect()
            })
        };
        let mut out = stdout.lock();
        for d in done {
            if let Some(text) = &d.text {
                out.write_all(text).map_err(|e| Error::io("<stdout>", e))?;
            }
            progress.eprint(&d.messages);
            if d.counts.failed > 0 || d.counts.binary > 0 {
                status = Status::Error;
            }
            counts.merge(&d.counts);
        }
        out.flush().map_err(|e| Error::io("<stdout>", e))?;
        progress.update(counts.bytes_in, counts.read);
    }
    progress.finish();
    if interrupted() {
        return Err(interrupted_error());
    }
    if args.output.is_some() {
        finish(args, &guard, &counts, "files", start)?;
    } else if let Some(path) = &args.stats {
        counts.write_json(&guard, path, start.elapsed())?;
    }
    Ok(status)
}

/// Refuses an `-o` that exists and is not a directory, naming it and saying what to name instead.
fn not_a_file(outdir: &Path, advice: &str) -> Result<(), Error> {
    if outdir.exists() && !outdir.is_dir() {
        return Err(Error::Usage(format!(
            "-o {} is a file, not a directory; {advice}",
            outdir.display()
        )));
    }
    Ok(())
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
/// (`written` holds each output file, resolved too, with its input), and a `--stats` file that is an input or
/// one of the outputs. Outputs are compared resolved, so two spellings of one path collide.
/// Refuses a `--stats` file that would replace the records of a `--jsonl` run: the output file
/// itself, or a shard name inside the shard directory.
fn stats_apart_from_records(output: &Path, stats: &Path) -> Result<(), Error> {
    let (out, st) = (
        dechrome::guard::resolve(output),
        dechrome::guard::resolve(stats),
    );
    let clash = if jsonl_run::is_file_target(output) {
        out == st
    } else {
        st.parent() == Some(out.as_path())
            && st
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| output::shard_number(n).is_some())
    };
    if clash {
        return Err(Error::Usage(format!(
            "--stats {} would overwrite the cleaned records in {}; name another file",
            stats.display(),
            output.display()
        )));
    }
    Ok(())
}

fn check_outputs(
    args: &CleanArgs,
    guard: &output::OutputGuard,
    written: &[(PathBuf, PathBuf, &Path)],
) -> Result<(), Error> {
    let mut seen: std::collections::HashMap<&Path, &Path> = std::collections::HashMap::new();
    for (out, resolved, input) in written {
        if let Some(first) = seen.insert(resolved, input) {
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
        if let Some(input) = seen.get(dechrome::guard::resolve(stats).as_path()) {
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
    if interrupted() {
        // Stopped: the files not yet started are left alone.
        return Done {
            text: None,
            messages: String::new(),
            counts: Counts::default(),
        };
    }
    let display = if task.input == Path::new("-") {
        "<stdin>".to_string()
    } else {
        task.input.display().to_string()
    };
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
    // `-` among other inputs is stdin, as when it stands alone.
    let read = if task.input == Path::new("-") {
        input::read_document(
            Path::new("<stdin>"),
            std::io::stdin(),
            args.limits.max_file_size,
        )
    } else {
        input::read_file(&task.input, args.limits.max_file_size)
    };
    let (bytes, compression) = match read {
        Ok(Some(d)) => (d.bytes, d.compression),
        Ok(None) => {
            return Done {
                text: None,
                messages: format!("dechrome: warning: {}\n", report::binary_skipped(&display)),
                counts: Counts {
                    binary: 1,
                    ..Counts::default()
                },
            };
        }
        Err(e) => return fail(e),
    };
    let _memory = match common::reserve_memory(&task.input, input::cleaning_cost(&bytes)) {
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
        // A compressed input is mirrored compressed the same way.
        Some(rel) => match input::compress(&outcome.text, compression)
            .map_err(|e| Error::io(rel, e))
            .and_then(|b| {
                output::write_renamed(
                    guard,
                    args.output.as_deref().unwrap_or(Path::new("")),
                    rel,
                    &b,
                )
            }) {
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
    let bytes = input::read_document(path, std::io::stdin(), args.limits.max_file_size)?
        .ok_or_else(|| Error::Input {
            path: path.into(),
            message: "binary input (NUL bytes); nothing cleaned".into(),
        })?
        .bytes;
    let _memory = common::reserve_memory(path, input::cleaning_cost(&bytes))?;
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
