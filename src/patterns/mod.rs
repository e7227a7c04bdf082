//! Rules and the compiled pattern set.
//!
//! A [`Rule`] says what chrome looks like (literal phrases, regexes, block markers) and at which
//! [`Scope`] it is removed. Rules come from TOML pattern files ([`file`](mod@file)), the built-in ones embedded
//! in the binary ([`builtin`]). A [`PatternSetBuilder`] gathers rules from any number of sources,
//! reports every bad rule at once, and compiles them into an immutable [`PatternSet`]: all phrases in
//! one Aho-Corasick automaton, the regexes beside it. A `PatternSet` is cheap to clone and is shared by
//! all threads.

pub mod builtin;
pub mod file;
pub(crate) mod gate;
mod line_syntax;
mod linedfa;
mod pack;
pub(crate) mod prefix;
mod scan;
mod set;

pub use pack::{ActivePacks, Pack};
pub(crate) use set::ScanTarget;
pub use set::{PatternSet, PatternSetBuilder, REGEX_LINE_LIMIT, Role};

use std::borrow::Cow;
use std::fmt;

/// Where a rule removes text once one of its patterns is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// The whole line, when the pattern is the whole line (or starts a short line, with `max_chars`).
    Line,
    /// The one sentence that begins with the pattern, also when glued to the next sentence.
    Sentence,
    /// From a line starting with a `start` marker through the first `end` marker.
    Block,
    /// From the marker line to the end of the document, when the marker is near the end.
    Tail,
    /// A run of short, unpunctuated lines (a menu, a list of other headlines) at the head or the
    /// tail of a document; needs no phrase.
    Run,
    /// From a section heading ("Related stories") to the end of the document, when what follows
    /// reads as a list rather than as the article: few prose lines, however many lines.
    Section,
}

impl Scope {
    /// All scopes, in the order they are documented.
    pub const ALL: [Scope; 6] = [
        Scope::Line,
        Scope::Sentence,
        Scope::Block,
        Scope::Tail,
        Scope::Run,
        Scope::Section,
    ];

    /// The name used in pattern files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Line => "line",
            Scope::Sentence => "sentence",
            Scope::Block => "block",
            Scope::Tail => "tail",
            Scope::Run => "run",
            Scope::Section => "section",
        }
    }

    /// Parses a scope name as written in pattern files.
    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The kinds of chrome a rule can belong to.
pub const FAMILIES: &[&str] = &[
    "support-appeal",
    "comments",
    "newsletter",
    "share",
    "related",
    "caption",
    "byline",
    "timestamp",
    "ad",
    "cookie",
    "paywall",
    "copyright",
    "navigation",
    "other",
];

/// What to do with a block whose end marker is not found within its span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unterminated {
    /// Remove nothing and report the start marker.
    Keep,
    /// Remove only the line holding the start marker.
    StartLine,
}

/// Where a run rule looks for its run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// At the start of the document.
    Head,
    /// At the end of the document.
    Tail,
    /// Anywhere before the document's first prose line: menus above the headline.
    Preamble,
    /// A menu block at the start of the document: menu items mixed with headlines and a few
    /// teaser lines, up to the last run of items before the article's own title.
    HeadBlock,
    /// A menu block at the end of the document: menu items mixed with headlines, after the
    /// article's last sentence.
    TailBlock,
    /// A comment thread at the end of the document, told by its dated entry lines.
    Thread,
    /// A comment thread at the end of the document, told by its writers' names on lines of
    /// their own, one of them answering the others.
    NameThread,
    /// Lists of headlines between two menus above the article (the menus found by the `head`,
    /// `preamble` and `head-block` rules of the same pass).
    BetweenMenus,
    /// Lists of other stories' headlines (with menu items among them) before the document's
    /// first prose line; the article's own title and standfirst above that line stay.
    HeadList,
    /// Runs of other stories' cards anywhere in the document: headlines glued to their teasers
    /// with no space, or teasers cut short with an ellipsis.
    CardList,
}

/// One rule of a pattern set, as written in its pattern file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Unique id, such as `independent.support-appeal.block`.
    pub id: String,
    /// One of [`FAMILIES`].
    pub family: String,
    /// The scope of a removal.
    pub scope: Scope,
    /// The publisher the rule belongs to, if any.
    pub publisher: Option<String>,
    /// The publishing platform whose templates print the rule's strings (`wordpress`, `mediawiki`),
    /// if any. Platform strings are the same on every site of the platform, so unlike `publisher`
    /// it does not narrow where the rule applies; it names where the strings come from.
    pub platform: Option<String>,
    /// The name of the publisher pack (see [`Pack`]) whose `[pack]` table the rule's file carries:
    /// the rule then applies only to that publisher's documents.
    pub pack: Option<String>,
    /// Language code of the phrases, if the rule is language-specific.
    pub lang: Option<String>,
    /// What the rule catches and why.
    pub description: Option<String>,
    /// Literal phrases, as written. The patterns are borrowed from the binary for the built-in
    /// rules (some 17,000 strings not copied at start-up), owned for rules read at run time.
    pub phrases: Vec<Cow<'static, str>>,
    /// Regexes, as written.
    pub regexes: Vec<Cow<'static, str>>,
    /// Block start markers, as written.
    pub start: Vec<Cow<'static, str>>,
    /// Block end markers, as written.
    pub end: Vec<Cow<'static, str>>,
    /// Line and tail scope: a line that starts with the pattern is chrome when at most this many characters.
    pub max_chars: Option<usize>,
    /// Block: most lines from start to end marker; tail: most lines from the marker to the end.
    pub max_lines: usize,
    /// Block: what to do when no end marker is found.
    pub unterminated: Unterminated,
    /// Run: where the run must stand.
    pub position: Option<Position>,
    /// Run: the fewest short lines that make a run.
    pub min_lines: usize,
    /// Run: the most words a line of the run may have.
    pub max_words: usize,
    /// Section: the most prose lines (see [`Rule::PROSE_WORDS`]) the text after the heading may hold.
    pub max_prose: usize,
    /// Section: families whose line rules' removals open the section, besides the rule's own phrases.
    pub opened_by: Vec<String>,
    /// Section: also remove a section of any number of prose lines when no two stand together
    /// (headlines with a teaser each) and it is no longer than the text before it.
    pub interleaved: bool,
    /// Section: when above 0, a thread of entries (comments): the rule must match at least this
    /// many different lines, the first of which opens the section, each at most `max_prose` prose lines
    /// after the one before (and the end at most that far after the last); the list checks do
    /// not apply.
    pub repeats: usize,
    /// Where the rule was defined (`path:line`).
    pub origin: String,
}

impl Rule {
    /// Default `max_lines` for block rules.
    pub const DEFAULT_BLOCK_LINES: usize = 20;
    /// Default `max_lines` for tail rules.
    pub const DEFAULT_TAIL_LINES: usize = 8;
    /// Default `min_lines` for run rules.
    pub const DEFAULT_RUN_LINES: usize = 4;
    /// Default `max_words` for run rules.
    pub const DEFAULT_RUN_WORDS: usize = 4;
    /// Default `max_chars` for the lines of run rules.
    pub const DEFAULT_RUN_CHARS: usize = 40;
    /// Default `max_prose` for section rules.
    pub const DEFAULT_SECTION_PROSE: usize = 2;
    /// A prose line, for section rules: at least this many words, ending like a sentence.
    pub const PROSE_WORDS: usize = 8;

    /// Number of literal patterns (phrases and block markers) and regexes of this rule.
    pub fn pattern_count(&self) -> usize {
        self.phrases.len() + self.regexes.len() + self.start.len() + self.end.len()
    }
}
