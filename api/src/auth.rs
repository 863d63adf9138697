//! Who is calling. Every mutation states the role it needs; the caller's role comes from the
//! request (for now: the configured anonymous role; API tokens plug in here).

use async_graphql::Context;

use crate::graphql::error::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Query and search.
    Reader,
    /// Also upload and curate.
    Editor,
    /// Also manage tokens and rebuild the index.
    Admin,
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "reader" => Ok(Role::Reader),
            "editor" => Ok(Role::Editor),
            "admin" => Ok(Role::Admin),
            "none" => Err("use no role".into()),
            other => Err(format!("unknown role {other:?} (reader, editor, admin)")),
        }
    }
}

/// The caller of one request, put into the GraphQL context by the HTTP layer.
#[derive(Debug, Clone, Copy)]
pub struct Caller {
    pub role: Option<Role>,
}

/// Fails with UNAUTHENTICATED when the caller has no role, FORBIDDEN when it is too weak.
pub fn require(ctx: &Context<'_>, needed: Role) -> Result<(), ApiError> {
    let caller = ctx
        .data_opt::<Caller>()
        .copied()
        .unwrap_or(Caller { role: None });
    match caller.role {
        None => Err(ApiError::Unauthenticated),
        Some(r) if r >= needed => Ok(()),
        Some(_) => Err(ApiError::Forbidden(format!(
            "this needs the {needed:?} role"
        ))),
    }
}
