//! The TOML pattern-file format: parsing, validation, and positions for every error.
//!
//! The format is documented in `patterns/README.md`. Parsing keeps going after a bad rule so that
//! every problem of a file is reported at once, each with file, line, column and rule id.

use std::borrow::Cow;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::{FAMILIES, Pack, Position, Rule, Scope, Unterminated};
use crate::error::PatternDiagnostic;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    family: Spanned<String>,
    scope: Spanned<String>,
    publisher: Option<String>,
    platform: Option<String>,
    lang: Option<String>,
    description: Option<String>,
    #[serde(default)]
    phrases: Vec<Spanned<String>>,
    #[serde(default)]
    regexes: Vec<Spanned<String>>,
    #[serde(default)]
    start: Vec<Spanned<String>>,
    #[serde(default)]
    end: Vec<Spanned<String>>,
    max_chars: Option<Spanned<i64>>,
    max_lines: Option<Spanned<i64>>,
    unterminated: Option<Spanned<String>>,
    position: Option<Spanned<String>>,
    min_lines: Option<Spanned<i64>>,
    max_words: Option<Spanned<i64>>,
    max_prose: Option<Spanned<i64>>,
    #[serde(default)]
    opened_by: Vec<Spanned<String>>,
    interleaved: Option<bool>,
    repeats: Option<Spanned<i64>>,
}

/// The `[pack]` table of a publisher pack (see [`Pack`]).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    name: Spanned<String>,
    publisher: Option<String>,
    #[serde(default)]
    hosts: Vec<String>,
    #[serde(default)]
    signature: Vec<Spanned<String>>,
}

/// A rule read from a file, with the byte spans needed to place later errors (bad regexes).
#[derive(Debug, Clone)]
pub struct ParsedRule {
    /// The rule.
    pub rule: Rule,
    /// Byte span of the `id` value.
    pub id_span: Range<usize>,
    /// Byte spans of each regex, parallel to `rule.regexes`.
    pub regex_spans: Vec<Range<usize>>,
}

/// Converts a byte offset of `src` into a 1-based line and character column.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src.as_bytes()[..offset];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

/// The line of each rule, counted on from the one before (rules come in order), so a file of
/// a thousand rules is not read from its start a thousand times.
struct LineCounter<'a> {
    src: &'a [u8],
    /// Offset up to which newlines are counted, and the line it is on.
    at: usize,
    line: usize,
}

impl LineCounter<'_> {
    /// The 1-based line of `offset`, as [`line_col`] gives it.
    fn line_at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.src.len());
        if offset < self.at {
            (self.at, self.line) = (0, 1);
        }
        self.line += memchr::memchr_iter(b'\n', &self.src[self.at..offset]).count();
        self.at = offset;
        self.line
    }
}

/// Collects diagnostics for one source text.
pub(crate) struct Reporter<'a> {
    pub origin: &'a str,
    pub src: &'a str,
    pub out: &'a mut Vec<PatternDiagnostic>,
}

impl Reporter<'_> {
    pub fn report(
        &mut self,
        span: Range<usize>,
        rule_id: Option<&str>,
        message: impl Into<String>,
    ) {
        let (line, column) = line_col(self.src, span.start);
        self.out.push(PatternDiagnostic {
            origin: self.origin.to_string(),
            line,
            column,
            rule_id: rule_id.map(str::to_string),
            message: message.into(),
        });
    }
}

/// Parses one pattern file. Returns the good rules and all ids; problems go to `diags`.
pub fn parse(origin: &str, src: &str, diags: &mut Vec<PatternDiagnostic>) -> ParsedFile {
    let mut rep = Reporter {
        origin,
        src,
        out: diags,
    };
    let root = match DeTable::parse(src) {
        Ok(root) => root,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            rep.report(span, None, format!("invalid TOML: {}", e.message()));
            return ParsedFile::default();
        }
    };
    let mut file = ParsedFile::default();
    let mut lines = LineCounter {
        src: src.as_bytes(),
        at: 0,
        line: 1,
    };
    for (key, value) in root.get_ref() {
        if key.get_ref().as_ref() == "pack" {
            file.pack = parse_pack(value, &mut rep);
            continue;
        }
        if key.get_ref().as_ref() != "rule" {
            rep.report(
                key.span(),
                None,
                format!(
                    "unknown key `{}`, expected `[[rule]]` tables and one `[pack]` table",
                    key.get_ref()
                ),
            );
            continue;
        }
        let DeValue::Array(items) = value.get_ref() else {
            rep.report(
                value.span(),
                None,
                "`rule` must be an array of tables ([[rule]])",
            );
            continue;
        };
        for item in items.iter() {
            let line = lines.line_at(item.span().start);
            if let Some((id, span)) = raw_id(item) {
                file.ids.push((id, span, line));
            }
            if let Some(rule) = parse_rule(item, line, &mut rep) {
                file.rules.push(rule);
            }
        }
    }
    if let Some(pack) = &file.pack {
        for pr in &mut file.rules {
            pr.rule.pack = Some(pack.name.clone());
            if pr.rule.publisher.is_none() {
                pr.rule.publisher = pack.publisher.clone();
            }
        }
    }
    file
}

/// Reads a `[pack]` table; problems go to the reporter.
fn parse_pack(value: &Spanned<DeValue<'_>>, rep: &mut Reporter<'_>) -> Option<Pack> {
    let raw = match RawPack::deserialize(ValueDeserializer::from(value.clone())) {
        Ok(raw) => raw,
        Err(e) => {
            let span = e.span().unwrap_or(value.span());
            rep.report(span, None, format!("pack: {}", e.message().trim()));
            return None;
        }
    };
    let name = raw.name.get_ref().clone();
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-".contains(&b))
    {
        rep.report(
            raw.name.span(),
            None,
            "invalid pack name: use lowercase letters, digits, '_' and '-'",
        );
        return None;
    }
    let before = rep.out.len();
    for s in &raw.signature {
        if crate::normalize::phrase_is_empty(s.get_ref()) {
            rep.report(s.span(), None, "empty signature phrase");
        }
    }
    if rep.out.len() > before {
        return None;
    }
    let (line, _) = line_col(rep.src, value.span().start);
    Some(Pack {
        name,
        publisher: raw.publisher,
        hosts: raw.hosts.iter().map(|h| h.trim().to_lowercase()).collect(),
        signature: raw.signature.iter().map(|s| s.get_ref().clone()).collect(),
        origin: format!("{}:{line}", rep.origin),
    })
}

/// The id written in a rule table and its span, read leniently so that errors can name it and
/// duplicates are found even among rules that fail for other reasons.
fn raw_id(item: &Spanned<DeValue<'_>>) -> Option<(String, Range<usize>)> {
    let DeValue::Table(t) = item.get_ref() else {
        return None;
    };
    t.iter()
        .find_map(|(k, v)| match (k.get_ref().as_ref(), v.get_ref()) {
            ("id", DeValue::String(s)) => Some((s.to_string(), v.span())),
            _ => None,
        })
}

/// Every rule of a file that parsed, and the id of every rule table, good or bad.
#[derive(Debug, Default)]
pub struct ParsedFile {
    /// Rules without errors.
    pub rules: Vec<ParsedRule>,
    /// `(id, span of the id, line of the rule table)` for every rule table that has a string id.
    pub ids: Vec<(String, Range<usize>, usize)>,
    /// The file's `[pack]` table, when it is a publisher pack.
    pub pack: Option<Pack>,
}

/// One `[[rule]]` table, which starts on line `line` of its file.
fn parse_rule(
    item: &Spanned<DeValue<'_>>,
    line: usize,
    rep: &mut Reporter<'_>,
) -> Option<ParsedRule> {
    let id_hint = raw_id(item).map(|(id, _)| id);
    let raw = match RawRule::deserialize(ValueDeserializer::from(item.clone())) {
        Ok(raw) => raw,
        Err(e) => {
            let span = e.span().unwrap_or(item.span());
            rep.report(span, id_hint.as_deref(), e.message().trim().to_string());
            return None;
        }
    };
    let id = raw.id.get_ref().clone();
    let before = rep.out.len();
    let idr = Some(id.as_str());
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    {
        rep.report(
            raw.id.span(),
            idr,
            "invalid id: use lowercase letters, digits, '.', '_' and '-'",
        );
    }
    if !FAMILIES.contains(&raw.family.get_ref().as_str()) {
        rep.report(
            raw.family.span(),
            idr,
            format!(
                "unknown family `{}`, expected one of: {}",
                raw.family.get_ref(),
                FAMILIES.join(", ")
            ),
        );
    }
    let scope = Scope::parse(raw.scope.get_ref());
    if scope.is_none() {
        rep.report(
            raw.scope.span(),
            idr,
            format!(
                "unknown scope `{}`, expected one of: line, sentence, block, tail, run, section",
                raw.scope.get_ref()
            ),
        );
    }
    let texts =
        |list: &[Spanned<String>], what: &str, rep: &mut Reporter<'_>| -> Vec<Cow<'static, str>> {
            for p in list {
                if crate::normalize::phrase_is_empty(p.get_ref()) {
                    rep.report(p.span(), idr, format!("empty {what}"));
                }
            }
            list.iter()
                .map(|p| Cow::Owned(p.get_ref().clone()))
                .collect()
        };
    let phrases = texts(&raw.phrases, "phrase", rep);
    let start = texts(&raw.start, "start marker", rep);
    let end = texts(&raw.end, "end marker", rep);
    let regexes: Vec<Cow<'static, str>> = (raw.regexes.iter())
        .map(|r| Cow::Owned(r.get_ref().clone()))
        .collect();
    for r in &raw.regexes {
        if r.get_ref().is_empty() {
            rep.report(r.span(), idr, "empty regex");
        }
    }
    let positive =
        |v: &Option<Spanned<i64>>, name: &str, rep: &mut Reporter<'_>| -> Option<usize> {
            let v = v.as_ref()?;
            if *v.get_ref() < 1 {
                rep.report(v.span(), idr, format!("`{name}` must be a positive number"));
                None
            } else {
                Some(*v.get_ref() as usize)
            }
        };
    let max_chars = positive(&raw.max_chars, "max_chars", rep);
    let max_lines = positive(&raw.max_lines, "max_lines", rep);
    let min_lines = positive(&raw.min_lines, "min_lines", rep);
    let max_words = positive(&raw.max_words, "max_words", rep);
    let repeats = positive(&raw.repeats, "repeats", rep);
    let max_prose = match &raw.max_prose {
        Some(v) if *v.get_ref() < 0 => {
            rep.report(v.span(), idr, "`max_prose` must not be negative");
            None
        }
        v => v.as_ref().map(|v| *v.get_ref() as usize),
    };
    let position = match raw
        .position
        .as_ref()
        .map(|u| (u.get_ref().as_str(), u.span()))
    {
        None => None,
        Some(("head", _)) => Some(Position::Head),
        Some(("tail", _)) => Some(Position::Tail),
        Some(("preamble", _)) => Some(Position::Preamble),
        Some(("head-block", _)) => Some(Position::HeadBlock),
        Some(("tail-block", _)) => Some(Position::TailBlock),
        Some(("thread", _)) => Some(Position::Thread),
        Some(("name-thread", _)) => Some(Position::NameThread),
        Some(("between-menus", _)) => Some(Position::BetweenMenus),
        Some(("head-list", _)) => Some(Position::HeadList),
        Some(("card-list", _)) => Some(Position::CardList),
        Some((other, span)) => {
            rep.report(
                span,
                idr,
                format!("unknown `position` value `{other}`, expected head, tail, preamble, head-block, tail-block, thread, name-thread, between-menus, head-list or card-list"),
            );
            None
        }
    };
    let unterminated = match raw
        .unterminated
        .as_ref()
        .map(|u| (u.get_ref().as_str(), u.span()))
    {
        None | Some(("keep", _)) => Unterminated::Keep,
        Some(("start-line", _)) => Unterminated::StartLine,
        Some((other, span)) => {
            rep.report(
                span,
                idr,
                format!("unknown `unterminated` value `{other}`, expected keep or start-line"),
            );
            Unterminated::Keep
        }
    };
    let rule_span = item.span();
    if let Some(scope) = scope {
        if scope == Scope::Run {
            if raw.position.is_none() {
                rep.report(
                    rule_span.clone(),
                    idr,
                    "a run rule needs `position` (head, tail, preamble, head-block, tail-block, thread, name-thread, between-menus, head-list or card-list)",
                );
            }
            if !phrases.is_empty() || !regexes.is_empty() || !start.is_empty() || !end.is_empty() {
                rep.report(
                    rule_span.clone(),
                    idr,
                    "a run rule takes no phrases, regexes or markers",
                );
            }
        } else if scope == Scope::Block {
            if start.is_empty() || end.is_empty() {
                rep.report(
                    rule_span.clone(),
                    idr,
                    "a block rule needs `start` and `end` markers",
                );
            }
            if !phrases.is_empty() || !regexes.is_empty() {
                rep.report(
                    rule_span.clone(),
                    idr,
                    "a block rule takes `start` and `end`, not `phrases` or `regexes`",
                );
            }
        } else {
            if phrases.is_empty() && regexes.is_empty() && raw.opened_by.is_empty() {
                rep.report(
                    rule_span.clone(),
                    idr,
                    "the rule has no `phrases` and no `regexes`",
                );
            }
            if !start.is_empty() || !end.is_empty() {
                rep.report(
                    rule_span.clone(),
                    idr,
                    format!("`start` and `end` belong to block rules, not {scope} rules"),
                );
            }
        }
        if raw.max_chars.is_some()
            && !matches!(
                scope,
                Scope::Line | Scope::Tail | Scope::Run | Scope::Section
            )
        {
            rep.report(
                rule_span.clone(),
                idr,
                "`max_chars` applies to line, tail, section and run rules only",
            );
        }
        if !raw.opened_by.is_empty() && scope != Scope::Section {
            rep.report(
                rule_span.clone(),
                idr,
                "`opened_by` applies to section rules only",
            );
        }
        for family in &raw.opened_by {
            if !FAMILIES.contains(&family.get_ref().as_str()) {
                rep.report(
                    family.span(),
                    idr,
                    format!("unknown family `{}` in `opened_by`", family.get_ref()),
                );
            }
        }
        if raw.interleaved.is_some() && scope != Scope::Section {
            rep.report(
                rule_span.clone(),
                idr,
                "`interleaved` applies to section rules only",
            );
        }
        if raw.repeats.is_some() && scope != Scope::Section {
            rep.report(
                rule_span.clone(),
                idr,
                "`repeats` applies to section rules only",
            );
        }
        if raw.max_prose.is_some() && scope != Scope::Section {
            rep.report(
                rule_span.clone(),
                idr,
                "`max_prose` applies to section rules only",
            );
        }
        if (raw.position.is_some() || raw.min_lines.is_some() || raw.max_words.is_some())
            && scope != Scope::Run
        {
            rep.report(
                rule_span.clone(),
                idr,
                "`position`, `min_lines` and `max_words` apply to run rules only",
            );
        }
        if raw.max_lines.is_some() && !matches!(scope, Scope::Block | Scope::Tail) {
            rep.report(
                rule_span.clone(),
                idr,
                "`max_lines` applies to block and tail rules only",
            );
        }
        if raw.unterminated.is_some() && scope != Scope::Block {
            rep.report(
                rule_span.clone(),
                idr,
                "`unterminated` applies to block rules only",
            );
        }
    }
    if rep.out.len() > before {
        return None;
    }
    let scope = scope?;
    let max_lines = max_lines.unwrap_or(match scope {
        Scope::Tail => Rule::DEFAULT_TAIL_LINES,
        _ => Rule::DEFAULT_BLOCK_LINES,
    });
    Some(ParsedRule {
        rule: Rule {
            id,
            family: raw.family.get_ref().clone(),
            scope,
            publisher: raw.publisher,
            platform: raw.platform,
            pack: None,
            lang: raw.lang,
            description: raw.description,
            phrases,
            regexes,
            start,
            end,
            max_chars,
            max_lines,
            unterminated,
            position,
            min_lines: min_lines.unwrap_or(Rule::DEFAULT_RUN_LINES),
            max_words: max_words.unwrap_or(Rule::DEFAULT_RUN_WORDS),
            max_prose: max_prose.unwrap_or(Rule::DEFAULT_SECTION_PROSE),
            opened_by: raw.opened_by.iter().map(|f| f.get_ref().clone()).collect(),
            interleaved: raw.interleaved.unwrap_or(false),
            repeats: repeats.unwrap_or(0),
            origin: format!("{}:{line}", rep.origin),
        },
        id_span: raw.id.span(),
        regex_spans: raw.regexes.iter().map(|r| r.span()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use crate::PatternSetBuilder;

    fn errors(src: &str) -> Vec<String> {
        match PatternSetBuilder::new().add_str("bad.toml", src).build() {
            Ok(_) => Vec::new(),
            Err(e) => e.diagnostics().iter().map(|d| d.to_string()).collect(),
        }
    }

    #[test]
    fn every_bad_rule_is_reported_with_position() {
        let src = r#"[[rule]]
id = "a.one"
family = "share"
scope = "line"
phrases = ["share"]
colour = "red"

[[rule]]
id = "a.two"
family = "gossip"
scope = "everywhere"
phrases = [""]

[[rule]]
id = "a.three"
family = "ad"
scope = "line"
regexes = ['(unclosed']

[[rule]]
id = "a.one"
family = "ad"
scope = "line"
phrases = ["ad"]
"#;
        assert_eq!(
            errors(src),
            [
                "bad.toml:6:1: rule `a.one`: unknown field `colour`, expected one of `id`, `family`, `scope`, `publisher`, `platform`, `lang`, `description`, `phrases`, `regexes`, `start`, `end`, `max_chars`, `max_lines`, `unterminated`, `position`, `min_lines`, `max_words`, `max_prose`, `opened_by`, `interleaved`, `repeats`",
                "bad.toml:10:10: rule `a.two`: unknown family `gossip`, expected one of: support-appeal, comments, newsletter, share, related, caption, byline, timestamp, ad, cookie, paywall, copyright, navigation, other",
                "bad.toml:11:9: rule `a.two`: unknown scope `everywhere`, expected one of: line, sentence, block, tail, run, section",
                "bad.toml:12:12: rule `a.two`: empty phrase",
                "bad.toml:18:12: rule `a.three`: invalid regex: unclosed group",
                "bad.toml:21:6: rule `a.one`: duplicate id, first defined at bad.toml:1",
            ]
        );
    }

    #[test]
    fn scope_specific_keys_are_checked() {
        let src = r#"[[rule]]
id = "b.block"
family = "ad"
scope = "block"
phrases = ["x"]
start = ["begin"]

[[rule]]
id = "b.line"
family = "ad"
scope = "line"
phrases = ["x"]
max_lines = 3
"#;
        assert_eq!(
            errors(src),
            [
                "bad.toml:1:1: rule `b.block`: a block rule needs `start` and `end` markers",
                "bad.toml:1:1: rule `b.block`: a block rule takes `start` and `end`, not `phrases` or `regexes`",
                "bad.toml:8:1: rule `b.line`: `max_lines` applies to block and tail rules only",
            ]
        );
    }

    #[test]
    fn a_pack_table_names_its_rules_pack() {
        let src = "[pack]\nname = \"daily\"\npublisher = \"The Daily\"\nhosts = [\"Daily.example\"]\n\
                   signature = [\"The Daily Ltd\"]\n\n[[rule]]\nid = \"daily.share\"\nfamily = \"share\"\n\
                   scope = \"line\"\nphrases = [\"share\"]\n";
        let mut diags = Vec::new();
        let file = super::parse("p.toml", src, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        let pack = file.pack.expect("pack");
        assert_eq!(pack.name, "daily");
        assert_eq!(pack.hosts, ["daily.example"]);
        assert_eq!(pack.signature, ["The Daily Ltd"]);
        assert_eq!(pack.origin, "p.toml:1");
        assert_eq!(file.rules[0].rule.pack.as_deref(), Some("daily"));
        assert_eq!(file.rules[0].rule.publisher.as_deref(), Some("The Daily"));
    }

    #[test]
    fn bad_pack_tables() {
        assert_eq!(
            errors("[pack]\nname = \"Daily News\"\n"),
            ["bad.toml:2:8: invalid pack name: use lowercase letters, digits, '_' and '-'"]
        );
        assert_eq!(
            errors("[pack]\nname = \"d\"\nsignature = [\" \"]\n"),
            ["bad.toml:3:14: empty signature phrase"]
        );
        assert_eq!(
            errors("[pack]\nname = \"d\"\nhost = [\"d.example\"]\n"),
            [
                "bad.toml:3:1: pack: unknown field `host`, expected one of `name`, `publisher`, `hosts`, `signature`"
            ]
        );
    }

    #[test]
    fn syntax_errors_and_stray_keys() {
        assert_eq!(
            errors("[[rule]\nid = 1\n"),
            ["bad.toml:1:8: invalid TOML: unclosed array table, expected `]`"]
        );
        assert_eq!(
            errors("title = \"x\"\n"),
            [
                "bad.toml:1:1: unknown key `title`, expected `[[rule]]` tables and one `[pack]` table"
            ]
        );
        assert_eq!(
            errors(
                "[[rule]]\nid = \"Bad Id\"\nfamily = \"ad\"\nscope = \"line\"\nphrases = [\"x\"]\n"
            ),
            [
                "bad.toml:2:6: rule `Bad Id`: invalid id: use lowercase letters, digits, '.', '_' and '-'"
            ]
        );
        assert_eq!(
            errors("[[rule]]\nid = \"c\"\nfamily = \"ad\"\nphrases = [\"x\"]\n"),
            ["bad.toml:1:1: rule `c`: missing field `scope`"]
        );
    }

    #[test]
    fn pathological_regex_is_refused() {
        let src = "[[rule]]\nid = \"p\"\nfamily = \"ad\"\nscope = \"line\"\nregexes = ['(\\w{100}){100}']\n";
        assert_eq!(
            errors(src),
            [
                "bad.toml:5:12: rule `p`: regex too large: it compiles to more than 131072 bytes, \
                 the cap for rules outside the built-in set (docs/reliability.md); simplify it \
                 (ASCII classes such as (?-u:\\w) and [0-9] are far smaller)"
            ]
        );
    }

    #[test]
    fn the_builtin_set_is_valid() {
        let set = crate::PatternSet::builtin().unwrap();
        assert!(
            set.rules()
                .iter()
                .any(|r| r.id == "independent.support-appeal.block")
        );
    }
}
