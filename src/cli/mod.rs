//! Command-line interface: argument parsing and the subcommands.
//!
//! Exit codes: 0 success, 1 findings (`check`), 2 errors, 130 after SIGINT, 143 after SIGTERM. A
//! broken pipe ends the run quietly.

mod check;
mod clean;
mod common;
mod files;
mod formats;
mod jsonl_run;
mod learn;
mod model_cmd;
mod patterns_cmd;
mod review;
mod summary;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};
use dechrome::Error;

use common::Status;

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
    Clean(common::CleanArgs),
    /// Report the chrome `clean` would remove, as a linter does (exit 1 when there is any);
    /// `--fix` removes it in place.
    Check(check::CheckArgs),
    /// Mine a corpus for each publisher's recurring chrome and write it as a pattern file.
    Learn(learn::LearnArgs),
    /// Write an HTML page that shows what the rules remove from a sample of documents, or what a
    /// change of the rules (--compare, --compare-disable) would change.
    Review(review::ReviewArgs),
    /// Inspect the pattern set.
    #[command(subcommand)]
    Patterns(patterns_cmd::PatternsCommand),
    /// Print a shell completion script to stdout (for example
    /// `dechrome completions bash > ~/.local/share/bash-completion/completions/dechrome`).
    Completions {
        /// The shell: bash, elvish, fish, powershell or zsh.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout (for example `dechrome man > dechrome.1`).
    Man,
    /// Train the line model (for maintainers: `dechrome model train --out FILE DIR...`).
    #[command(subcommand, hide = true)]
    Model(model_cmd::ModelCommand),
}

/// Writes `bytes` to stdout.
fn print_bytes(bytes: &[u8]) -> Result<Status, Error> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|_| out.flush())
        .map_err(|e| Error::io("<stdout>", e))?;
    Ok(Status::Ok)
}

/// Is this error a closed pipe on our output (`dechrome clean | head`)?
pub fn is_broken_pipe(e: &Error) -> bool {
    matches!(e, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Parses arguments, runs the command, and turns the result into an exit code.
pub fn main() -> ExitCode {
    common::tune_allocator();
    let cli = Cli::parse();
    common::set_interrupt_handler();
    let result = match cli.command {
        Command::Clean(args) => clean::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Learn(args) => learn::run(&args),
        Command::Review(args) => review::run(&args),
        Command::Patterns(cmd) => patterns_cmd::run(&cmd),
        Command::Model(cmd) => model_cmd::run(&cmd),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "dechrome", &mut script);
            print_bytes(&script)
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .map_err(|e| Error::io("<stdout>", e))
                .and_then(|()| print_bytes(&page))
        }
    };
    if let Some(status) = common::exit_status() {
        // Stopped by a signal: whatever the run returned, it did not finish its work.
        let _held = dechrome::output::remove_temporaries();
        let _ = writeln!(
            std::io::stderr(),
            "dechrome: error: {}",
            common::interrupted_error()
        );
        return ExitCode::from(status);
    }
    match result {
        Ok(status) => ExitCode::from(status as u8),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "dechrome: error: {e}");
            ExitCode::from(Status::Error as u8)
        }
    }
}
