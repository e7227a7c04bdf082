//! Learning chrome from a corpus: lines and sentences that recur across one publisher's documents.
//!
//! Article sentences are unique; chrome repeats. [`learn`] streams a [`Corpus`] twice, grouped by
//! publisher ([`GroupBy`]), and returns [`Learned`]: per group, the recurring [`Finding`]s, which
//! render as a reviewable pattern file ([`Learned::to_toml`]) or a report ([`Learned::report`]).
//!
//! - **Pass 1** counts 64-bit fingerprints of normalised units ([`text::units`]: lines, and the
//!   sentences of multi-sentence lines), each document counting once per unit. Memory is bounded
//!   by lossy counting (Manku and Motwani): every `⌈2 / min_share⌉` documents of a group, entries
//!   too rare to reach `min_share` are dropped, so a group's table holds only what recurs. Every
//!   unit that reaches the thresholds survives, with a count never below its true count minus
//!   `min_share / 2` of the group. With `min_share = 0` nothing is dropped (exact, unbounded).
//! - **Pass 2** recounts exactly, only for the fingerprints that survived, and keeps their texts,
//!   two example document ids, and which candidate lines follow which (the gap between them).
//!
//! A unit is a finding when it recurs in at least `min_docs` documents and `min_share` of its group.
//! Then:
//! - runs of recurring lines that nearly always stand together (each link in at least 90% of the
//!   documents of both lines, blank or letterless lines between them allowed) merge into one
//!   `block` rule from the first line to the last, when both are distinctive markers (at least
//!   [`MARKER_MIN_WORDS`] words, no varying numbers); the lines outside those markers stay line
//!   rules;
//! - lines whose numbers, dates or weekdays vary become regexes, the rest literal phrases;
//! - a unit that already reads like article prose ([`text::reads_like_prose`]: long, ends like a
//!   sentence, mostly lower-case words) is held back unless it recurs in at least `prose_share` of
//!   its group: a quotation repeated by a few articles is not chrome, an appeal on every page is;
//! - a unit the given pattern set (normally the built-in one) already removes is not proposed.

pub mod corpus;
pub mod text;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use rayon::prelude::*;

pub use corpus::{Corpus, CorpusOptions, Doc, GroupBy, url_host};
use text::{FpMap, Kind, Unit};

use crate::error::Error;
use crate::filter::{Cleaner, Verdict};
use crate::patterns::{PatternSet, Scope};
use crate::report::excerpt;

/// How many documents are processed per parallel batch.
const BATCH_DOCS: usize = 512;
/// Batches are also cut at this many bytes of text.
const BATCH_BYTES: usize = 16 << 20;
/// Share of both lines' documents in which a link must hold for two lines to merge into a block.
const LINK_SHARE: f64 = 0.9;

/// Thresholds for [`learn`].
#[derive(Debug, Clone, PartialEq)]
pub struct LearnOptions {
    /// Fewest documents a unit must recur in.
    pub min_docs: u32,
    /// Smallest share of its group's documents a unit must recur in (0 to 1).
    pub min_share: f64,
    /// Smallest share of its group a unit that reads like prose must recur in (0 to 1).
    pub prose_share: f64,
}

impl Default for LearnOptions {
    fn default() -> Self {
        LearnOptions {
            min_docs: 5,
            min_share: 0.2,
            prose_share: 0.5,
        }
    }
}

impl LearnOptions {
    /// The fewest documents a unit must recur in, for a group of `docs` documents.
    pub fn threshold(&self, docs: u32) -> u32 {
        let share = (self.min_share * f64::from(docs) - 1e-9).ceil().max(0.0) as u32;
        self.min_docs.max(share).max(1)
    }
}

/// What a finding matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    /// A literal phrase (normalised text).
    Phrase(String),
    /// A regex, where numbers or dates vary.
    Regex(String),
    /// A block from the line `start` through the line `end`.
    Block {
        /// The first line.
        start: String,
        /// The end marker: the last line, with its closing punctuation.
        end: String,
        /// Every line of the block, as first seen.
        lines: Vec<String>,
        /// Most lines from the start line to the end line.
        max_lines: usize,
    },
}

/// Whether a finding is proposed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Proposed as a rule.
    New,
    /// Reads like article prose and does not recur widely enough: not proposed.
    HeldBack,
    /// Already removed by this rule of the given pattern set: not proposed.
    Covered(String),
}

/// One recurring unit (or run of lines) of a group.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Line, sentence or block.
    pub scope: Scope,
    /// The family guessed from the text.
    pub family: &'static str,
    /// What it matches.
    pub pattern: Pattern,
    /// In how many documents of the group it occurs.
    pub docs: u32,
    /// The ids of the first two documents it occurs in.
    pub examples: Vec<String>,
    /// Proposed, held back or already covered.
    pub status: Status,
}

/// The findings of one publisher group.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupFindings {
    /// The group's name, as read (directory, field value or host).
    pub name: String,
    /// The name as an id part: lower case, `[a-z0-9-]`, unique in the file.
    pub slug: String,
    /// Documents in the group.
    pub documents: u32,
    /// Fewest documents a finding had to recur in.
    pub threshold: u32,
    /// Findings, most frequent first.
    pub findings: Vec<Finding>,
}

impl GroupFindings {
    /// The findings proposed as rules, each with its id `learned.SLUG.N`.
    pub fn rules(&self) -> impl Iterator<Item = (String, &Finding)> {
        self.findings
            .iter()
            .filter(|f| f.status == Status::New)
            .enumerate()
            .map(|(i, f)| (format!("learned.{}.{}", self.slug, i + 1), f))
    }
}

/// The result of [`learn`].
#[derive(Debug, Clone, PartialEq)]
pub struct Learned {
    /// Every group, by name.
    pub groups: Vec<GroupFindings>,
    /// Documents read.
    pub documents: u64,
    /// The thresholds used.
    pub options: LearnOptions,
    /// Files and records skipped while reading, with their reasons.
    pub warnings: Vec<String>,
    /// Most fingerprints held at once by the counting pass, over all groups (its memory use).
    pub peak_fingerprints: usize,
}

/// Pass-1 entry of lossy counting: documents seen since insertion, and the most it may have missed.
#[derive(Debug, Clone, Copy)]
struct Tally {
    count: u32,
    delta: u32,
}

#[derive(Debug, Default)]
struct Pass1Group {
    docs: u32,
    table: FpMap<Tally>,
}

/// Pass-2 record of one candidate unit.
#[derive(Debug, Default)]
struct Cand {
    kind: Option<Kind>,
    key: String,
    display: String,
    raw: String,
    /// The texts of the placeholders of `key`, as first seen.
    slots: Vec<String>,
    /// Which placeholders have been seen with another text.
    slot_varies: Vec<bool>,
    varies: bool,
    docs: u32,
    last_doc: u64,
    examples: Vec<String>,
}

impl Cand {
    fn observe(&mut self, seq: u64, id: &str, u: &Unit) {
        if self.kind.is_none() {
            self.kind = Some(u.kind);
            self.key = u.key.clone();
            self.display = u.display.clone();
            self.raw = u.raw.clone();
            let (_, slots) = text::generalise(&u.display);
            self.slot_varies = vec![false; slots.len()];
            self.slots = slots.into_iter().map(str::to_string).collect();
        } else if self.display != u.display {
            self.varies = true;
            let (_, slots) = text::generalise(&u.display);
            for (i, s) in slots.into_iter().enumerate() {
                if self.slots.get(i).is_some_and(|first| first != s) {
                    self.slot_varies[i] = true;
                }
            }
        }
        if self.last_doc == seq {
            return;
        }
        self.last_doc = seq;
        self.docs += 1;
        if self.examples.len() < 2 {
            self.examples.push(id.to_string());
        }
    }
}

/// Pass-2 record of one candidate line directly followed by another.
#[derive(Debug, Default)]
struct Link {
    docs: u32,
    last_doc: u64,
    max_gap: usize,
    examples: Vec<String>,
}

#[derive(Debug, Default)]
struct Pass2Group {
    docs: u32,
    threshold: u32,
    index: FpMap<usize>,
    cands: Vec<Cand>,
    links: HashMap<(u64, u64), Link>,
}

/// Reads `corpus` in batches and hands each batch to `f`.
fn batches(
    corpus: &Corpus,
    progress: &dyn Fn(u64),
    warn: &mut dyn FnMut(String),
    f: &mut dyn FnMut(Vec<Doc>),
) -> Result<(), Error> {
    let mut batch: Vec<Doc> = Vec::with_capacity(BATCH_DOCS);
    let mut bytes = 0;
    corpus.for_each(progress, warn, &mut |doc| {
        bytes += doc.text.len();
        batch.push(doc);
        if batch.len() >= BATCH_DOCS || bytes >= BATCH_BYTES {
            f(std::mem::take(&mut batch));
            bytes = 0;
        }
        Ok(())
    })?;
    if !batch.is_empty() {
        f(batch);
    }
    Ok(())
}

/// Mines `corpus` for recurring chrome. `covered` is the pattern set whose catches are not
/// proposed again (usually the built-in set); `progress` gets the pass (1 or 2) and the bytes read
/// since its last call.
pub fn learn(
    corpus: &Corpus,
    opts: &LearnOptions,
    covered: Option<&PatternSet>,
    progress: &dyn Fn(u8, u64),
) -> Result<Learned, Error> {
    for (name, v) in [
        ("min_share", opts.min_share),
        ("prose_share", opts.prose_share),
    ] {
        if !(0.0..=1.0).contains(&v) {
            return Err(Error::Usage(format!(
                "{name} must be between 0 and 1, got {v}"
            )));
        }
    }
    let mut warnings = Vec::new();
    // Pass 1: lossy counting of fingerprints per group.
    let width = (opts.min_share > 0.0).then(|| ((2.0 / opts.min_share).ceil() as u32).max(1));
    let mut groups1: BTreeMap<String, Pass1Group> = BTreeMap::new();
    let mut documents = 0u64;
    let (mut held, mut peak) = (0usize, 0usize);
    let no_text = |_: Kind, _: u64| false;
    batches(
        corpus,
        &|n| progress(1, n),
        &mut |w| warnings.push(w),
        &mut |batch| {
            let fps: Vec<Vec<u64>> = batch
                .par_iter()
                .map(|d| {
                    let mut v: Vec<u64> = text::units(&d.text, &no_text)
                        .iter()
                        .map(|u| u.fp)
                        .collect();
                    v.sort_unstable();
                    v.dedup();
                    v
                })
                .collect();
            for (doc, fps) in batch.into_iter().zip(fps) {
                documents += 1;
                let g = match groups1.get_mut(&doc.group) {
                    Some(g) => g,
                    None => groups1.entry(doc.group).or_default(),
                };
                g.docs += 1;
                let n = g.docs;
                let bucket = width.map_or(1, |w| n.div_ceil(w));
                let before = g.table.len();
                for fp in fps {
                    let t = g.table.entry(fp).or_insert(Tally {
                        count: 0,
                        delta: bucket - 1,
                    });
                    t.count += 1;
                }
                held += g.table.len() - before;
                peak = peak.max(held);
                if let Some(w) = width
                    && n.is_multiple_of(w)
                {
                    let b = n / w;
                    let before = g.table.len();
                    g.table.retain(|_, t| t.count + t.delta > b);
                    held -= before - g.table.len();
                }
            }
        },
    )?;
    // Candidates: every fingerprint that may reach the threshold.
    let mut groups2: BTreeMap<String, Pass2Group> = BTreeMap::new();
    for (name, g) in groups1 {
        let threshold = opts.threshold(g.docs);
        let mut fps: Vec<u64> = g
            .table
            .iter()
            .filter(|(_, t)| t.count + t.delta >= threshold)
            .map(|(&fp, _)| fp)
            .collect();
        fps.sort_unstable();
        let mut p2 = Pass2Group {
            docs: g.docs,
            threshold,
            ..Pass2Group::default()
        };
        for (i, fp) in fps.into_iter().enumerate() {
            p2.index.insert(fp, i);
            p2.cands.push(Cand::default());
        }
        groups2.insert(name, p2);
    }
    // Pass 2: exact counts, texts, examples and links for the candidates only.
    if groups2.values().any(|g| !g.cands.is_empty()) {
        let mut seq = 0u64;
        batches(corpus, &|n| progress(2, n), &mut |_| {}, &mut |batch| {
            let units: Vec<Vec<Unit>> = batch
                .par_iter()
                .map(|d| match groups2.get(&d.group) {
                    Some(g) if !g.cands.is_empty() => {
                        text::units(&d.text, &|_, fp| g.index.contains_key(&fp))
                    }
                    _ => Vec::new(),
                })
                .collect();
            for (doc, units) in batch.iter().zip(units) {
                seq += 1;
                if let Some(g) = groups2.get_mut(&doc.group) {
                    collect(g, seq, &doc.id, &units);
                }
            }
        })?;
    }
    let cleaner = covered.map(|set| Cleaner::new(set.clone()).with_max_removal(1.0));
    let mut groups = Vec::new();
    let mut slugs: HashSet<String> = HashSet::new();
    for (name, g) in groups2 {
        let base = text::slug(&name);
        let mut slug = base.clone();
        let mut k = 1;
        while !slugs.insert(slug.clone()) {
            k += 1;
            slug = format!("{base}-{k}");
        }
        groups.push(GroupFindings {
            findings: findings(&g, opts, cleaner.as_ref()),
            name,
            slug,
            documents: g.docs,
            threshold: g.threshold,
        });
    }
    Ok(Learned {
        groups,
        documents,
        options: opts.clone(),
        warnings,
        peak_fingerprints: peak,
    })
}

/// Records the candidate units of one document.
fn collect(g: &mut Pass2Group, seq: u64, id: &str, units: &[Unit]) {
    let mut prev: Option<(u64, usize)> = None;
    let mut line_is_cand = false;
    for u in units {
        let cand = g.index.get(&u.fp).copied();
        match u.kind {
            Kind::Line => {
                line_is_cand = cand.is_some();
                let Some(ci) = cand else {
                    prev = None;
                    continue;
                };
                g.cands[ci].observe(seq, id, u);
                if let Some((pfp, pline)) = prev
                    && pfp != u.fp
                {
                    let link = g.links.entry((pfp, u.fp)).or_default();
                    link.max_gap = link.max_gap.max(u.line - pline);
                    if link.last_doc != seq {
                        link.last_doc = seq;
                        link.docs += 1;
                        if link.examples.len() < 2 {
                            link.examples.push(id.to_string());
                        }
                    }
                }
                prev = Some((u.fp, u.line));
            }
            Kind::Sentence => {
                // A sentence of a recurring line is counted with its line, not on its own.
                if !line_is_cand && let Some(ci) = cand {
                    g.cands[ci].observe(seq, id, u);
                }
            }
        }
    }
}

/// Fewest words of a line that may be a block marker.
pub const MARKER_MIN_WORDS: usize = 3;

/// Can this line be a block marker? Short lines ("Senate", "Share") begin or occur in too many
/// article lines; as line rules they only ever match a whole line.
fn is_distinctive(display: &str) -> bool {
    display.split_whitespace().count() >= MARKER_MIN_WORDS
}

/// The rule id that already removes this text whole, if any.
fn covered_by(cleaner: Option<&Cleaner>, raw: &str) -> Option<String> {
    let cleaner = cleaner?;
    let out = cleaner.clean(raw.as_bytes());
    (out.verdict == Verdict::Cleaned && out.text.trim_ascii().is_empty()).then(|| {
        out.removals
            .first()
            .map(|r| r.rule.id.clone())
            .unwrap_or_default()
    })
}

fn single(c: &Cand, status: Status) -> Finding {
    let kind = c.kind.unwrap_or(Kind::Line);
    let pattern = if c.varies {
        let fixed: Vec<Option<&str>> = c
            .slots
            .iter()
            .zip(&c.slot_varies)
            .map(|(s, &v)| (!v).then_some(s.as_str()))
            .collect();
        Pattern::Regex(text::key_regex(kind, &c.key, &fixed))
    } else {
        Pattern::Phrase(c.display.clone())
    };
    Finding {
        scope: match kind {
            Kind::Line => Scope::Line,
            Kind::Sentence => Scope::Sentence,
        },
        family: text::guess_family(&c.display),
        pattern,
        docs: c.docs,
        examples: c.examples.clone(),
        status,
    }
}

/// Turns one group's pass-2 records into findings: thresholds, hold-backs, blocks.
fn findings(g: &Pass2Group, opts: &LearnOptions, cleaner: Option<&Cleaner>) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut accepted: Vec<usize> = Vec::new();
    for (i, c) in g.cands.iter().enumerate() {
        if c.docs < g.threshold || c.kind.is_none() {
            continue;
        }
        let prose_min = (opts.prose_share * f64::from(g.docs) - 1e-9).ceil() as u32;
        if text::reads_like_prose(&c.raw) && c.docs < prose_min {
            out.push(single(c, Status::HeldBack));
        } else if let Some(id) = covered_by(cleaner, &c.raw) {
            out.push(single(c, Status::Covered(id)));
        } else if c.kind == Some(Kind::Sentence) {
            out.push(single(c, Status::New));
        } else {
            accepted.push(i);
        }
    }
    // Links between accepted lines that nearly always stand together, strongest first.
    let fp_of: HashMap<usize, u64> = g.index.iter().map(|(&fp, &i)| (i, fp)).collect();
    let acc: HashMap<u64, usize> = accepted.iter().map(|&i| (fp_of[&i], i)).collect();
    let mut edges: Vec<(u32, usize, usize, &Link)> = Vec::new();
    for (&(a, b), link) in &g.links {
        let (Some(&ia), Some(&ib)) = (acc.get(&a), acc.get(&b)) else {
            continue;
        };
        let strong = |n: u32| f64::from(link.docs) >= LINK_SHARE * f64::from(n);
        if link.docs >= g.threshold && strong(g.cands[ia].docs) && strong(g.cands[ib].docs) {
            edges.push((link.docs, ia, ib, link));
        }
    }
    let key = |i: usize| (&g.cands[i].key, g.cands[i].kind);
    edges.sort_by(|x, y| {
        y.0.cmp(&x.0)
            .then_with(|| key(x.1).cmp(&key(y.1)))
            .then_with(|| key(x.2).cmp(&key(y.2)))
    });
    let mut next: HashMap<usize, (usize, &Link)> = HashMap::new();
    let mut prev: HashMap<usize, usize> = HashMap::new();
    for (_, a, b, link) in edges {
        if a != b && !next.contains_key(&a) && !prev.contains_key(&b) {
            next.insert(a, (b, link));
            prev.insert(b, a);
        }
    }
    let mut done: HashSet<usize> = HashSet::new();
    accepted.sort_by(|&x, &y| key(x).cmp(&key(y)));
    for &head in &accepted {
        if prev.contains_key(&head) || !next.contains_key(&head) {
            continue;
        }
        let mut chain = vec![head];
        done.insert(head);
        let mut at = head;
        while let Some(&(b, _)) = next.get(&at) {
            if !done.insert(b) {
                break;
            }
            chain.push(b);
            at = b;
        }
        // A block's start marker fires on any line it begins and its end marker anywhere after:
        // markers must be literal and distinctive. Other end lines stay line rules.
        let marker = |i: usize| !g.cands[i].varies && is_distinctive(&g.cands[i].display);
        let mut lo = 0;
        let mut hi = chain.len();
        while lo < hi && !marker(chain[lo]) {
            lo += 1;
        }
        while hi > lo && !marker(chain[hi - 1]) {
            hi -= 1;
        }
        for &i in chain[..lo].iter().chain(&chain[hi..]) {
            out.push(single(&g.cands[i], Status::New));
        }
        let run = &chain[lo..hi];
        // The first end hit after the start closes a block: one inside an earlier line would cut
        // it short, so such a run stays line rules.
        let end = run
            .last()
            .map(|&i| text::end_marker(&g.cands[i].raw))
            .unwrap_or_default();
        let cut_short = run[..run.len().saturating_sub(1)]
            .iter()
            .any(|&i| text::end_marker(&g.cands[i].raw).contains(&end));
        if run.len() < 2 || cut_short {
            for &i in run {
                out.push(single(&g.cands[i], Status::New));
            }
            continue;
        }
        let links: Vec<&Link> = run.windows(2).map(|w| next[&w[0]].1).collect();
        let weakest = links
            .iter()
            .min_by_key(|l| l.docs)
            .expect("two lines, one link");
        let lines: Vec<String> = run.iter().map(|&i| g.cands[i].display.clone()).collect();
        out.push(Finding {
            scope: Scope::Block,
            family: text::guess_family(&lines.join("\n")),
            pattern: Pattern::Block {
                start: lines[0].clone(),
                end,
                max_lines: 1 + links.iter().map(|l| l.max_gap).sum::<usize>(),
                lines,
            },
            docs: weakest.docs,
            examples: weakest.examples.clone(),
            status: Status::New,
        });
    }
    for &i in &accepted {
        if !done.contains(&i) {
            out.push(single(&g.cands[i], Status::New));
        }
    }
    out.sort_by(|a, b| {
        b.docs
            .cmp(&a.docs)
            .then(a.scope.cmp(&b.scope))
            .then_with(|| sort_text(&a.pattern).cmp(sort_text(&b.pattern)))
    });
    out
}

fn sort_text(p: &Pattern) -> &str {
    match p {
        Pattern::Phrase(s) | Pattern::Regex(s) => s,
        Pattern::Block { start, .. } => start,
    }
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Text safe for a TOML comment: no control characters.
fn comment_text(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

impl Learned {
    /// Number of rules proposed.
    pub fn rule_count(&self) -> usize {
        self.groups.iter().map(|g| g.rules().count()).sum()
    }

    /// Number of findings with the given status kind (`New`, `HeldBack`, or any `Covered`).
    pub fn count(&self, f: impl Fn(&Status) -> bool) -> usize {
        self.groups
            .iter()
            .flat_map(|g| &g.findings)
            .filter(|x| f(&x.status))
            .count()
    }

    /// The proposed rules as a dechrome pattern file, with a comment on each rule giving its count,
    /// share and two example documents. The same corpus and options give the same text.
    pub fn to_toml(&self) -> String {
        let o = &self.options;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "# Learned by `dechrome learn` from {} documents in {} groups \
             (min_docs = {}, min_share = {}, prose_share = {}): {} rules.",
            self.documents,
            self.groups.len(),
            o.min_docs,
            o.min_share,
            o.prose_share,
            self.rule_count()
        );
        s.push_str(
            "# Review before use: delete rules that match article text and correct guessed\n\
             # families, then clean with `--patterns THIS_FILE`.\n",
        );
        for g in &self.groups {
            let n = g.rules().count();
            if n == 0 {
                continue;
            }
            let _ = writeln!(
                s,
                "\n# Group {}: {} documents, {} rules (each recurs in at least {} documents).",
                comment_text(&quote(&g.name)),
                g.documents,
                n,
                g.threshold
            );
            for (id, f) in g.rules() {
                let _ = writeln!(
                    s,
                    "\n# In {} of {} documents ({:.1}%); e.g. {}",
                    f.docs,
                    g.documents,
                    100.0 * f64::from(f.docs) / f64::from(g.documents.max(1)),
                    comment_text(&f.examples.join(", "))
                );
                let _ = writeln!(s, "[[rule]]\nid = {}", quote(&id));
                let _ = writeln!(s, "family = {}", quote(f.family));
                let _ = writeln!(s, "scope = {}", quote(f.scope.as_str()));
                let _ = writeln!(s, "publisher = {}", quote(&g.name));
                match &f.pattern {
                    Pattern::Phrase(p) => {
                        let _ = writeln!(s, "phrases = [{}]", quote(p));
                    }
                    Pattern::Regex(r) => {
                        let _ = writeln!(s, "regexes = [{}]", quote(r));
                    }
                    Pattern::Block {
                        start,
                        end,
                        lines,
                        max_lines,
                    } => {
                        let _ = writeln!(s, "start = [{}]", quote(start));
                        let _ = writeln!(s, "end = [{}]", quote(end));
                        let _ = writeln!(s, "max_lines = {max_lines}");
                        s.push_str("# Lines of the block:\n");
                        for l in lines {
                            let _ = writeln!(s, "#   {}", comment_text(l));
                        }
                    }
                }
            }
        }
        s
    }

    /// The top `top` findings of each group, proposed or not, with counts: for review.
    pub fn report(&self, top: usize) -> String {
        let mut s = String::new();
        for g in &self.groups {
            let _ = writeln!(
                s,
                "{}: {} documents, {} rules; findings recur in at least {} documents",
                g.name,
                g.documents,
                g.rules().count(),
                g.threshold
            );
            if g.findings.is_empty() {
                s.push_str("  (none)\n");
                continue;
            }
            let _ = writeln!(
                s,
                "  {:>6} {:>6}  {:<8} {:<14} {:<7} text",
                "docs", "share", "scope", "family", "status"
            );
            for f in g.findings.iter().take(top) {
                let status = match &f.status {
                    Status::New => "new",
                    Status::HeldBack => "prose",
                    Status::Covered(_) => "covered",
                };
                let mut text = match &f.pattern {
                    Pattern::Phrase(p) => excerpt(p.as_bytes()),
                    Pattern::Regex(r) => format!("regex {}", excerpt(r.as_bytes())),
                    Pattern::Block {
                        start, end, lines, ..
                    } => format!(
                        "{} .. {} ({} lines)",
                        excerpt(start.as_bytes()),
                        excerpt(end.as_bytes()),
                        lines.len()
                    ),
                };
                if let Status::Covered(id) = &f.status {
                    let _ = write!(text, " (by {id})");
                }
                let _ = writeln!(
                    s,
                    "  {:>6} {:>5.1}%  {:<8} {:<14} {:<7} {}",
                    f.docs,
                    100.0 * f64::from(f.docs) / f64::from(g.documents.max(1)),
                    f.scope.as_str(),
                    f.family,
                    status,
                    text
                );
            }
            if g.findings.len() > top {
                let _ = writeln!(s, "  ... {} more", g.findings.len() - top);
            }
        }
        s
    }
}

#[cfg(test)]
mod tests;
