//! The review page: one self-contained HTML file (inline CSS and a little plain JavaScript, nothing
//! fetched) that shows what the rules remove from a sample of documents, or what a change to the
//! rules would change.
//!
//! The caller (the `dechrome review` command) cleans the documents and hands over a [`Page`]: the
//! [`Summary`] of the whole run and a [`DocView`] of each sampled document, whose [`Span`]s are
//! byte ranges of its text. [`render`] writes the page. Text is escaped everywhere it goes, so a
//! document holding `<script>` or `</style>` is shown, never run; invalid UTF-8 is shown with
//! replacement characters, piece by piece between span boundaries, so every span keeps its bytes.
//!
//! Opened with `#selftest`, the page drives its own sorting, filters and keyboard navigation and
//! writes the results into a `<pre id="selftest">` element (the browser tests read it).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::sync::Arc;

use crate::filter::{Removal, Verdict};
use crate::patterns::{FAMILIES, Rule};
use crate::report::findings;

/// Characters of one document shown at most, by default; the rest is cut with a note.
pub const DEFAULT_MAX_CHARS: usize = 20_000;

/// Which rule set removed a span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// The only set (no comparison).
    One,
    /// Only the first set: the second keeps it.
    First,
    /// Only the second set: it is new.
    Second,
    /// Both sets.
    Both,
}

impl Side {
    /// The name used in the page's attributes and filters.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::One => "one",
            Side::First => "first",
            Side::Second => "second",
            Side::Both => "both",
        }
    }
}

/// One highlighted span of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// The bytes, in the document.
    pub range: Range<usize>,
    /// The rule of the outermost removal (the first set's, when both sets removed it).
    pub rule: Arc<Rule>,
    /// The rules of removals nested inside it, and the second set's rule when it differs.
    pub others: Vec<Arc<Rule>>,
    /// Which set removed it.
    pub side: Side,
}

impl Span {
    /// Every rule of the span, the main one first, each once.
    pub fn rules(&self) -> Vec<&Arc<Rule>> {
        let mut out: Vec<&Arc<Rule>> = vec![&self.rule];
        for r in &self.others {
            if !out.iter().any(|o| o.id == r.id) {
                out.push(r);
            }
        }
        out
    }
}

/// The spans of one document's removals: one per finding (see [`findings`]), in document order.
/// A finding that starts inside the previous one (a partial overlap) is shown from where the
/// previous one ends.
pub fn spans(removals: &[Removal]) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    for f in findings(removals) {
        let start = out
            .last()
            .map_or(0, |s| s.range.end)
            .max(f.removal.range.start);
        if start >= f.removal.range.end {
            continue;
        }
        out.push(Span {
            range: start..f.removal.range.end,
            rule: f.removal.rule.clone(),
            others: f.inner.iter().map(|r| (*r).clone()).collect(),
            side: Side::One,
        });
    }
    out
}

/// The spans of two sets' removals of one document: each stretch of bytes removed by the first
/// set only, the second only, or both. A stretch ends where either set's finding ends, so two
/// removals side by side stay two spans.
pub fn compare_spans(first: &[Removal], second: &[Removal]) -> Vec<Span> {
    let a = spans(first);
    let b = spans(second);
    let mut cuts: Vec<usize> = a
        .iter()
        .chain(&b)
        .flat_map(|s| [s.range.start, s.range.end])
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    // Both lists are in order and do not overlap: one pointer each walks them once.
    let cover = |list: &[Span], next: &mut usize, at: usize| {
        while *next < list.len() && list[*next].range.end <= at {
            *next += 1;
        }
        (*next < list.len() && list[*next].range.start <= at).then_some(*next)
    };
    let (mut next_a, mut next_b) = (0, 0);
    let mut out: Vec<(Span, Option<usize>, Option<usize>)> = Vec::new();
    for w in cuts.windows(2) {
        let (from, to) = (w[0], w[1]);
        let (ia, ib) = (cover(&a, &mut next_a, from), cover(&b, &mut next_b, from));
        if let Some((last, la, lb)) = out.last_mut()
            && last.range.end == from
            && (*la, *lb) == (ia, ib)
        {
            last.range.end = to;
            continue;
        }
        let span = match (ia, ib) {
            (None, None) => continue,
            (Some(i), None) => Span {
                side: Side::First,
                range: from..to,
                ..a[i].clone()
            },
            (None, Some(j)) => Span {
                side: Side::Second,
                range: from..to,
                ..b[j].clone()
            },
            (Some(i), Some(j)) => {
                let mut others = a[i].others.clone();
                others.extend(b[j].rules().into_iter().cloned());
                Span {
                    range: from..to,
                    rule: a[i].rule.clone(),
                    others,
                    side: Side::Both,
                }
            }
        };
        out.push((span, ia, ib));
    }
    out.into_iter().map(|(s, _, _)| s).collect()
}

/// One document as the page shows it.
#[derive(Debug, Clone)]
pub struct DocView {
    /// Its name: a path, or `path:line` for a JSONL record.
    pub name: String,
    /// Its bytes, up to the cut.
    pub text: Vec<u8>,
    /// Its spans within `text`, in order, not overlapping.
    pub spans: Vec<Span>,
    /// Characters cut off the end, and spans (or parts of spans) in them; `None` when whole.
    pub cut: Option<(usize, usize)>,
    /// Spans of the whole document removed only by the first set, only by the second, by both.
    pub sides: [usize; 3],
    /// What the (first) set did with it.
    pub verdict: Verdict,
    /// Why it was refused, when it was.
    pub refusal: Option<String>,
    /// With a comparison: what the second set did with it, and why it refused it.
    pub second: Option<(Verdict, Option<String>)>,
}

/// Characters of `bytes` as the page counts them: every byte that does not continue a UTF-8
/// sequence (invalid bytes shown as one replacement character each count once, near enough).
pub fn char_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

/// The byte offset after the first `max` characters of `bytes` (see [`char_count`]): always the
/// start of a character, never inside one.
fn cut_point(bytes: &[u8], max: usize) -> usize {
    let mut seen = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if (b & 0xC0) != 0x80 {
            if seen == max {
                return i;
            }
            seen += 1;
        }
    }
    bytes.len()
}

/// `at` moved back to the start of the character it falls inside, when it falls inside a valid
/// multi-byte UTF-8 character; otherwise `at` (so spans of invalid bytes keep their bytes).
pub fn snap(bytes: &[u8], at: usize) -> usize {
    if at == 0 || at >= bytes.len() || (bytes[at] & 0xC0) != 0x80 {
        return at.min(bytes.len());
    }
    let mut s = at;
    while s > 0 && at - s < 3 && (bytes[s] & 0xC0) == 0x80 {
        s -= 1;
    }
    let len = match bytes[s] {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => return at,
    };
    match bytes.get(s..s + len) {
        Some(ch) if s + len > at && std::str::from_utf8(ch).is_ok() => s,
        _ => at,
    }
}

impl DocView {
    /// A document's view: its text cut after `max_chars` characters (the spans with it).
    pub fn new(
        name: String,
        bytes: &[u8],
        spans: Vec<Span>,
        verdict: Verdict,
        refusal: Option<String>,
        max_chars: usize,
    ) -> DocView {
        let cut = cut_point(bytes, max_chars);
        let n = |side| spans.iter().filter(|s| s.side == side).count();
        let sides = [n(Side::First), n(Side::Second), n(Side::Both)];
        let (mut shown, mut hidden) = (Vec::new(), 0);
        for mut s in spans {
            if s.range.end > cut {
                hidden += 1;
                if s.range.start >= cut {
                    continue;
                }
                s.range.end = cut;
            }
            shown.push(s);
        }
        DocView {
            name,
            cut: (cut < bytes.len()).then(|| (char_count(&bytes[cut..]), hidden)),
            text: bytes[..cut].to_vec(),
            spans: shown,
            sides,
            verdict,
            refusal,
            second: None,
        }
    }
}

/// What one rule set did over the whole run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetCounts {
    /// Documents with chrome removed.
    pub cleaned: u64,
    /// Documents with nothing to remove.
    pub unchanged: u64,
    /// Documents the removal guard refused.
    pub refused: u64,
    /// Characters removed from the cleaned documents (seam repairs included).
    pub chars_removed: u64,
}

/// What one rule removed over the whole run, counted as findings of cleaned documents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleCount {
    /// The rule's family.
    pub family: String,
    /// Removals by the first (or only) set.
    pub first: u64,
    /// Removals by the second set.
    pub second: u64,
    /// Documents the rule removed something from (either set).
    pub docs: u64,
    /// Characters of its removals (either set; the larger).
    pub chars: u64,
}

/// The numbers of a whole run.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Documents read and cleaned.
    pub documents: u64,
    /// Documents (files or records) that could not be read or parsed.
    pub failed: u64,
    /// The first (or only) set.
    pub first: SetCounts,
    /// The second set, with a comparison.
    pub second: Option<SetCounts>,
    /// How the second set was made (`+ PATH`, `- NAME`), shown at the top.
    pub change: Vec<String>,
    /// Spans removed only by the first set, only by the second, and by both (comparison).
    pub sides: [u64; 3],
    /// Documents whose removals differ between the sets (comparison).
    pub differing: u64,
    /// By rule id.
    pub rules: BTreeMap<String, RuleCount>,
    /// The sample's seed.
    pub seed: u64,
    /// The most documents the page shows.
    pub sample: usize,
    /// The most characters of one document the page shows.
    pub max_chars: usize,
    /// The removal guard's limit.
    pub max_removal: f64,
}

/// The whole page.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// The numbers of the run.
    pub summary: Summary,
    /// The documents shown, in input order.
    pub docs: Vec<DocView>,
}

/// Background colours of the families, in [`FAMILIES`] order.
const PALETTE: [&str; 14] = [
    "#ffd6a5", "#caffbf", "#9bf6ff", "#bdb2ff", "#ffc6ff", "#fdffb6", "#a0c4ff", "#ffadad",
    "#d0f4de", "#e4c1f9", "#fcf6bd", "#a9def9", "#ff99c8", "#c5dedd",
];

/// The palette slot of a family: the known families ([`FAMILIES`]) in their order, others by a
/// hash of the name (a family is always the same colour).
fn family_slot(family: &str) -> usize {
    FAMILIES
        .iter()
        .position(|k| *k == family)
        .unwrap_or_else(|| {
            let h = family.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
            });
            (h % PALETTE.len() as u64) as usize
        })
        % PALETTE.len()
}

/// The colour the page gives a family's removals.
pub fn family_colour(family: &str) -> &'static str {
    PALETTE[family_slot(family)]
}

/// Appends `s` escaped for HTML text and double- or single-quoted attribute values.
fn esc(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // The HTML parser would drop or replace it; say so visibly.
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// `s` escaped (see [`esc`]).
fn escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    esc(&mut out, s);
    out
}

/// Appends document bytes as escaped text, invalid UTF-8 as replacement characters.
fn esc_bytes(out: &mut String, bytes: &[u8]) {
    esc(out, &String::from_utf8_lossy(bytes));
}

/// The page's stylesheet.
const CSS: &str = include_str!("review/page.css");
/// The page's script: sorting, filters, keyboard navigation, and the self-test.
const JS: &str = include_str!("review/page.js");

/// A plural: `1 removal`, `2 removals`.
fn n_of(n: u64, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

/// Renders the page.
pub fn render(page: &Page) -> String {
    let s = &page.summary;
    let compare = s.second.is_some();
    let mut out = String::with_capacity(
        page.docs
            .iter()
            .map(|d| d.text.len() + d.spans.len() * 300 + 400)
            .sum::<usize>()
            + 64 * 1024,
    );
    out.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>dechrome review</title>\n<style>\n",
    );
    out.push_str(CSS);
    for (i, c) in PALETTE.iter().enumerate() {
        let _ = writeln!(out, ".fam-{i} {{ --c: {c}; }}");
    }
    out.push_str("</style>\n</head>\n<body");
    if compare {
        out.push_str(" class=\"compare\"");
    }
    out.push_str(">\n<header>\n<h1>dechrome review</h1>\n");
    summary_table(&mut out, s);
    // First occurrence of each rule and family on the page, for the tables' links.
    let mut first_rule: BTreeMap<&str, String> = BTreeMap::new();
    let mut first_family: BTreeMap<&str, String> = BTreeMap::new();
    for (d, doc) in page.docs.iter().enumerate() {
        for (k, span) in doc.spans.iter().enumerate() {
            for r in span.rules() {
                first_rule
                    .entry(r.id.as_str())
                    .or_insert_with(|| format!("m{d}-{k}"));
                first_family
                    .entry(r.family.as_str())
                    .or_insert_with(|| format!("m{d}-{k}"));
            }
        }
    }
    family_table(&mut out, s, &first_family);
    rule_table(&mut out, s, &first_rule);
    out.push_str("</header>\n");
    controls(&mut out, page, &first_rule, &first_family);
    out.push_str("<main>\n");
    if page.docs.is_empty() {
        out.push_str("<p class=\"none\">No document to show.</p>\n");
    }
    for (d, doc) in page.docs.iter().enumerate() {
        document(&mut out, d, doc, s.max_chars);
    }
    out.push_str("</main>\n<script>\n");
    out.push_str(JS);
    out.push_str("</script>\n</body>\n</html>\n");
    out
}

/// One number of a set's counts.
type Count = fn(&SetCounts) -> u64;

/// The summary table: documents and what each set did with them.
fn summary_table(out: &mut String, s: &Summary) {
    if let Some(_second) = &s.second {
        out.push_str("<p class=\"sets\">First set: the rules as configured. Second set: ");
        if s.change.is_empty() {
            out.push_str("the same rules");
        } else {
            out.push_str("the first set ");
            let parts: Vec<String> = s.change.iter().map(|c| escaped(c)).collect();
            out.push_str(&parts.join(", "));
        }
        out.push_str(".</p>\n");
    }
    out.push_str("<table id=\"summary\">\n");
    if s.second.is_some() {
        out.push_str(
            "<tr><th></th><th scope=\"col\">first set</th><th scope=\"col\">second set</th></tr>\n",
        );
    }
    let _ = writeln!(
        out,
        "<tr><th scope=\"row\">Documents</th><td id=\"count-documents\">{}</td></tr>",
        s.documents
    );
    let rows: [(&str, &str, Count); 4] = [
        ("cleaned", "Cleaned", |c| c.cleaned),
        ("unchanged", "Unchanged", |c| c.unchanged),
        ("refused", "Refused", |c| c.refused),
        ("chars", "Characters removed", |c| c.chars_removed),
    ];
    for (id, label, get) in rows {
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{label}</th><td id=\"count-{id}\">{}</td>",
            get(&s.first)
        );
        if let Some(second) = &s.second {
            let _ = write!(out, "<td id=\"count-{id}-second\">{}</td>", get(second));
        }
        out.push_str("</tr>\n");
    }
    if s.failed > 0 {
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">Not read (errors)</th><td id=\"count-failed\">{}</td></tr>",
            s.failed
        );
    }
    out.push_str("</table>\n");
    if s.second.is_some() {
        let _ = writeln!(
            out,
            "<p id=\"compare-counts\">Spans removed only by the first set: <strong \
             class=\"side-first\" id=\"count-only-first\">{}</strong>; only by the second set: \
             <strong class=\"side-second\" id=\"count-only-second\">{}</strong>; by both: <strong \
             class=\"side-both\" id=\"count-both\">{}</strong>. Documents that differ: <strong \
             id=\"count-differing\">{}</strong>.</p>",
            s.sides[0], s.sides[1], s.sides[2], s.differing
        );
    }
    let _ = writeln!(
        out,
        "<p class=\"note\">Counts cover every document read; removals are counted as in \
         <code>dechrome check --statistics</code>, in cleaned documents only. The page shows a \
         sample of at most {} documents (seed {}), at most {} characters of each. A refused \
         document (the rules would remove more than {:.0}% of its paragraph text) is left \
         unchanged; what the rules would have removed is outlined.</p>",
        s.sample,
        s.seed,
        s.max_chars,
        s.max_removal * 100.0
    );
}

/// The header cells of a sortable table: `(label, numeric)`.
fn sortable_head(out: &mut String, cols: &[(&str, bool)]) {
    out.push_str("<thead><tr>");
    for (label, num) in cols {
        let _ = write!(
            out,
            "<th scope=\"col\" data-type=\"{}\"><button type=\"button\">{label}</button></th>",
            if *num { "num" } else { "text" }
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
}

/// A name cell linking to its first occurrence on the page, when there is one.
fn link_cell(out: &mut String, name: &str, first: Option<&String>) {
    out.push_str("<td>");
    match first {
        Some(id) => {
            let _ = write!(out, "<a href=\"#{id}\">");
            esc(out, name);
            out.push_str("</a>");
        }
        None => esc(out, name),
    }
    out.push_str("</td>");
}

fn num_cell(out: &mut String, n: u64) {
    let _ = write!(out, "<td data-v=\"{n}\">{n}</td>");
}

/// Removals per family.
fn family_table(out: &mut String, s: &Summary, first: &BTreeMap<&str, String>) {
    let mut fams: BTreeMap<&str, (u64, u64, u64)> = BTreeMap::new();
    for r in s.rules.values() {
        let f = fams.entry(r.family.as_str()).or_default();
        f.0 += r.first;
        f.1 += r.second;
        f.2 += r.chars;
    }
    out.push_str("<h2>Removals per family</h2>\n<table id=\"families\" class=\"sortable\">\n");
    let compare = s.second.is_some();
    if compare {
        sortable_head(
            out,
            &[
                ("Family", false),
                ("First set", true),
                ("Second set", true),
                ("Characters", true),
            ],
        );
    } else {
        sortable_head(
            out,
            &[("Family", false), ("Removals", true), ("Characters", true)],
        );
    }
    for (fam, (a, b, chars)) in &fams {
        out.push_str("<tr data-family=\"");
        esc(out, fam);
        let _ = write!(out, "\" class=\"fam-{}\">", family_slot(fam));
        link_cell(out, fam, first.get(fam));
        num_cell(out, *a);
        if compare {
            num_cell(out, *b);
        }
        num_cell(out, *chars);
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

/// Removals per rule.
fn rule_table(out: &mut String, s: &Summary, first: &BTreeMap<&str, String>) {
    out.push_str("<h2>Removals per rule</h2>\n<table id=\"rules\" class=\"sortable\">\n");
    let compare = s.second.is_some();
    if compare {
        sortable_head(
            out,
            &[
                ("Rule", false),
                ("Family", false),
                ("First set", true),
                ("Second set", true),
                ("Documents", true),
                ("Characters", true),
            ],
        );
    } else {
        sortable_head(
            out,
            &[
                ("Rule", false),
                ("Family", false),
                ("Removals", true),
                ("Documents", true),
                ("Characters", true),
            ],
        );
    }
    for (id, r) in &s.rules {
        out.push_str("<tr data-rule=\"");
        esc(out, id);
        out.push_str("\">");
        link_cell(out, id, first.get(id.as_str()));
        let _ = write!(out, "<td class=\"fam-{}\">", family_slot(&r.family));
        esc(out, &r.family);
        out.push_str("</td>");
        num_cell(out, r.first);
        if compare {
            num_cell(out, r.second);
        }
        num_cell(out, r.docs);
        num_cell(out, r.chars);
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

/// The filters, the legend and the keyboard help.
fn controls(
    out: &mut String,
    page: &Page,
    rules: &BTreeMap<&str, String>,
    families: &BTreeMap<&str, String>,
) {
    out.push_str(
        "<nav id=\"controls\" aria-label=\"Filters\">\n<label>Family <select \
         id=\"filter-family\">\n<option value=\"\">all</option>\n",
    );
    for f in families.keys() {
        out.push_str("<option value=\"");
        esc(out, f);
        out.push_str("\">");
        esc(out, f);
        out.push_str("</option>\n");
    }
    out.push_str(
        "</select></label>\n<label>Rule <select id=\"filter-rule\">\n<option \
         value=\"\">all</option>\n",
    );
    for r in rules.keys() {
        out.push_str("<option value=\"");
        esc(out, r);
        out.push_str("\">");
        esc(out, r);
        out.push_str("</option>\n");
    }
    out.push_str("</select></label>\n");
    if page.summary.second.is_some() {
        out.push_str(
            "<label>Spans <select id=\"filter-side\">\n<option value=\"\">all</option>\n\
             <option value=\"first\">only first set</option>\n<option value=\"second\">only \
             second set</option>\n<option value=\"both\">both sets</option>\n</select></label>\n\
             <span class=\"legend\"><mark class=\"side-first\">only first</mark> <mark \
             class=\"side-second\">only second</mark> <mark class=\"side-both\">both</mark></span>\n",
        );
    }
    let _ = writeln!(
        out,
        "<span id=\"shown-docs\">{n} of {n} documents shown</span>\n<span class=\"keys\">Keys: \
         <kbd>n</kbd> or <kbd>j</kbd> next removal, <kbd>p</kbd> or <kbd>k</kbd> \
         previous.</span>\n<p id=\"position\" aria-live=\"polite\"></p>\n</nav>",
        n = page.docs.len()
    );
}

/// A set-separated list of names for a `data-` attribute.
fn names<'a>(out: &mut String, list: impl Iterator<Item = &'a str>) {
    let mut seen: Vec<&str> = list.collect();
    seen.sort_unstable();
    seen.dedup();
    esc(out, &seen.join(" "));
}

/// One document.
fn document(out: &mut String, d: usize, doc: &DocView, max_chars: usize) {
    let refused = doc.verdict == Verdict::Refused;
    let _ = write!(
        out,
        "<section class=\"doc {}\" id=\"d{d}\" data-verdict=\"{}\" data-rules=\"",
        doc.verdict.as_str(),
        doc.verdict.as_str()
    );
    names(
        out,
        doc.spans
            .iter()
            .flat_map(|s| s.rules())
            .map(|r| r.id.as_str()),
    );
    out.push_str("\" data-families=\"");
    names(
        out,
        doc.spans
            .iter()
            .flat_map(|s| s.rules())
            .map(|r| r.family.as_str()),
    );
    out.push_str("\">\n<h2><span class=\"verdict\">");
    out.push_str(doc.verdict.as_str());
    if let Some((v, _)) = &doc.second
        && *v != doc.verdict
    {
        let _ = write!(out, " → {}", v.as_str());
    }
    out.push_str("</span> <span class=\"name\">");
    esc(out, &doc.name);
    let _ = writeln!(
        out,
        "</span> <span class=\"count\">{}</span></h2>",
        n_of(doc.spans.len() as u64, "span")
    );
    if let Some(why) = &doc.refusal {
        out.push_str("<p class=\"refusal\" role=\"note\">First set: ");
        esc(out, why);
        out.push_str("</p>\n");
    }
    if let Some((_, Some(why))) = &doc.second {
        out.push_str("<p class=\"refusal second\" role=\"note\">Second set: ");
        esc(out, why);
        out.push_str("</p>\n");
    }
    if doc.second.is_some() {
        let _ = writeln!(
            out,
            "<p class=\"sides\">only first <strong>{}</strong> · only second <strong>{}</strong> \
             · both <strong>{}</strong></p>",
            doc.sides[0], doc.sides[1], doc.sides[2]
        );
    }
    // The parser drops a newline right after <pre>: this one, not the document's first.
    out.push_str("<pre class=\"text\">\n");
    let text = &doc.text;
    let mut at = 0;
    for (k, span) in doc.spans.iter().enumerate() {
        let start = snap(text, span.range.start).max(at);
        let end = snap(text, span.range.end);
        if end <= start {
            continue;
        }
        esc_bytes(out, &text[at..start]);
        mark(out, d, k, span, refused, &text[start..end]);
        at = end;
    }
    esc_bytes(out, &text[at..]);
    out.push_str("</pre>\n");
    if let Some((chars, spans)) = doc.cut {
        let _ = writeln!(
            out,
            "<p class=\"cut\">Cut after {max_chars} characters: the other {} ({} or parts of \
             spans) are not shown.</p>",
            n_of(chars as u64, "character"),
            n_of(spans as u64, "span")
        );
    }
    out.push_str("</section>\n");
}

/// One highlighted span.
fn mark(out: &mut String, d: usize, k: usize, span: &Span, refused: bool, bytes: &[u8]) {
    let rules = span.rules();
    let _ = write!(
        out,
        "<mark id=\"m{d}-{k}\" tabindex=\"-1\" class=\"fam-{} side-{}\" data-rule=\"",
        family_slot(&span.rule.family),
        span.side.as_str()
    );
    esc(out, &span.rule.id);
    out.push_str("\" data-family=\"");
    esc(out, &span.rule.family);
    out.push_str("\" data-rules=\"");
    names(out, rules.iter().map(|r| r.id.as_str()));
    out.push_str("\" data-families=\"");
    names(out, rules.iter().map(|r| r.family.as_str()));
    let _ = write!(out, "\" data-side=\"{}\" title=\"", span.side.as_str());
    let described: Vec<String> = rules
        .iter()
        .map(|r| format!("{} ({})", r.id, r.family))
        .collect();
    let what = match span.side {
        Side::One | Side::Both if refused => "would be removed by",
        Side::One => "removed by",
        Side::First => "removed only by the first set:",
        Side::Second => "removed only by the second set:",
        Side::Both => "removed by both sets:",
    };
    esc(out, &described.join(", "));
    out.push_str("\" aria-label=\"");
    esc(out, &format!("{what} {}", described.join(", ")));
    out.push_str("\">");
    esc_bytes(out, bytes);
    out.push_str("</mark>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patterns::Scope;

    fn rule(id: &str, family: &str) -> Arc<Rule> {
        let set = crate::PatternSetBuilder::new()
            .add_str(
                "t.toml",
                format!(
                    "[[rule]]\nid = \"{id}\"\nfamily = \"{family}\"\nscope = \"line\"\nphrases = \
                     [\"x\"]\n"
                ),
            )
            .build()
            .unwrap();
        assert_eq!(set.rules()[0].scope, Scope::Line);
        set.rules()[0].clone()
    }

    fn removal(r: &Arc<Rule>, range: Range<usize>) -> Removal {
        Removal {
            rule: r.clone(),
            range,
        }
    }

    #[test]
    fn compare_splits_by_side_and_by_finding() {
        let a = rule("t.a", "share");
        let b = rule("t.b", "ad");
        let first = [removal(&a, 0..10), removal(&a, 10..20)];
        let second = [removal(&a, 0..10), removal(&b, 15..30), removal(&b, 40..50)];
        let got: Vec<(Range<usize>, Side, String)> = compare_spans(&first, &second)
            .into_iter()
            .map(|s| (s.range.clone(), s.side, s.rule.id.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (0..10, Side::Both, "t.a".into()),
                (10..15, Side::First, "t.a".into()),
                (15..20, Side::Both, "t.a".into()),
                (20..30, Side::Second, "t.b".into()),
                (40..50, Side::Second, "t.b".into()),
            ]
        );
    }

    #[test]
    fn spans_clip_partial_overlaps_and_keep_nested_rules() {
        let a = rule("t.a", "share");
        let b = rule("t.b", "ad");
        let got = spans(&[removal(&a, 0..10), removal(&b, 2..5), removal(&b, 8..14)]);
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].range.clone(), got[0].others.len()), (0..10, 1));
        assert_eq!(got[1].range, 10..14);
    }

    #[test]
    fn snaps_inside_valid_characters_only() {
        let text = "aé€x".as_bytes(); // a, é (2 bytes), € (3 bytes), x
        assert_eq!(snap(text, 2), 1);
        assert_eq!(snap(text, 4), 3);
        assert_eq!(snap(text, 5), 3);
        assert_eq!(snap(text, 6), 6);
        let bad = b"a\x80\x80b";
        assert_eq!(snap(bad, 2), 2);
        assert_eq!(cut_point("aé€x".as_bytes(), 2), 3);
        assert_eq!(char_count("aé€x".as_bytes()), 4);
    }

    #[test]
    fn escapes_text_and_shows_invalid_bytes() {
        // Ids from pattern files are plain, but the page escapes them all the same.
        let mut odd = (*rule("t.a", "share")).clone();
        odd.id = "t.a\"<".into();
        let a = Arc::new(odd);
        let text = b"<script>alert(1)</script>\n\xffRemove </style> me\n";
        let view = DocView::new(
            "a&b.txt".into(),
            text,
            vec![Span {
                range: 27..45,
                rule: a,
                others: vec![],
                side: Side::One,
            }],
            Verdict::Cleaned,
            None,
            100,
        );
        let mut out = String::new();
        document(&mut out, 0, &view, 100);
        assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;\n\u{FFFD}<mark"));
        assert!(out.contains(">Remove &lt;/style&gt; me</mark>\n</pre>"));
        assert!(out.contains("data-rule=\"t.a&quot;&lt;\""));
        assert!(out.contains("a&amp;b.txt"));
        assert!(!out.contains("<script>") && !out.contains("</style>"));
    }

    #[test]
    fn cuts_long_documents_with_their_spans() {
        let a = rule("t.a", "share");
        let span = |r: Range<usize>| Span {
            range: r,
            rule: a.clone(),
            others: vec![],
            side: Side::One,
        };
        let view = DocView::new(
            "x".into(),
            "0123456789".as_bytes(),
            vec![span(1..2), span(3..6), span(7..9)],
            Verdict::Cleaned,
            None,
            4,
        );
        assert_eq!(view.text, b"0123");
        assert_eq!(view.cut, Some((6, 2)));
        assert_eq!(
            view.spans
                .iter()
                .map(|s| s.range.clone())
                .collect::<Vec<_>>(),
            vec![1..2, 3..4]
        );
    }
}
