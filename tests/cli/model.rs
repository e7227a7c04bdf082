//! The line model: `--model`, `--no-model`, the `model` configuration key, `--explain`, the
//! removal guard over model removals, and `dechrome model train` (reproducible, guarded output).

use std::fs;

use crate::harness::{root, run, run_in, write_files};

const RULES: &str = r#"
[[rule]]
id = "test.share"
family = "share"
scope = "line"
phrases = ["share this article"]
"#;

/// A model file whose one leaf removes every candidate line.
fn remove_all_model() -> String {
    let features: Vec<String> = dechrome::model::FEATURES
        .iter()
        .map(|f| format!("\"{f}\""))
        .collect();
    format!(
        "threshold = 0.5\nfeatures = [{}]\n[[node]]\nscore = 1\nlines = 1\n",
        features.join(", ")
    )
}

const MENU: &[u8] = b"Gift ideas\nClub news\nShare this article\nOur town\nSponsors\n";

#[test]
fn a_model_file_removes_lines_next_to_rule_removals_and_the_guard_weighs_them() {
    let tmp = tempfile::tempdir().unwrap();
    write_files(
        tmp.path(),
        &[("rules.toml", RULES), ("all.toml", &remove_all_model())],
    );
    let own = [
        "--no-config",
        "--no-default-patterns",
        "--patterns",
        "rules.toml",
    ];
    let args = |extra: &[&'static str]| {
        let mut a = vec!["clean", "--explain"];
        a.extend(own);
        a.extend_from_slice(extra);
        a
    };
    // The rules alone take the share bar (19 of 54 characters, under the guard's 50%).
    let r = run_in(tmp.path(), &args(&["--max-removal", "0.5"]), MENU);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout_str(),
        "Gift ideas\nClub news\nOur town\nSponsors\n"
    );
    // With the model, every line near the removal goes: explained, and weighed by the guard.
    let r = run_in(
        tmp.path(),
        &args(&["--model", "all.toml", "--max-removal", "1"]),
        MENU,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout_str(), "");
    assert_eq!(
        r.stderr,
        "<stdin>:1:1: model.navigation: \"Gift ideas\" (score 1.00)\n\
         <stdin>:2:1: model.navigation: \"Club news\" (score 1.00)\n\
         <stdin>:3:1: test.share: \"Share this article\"\n\
         <stdin>:4:1: model.navigation: \"Our town\" (score 1.00)\n\
         <stdin>:5:1: model.navigation: \"Sponsors\" (score 1.00)\n"
    );
    let r = run_in(
        tmp.path(),
        &args(&["--model", "all.toml", "--max-removal", "0.5"]),
        MENU,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, MENU);
    assert!(
        r.stderr.ends_with(
            "<stdin>: refused: the rules would remove 100% of the paragraph text (limit 50%); \
             left unchanged\n"
        ),
        "{}",
        r.stderr
    );
    // The configuration key turns it on, --no-model off again.
    write_files(
        tmp.path(),
        &[("dechrome.toml", "model = \"all.toml\"\nmax-removal = 1.0\n")],
    );
    let cfg = ["clean", "--no-default-patterns", "--patterns", "rules.toml"];
    let r = run_in(tmp.path(), &cfg, MENU);
    assert_eq!(r.stdout_str(), "");
    let mut off = cfg.to_vec();
    off.push("--no-model");
    let r = run_in(tmp.path(), &off, MENU);
    assert_eq!(
        r.stdout_str(),
        "Gift ideas\nClub news\nOur town\nSponsors\n"
    );
    write_files(tmp.path(), &[("dechrome.toml", "model = false\n")]);
    let r = run_in(tmp.path(), &cfg, MENU);
    assert_eq!(
        r.stdout_str(),
        "Gift ideas\nClub news\nOur town\nSponsors\n"
    );
}

#[test]
fn the_builtin_model_runs_when_asked_and_explains_its_decision() {
    let page = b"Home\nNews\nSport\nWeather\nCulture\n\
        The council voted on Tuesday to rebuild the harbour wall before winter.\n\
        Work starts in March and should end before the autumn tides.\n\
        Training times\nGift ideas\nLocal heroes\nOur town\nClub news\nMy favourite trails\n\
        Share this article\nNewsletter\nBack to the overview\n\
        The mayor said the wall would protect the old market for another century.\n";
    // Off by default: the rules alone.
    let r = run(&["clean", "--no-config", "--explain"], page);
    assert!(!r.stderr.contains("model."), "{}", r.stderr);
    assert!(r.stdout_str().contains("Back to the overview\n"));
    let r = run(
        &["clean", "--no-config", "--explain", "--model", "builtin"],
        page,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout_str().contains("Back to the overview"));
    assert!(
        r.stderr.contains(
            "<stdin>:16:1: model.navigation: \"Back to the overview\" (score 0.99: next_words 13 \
             <= 14.5, prose_share 0.1765 <= 0.2466, prose_before 9 > 6.5, position 0.8824 > \
             0.0109, position 0.8824 <= 0.9491)\n"
        ),
        "{}",
        r.stderr
    );
    // Cleaning the output again removes nothing more.
    let out = r.stdout;
    let again = run(&["clean", "--no-config", "--model", "builtin"], &out);
    assert_eq!(again.stdout, out);
}

#[test]
fn a_bad_model_file_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    write_files(tmp.path(), &[("m.toml", "threshold = 0.9\n")]);
    let r = run_in(
        tmp.path(),
        &["clean", "--no-config", "--model", "m.toml"],
        b"x\n",
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "dechrome: error: model file m.toml: 1:1: missing field `features`\n"
    );
    let r = run_in(
        tmp.path(),
        &["clean", "--no-config", "--model", "none.toml"],
        b"x\n",
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("dechrome: error: cannot read model file none.toml: "),
        "{}",
        r.stderr
    );
}

#[test]
fn training_on_the_fixture_set_gives_the_committed_model() {
    let tmp = tempfile::tempdir().unwrap();
    let train = root().join("fixtures/model/train");
    let expected = fs::read_to_string(root().join("fixtures/model/expected.toml")).unwrap();
    for out in ["a.toml", "b.toml"] {
        let path = tmp.path().join(out);
        let r = run(
            &[
                "model",
                "train",
                "--min-leaf",
                "2",
                "--out",
                path.to_str().unwrap(),
                train.to_str().unwrap(),
            ],
            b"",
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(fs::read_to_string(&path).unwrap(), expected);
    }
    // The model it writes is one `clean --model` reads.
    let r = run_in(
        tmp.path(),
        &["clean", "--no-config", "--model", "a.toml"],
        b"Body.\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn training_never_writes_into_its_input() {
    let tmp = tempfile::tempdir().unwrap();
    write_files(
        tmp.path(),
        &[
            (
                "set/a.page.txt",
                "Home\nThe body of the story, in a sentence.\n",
            ),
            ("set/a.gold.txt", "The body of the story, in a sentence.\n"),
        ],
    );
    let r = run_in(
        tmp.path(),
        &["model", "train", "--out", "set/model.toml", "set"],
        b"",
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "dechrome: error: output set/model.toml is inside input set; choose a path outside the \
         inputs\n"
    );
    assert!(!tmp.path().join("set/model.toml").exists());
    let r = run_in(
        tmp.path(),
        &["model", "train", "--out", "m.toml", "empty"],
        b"",
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with("dechrome: error: cannot read empty: "),
        "{}",
        r.stderr
    );
}
