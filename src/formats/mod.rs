//! Corpus container formats read and written record by record: WARC/WET ([`warc`]) and, with the
//! `parquet` feature, Parquet ([`parquet`](mod@parquet)).

#[cfg(feature = "parquet")]
pub mod parquet;
pub mod warc;

/// The character (Unicode scalar) offset of byte `at` in `text`, as findings inside a record are
/// reported.
pub fn char_offset(text: &[u8], at: usize) -> usize {
    text[..at.min(text.len())]
        .iter()
        .filter(|&&b| (b & 0xC0) != 0x80)
        .count()
}

/// Is this file name one of a Parquet file (`.parquet`)?
pub fn is_parquet_name(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}
