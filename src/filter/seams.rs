//! Seam repair and the offsets of later passes.
//!
//! Decides which bytes actually go once removals merge: no blank-line run, leading or trailing
//! blank line or dangling space a removal created, and the input's final newline (or its absence)
//! kept. It also maps the offsets of a later pass back to the input. It must never delete a byte
//! that is not a removal's or whitespace beside one.

use std::ops::Range;

use super::doc::{Doc, is_hspace};

/// `text` without the (sorted, disjoint) `ranges`.
pub(super) fn delete(text: &[u8], ranges: &[Range<usize>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut at = 0;
    for r in ranges {
        out.extend_from_slice(&text[at..r.start]);
        at = r.end;
    }
    out.extend_from_slice(&text[at..]);
    out
}

/// Maps offsets of a text with some ranges deleted back to offsets of the original.
pub(super) struct OffsetMap {
    /// The kept ranges of the original, in order; the shorter text is their concatenation.
    pub(super) kept: Vec<Range<usize>>,
    /// Where each kept range starts in the shorter text.
    pub(super) starts: Vec<usize>,
}

impl OffsetMap {
    /// `deleted`: sorted, disjoint ranges of an original of `len` bytes.
    pub(super) fn new(deleted: &[Range<usize>], len: usize) -> Self {
        let mut kept = Vec::with_capacity(deleted.len() + 1);
        let mut at = 0;
        for r in deleted {
            if r.start > at {
                kept.push(at..r.start);
            }
            at = r.end;
        }
        if at < len {
            kept.push(at..len);
        }
        let mut starts = Vec::with_capacity(kept.len());
        let mut n = 0;
        for k in &kept {
            starts.push(n);
            n += k.len();
        }
        OffsetMap { kept, starts }
    }

    /// The original offset of the byte at `pos` of the shorter text.
    pub(super) fn byte(&self, pos: usize) -> usize {
        let i = self.starts.partition_point(|&s| s <= pos) - 1;
        self.kept[i].start + (pos - self.starts[i])
    }

    /// The original range from the first to the last byte of `r` (bytes deleted earlier between
    /// them included). An empty range maps to an empty range.
    pub(super) fn range(&self, r: &Range<usize>) -> Range<usize> {
        if r.is_empty() {
            let len = self
                .starts
                .last()
                .map_or(0, |s| s + self.kept[self.kept.len() - 1].len());
            let at = if r.start < len {
                self.byte(r.start)
            } else {
                self.kept.last().map_or(0, |k| k.end)
            };
            return at..at;
        }
        self.byte(r.start)..self.byte(r.end - 1) + 1
    }
}

/// Sorted, disjoint union of ranges; touching ranges merge.
pub(super) fn merge(ranges: impl Iterator<Item = Range<usize>>) -> Vec<Range<usize>> {
    let mut v: Vec<Range<usize>> = ranges.filter(|r| !r.is_empty()).collect();
    v.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(v.len());
    for r in v {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

impl Doc<'_> {
    /// Does the range run from a line start to a line start (or the end)?
    pub(super) fn is_aligned(&self, a: usize, b: usize) -> bool {
        self.is_line_start(a) && (b == self.text.len() || self.is_line_start(b))
    }

    /// The whole lines of a range that leaves only whitespace of its first and last line.
    pub(super) fn widen(&self, r: Range<usize>) -> Range<usize> {
        if r.is_empty() || self.is_aligned(r.start, r.end) {
            return r;
        }
        let first = self.lines[self.line_index(r.start)];
        let last = self.lines[self.line_index(r.end - 1)];
        let blank = |s: &[u8]| bstr::ByteSlice::trim(s).is_empty();
        if blank(&self.text[first.start..r.start])
            && (r.end >= last.content_end || blank(&self.text[r.end..last.content_end]))
        {
            first.start..last.end
        } else {
            r
        }
    }

    pub(super) fn is_line_start(&self, at: usize) -> bool {
        at == self.body_start || (at > 0 && self.text[at - 1] == b'\n')
    }

    /// Repairs what merged removals would leave behind: a blank-line run they created, a final
    /// newline the input did not have, and the double or dangling space of a cut inside a line.
    pub(super) fn repair_seams(&self, merged: Vec<Range<usize>>) -> Vec<Range<usize>> {
        let len = self.text.len();
        // First the cuts inside lines: the spaces beside them go, and a line that several cuts
        // leave with nothing but whitespace goes whole, like a line-aligned removal.
        let mut cuts = Vec::with_capacity(merged.len());
        for r in merged {
            let (mut a, mut b) = (r.start, r.end);
            if !self.is_aligned(a, b) {
                let line = self.lines[self.line_index(a)];
                let content_end = line.content_end.max(a);
                while b < content_end && is_hspace(self.text[b]) {
                    b += 1;
                }
                if b >= content_end {
                    // Chrome at the end of a line: the spaces before it go instead.
                    while a > line.start && is_hspace(self.text[a - 1]) {
                        a -= 1;
                    }
                }
            }
            cuts.push(a..b);
        }
        let cuts = merge(merge(cuts.into_iter()).into_iter().map(|r| self.widen(r)));
        let mut out = Vec::with_capacity(cuts.len());
        for r in cuts {
            let (mut a, mut b) = (r.start, r.end);
            if !self.is_aligned(a, b) {
                out.push(a..b);
                continue;
            }
            let prev = (a > self.body_start).then(|| self.lines[self.line_index(a - 1)]);
            let next = (b < len).then(|| self.lines[self.line_index(b)]);
            let prev_blank = prev.is_none_or(|l| self.is_blank(&l));
            let next_blank = next.is_none_or(|l| self.is_blank(&l));
            if prev_blank && next_blank {
                match (prev, next) {
                    (Some(_), Some(n)) => b = n.end,
                    (None, Some(_)) => {
                        // At the top: drop the blank lines that would now lead the document.
                        let mut i = self.line_index(b);
                        while i < self.lines.len() && self.is_blank(&self.lines[i]) {
                            b = self.lines[i].end;
                            i += 1;
                        }
                    }
                    (Some(p), None) => {
                        // At the bottom: drop the blank lines that would now end the document.
                        let mut i = self.line_index(p.start);
                        a = p.start;
                        while i > 0 && self.is_blank(&self.lines[i - 1]) {
                            i -= 1;
                            a = self.lines[i].start;
                        }
                    }
                    (None, None) => {}
                }
            }
            out.push(a..b);
        }
        let mut out = merge(out.into_iter());
        // Once merged, a deletion may reach the top or the bottom through an earlier or later
        // one: the blank lines it leaves leading or ending the document go too.
        while let Some(first) = out.first_mut() {
            if first.start != self.body_start || first.end == len {
                break;
            }
            let mut b = first.end;
            while b < len && self.is_line_start(b) {
                let l = self.lines[self.line_index(b)];
                if !self.is_blank(&l) {
                    break;
                }
                b = l.end;
            }
            if b == first.end {
                break;
            }
            first.end = b;
            out = merge(out.into_iter());
        }
        while let Some(last) = out.last_mut() {
            if last.end != len {
                break;
            }
            let mut a = last.start;
            while a > self.body_start && self.text[a - 1] == b'\n' {
                let l = self.lines[self.line_index(a - 1)];
                if !self.is_blank(&l) {
                    break;
                }
                a = l.start;
            }
            if a == last.start {
                break;
            }
            last.start = a;
            out = merge(out.into_iter());
        }
        // The input had no final newline: the output keeps none. The terminator to drop is the
        // one before the last deletion once all are merged (an earlier range may have taken the
        // line before this one).
        if let Some(last) = out.last_mut()
            && last.end == len
            && last.start > self.body_start
            && self.text[last.start - 1] == b'\n'
            && !self.text.ends_with(b"\n")
        {
            last.start -= 1;
            if last.start > self.body_start && self.text[last.start - 1] == b'\r' {
                last.start -= 1;
            }
        }
        merge(out.into_iter())
    }
}

#[cfg(test)]
mod tests {
    use crate::PatternSetBuilder;
    use crate::filter::Cleaner;
    use crate::filter::testkit::{Case, check_cases, cleaner};

    /// (name, input, expected output, expected removals): what removals leave behind.
    const CASES: &[Case] = &[
        (
            "no blank-line run left behind",
            "Para one.\n\nShare this article\n\nPara two.\n",
            "Para one.\n\nPara two.\n",
            &[("t.line", "Share this article\n")],
        ),
        (
            "existing blank lines stay",
            "Para one.\n\n\nPara two.\nShare this article\nPara three.\n",
            "Para one.\n\n\nPara two.\nPara three.\n",
            &[("t.line", "Share this article\n")],
        ),
        (
            "leading chrome leaves no leading blank line",
            "Share this article\n\nPara one.\n",
            "Para one.\n",
            &[("t.line", "Share this article\n")],
        ),
        (
            "crlf endings kept",
            "A.\r\nShare this article\r\nB.\r\n",
            "A.\r\nB.\r\n",
            &[("t.line", "Share this article\r\n")],
        ),
        (
            "crlf last line without newline",
            "A.\r\nB.\r\nShare this article",
            "A.\r\nB.",
            &[("t.line", "Share this article")],
        ),
        (
            "bom kept when first line goes",
            "\u{feff}Share this article\nA.\n",
            "\u{feff}A.\n",
            &[("t.line", "Share this article\n")],
        ),
    ];

    #[test]
    fn seams_table() {
        check_cases(&cleaner(), CASES);
    }

    #[test]
    fn seams_after_several_removals() {
        let c = Cleaner::new(
            PatternSetBuilder::new()
                .add_str(
                    "t.toml",
                    r#"
[[rule]]
id = "t.line"
family = "share"
scope = "line"
phrases = ["share this article"]

[[rule]]
id = "t.sentence"
family = "share"
scope = "sentence"
phrases = ["share now"]
"#,
                )
                .build()
                .unwrap(),
        )
        .with_max_removal(1.0);
        let cases: &[(&str, &str)] = &[
            // No final newline: the terminator dropped is the last kept line's, also when an
            // earlier removal took the line before the last one.
            ("Body.\nShare this article\n\nShare this article", "Body."),
            ("Body.\n\nShare this article\n\nShare this article", "Body."),
            // Cuts that together empty a line take the whole line.
            ("Body.\nShare now. Share now. \nEnd.\n", "Body.\nEnd.\n"),
            ("Body.\nShare now. Share now. \nShare this article", "Body."),
            // Blank lines left leading the document go, through several removals.
            (
                "Share this article\n\nShare this article\n\n\nBody.\n",
                "Body.\n",
            ),
        ];
        for (input, expected) in cases {
            let out = c.clean(input.as_bytes());
            assert_eq!(String::from_utf8_lossy(&out.text), *expected, "{input:?}");
        }
    }
}
