use async_graphql::{Context, Object, SimpleObject};

use super::scalars::SafeInt;

/// What one request may ask of this server, as it is configured: a client can check a file's
/// size or a batch's length before it sends it, and a refusal names the same numbers.
#[derive(SimpleObject, Clone, Debug)]
pub struct Limits {
    /// Largest file an upload may carry, in bytes (`--max-upload-mb`); larger is refused with
    /// HTTP 413 and `PAYLOAD_TOO_LARGE`.
    pub max_upload_bytes: SafeInt,
    /// Files in one multipart request.
    pub max_files_per_upload: i32,
    /// Uploads the server receives at once; more are answered 503 with `Retry-After`.
    pub max_concurrent_uploads: i32,
    /// Largest JSON request body in bytes (files go in a multipart upload).
    pub max_json_bytes: SafeInt,
    /// Operations in one batched request.
    pub max_batch: i32,
    /// Fields of one operation, counted after fragments are expanded.
    pub max_query_fields: i32,
    /// Cost of one operation: a list costs its page size times its items, a search 100 more.
    pub max_complexity: i32,
    /// How deeply fields may nest.
    pub max_depth: i32,
    /// Largest `first` of any connection.
    pub max_page_size: i32,
    /// Hits a search can be paged through (a cursor past them is refused).
    pub max_search_window: i32,
    /// Seconds a whole request may take, upload included (then 408).
    pub request_timeout_seconds: i32,
    /// Seconds a request body may go without a byte arriving (then 408).
    pub body_idle_timeout_seconds: i32,
}

#[derive(Default)]
pub struct LimitsQuery;

#[Object]
impl LimitsQuery {
    /// The request limits in force. Answered to anyone, like the SDL: they say nothing about
    /// the archive.
    async fn limits(&self, ctx: &Context<'_>) -> super::error::GqlResult<Limits> {
        let config = &super::app_state(ctx)?.config;
        let l = &config.limits;
        let int = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        let secs = |d: std::time::Duration| i32::try_from(d.as_secs()).unwrap_or(i32::MAX);
        Ok(Limits {
            max_upload_bytes: SafeInt::new(config.max_upload_bytes as i64),
            max_files_per_upload: int(config.max_files_per_request),
            max_concurrent_uploads: int(l.max_concurrent_uploads),
            max_json_bytes: SafeInt::new(l.max_json_bytes as i64),
            max_batch: int(l.max_batch),
            max_query_fields: int(l.max_query_fields),
            max_complexity: int(l.max_complexity),
            max_depth: int(super::MAX_DEPTH),
            max_page_size: int(super::MAX_PAGE),
            max_search_window: int(super::search_query::MAX_SEARCH_WINDOW),
            request_timeout_seconds: secs(l.request_timeout),
            body_idle_timeout_seconds: secs(l.body_idle_timeout),
        })
    }
}
