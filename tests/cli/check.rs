//! `dechrome check`: formats, statistics, --fix, --diff, exit codes, the configuration file, and
//! agreement with `dechrome clean`.

use std::path::{Path, PathBuf};

use crate::harness::{
    OWN_RULES, RULES_FILE, TextRun as Run, dechrome, dechrome_with_stdin, own_args, root,
    write_files,
};

/// A small pattern set with one rule per scope, so that the expected outputs do not move when the
/// built-in set grows.
const RULES: &str = r#"
[[rule]]
id = "t.share.bar"
family = "share"
scope = "line"
phrases = ["share this article"]

[[rule]]
id = "t.ad.marker"
family = "ad"
scope = "line"
phrases = ["advertisement"]

[[rule]]
id = "t.newsletter.signup"
family = "newsletter"
scope = "sentence"
phrases = ["sign up to our newsletter"]

[[rule]]
id = "t.appeal.block"
family = "support-appeal"
scope = "block"
start = ["please support us"]
end = ["thank you for reading"]
"#;

const A: &str = "Rain fell on the city for the third day running, and the river rose.\n\
Advertisement\n\
The mayor spoke to reporters at noon. Sign up to our newsletter for more. She then left.\n\
Crews worked through the night to clear the drains.\n\
Share this article\n";

const A_CLEAN: &str = "Rain fell on the city for the third day running, and the river rose.\n\
The mayor spoke to reporters at noon. She then left.\n\
Crews worked through the night to clear the drains.\n";

const B: &str = "A quiet day in the valley, with nothing to report.\n";

/// An appeal block with no end marker: a note, not a finding.
const C: &str = "Please support us today.\nThe fund needs you.\n\
The story went on for a while and the council met twice.\n";

/// Two findings of one rule, and no final newline.
const D: &str = "Markets opened higher on Monday after a calm weekend of trading.\n\
Advertisement\n\
Analysts expect the rally to continue into the spring, though some urged caution.\n\
Advertisement\n\
The central bank meets again next month to review its forecasts.";

/// A directory with the test rules and a corpus: `corpus/{a,b,d}.txt`, `corpus/sub/c.txt`, and a
/// `corpus/notes.md` that the default glob leaves out.
fn corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (RULES_FILE, RULES),
            ("corpus/a.txt", A),
            ("corpus/b.txt", B),
            ("corpus/sub/c.txt", C),
            ("corpus/d.txt", D),
            ("corpus/notes.md", "Advertisement\n"),
        ],
    );
    dir
}

/// `check`, the test rules, and `extra`.
fn args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    own_args("check", extra)
}

const NOTE_C: &str = "corpus/sub/c.txt:1:1: t.appeal.block: note: block start with no end marker within 20 \
lines; nothing removed\n";

#[test]
fn text_format() {
    let dir = corpus();
    let run = dechrome(dir.path(), &args(&["corpus"]));
    assert_eq!(
        run.stdout,
        "corpus/a.txt:2:1: t.ad.marker: \"Advertisement\"\n\
         corpus/a.txt:3:39: t.newsletter.signup: \"Sign up to our newsletter for more.\"\n\
         corpus/a.txt:5:1: t.share.bar: \"Share this article\"\n\
         corpus/d.txt:2:1: t.ad.marker: \"Advertisement\"\n\
         corpus/d.txt:4:1: t.ad.marker: \"Advertisement\"\n"
    );
    assert_eq!(
        run.stderr,
        format!("{NOTE_C}dechrome: checked 4 files: 5 findings in 2 files\n")
    );
    assert_eq!(run.code, 1);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("corpus/a.txt")).unwrap(),
        A,
        "no --fix, no change"
    );
}

#[test]
fn json_format() {
    let dir = corpus();
    let run = dechrome(
        dir.path(),
        &args(&["--format", "json", "corpus/a.txt", "corpus/sub/c.txt"]),
    );
    assert_eq!(
        run.stdout,
        r#"{"kind":"finding","path":"corpus/a.txt","line":2,"column":1,"byte_start":69,"byte_end":83,"rule":"t.ad.marker","family":"ad","scope":"line","text":"Advertisement\n","inner":[]}
{"kind":"finding","path":"corpus/a.txt","line":3,"column":39,"byte_start":121,"byte_end":156,"rule":"t.newsletter.signup","family":"newsletter","scope":"sentence","text":"Sign up to our newsletter for more.","inner":[]}
{"kind":"finding","path":"corpus/a.txt","line":5,"column":1,"byte_start":224,"byte_end":243,"rule":"t.share.bar","family":"share","scope":"line","text":"Share this article\n","inner":[]}
{"kind":"note","path":"corpus/sub/c.txt","line":1,"column":1,"byte_start":0,"byte_end":17,"rule":"t.appeal.block","family":"support-appeal","scope":"block","message":"block start with no end marker within 20 lines; nothing removed"}
"#
    );
    assert_eq!(
        run.stderr,
        "dechrome: checked 2 files: 3 findings in 1 file\n"
    );
    assert_eq!(run.code, 1);
    // The byte range is the removal in the original file.
    assert_eq!(&A[121..156], "Sign up to our newsletter for more.");
}

#[test]
fn github_format() {
    let dir = corpus();
    let run = dechrome(
        dir.path(),
        &args(&["--format", "github", "corpus/d.txt", "corpus/sub/c.txt"]),
    );
    assert_eq!(
        run.stdout,
        "::error file=corpus/d.txt,line=2,col=1,endLine=2,title=dechrome t.ad.marker::\"Advertisement\"\n\
         ::error file=corpus/d.txt,line=4,col=1,endLine=4,title=dechrome t.ad.marker::\"Advertisement\"\n\
         ::notice file=corpus/sub/c.txt,line=1,col=1,title=dechrome t.appeal.block::block start with no \
         end marker within 20 lines; nothing removed\n"
    );
    assert_eq!(
        run.stderr,
        "dechrome: checked 2 files: 2 findings in 1 file\n"
    );
    assert_eq!(run.code, 1);
}

#[test]
fn statistics_count_findings_per_rule() {
    let dir = corpus();
    let run = dechrome(dir.path(), &args(&["--statistics", "corpus"]));
    assert_eq!(
        run.stdout,
        "    3  t.ad.marker          ad\n\
         \x20   1  t.newsletter.signup  newsletter\n\
         \x20   1  t.share.bar          share\n"
    );
    assert_eq!(run.code, 1);
    let json = dechrome(
        dir.path(),
        &args(&["--statistics", "--format", "json", "-q", "corpus/d.txt"]),
    );
    assert_eq!(
        json.stdout,
        "{\"count\":2,\"family\":\"ad\",\"rule\":\"t.ad.marker\"}\n"
    );
    assert_eq!(json.stderr, "");
    assert_eq!(json.code, 1);
}

#[cfg(unix)]
#[test]
fn fix_rewrites_in_place_keeping_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = corpus();
    let a = dir.path().join("corpus/a.txt");
    std::fs::set_permissions(&a, std::fs::Permissions::from_mode(0o640)).unwrap();
    let run = dechrome(dir.path(), &args(&["--fix", "corpus"]));
    assert_eq!(
        run.stdout,
        "corpus/a.txt:2:1: t.ad.marker: \"Advertisement\"\n\
         corpus/a.txt:3:39: t.newsletter.signup: \"Sign up to our newsletter for more.\"\n\
         corpus/a.txt:5:1: t.share.bar: \"Share this article\"\n\
         corpus/d.txt:2:1: t.ad.marker: \"Advertisement\"\n\
         corpus/d.txt:4:1: t.ad.marker: \"Advertisement\"\n"
    );
    assert_eq!(
        run.stderr,
        format!(
            "dechrome: fixed corpus/a.txt (3 findings removed)\n\
             dechrome: fixed corpus/d.txt (2 findings removed)\n{NOTE_C}\
             dechrome: checked 4 files: 5 findings in 2 files, fixed 2 files\n"
        )
    );
    assert_eq!(run.code, 0, "everything found was fixed");
    assert_eq!(std::fs::read_to_string(&a).unwrap(), A_CLEAN);
    assert_eq!(
        std::fs::metadata(&a).unwrap().permissions().mode() & 0o777,
        0o640
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("corpus/d.txt")).unwrap(),
        "Markets opened higher on Monday after a calm weekend of trading.\n\
         Analysts expect the rally to continue into the spring, though some urged caution.\n\
         The central bank meets again next month to review its forecasts."
    );
    for (name, text) in [
        ("b.txt", B),
        ("sub/c.txt", C),
        ("notes.md", "Advertisement\n"),
    ] {
        assert_eq!(
            std::fs::read_to_string(dir.path().join("corpus").join(name)).unwrap(),
            text
        );
    }
    let mut names: Vec<_> = std::fs::read_dir(dir.path().join("corpus"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["a.txt", "b.txt", "d.txt", "notes.md", "sub"],
        "no temporary files left"
    );
    let again = dechrome(dir.path(), &args(&["corpus"]));
    assert_eq!((again.code, again.stdout.as_str()), (0, ""));
    assert_eq!(
        again.stderr,
        format!("{NOTE_C}dechrome: checked 4 files: no findings\n")
    );
}

#[test]
fn diff_prints_what_fix_would_do_and_writes_nothing() {
    let dir = corpus();
    let run = dechrome(
        dir.path(),
        &args(&["--diff", "corpus/a.txt", "corpus/b.txt", "corpus/d.txt"]),
    );
    assert_eq!(
        run.stdout,
        "--- a/corpus/a.txt\n\
         +++ b/corpus/a.txt\n\
         @@ -1,5 +1,3 @@\n \
         Rain fell on the city for the third day running, and the river rose.\n\
         -Advertisement\n\
         -The mayor spoke to reporters at noon. Sign up to our newsletter for more. She then left.\n\
         +The mayor spoke to reporters at noon. She then left.\n \
         Crews worked through the night to clear the drains.\n\
         -Share this article\n\
         --- a/corpus/d.txt\n\
         +++ b/corpus/d.txt\n\
         @@ -1,5 +1,3 @@\n \
         Markets opened higher on Monday after a calm weekend of trading.\n\
         -Advertisement\n \
         Analysts expect the rally to continue into the spring, though some urged caution.\n\
         -Advertisement\n \
         The central bank meets again next month to review its forecasts.\n\
         \\ No newline at end of file\n"
    );
    assert_eq!(
        run.stderr,
        "dechrome: checked 3 files: 5 findings in 2 files\n"
    );
    assert_eq!(run.code, 1);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("corpus/a.txt")).unwrap(),
        A
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("corpus/d.txt")).unwrap(),
        D
    );
    let clean = dechrome(dir.path(), &args(&["--diff", "corpus/b.txt"]));
    assert_eq!((clean.code, clean.stdout.as_str()), (0, ""));
}

#[test]
fn exit_codes_errors_win() {
    let dir = corpus();
    let clean = dechrome(dir.path(), &args(&["corpus/b.txt"]));
    assert_eq!((clean.code, clean.stdout.as_str()), (0, ""));
    assert_eq!(clean.stderr, "dechrome: checked 1 file: no findings\n");

    let both = dechrome(dir.path(), &args(&["corpus/a.txt", "missing.txt"]));
    assert_eq!(both.code, 2, "an error outranks findings");
    assert_eq!(
        both.stdout.lines().count(),
        3,
        "the findings are still reported"
    );
    assert_eq!(
        both.stderr,
        "dechrome: error: missing.txt: No such file or directory (os error 2)\n\
         dechrome: checked 1 file: 3 findings in 1 file, 1 failed\n"
    );

    std::fs::write(dir.path().join("utf16.txt"), b"\xFF\xFEh\x00i\x00").unwrap();
    std::fs::write(dir.path().join("bin.txt"), b"\x7fELF\x00\x00").unwrap();
    let bad = dechrome(dir.path(), &args(&["utf16.txt", "bin.txt", "corpus/b.txt"]));
    assert_eq!(bad.code, 2);
    assert_eq!(
        bad.stderr,
        "dechrome: error: utf16.txt: UTF-16 text is not supported; convert it to UTF-8 first\n\
         dechrome: warning: bin.txt: binary file skipped\n\
         dechrome: checked 1 file: no findings, 1 failed, 1 skipped\n"
    );

    let usage = dechrome(dir.path(), &args(&["--max-removal", "2", "corpus"]));
    assert_eq!(usage.code, 2);
    assert_eq!(
        usage.stderr,
        "dechrome: error: --max-removal must be between 0 and 1, got 2\n"
    );
}

#[test]
fn stdin_is_checked_but_never_fixed() {
    let dir = corpus();
    let run = dechrome_with_stdin(dir.path(), &args(&["-"]), A.as_bytes());
    assert_eq!(
        run.stdout,
        "<stdin>:2:1: t.ad.marker: \"Advertisement\"\n\
         <stdin>:3:39: t.newsletter.signup: \"Sign up to our newsletter for more.\"\n\
         <stdin>:5:1: t.share.bar: \"Share this article\"\n"
    );
    assert_eq!(run.code, 1);
    let fix = dechrome_with_stdin(dir.path(), &args(&["--fix", "-"]), A.as_bytes());
    assert_eq!(fix.code, 2);
    assert_eq!(
        fix.stderr,
        "dechrome: error: --fix cannot rewrite standard input; use `dechrome clean` in a pipe\n"
    );
}

#[test]
fn refused_documents_are_reported_but_are_not_findings() {
    let dir = corpus();
    let run = dechrome(
        dir.path(),
        &args(&["--max-removal", "0.1", "corpus/a.txt", "corpus/b.txt"]),
    );
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "corpus/a.txt: refused: the rules would remove 17% of the paragraph text (limit 10%); left unchanged\n\
         dechrome: checked 2 files: no findings, 1 refused\n"
    );
    assert_eq!(run.code, 0);
    let json = dechrome(
        dir.path(),
        &args(&["--max-removal", "0.1", "--format", "json", "corpus/a.txt"]),
    );
    assert_eq!(
        json.stdout,
        "{\"kind\":\"refused\",\"path\":\"corpus/a.txt\",\"message\":\"refused: the rules would remove \
         17% of the paragraph text (limit 10%); left unchanged\"}\n"
    );
}

/// Runs `check` from `cwd` (below the corpus directory) with the given arguments.
fn in_dir(cwd: &Path, extra: &[&str]) -> Run {
    let mut a = vec!["check"];
    a.extend_from_slice(extra);
    dechrome(cwd, &a)
}

#[test]
fn configuration_is_discovered_named_or_ignored() {
    let dir = corpus();
    write_files(
        dir.path(),
        &[
            (
                "dechrome.toml",
                "# test configuration\npatterns = [\"rules.toml\"]\nno-default-patterns = true\n\
                 disable = [\"share\", \"t.newsletter\"]\n",
            ),
            (
                "other.toml",
                "patterns = [\"rules.toml\"]\nno-default-patterns = true\nmax-removal = 0.05\n",
            ),
        ],
    );
    let sub = dir.path().join("corpus");
    // Found by walking up from the current directory; its paths are relative to itself.
    let found = in_dir(&sub, &["a.txt"]);
    assert_eq!(found.stdout, "a.txt:2:1: t.ad.marker: \"Advertisement\"\n");
    assert_eq!(found.code, 1);
    // --config names another file (the command line's --disable adds to it).
    let named = in_dir(
        &sub,
        &["--config", "../other.toml", "--disable", "ad", "a.txt"],
    );
    assert_eq!(named.stdout, "");
    assert_eq!(
        named.stderr,
        "a.txt: refused: the rules would remove 17% of the paragraph text (limit 5%); left unchanged\n\
         dechrome: checked 1 file: no findings, 1 refused\n"
    );
    // --max-removal on the command line wins over the file.
    let flag = in_dir(
        &sub,
        &["--config", "../other.toml", "--max-removal", "0.9", "d.txt"],
    );
    assert_eq!(flag.stdout.lines().count(), 2);
    // --no-config: no rules at all here, as the configuration's pattern file is not read.
    let none = in_dir(&sub, &["--no-config", "--no-default-patterns", "a.txt"]);
    assert_eq!((none.code, none.stdout.as_str()), (0, ""));
    let both = in_dir(&sub, &["--no-config", "--config", "x.toml", "a.txt"]);
    assert_eq!(both.code, 2);
}

#[test]
fn configuration_include_and_exclude_choose_files() {
    let dir = corpus();
    write_files(
        dir.path(),
        &[(
            "dechrome.toml",
            "patterns = [\"rules.toml\"]\nno-default-patterns = true\n\
             include = [\"corpus/*.txt\", \"corpus/*.md\"]\nexclude = [\"corpus/a.txt\"]\n",
        )],
    );
    // Walking: include replaces the default glob (notes.md is in), exclude leaves a.txt out.
    let walked = in_dir(dir.path(), &["corpus"]);
    assert_eq!(
        walked.stdout,
        "corpus/d.txt:2:1: t.ad.marker: \"Advertisement\"\n\
         corpus/d.txt:4:1: t.ad.marker: \"Advertisement\"\n"
    );
    // notes.md is in, and is all chrome, so refused; `*` crosses `/`, so sub/c.txt is in.
    assert_eq!(
        walked.stderr,
        format!(
            "corpus/notes.md: refused: the rules would remove 100% of the paragraph text (limit 80%); left unchanged\n\
             {NOTE_C}dechrome: checked 4 files: 2 findings in 1 file, 1 refused\n"
        )
    );
    // Files named on the command line (as pre-commit passes them) obey the configuration too.
    let named = in_dir(dir.path(), &["corpus/a.txt", "rules.toml"]);
    assert_eq!((named.code, named.stdout.as_str()), (0, ""));
    assert_eq!(named.stderr, "dechrome: checked 0 files: no findings\n");
    // --glob, when given, chooses below directories; the configuration still excludes.
    let glob = in_dir(dir.path(), &["--glob", "a.txt", "corpus"]);
    assert_eq!(glob.stderr, "dechrome: checked 0 files: no findings\n");
}

#[test]
fn configuration_errors_name_file_line_and_column() {
    let dir = corpus();
    write_files(
        dir.path(),
        &[(
            "dechrome.toml",
            "disable = [\"share\"]\n\n[check]\nformat = \"json\"\n",
        )],
    );
    let run = in_dir(dir.path(), &["corpus"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!(
            "dechrome: error: {}:3:2: unknown field `check`, expected one of `patterns`, \
             `no-default-patterns`, `disable`, `include`, `exclude`, `max-removal`, `publisher`, `model`\n",
            dir.path().join("dechrome.toml").display()
        )
    );
    let named = in_dir(dir.path(), &["--config", "dechrome.toml", "corpus"]);
    assert_eq!(
        named.stderr,
        "dechrome: error: dechrome.toml:3:2: unknown field `check`, expected one of `patterns`, \
         `no-default-patterns`, `disable`, `include`, `exclude`, `max-removal`, `publisher`, `model`\n"
    );
    let missing = in_dir(dir.path(), &["--config", "nope.toml", "corpus"]);
    assert_eq!(
        missing.stderr,
        "dechrome: error: nope.toml: No such file or directory (os error 2)\n"
    );
}

#[test]
fn clean_reads_the_configuration_too() {
    let dir = corpus();
    write_files(
        dir.path(),
        &[(
            "dechrome.toml",
            "patterns = [\"rules.toml\"]\nno-default-patterns = true\ndisable = [\"ad\"]\n",
        )],
    );
    let run = dechrome(dir.path(), &["clean", "corpus/d.txt"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, D),
        "the ad rule is disabled"
    );
    let run = dechrome(
        dir.path(),
        &[
            "clean",
            "--no-config",
            "--no-default-patterns",
            "--patterns",
            "rules.toml",
            "corpus/d.txt",
        ],
    );
    assert_eq!(run.stdout.lines().count(), 3);
    write_files(
        dir.path(),
        &[(
            "dechrome.toml",
            "patterns = [\"rules.toml\"]\nno-default-patterns = true\nmax-removal = 0.1\n",
        )],
    );
    let refused = dechrome(dir.path(), &["clean", "corpus/a.txt"]);
    assert_eq!(refused.stdout, A);
    assert_eq!(
        refused.stderr,
        "corpus/a.txt: refused: the rules would remove 17% of the paragraph text (limit 10%); left unchanged\n"
    );
}

/// Every `*.txt` below `fixtures/` (the `NAME.txt` / `NAME.clean.txt` pairs), in path order.
fn fixtures() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(root().join("fixtures"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "txt"))
        .map(|e| e.into_path())
        .collect();
    out.sort();
    out
}

/// `check` and `clean` agree: check finds something exactly when clean changes the document, and
/// finds nothing in clean's output. Over every fixture with the built-in set, and over the test
/// corpus with the test rules.
#[test]
fn check_and_clean_agree() {
    let dir = corpus();
    let mut cases: Vec<(PathBuf, Vec<&str>)> = fixtures()
        .into_iter()
        .map(|f| (f, vec!["--no-config"]))
        .collect();
    for name in ["a.txt", "b.txt", "d.txt", "sub/c.txt"] {
        cases.push((dir.path().join("corpus").join(name), OWN_RULES.to_vec()));
    }
    for (file, opts) in &cases {
        let file_arg = file.to_str().unwrap();
        let input = std::fs::read(file).unwrap();
        let mut clean_args = vec!["clean"];
        clean_args.extend(opts);
        clean_args.push(file_arg);
        let cleaned = dechrome(dir.path(), &clean_args);
        assert_eq!(cleaned.code, 0, "{file_arg}: {}", cleaned.stderr);
        let changed = cleaned.stdout.as_bytes() != input.as_slice();

        let mut check_args = vec!["check"];
        check_args.extend(opts);
        let mut on_input = check_args.clone();
        on_input.push(file_arg);
        let before = dechrome(dir.path(), &on_input);
        assert_eq!(
            before.code,
            i32::from(changed),
            "{file_arg}: {}{}",
            before.stdout,
            before.stderr
        );
        assert_eq!(before.stdout.is_empty(), !changed, "{file_arg}");

        check_args.push("-");
        let after = dechrome_with_stdin(dir.path(), &check_args, cleaned.stdout.as_bytes());
        assert_eq!(
            (after.code, after.stdout.as_str()),
            (0, ""),
            "{file_arg}: check finds chrome in clean's output"
        );
    }
}
