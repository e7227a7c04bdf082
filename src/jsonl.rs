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
    /// Whether the text field's JSON string is what [`push_json_string`] writes for its value
    /// (every escape one it writes): then the string's bytes stand for the text's escaped.
    pub canonical: bool,
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
    if let Some(found) = scan_record(line, field, annotation) {
        let raw = &line_str[found.field.clone()];
        let (text, canonical) = if found.escaped {
            decode(raw)?
        } else {
            (Cow::Borrowed(&raw[1..raw.len() - 1]), true)
        };
        return Ok(Located {
            field: found.field,
            text,
            annotation: found.annotation,
            close: found.close,
            canonical,
        });
    }
    locate_parsed(line_str, field, annotation)
}

/// [`locate`] by serde_json, for the records [`scan_record`] leaves to it.
fn locate_parsed<'a>(
    line_str: &'a str,
    field: &str,
    annotation: Option<&str>,
) -> Result<Located<'a>, RecordError> {
    let line = line_str.as_bytes();
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
    let (text, canonical) = decode(raw.get())?;
    let close = line
        .iter()
        .rposition(|&b| b == b'}')
        .ok_or_else(|| RecordError("invalid JSON record: no closing brace".into()))?;
    Ok(Located {
        field: span,
        text,
        annotation: found.annotation.map(|r| span_of(line, r.get())),
        close,
        canonical,
    })
}

/// What [`scan_record`] found of a record.
#[derive(Debug, PartialEq, Eq)]
struct Scanned {
    /// The text field's JSON string, quotes included.
    field: Range<usize>,
    /// Whether that string holds an escape.
    escaped: bool,
    /// The annotation field's value, if the record has one.
    annotation: Option<Range<usize>>,
    /// The object's closing brace.
    close: usize,
}

/// Nesting deeper than this is left to serde_json.
const SCAN_DEPTH: u32 = 64;

/// The record's parts found by a strict reading of the JSON grammar, for the common record: a
/// well-formed object whose keys hold no escape, with one string text field and at most one
/// annotation field. Everything it accepts serde_json accepts with the same parts (it checks what
/// serde_json checks of a skipped value: the grammar, the escapes' form, no control character in
/// a string); anything else is `None`, and serde_json reads the record again, for its verdict and
/// its message. The line is UTF-8 already.
fn scan_record(b: &[u8], field: &str, annotation: Option<&str>) -> Option<Scanned> {
    // A line with no control character at all (nearly every record: whitespace between tokens is
    // spaces) has none in its strings either, and they need no test of their own.
    let plain = !has_control(b);
    let mut i = skip_ws(b, 0);
    if *b.get(i)? != b'{' {
        return None;
    }
    i = skip_ws(b, i + 1);
    let (mut text, mut ann) = (None, None);
    if *b.get(i)? != b'}' {
        loop {
            if *b.get(i)? != b'"' {
                return None;
            }
            let (end, escaped) = string_end(b, i + 1, plain)?;
            if escaped {
                return None; // serde_json decodes keys, surrogates and all.
            }
            let key = &b[i + 1..end - 1];
            i = skip_ws(b, end);
            if *b.get(i)? != b':' {
                return None;
            }
            i = skip_ws(b, i + 1);
            let start = i;
            if key == field.as_bytes() {
                if text.is_some() || *b.get(i)? != b'"' {
                    return None;
                }
                let (end, escaped) = string_end(b, i + 1, plain)?;
                text = Some((start..end, escaped));
                i = end;
            } else {
                i = skip_value(b, i, SCAN_DEPTH, plain)?;
                if annotation.is_some_and(|a| a.as_bytes() == key) {
                    if ann.is_some() {
                        return None;
                    }
                    ann = Some(start..i);
                }
            }
            i = skip_ws(b, i);
            match *b.get(i)? {
                b',' => i = skip_ws(b, i + 1),
                b'}' => break,
                _ => return None,
            }
        }
    }
    let close = i;
    if skip_ws(b, close + 1) != b.len() {
        return None;
    }
    let (field, escaped) = text?;
    Some(Scanned {
        field,
        escaped,
        annotation: ann,
        close,
    })
}

/// The first byte at or after `i` that is not JSON whitespace.
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\n' | b'\t' | b'\r') {
        i += 1;
    }
    i
}

/// Does `b` hold a control character (a byte below 0x20)?
fn has_control(b: &[u8]) -> bool {
    // Without an early exit inside a block, the test of a block is vectorised.
    b.chunks(64)
        .any(|c| c.iter().fold(false, |any, &x| any | (x < 0x20)))
}

/// The end (past the closing quote) of the JSON string whose contents start at `i`, and whether
/// it holds an escape; `None` when it is not well formed. `plain`: `b` holds no control
/// character.
fn string_end(b: &[u8], mut i: usize, plain: bool) -> Option<(usize, bool)> {
    let mut escaped = false;
    loop {
        if plain {
            i += memchr::memchr2(b'"', b'\\', b.get(i..)?)?;
        } else {
            // Eight bytes at a time while there is no quote, backslash or control character.
            while let Some(chunk) = b.get(i..i + 8) {
                let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
                let special = special_bytes(w);
                if special != 0 {
                    // The first of them (little-endian: the lowest bit set is the first byte's).
                    i += (special.trailing_zeros() / 8) as usize;
                    break;
                }
                i += 8;
            }
        }
        match *b.get(i)? {
            b'"' => return Some((i + 1, escaped)),
            b'\\' => {
                escaped = true;
                match *b.get(i + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                    b'u' => {
                        if !b.get(i + 2..i + 6)?.iter().all(u8::is_ascii_hexdigit) {
                            return None;
                        }
                        i += 6;
                    }
                    _ => return None,
                }
            }
            c if c < 0x20 => return None,
            _ => i += 1,
        }
    }
}

/// The end of the JSON value that starts at `i`; `None` when it is not well formed or nests
/// deeper than `depth`.
fn skip_value(b: &[u8], i: usize, depth: u32, plain: bool) -> Option<usize> {
    match *b.get(i)? {
        b'"' => string_end(b, i + 1, plain).map(|(end, _)| end),
        open @ (b'{' | b'[') => {
            let depth = depth.checked_sub(1)?;
            let close = if open == b'{' { b'}' } else { b']' };
            let mut i = skip_ws(b, i + 1);
            if *b.get(i)? == close {
                return Some(i + 1);
            }
            loop {
                if open == b'{' {
                    if *b.get(i)? != b'"' {
                        return None;
                    }
                    i = skip_ws(b, string_end(b, i + 1, plain)?.0);
                    if *b.get(i)? != b':' {
                        return None;
                    }
                    i = skip_ws(b, i + 1);
                }
                i = skip_ws(b, skip_value(b, i, depth, plain)?);
                match *b.get(i)? {
                    b',' => i = skip_ws(b, i + 1),
                    c if c == close => return Some(i + 1),
                    _ => return None,
                }
            }
        }
        b't' => b[i..].starts_with(b"true").then_some(i + 4),
        b'f' => b[i..].starts_with(b"false").then_some(i + 5),
        b'n' => b[i..].starts_with(b"null").then_some(i + 4),
        b'-' | b'0'..=b'9' => number_end(b, i),
        _ => None,
    }
}

/// The end of the JSON number that starts at `i`.
fn number_end(b: &[u8], mut i: usize) -> Option<usize> {
    let digits = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    if b[i] == b'-' {
        i += 1;
    }
    match *b.get(i)? {
        b'0' => {
            i += 1;
            if b.get(i).is_some_and(u8::is_ascii_digit) {
                return None;
            }
        }
        b'1'..=b'9' => i = digits(i + 1),
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        let end = digits(i + 1);
        if end == i + 1 {
            return None;
        }
        i = end;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let end = digits(i);
        if end == i {
            return None;
        }
        i = end;
    }
    Some(i)
}

/// The high bit of each byte of `w` that a JSON string must escape: a quote, a backslash or a
/// control character.
fn special_bytes(w: u64) -> u64 {
    zero_bytes(w ^ (LO * u64::from(b'"')))
        | zero_bytes(w ^ (LO * u64::from(b'\\')))
        | zero_bytes(w & (LO * 0xE0))
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `w` that is zero (exact).
fn zero_bytes(w: u64) -> u64 {
    !(((w & !HI).wrapping_add(!HI)) | w | !HI)
}

/// Decodes a JSON string literal (quotes included) that the parser has already checked; with it,
/// whether the literal is written as [`push_json_string`] writes the decoded text (every escape
/// one it writes), so that the literal's bytes may stand for the text's.
fn decode(raw: &str) -> Result<(Cow<'_, str>, bool), RecordError> {
    let inner = &raw[1..raw.len() - 1];
    let bytes = inner.as_bytes();
    let Some(first) = memchr::memchr(b'\\', bytes) else {
        return Ok((Cow::Borrowed(inner), true));
    };
    let mut canonical = true;
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
            b'/' => {
                canonical = false;
                ('/', 2)
            }
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
        if len > 2 {
            // Written as `\u00xx`, in lower case, for a control character with no short form.
            canonical &= len == 6
                && c < ' '
                && !matches!(c, '\u{8}' | '\t' | '\n' | '\u{c}' | '\r')
                && !bytes[k + 2..k + 6].iter().any(u8::is_ascii_uppercase);
        }
        out.push(c);
        at = k + len;
        next = memchr::memchr(b'\\', &bytes[at..]).map(|n| at + n);
    }
    out.push_str(&inner[at..]);
    Ok((Cow::Owned(out), canonical))
}

/// Appends the cleaned text as a JSON string: `text` (the record's decoded field) without its
/// `deleted` ranges, which is what `cleaned` holds. Cut at character boundaries, the pieces of
/// `text` are `str` already and are escaped as they are (no check of the result, no copy);
/// otherwise `cleaned` is checked and its invalid bytes replaced. With `raw`, the record's JSON
/// string for `text` (without its quotes) when it is written as [`push_json_string`] writes it
/// (see [`Located::canonical`]), the kept pieces' bytes are copied from it, escaped already.
fn push_cleaned(
    out: &mut Vec<u8>,
    text: &str,
    deleted: &[Range<usize>],
    cleaned: &[u8],
    raw: Option<&[u8]>,
) {
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
        if let Some(raw) = raw {
            push_raw_pieces(out, raw, deleted, text.len());
            out.push(b'"');
            return;
        }
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

/// Appends the bytes of `raw`, a JSON string's contents whose escapes each stand for one byte of
/// its decoded text (as [`push_json_escaped`] writes them), that stand for the decoded text
/// without the `deleted` ranges (sorted, disjoint, at character boundaries of the decoded text of
/// `len` bytes).
fn push_raw_pieces(out: &mut Vec<u8>, raw: &[u8], deleted: &[Range<usize>], len: usize) {
    // `(r, d)`: an offset of `raw` that is not inside an escape, and the decoded offset it
    // stands for; `esc`: the next escape at or after `r`.
    let (mut r, mut d) = (0, 0);
    let mut esc = memchr::memchr(b'\\', raw);
    let mut to = |target: usize| -> usize {
        while let Some(k) = esc {
            if d + (k - r) >= target {
                break;
            }
            d += k - r + 1;
            r = k + if raw[k + 1] == b'u' { 6 } else { 2 };
            esc = memchr::memchr(b'\\', &raw[r..]).map(|n| r + n);
        }
        r += target - d;
        d = target;
        r
    };
    let mut at = 0;
    for piece in deleted
        .iter()
        .map(|x| (x.start, x.end))
        .chain(std::iter::once((len, len)))
    {
        let (start, end) = (to(at), to(piece.0));
        out.extend_from_slice(&raw[start..end]);
        at = piece.1;
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
            if special_bytes(w) == 0 {
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
                Edit::Text => {
                    let raw = &line[loc.field.start + 1..loc.field.end - 1];
                    let raw = loc.canonical.then_some(raw);
                    push_cleaned(&mut out, &loc.text, &deleted, &cleaned, raw);
                }
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
        // Escaped piece by piece, and copied from the text's JSON string: the same bytes.
        let push = |text: &str, deleted: &[Range<usize>], cleaned: &[u8]| {
            let mut out = Vec::new();
            push_cleaned(&mut out, text, deleted, cleaned, None);
            let mut raw = Vec::new();
            push_json_string(&mut raw, text);
            let mut copied = Vec::new();
            let raw = &raw[1..raw.len() - 1];
            push_cleaned(&mut copied, text, deleted, cleaned, Some(raw));
            assert_eq!(copied, out);
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

    /// A record's located parts (text field, text, annotation, closing brace, canonical), or the
    /// error message.
    type Parts = Result<(Range<usize>, String, Option<Range<usize>>, usize, bool), String>;

    /// Every located part as one comparable value.
    fn parts(r: Result<Located<'_>, RecordError>) -> Parts {
        r.map(|l| {
            (
                l.field,
                l.text.into_owned(),
                l.annotation,
                l.close,
                l.canonical,
            )
        })
        .map_err(|e| e.0)
    }

    #[test]
    fn the_scan_takes_plain_records_and_leaves_the_rest_to_serde_json() {
        let scanned = |l: &str| scan_record(l.as_bytes(), "text", Some("ann")).is_some();
        for l in [
            r#"{"text":"a"}"#,
            " {\"id\": -1.5e+3, \"text\" : \"a\\nb\\u00e9\", \"ann\":[{\"x\":[]}], \"n\":null}\r",
            r#"{"meta":{"k\"":"\u12aF"},"text":"","ok":[true,false,0,1e9]}"#,
        ] {
            assert!(scanned(l), "{l}");
            assert_eq!(
                parts(locate(l.as_bytes(), "text", Some("ann"))),
                parts(locate_parsed(l, "text", Some("ann")))
            );
        }
        for l in [
            r#"{"t\u0065xt":"a"}"#,
            r#"{"text":"a","text":"b"}"#,
            r#"{"text":"a","ann":1,"ann":2}"#,
            r#"{"text":1}"#,
            r#"{"id":1}"#,
            r#"{"text":"a",}"#,
            r#"{"text":"a","n":01}"#,
            r#"{"text":"a","n":1.}"#,
            r#"{"text":"a","n":-}"#,
            r#"{"text":"a","n":nul}"#,
            r#"{"text":"a\x"}"#,
            r#"{"text":"a\u12g4"}"#,
            "{\"text\":\"a\u{1}\"}",
            r#"{"text":"a"} x"#,
            r#"[{"text":"a"}]"#,
            r#"{"text":"a","k":[1,]}"#,
        ] {
            assert!(!scanned(l), "{l}");
        }
    }

    /// A JSON-like line: a well-formed record, or one with a byte deleted or inserted.
    fn record_line() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("null".to_string()),
            Just("true".to_string()),
            Just("-0.5e-3".to_string()),
            Just("12".to_string()),
            Just(r#""plain""#.to_string()),
            Just(r#""a\n\"b\u00E9\ud83d\ude00""#.to_string()),
            Just(r#""\ud800""#.to_string()),
        ];
        let value = leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4)
                    .prop_map(|v| format!("[{}]", v.join(","))),
                proptest::collection::vec(("[a-z]{1,2}|text|ann", inner), 0..4).prop_map(|v| {
                    let members: Vec<String> =
                        v.iter().map(|(k, v)| format!("\"{k}\" : {v}")).collect();
                    format!("{{{}}}", members.join(", "))
                }),
            ]
        });
        let key = prop_oneof![
            Just("text".to_string()),
            Just("ann".to_string()),
            Just("id".to_string()),
            Just(r#"t\u0065xt"#.to_string()),
        ];
        let record = proptest::collection::vec((key, value), 0..5).prop_map(|v| {
            let members: Vec<String> = v.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            format!(" {{{}}} ", members.join(","))
        });
        let noise = prop_oneof![
            Just(None),
            (
                any::<prop::sample::Index>(),
                0usize..2,
                prop::sample::select(vec![
                    '"', '\\', ',', '}', ']', ':', '0', 'e', '.', '\u{1}', ' ', 'x'
                ])
            )
                .prop_map(Some),
        ];
        (record, noise).prop_map(|(mut line, noise)| {
            if let Some((at, op, c)) = noise {
                let at = at.index(line.len() + 1);
                let at = (0..=at)
                    .rev()
                    .find(|&i| line.is_char_boundary(i))
                    .unwrap_or(0);
                if op == 0 && at < line.len() {
                    line.remove(at);
                } else {
                    line.insert(at, c);
                }
            }
            line
        })
    }

    proptest! {
        /// The scan finds what serde_json finds, on every record it takes.
        #[test]
        fn the_scan_agrees_with_serde_json(line in record_line()) {
            let ours = scan_record(line.as_bytes(), "text", Some("ann"));
            let theirs = parts(locate_parsed(&line, "text", Some("ann")));
            match (ours, &theirs) {
                (Some(s), Ok((field, _, annotation, close, _))) => {
                    prop_assert_eq!((s.field, s.annotation, s.close), (field.clone(), annotation.clone(), *close));
                }
                // serde_json takes the record too; the text's escapes fail to decode (the same
                // code decodes them after either).
                (Some(_), Err(e)) => prop_assert!(e.contains("unpaired surrogate"), "{}: {}", line, e),
                (None, _) => {}
            }
            prop_assert_eq!(parts(locate(line.as_bytes(), "text", Some("ann"))), theirs);
        }

        /// The kept pieces copied from a text's JSON string are those pieces escaped.
        #[test]
        fn kept_pieces_copy_as_they_escape(s in "(?s)[a-z\u{0}-\u{1f}\"\\\\/\u{e9}\u{1F600} ]{0,40}", cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..6)) {
            let mut bounds: Vec<usize> = cuts.iter().map(|i| i.index(s.len() + 1)).filter(|&i| s.is_char_boundary(i)).collect();
            bounds.sort_unstable();
            bounds.dedup();
            let deleted: Vec<Range<usize>> = bounds.chunks_exact(2).map(|p| p[0]..p[1]).collect();
            let mut cleaned = Vec::new();
            let mut at = 0;
            for r in &deleted {
                cleaned.extend_from_slice(&s.as_bytes()[at..r.start]);
                at = r.end;
            }
            cleaned.extend_from_slice(&s.as_bytes()[at..]);
            let mut escaped = Vec::new();
            push_cleaned(&mut escaped, &s, &deleted, &cleaned, None);
            prop_assert_eq!(&escaped, &serde_json::to_vec(&String::from_utf8(cleaned.clone()).unwrap()).unwrap());
            let mut raw = Vec::new();
            push_json_string(&mut raw, &s);
            let (text, canonical) = decode(std::str::from_utf8(&raw).unwrap()).unwrap();
            prop_assert!(canonical);
            prop_assert_eq!(&*text, s.as_str());
            let mut copied = Vec::new();
            push_cleaned(&mut copied, &s, &deleted, &cleaned, Some(&raw[1..raw.len() - 1]));
            prop_assert_eq!(copied, escaped);
        }

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
            prop_assert_eq!(decode(&encoded).unwrap(), (Cow::Borrowed(text.as_str()), true));
            let escaped: String = text.chars().map(|c| format!("\\u{:04x}", c as u32 & 0xFFFF)).collect();
            if text.chars().all(|c| (c as u32) < 0x10000 && !(0xD800..0xE000).contains(&(c as u32))) {
                let quoted = format!("\"{escaped}\"");
                prop_assert_eq!(decode(&quoted).unwrap().0, text.as_str());
            }
        }
    }
}
