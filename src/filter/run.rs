//! The `run` scope: runs of short lines (menus, link lists) where the rule looks.
//!
//! Decides which runs of short, few-word lines not ending like a sentence stand at the document's
//! head or tail, or before its first prose line. It must never take a line that ends like a
//! sentence, nor anything in a document with no prose line to tell the menu from the text.

use std::ops::Range;

use super::doc::{Doc, Line, word_count};
use super::shape;
use crate::patterns::{Position, Rule};

impl Doc<'_> {
    /// Is the line one of a run: short, few words, not ending like a sentence?
    pub(super) fn is_run_line(&self, line: &Line, rule: &Rule) -> bool {
        let t = self.trimmed_ws(line);
        if t.is_empty() {
            return false;
        }
        let s = String::from_utf8_lossy(&self.text[t]);
        let max_chars = rule.max_chars.unwrap_or(Rule::DEFAULT_RUN_CHARS);
        // Code, a table row or a quantity is article content: it ends a run.
        let whole = String::from_utf8_lossy(&self.text[line.start..line.content_end]);
        !s.ends_with(['.', ',', ';'])
            && !shape::is_content_shape(&whole)
            && word_count(&s, rule.max_words + 1) <= rule.max_words
            && s.chars().count() <= max_chars
    }

    /// Runs of at least `min_lines` run lines (blank lines between them allowed) where the rule
    /// looks: the one at the document's start or end, or every one before its first prose line.
    pub(super) fn run_removals(&self, rule: &Rule) -> Vec<Range<usize>> {
        let n = self.lines.len();
        let (order, anchored): (Box<dyn Iterator<Item = usize>>, bool) = match rule.position {
            Some(Position::Head) => (Box::new(0..n), true),
            Some(Position::Tail) => (Box::new((0..n).rev()), true),
            Some(Position::Preamble) => {
                // Usually near the top: scan only that far (the full index is built only for
                // documents with section candidates).
                let first_prose = match self.prose.get() {
                    Some(p) => p.is_prose.iter().position(|&p| p),
                    None => self.lines.iter().position(|l| self.is_prose_line(l)),
                };
                // No prose at all: nothing tells the menu from the text.
                (Box::new(0..first_prose.unwrap_or(0)), false)
            }
            None => return Vec::new(),
        };
        let mut out = Vec::new();
        // The run being collected: how many run lines, and the first and last of them.
        let mut run: Option<(usize, usize, usize)> = None;
        let mut close = |run: &mut Option<(usize, usize, usize)>| {
            if let Some((count, a, b)) = run.take()
                && count >= rule.min_lines
            {
                let (a, b) = (a.min(b), a.max(b));
                out.push(self.lines[a].start..self.lines[b].end);
            }
        };
        for i in order {
            let line = &self.lines[i];
            if self.is_blank(line) {
                continue;
            }
            if self.is_run_line(line, rule) {
                let r = run.get_or_insert((0, i, i));
                r.0 += 1;
                r.2 = i;
            } else {
                close(&mut run);
                if anchored {
                    break;
                }
            }
        }
        close(&mut run);
        // The title block under a menu above the article is the article's.
        if matches!(rule.position, Some(Position::Head | Position::Preamble)) {
            return out
                .into_iter()
                .filter_map(|r| self.head_run_without_title(r, rule.min_lines))
                .collect();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::filter::Verdict;
    use crate::filter::testkit::cleaner_from;

    #[test]
    fn preamble_runs_go_only_before_the_first_prose_line() {
        let rules = r#"
[[rule]]
id = "r.pre"
family = "navigation"
scope = "run"
position = "preamble"
min_lines = 3
max_words = 2
"#;
        let c = cleaner_from("r.toml", rules);
        let prose = "The council voted on Tuesday to keep the old bridge open.";
        // Two menus above the headline, one of them not at the top; a short list after the
        // first prose line stays, as does a run of two.
        let input = format!(
            "Snopes needs your help today, please donate\nHome\nNews\n\nSport\nA headline of several words\nLog in\nRegister\n\u{65b0}\u{805e}\nBy A. Writer\n{prose}\nOne\nTwo\nThree\n"
        );
        let out = c.clean(input.as_bytes());
        assert_eq!(
            String::from_utf8_lossy(&out.text),
            format!(
                "Snopes needs your help today, please donate\nA headline of several words\nBy A. Writer\n{prose}\nOne\nTwo\nThree\n"
            )
        );
        let got: Vec<&str> = out
            .removals
            .iter()
            .map(|r| &input[r.range.clone()])
            .collect();
        assert_eq!(
            got,
            [
                "Home\nNews\n\nSport\n",
                "Log in\nRegister\n\u{65b0}\u{805e}\n"
            ]
        );
        // Without a prose line nothing marks where the article starts: nothing goes.
        let short = "Home\nNews\nSport\nWeather\n";
        assert_eq!(c.clean(short.as_bytes()).verdict, Verdict::Unchanged);
        // A Japanese sentence is prose (each character a word), so the menu before it goes.
        let ja = "\u{65b0}\u{805e}\n\u{5929}\u{6c17}\nA\n\u{5546}\u{54c1}\u{306e}\u{6539}\u{9020}\u{304c}\u{5546}\u{6a19}\u{6cd5}\u{9055}\u{53cd}\u{3002}\n";
        let out = c.clean(ja.as_bytes());
        assert_eq!(
            String::from_utf8_lossy(&out.text),
            "\u{5546}\u{54c1}\u{306e}\u{6539}\u{9020}\u{304c}\u{5546}\u{6a19}\u{6cd5}\u{9055}\u{53cd}\u{3002}\n"
        );
    }

    #[test]
    fn runs_at_head_and_tail() {
        let rules = r#"
[[rule]]
id = "r.head"
family = "navigation"
scope = "run"
position = "head"
min_lines = 3
max_words = 2

[[rule]]
id = "r.tail"
family = "navigation"
scope = "run"
position = "tail"
min_lines = 3
max_words = 2
"#;
        let c = cleaner_from("r.toml", rules);
        let input = "Home\nWorld news\n\nSport\nA headline of several words\nBody text.\n\nAbout us\nContact\nJobs\n";
        let out = c.clean(input.as_bytes());
        assert_eq!(
            String::from_utf8_lossy(&out.text),
            "A headline of several words\nBody text.\n"
        );
        let got: Vec<(&str, &str)> = out
            .removals
            .iter()
            .map(|r| (r.rule.id.as_str(), &input[r.range.clone()]))
            .collect();
        assert_eq!(
            got,
            [
                ("r.head", "Home\nWorld news\n\nSport\n"),
                ("r.tail", "About us\nContact\nJobs\n")
            ]
        );
        // Two short lines are a subheading and a label, not a menu; a line ending like a sentence
        // breaks a run.
        let keep = "Intro.\nSubheading here\nBody.\nAbout us\nContact.\nJobs\n";
        assert_eq!(c.clean(keep.as_bytes()).verdict, Verdict::Unchanged);
    }
}
