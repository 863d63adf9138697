//! DataLoaders batch the lookups of one request, so a page of results costs one query per kind
//! of object instead of one per row.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use planarkiv_schema::entities::document;

pub struct DocumentLoader {
    pub db: DatabaseConnection,
}

impl Loader<i64> for DocumentLoader {
    type Value = document::Model;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = document::Entity::find()
            .filter(document::Column::Id.is_in(keys.iter().copied()))
            .all(&self.db)
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|d| (d.id, d)).collect())
    }
}
