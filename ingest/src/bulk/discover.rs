//! Finding the files of an ingest: directories walked recursively, zip archives opened (also
//! zips inside zips), each file named by its origin path (`dir/a.zip!/inner/b.pdf`).

use std::fs::File;
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::mpsc;

/// Zips nested deeper than this are reported, not opened.
const MAX_ZIP_DEPTH: usize = 4;

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
        member: usize,
    },
    /// Discovery could not read it (permissions, a broken archive): reported as failed.
    Unreadable(String),
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
    /// The members that are files, by index in the central directory (as `by_index` counts),
    /// each with its name, or with its raw name shown lossily when the name cannot be decoded.
    fn names(&self) -> Vec<(usize, Result<String, String>)> {
        match self {
            Zip::OnDisk(z) => member_names(z),
            Zip::InMemory(z) => member_names(z),
        }
    }

    /// Inflates member `index`, refusing to inflate more than `max` bytes.
    fn read(&self, index: usize, max: usize) -> Result<Vec<u8>, String> {
        // A clone shares the parsed directory and gets its own read position.
        match self.clone() {
            Zip::OnDisk(mut z) => read_member(&mut z, index, max),
            Zip::InMemory(mut z) => read_member(&mut z, index, max),
        }
    }
}

fn member_names<R: Read + Seek>(z: &zip::ZipArchive<R>) -> Vec<(usize, Result<String, String>)> {
    z.file_names()
        .zip(z.file_names_raw())
        .enumerate()
        .filter(|(_, (_, raw))| !raw.ends_with(b"/"))
        .map(|(i, (name, raw))| {
            let name = name
                .map(|n| n.into_owned())
                .map_err(|_| String::from_utf8_lossy(raw).into_owned());
            (i, name)
        })
        .collect()
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
    fn open(path: &Path) -> std::io::Result<Self> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        Ok(Self {
            file: Arc::new(file),
            pos: 0,
            len,
        })
    }
}

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
                let f = File::open(p).map_err(|e| format!("cannot read: {e}"))?;
                // Sized up front: growing by doubling copied each file about twice over.
                let size = f.metadata().map_or(0, |m| m.len() as usize);
                let mut buf = Vec::with_capacity(size.min(max) + 1);
                f.take(max as u64 + 1)
                    .read_to_end(&mut buf)
                    .map_err(|e| format!("cannot read: {e}"))?;
                Ok(buf)
            }
            Source::Zip { archive, member } => archive.read(*member, max),
            Source::Unreadable(reason) => Err(reason.clone()),
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
    for root in roots {
        if !walk(root, tx, max_zip_bytes, &mut Vec::new()) {
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

/// `ancestors` are the folders (device, inode) being walked above `path`: symbolic links are
/// followed, since archives link folders in from elsewhere, and one that leads back up is
/// reported instead of walked forever.
fn walk(
    path: &Path,
    tx: &mpsc::Sender<Found>,
    max_zip_bytes: usize,
    ancestors: &mut Vec<(u64, u64)>,
) -> bool {
    use std::os::unix::fs::MetadataExt;
    let origin = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return send(tx, unreadable(&origin, format!("cannot read: {e}"))),
    };
    if meta.is_dir() {
        let id = (meta.dev(), meta.ino());
        if ancestors.contains(&id) {
            let why = "a symbolic link to a folder that contains it; not followed".to_owned();
            return send(tx, unreadable(&origin, why));
        }
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
            if !send(tx, unreadable(&origin, why)) {
                return false;
            }
        }
        entries.sort();
        ancestors.push(id);
        let finished = entries
            .iter()
            .all(|e| walk(e, tx, max_zip_bytes, ancestors));
        ancestors.pop();
        return finished;
    }
    // A FIFO or a device would block the reader or never end.
    if !meta.is_file() {
        return send(tx, unreadable(&origin, "not a regular file".into()));
    }
    if is_zip_name(&origin) {
        return walk_zip(path, &origin, tx, max_zip_bytes);
    }
    send(
        tx,
        Found {
            filename: file_name(&origin),
            origin,
            source: Source::File(path.to_owned()),
        },
    )
}

fn walk_zip(path: &Path, origin: &str, tx: &mpsc::Sender<Found>, max_zip_bytes: usize) -> bool {
    let opened = SharedFile::open(path)
        .map_err(|e| format!("cannot read: {e}"))
        .and_then(|f| zip::ZipArchive::new(f).map_err(|e| format!("broken zip: {e}")));
    match opened {
        Ok(zip) => list_zip(&Zip::OnDisk(zip), origin, 1, tx, max_zip_bytes),
        Err(reason) => send(tx, unreadable(origin, reason)),
    }
}

/// Sends the members of `zip`, which sits `depth` archives deep, opening the zips inside it.
fn list_zip(
    zip: &Zip,
    origin: &str,
    depth: usize,
    tx: &mpsc::Sender<Found>,
    max_zip_bytes: usize,
) -> bool {
    let mut names = zip.names();
    let shown = |n: &Result<String, String>| match n {
        Ok(n) | Err(n) => n.clone(),
    };
    names.sort_by_key(|(_, n)| shown(n));
    for (index, name) in names {
        let member_origin = format!("{origin}!/{}", shown(&name));
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
                    member: index,
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
        let inner = zip.read(index, max_zip_bytes).and_then(|bytes| {
            if bytes.len() > max_zip_bytes {
                return Err("nested zip too large".into());
            }
            zip::ZipArchive::new(Cursor::new(Arc::<[u8]>::from(bytes)))
                .map_err(|e| format!("broken zip: {e}"))
        });
        let ok = match inner {
            Ok(inner) => list_zip(
                &Zip::InMemory(inner),
                &member_origin,
                depth + 1,
                tx,
                max_zip_bytes,
            ),
            Err(reason) => send(tx, unreadable(reason)),
        };
        if !ok {
            return false;
        }
    }
    true
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
}
