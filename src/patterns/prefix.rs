//! [`PrefixSet`]: which of a set of literals a text begins with, ASCII case-insensitively.
//!
//! The cleaner asks this at a few positions per line (line and sentence starts, regex heads). An
//! Aho-Corasick automaton answers as fast but costs tens of milliseconds to build for the built-in
//! set; this trie is built from the sorted literals in one pass, with no hashing, and a query
//! follows one edge per byte of the text until no literal can continue. The tries of the built-in
//! set are built by `build.rs` and read from the binary in place (see [`PrefixSet::from_static`]).

use std::borrow::Cow;

/// No literal ends at a node.
const NONE: u32 = u32::MAX;

/// A trie node: its children are the nodes at the edges `child..child + len`, sorted by byte
/// (the node at edge `e` is node `e + 1`: nodes and edges are made in the same breadth-first
/// order, after the root). `repr(C)`: the
/// built-in tries are stored in the binary in this layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C)]
struct Node {
    child: u32,
    len: u32,
    /// The literal (index into the list the set was built from) that ends here, or [`NONE`].
    found: u32,
}

/// Literals, lowered in ASCII, in a trie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PrefixSet {
    nodes: Cow<'static, [Node]>,
    /// The byte of each edge: one byte, as the node an edge leads to is known from its index
    /// (see [`Node`]), so that the built-in tries take less of the binary's pages.
    edges: Cow<'static, [u8]>,
    /// The root's child per byte (either ASCII case), or [`NONE`].
    root: Cow<'static, [u32; 256]>,
}

/// A hash of a list of literals, in order: what a built-in trie was built from (see
/// [`PrefixSet::from_static`]). 128 bits, so that two lists that differ never meet by chance.
pub(crate) fn key<'a>(lits: impl IntoIterator<Item = &'a [u8]>) -> u128 {
    const K1: u64 = 0x9E37_79B9_7F4A_7C15;
    const K2: u64 = 0xC2B2_AE3D_27D4_EB4F;
    let (mut a, mut b) = (0x243F_6A88_85A3_08D3_u64, 0x1319_8A2E_0370_7344_u64);
    let mut mix = |w: u64| {
        a = (a.rotate_left(5) ^ w).wrapping_mul(K1);
        b = (b.rotate_left(7) ^ w).wrapping_mul(K2);
    };
    for l in lits {
        mix(l.len() as u64);
        let mut chunks = l.chunks_exact(8);
        for c in &mut chunks {
            mix(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let mut last = [0u8; 8];
        last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        mix(u64::from_le_bytes(last));
    }
    (u128::from(a ^ (a >> 29)) << 64) | u128::from(b ^ (b >> 31))
}

impl PrefixSet {
    /// A set of `lits`; a query reports each by its index in `lits`. Empty literals are never
    /// reported; of equal literals (in ASCII case), only the first.
    pub(crate) fn new<'a>(lits: impl IntoIterator<Item = &'a [u8]>) -> PrefixSet {
        // The literals lowered into one buffer (no allocation per literal), as (start, length,
        // index), sorted by their bytes, then by index.
        let mut buf: Vec<u8> = Vec::new();
        let mut keys: Vec<(u32, u32, u32)> = Vec::new();
        for (i, l) in lits.into_iter().enumerate() {
            if !l.is_empty() {
                keys.push((buf.len() as u32, l.len() as u32, i as u32));
                buf.extend(l.iter().map(u8::to_ascii_lowercase));
            }
        }
        let bytes = |k: &(u32, u32, u32)| &buf[k.0 as usize..(k.0 + k.1) as usize];
        keys.sort_unstable_by(|a, b| bytes(a).cmp(bytes(b)).then(a.2.cmp(&b.2)));
        keys.dedup_by(|a, b| bytes(a) == bytes(b));
        // One node per distinct prefix: each literal adds the bytes it does not share with the
        // one before it. Sized exactly, so the set never holds doubled capacity.
        let mut count = 1;
        for (k, key) in keys.iter().enumerate() {
            let shared = k.checked_sub(1).map_or(0, |p| {
                let (a, b) = (bytes(&keys[p]), bytes(key));
                a.iter().zip(b).take_while(|(x, y)| x == y).count()
            });
            count += key.1 as usize - shared;
        }
        let mut nodes: Vec<Node> = Vec::with_capacity(count);
        let mut edges: Vec<u8> = Vec::with_capacity(count - 1);
        // Breadth first: node `x` stands for the keys `ranges[x]`, which share their first
        // `depth` bytes; its children, one per distinct next byte, get consecutive edges.
        let mut ranges: Vec<(u32, u32, u32)> = Vec::with_capacity(count);
        nodes.push(Node {
            child: 0,
            len: 0,
            found: NONE,
        });
        ranges.push((0, keys.len() as u32, 0));
        let mut x = 0;
        while x < nodes.len() {
            let (lo, hi, depth) = ranges[x];
            let (mut lo, hi, depth) = (lo as usize, hi as usize, depth as usize);
            // Sorted, a key that ends here comes first among those sharing this prefix.
            if lo < hi && keys[lo].1 as usize == depth {
                nodes[x].found = keys[lo].2;
                lo += 1;
            }
            let child = edges.len();
            while lo < hi {
                let b = bytes(&keys[lo])[depth];
                let mut j = lo + 1;
                while j < hi && bytes(&keys[j])[depth] == b {
                    j += 1;
                }
                // The edge leads to the node pushed with it (see `Node`).
                debug_assert_eq!(edges.len() + 1, nodes.len());
                edges.push(b);
                nodes.push(Node {
                    child: 0,
                    len: 0,
                    found: NONE,
                });
                ranges.push((lo as u32, j as u32, depth as u32 + 1));
                lo = j;
            }
            nodes[x].child = child as u32;
            nodes[x].len = (edges.len() - child) as u32;
            x += 1;
        }
        let mut root = [NONE; 256];
        let first = nodes[0];
        let at = first.child as usize;
        for (k, &b) in edges[at..at + first.len as usize].iter().enumerate() {
            // The node at edge `e` is node `e + 1` (see `Node`).
            let node = (at + k) as u32 + 1;
            root[usize::from(b)] = node;
            root[usize::from(b.to_ascii_uppercase())] = node;
        }
        PrefixSet {
            nodes: Cow::Owned(nodes),
            edges: Cow::Owned(edges),
            root: Cow::Owned(root),
        }
    }

    /// The trie's nodes, edges and root table as bytes, in `big_endian` or little-endian order
    /// (`build.rs` stores the built-in tries so; see [`PrefixSet::from_static`]).
    #[cfg_attr(not(test), allow(dead_code))] // Used by `build.rs`.
    pub(crate) fn to_bytes(&self, big_endian: bool) -> [Vec<u8>; 3] {
        let word = |w: u32| {
            if big_endian {
                w.to_be_bytes()
            } else {
                w.to_le_bytes()
            }
        };
        let nodes = self.nodes.iter().flat_map(|n| [n.child, n.len, n.found]);
        [
            nodes.flat_map(word).collect(),
            self.edges.to_vec(),
            self.root.iter().copied().flat_map(word).collect(),
        ]
    }

    /// The trie `build.rs` stored, read in place: no copy, and only the pages a query touches are
    /// read from the binary. `None` when the bytes are not aligned as the types need.
    pub(crate) fn from_static(
        nodes: &'static [u8],
        edges: &'static [u8],
        root: &'static [u8],
    ) -> Option<PrefixSet> {
        /// `bytes` as a slice of `T`, when aligned and a whole number of `T`s.
        fn cast<T>(bytes: &'static [u8]) -> Option<&'static [T]> {
            let size = std::mem::size_of::<T>();
            if bytes.as_ptr().align_offset(std::mem::align_of::<T>()) != 0
                || !bytes.len().is_multiple_of(size)
            {
                return None;
            }
            // SAFETY: the pointer is aligned for `T` and the bytes span exactly `len` values; `T`
            // is `Node` or `u32` here, a `repr(C)` struct of `u32`s or a `u32`, for which every
            // byte pattern is a value, and the bytes are static.
            Some(unsafe {
                std::slice::from_raw_parts(bytes.as_ptr().cast::<T>(), bytes.len() / size)
            })
        }
        let root: &'static [u32] = cast(root)?;
        let nodes: &'static [Node] = cast(nodes)?;
        // Every node but the root has its edge.
        (edges.len() + 1 == nodes.len()).then_some(())?;
        Some(PrefixSet {
            nodes: Cow::Borrowed(nodes),
            edges: Cow::Borrowed(edges),
            root: Cow::Borrowed(root.try_into().ok()?),
        })
    }

    /// Whether every index the set reports is below `count`: a stored trie found by its [`key`]
    /// is used for a list of `count` literals only then (`build.rs` stores the bound it checks).
    #[cfg_attr(not(test), allow(dead_code))] // Used by `build.rs` and the tests.
    pub(crate) fn indices_below(&self, count: usize) -> bool {
        self.nodes
            .iter()
            .all(|n| n.found == NONE || (n.found as usize) < count)
    }

    /// Whether the set holds exactly `lits`, each reported by the index [`PrefixSet::new`] would
    /// give it (the tests check every stored trie so).
    #[cfg(test)]
    pub(crate) fn holds_exactly<'a>(&self, lits: impl IntoIterator<Item = &'a [u8]>) -> bool {
        let lits: Vec<&[u8]> = lits.into_iter().collect();
        let mut distinct = 0;
        for (i, l) in lits.iter().enumerate() {
            if l.is_empty() {
                continue;
            }
            let mut at = None;
            self.prefixes_of(l, |k, n| {
                if n == l.len() {
                    at = Some(k);
                }
            });
            // Of equal literals the first is reported.
            match at {
                Some(k) if k == i => distinct += 1,
                Some(k) if k < i && lits[k].eq_ignore_ascii_case(l) => {}
                _ => return false,
            }
        }
        distinct == self.nodes.iter().filter(|n| n.found != NONE).count()
    }

    /// Whether the trie is read from the binary (see [`PrefixSet::from_static`]).
    #[cfg(test)]
    pub(crate) fn is_static(&self) -> bool {
        matches!(self.nodes, Cow::Borrowed(_))
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
        let (nodes, all_edges): (&[Node], &[u8]) = (&self.nodes, &self.edges);
        let mut k = 1;
        loop {
            let n = nodes[node as usize];
            if n.found != NONE {
                found(n.found as usize, k);
            }
            let Some(&b) = text.get(k) else {
                return;
            };
            let b = b.to_ascii_lowercase();
            let edges = &all_edges[n.child as usize..(n.child + n.len) as usize];
            let next = if edges.len() <= 8 {
                edges.iter().position(|&e| e == b)
            } else {
                edges.binary_search(&b).ok()
            };
            match next {
                // The node at edge `e` is node `e + 1` (see `Node`).
                Some(i) => node = n.child + i as u32 + 1,
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

    #[test]
    fn a_trie_holds_exactly_its_own_list() {
        let lits: [&[u8]; 5] = [b"share", b"", b"Share", b"sh", b"read more"];
        let set = PrefixSet::new(lits);
        assert!(set.holds_exactly(lits));
        // Another list, however close, is not answered by this trie.
        let others: [&[&[u8]]; 5] = [
            &[b"share", b"", b"Share", b"sh"],
            &[b"share", b"", b"Share", b"sh", b"read more", b"more"],
            &[b"sh", b"", b"Share", b"share", b"read more"],
            &[b"share", b"", b"Share", b"sh", b"read mor"],
            &[b"share", b"", b"Sharf", b"sh", b"read more"],
        ];
        assert!(set.indices_below(5));
        assert!(!set.indices_below(4));
        for other in others {
            assert!(!set.holds_exactly(other.iter().copied()), "{other:?}");
            assert!(PrefixSet::new(other.iter().copied()).holds_exactly(other.iter().copied()));
        }
    }

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

    #[test]
    fn a_stored_trie_reads_back_as_built() {
        let lits: [&[u8]; 4] = [b"share", b"Sh", b"share this", b"x"];
        let set = PrefixSet::new(lits);
        let [nodes, edges, root] = set.to_bytes(cfg!(target_endian = "big"));
        // Aligned as `build.rs` aligns them.
        let leak = |b: Vec<u8>| -> &'static [u8] {
            let words: Vec<u64> = b
                .chunks(8)
                .map(|c| {
                    let mut w = [0u8; 8];
                    w[..c.len()].copy_from_slice(c);
                    u64::from_ne_bytes(w)
                })
                .collect();
            let len = b.len();
            let words: &'static [u64] = Box::leak(words.into_boxed_slice());
            // SAFETY: `words` holds at least `len` initialised bytes and lives forever.
            unsafe { std::slice::from_raw_parts(words.as_ptr().cast::<u8>(), len) }
        };
        let stored = PrefixSet::from_static(leak(nodes), leak(edges), leak(root)).unwrap();
        assert!(stored.is_static());
        assert_eq!(stored, set);
        assert_eq!(all(&stored, "SHARE this!"), vec![(1, 2), (0, 5), (2, 10)]);
        let k = |l: &[&str]| key(l.iter().map(|s| s.as_bytes()));
        assert_eq!(key(lits), k(&["share", "Sh", "share this", "x"]));
        assert_ne!(key(lits), k(&["share", "Sh", "share this"]));
        assert_ne!(k(&["ab", "c"]), k(&["a", "bc"]));
        assert_ne!(k(&["sh"]), k(&["Sh"]));
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
