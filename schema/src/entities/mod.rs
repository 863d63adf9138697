//! sea-orm entities, one file per table. These are storage models: the API maps them to its own
//! GraphQL types so the wire format never leaks table layout.

pub mod action_item;
pub mod api_token;
pub mod appendix;
pub mod body;
pub mod case;
pub mod case_reference;
pub mod case_treatment;
pub mod dismissed_extraction;
pub mod document;
pub mod focus_area;
pub mod ingest_file;
pub mod ingest_run;
pub mod job;
pub mod measure;
pub mod meeting;
pub mod organization;
pub mod organization_alias;
pub mod origin;
pub mod outbox;
pub mod page;
pub mod plan;
pub mod provenance;

pub use document::{DocumentStatus, TitleSource};
pub use job::JobState;
pub use outbox::OutboxOp;
