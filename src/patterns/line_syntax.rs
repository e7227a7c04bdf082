//! How a line regex's text is read: the one syntax shared by the DFAs build.rs stores in the
//! binary and the lazy DFAs built at run time, so that both answer as the regex library does.

use regex_automata::util::syntax;

/// Case-insensitive, a single line (`$` ends the text; `\r\n` counts as a line end), over
/// bytes that need not be valid UTF-8.
pub(crate) fn line_syntax() -> syntax::Config {
    syntax::Config::new()
        .case_insensitive(true)
        .multi_line(false)
        .crlf(true)
        .utf8(false)
}
