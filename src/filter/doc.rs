//! The document model: lines, the prose index and word and character counts.
//!
//! Decides what a line is (its bounds, whether it is blank, whether it reads as prose, how long it
//! is) for every scope, once per document. It must never decide what to remove: it only describes
//! the text, and it must never change a byte of it.

use std::borrow::Cow;
use std::ops::Range;

use super::shape;

/// `bytes` as text, as `String::from_utf8_lossy` gives it, but through the standard library's
/// validation (word-at-a-time over ASCII) rather than the lossy decoder's byte loop: a line of
/// valid UTF-8, nearly every line, is borrowed after a fast check.
fn as_text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// ASCII whitespace as Unicode's `White_Space` has it (tab to carriage return, space).
fn is_ascii_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t'..=b'\r')
}

/// Number of characters (UTF-8 lead bytes and invalid bytes) in `bytes`.
pub(super) fn char_count(bytes: &[u8]) -> usize {
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

/// One line: `start..content_end` is its text, `end` is past its terminator, and
/// `ws_start..ws_end` its text without surrounding whitespace (see [`Doc::trimmed_ws`]), found
/// once when the document is split.
#[derive(Debug, Clone, Copy)]
pub(super) struct Line {
    pub(super) start: usize,
    pub(super) content_end: usize,
    pub(super) end: usize,
    ws_start: usize,
    ws_end: usize,
}

impl Line {
    #[inline]
    fn new(text: &[u8], start: usize, content_end: usize, end: usize) -> Line {
        let ws = trim_ws(text, start, content_end);
        Line {
            start,
            content_end,
            end,
            ws_start: ws.start,
            ws_end: ws.end,
        }
    }
}

/// The most words [`Doc::words`] counts of a line: the structural tests compare counts with
/// bounds below it (a longer count is asked of the text itself).
const WORDS_KEPT: usize = 16;
/// A line's facts not yet computed.
const UNKNOWN: u8 = u8::MAX;

/// What the mechanisms ask of a line again and again (each line is asked about for every hit
/// and rule near it), each computed on first use: its words up to [`WORDS_KEPT`], whether it has
/// a content shape (0 no, 1 yes), and its characters.
#[derive(Debug, Clone, Copy)]
struct Facts {
    words: u8,
    content_shape: u8,
    /// Characters of the trimmed text, up to [`CHARS_KEPT`], or [`CHARS_UNKNOWN`].
    chars: u16,
    /// The [`Context`] tests answered so far (a bit each), and their answers.
    asked: u32,
    answers: u32,
}

/// The tests of a line's context that depend on the document alone (not on the rule or the hit
/// that asks), so that a line hit by several rules is read once: see [`Doc::context`]. Each
/// variant is named for the `Doc` test whose answer it keeps (`Verse`: `in_verse`, ...).
#[derive(Debug, Clone, Copy)]
pub(super) enum Context {
    WrappedProse,
    Table,
    HeadsSection,
    IntroducedCells,
    KeyedSentences,
    WrappedSentence,
    CarriedSentence,
    Dialogue,
    DefinitionList,
    Verse,
    IntroducesList,
    ClauseSentence,
    CaptionSentence,
    FieldValue,
    /// `Doc::is_content_heading`, asked of every line of every run rule's scan.
    ContentHeading,
    /// A line that ends a menu block by its shape (see `Doc::block_line`).
    BlockStop,
    /// A line that may be an item of a closed list, by its own text (see `Doc::in_closed_list`).
    ClosedListItem,
    /// `Doc::heads_a_list`.
    HeadsAList,
    /// `Doc::names_code_below`.
    NamesCode,
    /// `Doc::closes_line_above`.
    ClosesLineAbove,
    /// [`shape::runs_on`] of the line's text.
    RunsOn,
    /// [`shape::opens_lower`] of the line's text.
    OpensLower,
    /// [`shape::wraps_open`] of the line's text.
    WrapsOpen,
    /// A short line that ends no sentence, by its own text (see `Doc::in_introduced_cells`).
    Cell,
    /// A card of another story (see `run::is_card`), asked of every line by a card list rule.
    Card,
    /// A line holding a time stamp (see `section::has_stamp`).
    Stamp,
    /// A line that ends a headline list by its shape (see `Doc::list_line`).
    ListStop,
    /// A line whose characters may make a writer's name (see `section::name_chars`).
    NameChars,
}

/// The most characters [`Doc::chars_at_most`] keeps of a line (a longer one is counted again
/// against a bound as long).
const CHARS_KEPT: u16 = u16::MAX - 1;
/// A line's characters not yet counted.
const CHARS_UNKNOWN: u16 = u16::MAX;

const NO_FACTS: Facts = Facts {
    words: UNKNOWN,
    content_shape: UNKNOWN,
    chars: CHARS_UNKNOWN,
    asked: 0,
    answers: 0,
};

/// `start..content_end` of `text` without surrounding Unicode whitespace.
#[inline]
fn trim_ws(text: &[u8], start: usize, content_end: usize) -> Range<usize> {
    let s = &text[start..content_end];
    // ASCII whitespace and text at the edges, nearly every line, need no decoding; at the
    // first non-ASCII byte Unicode whitespace takes over.
    let mut a = 0;
    while a < s.len() && is_ascii_ws(s[a]) {
        a += 1;
    }
    // Only these lead bytes start a whitespace character (U+0085, U+00A0, U+1680, U+2000 to
    // U+205F, U+3000), and only these bytes end one: other characters need no search.
    if a < s.len() && matches!(s[a], 0xC2 | 0xE1..=0xE3) {
        a = s.len() - bstr::ByteSlice::trim_start(&s[a..]).len();
    }
    let mut e = s.len();
    while e > a && is_ascii_ws(s[e - 1]) {
        e -= 1;
    }
    if e > a && matches!(s[e - 1], 0x80..=0x8A | 0x9F | 0xA0 | 0xA8 | 0xA9 | 0xAF) {
        e = a + bstr::ByteSlice::trim_end(&s[a..e]).len();
    }
    start + a..start + e
}

/// A document split into lines, for scope decisions.
pub(super) struct Doc<'a> {
    pub(super) text: &'a [u8],
    pub(super) lines: Vec<Line>,
    /// Where the first line starts (after a UTF-8 BOM, which is never removed).
    pub(super) body_start: usize,
    /// Which lines are prose, computed once for the section rules.
    pub(super) prose: std::cell::OnceCell<ProseIndex>,
    /// Per line, its length in characters if it reads as prose (lines other rules remove
    /// included): shared by the section rules and the removal guard.
    pub(super) raw_prose: std::cell::OnceCell<Vec<Option<usize>>>,
    /// Lines that other rules remove whole in this pass, set before the section rules run: they
    /// read them as blank (a comment notice or a sign-up message is not article prose).
    pub(super) masked: std::cell::OnceCell<Vec<bool>>,
    /// The cards of other stories in each suffix of the document, computed once for the section
    /// rules (see `Doc::teaser_cards_after`).
    pub(super) cards: std::cell::OnceCell<super::section::CardIndex>,
    /// The title line when the document is a legal page of its own, found once (see
    /// `Doc::legal_title`).
    pub(super) legal: std::cell::OnceCell<Option<usize>>,
    /// The whole text as `str` when it is valid UTF-8 (checked once, on first use): then a line's
    /// text is a slice of it, with no check or copy of its own.
    utf8: std::cell::OnceCell<Option<&'a str>>,
    /// Per line, its [`Facts`] computed so far.
    facts: Vec<std::cell::Cell<Facts>>,
    /// Per line, whether it reads as prose as [`Doc::raw_prose`] has it, when known before (the
    /// line stood unchanged in the text of the pass before: see [`Doc::inherit`]); empty when
    /// nothing is known.
    known_prose: Vec<Option<Option<usize>>>,
}

/// The most lines whose buffers a thread keeps for the next document (about 3.5 MB).
const SPARE_LINES: usize = 1 << 16;

thread_local! {
    /// The line and fact buffers of the last [`Doc`] dropped on this thread, for the next one.
    static SPARE: std::cell::Cell<(Vec<Line>, Vec<std::cell::Cell<Facts>>)> =
        const { std::cell::Cell::new((Vec::new(), Vec::new())) };
}

impl Drop for Doc<'_> {
    fn drop(&mut self) {
        let lines = std::mem::take(&mut self.lines);
        let facts = std::mem::take(&mut self.facts);
        // The larger buffers stay, up to a bound: a huge document's are not held for the rest
        // of the run.
        if lines.capacity() > SPARE_LINES {
            return;
        }
        SPARE.with(|spare| {
            let kept = spare.take();
            spare.set(if kept.0.capacity() >= lines.capacity() {
                kept
            } else {
                (lines, facts)
            });
        });
    }
}

/// What one pass's document knows of each of its lines that depends on the line's own text
/// alone, for the next pass (see [`Doc::carry`]).
pub(super) struct Carry {
    /// Per line: its start and end, its facts, and its prose length if found.
    lines: Vec<(usize, usize, Facts, Option<Option<usize>>)>,
}

/// The [`Context`] tests that read the line alone (the others read its neighbours too): their
/// answers hold for the same line in another text.
// Every `Context` has its bit in the `u32`s of `Facts` (`asked`, `answers`): checked on the
// last variant, which a new one follows.
const _: () = assert!((Context::NameChars as u32) < u32::BITS);

const OWN_CONTEXT: u32 = 1 << Context::ContentHeading as u32
    | 1 << Context::BlockStop as u32
    | 1 << Context::ClosedListItem as u32
    | 1 << Context::HeadsAList as u32
    | 1 << Context::RunsOn as u32
    | 1 << Context::OpensLower as u32
    | 1 << Context::WrapsOpen as u32
    | 1 << Context::Cell as u32
    | 1 << Context::Card as u32
    | 1 << Context::Stamp as u32
    | 1 << Context::ListStop as u32
    | 1 << Context::NameChars as u32;

#[cfg(test)]
thread_local! {
    /// Kept answers [`Doc::context`] has checked against their tests on this thread.
    pub(super) static KEPT_CHECKED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The prose lines of a document, indexed so that a section check costs O(1) per candidate line
/// (a page of a million menu lines must not cost a million scans of itself).
pub(super) struct ProseIndex {
    /// `before[i]`: prose lines among lines `..i`.
    pub(super) before: Vec<usize>,
    /// `next[i]`: the first non-blank line at or after `i`, if any.
    pub(super) next: Vec<Option<usize>>,
    /// Is each line prose?
    pub(super) is_prose: Vec<bool>,
    /// The last non-blank line.
    pub(super) last: Option<usize>,
    /// `pair_from[i]`: do two prose lines stand together (blank lines aside) among lines `i..`?
    pub(super) pair_from: Vec<bool>,
    /// `long_from[i]`: prose lines too long for a teaser among lines `i..`.
    pub(super) long_from: Vec<usize>,
    /// `chars_before[i]`: characters of the prose lines among lines `..i`.
    pub(super) chars_before: Vec<usize>,
}

/// The most characters a prose line after a section heading may have to count as a teaser (about
/// forty English words): a longer one is a paragraph of the article, and keeps the section.
pub(super) const TEASER_CHARS: usize = 250;

/// A paragraph under a one-word subheading is at least this long (see [`Doc::heads_section`]).
const SUBHEADED_CHARS: usize = 100;
/// Most words of a picture's caption between a subheading and its text (see
/// [`Doc::heads_section`]).
const CAPTION_WORDS: usize = 20;
/// Fewest words of such a caption: a greeting or a button is shorter.
const CAPTION_MIN_WORDS: usize = 4;
/// Cells a table introduced by a `:` line may have above a label that is one of them (see
/// [`Doc::in_introduced_cells`]).
const INTRODUCED_CELLS: usize = 8;

/// Words of a line for the structural rules, counted up to `cap` (the callers only compare with a
/// small bound, and paragraphs are long): runs of non-space characters, where each Chinese,
/// Japanese or Korean character counts as a word of its own (those scripts put no spaces between
/// words).
pub(super) fn word_count(s: &str, cap: usize) -> usize {
    word_count_bytes(s.as_bytes(), cap)
}

/// [`word_count`] on bytes, decoding only what it reads (invalid UTF-8 counts as one
/// non-CJK character, as its replacement character would), so a long paragraph is neither
/// validated nor copied to count its first few words.
pub(super) fn word_count_bytes(s: &[u8], cap: usize) -> usize {
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut n = 0;
    // The current word: its CJK characters, whether it has any other, whether it has begun.
    let (mut cjk, mut other, mut in_word) = (0, false, false);
    let mut i = 0;
    while i < s.len() {
        // Sixteen bytes at a time where the vector instructions are there, as the eight below
        // are read (a bit a byte here): ASCII, or other characters that are neither whitespace
        // nor CJK (accented Latin, Cyrillic, typographic quotes and dashes), whose bytes all
        // count as a word's (see `odd_mask16`).
        #[cfg(target_arch = "x86_64")]
        if let Some(chunk) = s.get(i..i + 16) {
            let (high, space) = ascii_space_mask16(chunk);
            if high == 0 || s.get(i..i + 18).is_some_and(|c| odd_mask16(c) == 0) {
                let filled = !space & 0xFFFF;
                let ends = space & ((filled << 1) | u32::from(in_word));
                let mut done = ends.count_ones() as usize;
                if in_word && ends != 0 {
                    let before = filled & ((1u32 << ends.trailing_zeros()) - 1);
                    n += cjk + usize::from(other || before != 0);
                    done -= 1;
                }
                n += done;
                if n >= cap {
                    return cap;
                }
                if filled >> 15 != 0 {
                    if !(in_word && ends == 0) {
                        cjk = 0;
                    }
                    (other, in_word) = (true, true);
                } else {
                    (cjk, other, in_word) = (0, false, false);
                }
                i += 16;
                continue;
            }
        }
        // Eight ASCII bytes at a time, nearly all text: words end where a space follows a
        // non-space byte (or the word carried in from before).
        if let Some(chunk) = s.get(i..i + 8) {
            let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            if w & HI == 0 {
                let space = ascii_space_mask(w);
                let filled = !space & HI;
                let ends = space & ((filled << 8) | (u64::from(in_word) << 7));
                let mut done = ends.count_ones() as usize;
                if in_word && ends != 0 {
                    // The carried word ends here; ASCII bytes of it in this chunk make it more
                    // than CJK characters.
                    let before = filled & ((1u64 << ends.trailing_zeros()) - 1);
                    n += cjk + usize::from(other || before != 0);
                    done -= 1;
                }
                n += done;
                if n >= cap {
                    return cap;
                }
                if filled >> 63 != 0 {
                    // A word runs on past the chunk: the carried one (no space in the chunk)
                    // keeps its CJK characters, a new one has none.
                    if !(in_word && ends == 0) {
                        cjk = 0;
                    }
                    (other, in_word) = (true, true);
                } else {
                    (cjk, other, in_word) = (0, false, false);
                }
                i += 8;
                continue;
            }
        }
        let b = s[i];
        let space = if b < 0x80 {
            // ASCII, nearly every byte: no decoding.
            i += 1;
            let space = is_ascii_ws(b);
            if !space {
                (in_word, other) = (true, true);
                continue;
            }
            space
        } else {
            let (space, c_is_cjk, len) = match bstr::decode_utf8(&s[i..]) {
                (Some(c), len) => (c.is_whitespace(), is_cjk(c), len),
                (None, len) => (false, false, len),
            };
            i += len;
            if !space {
                in_word = true;
                if c_is_cjk {
                    cjk += 1;
                } else {
                    other = true;
                }
                continue;
            }
            space
        };
        if space && in_word {
            n += cjk + usize::from(other);
            if n >= cap {
                return cap;
            }
            (cjk, other, in_word) = (0, false, false);
        }
    }
    if in_word {
        n += cjk + usize::from(other);
        if n >= cap {
            return cap;
        }
    }
    n
}

/// Of the sixteen bytes of `chunk`: a bit for each byte with its high bit set, and a bit for each
/// ASCII whitespace byte (a space, or tab to carriage return).
#[cfg(target_arch = "x86_64")]
fn ascii_space_mask16(chunk: &[u8]) -> (u32, u32) {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8, _mm_sub_epi8,
    };
    assert!(chunk.len() >= 16);
    // SAFETY: SSE2 is part of every x86_64 processor; the unaligned load reads the first
    // sixteen bytes of `chunk`, which has them.
    unsafe {
        let v = _mm_loadu_si128(chunk.as_ptr().cast());
        let high = _mm_movemask_epi8(v) as u32;
        let spaces = _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8));
        // 9 to 13: the byte less 9 (wrapping) is at most 4.
        let four = _mm_set1_epi8(4);
        let less9 = _mm_sub_epi8(v, _mm_set1_epi8(9));
        let controls = _mm_cmpeq_epi8(_mm_max_epu8(less9, four), four);
        (
            high,
            _mm_movemask_epi8(_mm_or_si128(spaces, controls)) as u32,
        )
    }
}

/// Of the first sixteen bytes of `bytes` (which holds two more, read as what follows them): a bit
/// for each byte that may start a whitespace or CJK character, the only characters
/// [`word_count_bytes`] reads beyond "part of a word". Every other byte, of a valid character or
/// not, is then part of a word, as its character (or the replacement character of its invalid
/// sequence) is; such a character's bytes never start one of these (a lead byte is never
/// taken for a continuation, in valid UTF-8 or in the lossy decoding of invalid bytes).
/// Whitespace and CJK characters lead with `C2` (U+0085, U+00A0), `E1 9A` (U+1680), `E2 80`
/// or `E2 81` (U+2000 to U+205F) or `E3` to `EF`; the three-byte ones from `E3` on are taken
/// whole (ideographs, kana, Hangul, U+3000).
#[cfg(target_arch = "x86_64")]
fn odd_mask16(bytes: &[u8]) -> u32 {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8,
        _mm_or_si128, _mm_set1_epi8, _mm_sub_epi8,
    };
    assert!(bytes.len() >= 18);
    // SAFETY: SSE2 is part of every x86_64 processor; the three unaligned loads read bytes 0 to
    // 15, 1 to 16 and 2 to 17 of `bytes`, which has eighteen.
    unsafe {
        let at = |k: usize| _mm_loadu_si128(bytes.as_ptr().add(k).cast::<__m128i>());
        let (v0, v1, v2) = (at(0), at(1), at(2));
        let is = |v: __m128i, b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
        // `lo..=hi`: the byte less `lo` (wrapping) is at most `hi - lo`.
        let within = |v: __m128i, lo: u8, hi: u8| {
            let span = _mm_set1_epi8((hi - lo) as i8);
            let less = _mm_sub_epi8(v, _mm_set1_epi8(lo as i8));
            _mm_cmpeq_epi8(_mm_max_epu8(less, span), span)
        };
        // U+0085 and U+00A0.
        let c2 = _mm_and_si128(is(v0, 0xC2), _mm_or_si128(is(v1, 0x85), is(v1, 0xA0)));
        // U+1680 (and the ogham letters after it).
        let e1 = _mm_and_si128(is(v0, 0xE1), is(v1, 0x9A));
        // U+2000 to U+200A, U+2028, U+2029, U+202F and U+205F.
        let spaces_80 = _mm_or_si128(
            _mm_or_si128(within(v2, 0x80, 0x8A), is(v2, 0xA8)),
            _mm_or_si128(is(v2, 0xA9), is(v2, 0xAF)),
        );
        let e2 = _mm_and_si128(
            is(v0, 0xE2),
            _mm_or_si128(
                _mm_and_si128(is(v1, 0x80), spaces_80),
                _mm_and_si128(is(v1, 0x81), is(v2, 0x9F)),
            ),
        );
        let from_e3 = within(v0, 0xE3, 0xEF);
        let odd = _mm_or_si128(_mm_or_si128(c2, e1), _mm_or_si128(e2, from_e3));
        _mm_movemask_epi8(odd) as u32
    }
}

/// The high bit of each byte of `w` (all ASCII) that is whitespace (as `char::is_whitespace`
/// tells it): a space, or tab to carriage return (9 to 13). No byte's sum carries into the next.
pub(super) fn ascii_space_mask(w: u64) -> u64 {
    const HI: u64 = 0x8080_8080_8080_8080;
    const LO: u64 = 0x0101_0101_0101_0101;
    let v = w ^ (LO * u64::from(b' '));
    let spaces = !(v + LO * 0x7F) & HI;
    let at_least_9 = w + LO * (0x80 - 9);
    let at_least_14 = w + LO * (0x80 - 14);
    (spaces | (at_least_9 & !at_least_14)) & HI
}

/// Is `c` a CJK ideograph, kana or Hangul syllable?
pub(super) fn is_cjk(c: char) -> bool {
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

/// Punctuation a line is trimmed of before it is compared with a whole-line phrase. The CJK full
/// stops, marks and colon count as their ASCII forms do, so a phrase matches a Japanese or Chinese
/// label with or without its `。`, `！`, `？` or `：`.
pub(crate) fn is_trailing_punct(c: char) -> bool {
    matches!(
        c,
        ':' | '.'
            | '\u{3002}' // 。
            | '\u{ff0e}' // ．
            | '\u{ff01}' // ！
            | '\u{ff1f}' // ？
            | '\u{ff1a}' // ：
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

pub(super) fn is_closing(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b')' | b']')
}

/// Closing quotes and brackets, typographic ones included, right after `at`.
pub(super) fn skip_closers(text: &[u8], mut at: usize, limit: usize) -> usize {
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

pub(super) fn is_hspace(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

impl<'a> Doc<'a> {
    pub(super) fn new(text: &'a [u8]) -> Self {
        let body_start = if text.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        // The buffers of the last document dropped on this thread (the pass before, or the
        // record before): a document's lines are allocated once per worker, not once per pass.
        let (mut lines, mut facts) = SPARE.take();
        lines.clear();
        facts.clear();
        let mut start = body_start;
        for nl in memchr::memchr_iter(b'\n', &text[body_start..]) {
            let nl = nl + body_start;
            let content_end = if nl > start && text[nl - 1] == b'\r' {
                nl - 1
            } else {
                nl
            };
            lines.push(Line::new(text, start, content_end, nl + 1));
            start = nl + 1;
        }
        if start < text.len() || lines.is_empty() {
            lines.push(Line::new(text, start, text.len(), text.len()));
        }
        facts.resize(lines.len(), std::cell::Cell::new(NO_FACTS));
        Doc {
            text,
            lines,
            body_start,
            prose: std::cell::OnceCell::new(),
            raw_prose: std::cell::OnceCell::new(),
            masked: std::cell::OnceCell::new(),
            cards: std::cell::OnceCell::new(),
            legal: std::cell::OnceCell::new(),
            utf8: std::cell::OnceCell::new(),
            facts,
            known_prose: Vec::new(),
        }
    }

    /// What this document knows of its lines' own text, for the next pass's (see
    /// [`Doc::inherit`]).
    pub(super) fn carry(&self) -> Carry {
        let prose = self.raw_prose.get();
        Carry {
            lines: self
                .lines
                .iter()
                .zip(&self.facts)
                .enumerate()
                .map(|(i, (l, f))| {
                    let mut f = f.get();
                    f.asked &= OWN_CONTEXT;
                    f.answers &= OWN_CONTEXT;
                    (l.start, l.end, f, prose.map(|p| p[i]))
                })
                .collect(),
        }
    }

    /// Takes over what `carry` (the document of the pass before) knew of each line that stands
    /// unchanged here: this text is that one without the ranges `cut` (sorted, disjoint, in that
    /// text's offsets). A line no range touches, found here at its shifted offset with the same
    /// length, is the same bytes, so its own facts hold (a line's context does not: its
    /// neighbours may be gone).
    pub(super) fn inherit(&mut self, carry: &Carry, cut: &[Range<usize>]) {
        let mut known = vec![None; self.lines.len()];
        let (mut c, mut shift, mut j) = (0, 0, 0);
        for &(start, end, facts, prose) in &carry.lines {
            while c < cut.len() && cut[c].end <= start {
                shift += cut[c].len();
                c += 1;
            }
            if c < cut.len() && cut[c].start < end {
                continue; // Touched.
            }
            let at = start - shift;
            while j < self.lines.len() && self.lines[j].start < at {
                j += 1;
            }
            let Some(line) = self.lines.get(j) else {
                break;
            };
            if line.start == at && line.end - line.start == end - start {
                self.facts[j].set(facts);
                known[j] = prose;
            }
        }
        self.known_prose = known;
    }

    /// [`Doc::new`] on text known to be UTF-8: [`Doc::str_at`] then checks nothing.
    pub(super) fn new_str(text: &'a str) -> Self {
        let doc = Doc::new(text.as_bytes());
        let _ = doc.utf8.set(Some(text));
        doc
    }

    /// Words of line `j`'s text, counted up to `cap` as [`word_count`] counts them (whitespace
    /// around the text changes no count): kept up to [`WORDS_KEPT`] on first use.
    #[inline]
    pub(super) fn words(&self, j: usize, cap: usize) -> usize {
        // Asked millions of times, nearly always of a count kept: read inline, counted out of
        // line.
        let f = self.facts[j].get();
        if f.words != UNKNOWN && (cap <= WORDS_KEPT || usize::from(f.words) < WORDS_KEPT) {
            return usize::from(f.words).min(cap);
        }
        self.count_words(j, cap)
    }

    /// [`Doc::words`] when the count kept does not answer: counted, and kept.
    #[inline(never)]
    fn count_words(&self, j: usize, cap: usize) -> usize {
        let line = &self.lines[j];
        let cell = &self.facts[j];
        let mut f = cell.get();
        if cap > WORDS_KEPT {
            // A count kept below WORDS_KEPT is the line's count whatever the cap; a longer line
            // is counted again up to the cap (and keeps what that tells).
            if f.words != UNKNOWN && usize::from(f.words) < WORDS_KEPT {
                return usize::from(f.words);
            }
            let n = word_count_bytes(&self.text[line.start..line.content_end], cap);
            if f.words == UNKNOWN {
                f.words = n.min(WORDS_KEPT) as u8;
                cell.set(f);
            }
            return n;
        }
        if f.words == UNKNOWN {
            f.words = word_count_bytes(&self.text[line.start..line.content_end], WORDS_KEPT) as u8;
            cell.set(f);
        }
        // Fewer than WORDS_KEPT is the count itself; WORDS_KEPT means at least that many.
        usize::from(f.words).min(cap)
    }

    /// The answer of `test` (a pure function of the document and line `j`, see [`Context`]) for
    /// line `j`, computed on first use.
    pub(super) fn context(&self, j: usize, which: Context, test: impl FnOnce() -> bool) -> bool {
        let bit = 1u32 << which as u32;
        let f = self.facts[j].get();
        if f.asked & bit != 0 {
            let kept = f.answers & bit != 0;
            // Under test, every kept answer (of this pass, or carried from the pass before) is
            // checked against the test itself: a wrong entry in OWN_CONTEXT fails here.
            #[cfg(test)]
            {
                assert_eq!(test(), kept, "kept answer of {which:?} for line {j}");
                KEPT_CHECKED.with(|n| n.set(n.get() + 1));
            }
            return kept;
        }
        let answer = test();
        // Read again: the test may have kept other facts of this line meanwhile.
        let mut f = self.facts[j].get();
        f.asked |= bit;
        if answer {
            f.answers |= bit;
        }
        self.facts[j].set(f);
        answer
    }

    /// Has line `j`'s text (without surrounding whitespace, decoded as [`Doc::str_at`] decodes
    /// it) at most `max` characters? Counted once per line.
    pub(super) fn chars_at_most(&self, j: usize, max: usize) -> bool {
        let cell = &self.facts[j];
        let mut f = cell.get();
        if f.chars == CHARS_UNKNOWN {
            f.chars = self.chars_of(j).min(usize::from(CHARS_KEPT)) as u16;
            cell.set(f);
        }
        if f.chars < CHARS_KEPT {
            usize::from(f.chars) <= max
        } else {
            max >= usize::from(CHARS_KEPT) && self.chars_of(j) <= max
        }
    }

    /// Characters of line `j`'s text as [`Doc::str_at`] gives it, without surrounding whitespace.
    fn chars_of(&self, j: usize) -> usize {
        match self.str_at(self.trimmed_ws(&self.lines[j])) {
            // Valid UTF-8: a character per byte that continues none.
            Cow::Borrowed(t) => char_count(t.as_bytes()),
            Cow::Owned(t) => t.chars().count(),
        }
    }

    /// Is line `j` (untrimmed) of a content shape (see [`shape::is_content_shape`])? Found once.
    pub(super) fn content_shape(&self, j: usize) -> bool {
        let cell = &self.facts[j];
        let mut f = cell.get();
        if f.content_shape == UNKNOWN {
            let l = &self.lines[j];
            f.content_shape = u8::from(shape::is_content_shape(
                &self.str_at(l.start..l.content_end),
            ));
            cell.set(f);
        }
        f.content_shape == 1
    }

    /// The text of `range` as `String::from_utf8_lossy` gives it: borrowed from the document when
    /// it is valid UTF-8.
    #[inline]
    pub(super) fn str_at(&self, range: Range<usize>) -> Cow<'a, str> {
        // Asked millions of times: the slice of the text known to be UTF-8 here, the rest apart
        // (out of line, so that this part is inlined).
        if let Some(Some(whole)) = self.utf8.get()
            && let Some(s) = whole.get(range.clone())
        {
            return Cow::Borrowed(s);
        }
        self.str_at_checked(range)
    }

    /// [`Doc::str_at`] when the text is not known to be UTF-8 (or `range` cuts a character).
    #[cold]
    #[inline(never)]
    fn str_at_checked(&self, range: Range<usize>) -> Cow<'a, str> {
        let whole = *self
            .utf8
            .get_or_init(|| std::str::from_utf8(self.text).ok());
        match whole.and_then(|w| w.get(range.clone())) {
            Some(s) => Cow::Borrowed(s),
            None => as_text(&self.text[range]),
        }
    }

    pub(super) fn prose_index(&self) -> &ProseIndex {
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
    pub(super) fn raw_prose(&self) -> &[Option<usize>] {
        self.raw_prose.get_or_init(|| {
            self.lines
                .iter()
                .enumerate()
                .map(|(i, l)| match self.known_prose.get(i) {
                    Some(&Some(known)) => known,
                    _ => self
                        .is_prose_line(l)
                        .then(|| char_count(&self.text[l.start..l.content_end])),
                })
                .collect()
        })
    }

    /// The prose lines (without line terminators) and their lengths in characters, for the guard.
    pub(super) fn prose_spans(&self) -> Vec<(Range<usize>, usize)> {
        self.lines
            .iter()
            .zip(self.raw_prose())
            .filter_map(|(l, chars)| chars.map(|c| (l.start..l.content_end, c)))
            .collect()
    }

    pub(super) fn line_index(&self, offset: usize) -> usize {
        self.lines
            .partition_point(|l| l.end <= offset)
            .min(self.lines.len() - 1)
    }

    /// The line's text without surrounding whitespace, leading bullets and trailing punctuation.
    pub(super) fn trimmed(&self, line: &Line) -> Range<usize> {
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

    pub(super) fn is_blank(&self, line: &Line) -> bool {
        self.trimmed_ws(line).is_empty()
    }

    /// The line's text without surrounding whitespace (Unicode's `White_Space`).
    pub(super) fn trimmed_ws(&self, line: &Line) -> Range<usize> {
        line.ws_start..line.ws_end
    }

    /// Is the line too long for a teaser (more than [`TEASER_CHARS`] characters)?
    pub(super) fn is_long(&self, line: &Line) -> bool {
        char_count(&self.text[self.trimmed_ws(line)]) > TEASER_CHARS
    }

    /// Does the line read as article prose (see [`shape::reads_as_prose`])?
    pub(super) fn is_prose_line(&self, line: &Line) -> bool {
        let t = self.trimmed_ws(line);
        shape::reads_as_prose(&self.str_at(t))
    }

    /// Is line `i` a row of a table: the lines directly above and below it (no blank line
    /// between) are both content-shaped rows (columns, numbers with units)? A label between two
    /// rows is the table's own header ("By changed lines" between two lists of counts).
    pub(super) fn in_table(&self, i: usize) -> bool {
        // A sentence that holds a quantity ("Prices rose by 3.2%.") is prose, not a table row.
        let row = |j: usize| {
            let l = &self.lines[j];
            !self.is_blank(l) && self.content_shape(j) && {
                let text = self.str_at(l.start..l.content_end);
                !(shape::ends_sentence(text.trim()) && text.split_whitespace().count() >= 6)
            }
        };
        i > 0 && i + 1 < self.lines.len() && row(i - 1) && row(i + 1)
    }

    /// Does line `i` end a sentence that the line directly above began: that line ends with a
    /// comma, and this one ends the sentence (the date at the end of a wrapped reference)?
    pub(super) fn ends_wrapped_sentence(&self, i: usize) -> bool {
        let text = |j: usize| {
            let l = &self.lines[j];
            self.str_at(self.trimmed_ws(l))
        };
        i > 0
            && !self.is_blank(&self.lines[i - 1])
            && text(i - 1).ends_with(',')
            && shape::ends_sentence(&text(i))
    }

    /// Is line `i` a subheading of the article rather than a menu entry: one capitalised word
    /// (no count, no punctuation) after a prose line or a blank line, followed by a long prose
    /// paragraph directly or by a short title or a caption and then one ("Features", "Task
    /// scheduling", then the text of that feature)? A menu entry stands among other entries, not before a paragraph.
    pub(super) fn heads_section(&self, i: usize) -> bool {
        let n = self.lines.len();
        let text = |j: usize| {
            let l = &self.lines[j];
            self.str_at(self.trimmed_ws(l))
        };
        let label = text(i);
        let word = label.chars().next().is_some_and(char::is_uppercase)
            && label.chars().all(char::is_alphabetic)
            && label.chars().skip(1).any(char::is_lowercase);
        // Running text opens in lower case after its first word or two; a headline glued to its
        // teaser ("Strike PossibleThe United Auto ...") opens in title case.
        let sentence_case = |t: &str| {
            let words: Vec<&str> = t.split_whitespace().take(8).collect();
            let upper = words
                .iter()
                .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
                .count();
            2 * upper <= words.len()
        };
        let long_prose = |j: usize| {
            j < n && {
                let t = text(j);
                char_count(t.as_bytes()) >= SUBHEADED_CHARS
                    && shape::reads_as_prose(&t)
                    && sentence_case(&t)
            }
        };
        let title = |j: usize| {
            j < n && {
                let t = text(j);
                let w = word_count(&t, 8);
                (1..=6).contains(&w)
                    && t.chars().next().is_some_and(char::is_uppercase)
                    && t.chars().last().is_some_and(char::is_alphanumeric)
                    && !t.contains(['|', '(', '\u{2022}'])
            }
        };
        let before = i > 0 && {
            let p = &self.lines[i - 1];
            self.is_blank(p) || (self.is_prose_line(p) && sentence_case(&text(i - 1)))
        };
        // The caption of the section's picture may stand between the heading and its text
        // ("Culture", "Late 20th-century house-post depicting ...", then the text): a line of
        // [`CAPTION_MIN_WORDS`] to [`CAPTION_WORDS`] words that is no sentence, no exclamation
        // and introduces nothing.
        let caption = |j: usize| {
            j < n && {
                let t = text(j);
                (CAPTION_MIN_WORDS..=CAPTION_WORDS).contains(&word_count(&t, CAPTION_WORDS + 1))
                    && !shape::reads_as_prose(&t)
                    && !t.ends_with([':', '\u{ff1a}', '!', '?', ','])
            }
        };
        word && before
            && (long_prose(i + 1) || ((title(i + 1) || caption(i + 1)) && long_prose(i + 2)))
    }

    /// Is line `i` a cell of a table that a prose line ending in `:` introduces: the lines from
    /// that line down to `i` and the two after it are all short, with no blank line between, and
    /// at least two cells stand above `i` ("... states and their timestamps:", then a header row
    /// one cell a line, "Comment" its last)? The first line after such a sentence may be a widget
    /// ("Copy" over a code block, a sponsored box), so it is never taken for a cell.
    pub(super) fn in_introduced_cells(&self, i: usize) -> bool {
        let n = self.lines.len();
        let text = |j: usize| {
            let l = &self.lines[j];
            self.str_at(self.trimmed_ws(l))
        };
        // Of the line alone, asked of the lines below and above many a label: kept. The count,
        // kept per line, first: it dismisses most lines.
        let cell = |j: usize| {
            j < n
                && self.context(j, Context::Cell, || {
                    !self.is_blank(&self.lines[j])
                        && self.words(j, 7) <= 6
                        && !shape::ends_sentence(&text(j))
                })
        };
        if !(cell(i) && cell(i + 1) && cell(i + 2)) {
            return false;
        }
        let mut j = i;
        while j > 0 && i - j < INTRODUCED_CELLS {
            j -= 1;
            if cell(j) {
                continue;
            }
            let t = text(j);
            return i - j > 2
                && !self.is_blank(&self.lines[j])
                && t.ends_with([':', '\u{ff1a}'])
                && shape::reads_as_prose(&t);
        }
        false
    }

    /// The next non-blank line after line `i`, skipping at most one blank line.
    fn next_filled(&self, i: usize) -> Option<usize> {
        let n = self.lines.len();
        (i + 1..n.min(i + 3)).find(|&j| !self.is_blank(&self.lines[j]))
    }

    /// Does line `i` open a list of entries of the form "Name: a sentence." (the next two
    /// non-blank lines, each at most one blank line on)? "UP NEXT" over a schedule of the two
    /// teams ("Thunder: Host the Lakers on Friday.") heads article content; a box of other
    /// stories lists headlines, which do not end like sentences.
    pub(super) fn opens_keyed_sentences(&self, i: usize) -> bool {
        let keyed = |j: usize| {
            let t = self.str_at(self.trimmed_ws(&self.lines[j]));
            shape::ends_sentence(&t)
                && t.split_once(": ").is_some_and(|(key, rest)| {
                    key.chars().next().is_some_and(char::is_uppercase)
                        && word_count(key, 4) <= 3
                        && word_count(rest, 3) >= 3
                })
        };
        let Some(a) = self.next_filled(i) else {
            return false;
        };
        keyed(a) && self.next_filled(a).is_some_and(keyed)
    }

    /// Is line `i` a piece of hard-wrapped prose (see [`shape::continues_wrapped_prose`])?
    /// The tests of its neighbours' own text are kept per line: a line is asked about as the
    /// neighbour of each line near it.
    pub(super) fn in_wrapped_prose(&self, i: usize) -> bool {
        let text = |j: usize| {
            let l = &self.lines[j];
            self.str_at(l.start..l.content_end)
        };
        let own = |j: usize, which: Context, test: fn(&str) -> bool| {
            self.context(j, which, || test(&text(j)))
        };
        let runs_on = |j: usize| own(j, Context::RunsOn, shape::runs_on);
        let lower = |j: usize| own(j, Context::OpensLower, shape::opens_lower);
        let filled = |j: usize| !self.is_blank(&self.lines[j]);
        let prev = i.checked_sub(1).filter(|&j| filled(j));
        let prev2 = prev.and_then(|p| p.checked_sub(1)).filter(|&j| filled(j));
        let next = Some(i + 1).filter(|&j| j < self.lines.len() && filled(j));
        // As `shape::continues_wrapped_prose` reads the four lines.
        if runs_on(i) && next.is_some_and(lower) {
            return true;
        }
        let Some(prev) = prev else {
            return false;
        };
        runs_on(prev)
            && (lower(i)
                || prev2.is_some_and(|p| own(p, Context::WrapsOpen, shape::wraps_open))
                || next.is_some_and(lower))
    }

    /// A removal inside one line: the whole line when nothing but whitespace would remain of it,
    /// else exactly the span (the seam repair takes care of the spaces around it).
    /// Does a removal take the whole text of the line it starts on? A line rule may take only
    /// the credit of a caption or the notice after a paragraph; such a line is still prose.
    pub(super) fn takes_whole_line(&self, range: &Range<usize>) -> bool {
        let line = &self.lines[self.line_index(range.start)];
        range.start <= self.trimmed_ws(line).start && range.end >= line.content_end
    }

    pub(super) fn span_in_line(&self, line: &Line, start: usize, end: usize) -> Range<usize> {
        let t = self.trimmed_ws(line);
        if start <= t.start && end >= t.end {
            line.start..line.end
        } else {
            start..end
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::Verdict;
    use crate::filter::testkit::cleaner_from;

    /// Every answer a pass carries to the next (OWN_CONTEXT) is checked against its test by
    /// `Doc::context` under test: each fixture's lines are asked every kept test, then whole
    /// lines and the ends of lines are cut at random and the next pass's document, which inherits the answers, is asked
    /// them all again. An answer that reads a neighbour, carried by mistake, differs somewhere.
    #[test]
    fn carried_answers_equal_their_tests_after_random_cuts() {
        use crate::patterns::{PatternSet, Position};
        let set = PatternSet::builtin().unwrap();
        let rule = set
            .rules()
            .iter()
            .find(|r| r.position == Some(Position::HeadList))
            .expect("a head-list rule");
        let ask = |doc: &Doc<'_>| {
            for i in 0..doc.lines.len() {
                doc.in_closed_list(i);
                doc.names_code_below(i);
                doc.closes_line_above(i);
                doc.in_wrapped_prose(i);
                doc.in_introduced_cells(i);
                doc.stamp_at(i);
                doc.name_chars_at(i);
                doc.ask_run_tests(i, rule);
            }
        };
        let before = KEPT_CHECKED.with(|n| n.get());
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for text in crate::filter::testkit::fixture_texts() {
            let first = Doc::new(&text);
            ask(&first);
            let carry = first.carry();
            for _ in 0..3 {
                let mut cut = Vec::new();
                for l in &first.lines {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    // A whole line, or the end of one from a point within it (the cuts of a
                    // glued sentence or a trailing credit).
                    match seed % 8 {
                        0 | 1 => cut.push(l.start..l.end),
                        2 if l.end > l.start + 1 => {
                            let from = l.start + 1 + (seed >> 8) as usize % (l.end - l.start - 1);
                            if from < l.content_end {
                                cut.push(from..l.content_end);
                            }
                        }
                        _ => {}
                    }
                }
                let rest = crate::filter::seams::delete(&text, &cut);
                let mut next = Doc::new(&rest);
                next.inherit(&carry, &cut);
                ask(&next);
            }
        }
        let checked = KEPT_CHECKED.with(|n| n.get()) - before;
        assert!(checked > 100_000, "{checked} kept answers checked");
    }

    #[test]
    fn a_pass_inherits_the_facts_of_the_lines_left_whole() {
        let text = "Home\nThe council voted on Tuesday to keep the old bridge open for now.\n\
                    Share this article\nA second paragraph follows here, and it ends as well.\n\
                    Tail";
        let first = Doc::new(text.as_bytes());
        for j in 0..first.lines.len() {
            first.words(j, 4);
            first.content_shape(j);
        }
        first.raw_prose();
        let carry = first.carry();
        // "Share this article\n" goes, and the "Home" of the first line.
        let share = text.find("Share").unwrap();
        let cut = [0..4, share..share + "Share this article\n".len()];
        let rest = super::super::seams::delete(text.as_bytes(), &cut);
        let mut second = Doc::new(&rest);
        second.inherit(&carry, &cut);
        // The first line (now empty) was touched; the two paragraphs and "Tail" were not.
        let known: Vec<bool> = second.known_prose.iter().map(Option::is_some).collect();
        assert_eq!(known, [false, true, true, true]);
        assert_eq!(second.known_prose[1], Some(Some(65)));
        assert_eq!(second.known_prose[3], Some(None));
        assert_eq!(second.facts[2].get().words, 10);
        assert_eq!(second.facts[0].get().words, UNKNOWN);
        // What is inherited is what the second document finds by itself.
        let fresh = Doc::new(&rest);
        assert_eq!(second.raw_prose(), fresh.raw_prose());
        for j in 0..fresh.lines.len() {
            assert_eq!(second.words(j, 4), fresh.words(j, 4), "line {j}");
            assert_eq!(second.content_shape(j), fresh.content_shape(j), "line {j}");
        }
    }

    /// Words as counted on text (the oracle of [`word_count_bytes`]): a CJK character is a word,
    /// and so is the rest of a whitespace-separated word beside them.
    fn on_text(s: &str, cap: usize) -> usize {
        let mut n = 0;
        for w in s.split_whitespace() {
            let cjk = w.chars().filter(|&c| is_cjk(c)).count();
            n += cjk + usize::from(cjk < w.chars().count());
            if n >= cap {
                return cap;
            }
        }
        n
    }

    #[test]
    fn word_count_on_bytes_counts_as_on_text() {
        // Every fixture line, from every offset of its first sixteen bytes (the sixteen-byte and
        // eight-byte chunks fall everywhere), and runs of each ASCII byte next to words and CJK.
        let mut texts: Vec<Vec<u8>> = crate::filter::testkit::fixture_lines();
        for b in 0..0x80u8 {
            let mut t = b"ab".to_vec();
            for k in 1..10 {
                t.extend(std::iter::repeat_n(b, k));
                t.extend("x\u{65e5}\u{672c}".as_bytes());
                t.extend(std::iter::repeat_n(b, k));
                t.extend(b"yz");
            }
            texts.push(t);
        }
        let mut words = 0;
        for bytes in &texts {
            for start in 0..bytes.len().min(16) {
                let bytes = &bytes[start..];
                let text = String::from_utf8_lossy(bytes);
                for cap in [1, 2, 3, 5, 8, 13, 16, 61, usize::MAX] {
                    assert_eq!(
                        word_count_bytes(bytes, cap),
                        on_text(&text, cap),
                        "{text:?} cap {cap}"
                    );
                }
                words += on_text(&text, usize::MAX);
            }
        }
        assert!(words > 100_000, "{words} words");
    }

    #[test]
    fn word_count_on_bytes_counts_as_on_text_around_every_odd_character() {
        // Every whitespace character, the CJK ranges' bounds and their neighbours, typographic
        // marks and invalid or cut sequences, alone or twice, at every offset of a sixteen-byte
        // chunk among accented and ASCII words.
        let mut odd: Vec<Vec<u8>> = [
            0x85u32, 0xA0, 0xA9, 0x1680, 0x167F, 0x1681, 0x2000, 0x2005, 0x200A, 0x200B, 0x2019,
            0x201C, 0x2026, 0x2027, 0x2028, 0x2029, 0x202A, 0x202F, 0x205E, 0x205F, 0x2060, 0x303F,
            0x3000, 0x3001, 0x3040, 0x30FF, 0x3100, 0x33FF, 0x3400, 0x4DBF, 0x4DC0, 0x4E00, 0x9FFF,
            0xA000, 0xABFF, 0xAC00, 0xD7AF, 0xD7B0, 0xE000, 0xF8FF, 0xF900, 0xFAFF, 0xFB00, 0xFEFF,
            0xFF0C, 0x10348, 0x20000, 0xE9, 0x430,
        ]
        .iter()
        .map(|&c| char::from_u32(c).unwrap().to_string().into_bytes())
        .collect();
        for bad in [
            &b"\xff"[..],
            b"\x80",
            b"\xc2",
            b"\xe2\x80",
            b"\xe2\x81",
            b"\xe3\x80",
            b"\xe1\x9a",
            b"\xc2\xc2\xa0",
            b"\xe2\xe2\x80\x80",
            b"\xf0\x9f",
            b"\xed\xa0\x80",
        ] {
            odd.push(bad.to_vec());
        }
        let mut words = 0;
        for c in &odd {
            for fill in [
                &b"ab cd"[..],
                "\u{e9}t\u{e9} \u{43c}\u{438}\u{440}".as_bytes(),
            ] {
                for lead in 0..18 {
                    for twice in [false, true] {
                        let mut t: Vec<u8> = fill.iter().copied().cycle().take(lead).collect();
                        t.extend(c);
                        if twice {
                            t.extend(c);
                        }
                        t.extend(b"x ");
                        t.extend(c);
                        t.extend(fill.iter().copied().cycle().take(40));
                        let text = String::from_utf8_lossy(&t);
                        for cap in [1, 2, 3, 5, 8, 16, usize::MAX] {
                            assert_eq!(
                                word_count_bytes(&t, cap),
                                on_text(&text, cap),
                                "{t:?} cap {cap}"
                            );
                        }
                        words += on_text(&text, usize::MAX);
                    }
                }
            }
        }
        assert!(words > 10_000, "{words}");
    }

    #[test]
    fn word_count_on_bytes_counts_as_on_text_in_short_texts() {
        for bytes in [
            &b""[..],
            b"   ",
            b"one two\tthree\x0bfour\x0cfive\rsix\nseven  eight nine",
            "caf\u{e9} \u{a0}na\u{ef}ve\u{2003}x\u{3000}y".as_bytes(),
            "\u{65e5}\u{672c}\u{8a9e}\u{306e} text \u{d55c}\u{ad6d}a b".as_bytes(),
            b"bad \xff\xfe bytes \xe2\x80 here\xe3\x80\x80end \xf0\x9f",
        ] {
            let text = String::from_utf8_lossy(bytes);
            for cap in [1, 3, 8, 100] {
                assert_eq!(
                    word_count_bytes(bytes, cap),
                    on_text(&text, cap),
                    "{text:?} cap {cap}"
                );
            }
        }
    }

    #[test]
    fn a_lines_kept_facts_equal_the_facts_recomputed() {
        let mut texts = crate::filter::testkit::fixture_texts();
        let mut mixed = b"bad \xff\xfe bytes\nx\x80y z\n".to_vec();
        mixed.extend(
            "\u{65e5}\u{672c}\u{8a9e}\u{306e} \u{d55c}\u{ad6d} a b c\n\u{a0} spaced \u{3000}\n  \
             indented code();\n"
                .as_bytes(),
        );
        texts.push(mixed);
        texts.push(b"\xe2\x80 cut \x80\x80 short\r\nlast".to_vec());
        let mut lines = 0;
        for text in &texts {
            let doc = Doc::new(text);
            for (j, l) in doc.lines.iter().enumerate() {
                let bytes = &doc.text[l.start..l.content_end];
                let (lead, rest) = (
                    bytes.len() - bstr::ByteSlice::trim_start(bytes).len(),
                    bstr::ByteSlice::trim(bytes).len(),
                );
                let t = l.start + lead..l.start + lead + rest;
                assert_eq!(doc.trimmed_ws(l), t);
                let trimmed = doc.str_at(t);
                let whole = doc.str_at(l.start..l.content_end);
                // Asked twice: computed, then kept.
                for _ in 0..2 {
                    for cap in 1..=WORDS_KEPT + 4 {
                        assert_eq!(doc.words(j, cap), word_count(&trimmed, cap), "{trimmed:?}");
                    }
                    assert_eq!(doc.content_shape(j), shape::is_content_shape(&whole));
                    let chars = trimmed.chars().count();
                    for max in [0, 1, 3, 12, 80, 150, 250, 1000, usize::MAX] {
                        assert_eq!(doc.chars_at_most(j, max), chars <= max, "{trimmed:?}");
                    }
                }
                lines += 1;
            }
        }
        assert!(lines > 5000, "{lines} lines");
    }

    #[test]
    fn a_lines_kept_context_answers_equal_the_tests() {
        let mut yes = [0usize; 16];
        for text in crate::filter::testkit::fixture_texts() {
            let doc = Doc::new(&text);
            let tests: [(Context, &dyn Fn(usize) -> bool); 16] = [
                (Context::ClosedListItem, &|i| doc.closed_list_item(i)),
                (Context::NamesCode, &|i| doc.names_code_below_now(i)),
                (Context::WrappedProse, &|i| doc.in_wrapped_prose(i)),
                (Context::Table, &|i| doc.in_table(i)),
                (Context::HeadsSection, &|i| doc.heads_section(i)),
                (Context::IntroducedCells, &|i| doc.in_introduced_cells(i)),
                (Context::KeyedSentences, &|i| doc.opens_keyed_sentences(i)),
                (Context::WrappedSentence, &|i| doc.ends_wrapped_sentence(i)),
                (Context::CarriedSentence, &|i| doc.opens_carried_sentence(i)),
                (Context::Dialogue, &|i| doc.in_dialogue(i)),
                (Context::DefinitionList, &|i| doc.in_definition_list(i)),
                (Context::Verse, &|i| doc.in_verse(i)),
                (Context::IntroducesList, &|i| doc.introduces_list(i)),
                (Context::ClauseSentence, &|i| doc.is_clause_sentence(i)),
                (Context::CaptionSentence, &|i| doc.is_caption_sentence(i)),
                (Context::FieldValue, &|i| doc.is_field_value(i)),
            ];
            // Lines asked in an order that is not the document's, each test twice.
            let n = doc.lines.len();
            for k in 0..n {
                let i = (k * 7919) % n;
                for (t, (which, test)) in tests.iter().enumerate() {
                    let want = test(i);
                    assert_eq!(doc.context(i, *which, || test(i)), want);
                    // Kept: asked again, the answer is read back (and, under test, checked).
                    let bit = 1u32 << *which as u32;
                    assert_ne!(doc.facts[i].get().asked & bit, 0, "kept");
                    assert_eq!(doc.context(i, *which, || test(i)), want, "kept");
                    yes[t] += usize::from(want);
                }
            }
        }
        // Every test says yes somewhere in the fixtures.
        assert!(yes.iter().all(|&y| y > 0), "{yes:?}");
    }

    #[test]
    fn wrapped_prose_with_kept_line_tests_answers_as_the_text_test() {
        let mut yes = 0;
        for text in crate::filter::testkit::fixture_texts() {
            let doc = Doc::new(&text);
            let n = doc.lines.len();
            let line = |j: usize| {
                let l = &doc.lines[j];
                doc.str_at(l.start..l.content_end)
            };
            let filled = |j: usize| !doc.is_blank(&doc.lines[j]);
            for k in 0..n {
                let i = (k * 7919) % n;
                let prev = i.checked_sub(1).filter(|&j| filled(j));
                let prev2 = prev.and_then(|p| p.checked_sub(1)).filter(|&j| filled(j));
                let next = Some(i + 1).filter(|&j| j < n && filled(j));
                let want = shape::continues_wrapped_prose(
                    &line(i),
                    prev.map(line).as_deref(),
                    prev2.map(line).as_deref(),
                    next.map(line).as_deref(),
                );
                assert_eq!(doc.in_wrapped_prose(i), want, "line {i}: {:?}", line(i));
                yes += usize::from(want);
            }
        }
        assert!(yes > 50, "{yes}");
    }

    /// [`Doc::in_introduced_cells`] as first written (no line's test kept, the text read first).
    fn in_introduced_cells_reference(doc: &Doc<'_>, i: usize) -> bool {
        let n = doc.lines.len();
        let text = |j: usize| doc.str_at(doc.trimmed_ws(&doc.lines[j]));
        let cell = |j: usize| {
            j < n && !doc.is_blank(&doc.lines[j]) && {
                let t = text(j);
                !shape::ends_sentence(&t) && doc.words(j, 7) <= 6
            }
        };
        if !(cell(i) && cell(i + 1) && cell(i + 2)) {
            return false;
        }
        let mut j = i;
        while j > 0 && i - j < INTRODUCED_CELLS {
            j -= 1;
            if cell(j) {
                continue;
            }
            let t = text(j);
            return i - j > 2
                && !doc.is_blank(&doc.lines[j])
                && t.ends_with([':', '\u{ff1a}'])
                && shape::reads_as_prose(&t);
        }
        false
    }

    #[test]
    fn introduced_cells_with_kept_line_tests_answer_as_first_written() {
        let mut yes = 0;
        for text in crate::filter::testkit::fixture_texts() {
            let doc = Doc::new(&text);
            let n = doc.lines.len();
            for k in 0..2 * n {
                let i = (k * 7919) % n;
                let want = in_introduced_cells_reference(&doc, i);
                assert_eq!(doc.in_introduced_cells(i), want, "line {i}");
                yes += usize::from(want);
            }
        }
        assert!(yes > 5, "{yes}");
    }

    #[test]
    fn trimmed_ws_trims_as_unicode_whitespace() {
        for text in [
            "",
            " ",
            "\t\u{a0}\t",
            "\u{a0} x \u{2003}",
            " \u{3000}",
            "\u{3000} ",
            "  plain text \t",
            "\u{85}x\u{85}",
            "caf\u{e9}",
            "\u{e9}t\u{e9}",
            " \u{2028}\u{a0} a b \u{a0}\u{2029} ",
            "\u{1680}",
            "\u{2000}\u{200a}x\u{202f}\u{205f}",
            "\u{200b}x\u{200b}",
            "\u{e9}x\u{e9}",
            "\u{100}x\u{100}\u{a0}",
            "\u{20ac}x \u{2014}",
            "\u{3001}x\u{3000}\u{3001}",
            "\u{1681}x\u{1681}",
            "\u{2060}x\u{2029}\u{2060}",
        ] {
            let doc = Doc::new(text.as_bytes());
            let line = doc.lines[0];
            let s = &doc.text[line.start..line.content_end];
            let lead = s.len() - bstr::ByteSlice::trim_start(s).len();
            let rest = bstr::ByteSlice::trim(s).len();
            assert_eq!(doc.trimmed_ws(&line), lead..lead + rest, "{text:?}");
        }
    }

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
}
