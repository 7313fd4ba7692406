//! Storing what the registry sync receives: one page in one transaction, together with the
//! cursor that follows it, so an interrupted sync resumes without losing or repeating a page.
//! A record Kaset refuses goes to the review list; it never stops the rest of the page.
//!
//! Over 500 lines because storing one record is one transaction: the area rule, the household,
//! its people, plots and review-list entry must be read together.

use super::audit::{self, Actor};
use super::schema::{
    households, livestock, members, memberships, plantings, plots, provinces, registry_rejects,
    sync_cursors, tambons,
};
use super::DbConn;
use crate::domain::registry_record::{HouseholdRecord, Rejection};
use crate::domain::AreaScope;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// The national farmer registry; the one source for now.
pub const REGISTRY: &str = "registry";

pub fn cursor(conn: &mut DbConn, source: &str) -> QueryResult<Option<String>> {
    sync_cursors::table
        .find(source)
        .select(sync_cursors::cursor)
        .first(conn)
        .optional()
}

/// A record refused before it reached the database (it could not be read or parsed).
#[derive(Debug, Clone)]
pub struct Refused {
    pub registry_number: String,
    pub tambon_code: String,
    pub rejection: Rejection,
    /// The record as received.
    pub record: String,
}

/// One record of a page: parsed, or refused with why.
pub enum Received {
    Household(Box<HouseholdRecord>, String),
    Refused(Refused),
}

/// What became of one received record: the household stored, or why it was refused.
#[derive(Debug)]
pub struct RecordOutcome {
    pub registry_number: String,
    pub stored: Result<i32, Rejection>,
}

#[derive(Debug, Default)]
pub struct PageOutcome {
    pub records: Vec<RecordOutcome>,
}

impl PageOutcome {
    /// The households stored, to be re-decided.
    pub fn stored(&self) -> Vec<i32> {
        self.records
            .iter()
            .filter_map(|r| r.stored.as_ref().ok().copied())
            .collect()
    }

    pub fn refused(&self) -> usize {
        self.records.iter().filter(|r| r.stored.is_err()).count()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// Someone else (another sync) applied this page first: nothing was stored here.
    #[error("the sync cursor moved: another sync is running")]
    CursorMoved,
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

enum StoreError {
    /// A record Kaset cannot store: it waits on the review list of the officers of its area.
    Refused(Rejection),
    /// A record about a household or a person outside the writer's area: refused to the
    /// writer, and put before no officer (it is not a mistake of the registry's to correct).
    OutsideArea(Rejection),
    Database(diesel::result::Error),
}

impl From<diesel::result::Error> for StoreError {
    fn from(e: diesel::result::Error) -> Self {
        StoreError::Database(e)
    }
}

/// Applies one page and moves the cursor from `seen` to `next`, all in one transaction.
pub fn apply_page(
    conn: &mut DbConn,
    source: &str,
    seen: Option<&str>,
    next: &str,
    records: Vec<Received>,
    now: chrono::NaiveDateTime,
) -> Result<PageOutcome, PageError> {
    super::write_transaction(conn, |conn| {
        let claimed = match seen {
            Some(seen) => diesel::update(
                sync_cursors::table
                    .filter(sync_cursors::source.eq(source))
                    .filter(sync_cursors::cursor.eq(seen)),
            )
            .set((
                sync_cursors::cursor.eq(next),
                sync_cursors::updated_at.eq(now),
            ))
            .execute(conn)?,
            None if cursor(conn, source)?.is_some() => 0,
            None => diesel::insert_into(sync_cursors::table)
                .values((
                    sync_cursors::source.eq(source),
                    sync_cursors::cursor.eq(next),
                    sync_cursors::updated_at.eq(now),
                ))
                .execute(conn)?,
        };
        if claimed != 1 {
            return Err(PageError::CursorMoved);
        }
        Ok(store_records(
            conn,
            source,
            &Actor::user(None, "registry_sync"),
            records,
            // The national registry speaks for every area.
            &AreaScope::National,
            now,
        )?)
    })
}

/// Stores each record in a savepoint of its own, so that a refusal undoes only its part; a
/// refused record goes to the officers' review list under `source`. A writer limited to an
/// `area` (a provincial system's key) writes only households that are, and stay, in it, and
/// only people who live in it: see `outside_area`.
pub fn store_records(
    conn: &mut DbConn,
    source: &str,
    actor: &Actor,
    records: Vec<Received>,
    area: &AreaScope,
    now: chrono::NaiveDateTime,
) -> QueryResult<PageOutcome> {
    let mut tambons = Tambons::default();
    let mut outcome = PageOutcome::default();
    for received in records {
        let refused = match received {
            Received::Refused(refused) => refused,
            Received::Household(record, raw) => {
                let registry_number = record.registry_number.as_str().to_owned();
                let refusal = |rejection| Refused {
                    registry_number: registry_number.clone(),
                    tambon_code: record.tambon_code.clone(),
                    rejection,
                    record: raw.clone(),
                };
                let stored = conn.transaction(|conn| {
                    if let Some(rejection) = outside_area(conn, &mut tambons, &record, area)? {
                        return Err(StoreError::OutsideArea(rejection));
                    }
                    store_household(conn, &mut tambons, &record, actor, now)
                });
                match stored {
                    Ok(id) => {
                        outcome.records.push(RecordOutcome {
                            registry_number,
                            stored: Ok(id),
                        });
                        continue;
                    }
                    Err(StoreError::Refused(rejection)) => refusal(rejection),
                    Err(StoreError::OutsideArea(rejection)) => {
                        outcome.records.push(RecordOutcome {
                            registry_number,
                            stored: Err(rejection),
                        });
                        continue;
                    }
                    // A constraint of the database (the record contradicts another one).
                    Err(StoreError::Database(diesel::result::Error::DatabaseError(_, info))) => {
                        refusal(Rejection::new(
                            info.message().to_owned(),
                            "registry_sync.reject.conflict",
                        ))
                    }
                    Err(StoreError::Database(other)) => return Err(other),
                }
            }
        };
        reject(conn, source, &refused, now)?;
        outcome.records.push(RecordOutcome {
            registry_number: refused.registry_number,
            stored: Err(refused.rejection),
        });
    }
    Ok(outcome)
}

/// Why a writer limited to `area` may not store this record, if it may not: the household
/// would be in another area, is in another area now, or one of its people lives in another
/// area's household now (storing would take them out of it). Plots may lie anywhere: a
/// household farms land across a border.
fn outside_area(
    conn: &mut DbConn,
    tambons: &mut Tambons,
    record: &HouseholdRecord,
    area: &AreaScope,
) -> Result<Option<Rejection>, StoreError> {
    if *area == AreaScope::National {
        return Ok(None);
    }
    let outside = |field: String| Rejection::new(field, "registry_sync.reject.outside_area");
    // An unknown tambon is judged by its code's amphoe part, so that a writer's mistake is
    // never put before another area's officers.
    let amphoe = match tambons.amphoe(conn, &record.tambon_code)? {
        Some(amphoe) => amphoe,
        None => record.tambon_code.chars().take(4).collect(),
    };
    if !area.contains(&amphoe) {
        return Ok(Some(outside("tambon_code".into())));
    }
    let now_in: Option<String> = households::table
        .filter(households::registry_number.eq(record.registry_number.as_str()))
        .select(households::amphoe_code)
        .first(conn)
        .optional()?;
    if now_in.is_some_and(|amphoe| !area.contains(&amphoe)) {
        return Ok(Some(outside("registry_number".into())));
    }
    let ids: Vec<&str> = record
        .members
        .iter()
        .map(|m| m.national_id.as_str())
        .collect();
    let homes: Vec<(String, String)> = members::table
        .inner_join(households::table)
        .filter(members::national_id.eq_any(&ids))
        .select((members::national_id, households::amphoe_code))
        .load(conn)?;
    for (national_id, amphoe) in homes {
        if !area.contains(&amphoe) {
            let index = ids.iter().position(|id| *id == national_id).unwrap_or(0);
            return Ok(Some(outside(format!("members[{index}].national_id"))));
        }
    }
    Ok(None)
}

fn reject(
    conn: &mut DbConn,
    source: &str,
    refused: &Refused,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let province: Option<String> = match refused.tambon_code.get(..2) {
        Some(code) => provinces::table
            .find(code)
            .select(provinces::code)
            .first(conn)
            .optional()?,
        None => None,
    };
    diesel::insert_into(registry_rejects::table)
        .values((
            registry_rejects::source.eq(source),
            registry_rejects::received_at.eq(now),
            registry_rejects::registry_number.eq(&refused.registry_number),
            registry_rejects::province_code.eq(province),
            registry_rejects::field.eq(&refused.rejection.field),
            registry_rejects::problem.eq(refused.rejection.key),
            registry_rejects::record.eq(&refused.record),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Tambon codes looked up once per page (a page's households mostly share a few).
#[derive(Default)]
struct Tambons(std::collections::HashMap<String, Option<String>>);

impl Tambons {
    /// The district of a tambon, or `None` when no tambon has this code.
    fn amphoe(&mut self, conn: &mut DbConn, tambon: &str) -> QueryResult<Option<String>> {
        if let Some(known) = self.0.get(tambon) {
            return Ok(known.clone());
        }
        let amphoe: Option<String> = tambons::table
            .find(tambon)
            .select(tambons::amphoe_code)
            .first(conn)
            .optional()?;
        self.0.insert(tambon.to_owned(), amphoe.clone());
        Ok(amphoe)
    }
}

/// Writes the household's whole current state; its id (kept when it was known already, so
/// accounts and applications stay linked).
fn store_household(
    conn: &mut DbConn,
    tambons: &mut Tambons,
    record: &HouseholdRecord,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<i32, StoreError> {
    let unknown = |field: String| {
        StoreError::Refused(Rejection::new(field, "registry_sync.reject.unknown_tambon"))
    };
    let amphoe = tambons
        .amphoe(conn, &record.tambon_code)?
        .ok_or_else(|| unknown("tambon_code".into()))?;
    for (i, plot) in record.plots.iter().enumerate() {
        if tambons.amphoe(conn, &plot.tambon_code)?.is_none() {
            return Err(unknown(format!("plots[{i}].tambon_code")));
        }
    }
    let number = record.registry_number.as_str();
    let existing: Option<i32> = households::table
        .filter(households::registry_number.eq(number))
        .select(households::id)
        .first(conn)
        .optional()?;
    let values = (
        households::tambon_code.eq(&record.tambon_code),
        households::amphoe_code.eq(&amphoe),
        households::province_code.eq(&amphoe[..2]),
        households::village_no.eq(record.village_no),
        households::house_no.eq(&record.house_no),
        households::registered_on.eq(record.registered_on),
        households::updated_at.eq(now),
    );
    let id = match existing {
        Some(id) => {
            diesel::update(households::table.find(id))
                .set(values)
                .execute(conn)?;
            id
        }
        None => diesel::insert_into(households::table)
            .values((
                households::registry_number.eq(number),
                households::created_at.eq(now),
                values,
            ))
            .returning(households::id)
            .get_result(conn)?,
    };
    // People who moved here from another household leave that one.
    let ids: Vec<&str> = record
        .members
        .iter()
        .map(|m| m.national_id.as_str())
        .collect();
    // Two plain deletes rather than one with OR: each keeps to its index on PostgreSQL even
    // under a plan made while the table was small.
    diesel::delete(members::table.filter(members::household_id.eq(id))).execute(conn)?;
    diesel::delete(members::table.filter(members::national_id.eq_any(&ids))).execute(conn)?;
    for m in &record.members {
        diesel::insert_into(members::table)
            .values((
                members::household_id.eq(id),
                members::national_id.eq(m.national_id.as_str()),
                members::title.eq(&m.title),
                members::first_name.eq(&m.first_name),
                members::last_name.eq(&m.last_name),
                members::birth_date.eq(m.birth_date),
                members::relation.eq(m.relation.code()),
                members::is_head.eq(m.relation == crate::domain::Relation::Head),
                members::phone.eq(&m.phone),
            ))
            .execute(conn)?;
    }
    // A new household has nothing of its own to replace.
    let known = existing.is_some();
    if known {
        diesel::delete(plots::table.filter(plots::household_id.eq(id))).execute(conn)?;
    }
    for plot in &record.plots {
        let plot_id: i32 = diesel::insert_into(plots::table)
            .values((
                plots::household_id.eq(id),
                plots::label.eq(&plot.label),
                plots::tambon_code.eq(&plot.tambon_code),
                plots::area_sq_wa.eq(plot.area.sq_wa()),
                plots::land_document.eq(plot.land_document.map(|d| d.code())),
                plots::tenure.eq(plot.tenure.code()),
                plots::irrigated.eq(plot.irrigated),
                plots::updated_at.eq(now),
            ))
            .returning(plots::id)
            .get_result(conn)?;
        for p in &plot.plantings {
            diesel::insert_into(plantings::table)
                .values((
                    plantings::plot_id.eq(plot_id),
                    plantings::crop.eq(p.crop.code()),
                    plantings::season_year.eq(p.season_year),
                    plantings::season.eq(p.season.code()),
                    plantings::area_sq_wa.eq(p.area.sq_wa()),
                    plantings::planted_on.eq(p.planted_on),
                    plantings::registered_on.eq(p.registered_on),
                    plantings::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
    }
    if known {
        diesel::delete(livestock::table.filter(livestock::household_id.eq(id))).execute(conn)?;
    }
    for (species, count) in &record.livestock {
        diesel::insert_into(livestock::table)
            .values((
                livestock::household_id.eq(id),
                livestock::species.eq(species.code()),
                livestock::head_count.eq(count),
                livestock::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    if let Some(list) = &record.memberships {
        diesel::delete(memberships::table.filter(memberships::household_id.eq(id)))
            .execute(conn)?;
        for m in list {
            diesel::insert_into(memberships::table)
                .values((
                    memberships::household_id.eq(id),
                    memberships::kind.eq(m.kind.code()),
                    memberships::organisation.eq(&m.organisation),
                    memberships::member_number.eq(&m.member_number),
                    memberships::since.eq(m.since),
                ))
                .execute(conn)?;
        }
    }
    audit::record(
        conn,
        actor,
        audit::Entry {
            action: if existing.is_some() {
                "sync_update"
            } else {
                "sync_create"
            },
            entity: "household",
            entity_id: number.to_owned(),
            household_id: Some(id),
            ..audit::Entry::default()
        },
        now,
    )?;
    Ok(id)
}

#[derive(Queryable, Debug, Clone)]
pub struct RejectRow {
    pub id: i32,
    pub source: String,
    pub received_at: NaiveDateTime,
    pub registry_number: String,
    pub province_code: Option<String>,
    pub field: String,
    pub problem: String,
    pub record: String,
    pub reviewed_at: Option<NaiveDateTime>,
    pub reviewed_by: Option<i32>,
}

/// Refused records not yet reviewed in the staff member's area (see `in_scope`; records whose
/// province is unknown only for national staff), oldest first.
pub fn open_rejects(
    conn: &mut DbConn,
    scope: &AreaScope,
    limit: i64,
) -> QueryResult<Vec<RejectRow>> {
    let mut q = registry_rejects::table
        .filter(registry_rejects::reviewed_at.is_null())
        .order(registry_rejects::id)
        .limit(limit)
        .into_boxed();
    let province = match scope {
        AreaScope::National => None,
        AreaScope::Province(p) => Some(p.clone()),
        AreaScope::Amphoe(a) => Some(a.get(..2).unwrap_or_default().to_owned()),
    };
    if let Some(province) = province {
        q = q.filter(registry_rejects::province_code.eq(province));
    }
    q.load(conn)
}

/// Marks a refused record reviewed (fixed at the source, or explained); true when it was open
/// and in the staff member's area.
pub fn mark_reviewed(
    conn: &mut DbConn,
    scope: &AreaScope,
    id: i32,
    by: i32,
    now: chrono::NaiveDateTime,
) -> QueryResult<bool> {
    let province: Option<Option<String>> = registry_rejects::table
        .find(id)
        .filter(registry_rejects::reviewed_at.is_null())
        .select(registry_rejects::province_code)
        .first(conn)
        .optional()?;
    let Some(province) = province else {
        return Ok(false);
    };
    if !in_scope(scope, province.as_deref()) {
        return Ok(false);
    }
    diesel::update(registry_rejects::table.find(id))
        .set((
            registry_rejects::reviewed_at.eq(Some(now)),
            registry_rejects::reviewed_by.eq(Some(by)),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// A refused record is placed by province only (its district may be the malformed part), so
/// a district officer sees the whole province's.
fn in_scope(scope: &AreaScope, province: Option<&str>) -> bool {
    match scope {
        AreaScope::National => true,
        AreaScope::Province(p) => province == Some(p.as_str()),
        AreaScope::Amphoe(a) => province == a.get(..2),
    }
}
