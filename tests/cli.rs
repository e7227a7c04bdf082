//! Integration tests of the `dechrome` binary: one test binary, one module per command or theme
//! (the modules live in `tests/cli/`).

#[path = "cli/batch.rs"]
mod batch;
#[path = "cli/check.rs"]
mod check;
#[path = "cli/clean.rs"]
mod clean;
#[path = "cli/ecosystem.rs"]
mod ecosystem;
#[path = "cli/fixtures.rs"]
mod fixtures;
#[path = "cli/harness.rs"]
mod harness;
#[path = "cli/hostile.rs"]
mod hostile;
#[path = "cli/learn.rs"]
mod learn;
#[path = "cli/learn_corpus.rs"]
mod learn_corpus;
#[path = "cli/model.rs"]
mod model;
#[path = "cli/precommit.rs"]
mod precommit;
#[path = "cli/review.rs"]
mod review;
#[path = "cli/safety.rs"]
mod safety;
