//! The filter: from hits to removals, by scope, with seam repair and the removal guard.
//!
//! [`Cleaner::clean`] runs the whole pipeline on one document: [`detect`](crate::detect::detect)
//! finds hits, each rule's [`Scope`] turns qualifying hits into [`Removal`]s, overlapping removals
//! merge, seams are repaired (no blank-line run or dangling space that a removal created, the
//! presence or absence of a final newline kept), and the guard refuses a document the rules would
//! gut. Every byte not removed is kept as it was.
//!
//! This module owns the passes: which scope judges each hit, in which order (line, sentence, tail
//! and block rules first; sections and threads once the lines those remove are known; runs last),
//! and the re-detection of a pass's output until nothing more goes. It must never decide a scope
//! itself, and never return bytes other than the input's less whole removals and their seams.
//! One file per scope family decides the ranges: `line.rs`, `sentence.rs`, `block.rs`, `tail.rs`,
//! `section.rs` (with threads) and `run.rs`; `doc.rs` describes the text they read, `seams.rs`
//! repairs what they leave, and `guard.rs` weighs it. The filter is pure: no I/O, no CLI types.

mod block;
mod context;
mod doc;
mod guard;
mod line;
mod model;
mod run;
mod seams;
mod section;
mod sentence;
mod shape;
mod tail;
#[cfg(test)]
mod testkit;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use crate::detect::{Hit, LineMemo, detect_after_cut, detect_for_cleaning_with};
use crate::error::Error;
use crate::model::{Features, Model};
use crate::patterns::{ActivePacks, PatternSet, Position, Role, Rule, Scope};

use doc::Doc;
pub(crate) use doc::{is_bullet, is_space_char, is_trailing_punct};
use guard::{guarded_share, removed_share};
use seams::{OffsetMap, delete, merge};

/// The default share of a document's paragraph text above which cleaning is refused.
pub const DEFAULT_MAX_REMOVAL: f64 = 0.8;

/// Most detection passes over one document (see [`Cleaner::clean`]).
pub const MAX_PASSES: usize = 8;

/// Cleans documents with one pattern set. Cheap to clone; share it across threads.
#[derive(Debug, Clone)]
pub struct Cleaner {
    set: PatternSet,
    max_removal: f64,
    /// The publisher [`Cleaner::clean`] names, if any (see [`Cleaner::with_publisher`]).
    publisher: Option<String>,
    /// The line model run after the rules, if any (see [`Cleaner::with_model`]).
    model: Option<Arc<Model>>,
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
            publisher: None,
            model: None,
        }
    }

    /// Names the publisher of every document [`Cleaner::clean`] cleans (a pack name, a publisher
    /// name, a host or a URL), as [`Cleaner::clean_for`] does for one document: only the packs it
    /// names apply, signatures or not. A name that names no pack of the set is refused, with the
    /// set's pack names in the message; `None` goes back to signatures.
    pub fn with_publisher(mut self, publisher: Option<&str>) -> Result<Self, Error> {
        if let Some(name) = publisher {
            self.set.check_publisher(name)?;
        }
        self.publisher = publisher.map(str::to_owned);
        Ok(self)
    }

    /// The publisher named by [`Cleaner::with_publisher`].
    pub fn publisher(&self) -> Option<&str> {
        self.publisher.as_deref()
    }

    /// Runs a line model (see [`crate::model`]) after the rules of each pass, on the short lines
    /// they kept; `None` (the default) runs none. Its removals are weighed by the guard like the
    /// rules'.
    pub fn with_model(mut self, model: Option<Model>) -> Self {
        self.model = model.filter(Model::can_remove).map(Arc::new);
        self
    }

    /// The line model in use, if any.
    pub fn model(&self) -> Option<&Model> {
        self.model.as_deref()
    }

    /// The line model's candidates in `text` (the short lines the first pass of the rules keeps)
    /// with their features: what training reads, computed as cleaning computes it.
    pub fn model_samples(&self, text: &[u8]) -> Vec<(Range<usize>, Features)> {
        let active = self.set.active_packs(text, None);
        let mut memo = LineMemo::default();
        let hits = detect_for_cleaning_with(&self.set, text, &mut memo);
        let doc = Doc::new(text);
        let (removals, _) = self.find_rules(&doc, hits, &active);
        doc.model_candidates(&removals)
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
    ///
    /// The publisher packs that apply are those [`Cleaner::with_publisher`] names, or, when it
    /// names none, those whose signature the document carries.
    pub fn clean<'a>(&self, text: &'a [u8]) -> Outcome<'a> {
        self.clean_for(text, self.publisher.as_deref())
    }

    /// Cleans one document of a named publisher: a pack name (`latimes`), a publisher name, a
    /// host or a URL. Of the publisher packs (see [`Pack`](crate::patterns::Pack)) only the ones
    /// it names apply; with `None`, those whose signature the document carries apply.
    pub fn clean_for<'a>(&self, text: &'a [u8], publisher: Option<&str>) -> Outcome<'a> {
        let mut memo = LineMemo::default();
        let (active, hits) =
            crate::detect::active_packs_and_hits(&self.set, text, publisher, &mut memo);
        self.clean_hits_with(Text::Bytes(Cow::Borrowed(text)), hits, memo, &active)
    }

    /// [`Cleaner::clean_for`] on text known to be UTF-8 (a JSONL record's decoded string): the
    /// passes read it as `str` with no check of their own, and so do they the text each pass
    /// leaves, since a removal cut at character boundaries leaves UTF-8.
    pub(crate) fn clean_str_for<'a>(&self, text: &'a str, publisher: Option<&str>) -> Outcome<'a> {
        let mut memo = LineMemo::default();
        let (active, hits) =
            crate::detect::active_packs_and_hits(&self.set, text.as_bytes(), publisher, &mut memo);
        self.clean_hits_with(Text::Str(Cow::Borrowed(text)), hits, memo, &active)
    }

    /// Cleans one document given the hits of its first detection pass (from
    /// [`detect`](crate::detect::detect) or [`detect_for_cleaning`]); later passes use
    /// [`detect_for_cleaning`].
    #[cfg(test)]
    pub(crate) fn clean_hits<'a>(&self, text: &'a [u8], hits: Vec<Hit>) -> Outcome<'a> {
        let active = self.set.active_packs(text, None);
        self.clean_hits_with(
            Text::Bytes(Cow::Borrowed(text)),
            hits,
            LineMemo::default(),
            &active,
        )
    }

    /// [`Cleaner::clean_hits`] with the line-regex matches of the first pass in `memo`.
    fn clean_hits_with<'a>(
        &self,
        input: Text<'a>,
        hits: Vec<Hit>,
        mut memo: LineMemo,
        active: &ActivePacks,
    ) -> Outcome<'a> {
        let (text, doc): (&'a [u8], Doc<'a>) = match &input {
            Text::Str(Cow::Borrowed(s)) => (s.as_bytes(), Doc::new_str(s)),
            Text::Bytes(Cow::Borrowed(b)) => (b, Doc::new(b)),
            _ => unreachable!("the input is borrowed"),
        };
        let (mut removals, mut notices) = self.find_in(&doc, hits, active);
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
        // `cut`: what the latest pass deletes (its removals with their seams), in the coordinates
        // of `current`, the output of the passes before it, and found on the document that pass
        // read (seams depend on the lines alone); `removals` and `deleted` are in the
        // coordinates of `text`.
        let mut cut = doc.repair_seams(merge(removals.iter().map(|r| r.range.clone())));
        let mut current = input;
        let mut deleted: Vec<Range<usize>> = Vec::new();
        let mut passes = 1;
        // The guard weighs every pass against the input's prose lines, found once (the first pass
        // has already read them).
        let prose = doc.prose_spans();
        // What the pass read of its lines' own text, for the lines the next pass reads again.
        let mut carry = doc.carry();
        // The passes after the first read documents of their own.
        drop(doc);
        let mut guarded;
        loop {
            guarded = guarded_share(text, weighed(&removals), &prose);
            if guarded > self.max_removal {
                return refused(text, removals, notices, guarded);
            }
            let map = OffsetMap::new(&deleted, text.len());
            deleted = merge(deleted.into_iter().chain(cut.iter().map(|r| map.range(r))));
            current = current.delete(&cut);
            let mut doc = current.doc();
            doc.inherit(&carry, &cut);
            // Detection probes only the lines the cut changed (see `detect_after_cut`).
            let (more, more_notices) = self.find_in_again(
                &doc,
                detect_after_cut(&self.set, doc.text, &mut memo, &cut),
                active,
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
                let guarded = guarded_share(text, weighed(&removals), &prose);
                return refused(text, removals, notices, guarded);
            }
            passes += 1;
            cut = doc.repair_seams(merge(more.iter().map(|r| r.range.clone())));
            carry = doc.carry();
        }
        Outcome {
            text: current.into_bytes(),
            verdict: Verdict::Cleaned,
            deleted,
            removed_share: removed_share(text, weighed(&removals).map(|(r, _)| r), text.len()),
            guarded_share: guarded,
            removals,
            notices,
        }
    }

    /// One pass: the removals (sorted, one per span) and notices the hits of a document lead to,
    /// on the document split into lines (by no other pass): the rules, then the line model on
    /// the lines they kept.
    fn find_in(
        &self,
        doc: &Doc<'_>,
        hits: Vec<Hit>,
        active: &ActivePacks,
    ) -> (Vec<Removal>, Vec<Notice>) {
        let (mut removals, notices) = self.find_rules(doc, hits, active);
        if let Some(model) = &self.model {
            let before = removals.len();
            for (range, x) in doc.model_candidates(&removals) {
                let d = model.decide(&x);
                if d.score >= model.threshold {
                    removals.push(Removal {
                        rule: model::model_rule(d.explain()),
                        range,
                    });
                }
            }
            if removals.len() > before {
                removals.sort_by_key(|r| (r.range.start, r.range.end));
            }
        }
        (removals, notices)
    }

    /// [`Cleaner::find_in`] for the passes after the first, apart so that a profile tells them
    /// from the first.
    #[inline(never)]
    fn find_in_again(
        &self,
        doc: &Doc<'_>,
        hits: Vec<Hit>,
        active: &ActivePacks,
    ) -> (Vec<Removal>, Vec<Notice>) {
        self.find_in(doc, hits, active)
    }

    /// The rules' removals and notices in one pass.
    fn find_rules(
        &self,
        doc: &Doc<'_>,
        mut hits: Vec<Hit>,
        active: &ActivePacks,
    ) -> (Vec<Removal>, Vec<Notice>) {
        // The rules of publisher packs that do not apply to this document are not there at all.
        if self.set.has_packs() {
            hits.retain(|h| self.set.rule_applies(active, h.rule));
        }
        let applies = |i: &&usize| self.set.rule_applies(active, **i);
        let run_rules: Vec<usize> = self
            .set
            .inner()
            .run_rules
            .iter()
            .filter(applies)
            .copied()
            .collect();
        let run_rules = &run_rules;
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
        // A label among the items of a list that is not made of labels is one of its items.
        doc.keep_list_items(&mut removals);
        // The section rules read the lines that line rules remove as blank.
        let mut masked = vec![false; doc.lines.len()];
        for r in removals.iter().filter(|r| r.rule.scope == Scope::Line) {
            if doc.takes_whole_line(&r.range) {
                masked[doc.line_index(r.range.start)] = true;
            }
        }
        doc.masked
            .set(masked)
            .expect("each document is judged by one pass");
        // The lines that are a section's heading, whole: a box of other stories ends at the
        // next of them (the heading itself is judged by its own rule).
        let mut heads: Vec<usize> = sections
            .iter()
            .filter_map(|hit| {
                let idx = doc.line_index(hit.start);
                let t = doc.trimmed(&doc.lines[idx]);
                (!t.is_empty() && hit.start <= t.start && hit.end >= t.end).then_some(idx)
            })
            .collect();
        heads.sort_unstable();
        heads.dedup();
        for hit in sections {
            let rule = self.set.rule(hit.rule);
            if let Some(range) = doc.section_removal(hit, rule, &heads) {
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
        for &i in self.set.inner().opened_sections.iter().filter(applies) {
            let rule = self.set.rule(i);
            // A section from a line starts at that line: the first line that opens one is the
            // earliest, so each line is tried once, in order, until one does.
            let mut openers: Vec<usize> = removals
                .iter()
                .filter(|r| {
                    r.rule.scope == Scope::Line
                        && rule.opened_by.contains(&r.rule.family)
                        && doc.takes_whole_line(&r.range)
                })
                .map(|r| doc.line_index(r.range.start))
                .collect();
            openers.sort_unstable();
            openers.dedup();
            let opened = openers
                .into_iter()
                .find_map(|idx| doc.section_from(idx, rule.max_prose, rule.interleaved));
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
        // Headline lists between the menus the run rules above found.
        let between = |i: &&usize| self.set.rule(**i).position == Some(Position::BetweenMenus);
        if run_rules.iter().any(|i| between(&i)) {
            let menus: Vec<Range<usize>> = removals
                .iter()
                .filter(|r| {
                    r.rule.scope == Scope::Run
                        && matches!(
                            r.rule.position,
                            Some(Position::Head | Position::Preamble | Position::HeadBlock)
                        )
                })
                .map(|r| r.range.clone())
                .collect();
            if !menus.is_empty() {
                for &i in run_rules.iter().filter(between) {
                    let rule = self.set.rule(i);
                    for range in doc.between_menus(rule, &menus) {
                        removals.push(Removal {
                            rule: rule.clone(),
                            range,
                        });
                    }
                }
            }
        }
        removals.sort_by_key(|r| (r.range.start, r.range.end));
        // Several rules often remove the same span (a label in the generic set and in a publisher
        // pack): the removal names the first of them in set order, once.
        removals.dedup_by(|a, b| a.range == b.range);
        (removals, notices)
    }
}

/// A document's text between passes: as `str` while it is known to be UTF-8 (then the
/// passes check nothing), as bytes otherwise.
enum Text<'a> {
    Str(Cow<'a, str>),
    Bytes(Cow<'a, [u8]>),
}

impl<'a> Text<'a> {
    fn bytes(&self) -> &[u8] {
        match self {
            Text::Str(s) => s.as_bytes(),
            Text::Bytes(b) => b,
        }
    }

    /// The text split into lines, knowing it is UTF-8 when it is.
    fn doc(&self) -> Doc<'_> {
        match self {
            Text::Str(s) => Doc::new_str(s),
            Text::Bytes(b) => Doc::new(b),
        }
    }

    /// The text without `ranges` (sorted, disjoint). Cut at character boundaries, UTF-8 stays
    /// UTF-8; a cut inside a character (which no rule makes) leaves bytes.
    fn delete(&self, ranges: &[Range<usize>]) -> Text<'a> {
        if let Text::Str(s) = self
            && let Some(out) = delete_str(s, ranges)
        {
            return Text::Str(Cow::Owned(out));
        }
        Text::Bytes(Cow::Owned(delete(self.bytes(), ranges)))
    }

    fn into_bytes(self) -> Cow<'a, [u8]> {
        match self {
            Text::Str(Cow::Borrowed(s)) => Cow::Borrowed(s.as_bytes()),
            Text::Str(Cow::Owned(s)) => Cow::Owned(s.into_bytes()),
            Text::Bytes(b) => b,
        }
    }
}

/// `text` without `ranges` (sorted, disjoint), or `None` when one of them does not start or end
/// at a character boundary.
fn delete_str(text: &str, ranges: &[Range<usize>]) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in ranges {
        out.push_str(text.get(at..r.start)?);
        at = r.end;
    }
    out.push_str(text.get(at..)?);
    Some(out)
}

/// The removals as the guard weighs them: each one's bytes, and whether it is a comment thread's
/// (a `repeats` section, told by phrases: the text from there on does not count). A dated thread
/// (`position = "thread"`, told by shape alone) is weighed like any removal.
fn weighed(removals: &[Removal]) -> impl Iterator<Item = (Range<usize>, bool)> + Clone + '_ {
    removals.iter().map(|r| {
        let thread = r.rule.repeats > 0;
        (r.range.clone(), thread)
    })
}

/// A refused document: returned as it was, with what would have gone and the share the guard
/// weighed.
fn refused(text: &[u8], removals: Vec<Removal>, notices: Vec<Notice>, guarded: f64) -> Outcome<'_> {
    Outcome {
        text: Cow::Borrowed(text),
        removed_share: removed_share(text, weighed(&removals).map(|(r, _)| r), text.len()),
        guarded_share: guarded,
        removals,
        notices,
        verdict: Verdict::Refused,
        deleted: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::testkit::{TAIL1, cleaner, cleaner_from, removed};

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

    #[test]
    fn removals_that_expose_more_chrome_are_followed_up() {
        let c = cleaner_from("t.toml", TAIL1);
        let input = "Body text here.\nComments\nComments\n";
        let out = c.clean(input.as_bytes());
        assert_eq!(out.verdict, Verdict::Cleaned);
        assert_eq!(&*out.text, b"Body text here.\n");
        let got = removed(&out, input);
        assert_eq!(got, [("t.tail1", "Comments\n"), ("t.tail1", "Comments\n")]);
        assert_eq!(out.deleted, vec![Range { start: 16, end: 34 }]);
        // A cut sentence leaves a share label alone on its line: the second pass takes the line.
        let input = "Intro.\nSubscribe now! Share this article\nBody.\n";
        let out = c.clean(input.as_bytes());
        assert_eq!(&*out.text, b"Intro.\nBody.\n");
        let got = removed(&out, input);
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
        let c = cleaner_from("t.toml", TAIL1);
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
    fn public_types_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Cleaner>();
        check::<PatternSet>();
        check::<Outcome<'static>>();
    }
}

#[cfg(test)]
mod pack_tests {
    use super::*;

    #[test]
    fn a_publisher_pack_applies_when_named_or_signed() {
        let cleaner = Cleaner::new(PatternSet::builtin().unwrap());
        let text = "The bakery on the square sells out of its apple cake by noon every autumn day.\n\
                    Recipes\n\
                    Her book gathers forty of them, each one tested again in an ordinary home oven.\n";
        // No signature and no name: the Los Angeles Times pack stays out, the line stays.
        assert_eq!(cleaner.clean(text.as_bytes()).verdict, Verdict::Unchanged);
        // Named by host or URL: the pack applies.
        for name in [
            "latimes.com",
            "https://www.latimes.com/food/story.html",
            "latimes",
        ] {
            let out = cleaner.clean_for(text.as_bytes(), Some(name));
            assert_eq!(out.removals.len(), 1, "{name}");
            assert_eq!(out.removals[0].rule.id, "latimes.share.labels");
        }
        // Another publisher named: the pack stays out even with its signature in the text.
        let signed = format!("{text}Copyright \u{a9} 2019, Los Angeles Times\n");
        let out = cleaner.clean_for(signed.as_bytes(), Some("example.com"));
        assert!(out.removals.iter().all(|r| r.rule.pack.is_none()));
        // Signed, nothing named: the pack applies.
        let out = cleaner.clean(signed.as_bytes());
        assert!(
            out.removals
                .iter()
                .any(|r| r.rule.id == "latimes.share.labels")
        );
    }
}
