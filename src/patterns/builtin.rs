//! The built-in pattern set: every `.toml` file under `patterns/`, embedded at build time.

use std::borrow::Cow;

use regex_automata::dfa::{Automaton, sparse};

use super::gate::Tail;
use super::prefix::{self, PrefixSet};
use super::{Pack, Position, Rule, Scope, Unterminated};

/// Bytes aligned for the tries stored in them (see [`prefix_set`]).
#[repr(C, align(8))]
struct Aligned<B: ?Sized>(B);

include!(concat!(env!("OUT_DIR"), "/builtin_patterns.rs"));

/// A string of the built-in rules: offset and length in `BUILTIN_STRINGS`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Str(u32, u32);

impl Str {
    fn get(self) -> &'static str {
        &BUILTIN_STRINGS[self.0 as usize..(self.0 + self.1) as usize]
    }
}

/// A list of strings of the built-in rules: the first and the number of entries of
/// `BUILTIN_LISTS`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StrList(u32, u32);

impl StrList {
    /// The strings of the list.
    pub fn iter(self) -> impl Iterator<Item = &'static str> {
        BUILTIN_LISTS[self.0 as usize..(self.0 + self.1) as usize]
            .iter()
            .map(|s| s.get())
    }

    fn strings(self) -> Vec<String> {
        self.iter().map(String::from).collect()
    }

    /// The strings borrowed from the binary.
    fn borrowed(self) -> Vec<Cow<'static, str>> {
        self.iter().map(Cow::Borrowed).collect()
    }
}

/// One rule of a built-in pattern file as `build.rs` read it: a [`Rule`] in static data.
pub(crate) struct StaticRule {
    id: Str,
    family: Str,
    scope: Scope,
    publisher: Option<Str>,
    platform: Option<Str>,
    pack: Option<Str>,
    lang: Option<Str>,
    description: Option<Str>,
    phrases: StrList,
    regexes: StrList,
    start: StrList,
    end: StrList,
    max_chars: Option<usize>,
    max_lines: usize,
    unterminated: Unterminated,
    position: Option<Position>,
    min_lines: usize,
    max_words: usize,
    max_prose: usize,
    opened_by: StrList,
    interleaved: bool,
    repeats: usize,
    /// The line of the rule's table in its file.
    line: usize,
    /// The phrases, then the start and end markers, normalised (`normalize::phrase`).
    normalized: StrList,
}

impl StaticRule {
    /// The rule's phrases, then its start and end markers, as `normalize::phrase` gives them.
    pub fn normalized(&self) -> StrList {
        self.normalized
    }
}

/// The `[pack]` table of a built-in pattern file as `build.rs` read it.
pub(crate) struct StaticPack {
    name: Str,
    publisher: Option<Str>,
    hosts: StrList,
    signature: StrList,
    line: usize,
}

/// A built-in pattern file as `build.rs` read it (see [`parsed`]).
pub(crate) struct StaticFile {
    pack: Option<StaticPack>,
    rules: &'static [StaticRule],
}

impl StaticFile {
    /// The file's rules, as [`file::parse`](super::file::parse) gives them for the file at `path`.
    pub fn rules(&self, path: &str) -> impl Iterator<Item = Rule> {
        let text = |s: Option<Str>| s.map(|s| s.get().to_string());
        self.rules.iter().map(move |r| Rule {
            id: r.id.get().to_string(),
            family: r.family.get().to_string(),
            scope: r.scope,
            publisher: text(r.publisher),
            platform: text(r.platform),
            pack: text(r.pack),
            lang: text(r.lang),
            description: text(r.description),
            phrases: r.phrases.borrowed(),
            regexes: r.regexes.borrowed(),
            start: r.start.borrowed(),
            end: r.end.borrowed(),
            max_chars: r.max_chars,
            max_lines: r.max_lines,
            unterminated: r.unterminated,
            position: r.position,
            min_lines: r.min_lines,
            max_words: r.max_words,
            max_prose: r.max_prose,
            opened_by: r.opened_by.strings(),
            interleaved: r.interleaved,
            repeats: r.repeats,
            origin: format!("{path}:{}", r.line),
        })
    }

    /// The file's rules as `build.rs` read them, in the order of [`StaticFile::rules`].
    pub fn static_rules(&self) -> &'static [StaticRule] {
        self.rules
    }

    /// The ids of the file's rules.
    pub fn ids(&self) -> impl Iterator<Item = &'static str> {
        self.rules.iter().map(|r| r.id.get())
    }

    /// The file's pack, as [`file::parse`](super::file::parse) gives it for the file at `path`.
    pub fn pack(&self, path: &str) -> Option<Pack> {
        self.pack.as_ref().map(|p| Pack {
            name: p.name.get().to_string(),
            publisher: p.publisher.map(|s| s.get().to_string()),
            hosts: p.hosts.strings(),
            signature: p.signature.strings(),
            origin: format!("{path}:{}", p.line),
        })
    }
}

/// The rules and pack of the built-in file with this index (into [`files`]), read at build time;
/// `None` when the file must be parsed at run time (see `build.rs`).
pub(crate) fn parsed(index: usize) -> Option<&'static StaticFile> {
    BUILTIN_PARSED.get(index)?.as_ref()
}

/// The embedded pattern files as `(path relative to the repository, contents)`, sorted by path.
pub fn files() -> &'static [(&'static str, &'static str)] {
    BUILTIN_FILES
}

/// What kind of prefilter a built-in regex has (see [`gate`](super::gate)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prefilter {
    /// Tried only on lines that begin with one of these literals ([`gate::head`](super::gate::head)).
    Head,
    /// Tried only on lines that hold one of these literals ([`gate::gate`](super::gate::gate)).
    Gate,
    /// Tried only on lines that begin with one of these literals (none: any line) and, with
    /// `digit`, hold an ASCII digit ([`gate::screen`](super::gate::screen)).
    Screen {
        /// Every match holds an ASCII digit.
        digit: bool,
    },
    /// Tried only on lines that hold an ASCII digit or one of these literals
    /// ([`gate::holds`](super::gate::holds)).
    Holds,
    /// Tried on every line.
    None,
}

/// A regex of the built-in files and its prefilter, as `build.rs` stores them: the source (offset
/// and length in `BUILTIN_STRINGS`, where the rules' regexes are), the kind, and the literals (first entry and number of
/// entries of `BUILTIN_GATE_LITS`, offsets and lengths in `BUILTIN_GATE_BYTES`).
struct GateEntry {
    source: (u32, u32),
    kind: u8,
    lits: (u32, u32),
    /// The regex's [`Tail`] (index into `BUILTIN_TAILS`).
    tail: u16,
    /// The regex's stored DFA (index into `BUILTIN_DFAS`), `u16::MAX` for none.
    dfa: u16,
}

impl GateEntry {
    fn source(&self) -> &'static str {
        let (at, len) = self.source;
        &BUILTIN_STRINGS[at as usize..(at + len) as usize]
    }
}

/// The literals of a built-in regex's prefilter (see [`prefilter`]), read from the binary.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GateLits(u32, u32);

impl GateLits {
    /// The literals.
    pub fn iter(self) -> impl Iterator<Item = &'static [u8]> + Clone {
        BUILTIN_GATE_LITS[self.0 as usize..(self.0 + self.1) as usize]
            .iter()
            .map(|&(at, len)| &BUILTIN_GATE_BYTES[at as usize..(at + len) as usize])
    }
}

/// The prefilter of regex `source` and its literals, worked out at build time, if `source` is a
/// regex of a built-in pattern file.
pub(crate) fn prefilter(source: &str) -> Option<(Prefilter, GateLits)> {
    let i = BUILTIN_GATES
        .binary_search_by(|e| e.source().cmp(source))
        .ok()?;
    let e = &BUILTIN_GATES[i];
    let kind = match e.kind {
        1 => Prefilter::Head,
        2 => Prefilter::Gate,
        3 | 4 => Prefilter::Screen { digit: e.kind == 4 },
        5 => Prefilter::Holds,
        _ => Prefilter::None,
    };
    Some((kind, GateLits(e.lits.0, e.lits.1)))
}

/// The entry of regex `source`, if it is a regex of a built-in pattern file (the very text).
fn entry(source: &str) -> Option<&'static GateEntry> {
    let i = BUILTIN_GATES
        .binary_search_by(|e| e.source().cmp(source))
        .ok()?;
    Some(&BUILTIN_GATES[i])
}

/// The [`Tail`] of regex `source` (as [`gate::tail`](super::gate::tail) gives it), worked out at
/// build time, if `source` is a regex of a built-in pattern file: the first line a regex is tried
/// on then costs no parse of it (~2 M instructions for some).
#[cfg(test)]
pub(crate) fn tail(source: &str) -> Option<Tail> {
    entry(source).map(|e| BUILTIN_TAILS[usize::from(e.tail)].clone())
}

/// The [`Tail`] and the stored [`LineDfa`] (if any) of line regex `source`, if it is a regex of
/// a built-in pattern file: one look-up for both.
pub(crate) fn line_facts(source: &str) -> Option<(Tail, Option<Box<LineDfa>>)> {
    entry(source).map(|e| (BUILTIN_TAILS[usize::from(e.tail)].clone(), stored_dfa(e)))
}

/// The DFA `build.rs` stored for `e`, read from the binary in place; boxed, as its tables of
/// byte classes make it ~600 bytes, which every line regex would otherwise hold room for.
fn stored_dfa(e: &GateEntry) -> Option<Box<LineDfa>> {
    let &(start, end) = BUILTIN_DFAS.get(usize::from(e.dfa))?;
    let bytes: &'static [u8] = &BUILTIN_DFA_BYTES.0[start..end];
    // SAFETY: `build.rs` wrote these bytes with `to_bytes_*` of this very crate version (one
    // `regex-automata` in Cargo.lock) for this target's byte order, at an 8-aligned offset of
    // 8-aligned static data; a test reads every stored DFA back with the checked `from_bytes`.
    // Checking here would read all of each DFA (several hundred KB) at every start-up.
    let (dfa, _) = unsafe { sparse::DFA::from_bytes_unchecked(bytes) }.ok()?;
    Some(Box::new(LineDfa(dfa)))
}

/// A built-in line regex as a DFA built and serialised by `build.rs` (see `line_dfa` there), read
/// from the binary in place: the screened and held regexes, which nearly every document reaches
/// (most on any line holding a digit), so that no run compiles them (~10 M instructions each, ~30
/// M for the English dates). Only ever found for the very source text it was built from, and only
/// for a regex anchored at the line's start: a match, if any, starts at 0.
#[derive(Debug, Clone)]
pub(crate) struct LineDfa(sparse::DFA<&'static [u8]>);

impl LineDfa {
    /// The end of the regex's leftmost-first match in `line`, which starts at 0, as the regex
    /// compiled for one line at a time finds it; `None` when it does not match.
    pub fn end(&self, line: &[u8]) -> Option<usize> {
        let input = regex_automata::Input::new(line).anchored(regex_automata::Anchored::Yes);
        self.0
            .try_search_fwd(&input)
            .expect("built with no quit bytes, searched as built (anchored)")
            .map(|m| m.offset())
    }
}

/// A trie of `lits` (see [`PrefixSet`]): the one `build.rs` built when they are the literals of a
/// trie of the built-in set, read from the binary in place, else built now. Start-up then builds
/// none of the built-in set's tries (together ~40 M instructions and several MB of memory).
pub(crate) fn prefix_set<'a>(lits: impl IntoIterator<Item = &'a [u8]> + Clone) -> PrefixSet {
    let key = prefix::key(lits.clone());
    let count = lits.clone().into_iter().count();
    let stored = BUILTIN_PREFIX_SETS
        .iter()
        .find(|s| s.0 == key)
        // The key finds the trie; one whose indices do not fit the list (a list made to meet a
        // built-in key) is never used, so no query indexes past the caller's literals. Checking
        // every literal (`holds_exactly`, as the tests do) would cost start-up 16 M instructions,
        // and reading every node for its index (`indices_below`) 1.4 MB of the binary's pages:
        // `build.rs` stored the bound.
        .filter(|s| s.2 <= count)
        .and_then(|&(_, [n0, n1, e0, e1, r0, r1], _)| {
            let bytes = &BUILTIN_PREFIX_BYTES.0;
            PrefixSet::from_static(&bytes[n0..n1], &bytes[e0..e1], &bytes[r0..r1])
        });
    match stored {
        Some(set) => {
            // Every test that builds the built-in set checks the stored tries.
            #[cfg(test)]
            {
                assert!(set.indices_below(count), "a stored trie's bound is wrong");
                assert!(
                    set.holds_exactly(lits.clone()),
                    "a stored trie misses its list"
                );
                assert_eq!(
                    set,
                    PrefixSet::new(lits),
                    "a stored trie differs from its build"
                );
            }
            set
        }
        None => PrefixSet::new(lits),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every stored DFA reads back with every check (what the unchecked read at start-up relies
    /// on) and belongs to a screened or held regex anchored at the start.
    #[test]
    fn the_stored_dfas_read_back_checked() {
        assert!(!BUILTIN_DFAS.is_empty());
        for &(start, end) in BUILTIN_DFAS {
            assert!(start.is_multiple_of(8));
            sparse::DFA::from_bytes(&BUILTIN_DFA_BYTES.0[start..end]).expect("a valid DFA");
        }
        let with_dfa: Vec<_> = BUILTIN_GATES.iter().filter(|e| e.dfa != u16::MAX).collect();
        assert_eq!(with_dfa.len(), BUILTIN_DFAS.len());
        for e in with_dfa {
            assert!((3..=5).contains(&e.kind), "{}", e.source());
            assert!(e.source().contains('^'), "{}", e.source());
        }
    }
}
