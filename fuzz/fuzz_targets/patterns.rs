//! Parses arbitrary text as a pattern file. Building must fail with positioned diagnostics or
//! succeed; a set that builds cleans a sample text within the invariants.

#![no_main]

use dechrome::{Cleaner, PatternSetBuilder};
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/invariants.rs"]
mod invariants;

const SAMPLE: &[u8] = b"Home\nNews\nSport\nWorld\n\nShare this article\nThe council met. Subscribe now!\n\
Please support us\nWe need you.\nThank you.\nBody text \xff here.\r\n12 comments\nComments\nRead more";

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    match PatternSetBuilder::new().add_str("fuzz.toml", src).build() {
        Ok(set) => {
            let c = Cleaner::new(set).with_max_removal(1.0);
            if let Err(e) = invariants::check(&c, SAMPLE) {
                panic!("{e}");
            }
        }
        Err(e) => {
            assert!(!e.diagnostics().is_empty());
            for d in e.diagnostics() {
                assert!(d.line >= 1 && d.column >= 1, "{d}");
            }
        }
    }
});
