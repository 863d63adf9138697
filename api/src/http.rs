//! All routes in one place, and the HTTP side of GraphQL: request limits, the caller's role,
//! status codes as GraphQL-over-HTTP prescribes, and GraphiQL for people with a browser.

use std::time::Duration;

use async_graphql::http::{GraphiQLSource, MultipartOptions};
use async_graphql::parser::types::OperationType;
use async_graphql::{BatchRequest, BatchResponse, ParseRequestError};
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use std::sync::Arc;

use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::timeout::TimeoutLayer;

use crate::metrics::Metrics;

use crate::app::AppState;
use crate::auth::{Caller, Role};
use crate::graphql::error::ErrorCode;
use crate::graphql::ApiSchema;

/// Room for the multipart envelope and the operations part around the files themselves.
const ENVELOPE_BYTES: usize = 1024 * 1024;

#[derive(Clone)]
struct HttpState {
    app: AppState,
    schema: ApiSchema,
    metrics: Arc<Metrics>,
    /// One permit per upload being received; see `Limits::max_concurrent_uploads`.
    uploads: Arc<tokio::sync::Semaphore>,
}

pub fn router(app: AppState, schema: ApiSchema) -> Router {
    let limit = app.config.max_upload_bytes.saturating_add(ENVELOPE_BYTES);
    let metrics = Arc::new(Metrics::new());
    let cors = cors_layer(&app.config.cors_origins);
    let uploads = Arc::new(tokio::sync::Semaphore::new(
        app.config.limits.max_concurrent_uploads.max(1),
    ));
    let timeout = app.config.limits.request_timeout;
    let state = HttpState {
        app,
        schema,
        metrics: metrics.clone(),
        uploads,
    };
    // Probes answer whatever the Host: load balancers and orchestrators call them by address
    // or by an internal name, and they reveal nothing.
    let probes = Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready));
    Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/metrics", get(metrics_handler))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            same_site_only,
        ))
        .merge(probes)
        .layer(DefaultBodyLimit::max(limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(cors)
        .route_layer(axum::middleware::from_fn_with_state(
            metrics,
            crate::metrics::track,
        ))
        .with_state(state)
}

/// Refuses requests a web page on another site could have made a browser send:
/// - a `Host` that is not an address, `localhost` or a configured name (DNS rebinding: a
///   page on `evil.example` whose name was re-pointed at 127.0.0.1 sends `Host: evil.example`);
/// - a POST whose `Origin` is neither this server nor a configured CORS origin. Browsers set
///   `Origin` on every cross-origin POST, so this holds even where a content type slips past
///   the preflight rule below.
async fn same_site_only(
    State(s): State<HttpState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let headers = req.headers();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    if let Some(host) = host {
        if !host_allowed(host, &s.app.config.allowed_hosts) {
            tracing::warn!(host, "request for a host name not served here refused");
            return error_response(
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                "this server does not answer to that host name; start it with --allowed-host <name> to serve it",
            );
        }
    }
    if req.method() == Method::POST {
        if let Some(origin) = headers.get(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or("");
            if !origin_allowed(origin, host, &s.app.config.cors_origins) {
                tracing::warn!(origin, "cross-origin POST refused");
                return error_response(
                    StatusCode::FORBIDDEN,
                    ErrorCode::Forbidden,
                    "requests from another origin are refused; configure it with --cors-origin",
                );
            }
        }
    }
    next.run(req).await
}

/// IP literals (a rebinding page cannot make a browser send one for its own name),
/// `localhost` and its subdomains (browsers resolve those to loopback themselves), and the
/// configured names.
pub fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let name = host_name(host);
    if name.is_empty() {
        return false;
    }
    let name = name.to_ascii_lowercase();
    let name = name.trim_end_matches('.');
    if name.parse::<std::net::IpAddr>().is_ok()
        || name == "localhost"
        || name.ends_with(".localhost")
    {
        return true;
    }
    allowed.iter().any(|a| {
        let a = a.trim();
        a == "*" || a.trim_end_matches('.').eq_ignore_ascii_case(name)
    })
}

/// The name part of a `Host` header: without its port, and an IPv6 literal without brackets.
fn host_name(host: &str) -> &str {
    let host = host.trim();
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("");
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// The request's own origin (the scheme-less `Origin` authority equals `Host`) or a configured
/// CORS origin.
pub fn origin_allowed(origin: &str, host: Option<&str>, cors: &[String]) -> bool {
    if cors.iter().any(|c| c.trim().eq_ignore_ascii_case(origin)) {
        return true;
    }
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    match (authority, host) {
        (Some(a), Some(h)) => a.eq_ignore_ascii_case(h.trim()),
        _ => false,
    }
}

/// Only the configured origins may call the API from a browser; with none configured, no
/// cross-origin browser access is granted (same-origin and non-browser clients are unaffected).
fn cors_layer(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o.trim()).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            HeaderName::from_static("apollo-require-preflight"),
            HeaderName::from_static("graphql-preflight"),
        ])
        .max_age(Duration::from_secs(600))
}

async fn metrics_handler(State(s): State<HttpState>) -> Response {
    match crate::metrics::render(&s.app, &s.metrics).await {
        Ok(body) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "metrics unavailable");
            (StatusCode::SERVICE_UNAVAILABLE, "metrics unavailable").into_response()
        }
    }
}

async fn health() -> &'static str {
    "ok"
}

/// Ready when the database answers, every migration is applied and the index can be searched.
async fn ready(State(s): State<HttpState>) -> Response {
    use planarkiv_migrations::MigratorTrait;
    if let Err(e) = planarkiv_ingest::db::ping(&s.app.db).await {
        tracing::warn!(error = %e, "not ready");
        return (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response();
    }
    match planarkiv_migrations::Migrator::get_pending_migrations(&s.app.db).await {
        Ok(p) if p.is_empty() => {}
        Ok(p) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("{} migrations not applied", p.len()),
            )
                .into_response()
        }
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            return (StatusCode::SERVICE_UNAVAILABLE, "cannot read migrations").into_response();
        }
    }
    // A searcher over the current segments proves the index is open and readable.
    let _ = s.app.index.reader().searcher().num_docs();
    // Missing OCR leaves the service ready (uploads, search and born-digital files work), but
    // says so: scans fail, with a reason, until Tesseract is installed.
    let opts = planarkiv_ingest::pdf::OcrOptions::default();
    match tokio::task::spawn_blocking(move || planarkiv_ingest::pdf::ocr::probe(&opts)).await {
        Ok(Ok(_)) => (StatusCode::OK, "ready").into_response(),
        Ok(Err(why)) => (StatusCode::OK, format!("ready; {why}")).into_response(),
        Err(_) => (StatusCode::OK, "ready; OCR unavailable: the check failed").into_response(),
    }
}

/// A single error response in the GraphQL shape, for failures before execution.
fn error_response(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    let body =
        json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] });
    let mut resp = (status, body.to_string()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/graphql-response+json; charset=utf-8"),
    );
    resp
}

/// Who is calling: a valid bearer token gives its role; no token gives the anonymous role; a
/// token that is malformed, unknown or revoked is refused outright (never treated as anonymous,
/// which would hide a misconfigured client).
async fn caller(s: &HttpState, headers: &HeaderMap) -> Result<Caller, Response> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(Caller {
            role: s.app.config.anonymous_role,
        });
    };
    let unauthorized = |message: &str| {
        let mut r = error_response(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            message,
        );
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        r
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| unauthorized("the Authorization header must be `Bearer <token>`"))?;
    match planarkiv_ingest::tokens::role_of(&s.app.db, token).await {
        Ok(Some(role)) => Ok(Caller {
            role: role.parse::<Role>().ok(),
        }),
        Ok(None) => Err(unauthorized("the token is not valid or has been revoked")),
        Err(e) => {
            tracing::error!(error = %e, "token lookup failed");
            Err(error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::InternalServerError,
                "internal error",
            ))
        }
    }
}

async fn graphql_get(
    State(s): State<HttpState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    if query.is_empty() {
        return Html(GraphiQLSource::build().endpoint("/graphql").finish()).into_response();
    }
    let req = match async_graphql::http::parse_query_string(&query) {
        Ok(r) => r,
        Err(e) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadUserInput,
                &format!("malformed GraphQL request in the URL: {e}"),
            )
        }
    };
    // GET must not change anything: browsers and proxies repeat and prefetch GETs.
    if let Ok(doc) = async_graphql::parser::parse_query(&req.query) {
        let is_mutation = doc.operations.iter().any(|(name, op)| {
            let selected = match (&req.operation_name, name) {
                (Some(want), Some(n)) => want.as_str() == n.as_str(),
                (None, _) => true,
                (Some(_), None) => false,
            };
            selected && op.node.ty != OperationType::Query
        });
        if is_mutation {
            let r = error_response(
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::BadUserInput,
                "mutations must be sent with POST",
            );
            return with_header(r, header::ALLOW, "POST");
        }
    }
    execute(&s, &headers, BatchRequest::Single(req)).await
}

async fn graphql_post(State(s): State<HttpState>, headers: HeaderMap, body: Body) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|c| c.trim().to_owned());
    // Media types are case-insensitive: `Multipart/Form-Data` is multipart to a browser too.
    let media = content_type
        .as_deref()
        .map(|c| {
            c.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let is_multipart = media == "multipart/form-data";
    let is_json = media == "application/json" || media == "application/graphql-response+json";
    let limits = &s.app.config.limits;
    let idle = limits.body_idle_timeout;
    if !is_multipart && !is_json {
        let refusal = error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::BadUserInput,
            "a GraphQL POST needs Content-Type: application/json (or multipart/form-data for uploads)",
        );
        return drained(body, idle, refusal).await;
    }
    // A plain HTML form can post multipart across sites without a CORS preflight; requiring a
    // custom header forces one, so uploads cannot be forged from another origin.
    if is_multipart && !has_preflight_header(&headers) {
        let refusal = error_response(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadUserInput,
            "multipart requests need an `apollo-require-preflight: true` (or `graphql-preflight`) header",
        );
        return drained(body, idle, refusal).await;
    }
    let max_file = s.app.config.max_upload_bytes;
    let (limit, too_large) = if is_multipart {
        (
            max_file.saturating_add(ENVELOPE_BYTES),
            format!("the request is larger than the limit of {max_file} bytes per upload"),
        )
    } else {
        (
            limits.max_json_bytes,
            format!(
                "a JSON request may be at most {} bytes (files go in a multipart upload)",
                limits.max_json_bytes
            ),
        )
    };
    let too_large_response = || {
        error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            &too_large,
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return drained(body, idle, too_large_response()).await;
    }
    // The permit lives until the request is answered: the upload's temporary file and its copy
    // into the blob store are what it bounds.
    let permit = if is_multipart {
        match s.uploads.clone().try_acquire_owned() {
            Ok(p) => Some(p),
            Err(_) => {
                let r = error_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::ServiceUnavailable,
                    "too many uploads are being received; try again shortly",
                );
                return drained(body, idle, with_header(r, header::RETRY_AFTER, "2")).await;
            }
        }
    } else {
        None
    };
    let stop = Arc::new(std::sync::OnceLock::new());
    let stream = guarded_body(body, idle, limit, stop.clone());
    let batch = if is_multipart {
        let opts = MultipartOptions::default()
            .max_file_size(max_file)
            .max_num_files(s.app.config.max_files_per_request);
        // Streamed: async-graphql writes each file to a temporary file as it arrives, so an
        // upload is never held in memory whole.
        let reader = futures::TryStreamExt::into_async_read(stream);
        async_graphql::http::receive_batch_body(content_type, reader, opts).await
    } else {
        match collect(stream).await {
            Ok(bytes) => {
                async_graphql::http::receive_batch_body(
                    content_type,
                    futures::io::Cursor::new(bytes),
                    MultipartOptions::default(),
                )
                .await
            }
            Err(e) => Err(ParseRequestError::Io(e)),
        }
    };
    let response = match (batch, stop.get()) {
        (_, Some(BodyStop::TooLarge)) | (Err(ParseRequestError::PayloadTooLarge), _) => {
            too_large_response()
        }
        (_, Some(BodyStop::Stalled)) => error_response(
            StatusCode::REQUEST_TIMEOUT,
            ErrorCode::BadUserInput,
            &format!("the request body stopped arriving for {} s", idle.as_secs()),
        ),
        (Ok(b), _) if b.iter().any(|r| r.query.trim().is_empty()) => error_response(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadUserInput,
            "the request has no `query`",
        ),
        (Ok(b), _) if b.iter().count() > limits.max_batch => error_response(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadUserInput,
            &format!("a batch may hold at most {} operations", limits.max_batch),
        ),
        (Ok(b), _)
            if b.iter().map(|r| r.uploads.len()).sum::<usize>()
                > s.app.config.max_files_per_request =>
        {
            error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                &format!(
                    "too many files in one request; the limit is {}",
                    s.app.config.max_files_per_request
                ),
            )
        }
        (Ok(b), _) => execute(&s, &headers, b).await,
        (Err(e), _) => error_response(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadUserInput,
            &format!("malformed GraphQL request: {e}"),
        ),
    };
    drop(permit);
    response
}

/// How much of a refused request's body is read (and thrown away) before the refusal is sent.
/// Answering before the body is read makes the server close a connection with unread bytes,
/// which the client's TCP stack reports as a reset: browsers and Node then show a network
/// failure instead of the coded error. Past this much, the connection is closed anyway.
const DRAIN_BYTES: usize = 4 * 1024 * 1024;

/// Sends `refusal` after reading up to [`DRAIN_BYTES`] of the body.
async fn drained(body: Body, idle: Duration, refusal: Response) -> Response {
    discard(&mut body.into_data_stream(), idle).await;
    refusal
}

/// Reads and drops up to [`DRAIN_BYTES`] more of a body, stopping when it stalls for `idle`.
async fn discard(frames: &mut axum::body::BodyDataStream, idle: Duration) {
    use futures::StreamExt;
    let mut seen = 0usize;
    while seen <= DRAIN_BYTES {
        match tokio::time::timeout(idle, frames.next()).await {
            Ok(Some(Ok(chunk))) => seen += chunk.len(),
            _ => break,
        }
    }
}

fn with_header(mut r: Response, name: HeaderName, value: &'static str) -> Response {
    r.headers_mut()
        .insert(name, HeaderValue::from_static(value));
    r
}

/// Why reading a request body was stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyStop {
    TooLarge,
    Stalled,
}

/// The body as a stream that ends in an error when it passes `limit` bytes or when no bytes
/// arrive for `idle`; `stop` records which, since parsers wrap the error in their own.
fn guarded_body(
    body: Body,
    idle: Duration,
    limit: usize,
    stop: Arc<std::sync::OnceLock<BodyStop>>,
) -> impl futures::Stream<Item = std::io::Result<axum::body::Bytes>> + Send + Unpin + 'static {
    use futures::StreamExt;
    let frames = body.into_data_stream();
    Box::pin(futures::stream::unfold(
        (frames, 0usize, false),
        move |(mut frames, seen, done)| {
            let stop = stop.clone();
            async move {
                if done {
                    return None;
                }
                let fail = |why: BodyStop, frames, seen| {
                    let _ = stop.set(why);
                    let e = std::io::Error::other(format!("{why:?}"));
                    Some((Err(e), (frames, seen, true)))
                };
                match tokio::time::timeout(idle, frames.next()).await {
                    Err(_) => fail(BodyStop::Stalled, frames, seen),
                    Ok(None) => None,
                    Ok(Some(Err(e))) => Some((Err(std::io::Error::other(e)), (frames, seen, true))),
                    Ok(Some(Ok(chunk))) => {
                        let seen = seen.saturating_add(chunk.len());
                        if seen > limit {
                            // Read on a little so the client sees the 413 (see DRAIN_BYTES).
                            discard(&mut frames, idle).await;
                            fail(BodyStop::TooLarge, frames, seen)
                        } else {
                            Some((Ok(chunk), (frames, seen, false)))
                        }
                    }
                }
            }
        },
    ))
}

async fn collect(
    mut stream: impl futures::Stream<Item = std::io::Result<axum::body::Bytes>> + Unpin,
) -> std::io::Result<Vec<u8>> {
    use futures::StreamExt;
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk?);
    }
    Ok(out)
}

fn has_preflight_header(h: &HeaderMap) -> bool {
    [
        "apollo-require-preflight",
        "graphql-preflight",
        "x-apollo-operation-name",
    ]
    .iter()
    .any(|n| h.contains_key(*n))
}

async fn execute(s: &HttpState, headers: &HeaderMap, mut batch: BatchRequest) -> Response {
    let who = match caller(s, headers).await {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    for r in batch.iter_mut() {
        r.data.insert(who);
        crate::graphql::add_loaders(&mut r.data, &s.app.db, s.app.config.batch_delay);
    }
    let resp = s.schema.execute_batch(batch).await;
    graphql_response(resp, wants_graphql_response(headers))
}

/// Clients that accept `application/graphql-response+json` get the status codes of the
/// GraphQL-over-HTTP spec; clients that only know `application/json` (or say nothing) get the
/// traditional 200 with errors in the body, as the spec's compatibility rules ask.
fn wants_graphql_response(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/graphql-response+json"))
}

/// 200 whenever execution produced data; otherwise the status the errors call for: 400 when
/// the request did not parse or validate, 401/403 when it was refused for want of a role.
fn graphql_response(resp: BatchResponse, graphql_response_json: bool) -> Response {
    let mut not_executed = false;
    let mut status = match &resp {
        BatchResponse::Single(r)
            if r.data == async_graphql::Value::Null && !r.errors.is_empty() =>
        {
            let codes: Vec<String> = r
                .errors
                .iter()
                .map(
                    |e| match e.extensions.as_ref().and_then(|x| x.get("code")) {
                        Some(async_graphql::Value::String(c)) => c.clone(),
                        _ => String::new(),
                    },
                )
                .collect();
            let all = |set: &[ErrorCode]| codes.iter().all(|c| set.iter().any(|k| c == k.as_str()));
            if all(&[
                ErrorCode::GraphqlParseFailed,
                ErrorCode::GraphqlValidationFailed,
            ]) {
                not_executed = true;
                StatusCode::BAD_REQUEST
            } else if codes
                .iter()
                .any(|c| c == ErrorCode::Unauthenticated.as_str())
            {
                StatusCode::UNAUTHORIZED
            } else if all(&[ErrorCode::Forbidden]) {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::OK
            }
        }
        _ => StatusCode::OK,
    };
    if not_executed && !graphql_response_json {
        status = StatusCode::OK;
    }
    let mut value = serde_json::to_value(&resp).unwrap_or_else(|_| json!({}));
    // A request that never executed has no `data` entry at all (not even null).
    if not_executed && graphql_response_json {
        if let Some(obj) = value.as_object_mut() {
            obj.remove("data");
        }
    }
    let body = value.to_string();
    let content_type = if graphql_response_json {
        "application/graphql-response+json; charset=utf-8"
    } else {
        "application/json; charset=utf-8"
    };
    let mut r = (status, body).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}
