//! The `tail` scope: a marker line and everything after it, near the end of the document.
//!
//! Decides whether a marker line stands within the rule's `max_lines` of the last non-blank line.
//! It must never reach further back than that: a marker higher up is article text.

use std::ops::Range;

use super::doc::Doc;
use crate::detect::Hit;
use crate::patterns::Rule;

impl Doc<'_> {
    pub(super) fn tail_removal(&self, hit: &Hit, rule: &Rule) -> Option<Range<usize>> {
        let idx = self.line_index(hit.start);
        let line = self.lines[idx];
        if !self.line_qualifies(hit, &line, rule) {
            return None;
        }
        let last_content = self
            .lines
            .iter()
            .rposition(|l| !self.is_blank(l))
            .unwrap_or(0);
        (last_content + 1 - idx <= rule.max_lines).then_some(line.start..self.text.len())
    }
}

#[cfg(test)]
mod tests {
    use crate::filter::testkit::{Case, check_cases, cleaner};

    /// (name, input, expected output, expected removals): the tail scope.
    const CASES: &[Case] = &[
        (
            "tail near the end",
            "Body one.\nBody two.\nComments\nNice piece\n",
            "Body one.\nBody two.\n",
            &[("t.tail", "Comments\nNice piece\n")],
        ),
        (
            "tail marker too early stays",
            "Comments\nBody one.\nBody two.\nBody three.\n",
            "Comments\nBody one.\nBody two.\nBody three.\n",
            &[],
        ),
        (
            "tail without final newline keeps none",
            "Body one.\nBody two.\nComments",
            "Body one.\nBody two.",
            &[("t.tail", "Comments")],
        ),
    ];

    #[test]
    fn tail_table() {
        check_cases(&cleaner(), CASES);
    }
}
