//! WARC and WET records (WARC 1.0 and 1.1 framing): a version line, header lines, an empty line,
//! a block of `Content-Length` bytes, and two line ends. Records are read one at a time from a
//! stream (gzip, one member per record or not, is decompressed by the caller), and written back
//! with their header lines as they came: only `Content-Length` and the digests change when a
//! payload is cleaned.

use std::io::{BufRead, Read, Write};

use data_encoding::{BASE32, BASE32_NOPAD, HEXLOWER, HEXUPPER};
use sha1::Digest;

use crate::error::Error;

/// Longest header section read (version line to the empty line), so a file that is not WARC is
/// not read into memory looking for the end of its headers.
const MAX_HEAD: usize = 1 << 20;

/// One WARC record as read: its header section and its block, both exactly as in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// 1-based position in its input.
    pub number: u64,
    /// The version line and header lines, through the empty line that ends them.
    pub head: Vec<u8>,
    /// The block: `Content-Length` bytes.
    pub block: Vec<u8>,
}

/// Where a record's text lies in its block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    /// Not text dechrome cleans (warcinfo, request, metadata, HTML, images...).
    Other,
    /// The whole block: `conversion` records (WET) and text `resource` records.
    Block,
    /// The body of an HTTP response (`response` record of `application/http`) whose own
    /// Content-Type is text/plain, not encoded: the body starts at this offset of the block.
    Http(usize),
}

/// Reads records from a decompressed WARC stream.
pub struct Reader<R> {
    inner: R,
    /// The input's name, for messages.
    name: String,
    /// Records read so far.
    count: u64,
    /// Largest block read.
    max_block: u64,
}

impl<R: BufRead> Reader<R> {
    /// Reads `inner`, named `name` in messages; a block longer than `max_block` is an error.
    pub fn new(inner: R, name: impl Into<String>, max_block: u64) -> Self {
        Reader {
            inner,
            name: name.into(),
            count: 0,
            max_block,
        }
    }

    /// The error for record `n`.
    fn err(&self, n: u64, message: impl Into<String>) -> Error {
        Error::Input {
            path: format!("{}:record {n}", self.name).into(),
            message: message.into(),
        }
    }

    /// Reads one line (with its terminator) into `out`; the number of bytes read.
    fn line(&mut self, out: &mut Vec<u8>, n: u64) -> Result<usize, Error> {
        let before = out.len();
        let mut limited = (&mut self.inner).take((MAX_HEAD + 1 - before.min(MAX_HEAD)) as u64);
        let read = limited
            .read_until(b'\n', out)
            .map_err(|e| self.err(n, e.to_string()))?;
        if out.len() > MAX_HEAD {
            return Err(self.err(
                n,
                format!("header section longer than {MAX_HEAD} bytes; not a WARC file?"),
            ));
        }
        Ok(read)
    }

    /// The next record, or `None` at the end of the input.
    pub fn next_record(&mut self) -> Result<Option<Record>, Error> {
        let n = self.count + 1;
        let mut head = Vec::new();
        // Blank lines before a record are tolerated (some writers add more than two).
        loop {
            head.clear();
            if self.line(&mut head, n)? == 0 {
                return Ok(None);
            }
            if !head.trim_ascii().is_empty() {
                break;
            }
        }
        if !head.starts_with(b"WARC/") {
            return Err(self.err(
                n,
                format!(
                    "expected a version line such as WARC/1.1, found {}",
                    crate::report::excerpt(&head)
                ),
            ));
        }
        loop {
            let start = head.len();
            if self.line(&mut head, n)? == 0 {
                return Err(self.err(n, "the file ends inside the record's headers"));
            }
            if head[start..].trim_ascii().is_empty() {
                break;
            }
        }
        let length = header_in(&head, "Content-Length")
            .ok_or_else(|| self.err(n, "no Content-Length header"))?;
        let length: u64 = length
            .trim()
            .parse()
            .map_err(|_| self.err(n, format!("invalid Content-Length {:?}", length.trim())))?;
        if length > self.max_block {
            return Err(self.err(
                n,
                format!(
                    "block of {length} bytes is larger than the limit of {} bytes",
                    self.max_block
                ),
            ));
        }
        let mut block = Vec::with_capacity(length as usize);
        let got = (&mut self.inner)
            .take(length)
            .read_to_end(&mut block)
            .map_err(|e| self.err(n, e.to_string()))?;
        if (got as u64) < length {
            return Err(self.err(
                n,
                format!(
                    "Content-Length {length} runs past the end of the file ({got} bytes of block \
                     left)"
                ),
            ));
        }
        // The two line ends after the block (a missing one at the very end is tolerated).
        let mut tail = Vec::new();
        for _ in 0..2 {
            tail.clear();
            let _ = self.line(&mut tail, n)?;
            if !tail.trim_ascii().is_empty() {
                return Err(self.err(
                    n,
                    format!(
                        "Content-Length {length} does not end the record: found {} after the \
                         block",
                        crate::report::excerpt(&tail)
                    ),
                ));
            }
        }
        self.count = n;
        Ok(Some(Record {
            number: n,
            head,
            block,
        }))
    }
}

/// The lines of a header section after the version line, without terminators; a continuation
/// line (starting with a space or tab) is kept as a line of its own.
fn header_lines(head: &[u8]) -> impl Iterator<Item = &[u8]> {
    head.split_inclusive(|&b| b == b'\n')
        .skip(1)
        .map(|l| l.strip_suffix(b"\n").unwrap_or(l))
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
}

/// The value of the first header `name` (case-insensitive) in a header section.
fn header_in<'h>(head: &'h [u8], name: &str) -> Option<&'h str> {
    header_lines(head).find_map(|l| {
        let colon = memchr::memchr(b':', l)?;
        let key = std::str::from_utf8(&l[..colon]).ok()?;
        if key.trim().eq_ignore_ascii_case(name) {
            std::str::from_utf8(&l[colon + 1..]).ok().map(str::trim)
        } else {
            None
        }
    })
}

/// Is this media type plain text?
fn is_text_plain(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("text/plain"))
}

impl Record {
    /// The value of a header (case-insensitive name), trimmed.
    pub fn header(&self, name: &str) -> Option<&str> {
        header_in(&self.head, name)
    }

    /// The record type (`WARC-Type`).
    pub fn kind(&self) -> &str {
        self.header("WARC-Type").unwrap_or("")
    }

    /// Where the text dechrome cleans lies in the block, if anywhere.
    pub fn payload(&self) -> Payload {
        let content_type = self.header("Content-Type").unwrap_or("");
        match self.kind() {
            "conversion" => Payload::Block,
            "resource" if is_text_plain(content_type) => Payload::Block,
            "response" if is_text_plain(content_type) => Payload::Block,
            "response"
                if content_type
                    .to_ascii_lowercase()
                    .starts_with("application/http") =>
            {
                http_text_body(&self.block).map_or(Payload::Other, Payload::Http)
            }
            _ => Payload::Other,
        }
    }

    /// The text to clean (empty for [`Payload::Other`]).
    pub fn text(&self) -> &[u8] {
        match self.payload() {
            Payload::Other => &[],
            Payload::Block => &self.block,
            Payload::Http(at) => &self.block[at..],
        }
    }

    /// Writes the record: header section, block, two line ends.
    pub fn write_to(&self, out: &mut impl Write) -> std::io::Result<()> {
        out.write_all(&self.head)?;
        out.write_all(&self.block)?;
        out.write_all(b"\r\n\r\n")
    }

    /// The record with its text replaced by `text`: the block rebuilt (an HTTP response's own
    /// Content-Length updated), `Content-Length` set, and `WARC-Block-Digest` and
    /// `WARC-Payload-Digest` recomputed where present, in the algorithm and encoding they had.
    /// Every other byte of the header section is kept.
    pub fn with_text(&self, text: &[u8]) -> Result<Record, String> {
        let (block, payload_at) = match self.payload() {
            Payload::Other => return Err("the record holds no text payload".into()),
            Payload::Block => (text.to_vec(), 0),
            Payload::Http(at) => {
                let mut head = replace_header(&self.block[..at], "Content-Length", |_| {
                    Ok(text.len().to_string())
                })?;
                let at = head.len();
                head.extend_from_slice(text);
                (head, at)
            }
        };
        let head = replace_header(&self.head, "Content-Length", |_| {
            Ok(block.len().to_string())
        })?;
        let head = replace_header(&head, "WARC-Block-Digest", |old| digest_like(old, &block))?;
        let head = replace_header(&head, "WARC-Payload-Digest", |old| {
            digest_like(old, &block[payload_at..])
        })?;
        Ok(Record {
            number: self.number,
            head,
            block,
        })
    }
}

/// If `block` is an HTTP response whose body is plain text without content or transfer
/// encoding, the offset of its body.
fn http_text_body(block: &[u8]) -> Option<usize> {
    if !block.starts_with(b"HTTP/") {
        return None;
    }
    let end = memchr::memmem::find(block, b"\r\n\r\n")? + 4;
    let head = &block[..end];
    let get = |name: &str| header_in(head, name);
    let identity = |v: Option<&str>| v.is_none_or(|v| v.trim().eq_ignore_ascii_case("identity"));
    (get("Content-Type").is_some_and(is_text_plain)
        && identity(get("Content-Encoding"))
        && identity(get("Transfer-Encoding")))
    .then_some(end)
}

/// `head` with the value of every header line `name` (case-insensitive) replaced by what `value`
/// makes of the old one; the line's name, spacing and terminator are kept.
fn replace_header(
    head: &[u8],
    name: &str,
    value: impl Fn(&str) -> Result<String, String>,
) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(head.len() + 8);
    for (i, line) in head.split_inclusive(|&b| b == b'\n').enumerate() {
        let colon = memchr::memchr(b':', line);
        let hit = i > 0
            && colon.is_some_and(|c| {
                std::str::from_utf8(&line[..c]).is_ok_and(|k| k.trim().eq_ignore_ascii_case(name))
            });
        let Some(c) = colon.filter(|_| hit) else {
            out.extend_from_slice(line);
            continue;
        };
        let rest = &line[c + 1..];
        let body_end = rest.len()
            - rest
                .iter()
                .rev()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
        let lead = rest
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        let old = String::from_utf8_lossy(&rest[lead.min(body_end)..body_end]);
        out.extend_from_slice(&line[..c + 1 + lead]);
        out.extend_from_slice(value(&old)?.as_bytes());
        out.extend_from_slice(&rest[body_end..]);
    }
    Ok(out)
}

/// A digest of `data` written as `old` is: `algorithm:value`, with the same algorithm (sha1,
/// sha256) and encoding (base32 as Common Crawl writes it, padded or not, or hexadecimal).
pub fn digest_like(old: &str, data: &[u8]) -> Result<String, String> {
    let (algo, value) = old
        .split_once(':')
        .ok_or_else(|| format!("digest {old:?} has no algorithm label"))?;
    let hash: Vec<u8> = match algo.to_ascii_lowercase().replace('-', "").as_str() {
        "sha1" => sha1::Sha1::digest(data).to_vec(),
        "sha256" => sha2::Sha256::digest(data).to_vec(),
        _ => {
            return Err(format!(
                "digest algorithm {algo:?} cannot be recomputed (sha1 and sha256 can)"
            ));
        }
    };
    let hex = value.len() == 2 * hash.len() && value.bytes().all(|b| b.is_ascii_hexdigit());
    let lower = value.bytes().any(|b| b.is_ascii_lowercase());
    let encoded = if hex {
        if lower { HEXLOWER } else { HEXUPPER }.encode(&hash)
    } else {
        let s = if value.contains('=') {
            BASE32.encode(&hash)
        } else {
            BASE32_NOPAD.encode(&hash)
        };
        if lower { s.to_ascii_lowercase() } else { s }
    };
    Ok(format!("{algo}:{encoded}"))
}

/// Is this file name one of a WARC file (`.warc`, `.warc.gz`, `.wet`, `.warc.wet.gz`...)?
pub fn is_warc_name(path: &std::path::Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.ends_with(".warc") || name.ends_with(".wet") || name.ends_with(".wat")
}

/// Gzip-compresses one record as a member of its own (a `.warc.gz` holds one per record, so
/// that readers can seek to a record).
pub fn gzip_member(record: &Record) -> std::io::Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(record.block.len() / 2 + 256),
        flate2::Compression::default(),
    );
    record.write_to(&mut enc)?;
    enc.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: &str, ctype: &str, block: &[u8], digest: bool) -> Vec<u8> {
        let mut out = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: https://example.org/a\r\n\
             Content-Type: {ctype}\r\n"
        );
        if digest {
            out += &format!(
                "WARC-Block-Digest: sha1:{}\r\n",
                BASE32.encode(&sha1::Sha1::digest(block))
            );
        }
        out += &format!("Content-Length: {}\r\n\r\n", block.len());
        let mut out = out.into_bytes();
        out.extend_from_slice(block);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }

    fn read_all(bytes: &[u8]) -> Result<Vec<Record>, Error> {
        let mut r = Reader::new(bytes, "in.warc", 1 << 20);
        let mut out = Vec::new();
        while let Some(rec) = r.next_record()? {
            out.push(rec);
        }
        Ok(out)
    }

    #[test]
    fn reads_and_writes_back_byte_for_byte() {
        let mut file = record("warcinfo", "application/warc-fields", b"a: b\r\n", false);
        file.extend(record("conversion", "text/plain", b"Hello\nworld\n", true));
        let recs = read_all(&file).unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].payload(), Payload::Other);
        assert_eq!(recs[1].payload(), Payload::Block);
        assert_eq!(
            recs[1].header("warc-target-uri"),
            Some("https://example.org/a")
        );
        let mut back = Vec::new();
        for r in &recs {
            r.write_to(&mut back).unwrap();
        }
        assert_eq!(back, file);
    }

    #[test]
    fn new_text_changes_length_and_digest_only() {
        let file = record("conversion", "text/plain", b"Hello\nworld\n", true);
        let rec = read_all(&file).unwrap().remove(0);
        let new = rec.with_text(b"Hello\n").unwrap();
        let want = record("conversion", "text/plain", b"Hello\n", true);
        let mut got = Vec::new();
        new.write_to(&mut got).unwrap();
        assert_eq!(
            String::from_utf8(got).unwrap(),
            String::from_utf8(want).unwrap()
        );
    }

    #[test]
    fn digests_keep_their_encoding() {
        // SHA-1 of the empty string.
        let b32 = "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ";
        assert_eq!(digest_like("sha1:AAAA", b"").unwrap(), b32);
        assert_eq!(
            digest_like("sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709", b"x").unwrap(),
            format!("sha1:{}", HEXLOWER.encode(&sha1::Sha1::digest(b"x")))
        );
        assert_eq!(
            digest_like("md5:abc", b"").unwrap_err(),
            "digest algorithm \"md5\" cannot be recomputed (sha1 and sha256 can)"
        );
    }

    #[test]
    fn http_bodies() {
        let block = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 6\r\n\r\nHello\n";
        let file = record(
            "response",
            "application/http; msgtype=response",
            block,
            true,
        );
        let rec = read_all(&file).unwrap().remove(0);
        assert_eq!(rec.text(), b"Hello\n");
        let new = rec.with_text(b"Hi\n").unwrap();
        assert_eq!(
            new.block,
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\n\r\nHi\n"
        );
        let html = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>x</p>";
        let file = record(
            "response",
            "application/http; msgtype=response",
            html,
            false,
        );
        assert_eq!(read_all(&file).unwrap()[0].payload(), Payload::Other);
    }

    #[test]
    fn bad_framing() {
        let file = record("conversion", "text/plain", b"Hello\nworld\n", false);
        let cut = &file[..file.len() - 10];
        assert_eq!(
            read_all(cut).unwrap_err().to_string(),
            "in.warc:record 1: Content-Length 12 runs past the end of the file (6 bytes of block left)"
        );
        assert_eq!(
            read_all(b"hello\r\n").unwrap_err().to_string(),
            "in.warc:record 1: expected a version line such as WARC/1.1, found \"hello\""
        );
        let mut two = file.clone();
        two.extend_from_slice(b"WARC/1.0\r\nWARC-Type: conversion\r\n");
        assert_eq!(
            read_all(&two).unwrap_err().to_string(),
            "in.warc:record 2: the file ends inside the record's headers"
        );
    }
}
