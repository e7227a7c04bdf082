//! The built-in pattern set: every `.toml` file under `patterns/`, embedded at build time.

include!(concat!(env!("OUT_DIR"), "/builtin_patterns.rs"));

/// The embedded pattern files as `(path relative to the repository, contents)`, sorted by path.
pub fn files() -> &'static [(&'static str, &'static str)] {
    BUILTIN_FILES
}
