//! An index on every foreign-key column that had none. Replacing a document's entities deletes and
//! reads its provenance, appendices and so on by document, and a cascading delete looks up the
//! children of each deleted row; without these indexes every one of those is a table scan, which
//! made a bulk ingest quadratic in the number of documents.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (index name, table, column). Meetings' body is covered by its unique (body, date) index.
const INDEXES: &[(&str, &str, &str)] = &[
    ("idx_provenance_document", "provenance", "document_id"),
    ("idx_appendices_document", "appendices", "document_id"),
    (
        "idx_organization_aliases_organization",
        "organization_aliases",
        "organization_id",
    ),
    ("idx_bodies_organization", "bodies", "organization_id"),
    ("idx_plans_owner", "plans", "owner_id"),
    ("idx_plans_parent", "plans", "parent_plan_id"),
    (
        "idx_action_items_focus_area",
        "action_items",
        "focus_area_id",
    ),
    ("idx_cases_body", "cases", "body_id"),
    ("idx_cases_meeting", "cases", "meeting_id"),
    (
        "idx_case_references_referenced",
        "case_references",
        "referenced_case_id",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, column) in INDEXES {
            manager
                .create_index(
                    Index::create()
                        .name(*name)
                        .table(Alias::new(*table))
                        .col(Alias::new(*column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in INDEXES {
            manager
                .drop_index(
                    Index::drop()
                        .name(*name)
                        .table(Alias::new(*table))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
