//! The hooks of `.pre-commit-hooks.yaml`, run by the real pre-commit framework.
//!
//! A snapshot of this repository's working tree (the files git would commit) becomes a one-commit
//! hook repository; a second temporary repository holds a small corpus and a
//! `.pre-commit-config.yaml` pointing at it. pre-commit builds the hook with `cargo install`, as
//! for any user, but offline (the crates are in the local registry cache once this repository has
//! been built) and into a shared target directory, so only dechrome itself is compiled again.
//!
//! pre-commit is found through `DECHROME_PRE_COMMIT`, then `.ci/venv/bin/pre-commit` (made by
//! `.ci/run`), then `PATH`. Without it the test is skipped, except under `CI=true` where it fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::harness::{root, write_files};

/// The pre-commit executable, if there is one that runs.
fn find_pre_commit() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("DECHROME_PRE_COMMIT").map(PathBuf::from),
        Some(root().join(".ci/venv/bin/pre-commit")),
        Some(PathBuf::from("pre-commit")),
    ];
    candidates.into_iter().flatten().find(|p| {
        Command::new(p)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Environment shared by every git and pre-commit process of the test: no user or system git
/// configuration, a fixed identity and date (so the snapshot commit is reproducible), a private
/// pre-commit cache, and an offline cargo building into a target directory kept between runs.
fn env(work: &Path) -> Vec<(&'static str, PathBuf)> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    let fixed = |s: &str| PathBuf::from(s);
    vec![
        ("GIT_CONFIG_GLOBAL", work.join("gitconfig")),
        ("GIT_CONFIG_NOSYSTEM", fixed("1")),
        ("GIT_AUTHOR_NAME", fixed("dechrome test")),
        ("GIT_AUTHOR_EMAIL", fixed("test@example.invalid")),
        ("GIT_AUTHOR_DATE", fixed("2026-01-01T00:00:00Z")),
        ("GIT_COMMITTER_NAME", fixed("dechrome test")),
        ("GIT_COMMITTER_EMAIL", fixed("test@example.invalid")),
        ("GIT_COMMITTER_DATE", fixed("2026-01-01T00:00:00Z")),
        ("PRE_COMMIT_HOME", work.join("pre-commit-home")),
        ("CARGO_NET_OFFLINE", fixed("true")),
        ("CARGO_TARGET_DIR", target.join("pre-commit")),
        // The hook only has to run on a few lines: compile it quickly rather than make it fast.
        ("CARGO_PROFILE_RELEASE_OPT_LEVEL", fixed("0")),
        ("CARGO_TERM_COLOR", fixed("never")),
    ]
}

fn run(program: &Path, args: &[&str], dir: &Path, work: &Path) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .envs(env(work))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()))
}

fn git(args: &[&str], dir: &Path, work: &Path) -> String {
    let out = run(Path::new("git"), args, dir, work);
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Copies the files git would commit (tracked or new, not ignored) into a new one-commit
/// repository at `dest`; returns the commit id.
fn snapshot(dest: &Path, work: &Path) -> String {
    let root = &root();
    // This repository is read with the user's own git configuration (which may be needed to
    // trust a checkout owned by someone else); only the temporary repositories are isolated.
    let listed = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root)
        .output()
        .expect("git runs");
    assert!(
        listed.status.success(),
        "git ls-files: {}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let list = String::from_utf8(listed.stdout).unwrap();
    for rel in list.split('\0').filter(|s| !s.is_empty()) {
        let from = root.join(rel);
        if !from.is_file() {
            continue; // deleted in the working tree
        }
        let to = dest.join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap();
    }
    git(&["init", "--quiet", "--initial-branch=main"], dest, work);
    git(&["add", "--all"], dest, work);
    git(
        &[
            "commit",
            "--quiet",
            "--no-gpg-sign",
            "--message",
            "snapshot",
        ],
        dest,
        work,
    );
    git(&["rev-parse", "HEAD"], dest, work).trim().to_string()
}

const RULES: &str = r#"
[[rule]]
id = "corpus.share.bar"
family = "share"
scope = "line"
phrases = ["share this article"]

[[rule]]
id = "corpus.newsletter.signup"
family = "newsletter"
scope = "sentence"
phrases = ["sign up to our newsletter"]
"#;

const DIRTY: &str = "The river rose for a third day.\n\
Share this article\n\
Crews worked through the night. Sign up to our newsletter today! The drains held.\n";

const CLEAN: &str =
    "The river rose for a third day.\nCrews worked through the night. The drains held.\n";

/// Output of a pre-commit run, as text.
fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// pre-commit, or `None` after saying SKIPPED where `cargo test` shows it (libtest captures only
/// the print macros, so a direct write reaches the terminal even for a passing test). Under
/// `CI=true` a missing pre-commit fails the test instead.
fn pre_commit_or_skip(test: &str) -> Option<PathBuf> {
    use std::io::Write;
    let found = find_pre_commit();
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "pre-commit is missing under CI=true; .ci/run installs it into .ci/venv"
        );
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test}: pre-commit not found (run .ci/run, or set DECHROME_PRE_COMMIT); \
             this test checked nothing"
        );
    }
    found
}

/// What every hook test starts from: pre-commit (or `None` after a skip), a work directory with an
/// empty git configuration, and a snapshot of this repository as the hook repository at `rev`.
fn hook_setup(test: &str) -> Option<(PathBuf, tempfile::TempDir, PathBuf, String)> {
    let pre_commit = pre_commit_or_skip(test)?;
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path();
    std::fs::write(work.join("gitconfig"), "").unwrap();
    let hook_repo = work.join("hook-repo");
    let rev = snapshot(&hook_repo, work);
    Some((pre_commit, tmp, hook_repo, rev))
}

#[test]
fn hooks_fail_fix_and_pass_under_pre_commit() {
    let Some((pre_commit, tmp, hook_repo, rev)) =
        hook_setup("hooks_fail_fix_and_pass_under_pre_commit")
    else {
        return;
    };
    let work = tmp.path();

    let corpus = work.join("corpus");
    write_files(
        &corpus,
        &[
            (
                ".pre-commit-config.yaml",
                &format!(
                    "repos:\n- repo: {}\n  rev: {rev}\n  hooks:\n  - id: dechrome-check\n  \
                     - id: dechrome-fix\n    stages: [manual]\n",
                    hook_repo.display()
                ),
            ),
            (
                "dechrome.toml",
                "patterns = [\"rules.toml\"]\nno-default-patterns = true\ninclude = [\"articles/**\"]\n",
            ),
            ("rules.toml", RULES),
            ("articles/flood.txt", DIRTY),
            ("articles/quiet.txt", "Nothing happened in the valley.\n"),
        ],
    );
    git(&["init", "--quiet", "--initial-branch=main"], &corpus, work);
    git(&["add", "--all"], &corpus, work);

    let install = run(&pre_commit, &["install-hooks"], &corpus, work);
    assert!(
        install.status.success(),
        "pre-commit install-hooks:\n{}",
        text(&install)
    );

    let pc = |args: &[&str]| {
        let mut all = vec!["run", "--all-files", "--color", "never"];
        all.extend_from_slice(args);
        run(&pre_commit, &all, &corpus, work)
    };
    let dots = |name: &str, verdict: &str| {
        format!(
            "{name}{}{verdict}\n",
            ".".repeat(79 - name.len() - verdict.len())
        )
    };

    let failing = pc(&[]);
    assert_eq!(
        text(&failing),
        format!(
            "{}- hook id: dechrome-check\n- exit code: 1\n\n\
             articles/flood.txt:2:1: corpus.share.bar: \"Share this article\"\n\
             articles/flood.txt:3:33: corpus.newsletter.signup: \"Sign up to our newsletter today!\"\n\
             dechrome: checked 2 files: 2 findings in 1 file\n\n",
            dots("dechrome check", "Failed")
        )
    );
    assert_eq!(failing.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(corpus.join("articles/flood.txt")).unwrap(),
        DIRTY
    );

    let fixing = pc(&["--hook-stage", "manual", "dechrome-fix"]);
    assert_eq!(
        text(&fixing),
        format!(
            "{}- hook id: dechrome-fix\n- files were modified by this hook\n\n\
             articles/flood.txt:2:1: corpus.share.bar: \"Share this article\"\n\
             articles/flood.txt:3:33: corpus.newsletter.signup: \"Sign up to our newsletter today!\"\n\
             dechrome: fixed articles/flood.txt (2 findings removed)\n\
             dechrome: checked 2 files: 2 findings in 1 file, fixed 1 file\n\n",
            dots("dechrome fix", "Failed")
        )
    );
    assert_eq!(
        fixing.status.code(),
        Some(1),
        "pre-commit fails a hook that modified files"
    );
    assert_eq!(
        std::fs::read_to_string(corpus.join("articles/flood.txt")).unwrap(),
        CLEAN
    );

    let passing = pc(&[]);
    assert_eq!(text(&passing), dots("dechrome check", "Passed"));
    assert_eq!(passing.status.code(), Some(0));
}

/// The `language: system` hooks run the dechrome found on PATH: nothing is built, and they report
/// and fix as the rust hooks do.
#[test]
fn system_hooks_use_the_dechrome_on_path() {
    let Some((pre_commit, tmp, hook_repo, rev)) =
        hook_setup("system_hooks_use_the_dechrome_on_path")
    else {
        return;
    };
    let work = tmp.path();
    let corpus = work.join("corpus");
    write_files(
        &corpus,
        &[
            (
                ".pre-commit-config.yaml",
                &format!(
                    "repos:\n- repo: {}\n  rev: {rev}\n  hooks:\n  - id: dechrome-check-system\n  \
                     - id: dechrome-fix-system\n    stages: [manual]\n",
                    hook_repo.display()
                ),
            ),
            (
                "dechrome.toml",
                "patterns = [\"rules.toml\"]\nno-default-patterns = true\ninclude = [\"articles/**\"]\n",
            ),
            ("rules.toml", RULES),
            ("articles/flood.txt", DIRTY),
        ],
    );
    git(&["init", "--quiet", "--initial-branch=main"], &corpus, work);
    git(&["add", "--all"], &corpus, work);
    // The test's own binary comes first on PATH.
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_dechrome")).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let pc = |args: &[&str]| {
        let mut all = vec!["run", "--all-files", "--color", "never"];
        all.extend_from_slice(args);
        Command::new(&pre_commit)
            .args(&all)
            .current_dir(&corpus)
            .envs(env(work))
            .env("PATH", &path)
            .output()
            .unwrap()
    };
    let failing = pc(&[]);
    assert_eq!(failing.status.code(), Some(1), "{}", text(&failing));
    assert!(
        text(&failing).contains(
            "- hook id: dechrome-check-system\n- exit code: 1\n\n\
             articles/flood.txt:2:1: corpus.share.bar: \"Share this article\"\n"
        ),
        "{}",
        text(&failing)
    );
    let fixing = pc(&["--hook-stage", "manual", "dechrome-fix-system"]);
    assert_eq!(fixing.status.code(), Some(1), "{}", text(&fixing));
    assert_eq!(
        std::fs::read_to_string(corpus.join("articles/flood.txt")).unwrap(),
        CLEAN
    );
    assert_eq!(pc(&[]).status.code(), Some(0));
}

/// The README's snippet, as a new user would add it, in a repository that holds more than a
/// corpus: a `.pre-commit-config.yaml`, a `Cargo.toml`, Python code and an extensionless script.
/// Only the text files are reported and fixed; the others stay byte for byte.
#[test]
fn hooks_leave_configuration_and_code_alone() {
    let Some((pre_commit, tmp, hook_repo, rev)) =
        hook_setup("hooks_leave_configuration_and_code_alone")
    else {
        return;
    };
    let work = tmp.path();
    let config = format!(
        "repos:\n\
         - repo: {}   # this repository\n  \
           rev: {rev}                               # a tag or commit\n  \
           hooks:\n  \
           - id: dechrome-check                      # fail a commit that adds chrome\n  \
           - id: dechrome-fix                        # remove it: pre-commit run --hook-stage manual dechrome-fix\n    \
             stages: [manual]\n",
        hook_repo.display()
    );
    let others: &[(&str, &str)] = &[
        (".pre-commit-config.yaml", &config),
        (
            "Cargo.toml",
            "[package]\nname = \"site\"\nversion = \"0.1.0\"\n\n[dependencies]\nserde = \"1\"\n",
        ),
        (
            "tools/share.py",
            "# Share this article\nprint('Advertisement')\nprint('Follow us on Twitter')\n",
        ),
        ("tools/publish", "#!/bin/sh\necho Advertisement\n"),
    ];
    let corpus = work.join("corpus");
    write_files(&corpus, others);
    write_files(
        &corpus,
        &[
            (
                "articles/a.txt",
                "The council met on Tuesday.\nAdvertisement\n",
            ),
            ("b.txt", "Nothing happened in the valley.\n"),
        ],
    );
    git(&["init", "--quiet", "--initial-branch=main"], &corpus, work);
    git(&["add", "--all"], &corpus, work);
    let install = run(&pre_commit, &["install-hooks"], &corpus, work);
    assert!(install.status.success(), "{}", text(&install));
    let pc = |args: &[&str]| {
        let mut all = vec!["run", "--all-files", "--color", "never"];
        all.extend_from_slice(args);
        run(&pre_commit, &all, &corpus, work)
    };
    let dots = |name: &str, verdict: &str| {
        format!(
            "{name}{}{verdict}\n",
            ".".repeat(79 - name.len() - verdict.len())
        )
    };
    let failing = pc(&[]);
    assert_eq!(
        text(&failing),
        format!(
            "{}- hook id: dechrome-check\n- exit code: 1\n\n\
             articles/a.txt:2:1: generic.ad.marker: \"Advertisement\"\n\
             dechrome: checked 2 files: 1 finding in 1 file\n\n",
            dots("dechrome check", "Failed")
        )
    );
    let fixing = pc(&["--hook-stage", "manual", "dechrome-fix"]);
    assert_eq!(
        text(&fixing),
        format!(
            "{}- hook id: dechrome-fix\n- files were modified by this hook\n\n\
             articles/a.txt:2:1: generic.ad.marker: \"Advertisement\"\n\
             dechrome: fixed articles/a.txt (1 finding removed)\n\
             dechrome: checked 2 files: 1 finding in 1 file, fixed 1 file\n\n",
            dots("dechrome fix", "Failed")
        )
    );
    let read = |rel: &str| std::fs::read_to_string(corpus.join(rel)).unwrap();
    assert_eq!(read("articles/a.txt"), "The council met on Tuesday.\n");
    for (rel, bytes) in others {
        assert_eq!(read(rel), *bytes, "{rel} untouched");
    }
    let passing = pc(&[]);
    assert_eq!(text(&passing), dots("dechrome check", "Passed"));
}
