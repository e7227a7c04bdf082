//! The corpus `learn` reads: text files in directory trees, or JSONL records, each document
//! assigned to a publisher group. A [`Corpus`] is opened once (the file list is fixed then, in path
//! order) and streamed as often as needed, one document at a time, always in the same order.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::error::Error;
use crate::input;

/// How documents are assigned to publisher groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupBy {
    /// The first directory level under each input directory (files directly in it: the input
    /// directory's own name).
    Dir,
    /// The value of a JSONL field, such as `domain`.
    Field(String),
    /// The host of a URL held in a JSONL field, lower case, without a leading `www.`.
    UrlHost(String),
}

impl FromStr for GroupBy {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let named = |name: &str, make: fn(String) -> GroupBy| {
            if name.is_empty() {
                Err(Error::Usage(format!(
                    "--group-by {s}: the field name is missing"
                )))
            } else {
                Ok(make(name.to_string()))
            }
        };
        match s.split_once(':') {
            None if s == "dir" => Ok(GroupBy::Dir),
            Some(("field", name)) => named(name, GroupBy::Field),
            Some(("url-host", name)) => named(name, GroupBy::UrlHost),
            _ => Err(Error::Usage(format!(
                "--group-by {s}: expected dir, field:NAME or url-host:NAME"
            ))),
        }
    }
}

/// Options for reading a corpus.
#[derive(Debug, Clone)]
pub struct CorpusOptions {
    /// How documents are grouped.
    pub group_by: GroupBy,
    /// Which files of a directory are read, matched against the path below it. `None`: `*.txt`
    /// when grouping by directory, `*.{jsonl,ndjson}` (also gzip- or zstd-compressed) otherwise.
    pub glob: Option<String>,
    /// The JSONL field holding the text.
    pub text_field: String,
    /// The JSONL field holding a document id (records without one are named `FILE:LINE`).
    pub id_field: String,
}

impl Default for CorpusOptions {
    fn default() -> Self {
        CorpusOptions {
            group_by: GroupBy::Dir,
            glob: None,
            text_field: "text".into(),
            id_field: "id".into(),
        }
    }
}

/// One document of the corpus.
#[derive(Debug, Clone)]
pub struct Doc {
    /// Its id: the path below its input directory, a JSONL id field, or `FILE:LINE`.
    pub id: String,
    /// The publisher group.
    pub group: String,
    /// The text.
    pub text: Vec<u8>,
}

/// One file of the corpus.
#[derive(Debug, Clone)]
struct Source {
    path: PathBuf,
    /// Its name in document ids: the path below its input directory, or the file name.
    rel: String,
    jsonl: bool,
    /// The group of every document in it (directory grouping).
    group: Option<String>,
    size: u64,
}

/// A corpus opened for reading: a fixed, ordered list of files.
#[derive(Debug, Clone)]
pub struct Corpus {
    sources: Vec<Source>,
    opts: CorpusOptions,
}

/// JSONL by name: `.jsonl` or `.ndjson`, optionally compressed (`.gz`, `.zst`).
fn is_jsonl(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let name = name.trim_end_matches(".gz").trim_end_matches(".zst");
    name.ends_with(".jsonl") || name.ends_with(".ndjson")
}

fn name_of(path: &Path) -> String {
    match path.file_name() {
        Some(n) => n.to_string_lossy().into_owned(),
        None => std::env::current_dir()
            .ok()
            .and_then(|d| path_name(&d.join(path)))
            .unwrap_or_else(|| path.display().to_string()),
    }
}

fn path_name(p: &Path) -> Option<String> {
    let p = p.canonicalize().ok()?;
    Some(p.file_name()?.to_string_lossy().into_owned())
}

impl Corpus {
    /// Lists the files of the inputs (directories walked in path order) and checks that they fit
    /// the grouping.
    pub fn open(inputs: &[PathBuf], opts: CorpusOptions) -> Result<Corpus, Error> {
        if inputs.is_empty() {
            return Err(Error::Usage("learn needs at least one input path".into()));
        }
        let by_dir = opts.group_by == GroupBy::Dir;
        let pattern = opts.glob.clone().unwrap_or_else(|| {
            if by_dir {
                "*.txt"
            } else {
                "*.{jsonl,ndjson,jsonl.gz,ndjson.gz,jsonl.zst,ndjson.zst}"
            }
            .into()
        });
        let glob = globset::GlobBuilder::new(&pattern)
            .literal_separator(false)
            .build()
            .map_err(|e| Error::Usage(format!("--glob: {e}")))?
            .compile_matcher();
        let mut sources = Vec::new();
        for input in inputs {
            if input.as_os_str() == "-" {
                return Err(Error::Usage(
                    "learn reads its input twice and cannot read stdin; give files or directories"
                        .into(),
                ));
            }
            let meta = std::fs::metadata(input).map_err(|e| Error::io(input, e))?;
            if meta.is_dir() {
                let top = name_of(input);
                for entry in walkdir::WalkDir::new(input).sort_by_file_name() {
                    let entry = entry.map_err(|e| {
                        let p = e.path().unwrap_or(input).to_path_buf();
                        Error::io(p, e.into())
                    })?;
                    if !entry.file_type().is_file() {
                        continue;
                    }
                    let rel_path = entry.path().strip_prefix(input).unwrap_or(entry.path());
                    if !glob.is_match(rel_path) {
                        continue;
                    }
                    let parts: Vec<String> = rel_path
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect();
                    let group = if parts.len() > 1 {
                        parts[0].clone()
                    } else {
                        top.clone()
                    };
                    let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
                    sources.push(Source {
                        jsonl: is_jsonl(entry.path()),
                        path: entry.path().to_path_buf(),
                        rel: parts.join("/"),
                        group: by_dir.then_some(group),
                        size,
                    });
                }
            } else {
                if by_dir {
                    return Err(Error::Usage(format!(
                        "{}: --group-by dir groups the files of directory inputs; give a \
                         directory, or --group-by field:NAME for JSONL",
                        input.display()
                    )));
                }
                sources.push(Source {
                    jsonl: is_jsonl(input),
                    rel: name_of(input),
                    path: input.clone(),
                    group: None,
                    size: meta.len(),
                });
            }
        }
        if !by_dir && let Some(s) = sources.iter().find(|s| !s.jsonl) {
            return Err(Error::Usage(format!(
                "{}: --group-by field:NAME and url-host:NAME read JSONL records (.jsonl, .ndjson, also .gz or .zst)",
                s.path.display()
            )));
        }
        Ok(Corpus { sources, opts })
    }

    /// Total size of the files, in bytes.
    pub fn total_bytes(&self) -> u64 {
        self.sources.iter().map(|s| s.size).sum()
    }

    /// Number of files.
    pub fn file_count(&self) -> usize {
        self.sources.len()
    }

    /// Streams every document, in corpus order. `progress` gets the bytes read since its last
    /// call; `warn` gets one message per skipped file or record.
    pub fn for_each(
        &self,
        progress: &dyn Fn(u64),
        warn: &mut dyn FnMut(String),
        f: &mut dyn FnMut(Doc) -> Result<(), Error>,
    ) -> Result<(), Error> {
        for src in &self.sources {
            if src.jsonl {
                self.read_jsonl(src, progress, warn, f)?;
                continue;
            }
            let text = match input::read_text(&src.path) {
                Ok(Some(t)) => t,
                Ok(None) => {
                    warn(format!("{}: binary file skipped", src.path.display()));
                    progress(src.size);
                    continue;
                }
                Err(Error::Input { path, message }) => {
                    warn(format!("{}: {message}; skipped", path.display()));
                    progress(src.size);
                    continue;
                }
                Err(e) => return Err(e),
            };
            progress(text.len() as u64);
            f(Doc {
                id: src.rel.clone(),
                group: src.group.clone().unwrap_or_default(),
                text,
            })?;
        }
        Ok(())
    }

    fn read_jsonl(
        &self,
        src: &Source,
        progress: &dyn Fn(u64),
        warn: &mut dyn FnMut(String),
        f: &mut dyn FnMut(Doc) -> Result<(), Error>,
    ) -> Result<(), Error> {
        // Compressed files (gzip, zstd) are decoded; progress counts the bytes of the file.
        let read = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let mut reader = input::open_stream(&src.path, read.clone())?;
        let mut reported = 0u64;
        let mut buf = Vec::new();
        let mut line_no = 0usize;
        loop {
            buf.clear();
            let n = reader
                .read_until(b'\n', &mut buf)
                .map_err(|e| Error::io(&src.path, e))?;
            let now = read.load(std::sync::atomic::Ordering::Relaxed);
            progress(now - reported);
            reported = now;
            if n == 0 {
                return Ok(());
            }
            line_no += 1;
            let line = buf.trim_ascii();
            if line.is_empty() {
                continue;
            }
            let at = format!("{}:{line_no}", src.path.display());
            let value: serde_json::Value = match serde_json::from_slice(line) {
                Ok(v) => v,
                Err(e) => {
                    warn(format!("{at}: invalid JSON, record skipped: {e}"));
                    continue;
                }
            };
            let Some(obj) = value.as_object() else {
                warn(format!("{at}: not a JSON object, record skipped"));
                continue;
            };
            let Some(text) = obj.get(&self.opts.text_field).and_then(|v| v.as_str()) else {
                warn(format!(
                    "{at}: no string field `{}`, record skipped",
                    self.opts.text_field
                ));
                continue;
            };
            let scalar = |v: &serde_json::Value| match v {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            };
            let group = match &self.opts.group_by {
                GroupBy::Dir => src.group.clone(),
                GroupBy::Field(name) => obj.get(name).and_then(scalar).filter(|g| !g.is_empty()),
                GroupBy::UrlHost(name) => obj.get(name).and_then(|v| v.as_str()).and_then(url_host),
            };
            let Some(group) = group else {
                let (what, name) = match &self.opts.group_by {
                    GroupBy::UrlHost(name) => ("URL with a host in", name.as_str()),
                    GroupBy::Field(name) => ("value in", name.as_str()),
                    GroupBy::Dir => ("", ""),
                };
                warn(format!("{at}: no {what} field `{name}`, record skipped"));
                continue;
            };
            let id = obj
                .get(&self.opts.id_field)
                .and_then(scalar)
                .unwrap_or_else(|| format!("{}:{line_no}", src.rel));
            f(Doc {
                id,
                group,
                text: text.as_bytes().to_vec(),
            })?;
        }
    }
}

/// The host of a URL: lower case, without user, port, trailing dot or a leading `www.`.
/// A URL without a scheme (`example.com/path`) is read as host and path.
pub fn url_host(url: &str) -> Option<String> {
    let s = url.trim();
    let rest = match s.find("://") {
        Some(i) => &s[i + 3..],
        None => s.strip_prefix("//").unwrap_or(s),
    };
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    let host = if host_port.starts_with('[') {
        host_port.split_inclusive(']').next()?
    } else {
        host_port.split(':').next()?
    };
    let host = host.trim_end_matches('.').to_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    (!host.is_empty() && !host.contains(char::is_whitespace)).then(|| host.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_group_by() {
        assert_eq!("dir".parse::<GroupBy>().unwrap(), GroupBy::Dir);
        assert_eq!(
            "field:domain".parse::<GroupBy>().unwrap(),
            GroupBy::Field("domain".into())
        );
        assert_eq!(
            "url-host:url".parse::<GroupBy>().unwrap(),
            GroupBy::UrlHost("url".into())
        );
        assert_eq!(
            "field:".parse::<GroupBy>().unwrap_err().to_string(),
            "--group-by field:: the field name is missing"
        );
        assert_eq!(
            "host".parse::<GroupBy>().unwrap_err().to_string(),
            "--group-by host: expected dir, field:NAME or url-host:NAME"
        );
    }

    #[test]
    fn url_hosts() {
        assert_eq!(
            url_host("https://www.Example.com/a/b?c").as_deref(),
            Some("example.com")
        );
        assert_eq!(
            url_host("http://user@news.site.org:8080#x").as_deref(),
            Some("news.site.org")
        );
        assert_eq!(url_host("example.com/path").as_deref(), Some("example.com"));
        assert_eq!(url_host("https://[::1]:80/").as_deref(), Some("[::1]"));
        assert_eq!(url_host("https:///path"), None);
        assert_eq!(url_host(""), None);
    }

    fn collect(c: &Corpus) -> (Vec<(String, String)>, Vec<String>) {
        let mut docs = Vec::new();
        let mut warnings = Vec::new();
        c.for_each(&|_| {}, &mut |w| warnings.push(w), &mut |d| {
            docs.push((d.group, d.id));
            Ok(())
        })
        .unwrap();
        (docs, warnings)
    }

    #[test]
    fn groups_trees_by_first_directory() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("corpus");
        for p in ["b/2.txt", "b/x/1.txt", "a/1.txt", "top.txt", "a/skip.md"] {
            let p = root.join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "text\n").unwrap();
        }
        let c = Corpus::open(std::slice::from_ref(&root), CorpusOptions::default()).unwrap();
        let (docs, warnings) = collect(&c);
        let want = [
            ("a", "a/1.txt"),
            ("b", "b/2.txt"),
            ("b", "b/x/1.txt"),
            ("corpus", "top.txt"),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|(g, i)| (g.to_string(), i.to_string()))
            .collect();
        assert_eq!(docs, want);
        assert!(warnings.is_empty());
        let err = Corpus::open(&[root.join("top.txt")], CorpusOptions::default()).unwrap_err();
        assert!(
            err.to_string()
                .contains("--group-by dir groups the files of directory inputs")
        );
    }

    #[test]
    fn reads_jsonl_records_and_skips_bad_ones() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.jsonl");
        std::fs::write(
            &p,
            concat!(
                "{\"id\":\"r1\",\"url\":\"https://www.a.com/x\",\"domain\":\"a\",\"text\":\"x\"}\n",
                "\n",
                "not json\n",
                "{\"url\":\"https://b.org/\",\"domain\":7,\"text\":\"y\"}\r\n",
                "{\"id\":3,\"url\":\"\",\"text\":\"z\"}\n",
                "{\"id\":4,\"domain\":\"c\"}\n",
            ),
        )
        .unwrap();
        let opts = |g: GroupBy| CorpusOptions {
            group_by: g,
            ..CorpusOptions::default()
        };
        let c = Corpus::open(
            std::slice::from_ref(&p),
            opts(GroupBy::Field("domain".into())),
        )
        .unwrap();
        let (docs, warnings) = collect(&c);
        assert_eq!(
            docs,
            vec![("a".into(), "r1".into()), ("7".into(), "c.jsonl:4".into())]
        );
        let at = p.display().to_string();
        assert_eq!(warnings.len(), 3);
        assert!(warnings[0].starts_with(&format!("{at}:3: invalid JSON, record skipped: ")));
        assert_eq!(
            warnings[1],
            format!("{at}:5: no value in field `domain`, record skipped")
        );
        assert_eq!(
            warnings[2],
            format!("{at}:6: no string field `text`, record skipped")
        );
        let c = Corpus::open(
            std::slice::from_ref(&p),
            opts(GroupBy::UrlHost("url".into())),
        )
        .unwrap();
        let (docs, warnings) = collect(&c);
        assert_eq!(
            docs,
            vec![
                ("a.com".into(), "r1".into()),
                ("b.org".into(), "c.jsonl:4".into())
            ]
        );
        assert_eq!(
            warnings[1],
            format!("{at}:5: no URL with a host in field `url`, record skipped")
        );
        let txt = dir.path().join("a.txt");
        std::fs::write(&txt, "x").unwrap();
        let err = Corpus::open(&[txt], opts(GroupBy::Field("domain".into()))).unwrap_err();
        assert!(err.to_string().ends_with(
            ": --group-by field:NAME and url-host:NAME read JSONL records (.jsonl, .ndjson, also .gz or .zst)"
        ));
    }
}
