//! Matching normalisation: the text the detector searches, and the way back to original offsets.
//!
//! Chrome is matched case-insensitively and with typographic variants folded (`’` as `'`, `“` as `"`,
//! dashes as `-`, Unicode spaces as a space, runs of spaces and tabs as one space). The original bytes
//! are never changed: [`Normalized`] is a search copy plus a sparse table of breakpoints that maps a
//! normalised offset back to the original one. Text that needs no folding is borrowed, not copied.
//!
//! ASCII letters keep their case here (the Aho-Corasick automaton and the regexes are
//! case-insensitive); non-ASCII capitals whose lower case has the same UTF-8 length are lowered, so
//! `É` matches `é`.

use std::borrow::Cow;

/// A search copy of a text and the map from its offsets to the original's.
#[derive(Debug, Clone)]
pub struct Normalized<'a> {
    text: Cow<'a, [u8]>,
    /// `(normalised, original)` offset pairs, ascending, at every point where the two diverge in length.
    breaks: Vec<(usize, usize)>,
}

/// A search copy kept from one detection pass for the next (see [`Normalized::after_cut`]).
#[derive(Debug, Default)]
pub(crate) struct Kept {
    /// The search copy, when it differs from the text it was made of.
    text: Option<Vec<u8>>,
    /// Its breakpoints (see [`Normalized`]).
    breaks: Vec<(usize, usize)>,
    /// Length of the text it was made of.
    len: usize,
}

impl Kept {
    /// Bytes this copy takes: its text (when it differs from the input) and its breakpoints.
    pub(crate) fn bytes(&self) -> usize {
        self.text.as_ref().map_or(0, Vec::len) + self.breaks.len() * size_of::<(usize, usize)>()
    }
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `w` that is zero (exact, no false positives).
fn zero_bytes(w: u64) -> u64 {
    !(((w & !HI).wrapping_add(!HI)) | w | !HI)
}

/// What one input character becomes in the search copy.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Fold {
    Keep,
    Byte(u8),
    Char(char),
    Space,
    Drop,
}

/// [`fold_char`] through a table for the two-byte characters (Latin, Greek, Cyrillic, Hebrew,
/// Arabic...), whose Unicode property look-ups would otherwise cost a few hundred instructions each,
/// and for the rest of the Basic Multilingual Plane through blocks of 128 characters marked, on
/// first use, as folding none of their characters (CJK, kana, Hangul, Indic scripts, Thai...).
fn fold_char_fast(c: char) -> Fold {
    use std::sync::atomic::{AtomicU8, Ordering};
    static TWO_BYTE: std::sync::OnceLock<Box<[Fold]>> = std::sync::OnceLock::new();
    /// Per block: how often it was looked up below [`BLOCK_AFTER`], then whether every one of its
    /// characters is kept ([`KEPT`]) or some are folded ([`MIXED`]). Marking a block costs 128
    /// look-ups: a block only met a few times (the pattern phrases at start-up) never pays that.
    static BLOCKS: [AtomicU8; 0x10000 >> 7] = [const { AtomicU8::new(0) }; 0x10000 >> 7];
    const BLOCK_AFTER: u8 = 64;
    const KEPT: u8 = 254;
    const MIXED: u8 = 255;
    let cp = c as usize;
    if (0x80..0x800).contains(&cp) {
        return TWO_BYTE.get_or_init(|| {
            (0x80..0x800u32)
                .map(|cp| fold_char(char::from_u32(cp).expect("no surrogates below 0x800")))
                .collect()
        })[cp - 0x80];
    }
    let Some(block) = BLOCKS.get(cp >> 7) else {
        return fold_char(c);
    };
    match block.load(Ordering::Relaxed) {
        KEPT => Fold::Keep,
        MIXED => fold_char(c),
        BLOCK_AFTER => {
            let first = (cp & !127) as u32;
            let all_kept = (first..first + 128)
                .filter_map(char::from_u32)
                .all(|c| matches!(fold_char(c), Fold::Keep));
            block.store(if all_kept { KEPT } else { MIXED }, Ordering::Relaxed);
            fold_char(c)
        }
        seen => {
            // Threads racing here at worst count one look-up too few.
            block.store(seen + 1, Ordering::Relaxed);
            fold_char(c)
        }
    }
}

fn fold_char(c: char) -> Fold {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{00B4}' => {
            Fold::Byte(b'\'')
        }
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => Fold::Byte(b'"'),
        '\u{2010}'..='\u{2015}' | '\u{2212}' => Fold::Byte(b'-'),
        '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => Fold::Space,
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => Fold::Drop,
        // The two non-ASCII letters that case-fold to ASCII ones: the long s and the Kelvin sign.
        '\u{017F}' => Fold::Byte(b's'),
        '\u{212A}' => Fold::Byte(b'k'),
        // The lower case first: most letters (CJK, Indic, Thai, lower-case ones) have none of their
        // own, and that look-up is cheaper than the alphabetic one.
        c => {
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None)
                    if l != c
                        && l.len_utf8() == c.len_utf8()
                        && !c.is_lowercase()
                        && c.is_alphabetic() =>
                {
                    Fold::Char(l)
                }
                _ => Fold::Keep,
            }
        }
    }
}

/// Whether `c` can occur in a search copy (the folding leaves it as it is).
pub(crate) fn can_occur(c: char) -> bool {
    matches!(fold_char(c), Fold::Keep)
}

/// Folds `input[from..to]` into the search copy: `from` starts a line (or the text), where the
/// folding starts afresh (a line break is no space), and `to` ends one (after its `\n`) or the
/// text. The copy so far is `out` (`None`: the text itself so far) followed by
/// `input[copied..from]`; breakpoints are added to `breaks` in offsets of the whole text.
#[inline(always)]
fn fold(
    input: &[u8],
    from: usize,
    to: usize,
    out: &mut Option<Vec<u8>>,
    copied: &mut usize,
    breaks: &mut Vec<(usize, usize)>,
) {
    let mut prev_space = false;
    let mut i = from;
    while i < to {
        // Fast path: eight plain ASCII bytes with no tab and no run of spaces need no folding.
        if let Some(chunk) = input[..to].get(i..i + 8) {
            let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            let spaces = zero_bytes(w ^ (LO * u64::from(b' ')));
            let double = spaces & ((spaces << 8) | u64::from(prev_space) << 7);
            if w & HI == 0 && zero_bytes(w ^ (LO * u64::from(b'\t'))) == 0 && double == 0 {
                prev_space = spaces >> 63 != 0;
                i += 8;
                continue;
            }
        }
        let b = input[i];
        if b < 0x80 {
            if b == b' ' || b == b'\t' {
                if prev_space {
                    let o = out.get_or_insert_with(|| Vec::with_capacity(input.len()));
                    o.extend_from_slice(&input[*copied..i]);
                    *copied = i + 1;
                    breaks.push((o.len(), *copied));
                } else if b == b'\t' {
                    let o = out.get_or_insert_with(|| Vec::with_capacity(input.len()));
                    o.extend_from_slice(&input[*copied..i]);
                    o.push(b' ');
                    *copied = i + 1;
                }
                prev_space = true;
            } else {
                prev_space = false;
            }
            i += 1;
            continue;
        }
        let (ch, len) = bstr::decode_utf8(&input[i..to]);
        let fold = match ch {
            Some(c) => fold_char_fast(c),
            None => Fold::Keep,
        };
        let mut space = false;
        let replacement: Option<&[u8]> = match &fold {
            Fold::Keep => None,
            Fold::Byte(_) | Fold::Char(_) => Some(&[]),
            Fold::Space => {
                space = true;
                Some(&[])
            }
            Fold::Drop => Some(&[]),
        };
        if replacement.is_some() {
            let o = out.get_or_insert_with(|| Vec::with_capacity(input.len()));
            o.extend_from_slice(&input[*copied..i]);
            let before = o.len();
            match fold {
                Fold::Byte(r) => o.push(r),
                Fold::Char(c) => {
                    let mut buf = [0; 4];
                    o.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                Fold::Space if !prev_space => o.push(b' '),
                _ => {}
            }
            *copied = i + len;
            if o.len() - before != len {
                breaks.push((o.len(), *copied));
            }
        }
        if !matches!(fold, Fold::Drop) {
            prev_space = space;
        }
        i += len;
    }
}

impl<'a> Normalized<'a> {
    /// Builds the search copy of `input`.
    pub fn new(input: &'a [u8]) -> Self {
        let mut out: Option<Vec<u8>> = None;
        let mut breaks = Vec::new();
        // Offset in `input` up to which bytes have been accounted for in `out`.
        let mut copied = 0;
        fold(input, 0, input.len(), &mut out, &mut copied, &mut breaks);
        let text = match out {
            Some(mut o) => {
                o.extend_from_slice(&input[copied..]);
                Cow::Owned(o)
            }
            None => Cow::Borrowed(input),
        };
        Normalized { text, breaks }
    }

    /// What the next pass needs of this search copy of a text of `len` bytes (see
    /// [`Normalized::after_cut`]); a copy that is the text itself keeps no bytes.
    pub(crate) fn keep(self, len: usize) -> Kept {
        Kept {
            text: match self.text {
                Cow::Owned(t) => Some(t),
                Cow::Borrowed(_) => None,
            },
            breaks: self.breaks,
            len,
        }
    }

    /// The search copy of `input`, which is the text `old` was made of without the ranges `cut`
    /// (sorted, disjoint, in that text's offsets), the same as [`Normalized::new`] makes: the
    /// folding of a line depends on its own bytes alone (it starts afresh after each `\n`), so a
    /// line no range touched is taken from `old` and only the others are folded again. `None`
    /// when `cut` does not fit `old`.
    pub(crate) fn after_cut(
        input: &'a [u8],
        old: &Kept,
        cut: &[std::ops::Range<usize>],
    ) -> Option<Self> {
        let mut removed = 0;
        let mut prev_end = 0;
        for r in cut {
            if r.start < prev_end || r.end < r.start {
                return None;
            }
            removed += r.end - r.start;
            prev_end = r.end;
        }
        if prev_end > old.len || old.len - removed != input.len() {
            return None;
        }
        let mut out: Option<Vec<u8>> = old.text.as_ref().map(|_| Vec::with_capacity(input.len()));
        let mut breaks = Vec::new();
        let mut copied = 0;
        // The next breakpoint of `old` not yet passed, and the original minus search-copy offset
        // of `old` before it.
        let (mut ob, mut delta) = (0, 0);
        // A line of the output starting at `s2` (here), within the range of the old text that
        // runs from `a` (there) to `b`, which starts here at `a2`.
        let (mut a, mut a2, mut s2) = (0, 0, 0);
        for k in 0..=cut.len() {
            let b = cut.get(k).map_or(old.len, |r| r.start);
            let b2 = a2 + (b - a);
            while s2 < b2 {
                let end2 = bstr::ByteSlice::find_byte(&input[s2..], b'\n')
                    .map_or(input.len(), |p| s2 + p + 1);
                // The line is one of the old text if it starts and ends there as here: after a
                // `\n` of this range (or at the start of both texts), and with its `\n` in this
                // range (or at the end of both texts).
                let starts = s2 > a2 || a == 0;
                let ends = if input[end2 - 1] == b'\n' {
                    end2 <= b2
                } else {
                    b == old.len
                };
                if !(starts && ends) {
                    fold(input, s2, end2, &mut out, &mut copied, &mut breaks);
                    s2 = end2;
                    continue;
                }
                let (s, end) = (a + (s2 - a2), a + (end2 - a2));
                while old.breaks.get(ob).is_some_and(|&(_, o)| o <= s) {
                    delta = old.breaks[ob].1 - old.breaks[ob].0;
                    ob += 1;
                }
                let ns = s - delta;
                if let (Some(o), Some(old_text)) = (&mut out, &old.text) {
                    o.extend_from_slice(&input[copied..s2]);
                    let ns2 = o.len();
                    // The line's own breakpoints (each lies after the character that made it).
                    while let Some(&(n, ob_o)) = old.breaks.get(ob).filter(|&&(_, o)| o <= end) {
                        breaks.push((n - ns + ns2, ob_o - s + s2));
                        delta = ob_o - n;
                        ob += 1;
                    }
                    o.extend_from_slice(&old_text[ns..end - delta]);
                    copied = end2;
                }
                s2 = end2;
            }
            let Some(r) = cut.get(k) else { break };
            a = r.end;
            a2 = b2;
        }
        let text = match out {
            Some(mut o) => {
                o.extend_from_slice(&input[copied..]);
                Cow::Owned(o)
            }
            None => Cow::Borrowed(input),
        };
        Some(Normalized { text, breaks })
    }

    /// The search copy.
    pub fn text(&self) -> &[u8] {
        &self.text
    }

    /// Maps an offset of the search copy to the matching offset of the original.
    pub fn to_original(&self, offset: usize) -> usize {
        let idx = self.breaks.partition_point(|&(n, _)| n <= offset);
        if idx == 0 {
            offset
        } else {
            let (n, o) = self.breaks[idx - 1];
            o + (offset - n)
        }
    }
}

/// Normalises a phrase for the automaton: folded as text is, fully lower-cased and trimmed.
pub fn phrase(p: &str) -> String {
    // ASCII with no tab and no run of spaces, most phrases: the folding keeps it as it is, so
    // only the case and the edges change (start-up normalises every built-in phrase twice).
    let b = p.as_bytes();
    if b.is_ascii() && !b.contains(&b'\t') && !b.windows(2).any(|w| w == b"  ") {
        return p.trim().to_ascii_lowercase();
    }
    folded_phrase(p)
}

/// Whether [`phrase`] of `p` is empty (every character blank or dropped by the folding), without
/// building it: the pattern files check every phrase so.
pub fn phrase_is_empty(p: &str) -> bool {
    // A folded character is blank only if it was (Space) or is dropped; ASCII folds to none.
    p.chars().all(|c| {
        c.is_whitespace() || (!c.is_ascii() && matches!(fold_char(c), Fold::Space | Fold::Drop))
    })
}

/// [`phrase`] through the whole folding.
fn folded_phrase(p: &str) -> String {
    let n = Normalized::new(p.as_bytes());
    String::from_utf8_lossy(n.text())
        .to_lowercase()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn norm(s: &str) -> (String, Vec<usize>) {
        let n = Normalized::new(s.as_bytes());
        let t = String::from_utf8(n.text().to_vec()).unwrap();
        let map = (0..=t.len()).map(|i| n.to_original(i)).collect();
        (t, map)
    }

    #[test]
    fn plain_ascii_is_borrowed() {
        let n = Normalized::new(b"Share this. Comments");
        assert!(matches!(n.text, Cow::Borrowed(_)));
        assert_eq!(n.to_original(5), 5);
    }

    #[test]
    fn folds_typography_and_maps_back() {
        let (t, map) = norm("Don\u{2019}t  \u{201C}go\u{201D}\u{00A0}now");
        assert_eq!(t, "Don't \"go\" now");
        // "'" at 3 maps to the start of ’, "t" at 4 maps after it (3 + 3 bytes).
        assert_eq!(map[3], 3);
        assert_eq!(map[4], 6);
        // the second space of the run is gone: "\"" at 6 is the original “ at 9.
        assert_eq!(map[6], 9);
        assert_eq!(
            *map.last().unwrap(),
            "Don\u{2019}t  \u{201C}go\u{201D}\u{00A0}now".len()
        );
    }

    #[test]
    fn lowers_non_ascii_capitals_and_drops_invisibles() {
        let (t, _) = norm("\u{FEFF}\u{00C9}T\u{00C9} \u{2014} x");
        assert_eq!(t, "\u{e9}T\u{e9} - x");
    }

    #[test]
    fn invalid_utf8_is_kept() {
        let n = Normalized::new(b"a\xffb  c");
        assert_eq!(n.text(), b"a\xffb c");
        assert_eq!(n.to_original(5), 6);
    }

    #[test]
    fn fast_path_matches_byte_by_byte() {
        // Runs of spaces and tabs at every alignment, across the eight-byte words.
        for pad in 0..9 {
            let s = format!(
                "{}ab  cd\te f   g h\t\ti{}j  ",
                "x".repeat(pad),
                " ".repeat(pad)
            );
            let (t, map) = norm(&s);
            let mut want = String::new();
            let mut prev = false;
            for c in s.chars() {
                let c = if c == '\t' { ' ' } else { c };
                if c == ' ' && prev {
                    continue;
                }
                prev = c == ' ';
                want.push(c);
            }
            assert_eq!(t, want, "pad {pad}");
            assert_eq!(map.last().copied(), Some(s.len()));
        }
    }

    /// What the folding makes of `s`, one character at a time: the search copy, and for each of
    /// its bytes the original offset it maps to.
    fn reference_map(s: &str) -> (String, Vec<usize>) {
        let mut out = String::new();
        let mut map = Vec::new();
        let mut prev = false;
        for (at, c) in s.char_indices() {
            let fold = if c == ' ' || c == '\t' {
                Fold::Space
            } else if c.is_ascii() {
                Fold::Keep // ASCII letters keep their case.
            } else {
                fold_char(c)
            };
            let before = out.len();
            match fold {
                Fold::Keep => out.push(c),
                Fold::Byte(b) => out.push(char::from(b)),
                Fold::Char(l) => out.push(l),
                Fold::Space if !prev => out.push(' '),
                Fold::Space | Fold::Drop => {}
            }
            map.extend((0..out.len() - before).map(|k| at + k));
            if !matches!(fold, Fold::Drop) {
                prev = matches!(fold, Fold::Space);
            }
        }
        (out, map)
    }

    fn reference(s: &str) -> String {
        reference_map(s).0
    }

    #[test]
    fn non_ascii_at_every_alignment_folds_as_char_by_char() {
        for pad in 0..17 {
            for tail in [
                "Don\u{2019}t  go",
                "a \u{a0}b",
                "x \u{200b} y",
                "\u{c9}t\u{e9}\tz",
                "ab \u{3000}",
                " \u{feff} ",
                "\u{65b0}\u{805e} x",
            ] {
                let s = format!("{}{tail} {}q\u{2014}", "w".repeat(pad), " ".repeat(pad % 3));
                let (t, map) = norm(&s);
                assert_eq!(t, reference(&s), "{s:?}");
                assert_eq!(map.last().copied(), Some(s.len()), "{s:?}");
            }
        }
    }

    #[test]
    fn case_folding_order_and_table_change_nothing() {
        // The rule as first written: only non-lower-case letters are lowered.
        fn by_properties(c: char) -> Option<char> {
            if c.is_lowercase() || !c.is_alphabetic() {
                return None;
            }
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) if l != c && l.len_utf8() == c.len_utf8() => Some(l),
                _ => None,
            }
        }
        // Every block of the BMP met often enough to be marked, then compared character by character.
        for c in (0..0x1_0000).step_by(128).filter_map(char::from_u32) {
            for _ in 0..=64 {
                fold_char_fast(c);
            }
        }
        let mut lowered = 0;
        for c in (0..0x11_0000).filter_map(char::from_u32) {
            let fold = fold_char(c);
            assert_eq!(fold_char_fast(c), fold, "{c:?}");
            if let Fold::Char(l) = fold {
                assert_eq!(by_properties(c), Some(l), "{c:?}");
                lowered += 1;
            } else if matches!(fold, Fold::Keep) {
                assert_eq!(by_properties(c), None, "{c:?}");
            }
        }
        assert!(lowered > 1000, "{lowered}");
    }

    /// Pieces of texts: plain words, runs of spaces and tabs, line breaks, characters that fold
    /// or are dropped, characters kept, and bytes that are not UTF-8.
    fn piece() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            Just(b"a".to_vec()),
            Just(b"Ab".to_vec()),
            Just(b"plain words here".to_vec()),
            Just(b" ".to_vec()),
            Just(b"  ".to_vec()),
            Just(b"\t".to_vec()),
            Just(b" \t ".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"\n\n".to_vec()),
            Just(b"\r\n".to_vec()),
            Just("\u{2019}".as_bytes().to_vec()),
            Just("\u{201c}Q\u{201d}".as_bytes().to_vec()),
            Just("\u{c9}t\u{e9}".as_bytes().to_vec()),
            Just("\u{a0}".as_bytes().to_vec()),
            Just("\u{200b}".as_bytes().to_vec()),
            Just("\u{feff}".as_bytes().to_vec()),
            Just("\u{2014}".as_bytes().to_vec()),
            Just("\u{3000}".as_bytes().to_vec()),
            Just("\u{65b0}\u{805e}".as_bytes().to_vec()),
            Just("\u{416}\u{436}".as_bytes().to_vec()),
            Just(b"\xff".to_vec()),
            Just(b"\xe2\x80".to_vec()),
        ]
    }

    /// The search copy and the whole offset map of `n`.
    fn copy_and_map(n: &Normalized<'_>) -> (Vec<u8>, Vec<usize>) {
        let map = (0..=n.text().len()).map(|i| n.to_original(i)).collect();
        (n.text().to_vec(), map)
    }

    /// `text` without the ranges `cut`.
    fn without(text: &[u8], cut: &[std::ops::Range<usize>]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut at = 0;
        for r in cut {
            out.extend_from_slice(&text[at..r.start]);
            at = r.end;
        }
        out.extend_from_slice(&text[at..]);
        out
    }

    /// Sorted, disjoint ranges of a text of `len` bytes from `(start, length)` pairs, where the
    /// start is in thousandths of the text (ranges may touch, and may be empty).
    fn ranges(len: usize, picks: &[(usize, usize)]) -> Vec<std::ops::Range<usize>> {
        let mut cut: Vec<std::ops::Range<usize>> = Vec::new();
        let mut picks: Vec<(usize, usize)> =
            picks.iter().map(|&(at, n)| (at * len / 1000, n)).collect();
        picks.sort_unstable();
        for (start, n) in picks {
            let start = start.max(cut.last().map_or(0, |r| r.end));
            let end = (start + n).min(len);
            if start <= end {
                cut.push(start..end);
            }
        }
        cut
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// The word-at-a-time folding makes what folding one character at a time makes, and maps
        /// each byte of the copy back to the character it came from.
        #[test]
        fn folds_and_maps_as_char_by_char(parts in proptest::collection::vec(piece(), 0..40)) {
            let text = String::from_utf8_lossy(&parts.concat()).into_owned();
            let n = Normalized::new(text.as_bytes());
            let (want, map) = reference_map(&text);
            prop_assert_eq!(n.text(), want.as_bytes());
            for (i, &o) in map.iter().enumerate() {
                prop_assert_eq!(n.to_original(i), o, "{:?} at {}", text, i);
            }
            prop_assert_eq!(n.to_original(want.len()), text.len());
        }

        /// The copy of a text after a cut, made from the copy before it, is the copy made afresh:
        /// the same bytes and the same map back, after one cut and after another.
        #[test]
        fn a_copy_after_a_cut_is_a_fresh_copy(
            parts in proptest::collection::vec(piece(), 0..40),
            first in proptest::collection::vec((0..=1000usize, 0..24usize), 0..6),
            second in proptest::collection::vec((0..=1000usize, 0..24usize), 0..6),
        ) {
            let text = parts.concat();
            let mut kept = Normalized::new(&text).keep(text.len());
            let mut current = text;
            for picks in [first, second] {
                let cut = ranges(current.len(), &picks);
                let after = without(&current, &cut);
                let fresh = Normalized::new(&after);
                let spliced = Normalized::after_cut(&after, &kept, &cut).expect("the cut fits");
                prop_assert_eq!(copy_and_map(&spliced), copy_and_map(&fresh));
                prop_assert_eq!(&spliced.breaks, &fresh.breaks);
                kept = spliced.keep(after.len());
                current = after;
            }
        }
    }

    #[test]
    fn a_cut_that_does_not_fit_the_copy_before_is_refused() {
        let text = b"one\ntwo\n";
        let kept = Normalized::new(text).keep(text.len());
        // The text without its first two bytes (as two ranges that touch).
        let fits = [0..1, 1..2];
        let after = without(text, &fits);
        assert_eq!(after, b"e\ntwo\n");
        // Ranges out of order, overlapping, past the end, or not what made the text.
        for cut in [
            vec![4..6, 0..2],
            vec![0..3, 2..4],
            vec![7..9, 9..9],
            vec![0..1, 1..1],
        ] {
            assert!(
                Normalized::after_cut(&after, &kept, &cut).is_none(),
                "{cut:?}"
            );
        }
        let n = Normalized::after_cut(&after, &kept, &fits).expect("fits");
        assert_eq!(n.text(), b"e\ntwo\n");
    }

    #[test]
    fn zero_byte_mask_is_exact() {
        let w = u64::from_le_bytes(*b"\x00\x01 \x00!\x00\x00a");
        assert_eq!(zero_bytes(w), 0x0080_8000_8000_0080);
    }

    #[test]
    fn phrases_are_lowercased_and_trimmed() {
        assert_eq!(phrase("  Don\u{2019}t MISS   this "), "don't miss this");
    }

    #[test]
    fn the_ascii_phrase_path_folds_as_the_whole_folding() {
        let mut cases: Vec<String> = [
            "",
            " ",
            "  ",
            "\t",
            "Share THIS",
            " a b ",
            "a  b",
            "a\tb",
            "a \tb",
            "\nA\n",
            " \x0bX\x0c",
            "x\r\n y",
            "Don\u{2019}t",
            "\u{a0}Share",
            "\u{c9}T\u{c9}",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Every line of every built-in pattern file, as if it were a phrase.
        for (_, src) in crate::patterns::builtin::files() {
            cases.extend(src.lines().map(String::from));
        }
        cases.extend(
            [
                "\u{200b}",
                " \u{feff}\u{a0}\u{3000}\t\u{ad}",
                "\u{2028}\u{85}",
                "\u{200b}x",
                "\u{2019}",
                "\u{2014}",
            ]
            .map(String::from),
        );
        for p in &cases {
            assert_eq!(phrase(p), folded_phrase(p), "{p:?}");
            assert_eq!(phrase_is_empty(p), phrase(p).is_empty(), "{p:?}");
        }
    }
}
