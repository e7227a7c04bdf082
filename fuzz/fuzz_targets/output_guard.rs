//! Arbitrary bytes as a small tree of directories, files, symbolic links and hard links, a few
//! inputs and an output (a directory to mirror into, or one file), run through the output guard
//! and the writers of `dechrome::output` as `clean -o`, `--stats` and `learn -o` use them. Whatever
//! the guard accepts is written; afterwards no input file may have changed or vanished.

#![no_main]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use dechrome::output::{self, OutputGuard};
use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &["a", "b", "s", "a.txt", "out", "part-00000.jsonl", "..", "."];

/// A relative path of one to three names, from the next bytes.
fn path(bytes: &mut impl Iterator<Item = u8>) -> String {
    let n = 1 + bytes.next().unwrap_or(0) as usize % 3;
    (0..n)
        .map(|_| NAMES[bytes.next().unwrap_or(0) as usize % NAMES.len()])
        .collect::<Vec<_>>()
        .join("/")
}

/// Every regular file below `root` (links not followed), by path, with its bytes.
fn files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let t = e.file_type().unwrap();
            if t.is_dir() {
                stack.push(e.path());
            } else if t.is_file() {
                out.insert(e.path(), std::fs::read(e.path()).unwrap_or_default());
            }
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    static N: AtomicU64 = AtomicU64::new(0);
    let root = std::env::temp_dir().join(format!(
        "dechrome-fuzz-guard-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let root = root.canonicalize().unwrap();
    let mut bytes = data.iter().copied();
    let entries = bytes.next().unwrap_or(0) % 10;
    for _ in 0..entries {
        let kind = bytes.next().unwrap_or(0) % 4;
        let p = root.join(path(&mut bytes));
        let _ = std::fs::create_dir_all(p.parent().unwrap());
        let _ = match kind {
            0 => std::fs::create_dir_all(&p),
            1 => std::fs::write(&p, b"input\n"),
            2 => std::os::unix::fs::symlink(root.join(path(&mut bytes)), &p),
            _ => std::fs::hard_link(root.join(path(&mut bytes)), &p),
        };
    }
    let inputs: Vec<PathBuf> = (0..1 + bytes.next().unwrap_or(0) % 2)
        .map(|_| root.join(path(&mut bytes)))
        .collect();
    let out = root.join(path(&mut bytes));
    let mode = bytes.next().unwrap_or(0) % 2;
    let rel = PathBuf::from(path(&mut bytes));
    let before = files(&root);
    let watched: Vec<PathBuf> = before
        .keys()
        .filter(|f| {
            inputs
                .iter()
                .any(|i| i.canonicalize().is_ok_and(|r| f.starts_with(&r)))
        })
        .cloned()
        .collect();
    let guard = OutputGuard::new(&inputs);
    if mode == 0 {
        if guard.check_dir(&out).is_ok() {
            let _ = output::write_renamed(&guard, &out, &rel, b"output\n");
        }
    } else {
        let _ = output::write_atomic(&guard, &out, b"output\n");
    }
    for f in &watched {
        assert_eq!(
            std::fs::read(f).ok().as_deref(),
            Some(&before[f][..]),
            "input {} changed; inputs {inputs:?}, output {out:?} {rel:?}",
            f.display()
        );
    }
    let _ = std::fs::remove_dir_all(&root);
});
