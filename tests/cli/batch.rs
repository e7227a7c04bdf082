//! `dechrome clean --jsonl` and batch runs: records, fields, annotations, malformed lines, compressed
//! files, shards, resuming trees, thread counts and statistics.

use std::fs;
use std::io::{Read, Write};

use crate::harness::{Run, run_with_rules, untimed};

/// The rules of these tests, so that they do not depend on the growing built-in set.
const RULES: &str = r#"
[[rule]]
id = "test.ad"
family = "ad"
scope = "line"
phrases = ["advertisement"]
"#;

/// Runs `dechrome clean ARGS` in `dir` with the test rules only.
fn clean(dir: &std::path::Path, args: &[&str], stdin: &[u8]) -> Run {
    run_with_rules(dir, "clean", RULES, args, stdin)
}

/// Three records: chrome in the first, none in the second (odd spacing that must survive byte for
/// byte), escapes and non-ASCII text in the third.
const RECORDS: &str = concat!(
    r#"{"id":1,"text":"The council met.\nAdvertisement\nIt voted.\n","tags":["a","b"]}"#,
    "\n",
    r#"{ "id" : 2 ,  "text":"Nothing to see.\n" , "n": 1.50 }"#,
    "\n",
    r#"{"id":3,"meta":{"text":"inner"},"text":"Caf\u00e9 \"open\".\n\nAdvertisement\n"}"#,
    "\n",
);

#[test]
fn jsonl_to_stdout_keeps_other_fields_and_untouched_records() {
    let dir = tempfile::tempdir().unwrap();
    let r = clean(dir.path(), &["--jsonl"], RECORDS.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout_str(),
        concat!(
            r#"{"id":1,"text":"The council met.\nIt voted.\n","tags":["a","b"]}"#,
            "\n",
            r#"{ "id" : 2 ,  "text":"Nothing to see.\n" , "n": 1.50 }"#,
            "\n",
            r#"{"id":3,"meta":{"text":"inner"},"text":"Café \"open\".\n"}"#,
            "\n",
        )
    );
    assert_eq!(
        untimed(&r.stderr),
        "dechrome: 3 records: 2 cleaned, 1 unchanged, 0 refused, 0 failed\n\
         dechrome: 216 B in, 180 B out, <time>\n\
         dechrome: removals: ad 2\n"
    );
}

#[test]
fn field_names_the_text_to_clean() {
    let dir = tempfile::tempdir().unwrap();
    let input = "{\"text\":\"Advertisement\\nkeep\",\"body\":\"A.\\nAdvertisement\\nB.\\n\"}\n";
    let r = clean(
        dir.path(),
        &["--jsonl", "--field", "body", "-q", "-"],
        input.as_bytes(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout_str(),
        "{\"text\":\"Advertisement\\nkeep\",\"body\":\"A.\\nB.\\n\"}\n"
    );
    assert_eq!(r.stderr, "");
}

#[test]
fn annotate_adds_removals_in_character_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let input = concat!(
        r#"{"text":"Ça va.\nAdvertisement\nFin.\n"}"#,
        "\n",
        r#"{"text":"Plain.\n","removed":"old value"}"#,
        "\n",
        r#"{}"#,
        "\n",
    );
    let r = clean(
        dir.path(),
        &[
            "--jsonl",
            "--annotate",
            "removed",
            "--on-error",
            "keep",
            "-q",
        ],
        input.as_bytes(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout_str(),
        concat!(
            r#"{"text":"Ça va.\nFin.\n","removed":[{"rule":"test.ad","family":"ad","scope":"line","start":7,"end":21}]}"#,
            "\n",
            r#"{"text":"Plain.\n","removed":[]}"#,
            "\n",
            r#"{}"#,
            "\n",
        )
    );
    assert_eq!(
        r.stderr,
        "dechrome: warning: <stdin>:3: no field \"text\"; record kept as it was\n"
    );
}

const MALFORMED: &str = "{\"text\":\"Advertisement\\nThe article.\\n\"}\n{\"text\": oops}\n\n{\"text\":42}\n{\"text\":\"B.\"}";

#[test]
fn malformed_line_fails_by_default_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("in.jsonl"), MALFORMED).unwrap();
    let r = clean(dir.path(), &["--jsonl", "in.jsonl"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout_str(), "{\"text\":\"The article.\\n\"}\n");
    assert_eq!(
        r.stderr,
        "dechrome: error: in.jsonl:2: invalid JSON record: expected value (column 10)\n"
    );
    // Into a shard directory: no shard is left incomplete under its final name.
    let r = clean(dir.path(), &["--jsonl", "in.jsonl", "-o", "out"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(fs::read_dir(dir.path().join("out")).unwrap().count(), 0);
}

/// Found by the `jsonl` fuzz target: invalid UTF-8 in a field other than the text field made an
/// output line that is not JSON. A record must be UTF-8 throughout.
#[test]
fn a_record_with_invalid_utf8_anywhere_is_malformed() {
    let dir = tempfile::tempdir().unwrap();
    let input = b"{\"text\":\"A.\\n\"}\n{\"meta\":\"\xE5\",\"text\":\"B.\\n\"}\n";
    fs::write(dir.path().join("in.jsonl"), input).unwrap();
    let r = clean(dir.path(), &["--jsonl", "-q", "in.jsonl"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout_str(), "{\"text\":\"A.\\n\"}\n");
    assert_eq!(
        r.stderr,
        "dechrome: error: in.jsonl:2: invalid JSON record: invalid UTF-8 (column 10)\n"
    );
}

#[test]
fn malformed_lines_skipped_or_kept_are_reported_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("in.jsonl"), MALFORMED).unwrap();
    let r = clean(
        dir.path(),
        &["--jsonl", "--on-error", "skip", "in.jsonl"],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout_str(),
        "{\"text\":\"The article.\\n\"}\n{\"text\":\"B.\"}\n"
    );
    assert_eq!(
        untimed(&r.stderr),
        "dechrome: warning: in.jsonl:2: invalid JSON record: expected value (column 10); record skipped\n\
         dechrome: warning: in.jsonl:4: field \"text\" is not a string; record skipped\n\
         dechrome: 4 records: 1 cleaned, 1 unchanged, 0 refused, 2 failed (2 skipped, 0 kept as they were); 1 blank lines skipped\n\
         dechrome: 82 B in, 40 B out, <time>\n\
         dechrome: removals: ad 1\n"
    );
    let r = clean(
        dir.path(),
        &["--jsonl", "--on-error", "keep", "-q", "in.jsonl"],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout_str(),
        "{\"text\":\"The article.\\n\"}\n{\"text\": oops}\n{\"text\":42}\n{\"text\":\"B.\"}\n"
    );
    assert_eq!(
        r.stderr,
        "dechrome: warning: in.jsonl:2: invalid JSON record: expected value (column 10); record kept as it was\n\
         dechrome: warning: in.jsonl:4: field \"text\" is not a string; record kept as it was\n"
    );
}

fn gunzip(bytes: &[u8]) -> String {
    let mut s = String::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_string(&mut s)
        .unwrap();
    s
}

#[test]
fn gz_and_zst_by_extension_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(RECORDS.as_bytes()).unwrap();
    fs::write(dir.path().join("in.jsonl.gz"), gz.finish().unwrap()).unwrap();
    let r = clean(
        dir.path(),
        &["--jsonl", "-q", "in.jsonl.gz", "-o", "mid.jsonl.zst"],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let plain = clean(dir.path(), &["--jsonl", "-q"], RECORDS.as_bytes()).stdout_str();
    let zst = fs::read(dir.path().join("mid.jsonl.zst")).unwrap();
    assert_eq!(
        String::from_utf8(zstd::decode_all(&zst[..]).unwrap()).unwrap(),
        plain
    );
    let r = clean(
        dir.path(),
        &["--jsonl", "-q", "mid.jsonl.zst", "-o", "out.jsonl.gz"],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        gunzip(&fs::read(dir.path().join("out.jsonl.gz")).unwrap()),
        plain
    );
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(names.is_empty(), "temporary files left: {names:?}");
}

#[test]
fn shards_of_n_records() {
    let dir = tempfile::tempdir().unwrap();
    let input: String = (0..5)
        .map(|i| format!("{{\"id\":{i},\"text\":\"T{i}.\\nAdvertisement\\n\"}}\n"))
        .collect();
    fs::write(dir.path().join("in.jsonl"), input).unwrap();
    let r = clean(
        dir.path(),
        &[
            "--jsonl",
            "-q",
            "in.jsonl",
            "-o",
            "out",
            "--shard-size",
            "2",
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut names: Vec<String> = fs::read_dir(dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ".dechrome.shards",
            "part-00000.jsonl",
            "part-00001.jsonl",
            "part-00002.jsonl"
        ]
    );
    let read = |n: &str| fs::read_to_string(dir.path().join("out").join(n)).unwrap();
    assert_eq!(
        read("part-00000.jsonl"),
        "{\"id\":0,\"text\":\"T0.\\n\"}\n{\"id\":1,\"text\":\"T1.\\n\"}\n"
    );
    assert_eq!(read("part-00002.jsonl"), "{\"id\":4,\"text\":\"T4.\\n\"}\n");
    let r = clean(
        dir.path(),
        &[
            "--jsonl",
            "-q",
            "in.jsonl",
            "-o",
            "gz",
            "--shard-size",
            "3",
            "--compress",
            "gz",
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let second = gunzip(&fs::read(dir.path().join("gz/part-00001.jsonl.gz")).unwrap());
    assert_eq!(
        second,
        "{\"id\":3,\"text\":\"T3.\\n\"}\n{\"id\":4,\"text\":\"T4.\\n\"}\n"
    );
}

#[test]
fn skip_existing_resumes_a_tree() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("in")).unwrap();
    fs::create_dir_all(dir.path().join("out")).unwrap();
    fs::write(dir.path().join("in/a.txt"), "A.\nAdvertisement\n").unwrap();
    fs::write(dir.path().join("in/b.txt"), "The article.\nAdvertisement\n").unwrap();
    fs::write(dir.path().join("out/a.txt"), "done before\n").unwrap();
    let r = clean(dir.path(), &["in", "-o", "out", "--skip-existing"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        fs::read_to_string(dir.path().join("out/a.txt")).unwrap(),
        "done before\n"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("out/b.txt")).unwrap(),
        "The article.\n"
    );
    assert_eq!(
        untimed(&r.stderr),
        "dechrome: 1 files: 1 cleaned, 0 unchanged, 0 refused, 0 failed; 1 skipped, output exists\n\
         dechrome: 27 B in, 13 B out, <time>\n\
         dechrome: removals: ad 1\n"
    );
}

/// `--skip-existing` with shards keeps the shards present from `part-00000` on and passes over
/// the input records they stand for (blank lines are none; a malformed line left out under
/// `--on-error skip` is one), so the rest lands in the same shards as in a full run; a single
/// output file that exists is left.
#[test]
fn skip_existing_resumes_jsonl_shards() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut input = String::new();
    for i in 0..7 {
        input.push_str(&format!(
            "{{\"id\":{i},\"text\":\"T{i}.\\nAdvertisement\\n\"}}\n"
        ));
        if i == 1 {
            input.push_str("\n{\"id\":\"bad\"}\n");
        }
    }
    fs::write(d.join("in.jsonl"), &input).unwrap();
    let args = |out: &'static str| {
        vec![
            "--jsonl",
            "in.jsonl",
            "-o",
            out,
            "--shard-size",
            "2",
            "--on-error",
            "skip",
        ]
    };
    let r = clean(d, &[&args("full")[..], &["-q"]].concat(), b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let read = |p: &str| fs::read_to_string(d.join(p)).unwrap();
    // An interrupted run left the first two shards (the second one marked to show it is kept).
    fs::create_dir_all(d.join("out")).unwrap();
    fs::write(
        d.join("out/part-00000.jsonl"),
        read("full/part-00000.jsonl"),
    )
    .unwrap();
    fs::write(d.join("out/part-00001.jsonl"), "kept\n").unwrap();
    let r = clean(d, &[&args("out")[..], &["--skip-existing"]].concat(), b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        untimed(&r.stderr),
        "dechrome: 4 records: 4 cleaned, 0 unchanged, 0 refused, 0 failed; 4 skipped, output \
         exists; 1 blank lines skipped\n\
         dechrome: 287 B in, 96 B out, <time>\n\
         dechrome: removals: ad 4\n"
    );
    assert_eq!(read("out/part-00001.jsonl"), "kept\n");
    for n in ["part-00000.jsonl", "part-00002.jsonl", "part-00003.jsonl"] {
        assert_eq!(read(&format!("out/{n}")), read(&format!("full/{n}")), "{n}");
    }
    assert_eq!(
        read("out/part-00003.jsonl"),
        "{\"id\":5,\"text\":\"T5.\\n\"}\n{\"id\":6,\"text\":\"T6.\\n\"}\n"
    );
    // Four shards and the record of their size.
    assert_eq!(fs::read_dir(d.join("out")).unwrap().count(), 5);
    assert_eq!(read("out/.dechrome.shards"), "shard-size 2\n");
    // A finished single output file: nothing is read or written.
    fs::write(d.join("one.jsonl"), "done\n").unwrap();
    let r = clean(
        d,
        &["--jsonl", "in.jsonl", "-o", "one.jsonl", "--skip-existing"],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "dechrome: one.jsonl: output exists; nothing done (--skip-existing)\n"
    );
    assert_eq!(read("one.jsonl"), "done\n");
}

#[test]
fn output_is_the_same_for_every_job_count() {
    let dir = tempfile::tempdir().unwrap();
    // Enough records for many parallel chunks, and (with a field of padding) for several batches
    // of the pipeline, cleaned at once; every third has chrome, every seventh is refused.
    let pad = "x".repeat(300);
    let input: String = (0..5000)
        .map(|i| match (i % 3, i % 7) {
            (_, 0) => format!("{{\"id\":{i},\"pad\":\"{pad}\",\"text\":\"Advertisement\\n\"}}\n"),
            (0, _) => format!(
                "{{\"id\":{i},\"pad\":\"{pad}\",\"text\":\"Line {i}.\\nAdvertisement\\nEnd.\\n\"}}\n"
            ),
            _ => format!("{{\"id\":{i},\"pad\":\"{pad}\",\"text\":\"Line {i}.\\n\"}}\n"),
        })
        .collect();
    assert!(
        input.len() > 3 * (512 << 10),
        "more than three batches of 512 KiB"
    );
    fs::write(dir.path().join("in.jsonl"), &input).unwrap();
    let one = clean(dir.path(), &["--jsonl", "-j", "1", "in.jsonl"], b"");
    let four = clean(dir.path(), &["--jsonl", "-j", "4", "in.jsonl"], b"");
    assert_eq!(one.code, 0, "{}", one.stderr);
    assert_eq!(one.stdout, four.stdout);
    assert_eq!(untimed(&one.stderr), untimed(&four.stderr));
    assert!(
        untimed(&one.stderr).contains(
            "dechrome: 5000 records: 1428 cleaned, 2857 unchanged, 715 refused, 0 failed\n"
        )
    );
    assert!(one.stderr.starts_with(
        "in.jsonl:1: refused: the rules would remove 100% of the paragraph text (limit 80%); left unchanged\n"
    ));
}

#[test]
fn stats_file_has_the_summary_as_json() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("in.jsonl"), RECORDS).unwrap();
    let r = clean(
        dir.path(),
        &["--jsonl", "-q", "in.jsonl", "--stats", "stats.json"],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("stats.json")).unwrap()).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "bytes_in",
            "bytes_out",
            "documents",
            "elapsed_seconds",
            "mb_per_second",
            "removals"
        ]
    );
    let docs: Vec<&str> = v["documents"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(
        docs,
        [
            "blank_lines",
            "cleaned",
            "failed",
            "kept_on_error",
            "read",
            "refused",
            "skipped_binary",
            "skipped_existing",
            "skipped_on_error",
            "unchanged",
            "unreadable_inputs"
        ]
    );
    assert_eq!(v["documents"]["read"], 3);
    assert_eq!(v["documents"]["cleaned"], 2);
    assert_eq!(v["bytes_in"], 216);
    assert_eq!(v["removals"]["ad"], 2);
}

#[test]
fn jsonl_options_need_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    let r = clean(dir.path(), &["--annotate", "x"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr, "dechrome: error: --annotate needs --jsonl\n");
}

#[test]
fn interrupted_run_leaves_complete_shards_only() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("rules.toml"), RULES).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dechrome"))
        .args([
            "clean",
            "--jsonl",
            "-q",
            "-o",
            "out",
            "--shard-size",
            "1000",
        ])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // About 5 MB: one full batch (4 full shards) goes through; stdin stays open.
    let record = format!(
        "{{\"text\":\"{}\\nAdvertisement\\n\"}}\n",
        "word ".repeat(200)
    );
    for _ in 0..5000 {
        stdin.write_all(record.as_bytes()).unwrap();
    }
    let fourth = dir.path().join("out/part-00003.jsonl");
    for _ in 0..600 {
        if fourth.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(fourth.exists(), "the first batch was not written");
    // SAFETY: sending a signal to our own child process.
    assert_eq!(
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) },
        0
    );
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    assert_eq!(out.status.code(), Some(130));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "dechrome: error: interrupted; complete outputs are kept, no partial file is left\n"
    );
    let mut names: Vec<String> = fs::read_dir(dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ".dechrome.shards",
            "part-00000.jsonl",
            "part-00001.jsonl",
            "part-00002.jsonl",
            "part-00003.jsonl"
        ]
    );
    assert_eq!(fs::read_to_string(&fourth).unwrap().lines().count(), 1000);
}

/// CRLF records keep their CRLF, changed or not, annotated or not; a line of only `\r` is a blank
/// line; a UTF-8 byte-order mark opening an input is kept in front of the first record and not
/// parsed.
#[test]
fn jsonl_crlf_and_byte_order_mark() {
    let dir = tempfile::tempdir().unwrap();
    let input = "\u{feff}{\"id\":1,\"text\":\"The article.\\nAdvertisement\\n\"}\r\n\
                 {\"id\":2,\"text\":\"B.\\n\"}\r\n\r\n\
                 {\"id\":3,\"text\":\"C.\\r\\nAdvertisement\\r\\n\"}\r\n";
    let r = clean(dir.path(), &["--jsonl", "-q"], input.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout_str(),
        "\u{feff}{\"id\":1,\"text\":\"The article.\\n\"}\r\n\
         {\"id\":2,\"text\":\"B.\\n\"}\r\n\
         {\"id\":3,\"text\":\"C.\\r\\n\"}\r\n"
    );
    let r = clean(
        dir.path(),
        &["--jsonl", "-q", "--annotate", "removed"],
        input.as_bytes(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout_str(),
        "\u{feff}{\"id\":1,\"text\":\"The article.\\n\",\"removed\":[{\"rule\":\"test.ad\",\"family\":\"ad\",\"scope\":\"line\",\"start\":13,\"end\":27}]}\r\n\
         {\"id\":2,\"text\":\"B.\\n\",\"removed\":[]}\r\n\
         {\"id\":3,\"text\":\"C.\\r\\n\",\"removed\":[{\"rule\":\"test.ad\",\"family\":\"ad\",\"scope\":\"line\",\"start\":4,\"end\":19}]}\r\n"
    );
    // The mark belongs to the first line of each input only: elsewhere it is a malformed record.
    fs::write(dir.path().join("a.jsonl"), input).unwrap();
    fs::write(
        dir.path().join("b.jsonl"),
        "{\"text\":\"x\"}\n\u{feff}{\"text\":\"y\"}\n",
    )
    .unwrap();
    let r = clean(
        dir.path(),
        &["--jsonl", "-q", "--on-error", "keep", "a.jsonl", "b.jsonl"],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout_str().starts_with("\u{feff}{\"id\":1,"));
    assert!(
        r.stdout_str()
            .ends_with("{\"text\":\"x\"}\n\u{feff}{\"text\":\"y\"}\n"),
        "{}",
        r.stdout_str()
    );
    assert_eq!(
        r.stderr,
        "dechrome: warning: b.jsonl:2: invalid JSON record: expected value (column 1); record \
         kept as it was\n"
    );
}

/// UTF-16 JSONL is refused as a whole input, binary data is skipped with a warning; the run goes
/// on with the next input.
#[test]
fn jsonl_utf16_and_binary_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let utf16: Vec<u8> = "\u{feff}{\"text\":\"x\"}\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    fs::write(d.join("wide.jsonl"), utf16).unwrap();
    fs::write(d.join("blob.jsonl"), b"{\"text\":\"\x00\"}\n").unwrap();
    fs::write(
        d.join("ok.jsonl"),
        "{\"text\":\"The article.\\nAdvertisement\\n\"}\n",
    )
    .unwrap();
    let r = clean(d, &["--jsonl", "wide.jsonl", "blob.jsonl", "ok.jsonl"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout_str(), "{\"text\":\"The article.\\n\"}\n");
    assert_eq!(
        untimed(&r.stderr),
        "dechrome: error: wide.jsonl: UTF-16 text is not supported; convert it to UTF-8 first\n\
         dechrome: warning: blob.jsonl: binary file skipped\n\
         dechrome: 1 records: 1 cleaned, 0 unchanged, 0 refused, 0 failed; 1 binary skipped; 1 unreadable\n\
         dechrome: 41 B in, 26 B out, <time>\n\
         dechrome: removals: ad 1\n"
    );
}

/// A record that never settles (each removal exposes more chrome) is refused with the reason
/// `clean` gives for a file, not reported as a share of its text.
#[test]
fn jsonl_record_that_never_settles() {
    let dir = tempfile::tempdir().unwrap();
    let tail1 = "[[rule]]\nid = \"t.tail1\"\nfamily = \"comments\"\nscope = \"tail\"\n\
                 phrases = [\"comments\"]\nmax_lines = 1\n";
    let text = format!("{}\\n{}", "Body text. ".repeat(10), "Comments\\n".repeat(9));
    let input = format!("{{\"text\":\"{text}\"}}\n");
    let r = run_with_rules(dir.path(), "clean", tail1, &["--jsonl"], input.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout_str(), input);
    assert_eq!(
        untimed(&r.stderr),
        "<stdin>:1: refused: cleaning did not settle after 8 passes; left unchanged\n\
         dechrome: 1 records: 0 cleaned, 0 unchanged, 1 refused, 0 failed\n\
         dechrome: 214 B in, 214 B out, <time>\n"
    );
}

/// A record whose text would be removed entirely is refused by the removal guard (left as it
/// was); allowed to (`--max-removal 1`), it keeps its other fields and gets an empty text.
#[test]
fn jsonl_text_that_becomes_empty() {
    let dir = tempfile::tempdir().unwrap();
    let input = "{\"id\":1,\"text\":\"Advertisement\\n\",\"n\":2}\n";
    let r = clean(dir.path(), &["--jsonl"], input.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout_str(), input);
    assert_eq!(
        untimed(&r.stderr),
        "<stdin>:1: refused: the rules would remove 100% of the paragraph text (limit 80%); left unchanged\n\
         dechrome: 1 records: 0 cleaned, 0 unchanged, 1 refused, 0 failed\n\
         dechrome: 40 B in, 40 B out, <time>\n"
    );
    let r = clean(
        dir.path(),
        &[
            "--jsonl",
            "-q",
            "--max-removal",
            "1",
            "--annotate",
            "removed",
        ],
        input.as_bytes(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout_str(),
        "{\"id\":1,\"text\":\"\",\"n\":2,\"removed\":[{\"rule\":\"test.ad\",\"family\":\"ad\",\"scope\":\"line\",\"start\":0,\"end\":14}]}\n"
    );
}

/// A JSONL output that is the input, by any spelling, or a shard directory holding an input under
/// a shard's name, is refused before anything is written.
#[test]
fn jsonl_output_aliases_of_the_input_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = "{\"text\":\"The article.\\nAdvertisement\\n\"}\n";
    fs::create_dir_all(d.join("data")).unwrap();
    fs::write(d.join("data/in.jsonl"), input).unwrap();
    fs::write(d.join("data/part-00000.jsonl"), input).unwrap();
    std::os::unix::fs::symlink("data/in.jsonl", d.join("link.jsonl")).unwrap();
    for (args, message) in [
        (
            ["data/in.jsonl", "-o", "data/../data/in.jsonl"],
            "output data/../data/in.jsonl is input data/in.jsonl",
        ),
        (
            ["data/in.jsonl", "-o", "link.jsonl"],
            "output link.jsonl is input data/in.jsonl",
        ),
        (
            ["data/part-00000.jsonl", "-o", "./data"],
            "output directory ./data holds input data/part-00000.jsonl; a shard would overwrite it",
        ),
    ] {
        let r = clean(d, &[&["--jsonl"][..], &args].concat(), b"");
        assert_eq!(r.code, 2, "{args:?}");
        assert_eq!(r.stderr, format!("dechrome: error: {message}\n"));
    }
    assert_eq!(fs::read_to_string(d.join("data/in.jsonl")).unwrap(), input);
    assert_eq!(
        fs::read_to_string(d.join("data/part-00000.jsonl")).unwrap(),
        input
    );
    assert_eq!(fs::read_dir(d.join("data")).unwrap().count(), 2);
    // Another input in the shard directory is not in the way (the shard there is an earlier
    // run's, replaced with --overwrite).
    let r = clean(
        d,
        &[
            "--jsonl",
            "-q",
            "data/in.jsonl",
            "-o",
            "data",
            "--overwrite",
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        fs::read_to_string(d.join("data/part-00000.jsonl")).unwrap(),
        "{\"text\":\"The article.\\n\"}\n"
    );
}
