//! Training the line model: labelled lines from evaluation sets, and a small decision tree.
//!
//! Reads sets laid out as `ID.page.txt` / `ID.article.txt` (inputs) beside `ID.gold.txt` (the
//! article body): a candidate line (see `src/filter/model.rs`) is content when the gold body holds
//! it (whitespace normalised), chrome otherwise; the gold bodies themselves are cleaned as inputs
//! too, every candidate of theirs content. The tree is grown by weighted Gini impurity, content
//! weighing [`CONTENT_COST`] times chrome (precision first), and every tie is broken by order, so
//! the same data gives the same file byte for byte. It must never read a model to train one: the
//! rules alone decide the candidates.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::{Features, Model, N_FEATURES, Node, fmt_num};
use crate::error::Error;
use crate::filter::Cleaner;

/// How much more a content line's words weigh than a chrome line's when the tree is grown.
pub const CONTENT_COST: f64 = 10.0;
/// Deepest the tree grows.
pub const MAX_DEPTH: usize = 5;
/// Fewest training lines in a leaf, by default.
pub const MIN_LEAF: usize = 25;
/// The default removal threshold written into a trained model.
pub const THRESHOLD: f32 = 0.95;

/// Labelled lines: features, whether chrome, and weight (words).
#[derive(Debug, Default, Clone)]
pub struct TrainSet {
    /// Feature vectors.
    pub x: Vec<Features>,
    /// Whether each line is chrome.
    pub chrome: Vec<bool>,
    /// Each line's words (at least 1).
    pub words: Vec<f64>,
}

impl TrainSet {
    /// Adds the candidates of one input, labelled against its gold body (`None`: all content).
    pub fn add(&mut self, cleaner: &Cleaner, input: &[u8], gold: Option<&HashSet<String>>) {
        for (range, x) in cleaner.model_samples(input) {
            let line = normalise(&String::from_utf8_lossy(&input[range]));
            self.chrome.push(gold.is_some_and(|g| !g.contains(&line)));
            self.words.push(f64::from(x[0]).max(1.0));
            self.x.push(x);
        }
    }
}

fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Reads every set in `dirs` into labelled lines (files in name order).
pub fn train_dirs(cleaner: &Cleaner, dirs: &[PathBuf]) -> Result<TrainSet, Error> {
    let mut set = TrainSet::default();
    let read = |p: &Path| {
        std::fs::read(p).map_err(|e| Error::Usage(format!("cannot read {}: {e}", p.display())))
    };
    for dir in dirs {
        let mut golds: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| Error::Usage(format!("cannot read {}: {e}", dir.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.to_string_lossy().ends_with(".gold.txt"))
            .collect();
        golds.sort();
        if golds.is_empty() {
            return Err(Error::Usage(format!(
                "{}: no ID.gold.txt files to train on",
                dir.display()
            )));
        }
        for gold_path in golds {
            let gold = read(&gold_path)?;
            let lines: HashSet<String> = String::from_utf8_lossy(&gold)
                .lines()
                .map(normalise)
                .collect();
            let stem = gold_path.to_string_lossy();
            let stem = stem.strip_suffix(".gold.txt").expect("filtered above");
            for rendition in ["article", "page"] {
                let p = PathBuf::from(format!("{stem}.{rendition}.txt"));
                if p.exists() {
                    set.add(cleaner, &read(&p)?, Some(&lines));
                }
            }
            set.add(cleaner, &gold, None);
        }
    }
    Ok(set)
}

/// Weighted sums of a group of lines.
#[derive(Clone, Copy, Default)]
struct Sums {
    chrome: f64,
    content: f64,
    lines: usize,
}

impl Sums {
    fn add(&mut self, chrome: bool, w: f64) {
        if chrome {
            self.chrome += w;
        } else {
            self.content += w;
        }
        self.lines += 1;
    }
    /// Gini impurity times weight, content weighing [`CONTENT_COST`].
    fn cost(&self) -> f64 {
        let (a, b) = (self.chrome, self.content * CONTENT_COST);
        let t = a + b;
        if t == 0.0 { 0.0 } else { 2.0 * a * b / t }
    }
    fn score(&self) -> f32 {
        let t = self.chrome + self.content;
        let s = if t == 0.0 { 0.0 } else { self.chrome / t };
        round4(s as f32)
    }
}

fn round4(v: f32) -> f32 {
    fmt_num(v).parse().expect("a formatted number parses")
}

/// Grows a tree on `set` and returns the model, with `threshold` as its removal threshold and at
/// least `min_leaf` training lines in each leaf.
pub fn train(set: &TrainSet, threshold: f32, min_leaf: usize) -> Model {
    let idx: Vec<usize> = (0..set.x.len()).collect();
    let mut nodes = Vec::new();
    let p = Params {
        threshold,
        min_leaf: min_leaf.max(1),
    };
    grow(set, idx, 0, &p, &mut nodes);
    if nodes.is_empty() {
        nodes.push(Node::Leaf {
            score: 0.0,
            lines: 0,
        });
    }
    Model { nodes, threshold }
}

/// What [`train`] was asked for.
struct Params {
    threshold: f32,
    min_leaf: usize,
}

/// Grows the subtree of `idx` into `nodes` (pre-order) and returns its root's index.
fn grow(set: &TrainSet, idx: Vec<usize>, depth: usize, p: &Params, nodes: &mut Vec<Node>) -> usize {
    let mut all = Sums::default();
    for &i in &idx {
        all.add(set.chrome[i], set.words[i]);
    }
    let leaf = Node::Leaf {
        score: all.score(),
        lines: all.lines as u32,
    };
    let at = nodes.len();
    let split = if depth < MAX_DEPTH && all.chrome > 0.0 && all.content > 0.0 {
        best_split(set, &idx, &all, p.min_leaf)
    } else {
        None
    };
    let Some((feature, le)) = split else {
        nodes.push(leaf);
        return at;
    };
    let (yes, no): (Vec<usize>, Vec<usize>) = idx.iter().partition(|&&i| set.x[i][feature] <= le);
    nodes.push(Node::Split {
        feature,
        le,
        yes: 0,
        no: 0,
    });
    let y = grow(set, yes, depth + 1, p, nodes);
    let n = grow(set, no, depth + 1, p, nodes);
    // Two leaves that decide alike are one leaf: the file says only what matters.
    if let (Node::Leaf { score: a, lines: _ }, Node::Leaf { score: b, .. }) = (&nodes[y], &nodes[n])
        && (*a >= p.threshold) == (*b >= p.threshold)
    {
        nodes.truncate(at);
        nodes.push(leaf);
        return at;
    }
    nodes[at] = Node::Split {
        feature,
        le,
        yes: y,
        no: n,
    };
    at
}

/// The split of `idx` that lowers the weighted impurity most, both sides holding at least
/// `min_leaf` lines; ties go to the lower feature and threshold.
fn best_split(set: &TrainSet, idx: &[usize], all: &Sums, min_leaf: usize) -> Option<(usize, f32)> {
    let mut best: Option<(f64, usize, f32)> = None;
    let base = all.cost();
    let mut order = idx.to_vec();
    for f in 0..N_FEATURES {
        order.sort_by(|&a, &b| set.x[a][f].total_cmp(&set.x[b][f]).then(a.cmp(&b)));
        let mut left = Sums::default();
        for k in 0..order.len() - 1 {
            let i = order[k];
            left.add(set.chrome[i], set.words[i]);
            let (v, next) = (set.x[i][f], set.x[order[k + 1]][f]);
            if v == next || left.lines < min_leaf || order.len() - left.lines < min_leaf {
                continue;
            }
            let right = Sums {
                chrome: all.chrome - left.chrome,
                content: all.content - left.content,
                lines: all.lines - left.lines,
            };
            let gain = base - left.cost() - right.cost();
            let le = round4((v + next) / 2.0);
            // The rounded threshold must still fall between the two values.
            if gain > 1e-9 && le >= v && le < next && best.is_none_or(|(g, _, _)| gain > g + 1e-9) {
                best = Some((gain, f, le));
            }
        }
    }
    best.map(|(_, f, le)| (f, le))
}
