//! Finding the files of an ingest: directories walked recursively, zip archives opened (also
//! zips inside zips), each file named by its origin path (`dir/a.zip!/inner/b.pdf`).

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::sync::mpsc;

/// Zips nested deeper than this are reported, not opened.
const MAX_ZIP_DEPTH: usize = 4;

/// What the members of one zip (with the zips inside it, and their members) may inflate to, as
/// a multiple of the zip's own size. PDFs compress their streams already and zip to 80–95 % of their size; a
/// PDF written without compression zips to about a fifth. A zip far beyond that is a bomb: a
/// 957 KB zip of junk "PDFs" stored 961 MB of files, for documents that all failed.
pub const MAX_ZIP_INFLATION: u64 = 50;
/// What any zip may inflate to whatever its size, so a small zip of a few uncompressed PDFs
/// still goes in whole.
pub const ZIP_INFLATION_FLOOR: u64 = 16 << 20;

/// A file found by discovery; its bytes are read later, by the stage that needs them.
#[derive(Debug, Clone)]
pub struct Found {
    /// The file's path, with `!/` separating an archive from a member.
    pub origin: String,
    /// The last component of the origin: what a person would call the file.
    pub filename: String,
    pub source: Source,
}

#[derive(Debug, Clone)]
pub enum Source {
    File(PathBuf),
    /// A member of a zip, read through the archive discovery opened: its directory is parsed
    /// once, not once per member (which made a zip of thousands of files quadratic), and a
    /// nested zip is inflated once, not once per member of it.
    Zip {
        archive: Zip,
        member: Member,
        /// What the outermost zip may still inflate to, shared by all its members.
        budget: Arc<InflationBudget>,
    },
    /// Another path to a folder or file discovery found already (through a symbolic link or a
    /// hard link): reported as a duplicate of the first path, not walked or read again.
    Seen(String),
    /// Discovery could not read it (permissions, a broken archive): reported as failed.
    Unreadable(String),
}

/// Which member of a zip.
#[derive(Debug, Clone)]
pub enum Member {
    /// By index in the archive's directory of names.
    Index(usize),
    /// A member that shares its name with another, which a directory of names holds only one
    /// of: read from its own central-directory entry, `position` in the zip's list.
    Entry {
        position: usize,
        entry: Arc<zip::read::OwnedZipFileEntry>,
    },
}

/// The bytes the members of one zip may inflate to in all: see [`MAX_ZIP_INFLATION`].
#[derive(Debug)]
pub struct InflationBudget {
    limit: u64,
    used: AtomicU64,
}

impl InflationBudget {
    fn for_zip_of(size: u64) -> Self {
        Self {
            limit: size
                .saturating_mul(MAX_ZIP_INFLATION)
                .max(ZIP_INFLATION_FLOOR),
            used: AtomicU64::new(0),
        }
    }

    fn refusal(&self) -> String {
        format!(
            "refused: the zip's members inflate to more than {MAX_ZIP_INFLATION} times its size \
             (at most {} bytes for this zip, at least {ZIP_INFLATION_FLOOR} for any zip); \
             the members read before this one used that up, and the rest are not inflated",
            self.limit
        )
    }

    fn spent(&self) -> bool {
        self.used.load(Ordering::Relaxed) >= self.limit
    }

    /// Counts `n` more inflated bytes; false when they do not fit. Then the budget is spent:
    /// the members after it are refused without being inflated at all.
    fn charge(&self, n: u64) -> bool {
        let fits = self
            .used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                used.checked_add(n).filter(|&total| total <= self.limit)
            })
            .is_ok();
        if !fits {
            self.used.fetch_max(self.limit, Ordering::Relaxed);
        }
        fits
    }

    /// Inflates with `read` unless the budget is spent, and counts what it gave.
    fn inflate(&self, read: impl FnOnce() -> Result<Vec<u8>, String>) -> Result<Vec<u8>, String> {
        if self.spent() {
            return Err(self.refusal());
        }
        let bytes = read()?;
        if !self.charge(bytes.len() as u64) {
            return Err(self.refusal());
        }
        Ok(bytes)
    }
}

/// An open zip archive whose parsed directory its clones share; each clone reads on its own.
#[derive(Clone)]
pub enum Zip {
    OnDisk(zip::ZipArchive<SharedFile>),
    /// A zip inside a zip, held in memory while its members are found and read.
    InMemory(zip::ZipArchive<Cursor<Arc<[u8]>>>),
}

impl std::fmt::Debug for Zip {
    // Not derived: it would print a nested archive's bytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Zip::OnDisk(z) => write!(f, "Zip::OnDisk({} members)", z.len()),
            Zip::InMemory(z) => write!(f, "Zip::InMemory({} members)", z.len()),
        }
    }
}

impl Zip {
    /// The members that are files, each with its name, or with its raw name shown lossily when
    /// the name cannot be decoded.
    fn names(&self) -> Result<Vec<Named>, String> {
        match self {
            Zip::OnDisk(z) => member_names(z),
            Zip::InMemory(z) => member_names(z),
        }
    }

    /// Inflates a member, refusing to inflate more than `max` bytes.
    fn read(&self, member: &Member, max: usize) -> Result<Vec<u8>, String> {
        // A clone shares the parsed directory and gets its own read position.
        match (self.clone(), member) {
            (Zip::OnDisk(mut z), Member::Index(i)) => read_member(&mut z, *i, max),
            (Zip::InMemory(mut z), Member::Index(i)) => read_member(&mut z, *i, max),
            (Zip::OnDisk(z), Member::Entry { position, entry }) => {
                read_entry(z.into_inner(), *position, entry, max)
            }
            (Zip::InMemory(z), Member::Entry { position, entry }) => {
                read_entry(z.into_inner(), *position, entry, max)
            }
        }
    }
}

/// A member with its name, or with its raw name shown lossily when it cannot be decoded.
type Named = (Member, Result<String, String>);

fn decoded(
    name: zip::result::ZipResult<std::borrow::Cow<'_, str>>,
    raw: &[u8],
) -> Result<String, String> {
    name.map(|n| n.into_owned())
        .map_err(|_| String::from_utf8_lossy(raw).into_owned())
}

fn member_names<R: Read + Seek + Clone>(z: &zip::ZipArchive<R>) -> Result<Vec<Named>, String> {
    if z.has_duplicate_names() {
        return all_member_names(z);
    }
    Ok(z.file_names()
        .zip(z.file_names_raw())
        .enumerate()
        .filter(|(_, (_, raw))| !raw.ends_with(b"/"))
        .map(|(i, (name, raw))| (Member::Index(i), decoded(name, raw)))
        .collect())
}

/// Every member of a zip in which some share a name. Its directory of names keeps one member
/// per name (two members named "sak.pdf" reported as one), so the central directory is walked
/// instead, and a member whose name repeats keeps its own entry to be read by.
fn all_member_names<R: Read + Seek + Clone>(z: &zip::ZipArchive<R>) -> Result<Vec<Named>, String> {
    let reader = z.clone().into_inner();
    let mut all = zip::unstable::read::ZipIterable::try_new(reader, Default::default())
        .map_err(|e| format!("broken zip: {e}"))?;
    let mut entries = Vec::new();
    for entry in all.files().map_err(|e| format!("broken zip: {e}"))? {
        let entry = entry.map_err(|e| format!("broken zip: {e}"))?;
        entries.push(zip::read::OwnedZipFileEntry::from(entry));
    }
    let mut count: HashMap<&[u8], usize> = HashMap::new();
    for e in &entries {
        *count.entry(e.name_raw()).or_default() += 1;
    }
    let repeated: HashSet<Vec<u8>> = count
        .into_iter()
        .filter(|&(_, n)| n > 1)
        .map(|(raw, _)| raw.to_vec())
        .collect();
    Ok(entries
        .into_iter()
        .enumerate()
        .filter(|(_, e)| !e.name_raw().ends_with(b"/"))
        .filter_map(|(position, e)| {
            let raw = e.name_raw().to_vec();
            let name = decoded(e.name(), &raw);
            let member = if repeated.contains(&raw) {
                Member::Entry {
                    position,
                    entry: Arc::new(e),
                }
            } else {
                Member::Index(z.index_for_name_raw(&raw)?)
            };
            Some((member, name))
        })
        .collect())
}

/// Inflates a member of the zip `reader` holds from its central-directory entry.
fn read_entry<R: Read + Seek>(
    mut reader: R,
    position: usize,
    entry: &zip::read::OwnedZipFileEntry,
    max: usize,
) -> Result<Vec<u8>, String> {
    let member = entry
        .as_ref()
        .with_reader(&mut reader, zip::ZipReadOptions::new())
        .map_err(|e| format!("cannot read member {} of the zip: {e}", position + 1))?;
    inflate(member, max, &format!("member {}", position + 1))
}

/// A file that many readers share, each at its own offset (positional reads), so one open
/// archive serves every member read without a lock.
#[derive(Debug, Clone)]
pub struct SharedFile {
    file: Arc<File>,
    pos: u64,
    len: u64,
}

impl SharedFile {
    fn open(path: &Path) -> Result<Self, String> {
        let (file, len) = open_regular(path)?;
        Ok(Self {
            file: Arc::new(file),
            pos: 0,
            len,
        })
    }
}

/// Opens a file to read it, if it is still a regular file, and returns its size. Discovery
/// looked at the path earlier, and it may have been swapped since for a FIFO (whose open and
/// reads wait for a writer forever) or a device: the open does not wait, and the type is
/// checked on the opened handle, so nothing can change it between the check and the read.
fn open_regular(path: &Path) -> Result<(File, u64), String> {
    use rustix::fs::OFlags;
    use std::os::unix::fs::OpenOptionsExt;
    let no_wait = (OFlags::NONBLOCK | OFlags::NOCTTY).bits() as i32;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(no_wait)
        .open(path)
        .map_err(|e| format!("cannot read: {e}"))?;
    let meta = file.metadata().map_err(|e| format!("cannot read: {e}"))?;
    if !meta.is_file() {
        return Err(NOT_REGULAR.into());
    }
    Ok((file, meta.len()))
}

/// Why a FIFO, a device or a socket is not read.
const NOT_REGULAR: &str = "not a regular file";

impl Read for SharedFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for SharedFile {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let pos = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = pos.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before the start")
        })?;
        Ok(self.pos)
    }
}

impl Found {
    /// Reads the bytes, refusing to read more than `max` (the caller reports "too large").
    pub fn read(&self, max: usize) -> Result<Vec<u8>, String> {
        match &self.source {
            Source::File(p) => {
                let (f, size) = open_regular(p)?;
                // Sized up front: growing by doubling copied each file about twice over.
                let mut buf = Vec::with_capacity((size as usize).min(max) + 1);
                f.take(max as u64 + 1)
                    .read_to_end(&mut buf)
                    .map_err(|e| format!("cannot read: {e}"))?;
                Ok(buf)
            }
            Source::Zip {
                archive,
                member,
                budget,
            } => budget.inflate(|| archive.read(member, max)),
            Source::Seen(reason) | Source::Unreadable(reason) => Err(reason.clone()),
        }
    }
}

fn read_member<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    index: usize,
    max: usize,
) -> Result<Vec<u8>, String> {
    let member = zip
        .by_index(index)
        .map_err(|e| format!("cannot read member {index} of the zip: {e}"))?;
    let name = member
        .name()
        .map_or_else(|_| format!("member {index}"), |n| n.into_owned());
    inflate(member, max, &name)
}

fn inflate<R: Read>(
    member: zip::read::ZipFile<'_, R>,
    max: usize,
    name: &str,
) -> Result<Vec<u8>, String> {
    let size = usize::try_from(member.size()).unwrap_or(usize::MAX);
    // The declared size sizes the buffer only up to the cap, as it may lie.
    let mut buf = Vec::with_capacity(size.min(max) + 1);
    // The declared size can lie (zip bombs); the cap applies to what is actually inflated.
    member
        .take(max as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| format!("cannot inflate {name}: {e}"))?;
    Ok(buf)
}

fn is_zip_name(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".zip")
}

fn file_name(origin: &str) -> String {
    origin
        .rsplit(['/', '\\', '!'])
        .next()
        .unwrap_or(origin)
        .to_owned()
}

/// Walks `roots` and sends every file found, in a stable order. Blocking: run it on a blocking
/// thread. Stops early when the receiver is gone (the run was interrupted).
pub fn discover(roots: &[PathBuf], tx: &mpsc::Sender<Found>, max_zip_bytes: usize) {
    let mut walker = Walker {
        tx,
        max_zip_bytes,
        ancestors: Vec::new(),
        folders: HashMap::new(),
        files: HashMap::new(),
    };
    for root in roots {
        if !walker.walk(root) {
            return;
        }
    }
}

fn send(tx: &mpsc::Sender<Found>, f: Found) -> bool {
    tx.blocking_send(f).is_ok()
}

fn unreadable(origin: &str, reason: String) -> Found {
    Found {
        filename: file_name(origin),
        origin: origin.to_owned(),
        source: Source::Unreadable(reason),
    }
}

/// A real folder or file: (device, inode).
type FileId = (u64, u64);

/// The state of one discovery. Symbolic links are followed, since archives link folders in
/// from elsewhere; every real folder and file is visited once, at the first path that leads
/// to it, whatever links lead to it again (links that fan out, two to the next folder at each
/// of 24 levels, made 8,191 paths of one file and a walk that doubled with every level).
struct Walker<'a> {
    tx: &'a mpsc::Sender<Found>,
    max_zip_bytes: usize,
    /// The folders being walked above the current path: a link to one of them is a loop.
    ancestors: Vec<FileId>,
    /// Folders and files visited, with the path they were visited at.
    folders: HashMap<FileId, String>,
    files: HashMap<FileId, String>,
}

impl Walker<'_> {
    fn send(&self, f: Found) -> bool {
        send(self.tx, f)
    }

    fn seen(&self, origin: String, reason: String) -> bool {
        self.send(Found {
            filename: file_name(&origin),
            origin,
            source: Source::Seen(reason),
        })
    }

    fn walk(&mut self, path: &Path) -> bool {
        use std::os::unix::fs::MetadataExt;
        let origin = path.display().to_string();
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => return self.send(unreadable(&origin, format!("cannot read: {e}"))),
        };
        let id = (meta.dev(), meta.ino());
        if meta.is_dir() {
            if self.ancestors.contains(&id) {
                let why = "a symbolic link to a folder that contains it; not followed".to_owned();
                return self.send(unreadable(&origin, why));
            }
            if let Some(first) = self.folders.get(&id) {
                let why = format!("the same folder as {first}, whose files are reported there");
                return self.seen(origin, why);
            }
            self.folders.insert(id, origin.clone());
            return self.walk_folder(path, &origin, id);
        }
        // A FIFO or a device would block the reader or never end.
        if !meta.is_file() {
            return self.send(unreadable(&origin, NOT_REGULAR.into()));
        }
        if let Some(first) = self.files.get(&id) {
            let why = format!("the same file as {first}");
            return self.seen(origin, why);
        }
        self.files.insert(id, origin.clone());
        if is_zip_name(&origin) {
            return walk_zip(path, &origin, self.tx, self.max_zip_bytes);
        }
        self.send(Found {
            filename: file_name(&origin),
            origin,
            source: Source::File(path.to_owned()),
        })
    }

    fn walk_folder(&mut self, path: &Path, origin: &str, id: FileId) -> bool {
        // What can be listed is walked; a listing error is reported once for the folder.
        let mut entries = Vec::new();
        let mut failed = None;
        match std::fs::read_dir(path) {
            Ok(rd) => {
                for e in rd {
                    match e {
                        Ok(e) => entries.push(e.path()),
                        Err(e) => failed = Some(e),
                    }
                }
            }
            Err(e) => failed = Some(e),
        }
        if let Some(e) = failed {
            let why = format!("cannot list directory: {e}");
            if !self.send(unreadable(origin, why)) {
                return false;
            }
        }
        entries.sort();
        self.ancestors.push(id);
        let finished = entries.iter().all(|e| self.walk(e));
        self.ancestors.pop();
        finished
    }
}

fn walk_zip(path: &Path, origin: &str, tx: &mpsc::Sender<Found>, max_zip_bytes: usize) -> bool {
    let opened = SharedFile::open(path).and_then(|f| {
        let budget = Arc::new(InflationBudget::for_zip_of(f.len));
        zip::ZipArchive::new(f)
            .map(|z| (z, budget))
            .map_err(|e| format!("broken zip: {e}"))
    });
    match opened {
        Ok((zip, budget)) => {
            let lister = ZipLister {
                tx,
                max_zip_bytes,
                budget,
            };
            lister.list(&Zip::OnDisk(zip), origin, 1)
        }
        Err(reason) => send(tx, unreadable(origin, reason)),
    }
}

/// Lists the members of one zip on disk and of the zips inside it.
struct ZipLister<'a> {
    tx: &'a mpsc::Sender<Found>,
    max_zip_bytes: usize,
    /// The zip on disk's budget, which the zips inside it share.
    budget: Arc<InflationBudget>,
}

impl ZipLister<'_> {
    /// Sends the members of `zip`, which sits `depth` archives deep, opening the zips inside it.
    fn list(&self, zip: &Zip, origin: &str, depth: usize) -> bool {
        let tx = self.tx;
        let mut names = match zip.names() {
            Ok(names) => names,
            Err(reason) => return send(tx, unreadable(origin, reason)),
        };
        let shown = |n: &Result<String, String>| match n {
            Ok(n) | Err(n) => n.clone(),
        };
        // Stable: members that share a name stay in the order the zip lists them.
        names.sort_by_key(|(_, n)| shown(n));
        let mut named = HashSet::new();
        for (member, name) in names {
            let mut member_origin = format!("{origin}!/{}", shown(&name));
            if !named.insert(member_origin.clone()) {
                // Another member has this name: each is reported on its own.
                if let Member::Entry { position, .. } = &member {
                    member_origin = format!("{member_origin} (member {})", position + 1);
                }
            }
            let unreadable = |reason: String| unreadable(&member_origin, reason);
            let Ok(name) = name else {
                if !send(tx, unreadable("the member's name cannot be decoded".into())) {
                    return false;
                }
                continue;
            };
            if !is_zip_name(&name) {
                let found = Found {
                    filename: file_name(&member_origin),
                    origin: member_origin.clone(),
                    source: Source::Zip {
                        archive: zip.clone(),
                        member,
                        budget: self.budget.clone(),
                    },
                };
                if !send(tx, found) {
                    return false;
                }
                continue;
            }
            if depth >= MAX_ZIP_DEPTH {
                if !send(tx, unreadable("zip nested too deeply".into())) {
                    return false;
                }
                continue;
            }
            // A nested zip's own bytes count too: inflating it is work, and it is held in memory.
            let inner = self
                .budget
                .inflate(|| zip.read(&member, self.max_zip_bytes));
            let inner = inner.and_then(|bytes| {
                if bytes.len() > self.max_zip_bytes {
                    return Err("nested zip too large".into());
                }
                zip::ZipArchive::new(Cursor::new(Arc::<[u8]>::from(bytes)))
                    .map_err(|e| format!("broken zip: {e}"))
            });
            let ok = match inner {
                Ok(inner) => self.list(&Zip::InMemory(inner), &member_origin, depth + 1),
                Err(reason) => send(tx, unreadable(reason)),
            };
            if !ok {
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in members {
            if name.ends_with('/') {
                w.add_directory(name.trim_end_matches('/'), opts)
                    .expect("dir");
                continue;
            }
            w.start_file(*name, opts).expect("entry");
            w.write_all(bytes).expect("write");
        }
        w.finish().expect("finish").into_inner()
    }

    fn found(root: &Path, max_zip: usize) -> Vec<Found> {
        let (tx, mut rx) = mpsc::channel(1000);
        discover(&[root.to_owned()], &tx, max_zip);
        drop(tx);
        let mut out = Vec::new();
        while let Ok(f) = rx.try_recv() {
            out.push(f);
        }
        out
    }

    /// Each file's origin below `base`, and what reading it gives.
    fn read_all(files: &[Found], base: &Path) -> Vec<(String, Result<Vec<u8>, String>)> {
        let base = base.display().to_string();
        files
            .iter()
            .map(|f| {
                let origin = f.origin.strip_prefix(&base).expect("below the root");
                (origin.to_owned(), f.read(1 << 20))
            })
            .collect()
    }

    #[test]
    fn zips_and_the_zips_inside_them_are_read_member_by_member() {
        let dir = tempfile::tempdir().expect("tmp");
        let too_deep = zip_of(&[("w.pdf", b"%PDF w")]);
        let deepest = zip_of(&[("z.pdf", b"%PDF z"), ("d5.zip", &too_deep)]);
        let level3 = zip_of(&[("y.pdf", b"%PDF y"), ("d4.zip", &deepest)]);
        let level2 = zip_of(&[("x.pdf", b"%PDF x"), ("d3.zip", &level3)]);
        let outer = zip_of(&[
            ("b/2.pdf", b"%PDF two"),
            ("a.pdf", b"%PDF one"),
            ("tom/", b""),
            ("inner.zip", &level2),
            ("broken.zip", b"not a zip at all"),
        ]);
        std::fs::write(dir.path().join("arkiv.zip"), outer).expect("write");
        std::fs::write(dir.path().join("c.pdf"), b"%PDF three").expect("write");

        let files = found(dir.path(), 1 << 20);
        let got = read_all(&files, dir.path());
        let want: Vec<(&str, Result<&[u8], &str>)> = vec![
            ("/arkiv.zip!/a.pdf", Ok(b"%PDF one")),
            ("/arkiv.zip!/b/2.pdf", Ok(b"%PDF two")),
            ("/arkiv.zip!/broken.zip", Err("broken zip")),
            (
                "/arkiv.zip!/inner.zip!/d3.zip!/d4.zip!/d5.zip",
                Err("zip nested too deeply"),
            ),
            (
                "/arkiv.zip!/inner.zip!/d3.zip!/d4.zip!/z.pdf",
                Ok(b"%PDF z"),
            ),
            ("/arkiv.zip!/inner.zip!/d3.zip!/y.pdf", Ok(b"%PDF y")),
            ("/arkiv.zip!/inner.zip!/x.pdf", Ok(b"%PDF x")),
            ("/c.pdf", Ok(b"%PDF three")),
        ];
        assert_eq!(got.len(), want.len(), "{got:?}");
        for ((origin, bytes), (want_origin, want_bytes)) in got.iter().zip(&want) {
            assert_eq!(origin, want_origin);
            match (bytes, want_bytes) {
                (Ok(b), Ok(w)) => assert_eq!(b.as_slice(), *w, "{origin}"),
                (Err(e), Err(w)) => assert!(e.starts_with(w), "{origin}: {e}"),
                other => panic!("{origin}: {other:?}"),
            }
        }
        assert_eq!(files[1].filename, "2.pdf");
        // Reads are independent: the same member twice, and out of order.
        assert_eq!(files[6].read(1 << 20).unwrap(), b"%PDF x");
        assert_eq!(files[0].read(1 << 20).unwrap(), b"%PDF one");
    }

    #[test]
    fn a_member_is_inflated_only_up_to_the_cap() {
        let dir = tempfile::tempdir().expect("tmp");
        let big = vec![b'0'; 100_000];
        let inner = zip_of(&[("i.pdf", b"%PDF i")]);
        let outer = zip_of(&[("big.pdf", &big), ("inner.zip", &inner)]);
        std::fs::write(dir.path().join("a.zip"), outer).expect("write");
        let files = found(dir.path(), 64);
        // One byte past the cap tells the caller the file is too large.
        assert_eq!(files[0].read(1000).unwrap().len(), 1001);
        assert!(files[0].origin.ends_with("!/big.pdf"));
        let Source::Unreadable(why) = &files[1].source else {
            panic!("a nested zip over its cap is not opened: {:?}", files[1]);
        };
        assert_eq!(why, "nested zip too large");
    }

    #[test]
    fn linked_folders_are_walked_and_a_link_back_up_is_reported() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path().join("arkiv");
        let elsewhere = dir.path().join("andre");
        std::fs::create_dir_all(root.join("2024")).expect("mkdir");
        std::fs::create_dir_all(&elsewhere).expect("mkdir");
        std::fs::write(root.join("2024/a.pdf"), b"%PDF a").expect("write");
        std::fs::write(elsewhere.join("b.pdf"), b"%PDF b").expect("write");
        std::os::unix::fs::symlink(&elsewhere, root.join("lenke")).expect("link");
        std::os::unix::fs::symlink(&root, root.join("2024/opp")).expect("link");
        std::os::unix::fs::symlink(root.join("borte.pdf"), root.join("brutt.pdf")).expect("link");
        let fifo = root.join("kø");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success());

        let files = found(&root, 1 << 20);
        let got = read_all(&files, &root);
        let origins: Vec<&str> = got.iter().map(|(o, _)| o.as_str()).collect();
        assert_eq!(
            origins,
            [
                "/2024/a.pdf",
                "/2024/opp",
                "/brutt.pdf",
                "/kø",
                "/lenke/b.pdf"
            ]
        );
        assert_eq!(got[0].1.as_deref(), Ok(&b"%PDF a"[..]));
        assert!(got[1].1.as_ref().unwrap_err().contains("symbolic link"));
        assert!(got[2].1.as_ref().unwrap_err().starts_with("cannot read"));
        assert_eq!(got[3].1.as_ref().unwrap_err(), "not a regular file");
        assert_eq!(got[4].1.as_deref(), Ok(&b"%PDF b"[..]));
    }

    /// Runs `f` on a thread of its own and waits at most 20 s for it: the inputs these tests
    /// use once made discovery or reading wait forever.
    fn within_20_s<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(f());
        });
        rx.recv_timeout(std::time::Duration::from_secs(20))
            .expect("finished within 20 s instead of hanging")
    }

    fn mkfifo(path: &Path) {
        assert!(std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .expect("mkfifo")
            .success());
    }

    #[test]
    fn a_file_swapped_for_a_fifo_after_discovery_is_refused_not_waited_on() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("sak.pdf");
        std::fs::write(&path, b"%PDF sak").expect("write");
        let files = found(dir.path(), 1 << 20);
        assert!(matches!(files[0].source, Source::File(_)), "{files:?}");
        // Between discovery and reading, the file becomes a FIFO nobody writes to.
        std::fs::remove_file(&path).expect("rm");
        mkfifo(&path);
        let file = files[0].clone();
        let read = within_20_s(move || file.read(1 << 20));
        assert_eq!(read, Err(NOT_REGULAR.to_owned()));
    }

    #[test]
    fn links_that_fan_out_lead_to_each_folder_and_file_once() {
        // Each level links to the next twice: 2^24 paths to the last folder's file.
        let dir = tempfile::tempdir().expect("tmp");
        let levels = 24;
        for k in 0..=levels {
            std::fs::create_dir(dir.path().join(format!("n{k}"))).expect("mkdir");
        }
        for k in 0..levels {
            let next = dir.path().join(format!("n{}", k + 1));
            for link in ["a", "b"] {
                std::os::unix::fs::symlink(&next, dir.path().join(format!("n{k}/{link}")))
                    .expect("link");
            }
        }
        let last = dir.path().join(format!("n{levels}"));
        std::fs::write(last.join("sak.pdf"), b"%PDF sak").expect("write");
        std::os::unix::fs::symlink(last.join("sak.pdf"), last.join("kopi.pdf")).expect("link");
        std::fs::hard_link(last.join("sak.pdf"), last.join("hard.pdf")).expect("link");
        let root = dir.path().join("n0");
        let files = within_20_s(move || found(&root, 1 << 20));
        let read: Vec<&Found> = files
            .iter()
            .filter(|f| matches!(f.source, Source::File(_)))
            .collect();
        assert_eq!(read.len(), 1, "{files:?}");
        assert!(
            read[0].origin.ends_with("/hard.pdf"),
            "the first path in order"
        );
        let seen: Vec<&str> = files
            .iter()
            .filter_map(|f| match &f.source {
                Source::Seen(why) => Some(why.as_str()),
                _ => None,
            })
            .collect();
        // Every second link to a folder, and the two other names of the file.
        assert_eq!(seen.len(), levels + 2, "{files:?}");
        assert_eq!(files.len(), levels + 3);
        assert!(seen.iter().any(|w| w.starts_with("the same folder as ")));
        assert!(seen.iter().any(|w| w.starts_with("the same file as ")));
    }

    /// A zip with two members named `sak.pdf`, which `ZipWriter` refuses to write: written
    /// under two names of the same length, then renamed in place.
    fn zip_with_a_repeated_name() -> Vec<u8> {
        let mut bytes = zip_of(&[
            ("sak.pdf", b"%PDF first"),
            ("sak.pdX", b"%PDF second"),
            ("annen.pdf", b"%PDF other"),
        ]);
        let mut at = 0;
        while let Some(i) = bytes[at..].windows(7).position(|w| w == b"sak.pdX") {
            bytes[at + i + 6] = b'f';
            at += i + 7;
        }
        bytes
    }

    #[test]
    fn members_that_share_a_name_are_each_found_and_read() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::write(dir.path().join("a.zip"), zip_with_a_repeated_name()).expect("write");
        let files = found(dir.path(), 1 << 20);
        let got = read_all(&files, dir.path());
        let want: Vec<(&str, &[u8])> = vec![
            ("/a.zip!/annen.pdf", b"%PDF other"),
            ("/a.zip!/sak.pdf", b"%PDF first"),
            ("/a.zip!/sak.pdf (member 2)", b"%PDF second"),
        ];
        let got: Vec<(&str, Vec<u8>)> = got
            .iter()
            .map(|(o, b)| (o.as_str(), b.clone().expect("readable")))
            .collect();
        let want: Vec<(&str, Vec<u8>)> = want.into_iter().map(|(o, b)| (o, b.to_vec())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn thousands_of_members_with_one_name_are_read_each_in_one_step() {
        // Each member keeps its own entry: reading one does not walk the entries before it.
        let n = 5000;
        let names: Vec<String> = (0..n).map(|i| format!("a{i:04}.pdf")).collect();
        let members: Vec<(&str, &[u8])> =
            names.iter().map(|m| (m.as_str(), &b"%PDF"[..])).collect();
        let mut bytes = zip_of(&members);
        let mut at = 0;
        while let Some(i) = bytes[at..]
            .windows(5)
            .position(|w| w == b".pdf\x00" || w == b".pdfP")
        {
            let start = at + i - 5;
            if bytes[start] == b'a' && bytes[start + 1..start + 5].iter().all(u8::is_ascii_digit) {
                bytes[start..start + 5].copy_from_slice(b"samme");
            }
            at += i + 4;
        }
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::write(dir.path().join("a.zip"), bytes).expect("write");
        let root = dir.path().to_owned();
        let read = within_20_s(move || {
            // More files than `found`'s channel holds: read them as they come.
            let (tx, mut rx) = mpsc::channel(16);
            std::thread::spawn(move || discover(&[root], &tx, 1 << 20));
            let (mut count, mut ok, mut last) = (0, 0, None);
            while let Some(f) = rx.blocking_recv() {
                count += 1;
                ok += usize::from(f.read(1 << 20).is_ok());
                last = Some(f.origin);
            }
            (count, ok, last)
        });
        assert_eq!((read.0, read.1), (n, n));
        assert!(read
            .2
            .expect("files")
            .ends_with(&format!("samme.pdf (member {n})")));
    }

    #[test]
    fn a_zip_is_inflated_only_up_to_its_budget_and_the_rest_is_refused() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut junk = b"%PDF-1.4\n".to_vec();
        junk.resize(1 << 20, 0);
        let members: Vec<(String, &[u8])> = (0..30)
            .map(|i| (format!("{i:02}.pdf"), junk.as_slice()))
            .collect();
        let members: Vec<(&str, &[u8])> = members.iter().map(|(n, b)| (n.as_str(), *b)).collect();
        let zip = zip_of(&members);
        // A few kilobytes inflating to 30 MiB: far past 50 times its size, so the floor holds.
        assert!((zip.len() as u64) * MAX_ZIP_INFLATION < ZIP_INFLATION_FLOOR);
        std::fs::write(dir.path().join("bombe.zip"), zip).expect("write");
        let files = found(dir.path(), 64 << 20);
        assert_eq!(files.len(), 30);
        let results: Vec<Result<Vec<u8>, String>> = files.iter().map(|f| f.read(2 << 20)).collect();
        let fits = (ZIP_INFLATION_FLOOR / (1 << 20)) as usize;
        assert!(results[..fits].iter().all(|r| r.is_ok()));
        for r in &results[fits..] {
            let why = r.as_ref().expect_err("over the budget");
            assert!(
                why.contains("inflate to more than 50 times its size"),
                "{why}"
            );
        }
    }
}
