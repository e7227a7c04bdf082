use std::path::Path;

use super::*;
use crate::{PatternSetBuilder, Verdict};

/// Writes `docs` as `DIR/c/GROUP/NNNN.txt` and learns from `DIR/c`.
fn learn_docs(
    dir: &Path,
    docs: &[(&str, String)],
    opts: &LearnOptions,
    covered: Option<&PatternSet>,
) -> Learned {
    for (i, (group, text)) in docs.iter().enumerate() {
        let p = dir.join("c").join(group).join(format!("{i:04}.txt"));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let corpus = Corpus::open(&[dir.join("c")], CorpusOptions::default()).unwrap();
    learn(&corpus, opts, covered, &|_, _| {}).unwrap()
}

/// A line of words no other call returns.
fn unique(i: usize, salt: &str) -> String {
    let words = [
        "amber", "birch", "cobalt", "delta", "ember", "fjord", "garnet", "hazel", "indigo",
        "jasper",
    ];
    let mut n = i;
    let mut out = vec![salt.to_string()];
    for _ in 0..4 {
        out.push(words[n % 10].to_string());
        n /= 10;
    }
    out.push("grows".into());
    out.join(" ")
}

fn patterns(g: &GroupFindings) -> Vec<(Scope, &Pattern, u32, &Status)> {
    g.findings
        .iter()
        .map(|f| (f.scope, &f.pattern, f.docs, &f.status))
        .collect()
}

#[test]
fn thresholds() {
    let o = LearnOptions::default();
    assert_eq!(
        (
            o.threshold(0),
            o.threshold(10),
            o.threshold(40),
            o.threshold(41)
        ),
        (5, 5, 8, 9)
    );
    let o = LearnOptions {
        min_docs: 1,
        min_share: 0.0,
        prose_share: 0.5,
    };
    assert_eq!(o.threshold(1000), 1);
}

#[test]
fn counting_pass_keeps_frequent_lines_in_bounded_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let mut docs = Vec::new();
    for i in 0..1000 {
        let mut text = format!(
            "{}\n{}\n{}\n",
            unique(i, "one"),
            unique(i, "two"),
            unique(i, "three")
        );
        if i % 4 == 0 {
            text.push_str("Chrome in a quarter of the pages\n");
        }
        if i % 10 == 0 {
            text.push_str("Chrome in a tenth of the pages\n");
        }
        docs.push(("g", text));
    }
    let l = learn_docs(tmp.path(), &docs, &LearnOptions::default(), None);
    let g = &l.groups[0];
    assert_eq!(
        patterns(g),
        vec![(
            Scope::Line,
            &Pattern::Phrase("chrome in a quarter of the pages".into()),
            250,
            &Status::New
        )]
    );
    assert_eq!(
        g.findings[0].examples,
        vec!["g/0000.txt".to_string(), "g/0004.txt".to_string()]
    );
    // 3000 distinct lines were seen; lossy counting held a small fraction of them at once.
    assert!(l.peak_fingerprints < 200, "{}", l.peak_fingerprints);
    // Without a share there is no pruning: every fingerprint is held.
    let exact = LearnOptions {
        min_share: 0.0,
        min_docs: 100,
        ..LearnOptions::default()
    };
    let l = learn_docs(tmp.path(), &docs, &exact, None);
    assert_eq!(l.peak_fingerprints, 3002);
    assert_eq!(
        l.groups[0]
            .findings
            .iter()
            .map(|f| f.docs)
            .collect::<Vec<_>>(),
        vec![250, 100]
    );
}

#[test]
fn blocks_sentences_regexes_and_hold_backs() {
    let tmp = tempfile::tempdir().unwrap();
    let quote = "\"We will not stop until the last of the old mills has reopened its doors,\" she told the crowd.";
    let mut docs = Vec::new();
    for i in 0..10 {
        let mut text = String::new();
        text.push_str(&format!("Posted {} March 2024\n\n", i + 1));
        text.push_str("Share this with friends\n\nTweet\nEmail it to a friend\n\n");
        text.push_str(&format!("{}. {}.", unique(i, "alpha"), unique(i, "beta")));
        text.push_str(if i < 6 {
            " Like us on Mastodon today.\n"
        } else {
            "\n"
        });
        if i < 3 {
            text.push_str(&format!("{quote}\n"));
        }
        // Stands with the block in 8 documents of 10: under the 90% needed to merge.
        if i < 8 {
            text.push_str("Read the full series\n");
        }
        docs.push(("site", text));
    }
    let opts = LearnOptions {
        min_docs: 3,
        ..LearnOptions::default()
    };
    let l = learn_docs(tmp.path(), &docs, &opts, None);
    let g = &l.groups[0];
    let block = Pattern::Block {
        start: "share this with friends".into(),
        end: "email it to a friend".into(),
        lines: vec![
            "share this with friends".into(),
            "tweet".into(),
            "email it to a friend".into(),
        ],
        max_lines: 4,
    };
    let posted = format!(
        r"^[^\w\n]*posted {} march 2024[^\w\n]*$",
        text::key_regex(Kind::Sentence, "\u{E000}", &[])
    );
    assert_eq!(
        patterns(g),
        vec![
            (Scope::Line, &Pattern::Regex(posted), 10, &Status::New),
            (Scope::Block, &block, 10, &Status::New),
            (
                Scope::Line,
                &Pattern::Phrase("read the full series".into()),
                8,
                &Status::New
            ),
            (
                Scope::Sentence,
                &Pattern::Phrase("like us on mastodon today".into()),
                6,
                &Status::New
            ),
            (
                Scope::Line,
                &Pattern::Phrase(text::display(quote)),
                3,
                &Status::HeldBack
            ),
        ]
    );
    assert_eq!(
        g.rules().map(|(id, _)| id).collect::<Vec<_>>(),
        [
            "learned.site.1",
            "learned.site.2",
            "learned.site.3",
            "learned.site.4"
        ]
    );
    // Quotations recurring widely enough are proposed after all.
    let wide = LearnOptions {
        prose_share: 0.3,
        ..opts
    };
    let l = learn_docs(tmp.path(), &docs, &wide, None);
    assert_eq!(l.groups[0].findings[4].status, Status::New);
}

#[test]
fn written_file_parses_and_cleans() {
    let tmp = tempfile::tempdir().unwrap();
    let mut docs = Vec::new();
    for i in 0..12 {
        let group = if i % 2 == 0 { "News Site" } else { "news-site" };
        let text = format!(
            "Advertisement\nHarbour desk notes\n{}\nTide table {}:{:02}\nFerry corner closing\n",
            unique(i, "x"),
            i % 12,
            i * 5
        );
        docs.push((group, text));
    }
    let builtin = PatternSet::builtin().unwrap();
    let l = learn_docs(tmp.path(), &docs, &LearnOptions::default(), Some(&builtin));
    assert_eq!(
        l.groups.iter().map(|g| g.slug.as_str()).collect::<Vec<_>>(),
        ["news-site", "news-site-2"]
    );
    let g = &l.groups[0];
    assert_eq!(g.name, "News Site");
    assert_eq!(
        g.findings
            .iter()
            .filter(|f| f.status == Status::Covered("generic.ad.marker".into()))
            .count(),
        1
    );
    let toml = l.to_toml();
    let set = PatternSetBuilder::new()
        .add_str("learned.toml", toml.clone())
        .build()
        .unwrap();
    let ids: Vec<&str> = set.rules().iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "learned.news-site.1",
            "learned.news-site.2",
            "learned.news-site.3",
            "learned.news-site-2.1",
            "learned.news-site-2.2",
            "learned.news-site-2.3"
        ]
    );
    assert_eq!(
        set.rules()[0].regexes,
        [format!(
            r"^[^\w\n]*tide table {}[^\w\n]*$",
            text::key_regex(Kind::Sentence, "\u{E000}", &[])
        )]
    );
    assert_eq!(set.rules()[0].publisher.as_deref(), Some("News Site"));
    let cleaner = Cleaner::new(set).with_max_removal(1.0);
    let doc = format!(
        "Harbour desk notes\n{}\nTide table 9:45\nFerry corner closing\n",
        unique(99, "y")
    );
    let out = cleaner.clean(doc.as_bytes());
    assert_eq!(out.verdict, Verdict::Cleaned);
    assert_eq!(
        String::from_utf8_lossy(&out.text),
        format!("{}\n", unique(99, "y"))
    );
    assert_eq!(
        toml,
        learn_docs(tmp.path(), &docs, &LearnOptions::default(), Some(&builtin)).to_toml()
    );
}

#[test]
fn rejects_bad_shares() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("c/a")).unwrap();
    let corpus = Corpus::open(&[tmp.path().join("c")], CorpusOptions::default()).unwrap();
    let opts = LearnOptions {
        prose_share: 1.5,
        ..LearnOptions::default()
    };
    let err = learn(&corpus, &opts, None, &|_, _| {}).unwrap_err();
    assert_eq!(
        err.to_string(),
        "prose_share must be between 0 and 1, got 1.5"
    );
}

#[test]
fn awkward_texts_round_trip_through_the_file() {
    let finding = |pattern: Pattern, scope: Scope| Finding {
        scope,
        family: "other",
        pattern,
        docs: 5,
        examples: vec!["a\nb".into(), "c'd\"e".into()],
        status: Status::New,
    };
    let phrase = "it's \"quoted\" \\ back \u{e9}t\u{e9} # not a comment";
    let learned = Learned {
        groups: vec![GroupFindings {
            name: "Odd \"Group\"\n".into(),
            slug: text::slug("Odd \"Group\"\n"),
            documents: 5,
            threshold: 5,
            findings: vec![
                finding(Pattern::Phrase(phrase.into()), Scope::Line),
                finding(Pattern::Regex(r"^a'b\d+$".into()), Scope::Line),
            ],
        }],
        documents: 5,
        options: LearnOptions::default(),
        warnings: Vec::new(),
        peak_fingerprints: 0,
    };
    let toml = learned.to_toml();
    let set = PatternSetBuilder::new()
        .add_str("l.toml", toml.clone())
        .build()
        .unwrap();
    let rules = set.rules();
    assert_eq!(rules[0].id, "learned.odd-group.1");
    assert_eq!(rules[0].publisher.as_deref(), Some("Odd \"Group\"\n"));
    assert_eq!(rules[0].phrases, [phrase]);
    assert_eq!(rules[1].regexes, [r"^a'b\d+$"]);
    assert!(
        toml.contains("# In 5 of 5 documents (100.0%); e.g. a?b, c'd\"e\n"),
        "{toml}"
    );
}

#[test]
fn runs_with_weak_markers_stay_line_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let mut docs = Vec::new();
    for i in 0..6 {
        // "Senate" would start a block at any line beginning with it; the end marker of the second
        // pair occurs inside its start line, which would cut the block short.
        let text = format!(
            "Senate\nHouse of the people\n\n{}\n\nFollow us on all the socials\non all the socials\n",
            unique(i, "z")
        );
        docs.push(("g", text));
    }
    let l = learn_docs(tmp.path(), &docs, &LearnOptions::default(), None);
    let got: Vec<(Scope, &Pattern)> = l.groups[0]
        .findings
        .iter()
        .map(|f| (f.scope, &f.pattern))
        .collect();
    let line = |s: &str| Pattern::Phrase(s.into());
    assert_eq!(
        got,
        vec![
            (Scope::Line, &line("follow us on all the socials")),
            (Scope::Line, &line("house of the people")),
            (Scope::Line, &line("on all the socials")),
            (Scope::Line, &line("senate")),
        ]
    );
}
