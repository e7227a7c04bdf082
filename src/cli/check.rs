//! `dechrome check`: report the chrome `clean` would remove, as a linter does, and optionally fix it.
//!
//! A finding is one removal `clean` would make ([`Outcome::removals`] of a document `clean` would
//! change), so `check` finds something exactly when `clean` (and `--fix`) would change a file. A
//! document the removal guard refuses is reported, but is not a finding: `clean` leaves it as it is.
//! Notices (such as a block with no end marker) are reported as notes, also not findings.
//!
//! Output: the findings, one per line, on stdout (text, JSON lines or GitHub annotations); notes,
//! refusals, warnings and the summary line on stderr (in JSON and GitHub formats notes and
//! refusals are records on stdout too). Exit status: 2 when anything failed, else 1 when there are
//! findings (with `--diff`: a diff), else 0. `--fix` rewrites the files and exits 0 when it fixed
//! everything.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, ValueEnum};
use dechrome::report::{
    self, LineIndex, binary_skipped, excerpt, note_line, refusal, removal_line,
};
use dechrome::{Cleaner, Error, Outcome, Rule, Verdict, input, output};
use rayon::prelude::*;
use serde::Serialize;

use super::common::{
    self, PatternOpts, Status, interrupted, interrupted_error, set_interrupt_handler,
};
use super::files::{self, Input, Selector};

/// How many files are read and checked per parallel batch.
const BATCH: usize = 256;

/// Lines of context around each change in `--diff` output.
const DIFF_CONTEXT: usize = 3;

/// How findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `path:line:col: rule-id: "matched text"`.
    Text,
    /// One JSON object per line.
    Json,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// Arguments of `dechrome check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files or directories to check (default `.`, the current directory); `-` reads stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Print how many findings each rule made instead of the findings.
    #[arg(long)]
    pub statistics: bool,
    /// Remove the findings: rewrite the files in place (atomically, permissions kept).
    #[arg(long, conflicts_with = "diff")]
    pub fix: bool,
    /// With --fix, also rewrite read-only files (their permissions are kept) and files that are
    /// not plain text (YAML, TOML, JSON, markup, data, source code: by extension, or by the first
    /// line of a file without one).
    #[arg(long, requires = "fix")]
    pub force: bool,
    /// Choose the files named on the command line the way files below a directory are chosen
    /// (--glob, default `*.txt`, or the configuration's `include`). The pre-commit hooks use it:
    /// pre-commit names every file of a commit.
    #[arg(long)]
    pub select_named: bool,
    /// Print the unified diff that --fix would apply; write nothing.
    #[arg(long, conflicts_with_all = ["statistics", "format"])]
    pub diff: bool,
    #[command(flatten)]
    pub limits: common::LimitOpts,
    /// Print no summary line.
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub walk: files::WalkOpts,
    #[command(flatten)]
    pub patterns: PatternOpts,
    #[command(flatten)]
    pub publisher: common::PublisherOpts,
}

/// What checking one input produced, kept until it can be printed in input order.
#[derive(Default)]
struct Report {
    /// For stdout: findings (or the diff) and, in JSON and GitHub formats, notes and refusals.
    stdout: Vec<u8>,
    /// For stderr: notes, refusals, warnings, errors, what --fix changed.
    stderr: String,
    /// The rule of each finding.
    rules: Vec<Arc<Rule>>,
    checked: bool,
    refused: bool,
    fixed: bool,
    failed: bool,
    /// Skipped (binary): counted apart from failures, and the run's exit status is 2.
    skipped: bool,
}

/// A finding, a note or a refusal as one JSON line.
#[derive(Serialize)]
struct JsonRecord<'a> {
    kind: &'static str,
    path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    byte_start: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    byte_end: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    family: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    /// Findings: the rules of the removals nested inside this one (reported under it only).
    #[serde(skip_serializing_if = "Option::is_none")]
    inner: Option<Vec<&'a str>>,
}

impl<'a> JsonRecord<'a> {
    fn new(kind: &'static str, path: &'a str) -> Self {
        JsonRecord {
            kind,
            path,
            line: None,
            column: None,
            byte_start: None,
            byte_end: None,
            rule: None,
            family: None,
            scope: None,
            text: None,
            message: None,
            inner: None,
        }
    }

    fn at(mut self, idx: &LineIndex<'_>, start: usize, end: usize, rule: &'a Rule) -> Self {
        let (line, column) = idx.line_col(start);
        self.line = Some(line);
        self.column = Some(column);
        self.byte_start = Some(start);
        self.byte_end = Some(end);
        self.rule = Some(&rule.id);
        self.family = Some(&rule.family);
        self.scope = Some(rule.scope.as_str());
        self
    }

    fn write(&self, out: &mut Vec<u8>) {
        // Serialising plain strings and numbers cannot fail.
        if serde_json::to_writer(&mut *out, self).is_ok() {
            out.push(b'\n');
        }
    }
}

/// Escapes the message of a GitHub workflow command.
fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a GitHub workflow command.
fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// `n thing` or `n things`.
fn count(n: usize, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

/// Describes one checked document in the chosen format.
fn describe(
    path: &str,
    bytes: &[u8],
    outcome: &Outcome<'_>,
    args: &CheckArgs,
    max: f64,
    report: &mut Report,
) {
    let idx = LineIndex::new(bytes);
    // One finding per removed span: nested removals are listed under the outermost.
    let found = if outcome.verdict == Verdict::Cleaned {
        report::findings(&outcome.removals)
    } else {
        Vec::new()
    };
    report.rules = found.iter().map(|f| f.removal.rule.clone()).collect();
    report.refused = outcome.verdict == Verdict::Refused;
    let why = refusal(outcome.verdict, outcome.guarded_share, max).unwrap_or_default();
    let out = &mut report.stdout;
    match args.format {
        Format::Text => {
            if !args.statistics && !args.diff {
                for r in found.iter().map(|f| f.removal) {
                    let (line, col) = idx.line_col(r.range.start);
                    let at = format!("{path}:{line}:{col}");
                    let text = removal_line(&at, r, &bytes[r.range.clone()]);
                    out.extend_from_slice(text.as_bytes());
                    out.push(b'\n');
                }
            }
            for n in &outcome.notices {
                let (line, col) = idx.line_col(n.range.start);
                report.stderr += &note_line(&format!("{path}:{line}:{col}"), n);
                report.stderr.push('\n');
            }
            if report.refused {
                report.stderr += &format!("{path}: {why}\n");
            }
        }
        Format::Json => {
            if !args.statistics {
                for f in &found {
                    let r = f.removal;
                    let mut rec = JsonRecord::new("finding", path).at(
                        &idx,
                        r.range.start,
                        r.range.end,
                        &r.rule,
                    );
                    rec.text = Some(String::from_utf8_lossy(&bytes[r.range.clone()]).into_owned());
                    rec.inner = Some(f.inner.iter().map(|r| r.id.as_str()).collect());
                    rec.write(out);
                }
            }
            for n in &outcome.notices {
                let mut rec =
                    JsonRecord::new("note", path).at(&idx, n.range.start, n.range.end, &n.rule);
                rec.message = Some(n.message.clone());
                rec.write(out);
            }
            if report.refused {
                let mut rec = JsonRecord::new("refused", path);
                rec.message = Some(why);
                rec.write(out);
            }
        }
        Format::Github => {
            let file = gh_property(path);
            if !args.statistics {
                for r in found.iter().map(|f| f.removal) {
                    let (line, col) = idx.line_col(r.range.start);
                    let (end_line, _) =
                        idx.line_col(r.range.end.saturating_sub(1).max(r.range.start));
                    let title = gh_property(&format!("dechrome {}", r.rule.id));
                    let text = gh_data(&excerpt(&bytes[r.range.clone()]));
                    out.extend_from_slice(
                        format!("::error file={file},line={line},col={col},endLine={end_line},title={title}::{text}\n")
                            .as_bytes(),
                    );
                }
            }
            for n in &outcome.notices {
                let (line, col) = idx.line_col(n.range.start);
                let title = gh_property(&format!("dechrome {}", n.rule.id));
                out.extend_from_slice(
                    format!(
                        "::notice file={file},line={line},col={col},title={title}::{}\n",
                        gh_data(&n.message)
                    )
                    .as_bytes(),
                );
            }
            if report.refused {
                out.extend_from_slice(
                    format!("::warning file={file},title=dechrome::{}\n", gh_data(&why)).as_bytes(),
                );
            }
        }
    }
}

/// Writes the unified diff from `old` to `new`, both named `path`. Lines are split at `\n` only,
/// as `patch` and `git apply` split them: a lone `\r` stays inside its line (splitting there too
/// would print `P\r\r\n` as two lines that `patch` reads back as one).
fn diff(path: &str, old: &[u8], new: &[u8], out: &mut Vec<u8>) {
    let old: Vec<&[u8]> = old.split_inclusive(|&c| c == b'\n').collect();
    let new: Vec<&[u8]> = new.split_inclusive(|&c| c == b'\n').collect();
    let diff = similar::TextDiffConfig::default().diff_slices(&old, &new);
    let mut unified = diff.unified_diff();
    unified.context_radius(DIFF_CONTEXT);
    let mut hunks = unified.iter_hunks().peekable();
    if hunks.peek().is_none() {
        return;
    }
    // git's a/ and b/ prefixes, so that `git apply` and `patch -p1` take the diff as it is.
    out.extend_from_slice(format!("--- a/{path}\n+++ b/{path}\n").as_bytes());
    for hunk in hunks {
        out.extend_from_slice(format!("{}\n", hunk.header()).as_bytes());
        for change in hunk.iter_changes() {
            out.extend_from_slice(change.tag().to_string().as_bytes());
            out.extend_from_slice(change.value());
            if !change.value().ends_with(b"\n") {
                out.extend_from_slice(b"\n\\ No newline at end of file\n");
            }
        }
    }
}

/// Checks one document (already read) and, with `--fix`, rewrites its file.
fn check_bytes(
    cleaner: &Cleaner,
    args: &CheckArgs,
    path: Option<(&Path, &output::Stamp)>,
    display: &str,
    doc: &input::Document,
) -> Report {
    let bytes = doc.bytes.as_slice();
    let _memory = match common::reserve_memory(Path::new(display), input::cleaning_cost(bytes)) {
        Ok(r) => r,
        Err(e) => {
            return Report {
                stderr: format!("dechrome: error: {e}\n"),
                failed: true,
                ..Report::default()
            };
        }
    };
    let mut report = Report {
        checked: true,
        ..Report::default()
    };
    let outcome = cleaner.clean(bytes);
    describe(
        display,
        bytes,
        &outcome,
        args,
        cleaner.max_removal(),
        &mut report,
    );
    if outcome.verdict != Verdict::Cleaned {
        return report;
    }
    if args.diff {
        diff(display, bytes, &outcome.text, &mut report.stdout);
    }
    if args.fix
        && let Some((path, stamp)) = path
    {
        if let Some(kind) = input::structured_kind(path, bytes)
            && !args.force
        {
            report.failed = true;
            report.stderr += &format!(
                "dechrome: error: {display}: {kind}, not plain text; left unchanged (--force \
                 rewrites it)\n"
            );
            return report;
        }
        if stamp.read_only && !args.force {
            report.failed = true;
            report.stderr += &format!(
                "dechrome: error: {display}: read-only; left unchanged (--force rewrites it)\n"
            );
            return report;
        }
        if stamp.links > 1 {
            report.stderr += &format!(
                "dechrome: warning: {display} has {} hard links; fixed this name only, the other \
                 names keep the old text\n",
                stamp.links
            );
        }
        // A compressed file is rewritten compressed the same way.
        match input::compress(&outcome.text, doc.compression)
            .map_err(|e| Error::io(path, e))
            .and_then(|b| output::replace_in_place(path, &b, stamp))
        {
            Ok(()) => {
                report.fixed = true;
                report.stderr += &format!(
                    "dechrome: fixed {display} ({} removed)\n",
                    count(report.rules.len(), "finding")
                );
            }
            Err(e) => {
                report.failed = true;
                report.stderr += &format!("dechrome: error: {e}\n");
            }
        }
    }
    report
}

fn check_file(cleaner: &Cleaner, args: &CheckArgs, path: &Path) -> Report {
    let display = path.display().to_string();
    if interrupted() {
        // Ctrl-C: the files not yet started are left as they are.
        return Report::default();
    }
    match input::read_file_stamped(path, args.limits.max_file_size) {
        Ok(Some((doc, stamp))) => check_bytes(cleaner, args, Some((path, &stamp)), &display, &doc),
        // Skipped, and the run fails (exit 2): a file left unchecked never passes.
        Ok(None) => Report {
            stderr: format!("dechrome: warning: {}\n", binary_skipped(&display)),
            skipped: true,
            ..Report::default()
        },
        Err(e) => Report {
            stderr: format!("dechrome: error: {e}\n"),
            failed: true,
            ..Report::default()
        },
    }
}

fn check_stdin(cleaner: &Cleaner, args: &CheckArgs) -> Report {
    let display = "<stdin>";
    let problem = match input::read_document(
        Path::new(display),
        std::io::stdin(),
        args.limits.max_file_size,
    ) {
        Ok(Some(doc)) => return check_bytes(cleaner, args, None, display, &doc),
        Ok(None) => format!("{display}: binary input (NUL bytes); nothing checked"),
        Err(e) => e.to_string(),
    };
    Report {
        stderr: format!("dechrome: error: {problem}\n"),
        failed: true,
        ..Report::default()
    }
}

/// The `--statistics` table: findings per rule, most first.
fn statistics(counts: &BTreeMap<String, (String, usize)>, format: Format) -> Vec<u8> {
    let mut rows: Vec<(&String, &String, usize)> =
        counts.iter().map(|(id, (fam, n))| (id, fam, *n)).collect();
    rows.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(b.0)));
    let mut out = Vec::new();
    let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    for (id, family, n) in rows {
        if format == Format::Json {
            let line = serde_json::json!({ "rule": id, "family": family, "count": n });
            out.extend_from_slice(format!("{line}\n").as_bytes());
        } else {
            out.extend_from_slice(format!("{n:>5}  {id:<width$}  {family}\n").as_bytes());
        }
    }
    out
}

/// Runs `dechrome check`.
pub fn run(args: &CheckArgs) -> Result<Status, Error> {
    if args.limits.jobs == Some(0) {
        return Err(Error::Usage("--jobs must be at least 1".into()));
    }
    if args.fix && args.paths.iter().any(|p| p.as_os_str() == "-") {
        return Err(Error::Usage(
            "--fix cannot rewrite standard input; use `dechrome clean` in a pipe".into(),
        ));
    }
    common::set_memory_budget(args.limits.max_memory);
    if args.fix {
        // Ctrl-C stops the run between files: no file is left half-written, no temporary remains.
        set_interrupt_handler();
    }
    let config = args.patterns.config()?;
    let max = common::max_removal(args.limits.max_removal, config.as_ref())?;
    let set = args.patterns.build_with(config.as_ref())?;
    let cleaner = common::cleaner(set, max, &args.publisher, config.as_ref())?
        .with_model(args.patterns.line_model(config.as_ref())?);
    let select = Selector::from_opts(&args.walk, config.as_ref())?;
    let paths: Vec<PathBuf> = if args.select_named {
        args.paths
            .iter()
            .filter(|p| p.as_os_str() == "-" || p.is_dir() || select.walked(p, p))
            .cloned()
            .collect()
    } else if args.paths.is_empty() {
        // As rg and ruff do, no path means the current directory.
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let files::Expanded {
        inputs,
        errors,
        mut warnings,
        walks,
    } = files::expand(&paths, &select);
    let unmatched = select.nothing_matched(&walks);
    warnings.push_str(unmatched.as_deref().unwrap_or(""));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.limits.jobs.unwrap_or(0))
        .build()
        .map_err(|e| Error::Usage(format!("cannot start worker threads: {e}")))?;

    let mut failed = errors.len();
    let mut skipped = 0;
    eprint!("{warnings}");
    for e in &errors {
        eprintln!("dechrome: error: {e}");
    }
    let (mut checked, mut refused, mut fixed, mut with_findings, mut changed) = (0, 0, 0, 0, false);
    let mut per_rule: BTreeMap<String, (String, usize)> = BTreeMap::new();
    let stdout = std::io::stdout();
    for batch in inputs.chunks(BATCH) {
        let reports: Vec<Report> = pool.install(|| {
            batch
                .par_iter()
                .map(|i| match i {
                    Input::Stdin => check_stdin(&cleaner, args),
                    Input::File(p) => check_file(&cleaner, args, p),
                })
                .collect()
        });
        let mut out = stdout.lock();
        for r in reports {
            out.write_all(&r.stdout)
                .map_err(|e| Error::io("<stdout>", e))?;
            eprint!("{}", r.stderr);
            checked += usize::from(r.checked);
            refused += usize::from(r.refused);
            fixed += usize::from(r.fixed);
            failed += usize::from(r.failed);
            skipped += usize::from(r.skipped);
            if !r.rules.is_empty() {
                with_findings += 1;
                changed |= !r.fixed;
            }
            for rule in &r.rules {
                per_rule
                    .entry(rule.id.clone())
                    .or_insert_with(|| (rule.family.clone(), 0))
                    .1 += 1;
            }
        }
        out.flush().map_err(|e| Error::io("<stdout>", e))?;
        if interrupted() {
            return Err(interrupted_error());
        }
    }
    let findings: usize = per_rule.values().map(|v| v.1).sum();
    if args.statistics {
        let mut out = stdout.lock();
        out.write_all(&statistics(&per_rule, args.format))
            .and_then(|_| out.flush())
            .map_err(|e| Error::io("<stdout>", e))?;
    }
    if !args.quiet {
        let mut summary = format!("dechrome: checked {}: ", count(checked, "file"));
        if findings == 0 {
            summary += "no findings";
        } else {
            summary += &format!(
                "{} in {}",
                count(findings, "finding"),
                count(with_findings, "file")
            );
        }
        if args.fix {
            summary += &format!(", fixed {}", count(fixed, "file"));
        }
        if refused > 0 {
            summary += &format!(", {refused} refused");
        }
        if failed > 0 {
            summary += &format!(", {failed} failed");
        }
        if skipped > 0 {
            summary += &format!(", {skipped} skipped");
        }
        eprintln!("{summary}");
    }
    Ok(if failed > 0 || skipped > 0 {
        Status::Error
    } else if changed || unmatched.is_some() {
        Status::Findings
    } else {
        Status::Ok
    })
}
