//! JSONL records: clean one string field of a JSON object and splice it back into the line.
//!
//! [`locate`] parses one line with serde_json (validating all of it) and returns a [`Located`]
//! record: where the text field's JSON string sits in the line, its decoded value, and where an
//! annotation field goes. [`clean_line`] runs a [`Cleaner`] on the decoded text and builds the output
//! line: a record whose text is unchanged (and that gets no annotation) is passed through byte for
//! byte; otherwise only the field's JSON string is replaced (and the annotation inserted), so every
//! other field keeps its bytes, its place and its value.
//!
//! Annotation offsets are Unicode scalar (character) offsets into the field's decoded string.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

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
    let mut de = serde_json::Deserializer::from_slice(line);
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
    let text = if memchr::memchr(b'\\', bytes).is_none() {
        // No escapes: the content is the raw bytes between the quotes (valid UTF-8, checked by the parser).
        Cow::Borrowed(&raw.get()[1..bytes.len() - 1])
    } else {
        Cow::Owned(
            serde_json::from_str::<String>(raw.get())
                .map_err(|e| RecordError(format!("invalid JSON record: {e}")))?,
        )
    };
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

/// Appends `s` as a JSON string (quoted and escaped) to `out`.
pub fn push_json_string(out: &mut Vec<u8>, s: &str) {
    // Writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
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
    /// Share of the text's characters the removals take.
    pub removed_share: f64,
}

/// Cleans the string field `field` of one JSONL line (without terminator); with `annotation`, adds
/// that field (or replaces its value) with the removals, as [`push_annotations`] writes them.
pub fn clean_line<'a>(
    cleaner: &Cleaner,
    line: &'a [u8],
    field: &str,
    annotation: Option<&str>,
) -> Result<Record<'a>, RecordError> {
    let loc = locate(line, field, annotation)?;
    let outcome = cleaner.clean(loc.text.as_bytes());
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
        ..
    } = outcome;
    let changed = verdict == Verdict::Cleaned;
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
                    // Cleaning deletes whole characters of valid UTF-8: the result is valid UTF-8.
                    match std::str::from_utf8(&cleaned) {
                        Ok(t) => push_json_string(&mut out, t),
                        Err(_) => push_json_string(&mut out, &String::from_utf8_lossy(&cleaned)),
                    }
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
    })
}

enum Edit<'n> {
    Text,
    Value,
    Member(&'n str),
}
