//! The `block` scope: from a start marker through its end marker.
//!
//! Decides how far a block runs: to the first end marker of the same rule within `max_lines`. It
//! must never remove a block with no end marker beyond what the rule allows (its start line at
//! most, with `unterminated = "start-line"`); otherwise it only reports it.

use std::ops::Range;

use super::doc::{Doc, skip_closers};
use crate::detect::Hit;
use crate::patterns::{Role, Rule, Unterminated};

impl Doc<'_> {
    pub(super) fn block_removal(
        &self,
        hit: &Hit,
        rule: &Rule,
        hits: &[Hit],
    ) -> Result<Option<Range<usize>>, String> {
        let first = self.line_index(hit.start);
        let line = self.lines[first];
        let t = self.trimmed(&line);
        if hit.start > t.start {
            return Ok(None);
        }
        let end = hits.iter().find(|h| {
            h.rule == hit.rule
                && h.role == Role::End
                && h.start >= hit.end
                && self.line_index(h.start) < first + rule.max_lines
        });
        match end {
            Some(end) => {
                let last = self.lines[self.line_index(end.start)];
                let stop = skip_closers(self.text, end.end, last.content_end);
                let mut r = self.span_in_line(&last, last.start, stop);
                r.start = line.start;
                Ok(Some(r))
            }
            None => match rule.unterminated {
                Unterminated::Keep => Err(format!(
                    "block start with no end marker within {} lines; nothing removed",
                    rule.max_lines
                )),
                Unterminated::StartLine => Ok(Some(line.start..line.end)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::filter::Verdict;
    use crate::filter::testkit::{Case, check_cases, cleaner};

    /// (name, input, expected output, expected removals): the block scope.
    const CASES: &[Case] = &[
        (
            "block through end marker, glued",
            "Title\nPlease support us\nWe need money.\nThank you.The article starts.\n",
            "Title\nThe article starts.\n",
            &[("t.block", "Please support us\nWe need money.\nThank you.")],
        ),
        (
            "block end beyond max_lines keeps everything",
            "Please support us\n1\n2\n3\n4\nThank you.\n",
            "Please support us\n1\n2\n3\n4\nThank you.\n",
            &[],
        ),
        (
            "unterminated block removes its start line",
            "A.\nAd feature begins\nB.\nC.\nD.\n",
            "A.\nB.\nC.\nD.\n",
            &[("t.block-startline", "Ad feature begins\n")],
        ),
    ];

    #[test]
    fn block_table() {
        check_cases(&cleaner(), CASES);
    }

    #[test]
    fn unterminated_block_is_reported() {
        let out = cleaner().clean(b"Please support us\nNo end here.\nMore.\n");
        assert_eq!(out.verdict, Verdict::Unchanged);
        assert_eq!(out.notices.len(), 1);
        assert_eq!(out.notices[0].rule.id, "t.block");
        assert_eq!(
            out.notices[0].message,
            "block start with no end marker within 4 lines; nothing removed"
        );
    }
}
