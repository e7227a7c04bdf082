//! [`LineDfa`]: whether a line regex matches a line, by a forward lazy DFA alone.
//!
//! The regex library answers `is_match` with a lazy DFA too, but uses it only when both its
//! forward and its reverse DFA fit their cache, and gives up on it when the cache is cleared too
//! often; the built-in date and timestamp regexes did both with a line regex's cache, and were
//! then backtracked (about 35,000 instructions a line). A yes or no needs no reverse automaton,
//! nor captures, one-pass DFA or literal prefilter: building only the forward NFA also makes the
//! first use of a regex cheaper. Detection asks only a yes or no of the line regexes whose
//! matches are whole lines (most of them, see [`Tail`](super::gate::Tail)).

use regex_automata::Input;
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::nfa::thompson::{self, WhichCaptures, pikevm::PikeVM};
use regex_automata::util::pool::Pool;

/// Makes one thread's caches for a [`LineDfa`].
type MakeCaches =
    Box<dyn Fn() -> Caches + Send + Sync + std::panic::UnwindSafe + std::panic::RefUnwindSafe>;

/// One thread's caches: the lazy DFA's states, and the fallback's.
#[derive(Debug)]
struct Caches {
    dfa: Cache,
    pikevm: thompson::pikevm::Cache,
}

/// A line regex compiled for `is_match` on one line at a time (see the module docs), with the
/// syntax of the line regexes' [`compile_regex_with`](super::set): case-insensitive, `^` and `$`
/// the ends of the line, bytes not UTF-8.
pub(crate) struct LineDfa {
    dfa: DFA,
    /// For the rare line where the lazy DFA gives up (its cache thrashes, or a Unicode word
    /// boundary meets a byte beyond ASCII): the same NFA, simulated.
    pikevm: PikeVM,
    caches: Pool<Caches, MakeCaches>,
}

impl std::fmt::Debug for LineDfa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LineDfa").finish_non_exhaustive()
    }
}

impl LineDfa {
    /// `regex` compiled; `None` when it does not compile within `size_limit` bytes of NFA or the
    /// lazy DFA does not fit `cache_capacity` (the caller then uses the regex library).
    pub(crate) fn new(regex: &str, size_limit: usize, cache_capacity: usize) -> Option<LineDfa> {
        let nfa = thompson::Compiler::new()
            .syntax(super::line_syntax::line_syntax())
            .configure(
                thompson::Config::new()
                    .utf8(false)
                    .nfa_size_limit(Some(size_limit))
                    .which_captures(WhichCaptures::None),
            )
            .build(regex)
            .ok()?;
        let dfa = DFA::builder()
            .configure(
                DFA::config()
                    .cache_capacity(cache_capacity)
                    .skip_cache_capacity_check(false)
                    .unicode_word_boundary(true)
                    .minimum_cache_clear_count(Some(3))
                    .minimum_bytes_per_state(Some(10)),
            )
            .build_from_nfa(nfa.clone())
            .ok()?;
        let pikevm = PikeVM::new_from_nfa(nfa).ok()?;
        let (d, p) = (dfa.clone(), pikevm.clone());
        let make: MakeCaches = Box::new(move || Caches {
            dfa: d.create_cache(),
            pikevm: p.create_cache(),
        });
        Some(LineDfa {
            dfa,
            pikevm,
            caches: Pool::new(make),
        })
    }

    /// Whether the regex matches somewhere in `line`.
    pub(crate) fn is_match(&self, line: &[u8]) -> bool {
        let mut caches = self.caches.get();
        let input = Input::new(line).earliest(true);
        match self.dfa.try_search_fwd(&mut caches.dfa, &input) {
            Ok(found) => found.is_some(),
            Err(_) => self.pikevm.is_match(&mut caches.pikevm, input),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `regex` as the line regexes are compiled by the regex library.
    fn library(regex: &str) -> regex::bytes::Regex {
        regex::bytes::RegexBuilder::new(regex)
            .case_insensitive(true)
            .multi_line(false)
            .crlf(true)
            .build()
            .unwrap()
    }

    fn dfa(regex: &str) -> LineDfa {
        LineDfa::new(regex, 2 << 20, 1 << 20).unwrap()
    }

    #[test]
    fn answers_as_the_library_does() {
        let cases: &[(&str, &[&str])] = &[
            (
                r"^[0-9]{1,2} min read$",
                &[
                    "5 min read",
                    "5 MIN READ",
                    "123 min read",
                    "5 min read.",
                    "",
                ],
            ),
            (
                r"^(?:photo|image) ?: ?(?-u:[^\n.!?]){1,70}$",
                &[
                    "Photo: Ann Lee",
                    "photo : x",
                    "Photo: Ann. Lee",
                    "Photos: x",
                ],
            ),
            // The Kelvin sign and the long s fold to k and s under Unicode case folding.
            (
                r"^kiosk$",
                &["KIOSK", "\u{212A}iosk", "kio\u{17F}k", "kiosks"],
            ),
            (r"^x$", &["x\r", "x\n", "\nx"]),
        ];
        for (regex, lines) in cases {
            let (lib, dfa) = (library(regex), dfa(regex));
            for line in *lines {
                assert_eq!(
                    dfa.is_match(line.as_bytes()),
                    lib.is_match(line.as_bytes()),
                    "{regex:?} on {line:?}"
                );
            }
        }
    }

    /// A Unicode word boundary makes the lazy DFA quit at a byte beyond ASCII: the fallback
    /// answers then.
    #[test]
    fn the_fallback_answers_where_the_lazy_dfa_quits() {
        let regex = r"^\bcafé\b(?: [a-z]+)?$";
        let (lib, dfa) = (library(regex), dfa(regex));
        for line in ["café", "CAFÉ noir", "cafés", "café é"] {
            let mut cache = dfa.dfa.create_cache();
            let quits = dfa
                .dfa
                .try_search_fwd(&mut cache, &Input::new(line.as_bytes()))
                .is_err();
            assert!(quits, "{line:?}");
            assert_eq!(
                dfa.is_match(line.as_bytes()),
                lib.is_match(line.as_bytes()),
                "{line:?}"
            );
        }
        assert!(dfa.is_match("Café noir".as_bytes()));
        assert!(!dfa.is_match("cafés".as_bytes()));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// On random regexes and lines, the answer is the regex library's.
        #[test]
        fn agrees_with_the_library(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("ab"), Just("[a-c]"), Just("x?"), Just("(?:sk|ſ)"), Just("[0-9]{1,2}"),
                    Just(" "), Just("(?-u:.)"), Just("."), Just("(?-u:\\b)"), Just("é"),
                    Just("(?:ab|b)+"), Just("(?-i:[A-Z])"),
                ],
                1..6,
            ),
            head in prop_oneof![Just(""), Just("^")],
            end in prop_oneof![Just(""), Just("$")],
            line in "[abcsxkSKX 72é\u{17F}\u{212A}]{0,14}",
        ) {
            let regex = format!("{head}{}{end}", parts.concat());
            let (lib, dfa) = (library(&regex), dfa(&regex));
            prop_assert_eq!(dfa.is_match(line.as_bytes()), lib.is_match(line.as_bytes()), "{:?}", regex);
        }
    }
}
