//! Arbitrary bytes as a JSONL input, each line through `jsonl::clean_record` (what
//! `clean --jsonl` does per line) with the built-in set; the first byte picks the annotation field.
//!
//! Checked against serde_json as the oracle: a line is a record exactly when it is a JSON object
//! with one string text field (and at most one annotation field); a record's output line is a JSON
//! object whose other members keep their order and their bytes, whose text is the cleaner's output
//! and which is the input line itself when nothing changed; anything else fails with an error
//! naming its line.

#![no_main]

use std::fmt;
use std::sync::OnceLock;

use dechrome::jsonl::{self, LineRef};
use dechrome::{Cleaner, Error, PatternSet, Verdict};
use libfuzzer_sys::fuzz_target;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

const FIELD: &str = "text";
const ANNOTATION: &str = "removed";

fn cleaner() -> &'static Cleaner {
    static C: OnceLock<Cleaner> = OnceLock::new();
    C.get_or_init(|| Cleaner::new(PatternSet::builtin().expect("built-in set")))
}

/// The members of a JSON object in order, values as their raw bytes.
type Members<'a> = Vec<(String, &'a RawValue)>;

struct MembersVisitor;

impl<'de> Visitor<'de> for MembersVisitor {
    type Value = Members<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
        let mut out = Vec::new();
        while let Some(k) = map.next_key::<String>()? {
            out.push((k, map.next_value::<&RawValue>()?));
        }
        Ok(out)
    }
}

/// The line's members, if it is one JSON object (surrounding whitespace allowed).
fn members(line: &[u8]) -> Option<Members<'_>> {
    let mut de = serde_json::Deserializer::from_slice(line);
    let m = (&mut de).deserialize_map(MembersVisitor).ok()?;
    de.end().ok()?;
    Some(m)
}

/// What serde_json says about a line: the decoded text if it is a record dechrome must accept.
fn oracle(line: &[u8], annotation: Option<&str>) -> Option<String> {
    let m = members(line)?;
    let texts: Vec<_> = m.iter().filter(|(k, _)| k == FIELD).collect();
    let annotations = m.iter().filter(|(k, _)| Some(k.as_str()) == annotation);
    if texts.len() != 1 || annotations.count() > 1 {
        return None;
    }
    serde_json::from_str::<String>(texts[0].1.get()).ok()
}

/// The members other than the text and annotation fields.
fn others<'a>(m: &'a Members<'a>, annotation: Option<&str>) -> Vec<(&'a str, &'a str)> {
    m.iter()
        .filter(|(k, _)| k != FIELD && Some(k.as_str()) != annotation)
        .map(|(k, v)| (k.as_str(), v.get()))
        .collect()
}

fn check_line(line: &[u8], line_no: u64, annotation: Option<&str>) {
    let at = LineRef {
        input: "fuzz.jsonl",
        line: line_no,
    };
    let result = jsonl::clean_record(cleaner(), line, at, FIELD, annotation);
    if line.iter().all(|b| b.is_ascii_whitespace()) {
        assert!(matches!(result, Ok(None)), "a blank line is no record");
        return;
    }
    let expected = oracle(line, annotation);
    let rec = match result {
        Ok(Some(rec)) => rec,
        Ok(None) => panic!("a non-blank line taken for a blank one"),
        Err(e) => {
            assert!(expected.is_none(), "a valid record refused: {e}");
            let Error::Input { path, message } = &e else {
                panic!("not an input error: {e}");
            };
            assert_eq!(
                path.to_str(),
                Some(format!("fuzz.jsonl:{line_no}").as_str())
            );
            assert!(
                !message.is_empty() && !message.contains('\n'),
                "{message:?}"
            );
            assert!(
                e.to_string()
                    .starts_with(&format!("fuzz.jsonl:{line_no}: ")),
                "{e}"
            );
            return;
        }
    };
    let text = expected.expect("a record serde_json rejects was accepted");
    assert_eq!(rec.text, text.as_str());
    let cleaned = cleaner().clean(text.as_bytes());
    assert_eq!(rec.verdict, cleaned.verdict);
    let out = match &rec.line {
        None => {
            assert!(
                annotation.is_none() && rec.verdict != Verdict::Cleaned,
                "a changed record passed through"
            );
            return;
        }
        Some(out) => out,
    };
    assert!(!out.contains(&b'\n'), "the output record spans lines");
    let before = members(line).expect("input is an object");
    let after = members(out).expect("the output line is a JSON object");
    assert_eq!(
        others(&before, annotation),
        others(&after, annotation),
        "other members changed"
    );
    let texts: Vec<_> = after.iter().filter(|(k, _)| k == FIELD).collect();
    assert_eq!(texts.len(), 1);
    let new_text: String = serde_json::from_str(texts[0].1.get()).expect("text is a string");
    assert_eq!(new_text.as_bytes(), &cleaned.text[..]);
    if rec.verdict != Verdict::Cleaned {
        assert_eq!(
            texts[0].1.get(),
            before.iter().find(|(k, _)| k == FIELD).unwrap().1.get()
        );
    }
    if let Some(name) = annotation {
        let list: Vec<_> = after.iter().filter(|(k, _)| k == name).collect();
        assert_eq!(list.len(), 1, "one annotation field");
        let list: Vec<serde_json::Value> =
            serde_json::from_str(list[0].1.get()).expect("annotation is an array");
        let chars = text.chars().count() as u64;
        assert_eq!(
            list.len(),
            if rec.verdict == Verdict::Cleaned {
                rec.removals.len()
            } else {
                0
            }
        );
        for a in &list {
            let (s, e) = (a["start"].as_u64().unwrap(), a["end"].as_u64().unwrap());
            assert!(
                s <= e && e <= chars,
                "annotation {a} outside {chars} characters"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, input)) = data.split_first() else {
        return;
    };
    let annotation = (flags & 1 == 1).then_some(ANNOTATION);
    for (i, full) in input.split_inclusive(|&b| b == b'\n').enumerate() {
        let line = full.strip_suffix(b"\n").unwrap_or(full);
        check_line(line, i as u64 + 1, annotation);
    }
});
