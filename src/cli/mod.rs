//! Command-line interface: argument parsing and the subcommands.
//!
//! Exit codes: 0 success, 1 findings (`check`), 2 errors. A broken pipe ends the run quietly.

mod check;
mod clean;
mod files;
mod jsonl_run;
mod learn;
mod patterns_cmd;
mod summary;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use dechrome::{Config, Error, PatternSet, PatternSetBuilder};

/// Strip publisher chrome (appeals, share bars, newsletter prompts, comment prompts, credits,
/// footers) from plain-text articles.
#[derive(Parser, Debug)]
#[command(name = "dechrome", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Clean documents: stdin to stdout, files to stdout, or trees mirrored into -o OUTDIR.
    Clean(clean::CleanArgs),
    /// Report the chrome `clean` would remove, as a linter does (exit 1 when there is any);
    /// `--fix` removes it in place.
    Check(check::CheckArgs),
    /// Mine a corpus for each publisher's recurring chrome and write it as a pattern file.
    Learn(learn::LearnArgs),
    /// Inspect the pattern set.
    #[command(subcommand)]
    Patterns(patterns_cmd::PatternsCommand),
}

/// The memory budget of the run's cleaning workers (see [`dechrome::input::MemoryBudget`]).
static BUDGET: std::sync::OnceLock<dechrome::input::MemoryBudget> = std::sync::OnceLock::new();

/// Sets the run's memory budget: `max` bytes, or half the memory available.
fn set_memory_budget(max: Option<u64>) {
    let total = max.unwrap_or_else(dechrome::input::default_memory_budget);
    let _ = BUDGET.set(dechrome::input::MemoryBudget::new(total));
}

/// Reserves the memory cleaning a document of `cost` bytes takes (waiting for other workers to
/// give some back); an error naming `path` when it is more than the whole budget.
fn reserve_memory(
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

/// Is this error a closed pipe on our output (`dechrome clean | head`)?
pub fn is_broken_pipe(e: &Error) -> bool {
    matches!(e, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Parses arguments, runs the command, and turns the result into an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Clean(args) => clean::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Learn(args) => learn::run(&args),
        Command::Patterns(cmd) => patterns_cmd::run(&cmd),
    };
    match result {
        Ok(status) => ExitCode::from(status as u8),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "dechrome: error: {e}");
            ExitCode::from(Status::Error as u8)
        }
    }
}
