//! Stores what entity extraction found in a document: organisations, bodies, meetings, plans
//! with focus areas, measures and action items, cases with references and appendices, and the
//! provenance of every value.
//!
//! Runs inside the worker's transaction, so a document's pages and its entities appear together.
//! Re-extraction of a document rewrites only what extraction owns: rows a person created
//! (`origin = "person"`) and fields a person edited (listed in `edited`) are never overwritten,
//! and curated child rows survive while the extracted ones around them are replaced.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use planarkiv_schema::case_number::{appendix_number_in, ArchiveNumber, CaseMetadata, CaseNumber};
use planarkiv_schema::entities::{
    action_item, appendix, body, case, case_reference, case_treatment, dismissed_extraction,
    document, focus_area, measure, meeting, organization, organization_alias, plan, provenance,
};
use planarkiv_schema::time::now_ms;

use crate::entities::{self, orgs, DocumentEntities, DocumentKind, Located, Provenance};
use crate::error::IngestError;

pub mod transfer;

/// Recorded with every extracted value, so values read by older rules can be found.
/// "rules-4" stores archive numbers and treatments: documents read by older rules are read
/// again when a server starts, so an archive gains them without a person asking.
pub const EXTRACTOR_VERSION: &str = "rules-4";

pub const ORIGIN_EXTRACTED: &str = "extracted";
pub const ORIGIN_PERSON: &str = "person";
/// An appendix row created from an appendix document rather than from its case's list.
pub const ORIGIN_DOCUMENT: &str = "document";

/// The fields a person edited, from an `edited` column.
pub fn edited_fields(json: &str) -> BTreeSet<String> {
    serde_json::from_str(json).unwrap_or_default()
}

/// `edited` with `fields` added.
pub fn with_edited<'a>(json: &str, fields: impl IntoIterator<Item = &'a str>) -> String {
    let mut set = edited_fields(json);
    set.extend(fields.into_iter().map(str::to_owned));
    serde_json::to_string(&set).unwrap_or_else(|_| "[]".into())
}

/// A row a person made or touched: re-extraction keeps it.
pub fn is_curated(origin: &str, edited: &str) -> bool {
    origin == ORIGIN_PERSON || !edited_fields(edited).is_empty()
}

/// The key that makes spellings of one organisation one: case, spacing and the "felleskap"
/// misspelling do not count.
pub fn organization_key(name: &str) -> String {
    orgs::normalize_org(name)
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The kind of organisation a name says it is.
pub fn organization_kind(name: &str) -> &'static str {
    let lower = name.to_lowercase();
    let last = lower.split_whitespace().last().unwrap_or("");
    if lower.contains("helsefellesskap") || lower.contains("helsefelleskap") {
        "health_community"
    } else if last == "rhf" {
        "regional_health_authority"
    } else if last == "hf" || lower.starts_with("sykehuset") || lower.contains("sykehus") {
        "hospital_trust"
    } else if lower.contains("kommune") {
        "municipality"
    } else if lower.starts_with("helseregion") {
        "health_region"
    } else {
        "other"
    }
}

/// The kind of body a name says it is.
pub fn body_kind(name: &str, abbreviation: Option<&str>) -> &'static str {
    let lower = name.to_lowercase();
    match abbreviation {
        Some("SSU" | "OSU" | "GSU") => return "strategic_committee",
        Some("AU") => return "working_committee",
        _ => {}
    }
    if lower.contains("partnerskap") {
        "partnership_meeting"
    } else if lower.contains("fagutvalg") || lower.contains("faglig") {
        "professional_committee"
    } else if lower.contains("brukerutvalg") {
        "user_committee"
    } else if lower.starts_with("styre") {
        "board"
    } else if lower.contains("samarbeidsutvalg") {
        "strategic_committee"
    } else {
        "other"
    }
}

/// Serializes the look-up-or-create of organisations, bodies and meetings between concurrent
/// transactions on PostgreSQL (two workers meeting the same new organisation would otherwise
/// both insert it and one would fail on the unique key). Held to the end of the transaction;
/// outside one it protects nothing, so callers that create call it inside a transaction.
/// SQLite has one writer at a time and needs nothing.
async fn lock_registry<C: ConnectionTrait>(db: &C) -> Result<(), IngestError> {
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        db.execute_unprepared("SELECT pg_advisory_xact_lock(7263100002)")
            .await?;
    }
    Ok(())
}

/// The organisation a name denotes, created with the name as its canonical spelling if new.
/// Every new spelling becomes an alias.
pub async fn organization_for<C: ConnectionTrait>(
    db: &C,
    name: &str,
) -> Result<organization::Model, IngestError> {
    lock_registry(db).await?;
    let canonical = orgs::normalize_org(name.trim());
    let key = organization_key(&canonical);
    if let Some(alias) = organization_alias::Entity::find()
        .filter(organization_alias::Column::AliasKey.eq(&key))
        .one(db)
        .await?
    {
        if let Some(org) = organization::Entity::find_by_id(alias.organization_id)
            .one(db)
            .await?
        {
            return Ok(org);
        }
    }
    let now = now_ms();
    let org = organization::ActiveModel {
        name: Set(canonical.clone()),
        kind: Set(organization_kind(&canonical).to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    organization_alias::ActiveModel {
        organization_id: Set(org.id),
        alias: Set(canonical),
        alias_key: Set(key),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(org)
}

/// Records a spelling of a known organisation (a no-op when its key is known).
async fn add_alias<C: ConnectionTrait>(
    db: &C,
    org_id: i64,
    spelling: &str,
) -> Result<(), IngestError> {
    lock_registry(db).await?;
    let key = organization_key(spelling);
    let known = organization_alias::Entity::find()
        .filter(organization_alias::Column::AliasKey.eq(&key))
        .one(db)
        .await?
        .is_some();
    if !known {
        organization_alias::ActiveModel {
            organization_id: Set(org_id),
            alias: Set(spelling.trim().to_owned()),
            alias_key: Set(key),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// The organisations one document names, looked up together: a document names the same few
/// organisations many times, and one statement per mention was most of a worker's transaction
/// (every statement is a round trip to the database's thread).
struct OrgCache {
    /// Alias key → organisation, for keys whose organisation exists.
    by_key: BTreeMap<String, organization::Model>,
    /// Every alias key known to the database (or added since).
    known_keys: BTreeSet<String>,
}

impl OrgCache {
    /// Loads what the database knows of `names`, canonical and as spelled, in two statements.
    async fn load<'a, C: ConnectionTrait>(
        db: &C,
        names: impl Iterator<Item = &'a str>,
    ) -> Result<Self, IngestError> {
        let mut keys = BTreeSet::new();
        for n in names {
            keys.insert(organization_key(&orgs::normalize_org(n.trim())));
            keys.insert(organization_key(n));
        }
        let mut cache = OrgCache {
            by_key: BTreeMap::new(),
            known_keys: BTreeSet::new(),
        };
        if keys.is_empty() {
            return Ok(cache);
        }
        let aliases = organization_alias::Entity::find()
            .filter(organization_alias::Column::AliasKey.is_in(keys))
            .all(db)
            .await?;
        let ids: BTreeSet<i64> = aliases.iter().map(|a| a.organization_id).collect();
        let found: BTreeMap<i64, organization::Model> = organization::Entity::find()
            .filter(organization::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        for a in aliases {
            if let Some(o) = found.get(&a.organization_id) {
                cache.by_key.insert(a.alias_key.clone(), o.clone());
            }
            cache.known_keys.insert(a.alias_key);
        }
        Ok(cache)
    }

    /// As [`organization_for`], from the cache when it knows the name.
    async fn organization_for<C: ConnectionTrait>(
        &mut self,
        db: &C,
        name: &str,
    ) -> Result<organization::Model, IngestError> {
        let key = organization_key(&orgs::normalize_org(name.trim()));
        if let Some(o) = self.by_key.get(&key) {
            return Ok(o.clone());
        }
        let org = organization_for(db, name).await?;
        self.by_key.insert(key.clone(), org.clone());
        self.known_keys.insert(key);
        Ok(org)
    }

    /// As [`add_alias`], without a statement when the spelling is known.
    async fn add_alias<C: ConnectionTrait>(
        &mut self,
        db: &C,
        org_id: i64,
        spelling: &str,
    ) -> Result<(), IngestError> {
        let key = organization_key(spelling);
        if !self.known_keys.contains(&key) {
            add_alias(db, org_id, spelling).await?;
            self.known_keys.insert(key);
        }
        Ok(())
    }
}

/// The body of that name (within the organisation when known), created if new.
pub async fn body_for<C: ConnectionTrait>(
    db: &C,
    organization_id: Option<i64>,
    name: &str,
    abbreviation: Option<&str>,
) -> Result<body::Model, IngestError> {
    lock_registry(db).await?;
    let key = format!(
        "{}:{}",
        organization_id.unwrap_or(0),
        name.trim().to_lowercase()
    );
    if let Some(b) = body::Entity::find()
        .filter(body::Column::BodyKey.eq(&key))
        .one(db)
        .await?
    {
        return Ok(b);
    }
    Ok(body::ActiveModel {
        organization_id: Set(organization_id),
        name: Set(name.trim().to_owned()),
        abbreviation: Set(abbreviation.map(str::to_owned)),
        kind: Set(body_kind(name, abbreviation).to_owned()),
        body_key: Set(key),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// The meeting of a body on a date, created if new.
pub async fn meeting_for<C: ConnectionTrait>(
    db: &C,
    body_id: i64,
    date: &str,
) -> Result<meeting::Model, IngestError> {
    lock_registry(db).await?;
    if let Some(m) = meeting::Entity::find()
        .filter(meeting::Column::BodyId.eq(body_id))
        .filter(meeting::Column::Date.eq(date))
        .one(db)
        .await?
    {
        return Ok(m);
    }
    Ok(meeting::ActiveModel {
        body_id: Set(body_id),
        date: Set(date.to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Collects provenance rows for one entity as values are written.
struct Trail {
    document_id: i64,
    rows: Vec<provenance::ActiveModel>,
}

impl Trail {
    fn add(&mut self, entity_type: &str, entity_id: i64, field: &str, at: Option<Provenance>) {
        if let Some(at) = at {
            self.rows.push(provenance::ActiveModel {
                entity_type: Set(entity_type.to_owned()),
                entity_id: Set(entity_id),
                field: Set(field.to_owned()),
                document_id: Set(self.document_id),
                page: Set(at.page as i32),
                char_start: Set(at.start as i32),
                char_end: Set(at.end as i32),
                extractor_version: Set(EXTRACTOR_VERSION.to_owned()),
                ..Default::default()
            });
        }
    }

    async fn write<C: ConnectionTrait>(self, db: &C) -> Result<(), IngestError> {
        for chunk in self.rows.chunks(100) {
            provenance::Entity::insert_many(chunk.to_vec())
                .exec(db)
                .await?;
        }
        Ok(())
    }
}

fn same_text(a: &str, b: &str) -> bool {
    norm_key(a) == norm_key(b)
}

/// What a dismissal names: a plan or case of a document (no key), a focus area (its title),
/// a measure (its focus area's title and its text).
pub enum Dismissed<'a> {
    Plan,
    Case,
    FocusArea { title: &'a str },
    Measure { area_title: &'a str, text: &'a str },
}

/// Text compared the way re-extraction matches rows: white space collapsed, case folded.
fn norm_key(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Dismissed<'_> {
    fn entity_type(&self) -> &'static str {
        match self {
            Dismissed::Plan => "plan",
            Dismissed::Case => "case",
            Dismissed::FocusArea { .. } => "focus_area",
            Dismissed::Measure { .. } => "measure",
        }
    }

    fn key(&self) -> String {
        match self {
            Dismissed::Plan | Dismissed::Case => String::new(),
            Dismissed::FocusArea { title } => norm_key(title),
            Dismissed::Measure { area_title, text } => {
                format!("{}\u{1f}{}", norm_key(area_title), norm_key(text))
            }
        }
    }
}

/// Records that a person deleted something extraction found in `document_id`, so extracting
/// the document again leaves it out.
pub async fn dismiss<C: ConnectionTrait>(
    db: &C,
    document_id: i64,
    what: Dismissed<'_>,
) -> Result<(), IngestError> {
    dismissed_extraction::ActiveModel {
        document_id: Set(document_id),
        entity_type: Set(what.entity_type().to_owned()),
        key: Set(what.key()),
        created_at: Set(now_ms()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// `found` without what a person deleted before: the document's plan or case, focus areas
/// (with their measures) and measures. Borrowed unchanged when nothing was deleted.
async fn without_dismissed<'a, C: ConnectionTrait>(
    db: &C,
    doc_id: i64,
    found: &'a DocumentEntities,
) -> Result<std::borrow::Cow<'a, DocumentEntities>, IngestError> {
    let rows = dismissed_extraction::Entity::find()
        .filter(dismissed_extraction::Column::DocumentId.eq(doc_id))
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(std::borrow::Cow::Borrowed(found));
    }
    let has = |what: Dismissed<'_>| {
        let (t, k) = (what.entity_type(), what.key());
        rows.iter().any(|r| r.entity_type == t && r.key == k)
    };
    let mut out = found.clone();
    if has(Dismissed::Plan) {
        out.plan = None;
    }
    if has(Dismissed::Case) {
        out.case = None;
    }
    if let Some(p) = &mut out.plan {
        p.focus_areas.retain(|f| {
            !has(Dismissed::FocusArea {
                title: &f.title.value,
            })
        });
        for f in &mut p.focus_areas {
            let area_title = f.title.value.clone();
            f.measures.retain(|m| {
                !has(Dismissed::Measure {
                    area_title: &area_title,
                    text: &m.value,
                })
            });
        }
    }
    Ok(std::borrow::Cow::Owned(out))
}

/// Replaces what extraction owns of `doc` with `found`; curated values stay. Also records on
/// the document what extraction learned of it (kind, case number, appendix number) where no
/// manifest or person set those, and links appendices and references by case number.
pub async fn persist<C: ConnectionTrait>(
    db: &C,
    doc: &document::Model,
    found: &DocumentEntities,
) -> Result<(), IngestError> {
    persist_with(db, doc, found, false).await
}

/// [`persist`] for a document inserted in this transaction: it has no entities, provenance
/// or plan of its own yet, so the statements that would look for them are skipped.
pub async fn persist_new<C: ConnectionTrait>(
    db: &C,
    doc: &document::Model,
    found: &DocumentEntities,
) -> Result<(), IngestError> {
    persist_with(db, doc, found, true).await
}

async fn persist_with<C: ConnectionTrait>(
    db: &C,
    doc: &document::Model,
    found: &DocumentEntities,
    new: bool,
) -> Result<(), IngestError> {
    // What a person deleted stays deleted.
    let found = &*if new {
        std::borrow::Cow::Borrowed(found)
    } else {
        without_dismissed(db, doc.id, found).await?
    };
    // Persisting and linking by number read-then-write rows other documents share.
    lock_registry(db).await?;
    if !new {
        provenance::Entity::delete_many()
            .filter(provenance::Column::DocumentId.eq(doc.id))
            .exec(db)
            .await?;
    }
    let mut trail = Trail {
        document_id: doc.id,
        rows: Vec::new(),
    };
    // A title read from the text points at where it stands.
    if doc.title_source == Some(planarkiv_schema::entities::TitleSource::Text) {
        if let Some(t) =
            crate::title::text_title(found).filter(|t| doc.title.as_ref() == Some(&t.value))
        {
            trail.add("document", doc.id, "title", t.at);
        }
    }

    // Organisations: the first mentioned health community (or owner) is the document's.
    let owner = found.plan.as_ref().and_then(|p| p.owner.as_ref());
    let mut orgs = OrgCache::load(
        db,
        found
            .organizations_mentioned
            .iter()
            .chain(owner)
            .map(|o| o.value.as_str()),
    )
    .await?;
    let mut home: Option<organization::Model> = None;
    for o in &found.organizations_mentioned {
        let org = orgs.organization_for(db, &o.value).await?;
        trail.add("organization", org.id, "name", o.at);
        if home.is_none() && org.kind == "health_community" {
            home = Some(org);
        }
    }

    let mut touched_numbers: BTreeSet<CaseNumber> = BTreeSet::new();
    let old_cases = if new {
        Vec::new()
    } else {
        case::Entity::find()
            .filter(case::Column::DocumentId.eq(doc.id))
            .all(db)
            .await?
    };
    for c in &old_cases {
        touched_numbers.extend(item_number_of(c.year, c.sequence));
    }

    persist_plan(db, doc, found, home.as_ref(), &mut orgs, &mut trail, new).await?;
    // A case appendix that carries the case's own paper (title, proposed decision) is where
    // that case is described; secretariats often file the saksframlegg as "Vedlegg til sak".
    let describes_case = |c: &entities::Case| {
        found.document_kind == DocumentKind::CasePaper
            || (found.document_kind == DocumentKind::CaseAppendix
                && (c.proposed_decision.is_some() || !c.appendices.is_empty()))
    };
    // Numbers whose case appeared or went: their appendix documents are re-indexed.
    let mut case_events: BTreeSet<CaseNumber> = BTreeSet::new();
    // Metadata given with the file: it can make a case of a paper the rules did not read, and
    // its values come before the text's.
    let meta = case_metadata(doc);
    let paper = found.document_kind == DocumentKind::CasePaper
        || doc.kind.as_deref() == Some(kind_name(DocumentKind::CasePaper));
    let no_case = entities::Case::default();
    let extracted = found.case.as_ref().filter(|c| describes_case(c));
    // A case paper is a case whether or not it prints its item number: the archive number,
    // title and treatments are known without it, and the number may come later (metadata, a
    // person).
    let kept_case = match extracted.or((paper && !meta.is_empty()).then_some(&no_case)) {
        Some(c) => {
            let n = meta
                .item_number
                .as_deref()
                .and_then(CaseNumber::parse)
                .or_else(|| c.item_number());
            if let (true, Some(n)) = (old_cases.is_empty(), n) {
                case_events.insert(n);
            }
            let id = persist_case(
                db,
                doc,
                c,
                &meta,
                n,
                home.as_ref(),
                old_cases.first(),
                &mut trail,
            )
            .await?;
            touched_numbers.extend(n);
            Some(id)
        }
        None => None,
    };
    for old in &old_cases {
        if Some(old.id) != kept_case && !is_curated(&old.origin, &old.edited) {
            case::Entity::delete_by_id(old.id).exec(db).await?;
            case_events.extend(item_number_of(old.year, old.sequence));
        }
    }

    // What the document itself is: only filled where nobody said otherwise.
    let mut d: document::ActiveModel = doc.clone().into();
    let mut changed = false;
    if doc.organization.is_none() {
        if let Some(h) = &home {
            d.organization = Set(Some(h.name.clone()));
            changed = true;
        }
    }
    let mut case_number = doc.case_number.as_deref().and_then(CaseNumber::parse);
    // "Vedlegg 2 til sak 24.25.pdf": the file name alone can make a document an appendix.
    let stem = doc
        .filename
        .rsplit_once('.')
        .map_or(doc.filename.as_str(), |(s, _)| s);
    let name_case = entities::case_number::find_case_numbers(stem)
        .first()
        .map(|c| c.number);
    let name_appendix = name_case.and(appendix_number_in(stem));
    let is_appendix = found.document_kind == DocumentKind::CaseAppendix
        || doc.kind.as_deref() == Some("case_appendix")
        || doc.appendix_number.is_some()
        || name_appendix.is_some();
    if doc.kind.is_none() {
        let kind = match found.document_kind {
            // What the content looks like matters less than what the archive filed it as.
            k if is_appendix && k != DocumentKind::CasePaper => DocumentKind::CaseAppendix,
            k => k,
        };
        d.kind = Set(Some(kind_name(kind).to_owned()));
        changed = true;
    }
    if case_number.is_none() {
        // The text's own number first; an appendix whose pages never name its case may still
        // say it in its file name ("Vedlegg 2 til sak 24.25.pdf").
        let n = found
            .case
            .as_ref()
            .and_then(|c| c.item_number())
            .or(name_case.filter(|_| is_appendix));
        if let Some(n) = n {
            d.case_number = Set(Some(n.to_string()));
            case_number = Some(n);
            changed = true;
        }
    }
    if is_appendix && doc.appendix_number.is_none() {
        let n = name_appendix.or_else(|| doc.title.as_deref().and_then(appendix_number_in));
        if n.is_some() {
            d.appendix_number = Set(n);
            changed = true;
        }
    }
    if changed {
        d.update(db).await?;
    }
    if let (true, Some(n)) = (is_appendix, case_number) {
        touched_numbers.insert(n);
    }
    // An appendix row pointing at this document whose case number changed must be re-linked.
    for a in appendix::Entity::find()
        .filter(appendix::Column::DocumentId.eq(doc.id))
        .all(db)
        .await?
    {
        touched_numbers.extend(item_number_of(a.case_year, a.case_sequence));
    }

    trail.write(db).await?;
    for n in touched_numbers {
        link_number(db, n).await?;
    }
    for n in case_events {
        reindex_appendices(db, n).await?;
    }
    Ok(())
}

/// The item number stored as `year` and `sequence`, when both are.
pub fn item_number_of(year: Option<i32>, sequence: Option<i32>) -> Option<CaseNumber> {
    Some(CaseNumber {
        year: year?,
        sequence: u32::try_from(sequence?).ok()?,
    })
}

/// The archive number stored as `archive_year` and `archive_sequence`, when both are.
pub fn archive_number_of(c: &case::Model) -> Option<ArchiveNumber> {
    Some(ArchiveNumber {
        year: c.archive_year?,
        sequence: u32::try_from(c.archive_sequence?).ok()?,
    })
}

/// The case metadata given with a document from outside; none when it has none. Stored by
/// this crate after checking, so a row that does not parse is a bug and reads as none.
pub fn case_metadata(doc: &document::Model) -> CaseMetadata {
    doc.case_metadata
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default()
}

pub fn kind_name(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Plan => "plan",
        DocumentKind::CasePaper => "case_paper",
        DocumentKind::CaseAppendix => "case_appendix",
        DocumentKind::Minutes => "minutes",
        DocumentKind::Letter => "letter",
        DocumentKind::Report => "report",
        DocumentKind::Presentation => "presentation",
        DocumentKind::WebPage => "web_page",
        DocumentKind::Other => "other",
    }
}

pub fn plan_kind_name(kind: entities::PlanKind) -> &'static str {
    use entities::PlanKind as K;
    match kind {
        K::StrategyPlan => "strategy_plan",
        K::ActionPlan => "action_plan",
        K::DevelopmentPlan => "development_plan",
        K::RegionalDevelopmentPlan => "regional_development_plan",
        K::BusinessStrategy => "business_strategy",
        K::EconomicLongTermPlan => "economic_long_term_plan",
        K::Other => "other",
    }
}

/// Sets `field` to `value` unless a person edited it; records where the value came from.
macro_rules! put {
    ($active:ident, $edited:ident, $trail:ident, $etype:expr, $id:expr, $field:ident, $value:expr, $at:expr) => {
        if !$edited.contains(stringify!($field)) {
            $active.$field = Set($value);
            $trail.add($etype, $id, stringify!($field), $at);
        }
    };
}

async fn persist_plan<C: ConnectionTrait>(
    db: &C,
    doc: &document::Model,
    found: &DocumentEntities,
    home: Option<&organization::Model>,
    orgs: &mut OrgCache,
    trail: &mut Trail,
    new_document: bool,
) -> Result<(), IngestError> {
    let existing = if new_document {
        None
    } else {
        plan::Entity::find()
            .filter(plan::Column::DocumentId.eq(doc.id))
            .order_by_asc(plan::Column::Id)
            .one(db)
            .await?
    };
    let Some(p) = (found.document_kind == DocumentKind::Plan)
        .then_some(found.plan.as_ref())
        .flatten()
    else {
        if let Some(old) = existing {
            if !plan_is_curated(db, &old).await? {
                plan::Entity::delete_by_id(old.id).exec(db).await?;
            }
        }
        return Ok(());
    };
    let now = now_ms();
    // A plan row made just now has no children to keep or replace.
    let new_plan = existing.is_none();
    let row = match existing {
        Some(r) => r,
        None => {
            plan::ActiveModel {
                kind: Set(plan_kind_name(p.kind).to_owned()),
                document_id: Set(Some(doc.id)),
                origin: Set(ORIGIN_EXTRACTED.to_owned()),
                edited: Set("[]".to_owned()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?
        }
    };
    let edited = edited_fields(&row.edited);
    let id = row.id;
    let owner = match &p.owner {
        Some(o) => {
            let org = orgs.organization_for(db, &o.value).await?;
            orgs.add_alias(db, org.id, &o.value).await?;
            Some(org)
        }
        None => home.cloned(),
    };
    let mut a: plan::ActiveModel = row.into();
    let at = |v: &Option<Located<String>>| v.as_ref().and_then(|l| l.at);
    put!(
        a,
        edited,
        trail,
        "plan",
        id,
        kind,
        plan_kind_name(p.kind).to_owned(),
        None
    );
    put!(
        a,
        edited,
        trail,
        "plan",
        id,
        title,
        p.title.as_ref().map(|t| t.value.clone()),
        at(&p.title)
    );
    put!(
        a,
        edited,
        trail,
        "plan",
        id,
        owner_id,
        owner.map(|o| o.id),
        at(&p.owner)
    );
    let period_at = p.period.as_ref().and_then(|l| l.at);
    put!(
        a,
        edited,
        trail,
        "plan",
        id,
        period_start,
        p.period.as_ref().map(|l| l.value.start),
        period_at
    );
    put!(
        a,
        edited,
        trail,
        "plan",
        id,
        period_end,
        p.period.as_ref().map(|l| l.value.end),
        period_at
    );
    put!(
        a,
        edited,
        trail,
        "plan",
        id,
        adopted_on,
        p.adopted_on.as_ref().map(|l| l.value.to_string()),
        p.adopted_on.as_ref().and_then(|l| l.at)
    );
    put!(
        a,
        edited,
        trail,
        "plan",
        id,
        adopted_by,
        p.adopted_by.as_ref().map(|t| t.value.clone()),
        at(&p.adopted_by)
    );
    put!(
        a,
        edited,
        trail,
        "plan",
        id,
        vision,
        p.vision.as_ref().map(|t| t.value.clone()),
        at(&p.vision)
    );
    // The strategy an action plan names links when a plan of that title is stored already.
    // A parent stored later is not linked back (the name it was found by is not kept); a
    // person can link it by curation.
    if let Some(parent) = &p.parent_plan {
        let known = plan::Entity::find()
            .filter(plan::Column::Id.ne(id))
            .filter(plan::Column::Kind.ne(plan_kind_name(entities::PlanKind::ActionPlan)))
            .filter(plan::Column::Title.is_not_null())
            .all(db)
            .await?
            .into_iter()
            .find(|o| {
                o.title
                    .as_deref()
                    .is_some_and(|t| same_text(t, &parent.value))
            });
        if let Some(known) = known {
            put!(
                a,
                edited,
                trail,
                "plan",
                id,
                parent_plan_id,
                Some(known.id),
                parent.at
            );
        }
    }
    a.updated_at = Set(now);
    a.update(db).await?;

    // Children: curated rows stay; the extracted rest is replaced by this extraction.
    let (old_areas, old_measures) = if new_plan {
        (Vec::new(), Vec::new())
    } else {
        let areas = focus_area::Entity::find()
            .filter(focus_area::Column::PlanId.eq(id))
            .all(db)
            .await?;
        let area_ids: Vec<i64> = areas.iter().map(|f| f.id).collect();
        let measures = measure::Entity::find()
            .filter(measure::Column::FocusAreaId.is_in(area_ids))
            .all(db)
            .await?;
        (areas, measures)
    };
    let mut kept_measures: BTreeMap<i64, Vec<measure::Model>> = BTreeMap::new();
    for m in old_measures {
        if is_curated(&m.origin, &m.edited) {
            kept_measures.entry(m.focus_area_id).or_default().push(m);
        } else {
            measure::Entity::delete_by_id(m.id).exec(db).await?;
        }
    }
    let mut areas: Vec<focus_area::Model> = Vec::new();
    for f in old_areas {
        if is_curated(&f.origin, &f.edited) || kept_measures.contains_key(&f.id) {
            areas.push(f);
        } else {
            focus_area::Entity::delete_by_id(f.id).exec(db).await?;
        }
    }
    // New rows are inserted together, a statement per table, and matched back by position.
    let mut area_of: Vec<Option<focus_area::Model>> = Vec::with_capacity(p.focus_areas.len());
    let mut new_areas = Vec::new();
    for (i, fa) in p.focus_areas.iter().enumerate() {
        let survivor = areas
            .iter()
            .find(|s| same_text(&s.title, &fa.title.value))
            .cloned();
        if let Some(s) = &survivor {
            let e = edited_fields(&s.edited);
            if !e.contains("title") {
                trail.add("focus_area", s.id, "title", fa.title.at);
            }
            if !e.contains("goal") && s.origin != ORIGIN_PERSON {
                let mut am: focus_area::ActiveModel = s.clone().into();
                am.goal = Set(fa.goal.as_ref().map(|g| g.value.clone()));
                am.update(db).await?;
                trail.add(
                    "focus_area",
                    s.id,
                    "goal",
                    fa.goal.as_ref().and_then(|g| g.at),
                );
            }
        } else {
            new_areas.push(focus_area::ActiveModel {
                plan_id: Set(id),
                position: Set(i as i32 + 1),
                title: Set(fa.title.value.clone()),
                goal: Set(fa.goal.as_ref().map(|g| g.value.clone())),
                origin: Set(ORIGIN_EXTRACTED.to_owned()),
                edited: Set("[]".to_owned()),
                ..Default::default()
            });
        }
        area_of.push(survivor);
    }
    for f in insert_all(db, new_areas).await? {
        let Some(i) = usize::try_from(f.position - 1)
            .ok()
            .filter(|i| area_of.get(*i).is_some_and(Option::is_none))
        else {
            continue;
        };
        let fa = &p.focus_areas[i];
        trail.add("focus_area", f.id, "title", fa.title.at);
        trail.add(
            "focus_area",
            f.id,
            "goal",
            fa.goal.as_ref().and_then(|g| g.at),
        );
        areas.push(f.clone());
        area_of[i] = Some(f);
    }
    let mut new_measures = Vec::new();
    let mut measure_at = BTreeMap::new();
    for (fa, area) in p.focus_areas.iter().zip(&area_of) {
        let Some(area) = area else {
            return Err(IngestError::Internal(
                "a focus area was not stored".to_owned(),
            ));
        };
        let kept = kept_measures.get(&area.id).cloned().unwrap_or_default();
        for (j, m) in fa.measures.iter().enumerate() {
            if let Some(k) = kept.iter().find(|k| same_text(&k.text, &m.value)) {
                if !edited_fields(&k.edited).contains("text") {
                    trail.add("measure", k.id, "text", m.at);
                }
                continue;
            }
            measure_at.insert((area.id, j as i32 + 1), m.at);
            new_measures.push(measure::ActiveModel {
                focus_area_id: Set(area.id),
                position: Set(j as i32 + 1),
                text: Set(m.value.clone()),
                origin: Set(ORIGIN_EXTRACTED.to_owned()),
                edited: Set("[]".to_owned()),
                ..Default::default()
            });
        }
    }
    for row in insert_all(db, new_measures).await? {
        let at = measure_at
            .get(&(row.focus_area_id, row.position))
            .copied()
            .flatten();
        trail.add("measure", row.id, "text", at);
    }

    let old_items = if new_plan {
        Vec::new()
    } else {
        action_item::Entity::find()
            .filter(action_item::Column::PlanId.eq(id))
            .all(db)
            .await?
    };
    let mut kept_items = Vec::new();
    for it in old_items {
        if is_curated(&it.origin, &it.edited) {
            kept_items.push(it);
        } else {
            action_item::Entity::delete_by_id(it.id).exec(db).await?;
        }
    }
    if let Some(ap) = &p.action_plan {
        let mut rows = Vec::new();
        for (i, item) in ap.items.iter().enumerate() {
            if kept_items
                .iter()
                .any(|k| same_text(&k.text, &item.text.value))
            {
                continue;
            }
            let area = areas
                .iter()
                .find(|a| same_text(&a.title, &item.focus_area.value))
                .map(|a| a.id);
            rows.push(action_item::ActiveModel {
                plan_id: Set(id),
                focus_area_id: Set(area),
                position: Set(i as i32 + 1),
                text: Set(item.text.value.clone()),
                responsible: Set(item.responsible.as_ref().map(|r| r.value.clone())),
                deadline: Set(item.deadline.as_ref().map(|d| d.value.clone())),
                origin: Set(ORIGIN_EXTRACTED.to_owned()),
                edited: Set("[]".to_owned()),
                ..Default::default()
            });
        }
        for row in insert_all(db, rows).await? {
            let item = usize::try_from(row.position - 1)
                .ok()
                .and_then(|i| ap.items.get(i));
            trail.add("action_item", row.id, "text", item.and_then(|i| i.text.at));
            trail.add(
                "action_item",
                row.id,
                "responsible",
                item.and_then(|i| i.responsible.as_ref()).and_then(|v| v.at),
            );
            trail.add(
                "action_item",
                row.id,
                "deadline",
                item.and_then(|i| i.deadline.as_ref()).and_then(|v| v.at),
            );
        }
    }
    Ok(())
}

/// Inserts `rows` in as few statements as the backends' parameter limits allow and returns
/// the stored rows (with their ids).
async fn insert_all<A, C>(
    db: &C,
    rows: Vec<A>,
) -> Result<Vec<<A::Entity as EntityTrait>::Model>, IngestError>
where
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
    C: ConnectionTrait,
{
    let mut out = Vec::with_capacity(rows.len());
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(500).collect();
        out.extend(
            <A::Entity as EntityTrait>::insert_many(chunk)
                .exec_with_returning_many(db)
                .await?,
        );
    }
    Ok(out)
}

async fn plan_is_curated<C: ConnectionTrait>(db: &C, p: &plan::Model) -> Result<bool, IngestError> {
    if is_curated(&p.origin, &p.edited) {
        return Ok(true);
    }
    let areas = focus_area::Entity::find()
        .filter(focus_area::Column::PlanId.eq(p.id))
        .all(db)
        .await?;
    if areas.iter().any(|a| is_curated(&a.origin, &a.edited)) {
        return Ok(true);
    }
    let ids: Vec<i64> = areas.iter().map(|a| a.id).collect();
    let measures = measure::Entity::find()
        .filter(measure::Column::FocusAreaId.is_in(ids))
        .all(db)
        .await?;
    let items = action_item::Entity::find()
        .filter(action_item::Column::PlanId.eq(p.id))
        .all(db)
        .await?;
    Ok(measures.iter().any(|m| is_curated(&m.origin, &m.edited))
        || items.iter().any(|i| is_curated(&i.origin, &i.edited)))
}

/// Fields a person edited stay; fields metadata gave (listed in `metadata_fields`) come from
/// the metadata; the rest from the text, with provenance.
#[allow(clippy::too_many_arguments)]
async fn persist_case<C: ConnectionTrait>(
    db: &C,
    doc: &document::Model,
    c: &entities::Case,
    meta: &CaseMetadata,
    number: Option<CaseNumber>,
    home: Option<&organization::Model>,
    existing: Option<&case::Model>,
    trail: &mut Trail,
) -> Result<i64, IngestError> {
    let now = now_ms();
    let row = match existing {
        Some(r) => r.clone(),
        None => {
            case::ActiveModel {
                document_id: Set(Some(doc.id)),
                origin: Set(ORIGIN_EXTRACTED.to_owned()),
                edited: Set("[]".to_owned()),
                metadata_fields: Set("[]".to_owned()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?
        }
    };
    let edited = edited_fields(&row.edited);
    let id = row.id;
    // What the metadata says, as fields of this row; each listed in `metadata_fields`.
    let mut from_meta: Vec<&str> = Vec::new();
    let meta_item = meta.item_number.as_deref().and_then(CaseNumber::parse);
    let meta_archive = meta
        .archive_number
        .as_deref()
        .and_then(ArchiveNumber::parse);
    let body_name = match &meta.body {
        Some(b) => {
            from_meta.push("body_id");
            Some(Located::new(b.clone(), None))
        }
        None => c.body.clone(),
    };
    let body = match &body_name {
        Some(b) => Some(
            body_for(
                db,
                home.map(|h| h.id),
                &b.value,
                c.body_abbreviation
                    .as_deref()
                    .filter(|_| meta.body.is_none()),
            )
            .await?,
        ),
        None => None,
    };
    let body_id = if edited.contains("body_id") {
        row.body_id
    } else {
        body.as_ref().map(|b| b.id)
    };
    let meeting_date = match &meta.meeting_date {
        Some(d) => {
            from_meta.push("meeting_date");
            Some(d.clone())
        }
        None => c.meeting_date.as_ref().map(|d| d.value.to_string()),
    };
    let meeting_at = c
        .meeting_date
        .as_ref()
        .and_then(|d| d.at)
        .filter(|_| meta.meeting_date.is_none());
    let meeting = match (
        body_id,
        meeting_date.as_deref(),
        edited.contains("meeting_date"),
    ) {
        (Some(b), Some(d), false) => Some(meeting_for(db, b, d).await?),
        _ => None,
    };
    let at = |v: &Option<Located<String>>| v.as_ref().and_then(|l| l.at);
    if let Some(b) = &body {
        trail.add("body", b.id, "name", at(&body_name));
    }
    if let Some(m) = &meeting {
        trail.add("meeting", m.id, "date", meeting_at);
    }
    let mut a: case::ActiveModel = row.into();
    if !edited.contains("year") {
        a.year = Set(number.map(|n| n.year));
        a.sequence = Set(number.map(|n| n.sequence as i32));
        if meta_item.is_some() {
            from_meta.push("year");
            a.item_type = Set(meta.item_type.clone());
        } else {
            trail.add("case", id, "number", c.number.as_ref().and_then(|v| v.at));
            a.item_type = Set(own_treatment(c).and_then(|t| t.item_type.clone()));
        }
    }
    if !edited.contains("archive_year") {
        let archive = match meta_archive {
            Some(n) => {
                from_meta.push("archive_year");
                Some(n)
            }
            None => c
                .archive_number
                .as_ref()
                .and_then(|l| ArchiveNumber::parse(&l.value)),
        };
        a.archive_year = Set(archive.map(|n| n.year));
        a.archive_sequence = Set(archive.map(|n| n.sequence as i32));
        if meta_archive.is_none() {
            trail.add("case", id, "archive_number", at(&c.archive_number));
        }
    }
    put!(
        a,
        edited,
        trail,
        "case",
        id,
        title,
        c.title.as_ref().map(|t| t.value.clone()),
        at(&c.title)
    );
    if !edited.contains("body_id") {
        a.body_id = Set(body.as_ref().map(|b| b.id));
        if meta.body.is_none() {
            trail.add("case", id, "body_id", at(&c.body));
        }
    }
    if !edited.contains("meeting_date") {
        a.meeting_date = Set(meeting_date);
        a.meeting_id = Set(meeting.map(|m| m.id));
        if meta.meeting_date.is_none() {
            trail.add("case", id, "meeting_date", meeting_at);
        }
    }
    put!(
        a,
        edited,
        trail,
        "case",
        id,
        proposed_decision,
        c.proposed_decision.as_ref().map(|t| t.value.clone()),
        at(&c.proposed_decision)
    );
    from_meta.retain(|f| !edited.contains(*f));
    a.metadata_fields = Set(with_edited("[]", from_meta));
    a.updated_at = Set(now);
    let row = a.update(db).await?;
    persist_treatments(db, id, c, home, trail).await?;

    // References: the extracted ones are replaced, a person's stay.
    case_reference::Entity::delete_many()
        .filter(case_reference::Column::CaseId.eq(id))
        .filter(case_reference::Column::Origin.eq(ORIGIN_EXTRACTED))
        .exec(db)
        .await?;
    let mut seen = BTreeSet::new();
    let numbers: Vec<CaseNumber> = c
        .references
        .iter()
        .filter_map(|r| CaseNumber::parse(&r.value))
        .filter(|n| Some(*n) != number && seen.insert(*n))
        .collect();
    let targets = cases_with_numbers(db, &numbers).await?;
    let refs: Vec<case_reference::ActiveModel> = numbers
        .iter()
        .map(|n| case_reference::ActiveModel {
            case_id: Set(id),
            year: Set(n.year),
            sequence: Set(n.sequence as i32),
            referenced_case_id: Set(targets.get(n).copied()),
            origin: Set(ORIGIN_EXTRACTED.to_owned()),
            ..Default::default()
        })
        .collect();
    insert_all(db, refs).await?;

    // The appendix list: extracted rows are replaced (their documents are linked again by
    // number), curated ones stay.
    let old = appendix::Entity::find()
        .filter(appendix::Column::CaseId.eq(id))
        .all(db)
        .await?;
    let mut kept_numbers = BTreeSet::new();
    for ap in old {
        if ap.origin == ORIGIN_EXTRACTED && !is_curated(&ap.origin, &ap.edited) {
            appendix::Entity::delete_by_id(ap.id).exec(db).await?;
        } else if let Some(n) = ap.number.filter(|_| ap.origin != ORIGIN_DOCUMENT) {
            kept_numbers.insert(n);
        }
    }
    for ap in &c.appendices {
        if kept_numbers.contains(&(ap.number as i32)) {
            continue;
        }
        let row = appendix::ActiveModel {
            case_id: Set(Some(id)),
            case_year: Set(row.year),
            case_sequence: Set(row.sequence),
            number: Set(Some(ap.number as i32)),
            title: Set(Some(ap.title.value.clone())),
            document_id: Set(None),
            origin: Set(ORIGIN_EXTRACTED.to_owned()),
            edited: Set("[]".to_owned()),
            ..Default::default()
        }
        .insert(db)
        .await?;
        trail.add("appendix", row.id, "title", ap.title.at);
    }
    Ok(id)
}

/// The treatment the paper itself is decided in: the one printed with the paper's own item
/// number, else the last row with a number (the deciding body comes last in a *saksgang*).
fn own_treatment(c: &entities::Case) -> Option<&entities::Treatment> {
    let own = c.number.as_ref().map(|n| n.value.as_str());
    c.treatments
        .iter()
        .find(|t| own.is_some() && t.item_number.as_ref().map(|n| n.value.as_str()) == own)
        .or_else(|| c.treatments.iter().rev().find(|t| t.item_number.is_some()))
}

/// The case's treatments (*saksgang*): the extracted rows are replaced, a person's stay.
async fn persist_treatments<C: ConnectionTrait>(
    db: &C,
    case_id: i64,
    c: &entities::Case,
    home: Option<&organization::Model>,
    trail: &mut Trail,
) -> Result<(), IngestError> {
    case_treatment::Entity::delete_many()
        .filter(case_treatment::Column::CaseId.eq(case_id))
        .filter(case_treatment::Column::Origin.eq(ORIGIN_EXTRACTED))
        .exec(db)
        .await?;
    for (i, t) in c.treatments.iter().enumerate() {
        let body = body_for(
            db,
            home.map(|h| h.id),
            &t.body.value,
            t.body_abbreviation.as_deref(),
        )
        .await?;
        let item = t
            .item_number
            .as_ref()
            .and_then(|n| CaseNumber::parse(&n.value));
        let date = t.meeting_date.as_ref().map(|d| d.value.to_string());
        let meeting = match &date {
            Some(d) => Some(meeting_for(db, body.id, d).await?.id),
            None => None,
        };
        let row = case_treatment::ActiveModel {
            case_id: Set(case_id),
            position: Set(i as i32),
            body_id: Set(Some(body.id)),
            body_name: Set(Some(t.body.value.clone())),
            meeting_id: Set(meeting),
            meeting_date: Set(date),
            item_year: Set(item.map(|n| n.year)),
            item_sequence: Set(item.map(|n| n.sequence as i32)),
            item_type: Set(t.item_type.clone()),
            decision: Set(None),
            origin: Set(ORIGIN_EXTRACTED.to_owned()),
            ..Default::default()
        }
        .insert(db)
        .await?;
        trail.add("case_treatment", row.id, "body", t.body.at);
        if let Some(d) = &t.meeting_date {
            trail.add("case_treatment", row.id, "meeting_date", d.at);
        }
        if let Some(n) = &t.item_number {
            trail.add("case_treatment", row.id, "item_number", n.at);
        }
    }
    Ok(())
}

/// The case known by that number (the first stored, when several bodies used it).
pub async fn case_with_number<C: ConnectionTrait>(
    db: &C,
    n: CaseNumber,
) -> Result<Option<i64>, IngestError> {
    Ok(cases_with_numbers(db, &[n]).await?.get(&n).copied())
}

/// [`case_with_number`] for several numbers in one statement; numbers with no case are absent.
async fn cases_with_numbers<C: ConnectionTrait>(
    db: &C,
    numbers: &[CaseNumber],
) -> Result<BTreeMap<CaseNumber, i64>, IngestError> {
    let mut found = BTreeMap::new();
    if numbers.is_empty() {
        return Ok(found);
    }
    let any = numbers.iter().fold(Condition::any(), |any, n| {
        any.add(
            Condition::all()
                .add(case::Column::Year.eq(n.year))
                .add(case::Column::Sequence.eq(n.sequence as i32)),
        )
    });
    // The lowest id is the first stored case of a number.
    let firsts: Vec<(i32, i32, i64)> = case::Entity::find()
        .select_only()
        .column(case::Column::Year)
        .column(case::Column::Sequence)
        .column_as(case::Column::Id.min(), "first")
        .filter(any)
        .group_by(case::Column::Year)
        .group_by(case::Column::Sequence)
        .into_tuple()
        .all(db)
        .await?;
    for (year, sequence, id) in firsts {
        found.extend(item_number_of(Some(year), Some(sequence)).map(|n| (n, id)));
    }
    Ok(found)
}

/// Brings everything that refers to case number `n` in line with what is stored now: references
/// and appendices point at the case if it is known; every appendix document of that number has
/// an appendix row (the listed one with its number when there is one), and no row points at a
/// document that is no longer an appendix of this number. Works whichever arrived first.
pub async fn link_number<C: ConnectionTrait>(db: &C, n: CaseNumber) -> Result<(), IngestError> {
    lock_registry(db).await?;
    let target = case_with_number(db, n).await?;
    let year = n.year;
    let seq = n.sequence as i32;
    case_reference::Entity::update_many()
        .col_expr(
            case_reference::Column::ReferencedCaseId,
            Expr::value(target),
        )
        .filter(case_reference::Column::Year.eq(year))
        .filter(case_reference::Column::Sequence.eq(seq))
        .exec(db)
        .await?;
    let docs = appendix_documents(db, n).await?;
    let doc_ids: BTreeSet<i64> = docs.iter().map(|d| d.id).collect();
    // Only rows this can change: those linked to a document, and listed rows whose number an
    // appendix document has. A case with hundreds of listed appendices would otherwise be read
    // whole for every document of its number.
    let numbers: BTreeSet<i32> = docs.iter().filter_map(|d| d.appendix_number).collect();
    let mut rows = appendix::Entity::find()
        .filter(appendix::Column::CaseYear.eq(year))
        .filter(appendix::Column::CaseSequence.eq(seq))
        .filter(
            Condition::any()
                .add(appendix::Column::DocumentId.is_not_null())
                .add(
                    Condition::all()
                        .add(appendix::Column::Origin.ne(ORIGIN_DOCUMENT))
                        .add(appendix::Column::Number.is_in(numbers)),
                ),
        )
        .order_by_asc(appendix::Column::Id)
        .all(db)
        .await?;
    // Rows made for documents that are no longer appendices of this number go; listed rows
    // just lose the link.
    for r in rows.iter_mut() {
        if r.document_id.is_some_and(|d| !doc_ids.contains(&d)) {
            if r.origin == ORIGIN_DOCUMENT {
                appendix::Entity::delete_by_id(r.id).exec(db).await?;
                r.id = 0;
            } else {
                let mut a: appendix::ActiveModel = r.clone().into();
                a.document_id = Set(None);
                *r = a.update(db).await?;
            }
        }
    }
    rows.retain(|r| r.id != 0);
    for d in &docs {
        let listed = rows.iter().position(|r| {
            r.origin != ORIGIN_DOCUMENT
                && d.appendix_number.is_some()
                && r.number == d.appendix_number
                && r.document_id.is_none_or(|x| x == d.id)
        });
        let own = rows
            .iter()
            .position(|r| r.origin == ORIGIN_DOCUMENT && r.document_id == Some(d.id));
        match (listed, own) {
            (Some(i), own) => {
                if rows[i].document_id != Some(d.id) {
                    let mut a: appendix::ActiveModel = rows[i].clone().into();
                    a.document_id = Set(Some(d.id));
                    rows[i] = a.update(db).await?;
                }
                if let Some(j) = own {
                    appendix::Entity::delete_by_id(rows[j].id).exec(db).await?;
                    rows.remove(j);
                }
            }
            (None, Some(_)) => {}
            (None, None) => {
                let r = appendix::ActiveModel {
                    case_id: Set(target),
                    case_year: Set(Some(year)),
                    case_sequence: Set(Some(seq)),
                    number: Set(d.appendix_number),
                    title: Set(d.title.clone()),
                    document_id: Set(Some(d.id)),
                    origin: Set(ORIGIN_DOCUMENT.to_owned()),
                    edited: Set("[]".to_owned()),
                    ..Default::default()
                }
                .insert(db)
                .await?;
                rows.push(r);
            }
        }
    }
    // Rows of this number whose case was unknown when written (or was deleted) follow the case.
    appendix::Entity::update_many()
        .col_expr(appendix::Column::CaseId, Expr::value(target))
        .filter(appendix::Column::CaseYear.eq(year))
        .filter(appendix::Column::CaseSequence.eq(seq))
        .filter(appendix::Column::Origin.ne(ORIGIN_EXTRACTED))
        .exec(db)
        .await?;
    Ok(())
}

/// The appendix documents of case number `n`. A document that is the paper of a case with that
/// number is not an appendix of it (it takes its body from its own case), unless its name or a
/// person gave it an appendix number.
async fn appendix_documents<C: ConnectionTrait>(
    db: &C,
    n: CaseNumber,
) -> Result<Vec<document::Model>, IngestError> {
    // Decided in the database: many documents of one number can be the papers of its cases.
    let papers = Query::select()
        .column(case::Column::DocumentId)
        .from(case::Entity)
        .and_where(case::Column::Year.eq(n.year))
        .and_where(case::Column::Sequence.eq(n.sequence as i32))
        .and_where(case::Column::DocumentId.is_not_null())
        .to_owned();
    Ok(document::Entity::find()
        .filter(document::Column::CaseNumber.eq(n.to_string()))
        .filter(
            document::Column::Kind
                .eq("case_appendix")
                .or(document::Column::AppendixNumber.is_not_null()),
        )
        .filter(
            document::Column::AppendixNumber
                .is_not_null()
                .or(document::Column::Id.not_in_subquery(papers)),
        )
        .all(db)
        .await?)
}

/// Re-indexes the appendix documents of case number `n`: their search facets (the body) come
/// from the case, so they follow when a case of that number appears, goes or changes. Not done
/// on every link: an archive with hundreds of appendices to one case would re-index them all
/// for each new one.
pub async fn reindex_appendices<C: ConnectionTrait>(
    db: &C,
    n: CaseNumber,
) -> Result<(), IngestError> {
    for d in appendix_documents(db, n).await? {
        crate::worker::write_outbox(db, d.id, planarkiv_schema::entities::OutboxOp::Upsert).await?;
    }
    Ok(())
}

/// Before a document is deleted: what was extracted from it and nobody curated goes with it;
/// curated entities stay (their document link becomes empty through the foreign key).
pub async fn forget_document<C: ConnectionTrait>(db: &C, doc_id: i64) -> Result<(), IngestError> {
    let mut numbers = BTreeSet::new();
    let mut gone = BTreeSet::new();
    for p in plan::Entity::find()
        .filter(plan::Column::DocumentId.eq(doc_id))
        .all(db)
        .await?
    {
        if !plan_is_curated(db, &p).await? {
            plan::Entity::delete_by_id(p.id).exec(db).await?;
        }
    }
    for c in case::Entity::find()
        .filter(case::Column::DocumentId.eq(doc_id))
        .all(db)
        .await?
    {
        numbers.extend(item_number_of(c.year, c.sequence));
        if !is_curated(&c.origin, &c.edited) {
            case::Entity::delete_by_id(c.id).exec(db).await?;
            gone.extend(item_number_of(c.year, c.sequence));
        }
    }
    for a in appendix::Entity::find()
        .filter(appendix::Column::DocumentId.eq(doc_id))
        .all(db)
        .await?
    {
        numbers.extend(item_number_of(a.case_year, a.case_sequence));
        if a.origin == ORIGIN_DOCUMENT && !is_curated(&a.origin, &a.edited) {
            appendix::Entity::delete_by_id(a.id).exec(db).await?;
        } else {
            let mut am: appendix::ActiveModel = a.into();
            am.document_id = Set(None);
            am.update(db).await?;
        }
    }
    provenance::Entity::delete_many()
        .filter(provenance::Column::DocumentId.eq(doc_id))
        .exec(db)
        .await?;
    // The document row still exists here; unlink it from its number before the relink so the
    // relink does not recreate a row for it.
    let mut d: document::ActiveModel = match document::Entity::find_by_id(doc_id).one(db).await? {
        Some(d) => d.into(),
        None => return Ok(()),
    };
    d.case_number = Set(None);
    d.appendix_number = Set(None);
    d.update(db).await?;
    for n in numbers {
        link_number(db, n).await?;
    }
    for n in gone {
        reindex_appendices(db, n).await?;
    }
    Ok(())
}

/// Merges organisation `gone` into `keep`: its spellings, bodies (a body of the same name is
/// merged with its meetings and cases), plans and documents follow, and `gone` is deleted.
/// Returns the documents whose organisation changed, for the index to see.
pub async fn merge_organizations<C: ConnectionTrait>(
    db: &C,
    keep: i64,
    gone: i64,
) -> Result<Vec<i64>, IngestError> {
    let (Some(kept), Some(old)) = (
        organization::Entity::find_by_id(keep).one(db).await?,
        organization::Entity::find_by_id(gone).one(db).await?,
    ) else {
        return Err(IngestError::Rejected("no such organization".into()));
    };
    let spellings: Vec<String> = organization_alias::Entity::find()
        .filter(organization_alias::Column::OrganizationId.eq(gone))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.alias)
        .chain(std::iter::once(old.name.clone()))
        .collect();
    organization_alias::Entity::update_many()
        .col_expr(
            organization_alias::Column::OrganizationId,
            Expr::value(keep),
        )
        .filter(organization_alias::Column::OrganizationId.eq(gone))
        .exec(db)
        .await?;
    let kept_bodies = body::Entity::find()
        .filter(body::Column::OrganizationId.eq(keep))
        .all(db)
        .await?;
    for b in body::Entity::find()
        .filter(body::Column::OrganizationId.eq(gone))
        .all(db)
        .await?
    {
        match kept_bodies
            .iter()
            .find(|k| k.name.to_lowercase() == b.name.to_lowercase())
        {
            Some(twin) => merge_bodies(db, twin.id, b.id).await?,
            None => {
                let mut a: body::ActiveModel = b.clone().into();
                a.organization_id = Set(Some(keep));
                a.body_key = Set(format!("{keep}:{}", b.name.to_lowercase()));
                a.update(db).await?;
            }
        }
    }
    plan::Entity::update_many()
        .col_expr(plan::Column::OwnerId, Expr::value(keep))
        .filter(plan::Column::OwnerId.eq(gone))
        .exec(db)
        .await?;
    provenance::Entity::update_many()
        .col_expr(provenance::Column::EntityId, Expr::value(keep))
        .filter(provenance::Column::EntityType.eq("organization"))
        .filter(provenance::Column::EntityId.eq(gone))
        .exec(db)
        .await?;
    let docs: Vec<i64> = document::Entity::find()
        .filter(document::Column::Organization.is_in(spellings))
        .all(db)
        .await?
        .into_iter()
        .map(|d| d.id)
        .collect();
    document::Entity::update_many()
        .col_expr(
            document::Column::Organization,
            Expr::value(kept.name.clone()),
        )
        .filter(document::Column::Id.is_in(docs.clone()))
        .exec(db)
        .await?;
    organization::Entity::delete_by_id(gone).exec(db).await?;
    Ok(docs)
}

/// Moves body `gone`'s meetings and cases to `keep` and deletes it.
async fn merge_bodies<C: ConnectionTrait>(db: &C, keep: i64, gone: i64) -> Result<(), IngestError> {
    let kept_meetings = meeting::Entity::find()
        .filter(meeting::Column::BodyId.eq(keep))
        .all(db)
        .await?;
    for m in meeting::Entity::find()
        .filter(meeting::Column::BodyId.eq(gone))
        .all(db)
        .await?
    {
        match kept_meetings.iter().find(|k| k.date == m.date) {
            Some(twin) => {
                case::Entity::update_many()
                    .col_expr(case::Column::MeetingId, Expr::value(twin.id))
                    .filter(case::Column::MeetingId.eq(m.id))
                    .exec(db)
                    .await?;
                meeting::Entity::delete_by_id(m.id).exec(db).await?;
            }
            None => {
                let mut a: meeting::ActiveModel = m.into();
                a.body_id = Set(keep);
                a.update(db).await?;
            }
        }
    }
    case::Entity::update_many()
        .col_expr(case::Column::BodyId, Expr::value(keep))
        .filter(case::Column::BodyId.eq(gone))
        .exec(db)
        .await?;
    body::Entity::delete_by_id(gone).exec(db).await?;
    Ok(())
}

/// What search indexes of a document's entities: each plan, focus area, measure and case found
/// in it, with the page it starts on, and the body whose case the document is (or belongs to).
#[derive(Debug, Clone, Default)]
pub struct Searchable {
    pub entities: Vec<SearchableEntity>,
    /// Abbreviation (or name) of the body of the document's case.
    pub body: Option<String>,
    /// Index terms of the numbers of the document's own case (item and archive numbers).
    pub own_case: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct SearchableEntity {
    /// "plan", "focus_area", "measure" or "case".
    pub kind: &'static str,
    pub id: i64,
    pub page: i32,
    pub title: String,
    pub text: String,
}

/// Loads [`Searchable`] for one document.
pub async fn searchable<C: ConnectionTrait>(
    db: &C,
    doc: &document::Model,
) -> Result<Searchable, IngestError> {
    Ok(searchable_many(db, std::slice::from_ref(doc))
        .await?
        .remove(&doc.id)
        .unwrap_or_default())
}

/// Loads [`Searchable`] for several documents: a handful of queries, however many documents
/// and whatever their size.
pub async fn searchable_many<C: ConnectionTrait>(
    db: &C,
    docs: &[document::Model],
) -> Result<BTreeMap<i64, Searchable>, IngestError> {
    let ids: Vec<i64> = docs.iter().map(|d| d.id).collect();
    let prov = provenance::Entity::find()
        .filter(provenance::Column::DocumentId.is_in(ids.clone()))
        .all(db)
        .await?;
    // The first page any value of an entity was read on.
    let mut first_page: BTreeMap<(&str, i64), i32> = BTreeMap::new();
    for p in &prov {
        let page = first_page
            .entry((p.entity_type.as_str(), p.entity_id))
            .or_insert(p.page);
        *page = (*page).min(p.page);
    }
    let page_of = |kind: &str, id: i64| first_page.get(&(kind, id)).copied().unwrap_or(1);
    let join = |parts: &[Option<&str>]| {
        parts
            .iter()
            .flatten()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let plans = plan::Entity::find()
        .filter(plan::Column::DocumentId.is_in(ids.clone()))
        .order_by_asc(plan::Column::Id)
        .all(db)
        .await?;
    let plan_ids: Vec<i64> = plans.iter().map(|p| p.id).collect();
    let areas = focus_area::Entity::find()
        .filter(focus_area::Column::PlanId.is_in(plan_ids))
        .order_by_asc(focus_area::Column::Position)
        .all(db)
        .await?;
    let area_ids: Vec<i64> = areas.iter().map(|a| a.id).collect();
    let measures = measure::Entity::find()
        .filter(measure::Column::FocusAreaId.is_in(area_ids))
        .order_by_asc(measure::Column::Position)
        .all(db)
        .await?;
    let cases = case::Entity::find()
        .filter(case::Column::DocumentId.is_in(ids))
        .order_by_asc(case::Column::Id)
        .all(db)
        .await?;

    let mut out: BTreeMap<i64, Searchable> =
        docs.iter().map(|d| (d.id, Searchable::default())).collect();
    let plan_doc: BTreeMap<i64, i64> = plans
        .iter()
        .filter_map(|p| Some((p.id, p.document_id?)))
        .collect();
    for p in &plans {
        let Some(s) = p.document_id.and_then(|d| out.get_mut(&d)) else {
            continue;
        };
        let title = p.title.clone().unwrap_or_else(|| "Plan".to_owned());
        s.entities.push(SearchableEntity {
            kind: "plan",
            id: p.id,
            page: page_of("plan", p.id),
            text: join(&[Some(&title), p.vision.as_deref()]),
            title,
        });
    }
    for a in &areas {
        let Some(s) = plan_doc.get(&a.plan_id).and_then(|d| out.get_mut(d)) else {
            continue;
        };
        s.entities.push(SearchableEntity {
            kind: "focus_area",
            id: a.id,
            page: page_of("focus_area", a.id),
            title: a.title.clone(),
            text: join(&[Some(&a.title), a.goal.as_deref()]),
        });
    }
    for m in &measures {
        let area = areas.iter().find(|a| a.id == m.focus_area_id);
        let Some(s) = area
            .and_then(|a| plan_doc.get(&a.plan_id))
            .and_then(|d| out.get_mut(d))
        else {
            continue;
        };
        s.entities.push(SearchableEntity {
            kind: "measure",
            id: m.id,
            page: page_of("measure", m.id),
            title: area.map_or_else(|| m.text.clone(), |a| a.title.clone()),
            text: m.text.clone(),
        });
    }
    for c in &cases {
        let Some(s) = c.document_id.and_then(|d| out.get_mut(&d)) else {
            continue;
        };
        if let Some(n) = item_number_of(c.year, c.sequence) {
            s.own_case
                .push(planarkiv_schema::search::case_term(n.year, n.sequence));
        }
        if let Some(n) = archive_number_of(c) {
            s.own_case
                .push(planarkiv_schema::search::archive_term(n.year, n.sequence));
        }
        // "Sak 24.25 Title" where the item number is known, else "Sak 2026/308 Title".
        let number = item_number_of(c.year, c.sequence)
            .map(|n| n.to_string())
            .or_else(|| archive_number_of(c).map(|n| n.to_string()));
        let title = match (&number, &c.title) {
            (Some(n), Some(t)) => format!("Sak {n} {t}"),
            (Some(n), None) => format!("Sak {n}"),
            (None, Some(t)) => t.clone(),
            (None, None) => "Sak".to_owned(),
        };
        s.entities.push(SearchableEntity {
            kind: "case",
            id: c.id,
            page: page_of("case", c.id),
            text: join(&[
                Some(&title),
                c.background.as_deref(),
                c.assessment.as_deref(),
                c.proposed_decision.as_deref(),
                c.decision.as_deref(),
            ]),
            title,
        });
    }

    // The body: of the document's own case, or of the case it is an appendix of (the first
    // stored case of its number).
    let mut body_of: BTreeMap<i64, i64> = BTreeMap::new();
    let mut by_number: Vec<(i64, CaseNumber)> = Vec::new();
    for d in docs {
        match cases
            .iter()
            .filter(|c| c.document_id == Some(d.id))
            .find_map(|c| c.body_id)
        {
            Some(b) => {
                body_of.insert(d.id, b);
            }
            None => {
                if let Some(n) = d.case_number.as_deref().and_then(CaseNumber::parse) {
                    by_number.push((d.id, n));
                }
            }
        }
    }
    let numbers: Vec<CaseNumber> = by_number
        .iter()
        .map(|(_, n)| *n)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let firsts = cases_with_numbers(db, &numbers).await?;
    if !firsts.is_empty() {
        let case_body: BTreeMap<i64, Option<i64>> = case::Entity::find()
            .filter(case::Column::Id.is_in(firsts.values().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c.body_id))
            .collect();
        for (doc, n) in &by_number {
            if let Some(b) = firsts
                .get(n)
                .and_then(|c| case_body.get(c))
                .copied()
                .flatten()
            {
                body_of.insert(*doc, b);
            }
        }
    }
    if !body_of.is_empty() {
        let bodies: BTreeMap<i64, String> = body::Entity::find()
            .filter(body::Column::Id.is_in(body_of.values().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|b| (b.id, b.abbreviation.unwrap_or(b.name)))
            .collect();
        for (doc, b) in body_of {
            if let Some(s) = out.get_mut(&doc) {
                s.body = bodies.get(&b).cloned();
            }
        }
    }
    Ok(out)
}
