//! [`LiteralScan`]: every occurrence of a set of literals in a text, ASCII case-insensitively, in
//! the order an overlapping Aho-Corasick search reports them.
//!
//! The document scan runs this over every byte of every document, so it is built for real pages.
//! An automaton pays for every byte (the built-in set as a contiguous NFA cost about 90
//! instructions a byte and ~110 M to build; as a DFA, ~50 MB). Here a filter on the four bytes at
//! each position turns away about nine positions in ten at a few instructions each, and one on the
//! first eight bytes most of the rest where only a literal of eight bytes or more can begin (on
//! 3 MB of real pages, trie walks at a passing four-byte start fell from about 163,000 to 46,000
//! with it); the others look up their first four bytes in a hash table and
//! follow a trie from there, a step or two.

/// No node, or no literal ends at a node.
const NONE: u32 = u32::MAX;

/// Trie nodes are numbered below this, so that `node << 8 | byte` keys an edge.
const MAX_NODES: usize = 1 << 24;

/// An entry of a [`Table`]: the key and the node it leads to (or, for a short literal, the
/// literal: an index into [`LiteralScan::same`]).
#[derive(Debug, Clone, Copy)]
struct Slot {
    key: u32,
    value: u32,
}

/// A slot of a [`Table`] that holds nothing.
const EMPTY: Slot = Slot {
    key: 0,
    value: NONE,
};

/// A hash table from `u32` keys to slots, at most a quarter full, probed linearly: about one
/// cache line read per lookup, where a search among sorted children costs a branch per comparison.
#[derive(Debug)]
struct Table {
    slots: Box<[Slot]>,
    /// 32 minus the number of bits of a slot's index.
    shift: u32,
}

impl Table {
    /// A table of these entries (distinct keys, `value` never [`NONE`]).
    fn new(entries: &[Slot]) -> Table {
        let size = (entries.len() * 4).next_power_of_two().max(2);
        let shift = 32 - size.trailing_zeros();
        let mut slots = vec![EMPTY; size].into_boxed_slice();
        for &e in entries {
            let mut i = Self::hash(e.key, shift);
            while slots[i].value != NONE {
                i = (i + 1) & (size - 1);
            }
            slots[i] = e;
        }
        Table { slots, shift }
    }

    #[inline]
    fn hash(key: u32, shift: u32) -> usize {
        (key.wrapping_mul(0x9E37_79B1) >> shift) as usize
    }

    /// The value of `key`, if any.
    #[inline]
    fn get(&self, key: u32) -> Option<u32> {
        let mask = self.slots.len() - 1;
        let mut i = Self::hash(key, self.shift);
        loop {
            let s = self.slots[i];
            if s.value == NONE {
                return None;
            }
            if s.key == key {
                return Some(s.value);
            }
            i = (i + 1) & mask;
        }
    }
}

/// Each byte of a little-endian word ORed with 0x20, which lowers ASCII letters (and merges a few
/// other pairs of bytes, which only lets more positions through [`StartFilter`]).
const FOLD: u32 = 0x2020_2020;

/// Which positions of a text can begin a literal, judged by the four bytes there, folded (see
/// [`FOLD`]): one byte per entry, not one bit, so that a test is a load (each position takes two).
/// Four bytes that begin a literal of eight bytes or more are common words ("more", "read",
/// "shar"), so such a literal also needs its first eight bytes (folded) to pass a second filter.
#[derive(Debug)]
struct StartFilter {
    /// [`LONG`] at [`StartFilter::hash`]`(w)` when a literal of four to seven bytes begins with
    /// the four bytes `w`, [`LONG8`] when one of eight bytes or more does.
    long: Box<[u8; 1 << 16]>,
    /// At `w & 0xffff`, bit 0 when a literal of one byte begins those two bytes (it sets every
    /// pair it begins), bit 1 when a literal of two bytes is those two bytes, bit 2 when one of
    /// three bytes begins with them: the lengths [`LiteralScan::probe`] tries.
    short: Box<[u8; 1 << 16]>,
    /// A bit per [`StartFilter::hash8`] of the first eight bytes (folded) of each literal of
    /// eight bytes or more.
    eight: Box<[u64]>,
}

/// See [`StartFilter::long`].
const LONG: u8 = 1;
/// See [`StartFilter::long`].
const LONG8: u8 = 2;

/// Bits of [`StartFilter::hash8`]: a table of 64 KB, which the few thousand literals of the
/// built-in set fill to about one bit in a hundred.
const EIGHT_BITS: u32 = 19;

/// [`FOLD`] for eight bytes.
const FOLD8: u64 = 0x2020_2020_2020_2020;

impl StartFilter {
    fn new() -> StartFilter {
        let table = || {
            vec![0; 1 << 16]
                .into_boxed_slice()
                .try_into()
                .expect("1 << 16 entries")
        };
        StartFilter {
            long: table(),
            short: table(),
            eight: vec![0; 1 << (EIGHT_BITS - 6)].into_boxed_slice(),
        }
    }

    /// Lets through the positions where `lit` (ASCII lower case, not empty) can begin.
    fn add(&mut self, lit: &[u8]) {
        let pair = |a: u8, b: u8| usize::from(u16::from_le_bytes([a, b]) | 0x2020);
        match *lit {
            [] => {}
            [a] => {
                for b in 0..=255u8 {
                    self.short[pair(a, b)] |= 1;
                }
            }
            [a, b] => self.short[pair(a, b)] |= 2,
            [a, b, _] => self.short[pair(a, b)] |= 4,
            [a, b, c, d, ..] => {
                let at = Self::hash(u32::from_le_bytes([a, b, c, d]) | FOLD);
                match lit.get(..8) {
                    Some(eight) => {
                        self.long[at] |= LONG8;
                        let h = Self::hash8(
                            u64::from_le_bytes(eight.try_into().expect("eight bytes")) | FOLD8,
                        );
                        self.eight[h >> 6] |= 1 << (h & 63);
                    }
                    None => self.long[at] |= LONG,
                }
            }
        }
    }

    #[inline]
    fn hash(w: u32) -> usize {
        (w.wrapping_mul(0x9E37_79B1) >> 16) as usize
    }

    #[inline]
    fn hash8(w: u64) -> usize {
        (w.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - EIGHT_BITS)) as usize
    }

    /// Whether a literal of eight bytes or more can begin at `i` of `hay`, as its first eight
    /// bytes tell.
    #[inline]
    fn admits_eight(&self, hay: &[u8], i: usize) -> bool {
        let Some(eight) = hay.get(i..i + 8) else {
            return false;
        };
        let h = Self::hash8(u64::from_le_bytes(eight.try_into().expect("eight bytes")) | FOLD8);
        self.eight[h >> 6] & (1 << (h & 63)) != 0
    }
}

/// Each byte of a little-endian word in ASCII lower case.
#[inline]
fn lower4(w: u32) -> u32 {
    // The high bit of each byte: the byte is at least b'A', is above b'Z', is ASCII.
    let low7 = w & 0x7f7f_7f7f;
    let from_a = low7.wrapping_add(0x3f3f_3f3f);
    let past_z = low7.wrapping_add(0x2525_2525);
    let upper = from_a & !past_z & !w & 0x8080_8080;
    w | (upper >> 2)
}

/// A node of the trie of the literals of four bytes or more, below their first four bytes.
#[derive(Debug, Clone, Copy)]
struct Node {
    /// The literal (index into [`LiteralScan::same`]) that ends here, or [`NONE`].
    out: u32,
    /// The only child, when there is one (most nodes: a step is then one comparison).
    child: u32,
    /// The byte to `child`.
    byte: u8,
    /// How many children: [`LEAF`], [`ONE`] or [`MANY`] (then they are in [`LiteralScan::edges`]).
    children: u8,
}

const LEAF: u8 = 0;
const ONE: u8 = 1;
const MANY: u8 = 2;

/// A set of literals to find everywhere in a text (see the module docs).
#[derive(Debug)]
pub(crate) struct LiteralScan {
    /// For each distinct literal in ASCII lower case (the `out` of the tables), the literals
    /// (indices, ascending) equal to it.
    same: Vec<Vec<usize>>,
    filter: StartFilter,
    /// The literals of one to three bytes, keyed by their bytes (lower case, little-endian) and
    /// their length in the top byte.
    short: Table,
    /// The literals of four bytes or more: their first four bytes (lower case, little-endian) to
    /// the trie node there.
    heads: Table,
    /// The trie below the heads.
    nodes: Vec<Node>,
    /// The children of the nodes with several: `node << 8 | byte` (lower case) to the child.
    edges: Table,
}

/// The distinct non-empty `literals` lowered in ASCII, sorted, each with the indices (ascending)
/// of the literals equal to it in ASCII case: every one of them is reported where it matches.
pub(crate) fn group_lowered<L: AsRef<[u8]>>(literals: &[L]) -> (Vec<Vec<u8>>, Vec<Vec<usize>>) {
    let mut lowered: Vec<(Vec<u8>, usize)> = literals
        .iter()
        .map(AsRef::as_ref)
        .enumerate()
        .filter(|(_, l)| !l.is_empty())
        .map(|(i, l)| (l.to_ascii_lowercase(), i))
        .collect();
    lowered.sort_unstable();
    let mut keys: Vec<Vec<u8>> = Vec::new();
    let mut same: Vec<Vec<usize>> = Vec::new();
    for (l, i) in lowered {
        if keys.last() == Some(&l) {
            same.last_mut().expect("same key").push(i);
        } else {
            keys.push(l);
            same.push(vec![i]);
        }
    }
    (keys, same)
}

impl LiteralScan {
    /// A scan for `literals` (empty ones are never reported); an error when they are too many.
    pub(crate) fn new<L: AsRef<[u8]>>(literals: &[L]) -> Result<LiteralScan, String> {
        let (keys, same) = group_lowered(literals);
        let mut filter = StartFilter::new();
        let (mut short, mut heads, mut edges) = (Vec::new(), Vec::new(), Vec::new());
        // The trie is built from the sorted keys in one pass: `path[j]` is the node after
        // `4 + j` bytes of the previous long key, shared with this one as far as they agree.
        let mut nodes: Vec<Node> = Vec::new();
        let mut path: Vec<u32> = Vec::new();
        let mut prev: &[u8] = &[];
        let node = |nodes: &mut Vec<Node>| {
            nodes.push(Node {
                out: NONE,
                child: NONE,
                byte: 0,
                children: LEAF,
            });
            (nodes.len() <= MAX_NODES)
                .then(|| nodes.len() as u32 - 1)
                .ok_or_else(|| "the set's literals are too many to scan".to_string())
        };
        for (k, key) in keys.iter().enumerate() {
            filter.add(key);
            if let [a, b, c, d, ..] = key[..] {
                let common = key.iter().zip(prev).take_while(|(x, y)| x == y).count();
                if common < 4 {
                    path.clear();
                    path.push(node(&mut nodes)?);
                    heads.push(Slot {
                        key: u32::from_le_bytes([a, b, c, d]),
                        value: path[0],
                    });
                } else {
                    path.truncate(common - 3);
                }
                for &byte in &key[path.len() + 3..] {
                    let child = node(&mut nodes)?;
                    let parent = path[path.len() - 1];
                    let p = &mut nodes[parent as usize];
                    // Only the nodes with several children look theirs up in `edges`.
                    let edge = |byte: u8, child: u32| Slot {
                        key: parent << 8 | u32::from(byte),
                        value: child,
                    };
                    match p.children {
                        LEAF => (p.child, p.byte, p.children) = (child, byte, ONE),
                        ONE => {
                            edges.push(edge(p.byte, p.child));
                            edges.push(edge(byte, child));
                            p.children = MANY;
                        }
                        _ => edges.push(edge(byte, child)),
                    }
                    path.push(child);
                }
                nodes[path[path.len() - 1] as usize].out = k as u32;
                prev = key;
            } else {
                let mut bytes = [0; 4];
                bytes[..key.len()].copy_from_slice(key);
                short.push(Slot {
                    key: u32::from_le_bytes(bytes) | (key.len() as u32) << 24,
                    value: k as u32,
                });
            }
        }
        nodes.shrink_to_fit();
        Ok(LiteralScan {
            same,
            filter,
            short: Table::new(&short),
            heads: Table::new(&heads),
            nodes,
            edges: Table::new(&edges),
        })
    }

    /// Appends every occurrence of every literal in `hay` to `found` as `(start, end, literal)`,
    /// in the order of their ends, then of their starts, then of the literals.
    pub(crate) fn find(&self, hay: &[u8], found: &mut Vec<(usize, usize, usize)>) {
        let from = found.len();
        let (long, short) = (&*self.filter.long, &*self.filter.short);
        let mut i = 0;
        // Five positions from each eight bytes read (each position takes four).
        while i + 8 <= hay.len() {
            let w8 = u64::from_le_bytes(hay[i..i + 8].try_into().expect("eight bytes"));
            for k in 0..5 {
                let w = (w8 >> (8 * k)) as u32;
                let f = w | FOLD;
                let (l, s) = (long[StartFilter::hash(f)], short[(f & 0xffff) as usize]);
                if l | s != 0 {
                    self.probe_at(hay, i + k, w, l, s, found);
                }
            }
            i += 5;
        }
        while i + 4 <= hay.len() {
            let w = u32::from_le_bytes(hay[i..i + 4].try_into().expect("four bytes"));
            let f = w | FOLD;
            let (l, s) = (long[StartFilter::hash(f)], short[(f & 0xffff) as usize]);
            if l | s != 0 {
                self.probe_at(hay, i, w, l, s, found);
            }
            i += 1;
        }
        // The last three positions, where only shorter literals fit.
        for i in hay.len().saturating_sub(3)..hay.len() {
            let mut w = [0; 4];
            w[..hay.len() - i].copy_from_slice(&hay[i..]);
            self.probe(hay, i, u32::from_le_bytes(w), 0b111, false, found);
        }
        found[from..].sort_unstable_by_key(|&(start, end, lit)| (end, start, lit));
    }

    /// [`LiteralScan::probe`] at a position the first filter let through: `long` and `short`
    /// are what [`StartFilter::long`] and [`StartFilter::short`] have there. Not inlined: the
    /// filter's loop, which most positions never leave, keeps its registers.
    #[inline(never)]
    fn probe_at(
        &self,
        hay: &[u8],
        i: usize,
        w: u32,
        long: u8,
        short: u8,
        found: &mut Vec<(usize, usize, usize)>,
    ) {
        let long = long & LONG != 0 || long & LONG8 != 0 && self.filter.admits_eight(hay, i);
        if short != 0 || long {
            self.probe(hay, i, w, short, long, found);
        }
    }

    /// Appends the literals that begin at `i` (whose next bytes, zero past the end, are `w`):
    /// those of one, two and three bytes as bits 0, 1 and 2 of `lens` say, the longer ones when
    /// `long`.
    #[inline(always)]
    fn probe(
        &self,
        hay: &[u8],
        i: usize,
        w: u32,
        lens: u8,
        long: bool,
        found: &mut Vec<(usize, usize, usize)>,
    ) {
        let w = lower4(w);
        let mut push = |end: usize, out: u32| {
            for &lit in &self.same[out as usize] {
                found.push((i, end, lit));
            }
        };
        if lens != 0 {
            for len in (1..=3.min(hay.len() - i)).filter(|len| lens & 1 << (len - 1) != 0) {
                let key = w & (u32::MAX >> (32 - 8 * len)) | (len as u32) << 24;
                if let Some(k) = self.short.get(key) {
                    push(i + len, k);
                }
            }
        }
        if !long {
            return;
        }
        let Some(mut at) = self.heads.get(w) else {
            return;
        };
        let mut end = i + 4;
        loop {
            let node = self.nodes[at as usize];
            if node.out != NONE {
                push(end, node.out);
            }
            if node.children == LEAF {
                return;
            }
            let Some(&b) = hay.get(end) else {
                return;
            };
            let b = b.to_ascii_lowercase();
            at = if node.children == ONE {
                if b != node.byte {
                    return;
                }
                node.child
            } else {
                match self.edges.get(at << 8 | u32::from(b)) {
                    Some(child) => child,
                    None => return,
                }
            };
            end += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasick, MatchKind};
    use proptest::prelude::*;

    /// What the library's overlapping search reports.
    fn reference(ac: &AhoCorasick, text: &[u8]) -> Vec<(usize, usize, usize)> {
        ac.find_overlapping_iter(text)
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect()
    }

    fn automaton(literals: &[Vec<u8>]) -> AhoCorasick {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(literals)
            .unwrap()
    }

    fn scan(scan: &LiteralScan, text: &[u8]) -> Vec<(usize, usize, usize)> {
        let mut got = vec![(0, 0, usize::MAX)];
        scan.find(text, &mut got);
        assert_eq!(got.remove(0), (0, 0, usize::MAX), "appends");
        got
    }

    #[test]
    fn finds_short_long_overlapping_and_repeated_literals() {
        let lits: Vec<Vec<u8>> = [
            "/",
            "ap",
            "(c)",
            "Share",
            "share this",
            "SHARE",
            "©",
            "hare",
        ]
        .iter()
        .map(|l| l.as_bytes().to_vec())
        .collect();
        let s = LiteralScan::new(&lits).unwrap();
        assert_eq!(
            scan(&s, "AP/ShArE ThIs (C)".as_bytes()),
            [
                (0, 2, 1),
                (2, 3, 0),
                (3, 8, 3),
                (3, 8, 5),
                (4, 8, 7),
                (3, 13, 4),
                (14, 17, 2),
            ]
        );
        assert_eq!(scan(&s, "©/".as_bytes()), [(0, 2, 6), (2, 3, 0)]);
        assert_eq!(scan(&s, b""), []);
        assert_eq!(scan(&s, b"sha"), []);
        assert!(LiteralScan::new::<&[u8]>(&[]).unwrap().same.is_empty());
    }

    /// The ASCII lowering of four bytes at once is the bytewise one.
    #[test]
    fn lower4_lowers_each_byte() {
        for b in 0..=255u8 {
            for other in [0u8, b'A', b'z', 0x80, 0xff] {
                let w = u32::from_le_bytes([b, other, other.wrapping_add(b), b ^ 0x20]);
                let want = u32::from_le_bytes(w.to_le_bytes().map(|x| x.to_ascii_lowercase()));
                assert_eq!(lower4(w), want, "{w:#x}");
            }
        }
    }

    proptest! {
        /// Random literals over a small alphabet (so that they overlap, share prefixes and
        /// repeat in either case) find what the library finds, in the same order.
        #[test]
        fn agrees_with_the_library(
            lits in prop::collection::vec("[abAB©é \n]{1,7}", 1..12),
            text in "[abcABC©é \n]{0,60}",
        ) {
            let lits: Vec<Vec<u8>> = lits.iter().map(|l| l.as_bytes().to_vec()).collect();
            let s = LiteralScan::new(&lits).unwrap();
            prop_assert_eq!(scan(&s, text.as_bytes()), reference(&automaton(&lits), text.as_bytes()));
        }

        /// Literals of every length around the eight bytes the second filter reads, many
        /// sharing their first four bytes, find what the library finds.
        #[test]
        fn agrees_with_the_library_on_long_literals(
            lits in prop::collection::vec("(ab|AB|ba|a)[ab ]{0,10}", 1..24),
            text in "[abAB \n]{0,80}",
        ) {
            let lits: Vec<Vec<u8>> = lits.iter().map(|l| l.as_bytes().to_vec()).collect();
            let s = LiteralScan::new(&lits).unwrap();
            prop_assert_eq!(scan(&s, text.as_bytes()), reference(&automaton(&lits), text.as_bytes()));
        }
    }
}
