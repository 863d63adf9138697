/// Errors raised by the shared domain layer.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("malformed id {0:?}")]
    InvalidId(String),
    #[error("id {id:?} names a {found}, not a {expected}")]
    WrongIdKind {
        id: String,
        expected: &'static str,
        found: String,
    },
    /// A line of a word list kept as data (such as `search/nn_nb.txt`) that is not
    /// "word = word".
    #[error("word list line {line}: {reason}")]
    WordList { line: usize, reason: String },
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
}
