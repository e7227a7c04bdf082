//! Publisher packs: the rules of one publisher, applied only to that publisher's documents.
//!
//! A pattern file with a `[pack]` table is a pack: its rules are written for one publisher's pages,
//! where a short label ("Recipes", "Print", "Read:") is that site's chrome, and on another site the
//! same words are article text. A pack applies to a document when the caller names its publisher (by
//! the pack's name, its publisher name or one of its hosts, or a URL on one of them), or, when no
//! publisher is named, when the document carries one of the pack's `signature` phrases (text only
//! that publisher prints, such as its name in its own footer) on a short line. A pack without a signature applies
//! only when named. Files without a `[pack]` table apply to every document, as before.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::normalize::{self, Normalized};

/// The `[pack]` table of a pattern file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pack {
    /// Short name, one that [`Cleaner::clean_for`](crate::Cleaner::clean_for) takes (`latimes`); by
    /// convention the rule id prefix.
    pub name: String,
    /// The publisher's name, for people and reports; also accepted as a name.
    pub publisher: Option<String>,
    /// Hosts of the publisher's sites (`latimes.com`); a named host or URL on one of them (or on a
    /// subdomain) names the pack.
    pub hosts: Vec<String>,
    /// Phrases only this publisher prints; one of them in a document switches the pack on.
    pub signature: Vec<String>,
    /// Where the pack was defined (`path:line`).
    pub origin: String,
}

impl Pack {
    /// Whether `named` (a pack name, a publisher name, a host or a URL) names this pack.
    pub fn is_named(&self, named: &str) -> bool {
        let named = named.trim().to_lowercase();
        if named.is_empty() {
            return false;
        }
        if named == self.name.to_lowercase()
            || self
                .publisher
                .as_ref()
                .is_some_and(|p| p.to_lowercase() == named)
        {
            return true;
        }
        let host = host_of(&named);
        self.hosts.iter().any(|h| {
            let h = h.to_lowercase();
            host == h
                || host
                    .strip_suffix(h.as_str())
                    .is_some_and(|rest| rest.ends_with('.'))
        })
    }
}

/// The host of a URL or bare host name, lower case, without scheme, credentials, port or path.
fn host_of(s: &str) -> &str {
    let s = s.split_once("://").map_or(s, |(_, rest)| rest);
    let s = s.split(['/', '?', '#']).next().unwrap_or(s);
    let s = s.rsplit_once('@').map_or(s, |(_, h)| h);
    let s = s.split(':').next().unwrap_or(s);
    s.trim_end_matches('.')
}

/// The packs of a pattern set, compiled: which rule belongs to which pack, and the signatures in
/// one automaton.
#[derive(Debug, Default)]
pub(crate) struct Packs {
    pub packs: Vec<Pack>,
    /// For each rule of the set, the index of its pack.
    pub rule_pack: Vec<Option<usize>>,
    /// The signature phrases, normalised. Cleaning finds them in its one scan of a document (see
    /// [`Packs::active_from`]); the automaton below serves [`Packs::active`] only.
    pub signature_phrases: Vec<String>,
    /// The signatures in one automaton, built on first use.
    signatures: OnceLock<Option<AhoCorasick>>,
    /// For each signature pattern, its pack.
    pub signature_pack: Vec<usize>,
}

impl Packs {
    pub fn new(packs: Vec<Pack>, rule_pack: Vec<Option<usize>>) -> Packs {
        let mut phrases = Vec::new();
        let mut signature_pack = Vec::new();
        for (i, p) in packs.iter().enumerate() {
            for s in &p.signature {
                phrases.push(normalize::phrase(s));
                signature_pack.push(i);
            }
        }
        Packs {
            packs,
            rule_pack,
            signature_phrases: phrases,
            signatures: OnceLock::new(),
            signature_pack,
        }
    }

    fn signatures(&self) -> Option<&AhoCorasick> {
        self.signatures
            .get_or_init(|| {
                (!self.signature_phrases.is_empty()).then(|| {
                    AhoCorasick::builder()
                        .ascii_case_insensitive(true)
                        .match_kind(MatchKind::Standard)
                        .build(&self.signature_phrases)
                        .expect("signature automaton within limits")
                })
            })
            .as_ref()
    }

    /// Which packs apply to `text`: the one(s) `named` names, or, when nothing is named, those whose
    /// signature occurs in the text.
    pub fn active(&self, text: &[u8], named: Option<&str>) -> ActivePacks {
        let Some(ac) = self.signatures() else {
            return self.active_from(b"", named, std::iter::empty());
        };
        let norm = Normalized::new(text);
        let hay = norm.text();
        let found = ac.find_overlapping_iter(hay).map(|m| {
            (
                self.signature_pack[m.pattern().as_usize()],
                m.start(),
                m.end(),
            )
        });
        self.active_from(hay, named, found)
    }

    /// [`Packs::active`] given the occurrences of the signatures in `hay`, the search copy of the
    /// text: `(pack, start, end)` for each (found by the caller's scan of the document).
    pub fn active_from(
        &self,
        hay: &[u8],
        named: Option<&str>,
        found: impl Iterator<Item = (usize, usize, usize)>,
    ) -> ActivePacks {
        let mut on = vec![false; self.packs.len()];
        if self.packs.is_empty() {
            return ActivePacks(on);
        }
        match named.filter(|n| !n.trim().is_empty()) {
            Some(n) => {
                for (i, p) in self.packs.iter().enumerate() {
                    on[i] = p.is_named(n);
                }
            }
            None => {
                for (pack, start, end) in found {
                    if !on[pack]
                        && at_word_edges(hay, start, end)
                        && on_a_short_line(hay, start, end)
                    {
                        on[pack] = true;
                    }
                }
            }
        }
        ActivePacks(on)
    }

    /// Whether rule `rule` applies under `active`: it belongs to no pack, or to an active one.
    pub fn allows(&self, active: &ActivePacks, rule: usize) -> bool {
        match self.rule_pack.get(rule).copied().flatten() {
            None => true,
            Some(p) => active.0.get(p).copied().unwrap_or(false),
        }
    }
}

/// The most words (runs holding a letter or digit) a line may hold for a signature on it to count. A publisher prints its name on
/// short lines of its own (a footer, a byline, a credit); an article that cites it ("..., the Los
/// Angeles Times reported on Monday, citing two officials.") says it inside a sentence, and that
/// must not switch another publisher's pack on.
const SIGNATURE_LINE_WORDS: usize = 16;

/// Does the line around `start..end` hold at most [`SIGNATURE_LINE_WORDS`] words?
fn on_a_short_line(hay: &[u8], start: usize, end: usize) -> bool {
    let from = memchr::memrchr(b'\n', &hay[..start]).map_or(0, |i| i + 1);
    let to = memchr::memchr(b'\n', &hay[end..]).map_or(hay.len(), |i| end + i);
    // Words hold a letter or digit: separators such as "|" and "©" in a footer do not count.
    String::from_utf8_lossy(&hay[from..to])
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .take(SIGNATURE_LINE_WORDS + 1)
        .count()
        <= SIGNATURE_LINE_WORDS
}

/// A signature must start and end at word edges, as phrases do.
fn at_word_edges(hay: &[u8], start: usize, end: usize) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let first = hay[start];
    let last = hay[end - 1];
    (start == 0 || !word(first) || !word(hay[start - 1]))
        && (end == hay.len() || !word(last) || !word(hay[end]))
}

/// The packs that apply to one document (see [`PatternSet::active_packs`](super::PatternSet::active_packs)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivePacks(Vec<bool>);

#[cfg(test)]
mod tests {
    use super::*;

    fn pack() -> Pack {
        Pack {
            name: "latimes".into(),
            publisher: Some("Los Angeles Times".into()),
            hosts: vec!["latimes.com".into()],
            signature: vec!["Copyright © 2019, Los Angeles Times".into()],
            origin: "t.toml:1".into(),
        }
    }

    #[test]
    fn named_by_name_publisher_host_or_url() {
        let p = pack();
        for n in [
            "latimes",
            "LATimes",
            "los angeles times",
            "latimes.com",
            "www.latimes.com",
            "https://www.latimes.com/food/story.html",
            "http://user@latimes.com:8080/x",
        ] {
            assert!(p.is_named(n), "{n}");
        }
        for n in [
            "",
            "times",
            "notlatimes.com",
            "latimes.com.evil.net",
            "https://example.com/latimes.com",
        ] {
            assert!(!p.is_named(n), "{n}");
        }
    }

    #[test]
    fn signature_or_name_switches_a_pack_on() {
        let packs = Packs::new(vec![pack()], vec![None, Some(0)]);
        let with = "Story.\nCopyright \u{a9} 2019, Los Angeles Times | Terms\n".as_bytes();
        let without = b"Story about the Los Angeles Times.\n";
        let on = packs.active(with, None);
        assert!(packs.allows(&on, 0) && packs.allows(&on, 1));
        let off = packs.active(without, None);
        assert!(packs.allows(&off, 0) && !packs.allows(&off, 1));
        // Found in review: an article citing the publisher inside a sentence switched its pack on.
        // A signature counts only on a short line of the publisher's own (a footer, a credit).
        let cited =
            "The mayor said on Monday that the plan, first reported as Copyright \u{a9} 2019, \
                     Los Angeles Times in a footnote, would go ahead.\n"
                .as_bytes();
        assert!(!packs.allows(&packs.active(cited, None), 1));
        // Naming another publisher switches the pack off even when its signature is present.
        assert!(!packs.allows(&packs.active(with, Some("example.com")), 1));
        assert!(packs.allows(&packs.active(without, Some("latimes.com")), 1));
    }
}
