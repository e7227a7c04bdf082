//! The TOML pattern-file format: parsing, validation, and positions for every error.
//!
//! The format is documented in `patterns/README.md`. Parsing keeps going after a bad rule so that
//! every problem of a file is reported at once, each with file, line, column and rule id.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::{FAMILIES, Rule, Scope, Unterminated};
use crate::error::PatternDiagnostic;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    family: Spanned<String>,
    scope: Spanned<String>,
    publisher: Option<String>,
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
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    (line, column)
}

/// Collects diagnostics for one source text.
pub(crate) struct Reporter<'a> {
    pub origin: &'a str,
    pub src: &'a str,
    pub out: &'a mut Vec<PatternDiagnostic>,
}

impl Reporter<'_> {
    pub fn report(&mut self, span: Range<usize>, rule_id: Option<&str>, message: impl Into<String>) {
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

/// Parses one pattern file. Returns the good rules; problems go to `diags`.
pub fn parse(origin: &str, src: &str, diags: &mut Vec<PatternDiagnostic>) -> Vec<ParsedRule> {
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
            return Vec::new();
        }
    };
    let mut rules = Vec::new();
    for (key, value) in root.get_ref() {
        if key.get_ref().as_ref() != "rule" {
            rep.report(
                key.span(),
                None,
                format!("unknown key `{}`, expected `[[rule]]` tables", key.get_ref()),
            );
            continue;
        }
        let DeValue::Array(items) = value.get_ref() else {
            rep.report(value.span(), None, "`rule` must be an array of tables ([[rule]])");
            continue;
        };
        for item in items.iter() {
            if let Some(rule) = parse_rule(item, &mut rep) {
                rules.push(rule);
            }
        }
    }
    rules
}

/// The id written in a rule table, read leniently so later errors can name it.
fn raw_id(item: &Spanned<DeValue<'_>>) -> Option<String> {
    let DeValue::Table(t) = item.get_ref() else {
        return None;
    };
    t.iter().find_map(|(k, v)| match (k.get_ref().as_ref(), v.get_ref()) {
        ("id", DeValue::String(s)) => Some(s.to_string()),
        _ => None,
    })
}

fn parse_rule(item: &Spanned<DeValue<'_>>, rep: &mut Reporter<'_>) -> Option<ParsedRule> {
    let id_hint = raw_id(item);
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
                "unknown scope `{}`, expected one of: line, sentence, block, tail",
                raw.scope.get_ref()
            ),
        );
    }
    let texts = |list: &[Spanned<String>], what: &str, rep: &mut Reporter<'_>| -> Vec<String> {
        for p in list {
            if crate::normalize::phrase(p.get_ref()).is_empty() {
                rep.report(p.span(), idr, format!("empty {what}"));
            }
        }
        list.iter().map(|p| p.get_ref().clone()).collect()
    };
    let phrases = texts(&raw.phrases, "phrase", rep);
    let start = texts(&raw.start, "start marker", rep);
    let end = texts(&raw.end, "end marker", rep);
    let regexes: Vec<String> = raw.regexes.iter().map(|r| r.get_ref().clone()).collect();
    for r in &raw.regexes {
        if r.get_ref().is_empty() {
            rep.report(r.span(), idr, "empty regex");
        }
    }
    let positive = |v: &Option<Spanned<i64>>, name: &str, rep: &mut Reporter<'_>| -> Option<usize> {
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
    let unterminated = match raw.unterminated.as_ref().map(|u| (u.get_ref().as_str(), u.span())) {
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
        let marker_rule = scope == Scope::Block;
        if marker_rule {
            if start.is_empty() || end.is_empty() {
                rep.report(rule_span.clone(), idr, "a block rule needs `start` and `end` markers");
            }
            if !phrases.is_empty() || !regexes.is_empty() {
                rep.report(
                    rule_span.clone(),
                    idr,
                    "a block rule takes `start` and `end`, not `phrases` or `regexes`",
                );
            }
        } else {
            if phrases.is_empty() && regexes.is_empty() {
                rep.report(rule_span.clone(), idr, "the rule has no `phrases` and no `regexes`");
            }
            if !start.is_empty() || !end.is_empty() {
                rep.report(
                    rule_span.clone(),
                    idr,
                    format!("`start` and `end` belong to block rules, not {scope} rules"),
                );
            }
        }
        if raw.max_chars.is_some() && !matches!(scope, Scope::Line | Scope::Tail) {
            rep.report(rule_span.clone(), idr, "`max_chars` applies to line and tail rules only");
        }
        if raw.max_lines.is_some() && !matches!(scope, Scope::Block | Scope::Tail) {
            rep.report(rule_span.clone(), idr, "`max_lines` applies to block and tail rules only");
        }
        if raw.unterminated.is_some() && scope != Scope::Block {
            rep.report(rule_span.clone(), idr, "`unterminated` applies to block rules only");
        }
    }
    if rep.out.len() > before {
        return None;
    }
    let scope = scope?;
    let (line, _) = line_col(rep.src, rule_span.start);
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
            lang: raw.lang,
            description: raw.description,
            phrases,
            regexes,
            start,
            end,
            max_chars,
            max_lines,
            unterminated,
            origin: format!("{}:{line}", rep.origin),
        },
        id_span: raw.id.span(),
        regex_spans: raw.regexes.iter().map(|r| r.span()).collect(),
    })
}
