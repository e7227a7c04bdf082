//! The filter: from hits to removals, by scope, with seam repair and the removal guard.
//!
//! [`Cleaner::clean`] runs the whole pipeline on one document: [`detect`](crate::detect::detect)
//! finds hits, each rule's [`Scope`] turns qualifying hits into [`Removal`]s, overlapping removals
//! merge, seams are repaired (no blank-line run or dangling space that a removal created, the
//! presence or absence of a final newline kept), and the guard refuses a document the rules would
//! gut. Every byte not removed is kept as it was.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use crate::detect::{Hit, LineMemo, detect_for_cleaning_with};
use crate::patterns::{PatternSet, Position, Role, Rule, Scope, Unterminated};

/// The default share of a document's paragraph text above which cleaning is refused.
pub const DEFAULT_MAX_REMOVAL: f64 = 0.8;

/// Most detection passes over one document (see [`Cleaner::clean`]).
pub const MAX_PASSES: usize = 8;

/// Longest span, in bytes, that a sentence rule may remove.
const MAX_SENTENCE_BYTES: usize = 400;

/// Cleans documents with one pattern set. Cheap to clone; share it across threads.
#[derive(Debug, Clone)]
pub struct Cleaner {
    set: PatternSet,
    max_removal: f64,
}

/// One removal: which rule removed which bytes of the original document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    /// The rule responsible.
    pub rule: Arc<Rule>,
    /// The bytes it removes, in the original document (seam repairs not included).
    pub range: Range<usize>,
}

/// Something a rule found but did not remove, such as a block with no end marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The rule concerned.
    pub rule: Arc<Rule>,
    /// The bytes that triggered it.
    pub range: Range<usize>,
    /// What happened.
    pub message: String,
}

/// What became of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// No rule removed anything.
    Unchanged,
    /// Chrome was removed.
    Cleaned,
    /// The rules would remove more than the allowed share; the document is returned as it was.
    Refused,
}

impl Verdict {
    /// A lower-case name for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Unchanged => "unchanged",
            Verdict::Cleaned => "cleaned",
            Verdict::Refused => "refused",
        }
    }
}

/// The result of cleaning one document.
#[derive(Debug, Clone)]
pub struct Outcome<'a> {
    /// The cleaned text (the input itself when unchanged or refused).
    pub text: Cow<'a, [u8]>,
    /// Every removal, in document order (also for a refused document: what would have gone).
    pub removals: Vec<Removal>,
    /// Findings that removed nothing.
    pub notices: Vec<Notice>,
    /// Unchanged, cleaned or refused.
    pub verdict: Verdict,
    /// The byte ranges actually deleted from the input: the removals merged, plus seam repairs.
    /// Empty when refused.
    pub deleted: Vec<Range<usize>>,
    /// Share of the document's characters the removals take (0 to 1); for a refused document, the
    /// share they would have taken.
    pub removed_share: f64,
    /// Share of the document's paragraph text the removals take (0 to 1): what the removal guard
    /// weighs (see [`Cleaner::with_max_removal`]).
    pub guarded_share: f64,
}

impl Cleaner {
    /// A cleaner with the default removal guard.
    pub fn new(set: PatternSet) -> Self {
        Cleaner {
            set,
            max_removal: DEFAULT_MAX_REMOVAL,
        }
    }

    /// Sets the largest share of a document's paragraph text that may be removed (0 to 1); above
    /// it the document is refused and left unchanged. Paragraph text is the lines that read as prose
    /// (eight or more words ending like a sentence), or all the text when none does; menus and link
    /// lists do not count, so a page that is mostly navigation may lose all of it. Text after a
    /// comment thread does not count either.
    pub fn with_max_removal(mut self, share: f64) -> Self {
        self.max_removal = share;
        self
    }

    /// The pattern set in use.
    pub fn patterns(&self) -> &PatternSet {
        &self.set
    }

    /// The configured guard.
    pub fn max_removal(&self) -> f64 {
        self.max_removal
    }

    /// Cleans one document.
    ///
    /// A removal can expose more chrome (the next comment line becomes the last one, a line is left
    /// holding only a share label), so detection runs again on its own output until a pass removes
    /// nothing; every range of the outcome is in the coordinates of `text`, and the guard applies
    /// to all passes together. Cleaning is therefore idempotent: cleaning the output again removes
    /// nothing. A document that still changes after [`MAX_PASSES`] passes is refused.
    pub fn clean<'a>(&self, text: &'a [u8]) -> Outcome<'a> {
        let mut memo = LineMemo::default();
        let hits = detect_for_cleaning_with(&self.set, text, &mut memo);
        self.clean_hits_with(text, hits, memo)
    }

    /// Cleans one document given the hits of its first detection pass (from
    /// [`detect`](crate::detect::detect) or [`detect_for_cleaning`]); later passes use
    /// [`detect_for_cleaning`].
    #[cfg(test)]
    pub(crate) fn clean_hits<'a>(&self, text: &'a [u8], hits: Vec<Hit>) -> Outcome<'a> {
        self.clean_hits_with(text, hits, LineMemo::default())
    }

    /// [`Cleaner::clean_hits`] with the line-regex matches of the first pass in `memo`.
    fn clean_hits_with<'a>(
        &self,
        text: &'a [u8],
        hits: Vec<Hit>,
        mut memo: LineMemo,
    ) -> Outcome<'a> {
        let doc = Doc::new(text);
        let (mut removals, mut notices) = self.find_in(&doc, hits);
        if removals.is_empty() {
            return Outcome {
                text: Cow::Borrowed(text),
                removals,
                notices,
                verdict: Verdict::Unchanged,
                deleted: Vec::new(),
                removed_share: 0.0,
                guarded_share: 0.0,
            };
        }
        // `found`: the latest pass's removals, in the coordinates of `current`, the output of the
        // passes before it; `removals` and `deleted` are in the coordinates of `text`.
        let mut found = removals.clone();
        let mut current = Cow::Borrowed(text);
        let mut deleted: Vec<Range<usize>> = Vec::new();
        let mut passes = 1;
        // The guard weighs every pass against the input's prose lines, found once (the first pass
        // has already read them).
        let prose = doc.prose_spans();
        let mut guarded;
        loop {
            guarded = guarded_share(text, &removals, &prose);
            if guarded > self.max_removal {
                return refused(text, removals, notices, guarded);
            }
            let cut = Doc::new(&current).repair_seams(merge(found.iter().map(|r| r.range.clone())));
            let map = OffsetMap::new(&deleted, text.len());
            deleted = merge(deleted.into_iter().chain(cut.iter().map(|r| map.range(r))));
            current = Cow::Owned(delete(&current, &cut));
            let (more, more_notices) = self.find(
                &current,
                detect_for_cleaning_with(&self.set, &current, &mut memo),
            );
            let map = OffsetMap::new(&deleted, text.len());
            for mut n in more_notices {
                n.range = map.range(&n.range);
                if !notices
                    .iter()
                    .any(|m| m.range == n.range && m.rule.id == n.rule.id)
                {
                    notices.push(n);
                }
            }
            if more.is_empty() {
                break;
            }
            let first = map.range(&more[0].range);
            removals.extend(more.iter().map(|r| Removal {
                rule: r.rule.clone(),
                range: map.range(&r.range),
            }));
            removals.sort_by_key(|r| (r.range.start, r.range.end));
            removals.dedup_by(|a, b| a.range == b.range);
            if passes == MAX_PASSES {
                notices.push(Notice {
                    rule: more[0].rule.clone(),
                    range: first,
                    message: format!(
                        "cleaning did not settle after {MAX_PASSES} passes (each removal exposed \
                         more chrome); document left unchanged"
                    ),
                });
                let guarded = guarded_share(text, &removals, &prose);
                return refused(text, removals, notices, guarded);
            }
            passes += 1;
            found = more;
        }
        Outcome {
            text: current,
            verdict: Verdict::Cleaned,
            deleted,
            removed_share: removed_share(text, &removals, text.len()),
            guarded_share: guarded,
            removals,
            notices,
        }
    }

    /// One pass: the removals (sorted, one per span) and notices the hits of `text` lead to.
    fn find(&self, text: &[u8], hits: Vec<Hit>) -> (Vec<Removal>, Vec<Notice>) {
        self.find_in(&Doc::new(text), hits)
    }

    /// [`Cleaner::find`] on a document already split into lines (by no other pass).
    fn find_in(&self, doc: &Doc<'_>, hits: Vec<Hit>) -> (Vec<Removal>, Vec<Notice>) {
        let run_rules = &self.set.inner().run_rules;
        let mut removals = Vec::new();
        let mut notices = Vec::new();
        if hits.is_empty() && run_rules.is_empty() {
            return (removals, notices);
        }
        // Entry lines of each thread rule (`repeats`), gathered before any is judged.
        let mut threads: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        // Section headings, judged once the lines other rules remove are known.
        let mut sections = Vec::new();
        for hit in &hits {
            let rule = self.set.rule(hit.rule);
            let range = match (rule.scope, hit.role) {
                (Scope::Section, Role::Phrase) if rule.repeats > 0 => {
                    let idx = doc.line_index(hit.start);
                    if doc.line_qualifies(hit, &doc.lines[idx], rule) {
                        threads.entry(hit.rule).or_default().push(idx);
                    }
                    None
                }
                (Scope::Line, Role::Phrase) => doc.line_removal(hit, rule),
                (Scope::Sentence, Role::Phrase) => doc.sentence_removal(hit),
                (Scope::Tail, Role::Phrase) => doc.tail_removal(hit, rule),
                (Scope::Section, Role::Phrase) => {
                    sections.push(hit);
                    None
                }
                (Scope::Block, Role::Start) => match doc.block_removal(hit, rule, &hits) {
                    Ok(r) => r,
                    Err(notice) => {
                        notices.push(Notice {
                            rule: rule.clone(),
                            range: hit.start..hit.end,
                            message: notice,
                        });
                        None
                    }
                },
                _ => None,
            };
            if let Some(range) = range {
                removals.push(Removal {
                    rule: rule.clone(),
                    range,
                });
            }
        }
        // The section rules read the lines that line rules remove as blank.
        let mut masked = vec![false; doc.lines.len()];
        for r in removals.iter().filter(|r| r.rule.scope == Scope::Line) {
            let idx = doc.line_index(r.range.start);
            let line = &doc.lines[idx];
            if r.range.start <= doc.trimmed_ws(line).start && r.range.end >= line.content_end {
                masked[idx] = true;
            }
        }
        doc.masked
            .set(masked)
            .expect("each document is judged by one pass");
        for hit in sections {
            let rule = self.set.rule(hit.rule);
            if let Some(range) = doc.section_removal(hit, rule) {
                removals.push(Removal {
                    rule: rule.clone(),
                    range,
                });
            }
        }
        for (i, mut entries) in threads {
            entries.sort_unstable();
            entries.dedup();
            let rule = self.set.rule(i);
            if let Some(range) = doc.thread_removal(&entries, rule) {
                removals.push(Removal {
                    rule: rule.clone(),
                    range,
                });
            }
        }
        // Sections opened by chrome lines: the first line another rule removes as one of the
        // families the section rule names, when all after it reads as a list.
        for &i in &self.set.inner().opened_sections {
            let rule = self.set.rule(i);
            let opened = removals
                .iter()
                .filter(|r| r.rule.scope == Scope::Line && rule.opened_by.contains(&r.rule.family))
                .filter_map(|r| {
                    doc.section_from(
                        doc.line_index(r.range.start),
                        rule.max_prose,
                        rule.interleaved,
                    )
                })
                .min_by_key(|range| range.start);
            if let Some(range) = opened {
                removals.push(Removal {
                    rule: rule.clone(),
                    range,
                });
            }
        }
        for &i in run_rules {
            let rule = self.set.rule(i);
            for range in doc.run_removals(rule) {
                removals.push(Removal {
                    rule: rule.clone(),
                    range,
                });
            }
        }
        removals.sort_by_key(|r| (r.range.start, r.range.end));
        // Several rules often remove the same span (a label in the generic set and in a publisher
        // pack): the removal names the first of them in set order, once.
        removals.dedup_by(|a, b| a.range == b.range);
        (removals, notices)
    }
}

/// Share of the characters of `text[..end]` that the removals take.
fn removed_share(text: &[u8], removals: &[Removal], end: usize) -> f64 {
    let merged = merge(
        removals
            .iter()
            .map(|r| r.range.start.min(end)..r.range.end.min(end))
            .filter(|r| !r.is_empty()),
    );
    merged
        .iter()
        .map(|r| char_count(&text[r.clone()]))
        .sum::<usize>() as f64
        / char_count(&text[..end]).max(1) as f64
}

/// The share the removal guard weighs: that of the paragraph text (the lines that read as prose;
/// menus, link lists and labels do not count, so a page that is mostly navigation is not "gutted"
/// by losing it), or of all the characters when no line reads as prose. Only the text before a
/// comment thread (a `repeats` section, known by its chain of entry lines) counts: a thread may
/// outweigh the article many times over.
/// `prose_lines`: the document's prose lines with their lengths in characters
/// ([`Doc::prose_spans`]).
fn guarded_share(text: &[u8], removals: &[Removal], prose_lines: &[(Range<usize>, usize)]) -> f64 {
    let end = removals
        .iter()
        .filter(|r| r.rule.repeats > 0)
        .map(|r| r.range.start)
        .min()
        .unwrap_or(text.len());
    let merged = merge(removals.iter().map(|r| r.range.clone()));
    let (mut prose, mut removed) = (0, 0);
    let mut next = 0;
    for (span, chars) in prose_lines.iter().take_while(|(span, _)| span.end <= end) {
        let span = span.clone();
        prose += chars;
        while next < merged.len() && merged[next].end <= span.start {
            next += 1;
        }
        for r in merged[next..].iter().take_while(|r| r.start < span.end) {
            let cut = r.start.max(span.start)..r.end.min(span.end);
            removed += char_count(&text[cut]);
        }
    }
    if prose == 0 {
        return removed_share(text, removals, end);
    }
    removed as f64 / prose as f64
}

/// A refused document: returned as it was, with what would have gone and the share the guard
/// weighed.
fn refused(text: &[u8], removals: Vec<Removal>, notices: Vec<Notice>, guarded: f64) -> Outcome<'_> {
    Outcome {
        text: Cow::Borrowed(text),
        removed_share: removed_share(text, &removals, text.len()),
        guarded_share: guarded,
        removals,
        notices,
        verdict: Verdict::Refused,
        deleted: Vec::new(),
    }
}

/// `text` without the (sorted, disjoint) `ranges`.
fn delete(text: &[u8], ranges: &[Range<usize>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut at = 0;
    for r in ranges {
        out.extend_from_slice(&text[at..r.start]);
        at = r.end;
    }
    out.extend_from_slice(&text[at..]);
    out
}

/// Maps offsets of a text with some ranges deleted back to offsets of the original.
struct OffsetMap {
    /// The kept ranges of the original, in order; the shorter text is their concatenation.
    kept: Vec<Range<usize>>,
    /// Where each kept range starts in the shorter text.
    starts: Vec<usize>,
}

impl OffsetMap {
    /// `deleted`: sorted, disjoint ranges of an original of `len` bytes.
    fn new(deleted: &[Range<usize>], len: usize) -> Self {
        let mut kept = Vec::with_capacity(deleted.len() + 1);
        let mut at = 0;
        for r in deleted {
            if r.start > at {
                kept.push(at..r.start);
            }
            at = r.end;
        }
        if at < len {
            kept.push(at..len);
        }
        let mut starts = Vec::with_capacity(kept.len());
        let mut n = 0;
        for k in &kept {
            starts.push(n);
            n += k.len();
        }
        OffsetMap { kept, starts }
    }

    /// The original offset of the byte at `pos` of the shorter text.
    fn byte(&self, pos: usize) -> usize {
        let i = self.starts.partition_point(|&s| s <= pos) - 1;
        self.kept[i].start + (pos - self.starts[i])
    }

    /// The original range from the first to the last byte of `r` (bytes deleted earlier between
    /// them included). An empty range maps to an empty range.
    fn range(&self, r: &Range<usize>) -> Range<usize> {
        if r.is_empty() {
            let len = self
                .starts
                .last()
                .map_or(0, |s| s + self.kept[self.kept.len() - 1].len());
            let at = if r.start < len {
                self.byte(r.start)
            } else {
                self.kept.last().map_or(0, |k| k.end)
            };
            return at..at;
        }
        self.byte(r.start)..self.byte(r.end - 1) + 1
    }
}

/// Sorted, disjoint union of ranges; touching ranges merge.
fn merge(ranges: impl Iterator<Item = Range<usize>>) -> Vec<Range<usize>> {
    let mut v: Vec<Range<usize>> = ranges.filter(|r| !r.is_empty()).collect();
    v.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(v.len());
    for r in v {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// Number of characters (UTF-8 lead bytes and invalid bytes) in `bytes`.
fn char_count(bytes: &[u8]) -> usize {
    // Characters are the bytes that are not UTF-8 continuation bytes (10xxxxxx), eight at a time.
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    let mut continuation = 0;
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        continuation += (w & !(w << 1) & HIGH).count_ones() as usize;
    }
    continuation += chunks
        .remainder()
        .iter()
        .filter(|&&b| (b & 0xC0) == 0x80)
        .count();
    bytes.len() - continuation
}

/// One line: `start..content_end` is its text, `end` is past its terminator.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    content_end: usize,
    end: usize,
}

/// A document split into lines, for scope decisions.
struct Doc<'a> {
    text: &'a [u8],
    lines: Vec<Line>,
    /// Where the first line starts (after a UTF-8 BOM, which is never removed).
    body_start: usize,
    /// Which lines are prose, computed once for the section rules.
    prose: std::cell::OnceCell<ProseIndex>,
    /// Per line, its length in characters if it reads as prose (lines other rules remove
    /// included): shared by the section rules and the removal guard.
    raw_prose: std::cell::OnceCell<Vec<Option<usize>>>,
    /// Lines that other rules remove whole in this pass, set before the section rules run: they
    /// read them as blank (a comment notice or a sign-up message is not article prose).
    masked: std::cell::OnceCell<Vec<bool>>,
}

/// The prose lines of a document, indexed so that a section check costs O(1) per candidate line
/// (a page of a million menu lines must not cost a million scans of itself).
struct ProseIndex {
    /// `before[i]`: prose lines among lines `..i`.
    before: Vec<usize>,
    /// `next[i]`: the first non-blank line at or after `i`, if any.
    next: Vec<Option<usize>>,
    /// Is each line prose?
    is_prose: Vec<bool>,
    /// The last non-blank line.
    last: Option<usize>,
    /// `pair_from[i]`: do two prose lines stand together (blank lines aside) among lines `i..`?
    pair_from: Vec<bool>,
    /// `long_from[i]`: prose lines too long for a teaser among lines `i..`.
    long_from: Vec<usize>,
    /// `chars_before[i]`: characters of the prose lines among lines `..i`.
    chars_before: Vec<usize>,
}

/// The most characters a prose line after a section heading may have to count as a teaser (about
/// forty English words): a longer one is a paragraph of the article, and keeps the section.
const TEASER_CHARS: usize = 250;

/// Words of a line for the structural rules, counted up to `cap` (the callers only compare with a
/// small bound, and paragraphs are long): runs of non-space characters, where each Chinese,
/// Japanese or Korean character counts as a word of its own (those scripts put no spaces between
/// words).
fn word_count(s: &str, cap: usize) -> usize {
    let mut n = 0;
    for w in s.split_whitespace() {
        n += if w.is_ascii() {
            1
        } else {
            let cjk = w.chars().filter(|&c| is_cjk(c)).count();
            cjk + usize::from(cjk < w.chars().count())
        };
        if n >= cap {
            return cap;
        }
    }
    n
}

/// Is `c` a CJK ideograph, kana or Hangul syllable?
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

pub(crate) fn is_space_char(c: char) -> bool {
    c.is_whitespace() || c == '\u{FEFF}' || c == '\u{200B}'
}

pub(crate) fn is_bullet(c: char) -> bool {
    matches!(
        c,
        '•' | '·'
            | '▪'
            | '►'
            | '▶'
            | '|'
            | '>'
            | '*'
            | '-'
            | '–'
            | '—'
            | '#'
            | '■'
            | '◆'
            | '→'
    )
}

pub(crate) fn is_trailing_punct(c: char) -> bool {
    matches!(
        c,
        ':' | '.'
            | '!'
            | '?'
            | '›'
            | '»'
            | '|'
            | '→'
            | '…'
            | '-'
            | '–'
            | '—'
            | ','
            | ';'
            | '>'
            | '•'
    )
}

fn is_closing(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b')' | b']')
}

/// Closing quotes and brackets, typographic ones included, right after `at`.
fn skip_closers(text: &[u8], mut at: usize, limit: usize) -> usize {
    loop {
        if at < limit && is_closing(text[at]) {
            at += 1;
            continue;
        }
        let (c, len) = bstr::decode_utf8(&text[at.min(limit)..limit]);
        match c {
            Some('”' | '’' | '»') => at += len,
            _ => return at,
        }
    }
}

fn is_hspace(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

impl<'a> Doc<'a> {
    fn new(text: &'a [u8]) -> Self {
        let body_start = if text.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let mut lines = Vec::new();
        let mut start = body_start;
        for nl in memchr::memchr_iter(b'\n', &text[body_start..]) {
            let nl = nl + body_start;
            let content_end = if nl > start && text[nl - 1] == b'\r' {
                nl - 1
            } else {
                nl
            };
            lines.push(Line {
                start,
                content_end,
                end: nl + 1,
            });
            start = nl + 1;
        }
        if start < text.len() || lines.is_empty() {
            lines.push(Line {
                start,
                content_end: text.len(),
                end: text.len(),
            });
        }
        Doc {
            text,
            lines,
            body_start,
            prose: std::cell::OnceCell::new(),
            raw_prose: std::cell::OnceCell::new(),
            masked: std::cell::OnceCell::new(),
        }
    }

    fn prose_index(&self) -> &ProseIndex {
        self.prose.get_or_init(|| {
            let n = self.lines.len();
            let masked = |i: usize| self.masked.get().is_some_and(|m| m[i]);
            let blank = |i: usize| masked(i) || self.is_blank(&self.lines[i]);
            let raw = self.raw_prose();
            let is_prose: Vec<bool> = (0..n).map(|i| !masked(i) && raw[i].is_some()).collect();
            let mut before = Vec::with_capacity(n + 1);
            before.push(0);
            for &p in &is_prose {
                before.push(before.last().unwrap() + usize::from(p));
            }
            let mut next = vec![None; n + 1];
            for i in (0..n).rev() {
                next[i] = if blank(i) { next[i + 1] } else { Some(i) };
            }
            let last = (0..n).rev().find(|&i| !blank(i));
            let mut pair_from = vec![false; n + 1];
            for i in (0..n).rev() {
                let pair = is_prose[i] && next[i + 1].is_some_and(|j| is_prose[j]);
                pair_from[i] = pair_from[i + 1] || pair;
            }
            let mut chars_before = Vec::with_capacity(n + 1);
            chars_before.push(0);
            for (i, &p) in is_prose.iter().enumerate() {
                let chars = if p { raw[i].unwrap_or(0) } else { 0 };
                chars_before.push(chars_before[i] + chars);
            }
            let mut long_from = vec![0; n + 1];
            for i in (0..n).rev() {
                long_from[i] =
                    long_from[i + 1] + usize::from(is_prose[i] && self.is_long(&self.lines[i]));
            }
            ProseIndex {
                before,
                next,
                is_prose,
                last,
                pair_from,
                long_from,
                chars_before,
            }
        })
    }

    /// Per line, its length in characters if it reads as prose (computed once).
    fn raw_prose(&self) -> &[Option<usize>] {
        self.raw_prose.get_or_init(|| {
            self.lines
                .iter()
                .map(|l| {
                    self.is_prose_line(l)
                        .then(|| char_count(&self.text[l.start..l.content_end]))
                })
                .collect()
        })
    }

    /// The prose lines (without line terminators) and their lengths in characters, for the guard.
    fn prose_spans(&self) -> Vec<(Range<usize>, usize)> {
        self.lines
            .iter()
            .zip(self.raw_prose())
            .filter_map(|(l, chars)| chars.map(|c| (l.start..l.content_end, c)))
            .collect()
    }

    fn line_index(&self, offset: usize) -> usize {
        self.lines
            .partition_point(|l| l.end <= offset)
            .min(self.lines.len() - 1)
    }

    /// The line's text without surrounding whitespace, leading bullets and trailing punctuation.
    fn trimmed(&self, line: &Line) -> Range<usize> {
        let (mut s, mut e) = (line.start, line.content_end);
        while s < e {
            let (c, len) = bstr::decode_utf8(&self.text[s..e]);
            match c {
                Some(c) if is_space_char(c) || is_bullet(c) => s += len,
                _ => break,
            }
        }
        while e > s {
            let (c, len) = bstr::decode_last_utf8(&self.text[s..e]);
            match c {
                Some(c) if is_space_char(c) || is_trailing_punct(c) => e -= len,
                _ => break,
            }
        }
        s..e
    }

    fn is_blank(&self, line: &Line) -> bool {
        self.trimmed_ws(line).is_empty()
    }

    fn trimmed_ws(&self, line: &Line) -> Range<usize> {
        let s = &self.text[line.start..line.content_end];
        let lead = s.len() - bstr::ByteSlice::trim_start(s).len();
        let rest = bstr::ByteSlice::trim(s).len();
        line.start + lead..line.start + lead + rest
    }

    /// Does the hit make its line chrome: the whole line, or the start of a short one?
    fn line_qualifies(&self, hit: &Hit, line: &Line, rule: &Rule) -> bool {
        if hit.end > line.end {
            return false;
        }
        let t = self.trimmed(line);
        if t.is_empty() || hit.start > t.start {
            return false;
        }
        if hit.end >= t.end {
            return true;
        }
        rule.max_chars.is_some_and(|max| {
            String::from_utf8_lossy(&self.text[t.clone()])
                .chars()
                .count()
                <= max
        })
    }

    fn line_removal(&self, hit: &Hit, rule: &Rule) -> Option<Range<usize>> {
        let line = self.lines[self.line_index(hit.start)];
        self.line_qualifies(hit, &line, rule)
            .then_some(line.start..line.end)
    }

    fn tail_removal(&self, hit: &Hit, rule: &Rule) -> Option<Range<usize>> {
        let idx = self.line_index(hit.start);
        let line = self.lines[idx];
        if !self.line_qualifies(hit, &line, rule) {
            return None;
        }
        let last_content = self
            .lines
            .iter()
            .rposition(|l| !self.is_blank(l))
            .unwrap_or(0);
        (last_content + 1 - idx <= rule.max_lines).then_some(line.start..self.text.len())
    }

    /// A section heading and all that follows it, when the heading has prose before it and what
    /// follows reads as a list: its first and last lines are not prose and it holds at most
    /// `max_prose` prose lines (a list of other stories with a teaser or two, a footer).
    fn section_removal(&self, hit: &Hit, rule: &Rule) -> Option<Range<usize>> {
        let idx = self.line_index(hit.start);
        let line = self.lines[idx];
        if !self.line_qualifies(hit, &line, rule) {
            return None;
        }
        self.section_from(idx, rule.max_prose, rule.interleaved)
    }

    /// A thread (comments under the article): from the first of the entry lines `entries`
    /// (sorted line indices) that chain to the end, each at most `max_prose` prose lines after
    /// the one before and the end at most that far after the last, when the chain holds at least
    /// `repeats` different entries (an interview repeats its few speakers' names) and prose stands
    /// before it.
    fn thread_removal(&self, entries: &[usize], rule: &Rule) -> Option<Range<usize>> {
        let p = self.prose_index();
        let prose_between = |a: usize, b: usize| p.before[b] - p.before[a + 1];
        let &last = entries.last()?;
        if prose_between(last, self.lines.len()) > rule.max_prose {
            return None;
        }
        let mut first = entries.len() - 1;
        while first > 0 && prose_between(entries[first - 1], entries[first]) <= rule.max_prose {
            first -= 1;
        }
        let idx = entries[first];
        let mut distinct: Vec<&[u8]> = entries[first..]
            .iter()
            .map(|&i| &self.text[self.trimmed(&self.lines[i])])
            .collect();
        distinct.sort_unstable();
        distinct.dedup();
        (distinct.len() >= rule.repeats && p.before[idx] > 0)
            .then_some(self.lines[idx].start..self.text.len())
    }

    /// From line `idx` to the end, when prose stands before it and what follows reads as a list.
    fn section_from(
        &self,
        idx: usize,
        max_prose: usize,
        interleaved: bool,
    ) -> Option<Range<usize>> {
        let p = self.prose_index();
        let total = p.before[self.lines.len()];
        let after = total - p.before[idx + 1];
        let first_is_prose = p.next[idx + 1].is_some_and(|i| p.is_prose[i]);
        let last_is_prose = p.last.is_some_and(|i| i > idx && p.is_prose[i]);
        let edges = !first_is_prose && !last_is_prose;
        // Paragraphs too long for teasers: none in a short list, at most one (a long teaser) in a
        // list of several; two are article text under subheadings.
        let long = p.long_from[idx + 1];
        let list = edges
            && ((after <= max_prose && long == 0 && self.no_more_prose_than_before(idx))
                || (interleaved && long <= usize::from(after > 1) && self.interleaved_after(idx)));
        (p.before[idx] > 0 && list).then_some(self.lines[idx].start..self.text.len())
    }

    /// Does what follows line `idx` alternate like a list of headlines with teasers (no two prose
    /// lines in a row), and is it no longer than the text before it (a long product list or
    /// interview that makes up the article stays)?
    fn interleaved_after(&self, idx: usize) -> bool {
        self.shorter_than_before(idx) && !self.prose_index().pair_from[idx + 1]
    }

    /// Do the prose lines after line `idx` hold no more characters than those before it (teasers
    /// under a heading are shorter than the article above them)?
    fn no_more_prose_than_before(&self, idx: usize) -> bool {
        let p = self.prose_index();
        let before = p.chars_before[idx];
        p.chars_before[self.lines.len()] - p.chars_before[idx + 1] <= before
    }

    /// Is the text from line `idx` on no longer than the text before it?
    fn shorter_than_before(&self, idx: usize) -> bool {
        let start = self.lines[idx].start;
        self.text.len() - start <= start - self.body_start
    }

    /// Is the line too long for a teaser (more than [`TEASER_CHARS`] characters)?
    fn is_long(&self, line: &Line) -> bool {
        char_count(&self.text[self.trimmed_ws(line)]) > TEASER_CHARS
    }

    /// Does the line read as article prose: enough words, ending like a sentence?
    fn is_prose_line(&self, line: &Line) -> bool {
        let t = self.trimmed_ws(line);
        let s = String::from_utf8_lossy(&self.text[t]);
        let s = s.trim_end_matches(['"', '\'', ')', ']', '\u{201d}', '\u{2019}', '\u{bb}']);
        // A line cut short with an ellipsis is a teaser, not a paragraph.
        !s.ends_with('\u{2026}')
            && !s.ends_with("..")
            && s.ends_with(['.', '!', '?', '\u{3002}', '\u{ff01}', '\u{ff1f}'])
            && word_count(s, Rule::PROSE_WORDS) >= Rule::PROSE_WORDS
    }

    /// Is `at` the start of a sentence: its line's start, or right after . ! ? (and closing quotes)?
    fn sentence_starts_at(&self, line: &Line, at: usize) -> bool {
        let mut p = at;
        while p > line.start && is_hspace(self.text[p - 1]) {
            p -= 1;
        }
        let t = self.trimmed_ws(line);
        if p <= t.start {
            return true;
        }
        // Step back over closing quotes, ASCII or typographic.
        loop {
            if p > line.start && is_closing(self.text[p - 1]) {
                p -= 1;
                continue;
            }
            let (c, len) = bstr::decode_last_utf8(&self.text[line.start..p]);
            match c {
                Some('”' | '’' | '»') => p -= len,
                _ => break,
            }
        }
        p > line.start && matches!(self.text[p - 1], b'.' | b'!' | b'?')
    }

    /// The end of the sentence that runs from `from`, within its line.
    fn sentence_end(&self, line: &Line, from: usize) -> Option<usize> {
        if from > line.start && matches!(self.text[from - 1], b'.' | b'!' | b'?') {
            return Some(skip_closers(self.text, from, line.content_end));
        }
        let limit = line.content_end.min(from + MAX_SENTENCE_BYTES);
        let mut i = from;
        while i < limit {
            if matches!(self.text[i], b'.' | b'!' | b'?') {
                let next = self.text.get(i + 1).copied();
                let ends = match next {
                    None => true,
                    Some(b) => !b.is_ascii_lowercase() && !b.is_ascii_digit() && b != b'.',
                };
                if ends
                    && !(self.text[i] == b'.'
                        && next.is_some_and(|b| b.is_ascii_uppercase())
                        && i >= 1
                        && self.text[i - 1].is_ascii_uppercase()
                        && (i < 2 || !self.text[i - 2].is_ascii_alphabetic()))
                {
                    return Some(skip_closers(self.text, i + 1, line.content_end));
                }
            }
            i += 1;
        }
        (line.content_end - from <= MAX_SENTENCE_BYTES).then_some(line.content_end)
    }

    fn sentence_removal(&self, hit: &Hit) -> Option<Range<usize>> {
        let line = self.lines[self.line_index(hit.start)];
        if hit.end > line.content_end || !self.sentence_starts_at(&line, hit.start) {
            return None;
        }
        let end = self.sentence_end(&line, hit.end)?;
        Some(self.span_in_line(&line, hit.start, end))
    }

    /// A removal inside one line: the whole line when nothing but whitespace would remain of it,
    /// else exactly the span (the seam repair takes care of the spaces around it).
    fn span_in_line(&self, line: &Line, start: usize, end: usize) -> Range<usize> {
        let t = self.trimmed_ws(line);
        if start <= t.start && end >= t.end {
            line.start..line.end
        } else {
            start..end
        }
    }

    fn block_removal(
        &self,
        hit: &Hit,
        rule: &Rule,
        hits: &[Hit],
    ) -> Result<Option<Range<usize>>, String> {
        let first = self.line_index(hit.start);
        let line = self.lines[first];
        let t = self.trimmed(&line);
        if hit.start > t.start {
            return Ok(None);
        }
        let end = hits.iter().find(|h| {
            h.rule == hit.rule
                && h.role == Role::End
                && h.start >= hit.end
                && self.line_index(h.start) < first + rule.max_lines
        });
        match end {
            Some(end) => {
                let last = self.lines[self.line_index(end.start)];
                let stop = skip_closers(self.text, end.end, last.content_end);
                let mut r = self.span_in_line(&last, last.start, stop);
                r.start = line.start;
                Ok(Some(r))
            }
            None => match rule.unterminated {
                Unterminated::Keep => Err(format!(
                    "block start with no end marker within {} lines; nothing removed",
                    rule.max_lines
                )),
                Unterminated::StartLine => Ok(Some(line.start..line.end)),
            },
        }
    }

    /// Is the line one of a run: short, few words, not ending like a sentence?
    fn is_run_line(&self, line: &Line, rule: &Rule) -> bool {
        let t = self.trimmed_ws(line);
        if t.is_empty() {
            return false;
        }
        let s = String::from_utf8_lossy(&self.text[t]);
        let max_chars = rule.max_chars.unwrap_or(Rule::DEFAULT_RUN_CHARS);
        !s.ends_with(['.', ',', ';'])
            && word_count(&s, rule.max_words + 1) <= rule.max_words
            && s.chars().count() <= max_chars
    }

    /// Runs of at least `min_lines` run lines (blank lines between them allowed) where the rule
    /// looks: the one at the document's start or end, or every one before its first prose line.
    fn run_removals(&self, rule: &Rule) -> Vec<Range<usize>> {
        let n = self.lines.len();
        let (order, anchored): (Box<dyn Iterator<Item = usize>>, bool) = match rule.position {
            Some(Position::Head) => (Box::new(0..n), true),
            Some(Position::Tail) => (Box::new((0..n).rev()), true),
            Some(Position::Preamble) => {
                // Usually near the top: scan only that far (the full index is built only for
                // documents with section candidates).
                let first_prose = match self.prose.get() {
                    Some(p) => p.is_prose.iter().position(|&p| p),
                    None => self.lines.iter().position(|l| self.is_prose_line(l)),
                };
                // No prose at all: nothing tells the menu from the text.
                (Box::new(0..first_prose.unwrap_or(0)), false)
            }
            None => return Vec::new(),
        };
        let mut out = Vec::new();
        // The run being collected: how many run lines, and the first and last of them.
        let mut run: Option<(usize, usize, usize)> = None;
        let mut close = |run: &mut Option<(usize, usize, usize)>| {
            if let Some((count, a, b)) = run.take()
                && count >= rule.min_lines
            {
                let (a, b) = (a.min(b), a.max(b));
                out.push(self.lines[a].start..self.lines[b].end);
            }
        };
        for i in order {
            let line = &self.lines[i];
            if self.is_blank(line) {
                continue;
            }
            if self.is_run_line(line, rule) {
                let r = run.get_or_insert((0, i, i));
                r.0 += 1;
                r.2 = i;
            } else {
                close(&mut run);
                if anchored {
                    break;
                }
            }
        }
        close(&mut run);
        out
    }

    /// Does the range run from a line start to a line start (or the end)?
    fn is_aligned(&self, a: usize, b: usize) -> bool {
        self.is_line_start(a) && (b == self.text.len() || self.is_line_start(b))
    }

    /// The whole lines of a range that leaves only whitespace of its first and last line.
    fn widen(&self, r: Range<usize>) -> Range<usize> {
        if r.is_empty() || self.is_aligned(r.start, r.end) {
            return r;
        }
        let first = self.lines[self.line_index(r.start)];
        let last = self.lines[self.line_index(r.end - 1)];
        let blank = |s: &[u8]| bstr::ByteSlice::trim(s).is_empty();
        if blank(&self.text[first.start..r.start])
            && (r.end >= last.content_end || blank(&self.text[r.end..last.content_end]))
        {
            first.start..last.end
        } else {
            r
        }
    }

    fn is_line_start(&self, at: usize) -> bool {
        at == self.body_start || (at > 0 && self.text[at - 1] == b'\n')
    }

    /// Repairs what merged removals would leave behind: a blank-line run they created, a final
    /// newline the input did not have, and the double or dangling space of a cut inside a line.
    fn repair_seams(&self, merged: Vec<Range<usize>>) -> Vec<Range<usize>> {
        let len = self.text.len();
        // First the cuts inside lines: the spaces beside them go, and a line that several cuts
        // leave with nothing but whitespace goes whole, like a line-aligned removal.
        let mut cuts = Vec::with_capacity(merged.len());
        for r in merged {
            let (mut a, mut b) = (r.start, r.end);
            if !self.is_aligned(a, b) {
                let line = self.lines[self.line_index(a)];
                let content_end = line.content_end.max(a);
                while b < content_end && is_hspace(self.text[b]) {
                    b += 1;
                }
                if b >= content_end {
                    // Chrome at the end of a line: the spaces before it go instead.
                    while a > line.start && is_hspace(self.text[a - 1]) {
                        a -= 1;
                    }
                }
            }
            cuts.push(a..b);
        }
        let cuts = merge(merge(cuts.into_iter()).into_iter().map(|r| self.widen(r)));
        let mut out = Vec::with_capacity(cuts.len());
        for r in cuts {
            let (mut a, mut b) = (r.start, r.end);
            if !self.is_aligned(a, b) {
                out.push(a..b);
                continue;
            }
            let prev = (a > self.body_start).then(|| self.lines[self.line_index(a - 1)]);
            let next = (b < len).then(|| self.lines[self.line_index(b)]);
            let prev_blank = prev.is_none_or(|l| self.is_blank(&l));
            let next_blank = next.is_none_or(|l| self.is_blank(&l));
            if prev_blank && next_blank {
                match (prev, next) {
                    (Some(_), Some(n)) => b = n.end,
                    (None, Some(_)) => {
                        // At the top: drop the blank lines that would now lead the document.
                        let mut i = self.line_index(b);
                        while i < self.lines.len() && self.is_blank(&self.lines[i]) {
                            b = self.lines[i].end;
                            i += 1;
                        }
                    }
                    (Some(p), None) => {
                        // At the bottom: drop the blank lines that would now end the document.
                        let mut i = self.line_index(p.start);
                        a = p.start;
                        while i > 0 && self.is_blank(&self.lines[i - 1]) {
                            i -= 1;
                            a = self.lines[i].start;
                        }
                    }
                    (None, None) => {}
                }
            }
            out.push(a..b);
        }
        let mut out = merge(out.into_iter());
        // Once merged, a deletion may reach the top or the bottom through an earlier or later
        // one: the blank lines it leaves leading or ending the document go too.
        while let Some(first) = out.first_mut() {
            if first.start != self.body_start || first.end == len {
                break;
            }
            let mut b = first.end;
            while b < len && self.is_line_start(b) {
                let l = self.lines[self.line_index(b)];
                if !self.is_blank(&l) {
                    break;
                }
                b = l.end;
            }
            if b == first.end {
                break;
            }
            first.end = b;
            out = merge(out.into_iter());
        }
        while let Some(last) = out.last_mut() {
            if last.end != len {
                break;
            }
            let mut a = last.start;
            while a > self.body_start && self.text[a - 1] == b'\n' {
                let l = self.lines[self.line_index(a - 1)];
                if !self.is_blank(&l) {
                    break;
                }
                a = l.start;
            }
            if a == last.start {
                break;
            }
            last.start = a;
            out = merge(out.into_iter());
        }
        // The input had no final newline: the output keeps none. The terminator to drop is the
        // one before the last deletion once all are merged (an earlier range may have taken the
        // line before this one).
        if let Some(last) = out.last_mut()
            && last.end == len
            && last.start > self.body_start
            && self.text[last.start - 1] == b'\n'
            && !self.text.ends_with(b"\n")
        {
            last.start -= 1;
            if last.start > self.body_start && self.text[last.start - 1] == b'\r' {
                last.start -= 1;
            }
        }
        merge(out.into_iter())
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn char_count_counts_characters() {
        for text in [
            "",
            "a",
            "héllo wörld, ok?",
            "日本語のテキスト and more text here",
            "\u{10348}x\u{7f}\u{80}",
        ] {
            for start in 0..text.len().min(9) {
                let bytes = &text.as_bytes()[start..];
                let naive = bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count();
                assert_eq!(char_count(bytes), naive, "{text:?} from {start}");
            }
        }
    }
    use super::*;
    use crate::PatternSetBuilder;

    const RULES: &str = r#"
[[rule]]
id = "t.line"
family = "share"
scope = "line"
phrases = ["share this article"]

[[rule]]
id = "t.prefix"
family = "newsletter"
scope = "line"
phrases = ["sign up to our newsletter"]
max_chars = 60

[[rule]]
id = "t.regex"
family = "timestamp"
scope = "line"
regexes = ['^updated \d{1,2}:\d{2}$']

[[rule]]
id = "t.sentence"
family = "support-appeal"
scope = "sentence"
phrases = ["your support makes all the difference."]

[[rule]]
id = "t.sentence-open"
family = "paywall"
scope = "sentence"
phrases = ["subscribe now"]

[[rule]]
id = "t.block"
family = "support-appeal"
scope = "block"
start = ["please support us"]
end = ["thank you."]
max_lines = 4

[[rule]]
id = "t.block-startline"
family = "ad"
scope = "block"
start = ["ad feature begins"]
end = ["ad feature ends"]
max_lines = 3
unterminated = "start-line"

[[rule]]
id = "t.tail"
family = "comments"
scope = "tail"
phrases = ["comments"]
max_lines = 3
"#;

    /// A cleaner over one pattern file's rules, refusing only above 90% removed.
    fn cleaner_from(name: &str, rules: &str) -> Cleaner {
        Cleaner::new(
            PatternSetBuilder::new()
                .add_str(name, rules)
                .build()
                .unwrap(),
        )
        .with_max_removal(0.9)
    }

    fn cleaner() -> Cleaner {
        Cleaner::new(
            PatternSetBuilder::new()
                .add_str("t.toml", RULES)
                .build()
                .unwrap(),
        )
        .with_max_removal(0.9)
    }

    /// (name, input, expected output, expected removals as (rule id, removed text)).
    type Case = (
        &'static str,
        &'static str,
        &'static str,
        &'static [(&'static str, &'static str)],
    );

    const CASES: &[Case] = &[
        (
            "line whole",
            "A.\nShare this article\nB.\n",
            "A.\nB.\n",
            &[("t.line", "Share this article\n")],
        ),
        (
            "line with bullets and case",
            "A.\n  \u{2022} SHARE  THIS\u{a0}ARTICLE:\nB.\n",
            "A.\nB.\n",
            &[("t.line", "  \u{2022} SHARE  THIS\u{a0}ARTICLE:\n")],
        ),
        (
            "line phrase inside prose stays",
            "Readers were asked to share this article with friends.\n",
            "Readers were asked to share this article with friends.\n",
            &[],
        ),
        (
            "line prefix within max_chars",
            "A.\nSign up to our newsletter for daily news\nB.\n",
            "A.\nB.\n",
            &[("t.prefix", "Sign up to our newsletter for daily news\n")],
        ),
        (
            "line prefix too long stays",
            "Sign up to our newsletter, the mayor said, was the best advice she had ever been given.\n",
            "Sign up to our newsletter, the mayor said, was the best advice she had ever been given.\n",
            &[],
        ),
        (
            "line regex",
            "A.\nUpdated 10:45\nB.",
            "A.\nB.",
            &[("t.regex", "Updated 10:45\n")],
        ),
        (
            "sentence glued to the next one",
            "Your support makes all the difference.Vladimir Putin spoke.\n",
            "Vladimir Putin spoke.\n",
            &[("t.sentence", "Your support makes all the difference.")],
        ),
        (
            "sentence after article text on the same line",
            "The vote passed. Your support makes all the difference.\nNext.\n",
            "The vote passed.\nNext.\n",
            &[("t.sentence", "Your support makes all the difference.")],
        ),
        (
            "sentence mid-sentence stays",
            "She said your support makes all the difference. Then left.\n",
            "She said your support makes all the difference. Then left.\n",
            &[],
        ),
        (
            "sentence runs to its own end",
            "Subscribe now for only $1 a week! The storm hit.\n",
            "The storm hit.\n",
            &[("t.sentence-open", "Subscribe now for only $1 a week!")],
        ),
        (
            "block through end marker, glued",
            "Title\nPlease support us\nWe need money.\nThank you.The article starts.\n",
            "Title\nThe article starts.\n",
            &[("t.block", "Please support us\nWe need money.\nThank you.")],
        ),
        (
            "block end beyond max_lines keeps everything",
            "Please support us\n1\n2\n3\n4\nThank you.\n",
            "Please support us\n1\n2\n3\n4\nThank you.\n",
            &[],
        ),
        (
            "unterminated block removes its start line",
            "A.\nAd feature begins\nB.\nC.\nD.\n",
            "A.\nB.\nC.\nD.\n",
            &[("t.block-startline", "Ad feature begins\n")],
        ),
        (
            "tail near the end",
            "Body one.\nBody two.\nComments\nNice piece\n",
            "Body one.\nBody two.\n",
            &[("t.tail", "Comments\nNice piece\n")],
        ),
        (
            "tail marker too early stays",
            "Comments\nBody one.\nBody two.\nBody three.\n",
            "Comments\nBody one.\nBody two.\nBody three.\n",
            &[],
        ),
        (
            "tail without final newline keeps none",
            "Body one.\nBody two.\nComments",
            "Body one.\nBody two.",
            &[("t.tail", "Comments")],
        ),
        (
            "no blank-line run left behind",
            "Para one.\n\nShare this article\n\nPara two.\n",
            "Para one.\n\nPara two.\n",
            &[("t.line", "Share this article\n")],
        ),
        (
            "existing blank lines stay",
            "Para one.\n\n\nPara two.\nShare this article\nPara three.\n",
            "Para one.\n\n\nPara two.\nPara three.\n",
            &[("t.line", "Share this article\n")],
        ),
        (
            "leading chrome leaves no leading blank line",
            "Share this article\n\nPara one.\n",
            "Para one.\n",
            &[("t.line", "Share this article\n")],
        ),
        (
            "crlf endings kept",
            "A.\r\nShare this article\r\nB.\r\n",
            "A.\r\nB.\r\n",
            &[("t.line", "Share this article\r\n")],
        ),
        (
            "crlf last line without newline",
            "A.\r\nB.\r\nShare this article",
            "A.\r\nB.",
            &[("t.line", "Share this article")],
        ),
        (
            "bom kept when first line goes",
            "\u{feff}Share this article\nA.\n",
            "\u{feff}A.\n",
            &[("t.line", "Share this article\n")],
        ),
    ];

    #[test]
    fn scopes_table() {
        let c = cleaner();
        for (name, input, expected, removals) in CASES {
            let out = c.clean(input.as_bytes());
            assert_eq!(
                String::from_utf8_lossy(&out.text),
                *expected,
                "case {name:?}: output"
            );
            let got: Vec<(&str, &str)> = out
                .removals
                .iter()
                .map(|r| (r.rule.id.as_str(), &input[r.range.clone()]))
                .collect();
            assert_eq!(got, *removals, "case {name:?}: removals");
            let verdict = if removals.is_empty() {
                Verdict::Unchanged
            } else {
                Verdict::Cleaned
            };
            assert_eq!(out.verdict, verdict, "case {name:?}: verdict");
        }
    }

    #[test]
    fn sections_go_only_when_no_article_follows() {
        let rules = r#"
[[rule]]
id = "s.related"
family = "related"
scope = "section"
phrases = ["More stories"]
max_prose = 1
"#;
        let c = cleaner_from("s.toml", rules);
        let prose = "The council voted on Tuesday to keep the old bridge open.";
        // A list of headlines, with one teaser sentence among them: the section goes.
        let list = format!(
            "{prose}\n\nMore stories\nA headline about the port\n{prose}\nAnother headline\n"
        );
        let out = c.clean(list.as_bytes());
        assert_eq!(String::from_utf8_lossy(&out.text), format!("{prose}\n"));
        let removed: Vec<&str> = out
            .removals
            .iter()
            .map(|r| &list[r.range.clone()])
            .collect();
        assert_eq!(
            removed,
            [&list[list.find("More stories").unwrap()..]],
            "one removal, from the heading to the end"
        );
        // Two prose lines after the heading: it is a subheading of the article.
        let article = format!("{prose}\n\nMore stories\n{prose}\n{prose}\n");
        assert_eq!(c.clean(article.as_bytes()).verdict, Verdict::Unchanged);
        // Nothing reads as prose before the heading: the section rule does not fire.
        let head = format!("More stories\nA headline\n{prose}\n");
        assert_eq!(c.clean(head.as_bytes()).verdict, Verdict::Unchanged);
        // The heading must be the whole line.
        let inline = format!("{prose}\nMore stories will follow\nA headline\n");
        assert_eq!(c.clean(inline.as_bytes()).verdict, Verdict::Unchanged);
    }

    #[test]
    fn preamble_runs_go_only_before_the_first_prose_line() {
        let rules = r#"
[[rule]]
id = "r.pre"
family = "navigation"
scope = "run"
position = "preamble"
min_lines = 3
max_words = 2
"#;
        let c = cleaner_from("r.toml", rules);
        let prose = "The council voted on Tuesday to keep the old bridge open.";
        // Two menus above the headline, one of them not at the top; a short list after the
        // first prose line stays, as does a run of two.
        let input = format!(
            "Snopes needs your help today, please donate\nHome\nNews\n\nSport\nA headline of several words\nLog in\nRegister\n\u{65b0}\u{805e}\nBy A. Writer\n{prose}\nOne\nTwo\nThree\n"
        );
        let out = c.clean(input.as_bytes());
        assert_eq!(
            String::from_utf8_lossy(&out.text),
            format!(
                "Snopes needs your help today, please donate\nA headline of several words\nBy A. Writer\n{prose}\nOne\nTwo\nThree\n"
            )
        );
        let got: Vec<&str> = out
            .removals
            .iter()
            .map(|r| &input[r.range.clone()])
            .collect();
        assert_eq!(
            got,
            [
                "Home\nNews\n\nSport\n",
                "Log in\nRegister\n\u{65b0}\u{805e}\n"
            ]
        );
        // Without a prose line nothing marks where the article starts: nothing goes.
        let short = "Home\nNews\nSport\nWeather\n";
        assert_eq!(c.clean(short.as_bytes()).verdict, Verdict::Unchanged);
        // A Japanese sentence is prose (each character a word), so the menu before it goes.
        let ja = "\u{65b0}\u{805e}\n\u{5929}\u{6c17}\nA\n\u{5546}\u{54c1}\u{306e}\u{6539}\u{9020}\u{304c}\u{5546}\u{6a19}\u{6cd5}\u{9055}\u{53cd}\u{3002}\n";
        let out = c.clean(ja.as_bytes());
        assert_eq!(
            String::from_utf8_lossy(&out.text),
            "\u{5546}\u{54c1}\u{306e}\u{6539}\u{9020}\u{304c}\u{5546}\u{6a19}\u{6cd5}\u{9055}\u{53cd}\u{3002}\n"
        );
    }

    #[test]
    fn interleaved_sections_take_teasers_but_not_articles() {
        let rules = r#"
[[rule]]
id = "s.more"
family = "related"
scope = "section"
phrases = ["More stories"]
max_prose = 0
interleaved = true
"#;
        let c = cleaner_from("s.toml", rules);
        let p1 = "The council voted on Tuesday to keep the old bridge open for now.";
        let p2 = "Engineers will inspect it again in the spring before a final decision.";
        let teaser = "Ferries stay in port as the first winter storm reaches the coast.";
        // Headlines, each with one teaser sentence: the section goes.
        let list = format!(
            "{p1}\n{p2}\n{p1}\nMore stories\nStorm closes harbour\n{teaser}\nSchool wins chess title\n"
        );
        let out = c.clean(list.as_bytes());
        assert_eq!(
            String::from_utf8_lossy(&out.text),
            format!("{p1}\n{p2}\n{p1}\n")
        );
        // Two prose lines in a row after the heading: article text, it stays.
        let article = format!(
            "{p1}\n{p2}\n{p1}\nMore stories\nStorm closes harbour\n{teaser}\n{p2}\nSchool wins chess title\n"
        );
        assert_eq!(c.clean(article.as_bytes()).verdict, Verdict::Unchanged);
        // A section longer than the text before it (a list that is the article): it stays.
        let long = format!(
            "{p1}\nMore stories\nStorm closes harbour\n{teaser}\nSchool wins chess title\n{teaser}\nLast line\n"
        );
        assert_eq!(c.clean(long.as_bytes()).verdict, Verdict::Unchanged);
        // One prose line after the heading: it goes when short enough for a teaser...
        let one =
            format!("{p1}\n{p2}\n{p1}\nMore stories\nStorm closes harbour\n{teaser}\nLast line\n");
        assert_eq!(
            String::from_utf8_lossy(&c.clean(one.as_bytes()).text),
            format!("{p1}\n{p2}\n{p1}\n")
        );
        // ... and stays when longer: a paragraph the page put after a gallery.
        let paragraph = format!("{p1} {p2} {p1} Nobody objected, and the vote was twelve to one.");
        assert_eq!(paragraph.len(), TEASER_CHARS + 1);
        let one =
            format!("{p1}\n{p2}\n{p1}\n{p2}\nMore stories\nGallery\n{paragraph}\nLast line\n");
        assert_eq!(c.clean(one.as_bytes()).verdict, Verdict::Unchanged);
    }

    #[test]
    fn lines_cut_short_with_an_ellipsis_are_teasers_not_prose() {
        let rules = r#"
[[rule]]
id = "s.recent"
family = "related"
scope = "section"
phrases = ["Recent"]
max_prose = 0
"#;
        let c = cleaner_from("s.toml", rules);
        let p1 = "The council voted on Tuesday to keep the old bridge open for now.";
        let p2 = "Engineers will inspect it again in the spring before a final decision.";
        // Comment snippets cut short with an ellipsis: the list goes.
        let cut = format!(
            "{p1}\n{p2}\nRecent\nann: the council should have listened to the people who cross every\u{2026}\nbob: the ferry costs far too much for families who cross the river...\n"
        );
        assert_eq!(
            String::from_utf8_lossy(&c.clean(cut.as_bytes()).text),
            format!("{p1}\n{p2}\n")
        );
        // The same lines ending as sentences are prose: more than `max_prose`, they stay.
        let whole = format!(
            "{p1}\n{p2}\nRecent\nann: the council should have listened to the people who cross every day.\nbob: the ferry costs far too much for families who cross the river.\n"
        );
        assert_eq!(c.clean(whole.as_bytes()).verdict, Verdict::Unchanged);
    }

    #[test]
    fn threads_need_their_repeats_and_weigh_only_the_text_before_them() {
        let rules = r#"
[[rule]]
id = "t.says"
family = "comments"
scope = "section"
regexes = ['^[a-z0-9]+ says:$']
repeats = 3
max_prose = 1
"#;
        let c = cleaner_from("t.toml", rules);
        let p1 = "The council voted on Tuesday to keep the old bridge open for now.";
        let c1 = "This is the worst decision the council has made in years, honestly.";
        let c2 = "Good. The ferry costs far too much for families who cross every day.";
        // Three entries, each a comment of one prose line: the thread goes, although it is longer
        // than the article (the guard weighs only the text before it).
        let thread = format!(
            "{p1}\nann says:\n{c1}\nbob says:\n{c2}\ncat says:\n{c1}\n\u{a9} 2019 Gazette\n"
        );
        let out = c.clean(thread.as_bytes());
        assert_eq!(String::from_utf8_lossy(&out.text), format!("{p1}\n"));
        assert_eq!(out.removals.len(), 1);
        assert_eq!(out.removals[0].rule.id, "t.says");
        // Two prose lines between entries break the chain: the thread starts after them, and
        // from there it holds only two entries, too few.
        let broken = format!("{p1}\nann says:\n{c1}\n{c2}\nbob says:\n{c2}\ncat says:\n{c1}\n");
        assert_eq!(c.clean(broken.as_bytes()).verdict, Verdict::Unchanged);
        // Three entries but two names: an interview, it stays.
        let interview = format!("{p1}\nann says:\n{c1}\nbob says:\n{c2}\nann says:\n{c1}\n");
        assert_eq!(c.clean(interview.as_bytes()).verdict, Verdict::Unchanged);
        // More than `max_prose` prose lines after the last entry: the article goes on, it stays.
        let quoted =
            format!("{p1}\nann says:\n{c1}\nbob says:\n{c2}\ncat says:\n{c1}\n{c2}\n{p1}\n");
        assert_eq!(c.clean(quoted.as_bytes()).verdict, Verdict::Unchanged);
        // No prose before the first entry: nothing marks an article above it.
        let bare = format!("ann says:\n{c1}\nbob says:\n{c2}\ncat says:\n{c1}\n");
        assert_eq!(c.clean(bare.as_bytes()).verdict, Verdict::Unchanged);
    }

    #[test]
    fn sections_opened_by_chrome_lines() {
        let rules = r#"
[[rule]]
id = "o.share"
family = "share"
scope = "line"
phrases = ["Share this article"]

[[rule]]
id = "o.notice"
family = "comments"
scope = "line"
phrases = ["Post limit reached. Please try again in a minute or two."]

[[rule]]
id = "o.after"
family = "related"
scope = "section"
opened_by = ["share"]
max_prose = 0
"#;
        let c = cleaner_from("o.toml", rules);
        let prose = "The council voted on Tuesday to keep the old bridge open.";
        let input = format!("{prose}\nShare this article\nA headline\nAnother headline\n");
        let out = c.clean(input.as_bytes());
        assert_eq!(String::from_utf8_lossy(&out.text), format!("{prose}\n"));
        let got: Vec<(&str, &str)> = out
            .removals
            .iter()
            .map(|r| (r.rule.id.as_str(), &input[r.range.clone()]))
            .collect();
        assert_eq!(
            got,
            [
                ("o.share", "Share this article\n"),
                (
                    "o.after",
                    "Share this article\nA headline\nAnother headline\n"
                )
            ]
        );
        // A sentence another rule removes whole is not prose: the section still goes.
        let notice = "Post limit reached. Please try again in a minute or two.";
        let input =
            format!("{prose}\nShare this article\nA headline\n{notice}\nAnother headline\n");
        let out = c.clean(input.as_bytes());
        assert_eq!(String::from_utf8_lossy(&out.text), format!("{prose}\n"));
        // One prose line after the share bar: only the bar goes.
        let input = format!("{prose}\nShare this article\nA headline\n{prose}\nLast words\n");
        let out = c.clean(input.as_bytes());
        assert_eq!(
            String::from_utf8_lossy(&out.text),
            format!("{prose}\nA headline\n{prose}\nLast words\n")
        );
    }

    #[test]
    fn runs_at_head_and_tail() {
        let rules = r#"
[[rule]]
id = "r.head"
family = "navigation"
scope = "run"
position = "head"
min_lines = 3
max_words = 2

[[rule]]
id = "r.tail"
family = "navigation"
scope = "run"
position = "tail"
min_lines = 3
max_words = 2
"#;
        let c = cleaner_from("r.toml", rules);
        let input = "Home\nWorld news\n\nSport\nA headline of several words\nBody text.\n\nAbout us\nContact\nJobs\n";
        let out = c.clean(input.as_bytes());
        assert_eq!(
            String::from_utf8_lossy(&out.text),
            "A headline of several words\nBody text.\n"
        );
        let got: Vec<(&str, &str)> = out
            .removals
            .iter()
            .map(|r| (r.rule.id.as_str(), &input[r.range.clone()]))
            .collect();
        assert_eq!(
            got,
            [
                ("r.head", "Home\nWorld news\n\nSport\n"),
                ("r.tail", "About us\nContact\nJobs\n")
            ]
        );
        // Two short lines are a subheading and a label, not a menu; a line ending like a sentence
        // breaks a run.
        let keep = "Intro.\nSubheading here\nBody.\nAbout us\nContact.\nJobs\n";
        assert_eq!(c.clean(keep.as_bytes()).verdict, Verdict::Unchanged);
    }

    #[test]
    fn unterminated_block_is_reported() {
        let out = cleaner().clean(b"Please support us\nNo end here.\nMore.\n");
        assert_eq!(out.verdict, Verdict::Unchanged);
        assert_eq!(out.notices.len(), 1);
        assert_eq!(out.notices[0].rule.id, "t.block");
        assert_eq!(
            out.notices[0].message,
            "block start with no end marker within 4 lines; nothing removed"
        );
    }

    #[test]
    fn guard_refuses_gutted_documents() {
        let c = cleaner().with_max_removal(0.5);
        let input = b"Share this article\nShort.\n";
        let out = c.clean(input);
        assert_eq!(out.verdict, Verdict::Refused);
        assert_eq!(&*out.text, input);
        assert_eq!(out.removals.len(), 1);
        assert!(out.deleted.is_empty());
        assert!((out.removed_share - 19.0 / 26.0).abs() < 1e-9);
    }

    #[test]
    fn the_guard_weighs_paragraph_text() {
        let c = cleaner().with_max_removal(0.5);
        let article = "The council voted on Tuesday to keep the old bridge open.\n";
        // Share bars make up most of the characters, but no paragraph goes: cleaned.
        let page = format!("{article}{}", "Share this article\n".repeat(8));
        let out = c.clean(page.as_bytes());
        assert_eq!(out.verdict, Verdict::Cleaned);
        assert_eq!(String::from_utf8_lossy(&out.text), article);
        assert!(out.removed_share > 0.7);
        assert_eq!(out.guarded_share, 0.0);
        // A paragraph that would lose 38 of its 92 characters (41%) to a sentence rule: refused at
        // 0.3, and the share reported is that of the paragraph text.
        let gutted = "The council voted today. Your support makes all the difference. \
                      It keeps us going for years.\n";
        let out = cleaner().with_max_removal(0.3).clean(gutted.as_bytes());
        assert_eq!(out.verdict, Verdict::Refused);
        assert!((out.guarded_share - 38.0 / 92.0).abs() < 1e-9);
    }

    #[test]
    fn invalid_utf8_bytes_are_kept() {
        let input = b"Caf\xe9 \xff\xfe open.\nShare this article\nEnd \x80.\n";
        let out = cleaner().clean(input);
        assert_eq!(&*out.text, b"Caf\xe9 \xff\xfe open.\nEnd \x80.\n");
    }

    #[test]
    fn empty_input() {
        let out = cleaner().clean(b"");
        assert_eq!(out.verdict, Verdict::Unchanged);
        assert_eq!(&*out.text, b"");
    }

    const TAIL1: &str = r#"
[[rule]]
id = "t.tail1"
family = "comments"
scope = "tail"
phrases = ["comments"]
max_lines = 1

[[rule]]
id = "t.line"
family = "share"
scope = "line"
phrases = ["share this article"]

[[rule]]
id = "t.sentence"
family = "paywall"
scope = "sentence"
phrases = ["subscribe now"]
"#;

    #[test]
    fn removals_that_expose_more_chrome_are_followed_up() {
        let c = Cleaner::new(
            PatternSetBuilder::new()
                .add_str("t.toml", TAIL1)
                .build()
                .unwrap(),
        )
        .with_max_removal(0.9);
        let input = "Body text here.\nComments\nComments\n";
        let out = c.clean(input.as_bytes());
        assert_eq!(out.verdict, Verdict::Cleaned);
        assert_eq!(&*out.text, b"Body text here.\n");
        let got: Vec<(&str, &str)> = out
            .removals
            .iter()
            .map(|r| (r.rule.id.as_str(), &input[r.range.clone()]))
            .collect();
        assert_eq!(got, [("t.tail1", "Comments\n"), ("t.tail1", "Comments\n")]);
        assert_eq!(out.deleted, vec![Range { start: 16, end: 34 }]);
        // A cut sentence leaves a share label alone on its line: the second pass takes the line.
        let input = "Intro.\nSubscribe now! Share this article\nBody.\n";
        let out = c.clean(input.as_bytes());
        assert_eq!(&*out.text, b"Intro.\nBody.\n");
        let got: Vec<(&str, &str)> = out
            .removals
            .iter()
            .map(|r| (r.rule.id.as_str(), &input[r.range.clone()]))
            .collect();
        assert_eq!(
            got,
            [
                ("t.sentence", "Subscribe now!"),
                ("t.line", "Share this article\n")
            ]
        );
        assert_eq!(c.clean(&out.text).verdict, Verdict::Unchanged);
    }

    #[test]
    fn a_document_that_never_settles_is_refused() {
        let c = Cleaner::new(
            PatternSetBuilder::new()
                .add_str("t.toml", TAIL1)
                .build()
                .unwrap(),
        )
        .with_max_removal(0.9);
        let input = format!("{}\n{}", "Body text. ".repeat(20), "Comments\n".repeat(9));
        let out = c.clean(input.as_bytes());
        assert_eq!(out.verdict, Verdict::Refused);
        assert_eq!(&*out.text, input.as_bytes());
        assert_eq!(out.removals.len(), MAX_PASSES + 1);
        assert!(out.deleted.is_empty());
        assert_eq!(
            out.notices.last().unwrap().message,
            "cleaning did not settle after 8 passes (each removal exposed more chrome); \
             document left unchanged"
        );
        // One line fewer settles in the last allowed pass.
        let input = format!("{}\n{}", "Body text. ".repeat(20), "Comments\n".repeat(8));
        let out = c.clean(input.as_bytes());
        assert_eq!(out.verdict, Verdict::Cleaned);
        assert_eq!(
            String::from_utf8_lossy(&out.text),
            format!("{}\n", "Body text. ".repeat(20))
        );
    }

    #[test]
    fn the_guard_counts_every_pass() {
        let c = Cleaner::new(
            PatternSetBuilder::new()
                .add_str("t.toml", TAIL1)
                .build()
                .unwrap(),
        )
        .with_max_removal(0.5);
        // The first pass alone removes 9 of 34 characters; all passes together 18.
        let out = c.clean(b"Body text here.\nComments\nComments\n");
        assert_eq!(out.verdict, Verdict::Refused);
        assert_eq!(out.removals.len(), 2);
        assert!((out.removed_share - 18.0 / 34.0).abs() < 1e-9);
    }

    #[test]
    fn seams_after_several_removals() {
        let c = Cleaner::new(
            PatternSetBuilder::new()
                .add_str(
                    "t.toml",
                    r#"
[[rule]]
id = "t.line"
family = "share"
scope = "line"
phrases = ["share this article"]

[[rule]]
id = "t.sentence"
family = "share"
scope = "sentence"
phrases = ["share now"]
"#,
                )
                .build()
                .unwrap(),
        )
        .with_max_removal(1.0);
        let cases: &[(&str, &str)] = &[
            // No final newline: the terminator dropped is the last kept line's, also when an
            // earlier removal took the line before the last one.
            ("Body.\nShare this article\n\nShare this article", "Body."),
            ("Body.\n\nShare this article\n\nShare this article", "Body."),
            // Cuts that together empty a line take the whole line.
            ("Body.\nShare now. Share now. \nEnd.\n", "Body.\nEnd.\n"),
            ("Body.\nShare now. Share now. \nShare this article", "Body."),
            // Blank lines left leading the document go, through several removals.
            (
                "Share this article\n\nShare this article\n\n\nBody.\n",
                "Body.\n",
            ),
        ];
        for (input, expected) in cases {
            let out = c.clean(input.as_bytes());
            assert_eq!(String::from_utf8_lossy(&out.text), *expected, "{input:?}");
        }
    }

    #[test]
    fn public_types_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Cleaner>();
        check::<PatternSet>();
        check::<Outcome<'static>>();
    }
}
