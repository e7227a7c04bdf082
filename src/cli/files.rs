//! Which files a run processes: the paths named on the command line, the files found below named
//! directories (walked in name order, chosen by `--glob`), and the configuration file's
//! `include`/`exclude` globs. Symbolic links below a directory are not followed (no loops, nothing
//! outside the tree is read); one the selection would take is reported as skipped.

use std::path::{Path, PathBuf};

use dechrome::config::{FileFilter, glob};
use dechrome::{Config, Error};
use globset::GlobMatcher;

/// The glob that chooses files below directories when neither `--glob` nor a configuration
/// `include` says otherwise.
pub const DEFAULT_GLOB: &str = "*.txt";

/// Chooses files: `--glob` (or its default) for files found below directories, and the
/// configuration's `include`/`exclude` for every file.
#[derive(Debug, Clone)]
pub struct Selector {
    glob: Option<GlobMatcher>,
    filter: Option<FileFilter>,
}

impl Selector {
    /// The selector for an optional `--glob` and configuration file. Without `--glob`, a
    /// configuration with `include` globs chooses the files below directories by itself.
    pub fn new(glob_flag: Option<&str>, config: Option<&Config>) -> Result<Selector, Error> {
        let filter = config.map(|c| c.filter().clone());
        let pattern = match glob_flag {
            Some(g) => Some(g),
            None if filter.as_ref().is_some_and(FileFilter::has_include) => None,
            None => Some(DEFAULT_GLOB),
        };
        let glob = pattern
            .map(|p| glob(p).map(|g| g.compile_matcher()))
            .transpose()
            .map_err(|e| Error::Usage(format!("--glob: {e}")))?;
        Ok(Selector { glob, filter })
    }

    /// Whether a file found below a directory is processed; `rel` is its path below that directory.
    pub fn walked(&self, rel: &Path, path: &Path) -> bool {
        self.glob.as_ref().is_none_or(|g| g.is_match(rel)) && self.named(path)
    }

    /// Whether a file named on the command line is processed (only the configuration can leave it out).
    pub fn named(&self, path: &Path) -> bool {
        self.filter.as_ref().is_none_or(|f| f.allows(path))
    }
}

/// One input of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Standard input (`-`).
    Stdin,
    /// A file.
    File(PathBuf),
}

/// What walking a directory finds, in name order.
#[derive(Debug)]
pub enum Walked {
    /// A file the selector chose: its path, and its path below the directory.
    File {
        /// The file's path.
        path: PathBuf,
        /// Its path below the walked directory.
        rel: PathBuf,
    },
    /// A symbolic link the selector would choose: reported ([`link_skipped`]), not followed.
    Link(PathBuf),
    /// An entry that could not be read.
    Failed(Error),
}

/// The warning for a symbolic link found below a directory, as `clean` and `check` print it.
pub fn link_skipped(path: &Path) -> String {
    format!(
        "dechrome: warning: {}: symbolic link skipped\n",
        path.display()
    )
}

/// Walks `dir` in name order, without following symbolic links: the chosen files, the links the
/// selector would choose, and the entries that could not be read.
pub fn walk<'a>(dir: &'a Path, select: &'a Selector) -> impl Iterator<Item = Walked> + 'a {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(move |entry| match entry {
            Ok(e) if e.file_type().is_file() || e.path_is_symlink() => {
                let rel = e.path().strip_prefix(dir).unwrap_or(e.path()).to_path_buf();
                if !select.walked(&rel, e.path()) {
                    None
                } else if e.path_is_symlink() {
                    Some(Walked::Link(e.into_path()))
                } else {
                    Some(Walked::File {
                        path: e.into_path(),
                        rel,
                    })
                }
            }
            Ok(_) => None,
            Err(e) => {
                let path = e.path().unwrap_or(dir).to_path_buf();
                let source = e
                    .into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("file system loop"));
                Some(Walked::Failed(Error::io(path, source)))
            }
        })
}

/// The inputs of a run, as [`expand`] finds them.
#[derive(Debug, Default)]
pub struct Expanded {
    /// The inputs, in order.
    pub inputs: Vec<Input>,
    /// Paths that cannot be read or walked.
    pub errors: Vec<Error>,
    /// Warnings for stderr, in walk order (symbolic links skipped).
    pub warnings: String,
}

/// Expands the command-line paths into inputs, in order: `-` is stdin, a directory gives the chosen
/// files below it in name order (its symbolic links are reported, not followed), a file is taken
/// when the configuration does not exclude it.
pub fn expand(paths: &[PathBuf], select: &Selector) -> Expanded {
    let mut out = Expanded::default();
    for p in paths {
        if p.as_os_str() == "-" {
            out.inputs.push(Input::Stdin);
            continue;
        }
        match std::fs::metadata(p) {
            Err(e) => out.errors.push(Error::io(p, e)),
            Ok(m) if m.is_dir() => {
                for w in walk(p, select) {
                    match w {
                        Walked::File { path, .. } => out.inputs.push(Input::File(path)),
                        Walked::Link(path) => out.warnings.push_str(&link_skipped(&path)),
                        Walked::Failed(e) => out.errors.push(e),
                    }
                }
            }
            Ok(_) => {
                if select.named(p) {
                    out.inputs.push(Input::File(p.clone()));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_chooses_below_directories_and_configuration_everywhere() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::parse(
            &dir.path().join("dechrome.toml"),
            "include = [\"*.md\", \"*.txt\"]\nexclude = [\"drafts/**\"]\n",
        )
        .unwrap();
        let p = |rel: &str| dir.path().join(rel);

        let default = Selector::new(None, None).unwrap();
        assert!(default.walked(Path::new("x/a.txt"), &p("x/a.txt")));
        assert!(!default.walked(Path::new("a.md"), &p("a.md")));
        assert!(default.named(&p("a.md")), "a named file is always taken");

        let configured = Selector::new(None, Some(&config)).unwrap();
        assert!(
            configured.walked(Path::new("a.md"), &p("a.md")),
            "include replaces *.txt"
        );
        assert!(!configured.walked(Path::new("drafts/a.txt"), &p("drafts/a.txt")));
        assert!(!configured.named(&p("drafts/a.txt")));
        assert!(!configured.named(&p("a.toml")));

        let flagged = Selector::new(Some("*.md"), Some(&config)).unwrap();
        assert!(
            !flagged.walked(Path::new("a.txt"), &p("a.txt")),
            "--glob wins below directories"
        );
        assert!(flagged.walked(Path::new("a.md"), &p("a.md")));

        assert!(Selector::new(Some("a["), None).is_err());
    }
}
