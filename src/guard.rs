//! The output guard: every file dechrome writes as an output (`clean -o` trees and shards, the
//! `--jsonl` output file, `--stats`, `learn -o`, the `review -o` page) is checked here before it is
//! written, so that no write lands over, into or through an input. `check --fix` rewriting its
//! inputs in place is the one deliberate exception ([`crate::output::replace_in_place`]).
//!
//! Paths are compared after resolving them: each existing part canonicalised (links followed),
//! the parts that do not exist yet taken as the plain directories that will be created. An input
//! is known both by its real path (links followed) and by the path of its last name (a linked input
//! file is the link itself too), so that an output replacing the link is refused as well. Below an
//! output directory, no symbolic link is followed: dechrome creates no links, so a link there was
//! made by someone else and may lead anywhere.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::error::Error;

/// One input, as the guard compares it.
#[derive(Debug)]
struct Input {
    /// As the user named it, for messages.
    shown: PathBuf,
    /// Canonical: links followed.
    real: PathBuf,
    /// Its directory canonical, its last name as given (the link itself, for a linked file).
    named: PathBuf,
    /// Is it a directory (everything below it is input)?
    dir: bool,
}

/// Checks outputs against the run's inputs. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct OutputGuard {
    inputs: Arc<Vec<Input>>,
}

/// The absolute, resolved form of `path`, which need not exist: existing parts canonicalised
/// (links followed), `.` and `..` applied to the parts that do not exist yet as the directories
/// they will be.
pub fn resolve(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    let mut exists = true;
    for c in abs.components() {
        match c {
            Component::Prefix(_) | Component::RootDir => out.push(c.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(name) => {
                out.push(name);
                if exists {
                    // `out` was canonical before this name: if the name is no link, it still is,
                    // and if it is missing, so is everything below; canonicalising (a readlink per
                    // part of the path) would tell nothing more.
                    match std::fs::symlink_metadata(&out) {
                        Ok(m) if !m.file_type().is_symlink() => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => exists = false,
                        _ => match out.canonicalize() {
                            Ok(c) => out = c,
                            Err(_) => exists = std::fs::symlink_metadata(&out).is_ok(),
                        },
                    }
                }
            }
        }
    }
    out
}

/// `path` with its directory resolved and its last name kept (not followed if a link).
fn resolve_parent(path: &Path) -> PathBuf {
    match path.file_name() {
        Some(name) if !matches!(path.components().next_back(), Some(Component::ParentDir)) => {
            let parent = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            resolve(parent).join(name)
        }
        _ => resolve(path),
    }
}

impl OutputGuard {
    /// A guard for these inputs (`-`, stdin, is no path; inputs that do not exist are left out,
    /// as reading them fails anyway).
    pub fn new<P: AsRef<Path>>(inputs: impl IntoIterator<Item = P>) -> OutputGuard {
        let inputs = inputs
            .into_iter()
            .filter(|p| p.as_ref() != Path::new("-"))
            .filter_map(|p| {
                let p = p.as_ref();
                let real = p.canonicalize().ok()?;
                Some(Input {
                    shown: p.to_path_buf(),
                    dir: real.is_dir(),
                    named: resolve_parent(p),
                    real,
                })
            })
            .collect();
        OutputGuard {
            inputs: Arc::new(inputs),
        }
    }

    /// Refuses an output directory that is an input, lies inside one, or holds one.
    pub fn check_dir(&self, outdir: &Path) -> Result<(), Error> {
        self.check_dir_for(outdir, |_| true, "choose a directory that holds no input")
    }

    /// Refuses a directory of shards that is an input or lies inside one, or holds an input
    /// under a shard's name (`is_shard(name)`); other inputs in it are not in the way, as only
    /// shards are written there.
    pub fn check_shard_dir(
        &self,
        outdir: &Path,
        is_shard: impl Fn(&str) -> bool,
    ) -> Result<(), Error> {
        let out = resolve(outdir);
        let hit = |p: &Path| {
            p.parent() == Some(out.as_path())
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(&is_shard)
        };
        self.check_dir_for(
            outdir,
            |i| hit(&i.real) || hit(&i.named) || out.starts_with(&i.real),
            "a shard would overwrite it",
        )
    }

    fn check_dir_for(
        &self,
        outdir: &Path,
        in_the_way: impl Fn(&Input) -> bool,
        advice: &str,
    ) -> Result<(), Error> {
        let out = resolve(outdir);
        for i in self.inputs.iter() {
            let o = outdir.display();
            let s = i.shown.display();
            if i.dir && out.starts_with(&i.real) {
                return Err(Error::Usage(format!(
                    "output directory {o} is inside input {s}; choose a directory outside the \
                     input tree"
                )));
            }
            if out == i.real || out == i.named {
                return Err(Error::Usage(format!("output directory {o} is input {s}")));
            }
            if (i.real.starts_with(&out) || i.named.starts_with(&out)) && in_the_way(i) {
                return Err(Error::Usage(format!(
                    "output directory {o} holds input {s}; {advice}"
                )));
            }
        }
        Ok(())
    }

    /// Refuses an output file that is an input (or the link an input is named by), lies inside an
    /// input directory, or is a directory holding an input.
    pub fn check_file(&self, path: &Path) -> Result<(), Error> {
        self.check_resolved(path, &resolve(path))?;
        let named = resolve_parent(path);
        self.check_resolved(path, &named)
    }

    fn check_resolved(&self, path: &Path, out: &Path) -> Result<(), Error> {
        for i in self.inputs.iter() {
            let o = path.display();
            let s = i.shown.display();
            if out == i.real || out == i.named {
                return Err(Error::Usage(format!("output {o} is input {s}")));
            }
            if i.dir && out.starts_with(&i.real) {
                return Err(Error::Usage(format!(
                    "output {o} is inside input {s}; choose a path outside the inputs"
                )));
            }
            if i.real.starts_with(out) || i.named.starts_with(out) {
                return Err(Error::Usage(format!("output {o} holds input {s}")));
            }
        }
        Ok(())
    }

    /// Checks `root/rel`, a file to be written below the output directory `root` (which
    /// [`check_dir`](Self::check_dir) accepted): no part below `root` may be a symbolic link, nor
    /// the file itself, and the file must pass [`check_file`](Self::check_file). With `create`, the
    /// missing directories are created on the way, one at a time, each checked before the next.
    pub fn check_below(&self, root: &Path, rel: &Path, create: bool) -> Result<PathBuf, Error> {
        let target = root.join(rel);
        let through = |link: &Path| {
            Error::Usage(format!(
                "output {} goes through symbolic link {}; dechrome writes through no link it did \
                 not create",
                target.display(),
                link.display()
            ))
        };
        let mut at = root.to_path_buf();
        if create {
            std::fs::create_dir_all(root).map_err(|e| Error::io(root, e))?;
        }
        let parts: Vec<Component> = rel.components().collect();
        for (k, c) in parts.iter().enumerate() {
            let Component::Normal(name) = c else {
                return Err(Error::Usage(format!(
                    "output {}: not a plain path below {}",
                    target.display(),
                    root.display()
                )));
            };
            at.push(name);
            let last = k + 1 == parts.len();
            match std::fs::symlink_metadata(&at) {
                Ok(m) if m.file_type().is_symlink() && last => {
                    return Err(Error::Usage(format!(
                        "output {} is a symbolic link; dechrome writes through no link it did not \
                         create",
                        target.display()
                    )));
                }
                Ok(m) if m.file_type().is_symlink() => return Err(through(&at)),
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if create && !last {
                        match std::fs::create_dir(&at) {
                            Ok(()) => {}
                            // Another worker made it; checked on the next pass through the loop.
                            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                                if std::fs::symlink_metadata(&at)
                                    .is_ok_and(|m| m.file_type().is_symlink())
                                {
                                    return Err(through(&at));
                                }
                            }
                            Err(e) => return Err(Error::io(&at, e)),
                        }
                    }
                }
                Err(e) => return Err(Error::io(&at, e)),
            }
        }
        self.check_file(&target)?;
        Ok(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_applies_dots_to_missing_parts() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().canonicalize().unwrap();
        std::fs::create_dir(d.join("in")).unwrap();
        assert_eq!(resolve(&d.join("new/../in/x")), d.join("in/x"));
        assert_eq!(resolve(&d.join("in/./a/b/..")), d.join("in/a"));
    }

    #[test]
    fn refuses_every_overlap() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("in/sub")).unwrap();
        std::fs::write(d.join("in/sub/a.txt"), "a").unwrap();
        std::fs::write(d.join("f.txt"), "f").unwrap();
        let g = OutputGuard::new([d.join("in/sub"), d.join("f.txt")]);
        assert!(g.check_dir(&d.join("in")).is_err());
        assert!(g.check_dir(&d.join("in/sub/x")).is_err());
        assert!(g.check_dir(d).is_err());
        assert!(g.check_dir(&d.join("out")).is_ok());
        assert!(g.check_file(&d.join("f.txt")).is_err());
        assert!(g.check_file(&d.join("in/sub/new.json")).is_err());
        assert!(g.check_file(&d.join("in/new.json")).is_ok());
    }
}
