//! Input: what kind of bytes a file holds, before any cleaning.
//!
//! dechrome cleans UTF-8 text (invalid sequences are kept as they are). Binary files are skipped with
//! a warning, and UTF-16 text is refused with a message saying so, rather than being mangled.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::Error;
use crate::output::Compression;

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

/// Reads a file for cleaning. `Ok(None)` means binary (the caller warns and skips it).
pub fn read_text(path: &Path) -> Result<Option<Vec<u8>>, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    match sniff(&bytes) {
        Kind::Text => Ok(Some(bytes)),
        Kind::Binary => Ok(None),
        Kind::Utf16 => Err(Error::Input {
            path: path.to_path_buf(),
            message: "UTF-16 text is not supported; convert it to UTF-8 first".into(),
        }),
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

/// Opens a file for streaming, `-` meaning stdin, decompressing `.gz` and `.zst` files by
/// extension. The raw (compressed) bytes read are added to `count`.
pub fn open_stream(path: &Path, count: Arc<AtomicU64>) -> Result<Box<dyn BufRead + Send>, Error> {
    if path == Path::new("-") {
        let raw = Counting {
            inner: std::io::stdin(),
            count,
        };
        return Ok(Box::new(BufReader::with_capacity(READ_BUFFER, raw)));
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let raw = BufReader::with_capacity(READ_BUFFER, Counting { inner: file, count });
    Ok(match Compression::of_path(path) {
        Compression::None => Box::new(raw),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            READ_BUFFER,
            flate2::bufread::MultiGzDecoder::new(raw),
        )),
        Compression::Zstd => Box::new(BufReader::with_capacity(
            READ_BUFFER,
            zstd::stream::read::Decoder::with_buffer(raw).map_err(|e| Error::io(path, e))?,
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_kinds() {
        assert_eq!(sniff(b""), Kind::Text);
        assert_eq!(sniff(b"\xEF\xBB\xBFhello"), Kind::Text);
        assert_eq!(sniff(b"bad \xff utf8"), Kind::Text);
        assert_eq!(sniff(b"\x7fELF\x02\x01\x00\x00"), Kind::Binary);
        assert_eq!(sniff(b"\xFF\xFEh\x00i\x00"), Kind::Utf16);
    }
}
