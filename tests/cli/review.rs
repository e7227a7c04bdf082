//! `dechrome review`: the HTML page, opened in a real browser.
//!
//! Headless Chromium loads a page built from a small corpus written here and dumps its DOM; the
//! tests read the highlighted spans, the summary's counts and the results of the page's own
//! self-test (`#selftest`: sorting, filters, keyboard navigation). A screenshot must show the page,
//! not a blank window. Chromium is found through `DECHROME_CHROMIUM`, then `chromium`,
//! `chromium-browser` and `google-chrome` on `PATH` (`.ci/run` installs Debian's `chromium`).
//! Without it the browser tests are skipped, except under `CI=true` where they fail. The tests of
//! the command itself (guard, options, JSONL) need no browser.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{RULES_FILE, TextRun, own_args, run_in, write_files};

/// Three rules, so that the expected spans do not move when the built-in set grows.
const RULES: &str = r#"
[[rule]]
id = "t.share.bar"
family = "share"
scope = "line"
phrases = ["share this article"]

[[rule]]
id = "t.ad.marker"
family = "ad"
scope = "line"
phrases = ["advertisement"]

[[rule]]
id = "t.newsletter.signup"
family = "newsletter"
scope = "sentence"
phrases = ["sign up to our newsletter"]
"#;

/// The rule `--compare` adds.
const ADDED: &str = r#"
[[rule]]
id = "t.comments.prompt"
family = "comments"
scope = "line"
phrases = ["join the conversation"]
"#;

/// Three removals, and a comment prompt only the added rule removes.
const A: &str = "Rain fell on the city for the third day running, and the river rose.\n\
Advertisement\n\
The mayor spoke to reporters at noon. Sign up to our newsletter for more. She then left.\n\
Crews worked through the night to clear the drains.\n\
Join the conversation\n\
Share this article\n";

/// Markup that must be shown, never run.
const B: &str = "A page about markup: <script>alert(1)</script> is how a script starts.\n\
And </style> closes a style sheet, which the page must show as text.\n";

/// Latin-1, not UTF-8: the é is one invalid byte before the removal.
const C: &[u8] =
    b"The caf\xe9 owner, written in Latin-1 here, opened at seven as usual on Monday.\n\
Advertisement\n\
Customers queued around the block for the new pastries.\n";

/// All of its prose is chrome: refused.
const D: &str = "Advertisement\n\
Sign up to our newsletter and get the best stories of the week in your inbox.\n";

/// A directory with the rules, the added rule and the corpus `corpus/{a,b,c,d}.txt`.
fn corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (RULES_FILE, RULES),
            ("added.toml", ADDED),
            ("corpus/a.txt", A),
            ("corpus/b.txt", B),
            ("corpus/d.txt", D),
        ],
    );
    std::fs::write(dir.path().join("corpus/c.txt"), C).unwrap();
    dir
}

/// `dechrome review` with the test rules, then `extra`, in `dir`.
fn review(dir: &Path, extra: &[&str]) -> TextRun {
    run_in(dir, &own_args("review", extra), b"").into()
}

/// The Chromium executable, if one runs.
fn find_chromium() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("DECHROME_CHROMIUM").map(PathBuf::from),
        Some(PathBuf::from("chromium")),
        Some(PathBuf::from("chromium-browser")),
        Some(PathBuf::from("google-chrome")),
    ];
    candidates.into_iter().flatten().find(|p| {
        Command::new(p)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Chromium, or `None` after saying SKIPPED where `cargo test` shows it. Under `CI=true` a
/// missing browser fails the test instead.
fn chromium_or_skip(test: &str) -> Option<PathBuf> {
    use std::io::Write;
    let found = find_chromium();
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "Chromium is missing under CI=true; .ci/run installs Debian's chromium"
        );
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test}: chromium not found (apt-get install chromium, or set \
             DECHROME_CHROMIUM); this test checked nothing"
        );
    }
    found
}

/// Runs headless Chromium on `page` (`#fragment` appended) with `args`, in a profile of its own
/// under `work`; its stdout. Fails after a minute rather than hang the suite.
fn chromium(browser: &Path, work: &Path, args: &[String], page: &Path, fragment: &str) -> Vec<u8> {
    let profile = tempfile::tempdir_in(work).unwrap();
    let url = format!(
        "file://{}{fragment}",
        page.canonicalize().unwrap().display()
    );
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(&url)
        .current_dir(work)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium {args:?} {url}: {status}");
            break;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium {args:?} {url}: no result after 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().unwrap()
}

/// The DOM of `page` after its scripts ran, as Chromium serialises it.
fn dump_dom(browser: &Path, work: &Path, page: &Path, fragment: &str) -> String {
    let out = chromium(
        browser,
        work,
        &[
            // Virtual time: the page's scripts have run before the dump.
            "--virtual-time-budget=5000".into(),
            "--dump-dom".into(),
        ],
        page,
        fragment,
    );
    String::from_utf8(out).expect("the DOM as UTF-8")
}

/// Undoes the escapes Chromium writes in text and attribute values.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// The value of attribute `name` in a start tag's attribute text.
fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    let end = tag[at..].find('"')?;
    Some(unescape(&tag[at..at + end]))
}

/// One highlighted span as the DOM holds it.
#[derive(Debug, PartialEq, Eq)]
struct Mark {
    id: String,
    rule: String,
    side: String,
    label: String,
    text: String,
}

/// Every `<mark>` of the documents (after `<main>`), in order.
fn marks(dom: &str) -> Vec<Mark> {
    let main = &dom[dom.find("<main>").expect("a <main> element")..];
    let mut out = Vec::new();
    let mut rest = main;
    while let Some(at) = rest.find("<mark ") {
        let tag_end = at + rest[at..].find('>').unwrap();
        let tag = &rest[at..tag_end];
        let close = tag_end + rest[tag_end..].find("</mark>").unwrap();
        let get = |n: &str| attr(tag, n).unwrap_or_else(|| panic!("mark without {n}: {tag}"));
        out.push(Mark {
            id: get("id"),
            rule: get("data-rule"),
            side: get("data-side"),
            label: get("aria-label"),
            text: unescape(&rest[tag_end + 1..close]),
        });
        rest = &rest[close..];
    }
    out
}

fn mark(id: &str, rule: &str, side: &str, label: &str, text: &str) -> Mark {
    Mark {
        id: id.into(),
        rule: rule.into(),
        side: side.into(),
        label: label.into(),
        text: text.into(),
    }
}

/// The text of the element with this id (no nested elements but inline ones).
fn text_of(dom: &str, id: &str) -> String {
    let key = format!(" id=\"{id}\"");
    let at = dom.find(&key).unwrap_or_else(|| panic!("no #{id}"));
    let start = at + dom[at..].find('>').unwrap() + 1;
    let end = start + dom[start..].find("</").unwrap();
    unescape(&dom[start..end])
}

/// The `#selftest` lines every page passes.
const SELFTEST: [&str; 14] = [
    "PASS sort rules by count, largest first",
    "PASS sort rules by count, smallest first",
    "PASS sort rules by id",
    "PASS sort rules by id, reversed",
    "PASS sort families by count",
    "PASS links lead to removals",
    "PASS filter by family",
    "PASS filter by rule",
    "PASS filters cleared",
    "PASS key n goes to the first removal",
    "PASS key j goes to the next removal",
    "PASS key p goes back",
    "PASS key k wraps to the last removal",
    "PASS keys visit only filtered removals",
];

/// A decoded PNG: width, height and RGBA pixels.
struct Image {
    width: usize,
    height: usize,
    rgba: Vec<[u8; 4]>,
}

/// Decodes an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes).
fn decode_png(bytes: &[u8]) -> Image {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let mut at = 8;
    let (mut width, mut height, mut channels) = (0, 0, 0);
    let mut idat = Vec::new();
    while at + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        let kind = &bytes[at + 4..at + 8];
        let data = &bytes[at + 8..at + 8 + len];
        match kind {
            b"IHDR" => {
                width = u32::from_be_bytes(data[0..4].try_into().unwrap()) as usize;
                height = u32::from_be_bytes(data[4..8].try_into().unwrap()) as usize;
                assert_eq!(data[8], 8, "bit depth");
                channels = match data[9] {
                    2 => 3,
                    6 => 4,
                    other => panic!("PNG colour type {other}"),
                };
                assert_eq!(data[12], 0, "interlaced PNG");
            }
            b"IDAT" => idat.extend_from_slice(data),
            b"IEND" => break,
            _ => {}
        }
        at += 12 + len;
    }
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..])
        .read_to_end(&mut raw)
        .unwrap();
    let stride = width * channels;
    assert_eq!(raw.len(), height * (stride + 1), "PNG data size");
    let mut prev = vec![0u8; stride];
    let mut rgba = Vec::with_capacity(width * height);
    for row in raw.chunks(stride + 1) {
        let (filter, line) = (row[0], &row[1..]);
        let mut cur = vec![0u8; stride];
        for i in 0..stride {
            let a = if i >= channels { cur[i - channels] } else { 0 };
            let b = prev[i];
            let c = if i >= channels { prev[i - channels] } else { 0 };
            let predicted = match filter {
                0 => 0,
                1 => a,
                2 => b,
                3 => ((u16::from(a) + u16::from(b)) / 2) as u8,
                4 => {
                    let p = i16::from(a) + i16::from(b) - i16::from(c);
                    let (pa, pb, pc) = (
                        (p - i16::from(a)).abs(),
                        (p - i16::from(b)).abs(),
                        (p - i16::from(c)).abs(),
                    );
                    if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    }
                }
                f => panic!("PNG filter {f}"),
            };
            cur[i] = line[i].wrapping_add(predicted);
        }
        for px in cur.chunks(channels) {
            rgba.push([px[0], px[1], px[2], if channels == 4 { px[3] } else { 255 }]);
        }
        prev = cur;
    }
    Image {
        width,
        height,
        rgba,
    }
}

/// `#rrggbb` as bytes.
fn hex(colour: &str) -> [u8; 3] {
    let c = |i: usize| u8::from_str_radix(&colour[i..i + 2], 16).unwrap();
    [c(1), c(3), c(5)]
}

/// Builds the page of the corpus, opens it in Chromium with `#selftest`, and checks the spans,
/// the counts, the escaping and the self-test; then a screenshot.
#[test]
fn page_in_a_browser() {
    let Some(browser) = chromium_or_skip("page_in_a_browser") else {
        return;
    };
    let dir = corpus();
    let run = review(dir.path(), &["corpus", "-o", "review.html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(
            "dechrome: review: 4 documents (2 cleaned, 1 unchanged, 1 refused), 4 shown; wrote \
             review.html ("
        ),
        "{}",
        run.stderr
    );
    let page = dir.path().join("review.html");
    let dom = dump_dom(&browser, dir.path(), &page, "#selftest");

    let mut expected: Vec<String> = SELFTEST.iter().map(|s| s.to_string()).collect();
    expected.push("DONE 14 passed, 0 failed".into());
    assert_eq!(text_of(&dom, "selftest"), expected.join("\n"));

    let ad = "removed by t.ad.marker (ad)";
    let news = "removed by t.newsletter.signup (newsletter)";
    assert_eq!(
        marks(&dom),
        vec![
            mark("m0-0", "t.ad.marker", "one", ad, "Advertisement\n"),
            mark(
                "m0-1",
                "t.newsletter.signup",
                "one",
                news,
                "Sign up to our newsletter for more."
            ),
            mark(
                "m0-2",
                "t.share.bar",
                "one",
                "removed by t.share.bar (share)",
                "Share this article\n"
            ),
            mark("m2-0", "t.ad.marker", "one", ad, "Advertisement\n"),
            mark(
                "m3-0",
                "t.ad.marker",
                "one",
                "would be removed by t.ad.marker (ad)",
                "Advertisement\n"
            ),
            mark(
                "m3-1",
                "t.newsletter.signup",
                "one",
                "would be removed by t.newsletter.signup (newsletter)",
                "Sign up to our newsletter and get the best stories of the week in your inbox.\n"
            ),
        ]
    );
    for (id, n) in [
        ("count-documents", "4"),
        ("count-cleaned", "2"),
        ("count-unchanged", "1"),
        ("count-refused", "1"),
        // a.txt: "Advertisement\n" 14, "Sign up ... more. " 36, "Share this article\n" 19;
        // c.txt: "Advertisement\n" 14.
        ("count-chars", "83"),
    ] {
        assert_eq!(text_of(&dom, id), n, "#{id}");
    }
    // Per rule: removals, documents, characters (cleaned documents only: d.txt was refused).
    let row = |rule: &str| {
        let at = dom
            .find(&format!("<tr data-rule=\"{rule}\""))
            .unwrap_or_else(|| panic!("no row for {rule}"));
        let end = at + dom[at..].find("</tr>").unwrap();
        dom[at..end]
            .split("<td data-v=\"")
            .skip(1)
            .map(|c| c[..c.find('"').unwrap()].to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(row("t.ad.marker"), ["2", "2", "28"]);
    assert_eq!(row("t.newsletter.signup"), ["1", "1", "35"]);
    assert_eq!(row("t.share.bar"), ["1", "1", "19"]);
    assert!(
        dom.contains("<a href=\"#m0-1\">t.newsletter.signup</a>"),
        "the rule links to its first removal"
    );
    // The refused document carries the guard's numbers.
    assert!(dom.contains(
        "First set: refused: the rules would remove 100% of the paragraph text (limit 80%); left \
         unchanged"
    ));
    // The markup in b.txt is text: the page's own script is the only script element.
    assert_eq!(dom.matches("<script").count(), 1, "{dom}");
    assert!(dom.contains(
        "A page about markup: &lt;script&gt;alert(1)&lt;/script&gt; is how a script starts.\n\
         And &lt;/style&gt; closes a style sheet"
    ));
    assert_eq!(dom.matches("<style").count(), 1);
    // The invalid byte is a replacement character; the removal after it keeps its bytes.
    assert!(dom.contains(
        "The caf\u{FFFD} owner, written in Latin-1 here, opened at seven as usual on Monday.\n<mark \
         id=\"m2-0\""
    ));

    // A screenshot of the top of the page: the family table's colours must be on it. A page that
    // did not load, or was captured before it painted, is one flat colour.
    let shot = dir.path().join("shot.png");
    chromium(
        &browser,
        dir.path(),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1000,800".into(),
        ],
        &page,
        "",
    );
    let image = decode_png(&std::fs::read(&shot).expect("a screenshot"));
    assert_eq!((image.width, image.height), (1000, 800));
    let background = hex("#fafafa");
    let other = image
        .rgba
        .iter()
        .filter(|p| p[..3] != background[..])
        .count();
    assert!(
        other * 20 > image.rgba.len(),
        "the screenshot is blank: {other} of {} pixels differ from the background",
        image.rgba.len()
    );
    for family in ["ad", "newsletter", "share"] {
        let colour = hex(dechrome::review::family_colour(family));
        let n = image.rgba.iter().filter(|p| p[..3] == colour[..]).count();
        assert!(n > 100, "{family}'s colour is on {n} pixels");
    }
}

/// `--compare` with a rule added: the spans each set removes, and the counts at the top.
#[test]
fn compare_in_a_browser() {
    let Some(browser) = chromium_or_skip("compare_in_a_browser") else {
        return;
    };
    let dir = corpus();
    let run = review(
        dir.path(),
        &["corpus", "-o", "compare.html", "--compare", "added.toml"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = dir.path().join("compare.html");
    let dom = dump_dom(&browser, dir.path(), &page, "#selftest");

    let mut expected: Vec<String> = SELFTEST[..9].iter().map(|s| s.to_string()).collect();
    expected.push("PASS filter by side".into());
    expected.extend(SELFTEST[9..].iter().map(|s| s.to_string()));
    expected.push("DONE 15 passed, 0 failed".into());
    assert_eq!(text_of(&dom, "selftest"), expected.join("\n"));

    let both = |rule: &str, family: &str| format!("removed by both sets: {rule} ({family})");
    assert_eq!(
        marks(&dom),
        vec![
            mark(
                "m0-0",
                "t.ad.marker",
                "both",
                &both("t.ad.marker", "ad"),
                "Advertisement\n"
            ),
            mark(
                "m0-1",
                "t.newsletter.signup",
                "both",
                &both("t.newsletter.signup", "newsletter"),
                "Sign up to our newsletter for more."
            ),
            mark(
                "m0-2",
                "t.comments.prompt",
                "second",
                "removed only by the second set: t.comments.prompt (comments)",
                "Join the conversation\n"
            ),
            mark(
                "m0-3",
                "t.share.bar",
                "both",
                &both("t.share.bar", "share"),
                "Share this article\n"
            ),
            mark(
                "m2-0",
                "t.ad.marker",
                "both",
                &both("t.ad.marker", "ad"),
                "Advertisement\n"
            ),
        ]
    );
    for (id, n) in [
        ("count-only-first", "0"),
        ("count-only-second", "1"),
        ("count-both", "4"),
        ("count-differing", "1"),
        ("count-cleaned", "2"),
        ("count-cleaned-second", "2"),
        ("count-refused-second", "1"),
        ("count-chars", "83"),
        ("count-chars-second", "105"),
    ] {
        assert_eq!(text_of(&dom, id), n, "#{id}");
    }
    assert!(dom.contains("Second set: the first set + added.toml."));
    assert!(
        dom.contains(
            "<p class=\"sides\">only first <strong>0</strong> · only second <strong>1</strong> · \
             both <strong>3</strong></p>"
        ),
        "a.txt's own counts"
    );
}

/// The page's text is escaped before any browser sees it, and the options change what it holds.
#[test]
fn page_contents_without_a_browser() {
    let dir = corpus();
    let run = review(
        dir.path(),
        &[
            "corpus",
            "-o",
            "out/r.html",
            "--compare-disable",
            "t.ad.marker",
            "--max-chars",
            "80",
            "-q",
        ],
    );
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let html = std::fs::read_to_string(dir.path().join("out/r.html")).unwrap();
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("</style> closes"));
    // Without the ad rule the second set keeps both ads; d.txt stays refused by both sets.
    assert!(html.contains("id=\"count-only-first\">2<"), "{html}");
    assert!(html.contains("id=\"count-only-second\">0<"));
    assert!(html.contains("Second set: the first set - t.ad.marker."));
    // a.txt is cut after 80 characters, inside its ad line: that span is cut short, the two
    // after it are not shown.
    assert!(html.contains(
        "<p class=\"cut\">Cut after 80 characters: the other 185 characters (3 spans or parts of \
         spans) are not shown.</p>"
    ));
    assert!(html.contains("data-side=\"first\" title=\"t.ad.marker (ad)\" aria-label=\"removed only by the first set: t.ad.marker (ad)\">Advertiseme</mark></pre>"), "{html}");
    assert!(!html.contains("http://") && !html.contains("https://"));

    // A name that leaves nothing out is refused (a typo would compare a set with itself).
    let run = review(
        dir.path(),
        &["corpus", "-o", "r.html", "--compare-disable", "t.nope"],
    );
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "dechrome: error: --compare-disable t.nope: no rule, pack or family of that name in the \
         first set\n"
    );
    assert!(!dir.path().join("r.html").exists());
}

/// The page goes through the output guard: never over, into or through an input.
#[test]
fn output_guard() {
    let dir = corpus();
    for (out, message) in [
        (
            "corpus/a.txt",
            "dechrome: error: output corpus/a.txt is inside input corpus; choose a path outside \
             the inputs\n",
        ),
        (
            "corpus/new.html",
            "dechrome: error: output corpus/new.html is inside input corpus; choose a path \
             outside the inputs\n",
        ),
    ] {
        let run = review(dir.path(), &["corpus", "-o", out]);
        assert_eq!((run.code, run.stderr.as_str()), (2, message));
    }
    let run = review(dir.path(), &["corpus/a.txt", "-o", "corpus/a.txt"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            2,
            "dechrome: error: output corpus/a.txt is input corpus/a.txt\n"
        )
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("corpus/a.txt")).unwrap(),
        A
    );
    assert!(!dir.path().join("corpus/new.html").exists());
    let run = review(dir.path(), &["corpus", "-o", "corpus2"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    std::fs::create_dir(dir.path().join("outdir")).unwrap();
    let run = review(dir.path(), &["corpus", "-o", "outdir"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            2,
            "dechrome: error: -o outdir is a directory; name the HTML file to write\n"
        )
    );
}

/// JSONL (compressed) with `--field`, a malformed record, and a sample that does not depend on the
/// threads.
#[test]
fn jsonl_records_and_sample() {
    let dir = corpus();
    let records = format!(
        "{}\n\n{}\nnot json\n{}\n",
        serde_json::json!({"id": 1, "body": A}),
        serde_json::json!({"id": 2, "body": B}),
        serde_json::json!({"id": 3, "body": D}),
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, records.as_bytes()).unwrap();
    std::fs::write(dir.path().join("in.jsonl.gz"), gz.finish().unwrap()).unwrap();
    let run = review(
        dir.path(),
        &["--jsonl", "--field", "body", "in.jsonl.gz", "-o", "j.html"],
    );
    assert_eq!(run.code, 2, "a malformed record is an error");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(
        lines[0],
        "dechrome: error: in.jsonl.gz:4: invalid JSON record: expected ident (column 2)"
    );
    assert!(lines[1].starts_with(
        "dechrome: review: 3 documents (1 cleaned, 1 unchanged, 1 refused), 3 shown; wrote j.html"
    ));
    let html = std::fs::read_to_string(dir.path().join("j.html")).unwrap();
    for name in ["in.jsonl.gz:1", "in.jsonl.gz:3", "in.jsonl.gz:5"] {
        assert!(html.contains(&format!("<span class=\"name\">{name}</span>")));
    }
    assert!(html.contains("<td id=\"count-failed\">1</td>"));

    // Two of the four files, the same two whatever the threads; another seed may choose others.
    let names = |extra: &[&str]| {
        let mut args = vec!["corpus", "-o", "s.html", "--sample", "2", "-q"];
        args.extend_from_slice(extra);
        let run = review(dir.path(), &args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let html = std::fs::read_to_string(dir.path().join("s.html")).unwrap();
        assert!(html.contains("<td id=\"count-documents\">4</td>"));
        html.split("<span class=\"name\">")
            .skip(1)
            .map(|s| s[..s.find('<').unwrap()].to_string())
            .collect::<Vec<_>>()
    };
    let one = names(&["-j", "1"]);
    assert_eq!(one.len(), 2);
    assert_eq!(names(&["-j", "2"]), one);
    let seeds: Vec<Vec<String>> = (1..6).map(|s| names(&["--seed", &s.to_string()])).collect();
    assert!(
        seeds.iter().any(|n| *n != one),
        "the seed chooses the sample"
    );
}

/// Compressed files are read as `clean` reads them.
#[test]
fn compressed_files() {
    let dir = corpus();
    let zst = zstd::encode_all(A.as_bytes(), 3).unwrap();
    std::fs::write(dir.path().join("a.txt.zst"), zst).unwrap();
    let run = review(dir.path(), &["a.txt.zst", "-o", "z.html", "-q"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let html = std::fs::read_to_string(dir.path().join("z.html")).unwrap();
    assert!(
        html.contains("<span class=\"name\">a.txt.zst</span> <span class=\"count\">3 spans</span>")
    );
    assert!(
        html.contains("aria-label=\"removed by t.share.bar (share)\">Share this article\n</mark>")
    );
}
