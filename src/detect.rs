//! Detection: every place in a text where a pattern of the set matches, as byte spans of the
//! original text. Detection knows nothing of scopes; the [`filter`](crate::filter) decides what a hit
//! removes.

use crate::normalize::Normalized;
use crate::patterns::{PatternSet, Role};

/// One match of one pattern of one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    /// Start byte in the original text.
    pub start: usize,
    /// End byte (exclusive) in the original text.
    pub end: usize,
    /// Index of the rule in its [`PatternSet`].
    pub rule: usize,
    /// What the matched pattern stands for in its rule.
    pub role: Role,
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// A literal hit counts only where it does not cut a word: "comment" must not match in "commentary".
fn at_word_edges(text: &[u8], start: usize, end: usize) -> bool {
    let first = text[start];
    let last = text[end - 1];
    let left_ok = !is_word_byte(first) || start == 0 || !is_word_byte(text[start - 1]);
    let right_ok = !is_word_byte(last) || end == text.len() || !is_word_byte(text[end]);
    left_ok && right_ok
}

/// Finds every hit of `set` in `text`, sorted by position.
pub fn detect(set: &PatternSet, text: &[u8]) -> Vec<Hit> {
    let inner = set.inner();
    if inner.literals.is_none() && inner.regex_set.is_none() {
        return Vec::new();
    }
    let norm = Normalized::new(text);
    let hay = norm.text();
    let mut hits = Vec::new();
    if let Some(ac) = &inner.literals {
        for m in ac.find_overlapping_iter(hay) {
            if !at_word_edges(hay, m.start(), m.end()) {
                continue;
            }
            let (start, end) = (norm.to_original(m.start()), norm.to_original(m.end()));
            for &(rule, role) in &inner.literal_targets[m.pattern().as_usize()] {
                hits.push(Hit {
                    start,
                    end,
                    rule,
                    role,
                });
            }
        }
    }
    if let Some(rs) = &inner.regex_set {
        for i in rs.matches(hay).iter() {
            let (re, rule) = &inner.regexes[i];
            for m in re.find_iter(hay) {
                if m.is_empty() {
                    continue;
                }
                hits.push(Hit {
                    start: norm.to_original(m.start()),
                    end: norm.to_original(m.end()),
                    rule: *rule,
                    role: Role::Phrase,
                });
            }
        }
    }
    hits.sort_unstable();
    hits.dedup();
    hits
}
