//! Command-line interface: argument parsing and the subcommands.
//!
//! Exit codes: 0 success, 1 findings (`check`), 2 errors. A broken pipe ends the run quietly.

mod clean;
mod patterns_cmd;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use dechrome::{Error, PatternSet, PatternSetBuilder};

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
    /// Inspect the pattern set.
    #[command(subcommand)]
    Patterns(patterns_cmd::PatternsCommand),
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
}

impl PatternOpts {
    /// Builds the pattern set these options describe.
    pub fn build(&self) -> Result<PatternSet, Error> {
        let mut b = PatternSetBuilder::new();
        if !self.no_default_patterns {
            b = b.builtin();
        }
        for p in &self.patterns {
            b = b.add_path(p)?;
        }
        for d in &self.disable {
            b = b.disable(d.clone());
        }
        Ok(b.build()?)
    }
}

/// Exit status of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Everything went well.
    Ok = 0,
    /// Findings were reported (`check`).
    #[allow(dead_code)]
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
