//! [`PatternSetBuilder`] and the compiled, immutable [`PatternSet`].

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

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
    sources: Vec<(String, String)>,
    disabled: Vec<String>,
}

impl PatternSetBuilder {
    /// An empty builder: no rules.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the built-in pattern set.
    pub fn builtin(mut self) -> Self {
        for (path, src) in builtin::files() {
            self.sources.push((path.to_string(), src.to_string()));
        }
        self
    }

    /// Adds one pattern file given as text; `origin` names it in errors.
    pub fn add_str(mut self, origin: impl Into<String>, src: impl Into<String>) -> Self {
        self.sources.push((origin.into(), src.into()));
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
            self.sources.push((f.display().to_string(), src));
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
        let mut parsed: Vec<(usize, ParsedRule)> = Vec::new();
        // Duplicate ids, reported at the second definition, also among rules with other errors.
        let mut first: HashMap<String, String> = HashMap::new();
        // Packs by name: files that declare the same pack add to its hosts and signature.
        let mut packs: Vec<Pack> = Vec::new();
        for (i, (origin, src)) in self.sources.iter().enumerate() {
            let file = file::parse(origin, src, &mut diags);
            if let Some(p) = file.pack {
                match packs.iter_mut().find(|q| q.name == p.name) {
                    Some(q) => {
                        q.hosts.extend(p.hosts);
                        q.signature.extend(p.signature);
                        q.publisher = q.publisher.take().or(p.publisher);
                    }
                    None => packs.push(p),
                }
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
            parsed.extend(file.rules.into_iter().map(|r| (i, r)));
        }
        // Regexes compile once, here; errors keep their position.
        let mut regexes = Vec::new();
        for (src_idx, pr) in &parsed {
            for (r, span) in pr.rule.regexes.iter().zip(&pr.regex_spans) {
                match compile_regex(r) {
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
        let rules: Vec<Rule> = parsed
            .into_iter()
            .map(|(_, pr)| pr.rule)
            .filter(|r| !self.is_disabled(r))
            .collect();
        let rule_pack = rules
            .iter()
            .map(|r| {
                r.pack
                    .as_ref()
                    .and_then(|n| packs.iter().position(|p| p.name == *n))
            })
            .collect();
        PatternSet::compile(rules, Packs::new(packs, rule_pack)).map_err(|message| {
            PatternError::new(vec![PatternDiagnostic {
                origin: "(pattern set)".into(),
                line: 1,
                column: 1,
                rule_id: None,
                message,
            }])
        })
    }
}

/// Longest line, in bytes of the search copy, that the regexes of line and tail rules are tried on:
/// a longer line is an article paragraph, never a chrome line.
pub const REGEX_LINE_LIMIT: usize = 1000;

/// One `RegexSet` over the given regexes, or `None` when there are none.
fn regex_set(regexes: &[(Regex, usize)], multi_line: bool) -> Result<Option<RegexSet>, String> {
    if regexes.is_empty() {
        return Ok(None);
    }
    RegexSetBuilder::new(regexes.iter().map(|(r, _)| r.as_str()))
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

/// `r` compiled as rules' regexes are; `multi_line` off for a regex that sees one line at a time
/// (then `^` is the start of the text, and a search that cannot start there stops at once).
fn compile_regex_with(r: &str, multi_line: bool) -> Result<Regex, String> {
    RegexBuilder::new(r)
        .case_insensitive(true)
        .multi_line(multi_line)
        .crlf(true)
        .size_limit(REGEX_SIZE_LIMIT)
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
    /// Each regex and the index of its rule.
    pub regexes: Vec<(Regex, usize)>,
    /// The heads of the regexes that have one (see [`gate::head`](super::gate::head)) in one
    /// automaton, run anchored at each line start (ASCII case-insensitive).
    pub heads: Option<aho_corasick::dfa::DFA>,
    /// For each head literal, the regexes (indices into `regexes`) it admits.
    pub head_targets: Vec<Vec<usize>>,
    /// All gate literals of the other gated regexes in one automaton (ASCII case-insensitive).
    pub gates: Option<AhoCorasick>,
    /// For each gate literal, the regexes (indices into `regexes`) it admits.
    pub gate_targets: Vec<Vec<usize>>,
    /// The regexes without a gate (those with no usable gate and those whose matches start with
    /// known text), together; they are tried on every line, anchored at its start.
    pub ungated: Option<RegexSet>,
    /// For each regex of `ungated`, its index into `regexes`.
    pub ungated_index: Vec<usize>,
}

/// Distinct literals, each with the regexes (indices) it admits.
#[derive(Default)]
struct LiteralTable {
    index: HashMap<Vec<u8>, usize>,
    literals: Vec<Vec<u8>>,
    targets: Vec<Vec<usize>>,
}

impl LiteralTable {
    /// Records that each of `lits` admits regex `regex`.
    fn add(&mut self, lits: impl IntoIterator<Item = Vec<u8>>, regex: usize) {
        for lit in lits {
            let id = *self.index.entry(lit.clone()).or_insert_with(|| {
                self.literals.push(lit);
                self.targets.push(Vec::new());
                self.literals.len() - 1
            });
            if !self.targets[id].contains(&regex) {
                self.targets[id].push(regex);
            }
        }
    }
}

impl LineRegexes {
    fn new(sources: Vec<(&str, usize)>) -> Result<LineRegexes, String> {
        let mut regexes = Vec::with_capacity(sources.len());
        let mut gates = LiteralTable::default();
        let mut ungated = Vec::new();
        let mut heads = LiteralTable::default();
        for (i, (src, rule)) in sources.into_iter().enumerate() {
            let re = compile_regex_with(src, false)?;
            if let Some(lits) = super::gate::head(src) {
                heads.add(lits, i);
                regexes.push((re, rule));
                continue;
            }
            match super::gate::gate(src) {
                Some(lits) => gates.add(lits, i),
                None => ungated.push((re.clone(), i)),
            }
            regexes.push((re, rule));
        }
        let (gate_literals, gate_targets) = (gates.literals, gates.targets);
        let (head_literals, head_targets) = (heads.literals, heads.targets);
        let gates = (!gate_literals.is_empty()).then(|| {
            AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&gate_literals)
                .expect("gate automaton within limits")
        });
        let heads = (!head_literals.is_empty()).then(|| {
            aho_corasick::dfa::DFA::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .start_kind(aho_corasick::StartKind::Anchored)
                .build(&head_literals)
                .expect("head automaton within limits")
        });
        Ok(LineRegexes {
            regexes,
            heads,
            head_targets,
            gates,
            gate_targets,
            ungated_index: ungated.iter().map(|(_, i)| *i).collect(),
            ungated: regex_set(&ungated, false)?,
        })
    }

    /// Whether there are no line regexes at all.
    pub fn is_empty(&self) -> bool {
        self.regexes.is_empty()
    }
}

/// A compiled, immutable set of rules. Cheap to clone (an `Arc` inside) and shared across threads.
#[derive(Debug, Clone)]
pub struct PatternSet {
    inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub rules: Vec<Arc<Rule>>,
    /// Every literal (phrase and block marker) of every rule, normalised, in one automaton.
    pub literals: Option<AhoCorasick>,
    /// The same literals as a compact NFA (1 MB for the built-in set, where a DFA takes 50 MB), run
    /// anchored to test chosen positions only (see `detect`); absent above [`DFA_PHRASE_LIMIT`].
    pub anchored: Option<aho_corasick::nfa::contiguous::NFA>,
    /// For each automaton pattern, the rules and roles it serves.
    pub literal_targets: Vec<Vec<(usize, Role)>>,
    /// All regexes, to learn in one pass which of them match a document.
    pub regex_set: Option<RegexSet>,
    /// Each regex and its rule, parallel to `regex_set`.
    pub regexes: Vec<(Regex, usize)>,
    /// The regexes of line and tail rules, tried line by line.
    pub line: LineRegexes,
    /// Indices of the run rules, which need no detection pass.
    pub run_rules: Vec<usize>,
    /// Indices of the section rules opened by other rules' removals (`opened_by`).
    pub opened_sections: Vec<usize>,
    /// The publisher packs and the pack of each rule.
    pub packs: Packs,
}

impl PatternSet {
    /// The built-in pattern set.
    pub fn builtin() -> Result<PatternSet, PatternError> {
        PatternSetBuilder::new().builtin().build()
    }

    fn compile(rules: Vec<Rule>, packs: Packs) -> Result<PatternSet, String> {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut literals: Vec<String> = Vec::new();
        let mut targets: Vec<Vec<(usize, Role)>> = Vec::new();
        let mut regexes = Vec::new();
        let mut line_sources: Vec<(&str, usize)> = Vec::new();
        for (ri, rule) in rules.iter().enumerate() {
            let lists = [
                (&rule.phrases, Role::Phrase),
                (&rule.start, Role::Start),
                (&rule.end, Role::End),
            ];
            for (list, role) in lists {
                for p in list {
                    let key = normalize::phrase(p);
                    let id = *index.entry(key.clone()).or_insert_with(|| {
                        literals.push(key);
                        targets.push(Vec::new());
                        literals.len() - 1
                    });
                    if !targets[id].contains(&(ri, role)) {
                        targets[id].push((ri, role));
                    }
                }
            }
            for r in &rule.regexes {
                if matches!(rule.scope, Scope::Line | Scope::Tail | Scope::Section) {
                    // Compiled for one line at a time by `LineRegexes`.
                    line_sources.push((r.as_str(), ri));
                } else {
                    // Already compiled once by the builder; it cannot fail here.
                    regexes.push((compile_regex(r).expect("validated regex"), ri));
                }
            }
        }
        let literals_ac = (!literals.is_empty()).then(|| {
            let kind = (literals.len() <= FULL_SCAN_DFA_LIMIT).then_some(AhoCorasickKind::DFA);
            AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .kind(kind)
                .build(&literals)
                .expect("automaton within limits")
        });
        let anchored = (!literals.is_empty() && literals.len() <= DFA_PHRASE_LIMIT).then(|| {
            aho_corasick::nfa::contiguous::NFA::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&literals)
                .expect("automaton within limits")
        });
        // Line, tail and section rules only ever remove from a line their regex matches, so their regexes run line
        // by line on lines of at most REGEX_LINE_LIMIT bytes; sentence rules' regexes see the whole text.
        let line = LineRegexes::new(line_sources)?;
        let regex_set = regex_set(&regexes, true)?;
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
                rules: rules.into_iter().map(Arc::new).collect(),
                literals: literals_ac,
                anchored,
                literal_targets: targets,
                regex_set,
                regexes,
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

    /// Whether any rule of the set belongs to a pack.
    pub fn has_packs(&self) -> bool {
        !self.inner.packs.packs.is_empty()
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }
}
