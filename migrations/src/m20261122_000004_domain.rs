//! The domain model: organisations and their bodies, meetings, plans with focus areas, measures
//! and action items, cases with their references and appendices, and where every extracted
//! value was read.
//!
//! Curated rows: every entity row has `origin` ("extracted" or "person") and `edited`, a JSON
//! array of the fields a person changed. Re-extraction rewrites only extracted, unedited values.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Documents {
    Table,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
    Name,
    Kind,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrganizationAliases {
    Table,
    Id,
    OrganizationId,
    Alias,
    AliasKey,
}

#[derive(DeriveIden)]
enum Bodies {
    Table,
    Id,
    OrganizationId,
    Name,
    Abbreviation,
    Kind,
    BodyKey,
}

#[derive(DeriveIden)]
enum Meetings {
    Table,
    Id,
    BodyId,
    Date,
}

#[derive(DeriveIden)]
enum Plans {
    Table,
    Id,
    Kind,
    Title,
    OwnerId,
    PeriodStart,
    PeriodEnd,
    AdoptedOn,
    AdoptedBy,
    Vision,
    ParentPlanId,
    DocumentId,
    Origin,
    Edited,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FocusAreas {
    Table,
    Id,
    PlanId,
    Position,
    Title,
    Goal,
    Origin,
    Edited,
}

#[derive(DeriveIden)]
enum Measures {
    Table,
    Id,
    FocusAreaId,
    Position,
    Text,
    Origin,
    Edited,
}

#[derive(DeriveIden)]
enum ActionItems {
    Table,
    Id,
    PlanId,
    FocusAreaId,
    Position,
    Text,
    Responsible,
    Deadline,
    Origin,
    Edited,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
    BodyId,
    MeetingId,
    Year,
    Sequence,
    Title,
    MeetingDate,
    Background,
    Assessment,
    ProposedDecision,
    Decision,
    DocumentId,
    Origin,
    Edited,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CaseReferences {
    Table,
    Id,
    CaseId,
    Year,
    Sequence,
    ReferencedCaseId,
    Origin,
}

#[derive(DeriveIden)]
enum Appendices {
    Table,
    Id,
    CaseId,
    CaseYear,
    CaseSequence,
    Number,
    Title,
    DocumentId,
    Origin,
    Edited,
}

#[derive(DeriveIden)]
enum Provenance {
    Table,
    Id,
    EntityType,
    EntityId,
    Field,
    DocumentId,
    Page,
    CharStart,
    CharEnd,
    ExtractorVersion,
}

fn id<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn curation<T: Iden + 'static>(t: &mut TableCreateStatement, origin: T, edited: T) {
    t.col(
        ColumnDef::new(origin)
            .string_len(16)
            .not_null()
            .default("extracted"),
    )
    .col(ColumnDef::new(edited).text().not_null().default("[]"));
}

fn fk<F: IntoIden + 'static, T: IntoIden + 'static, C: IntoIden + 'static>(
    from_table: F,
    from_col: C,
    to: T,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from_tbl(from_table)
        .from_col(from_col)
        .to_tbl(to)
        .to_col(Alias::new("id"))
        .on_delete(on_delete)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, SetNull};

        manager
            .create_table(
                Table::create()
                    .table(Organizations::Table)
                    .col(id(Organizations::Id))
                    .col(ColumnDef::new(Organizations::Name).string().not_null())
                    .col(
                        ColumnDef::new(Organizations::Kind)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Organizations::CreatedAt)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Organizations::UpdatedAt)
                            .big_integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrganizationAliases::Table)
                    .col(id(OrganizationAliases::Id))
                    .col(
                        ColumnDef::new(OrganizationAliases::OrganizationId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(OrganizationAliases::Alias)
                            .string()
                            .not_null(),
                    )
                    // Spellings that differ only in case, spacing or "felleskap" share one key,
                    // so they can never become two organisations.
                    .col(
                        ColumnDef::new(OrganizationAliases::AliasKey)
                            .string()
                            .not_null()
                            .unique_key(),
                    )
                    .foreign_key(&mut fk(
                        OrganizationAliases::Table,
                        OrganizationAliases::OrganizationId,
                        Organizations::Table,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Bodies::Table)
                    .col(id(Bodies::Id))
                    .col(ColumnDef::new(Bodies::OrganizationId).big_integer())
                    .col(ColumnDef::new(Bodies::Name).string().not_null())
                    .col(ColumnDef::new(Bodies::Abbreviation).string_len(16))
                    .col(ColumnDef::new(Bodies::Kind).string_len(32).not_null())
                    .col(
                        ColumnDef::new(Bodies::BodyKey)
                            .string()
                            .not_null()
                            .unique_key(),
                    )
                    .foreign_key(&mut fk(
                        Bodies::Table,
                        Bodies::OrganizationId,
                        Organizations::Table,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Meetings::Table)
                    .col(id(Meetings::Id))
                    .col(ColumnDef::new(Meetings::BodyId).big_integer().not_null())
                    .col(ColumnDef::new(Meetings::Date).string_len(10).not_null())
                    .foreign_key(&mut fk(
                        Meetings::Table,
                        Meetings::BodyId,
                        Bodies::Table,
                        Cascade,
                    ))
                    .index(
                        Index::create()
                            .unique()
                            .col(Meetings::BodyId)
                            .col(Meetings::Date),
                    )
                    .to_owned(),
            )
            .await?;

        let mut plans = Table::create()
            .table(Plans::Table)
            .col(id(Plans::Id))
            .col(ColumnDef::new(Plans::Kind).string_len(32).not_null())
            .col(ColumnDef::new(Plans::Title).text())
            .col(ColumnDef::new(Plans::OwnerId).big_integer())
            .col(ColumnDef::new(Plans::PeriodStart).integer())
            .col(ColumnDef::new(Plans::PeriodEnd).integer())
            .col(ColumnDef::new(Plans::AdoptedOn).string_len(10))
            .col(ColumnDef::new(Plans::AdoptedBy).text())
            .col(ColumnDef::new(Plans::Vision).text())
            .col(ColumnDef::new(Plans::ParentPlanId).big_integer())
            .col(ColumnDef::new(Plans::DocumentId).big_integer())
            .col(ColumnDef::new(Plans::CreatedAt).big_integer().not_null())
            .col(ColumnDef::new(Plans::UpdatedAt).big_integer().not_null())
            .foreign_key(&mut fk(
                Plans::Table,
                Plans::OwnerId,
                Organizations::Table,
                SetNull,
            ))
            .foreign_key(&mut fk(
                Plans::Table,
                Plans::ParentPlanId,
                Plans::Table,
                SetNull,
            ))
            .foreign_key(&mut fk(
                Plans::Table,
                Plans::DocumentId,
                Documents::Table,
                SetNull,
            ))
            .to_owned();
        curation(&mut plans, Plans::Origin, Plans::Edited);
        manager.create_table(plans).await?;

        let mut focus = Table::create()
            .table(FocusAreas::Table)
            .col(id(FocusAreas::Id))
            .col(ColumnDef::new(FocusAreas::PlanId).big_integer().not_null())
            .col(ColumnDef::new(FocusAreas::Position).integer().not_null())
            .col(ColumnDef::new(FocusAreas::Title).text().not_null())
            .col(ColumnDef::new(FocusAreas::Goal).text())
            .foreign_key(&mut fk(
                FocusAreas::Table,
                FocusAreas::PlanId,
                Plans::Table,
                Cascade,
            ))
            .to_owned();
        curation(&mut focus, FocusAreas::Origin, FocusAreas::Edited);
        manager.create_table(focus).await?;

        let mut measures = Table::create()
            .table(Measures::Table)
            .col(id(Measures::Id))
            .col(
                ColumnDef::new(Measures::FocusAreaId)
                    .big_integer()
                    .not_null(),
            )
            .col(ColumnDef::new(Measures::Position).integer().not_null())
            .col(ColumnDef::new(Measures::Text).text().not_null())
            .foreign_key(&mut fk(
                Measures::Table,
                Measures::FocusAreaId,
                FocusAreas::Table,
                Cascade,
            ))
            .to_owned();
        curation(&mut measures, Measures::Origin, Measures::Edited);
        manager.create_table(measures).await?;

        let mut items = Table::create()
            .table(ActionItems::Table)
            .col(id(ActionItems::Id))
            .col(ColumnDef::new(ActionItems::PlanId).big_integer().not_null())
            .col(ColumnDef::new(ActionItems::FocusAreaId).big_integer())
            .col(ColumnDef::new(ActionItems::Position).integer().not_null())
            .col(ColumnDef::new(ActionItems::Text).text().not_null())
            .col(ColumnDef::new(ActionItems::Responsible).text())
            .col(ColumnDef::new(ActionItems::Deadline).string_len(10))
            .foreign_key(&mut fk(
                ActionItems::Table,
                ActionItems::PlanId,
                Plans::Table,
                Cascade,
            ))
            .foreign_key(&mut fk(
                ActionItems::Table,
                ActionItems::FocusAreaId,
                FocusAreas::Table,
                SetNull,
            ))
            .to_owned();
        curation(&mut items, ActionItems::Origin, ActionItems::Edited);
        manager.create_table(items).await?;

        let mut cases = Table::create()
            .table(Cases::Table)
            .col(id(Cases::Id))
            .col(ColumnDef::new(Cases::BodyId).big_integer())
            .col(ColumnDef::new(Cases::MeetingId).big_integer())
            .col(ColumnDef::new(Cases::Year).integer().not_null())
            .col(ColumnDef::new(Cases::Sequence).integer().not_null())
            .col(ColumnDef::new(Cases::Title).text())
            .col(ColumnDef::new(Cases::MeetingDate).string_len(10))
            .col(ColumnDef::new(Cases::Background).text())
            .col(ColumnDef::new(Cases::Assessment).text())
            .col(ColumnDef::new(Cases::ProposedDecision).text())
            .col(ColumnDef::new(Cases::Decision).text())
            .col(ColumnDef::new(Cases::DocumentId).big_integer())
            .col(ColumnDef::new(Cases::CreatedAt).big_integer().not_null())
            .col(ColumnDef::new(Cases::UpdatedAt).big_integer().not_null())
            .foreign_key(&mut fk(Cases::Table, Cases::BodyId, Bodies::Table, SetNull))
            .foreign_key(&mut fk(
                Cases::Table,
                Cases::MeetingId,
                Meetings::Table,
                SetNull,
            ))
            .foreign_key(&mut fk(
                Cases::Table,
                Cases::DocumentId,
                Documents::Table,
                SetNull,
            ))
            .to_owned();
        curation(&mut cases, Cases::Origin, Cases::Edited);
        manager.create_table(cases).await?;

        manager
            .create_table(
                Table::create()
                    .table(CaseReferences::Table)
                    .col(id(CaseReferences::Id))
                    .col(
                        ColumnDef::new(CaseReferences::CaseId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(CaseReferences::Year).integer().not_null())
                    .col(
                        ColumnDef::new(CaseReferences::Sequence)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(CaseReferences::ReferencedCaseId).big_integer())
                    .col(
                        ColumnDef::new(CaseReferences::Origin)
                            .string_len(16)
                            .not_null()
                            .default("extracted"),
                    )
                    .foreign_key(&mut fk(
                        CaseReferences::Table,
                        CaseReferences::CaseId,
                        Cases::Table,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        CaseReferences::Table,
                        CaseReferences::ReferencedCaseId,
                        Cases::Table,
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;

        let mut appendices = Table::create()
            .table(Appendices::Table)
            .col(id(Appendices::Id))
            .col(ColumnDef::new(Appendices::CaseId).big_integer())
            // The case's number is kept even before the case is known, so an appendix that
            // arrives first is linked the moment its case does.
            .col(ColumnDef::new(Appendices::CaseYear).integer().not_null())
            .col(
                ColumnDef::new(Appendices::CaseSequence)
                    .integer()
                    .not_null(),
            )
            .col(ColumnDef::new(Appendices::Number).integer())
            .col(ColumnDef::new(Appendices::Title).text())
            .col(ColumnDef::new(Appendices::DocumentId).big_integer())
            .foreign_key(&mut fk(
                Appendices::Table,
                Appendices::CaseId,
                Cases::Table,
                SetNull,
            ))
            .foreign_key(&mut fk(
                Appendices::Table,
                Appendices::DocumentId,
                Documents::Table,
                SetNull,
            ))
            .to_owned();
        curation(&mut appendices, Appendices::Origin, Appendices::Edited);
        manager.create_table(appendices).await?;

        manager
            .create_table(
                Table::create()
                    .table(Provenance::Table)
                    .col(id(Provenance::Id))
                    .col(
                        ColumnDef::new(Provenance::EntityType)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Provenance::EntityId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Provenance::Field).string_len(32).not_null())
                    .col(
                        ColumnDef::new(Provenance::DocumentId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Provenance::Page).integer().not_null())
                    .col(ColumnDef::new(Provenance::CharStart).integer().not_null())
                    .col(ColumnDef::new(Provenance::CharEnd).integer().not_null())
                    .col(
                        ColumnDef::new(Provenance::ExtractorVersion)
                            .string_len(32)
                            .not_null(),
                    )
                    .foreign_key(&mut fk(
                        Provenance::Table,
                        Provenance::DocumentId,
                        Documents::Table,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        for (name, table, cols) in [
            (
                "idx_provenance_entity",
                Provenance::Table.into_iden(),
                vec![
                    Provenance::EntityType.into_iden(),
                    Provenance::EntityId.into_iden(),
                ],
            ),
            (
                "idx_cases_number",
                Cases::Table.into_iden(),
                vec![Cases::Year.into_iden(), Cases::Sequence.into_iden()],
            ),
            (
                "idx_cases_document",
                Cases::Table.into_iden(),
                vec![Cases::DocumentId.into_iden()],
            ),
            (
                "idx_plans_document",
                Plans::Table.into_iden(),
                vec![Plans::DocumentId.into_iden()],
            ),
            (
                "idx_focus_areas_plan",
                FocusAreas::Table.into_iden(),
                vec![FocusAreas::PlanId.into_iden()],
            ),
            (
                "idx_measures_focus_area",
                Measures::Table.into_iden(),
                vec![Measures::FocusAreaId.into_iden()],
            ),
            (
                "idx_action_items_plan",
                ActionItems::Table.into_iden(),
                vec![ActionItems::PlanId.into_iden()],
            ),
            (
                "idx_case_references_case",
                CaseReferences::Table.into_iden(),
                vec![CaseReferences::CaseId.into_iden()],
            ),
            (
                "idx_case_references_number",
                CaseReferences::Table.into_iden(),
                vec![
                    CaseReferences::Year.into_iden(),
                    CaseReferences::Sequence.into_iden(),
                ],
            ),
            (
                "idx_appendices_number",
                Appendices::Table.into_iden(),
                vec![
                    Appendices::CaseYear.into_iden(),
                    Appendices::CaseSequence.into_iden(),
                ],
            ),
            (
                "idx_appendices_case",
                Appendices::Table.into_iden(),
                vec![Appendices::CaseId.into_iden()],
            ),
        ] {
            let mut idx = Index::create().name(name).table(table).to_owned();
            for c in cols {
                idx.col(c);
            }
            manager.create_index(idx).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Provenance::Table.into_iden(),
            Appendices::Table.into_iden(),
            CaseReferences::Table.into_iden(),
            Cases::Table.into_iden(),
            ActionItems::Table.into_iden(),
            Measures::Table.into_iden(),
            FocusAreas::Table.into_iden(),
            Plans::Table.into_iden(),
            Meetings::Table.into_iden(),
            Bodies::Table.into_iden(),
            OrganizationAliases::Table.into_iden(),
            Organizations::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
