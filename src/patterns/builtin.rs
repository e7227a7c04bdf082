//! The built-in pattern set: every `.toml` file under `patterns/`, embedded at build time.

include!(concat!(env!("OUT_DIR"), "/builtin_patterns.rs"));

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
