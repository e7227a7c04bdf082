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

/// One document of a container, as [`for_each_doc`] hands it over.
pub struct DocRef<'a> {
    /// Where it is: `path:record N` (WARC) or `path:row N:field` (Parquet, rows from 1).
    pub at: String,
    /// Its text.
    pub text: &'a [u8],
    /// The values asked for beside the text: WARC headers or Parquet string columns (`None`
    /// when absent or null).
    pub extra: Vec<Option<String>>,
}

/// Calls `f` with every text document of a WARC file (the records `clean --warc` cleans) or a
/// Parquet file (each non-null value of column `field`), in file order, with the values of
/// `extra` (header names, or column names) beside each. A block larger than `max` bytes is an
/// error.
pub fn for_each_doc(
    path: &std::path::Path,
    field: &str,
    extra: &[&str],
    max: u64,
    f: &mut dyn FnMut(DocRef<'_>) -> Result<(), crate::Error>,
) -> Result<(), crate::Error> {
    let name = path.display().to_string();
    if is_parquet_name(path) {
        return parquet_docs(path, &name, field, extra, f);
    }
    let stream = crate::input::open_stream(path, Default::default())?;
    let mut reader = warc::Reader::new(stream, name.clone(), max);
    while let Some(rec) = reader.next_record()? {
        if rec.payload() == warc::Payload::Other {
            continue;
        }
        f(DocRef {
            at: format!("{name}:record {}", rec.number),
            text: rec.text(),
            extra: extra
                .iter()
                .map(|h| rec.header(h).map(str::to_string))
                .collect(),
        })?;
    }
    Ok(())
}

#[cfg(feature = "parquet")]
fn parquet_docs(
    path: &std::path::Path,
    name: &str,
    field: &str,
    extra: &[&str],
    f: &mut dyn FnMut(DocRef<'_>) -> Result<(), crate::Error>,
) -> Result<(), crate::Error> {
    let table = parquet::Table::open(path)?;
    let col = table.string_column(field)?;
    let extra_cols = extra
        .iter()
        .map(|c| table.string_column(c))
        .collect::<Result<Vec<_>, _>>()?;
    let mut row = 0u64;
    for g in 0..table.row_groups() {
        let (texts, _) = table.read(g, col)?;
        let others = extra_cols
            .iter()
            .map(|&c| table.read(g, c).map(|r| r.0))
            .collect::<Result<Vec<_>, _>>()?;
        for (i, t) in texts.iter().enumerate() {
            let Some(t) = t else { continue };
            f(DocRef {
                at: format!("{name}:row {}:{field}", row + i as u64 + 1),
                text: t.data(),
                extra: others
                    .iter()
                    .map(|o| {
                        o[i].as_ref()
                            .map(|v| String::from_utf8_lossy(v.data()).into_owned())
                    })
                    .collect(),
            })?;
        }
        row += table.rows_in(g);
    }
    Ok(())
}

#[cfg(not(feature = "parquet"))]
fn parquet_docs(
    path: &std::path::Path,
    _name: &str,
    _field: &str,
    _extra: &[&str],
    _f: &mut dyn FnMut(DocRef<'_>) -> Result<(), crate::Error>,
) -> Result<(), crate::Error> {
    Err(crate::Error::Input {
        path: path.into(),
        message: "this dechrome was built without Parquet support (cargo feature `parquet`)".into(),
    })
}

/// Does this Parquet file have a top-level string column `name`? (False for a file that cannot
/// be read, or without the `parquet` feature.)
pub fn parquet_has_string_column(path: &std::path::Path, name: &str) -> bool {
    #[cfg(feature = "parquet")]
    {
        parquet::Table::open(path).is_ok_and(|t| t.string_column(name).is_ok())
    }
    #[cfg(not(feature = "parquet"))]
    {
        let _ = (path, name);
        false
    }
}
