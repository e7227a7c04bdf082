//! Text units of a document as `learn` counts them: lines and sentences, normalised into keys.
//!
//! A line's **display** form is what the cleaner compares: typographic variants folded, lower case,
//! trimmed of whitespace, leading bullets and trailing punctuation (as [`filter`](crate::filter)
//! trims a line before a whole-line match). Its **key** is the display form with numbers, month and
//! weekday names replaced by placeholders, so "Updated 3 May 2024" and "Updated 12 June 2025" count
//! as one line. A key that held placeholders becomes a regex ([`key_regex`]) when its occurrences
//! differ, a literal phrase when they do not.

use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use regex::Regex;

use crate::filter::{is_bullet, is_space_char, is_trailing_punct};
use crate::normalize;

/// Placeholder for a number (digits, with `.,:/-` between digit runs and an ordinal suffix).
const NUM: char = '\u{E000}';
/// Placeholder for a month name.
const MONTH: char = '\u{E001}';
/// Placeholder for a weekday name.
const WEEKDAY: char = '\u{E002}';

const NUM_RE: &str = r"\d+(?:[.,:/-]\d+)*(?:st|nd|rd|th)?";
const MONTH_RE: &str = "(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
const WEEKDAY_RE: &str = "(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)";

/// Fewest words a sentence needs to be counted on its own (shorter ones start too many article
/// sentences to be safe as sentence rules).
pub const MIN_SENTENCE_WORDS: usize = 3;

/// What kind of unit a fingerprint stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A whole line.
    Line,
    /// One sentence of a line that holds several.
    Sentence,
}

/// One countable unit of a document.
#[derive(Debug, Clone)]
pub struct Unit {
    /// Line or sentence.
    pub kind: Kind,
    /// 0-based line number in the document.
    pub line: usize,
    /// 64-bit fingerprint of `kind` and `key`.
    pub fp: u64,
    /// The generalised key (empty when the unit's texts were not wanted).
    pub key: String,
    /// The normalised text as the cleaner compares it.
    pub display: String,
    /// The original text, trimmed of surrounding whitespace.
    pub raw: String,
}

/// A hasher for keys that are already fingerprints: it passes the `u64` through.
#[derive(Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map keyed by fingerprints.
pub type FpMap<V> = std::collections::HashMap<u64, V, BuildHasherDefault<IdHasher>>;

/// The fingerprint of a unit: a 64-bit hash of its kind and key (fixed keys, so stable within a run).
pub fn fingerprint(kind: Kind, key: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    h.write_u8(kind as u8);
    h.write(key.as_bytes());
    h.finish()
}

/// Trims whitespace and leading bullets at the start, whitespace and punctuation at the end.
pub fn trim_line(s: &str) -> &str {
    let s = s.trim_start_matches(|c: char| is_space_char(c) || is_bullet(c));
    s.trim_end_matches(|c: char| is_space_char(c) || is_trailing_punct(c))
}

/// The display form of a piece of text: folded, lower case, trimmed as a line is.
pub fn display(s: &str) -> String {
    trim_line(&normalize::phrase(s)).to_string()
}

/// The placeholder of a month or weekday name, if `word` is one.
fn date_word(word: &str) -> Option<char> {
    match word {
        "january" | "february" | "march" | "april" | "may" | "june" | "july" | "august"
        | "september" | "october" | "november" | "december" | "jan" | "feb" | "mar" | "apr"
        | "jun" | "jul" | "aug" | "sep" | "sept" | "oct" | "nov" | "dec" => Some(MONTH),
        "monday" | "tuesday" | "wednesday" | "thursday" | "friday" | "saturday" | "sunday" => {
            Some(WEEKDAY)
        }
        _ => None,
    }
}

fn char_before(s: &str, at: usize) -> Option<char> {
    s[..at].chars().next_back()
}

/// The text of a line as a block's end marker: folded, lower case, without leading bullets but
/// with its closing punctuation (an end marker that stops short of it leaves the rest of its line).
pub fn end_marker(raw: &str) -> String {
    normalize::phrase(raw)
        .trim_start_matches(|c: char| is_space_char(c) || is_bullet(c))
        .to_string()
}

/// Replaces numbers, month and weekday names by placeholders. Returns the key and the text each
/// placeholder stands for, in order. A number glued to letters ("mp3") is part of its word.
pub fn generalise(display: &str) -> (String, Vec<&str>) {
    let b = display.as_bytes();
    let mut out = String::with_capacity(display.len());
    let mut slots = Vec::new();
    // Start of the text not yet copied to `out`.
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() {
            let mut j = i + 1;
            loop {
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                if j + 1 < b.len() && b".,:/-".contains(&b[j]) && b[j + 1].is_ascii_digit() {
                    j += 1;
                    continue;
                }
                break;
            }
            let rest = &display[j..];
            for suffix in ["st", "nd", "rd", "th"] {
                if rest.starts_with(suffix) && !rest[2..].starts_with(char::is_alphanumeric) {
                    j += 2;
                    break;
                }
            }
            out.push_str(&display[copied..i]);
            out.push(NUM);
            slots.push(&display[i..j]);
            copied = j;
            i = j;
            continue;
        }
        if c < 0x80 && !c.is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        // A word: letters and digits, ASCII (fast) or not.
        let mut j = i;
        while j < b.len() && b[j].is_ascii_alphanumeric() {
            j += 1;
        }
        if j < b.len() && b[j] >= 0x80 {
            for (k, ch) in display[j..].char_indices() {
                if !ch.is_alphanumeric() {
                    j += k;
                    break;
                }
                if j + k + ch.len_utf8() == b.len() {
                    j = b.len();
                }
            }
        }
        if j == i {
            i += display[i..].chars().next().map_or(1, char::len_utf8);
            continue;
        }
        let word = &display[i..j];
        if !(3..=9).contains(&word.len()) {
            i = j;
            continue;
        }
        let alone = char_before(display, i).is_none_or(|p| !p.is_alphanumeric());
        if alone && let Some(ph) = date_word(word) {
            out.push_str(&display[copied..i]);
            out.push(ph);
            slots.push(word);
            copied = j;
        }
        i = j;
    }
    out.push_str(&display[copied..]);
    (out, slots)
}

/// The body of a regex matching every text with this key (literal parts escaped). A placeholder
/// whose slot in `fixed` holds a text stands for that text alone.
fn regex_body(key: &str, fixed: &[Option<&str>]) -> String {
    let mut out = String::new();
    let mut lit = String::new();
    let mut slot = 0;
    for c in key.chars() {
        let token = match c {
            NUM => NUM_RE,
            MONTH => MONTH_RE,
            WEEKDAY => WEEKDAY_RE,
            _ => {
                lit.push(c);
                continue;
            }
        };
        if let Some(Some(text)) = fixed.get(slot) {
            lit.push_str(text);
        } else {
            out.push_str(&regex::escape(&lit));
            lit.clear();
            out.push_str(token);
        }
        slot += 1;
    }
    out.push_str(&regex::escape(&lit));
    out
}

/// The regex for a generalised key; `fixed` gives the placeholders that never varied their text.
/// Line regexes are anchored to the whole line, allowing the bullets and punctuation the cleaner
/// trims; sentence regexes are not (the cleaner checks that a hit begins a sentence).
pub fn key_regex(kind: Kind, key: &str, fixed: &[Option<&str>]) -> String {
    match kind {
        Kind::Line => format!(r"^[^\w\n]*{}[^\w\n]*$", regex_body(key, fixed)),
        Kind::Sentence => regex_body(key, fixed),
    }
}

/// Closing quotes and brackets that may follow a sentence's end punctuation.
fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | ')' | ']' | '”' | '’' | '»')
}

/// Splits a line into sentences: after `.`, `!` or `?` (and closing quotes) followed by a space
/// and a character that is not lower case, or glued to a capital ("difference.Vladimir").
pub fn sentences(line: &str) -> Vec<&str> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut from = 0;
    while let Some(p) = memchr::memchr3(b'.', b'!', b'?', &b[from..]).map(|p| p + from) {
        let prev_lower = char_before(line, p).is_some_and(char::is_lowercase);
        let mut j = p + 1;
        while j < b.len() && matches!(b[j], b'.' | b'!' | b'?') {
            j += 1;
        }
        while let Some(c) = line[j..].chars().next().filter(|&c| is_closer(c)) {
            j += c.len_utf8();
        }
        let boundary = match line[j..].chars().next() {
            None => true,
            Some(c) if c.is_whitespace() => line[j..]
                .trim_start()
                .chars()
                .next()
                .is_none_or(|n| !n.is_lowercase()),
            Some(c) => prev_lower && c.is_uppercase(),
        };
        if boundary {
            let s = line[start..j].trim();
            if !s.is_empty() {
                out.push(s);
            }
            start = j;
        }
        from = j;
    }
    let rest = line[start..].trim();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// Does the text hold a word: at least one letter?
fn has_letter(s: &str) -> bool {
    s.chars().any(char::is_alphabetic)
}

/// The countable units of a document: every line with a letter in it, and the sentences of lines
/// that hold more than one. `want` decides, from kind and fingerprint, whether a unit's texts are
/// needed (the counting pass needs none); units it rejects come back with empty texts.
pub fn units(doc: &[u8], want: &dyn Fn(Kind, u64) -> bool) -> Vec<Unit> {
    let mut out = Vec::new();
    let doc = doc.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(doc);
    for (n, line) in doc.split(|&b| b == b'\n').enumerate() {
        let line = String::from_utf8_lossy(line);
        let line = line.trim();
        if !has_letter(line) {
            continue;
        }
        push_unit(&mut out, Kind::Line, n, line, want);
        let parts = sentences(line);
        if parts.len() > 1 {
            for s in parts {
                if s.split_whitespace().count() >= MIN_SENTENCE_WORDS && has_letter(s) {
                    push_unit(&mut out, Kind::Sentence, n, s, want);
                }
            }
        }
    }
    out
}

fn push_unit(
    out: &mut Vec<Unit>,
    kind: Kind,
    line: usize,
    raw: &str,
    want: &dyn Fn(Kind, u64) -> bool,
) {
    let display = display(raw);
    if !has_letter(&display) {
        return;
    }
    let (key, _) = generalise(&display);
    let fp = fingerprint(kind, &key);
    let (key, display, raw) = if want(kind, fp) {
        (key, display, raw.to_string())
    } else {
        (String::new(), String::new(), String::new())
    };
    out.push(Unit {
        kind,
        line,
        fp,
        key,
        display,
        raw,
    });
}

/// Fewest words of a line that may read like article prose.
pub const PROSE_MIN_WORDS: usize = 12;

/// Does this original text read like a sentence of article prose: at least [`PROSE_MIN_WORDS`]
/// words, ending in `.`, `!` or `?` (perhaps inside quotes), and most words after the first
/// starting in lower case? Chrome is mostly short labels or title-cased prompts.
pub fn reads_like_prose(raw: &str) -> bool {
    let words: Vec<&str> = raw.split_whitespace().collect();
    if words.len() < PROSE_MIN_WORDS {
        return false;
    }
    let end = raw.trim_end_matches(is_closer);
    if !end.ends_with(['.', '!', '?']) {
        return false;
    }
    let lower = words[1..]
        .iter()
        .filter(|w| {
            w.chars()
                .find(|c| c.is_alphabetic())
                .is_some_and(char::is_lowercase)
        })
        .count();
    lower * 10 >= (words.len() - 1) * 6
}

/// Keyword table for guessing a family, checked in order; the first match wins.
static FAMILY_TABLE: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    let table: &[(&str, &str)] = &[
        ("cookie", r"\bcookies?\b"),
        ("copyright", r"\b(?:copyright|rights reserved)\b|©"),
        (
            "newsletter",
            r"\b(?:newsletters?|subscribe|subscription|sign(?:ing)? up|signup|inbox)\b",
        ),
        ("comments", r"\b(?:comments?|commenting|commenters?)\b"),
        (
            "share",
            r"\b(?:share|sharing|facebook|twitter|whatsapp|linkedin|pinterest)\b",
        ),
        (
            "ad",
            r"\b(?:advertisements?|advertising|advertise|advert|sponsored|ad)\b",
        ),
        (
            "support-appeal",
            r"\b(?:donate|donations?|support|contribute|contributions?)\b",
        ),
        (
            "related",
            r"\b(?:read more|related|recommended|more stories|you may also like)\b",
        ),
        (
            "caption",
            r"\b(?:photo(?:graph)?s?|images?|getty|reuters|ap|afp|pictured)\b",
        ),
        (
            "navigation",
            r"^(?:home|menu|search|contact(?: us)?|about(?: us)?|privacy(?: policy)?|terms of (?:use|service)|sign in|log ?in|skip to(?: main)? content|careers|site ?map)$",
        ),
    ];
    table
        .iter()
        .map(|(family, re)| (*family, Regex::new(re).expect("family table regex")))
        .collect()
});

/// Guesses a rule's family from its normalised text; `other` when nothing tells.
pub fn guess_family(text: &str) -> &'static str {
    FAMILY_TABLE
        .iter()
        .find(|(_, re)| re.is_match(text))
        .map_or("other", |(f, _)| f)
}

/// A group name as a rule-id part: lower-case ASCII letters and digits, other runs as `-`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() { "group".into() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_folds_and_trims() {
        assert_eq!(display("  • Share this article: "), "share this article");
        assert_eq!(
            end_marker("  • Share this article: "),
            "share this article:"
        );
        assert_eq!(
            display("Don\u{2019}t  miss \u{2014} SIGN UP!"),
            "don't miss - sign up"
        );
    }

    #[test]
    fn generalises_numbers_dates_and_days() {
        let (k, slots) = generalise("updated 3rd may 2024, 10:30 on monday");
        assert_eq!(slots, ["3rd", "may", "2024", "10:30", "monday"]);
        assert_eq!(
            k,
            "updated \u{E000} \u{E001} \u{E000}, \u{E000} on \u{E002}"
        );
        let (k, slots) = generalise("share this mayor's story");
        assert!(slots.is_empty());
        assert_eq!(k, "share this mayor's story");
        assert_eq!(
            generalise("covid-19 page 2/3").0,
            "covid-\u{E000} page \u{E000}"
        );
        assert_eq!(
            generalise("mp3 caf\u{e9}may \u{e9}t\u{e9} 2024 june").0,
            "mp3 caf\u{e9}may \u{e9}t\u{e9} \u{E000} \u{E001}"
        );
    }

    #[test]
    fn regexes_match_variants_and_escape_the_rest() {
        let (k, _) = generalise("(c) 2024 the daily star. all rights reserved");
        let re = Regex::new(&format!("(?i){}", key_regex(Kind::Line, &k, &[]))).unwrap();
        assert!(re.is_match("• (C) 1999 The Daily Star. All rights reserved."));
        assert!(!re.is_match("(c) 2024 the daily starx all rights reserved"));
        assert!(!re.is_match("Yes: (c) 2024 the daily star. all rights reserved"));
        let (k, _) = generalise("updated 3 march");
        assert_eq!(
            key_regex(Kind::Sentence, &k, &[]),
            format!("updated {NUM_RE} {MONTH_RE}")
        );
        let (k, _) = generalise("(c) 2024 news since 1881.");
        assert_eq!(
            key_regex(Kind::Sentence, &k, &[None, Some("1881")]),
            format!(r"\(c\) {NUM_RE} news since 1881\.")
        );
    }

    #[test]
    fn splits_sentences() {
        assert_eq!(
            sentences(
                "It rained. \u{201C}Why?\u{201D} she asked. U.S. officials said so.Glued here"
            ),
            vec![
                "It rained.",
                "\u{201C}Why?\u{201D} she asked.",
                "U.S. officials said so.",
                "Glued here"
            ]
        );
        assert_eq!(
            sentences("version 2.5 is out. it is"),
            vec!["version 2.5 is out. it is"]
        );
    }

    #[test]
    fn units_of_a_document() {
        let doc = "Share this\n\n---\nOne two three. Four five six seven.\n";
        let u = units(doc.as_bytes(), &|_, _| true);
        let got: Vec<_> = u
            .iter()
            .map(|u| (u.kind, u.line, u.display.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Kind::Line, 0, "share this"),
                (Kind::Line, 3, "one two three. four five six seven"),
                (Kind::Sentence, 3, "one two three"),
                (Kind::Sentence, 3, "four five six seven"),
            ]
        );
        let none = units(doc.as_bytes(), &|_, _| false);
        assert_eq!(none.len(), 4);
        assert!(none.iter().all(|u| u.key.is_empty()));
        assert_eq!(none[0].fp, fingerprint(Kind::Line, "share this"));
    }

    #[test]
    fn prose_heuristic() {
        assert!(reads_like_prose(
            "The minister said the plan would be reviewed again before the end of the year."
        ));
        assert!(!reads_like_prose("Sign up to our newsletter."));
        assert!(!reads_like_prose(
            "Share On Facebook Share On Twitter Share On WhatsApp Share By Email Now Please Today."
        ));
        assert!(!reads_like_prose(
            "the minister said the plan would be reviewed again before the end of the year"
        ));
    }

    #[test]
    fn families() {
        assert_eq!(
            guess_family("sign up to our daily newsletter"),
            "newsletter"
        );
        assert_eq!(guess_family("share on facebook"), "share");
        assert_eq!(guess_family("© 2024 the star"), "copyright");
        assert_eq!(guess_family("photo: ap"), "caption");
        assert_eq!(guess_family("please donate today"), "support-appeal");
        assert_eq!(guess_family("read more"), "related");
        assert_eq!(guess_family("the weather desk"), "other");
        assert_eq!(guess_family("shared spaces"), "other");
        assert_eq!(guess_family("advertise with us"), "ad");
        assert_eq!(guess_family("skip to main content"), "navigation");
        assert_eq!(guess_family("about us and our mission"), "other");
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("The Daily Star"), "the-daily-star");
        assert_eq!(slug("www.example.co.uk"), "www-example-co-uk");
        assert_eq!(slug("Ünïcode!!"), "n-code");
        assert_eq!(slug("---"), "group");
    }
}
