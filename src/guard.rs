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

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

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
    /// The directories below output roots checked so far in this run (see [`Below`]), by path as
    /// joined (`root/rel`): a tree of many files in few directories checks each directory once.
    below: Arc<Mutex<HashMap<PathBuf, Arc<Below>>>>,
}

/// An output root or a directory below one, as [`OutputGuard::check_below`] found it.
#[derive(Debug)]
struct Below {
    /// Its resolved path (see [`resolve`]): no link below the root was followed to reach it.
    resolved: PathBuf,
    /// Is it on disk as a plain directory (found or created)? `false`: missing when it was checked
    /// without creating, so that everything below it is missing too.
    exists: bool,
    /// Its identity on disk (device, inode) when this run found or made it below the root: a
    /// write into it first checks that the same directory still stands there, so a link put in
    /// its place after the first check is refused, not followed. `None` (the root, or where the
    /// platform gives no identity): never taken on trust for a write.
    id: Option<(u64, u64)>,
    /// The inputs (indices, ascending) that a file directly in it could be, lie inside, or hold:
    /// the only ones its files are compared with.
    near: Vec<usize>,
}

/// A file's identity on disk: its device and inode.
#[cfg(unix)]
fn identity(m: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((m.dev(), m.ino()))
}

/// No identity where the platform gives none: remembered directories are then checked afresh
/// at every write.
#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
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
            below: Arc::default(),
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
        check_resolved_in(self.inputs.iter(), path, out)
    }

    /// Checks `root/rel`, a file to be written below the output directory `root` (which
    /// [`check_dir`](Self::check_dir) accepted): no part below `root` may be a symbolic link, nor
    /// the file itself, and the file must pass [`check_file`](Self::check_file). With `create`, the
    /// missing directories are created on the way, one at a time, each checked before the next.
    ///
    /// Each directory below `root` is checked (and created) once per run: found as a plain
    /// directory or made by this run, it is remembered with its resolved path, and a later file
    /// in it costs one look at the file itself. A directory found missing by a check without
    /// `create` is looked at again when it is to be created.
    pub fn check_below(&self, root: &Path, rel: &Path, create: bool) -> Result<PathBuf, Error> {
        self.check_below_resolved(root, rel, create)
            .map(|(target, _)| target)
    }

    /// [`check_below`](Self::check_below), also returning the target resolved as
    /// [`resolve`] would (its directory's links followed up to `root`, none below).
    pub fn check_below_resolved(
        &self,
        root: &Path,
        rel: &Path,
        create: bool,
    ) -> Result<(PathBuf, PathBuf), Error> {
        let target = root.join(rel);
        let through = |link: &Path| {
            Error::Usage(format!(
                "output {} goes through symbolic link {}; dechrome writes through no link it did \
                 not create",
                target.display(),
                link.display()
            ))
        };
        let parts: Vec<Component> = rel.components().collect();
        let mut below = self.below.lock().unwrap_or_else(|e| e.into_inner());
        // A remembered entry serves unless it was missing and is now to be created.
        let known = |below: &HashMap<PathBuf, Arc<Below>>, at: &Path| {
            below.get(at).filter(|b| b.exists || !create).cloned()
        };
        let mut at = root.to_path_buf();
        let mut dir = match known(&below, &at) {
            Some(b) => b,
            None => {
                if create {
                    std::fs::create_dir_all(root).map_err(|e| Error::io(root, e))?;
                }
                let exists = create || std::fs::metadata(root).is_ok_and(|m| m.is_dir());
                let b = Arc::new(self.below_entry(resolve(root), exists));
                below.insert(at.clone(), b.clone());
                b
            }
        };
        for (k, c) in parts.iter().enumerate() {
            let Component::Normal(name) = c else {
                return Err(Error::Usage(format!(
                    "output {}: not a plain path below {}",
                    target.display(),
                    root.display()
                )));
            };
            at.push(name);
            if k + 1 == parts.len() {
                break;
            }
            if let Some(b) = known(&below, &at) {
                // A check without writing trusts what it found; a write looks again that the
                // directory it remembers still stands there (one look, not a full check).
                if !create {
                    dir = b;
                    continue;
                }
                if let Some(id) = b.id {
                    match std::fs::symlink_metadata(&b.resolved) {
                        Ok(m) if m.file_type().is_symlink() => return Err(through(&at)),
                        Ok(m) if m.is_dir() && identity(&m) == Some(id) => {
                            dir = b;
                            continue;
                        }
                        // Replaced or gone: checked afresh below.
                        _ => {}
                    }
                }
            }
            // Below a missing directory everything is missing: nothing to look at.
            let mut id = None;
            let found = if dir.exists {
                match std::fs::symlink_metadata(&at) {
                    Ok(m) if m.file_type().is_symlink() => return Err(through(&at)),
                    Ok(m) => {
                        id = identity(&m);
                        Some(m.is_dir())
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                    Err(e) => return Err(Error::io(&at, e)),
                }
            } else {
                None
            };
            let exists = match found {
                Some(true) => true,
                // A file in the way: not remembered; what is below it fails to be read or made.
                Some(false) => {
                    dir = Arc::new(Below {
                        resolved: dir.resolved.join(name),
                        exists: true,
                        id: None,
                        near: Vec::new(),
                    });
                    continue;
                }
                None if create => {
                    match std::fs::create_dir(&at) {
                        // Made here, or by another worker: no link, or it is refused.
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                        Err(e) => return Err(Error::io(&at, e)),
                    }
                    match std::fs::symlink_metadata(&at) {
                        Ok(m) if m.file_type().is_symlink() => return Err(through(&at)),
                        Ok(m) => id = identity(&m),
                        Err(e) => return Err(Error::io(&at, e)),
                    }
                    true
                }
                None => false,
            };
            let mut entry = self.below_entry(dir.resolved.join(name), exists);
            entry.id = id.filter(|_| exists);
            let b = Arc::new(entry);
            below.insert(at.clone(), b.clone());
            dir = b;
        }
        drop(below);
        if parts.is_empty() {
            // The root itself, as `check_file` sees it.
            self.check_file(&target)?;
            let resolved = resolve(&target);
            return Ok((target, resolved));
        }
        // The file itself: never a link (a directory in its place fails when it is written).
        if dir.exists {
            match std::fs::symlink_metadata(&target) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(Error::Usage(format!(
                        "output {} is a symbolic link; dechrome writes through no link it did not \
                         create",
                        target.display()
                    )));
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(&target, e)),
            }
        }
        // Resolved, the file is its directory's resolved path and its name (it is no link), so
        // `check_file` would compare that with every input: only the inputs near the directory
        // can fail it, and they are compared in the same order.
        let resolved = dir
            .resolved
            .join(at.file_name().expect("a plain last part"));
        let near = self.near(&dir.near);
        check_resolved_in(near, &target, &resolved)?;
        Ok((target, resolved))
    }

    /// A remembered directory: `resolved`, on disk or not, with the inputs near it.
    fn below_entry(&self, resolved: PathBuf, exists: bool) -> Below {
        let near = self
            .inputs
            .iter()
            .enumerate()
            .filter(|(_, i)| {
                i.real.starts_with(&resolved)
                    || i.named.starts_with(&resolved)
                    || (i.dir && resolved.starts_with(&i.real))
            })
            .map(|(k, _)| k)
            .collect();
        Below {
            resolved,
            exists,
            id: None,
            near,
        }
    }

    /// The inputs at `indices`.
    fn near<'a>(&'a self, indices: &'a [usize]) -> impl Iterator<Item = &'a Input> + 'a {
        indices.iter().map(|&k| &self.inputs[k])
    }
}

/// Refuses the output `path`, resolved as `out`, if it is one of `inputs`, lies inside one, or
/// holds one (the first of them in order names the error).
fn check_resolved_in<'a>(
    inputs: impl IntoIterator<Item = &'a Input>,
    path: &Path,
    out: &Path,
) -> Result<(), Error> {
    for i in inputs {
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

    #[test]
    fn a_remembered_directory_replaced_by_a_link_is_refused_at_the_write() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(d.join("in/sub")).unwrap();
        std::fs::write(d.join("in/sub/a.txt"), "a").unwrap();
        std::fs::create_dir_all(d.join("out/sub")).unwrap();
        let out = d.join("out");
        let g = OutputGuard::new([d.join("in")]);
        // The check phase finds `out/sub` a plain directory and remembers it; the write itself
        // accepts it while it stands.
        assert!(g.check_below(&out, Path::new("sub/a.txt"), false).is_ok());
        assert!(g.check_below(&out, Path::new("sub/b.txt"), true).is_ok());
        // Someone puts a link to the input directory in its place between check and write.
        std::fs::remove_dir(out.join("sub")).unwrap();
        std::os::unix::fs::symlink("../in/sub", out.join("sub")).unwrap();
        let err = g
            .check_below(&out, Path::new("sub/a.txt"), true)
            .unwrap_err()
            .to_string();
        let through = format!(
            "output {0}/sub/a.txt goes through symbolic link {0}/sub; dechrome writes through \
             no link it did not create",
            out.display()
        );
        assert_eq!(err, through);
        let refused = crate::output::write_renamed(&g, &out, Path::new("sub/a.txt"), b"CLOBBERED");
        assert_eq!(refused.unwrap_err().to_string(), through);
        assert_eq!(std::fs::read(d.join("in/sub/a.txt")).unwrap(), b"a");
        // Replaced by another plain directory, it is checked afresh and accepted.
        std::fs::remove_file(out.join("sub")).unwrap();
        std::fs::create_dir(out.join("sub")).unwrap();
        assert!(g.check_below(&out, Path::new("sub/a.txt"), true).is_ok());
    }

    #[test]
    fn remembered_directories_still_refuse_links_and_inputs() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(d.join("in/sub")).unwrap();
        std::fs::write(d.join("in/sub/a.txt"), "a").unwrap();
        std::fs::create_dir_all(d.join("out/d")).unwrap();
        std::fs::write(d.join("out/d/f.txt"), "f").unwrap();
        let (out, rel) = (d.join("out"), Path::new);
        let g = OutputGuard::new([d.join("in"), d.join("out/d/f.txt")]);
        let err = |r: Result<PathBuf, Error>| r.unwrap_err().to_string();
        // Checked without creating, `new` is missing; a link put there before the write is
        // still refused when the directory is to be created.
        assert!(g.check_below(&out, rel("new/a.txt"), false).is_ok());
        std::os::unix::fs::symlink("../in/sub", out.join("new")).unwrap();
        let through = format!(
            "output {0}/new/a.txt goes through symbolic link {0}/new; dechrome writes through no \
             link it did not create",
            out.display()
        );
        assert_eq!(err(g.check_below(&out, rel("new/a.txt"), true)), through);
        assert_eq!(
            err(g.check_below(&out, rel("new/b.txt"), true)),
            through.replace("a.txt", "b.txt")
        );
        assert_eq!(std::fs::read(d.join("in/sub/a.txt")).unwrap(), b"a");
        // A directory made by the guard is remembered with its resolved path.
        let (t, r) = g
            .check_below_resolved(&out, rel("m/n/x.txt"), true)
            .unwrap();
        assert_eq!(
            (t, r.clone()),
            (out.join("m/n/x.txt"), resolve(&out.join("m/n/x.txt")))
        );
        assert!(out.join("m/n").is_dir());
        // The file itself is looked at every time: a link in its place is refused.
        std::os::unix::fs::symlink("../../../in/sub/a.txt", out.join("m/n/y.txt")).unwrap();
        assert_eq!(
            err(g.check_below(&out, rel("m/n/y.txt"), true)),
            format!(
                "output {}/m/n/y.txt is a symbolic link; dechrome writes through no link it did \
                 not create",
                out.display()
            )
        );
        // An input in a remembered directory is refused, by the same message as `check_file`.
        for _ in 0..2 {
            let e = err(g.check_below(&out, rel("d/f.txt"), true));
            assert_eq!(
                e,
                g.check_file(&out.join("d/f.txt")).unwrap_err().to_string()
            );
            assert_eq!(
                e,
                format!("output {0}/d/f.txt is input {0}/d/f.txt", out.display())
            );
            assert!(g.check_below(&out, rel("d/g.txt"), true).is_ok());
        }
        // A root inside an input: every file below it is refused.
        let inner = d.join("in/sub");
        assert_eq!(
            err(g.check_below(&inner, rel("z.txt"), false)),
            format!(
                "output {}/z.txt is inside input {}; choose a path outside the inputs",
                inner.display(),
                d.join("in").display()
            )
        );
    }
}
