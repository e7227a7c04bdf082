//! Property of the output guard: for random trees of directories, files, symbolic links and hard
//! links, and random input and output arguments of `clean -o` (with `--stats` and `--jsonl`
//! shards now and then), no input byte ever changes and no input disappears, whatever the run
//! decides to write or refuse. Kept to a few dozen runs of the binary so that it stays fast.

use std::collections::BTreeMap;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use proptest::prelude::*;

/// One entry of a generated tree.
#[derive(Debug, Clone)]
enum Entry {
    Dir(String),
    File(String, usize),
    Link(String, String),
    HardLink(String, String),
}

/// Names the entries use: few, so that paths meet and overlap.
const NAMES: &[&str] = &["a", "b", "s", "a.txt", "b.txt", "out", "part-00000.jsonl"];

fn rel_path() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(NAMES), 1..4).prop_map(|v| v.join("/"))
}

fn entry() -> impl Strategy<Value = Entry> {
    prop_oneof![
        rel_path().prop_map(Entry::Dir),
        (rel_path(), 0..4usize).prop_map(|(p, n)| Entry::File(p, n)),
        (rel_path(), rel_path()).prop_map(|(p, t)| Entry::Link(p, t)),
        (rel_path(), rel_path()).prop_map(|(p, t)| Entry::HardLink(p, t)),
    ]
}

const TEXTS: &[&str] = &[
    "The council met on Tuesday.\nAdvertisement\n",
    "{\"text\":\"Body.\\nShare this article\\n\"}\n",
    "Share\n",
    "",
];

/// Builds the tree below `root`; entries that cannot be made (a parent is a file) are left out.
fn build(root: &Path, entries: &[Entry]) {
    for e in entries {
        let _ = match e {
            Entry::Dir(p) => std::fs::create_dir_all(root.join(p)),
            Entry::File(p, n) => {
                let p = root.join(p);
                std::fs::create_dir_all(p.parent().unwrap())
                    .and_then(|_| std::fs::write(&p, TEXTS[*n]))
            }
            Entry::Link(p, t) => {
                let p = root.join(p);
                std::fs::create_dir_all(p.parent().unwrap()).and_then(|_| {
                    let depth = p.strip_prefix(root).unwrap().components().count() - 1;
                    symlink(format!("{}{t}", "../".repeat(depth)), &p)
                })
            }
            Entry::HardLink(p, t) => {
                let p = root.join(p);
                std::fs::create_dir_all(p.parent().unwrap())
                    .and_then(|_| std::fs::hard_link(root.join(t), &p))
            }
        };
    }
}

/// Every regular file below `root` (links not followed), by path, with its bytes.
fn files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect()
}

/// The files the inputs name: each input file (through a link) and every file below each input
/// directory (through the link the input names, not through links inside it), canonical.
fn input_files(root: &Path, inputs: &[String]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for i in inputs {
        let Ok(real) = root.join(i).canonicalize() else {
            continue;
        };
        if real.is_file() {
            out.push(real);
        } else {
            for e in walkdir::WalkDir::new(&real).into_iter().flatten() {
                if e.file_type().is_file() {
                    out.push(e.path().to_path_buf());
                }
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn no_input_byte_ever_changes(
        entries in prop::collection::vec(entry(), 1..12),
        inputs in prop::collection::vec(rel_path(), 1..3),
        output in rel_path(),
        stats in prop::option::of(rel_path()),
        jsonl in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        build(&root, &entries);
        let before = files(&root);
        let watched = input_files(&root, &inputs);
        // A one-rule set: building the built-in one would take most of the time.
        let rules = dir.path().join("..").join(format!(
            "{}.rules.toml",
            dir.path().file_name().unwrap().to_string_lossy()
        ));
        std::fs::write(
            &rules,
            "[[rule]]\nid = \"t.ad\"\nfamily = \"ad\"\nscope = \"line\"\nphrases = [\"advertisement\"]\n",
        )
        .unwrap();
        let mut args: Vec<String> = vec![
            "clean".into(),
            "-q".into(),
            "--no-config".into(),
            "--no-default-patterns".into(),
            "--patterns".into(),
            rules.display().to_string(),
        ];
        if jsonl {
            args.extend(["--jsonl".into(), "--on-error".into(), "keep".into()]);
        }
        args.extend(inputs.iter().cloned());
        args.extend(["-o".into(), output.clone()]);
        if let Some(s) = &stats {
            args.extend(["--stats".into(), s.clone()]);
        }
        let status = Command::new(env!("CARGO_BIN_EXE_dechrome"))
            .args(&args)
            .current_dir(&root)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        let _ = std::fs::remove_file(&rules);
        prop_assert!(status.code().is_some(), "ended by a signal: {args:?}");
        for f in &watched {
            let old = &before[f];
            let now = std::fs::read(f);
            prop_assert!(
                now.as_ref().is_ok_and(|b| b == old),
                "input {} changed or vanished; args {args:?}, entries {entries:?}",
                f.display()
            );
        }
    }
}
