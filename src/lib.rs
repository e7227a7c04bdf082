//! dechrome strips publisher chrome (support appeals, comment prompts, newsletter boxes, share bars,
//! related links, credits, cookie notices, ad markers, footers) from plain-text articles.
//!
//! The data flows one way: a [`PatternSet`] (built by a [`PatternSetBuilder`] from TOML pattern
//! files, the built-in set embedded in the binary) **detects** chrome; a [`Cleaner`] **filters** it
//! at each rule's [`Scope`] and returns an [`Outcome`]: the cleaned bytes, every [`Removal`] (rule and
//! byte span), and a [`Verdict`]. Everything not removed is kept byte for byte.
//!
//! Where no rules exist yet, [`learn`](mod@learn) mines a corpus for each publisher's recurring
//! lines and sentences and proposes them as a pattern file to review.
//!
//! ```
//! use dechrome::{Cleaner, PatternSet, Verdict};
//!
//! let cleaner = Cleaner::new(PatternSet::builtin().unwrap());
//! let text = "The council voted on Tuesday to rebuild the harbour wall before winter.\n\
//!             Work starts in March and should end before the autumn tides.\n\
//!             Join our commenting forum\n\
//!             Comments\n";
//! let out = cleaner.clean(text.as_bytes());
//! assert_eq!(out.verdict, Verdict::Cleaned);
//! assert_eq!(
//!     String::from_utf8_lossy(&out.text),
//!     "The council voted on Tuesday to rebuild the harbour wall before winter.\n\
//!      Work starts in March and should end before the autumn tides.\n"
//! );
//! assert_eq!(out.removals[0].rule.id, "independent.comments.forum-tail");
//! ```

pub mod config;
pub mod detect;
pub mod error;
pub mod filter;
pub mod guard;
pub mod input;
pub mod jsonl;
pub mod learn;
pub mod model;
pub mod normalize;
pub mod output;
pub mod patterns;
pub mod report;
pub mod review;

pub use config::Config;
pub use error::{Error, PatternDiagnostic, PatternError};
pub use filter::{Cleaner, DEFAULT_MAX_REMOVAL, Notice, Outcome, Removal, Verdict};
pub use patterns::{PatternSet, PatternSetBuilder, Rule, Scope};
