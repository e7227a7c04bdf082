//! Parquet files: one string column read and rewritten row group by row group, every other
//! column chunk copied byte for byte, so the schema, the row order, the row groups, the key-value
//! metadata (such as the Arrow schema pyarrow stores) and the other columns' encodings and
//! compression are kept. Memory holds one row group's text column at a time.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use parquet::basic::{ConvertedType, LogicalType, Repetition, Type as PhysicalType};
use parquet::column::reader::ColumnReader;
use parquet::column::writer::{ColumnCloseResult, ColumnWriter};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, RowGroupReader};
use parquet::file::serialized_reader::SerializedFileReader;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::{ColumnPath, Type, TypePtr};

pub use parquet::data_type::ByteArray;

use crate::error::Error;
use crate::jsonl::Annotation;

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

/// The removals of each row of one row group, for an annotation column: `None` for a row whose
/// text is null.
pub type Annotations = Vec<Option<Vec<Annotation>>>;

/// The key under which pyarrow keeps the Arrow schema of a file.
const ARROW_SCHEMA: &str = "ARROW:schema";

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

    /// Is there a top-level column (of any type) named `name`?
    pub fn has_column(&self, name: &str) -> bool {
        let schema = self.reader.metadata().file_metadata().schema_descr();
        schema
            .root_schema()
            .get_fields()
            .iter()
            .any(|f| f.name() == name)
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
    /// other column chunks are copied as they are. With `annotate`, a column of that name is
    /// appended: a list of removals (structs of rule, family, scope, start, end) per row, from
    /// the annotations `replace` returns beside the values, and the Arrow schema in the metadata
    /// gains the same field. Returns `out` once the footer is written.
    pub fn rewrite<W: Write + Send>(
        &self,
        col: usize,
        annotate: Option<&str>,
        out: W,
        replace: &mut dyn FnMut(usize, u64, Column) -> Result<(Column, Annotations), Error>,
    ) -> Result<W, Error> {
        let meta = self.reader.metadata();
        let file_meta = meta.file_metadata();
        let schema = file_meta.schema_descr();
        let path = ColumnPath::new(schema.column(col).path().parts().to_vec());
        let codec =
            (meta.num_row_groups() > 0).then(|| meta.row_group(0).column(col).compression());
        let io = |e: parquet::errors::ParquetError| self.err(format!("cannot write Parquet: {e}"));
        let mut kv = file_meta.key_value_metadata().cloned();
        let mut root = schema.root_schema_ptr();
        if let Some(name) = annotate {
            let mut fields = root.get_fields().to_vec();
            fields.push(annotation_type(name).map_err(io)?);
            root = Arc::new(
                Type::group_type_builder(root.name())
                    .with_fields(fields)
                    .build()
                    .map_err(io)?,
            );
            // pyarrow restores types from the Arrow schema: it gets the new field too, or (when
            // it cannot be read) goes, and the Parquet schema alone is read.
            if let Some(kv) = kv.as_mut() {
                kv.retain_mut(|e| {
                    if e.key != ARROW_SCHEMA {
                        return true;
                    }
                    let new = e
                        .value
                        .as_deref()
                        .and_then(|v| arrow::with_annotation(v, name));
                    e.value = new;
                    e.value.is_some()
                });
            }
        }
        let mut props = WriterProperties::builder()
            .set_key_value_metadata(kv.filter(|kv: &Vec<KeyValue>| !kv.is_empty()))
            // Row groups are written as they come; no limit may split one.
            .set_max_row_group_row_count(None);
        if let Some(codec) = codec {
            props = props.set_column_compression(path, codec);
            if annotate.is_some() {
                props = props.set_compression(codec);
            }
        }
        let mut writer =
            SerializedFileWriter::new(out, root, Arc::new(props.build())).map_err(io)?;
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
            let (values, annotations) = replace(g, first_row, values)?;
            let mut values = Some(values);
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
            if annotate.is_some() {
                write_annotations(&mut rg_writer, &annotations).map_err(io)?;
            }
            rg_writer.close().map_err(io)?;
            first_row += rows;
        }
        writer.into_inner().map_err(io)
    }
}

/// The Parquet type of an annotation column: a LIST of required structs of three strings and two
/// 64-bit integers (levels: 0 a null row, 1 an empty list, 2 an element).
fn annotation_type(name: &str) -> Result<TypePtr, parquet::errors::ParquetError> {
    let leaf = |n: &str, t: PhysicalType| {
        let logical = (t == PhysicalType::BYTE_ARRAY).then_some(LogicalType::String);
        Type::primitive_type_builder(n, t)
            .with_repetition(Repetition::REQUIRED)
            .with_logical_type(logical)
            .build()
            .map(Arc::new)
    };
    let element = Type::group_type_builder("element")
        .with_repetition(Repetition::REQUIRED)
        .with_fields(vec![
            leaf("rule", PhysicalType::BYTE_ARRAY)?,
            leaf("family", PhysicalType::BYTE_ARRAY)?,
            leaf("scope", PhysicalType::BYTE_ARRAY)?,
            leaf("start", PhysicalType::INT64)?,
            leaf("end", PhysicalType::INT64)?,
        ])
        .build()?;
    let list = Type::group_type_builder("list")
        .with_repetition(Repetition::REPEATED)
        .with_fields(vec![Arc::new(element)])
        .build()?;
    Ok(Arc::new(
        Type::group_type_builder(name)
            .with_repetition(Repetition::OPTIONAL)
            .with_logical_type(Some(LogicalType::List))
            .with_fields(vec![Arc::new(list)])
            .build()?,
    ))
}

/// Writes the five leaf columns of an annotation column for one row group.
fn write_annotations<W: Write + Send>(
    rg: &mut parquet::file::writer::SerializedRowGroupWriter<'_, W>,
    rows: &Annotations,
) -> Result<(), parquet::errors::ParquetError> {
    let (mut defs, mut reps) = (Vec::new(), Vec::new());
    for row in rows {
        match row.as_deref() {
            None | Some([]) => {
                defs.push(i16::from(row.is_some()));
                reps.push(0);
            }
            Some(list) => {
                for i in 0..list.len() {
                    defs.push(2);
                    reps.push(i16::from(i > 0));
                }
            }
        }
    }
    let all = || rows.iter().flatten().flatten();
    let strings: [Vec<ByteArray>; 3] = [
        all().map(|a| ByteArray::from(a.rule.id.as_str())).collect(),
        all()
            .map(|a| ByteArray::from(a.rule.family.as_str()))
            .collect(),
        all()
            .map(|a| ByteArray::from(a.rule.scope.as_str()))
            .collect(),
    ];
    let ints: [Vec<i64>; 2] = [
        all().map(|a| a.chars.start as i64).collect(),
        all().map(|a| a.chars.end as i64).collect(),
    ];
    for values in &strings {
        let mut cw = rg.next_column()?.expect("an annotation column");
        let ColumnWriter::ByteArrayColumnWriter(w) = cw.untyped() else {
            unreachable!("rule, family and scope are BYTE_ARRAY");
        };
        w.write_batch(values, Some(&defs), Some(&reps))?;
        cw.close()?;
    }
    for values in &ints {
        let mut cw = rg.next_column()?.expect("an annotation column");
        let ColumnWriter::Int64ColumnWriter(w) = cw.untyped() else {
            unreachable!("start and end are INT64");
        };
        w.write_batch(values, Some(&defs), Some(&reps))?;
        cw.close()?;
    }
    Ok(())
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

/// The Arrow schema pyarrow stores under `ARROW:schema` (base64 of an Arrow IPC schema message, a
/// flatbuffer), with one field appended. The new message is a small flatbuffer head (the
/// message, the schema, the field list and the new field) followed by the old flatbuffer as it
/// was: flatbuffer offsets point forward, so the head refers to the old fields, metadata and
/// features where they lie, and the old bytes keep their 8-byte alignment.
mod arrow {
    use data_encoding::BASE64;

    /// Arrow's `Type` union tags used here.
    const TYPE_INT: u8 = 2;
    const TYPE_UTF8: u8 = 5;
    const TYPE_LIST: u8 = 12;
    const TYPE_STRUCT: u8 = 13;
    /// `MessageHeader` tag of a schema.
    const HEADER_SCHEMA: u8 = 1;

    /// `value` with a nullable field `name` of type
    /// list<element: struct<rule, family, scope: utf8, start, end: int64>> appended, or `None`
    /// when it is not a schema message this understands.
    pub fn with_annotation(value: &str, name: &str) -> Option<String> {
        let ipc = BASE64.decode(value.as_bytes()).ok()?;
        let (fb_at, len): (usize, usize) = if ipc.get(..4)? == [0xFF; 4] {
            (
                8,
                u32::from_le_bytes(ipc.get(4..8)?.try_into().ok()?) as usize,
            )
        } else {
            (
                4,
                u32::from_le_bytes(ipc.get(..4)?.try_into().ok()?) as usize,
            )
        };
        let old = ipc.get(fb_at..fb_at.checked_add(len)?)?;
        let fb = rewrite(old, name)?;
        let mut out = Vec::with_capacity(fb.len() + 8);
        out.extend_from_slice(&[0xFF; 4]);
        out.extend_from_slice(&(fb.len() as u32).to_le_bytes());
        out.extend_from_slice(&fb);
        Some(BASE64.encode(&out))
    }

    /// Reading a flatbuffer, bounds-checked.
    struct Reader<'a>(&'a [u8]);

    impl Reader<'_> {
        fn u16(&self, at: usize) -> Option<u16> {
            Some(u16::from_le_bytes(self.0.get(at..at + 2)?.try_into().ok()?))
        }
        fn u32(&self, at: usize) -> Option<u32> {
            Some(u32::from_le_bytes(self.0.get(at..at + 4)?.try_into().ok()?))
        }
        /// The absolute position of field `n` of the table at `table`, if present.
        fn field(&self, table: usize, n: usize) -> Option<Option<usize>> {
            let soff = self.u32(table)? as i32;
            let vt = usize::try_from(table as i64 - i64::from(soff)).ok()?;
            let vt_len = usize::from(self.u16(vt)?);
            if 4 + 2 * n + 2 > vt_len {
                return Some(None);
            }
            let off = usize::from(self.u16(vt + 4 + 2 * n)?);
            Some((off != 0).then_some(table + off))
        }
        /// Where the offset stored at `at` points.
        fn follow(&self, at: usize) -> Option<usize> {
            at.checked_add(self.u32(at)? as usize)
        }
        fn bytes(&self, at: usize, n: usize) -> Option<&[u8]> {
            self.0.get(at..at + n)
        }
    }

    /// One inline value of a table being written.
    #[derive(Clone, Copy)]
    enum Slot {
        U8(u8),
        I16(i16),
        I64(i64),
        /// An offset, filled in by [`Builder::point`].
        Offset,
        Absent,
    }

    /// Writing a flatbuffer front to back; offsets are patched once their targets are placed.
    #[derive(Default)]
    struct Builder(Vec<u8>);

    impl Builder {
        fn align(&mut self, n: usize) {
            while !self.0.len().is_multiple_of(n) {
                self.0.push(0);
            }
        }
        /// Writes a table (after its vtable); returns its position and those of its offset slots.
        fn table(&mut self, slots: &[Slot]) -> (usize, Vec<usize>) {
            let mut layout = Vec::new();
            let mut size = 4usize;
            for s in slots {
                let width = match s {
                    Slot::U8(_) => 1,
                    Slot::I16(_) => 2,
                    Slot::I64(_) => 8,
                    Slot::Offset => 4,
                    Slot::Absent => {
                        layout.push(0);
                        continue;
                    }
                };
                size = size.next_multiple_of(width);
                layout.push(size);
                size += width;
            }
            self.align(2);
            let vtable = self.0.len();
            for v in [4 + 2 * slots.len(), size]
                .into_iter()
                .chain(layout.iter().copied())
            {
                self.0.extend_from_slice(&(v as u16).to_le_bytes());
            }
            self.align(8);
            let table = self.0.len();
            self.0
                .extend_from_slice(&((table - vtable) as i32).to_le_bytes());
            self.0.resize(table + size, 0);
            let mut offsets = Vec::new();
            for (s, &at) in slots.iter().zip(&layout) {
                let at = table + at;
                match *s {
                    Slot::U8(v) => self.0[at] = v,
                    Slot::I16(v) => self.0[at..at + 2].copy_from_slice(&v.to_le_bytes()),
                    Slot::I64(v) => self.0[at..at + 8].copy_from_slice(&v.to_le_bytes()),
                    Slot::Offset => offsets.push(at),
                    Slot::Absent => {}
                }
            }
            (table, offsets)
        }
        /// Writes a vector of `n` offsets; returns its position and its slots.
        fn vector(&mut self, n: usize) -> (usize, Vec<usize>) {
            self.align(4);
            let at = self.0.len();
            self.0.extend_from_slice(&(n as u32).to_le_bytes());
            let slots = (0..n).map(|i| at + 4 + 4 * i).collect();
            self.0.resize(at + 4 + 4 * n, 0);
            (at, slots)
        }
        fn string(&mut self, s: &str) -> usize {
            self.align(4);
            let at = self.0.len();
            self.0.extend_from_slice(&(s.len() as u32).to_le_bytes());
            self.0.extend_from_slice(s.as_bytes());
            self.0.push(0);
            at
        }
        /// Makes the offset slot at `slot` point at `target` (which lies after it).
        fn point(&mut self, slot: usize, target: usize) {
            let rel = (target - slot) as u32;
            self.0[slot..slot + 4].copy_from_slice(&rel.to_le_bytes());
        }
        /// A field: name, nullable, its type (tag and table, written empty or as an Int of 64
        /// signed bits) and children (written by `children`). Returns the table's position.
        fn field(&mut self, name: &str, nullable: bool, tag: u8, children: &[Child]) -> usize {
            let (table, slots) = self.table(&[
                Slot::Offset,
                Slot::U8(u8::from(nullable)),
                Slot::U8(tag),
                Slot::Offset,
                Slot::Absent,
                Slot::Offset,
            ]);
            let at = self.string(name);
            self.point(slots[0], at);
            let ty = if tag == TYPE_INT {
                // Int { bitWidth: int = 64, is_signed: bool = true }
                self.align(2);
                let vt = self.0.len();
                for v in [8u16, 12, 4, 8] {
                    self.0.extend_from_slice(&v.to_le_bytes());
                }
                self.align(8);
                let t = self.0.len();
                self.0.extend_from_slice(&((t - vt) as i32).to_le_bytes());
                self.0.extend_from_slice(&64i32.to_le_bytes());
                self.0.extend_from_slice(&[1, 0, 0, 0]);
                t
            } else {
                self.table(&[]).0
            };
            self.point(slots[1], ty);
            let (vec, kids) = self.vector(children.len());
            self.point(slots[2], vec);
            for (slot, c) in kids.into_iter().zip(children) {
                let t = self.field(c.name, c.nullable, c.tag, c.children);
                self.point(slot, t);
            }
            table
        }
    }

    /// A field to write below another.
    struct Child<'a> {
        name: &'a str,
        nullable: bool,
        tag: u8,
        children: &'a [Child<'a>],
    }

    /// The new flatbuffer: `old` (a Message holding a Schema) with field `name` appended.
    fn rewrite(old: &[u8], name: &str) -> Option<Vec<u8>> {
        let r = Reader(old);
        let message = r.follow(0)?;
        let version = match r.field(message, 0)? {
            Some(at) => Slot::I16(i16::from_le_bytes(r.bytes(at, 2)?.try_into().ok()?)),
            None => Slot::Absent,
        };
        if r.field(message, 1)?
            .and_then(|at| r.bytes(at, 1))
            .map(|b| b[0])
            != Some(HEADER_SCHEMA)
        {
            return None;
        }
        let schema = r.follow(r.field(message, 2)??)?;
        let body_len = match r.field(message, 3)? {
            Some(at) => Slot::I64(i64::from_le_bytes(r.bytes(at, 8)?.try_into().ok()?)),
            None => Slot::Absent,
        };
        let message_meta = r.field(message, 4)?;
        let endianness = match r.field(schema, 0)? {
            Some(at) => Slot::I16(i16::from_le_bytes(r.bytes(at, 2)?.try_into().ok()?)),
            None => Slot::Absent,
        };
        let fields = r.follow(r.field(schema, 1)??)?;
        let count = r.u32(fields)? as usize;
        let old_fields = (0..count)
            .map(|i| r.follow(fields + 4 + 4 * i))
            .collect::<Option<Vec<usize>>>()?;
        let schema_meta = r.field(schema, 2)?;
        let features = r.field(schema, 3)?;
        let present = |o: Option<usize>| {
            if o.is_some() {
                Slot::Offset
            } else {
                Slot::Absent
            }
        };

        let mut b = Builder::default();
        b.0.extend_from_slice(&[0; 4]);
        let (message_at, m) = b.table(&[
            version,
            Slot::U8(HEADER_SCHEMA),
            Slot::Offset,
            body_len,
            present(message_meta),
        ]);
        b.point(0, message_at);
        let (schema_at, s) = b.table(&[
            endianness,
            Slot::Offset,
            present(schema_meta),
            present(features),
        ]);
        b.point(m[0], schema_at);
        let (vec, slots) = b.vector(count + 1);
        b.point(s[0], vec);
        let leaf = |name, tag| Child {
            name,
            nullable: false,
            tag,
            children: &[],
        };
        let leaves = [
            leaf("rule", TYPE_UTF8),
            leaf("family", TYPE_UTF8),
            leaf("scope", TYPE_UTF8),
            leaf("start", TYPE_INT),
            leaf("end", TYPE_INT),
        ];
        let element = [Child {
            name: "element",
            nullable: false,
            tag: TYPE_STRUCT,
            children: &leaves,
        }];
        let new_field = b.field(name, true, TYPE_LIST, &element);
        b.point(slots[count], new_field);
        // The old flatbuffer follows, 8-aligned; what the head keeps of it is pointed at there.
        b.align(8);
        let base = b.0.len();
        b.0.extend_from_slice(old);
        for (slot, f) in slots.iter().zip(&old_fields) {
            b.point(*slot, base + f);
        }
        let mut rest = m[1..].iter().copied();
        if let Some(at) = message_meta {
            b.point(rest.next()?, base + r.follow(at)?);
        }
        let mut rest = s[1..].iter().copied();
        for at in [schema_meta, features].into_iter().flatten() {
            b.point(rest.next()?, base + r.follow(at)?);
        }
        b.align(8);
        Some(b.0)
    }
}

#[cfg(test)]
mod tests {
    use super::arrow::with_annotation;

    #[test]
    fn an_arrow_schema_that_cannot_be_read_is_none() {
        assert_eq!(with_annotation("not base64!", "removals"), None);
        // Base64 of a message too short to hold a flatbuffer.
        assert_eq!(with_annotation("/////wgAAAA=", "removals"), None);
    }
}
