//! Embeds every `patterns/**/*.toml` file as the built-in pattern set, with the gates and heads
//! of its regexes (see `src/patterns/gate.rs`) worked out here rather than at every start-up.

#[allow(dead_code)]
#[path = "src/normalize.rs"]
mod normalize;

#[allow(dead_code)]
#[path = "src/patterns/gate.rs"]
mod gate;

#[path = "src/patterns/line_syntax.rs"]
mod line_syntax;
#[allow(dead_code)]
#[path = "src/patterns/prefix.rs"]
mod prefix;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml")
            && path != dir.join("model.toml").as_path()
        {
            // `patterns/model.toml` is the line model (src/model), not a pattern file.
            out.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let dir = root.join("patterns");
    println!("cargo:rerun-if-changed=patterns");
    println!("cargo:rerun-if-changed=src/normalize.rs");
    println!("cargo:rerun-if-changed=src/patterns/gate.rs");
    println!("cargo:rerun-if-changed=src/patterns/prefix.rs");
    println!("cargo:rerun-if-changed=src/patterns/line_syntax.rs");
    let mut files = Vec::new();
    collect(&dir, &mut files);
    files.sort();
    let mut code = String::from("static BUILTIN_FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        writeln!(
            code,
            "    ({rel:?}, include_str!({:?})),",
            f.display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let big_endian = std::env::var("CARGO_CFG_TARGET_ENDIAN").is_ok_and(|e| e == "big");
    // One text holds the strings of the rules and the regexes' sources (see `Strings`).
    let mut strings = Strings::default();
    lay_out(&mut strings, &files);
    code.push_str(&gates(&files, &out_dir, big_endian, &mut strings));
    code.push_str(&parsed(&files, &root, strings));
    let (tries, bytes) = prefix_sets(&files, big_endian);
    code.push_str(&tries);
    std::fs::write(out_dir.join("builtin_prefix_sets.bin"), bytes).unwrap();
    std::fs::write(out_dir.join("builtin_patterns.rs"), code).unwrap();
}

/// `static BUILTIN_GATES: &[GateEntry]`: for every distinct regex of the pattern files,
/// sorted, its head (kind 1), else its gate (kind 2), else its screen (kind 3, or 4 when every match
/// holds a digit), else what a line must hold (kind 5), else nothing (kind 0), and the literals;
/// its tail (`gate::tail`, an index into `static BUILTIN_TAILS: &[Tail]`), and for the screened
/// and held line regexes their DFA (`line_dfa`, an index into `static BUILTIN_DFAS`, which says
/// where each lies in `BUILTIN_DFA_BYTES`; `u16::MAX` for none).
fn gates(files: &[PathBuf], out_dir: &Path, big_endian: bool, strings: &mut Strings) -> String {
    let mut regexes: Vec<String> = Vec::new();
    // The regexes of rules that read one line at a time (see `PatternSet::compile`).
    let mut by_line: std::collections::HashSet<String> = Default::default();
    for f in files {
        let src = std::fs::read_to_string(f).unwrap();
        // A file that does not parse is reported at run time; it has no precomputed gates.
        let Ok(table) = src.parse::<toml::Table>() else {
            continue;
        };
        let Some(rules) = table.get("rule").and_then(|r| r.as_array()) else {
            continue;
        };
        for rule in rules {
            if let Some(list) = rule.get("regexes").and_then(|r| r.as_array()) {
                regexes.extend(list.iter().filter_map(|r| r.as_str()).map(String::from));
                let scope = rule.get("scope").and_then(|s| s.as_str()).unwrap_or("");
                if matches!(scope, "line" | "tail" | "section") {
                    by_line.extend(list.iter().filter_map(|r| r.as_str()).map(String::from));
                }
            }
        }
    }
    regexes.sort();
    regexes.dedup();
    // Offsets into two texts rather than pointers, which the loader would relocate at every start
    // (one relocation per literal). The sources are those of the rules' regexes, in the rules'
    // text (see `Strings`): one copy, which start-up reads anyway.
    let mut bytes: Vec<u8> = Vec::new();
    let mut lits_at: Vec<(usize, usize)> = Vec::new();
    // The distinct tails (most regexes share one of a few), and each's index.
    let mut tails: Vec<gate::TailParts> = Vec::new();
    let mut tail_at: std::collections::HashMap<gate::TailParts, usize> = Default::default();
    // The stored DFAs (see `line_dfa`): where each starts and ends in `dfa_bytes`; their files.
    let mut kept: std::collections::HashSet<PathBuf> = Default::default();
    let mut dfa_bytes: Vec<u8> = Vec::new();
    let mut dfas_at: Vec<(usize, usize)> = Vec::new();
    let mut code = String::from("static BUILTIN_GATES: &[GateEntry] = &[\n");
    for r in &regexes {
        let (kind, lits) = prefilter(r);
        let mut dfa = u16::MAX;
        // Screened and held regexes (kinds 3 to 5) are tried on lines whatever their words (most
        // on every line holding a digit): nearly every document compiles them.
        if (3..=5).contains(&kind)
            && by_line.contains(r)
            && let Some((stored, cached)) = line_dfa(r, out_dir, big_endian)
        {
            kept.insert(cached);
            while !dfa_bytes.len().is_multiple_of(8) {
                dfa_bytes.push(0);
            }
            dfa = u16::try_from(dfas_at.len()).unwrap();
            dfas_at.push((dfa_bytes.len(), dfa_bytes.len() + stored.len()));
            dfa_bytes.extend(stored);
        }
        let parts = gate::tail(r).parts();
        let tail = *tail_at.entry(parts).or_insert_with(|| {
            tails.push(parts);
            tails.len() - 1
        });
        let first = lits_at.len();
        for l in &lits {
            lits_at.push((bytes.len(), l.len()));
            bytes.extend_from_slice(l);
        }
        let (at, len) = strings.range(r);
        writeln!(
            code,
            "    GateEntry {{ source: ({at}, {len}), kind: {kind}, lits: ({first}, {}), \
             tail: {tail}, dfa: {dfa} }},",
            lits.len()
        )
        .unwrap();
    }
    code.push_str("];\n");
    std::fs::write(out_dir.join("builtin_line_dfas.bin"), &dfa_bytes).unwrap();
    // Cached DFAs no regex uses any more (an edited regex, an older build) are dropped.
    for entry in std::fs::read_dir(out_dir).unwrap().flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with(DFA_CACHE) && !kept.contains(&path) {
            let _ = std::fs::remove_file(path);
        }
    }
    code.push_str(
        "static BUILTIN_DFA_BYTES: &Aligned<[u8]> = \
         &Aligned(*include_bytes!(concat!(env!(\"OUT_DIR\"), \"/builtin_line_dfas.bin\")));\n",
    );
    writeln!(
        code,
        "static BUILTIN_DFAS: &[(usize, usize)] = &{dfas_at:?};"
    )
    .unwrap();
    assert!(tails.len() <= usize::from(u16::MAX), "tail indices are u16");
    code.push_str("static BUILTIN_TAILS: &[Tail] = &[\n");
    for (min, max, last, whole, head, end) in &tails {
        writeln!(
            code,
            "    Tail::from_parts({min}, {max}, {last:?}, {whole}, {head:?}, {end:?}),"
        )
        .unwrap();
    }
    code.push_str("];\n");
    writeln!(
        code,
        "static BUILTIN_GATE_BYTES: &[u8] = b\"{}\";",
        bytes.escape_ascii()
    )
    .unwrap();
    code.push_str("static BUILTIN_GATE_LITS: &[(u32, u32)] = &[");
    for (at, len) in &lits_at {
        write!(code, "({at}, {len}),").unwrap();
    }
    code.push_str("];\n");
    code
}

/// How the cached DFAs' files in `OUT_DIR` begin (see [`line_dfa`]).
const DFA_CACHE: &str = "line-dfa-";

/// The forward DFA of line regex `r` as `src/patterns/set.rs` compiles it for one line at a time
/// (case-insensitive, `^` and `$` the ends of the line, leftmost-first), anchored at the line's
/// start, serialised sparse for this target's byte order, and the file it is cached in; `None`
/// for a regex not anchored at the start (its matches need a reverse search too) or one a DFA
/// cannot take (a Unicode word boundary). Determinising is slow in an unoptimised build script,
/// so each DFA is kept in `OUT_DIR` under a key of its source, this script and `Cargo.lock`.
fn line_dfa(r: &str, out_dir: &Path, big_endian: bool) -> Option<(Vec<u8>, PathBuf)> {
    use regex_automata::dfa::{StartKind, dense, sparse};
    use regex_automata::nfa::thompson;
    let anchored = regex_syntax::ParserBuilder::new()
        .case_insensitive(true)
        .multi_line(false)
        .crlf(true)
        .utf8(false)
        .build()
        .parse(r)
        .is_ok_and(|hir| {
            hir.properties()
                .look_set_prefix()
                .contains(regex_syntax::hir::Look::Start)
        });
    if !anchored {
        return None;
    }
    // Keyed by this script and the lock file too: a changed build or `regex-automata` rebuilds.
    let key = prefix::key([
        r.as_bytes(),
        if big_endian { &b"be"[..] } else { &b"le"[..] },
        include_bytes!("build.rs"),
        include_bytes!("src/patterns/line_syntax.rs"),
        include_bytes!("Cargo.lock"),
    ]);
    let cached = out_dir.join(format!("{DFA_CACHE}{key:032x}.bin"));
    if let Ok(bytes) = std::fs::read(&cached)
        && (big_endian || sparse::DFA::from_bytes(&bytes).is_ok())
    {
        return Some((bytes, cached));
    }
    let dfa = dense::Builder::new()
        .syntax(line_syntax::line_syntax())
        .thompson(thompson::Config::new().utf8(false))
        .configure(
            dense::Config::new()
                .match_kind(regex_automata::MatchKind::LeftmostFirst)
                .start_kind(StartKind::Anchored),
        )
        .build(r)
        .ok()?
        .to_sparse()
        .ok()?;
    let bytes = if big_endian {
        dfa.to_bytes_big_endian()
    } else {
        dfa.to_bytes_little_endian()
    };
    std::fs::write(&cached, &bytes).unwrap();
    Some((bytes, cached))
}

/// The kind of prefilter of regex `r` (as `BUILTIN_GATES` numbers them) and its literals.
fn prefilter(r: &str) -> (u8, Vec<Vec<u8>>) {
    match gate::head(r) {
        Some(l) => (1, l),
        None => match gate::gate(r) {
            Some(l) => (2, l),
            None => match gate::screen(r) {
                Some((l, digit)) => (3 + u8::from(digit), l),
                None => match gate::holds(r) {
                    Some(l) => (5, l),
                    None => (0, Vec::new()),
                },
            },
        },
    }
}

/// Distinct literals in the order first added (as `LiteralTable` in `src/patterns/set.rs`).
#[derive(Default)]
struct Distinct<T> {
    seen: std::collections::HashSet<T>,
    list: Vec<T>,
}

impl<T: Clone + Eq + std::hash::Hash> Distinct<T> {
    fn add(&mut self, t: T) {
        if self.seen.insert(t.clone()) {
            self.list.push(t);
        }
    }
}

/// The tries (`src/patterns/prefix.rs`) the built-in set builds at start-up, built here:
/// `static BUILTIN_PREFIX_SETS: &[(u128, [usize; 6], usize)]` (the key of each trie's literals,
/// where its nodes, edges and root table start and end in `BUILTIN_PREFIX_BYTES`, and one more
/// than the highest index it reports) and the bytes. The
/// literal lists are worked out as `PatternSet::compile` does; a trie whose list differs from the
/// one start-up asks for is not found and built at run time (a test holds them equal).
fn prefix_sets(files: &[PathBuf], big_endian: bool) -> (String, Vec<u8>) {
    // What each trie is built from (see `PatternSet::compile`, `LineRegexes::new`, `Scan::new`).
    let mut literals: std::collections::HashMap<String, usize> = Default::default();
    let mut order: Vec<String> = Vec::new();
    // For each literal of `order`, whether some rule can remove it at a probed line or
    // sentence start (not only as a whole line, not only as a block end).
    let mut probed: Vec<bool> = Vec::new();
    // For each literal of `order`, whether it is searched for anywhere within a block's lines
    // (block starts and ends, phrases of sentence rules; see `Inner::window`).
    let mut window: Vec<bool> = Vec::new();
    let mut heads: Distinct<Vec<u8>> = Distinct::default();
    let mut starts: Distinct<Vec<u8>> = Distinct::default();
    let mut scan: std::collections::BTreeSet<Vec<u8>> = Default::default();
    let mut signatures: Vec<Vec<u8>> = Vec::new();
    for f in files {
        let src = std::fs::read_to_string(f).unwrap();
        let Ok(table) = src.parse::<toml::Table>() else {
            continue;
        };
        if let Some(sig) = table
            .get("pack")
            .and_then(|p| p.get("signature"))
            .and_then(|s| s.as_array())
        {
            for s in sig.iter().filter_map(|s| s.as_str()) {
                signatures.push(normalize::phrase(s).into_bytes().to_ascii_lowercase());
            }
        }
        let Some(rules) = table.get("rule").and_then(|r| r.as_array()) else {
            continue;
        };
        for rule in rules {
            let scope = rule.get("scope").and_then(|s| s.as_str()).unwrap_or("");
            let by_line = matches!(scope, "line" | "tail" | "section");
            let whole_line = by_line && rule.get("max_chars").is_none();
            let list = |k: &str| -> Vec<String> {
                rule.get(k)
                    .and_then(|v| v.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str())
                            .map(String::from)
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let sentence = scope == "sentence";
            for (key, probes, windowed) in [
                ("phrases", !whole_line, sentence),
                ("start", true, true),
                ("end", false, true),
            ] {
                for p in list(key) {
                    let lit = normalize::phrase(&p);
                    let next = literals.len();
                    let i = *literals.entry(lit.clone()).or_insert(next);
                    if i == next {
                        order.push(lit);
                        probed.push(false);
                        window.push(false);
                    }
                    probed[i] |= probes;
                    window[i] |= windowed;
                }
            }
            for r in list("regexes") {
                let (kind, lits) = prefilter(&r);
                match (by_line, kind) {
                    (true, 1) => lits.into_iter().for_each(|l| heads.add(l)),
                    (true, 2) => scan.extend(lits),
                    (true, 3 | 4) => lits.into_iter().for_each(|l| starts.add(l)),
                    // A sentence regex's gate (see `sentence_gate`).
                    (false, 1 | 2) if !lits.is_empty() && lits.iter().all(|l| !l.is_empty()) => {
                        scan.extend(lits)
                    }
                    _ => {}
                }
            }
        }
    }
    scan.extend(signatures);
    let anchored: Vec<&[u8]> = (order.iter().zip(&probed))
        .filter(|(_, p)| **p)
        .map(|(l, _)| l.as_bytes())
        .collect();
    let scan: Vec<Vec<u8>> = scan
        .into_iter()
        .filter(|l| !l.is_empty())
        .map(|l| l.to_ascii_lowercase())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let windowed: Vec<&[u8]> = (order.iter().zip(&window))
        .filter(|(_, w)| **w)
        .map(|(l, _)| l.as_bytes())
        .collect();
    let lists: [Vec<&[u8]>; 5] = [
        anchored,
        heads.list.iter().map(Vec::as_slice).collect(),
        starts.list.iter().map(Vec::as_slice).collect(),
        scan.iter().map(Vec::as_slice).collect(),
        windowed,
    ];
    let mut bytes = Vec::new();
    let mut code = String::from(
        "static BUILTIN_PREFIX_BYTES: &Aligned<[u8]> = \
         &Aligned(*include_bytes!(concat!(env!(\"OUT_DIR\"), \"/builtin_prefix_sets.bin\")));\n\
         static BUILTIN_PREFIX_SETS: &[(u128, [usize; 6], usize)] = &[\n",
    );
    for lits in lists.iter().filter(|l| !l.is_empty()) {
        let key = prefix::key(lits.iter().copied());
        let set = prefix::PrefixSet::new(lits.iter().copied());
        // The trie reports the first of equal literals (in ASCII case), empty ones never.
        let mut seen = std::collections::HashSet::new();
        let bound = lits
            .iter()
            .enumerate()
            .filter(|(_, l)| !l.is_empty() && seen.insert(l.to_ascii_lowercase()))
            .last()
            .map_or(0, |(i, _)| i + 1);
        assert!(set.indices_below(bound) && (bound == 0 || !set.indices_below(bound - 1)));
        let mut at = Vec::new();
        for part in set.to_bytes(big_endian) {
            // Every part starts aligned for its `u32`s.
            while !bytes.len().is_multiple_of(8) {
                bytes.push(0);
            }
            at.push(bytes.len());
            bytes.extend(part);
            at.push(bytes.len());
        }
        writeln!(code, "    ({key}, {at:?}, {bound}),").unwrap();
    }
    code.push_str("];\n");
    (code, bytes)
}

/// `static BUILTIN_PARSED: &[Option<StaticFile>]`, parallel to `BUILTIN_FILES`: each file's rules
/// and pack as `src/patterns/file.rs` reads them (defaults filled in, the pack's name and publisher
/// on its rules), so that start-up does not parse TOML. A file this simple reading does not take
/// (a TOML error, a value of an unexpected type or scope) is `None` and parsed at run time, where
/// its errors are reported. A test holds the two readings equal.
fn parsed(files: &[PathBuf], root: &Path, strings: Strings) -> String {
    let strings = std::cell::RefCell::new(strings);
    let mut code = String::from("static BUILTIN_PARSED: &[Option<StaticFile>] = &[\n");
    for f in files {
        let src = std::fs::read_to_string(f).unwrap();
        let rel = f
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        match static_file(&src, &strings) {
            Some(file) => writeln!(code, "    Some({file}),").unwrap(),
            None => {
                println!("cargo:warning={rel} is parsed at run time");
                code.push_str("    None,\n");
            }
        }
    }
    code.push_str("];\n");
    let strings = strings.into_inner();
    writeln!(code, "static BUILTIN_STRINGS: &str = {:?};", strings.blob).unwrap();
    code.push_str("static BUILTIN_LISTS: &[Str] = &[");
    for (at, len) in &strings.lists {
        write!(code, "Str({at}, {len}),").unwrap();
    }
    code.push_str("];\n");
    code
}

/// Puts the strings every start-up reads at the head of the text, kind by kind, so that they
/// fill as few of the binary's pages as can be: the normalised phrases and markers (the set's
/// literals), the ids, the regexes, then the rest of what start-up copies (families, languages,
/// publishers, platforms, descriptions). The phrases and markers as written, which only reports
/// and `patterns` read, follow (laid out by [`parsed`] as it meets them).
fn lay_out(strings: &mut Strings, files: &[PathBuf]) {
    let tables: Vec<toml::Table> = (files.iter())
        .filter_map(|f| std::fs::read_to_string(f).ok()?.parse().ok())
        .collect();
    let rules: Vec<&toml::Value> = (tables.iter())
        .filter_map(|t| t.get("rule")?.as_array())
        .flatten()
        .collect();
    let strs = |rule: &&toml::Value, key: &str| -> Vec<String> {
        (rule
            .get(key)
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten())
        .filter_map(|v| v.as_str().map(String::from))
        .collect()
    };
    for rule in &rules {
        for key in ["phrases", "start", "end"] {
            for p in strs(rule, key) {
                strings.range(&normalize::phrase(&p));
            }
        }
    }
    let text = |rule: &&toml::Value, key: &str| rule.get(key)?.as_str().map(String::from);
    for keys in [
        &["id"][..],
        &["regexes"],
        &["family", "lang", "publisher", "platform"],
        &["description"],
    ] {
        for rule in &rules {
            for key in keys {
                for s in text(rule, key).into_iter().chain(strs(rule, key)) {
                    strings.range(&s);
                }
            }
        }
    }
}

/// The strings of the built-in rules (and the sources `BUILTIN_GATES` names, which are the rules'
/// regexes) in one text, and lists of them: the generated statics hold
/// offsets rather than pointers, which the loader would relocate (and copy) at every start.
#[derive(Default)]
struct Strings {
    blob: String,
    at: std::collections::HashMap<String, (usize, usize)>,
    /// `(offset, length)` of each string of each list, lists one after the other.
    lists: Vec<(usize, usize)>,
}

impl Strings {
    /// A `Str(offset, length)` expression for `s`.
    fn str(&mut self, s: &str) -> String {
        let (at, len) = self.range(s);
        format!("Str({at}, {len})")
    }

    fn range(&mut self, s: &str) -> (usize, usize) {
        if let Some(&r) = self.at.get(s) {
            return r;
        }
        let r = (self.blob.len(), s.len());
        self.blob.push_str(s);
        self.at.insert(s.to_string(), r);
        r
    }

    /// A `StrList(first, count)` expression for `l`.
    fn list(&mut self, l: &[String]) -> String {
        let first = self.lists.len();
        for s in l {
            let r = self.range(s);
            self.lists.push(r);
        }
        format!("StrList({first}, {})", l.len())
    }
}

/// The 1-based lines on which a table header `header` (such as `[[rule]]`) stands.
fn header_lines(src: &str, header: &str) -> Vec<usize> {
    src.lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == header)
        .map(|(i, _)| i + 1)
        .collect()
}

/// A `StaticFile` expression for one pattern file, or `None` (see [`parsed`]).
fn static_file(src: &str, strings: &std::cell::RefCell<Strings>) -> Option<String> {
    let table = src.parse::<toml::Table>().ok()?;
    let str_list = |v: Option<&toml::Value>| -> Option<Vec<String>> {
        match v {
            None => Some(Vec::new()),
            Some(toml::Value::Array(a)) => a.iter().map(|x| x.as_str().map(String::from)).collect(),
            Some(_) => None,
        }
    };
    let opt_str = |v: Option<&toml::Value>| -> Option<Option<String>> {
        match v {
            None => Some(None),
            Some(toml::Value::String(s)) => Some(Some(s.clone())),
            Some(_) => None,
        }
    };
    let list = |l: &[String]| strings.borrow_mut().list(l);
    let text = |s: &str| strings.borrow_mut().str(s);
    let opt = |o: &Option<String>| match o {
        Some(s) => format!("Some({})", text(s)),
        None => "None".to_string(),
    };
    let mut pack_name = None;
    let mut pack_publisher = None;
    let pack = match table.get("pack") {
        None => "None".to_string(),
        Some(toml::Value::Table(t)) => {
            let name = t.get("name")?.as_str()?.to_string();
            let publisher = opt_str(t.get("publisher"))?;
            let hosts: Vec<String> = str_list(t.get("hosts"))?
                .iter()
                .map(|h| h.trim().to_lowercase())
                .collect();
            let signature = str_list(t.get("signature"))?;
            let [line] = header_lines(src, "[pack]")[..] else {
                return None;
            };
            pack_name = Some(name.clone());
            pack_publisher = publisher.clone();
            format!(
                "Some(StaticPack {{ name: {}, publisher: {}, hosts: {}, signature: {}, line: {line} }})",
                text(&name),
                opt(&publisher),
                list(&hosts),
                list(&signature)
            )
        }
        Some(_) => return None,
    };
    let rules = match table.get("rule") {
        None => Vec::new(),
        Some(toml::Value::Array(a)) => a.clone(),
        Some(_) => return None,
    };
    let lines = header_lines(src, "[[rule]]");
    if lines.len() != rules.len() {
        return None;
    }
    let mut out = String::new();
    for (rule, line) in rules.iter().zip(lines) {
        let t = rule.as_table()?;
        let get_str = |k: &str| t.get(k).and_then(|v| v.as_str()).map(String::from);
        let int = |k: &str| -> Option<Option<usize>> {
            match t.get(k) {
                None => Some(None),
                Some(toml::Value::Integer(i)) if *i >= 0 => Some(Some(*i as usize)),
                Some(_) => None,
            }
        };
        let scope = match get_str("scope")?.as_str() {
            "line" => "Line",
            "sentence" => "Sentence",
            "block" => "Block",
            "tail" => "Tail",
            "run" => "Run",
            "section" => "Section",
            _ => return None,
        };
        let position = match t.get("position").map(|v| v.as_str()) {
            None => "None",
            Some(Some("head")) => "Some(Position::Head)",
            Some(Some("tail")) => "Some(Position::Tail)",
            Some(Some("preamble")) => "Some(Position::Preamble)",
            Some(Some("head-block")) => "Some(Position::HeadBlock)",
            Some(Some("tail-block")) => "Some(Position::TailBlock)",
            Some(Some("thread")) => "Some(Position::Thread)",
            Some(Some("name-thread")) => "Some(Position::NameThread)",
            Some(Some("between-menus")) => "Some(Position::BetweenMenus)",
            Some(Some("head-list")) => "Some(Position::HeadList)",
            Some(Some("card-list")) => "Some(Position::CardList)",
            _ => return None,
        };
        let unterminated = match t.get("unterminated").map(|v| v.as_str()) {
            None | Some(Some("keep")) => "Keep",
            Some(Some("start-line")) => "StartLine",
            _ => return None,
        };
        let or = |v: Option<usize>, default: &str| {
            v.map_or(format!("Rule::{default}"), |n| n.to_string())
        };
        let max_lines = or(
            int("max_lines")?,
            if scope == "Tail" {
                "DEFAULT_TAIL_LINES"
            } else {
                "DEFAULT_BLOCK_LINES"
            },
        );
        // Absent numbers take the defaults of `Rule` (src/patterns/mod.rs), as `file.rs` fills them in.
        let interleaved = match t.get("interleaved") {
            None => false,
            Some(toml::Value::Boolean(b)) => *b,
            Some(_) => return None,
        };
        let max_chars = match int("max_chars")? {
            Some(n) => format!("Some({n})"),
            None => "None".to_string(),
        };
        let publisher = opt_str(t.get("publisher"))?.or_else(|| pack_publisher.clone());
        // The phrases and markers as the pattern set normalises them (see `StaticRule`).
        let mut normalized = Vec::new();
        for key in ["phrases", "start", "end"] {
            normalized.extend(str_list(t.get(key))?.iter().map(|p| normalize::phrase(p)));
        }
        writeln!(
            out,
            "StaticRule {{ id: {}, family: {}, scope: Scope::{scope}, publisher: {}, platform: {}, \
             pack: {}, lang: {}, description: {}, phrases: {}, regexes: {}, start: {}, end: {}, \
             max_chars: {max_chars}, max_lines: {max_lines}, unterminated: Unterminated::{unterminated}, \
             position: {position}, min_lines: {}, max_words: {}, max_prose: {}, opened_by: {}, \
             interleaved: {interleaved}, repeats: {}, line: {line}, normalized: {} }},",
            text(&get_str("id")?),
            text(&get_str("family")?),
            opt(&publisher),
            opt(&opt_str(t.get("platform"))?),
            opt(&pack_name),
            opt(&opt_str(t.get("lang"))?),
            opt(&opt_str(t.get("description"))?),
            list(&str_list(t.get("phrases"))?),
            list(&str_list(t.get("regexes"))?),
            list(&str_list(t.get("start"))?),
            list(&str_list(t.get("end"))?),
            or(int("min_lines")?, "DEFAULT_RUN_LINES"),
            or(int("max_words")?, "DEFAULT_RUN_WORDS"),
            or(int("max_prose")?, "DEFAULT_SECTION_PROSE"),
            list(&str_list(t.get("opened_by"))?),
            int("repeats")?.unwrap_or(0),
            list(&normalized),
        )
        .unwrap();
    }
    Some(format!("StaticFile {{ pack: {pack}, rules: &[\n{out}] }}"))
}
