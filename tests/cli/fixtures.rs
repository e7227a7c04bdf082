//! The fixture corpus: every `fixtures/**/NAME.txt` must clean to `NAME.clean.txt` exactly, with the
//! built-in pattern set. Set `DECHROME_BLESS=1` to rewrite the expected files after a deliberate
//! change, then review the diff.

use std::path::PathBuf;

use dechrome::{Cleaner, PatternSet};

use crate::harness::{root, run, seeds};

fn fixture_inputs() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(root().join("fixtures"))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "txt")
                && !p.to_string_lossy().ends_with(".clean.txt")
                // The line model's training set (tests/cli/model.rs), not cleaning fixtures.
                && !p.starts_with(root().join("fixtures/model"))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_fixture_cleans_to_its_expected_output() {
    let cleaner = Cleaner::new(PatternSet::builtin().unwrap());
    let bless = std::env::var("DECHROME_BLESS").is_ok();
    let inputs = fixture_inputs();
    assert!(inputs.len() >= 5, "fixtures missing");
    let mut failures = Vec::new();
    for input in inputs {
        let expected_path = input.with_extension("clean.txt");
        let bytes = std::fs::read(&input).unwrap();
        let got = cleaner.clean(&bytes).text.into_owned();
        if bless {
            std::fs::write(&expected_path, &got).unwrap();
            continue;
        }
        let expected = std::fs::read(&expected_path)
            .unwrap_or_else(|_| panic!("{} has no {}", input.display(), expected_path.display()));
        if got != expected {
            failures.push(format!(
                "{}:\n--- expected\n{}\n--- got\n{}",
                input.display(),
                String::from_utf8_lossy(&expected),
                String::from_utf8_lossy(&got)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn cleaning_a_clean_fixture_changes_nothing() {
    let cleaner = Cleaner::new(PatternSet::builtin().unwrap());
    for input in fixture_inputs() {
        let clean = std::fs::read(input.with_extension("clean.txt")).unwrap();
        let again = cleaner.clean(&clean);
        assert_eq!(
            String::from_utf8_lossy(&again.text),
            String::from_utf8_lossy(&clean),
            "{} is not idempotent",
            input.display()
        );
    }
}

#[test]
fn seed_004_comes_out_as_the_bare_article() {
    let Some(dir) = seeds() else { return };
    let input = std::fs::read(dir.join("004_1519d6394769b0c8.txt")).unwrap();
    let expected = std::fs::read_to_string(dir.join("004_1519d6394769b0c8.expected.txt")).unwrap();
    let r = run(&["clean"], &input);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let got = r.stdout_str();
    assert_eq!(got.trim_end_matches('\n'), expected.trim_end_matches('\n'));
    // The input has no final newline and neither has the output.
    assert!(!got.ends_with('\n'));
}

#[test]
fn seed_000_is_unchanged_byte_for_byte() {
    let Some(dir) = seeds() else { return };
    let input = std::fs::read(dir.join("000_eb97335495b3724e.txt")).unwrap();
    let r = run(&["clean"], &input);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, input);
    assert_eq!(r.stderr, "");
}
