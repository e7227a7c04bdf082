//! The invariants of [`Cleaner::clean`], checked for one document: shared by the property tests
//! (`tests/properties.rs`) and the fuzz targets (`fuzz/`).
//!
//! - the output is the input with `deleted` taken out; `deleted` is sorted, disjoint and covers
//!   every removal; every deleted byte outside the removals is a documented seam fix-up, that is
//!   whitespace: a blank line next to a line-aligned removal, horizontal space beside an in-line
//!   cut, or the line terminator before a removal that reaches the end of a document without a
//!   final newline;
//! - a `\r\n` pair is never split; the final newline is kept, or stays absent; a CRLF document
//!   gets no bare LF, an LF document no CRLF;
//! - an unchanged or refused document is returned byte for byte, and a refusal has its reason;
//! - cleaning is idempotent, and cleaning the output again finds nothing to remove (what `check`
//!   would report).

use std::ops::Range;

use dechrome::{Cleaner, Verdict};

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        let ok: bool = $cond;
        if !ok {
            return Err(format!($($msg)+));
        }
    };
}

fn covered(ranges: &[Range<usize>], at: usize) -> bool {
    ranges.iter().any(|r| r.contains(&at))
}

fn crlf_only(t: &[u8]) -> bool {
    t.iter()
        .enumerate()
        .all(|(i, &b)| b != b'\n' || (i > 0 && t[i - 1] == b'\r'))
}

fn has_crlf(t: &[u8]) -> bool {
    t.windows(2).any(|w| w == b"\r\n")
}

/// Cleans `input` (twice) and checks every invariant; the error says which one broke.
pub fn check(cleaner: &Cleaner, input: &[u8]) -> Result<(), String> {
    let out = cleaner.clean(input);
    let removals: Vec<Range<usize>> = out.removals.iter().map(|r| r.range.clone()).collect();
    for r in &removals {
        ensure!(r.start < r.end && r.end <= input.len(), "bad removal {r:?}");
    }
    ensure!(
        out.removals
            .windows(2)
            .all(|w| w[0].range.start <= w[1].range.start),
        "removals out of order"
    );
    match out.verdict {
        Verdict::Unchanged => {
            ensure!(*out.text == *input, "unchanged but different");
            ensure!(
                out.removals.is_empty() && out.deleted.is_empty(),
                "unchanged with removals"
            );
        }
        Verdict::Refused => {
            ensure!(*out.text == *input, "refused but different");
            ensure!(out.deleted.is_empty(), "refused with deletions");
            ensure!(!out.removals.is_empty(), "refused without removals");
            let unsettled = out
                .notices
                .iter()
                .any(|n| n.message.starts_with("cleaning did not settle"));
            ensure!(
                out.guarded_share > cleaner.max_removal() || unsettled,
                "refused within the guard ({})",
                out.guarded_share
            );
        }
        Verdict::Cleaned => {
            ensure!(!out.removals.is_empty(), "cleaned without removals");
            ensure!(
                out.guarded_share <= cleaner.max_removal(),
                "cleaned beyond the guard"
            );
            for w in out.deleted.windows(2) {
                ensure!(
                    w[0].end < w[1].start,
                    "deleted not disjoint: {:?}",
                    out.deleted
                );
            }
            for r in &out.deleted {
                ensure!(
                    r.start < r.end && r.end <= input.len(),
                    "bad deleted range {r:?}"
                );
            }
            let mut expect = Vec::with_capacity(input.len());
            let mut at = 0;
            for r in &out.deleted {
                expect.extend_from_slice(&input[at..r.start]);
                at = r.end;
            }
            expect.extend_from_slice(&input[at..]);
            ensure!(
                *out.text == expect[..],
                "output is not the input minus `deleted`"
            );
            for r in &removals {
                ensure!(
                    r.clone().all(|i| covered(&out.deleted, i)),
                    "removal {r:?} not deleted"
                );
            }
            for d in &out.deleted {
                let mut i = d.start;
                while i < d.end {
                    if covered(&removals, i) {
                        i += 1;
                        continue;
                    }
                    let end = (i..d.end).find(|&j| covered(&removals, j)).unwrap_or(d.end);
                    let seg = &input[i..end];
                    ensure!(
                        std::str::from_utf8(seg).is_ok_and(|s| s.chars().all(char::is_whitespace)),
                        "seam bytes {:?} at {i} are not whitespace",
                        String::from_utf8_lossy(seg)
                    );
                    i = end;
                }
            }
            let splits = |at: usize| {
                at > 0 && at < input.len() && input[at - 1] == b'\r' && input[at] == b'\n'
            };
            for d in &out.deleted {
                ensure!(!splits(d.start) && !splits(d.end), "{d:?} splits a CRLF");
            }
            let body = out.text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&out.text);
            if !body.is_empty() {
                ensure!(
                    out.text.ends_with(b"\n") == input.ends_with(b"\n"),
                    "final newline not preserved"
                );
            }
            ensure!(has_crlf(input) || !has_crlf(&out.text), "a CRLF appeared");
            ensure!(
                !crlf_only(input) || crlf_only(&out.text),
                "a bare LF appeared in a CRLF document"
            );
        }
    }
    let again = cleaner.clean(&out.text);
    ensure!(*again.text == *out.text, "not idempotent");
    if out.verdict == Verdict::Refused {
        ensure!(
            again.verdict == Verdict::Refused,
            "a refusal did not repeat"
        );
    } else {
        ensure!(
            again.removals.is_empty() && again.verdict == Verdict::Unchanged,
            "the output still has chrome: {:?}",
            again.removals
        );
    }
    Ok(())
}
