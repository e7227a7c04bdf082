//! The `line` scope: a hit makes its whole line chrome.
//!
//! Decides whether a hit covers its line (or starts a line short enough for the rule's
//! `max_chars`); the same test admits the headings of tails, sections and threads. It must never
//! take part of a line, nor a line whose text goes on past the phrase (a phrase inside prose).

use std::ops::Range;

use super::doc::{Context, Doc, Line, word_count};

/// Fewest words of a caption's sentences for a credit after them to go alone (see
/// [`Doc::trailing_credit`]): a label with a credit ("A plague doctor (Image: Getty)") goes whole.
const CAPTION_SENTENCE_WORDS: usize = 10;
use crate::detect::Hit;
use crate::patterns::Rule;

impl Doc<'_> {
    /// Does the hit make its line chrome: the whole line, or the start of a short one? The tests
    /// of the line's context are answered once per line, whichever rule asks first.
    pub(super) fn line_qualifies(&self, hit: &Hit, line: &Line, rule: &Rule) -> bool {
        if hit.end > line.end {
            return false;
        }
        let t = self.trimmed(line);
        if t.is_empty() || hit.start > t.start {
            return false;
        }
        // A line that carries on a sentence of hard-wrapped prose is no label, whatever it reads.
        let i = self.line_index(line.start);
        if self.context(i, Context::WrappedProse, || self.in_wrapped_prose(i)) {
            return false;
        }
        // A line between two table rows is a row or header of the table; an ad marker is chrome
        // wherever it stands (it interleaves ingredient lists and result tables).
        if rule.family != "ad" && self.context(i, Context::Table, || self.in_table(i)) {
            return false;
        }
        // A section name that opens a subsection of the article, or a cell of a table that a
        // prose line introduces, is article structure, not a menu or a widget.
        if rule.family == "navigation"
            && (self.context(i, Context::HeadsSection, || self.heads_section(i))
                || self.in_content_list(i))
        {
            return false;
        }
        if rule.family != "ad"
            && self.context(i, Context::IntroducedCells, || self.in_introduced_cells(i))
        {
            return false;
        }
        // A heading over a list of "Name: sentence." entries (a schedule, key dates) is the
        // article's.
        if rule.family == "related"
            && self.context(i, Context::KeyedSentences, || self.opens_keyed_sentences(i))
        {
            return false;
        }
        // The end of a sentence wrapped after a comma is no label either, nor the end of one
        // the line above leaves open (". 24 May 2021." under a reference cut after its title).
        if self.context(i, Context::WrappedSentence, || {
            self.ends_wrapped_sentence(i)
        }) || self.closes_line_above(i)
        {
            return false;
        }
        // Nor is the first word of a sentence the next line carries on, a line of dialogue, a
        // term of a glossary, a line of a stanza (ad markers aside: they stand anywhere), a navigation label that
        // introduces a list, or a caption that is a sentence about its picture.
        if rule.family != "ad"
            && (self.context(i, Context::CarriedSentence, || {
                self.opens_carried_sentence(i)
            }) || self.in_closed_list(i)
                || self.context(i, Context::Dialogue, || self.in_dialogue(i))
                || self.context(i, Context::DefinitionList, || self.in_definition_list(i))
                || self.context(i, Context::Verse, || self.in_verse(i)))
        {
            return false;
        }
        if rule.family == "navigation"
            && (self.context(i, Context::IntroducesList, || self.introduces_list(i))
                || self.context(i, Context::ClauseSentence, || self.is_clause_sentence(i)))
        {
            return false;
        }
        if rule.family == "caption"
            && self.context(i, Context::CaptionSentence, || self.is_caption_sentence(i))
        {
            return false;
        }
        // A date in a fact box is the value of its field.
        if rule.family == "timestamp"
            && self.context(i, Context::FieldValue, || self.is_field_value(i))
        {
            return false;
        }
        if hit.end >= t.end {
            return true;
        }
        rule.max_chars
            .is_some_and(|max| self.str_at(t.clone()).chars().count() <= max)
    }

    pub(super) fn line_removal(&self, hit: &Hit, rule: &Rule) -> Option<Range<usize>> {
        let line = self.lines[self.line_index(hit.start)];
        if !self.line_qualifies(hit, &line, rule) {
            return None;
        }
        // A caption written as sentences about its picture is the article's; only the credit in
        // brackets after its last sentence is chrome ("... in 2016. (Jane Doe / AP)").
        if rule.family == "caption"
            && let Some(credit) = self.trailing_credit(&line)
        {
            return Some(credit);
        }
        Some(line.start..line.end)
    }

    /// The bracketed credit that closes a caption of sentences: the last `(...)` group of the
    /// line, when what stands before it ends a sentence and holds at least
    /// [`CAPTION_SENTENCE_WORDS`] words. The span starts at the spaces before the bracket.
    fn trailing_credit(&self, line: &Line) -> Option<Range<usize>> {
        let t = self.trimmed_ws(line);
        let text = &self.text[t.clone()];
        if text.last() != Some(&b')') {
            return None;
        }
        let mut depth = 0usize;
        let mut open = None;
        for (k, &b) in text.iter().enumerate().rev() {
            if b == b')' {
                depth += 1;
            } else if b == b'(' {
                depth -= 1;
                if depth == 0 {
                    open = Some(k);
                    break;
                }
            }
        }
        let open = open?;
        let body = std::str::from_utf8(&text[..open]).ok()?.trim_end();
        let ends = body
            .trim_end_matches(['"', '\'', '\u{201d}', '\u{2019}', '\u{bb}'])
            .ends_with(['.', '!', '?']);
        if !ends || word_count(body, CAPTION_SENTENCE_WORDS) < CAPTION_SENTENCE_WORDS {
            return None;
        }
        Some(t.start + body.len()..t.end)
    }
}

#[cfg(test)]
mod tests {
    use crate::filter::testkit::{Case, check_cases, cleaner};

    /// (name, input, expected output, expected removals): the line scope.
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
    ];

    #[test]
    fn line_table() {
        check_cases(&cleaner(), CASES);
    }
}
