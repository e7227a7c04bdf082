//! The built-in pattern set: every `.toml` file under `patterns/`, embedded at build time.

use super::{Pack, Position, Rule, Scope, Unterminated};

include!(concat!(env!("OUT_DIR"), "/builtin_patterns.rs"));

/// One rule of a built-in pattern file as `build.rs` read it: a [`Rule`] in static data.
pub(crate) struct StaticRule {
    id: &'static str,
    family: &'static str,
    scope: Scope,
    publisher: Option<&'static str>,
    platform: Option<&'static str>,
    pack: Option<&'static str>,
    lang: Option<&'static str>,
    description: Option<&'static str>,
    phrases: &'static [&'static str],
    regexes: &'static [&'static str],
    start: &'static [&'static str],
    end: &'static [&'static str],
    max_chars: Option<usize>,
    max_lines: usize,
    unterminated: Unterminated,
    position: Option<Position>,
    min_lines: usize,
    max_words: usize,
    max_prose: usize,
    opened_by: &'static [&'static str],
    interleaved: bool,
    repeats: usize,
    /// The line of the rule's table in its file.
    line: usize,
    /// The phrases, then the start and end markers, normalised (`normalize::phrase`).
    normalized: &'static [&'static str],
}

impl StaticRule {
    /// The rule's phrases, then its start and end markers, as `normalize::phrase` gives them.
    pub fn normalized(&self) -> &'static [&'static str] {
        self.normalized
    }
}

/// The `[pack]` table of a built-in pattern file as `build.rs` read it.
pub(crate) struct StaticPack {
    name: &'static str,
    publisher: Option<&'static str>,
    hosts: &'static [&'static str],
    signature: &'static [&'static str],
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
        let strings = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        self.rules.iter().map(move |r| Rule {
            id: r.id.to_string(),
            family: r.family.to_string(),
            scope: r.scope,
            publisher: r.publisher.map(String::from),
            platform: r.platform.map(String::from),
            pack: r.pack.map(String::from),
            lang: r.lang.map(String::from),
            description: r.description.map(String::from),
            phrases: strings(r.phrases),
            regexes: strings(r.regexes),
            start: strings(r.start),
            end: strings(r.end),
            max_chars: r.max_chars,
            max_lines: r.max_lines,
            unterminated: r.unterminated,
            position: r.position,
            min_lines: r.min_lines,
            max_words: r.max_words,
            max_prose: r.max_prose,
            opened_by: strings(r.opened_by),
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
        self.rules.iter().map(|r| r.id)
    }

    /// The file's pack, as [`file::parse`](super::file::parse) gives it for the file at `path`.
    pub fn pack(&self, path: &str) -> Option<Pack> {
        self.pack.as_ref().map(|p| Pack {
            name: p.name.to_string(),
            publisher: p.publisher.map(String::from),
            hosts: p.hosts.iter().map(|s| s.to_string()).collect(),
            signature: p.signature.iter().map(|s| s.to_string()).collect(),
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
    /// Tried on every line.
    None,
}

/// The prefilter of regex `source` and its literals, worked out at build time, if `source` is a
/// regex of a built-in pattern file.
pub(crate) fn prefilter(source: &str) -> Option<(Prefilter, &'static [&'static [u8]])> {
    let i = BUILTIN_GATES
        .binary_search_by(|(s, _, _)| (*s).cmp(source))
        .ok()?;
    let (_, kind, lits) = BUILTIN_GATES[i];
    let kind = match kind {
        1 => Prefilter::Head,
        2 => Prefilter::Gate,
        3 | 4 => Prefilter::Screen { digit: kind == 4 },
        _ => Prefilter::None,
    };
    Some((kind, lits))
}
