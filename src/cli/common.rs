//! What the subcommands share, so that none of them uses another (and none uses the module that
//! dispatches to them): the pattern options, the removal guard's setting, the exit status, the
//! memory budget, the interrupt flag, and `clean`'s arguments (which `--jsonl` runs read too).

use std::path::PathBuf;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

use clap::Args;
use dechrome::{Config, Error, PatternSet, PatternSetBuilder, input};

/// The memory budget of the run's cleaning workers (see [`dechrome::input::MemoryBudget`]).
static BUDGET: std::sync::OnceLock<dechrome::input::MemoryBudget> = std::sync::OnceLock::new();

/// Sets the run's memory budget: `max` bytes, or half the memory available.
pub fn set_memory_budget(max: Option<u64>) {
    let total = max.unwrap_or_else(dechrome::input::default_memory_budget);
    let _ = BUDGET.set(dechrome::input::MemoryBudget::new(total));
}

/// Reserves the memory cleaning a document of `cost` bytes takes (waiting for other workers to
/// give some back); an error naming `path` when it is more than the whole budget.
pub fn reserve_memory(
    path: &std::path::Path,
    cost: u64,
) -> Result<dechrome::input::Reservation<'static>, Error> {
    let budget = BUDGET.get_or_init(|| {
        dechrome::input::MemoryBudget::new(dechrome::input::default_memory_budget())
    });
    budget
        .reserve(cost)
        .ok_or_else(|| dechrome::input::too_costly(path, cost, budget.total()))
}

/// Options that choose the pattern set, shared by the subcommands.
#[derive(Args, Debug, Clone, Default)]
pub struct PatternOpts {
    /// Add rules from a pattern file or a directory of `*.toml` files (repeatable).
    #[arg(long = "patterns", value_name = "PATH")]
    pub patterns: Vec<PathBuf>,
    /// Do not use the built-in pattern set.
    #[arg(long)]
    pub no_default_patterns: bool,
    /// Leave out a rule id, a rule pack (id prefix such as `independent`) or a family (repeatable).
    #[arg(long = "disable", value_name = "NAME")]
    pub disable: Vec<String>,
    /// Read settings from this file instead of the `dechrome.toml` found in the current directory
    /// or its nearest ancestor.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Read no configuration file.
    #[arg(long)]
    pub no_config: bool,
    /// Run the rules alone, whatever the configuration says: no line model after them (the
    /// default; see the README's "Line model").
    #[arg(long, conflicts_with = "model")]
    pub no_model: bool,
    /// Run a line model after the rules: `builtin` (the one embedded in the binary) or a model
    /// file as `dechrome model train` writes it.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
}

impl PatternOpts {
    /// The configuration file these options choose: `--config FILE`, none with `--no-config`, else
    /// the nearest `dechrome.toml` from the current directory up.
    pub fn config(&self) -> Result<Option<Config>, Error> {
        if self.no_config {
            Ok(None)
        } else if let Some(path) = &self.config {
            Config::load(path).map(Some)
        } else {
            let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
            Config::discover(&cwd)
        }
    }

    /// The line model these options choose: `--model`, else none with `--no-model`, else the
    /// configuration's `model`, else [`MODEL_BY_DEFAULT`](dechrome::model::MODEL_BY_DEFAULT).
    pub fn line_model(
        &self,
        config: Option<&Config>,
    ) -> Result<Option<dechrome::model::Model>, Error> {
        use dechrome::config::ModelChoice;
        use dechrome::model::Model;
        let choice = match (&self.model, self.no_model) {
            (Some(p), _) if p.as_os_str() == "builtin" => ModelChoice::Builtin,
            (Some(p), _) => ModelChoice::File(p.clone()),
            (None, true) => ModelChoice::Off,
            (None, false) => match config.and_then(|c| c.model.clone()) {
                Some(c) => c,
                None if dechrome::model::MODEL_BY_DEFAULT => ModelChoice::Builtin,
                None => ModelChoice::Off,
            },
        };
        Ok(match choice {
            ModelChoice::Off => None,
            ModelChoice::Builtin => Some(Model::builtin()),
            ModelChoice::File(p) => Some(Model::load(&p)?),
        })
    }

    /// Builds the pattern set these options describe, reading the configuration file.
    pub fn build(&self) -> Result<PatternSet, Error> {
        self.build_with(self.config()?.as_ref())
    }

    /// Builds the pattern set from a configuration file's settings and these options: the
    /// command line's pattern files come after the file's, and both lists of disabled rules apply.
    pub fn build_with(&self, config: Option<&Config>) -> Result<PatternSet, Error> {
        let mut b = PatternSetBuilder::new();
        if !self.no_default_patterns && !config.is_some_and(|c| c.no_default_patterns) {
            b = b.builtin();
        }
        let from_config = config.map(|c| c.patterns.as_slice()).unwrap_or_default();
        for p in from_config.iter().chain(&self.patterns) {
            b = b.add_path(p)?;
        }
        let disabled = config.map(|c| c.disable.as_slice()).unwrap_or_default();
        for d in disabled.iter().chain(&self.disable) {
            b = b.disable(d.clone());
        }
        Ok(b.build()?)
    }
}

/// The removal guard: the command line's `--max-removal`, else the configuration file's, else the
/// default; refused when outside 0 to 1.
pub fn max_removal(flag: Option<f64>, config: Option<&Config>) -> Result<f64, Error> {
    let share = flag
        .or(config.and_then(|c| c.max_removal))
        .unwrap_or(dechrome::DEFAULT_MAX_REMOVAL);
    if !(0.0..=1.0).contains(&share) {
        return Err(Error::Usage(format!(
            "--max-removal must be between 0 and 1, got {share}"
        )));
    }
    Ok(share)
}

/// Exit status of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Everything went well.
    Ok = 0,
    /// Findings were reported (`check`).
    Findings = 1,
    /// Something failed.
    Error = 2,
}

/// The limits `clean` and `check` share: the removal guard, the file size, the memory budget and
/// the worker threads.
#[derive(Args, Debug, Clone)]
pub struct LimitOpts {
    /// Refuse (leave unchanged, and report) a document when the rules would remove more than this
    /// share of its paragraph text, the lines that read as prose (default 0.8, or the
    /// configuration's `max-removal`).
    #[arg(long, value_name = "SHARE")]
    pub max_removal: Option<f64>,
    /// Skip (and report) a file larger than this, such as 64K, 256M or 2G, instead of reading it;
    /// with clean --jsonl, a record (line) larger than this ends its input with an error.
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
}

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
    /// Print every removal to stderr as `path:line:col: rule-id: "removed text"`.
    #[arg(long)]
    pub explain: bool,
    #[command(flatten)]
    pub limits: LimitOpts,
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
    /// Read WARC or WET files (also chosen by the names .warc, .warc.gz, .warc.wet.gz): clean the
    /// text of conversion records and of text/plain resource and response records, and write
    /// WARC back with only Content-Length and the digests changed.
    #[arg(long, conflicts_with_all = ["jsonl", "parquet"], help_heading = "Corpus formats")]
    pub warc: bool,
    /// With --warc: write the text records as JSON Lines (url, warc_record_id, date and the
    /// --field text) instead of WARC.
    #[arg(long, help_heading = "Corpus formats")]
    pub to_jsonl: bool,
    /// Read Parquet files (also chosen by the name .parquet): clean the --field column and write
    /// Parquet with every other column, the schema, the row groups and the compression kept;
    /// -o FILE.parquet for one input, -o DIR for several.
    #[arg(long, conflicts_with = "jsonl", help_heading = "Corpus formats")]
    pub parquet: bool,
    /// The record field to clean.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "text",
        help_heading = "JSONL"
    )]
    pub field: String,
    /// Name each record's publisher by this string field of the record: a pack name, a publisher
    /// name, a host or a URL (`--publisher-field url`); with --warc a header of the record
    /// (`WARC-Target-URI`), with --parquet a string column. Only the packs it names apply to that
    /// record; a record without the field falls back to --publisher or to signatures, and a value
    /// that names no pack means no pack applies.
    #[arg(long, value_name = "FIELD", help_heading = "JSONL")]
    pub publisher_field: Option<String>,
    /// Add this field to each record: the removals, as objects with rule, family, scope, and start
    /// and end offsets in Unicode characters (scalar values) of the field's decoded string.
    #[arg(long, value_name = "FIELD", help_heading = "JSONL")]
    pub annotate: Option<String>,
    /// With --annotate: tag, do not clean. The text field is written as it came and the
    /// annotation's offsets index it (as corpus taggers do).
    #[arg(long, requires = "annotate", help_heading = "JSONL")]
    pub keep_text: bool,
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
    pub walk: super::files::WalkOpts,
    #[command(flatten)]
    pub patterns: PatternOpts,
    #[command(flatten)]
    pub publisher: PublisherOpts,
}

/// Which publisher's packs apply, for `clean` and `check`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct PublisherOpts {
    /// The publisher of every input: a pack name (`latimes`), a publisher name, a host or a URL.
    /// Only the packs it names apply, whether or not a document carries their signature (default:
    /// the configuration's `publisher`, else each document's signatures choose).
    #[arg(long, value_name = "NAME")]
    pub publisher: Option<String>,
}

/// The cleaner of a run: the pattern set, the removal guard and the publisher (the command line's
/// `--publisher`, else the configuration file's `publisher`), refused when it names no pack.
pub fn cleaner(
    set: dechrome::PatternSet,
    max_removal: f64,
    publisher: &PublisherOpts,
    config: Option<&Config>,
) -> Result<dechrome::Cleaner, Error> {
    let named = publisher
        .publisher
        .as_deref()
        .or(config.and_then(|c| c.publisher.as_deref()));
    dechrome::Cleaner::new(set)
        .with_max_removal(max_removal)
        .with_publisher(named)
}

/// Makes glibc's malloc give freed memory back sooner: blocks of 128 KiB and more get mappings of
/// their own, unmapped when freed, and free memory above 128 KiB at a heap's top is trimmed. By
/// default glibc raises that threshold as large blocks are freed (up to 32 MiB), so the batches,
/// documents and regex caches the workers free stayed in their heaps: peak RSS of `--jsonl -j 2`
/// on 46 MB of real pages fell from 94.5 to 87.5 MB at the same CPU time (benches/README.md).
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets malloc's parameters; it is called first in `main`.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 << 10);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 << 10);
    }
}

/// The signal (SIGINT, SIGTERM) that asked the run to stop, or 0.
static SIGNAL: AtomicI32 = AtomicI32::new(0);

/// How long a stopped run may take to finish cleanly (the file in progress, the summary) before
/// it is ended: its temporary files are removed and it exits all the same.
const GRACE: Duration = Duration::from_secs(2);

/// The write end of the pipe that wakes the watcher of [`set_interrupt_handler`], or -1.
static WAKE: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_signal(sig: libc::c_int) {
    // An atomic store and a write(2) to a pipe: both safe in a signal handler.
    SIGNAL.store(sig, Ordering::Relaxed);
    let fd = WAKE.load(Ordering::Relaxed);
    if fd >= 0 {
        // SAFETY: writes one byte from a live buffer to a descriptor this process owns.
        unsafe {
            libc::write(fd, [0u8].as_ptr().cast(), 1);
        }
    }
}

/// Makes SIGINT (Ctrl-C) and SIGTERM set the flag [`interrupted`] reads: the run stops between
/// files, batches or records and exits with 130 or 143. A watcher ends a run that has not stopped
/// [`GRACE`] later (a long document, a read blocked on a FIFO or a silent pipe): it removes the
/// temporary files in progress, so no partial file is left, and exits with the same status.
/// Installed once; later calls do nothing.
pub fn set_interrupt_handler() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The watcher sleeps in a read of this pipe until a signal arrives (it used to wake every
        // 20 ms to look); without the pipe it looks every 20 ms.
        let mut fds = [-1; 2];
        // SAFETY: pipe2 fills the two descriptors of a live array.
        let piped = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } == 0;
        if piped {
            // The write end never blocks: a handler called after the watcher stopped reading
            // (signals piling up in the grace period) finds the pipe full and moves on.
            // SAFETY: sets a flag on a descriptor pipe2 just made.
            unsafe {
                let flags = libc::fcntl(fds[1], libc::F_GETFL);
                libc::fcntl(fds[1], libc::F_SETFL, flags | libc::O_NONBLOCK);
            }
            WAKE.store(fds[1], Ordering::Relaxed);
        }
        for sig in [libc::SIGINT, libc::SIGTERM] {
            // SAFETY: a plain sigaction with a handler that only stores to an atomic.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as *const () as libc::sighandler_t;
                action.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(sig, &action, std::ptr::null_mut());
            }
        }
        std::thread::spawn(move || {
            while SIGNAL.load(Ordering::Relaxed) == 0 {
                let mut byte = 0u8;
                // SAFETY: reads at most one byte into a live buffer from the pipe's read end.
                let read = piped && unsafe { libc::read(fds[0], (&raw mut byte).cast(), 1) } >= 0;
                if !read {
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            std::thread::sleep(GRACE);
            let _held = dechrome::output::remove_temporaries();
            eprintln!("dechrome: error: {}", interrupted_error());
            std::process::exit(exit_status().unwrap_or(130).into());
        });
    });
}

/// Has the run been asked to stop (SIGINT, SIGTERM)?
pub fn interrupted() -> bool {
    SIGNAL.load(Ordering::Relaxed) != 0
}

/// The exit status of a run stopped by a signal: 128 plus its number (130 SIGINT, 143 SIGTERM).
pub fn exit_status() -> Option<u8> {
    match SIGNAL.load(Ordering::Relaxed) {
        0 => None,
        sig => Some((128 + sig).min(255) as u8),
    }
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
