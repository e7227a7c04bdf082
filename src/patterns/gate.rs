//! Gates: for a regex, a small set of literals one of which every match must contain.
//!
//! Most line regexes can only match a line holding some rare word ("credit", "©", "all rights
//! reserved"). One Aho-Corasick pass over the text for all gate literals tells which lines can match
//! which regex, so a regex runs only on the few lines its gate admits. A regex without a usable gate
//! (one that can match text made of common letters only) runs on every line, as before.
//!
//! The analysis is sound, not clever: it walks the regex's syntax tree as it is compiled
//! (case-insensitive) and keeps only what must occur in every match. Character classes are narrowed
//! to the characters that can occur in the search copy (see [`crate::normalize`]), with ASCII letters
//! lowered, as the gate automaton matches ASCII case-insensitively.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Most literal variants a gate (or a piece of one) may hold before it is given up.
const MAX_VARIANTS: usize = 64;

/// Most characters a class may hold to count as a set of literals.
const MAX_CLASS: usize = 10;

/// A gate is used only when the expected number of its literals starting at a given byte of
/// ordinary text stays below this.
const MAX_SCORE: f64 = 0.001;

/// What a piece of a regex tells about the strings it matches.
#[derive(Debug, Clone, PartialEq)]
enum Req {
    /// It matches exactly one of these strings.
    Exact(Vec<Vec<u8>>),
    /// Every match contains one of these strings.
    Contains(Vec<Vec<u8>>),
    /// Nothing useful is known.
    Unknown,
}

/// The gate of a regex (as written in a pattern file): literals, lowered in ASCII, at least one of
/// which occurs in every match. `None` when no gate is cheap and rare enough to be worth it.
pub(crate) fn gate(regex: &str) -> Option<Vec<Vec<u8>>> {
    let hir = regex_syntax::ParserBuilder::new()
        .case_insensitive(true)
        .multi_line(true)
        .crlf(true)
        .utf8(false)
        .build()
        .parse(regex)
        .ok()?;
    let lits = match req(&hir) {
        Req::Exact(l) | Req::Contains(l) => minimal(l),
        Req::Unknown => return None,
    };
    // No literal at all would admit no line: such a regex stays ungated, it is never dropped.
    (!lits.is_empty() && usable(&lits) && score(&lits) <= MAX_SCORE).then_some(lits)
}

/// The literals of `lits` that contain no other one: a line holding a longer one holds the shorter.
fn minimal(mut lits: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    lits.sort_by_key(Vec::len);
    let mut kept: Vec<Vec<u8>> = Vec::new();
    for lit in lits {
        if !kept
            .iter()
            .any(|k| lit.windows(k.len().max(1)).any(|w| w == k.as_slice()))
        {
            kept.push(lit);
        }
    }
    kept.sort();
    kept
}

/// A set is a gate only if it is not empty of meaning: an empty literal matches everywhere.
fn usable(lits: &[Vec<u8>]) -> bool {
    !lits.iter().any(Vec::is_empty)
}

fn req(hir: &Hir) -> Req {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Req::Exact(vec![Vec::new()]),
        HirKind::Literal(lit) => Req::Exact(vec![lower(&lit.0)]),
        HirKind::Class(class) => class_req(class),
        HirKind::Capture(cap) => req(&cap.sub),
        HirKind::Repetition(rep) => {
            if rep.min == 0 {
                // An optional exact piece (`x?`) is still exact: it is `x` or nothing.
                return match (rep.max, req(&rep.sub)) {
                    (Some(1), Req::Exact(mut l)) if l.len() < MAX_VARIANTS => {
                        l.push(Vec::new());
                        l.sort();
                        l.dedup();
                        Req::Exact(l)
                    }
                    _ => Req::Unknown,
                };
            }
            match req(&rep.sub) {
                Req::Exact(l) if rep.max == Some(rep.min) => {
                    let mut acc = vec![Vec::new()];
                    for _ in 0..rep.min {
                        match cross(&acc, &l) {
                            Some(next) => acc = next,
                            None => return Req::Contains(l),
                        }
                    }
                    Req::Exact(acc)
                }
                Req::Exact(l) | Req::Contains(l) => Req::Contains(l),
                Req::Unknown => Req::Unknown,
            }
        }
        HirKind::Alternation(alts) => {
            let mut all_exact = true;
            let mut union: Vec<Vec<u8>> = Vec::new();
            for alt in alts {
                match req(alt) {
                    Req::Exact(l) => union.extend(l),
                    Req::Contains(l) => {
                        all_exact = false;
                        union.extend(l);
                    }
                    Req::Unknown => return Req::Unknown,
                }
            }
            union.sort();
            union.dedup();
            if all_exact {
                Req::Exact(union)
            } else {
                Req::Contains(union)
            }
        }
        HirKind::Concat(parts) => concat_req(parts),
    }
}

/// A concatenation: adjacent exact pieces are multiplied out into longer literals while the
/// number of variants stays small; the rarest piece found is the requirement.
fn concat_req(parts: &[Hir]) -> Req {
    let mut run: Vec<Vec<u8>> = vec![Vec::new()];
    let mut exact = true;
    let mut best: Option<Vec<Vec<u8>>> = None;
    let consider = |cand: &[Vec<u8>], best: &mut Option<Vec<Vec<u8>>>| {
        if usable(cand) && best.as_ref().is_none_or(|b| score(cand) < score(b)) {
            *best = Some(cand.to_vec());
        }
    };
    for part in parts {
        match req(part) {
            Req::Exact(l) => match cross(&run, &l) {
                Some(next) => run = next,
                None => {
                    exact = false;
                    consider(&run, &mut best);
                    run = l;
                }
            },
            Req::Contains(l) => {
                exact = false;
                consider(&run, &mut best);
                consider(&l, &mut best);
                run = vec![Vec::new()];
            }
            Req::Unknown => {
                exact = false;
                consider(&run, &mut best);
                run = vec![Vec::new()];
            }
        }
    }
    if exact {
        return Req::Exact(run);
    }
    consider(&run, &mut best);
    best.map_or(Req::Unknown, Req::Contains)
}

/// Every concatenation of a string of `a` with one of `b`, or `None` above [`MAX_VARIANTS`].
fn cross(a: &[Vec<u8>], b: &[Vec<u8>]) -> Option<Vec<Vec<u8>>> {
    if a.len() * b.len() > MAX_VARIANTS {
        return None;
    }
    let mut out: Vec<Vec<u8>> = a
        .iter()
        .flat_map(|x| b.iter().map(move |y| [x.as_slice(), y].concat()))
        .collect();
    out.sort();
    out.dedup();
    Some(out)
}

/// A small class as the set of its members that can occur in the search copy, ASCII lowered.
fn class_req(class: &Class) -> Req {
    let mut members: Vec<Vec<u8>> = Vec::new();
    match class {
        Class::Unicode(c) => {
            for range in c.ranges() {
                for ch in range.start()..=range.end() {
                    // ASCII keeps its case in the search copy (the folding lowers non-ASCII
                    // capitals only): `(?-i:[A-Z])` matches capitals there.
                    if !ch.is_ascii() && !crate::normalize::can_occur(ch) {
                        continue;
                    }
                    let mut buf = [0; 4];
                    members.push(lower(ch.encode_utf8(&mut buf).as_bytes()));
                    if members.len() > 4 * MAX_CLASS {
                        return Req::Unknown;
                    }
                }
            }
        }
        Class::Bytes(c) => {
            for range in c.ranges() {
                for b in range.start()..=range.end() {
                    members.push(vec![b.to_ascii_lowercase()]);
                    if members.len() > 4 * MAX_CLASS {
                        return Req::Unknown;
                    }
                }
            }
        }
    }
    members.sort();
    members.dedup();
    if members.len() > MAX_CLASS {
        Req::Unknown
    } else {
        Req::Exact(members)
    }
}

fn lower(bytes: &[u8]) -> Vec<u8> {
    bytes.to_ascii_lowercase()
}

/// The expected number of the literals starting at a byte of ordinary text (English letter
/// frequencies; rare bytes count as rare). Lower is a better gate.
fn score(lits: &[Vec<u8>]) -> f64 {
    lits.iter()
        .map(|l| l.iter().map(|&b| frequency(b)).product::<f64>())
        .sum()
}

fn frequency(b: u8) -> f64 {
    match b {
        b' ' => 0.16,
        b'e' => 0.10,
        b't' => 0.075,
        b'a' => 0.065,
        b'o' | b'i' | b'n' => 0.058,
        b's' | b'h' | b'r' => 0.05,
        b'd' | b'l' => 0.034,
        b'c' | b'u' | b'm' | b'w' | b'f' | b'g' | b'y' | b'p' => 0.02,
        b'b' | b'v' | b'k' => 0.01,
        b'j' | b'q' | b'x' | b'z' => 0.002,
        b'0'..=b'9' => 0.004,
        b',' | b'.' => 0.01,
        b'\'' | b'"' | b'-' => 0.002,
        0x80.. => 0.003,
        _ => 0.0005,
    }
}

/// The head of a regex (as written in a pattern file) that can only match at the start of a line:
/// literals, lowered in ASCII, one of which every match begins with. `None` when the regex is not
/// anchored at the start, when its beginnings are too many to list, or when one of them is empty
/// or not ASCII. Such a regex is tried only on the lines that begin with its head, found by an
/// anchored automaton at each line start, which reads a few bytes per line where a gate scans
/// the whole line.
///
/// The regex is parsed case-sensitively, so that the case variants of its words do not exhaust the
/// literal extractor; matched ASCII case-insensitively on the search copy, the head still admits
/// every case variant (the two non-ASCII letters that fold to ASCII ones, the long s and the Kelvin
/// sign, are ASCII there already).
pub(crate) fn head(regex: &str) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = anchored_hir(regex, false)?;
    let seq = Extractor::new().kind(ExtractKind::Prefix).extract(&hir);
    let mut lits: Vec<Vec<u8>> = seq
        .literals()?
        .iter()
        .map(|l| l.as_bytes().to_ascii_lowercase())
        .collect();
    if lits.is_empty() || lits.iter().any(|l| l.is_empty() || !l.is_ascii()) {
        return None;
    }
    lits.sort();
    lits.dedup();
    Some(lits)
}

/// `regex` parsed for one line at a time (`case_insensitive` as compiled, or as written), when
/// every match starts at the start of the line; `None` otherwise or when it does not parse.
fn anchored_hir(regex: &str, case_insensitive: bool) -> Option<regex_syntax::hir::Hir> {
    let hir = regex_syntax::ParserBuilder::new()
        .case_insensitive(case_insensitive)
        .multi_line(false)
        .crlf(true)
        .utf8(false)
        .build()
        .parse(regex)
        .ok()?;
    hir.properties()
        .look_set_prefix()
        .contains(regex_syntax::hir::Look::Start)
        .then_some(hir)
}

/// The screen of a regex (as written in a pattern file) that can only match at the start of a line
/// and has neither head nor gate: literals, lowered in ASCII, one of which every match begins with
/// (empty when they are too many to list), and whether every match holds an ASCII digit. A line
/// that passes neither test cannot match, so the regex is compiled only once a line passes, and
/// tried only on such lines. `None` when the regex is not anchored at the start or neither test
/// says anything.
///
/// Unlike [`head`], the regex is parsed as it is compiled (case-insensitively), so the literals
/// hold every case variant of their first bytes, non-ASCII ones included.
pub(crate) fn screen(regex: &str) -> Option<(Vec<Vec<u8>>, bool)> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = anchored_hir(regex, true)?;
    let starts = |len: usize| {
        let seq = Extractor::new()
            .kind(ExtractKind::Prefix)
            .limit_class(300)
            .limit_literal_len(len)
            .limit_total(500)
            .extract(&hir);
        let mut lits: Vec<Vec<u8>> = seq
            .literals()?
            .iter()
            .map(|l| l.as_bytes().to_ascii_lowercase())
            .collect();
        if lits.is_empty() || lits.iter().any(|l| l.is_empty()) {
            return None;
        }
        lits.sort();
        lits.dedup();
        Some(lits)
    };
    let lits = starts(4).or_else(|| starts(1)).unwrap_or_default();
    let digit = needs_digit(&hir);
    (!lits.is_empty() || digit).then_some((lits, digit))
}

/// Most expected literal starts per byte of ordinary text (see [`score`]) for [`holds`]: its test
/// reads each line once, so it may admit more lines than a gate.
const MAX_HOLDS_SCORE: f64 = 0.01;

/// What a regex (as written in a pattern file) with neither head, gate nor screen needs in a line:
/// literals, lowered in ASCII, such that every match holds an ASCII digit or one of them (empty:
/// the digit alone). A line holding neither cannot match, so the regex is compiled only once a line
/// passes, and tried only on such lines. `None` when nothing that cheap is known.
pub(crate) fn holds(regex: &str) -> Option<Vec<Vec<u8>>> {
    let hir = regex_syntax::ParserBuilder::new()
        .case_insensitive(true)
        .multi_line(true)
        .crlf(true)
        .utf8(false)
        .build()
        .parse(regex)
        .ok()?;
    holds_hir(&hir).filter(|lits| score(lits) <= MAX_HOLDS_SCORE)
}

/// Literals such that every match of `hir` holds an ASCII digit or one of them (see [`holds`]).
fn holds_hir(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    if needs_digit(hir) {
        return Some(Vec::new());
    }
    let whole = match req(hir) {
        Req::Exact(l) | Req::Contains(l) if !l.is_empty() && usable(&l) => Some(minimal(l)),
        _ => None,
    };
    let parts = match hir.kind() {
        HirKind::Alternation(alts) => alts
            .iter()
            .map(holds_hir)
            .collect::<Option<Vec<_>>>()
            .map(|all| minimal(all.concat())),
        HirKind::Concat(parts) => parts
            .iter()
            .filter_map(holds_hir)
            .min_by(|a, b| score(a).total_cmp(&score(b))),
        HirKind::Repetition(r) if r.min >= 1 => holds_hir(&r.sub),
        HirKind::Capture(c) => holds_hir(&c.sub),
        _ => None,
    };
    [whole, parts]
        .into_iter()
        .flatten()
        .min_by(|a, b| score(a).total_cmp(&score(b)))
}

/// Whether every match of `hir` holds an ASCII digit.
fn needs_digit(hir: &Hir) -> bool {
    let digits = |ranges: &mut dyn Iterator<Item = (u32, u32)>| {
        let mut any = false;
        for (a, b) in ranges {
            if a < u32::from(b'0') || b > u32::from(b'9') {
                return false;
            }
            any = true;
        }
        any
    };
    match hir.kind() {
        HirKind::Literal(l) => l.0.iter().any(u8::is_ascii_digit),
        HirKind::Class(Class::Bytes(c)) => digits(
            &mut c
                .ranges()
                .iter()
                .map(|r| (u32::from(r.start()), u32::from(r.end()))),
        ),
        HirKind::Class(Class::Unicode(c)) => digits(
            &mut c
                .ranges()
                .iter()
                .map(|r| (u32::from(r.start()), u32::from(r.end()))),
        ),
        HirKind::Repetition(r) => r.min >= 1 && needs_digit(&r.sub),
        HirKind::Capture(c) => needs_digit(&c.sub),
        HirKind::Concat(parts) => parts.iter().any(needs_digit),
        HirKind::Alternation(alts) => alts.iter().all(needs_digit),
        HirKind::Empty | HirKind::Look(_) => false,
    }
}

/// What the length and the last byte of a line say about a line regex (see [`tail`]): a line
/// outside these bounds, or ending in another byte, holds no match that is not empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tail {
    /// The least length of a match.
    min: usize,
    /// The greatest length of a line the regex can match: every match is the whole line.
    max: usize,
    /// The bytes a match can end with, as a bit set, when every match ends at the end of the line
    /// (all bytes otherwise).
    last: [u64; 4],
    /// Every match begins at the start of the line and ends at its end: a line that matches is
    /// the match, so knowing that it matches is knowing where.
    pub(crate) whole: bool,
    /// For each of the first [`SPAN`] bytes of a line, the bytes it can be, as bit sets, when
    /// every match begins at the start of the line (all bytes otherwise).
    head: [[u64; 4]; SPAN],
    /// For each of the last [`SPAN`] bytes of a line (the last first), the bytes it can be, as
    /// bit sets, when every match ends at the end of the line (all bytes otherwise).
    end: [[u64; 4]; SPAN],
}

/// How many bytes at each end of a line [`Tail`] knows the possible values of.
pub(crate) const SPAN: usize = 4;

/// A [`Tail`] as `build.rs` stores it (see [`Tail::parts`]).
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) type TailParts = (u32, u32, [u64; 4], bool, [[u64; 4]; SPAN], [[u64; 4]; SPAN]);

/// Whether bit `b` of the set `set` is on.
#[inline]
fn has(set: &[u64; 4], b: u8) -> bool {
    set[usize::from(b >> 6)] & (1 << (b & 63)) != 0
}

impl Tail {
    /// Nothing known: every line may match.
    const ANY: Tail = Tail {
        min: 0,
        max: usize::MAX,
        last: [u64::MAX; 4],
        whole: false,
        head: [[u64::MAX; 4]; SPAN],
        end: [[u64::MAX; 4]; SPAN],
    };

    /// The tail with these parts (as [`Tail::parts`] gives them): how `build.rs` stores the
    /// tails of the built-in regexes, so that start-up parses none of them.
    pub(crate) const fn from_parts(
        min: u32,
        max: u32,
        last: [u64; 4],
        whole: bool,
        head: [[u64; 4]; SPAN],
        end: [[u64; 4]; SPAN],
    ) -> Tail {
        Tail {
            min: min as usize,
            max: if max == u32::MAX {
                usize::MAX
            } else {
                max as usize
            },
            last,
            whole,
            head,
            end,
        }
    }

    /// The least length, the greatest (`u32::MAX` for none), the last bytes, whether matches
    /// are whole lines, and the bytes at each end (for `build.rs` and the tests); lengths beyond
    /// `u32` are saturated, which only loosens the test.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn parts(&self) -> TailParts {
        (
            u32::try_from(self.min).unwrap_or(u32::MAX),
            u32::try_from(self.max).unwrap_or(u32::MAX),
            self.last,
            self.whole,
            self.head,
            self.end,
        )
    }

    /// Whether `line` can hold a match that is not empty.
    pub(crate) fn admits(&self, line: &[u8]) -> bool {
        let Some(&b) = line.last() else {
            return false;
        };
        line.len() >= self.min
            && line.len() <= self.max
            && has(&self.last, b)
            && (0..SPAN.min(line.len()))
                .all(|k| has(&self.head[k], line[k]) && has(&self.end[k], line[line.len() - 1 - k]))
    }
}

/// The [`Tail`] of a regex (as written in a pattern file) as it is compiled for one line at a time
/// (case-insensitive, `^` and `$` the ends of the line): a cheap test that a line which cannot
/// match fails before the regex is compiled or run. A regex anchored at the end can only match a
/// line ending in one of the bytes its matches end with, and one anchored at both ends only a line
/// no longer than its longest match; every match is at least as long as the shortest.
pub(crate) fn tail(regex: &str) -> Tail {
    use regex_syntax::hir::Look;
    let Ok(hir) = regex_syntax::ParserBuilder::new()
        .case_insensitive(true)
        .multi_line(false)
        .crlf(true)
        .utf8(false)
        .build()
        .parse(regex)
    else {
        return Tail::ANY;
    };
    let props = hir.properties();
    let at_start = props.look_set_prefix().contains(Look::Start);
    let at_end = props.look_set_suffix().contains(Look::End);
    let mut last = [u64::MAX; 4];
    if at_end {
        last = [0; 4];
        last_bytes(&hir, &mut last);
    }
    let mut head = [[u64::MAX; 4]; SPAN];
    if at_start {
        head = span_bytes(&hir, regex_syntax::hir::literal::ExtractKind::Prefix);
        let mut first = [0; 4];
        first_bytes(&hir, &mut first);
        head[0].iter_mut().zip(first).for_each(|(h, f)| *h &= f);
    }
    let mut end = [[u64::MAX; 4]; SPAN];
    if at_end {
        end = span_bytes(&hir, regex_syntax::hir::literal::ExtractKind::Suffix);
    }
    Tail {
        min: props.minimum_len().unwrap_or(0),
        max: if at_start && at_end {
            props.maximum_len().unwrap_or(usize::MAX)
        } else {
            usize::MAX
        },
        last,
        whole: at_start && at_end,
        head,
        end,
    }
}

/// For each of the first (`Prefix`) or last (`Suffix`, the last first) [`SPAN`] bytes of every
/// match of `hir`, the bytes it can be, from the literals that every match begins (ends) with;
/// all bytes where the literals do not tell (too many, or too short).
fn span_bytes(hir: &Hir, kind: regex_syntax::hir::literal::ExtractKind) -> [[u64; 4]; SPAN] {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let from_end = matches!(kind, ExtractKind::Suffix);
    let seq = Extractor::new()
        .kind(kind)
        .limit_class(32)
        .limit_literal_len(SPAN)
        .limit_total(4096)
        .extract(hir);
    let Some(lits) = seq.literals() else {
        return [[u64::MAX; 4]; SPAN];
    };
    let mut sets = [[0; 4]; SPAN];
    for lit in lits {
        let bytes = lit.as_bytes();
        for (k, set) in sets.iter_mut().enumerate() {
            if k >= bytes.len() {
                // A match that ends (begins) with this literal may have any byte here.
                *set = [u64::MAX; 4];
                continue;
            }
            let b = if from_end {
                bytes[bytes.len() - 1 - k]
            } else {
                bytes[k]
            };
            set[usize::from(b >> 6)] |= 1 << (b & 63);
        }
    }
    sets
}

/// Adds to `set` every byte a match of `hir` can begin with (its first byte when it is not
/// empty).
fn first_bytes(hir: &Hir, set: &mut [u64; 4]) {
    let mut add = |b: u8| set[usize::from(b >> 6)] |= 1 << (b & 63);
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => {
            if let Some(&b) = lit.0.first() {
                add(b);
            }
        }
        HirKind::Class(Class::Bytes(c)) => {
            for r in c.ranges() {
                (r.start()..=r.end()).for_each(&mut add);
            }
        }
        HirKind::Class(Class::Unicode(c)) => {
            // A character's first byte in UTF-8 grows with the character: a range's first
            // bytes run from its first character's to its last's.
            let lead = |ch: char| {
                let mut buf = [0; 4];
                ch.encode_utf8(&mut buf).as_bytes()[0]
            };
            for r in c.ranges() {
                (lead(r.start())..=lead(r.end())).for_each(&mut add);
            }
        }
        HirKind::Repetition(rep) => {
            if rep.max != Some(0) {
                first_bytes(&rep.sub, set);
            }
        }
        HirKind::Capture(cap) => first_bytes(&cap.sub, set),
        HirKind::Alternation(alts) => alts.iter().for_each(|a| first_bytes(a, set)),
        HirKind::Concat(parts) => {
            // The first part that cannot be empty, and every part before it.
            for part in parts {
                first_bytes(part, set);
                if part.properties().minimum_len().is_some_and(|n| n > 0) {
                    break;
                }
            }
        }
    }
}

/// Adds to `set` every byte a match of `hir` can end with (its last byte when it is not empty).
fn last_bytes(hir: &Hir, set: &mut [u64; 4]) {
    let mut add = |b: u8| set[usize::from(b >> 6)] |= 1 << (b & 63);
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => {
            if let Some(&b) = lit.0.last() {
                add(b);
            }
        }
        HirKind::Class(Class::Bytes(c)) => {
            for r in c.ranges() {
                (r.start()..=r.end()).for_each(&mut add);
            }
        }
        HirKind::Class(Class::Unicode(c)) => {
            for r in c.ranges() {
                for ch in r.start()..=r.end() {
                    if ch.is_ascii() {
                        add(ch as u8);
                    } else {
                        // A character beyond ASCII ends in a continuation byte.
                        (0x80..=0xBF).for_each(&mut add);
                        break;
                    }
                }
            }
        }
        HirKind::Repetition(rep) => {
            if rep.max != Some(0) {
                last_bytes(&rep.sub, set);
            }
        }
        HirKind::Capture(cap) => last_bytes(&cap.sub, set),
        HirKind::Alternation(alts) => alts.iter().for_each(|a| last_bytes(a, set)),
        HirKind::Concat(parts) => {
            // The last part that cannot be empty, and every part after it.
            for part in parts.iter().rev() {
                last_bytes(part, set);
                if part.properties().minimum_len().is_some_and(|n| n > 0) {
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn g(re: &str) -> Option<Vec<String>> {
        gate(re).map(|v| {
            v.into_iter()
                .map(|l| String::from_utf8(l).unwrap())
                .collect()
        })
    }

    #[test]
    fn a_contained_phrase_is_the_gate() {
        assert_eq!(
            g(r"^(?-u:.){0,}(?-u:\b)All Rights Reserved(?-u:\b)(?-u:.){0,}$"),
            Some(vec!["all rights reserved".to_string()])
        );
    }

    #[test]
    fn alternatives_and_optional_pieces_multiply_out() {
        assert_eq!(
            g(r"^[0-9]{1,2} ?(?:comments?|replies)$"),
            Some(vec![
                " comment".into(),
                " replies".into(),
                "comment".into(),
                "replies".into()
            ])
            .map(|v: Vec<String>| minimal_strings(v))
        );
        assert_eq!(g(r"^credit: ?.{2,80}$"), Some(vec!["credit:".to_string()]));
        let g16 = g(r"^(?:photo|image) ?/ ?(?:ap|afp)$").unwrap();
        assert_eq!(g16.len(), 16);
        assert!(g16.contains(&"photo / afp".to_string()) && g16.contains(&"image/ap".to_string()));
    }

    fn minimal_strings(v: Vec<String>) -> Vec<String> {
        minimal(v.into_iter().map(String::into_bytes).collect())
            .into_iter()
            .map(|l| String::from_utf8(l).unwrap())
            .collect()
    }

    #[test]
    fn common_or_missing_literals_give_no_gate() {
        // Only digits and punctuation: nothing rare enough to look for.
        assert_eq!(g(r"^[0-9]{1,2} [0-9]{2}$"), None);
        // A required piece that is too common is no gate either.
        assert_eq!(g(r"^(?:a|e|i|o) (?-u:.){0,}$"), None);
        // Every piece optional: the empty line would match.
        assert_eq!(g(r"^(?:photo)?$"), None);
    }

    #[test]
    fn classes_keep_what_the_search_copy_can_hold() {
        // `k` also matches the Kelvin sign under case folding, but the search copy folds that to `k`.
        assert_eq!(g(r"^kiosk$"), Some(vec!["kiosk".to_string()]));
        assert_eq!(g(r"^\u{212A}iosk$"), Some(vec!["kiosk".to_string()]));
        assert_eq!(g(r"^© 20[0-9]{2}$"), Some(vec!["© 20".to_string()]));
    }

    /// Found when the sentence regexes were gated: ASCII capitals were taken for letters the
    /// search copy cannot hold (it lowers only non-ASCII capitals), so a case-sensitive class
    /// made the copyright regex's gate empty, and an empty gate admits no line at all.
    #[test]
    fn a_case_sensitive_class_is_no_empty_gate() {
        assert_eq!(g(r"(?-i:[A-Z])"), None);
        assert_eq!(g(r"(?-i:[A-Z])[0-9]{3}"), None);
        // Capitals in an alternative still count: the other alternative is no gate by itself.
        assert_eq!(g(r"^(?:zebra|(?-i:[XYZ]))$"), None);
        assert_eq!(
            g(r"^(?:zebra|(?-i:[XQ])ylophon)$"),
            Some(vec!["qylophon".into(), "xylophon".into(), "zebra".into()])
        );
        // The copyright sentence regex keeps a gate on its marks.
        let copyright = r"(?:copyright ?)?(?:©|ⓒ|\(c\)|copyright) ?(?:19|20)[0-9]{2}(?:[ ,-]{1,3}(?:19|20)?[0-9]{2,4})? (?-i:[A-Z])(?:(?-u:[^\n.!?])|\.(?-u:[^ \n.!?])){0,60}\.";
        let lits = g(copyright).expect("a gate");
        assert!(!lits.is_empty(), "{lits:?}");
        let re = regex::bytes::RegexBuilder::new(copyright)
            .case_insensitive(true)
            .build()
            .unwrap();
        let text = "Copyright 2024 Example Media Group.";
        assert!(re.is_match(text.as_bytes()));
        let lower = text.to_ascii_lowercase();
        assert!(lits.iter().any(|l| lower.contains(l.as_str())), "{lits:?}");
    }

    /// A small regex from a grammar that mixes literals, classes, alternations and repetitions.
    fn regex_strategy() -> impl Strategy<Value = String> {
        let atom = prop_oneof![
            Just("ab".to_string()),
            Just("sk".to_string()),
            Just("x".to_string()),
            Just("[ab]".to_string()),
            Just("[sx]".to_string()),
            Just("[a-c]".to_string()),
            Just(".".to_string()),
            Just(" ".to_string()),
            Just(r"\b".to_string()),
            Just("©".to_string()),
            Just("(?-i:[A-Z])".to_string()),
            Just("(?-i:[SX])".to_string()),
        ];
        atom.prop_recursive(4, 24, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 1..4).prop_map(|v| v.concat()),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("(?:{a}|{b})")),
                inner.clone().prop_map(|a| format!("(?:{a})?")),
                inner.clone().prop_map(|a| format!("(?:{a})*")),
                inner.clone().prop_map(|a| format!("(?:{a})+")),
                inner.clone().prop_map(|a| format!("(?:{a}){{2}}")),
                inner.prop_map(|a| format!("(?:{a}){{1,3}}")),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Soundness: whenever a regex matches a search copy, one of its gate literals is in it.
        #[test]
        fn a_match_always_holds_a_gate_literal(
            body in regex_strategy(),
            anchored in any::<bool>(),
            text in "[abcsxkSKX ©\u{17F}\u{212A}]{0,14}",
        ) {
            let re = if anchored { format!("^{body}$") } else { body };
            let Some(lits) = gate(&re) else { return Ok(()); };
            let compiled = regex::bytes::RegexBuilder::new(&re)
                .case_insensitive(true)
                .build()
                .unwrap();
            let norm = crate::normalize::Normalized::new(text.as_bytes());
            let hay = norm.text().to_ascii_lowercase();
            if compiled.is_match(norm.text()) {
                prop_assert!(
                    lits.iter().any(|l| hay.windows(l.len()).any(|w| w == l.as_slice())),
                    "{re:?} matches {text:?} but no gate literal of {lits:?} is in it"
                );
            }
        }
    }

    /// `re` compiled as the set compiles a line regex (case-insensitive, one line at a time).
    fn line_regex(re: &str) -> regex::bytes::Regex {
        regex::bytes::RegexBuilder::new(re)
            .case_insensitive(true)
            .multi_line(false)
            .crlf(true)
            .build()
            .unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Soundness: whenever a regex anchored at the start matches a line, the line passes its
        /// screen (begins with a start literal, holds a digit when every match does).
        #[test]
        fn a_match_always_passes_the_screen(
            body in regex_strategy(),
            digits in prop_oneof![Just(""), Just("[0-9]"), Just("(?:7|x)"), Just("2?"), Just("(?:3|4)+")],
            first in any::<bool>(),
            text in "[abcsxkSKX 72©\u{17F}\u{212A}]{0,14}",
        ) {
            let re = if first { format!("^{digits}{body}") } else { format!("^{body}{digits}") };
            let Some((lits, digit)) = screen(&re) else { return Ok(()); };
            let compiled = line_regex(&re);
            let norm = crate::normalize::Normalized::new(text.as_bytes());
            let line = norm.text().to_ascii_lowercase();
            if compiled.is_match(norm.text()) {
                prop_assert!(
                    lits.is_empty() || lits.iter().any(|l| line.starts_with(l)),
                    "{re:?} matches {text:?} but it begins with none of {lits:?}"
                );
                prop_assert!(
                    !digit || line.iter().any(u8::is_ascii_digit),
                    "{re:?} matches {text:?}, which holds no digit"
                );
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Soundness: whenever a regex matches a line, the line holds a digit or one of the
        /// literals of [`holds`].
        #[test]
        fn a_match_always_passes_the_holds_test(
            body in regex_strategy(),
            digits in prop_oneof![Just(""), Just("[0-9]"), Just("(?:7|x)"), Just("2?"), Just("(?:3|4)+")],
            first in any::<bool>(),
            text in "[abcsxkSKX 72©\u{17F}\u{212A}]{0,14}",
        ) {
            let re = if first { format!("(?:{digits}|{body})") } else { format!("{body}{digits}") };
            let Some(lits) = holds(&re) else { return Ok(()); };
            let compiled = line_regex(&re);
            let norm = crate::normalize::Normalized::new(text.as_bytes());
            if compiled.is_match(norm.text()) {
                prop_assert!(
                    crate::patterns::set::line_holds(norm.text(), &lits),
                    "{re:?} matches {text:?}, which holds no digit and none of {lits:?}"
                );
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Soundness: whenever a line regex has a match that is not empty in a line, the line
        /// passes its [`tail`] test (length bounds, last byte).
        #[test]
        fn a_match_always_passes_the_tail_test(
            body in regex_strategy(),
            head in prop_oneof![Just(""), Just("^")],
            end in prop_oneof![Just(""), Just("$"), Just("[0-9]$"), Just("(?:x|é)?$"), Just("(?-u:[\\xc0-\\xff])$")],
            text in "[abcsxkSKX 72©é\u{17F}\u{212A}]{0,14}",
        ) {
            let re = format!("{head}{body}{end}");
            let t = tail(&re);
            let compiled = line_regex(&re);
            let norm = crate::normalize::Normalized::new(text.as_bytes());
            if compiled.find_iter(norm.text()).any(|m| !m.is_empty()) {
                prop_assert!(
                    t.admits(norm.text()),
                    "{re:?} matches {text:?}, which fails its tail test {t:?}"
                );
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// A regex whose [`Tail`] says its matches are whole lines has, on a line that is not
        /// empty, either no match or the one match that is the line: detection takes a set's yes
        /// for that match instead of searching for it.
        #[test]
        fn a_whole_line_regex_matches_the_whole_line_or_nothing(
            body in regex_strategy(),
            head in prop_oneof![Just(""), Just("^"), Just("(?:^|x)")],
            end in prop_oneof![Just(""), Just("$"), Just("(?:$|x)"), Just("(?:x|é)?$")],
            text in "[abcsxkSKX 72©é\u{17F}\u{212A}]{1,14}",
        ) {
            let re = format!("{head}{body}{end}");
            let whole = tail(&re).whole;
            prop_assert_eq!(whole, head == "^" && end.ends_with('$') && end != "(?:$|x)");
            let compiled = line_regex(&re);
            let norm = crate::normalize::Normalized::new(text.as_bytes());
            let line = norm.text();
            if whole && !line.is_empty() {
                let found: Vec<(usize, usize)> =
                    compiled.find_iter(line).map(|m| (m.start(), m.end())).collect();
                let want = if compiled.is_match(line) { vec![(0, line.len())] } else { vec![] };
                prop_assert_eq!(found, want, "{:?} on {:?}", re, text);
            }
        }
    }

    #[test]
    fn tails() {
        let admits = |re: &str, line: &str| tail(re).admits(line.as_bytes());
        // Anchored at the end: the last byte, in either case; lines ending otherwise fail.
        let said = r"^(?-u:.){1,60} (?:on|at) [0-9]{4} (?:said|says|wrote):?$";
        assert!(admits(said, "Ann on 2024 said"));
        assert!(admits(said, "Ann on 2024 WROTE:"));
        assert!(!admits(said, "Ann on 2024 said."));
        assert!(!admits(said, "He said"), "shorter than any match");
        // Anchored at both ends: the longest match bounds the line.
        assert!(admits(r"^[0-9]{1,2} min read$", "12 min read"));
        assert!(!admits(r"^[0-9]{1,2} min read$", "123 min read"));
        // Optional pieces at the end: every byte that can end a match.
        assert_eq!(tail(r"^photo(?: ?©)?$"), tail(r"^(?:photo|photo ?©)$"));
        assert!(admits(r"^photo(?: ?©)?$", "Photo ©"));
        assert!(admits(r"^photo(?: ?©)?$", "PHOTO"));
        // Not anchored at the end: only the shortest match bounds the line.
        assert!(admits(r"^share", "Share this"));
        assert!(admits(r"credit", "Credit."));
        assert!(!admits(r"credit", "Cred"));
        // The empty line holds no match that is not empty.
        assert!(!admits(r"^.*$", ""));
        // Anchored at the start: the first bytes, in either case.
        assert!(admits(r"^[0-9]+ likes$", "12 Likes"));
        assert!(!admits(r"^[0-9]+ likes$", "He likes"), "first byte");
        assert!(!admits(r"^[0-9]+ likes$", "12 likes books"), "last bytes");
        assert!(!admits(r"^share (?:this|it)", "shore this"), "third byte");
        assert!(admits(r"^share (?:this|it)", "SHARE it now"));
        // A class too large for literals still gives the first byte.
        assert!(!admits(r"^\pL+ \(1\)$", "1 (1)"));
        assert!(admits(r"^\pL+ \(1\)$", "é (1)"));
        // Unicode case folding: the Kelvin sign and the long s.
        assert!(admits(r"^kiosk$", "\u{212A}io\u{17F}k"));
    }

    #[test]
    fn holds_tests() {
        let h = |r: &str| {
            holds(r).map(|l| {
                l.iter()
                    .map(|x| String::from_utf8_lossy(x).into_owned())
                    .collect::<Vec<_>>()
            })
        };
        // A digit, or "min ago" where the count is a word, or "just now".
        assert_eq!(
            h(r"^(?:(?:[0-9]+|an?|one) ?min ago|just now|[a-z]+ [0-9]{4})$"),
            Some(vec!["just now".into(), "min ago".into()])
        );
        // Digits in every alternative: the digit alone.
        assert_eq!(h(r"^(?:x[0-9]|[0-9]{2} y)$"), Some(vec![]));
        // Common letters only, or anything at all: nothing to test.
        assert_eq!(h(r"^(?:e|[0-9])$"), None);
        assert_eq!(h(r"^.+$"), None);
        assert!(crate::patterns::set::line_holds(b"Posted 3 hours", &[]));
        assert!(crate::patterns::set::line_holds(
            b"a minute AGO",
            &[b"ago".to_vec()]
        ));
        assert!(!crate::patterns::set::line_holds(
            b"Share this article",
            &[b"ago".to_vec()]
        ));
    }

    #[test]
    fn screens() {
        let s = |r: &str| {
            screen(r).map(|(l, d)| {
                let l: Vec<String> = l
                    .iter()
                    .map(|x| String::from_utf8_lossy(x).into_owned())
                    .collect();
                (l, d)
            })
        };
        // A date needs a digit; its start is too varied to list.
        assert_eq!(
            s(r"^[ ,;]*(?:[a-z]+ )?[0-9]{1,2}\.[0-9]{2}$"),
            Some((vec![], true))
        );
        // Listed starts, every case variant (the long s folds to s), and no digit needed.
        assert_eq!(
            s("^(?:ap|st)(?: ?/ ?[a-z]{1,9})?$"),
            Some((vec!["ap".into(), "st".into(), "ſt".into()], false))
        );
        // Digits in one alternative only, and no listable start: no screen. Not anchored: none.
        assert_eq!(s(r"^(?:.+|[0-9]+) ago$"), None);
        assert_eq!(s(r"[0-9]{4}"), None);
    }

    #[test]
    fn heads() {
        let h = |r: &str| {
            head(r).map(|l| {
                l.iter()
                    .map(|x| String::from_utf8_lossy(x).into_owned())
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(
            h("^Follow (?:us|them) on"),
            Some(vec!["follow them on".into(), "follow us on".into()])
        );
        assert_eq!(
            h("^(?:estimated )?reading time"),
            Some(vec!["estimated reading time".into(), "reading time".into()])
        );
        // Not anchored, anything first, an empty start, a non-ASCII start: no head.
        assert_eq!(h("follow us"), None);
        assert_eq!(h("^(?-u:.){0,}credit"), None);
        assert_eq!(h("^(?:x)?"), None);
        assert_eq!(h("^©"), None);
    }
}
