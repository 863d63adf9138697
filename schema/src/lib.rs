//! Domain types shared by every planarkiv crate: the sea-orm entities (one file per table), opaque
//! global ids, and the tantivy schema with its Norwegian analyzers.
//!
//! This crate knows nothing of HTTP or GraphQL, so ingest tools and the API agree on one model.

pub mod case_number;
pub mod entities;
pub mod error;
pub mod ids;
pub mod search;
pub mod time;

pub use error::SchemaError;
