//! [`PatternSetBuilder`] and the compiled, immutable [`PatternSet`].

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::bytes::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

use super::file::{self, ParsedRule, Reporter};
use super::pack::Packs;
use super::{ActivePacks, Pack, Rule, Scope, builtin};
use crate::error::{Error, PatternDiagnostic, PatternError};
use crate::normalize;

/// Limit on the compiled size of one regex, so a pathological pattern fails to build instead of
/// eating memory.
const REGEX_SIZE_LIMIT: usize = 2 << 20;
/// The cap on the compiled size of one regex of a rule outside the built-in set, checked when the
/// pattern file is loaded. The time a regex takes per byte grows with its compiled program once the
/// regex engine's lazy DFA gives up on it (measured in a sentence rule on 100 kB of random `a`/`b`:
/// about 20 µs a byte at 80 kB, 58 µs at 240 kB), so the cap bounds the worst case by
/// construction. The built-in set is reviewed and keeps the larger limit (its largest regex
/// compiles to 557 kB).
pub const USER_REGEX_SIZE_LIMIT: usize = 128 << 10;
/// Above this many phrases the automaton is no longer a full DFA (which grows with the pattern count).
const DFA_PHRASE_LIMIT: usize = 20_000;
/// Above this many phrases the automaton that scans whole texts (`check`, block ends) is a compact
/// NFA rather than a DFA: with the built-in set a DFA costs 50 MB of memory.
const FULL_SCAN_DFA_LIMIT: usize = 1_000;

/// What a literal pattern stands for in its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// A phrase of a line, sentence or tail rule.
    Phrase,
    /// The start marker of a block rule.
    Start,
    /// The end marker of a block rule.
    End,
}

/// Gathers pattern files and compiles them into a [`PatternSet`].
///
/// ```
/// let set = dechrome::PatternSetBuilder::new()
///     .add_str("inline.toml", r#"
///         [[rule]]
///         id = "demo.share"
///         family = "share"
///         scope = "line"
///         phrases = ["share this article"]
///     "#)
///     .build()
///     .unwrap();
/// assert_eq!(set.rules().len(), 1);
/// ```
#[derive(Debug, Clone, Default)]
pub struct PatternSetBuilder {
    sources: Vec<(String, Cow<'static, str>)>,
    /// Which sources are built-in files (their index, and the file's index in
    /// [`builtin::files`]), whose regexes are known to compile (a test compiles them all), so
    /// that start-up does not compile them to check, and whose rules `build.rs` has read.
    builtin_sources: Vec<(usize, usize)>,
    disabled: Vec<String>,
}

impl PatternSetBuilder {
    /// An empty builder: no rules.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the built-in pattern set.
    pub fn builtin(mut self) -> Self {
        for (k, (path, src)) in builtin::files().iter().enumerate() {
            self.builtin_sources.push((self.sources.len(), k));
            self.sources.push((path.to_string(), Cow::Borrowed(src)));
        }
        self
    }

    /// Adds one pattern file given as text; `origin` names it in errors.
    pub fn add_str(mut self, origin: impl Into<String>, src: impl Into<String>) -> Self {
        self.sources.push((origin.into(), Cow::Owned(src.into())));
        self
    }

    /// Adds a pattern file, or every `*.toml` file below a directory (in path order).
    pub fn add_path(mut self, path: &Path) -> Result<Self, Error> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        let mut files = Vec::new();
        if meta.is_dir() {
            for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
                let entry = entry.map_err(|e| {
                    let p = e.path().unwrap_or(path).to_path_buf();
                    Error::io(p, e.into())
                })?;
                if entry.file_type().is_file()
                    && entry.path().extension().is_some_and(|x| x == "toml")
                {
                    files.push(entry.into_path());
                }
            }
        } else {
            files.push(path.to_path_buf());
        }
        for f in files {
            let bytes = std::fs::read(&f).map_err(|e| Error::io(&f, e))?;
            let src = String::from_utf8(bytes).map_err(|_| Error::Input {
                path: f.clone(),
                message: "pattern file is not valid UTF-8".into(),
            })?;
            self.sources
                .push((f.display().to_string(), Cow::Owned(src)));
        }
        Ok(self)
    }

    /// Leaves out every rule whose id equals `name` or whose family is `name`, or whose id starts
    /// with `name` followed by a dot (a whole pack, such as `independent`).
    pub fn disable(mut self, name: impl Into<String>) -> Self {
        self.disabled.push(name.into());
        self
    }

    fn is_disabled(&self, rule: &Rule) -> bool {
        self.disabled.iter().any(|d| {
            rule.id == *d
                || rule.family == *d
                || (rule.id.starts_with(d.as_str()) && rule.id[d.len()..].starts_with('.'))
        })
    }

    /// Parses and compiles every rule; on failure reports all problems of all files.
    pub fn build(&self) -> Result<PatternSet, PatternError> {
        let mut diags: Vec<PatternDiagnostic> = Vec::new();
        // Each rule, its source, and its phrases and markers normalised when known at build time.
        let mut parsed: Vec<(usize, ParsedRule, Option<builtin::StrList>)> = Vec::with_capacity(
            (self.builtin_sources.iter())
                .filter_map(|&(_, k)| builtin::parsed(k))
                .map(|f| f.static_rules().len())
                .sum(),
        );
        // Duplicate ids, reported at the second definition, also among rules with other errors.
        let mut first: HashMap<String, String> = HashMap::new();
        // Packs by name: files that declare the same pack add to its hosts and signature.
        let mut packs: Vec<Pack> = Vec::new();
        for (i, (origin, src)) in self.sources.iter().enumerate() {
            let src: &str = src;
            // A built-in file read at build time, unless one of its ids is a duplicate (reported
            // at the id, which takes the parse).
            let known = self
                .builtin_sources
                .iter()
                .find(|&&(s, _)| s == i)
                .and_then(|&(_, k)| builtin::parsed(k))
                .filter(|f| f.ids().all(|id| !first.contains_key(id)));
            if let Some(f) = known {
                if let Some(p) = f.pack(origin) {
                    add_pack(&mut packs, p);
                }
                let start = parsed.len();
                parsed.extend(f.rules(origin).zip(f.static_rules()).map(|(rule, sr)| {
                    (
                        i,
                        ParsedRule {
                            rule,
                            id_span: 0..0,
                            regex_spans: Vec::new(),
                        },
                        Some(sr.normalized()),
                    )
                }));
                for (_, pr, _) in &parsed[start..] {
                    first.insert(pr.rule.id.clone(), pr.rule.origin.clone());
                }
                continue;
            }
            let file = file::parse(origin, src, &mut diags);
            if let Some(p) = file.pack {
                add_pack(&mut packs, p);
            }
            for (id, span, line) in file.ids {
                match first.get(&id) {
                    Some(at) => {
                        let mut rep = Reporter {
                            origin,
                            src,
                            out: &mut diags,
                        };
                        rep.report(
                            span,
                            Some(&id),
                            format!("duplicate id, first defined at {at}"),
                        );
                    }
                    None => {
                        first.insert(id, format!("{origin}:{line}"));
                    }
                }
            }
            parsed.extend(file.rules.into_iter().map(|r| (i, r, None)));
        }
        // Regexes compile once, here; errors keep their position.
        let mut regexes = Vec::new();
        for (src_idx, pr, _) in &parsed {
            if self.builtin_sources.iter().any(|&(s, _)| s == *src_idx) {
                continue;
            }
            // Rules outside the built-in set get the smaller cap.
            let limit = USER_REGEX_SIZE_LIMIT;
            for (r, span) in pr.rule.regexes.iter().zip(&pr.regex_spans) {
                match compile_regex_limited(r, limit) {
                    Ok(re) => regexes.push(re),
                    Err(msg) => {
                        let (origin, src) = &self.sources[*src_idx];
                        let mut rep = Reporter {
                            origin,
                            src,
                            out: &mut diags,
                        };
                        rep.report(span.clone(), Some(&pr.rule.id), msg);
                    }
                }
            }
        }
        if !diags.is_empty() {
            diags.sort_by(|a, b| {
                let pos =
                    |d: &PatternDiagnostic| self.sources.iter().position(|(o, _)| *o == d.origin);
                (pos(a), a.line, a.column).cmp(&(pos(b), b.line, b.column))
            });
            return Err(PatternError::new(diags));
        }
        // Only the rules go on: the ids' map is not held while the set compiles.
        drop(first);
        // Each rule moves into its shared place once (no list of rules in between).
        let (rules, normalized): (Vec<Arc<Rule>>, Vec<_>) = parsed
            .into_iter()
            .filter(|(_, pr, _)| !self.is_disabled(&pr.rule))
            .map(|(_, pr, n)| (Arc::new(pr.rule), n))
            .unzip();
        let rule_pack = rules
            .iter()
            .map(|r| {
                r.pack
                    .as_ref()
                    .and_then(|n| packs.iter().position(|p| p.name == *n))
            })
            .collect();
        let eager = parsed_from_users(&self.builtin_sources, self.sources.len());
        PatternSet::compile(rules, &normalized, Packs::new(packs, rule_pack), eager).map_err(
            |message| {
                PatternError::new(vec![PatternDiagnostic {
                    origin: "(pattern set)".into(),
                    line: 1,
                    column: 1,
                    rule_id: None,
                    message,
                }])
            },
        )
    }
}

/// Adds pack `p` to `packs`: files that declare the same pack add to its hosts and signature.
fn add_pack(packs: &mut Vec<Pack>, p: Pack) {
    match packs.iter_mut().find(|q| q.name == p.name) {
        Some(q) => {
            q.hosts.extend(p.hosts);
            q.signature.extend(p.signature);
            q.publisher = q.publisher.take().or(p.publisher);
        }
        None => packs.push(p),
    }
}

/// Whether any source is not built in: then the regexes that compile together (the line regexes
/// without a gate) are compiled at once, so that a set too large together fails to build.
fn parsed_from_users(builtin: &[(usize, usize)], sources: usize) -> bool {
    builtin.len() < sources
}

/// A regex compiled on first use (for one line at a time, see [`compile_regex_with`], unless
/// `multi_line`): start-up then costs nothing for the regexes a run never needs.
#[derive(Debug)]
pub(crate) struct LazyRegex {
    source: String,
    multi_line: bool,
    compiled: OnceLock<Regex>,
    /// The length and last-byte test of a line regex (see [`gate::tail`](super::gate::tail)),
    /// and its DFA stored at build time if it has one (see [`builtin::LineDfa`]), worked out on
    /// first use (the tail boxed: its bit sets are a few hundred bytes).
    line: OnceLock<(Box<super::gate::Tail>, Option<Box<builtin::LineDfa>>)>,
    /// A line regex whose matches are whole lines and that has no stored DFA, for its yes or
    /// no (see [`LazyRegex::is_match_line`]); built on first use. Boxed: inline, its two
    /// kilobytes for each of the built-in set's 1,255 line regexes added 2.5 MB to every run.
    run_dfa: OnceLock<Option<Box<super::linedfa::LineDfa>>>,
}

impl LazyRegex {
    fn new(source: &str) -> LazyRegex {
        LazyRegex {
            source: source.to_string(),
            multi_line: false,
            compiled: OnceLock::new(),
            line: OnceLock::new(),
            run_dfa: OnceLock::new(),
        }
    }

    /// A regex that sees whole texts (as [`compile_regex`] compiles it).
    fn multi_line(source: &str) -> LazyRegex {
        LazyRegex {
            multi_line: true,
            ..LazyRegex::new(source)
        }
    }

    /// The regex as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the line `line` (search copy) can hold a match that is not empty as far as its
    /// length and last byte tell (see [`gate::tail`](super::gate::tail)); always for a regex that
    /// sees whole texts. A line that fails costs the regex neither a search nor its compilation.
    pub fn admits(&self, line: &[u8]) -> bool {
        self.multi_line || self.line().0.admits(line)
    }

    /// The tail and stored DFA of a line regex (see [`LazyRegex::line`]).
    fn line(&self) -> &(Box<super::gate::Tail>, Option<Box<builtin::LineDfa>>) {
        self.line.get_or_init(|| {
            let (tail, dfa) = builtin::line_facts(&self.source)
                .unwrap_or_else(|| (super::gate::tail(&self.source), None));
            (Box::new(tail), dfa)
        })
    }

    /// The DFA stored at build time for this regex as it reads one line at a time, if any.
    fn line_dfa(&self) -> Option<&builtin::LineDfa> {
        if self.multi_line {
            return None;
        }
        self.line().1.as_deref()
    }

    /// Whether every match of this line regex is the whole line (see
    /// [`Tail::whole`](super::gate::Tail)): then a line that matches at all is the match, found
    /// without a search for where (never for a regex that sees whole texts).
    pub fn matches_whole_lines(&self) -> bool {
        !self.multi_line && self.line().0.whole
    }

    /// Whether the regex matches `line` (a line regex; the match may be empty). A regex with a
    /// stored DFA asks it; one whose matches are whole lines gets a forward lazy DFA alone (see
    /// [`LineDfa`](super::linedfa::LineDfa)), and the regex library is never compiled for it;
    /// others ask the regex library.
    pub fn is_match_line(&self, line: &[u8]) -> bool {
        if let Some(dfa) = self.line_dfa() {
            return dfa.end(line).is_some();
        }
        let dfa = self.matches_whole_lines().then(|| {
            self.run_dfa
                .get_or_init(|| {
                    super::linedfa::LineDfa::new(&self.source, REGEX_SIZE_LIMIT, LINE_DFA_CACHE)
                        .map(Box::new)
                })
                .as_deref()
        });
        match dfa.flatten() {
            Some(dfa) => dfa.is_match(line),
            None => self.get().is_match(line),
        }
    }

    /// Calls `f` with the start and end of each match in `line` that is not empty (a line
    /// regex), in order.
    pub fn find_line(&self, line: &[u8], mut f: impl FnMut(usize, usize)) {
        match self.line_dfa() {
            // Anchored at the start: the one match starts at 0, and no other can follow it.
            Some(dfa) => {
                if let Some(end) = dfa.end(line).filter(|&e| e > 0) {
                    f(0, end);
                }
            }
            None => {
                for m in self.get().find_iter(line) {
                    if !m.is_empty() {
                        f(m.start(), m.end());
                    }
                }
            }
        }
    }

    /// The compiled regex.
    pub fn get(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            compile_regex_with(&self.source, self.multi_line)
                .expect("validated regex (see PatternSetBuilder::build)")
        })
    }
}

/// Bytes of text the line regexes read before they also run as one set (see [`LineRegexes::late`]).
const FAST_GATES_AFTER: usize = 1 << 20;

/// Longest line, in bytes of the search copy, that the regexes of line and tail rules are tried on:
/// a longer line is an article paragraph, never a chrome line.
pub const REGEX_LINE_LIMIT: usize = 1000;

/// One `RegexSet` over the given regexes, or `None` when there are none.
fn regex_set<S: AsRef<str>>(regexes: &[S], multi_line: bool) -> Result<Option<RegexSet>, String> {
    if regexes.is_empty() {
        return Ok(None);
    }
    RegexSetBuilder::new(regexes.iter().map(AsRef::as_ref))
        .case_insensitive(true)
        .multi_line(multi_line)
        .crlf(true)
        .size_limit(REGEX_SIZE_LIMIT * 64)
        // A roomy lazy-DFA cache: with a small one, a large set thrashes it and the regex engine
        // falls back to its slowest matcher.
        .dfa_size_limit(64 << 20)
        .build()
        .map(Some)
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(limit) => format!(
                "the regexes of the set together compile to more than {limit} bytes; use fewer or \
                 simpler regexes (ASCII classes such as [0-9] and (?-u:\\w) are far smaller)"
            ),
            other => format!("the regexes of the set do not compile together: {other}"),
        })
}

fn compile_regex(r: &str) -> Result<Regex, String> {
    compile_regex_with(r, true)
}

/// `r` compiled as [`compile_regex`] does, refused above `limit` bytes compiled (the message names
/// the cap for rules outside the built-in set).
fn compile_regex_limited(r: &str, limit: usize) -> Result<Regex, String> {
    if limit < REGEX_SIZE_LIMIT
        && let Err(regex::Error::CompiledTooBig(cap)) = RegexBuilder::new(r)
            .case_insensitive(true)
            .multi_line(true)
            .crlf(true)
            .size_limit(limit)
            .build()
    {
        return Err(format!(
            "regex too large: it compiles to more than {cap} bytes, the cap for rules outside the \
             built-in set (docs/reliability.md); simplify it (ASCII classes such as (?-u:\\w) \
             and [0-9] are far smaller)"
        ));
    }
    compile_regex(r)
}

/// The lazy-DFA cache of one line regex, per thread: at most this many bytes.
const LINE_DFA_SIZE: usize = 128 << 10;

/// The cache of a [`LineDfa`](super::linedfa::LineDfa), per thread: at most this many bytes. The
/// built-in date regexes (thousands of NFA states) cleared a 128 KiB cache so often on real
/// pages that the lazy DFA gave up on 10,000 of 30 MB's lines, each then simulated at some
/// 90,000 instructions; at 1 MiB none gives up. A cache grows only as its regex needs states,
/// so the small regexes stay small (peak RSS at `-j 2` fell).
const LINE_DFA_CACHE: usize = 1 << 20;

/// `r` compiled as rules' regexes are; `multi_line` off for a regex that sees one line at a time
/// (then `^` is the start of the text, and a search that cannot start there stops at once).
fn compile_regex_with(r: &str, multi_line: bool) -> Result<Regex, String> {
    RegexBuilder::new(r)
        .case_insensitive(true)
        .multi_line(multi_line)
        .crlf(true)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(if multi_line { 2 << 20 } else { LINE_DFA_SIZE })
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(limit) => {
                format!("regex too large: it compiles to more than {limit} bytes")
            }
            other => {
                let text = other.to_string();
                let last = text.lines().last().unwrap_or("").trim();
                format!("invalid regex: {}", last.trim_start_matches("error: "))
            }
        })
}

/// The regexes of line and tail rules, each compiled for one line at a time, with the gates that
/// say on which lines each can match (see [`gate`](super::gate)).
#[derive(Debug)]
pub(crate) struct LineRegexes {
    /// Each regex and the index of its rule; rules with the same regex share it (it is
    /// built once).
    pub regexes: Vec<(std::sync::Arc<LazyRegex>, usize)>,
    /// The heads of the regexes that have one (see [`gate::head`](super::gate::head)) in one
    /// automaton, run anchored at each line start (ASCII case-insensitive).
    pub heads: Option<super::prefix::PrefixSet>,
    /// For each head literal, the regexes (indices into `regexes`) it admits.
    pub head_targets: Vec<Vec<usize>>,
    /// The gate literals of the other gated regexes (searched for in the document scan, see
    /// [`Scan`]; moved there when the set compiles, empty after).
    gate_literals: Vec<Cow<'static, [u8]>>,
    /// Bytes the line regexes have read so far (all threads).
    read: std::sync::atomic::AtomicUsize,
    /// For each gate literal, the regexes (indices into `regexes`) it admits (moved into the
    /// document scan with `gate_literals`).
    gate_targets: Vec<Vec<usize>>,
    /// The regexes without a gate (those with no usable gate and those whose matches start with
    /// known text), together; they are tried on every line, anchored at its start. Compiled on
    /// first use unless the set has users' files (see [`parsed_from_users`]).
    ungated: OnceLock<Option<RegexSet>>,
    /// The sources of `ungated`.
    ungated_sources: Vec<String>,
    /// For each regex of `ungated`, its index into `regexes`.
    pub ungated_index: Vec<usize>,
    /// The built-in regexes anchored at the line start that have a screen instead of a head or a
    /// gate (see [`gate::screen`](super::gate::screen)): each regex (index into `regexes`) and
    /// whether a line must hold an ASCII digit. Each is compiled only once a line passes its
    /// screen, and tried on its own (a match at the start is a match of the line).
    pub screened: Vec<(usize, bool)>,
    /// The start literals of the screened regexes, run anchored at each line start.
    pub starts: Option<super::prefix::PrefixSet>,
    /// For each start literal, the screened regexes (indices into `screened`) it admits.
    pub start_targets: Vec<Vec<usize>>,
    /// The screened regexes (indices into `screened`) without start literals: any line start.
    pub any_start: Vec<usize>,
    /// The regexes with neither head, gate nor screen that need a line holding an ASCII digit or
    /// one of some literals (see [`gate::holds`](super::gate::holds)): each regex (index into
    /// `regexes`) and its literals. Each is compiled only once a line passes its test, and tried
    /// on its own.
    pub held: Vec<Held>,
    /// The screened, the held and the ungated regexes together, built once the line regexes have read
    /// [`FAST_GATES_AFTER`] bytes: on a large input, one pass of the set over a line costs less
    /// than screening it and trying the regexes that pass one by one.
    late: OnceLock<Option<LineSet>>,
    /// The sources of `late`.
    late_sources: Vec<String>,
    /// For each regex of `late`, its index into `regexes`.
    pub late_index: Vec<usize>,
}

/// Line regexes together, as [`regex_set`] builds them for one line at a time, asked which of
/// them match a line into a [`PatternSet`](regex_automata::PatternSet) the caller keeps: the
/// library's set allocates and frees one for every line (about 350 instructions a line).
#[derive(Debug)]
pub(crate) struct LineSet(regex_automata::meta::Regex);

impl LineSet {
    /// The regexes `sources` together (`None` when there are none), built with the
    /// configuration a `RegexSet` of [`regex_set`] has; its error when they do not build.
    /// That configuration was read from regex 1.13.1 (`regex::builders`): a test fails when
    /// `Cargo.lock` names another version, so that it is read again.
    fn new(sources: &[String]) -> Result<Option<LineSet>, String> {
        use regex_automata::{MatchKind, meta, nfa::thompson::WhichCaptures, util::syntax};
        if sources.is_empty() {
            return Ok(None);
        }
        let built = meta::Builder::new()
            .configure(
                meta::Config::new()
                    .nfa_size_limit(Some(REGEX_SIZE_LIMIT * 64))
                    .hybrid_cache_capacity(64 << 20)
                    .match_kind(MatchKind::All)
                    .utf8_empty(false)
                    .which_captures(WhichCaptures::None),
            )
            .syntax(
                syntax::Config::new()
                    .case_insensitive(true)
                    .multi_line(false)
                    .crlf(true)
                    .utf8(false),
            )
            .build_many(sources);
        match built {
            Ok(re) => Ok(Some(LineSet(re))),
            // The library's set fails alike: its message.
            Err(e) => Err(regex_set(sources, false)
                .err()
                .unwrap_or_else(|| format!("the regexes of the set do not compile together: {e}"))),
        }
    }

    /// A set of the size this one's answers need.
    pub fn pattern_set(&self) -> regex_automata::PatternSet {
        regex_automata::PatternSet::new(self.0.pattern_len())
    }

    /// Sets in `found` (emptied first) the regexes that match somewhere in `line`.
    pub fn matches_into(&self, line: &[u8], found: &mut regex_automata::PatternSet) {
        found.clear();
        self.0
            .which_overlapping_matches(&regex_automata::Input::new(line), found);
    }
}

/// A line regex tried only on lines that hold an ASCII digit or one of its literals (see
/// [`gate::holds`](super::gate::holds)).
#[derive(Debug)]
pub struct Held {
    /// The regex (index into [`LineRegexes::regexes`]).
    pub index: usize,
    /// Its literals, lowered in ASCII.
    literals: Vec<Vec<u8>>,
    /// The regex alone as a set, compiled once a line passes the test: a set is searched by the
    /// lazy DFA as the set of ungated regexes was, where a lone regex on a short line would be
    /// backtracked.
    set: OnceLock<Option<RegexSet>>,
}

impl Held {
    /// Whether the regex `re` matches `line` (which it can only when `line` passes the test).
    pub fn matches(&self, line: &[u8], re: &LazyRegex) -> bool {
        line_holds(line, &self.literals)
            && match re.line_dfa() {
                Some(dfa) => dfa.end(line).is_some(),
                None => self
                    .set
                    .get_or_init(|| regex_set(&[re.source()], false).expect("validated regex set"))
                    .as_ref()
                    .is_some_and(|set| set.matches(line).matched_any()),
            }
    }
}

/// Whether `line` (the search copy) holds an ASCII digit or one of `lits` (lowered in ASCII),
/// ASCII case-insensitively: the test of [`gate::holds`](super::gate::holds).
pub(crate) fn line_holds(line: &[u8], lits: &[Vec<u8>]) -> bool {
    line.iter().any(u8::is_ascii_digit)
        || lits.iter().any(|l| {
            let Some(&first) = l.first() else {
                return false;
            };
            memchr::memchr2_iter(first, first.to_ascii_uppercase(), line).any(|at| {
                line.get(at..at + l.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(l))
            })
        })
}

/// Distinct literals, each with the regexes (indices) or other targets it admits. The literals of
/// the built-in set are borrowed from the binary (see [`builtin::prefilter`]), not copied.
struct LiteralTable<T = usize> {
    index: HashMap<Cow<'static, [u8]>, usize, crate::detect::BuildLineHash>,
    literals: Vec<Cow<'static, [u8]>>,
    targets: Vec<Vec<T>>,
}

impl<T> Default for LiteralTable<T> {
    fn default() -> Self {
        LiteralTable {
            index: HashMap::default(),
            literals: Vec::new(),
            targets: Vec::new(),
        }
    }
}

impl<T: PartialEq + Copy> LiteralTable<T> {
    /// A table with room for `n` distinct literals (which it then reaches without growing).
    fn with_capacity(n: usize) -> Self {
        LiteralTable {
            index: HashMap::with_capacity_and_hasher(n, Default::default()),
            literals: Vec::with_capacity(n),
            targets: Vec::with_capacity(n),
        }
    }

    /// Records that each of `lits` admits regex `regex`.
    fn add<L: Into<Cow<'static, [u8]>>>(&mut self, lits: impl IntoIterator<Item = L>, regex: T) {
        for lit in lits {
            let lit = lit.into();
            let id = match self.index.get(lit.as_ref()) {
                Some(&id) => id,
                None => {
                    self.index.insert(lit.clone(), self.literals.len());
                    self.literals.push(lit);
                    // Most literals admit one target: room for one, not the four a push makes.
                    self.targets.push(Vec::with_capacity(1));
                    self.literals.len() - 1
                }
            };
            if !self.targets[id].contains(&regex) {
                self.targets[id].push(regex);
            }
        }
    }

    /// The literals and their targets, held in no more memory than they need: the index is
    /// dropped, and most literals admit one target (a vector grown by pushes holds room for four).
    fn finish(self) -> (Vec<Cow<'static, [u8]>>, Vec<Vec<T>>) {
        let (mut literals, mut targets) = (self.literals, self.targets);
        literals.shrink_to_fit();
        targets.shrink_to_fit();
        targets.iter_mut().for_each(Vec::shrink_to_fit);
        (literals, targets)
    }
}

impl LineRegexes {
    fn new(sources: Vec<(&str, usize)>, eager: bool) -> Result<LineRegexes, String> {
        let mut regexes = Vec::with_capacity(sources.len());
        let mut shared: HashMap<&str, std::sync::Arc<LazyRegex>> = HashMap::new();
        let mut gates = LiteralTable::default();
        let mut ungated: Vec<(&str, usize)> = Vec::new();
        let mut heads = LiteralTable::default();
        let mut starts = LiteralTable::default();
        let mut screened = Vec::new();
        let mut any_start = Vec::new();
        let mut held = Vec::new();
        let screened_sources: Vec<&str> = sources.iter().map(|(s, _)| *s).collect();
        for (i, (src, rule)) in sources.into_iter().enumerate() {
            use builtin::Prefilter;
            // The built-in literals are borrowed from the binary.
            let known = builtin::prefilter(src)
                .map(|(kind, lits)| (kind, lits.iter().map(Cow::Borrowed).collect::<Vec<_>>()));
            let (kind, lits) = known.unwrap_or_else(|| {
                let (kind, lits) = match super::gate::head(src) {
                    Some(lits) => (Prefilter::Head, lits),
                    None => match super::gate::gate(src) {
                        Some(lits) => (Prefilter::Gate, lits),
                        None => match super::gate::screen(src) {
                            Some((lits, digit)) => (Prefilter::Screen { digit }, lits),
                            None => match super::gate::holds(src) {
                                Some(lits) => (Prefilter::Holds, lits),
                                None => (Prefilter::None, Vec::new()),
                            },
                        },
                    },
                };
                (kind, lits.into_iter().map(Cow::Owned).collect())
            });
            match kind {
                Prefilter::Head => heads.add(lits, i),
                Prefilter::Gate => gates.add(lits, i),
                Prefilter::Screen { digit } => {
                    if lits.is_empty() {
                        any_start.push(screened.len());
                    }
                    starts.add(lits, screened.len());
                    screened.push((i, digit));
                }
                Prefilter::Holds => held.push(Held {
                    index: i,
                    literals: lits.into_iter().map(Cow::into_owned).collect(),
                    set: OnceLock::new(),
                }),
                Prefilter::None => ungated.push((src, i)),
            }
            let re = shared
                .entry(src)
                .or_insert_with(|| std::sync::Arc::new(LazyRegex::new(src)));
            regexes.push((std::sync::Arc::clone(re), rule));
        }
        let (gate_literals, gate_targets) = gates.finish();
        let (head_literals, head_targets) = heads.finish();
        let heads = (!head_literals.is_empty())
            .then(|| builtin::prefix_set(head_literals.iter().map(AsRef::as_ref)));
        let late: Vec<(&str, usize)> = screened
            .iter()
            .map(|&(i, _)| (screened_sources[i], i))
            .chain(held.iter().map(|h| (screened_sources[h.index], h.index)))
            .chain(ungated.iter().copied())
            .collect();
        let (start_literals, start_targets) = starts.finish();
        let starts = (!start_literals.is_empty())
            .then(|| builtin::prefix_set(start_literals.iter().map(AsRef::as_ref)));
        LineRegexes {
            regexes,
            heads,
            head_targets,
            gate_literals,
            read: Default::default(),
            gate_targets,
            ungated_index: ungated.iter().map(|(_, i)| *i).collect(),
            ungated_sources: ungated.iter().map(|(s, _)| s.to_string()).collect(),
            ungated: OnceLock::new(),
            screened,
            starts,
            start_targets,
            any_start,
            held,
            late: OnceLock::new(),
            late_index: late.iter().map(|(_, i)| *i).collect(),
            late_sources: late.iter().map(|(s, _)| s.to_string()).collect(),
        }
        .compiled_if(eager)
    }

    /// `self`, with the ungated regexes compiled now when `eager`.
    fn compiled_if(self, eager: bool) -> Result<LineRegexes, String> {
        if eager {
            let set = regex_set(&self.ungated_sources, false)?;
            let _ = self.ungated.set(set);
            if !self.screened.is_empty() || !self.held.is_empty() {
                // Built now so that a set too large together fails at load, not mid-run.
                let late = LineSet::new(&self.late_sources)?;
                let _ = self.late.set(late);
            }
        }
        Ok(self)
    }

    /// Counts `len` more bytes read by the line regexes (see [`LineRegexes::late`]).
    pub fn count_read(&self, len: usize) {
        if self.late.get().is_none() {
            self.read
                .fetch_add(len, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// The screened and ungated regexes together (see [`LineRegexes::late`]), once the line
    /// regexes have read enough; `None` before (or when there are none).
    pub fn late(&self) -> Option<&LineSet> {
        if let Some(set) = self.late.get() {
            return set.as_ref();
        }
        if (self.screened.is_empty() && self.held.is_empty())
            || self.read.load(std::sync::atomic::Ordering::Relaxed) < FAST_GATES_AFTER
        {
            return None;
        }
        self.late
            .get_or_init(|| LineSet::new(&self.late_sources).expect("validated regex set"))
            .as_ref()
    }

    /// The ungated regexes together (see [`LineRegexes::ungated`]).
    pub fn ungated(&self) -> Option<&RegexSet> {
        self.ungated
            .get_or_init(|| regex_set(&self.ungated_sources, false).expect("validated regex set"))
            .as_ref()
    }

    /// Whether there are no line regexes at all.
    pub fn is_empty(&self) -> bool {
        self.regexes.is_empty()
    }
}

/// What a literal of the document scan (see [`Scan`]) is searched for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScanTarget {
    /// A gate literal of the line regex with this index (into [`LineRegexes::regexes`]): the
    /// regex runs on a line that holds it.
    Line(usize),
    /// A gate literal of the sentence regex with this index (into [`Inner::regexes`]): the regex
    /// runs on a document that holds it.
    Sentence(usize),
    /// A signature phrase of the pack with this index: it switches the pack on (see
    /// [`Packs::active_from`](super::pack::Packs::active_from)).
    Signature(usize),
}

/// The one scan of each document's search copy: every literal whose occurrence anywhere matters,
/// in one automaton (ASCII case-insensitive, all occurrences): the gates of the line regexes, the
/// gates of the sentence regexes and the packs' signatures. Phrases need no scan (they are looked
/// up per line, or probed at line and sentence starts: see [`detect`](crate::detect)).
#[derive(Debug)]
pub(crate) struct Scan {
    /// For each literal, what it is searched for.
    pub targets: Vec<Vec<ScanTarget>>,
    /// The literals, kept to build `fast` from.
    literals: Vec<Cow<'static, [u8]>>,
    /// The distinct literals (in ASCII case) in a trie, probed at every position of the first
    /// [`SCAN_FAST_AFTER`] bytes of a run: it costs about 100 M instructions less to build than the
    /// automaton (the built-in set), which pays for itself only on longer inputs.
    trie: Option<super::prefix::PrefixSet>,
    /// For each literal of `trie`, the literals (indices, ascending) equal to it in ASCII case.
    trie_literals: Vec<Vec<usize>>,
    /// Bytes scanned so far (all threads), until `fast` is built.
    read: std::sync::atomic::AtomicUsize,
    /// The literals for a fast scan (see [`LiteralScan`](super::scan::LiteralScan)), built once a
    /// run has scanned [`SCAN_FAST_AFTER`] bytes (`None` if there are too many). It replaced a
    /// contiguous NFA (about 90 instructions a byte of real pages, ~110 M to build); a DFA took
    /// ~50 MB and ~700 M instructions to build (benches/README.md).
    fast: OnceLock<Option<super::scan::LiteralScan>>,
}

/// Bytes a run scans with the trie before it builds the fast scan (about 10 M instructions for
/// the built-in set, while the trie is read from the binary). The trie costs about 200
/// instructions a byte of real pages against the fast scan's 30.
const SCAN_FAST_AFTER: usize = 64 << 10;

impl Scan {
    fn new(table: LiteralTable<ScanTarget>) -> Scan {
        // Equal literals in ASCII case share a trie entry; each is reported.
        let (literals, targets) = table.finish();
        let (trie_keys, trie_literals) = super::scan::group_lowered(&literals);
        let trie = (!trie_keys.is_empty())
            .then(|| builtin::prefix_set(trie_keys.iter().map(Vec::as_slice)));
        Scan {
            targets,
            literals,
            trie,
            trie_literals,
            read: Default::default(),
            fast: OnceLock::new(),
        }
    }

    /// The fast scan, once the run has scanned enough to pay for its build.
    fn fast(&self, len: usize) -> Option<&super::scan::LiteralScan> {
        if let Some(fast) = self.fast.get() {
            return fast.as_ref();
        }
        let read = self
            .read
            .fetch_add(len, std::sync::atomic::Ordering::Relaxed);
        if read < SCAN_FAST_AFTER {
            return None;
        }
        self.fast
            .get_or_init(|| super::scan::LiteralScan::new(&self.literals).ok())
            .as_ref()
    }

    /// Appends every occurrence of every literal in `hay` to `found` as `(start, end, literal)`,
    /// in the order of their ends (then of their starts, then of the literals), as the library's
    /// overlapping search reports them.
    pub fn find(&self, hay: &[u8], found: &mut Vec<(usize, usize, usize)>) {
        match self.fast(hay.len()) {
            Some(fast) => fast.find(hay, found),
            None => self.find_trie(hay, found),
        }
    }

    /// [`Scan::find`] by probing the trie at every position.
    fn find_trie(&self, hay: &[u8], found: &mut Vec<(usize, usize, usize)>) {
        let Some(trie) = self.trie.as_ref() else {
            return;
        };
        let from = found.len();
        for i in 0..hay.len() {
            if !trie.can_start(hay[i]) {
                continue;
            }
            trie.prefixes_of(&hay[i..], |k, len| {
                for &lit in &self.trie_literals[k] {
                    found.push((i, i + len, lit));
                }
            });
        }
        found[from..].sort_unstable_by_key(|&(start, end, lit)| (end, start, lit));
    }
}

/// The gate of a sentence regex (see [`gate`](super::gate)): literals one of which every match
/// holds. `None` (the regex runs on every document) when it has none.
fn sentence_gate(source: &str) -> Option<Vec<Vec<u8>>> {
    use builtin::Prefilter;
    let lits = match builtin::prefilter(source) {
        // Every match begins with a head literal, so it holds one.
        Some((Prefilter::Head | Prefilter::Gate, lits)) => {
            lits.iter().map(|l| l.to_vec()).collect()
        }
        Some(_) => return None,
        None => super::gate::head(source).or_else(|| super::gate::gate(source))?,
    };
    (!lits.is_empty() && lits.iter().all(|l| !l.is_empty())).then_some(lits)
}

/// A compiled, immutable set of rules. Cheap to clone (an `Arc` inside) and shared across threads.
#[derive(Debug, Clone)]
pub struct PatternSet {
    inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub rules: Vec<Arc<Rule>>,
    /// Every distinct literal (phrase and block marker) of every rule, normalised.
    literal_list: Vec<Cow<'static, str>>,
    /// The same literals in one automaton, built on first use (by [`detect`](crate::detect::detect),
    /// which scans whole texts; cleaning never needs it).
    literals: OnceLock<Option<AhoCorasick>>,
    /// For each literal, the rules and roles it serves.
    pub literal_targets: Vec<Vec<(usize, Role)>>,
    /// The literals that can remove something from the start of a line or a sentence other than as
    /// a whole line (phrases of sentence rules and of rules with `max_chars`, block starts), as a
    /// compact NFA run anchored at chosen positions only (see `detect`); absent above
    /// [`DFA_PHRASE_LIMIT`] literals in all.
    pub anchored: Option<super::prefix::PrefixSet>,
    /// Too many literals to probe chosen positions: cleaning scans whole texts as [`detect`](crate::detect::detect) does.
    pub full_scan: bool,
    /// For each pattern of `anchored`, the rules and roles it serves there.
    pub anchored_targets: Vec<Vec<(usize, Role)>>,
    /// Phrases whose rules remove a line only when the phrase is the whole trimmed line (line, tail
    /// and section rules without `max_chars`), ASCII lower-cased, to the rules and roles they serve:
    /// looked up once per line instead of searched for.
    pub whole_lines: HashMap<Cow<'static, [u8]>, Vec<(usize, Role)>, crate::detect::BuildLineHash>,
    /// Length in bytes of the longest key of `whole_lines`.
    pub whole_line_max: usize,
    /// Bytes (either ASCII case) that begin a key of `whole_lines`.
    pub whole_line_first: [bool; 256],
    /// Bytes (either ASCII case) that end a key of `whole_lines`.
    pub whole_line_last: [bool; 256],
    /// The block end markers (and the phrases of sentence rules and block starts, which may count
    /// away from the probed positions) in one trie (see [`Inner::window`]), built on first use.
    window: OnceLock<Option<super::prefix::PrefixSet>>,
    /// The literals of `window` (indices into `literal_list`).
    window_literals: Vec<usize>,
    /// For each pattern of `window`, the rules and roles it serves.
    pub window_targets: Vec<Vec<(usize, Role)>>,
    /// The sentence regexes without a gate (see [`Scan`]), to learn in one pass which of them
    /// match a document.
    pub regex_set: Option<RegexSet>,
    /// For each regex of `regex_set`, its index into `regexes`.
    pub regex_set_index: Vec<usize>,
    /// No gate literal of a sentence regex holds a line break (`\n` or `\r`), so each of their
    /// occurrences lies within one line: a document's later passes can learn which sentence
    /// regexes to run from its lines (see [`LineMemo`](crate::detect::LineMemo)).
    pub sentence_gates_in_lines: bool,
    /// No literal of `anchored` holds a line break, so what the probes of a line find depends
    /// on that line alone: a document's later passes take the hits of the lines a removal left
    /// as they were from the pass before (see [`LineMemo`](crate::detect::LineMemo)).
    pub anchored_in_lines: bool,
    /// Each sentence regex and its rule.
    pub regexes: Vec<(LazyRegex, usize)>,
    /// The one scan of each document (line and sentence regex gates, pack signatures).
    pub scan: Scan,
    /// The regexes of line and tail rules, tried line by line.
    pub line: LineRegexes,
    /// Indices of the run rules, which need no detection pass.
    pub run_rules: Vec<usize>,
    /// Indices of the section rules opened by other rules' removals (`opened_by`).
    pub opened_sections: Vec<usize>,
    /// The publisher packs and the pack of each rule.
    pub packs: Packs,
}

impl Inner {
    /// Every literal in one automaton (see [`Inner::literals`]), `None` when there are none.
    pub fn literals(&self) -> Option<&AhoCorasick> {
        self.literals
            .get_or_init(|| {
                let literals = &self.literal_list;
                (!literals.is_empty()).then(|| {
                    let kind =
                        (literals.len() <= FULL_SCAN_DFA_LIMIT).then_some(AhoCorasickKind::DFA);
                    AhoCorasick::builder()
                        .ascii_case_insensitive(true)
                        .match_kind(MatchKind::Standard)
                        .kind(kind)
                        .build(literals.iter().map(|l| l.as_bytes()))
                        .expect("automaton within limits")
                })
            })
            .as_ref()
    }

    /// The window's literals in a trie, probed at every position of a block's lines: block ends
    /// count anywhere within them. Built when a document first has a block start (for the
    /// built-in set, read from the binary: an automaton cost about 16 M instructions to build,
    /// more than probing the few lines after a block start costs).
    pub fn window(&self) -> Option<&super::prefix::PrefixSet> {
        self.window
            .get_or_init(|| {
                (!self.window_literals.is_empty()).then(|| {
                    builtin::prefix_set(
                        (self.window_literals.iter()).map(|&i| self.literal_list[i].as_bytes()),
                    )
                })
            })
            .as_ref()
    }

    /// Length in bytes of the window's longest literal.
    pub fn window_max_len(&self) -> usize {
        (self.window_literals.iter())
            .map(|&i| self.literal_list[i].len())
            .max()
            .unwrap_or(0)
    }

    /// Whether the set has no literal at all.
    pub fn has_literals(&self) -> bool {
        !self.literal_list.is_empty()
    }
}

/// The rules and roles one literal serves.
type Targets = Vec<(usize, Role)>;

/// Does a hit of this rule and role remove something only when its literal is the whole trimmed
/// line? (See `line_qualifies` in the filter: line, tail and section rules without `max_chars`.)
fn whole_line_only(rule: &Rule, role: Role) -> bool {
    role == Role::Phrase
        && matches!(rule.scope, Scope::Line | Scope::Tail | Scope::Section)
        && rule.max_chars.is_none()
}

impl PatternSet {
    /// The built-in pattern set.
    pub fn builtin() -> Result<PatternSet, PatternError> {
        PatternSetBuilder::new().builtin().build()
    }

    /// Compiles `rules`; `normalized[i]`, when known, holds rule `i`'s phrases, then its start and
    /// end markers, normalised (as `build.rs` gives them for the built-in rules).
    fn compile(
        rules: Vec<Arc<Rule>>,
        normalized: &[Option<builtin::StrList>],
        packs: Packs,
        eager: bool,
    ) -> Result<PatternSet, String> {
        // Keyed by bytes: the line hasher hashes a slice's bytes (a `str` would add a suffix).
        // The built-in literals are borrowed from the binary.
        let mut index: HashMap<Cow<'static, str>, usize, crate::detect::BuildLineHash> =
            HashMap::default();
        let mut literals: Vec<Cow<'static, str>> = Vec::new();
        let mut targets: Vec<Vec<(usize, Role)>> = Vec::new();
        let mut regexes = Vec::new();
        let mut line_sources: Vec<(&str, usize)> = Vec::new();
        for (ri, rule) in rules.iter().enumerate() {
            let mut known = normalized.get(ri).copied().flatten().map(|n| n.iter());
            let lists = [
                (&rule.phrases, Role::Phrase),
                (&rule.start, Role::Start),
                (&rule.end, Role::End),
            ];
            for (list, role) in lists {
                for p in list {
                    let key = match known.as_mut().and_then(Iterator::next) {
                        Some(k) => Cow::Borrowed(k),
                        None => Cow::Owned(normalize::phrase(p)),
                    };
                    let id = match index.get(key.as_ref()) {
                        Some(&id) => id,
                        None => {
                            index.insert(key.clone(), literals.len());
                            literals.push(key);
                            targets.push(Vec::with_capacity(1));
                            literals.len() - 1
                        }
                    };
                    if !targets[id].contains(&(ri, role)) {
                        targets[id].push((ri, role));
                    }
                }
            }
            for r in &rule.regexes {
                if matches!(rule.scope, Scope::Line | Scope::Tail | Scope::Section) {
                    // Compiled for one line at a time by `LineRegexes`.
                    line_sources.push((r.as_ref(), ri));
                } else {
                    // Compiled when the set finds it in a document; the set below compiles it
                    // together with the others now.
                    regexes.push((LazyRegex::multi_line(r), ri));
                }
            }
        }
        // Only the literals and their targets are kept, in no more memory than they need.
        drop(index);
        literals.shrink_to_fit();
        targets.shrink_to_fit();
        targets.iter_mut().for_each(Vec::shrink_to_fit);
        // Split the literals by how they can remove something: as whole lines (a lookup), from
        // probed line and sentence starts (the anchored automaton), anywhere within a block (the
        // window trie).
        // Sized at once: a table grown by inserts holds its old and new buckets at its last growth.
        let whole_count = (targets.iter())
            .filter(|ts| {
                ts.iter()
                    .any(|&(ri, role)| whole_line_only(&rules[ri], role))
            })
            .count();
        let mut whole_lines: HashMap<
            Cow<'static, [u8]>,
            Vec<(usize, Role)>,
            crate::detect::BuildLineHash,
        > = HashMap::with_capacity_and_hasher(whole_count, Default::default());
        let mut anchored_literals: Vec<&str> = Vec::new();
        let mut anchored_targets: Vec<Vec<(usize, Role)>> = Vec::new();
        let mut window_literals: Vec<usize> = Vec::new();
        let mut window_targets: Vec<Vec<(usize, Role)>> = Vec::new();
        for (li, (lit, ts)) in literals.iter().zip(&targets).enumerate() {
            let (mut whole, rest): (Targets, Targets) = ts
                .iter()
                .partition(|&&(ri, role)| whole_line_only(&rules[ri], role));
            if !whole.is_empty() {
                whole.shrink_to_fit();
                // A built-in literal is normalised, so lower case already: borrowed.
                let key = match lit {
                    Cow::Borrowed(l) if !l.bytes().any(|b| b.is_ascii_uppercase()) => {
                        Cow::Borrowed(l.as_bytes())
                    }
                    _ => Cow::Owned(lit.as_bytes().to_ascii_lowercase()),
                };
                whole_lines.insert(key, whole);
            }
            let mut probed: Vec<(usize, Role)> = rest
                .iter()
                .copied()
                .filter(|&(_, role)| role != Role::End)
                .collect();
            probed.shrink_to_fit();
            if !probed.is_empty() {
                anchored_literals.push(lit);
                anchored_targets.push(probed);
            }
            if rest
                .iter()
                .any(|&(ri, role)| role != Role::Phrase || rules[ri].scope == Scope::Sentence)
            {
                window_literals.push(li);
                window_targets.push(ts.clone());
            }
        }
        let whole_line_max = whole_lines.keys().map(|k| k.len()).max().unwrap_or(0);
        let mut whole_line_first = [false; 256];
        let mut whole_line_last = [false; 256];
        for k in whole_lines.keys().filter(|k| !k.is_empty()) {
            for (table, b) in [
                (&mut whole_line_first, k[0]),
                (&mut whole_line_last, k[k.len() - 1]),
            ] {
                table[usize::from(b)] = true;
                table[usize::from(b.to_ascii_uppercase())] = true;
            }
        }
        let full_scan = literals.len() > DFA_PHRASE_LIMIT;
        let anchored_in_lines = !anchored_literals.iter().any(|l| l.contains('\n'));
        let anchored = (!anchored_literals.is_empty() && !full_scan)
            .then(|| builtin::prefix_set(anchored_literals.iter().map(|l| l.as_bytes())));
        // Line, tail and section rules only ever remove from a line their regex matches, so their regexes run line
        // by line on lines of at most REGEX_LINE_LIMIT bytes; sentence rules' regexes see the whole text.
        let mut line = LineRegexes::new(line_sources, eager)?;
        // The document scan: the line regexes' gates, the sentence regexes' gates, the packs'
        // signatures. A sentence regex without a gate joins the set run over every document.
        // The line regexes' gates move into it (the set keeps them only there).
        let gate_literals = std::mem::take(&mut line.gate_literals);
        let mut scan = LiteralTable::<ScanTarget>::with_capacity(
            gate_literals.len() + packs.signature_phrases.len(),
        );
        let gate_targets = std::mem::take(&mut line.gate_targets);
        for (lit, ts) in gate_literals.into_iter().zip(gate_targets) {
            for t in ts {
                scan.add([lit.clone()], ScanTarget::Line(t));
            }
        }
        let mut ungated: Vec<&str> = Vec::new();
        let mut regex_set_index = Vec::new();
        let mut sentence_gates_in_lines = true;
        for (i, (r, _)) in regexes.iter().enumerate() {
            match sentence_gate(&r.source) {
                Some(lits) => {
                    sentence_gates_in_lines &= !lits
                        .iter()
                        .any(|l| l.contains(&b'\n') || l.contains(&b'\r'));
                    scan.add(lits, ScanTarget::Sentence(i));
                }
                None => {
                    ungated.push(r.source.as_str());
                    regex_set_index.push(i);
                }
            }
        }
        for (phrase, &pack) in packs.signature_phrases.iter().zip(&packs.signature_pack) {
            if !phrase.is_empty() {
                scan.add(
                    [phrase.as_bytes().to_ascii_lowercase()],
                    ScanTarget::Signature(pack),
                );
            }
        }
        let scan = Scan::new(scan);
        let regex_set = regex_set(&ungated, true)?;
        let run_rules = (0..rules.len())
            .filter(|&i| rules[i].scope == Scope::Run)
            .collect();
        let opened_sections = (0..rules.len())
            .filter(|&i| rules[i].scope == Scope::Section && !rules[i].opened_by.is_empty())
            .collect();
        Ok(PatternSet {
            inner: Arc::new(Inner {
                packs,
                run_rules,
                opened_sections,
                rules,
                literal_list: literals,
                literals: OnceLock::new(),
                anchored,
                full_scan,
                anchored_targets,
                whole_lines,
                whole_line_max,
                whole_line_first,
                whole_line_last,
                window: OnceLock::new(),
                window_literals,
                window_targets,
                literal_targets: targets,
                regex_set,
                regex_set_index,
                sentence_gates_in_lines,
                anchored_in_lines,
                regexes,
                scan,
                line,
            }),
        })
    }

    /// The rules, in the order their files were added.
    pub fn rules(&self) -> &[Arc<Rule>] {
        &self.inner.rules
    }

    /// The rule with this index (as carried by findings and removals).
    pub fn rule(&self, index: usize) -> &Arc<Rule> {
        &self.inner.rules[index]
    }

    /// Every distinct normalised literal of the set (phrases and block markers), for export to other
    /// tools such as `grep -F -f`.
    pub fn literals(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for rule in self.rules() {
            for p in rule.phrases.iter().chain(&rule.start).chain(&rule.end) {
                out.push(normalize::phrase(p));
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Rules of the given scope.
    pub fn rules_with_scope(&self, scope: Scope) -> impl Iterator<Item = &Arc<Rule>> {
        self.rules().iter().filter(move |r| r.scope == scope)
    }

    /// The publisher packs of the set (files with a `[pack]` table), in the order first declared.
    pub fn packs(&self) -> &[Pack] {
        &self.inner.packs.packs
    }

    /// Which packs apply to a document: those `publisher` names (a pack name, a publisher name, a
    /// host or a URL), or, when it is `None`, those whose signature phrases occur in `text`.
    pub fn active_packs(&self, text: &[u8], publisher: Option<&str>) -> ActivePacks {
        self.inner.packs.active(text, publisher)
    }

    /// Whether the rule with this index applies under `active`: it belongs to no pack, or to an
    /// active one.
    pub fn rule_applies(&self, active: &ActivePacks, rule: usize) -> bool {
        self.inner.packs.allows(active, rule)
    }

    /// Checks that `publisher` (a pack name, a publisher name, a host or a URL) names at least one
    /// pack of the set; the error says so and lists the set's pack names.
    pub fn check_publisher(&self, publisher: &str) -> Result<(), Error> {
        let packs = self.packs();
        if packs.iter().any(|p| p.is_named(publisher)) {
            return Ok(());
        }
        let mut names: Vec<&str> = packs.iter().map(|p| p.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        Err(Error::Usage(if names.is_empty() {
            format!("unknown publisher {publisher:?}: the pattern set has no publisher packs")
        } else {
            format!(
                "unknown publisher {publisher:?}: no pack has that name, publisher name or host \
                 (packs: {})",
                names.join(", ")
            )
        }))
    }

    /// Whether any rule of the set belongs to a pack.
    pub fn has_packs(&self) -> bool {
        !self.inner.packs.packs.is_empty()
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Start-up skips compiling the built-in regexes to check them (see
    /// [`PatternSetBuilder::builtin`]); this is that check.
    #[test]
    fn the_builtin_regexes_compile() {
        let set = PatternSet::builtin().unwrap();
        let mut n = 0;
        for rule in set.rules() {
            for r in &rule.regexes {
                compile_regex(r).unwrap();
                compile_regex_with(r, false).unwrap();
                n += 1;
            }
        }
        assert!(n > 100);
        let line = &set.inner().line;
        // Every built-in line regex has a prefilter: none is tried on every line.
        assert!(line.ungated().is_none());
        assert!(!line.held.is_empty());
        for h in &line.held {
            assert!(h.matches(b"3 hours ago", &line.regexes[h.index].0));
        }
        for (re, _) in &line.regexes {
            re.get();
        }
        // The sets built only once a run has read a megabyte must compile too: a failure there
        // would surface only on large inputs.
        assert!(regex_set(&line.late_sources, false).unwrap().is_some());
        for (re, _) in &set.inner().regexes {
            re.get();
        }
    }

    /// A line regex costs little until it is used: the built-in set holds over a thousand, and
    /// a matcher kept inline (a lazy DFA is kilobytes) once added megabytes to every run.
    #[test]
    fn a_lazy_regex_is_small_until_used() {
        assert!(
            std::mem::size_of::<LazyRegex>() <= 256,
            "{}",
            std::mem::size_of::<LazyRegex>()
        );
    }

    /// The version of the regex crate whose `RegexSet` configuration [`LineSet::new`] repeats.
    const REGEX_VERSION_READ: &str = "1.13.1";

    /// [`LineSet::new`] repeats the configuration of the regex crate's `RegexSet` as of
    /// [`REGEX_VERSION_READ`]: another version in `Cargo.lock` asks for it to be read again.
    #[test]
    fn the_line_set_follows_the_regex_version_it_was_read_from() {
        let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock"))
            .expect("Cargo.lock");
        let entry = format!("name = \"regex\"\nversion = \"{REGEX_VERSION_READ}\"\n");
        assert!(
            lock.contains(&entry),
            "Cargo.lock holds another regex than {REGEX_VERSION_READ}: compare its RegexSet \
             configuration (regex::builders) with LineSet::new, then update REGEX_VERSION_READ"
        );
    }

    /// The distinct lines of every fixture, as the search copy and as the line regexes see them
    /// (no `\r`, none empty or longer than [`REGEX_LINE_LIMIT`]).
    fn fixture_search_lines() -> Vec<Vec<u8>> {
        let mut lines: Vec<Vec<u8>> = Vec::new();
        for text in fixture_texts() {
            let norm = normalize::Normalized::new(&text);
            lines.extend(
                (norm.text().split(|&b| b == b'\n'))
                    .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
                    .filter(|l| !l.is_empty() && l.len() <= REGEX_LINE_LIMIT)
                    .map(<[u8]>::to_vec),
            );
        }
        lines.sort_unstable();
        lines.dedup();
        lines
    }

    /// Every built-in line regex whose matches are whole lines gives, through its lazy DFA, the
    /// regex library's answer on every line of every fixture it admits (as the search copy).
    #[test]
    fn the_builtin_whole_line_regexes_answer_as_the_library() {
        let set = PatternSet::builtin().unwrap();
        let lines = fixture_search_lines();
        let (mut whole, mut matched) = (0, 0);
        for (re, _) in &set.inner().line.regexes {
            if !re.matches_whole_lines() {
                continue;
            }
            whole += 1;
            for line in lines.iter().filter(|l| re.admits(l)) {
                let want = re.get().is_match(line);
                assert_eq!(
                    re.is_match_line(line),
                    want,
                    "{} on {:?}",
                    re.source(),
                    String::from_utf8_lossy(line)
                );
                matched += usize::from(want);
            }
        }
        assert!(
            whole > 1000 && matched > 500,
            "{whole} regexes, {matched} matches"
        );
    }

    /// Line regexes of the same text are one regex, built once (the built-in set has some).
    #[test]
    fn line_regexes_of_the_same_text_are_shared() {
        let set = PatternSet::builtin().unwrap();
        let regexes = &set.inner().line.regexes;
        let mut by_source: HashMap<&str, &std::sync::Arc<LazyRegex>> = HashMap::new();
        let mut shared = 0;
        for (re, _) in regexes {
            match by_source.get(re.source()) {
                Some(first) => {
                    assert!(std::sync::Arc::ptr_eq(first, re), "{}", re.source());
                    shared += 1;
                }
                None => {
                    by_source.insert(re.source(), re);
                }
            }
        }
        assert!(shared > 0);
    }

    /// The late set of the built-in line regexes answers, on every fixture line (as the search
    /// copy), as the library's set of the same regexes does.
    #[test]
    fn the_late_set_answers_as_the_library_set() {
        let set = PatternSet::builtin().unwrap();
        let line = &set.inner().line;
        let ours = LineSet::new(&line.late_sources).unwrap().unwrap();
        let library = regex_set(&line.late_sources, false).unwrap().unwrap();
        let mut found = ours.pattern_set();
        let mut matched = 0;
        for text in fixture_texts() {
            let norm = normalize::Normalized::new(&text);
            for l in norm.text().split(|&b| b == b'\n') {
                let l = l.strip_suffix(b"\r").unwrap_or(l);
                ours.matches_into(l, &mut found);
                let got: Vec<usize> = found.iter().map(|p| p.as_usize()).collect();
                let want: Vec<usize> = library.matches(l).iter().collect();
                assert_eq!(got, want, "{:?}", String::from_utf8_lossy(l));
                matched += usize::from(!want.is_empty());
            }
        }
        assert!(matched > 50, "{matched} lines matched");
    }

    /// The tail test of every built-in line regex (length, and the bytes at either end of a
    /// line) turns away no fixture line (as the search copy) that the regex finds a match in
    /// that is not empty: a line it turns away costs the regex neither a search nor its build.
    #[test]
    fn the_builtin_tails_turn_away_no_line_with_a_match() {
        let set = PatternSet::builtin().unwrap();
        let lines = fixture_search_lines();
        let (mut turned, mut matched) = (0, 0);
        for (re, _) in &set.inner().line.regexes {
            for line in &lines {
                let found =
                    re.get().is_match(line) && re.get().find_iter(line).any(|m| !m.is_empty());
                matched += usize::from(found);
                if re.admits(line) {
                    continue;
                }
                turned += 1;
                assert!(
                    !found,
                    "{} matches {:?}",
                    re.source(),
                    String::from_utf8_lossy(line)
                );
            }
        }
        assert!(
            turned > 1_000_000 && matched > 500,
            "{turned} turned away, {matched} matches"
        );
    }

    proptest::proptest! {
        /// The scan's trie and its fast scan find what the library's overlapping search finds,
        /// in the same order, ASCII case-insensitively.
        #[test]
        fn the_scan_finds_every_occurrence(
            lits in proptest::collection::vec("[abAB©é ]{1,4}", 1..10),
            text in "[abcABC©é \n]{0,40}",
        ) {
            let mut table = LiteralTable::default();
            for (i, lit) in lits.iter().enumerate() {
                table.add([lit.as_bytes().to_vec()], ScanTarget::Line(i));
            }
            let ac = AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&table.literals)
                .unwrap();
            let want: Vec<(usize, usize, usize)> = ac
                .find_overlapping_iter(text.as_bytes())
                .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
                .collect();
            let scan = Scan::new(table);
            let mut got = Vec::new();
            scan.find(text.as_bytes(), &mut got);
            proptest::prop_assert_eq!(&got, &want);
            // Past the first bytes of a run, the fast scan finds the same.
            scan.read.store(SCAN_FAST_AFTER, std::sync::atomic::Ordering::Relaxed);
            got.clear();
            scan.find(text.as_bytes(), &mut got);
            proptest::prop_assert!(scan.fast.get().is_some());
            proptest::prop_assert_eq!(got, want);
        }
    }

    /// The built-in set, its fast scan and the library's overlapping search over its scan's
    /// literals, which both of the scan's paths must agree with.
    static BUILTIN_SCAN: std::sync::LazyLock<(
        PatternSet,
        super::super::scan::LiteralScan,
        AhoCorasick,
    )> = std::sync::LazyLock::new(|| {
        let set = PatternSet::builtin().unwrap();
        let literals = &set.inner().scan.literals;
        let fast = super::super::scan::LiteralScan::new(literals).unwrap();
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(literals)
            .unwrap();
        (set, fast, ac)
    });

    /// Asserts that the built-in set's trie and fast scan find in `text` what the library finds;
    /// returns how many they found.
    fn scan_agrees(text: &[u8]) -> usize {
        let (set, fast, ac) = &*BUILTIN_SCAN;
        let want: Vec<(usize, usize, usize)> = ac
            .find_overlapping_iter(text)
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect();
        let mut got = Vec::new();
        set.inner().scan.find_trie(text, &mut got);
        assert_eq!(got, want, "trie: {:?}", String::from_utf8_lossy(text));
        got.clear();
        fast.find(text, &mut got);
        assert_eq!(got, want, "fast: {:?}", String::from_utf8_lossy(text));
        got.len()
    }

    /// The built-in set's scan agrees with the library on every fixture, as written and as the
    /// search copy the scan reads.
    #[test]
    fn the_builtin_scan_agrees_on_every_fixture() {
        let (mut files, mut found) = (0, 0);
        for text in fixture_texts() {
            found += scan_agrees(&text);
            found += scan_agrees(normalize::Normalized::new(&text).text());
            files += 1;
        }
        assert!(files > 400 && found > 1000, "{files} files, {found} found");
    }

    /// The bytes of every file under `fixtures/`.
    fn fixture_texts() -> Vec<Vec<u8>> {
        let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")];
        let mut texts = Vec::new();
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                } else {
                    texts.push(std::fs::read(&p).unwrap());
                }
            }
        }
        texts
    }

    proptest::proptest! {
        /// The built-in set's scan agrees with the library on texts made of its literals, in
        /// either case, cut short, glued together or apart.
        #[test]
        fn the_builtin_scan_agrees_on_its_literals(
            parts in proptest::collection::vec(
                (proptest::prelude::any::<proptest::sample::Index>(),
                 proptest::prelude::any::<u64>(), 0..3usize, 0..4usize),
                0..12,
            ),
        ) {
            let literals = &BUILTIN_SCAN.0.inner().scan.literals;
            let mut text = Vec::new();
            for (i, case, cut, sep) in parts {
                let lit = &literals[i.index(literals.len())];
                let kept = lit.len().saturating_sub(cut).max(1);
                text.extend(lit[..kept].iter().enumerate().map(|(k, b)| {
                    if case >> (k % 64) & 1 == 1 { b.to_ascii_uppercase() } else { *b }
                }));
                text.extend_from_slice([&b""[..], b" ", b"\n", b"x"][sep]);
            }
            scan_agrees(&text);
        }
    }

    /// The rules and packs `build.rs` read from the built-in files are those the TOML parser
    /// reads, and no built-in file is left to be parsed at run time.
    #[test]
    fn the_builtin_files_read_at_build_time_are_current() {
        use super::super::builtin;
        for (k, (path, src)) in builtin::files().iter().enumerate() {
            let f = builtin::parsed(k).unwrap_or_else(|| panic!("{path} is parsed at run time"));
            let mut diags = Vec::new();
            let want = file::parse(path, src, &mut diags);
            assert!(diags.is_empty(), "{diags:?}");
            let want_rules: Vec<Rule> = want.rules.into_iter().map(|r| r.rule).collect();
            assert_eq!(f.rules(path).collect::<Vec<_>>(), want_rules, "{path}");
            assert_eq!(f.pack(path), want.pack, "{path}");
            for (rule, sr) in f.rules(path).zip(f.static_rules()) {
                let want: Vec<String> = (rule.phrases.iter().chain(&rule.start).chain(&rule.end))
                    .map(|p| normalize::phrase(p))
                    .collect();
                assert_eq!(
                    sr.normalized().iter().collect::<Vec<_>>(),
                    want,
                    "{}",
                    rule.id
                );
            }
        }
    }

    /// A user's file that repeats a built-in id is told where the built-in rule stands, and a
    /// built-in file added after it is reported at the built-in id.
    #[test]
    fn a_duplicate_of_a_builtin_id_is_reported() {
        let (path, _) = builtin::files()[0];
        let f = builtin::parsed(0).unwrap();
        let id = f.ids().next().unwrap();
        let rule = f.rules(path).next().unwrap();
        let user = format!(
            "[[rule]]\nid = \"{id}\"\nfamily = \"ad\"\nscope = \"line\"\nphrases = [\"zzz\"]\n"
        );
        let errors = |b: PatternSetBuilder| -> Vec<String> {
            b.build()
                .unwrap_err()
                .diagnostics()
                .iter()
                .map(|d| d.to_string())
                .collect()
        };
        let after = errors(
            PatternSetBuilder::new()
                .builtin()
                .add_str("u.toml", user.clone()),
        );
        assert_eq!(
            after,
            [format!(
                "u.toml:2:6: rule `{id}`: duplicate id, first defined at {}",
                rule.origin
            )]
        );
        let before = errors(PatternSetBuilder::new().add_str("u.toml", user).builtin());
        assert_eq!(before.len(), 1);
        let line: usize = rule.origin.rsplit(':').next().unwrap().parse().unwrap();
        assert_eq!(
            before[0],
            format!(
                "{path}:{}:6: rule `{id}`: duplicate id, first defined at u.toml:1",
                line + 1
            )
        );
    }

    /// Start-up builds none of the built-in set's tries: `build.rs` stored each (and
    /// `builtin::prefix_set` checks, in every test, that a stored trie is the one it would build).
    #[test]
    fn the_builtin_tries_are_stored() {
        let set = PatternSet::builtin().unwrap();
        let inner = set.inner();
        let tries = [
            &inner.anchored,
            &inner.line.heads,
            &inner.line.starts,
            &inner.scan.trie,
            &inner.window().cloned(),
        ];
        for (k, trie) in tries.into_iter().enumerate() {
            assert!(trie.as_ref().is_some_and(|t| t.is_static()), "trie {k}");
        }
        // A set of other rules builds its own.
        let user = PatternSetBuilder::new()
            .add_str(
                "u.toml",
                "[[rule]]\nid = \"u.a\"\nfamily = \"ad\"\nscope = \"sentence\"\nphrases = [\"zzz\"]\n",
            )
            .build()
            .unwrap();
        assert!(!user.inner().anchored.as_ref().unwrap().is_static());
    }

    /// A DFA stored at build time serves only the very regex it was built from, read one line at
    /// a time, and finds there what the compiled regex finds.
    #[test]
    fn a_stored_dfa_serves_only_its_own_regex_and_matches_as_it() {
        let set = PatternSet::builtin().unwrap();
        let line = &set.inner().line;
        let stored: Vec<&LazyRegex> = (line.regexes.iter().map(|(re, _)| &**re))
            .filter(|re| re.line_dfa().is_some())
            .collect();
        assert!(stored.len() >= 8, "{}", stored.len());
        let lines = [
            "3 hours ago",
            "Updated 3 hours ago",
            "Published: Dec. 5, 2024 10:31 a.m. ET",
            "December 5, 2024",
            "5 December 2024, 10:31 GMT",
            "Monday, 5 Dec 2024 (UTC)",
            "05.12.2024, 10:31 Uhr",
            "Veröffentlicht am 5. Dezember 2024 um 10:31 Uhr",
            "5 de diciembre de 2024, 10:31 h",
            "Publié le 5 décembre 2024 à 10h31",
            "Pubblicato il 5 dicembre 2024 alle 10:31",
            "5 de dezembro de 2024 às 10h31",
            "Aktualizováno 5. prosince 2024",
            "Opublikowano 5 grudnia 2024",
            "입력 2024.12.05 10:31",
            "2024年12月5日 10:31",
            "Reprodução/Reuters",
            "The meeting on December 5, 2024 went well.",
            "2024",
            "",
            "5 December 2024 \u{212A}",
        ];
        for re in &stored {
            let compiled = compile_regex_with(re.source(), false).unwrap();
            for l in lines {
                let norm = crate::normalize::Normalized::new(l.as_bytes());
                let text = norm.text();
                let want: Vec<(usize, usize)> = (compiled.find_iter(text))
                    .filter(|m| !m.is_empty())
                    .map(|m| (m.start(), m.end()))
                    .collect();
                let mut got = Vec::new();
                re.find_line(text, |s, e| got.push((s, e)));
                assert_eq!(got, want, "{} on {l:?}", re.source());
                assert_eq!(re.is_match_line(text), compiled.is_match(text));
            }
            // The same text read as a whole document, or any other text: no stored DFA.
            assert!(LazyRegex::multi_line(re.source()).line_dfa().is_none());
            assert!(
                LazyRegex::new(&format!("{} ", re.source()))
                    .line_dfa()
                    .is_none()
            );
            assert!(
                LazyRegex::new(&re.source().to_uppercase())
                    .line_dfa()
                    .is_none()
            );
        }
        // A pattern file's regex that is not a built-in one compiles at run time.
        let other = PatternSetBuilder::new()
            .add_str(
                "u.toml",
                "[[rule]]\nid = \"u.b\"\nfamily = \"timestamp\"\nscope = \"line\"\nregexes = [\"^[0-9]+ hours ago$\"]\n",
            )
            .build()
            .unwrap();
        let (re, _) = &other.inner().line.regexes[0];
        assert!(re.line_dfa().is_none());
        assert!(re.is_match_line(b"3 hours ago"));
        let mut got = Vec::new();
        re.find_line(b"3 hours ago", |s, e| got.push((s, e)));
        assert_eq!(got, [(0, 11)]);
    }

    /// The prefilters worked out at build time are those the run-time analysis gives.
    #[test]
    fn the_builtin_prefilters_are_current() {
        use super::super::{builtin, gate};
        let set = PatternSet::builtin().unwrap();
        for rule in set.rules() {
            for r in &rule.regexes {
                let (kind, lits) = builtin::prefilter(r).expect("every built-in regex is listed");
                let lits: Vec<Vec<u8>> = lits.iter().map(|l| l.to_vec()).collect();
                let want = match gate::head(r) {
                    Some(l) => (builtin::Prefilter::Head, l),
                    None => match gate::gate(r) {
                        Some(l) => (builtin::Prefilter::Gate, l),
                        None => match gate::screen(r) {
                            Some((l, digit)) => (builtin::Prefilter::Screen { digit }, l),
                            None => match gate::holds(r) {
                                Some(l) => (builtin::Prefilter::Holds, l),
                                None => (builtin::Prefilter::None, Vec::new()),
                            },
                        },
                    },
                };
                assert_eq!((kind, lits), want, "{r}");
                let tail = builtin::tail(r).expect("every built-in regex has a tail");
                assert_eq!(tail.parts(), gate::tail(r).parts(), "{r}");
            }
        }
        // A regex of no built-in file has none stored: it is worked out from its text.
        assert!(builtin::tail(r"^zz(?:y|q)?$").is_none());
    }
}
