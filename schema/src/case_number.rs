//! Case numbers as Norwegian secretariats write them. "sak 24.25", "24/25", "2025/24" and
//! "sak 24/2025" all name case 24 of 2025. Finding them in running text (after case words, in
//! lists) is entity extraction's job: `planarkiv_ingest::entities::case_number`.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseNumber {
    pub year: i32,
    pub sequence: u32,
}

const MAX_SEQUENCE: u32 = 999;

impl CaseNumber {
    /// Parses one case number written alone: "24.25", "24/25", "2025/24", "24/2025", optionally
    /// preceded by "sak" and wrapped in punctuation. A four-digit part is the year wherever it
    /// stands; otherwise the first part is the sequence and the second a year of this century.
    pub fn parse(s: &str) -> Option<Self> {
        let lower = s.trim().to_lowercase();
        let s = lower
            .strip_prefix("sak")
            .map(str::trim_start)
            .unwrap_or(&lower);
        let s = s.trim_start_matches('(');
        let s = s.trim_end_matches([',', ';', ':', ')', '.']);
        let sep = s.find(['.', '/'])?;
        let (a, b) = (s.get(..sep)?, s.get(sep + 1..)?);
        let digits = |x: &str| !x.is_empty() && x.bytes().all(|c| c.is_ascii_digit());
        if !digits(a) || !digits(b) {
            return None;
        }
        let (seq, year) = match (a.len(), b.len()) {
            (4, 1..=3) => (b, a.parse::<i32>().ok()?),
            (1..=3, 4) => (a, b.parse::<i32>().ok()?),
            (1..=3, 2) => (a, 2000 + b.parse::<i32>().ok()?),
            _ => return None,
        };
        let sequence: u32 = seq.parse().ok()?;
        let plausible = (1..=MAX_SEQUENCE).contains(&sequence) && (1990..=2099).contains(&year);
        plausible.then_some(CaseNumber { year, sequence })
    }
}

/// Printed the way the secretariats print it: "24.25".
impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}.{:02}", self.sequence, self.year % 100)
    }
}

/// An archive case (*arkivsak*) number: "2026/308" is case 308 of 2026. Case systems print it
/// as "2026/308", "26/308", "2025/01873" or, with the document's number in the case, as
/// "25/01873-4". It names the archive case, never the item a body decides it under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArchiveNumber {
    pub year: i32,
    pub sequence: u32,
}

impl ArchiveNumber {
    /// Parses one archive number written alone, optionally after a label ("arkivsak",
    /// "arkivsaksnr.", "saksnr.", "ref."): year first (two or four digits), then the sequence,
    /// then an optional document number ("-4") that is dropped. "24/25" parses too: whether
    /// that is an archive number or an item number only its label can tell, so callers that
    /// take either number try both.
    pub fn parse(s: &str) -> Option<Self> {
        let lower = s.trim().to_lowercase();
        let mut rest = lower.as_str();
        for label in [
            "arkivsaksnummer",
            "arkivsaksnr",
            "arkivsak",
            "saksnummer",
            "saksnr",
            "ref",
        ] {
            if let Some(r) = rest.strip_prefix(label) {
                rest = r.trim_start_matches(['.', ':']).trim_start();
                break;
            }
        }
        let s = rest.trim_end_matches([',', ';', ':', ')', '.']);
        let (y, tail) = s.split_once('/')?;
        let seq = match tail.split_once('-') {
            Some((seq, doc)) if !doc.is_empty() && doc.bytes().all(|b| b.is_ascii_digit()) => seq,
            Some(_) => return None,
            None => tail,
        };
        let digits = |x: &str| !x.is_empty() && x.bytes().all(|c| c.is_ascii_digit());
        if !digits(y) || !digits(seq) || seq.len() > 7 {
            return None;
        }
        let year = match y.len() {
            2 => 2000 + y.parse::<i32>().ok()?,
            4 => y.parse().ok()?,
            _ => return None,
        };
        let sequence: u32 = seq.parse().ok()?;
        ((1990..=2099).contains(&year) && sequence > 0).then_some(ArchiveNumber { year, sequence })
    }
}

/// "2026/308": four-digit year, sequence without leading zeros.
impl fmt::Display for ArchiveNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.year, self.sequence)
    }
}

/// Case metadata given from outside the document (a bulk manifest's columns, an upload's
/// input): stored with the document as JSON and applied at every extraction, ahead of what
/// the text says. Each field is already checked and normalised.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CaseMetadata {
    /// Normalised archive number ("2026/308").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_number: Option<String>,
    /// Normalised item number ("24.25").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_number: Option<String>,
    /// The item number's type, where given with it ("PS 12/2026" → "PS").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_type: Option<String>,
    /// The body that decides the case, as named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// ISO date of the meeting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting_date: Option<String>,
}

impl CaseMetadata {
    pub fn is_empty(&self) -> bool {
        *self == CaseMetadata::default()
    }

    /// Checks and normalises raw values; the error names the field and what was wrong, since
    /// wrong metadata is worse than none. Blank values are absent.
    pub fn from_raw(
        archive_number: Option<&str>,
        item_number: Option<&str>,
        body: Option<&str>,
        meeting_date: Option<&str>,
    ) -> Result<CaseMetadata, String> {
        let archive_number = match blank(archive_number) {
            Some(a) => Some(
                ArchiveNumber::parse(a)
                    .ok_or_else(|| {
                        format!("archive_number {a:?} is not an archive number such as 2026/308")
                    })?
                    .to_string(),
            ),
            None => None,
        };
        let (item_type, item_number) = match blank(item_number) {
            Some(i) => {
                let (kind, rest) = split_item_type(i);
                let n = CaseNumber::parse(rest).ok_or_else(|| {
                    format!("item_number {i:?} is not an item number such as 24.25 or PS 12/2026")
                })?;
                (kind, Some(n.to_string()))
            }
            None => (None, None),
        };
        let meeting_date = match blank(meeting_date) {
            Some(d) => {
                chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| format!("meeting_date {d:?} is not YYYY-MM-DD"))?;
                Some(d.to_owned())
            }
            None => None,
        };
        Ok(CaseMetadata {
            archive_number,
            item_number,
            item_type,
            body: blank(body).map(str::to_owned),
            meeting_date,
        })
    }
}

fn blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// An item type as case systems print it before an item number: "PS" (politisk sak), "RS"
/// (referatsak), "OS" (orienteringssak), "DS" (delegert sak), … One place decides it, so the
/// entity rules, metadata and the query language agree on what is a type and what a word.
pub fn is_item_type(word: &str) -> bool {
    let mut chars = word.chars();
    matches!(
        (chars.next(), chars.next(), chars.next()),
        (Some(first), Some('S'), None) if first.is_uppercase()
    )
}

/// "PS 12/2026" → (Some("PS"), "12/2026"); anything else is returned whole.
pub fn split_item_type(s: &str) -> (Option<String>, &str) {
    let s = s.trim();
    match s.split_once(char::is_whitespace) {
        Some((head, rest)) if is_item_type(head) => (Some(head.to_owned()), rest.trim()),
        _ => (None, s),
    }
}

/// "Vedlegg 2 til sak 24.25.pdf" → 2.
pub fn appendix_number_in(text: &str) -> Option<i32> {
    let lower = text.to_lowercase();
    let i = lower.find("vedlegg")?;
    let digits: String = lower[i + "vedlegg".len()..]
        .trim_start_matches([' ', '_', '-', '.'])
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok().filter(|n| *n > 0 && *n < 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_spellings_name_the_same_case() {
        let want = CaseNumber {
            year: 2025,
            sequence: 24,
        };
        for s in [
            "sak 24.25",
            "24.25",
            "24/25",
            "2025/24",
            "sak 24/2025",
            "Sak 24.25",
        ] {
            assert_eq!(CaseNumber::parse(s), Some(want), "{s}");
        }
        assert_eq!(want.to_string(), "24.25");
        assert_eq!(
            CaseNumber::parse("Sak 07.26").map(|c| c.to_string()),
            Some("07.26".into())
        );
        for bad in ["", "24", "24.", "a.b", "12345/1", "0.25", "24.2"] {
            assert_eq!(CaseNumber::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn archive_numbers_in_the_case_systems_spellings() {
        let want = ArchiveNumber {
            year: 2025,
            sequence: 1873,
        };
        for s in [
            "2025/1873",
            "25/01873",
            "25/01873-4",
            "Arkivsak: 2025/1873",
            "Saksnr. 25/01873-12",
        ] {
            assert_eq!(ArchiveNumber::parse(s), Some(want), "{s}");
        }
        assert_eq!(want.to_string(), "2025/1873");
        for bad in [
            "",
            "2025",
            "2025/",
            "/12",
            "25/1a",
            "12345/1",
            "2025/0",
            "25/01873-x",
        ] {
            assert_eq!(ArchiveNumber::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn metadata_is_checked_and_normalised() {
        let m = CaseMetadata::from_raw(
            Some(" 26/308-2 "),
            Some("PS 12/2026"),
            Some(" Bystyret "),
            Some("2026-02-03"),
        )
        .unwrap();
        assert_eq!(m.archive_number.as_deref(), Some("2026/308"));
        assert_eq!(m.item_number.as_deref(), Some("12.26"));
        assert_eq!(m.item_type.as_deref(), Some("PS"));
        assert_eq!(m.body.as_deref(), Some("Bystyret"));
        assert!(CaseMetadata::from_raw(Some(""), None, Some("  "), None)
            .unwrap()
            .is_empty());
        assert!(CaseMetadata::from_raw(Some("308"), None, None, None)
            .unwrap_err()
            .contains("archive_number"));
        assert!(CaseMetadata::from_raw(None, Some("sak x"), None, None)
            .unwrap_err()
            .contains("item_number"));
        assert!(CaseMetadata::from_raw(None, None, None, Some("3.2.2026"))
            .unwrap_err()
            .contains("meeting_date"));
    }

    #[test]
    fn finds_appendix_numbers_in_file_names() {
        assert_eq!(appendix_number_in("Vedlegg 2 til sak 24.25.pdf"), Some(2));
        assert_eq!(appendix_number_in("protokoll.pdf"), None);
    }
}
