//! `dechrome clean`: stdin, files, trees, --explain, errors and exit codes.

use std::fs;

use crate::harness::{run, run_in, run_with_rules, untimed};

const RULES: &str = r#"
[[rule]]
id = "test.share"
family = "share"
scope = "line"
phrases = ["share this article"]
"#;

#[test]
fn stdin_to_stdout_with_explain() {
    let r = run(
        &["clean", "--explain"],
        b"Title of the story\nShare this article\nThe body of the story runs to a full sentence or two, as bodies do.\n\
          Join our commenting forum\nComments\n",
    );
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout_str(),
        "Title of the story\nThe body of the story runs to a full sentence or two, as bodies do.\n"
    );
    assert_eq!(
        r.stderr,
        "<stdin>:2:1: generic.share.labels: \"Share this article\"\n\
         <stdin>:4:1: independent.comments.forum-tail: \"Join our commenting forum\\nComments\"\n"
    );
}

#[test]
fn user_patterns_without_the_builtin_set() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_with_rules(
        dir.path(),
        "clean",
        RULES,
        &["--explain"],
        b"Body.\nShare this article\nJoin our commenting forum\nComments\n",
    );
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout_str(),
        "Body.\nJoin our commenting forum\nComments\n"
    );
    assert_eq!(
        r.stderr,
        "<stdin>:2:1: test.share: \"Share this article\"\n"
    );
}

#[test]
fn files_to_stdout_in_order() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("b.txt"), "B body.\nAdvertisement\n").unwrap();
    fs::write(dir.path().join("a.txt"), "A body.\n").unwrap();
    let r = run_in(dir.path(), &["clean", "b.txt", "a.txt"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout_str(), "B body.\nA body.\n");
    assert_eq!(r.stderr, "");
}

#[test]
fn tree_is_mirrored_and_inputs_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in");
    fs::create_dir_all(src.join("sub/deeper")).unwrap();
    fs::write(src.join("one.txt"), "One.\nAdvertisement\nTwo.\n").unwrap();
    fs::write(src.join("sub/deeper/two.txt"), "Clean text.\n").unwrap();
    fs::write(src.join("sub/notes.md"), "Advertisement\n").unwrap();
    fs::write(src.join("sub/blob.txt"), b"\x00\x01binary").unwrap();
    let r = run_in(dir.path(), &["clean", "in", "-o", "out", "--explain"], b"");
    assert_eq!(r.code, 2, "a skipped input fails the run: {}", r.stderr);
    assert_eq!(
        untimed(&r.stderr),
        "in/one.txt:2:1: generic.ad.marker: \"Advertisement\"\n\
         dechrome: warning: in/sub/blob.txt: binary file skipped\n\
         dechrome: 2 files: 1 cleaned, 1 unchanged, 0 refused, 0 failed; 1 binary skipped\n\
         dechrome: 36 B in, 22 B out, <time>\n\
         dechrome: removals: ad 1\n"
    );
    let out = dir.path().join("out");
    assert_eq!(
        fs::read_to_string(out.join("one.txt")).unwrap(),
        "One.\nTwo.\n"
    );
    assert_eq!(
        fs::read_to_string(out.join("sub/deeper/two.txt")).unwrap(),
        "Clean text.\n"
    );
    assert!(!out.join("sub/notes.md").exists(), "only *.txt by default");
    assert!(!out.join("sub/blob.txt").exists());
    assert_eq!(
        fs::read_to_string(src.join("one.txt")).unwrap(),
        "One.\nAdvertisement\nTwo.\n"
    );

    let r = run_in(
        dir.path(),
        &["clean", "in", "-o", "out2", "--glob", "*.md", "-q"],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A document that would be emptied is refused: written unchanged, and reported.
    assert_eq!(
        r.stderr,
        "in/sub/notes.md: refused: the rules would remove 100% of the paragraph text (limit 80%); left unchanged\n"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("out2/sub/notes.md")).unwrap(),
        "Advertisement\n"
    );
}

#[test]
fn output_inside_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("in")).unwrap();
    fs::write(dir.path().join("in/a.txt"), "A.\n").unwrap();
    let r = run_in(dir.path(), &["clean", "in", "-o", "in/out"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "dechrome: error: output directory in/out is inside input in; choose a directory outside the input tree\n"
    );
    assert!(!dir.path().join("in/out").exists());
    let r = run_in(dir.path(), &["clean", "in", "-o", "in"], b"");
    assert_eq!(r.code, 2);
    let r = run_in(dir.path(), &["clean", "in/a.txt", "-o", "in"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "dechrome: error: output directory in holds input in/a.txt; choose a directory that holds no input\n"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("in/a.txt")).unwrap(),
        "A.\n"
    );
}

#[test]
fn a_failing_file_does_not_stop_the_run() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("good.txt"), "Good.\n").unwrap();
    fs::write(dir.path().join("wide.txt"), b"\xFF\xFEh\x00i\x00").unwrap();
    let r = run_in(
        dir.path(),
        &["clean", "wide.txt", "missing.txt", "good.txt"],
        b"",
    );
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout_str(), "Good.\n");
    assert_eq!(
        r.stderr,
        "dechrome: error: wide.txt: UTF-16 text is not supported; convert it to UTF-8 first\n\
         dechrome: error: missing.txt: No such file or directory (os error 2)\n"
    );
}

#[test]
fn bad_pattern_file_reports_every_problem() {
    let r = run(
        &["clean", "--patterns", "fixtures/bad-patterns/mixed.toml"],
        b"x\n",
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "dechrome: error: fixtures/bad-patterns/mixed.toml:7:1: rule `bad.unknown-key`: unknown field `colour`, expected one of `id`, `family`, `scope`, `publisher`, `platform`, `lang`, `description`, `phrases`, `regexes`, `start`, `end`, `max_chars`, `max_lines`, `unterminated`, `position`, `min_lines`, `max_words`, `max_prose`, `opened_by`, `interleaved`, `repeats`\n\
         fixtures/bad-patterns/mixed.toml:12:9: rule `bad.scope`: unknown scope `paragraph`, expected one of: line, sentence, block, tail, run, section\n\
         fixtures/bad-patterns/mixed.toml:19:12: rule `bad.regex`: invalid regex: unclosed character class\n"
    );
    assert_eq!(r.stdout_str(), "");
}

#[test]
fn refused_document_is_reported_and_left_whole() {
    let input = b"Share this article\nOk.\n";
    let dir = tempfile::tempdir().unwrap();
    let r = run_with_rules(dir.path(), "clean", RULES, &["--max-removal", "0.5"], input);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, input);
    assert_eq!(
        r.stderr,
        "<stdin>: refused: the rules would remove 83% of the paragraph text (limit 50%); left unchanged\n"
    );
}

#[test]
fn usage_errors() {
    let r = run(&["clean", "--max-removal", "1.5"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "dechrome: error: --max-removal must be between 0 and 1, got 1.5\n"
    );
    let r = run(&["clean", "fixtures"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "dechrome: error: fixtures: is a directory; use -o OUTDIR to mirror a tree\n"
    );
    let r = run(&["clean", "--no-such-flag"], b"");
    assert_eq!(r.code, 2);
}

#[test]
fn byte_preservation_through_the_binary() {
    // BOM, CRLF, invalid UTF-8 and no final newline all survive.
    let input = b"\xEF\xBB\xBFCaf\xe9 news\r\nAdvertisement\r\nLast line \xff";
    let r = run(&["clean"], input);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, b"\xEF\xBB\xBFCaf\xe9 news\r\nLast line \xff");
    let r = run(&["clean"], b"");
    assert_eq!((r.code, r.stdout.len()), (0, 0));
}

/// Rules of two platforms in two languages and one of no platform, for the list filters.
const PLATFORM_RULES: &str = r#"
[[rule]]
id = "blog.comments.de"
family = "comments"
scope = "line"
platform = "wordpress"
lang = "de"
phrases = ["Schreibe einen Kommentar"]

[[rule]]
id = "blog.comments.fr"
family = "comments"
scope = "line"
platform = "wordpress"
lang = "fr"
phrases = ["Laisser un commentaire"]

[[rule]]
id = "wiki.footer.de"
family = "copyright"
scope = "line"
platform = "mediawiki"
lang = "de"
phrases = ["Abgerufen von"]

[[rule]]
id = "site.share"
family = "share"
scope = "line"
phrases = ["share this article"]
"#;

#[test]
fn patterns_list_filters_by_platform_and_language() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("rules.toml"), PLATFORM_RULES).unwrap();
    let list = |filters: &[&str]| {
        let mut args = vec![
            "patterns",
            "list",
            "--no-default-patterns",
            "--patterns",
            "rules.toml",
        ];
        args.extend_from_slice(filters);
        let r = run_in(dir.path(), &args, b"");
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout_str()
    };
    let row = |id: &str, family: &str, platform: &str| {
        format!(
            "{id:<48} {family:<15} {:<22} {platform:<12} {:<9} 1\n",
            "-", "line"
        )
    };
    let header = format!(
        "{:<48} {:<15} {:<22} {:<12} {:<9} patterns\n",
        "id", "family", "publisher", "platform", "scope"
    );
    assert_eq!(
        list(&["--platform", "wordpress"]),
        format!(
            "{header}{}{}2 rules\n",
            row("blog.comments.de", "comments", "wordpress"),
            row("blog.comments.fr", "comments", "wordpress")
        )
    );
    assert_eq!(
        list(&["--lang", "DE"]),
        format!(
            "{header}{}{}2 rules\n",
            row("blog.comments.de", "comments", "wordpress"),
            row("wiki.footer.de", "copyright", "mediawiki")
        )
    );
    assert_eq!(
        list(&["--platform", "mediawiki", "--lang", "fr"]),
        format!("{header}0 rules\n")
    );
    assert_eq!(
        list(&[]).lines().nth(4).unwrap(),
        row("site.share", "share", "-").trim_end()
    );
    let r = run_in(
        dir.path(),
        &[
            "patterns",
            "phrases",
            "--no-default-patterns",
            "--patterns",
            "rules.toml",
            "--lang",
            "de",
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout_str(), "abgerufen von\nschreibe einen kommentar\n");
}

#[test]
fn patterns_list_and_test() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_with_rules(dir.path(), "patterns list", RULES, &[], b"");
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout_str(),
        format!(
            "{:<48} {:<15} {:<22} {:<12} {:<9} patterns\n{:<48} {:<15} {:<22} {:<12} {:<9} 1\n1 rules\n",
            "id",
            "family",
            "publisher",
            "platform",
            "scope",
            "test.share",
            "share",
            "-",
            "-",
            "line"
        )
    );
    fs::write(
        dir.path().join("doc.txt"),
        "Share this article\nWe share this article.\n",
    )
    .unwrap();
    let r = run_with_rules(dir.path(), "patterns test", RULES, &["doc.txt"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout_str(),
        "doc.txt:1:1: test.share (line, Phrase) matched \"Share this article\"\n\
         doc.txt:2:4: test.share (line, Phrase) matched \"share this article\" -- removes nothing here\n\
         doc.txt:1:1: test.share removes \"Share this article\"\n\
         2 hits, 1 removals, verdict: cleaned (45.2% of characters)\n"
    );
}

/// A publisher pack of the test's own, with no signature: it applies only when named.
const HARBOUR_PACK: &str = r#"
[pack]
name = "harbour"
publisher = "Harbour Gazette"
hosts = ["harbourgazette.example"]

[[rule]]
id = "harbour.share.labels"
family = "share"
scope = "line"
phrases = ["recipes"]
"#;

const HARBOUR_TEXT: &str = "The ferry timetable changes on Monday, the harbour office said this week.\n\
                            Recipes\n\
                            The winter timetable keeps two sailings a day until the end of March.\n";

#[test]
fn publisher_names_a_pack_by_flag_config_or_record_field() {
    let dir = tempfile::tempdir().unwrap();
    let cleaned = "The ferry timetable changes on Monday, the harbour office said this week.\n\
                   The winter timetable keeps two sailings a day until the end of March.\n";
    let clean = |extra: &[&str]| {
        run_with_rules(
            dir.path(),
            "clean",
            HARBOUR_PACK,
            extra,
            HARBOUR_TEXT.as_bytes(),
        )
    };
    // Unnamed and without a signature, the pack stays off: "Recipes" is the article's.
    let r = clean(&[]);
    assert_eq!((r.code, r.stdout_str().as_str()), (0, HARBOUR_TEXT));
    // Named by pack name, publisher name, host or URL, it applies.
    for name in [
        "harbour",
        "Harbour Gazette",
        "harbourgazette.example",
        "https://www.harbourgazette.example/news/2026/ferries?page=2",
    ] {
        let r = clean(&["--publisher", name]);
        assert_eq!((r.code, r.stdout_str().as_str()), (0, cleaned), "{name}");
    }
    // A name that names no pack is an error that lists the packs there are.
    let r = clean(&["--publisher", "harbourgazette.example.org"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "dechrome: error: unknown publisher \"harbourgazette.example.org\": no pack has that name, \
         publisher name or host (packs: harbour)\n"
    );
    assert!(r.stdout.is_empty());
    // The configuration's `publisher` names it too; the command line wins over it.
    fs::write(dir.path().join("site.toml"), "publisher = \"harbour\"\n").unwrap();
    let with_config = |extra: &[&str]| {
        let mut args = vec![
            "clean",
            "--no-default-patterns",
            "--patterns",
            "rules.toml",
            "--config",
            "site.toml",
        ];
        args.extend_from_slice(extra);
        run_in(dir.path(), &args, HARBOUR_TEXT.as_bytes())
    };
    let r = with_config(&[]);
    assert_eq!((r.code, r.stdout_str().as_str()), (0, cleaned));
    let r = with_config(&["--publisher", "nowhere.example"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("dechrome: error: unknown publisher \"nowhere.example\"")
    );
    // `check` takes the same flag.
    let r = run_with_rules(
        dir.path(),
        "check",
        HARBOUR_PACK,
        &["--publisher", "harbour", "-"],
        HARBOUR_TEXT.as_bytes(),
    );
    assert_eq!(
        (r.code, r.stdout_str().as_str()),
        (1, "<stdin>:2:1: harbour.share.labels: \"Recipes\"\n")
    );
}

#[test]
fn jsonl_records_name_their_publisher_by_a_field() {
    let dir = tempfile::tempdir().unwrap();
    let text = serde_json::to_string(HARBOUR_TEXT).unwrap();
    let cleaned = serde_json::to_string(
        "The ferry timetable changes on Monday, the harbour office said this week.\n\
         The winter timetable keeps two sailings a day until the end of March.\n",
    )
    .unwrap();
    let input = format!(
        "{{\"text\":{text},\"url\":\"https://harbourgazette.example/a\"}}\n\
         {{\"text\":{text},\"url\":\"https://elsewhere.example/a\"}}\n\
         {{\"text\":{text},\"url\":null}}\n\
         {{\"text\":{text}}}\n"
    );
    let jsonl = |extra: &[&str]| {
        let mut args = vec!["--jsonl", "-q", "--publisher-field", "url"];
        args.extend_from_slice(extra);
        run_with_rules(dir.path(), "clean", HARBOUR_PACK, &args, input.as_bytes())
    };
    // The record's URL names the pack on its host; another host names none; a record without a
    // string there is left to signatures (none here).
    let r = jsonl(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout_str(),
        format!(
            "{{\"text\":{cleaned},\"url\":\"https://harbourgazette.example/a\"}}\n\
             {{\"text\":{text},\"url\":\"https://elsewhere.example/a\"}}\n\
             {{\"text\":{text},\"url\":null}}\n\
             {{\"text\":{text}}}\n"
        )
    );
    // With --publisher as well, records without the field fall back to it; a record's own
    // field still wins.
    let r = jsonl(&["--publisher", "harbour"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout_str(),
        format!(
            "{{\"text\":{cleaned},\"url\":\"https://harbourgazette.example/a\"}}\n\
             {{\"text\":{text},\"url\":\"https://elsewhere.example/a\"}}\n\
             {{\"text\":{cleaned},\"url\":null}}\n\
             {{\"text\":{cleaned}}}\n"
        )
    );
}
