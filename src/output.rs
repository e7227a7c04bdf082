//! Output: atomic file writes, so that an interrupted run never leaves a half-written file.
//!
//! [`write_atomic`] writes one whole file. [`AtomicWriter`] streams into a temporary file, compressed
//! by the target's extension ([`Compression`]), and renames it into place in
//! [`finish`](AtomicWriter::finish). [`RecordSink`] is where cleaned JSONL records go: a stream
//! ([`StreamSink`]: stdout or one file) or numbered shards ([`ShardSink`]).

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::Error;
pub use crate::guard::OutputGuard;

/// Writes the output file `bytes` to `path` atomically, once the guard has accepted it: a
/// temporary file in the same directory, flushed and synced, then renamed over the target, and the
/// directory synced so the rename survives a crash. Parent directories are created.
pub fn write_atomic(guard: &OutputGuard, path: &Path, bytes: &[u8]) -> Result<(), Error> {
    guard.check_file(path)?;
    let (mut tmp, dir) = temp_beside(path)?;
    tmp.write_all(bytes)
        .map_err(|e| Error::io(path, plain(e)))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    persist(tmp, path).map_err(|e| Error::io(path, e.error))?;
    sync_dir(dir).map_err(|e| Error::io(dir, e))
}

/// What identifies one version of a file: device, inode, size, modification and change times.
/// Any write, rename over it, `chmod` or new hard link changes at least one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    dev: u64,
    ino: u64,
    len: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
    /// Hard links to the file.
    pub links: u64,
    /// Is the file read-only to its owner?
    pub read_only: bool,
}

impl Stamp {
    /// The stamp of a file's metadata.
    #[cfg(unix)]
    pub fn of(m: &std::fs::Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        Stamp {
            dev: m.dev(),
            ino: m.ino(),
            len: m.len(),
            mtime: (m.mtime(), m.mtime_nsec()),
            ctime: (m.ctime(), m.ctime_nsec()),
            links: m.nlink(),
            read_only: m.permissions().readonly(),
        }
    }

    /// The stamp of a file's metadata.
    #[cfg(not(unix))]
    pub fn of(m: &std::fs::Metadata) -> Stamp {
        let t = |t: std::io::Result<std::time::SystemTime>| {
            t.ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or((0, 0), |d| (d.as_secs() as i64, d.subsec_nanos() as i64))
        };
        Stamp {
            dev: 0,
            ino: 0,
            len: m.len(),
            mtime: t(m.modified()),
            ctime: t(m.created()),
            links: 1,
            read_only: m.permissions().readonly(),
        }
    }
}

/// Rewrites an input in place (`check --fix`), atomically: the new bytes go to a temporary file
/// beside it, which gets the file's permissions (and, where allowed, its owner) and is renamed over
/// it. A symbolic link is followed, so the file it points to is replaced, not the link; a hard link
/// is broken (the other names keep the old text). Just before the rename the file is compared with
/// `read`, its stamp when it was read: a file that changed since (an editor saved it) is left as
/// it is now, with an error. The window left is the few microseconds between that check and the
/// rename.
pub fn replace_in_place(path: &Path, bytes: &[u8], read: &Stamp) -> Result<(), Error> {
    let resolved = std::fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
    let target = resolved.as_path();
    let (mut tmp, dir) = temp_beside(target).map_err(|e| unwritable_dir(path, target, e))?;
    tmp.write_all(bytes)
        .map_err(|e| Error::io(path, plain(e)))?;
    let meta = std::fs::metadata(target).map_err(|e| Error::io(path, e))?;
    keep_owner(tmp.as_file(), &meta);
    std::fs::set_permissions(tmp.path(), meta.permissions()).map_err(|e| Error::io(path, e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    let now = std::fs::metadata(target).map_err(|e| Error::io(path, e))?;
    if Stamp::of(&now) != *read {
        return Err(Error::Input {
            path: path.to_path_buf(),
            message: "changed while dechrome was cleaning it; left as it is now, run again to fix \
                      it"
            .into(),
        });
    }
    persist(tmp, target).map_err(|e| Error::io(path, e.error))?;
    sync_dir(dir).map_err(|e| Error::io(dir, e))
}

/// Says, for a file `path` (resolved to `target`) whose directory refuses the temporary file a fix
/// writes, which file and directory, and what to do; other errors pass as they are.
fn unwritable_dir(path: &Path, target: &Path, e: Error) -> Error {
    let Error::Io { source, .. } = &e else {
        return e;
    };
    use std::io::ErrorKind::{PermissionDenied, ReadOnlyFilesystem};
    let why = match source.kind() {
        PermissionDenied => "permission denied",
        ReadOnlyFilesystem => "read-only file system",
        _ => return e,
    };
    // The directory as the user named it, unless a link put the file elsewhere.
    let named = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let dir = match (std::fs::canonicalize(named), target.parent()) {
        (Ok(n), Some(t)) if n == t => named,
        _ => target.parent().unwrap_or(named),
    };
    Error::Input {
        path: path.to_path_buf(),
        message: format!(
            "cannot fix: directory {} is not writable ({why}); left unchanged. --fix writes \
             the new text beside the file and renames it over: make {} writable, or clean the \
             file into another directory with `dechrome clean FILE -o OUTDIR`",
            dir.display(),
            dir.display()
        ),
    }
}

/// The temporary files in progress, so that a run stopped by a signal can remove them
/// ([`remove_temporaries`]). A path stays listed after its file was dropped unfinished (removing it
/// again is harmless); a persisted one is taken off.
static TEMPORARIES: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

fn temporaries() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    TEMPORARIES.lock().unwrap_or_else(|e| e.into_inner())
}

/// Renames a temporary file into place, taking it off the list under the list's lock, so that a
/// rename and [`remove_temporaries`] never overlap.
fn persist(tmp: NamedTempFile, target: &Path) -> Result<(), tempfile::PersistError> {
    let mut list = temporaries();
    let path = tmp.path().to_path_buf();
    tmp.persist(target)?;
    if let Some(i) = list.iter().rposition(|p| *p == path) {
        list.swap_remove(i);
    }
    Ok(())
}

/// Removes every temporary file in progress and returns the lock of their list: while it is held,
/// no temporary file is renamed into place. A run stopped by a signal calls it just before it
/// exits, so that no partial file is left, under a temporary name or any other.
pub fn remove_temporaries() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    let list = temporaries();
    for p in list.iter() {
        let _ = std::fs::remove_file(p);
    }
    list
}

/// A temporary file in the directory of `path` (created if missing), and that directory.
fn temp_beside(path: &Path) -> Result<(tempfile::NamedTempFile, &Path), Error> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let tmp = temp_in(dir).map_err(|e| Error::io(dir, plain(e)))?;
    Ok((tmp, dir))
}

/// A temporary file in the existing directory `dir`, listed in the temporaries in progress.
fn temp_in(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let tmp = tempfile::Builder::new()
        .prefix(".dechrome-")
        .suffix(".tmp")
        // A new file's usual mode (the umask applies), not the temporary file's private 0600.
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
        .tempfile_in(dir)?;
    temporaries().push(tmp.path().to_path_buf());
    Ok(tmp)
}

/// Writes the output file `root/rel` (a file of a tree mirrored into the output directory
/// `root`), once the guard has accepted it, under a temporary name renamed into place, without
/// syncing to disk: an interrupted run leaves no partial file under the target name, but a power
/// loss may lose recent writes. Writing a tree of many small files this way is several times
/// faster than [`write_atomic`]. Missing directories are created, none through a link.
pub fn write_renamed(
    guard: &OutputGuard,
    root: &Path,
    rel: &Path,
    bytes: &[u8],
) -> Result<(), Error> {
    let (path, resolved) = guard.check_below_resolved(root, rel, true)?;
    // The guard has made the directory; the temporary file and the rename use the resolved
    // path, absolute, so that no part of it is looked up again.
    let dir = resolved.parent().unwrap_or(Path::new("."));
    let shown = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = temp_in(dir).map_err(|e| Error::io(shown, plain(e)))?;
    tmp.as_file_mut()
        .write_all(bytes)
        .map_err(|e| Error::io(&path, e))?;
    persist(tmp, &resolved).map_err(|e| Error::io(&path, e.error))?;
    Ok(())
}

/// The error without the temporary file's path, which `tempfile` appends (" at path ..."): the
/// message names the target or its directory, and the temporary is gone by then.
fn plain(e: std::io::Error) -> std::io::Error {
    let msg = e.to_string();
    match msg.rfind(" at path ") {
        Some(i) if e.raw_os_error().is_none() => std::io::Error::new(e.kind(), &msg[..i]),
        _ => e,
    }
}

/// Gives the new file the old one's owner and group. Only a privileged user may give a file away,
/// so a refusal is expected and ignored: the file then belongs to whoever rewrote it, as with any
/// editor.
#[cfg(unix)]
fn keep_owner(file: &std::fs::File, old: &std::fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    if let Ok(new) = file.metadata()
        && (new.uid(), new.gid()) != (old.uid(), old.gid())
    {
        let _ = std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid()));
    }
}

#[cfg(not(unix))]
fn keep_owner(_file: &std::fs::File, _old: &std::fs::Metadata) {}

/// Flushes a directory's entries (the rename) to disk.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Directories cannot be opened for syncing here; the rename is as durable as the platform makes it.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Compression of a file, chosen by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Plain bytes.
    None,
    /// gzip (`.gz`).
    Gzip,
    /// Zstandard (`.zst`).
    Zstd,
}

impl Compression {
    /// The compression a path's extension names.
    pub fn of_path(path: &Path) -> Compression {
        match path.extension().and_then(|e| e.to_str()) {
            Some("gz") => Compression::Gzip,
            Some("zst") => Compression::Zstd,
            _ => Compression::None,
        }
    }

    /// The file-name suffix, such as `.gz` (empty for none).
    pub fn suffix(self) -> &'static str {
        match self {
            Compression::None => "",
            Compression::Gzip => ".gz",
            Compression::Zstd => ".zst",
        }
    }
}

/// Buffer size of output files.
const WRITE_BUFFER: usize = 1 << 20;

enum Encoder {
    Plain(BufWriter<NamedTempFile>),
    Gzip(flate2::write::GzEncoder<BufWriter<NamedTempFile>>),
    Zstd(zstd::stream::write::Encoder<'static, BufWriter<NamedTempFile>>),
}

/// A file written under a temporary name beside its target and renamed into place when finished;
/// dropped unfinished, it leaves nothing behind. Compressed by the target's extension.
pub struct AtomicWriter {
    enc: Encoder,
    path: PathBuf,
}

impl AtomicWriter {
    /// Starts writing the output file `path`, once the guard has accepted it (parent
    /// directories are created).
    pub fn create(guard: &OutputGuard, path: &Path) -> Result<AtomicWriter, Error> {
        guard.check_file(path)?;
        let (tmp, _) = temp_beside(path)?;
        let buf = BufWriter::with_capacity(WRITE_BUFFER, tmp);
        let enc = match Compression::of_path(path) {
            Compression::None => Encoder::Plain(buf),
            Compression::Gzip => Encoder::Gzip(flate2::write::GzEncoder::new(
                buf,
                flate2::Compression::default(),
            )),
            Compression::Zstd => Encoder::Zstd(
                zstd::stream::write::Encoder::new(buf, 3).map_err(|e| Error::io(path, e))?,
            ),
        };
        Ok(AtomicWriter {
            enc,
            path: path.to_path_buf(),
        })
    }

    /// Starts writing the output file `path` as [`create`](Self::create) does, but writes the
    /// bytes as given whatever the extension (formats that compress record by record, such as
    /// `.warc.gz` with one gzip member per record, or Parquet).
    pub fn create_raw(guard: &OutputGuard, path: &Path) -> Result<AtomicWriter, Error> {
        guard.check_file(path)?;
        let (tmp, _) = temp_beside(path)?;
        Ok(AtomicWriter {
            enc: Encoder::Plain(BufWriter::with_capacity(WRITE_BUFFER, tmp)),
            path: path.to_path_buf(),
        })
    }

    /// The target path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes bytes (uncompressed).
    pub fn write_all(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let r = match &mut self.enc {
            Encoder::Plain(w) => w.write_all(bytes),
            Encoder::Gzip(w) => w.write_all(bytes),
            Encoder::Zstd(w) => w.write_all(bytes),
        };
        r.map_err(|e| Error::io(&self.path, plain(e)))
    }

    /// Completes the file: flushes, syncs and renames it into place.
    pub fn finish(self) -> Result<(), Error> {
        let path = self.path;
        let io = |e| Error::io(&path, plain(e));
        let buf = match self.enc {
            Encoder::Plain(w) => w,
            Encoder::Gzip(w) => w.finish().map_err(io)?,
            Encoder::Zstd(w) => w.finish().map_err(io)?,
        };
        let tmp = buf.into_inner().map_err(|e| io(e.into_error()))?;
        tmp.as_file().sync_all().map_err(io)?;
        persist(tmp, &path).map_err(|e| io(e.error))?;
        Ok(())
    }
}

/// Writing through [`AtomicWriter::write_all`], for encoders that take a writer (Parquet).
impl Write for AtomicWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.enc {
            Encoder::Plain(w) => w.write(buf),
            Encoder::Gzip(w) => w.write(buf),
            Encoder::Zstd(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.enc {
            Encoder::Plain(w) => w.flush(),
            Encoder::Gzip(w) => w.flush(),
            Encoder::Zstd(w) => w.flush(),
        }
    }
}

/// Where cleaned JSONL records go, in input order.
pub trait RecordSink {
    /// Writes whole records: `bytes` holds them back to back, each ending in a line terminator;
    /// `ends` holds the end offset of each.
    fn write_records(&mut self, bytes: &[u8], ends: &[usize]) -> Result<(), Error>;
    /// Completes the output (flushes, renames temporary files into place).
    fn finish(self: Box<Self>) -> Result<(), Error>;
    /// Stops early: a stream is flushed; a file or shard in progress is discarded, so no incomplete
    /// file is left under its final name (complete shards stay).
    fn abort(self: Box<Self>) -> Result<(), Error>;
}

/// Records to one stream: stdout or a single file.
pub enum StreamSink {
    /// Standard output, buffered.
    Stdout(BufWriter<std::io::Stdout>),
    /// One file, renamed into place when complete.
    File(AtomicWriter),
}

impl StreamSink {
    /// Records to stdout.
    pub fn stdout() -> StreamSink {
        StreamSink::Stdout(BufWriter::with_capacity(WRITE_BUFFER, std::io::stdout()))
    }
}

impl RecordSink for StreamSink {
    fn write_records(&mut self, bytes: &[u8], _ends: &[usize]) -> Result<(), Error> {
        match self {
            StreamSink::Stdout(w) => w.write_all(bytes).map_err(|e| Error::io("<stdout>", e)),
            StreamSink::File(w) => w.write_all(bytes),
        }
    }

    fn finish(self: Box<Self>) -> Result<(), Error> {
        match *self {
            StreamSink::Stdout(mut w) => w.flush().map_err(|e| Error::io("<stdout>", e)),
            StreamSink::File(w) => w.finish(),
        }
    }

    fn abort(self: Box<Self>) -> Result<(), Error> {
        match *self {
            StreamSink::Stdout(mut w) => w.flush().map_err(|e| Error::io("<stdout>", e)),
            StreamSink::File(_) => Ok(()),
        }
    }
}

/// Records into numbered shards `part-00000.jsonl`, ... of at most `size` records each, each written
/// under a temporary name and renamed when complete.
pub struct ShardSink {
    guard: OutputGuard,
    dir: PathBuf,
    size: usize,
    compression: Compression,
    next: usize,
    current: Option<(AtomicWriter, usize)>,
    /// Bytes after the last record of a write (a BOM before a blank line): they go in front of the
    /// next record.
    pending: Vec<u8>,
    /// Remove the shards of an earlier run beyond the last one written, when finished.
    replacing: bool,
    /// Whether [`RUN_FILE`](Self::RUN_FILE) has been written (after the first shard completes,
    /// so that a run failing before any shard leaves nothing).
    recorded: bool,
}

/// Is `name` the name of a shard (`part-00000.jsonl`, compressed or not)? Its number, if so.
pub fn shard_number(name: &str) -> Option<usize> {
    let rest = name.trim_end_matches(".gz").trim_end_matches(".zst");
    rest.strip_prefix("part-")
        .and_then(|r| r.strip_suffix(".jsonl"))
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse().ok())
}

/// The shards in `dir` numbered `from` or more (any compression), in order; none when `dir` does
/// not exist.
pub fn shards_in(dir: &Path, from: usize) -> Vec<PathBuf> {
    let mut found: Vec<(usize, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let n = shard_number(e.file_name().to_str()?)?;
            (n >= from).then(|| (n, dir.join(e.file_name())))
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, p)| p).collect()
}

impl ShardSink {
    /// Shards of `size` records (at least 1) in `dir`, compressed as given, each checked by the
    /// guard.
    pub fn new(
        guard: &OutputGuard,
        dir: &Path,
        size: usize,
        compression: Compression,
    ) -> ShardSink {
        ShardSink {
            guard: guard.clone(),
            dir: dir.to_path_buf(),
            size: size.max(1),
            compression,
            next: 0,
            current: None,
            pending: Vec::new(),
            replacing: false,
            recorded: false,
        }
    }

    /// When finished, removes the shards beyond the last one written (an earlier run's, with
    /// `--overwrite`); without it, finding any is an error.
    pub fn replacing(mut self, yes: bool) -> ShardSink {
        self.replacing = yes;
        self
    }

    /// Numbers the next shard `n`: shards before it are not written (they exist already).
    pub fn starting_at(mut self, n: usize) -> ShardSink {
        self.next = n;
        self
    }

    /// The name of shard `n`.
    pub fn shard_name(n: usize, compression: Compression) -> String {
        format!("part-{n:05}.jsonl{}", compression.suffix())
    }

    /// The file beside the shards that records the run's `--shard-size`, so that a resume with
    /// another size (which would skip or repeat records) is refused. Hidden, so that
    /// `cat out/*` and engines that skip dot files read only the shards.
    pub const RUN_FILE: &'static str = ".dechrome.shards";

    /// The shard size recorded in `dir`'s [`RUN_FILE`](Self::RUN_FILE): `None` when there is
    /// none (a directory written before the record existed); an error naming the file when it
    /// cannot be read, does not hold `shard-size N`, or is marked by a replacement that did not
    /// finish.
    pub fn recorded_size(dir: &Path) -> Result<Option<usize>, Error> {
        let path = dir.join(Self::RUN_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&path, e)),
        };
        if text.lines().any(|l| l == "replacing") {
            return Err(Error::Usage(format!(
                "{} holds shards of an --overwrite run that did not finish, beside those of the \
                 run it replaced ({}); rerun with --overwrite",
                dir.display(),
                path.display()
            )));
        }
        text.lines()
            .find_map(|l| l.strip_prefix("shard-size "))
            .and_then(|n| n.trim().parse::<usize>().ok())
            .filter(|&n| n > 0)
            .map(Some)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "{}: line 1: expected `shard-size N` (a positive number); remove the file \
                     or replace the shards with --overwrite",
                    path.display()
                ))
            })
    }

    /// Completes shard `w`, recording the run's shard size with its first shard (a run that
    /// fails before any shard is complete leaves nothing). A run that replaces an earlier one
    /// marks the record `replacing` before its first shard takes the place of an old one, until
    /// [`finish`](RecordSink::finish) has removed the old shards beyond its last: an interrupted
    /// replacement leaves old and new shards side by side, which no resume may take for one run.
    fn complete(&mut self, w: AtomicWriter) -> Result<(), Error> {
        if self.replacing && !self.recorded {
            self.record(true)?;
        }
        w.finish()?;
        if !self.recorded {
            self.record(false)?;
        }
        Ok(())
    }

    /// Writes [`RUN_FILE`](Self::RUN_FILE), atomically and through the guard.
    fn record(&mut self, replacing: bool) -> Result<(), Error> {
        let path = self
            .guard
            .check_below(&self.dir, Path::new(Self::RUN_FILE), true)?;
        let mut r = AtomicWriter::create(&self.guard, &path)?;
        let mark = if replacing { "replacing\n" } else { "" };
        r.write_all(format!("shard-size {}\n{mark}", self.size).as_bytes())?;
        r.finish()?;
        self.recorded = true;
        Ok(())
    }
}

impl RecordSink for ShardSink {
    fn write_records(&mut self, bytes: &[u8], ends: &[usize]) -> Result<(), Error> {
        let mut start = 0;
        let mut i = 0;
        while i < ends.len() {
            if self.current.is_none() {
                let name = Self::shard_name(self.next, self.compression);
                let path = self.guard.check_below(&self.dir, Path::new(&name), true)?;
                self.next += 1;
                self.current = Some((AtomicWriter::create(&self.guard, &path)?, 0));
            }
            let (w, count) = self.current.as_mut().expect("shard open");
            let take = (self.size - *count).min(ends.len() - i);
            let end = ends[i + take - 1];
            if !self.pending.is_empty() {
                w.write_all(&std::mem::take(&mut self.pending))?;
            }
            w.write_all(&bytes[start..end])?;
            *count += take;
            i += take;
            start = end;
            if *count == self.size {
                let (w, _) = self.current.take().expect("shard open");
                self.complete(w)?;
            }
        }
        self.pending.extend_from_slice(&bytes[start..]);
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<(), Error> {
        if let Some((mut w, _)) = self.current.take() {
            w.write_all(&std::mem::take(&mut self.pending))?;
            self.complete(w)?;
        }
        let stale = shards_in(&self.dir, self.next);
        if self.replacing {
            for p in &stale {
                std::fs::remove_file(p).map_err(|e| Error::io(p, e))?;
            }
            if self.recorded {
                self.record(false)?;
            }
        } else if let Some(p) = stale.first() {
            return Err(Error::Usage(format!(
                "{} is left from an earlier run, after the last shard of this one; remove it, or \
                 rerun with --overwrite",
                p.display()
            )));
        }
        Ok(())
    }

    fn abort(self: Box<Self>) -> Result<(), Error> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_by_record_count() {
        let dir = tempfile::tempdir().unwrap();
        let mut sink: Box<dyn RecordSink> = Box::new(ShardSink::new(
            &OutputGuard::default(),
            dir.path(),
            2,
            Compression::None,
        ));
        sink.write_records(b"a\nb\nc\n", &[2, 4, 6]).unwrap();
        sink.write_records(b"d\n", &[2]).unwrap();
        sink.write_records(b"e\n", &[2]).unwrap();
        sink.finish().unwrap();
        let read = |n| std::fs::read_to_string(dir.path().join(n)).unwrap();
        assert_eq!(read("part-00000.jsonl"), "a\nb\n");
        assert_eq!(read("part-00001.jsonl"), "c\nd\n");
        assert_eq!(read("part-00002.jsonl"), "e\n");
        assert_eq!(read(ShardSink::RUN_FILE), "shard-size 2\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 4);
        assert_eq!(ShardSink::recorded_size(dir.path()).unwrap(), Some(2));
    }

    #[test]
    fn unfinished_writer_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut w =
            AtomicWriter::create(&OutputGuard::default(), &dir.path().join("x.jsonl.gz")).unwrap();
        w.write_all(b"partial").unwrap();
        drop(w);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn writes_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b/c.txt");
        let guard = OutputGuard::default();
        write_atomic(&guard, &p, b"one").unwrap();
        write_atomic(&guard, &p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(p.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left behind");
        // Readable like any new file, not private like a temporary one.
        let mode =
            std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&p).unwrap().permissions());
        assert_ne!(mode & 0o044, 0, "mode {mode:o}");
    }

    #[cfg(unix)]
    #[test]
    fn keeps_permissions_and_follows_links() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("doc.txt");
        std::fs::write(&target, "old").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let read = Stamp::of(&std::fs::metadata(&link).unwrap());
        replace_in_place(&link, b"new", &read).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }
}
