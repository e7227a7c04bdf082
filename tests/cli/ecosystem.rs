//! Conventions users bring from rg, ruff, typos and corpus taggers: compressed inputs recognised by
//! their bytes, skipped inputs that fail the run, one finding per removed span, ignore files,
//! tagging without cleaning, globs, configuration files, diffs, completions and the man page.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::harness::{Run, run_in, untimed};

/// The rules of these tests, so that they do not depend on the growing built-in set.
const RULES: &str = r#"
[[rule]]
id = "test.ad"
family = "ad"
scope = "line"
phrases = ["advertisement"]
"#;

/// Runs `dechrome SUBCOMMAND --no-default-patterns --patterns rules.toml ARGS` in `dir`.
fn dechrome(dir: &Path, sub: &str, args: &[&str], stdin: &[u8]) -> Run {
    fs::write(dir.join("rules.toml"), RULES).unwrap();
    let mut all = vec![sub, "--no-default-patterns", "--patterns", "rules.toml"];
    all.extend_from_slice(args);
    run_in(dir, &all, stdin)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(bytes), &mut out).unwrap();
    out
}

const RECORD: &str = "{\"id\":1,\"text\":\"The council met.\\nAdvertisement\\nIt voted.\\n\"}\n";
const CLEANED: &str = "{\"id\":1,\"text\":\"The council met.\\nIt voted.\\n\"}\n";
const DOC: &str = "The council met.\nAdvertisement\nIt voted.\n";

/// Item 1: gzip and zstd are recognised by their magic bytes on stdin and on files whatever their
/// names; a compressed file is written back (mirrored, or fixed in place) compressed the same way.
#[test]
fn compressed_input_is_recognised_by_magic_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = dechrome(
        d,
        "clean",
        &["--jsonl", "-q", "-"],
        &gzip(RECORD.as_bytes()),
    );
    assert_eq!(
        (r.code, r.stdout_str(), r.stderr.as_str()),
        (0, CLEANED.into(), "")
    );
    let zst = zstd::encode_all(RECORD.as_bytes(), 3).unwrap();
    let r = dechrome(d, "clean", &["--jsonl", "-q"], &zst);
    assert_eq!(
        (r.code, r.stdout_str(), r.stderr.as_str()),
        (0, CLEANED.into(), "")
    );
    // Plain text on stdin, compressed.
    let r = dechrome(d, "clean", &[], &gzip(DOC.as_bytes()));
    assert_eq!(
        (r.code, r.stdout_str()),
        (0, "The council met.\nIt voted.\n".into())
    );
    // A gzip file without a .gz name, mirrored into a tree: still gzip there.
    fs::create_dir(d.join("in")).unwrap();
    fs::write(d.join("in/a.txt"), gzip(DOC.as_bytes())).unwrap();
    let r = dechrome(d, "clean", &["-q", "in", "-o", "out"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        gunzip(&fs::read(d.join("out/a.txt")).unwrap()),
        b"The council met.\nIt voted.\n"
    );
    // check reads it, and --fix rewrites it in place, compressed.
    let r = dechrome(d, "check", &["in/a.txt"], b"");
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout_str(), "in/a.txt:2:1: test.ad: \"Advertisement\"\n");
    let r = dechrome(d, "check", &["-q", "--fix", "in/a.txt"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        gunzip(&fs::read(d.join("in/a.txt")).unwrap()),
        b"The council met.\nIt voted.\n"
    );
    // `patterns test` reads compressed files too (found in review: it read the gzip bytes).
    fs::write(d.join("doc.gz"), gzip(DOC.as_bytes())).unwrap();
    let r = run_in(
        d,
        &[
            "patterns",
            "test",
            "--no-default-patterns",
            "--patterns",
            "rules.toml",
            "doc.gz",
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout_str().contains("doc.gz:2:1: test.ad"),
        "{}",
        r.stdout_str()
    );
}

/// Item 1: an input skipped because it is binary, unreadable or does not decompress makes the exit
/// status 2 while the run goes on, and the summary counts it; `--on-error` does not change that.
#[test]
fn skipped_inputs_fail_the_run_and_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = dechrome(
        d,
        "clean",
        &["--jsonl", "--on-error", "keep"],
        b"\x00\x01\x02 blob",
    );
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout_str(), "");
    assert_eq!(
        untimed(&r.stderr),
        "dechrome: warning: <stdin>: binary file skipped\n\
         dechrome: 0 records: 0 cleaned, 0 unchanged, 0 refused, 0 failed; 1 binary skipped\n\
         dechrome: 0 B in, 0 B out, <time>\n"
    );
    // A truncated gzip stream: the records before the damage are written, the run fails.
    let gz = gzip(RECORD.repeat(2000).as_bytes());
    fs::write(d.join("cut.jsonl.gz"), &gz[..gz.len() / 2]).unwrap();
    fs::write(d.join("ok.jsonl"), RECORD).unwrap();
    let r = dechrome(d, "clean", &["--jsonl", "cut.jsonl.gz", "ok.jsonl"], b"");
    assert_eq!(r.code, 2);
    assert!(
        r.stdout_str().ends_with(CLEANED),
        "the run goes on with ok.jsonl"
    );
    let stderr = untimed(&r.stderr);
    assert!(
        stderr.starts_with("dechrome: error: cut.jsonl.gz: cannot decompress gzip data: "),
        "{stderr}"
    );
    assert!(stderr.contains(" failed; 1 unreadable\n"), "{stderr}");
    // Plain files: binary is skipped, the other file is cleaned, exit 2.
    fs::write(d.join("bin.txt"), b"\x7fELF\x00\x00").unwrap();
    fs::write(d.join("doc.txt"), DOC).unwrap();
    let r = dechrome(d, "clean", &["bin.txt", "doc.txt"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout_str(), "The council met.\nIt voted.\n");
    assert_eq!(
        r.stderr,
        "dechrome: warning: bin.txt: binary file skipped\n"
    );
    // A corrupt compressed document.
    fs::write(d.join("bad.txt"), b"\x1f\x8b\x08\x00garbage").unwrap();
    let r = dechrome(d, "check", &["bad.txt", "doc.txt"], b"");
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("dechrome: error: bad.txt: cannot decompress gzip data: "),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .ends_with("dechrome: checked 1 file: 1 finding in 1 file, 1 failed\n"),
        "{}",
        r.stderr
    );
}

/// A block rule that holds a line rule's match, plus that line rule alone elsewhere.
const NESTED_RULES: &str = r#"
[[rule]]
id = "test.box"
family = "newsletter"
scope = "block"
start = ["Begin the newsletter box"]
end = ["End of the newsletter box"]

[[rule]]
id = "test.ad"
family = "ad"
scope = "line"
phrases = ["advertisement"]
"#;

const NESTED_DOC: &str = "The council met on Tuesday and voted to rebuild the harbour wall.\n\
Begin the newsletter box\nAdvertisement\nEnd of the newsletter box\n\
Work starts in March and should end before the autumn tides return.\nAdvertisement\n";

/// Runs `dechrome check` on `NESTED_DOC` with `NESTED_RULES` only.
fn check_nested(args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("rules.toml"), NESTED_RULES).unwrap();
    fs::write(dir.path().join("doc.txt"), NESTED_DOC).unwrap();
    let mut all = vec![
        "check",
        "--no-default-patterns",
        "--patterns",
        "rules.toml",
        "doc.txt",
    ];
    all.extend_from_slice(args);
    run_in(dir.path(), &all, b"")
}

/// Item 3: a removal inside another is reported once, under the outermost rule; JSON lists the
/// inner rules; `--statistics`, the summary, --fix and clean's summary count the same.
#[test]
fn nested_removals_are_one_finding() {
    let r = check_nested(&[]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout_str(),
        "doc.txt:2:1: test.box: \"Begin the newsletter box\\nAdvertisement\\nEnd of the newsletter box\"\n\
         doc.txt:6:1: test.ad: \"Advertisement\"\n"
    );
    assert_eq!(r.stderr, "dechrome: checked 1 file: 2 findings in 1 file\n");

    let r = check_nested(&["--format", "json", "-q"]);
    let lines: Vec<serde_json::Value> = r
        .stdout_str()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["rule"], "test.box");
    assert_eq!(lines[0]["inner"], serde_json::json!(["test.ad"]));
    assert_eq!(lines[1]["rule"], "test.ad");
    assert_eq!(lines[1]["inner"], serde_json::json!([]));

    let r = check_nested(&["--statistics"]);
    assert_eq!(
        r.stdout_str(),
        "    1  test.ad   ad\n    1  test.box  newsletter\n"
    );
    assert_eq!(r.stderr, "dechrome: checked 1 file: 2 findings in 1 file\n");

    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("rules.toml"), NESTED_RULES).unwrap();
    fs::create_dir(dir.path().join("in")).unwrap();
    fs::write(dir.path().join("in/doc.txt"), NESTED_DOC).unwrap();
    let r = run_in(
        dir.path(),
        &[
            "clean",
            "--no-default-patterns",
            "--patterns",
            "rules.toml",
            "--explain",
            "in",
            "-o",
            "out",
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        untimed(&r.stderr),
        "in/doc.txt:2:1: test.box: \"Begin the newsletter box\\nAdvertisement\\nEnd of the newsletter box\"\n\
         in/doc.txt:6:1: test.ad: \"Advertisement\"\n\
         dechrome: 1 files: 1 cleaned, 0 unchanged, 0 refused, 0 failed\n\
         dechrome: 213 B in, 134 B out, <time>\n\
         dechrome: removals: ad 1, newsletter 1\n"
    );
}

/// A tree with ignore files, hidden entries and a git repository, each file holding one finding.
fn ignore_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir(d.join(".git")).unwrap();
    for f in [
        "node_modules/y.txt",
        ".hidden/x.txt",
        "sub/a.txt",
        "sub/b.txt",
        "keep/c.txt",
        "notes/d.txt",
        ".e.txt",
    ] {
        let p = d.join(f);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, DOC).unwrap();
    }
    fs::write(d.join(".gitignore"), "node_modules/\n").unwrap();
    fs::write(d.join(".ignore"), "sub/*.txt\n").unwrap();
    // A nearer ignore file takes a file back.
    fs::write(d.join("sub/.ignore"), "!a.txt\n").unwrap();
    fs::create_dir_all(d.join(".git/info")).unwrap();
    fs::write(d.join(".git/info/exclude"), "notes\n").unwrap();
    dir
}

/// The paths of `check`'s findings, in order.
fn found(r: &Run) -> Vec<String> {
    r.stdout_str()
        .lines()
        .map(|l| l.split(':').next().unwrap().to_string())
        .collect()
}

/// Item 4: walks skip hidden entries and what .gitignore, .ignore and .git/info/exclude leave out,
/// as ripgrep does; --hidden and --no-ignore opt out; a named file is always taken.
#[test]
fn walks_honour_ignore_files_and_hidden_entries() {
    let dir = ignore_tree();
    let d = dir.path();
    let r = dechrome(d, "check", &["."], b"");
    assert_eq!(found(&r), ["keep/c.txt", "sub/a.txt"], "{}", r.stderr);
    assert_eq!(r.code, 1);
    let r = dechrome(d, "check", &["--hidden", "."], b"");
    assert_eq!(
        found(&r),
        [".e.txt", ".hidden/x.txt", "keep/c.txt", "sub/a.txt"]
    );
    let r = dechrome(d, "check", &["--no-ignore", "."], b"");
    assert_eq!(
        found(&r),
        [
            "keep/c.txt",
            "node_modules/y.txt",
            "notes/d.txt",
            "sub/a.txt",
            "sub/b.txt"
        ]
    );
    // Walking a subdirectory still reads the ignore files above it, up to the repository.
    let r = dechrome(d, "check", &["sub"], b"");
    assert_eq!(found(&r), ["sub/a.txt"]);
    // Named files are taken whatever the ignore files say.
    let r = dechrome(d, "check", &["node_modules/y.txt", ".hidden/x.txt"], b"");
    assert_eq!(found(&r), ["node_modules/y.txt", ".hidden/x.txt"]);
    // clean -o mirrors the same selection.
    let out = tempfile::tempdir().unwrap();
    let o = out.path().join("out");
    let r = dechrome(d, "clean", &["-q", ".", "-o", o.to_str().unwrap()], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut written: Vec<String> = walkdir::WalkDir::new(&o)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(&o).unwrap().display().to_string())
        .collect();
    written.sort();
    assert_eq!(written, ["keep/c.txt", "sub/a.txt"]);
    // Outside a git repository, .gitignore files do not count (as in ripgrep); .ignore files do.
    fs::remove_dir_all(d.join(".git")).unwrap();
    let r = dechrome(d, "check", &["."], b"");
    assert_eq!(
        found(&r),
        [
            "keep/c.txt",
            "node_modules/y.txt",
            "notes/d.txt",
            "sub/a.txt"
        ]
    );
}

/// Item 4: `check` with no path checks the current directory, printing paths without `./`.
#[test]
fn check_defaults_to_the_current_directory() {
    let dir = ignore_tree();
    let r = dechrome(dir.path(), "check", &[], b"");
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout_str(),
        "keep/c.txt:2:1: test.ad: \"Advertisement\"\nsub/a.txt:2:1: test.ad: \"Advertisement\"\n"
    );
    assert_eq!(
        r.stderr,
        "dechrome: checked 2 files: 2 findings in 2 files\n"
    );
}

/// Item 7: `--glob` repeats, `!GLOB` leaves files out, and globs that choose nothing are a warning
/// and exit 1.
#[test]
fn globs_repeat_negate_and_warn_when_nothing_matches() {
    let dir = ignore_tree();
    let d = dir.path();
    fs::write(d.join("keep/f.md"), DOC).unwrap();
    fs::write(d.join("keep/g.log"), DOC).unwrap();
    let r = dechrome(d, "check", &["-g", "*.md", "--glob", "*.log", "keep"], b"");
    assert_eq!(found(&r), ["keep/f.md", "keep/g.log"]);
    let r = dechrome(
        d,
        "check",
        &["-g", "*", "-g", "!*.txt", "-g", "!*.log", "keep"],
        b"",
    );
    assert_eq!(found(&r), ["keep/f.md"]);
    // Only negations: the default *.txt, less them.
    let r = dechrome(d, "check", &["-g", "!sub/**", "."], b"");
    assert_eq!(found(&r), ["keep/c.txt"]);
    let r = dechrome(d, "check", &["-g", "*.rst", "-g", "!x", "."], b"");
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout_str(), "");
    assert_eq!(
        r.stderr,
        "dechrome: warning: no file matched --glob *.rst --glob !x\n\
         dechrome: checked 0 files: no findings\n"
    );
    let out = tempfile::tempdir().unwrap();
    let o = out.path().join("out");
    let r = dechrome(
        d,
        "clean",
        &["-g", "*.rst", ".", "-o", o.to_str().unwrap()],
        b"",
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        untimed(&r.stderr),
        "dechrome: warning: no file matched --glob *.rst\n\
         dechrome: 0 files: 0 cleaned, 0 unchanged, 0 refused, 0 failed\n\
         dechrome: 0 B in, 0 B out, <time>\n"
    );
}

/// Item 5: `--annotate FIELD --keep-text` tags without cleaning: the text comes out as it went in
/// and the annotation's character offsets index it.
#[test]
fn keep_text_tags_without_cleaning() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = concat!(
        r#"{"id":1,"text":"Caf\u00e9 council met.\nAdvertisement\nIt voted.\n"}"#,
        "\n",
        r#"{"id":2,"text":"Nothing to see.\n"}"#,
        "\n"
    );
    let r = dechrome(
        d,
        "clean",
        &["--jsonl", "-q", "--annotate", "tags", "--keep-text"],
        input.as_bytes(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout_str(),
        concat!(
            r#"{"id":1,"text":"Caf\u00e9 council met.\nAdvertisement\nIt voted.\n","tags":[{"rule":"test.ad","family":"ad","scope":"line","start":18,"end":32}]}"#,
            "\n",
            r#"{"id":2,"text":"Nothing to see.\n","tags":[]}"#,
            "\n"
        )
    );
    let text: Vec<char> = "Caf\u{e9} council met.\nAdvertisement\nIt voted.\n"
        .chars()
        .collect();
    assert_eq!(text[18..32].iter().collect::<String>(), "Advertisement\n");
    // Without --annotate there is nothing to write.
    let r = dechrome(d, "clean", &["--jsonl", "--keep-text"], input.as_bytes());
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--annotate <FIELD>"),
        "clap names the missing option: {}",
        r.stderr
    );
}

/// Item 7: `.dechrome.toml` and `[tool.dechrome]` in `pyproject.toml` are read too; the nearest
/// directory wins, and within one directory `.dechrome.toml`, then `dechrome.toml`, then
/// `pyproject.toml`.
#[test]
fn configuration_files_nearest_wins() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("rules.toml"), RULES).unwrap();
    fs::create_dir_all(d.join("a/b")).unwrap();
    fs::write(d.join("a/b/doc.txt"), DOC).unwrap();
    let check = |cwd: &str| {
        let r = run_in(&d.join(cwd), &["check", "doc.txt"], b"");
        (r.code, r.stdout_str(), r.stderr)
    };
    // pyproject.toml with [tool.dechrome]: its rules are used (paths relative to it).
    fs::write(
        d.join("pyproject.toml"),
        "[project]\nname = \"corpus\"\n\n[tool.dechrome]\npatterns = [\"rules.toml\"]\nno-default-patterns = true\n",
    )
    .unwrap();
    assert_eq!(
        check("a/b"),
        (
            1,
            "doc.txt:2:1: test.ad: \"Advertisement\"\n".into(),
            "dechrome: checked 1 file: 1 finding in 1 file\n".into()
        )
    );
    // A nearer pyproject.toml without the table does not count.
    fs::write(d.join("a/pyproject.toml"), "[project]\nname = \"x\"\n").unwrap();
    assert_eq!(check("a/b").0, 1);
    // A nearer .dechrome.toml wins: here it disables the family.
    fs::write(
        d.join("a/.dechrome.toml"),
        "patterns = [\"../rules.toml\"]\nno-default-patterns = true\ndisable = [\"ad\"]\n",
    )
    .unwrap();
    assert_eq!(
        check("a/b"),
        (
            0,
            String::new(),
            "dechrome: checked 1 file: no findings\n".into()
        )
    );
    // In the same directory, .dechrome.toml comes before dechrome.toml.
    fs::write(
        d.join("a/dechrome.toml"),
        "patterns = [\"../rules.toml\"]\nno-default-patterns = true\n",
    )
    .unwrap();
    assert_eq!(check("a/b").0, 0);
    fs::remove_file(d.join("a/.dechrome.toml")).unwrap();
    assert_eq!(check("a/b").0, 1);
    // Errors in [tool.dechrome] name the pyproject.toml's own line and column.
    fs::remove_file(d.join("a/dechrome.toml")).unwrap();
    fs::write(
        d.join("a/pyproject.toml"),
        "[project]\nname = \"x\"\n\n[tool.dechrome]\nmax-removals = 2\n",
    )
    .unwrap();
    let r = run_in(&d.join("a/b"), &["check", "doc.txt"], b"");
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with(&format!(
            "dechrome: error: {}:5:1: unknown field `max-removals`",
            d.join("a/pyproject.toml").display()
        )),
        "{}",
        r.stderr
    );
    // --config names a pyproject.toml without the table: an error.
    fs::create_dir(d.join("plain")).unwrap();
    fs::write(d.join("plain/pyproject.toml"), "[project]\nname = \"x\"\n").unwrap();
    let r = run_in(
        d,
        &["check", "--config", "plain/pyproject.toml", "a/b/doc.txt"],
        b"",
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "dechrome: error: plain/pyproject.toml:1:1: no [tool.dechrome] table\n"
    );
}

/// Item 7: `--diff` prints git's a/ and b/ prefixes.
#[test]
fn diff_has_a_and_b_prefixes() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("doc.txt"), DOC).unwrap();
    let r = dechrome(dir.path(), "check", &["--diff", "-q", "doc.txt"], b"");
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout_str(),
        "--- a/doc.txt\n+++ b/doc.txt\n@@ -1,3 +1,2 @@\n The council met.\n-Advertisement\n It voted.\n"
    );
}

/// Item 7: `dechrome completions SHELL` prints a completion script naming the subcommands and
/// options; `dechrome man` prints a roff man page.
#[test]
fn completions_and_man_page() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let r = run_in(dir.path(), &["completions", shell], b"");
        assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{shell}");
        let script = r.stdout_str();
        for word in ["check", "clean", "keep-text", "no-ignore", "hidden"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    let bash = run_in(dir.path(), &["completions", "bash"], b"").stdout_str();
    assert!(bash.starts_with("_dechrome() {"), "{}", &bash[..40]);
    let r = run_in(dir.path(), &["completions", "tcsh"], b"");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("invalid value 'tcsh'"), "{}", r.stderr);
    let r = run_in(dir.path(), &["man"], b"");
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    let page = r.stdout_str();
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq \\(aq"),
        "{}",
        &page[..60]
    );
    assert!(page.contains(".TH dechrome 1"), "{page}");
    assert!(page.contains("dechrome\\-check(1)"), "{page}");
}
