//! Run statistics of `clean`: counts by kind, bytes, removals per family, time; printed as a summary
//! on stderr and written as JSON with `--stats`. Also the progress bar shown on a terminal.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use dechrome::{Error, Outcome, Verdict};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Counts of one run (or one part of it, merged later).
#[derive(Debug, Default, Clone)]
pub struct Counts {
    /// Documents read (records or files), failed ones included.
    pub read: u64,
    /// Documents with chrome removed.
    pub cleaned: u64,
    /// Documents with nothing to remove.
    pub unchanged: u64,
    /// Documents the removal guard refused (left unchanged).
    pub refused: u64,
    /// Documents that could not be cleaned (malformed records, unreadable files).
    pub failed: u64,
    /// Failed records dropped from the output (`--on-error skip`).
    pub dropped: u64,
    /// Failed records written as they were (`--on-error keep`).
    pub kept: u64,
    /// Inputs skipped because their output exists (`--skip-existing`).
    pub existing: u64,
    /// Binary inputs skipped (the run's exit status is then 2).
    pub binary: u64,
    /// Inputs that could not be opened, read or decompressed, or that stopped early (a record above
    /// the size limit); the run's exit status is then 2. Files cleaned one document each count
    /// these as `failed` documents instead.
    pub unreadable: u64,
    /// Blank lines of JSONL input, skipped.
    pub blank: u64,
    /// Bytes read (decompressed).
    pub bytes_in: u64,
    /// Bytes written (before compression).
    pub bytes_out: u64,
    /// Removals applied, per rule family.
    pub families: BTreeMap<String, u64>,
}

impl Counts {
    /// Counts one cleaned document: one removal per removed span, as `check` counts findings
    /// (see [`dechrome::report::findings`]).
    pub fn add_outcome(&mut self, outcome: &Outcome<'_>) {
        self.add(
            outcome.verdict,
            dechrome::report::findings(&outcome.removals)
                .iter()
                .map(|f| f.removal.rule.family.as_str()),
        );
    }

    /// Counts one document by verdict, with the families of its removals.
    pub fn add<'a>(&mut self, verdict: Verdict, families: impl Iterator<Item = &'a str>) {
        self.read += 1;
        match verdict {
            Verdict::Unchanged => self.unchanged += 1,
            Verdict::Refused => self.refused += 1,
            Verdict::Cleaned => {
                self.cleaned += 1;
                for f in families {
                    match self.families.get_mut(f) {
                        Some(n) => *n += 1,
                        None => {
                            self.families.insert(f.to_string(), 1);
                        }
                    }
                }
            }
        }
    }

    /// Adds another part's counts.
    pub fn merge(&mut self, o: &Counts) {
        self.read += o.read;
        self.cleaned += o.cleaned;
        self.unchanged += o.unchanged;
        self.refused += o.refused;
        self.failed += o.failed;
        self.dropped += o.dropped;
        self.kept += o.kept;
        self.existing += o.existing;
        self.binary += o.binary;
        self.unreadable += o.unreadable;
        self.blank += o.blank;
        self.bytes_in += o.bytes_in;
        self.bytes_out += o.bytes_out;
        for (f, n) in &o.families {
            *self.families.entry(f.clone()).or_default() += n;
        }
    }

    /// The summary printed on stderr at the end of a run; `unit` is `files` or `records`.
    pub fn summary(&self, unit: &str, elapsed: Duration) -> String {
        let mut s = format!(
            "dechrome: {} {unit}: {} cleaned, {} unchanged, {} refused, {} failed",
            self.read, self.cleaned, self.unchanged, self.refused, self.failed
        );
        if self.dropped > 0 || self.kept > 0 {
            s.push_str(&format!(
                " ({} skipped, {} kept as they were)",
                self.dropped, self.kept
            ));
        }
        if self.existing > 0 {
            s.push_str(&format!("; {} skipped, output exists", self.existing));
        }
        if self.binary > 0 {
            s.push_str(&format!("; {} binary skipped", self.binary));
        }
        if self.unreadable > 0 {
            s.push_str(&format!("; {} unreadable", self.unreadable));
        }
        if self.blank > 0 {
            s.push_str(&format!("; {} blank lines skipped", self.blank));
        }
        let secs = elapsed.as_secs_f64();
        s.push_str(&format!(
            "\ndechrome: {} in, {} out, {:.2} s, {:.1} MB/s\n",
            human_bytes(self.bytes_in),
            human_bytes(self.bytes_out),
            secs,
            mb_per_s(self.bytes_in, secs)
        ));
        if !self.families.is_empty() {
            let list: Vec<String> = self
                .families
                .iter()
                .map(|(f, n)| format!("{f} {n}"))
                .collect();
            s.push_str(&format!("dechrome: removals: {}\n", list.join(", ")));
        }
        s
    }

    /// The statistics as JSON (`--stats`).
    pub fn to_json(&self, elapsed: Duration) -> serde_json::Value {
        let secs = elapsed.as_secs_f64();
        serde_json::json!({
            "documents": {
                "read": self.read,
                "cleaned": self.cleaned,
                "unchanged": self.unchanged,
                "refused": self.refused,
                "failed": self.failed,
                "skipped_on_error": self.dropped,
                "kept_on_error": self.kept,
                "skipped_existing": self.existing,
                "skipped_binary": self.binary,
                "unreadable_inputs": self.unreadable,
                "blank_lines": self.blank,
            },
            "bytes_in": self.bytes_in,
            "bytes_out": self.bytes_out,
            "removals": self.families,
            "elapsed_seconds": secs,
            "mb_per_second": mb_per_s(self.bytes_in, secs),
        })
    }

    /// Writes the JSON statistics to `path`.
    pub fn write_json(
        &self,
        guard: &dechrome::output::OutputGuard,
        path: &Path,
        elapsed: Duration,
    ) -> Result<(), Error> {
        let mut text =
            serde_json::to_string_pretty(&self.to_json(elapsed)).expect("plain JSON values");
        text.push('\n');
        dechrome::output::write_atomic(guard, path, text.as_bytes())
    }
}

fn mb_per_s(bytes: u64, secs: f64) -> f64 {
    if secs > 0.0 {
        bytes as f64 / 1e6 / secs
    } else {
        0.0
    }
}

/// Bytes in B, kB, MB or GB (powers of 1000).
pub fn human_bytes(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} B"),
        1_000..1_000_000 => format!("{:.1} kB", n as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        _ => format!("{:.2} GB", n as f64 / 1e9),
    }
}

/// The progress bar: drawn on stderr only when it is a terminal.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A progress bar over `total` input bytes (a spinner when the total is unknown), hidden when
    /// stderr is not a terminal or `quiet` is set.
    pub fn new(total: Option<u64>, quiet: bool) -> Progress {
        let bar = if !Progress::shown(quiet) {
            ProgressBar::hidden()
        } else {
            match total {
                Some(t) => ProgressBar::with_draw_target(Some(t), ProgressDrawTarget::stderr()).with_style(
                    ProgressStyle::with_template(
                        "{elapsed_precise} [{wide_bar}] {decimal_bytes}/{decimal_total_bytes} {decimal_bytes_per_sec} ETA {eta} {msg}",
                    )
                    .expect("valid template")
                    .progress_chars("=> "),
                ),
                None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
                    ProgressStyle::with_template("{spinner} {elapsed_precise} {decimal_bytes} {decimal_bytes_per_sec} {msg}")
                        .expect("valid template"),
                ),
            }
        };
        Progress { bar }
    }

    /// Whether a bar made with `quiet` is drawn (stderr is a terminal and `quiet` is not set).
    pub fn shown(quiet: bool) -> bool {
        !quiet && std::io::stderr().is_terminal()
    }

    /// Updates the position (input bytes) and the document count.
    pub fn update(&self, bytes: u64, docs: u64) {
        if !self.bar.is_hidden() {
            self.bar.set_position(bytes);
            self.bar.set_message(format!("{docs} docs"));
        }
    }

    /// Prints to stderr without tearing the bar.
    pub fn eprint(&self, text: &str) {
        if text.is_empty() {
            return;
        }
        if self.bar.is_hidden() {
            eprint!("{text}");
        } else {
            self.bar.suspend(|| eprint!("{text}"));
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_lines() {
        let mut c = Counts::default();
        c.add(Verdict::Cleaned, ["ad", "share", "ad"].into_iter());
        c.add(Verdict::Unchanged, std::iter::empty());
        c.failed = 1;
        c.read += 1;
        c.dropped = 1;
        c.bytes_in = 2_500_000;
        c.bytes_out = 2_400;
        assert_eq!(
            c.summary("records", Duration::from_millis(500)),
            "dechrome: 3 records: 1 cleaned, 1 unchanged, 0 refused, 1 failed (1 skipped, 0 kept as they were)\n\
             dechrome: 2.5 MB in, 2.4 kB out, 0.50 s, 5.0 MB/s\n\
             dechrome: removals: ad 2, share 1\n"
        );
    }
}
