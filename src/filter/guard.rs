//! The removal guard: how much of the document the removals take.
//!
//! Decides the share of the paragraph text (the prose lines before any comment thread) that the
//! removals take, which the `Cleaner` compares with its limit to refuse a document (returned as it
//! was). It must never weigh a pass on its own: every pass's removals are weighed together against
//! the input's prose lines, so a document cannot be gutted a little at a time.

use std::ops::Range;

use super::seams::merge;

/// Number of characters (UTF-8 lead bytes and invalid bytes) in `bytes`, as
/// [`char_count`](super::doc::char_count) counts them, for whole texts: the continuation bytes
/// (10xxxxxx) of each block of 192 are summed in byte lanes, which the compiler vectorises (a
/// word's `count_ones` is a long bit-twiddling sequence without the `popcnt` instruction). 192 is
/// a multiple of the vector loop's step, so that no byte is left to a scalar loop, and small
/// enough for a byte's sum.
fn count_chars(bytes: &[u8]) -> usize {
    let continuation: usize = bytes
        .chunks(192)
        .map(|c| usize::from(c.iter().fold(0u8, |n, &b| n + u8::from((b as i8) < -0x40))))
        .sum();
    bytes.len() - continuation
}

/// Share of the characters of `text[..end]` that the removals (their byte ranges) take.
pub(super) fn removed_share(
    text: &[u8],
    removals: impl Iterator<Item = Range<usize>>,
    end: usize,
) -> f64 {
    let merged = merge(
        removals
            .map(|r| r.start.min(end)..r.end.min(end))
            .filter(|r| !r.is_empty()),
    );
    merged
        .iter()
        .map(|r| count_chars(&text[r.clone()]))
        .sum::<usize>() as f64
        / count_chars(&text[..end]).max(1) as f64
}

/// The share the removal guard weighs: that of the paragraph text (the lines that read as prose;
/// menus, link lists and labels do not count, so a page that is mostly navigation is not "gutted"
/// by losing it), or of all the characters when no line reads as prose. Only the text before a
/// comment thread (a `repeats` section, known by its chain of entry lines) counts: a thread may
/// outweigh the article many times over.
/// `removals`: each removal's byte range, and whether it is a thread's; `prose_lines`: the
/// document's prose lines with their lengths in characters ([`Doc::prose_spans`](super::doc::Doc)).
pub(super) fn guarded_share(
    text: &[u8],
    removals: impl Iterator<Item = (Range<usize>, bool)> + Clone,
    prose_lines: &[(Range<usize>, usize)],
) -> f64 {
    let end = removals
        .clone()
        .filter(|(_, thread)| *thread)
        .map(|(r, _)| r.start)
        .min()
        .unwrap_or(text.len());
    let merged = merge(removals.clone().map(|(r, _)| r));
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
            removed += count_chars(&text[cut]);
        }
    }
    if prose == 0 {
        return removed_share(text, removals.map(|(r, _)| r), end);
    }
    removed as f64 / prose as f64
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// The guard counts characters as the document model does.
        #[test]
        fn chars_count_as_the_document_does(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
            prop_assert_eq!(super::count_chars(&bytes), crate::filter::doc::char_count(&bytes));
        }
    }
    use crate::filter::Verdict;
    use crate::filter::testkit::{TAIL1, cleaner, cleaner_from};

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
    fn the_guard_counts_every_pass() {
        let c = cleaner_from("t.toml", TAIL1).with_max_removal(0.5);
        // The first pass alone removes 9 of 34 characters; all passes together 18.
        let out = c.clean(b"Body text here.\nComments\nComments\n");
        assert_eq!(out.verdict, Verdict::Refused);
        assert_eq!(out.removals.len(), 2);
        assert!((out.removed_share - 18.0 / 34.0).abs() < 1e-9);
    }
}
