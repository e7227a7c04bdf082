//! A generated corpus for `dechrome learn`: several fake sites, each with its own recurring chrome
//! around distinct article bodies of generated prose. Deterministic for a seed. Shared by the
//! integration tests and `examples/learn_corpus.rs`.

#![allow(dead_code)]

use std::path::Path;

/// splitmix64: a small, seeded generator (no dependency needed for test data).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "nu", "pe", "ra", "si", "to", "va", "ze", "bri", "dor", "fen", "gal", "hum",
    "jor", "kel", "lun", "mar", "nor", "pol", "quin", "ros", "tal", "ver", "wen", "yul", "zor",
];

/// A pseudo-word of 1 to 3 syllables: no real word, so no family keyword or built-in phrase.
fn word(rng: &mut Rng) -> String {
    (0..1 + rng.below(3))
        .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
        .collect()
}

/// A sentence of 8 to 16 pseudo-words, capitalised, ending with a period.
pub fn sentence(rng: &mut Rng) -> String {
    let n = 8 + rng.below(9);
    let words: Vec<String> = (0..n).map(|_| word(rng)).collect();
    let mut s = words.join(" ");
    s[..1].make_ascii_uppercase();
    s.push('.');
    s
}

/// A paragraph of 2 to 5 sentences.
pub fn paragraph(rng: &mut Rng) -> String {
    let n = 2 + rng.below(4);
    (0..n).map(|_| sentence(rng)).collect::<Vec<_>>().join(" ")
}

const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// One site's chrome.
pub struct Site {
    pub name: &'static str,
    pub title: &'static str,
    pub share: [&'static str; 3],
    pub appeal: [&'static str; 3],
    pub occasional: &'static str,
    pub glued: &'static str,
    pub quote: &'static str,
    pub rare: &'static str,
    pub terms: &'static str,
}

pub const SITES: &[Site] = &[
    Site {
        name: "harbour-herald",
        title: "The Harbour Herald | Home | News | Harbour life",
        share: ["Share on Facebook", "Share on X", "Send by email"],
        appeal: [
            "Support independent journalism at the Herald",
            "Our reporting is funded by readers like you, and every contribution keeps it free for everyone to read.",
            "Donate now",
        ],
        occasional: "Sponsored message from our partners",
        glued: "Get the Herald briefing in your inbox every morning.",
        quote: "\u{201C}We will rebuild the harbour wall before the winter storms arrive,\u{201D} the mayor told the meeting on the quay.",
        rare: "Listen to this article",
        terms: "Terms of use | Privacy policy | Contact the Herald",
    },
    Site {
        name: "valley-post",
        title: "VALLEY POST \u{2014} Local news since 1881",
        share: [
            "\u{2022} Tweet this story",
            "\u{2022} Post to Facebook",
            "\u{2022} Copy link",
        ],
        appeal: [
            "Help keep the Valley Post free",
            "We don\u{2019}t have a paywall because readers chip in; a small gift today funds the next story.",
            "Give to the Post",
        ],
        occasional: "Related: more stories from the valley",
        glued: "Sign up for Valley Weekly, our free newsletter.",
        quote: "\u{201C}The bridge has stood for a century and it will stand for another,\u{201D} the engineer said after the survey was finished.",
        rare: "Corrections: email the desk",
        terms: "About us \u{2013} Advertise with us \u{2013} Careers",
    },
    Site {
        name: "Metro Daily",
        title: "Metro Daily",
        share: [
            "SHARE",
            "Facebook  |  WhatsApp  |  LinkedIn",
            "Print this page",
        ],
        appeal: [
            "Metro Daily needs you",
            "Independent local reporting costs money, and subscriptions from people like you make it possible every single day.",
            "Subscribe from 1 a week",
        ],
        occasional: "Photo: Metro Daily archive",
        glued: "Follow Metro Daily on social media for live updates.",
        quote: "\u{201C}Nobody expected the market to reopen this quickly after the flood,\u{201D} one trader said as the stalls went up again.",
        rare: "This story was updated after publication",
        terms: "Metro Daily is a member of the press standards board",
    },
];

/// One generated document: its text, and what cleaning must leave of it.
pub struct GenDoc {
    pub site: usize,
    pub index: usize,
    pub text: String,
    /// The article alone: body paragraphs (and quotes), blank lines between them.
    pub expected: String,
    /// Lines of chrome (whole lines), for counting removals.
    pub chrome_lines: usize,
}

/// Generates document `index` of `site`. `rare` adds a chrome line to one document in ten, too
/// rare for the default thresholds (so it is missed: recall below 1).
pub fn document(seed: u64, site: usize, index: usize, rare: bool) -> GenDoc {
    let s = &SITES[site];
    let mut rng = Rng::new(seed ^ ((site as u64) << 40) ^ index as u64);
    let mut top: Vec<String> = vec![s.title.to_string()];
    top.push(format!(
        "Updated {} {} {}",
        1 + rng.below(28),
        MONTHS[rng.below(12)],
        2015 + rng.below(10)
    ));
    let mut blocks: Vec<Vec<String>> = vec![top, s.share.iter().map(|x| x.to_string()).collect()];
    let mut body: Vec<String> = Vec::new();
    let paras = 3 + rng.below(4);
    let mut chrome_lines = 2 + 3 + 2;
    for p in 0..paras {
        let mut para = paragraph(&mut rng);
        if p == paras - 1 && index % 5 < 3 {
            // Glued to the last paragraph, with no space: the sentence rule must cut it alone.
            para.push_str(s.glued);
        }
        body.push(para.clone());
        blocks.push(vec![para]);
        if p == 1 && index % 10 < 7 {
            blocks.push(s.appeal.iter().map(|x| x.to_string()).collect());
            chrome_lines += 3;
        }
        if p == 0 && index.is_multiple_of(3) {
            body.push(s.quote.to_string());
            blocks.push(vec![s.quote.to_string()]);
        }
        if p == 0 && index.is_multiple_of(2) {
            blocks.push(vec![s.occasional.to_string()]);
            chrome_lines += 1;
        }
        if p == 1 && rare && index % 10 == 9 {
            blocks.push(vec![s.rare.to_string()]);
            chrome_lines += 1;
        }
    }
    let year = 2015 + rng.below(10);
    blocks.push(vec![
        s.terms.to_string(),
        format!(
            "\u{00A9} {year} {}. All rights reserved.",
            s.title.split(" |").next().unwrap()
        ),
    ]);
    let text = blocks
        .iter()
        .map(|b| b.join("\n"))
        .collect::<Vec<_>>()
        .join("\n\n")
        + "\n";
    let expected = body
        .iter()
        .map(|p| p.strip_suffix(s.glued).unwrap_or(p).to_string())
        .collect::<Vec<_>>()
        .join("\n\n")
        + "\n";
    GenDoc {
        site,
        index,
        text,
        expected,
        chrome_lines,
    }
}

/// Writes documents `range` of every site as `DIR/SITE/NNNNNN.txt`.
pub fn write_tree(dir: &Path, seed: u64, range: std::ops::Range<usize>, rare: bool) {
    for (site, s) in SITES.iter().enumerate() {
        let sub = dir.join(s.name);
        std::fs::create_dir_all(&sub).unwrap();
        for i in range.clone() {
            let d = document(seed, site, i, rare);
            std::fs::write(sub.join(format!("{i:06}.txt")), d.text).unwrap();
        }
    }
}
