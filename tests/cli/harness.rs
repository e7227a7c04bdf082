//! Running the binary and locating test data, and the setup the CLI tests share: a run with only a
//! test's own rules, and a run's output as text.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The result of one run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl From<std::process::Output> for Run {
    fn from(out: std::process::Output) -> Self {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: out.stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Run {
    pub fn stdout_str(&self) -> String {
        String::from_utf8(self.stdout.clone()).expect("utf-8 stdout")
    }
}

/// One run of the binary, its output as text (for tests that compare stdout as a string).
#[derive(Debug)]
pub struct TextRun {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Run> for TextRun {
    fn from(run: Run) -> Self {
        TextRun {
            code: run.code,
            stdout: run.stdout_str(),
            stderr: run.stderr,
        }
    }
}

/// Runs `dechrome ARGS` in `dir` with `stdin` as its input, its output as text.
pub fn dechrome_with_stdin(dir: &Path, args: &[&str], stdin: &[u8]) -> TextRun {
    run_in(dir, args, stdin).into()
}

/// Runs `dechrome ARGS` in `dir` with empty input, its output as text.
pub fn dechrome(dir: &Path, args: &[&str]) -> TextRun {
    dechrome_with_stdin(dir, args, b"")
}

/// The file a test's own rules are written to, in the directory the binary runs in.
pub const RULES_FILE: &str = "rules.toml";

/// Options that make a run use only [`RULES_FILE`]: no built-in set, no configuration file, so
/// that expected outputs do not move when the built-in set grows or a `dechrome.toml` is near.
pub const OWN_RULES: [&str; 4] = [
    "--no-config",
    "--no-default-patterns",
    "--patterns",
    RULES_FILE,
];

/// `CMD` (a subcommand, or a subcommand and its own, such as `patterns list`), the options of
/// [`OWN_RULES`], then `extra`.
pub fn own_args<'a>(cmd: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a: Vec<&str> = cmd.split(' ').collect();
    a.extend(OWN_RULES);
    a.extend_from_slice(extra);
    a
}

/// Writes `rules` to `dir/`[`RULES_FILE`] and runs `dechrome CMD` there with only those rules,
/// then `args`, with `stdin`.
pub fn run_with_rules(dir: &Path, cmd: &str, rules: &str, args: &[&str], stdin: &[u8]) -> Run {
    std::fs::write(dir.join(RULES_FILE), rules).unwrap();
    run_in(dir, &own_args(cmd, args), stdin)
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `dechrome ARGS` in `dir` with `stdin`.
pub fn run_in(dir: &Path, args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dechrome"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn dechrome");
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait for dechrome");
    writer.join().unwrap();
    Run::from(out)
}

/// Runs `dechrome ARGS` at the repository root.
pub fn run(args: &[&str], stdin: &[u8]) -> Run {
    run_in(&root(), args, stdin)
}

/// The shared seeds directory, or `None` (a skip) outside CI when it is missing.
pub fn seeds() -> Option<PathBuf> {
    let dir = root().join("../shared/seeds");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("../shared/seeds is missing under CI");
    }
    eprintln!("skipping: ../shared/seeds not found");
    None
}

/// Writes files (path relative to `dir`, contents), creating directories.
pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// `stderr` with the timing of the summary (`..., 0.01 s, 1.2 MB/s`) replaced by `<time>`.
pub fn untimed(stderr: &str) -> String {
    stderr
        .lines()
        .map(|l| match l.find(" out, ") {
            Some(i) if l.starts_with("dechrome: ") && l.ends_with(" MB/s") => {
                format!("{}<time>\n", &l[..i + " out, ".len()])
            }
            _ => format!("{l}\n"),
        })
        .collect()
}
