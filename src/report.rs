//! Reporting: byte offsets as `line:col`, and one-line descriptions of removals.

/// Maps byte offsets of one text to 1-based lines and character columns.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the line starts of `text`.
    pub fn new(text: &'a [u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text).map(|i| i + 1));
        LineIndex { text, starts }
    }

    /// The 1-based line and character column of a byte offset. A UTF-8 BOM does not count as a column.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset);
        let mut start = self.starts[line - 1];
        if start == 0 && self.text.starts_with(b"\xEF\xBB\xBF") && offset >= 3 {
            start = 3;
        }
        let col = self.text[start..offset]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count();
        (line, col + 1)
    }
}

/// Longest excerpt of removed text shown in a report, in characters.
pub const EXCERPT_CHARS: usize = 80;

/// The removed text as shown in reports: trimmed, quoted and escaped, shortened past
/// [`EXCERPT_CHARS`] characters with `...`.
pub fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    let mut short: String = text.chars().take(EXCERPT_CHARS).collect();
    if short.len() < text.len() {
        short.push_str("...");
    }
    format!("{short:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column() {
        let idx = LineIndex::new("ab\nc\u{e9}d\n".as_bytes());
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(3), (2, 1));
        assert_eq!(idx.line_col(6), (2, 3));
        let bom = LineIndex::new(b"\xEF\xBB\xBFab");
        assert_eq!(bom.line_col(3), (1, 1));
    }

    #[test]
    fn excerpts() {
        assert_eq!(excerpt(b"  Comments\n"), "\"Comments\"");
        assert_eq!(excerpt(b"a\nb"), "\"a\\nb\"");
        let long = "x".repeat(100);
        assert_eq!(
            excerpt(long.as_bytes()),
            format!("\"{}...\"", "x".repeat(80))
        );
    }
}
