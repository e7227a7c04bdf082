//! `dechrome clean`: stdin to stdout, files to stdout, or files and trees mirrored into an output
//! directory, in parallel batches written in input order.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use dechrome::report::{LineIndex, excerpt};
use dechrome::{Cleaner, Error, Outcome, Verdict, input, output};
use rayon::prelude::*;

use super::{PatternOpts, Status};

/// How many files are read, cleaned and written per parallel batch.
const BATCH: usize = 256;

/// Arguments of `dechrome clean`.
#[derive(Args, Debug)]
pub struct CleanArgs {
    /// Files or directories to clean; none (or `-`) reads stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Mirror the inputs into this directory instead of writing to stdout.
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
    /// share of its characters (default 0.8, or the configuration's `max-removal`).
    #[arg(long, value_name = "SHARE")]
    pub max_removal: Option<f64>,
    /// Worker threads (default: all cores).
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Print no summary line.
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub patterns: PatternOpts,
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
    verdict: Option<Verdict>,
    failed: bool,
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
    if outcome.verdict == Verdict::Refused {
        out.push_str(&format!(
            "{path}: refused: the rules would remove {:.0}% of the text (limit {:.0}%); left unchanged\n",
            outcome.removed_share * 100.0,
            max * 100.0
        ));
    }
    out
}

fn validate(args: &CleanArgs) -> Result<(), Error> {
    if args.jobs == Some(0) {
        return Err(Error::Usage("--jobs must be at least 1".into()));
    }
    Ok(())
}

/// Runs `dechrome clean`.
pub fn run(args: &CleanArgs) -> Result<Status, Error> {
    validate(args)?;
    let config = args.patterns.config()?;
    let max = super::max_removal(args.max_removal, config.as_ref())?;
    let set = args.patterns.build_with(config.as_ref())?;
    let cleaner = Cleaner::new(set).with_max_removal(max);
    let select = super::files::Selector::new(args.glob.as_deref(), config.as_ref())?;
    let stdin_only =
        args.paths.is_empty() || (args.paths.len() == 1 && args.paths[0] == Path::new("-"));
    if stdin_only && args.output.is_none() {
        return clean_stdin(&cleaner, args);
    }
    let mut status = Status::Ok;
    let mut tasks = Vec::new();
    let mut stderr = String::new();
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
            for p in &args.paths {
                check_not_inside(p, outdir)?;
            }
            for p in &args.paths {
                if p.is_dir() {
                    for entry in walkdir::WalkDir::new(p).sort_by_file_name() {
                        match entry {
                            Ok(e) if e.file_type().is_file() => {
                                let rel = e.path().strip_prefix(p).unwrap_or(e.path());
                                if select.walked(rel, e.path()) {
                                    tasks.push(Task {
                                        output: Some(outdir.join(rel)),
                                        input: e.into_path(),
                                    });
                                }
                            }
                            Ok(_) => {}
                            Err(e) => {
                                let path = e.path().unwrap_or(p).to_path_buf();
                                stderr.push_str(&format!(
                                    "dechrome: error: {}\n",
                                    Error::io(path, e.into())
                                ));
                                status = Status::Error;
                            }
                        }
                    }
                } else {
                    let name = p
                        .file_name()
                        .ok_or_else(|| Error::Usage(format!("{}: not a file name", p.display())))?;
                    tasks.push(Task {
                        output: Some(outdir.join(name)),
                        input: p.clone(),
                    });
                }
            }
        }
    }
    eprint!("{stderr}");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()
        .map_err(|e| Error::Usage(format!("cannot start worker threads: {e}")))?;
    let mut counts = [0usize; 4];
    let stdout = std::io::stdout();
    for batch in tasks.chunks(BATCH) {
        let done: Vec<Done> = pool.install(|| {
            batch
                .par_iter()
                .map(|t| process(&cleaner, t, args))
                .collect()
        });
        let mut out = stdout.lock();
        for d in done {
            if let Some(text) = &d.text {
                out.write_all(text).map_err(|e| Error::io("<stdout>", e))?;
            }
            eprint!("{}", d.messages);
            match (d.failed, d.verdict) {
                (true, _) => {
                    counts[3] += 1;
                    status = Status::Error;
                }
                (false, Some(Verdict::Cleaned)) => counts[0] += 1,
                (false, Some(Verdict::Unchanged)) => counts[1] += 1,
                (false, Some(Verdict::Refused)) => counts[2] += 1,
                (false, None) => {}
            }
        }
        out.flush().map_err(|e| Error::io("<stdout>", e))?;
    }
    if args.output.is_some() && !args.quiet {
        eprintln!(
            "dechrome: {} files: {} cleaned, {} unchanged, {} refused, {} failed",
            counts.iter().sum::<usize>(),
            counts[0],
            counts[1],
            counts[2],
            counts[3]
        );
    }
    Ok(status)
}

fn process(cleaner: &Cleaner, task: &Task, args: &CleanArgs) -> Done {
    let display = task.input.display().to_string();
    let fail = |e: Error| Done {
        text: None,
        messages: format!("dechrome: error: {e}\n"),
        verdict: None,
        failed: true,
    };
    let bytes = match input::read_text(&task.input) {
        Ok(Some(b)) => b,
        Ok(None) => {
            return Done {
                text: None,
                messages: format!("dechrome: warning: {display}: binary file skipped\n"),
                verdict: None,
                failed: false,
            };
        }
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
    let verdict = Some(outcome.verdict);
    match &task.output {
        None => Done {
            text: Some(outcome.text.into_owned()),
            messages,
            verdict,
            failed: false,
        },
        Some(path) => match output::write_atomic(path, &outcome.text, false) {
            Ok(()) => Done {
                text: None,
                messages,
                verdict,
                failed: false,
            },
            Err(e) => fail(e),
        },
    }
}

fn clean_stdin(cleaner: &Cleaner, args: &CleanArgs) -> Result<Status, Error> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("<stdin>", e))?;
    let path = Path::new("<stdin>");
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

/// The absolute form of a path that may not exist yet: its deepest existing ancestor resolved.
fn resolve(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(c) = existing.canonicalize() {
            let mut out = c;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return abs,
        }
    }
}

/// Refuses an output directory inside (or equal to) an input directory, or an input file's own
/// directory when the output would overwrite it.
fn check_not_inside(input: &Path, outdir: &Path) -> Result<(), Error> {
    let inp = resolve(input);
    let out = resolve(outdir);
    if input.is_dir() && out.starts_with(&inp) {
        return Err(Error::Usage(format!(
            "output directory {} is inside input {}; choose a directory outside the input tree",
            outdir.display(),
            input.display()
        )));
    }
    if !input.is_dir() && inp.parent() == Some(out.as_path()) {
        return Err(Error::Usage(format!(
            "output directory {} holds input {}; it would be overwritten",
            outdir.display(),
            input.display()
        )));
    }
    Ok(())
}
