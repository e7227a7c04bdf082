//! Which files a run processes: the paths named on the command line, the files found below named
//! directories (walked in name order, chosen by `--glob`), and the configuration file's
//! `include`/`exclude` globs.

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

/// Expands the command-line paths into inputs, in order: `-` is stdin, a directory gives the chosen
/// files below it in name order, a file is taken when the configuration does not exclude it.
/// Paths that cannot be read or walked come back as errors, after the inputs that could be found.
pub fn expand(paths: &[PathBuf], select: &Selector) -> (Vec<Input>, Vec<Error>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        match std::fs::metadata(p) {
            Err(e) => errors.push(Error::io(p, e)),
            Ok(m) if m.is_dir() => {
                for entry in walkdir::WalkDir::new(p).sort_by_file_name() {
                    match entry {
                        Ok(e) if e.file_type().is_file() => {
                            let rel = e.path().strip_prefix(p).unwrap_or(e.path());
                            if select.walked(rel, e.path()) {
                                inputs.push(Input::File(e.into_path()));
                            }
                        }
                        Ok(_) => {}
                        Err(e) => {
                            let path = e.path().unwrap_or(p).to_path_buf();
                            errors.push(Error::io(path, e.into()));
                        }
                    }
                }
            }
            Ok(_) => {
                if select.named(p) {
                    inputs.push(Input::File(p.clone()));
                }
            }
        }
    }
    (inputs, errors)
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
