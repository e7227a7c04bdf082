//! [`PrefixSet`]: which of a set of literals a text begins with, ASCII case-insensitively.
//!
//! The cleaner asks this at a few positions per line (line and sentence starts, regex heads). An
//! Aho-Corasick automaton answers as fast but costs tens of milliseconds to build for the built-in
//! set; this trie is built from the sorted literals in one pass, with no hashing, and a query
//! follows one edge per byte of the text until no literal can continue.

/// No literal ends at a node.
const NONE: u32 = u32::MAX;

/// A trie node: its children are `edges[child..child + len]`, sorted by byte.
#[derive(Debug, Clone, Copy)]
struct Node {
    child: u32,
    len: u32,
    /// The literal (index into the list the set was built from) that ends here, or [`NONE`].
    found: u32,
}

/// Literals, lowered in ASCII, in a trie.
#[derive(Debug, Clone)]
pub(crate) struct PrefixSet {
    nodes: Vec<Node>,
    /// `(byte, node)`.
    edges: Vec<(u8, u32)>,
    /// The root's child per byte (either ASCII case), or [`NONE`].
    root: Box<[u32; 256]>,
}

impl PrefixSet {
    /// A set of `lits`; a query reports each by its index in `lits`. Empty literals are never
    /// reported; of equal literals (in ASCII case), only the first.
    pub(crate) fn new<'a>(lits: impl IntoIterator<Item = &'a [u8]>) -> PrefixSet {
        let mut pairs: Vec<(Vec<u8>, usize)> = lits
            .into_iter()
            .enumerate()
            .filter(|(_, l)| !l.is_empty())
            .map(|(i, l)| (l.to_ascii_lowercase(), i))
            .collect();
        pairs.sort_unstable();
        pairs.dedup_by(|a, b| a.0 == b.0);
        let mut set = PrefixSet {
            nodes: Vec::new(),
            edges: Vec::new(),
            root: Box::new([NONE; 256]),
        };
        set.build(&pairs, 0);
        // The vectors grew by doubling; the set lives as long as the run.
        set.nodes.shrink_to_fit();
        set.edges.shrink_to_fit();
        let root = set.nodes[0];
        for &(b, node) in &set.edges[root.child as usize..(root.child + root.len) as usize] {
            set.root[usize::from(b)] = node;
            set.root[usize::from(b.to_ascii_uppercase())] = node;
        }
        set
    }

    /// Adds the node for `pairs` (sorted, all sharing their first `depth` bytes); returns its index.
    fn build(&mut self, pairs: &[(Vec<u8>, usize)], depth: usize) -> u32 {
        let id = self.nodes.len();
        self.nodes.push(Node {
            child: 0,
            len: 0,
            found: NONE,
        });
        let mut rest = pairs;
        if let Some(((l, i), tail)) = rest.split_first()
            && l.len() == depth
        {
            self.nodes[id].found = *i as u32;
            rest = tail;
        }
        // The children: one edge per distinct next byte, then the subtrie below each.
        let child = self.edges.len();
        let mut from = rest;
        while let Some((l, _)) = from.first() {
            let b = l[depth];
            self.edges.push((b, 0));
            from = &from[from.partition_point(|(l, _)| l[depth] == b)..];
        }
        let len = self.edges.len() - child;
        self.nodes[id].child = child as u32;
        self.nodes[id].len = len as u32;
        for k in 0..len {
            let b = self.edges[child + k].0;
            let n = rest.partition_point(|(l, _)| l[depth] == b);
            let node = self.build(&rest[..n], depth + 1);
            self.edges[child + k].1 = node;
            rest = &rest[n..];
        }
        id as u32
    }

    /// Whether some literal can begin with byte `b`.
    pub(crate) fn can_start(&self, b: u8) -> bool {
        self.root[usize::from(b)] != NONE
    }

    /// Calls `found(index, length)` for each literal that `text` begins with, shortest first.
    pub(crate) fn prefixes_of(&self, text: &[u8], mut found: impl FnMut(usize, usize)) {
        let Some(&first) = text.first() else {
            return;
        };
        let mut node = self.root[usize::from(first)];
        if node == NONE {
            return;
        }
        let mut k = 1;
        loop {
            let n = self.nodes[node as usize];
            if n.found != NONE {
                found(n.found as usize, k);
            }
            let Some(&b) = text.get(k) else {
                return;
            };
            let b = b.to_ascii_lowercase();
            let edges = &self.edges[n.child as usize..(n.child + n.len) as usize];
            let next = if edges.len() <= 8 {
                edges.iter().find(|e| e.0 == b)
            } else {
                edges
                    .binary_search_by_key(&b, |e| e.0)
                    .ok()
                    .map(|i| &edges[i])
            };
            match next {
                Some(&(_, child)) => node = child,
                None => return,
            }
            k += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn all(set: &PrefixSet, text: &str) -> Vec<(usize, usize)> {
        let mut v = Vec::new();
        set.prefixes_of(text.as_bytes(), |i, n| v.push((i, n)));
        v
    }

    #[test]
    fn reports_every_literal_the_text_begins_with() {
        let lits: [&[u8]; 5] = [b"share", b"sh", b"share this", b"x", b"shared"];
        let set = PrefixSet::new(lits);
        assert_eq!(all(&set, "SHARE this!"), vec![(1, 2), (0, 5), (2, 10)]);
        assert_eq!(all(&set, "shar"), vec![(1, 2)]);
        assert_eq!(all(&set, "y"), vec![]);
        assert!(set.can_start(b'S') && set.can_start(b'x') && !set.can_start(b'y'));
    }

    proptest! {
        /// The same answers as checking every literal.
        #[test]
        fn agrees_with_a_scan(
            lits in prop::collection::vec("[abAB ]{0,4}", 0..12),
            text in "[abAB ]{0,8}",
        ) {
            let set = PrefixSet::new(lits.iter().map(|l| l.as_bytes()));
            let mut got = all(&set, &text);
            got.sort_unstable();
            let lower = text.to_ascii_lowercase();
            let mut want: Vec<(usize, usize)> = Vec::new();
            for (i, l) in lits.iter().enumerate() {
                let l = l.to_ascii_lowercase();
                if !l.is_empty() && lower.starts_with(&l) && !want.iter().any(|&(_, n)| n == l.len()) {
                    want.push((i, l.len()));
                }
            }
            want.sort_unstable();
            prop_assert_eq!(got, want);
        }
    }
}
