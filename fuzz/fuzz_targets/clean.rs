//! Cleans arbitrary bytes with the built-in pattern set (the first byte picks the removal guard)
//! and checks every invariant of `tests/support/invariants.rs`.

#![no_main]

use std::sync::OnceLock;

use dechrome::{Cleaner, PatternSet};
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/invariants.rs"]
mod invariants;

fn cleaner() -> &'static Cleaner {
    static C: OnceLock<Cleaner> = OnceLock::new();
    C.get_or_init(|| Cleaner::new(PatternSet::builtin().expect("built-in set")))
}

fuzz_target!(|data: &[u8]| {
    let Some((&guard, doc)) = data.split_first() else {
        return;
    };
    let c = cleaner().clone().with_max_removal(f64::from(guard) / 255.0);
    if let Err(e) = invariants::check(&c, doc) {
        panic!("{e}");
    }
});
