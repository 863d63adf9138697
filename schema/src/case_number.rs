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
    fn finds_appendix_numbers_in_file_names() {
        assert_eq!(appendix_number_in("Vedlegg 2 til sak 24.25.pdf"), Some(2));
        assert_eq!(appendix_number_in("protokoll.pdf"), None);
    }
}
