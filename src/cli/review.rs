//! `dechrome review`: one self-contained HTML page showing what the rules remove from a sample of
//! documents (see [`dechrome::review`]), or, with `--compare`/`--compare-disable`, what a change
//! of the rules would change.
//!
//! Every document is read and cleaned, in parallel batches as `clean` does (JSONL through the same
//! reader thread as `clean --jsonl`), and counted in the summary; only the sample is kept for the
//! page. The sample is the `--sample` documents whose names hash lowest under `--seed`, so it does
//! not depend on the number of threads, and a document stays in it when others are added unless
//! they hash lower.

use std::collections::{BTreeMap, BinaryHeap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use clap::Args;
use dechrome::review::{self, DocView, Page, RuleCount, SetCounts, Side, Span, Summary};
use dechrome::{Cleaner, Error, Outcome, Rule, Verdict, input, jsonl, output, report};
use rayon::prelude::*;

use super::common::{
    self, LimitOpts, PatternOpts, Status, interrupted, interrupted_error, set_interrupt_handler,
};
use super::files::{self, Input, WalkOpts};
use super::jsonl_run;
use super::summary::human_bytes;

/// How many files are read and cleaned per parallel batch.
const BATCH: usize = 256;

/// Arguments of `dechrome review`.
#[derive(Args, Debug)]
pub struct ReviewArgs {
    /// Files or directories to review (`-` reads stdin).
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// The HTML file to write.
    #[arg(short = 'o', long = "output", value_name = "FILE", required = true)]
    pub output: PathBuf,
    /// Show at most this many documents: a sample chosen by --seed, the same on every run.
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub sample: usize,
    /// The seed of the sample.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,
    /// Show at most this many characters of a document (the page says where it is cut).
    #[arg(long, value_name = "N", default_value_t = review::DEFAULT_MAX_CHARS)]
    pub max_chars: usize,
    /// Compare with a second rule set: the first one plus the rules in this pattern file or
    /// directory (repeatable).
    #[arg(long = "compare", value_name = "PATH", help_heading = "Comparison")]
    pub compare: Vec<PathBuf>,
    /// Compare with a second rule set: the first one without this rule id, pack or family
    /// (repeatable).
    #[arg(
        long = "compare-disable",
        value_name = "NAME",
        help_heading = "Comparison"
    )]
    pub compare_disable: Vec<String>,
    /// Read JSON Lines: review one string field of each record. Inputs ending in .gz or .zst are
    /// decompressed.
    #[arg(long, help_heading = "JSONL")]
    pub jsonl: bool,
    /// The record field to review.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "text",
        help_heading = "JSONL"
    )]
    pub field: String,
    /// Print no summary line.
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub limits: LimitOpts,
    #[command(flatten)]
    pub walk: WalkOpts,
    #[command(flatten)]
    pub patterns: PatternOpts,
}

/// What the documents are cleaned with.
struct Ctx {
    first: Cleaner,
    second: Option<Cleaner>,
    seed: u64,
    max_chars: usize,
}

/// What one set did with one document.
struct SetResult {
    verdict: Verdict,
    /// The findings of a cleaned document: rule and characters.
    removed: Vec<(Arc<Rule>, u64)>,
    chars_removed: u64,
}

impl SetResult {
    fn of(bytes: &[u8], o: &Outcome<'_>) -> SetResult {
        let cleaned = o.verdict == Verdict::Cleaned;
        SetResult {
            verdict: o.verdict,
            removed: if cleaned {
                report::findings(&o.removals)
                    .iter()
                    .map(|f| {
                        let r = f.removal;
                        (
                            r.rule.clone(),
                            review::char_count(&bytes[r.range.clone()]) as u64,
                        )
                    })
                    .collect()
            } else {
                Vec::new()
            },
            chars_removed: if cleaned {
                (review::char_count(bytes) - review::char_count(&o.text)) as u64
            } else {
                0
            },
        }
    }
}

/// What reviewing one document produced.
struct Reviewed {
    key: u64,
    first: SetResult,
    second: Option<SetResult>,
    /// Spans only in the first set, only in the second, in both.
    sides: [u64; 3],
    differs: bool,
    /// Its view, when it may enter the sample.
    view: Option<DocView>,
}

/// The sample key of a document: a 64-bit hash of the seed and its name.
fn sample_key(seed: u64, name: &str) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325_u64 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for b in name.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    // splitmix64's finaliser, so that names differing in their last byte spread out.
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// The removals a set made (none when it left the document unchanged or refused it).
fn effective<'a>(o: &'a Outcome<'_>) -> &'a [dechrome::Removal] {
    if o.verdict == Verdict::Cleaned {
        &o.removals
    } else {
        &[]
    }
}

/// Cleans one document with each set; its view only when its key is below `threshold`.
fn review_doc(ctx: &Ctx, name: &str, bytes: &[u8], threshold: u64) -> Reviewed {
    let key = sample_key(ctx.seed, name);
    let a = ctx.first.clean(bytes);
    let b = ctx.second.as_ref().map(|c| c.clean(bytes));
    let refusal =
        |o: &Outcome<'_>| report::refusal(o.verdict, o.guarded_share, ctx.first.max_removal());
    let (spans, sides): (Vec<Span>, [u64; 3]) = match &b {
        None => (review::spans(&a.removals), [0; 3]),
        Some(o) => {
            let spans = review::compare_spans(effective(&a), effective(o));
            let n = |side| spans.iter().filter(|s| s.side == side).count() as u64;
            let sides = [n(Side::First), n(Side::Second), n(Side::Both)];
            (spans, sides)
        }
    };
    let differs = b
        .as_ref()
        .is_some_and(|o| sides[0] + sides[1] > 0 || o.verdict != a.verdict);
    let view = (key < threshold).then(|| {
        let mut v = DocView::new(
            name.to_string(),
            bytes,
            spans,
            a.verdict,
            refusal(&a),
            ctx.max_chars,
        );
        v.second = b.as_ref().map(|o| (o.verdict, refusal(o)));
        v
    });
    Reviewed {
        key,
        first: SetResult::of(bytes, &a),
        second: b.as_ref().map(|o| SetResult::of(bytes, o)),
        sides,
        differs,
        view,
    }
}

/// One sampled document, ordered by key (then input order), so the heap's top is the one to drop.
struct Sampled {
    key: u64,
    seq: u64,
    view: DocView,
}

impl PartialEq for Sampled {
    fn eq(&self, o: &Self) -> bool {
        (self.key, self.seq) == (o.key, o.seq)
    }
}
impl Eq for Sampled {}
impl PartialOrd for Sampled {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Sampled {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (self.key, self.seq).cmp(&(o.key, o.seq))
    }
}

/// The run's numbers and its sample, filled in input order.
struct Tally {
    summary: Summary,
    /// Per rule: counts, and characters removed by each set.
    rules: BTreeMap<String, (RuleCount, u64, u64)>,
    sample: BinaryHeap<Sampled>,
    seq: u64,
    cap: usize,
    status: Status,
}

impl Tally {
    /// Keys below this may enter the sample.
    fn threshold(&self) -> u64 {
        if self.sample.len() < self.cap {
            u64::MAX
        } else {
            self.sample.peek().map_or(0, |s| s.key)
        }
    }

    fn fail(&mut self, message: &str) {
        eprint!("{message}");
        self.summary.failed += 1;
        self.status = Status::Error;
    }

    fn add(&mut self, r: Reviewed) {
        let seq = self.seq;
        self.seq += 1;
        let s = &mut self.summary;
        s.documents += 1;
        add_set(&mut s.first, &r.first);
        if let (Some(counts), Some(second)) = (&mut s.second, &r.second) {
            add_set(counts, second);
        }
        for (k, n) in r.sides.iter().enumerate() {
            s.sides[k] += n;
        }
        s.differing += u64::from(r.differs);
        let mut fired: Vec<&str> = Vec::new();
        let sets = std::iter::once((0, &r.first)).chain(r.second.as_ref().map(|x| (1, x)));
        for (set, result) in sets {
            for (rule, chars) in &result.removed {
                let e = self.rules.entry(rule.id.clone()).or_insert_with(|| {
                    (
                        RuleCount {
                            family: rule.family.clone(),
                            ..RuleCount::default()
                        },
                        0,
                        0,
                    )
                });
                if set == 0 {
                    e.0.first += 1;
                    e.1 += chars;
                } else {
                    e.0.second += 1;
                    e.2 += chars;
                }
                if !fired.contains(&rule.id.as_str()) {
                    fired.push(&rule.id);
                    e.0.docs += 1;
                }
            }
        }
        if let Some(view) = r.view
            && self.cap > 0
        {
            let entry = Sampled {
                key: r.key,
                seq,
                view,
            };
            if self.sample.len() < self.cap {
                self.sample.push(entry);
            } else if self.sample.peek().is_some_and(|top| entry < *top) {
                self.sample.pop();
                self.sample.push(entry);
            }
        }
    }

    fn into_page(mut self) -> Page {
        for (id, (mut count, first, second)) in std::mem::take(&mut self.rules) {
            count.chars = first.max(second);
            self.summary.rules.insert(id, count);
        }
        let mut docs: Vec<Sampled> = self.sample.into_vec();
        docs.sort_by_key(|s| s.seq);
        Page {
            summary: self.summary,
            docs: docs.into_iter().map(|s| s.view).collect(),
        }
    }
}

fn add_set(counts: &mut SetCounts, r: &SetResult) {
    match r.verdict {
        Verdict::Cleaned => counts.cleaned += 1,
        Verdict::Unchanged => counts.unchanged += 1,
        Verdict::Refused => counts.refused += 1,
    }
    counts.chars_removed += r.chars_removed;
}

fn validate(args: &ReviewArgs) -> Result<(), Error> {
    if args.limits.jobs == Some(0) {
        return Err(Error::Usage("--jobs must be at least 1".into()));
    }
    if !args.jsonl && args.field != "text" {
        return Err(Error::Usage("--field needs --jsonl".into()));
    }
    if args.output.is_dir() {
        return Err(Error::Usage(format!(
            "-o {} is a directory; name the HTML file to write",
            args.output.display()
        )));
    }
    if args.jsonl
        && let Some(d) = args.paths.iter().find(|p| p.is_dir())
    {
        return Err(Error::Usage(format!(
            "{}: is a directory; --jsonl reads files (or - for stdin)",
            d.display()
        )));
    }
    Ok(())
}

/// The second set's options: the first's, plus `--compare` files, less `--compare-disable` names.
/// A name that leaves out nothing of the first set is refused (a typo would compare a set with
/// itself).
fn second_set(
    args: &ReviewArgs,
    first: &dechrome::PatternSet,
    config: Option<&dechrome::Config>,
) -> Result<Option<Cleaner>, Error> {
    if args.compare.is_empty() && args.compare_disable.is_empty() {
        return Ok(None);
    }
    for name in &args.compare_disable {
        let hits = first.rules().iter().any(|r| {
            r.id == *name
                || r.family == *name
                || (r.id.starts_with(name.as_str()) && r.id[name.len()..].starts_with('.'))
        });
        if !hits {
            return Err(Error::Usage(format!(
                "--compare-disable {name}: no rule, pack or family of that name in the first set"
            )));
        }
    }
    let opts = PatternOpts {
        patterns: args
            .patterns
            .patterns
            .iter()
            .chain(&args.compare)
            .cloned()
            .collect(),
        disable: args
            .patterns
            .disable
            .iter()
            .chain(&args.compare_disable)
            .cloned()
            .collect(),
        ..args.patterns.clone()
    };
    Ok(Some(Cleaner::new(opts.build_with(config)?)))
}

/// Runs `dechrome review`.
pub fn run(args: &ReviewArgs) -> Result<Status, Error> {
    validate(args)?;
    set_interrupt_handler();
    common::set_memory_budget(args.limits.max_memory);
    let start = Instant::now();
    let config = args.patterns.config()?;
    let max = common::max_removal(args.limits.max_removal, config.as_ref())?;
    let set = args.patterns.build_with(config.as_ref())?;
    let second = second_set(args, &set, config.as_ref())?.map(|c| c.with_max_removal(max));
    let guard = output::OutputGuard::new(&args.paths);
    guard.check_file(&args.output)?;
    let mut change: Vec<String> = args
        .compare
        .iter()
        .map(|p| format!("+ {}", p.display()))
        .collect();
    change.extend(args.compare_disable.iter().map(|n| format!("- {n}")));
    let ctx = Ctx {
        first: Cleaner::new(set).with_max_removal(max),
        second,
        seed: args.seed,
        max_chars: args.max_chars,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.limits.jobs.unwrap_or(0))
        .build()
        .map_err(|e| Error::Usage(format!("cannot start worker threads: {e}")))?;
    let mut tally = Tally {
        summary: Summary {
            second: ctx.second.as_ref().map(|_| SetCounts::default()),
            change,
            seed: args.seed,
            sample: args.sample,
            max_chars: args.max_chars,
            max_removal: max,
            ..Summary::default()
        },
        rules: BTreeMap::new(),
        sample: BinaryHeap::new(),
        seq: 0,
        cap: args.sample,
        status: Status::Ok,
    };
    if args.jsonl {
        review_jsonl(args, &ctx, &pool, &mut tally)?;
    } else {
        review_files(args, &ctx, &pool, &mut tally, config.as_ref())?;
    }
    if interrupted() {
        return Err(interrupted_error());
    }
    let status = tally.status;
    let page = tally.into_page();
    let html = review::render(&page);
    output::write_atomic(&guard, &args.output, html.as_bytes())?;
    if !args.quiet {
        let s = &page.summary;
        eprintln!(
            "dechrome: review: {} document{} ({} cleaned, {} unchanged, {} refused), {} shown; \
             wrote {} ({}) in {:.2} s",
            s.documents,
            if s.documents == 1 { "" } else { "s" },
            s.first.cleaned,
            s.first.unchanged,
            s.first.refused,
            page.docs.len(),
            args.output.display(),
            human_bytes(html.len() as u64),
            start.elapsed().as_secs_f64()
        );
    }
    Ok(status)
}

/// Reviews files and trees, in parallel batches.
fn review_files(
    args: &ReviewArgs,
    ctx: &Ctx,
    pool: &rayon::ThreadPool,
    tally: &mut Tally,
    config: Option<&dechrome::Config>,
) -> Result<(), Error> {
    let select = files::Selector::from_opts(&args.walk, config)?;
    let found = files::expand(&args.paths, &select);
    eprint!("{}", found.warnings);
    for e in &found.errors {
        tally.fail(&format!("dechrome: error: {e}\n"));
    }
    if let Some(w) = select.nothing_matched(&found.walks) {
        eprint!("{w}");
    }
    for batch in found.inputs.chunks(BATCH) {
        if interrupted() {
            return Err(interrupted_error());
        }
        let threshold = tally.threshold();
        let done: Vec<Result<Reviewed, String>> = pool.install(|| {
            batch
                .par_iter()
                .map(|i| review_file(args, ctx, i, threshold))
                .collect()
        });
        for d in done {
            match d {
                Ok(r) => tally.add(r),
                Err(message) => tally.fail(&message),
            }
        }
    }
    Ok(())
}

/// Reads and reviews one file (or stdin); the message of a failure or skip.
fn review_file(
    args: &ReviewArgs,
    ctx: &Ctx,
    file: &Input,
    threshold: u64,
) -> Result<Reviewed, String> {
    let (path, read) = match file {
        Input::Stdin => {
            let p = Path::new("<stdin>");
            let read = input::read_document(p, std::io::stdin(), args.limits.max_file_size);
            (p, read)
        }
        Input::File(p) => (p.as_path(), input::read_file(p, args.limits.max_file_size)),
    };
    let name = path.display().to_string();
    let doc = match read {
        Ok(Some(d)) => d,
        Ok(None) => {
            return Err(format!(
                "dechrome: warning: {}\n",
                report::binary_skipped(&name)
            ));
        }
        Err(e) => return Err(format!("dechrome: error: {e}\n")),
    };
    let _memory = common::reserve_memory(path, input::cleaning_cost(&doc.bytes))
        .map_err(|e| format!("dechrome: error: {e}\n"))?;
    Ok(review_doc(ctx, &name, &doc.bytes, threshold))
}

/// Reviews JSONL inputs: `clean --jsonl`'s reader thread sends batches of lines, cleaned here in
/// parallel.
fn review_jsonl(
    args: &ReviewArgs,
    ctx: &Ctx,
    pool: &rayon::ThreadPool,
    tally: &mut Tally,
) -> Result<(), Error> {
    let (tx, rx) = std::sync::mpsc::sync_channel(2);
    let inputs = args.paths.clone();
    let max = args.limits.max_file_size;
    let reader = std::thread::spawn(move || {
        jsonl_run::read_inputs(&inputs, max, Arc::new(AtomicU64::new(0)), tx);
    });
    for read in rx {
        if interrupted() {
            break;
        }
        let batch = match read {
            jsonl_run::Read::Batch(b) => b,
            jsonl_run::Read::Failed(e) => {
                tally.fail(&format!("dechrome: error: {e}\n"));
                continue;
            }
            jsonl_run::Read::Skipped(message) => {
                eprint!("{message}");
                tally.status = Status::Error;
                continue;
            }
        };
        let mut lines = Vec::with_capacity(batch.ends.len());
        let mut from = batch.start;
        for (k, &end) in batch.ends.iter().enumerate() {
            let full = &batch.data[from..end];
            from = end;
            let line_no = batch.first_line + k as u64;
            let line = full.strip_suffix(b"\n").unwrap_or(full);
            let (_, line) = jsonl_run::split_bom(line, line_no);
            lines.push((line, line_no));
        }
        let threshold = tally.threshold();
        let field = args.field.as_str();
        let done: Vec<Option<Result<Reviewed, String>>> = pool.install(|| {
            lines
                .par_iter()
                .map(|&(line, line_no)| {
                    review_record(ctx, &batch.input, line, line_no, field, threshold)
                })
                .collect()
        });
        for d in done.into_iter().flatten() {
            match d {
                Ok(r) => tally.add(r),
                Err(message) => tally.fail(&message),
            }
        }
    }
    let _ = reader.join();
    Ok(())
}

/// Reviews one JSONL record: `None` for a blank line, the message of a malformed record.
fn review_record(
    ctx: &Ctx,
    input: &str,
    line: &[u8],
    line_no: u64,
    field: &str,
    threshold: u64,
) -> Option<Result<Reviewed, String>> {
    if line.iter().all(|b| b.is_ascii_whitespace()) {
        return None;
    }
    let at = jsonl::LineRef {
        input,
        line: line_no,
    };
    let name = at.to_string();
    let located = match jsonl::locate(line, field, None) {
        Ok(l) => l,
        // The error as `clean --jsonl` words it.
        Err(_) => {
            let e = jsonl::clean_record(&ctx.first, line, at, field, None)
                .err()
                .map_or_else(|| "malformed record".to_string(), |e| e.to_string());
            return Some(Err(format!("dechrome: error: {e}\n")));
        }
    };
    let text = located.text.as_bytes();
    let cost = input::cleaning_cost(text);
    Some(
        common::reserve_memory(Path::new(&name), cost)
            .map(|_memory| review_doc(ctx, &name, text, threshold))
            .map_err(|e| format!("dechrome: error: {e}\n")),
    )
}
