//! `dechrome learn`: mine a corpus for its publishers' recurring chrome and write the findings as
//! a pattern file to review (see [`dechrome::learn`]).

use std::path::PathBuf;

use clap::Args;
use dechrome::learn::{
    Corpus, CorpusOptions, GroupBy, LearnOptions, Status as FindingStatus, learn,
};
use dechrome::{Error, output};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::common::{PatternOpts, Status};

/// Most read warnings printed; the rest are counted.
const MAX_WARNINGS: usize = 20;

/// Arguments of `dechrome learn`.
#[derive(Args, Debug)]
pub struct LearnArgs {
    /// Directory trees of text files, or JSONL files (.jsonl, .ndjson; .gz and .zst are decompressed).
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Write the learned pattern file here.
    #[arg(short = 'o', long = "output", value_name = "FILE.toml")]
    pub output: Option<PathBuf>,
    /// How documents are grouped by publisher: `dir` (first directory level under each input),
    /// `field:NAME` (a JSONL field) or `url-host:NAME` (the host of a URL in a JSONL field).
    #[arg(long, value_name = "HOW", default_value = "dir")]
    pub group_by: String,
    /// A line or sentence must recur in at least this many documents of its group.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub min_docs: u32,
    /// It must also recur in at least this share of its group's documents (0 to 1).
    #[arg(long, value_name = "SHARE", default_value_t = 0.2)]
    pub min_share: f64,
    /// Lines that read like article prose must recur in at least this share of their group.
    #[arg(long, value_name = "SHARE", default_value_t = 0.5)]
    pub prose_share: f64,
    /// Which files of a directory are read (default `*.txt`; `*.{jsonl,ndjson}`, compressed too,
    /// with field or url-host grouping).
    #[arg(long, value_name = "GLOB")]
    pub glob: Option<String>,
    /// The JSONL field holding the text.
    #[arg(long, value_name = "NAME", default_value = "text")]
    pub text_field: String,
    /// The JSONL field holding a document id (otherwise FILE:LINE).
    #[arg(long, value_name = "NAME", default_value = "id")]
    pub id_field: String,
    /// Print the top findings of each group with their counts to stdout.
    #[arg(long)]
    pub report: bool,
    /// Findings per group in the report.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub top: usize,
    /// Worker threads (default: all cores).
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Print no progress bar and no summary line.
    #[arg(short, long)]
    pub quiet: bool,
    /// Lines these rules already remove are not proposed (default: the built-in set).
    #[command(flatten)]
    pub patterns: PatternOpts,
}

/// Runs `dechrome learn`.
pub fn run(args: &LearnArgs) -> Result<Status, Error> {
    if args.output.is_none() && !args.report {
        return Err(Error::Usage(
            "learn needs -o FILE.toml, --report, or both".into(),
        ));
    }
    if args.min_docs == 0 {
        return Err(Error::Usage("--min-docs must be at least 1".into()));
    }
    // Refused before the corpus is read, not after minutes of mining.
    let guard = output::OutputGuard::new(&args.paths);
    if let Some(path) = &args.output {
        guard.check_file(path)?;
    }
    for (name, v) in [
        ("--min-share", args.min_share),
        ("--prose-share", args.prose_share),
    ] {
        if !(0.0..=1.0).contains(&v) {
            return Err(Error::Usage(format!(
                "{name} must be between 0 and 1, got {v}"
            )));
        }
    }
    if args.jobs == Some(0) {
        return Err(Error::Usage("--jobs must be at least 1".into()));
    }
    let group_by: GroupBy = args.group_by.parse()?;
    let corpus = Corpus::open(
        &args.paths,
        CorpusOptions {
            group_by,
            glob: args.glob.clone(),
            text_field: args.text_field.clone(),
            id_field: args.id_field.clone(),
        },
    )?;
    let covered = args.patterns.build()?;
    let opts = LearnOptions {
        min_docs: args.min_docs,
        min_share: args.min_share,
        prose_share: args.prose_share,
    };
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::with_draw_target(Some(corpus.total_bytes() * 2), ProgressDrawTarget::stderr())
    };
    bar.set_style(
        ProgressStyle::with_template("learn: pass {msg} [{bar:30}] {bytes}/{total_bytes} ({eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()
        .map_err(|e| Error::Usage(format!("cannot start worker threads: {e}")))?;
    let learned = pool.install(|| {
        learn(&corpus, &opts, Some(&covered), &|pass, n| {
            bar.set_message(format!("{pass}/2"));
            bar.inc(n);
        })
    })?;
    bar.finish_and_clear();
    for w in learned.warnings.iter().take(MAX_WARNINGS) {
        eprintln!("dechrome: warning: {w}");
    }
    if learned.warnings.len() > MAX_WARNINGS {
        eprintln!(
            "dechrome: warning: {} more records or files skipped",
            learned.warnings.len() - MAX_WARNINGS
        );
    }
    if args.report {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        out.write_all(learned.report(args.top).as_bytes())
            .and_then(|_| out.flush())
            .map_err(|e| Error::io("<stdout>", e))?;
    }
    if let Some(path) = &args.output {
        output::write_atomic(&guard, path, learned.to_toml().as_bytes())?;
    }
    if !args.quiet {
        eprintln!(
            "dechrome: {} documents in {} groups: {} rules{}, {} held back as prose, {} already covered",
            learned.documents,
            learned.groups.len(),
            learned.rule_count(),
            args.output
                .as_ref()
                .map(|p| format!(" written to {}", p.display()))
                .unwrap_or_default(),
            learned.count(|s| *s == FindingStatus::HeldBack),
            learned.count(|s| matches!(s, FindingStatus::Covered(_))),
        );
    }
    // A skipped file or record is data the rules were not learned from: the run says so in its
    // exit status, even though the file it wrote is valid.
    Ok(if learned.warnings.is_empty() {
        Status::Ok
    } else {
        Status::Error
    })
}
