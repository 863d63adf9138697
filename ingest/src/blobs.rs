//! Content-addressed file storage: a file lives at `blobs/ab/cdef…` named by its sha256, so
//! storing the same bytes twice is a no-op and a stored file can never be silently changed.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::IngestError;

#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl BlobStore {
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, IngestError> {
        let root = root.into();
        std::fs::create_dir_all(root.join("tmp"))?;
        Ok(Self { root })
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
        let mut tmp = tempfile::NamedTempFile::new_in(self.root.join("tmp"))?;
        tmp.write_all(bytes)?;
        tmp.as_file().sync_all()?;
        tmp.persist(&dest).map_err(|e| IngestError::Io(e.error))?;
        Ok(dest)
    }

    pub fn get(&self, sha256: &str) -> Result<Vec<u8>, IngestError> {
        Ok(std::fs::read(self.path_of(sha256)?)?)
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
}
