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
/// Fewest words of the text before a copyright notice on its line for that text to be a
/// paragraph that keeps its sentences (see [`Doc::notice_after_prose`]).
const PROSE_BEFORE_NOTICE_WORDS: usize = 12;
/// Longest notice, in bytes, that closes such a paragraph ("(c) 2016 The Example Gazette
/// Company. All rights reserved."): a longer tail is a block of legal text.
const NOTICE_TAIL_BYTES: usize = 160;

/// What marks a copyright notice, searched in ASCII-lower-cased text: the sign, `(c)` or
/// `copyright` before a year or a sign, or a rights-reserved sentence.
const NOTICE_PHRASES: &[&str] = &[
    "all rights reserved",
    "tous droits réservés",
    "alle rechte vorbehalten",
    "todos los derechos reservados",
    "todos os direitos reservados",
    "tutti i diritti riservati",
    "alle rechten voorbehouden",
    "prawa zastrzeżone",
    "práva vyhrazena",
    "alla rättigheter förbehållna",
    "alle rettigheder forbeholdes",
];

/// The searchers of [`notice_mark`], built once: a searcher costs more to build than a search
/// of a line takes.
struct NoticeFinders {
    /// The two signs (`©`, `Ⓒ`).
    signs: [memchr::memmem::Finder<'static>; 2],
    /// `(c)` and `copyright` (with their lengths), which mark a notice before a year or a sign.
    leads: [(usize, memchr::memmem::Finder<'static>); 2],
    /// [`NOTICE_PHRASES`].
    phrases: Vec<memchr::memmem::Finder<'static>>,
}

static NOTICE_FINDERS: std::sync::LazyLock<NoticeFinders> = std::sync::LazyLock::new(|| {
    use memchr::memmem::Finder;
    NoticeFinders {
        signs: [Finder::new("\u{a9}"), Finder::new("\u{24d2}")],
        leads: ["(c)", "copyright"].map(|l| (l.len(), Finder::new(l))),
        phrases: NOTICE_PHRASES.iter().map(Finder::new).collect(),
    }
});

/// The offset of the first notice mark in `lower` (ASCII-lower-cased).
fn notice_mark(lower: &[u8]) -> Option<usize> {
    use bstr::ByteSlice;
    let f = &*NOTICE_FINDERS;
    let mut first: Option<usize> = None;
    let mut note = |at: Option<usize>| {
        if let Some(at) = at {
            first = Some(first.map_or(at, |f| f.min(at)));
        }
    };
    for sign in &f.signs {
        note(sign.find(lower));
    }
    for (len, lead) in &f.leads {
        let mut from = 0;
        while let Some(k) = lead.find(&lower[from..]) {
            let at = from + k;
            let rest = lower[at + len..].trim_start_with(|c| c == ' ');
            if rest.first().is_some_and(u8::is_ascii_digit)
                || rest.starts_with("\u{a9}".as_bytes())
                || rest.starts_with(b"(c)")
            {
                note(Some(at));
                break;
            }
            from = at + len;
        }
    }
    for phrase in &f.phrases {
        note(phrase.find(lower));
    }
    first
}

/// Does `s` end a sentence (`.`, `!` or `?`, perhaps inside closing quotes or brackets)?
fn sentence_end_before(s: &[u8]) -> bool {
    let mut e = s.len();
    while e > 0 && matches!(s[e - 1], b'"' | b'\'' | b')' | b']') {
        e -= 1;
    }
    e > 0 && matches!(s[e - 1], b'.' | b'!' | b'?')
}

fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t'
}
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
        // The hit must take the whole line, or start a short one: asked first, since most hits
        // that fail do so here (a label that opens a long line), and the tests of the line's
        // context below are the costly part (every test is a pure function of the document, so
        // their order changes no answer).
        if hit.end < t.end
            && rule
                .max_chars
                .is_none_or(|max| self.str_at(t.clone()).chars().count() > max)
        {
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
        // On a privacy policy or terms page, its title, its paragraphs and its subheadings are
        // the text, however legal they read.
        if rule.family != "ad" && (self.in_legal_text(i) || self.names_code_below(i)) {
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
        true
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
        // A paragraph that closes with a copyright notice keeps its sentences: only the notice
        // and what follows it go ("... the vote is on Monday. (c) 2016 X. All rights reserved.").
        if rule.family == "copyright"
            && let Some(start) = self.notice_after_prose(&line)
        {
            return Some(start..line.content_end);
        }
        Some(line.start..line.end)
    }

    /// Where a copyright notice starts on a line that holds prose before it: the start of the
    /// first sentence carrying a notice mark (`©`, `(c) 2016`, `Copyright 2016`, "All rights
    /// reserved" in the languages of the built-in set), when the text before that sentence ends
    /// a sentence, holds at least [`PROSE_BEFORE_NOTICE_WORDS`] words and no footer bar (`|`,
    /// `·`), and the notice closes the line within [`NOTICE_TAIL_BYTES`]. A footer whose links
    /// precede the notice, a notice that opens its line, or a block of legal text that goes on
    /// past the notice (data vendors' terms), goes whole.
    fn notice_after_prose(&self, line: &Line) -> Option<usize> {
        let t = self.trimmed_ws(line);
        let text = &self.text[t.clone()];
        let lower = text.to_ascii_lowercase();
        let mark = notice_mark(&lower)?;
        // Back to the start of the sentence that holds the mark.
        let mut start = mark;
        while start > 0 {
            let b = text[start - 1];
            if is_space(b) && start >= 2 && sentence_end_before(&text[..start - 1]) {
                break;
            }
            start -= 1;
        }
        if start == 0 {
            return None;
        }
        let before = std::str::from_utf8(&text[..start]).ok()?.trim_end();
        if before.contains(['|', '\u{b7}'])
            || word_count(before, PROSE_BEFORE_NOTICE_WORDS) < PROSE_BEFORE_NOTICE_WORDS
            || text.len() - before.len() > NOTICE_TAIL_BYTES
        {
            return None;
        }
        Some(t.start + before.len())
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

    /// [`super::notice_mark`] as first written (a searcher built per search).
    fn notice_mark_reference(lower: &[u8]) -> Option<usize> {
        use bstr::ByteSlice;
        let mut first: Option<usize> = None;
        let mut note = |at: Option<usize>| {
            if let Some(at) = at {
                first = Some(first.map_or(at, |f| f.min(at)));
            }
        };
        note(lower.find("\u{a9}"));
        note(lower.find("\u{24d2}"));
        for lead in ["(c)", "copyright"] {
            let mut from = 0;
            while let Some(k) = lower[from..].find(lead) {
                let at = from + k;
                let rest = lower[at + lead.len()..].trim_start_with(|c| c == ' ');
                if rest.first().is_some_and(u8::is_ascii_digit)
                    || rest.starts_with("\u{a9}".as_bytes())
                    || rest.starts_with(b"(c)")
                {
                    note(Some(at));
                    break;
                }
                from = at + lead.len();
            }
        }
        for phrase in super::NOTICE_PHRASES {
            note(lower.find(phrase));
        }
        first
    }

    #[test]
    fn notice_mark_finds_as_the_reference() {
        let mut lines: Vec<Vec<u8>> = crate::filter::testkit::fixture_lines();
        for s in [
            "the vote is on monday. (c) 2016 x. all rights reserved.",
            "(c)(c) copyright copyright \u{a9} 2019",
            "copyright (c) 2014 ietf",
            "copyright  \u{a9}x (c)   7",
            "(c)copyright2020",
            "x \u{24d2} y tous droits réservés",
            "práva vyhrazena, alle rechten voorbehouden (c)",
            "copyrigh (c x",
            "",
        ] {
            lines.push(s.as_bytes().to_vec());
        }
        let mut found = 0;
        for line in &lines {
            let lower = line.to_ascii_lowercase();
            let want = notice_mark_reference(&lower);
            assert_eq!(
                super::notice_mark(&lower),
                want,
                "{:?}",
                String::from_utf8_lossy(line)
            );
            found += usize::from(want.is_some());
        }
        assert!(found >= 8, "{found}");
    }
}
