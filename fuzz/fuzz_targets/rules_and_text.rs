//! A pattern file and a document from one input, split at the first NUL byte: a valid rule set
//! cleans the document within the invariants of `tests/support/invariants.rs`.

#![no_main]

use dechrome::{Cleaner, PatternSetBuilder};
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/invariants.rs"]
mod invariants;

fuzz_target!(|data: &[u8]| {
    let Some(split) = data.iter().position(|&b| b == 0) else {
        return;
    };
    let Ok(src) = std::str::from_utf8(&data[..split]) else {
        return;
    };
    let doc = &data[split + 1..];
    if let Ok(set) = PatternSetBuilder::new().add_str("fuzz.toml", src).build() {
        let c = Cleaner::new(set).with_max_removal(1.0);
        if let Err(e) = invariants::check(&c, doc) {
            panic!("{e}");
        }
    }
});
