//! Curated entities in an export: what people created or edited travels with the documents;
//! what extraction derives is derived again on the target. Imported rows keep their origin and
//! their list of edited fields, so when the target extracts the document, `persist` finds them
//! (by document) and leaves the people's values alone.

use std::collections::BTreeMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};

use planarkiv_schema::case_number::CaseNumber;
use planarkiv_schema::entities::{
    action_item, appendix, body, case, case_reference, document, focus_area, measure, organization,
    organization_alias, plan,
};
use planarkiv_schema::time::now_ms;

use super::{is_curated, ORIGIN_PERSON};
use crate::error::IngestError;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Curated {
    /// Every organisation's spellings, so merges made by people survive the move.
    pub organizations: Vec<ExportedOrganization>,
    pub plans: Vec<ExportedPlan>,
    pub cases: Vec<ExportedCase>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ExportedOrganization {
    pub name: String,
    pub aliases: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ExportedPlan {
    /// sha256 of the source document, if any.
    pub document: Option<String>,
    pub kind: String,
    pub title: Option<String>,
    pub owner: Option<String>,
    pub period_start: Option<i32>,
    pub period_end: Option<i32>,
    pub adopted_on: Option<String>,
    pub adopted_by: Option<String>,
    pub vision: Option<String>,
    pub origin: String,
    pub edited: String,
    pub focus_areas: Vec<ExportedArea>,
    pub action_items: Vec<ExportedItem>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ExportedArea {
    pub position: i32,
    pub title: String,
    pub goal: Option<String>,
    pub origin: String,
    pub edited: String,
    pub measures: Vec<ExportedMeasure>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ExportedMeasure {
    pub position: i32,
    pub text: String,
    pub origin: String,
    pub edited: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ExportedItem {
    pub position: i32,
    pub text: String,
    pub responsible: Option<String>,
    pub deadline: Option<String>,
    pub focus_area: Option<String>,
    pub origin: String,
    pub edited: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ExportedCase {
    pub document: Option<String>,
    /// The item number; absent when the case has none.
    pub year: Option<i32>,
    pub sequence: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_year: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_sequence: Option<i32>,
    pub body: Option<String>,
    pub body_abbreviation: Option<String>,
    pub title: Option<String>,
    pub meeting_date: Option<String>,
    pub background: Option<String>,
    pub assessment: Option<String>,
    pub proposed_decision: Option<String>,
    pub decision: Option<String>,
    pub origin: String,
    pub edited: String,
    /// Numbers of the cases a person said this one refers to.
    pub references: Vec<String>,
    pub appendices: Vec<ExportedAppendix>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ExportedAppendix {
    pub number: Option<i32>,
    pub title: Option<String>,
    pub document: Option<String>,
    pub origin: String,
    pub edited: String,
}

/// The curated part of the domain model.
pub async fn collect<C: ConnectionTrait>(db: &C) -> Result<Curated, IngestError> {
    let shas: BTreeMap<i64, String> = document::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.sha256))
        .collect();
    let sha = |id: Option<i64>| id.and_then(|i| shas.get(&i).cloned());
    let orgs: BTreeMap<i64, organization::Model> = organization::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let mut aliases: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for a in organization_alias::Entity::find()
        .order_by_asc(organization_alias::Column::Id)
        .all(db)
        .await?
    {
        aliases.entry(a.organization_id).or_default().push(a.alias);
    }
    let organizations = orgs
        .values()
        .map(|o| ExportedOrganization {
            name: o.name.clone(),
            aliases: aliases.remove(&o.id).unwrap_or_default(),
        })
        .collect();

    let mut plans = Vec::new();
    for p in plan::Entity::find()
        .order_by_asc(plan::Column::Id)
        .all(db)
        .await?
    {
        let areas = focus_area::Entity::find()
            .filter(focus_area::Column::PlanId.eq(p.id))
            .order_by_asc(focus_area::Column::Position)
            .all(db)
            .await?;
        let mut exported_areas = Vec::new();
        for a in &areas {
            let measures: Vec<ExportedMeasure> = measure::Entity::find()
                .filter(measure::Column::FocusAreaId.eq(a.id))
                .order_by_asc(measure::Column::Position)
                .all(db)
                .await?
                .into_iter()
                .filter(|m| is_curated(&m.origin, &m.edited))
                .map(|m| ExportedMeasure {
                    position: m.position,
                    text: m.text,
                    origin: m.origin,
                    edited: m.edited,
                })
                .collect();
            if is_curated(&a.origin, &a.edited) || !measures.is_empty() {
                exported_areas.push(ExportedArea {
                    position: a.position,
                    title: a.title.clone(),
                    goal: a.goal.clone(),
                    origin: a.origin.clone(),
                    edited: a.edited.clone(),
                    measures,
                });
            }
        }
        let items: Vec<ExportedItem> = action_item::Entity::find()
            .filter(action_item::Column::PlanId.eq(p.id))
            .all(db)
            .await?
            .into_iter()
            .filter(|i| is_curated(&i.origin, &i.edited))
            .map(|i| ExportedItem {
                position: i.position,
                text: i.text,
                responsible: i.responsible,
                deadline: i.deadline,
                focus_area: areas
                    .iter()
                    .find(|a| Some(a.id) == i.focus_area_id)
                    .map(|a| a.title.clone()),
                origin: i.origin,
                edited: i.edited,
            })
            .collect();
        if !is_curated(&p.origin, &p.edited) && exported_areas.is_empty() && items.is_empty() {
            continue;
        }
        plans.push(ExportedPlan {
            document: sha(p.document_id),
            kind: p.kind,
            title: p.title,
            owner: p
                .owner_id
                .and_then(|o| orgs.get(&o))
                .map(|o| o.name.clone()),
            period_start: p.period_start,
            period_end: p.period_end,
            adopted_on: p.adopted_on,
            adopted_by: p.adopted_by,
            vision: p.vision,
            origin: p.origin,
            edited: p.edited,
            focus_areas: exported_areas,
            action_items: items,
        });
    }

    let bodies: BTreeMap<i64, body::Model> = body::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b))
        .collect();
    let mut cases = Vec::new();
    for c in case::Entity::find()
        .order_by_asc(case::Column::Id)
        .all(db)
        .await?
    {
        let references: Vec<String> = case_reference::Entity::find()
            .filter(case_reference::Column::CaseId.eq(c.id))
            .filter(case_reference::Column::Origin.eq(ORIGIN_PERSON))
            .all(db)
            .await?
            .into_iter()
            .map(|r| {
                CaseNumber {
                    year: r.year,
                    sequence: r.sequence.max(0) as u32,
                }
                .to_string()
            })
            .collect();
        let appendices: Vec<ExportedAppendix> = appendix::Entity::find()
            .filter(appendix::Column::CaseId.eq(c.id))
            .all(db)
            .await?
            .into_iter()
            .filter(|a| is_curated(&a.origin, &a.edited))
            .map(|a| ExportedAppendix {
                number: a.number,
                title: a.title,
                document: sha(a.document_id),
                origin: a.origin,
                edited: a.edited,
            })
            .collect();
        if !is_curated(&c.origin, &c.edited) && references.is_empty() && appendices.is_empty() {
            continue;
        }
        let b = c.body_id.and_then(|b| bodies.get(&b));
        cases.push(ExportedCase {
            document: sha(c.document_id),
            year: c.year,
            sequence: c.sequence,
            item_type: c.item_type,
            archive_year: c.archive_year,
            archive_sequence: c.archive_sequence,
            body: b.map(|b| b.name.clone()),
            body_abbreviation: b.and_then(|b| b.abbreviation.clone()),
            title: c.title,
            meeting_date: c.meeting_date,
            background: c.background,
            assessment: c.assessment,
            proposed_decision: c.proposed_decision,
            decision: c.decision,
            origin: c.origin,
            edited: c.edited,
            references,
            appendices,
        });
    }
    Ok(Curated {
        organizations,
        plans,
        cases,
    })
}

/// Writes exported curated entities into this archive. A plan or case whose document already
/// has one (extracted here first) gets the exported values of the fields people edited;
/// otherwise the row is created and extraction fills in the rest later. Running it twice
/// creates nothing new.
pub async fn restore<C: ConnectionTrait>(db: &C, curated: &Curated) -> Result<(), IngestError> {
    for o in &curated.organizations {
        let org = super::organization_for(db, &o.name).await?;
        for a in &o.aliases {
            super::add_alias(db, org.id, a).await?;
        }
    }
    let now = now_ms();
    for p in &curated.plans {
        let doc = doc_by_sha(db, p.document.as_deref()).await?;
        let owner = match &p.owner {
            Some(o) => Some(super::organization_for(db, o).await?.id),
            None => None,
        };
        let existing = match doc {
            Some(d) => {
                plan::Entity::find()
                    .filter(plan::Column::DocumentId.eq(d))
                    .one(db)
                    .await?
            }
            None => {
                plan::Entity::find()
                    .filter(plan::Column::DocumentId.is_null())
                    .filter(plan::Column::Title.eq(p.title.clone()))
                    .filter(plan::Column::Origin.eq(p.origin.clone()))
                    .one(db)
                    .await?
            }
        };
        let mut a: plan::ActiveModel = match existing {
            Some(e) => e.into(),
            None => plan::ActiveModel {
                document_id: Set(doc),
                created_at: Set(now),
                ..Default::default()
            },
        };
        a.kind = Set(p.kind.clone());
        a.title = Set(p.title.clone());
        a.owner_id = Set(owner);
        a.period_start = Set(p.period_start);
        a.period_end = Set(p.period_end);
        a.adopted_on = Set(p.adopted_on.clone());
        a.adopted_by = Set(p.adopted_by.clone());
        a.vision = Set(p.vision.clone());
        a.origin = Set(p.origin.clone());
        a.edited = Set(p.edited.clone());
        a.updated_at = Set(now);
        let row = a.save(db).await?;
        let plan_id = row.id.unwrap();
        let areas = focus_area::Entity::find()
            .filter(focus_area::Column::PlanId.eq(plan_id))
            .all(db)
            .await?;
        let mut area_ids: BTreeMap<String, i64> = areas
            .iter()
            .map(|a| (a.title.to_lowercase(), a.id))
            .collect();
        for fa in &p.focus_areas {
            let id = match area_ids.get(&fa.title.to_lowercase()) {
                Some(id) => *id,
                None => {
                    let r = focus_area::ActiveModel {
                        plan_id: Set(plan_id),
                        position: Set(fa.position),
                        title: Set(fa.title.clone()),
                        goal: Set(fa.goal.clone()),
                        origin: Set(fa.origin.clone()),
                        edited: Set(fa.edited.clone()),
                        ..Default::default()
                    }
                    .insert(db)
                    .await?;
                    area_ids.insert(fa.title.to_lowercase(), r.id);
                    r.id
                }
            };
            let known: Vec<String> = measure::Entity::find()
                .filter(measure::Column::FocusAreaId.eq(id))
                .all(db)
                .await?
                .into_iter()
                .map(|m| m.text.to_lowercase())
                .collect();
            for m in fa
                .measures
                .iter()
                .filter(|m| !known.contains(&m.text.to_lowercase()))
            {
                measure::ActiveModel {
                    focus_area_id: Set(id),
                    position: Set(m.position),
                    text: Set(m.text.clone()),
                    origin: Set(m.origin.clone()),
                    edited: Set(m.edited.clone()),
                    ..Default::default()
                }
                .insert(db)
                .await?;
            }
        }
        let known: Vec<String> = action_item::Entity::find()
            .filter(action_item::Column::PlanId.eq(plan_id))
            .all(db)
            .await?
            .into_iter()
            .map(|i| i.text.to_lowercase())
            .collect();
        for i in p
            .action_items
            .iter()
            .filter(|i| !known.contains(&i.text.to_lowercase()))
        {
            action_item::ActiveModel {
                plan_id: Set(plan_id),
                focus_area_id: Set(i
                    .focus_area
                    .as_ref()
                    .and_then(|t| area_ids.get(&t.to_lowercase()).copied())),
                position: Set(i.position),
                text: Set(i.text.clone()),
                responsible: Set(i.responsible.clone()),
                deadline: Set(i.deadline.clone()),
                origin: Set(i.origin.clone()),
                edited: Set(i.edited.clone()),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }

    for c in &curated.cases {
        let doc = doc_by_sha(db, c.document.as_deref()).await?;
        let body = match &c.body {
            Some(b) => Some(
                super::body_for(db, None, b, c.body_abbreviation.as_deref())
                    .await?
                    .id,
            ),
            None => None,
        };
        // The same case: same item number (or none) on the same document.
        let mut q = case::Entity::find();
        q = match (c.year, c.sequence) {
            (Some(y), Some(s)) => q
                .filter(case::Column::Year.eq(y))
                .filter(case::Column::Sequence.eq(s)),
            _ => q.filter(case::Column::Year.is_null()),
        };
        q = match doc {
            Some(d) => q.filter(case::Column::DocumentId.eq(d)),
            None => q
                .filter(case::Column::DocumentId.is_null())
                .filter(case::Column::Origin.eq(c.origin.clone())),
        };
        let mut a: case::ActiveModel = match q.one(db).await? {
            Some(e) => e.into(),
            None => case::ActiveModel {
                document_id: Set(doc),
                created_at: Set(now),
                ..Default::default()
            },
        };
        a.year = Set(c.year);
        a.sequence = Set(c.sequence);
        a.item_type = Set(c.item_type.clone());
        a.archive_year = Set(c.archive_year);
        a.archive_sequence = Set(c.archive_sequence);
        if a.metadata_fields.is_not_set() {
            a.metadata_fields = Set("[]".to_owned());
        }
        a.body_id = Set(body);
        a.title = Set(c.title.clone());
        a.meeting_date = Set(c.meeting_date.clone());
        a.background = Set(c.background.clone());
        a.assessment = Set(c.assessment.clone());
        a.proposed_decision = Set(c.proposed_decision.clone());
        a.decision = Set(c.decision.clone());
        a.origin = Set(c.origin.clone());
        a.edited = Set(c.edited.clone());
        a.updated_at = Set(now);
        let case_id = a.save(db).await?.id.unwrap();
        if let (Some(b), Some(d)) = (body, &c.meeting_date) {
            let m = super::meeting_for(db, b, d).await?;
            let mut am: case::ActiveModel = case::Entity::find_by_id(case_id)
                .one(db)
                .await?
                .ok_or_else(|| IngestError::Internal("case vanished during import".into()))?
                .into();
            am.meeting_id = Set(Some(m.id));
            am.update(db).await?;
        }
        let known: Vec<(i32, i32)> = case_reference::Entity::find()
            .filter(case_reference::Column::CaseId.eq(case_id))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.year, r.sequence))
            .collect();
        for r in c.references.iter().filter_map(|r| CaseNumber::parse(r)) {
            if known.contains(&(r.year, r.sequence as i32)) {
                continue;
            }
            case_reference::ActiveModel {
                case_id: Set(case_id),
                year: Set(r.year),
                sequence: Set(r.sequence as i32),
                referenced_case_id: Set(super::case_with_number(db, r).await?),
                origin: Set(ORIGIN_PERSON.to_owned()),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
        let known: Vec<(Option<i32>, Option<String>)> = appendix::Entity::find()
            .filter(appendix::Column::CaseId.eq(case_id))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.number, a.title))
            .collect();
        for ap in &c.appendices {
            if known.contains(&(ap.number, ap.title.clone())) {
                continue;
            }
            appendix::ActiveModel {
                case_id: Set(Some(case_id)),
                case_year: Set(c.year),
                case_sequence: Set(c.sequence),
                number: Set(ap.number),
                title: Set(ap.title.clone()),
                document_id: Set(doc_by_sha(db, ap.document.as_deref()).await?),
                origin: Set(ap.origin.clone()),
                edited: Set(ap.edited.clone()),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
        if let Some(n) = super::item_number_of(c.year, c.sequence) {
            super::link_number(db, n).await?;
        }
    }
    Ok(())
}

async fn doc_by_sha<C: ConnectionTrait>(
    db: &C,
    sha: Option<&str>,
) -> Result<Option<i64>, IngestError> {
    let Some(sha) = sha else { return Ok(None) };
    Ok(document::Entity::find()
        .filter(document::Column::Sha256.eq(sha))
        .one(db)
        .await?
        .map(|d| d.id))
}
