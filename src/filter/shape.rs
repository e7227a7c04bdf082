//! Line shapes: what a line of text is, beyond chrome or not.
//!
//! Decides, from one line (and its neighbours), whether it is article prose, part of a run of
//! hard-wrapped prose, or article content of another shape: code, a protocol trace, a table row,
//! a quantity with its unit (an ingredient, a nutrition line, a result). The section, run and line
//! scopes share these answers so that none of them takes such content for chrome. It must never
//! decide what to remove, and it reads only the text of the lines it is given.

use super::doc::{char_count, word_count};
use crate::patterns::Rule;

/// A line at least this long (in characters) that does not end a sentence is still a paragraph
/// when it holds [`PARAGRAPH_WORDS`] words: a transcript ending in `[MUSIC]`, a quote without its
/// full stop.
pub(super) const PARAGRAPH_CHARS: usize = 400;
/// Words of a paragraph that does not end like a sentence (see [`PARAGRAPH_CHARS`]).
pub(super) const PARAGRAPH_WORDS: usize = 60;
/// A line of hard-wrapped prose is at least this long: shorter lines are labels, menu items or
/// headlines.
const WRAPPED_CHARS: usize = 40;

/// Does the trimmed text end like a sentence (`.`, `!`, `?`, or their CJK forms), closing quotes
/// and brackets aside?
pub(super) fn ends_sentence(s: &str) -> bool {
    // Most lines end with an ASCII byte that tells at once: a full stop or a mark ends a
    // sentence; a letter, a digit or another mark, neither a closer nor `)`, does not.
    match s.as_bytes().last() {
        Some(b'.' | b'!' | b'?') => return true,
        Some(&b) if b.is_ascii() && !matches!(b, b'"' | b'\'' | b')' | b']') => return false,
        _ => {}
    }
    // A credit in brackets after the last sentence: "... he said. (AP)".
    let s = match s.strip_suffix(')').and_then(|r| r.rsplit_once('(')) {
        Some((before, credit))
            if credit.chars().count() <= 20
                && credit.starts_with(|c: char| c.is_uppercase())
                && credit
                    .chars()
                    .all(|c| c.is_alphabetic() || matches!(c, ' ' | '.' | '&' | '-')) =>
        {
            before.trim_end()
        }
        _ => s,
    };
    let s = s.trim_end_matches(['"', '\'', ')', ']', '\u{201d}', '\u{2019}', '\u{bb}']);
    s.ends_with(['.', '!', '?', '\u{3002}', '\u{ff01}', '\u{ff1f}'])
}

/// Does the trimmed text of a line read as a paragraph of the article: enough words ending like
/// a sentence, or ending with `:` (a paragraph that introduces a list or a quote), or long and
/// wordy whatever its end (a transcript, a caption-less quote)? A line cut short with an ellipsis
/// is a teaser, and a line of `|`- or `•`-separated items is a menu.
pub(super) fn reads_as_prose(s: &str) -> bool {
    let core = s.trim_end_matches(['"', '\'', ')', ']', '\u{201d}', '\u{2019}', '\u{bb}']);
    if core.ends_with('\u{2026}') || core.ends_with("..") {
        return false;
    }
    // Every test below must hold (each is a function of `s` alone): the end of the line and its
    // length first, which dismiss most lines (labels, headlines, menu entries) unread.
    let b = s.as_bytes();
    let sentence = ends_sentence(s) || core.ends_with([':', '\u{ff1a}']);
    // A line that ends no sentence needs PARAGRAPH_CHARS characters, and has at most a
    // character a byte.
    if !sentence && b.len() < PARAGRAPH_CHARS {
        return false;
    }
    let ascii = b.is_ascii();
    // A line of many short items is a list (names, tags, links), not a paragraph: more than four
    // words an item make running text.
    let items = ITEMS.count(b, ascii);
    let list_words = if items >= 8 { 4 * items + 1 } else { 0 };
    // Words are counted once, as far as a test needs them: a sentence needs PROSE_WORDS, a
    // paragraph that ends none PARAGRAPH_WORDS.
    const _: () = assert!(Rule::PROSE_WORDS <= PARAGRAPH_WORDS);
    let needed = if sentence {
        Rule::PROSE_WORDS
    } else {
        PARAGRAPH_WORDS
    };
    let words = word_count(s, needed.max(list_words));
    if words < needed || words < list_words {
        return false;
    }
    if sentence {
        return true;
    }
    // Running text has clauses (a tag cloud or a run of links has none) and no menu separators.
    let chars = if ascii { b.len() } else { char_count(b) };
    chars >= PARAGRAPH_CHARS && SEPARATORS.count(b, ascii) < 3 && CLAUSES.count(b, ascii) >= 2
}

/// A set of punctuation marks [`reads_as_prose`] counts: ASCII bytes, and characters of other
/// scripts as their UTF-8 bytes (in valid UTF-8 a byte sequence that encodes a character is
/// always that character).
struct Marks {
    ascii: &'static [u8],
    wide: &'static [&'static str],
}

/// List item separators.
const ITEMS: Marks = Marks {
    ascii: b",;|",
    wide: &["\u{2022}", "\u{b7}", "\u{3001}", "\u{ff0c}"],
};
/// Menu separators.
const SEPARATORS: Marks = Marks {
    ascii: b"|",
    wide: &["\u{2022}", "\u{b7}"],
};
/// Clause marks.
const CLAUSES: Marks = Marks {
    ascii: b",.;",
    wide: &["\u{3001}", "\u{3002}", "\u{ff0c}"],
};

impl Marks {
    /// How many of the marks `b` holds (`ascii`: it is all ASCII), by vectorised byte searches.
    fn count(&self, b: &[u8], ascii: bool) -> usize {
        let mut n = match *self.ascii {
            [x] => count_bytes(b, |c| c == x),
            [x, y] => count_bytes(b, |c| c == x || c == y),
            [x, y, z] => count_bytes(b, |c| c == x || c == y || c == z),
            _ => unreachable!("one to three ASCII marks"),
        };
        if !ascii {
            // Every wide mark begins with one of these bytes (U+00B7, U+2022, U+3001/2, U+FF0C).
            let at = |i: usize| self.wide.iter().any(|w| b[i..].starts_with(w.as_bytes()));
            n += memchr::memchr3_iter(0xC2, 0xE2, 0xE3, b)
                .filter(|&i| at(i))
                .count();
            n += memchr::memchr_iter(0xEF, b).filter(|&i| at(i)).count();
        }
        n
    }
}

/// How many bytes of `b` are `mark`s, summed in byte lanes over blocks of 128 (which the
/// compiler vectorises; a search that stops at each mark costs a call a mark, and a line of
/// prose has many commas).
#[inline(always)]
fn count_bytes(b: &[u8], mark: impl Fn(u8) -> bool) -> usize {
    b.chunks(128)
        .map(|c| usize::from(c.iter().fold(0u8, |n, &x| n + u8::from(mark(x)))))
        .sum()
}

/// Is the (untrimmed) line article content of a shape that is neither prose nor chrome: code or a
/// protocol trace (indented, braces, a request line, a header field), a table row (tab- or
/// space-aligned columns), or a quantity with its unit (an ingredient, a nutrition value)?
pub(super) fn is_content_shape(line: &str) -> bool {
    let t = line.trim();
    if t.is_empty() {
        return false;
    }
    // Indented by two spaces or a tab: code, a quoted block, a poem's indented line.
    if line.starts_with("  ") || line.starts_with('\t') {
        return true;
    }
    code_shape(t) || table_shape(t) || quantity_shape(t) || changelog_shape(t)
}

/// A changelog or diff entry: `+ ` then a statement of three or more words ("+ Added the /fill
/// command"); a two-word `+ Follow` is a button.
fn changelog_shape(t: &str) -> bool {
    t.strip_prefix("+ ")
        .is_some_and(|rest| rest.split_whitespace().count() >= 3)
}

fn code_shape(t: &str) -> bool {
    const OPEN_CLOSE: [&str; 10] = ["{", "}", "};", "});", ");", "[", "],", "]", "*/", "/*"];
    if OPEN_CLOSE.iter().any(|e| t.ends_with(e)) || t.starts_with(['{', '}']) {
        // A lone closing bracket or a line ending in one; not a bracketed label like "[Video]".
        return !(t.starts_with('[') && t.ends_with(']') && !t.contains(['{', '(']));
    }
    if t.starts_with("</") || (t.starts_with('<') && t.ends_with('>')) {
        return true;
    }
    let first = t.split(' ').next().unwrap_or("");
    // A request or status line of a protocol trace.
    if matches!(
        first,
        "GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "HEAD" | "OPTIONS" | "CONNECT"
    ) && t[first.len()..].trim_start().starts_with('/')
    {
        return true;
    }
    if t.starts_with("HTTP/") {
        return true;
    }
    // A header field with a hyphenated name: "Content-Type: text/html".
    let b = t.as_bytes();
    if let Some(colon) = memchr::memchr_iter(b':', b).find(|&i| b.get(i + 1) == Some(&b' ')) {
        let name = &t[..colon];
        let mut parts = name.split('-');
        let all = parts
            .clone()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()));
        if all && parts.nth(1).is_some() {
            return true;
        }
    }
    // Statements and assignments.
    t.ends_with(';') && !t.contains(". ")
}

fn table_shape(t: &str) -> bool {
    if t.contains('\t') {
        return true;
    }
    // Two or more gaps of two or more spaces between cells.
    static DOUBLE_SPACE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"  "));
    if DOUBLE_SPACE.find(t.as_bytes()).is_none() {
        return false;
    }
    t.split("  ").filter(|cell| !cell.trim().is_empty()).count() >= 3
}

/// Units of quantities in recipes, nutrition tables and results, in the languages of the built-in
/// set (compared in lower case, after the number).
const UNITS: &[&str] = &[
    "g",
    "kg",
    "mg",
    "µg",
    "ml",
    "cl",
    "dl",
    "l",
    "oz",
    "lb",
    "lbs",
    "kcal",
    "cal",
    "kj",
    "cup",
    "cups",
    "tbsp",
    "tsp",
    "tablespoon",
    "tablespoons",
    "teaspoon",
    "teaspoons",
    "pinch",
    "clove",
    "cloves",
    "slice",
    "slices",
    "servings",
    "portions",
    "el",
    "tl",
    "prise",
    "portionen",
    "personen",
    "stück",
    "personnes",
    "cuillère",
    "cuillères",
    "pincée",
    "cucharada",
    "cucharadas",
    "cucharadita",
    "cucharaditas",
    "taza",
    "tazas",
    "personas",
    "colher",
    "colheres",
    "xícara",
    "xícaras",
    "pessoas",
    "cucchiaio",
    "cucchiai",
    "persone",
    "%",
];

/// CJK units written right after the number: grams, millilitres, portions, pieces.
const CJK_UNITS: &[&str] = &[
    "克",
    "毫升",
    "人分",
    "人份",
    "個",
    "个",
    "本",
    "枚",
    "杯",
    "大さじ",
    "小さじ",
];

/// Currency signs written beside an amount: a price table row ("VIP : 60,000₩", "Adults €12").
const CURRENCIES: &[char] = &[
    '$', '€', '£', '¥', '₩', '₹', '₽', '₺', '₪', '₫', '₴', '₱', '฿',
];

/// A short line holding a number followed by a unit ("250 g de farine", "390 kcal", "Fat 12g",
/// "Serves 4 personas"), a fraction ("½ cup milk"), an amount with its currency sign ("R :
/// 50,000₩"), or a percentage written sign first, as a poll result in some locales does ("%65").
fn quantity_shape(t: &str) -> bool {
    // More than 80 characters: a character takes one to four bytes, so most lines are told by
    // their length alone.
    if t.len() > 4 * 80 || (t.len() > 80 && t.chars().count() > 80) {
        return false;
    }
    // The fractions by their UTF-8 bytes (a vectorised search for their lead bytes rather than
    // a decoding of every character).
    const FRACTIONS: [&str; 5] = ["½", "¼", "¾", "⅓", "⅔"];
    let b = t.as_bytes();
    if memchr::memchr2_iter(0xC2, 0xE2, b)
        .any(|i| FRACTIONS.iter().any(|f| b[i..].starts_with(f.as_bytes())))
    {
        return true;
    }
    // Every quantity below but the Japanese spoonful holds an ASCII digit.
    let digit = t.bytes().any(|b| b.is_ascii_digit());
    if digit {
        // A character next to a sign is an ASCII digit exactly when the byte next to the sign
        // is one (an ASCII byte is a whole character in UTF-8).
        let b = t.as_bytes();
        let digit_at = |k: usize| b.get(k).is_some_and(u8::is_ascii_digit);
        for (k, c) in t.char_indices() {
            let after = k + c.len_utf8();
            if CURRENCIES.contains(&c) && ((k > 0 && digit_at(k - 1)) || digit_at(after)) {
                return true;
            }
            if c == '%'
                && digit_at(after)
                && t[..k].chars().next_back().is_none_or(char::is_whitespace)
            {
                return true;
            }
        }
    }
    if t.starts_with(['大', '小']) && (t.contains("さじ")) {
        return true;
    }
    if !digit {
        return false;
    }
    let lower = t.to_lowercase();
    let bytes = lower.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_alphabetic()) {
            let mut j = i;
            while j < bytes.len()
                && (bytes[j].is_ascii_digit() || matches!(bytes[j], b'.' | b',' | b'/'))
            {
                j += 1;
            }
            let rest = &lower[j..];
            if CJK_UNITS.iter().any(|u| rest.starts_with(u)) {
                return true;
            }
            let rest = rest.trim_start();
            let unit: String = rest
                .chars()
                .take_while(|c| c.is_alphabetic() || *c == '%' || *c == 'µ')
                .collect();
            let after = rest[unit.len()..].chars().next();
            if !unit.is_empty()
                && UNITS.contains(&unit.as_str())
                && after.is_none_or(|c| !c.is_alphanumeric())
            {
                return true;
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    false
}

/// Is `line` a piece of hard-wrapped prose rather than a label standing on its own: the line
/// before it (`prev`, directly above, no blank line between) is running text that does not end a
/// sentence, and either the line itself or the one after it (`next`) goes on in lower case, or
/// the line before `prev` (`prev2`) is running text too? Or is `line` itself running text that
/// does not end a sentence, with `next` going on in lower case (a wrapped paragraph's first
/// line)?
#[cfg(test)]
pub(super) fn continues_wrapped_prose(
    line: &str,
    prev: Option<&str>,
    prev2: Option<&str>,
    next: Option<&str>,
) -> bool {
    // The first line of a wrapped paragraph: running text cut short, the next line going on in
    // lower case ("Copyright (c) 2014 IETF Trust and the persons identified as the" / "document
    // authors.").
    if runs_on(line) && next.is_some_and(opens_lower) {
        return true;
    }
    let Some(prev) = prev else {
        return false;
    };
    if !runs_on(prev) {
        return false;
    }
    opens_lower(line) || prev2.is_some_and(wraps_open) || next.is_some_and(opens_lower)
}

/// Is the (untrimmed) line running text cut short: it ends with a letter, a digit, `,`, `-`,
/// `;` or `(`, and reads as a line of running text (see [`continues_wrapped_prose`])?
pub(super) fn runs_on(s: &str) -> bool {
    let s = s.trim();
    s.chars()
        .last()
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, ',' | '-' | ';' | '('))
        && is_wrapped_prose_line(s)
}

/// Does the (untrimmed) line open in lower case?
pub(super) fn opens_lower(s: &str) -> bool {
    s.trim_start()
        .chars()
        .next()
        .is_some_and(char::is_lowercase)
}

/// Is the (untrimmed) line running text that ends no sentence?
pub(super) fn wraps_open(s: &str) -> bool {
    !ends_sentence(s.trim()) && is_wrapped_prose_line(s.trim())
}

/// Does a trimmed line look like a line of running text: long enough, several words, most of
/// them in lower case (a headline or a menu is capitalised), and no `|` or `•` separators?
pub(super) fn is_wrapped_prose_line(s: &str) -> bool {
    // A character takes one to four bytes: most lines are told by their length alone.
    let short = s.len() < WRAPPED_CHARS
        || (s.len() < 4 * WRAPPED_CHARS && s.chars().count() < WRAPPED_CHARS);
    if short || s.contains(['|', '\u{2022}']) {
        return false;
    }
    let (mut words, mut lower) = (0, 0);
    for w in s.split_whitespace() {
        words += 1;
        lower += usize::from(w.chars().next().is_some_and(char::is_lowercase));
    }
    words >= 6 && 2 * lower > words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_shapes() {
        for line in [
            "POST /oauth HTTP/1.1",
            "HTTP/1.1 200 OK",
            "Content-Type: application/json",
            "  \"token\": \"abc\",",
            "\tmov eax, 1",
            "}",
            "function f() {",
            "</div>",
            "Name    Votes    Share",
            "250 g de farine",
            "1 kg festkochende Kartoffeln",
            "390 kcal",
            "Fat 12g",
            "½ cup milk",
            "Pour 6 personnes",
            "2 cucharadas de aceite",
            "砂糖 30克",
            "大さじ2",
            "VIP : 60,000₩",
            "Adults $12",
            "%65 голосов",
            "+ Added the /fill command",
        ] {
            assert!(is_content_shape(line), "{line:?}");
        }
        for line in [
            "Share this article",
            "Related: Rich are paying more in taxes",
            "[Video]",
            "10 things to know about the budget",
            "Best of 2019",
            "About | Contact | Privacy",
            "Read more: The 5 best towns for a weekend",
            "Comments (12)",
            "Like this:",
            "The council met on Tuesday; the vote was close.",
            "+ Follow",
            "Price list",
            "Pay what you can",
        ] {
            assert!(!is_content_shape(line), "{line:?}");
        }
    }

    #[test]
    fn prose_without_a_full_stop() {
        let transcript = "and then we walked down to the river where the boats were tied up, and \
                          the fishermen were already sorting the morning catch into crates for the \
                          market that opens at six every day except Sunday, and after that we went \
                          up the hill to the old church where the choir was practising for the \
                          festival and the priest told us the bells had been cast in the same \
                          foundry as the ones in the cathedral across the bay [MUSIC]";
        assert!(reads_as_prose(transcript));
        // The same words without a clause: a tag cloud, not a paragraph.
        assert!(!reads_as_prose(&transcript.replace(',', "")));
        assert!(reads_as_prose(
            "The mayor listed the streets that will close next week:"
        ));
        assert!(reads_as_prose(
            "The storm reached the coast on Tuesday night, officials said. (AP)"
        ));
        assert!(!reads_as_prose(
            "Home | News | Sport | Weather | Travel | Culture | Music | TV"
        ));
        assert!(!reads_as_prose(
            "Ferries stay in port as the first winter storm reaches\u{2026}"
        ));
        assert!(!reads_as_prose("Storm closes harbour"));
    }

    #[test]
    fn wrapped_prose() {
        let a = "   The client sends its request to the server, and it looks something";
        let b = "   of the form shown in the example below, with one header per line and";
        assert!(continues_wrapped_prose(
            "Share",
            Some(a),
            Some(b),
            Some("POST /oauth HTTP/1.1")
        ));
        assert!(continues_wrapped_prose(
            "like this:",
            Some(a),
            None,
            Some("POST /oauth HTTP/1.1")
        ));
        assert!(continues_wrapped_prose(
            "More",
            Some(a),
            None,
            Some("the body after it")
        ));
        // After a finished paragraph, a headline or a menu, a label is a label.
        let done = "The council met on Tuesday and voted twelve to one on the budget.";
        assert!(!continues_wrapped_prose(
            "share",
            Some(done),
            Some(b),
            Some("more")
        ));
        assert!(!continues_wrapped_prose(
            "share",
            Some("Storm Closes Harbour As Ferries Stay In Port"),
            None,
            None
        ));
        assert!(!continues_wrapped_prose(
            "share",
            Some("Home | News | Sport | Weather | Travel | Culture"),
            None,
            None
        ));
        // The first line of a wrapped paragraph, whatever it opens with; a label over the text
        // is too short to run on.
        assert!(continues_wrapped_prose(
            "Copyright (c) 2014 the trust and the people who are named as the",
            Some("Copyright Notice"),
            None,
            Some("authors of the document.")
        ));
        assert!(!continues_wrapped_prose(
            "Copyright 2014 the trust",
            None,
            None,
            Some("authors of the document.")
        ));
        assert!(!continues_wrapped_prose(
            "Like this:",
            Some(a),
            None,
            Some("Facebook")
        ));
    }

    /// The shape tests as first written (text passes over `str`), to check the byte passes.
    mod reference {
        use super::super::changelog_shape;
        use super::super::{CJK_UNITS, CURRENCIES, PARAGRAPH_CHARS, PARAGRAPH_WORDS, UNITS};
        use crate::filter::doc::word_count;
        use crate::patterns::Rule;

        /// [`super::super::ends_sentence`] as first written (no byte read first).
        pub(super) fn ends_sentence(s: &str) -> bool {
            let s = match s.strip_suffix(')').and_then(|r| r.rsplit_once('(')) {
                Some((before, credit))
                    if credit.chars().count() <= 20
                        && credit.starts_with(|c: char| c.is_uppercase())
                        && credit
                            .chars()
                            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '.' | '&' | '-')) =>
                {
                    before.trim_end()
                }
                _ => s,
            };
            let s = s.trim_end_matches(['"', '\'', ')', ']', '\u{201d}', '\u{2019}', '\u{bb}']);
            s.ends_with(['.', '!', '?', '\u{3002}', '\u{ff01}', '\u{ff1f}'])
        }

        pub(super) fn reads_as_prose(s: &str) -> bool {
            let core = s.trim_end_matches(['"', '\'', ')', ']', '\u{201d}', '\u{2019}', '\u{bb}']);
            if core.ends_with('\u{2026}') || core.ends_with("..") {
                return false;
            }
            // A line of many short items is a list (names, tags, links), not a paragraph.
            let items = s
                .matches([',', ';', '|', '\u{2022}', '\u{b7}', '\u{3001}', '\u{ff0c}'])
                .count();
            if items >= 8 && word_count(s, 4 * items + 1) <= 4 * items {
                return false;
            }
            let words = word_count(s, PARAGRAPH_WORDS);
            let colon = core.ends_with([':', '\u{ff1a}']);
            if (ends_sentence(s) || colon) && words >= Rule::PROSE_WORDS {
                return true;
            }
            // Running text has clauses (a tag cloud or a run of links has none) and no menu separators.
            let separators = s.matches(['|', '\u{2022}', '\u{b7}']).count();
            let clauses = s
                .matches([',', '.', ';', '\u{3001}', '\u{3002}', '\u{ff0c}'])
                .count();
            words >= PARAGRAPH_WORDS
                && s.chars().count() >= PARAGRAPH_CHARS
                && separators < 3
                && clauses >= 2
        }

        pub(super) fn is_content_shape(line: &str) -> bool {
            let t = line.trim();
            if t.is_empty() {
                return false;
            }
            // Indented by two spaces or a tab: code, a quoted block, a poem's indented line.
            if line.starts_with("  ") || line.starts_with('\t') {
                return true;
            }
            code_shape(t) || table_shape(t) || quantity_shape(t) || changelog_shape(t)
        }

        fn code_shape(t: &str) -> bool {
            const OPEN_CLOSE: [&str; 10] =
                ["{", "}", "};", "});", ");", "[", "],", "]", "*/", "/*"];
            if OPEN_CLOSE.iter().any(|e| t.ends_with(e)) || t.starts_with(['{', '}']) {
                // A lone closing bracket or a line ending in one; not a bracketed label like "[Video]".
                return !(t.starts_with('[') && t.ends_with(']') && !t.contains(['{', '(']));
            }
            if t.starts_with("</") || (t.starts_with('<') && t.ends_with('>')) {
                return true;
            }
            let first = t.split(' ').next().unwrap_or("");
            // A request or status line of a protocol trace.
            if matches!(
                first,
                "GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "HEAD" | "OPTIONS" | "CONNECT"
            ) && t[first.len()..].trim_start().starts_with('/')
            {
                return true;
            }
            if t.starts_with("HTTP/") {
                return true;
            }
            // A header field with a hyphenated name: "Content-Type: text/html".
            if let Some((name, _)) = t.split_once(": ") {
                let mut parts = name.split('-');
                let all = parts
                    .clone()
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()));
                if all && parts.nth(1).is_some() {
                    return true;
                }
            }
            // Statements and assignments.
            t.ends_with(';') && !t.contains(". ")
        }

        fn table_shape(t: &str) -> bool {
            if t.contains('\t') {
                return true;
            }
            // Two or more gaps of two or more spaces between cells.
            t.split("  ").filter(|cell| !cell.trim().is_empty()).count() >= 3
        }

        fn quantity_shape(t: &str) -> bool {
            if t.chars().count() > 80 {
                return false;
            }
            if t.contains(['½', '¼', '¾', '⅓', '⅔']) {
                return true;
            }
            let chars: Vec<char> = t.chars().collect();
            for (i, c) in chars.iter().enumerate() {
                let digit_at = |j: Option<usize>| {
                    j.and_then(|j| chars.get(j))
                        .is_some_and(char::is_ascii_digit)
                };
                if CURRENCIES.contains(c) && (digit_at(i.checked_sub(1)) || digit_at(Some(i + 1))) {
                    return true;
                }
                if *c == '%' && digit_at(Some(i + 1)) && (i == 0 || chars[i - 1].is_whitespace()) {
                    return true;
                }
            }
            if t.starts_with(['大', '小']) && (t.contains("さじ")) {
                return true;
            }
            let lower = t.to_lowercase();
            let bytes = lower.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_alphabetic()) {
                    let mut j = i;
                    while j < bytes.len()
                        && (bytes[j].is_ascii_digit() || matches!(bytes[j], b'.' | b',' | b'/'))
                    {
                        j += 1;
                    }
                    let rest = &lower[j..];
                    if CJK_UNITS.iter().any(|u| rest.starts_with(u)) {
                        return true;
                    }
                    let rest = rest.trim_start();
                    let unit: String = rest
                        .chars()
                        .take_while(|c| c.is_alphabetic() || *c == '%' || *c == 'µ')
                        .collect();
                    let after = rest[unit.len()..].chars().next();
                    if !unit.is_empty()
                        && UNITS.contains(&unit.as_str())
                        && after.is_none_or(|c| !c.is_alphanumeric())
                    {
                        return true;
                    }
                    i = j.max(i + 1);
                } else {
                    i += 1;
                }
            }
            false
        }
    }

    /// Every line of every fixture, and lines made to hit the byte patterns at their edges.
    fn sample_lines() -> Vec<String> {
        let mut lines: Vec<String> = [
            "a, b; c | d \u{2022} e \u{b7} f \u{3001} g \u{ff0c} h \u{3002} i. j",
            "\u{b7}\u{2022}\u{3001}\u{3002}\u{ff0c}",
            "\u{2021}\u{2023}\u{3003}\u{ff0d}\u{b6}\u{c2}",
            "Name  Votes  Share",
            "Content-Type: text/html",
            "A: b",
            "Serves 4: ok",
            "\u{5927}\u{3055}\u{3058}",
            "\u{5927}\u{3055}\u{3058}2",
            "\u{bd} cup, \u{2153} \u{2154} \u{bc}\u{be}",
            "\u{bb} \u{2152} \u{2155}",
            "$5 and 12\u{20ac}",
            "x%5",
            "\u{a0}%5",
            "a %5 b",
            "5% of",
            "\u{20a9}x 5",
            "5\u{20a9}",
            "\u{e9}\u{20ac}5",
            "Adults $12",
            "  indented",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Quantities of about 80 characters, in one-byte to four-byte characters.
        for c in ["x", "\u{e9}", "\u{65e5}", "\u{10348}"] {
            for k in 70..80 {
                lines.push(format!("{} 250 g", c.repeat(k)));
            }
        }
        // Lists and sentences about the bounds of items, words and length, ending as a sentence,
        // with a colon or with neither.
        for items in [6, 7, 8, 9, 12, 30] {
            for per_item in 1..=6 {
                for end in [".", ":", "", " word", "\u{2026}"] {
                    for pad in [0, 1, 40] {
                        let item = "word ".repeat(per_item);
                        let mut line = format!("{}{}", "x".repeat(pad), item.trim_end());
                        for _ in 1..items {
                            line.push_str(", ");
                            line.push_str(item.trim_end());
                        }
                        line.push_str(end);
                        lines.push(line);
                    }
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut dirs = vec![root];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                } else if let Ok(text) = std::fs::read(&p) {
                    let text = String::from_utf8_lossy(&text).into_owned();
                    lines.extend(text.lines().map(String::from));
                }
            }
        }
        let long: String = lines
            .iter()
            .take(400)
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" ");
        lines.push(long);
        lines
    }

    #[test]
    fn wrapped_prose_lines_are_told_as_by_their_characters() {
        let first_written = |s: &str| {
            if s.chars().count() < WRAPPED_CHARS || s.contains(['|', '\u{2022}']) {
                return false;
            }
            let (mut words, mut lower) = (0, 0);
            for w in s.split_whitespace() {
                words += 1;
                lower += usize::from(w.chars().next().is_some_and(char::is_lowercase));
            }
            words >= 6 && 2 * lower > words
        };
        let mut lines = sample_lines();
        // Lines about the length bound, in one-byte to four-byte characters.
        for c in ["a ", "\u{e9} ", "\u{65e5} ", "\u{10348} "] {
            for k in 15..45 {
                lines.push(c.repeat(k));
                lines.push(format!("x{}", c.repeat(k)));
            }
        }
        let mut yes = 0;
        for line in &lines {
            let want = first_written(line.trim());
            assert_eq!(is_wrapped_prose_line(line.trim()), want, "{line:?}");
            yes += usize::from(want);
        }
        assert!(yes > 100, "{yes}");
    }

    #[test]
    fn sentence_ends_are_told_as_first_written() {
        let mut lines = sample_lines();
        for end in [
            ".",
            "!",
            "?",
            ")",
            "]",
            "\"",
            "'",
            ":",
            "x",
            "5",
            " ",
            "\u{3002}",
            "\u{ff01}",
            "\u{201d}",
            "\u{bb}",
            "\u{2019}",
            ".\"",
            "?)",
            ". (AP)",
            ". (Jane Doe)",
            ". (ap)",
            ". (A very long credit of many words)",
            "\u{2026}",
            ".\u{201d})",
        ] {
            lines.push(format!("He said so{end}"));
            lines.push(end.to_string());
        }
        let mut yes = 0;
        for line in &lines {
            for t in [line.as_str(), line.trim()] {
                let want = reference::ends_sentence(t);
                assert_eq!(ends_sentence(t), want, "{t:?}");
                yes += usize::from(want);
            }
        }
        assert!(yes > 1000, "{yes}");
    }

    #[test]
    fn byte_passes_decide_as_the_text_passes() {
        let lines = sample_lines();
        assert!(lines.len() > 1000, "{}", lines.len());
        for line in &lines {
            assert_eq!(
                reads_as_prose(line),
                reference::reads_as_prose(line),
                "{line:?}"
            );
            assert_eq!(
                reads_as_prose(line.trim()),
                reference::reads_as_prose(line.trim()),
                "{line:?}"
            );
            assert_eq!(
                is_content_shape(line),
                reference::is_content_shape(line),
                "{line:?}"
            );
        }
    }
}
