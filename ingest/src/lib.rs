//! Everything that turns a file into searchable, structured data, without any HTTP: PDF text
//! extraction, the content-addressed blob store, the database job queue, the worker that runs
//! extraction jobs, and the indexer that applies the outbox to tantivy.

pub mod archive;
pub mod blobs;
pub mod bulk;
pub mod db;
pub mod domain;
pub mod entities;
pub mod error;
pub mod index;
pub mod pdf;
pub mod queue;
pub mod store;
pub mod title;
pub mod tokens;
pub mod worker;

pub use error::IngestError;
