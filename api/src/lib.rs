//! The planarkiv service: configuration, the application state, the axum router and the GraphQL
//! API. Extraction and indexing live in `planarkiv-ingest`; this crate wires them to HTTP.

pub mod app;
pub mod auth;
pub mod bench_cmd;
pub mod config;
pub mod config_file;
pub mod files;
pub mod graphql;
pub mod http;
pub mod ingest_cmd;
pub mod metrics;
pub mod search;
pub mod searchbench_cmd;
pub mod serve;
pub mod text;

pub use app::{App, AppState};
pub use config::{Config, Limits};
