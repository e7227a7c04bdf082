//! JSONL records: clean one string field of a JSON object and splice it back into the line.
//!
//! [`locate`] parses one line with serde_json (validating all of it) and returns a [`Located`]
//! record: where the text field's JSON string sits in the line, its decoded value, and where an
//! annotation field goes. [`clean_line`] runs a [`Cleaner`] on the decoded text and builds the output
//! line: a record whose text is unchanged (and that gets no annotation) is passed through byte for
//! byte; otherwise only the field's JSON string is replaced (and the annotation inserted), so every
//! other field keeps its bytes, its place and its value.
//!
//! [`clean_record`] is what `dechrome clean --jsonl` does with each line: blank lines are no
//! records, and a malformed record's error names the input and line.
//!
//! Annotation offsets are Unicode scalar (character) offsets into the field's decoded string.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::Error;
use crate::filter::{Cleaner, Notice, Outcome, Removal, Verdict};
use crate::patterns::Rule;

/// Why a line is not a record that can be cleaned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError(pub String);

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RecordError {}

/// A parsed record: where its parts are in the line.
#[derive(Debug, Clone)]
pub struct Located<'a> {
    /// The JSON string of the text field, quotes included.
    pub field: Range<usize>,
    /// The text field's decoded value.
    pub text: Cow<'a, str>,
    /// The value of an existing annotation field, to be replaced.
    pub annotation: Option<Range<usize>>,
    /// The offset of the object's closing brace (where a new annotation field is inserted).
    pub close: usize,
}

/// Which of the wanted keys a key is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Field,
    Annotation,
    Other,
}

struct KeySeed<'f> {
    field: &'f str,
    annotation: Option<&'f str>,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(if v == self.field {
            Key::Field
        } else if Some(v) == self.annotation {
            Key::Annotation
        } else {
            Key::Other
        })
    }
}

/// The raw values of the wanted keys of one object.
struct Found<'a> {
    field: Option<&'a RawValue>,
    annotation: Option<&'a RawValue>,
}

struct ObjectSeed<'f> {
    field: &'f str,
    annotation: Option<&'f str>,
}

impl<'de> DeserializeSeed<'de> for ObjectSeed<'_> {
    type Value = Found<'de>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Found<'de>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ObjectSeed<'_> {
    type Value = Found<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found<'de>, A::Error> {
        let mut found = Found {
            field: None,
            annotation: None,
        };
        let seed = || KeySeed {
            field: self.field,
            annotation: self.annotation,
        };
        while let Some(key) = map.next_key_seed(seed())? {
            match key {
                Key::Field => {
                    if found.field.is_some() {
                        return Err(de::Error::custom(format_args!(
                            "duplicate field {:?}",
                            self.field
                        )));
                    }
                    found.field = Some(map.next_value()?);
                }
                Key::Annotation => {
                    if found.annotation.is_some() {
                        return Err(de::Error::custom(format_args!(
                            "duplicate field {:?}",
                            self.annotation.unwrap_or_default()
                        )));
                    }
                    found.annotation = Some(map.next_value()?);
                }
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }
}

/// Reads the string value of the top-level field `name` of a record (`None` when the record has
/// no such field, its value is not a string, or the line is not a JSON object).
fn string_field(line: &[u8], name: &str) -> Option<String> {
    struct Seek<'f>(&'f str);
    impl<'de> Visitor<'de> for Seek<'_> {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<String>, A::Error> {
            let mut found = None;
            while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                if key == self.0 && found.is_none() {
                    found = match map.next_value::<serde_json::Value>()? {
                        serde_json::Value::String(s) => Some(s),
                        _ => None,
                    };
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(found)
        }
    }
    let mut de = serde_json::Deserializer::from_slice(line);
    de::Deserializer::deserialize_map(&mut de, Seek(name))
        .ok()
        .flatten()
}

fn span_of(line: &[u8], part: &str) -> Range<usize> {
    // `part` borrows from `line`, so the subtraction gives its offset.
    let start = part.as_ptr() as usize - line.as_ptr() as usize;
    start..start + part.len()
}

/// Parses one JSONL line (without its line terminator) and finds the string field `field`, and the
/// field `annotation` if given. Fails on invalid JSON, a line that is not an object, and a missing,
/// duplicate or non-string text field.
pub fn locate<'a>(
    line: &'a [u8],
    field: &str,
    annotation: Option<&str>,
) -> Result<Located<'a>, RecordError> {
    // serde_json checks UTF-8 only in the strings it decodes; the fields it skips are not, and a
    // JSON text must be UTF-8 throughout. Checked once here: parsed as `str`, no string of the
    // record is checked again, nor the text field's value when it is cleaned.
    let line_str = match std::str::from_utf8(line) {
        Ok(s) => s,
        Err(e) => {
            return Err(RecordError(format!(
                "invalid JSON record: invalid UTF-8 at line 1 column {}",
                e.valid_up_to() + 1
            )));
        }
    };
    let mut de = serde_json::Deserializer::from_str(line_str);
    let found = ObjectSeed { field, annotation }
        .deserialize(&mut de)
        .and_then(|f| de.end().map(|()| f))
        .map_err(|e| RecordError(format!("invalid JSON record: {e}")))?;
    let raw = found
        .field
        .ok_or_else(|| RecordError(format!("no field {field:?}")))?;
    let span = span_of(line, raw.get());
    let bytes = &line[span.clone()];
    if bytes.first() != Some(&b'"') {
        return Err(RecordError(format!("field {field:?} is not a string")));
    }
    let text = decode(raw.get())?;
    let close = line
        .iter()
        .rposition(|&b| b == b'}')
        .ok_or_else(|| RecordError("invalid JSON record: no closing brace".into()))?;
    Ok(Located {
        field: span,
        text,
        annotation: found.annotation.map(|r| span_of(line, r.get())),
        close,
    })
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `w` that is zero (exact).
fn zero_bytes(w: u64) -> u64 {
    !(((w & !HI).wrapping_add(!HI)) | w | !HI)
}

/// Decodes a JSON string literal (quotes included) that the parser has already checked.
fn decode(raw: &str) -> Result<Cow<'_, str>, RecordError> {
    let inner = &raw[1..raw.len() - 1];
    let bytes = inner.as_bytes();
    let Some(first) = memchr::memchr(b'\\', bytes) else {
        return Ok(Cow::Borrowed(inner));
    };
    let mut out = String::with_capacity(inner.len());
    let mut at = 0;
    let mut next = Some(first);
    while let Some(k) = next {
        out.push_str(&inner[at..k]);
        let (c, len) = match bytes[k + 1] {
            b'n' => ('\n', 2),
            b't' => ('\t', 2),
            b'r' => ('\r', 2),
            b'"' => ('"', 2),
            b'\\' => ('\\', 2),
            b'/' => ('/', 2),
            b'b' => ('\u{8}', 2),
            b'f' => ('\u{c}', 2),
            _ => {
                let hex = |at: usize| {
                    inner
                        .get(at..at + 4)
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                };
                let hi = hex(k + 2);
                let lo = (inner.get(k + 6..k + 8) == Some("\\u"))
                    .then(|| hex(k + 8))
                    .flatten();
                match (hi, lo) {
                    (Some(h @ 0xD800..=0xDBFF), Some(l @ 0xDC00..=0xDFFF)) => {
                        let c = char::from_u32(0x10000 + ((h - 0xD800) << 10) + (l - 0xDC00));
                        (c.unwrap_or('\u{FFFD}'), 12)
                    }
                    (Some(h), _) => match char::from_u32(h) {
                        Some(c) => (c, 6),
                        None => {
                            return Err(RecordError(
                                "invalid JSON record: unpaired surrogate in a \\u escape".into(),
                            ));
                        }
                    },
                    _ => return Err(RecordError("invalid JSON record: bad escape".into())),
                }
            }
        };
        out.push(c);
        at = k + len;
        next = memchr::memchr(b'\\', &bytes[at..]).map(|n| at + n);
    }
    out.push_str(&inner[at..]);
    Ok(Cow::Owned(out))
}

/// Appends the cleaned text as a JSON string: `text` (the record's decoded field) without its
/// `deleted` ranges, which is what `cleaned` holds. Cut at character boundaries, the pieces of
/// `text` are `str` already and are escaped as they are (no check of the result, no copy);
/// otherwise `cleaned` is checked and its invalid bytes replaced.
fn push_cleaned(out: &mut Vec<u8>, text: &str, deleted: &[Range<usize>], cleaned: &[u8]) {
    // The kept pieces: before each deleted range, and after the last.
    let pieces = || {
        let mut at = 0;
        deleted
            .iter()
            .map(|r| (r.start, r.end))
            .chain(std::iter::once((text.len(), text.len())))
            .map(move |(start, end)| {
                let piece = text.get(at..start);
                at = end;
                piece
            })
    };
    let kept = pieces().try_fold(0, |n, p| p.map(|p| n + p.len()));
    if kept == Some(cleaned.len()) {
        out.reserve(cleaned.len() + 2);
        out.push(b'"');
        for p in pieces().flatten() {
            push_json_escaped(out, p);
        }
        out.push(b'"');
        return;
    }
    // Cleaning deletes whole characters of valid UTF-8: the result is valid UTF-8.
    match std::str::from_utf8(cleaned) {
        Ok(t) => push_json_string(out, t),
        Err(_) => push_json_string(out, &String::from_utf8_lossy(cleaned)),
    }
}

/// Appends `s` as a JSON string (quoted and escaped as serde_json does) to `out`.
pub fn push_json_string(out: &mut Vec<u8>, s: &str) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    push_json_escaped(out, s);
    out.push(b'"');
}

/// Appends `s` escaped as in a JSON string, without the quotes.
fn push_json_escaped(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let b = s.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        // Eight bytes at a time while there is nothing to escape.
        if let Some(chunk) = b.get(i..i + 8) {
            let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            let special = zero_bytes(w ^ (LO * u64::from(b'"')))
                | zero_bytes(w ^ (LO * u64::from(b'\\')))
                | zero_bytes(w & (LO * 0xE0));
            if special == 0 {
                i += 8;
                continue;
            }
        }
        let c = b[i];
        if c == b'"' || c == b'\\' || c < 0x20 {
            out.extend_from_slice(&b[start..i]);
            match c {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\t' => out.extend_from_slice(b"\\t"),
                b'\r' => out.extend_from_slice(b"\\r"),
                0x08 => out.extend_from_slice(b"\\b"),
                0x0C => out.extend_from_slice(b"\\f"),
                _ => out.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(c >> 4)],
                    HEX[usize::from(c & 15)],
                ]),
            }
            start = i + 1;
        }
        i += 1;
    }
    out.extend_from_slice(&b[start..]);
}

/// One removal as annotated: the rule and the removed characters of the decoded text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// The rule responsible.
    pub rule: Arc<Rule>,
    /// Unicode scalar offsets into the field's decoded string, end exclusive.
    pub chars: Range<usize>,
}

/// The removals of an outcome as character ranges of `text` (for a refused document: none).
pub fn annotations(text: &str, outcome: &Outcome<'_>) -> Vec<Annotation> {
    if outcome.verdict != Verdict::Cleaned {
        return Vec::new();
    }
    let bytes = text.as_bytes();
    let count = |r: Range<usize>| bytes[r].iter().filter(|&&b| (b & 0xC0) != 0x80).count();
    let (mut at_byte, mut at_char) = (0, 0);
    outcome
        .removals
        .iter()
        .map(|r| {
            // Removals are sorted by start, so the start offsets advance.
            at_char += count(at_byte..r.range.start);
            at_byte = r.range.start;
            let end = at_char + count(r.range.clone());
            Annotation {
                rule: r.rule.clone(),
                chars: at_char..end,
            }
        })
        .collect()
}

/// Appends the annotation array (`[{"rule":..,"family":..,"scope":..,"start":..,"end":..}, ...]`).
pub fn push_annotations(out: &mut Vec<u8>, list: &[Annotation]) {
    out.push(b'[');
    for (i, a) in list.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"rule\":");
        push_json_string(out, &a.rule.id);
        out.extend_from_slice(b",\"family\":");
        push_json_string(out, &a.rule.family);
        out.extend_from_slice(b",\"scope\":\"");
        out.extend_from_slice(a.rule.scope.as_str().as_bytes());
        out.extend_from_slice(
            format!("\",\"start\":{},\"end\":{}}}", a.chars.start, a.chars.end).as_bytes(),
        );
    }
    out.push(b']');
}

/// What cleaning one record produced.
#[derive(Debug)]
pub struct Record<'a> {
    /// The output line (no terminator); `None` when it is the input line unchanged.
    pub line: Option<Vec<u8>>,
    /// The decoded text that was cleaned.
    pub text: Cow<'a, str>,
    /// Every removal, as byte ranges of `text` (see [`Outcome::removals`]).
    pub removals: Vec<Removal>,
    /// Findings that removed nothing.
    pub notices: Vec<Notice>,
    /// Unchanged, cleaned or refused.
    pub verdict: Verdict,
    /// Share of the text's characters the removals take (or would take, when refused).
    pub removed_share: f64,
    /// Share of the record's paragraph text (its prose lines) the removals take: what the removal
    /// guard weighs.
    pub guarded_share: f64,
}

/// Cleans the string field `field` of one JSONL line (without terminator); with `annotation`, adds
/// that field (or replaces its value) with the removals, as [`push_annotations`] writes them.
pub fn clean_line<'a>(
    cleaner: &Cleaner,
    line: &'a [u8],
    field: &str,
    annotation: Option<&str>,
) -> Result<Record<'a>, RecordError> {
    clean_line_keeping(cleaner, line, field, annotation, false)
}

/// [`clean_line`], or with `keep_text` a tagger: the record's text stays as it is and only the
/// annotation is written, so its offsets index the text the record holds. The returned record
/// says what cleaning would have done (its verdict and removals).
pub fn clean_line_keeping<'a>(
    cleaner: &Cleaner,
    line: &'a [u8],
    field: &str,
    annotation: Option<&str>,
    keep_text: bool,
) -> Result<Record<'a>, RecordError> {
    clean_line_with(cleaner, line, field, annotation, keep_text, None)
}

/// [`clean_line_keeping`] for a record that may name its publisher: with `publisher_field`, a
/// string in that field of the record (a pack name, a publisher name, a host or a URL, such as a
/// `url` field) names the publisher for this record, as [`Cleaner::clean_for`] takes it; a record
/// without it (or with an empty or non-string value) is cleaned as [`Cleaner::clean`] does. A
/// value that names no pack is no error: the record's site has no pack, so none applies.
pub fn clean_line_with<'a>(
    cleaner: &Cleaner,
    line: &'a [u8],
    field: &str,
    annotation: Option<&str>,
    keep_text: bool,
    publisher_field: Option<&str>,
) -> Result<Record<'a>, RecordError> {
    let loc = locate(line, field, annotation)?;
    let named = publisher_field
        .and_then(|name| string_field(line, name))
        .filter(|v| !v.trim().is_empty());
    let outcome = cleaner.clean_str_for(&loc.text, named.as_deref().or(cleaner.publisher()));
    let list = match annotation {
        Some(_) => annotations(&loc.text, &outcome),
        None => Vec::new(),
    };
    let Outcome {
        text: cleaned,
        removals,
        notices,
        verdict,
        removed_share,
        guarded_share,
        deleted,
    } = outcome;
    let changed = verdict == Verdict::Cleaned && !keep_text;
    let out = (changed || annotation.is_some()).then(|| {
        let mut out = Vec::with_capacity(line.len() + 64);
        // The field and the annotation value may come in either order in the line.
        let mut edits: Vec<(Range<usize>, Edit)> = Vec::with_capacity(2);
        if changed {
            edits.push((loc.field.clone(), Edit::Text));
        }
        if let Some(name) = annotation {
            match &loc.annotation {
                Some(r) => edits.push((r.clone(), Edit::Value)),
                None => edits.push((loc.close..loc.close, Edit::Member(name))),
            }
        }
        edits.sort_by_key(|(r, _)| r.start);
        let mut at = 0;
        for (r, edit) in edits {
            out.extend_from_slice(&line[at..r.start]);
            match edit {
                Edit::Text => push_cleaned(&mut out, &loc.text, &deleted, &cleaned),
                Edit::Value => push_annotations(&mut out, &list),
                Edit::Member(name) => {
                    let empty = line[..loc.close]
                        .iter()
                        .rev()
                        .find(|b| !b.is_ascii_whitespace())
                        == Some(&b'{');
                    if !empty {
                        out.push(b',');
                    }
                    push_json_string(&mut out, name);
                    out.push(b':');
                    push_annotations(&mut out, &list);
                }
            }
            at = r.end;
        }
        out.extend_from_slice(&line[at..]);
        out
    });
    drop(cleaned);
    Ok(Record {
        line: out,
        text: loc.text,
        removals,
        notices,
        verdict,
        removed_share,
        guarded_share,
    })
}

/// Where a JSONL line is, for messages: shown as `input:line`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineRef<'a> {
    /// The input's name (a path, or `<stdin>`).
    pub input: &'a str,
    /// The 1-based line number.
    pub line: u64,
}

impl fmt::Display for LineRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.input, self.line)
    }
}

/// Cleans one line of a JSONL input (without its `\n` terminator) as [`clean_line`] does. A line of
/// nothing but whitespace is no record: `Ok(None)`. A malformed record is an [`Error::Input`] whose
/// path is `input:line`; serde_json's position ("at line 1 column N") becomes "(column N)", since a
/// record is one line.
pub fn clean_record<'a>(
    cleaner: &Cleaner,
    line: &'a [u8],
    at: LineRef<'_>,
    field: &str,
    annotation: Option<&str>,
) -> Result<Option<Record<'a>>, Error> {
    clean_record_keeping(cleaner, line, at, field, annotation, false)
}

/// [`clean_record`] with [`clean_line_keeping`]'s `keep_text`.
pub fn clean_record_keeping<'a>(
    cleaner: &Cleaner,
    line: &'a [u8],
    at: LineRef<'_>,
    field: &str,
    annotation: Option<&str>,
    keep_text: bool,
) -> Result<Option<Record<'a>>, Error> {
    clean_record_with(cleaner, line, at, field, annotation, keep_text, None)
}

/// [`clean_record_keeping`] with [`clean_line_with`]'s `publisher_field`.
pub fn clean_record_with<'a>(
    cleaner: &Cleaner,
    line: &'a [u8],
    at: LineRef<'_>,
    field: &str,
    annotation: Option<&str>,
    keep_text: bool,
    publisher_field: Option<&str>,
) -> Result<Option<Record<'a>>, Error> {
    if line.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(None);
    }
    clean_line_with(cleaner, line, field, annotation, keep_text, publisher_field)
        .map(Some)
        .map_err(|e| Error::Input {
            path: at.to_string().into(),
            message: one_line_position(&e.0),
        })
}

/// A serde_json message's position without its line number, which is always 1 here.
fn one_line_position(msg: &str) -> String {
    const AT: &str = " at line 1 column ";
    match msg.rfind(AT) {
        Some(i) => format!("{} (column {})", &msg[..i], &msg[i + AT.len()..]),
        None => msg.to_string(),
    }
}

enum Edit<'n> {
    Text,
    Value,
    Member(&'n str),
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn locates_and_decodes() {
        let line = br#"{"a":{"text":1},"text":"x\n\u00e9\ud83d\ude00\"","ann":[1]}"#;
        let loc = locate(line, "text", Some("ann")).unwrap();
        assert_eq!(&line[loc.field.clone()], br#""x\n\u00e9\ud83d\ude00\"""#);
        assert_eq!(loc.text, "x\n\u{e9}\u{1F600}\"");
        assert_eq!(&line[loc.annotation.unwrap()], b"[1]");
        assert_eq!(loc.close, line.len() - 1);
    }

    #[test]
    fn cleaned_text_is_escaped_from_the_kept_pieces() {
        let push = |text: &str, deleted: &[Range<usize>], cleaned: &[u8]| {
            let mut out = Vec::new();
            push_cleaned(&mut out, text, deleted, cleaned);
            String::from_utf8(out).unwrap()
        };
        let text = "a\"b\ncd\u{e9}f";
        assert_eq!(
            push(
                text,
                std::slice::from_ref(&(1..3)),
                "a\ncd\u{e9}f".as_bytes()
            ),
            "\"a\\ncd\u{e9}f\""
        );
        assert_eq!(
            push(text, &[0..1, 7..8], "\"b\ncd\u{e9}".as_bytes()),
            "\"\\\"b\\ncd\u{e9}\""
        );
        assert_eq!(push(text, std::slice::from_ref(&(0..8)), b""), "\"\"");
        // A range that cuts a character: the cleaned bytes are checked, and replaced where
        // invalid.
        assert_eq!(
            push("x\u{e9}", std::slice::from_ref(&(2..3)), b"x\xC3"),
            "\"x\u{fffd}\""
        );
    }

    #[test]
    fn record_errors() {
        let err = |l: &[u8]| locate(l, "text", None).unwrap_err().0;
        assert_eq!(
            err(b"[1]"),
            "invalid JSON record: invalid type: sequence, expected a JSON object at line 1 column 0"
        );
        assert_eq!(err(br#"{"id":1}"#), "no field \"text\"");
        assert_eq!(err(br#"{"text":null}"#), "field \"text\" is not a string");
        assert_eq!(
            err(br#"{"text":"a","text":"b"}"#),
            "invalid JSON record: duplicate field \"text\" at line 1 column 18"
        );
        assert_eq!(
            err(br#"{"text":"\ud800"}"#),
            "invalid JSON record: unpaired surrogate in a \\u escape"
        );
        // Found by the `jsonl` fuzz target: a skipped field's bytes were not checked.
        assert_eq!(
            err(b"{\"meta\":\"\xE5x\",\"text\":\"a\"}"),
            "invalid JSON record: invalid UTF-8 at line 1 column 10"
        );
        assert_eq!(
            err(b"{\"text\":\"a\",\"meta\":{\"k\":[\"\xFF\"]}}"),
            "invalid JSON record: invalid UTF-8 at line 1 column 27"
        );
        assert_eq!(
            err(br#"{"text":"a"} x"#),
            "invalid JSON record: trailing characters at line 1 column 14"
        );
    }

    #[test]
    fn records_name_their_line() {
        let cleaner = Cleaner::new(crate::PatternSet::builtin().unwrap());
        let at = LineRef {
            input: "in.jsonl",
            line: 7,
        };
        assert!(
            clean_record(&cleaner, b" \t\r", at, "text", None)
                .unwrap()
                .is_none()
        );
        let rec = clean_record(
            &cleaner,
            br#"{"text":"The vote.\nAdvertisement\n"}"#,
            at,
            "text",
            None,
        )
        .unwrap()
        .unwrap();
        assert_eq!(rec.line.unwrap(), br#"{"text":"The vote.\n"}"#);
        let err = |l: &[u8]| {
            clean_record(&cleaner, l, at, "text", None)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(b"{\"text\":"),
            "in.jsonl:7: invalid JSON record: EOF while parsing a value (column 8)"
        );
        assert_eq!(err(b"{}"), "in.jsonl:7: no field \"text\"");
    }

    proptest! {
        /// Decoding and encoding agree with serde_json on every string.
        #[test]
        fn strings_round_trip_like_serde_json(s in "(?s).{0,40}", ctl in proptest::collection::vec(0u8..0x20, 0..4)) {
            let mut text = s.clone();
            for c in ctl {
                text.push(char::from(c));
                text.push_str("\"\\/");
            }
            let mut ours = Vec::new();
            push_json_string(&mut ours, &text);
            prop_assert_eq!(String::from_utf8(ours.clone()).unwrap(), serde_json::to_string(&text).unwrap());
            let encoded = String::from_utf8(ours).unwrap();
            prop_assert_eq!(decode(&encoded).unwrap(), text.as_str());
            let escaped: String = text.chars().map(|c| format!("\\u{:04x}", c as u32 & 0xFFFF)).collect();
            if text.chars().all(|c| (c as u32) < 0x10000 && !(0xD800..0xE000).contains(&(c as u32))) {
                let quoted = format!("\"{escaped}\"");
                prop_assert_eq!(decode(&quoted).unwrap(), text.as_str());
            }
        }
    }
}
