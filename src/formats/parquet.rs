//! Parquet files: one string column read and rewritten row group by row group, every other
//! column chunk copied byte for byte, so the schema, the row order, the row groups, the key-value
//! metadata (such as the Arrow schema pyarrow stores) and the other columns' encodings and
//! compression are kept. Memory holds one row group's text column at a time.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use parquet::basic::{ConvertedType, LogicalType, Type as PhysicalType};
use parquet::column::reader::ColumnReader;
use parquet::column::writer::{ColumnCloseResult, ColumnWriter};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, RowGroupReader};
use parquet::file::serialized_reader::SerializedFileReader;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::ColumnPath;

pub use parquet::data_type::ByteArray;

use crate::error::Error;

/// Rows read from a column chunk per call.
const READ_BATCH: usize = 4096;

/// One Parquet file opened for reading its string columns.
pub struct Table {
    reader: SerializedFileReader<File>,
    /// The file, for copying column chunks.
    file: File,
    /// Its name in messages.
    name: String,
}

/// The rows of one column in one row group: `None` for a null.
pub type Column = Vec<Option<ByteArray>>;

impl Table {
    /// Opens a Parquet file, reading its footer.
    pub fn open(path: &Path) -> Result<Table, Error> {
        let name = path.display().to_string();
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let copy = file.try_clone().map_err(|e| Error::io(path, e))?;
        let reader = SerializedFileReader::new(copy).map_err(|e| Error::Input {
            path: path.into(),
            message: format!("not a readable Parquet file: {e}"),
        })?;
        Ok(Table { reader, file, name })
    }

    /// Number of row groups.
    pub fn row_groups(&self) -> usize {
        self.reader.metadata().num_row_groups()
    }

    /// Number of rows in a row group.
    pub fn rows_in(&self, group: usize) -> u64 {
        self.reader.metadata().row_group(group).num_rows().max(0) as u64
    }

    /// The index of the top-level string column `name`, or an error saying why it is none.
    pub fn string_column(&self, name: &str) -> Result<usize, Error> {
        let schema = self.reader.metadata().file_metadata().schema_descr();
        let found = (0..schema.num_columns()).find(|&i| {
            let c = schema.column(i);
            let parts = c.path().parts();
            parts.len() == 1 && parts[0] == name
        });
        let Some(i) = found else {
            if schema
                .root_schema()
                .get_fields()
                .iter()
                .any(|f| f.name() == name)
            {
                return Err(self.err(format!(
                    "column `{name}` is a list or group, not a string column"
                )));
            }
            let top: Vec<&str> = schema
                .root_schema()
                .get_fields()
                .iter()
                .map(|f| f.name())
                .collect();
            return Err(self.err(format!("no column `{name}` (columns: {})", top.join(", "))));
        };
        let col = schema.column(i);
        let string = col.physical_type() == PhysicalType::BYTE_ARRAY
            && (matches!(col.logical_type_ref(), Some(LogicalType::String))
                || col.converted_type() == ConvertedType::UTF8);
        if !string {
            let what = match col.physical_type() {
                PhysicalType::BYTE_ARRAY => "binary".to_string(),
                t => t.to_string(),
            };
            return Err(self.err(format!("column `{name}` is {what}, not a string column")));
        }
        if col.max_rep_level() > 0 {
            return Err(self.err(format!("column `{name}` is repeated, not a string column")));
        }
        Ok(i)
    }

    fn err(&self, message: String) -> Error {
        Error::Input {
            path: self.name.clone().into(),
            message,
        }
    }

    fn group_err(&self, group: usize, e: impl std::fmt::Display) -> Error {
        Error::Input {
            path: format!("{}:row group {group}", self.name).into(),
            message: e.to_string(),
        }
    }

    /// The values of string column `col` in row group `group`.
    pub fn read(&self, group: usize, col: usize) -> Result<(Column, Vec<i16>), Error> {
        let rg = self
            .reader
            .get_row_group(group)
            .map_err(|e| self.group_err(group, e))?;
        read_strings(rg.as_ref(), col, self.rows_in(group)).map_err(|e| self.group_err(group, e))
    }

    /// Writes the file again to `out` with column `col` replaced, row group by row group, by what
    /// `replace(group, first_row, values)` returns (one value per row, nulls staying nulls); the
    /// other column chunks are copied as they are. Returns `out` once the footer is written.
    pub fn rewrite<W: Write + Send>(
        &self,
        col: usize,
        out: W,
        replace: &mut dyn FnMut(usize, u64, Column) -> Result<Column, Error>,
    ) -> Result<W, Error> {
        let meta = self.reader.metadata();
        let file_meta = meta.file_metadata();
        let schema = file_meta.schema_descr();
        let path = ColumnPath::new(schema.column(col).path().parts().to_vec());
        let codec =
            (meta.num_row_groups() > 0).then(|| meta.row_group(0).column(col).compression());
        let mut props = WriterProperties::builder()
            .set_key_value_metadata(file_meta.key_value_metadata().cloned())
            // Row groups are written as they come; no limit may split one.
            .set_max_row_group_row_count(None);
        if let Some(codec) = codec {
            props = props.set_column_compression(path, codec);
        }
        let io = |e: parquet::errors::ParquetError| self.err(format!("cannot write Parquet: {e}"));
        let mut writer =
            SerializedFileWriter::new(out, schema.root_schema_ptr(), Arc::new(props.build()))
                .map_err(io)?;
        let mut first_row = 0u64;
        for g in 0..meta.num_row_groups() {
            let rg_meta = meta.row_group(g);
            let rows = self.rows_in(g);
            let rg = self
                .reader
                .get_row_group(g)
                .map_err(|e| self.group_err(g, e))?;
            let (values, defs) =
                read_strings(rg.as_ref(), col, rows).map_err(|e| self.group_err(g, e))?;
            let mut values = Some(replace(g, first_row, values)?);
            let mut rg_writer = writer.next_row_group().map_err(io)?;
            for c in 0..rg_meta.num_columns() {
                if c == col {
                    let mut cw = rg_writer.next_column().map_err(io)?.expect("column");
                    let ColumnWriter::ByteArrayColumnWriter(w) = cw.untyped() else {
                        unreachable!("a string column is BYTE_ARRAY");
                    };
                    let present: Vec<ByteArray> = values
                        .take()
                        .unwrap_or_default()
                        .into_iter()
                        .flatten()
                        .collect();
                    let optional = schema.column(col).max_def_level() > 0;
                    w.write_batch(&present, optional.then_some(&defs[..]), None)
                        .map_err(io)?;
                    cw.close().map_err(io)?;
                    continue;
                }
                let chunk = rg_meta.column(c);
                let close = ColumnCloseResult {
                    bytes_written: chunk.compressed_size() as u64,
                    rows_written: rows,
                    metadata: chunk.clone(),
                    bloom_filter: None,
                    column_index: None,
                    offset_index: None,
                };
                rg_writer
                    .append_column(&self.file, close)
                    .map_err(|e| self.group_err(g, e))?;
            }
            rg_writer.close().map_err(io)?;
            first_row += rows;
        }
        writer.into_inner().map_err(io)
    }
}

/// Reads a string column chunk: one value per row, and the definition levels.
fn read_strings(
    rg: &dyn RowGroupReader,
    col: usize,
    rows: u64,
) -> Result<(Column, Vec<i16>), parquet::errors::ParquetError> {
    let optional = rg.metadata().column(col).column_descr().max_def_level() > 0;
    let ColumnReader::ByteArrayColumnReader(mut reader) = rg.get_column_reader(col)? else {
        return Err(parquet::errors::ParquetError::General(
            "not a BYTE_ARRAY column".into(),
        ));
    };
    let mut defs: Vec<i16> = Vec::with_capacity(rows as usize);
    let mut values: Vec<ByteArray> = Vec::with_capacity(rows as usize);
    let mut read = 0u64;
    while read < rows {
        let want = READ_BATCH.min((rows - read) as usize);
        let (records, _, _) = reader.read_records(
            want,
            if optional { Some(&mut defs) } else { None },
            None,
            &mut values,
        )?;
        if records == 0 {
            return Err(parquet::errors::ParquetError::General(format!(
                "column chunk ends after {read} of {rows} rows"
            )));
        }
        read += records as u64;
    }
    let mut it = values.into_iter();
    let column = if optional {
        defs.iter()
            .map(|&d| if d > 0 { it.next() } else { None })
            .collect()
    } else {
        it.map(Some).collect()
    };
    Ok((column, defs))
}
