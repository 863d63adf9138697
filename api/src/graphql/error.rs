//! Error policy of the API. Every error a client sees carries `extensions.code` from the closed
//! set in [`ErrorCode`], so a frontend can branch on it without parsing messages. Messages are
//! for people; internal details (SQL, paths) are logged, never sent.

use async_graphql::ErrorExtensions;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The query text does not parse.
    GraphqlParseFailed,
    /// The query parses but does not fit the schema, or exceeds depth/complexity limits.
    GraphqlValidationFailed,
    /// An argument or uploaded file is unacceptable.
    BadUserInput,
    /// No object with that id.
    NotFound,
    /// The request has no valid credentials and anonymous access does not allow this.
    Unauthenticated,
    /// The credentials are valid but their role does not allow this.
    Forbidden,
    /// The request or a file in it is larger than allowed.
    PayloadTooLarge,
    /// The server is at a limit of concurrent work (connections, uploads); retry shortly.
    ServiceUnavailable,
    /// Something failed on our side; the message carries no detail.
    InternalServerError,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            ErrorCode::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            ErrorCode::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            ErrorCode::InternalServerError => "INTERNAL_SERVER_ERROR",
        }
    }
}

/// An error on its way to a GraphQL client. Deliberately not `Display`: async-graphql turns any
/// `Display` type into an error without a code, and every error we send must have one.
#[derive(Debug, Clone)]
pub enum ApiError {
    BadUserInput(String),
    NotFound(String),
    Unauthenticated,
    Forbidden(String),
    PayloadTooLarge(String),
    /// At a limit of concurrent work; retrying later may succeed.
    ServiceUnavailable(String),
    /// The detail is logged with this id, and only the id is sent: a person reporting the
    /// error can quote it, and an operator finds the detail in the log.
    Internal {
        id: String,
    },
}

impl ApiError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::BadUserInput(_) => ErrorCode::BadUserInput,
            ApiError::NotFound(_) => ErrorCode::NotFound,
            ApiError::Unauthenticated => ErrorCode::Unauthenticated,
            ApiError::Forbidden(_) => ErrorCode::Forbidden,
            ApiError::PayloadTooLarge(_) => ErrorCode::PayloadTooLarge,
            ApiError::ServiceUnavailable(_) => ErrorCode::ServiceUnavailable,
            ApiError::Internal { .. } => ErrorCode::InternalServerError,
        }
    }

    /// The message a client sees.
    pub fn message(&self) -> String {
        match self {
            ApiError::BadUserInput(m)
            | ApiError::NotFound(m)
            | ApiError::PayloadTooLarge(m)
            | ApiError::ServiceUnavailable(m) => m.clone(),
            ApiError::Unauthenticated => "authentication required".to_owned(),
            ApiError::Forbidden(m) => format!("forbidden: {m}"),
            ApiError::Internal { id } => format!("internal error (id {id})"),
        }
    }

    /// Logs `e` under a new error id; the client gets the id and nothing of `e`.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        let id = error_id();
        tracing::error!(error_id = %id, error = %e, "internal error");
        ApiError::Internal { id }
    }
}

/// A short random id that ties what a client saw to the log line with the detail.
pub fn error_id() -> String {
    format!("{:012x}", rand::random::<u64>() & 0xffff_ffff_ffff)
}

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        let code = e.code().as_str();
        let id = match &e {
            ApiError::Internal { id } => Some(id.clone()),
            _ => None,
        };
        async_graphql::Error::new(e.message()).extend_with(|_, ext| {
            ext.set("code", code);
            if let Some(id) = &id {
                ext.set("errorId", id.as_str());
            }
        })
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        ApiError::internal(e)
    }
}

impl From<planarkiv_schema::SchemaError> for ApiError {
    fn from(e: planarkiv_schema::SchemaError) -> Self {
        match e {
            planarkiv_schema::SchemaError::Index(e) => ApiError::internal(e),
            other => ApiError::BadUserInput(other.to_string()),
        }
    }
}

impl From<planarkiv_ingest::IngestError> for ApiError {
    fn from(e: planarkiv_ingest::IngestError) -> Self {
        use planarkiv_ingest::IngestError as E;
        match e {
            E::Rejected(m) => ApiError::BadUserInput(m),
            E::NotFound(m) => ApiError::NotFound(m),
            E::TooLarge(m) => ApiError::PayloadTooLarge(m),
            E::Pdf(p) => ApiError::BadUserInput(p.to_string()),
            E::Archive(a) => ApiError::BadUserInput(a.to_string()),
            other => ApiError::internal(other),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// What resolvers return: `?` on an [`ApiResult`] converts with the code attached.
pub type GqlResult<T> = async_graphql::Result<T>;
