//! The `run` scope: runs of short lines (menus, link lists) where the rule looks.
//!
//! Decides which runs of short, few-word lines not ending like a sentence stand at the document's
//! head or tail, or before its first prose line. It must never take a line that ends like a
//! sentence, nor anything in a document with no prose line to tell the menu from the text.

use std::ops::Range;

use super::doc::{Doc, Line, word_count};
use super::shape;
use crate::patterns::{Position, Rule};

/// Most words of a headline inside a menu block (a longer line is text).
const HEADLINE_WORDS: usize = 15;
/// Most characters of a headline inside a menu block.
const HEADLINE_CHARS: usize = 150;
/// Menu items in a row that end a head block's menu: the title, byline and date of the article
/// after it hold fewer.
const MENU_ROW: usize = 3;

/// Headings of lists that belong to the document (a table of contents, references, links the
/// article cites), compared in lower case without a final colon: a menu block never takes them.
const CONTENT_HEADINGS: &[&str] = &[
    "contents",
    "table of contents",
    "see also",
    "external links",
    "references",
    "further reading",
    "bibliography",
    "sources",
    "notes",
    "inhalt",
    "inhaltsverzeichnis",
    "siehe auch",
    "weblinks",
    "einzelnachweise",
    "literatur",
    "sommaire",
    "table des matières",
    "voir aussi",
    "liens externes",
    "notes et références",
    "références",
    "bibliographie",
    "índice",
    "véase también",
    "enlaces externos",
    "referencias",
    "ver também",
    "ligações externas",
    "referências",
    "obsah",
    "externí odkazy",
    "odkazy",
    "目次",
    "関連項目",
    "外部リンク",
    "脚注",
    "参考文献",
    "目录",
    "参见",
    "外部链接",
    "参考资料",
];

/// What a line is to a menu block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BlockLine {
    /// A menu item: a run line (see [`Doc::is_run_line`]).
    Item,
    /// A headline: a few words, no sentence, no list or field shape.
    Headline,
    /// A line of another shape short enough for a teaser; one at a time is tolerated.
    Teaser,
    /// A teaser that reads as prose (see [`shape::reads_as_prose`]): at the head, the article's
    /// standfirst or a menu's description; a head block's menu ends before the first one.
    Sentence,
    /// Anything that ends the block: a paragraph, content of another shape, a field, a number.
    Stop,
    /// The heading of a list that belongs to the document: it ends the block, and at the tail
    /// the lines after it are its list.
    ContentHeading,
}

/// Does the trimmed line carry the marks of a fact rather than a menu label: a field (`Email:`,
/// `Capital: Wellington`, a name of at most two words before its colon; a headline's colon comes
/// later), an address or link, a reference mark, a changelog entry, a number at
/// its start (a result, a poll count, a numbered step or section), or no letter at all (a rule
/// that closes the article, such as `___`)?
fn info_shaped(s: &str) -> bool {
    let field = s
        .split_once([':', '\u{ff1a}'])
        .is_some_and(|(name, value)| value.trim().is_empty() || name.split_whitespace().count() <= 2);
    !s.contains(char::is_alphabetic)
        || field
        || s.contains(['@', '['])
        || s.contains("://")
        || s.contains("www.")
        || s.starts_with("+ ")
        || s.starts_with('(')
        || s
            .split_whitespace()
            .next()
            .is_some_and(|w| w.contains(|c: char| c.is_ascii_digit()))
}

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

    /// What line `i` is to a menu block (`None`: blank, or removed by a line rule). At the tail a
    /// line that ends a sentence ends the block: the article's last lines come before it.
    fn block_line(&self, i: usize, rule: &Rule, tail: bool) -> Option<BlockLine> {
        let line = &self.lines[i];
        // A line another rule removes whole goes anyway; it tells nothing of the block's shape.
        if self.is_blank(line) || self.masked.get().is_some_and(|m| m[i]) {
            return None;
        }
        let s = String::from_utf8_lossy(&self.text[self.trimmed_ws(line)]);
        let whole = String::from_utf8_lossy(&self.text[line.start..line.content_end]);
        let heading = s.trim_end_matches([':', '\u{ff1a}']).to_lowercase();
        if CONTENT_HEADINGS.contains(&heading.as_str()) {
            return Some(BlockLine::ContentHeading);
        }
        if info_shaped(&s) || shape::is_content_shape(&whole) || self.is_long(line) {
            return Some(BlockLine::Stop);
        }
        if self.is_run_line(line, rule) {
            return Some(BlockLine::Item);
        }
        if !s.ends_with(['.', ',', ';'])
            && !shape::reads_as_prose(&s)
            && word_count(&s, HEADLINE_WORDS + 1) <= HEADLINE_WORDS
            && s.chars().count() <= HEADLINE_CHARS
        {
            return Some(BlockLine::Headline);
        }
        if tail && shape::ends_sentence(&s) {
            return Some(BlockLine::Stop);
        }
        Some(if shape::reads_as_prose(&s) {
            BlockLine::Sentence
        } else {
            BlockLine::Teaser
        })
    }

    /// The menu block where `order` starts (the document's first or last line): items and
    /// headlines, with a lone teaser line between them, up to the first line of another kind or
    /// two teasers in a row. The lines in scan order, with their kinds, and whether a content
    /// heading ended it.
    fn menu_block(
        &self,
        order: impl Iterator<Item = usize>,
        rule: &Rule,
        tail: bool,
    ) -> (Vec<(usize, BlockLine)>, bool) {
        let mut block = Vec::new();
        let mut teaser = None;
        for i in order {
            match self.block_line(i, rule, tail) {
                None => {}
                Some(BlockLine::Stop) => break,
                Some(BlockLine::ContentHeading) => return (block, true),
                Some(kind @ (BlockLine::Teaser | BlockLine::Sentence)) => {
                    if teaser.is_some() {
                        break;
                    }
                    teaser = Some((i, kind));
                }
                Some(kind) => {
                    block.extend(teaser.take());
                    block.push((i, kind));
                }
            }
        }
        (block, false)
    }

    /// Is `block` (a prefix of a menu block) a menu: at least `min_lines` items, a third of its
    /// lines or more?
    fn is_menu(block: &[(usize, BlockLine)], rule: &Rule) -> bool {
        let items = block.iter().filter(|(_, k)| *k == BlockLine::Item).count();
        items >= rule.min_lines && items * 3 >= block.len()
    }

    /// A menu block at the head: from its first item to the last run of [`MENU_ROW`] items before
    /// the article's header (the last group of headlines before the first sentence; the title,
    /// byline and date stay). Needs prose after the block.
    fn head_block(&self, rule: &Rule) -> Option<Range<usize>> {
        let (block, _) = self.menu_block(0..self.lines.len(), rule, false);
        if std::env::var("DBG").is_ok() {
            for (i, k) in &block {
                eprintln!("{i} {k:?} {}", String::from_utf8_lossy(&self.text[self.trimmed_ws(&self.lines[*i])]));
            }
        }
        let last_other = block.iter().rposition(|(_, k)| *k != BlockLine::Item)?;
        // The article's header (its title, and a standfirst or byline after it) is the last group
        // of headlines before the block's first sentence (one at the top aside) or its last line
        // of another kind: the menu ends before it. With no headline, nothing tells the title.
        let before = block
            .iter()
            .enumerate()
            .skip(1)
            .find(|(_, (_, k))| *k == BlockLine::Sentence)
            .map_or(last_other, |(j, _)| j.min(last_other));
        let headline = |j: usize| block[j].1 == BlockLine::Headline;
        let mut limit = (0..=before).rev().find(|&j| headline(j))?;
        while limit > 0 && headline(limit - 1) {
            limit -= 1;
        }
        let mut row = 0;
        let mut end = None;
        for (j, (_, k)) in block[..limit].iter().enumerate() {
            row = if *k == BlockLine::Item { row + 1 } else { 0 };
            if row >= MENU_ROW {
                end = Some(j);
            }
        }
        // The lines above the first item (a search prompt, the site's name) stay.
        let start = block.iter().position(|(_, k)| *k == BlockLine::Item)?;
        let block = &block[start..=end?];
        let (first, last) = (block[0].0, block[block.len() - 1].0);
        let p = self.prose_index();
        (Self::is_menu(block, rule) && p.before[self.lines.len()] > p.before[last + 1])
            .then(|| self.lines[first].start..self.lines[last].end)
    }

    /// A menu block at the tail: from its first item to the end, after the article's last
    /// sentence. Needs prose before the block.
    fn tail_block(&self, rule: &Rule) -> Option<Range<usize>> {
        let (mut block, listed) = self.menu_block((0..self.lines.len()).rev(), rule, true);
        if listed {
            return None;
        }
        while block.last().is_some_and(|(_, k)| *k != BlockLine::Item) {
            block.pop();
        }
        let (&(last, _), &(first, _)) = (block.first()?, block.last()?);
        (Self::is_menu(&block, rule) && self.prose_index().before[first] > 0)
            .then(|| self.lines[first].start..self.lines[last].end)
    }

    /// Runs of at least `min_lines` run lines (blank lines between them allowed) where the rule
    /// looks: the one at the document's start or end, or every one before its first prose line;
    /// or the menu block at the head or tail.
    pub(super) fn run_removals(&self, rule: &Rule) -> Vec<Range<usize>> {
        let n = self.lines.len();
        let (order, anchored): (Box<dyn Iterator<Item = usize>>, bool) = match rule.position {
            Some(Position::HeadBlock) => return self.head_block(rule).into_iter().collect(),
            Some(Position::TailBlock) => return self.tail_block(rule).into_iter().collect(),
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
