//! Opaque global ids: `base64url("Kind:rowid")`. Clients must not build them, so the encoding can
//! change without breaking anyone who only round-trips them.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::SchemaError;

/// The kinds of object that have a global id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    Document,
    Page,
    IngestRun,
    ApiToken,
    Plan,
    FocusArea,
    Measure,
    Case,
}

impl IdKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::Document => "Document",
            IdKind::Page => "Page",
            IdKind::IngestRun => "IngestRun",
            IdKind::ApiToken => "ApiToken",
            IdKind::Plan => "Plan",
            IdKind::FocusArea => "FocusArea",
            IdKind::Measure => "Measure",
            IdKind::Case => "Case",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "Document" => Some(IdKind::Document),
            "Page" => Some(IdKind::Page),
            "IngestRun" => Some(IdKind::IngestRun),
            "ApiToken" => Some(IdKind::ApiToken),
            "Plan" => Some(IdKind::Plan),
            "FocusArea" => Some(IdKind::FocusArea),
            "Measure" => Some(IdKind::Measure),
            "Case" => Some(IdKind::Case),
            _ => None,
        }
    }
}

pub fn encode(kind: IdKind, id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.as_str()))
}

/// Decodes any global id into its kind and row id.
pub fn decode_any(global: &str) -> Result<(IdKind, i64), SchemaError> {
    let invalid = || SchemaError::InvalidId(global.to_owned());
    let bytes = URL_SAFE_NO_PAD
        .decode(global.trim_end_matches('='))
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (kind, id) = text.split_once(':').ok_or_else(invalid)?;
    let kind = IdKind::parse(kind).ok_or_else(invalid)?;
    let id = id.parse::<i64>().map_err(|_| invalid())?;
    if id <= 0 {
        return Err(invalid());
    }
    Ok((kind, id))
}

/// Decodes a global id that must be of `expected` kind.
pub fn decode(expected: IdKind, global: &str) -> Result<i64, SchemaError> {
    let (kind, id) = decode_any(global)?;
    if kind != expected {
        return Err(SchemaError::WrongIdKind {
            id: global.to_owned(),
            expected: expected.as_str(),
            found: kind.as_str().to_owned(),
        });
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let g = encode(IdKind::Document, 42);
        assert_eq!(decode(IdKind::Document, &g).unwrap(), 42);
        assert!(!g.contains("42"), "ids are opaque: {g}");
    }

    #[test]
    fn rejects_garbage_and_wrong_kind() {
        assert!(matches!(
            decode(IdKind::Document, "nope!"),
            Err(SchemaError::InvalidId(_))
        ));
        assert!(matches!(
            decode(IdKind::Document, ""),
            Err(SchemaError::InvalidId(_))
        ));
        let page = encode(IdKind::Page, 7);
        assert!(matches!(
            decode(IdKind::Document, &page),
            Err(SchemaError::WrongIdKind { .. })
        ));
        let neg = URL_SAFE_NO_PAD.encode("Document:-3");
        assert!(decode(IdKind::Document, &neg).is_err());
    }
}
