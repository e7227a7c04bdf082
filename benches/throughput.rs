//! Throughput benchmark: `cargo bench --bench throughput [-- --size 1G --runs 1 --dir DIR]`.
//!
//! First, on real pages: a 150 MB JSONL corpus of the evaluation sets' article texts, built by
//! `../shared/perf/make_corpus.py` (the section is skipped, with a message, when `../shared` is
//! missing): `cat`, `LC_ALL=C grep -v -i -F -f phrases.txt` and `rg -v -i -F -f phrases.txt`
//! (`../shared/perf/phrases.txt`, ~300 common chrome phrases: what a person scripts by hand),
//! `dechrome clean --jsonl` with 1 and 2 threads (MB/s, peak RSS); start-up (median wall time and
//! peak RSS of `echo 'Share this article' | dechrome clean` and of `dechrome clean` on seed 004, a
//! whole article); tree mode (`clean DIR -o OUT`, one thread) against `cp -r` on a tree of the
//! corpus's pages, in files/s. The floors of issue 17 are checked and printed.
//!
//! Then, on a synthetic corpus:
//! generates a reproducible corpus (seeded: article prose with about 10% chrome lines made from the
//! pattern set's own phrases in many variants), as a tree of text files, the same texts in one file,
//! and one JSONL file. Then it times, in the same run: `cat` (the read limit), `LC_ALL=C grep -v -i
//! -F -f PHRASES` and `rg -v -i -F -f PHRASES` (where installed) over the text file, and `dechrome
//! clean` in JSONL and tree mode with one thread and with all threads. PHRASES is exported from the
//! pattern set dechrome uses (`dechrome patterns phrases`), so every tool looks for the same strings.
//! grep and rg also run with `-x` (a phrase must be the whole line, as a line phrase is for
//! dechrome): with `-F` alone, short phrases of the set ("and", "a", "+") occur in most prose lines,
//! so grep drops nearly every line and stops at the first hit of each; the share of lines each
//! keeps is printed beside it. It prints MB/s, peak RSS and ratios. Speed is measured here, never
//! asserted in tests.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const DECHROME: &str = env!("CARGO_BIN_EXE_dechrome");

/// splitmix64: a tiny seeded generator, so the corpus is the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

const WORDS: &str = "the council said on tuesday that its plans for the new bridge would go ahead despite \
objections from residents who argued the project was too expensive and would damage the river \
government ministers have been under pressure to explain why the budget rose sharply during the \
last year while hospitals schools and police forces faced cuts experts warned that inflation could \
remain high for months as energy prices continued to climb across europe and north america the \
report published by researchers at the university found that young people were more likely to \
rent than to buy a home in most cities where wages have not kept pace with house prices officials \
confirmed the storm had left thousands without power and several roads were closed after heavy \
rain flooded towns along the coast the company announced record profits but said it would cut \
jobs as demand for its products slowed in china investors reacted cautiously and shares fell \
in early trading before recovering later in the afternoon the minister told reporters that talks \
with unions would resume next week and that a deal was possible if both sides showed flexibility \
scientists say the discovery could change how doctors treat the disease although more trials are \
needed before any new drug reaches patients the match ended in a draw after a late goal from the \
visiting side whose manager praised his players for their spirit and determination in difficult \
conditions local businesses welcomed the decision which they hope will bring more visitors to the \
area during the summer months when tourism usually peaks police appealed for witnesses after the \
incident which happened shortly before midnight near the station";

const NAMES: &[&str] = &[
    "Smith", "Johnson", "Patel", "Garcia", "Müller", "Nowak", "O'Brien", "Kowalski", "Dubois",
    "Rossi",
];

fn sentence(rng: &mut Rng, words: &[&str], out: &mut String) {
    let n = 8 + rng.below(18);
    for i in 0..n {
        let w = *rng.pick(words);
        if i == 0 {
            let mut c = w.chars();
            let first = c.next().unwrap_or(' ').to_uppercase().to_string();
            out.push_str(&first);
            out.push_str(c.as_str());
        } else {
            out.push(' ');
            if rng.chance(3) {
                out.push_str(NAMES[rng.below(NAMES.len())]);
            } else {
                out.push_str(w);
            }
            if rng.chance(6) && i + 1 < n {
                out.push(',');
            }
        }
    }
    out.push_str(match rng.below(20) {
        0 => "?",
        1 => "!",
        2 => ".\u{201D}",
        _ => ".",
    });
}

/// A chrome line made from a phrase: changed case, typographic variants, bullets and punctuation.
fn chrome(rng: &mut Rng, phrase: &str) -> String {
    let mut s: String = match rng.below(4) {
        0 => phrase.to_string(),
        1 => phrase.to_uppercase(),
        2 => phrase
            .split(' ')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect::<String>())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(" "),
        _ => {
            let mut c = phrase.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        }
    };
    if rng.chance(30) {
        s = s.replace('\'', "\u{2019}").replace(" - ", " \u{2013} ");
    }
    if rng.chance(15) {
        s = s.replacen(' ', "\u{00A0}", 1);
    }
    if rng.chance(10) {
        s = s.replacen(' ', "  ", 1);
    }
    let pre = *rng.pick(&["", "", "", "• ", "> ", "| ", "  "]);
    let post = *rng.pick(&["", "", "", ":", ".", " ›", " »", " "]);
    format!("{pre}{s}{post}")
}

/// One article: a headline, paragraphs, and chrome lines (about 10% of lines).
fn document(rng: &mut Rng, words: &[&str], phrases: &[String], out: &mut String) {
    let mut headline = String::new();
    sentence(rng, words, &mut headline);
    out.push_str(headline.trim_end_matches(['.', '?', '!', '\u{201D}']));
    out.push_str("\n\n");
    let paragraphs = 4 + rng.below(14);
    for _ in 0..paragraphs {
        if rng.chance(10) && !phrases.is_empty() {
            let p = phrases[rng.below(phrases.len())].clone();
            out.push_str(&chrome(rng, &p));
            out.push('\n');
        }
        let n = 1 + rng.below(5);
        for k in 0..n {
            if k > 0 {
                out.push(' ');
            }
            if rng.chance(2) && !phrases.is_empty() {
                // A phrase inside prose: a near miss that must stay.
                out.push_str("She said that ");
                out.push_str(&phrases[rng.below(phrases.len())]);
                out.push_str(" was not the point.");
            } else {
                sentence(rng, words, out);
            }
        }
        out.push('\n');
    }
    if rng.chance(10) && !phrases.is_empty() {
        let p = phrases[rng.below(phrases.len())].clone();
        out.push_str(&chrome(rng, &p));
        out.push('\n');
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

struct Corpus {
    text: PathBuf,
    jsonl: PathBuf,
    tree: PathBuf,
    text_bytes: u64,
    jsonl_bytes: u64,
    docs: usize,
}

fn generate(dir: &Path, size: u64, phrases: &[String], pattern_key: &str) -> Corpus {
    let stamp = dir.join("corpus.done");
    let want = format!("size={size} seed=1 {pattern_key}\n");
    let corpus = |docs| Corpus {
        text: dir.join("corpus.txt"),
        jsonl: dir.join("corpus.jsonl"),
        tree: dir.join("tree"),
        text_bytes: std::fs::metadata(dir.join("corpus.txt"))
            .map(|m| m.len())
            .unwrap_or(0),
        jsonl_bytes: std::fs::metadata(dir.join("corpus.jsonl"))
            .map(|m| m.len())
            .unwrap_or(0),
        docs,
    };
    if let Ok(s) = std::fs::read_to_string(&stamp)
        && let Some((head, docs)) = s.rsplit_once("docs=")
        && head == want
    {
        eprintln!("bench: reusing the corpus in {}", dir.display());
        return corpus(docs.trim().parse().unwrap_or(0));
    }
    eprintln!(
        "bench: generating a {} MB corpus in {}",
        size / 1_000_000,
        dir.display()
    );
    let _ = std::fs::remove_dir_all(dir.join("tree"));
    std::fs::create_dir_all(dir.join("tree")).unwrap();
    let words: Vec<&str> = WORDS.split_whitespace().collect();
    let mut rng = Rng(1);
    let mut text = std::io::BufWriter::new(std::fs::File::create(dir.join("corpus.txt")).unwrap());
    let mut jsonl =
        std::io::BufWriter::new(std::fs::File::create(dir.join("corpus.jsonl")).unwrap());
    let (mut written, mut docs) = (0u64, 0usize);
    let mut doc = String::new();
    while written < size {
        doc.clear();
        document(&mut rng, &words, phrases, &mut doc);
        let sub = dir.join("tree").join(format!("{:04}", docs / 1000));
        if docs % 1000 == 0 {
            std::fs::create_dir_all(&sub).unwrap();
        }
        std::fs::write(sub.join(format!("{docs:07}.txt")), &doc).unwrap();
        text.write_all(doc.as_bytes()).unwrap();
        writeln!(
            jsonl,
            "{{\"id\":{docs},\"url\":\"https://news.example/{docs}\",\"text\":{},\"lang\":\"en\"}}",
            json_string(&doc)
        )
        .unwrap();
        written += doc.len() as u64;
        docs += 1;
    }
    text.flush().unwrap();
    jsonl.flush().unwrap();
    std::fs::write(&stamp, format!("{want}docs={docs}\n")).unwrap();
    corpus(docs)
}

/// Where `/usr/bin/time` writes a command's peak RSS, when it is installed. A child's own
/// `ru_maxrss` is no use: Linux counts in it the resident set of the process it was forked from
/// (this one, holding a corpus), so every row read at least this process's size.
fn rss_file() -> Option<PathBuf> {
    Path::new("/usr/bin/time")
        .is_file()
        .then(|| std::env::temp_dir().join(format!("dechrome-bench-rss-{}", std::process::id())))
}

/// `cmd` run under `/usr/bin/time -f %M -o FILE` (same arguments, environment and directory).
fn under_time(cmd: &Command, file: &Path) -> Command {
    let mut c = Command::new("/usr/bin/time");
    c.args(["-f", "%M", "-o"]).arg(file).arg(cmd.get_program());
    c.args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    if let Some(d) = cmd.get_current_dir() {
        c.current_dir(d);
    }
    c
}

/// The peak RSS (kB) that `/usr/bin/time` wrote to `file` (its last line), removing the file.
fn read_rss(file: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(file).ok()?;
    let _ = std::fs::remove_file(file);
    text.lines().last()?.trim().parse().ok()
}

/// Wall time (s), CPU time (s), peak RSS (kB) and output lines of a command. Its stdout goes through
/// a pipe that is read and discarded (GNU grep stops at the first match when its output is
/// /dev/null). The command runs under `/usr/bin/time` when it is installed, for its own peak RSS.
fn measure(cmd: &mut Command) -> Option<(f64, f64, u64, u64)> {
    let file = rss_file();
    let mut wrapped = file.as_deref().map(|f| under_time(cmd, f));
    let cmd = wrapped.as_mut().unwrap_or(cmd);
    let start = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut pipe = child.stdout.take()?;
    let drain = std::thread::spawn(move || count_lines_of(&mut pipe));
    let mut status = 0;
    // SAFETY: `rusage` is plain data; wait4 fills it for our own child, which std never reaps
    // because we do not call `wait` on it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let lines = drain.join().unwrap_or(0);
    let secs = start.elapsed().as_secs_f64();
    if pid < 0 {
        return None;
    }
    let ok = libc::WIFEXITED(status) && matches!(libc::WEXITSTATUS(status), 0 | 1);
    if !ok {
        eprintln!("bench: {cmd:?} failed with status {status}");
        return None;
    }
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    let rss = file
        .as_deref()
        .and_then(read_rss)
        .unwrap_or(usage.ru_maxrss as u64);
    Some((secs, tv(usage.ru_utime) + tv(usage.ru_stime), rss, lines))
}

/// Lines of a file, read in pieces.
fn count_lines(path: &Path) -> u64 {
    std::fs::File::open(path).map_or(0, |mut f| count_lines_of(&mut f))
}

/// Lines of a stream, read in 1 MiB pieces.
fn count_lines_of(r: &mut impl std::io::Read) -> u64 {
    let mut buf = vec![0u8; 1 << 20];
    let mut lines = 0u64;
    while let Ok(n) = r.read(&mut buf) {
        if n == 0 {
            break;
        }
        lines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
    }
    lines
}

/// A pattern file of `n` synthetic line-scope phrases, to measure a pattern set of a given size.
fn extra_rules(n: usize) -> String {
    const TEMPLATES: &[&str] = &[
        "follow {} on twitter",
        "sign up to the {} newsletter",
        "more from {}",
        "read more on {}",
        "the {} morning briefing",
        "get the {} app",
        "subscribe to {}",
        "support {} journalism",
        "listen to the {} podcast",
        "{} live updates",
    ];
    const OUTLETS: &[&str] = &[
        "the daily courier",
        "metro herald",
        "the evening post",
        "city chronicle",
        "the northern star",
        "coastal times",
        "the valley gazette",
        "river news",
        "the morning ledger",
        "capital report",
        "the harbour journal",
        "east end echo",
        "the weekly sentinel",
        "highland press",
        "the bay observer",
        "lakeside tribune",
        "the county mail",
        "western dispatch",
        "the old town bulletin",
        "south shore news",
        "the market record",
        "hilltop voice",
        "the union reporter",
        "plains register",
        "the summit herald",
        "the quay times",
        "forest gazette",
        "the borough post",
        "delta chronicle",
        "the island courier",
    ];
    let mut out = String::from(
        "# Synthetic phrases for the throughput benchmark.\n\n[[rule]]\nid = \"bench.other.extra\"\nfamily = \"other\"\nscope = \"line\"\nphrases = [\n",
    );
    for i in 0..n {
        let t = TEMPLATES[i % TEMPLATES.len()];
        let o = OUTLETS[(i / TEMPLATES.len()) % OUTLETS.len()];
        let round = i / (TEMPLATES.len() * OUTLETS.len());
        let phrase = t.replace("{}", o);
        let phrase = if round > 0 {
            format!("{phrase} {round}")
        } else {
            phrase
        };
        out.push_str(&format!("    {phrase:?},\n"));
    }
    out.push_str("]\n");
    out
}

fn parse_size(s: &str) -> u64 {
    let (num, mult) = match s.chars().last() {
        Some('G' | 'g') => (&s[..s.len() - 1], 1_000_000_000),
        Some('M' | 'm') => (&s[..s.len() - 1], 1_000_000),
        Some('K' | 'k') => (&s[..s.len() - 1], 1_000),
        _ => (s, 1),
    };
    let n: f64 = num.parse().unwrap_or_else(|_| panic!("bad size {s:?}"));
    (n * mult as f64) as u64
}

struct Row {
    name: String,
    bytes: u64,
    secs: f64,
    cpu: f64,
    rss_kb: u64,
    /// Share of the input's lines in the output (grep and rg only).
    kept: Option<f64>,
}

impl Row {
    fn mbps(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.secs
    }
}

fn main() {
    let mut size = parse_size("1G");
    let mut runs = 1;
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench-data");
    let mut patterns: Vec<String> = Vec::new();
    let mut extra = 0usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--size" => size = parse_size(&args.next().expect("--size N[K|M|G]")),
            "--runs" => runs = args.next().expect("--runs N").parse().expect("--runs N"),
            "--dir" => dir = PathBuf::from(args.next().expect("--dir DIR")),
            "--patterns" => patterns.push(args.next().expect("--patterns PATH")),
            "--extra-phrases" => {
                extra = args
                    .next()
                    .expect("--extra-phrases N")
                    .parse()
                    .expect("--extra-phrases N")
            }
            "--bench" => {}
            other => panic!(
                "unknown argument {other:?}; use --size, --runs, --dir, --patterns, --extra-phrases"
            ),
        }
    }
    std::fs::create_dir_all(&dir).unwrap();
    if extra > 0 {
        let file = dir.join("extra-phrases.toml");
        std::fs::write(&file, extra_rules(extra)).unwrap();
        patterns.push(file.display().to_string());
    }
    real_pages(&dir, &patterns);
    let pattern_args: Vec<String> = patterns
        .iter()
        .flat_map(|p| ["--patterns".to_string(), p.clone()])
        .collect();
    let out = Command::new(DECHROME)
        .args(["patterns", "phrases"])
        .args(&pattern_args)
        .output()
        .expect("run dechrome patterns phrases");
    assert!(out.status.success(), "dechrome patterns phrases failed");
    let phrases: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    std::fs::create_dir_all(&dir).unwrap();
    let key = format!("phrases={}", phrases.join("|").len());
    let corpus = generate(&dir, size, &phrases, &key);
    let phrase_file = dir.join("phrases.txt");
    std::fs::write(
        &phrase_file,
        phrases.iter().map(|p| format!("{p}\n")).collect::<String>(),
    )
    .unwrap();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    eprintln!(
        "bench: {} documents, {} MB text, {} MB JSONL, {} phrases, {threads} cores, best of {runs}",
        corpus.docs,
        corpus.text_bytes / 1_000_000,
        corpus.jsonl_bytes / 1_000_000,
        phrases.len()
    );
    let have_rg = Command::new("rg")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok();
    let tree_out = dir.join("out-tree");
    let _ = std::fs::remove_dir_all(&tree_out);
    // Streamed: without /usr/bin/time the children's peak RSS includes this process's (see `rss_file`).
    let text_lines = count_lines(&corpus.text);
    let mut rows: Vec<Row> = Vec::new();
    let mut run = |name: &str, bytes: u64, make: &dyn Fn() -> Command, before: &dyn Fn()| {
        let mut best: Option<(f64, f64, u64, u64)> = None;
        for _ in 0..runs {
            before();
            if let Some((s, c, rss, lines)) = measure(&mut make()) {
                best = Some(match best {
                    Some((bs, bc, br, _)) => (bs.min(s), bc.min(c), br.max(rss), lines),
                    None => (s, c, rss, lines),
                });
            }
        }
        if let Some((secs, cpu, rss_kb, lines)) = best {
            let filter = name.starts_with("LC_ALL=C grep") || name.starts_with("rg ");
            let row = Row {
                name: name.to_string(),
                bytes,
                secs,
                cpu,
                rss_kb,
                kept: (filter && text_lines > 0).then(|| lines as f64 / text_lines as f64),
            };
            eprintln!("bench: {:<34} {:>8.1} MB/s", row.name, row.mbps());
            rows.push(row);
        }
    };
    let nothing = || {};
    let text = corpus.text.clone();
    let jsonl = corpus.jsonl.clone();
    let (tb, jb) = (corpus.text_bytes, corpus.jsonl_bytes);
    run(
        "cat",
        tb,
        &|| {
            let mut c = Command::new("cat");
            c.arg(&text);
            c
        },
        &nothing,
    );
    for flags in [&["-v", "-i", "-F"][..], &["-v", "-i", "-F", "-x"][..]] {
        run(
            &format!("LC_ALL=C grep {} -f", flags.join(" ")),
            tb,
            &|| {
                let mut c = Command::new("grep");
                c.env("LC_ALL", "C")
                    .args(flags)
                    .arg("-f")
                    .arg(&phrase_file)
                    .arg(&text);
                c
            },
            &nothing,
        );
        if have_rg {
            run(
                &format!("rg {} -f", flags.join(" ")),
                tb,
                &|| {
                    let mut c = Command::new("rg");
                    c.args(flags).arg("-f").arg(&phrase_file).arg(&text);
                    c
                },
                &nothing,
            );
        }
    }
    if !have_rg {
        eprintln!("bench: rg (ripgrep) is not installed; `apt-get install ripgrep` to compare");
    }
    for (label, jobs) in [("1 thread", 1), ("all threads", threads)] {
        let j = jobs.to_string();
        run(
            &format!("dechrome --jsonl, {label}"),
            jb,
            &|| {
                let mut c = Command::new(DECHROME);
                c.args(["clean", "--jsonl", "-q", "-j", &j])
                    .args(&pattern_args)
                    .arg(&jsonl);
                c
            },
            &nothing,
        );
    }
    for (label, jobs) in [("1 thread", 1), ("all threads", threads)] {
        let j = jobs.to_string();
        let tree = corpus.tree.clone();
        // Each run writes a fresh directory (deleting a large tree takes long); all go at the end.
        let fresh = std::cell::Cell::new(0);
        let out = || tree_out.join(format!("{jobs}-{}", fresh.replace(fresh.get() + 1)));
        run(
            &format!("dechrome tree -o, {label}"),
            tb,
            &|| {
                let mut c = Command::new(DECHROME);
                c.args(["clean", "-q", "-j", &j])
                    .args(&pattern_args)
                    .arg(&tree)
                    .arg("-o")
                    .arg(out());
                c
            },
            &nothing,
        );
    }
    let find = |prefix: &str| {
        rows.iter()
            .find(|r| r.name.starts_with(prefix))
            .map(Row::mbps)
    };
    let grep = find("LC_ALL=C grep -v -i -F -f");
    let rg = find("rg -v -i -F -f");
    println!();
    println!(
        "| tool | MB/s | seconds | CPU seconds | MB per CPU second | peak RSS | lines kept | x grep | x rg |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        let ratio = |base: Option<f64>| {
            base.map(|b| format!("{:.2}", r.mbps() / b))
                .unwrap_or_else(|| "-".into())
        };
        println!(
            "| {} | {:.1} | {:.2} | {:.2} | {:.1} | {:.1} MB | {} | {} | {} |",
            r.name,
            r.mbps(),
            r.secs,
            r.cpu,
            r.bytes as f64 / 1e6 / r.cpu.max(1e-9),
            r.rss_kb as f64 / 1024.0,
            r.kept
                .map(|k| format!("{:.1}%", k * 100.0))
                .unwrap_or_else(|| "-".into()),
            ratio(grep),
            ratio(rg)
        );
    }
    let one = find("dechrome --jsonl, 1 thread");
    let all = find("dechrome --jsonl, all threads");
    let tree_one = find("dechrome tree -o, 1 thread");
    let tree_all = find("dechrome tree -o, all threads");
    println!();
    println!(
        "x grep, x rg: against `-v -i -F` (substring; it keeps the share of lines shown). Ratios use"
    );
    println!("wall time; on a busy machine, compare MB per CPU second as well.");
    if let Some(o) = one {
        let vs = |prefix: &str| {
            find(prefix)
                .map(|b| format!("{:.2}", o / b))
                .unwrap_or_else(|| "-".into())
        };
        println!(
            "JSONL, 1 thread: x grep -F {}, x rg -F {}, x grep -F -x {}, x rg -F -x {}",
            vs("LC_ALL=C grep -v -i -F -f"),
            vs("rg -v -i -F -f"),
            vs("LC_ALL=C grep -v -i -F -x -f"),
            vs("rg -v -i -F -x -f")
        );
    }
    if let (Some(o), Some(a)) = (one, all) {
        println!("JSONL: all threads / 1 thread = {:.2}", a / o);
    }
    if let (Some(o), Some(a)) = (tree_one, tree_all) {
        println!("tree:  all threads / 1 thread = {:.2}", a / o);
    }
    if let Some(r) = rows
        .iter()
        .filter(|r| r.name.starts_with("dechrome --jsonl"))
        .map(|r| r.rss_kb)
        .max()
    {
        println!("JSONL peak RSS: {:.1} MB", r as f64 / 1024.0);
    }
    eprintln!("bench: removing {}", tree_out.display());
    let _ = std::fs::remove_dir_all(&tree_out);
}

/// Median of some numbers.
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The real-page section (see the module docs).
/// Writes the texts of the real-page JSONL corpus as a WET file (a warcinfo record, then one
/// conversion record per text, in Common Crawl's header layout) and, with the `parquet` feature,
/// as a Parquet file (`id`, `text`; row groups of 1000 rows, snappy).
fn containers(corpus: &Path, wet: &Path, parquet: &Path) {
    if wet.is_file() && (parquet.is_file() || !cfg!(feature = "parquet")) {
        return;
    }
    // Streamed, 1000 documents at a time: the children's peak RSS includes this process's.
    let input = std::io::BufReader::new(std::fs::File::open(corpus).unwrap());
    let mut out = std::io::BufWriter::new(std::fs::File::create(wet).unwrap());
    let info = b"isPartOf: bench\r\n";
    write!(
        out,
        "WARC/1.0\r\nWARC-Type: warcinfo\r\nWARC-Date: 2026-12-01T00:00:00Z\r\n\
         WARC-Record-ID: <urn:uuid:bench>\r\nContent-Type: application/warc-fields\r\n\
         Content-Length: {}\r\n\r\n",
        info.len()
    )
    .unwrap();
    out.write_all(info).unwrap();
    out.write_all(b"\r\n\r\n").unwrap();
    #[cfg(feature = "parquet")]
    let mut table = ParquetOut::new(parquet);
    #[cfg(not(feature = "parquet"))]
    let _ = parquet;
    let mut docs: Vec<(String, String)> = Vec::new();
    let mut lines = std::io::BufRead::lines(input);
    loop {
        let line = lines.next();
        if let Some(l) = &line
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(l.as_ref().unwrap())
            && let (Some(id), Some(t)) = (v["id"].as_str(), v["text"].as_str())
        {
            docs.push((id.to_string(), t.to_string()));
        }
        if docs.len() == 1000 || (line.is_none() && !docs.is_empty()) {
            for (id, t) in &docs {
                write!(
                    out,
                    "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: https://bench.example/{id}\r\n\
                     WARC-Date: 2026-12-01T00:00:00Z\r\nWARC-Record-ID: <urn:uuid:{id}>\r\n\
                     Content-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
                    t.len()
                )
                .unwrap();
                out.write_all(t.as_bytes()).unwrap();
                out.write_all(b"\r\n\r\n").unwrap();
            }
            #[cfg(feature = "parquet")]
            table.row_group(&docs);
            docs.clear();
        }
        if line.is_none() {
            break;
        }
    }
    out.flush().unwrap();
    #[cfg(feature = "parquet")]
    table.finish();
}

/// A Parquet file of `id` and `text` columns, snappy, written one row group at a time.
#[cfg(feature = "parquet")]
struct ParquetOut(parquet::file::writer::SerializedFileWriter<std::fs::File>);

#[cfg(feature = "parquet")]
impl ParquetOut {
    fn new(path: &Path) -> ParquetOut {
        let schema = std::sync::Arc::new(
            parquet::schema::parser::parse_message_type(
                "message doc { required binary id (STRING); required binary text (STRING); }",
            )
            .unwrap(),
        );
        let props = parquet::file::properties::WriterProperties::builder()
            .set_compression(parquet::basic::Compression::SNAPPY)
            .build();
        let file = std::fs::File::create(path).unwrap();
        ParquetOut(
            parquet::file::writer::SerializedFileWriter::new(
                file,
                schema,
                std::sync::Arc::new(props),
            )
            .unwrap(),
        )
    }

    fn row_group(&mut self, docs: &[(String, String)]) {
        use parquet::data_type::{ByteArray, ByteArrayType};
        let mut rg = self.0.next_row_group().unwrap();
        for col in 0..2 {
            let values: Vec<ByteArray> = docs
                .iter()
                .map(|(id, t)| ByteArray::from(if col == 0 { id.as_str() } else { t.as_str() }))
                .collect();
            let mut c = rg.next_column().unwrap().unwrap();
            c.typed::<ByteArrayType>()
                .write_batch(&values, None, None)
                .unwrap();
            c.close().unwrap();
        }
        rg.close().unwrap();
    }

    fn finish(self) {
        self.0.close().unwrap();
    }
}

fn real_pages(dir: &Path, patterns: &[String]) {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let script = shared.join("perf/make_corpus.py");
    let phrases = shared.join("perf/phrases.txt");
    if !script.is_file() || !phrases.is_file() {
        eprintln!(
            "bench: {} not found; skipping the real-page rows (they need ../shared/perf)",
            script.display()
        );
        return;
    }
    let corpus = dir.join("real-pages.jsonl");
    if !corpus.is_file() {
        let ok = Command::new("python3")
            .arg(&script)
            .arg(&corpus)
            .args(["--mb", "150"])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("bench: make_corpus.py failed; skipping the real-page rows");
            return;
        }
    }
    let bytes = std::fs::metadata(&corpus).map_or(0, |m| m.len());
    let pattern_args: Vec<String> = patterns
        .iter()
        .flat_map(|p| ["--patterns".to_string(), p.clone()])
        .collect();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    eprintln!(
        "bench: real pages, {} MB JSONL; load average {}",
        bytes / 1_000_000,
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let have_rg = Command::new("rg")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok();
    // (name, MB/s, CPU seconds, peak RSS MB)
    let mut rows: Vec<(String, f64, f64, f64)> = Vec::new();
    let mut run = |name: &str, cmd: &mut Command| {
        if let Some((secs, cpu, rss, _)) = measure(cmd) {
            let mbps = bytes as f64 / 1e6 / secs;
            eprintln!("bench: {name:<40} {mbps:>8.1} MB/s");
            rows.push((name.to_string(), mbps, cpu, rss as f64 / 1024.0));
        }
    };
    let mut cat = Command::new("cat");
    cat.arg(&corpus);
    run("cat", &mut cat);
    let mut grep = Command::new("grep");
    grep.env("LC_ALL", "C")
        .args(["-v", "-i", "-F", "-f"])
        .arg(&phrases)
        .arg(&corpus);
    run("LC_ALL=C grep -v -i -F -f phrases.txt", &mut grep);
    if have_rg {
        let mut rg = Command::new("rg");
        rg.args(["-v", "-i", "-F", "-f"]).arg(&phrases).arg(&corpus);
        run("rg -v -i -F -f phrases.txt", &mut rg);
    } else {
        eprintln!("bench: rg (ripgrep) is not installed; `apt-get install ripgrep` to compare");
    }
    for jobs in ["1", "2"] {
        let mut c = Command::new(DECHROME);
        c.args(["clean", "--jsonl", "-q", "-j", jobs])
            .args(&pattern_args)
            .arg(&corpus);
        run(&format!("dechrome clean --jsonl -j {jobs}"), &mut c);
    }
    // The same texts as a WET file and as Parquet (issue 23); MB/s are of the JSONL corpus, so
    // that the rows compare the same work. The outputs go to files (Parquet has no stdout).
    let (wet, parquet) = (
        dir.join("real-pages.warc.wet"),
        dir.join("real-pages.parquet"),
    );
    containers(&corpus, &wet, &parquet);
    for jobs in ["1", "2"] {
        let out = dir.join("out-real.warc.wet");
        let mut c = Command::new(DECHROME);
        c.args(["clean", "-q", "-j", jobs])
            .args(&pattern_args)
            .arg(&wet)
            .arg("-o")
            .arg(&out);
        let _ = std::fs::remove_file(&out);
        run(&format!("dechrome clean --warc (WET) -j {jobs}"), &mut c);
        if parquet.is_file() {
            let out = dir.join("out-real.parquet");
            let _ = std::fs::remove_file(&out);
            let mut c = Command::new(DECHROME);
            c.args(["clean", "-q", "-j", jobs])
                .args(&pattern_args)
                .arg(&parquet)
                .arg("-o")
                .arg(&out);
            run(&format!("dechrome clean --parquet -j {jobs}"), &mut c);
        }
    }
    // Start-up: median of 11 runs each.
    let seed = std::fs::read_dir(shared.join("seeds")).ok().and_then(|d| {
        d.flatten().map(|e| e.path()).find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("004_"))
        })
    });
    let mut startup: Vec<(String, f64, f64)> = Vec::new();
    let mut time_startup = |name: &str, make: &dyn Fn() -> Command, stdin: Option<&[u8]>| {
        let mut walls = Vec::new();
        let mut rss = 0u64;
        for _ in 0..11 {
            let mut c = make();
            if stdin.is_some() {
                c.stdin(Stdio::piped());
            }
            let start = Instant::now();
            let Ok(mut child) = c.stdout(Stdio::null()).stderr(Stdio::null()).spawn() else {
                return;
            };
            if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
                let _ = pipe.write_all(input);
            }
            let mut status = 0;
            // SAFETY: as in `measure`.
            let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
            unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
            walls.push(start.elapsed().as_secs_f64() * 1000.0);
            rss = rss.max(usage.ru_maxrss as u64);
        }
        // Peak RSS from three more runs under /usr/bin/time (see `rss_file`); the wall times
        // above are of the command alone.
        if let Some(file) = rss_file() {
            rss = 0;
            for _ in 0..3 {
                let mut c = under_time(&make(), &file);
                if stdin.is_some() {
                    c.stdin(Stdio::piped());
                }
                let Ok(mut child) = c.stdout(Stdio::null()).stderr(Stdio::null()).spawn() else {
                    return;
                };
                if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
                    let _ = pipe.write_all(input);
                }
                let _ = child.wait();
                rss = rss.max(read_rss(&file).unwrap_or(0));
            }
        }
        let ms = median(walls);
        eprintln!("bench: start-up {name:<36} {ms:>8.1} ms");
        startup.push((name.to_string(), ms, rss as f64 / 1024.0));
    };
    let pa = pattern_args.clone();
    time_startup(
        "echo 'Share this article' | dechrome clean",
        &|| {
            let mut c = Command::new(DECHROME);
            c.arg("clean").args(&pa);
            c
        },
        Some(b"Share this article\n"),
    );
    if let Some(seed) = &seed {
        time_startup(
            "dechrome clean seed 004",
            &|| {
                let mut c = Command::new(DECHROME);
                c.arg("clean").args(&pa).arg(seed);
                c
            },
            None,
        );
    }
    time_startup(
        "dechrome --version",
        &|| {
            let mut c = Command::new(DECHROME);
            c.arg("--version");
            c
        },
        None,
    );
    // Tree mode: the first 5,000 pages of the corpus as files, 100 to a directory.
    let tree = dir.join("real-tree");
    let files = 5000usize;
    if !tree.join("49/99.txt").is_file() {
        let text = std::fs::read_to_string(&corpus).unwrap_or_default();
        for (i, line) in text.lines().take(files).enumerate() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let sub = tree.join(format!("{}", i / 100));
            std::fs::create_dir_all(&sub).unwrap();
            let body = v["text"].as_str().unwrap_or_default();
            std::fs::write(sub.join(format!("{}.txt", i % 100)), body).unwrap();
        }
    }
    let mut tree_rows: Vec<(String, f64)> = Vec::new();
    for (name, copy) in [("cp -r", true), ("dechrome clean DIR -o OUT -j 1", false)] {
        let mut best = f64::MAX;
        for round in 0..3 {
            let out = dir.join(format!("real-tree-out-{round}"));
            let _ = std::fs::remove_dir_all(&out);
            let mut c = if copy {
                let mut c = Command::new("cp");
                c.arg("-r").arg(&tree).arg(&out);
                c
            } else {
                let mut c = Command::new(DECHROME);
                c.args(["clean", "-q", "-j", "1"])
                    .args(&pattern_args)
                    .arg(&tree)
                    .arg("-o")
                    .arg(&out);
                c
            };
            if let Some((secs, ..)) = measure(&mut c) {
                best = best.min(secs);
            }
            let _ = std::fs::remove_dir_all(&out);
        }
        if best < f64::MAX {
            let fps = files as f64 / best;
            eprintln!("bench: tree {name:<36} {fps:>8.0} files/s");
            tree_rows.push((name.to_string(), fps));
        }
    }
    let find = |prefix: &str| rows.iter().find(|r| r.0.starts_with(prefix)).map(|r| r.1);
    let grep = find("LC_ALL=C grep");
    let rg = find("rg ");
    println!();
    println!(
        "Real pages: {} MB JSONL (make_corpus.py --mb 150); load average {}",
        bytes / 1_000_000,
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!();
    println!("| real pages | MB/s | MB per CPU second | peak RSS | x grep | x rg |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, mbps, cpu, rss) in &rows {
        let ratio = |b: Option<f64>| b.map_or("-".to_string(), |b| format!("{:.2}", mbps / b));
        println!(
            "| {name} | {mbps:.1} | {:.1} | {rss:.1} MB | {} | {} |",
            bytes as f64 / 1e6 / cpu.max(1e-9),
            ratio(grep),
            ratio(rg)
        );
    }
    println!();
    println!("| start-up | median ms | peak RSS |");
    println!("|---|---:|---:|");
    for (name, ms, rss) in &startup {
        println!("| {name} | {ms:.1} | {rss:.1} MB |");
    }
    println!();
    println!("| tree of {files} pages | files/s |");
    println!("|---|---:|");
    for (name, fps) in &tree_rows {
        println!("| {name} | {fps:.0} |");
    }
    println!();
    let one = find("dechrome clean --jsonl -j 1");
    let two = rows.iter().find(|r| r.0 == "dechrome clean --jsonl -j 2");
    let floor = |ok: bool| if ok { "holds" } else { "MISSED" };
    if let (Some(o), Some(g)) = (one, grep) {
        println!(
            "floor --jsonl 1 thread >= 1.0x grep: {:.2}x, {}",
            o / g,
            floor(o >= g)
        );
    }
    if let (Some(o), Some(t)) = (one, two) {
        println!(
            "floor 2 threads >= 1.7x 1 thread: {:.2}x, {}; RSS < 80 MB: {:.1} MB, {}",
            t.1 / o,
            floor(t.1 >= 1.7 * o),
            t.3,
            floor(t.3 < 80.0)
        );
    }
    for (name, ms, rss) in startup.iter().filter(|s| !s.0.contains("--version")) {
        println!(
            "floor start-up <= 20 ms, <= 20 MB ({name}): {ms:.1} ms, {rss:.1} MB, {}",
            floor(*ms <= 20.0 && *rss <= 20.0)
        );
    }
    for format in ["--warc (WET)", "--parquet"] {
        for jobs in ["1", "2"] {
            let base = find(&format!("dechrome clean --jsonl -j {jobs}"));
            if let (Some(b), Some(f)) = (base, find(&format!("dechrome clean {format} -j {jobs}")))
            {
                println!(
                    "floor {format} -j {jobs} >= 0.8x --jsonl: {:.2}x, {}",
                    f / b,
                    floor(f >= 0.8 * b)
                );
            }
        }
    }
    if let [(_, cp), (_, dc)] = tree_rows.as_slice() {
        println!(
            "floor tree >= 0.5x cp -r: {:.2}x, {}",
            dc / cp,
            floor(*dc >= 0.5 * cp)
        );
    }
    println!();
}
