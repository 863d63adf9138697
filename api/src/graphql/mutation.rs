use std::io::Read;

use async_graphql::{Context, Object, Upload};

use super::document::Document;
use super::error::{ApiError, GqlResult};
use crate::app::AppState;
use crate::auth::{require, Role};

pub struct MutationRoot;

/// Changing the archive.
#[Object]
impl MutationRoot {
    /// Stores a PDF and queues it for extraction. The same bytes uploaded again return the
    /// document already stored. Files that are not PDFs are refused and nothing is kept.
    async fn upload_document(&self, ctx: &Context<'_>, file: Upload) -> GqlResult<Document> {
        require(ctx, Role::Editor)?;
        let state = ctx
            .data::<AppState>()
            .map_err(|_| ApiError::internal("application state missing"))?;
        let value = file
            .value(ctx)
            .map_err(|e| ApiError::BadUserInput(format!("cannot read the upload: {e}")))?;
        let filename = value.filename.clone();
        let limit = state.config.max_upload_bytes;
        // The upload sits in a temporary file; reading it is blocking I/O.
        let bytes = tokio::task::spawn_blocking(move || {
            let mut bytes = Vec::new();
            value
                .into_read()
                .take(limit as u64 + 1)
                .read_to_end(&mut bytes)
                .map(|_| bytes)
        })
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
        if bytes.len() > limit {
            return Err(ApiError::PayloadTooLarge(format!(
                "{filename}: larger than the upload limit of {limit} bytes"
            ))
            .into());
        }
        let accepted = planarkiv_ingest::store::accept_file(
            &state.db,
            &state.blobs,
            &planarkiv_ingest::store::Submission::named(filename),
            &bytes,
            limit,
        )
        .await
        .map_err(ApiError::from)?;
        if accepted.created {
            state.signals.jobs.notify_one();
        }
        Ok(Document(accepted.document))
    }
}
