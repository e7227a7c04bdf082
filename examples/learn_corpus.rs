//! Writes a generated corpus for `dechrome learn` (fake sites, recurring chrome, generated prose):
//!
//!     cargo run --release --example learn_corpus -- DIR DOCS_PER_SITE [SEED] [--split TRAIN]
//!
//! Documents `0..DOCS_PER_SITE` of every site go to `DIR/corpus/SITE/NNNNNN.txt`. With
//! `--split TRAIN`, documents below TRAIN go to `DIR/train/` and the rest to `DIR/test/`, with the
//! article alone (what cleaning must leave) in `DIR/expected/`. One document in ten carries a chrome
//! line too rare to learn.

#[path = "../tests/cli/learn_corpus.rs"]
mod learn_corpus;

use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: learn_corpus DIR DOCS_PER_SITE [SEED] [--split TRAIN]";
    let dir = PathBuf::from(args.first().expect(usage));
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).expect(usage);
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let split: Option<usize> = args
        .iter()
        .position(|a| a == "--split")
        .map(|i| args.get(i + 1).and_then(|s| s.parse().ok()).expect(usage));
    let mut chrome = 0;
    for (site, s) in learn_corpus::SITES.iter().enumerate() {
        for i in 0..n {
            let d = learn_corpus::document(seed, site, i, true);
            let name = format!("{}/{i:06}.txt", s.name);
            let part = match split {
                None => "corpus",
                Some(t) if i < t => "train",
                Some(_) => {
                    let p = dir.join("expected").join(&name);
                    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                    std::fs::write(p, &d.expected).unwrap();
                    chrome += d.chrome_lines;
                    "test"
                }
            };
            let p = dir.join(part).join(&name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, &d.text).unwrap();
        }
    }
    if split.is_some() {
        eprintln!("chrome lines in test documents: {chrome}");
    }
}
