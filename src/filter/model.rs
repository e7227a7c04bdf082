//! The line model's pass: the feature vectors of the short lines the rules kept.
//!
//! Decides which lines are candidates for the model (non-blank, untouched by every rule, at most
//! [`MAX_WORDS`] words, not prose, not ending like a sentence, not content of another shape,
//! within [`WINDOW`] non-blank lines of a line a rule removed) and
//! what each one's features are (see [`crate::model::FEATURES`]). Cleaning and training both read
//! the features from here, so the model is always asked about what it was trained on. It must
//! never offer a line a rule touched, nor decide a removal itself.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use super::Removal;
use super::doc::{Doc, char_count, word_count_bytes};
use super::shape;
use crate::model::{Features, N_FEATURES, guess_language, is_stopword};
use crate::patterns::{Rule, Scope, Unterminated};

/// The most words (and evaluation tokens) a candidate line may have: the model judges labels,
/// not sentences; a line of five or more could be a sentence of the article.
pub(crate) const MAX_WORDS: usize = 4;
/// Neighbours on each side that the window features count.
const WINDOW: usize = 3;
/// Distance (in non-blank lines) to prose given when there is none on that side.
const FAR: usize = 30;
/// Words counted per line at most.
const WORDS_CAP: usize = 64;
/// How much of a document the language guess reads.
const LANG_BYTES: usize = 4 * 1024;

/// What the rules did to a line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    Kept,
    /// Partly removed (a sentence of it).
    Touched,
    /// Removed whole, by a rule of this family group.
    Removed(Group),
}

/// Families grouped as the features see them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Group {
    /// Related links, navigation: lists of other pages.
    Navigation,
    /// Share bars, comment prompts, newsletter and support appeals.
    Social,
    Other,
}

fn group(family: &str) -> Group {
    match family {
        "related" | "navigation" => Group::Navigation,
        "share" | "comments" | "newsletter" | "support-appeal" => Group::Social,
        _ => Group::Other,
    }
}

const MONTHS: &[&str] = &[
    "jan",
    "january",
    "feb",
    "february",
    "mar",
    "march",
    "apr",
    "april",
    "may",
    "jun",
    "june",
    "jul",
    "july",
    "aug",
    "august",
    "sep",
    "sept",
    "september",
    "oct",
    "october",
    "nov",
    "november",
    "dec",
    "december",
];

impl Doc<'_> {
    /// The model's candidates among the lines the rules kept: each line's bytes (terminator
    /// included) and features. `removals`: the rules' removals in this pass, sorted.
    pub(super) fn model_candidates(&self, removals: &[Removal]) -> Vec<(Range<usize>, Features)> {
        let n = self.lines.len();
        let mut fate = vec![Fate::Kept; n];
        for r in removals {
            let mut i = self.line_index(r.range.start);
            while i < n && self.lines[i].start < r.range.end {
                let t = self.trimmed_ws(&self.lines[i]);
                if !t.is_empty() {
                    fate[i] = if r.range.start <= t.start && r.range.end >= t.end {
                        Fate::Removed(group(&r.rule.family))
                    } else if fate[i] == Fate::Kept {
                        Fate::Touched
                    } else {
                        fate[i]
                    };
                }
                i += 1;
            }
        }
        // Candidates stand next to a rule's removal: a line far from any is the rules' to judge,
        // and a document the rules leave alone (a gold body, the output of a clean) is left
        // alone, which keeps cleaning idempotent. A document without one costs nothing more.
        if !fate.iter().any(|f| matches!(f, Fate::Removed(_))) {
            return Vec::new();
        }
        let nb: Vec<usize> = (0..n).filter(|&i| !self.is_blank(&self.lines[i])).collect();
        let m = nb.len();
        // `near[k]`: the non-blank lines within WINDOW of a removed line (the candidates'
        // places); `reach[k]`: within twice that (the lines their window features read).
        let (mut near, mut reach) = (vec![false; m], vec![false; m]);
        for k in (0..m).filter(|&k| matches!(fate[nb[k]], Fate::Removed(_))) {
            near[k.saturating_sub(WINDOW)..=(k + WINDOW).min(m - 1)].fill(true);
            reach[k.saturating_sub(2 * WINDOW + 1)..=(k + 2 * WINDOW + 1).min(m - 1)].fill(true);
        }
        let raw = self.raw_prose();
        // Words up to one more than a candidate may have (a paragraph is not counted through);
        // the candidates' neighbours are counted further below.
        let count = |k: usize, cap: usize| {
            word_count_bytes(&self.text[self.trimmed_ws(&self.lines[nb[k]])], cap)
        };
        let words: Vec<usize> = (0..m)
            .map(|k| {
                if reach[k] {
                    count(k, MAX_WORDS + 1)
                } else {
                    MAX_WORDS + 1
                }
            })
            .collect();
        let text_of =
            |i: usize| String::from_utf8_lossy(&self.text[self.trimmed_ws(&self.lines[i])]);
        let short: Vec<bool> = (0..m)
            .map(|k| {
                let i = nb[k];
                words[k] <= MAX_WORDS && raw[i].is_none() && {
                    let t = text_of(i);
                    !shape::ends_sentence(&t) && tokens(&t) <= MAX_WORDS
                }
            })
            .collect();
        let candidates: Vec<usize> = (0..m)
            .filter(|&k| {
                let i = nb[k];
                near[k] && short[k] && fate[i] == Fate::Kept && {
                    let l = &self.lines[i];
                    !shape::is_content_shape(&String::from_utf8_lossy(
                        &self.text[l.start..l.content_end],
                    ))
                }
            })
            .collect();
        if candidates.is_empty() {
            return Vec::new();
        }
        // Distance to the nearest prose line before and after, in non-blank lines.
        let mut before = vec![FAR; m];
        let mut last: Option<usize> = None;
        for k in 0..m {
            if let Some(p) = last {
                before[k] = (k - p).min(FAR);
            }
            if raw[nb[k]].is_some() {
                last = Some(k);
            }
        }
        let mut after = vec![FAR; m];
        let mut next: Option<usize> = None;
        for k in (0..m).rev() {
            if let Some(p) = next {
                after[k] = (p - k).min(FAR);
            }
            if raw[nb[k]].is_some() {
                next = Some(k);
            }
        }
        let prose_lines = nb.iter().filter(|&&i| raw[i].is_some()).count();
        let prose_share = prose_lines as f32 / m as f32;
        // The document's language, from the stopwords of its first part.
        let head = &self.text[..self.text.len().min(LANG_BYTES)];
        let head = String::from_utf8_lossy(head).to_lowercase();
        let lang = guess_language(
            head.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty()),
        );
        // How often each candidate's text occurs in the document (as a short line or any other).
        let mut seen: HashMap<&[u8], u32> = candidates
            .iter()
            .map(|&k| (&self.text[self.trimmed_ws(&self.lines[nb[k]])], 0))
            .collect();
        let longest = seen.keys().map(|t| t.len()).max().unwrap_or(0);
        for &i in &nb {
            let t = self.trimmed_ws(&self.lines[i]);
            if t.len() <= longest
                && let Some(c) = seen.get_mut(&self.text[t])
            {
                *c += 1;
            }
        }
        let mut out = Vec::with_capacity(candidates.len());
        for k in candidates {
            let i = nb[k];
            let line = &self.lines[i];
            let t = self.trimmed_ws(line);
            let s = String::from_utf8_lossy(&self.text[t.clone()]);
            let mut x: Features = [0.0; N_FEATURES];
            let ws: Vec<&str> = s.split_whitespace().collect();
            let chars = char_count(&self.text[t.clone()]);
            let lettered: Vec<&str> = ws
                .iter()
                .copied()
                .filter(|w| w.starts_with(char::is_alphabetic))
                .collect();
            let caps = lettered
                .iter()
                .filter(|w| w.starts_with(char::is_uppercase))
                .count();
            let digits = s.chars().filter(char::is_ascii_digit).count();
            let lower = s.to_lowercase();
            let tokens: Vec<&str> = lower
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            let date = tokens.iter().any(|w| {
                (w.len() == 4
                    && (w.starts_with("19") || w.starts_with("20"))
                    && w.bytes().all(|b| b.is_ascii_digit()))
                    || MONTHS.contains(w)
            });
            let stop = match lang {
                Some(l) if !tokens.is_empty() => {
                    tokens.iter().filter(|w| is_stopword(l, w)).count() as f32 / tokens.len() as f32
                }
                _ => 0.0,
            };
            let separators = s
                .chars()
                .filter(|c| {
                    matches!(
                        c,
                        '|' | '\u{bb}' | '\u{203a}' | '>' | '/' | '\u{b7}' | '\u{2022}'
                    )
                })
                .count();
            let lo = k.saturating_sub(WINDOW);
            let hi = (k + WINDOW).min(m - 1);
            let (mut short_near, mut removed_near, mut nav, mut social) = (0, 0, 0, 0);
            for j in (lo..=hi).filter(|&j| j != k) {
                short_near += usize::from(short[j]);
                if let Fate::Removed(g) = fate[nb[j]] {
                    removed_near += 1;
                    nav += usize::from(g == Group::Navigation);
                    social += usize::from(g == Group::Social);
                }
            }
            let removed =
                |j: Option<usize>| j.is_some_and(|j| matches!(fate[nb[j]], Fate::Removed(_)));
            let adjacent = usize::from(removed(k.checked_sub(1)))
                + usize::from(removed(Some(k + 1).filter(|&j| j < m)));
            x[0] = words[k] as f32;
            x[1] = chars as f32;
            x[2] = if lettered.is_empty() {
                0.0
            } else {
                caps as f32 / lettered.len() as f32
            };
            x[3] = digits as f32 / chars.max(1) as f32;
            x[4] = f32::from(u8::from(date));
            x[5] = stop;
            x[6] = separators as f32;
            x[7] = k as f32 / m as f32;
            x[8] = before[k] as f32;
            x[9] = after[k] as f32;
            x[10] = if k > 0 {
                count(k - 1, WORDS_CAP) as f32
            } else {
                0.0
            };
            x[11] = if k + 1 < m {
                count(k + 1, WORDS_CAP) as f32
            } else {
                0.0
            };
            x[12] = short_near as f32;
            x[13] = removed_near as f32;
            x[14] = adjacent as f32;
            x[15] = nav as f32;
            x[16] = social as f32;
            x[17] = (seen.get(&self.text[t]).copied().unwrap_or(1) - 1).min(5) as f32;
            x[18] = prose_share;
            out.push((line.start..line.end, x));
        }
        out
    }
}

/// Tokens as the evaluation counts them: runs of letters, digits and `_`, each CJK character one.
fn tokens(s: &str) -> usize {
    let mut n = 0;
    let mut in_word = false;
    for c in s.chars() {
        if super::doc::is_cjk(c) {
            n += 1;
            in_word = false;
        } else if c.is_alphanumeric() || c == '_' {
            if !in_word {
                n += 1;
            }
            in_word = true;
        } else {
            in_word = false;
        }
    }
    n
}

/// The rule a model removal names: `model.navigation`, with the decision in its description.
pub(super) fn model_rule(explanation: String) -> Arc<Rule> {
    Arc::new(Rule {
        id: "model.navigation".into(),
        family: "navigation".into(),
        scope: Scope::Line,
        publisher: None,
        platform: None,
        pack: None,
        lang: None,
        description: Some(explanation),
        phrases: Vec::new(),
        regexes: Vec::new(),
        start: Vec::new(),
        end: Vec::new(),
        max_chars: None,
        max_lines: 0,
        unterminated: Unterminated::Keep,
        position: None,
        min_lines: 0,
        max_words: 0,
        max_prose: 0,
        opened_by: Vec::new(),
        interleaved: false,
        repeats: 0,
        origin: "patterns/model.toml".into(),
    })
}
