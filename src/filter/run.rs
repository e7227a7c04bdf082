//! The `run` scope: runs of short lines (menus, link lists) where the rule looks.
//!
//! Decides which runs of short, few-word lines not ending like a sentence stand at the document's
//! head or tail, or before its first prose line. It must never take a line that ends like a
//! sentence, nor anything in a document with no prose line to tell the menu from the text.

use std::borrow::Cow;
use std::ops::Range;

use super::doc::{Context, Doc, Line, ascii_space_mask};
use super::shape;
use crate::patterns::{Position, Rule};

/// Most words of a headline inside a menu block (a longer line is text).
const HEADLINE_WORDS: usize = 15;
/// Most characters of a headline inside a menu block.
const HEADLINE_CHARS: usize = 150;
/// Menu items in a row that end a head block's menu: the title, byline and date of the article
/// after it hold fewer.
const MENU_ROW: usize = 3;
/// Bulleted names over their values that make a run a fact box's fields (see
/// [`Doc::is_field_list`]).
const FACT_PAIRS: usize = 3;
/// Headlines right above the first prose line that a headline list never takes: the article's
/// title and standfirst (or a caption) may stand right under another story's headline.
const HEADER_HEADLINES: usize = 3;

/// Headings of lists that belong to the document (a table of contents, references, links the
/// article cites), compared in lower case without a final colon: a menu block never takes them.
const CONTENT_HEADINGS: &[&str] = &[
    "contents",
    "table of contents",
    "see also",
    "external links",
    "references",
    "further reading",
    "bibliography",
    "sources",
    "notes",
    "inhalt",
    "inhaltsverzeichnis",
    "siehe auch",
    "weblinks",
    "einzelnachweise",
    "literatur",
    "sommaire",
    "table des matières",
    "voir aussi",
    "liens externes",
    "notes et références",
    "références",
    "bibliographie",
    "índice",
    "véase también",
    "enlaces externos",
    "referencias",
    "ver também",
    "ligações externas",
    "referências",
    "obsah",
    "externí odkazy",
    "odkazy",
    "目次",
    "関連項目",
    "外部リンク",
    "脚注",
    "参考文献",
    "目录",
    "参见",
    "外部链接",
    "参考资料",
];

/// The ASCII bytes that start a heading of [`CONTENT_HEADINGS`] (a bit each), and the fewest and
/// most bytes of its ASCII headings.
const HEADING_GATE: (u128, usize, usize) = heading_gate();

/// For each ASCII byte, the lengths in bytes of the ASCII headings of [`CONTENT_HEADINGS`] that
/// start with it (a bit each): an ASCII line of another length is none of them.
const HEADING_LENGTHS: [u32; 128] = heading_lengths();

/// [`HEADING_LENGTHS`], from the headings themselves.
const fn heading_lengths() -> [u32; 128] {
    let mut lengths = [0u32; 128];
    let mut k = 0;
    while k < CONTENT_HEADINGS.len() {
        let h = CONTENT_HEADINGS[k].as_bytes();
        if h.is_ascii() {
            assert!(h.len() < 32, "a heading's length fits the mask");
            lengths[h[0] as usize] |= 1 << h.len();
        }
        k += 1;
    }
    lengths
}

/// [`HEADING_GATE`], from the headings themselves.
const fn heading_gate() -> (u128, usize, usize) {
    let (mut first, mut min, mut max) = (0u128, usize::MAX, 0);
    let mut k = 0;
    while k < CONTENT_HEADINGS.len() {
        let h = CONTENT_HEADINGS[k].as_bytes();
        if h[0].is_ascii() {
            first |= 1 << h[0];
        }
        if h.is_ascii() {
            min = if h.len() < min { h.len() } else { min };
            max = if h.len() > max { h.len() } else { max };
        }
        k += 1;
    }
    (first, min, max)
}

/// Is the trimmed line one of [`CONTENT_HEADINGS`] (in any case, without a final colon)? An
/// ASCII line is compared without lowercasing it (ASCII lowercases to ASCII, and only the ASCII
/// headings can be its lowercase).
fn content_heading(s: &str) -> bool {
    // An ASCII first character lowercases to the ASCII first byte of the heading it may be: most
    // short lines start with a letter no heading starts with, and are dismissed by it before the
    // colons are trimmed (only a line of colons alone loses its first byte to the trim, and no
    // heading starts with a colon).
    let (first, min, max) = HEADING_GATE;
    match s.as_bytes().first() {
        None => return false,
        Some(&b) if b.is_ascii() && first >> b.to_ascii_lowercase() & 1 == 0 => return false,
        _ => {}
    }
    let heading = s.trim_end_matches([':', '\u{ff1a}']);
    if heading.is_ascii() {
        // The headings are in lower case: a heading of the line's first byte, of its length.
        let Some(&b) = heading.as_bytes().first() else {
            return false;
        };
        if !(min..=max).contains(&heading.len())
            || HEADING_LENGTHS[usize::from(b.to_ascii_lowercase())] >> heading.len() & 1 == 0
        {
            return false;
        }
        return CONTENT_HEADINGS
            .iter()
            .any(|h| h.eq_ignore_ascii_case(heading));
    }
    CONTENT_HEADINGS.contains(&heading.to_lowercase().as_str())
}

/// Headlines in a row that may stand between two cards of a list (the titles it did not cut).
const CARD_GAP: usize = 2;
/// Bytes of a card line, at most: a headline and a teaser of a few sentences.
const CARD_CHARS: usize = 1000;
/// Words of a headline that a card glues to its teaser, at most.
const CARD_HEADLINE_WORDS: usize = 15;
/// Words after the glue of a card in Title Case (`...SteakhouseA party of six left...`), at least.
const CARD_TEASER_WORDS: usize = 3;
/// Words after the glue of a card in sentence case, at least: with no Title Case to vouch for
/// the headline, the teaser must read as a sentence.
const CARD_SENTENCE_WORDS: usize = 5;
/// Lowercase words that a Title Case headline leaves small (counted as half a lowercase word).
const SMALL_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "of", "in", "on", "at", "to", "for", "by", "with",
    "from", "as", "vs", "via", "nor", "de", "la", "le", "les", "des", "du", "et", "à", "en", "y",
    "el", "los", "las", "un", "une", "der", "die", "das", "und", "von", "zu", "im",
];

/// A word without the quotes, brackets and dashes around it.
fn word_core(w: &str) -> &str {
    w.trim_matches(CORE_TRIM)
}

/// The first character of [`word_core`]`(w)`, found without trimming the word's end: the first
/// character of `w` that the core trims away from neither end.
fn first_core_char(w: &str) -> Option<char> {
    // Most words start with a letter or a digit, none of the trimmed marks.
    match w.as_bytes().first() {
        Some(&b) if b.is_ascii_alphanumeric() => Some(char::from(b)),
        _ => w.chars().find(|c| !CORE_TRIM.contains(c)),
    }
}

/// The quotes, brackets and dashes that [`word_core`] trims.
const CORE_TRIM: [char; 15] = [
    '"', '\'', '\u{201c}', '\u{201d}', '\u{2018}', '\u{2019}', '(', '\u{ab}', '\u{bb}', ':', ',',
    ';', '\u{2013}', '\u{2014}', '-',
];

/// Are the words a headline in Title Case: three capitalised words or more, and at most one
/// lowercase word (small words such as `of` count half)?
fn title_case(words: &[&str]) -> bool {
    let (mut caps, mut low) = (0, 0);
    for w in words {
        let c = word_core(w);
        match c.chars().next() {
            Some(f) if f.is_alphabetic() && f.is_uppercase() => caps += 1,
            Some(f) if f.is_alphabetic() => {
                low += if SMALL_WORDS.contains(&c.to_lowercase().as_str()) {
                    1
                } else {
                    2
                }
            }
            _ => {}
        }
    }
    caps >= 3 && low <= 2
}

/// Lowercase heads of code identifiers (`getElementById`, `onClick`, `ownCloud`): a word glued
/// at them is a name in a sentence, not a headline's last word.
const CODE_PREFIXES: &[&str] = &[
    "get", "set", "add", "on", "is", "has", "to", "can", "own", "use", "new", "my", "handle",
    "remove", "create", "update", "init", "make", "from", "with", "should", "prevent", "stop",
    "parse", "read", "write", "load", "fetch", "find", "show", "hide", "open", "close", "bind",
];

/// Does the text after a card's glue (the glued word left out) read as a teaser: not Title Case,
/// and at least two words in three that start in lower case, or one in three for German, whose
/// nouns are capitalised? A line that stays Title Case after its hump is one headline with a
/// brand in it (`...Apple MacBook Air With The M3 Chip`).
fn reads_as_teaser(words: &[&str]) -> bool {
    let (mut low, mut total) = (0, 0);
    for w in words {
        match first_core_char(w) {
            Some(f) if f.is_alphabetic() => {
                total += 1;
                low += usize::from(f.is_lowercase());
            }
            _ => {}
        }
    }
    // Three words that start in lower case already make the words no Title Case.
    low >= 2 && low * 3 >= total && (low >= 3 || !title_case(words))
}

/// Is the trimmed line another story's headline glued to its teaser with no space
/// (`Troy SteakhouseA party of six left...`, `Is Violence On The Rise?Violence is part...`)? The
/// first place inside a word, after its third word, where a lowercase letter, a closing bracket
/// or quote, `?` or `!` meets a capital that starts a word decides: the words before it must be a
/// headline in Title Case, or in sentence case (a capital first, no punctuation, the glued word's
/// head in lower case and no code identifier's, a teaser of a sentence's length that ends a
/// sentence), and the words after it a teaser (see [`reads_as_teaser`]). A brand's capital inside
/// a word (`MacBook`, `JavaScript`) stands in a sentence or a headline, not between the two; a
/// word with two humps (`getElementById`) is a name. Lines longer than [`CARD_CHARS`] are no card.
fn glued_card(s: &str) -> bool {
    if s.len() > CARD_CHARS || !may_glue(s) {
        return false;
    }
    // The words where the glue may stand; all of them only once a candidate is weighed against
    // its teaser (the tests of the headline's words alone, which end most candidates, come first).
    let words: Vec<&str> = s.split_whitespace().take(CARD_HEADLINE_WORDS).collect();
    if words.len() < 6 {
        return false;
    }
    let mut all: Option<Vec<&str>> = None;
    for (wi, &w) in words.iter().enumerate().skip(2) {
        let humps = w
            .chars()
            .zip(w.chars().skip(1))
            .filter(|&(a, b)| a.is_lowercase() && b.is_uppercase())
            .count();
        if humps > 1 {
            continue;
        }
        let mut prev: Option<char> = None;
        for (k, b) in w.char_indices() {
            let Some(a) = prev.replace(b) else {
                continue;
            };
            let closing = closes_headline(a);
            if !b.is_uppercase() || !(a.is_lowercase() || closing) {
                continue;
            }
            let (left, right) = w.split_at(k);
            // The glued word starts with a capital and goes on in lower case, or is `A` or `I`.
            match right[b.len_utf8()..].chars().next() {
                Some(c) if c.is_lowercase() || c == '\'' || c == '\u{2019}' => {}
                None if b == 'A' || b == 'I' => {}
                _ => continue,
            }
            // The first candidate of a word decides for it: each test below that fails moves on
            // to the next word, in whatever order they are made.
            // The headline's last word is a word of three letters or more (not a number: `100Wh`,
            // `1Password`).
            let mut head = 0;
            for c in left.chars().filter(|c| c.is_alphanumeric()) {
                if !c.is_alphabetic() {
                    head = 0;
                    break;
                }
                head += 1;
            }
            if head < 3 {
                break;
            }
            let mut prefix: Vec<&str> = words[..wi].to_vec();
            prefix.push(left);
            let joined = prefix.join(" ");
            let title = title_case(&prefix);
            // A reference's authors (`^ Wilson, J.; Hunt, T.`) are no headline.
            if joined.contains(['^', '|', '[', ']'])
                || (joined.contains(';') && !title)
                || (joined.contains('(') && a != ')')
            {
                break;
            }
            // A card with no teaser repeats its headline after the glue (`...Home
            // RenovationMichigan Couple Finds...`).
            let all = all.get_or_insert_with(|| s.split_whitespace().collect());
            let suffix = all.len() - wi;
            let repeated = || {
                let head = format!("{} {left}", all[..wi].join(" "));
                let tail = format!("{right} {}", all[wi + 1..].join(" "));
                tail.starts_with(&head)
            };
            if suffix < CARD_TEASER_WORDS || !(reads_as_teaser(&all[wi + 1..]) || repeated()) {
                break;
            }
            if title {
                return true;
            }
            let core = word_core(left);
            return a.is_lowercase()
                && core.chars().all(|c| !c.is_uppercase())
                && !CODE_PREFIXES.contains(&core)
                && word_core(prefix[0])
                    .chars()
                    .next()
                    .is_some_and(char::is_uppercase)
                && !joined.contains(['.', ',', ';', '!', '?'])
                && suffix >= CARD_SENTENCE_WORDS
                && s.ends_with(['.', '!', '?', '\u{2026}', '"', '\u{201d}', '\u{bb}']);
        }
    }
    false
}

/// Can `s` hold a glued card's glue: a capital after a lowercase letter or a closing mark inside
/// one of its third to [`CARD_HEADLINE_WORDS`]th words? One pass over the text, stopping after
/// those words; it allocates nothing. Eight ASCII bytes at a time (nearly all text) when no
/// capital among them follows a byte of its own word, which no glue lacks; otherwise a
/// character at a time.
fn may_glue(s: &str) -> bool {
    const HI: u64 = 0x8080_8080_8080_8080;
    const LO: u64 = 0x0101_0101_0101_0101;
    let bytes = s.as_bytes();
    let (mut word, mut in_word, mut prev, mut k) = (0, false, ' ', 0);
    while k < bytes.len() {
        if let Some(chunk) = bytes.get(k..k + 8) {
            let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            if w & HI == 0 {
                let space = ascii_space_mask(w);
                let filled = !space & HI;
                // After a byte of the same word (or the word carried in from before).
                let after_filled = (filled << 8) | (u64::from(in_word) << 7);
                // `A` to `Z`: at least 0x41 and below 0x5B (no byte's sum carries).
                let upper = (w + LO * (0x80 - 0x41)) & !(w + LO * (0x80 - 0x5B)) & HI;
                if upper & after_filled == 0 {
                    word += (space & after_filled).count_ones() as usize;
                    if word >= CARD_HEADLINE_WORDS {
                        return false;
                    }
                    in_word = filled >> 63 != 0;
                    prev = char::from(chunk[7]);
                    k += 8;
                    continue;
                }
            }
        }
        let Some(c) = s[k..].chars().next() else {
            break;
        };
        k += c.len_utf8();
        // `split_whitespace` splits on `char::is_whitespace`.
        if c.is_whitespace() {
            if in_word {
                word += 1;
                if word >= CARD_HEADLINE_WORDS {
                    return false;
                }
            }
            in_word = false;
        } else {
            if in_word
                && word >= 2
                && c.is_uppercase()
                && (prev.is_lowercase() || closes_headline(prev))
            {
                return true;
            }
            in_word = true;
        }
        prev = c;
    }
    false
}

/// A mark a headline can end on right before its glued teaser (`...Rise?Violence is...`).
fn closes_headline(c: char) -> bool {
    matches!(c, ')' | '?' | '!' | '\u{2019}' | '\u{201d}' | '"' | '\'')
}

/// Is the trimmed line a teaser or headline cut short: an ellipsis (`...` or `…`) right after a
/// word or a mark, with no space before it (`...the Indian state may soon...`), after three
/// words or ten characters? A writer's pause leaves a space before its dots (`The bottom line
/// ...`) or ends a short line.
fn truncated_card(s: &str) -> bool {
    // The cut is three dots or holds an ellipsis (its last byte 0xA6): a line that ends on neither
    // byte, or on one dot after another character, has none.
    match s.as_bytes() {
        [.., a, b'.'] if *a != b'.' && *a != 0xA6 => return false,
        [.., b] if *b != b'.' && *b != 0xA6 => return false,
        _ => {}
    }
    // A quotation or a dialogue's line opens with its mark.
    if s.starts_with([
        '"', '\'', '\u{201c}', '\u{201e}', '\u{2018}', '\u{ab}', '\u{bb}', '-', '\u{2013}',
        '\u{2014}',
    ]) {
        return false;
    }
    let body = s.trim_end_matches(['.', '\u{2026}']);
    let cut = &s[body.len()..];
    (cut.contains('\u{2026}') || cut.len() >= 3)
        && body.chars().next_back().is_some_and(|c| !c.is_whitespace())
        && (body.split_whitespace().nth(2).is_some() || body.chars().nth(9).is_some())
}

/// Is the trimmed line a headline that asks a question (`Is The Ferry Timetable Changing Again?`):
/// one sentence of at most [`HEADLINE_WORDS`] words ending with a question mark, in Title Case? A
/// question in a paragraph or a list of questions is written in sentence case.
fn question_headline(s: &str) -> bool {
    let Some(body) = s.strip_suffix(['?', '\u{ff1f}']) else {
        return false;
    };
    let words: Vec<&str> = body.split_whitespace().collect();
    words.len() <= HEADLINE_WORDS
        && s.chars().count() <= HEADLINE_CHARS
        && !words[..words.len().saturating_sub(1)]
            .iter()
            .any(|w| w.ends_with(['.', '!', '?']))
        && title_case(&words)
}

/// Is the trimmed line a card of another story, glued or cut short (see [`glued_card`] and
/// [`truncated_card`])?
fn is_card(s: &str) -> bool {
    s.len() <= CARD_CHARS && (truncated_card(s) || glued_card(s))
}

/// What a line is to a headline list above the article (see [`Doc::head_lists`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListLine {
    /// A menu item: a run line of the rule's size.
    Item,
    /// Another story's headline: more words than an item, no sentence, stamp, link or number
    /// alone; a colon or a leading number may stand in it (`Police: two held`, `7 questions`).
    Headline,
    /// Anything that ends the list.
    Stop,
}

/// What a line is to a menu block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BlockLine {
    /// A menu item: a run line (see [`Doc::is_run_line`]).
    Item,
    /// A headline: a few words, no sentence, no list or field shape.
    Headline,
    /// A line of another shape short enough for a teaser; one at a time is tolerated.
    Teaser,
    /// A teaser that reads as prose (see [`shape::reads_as_prose`]): at the head, the article's
    /// standfirst or a menu's description; a head block's menu ends before the first one.
    Sentence,
    /// Anything that ends the block: a paragraph, content of another shape, a field, a number.
    Stop,
    /// The heading of a list that belongs to the document: it ends the block, and at the tail
    /// the lines after it are its list.
    ContentHeading,
}

/// Does the trimmed line carry the marks of a fact rather than a menu label: a field (`Email:`,
/// `Capital: Wellington`: at most two words before the colon; a headline's colon comes later), an
/// address or link, a reference mark, a changelog entry, a number at its start or one of one or
/// two digits at its end (a result, a poll count, a numbered step: `Step 3`; a year ends many
/// headlines), or no letter at all (a rule that closes the article, such as `___`)?
fn info_shaped(s: &str) -> bool {
    // The field test last: it looks for a colon.
    let field = || {
        first_colon(s).is_some_and(|(at, len)| {
            s[at + len..].trim().is_empty() || s[..at].split_whitespace().nth(2).is_none()
        })
    };
    !s.contains(char::is_alphabetic)
        || memchr::memchr2(b'@', b'[', s.as_bytes()).is_some()
        || has_link_mark(s)
        || s.starts_with("+ ")
        || s.starts_with('(')
        || s.split_whitespace()
            .next()
            .is_some_and(|w| w.contains(|c: char| c.is_ascii_digit()))
        || s.split_whitespace()
            .next_back()
            .is_some_and(|w| (1..=2).contains(&w.len()) && w.bytes().all(|c| c.is_ascii_digit()))
        || field()
}

/// Does `s` hold `://` or `www.` (a link)? Found from its colons and `w`s, with no search set up.
fn has_link_mark(s: &str) -> bool {
    let b = s.as_bytes();
    memchr::memchr2_iter(b':', b'w', b).any(|k| {
        let rest = &b[k + 1..];
        if b[k] == b':' {
            rest.starts_with(b"//")
        } else {
            rest.starts_with(b"ww.")
        }
    })
}

/// Where the first colon of `s` (`:` or the full-width `：`) stands, and its length in bytes:
/// found as bytes, as `str::split_once` would find it.
fn first_colon(s: &str) -> Option<(usize, usize)> {
    let b = s.as_bytes();
    // The full-width colon is three bytes, the first of which (0xEF) starts no ASCII character:
    // the first `:` or 0xEF that starts a full-width colon is the first colon.
    memchr::memchr2_iter(b':', 0xEF, b).find_map(|k| {
        if b[k] == b':' {
            Some((k, 1))
        } else {
            b[k + 1..].starts_with(&[0xBC, 0x9A]).then_some((k, 3))
        }
    })
}

/// Does `s` hold two words with an ASCII digit (see [`Doc::dated_at`])?
fn two_numbers(s: &str) -> bool {
    // Two such words hold two digits at least: most lines hold fewer, counted without splitting.
    if s.bytes().filter(u8::is_ascii_digit).count() < 2 {
        return false;
    }
    s.split_whitespace()
        .filter(|w| w.contains(|c: char| c.is_ascii_digit()))
        .nth(1)
        .is_some()
}

/// Is the trimmed line a title in quotation marks (“God Defend the Queen”, « La Marseillaise »,
/// 「君が代」): a song, a book or a motto the text names?
fn is_quoted(s: &str) -> bool {
    let (Some(first), Some(last)) = (s.chars().next(), s.chars().next_back()) else {
        return false;
    };
    matches!(
        (first, last),
        ('"', '"')
            | ('\u{201c}', '\u{201d}')
            | ('\u{201e}', '\u{201c}')
            | ('\u{ab}', '\u{bb}')
            | ('\u{bb}', '\u{ab}')
            | ('\u{300c}', '\u{300d}')
            | ('\u{300e}', '\u{300f}')
    ) && s.chars().nth(2).is_some()
}

impl Doc<'_> {
    /// Is line `i` one of a run: short, few words, not ending like a sentence?
    fn is_run_line(&self, i: usize, rule: &Rule) -> bool {
        let line = &self.lines[i];
        let t = self.trimmed_ws(line);
        if t.is_empty() {
            return false;
        }
        let s = self.str_at(t);
        let max_chars = rule.max_chars.unwrap_or(Rule::DEFAULT_RUN_CHARS);
        // Code, a table row or a quantity is article content: it ends a run.
        if self.is_field_title(i, &s) {
            return false;
        }
        // The counts are kept per line and cheaper than the content shape: asked first.
        !s.ends_with(['.', ',', ';'])
            && self.words(i, rule.max_words + 1) <= rule.max_words
            && self.chars_at_most(i, max_chars)
            && !self.content_shape(i)
            // After the article a time of day is a programme's or a log's, not a footer link (at
            // the head it is the byline's).
            && !(matches!(rule.position, Some(Position::Tail | Position::TailBlock))
                && self.stamp_at(i))
    }

    /// Is `line` (trimmed text `s`) a title in quotation marks under a field name ending with a
    /// colon ("Anthem:" / "“God Defend the Queen”", "Devise :" / "« Liberté »")? That is a fact
    /// box's value; a menu quotes no titles under its labels.
    fn is_field_title(&self, i: usize, s: &str) -> bool {
        if !is_quoted(s) {
            return false;
        }
        i > 0
            && !self.is_blank(&self.lines[i - 1])
            && self
                .str_at(self.trimmed_ws(&self.lines[i - 1]))
                .ends_with([':', '\u{ff1a}'])
    }

    /// Is the run `a..=b` a fact box's fields: at least [`FACT_PAIRS`] bulleted names each over
    /// one value line without a bullet ("• Monarch" / "Elizabeth II" / "• Prime Minister" /
    /// "Jacinda Ardern"), together half of its lines or more? A menu's bulleted items follow one
    /// another.
    fn is_field_list(&self, a: usize, b: usize) -> bool {
        let bulleted = |j: usize| {
            let s =
                String::from_utf8_lossy(&self.text[self.trimmed_ws(&self.lines[j])]).into_owned();
            let mut c = s.chars();
            c.next().is_some_and(crate::filter::is_bullet)
                && c.next() == Some(' ')
                && c.any(char::is_alphanumeric)
        };
        let filled: Vec<usize> = (a..=b)
            .filter(|&j| !self.is_blank(&self.lines[j]))
            .collect();
        let pairs = filled
            .windows(2)
            .filter(|w| w[1] == w[0] + 1 && bulleted(w[0]) && !bulleted(w[1]))
            .count();
        pairs >= FACT_PAIRS && 4 * pairs >= filled.len()
    }

    /// Is the line the heading of a list that belongs to the document (see [`CONTENT_HEADINGS`])?
    /// Found once per line: every run rule asks it of the lines it scans.
    pub(super) fn is_content_heading(&self, line: &Line) -> bool {
        self.content_heading_at(self.line_index(line.start))
    }

    /// [`Doc::is_content_heading`] of line `i`.
    fn content_heading_at(&self, i: usize) -> bool {
        let t = self.trimmed_ws(&self.lines[i]);
        // The longest heading is a few words: most lines are dismissed without lowercasing them.
        t.len() <= 40
            && self.context(i, Context::ContentHeading, || {
                content_heading(&self.str_at(t))
            })
    }

    /// What line `i` is to a menu block (`None`: blank, or removed by a line rule). At the tail a
    /// line that ends a sentence ends the block: the article's last lines come before it.
    fn block_line(&self, i: usize, rule: &Rule, tail: bool) -> Option<BlockLine> {
        let line = &self.lines[i];
        if self.is_blank(line) {
            return None;
        }
        // Another rule may take the heading for a label ("See also"): it still owns its list.
        if self.content_heading_at(i) {
            return Some(BlockLine::ContentHeading);
        }
        // A line another rule removes whole goes anyway; it tells nothing of the block's shape.
        if self.masked.get().is_some_and(|m| m[i]) {
            return None;
        }
        // Of the line alone: found once for the head and tail scans of every run rule.
        let stop = self.context(i, Context::BlockStop, || {
            info_shaped(&self.str_at(self.trimmed_ws(line)))
                || self.content_shape(i)
                || self.is_long(line)
        });
        if stop {
            return Some(BlockLine::Stop);
        }
        let s = self.str_at(self.trimmed_ws(line));
        if self.is_run_line(i, rule) {
            return Some(BlockLine::Item);
        }
        // Whether the line reads as prose is known for every line (`Doc::raw_prose`).
        let prose = self.raw_prose()[i].is_some();
        if !s.ends_with(['.', ',', ';'])
            && !prose
            && self.words(i, HEADLINE_WORDS + 1) <= HEADLINE_WORDS
            && self.chars_at_most(i, HEADLINE_CHARS)
        {
            return Some(BlockLine::Headline);
        }
        if tail && shape::ends_sentence(&s) {
            return Some(BlockLine::Stop);
        }
        Some(if prose {
            BlockLine::Sentence
        } else {
            BlockLine::Teaser
        })
    }

    /// The menu block where `order` starts (the document's first or last line): items and
    /// headlines, with a lone teaser line between them, up to the first line of another kind or
    /// two teasers in a row. The lines in scan order, with their kinds, and whether a content
    /// heading ended it.
    fn menu_block(
        &self,
        order: impl Iterator<Item = usize>,
        rule: &Rule,
        tail: bool,
    ) -> (Vec<(usize, BlockLine)>, bool) {
        let mut block = Vec::new();
        let mut teaser = None;
        for i in order {
            match self.block_line(i, rule, tail) {
                None => {}
                Some(BlockLine::Stop) => break,
                Some(BlockLine::ContentHeading) => return (block, true),
                Some(kind @ (BlockLine::Teaser | BlockLine::Sentence)) => {
                    if teaser.is_some() {
                        break;
                    }
                    teaser = Some((i, kind));
                }
                Some(kind) => {
                    block.extend(teaser.take());
                    block.push((i, kind));
                }
            }
        }
        (block, false)
    }

    /// Is `block` (a prefix of a menu block) a menu: at least `min_lines` items, a third of its
    /// lines or more?
    fn is_menu(block: &[(usize, BlockLine)], rule: &Rule) -> bool {
        let items = block.iter().filter(|(_, k)| *k == BlockLine::Item).count();
        items >= rule.min_lines && items * 3 >= block.len()
    }

    /// A menu block at the head: from its first item to the last run of [`MENU_ROW`] items before
    /// the article's header (the last group of headlines before the first sentence; the title,
    /// byline and date stay). Needs prose after the block.
    fn head_block(&self, rule: &Rule) -> Option<Range<usize>> {
        let (block, _) = self.menu_block(0..self.lines.len(), rule, false);
        let last_other = block.iter().rposition(|(_, k)| *k != BlockLine::Item)?;
        // The article's header (its title, and a standfirst or byline after it) is the last group
        // of headlines before the block's first sentence (one at the top aside) or its last line
        // of another kind: the menu ends before it. With no headline, nothing tells the title.
        let before = block
            .iter()
            .enumerate()
            .skip(1)
            .find(|(_, (_, k))| *k == BlockLine::Sentence)
            .map_or(last_other, |(j, _)| j.min(last_other));
        let headline = |j: usize| block[j].1 == BlockLine::Headline;
        let mut limit = (0..=before).rev().find(|&j| headline(j))?;
        while limit > 0 && headline(limit - 1) {
            limit -= 1;
        }
        let mut row = 0;
        let mut end = None;
        for (j, (_, k)) in block[..limit].iter().enumerate() {
            row = if *k == BlockLine::Item { row + 1 } else { 0 };
            if row >= MENU_ROW {
                end = Some(j);
            }
        }
        // The lines above the first item (a search prompt, the site's name) stay.
        let start = block.iter().position(|(_, k)| *k == BlockLine::Item)?;
        let block = &block[start..=end?];
        let (first, last) = (block[0].0, block[block.len() - 1].0);
        let p = self.prose_index();
        (Self::is_menu(block, rule) && p.before[self.lines.len()] > p.before[last + 1])
            .then(|| self.lines[first].start..self.lines[last].end)
    }

    /// A menu block at the tail: from its first item to the end, after the article's last
    /// sentence. Needs prose before the block.
    fn tail_block(&self, rule: &Rule) -> Option<Range<usize>> {
        let (mut block, listed) = self.menu_block((0..self.lines.len()).rev(), rule, true);
        if listed {
            return None;
        }
        while block.last().is_some_and(|(_, k)| *k != BlockLine::Item) {
            block.pop();
        }
        // The document's own list (under "External links") may run on into the block: the block
        // then starts at the first line that is no item of such a list, a control of one or two
        // characters (a navigation box's "v", "t", "e"), or not at all.
        let &(top, _) = block.last()?;
        if self.under_content_heading(top) {
            let start = block
                .iter()
                .rev()
                .map(|&(j, _)| j)
                .find(|&j| self.text_chars_at_most(j, 2))?;
            block.retain(|&(j, _)| j >= start);
        }
        let (&(last, _), &(first, _)) = (block.first()?, block.last()?);
        (Self::is_menu(&block, rule) && self.prose_index().before[first] > 0)
            .then(|| self.lines[first].start..self.lines[last].end)
    }

    /// Lists of headlines between two menus above the article: each group of lines that the
    /// menus `menus` (byte ranges of the head, preamble and head-block runs of this pass) leave
    /// between them before the first prose line, when a menu stands right above it and another
    /// right below it (lines that line rules remove do not count), and its lines are menu items
    /// and headlines (no sentence, field, number, time stamp or content heading), at least
    /// `min_lines` of them with two different headlines: a lone headline among menu items is the
    /// article's title. The last group with a headline (a dated line is a byline, not one) before
    /// the first prose line holds the title too: it stays, wherever the menus stand.
    pub(super) fn between_menus(&self, rule: &Rule, menus: &[Range<usize>]) -> Vec<Range<usize>> {
        let p = self.prose_index();
        let Some(first_prose) = p.is_prose.iter().position(|&x| x) else {
            return Vec::new();
        };
        let in_menu = |i: usize| {
            let start = self.lines[i].start;
            menus.iter().any(|m| m.contains(&start))
        };
        let masked = |i: usize| self.masked.get().is_some_and(|m| m[i]);
        let skip = |i: usize| self.is_blank(&self.lines[i]) || (masked(i) && !in_menu(i));
        // Each group of lines between menus: its first and last lines, whether it is removable,
        // and whether it holds a headline.
        let mut groups: Vec<(usize, usize, bool, bool)> = Vec::new();
        let mut i = 0;
        while i < first_prose {
            if in_menu(i) || skip(i) {
                i += 1;
                continue;
            }
            // A group above the first menu is the site's header (its name, a search prompt).
            let above = (0..i).rev().find(|&j| !skip(j)).is_some_and(in_menu);
            let (first, mut last) = (i, i);
            let (mut fits, mut count) = (above, 0);
            let mut headlines: Vec<String> = Vec::new();
            while i < first_prose && !in_menu(i) {
                let kind = self.block_line(i, rule, false);
                if kind.is_some() {
                    last = i;
                }
                match kind {
                    None => {}
                    Some(BlockLine::Item) => count += 1,
                    Some(BlockLine::Headline) => {
                        let s = self.str_at(self.trimmed_ws(&self.lines[i]));
                        // A dated line is a byline: the article's header is near.
                        if self.stamp_at(i) {
                            fits = false;
                        } else {
                            count += 1;
                            headlines.push(s.into_owned());
                        }
                    }
                    Some(_) => fits = false,
                }
                i += 1;
            }
            let below = (i..first_prose).find(|&j| !skip(j)).is_some_and(in_menu);
            let headline = !headlines.is_empty();
            headlines.sort_unstable();
            headlines.dedup();
            let removable = fits && below && count >= rule.min_lines && headlines.len() >= 2;
            groups.push((first, last, removable, headline));
        }
        let title = groups.iter().rposition(|g| g.3);
        groups
            .iter()
            .enumerate()
            .filter(|&(k, g)| g.2 && Some(k) != title)
            .map(|(_, &(first, last, ..))| self.lines[first].start..self.lines[last].end)
            .collect()
    }

    /// What line `i` is to a headline list (`None`: blank, or removed by a line rule).
    fn list_line(&self, i: usize, rule: &Rule) -> Option<ListLine> {
        let line = &self.lines[i];
        if self.is_blank(line) {
            return None;
        }
        // Another rule may take the heading for a label ("Contents"): it still owns its list.
        if self.content_heading_at(i) {
            return Some(ListLine::Stop);
        }
        // Of the line alone: found once per line and carried to the next pass.
        let stop = self.context(i, Context::ListStop, || {
            let s = self.str_at(self.trimmed_ws(line));
            (self.raw_prose()[i].is_some() && !question_headline(&s))
                || self.dated_at(i, &s)
                || self.content_shape(i)
                || self.is_long(line)
                || s.ends_with(['.', ',', ';', ':', '\u{ff1a}'])
                || !s.contains(char::is_alphabetic)
                || memchr::memchr3(b'@', b'[', b'|', s.as_bytes()).is_some()
                || has_link_mark(&s)
        });
        // A line another rule removes still ends a list when it is of another shape (a dated
        // line, a sentence); a label it removes ("Most read") is one of the list's items, and
        // a longer line counts for nothing.
        if stop {
            return Some(ListLine::Stop);
        }
        if self.is_run_line(i, rule) {
            return Some(ListLine::Item);
        }
        if self.masked.get().is_some_and(|m| m[i]) {
            return None;
        }
        let words = self.words(i, HEADLINE_WORDS + 1);
        Some(
            if words <= HEADLINE_WORDS && self.chars_at_most(i, HEADLINE_CHARS) {
                ListLine::Headline
            } else {
                ListLine::Stop
            },
        )
    }

    /// Lists of other stories' headlines above the article: before the first prose line, each
    /// run of menu items and headlines (blank lines and lines that line rules remove between
    /// them allowed) with at least `min_lines` headlines, three of them different. The last
    /// [`HEADER_HEADLINES`] headlines before the first prose line or before a dated line, and the
    /// items right above them, may be the article's header (its title, standfirst, a caption,
    /// byline): they stay, as do the document's first line and the headlines under it above the
    /// first item. The
    /// runs after a content heading are its list and stay.
    pub(super) fn head_lists(&self, rule: &Rule) -> Vec<Range<usize>> {
        // As for a preamble run: the full prose index is built only when another rule needs it.
        // A headline that asks a question in Title Case is no paragraph, though it ends like a
        // sentence.
        let question = |i: usize| question_headline(&self.str_at(self.trimmed_ws(&self.lines[i])));
        let first_prose = match self.prose.get() {
            Some(p) => p
                .is_prose
                .iter()
                .enumerate()
                .position(|(i, &p)| p && !question(i)),
            None => self
                .lines
                .iter()
                .enumerate()
                .position(|(i, l)| self.is_prose_line(l) && !question(i)),
        };
        let Some(first_prose) = first_prose else {
            return Vec::new();
        };
        let kinds: Vec<Option<ListLine>> =
            (0..first_prose).map(|i| self.list_line(i, rule)).collect();
        // The article's header: the last headlines before the first prose line or before a
        // dated line (a byline), and the items right above them.
        let mut header = vec![false; first_prose];
        // A dated line that a line rule removes ("Updated 9:40 GMT") still marks a byline.
        let anchors = (0..first_prose)
            .filter(|&i| {
                kinds[i] == Some(ListLine::Stop)
                    && self.dated_at(i, &self.str_at(self.trimmed_ws(&self.lines[i])))
            })
            .chain([first_prose]);
        for anchor in anchors {
            let mut from = anchor;
            let mut seen = 0;
            for i in (0..anchor).rev() {
                if kinds[i] == Some(ListLine::Headline) {
                    seen += 1;
                    from = i;
                    if seen == HEADER_HEADLINES {
                        break;
                    }
                }
            }
            while let Some(j) = (0..from).rev().find(|&j| kinds[j].is_some())
                && kinds[j] == Some(ListLine::Item)
            {
                from = j;
            }
            header[from..anchor].fill(true);
        }
        let mut out = Vec::new();
        // The run being collected: its first and last lines and its headlines.
        let mut run: Option<(usize, usize, Vec<usize>)> = None;
        let mut listed = false;
        let top = (0..first_prose).find(|&i| kinds[i].is_some());
        let mut close = |run: &mut Option<(usize, usize, Vec<usize>)>, listed: bool| {
            let Some((mut a, b, mut heads)) = run.take() else {
                return;
            };
            // The document's first line and the headlines under it above the first item are its
            // title (or the site's name and a banner): they stay.
            if Some(a) == top {
                let Some(item) = (a + 1..=b).find(|&j| kinds[j] == Some(ListLine::Item)) else {
                    return;
                };
                a = item;
                heads.retain(|&h| h > item);
            }
            if !listed && heads.len() >= rule.min_lines {
                let mut distinct: Vec<Cow<'_, str>> = heads
                    .iter()
                    .map(|&h| self.str_at(self.trimmed_ws(&self.lines[h])))
                    .collect();
                distinct.sort_unstable();
                distinct.dedup();
                if distinct.len() >= 3 {
                    out.push(self.lines[a].start..self.lines[b].end);
                }
            }
        };
        for i in 0..first_prose {
            match kinds[i] {
                None => {}
                _ if header[i] => close(&mut run, listed),
                Some(ListLine::Stop) => {
                    close(&mut run, listed);
                    // Up to the text, the lines after a table of contents' heading are its own.
                    listed |= self.content_heading_at(i);
                }
                Some(kind) => {
                    let r = run.get_or_insert((i, i, Vec::new()));
                    r.1 = i;
                    if kind == ListLine::Headline {
                        r.2.push(i);
                    }
                }
            }
        }
        close(&mut run, listed);
        out
    }

    /// Is line `i` a headline that may stand between two cards: no prose, date, link, fact or
    /// long line, no sentence end?
    fn card_headline(&self, i: usize) -> bool {
        let line = &self.lines[i];
        let s = self.str_at(self.trimmed_ws(line));
        self.raw_prose()[i].is_none()
            && !self.dated_at(i, &s)
            && !self.content_shape(i)
            && !self.is_long(line)
            && !s.ends_with(['.', ',', ';', ':', '\u{ff1a}'])
            && s.contains(char::is_alphabetic)
            && memchr::memchr2(b'@', b'|', s.as_bytes()).is_none()
            && !s.contains("://")
            && self.chars_at_most(i, HEADLINE_CHARS)
    }

    /// Does line `i` (trimmed text `s`) carry a date or a time (a time stamp, or two numbers: `November 19,
    /// 2019`, `1a etapa: 10 de março`)? A headline holds one number at most; a byline's date, a
    /// calendar's or a score's line more.
    fn dated_at(&self, i: usize, s: &str) -> bool {
        two_numbers(s) || self.stamp_at(i)
    }

    /// Is line `i` a card of another story (see [`is_card`])? Found once per line and carried to
    /// the next pass.
    fn card_at(&self, i: usize) -> bool {
        self.context(i, Context::Card, || {
            is_card(&self.str_at(self.trimmed_ws(&self.lines[i])))
        })
    }

    /// Lists of other stories' cards anywhere in the document: runs of at least `min_lines` card
    /// lines (see [`is_card`]), three of them different, with blank lines, lines that line rules
    /// remove and run lines (a section's label, `1 hour ago`) between them, and headlines, at
    /// most [`CARD_GAP`] in a row and no more than the cards, but no other line.
    /// From the first card to the last; a run after a content heading stays, a run of cut lines
    /// alone only goes above or below the text (the prose lines outside the runs), and nothing
    /// goes from a document with no prose line outside the runs.
    pub(super) fn card_lists(&self, rule: &Rule) -> Vec<Range<usize>> {
        let masked = |i: usize| self.masked.get().is_some_and(|m| m[i]);
        // Each run: its first and last card lines, and whether a card in it is glued.
        let mut runs: Vec<(usize, usize, bool)> = Vec::new();
        // The run being collected: its card lines.
        let mut cards: Vec<usize> = Vec::new();
        // Headlines between its cards (a list cuts only its long titles short), and those since
        // its last card.
        let (mut heads, mut pending) = (0, 0);
        let mut listed = false;
        let mut close = |cards: &mut Vec<usize>, heads: &mut usize, listed: bool| {
            let between = std::mem::take(heads);
            if !listed && cards.len() >= rule.min_lines && between <= cards.len() {
                let texts: Vec<Cow<'_, str>> = cards
                    .iter()
                    .map(|&i| self.str_at(self.trimmed_ws(&self.lines[i])))
                    .collect();
                let glued = texts.iter().any(|t| !truncated_card(t));
                let mut distinct = texts;
                distinct.sort_unstable();
                distinct.dedup();
                if distinct.len() >= 3 {
                    runs.push((cards[0], cards[cards.len() - 1], glued));
                }
            }
            cards.clear();
        };
        for (i, line) in self.lines.iter().enumerate() {
            if self.is_blank(line) {
                continue;
            }
            if self.content_heading_at(i) {
                close(&mut cards, &mut heads, listed);
                pending = 0;
                listed = true;
                continue;
            }
            if masked(i) {
                continue;
            }
            if self.card_at(i) {
                cards.push(i);
                heads += std::mem::take(&mut pending);
            } else if cards.is_empty() || !self.is_run_line(i, rule) {
                if !cards.is_empty() && pending < CARD_GAP && self.card_headline(i) {
                    pending += 1;
                    continue;
                }
                close(&mut cards, &mut heads, listed);
                pending = 0;
                listed = false;
            }
        }
        close(&mut cards, &mut heads, listed);
        if runs.is_empty() {
            return Vec::new();
        }
        // Some prose must stay: a document of cards alone is a list page, not chrome.
        let mut inside = vec![false; self.lines.len()];
        for &(a, b, _) in &runs {
            inside[a..=b].fill(true);
        }
        let prose = |i: usize| !inside[i] && self.is_prose_line(&self.lines[i]);
        let Some(first) = (0..self.lines.len()).find(|&i| prose(i)) else {
            return Vec::new();
        };
        let last = (0..self.lines.len()).rfind(|&i| prose(i)).unwrap_or(first);
        // Lines cut short between the text's paragraphs may be its own (a dialogue's pauses):
        // such a run goes only above or below the text.
        // A sentence ending in a colon introduces the lines after it (quotations cut short).
        let introduced = |a: usize| {
            (0..a)
                .rev()
                .find(|&j| !self.is_blank(&self.lines[j]))
                .is_some_and(|j| {
                    self.str_at(self.trimmed_ws(&self.lines[j]))
                        .ends_with([':', '\u{ff1a}'])
                        && self.is_prose_line(&self.lines[j])
                })
        };
        runs.into_iter()
            .filter(|&(a, b, glued)| glued || ((b < first || a > last) && !introduced(a)))
            .map(|(a, b, _)| self.lines[a].start..self.lines[b].end)
            .collect()
    }

    /// Runs of at least `min_lines` run lines (blank lines between them allowed) where the rule
    /// looks: the one at the document's start or end, or every one before its first prose line;
    /// or the menu block at the head or tail.
    pub(super) fn run_removals(&self, rule: &Rule) -> Vec<Range<usize>> {
        let n = self.lines.len();
        let (order, anchored): (Box<dyn Iterator<Item = usize>>, bool) = match rule.position {
            Some(Position::HeadBlock) => return self.head_block(rule).into_iter().collect(),
            Some(Position::TailBlock) => return self.tail_block(rule).into_iter().collect(),
            Some(Position::Thread) => return self.stamp_thread(rule).into_iter().collect(),
            Some(Position::NameThread) => return self.name_thread(rule).into_iter().collect(),
            Some(Position::HeadList) => return self.head_lists(rule),
            Some(Position::CardList) => return self.card_lists(rule),
            // Judged once the menus are known (see `Doc::between_menus`).
            Some(Position::BetweenMenus) => return Vec::new(),
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
        // Set by a content heading: the run right after it is its list, and stays.
        let mut listed = false;
        let mut close = |run: &mut Option<(usize, usize, usize)>, listed: &mut bool| {
            if let Some((count, a, b)) = run.take()
                && count >= rule.min_lines
                && !std::mem::take(listed)
            {
                let (mut a, b) = (a.min(b), a.max(b));
                // Above the text, a run of names over their values is a fact box.
                if matches!(rule.position, Some(Position::Head | Position::Preamble))
                    && self.is_field_list(a, b)
                {
                    return;
                }
                // At the tail, the end of the document's own list (under "External links") may
                // run on into the footer's menu: the run starts at the first control of one or
                // two characters (a navigation box's "v", "t", "e"), or nothing goes.
                if rule.position == Some(Position::Tail) && self.under_content_heading(a) {
                    let Some(start) = (a..=b).find(|&j| self.text_chars_at_most(j, 2)) else {
                        return;
                    };
                    if (start..=b)
                        .filter(|&j| !self.is_blank(&self.lines[j]))
                        .count()
                        < rule.min_lines
                    {
                        return;
                    }
                    a = start;
                }
                out.push(self.lines[a].start..self.lines[b].end);
            }
        };
        for i in order {
            let line = &self.lines[i];
            if self.is_blank(line) {
                continue;
            }
            if self.content_heading_at(i) {
                // The list under such a heading is the document's: at the tail, the run found
                // below it is that list; elsewhere, the run that follows it.
                if rule.position == Some(Position::Tail) {
                    run = None;
                }
                close(&mut run, &mut listed);
                if anchored {
                    break;
                }
                listed = true;
            } else if self.is_run_line(i, rule) {
                let r = run.get_or_insert((0, i, i));
                r.0 += 1;
                r.2 = i;
            } else {
                close(&mut run, &mut listed);
                listed = false;
                if anchored {
                    break;
                }
            }
        }
        close(&mut run, &mut listed);
        // The title block under a menu above the article is the article's.
        if matches!(rule.position, Some(Position::Head | Position::Preamble)) {
            return out
                .into_iter()
                .filter_map(|r| self.head_run_without_title(r, rule.min_lines))
                .collect();
        }
        out
    }
}

/// Asks line `i` every per-line test the run rules keep (for the tests of what a pass keeps and
/// carries to the next: see `Doc::context`).
#[cfg(test)]
impl Doc<'_> {
    pub(super) fn ask_run_tests(&self, i: usize, rule: &Rule) {
        self.content_heading_at(i);
        self.card_at(i);
        let _ = self.block_line(i, rule, false);
        let _ = self.block_line(i, rule, true);
        let _ = self.list_line(i, rule);
    }
}

#[cfg(test)]
mod tests {
    use crate::filter::Verdict;
    use crate::filter::testkit::{cleaner_from, removed};

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
        let got = removed(&out, input);
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
    fn menu_blocks_at_head_and_tail() {
        let rules = r#"
[[rule]]
id = "b.head"
family = "navigation"
scope = "run"
position = "head-block"
min_lines = 6
max_words = 4

[[rule]]
id = "b.tail"
family = "navigation"
scope = "run"
position = "tail-block"
min_lines = 6
max_words = 4
"#;
        let c = cleaner_from("b.toml", rules);
        let p1 = "Crews of the island ferries returned to work on Thursday after a new offer.";
        let p2 = "The company said the next round of talks would begin in January.";
        let head = "Search the archive by town or topic. Press enter to see results.\nHarbour\nFerries\nTides\nTraders fear a second winter without the ferry\nKitchens\nBakeries\nPubs\nRowing club opens its boathouse\nFerry strike ends after three days\nBy Ann Carver\n";
        let tail = "Council keeps the old bridge open\nAnn Carver\nChoir wins the county cup\nTom Hale\nOur Team\nLetters\nNotices\nDelivery\n";
        let input = format!("{head}{p1}\n{p2}\n{tail}");
        let out = c.clean(input.as_bytes());
        let got = removed(&out, &input);
        // The search prompt above the first item stays; the menu ends at the last row of three
        // items before the article's header (the last headlines before its first sentence).
        // At the tail the block starts at its first item.
        assert_eq!(
            got,
            [
                (
                    "b.head",
                    "Harbour\nFerries\nTides\nTraders fear a second winter without the ferry\nKitchens\nBakeries\nPubs\n"
                ),
                (
                    "b.tail",
                    "Ann Carver\nChoir wins the county cup\nTom Hale\nOur Team\nLetters\nNotices\nDelivery\n"
                )
            ]
        );
        // Lines that read as facts end a block: numbered steps, fields, poll counts.
        let steps = format!(
            "{p1}\n{p2}\nStep 1\nMix\nStep 2\nBake\nStep 3\nCool\nServe\nEat\nShare\nKeep\n"
        );
        assert_eq!(c.clean(steps.as_bytes()).verdict, Verdict::Unchanged);
        // A list under a heading of the document's own (references, see also) stays whole.
        let refs = format!(
            "{p1}\n{p2}\nReferences\nTide Tables\nFerry Times\nKnot Book\nChart Notes\nWeather Diary\nBoat Ledger\n"
        );
        assert_eq!(c.clean(refs.as_bytes()).verdict, Verdict::Unchanged);
        // A list right after the article's first sentence is the article's (an intro, then the
        // list): with no headline before the sentence, nothing marks a header, nothing goes.
        let intro = format!(
            "About\n{p1}\nHarbour\nFerries\nTides\nKitchens\nBakeries\nPubs\nA headline here for the list\n{p2}\n{p1}\n"
        );
        assert_eq!(c.clean(intro.as_bytes()).verdict, Verdict::Unchanged);
        // No prose: nothing tells the menu from the text.
        let bare = "Harbour\nFerries\nTides\nA headline of several words\nKitchens\nBakeries\nPubs\nMore\n";
        assert_eq!(c.clean(bare.as_bytes()).verdict, Verdict::Unchanged);
    }
    #[test]
    fn headline_lists_between_menus_go_and_the_title_stays() {
        let rules = r#"
[[rule]]
id = "m.pre"
family = "navigation"
scope = "run"
position = "preamble"
min_lines = 4
max_words = 4

[[rule]]
id = "m.between"
family = "navigation"
scope = "run"
position = "between-menus"
min_lines = 2
max_words = 4
"#;
        let c = cleaner_from("m.toml", rules);
        let menu1 = "Home\nNews\nSport\nWeather\n";
        let menu2 = "Towns\nCourts\nSchools\nLetters\n";
        let list = "Harbour board approves the dredging plan\nTwo lifeboat crews called out in one night\n";
        let title =
            "Ferry strike ends after three days of talks\nFerry crews back at work on Monday\n";
        let p1 = "Crews of the island ferries returned to work on Thursday after a new offer.";
        let input =
            format!("Breaking: storm warning for the coast\n{menu1}{list}{menu2}{title}{p1}\n");
        let out = c.clean(input.as_bytes());
        assert_eq!(
            removed(&out, &input),
            [("m.pre", menu1), ("m.between", list), ("m.pre", menu2),]
        );
        // The title and a standfirst between two menus (a share bar under them) stay: they are
        // the last headlines before the first prose line.
        let input = format!("Breaking: storm warning for the coast\n{menu1}{title}{menu2}{p1}\n");
        let out = c.clean(input.as_bytes());
        let got = removed(&out, &input);
        assert_eq!(got, [("m.pre", menu1), ("m.pre", menu2)]);
        // A lone headline (here twice) among items is a title, though a caption follows; a dated
        // line is a byline; a group above the first menu is the site's header.
        for group in [
            "Ferry strike ends after three days\nTransport\nFerry strike ends after three days\n",
            "Ferry strike ends after three days\nBy Ann Carver 14 March 2024 9:15 am\n",
        ] {
            let input = format!(
                "Breaking: storm warning for the coast\n{menu1}{group}{menu2}The ferry Northstar at the pier\n{p1}\n"
            );
            let out = c.clean(input.as_bytes());
            let got = removed(&out, &input);
            assert_eq!(got, [("m.pre", menu1), ("m.pre", menu2)], "{group}");
        }
        let input = format!("{list}{menu1}{title}{p1}\n");
        let out = c.clean(input.as_bytes());
        let got = removed(&out, &input);
        assert_eq!(got, [("m.pre", menu1)]);
    }
}

#[cfg(test)]
mod head_list_tests {
    use crate::filter::Verdict;
    use crate::filter::testkit::{cleaner_from, removed};

    const RULES: &str = r#"
[[rule]]
id = "h.list"
family = "navigation"
scope = "run"
position = "head-list"
min_lines = 4
max_words = 4
max_chars = 40
"#;
    const P1: &str = "Crews of the island ferries returned to work on Thursday after the operator made a new offer.";
    const P2: &str = "The company said the next round of talks would begin in January.";

    #[test]
    fn headline_lists_above_the_article_go_and_its_header_stays() {
        let c = cleaner_from("h.toml", RULES);
        let list = "Most read\nPolice: two held after harbour fire\n7 things to know about the winter timetable\nChoir wins the county cup again\nRowing club opens its new boathouse\n";
        // The last three headlines before the dated byline stay, one of them the list's.
        let header = "Harbour board approves the dredging plan\nNews\nFerry strike ends after three days of talks\nCrews back at work as the union accepts the offer\nBy Ann Carver\n14 March 2024 9:15\n";
        let input = format!("The Island Courier\n{list}{header}{P1}\n{P2}\n");
        let out = c.clean(input.as_bytes());
        assert_eq!(removed(&out, &input), [("h.list", list)]);
        // Glued right above the title and standfirst (no byline, no blank line): the last
        // three headlines stay, one of them the list's.
        let glued = "Police: two held after harbour fire\nChoir wins the county cup again\nRowing club opens its new boathouse\nHarbour board approves the dredging plan\nLifeboat crew called out twice in one night\n";
        let title = "Ferry strike ends after three days of talks\nCrews back at work as the union accepts the offer\n";
        let input = format!("The Island Courier\nNews\n{glued}{title}{P1}\n");
        let out = c.clean(input.as_bytes());
        assert_eq!(
            removed(&out, &input),
            [(
                "h.list",
                "News\nPolice: two held after harbour fire\nChoir wins the county cup again\nRowing club opens its new boathouse\nHarbour board approves the dredging plan\n"
            )]
        );
        // A dated line marks a byline: the headlines right above it are the article's header,
        // though a list of other stories stands between it and the text.
        let input = format!(
            "The Island Courier\nNews\nFerry strike ends after three days of talks\nBy Ann Carver\nUpdated 14 March 2024 9:15\nMore stories\n{glued}Tides and weather for the week ahead\nThe pier cafe reopens for the summer\n{P1}\n"
        );
        let out = c.clean(input.as_bytes());
        assert_eq!(
            removed(&out, &input),
            [(
                "h.list",
                "More stories\nPolice: two held after harbour fire\nChoir wins the county cup again\nRowing club opens its new boathouse\nHarbour board approves the dredging plan\n"
            )]
        );
    }

    #[test]
    fn questions_in_title_case_are_headlines() {
        let c = cleaner_from("h.toml", RULES);
        // Title Case questions among the list's headlines are headlines: the list goes, the last
        // three headlines before the text stay.
        let list = "Most read\nPolice: two held after harbour fire\nIs The Ferry Timetable Changing Again?\nChoir wins the county cup again\nWill The Old Pier Survive Another Winter?\nRowing club opens its new boathouse\n";
        let header = "Harbour board approves the dredging plan\nFerry strike ends after three days of talks\nCrews back at work as the union accepts the offer\n";
        let input = format!("The Island Courier\n{list}{header}{P1}\n{P2}\n");
        let out = c.clean(input.as_bytes());
        assert_eq!(removed(&out, &input), [("h.list", list)]);
        // Questions in sentence case are the text's (a list of questions it answers): the first
        // of them is the first prose line, and nothing above it makes a list.
        let faq = "When does the first ferry leave the harbour?\nHow much does a return ticket to the island cost?\nCan I bring my dog on the morning crossing?\nWhere can I leave the car for the whole day?\n";
        let input = format!("The Island Courier\nNews\n{header}{faq}{P1}\n");
        assert_eq!(c.clean(input.as_bytes()).verdict, Verdict::Unchanged);
    }

    #[test]
    fn lists_that_are_the_documents_stay() {
        let c = cleaner_from("h.toml", RULES);
        // The title on the first line, over a list: the headlines above the first item stay.
        let input = format!(
            "Ferry strike ends after three days of talks\nPolice: two held after harbour fire\nChoir wins the county cup again\nRowing club opens its new boathouse\nHarbour board approves the dredging plan\nLifeboat crew called out twice in one night\nTides and weather for the week ahead\n{P1}\n"
        );
        assert_eq!(c.clean(input.as_bytes()).verdict, Verdict::Unchanged);
        // A table of contents (its heading another language's), and a calendar of dated rounds.
        for list in [
            "Inhalt\nDie Fähre und ihre Geschichte\nWarum die Crews gestreikt haben\nWas die Gewerkschaft verlangt hat\nWie der neue Vertrag aussieht\nWas jetzt auf die Insel zukommt\n",
            "Calendrier des régates\n1re manche : 10 mars – Brest\n2e manche : 8 avril – Lorient\n3e manche : 22 avril – Vannes\n4e manche : 6 mai – Quiberon\n",
        ] {
            let input = format!("Home\nNews\nSport\n{list}{P1}\n{P2}\n");
            let out = c.clean(input.as_bytes());
            assert_eq!(removed(&out, &input), [], "{list}");
        }
        // No prose line: nothing tells the list from the text.
        let bare = "News\nPolice: two held after harbour fire\nChoir wins the county cup again\nRowing club opens its new boathouse\nHarbour board approves the dredging plan\nLifeboat crew called out twice in one night\nTides and weather for the week ahead\n";
        assert_eq!(c.clean(bare.as_bytes()).verdict, Verdict::Unchanged);
    }
}

#[cfg(test)]
mod card_list_tests {
    use super::{
        CARD_HEADLINE_WORDS, CONTENT_HEADINGS, closes_headline, glued_card, may_glue,
        question_headline, truncated_card,
    };
    use crate::filter::Verdict;
    use crate::filter::testkit::{cleaner_from, removed};

    const RULES: &str = r#"
[[rule]]
id = "c.cards"
family = "related"
scope = "run"
position = "card-list"
min_lines = 3
max_words = 4
max_chars = 40
"#;
    const P1: &str = "Crews of the island ferries returned to work on Thursday after the operator made a new offer.";
    const P2: &str = "The company said the next round of talks would begin in January.";

    #[test]
    fn the_ascii_glue_scan_agrees_with_the_char_scan() {
        let lines = [
            "Customers Leave Without Paying At Troy SteakhouseA party of six left",
            "One Two ThreeFour five",
            "OneTwo three four five six",
            "One two three\tfourFive six",
            "One two three\u{b}fourFive six",
            "One two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteenSixteen",
            "One two three four five six seven eight nine ten eleven twelve thirteen fourteenFifteen",
            "One two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteenSeventeen",
            "Is Violence On The Rise?Violence is part of it",
            "a b c)D e",
            "plain prose with no capital glued inside any of its words at all",
            "",
            "   ",
        ];
        for line in lines {
            assert_eq!(may_glue(line), may_glue_reference(line), "{line:?}");
        }
        assert!(may_glue("One two three fourFive six"));
        assert!(!may_glue("OneTwo three four five six"));
        assert!(!may_glue(
            "One two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteenSeventeen"
        ));
    }

    #[test]
    fn card_shapes() {
        // Title Case headlines glued to a teaser, at a lowercase letter or a closing mark.
        assert!(glued_card(
            "Bakery On Quay Street Wins Regional PrizeThe judges praised the rye loaf."
        ));
        assert!(glued_card(
            "Is The Ferry Timetable Changing Again?Passengers want the early boat kept."
        ));
        assert!(glued_card(
            "Lifeboat Crew Rescues Kayakers Off The PointA sudden wind change caught them."
        ));
        // Sentence case: the headline's last word in lower case, a sentence-long teaser.
        assert!(glued_card(
            "Le port a enfin voté le dragage du quai estLes pêcheurs attendaient depuis dix ans."
        ));
        // A brand's capital inside a word stands in a sentence, not after a headline.
        assert!(!glued_card(
            "Owners of the older MacBook laptops say the page loads slowly on weekdays."
        ));
        assert!(!glued_card(
            "Der Bäcker stellt die neue PlayStation im Schaufenster aus, sagt die Polizei."
        ));
        // A number glued to a unit or a name, a reference's authors.
        assert!(!glued_card(
            "The New Battery Holds 100Wh Of Charge For The Whole Day Out"
        ));
        assert!(!glued_card(
            "^ Carver, A.; Hale, T. (2020). \"Ferry Times On The Island\". Harbour Gazette."
        ));
        // A headline that stays in Title Case after a brand's hump has no teaser.
        assert!(!glued_card(
            "Best Blender: The NutriBullet Pro For Smoothies And Soups"
        ));
        assert!(!glued_card(
            "Mein Leben Mit Der PlayStation Und Anderen Fehlern Im Netz"
        ));
        // A card with no teaser repeats its headline.
        assert!(glued_card(
            "Rowing Club Opens Its New BoathouseRowing Club Opens Its New Boathouse"
        ));
        // Code names in a sentence: two humps, a code prefix, or no sentence end.
        assert!(!glued_card(
            "First you call querySelectorAll to collect every name in the list."
        ));
        assert!(!glued_card(
            "Then you call getName to read the name of the person on the card."
        ));
        assert!(!glued_card(
            "Then you pass the names to localeCompare so the sort respects accents"
        ));
        // Cut short right after a word or a mark; a writer's pause has a space before it.
        assert!(truncated_card(
            "Council delays the vote on the new car park until the traffic…"
        ));
        assert!(truncated_card("Choir wins the county cup again,..."));
        assert!(!truncated_card("The bottom line ..."));
        assert!(!truncated_card("Well..."));
        assert!(!truncated_card("The vote was delayed."));
        // A quotation or a dialogue's line cut short is the text's own.
        assert!(!truncated_card(
            "\"Nobody who writes the rotas has ever worked a double shift here…"
        ));
        assert!(!truncated_card(
            "\u{2014} Et qui va payer les places, à votre avis…"
        ));
    }

    #[test]
    fn a_long_line_is_no_card_and_is_judged_in_linear_time() {
        let c = cleaner_from("c.toml", RULES);
        let long = format!("The big word 1{} goes on and on", "aBa".repeat(100_000));
        assert!(!glued_card(&long));
        let card = "Bakery On Quay Street Wins Regional PrizeThe judges praised the rye loaf.";
        let input = format!("{P1}\n{long}\n{card}\n{card}\n{card}\n{P2}\n");
        assert_eq!(c.clean(input.as_bytes()).verdict, Verdict::Unchanged);
        let input = format!("{P1}\n{long}\n{P2}\n");
        assert_eq!(c.clean(input.as_bytes()).verdict, Verdict::Unchanged);
    }

    #[test]
    fn cut_lines_after_a_sentence_that_introduces_them_stay() {
        let c = cleaner_from("c.toml", RULES);
        let cut = "Harbour board approves the dredging plan after ten years of…\nTwo lifeboat crews called out in one night to help a fishing…\nChoir wins the county cup for the third time in front of a crowd…\n";
        let intro = "We asked the readers which stories of the year they remember best:";
        let input = format!("{P1}\n{P2}\n{intro}\n\n{cut}");
        assert_eq!(c.clean(input.as_bytes()).verdict, Verdict::Unchanged);
        // A label with a colon is no sentence: the list after it goes.
        let input = format!("{P1}\n{P2}\nRead more:\n{cut}");
        let out = c.clean(input.as_bytes());
        assert_eq!(removed(&out, &input), [("c.cards", cut)]);
    }

    #[test]
    fn question_headlines() {
        assert!(question_headline("Is The Ferry Timetable Changing Again?"));
        assert!(question_headline(
            "Harbour Board Approved The Plan, but Will It Last?"
        ));
        assert!(!question_headline(
            "When does the first ferry leave the harbour?"
        ));
        assert!(!question_headline(
            "Late Again. Will The Ferry Ever Run On Time?"
        ));
        assert!(!question_headline("Is The Ferry Timetable Changing Again"));
    }

    #[test]
    fn card_lists_go_wherever_they_stand_and_the_title_stays() {
        let c = cleaner_from("c.toml", RULES);
        let cards = "Lifeboat Crew Rescues Two Kayakers Off The PointThe volunteers were called out twice on Saturday.\nBakery On Quay Street Wins Regional PrizeThe judges praised the rye loaf the owners have baked for years.\n\nWeather\nCouncil Delays Vote On New Car ParkCouncillors asked for a traffic survey before they decide.\n";
        let title = "Ferry strike ends after three days of talks\n";
        let input = format!("Harbour Gazette\n{cards}{title}{P1}\n{P2}\n");
        let out = c.clean(input.as_bytes());
        assert_eq!(removed(&out, &input), [("c.cards", cards)]);
        assert_eq!(
            String::from_utf8_lossy(&out.text),
            format!("Harbour Gazette\n{title}{P1}\n{P2}\n")
        );
        // Glued cards between the paragraphs go too.
        let input = format!("{title}{P1}\n{cards}{P2}\n");
        let out = c.clean(input.as_bytes());
        assert_eq!(removed(&out, &input), [("c.cards", cards)]);
    }

    #[test]
    fn cut_lines_go_only_above_or_below_the_text() {
        let c = cleaner_from("c.toml", RULES);
        let cut = "Harbour board approves the dredging plan after ten years of…\nTwo lifeboat crews called out in one night to help a fishing…\nChoir wins the county cup for the third time in front of a crowd…\n";
        let input = format!("{cut}{P1}\n{P2}\n");
        let out = c.clean(input.as_bytes());
        assert_eq!(removed(&out, &input), [("c.cards", cut)]);
        let input = format!("{P1}\n{P2}\n{cut}");
        let out = c.clean(input.as_bytes());
        assert_eq!(removed(&out, &input), [("c.cards", cut)]);
        // Between the paragraphs, lines cut short may be the text's own pauses.
        let input = format!("{P1}\n{cut}{P2}\n");
        assert_eq!(c.clean(input.as_bytes()).verdict, Verdict::Unchanged);
    }

    #[test]
    fn headlines_that_a_list_did_not_cut_stand_between_its_cards() {
        let c = cleaner_from("c.toml", RULES);
        let list = "Harbour board approves the dredging plan after ten years of…\nChoir wins the county cup\nTwo lifeboat crews called out in one night to help a fishing…\nRowing club opens its boathouse\nPier cafe reopens\nThe island school celebrates its hundredth year with a week of…\n";
        let input = format!("{list}{P1}\n{P2}\n");
        let out = c.clean(input.as_bytes());
        assert_eq!(removed(&out, &input), [("c.cards", list)]);
        // Three headlines in a row end the list: the cards around them make no run.
        let gap = list.replace(
            "Pier cafe reopens\n",
            "Pier cafe reopens for the summer season\nNew bus timetable starts on Monday\n",
        );
        let input = format!("{gap}{P1}\n{P2}\n");
        assert_eq!(c.clean(input.as_bytes()).verdict, Verdict::Unchanged);
    }

    #[test]
    fn lists_that_are_the_documents_stay() {
        let c = cleaner_from("c.toml", RULES);
        let cut = "Harbour board approves the dredging plan after ten years of…\nTwo lifeboat crews called out in one night to help a fishing…\nChoir wins the county cup for the third time in front of a crowd…\n";
        // Two cards are no list; the same card three times is one story; under a content
        // heading the list is the document's; with no prose outside, nothing tells.
        let two: String = cut.lines().take(2).map(|l| format!("{l}\n")).collect();
        let same = "Harbour board approves the dredging plan after ten years of…\n".repeat(3);
        for input in [
            format!("{two}{P1}\n{P2}\n"),
            format!("{same}{P1}\n{P2}\n"),
            format!("{P1}\n{P2}\nFurther reading\n{cut}"),
            cut.to_string(),
        ] {
            assert_eq!(
                c.clean(input.as_bytes()).verdict,
                Verdict::Unchanged,
                "{input}"
            );
        }
        // A line of another shape between the cards ends the run.
        let split = cut.replacen('\n', &format!("\n{P2}\n"), 1);
        let input = format!("{split}{P1}\n");
        assert_eq!(c.clean(input.as_bytes()).verdict, Verdict::Unchanged);
    }

    // The slow forms the fast tests replaced, kept as their specification.

    /// [`super::may_glue`] as it was: a byte loop on ASCII lines, the glue span's characters on
    /// the others.
    fn may_glue_reference(s: &str) -> bool {
        if !s.is_ascii() {
            return has_glue(glue_span(s));
        }
        let (mut word, mut in_word, mut prev) = (0, false, b' ');
        for &b in s.as_bytes() {
            if matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ') {
                if in_word {
                    word += 1;
                    if word >= CARD_HEADLINE_WORDS {
                        return false;
                    }
                }
                in_word = false;
            } else {
                if in_word
                    && word >= 2
                    && b.is_ascii_uppercase()
                    && (prev.is_ascii_lowercase() || closes_headline(prev.into()))
                {
                    return true;
                }
                in_word = true;
            }
            prev = b;
        }
        false
    }

    /// The part of a line where [`glued_card`] looks for the glue: its third to its
    /// [`CARD_HEADLINE_WORDS`]th word (empty when the line has fewer than three words).
    fn glue_span(s: &str) -> &str {
        let offset = |w: &str| w.as_ptr() as usize - s.as_ptr() as usize;
        let mut words = s.split_whitespace().enumerate().skip(2);
        let Some((_, first)) = words.next() else {
            return "";
        };
        let start = offset(first);
        let last = words
            .take_while(|&(i, _)| i < CARD_HEADLINE_WORDS)
            .last()
            .map_or(first, |(_, w)| w);
        &s[start..offset(last) + last.len()]
    }

    /// Does a capital follow a lowercase letter or a closing mark anywhere in `s` (the one place a
    /// glued card can be: see [`glued_card`])? Most lines have none, and this test allocates nothing.
    fn has_glue(s: &str) -> bool {
        let mut prev = ' ';
        s.chars().any(|b| {
            let a = std::mem::replace(&mut prev, b);
            b.is_uppercase() && (a.is_lowercase() || closes_headline(a))
        })
    }

    /// Characters that play a part in the glue test: letters of either case (and a title-case
    /// one), closing marks, ASCII and Unicode whitespace, digits, CJK.
    const GLUE_CHARS: &[char] = &[
        'a', 'b', 'z', 'A', 'B', 'Z', '\u{e9}', '\u{c9}', '\u{df}', '\u{3a3}', '\u{3c3}',
        '\u{1c5}', ')', '?', '!', '\'', '"', '\u{2019}', '\u{201d}', ' ', ' ', ' ', '\t', '\n',
        '\u{b}', '\u{c}', '\r', '\u{1c}', '\u{85}', '\u{a0}', '\u{2003}', '\u{3000}', '1', '.',
        '-', '\u{4e2d}', '\u{2026}',
    ];

    proptest::proptest! {
        #[test]
        fn may_glue_agrees_with_its_reference(
            picks in proptest::collection::vec(0..GLUE_CHARS.len(), 0..120)
        ) {
            let s: String = picks.iter().map(|&k| GLUE_CHARS[k]).collect();
            proptest::prop_assert_eq!(may_glue(&s), may_glue_reference(&s), "{:?}", s);
        }

        #[test]
        fn may_glue_agrees_with_its_reference_on_ascii(s in "[a-cA-C )?!'\"\t\u{b}\r1.-]{0,160}") {
            proptest::prop_assert_eq!(may_glue(&s), may_glue_reference(&s), "{:?}", s);
        }

        #[test]
        fn may_glue_agrees_with_its_reference_on_mostly_ascii(
            s in "([a-z]{1,7}|[A-Z][a-z]{0,5}|[a-z]+[A-Z][a-z]*|[ ]|[\u{a0}\u{2019}\u{e9}\u{c9}])+"
        ) {
            proptest::prop_assert_eq!(may_glue(&s), may_glue_reference(&s), "{:?}", s);
        }

        #[test]
        fn first_colon_agrees_with_split_once(
            picks in proptest::collection::vec(0..COLON_CHARS.len(), 0..24)
        ) {
            let s: String = picks.iter().map(|&k| COLON_CHARS[k]).collect();
            let found = super::first_colon(&s).map(|(at, len)| (&s[..at], &s[at + len..]));
            proptest::prop_assert_eq!(found, s.split_once([':', '\u{ff1a}']), "{:?}", s);
        }

        #[test]
        fn content_heading_agrees_with_lowercasing(
            picks in proptest::collection::vec(0..HEADING_CHARS.len(), 0..24)
        ) {
            let s: String = picks.iter().map(|&k| HEADING_CHARS[k]).collect();
            proptest::prop_assert_eq!(
                super::content_heading(&s),
                content_heading_reference(&s),
                "{:?}", s
            );
        }
    }

    /// [`super::glued_card`] as it was: every word split first, and each candidate weighed
    /// against its teaser before its headline's words.
    fn glued_card_reference(s: &str) -> bool {
        if s.len() > super::CARD_CHARS || !super::may_glue(s) {
            return false;
        }
        let words: Vec<&str> = s.split_whitespace().collect();
        if words.len() < 6 {
            return false;
        }
        for (wi, w) in words
            .iter()
            .enumerate()
            .take(super::CARD_HEADLINE_WORDS)
            .skip(2)
        {
            let humps = w
                .chars()
                .zip(w.chars().skip(1))
                .filter(|&(a, b)| a.is_lowercase() && b.is_uppercase())
                .count();
            if humps > 1 {
                continue;
            }
            let mut prev: Option<char> = None;
            for (k, b) in w.char_indices() {
                let Some(a) = prev.replace(b) else {
                    continue;
                };
                let closing = super::closes_headline(a);
                if !b.is_uppercase() || !(a.is_lowercase() || closing) {
                    continue;
                }
                let (left, right) = w.split_at(k);
                // The glued word starts with a capital and goes on in lower case, or is `A` or `I`.
                match right[b.len_utf8()..].chars().next() {
                    Some(c) if c.is_lowercase() || c == '\'' || c == '\u{2019}' => {}
                    None if b == 'A' || b == 'I' => {}
                    _ => continue,
                }
                // The first candidate of a word decides for it. A card with no teaser repeats its
                // headline after the glue (`...Home RenovationMichigan Couple Finds...`).
                let suffix = words.len() - wi;
                let repeated = || {
                    let head = format!("{} {left}", words[..wi].join(" "));
                    let tail = format!("{right} {}", words[wi + 1..].join(" "));
                    tail.starts_with(&head)
                };
                if suffix < super::CARD_TEASER_WORDS
                    || !(super::reads_as_teaser(&words[wi + 1..]) || repeated())
                {
                    break;
                }
                // The headline's last word is a word of three letters or more (not a number: `100Wh`,
                // `1Password`).
                let head: String = left.chars().filter(|c| c.is_alphanumeric()).collect();
                if head.chars().count() < 3 || !head.chars().all(char::is_alphabetic) {
                    break;
                }
                let mut prefix: Vec<&str> = words[..wi].to_vec();
                prefix.push(left);
                let joined = prefix.join(" ");
                let title = super::title_case(&prefix);
                // A reference's authors (`^ Wilson, J.; Hunt, T.`) are no headline.
                if joined.contains(['^', '|', '[', ']'])
                    || (joined.contains(';') && !title)
                    || (joined.contains('(') && a != ')')
                {
                    break;
                }
                if title {
                    return true;
                }
                let core = super::word_core(left);
                return a.is_lowercase()
                    && core.chars().all(|c| !c.is_uppercase())
                    && !super::CODE_PREFIXES.contains(&core)
                    && super::word_core(prefix[0])
                        .chars()
                        .next()
                        .is_some_and(char::is_uppercase)
                    && !joined.contains(['.', ',', ';', '!', '?'])
                    && suffix >= super::CARD_SENTENCE_WORDS
                    && s.ends_with(['.', '!', '?', '\u{2026}', '"', '\u{201d}', '\u{bb}']);
            }
        }
        false
    }

    /// Characters of links and of text around them.
    const LINK_CHARS: &[char] = &[':', '/', 'w', 'W', '.', 'a', ' ', '\u{e9}', '\u{ff1a}'];

    /// Words of glued cards: headline words in both cases, glues, teasers' words, marks.
    const CARD_WORDS: &[&str] = &[
        "The",
        "Best",
        "Home",
        "of",
        "a",
        "party",
        "left",
        "without",
        "paying.",
        "SteakhouseA",
        "RenovationMichigan",
        "Rise?Violence",
        "McDonald",
        "JavaScript",
        "getElementById",
        "100Wh",
        "(Reuters)",
        "Caf\u{e9}",
        "\u{c9}t\u{e9}Avant",
        "les",
        "[1]",
        "Wilson;",
        "^",
        "it",
        "is",
        "Is",
        "I",
        "A",
        "\u{2019}s",
        "storyIt",
        "endsI",
        "here.",
        "now!",
        "\u{a0}",
    ];

    proptest::proptest! {
        #[test]
        fn link_marks_are_found_as_contains_finds_them(
            picks in proptest::collection::vec(0..LINK_CHARS.len(), 0..30)
        ) {
            let s: String = picks.iter().map(|&k| LINK_CHARS[k]).collect();
            proptest::prop_assert_eq!(
                super::has_link_mark(&s),
                s.contains("://") || s.contains("www."),
                "{:?}", s
            );
        }

        #[test]
        fn glued_card_agrees_with_its_reference(
            picks in proptest::collection::vec(0..CARD_WORDS.len(), 0..40)
        ) {
            let words: Vec<&str> = picks.iter().map(|&k| CARD_WORDS[k]).collect();
            let s = words.join(" ");
            proptest::prop_assert_eq!(super::glued_card(&s), glued_card_reference(&s), "{:?}", s);
        }
    }

    #[test]
    fn glued_card_agrees_with_its_reference_on_every_fixture_line() {
        let mut glued = 0;
        for line in crate::filter::testkit::fixture_lines() {
            let s = String::from_utf8_lossy(&line);
            let s = s.trim();
            let got = super::glued_card(s);
            assert_eq!(got, glued_card_reference(s), "{s:?}");
            glued += usize::from(got);
        }
        assert!(glued > 0, "some fixture line is a glued card");
    }

    /// [`super::truncated_card`] as it was, with no test of the last bytes first.
    fn truncated_card_reference(s: &str) -> bool {
        if s.starts_with([
            '"', '\'', '\u{201c}', '\u{201e}', '\u{2018}', '\u{ab}', '\u{bb}', '-', '\u{2013}',
            '\u{2014}',
        ]) {
            return false;
        }
        let body = s.trim_end_matches(['.', '\u{2026}']);
        let cut = &s[body.len()..];
        (cut.contains('\u{2026}') || cut.len() >= 3)
            && body.chars().next_back().is_some_and(|c| !c.is_whitespace())
            && (body.split_whitespace().nth(2).is_some() || body.chars().nth(9).is_some())
    }

    /// [`super::two_numbers`] as it was, with no count of the digits first.
    fn two_numbers_reference(s: &str) -> bool {
        s.split_whitespace()
            .filter(|w| w.contains(|c: char| c.is_ascii_digit()))
            .nth(1)
            .is_some()
    }

    /// Characters of cut lines, numbers and word cores: dots, ellipses and characters whose last
    /// byte is the ellipsis' (`\u{a6}`, `\u{2026}`'s neighbours), digits, trimmed marks, spaces.
    const CUT_CHARS: &[char] = &[
        '.', '.', '\u{2026}', '\u{a6}', '\u{2066}', 'a', 'B', '1', '9', ' ', '\u{a0}', '"', '\'',
        '\u{201c}', '\u{2019}', '(', ':', '-', '\u{2014}', '\u{e9}', '\u{c9}', '\u{ff11}',
    ];

    proptest::proptest! {
        #[test]
        fn cut_number_and_core_tests_agree_with_their_references(
            picks in proptest::collection::vec(0..CUT_CHARS.len(), 0..40)
        ) {
            let s: String = picks.iter().map(|&k| CUT_CHARS[k]).collect();
            proptest::prop_assert_eq!(
                super::truncated_card(&s), truncated_card_reference(&s), "{:?}", s
            );
            proptest::prop_assert_eq!(
                super::two_numbers(&s), two_numbers_reference(&s), "{:?}", s
            );
            proptest::prop_assert_eq!(
                super::first_core_char(&s),
                super::word_core(&s).chars().next(),
                "{:?}", s
            );
        }
    }

    #[test]
    fn cut_lines_agree_with_the_reference() {
        for s in [
            "",
            ".",
            "..",
            "...",
            "\u{2026}",
            "One two three...",
            "One two three\u{2026}",
            "One two three.",
            "One two three..",
            "One two three \u{2026}",
            "Ten chars!...",
            "\"Quoted three words...",
            "a\u{a6}",
            "x\u{2026}.",
            "1 2",
            "Nov 19, 2019",
        ] {
            assert_eq!(
                super::truncated_card(s),
                truncated_card_reference(s),
                "{s:?}"
            );
            assert_eq!(super::two_numbers(s), two_numbers_reference(s), "{s:?}");
        }
    }

    /// The field test of [`super::info_shaped`] as it was.
    fn field_reference(s: &str) -> bool {
        s.split_once([':', '\u{ff1a}'])
            .is_some_and(|(name, value)| {
                value.trim().is_empty() || name.split_whitespace().count() <= 2
            })
    }

    #[test]
    fn first_colon_finds_what_split_once_finds() {
        for s in [
            "",
            "Email:",
            "Capital: Wellington",
            "A headline with a colon: later on",
            "Name\u{ff1a}value: more",
            "one two three\u{ff1a}",
            "a:b\u{ff1a}c",
            "no colon at all",
            "\u{ff1a}",
            "  :  ",
        ] {
            let found = super::first_colon(s).map(|(at, len)| (&s[..at], &s[at + len..]));
            assert_eq!(found, s.split_once([':', '\u{ff1a}']), "{s:?}");
            let field = super::first_colon(s).is_some_and(|(at, len)| {
                s[at + len..].trim().is_empty() || s[..at].split_whitespace().nth(2).is_none()
            });
            assert_eq!(field, field_reference(s), "{s:?}");
        }
    }

    /// [`super::content_heading`] as it was: the line lowercased, then looked up.
    fn content_heading_reference(s: &str) -> bool {
        let heading = s.trim_end_matches([':', '\u{ff1a}']).to_lowercase();
        CONTENT_HEADINGS.contains(&heading.as_str())
    }

    /// Characters around colons: both colons, a space, letters, a full-width comma.
    const COLON_CHARS: &[char] = &[':', '\u{ff1a}', ' ', 'a', 'B', '\u{ff0c}', '\u{e9}'];

    /// Characters of short headings, in both cases, with the Kelvin sign (it lowercases to `k`)
    /// and letters that start no heading (`a`, `Z`).
    const HEADING_CHARS: &[char] = &[
        'n', 'o', 't', 'e', 's', 'N', 'O', 'T', 'E', 'S', ' ', ':', '\u{ff1a}', '\u{e9}', '\u{c9}',
        '\u{212a}', 'k', 'K', 'a', 'Z',
    ];

    #[test]
    fn glue_examples_agree_with_the_reference() {
        for s in [
            "",
            "One two three",
            "Troy Steakhouse Grill SteakhouseA party of six left without paying.",
            "Is Violence On The Rise?Violence is part of the story here.",
            "Caf\u{e9} Society Awards \u{c9}t\u{e9}Avant le d\u{e9}but de la f\u{ea}te.",
            "a b c d e f g h i j k l m n o pQ",
            "a b c d e f g h i j k l m n oQ",
            "a\u{a0}b\u{a0}cD e",
            "a b\u{2003}c\u{2019}D",
        ] {
            assert_eq!(may_glue(s), may_glue_reference(s), "{s:?}");
        }
        assert!(may_glue("a b cD"));
        assert!(!may_glue("a bC d"));
        assert!(may_glue("a b\u{2003}c\u{2019}D"));
    }

    #[test]
    fn content_headings_match_in_any_case_and_only_whole() {
        for h in CONTENT_HEADINGS {
            let upper = h.to_uppercase();
            for s in [
                h.to_string(),
                upper.clone(),
                format!("{upper}:"),
                format!("{h}\u{ff1a}"),
            ] {
                assert!(super::content_heading(&s), "{s:?}");
                assert!(content_heading_reference(&s), "{s:?}");
            }
            assert!(!super::content_heading(&format!("{h}s x")), "{h:?}");
        }
        assert!(super::content_heading("See Also:"));
        assert!(!super::content_heading("See also here"));
    }
}
