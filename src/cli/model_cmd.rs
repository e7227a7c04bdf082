//! `dechrome model`: train the line model (see `src/model`).

use std::path::PathBuf;

use clap::{Args, Subcommand};
use dechrome::model::{MIN_LEAF, THRESHOLD, train, train_dirs};
use dechrome::{Cleaner, Error, PatternSet};

use super::common::Status;

/// Subcommands of `dechrome model`.
#[derive(Subcommand, Debug)]
pub enum ModelCommand {
    /// Train the line model on evaluation sets (ID.page.txt / ID.article.txt beside ID.gold.txt)
    /// and write it; the same sets give the same file.
    Train(TrainArgs),
}

/// Arguments of `dechrome model train`.
#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Directories of labelled documents.
    #[arg(value_name = "DIR", required = true)]
    pub dirs: Vec<PathBuf>,
    /// Write the model here (never over or into an input).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Remove a line when its leaf scores at least this.
    #[arg(long, value_name = "SCORE", default_value_t = THRESHOLD)]
    pub threshold: f32,
    /// Fewest training lines in a leaf of the tree.
    #[arg(long, value_name = "N", default_value_t = MIN_LEAF)]
    pub min_leaf: usize,
}

/// Runs `dechrome model`.
pub fn run(cmd: &ModelCommand) -> Result<Status, Error> {
    let ModelCommand::Train(args) = cmd;
    if !(0.0..=1.0).contains(&args.threshold) {
        return Err(Error::Usage(format!(
            "--threshold must be between 0 and 1, got {}",
            args.threshold
        )));
    }
    let guard = dechrome::guard::OutputGuard::new(&args.dirs);
    guard.check_file(&args.out)?;
    // The rules alone pick the candidates: built-in patterns, no model.
    let cleaner = Cleaner::new(PatternSet::builtin()?);
    let set = train_dirs(&cleaner, &args.dirs)?;
    let model = train(&set, args.threshold, args.min_leaf);
    dechrome::output::write_atomic(&guard, &args.out, model.to_toml().as_bytes())?;
    Ok(Status::Ok)
}
