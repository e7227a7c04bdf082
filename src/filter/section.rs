//! The `section` scope and its threads: a heading (or a chain of comment entries) and everything
//! after it, when what follows reads as a list.
//!
//! Decides from the prose index whether the text after a heading is a list of other stories, a
//! footer or a comment thread. A section never takes a paragraph that continues the article: it
//! needs prose before it, no prose line at its edges, few or only teaser-length prose lines, and a
//! thread needs its `repeats` different entries.

use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::Range;

use super::doc::{Context, Doc, word_count};
use super::shape;
use crate::detect::Hit;
use crate::patterns::Rule;

/// Words a paragraph after a related box needs to read as a sentence of the article, not a headline.
const BOX_SENTENCE_WORDS: usize = 5;

/// Most headline lines a related box inside an article holds (see `Doc::box_end`).
const BOX_MAX_HEADLINES: usize = 40;

/// Fewest headlines of a box of other stories that ends at the next section heading (see
/// [`Doc::card_box`]): a heading over one or two short lines may be the article's.
const BOX_MIN_HEADLINES: usize = 3;

/// Fewest prose lines before such a box: menus above the article hold a line or two of prose
/// between their headings, and the article's title among them.
const BOX_PROSE_BEFORE: usize = 3;

/// Most prose lines between two entries of a dated thread (a comment of a few paragraphs), and
/// after its last entry (see [`Doc::stamp_thread`]).
const STAMP_GAP: usize = 6;

/// Different names a dated thread needs: a programme of two days repeats its two day names.
const STAMP_MIN_NAMES: usize = 3;

/// Different writers' names on their own entry lines that make a thread of any length (see
/// [`Doc::stamp_thread`]).
const STAMP_MANY_NAMES: usize = 5;

/// Headlines over a teaser that make a list longer than the article above it a list of other
/// stories (see [`Doc::teaser_cards_after`]).
const CARD_PAIRS: usize = 3;

/// Times the same mark recurs on such cards: one short line (a source, a section name) or lines
/// that line rules remove (time stamps, sponsor labels).
const CARD_MARKS: usize = 3;

/// Most lines of a card (headline, teaser, marks): a product list has many feature lines to a
/// description sentence.
const CARD_LINES: usize = 5;

/// Most words of a card's headline, and of a line that can be its repeated mark.
const CARD_HEADLINE_WORDS: usize = 15;

/// Fewest words of a card's teaser (as of a prose line).
const CARD_TEASER_WORDS: usize = 8;

/// For each line `i`, what the lines `i..` hold of cards of other stories (see
/// [`Doc::teaser_cards_after`]), computed once per document from the end.
pub(super) struct CardIndex {
    /// `pairs_from[i]`: teasers right under a headline among lines `i..`.
    pairs_from: Vec<usize>,
    /// `masked_from[i]`: lines that line rules remove among lines `i..`.
    masked_from: Vec<usize>,
    /// `filled_from[i]`: lines that are not blank among lines `i..`.
    filled_from: Vec<usize>,
    /// The last line `i` such that lines `i..` hold one short line [`CARD_MARKS`] times (0: none).
    repeat_until: usize,
    /// The teaser lines of the headline-over-teaser pairs with no removed line between the two,
    /// in order.
    teasers: Vec<usize>,
    /// `pair_at_from[i]`: the first line at or after `i` where two prose lines stand together
    /// (blank and removed lines aside), or the number of lines.
    pair_at_from: Vec<usize>,
}

/// Cards a run of cards needs when its teasers may be long (see [`Doc::card_run_after`]).
const CARD_RUN: usize = 4;

/// A run of cards may hold one teaser too long for a teaser (see [`TEASER_CHARS`](super::doc::TEASER_CHARS))
/// to this many cards: an agency's cards print a long summary now and then, an article's
/// sections under subheadings are mostly long paragraphs.
const CARD_LONG_SHARE: usize = 3;

/// Prose lines a run of cards may leave after its last teaser (a footer's paragraph or two).
const CARD_AFTER_PROSE: usize = 2;

/// Most words of the name line under a bare time stamp (`6:32 PM`, then `Anonymous`).
const STAMP_NAME_WORDS: usize = 5;

/// Numeric time stamps of comment entries, in any language: a date of digits with a four-digit
/// year (`2016/07/05`, `05.07.2016`, `7/5/2016`, `7/5/16`), a time with its am/pm mark, or a
/// line that is only a time. A bare `3:16` inside a line (a verse, a ratio) is none.
static STAMP: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?ix)
        (?:^|[^\d.:/-])(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{4}|\d{1,2}/\d{1,2}/\d{2})(?:[^\d./-]|$)
        | (?:^|[^\d:])\d{1,2}:\d{2}\s?[ap]\.?m(?:\.|\b)
        | ^\s*\d{1,2}:\d{2}(?::\d{2})?\s*$",
    )
    .expect("the stamp pattern compiles")
});

/// Does `s` hold a time stamp (see [`STAMP`])? A menu item holds none: `Sunday 4:00 pm` is a line
/// of a programme.
pub(super) fn has_stamp(s: &str) -> bool {
    could_be_stamp(s.as_bytes()) && STAMP.is_match(s)
}

/// Whether [`STAMP`] can match `s` at all (a digit of another script, and a space of another
/// script, are not ASCII: any byte that is not ASCII counts as a digit here). Each form holds a
/// digit, one of `-./:` and a digit, in a row; and after it, past the digits, a date holds a
/// second separator and a digit, a time its `a` or `p` (one ASCII whitespace byte between at most), and a
/// bare time nothing but digits, colons and spaces. Most lines hold none of these, and the regex
/// costs thousands of instructions a line.
fn could_be_stamp(s: &[u8]) -> bool {
    let digit = |b: u8| b.is_ascii_digit() || !b.is_ascii();
    let date_mark = |b: u8| matches!(b, b'-' | b'.' | b'/');
    // A bare time: digits, colons and spaces alone (control bytes counted as spaces).
    let bare = || s.iter().all(|&b| digit(b) || b == b':' || b <= b' ');
    for i in 1..s.len().saturating_sub(1) {
        let mark = s[i];
        if !(date_mark(mark) || mark == b':') || !digit(s[i - 1]) || !digit(s[i + 1]) {
            continue;
        }
        let mut j = i + 1;
        while j < s.len() && digit(s[j]) {
            j += 1;
        }
        if date_mark(mark) {
            if j + 1 < s.len() && date_mark(s[j]) && digit(s[j + 1]) {
                return true;
            }
        } else {
            if s.get(j)
                .is_some_and(|b| b.is_ascii_whitespace() || *b == 0x0b)
            {
                j += 1;
            }
            if s.get(j)
                .is_some_and(|b| matches!(b, b'a' | b'A' | b'p' | b'P'))
                || bare()
            {
                return true;
            }
        }
    }
    false
}

/// What names the writer of a dated entry: the entry line without its digits, stamp marks and
/// am/pm, in lower case (`#25 ann on 2016/07/05 18:11` gives `ann on`).
fn stamp_signature(s: &str) -> String {
    s.split_whitespace()
        .filter(|w| {
            let w = w
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase();
            !matches!(w.as_str(), "am" | "pm" | "a.m" | "p.m")
        })
        .map(|w| {
            w.chars()
                .filter(|c| !c.is_ascii_digit() && !"/:.-#,|•·()[]@".contains(*c))
                .collect::<String>()
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether the characters of `s` (a line's trimmed text) may make a writer's name: each word
/// capitalised, no digit and no punctuation but `.`, `'`, `’` and `-`, and no final `.`.
/// One pass over the characters, stopping at the first that tells (most lines are dismissed by
/// their first character or their first word).
fn name_chars(s: &str) -> bool {
    let mut word_start = true;
    for c in s.chars() {
        if c.is_whitespace() {
            word_start = true;
            continue;
        }
        if std::mem::take(&mut word_start) && !c.is_uppercase() {
            return false;
        }
        if !(c.is_alphabetic() || matches!(c, '.' | '\'' | '’' | '-')) {
            return false;
        }
    }
    !s.ends_with('.')
}

/// The most words of a subheading that a box's line over a teaser may not have: such a line
/// over a sentence heads a part of the article, not a card.
const BOX_SUBHEADING_WORDS: usize = 3;

/// Whether `s` is a label that points to one story from inside an article ("See also",
/// "Read more:", "Lesen Sie auch", "Lire aussi"), not a box's heading.
fn inline_label(s: &str) -> bool {
    let s = s
        .trim()
        .trim_end_matches([':', '\u{ff1a}', '.', '…'])
        .trim()
        .to_lowercase();
    matches!(
        s.as_str(),
        "see also"
            | "read more"
            | "read also"
            | "also read"
            | "lesen sie auch"
            | "lesen sie mehr"
            | "lire aussi"
            | "à lire aussi"
            | "a lire aussi"
            | "voir aussi"
            | "lee también"
            | "leer más"
            | "leggi anche"
            | "lees ook"
    )
}

/// How many non-blank lines above a name thread tell what it is (a comments heading right above
/// it, or an intro that announces an interview, a debate, an excerpt or letters).
const NAME_INTRO_LINES: usize = 3;

/// Whether `s` is a comments heading or count ("12 Comments", "Leave a Reply", "Kommentare").
fn comments_heading(s: &str) -> bool {
    let s = s.trim().to_lowercase();
    let rest = s.trim_start_matches(|c: char| c.is_ascii_digit()).trim();
    let counted = rest.len() < s.len();
    let noun = rest.split_whitespace().next().unwrap_or("");
    (counted
        && matches!(
            noun,
            "comment"
                | "comments"
                | "thought"
                | "thoughts"
                | "response"
                | "responses"
                | "reply"
                | "replies"
                | "kommentar"
                | "kommentare"
                | "commentaire"
                | "commentaires"
                | "comentario"
                | "comentarios"
                | "commenti"
                | "reacties"
        ))
        || matches!(
            s.trim_end_matches([':', '.']),
            "comments"
                | "leave a reply"
                | "leave a comment"
                | "reader comments"
                | "kommentare"
                | "commentaires"
                | "comentarios"
                | "commenti"
                | "reacties"
        )
}

/// Whether an intro line announces speakers or writers whose names follow: an interview, a
/// conversation, a debate, a transcript, an excerpt, letters.
fn announces_speakers(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "interview",
        "transcript",
        "excerpt",
        "conversation",
        "debate",
        "letters",
        "gespräch",
        "auszug",
        "auszügen",
        "leserbrief",
        "zuschrift",
        "debatte",
        "diskussion",
        "débat",
        "entretien",
        "extrait",
        "courrier des lecteurs",
        "entrevista",
        "intervista",
    ];
    let s = s.to_lowercase();
    WORDS.iter().any(|w| s.contains(w))
}

/// A hash of the lowercase form of a text, from its bytes: ASCII letters count in lower case
/// (the bytes of a text's `to_lowercase`, or of an ASCII text itself).
fn form_hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Counts of lines by their text's lowercase form, as a map from that form to its count
/// would give them, with no form copied for most lines: each hash keeps the first line counted
/// under it (whose form is compared again, from the text), and a form whose hash another took
/// first is counted under its own copy.
struct FormCounts {
    /// The hash of the lowercase forms.
    hash: fn(&[u8]) -> u64,
    /// Per hash: the first line counted under it, and the lines of that line's form.
    first: std::collections::HashMap<u64, (usize, usize), crate::detect::BuildLineHash>,
    /// The lines of each form whose hash another form took first.
    others: std::collections::HashMap<String, usize, crate::detect::BuildLineHash>,
}

impl FormCounts {
    fn new(hash: fn(&[u8]) -> u64) -> Self {
        FormCounts {
            hash,
            first: std::collections::HashMap::default(),
            others: std::collections::HashMap::default(),
        }
    }

    /// Counts line `i` of text `t` (`text` gives the text of a line counted before) and returns
    /// the lines counted so far with its lowercase form.
    fn count<'t>(&mut self, i: usize, t: &str, text: impl Fn(usize) -> Cow<'t, str>) -> usize {
        // ASCII lowercases to ASCII, byte for byte.
        let lower = (!t.is_ascii()).then(|| t.to_lowercase());
        let form = lower.as_deref().unwrap_or(t);
        let (j, count) = self
            .first
            .entry((self.hash)(form.as_bytes()))
            .or_insert((i, 0));
        let same = *j == i || {
            let u = text(*j);
            if lower.is_none() && u.is_ascii() {
                u.eq_ignore_ascii_case(t)
            } else {
                // Both forms are in lower case but an ASCII text's own (`form`), whose letters
                // count in lower case.
                u.to_lowercase().eq_ignore_ascii_case(form)
            }
        };
        if same {
            *count += 1;
            return *count;
        }
        let key = lower.unwrap_or_else(|| t.to_ascii_lowercase());
        let count = self.others.entry(key).or_insert(0);
        *count += 1;
        *count
    }
}

impl Doc<'_> {
    /// A section heading and all that follows it, when the heading has prose before it and what
    /// follows reads as a list: its first and last lines are not prose and it holds at most
    /// `max_prose` prose lines (a list of other stories with a teaser or two, a footer).
    ///
    /// `heads` are the lines that open sections (sorted): with `interleaved`, a list that does
    /// not reach the end may still go up to the next of them (see [`Doc::card_box`]).
    pub(super) fn section_removal(
        &self,
        hit: &Hit,
        rule: &Rule,
        heads: &[usize],
    ) -> Option<Range<usize>> {
        let idx = self.line_index(hit.start);
        let line = self.lines[idx];
        if !self.line_qualifies(hit, &line, rule) {
            return None;
        }
        self.section_from(idx, rule.max_prose, rule.interleaved)
            .or_else(|| {
                rule.interleaved
                    .then(|| self.card_box(idx, heads))
                    .flatten()
            })
    }

    /// A box of other stories between two section headings: from heading `idx` up to the first
    /// of `heads` after it, when every line between (blank and removed lines aside) is a
    /// headline (not prose, at most [`CARD_HEADLINE_WORDS`] words, no sentence end or colon) or
    /// a teaser right under one (a prose line short enough for a teaser), with at least
    /// [`BOX_MIN_HEADLINES`] headlines and either no prose at all (a list of headlines) or a
    /// teaser under each of [`CARD_PAIRS`] headlines or more (cards), after an article of at
    /// least [`BOX_PROSE_BEFORE`] prose lines and no shorter than the box's prose. A paragraph
    /// of the article's own (two prose lines together, a long one, a line of a sentence's length
    /// that is no prose, a lone prose line such as a bio under a list, a subheading of at most
    /// [`BOX_SUBHEADING_WORDS`] words over a sentence) keeps the box; so does a box that runs to
    /// the end without a heading after it, which `section_from` alone judges, and one opened by
    /// an inline label ("See also", "Lesen Sie auch").
    fn card_box(&self, idx: usize, heads: &[usize]) -> Option<Range<usize>> {
        let p = self.prose_index();
        let end = *heads.get(heads.partition_point(|&h| h <= idx))?;
        if p.before[idx] < BOX_PROSE_BEFORE || end - idx > 2 * BOX_MAX_HEADLINES {
            return None;
        }
        // A label that points to one story inside the article ("See also", "Lesen Sie auch")
        // opens no box: the lines up to the next heading may be the article's own.
        if inline_label(&self.str_at(self.trimmed_ws(&self.lines[idx]))) {
            return None;
        }
        let masked = |i: usize| self.masked.get().is_some_and(|m| m[i]);
        let (mut headlines, mut teasers) = (0, 0);
        let mut under_headline = false;
        for j in idx + 1..end {
            let line = &self.lines[j];
            if masked(j) || self.is_blank(line) {
                continue;
            }
            if p.is_prose[j] {
                if !under_headline || self.is_long(line) {
                    return None;
                }
                under_headline = false;
                teasers += 1;
            } else {
                let s = self.str_at(self.trimmed_ws(line));
                let words = word_count(&s, CARD_HEADLINE_WORDS + 1);
                if s.ends_with(['.', ',', ';', ':', '\u{ff1a}'])
                    || shape::ends_sentence(&s)
                    || words > CARD_HEADLINE_WORDS
                {
                    return None;
                }
                // A subheading of a word or three over a sentence ("The cost") is the
                // article's; a card's headline tells its story.
                if words <= BOX_SUBHEADING_WORDS
                    && (j + 1..end)
                        .find(|&k| !masked(k) && !self.is_blank(&self.lines[k]))
                        .is_some_and(|k| {
                            p.is_prose[k]
                                && shape::ends_sentence(
                                    &self.str_at(self.trimmed_ws(&self.lines[k])),
                                )
                        })
                {
                    return None;
                }
                headlines += 1;
                under_headline = true;
            }
        }
        let in_box = p.chars_before[end] - p.chars_before[idx + 1];
        (headlines >= BOX_MIN_HEADLINES
            && (teasers == 0 || teasers >= CARD_PAIRS)
            && in_box <= p.chars_before[idx]
            && !self.opens_on_content(idx)
            && !self.in_content_list(idx))
        .then(|| self.lines[idx].start..self.lines[end].start)
    }

    /// A thread (comments under the article): from the first of the entry lines `entries`
    /// (sorted line indices) that chain to the end, each at most `max_prose` prose lines after
    /// the one before and the end at most that far after the last, when the chain holds at least
    /// `repeats` different entries (an interview repeats its few speakers' names) and prose stands
    /// before it.
    pub(super) fn thread_removal(&self, entries: &[usize], rule: &Rule) -> Option<Range<usize>> {
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

    /// Does line `i`'s text (without surrounding whitespace) hold a time stamp (see
    /// [`has_stamp`])? Found once per line and carried to the next pass.
    pub(super) fn stamp_at(&self, i: usize) -> bool {
        self.context(i, Context::Stamp, || {
            has_stamp(&self.str_at(self.trimmed_ws(&self.lines[i])))
        })
    }

    /// Do line `i`'s characters (without surrounding whitespace) make a writer's name (see
    /// [`name_chars`])? Found once per line and carried to the next pass.
    pub(super) fn name_chars_at(&self, i: usize) -> bool {
        self.context(i, Context::NameChars, || {
            name_chars(&self.str_at(self.trimmed_ws(&self.lines[i])))
        })
    }

    /// The thread entries chained to the end of the document: from the last entry back, each
    /// at most [`STAMP_GAP`] prose lines before the next (the last before the end), without the
    /// entries before any prose (the article's own dated byline: the thread starts after it);
    /// `None` when fewer than the rule's `min_lines` remain.
    fn chain_to_end(
        &self,
        entries: impl DoubleEndedIterator<Item = usize>,
        rule: &Rule,
    ) -> Option<Vec<usize>> {
        let p = self.prose_index();
        let mut chain: Vec<usize> = Vec::new();
        for i in entries.rev() {
            let gap = match chain.last() {
                None => p.before[self.lines.len()] - p.before[i + 1],
                Some(&next) => p.before[next] - p.before[i + 1],
            };
            if gap > STAMP_GAP {
                break;
            }
            chain.push(i);
        }
        chain.reverse();
        let skip = chain.iter().position(|&i| p.before[i] > 0)?;
        chain.drain(..skip);
        (chain.len() >= rule.min_lines).then_some(chain)
    }

    /// A comment thread told by its dated entry lines, with no phrase (see [`STAMP`]): entry lines
    /// (at most `max_words` words and `max_chars` characters, no prose, no sentence end) that
    /// chain to the end with at most [`STAMP_GAP`] prose lines between them, from the first of
    /// them with prose before it. It needs `min_lines` entries, a name that repeats (a writer who
    /// answers twice; a bare time takes its name from the short line under it) among at least
    /// [`STAMP_MIN_NAMES`] different ones (dated releases repeat one name, a programme its days), and no more
    /// than twice as many prose lines as the article before it (a live blog is mostly entries)
    /// unless [`STAMP_MANY_NAMES`] writers sign their own entry lines.
    pub(super) fn stamp_thread(&self, rule: &Rule) -> Option<Range<usize>> {
        let n = self.lines.len();
        let max_chars = rule.max_chars.unwrap_or(Rule::DEFAULT_RUN_CHARS);
        let text = |i: usize| self.str_at(self.trimmed_ws(&self.lines[i]));
        let masked = |i: usize| self.masked.get().is_some_and(|m| m[i]);
        // Only lines short enough for an entry are decoded and matched, and the prose index is
        // built only for a document with entries enough (most have none).
        let entries: Vec<usize> = (0..n)
            .filter(|&i| {
                let line = &self.lines[i];
                if masked(i) || line.content_end - line.start > 4 * max_chars {
                    return false;
                }
                let s = text(i);
                !s.is_empty()
                    && self.chars_at_most(i, max_chars)
                    && !s.ends_with(['.', '!', '?', ',', ';'])
                    && self.words(i, rule.max_words + 1) <= rule.max_words
                    && self.stamp_at(i)
            })
            .collect();
        if entries.len() < rule.min_lines {
            return None;
        }
        let raw = self.raw_prose();
        let p = self.prose_index();
        let chain =
            self.chain_to_end(entries.iter().copied().filter(|&i| raw[i].is_none()), rule)?;
        let chain = &chain[..];
        let &first = chain.first()?;
        // A list of dates that ends an article (key dates, a timetable) is entries alone, and
        // is introduced by a line ending in `:`; comments have bodies under most entries.
        if (0..first)
            .rev()
            .map(text)
            .find(|t| !t.is_empty())
            .is_some_and(|t| t.ends_with([':', '：']))
        {
            return None;
        }
        let bodies = chain
            .iter()
            .enumerate()
            .filter(|&(k, &i)| {
                let end = chain.get(k + 1).copied().unwrap_or(n);
                let bare = stamp_signature(&text(i))
                    .chars()
                    .filter(|c| c.is_alphabetic())
                    .count()
                    < 2;
                // A bare stamp's next line is its writer's name, not a body.
                (i + 1..end)
                    .filter(|&j| !text(j).is_empty())
                    .nth(usize::from(bare))
                    .is_some()
            })
            .count();
        if 2 * bodies < chain.len() {
            return None;
        }
        // Each entry's name; `inline` stays true while every entry carries its own.
        let mut inline = true;
        let mut names: Vec<String> = chain
            .iter()
            .filter_map(|&i| {
                let sig = stamp_signature(&text(i));
                if sig.chars().filter(|c| c.is_alphabetic()).count() >= 2 {
                    return Some(sig);
                }
                // A bare stamp: the writer's name is the short line under it.
                inline = false;
                let j = p.next[i + 1]?;
                let name = text(j);
                (raw[j].is_none()
                    && name.chars().count() <= max_chars
                    && word_count(&name, STAMP_NAME_WORDS + 1) <= STAMP_NAME_WORDS)
                    .then(|| name.to_lowercase())
            })
            .collect();
        names.sort_unstable();
        let total = names.len();
        names.dedup();
        // Comments are not much longer than the article above them, unless many writers sign
        // them on their own entry lines (a live blog's few reporters never make so many names).
        let short = p.before[n] - p.before[first] <= 2 * p.before[first];
        let many = inline && names.len() >= STAMP_MANY_NAMES;
        (names.len() >= STAMP_MIN_NAMES && names.len() < total && (short || many))
            .then(|| self.lines[first].start..self.text.len())
    }

    /// A comment thread told by its writers' names, with no date and no phrase: entry lines
    /// (a name of at most `max_words` words and `max_chars` characters, each word capitalised,
    /// no digit and no punctuation but `.`, `'` and `-`) each over a body (a prose line or one
    /// ending a sentence, not another name), that chain to the end with at most [`STAMP_GAP`]
    /// prose lines between them, from the first with prose before it. It needs `min_lines`
    /// entries, [`STAMP_MIN_NAMES`] different names, a name of two words or more that repeats (the
    /// writer who answers the others), at most half of the names found in the text above the
    /// thread (an interview or a transcript introduces its speakers), and no more than twice
    /// as many prose lines as the article before it. A transcript, a play or a letters page
    /// sets names over text too: the thread needs comment marks (removed lines between most
    /// names and their text) or a comments heading right above it, and no intro announcing an
    /// interview, a debate, an excerpt or letters.
    pub(super) fn name_thread(&self, rule: &Rule) -> Option<Range<usize>> {
        let n = self.lines.len();
        let max_chars = rule.max_chars.unwrap_or(Rule::DEFAULT_RUN_CHARS);
        let text = |i: usize| self.str_at(self.trimmed_ws(&self.lines[i]));
        let masked = |i: usize| self.masked.get().is_some_and(|m| m[i]);
        let name_shaped = |i: usize| {
            let line = &self.lines[i];
            if masked(i) || line.content_end - line.start > 4 * max_chars {
                return false;
            }
            // The counts are kept per line, and so is the answer of the text's characters.
            !self.is_blank(line)
                && self.chars_at_most(i, max_chars)
                && self.words(i, rule.max_words + 1) <= rule.max_words
                && self.name_chars_at(i)
        };
        // Each name over its body: the next line that is neither blank nor removed. The prose
        // index is built only for a document with entries enough (most have none).
        // Whether a line reads as prose is known for every line once a rule of this pass has
        // asked (`Doc::raw_prose`); the costlier name test comes last.
        let body = |j: usize| {
            let t = text(j);
            let prose = match self.raw_prose.get() {
                Some(raw) => raw[j].is_some(),
                None => shape::reads_as_prose(&t),
            };
            prose || (shape::ends_sentence(&t) && !name_shaped(j))
        };
        let entries: Vec<usize> = (0..n)
            .filter(|&i| {
                name_shaped(i)
                    && (i + 1..n)
                        .find(|&j| !masked(j) && !self.is_blank(&self.lines[j]))
                        .is_some_and(body)
            })
            .collect();
        if entries.len() < rule.min_lines {
            return None;
        }
        let p = self.prose_index();
        let chain = self.chain_to_end(entries.iter().copied(), rule)?;
        let chain = &chain[..];
        let &first = chain.first()?;
        // A comment carries marks between its writer's name and its text (a date, a time, reply
        // and like controls: lines the line rules remove), or the thread opens under a comments
        // heading. A transcript, a play or a letters page has names over text alone.
        let marked = chain
            .iter()
            .filter(|&&i| {
                (i + 1..n)
                    .take_while(|&j| masked(j) || self.is_blank(&self.lines[j]))
                    .any(masked)
            })
            .count();
        let above_lines: Vec<usize> = (0..first)
            .rev()
            .filter(|&j| !self.is_blank(&self.lines[j]))
            .take(NAME_INTRO_LINES)
            .collect();
        let headed = above_lines
            .first()
            .is_some_and(|&j| comments_heading(&text(j)));
        if 2 * marked < chain.len() && !headed {
            return None;
        }
        // The text just above announces a conversation or a selection of letters.
        let intro = above_lines
            .iter()
            .filter(|&&j| !masked(j))
            .map(|&j| text(j));
        for (k, t) in intro.enumerate() {
            if (k == 0 && t.ends_with([':', '\u{ff1a}'])) || announces_speakers(&t) {
                return None;
            }
        }
        let mut names: Vec<String> = chain.iter().map(|&i| text(i).to_lowercase()).collect();
        names.sort_unstable();
        let repeated = names
            .windows(2)
            .any(|w| w[0] == w[1] && w[0].split_whitespace().nth(1).is_some());
        names.dedup();
        // The words of the text above, once: a name is known when its surname (a last word of
        // four letters or more) or each of its words stands there.
        let above: HashSet<String> = self
            .str_at(self.body_start..self.lines[first].start)
            .split(|c: char| !c.is_alphabetic() && !matches!(c, '\'' | '’' | '-'))
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        let known = names
            .iter()
            .filter(|name| {
                let words: Vec<&str> = name.split_whitespace().collect();
                words
                    .last()
                    .is_some_and(|w| w.chars().count() >= 4 && above.contains(*w))
                    || words.iter().all(|w| above.contains(*w))
            })
            .count();
        let short = p.before[n] - p.before[first] <= 2 * p.before[first];
        (names.len() >= STAMP_MIN_NAMES && repeated && 2 * known <= names.len() && short)
            .then(|| self.lines[first].start..self.text.len())
    }

    /// From line `idx` to the end, when prose stands before it and what follows reads as a list.
    pub(super) fn section_from(
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
        // A run of cards may end the document on its last teaser (its marks and the footer
        // removed): `card_run_after` weighs what stands after that teaser.
        let list = (edges
            && ((after <= max_prose && long == 0 && self.no_more_prose_than_before(idx))
                || (interleaved && long <= usize::from(after > 1) && self.interleaved_after(idx))))
            || (interleaved && !first_is_prose && self.card_run_after(idx));
        // A table or code right under the heading is the article's, and so is what follows (the
        // costlier test, made only of a heading the counts above let through).
        if p.before[idx] == 0 || !list || self.opens_on_content(idx) || self.in_content_list(idx) {
            return None;
        }
        let end = self.box_end(idx).unwrap_or(self.text.len());
        Some(self.lines[idx].start..end)
    }

    /// Where a box opened by heading `idx` ends when a paragraph that continues the article
    /// follows it: the heading, a run of at least two headline lines (none ends a sentence), a
    /// blank line, then a sentence of at least [`BOX_SENTENCE_WORDS`] words. The article's last
    /// paragraph after a related box inside it is no headline of the box, so the box stops there;
    /// what follows the paragraph (a share bar) is left to the rules of its own.
    fn box_end(&self, idx: usize) -> Option<usize> {
        let text = |j: usize| self.str_at(self.trimmed_ws(&self.lines[j]));
        let blank = |j: usize| self.is_blank(&self.lines[j]);
        let n = self.lines.len();
        let mut j = idx + 1;
        if j < n && blank(j) {
            j += 1;
        }
        let items = j;
        while j < n && !blank(j) {
            // A box inside an article holds a handful of headlines; a longer run is not one, and
            // stopping here keeps a document of many labels linear.
            if j - items >= BOX_MAX_HEADLINES {
                return None;
            }
            let t = text(j);
            // The prose test of this very text, computed once per document.
            if shape::ends_sentence(&t) || self.raw_prose()[j].is_some() {
                return None;
            }
            j += 1;
        }
        if j - items < 2 {
            return None;
        }
        while j < n && blank(j) {
            j += 1;
        }
        let t = (j < n).then(|| text(j))?;
        (shape::ends_sentence(&t) && word_count(&t, BOX_SENTENCE_WORDS) >= BOX_SENTENCE_WORDS)
            .then(|| self.lines[j].start)
    }

    /// Does what follows line `idx` alternate like a list of headlines with teasers (no two prose
    /// lines in a row), and is it no longer than the text before it (a long product list or
    /// interview that makes up the article stays) or made of cards of other stories?
    pub(super) fn interleaved_after(&self, idx: usize) -> bool {
        !self.prose_index().pair_from[idx + 1]
            && (self.shorter_than_before(idx) || self.teaser_cards_after(idx))
    }

    /// Do the lines after line `idx` read as cards of other stories, however long against the
    /// article above them: at least [`CARD_PAIRS`] headlines (at most [`CARD_HEADLINE_WORDS`]
    /// words, no sentence end) each right over a teaser (a prose line, or a line of eight words or
    /// more cut short or too long for a headline), and a mark the cards
    /// repeat at least [`CARD_MARKS`] times: the same short line (the source or section of each
    /// story) or lines that line rules remove (each card's time stamp); at most [`CARD_LINES`]
    /// lines to a card. A product list has many feature lines to a sentence; an article's
    /// subheadings repeat no line.
    fn teaser_cards_after(&self, idx: usize) -> bool {
        let c = self.cards.get_or_init(|| self.card_index());
        let from = idx + 1;
        c.pairs_from[from] >= CARD_PAIRS
            && c.pairs_from[from] * CARD_LINES >= c.filled_from[from]
            && (c.masked_from[from] >= CARD_MARKS || (c.repeat_until >= from && c.repeat_until > 0))
    }

    /// Do the lines after line `idx` hold a run of cards of other stories that ends the
    /// document, whatever the length of their teasers: at least [`CARD_RUN`] headlines each right
    /// over a teaser, at most [`CARD_LINES`] lines to a card from the first line after `idx` to
    /// the last teaser, a mark the cards repeat (as [`Doc::teaser_cards_after`]), no two prose
    /// lines together before the last teaser, at most one long teaser in [`CARD_LONG_SHARE`]
    /// cards, and after the last teaser at most [`CARD_AFTER_PROSE`] prose lines with a line of
    /// another kind last (a footer's paragraphs over its links), or no prose at all. The repeated
    /// shape outweighs the length of a teaser; an article's sections have no marks, or paragraphs
    /// of their own.
    fn card_run_after(&self, idx: usize) -> bool {
        let c = self.cards.get_or_init(|| self.card_index());
        let p = self.prose_index();
        let from = idx + 1;
        let cards = &c.teasers[c.teasers.partition_point(|&t| t < from)..];
        let (Some(&last), true) = (cards.last(), cards.len() >= CARD_RUN) else {
            return false;
        };
        let filled = c.filled_from[from] - c.filled_from[last + 1];
        let masked = c.masked_from[from] - c.masked_from[last + 1];
        let long = p.long_from[from] - p.long_from[last + 1];
        let marked = masked >= CARD_MARKS || (c.repeat_until >= from && c.repeat_until > 0);
        cards.len() * CARD_LINES >= filled
            && marked
            && long * CARD_LONG_SHARE <= cards.len()
            && c.pair_at_from[from] >= last
            && match p.before[self.lines.len()] - p.before[last + 1] {
                0 => true,
                after => after <= CARD_AFTER_PROSE && p.last.is_some_and(|l| !p.is_prose[l]),
            }
    }

    /// The [`CardIndex`] of the document.
    fn card_index(&self) -> CardIndex {
        let n = self.lines.len();
        let p = self.prose_index();
        let masked = |i: usize| self.masked.get().is_some_and(|m| m[i]);
        let text = |i: usize| self.str_at(self.trimmed_ws(&self.lines[i]));
        // Words as `word_count` counts them on the trimmed text, kept per line across passes.
        let headline = |i: usize| {
            !p.is_prose[i]
                && !text(i).ends_with(['.', ',', ';', ':', '\u{ff1a}'])
                && self.words(i, CARD_HEADLINE_WORDS + 1) <= CARD_HEADLINE_WORDS
        };
        // A teaser: prose, or a line of a sentence's length cut short (`…`) or too long for a
        // headline.
        let teaser = |i: usize| {
            p.is_prose[i]
                || (!masked(i)
                    && self.words(i, CARD_TEASER_WORDS) >= CARD_TEASER_WORDS
                    && !headline(i))
        };
        let mut pairs_from = vec![0; n + 1];
        let mut masked_from = vec![0; n + 1];
        let mut filled_from = vec![0; n + 1];
        // The line above each line, blank and removed lines aside.
        let mut above: Option<usize> = None;
        let mut above_of = vec![None; n];
        // The line right above each line, removed lines counted: a teaser of a run of cards
        // stands right under its headline (a date between them makes an entry of a timeline).
        let mut right_above: Option<usize> = None;
        let mut right_above_of = vec![None; n];
        for (i, (slot, right)) in above_of.iter_mut().zip(&mut right_above_of).enumerate() {
            *slot = above;
            *right = right_above;
            if !self.is_blank(&self.lines[i]) {
                right_above = Some(i);
                if !masked(i) {
                    above = Some(i);
                }
            }
        }
        let mut repeats = FormCounts::new(form_hash);
        let mut repeat_until = 0;
        let mut teasers = Vec::new();
        let mut pair_at_from = vec![n; n + 1];
        for i in (0..n).rev() {
            let pair = teaser(i) && above_of[i].is_some_and(headline);
            if pair && right_above_of[i] == above_of[i] {
                teasers.push(i);
            }
            pair_at_from[i] = if p.is_prose[i] && p.next[i + 1].is_some_and(|j| p.is_prose[j]) {
                i
            } else {
                pair_at_from[i + 1]
            };
            pairs_from[i] = pairs_from[i + 1] + usize::from(pair);
            masked_from[i] = masked_from[i + 1] + usize::from(masked(i));
            filled_from[i] = filled_from[i + 1] + usize::from(!self.is_blank(&self.lines[i]));
            if repeat_until == 0
                && !masked(i)
                && !self.is_blank(&self.lines[i])
                && !p.is_prose[i]
                && headline(i)
                && repeats.count(i, &text(i), text) >= CARD_MARKS
            {
                repeat_until = i;
            }
        }
        teasers.reverse();
        CardIndex {
            pairs_from,
            masked_from,
            filled_from,
            repeat_until,
            teasers,
            pair_at_from,
        }
    }

    /// Do the prose lines after line `idx` hold no more characters than those before it (teasers
    /// under a heading are shorter than the article above them)?
    pub(super) fn no_more_prose_than_before(&self, idx: usize) -> bool {
        let p = self.prose_index();
        let before = p.chars_before[idx];
        p.chars_before[self.lines.len()] - p.chars_before[idx + 1] <= before
    }

    /// Is the text from line `idx` on no longer than the text before it?
    pub(super) fn shorter_than_before(&self, idx: usize) -> bool {
        let start = self.lines[idx].start;
        self.text.len() - start <= start - self.body_start
    }
}

#[cfg(test)]
mod tests {
    use super::{STAMP, has_stamp};
    use crate::filter::Verdict;
    use crate::filter::doc::TEASER_CHARS;
    use crate::filter::testkit::{cleaner_from, fixture_texts, removed};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// Soundness of the cheap test before the stamp regex: a line it turns away never holds
        /// a stamp.
        #[test]
        fn a_line_with_a_stamp_passes_the_cheap_test(
            parts in proptest::collection::vec(
                prop_oneof![
                    "[0-9]{1,4}", "[٣５]{1,2}", "[:/.-]", "[ \t\u{b}\u{c}]",
                    " ?[apAP]\\.?[mM]\\.?", "[éxa]", "\u{202f}|\u{a0}|\u{85}",
                ],
                0..10,
            ),
        ) {
            let s = parts.concat();
            if super::STAMP.is_match(&s) {
                prop_assert!(super::could_be_stamp(s.as_bytes()), "{s:?} holds a stamp");
            }
        }

        /// The card index counts a line's words with `Doc::words` (kept per line): the count
        /// `word_count` gives on the line's trimmed text, invalid UTF-8 and all.
        #[test]
        fn kept_word_counts_are_those_of_the_trimmed_text(
            parts in proptest::collection::vec(
                prop_oneof![
                    "[a-zA-Z]{1,5}", "[ \t\n]", "\u{a0}|\u{3000}|\u{85}", "[中文]",
                    "\u{ff1a}|\u{2026}", Just("\u{fffd}".to_string()),
                ],
                0..24,
            ),
            invalid in proptest::option::of(0usize..40),
        ) {
            let mut bytes = parts.concat().into_bytes();
            if let Some(at) = invalid {
                bytes.insert(at.min(bytes.len()), 0xE4);
            }
            let doc = crate::filter::doc::Doc::new(&bytes);
            for i in 0..doc.lines.len() {
                let text = doc.str_at(doc.trimmed_ws(&doc.lines[i]));
                for cap in [3, 8, 16] {
                    prop_assert_eq!(
                        doc.words(i, cap),
                        super::word_count(&text, cap),
                        "{:?} line {} cap {}", bytes, i, cap
                    );
                }
            }
        }
    }

    /// [`super::name_chars`] as it was: every word capitalised, then every character allowed.
    fn name_chars_reference(s: &str) -> bool {
        s.split_whitespace()
            .all(|w| w.chars().next().is_some_and(char::is_uppercase))
            && s.chars().all(|c| {
                c.is_alphabetic() || c.is_whitespace() || matches!(c, '.' | '\'' | '’' | '-')
            })
            && !s.ends_with('.')
    }

    /// Characters of names and near misses: both cases (ASCII and not), spaces of several kinds,
    /// the allowed marks, a digit, a comma, a title-case letter, a lowercase letter that is not
    /// ASCII.
    const NAME_CHARS: &[char] = &[
        'A', 'b', 'Z', 'q', '\u{c9}', '\u{e9}', '\u{1c5}', '\u{3a9}', '\u{3c9}', ' ', '\t',
        '\u{a0}', '\u{2003}', '\u{b}', '.', '\'', '’', '-', '7', ',', '\u{5d0}',
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        /// The one-pass name test agrees with the two-pass one.
        #[test]
        fn name_chars_agrees_with_its_reference(
            picks in proptest::collection::vec(0..NAME_CHARS.len(), 0..12)
        ) {
            let s: String = picks.iter().map(|&k| NAME_CHARS[k]).collect();
            prop_assert_eq!(super::name_chars(&s), name_chars_reference(&s), "{:?}", s);
        }
    }

    #[test]
    fn name_chars_examples() {
        for (s, name) in [
            ("Jane Doe", true),
            ("Ann O'Neil-Smith", true),
            ("J. R. Hartley", true),
            ("Jane doe", false),
            ("Jane Doe.", false),
            ("Jane Doe 2", false),
            ("\u{c9}lodie Br\u{fc}ck", true),
            ("\u{5d0}\u{5d1}", false),
            ("", true),
        ] {
            assert_eq!(super::name_chars(s), name, "{s:?}");
            assert_eq!(name_chars_reference(s), name, "{s:?}");
        }
    }

    /// Texts of repeated marks: cases, the Kelvin sign (it lowercases to `k`), a final sigma.
    const FORMS: &[&str] = &[
        "ap",
        "AP",
        "Ap",
        "k",
        "K",
        "\u{212a}",
        "\u{3a3}",
        "\u{3c3}",
        "a\u{3a3}",
        "A\u{3c2}",
        "",
        "Reuters",
        "REUTERS",
        "\u{e9}t\u{e9}",
        "\u{c9}T\u{c9}",
    ];

    /// The counts of [`super::FormCounts`], from a map of each text's lowercase form, under the
    /// real hash and under one that makes most forms collide.
    fn form_counts_agree(texts: &[&str]) {
        for hash in [super::form_hash as fn(&[u8]) -> u64, |b: &[u8]| {
            b.len() as u64 % 3
        }] {
            let mut counts = super::FormCounts::new(hash);
            let mut reference: std::collections::HashMap<String, usize> = Default::default();
            for (i, t) in texts.iter().enumerate() {
                let want = reference.entry(t.to_lowercase()).or_insert(0);
                *want += 1;
                let got = counts.count(i, t, |j| std::borrow::Cow::Borrowed(texts[j]));
                assert_eq!(got, *want, "{texts:?} at {i}");
            }
        }
    }

    proptest! {
        #[test]
        fn form_counts_are_those_of_a_map_of_lowercase_forms(
            picks in proptest::collection::vec(0..FORMS.len(), 0..30)
        ) {
            let texts: Vec<&str> = picks.iter().map(|&k| FORMS[k]).collect();
            form_counts_agree(&texts);
        }
    }

    #[test]
    fn form_counts_of_every_fixture_line() {
        for text in fixture_texts() {
            let text = String::from_utf8_lossy(&text).into_owned();
            let lines: Vec<&str> = text.lines().map(str::trim).collect();
            form_counts_agree(&lines);
        }
    }

    /// A name thread reads a body's prose from `Doc::raw_prose` once it is built: the same answer
    /// as the prose test of the line's trimmed text it replaces.
    #[test]
    fn raw_prose_answers_as_the_prose_test_of_the_trimmed_text() {
        for text in fixture_texts() {
            let doc = crate::filter::doc::Doc::new(&text);
            for (j, raw) in doc.raw_prose().iter().enumerate() {
                let t = doc.str_at(doc.trimmed_ws(&doc.lines[j]));
                assert_eq!(
                    raw.is_some(),
                    crate::filter::shape::reads_as_prose(&t),
                    "{t:?}"
                );
            }
        }
    }

    #[test]
    fn the_stamp_prefilter_passes_every_stamp() {
        let mut lines: Vec<String> = [
            "2016/07/05",
            "05.07.2016 ann",
            "7/5/16",
            "6:32 PM",
            "at 6:32pm",
            "  12:05  ",
            "\u{661}\u{662}:\u{663}\u{664}",
            "\u{ff11}:\u{ff12}\u{ff13}",
            "no stamp here",
            "3:16",
        ]
        .map(String::from)
        .to_vec();
        for text in fixture_texts() {
            lines.extend(String::from_utf8_lossy(&text).lines().map(String::from));
        }
        let mut stamps = 0;
        for l in &lines {
            let matched = STAMP.is_match(l);
            assert_eq!(has_stamp(l), matched, "{l:?}");
            stamps += usize::from(matched);
        }
        assert!(stamps >= 6, "{stamps} stamps");
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
    fn name_threads_need_an_answering_writer_and_names_the_article_does_not_introduce() {
        let rules = r#"
[[rule]]
id = "s.names"
family = "comments"
scope = "run"
position = "name-thread"
min_lines = 4
max_words = 4
max_chars = 40
"#;
        let c = cleaner_from("s.toml", rules);
        let article = "The council voted on Tuesday to keep the old bridge open for now.\n\
            Engineers will inspect it again in the spring before a final decision.\n\
            Drivers were told to expect delays while the inspection lasts.\n\
            The mayor said the vote showed how much the town cares about the bridge.\n";
        let thread = "Ann Example\nI cross it every day, so this is very good news.\n\
            Jane Roe\nThanks, Ann. We will keep you posted on the inspection.\n\
            Bo\nWill the footpath on the north side stay open too?\n\
            Jane Roe\nYes, the footpath stays open for the whole time.\n";
        let heading = "4 Comments\n";
        let input = format!("{article}{heading}{thread}");
        let out = c.clean(input.as_bytes());
        assert_eq!(
            String::from_utf8_lossy(&out.text),
            format!("{article}{heading}")
        );
        assert_eq!(removed(&out, &input), [("s.names", thread)]);
        // No comments heading and no marks between the names and their text: a transcript, a
        // play or a letters page may look the same.
        let input = format!("{article}{thread}");
        assert_eq!(c.clean(input.as_bytes()).verdict, Verdict::Unchanged);
        // An intro that announces a conversation keeps it, heading or not.
        let talk = "We print the conversation in full.\n";
        let input = format!("{article}{talk}{heading}{thread}");
        assert_eq!(c.clean(input.as_bytes()).verdict, Verdict::Unchanged);
        // No writer answers twice: names over paragraphs may be the article's sections.
        let once = thread.replace("Jane Roe\nYes", "Tom Doe\nYes");
        let input = format!("{article}{heading}{once}");
        assert_eq!(c.clean(input.as_bytes()).verdict, Verdict::Unchanged);
        // The one who repeats has a single word ("Pros", "Cons" over each product's lines).
        let single = thread.replace("Jane Roe", "Pros");
        let input = format!("{article}{heading}{single}");
        assert_eq!(c.clean(input.as_bytes()).verdict, Verdict::Unchanged);
        // The article introduces the speakers, by their surnames alone: not comments.
        let intro = "Ms Example and Ms Roe spoke to Bo about the bridge.\n";
        let input = format!("{intro}{article}{heading}{thread}");
        assert_eq!(c.clean(input.as_bytes()).verdict, Verdict::Unchanged);
        // The thread is longer than twice the article above it.
        let input = format!(
            "{}{heading}{thread}{thread}",
            &article[..article.find('\n').unwrap() + 1]
        );
        assert_eq!(c.clean(input.as_bytes()).verdict, Verdict::Unchanged);
    }

    #[test]
    fn boxes_of_other_stories_end_at_the_next_heading() {
        let rules = r#"
[[rule]]
id = "s.more"
family = "related"
scope = "section"
phrases = ["More stories", "Most read", "Comments"]
max_prose = 0
interleaved = true
"#;
        let c = cleaner_from("s.toml", rules);
        let p1 = "The council voted on Tuesday to keep the old bridge open for now.";
        let p2 = "Engineers will inspect it again in the spring before a final decision.";
        let p3 = "Drivers were told to expect delays while the inspection lasts.";
        let article = format!("{p1}\n{p2}\n{p3}\n");
        let teaser = "Ferries stay in port as the first winter storm reaches the coast.";
        // Glued headline and teaser lines: two prose lines together, which no rule takes.
        let glued = "Most read\nBus fares rise The operator blames the price of fuel.\nLibrary opens on Sundays The branch adds four hours a week.\n";
        let heads = "Storm closes harbour\nSchool wins chess title\nMarket hall reopens\n";
        let clean = |input: &str| {
            let out = c.clean(input.as_bytes());
            (
                String::from_utf8_lossy(&out.text).into_owned(),
                removed(&out, input)
                    .into_iter()
                    .map(|(id, s)| (id.to_string(), s.to_string()))
                    .collect::<Vec<_>>(),
            )
        };
        // Three headlines up to the next heading: the box goes, the rest stays.
        let list = format!("{article}More stories\n{heads}{glued}");
        assert_eq!(
            clean(&list),
            (
                format!("{article}{glued}"),
                vec![("s.more".into(), format!("More stories\n{heads}"))]
            )
        );
        // Cards: three headlines each over a teaser.
        let cards = format!(
            "{article}More stories\nStorm closes the harbour again\n{teaser}\nSchool wins chess title\n{teaser}\nMarket hall reopens in spring\n{teaser}\n{glued}"
        );
        let box_text = &cards[article.len()..cards.find("Most read").unwrap()];
        assert_eq!(
            clean(&cards),
            (
                format!("{article}{glued}"),
                vec![("s.more".into(), box_text.to_string())]
            )
        );
        // A subheading of three words or fewer over a sentence is the article's own.
        let parts = cards.replace("Storm closes the harbour again", "The cost");
        assert_eq!(clean(&parts), (parts.clone(), vec![]));
        // Two headlines: a heading of the article over two lines may be its own.
        let two = format!(
            "{article}More stories\nStorm closes harbour\nSchool wins chess title\n{glued}"
        );
        assert_eq!(clean(&two), (two.clone(), vec![]));
        // A lone teaser under the list (a bio): the box stays.
        let bio = format!("{article}More stories\n{heads}{teaser}\n{glued}");
        assert_eq!(clean(&bio), (bio.clone(), vec![]));
        // Two prose lines together in the box: article text under a subheading.
        let prose = format!("{article}More stories\n{heads}{p1}\n{p2}\n{glued}");
        assert_eq!(clean(&prose), (prose.clone(), vec![]));
        // Fewer than three prose lines above the heading: menus above the article.
        let menus = format!("{p1}\n{p2}\nMore stories\n{heads}{glued}");
        assert_eq!(clean(&menus), (menus.clone(), vec![]));
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
    fn cards_of_other_stories_go_however_long() {
        let rules = r#"
[[rule]]
id = "s.more"
family = "related"
scope = "section"
phrases = ["More stories", "Mehr zum Thema"]
max_prose = 0
interleaved = true

[[rule]]
id = "s.stamp"
family = "timestamp"
scope = "line"
regexes = ['^\d+[hm] ago$', '^vor \d+ (minuten|stunden)$']
"#;
        let c = cleaner_from("s.toml", rules);
        let p1 = "The council voted on Tuesday to keep the old bridge open for now.";
        let cards = [
            (
                "Storm closes harbour",
                "Ferries stay in port as the first winter storm reaches the coast.",
            ),
            (
                "School wins chess title",
                "Pupils from the old town beat twelve schools at the county final.",
            ),
            (
                "Market hall reopens",
                "Traders return to the hall after two years of repairs to the roof.",
            ),
            (
                "Bus fares to rise",
                "Tickets will cost ten cents more from March, the operator said today.",
            ),
        ];
        let list = |mark: &dyn Fn(usize) -> String| -> String {
            cards
                .iter()
                .enumerate()
                .map(|(k, (h, t))| format!("{h}\n{t}\n{}\n", mark(k)))
                .collect()
        };
        // Four headlines over teasers, each with its source: longer than the article, they go.
        let sourced = list(&|_| "Coast Courier".to_string());
        let input = format!("{p1}\nMore stories\n{sourced}");
        let out = c.clean(input.as_bytes());
        assert_eq!(removed(&out, &input), [("s.more", &input[p1.len() + 1..])]);
        // Each with a time stamp that a line rule removes: they go too (a footer line ends the
        // page: a teaser may not be the last line).
        let stamped = list(&|k| format!("{}h ago", k + 1));
        let input = format!("{p1}\nMore stories\n{stamped}About us\n");
        let out = c.clean(input.as_bytes());
        assert_eq!(String::from_utf8_lossy(&out.text), format!("{p1}\n"));
        // No mark that repeats: headlines over paragraphs that make up the article, they stay.
        let bare = list(&|k| format!("Part {}", ["one", "two", "three", "four"][k]));
        let input = format!("{p1}\nMore stories\n{bare}");
        assert_eq!(c.clean(input.as_bytes()).verdict, Verdict::Unchanged);
        // A product list: a name, a sentence and many feature lines each, with a repeated "Buy
        // now": too many lines to a card, it stays.
        let features = "Water resistant\nTwo year warranty\nFits all models\nCharges in an hour\nWeighs 200 grams\n";
        let products: String = cards
            .iter()
            .map(|(h, t)| format!("{h}\n{t}\n{features}Buy now\n"))
            .collect();
        let input = format!("{p1}\nMore stories\n{products}");
        assert_eq!(c.clean(input.as_bytes()).verdict, Verdict::Unchanged);
        // German cards with their stamps.
        let de =
            "Die Gemeinde hat am Dienstag beschlossen, die alte Brücke vorerst offen zu halten.";
        let input = format!(
            "{de}\nMehr zum Thema\nSturm legt Hafen lahm\nDie Fähren bleiben im Hafen, weil der erste Wintersturm die Küste erreicht.\nvor 5 Minuten\nSchule gewinnt Schachtitel\nSchüler aus der Altstadt schlagen zwölf Schulen im Kreisfinale der Saison.\nvor 2 Stunden\nMarkthalle öffnet wieder\nDie Händler kehren nach zwei Jahren Reparaturen am Dach in die Halle zurück.\nvor 3 Stunden\nImpressum\n"
        );
        let out = c.clean(input.as_bytes());
        assert_eq!(String::from_utf8_lossy(&out.text), format!("{de}\n"));
    }

    #[test]
    fn a_run_of_stamped_cards_outweighs_long_teasers() {
        let rules = r#"
[[rule]]
id = "s.more"
family = "related"
scope = "section"
phrases = ["More stories"]
max_prose = 0
interleaved = true

[[rule]]
id = "s.stamp"
family = "timestamp"
scope = "line"
regexes = ['^\d+h ago$', '^photo: .+$']
"#;
        let c = cleaner_from("s.toml", rules);
        let p1 = "The council voted on Tuesday to keep the old bridge open for now.";
        let p2 = "Engineers will inspect it again in the spring before a final decision.";
        let short = "Ferries stay in port as the first winter storm reaches the coast.";
        // A teaser of more than TEASER_CHARS characters, ending like a sentence.
        let long = format!(
            "{} The harbour master said.",
            "Traders return to the market hall after two years of repairs to its roof. ".repeat(4)
        );
        assert!(long.chars().count() > TEASER_CHARS);
        let card =
            |k: usize, teaser: &str| format!("Headline number {k} here\n{teaser}\n{k}h ago\n");
        // Six stamped cards, two of them with long teasers, then a footer link: the old guard
        // (one long teaser at most) kept them; the repeated shape takes them.
        let cards: String = (1..=6)
            .map(|k| card(k, if k % 3 == 0 { &long } else { short }))
            .collect();
        let input = format!("{p1}\n{p2}\nMore stories\n{cards}About us\n");
        let out = c.clean(input.as_bytes());
        assert_eq!(String::from_utf8_lossy(&out.text), format!("{p1}\n{p2}\n"));
        assert_eq!(removed(&out, &input)[0].0, "s.more");
        // The last teaser may end the document once its stamp is removed.
        let input = format!("{p1}\n{p2}\nMore stories\n{cards}");
        let out = c.clean(input.as_bytes());
        assert_eq!(String::from_utf8_lossy(&out.text), format!("{p1}\n{p2}\n"));
        // Sections of the article under subheadings, each with a photo credit: mostly long
        // paragraphs, they stay (only the credits go).
        let sections: String = (1..=4)
            .map(|k| format!("Part {k} of the day\nPhoto: Ann Carver\n{long}\n"))
            .collect();
        let input = format!("{p1}\n{p2}\nMore stories\n{sections}About us\n");
        let out = c.clean(input.as_bytes());
        assert!(String::from_utf8_lossy(&out.text).contains(&long));
        assert!(removed(&out, &input).iter().all(|(id, _)| *id == "s.stamp"));
        // The article goes on after the cards (three paragraphs): all stays but the stamps.
        let short_cards: String = (1..=4).map(|k| card(k, short)).collect();
        let input = format!("{p1}\nMore stories\n{short_cards}{p2}\n{p1}\n{p2}\nAbout us\n");
        let out = c.clean(input.as_bytes());
        assert!(removed(&out, &input).iter().all(|(id, _)| *id == "s.stamp"));
        // Three cards are too few once teasers may be long.
        let three: String = (1..=3).map(|k| card(k, &long)).collect();
        let input = format!("{p1}\n{p2}\nMore stories\n{three}About us\n");
        let out = c.clean(input.as_bytes());
        assert!(removed(&out, &input).iter().all(|(id, _)| *id == "s.stamp"));
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
        let got = removed(&out, &input);
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
    fn stamp_threads_need_names_that_repeat_and_an_article_before_them() {
        let rules = r#"
[[rule]]
id = "s.stamps"
family = "comments"
scope = "run"
position = "thread"
min_lines = 4
max_words = 16
max_chars = 60
"#;
        let c = cleaner_from("s.toml", rules);
        let p1 = "The council voted on Tuesday to keep the old bridge open for another year.";
        let p2 = "Engineers will inspect the piers again in the spring before a final decision.";
        let p3 = "Traders on both banks said the vote saved their busiest months of the year.";
        let article =
            format!("Bridge stays open\nBy Ann Carver 2021/03/02 10:15\n{p1}\n{p2}\n{p3}\n");
        // Bare times, each over its writer's name; one writer answers twice.
        let thread = "8:14 PM\nDana\nAbout time they listened to us.\n9:02 PM\nAnonymous\nWho pays for the inspection?\n9:40 PM\nLee K.\nGood news for the market.\n10:05 PM\nAnonymous\nStill no answer on the cost.\n";
        let input = format!("{article}{thread}");
        let out = c.clean(input.as_bytes());
        assert_eq!(removed(&out, &input), [("s.stamps", thread)]);
        // Names on the entry lines, in Chinese; the article's dated byline, with no prose above
        // it, is not an entry of the thread.
        let zh = "#1 小林 於 2020/03/02 21:15\n好美的地方\n作者 於 2020/03/03 08:10 回覆\n謝謝你\n#2 阿明 於 2020/03/04 12:01\n想去看看\n作者 於 2020/03/05 09:30 回覆\n";
        let input = format!("{article}{zh}");
        let out = c.clean(input.as_bytes());
        assert_eq!(removed(&out, &input), [("s.stamps", zh)]);
        // A live blog: its reporters repeat, but the entries hold most of the prose.
        let blog = format!(
            "{p1}\n10:32 AM\nMaria Olsen\n{p2}\n{p3}\n10:45 AM\nTom Reyes\n{p2}\n{p3}\n11:02 AM\nMaria Olsen\n{p2}\n11:30 AM\nJo Park\n{p3}\n{p1}\n"
        );
        assert_eq!(c.clean(blog.as_bytes()).verdict, Verdict::Unchanged);
        // A programme of two days: its day names repeat, but there are only two.
        let programme = format!(
            "{article}Saturday 10:00 am\nMarket opens\nSaturday 2:30 pm\nBoat parade\nSunday 11:00 am\nChoir on the bridge\nSunday 4:00 pm\nFireworks\n"
        );
        assert_eq!(c.clean(programme.as_bytes()).verdict, Verdict::Unchanged);
        // Key dates and a timetable that end an article: entries without bodies, one list
        // introduced by a line ending in `:` (found in review: both went as threads).
        let dates = format!(
            "{article}05.07.2016 Hearing\n12.08.2016 Hearing\n01.09.2016 Indictment\n03.10.2016 Appeal\n14.11.2016 Hearing\n"
        );
        assert_eq!(c.clean(dates.as_bytes()).verdict, Verdict::Unchanged);
        let timetable = format!(
            "{article}6:15 am Northgate\n6:45 am Riverside\n7:15 am Northgate\n7:45 am Airport\n"
        );
        assert_eq!(c.clean(timetable.as_bytes()).verdict, Verdict::Unchanged);
        let introduced = format!(
            "{article}Key dates:\n05.07.2016 Hearing\nThe court heard the first witnesses.\n12.08.2016 Hearing\nThe court heard the experts.\n01.09.2016 Indictment\nThe charges were read.\n14.11.2016 Hearing\nThe defence began.\n"
        );
        assert_eq!(c.clean(introduced.as_bytes()).verdict, Verdict::Unchanged);
        // Verses and ratios are no stamps.
        let verses = format!(
            "{article}John 3:16\nFor God so loved\nJohn 3:17\nFor God sent not\nMark 1:15\nThe time is fulfilled\nLuke 2:10\nFear not\nJohn 4:24\nGod is a Spirit\n"
        );
        assert_eq!(c.clean(verses.as_bytes()).verdict, Verdict::Unchanged);
        // The article goes on after the entries: no thread.
        let more = format!("{article}{thread}{p1}\n{p2}\n{p3}\n{p1}\n{p2}\n{p3}\n{p1}\n");
        assert_eq!(c.clean(more.as_bytes()).verdict, Verdict::Unchanged);
    }
}
