use async_graphql::{Context, Object, Upload, ID};

use planarkiv_schema::ids::{self, IdKind};

use super::document::Document;
use super::error::{ApiError, GqlResult};
use crate::auth::{require, Role};

#[derive(Default)]
pub struct MutationRoot;

/// Changing the archive.
#[Object]
impl MutationRoot {
    /// Stores a PDF and queues it for extraction. The same bytes uploaded again return the
    /// document already stored (with the metadata it was first given). Files that are not PDFs
    /// are refused and nothing is kept.
    async fn upload_document(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The PDF, as a multipart upload.")] file: Upload,
        #[graphql(
            desc = "What the case system knows of the file: it beats what extraction reads, and \
                    a person's edits beat both."
        )]
        metadata: Option<DocumentMetadataInput>,
    ) -> GqlResult<Document> {
        require(ctx, Role::Editor)?;
        let meta = metadata.map(DocumentMetadataInput::checked).transpose()?;
        let state = super::app_state(ctx)?;
        let value = file
            .value(ctx)
            .map_err(|e| ApiError::BadUserInput(format!("cannot read the upload: {e}")))?;
        let filename = value.filename.clone();
        let limit = state.config.max_upload_bytes;
        // The upload sits in a temporary file; it is copied into the blob store as it is
        // hashed, on a blocking thread.
        let accepted = planarkiv_ingest::store::accept_reader(
            &state.db,
            &state.blobs,
            &planarkiv_ingest::store::Submission {
                meta: meta.unwrap_or_default(),
                ..planarkiv_ingest::store::Submission::named(filename)
            },
            value.into_read(),
            limit,
        )
        .await
        .map_err(ApiError::from)?;
        if accepted.created {
            state.signals.jobs.notify_one();
        }
        Ok(Document(accepted.document))
    }

    /// Removes a document, its pages and its stored file from the archive and the index.
    /// Returns the id of the removed document.
    async fn delete_document(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ID> {
        require(ctx, Role::Editor)?;
        let state = super::app_state(ctx)?;
        let row = ids::decode(IdKind::Document, &id).map_err(ApiError::from)?;
        let deleted = planarkiv_ingest::store::delete_document(&state.db, &state.blobs, row)
            .await
            .map_err(ApiError::from)?;
        if !deleted {
            return Err(ApiError::NotFound(format!("no document with id {}", id.as_str())).into());
        }
        state.signals.outbox.notify_one();
        Ok(id)
    }

    /// Sets a document's title by hand. A title set here is kept when the document is
    /// extracted again.
    async fn update_document(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(desc = "The new title, 1 to 500 characters.")] title: String,
    ) -> GqlResult<Document> {
        require(ctx, Role::Editor)?;
        let title = title.trim();
        if title.is_empty() || title.chars().count() > 500 {
            return Err(ApiError::BadUserInput("a title has 1 to 500 characters".into()).into());
        }
        let state = super::app_state(ctx)?;
        let row = ids::decode(IdKind::Document, &id).map_err(ApiError::from)?;
        let doc = planarkiv_ingest::store::set_title(&state.db, row, title)
            .await
            .map_err(ApiError::from)?
            .ok_or_else(|| ApiError::NotFound(format!("no document with id {}", id.as_str())))?;
        Ok(Document(doc))
    }

    /// Rebuilds the search index from the database in one commit: searches keep answering from
    /// the old index until the new one replaces it. Returns the number of documents indexed.
    async fn reindex(&self, ctx: &Context<'_>) -> GqlResult<i32> {
        require(ctx, Role::Admin)?;
        let state = super::app_state(ctx)?;
        let indexer = planarkiv_ingest::index::Indexer::new(
            state.db.clone(),
            state.index.clone(),
            state.signals.outbox.clone(),
        );
        let n = indexer.rebuild().await.map_err(ApiError::from)?;
        Ok(n as i32)
    }

    /// Queues documents for another extraction (after the entity rules improve, or OCR was
    /// installed); a running worker redoes them, and each stays searchable meanwhile. What a
    /// person curated, and metadata given with a file, are kept. Returns how many were queued.
    async fn reextract_documents(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which documents.")] which: ReextractScope,
    ) -> GqlResult<i32> {
        require(ctx, Role::Admin)?;
        let state = super::app_state(ctx)?;
        let n = planarkiv_ingest::queue::requeue(
            &state.db,
            match which {
                ReextractScope::Outdated => planarkiv_ingest::queue::Requeue::Outdated,
                ReextractScope::Failed => planarkiv_ingest::queue::Requeue::Failed,
                ReextractScope::All => planarkiv_ingest::queue::Requeue::All,
            },
        )
        .await
        .map_err(ApiError::from)?;
        state.signals.jobs.notify_one();
        Ok(i32::try_from(n).unwrap_or(i32::MAX))
    }

    /// Creates an API token. The token is in the answer and nowhere else: it is stored hashed.
    async fn create_api_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Who or what the token is for.")] name: String,
        #[graphql(desc = "What the token may do.")] role: super::api_token::TokenRole,
    ) -> GqlResult<super::api_token::CreatedApiToken> {
        require(ctx, Role::Admin)?;
        let state = super::app_state(ctx)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(
                ApiError::BadUserInput("a token name has 1 to 200 characters".into()).into(),
            );
        }
        let (token, row) = planarkiv_ingest::tokens::create(&state.db, name, role.as_str())
            .await
            .map_err(ApiError::from)?;
        Ok(super::api_token::CreatedApiToken {
            token,
            api_token: super::api_token::ApiToken(row),
        })
    }

    /// Revokes an API token; requests with it are refused from now on.
    async fn revoke_api_token(&self, ctx: &Context<'_>, id: ID) -> GqlResult<bool> {
        require(ctx, Role::Admin)?;
        let state = super::app_state(ctx)?;
        let row = ids::decode(IdKind::ApiToken, &id).map_err(ApiError::from)?;
        let revoked = planarkiv_ingest::tokens::revoke(&state.db, row)
            .await
            .map_err(ApiError::from)?;
        if !revoked {
            return Err(
                ApiError::NotFound(format!("no active token with id {}", id.as_str())).into(),
            );
        }
        Ok(true)
    }
}

/// Metadata given with an upload, as a bulk manifest's columns give it.
#[derive(async_graphql::InputObject, Default)]
pub struct DocumentMetadataInput {
    /// The document's title.
    pub title: Option<String>,
    /// What it is: case_paper, case_appendix, minutes, letter, plan, report, presentation,
    /// web_page or other.
    pub kind: Option<String>,
    /// The archive case it belongs to: "2026/308", "26/00308-4".
    pub archive_number: Option<String>,
    /// The item number its case is decided under: "24.25", "PS 12/2026".
    pub item_number: Option<String>,
    /// The body that decides the case.
    pub body: Option<String>,
    /// The meeting date, YYYY-MM-DD.
    pub meeting_date: Option<String>,
}

impl DocumentMetadataInput {
    /// Checked and normalised as a manifest row is; a wrong value is refused, since wrong
    /// metadata is worse than none.
    fn checked(self) -> Result<planarkiv_ingest::store::DocumentMeta, ApiError> {
        let case = planarkiv_schema::case_number::CaseMetadata::from_raw(
            self.archive_number.as_deref(),
            self.item_number.as_deref(),
            self.body.as_deref(),
            self.meeting_date.as_deref(),
        )
        .map_err(|e| ApiError::BadUserInput(format!("`metadata`: {e}")))?;
        let kind = self
            .kind
            .map(|k| k.trim().to_lowercase())
            .filter(|k| !k.is_empty());
        if let Some(k) = &kind {
            if !planarkiv_ingest::bulk::manifest::KINDS.contains(&k.as_str()) {
                return Err(ApiError::BadUserInput(format!(
                    "`metadata.kind`: {k:?} is not one of {}",
                    planarkiv_ingest::bulk::manifest::KINDS.join(", ")
                )));
            }
        }
        let title = self
            .title
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
        if title.as_ref().is_some_and(|t| t.chars().count() > 500) {
            return Err(ApiError::BadUserInput(
                "`metadata.title` has at most 500 characters".into(),
            ));
        }
        Ok(planarkiv_ingest::store::DocumentMeta {
            title,
            kind,
            case_number: case.item_number.clone(),
            case,
            ..Default::default()
        })
    }
}

/// Which documents `reextractDocuments` queues.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
pub enum ReextractScope {
    /// Documents the current entity rules have not read.
    Outdated,
    /// Documents whose extraction failed.
    Failed,
    /// Every document.
    All,
}
