//! Metadata an archivist supplies for listed files (CSV: path, title, kind, organization, date),
//! and what a file name itself tells ("Vedlegg 2 til sak 24.25.pdf").

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use planarkiv_schema::case_number::appendix_number_in;

use crate::entities::case_number::find_case_numbers;

use crate::store::DocumentMeta;
use crate::IngestError;

#[derive(Debug, Default)]
pub struct Manifest {
    /// Keyed by the normalised origin (absolute path, `!/` for archive members).
    by_origin: HashMap<String, DocumentMeta>,
    /// Rows whose path is a bare file name match any file of that name.
    by_name: HashMap<String, DocumentMeta>,
}

#[derive(Debug, serde::Deserialize)]
struct Row {
    path: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    organization: Option<String>,
    #[serde(default)]
    date: Option<String>,
}

fn blank_to_none(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl Manifest {
    /// Reads the CSV; relative paths are relative to the manifest's own folder. A malformed row
    /// or date fails the whole manifest: wrong metadata is worse than none.
    pub fn load(path: &Path) -> Result<Manifest, IngestError> {
        let base = path.parent().unwrap_or(Path::new("."));
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .from_path(path)
            .map_err(|e| IngestError::Rejected(format!("manifest {}: {e}", path.display())))?;
        let mut m = Manifest::default();
        for (i, row) in reader.deserialize::<Row>().enumerate() {
            let line = i + 2;
            let row = row.map_err(|e| {
                IngestError::Rejected(format!("manifest {} line {line}: {e}", path.display()))
            })?;
            let date = blank_to_none(row.date);
            if let Some(d) = &date {
                if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() {
                    return Err(IngestError::Rejected(format!(
                        "manifest {} line {line}: date {d:?} is not YYYY-MM-DD",
                        path.display()
                    )));
                }
            }
            let meta = DocumentMeta {
                title: blank_to_none(row.title),
                kind: blank_to_none(row.kind),
                organization: blank_to_none(row.organization),
                date,
                case_number: None,
                appendix_number: None,
            };
            let p = row.path.trim();
            if p.is_empty() {
                continue;
            }
            if !p.contains(['/', '\\']) {
                m.by_name.insert(p.to_owned(), meta);
            } else {
                m.by_origin.insert(normalise(&base.join(p)), meta);
            }
        }
        Ok(m)
    }

    pub fn len(&self) -> usize {
        self.by_origin.len() + self.by_name.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The metadata for a file: manifest first, then what its name says.
    pub fn meta_for(&self, origin: &str, filename: &str) -> DocumentMeta {
        let mut meta = self
            .by_origin
            .get(&normalise(Path::new(origin)))
            .or_else(|| self.by_name.get(filename))
            .cloned()
            .unwrap_or_default();
        let stem = filename
            .rsplit_once('.')
            .map_or(filename, |(stem, _)| stem)
            .replace(['_', '-'], " ");
        meta.case_number = find_case_numbers(&stem)
            .first()
            .map(|c| c.number.to_string());
        meta.appendix_number = appendix_number_in(filename);
        meta
    }
}

/// Absolute, with `.` and `..` resolved where the file exists; archive members keep `!/`.
pub fn normalise(p: &Path) -> String {
    let s = p.display().to_string();
    let (outer, member) = match s.split_once("!/") {
        Some((o, m)) => (PathBuf::from(o), Some(m.to_owned())),
        None => (PathBuf::from(&s), None),
    };
    let outer = std::fs::canonicalize(&outer).unwrap_or(outer);
    match member {
        Some(m) => format!("{}!/{m}", outer.display()),
        None => outer.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows_and_parses_names() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.pdf"), b"%PDF-").unwrap();
        let csv = dir.path().join("m.csv");
        std::fs::write(
            &csv,
            "path,title,kind,organization,date\n./a.pdf,Strategi,plan,Helse Nord,2024-05-01\nb.pdf,B,,,\n",
        )
        .unwrap();
        let m = Manifest::load(&csv).unwrap();
        assert_eq!(m.len(), 2);
        let origin = normalise(&dir.path().join("a.pdf"));
        let meta = m.meta_for(&origin, "a.pdf");
        assert_eq!(meta.title.as_deref(), Some("Strategi"));
        assert_eq!(meta.date.as_deref(), Some("2024-05-01"));
        let meta = m.meta_for("/x/y/b.pdf", "b.pdf");
        assert_eq!(meta.title.as_deref(), Some("B"));
        assert_eq!(meta.kind, None);
        let meta = m.meta_for(
            "/x/Vedlegg 2 til sak 24.25.pdf",
            "Vedlegg 2 til sak 24.25.pdf",
        );
        assert_eq!(meta.case_number.as_deref(), Some("24.25"));
        assert_eq!(meta.appendix_number, Some(2));
    }

    #[test]
    fn bad_dates_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("m.csv");
        std::fs::write(
            &csv,
            "path,title,kind,organization,date\na.pdf,,,,12.05.2024\n",
        )
        .unwrap();
        let e = Manifest::load(&csv).unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
    }
}
