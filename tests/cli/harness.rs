//! Running the binary and locating test data.

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
