//! Finding the files of an ingest: directories walked recursively, zip archives opened (also
//! zips inside zips), each file named by its origin path (`dir/a.zip!/inner/b.pdf`).

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

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
    /// A member of a zip; `members` descends through nested zips.
    Zip {
        archive: PathBuf,
        members: Vec<String>,
    },
    /// Discovery could not read it (permissions, a broken archive): reported as failed.
    Unreadable(String),
}

impl Found {
    /// Reads the bytes, refusing to read more than `max` (the caller reports "too large").
    pub fn read(&self, max: usize) -> Result<Vec<u8>, String> {
        match &self.source {
            Source::File(p) => {
                let f = std::fs::File::open(p).map_err(|e| format!("cannot read: {e}"))?;
                // Sized up front: growing by doubling copied each file about twice over.
                let size = f.metadata().map_or(0, |m| m.len() as usize);
                let mut buf = Vec::with_capacity(size.min(max) + 1);
                f.take(max as u64 + 1)
                    .read_to_end(&mut buf)
                    .map_err(|e| format!("cannot read: {e}"))?;
                Ok(buf)
            }
            Source::Zip { archive, members } => {
                let f = std::fs::File::open(archive).map_err(|e| format!("cannot read: {e}"))?;
                let mut zip = zip::ZipArchive::new(f).map_err(|e| format!("broken zip: {e}"))?;
                let Some((first, rest)) = members.split_first() else {
                    return Err("empty member path".into());
                };
                let mut bytes = read_member(&mut zip, first, max)?;
                for m in rest {
                    let mut inner = zip::ZipArchive::new(Cursor::new(bytes))
                        .map_err(|e| format!("broken zip: {e}"))?;
                    bytes = read_member(&mut inner, m, max)?;
                }
                Ok(bytes)
            }
            Source::Unreadable(reason) => Err(reason.clone()),
        }
    }
}

fn read_member<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
    max: usize,
) -> Result<Vec<u8>, String> {
    let member = zip
        .by_name(name)
        .map_err(|e| format!("cannot read {name} in the zip: {e}"))?;
    let mut buf = Vec::new();
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
        if !walk(root, tx, max_zip_bytes) {
            return;
        }
    }
}

fn send(tx: &mpsc::Sender<Found>, f: Found) -> bool {
    tx.blocking_send(f).is_ok()
}

fn walk(path: &Path, tx: &mpsc::Sender<Found>, max_zip_bytes: usize) -> bool {
    let origin = path.display().to_string();
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) => {
            return send(
                tx,
                Found {
                    filename: file_name(&origin),
                    origin,
                    source: Source::Unreadable(format!("cannot read: {e}")),
                },
            )
        }
    };
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                return send(
                    tx,
                    Found {
                        filename: file_name(&origin),
                        origin,
                        source: Source::Unreadable(format!("cannot list directory: {e}")),
                    },
                )
            }
        };
        entries.sort();
        for e in entries {
            if !walk(&e, tx, max_zip_bytes) {
                return false;
            }
        }
        return true;
    }
    // Symlinks to directories are not followed (they can loop); links to files are read.
    if meta.file_type().is_symlink() && path.is_dir() {
        return true;
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
    let opened = std::fs::File::open(path)
        .map_err(|e| format!("cannot read: {e}"))
        .and_then(|f| zip::ZipArchive::new(f).map_err(|e| format!("broken zip: {e}")));
    match opened {
        Ok(mut zip) => list_zip(&mut zip, path, origin, &[], tx, max_zip_bytes),
        Err(reason) => send(
            tx,
            Found {
                filename: file_name(origin),
                origin: origin.to_owned(),
                source: Source::Unreadable(reason),
            },
        ),
    }
}

fn list_zip<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    archive: &Path,
    origin: &str,
    parents: &[String],
    tx: &mpsc::Sender<Found>,
    max_zip_bytes: usize,
) -> bool {
    let mut names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .filter(|n| !n.ends_with('/'))
        .collect();
    names.sort();
    for name in names {
        let member_origin = format!("{origin}!/{name}");
        let mut members = parents.to_vec();
        members.push(name.clone());
        if is_zip_name(&name) {
            if members.len() >= MAX_ZIP_DEPTH {
                if !send(
                    tx,
                    Found {
                        filename: file_name(&member_origin),
                        origin: member_origin,
                        source: Source::Unreadable("zip nested too deeply".into()),
                    },
                ) {
                    return false;
                }
                continue;
            }
            let inner = read_member(zip, &name, max_zip_bytes).and_then(|bytes| {
                if bytes.len() > max_zip_bytes {
                    return Err("nested zip too large".into());
                }
                zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("broken zip: {e}"))
            });
            let ok = match inner {
                Ok(mut inner) => list_zip(
                    &mut inner,
                    archive,
                    &member_origin,
                    &members,
                    tx,
                    max_zip_bytes,
                ),
                Err(reason) => send(
                    tx,
                    Found {
                        filename: file_name(&member_origin),
                        origin: member_origin,
                        source: Source::Unreadable(reason),
                    },
                ),
            };
            if !ok {
                return false;
            }
            continue;
        }
        if !send(
            tx,
            Found {
                filename: file_name(&member_origin),
                origin: member_origin,
                source: Source::Zip {
                    archive: archive.to_owned(),
                    members,
                },
            },
        ) {
            return false;
        }
    }
    true
}
