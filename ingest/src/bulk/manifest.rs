//! Metadata an archivist supplies for listed files (CSV: path, title, kind, organization, date,
//! and for case papers archive_number, item_number, body, meeting_date), and what a file name
//! itself tells ("Vedlegg 2 til sak 24.25.pdf").

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use planarkiv_schema::case_number::{appendix_number_in, CaseMetadata};

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
    /// The archive case ("2026/308", "26/00308-4").
    #[serde(default)]
    archive_number: Option<String>,
    /// The item number the case is decided under ("24.25", "PS 12/2026").
    #[serde(default)]
    item_number: Option<String>,
    /// The body that decides it.
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    meeting_date: Option<String>,
}

/// The document kinds a manifest may give, as stored.
pub const KINDS: &[&str] = &[
    "case_paper",
    "case_appendix",
    "minutes",
    "letter",
    "plan",
    "report",
    "presentation",
    "web_page",
    "other",
];

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
            let case = CaseMetadata::from_raw(
                row.archive_number.as_deref(),
                row.item_number.as_deref(),
                row.body.as_deref(),
                row.meeting_date.as_deref(),
            )
            .map_err(|e| {
                IngestError::Rejected(format!("manifest {} line {line}: {e}", path.display()))
            })?;
            let kind = blank_to_none(row.kind);
            if let Some(k) = &kind {
                if !KINDS.contains(&k.as_str()) {
                    return Err(IngestError::Rejected(format!(
                        "manifest {} line {line}: kind {k:?} is not one of {}",
                        path.display(),
                        KINDS.join(", ")
                    )));
                }
            }
            let meta = DocumentMeta {
                title: blank_to_none(row.title),
                kind,
                organization: blank_to_none(row.organization),
                date,
                case_number: None,
                appendix_number: None,
                case,
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

    #[test]
    fn case_columns_are_read_checked_and_named_in_errors() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("m.csv");
        std::fs::write(
            &csv,
            "path,kind,archive_number,item_number,body,meeting_date\n\
             a.pdf,case_paper,25/01873-4,PS 7/2026,Kommunestyret,2026-02-19\n\
             b.pdf,,,,,\n",
        )
        .unwrap();
        let m = Manifest::load(&csv).unwrap();
        let meta = m.meta_for("/x/a.pdf", "a.pdf");
        assert_eq!(meta.kind.as_deref(), Some("case_paper"));
        assert_eq!(meta.case.archive_number.as_deref(), Some("2025/1873"));
        assert_eq!(meta.case.item_number.as_deref(), Some("07.26"));
        assert_eq!(meta.case.item_type.as_deref(), Some("PS"));
        assert_eq!(meta.case.body.as_deref(), Some("Kommunestyret"));
        assert_eq!(meta.case.meeting_date.as_deref(), Some("2026-02-19"));
        assert!(m.meta_for("/x/b.pdf", "b.pdf").case.is_empty());
        for (row, field) in [
            ("a.pdf,,308,,,", "archive_number"),
            ("a.pdf,,,sak sju,,", "item_number"),
            ("a.pdf,,,,,19.02.2026", "meeting_date"),
            ("a.pdf,saksframlegg,,,,", "kind"),
        ] {
            std::fs::write(
                &csv,
                format!("path,kind,archive_number,item_number,body,meeting_date\n{row}\n"),
            )
            .unwrap();
            let e = Manifest::load(&csv).unwrap_err().to_string();
            assert!(e.contains("line 2") && e.contains(field), "{row}: {e}");
        }
    }
}
