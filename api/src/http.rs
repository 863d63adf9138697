//! All routes in one place, and the HTTP side of GraphQL: request limits, the caller's role,
//! status codes as GraphQL-over-HTTP prescribes, and GraphiQL for people with a browser.

use std::time::Duration;

use async_graphql::http::{GraphiQLSource, MultipartOptions};
use async_graphql::parser::types::OperationType;
use async_graphql::{BatchRequest, BatchResponse, ParseRequestError};
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
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
    /// The schema's SDL, made once: what `/graphql/schema.graphql` serves.
    sdl: Arc<str>,
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
        sdl: schema.sdl().into(),
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
        .route("/files/{id}", get(file_handler))
        .route("/graphql/schema.graphql", get(sdl_handler))
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
/// CORS origin (`*`: any).
pub fn origin_allowed(origin: &str, host: Option<&str>, cors: &[String]) -> bool {
    let normalized = normalize_origin(origin);
    if cors
        .iter()
        .map(|c| normalize_origin(c))
        .any(|c| c == "*" || c == normalized)
    {
        return true;
    }
    // The page's own origin, compared as sent: `Origin` and `Host` carry the same port, or
    // neither does.
    let origin = origin.trim();
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    match (authority, host) {
        (Some(a), Some(h)) => a.eq_ignore_ascii_case(h.trim()),
        _ => false,
    }
}

/// An origin as browsers send it in `Origin`, from what people type: no path or trailing
/// slash ("https://portal.example.no/"), scheme and host in lower case, no default port.
pub fn normalize_origin(origin: &str) -> String {
    let o = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    for (scheme, port) in [("https://", ":443"), ("http://", ":80")] {
        if o.starts_with(scheme) {
            if let Some(bare) = o.strip_suffix(port) {
                return bare.to_owned();
            }
        }
    }
    o
}

/// The request headers browser clients send to the API: Apollo Client's operation name and
/// CSRF-prevention headers, tokens, JSON, and a PDF viewer's byte ranges of `/files/…`.
const CORS_REQUEST_HEADERS: [&str; 7] = [
    "content-type",
    "authorization",
    "apollo-require-preflight",
    "graphql-preflight",
    "x-apollo-operation-name",
    "apollographql-client-name",
    "range",
];

/// The response headers a page on another origin may read besides the safelisted ones: what a
/// download or a PDF viewer needs, and when to retry.
const CORS_EXPOSED_HEADERS: [&str; 6] = [
    "content-disposition",
    "content-range",
    "accept-ranges",
    "content-length",
    "etag",
    "retry-after",
];

/// Only the configured origins may call the API from a browser (`*`: every origin); with none
/// configured, no cross-origin browser access is granted (same-origin and non-browser clients
/// are unaffected). Credentials (cookies) are never allowed: tokens travel in
/// `Authorization`, which a page must add itself.
fn cors_layer(origins: &[String]) -> CorsLayer {
    let normalized: Vec<String> = origins.iter().map(|o| normalize_origin(o)).collect();
    let allow_origin = if normalized.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            normalized
                .iter()
                .filter_map(|o| HeaderValue::from_str(o).ok()),
        )
    };
    CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods([Method::GET, Method::HEAD, Method::POST])
        .allow_headers(CORS_REQUEST_HEADERS.map(HeaderName::from_static))
        .expose_headers(CORS_EXPOSED_HEADERS.map(HeaderName::from_static))
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

/// `GET /graphql/schema.graphql`: the schema in SDL, for code generators and tools that read a
/// file rather than send an introspection query. Public like introspection: it describes the
/// API, not the archive.
async fn sdl_handler(State(s): State<HttpState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        s.sdl.to_string(),
    )
        .into_response()
}

/// The path of a document's stored file (`Document.fileUrl`), relative to the server.
pub fn file_path(document_id: i64) -> String {
    format!(
        "/files/{}",
        planarkiv_schema::ids::encode(planarkiv_schema::ids::IdKind::Document, document_id)
    )
}

/// `GET /files/{documentId}`: the original bytes, for whoever may read the archive through
/// GraphQL (the same bearer token and anonymous role); refusals in the GraphQL error shape.
async fn file_handler(
    State(s): State<HttpState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
    headers: HeaderMap,
) -> Response {
    let link = crate::files::link_params(query.as_deref().unwrap_or(""));
    let who = match link {
        // A signed link (`Document.fileUrl` for a caller with a token) stands for the token.
        Some(params) => match signed_link_caller(&s, &id, params).await {
            Ok(c) => c,
            Err(resp) => return resp,
        },
        None => match caller(&s, &headers).await {
            Ok(c) => c,
            Err(resp) => return resp,
        },
    };
    match who.role {
        None => {
            return error_response(
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthenticated,
                "authentication required",
            )
        }
        Some(r) if r < Role::Reader => {
            return error_response(
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                "forbidden: this needs the Reader role",
            )
        }
        Some(_) => {}
    }
    use planarkiv_schema::ids::{self, IdKind};
    use sea_orm::EntityTrait;
    let not_found = || {
        error_response(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "no document with that id",
        )
    };
    let Ok(row) = ids::decode(IdKind::Document, &id) else {
        return not_found();
    };
    let doc = match planarkiv_schema::entities::document::Entity::find_by_id(row)
        .one(&s.app.db)
        .await
    {
        Ok(Some(d)) => d,
        Ok(None) => return not_found(),
        Err(e) => return internal(e),
    };
    let path = match s.app.blobs.path_of(&doc.sha256) {
        Ok(p) => p,
        Err(e) => return internal(e),
    };
    match crate::files::serve(path, &doc.sha256, &doc.filename, &headers).await {
        Ok(r) => r,
        // The row was read before a concurrent delete removed the file.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => not_found(),
        Err(e) => internal(e),
    }
}

/// The caller a signed file link stands for: its token's role, when the link is for this
/// document, unexpired, within the longest lifetime links are made with, and signed with that
/// token's key, and the token is not revoked.
async fn signed_link_caller(
    s: &HttpState,
    id: &str,
    params: Result<(i64, i64, String), ()>,
) -> Result<Caller, Response> {
    let refused = || {
        error_response(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "the file link has expired or is not valid; ask the API for the document's fileUrl again",
        )
    };
    let (token_id, expires, signature) = params.map_err(|_| refused())?;
    let now = planarkiv_schema::time::now_ms() / 1000;
    if expires < now || expires > now + crate::files::LINK_LIFETIME_SECS + 3600 {
        return Err(refused());
    }
    let document_id = planarkiv_schema::ids::decode(planarkiv_schema::ids::IdKind::Document, id)
        .map_err(|_| refused())?;
    let row = match planarkiv_ingest::tokens::valid_by_id(&s.app.db, token_id).await {
        Ok(Some(r)) => r,
        Ok(None) => return Err(refused()),
        Err(e) => return Err(internal(e)),
    };
    let key = crate::files::LinkKey::of(&row).ok_or_else(refused)?;
    let expected = crate::files::link_signature(&key, document_id, expires);
    if !crate::files::same_signature(&expected, &signature) {
        return Err(refused());
    }
    Ok(Caller {
        role: row.role.parse::<Role>().ok(),
    })
}

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "request failed");
    error_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::InternalServerError,
        "internal error",
    )
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
    Ok(caller_and_key(s, headers).await?.0)
}

/// [`caller`], with what signs file links when the caller came with a token.
async fn caller_and_key(
    s: &HttpState,
    headers: &HeaderMap,
) -> Result<(Caller, Option<crate::files::LinkKey>), Response> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok((
            Caller {
                role: s.app.config.anonymous_role,
            },
            None,
        ));
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
    match planarkiv_ingest::tokens::valid(&s.app.db, token).await {
        Ok(Some(row)) => Ok((
            Caller {
                role: row.role.parse::<Role>().ok(),
            },
            crate::files::LinkKey::of(&row),
        )),
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

async fn graphql_get(State(s): State<HttpState>, req: axum::extract::Request) -> Response {
    let (mut parts, _body) = req.into_parts();
    if is_websocket(&parts.headers) {
        return subscriptions(s, &mut parts).await;
    }
    let headers = parts.headers;
    let query = parts.uri.query().unwrap_or_default();
    if query.is_empty() {
        return Html(
            GraphiQLSource::build()
                .endpoint("/graphql")
                .subscription_endpoint("/graphql")
                .finish(),
        )
        .into_response();
    }
    let req = match async_graphql::http::parse_query_string(query) {
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
                "mutations must be sent with POST, subscriptions over a WebSocket (graphql-ws)",
            );
            return with_header(r, header::ALLOW, "POST");
        }
    }
    execute(&s, &headers, BatchRequest::Single(req)).await
}

fn is_websocket(headers: &HeaderMap) -> bool {
    headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("websocket"))
}

/// A WebSocket for subscriptions on `/graphql` (graphql-ws). Browsers send `Origin` with every
/// WebSocket handshake and CORS does not apply to WebSockets, so the origin is checked here as
/// for a POST: a page on another site must not subscribe with a visitor's reach. The caller's
/// role comes from an `Authorization` header (non-browser clients) or, since browsers cannot
/// set headers on a WebSocket, from `authorization: "Bearer …"` in the `connection_init`
/// payload (graphql-ws's `connectionParams`); an invalid token closes the connection.
async fn subscriptions(s: HttpState, parts: &mut axum::http::request::Parts) -> Response {
    use axum::extract::FromRequestParts;
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    if let Some(origin) = parts.headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        if !origin_allowed(origin, host, &s.app.config.cors_origins) {
            tracing::warn!(origin, "cross-origin WebSocket refused");
            return error_response(
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                "WebSockets from another origin are refused; configure it with --cors-origin",
            );
        }
    }
    let Ok(protocol) = async_graphql_axum::GraphQLProtocol::from_request_parts(parts, &()).await
    else {
        return error_response(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadUserInput,
            "a GraphQL WebSocket needs the `graphql-transport-ws` (or `graphql-ws`) subprotocol",
        );
    };
    let upgrade = match axum::extract::ws::WebSocketUpgrade::from_request_parts(parts, &()).await {
        Ok(u) => u,
        Err(rejection) => return rejection.into_response(),
    };
    let from_headers = match caller_and_key(&s, &parts.headers).await {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let mut data = async_graphql::Data::default();
    crate::graphql::add_loaders(&mut data, &s.app.db, s.app.config.batch_delay);
    data.insert(crate::graphql::subscription::Slots::default());
    let schema = s.schema.clone();
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            async_graphql_axum::GraphQLWebSocket::new(socket, schema, protocol)
                .with_data(data)
                .on_connection_init(move |payload| async move {
                    let mut init = async_graphql::Data::default();
                    let (who, key) = connection_caller(&s, &payload, from_headers).await?;
                    init.insert(who);
                    if let Some(k) = key {
                        init.insert(k);
                    }
                    Ok(init)
                })
                .serve()
        })
}

/// The caller of a WebSocket: the token in the `connection_init` payload if there is one,
/// else whoever the upgrade request's headers said.
async fn connection_caller(
    s: &HttpState,
    payload: &serde_json::Value,
    from_headers: (Caller, Option<crate::files::LinkKey>),
) -> async_graphql::Result<(Caller, Option<crate::files::LinkKey>)> {
    let token = ["authorization", "Authorization"]
        .iter()
        .find_map(|k| payload.get(*k).and_then(|v| v.as_str()));
    let Some(token) = token else {
        return Ok(from_headers);
    };
    let mut headers = HeaderMap::new();
    let value = HeaderValue::from_str(token).map_err(|_| {
        crate::graphql::error::ApiError::BadUserInput(
            "`authorization` must be `Bearer <token>`".into(),
        )
    })?;
    headers.insert(header::AUTHORIZATION, value);
    caller_and_key(s, &headers)
        .await
        .map_err(|_| crate::graphql::error::ApiError::Unauthenticated.into())
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
    let (who, link_key) = match caller_and_key(s, headers).await {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    for r in batch.iter_mut() {
        r.data.insert(who);
        if let Some(k) = link_key {
            r.data.insert(k);
        }
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
