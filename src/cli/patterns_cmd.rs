//! `dechrome patterns`: list the rules of the set, or show which rules fire on a file.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use dechrome::report::{LineIndex, excerpt};
use dechrome::{Cleaner, Error, input};

use super::common::{PatternOpts, Status};

/// Subcommands of `dechrome patterns`.
#[derive(Subcommand, Debug)]
pub enum PatternsCommand {
    /// List the rules: id, family, publisher, platform, scope, number of patterns.
    List(ListArgs),
    /// Show which rules fire where in a file, and what they would remove.
    Test(TestArgs),
    /// Print every literal phrase of the set (or of the rules `--platform`/`--lang` keep), one per
    /// line (for grep -F -f).
    Phrases(ListArgs),
}

/// Arguments of `patterns list`.
#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only the rules of this platform (`wordpress`, `mediawiki`...; see `patterns/README.md`).
    #[arg(long, value_name = "NAME")]
    pub platform: Option<String>,
    /// Only the rules of this language (`de`, `ja`...).
    #[arg(long, value_name = "CODE")]
    pub lang: Option<String>,
    #[command(flatten)]
    pub patterns: PatternOpts,
}

impl ListArgs {
    /// Whether a rule passes the `--platform` and `--lang` filters (compared case-insensitively).
    fn keeps(&self, r: &dechrome::patterns::Rule) -> bool {
        let is = |want: &Option<String>, have: &Option<String>| match want {
            None => true,
            Some(w) => have.as_deref().is_some_and(|h| h.eq_ignore_ascii_case(w)),
        };
        is(&self.platform, &r.platform) && is(&self.lang, &r.lang)
    }
}

/// Arguments of `patterns test`.
#[derive(Args, Debug)]
pub struct TestArgs {
    /// The file to test (`-` for stdin).
    pub file: PathBuf,
    #[command(flatten)]
    pub patterns: PatternOpts,
}

/// Runs a `patterns` subcommand.
pub fn run(cmd: &PatternsCommand) -> Result<Status, Error> {
    let mut out = std::io::stdout().lock();
    let w = |e: std::io::Error| Error::io("<stdout>", e);
    match cmd {
        PatternsCommand::List(args) => {
            let set = args.patterns.build()?;
            writeln!(
                out,
                "{:<48} {:<15} {:<22} {:<12} {:<9} patterns",
                "id", "family", "publisher", "platform", "scope"
            )
            .map_err(w)?;
            let mut listed = 0;
            for r in set.rules().iter().filter(|r| args.keeps(r)) {
                writeln!(
                    out,
                    "{:<48} {:<15} {:<22} {:<12} {:<9} {}",
                    r.id,
                    r.family,
                    r.publisher.as_deref().unwrap_or("-"),
                    r.platform.as_deref().unwrap_or("-"),
                    r.scope,
                    r.pattern_count()
                )
                .map_err(w)?;
                listed += 1;
            }
            writeln!(out, "{listed} rules").map_err(w)?;
        }
        PatternsCommand::Phrases(args) => {
            let set = args.patterns.build()?;
            let literals = if args.platform.is_none() && args.lang.is_none() {
                set.literals()
            } else {
                let mut v: Vec<String> = set
                    .rules()
                    .iter()
                    .filter(|r| args.keeps(r))
                    .flat_map(|r| r.phrases.iter().chain(&r.start).chain(&r.end))
                    .map(|p| dechrome::normalize::phrase(p))
                    .collect();
                v.sort();
                v.dedup();
                v
            };
            for p in literals {
                writeln!(out, "{p}").map_err(w)?;
            }
        }
        PatternsCommand::Test(args) => {
            let set = args.patterns.build()?;
            let bytes = if args.file.as_os_str() == "-" {
                let mut b = Vec::new();
                std::io::Read::read_to_end(&mut std::io::stdin(), &mut b)
                    .map_err(|e| Error::io("<stdin>", e))?;
                b
            } else {
                input::read_text(&args.file)?.ok_or_else(|| Error::Input {
                    path: args.file.clone(),
                    message: "binary file".into(),
                })?
            };
            let path = args.file.display().to_string();
            let hits = dechrome::detect::detect(&set, &bytes);
            let idx = LineIndex::new(&bytes);
            let cleaner = Cleaner::new(set.clone());
            let outcome = cleaner.clean(&bytes);
            for h in &hits {
                let (line, col) = idx.line_col(h.start);
                let rule = set.rule(h.rule);
                let removed = outcome.removals.iter().any(|r| {
                    r.rule.id == rule.id && r.range.start <= h.start && h.end <= r.range.end
                });
                writeln!(
                    out,
                    "{path}:{line}:{col}: {} ({}, {:?}) matched {}{}",
                    rule.id,
                    rule.scope,
                    h.role,
                    excerpt(&bytes[h.start..h.end]),
                    if removed {
                        ""
                    } else {
                        " -- removes nothing here"
                    }
                )
                .map_err(w)?;
            }
            for r in &outcome.removals {
                let (line, col) = idx.line_col(r.range.start);
                writeln!(
                    out,
                    "{path}:{line}:{col}: {} removes {}",
                    r.rule.id,
                    excerpt(&bytes[r.range.clone()])
                )
                .map_err(w)?;
            }
            writeln!(
                out,
                "{} hits, {} removals, verdict: {} ({:.1}% of characters)",
                hits.len(),
                outcome.removals.len(),
                outcome.verdict.as_str(),
                outcome.removed_share * 100.0
            )
            .map_err(w)?;
        }
    }
    Ok(Status::Ok)
}
