//! Case numbers as Norwegian secretariats write them. "sak 24.25", "24/25", "2025/24" and
//! "sak 24/2025" all name case 24 of 2025.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseNumber {
    pub year: i32,
    pub sequence: i32,
}

impl CaseNumber {
    /// Parses one case number written alone: "24.25", "24/25", "2025/24", "24/2025",
    /// optionally preceded by "sak".
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let lower = s.to_lowercase();
        let s = lower
            .strip_prefix("sak")
            .map(str::trim_start)
            .unwrap_or(&lower);
        let (a, b) = s.split_once(['.', '/'])?;
        let (a, b) = (a.trim(), b.trim());
        if a.is_empty() || b.is_empty() || !a.bytes().chain(b.bytes()).all(|c| c.is_ascii_digit()) {
            return None;
        }
        let (seq, year) = match (a.len(), b.len()) {
            (4, 1..=3) => (b.parse().ok()?, a.parse().ok()?),
            (1..=3, 2) => (a.parse().ok()?, 2000 + b.parse::<i32>().ok()?),
            (1..=3, 4) => (a.parse().ok()?, b.parse().ok()?),
            _ => return None,
        };
        if seq == 0 || !(1990..=2100).contains(&year) {
            return None;
        }
        Some(CaseNumber {
            year,
            sequence: seq,
        })
    }

    /// Finds the first "sak NN.YY"-style number in free text such as a file name.
    pub fn find_in(text: &str) -> Option<Self> {
        let lower = text.to_lowercase();
        let mut rest = lower.as_str();
        while let Some(i) = rest.find("sak") {
            let after = &rest[i + 3..];
            let candidate: String = after
                .trim_start_matches([' ', '_', '-'])
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '/')
                .collect();
            let candidate = candidate.trim_end_matches(['.', '/']);
            if let Some(n) = CaseNumber::parse(candidate) {
                return Some(n);
            }
            rest = after;
        }
        None
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
    fn finds_numbers_in_file_names() {
        let name = "Vedlegg 2 til sak 24.25.pdf";
        assert_eq!(
            CaseNumber::find_in(name).map(|c| c.to_string()),
            Some("24.25".into())
        );
        assert_eq!(appendix_number_in(name), Some(2));
        assert_eq!(CaseNumber::find_in("saksframlegg_sak_07-26.pdf"), None);
        assert_eq!(
            CaseNumber::find_in("saksframlegg sak 7.26.pdf").map(|c| c.to_string()),
            Some("07.26".into())
        );
        assert_eq!(appendix_number_in("protokoll.pdf"), None);
    }
}
