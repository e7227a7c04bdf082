//! Detection: every place in a text where a pattern of the set matches, as byte spans of the
//! original text. Detection knows nothing of scopes; the [`filter`](crate::filter) decides what a hit
//! removes.
//!
//! [`detect`] scans the whole text. [`detect_for_cleaning`] gives the cleaner the same result faster:
//! a phrase, a tail marker or a block start removes something only where it starts a line (after
//! whitespace and bullets) or a sentence (after `.`, `!` or `?`, closing quotes and spaces), so it
//! runs an anchored automaton at those positions only, which skips most of the text. When a block
//! start is found there, block end markers (which count anywhere) are needed: it scans everything.

use crate::filter::{is_bullet, is_space_char, is_trailing_punct};
use crate::normalize::Normalized;
use crate::patterns::{PatternSet, REGEX_LINE_LIMIT, Role, ScanTarget};

/// One match of one pattern of one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    /// Start byte in the original text.
    pub start: usize,
    /// End byte (exclusive) in the original text.
    pub end: usize,
    /// Index of the rule in its [`PatternSet`].
    pub rule: usize,
    /// What the matched pattern stands for in its rule.
    pub role: Role,
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// CJK punctuation (full stops, commas, brackets, full-width marks) separates words as ASCII
/// punctuation does. Iteration marks (`々`) and the middle dot (`・`, inside names) are left out.
fn is_cjk_punct(c: char) -> bool {
    matches!(
        c,
        '\u{3001}'..='\u{3002}'
            | '\u{3008}'..='\u{3011}'
            | '\u{3014}'..='\u{301F}'
            | '\u{FF01}'..='\u{FF0F}'
            | '\u{FF1A}'..='\u{FF20}'
            | '\u{FF3B}'..='\u{FF40}'
            | '\u{FF5B}'..='\u{FF64}'
    )
}

/// Is the byte at `i` (which starts a character) part of a word?
fn word_at(text: &[u8], i: usize) -> bool {
    is_word_byte(text[i])
        && (text[i] < 0x80 || !bstr::decode_utf8(&text[i..]).0.is_some_and(is_cjk_punct))
}

/// Does the character that ends before `i` belong to a word?
fn word_before(text: &[u8], i: usize) -> bool {
    is_word_byte(text[i - 1])
        && (text[i - 1] < 0x80
            || !bstr::decode_last_utf8(&text[..i])
                .0
                .is_some_and(is_cjk_punct))
}

/// A literal hit counts only where it does not cut a word: "comment" must not match in "commentary",
/// and "コメントを残す" matches in "コメントを残す。" as "leave a comment" does in "leave a comment.".
fn at_word_edges(text: &[u8], start: usize, end: usize) -> bool {
    let left_ok = !word_at(text, start) || start == 0 || !word_before(text, start);
    let right_ok = !word_before(text, end) || end == text.len() || !word_at(text, end);
    left_ok && right_ok
}

/// Literal hits of the automaton `ac` within `input` (a span of the search copy), on word edges,
/// in original offsets, one per rule and role (`targets`, by pattern) the literal serves.
fn literal_hits(
    ac: &aho_corasick::AhoCorasick,
    targets: &[Vec<(usize, Role)>],
    norm: &Normalized<'_>,
    input: aho_corasick::Input<'_>,
    hits: &mut Vec<Hit>,
) {
    let hay = norm.text();
    for m in ac.find_overlapping_iter(input) {
        if !at_word_edges(hay, m.start(), m.end()) {
            continue;
        }
        let (start, end) = (norm.to_original(m.start()), norm.to_original(m.end()));
        for &(rule, role) in &targets[m.pattern().as_usize()] {
            hits.push(Hit {
                start,
                end,
                rule,
                role,
            });
        }
    }
}

/// Where the text of a line of the search copy starts: after whitespace and bullets. Never before
/// the filter's trimmed start of the original line (the folding maps spaces and bullets only to
/// spaces and bullets).
fn trimmed_start(line: &[u8]) -> usize {
    let mut s = 0;
    while s < line.len() {
        let (c, len) = bstr::decode_utf8(&line[s..]);
        match c {
            Some(c) if is_space_char(c) || is_bullet(c) => s += len,
            _ => break,
        }
    }
    s
}

/// Hits of the whole-line phrases (see [`Inner::whole_lines`](crate::patterns)) on the line
/// `ls..nl` of the search copy: every literal that runs from a position within the line's leading
/// whitespace and bullets to one within its trailing whitespace and punctuation. These are the
/// only hits of such phrases that can remove anything (the filter's `line_qualifies` decides), so
/// the rest of the line is never searched. The trimming here is done on the search copy, where it
/// never trims less than the filter's trimming of the original does (the folding maps bullets,
/// spaces and trailing punctuation only to bullets, spaces and trailing punctuation), so no
/// qualifying hit is missed.
fn whole_line_hits(
    set: &PatternSet,
    norm: &Normalized<'_>,
    ls: usize,
    nl: usize,
    s: usize,
    key: &mut Vec<u8>,
    hits: &mut Vec<Hit>,
) {
    let inner = set.inner();
    let table = &inner.whole_lines;
    if table.is_empty() {
        return;
    }
    let hay = norm.text();
    let line = &hay[ls..nl];
    let mut e = line.len();
    while e > s {
        let (c, len) = bstr::decode_last_utf8(&line[s..e]);
        match c {
            Some(c) if is_space_char(c) || is_trailing_punct(c) => e -= len,
            _ => break,
        }
    }
    let max = inner.whole_line_max;
    if e - s > max {
        return;
    }
    for p in 0..=s.min(line.len()) {
        if !inner.whole_line_first[usize::from(line.get(p).copied().unwrap_or(b'\n'))] {
            continue;
        }
        for end in e.max(p + 1)..=line.len() {
            if end - p > max {
                break;
            }
            if !inner.whole_line_last[usize::from(line[end - 1])] {
                continue;
            }
            key.clear();
            key.extend(line[p..end].iter().map(u8::to_ascii_lowercase));
            if let Some(targets) = table.get(key.as_slice())
                && at_word_edges(hay, ls + p, ls + end)
            {
                let (start, end) = (norm.to_original(ls + p), norm.to_original(ls + end));
                for &(rule, role) in targets {
                    hits.push(Hit {
                        start,
                        end,
                        rule,
                        role,
                    });
                }
            }
        }
    }
}

/// What one document's detection passes learnt of each line they have seen, by line content: a
/// line regex sees one line only, and a gate literal of a sentence regex never spans lines (see
/// [`Inner::sentence_gates_in_lines`](crate::patterns)), so a line that a removal left as it was
/// gives the same line-regex matches and admits the same sentence regexes as before. The next pass
/// (see [`Cleaner::clean`](crate::Cleaner::clean)) takes both from here: it neither runs the line
/// regexes on such a line nor scans it, and scans only the lines a removal changed.
#[derive(Debug, Default)]
pub(crate) struct LineMemo {
    /// The lines seen, one after another (search copy).
    text: Vec<u8>,
    /// Hash of a line's content to what is known of it.
    lines: std::collections::HashMap<u64, MemoLine, BuildLineHash>,
    /// Matches: start and end within the line, rule.
    found: Vec<(usize, usize, usize)>,
    /// Sentence regexes (indices) whose gate literals occur within a line.
    sentences: Vec<usize>,
    /// Every line of a pass is here, with its sentence regexes: the next pass needs no document
    /// scan.
    complete: bool,
    /// The latest pass's hits of line and sentence starts and whole-line phrases, line by line
    /// (`None` when that pass found them otherwise): the next pass takes those of the lines a
    /// removal left as they were from here (see [`detect_after_cut`]).
    pass: Option<PassLines>,
    /// The latest pass's search copy: the next pass copies the lines a removal left as they were
    /// from here (see [`Normalized::after_cut`]).
    norm: Option<crate::normalize::Kept>,
}

/// What one pass found by probing each line of the text it read (its line and sentence starts
/// and its whole-line phrases), in offsets from the line's start: these depend on the line's own
/// bytes alone (the normalisation folds a line on its own, and with
/// [`Inner::anchored_in_lines`](crate::patterns) no probed literal runs past a line's end).
#[derive(Debug, Default)]
struct PassLines {
    /// The lines that hold text, in order (a blank line costs nothing to probe again, and a
    /// document may be millions of them: the memory budget allows a blank line a few bytes).
    lines: Vec<PassLine>,
    /// Start and end from the line's start in the original, rule and role.
    hits: Vec<(u32, u32, u32, Role)>,
    /// Block starts: end of the marker from the line's start in the search copy, and rule.
    blocks: Vec<(u32, u32)>,
}

/// One line of [`PassLines`]: its start and end (past its `\n`) in the text, its hits
/// `hits[.0..{.1}]` and its block starts `blocks[.0..{.1}]`.
#[derive(Debug, Clone, Copy)]
struct PassLine {
    start: usize,
    end: usize,
    hits: (u32, u32),
    blocks: (u32, u32),
}

impl PassLines {
    /// Keeps the line `start..end` of the original (at `norm` in the search copy) with its hits
    /// and block starts, when their offsets fit the compact form (else the next pass probes the
    /// line again).
    fn keep(
        &mut self,
        start: usize,
        end: usize,
        norm: usize,
        hits: &[Hit],
        blocks: &[(usize, usize)],
    ) {
        let fits = |n: usize| u32::try_from(n).is_ok();
        if !fits(end - start)
            || !fits(self.hits.len() + hits.len())
            || !fits(self.blocks.len() + blocks.len())
            || hits.iter().any(|h| !fits(h.rule))
            || blocks
                .iter()
                .any(|&(e, rule)| !fits(e - norm) || !fits(rule))
        {
            return;
        }
        let hf = self.hits.len() as u32;
        self.hits.extend(hits.iter().map(|h| {
            let rel = |at: usize| (at - start) as u32;
            (rel(h.start), rel(h.end), h.rule as u32, h.role)
        }));
        let bf = self.blocks.len() as u32;
        self.blocks.extend(
            blocks
                .iter()
                .map(|&(e, rule)| ((e - norm) as u32, rule as u32)),
        );
        self.lines.push(PassLine {
            start,
            end,
            hits: (hf, self.hits.len() as u32),
            blocks: (bf, self.blocks.len() as u32),
        });
    }
}

/// One line of a [`LineMemo`]: its place in `text`, its matches in `found` and its sentence
/// regexes in `sentences`.
#[derive(Debug, Clone, Copy)]
struct MemoLine {
    text: (usize, usize),
    found: (usize, usize),
    sentences: (usize, usize),
}

/// A fast hash of a line's bytes (the memo compares the bytes themselves on a hit).
fn line_hash(line: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = line.len() as u64;
    let mut chunks = line.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    for &b in chunks.remainder() {
        h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
    }
    h ^ (h >> 29)
}

/// Hashes with [`line_hash`]: the memo's keys are hashes already (a lone `write_u64` keeps
/// them), and the phrase tables' byte keys are hashed once.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct BuildLineHash;

/// The hasher of [`BuildLineHash`]. Every write is mixed into what came before, so a key hashed
/// in several writes keeps each part: a `str` ends with a 0xff byte, which once replaced the
/// whole hash and gave every `String` key the same one.
#[derive(Debug, Default)]
pub(crate) struct LineHasher(u64);

impl std::hash::Hasher for LineHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = self.0.rotate_left(23) ^ line_hash(bytes);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = self.0.rotate_left(23) ^ n;
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }
}

impl std::hash::BuildHasher for BuildLineHash {
    type Hasher = LineHasher;
    fn build_hasher(&self) -> LineHasher {
        LineHasher(0)
    }
}

/// One occurrence found by the document scan (see [`Scan`](crate::patterns)): start and end in
/// the search copy, and the literal.
type Found = (usize, usize, usize);

/// The document scan of the search copy `hay`: every occurrence of every literal of the set's
/// [`Scan`](crate::patterns), in the order of their ends. This is the only pass over the whole
/// text; line regexes, sentence regexes and pack signatures take what they need from it.
fn scan(set: &PatternSet, hay: &[u8]) -> Vec<Found> {
    let mut found = Vec::new();
    set.inner().scan.find(hay, &mut found);
    found
}

/// Regex hits: the regexes of sentence rules over the whole text, those of line and tail rules line
/// by line, on lines no longer than [`REGEX_LINE_LIMIT`] (a longer line is a paragraph, not chrome,
/// and skipping it is most of the speed). A regex with a gate runs only where the document scan
/// (`found_in_scan`) saw one of its literals: a sentence regex on the document, a line regex on the
/// line. With a memo, lines seen before take their matches and their sentence regexes from it;
/// without a scan (`None`, only with a [complete](LineMemo::complete) memo), the lines the memo
/// lacks are scanned one by one.
fn regex_hits(
    set: &PatternSet,
    norm: &Normalized<'_>,
    found_in_scan: Option<&[Found]>,
    hits: &mut Vec<Hit>,
    mut memo: Option<&mut LineMemo>,
) {
    let inner = set.inner();
    let hay = norm.text();
    let targets = &inner.scan.targets;
    // The sentence regexes to run: those the scan saw a literal of, and those of the set of
    // ungated ones that match.
    let mut run = vec![false; inner.regexes.len()];
    if !inner.regexes.is_empty() {
        for &(_, _, lit) in found_in_scan.unwrap_or_default() {
            for t in &targets[lit] {
                if let ScanTarget::Sentence(i) = *t {
                    run[i] = true;
                }
            }
        }
        if let Some(rs) = &inner.regex_set {
            for k in rs.matches(hay).iter() {
                run[inner.regex_set_index[k]] = true;
            }
        }
    }
    let lines = &inner.line;
    // With a memo every line is visited, for its sentence regexes; without, only the lines the
    // line regexes may run on.
    let remember = memo.is_some() && inner.sentence_gates_in_lines;
    if !lines.is_empty() || remember {
        line_regex_hits(
            set,
            norm,
            found_in_scan,
            &mut run,
            hits,
            memo.as_deref_mut(),
        );
        if let Some(m) = memo {
            m.complete = remember;
        }
    }
    for (i, _) in run.iter().enumerate().filter(|(_, r)| **r) {
        let (re, rule) = &inner.regexes[i];
        for m in re.get().find_iter(hay) {
            if m.is_empty() {
                continue;
            }
            hits.push(Hit {
                start: norm.to_original(m.start()),
                end: norm.to_original(m.end()),
                rule: *rule,
                role: Role::Phrase,
            });
        }
    }
}

/// The line-regex part of [`regex_hits`], line by line; marks in `run` the sentence regexes whose
/// literals a line scanned here (without `found_in_scan`) or remembered holds.
fn line_regex_hits(
    set: &PatternSet,
    norm: &Normalized<'_>,
    found_in_scan: Option<&[Found]>,
    run: &mut [bool],
    hits: &mut Vec<Hit>,
    mut memo: Option<&mut LineMemo>,
) {
    let inner = set.inner();
    let hay = norm.text();
    let targets = &inner.scan.targets;
    let lines = &inner.line;
    let remember = memo.is_some() && inner.sentence_gates_in_lines;
    if !lines.is_empty() {
        lines.count_read(hay.len());
    }
    // A first pass that remembers every line keeps the text of each line that is not empty:
    // room for it at once rather than by doubling (which also held up to twice the room), and
    // a place for each such line, as far as a place for every 64 bytes goes. Blank lines are
    // not kept, so a document of them reserves nothing.
    if let Some(m) = memo.as_deref_mut()
        && remember
        && m.text.capacity() == 0
    {
        let (mut kept, mut bytes, mut start) = (0, 0, 0);
        for end in memchr::memchr_iter(b'\n', hay).chain([hay.len()]) {
            let line = &hay[start..end];
            let len = line.strip_suffix(b"\r").unwrap_or(line).len();
            kept += usize::from(len > 0);
            bytes += len;
            start = end + 1;
        }
        m.text.reserve_exact(bytes);
        m.lines.reserve(kept.min(hay.len() / 64));
    }
    let late = lines.late();
    // What the late set found on a line, kept from line to line.
    let mut late_found = late.map(|set| set.pattern_set());
    // The next occurrence of the document scan not yet looked at (they come in the order of
    // their ends).
    let mut next = 0;
    let mut admitted: Vec<usize> = Vec::new();
    let mut found: Vec<(usize, usize, usize)> = Vec::new();
    let mut screened: Vec<usize> = Vec::new();
    // The admitted regexes known to match the line (those a set or a test of the regex itself
    // admitted; a gate or a head literal only says that one may).
    let mut matched: Vec<usize> = Vec::new();
    // The occurrences of the scan's literals within the line (in the line's offsets), and the
    // sentence regexes they admit.
    let mut within: Vec<Found> = Vec::new();
    let mut sentences: Vec<usize> = Vec::new();
    let mut start = 0;
    while start <= hay.len() {
        let end = memchr::memchr(b'\n', &hay[start..]).map_or(hay.len(), |i| start + i);
        let line = &hay[start..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let short = line.len() <= REGEX_LINE_LIMIT && !lines.is_empty();
        if line.is_empty() || !(short || remember) {
            start = end + 1;
            continue;
        }
        let key = memo.as_ref().map(|_| line_hash(line));
        if let (Some(m), Some(key)) = (memo.as_deref(), key)
            && let Some(e) = m.lines.get(&key)
            && m.text[e.text.0..e.text.1] == *line
        {
            for &(ms, me, rule) in &m.found[e.found.0..e.found.1] {
                hits.push(Hit {
                    start: norm.to_original(start + ms),
                    end: norm.to_original(start + me),
                    rule,
                    role: Role::Phrase,
                });
            }
            if found_in_scan.is_none() {
                for &i in &m.sentences[e.sentences.0..e.sentences.1] {
                    run[i] = true;
                }
            }
            start = end + 1;
            continue;
        }
        // The literals found within this line (an occurrence that ends here but starts on an
        // earlier line, or takes in the line's `\r`, is not within it).
        within.clear();
        match found_in_scan {
            Some(found_in_scan) => {
                while let Some(&(s, e, lit)) = found_in_scan.get(next) {
                    if e > end {
                        break;
                    }
                    next += 1;
                    if s >= start && e <= start + line.len() {
                        within.push((s - start, e - start, lit));
                    }
                }
            }
            None => inner.scan.find(line, &mut within),
        }
        sentences.clear();
        admitted.clear();
        for &(_, _, lit) in &within {
            for t in &targets[lit] {
                match *t {
                    ScanTarget::Line(i) if short => admitted.push(i),
                    ScanTarget::Sentence(i) if remember => sentences.push(i),
                    _ => {}
                }
            }
        }
        if found_in_scan.is_none() {
            for &i in &sentences {
                run[i] = true;
            }
        }
        found.clear();
        if short {
            matched.clear();
            if let Some(heads) = &lines.heads {
                heads.prefixes_of(line, |pid, _| {
                    admitted.extend_from_slice(&lines.head_targets[pid]);
                });
            }
            // A set's matches are read only when there are some: reading them goes over every
            // regex of the set.
            if let (Some(set), Some(found)) = (late, late_found.as_mut()) {
                set.matches_into(line, found);
                if !found.is_empty() {
                    matched.extend(found.iter().map(|i| lines.late_index[i.as_usize()]));
                }
            } else if let Some(set) = lines.ungated() {
                let m = set.matches(line);
                if m.matched_any() {
                    matched.extend(m.iter().map(|i| lines.ungated_index[i]));
                }
            }
            if late.is_none() {
                for h in &lines.held {
                    let re = &lines.regexes[h.index].0;
                    if re.admits(line) && h.matches(line, re) {
                        matched.push(h.index);
                    }
                }
            }
            if late.is_none() && !lines.screened.is_empty() {
                screened.clear();
                screened.extend_from_slice(&lines.any_start);
                if let Some(starts) = &lines.starts {
                    starts.prefixes_of(line, |pid, _| {
                        screened.extend_from_slice(&lines.start_targets[pid]);
                    });
                    screened.sort_unstable();
                    screened.dedup();
                }
                let mut digit = None;
                for &s in &screened {
                    let (i, needs_digit) = lines.screened[s];
                    if needs_digit
                        && !*digit.get_or_insert_with(|| line.iter().any(u8::is_ascii_digit))
                        || !lines.regexes[i].0.admits(line)
                    {
                        continue;
                    }
                    // Anchored at the start: a match anywhere is a match at the start, as in the
                    // set of the ungated regexes.
                    if lines.regexes[i].0.is_match_line(line) {
                        matched.push(i);
                    }
                }
            }
            admitted.extend_from_slice(&matched);
            admitted.sort_unstable();
            admitted.dedup();
            for &i in &admitted {
                let (re, rule) = &lines.regexes[i];
                // The line's length and last byte rule most admitted regexes out at once.
                if !re.admits(line) {
                    continue;
                }
                // A regex whose matches are whole lines needs no search for where: most are
                // known to match already, and the others need only a yes or no.
                if re.matches_whole_lines() {
                    if matched.contains(&i) || re.is_match_line(line) {
                        found.push((0, line.len(), *rule));
                    }
                    continue;
                }
                re.find_line(line, |s, e| found.push((s, e, *rule)));
            }
            for &(ms, me, rule) in &found {
                hits.push(Hit {
                    start: norm.to_original(start + ms),
                    end: norm.to_original(start + me),
                    rule,
                    role: Role::Phrase,
                });
            }
        }
        if let (Some(m), Some(key)) = (memo.as_deref_mut(), key) {
            m.lines.entry(key).or_insert_with(|| {
                let text = (m.text.len(), m.text.len() + line.len());
                m.text.extend_from_slice(line);
                let fs = m.found.len();
                m.found.extend_from_slice(&found);
                let ss = m.sentences.len();
                sentences.sort_unstable();
                sentences.dedup();
                m.sentences.extend_from_slice(&sentences);
                MemoLine {
                    text,
                    found: (fs, m.found.len()),
                    sentences: (ss, m.sentences.len()),
                }
            });
        }
        start = end + 1;
    }
}

/// Finds every hit of `set` in `text`, sorted by position.
pub fn detect(set: &PatternSet, text: &[u8]) -> Vec<Hit> {
    let inner = set.inner();
    if !inner.has_literals() && inner.regex_set.is_none() && inner.line.is_empty() {
        return Vec::new();
    }
    let norm = Normalized::new(text);
    let hay = norm.text();
    let mut hits = Vec::new();
    if let Some(ac) = inner.literals() {
        let input = aho_corasick::Input::new(hay);
        literal_hits(ac, &inner.literal_targets, &norm, input, &mut hits);
    }
    regex_hits(set, &norm, Some(&scan(set, hay)), &mut hits, None);
    hits.sort_unstable();
    hits.dedup();
    hits
}

/// The hits [`Cleaner`](crate::Cleaner) can act on: the same removals as with [`detect`], found by
/// testing only the positions where a literal can start a line or a sentence (see the module docs).
/// Hits elsewhere, which remove nothing, are left out.
pub fn detect_for_cleaning(set: &PatternSet, text: &[u8]) -> Vec<Hit> {
    detect_for_cleaning_with(set, text, &mut LineMemo::default())
}

/// [`detect_for_cleaning`] with the line-regex matches of the document's earlier passes.
pub(crate) fn detect_for_cleaning_with(
    set: &PatternSet,
    text: &[u8],
    memo: &mut LineMemo,
) -> Vec<Hit> {
    detect_in_pass(set, text, memo, None)
}

/// [`detect_for_cleaning_with`] on the text the pass before read without the ranges `cut`
/// (sorted, disjoint, in that text's offsets): the lines no range touched are not probed again,
/// their hits are the pass before's (see [`LineMemo`]).
pub(crate) fn detect_after_cut(
    set: &PatternSet,
    text: &[u8],
    memo: &mut LineMemo,
    cut: &[std::ops::Range<usize>],
) -> Vec<Hit> {
    detect_in_pass(set, text, memo, Some(cut))
}

/// [`detect_for_cleaning_with`], after `cut` when known (see [`detect_after_cut`]).
fn detect_in_pass(
    set: &PatternSet,
    text: &[u8],
    memo: &mut LineMemo,
    cut: Option<&[std::ops::Range<usize>]>,
) -> Vec<Hit> {
    let inner = set.inner();
    if inner.full_scan || !inner.has_literals() {
        memo.pass = None;
        memo.norm = None;
        return detect(set, text);
    }
    let before = memo.norm.take();
    let norm = cut
        .zip(before.as_ref())
        .and_then(|(cut, before)| Normalized::after_cut(text, before, cut))
        .unwrap_or_else(|| Normalized::new(text));
    // The copy of the pass before is no longer needed: gone before the rules run.
    drop(before);
    // A complete memo knows every line the earlier passes saw: only the lines a removal changed
    // are scanned, one by one (see `regex_hits`).
    let hits = if memo.complete {
        detect_normalized(set, &norm, None, memo, cut)
    } else {
        let found = scan(set, norm.text());
        detect_normalized(set, &norm, Some(&found), memo, cut)
    };
    memo.norm = keep_norm(norm, text.len());
    hits
}

/// The most bytes a document's search copy (its text and breakpoints) may take to be kept for the
/// next pass: a larger one is folded afresh by that pass, so that a huge document does not hold a
/// second copy of itself while the rules run (the memory budget counts one).
const KEEP_NORM_BYTES: usize = 4 << 20;

/// `norm`, made of a text of `len` bytes, kept for the next pass when it is small enough (see
/// [`KEEP_NORM_BYTES`]).
fn keep_norm(norm: Normalized<'_>, len: usize) -> Option<crate::normalize::Kept> {
    let kept = norm.keep(len);
    (kept.bytes() <= KEEP_NORM_BYTES).then_some(kept)
}

/// The publisher packs that apply to `text` (see [`PatternSet::active_packs`]) and the hits of
/// [`detect_for_cleaning_with`], normalising the text once for both.
pub(crate) fn active_packs_and_hits(
    set: &PatternSet,
    text: &[u8],
    publisher: Option<&str>,
    memo: &mut LineMemo,
) -> (crate::patterns::ActivePacks, Vec<Hit>) {
    let inner = set.inner();
    if inner.full_scan || !inner.has_literals() {
        return (set.active_packs(text, publisher), detect(set, text));
    }
    let norm = Normalized::new(text);
    let hay = norm.text();
    let found = scan(set, hay);
    let targets = &inner.scan.targets;
    let signatures = found.iter().flat_map(|&(s, e, lit)| {
        targets[lit].iter().filter_map(move |t| match *t {
            ScanTarget::Signature(pack) => Some((pack, s, e)),
            _ => None,
        })
    });
    let active = inner.packs.active_from(hay, publisher, signatures);
    let hits = detect_normalized(set, &norm, Some(&found), memo, None);
    memo.norm = keep_norm(norm, text.len());
    (active, hits)
}

/// [`detect_for_cleaning_with`] on text already normalised and scanned (`found`; `None` with a
/// complete memo, see [`regex_hits`]); after `cut` when known (see [`detect_after_cut`]).
fn detect_normalized(
    set: &PatternSet,
    norm: &Normalized<'_>,
    found: Option<&[Found]>,
    memo: &mut LineMemo,
    cut: Option<&[std::ops::Range<usize>]>,
) -> Vec<Hit> {
    let inner = set.inner();
    let hay = norm.text();
    let mut hits = Vec::new();
    // Block starts: (end of the marker in the search copy, rule).
    let mut blocks: Vec<(usize, usize)> = Vec::new();
    let probe = inner.anchored.as_ref();
    let try_at = |p: usize, hits: &mut Vec<Hit>, blocks: &mut Vec<(usize, usize)>| {
        let Some(prefixes) = probe else {
            return;
        };
        prefixes.prefixes_of(&hay[p..], |pid, len| {
            let end = p + len;
            if !at_word_edges(hay, p, end) {
                return;
            }
            let (s, e) = (norm.to_original(p), norm.to_original(end));
            for &(rule, role) in &inner.anchored_targets[pid] {
                if role == Role::Start {
                    blocks.push((end, rule));
                }
                hits.push(Hit {
                    start: s,
                    end: e,
                    rule,
                    role,
                });
            }
        });
    };
    let can_start = |b: u8| probe.is_some_and(|a| a.can_start(b));
    // The lines of the pass before that stand here unchanged, as (start here, index there), in
    // order: no range of `cut` touches them.
    let before = memo.pass.take();
    let mut same: Vec<(usize, usize)> = Vec::new();
    if let (Some(before), Some(cut)) = (&before, cut)
        && inner.anchored_in_lines
    {
        let (mut c, mut shift) = (0, 0);
        for (k, line) in before.lines.iter().enumerate() {
            while c < cut.len() && cut[c].end <= line.start {
                shift += cut[c].len();
                c += 1;
            }
            if c < cut.len() && cut[c].start < line.end {
                continue; // Touched.
            }
            same.push((line.start - shift, k));
        }
    }
    let mut pass = PassLines::default();
    let mut next_same = 0;
    // Sentence starts: after . ! ? every position through spaces and closing quotes and brackets
    // (a sentence rule's hit counts only right after those; the filter's `sentence_starts_at`),
    // up to the first other byte.
    let mut dots = memchr::memchr3_iter(b'.', b'!', b'?', hay).peekable();
    let mut key = Vec::new();
    let mut line = 0;
    // Where the line starts in the original.
    let mut orig = 0;
    while line < hay.len() {
        let nl = memchr::memchr(b'\n', &hay[line..]).map_or(hay.len(), |i| line + i);
        let (hits_from, blocks_from) = (hits.len(), blocks.len());
        // Whether the line holds more than whitespace and bullets.
        let text;
        while same.get(next_same).is_some_and(|&(s, _)| s < orig) {
            next_same += 1;
        }
        let known = same
            .get(next_same)
            .filter(|&&(s, _)| s == orig)
            .and_then(|&(_, k)| Some((before.as_ref()?, k)));
        if let Some((before, k)) = known {
            let PassLine {
                hits: (hf, ht),
                blocks: (bf, bt),
                ..
            } = before.lines[k];
            hits.extend(before.hits[hf as usize..ht as usize].iter().map(
                |&(start, end, rule, role)| Hit {
                    start: orig + start as usize,
                    end: orig + end as usize,
                    rule: rule as usize,
                    role,
                },
            ));
            blocks.extend(
                before.blocks[bf as usize..bt as usize]
                    .iter()
                    .map(|&(end, rule)| (line + end as usize, rule as usize)),
            );
            while dots.next_if(|&d| d < nl).is_some() {}
            text = true;
        } else {
            // Line starts: every position up to the line's text (after whitespace and bullets,
            // as the filter trims a line; a hit after that removes nothing), stopping at the
            // first ASCII letter or digit; and the whole-line phrases, looked up.
            let text_start = line + trimmed_start(&hay[line..nl]);
            text = text_start < nl;
            let mut p = line;
            while p < nl && p <= text_start {
                if can_start(hay[p]) {
                    try_at(p, &mut hits, &mut blocks);
                }
                if hay[p].is_ascii_alphanumeric() {
                    break;
                }
                p += 1;
            }
            whole_line_hits(set, norm, line, nl, text_start - line, &mut key, &mut hits);
            while let Some(dot) = dots.next_if(|&d| d < nl) {
                let mut p = dot + 1;
                while p < nl {
                    if can_start(hay[p]) {
                        try_at(p, &mut hits, &mut blocks);
                    }
                    if !matches!(
                        hay[p],
                        b' ' | b'\t' | b'"' | b'\'' | b')' | b']' | 0xC2 | 0xBB
                    ) {
                        break;
                    }
                    p += 1;
                }
            }
        }
        // Kept for the next pass, from the line's start.
        let end = if nl < hay.len() {
            norm.to_original(nl) + 1
        } else {
            norm.to_original(nl)
        };
        if text {
            pass.keep(orig, end, line, &hits[hits_from..], &blocks[blocks_from..]);
        }
        orig = end;
        line = nl + 1;
    }
    memo.pass = Some(pass);
    // A block's end marker counts anywhere within its lines: scan those lines in full.
    if let Some(trie) = (!blocks.is_empty()).then(|| inner.window()).flatten() {
        let longest = inner.window_max_len();
        for (from, rule) in blocks {
            let lines = set.rule(rule).max_lines;
            let mut to = hay.len();
            for (k, nl) in memchr::memchr_iter(b'\n', &hay[from..]).enumerate() {
                if k + 1 >= lines {
                    to = from + nl;
                    break;
                }
            }
            // Windows may overlap (their hits are deduplicated below).
            let to = (to + longest).min(hay.len());
            // Every occurrence within `from..to`, as an overlapping search finds them (the order
            // does not matter: the hits are sorted below).
            for p in from..to {
                if !trie.can_start(hay[p]) {
                    continue;
                }
                trie.prefixes_of(&hay[p..to], |pid, len| {
                    if !at_word_edges(hay, p, p + len) {
                        return;
                    }
                    let (start, end) = (norm.to_original(p), norm.to_original(p + len));
                    for &(rule, role) in &inner.window_targets[pid] {
                        hits.push(Hit {
                            start,
                            end,
                            rule,
                            role,
                        });
                    }
                });
            }
        }
    }
    regex_hits(set, norm, found, &mut hits, Some(memo));
    hits.sort_unstable();
    hits.dedup();
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cleaner, PatternSetBuilder};
    use proptest::prelude::*;

    /// Keys of every shape get distinct hashes (a `str`'s closing 0xff once replaced the hash
    /// of its bytes), and a lone `u64` key is its own hash, as the memo needs.
    #[test]
    fn the_line_hasher_keeps_every_part_of_a_key() {
        use std::hash::BuildHasher;
        let (a, b) = ("share this", "read more");
        assert_ne!(BuildLineHash.hash_one(a), BuildLineHash.hash_one(b));
        assert_ne!(
            BuildLineHash.hash_one(a.to_string()),
            BuildLineHash.hash_one(b.to_string())
        );
        assert_ne!(
            BuildLineHash.hash_one(a.as_bytes()),
            BuildLineHash.hash_one(b.as_bytes())
        );
        assert_eq!(BuildLineHash.hash_one(42u64), 42);
    }

    #[test]
    fn cjk_punctuation_is_a_word_edge_and_kana_is_not() {
        let t = "コメントを残す。".as_bytes();
        let end = "コメントを残す".len();
        assert!(at_word_edges(t, 0, end));
        let t = "「コメント」を".as_bytes();
        assert!(at_word_edges(t, "「".len(), "「コメント".len()));
        let t = "コメントを残すよう".as_bytes();
        assert!(!at_word_edges(t, 0, end));
        assert!(!at_word_edges(b"commentary.", 0, 7));
        assert!(at_word_edges(b"comment.", 0, 7));
    }

    const EXTRA: &str = r#"
[[rule]]
id = "t.share.line"
family = "share"
scope = "line"
phrases = ["share this article", "- advertisement -", "» read more", "comments", "comments are closed"]
max_chars = 40

[[rule]]
id = "t.appeal.sentence"
family = "support-appeal"
scope = "sentence"
phrases = ["please donate", "sign up now", "it's free"]

[[rule]]
id = "t.block"
family = "newsletter"
scope = "block"
start = ["newsletter starts"]
end = ["newsletter ends"]
max_lines = 5
"#;

    fn sets() -> &'static [PatternSet] {
        static SETS: std::sync::OnceLock<Vec<PatternSet>> = std::sync::OnceLock::new();
        SETS.get_or_init(|| {
            vec![
                PatternSet::builtin().unwrap(),
                PatternSetBuilder::new()
                    .builtin()
                    .add_str("extra.toml", EXTRA)
                    .build()
                    .unwrap(),
            ]
        })
    }

    /// Pieces documents are made of: phrases in variants, prose, punctuation, odd spaces.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("Share this article".to_string()),
            Just("SHARE THIS ARTICLE".to_string()),
            Just("share\u{a0}this  article".to_string()),
            Just("Advertisement".to_string()),
            Just("- Advertisement -".to_string()),
            Just("\u{2013} advertisement \u{2013}".to_string()),
            Just("» Read more".to_string()),
            Just("Comments".to_string()),
            Just("Comments are closed".to_string()),
            Just("commentary".to_string()),
            Just("Please donate today".to_string()),
            Just("Sign up now!".to_string()),
            Just("It\u{2019}s free.".to_string()),
            Just("Newsletter starts".to_string()),
            Just("Newsletter ends".to_string()),
            Just("Join our commenting forum".to_string()),
            Just("Your support makes all the difference.".to_string()),
            Just("Your support helps us to tell the story".to_string()),
            Just("The council met.".to_string()),
            Just("Prices rose".to_string()),
            Just("Élection".to_string()),
            Just("© 2024 Example Media.".to_string()),
            Just("All rights".to_string()),
            Just(" reserved.".to_string()),
            Just("Photo: Ann Lee".to_string()),
            Just("5 min read".to_string()),
            Just("Updated 3 hours ago".to_string()),
            Just("\u{201d}".to_string()),
            Just("\"".to_string()),
            Just(". ".to_string()),
            Just("? ".to_string()),
            Just("!".to_string()),
            Just(" ".to_string()),
            Just("\t".to_string()),
            Just("  ".to_string()),
            Just("• ".to_string()),
            Just("\n".to_string()),
            Just("\n\n".to_string()),
            Just("\r\n".to_string()),
            Just("\u{feff}".to_string()),
            "[a-z]{1,6}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        /// The fast detector must lead to exactly the outcome of the full scan.
        #[test]
        fn fast_detection_cleans_like_full_detection(parts in proptest::collection::vec(piece(), 0..40)) {
            let text = parts.concat();
            for set in sets().iter() {
                let cleaner = Cleaner::new(set.clone());
                let full = cleaner.clean_hits(text.as_bytes(), detect(set, text.as_bytes()));
                let fast = cleaner.clean_hits(text.as_bytes(), detect_for_cleaning(set, text.as_bytes()));
                // `clean` carries the first pass's line-regex matches into the later passes.
                let memo = cleaner.clean(text.as_bytes());
                prop_assert_eq!(&full.text, &memo.text);
                prop_assert_eq!(&full.removals, &memo.removals);
                prop_assert_eq!(&full.notices, &memo.notices);
                prop_assert_eq!(&full.text, &fast.text);
                prop_assert_eq!(&full.removals, &fast.removals);
                prop_assert_eq!(&full.notices, &fast.notices);
                prop_assert_eq!(full.verdict, fast.verdict);
                prop_assert_eq!(&full.deleted, &fast.deleted);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        /// A later pass takes what it knows of unchanged lines from the memo of an earlier one and
        /// scans only the others: its hits are those of a pass without a memo, whatever the
        /// earlier text was (here: the same pieces, some dropped, some joined to their neighbour).
        #[test]
        fn a_pass_with_a_memo_finds_what_a_fresh_pass_finds(
            parts in proptest::collection::vec((piece(), 0..4u8), 0..40),
        ) {
            let before: String = parts.iter().map(|(p, _)| p.as_str()).collect();
            let after: String = parts
                .iter()
                .filter(|(_, k)| *k != 0)
                .map(|(p, k)| if *k == 1 { p.trim_end_matches('\n') } else { p })
                .collect();
            for set in sets().iter() {
                let mut memo = LineMemo::default();
                let (_, first) = active_packs_and_hits(set, before.as_bytes(), None, &mut memo);
                prop_assert_eq!(&first, &detect_for_cleaning(set, before.as_bytes()));
                prop_assert_eq!(memo.complete, set.inner().sentence_gates_in_lines);
                let later = detect_for_cleaning_with(set, after.as_bytes(), &mut memo);
                prop_assert_eq!(&later, &detect_for_cleaning(set, after.as_bytes()));
                // And a third pass on the text before, from the memo of both.
                let again = detect_for_cleaning_with(set, before.as_bytes(), &mut memo);
                prop_assert_eq!(&again, &first);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        /// A pass after a cut takes the hits of the lines the cut left whole from the pass
        /// before and probes the others: its hits are those of a fresh pass, whatever was cut
        /// (here: pieces dropped, and line ends, which joins a line to the next).
        #[test]
        fn a_pass_after_a_cut_finds_what_a_fresh_pass_finds(
            parts in proptest::collection::vec((piece(), 0..4u8), 0..40),
        ) {
            let before: String = parts.iter().map(|(p, _)| p.as_str()).collect();
            let mut after = String::new();
            let mut cut: Vec<std::ops::Range<usize>> = Vec::new();
            let mut at = 0;
            for (p, k) in &parts {
                let kept = match k {
                    0 => "",
                    1 => p.trim_end_matches('\n'),
                    _ => p.as_str(),
                };
                after.push_str(kept);
                if kept.len() < p.len() {
                    let r = at + kept.len()..at + p.len();
                    match cut.last_mut() {
                        Some(last) if last.end == r.start => last.end = r.end,
                        _ => cut.push(r),
                    }
                }
                at += p.len();
            }
            for set in sets().iter() {
                let mut memo = LineMemo::default();
                let (_, first) = active_packs_and_hits(set, before.as_bytes(), None, &mut memo);
                prop_assert_eq!(&first, &detect_for_cleaning(set, before.as_bytes()));
                let later = detect_after_cut(set, after.as_bytes(), &mut memo, &cut);
                prop_assert_eq!(&later, &detect_for_cleaning(set, after.as_bytes()));
                // And a pass that cut nothing.
                let again = detect_after_cut(set, after.as_bytes(), &mut memo, &[]);
                prop_assert_eq!(&again, &later);
            }
        }
    }

    /// A sentence regex with a gate runs only on a document the scan found one of its literals
    /// in; one without (no literal every match holds) runs on every document.
    #[test]
    fn sentence_regexes_with_and_without_a_gate() {
        let set = PatternSetBuilder::new()
            .add_str(
                "s.toml",
                r#"
[[rule]]
id = "t.gated"
family = "other"
scope = "sentence"
regexes = ['thanks for reading [a-z]+\.']

[[rule]]
id = "t.ungated"
family = "other"
scope = "sentence"
regexes = ['(?-i:[A-Z])[0-9]{3}\.']
"#,
            )
            .build()
            .unwrap();
        let inner = set.inner();
        assert_eq!(inner.regex_set_index, vec![1]);
        let found = |text: &str| {
            let mut v: Vec<(&str, usize, usize)> = detect_for_cleaning(&set, text.as_bytes())
                .iter()
                .map(|h| (set.rule(h.rule).id.as_str(), h.start, h.end))
                .collect();
            v.dedup();
            v
        };
        assert_eq!(
            found("Intro. THANKS for reading Daily. Code Z123. End.\n"),
            vec![("t.gated", 7, 32), ("t.ungated", 38, 43)]
        );
        assert_eq!(found("Code z123. Thanks for the read.\n"), vec![]);
        assert_eq!(found("Z123."), vec![("t.ungated", 0, 5)]);
    }

    #[test]
    fn fast_detection_skips_mid_sentence_hits() {
        let set = &sets()[1];
        let text = b"We said comments matter.\nComments\n";
        let fast = detect_for_cleaning(set, text);
        // "Comments" serves several rules; only the line-initial hits are kept.
        assert!(
            !fast.is_empty() && fast.iter().all(|h| h.start == 25),
            "{fast:?}"
        );
        let full = detect(set, text);
        assert!(full.iter().any(|h| h.start == 8) && full.iter().any(|h| h.start == 25));
    }
}
