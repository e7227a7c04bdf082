//! The line model: a small decision tree over shallow text features, run after the rules.
//!
//! Phrase rules cannot name a site's own menu items, breadcrumbs or other stories' headlines; the
//! shape of the text around them can (few words, no sentence end, next to lines the rules removed,
//! far from the paragraphs). [`Model`] holds a tree read from a TOML file (the built-in one is
//! `patterns/model.toml`, embedded in the binary); the filter asks it about each short line the
//! rules kept and removes the line when the leaf it reaches scores at least the model's threshold.
//! The features are computed by the filter (`src/filter/model.rs`), for training and cleaning alike,
//! so the two always agree. It must never see a line the rules removed or a line that reads as
//! prose: only short, unpunctuated lines are candidates.

mod train;

pub use train::{MIN_LEAF, THRESHOLD, TrainSet, train, train_dirs};

use serde::Deserialize;

use crate::error::Error;

/// Does `clean` run the built-in model when neither the command line nor the configuration says?
/// Not yet: trained on one evaluation set and scored on the other, it does not clear the floors
/// it must (see the README's "Line model"), so it runs only when asked for.
pub const MODEL_BY_DEFAULT: bool = false;

/// The features of a candidate line, in the order of the feature vector.
pub const FEATURES: &[&str] = &[
    "words",
    "chars",
    "capitalised",
    "digits",
    "date",
    "stopwords",
    "separators",
    "position",
    "prose_before",
    "prose_after",
    "prev_words",
    "next_words",
    "short_near",
    "removed_near",
    "removed_adjacent",
    "removed_navigation",
    "removed_social",
    "repeated",
    "prose_share",
];

/// Number of features.
pub const N_FEATURES: usize = FEATURES.len();

/// One feature vector.
pub type Features = [f32; N_FEATURES];

/// One node of the tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Go to `yes` when feature `feature` is at most `le`, else to `no`.
    Split {
        /// Index into [`FEATURES`].
        feature: usize,
        /// The threshold.
        le: f32,
        /// Node index when the test holds.
        yes: usize,
        /// Node index when it does not.
        no: usize,
    },
    /// A leaf: the share of chrome among the training lines (weighted by words) that reached it.
    Leaf {
        /// Chrome share, 0 to 1.
        score: f32,
        /// Training lines that reached it.
        lines: u32,
    },
}

/// A line model: the tree and the score from which a line is removed.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Nodes, the root first.
    pub nodes: Vec<Node>,
    /// A line is removed when its leaf scores at least this.
    pub threshold: f32,
}

/// The built-in model file.
pub const BUILTIN_MODEL: &str = include_str!("../../patterns/model.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    threshold: f32,
    features: Vec<String>,
    node: Vec<RawNode>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNode {
    feature: Option<String>,
    le: Option<f32>,
    yes: Option<usize>,
    no: Option<usize>,
    score: Option<f32>,
    lines: Option<u32>,
}

/// A line's verdict: its score and the tests on its way to the leaf (for `--explain`).
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The leaf's score.
    pub score: f32,
    /// Each test passed: feature index, the line's value, the threshold, whether at most.
    pub path: Vec<(usize, f32, f32, bool)>,
}

impl Decision {
    /// `score 0.97: words 2 <= 3.5, prose_before 12 > 4.5`.
    pub fn explain(&self) -> String {
        let tests: Vec<String> = self
            .path
            .iter()
            .map(|&(f, v, le, yes)| {
                format!(
                    "{} {} {} {}",
                    FEATURES[f],
                    fmt_num(v),
                    if yes { "<=" } else { ">" },
                    fmt_num(le)
                )
            })
            .collect();
        if tests.is_empty() {
            format!("score {:.2}", self.score)
        } else {
            format!("score {:.2}: {}", self.score, tests.join(", "))
        }
    }
}

/// A number as the model file writes it: at most four decimals, no trailing zeros.
pub(crate) fn fmt_num(v: f32) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

impl Model {
    /// The model embedded in the binary.
    pub fn builtin() -> Model {
        Model::parse(BUILTIN_MODEL, "patterns/model.toml").expect("the built-in model parses")
    }

    /// Reads a model file.
    pub fn load(path: &std::path::Path) -> Result<Model, Error> {
        let src = std::fs::read_to_string(path)
            .map_err(|e| Error::Usage(format!("cannot read model file {}: {e}", path.display())))?;
        Model::parse(&src, &path.display().to_string())
    }

    /// Parses a model file's text (`name` is used in error messages).
    pub fn parse(src: &str, name: &str) -> Result<Model, Error> {
        let bad = |msg: String| Error::Usage(format!("model file {name}: {msg}"));
        let raw: RawModel = toml::from_str(src).map_err(|e| {
            let (line, col) = crate::patterns::file::line_col(src, e.span().map_or(0, |s| s.start));
            bad(format!("{line}:{col}: {}", e.message().trim()))
        })?;
        if raw.features != FEATURES {
            return Err(bad(format!(
                "its features are not this version's ({})",
                FEATURES.join(", ")
            )));
        }
        let n = raw.node.len();
        let mut nodes = Vec::with_capacity(n);
        for (i, r) in raw.node.into_iter().enumerate() {
            let node = match (r.feature, r.le, r.yes, r.no, r.score, r.lines) {
                (Some(f), Some(le), Some(yes), Some(no), None, None) => {
                    let feature = FEATURES
                        .iter()
                        .position(|&x| x == f)
                        .ok_or_else(|| bad(format!("node {i}: unknown feature {f:?}")))?;
                    // Children come after their parent: the tree has no cycle.
                    if yes <= i || no <= i || yes >= n || no >= n {
                        return Err(bad(format!("node {i}: children must follow it")));
                    }
                    Node::Split {
                        feature,
                        le,
                        yes,
                        no,
                    }
                }
                (None, None, None, None, Some(score), Some(lines)) => Node::Leaf { score, lines },
                _ => {
                    return Err(bad(format!(
                        "node {i}: a node is either feature, le, yes and no, or score and lines"
                    )));
                }
            };
            nodes.push(node);
        }
        if nodes.is_empty() {
            return Err(bad("no nodes".into()));
        }
        Ok(Model {
            nodes,
            threshold: raw.threshold,
        })
    }

    /// The model as its file's text (the format [`Model::parse`] reads).
    pub fn to_toml(&self) -> String {
        let mut s = String::from(
            "# The line model (see src/model/mod.rs): a decision tree over the features of a short\n\
             # line the rules kept. A line whose leaf scores at least `threshold` is removed.\n\
             # Written by `dechrome model train`; do not edit by hand.\n",
        );
        s.push_str(&format!("threshold = {}\n", fmt_num(self.threshold)));
        s.push_str("features = [\n");
        for f in FEATURES {
            s.push_str(&format!("    \"{f}\",\n"));
        }
        s.push_str("]\n");
        for (i, n) in self.nodes.iter().enumerate() {
            s.push_str(&format!("\n[[node]] # {i}\n"));
            match n {
                Node::Split {
                    feature,
                    le,
                    yes,
                    no,
                } => s.push_str(&format!(
                    "feature = \"{}\"\nle = {}\nyes = {yes}\nno = {no}\n",
                    FEATURES[*feature],
                    fmt_num(*le)
                )),
                Node::Leaf { score, lines } => {
                    s.push_str(&format!("score = {}\nlines = {lines}\n", fmt_num(*score)))
                }
            }
        }
        s
    }

    /// Does any leaf reach the threshold? A model that can remove nothing costs nothing to run.
    pub fn can_remove(&self) -> bool {
        self.nodes
            .iter()
            .any(|n| matches!(n, Node::Leaf { score, .. } if *score >= self.threshold))
    }

    /// The leaf a feature vector reaches, and the way there.
    pub fn decide(&self, x: &Features) -> Decision {
        let mut path = Vec::new();
        let mut i = 0;
        loop {
            match self.nodes[i] {
                Node::Split {
                    feature,
                    le,
                    yes,
                    no,
                } => {
                    let v = x[feature];
                    let go = v <= le;
                    path.push((feature, v, le, go));
                    i = if go { yes } else { no };
                }
                Node::Leaf { score, .. } => return Decision { score, path },
            }
        }
    }

    /// The leaf score of a feature vector.
    pub fn score(&self, x: &Features) -> f32 {
        let mut i = 0;
        loop {
            match self.nodes[i] {
                Node::Split {
                    feature,
                    le,
                    yes,
                    no,
                } => i = if x[feature] <= le { yes } else { no },
                Node::Leaf { score, .. } => return score,
            }
        }
    }
}

/// Stopwords of the languages the cheap language guess knows, the most frequent short words of
/// each (a line of a menu has few of them, a line of the article many).
const STOPWORDS: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "was", "on", "with",
            "as", "he", "she", "his", "her", "be", "by", "at", "are", "from", "this", "have",
            "not", "but", "they", "we", "has", "had", "an", "or", "were", "been", "their", "which",
        ],
    ),
    (
        "de",
        &[
            "der", "die", "und", "in", "den", "von", "zu", "das", "mit", "sich", "des", "auf",
            "ist", "im", "dem", "nicht", "ein", "eine", "als", "auch", "es", "an", "er", "sie",
            "wird", "bei", "einer", "um", "noch", "wie", "einem", "aus", "hat", "dass", "nach",
        ],
    ),
    (
        "fr",
        &[
            "de", "la", "le", "et", "les", "des", "en", "un", "du", "une", "que", "est", "pour",
            "qui", "dans", "par", "pas", "au", "sur", "se", "ne", "il", "elle", "avec", "plus",
            "sont", "ont", "aux", "ce", "mais", "ou", "cette", "nous", "leur",
        ],
    ),
    (
        "es",
        &[
            "de", "la", "que", "el", "en", "y", "los", "se", "del", "las", "un", "por", "con",
            "no", "una", "su", "para", "es", "al", "lo", "como", "más", "pero", "sus", "le", "ha",
            "me", "sin", "sobre", "este", "ya", "entre", "cuando", "todo",
        ],
    ),
    (
        "it",
        &[
            "di", "e", "il", "la", "che", "in", "un", "per", "non", "è", "una", "del", "della",
            "le", "si", "con", "da", "al", "i", "lo", "gli", "ha", "sono", "anche", "come", "alla",
            "dei", "più", "nel", "ma", "ci", "questo", "delle",
        ],
    ),
    (
        "nl",
        &[
            "de", "en", "van", "het", "een", "in", "is", "dat", "op", "te", "zijn", "met", "voor",
            "niet", "die", "er", "aan", "ook", "als", "bij", "door", "om", "maar", "nog", "wordt",
            "naar", "heeft", "dan", "was", "ze", "hij", "worden", "uit",
        ],
    ),
    (
        "pt",
        &[
            "de", "a", "o", "que", "e", "do", "da", "em", "um", "para", "é", "com", "não", "uma",
            "os", "no", "se", "na", "por", "mais", "as", "dos", "como", "mas", "foi", "ao", "ele",
            "das", "tem", "à", "seu", "sua", "ou", "ser", "quando",
        ],
    ),
];

/// Each stopword, with a bit per language of [`STOPWORDS`] that has it (built once).
fn stopword_table() -> &'static std::collections::HashMap<&'static str, u8> {
    static TABLE: std::sync::OnceLock<std::collections::HashMap<&'static str, u8>> =
        std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = std::collections::HashMap::new();
        for (i, (_, list)) in STOPWORDS.iter().enumerate() {
            for w in *list {
                *t.entry(*w).or_insert(0) |= 1 << i;
            }
        }
        t
    })
}

/// The language whose stopwords are most frequent among `words` (lower-case), as an index into
/// the stopword lists, or `None` when no list has any.
pub(crate) fn guess_language<'w>(words: impl Iterator<Item = &'w str>) -> Option<usize> {
    let table = stopword_table();
    let mut counts = [0usize; STOPWORDS.len()];
    for w in words {
        if let Some(&bits) = table.get(w) {
            for (i, c) in counts.iter_mut().enumerate() {
                *c += usize::from(bits >> i & 1 == 1);
            }
        }
    }
    let (best, &n) = counts
        .iter()
        .enumerate()
        .max_by_key(|&(i, &c)| (c, usize::MAX - i))?;
    (n > 0).then_some(best)
}

/// Is `word` (lower-case) a stopword of language `lang` (see [`guess_language`])?
pub(crate) fn is_stopword(lang: usize, word: &str) -> bool {
    stopword_table()
        .get(word)
        .is_some_and(|&bits| bits >> lang & 1 == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_model_reads_back_as_written() {
        let m = Model::builtin();
        assert_eq!(m.to_toml(), BUILTIN_MODEL);
    }

    #[test]
    fn a_malformed_model_file_is_refused_with_its_reason() {
        let head = format!(
            "threshold = 0.9\nfeatures = [{}]\n",
            FEATURES
                .iter()
                .map(|f| format!("\"{f}\""))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let err = Model::parse(
            &format!("{head}[[node]]\nfeature = \"words\"\nle = 2\nyes = 0\nno = 1\n"),
            "m.toml",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "model file m.toml: node 0: children must follow it"
        );
        let err = Model::parse(
            "threshold = 0.9\nfeatures = [\"words\"]\n[[node]]\nscore = 1\nlines = 1\n",
            "m.toml",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("model file m.toml: its features are not this version's (words, "),
            "{err}"
        );
        let m = Model::parse(
            &format!(
                "{head}[[node]]\nfeature = \"words\"\nle = 2.5\nyes = 1\nno = 2\n\
                 [[node]]\nscore = 0.95\nlines = 40\n[[node]]\nscore = 0.1\nlines = 60\n"
            ),
            "m.toml",
        )
        .unwrap();
        let mut x = [0.0; N_FEATURES];
        x[0] = 2.0;
        let d = m.decide(&x);
        assert_eq!(d.explain(), "score 0.95: words 2 <= 2.5");
        x[0] = 3.0;
        assert_eq!(m.score(&x), 0.1);
        assert!(m.can_remove());
    }

    #[test]
    fn the_language_guess_counts_stopwords() {
        let de = "der Hund und die Katze".split(' ');
        assert_eq!(guess_language(de).map(|i| STOPWORDS[i].0), Some("de"));
        assert_eq!(guess_language("xyz qq".split(' ')), None);
    }
}
