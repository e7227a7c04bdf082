//! What the filter's unit tests share: a small rule set with one rule per simple scope, cleaners
//! over it or over any rules, and the check of a table of cases.

use super::{Cleaner, Outcome, Verdict};
use crate::PatternSetBuilder;

/// Each removal of `out` as its rule id and the span of `input` it removed, in order.
pub(super) fn removed<'a>(out: &'a Outcome<'_>, input: &'a str) -> Vec<(&'a str, &'a str)> {
    out.removals
        .iter()
        .map(|r| (r.rule.id.as_str(), &input[r.range.clone()]))
        .collect()
}

/// One rule or two per simple scope (`line`, `sentence`, `block`, `tail`), for the scope tables.
pub(super) const RULES: &str = r#"
[[rule]]
id = "t.line"
family = "share"
scope = "line"
phrases = ["share this article"]

[[rule]]
id = "t.prefix"
family = "newsletter"
scope = "line"
phrases = ["sign up to our newsletter"]
max_chars = 60

[[rule]]
id = "t.regex"
family = "timestamp"
scope = "line"
regexes = ['^updated \d{1,2}:\d{2}$']

[[rule]]
id = "t.sentence"
family = "support-appeal"
scope = "sentence"
phrases = ["your support makes all the difference."]

[[rule]]
id = "t.sentence-open"
family = "paywall"
scope = "sentence"
phrases = ["subscribe now"]

[[rule]]
id = "t.block"
family = "support-appeal"
scope = "block"
start = ["please support us"]
end = ["thank you."]
max_lines = 4

[[rule]]
id = "t.block-startline"
family = "ad"
scope = "block"
start = ["ad feature begins"]
end = ["ad feature ends"]
max_lines = 3
unterminated = "start-line"

[[rule]]
id = "t.tail"
family = "comments"
scope = "tail"
phrases = ["comments"]
max_lines = 3
"#;

/// A tail rule that takes one line, a line rule and a sentence rule: for passes that expose more
/// chrome.
pub(super) const TAIL1: &str = r#"
[[rule]]
id = "t.tail1"
family = "comments"
scope = "tail"
phrases = ["comments"]
max_lines = 1

[[rule]]
id = "t.line"
family = "share"
scope = "line"
phrases = ["share this article"]

[[rule]]
id = "t.sentence"
family = "paywall"
scope = "sentence"
phrases = ["subscribe now"]
"#;

/// A cleaner over one pattern file's rules, refusing only above 90% removed.
pub(super) fn cleaner_from(name: &str, rules: &str) -> Cleaner {
    Cleaner::new(
        PatternSetBuilder::new()
            .add_str(name, rules)
            .build()
            .unwrap(),
    )
    .with_max_removal(0.9)
}

/// A cleaner over [`RULES`], refusing only above 90% removed.
pub(super) fn cleaner() -> Cleaner {
    cleaner_from("t.toml", RULES)
}

/// (name, input, expected output, expected removals as (rule id, removed text)).
pub(super) type Case = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// Cleans each case's input with `c` and checks its output, its removals and its verdict
/// (unchanged when the case expects no removal, else cleaned).
pub(super) fn check_cases(c: &Cleaner, cases: &[Case]) {
    for (name, input, expected, removals) in cases {
        let out = c.clean(input.as_bytes());
        assert_eq!(
            String::from_utf8_lossy(&out.text),
            *expected,
            "case {name:?}: output"
        );
        let got = removed(&out, input);
        assert_eq!(got, *removals, "case {name:?}: removals");
        let verdict = if removals.is_empty() {
            Verdict::Unchanged
        } else {
            Verdict::Cleaned
        };
        assert_eq!(out.verdict, verdict, "case {name:?}: verdict");
    }
}

/// Every line of every fixture (see [`fixture_texts`]), without its `\n`.
pub(super) fn fixture_lines() -> Vec<Vec<u8>> {
    fixture_texts()
        .iter()
        .flat_map(|t| {
            t.split(|&b| b == b'\n')
                .map(<[u8]>::to_vec)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Every fixture text of the repository (`fixtures/**/*.txt`, inputs and expectations), as
/// bytes: real chrome and article lines for the tests that check a fast path against its
/// reference on every line.
pub(super) fn fixture_texts() -> Vec<Vec<u8>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut dirs = vec![root];
    let mut texts = Vec::new();
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).expect("fixtures are readable") {
            let p = e.expect("a fixture entry").path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "txt") {
                texts.push(std::fs::read(&p).expect("a fixture file"));
            }
        }
    }
    assert!(texts.len() > 100, "{} fixture texts", texts.len());
    texts
}
