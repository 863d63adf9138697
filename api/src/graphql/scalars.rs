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
