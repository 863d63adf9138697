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
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Clone)]
struct HttpState {
    app: AppState,
    schema: ApiSchema,
    metrics: Arc<Metrics>,
}

pub fn router(app: AppState, schema: ApiSchema) -> Router {
    let limit = app.config.max_upload_bytes.saturating_add(ENVELOPE_BYTES);
    let metrics = Arc::new(Metrics::new());
    let cors = cors_layer(&app.config.cors_origins);
    Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics_handler))
        .layer(DefaultBodyLimit::max(limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(cors)
        .route_layer(axum::middleware::from_fn_with_state(
            metrics.clone(),
            crate::metrics::track,
        ))
        .with_state(HttpState {
            app,
            schema,
            metrics,
        })
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
    (StatusCode::OK, "ready").into_response()
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
            let mut r = error_response(
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::BadUserInput,
                "mutations must be sent with POST",
            );
            r.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            return r;
        }
    }
    execute(&s, &headers, BatchRequest::Single(req)).await
}

async fn graphql_post(State(s): State<HttpState>, headers: HeaderMap, body: Body) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let acceptable = content_type.as_deref().is_some_and(|c| {
        let c = c.to_ascii_lowercase();
        c.starts_with("application/json")
            || c.starts_with("application/graphql-response+json")
            || c.starts_with("multipart/form-data")
    });
    if !acceptable {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::BadUserInput,
            "a GraphQL POST needs Content-Type: application/json (or multipart/form-data for uploads)",
        );
    }
    let is_multipart = content_type
        .as_deref()
        .is_some_and(|c| c.starts_with("multipart/"));
    // A plain HTML form can post multipart across sites without a CORS preflight; requiring a
    // custom header forces one, so uploads cannot be forged from another origin.
    if is_multipart && !has_preflight_header(&headers) {
        return error_response(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadUserInput,
            "multipart requests need an `apollo-require-preflight: true` (or `graphql-preflight`) header",
        );
    }
    let max_file = s.app.config.max_upload_bytes;
    let limit = max_file.saturating_add(ENVELOPE_BYTES);
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => {
            return error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                &format!("the request is larger than the limit of {max_file} bytes per upload"),
            )
        }
    };
    let opts = MultipartOptions::default()
        .max_file_size(max_file)
        .max_num_files(s.app.config.max_files_per_request);
    let batch = async_graphql::http::receive_batch_body(
        content_type,
        futures::io::Cursor::new(bytes.to_vec()),
        opts,
    )
    .await;
    match batch {
        Ok(b) if b.iter().any(|r| r.query.trim().is_empty()) => error_response(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadUserInput,
            "the request has no `query`",
        ),
        Ok(b)
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
        Ok(b) => execute(&s, &headers, b).await,
        Err(ParseRequestError::PayloadTooLarge) => error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            &format!("a file is larger than the upload limit of {max_file} bytes"),
        ),
        Err(e) => error_response(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadUserInput,
            &format!("malformed GraphQL request: {e}"),
        ),
    }
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
