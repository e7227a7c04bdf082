//! The configuration file, `dechrome.toml`: settings a corpus keeps beside its text, so that every
//! run (by hand, in CI, from a pre-commit hook) cleans the same way.
//!
//! [`Config::discover`] looks for [`CONFIG_FILE`] in a directory and each of its ancestors;
//! [`Config::load`] reads a named file. Keys mirror the long command-line options:
//!
//! ```toml
//! patterns = ["house-rules.toml"]     # extra pattern files or directories, relative to this file
//! no-default-patterns = false         # leave out the built-in set
//! disable = ["share", "generic.ad"]   # rule ids, packs (id prefixes) or families
//! include = ["articles/**/*.txt"]     # which files below this directory to process
//! exclude = ["articles/drafts/**"]    # and which to leave alone
//! max-removal = 0.5                   # refuse a document when more than this share would go
//! publisher = "latimes"               # the publisher of every document: only its packs apply
//! model = "builtin"                   # run the line model after the rules: the built-in one, a
//!                                     # model file (relative to this file), or false for none
//! ```
//!
//! Unknown keys and wrong types are errors ([`Error::Config`]) naming the file, line and column.
//! A [`FileFilter`] applies `include` and `exclude` to paths.

use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::error::Error;
use crate::patterns::file::line_col;

/// The name of the configuration file looked for by [`Config::discover`].
pub const CONFIG_FILE: &str = "dechrome.toml";

/// The files [`Config::discover`] looks for in each directory, first found wins (as ruff orders
/// `.ruff.toml`, `ruff.toml`, `pyproject.toml`); a `pyproject.toml` counts only with a
/// `[tool.dechrome]` table.
pub const CONFIG_FILES: [&str; 3] = [".dechrome.toml", CONFIG_FILE, "pyproject.toml"];

/// A `pyproject.toml`: only its `[tool.dechrome]` table is read, every other key is ignored.
#[derive(Deserialize)]
struct PyProject {
    tool: Option<PyProjectTools>,
}

#[derive(Deserialize)]
struct PyProjectTools {
    dechrome: Option<RawConfig>,
}

/// Is this the name of a `pyproject.toml`, whose settings live in `[tool.dechrome]`?
fn is_pyproject(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "pyproject.toml")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    patterns: Vec<Spanned<String>>,
    no_default_patterns: Option<bool>,
    #[serde(default)]
    disable: Vec<String>,
    #[serde(default)]
    include: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    max_removal: Option<Spanned<f64>>,
    publisher: Option<String>,
    model: Option<ModelKey>,
}

/// The `model` key: `false` (none), `true` or `"builtin"` (the built-in model), or a file.
#[derive(Deserialize)]
#[serde(untagged)]
enum ModelKey {
    On(bool),
    File(String),
}

/// Which line model a configuration asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelChoice {
    /// None: the rules alone.
    Off,
    /// The model embedded in the binary.
    Builtin,
    /// A model file.
    File(PathBuf),
}

/// A parsed configuration file. Relative paths in it are already resolved against its directory.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    /// The directory holding it: the base of relative paths and of `include`/`exclude` globs.
    pub dir: PathBuf,
    /// Extra pattern files or directories.
    pub patterns: Vec<PathBuf>,
    /// Leave out the built-in pattern set.
    pub no_default_patterns: bool,
    /// Rule ids, packs or families to leave out.
    pub disable: Vec<String>,
    /// Only files matching one of these globs are processed (all files when empty).
    pub include: Vec<String>,
    /// Files matching one of these globs are never processed.
    pub exclude: Vec<String>,
    /// The removal guard, when set.
    pub max_removal: Option<f64>,
    /// The publisher of every document (a pack name, a publisher name, a host or a URL), when set.
    pub publisher: Option<String>,
    /// The line model, when the file sets `model`.
    pub model: Option<ModelChoice>,
    filter: FileFilter,
}

impl Config {
    /// Parses the text of a configuration file; `path` names it in errors and anchors its
    /// relative paths.
    pub fn parse(path: &Path, src: &str) -> Result<Config, Error> {
        Config::parse_any(path, src)?.ok_or_else(|| Error::Config {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
            message: "no [tool.dechrome] table".into(),
        })
    }

    /// Parses a configuration file, or a `pyproject.toml` (its `[tool.dechrome]` table, `None`
    /// when it has none). Errors name lines and columns of the whole file.
    fn parse_any(path: &Path, src: &str) -> Result<Option<Config>, Error> {
        let err = |span: Range<usize>, message: String| {
            let (line, column) = line_col(src, span.start);
            Error::Config {
                path: path.to_path_buf(),
                line,
                column,
                message,
            }
        };
        let toml_err =
            |e: toml::de::Error| err(e.span().unwrap_or(0..0), e.message().trim().to_string());
        let raw: RawConfig = if is_pyproject(path) {
            let py: PyProject = toml::from_str(src).map_err(toml_err)?;
            match py.tool.and_then(|t| t.dechrome) {
                Some(raw) => raw,
                None => return Ok(None),
            }
        } else {
            toml::from_str(src).map_err(toml_err)?
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if let Some(m) = &raw.max_removal
            && !(0.0..=1.0).contains(m.get_ref())
        {
            return Err(err(
                m.span(),
                format!("`max-removal` must be between 0 and 1, got {}", m.get_ref()),
            ));
        }
        let globs =
            |list: &[Spanned<String>], key: &str| -> Result<Option<GlobSet>, Error> {
                if list.is_empty() {
                    return Ok(None);
                }
                let mut set = GlobSetBuilder::new();
                for g in list {
                    set.add(glob(g.get_ref()).map_err(|e| {
                        err(g.span(), format!("invalid `{key}` glob: {}", e.kind()))
                    })?);
                }
                set.build()
                    .map(Some)
                    .map_err(|e| err(list[0].span(), format!("invalid `{key}` glob: {e}")))
            };
        let filter = FileFilter {
            base: absolute(&dir),
            include: globs(&raw.include, "include")?,
            exclude: globs(&raw.exclude, "exclude")?,
        };
        let strings = |list: &[Spanned<String>]| list.iter().map(|s| s.get_ref().clone()).collect();
        let model = raw.model.map(|m| match m {
            ModelKey::On(false) => ModelChoice::Off,
            ModelKey::On(true) => ModelChoice::Builtin,
            ModelKey::File(f) if f == "builtin" => ModelChoice::Builtin,
            ModelKey::File(f) => ModelChoice::File(dir.join(f)),
        });
        Ok(Some(Config {
            path: path.to_path_buf(),
            patterns: raw.patterns.iter().map(|p| dir.join(p.get_ref())).collect(),
            dir,
            no_default_patterns: raw.no_default_patterns.unwrap_or(false),
            disable: raw.disable,
            include: strings(&raw.include),
            exclude: strings(&raw.exclude),
            max_removal: raw.max_removal.map(|m| *m.get_ref()),
            publisher: raw.publisher,
            model,
            filter,
        }))
    }

    /// Reads and parses a configuration file.
    pub fn load(path: &Path) -> Result<Config, Error> {
        Config::parse(path, &read_utf8(path)?)
    }

    /// Finds one of [`CONFIG_FILES`] in `start` or the nearest ancestor holding one, and loads
    /// it: the nearest directory wins, and within it the first name of the list. `Ok(None)` when
    /// there is none.
    pub fn discover(start: &Path) -> Result<Option<Config>, Error> {
        let start = absolute(start);
        for dir in start.ancestors() {
            for name in CONFIG_FILES {
                let candidate = dir.join(name);
                if !candidate.is_file() {
                    continue;
                }
                if is_pyproject(&candidate) {
                    let src = read_utf8(&candidate)?;
                    if let Some(c) = Config::parse_any(&candidate, &src)? {
                        return Ok(Some(c));
                    }
                } else {
                    return Config::load(&candidate).map(Some);
                }
            }
        }
        Ok(None)
    }

    /// The `include`/`exclude` filter of this file.
    pub fn filter(&self) -> &FileFilter {
        &self.filter
    }
}

/// Reads a configuration file as text.
fn read_utf8(path: &Path) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    String::from_utf8(bytes).map_err(|_| Error::Input {
        path: path.to_path_buf(),
        message: "configuration file is not valid UTF-8".into(),
    })
}

/// Compiles one glob the way dechrome matches them everywhere: `*` may cross `/`, so `*.txt`
/// matches at any depth; `**` and `{a,b}` work as usual.
pub fn glob(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern).literal_separator(false).build()
}

/// Decides which files a configuration file's `include` and `exclude` globs let through. The globs
/// match paths relative to the configuration file's directory; files outside it are not governed
/// by it and always pass.
#[derive(Debug, Clone, Default)]
pub struct FileFilter {
    base: PathBuf,
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
}

impl FileFilter {
    /// Whether the file at `path` (absolute, or relative to the current directory) is processed.
    pub fn allows(&self, path: &Path) -> bool {
        let abs = absolute(path);
        let Ok(rel) = abs.strip_prefix(&self.base) else {
            return true;
        };
        self.include.as_ref().is_none_or(|g| g.is_match(rel))
            && !self.exclude.as_ref().is_some_and(|g| g.is_match(rel))
    }

    /// Whether the filter has `include` globs (which then choose the files found below
    /// directories, in place of the default glob).
    pub fn has_include(&self) -> bool {
        self.include.is_some()
    }
}

/// The absolute form of `path`, with `.` and `..` resolved lexically (symbolic links are not
/// followed, so that paths match the way they were written).
fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<Config, Error> {
        Config::parse(Path::new("/corpus/dechrome.toml"), src)
    }

    fn message(src: &str) -> String {
        parse(src).unwrap_err().to_string()
    }

    #[test]
    fn reads_every_key() {
        let c = parse(
            "patterns = [\"extra.toml\", \"/abs/dir\"]\nno-default-patterns = true\n\
             disable = [\"share\"]\ninclude = [\"a/**\"]\nexclude = [\"a/drafts/**\"]\nmax-removal = 0.25\n\
             publisher = \"latimes\"\n",
        )
        .unwrap();
        assert_eq!(c.dir, Path::new("/corpus"));
        assert_eq!(
            c.patterns,
            [
                PathBuf::from("/corpus/extra.toml"),
                PathBuf::from("/abs/dir")
            ]
        );
        assert!(c.no_default_patterns);
        assert_eq!(c.disable, ["share"]);
        assert_eq!(c.include, ["a/**"]);
        assert_eq!(c.exclude, ["a/drafts/**"]);
        assert_eq!(c.max_removal, Some(0.25));
        assert_eq!(c.publisher.as_deref(), Some("latimes"));
    }

    #[test]
    fn empty_file_is_all_defaults() {
        let c = parse("").unwrap();
        assert!(c.patterns.is_empty() && !c.no_default_patterns && c.max_removal.is_none());
        assert!(c.publisher.is_none());
        assert!(!c.filter().has_include());
    }

    #[test]
    fn unknown_key_names_line_and_column() {
        assert_eq!(
            message("disable = []\n\n  colour = \"red\"\n"),
            "/corpus/dechrome.toml:3:3: unknown field `colour`, expected one of `patterns`, \
             `no-default-patterns`, `disable`, `include`, `exclude`, `max-removal`, `publisher`, `model`"
        );
    }

    #[test]
    fn the_model_key_names_the_builtin_model_a_file_or_none() {
        assert_eq!(parse("").unwrap().model, None);
        assert_eq!(
            parse("model = false").unwrap().model,
            Some(ModelChoice::Off)
        );
        assert_eq!(
            parse("model = true").unwrap().model,
            Some(ModelChoice::Builtin)
        );
        assert_eq!(
            parse("model = \"builtin\"").unwrap().model,
            Some(ModelChoice::Builtin)
        );
        assert_eq!(
            parse("model = \"m/tree.toml\"").unwrap().model,
            Some(ModelChoice::File(PathBuf::from("/corpus/m/tree.toml")))
        );
    }

    #[test]
    fn wrong_type_and_bad_values_are_placed() {
        assert_eq!(
            message("max-removal = \"half\"\n"),
            "/corpus/dechrome.toml:1:15: invalid type: string \"half\", expected f64"
        );
        assert_eq!(
            message("\nmax-removal = 1.5\n"),
            "/corpus/dechrome.toml:2:15: `max-removal` must be between 0 and 1, got 1.5"
        );
        assert_eq!(
            message("exclude = [\"ok/**\", \"a[\"]\n"),
            "/corpus/dechrome.toml:1:21: invalid `exclude` glob: unclosed character class; missing ']'"
        );
        assert!(message("include = [").starts_with("/corpus/dechrome.toml:1:"));
    }

    #[test]
    fn filter_matches_below_the_config_directory() {
        let c = parse("include = [\"*.txt\"]\nexclude = [\"drafts/**\"]\n").unwrap();
        let f = c.filter();
        assert!(f.allows(Path::new("/corpus/a.txt")));
        assert!(f.allows(Path::new("/corpus/deep/er/b.txt")));
        assert!(f.allows(Path::new("/corpus/x/../c.txt")));
        assert!(!f.allows(Path::new("/corpus/a.md")));
        assert!(!f.allows(Path::new("/corpus/drafts/a.txt")));
        assert!(!f.allows(Path::new("/corpus/./drafts/a.txt")));
        assert!(
            f.allows(Path::new("/elsewhere/a.md")),
            "outside the directory: not governed"
        );
    }

    #[test]
    fn discovery_walks_up() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(dir.path().join(CONFIG_FILE), "disable = [\"ad\"]\n").unwrap();
        let c = Config::discover(&deep).unwrap().unwrap();
        assert_eq!(c.path, dir.path().join(CONFIG_FILE));
        assert_eq!(c.disable, ["ad"]);
        std::fs::write(dir.path().join("a").join(CONFIG_FILE), "").unwrap();
        let nearer = Config::discover(&deep).unwrap().unwrap();
        assert_eq!(nearer.path, dir.path().join("a").join(CONFIG_FILE));
    }
}
