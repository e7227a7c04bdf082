//! Reporting: byte offsets as `line:col`, one-line descriptions of removals, findings (nested
//! removals grouped under the outermost), and the wording of every verdict a person reads.
//!
//! The messages for a refused document, a note, a removal and a skipped binary input are built
//! here and only here, so that `clean`, `check`, `clean --jsonl` and the Python binding's
//! `inspect()` say the same thing in the same words.

use std::sync::Arc;

use crate::Rule;
use crate::filter::{MAX_PASSES, Notice, Removal, Verdict};

/// Maps byte offsets of one text to 1-based lines and character columns.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the line starts of `text`.
    pub fn new(text: &'a [u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text).map(|i| i + 1));
        LineIndex { text, starts }
    }

    /// The 1-based line and character column of a byte offset. A UTF-8 BOM does not count as a column.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset);
        let mut start = self.starts[line - 1];
        if start == 0 && self.text.starts_with(b"\xEF\xBB\xBF") && offset >= 3 {
            start = 3;
        }
        let col = self.text[start..offset]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count();
        (line, col + 1)
    }
}

/// Longest excerpt of removed text shown in a report, in characters.
pub const EXCERPT_CHARS: usize = 80;

/// The removed text as shown in reports: trimmed, quoted and escaped, shortened past
/// [`EXCERPT_CHARS`] characters with `...`.
pub fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    let mut short: String = text.chars().take(EXCERPT_CHARS).collect();
    if short.len() < text.len() {
        short.push_str("...");
    }
    format!("{short:?}")
}

/// One removed span as reported: the outermost removal, and the rules whose removals lie wholly
/// inside it (a block, section or run removal holds the line removals it swallowed). Reports,
/// `--statistics` and the summaries count findings, so a span is counted once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding<'a> {
    /// The outermost removal of the span.
    pub removal: &'a Removal,
    /// The rules of the removals nested inside it, in document order (a rule may repeat).
    pub inner: Vec<&'a Arc<Rule>>,
}

/// Groups removals into findings: each removal wholly inside an earlier-starting (or equal but
/// longer) one is listed under it instead of standing alone. Findings come in document order.
/// Of two removals of the same span, the first in `removals` is the outer one.
pub fn findings(removals: &[Removal]) -> Vec<Finding<'_>> {
    let mut order: Vec<&Removal> = removals.iter().collect();
    // Stable: equal spans keep their order.
    order.sort_by(|a, b| {
        a.range
            .start
            .cmp(&b.range.start)
            .then(b.range.end.cmp(&a.range.end))
    });
    let mut out: Vec<Finding<'_>> = Vec::new();
    for r in order {
        match out.last_mut() {
            Some(f)
                if r.range.start >= f.removal.range.start && r.range.end <= f.removal.range.end =>
            {
                f.inner.push(&r.rule);
            }
            _ => out.push(Finding {
                removal: r,
                inner: Vec::new(),
            }),
        }
    }
    out
}

/// Why a document was refused, for people: `None` unless `verdict` is [`Verdict::Refused`].
///
/// `guarded_share` is the outcome's (see [`Outcome::guarded_share`](crate::Outcome)) and
/// `max_removal` the cleaner's limit: a refused document within the limit is one that never
/// settled (each pass exposed more chrome, [`MAX_PASSES`] times), not one the rules would gut, and
/// is never reported as a share.
pub fn refusal(verdict: Verdict, guarded_share: f64, max_removal: f64) -> Option<String> {
    if verdict != Verdict::Refused {
        return None;
    }
    Some(if guarded_share <= max_removal {
        format!("refused: cleaning did not settle after {MAX_PASSES} passes; left unchanged")
    } else {
        format!(
            "refused: the rules would remove {:.0}% of the paragraph text (limit {:.0}%); left unchanged",
            guarded_share * 100.0,
            max_removal * 100.0
        )
    })
}

/// Why a document whose cleaned bytes would not be valid UTF-8 is refused, for callers that must
/// return text (removals on character boundaries cannot cause it; the binding guards against it).
pub const REFUSED_NOT_UTF8: &str =
    "refused: the cleaned text would not be valid UTF-8; left unchanged";

/// One removal as a report line (no terminator): `AT: rule-id: "removed text"`, where `at` names
/// the document and, where known, the line and column, and `removed` is the removed bytes.
/// A line model's removal also gives its score and the tests that decided it.
pub fn removal_line(at: &str, removal: &Removal, removed: &[u8]) -> String {
    match (
        &removal.rule.description,
        removal.rule.id.starts_with("model."),
    ) {
        (Some(why), true) => format!("{at}: {}: {} ({why})", removal.rule.id, excerpt(removed)),
        _ => format!("{at}: {}: {}", removal.rule.id, excerpt(removed)),
    }
}

/// A notice as a report line (no terminator): `AT: rule-id: note: message`.
pub fn note_line(at: &str, notice: &Notice) -> String {
    format!("{at}: {}: note: {}", notice.rule.id, notice.message)
}

/// What becomes of an input that holds binary data (a NUL byte near its start), named `name`.
pub fn binary_skipped(name: &str) -> String {
    format!("{name}: binary file skipped")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_removals_are_one_finding() {
        let rule = |id: &str| {
            crate::PatternSetBuilder::new()
                .add_str(
                    "t.toml",
                    format!(
                        "[[rule]]\nid = \"{id}\"\nfamily = \"ad\"\nscope = \"line\"\nphrases = [\"x\"]\n"
                    ),
                )
                .build()
                .unwrap()
                .rules()[0]
                .clone()
        };
        let rm = |id: &str, range: std::ops::Range<usize>| Removal {
            rule: rule(id),
            range,
        };
        let removals = vec![
            rm("line.a", 10..20),
            rm("block", 5..40),
            rm("line.b", 30..40),
            rm("line.c", 50..60),
            rm("overlap", 55..70),
        ];
        let got: Vec<(&str, std::ops::Range<usize>, Vec<&str>)> = findings(&removals)
            .iter()
            .map(|f| {
                (
                    f.removal.rule.id.as_str(),
                    f.removal.range.clone(),
                    f.inner.iter().map(|r| r.id.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("block", 5..40, vec!["line.a", "line.b"]),
                ("line.c", 50..60, vec![]),
                ("overlap", 55..70, vec![]),
            ]
        );
    }

    #[test]
    fn line_and_column() {
        let idx = LineIndex::new("ab\nc\u{e9}d\n".as_bytes());
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(3), (2, 1));
        assert_eq!(idx.line_col(6), (2, 3));
        let bom = LineIndex::new(b"\xEF\xBB\xBFab");
        assert_eq!(bom.line_col(3), (1, 1));
    }

    #[test]
    fn excerpts() {
        assert_eq!(excerpt(b"  Comments\n"), "\"Comments\"");
        assert_eq!(excerpt(b"a\nb"), "\"a\\nb\"");
        let long = "x".repeat(100);
        assert_eq!(
            excerpt(long.as_bytes()),
            format!("\"{}...\"", "x".repeat(80))
        );
    }

    #[test]
    fn refusals_name_their_reason() {
        assert_eq!(refusal(Verdict::Cleaned, 0.95, 0.8), None);
        assert_eq!(refusal(Verdict::Unchanged, 0.0, 0.8), None);
        assert_eq!(
            refusal(Verdict::Refused, 0.954, 0.8).as_deref(),
            Some(
                "refused: the rules would remove 95% of the paragraph text (limit 80%); left unchanged"
            )
        );
        // Within the limit, a refusal is one that never settled: never a share.
        assert_eq!(
            refusal(Verdict::Refused, 0.3, 0.8).as_deref(),
            Some("refused: cleaning did not settle after 8 passes; left unchanged")
        );
        assert_eq!(binary_skipped("a/b.txt"), "a/b.txt: binary file skipped");
    }
}
