//! `clean`, `check` and `learn` on corpus containers: WET files built here in Common Crawl's
//! header layout, and Parquet files written and read back by pyarrow (the CI virtualenv has it;
//! elsewhere the Parquet tests are skipped unless `CI=true`, where a missing pyarrow fails).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use data_encoding::BASE32;
use sha1::Digest;

use super::harness::{run_in, untimed};

/// Texts of our own: an article with a comment prompt at its end, one with a newsletter line,
/// one with nothing to remove.
const HARBOUR: &str = "The council voted on Tuesday to rebuild the harbour wall before winter.\n\
                       Work starts in March and should end before the autumn tides.\n\
                       Join our commenting forum\nComments\n";
const HARBOUR_CLEAN: &str = "The council voted on Tuesday to rebuild the harbour wall before winter.\n\
                             Work starts in March and should end before the autumn tides.\n";
const PLAIN: &str = "A quiet week at the allotments: the leeks are up and the frost held off.\n";
const BAKERY: &str = "The bakery on Mill Lane reopened on Saturday after a two-year closure.\n\
                      Queues reached the end of the street by eight in the morning.\n\
                      Join our commenting forum\nComments\n";
const BAKERY_CLEAN: &str = "The bakery on Mill Lane reopened on Saturday after a two-year closure.\n\
                            Queues reached the end of the street by eight in the morning.\n";

const BASE: [&str; 2] = ["--no-config", "--quiet"];

fn sha1_b32(data: &[u8]) -> String {
    BASE32.encode(&sha1::Sha1::digest(data))
}

/// One WET record in Common Crawl's layout (WARC/1.0; conversion records carry Target-URI, Date,
/// Record-ID, Refers-To, Block-Digest, Content-Type, Content-Length, in that order).
fn conversion(n: u32, url: &str, text: &str) -> Vec<u8> {
    let block = text.as_bytes();
    let head = format!(
        "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: {url}\r\n\
         WARC-Date: 2026-11-0{n}T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:0000000{n}-aaaa-4bbb-8ccc-000000000000>\r\n\
         WARC-Refers-To: <urn:uuid:0000000{n}-ffff-4bbb-8ccc-000000000000>\r\n\
         WARC-Block-Digest: sha1:{}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
        sha1_b32(block),
        block.len()
    );
    [head.as_bytes(), block, b"\r\n\r\n"].concat()
}

fn warcinfo() -> Vec<u8> {
    let block = b"Software-Info: dechrome-tests\r\nisPartOf: TEST-2026-48\r\n";
    let head = format!(
        "WARC/1.0\r\nWARC-Type: warcinfo\r\nWARC-Date: 2026-11-01T09:00:00Z\r\n\
         WARC-Filename: test.warc.wet.gz\r\nWARC-Record-ID: <urn:uuid:00000000-0000-4bbb-8ccc-000000000000>\r\n\
         Content-Type: application/warc-fields\r\nContent-Length: {}\r\n\r\n",
        block.len()
    );
    [head.as_bytes(), block, b"\r\n\r\n"].concat()
}

/// A WET file's records: the warcinfo record, then one conversion record per text.
fn wet_records(texts: &[&str]) -> Vec<Vec<u8>> {
    let mut out = vec![warcinfo()];
    for (i, t) in texts.iter().enumerate() {
        let n = i as u32 + 1;
        out.push(conversion(
            n,
            &format!("https://www.site{n}.example/news/{n}"),
            t,
        ));
    }
    out
}

/// Records gzip-compressed one member each.
fn gzip_members(records: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for r in records {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut enc, r).unwrap();
        out.extend(enc.finish().unwrap());
    }
    out
}

/// The decompressed members of a gzip file, one by one.
fn members(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let mut dec = flate2::bufread::GzDecoder::new(rest);
        let mut m = Vec::new();
        dec.read_to_end(&mut m).unwrap();
        rest = dec.into_inner();
        out.push(m);
    }
    out
}

fn run(dir: &Path, args: &[&str]) -> super::harness::Run {
    let mut a: Vec<&str> = args[..1].to_vec();
    a.extend(BASE);
    a.extend(&args[1..]);
    run_in(dir, &a, b"")
}

#[test]
fn wet_round_trip_changes_only_payloads_lengths_and_digests() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = wet_records(&[HARBOUR, PLAIN, BAKERY]);
    std::fs::write(d.join("in.warc.wet.gz"), gzip_members(&input)).unwrap();
    let r = run(d, &["clean", "in.warc.wet.gz", "-o", "out/in.warc.wet.gz"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    let got = members(&std::fs::read(d.join("out/in.warc.wet.gz")).unwrap());
    let want = wet_records(&[HARBOUR_CLEAN, PLAIN, BAKERY_CLEAN]);
    // One gzip member per record, in order; only the cleaned records differ.
    assert_eq!(got.len(), 4);
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(String::from_utf8_lossy(g), String::from_utf8_lossy(w));
    }
    assert_eq!(got[0], input[0]);
    assert_eq!(got[2], input[2]);
    // Plain WARC in, plain WARC out, to stdout; the same bytes.
    std::fs::write(d.join("plain.warc"), input.concat()).unwrap();
    let r = run(d, &["clean", "--warc", "plain.warc"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, want.concat());
}

#[test]
fn wet_to_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("c.wet"), wet_records(&[HARBOUR, PLAIN]).concat()).unwrap();
    let r = run(
        d,
        &["clean", "c.wet", "--to-jsonl", "--annotate", "removed"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout_str(),
        format!(
            "{{\"url\":\"https://www.site1.example/news/1\",\"warc_record_id\":\"<urn:uuid:00000001-aaaa-4bbb-8ccc-000000000000>\",\"date\":\"2026-11-01T10:00:00Z\",\"text\":{},\"removed\":[{{\"rule\":\"independent.comments.forum-tail\",\"family\":\"comments\",\"scope\":\"tail\",\"start\":133,\"end\":168}},{{\"rule\":\"generic.comments.heading\",\"family\":\"comments\",\"scope\":\"tail\",\"start\":159,\"end\":168}}]}}\n\
             {{\"url\":\"https://www.site2.example/news/2\",\"warc_record_id\":\"<urn:uuid:00000002-aaaa-4bbb-8ccc-000000000000>\",\"date\":\"2026-11-02T10:00:00Z\",\"text\":{},\"removed\":[]}}\n",
            serde_json::to_string(HARBOUR_CLEAN).unwrap(),
            serde_json::to_string(PLAIN).unwrap()
        )
    );
    std::fs::write(d.join("a.txt"), PLAIN).unwrap();
    let r = run(d, &["clean", "a.txt", "c.wet"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            2,
            "dechrome: error: c.wet is a WARC or Parquet file among other inputs; clean it in a \
             run of its own (or name the format with --warc or --parquet)\n"
        )
    );
    let r = run(d, &["clean", "c.wet", "--annotate", "removed"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            2,
            "dechrome: error: --annotate needs --to-jsonl with --warc (WARC records have no field for it)\n"
        )
    );
}

#[test]
fn bad_warc_inputs_name_the_record_and_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let records = wet_records(&[HARBOUR, PLAIN, BAKERY]);
    let gz = gzip_members(&records);
    // The last member cut short.
    std::fs::write(d.join("a.warc.wet.gz"), &gz[..gz.len() - 20]).unwrap();
    // The last record's Content-Length runs past the end of the file.
    let plain = records.concat();
    std::fs::write(d.join("b.warc"), &plain[..plain.len() - 30]).unwrap();
    std::fs::write(d.join("good.warc"), &plain).unwrap();
    let r = run(d, &["clean", "a.warc.wet.gz", "-o", "out"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            2,
            "dechrome: error: a.warc.wet.gz:record 4: cannot decompress gzip data: incomplete \
             deflate stream\n"
        )
    );
    let r = run(
        d,
        &[
            "clean",
            "b.warc",
            "a.warc.wet.gz",
            "good.warc",
            "-o",
            "out",
            "--on-error",
            "skip",
        ],
    );
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            2,
            "dechrome: error: b.warc:record 4: Content-Length 168 runs past the end of the file \
             (142 bytes of block left); no output written for this input\n\
             dechrome: error: a.warc.wet.gz:record 4: cannot decompress gzip data: incomplete \
             deflate stream; no output written for this input\n"
        )
    );
    let mut left: Vec<String> = std::fs::read_dir(d.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["good.warc"]);
}

#[test]
fn check_and_learn_read_wet() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("c.warc.wet.gz"),
        gzip_members(&wet_records(&[HARBOUR, PLAIN, BAKERY])),
    )
    .unwrap();
    let r = run(d, &["check", "c.warc.wet.gz"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout_str(),
        "c.warc.wet.gz:record 2:133: independent.comments.forum-tail: \"Join our commenting forum\\nComments\"\n\
         c.warc.wet.gz:record 4:133: independent.comments.forum-tail: \"Join our commenting forum\\nComments\"\n"
    );
    let r = run(d, &["check", "--fix", "c.warc.wet.gz"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            2,
            "dechrome: error: c.warc.wet.gz: --fix does not rewrite WARC or Parquet files; write a \
             cleaned copy with `dechrome clean --warc c.warc.wet.gz -o OUT.warc.gz`\n"
        )
    );
    let r = run_in(
        d,
        &[
            "learn",
            "--quiet",
            "--group-by",
            "url-host",
            "--min-docs",
            "1",
            "--report",
            "c.warc.wet.gz",
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let groups: Vec<&str> = r
        .stdout_str()
        .leak()
        .lines()
        .filter(|l| !l.starts_with(' '))
        .map(|l| l.split(':').next().unwrap())
        .collect();
    assert_eq!(groups, ["site1.example", "site2.example", "site3.example"]);
}

/// A Python with pyarrow: `DECHROME_TEST_PYTHON`, the CI virtualenv, or `python3`; `None` (a
/// skip) when none has it, except under `CI=true`.
fn pyarrow() -> Option<PathBuf> {
    let root = super::harness::root();
    let candidates = [
        std::env::var_os("DECHROME_TEST_PYTHON").map(PathBuf::from),
        Some(root.join("target/ci-venv/bin/python")),
        Some(PathBuf::from("python3")),
    ];
    for c in candidates.into_iter().flatten() {
        let ok = Command::new(&c)
            .args(["-c", "import pyarrow.parquet"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(c);
        }
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "pyarrow is missing under CI=true; .ci/run installs it into target/ci-venv"
    );
    eprintln!("skipping: no Python with pyarrow (set DECHROME_TEST_PYTHON)");
    None
}

fn python(py: &Path, dir: &Path, script: &str) -> String {
    let out = Command::new(py)
        .args(["-c", script])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Writes `name` with pyarrow: 7 rows in row groups of 3, several column types, the text column
/// with a null, compressed with `codec`.
fn write_table(py: &Path, dir: &Path, name: &str, codec: &str) {
    let script = format!(
        r#"
import datetime, pyarrow as pa, pyarrow.parquet as pq
texts = [{h}, {p}, None, {b}, {p}, {h}, {b}]
t = pa.table({{
    "id": pa.array(range(7), pa.int64()),
    "url": ["https://www.site%d.example/a" % (i % 2) for i in range(7)],
    "text": pa.array(texts, pa.string()),
    "score": pa.array([i / 4 for i in range(7)], pa.float32()),
    "tags": pa.array([["x", "y"][: i % 3] for i in range(7)], pa.list_(pa.string())),
    "meta": pa.array([{{"lang": "en", "words": i * 10}} for i in range(7)]),
    "seen": pa.array([datetime.datetime(2026, 11, 1, i, tzinfo=datetime.timezone.utc) for i in range(7)], pa.timestamp("us", tz="UTC")),
    "flag": [i % 2 == 0 for i in range(7)],
}})
pq.write_table(t, "{name}", row_group_size=3, compression="{codec}")
"#,
        h = serde_json::to_string(HARBOUR).unwrap(),
        p = serde_json::to_string(PLAIN).unwrap(),
        b = serde_json::to_string(BAKERY).unwrap(),
    );
    python(py, dir, &script);
}

#[test]
fn parquet_round_trip_keeps_everything_but_the_cleaned_column() {
    let Some(py) = pyarrow() else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for codec in ["zstd", "snappy", "gzip"] {
        let name = format!("{codec}.parquet");
        write_table(&py, d, &name, codec);
        let r = run(d, &["clean", &name, "-o", &format!("out/{name}")]);
        assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{codec}");
        let report = python(
            &py,
            d,
            &format!(
                r#"
import json, pyarrow.parquet as pq
a, b = pq.ParquetFile("{name}"), pq.ParquetFile("out/{name}")
ta, tb = a.read(), b.read()
print(ta.schema.equals(tb.schema, check_metadata=True))
print([c for c in ta.column_names if not ta[c].equals(tb[c])])
print([b.metadata.row_group(i).num_rows for i in range(b.num_row_groups)])
print(sorted({{b.metadata.row_group(i).column(j).compression for i in range(b.num_row_groups) for j in range(b.metadata.num_columns)}}))
print(json.dumps(tb["text"].to_pylist(), separators=(",", ":")))
"#
            ),
        );
        let texts = serde_json::to_string(&[
            Some(HARBOUR_CLEAN),
            Some(PLAIN),
            None,
            Some(BAKERY_CLEAN),
            Some(PLAIN),
            Some(HARBOUR_CLEAN),
            Some(BAKERY_CLEAN),
        ])
        .unwrap();
        assert_eq!(
            report,
            format!(
                "True\n['text']\n[3, 3, 1]\n['{}']\n{texts}\n",
                codec.to_uppercase()
            ),
            "{codec}"
        );
    }
}

#[test]
fn parquet_check_learn_and_bad_inputs() {
    let Some(py) = pyarrow() else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_table(&py, d, "t.parquet", "snappy");
    let r = run(d, &["check", "t.parquet"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let finding = |row: u32, at: u32| {
        format!(
            "t.parquet:row {row}:text:{at}: independent.comments.forum-tail: \"Join our \
             commenting forum\\nComments\"\n"
        )
    };
    assert_eq!(
        r.stdout_str(),
        [
            finding(1, 133),
            finding(4, 133),
            finding(6, 133),
            finding(7, 133)
        ]
        .concat()
    );
    let r = run_in(
        d,
        &[
            "learn",
            "--quiet",
            "--group-by",
            "url-host:url",
            "--min-docs",
            "1",
            "--report",
            "t.parquet",
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout_str().starts_with("site0.example: 3 documents"));
    // Bad inputs: each named, no output left, the good input written under --on-error skip.
    let whole = std::fs::read(d.join("t.parquet")).unwrap();
    std::fs::write(d.join("cut.parquet"), &whole[..whole.len() - 100]).unwrap();
    for (field, message) in [
        (
            "body",
            "t.parquet: no column `body` (columns: id, url, text, score, tags, meta, seen, flag)",
        ),
        ("id", "t.parquet: column `id` is INT64, not a string column"),
        (
            "tags",
            "t.parquet: column `tags` is a list or group, not a string column",
        ),
    ] {
        let r = run(d, &["clean", "t.parquet", "--field", field, "-o", "o1"]);
        assert_eq!(
            (r.code, r.stderr.as_str()),
            (2, format!("dechrome: error: {message}\n").as_str())
        );
    }
    let r = run(
        d,
        &[
            "clean",
            "cut.parquet",
            "t.parquet",
            "-o",
            "o2",
            "--on-error",
            "keep",
        ],
    );
    assert_eq!(
        (r.code, untimed(&r.stderr).as_str()),
        (
            2,
            "dechrome: error: cut.parquet: not a readable Parquet file: Parquet error: Invalid \
             Parquet file. Corrupt footer; no output written for this input\n"
        )
    );
    let left: Vec<String> = std::fs::read_dir(d.join("o2"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["t.parquet"]);
    assert!(std::fs::read_dir(d.join("o1")).map_or(true, |mut r| r.next().is_none()));
}

#[test]
fn parquet_annotate_appends_a_list_of_removals() {
    let Some(py) = pyarrow() else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Five rows in row groups of two; the last text has a non-ASCII letter before its removals,
    // so its offsets in characters (as JSONL annotations give them) are not its byte offsets.
    let umlaut = HARBOUR.replace("harbour", "härbour");
    python(
        &py,
        d,
        &format!(
            r#"
import pyarrow as pa, pyarrow.parquet as pq
t = pa.table({{
    "id": pa.array(range(5), pa.int64()),
    "url": pa.array(["https://www.site%d.example/a" % i for i in range(5)], pa.large_string()),
    "text": pa.array([{h}, {p}, None, {b}, {u}], pa.string()),
    "tags": pa.array([["x", "y"][: i % 3] for i in range(5)], pa.list_(pa.string())),
}})
pq.write_table(t, "t.parquet", row_group_size=2, compression="zstd")
"#,
            h = serde_json::to_string(HARBOUR).unwrap(),
            p = serde_json::to_string(PLAIN).unwrap(),
            b = serde_json::to_string(BAKERY).unwrap(),
            u = serde_json::to_string(&umlaut).unwrap(),
        ),
    );
    let r = run(
        d,
        &[
            "clean",
            "t.parquet",
            "-o",
            "out.parquet",
            "--annotate",
            "removals",
        ],
    );
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    let report = python(
        &py,
        d,
        r#"
import json, pyarrow.parquet as pq
a, b = pq.ParquetFile("t.parquet"), pq.ParquetFile("out.parquet")
ta, tb = a.read(), b.read()
print(tb.column_names)
print(ta.schema.equals(tb.schema.remove(len(ta.schema)), check_metadata=True))
print([c for c in ta.column_names if not ta[c].equals(tb[c])])
print(tb.schema.field("removals").type)
print([b.metadata.row_group(i).num_rows for i in range(b.num_row_groups)])
print(json.dumps(tb["text"].to_pylist(), ensure_ascii=False, separators=(",", ":")))
for row in tb["removals"].to_pylist():
    print(json.dumps(row, separators=(",", ":")))
"#,
    );
    let texts = serde_json::to_string(&[
        Some(HARBOUR_CLEAN.to_string()),
        Some(PLAIN.to_string()),
        None,
        Some(BAKERY_CLEAN.to_string()),
        Some(HARBOUR_CLEAN.replace("harbour", "härbour")),
    ])
    .unwrap();
    // The comment prompt's two lines: the forum tail and, inside it, the heading.
    let comments = |start: usize| {
        format!(
            "[{{\"rule\":\"independent.comments.forum-tail\",\"family\":\"comments\",\"scope\":\"tail\",\"start\":{start},\"end\":{}}},\
             {{\"rule\":\"generic.comments.heading\",\"family\":\"comments\",\"scope\":\"tail\",\"start\":{},\"end\":{}}}]",
            start + 35,
            start + 26,
            start + 35
        )
    };
    let bakery = BAKERY.find("Join").unwrap();
    assert_eq!(
        report,
        format!(
            "['id', 'url', 'text', 'tags', 'removals']\nTrue\n['text']\n\
             list<element: struct<rule: string not null, family: string not null, scope: \
             string not null, start: int64 not null, end: int64 not null> not null>\n\
             [2, 2, 1]\n{texts}\n{}\n[]\nnull\n{}\n{}\n",
            comments(133),
            comments(bakery),
            comments(133),
        )
    );
    // The JSONL annotation of the same text says the same.
    let line = format!("{{\"text\":{}}}\n", serde_json::to_string(&umlaut).unwrap());
    let j = run_in(
        d,
        &["clean", "--no-config", "--jsonl", "--annotate", "removals"],
        line.as_bytes(),
    );
    assert!(
        j.stdout_str()
            .ends_with(&format!(",\"removals\":{}}}\n", comments(133))),
        "{}",
        j.stdout_str()
    );
    // With --keep-text only the annotation column is new.
    let r = run(
        d,
        &[
            "clean",
            "t.parquet",
            "-o",
            "kept.parquet",
            "--annotate",
            "removals",
            "--keep-text",
        ],
    );
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    let kept = python(
        &py,
        d,
        r#"
import json, pyarrow.parquet as pq
ta, tb = pq.read_table("t.parquet"), pq.read_table("kept.parquet")
print([c for c in ta.column_names if not ta[c].equals(tb[c])])
print(tb["removals"].equals(pq.read_table("out.parquet")["removals"]))
"#,
    );
    assert_eq!(kept, "[]\nTrue\n");
    // A column of that name already there is an error, and nothing is written.
    let r = run(
        d,
        &[
            "clean",
            "t.parquet",
            "-o",
            "o2.parquet",
            "--annotate",
            "tags",
        ],
    );
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            2,
            "dechrome: error: t.parquet: column `tags` already exists; name a new column for the \
             removals with --annotate\n"
        )
    );
    assert!(!d.join("o2.parquet").exists());
}

/// A publisher pack of the tests' own, with no signature: it applies only to records whose URL
/// names site1 or site3.
const SITE_PACK: &str = r#"
[pack]
name = "sites"
publisher = "Example Sites"
hosts = ["site3.example", "site1.example"]

[[rule]]
id = "sites.comments.label"
family = "comments"
scope = "line"
phrases = ["comments"]
"#;

#[test]
fn warc_and_parquet_records_name_their_publisher() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("rules.toml"), SITE_PACK).unwrap();
    let rules = ["--no-default-patterns", "--patterns", "rules.toml"];
    // WET: the records' WARC-Target-URI names the pack for site1's and site3's records.
    std::fs::write(
        d.join("c.wet"),
        wet_records(&[HARBOUR, PLAIN, BAKERY]).concat(),
    )
    .unwrap();
    let mut args = vec!["clean", "c.wet", "--to-jsonl"];
    args.extend(rules);
    let texts = |args: &[&str]| -> Vec<String> {
        let r = run(d, args);
        assert_eq!((r.code, r.stderr.as_str()), (0, ""));
        r.stdout_str()
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["text"].as_str().unwrap().to_owned()
            })
            .collect()
    };
    assert_eq!(texts(&args), [HARBOUR, PLAIN, BAKERY]);
    args.extend(["--publisher-field", "WARC-Target-URI"]);
    let harbour_cut = HARBOUR.strip_suffix("Comments\n").unwrap();
    let bakery_cut = BAKERY.strip_suffix("Comments\n").unwrap();
    assert_eq!(texts(&args), [harbour_cut, PLAIN, bakery_cut]);
    // Parquet: a string column names each row's publisher; rows of site1 are cleaned.
    let Some(py) = pyarrow() else { return };
    write_table(&py, d, "t.parquet", "snappy");
    let mut args = vec!["clean", "t.parquet", "-o", "out.parquet"];
    args.extend(rules);
    args.extend(["--publisher-field", "url"]);
    let r = run(d, &args);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    let got = python(
        &py,
        d,
        r#"
import json, pyarrow.parquet as pq
print(json.dumps(pq.read_table("out.parquet")["text"].to_pylist(), separators=(",", ":")))
"#,
    );
    let want = serde_json::to_string(&[
        Some(HARBOUR),
        Some(PLAIN),
        None,
        Some(bakery_cut),
        Some(PLAIN),
        Some(harbour_cut),
        Some(BAKERY),
    ])
    .unwrap();
    assert_eq!(got, format!("{want}\n"));
    // A column that is not there is an error naming the file, and nothing is written.
    let r = run(
        d,
        &[
            "clean",
            "t.parquet",
            "-o",
            "out2.parquet",
            "--publisher-field",
            "site",
        ],
    );
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            2,
            "dechrome: error: t.parquet: no column `site` (columns: id, url, text, score, tags, \
             meta, seen, flag)\n"
        )
    );
    assert!(!d.join("out2.parquet").exists());
}
