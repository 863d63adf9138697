//! Scalars of our own, named as graphql-scalars names them so client code generators that know
//! that library map them without configuration.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};

/// A whole number JavaScript holds exactly: between -(2^53 - 1) and 2^53 - 1, sent as a JSON
/// number. Byte sizes and other counts that may pass GraphQL's 32-bit `Int` use it, so a
/// browser reads them as plain numbers without losing digits (not a string, not a float).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SafeInt(pub i64);

/// The largest magnitude a JavaScript number holds exactly (`Number.MAX_SAFE_INTEGER`).
pub const MAX_SAFE: i64 = (1 << 53) - 1;

impl SafeInt {
    /// Clamped into the safe range (no size or count we serve comes near it).
    pub fn new(n: i64) -> Self {
        SafeInt(n.clamp(-MAX_SAFE, MAX_SAFE))
    }
}

/// A whole number JavaScript holds exactly, within ±(2^53 - 1) (`Number.MAX_SAFE_INTEGER`),
/// sent as a JSON number: byte sizes and counts that may pass the 32-bit `Int`.
#[Scalar(
    name = "SafeInt",
    specified_by_url = "https://the-guild.dev/graphql/scalars/docs/scalars/safe-int"
)]
impl ScalarType for SafeInt {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::Number(n) => match n.as_i64() {
                Some(i) if (-MAX_SAFE..=MAX_SAFE).contains(&i) => Ok(SafeInt(i)),
                _ => Err(InputValueError::custom(
                    "SafeInt must be a whole number within ±(2^53 - 1)",
                )),
            },
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::Number(self.0.into())
    }
}

/// A calendar date without a time, as RFC 3339's `full-date` writes it ("2025-06-12"): a
/// JSON string that sorts as it reads and that `new Date(s)` and date pickers take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Date(pub String);

impl Date {
    /// The stored text when it is a full date; planarkiv stores no other kind in the fields
    /// that use this scalar (manifests and edits are checked).
    pub fn from_stored(s: &str) -> Option<Self> {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .map(|d| Date(d.format("%Y-%m-%d").to_string()))
    }
}

/// A calendar date, "YYYY-MM-DD" (RFC 3339 `full-date`), sent as a string.
#[Scalar(
    name = "Date",
    specified_by_url = "https://the-guild.dev/graphql/scalars/docs/scalars/date"
)]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => Date::from_stored(s)
                .ok_or_else(|| InputValueError::custom("a Date is written YYYY-MM-DD")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}
