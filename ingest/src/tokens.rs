//! API tokens: created with a role, shown once, stored as a SHA-256, revocable. Lives beside the
//! other database operations so the CLI and the HTTP layer share one implementation.

use base64::Engine;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};

use planarkiv_schema::entities::api_token;
use planarkiv_schema::time::now_ms;

use crate::blobs::sha256_hex;
use crate::IngestError;

/// Tokens carry a prefix so they are recognisable in logs and secret scanners.
const PREFIX: &str = "pka_";

pub const ROLES: [&str; 3] = ["reader", "editor", "admin"];

/// Creates a token and returns it in clear (the only time it exists) with its row.
pub async fn create(
    db: &DatabaseConnection,
    name: &str,
    role: &str,
) -> Result<(String, api_token::Model), IngestError> {
    if !ROLES.contains(&role) {
        return Err(IngestError::Rejected(format!(
            "unknown role {role:?}: reader, editor or admin"
        )));
    }
    let secret: [u8; 32] = rand::random();
    let token = format!(
        "{PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret)
    );
    let row = api_token::ActiveModel {
        name: Set(name.to_owned()),
        role: Set(role.to_owned()),
        token_hash: Set(sha256_hex(token.as_bytes())),
        created_at: Set(now_ms()),
        revoked_at: Set(None),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((token, row))
}

/// The role of a valid, unrevoked token.
pub async fn role_of(db: &DatabaseConnection, token: &str) -> Result<Option<String>, IngestError> {
    Ok(valid(db, token).await?.map(|r| r.role))
}

/// The row of a valid, unrevoked token.
pub async fn valid(
    db: &DatabaseConnection,
    token: &str,
) -> Result<Option<api_token::Model>, IngestError> {
    if !token.starts_with(PREFIX) {
        return Ok(None);
    }
    Ok(api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(sha256_hex(token.as_bytes())))
        .filter(api_token::Column::RevokedAt.is_null())
        .one(db)
        .await?)
}

/// The row of an unrevoked token by its id.
pub async fn valid_by_id(
    db: &DatabaseConnection,
    id: i64,
) -> Result<Option<api_token::Model>, IngestError> {
    Ok(api_token::Entity::find_by_id(id)
        .filter(api_token::Column::RevokedAt.is_null())
        .one(db)
        .await?)
}

pub async fn list(db: &DatabaseConnection) -> Result<Vec<api_token::Model>, IngestError> {
    Ok(api_token::Entity::find()
        .order_by_asc(api_token::Column::Id)
        .all(db)
        .await?)
}

/// Revokes a token; false when there is no such (unrevoked) token.
pub async fn revoke(db: &DatabaseConnection, id: i64) -> Result<bool, IngestError> {
    let Some(row) = api_token::Entity::find_by_id(id).one(db).await? else {
        return Ok(false);
    };
    if row.revoked_at.is_some() {
        return Ok(false);
    }
    let mut a: api_token::ActiveModel = row.into();
    a.revoked_at = Set(Some(now_ms()));
    a.update(db).await?;
    Ok(true)
}
