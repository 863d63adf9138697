//! Content-addressed file storage: a file lives at `blobs/ab/cdef…` named by its sha256, so
//! storing the same bytes twice is a no-op and a stored file can never be silently changed.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::IngestError;

/// How long a temporary file must be untouched before it counts as left behind.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(3600);

#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

/// Bytes written into the store but not yet under their hash (see [`BlobStore::stage`]).
#[derive(Debug)]
pub struct Staged {
    sha256: String,
    path: tempfile::TempPath,
}

impl Staged {
    pub fn sha256(&self) -> &str {
        &self.sha256
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl BlobStore {
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, IngestError> {
        let root = root.into();
        std::fs::create_dir_all(root.join("tmp"))?;
        let store = Self { root };
        store.remove_stale_temporaries(STALE_AFTER);
        Ok(store)
    }

    /// A process killed while writing a blob leaves its temporary file behind. Another process
    /// may be writing one right now (a server and a bulk run share the store), so only files
    /// untouched for `age` go.
    fn remove_stale_temporaries(&self, age: std::time::Duration) -> usize {
        let Ok(entries) = std::fs::read_dir(self.root.join("tmp")) else {
            return 0;
        };
        let now = std::time::SystemTime::now();
        let mut removed = 0;
        for e in entries.flatten() {
            let stale = e
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| now.duration_since(t).unwrap_or_default() > age);
            if stale && std::fs::remove_file(e.path()).is_ok() {
                removed += 1;
            }
        }
        if removed > 0 {
            tracing::info!(
                removed,
                "removed temporary files left by an interrupted write"
            );
        }
        removed
    }

    pub fn path_of(&self, sha256: &str) -> Result<PathBuf, IngestError> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(IngestError::Internal(format!("not a sha256: {sha256:?}")));
        }
        Ok(self.root.join(&sha256[..2]).join(&sha256[2..]))
    }

    /// Writes the bytes under their hash. The file appears complete or not at all: it is
    /// written to a temporary name, synced, then renamed into place.
    pub fn put(&self, sha256: &str, bytes: &[u8]) -> Result<PathBuf, IngestError> {
        let dest = self.path_of(sha256)?;
        if dest.exists() {
            return Ok(dest);
        }
        std::fs::create_dir_all(dest.parent().unwrap_or(Path::new(".")))?;
        self.write_temporary(bytes)?
            .persist(&dest)
            .map_err(|e| IngestError::Io(e.error))?;
        Ok(dest)
    }

    fn write_temporary(&self, bytes: &[u8]) -> Result<tempfile::NamedTempFile, IngestError> {
        let mut tmp = tempfile::NamedTempFile::new_in(self.root.join("tmp"))?;
        tmp.write_all(bytes)?;
        tmp.as_file().sync_all()?;
        Ok(tmp)
    }

    /// True when a file with this hash is stored.
    pub fn contains(&self, sha256: &str) -> Result<bool, IngestError> {
        Ok(self.path_of(sha256)?.exists())
    }

    /// Writes the bytes to a temporary file of the store, synced but not yet under their hash,
    /// so nothing can find them until [`BlobStore::publish`]; dropped unpublished, it is
    /// removed. Holds no open file, so thousands can wait together.
    pub fn stage(&self, sha256: &str, bytes: &[u8]) -> Result<Staged, IngestError> {
        self.path_of(sha256)?;
        Ok(Staged {
            sha256: sha256.to_owned(),
            path: self.write_temporary(bytes)?.into_temp_path(),
        })
    }

    /// Moves a staged file under its hash. True when that created the stored file; false when
    /// the store had it already (another writer stored the same bytes meanwhile), which is
    /// then not this caller's to remove.
    pub fn publish(&self, staged: Staged) -> Result<bool, IngestError> {
        let dest = self.path_of(&staged.sha256)?;
        std::fs::create_dir_all(dest.parent().unwrap_or(Path::new(".")))?;
        match staged.path.persist_noclobber(&dest) {
            Ok(()) => Ok(true),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(IngestError::Io(e.error)),
        }
    }

    /// Removes a stored file. Only for one the caller published and no row refers to: stored
    /// files are otherwise never removed while a document has them.
    pub fn remove(&self, sha256: &str) -> Result<(), IngestError> {
        match std::fs::remove_file(self.path_of(sha256)?) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    pub fn get(&self, sha256: &str) -> Result<Vec<u8>, IngestError> {
        Ok(std::fs::read(self.path_of(sha256)?)?)
    }
}

/// The bytes of a file looked at before it is stored: enough to tell a PDF by its header.
pub const HEAD_BYTES: usize = 1024;

impl BlobStore {
    /// Copies `reader` into the store while hashing it, so a file of any size is read once
    /// and never held in memory whole (an upload of 100 MB once cost 420 MB). `check` sees
    /// the first [`HEAD_BYTES`] (fewer for a shorter file) before anything is written; more
    /// than `max_bytes` is refused. Nothing is left behind on any error. Returns the hash and
    /// the size.
    pub fn put_reader(
        &self,
        mut reader: impl std::io::Read,
        max_bytes: u64,
        check: impl FnOnce(&[u8]) -> Result<(), IngestError>,
    ) -> Result<(String, u64), IngestError> {
        let mut head = Vec::with_capacity(HEAD_BYTES);
        (&mut reader)
            .take(HEAD_BYTES as u64)
            .read_to_end(&mut head)?;
        check(&head)?;
        let mut tmp = tempfile::NamedTempFile::new_in(self.root.join("tmp"))?;
        let mut hasher = Sha256::new();
        hasher.update(&head);
        tmp.write_all(&head)?;
        let mut size = head.len() as u64;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            };
            size += n as u64;
            if size > max_bytes {
                return Err(IngestError::TooLarge(format!(
                    "too large: over the limit of {max_bytes} bytes"
                )));
            }
            hasher.update(&buf[..n]);
            tmp.write_all(&buf[..n])?;
        }
        let sha = hex::encode(hasher.finalize());
        let dest = self.path_of(&sha)?;
        if !dest.exists() {
            std::fs::create_dir_all(dest.parent().unwrap_or(Path::new(".")))?;
            tmp.as_file().sync_all()?;
            tmp.persist(&dest).map_err(|e| IngestError::Io(e.error))?;
        }
        Ok((sha, size))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_is_idempotent_and_addressed_by_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let h = sha256_hex(b"%PDF-1.4 hello");
        let p1 = store.put(&h, b"%PDF-1.4 hello").unwrap();
        let p2 = store.put(&h, b"%PDF-1.4 hello").unwrap();
        assert_eq!(p1, p2);
        assert_eq!(store.get(&h).unwrap(), b"%PDF-1.4 hello");
        assert!(p1.ends_with(&h[2..]));
        assert!(store.path_of("../etc/passwd").is_err());
    }

    #[test]
    fn temporaries_left_by_a_killed_write_are_removed_and_fresh_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let tmp = dir.path().join("tmp");
        let old = tmp.join(".tmpOLD");
        let fresh = tmp.join(".tmpNEW");
        let leave_old = || {
            std::fs::write(&old, b"%PDF-1.4 half").unwrap();
            let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
            std::fs::File::options()
                .write(true)
                .open(&old)
                .unwrap()
                .set_modified(two_hours_ago)
                .unwrap();
        };
        leave_old();
        std::fs::write(&fresh, b"%PDF-1.4 being written").unwrap();
        assert_eq!(store.remove_stale_temporaries(STALE_AFTER), 1);
        assert!(!old.exists());
        assert!(
            fresh.exists(),
            "a write in progress elsewhere is left alone"
        );
        // Opening the store does the same.
        leave_old();
        BlobStore::open(dir.path()).unwrap();
        assert!(!old.exists());
        assert!(fresh.exists());
    }

    #[test]
    fn a_streamed_file_is_stored_once_under_its_hash_and_refusals_leave_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let bytes: Vec<u8> = b"%PDF-1.7\n"
            .iter()
            .copied()
            .chain((0..600_000u32).map(|i| (i % 251) as u8))
            .collect();
        let pdf = |head: &[u8]| {
            if head.starts_with(b"%PDF-") {
                Ok(())
            } else {
                Err(IngestError::Rejected("not a PDF".into()))
            }
        };
        let (sha, size) = store.put_reader(&bytes[..], 1 << 20, pdf).unwrap();
        assert_eq!(sha, sha256_hex(&bytes));
        assert_eq!(size, bytes.len() as u64);
        assert_eq!(store.get(&sha).unwrap(), bytes);
        // Again: the same address, still one file.
        assert_eq!(store.put_reader(&bytes[..], 1 << 20, pdf).unwrap().0, sha);
        let too_large = store.put_reader(&bytes[..], 100_000, pdf);
        assert!(matches!(too_large, Err(IngestError::TooLarge(m)) if m.contains("too large")));
        let not_pdf = store.put_reader(&b"GIF89a"[..], 1 << 20, pdf);
        assert!(not_pdf.is_err());
        let leftovers = std::fs::read_dir(dir.path().join("tmp")).unwrap().count();
        assert_eq!(leftovers, 0, "refused writes leave no temporary file");
    }
}
