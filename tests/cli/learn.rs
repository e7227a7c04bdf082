//! `dechrome learn`: learn on part of a generated corpus, clean the rest with the learned file only.

use std::path::Path;

use crate::harness::{Run, run_in};
use crate::learn_corpus::{self, SITES};

fn dechrome(dir: &Path, args: &[&str]) -> Run {
    run_in(dir, args, b"")
}

fn stdout(o: &Run) -> String {
    o.stdout_str()
}

fn stderr(o: &Run) -> String {
    o.stderr.clone()
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const SEED: u64 = 7;

#[test]
fn learned_file_cleans_held_out_documents_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    learn_corpus::write_tree(&dir.join("train"), SEED, 0..40, false);
    learn_corpus::write_tree(&dir.join("test"), SEED, 40..60, false);
    let o = dechrome(
        dir,
        &[
            "learn",
            "train",
            "-o",
            "learned.toml",
            "--no-default-patterns",
        ],
    );
    assert_eq!(Some(o.code), Some(0), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "dechrome: 120 documents in 3 groups: 23 rules written to learned.toml, 3 held back as prose, 0 already covered\n"
    );
    let list = dechrome(
        dir,
        &[
            "patterns",
            "list",
            "--no-default-patterns",
            "--patterns",
            "learned.toml",
        ],
    );
    assert_eq!(Some(list.code), Some(0), "{}", stderr(&list));
    assert_eq!(stdout(&list), include_str!("learn_split_rules.txt"));
    let o = dechrome(
        dir,
        &[
            "clean",
            "test",
            "-o",
            "out",
            "--no-default-patterns",
            "--patterns",
            "learned.toml",
        ],
    );
    assert_eq!(Some(o.code), Some(0), "{}", stderr(&o));
    assert_eq!(
        crate::harness::untimed(&stderr(&o)),
        "dechrome: 60 files: 60 cleaned, 0 unchanged, 0 refused, 0 failed\n\
         dechrome: 96.5 kB in, 74.4 kB out, <time>\n\
         dechrome: removals: ad 30, caption 10, copyright 60, newsletter 38, other 126, related 10, share 80, support-appeal 28\n"
    );
    for (site, s) in SITES.iter().enumerate() {
        for i in 40..60 {
            let doc = learn_corpus::document(SEED, site, i, false);
            let got =
                std::fs::read_to_string(dir.join(format!("out/{}/{i:06}.txt", s.name))).unwrap();
            assert_eq!(got, doc.expected, "{} document {i}", s.name);
        }
    }
}

#[test]
fn same_corpus_gives_the_same_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    learn_corpus::write_tree(&dir.join("c"), SEED, 0..30, true);
    let a = dechrome(dir, &["learn", "c", "-o", "a.toml", "-j", "1", "-q"]);
    let b = dechrome(dir, &["learn", "c", "-o", "b.toml", "-j", "2", "-q"]);
    assert_eq!((Some(a.code), Some(b.code)), (Some(0), Some(0)));
    assert_eq!(stderr(&a), "");
    let a = std::fs::read(dir.join("a.toml")).unwrap();
    assert!(a.len() > 1000);
    assert_eq!(a, std::fs::read(dir.join("b.toml")).unwrap());
}

#[test]
fn corpus_without_repeats_yields_no_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut rng = learn_corpus::Rng::new(3);
    for site in ["a", "b"] {
        for i in 0..20 {
            let text = format!(
                "{}\n\n{}\n",
                learn_corpus::paragraph(&mut rng),
                learn_corpus::paragraph(&mut rng)
            );
            write(&dir.join(format!("c/{site}/{i}.txt")), &text);
        }
    }
    let o = dechrome(dir, &["learn", "c", "-o", "none.toml", "--report"]);
    assert_eq!(Some(o.code), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "a: 20 documents, 0 rules; findings recur in at least 5 documents\n  (none)\n\
         b: 20 documents, 0 rules; findings recur in at least 5 documents\n  (none)\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("none.toml")).unwrap(),
        "# Learned by `dechrome learn` from 40 documents in 2 groups (min_docs = 5, min_share = 0.2, prose_share = 0.5): 0 rules.\n\
         # Review before use: delete rules that match article text and correct guessed\n\
         # families, then clean with `--patterns THIS_FILE`.\n"
    );
}

/// Six short documents per site: chrome lines around one unique line each.
fn small_corpus(dir: &Path) {
    let mut rng = learn_corpus::Rng::new(11);
    for i in 0..6 {
        let body = learn_corpus::sentence(&mut rng);
        let extra = if i < 2 { "Advertisement\n" } else { "" };
        write(
            &dir.join(format!("c/alpha/{i}.txt")),
            &format!(
                "Share this story\nShare on Facebook\n\n{body}\n{extra}Advertisement\n\u{A9} 202{i} Alpha News\n"
            ),
        );
        let body = learn_corpus::paragraph(&mut rng);
        let tail = if i < 3 { "Read more from Beta\n" } else { "" };
        write(
            &dir.join(format!("c/beta/{i}.txt")),
            &format!("{body}\n{tail}"),
        );
    }
}

#[test]
fn report_lists_candidates_with_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    small_corpus(dir);
    // Coverage is judged against an explicit set, so the test does not move with the built-in one.
    write(
        &dir.join("known.toml"),
        "[[rule]]\nid = \"known.ad\"\nfamily = \"ad\"\nscope = \"line\"\nphrases = [\"Advertisement\"]\n",
    );
    let o = dechrome(
        dir,
        &[
            "learn",
            "c",
            "--report",
            "--min-docs",
            "3",
            "-q",
            "--no-default-patterns",
            "--patterns",
            "known.toml",
        ],
    );
    assert_eq!(Some(o.code), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "alpha: 6 documents, 2 rules; findings recur in at least 3 documents\n\
        \x20   docs  share  scope    family         status  text\n\
        \x20      6 100.0%  line     copyright      new     regex \"^[^\\\\w\\\\n]*© \\\\d+(?:[.,:/-]\\\\d+)*(?:st|nd|rd|th)? alpha news[^\\\\w\\\\n]*$\"\n\
        \x20      6 100.0%  line     ad             covered \"advertisement\" (by known.ad)\n\
        \x20      6 100.0%  block    share          new     \"share this story\" .. \"share on facebook\" (2 lines)\n\
        beta: 6 documents, 1 rules; findings recur in at least 3 documents\n\
        \x20   docs  share  scope    family         status  text\n\
        \x20      3  50.0%  line     related        new     \"read more from beta\"\n"
    );
}

#[test]
fn learns_jsonl_grouped_by_field_and_by_url_host() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut lines = String::new();
    let mut rng = learn_corpus::Rng::new(5);
    for i in 0..10 {
        let (domain, url) = if i % 2 == 0 {
            ("north", format!("https://www.north.example/story/{i}"))
        } else {
            ("south", format!("http://South.example:8080/{i}"))
        };
        let text = format!(
            "{}\nThe {domain} desk wishes you a good day\n{}\n",
            learn_corpus::sentence(&mut rng),
            learn_corpus::paragraph(&mut rng)
        );
        let rec = serde_json::json!({"id": format!("doc-{i}"), "domain": domain, "url": url, "text": text});
        lines.push_str(&rec.to_string());
        lines.push('\n');
    }
    write(&dir.join("c.jsonl"), &lines);
    let o = dechrome(
        dir,
        &[
            "learn",
            "c.jsonl",
            "--group-by",
            "field:domain",
            "-o",
            "f.toml",
            "-q",
        ],
    );
    assert_eq!(Some(o.code), Some(0), "{}", stderr(&o));
    let want = |north: &str, south: &str| {
        format!(
            "# Learned by `dechrome learn` from 10 documents in 2 groups (min_docs = 5, min_share = 0.2, prose_share = 0.5): 2 rules.\n\
             # Review before use: delete rules that match article text and correct guessed\n\
             # families, then clean with `--patterns THIS_FILE`.\n\
             \n# Group \"{north}\": 5 documents, 1 rules (each recurs in at least 5 documents).\n\
             \n# In 5 of 5 documents (100.0%); e.g. doc-0, doc-2\n\
             [[rule]]\nid = \"learned.{n}.1\"\nfamily = \"other\"\nscope = \"line\"\npublisher = \"{north}\"\n\
             phrases = [\"the north desk wishes you a good day\"]\n\
             \n# Group \"{south}\": 5 documents, 1 rules (each recurs in at least 5 documents).\n\
             \n# In 5 of 5 documents (100.0%); e.g. doc-1, doc-3\n\
             [[rule]]\nid = \"learned.{s}.1\"\nfamily = \"other\"\nscope = \"line\"\npublisher = \"{south}\"\n\
             phrases = [\"the south desk wishes you a good day\"]\n",
            n = north.replace('.', "-"),
            s = south.replace('.', "-"),
        )
    };
    assert_eq!(
        std::fs::read_to_string(dir.join("f.toml")).unwrap(),
        want("north", "south")
    );
    let o = dechrome(
        dir,
        &[
            "learn",
            "c.jsonl",
            "--group-by",
            "url-host:url",
            "-o",
            "u.toml",
            "-q",
        ],
    );
    assert_eq!(Some(o.code), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(dir.join("u.toml")).unwrap(),
        want("north.example", "south.example")
    );
    // The same records gzip-compressed, found by the default glob in a directory, learn the same
    // rules.
    std::fs::create_dir(dir.join("gz")).unwrap();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut enc, lines.as_bytes()).unwrap();
    std::fs::write(dir.join("gz/c.jsonl.gz"), enc.finish().unwrap()).unwrap();
    let o = dechrome(
        dir,
        &[
            "learn",
            "gz",
            "--group-by",
            "field:domain",
            "-o",
            "g.toml",
            "-q",
        ],
    );
    assert_eq!(Some(o.code), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(dir.join("g.toml")).unwrap(),
        want("north", "south")
    );
}

#[test]
fn skipped_inputs_fail_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    small_corpus(dir);
    std::fs::write(dir.join("c/alpha/zz.txt"), b"\x00\x01binary\x00").unwrap();
    let o = dechrome(
        dir,
        &[
            "learn",
            "c",
            "--min-docs",
            "3",
            "--no-default-patterns",
            "-o",
            "f.toml",
            "-q",
        ],
    );
    assert_eq!(o.code, 2);
    assert_eq!(
        stderr(&o),
        format!(
            "dechrome: warning: {}: binary file skipped\n",
            Path::new("c/alpha/zz.txt").display()
        )
    );
    // The rules learned from the rest are still written.
    assert!(
        std::fs::read_to_string(dir.join("f.toml"))
            .unwrap()
            .contains("[[rule]]")
    );
}

#[test]
fn usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(&dir.join("c/a/1.txt"), "x\n");
    let cases: &[(&[&str], &str)] = &[
        (
            &["learn", "c"],
            "dechrome: error: learn needs -o FILE.toml, --report, or both\n",
        ),
        (
            &["learn", "-", "--report"],
            "dechrome: error: learn reads its input twice and cannot read stdin; give files or directories\n",
        ),
        (
            &["learn", "c", "--report", "--group-by", "domain"],
            "dechrome: error: --group-by domain: expected dir, field:NAME, url-host:NAME or url-host (WARC)\n",
        ),
        (
            &["learn", "c", "--report", "--min-share", "2"],
            "dechrome: error: --min-share must be between 0 and 1, got 2\n",
        ),
        (
            &["learn", "c/a/1.txt", "--report"],
            "dechrome: error: c/a/1.txt: --group-by dir groups the files of directory inputs; give a directory, or --group-by field:NAME for JSONL\n",
        ),
    ];
    for (args, want) in cases {
        let o = dechrome(dir, args);
        assert_eq!(
            (Some(o.code), stderr(&o).as_str()),
            (Some(2), *want),
            "{args:?}"
        );
    }
}
