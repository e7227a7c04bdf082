//! Input: what kind of bytes a file holds, before any cleaning.
//!
//! dechrome cleans UTF-8 text (invalid sequences are kept as they are). Binary files are skipped with
//! a warning, and UTF-16 text is refused with a message saying so, rather than being mangled.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::Error;
use crate::output::{Compression, Stamp};

/// How many leading bytes are inspected for NUL bytes.
const SNIFF_BYTES: usize = 8 * 1024;

/// What a file's bytes look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text to clean (UTF-8, possibly with a BOM or invalid sequences).
    Text,
    /// Binary data (a NUL byte near the start): skipped.
    Binary,
    /// UTF-16 text, recognised by its byte-order mark: refused.
    Utf16,
}

/// Classifies a document's bytes.
pub fn sniff(bytes: &[u8]) -> Kind {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        Kind::Utf16
    } else if memchr::memchr(0, &bytes[..bytes.len().min(SNIFF_BYTES)]).is_some() {
        Kind::Binary
    } else {
        Kind::Text
    }
}

/// The compression a stream's first bytes announce: gzip (`1f 8b`) or Zstandard (`28 b5 2f fd`),
/// whatever the file is called, so a compressed stdin or a renamed file is read as what it holds.
pub fn compression_of(head: &[u8]) -> Compression {
    if head.starts_with(b"\x1f\x8b") {
        Compression::Gzip
    } else if head.starts_with(b"\x28\xb5\x2f\xfd") {
        Compression::Zstd
    } else {
        Compression::None
    }
}

/// Reads the first [`SNIFF_BYTES`] of `reader` (fewer only at the end of input), however a pipe
/// splits them: enough for [`compression_of`], and for [`sniff`] on the first `fill_buf` of the
/// reader [`decoding`] returns.
fn read_head(reader: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    reader
        .by_ref()
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// `reader` decompressed as its first bytes say (see [`compression_of`]), and that compression.
fn decoding<'r>(
    mut reader: impl Read + Send + 'r,
) -> std::io::Result<(Box<dyn BufRead + Send + 'r>, Compression)> {
    let head = read_head(&mut reader)?;
    let compression = compression_of(&head);
    let raw = BufReader::with_capacity(READ_BUFFER, std::io::Cursor::new(head).chain(reader));
    let decoded: Box<dyn BufRead + Send + 'r> = match compression {
        Compression::None => Box::new(raw),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            READ_BUFFER,
            flate2::bufread::MultiGzDecoder::new(raw),
        )),
        Compression::Zstd => Box::new(BufReader::with_capacity(
            READ_BUFFER,
            zstd::stream::read::Decoder::with_buffer(raw)?,
        )),
    };
    Ok((decoded, compression))
}

/// A whole document as read for cleaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The text, decompressed.
    pub bytes: Vec<u8>,
    /// How the input was compressed (a rewrite in place compresses the same way).
    pub compression: Compression,
}

/// The error for compressed data that does not decode.
fn undecodable(path: &Path, compression: Compression, e: std::io::Error) -> Error {
    let format = match compression {
        Compression::Gzip => "gzip",
        Compression::Zstd => "zstd",
        Compression::None => return Error::io(path, e),
    };
    Error::Input {
        path: path.to_path_buf(),
        message: format!("cannot decompress {format} data: {e}; skipped"),
    }
}

/// Reads a whole document from `reader` (named `path` in errors), decompressing gzip or Zstandard
/// recognised by magic bytes. At most `max` bytes of text are read, counted after decompression,
/// so a small archive cannot expand without limit. `Ok(None)` means binary (the caller warns and
/// skips it); UTF-16 text is refused.
pub fn read_document(
    path: &Path,
    reader: impl Read + Send,
    max: u64,
) -> Result<Option<Document>, Error> {
    let mut reader = reader;
    let head = read_head(&mut reader).map_err(|e| Error::io(path, e))?;
    let (bytes, compression) = if compression_of(&head) == Compression::None {
        // Plain text, nearly every file: read on into the head's buffer, with no decoder and no
        // read buffer (a mapping of its own per file) between.
        let mut bytes = head;
        let rest = max.saturating_add(1).saturating_sub(bytes.len() as u64);
        reader
            .take(rest)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(path, e))?;
        (bytes, Compression::None)
    } else {
        let (decoded, compression) =
            decoding(std::io::Cursor::new(head).chain(reader)).map_err(|e| Error::io(path, e))?;
        let bytes = read_limited(decoded, max)
            .map_err(|e| undecodable(path, compression, e))?
            .ok_or_else(|| too_large(path, max))?;
        (bytes, compression)
    };
    if bytes.len() as u64 > max {
        return Err(too_large(path, max));
    }
    classify(path, bytes, compression)
}

/// A document read whole: text, binary (`None`) or refused UTF-16.
fn classify(
    path: &Path,
    bytes: Vec<u8>,
    compression: Compression,
) -> Result<Option<Document>, Error> {
    match sniff(&bytes) {
        Kind::Text => Ok(Some(Document { bytes, compression })),
        Kind::Binary => Ok(None),
        Kind::Utf16 => Err(Error::Input {
            path: path.to_path_buf(),
            message: "UTF-16 text is not supported; convert it to UTF-8 first".into(),
        }),
    }
}

/// Reads a file as [`read_document`] does, refusing one whose size on disk is above `max` before
/// reading it.
pub fn read_file(path: &Path, max: u64) -> Result<Option<Document>, Error> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    let len = meta.len();
    if len > max {
        return Err(too_large(path, max));
    }
    if !meta.is_file() {
        return read_document(path, file, max);
    }
    // A regular file is read in one call, nearly always: into a buffer one byte longer than its
    // size, a read that stops short at that size has met the end (no read of nothing to learn
    // it). A file that grew since is read on, up to the limit.
    let mut bytes = vec![0; len as usize + 1];
    let mut filled = 0;
    loop {
        if filled == bytes.len() {
            if filled as u64 > max {
                return Err(too_large(path, max));
            }
            let room = (max - filled as u64).saturating_add(1);
            let more = (filled.max(SNIFF_BYTES) as u64).min(room) as usize;
            bytes.resize(filled + more, 0);
        }
        match file.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(n) => {
                filled += n;
                if filled as u64 >= len && filled < bytes.len() {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    bytes.truncate(filled);
    if filled as u64 > max {
        return Err(too_large(path, max));
    }
    match compression_of(&bytes) {
        Compression::None => classify(path, bytes, Compression::None),
        _ => read_document(path, std::io::Cursor::new(bytes), max),
    }
}

/// `bytes` compressed as `compression` says (for writing a document back in its own format).
pub fn compress(bytes: &[u8], compression: Compression) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    match compression {
        Compression::None => Ok(bytes.to_vec()),
        Compression::Gzip => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(bytes)?;
            e.finish()
        }
        Compression::Zstd => zstd::stream::encode_all(bytes, 3),
    }
}

/// The largest input `clean` reads by default: 256 MiB. Cleaning holds a document several times
/// over (the input, its search copy, a line table, the output), so a limit keeps a run with
/// several workers far from an out-of-memory kill; `--max-file-size` changes it.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 256 << 20;

/// Parses a size such as `1000`, `64K`, `256M` or `2G` (binary units, `B`/`iB` suffixes allowed).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (num, shift) = match t.char_indices().last() {
        Some((i, 'K' | 'k')) => (&t[..i], 10),
        Some((i, 'M' | 'm')) => (&t[..i], 20),
        Some((i, 'G' | 'g')) => (&t[..i], 30),
        Some((i, 'T' | 't')) => (&t[..i], 40),
        _ => (t, 0),
    };
    num.trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .ok_or_else(|| {
            format!("invalid size `{s}`, expected a number of bytes such as 1000, 64K, 256M or 2G")
        })
}

/// The error for an input above the size limit.
pub fn too_large(path: &Path, max: u64) -> Error {
    Error::Input {
        path: path.to_path_buf(),
        message: format!("larger than the limit of {max} bytes; skipped"),
    }
}

/// Reads at most `max` bytes from `reader`; `None` when there is more.
pub fn read_limited(reader: impl Read, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= max).then_some(bytes))
}

/// Reads a file for cleaning (gzip or zstd decompressed, as [`read_file`] does), up to
/// [`DEFAULT_MAX_FILE_SIZE`]. `Ok(None)` means binary (the caller warns and skips it).
pub fn read_text(path: &Path) -> Result<Option<Vec<u8>>, Error> {
    Ok(read_file(path, DEFAULT_MAX_FILE_SIZE)?.map(|d| d.bytes))
}

/// Reads a file for cleaning, refusing one of more than `max` bytes (checked before reading, and
/// while reading for a file that grows or a device). `Ok(None)` means binary.
pub fn read_text_limited(path: &Path, max: u64) -> Result<Option<Vec<u8>>, Error> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if len > max {
        return Err(too_large(path, max));
    }
    let bytes = read_limited(file, max)
        .map_err(|e| Error::io(path, e))?
        .ok_or_else(|| too_large(path, max))?;
    match sniff(&bytes) {
        Kind::Text => Ok(Some(bytes)),
        Kind::Binary => Ok(None),
        Kind::Utf16 => Err(Error::Input {
            path: path.to_path_buf(),
            message: "UTF-16 text is not supported; convert it to UTF-8 first".into(),
        }),
    }
}

/// Reads a file as [`read_file`] does, with the file's [`Stamp`] taken after reading: `check --fix`
/// compares it with the file just before replacing it, so an edit made meanwhile is never lost.
pub fn read_file_stamped(path: &Path, max: u64) -> Result<Option<(Document, Stamp)>, Error> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if len > max {
        return Err(too_large(path, max));
    }
    let doc = read_document(path, &file, max)?;
    let stamp = Stamp::of(&file.metadata().map_err(|e| Error::io(path, e))?);
    Ok(doc.map(|d| (d, stamp)))
}

/// What a file that is not plain prose holds, by its extension, or by its first line when it has
/// none: configuration (YAML, TOML, JSON, INI, XML), data or source code. `check --fix` refuses to
/// rewrite such a file unless forced: the rules are written for articles, and a line of a
/// configuration file that reads like chrome (a list of links, a `share:` key) is still needed.
/// `None` for prose, Markdown and unknown extensions.
pub fn structured_kind(path: &Path, bytes: &[u8]) -> Option<&'static str> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let ext = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    };
    let by_ext = match ext.as_str() {
        "yaml" | "yml" => Some("YAML"),
        "toml" => Some("TOML"),
        "json" | "jsonl" | "ndjson" | "geojson" => Some("JSON"),
        "xml" | "html" | "htm" | "xhtml" | "svg" => Some("markup"),
        "ini" | "cfg" | "conf" | "lock" | "properties" | "env" => Some("configuration"),
        "csv" | "tsv" => Some("tabular data"),
        "rs" | "py" | "js" | "mjs" | "ts" | "tsx" | "jsx" | "c" | "h" | "cc" | "cpp" | "hpp"
        | "go" | "java" | "kt" | "rb" | "php" | "pl" | "sh" | "bash" | "zsh" | "fish" | "ps1"
        | "lua" | "r" | "scala" | "swift" | "cs" | "sql" | "css" | "scss" | "vue" | "mk" => {
            Some("source code")
        }
        _ => None,
    };
    if by_ext.is_some() || !ext.is_empty() {
        return by_ext;
    }
    if matches!(
        name,
        "Makefile" | "Dockerfile" | "Gemfile" | "Rakefile" | "Justfile"
    ) {
        return Some("source code");
    }
    // No extension: the first line that is not blank says.
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = text
        .split(|&b| b == b'\n')
        .map(|l| l.trim_ascii())
        .find(|l| !l.is_empty())?;
    if first.starts_with(b"#!") {
        Some("a script")
    } else if first == b"---" || first.starts_with(b"%YAML") {
        Some("YAML")
    } else if first.starts_with(b"<?xml")
        || first.starts_with(b"<!DOCTYPE")
        || first.starts_with(b"<html")
    {
        Some("markup")
    } else if (first.starts_with(b"{") || first.starts_with(b"["))
        && (serde_json::from_slice::<serde::de::IgnoredAny>(first).is_ok()
            || serde_json::from_slice::<serde::de::IgnoredAny>(text).is_ok())
    {
        Some("JSON")
    } else if first.starts_with(b"[")
        && first.ends_with(b"]")
        && first[1..first.len() - 1]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"._-\" ".contains(&b))
    {
        Some("TOML or INI")
    } else {
        None
    }
}

/// Bytes of peak memory per byte of a document (the input, its search copy, the output).
pub const COST_PER_BYTE: u64 = 5;
/// Bytes of peak memory per line (the line tables).
pub const COST_PER_LINE: u64 = 28;
/// Bytes of peak memory per line that is not blank: each may become a removal, with its matches,
/// spans and per-pass records.
pub const COST_PER_TEXT_LINE: u64 = 560;

/// An estimate of the memory cleaning `bytes` takes at its peak, input included, which errs high:
/// [`COST_PER_BYTE`] a byte, [`COST_PER_LINE`] a line, and [`COST_PER_TEXT_LINE`] a line that is
/// not blank, as every such line may be removed. Measured peaks (release, one worker, 24 MB
/// documents): 4 million `Share` lines, all removed, 1.50 GB (estimate 2.47 GB); 24 million empty
/// lines 0.64 GB (0.79 GB); 600,000 lines, half of them removed, 0.27 GB (0.48 GB); 40,000 long
/// prose lines 0.11 GB (0.15 GB). The old estimate (six bytes a byte, 40 a line) said 0.30 GB for
/// the first.
pub fn cleaning_cost(bytes: &[u8]) -> u64 {
    let (mut lines, mut text_lines) = (0u64, 0u64);
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len())) {
        if end > start && !bytes[start..end].iter().all(|b| b.is_ascii_whitespace()) {
            text_lines += 1;
        }
        lines += 1;
        start = end + 1;
    }
    (bytes.len() as u64).saturating_mul(COST_PER_BYTE)
        + lines * COST_PER_LINE
        + text_lines * COST_PER_TEXT_LINE
}

/// The same estimate for a JSONL record's text, from the record's line (`line` bytes holding
/// `escapes` backslashes): every escape may be a line break, and every line text.
pub fn record_cost(line: usize, escapes: usize) -> u64 {
    let lines = escapes as u64 + 1;
    (line as u64).saturating_mul(COST_PER_BYTE) + lines * (COST_PER_LINE + COST_PER_TEXT_LINE)
}

/// The default memory budget of a run: half the memory available (`MemAvailable` in
/// `/proc/meminfo`), or 4 GiB where that cannot be read.
pub fn default_memory_budget() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemAvailable:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(4 << 30, |kb| kb.saturating_mul(1024) / 2)
}

/// Memory shared by the documents cleaned at the same time: a worker reserves a document's
/// [`cleaning_cost`] before cleaning it and waits while the others' reservations leave too little;
/// a document that costs more than the whole budget is refused. So parallel workers never together
/// hold more than the budget, whatever the documents look like.
#[derive(Debug)]
pub struct MemoryBudget {
    total: u64,
    used: std::sync::Mutex<u64>,
    freed: std::sync::Condvar,
    /// Reservations waiting on `freed`, changed and read only under the lock of `used`: a
    /// reservation given back wakes no one (no system call) when none waits, as in a run of one
    /// worker.
    waiting: std::sync::atomic::AtomicUsize,
}

/// Memory reserved from a [`MemoryBudget`], given back when dropped.
#[derive(Debug)]
pub struct Reservation<'a> {
    budget: &'a MemoryBudget,
    bytes: u64,
}

impl MemoryBudget {
    /// A budget of `total` bytes.
    pub fn new(total: u64) -> MemoryBudget {
        MemoryBudget {
            total,
            used: std::sync::Mutex::new(0),
            freed: std::sync::Condvar::new(),
            waiting: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// The whole budget.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Reserves `bytes`, waiting until enough is free; `None` when they exceed the whole budget.
    pub fn reserve(&self, bytes: u64) -> Option<Reservation<'_>> {
        if bytes > self.total {
            return None;
        }
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        while *used + bytes > self.total {
            use std::sync::atomic::Ordering::Relaxed;
            self.waiting.fetch_add(1, Relaxed);
            used = self.freed.wait(used).unwrap_or_else(|e| e.into_inner());
            self.waiting.fetch_sub(1, Relaxed);
        }
        *used += bytes;
        Some(Reservation {
            budget: self,
            bytes,
        })
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        let mut used = self.budget.used.lock().unwrap_or_else(|e| e.into_inner());
        *used -= self.bytes;
        if self
            .budget
            .waiting
            .load(std::sync::atomic::Ordering::Relaxed)
            > 0
        {
            self.budget.freed.notify_all();
        }
    }
}

/// The error for a document that would take more memory to clean than the budget allows.
pub fn too_costly(path: &Path, cost: u64, budget: u64) -> Error {
    Error::Input {
        path: path.to_path_buf(),
        message: format!(
            "cleaning it would take about {} MiB of memory, more than the {} MiB allowed \
             (--max-memory)",
            cost.div_ceil(1 << 20),
            budget >> 20
        ),
    }
}

/// Read buffer of input streams.
const READ_BUFFER: usize = 1 << 20;

/// A reader that adds the number of bytes read to a shared counter (for progress reports).
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens a file for streaming, `-` meaning stdin, decompressing gzip and Zstandard recognised by
/// their magic bytes (see [`compression_of`]). The raw (compressed) bytes read are added to `count`.
pub fn open_stream(path: &Path, count: Arc<AtomicU64>) -> Result<Box<dyn BufRead + Send>, Error> {
    let raw: Box<dyn Read + Send> = if path == Path::new("-") {
        Box::new(Counting {
            inner: std::io::stdin(),
            count,
        })
    } else {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        Box::new(Counting { inner: file, count })
    };
    let (decoded, compression) = decoding(raw).map_err(|e| Error::io(path, e))?;
    Ok(match compression {
        Compression::None => decoded,
        // A read error inside the stream is a decoding error: say so, naming the format.
        c => Box::new(BufReader::new(Undecodable {
            inner: decoded,
            compression: c,
        })),
    })
}

/// A decompressing reader whose errors say which format failed to decode.
struct Undecodable<R> {
    inner: R,
    compression: Compression,
}

impl<R: Read> Read for Undecodable<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            let format = if self.compression == Compression::Gzip {
                "gzip"
            } else {
                "zstd"
            };
            std::io::Error::new(e.kind(), format!("cannot decompress {format} data: {e}"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_read_whole_in_every_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        for len in [0, 1, 7, 8192, 8193, 100_000] {
            let text: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            std::fs::write(&path, &text).unwrap();
            let doc = read_file(&path, 1 << 20).unwrap().unwrap();
            assert_eq!(doc.bytes, text, "{len}");
            assert_eq!(doc.compression, Compression::None);
        }
        // Over the limit: refused before reading.
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(
            read_file(&path, 9).unwrap_err().to_string(),
            too_large(&path, 9).to_string()
        );
        assert!(read_file(&path, 10).unwrap().is_some());
        // Binary, and compressed.
        std::fs::write(&path, b"ab\0cd").unwrap();
        assert_eq!(read_file(&path, 100).unwrap(), None);
        let gz = compress(b"Hello\n", Compression::Gzip).unwrap();
        std::fs::write(&path, gz).unwrap();
        let doc = read_file(&path, 100).unwrap().unwrap();
        assert_eq!(
            (doc.bytes.as_slice(), doc.compression),
            (&b"Hello\n"[..], Compression::Gzip)
        );
    }

    #[test]
    fn sniffs_kinds() {
        assert_eq!(sniff(b""), Kind::Text);
        assert_eq!(sniff(b"\xEF\xBB\xBFhello"), Kind::Text);
        assert_eq!(sniff(b"bad \xff utf8"), Kind::Text);
        assert_eq!(sniff(b"\x7fELF\x02\x01\x00\x00"), Kind::Binary);
        assert_eq!(sniff(b"\xFF\xFEh\x00i\x00"), Kind::Utf16);
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("64K"), Ok(64 << 10));
        assert_eq!(parse_size("256M"), Ok(256 << 20));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("1 G"), Ok(1 << 30));
        assert_eq!(
            parse_size("lots"),
            Err(
                "invalid size `lots`, expected a number of bytes such as 1000, 64K, 256M or 2G"
                    .into()
            )
        );
        assert!(parse_size("99999999999T").is_err());
    }

    #[test]
    fn memory_budget() {
        assert_eq!(cleaning_cost(b""), 28);
        assert_eq!(cleaning_cost(b"ab\ncd\n"), 6 * 5 + 3 * 28 + 2 * 560);
        let budget = MemoryBudget::new(100);
        assert!(budget.reserve(101).is_none());
        let a = budget.reserve(60).unwrap();
        // A second reservation waits until the first is given back.
        std::thread::scope(|s| {
            let waiter = s.spawn(|| budget.reserve(50).map(|r| r.bytes));
            std::thread::sleep(std::time::Duration::from_millis(20));
            assert!(!waiter.is_finished());
            drop(a);
            assert_eq!(waiter.join().unwrap(), Some(50));
        });
        assert_eq!(*budget.used.lock().unwrap(), 0);
        assert!(default_memory_budget() > 0);
    }

    #[test]
    fn limits() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, "0123456789").unwrap();
        assert_eq!(read_text_limited(&p, 10).unwrap().unwrap(), b"0123456789");
        let e = read_text_limited(&p, 9).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("{}: larger than the limit of 9 bytes; skipped", p.display())
        );
        // A device that never ends is cut off at the limit, not read into memory.
        assert!(read_text_limited(Path::new("/dev/zero"), 1 << 20).is_err());
        assert_eq!(read_limited(&b"abc"[..], 3).unwrap().unwrap(), b"abc");
        assert_eq!(read_limited(&b"abcd"[..], 3).unwrap(), None);
    }
}
