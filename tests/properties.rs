//! Properties of the library, for arbitrary documents and arbitrary valid rule sets: cleaning
//! never panics and keeps the invariants of `tests/support/invariants.rs` (the output is the input
//! minus the removals and documented seam fix-ups, line endings and the final newline are kept,
//! cleaning is idempotent and leaves nothing to find); a pattern file, valid or not, builds or
//! fails with positioned diagnostics, never a panic.

#[path = "support/invariants.rs"]
mod invariants;

use std::sync::OnceLock;

use dechrome::{Cleaner, PatternSet, PatternSetBuilder};
use proptest::prelude::*;

/// Phrases the generated rules use, and the generated documents contain.
const PHRASES: &[&str] = &[
    "share this article",
    "comments",
    "subscribe now",
    "please support us",
    "thank you.",
    "advertisement",
    "read more",
    "sign up",
    "the end",
    "body",
];

/// Regexes the generated rules may use (all valid).
const REGEXES: &[&str] = &[
    r"^\d+ comments?$",
    r"^updated \d{1,2}:\d{2}$",
    r"read more",
    r"^[a-z]+ [a-z]+$",
    r"\d{2}",
];

/// Pieces of generated documents: the phrases in several spellings, prose, punctuation, every kind
/// of line ending and space, bullets, a BOM, typographic quotes and invalid UTF-8.
const PIECES: &[&[u8]] = &[
    b"Share this article",
    b"SHARE  THIS ARTICLE:",
    b"Comments",
    b"12 comments",
    b"Subscribe now",
    b"Subscribe now for $1!",
    b"Please support us",
    b"Thank you.",
    b"Advertisement",
    b"Read more",
    b"Sign up",
    b"The end",
    b"Updated 10:45",
    b"Body text here",
    b"The council met on Tuesday",
    b"and voted",
    b"Home",
    b"News",
    b"word",
    b". ",
    b".",
    b"! ",
    b"?",
    b",",
    b"\"",
    b"\xE2\x80\x9D",
    b" ",
    b"  ",
    b"\t",
    b"\xC2\xA0",
    b"\xE2\x80\x83",
    b"\n",
    b"\n",
    b"\n",
    b"\r\n",
    b"\n\n",
    b"\r",
    b"\xE2\x80\xA2 ",
    b"- ",
    b"\xEF\xBB\xBF",
    b"\xFF",
    b"\xE2\x80",
    b"\x80",
    b"Caf\xC3\xA9",
];

/// A document: mostly pieces, sometimes raw bytes.
fn document() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::collection::vec(prop::sample::select(PIECES), 0..60).prop_map(|v| v.concat()),
        1 => prop::collection::vec(any::<u8>(), 0..300),
    ]
}

fn toml_str(s: &str) -> String {
    format!("'{s}'")
}

fn list(items: &[&str]) -> String {
    let v: Vec<String> = items.iter().map(|s| toml_str(s)).collect();
    format!("[{}]", v.join(", "))
}

/// One valid rule, as TOML.
fn rule(i: usize) -> impl Strategy<Value = String> {
    let phrases = prop::sample::subsequence(PHRASES, 1..=3);
    let regexes = prop::sample::subsequence(REGEXES, 0..=2);
    let markers = (
        prop::sample::subsequence(PHRASES, 1..=2),
        prop::sample::subsequence(PHRASES, 1..=2),
    );
    (
        0..6usize,
        phrases,
        regexes,
        markers,
        prop::option::of(1..80usize),
        1..6usize,
        any::<bool>(),
        (0..3usize, 1..5usize, 1..5usize),
    )
        .prop_map(
            move |(scope, phrases, regexes, (start, end), max_chars, lines, flag, run)| {
                let head = format!("[[rule]]\nid = 'p.r{i}'\nfamily = 'other'\n");
                let chars = max_chars.map_or(String::new(), |n| format!("max_chars = {n}\n"));
                match scope {
                    0 => format!(
                        "{head}scope = 'line'\nphrases = {}\nregexes = {}\n{chars}",
                        list(&phrases),
                        list(&regexes)
                    ),
                    1 => format!(
                        "{head}scope = 'sentence'\nphrases = {}\nregexes = {}\n",
                        list(&phrases),
                        list(&regexes)
                    ),
                    2 => format!(
                        "{head}scope = 'block'\nstart = {}\nend = {}\nmax_lines = {lines}\n\
                         unterminated = '{}'\n",
                        list(&start),
                        list(&end),
                        if flag { "start-line" } else { "keep" }
                    ),
                    3 => format!(
                        "{head}scope = 'tail'\nphrases = {}\nregexes = {}\nmax_lines = {lines}\n{chars}",
                        list(&phrases),
                        list(&regexes)
                    ),
                    4 => format!(
                        "{head}scope = 'section'\nphrases = {}\nregexes = {}\nmax_prose = {}\ninterleaved = {flag}\n{chars}",
                        list(&phrases),
                        list(&regexes),
                        lines - 1
                    ),
                    _ => format!(
                        "{head}scope = 'run'\nposition = '{}'\nmin_lines = {}\nmax_words = {}\n{chars}",
                        ["head", "tail", "preamble"][run.0],
                        run.1,
                        run.2
                    ),
                }
            },
        )
}

/// A valid rule set of one to six rules, as one pattern file.
fn rule_set() -> impl Strategy<Value = String> {
    (1..=6usize).prop_flat_map(|n| {
        (0..n)
            .map(rule)
            .collect::<Vec<_>>()
            .prop_map(|rules| rules.join("\n"))
    })
}

fn builtin() -> &'static Cleaner {
    static C: OnceLock<Cleaner> = OnceLock::new();
    C.get_or_init(|| Cleaner::new(PatternSet::builtin().expect("built-in set")))
}

/// The built-in set with a line model whose one leaf removes every line it is asked about: the
/// most the model could ever take.
fn with_greedy_model() -> &'static Cleaner {
    static C: OnceLock<Cleaner> = OnceLock::new();
    C.get_or_init(|| {
        let features: Vec<String> = dechrome::model::FEATURES
            .iter()
            .map(|f| format!("\"{f}\""))
            .collect();
        let src = format!(
            "threshold = 0.5\nfeatures = [{}]\n[[node]]\nscore = 1\nlines = 1\n",
            features.join(", ")
        );
        let model = dechrome::model::Model::parse(&src, "greedy.toml").expect("model parses");
        builtin().clone().with_model(Some(model))
    })
}

/// Documents made of the built-in set's own literals, prose and separators.
fn builtin_document() -> impl Strategy<Value = Vec<u8>> {
    static LITERALS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    let lits = LITERALS.get_or_init(|| {
        let mut v: Vec<Vec<u8>> = builtin()
            .patterns()
            .literals()
            .into_iter()
            .map(String::into_bytes)
            .collect();
        v.extend(PIECES.iter().map(|p| p.to_vec()));
        v
    });
    prop::collection::vec(prop::sample::select(lits.as_slice()), 0..40).prop_map(|v| v.concat())
}

fn check(cleaner: &Cleaner, input: &[u8]) -> Result<(), TestCaseError> {
    invariants::check(cleaner, input).map_err(TestCaseError::fail)
}

proptest! {
    // 512 cases each; PROPTEST_CASES=N for a longer search.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512),
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_rules_and_documents(rules in rule_set(), doc in document(), guard in 0.0..=1.0f64) {
        let set = PatternSetBuilder::new().add_str("gen.toml", rules.clone()).build();
        let set = match set {
            Ok(s) => s,
            Err(e) => return Err(TestCaseError::fail(format!("generated rules invalid: {e}\n{rules}"))),
        };
        check(&Cleaner::new(set).with_max_removal(guard), &doc)?;
    }

    #[test]
    fn builtin_rules_on_their_own_phrases(doc in builtin_document()) {
        check(builtin(), &doc)?;
    }

    #[test]
    fn builtin_rules_and_a_greedy_line_model(doc in builtin_document()) {
        check(with_greedy_model(), &doc)?;
    }

    #[test]
    fn builtin_rules_on_raw_bytes(doc in prop::collection::vec(any::<u8>(), 0..2000)) {
        check(builtin(), &doc)?;
    }

    #[test]
    fn any_pattern_file_text_builds_or_fails_cleanly(src in "(\\[\\[rule\\]\\]\n|id = 'x'\n|scope = '(line|tail|run|block|section)'\n|family = 'share'\n|phrases = \\['a'\\]\n|regexes = \\['[a-z(|)*+?]{0,6}'\\]\n|max_lines = -?[0-9]\n|[ -~]{0,8}\n){0,12}") {
        // Never panics; an error names at least one position.
        if let Err(e) = PatternSetBuilder::new().add_str("gen.toml", src).build() {
            prop_assert!(!e.diagnostics().is_empty());
            for d in e.diagnostics() {
                prop_assert!(d.line >= 1 && d.column >= 1);
            }
        }
    }
}
