//! The `sentence` scope: a sentence that starts with the phrase, within its line.
//!
//! Decides where a chrome sentence starts (the line's start, or right after a sentence end) and
//! where it ends. It must never start mid-sentence, never cross a line end, and never take more
//! than [`MAX_SENTENCE_BYTES`].

use std::ops::Range;

use super::doc::{Doc, Line, is_closing, is_hspace, skip_closers};
use crate::detect::Hit;

/// Longest span, in bytes, that a sentence rule may remove.
const MAX_SENTENCE_BYTES: usize = 400;

impl Doc<'_> {
    /// Is `at` the start of a sentence: its line's start, or right after . ! ? (and closing quotes)?
    pub(super) fn sentence_starts_at(&self, line: &Line, at: usize) -> bool {
        let mut p = at;
        while p > line.start && is_hspace(self.text[p - 1]) {
            p -= 1;
        }
        let t = self.trimmed_ws(line);
        if p <= t.start {
            return true;
        }
        // Step back over closing quotes, ASCII or typographic.
        loop {
            if p > line.start && is_closing(self.text[p - 1]) {
                p -= 1;
                continue;
            }
            let (c, len) = bstr::decode_last_utf8(&self.text[line.start..p]);
            match c {
                Some('”' | '’' | '»') => p -= len,
                _ => break,
            }
        }
        p > line.start && matches!(self.text[p - 1], b'.' | b'!' | b'?')
    }

    /// The end of the sentence that runs from `from`, within its line.
    pub(super) fn sentence_end(&self, line: &Line, from: usize) -> Option<usize> {
        if from > line.start && matches!(self.text[from - 1], b'.' | b'!' | b'?') {
            return Some(skip_closers(self.text, from, line.content_end));
        }
        let limit = line.content_end.min(from + MAX_SENTENCE_BYTES);
        let mut i = from;
        while i < limit {
            if matches!(self.text[i], b'.' | b'!' | b'?') {
                let next = self.text.get(i + 1).copied();
                let ends = match next {
                    None => true,
                    Some(b) => !b.is_ascii_lowercase() && !b.is_ascii_digit() && b != b'.',
                };
                if ends
                    && !(self.text[i] == b'.'
                        && next.is_some_and(|b| b.is_ascii_uppercase())
                        && i >= 1
                        && self.text[i - 1].is_ascii_uppercase()
                        && (i < 2 || !self.text[i - 2].is_ascii_alphabetic()))
                {
                    return Some(skip_closers(self.text, i + 1, line.content_end));
                }
            }
            i += 1;
        }
        (line.content_end - from <= MAX_SENTENCE_BYTES).then_some(line.content_end)
    }

    pub(super) fn sentence_removal(&self, hit: &Hit) -> Option<Range<usize>> {
        let line = self.lines[self.line_index(hit.start)];
        if hit.end > line.content_end || !self.sentence_starts_at(&line, hit.start) {
            return None;
        }
        // In hard-wrapped prose a sentence after the end of one the line above began is the rest
        // of that paragraph ("Copyright (c) 2014 the authors of the" / "document. All rights
        // reserved."): half a notice is not a credit glued to an article.
        if hit.start > self.trimmed_ws(&line).start
            && self.in_wrapped_prose(self.line_index(hit.start))
        {
            return None;
        }
        let end = self.sentence_end(&line, hit.end)?;
        Some(self.span_in_line(&line, hit.start, end))
    }
}

#[cfg(test)]
mod tests {
    use crate::filter::testkit::{Case, check_cases, cleaner};

    /// (name, input, expected output, expected removals): the sentence scope.
    const CASES: &[Case] = &[
        (
            "sentence glued to the next one",
            "Your support makes all the difference.Vladimir Putin spoke.\n",
            "Vladimir Putin spoke.\n",
            &[("t.sentence", "Your support makes all the difference.")],
        ),
        (
            "sentence after article text on the same line",
            "The vote passed. Your support makes all the difference.\nNext.\n",
            "The vote passed.\nNext.\n",
            &[("t.sentence", "Your support makes all the difference.")],
        ),
        (
            "sentence mid-sentence stays",
            "She said your support makes all the difference. Then left.\n",
            "She said your support makes all the difference. Then left.\n",
            &[],
        ),
        (
            "sentence runs to its own end",
            "Subscribe now for only $1 a week! The storm hit.\n",
            "The storm hit.\n",
            &[("t.sentence-open", "Subscribe now for only $1 a week!")],
        ),
    ];

    #[test]
    fn sentence_table() {
        check_cases(&cleaner(), CASES);
    }
}
