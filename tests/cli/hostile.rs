//! Hostile input for `clean` and `check --fix`: empty and huge files, size limits, links and
//! loops, unreadable paths, output aliases of the input, pathological regexes, a full disk, and
//! runs killed half-way. Each case is listed in docs/reliability.md.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use dechrome::{Cleaner, PatternSet};

use crate::harness::{Run, run_in};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_dechrome")
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

/// The names in a directory, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Stderr without the throughput line of the run summary (its numbers vary).
fn timing_free(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| !(l.starts_with("dechrome: ") && l.contains("B in, ")))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn is_root() -> bool {
    let dir = tempfile::tempdir().unwrap();
    fs::metadata(dir.path()).unwrap().uid() == 0
}

#[test]
fn empty_files_and_bare_line_ends() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("in/empty.txt"), "");
    write(&dir.path().join("in/lf.txt"), "\n");
    write(&dir.path().join("in/crlf.txt"), "\r\n\r\n");
    write(&dir.path().join("in/bom.txt"), "\u{feff}");
    let r = run_in(dir.path(), &["clean", "in", "-o", "out"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        timing_free(&r.stderr),
        "dechrome: 4 files: 0 cleaned, 4 unchanged, 0 refused, 0 failed\n"
    );
    for (name, bytes) in [
        ("empty.txt", &b""[..]),
        ("lf.txt", b"\n"),
        ("crlf.txt", b"\r\n\r\n"),
        ("bom.txt", b"\xEF\xBB\xBF"),
    ] {
        assert_eq!(fs::read(dir.path().join("out").join(name)).unwrap(), bytes);
    }
}

/// 200 MB on one line, with chrome on the lines around it: cleaned, every byte of the line kept.
/// Slow in a debug build, so it runs with `cargo test --release` (as CI does).
#[test]
#[cfg_attr(debug_assertions, ignore = "200 MB: run with cargo test --release")]
fn a_200_mb_single_line() {
    let dir = tempfile::tempdir().unwrap();
    let line: Vec<u8> = b"The council met again on Tuesday and the vote was close. "
        .iter()
        .copied()
        .cycle()
        .take(200_000_000)
        .collect();
    let mut input = b"Advertisement\n".to_vec();
    input.extend_from_slice(&line);
    input.extend_from_slice(b"\nAdvertisement\nEnd.\n");
    write(&dir.path().join("in/big.txt"), &input);
    drop(input);
    let r = run_in(dir.path(), &["clean", "in", "-o", "out"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = fs::read(dir.path().join("out/big.txt")).unwrap();
    assert_eq!(out.len(), line.len() + b"\nEnd.\n".len());
    assert!(
        out[..line.len()] == line[..],
        "the long line is kept byte for byte"
    );
    assert_eq!(&out[line.len()..], b"\nEnd.\n");
}

#[test]
fn files_above_the_size_limit_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("in/a.txt"), "Small.\nAdvertisement\n");
    write(&dir.path().join("in/big.txt"), "x".repeat(2000));
    write(&dir.path().join("in/c.txt"), "Also small.\n");
    let r = run_in(
        dir.path(),
        &["clean", "in", "-o", "out", "--max-file-size", "1K"],
        b"",
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        timing_free(&r.stderr),
        "dechrome: error: in/big.txt: larger than the limit of 1024 bytes; skipped\n\
         dechrome: 3 files: 1 cleaned, 1 unchanged, 0 refused, 1 failed\ndechrome: removals: ad 1\n"
    );
    assert_eq!(names(&dir.path().join("out")), ["a.txt", "c.txt"]);
    assert_eq!(
        fs::read_to_string(dir.path().join("out/a.txt")).unwrap(),
        "Small.\n"
    );
    // Standard input is cut off at the limit too, and nothing is written.
    let r = run_in(
        dir.path(),
        &["clean", "--max-file-size", "100"],
        &[b'y'; 101],
    );
    assert_eq!((r.code, r.stdout.len()), (2, 0));
    assert_eq!(
        timing_free(&r.stderr),
        "dechrome: error: <stdin>: larger than the limit of 100 bytes; skipped\n"
    );
    let r = run_in(
        dir.path(),
        &["clean", "--max-file-size", "100"],
        &[b'y'; 100],
    );
    assert_eq!((r.code, r.stdout.len()), (0, 100));
    // A device that never ends is not read into memory.
    let r = run_in(
        dir.path(),
        &["clean", "/dev/zero", "--max-file-size", "1M"],
        b"",
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        timing_free(&r.stderr),
        "dechrome: error: /dev/zero: larger than the limit of 1048576 bytes; skipped\n"
    );
    let r = run_in(dir.path(), &["clean", "--max-file-size", "lots"], b"");
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(
            "invalid size `lots`, expected a number of bytes such as 1000, 64K, 256M or 2G"
        ),
        "{}",
        r.stderr
    );
}

/// `check` (and `check --fix`) read files under the same limit as `clean`: a larger file is
/// reported and left untouched, the others are checked and fixed; standard input is cut off at it.
#[test]
fn check_skips_files_above_the_size_limit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(&d.join("in/a.txt"), "Small.\nAdvertisement\n");
    let big = format!("{}Advertisement\n", "Long line of text.\n".repeat(100));
    write(&d.join("in/big.txt"), &big);
    let r = run_in(d, &["check", "--fix", "in", "--max-file-size", "1K"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "dechrome: fixed in/a.txt (1 finding removed)\n\
         dechrome: error: in/big.txt: larger than the limit of 1024 bytes; skipped\n\
         dechrome: checked 1 file: 1 finding in 1 file, fixed 1 file, 1 failed\n"
    );
    assert_eq!(fs::read_to_string(d.join("in/a.txt")).unwrap(), "Small.\n");
    assert_eq!(fs::read_to_string(d.join("in/big.txt")).unwrap(), big);
    let r = run_in(d, &["check", "-", "--max-file-size", "100"], &[b'y'; 101]);
    assert_eq!((r.code, r.stdout.len()), (2, 0));
    assert_eq!(
        r.stderr,
        "dechrome: error: <stdin>: larger than the limit of 100 bytes; skipped\n\
         dechrome: checked 0 files: no findings, 1 failed\n"
    );
    let r = run_in(d, &["check", "/dev/zero", "--max-file-size", "1M"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "dechrome: error: /dev/zero: larger than the limit of 1048576 bytes; skipped\n\
         dechrome: checked 0 files: no findings, 1 failed\n"
    );
}

/// `clean --jsonl` streams its input; `--max-file-size` bounds each record (line) instead: a longer
/// one ends its input with an error naming the line (it is not read into memory, and the records
/// before it are written), and the run goes on with the next input.
#[test]
fn jsonl_records_above_the_size_limit_end_their_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rec = |t: &str| format!("{{\"text\":\"{t}: the article.\\nAdvertisement\\n\"}}\n");
    let long = rec(&"x".repeat(2000));
    write(
        &d.join("a.jsonl"),
        format!("{}{}{long}{}", rec("A1"), rec("A2"), rec("A4")),
    );
    write(&d.join("b.jsonl"), rec("B1"));
    // A long record at the end, without a final newline.
    write(
        &d.join("c.jsonl"),
        format!("{}{}", rec("C1"), long.trim_end()),
    );
    let r = run_in(
        d,
        &[
            "clean",
            "--jsonl",
            "-q",
            "--max-file-size",
            "1K",
            "a.jsonl",
            "b.jsonl",
            "c.jsonl",
        ],
        b"",
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stdout_str(),
        ["A1", "A2", "B1", "C1"]
            .map(|t| format!("{{\"text\":\"{t}: the article.\\n\"}}\n"))
            .concat()
    );
    assert_eq!(
        r.stderr,
        "dechrome: error: a.jsonl:3: record larger than the limit of 1024 bytes; skipped with the \
         rest of the input\n\
         dechrome: error: c.jsonl:2: record larger than the limit of 1024 bytes; skipped with the \
         rest of the input\n"
    );
    // An endless line is cut off at the limit.
    let out = Command::new("bash")
        .args([
            "-c",
            "tr '\\0' x </dev/zero | \"$0\" clean --jsonl -q --max-file-size 1M",
            bin(),
        ])
        .current_dir(d)
        .output()
        .unwrap();
    assert_eq!((out.status.code(), out.stdout.len()), (Some(2), 0));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "dechrome: error: <stdin>:1: record larger than the limit of 1048576 bytes; skipped \
         with the rest of the input\n"
    );
    // NUL bytes make an input binary: skipped with a warning, as `clean` does with text files,
    // and the run fails.
    let r = run_in(d, &["clean", "--jsonl", "-q", "/dev/zero"], b"");
    assert_eq!((r.code, r.stdout.len()), (2, 0));
    assert_eq!(
        r.stderr,
        "dechrome: warning: /dev/zero: binary file skipped\n"
    );
    let r = run_in(
        d,
        &["clean", "--jsonl", "-q", "--max-file-size", "1M", "-"],
        &vec![b' '; 3 << 20],
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "dechrome: error: <stdin>:1: record larger than the limit of 1048576 bytes; skipped \
         with the rest of the input\n"
    );
}

/// The workers of `clean`, `check` and `clean --jsonl` share a memory budget (`--max-memory`,
/// default half the memory available): each reserves a document's estimated peak (six bytes a byte
/// and 40 a line) before cleaning it and waits while the others leave too little, so a run never
/// holds more, whatever the documents look like. A document that alone needs more is an error
/// naming it; the run goes on.
#[test]
fn documents_beyond_the_memory_budget_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // 200,000 empty lines: about 7 MiB to clean.
    let lines = "\n".repeat(200_000);
    write(&d.join("in/lines.txt"), &lines);
    write(&d.join("in/a.txt"), "Small.\nAdvertisement\n");
    let message = "lines.txt: cleaning it would take about 7 MiB of memory, more than the 4 MiB \
                   allowed (--max-memory)\n";
    let r = run_in(
        d,
        &["clean", "in", "-o", "out", "-q", "--max-memory", "4M"],
        b"",
    );
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr, format!("dechrome: error: in/{message}"));
    assert_eq!(names(&d.join("out")), ["a.txt"]);
    let r = run_in(d, &["check", "--fix", "in", "--max-memory", "4M"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        format!(
            "dechrome: fixed in/a.txt (1 finding removed)\ndechrome: error: in/{message}\
             dechrome: checked 1 file: 1 finding in 1 file, fixed 1 file, 1 failed\n"
        )
    );
    assert!(fs::read_to_string(d.join("in/lines.txt")).unwrap() == lines);
    let r = run_in(d, &["clean", "--max-memory", "4M"], lines.as_bytes());
    assert_eq!((r.code, r.stdout.len()), (2, 0));
    assert_eq!(
        r.stderr,
        format!("dechrome: error: <stdin>: {}", &message[11..])
    );
    // A JSONL record: its escapes count as lines.
    let record = format!("{{\"text\":\"{}\"}}\n", "\\n".repeat(100_000));
    let r = run_in(
        d,
        &["clean", "--jsonl", "-q", "--max-memory", "4M"],
        format!("{{\"text\":\"Fine.\"}}\n{record}").as_bytes(),
    );
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout_str(), "{\"text\":\"Fine.\"}\n");
    assert_eq!(
        r.stderr,
        "dechrome: error: <stdin>:2: cleaning it would take about 58 MiB of memory, more than the \
         4 MiB allowed (--max-memory)\n"
    );
    // Documents that fit one at a time are cleaned one at a time: all of them, whatever --jobs.
    for i in 0..12 {
        write(
            &d.join(format!("many/{i:02}.txt")),
            format!("{}Advertisement\n", "Line of the article.\n".repeat(20_000)),
        );
    }
    let r = run_in(
        d,
        &[
            "clean",
            "many",
            "-o",
            "many-out",
            "-j",
            "4",
            "--max-memory",
            "20M",
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(names(&d.join("many-out")).len(), 12);
    for i in 0..12 {
        assert_eq!(
            fs::read_to_string(d.join(format!("many-out/{i:02}.txt"))).unwrap(),
            "Line of the article.\n".repeat(20_000)
        );
    }
}

#[test]
fn symbolic_links_and_loops_are_reported_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(&d.join("in/good.txt"), "Good.\nAdvertisement\n");
    write(&d.join("outside.txt"), "Outside the tree.\nAdvertisement\n");
    fs::create_dir_all(d.join("in/sub")).unwrap();
    symlink(".", d.join("in/sub/loop")).unwrap();
    symlink("self.txt", d.join("in/self.txt")).unwrap();
    symlink("../outside.txt", d.join("in/link.txt")).unwrap();
    let r = run_in(d, &["clean", "in", "-o", "out"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        timing_free(&r.stderr),
        "dechrome: warning: in/link.txt: symbolic link skipped\n\
         dechrome: warning: in/self.txt: symbolic link skipped\n\
         dechrome: 1 files: 1 cleaned, 0 unchanged, 0 refused, 0 failed\ndechrome: removals: ad 1\n"
    );
    assert_eq!(names(&d.join("out")), ["good.txt"]);
    // `check` walks the same way and says the same; the links change no exit code (1: findings).
    let r = run_in(d, &["check", "in"], b"");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "dechrome: warning: in/link.txt: symbolic link skipped\n\
         dechrome: warning: in/self.txt: symbolic link skipped\n\
         dechrome: checked 1 file: 1 finding in 1 file\n"
    );
    assert_eq!(
        r.stdout_str(),
        "in/good.txt:2:1: generic.ad.marker: \"Advertisement\"\n"
    );
    fs::remove_file(d.join("in/good.txt")).unwrap();
    let r = run_in(d, &["check", "in", "--fix"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "dechrome: warning: in/link.txt: symbolic link skipped\n\
         dechrome: warning: in/self.txt: symbolic link skipped\n\
         dechrome: checked 0 files: no findings, fixed 0 files\n"
    );
    assert_eq!(
        fs::read_to_string(d.join("outside.txt")).unwrap(),
        "Outside the tree.\nAdvertisement\n",
        "not reached through the link"
    );
    write(&d.join("in/good.txt"), "Good.\nAdvertisement\n");
    // Named on the command line, a looping link is an error for that path; the run goes on.
    let r = run_in(d, &["clean", "in/self.txt", "in/good.txt"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout_str(), "Good.\n");
    assert_eq!(
        timing_free(&r.stderr),
        "dechrome: error: in/self.txt: Too many levels of symbolic links (os error 40)\n"
    );
}

/// Runs the binary in `dir`; as root, as user and group 65534 so that permissions apply.
fn run_unprivileged(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = Command::new(bin());
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if is_root() {
        cmd.uid(65534).gid(65534);
    }
    Run::from(cmd.output().expect("spawn dechrome"))
}

#[test]
fn unreadable_files_and_directories_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(&d.join("in/good.txt"), "Good.\nAdvertisement\n");
    write(&d.join("in/secret.txt"), "Secret.\n");
    write(&d.join("in/locked/x.txt"), "Locked.\n");
    fs::create_dir_all(d.join("out")).unwrap();
    let mode = |p: &str, m: u32| fs::set_permissions(d.join(p), fs::Permissions::from_mode(m));
    for (p, m) in [
        (".", 0o755),
        ("in", 0o755),
        ("in/good.txt", 0o644),
        ("in/secret.txt", 0o000),
        ("in/locked", 0o000),
        ("out", 0o777),
    ] {
        mode(p, m).unwrap();
    }
    let r = run_unprivileged(d, &["clean", "in", "-o", "out"]);
    mode("in/locked", 0o755).unwrap();
    assert_eq!(r.code, 2);
    assert_eq!(
        timing_free(&r.stderr),
        "dechrome: error: in/locked: Permission denied (os error 13)\n\
         dechrome: error: in/secret.txt: Permission denied (os error 13)\n\
         dechrome: 2 files: 1 cleaned, 0 unchanged, 0 refused, 1 failed\ndechrome: removals: ad 1\n"
    );
    assert_eq!(names(&d.join("out")), ["good.txt"]);
    assert_eq!(
        fs::read_to_string(d.join("out/good.txt")).unwrap(),
        "Good.\n"
    );
    // `check` reports them the same way and checks the rest.
    mode("in/locked", 0o000).unwrap();
    let r = run_unprivileged(d, &["check", "in"]);
    mode("in/locked", 0o755).unwrap();
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stdout_str(),
        "in/good.txt:2:1: generic.ad.marker: \"Advertisement\"\n"
    );
    assert_eq!(
        r.stderr,
        "dechrome: error: in/locked: Permission denied (os error 13)\n\
         dechrome: error: in/secret.txt: Permission denied (os error 13)\n\
         dechrome: checked 1 file: 1 finding in 1 file, 2 failed\n"
    );
    // An output directory that cannot be written: each file fails, nothing is left behind.
    mode("out", 0o555).unwrap();
    fs::remove_file(d.join("out/good.txt")).unwrap();
    let r = run_unprivileged(d, &["clean", "in/good.txt", "-o", "out"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        timing_free(&r.stderr),
        "dechrome: error: out: Permission denied (os error 13)\n\
         dechrome: 1 files: 0 cleaned, 0 unchanged, 0 refused, 1 failed\n"
    );
    assert!(names(&d.join("out")).is_empty());
}

#[test]
fn output_aliases_of_the_input_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(&d.join("in/a.txt"), "A.\nAdvertisement\n");
    symlink("in", d.join("alias")).unwrap();
    for out in ["in/../in", "alias", "alias/sub", "./in/."] {
        let r = run_in(d, &["clean", "in", "-o", out], b"");
        assert_eq!(r.code, 2, "-o {out}");
        assert_eq!(
            timing_free(&r.stderr),
            format!(
                "dechrome: error: output directory {out} is inside input in; choose a directory \
                 outside the input tree\n"
            )
        );
    }
    // The same file as input and output directory's target, through a link.
    let r = run_in(d, &["clean", "in/a.txt", "-o", "alias"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(
        timing_free(&r.stderr),
        "dechrome: error: output directory alias holds input in/a.txt; choose a directory that holds no input\n"
    );
    assert_eq!(names(&d.join("in")), ["a.txt"]);
    assert_eq!(
        fs::read_to_string(d.join("in/a.txt")).unwrap(),
        "A.\nAdvertisement\n"
    );
}

#[test]
fn pathological_regexes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        &d.join("big.toml"),
        "[[rule]]\nid = \"p.big\"\nfamily = \"ad\"\nscope = \"line\"\nregexes = ['(\\w{100}){100}']\n",
    );
    let r = run_in(d, &["clean", "--patterns", "big.toml"], b"x\n");
    assert_eq!(r.code, 2);
    assert_eq!(
        timing_free(&r.stderr),
        "dechrome: error: big.toml:5:12: rule `p.big`: regex too large: it compiles to more than \
         131072 bytes, the cap for rules outside the built-in set (docs/reliability.md); simplify \
         it (ASCII classes such as (?-u:\\w) and [0-9] are far smaller)\n"
    );
    // Nested repetition that backtracking engines take exponential time on: linear here.
    write(
        &d.join("nested.toml"),
        "[[rule]]\nid = \"p.nested\"\nfamily = \"ad\"\nscope = \"line\"\nregexes = ['^(a+)+$', '^(a|aa)*c$']\n",
    );
    let mut input = "a".repeat(100_000);
    input.push_str("b\nShort.\naaaa\n");
    let r = run_in(
        d,
        &[
            "clean",
            "--no-default-patterns",
            "--patterns",
            "nested.toml",
        ],
        input.as_bytes(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout_str(),
        format!("{}b\nShort.\n", "a".repeat(100_000))
    );
}

/// A pattern set of 100,000 phrases builds and cleans; time and memory are in
/// docs/reliability.md (run with `--ignored --nocapture` under `/usr/bin/time -v` to measure).
#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "100,000 phrases: run with cargo test --release"
)]
fn a_pattern_set_of_100_000_phrases() {
    let dir = tempfile::tempdir().unwrap();
    // Distinct phrases of two to five pseudo-random words (few shared prefixes).
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut src = String::new();
    for r in 0..100 {
        src.push_str(&format!(
            "[[rule]]\nid = \"big.r{r}\"\nfamily = \"other\"\nscope = \"line\"\nphrases = ["
        ));
        for p in 0..1000 {
            let words = 2 + next() % 4;
            let phrase: Vec<String> = (0..words)
                .map(|_| {
                    let n = next();
                    (0..3 + n % 6)
                        .map(|i| char::from(b'a' + ((n >> (8 + 5 * i)) % 26) as u8))
                        .collect()
                })
                .collect();
            src.push_str(&format!("\"{}\",", phrase.join(" ")));
            if (r, p) == (42, 999) {
                src.push_str("\"chrome phrase\",");
            }
        }
        src.push_str("]\n\n");
    }
    write(&dir.path().join("big.toml"), &src);
    let start = Instant::now();
    let r = run_in(
        dir.path(),
        &["clean", "--no-default-patterns", "--patterns", "big.toml"],
        b"Body text.\nChrome phrase\nMore text.\nCHROME  PHRASE:\n",
    );
    eprintln!(
        "100,000 phrases: built and cleaned in {:?}",
        start.elapsed()
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout_str(), "Body text.\nMore text.\n");
}

/// Mounts a tmpfs of `size` at `dir`, or says why not.
fn mount_tmpfs(dir: &Path, size: &str) -> Result<(), String> {
    let out = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(dir)
        .output()
        .map_err(|e| format!("mount: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

struct Unmount(PathBuf);

impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn full_disk_tree(d: &Path) {
    write(&d.join("in/a.txt"), "Small.\nAdvertisement\n");
    write(&d.join("in/b.txt"), "Large line of text.\n".repeat(50_000));
    write(&d.join("in/c.txt"), "Small too.\n");
}

fn assert_full_disk_outcome(r: &Run, out: &Path, error: &str) {
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        timing_free(&r.stderr),
        format!(
            "dechrome: error: out/b.txt: {error}\n\
             dechrome: 3 files: 1 cleaned, 1 unchanged, 0 refused, 1 failed\ndechrome: removals: ad 1\n"
        )
    );
    // The files that fit are complete; the one that did not is absent, and no temporary is left.
    assert_eq!(names(out), ["a.txt", "c.txt"]);
    assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "Small.\n");
    assert_eq!(
        fs::read_to_string(out.join("c.txt")).unwrap(),
        "Small too.\n"
    );
}

#[test]
fn a_full_disk_leaves_no_partial_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    full_disk_tree(d);
    let out = d.join("out");
    fs::create_dir_all(&out).unwrap();
    if let Err(why) = mount_tmpfs(&out, "64k") {
        eprintln!("skipping the tmpfs case (cannot mount: {why}); the file-size limit case runs");
        return;
    }
    let _guard = Unmount(out.clone());
    let r = run_in(d, &["clean", "in", "-o", "out", "-j", "1"], b"");
    assert_full_disk_outcome(&r, &out, "No space left on device (os error 28)");
}

#[test]
fn a_file_size_limit_leaves_no_partial_output() {
    // The write error of a full disk, without a mount: the file-size limit (the signal it sends
    // is ignored, so a write beyond it fails with EFBIG).
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    full_disk_tree(d);
    let r = run_with_file_limit(d, "clean in -o out -j 1");
    assert_full_disk_outcome(&r, &d.join("out"), "File too large (os error 27)");
}

/// Runs `dechrome ARGS` in `dir` under a file-size limit of 64 KiB (a write beyond it fails with
/// EFBIG, as on a full disk).
fn run_with_file_limit(dir: &Path, args: &str) -> Run {
    let out = Command::new("bash")
        .args([
            "-c",
            &format!("trap '' XFSZ; ulimit -f 64; exec \"$0\" {args}"),
            bin(),
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    Run::from(out)
}

/// A JSONL output file or shard that cannot be written completely is not left behind, complete or
/// not, and neither is its temporary; the shards before it stay.
#[test]
fn a_jsonl_write_error_leaves_no_partial_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let record = format!(
        "{{\"text\":\"{}\\nAdvertisement\\n\"}}\n",
        "Words of the article. ".repeat(40)
    );
    write(&d.join("in.jsonl"), record.repeat(150));
    let r = run_with_file_limit(d, "clean --jsonl in.jsonl -o out/all.jsonl -q");
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "dechrome: error: out/all.jsonl: File too large (os error 27)\n"
    );
    assert!(names(&d.join("out")).is_empty());
    // Shards of 40 records (about 36 KB) fit; one of 100 does not.
    let r = run_with_file_limit(d, "clean --jsonl in.jsonl -o shards --shard-size 40 -q");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        names(&d.join("shards")),
        [
            ".dechrome.shards",
            "part-00000.jsonl",
            "part-00001.jsonl",
            "part-00002.jsonl",
            "part-00003.jsonl"
        ]
    );
    let r = run_with_file_limit(d, "clean --jsonl in.jsonl -o big --shard-size 100 -q");
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "dechrome: error: big/part-00000.jsonl: File too large (os error 27)\n"
    );
    assert!(names(&d.join("big")).is_empty());
}

/// `check --fix` that cannot write a file leaves it as it was (no temporary remains) and fixes
/// the others.
#[test]
fn a_check_fix_write_error_leaves_the_file_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    full_disk_tree(d);
    let big = format!("{}Advertisement\n", "Large line of text.\n".repeat(50_000));
    write(&d.join("in/b.txt"), &big);
    let r = run_with_file_limit(d, "check --fix in -j 1");
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "dechrome: fixed in/a.txt (1 finding removed)\n\
         dechrome: error: in/b.txt: File too large (os error 27)\n\
         dechrome: checked 3 files: 2 findings in 2 files, fixed 1 file, 1 failed\n"
    );
    assert_eq!(names(&d.join("in")), ["a.txt", "b.txt", "c.txt"]);
    assert_eq!(fs::read_to_string(d.join("in/a.txt")).unwrap(), "Small.\n");
    assert!(fs::read_to_string(d.join("in/b.txt")).unwrap() == big);
}

/// A tree of `n` articles with chrome, and the builtin cleaner's output for each.
fn article_tree(root: &Path, n: usize) -> Vec<(PathBuf, Vec<u8>, Vec<u8>)> {
    let cleaner = Cleaner::new(PatternSet::builtin().unwrap());
    (0..n)
        .map(|i| {
            let mut text = String::new();
            for j in 0..300 {
                text.push_str(&format!(
                    "Paragraph {j} of article {i}: the council met and the vote was close.\n"
                ));
                if j % 40 == 7 {
                    text.push_str("Advertisement\n");
                }
            }
            let rel = PathBuf::from(format!("d{}/a{i:04}.txt", i % 7));
            write(&root.join(&rel), &text);
            let clean = cleaner.clean(text.as_bytes()).text.into_owned();
            (rel, text.into_bytes(), clean)
        })
        .collect()
}

/// Files below `dir` (relative paths), temporaries apart.
fn files_below(dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let (mut files, mut temps) = (Vec::new(), Vec::new());
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
            if e.file_name().to_string_lossy().starts_with(".dechrome-") {
                temps.push(rel);
            } else {
                files.push(rel);
            }
        }
    }
    (files, temps)
}

/// The message of a run stopped by SIGINT.
const INTERRUPTED: &str =
    "dechrome: error: interrupted; complete outputs are kept, no partial file is left\n";

/// Waits until `ready` holds (at most a minute, or until the child ends), sends `signal` to the
/// child and returns its output.
fn signal_when(
    mut child: std::process::Child,
    signal: &str,
    ready: impl Fn() -> bool,
) -> std::process::Output {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ready() && Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status();
    child.wait_with_output().unwrap()
}

/// Starts `dechrome ARGS` in `dir`, waits until `ready` holds (or the run ends), sends `signal`.
/// Returns whether the signal ended the run (else the run's stderr, when it ended by itself).
fn interrupt(
    dir: &Path,
    args: &[&str],
    signal: &str,
    ready: impl Fn() -> bool,
) -> Result<(), String> {
    let child = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let out = signal_when(child, signal, ready);
    match out.status.signal() {
        Some(_) => Ok(()),
        None => Err(String::from_utf8_lossy(&out.stderr).into_owned()),
    }
}

/// The files below `dir` (temporaries apart) with their bytes.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let (files, _) = files_below(dir);
    files
        .into_iter()
        .map(|f| {
            let bytes = fs::read(dir.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

#[test]
fn killed_tree_runs_leave_only_complete_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let articles = article_tree(&d.join("in"), 1500);
    let r = run_in(d, &["clean", "in", "-o", "ref", "-q"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let reference = tree(&d.join("ref"));
    assert_eq!(reference.len(), articles.len());
    for signal in ["KILL", "INT"] {
        let out = d.join(format!("out-{signal}"));
        let o = out.to_string_lossy().into_owned();
        let killed = interrupt(
            d,
            &["clean", "in", "-o", &o, "-j", "1", "-q"],
            signal,
            || out.is_dir() && files_below(&out).0.len() >= 5,
        );
        let (files, temps) = files_below(&out);
        eprintln!(
            "SIG{signal}: {} of {} files written, {} temporaries",
            files.len(),
            articles.len(),
            temps.len()
        );
        // SIGKILL ends the process at once; on SIGINT dechrome finishes the batch in progress
        // and exits by itself, saying so.
        match (&killed, signal) {
            (Ok(()), "KILL") => {}
            (Err(stderr), "INT") => assert_eq!(stderr, INTERRUPTED),
            _ => panic!("SIG{signal}: {killed:?}"),
        }
        assert!(
            files.len() < articles.len(),
            "SIG{signal} came too late to interrupt the run ({} files written)",
            files.len()
        );
        // Every output present is complete; a temporary may remain (SIGKILL runs no clean-up).
        for f in &files {
            let (_, _, clean) = articles.iter().find(|(rel, _, _)| rel == f).unwrap();
            assert!(
                fs::read(out.join(f)).unwrap() == *clean,
                "{f:?} is incomplete"
            );
        }
        assert!(temps.len() <= 1, "temporaries left: {temps:?}");
        // A rerun with --skip-existing cleans only the rest (eight ads in each) and completes the
        // job.
        let r = run_in(d, &["clean", "in", "-o", &o, "--skip-existing"], b"");
        assert_eq!(r.code, 0, "{}", r.stderr);
        let rest = articles.len() - files.len();
        assert_eq!(
            timing_free(&r.stderr),
            format!(
                "dechrome: {rest} files: {rest} cleaned, 0 unchanged, 0 refused, 0 failed; {} \
                 skipped, output exists\ndechrome: removals: ad {}\n",
                files.len(),
                8 * rest
            )
        );
        assert!(
            tree(&out) == reference,
            "the resumed tree differs from an uninterrupted run's"
        );
    }
}

/// `check --fix TREE` killed (SIGKILL) or interrupted (SIGINT: it stops between files) half-way
/// leaves every file old or completely fixed; a rerun fixes the rest.
#[test]
fn killed_check_fix_leaves_every_file_old_or_new() {
    for signal in ["KILL", "INT"] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let articles = article_tree(&d.join("in"), 1500);
        let fixed = || {
            articles
                .iter()
                .filter(|(rel, _, clean)| fs::read(d.join("in").join(rel)).unwrap() == *clean)
                .count()
        };
        // The run goes in path order: it has started once the first few files are fixed.
        let mut order: Vec<&(PathBuf, Vec<u8>, Vec<u8>)> = articles.iter().collect();
        order.sort_by(|a, b| a.0.cmp(&b.0));
        let started = || {
            order[..5]
                .iter()
                .all(|(rel, _, clean)| fs::read(d.join("in").join(rel)).unwrap() == *clean)
        };
        let killed = interrupt(
            d,
            &["check", "--fix", "-q", "in", "-j", "1"],
            signal,
            started,
        );
        let n = fixed();
        eprintln!("SIG{signal}: {n} of {} files fixed", articles.len());
        // SIGKILL ends the process at once; SIGINT stops it between files, and it says so after
        // naming each file it fixed.
        match (&killed, signal) {
            (Ok(()), "KILL") => {}
            (Err(stderr), "INT") => {
                let (last, fixed_lines) = stderr
                    .trim_end()
                    .lines()
                    .collect::<Vec<_>>()
                    .split_last()
                    .map(|(l, f)| (*l, f.to_vec()))
                    .unwrap();
                assert_eq!(format!("{last}\n"), INTERRUPTED);
                assert_eq!(fixed_lines.len(), n, "{stderr}");
                assert!(
                    fixed_lines
                        .iter()
                        .all(|l| l.starts_with("dechrome: fixed in/")
                            && l.ends_with(" (8 findings removed)")),
                    "{stderr}"
                );
            }
            _ => panic!("SIG{signal}: {killed:?}"),
        }
        assert!(n < articles.len(), "SIG{signal} came too late ({n} fixed)");
        let (files, temps) = files_below(&d.join("in"));
        assert_eq!(files.len(), articles.len());
        // SIGKILL may leave the temporary of the file in progress; SIGINT leaves none.
        let allowed = if signal == "INT" { 0 } else { 1 };
        assert!(temps.len() <= allowed, "temporaries left: {temps:?}");
        for (rel, original, clean) in &articles {
            let now = fs::read(d.join("in").join(rel)).unwrap();
            assert!(
                now == *original || now == *clean,
                "{rel:?} is neither old nor new"
            );
        }
        // A rerun fixes exactly the files the killed run did not reach (eight ads in each), and
        // completes the job.
        let r = run_in(d, &["check", "--fix", "in"], b"");
        assert_eq!(r.code, 0, "{}", r.stderr);
        let rest = articles.len() - n;
        assert_eq!(
            r.stderr.lines().last().unwrap(),
            format!(
                "dechrome: checked {} files: {} findings in {rest} files, fixed {rest} files",
                articles.len(),
                8 * rest
            )
        );
        assert_eq!(fixed(), articles.len());
        let r = run_in(d, &["check", "in"], b"");
        assert_eq!(
            (r.code, r.stderr.as_str()),
            (0, "dechrome: checked 1500 files: no findings\n")
        );
    }
}

fn argv(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The shards in `dir` (name and bytes; not the record of their size), and the temporaries apart.
fn shards(dir: &Path) -> (Vec<(String, Vec<u8>)>, Vec<PathBuf>) {
    let (files, temps) = files_below(dir);
    let files = files
        .into_iter()
        .filter(|f| f.as_os_str() != ".dechrome.shards")
        .map(|f| {
            (
                f.to_string_lossy().into_owned(),
                fs::read(dir.join(&f)).unwrap(),
            )
        })
        .collect();
    (files, temps)
}

/// About 14 MB of records with chrome, and a few blank lines: SIGINT lets the batches in flight
/// finish (at most four of about 2 MB), so a run stops well before the end.
fn jsonl_records() -> String {
    let mut input = String::new();
    for i in 0..4000 {
        let mut text = String::new();
        for j in 0..40 {
            text.push_str(&format!(
                "Paragraph {j} of record {i}: the council met and the vote was close.\n"
            ));
            if j % 15 == 7 {
                text.push_str("Advertisement\n");
            }
        }
        input.push_str(&format!(
            "{{\"id\":{i},\"text\":{},\"meta\":{{\"n\":[{i},1.5,null]}}}}\n",
            serde_json::to_string(&text).unwrap()
        ));
        if i % 500 == 499 {
            input.push('\n');
        }
    }
    input
}

/// `clean --jsonl IN` to standard output, killed half-way: what reached stdout is a prefix of an
/// uninterrupted run's output. After SIGINT it ends with a whole record and the run exits 130 saying
/// it was interrupted; after SIGKILL the last record may be cut short. (A stream cannot be resumed:
/// rerun the job, or write files with `-o` to resume with `--skip-existing`.)
#[test]
fn killed_jsonl_runs_to_stdout_write_a_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(&d.join("in.jsonl"), jsonl_records());
    let args = ["clean", "--jsonl", "in.jsonl", "-j", "1", "-q"];
    let r = run_in(d, &args, b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let reference = r.stdout;
    for signal in ["KILL", "INT"] {
        let path = d.join(format!("stdout-{signal}"));
        let child = Command::new(bin())
            .args(args)
            .current_dir(d)
            .stdin(Stdio::null())
            .stdout(fs::File::create(&path).unwrap())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = signal_when(child, signal, || fs::metadata(&path).unwrap().len() > 0);
        let got = fs::read(&path).unwrap();
        eprintln!(
            "SIG{signal}: {} of {} bytes written",
            got.len(),
            reference.len()
        );
        assert!(
            !got.is_empty() && got.len() < reference.len(),
            "SIG{signal} did not interrupt the run ({} bytes written)",
            got.len()
        );
        assert!(
            reference.starts_with(&got),
            "not a prefix of the uninterrupted output"
        );
        if signal == "INT" {
            assert_eq!(out.status.code(), Some(130));
            assert_eq!(String::from_utf8_lossy(&out.stderr), INTERRUPTED);
            assert!(got.ends_with(b"\n"), "a record was cut short");
        } else {
            assert_eq!(out.status.signal(), Some(libc::SIGKILL));
        }
    }
}

/// `clean --jsonl IN -o OUT --shard-size N` killed half-way leaves only complete shards, each equal
/// to the same shard of an uninterrupted run; a rerun with `--skip-existing` keeps them (same
/// inode: not rewritten) and writes the rest, and the result equals the uninterrupted run's.
#[test]
fn killed_jsonl_runs_leave_only_complete_shards() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(&d.join("in.jsonl"), jsonl_records());
    let args = |out: &str| -> Vec<String> {
        [
            "clean",
            "--jsonl",
            "in.jsonl",
            "-o",
            out,
            "--shard-size",
            "125",
            "-j",
            "1",
            "-q",
        ]
        .map(String::from)
        .to_vec()
    };
    let r = run_in(d, &argv(&args("ref")), b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (reference, _) = shards(&d.join("ref"));
    assert_eq!(reference.len(), 32);
    for signal in ["KILL", "INT"] {
        let out = d.join(format!("out-{signal}"));
        let o = out.to_string_lossy().into_owned();
        let killed = interrupt(d, &argv(&args(&o)), signal, || {
            out.is_dir() && !shards(&out).0.is_empty()
        });
        let (present, temps) = shards(&out);
        eprintln!(
            "SIG{signal}: {} of {} shards written, {} temporaries",
            present.len(),
            reference.len(),
            temps.len()
        );
        match (&killed, signal) {
            (Ok(()), "KILL") => {}
            (Err(stderr), "INT") => assert_eq!(stderr, INTERRUPTED),
            _ => panic!("SIG{signal}: {killed:?}"),
        }
        assert!(
            present.len() < reference.len(),
            "SIG{signal} came too late to interrupt the run ({} shards written)",
            present.len()
        );
        // The shards present are the first ones, each complete.
        assert_eq!(
            present.iter().map(|s| &s.0).collect::<Vec<_>>(),
            reference[..present.len()]
                .iter()
                .map(|s| &s.0)
                .collect::<Vec<_>>()
        );
        for (shard, want) in present.iter().zip(&reference) {
            assert!(shard.1 == want.1, "{} is not the complete shard", shard.0);
        }
        // SIGINT removes the shard in progress; SIGKILL may leave its temporary.
        let allowed = if signal == "INT" { 0 } else { 1 };
        assert!(temps.len() <= allowed, "temporaries left: {temps:?}");
        let first = fs::metadata(out.join("part-00000.jsonl")).unwrap().ino();
        let mut rerun = args(&o);
        rerun.push("--skip-existing".into());
        let r = run_in(d, &argv(&rerun), b"");
        assert_eq!(r.code, 0, "{}", r.stderr);
        let (after, temps_after) = shards(&out);
        assert!(
            after == reference,
            "the resumed output differs from an uninterrupted run"
        );
        assert_eq!(
            temps_after, temps,
            "the rerun leaves no temporary of its own"
        );
        assert_eq!(
            fs::metadata(out.join("part-00000.jsonl")).unwrap().ino(),
            first,
            "an existing shard was rewritten"
        );
    }
}

/// The property "check finds nothing in clean's output", through the binary: 300 documents made of
/// the built-in set's own phrases, prose, blank lines, CRLF and stray bytes are cleaned as a tree,
/// and `check` on the output tree finds nothing.
#[test]
fn check_finds_nothing_in_cleans_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut pieces: Vec<Vec<u8>> = PatternSet::builtin()
        .unwrap()
        .literals()
        .into_iter()
        .map(String::into_bytes)
        .collect();
    for p in [
        &b"The council met on Tuesday and the vote was close."[..],
        b"Comments",
        b"Advertisement",
        b"Home",
        b"News",
        b". ",
        b"! ",
        b" ",
        b"\n",
        b"\n",
        b"\n",
        b"\r\n",
        b"\n\n",
        b"\xE2\x80\xA2 ",
        b"\xFF",
    ] {
        pieces.push(p.to_vec());
    }
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for i in 0..300 {
        let n = 1 + next() % 40;
        let doc: Vec<u8> = (0..n)
            .flat_map(|_| pieces[(next() % pieces.len() as u64) as usize].clone())
            .collect();
        write(&d.join(format!("in/{i:03}.txt")), doc);
    }
    let r = run_in(d, &["clean", "--no-config", "in", "-o", "out", "-q"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run_in(d, &["check", "--no-config", "out"], b"");
    assert_eq!((r.code, r.stdout_str()), (0, String::new()), "{}", r.stderr);
}

/// A document whose every removal exposes more chrome is refused after a bounded number of passes,
/// by `clean` and `check` alike.
#[test]
fn a_document_that_never_settles_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        &d.join("tail1.toml"),
        "[[rule]]\nid = \"t.tail1\"\nfamily = \"comments\"\nscope = \"tail\"\n\
         phrases = [\"comments\"]\nmax_lines = 1\n",
    );
    let input = format!("{}\n{}", "Body text. ".repeat(10), "Comments\n".repeat(9));
    write(&d.join("doc.txt"), &input);
    let own = [
        "--no-config",
        "--no-default-patterns",
        "--patterns",
        "tail1.toml",
    ];
    let r = run_in(d, &[&["clean"][..], &own, &["doc.txt"]].concat(), b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout_str(), input);
    assert_eq!(
        timing_free(&r.stderr),
        "doc.txt: refused: cleaning did not settle after 8 passes; left unchanged\n"
    );
    let r = run_in(d, &[&["check"][..], &own, &["doc.txt"]].concat(), b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout_str(), "");
    assert_eq!(
        timing_free(&r.stderr),
        "doc.txt:2:1: t.tail1: note: cleaning did not settle after 8 passes (each removal exposed \
         more chrome); document left unchanged\n\
         doc.txt: refused: cleaning did not settle after 8 passes; left unchanged\n\
         dechrome: checked 1 file: no findings, 1 refused\n"
    );
    // One comment line fewer settles within the bound.
    let input = format!("{}\n{}", "Body text. ".repeat(10), "Comments\n".repeat(8));
    let r = run_in(d, &[&["clean"][..], &own].concat(), input.as_bytes());
    assert_eq!(r.stdout_str(), format!("{}\n", "Body text. ".repeat(10)));
}
