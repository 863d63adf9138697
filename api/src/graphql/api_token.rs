use async_graphql::{Enum, Object, SimpleObject, ID};

use planarkiv_schema::entities::api_token;
use planarkiv_schema::ids::{self, IdKind};

use super::instant;

/// What a token may do.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum TokenRole {
    /// Query and search.
    Reader,
    /// Also upload, rename and delete documents.
    Editor,
    /// Also manage tokens and rebuild the index.
    Admin,
}

impl TokenRole {
    /// The stored role; tokens are created with one of the three, so anything else is read as
    /// the least it could mean.
    pub fn from_stored(s: &str) -> Self {
        match s {
            "admin" => TokenRole::Admin,
            "editor" => TokenRole::Editor,
            _ => TokenRole::Reader,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TokenRole::Reader => "reader",
            TokenRole::Editor => "editor",
            TokenRole::Admin => "admin",
        }
    }
}

pub struct ApiToken(pub api_token::Model);

/// An API token as stored: its secret is not kept, only its hash.
#[Object]
impl ApiToken {
    /// Opaque global id; `node(id:)` fetches the token for admins.
    pub async fn id(&self) -> ID {
        ID(ids::encode(IdKind::ApiToken, self.0.id))
    }

    /// Who or what the token is for.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What the token may do.
    async fn role(&self) -> TokenRole {
        TokenRole::from_stored(&self.0.role)
    }

    /// When it was created.
    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        instant(self.0.created_at)
    }

    /// When it was revoked; null while it is valid.
    async fn revoked_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.revoked_at.map(instant)
    }
}

/// A new token and, once only, its secret.
#[derive(SimpleObject)]
pub struct CreatedApiToken {
    /// Send it as `Authorization: Bearer <token>`. It cannot be shown again.
    pub token: String,
    /// The token as stored.
    pub api_token: ApiToken,
}
