//! Which files a run processes: the paths named on the command line, the files found below named
//! directories (walked in name order, chosen by `--glob`), and the configuration file's
//! `include`/`exclude` globs. Symbolic links below a directory are not followed (no loops, nothing
//! outside the tree is read); one the selection would take is reported as skipped.
//!
//! Walks skip what ripgrep skips: hidden files and directories (`--hidden` keeps them) and what
//! `.ignore` files and, inside a git repository, `.gitignore` files and `.git/info/exclude` leave out
//! (`--no-ignore` reads none of them). A file named on the command line is always taken.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::Args;
use dechrome::config::{FileFilter, glob};
use dechrome::{Config, Error};
use globset::{GlobSet, GlobSetBuilder};
use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// Options that choose the files found below directories, shared by `clean` and `check`.
#[derive(Args, Debug, Clone, Default)]
pub struct WalkOpts {
    /// Which files of a directory to process, matched against the path below the directory
    /// (repeatable; `!GLOB` leaves files out). Default `*.txt`, or every file the configuration's
    /// `include` lets through.
    #[arg(short = 'g', long = "glob", value_name = "GLOB")]
    pub glob: Vec<String>,
    /// Walk hidden files and directories too (names starting with `.`).
    #[arg(long)]
    pub hidden: bool,
    /// Read no `.gitignore`, `.ignore` or `.git/info/exclude` file while walking.
    #[arg(long)]
    pub no_ignore: bool,
}

/// The glob that chooses files below directories when neither `--glob` nor a configuration
/// `include` says otherwise.
pub const DEFAULT_GLOB: &str = "*.txt";

/// Chooses files: `--glob` (or its default) for files found below directories, and the
/// configuration's `include`/`exclude` for every file.
#[derive(Debug, Clone, Default)]
pub struct Selector {
    /// Files below directories must match one of these (none: every file).
    glob: Option<GlobSet>,
    /// ... and none of these (`!GLOB`).
    not: Option<GlobSet>,
    filter: Option<FileFilter>,
    /// The `--glob` flags as given (a walk that finds nothing for them is worth a warning).
    globs: Vec<String>,
    /// Files found below directories that the globs chose (before the configuration's
    /// `exclude`): none means the globs matched nothing.
    hits: Arc<AtomicUsize>,
    hidden: bool,
    no_ignore: bool,
}

impl Selector {
    /// The selector for the `--glob` flags (`!GLOB` leaves out) and the configuration file.
    /// Without a positive `--glob`, a configuration with `include` globs chooses the files below
    /// directories by itself; otherwise the default is `*.txt`.
    pub fn new(globs: &[String], config: Option<&Config>) -> Result<Selector, Error> {
        let filter = config.map(|c| c.filter().clone());
        let (neg, pos): (Vec<&str>, Vec<&str>) = globs
            .iter()
            .map(String::as_str)
            .partition(|g| g.starts_with('!'));
        let neg: Vec<&str> = neg.iter().map(|g| &g[1..]).collect();
        let pos = if !pos.is_empty() {
            pos
        } else if filter.as_ref().is_some_and(FileFilter::has_include) {
            Vec::new()
        } else {
            vec![DEFAULT_GLOB]
        };
        let set = |patterns: &[&str]| -> Result<Option<GlobSet>, Error> {
            if patterns.is_empty() {
                return Ok(None);
            }
            let mut b = GlobSetBuilder::new();
            for p in patterns {
                b.add(glob(p).map_err(|e| Error::Usage(format!("--glob: {e}")))?);
            }
            b.build()
                .map(Some)
                .map_err(|e| Error::Usage(format!("--glob: {e}")))
        };
        Ok(Selector {
            glob: set(&pos)?,
            not: set(&neg)?,
            filter,
            globs: globs.to_vec(),
            hits: Arc::default(),
            hidden: false,
            no_ignore: false,
        })
    }

    /// The selector for `clean` and `check`: [`Selector::new`] with the walk options.
    pub fn from_opts(opts: &WalkOpts, config: Option<&Config>) -> Result<Selector, Error> {
        let mut s = Selector::new(&opts.glob, config)?;
        s.hidden = opts.hidden;
        s.no_ignore = opts.no_ignore;
        Ok(s)
    }

    /// Whether a file found below a directory is processed; `rel` is its path below that directory.
    pub fn walked(&self, rel: &Path, path: &Path) -> bool {
        let globbed = self.glob.as_ref().is_none_or(|g| g.is_match(rel))
            && !self.not.as_ref().is_some_and(|g| g.is_match(rel));
        if globbed {
            self.hits.fetch_add(1, Ordering::Relaxed);
        }
        globbed && self.named(path)
    }

    /// The warning for `--glob` flags under which the directories walked gave no file (the run
    /// then exits 1, as a search that finds nothing does), or `None`.
    pub fn nothing_matched(&self, walked: &Walks) -> Option<String> {
        let hits = self.hits.load(Ordering::Relaxed);
        (!self.globs.is_empty() && walked.dirs > 0 && hits == 0).then(|| {
            format!(
                "dechrome: warning: no file matched --glob {}\n",
                self.globs.join(" --glob ")
            )
        })
    }

    /// Whether a file named on the command line is processed (only the configuration can leave it out).
    pub fn named(&self, path: &Path) -> bool {
        self.filter.as_ref().is_none_or(|f| f.allows(path))
    }
}

/// How many directories were walked and how many files the walks chose.
#[derive(Debug, Default, Clone, Copy)]
pub struct Walks {
    /// Directories walked.
    pub dirs: usize,
    /// Files chosen below them.
    pub files: usize,
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

/// The ignore files of one directory, most binding first (`.ignore` before `.gitignore`, as in
/// ripgrep), or none.
type DirIgnores = Arc<Vec<Gitignore>>;

/// Decides which walked paths ignore files leave out. A path's nearest directory with a rule that
/// matches it decides (a child's `!pattern` takes back a parent's pattern).
struct Ignores {
    /// Whether `.gitignore` files count: only inside a git repository, as in ripgrep.
    git: bool,
    /// The matchers of each directory seen, by absolute path.
    dirs: HashMap<PathBuf, DirIgnores>,
    /// The walk root's ancestors whose ignore files apply (up to the repository root), deepest first.
    above: Vec<PathBuf>,
}

impl Ignores {
    /// The ignore files that govern a walk of `root` (absolute).
    fn new(root: &Path) -> Ignores {
        let repo = root.ancestors().find(|a| a.join(".git").exists());
        let above = match repo {
            Some(repo) => root
                .ancestors()
                .skip(1)
                .take_while(|a| a.starts_with(repo))
                .map(Path::to_path_buf)
                .collect(),
            None => Vec::new(),
        };
        let mut ignores = Ignores {
            git: repo.is_some(),
            dirs: HashMap::new(),
            above,
        };
        if let Some(repo) = repo {
            // `.git/info/exclude` acts as a `.gitignore` at the repository root, below its own.
            let mut b = GitignoreBuilder::new(repo);
            b.add(repo.join(".git/info/exclude"));
            let mut list = ignores.load(repo).as_ref().clone();
            if let Ok(g) = b.build() {
                list.push(g);
            }
            ignores.dirs.insert(repo.to_path_buf(), Arc::new(list));
        }
        ignores
    }

    /// The matchers of `dir`'s own ignore files.
    fn load(&mut self, dir: &Path) -> DirIgnores {
        if let Some(d) = self.dirs.get(dir) {
            return d.clone();
        }
        let mut list = Vec::new();
        let names: &[&str] = if self.git {
            &[".ignore", ".gitignore"]
        } else {
            &[".ignore"]
        };
        for name in names {
            let file = dir.join(name);
            if file.is_file() {
                let mut b = GitignoreBuilder::new(dir);
                b.add(&file);
                if let Ok(g) = b.build() {
                    list.push(g);
                }
            }
        }
        let list = Arc::new(list);
        self.dirs.insert(dir.to_path_buf(), list.clone());
        list
    }

    /// Whether `path` (absolute, below `root`) is left out.
    fn ignored(&mut self, root: &Path, path: &Path, is_dir: bool) -> bool {
        let below: Vec<PathBuf> = path
            .ancestors()
            .skip(1)
            .take_while(|a| a.starts_with(root))
            .map(Path::to_path_buf)
            .collect();
        let above = self.above.clone();
        for dir in below.iter().chain(&above) {
            for g in self.load(dir).iter() {
                match g.matched(path, is_dir) {
                    Match::Ignore(_) => return true,
                    Match::Whitelist(_) => return false,
                    Match::None => {}
                }
            }
        }
        false
    }
}

/// Is this entry hidden (its name starts with a dot)? The walk root itself never is.
fn is_hidden(e: &walkdir::DirEntry) -> bool {
    e.depth() > 0 && e.file_name().to_str().is_some_and(|n| n.starts_with('.'))
}

/// A walked path as printed: without a leading `./` (`dechrome check .` prints `a/b.txt`).
fn shown(path: PathBuf) -> PathBuf {
    match path.strip_prefix(".") {
        Ok(rest) if !rest.as_os_str().is_empty() => rest.to_path_buf(),
        _ => path,
    }
}

/// Walks `dir` in name order, without following symbolic links: the chosen files, the links the
/// selector would choose, and the entries that could not be read. Hidden entries and what ignore
/// files leave out are skipped unless the selector says otherwise.
pub fn walk<'a>(dir: &'a Path, select: &'a Selector) -> impl Iterator<Item = Walked> + 'a {
    let abs_root = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut ignores = (!select.no_ignore).then(|| Ignores::new(&abs_root));
    let hidden = select.hidden;
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(move |e| {
            if !hidden && is_hidden(e) {
                return false;
            }
            match &mut ignores {
                Some(ig) if e.depth() > 0 => {
                    let rel = e.path().strip_prefix(dir).unwrap_or(e.path());
                    !ig.ignored(&abs_root, &abs_root.join(rel), e.file_type().is_dir())
                }
                _ => true,
            }
        })
        .filter_map(move |entry| match entry {
            Ok(e) if e.file_type().is_file() || e.path_is_symlink() => {
                let rel = e.path().strip_prefix(dir).unwrap_or(e.path()).to_path_buf();
                if !select.walked(&rel, e.path()) {
                    None
                } else if e.path_is_symlink() {
                    Some(Walked::Link(shown(e.into_path())))
                } else {
                    Some(Walked::File {
                        path: shown(e.into_path()),
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
    /// What the walks found.
    pub walks: Walks,
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
                out.walks.dirs += 1;
                for w in walk(p, select) {
                    match w {
                        Walked::File { path, .. } => {
                            out.walks.files += 1;
                            out.inputs.push(Input::File(path));
                        }
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

        let default = Selector::new(&[], None).unwrap();
        assert!(default.walked(Path::new("x/a.txt"), &p("x/a.txt")));
        assert!(!default.walked(Path::new("a.md"), &p("a.md")));
        assert!(default.named(&p("a.md")), "a named file is always taken");

        let configured = Selector::new(&[], Some(&config)).unwrap();
        assert!(
            configured.walked(Path::new("a.md"), &p("a.md")),
            "include replaces *.txt"
        );
        assert!(!configured.walked(Path::new("drafts/a.txt"), &p("drafts/a.txt")));
        assert!(!configured.named(&p("drafts/a.txt")));
        assert!(!configured.named(&p("a.toml")));

        let flagged = Selector::new(&["*.md".into()], Some(&config)).unwrap();
        assert!(
            !flagged.walked(Path::new("a.txt"), &p("a.txt")),
            "--glob wins below directories"
        );
        assert!(flagged.walked(Path::new("a.md"), &p("a.md")));

        assert!(Selector::new(&["a[".into()], None).is_err());
    }
}
