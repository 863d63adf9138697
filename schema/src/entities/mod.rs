//! sea-orm entities, one file per table. These are storage models: the API maps them to its own
//! GraphQL types so the wire format never leaks table layout.

pub mod api_token;
pub mod document;
pub mod ingest_file;
pub mod ingest_run;
pub mod job;
pub mod origin;
pub mod outbox;
pub mod page;

pub use document::DocumentStatus;
pub use job::JobState;
pub use outbox::OutboxOp;
