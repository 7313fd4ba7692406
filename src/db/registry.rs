//! The farmer registry: households, their members, plots, plantings, livestock and memberships.
//! Staff queries take an `AreaScope`, so a household outside the officer's area is never returned.

use super::audit::{self, Actor};
use super::schema::{households, livestock, members, memberships, plantings, plots, tambons};
use super::DbConn;
use crate::domain::search::HouseholdSearch;
use crate::domain::{
    Area, AreaScope, Crop, LandDocument, MembershipKind, Relation, Season, Species, Tenure,
};
use crate::rules::facts::{HouseholdRecord, PlantingRecord, PlotRecord};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Queryable, Clone, Debug, serde::Serialize)]
pub struct HouseholdRow {
    pub id: i32,
    pub registry_number: String,
    pub tambon_code: String,
    pub amphoe_code: String,
    pub province_code: String,
    pub village_no: i32,
    pub house_no: String,
    pub registered_on: NaiveDate,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Queryable, Clone, Debug, serde::Serialize)]
pub struct MemberRow {
    pub id: i32,
    pub household_id: i32,
    pub national_id: String,
    pub title: String,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: NaiveDate,
    pub relation: Relation,
    pub is_head: bool,
    pub phone: Option<String>,
}

impl MemberRow {
    pub fn full_name(&self) -> String {
        format!("{}{} {}", self.title, self.first_name, self.last_name)
    }
}

#[derive(Queryable, Clone, Debug, serde::Serialize)]
pub struct PlotRow {
    pub id: i32,
    pub household_id: i32,
    pub label: String,
    pub tambon_code: String,
    pub area_sq_wa: i32,
    pub land_document: Option<LandDocument>,
    pub tenure: Tenure,
    pub irrigated: bool,
    pub updated_at: NaiveDateTime,
}

#[derive(Queryable, Clone, Debug, serde::Serialize)]
pub struct PlantingRow {
    pub id: i32,
    pub plot_id: i32,
    pub crop: Crop,
    pub season_year: i32,
    pub season: Season,
    pub area_sq_wa: i32,
    pub planted_on: Option<NaiveDate>,
    pub updated_at: NaiveDateTime,
}

#[derive(Queryable, Clone, Debug, serde::Serialize)]
pub struct LivestockRow {
    pub id: i32,
    pub household_id: i32,
    pub species: Species,
    pub head_count: i32,
    pub updated_at: NaiveDateTime,
}

#[derive(Queryable, Clone, Debug, serde::Serialize)]
pub struct MembershipRow {
    pub id: i32,
    pub household_id: i32,
    pub kind: MembershipKind,
    pub organisation: String,
    pub member_number: Option<String>,
    pub since: Option<NaiveDate>,
}

/// Everything the registry holds about one household.
#[derive(Clone, Debug)]
pub struct Farm {
    pub household: HouseholdRow,
    pub members: Vec<MemberRow>,
    pub plots: Vec<(PlotRow, Vec<PlantingRow>)>,
    pub livestock: Vec<LivestockRow>,
    pub memberships: Vec<MembershipRow>,
}

/// The record the rules engine reads on `as_of`: the registry data and the disaster declared
/// for the household's tambon then, if any.
pub fn rules_record(
    conn: &mut DbConn,
    farm: &Farm,
    as_of: NaiveDate,
) -> QueryResult<HouseholdRecord> {
    let disasters = super::disasters::in_force(
        conn,
        std::slice::from_ref(&farm.household.tambon_code),
        as_of,
    )?;
    Ok(farm.rules_record(&disasters))
}

impl Farm {
    /// The rules' record of this household, given the disasters in force by tambon.
    pub fn rules_record(
        &self,
        disasters: &std::collections::HashMap<String, crate::rules::facts::DisasterRecord>,
    ) -> HouseholdRecord {
        let head = self.members.iter().find(|m| m.is_head);
        HouseholdRecord {
            province: self.household.province_code.clone(),
            amphoe: self.household.amphoe_code.clone(),
            tambon: self.household.tambon_code.clone(),
            registered_on: Some(self.household.registered_on),
            head_birth_date: head.map(|h| h.birth_date),
            members: self.members.len() as i64,
            plots: self
                .plots
                .iter()
                .map(|(plot, plantings)| PlotRecord {
                    area_sq_wa: i64::from(plot.area_sq_wa),
                    land_document: plot.land_document,
                    tenure: plot.tenure,
                    irrigated: plot.irrigated,
                    plantings: plantings
                        .iter()
                        .map(|p| PlantingRecord {
                            crop: p.crop,
                            season: p.season,
                            season_year: p.season_year,
                            area_sq_wa: i64::from(p.area_sq_wa),
                        })
                        .collect(),
                })
                .collect(),
            livestock: self
                .livestock
                .iter()
                .map(|l| (l.species, i64::from(l.head_count)))
                .collect(),
            memberships: self.memberships.iter().map(|m| m.kind).collect(),
            disaster: disasters.get(&self.household.tambon_code).cloned(),
        }
    }
}

pub fn load_farm(conn: &mut DbConn, household_id: i32) -> QueryResult<Farm> {
    load_farms(conn, &[household_id])?
        .pop()
        .ok_or(diesel::result::Error::NotFound)
}

/// Several households with everything the registry holds about them, in six queries whatever
/// their number (batch evaluation reads a thousand at a time). In the order of `household_ids`.
pub fn load_farms(conn: &mut DbConn, household_ids: &[i32]) -> QueryResult<Vec<Farm>> {
    use std::collections::HashMap;
    let households: Vec<HouseholdRow> = households::table
        .filter(households::id.eq_any(household_ids))
        .load(conn)?;
    let member_rows: Vec<MemberRow> = members::table
        .filter(members::household_id.eq_any(household_ids))
        .order((members::is_head.desc(), members::birth_date, members::id))
        .load(conn)?;
    let plot_rows: Vec<PlotRow> = plots::table
        .filter(plots::household_id.eq_any(household_ids))
        .order(plots::id)
        .load(conn)?;
    let planting_rows: Vec<PlantingRow> = plantings::table
        .inner_join(plots::table)
        .filter(plots::household_id.eq_any(household_ids))
        .order((plantings::season_year.desc(), plantings::id))
        .select(plantings::all_columns)
        .load(conn)?;
    let livestock_rows: Vec<LivestockRow> = livestock::table
        .filter(livestock::household_id.eq_any(household_ids))
        .order(livestock::id)
        .load(conn)?;
    let membership_rows: Vec<MembershipRow> = memberships::table
        .filter(memberships::household_id.eq_any(household_ids))
        .order(memberships::id)
        .load(conn)?;

    let mut farms: HashMap<i32, Farm> = households
        .into_iter()
        .map(|household| {
            let farm = Farm {
                household,
                members: vec![],
                plots: vec![],
                livestock: vec![],
                memberships: vec![],
            };
            (farm.household.id, farm)
        })
        .collect();
    for m in member_rows {
        if let Some(f) = farms.get_mut(&m.household_id) {
            f.members.push(m);
        }
    }
    let mut plantings_of: HashMap<i32, Vec<PlantingRow>> = HashMap::new();
    for p in planting_rows {
        plantings_of.entry(p.plot_id).or_default().push(p);
    }
    for plot in plot_rows {
        if let Some(f) = farms.get_mut(&plot.household_id) {
            let of_plot = plantings_of.remove(&plot.id).unwrap_or_default();
            f.plots.push((plot, of_plot));
        }
    }
    for l in livestock_rows {
        if let Some(f) = farms.get_mut(&l.household_id) {
            f.livestock.push(l);
        }
    }
    for m in membership_rows {
        if let Some(f) = farms.get_mut(&m.household_id) {
            f.memberships.push(m);
        }
    }
    Ok(household_ids
        .iter()
        .filter_map(|id| farms.remove(id))
        .collect())
}

/// The household if it lies in the staff member's area; `None` otherwise (shown as 404).
pub fn household_in_scope(
    conn: &mut DbConn,
    scope: &AreaScope,
    household_id: i32,
) -> QueryResult<Option<HouseholdRow>> {
    let household: Option<HouseholdRow> = households::table
        .find(household_id)
        .first(conn)
        .optional()?;
    Ok(household.filter(|h| scope.contains(&h.amphoe_code)))
}

/// The household with this registry number, if it lies in `scope`.
pub fn household_by_number_in_scope(
    conn: &mut DbConn,
    scope: &AreaScope,
    registry_number: &str,
) -> QueryResult<Option<HouseholdRow>> {
    let household: Option<HouseholdRow> = households::table
        .filter(households::registry_number.eq(registry_number))
        .first(conn)
        .optional()?;
    Ok(household.filter(|h| scope.contains(&h.amphoe_code)))
}

/// The household head whose national ID, birth date and registry number all match: the proof
/// of identity a farmer gives to create an account.
pub fn find_head_for_registration(
    conn: &mut DbConn,
    national_id: &str,
    birth_date: NaiveDate,
    registry_number: &str,
) -> QueryResult<Option<MemberRow>> {
    members::table
        .inner_join(households::table)
        .filter(members::national_id.eq(national_id))
        .filter(members::birth_date.eq(birth_date))
        .filter(members::is_head.eq(true))
        .filter(households::registry_number.eq(registry_number))
        .select(members::all_columns)
        .first(conn)
        .optional()
}

/// One line of an officer's search results.
#[derive(Clone, Debug)]
pub struct HouseholdSummary {
    pub id: i32,
    pub registry_number: String,
    pub village_no: i32,
    pub tambon_name_th: String,
    pub tambon_name_en: String,
    pub head: Option<MemberRow>,
}

pub const PAGE_SIZE: i64 = 20;
/// The last page a search shows (200,000 households); beyond, a narrower search is the way.
pub const MAX_PAGE: i64 = 10_000;

/// Households in the scope matching `query` (name words, a national ID or a registry number),
/// one page at a time, with the total number of matches.
pub fn search(
    conn: &mut DbConn,
    scope: &AreaScope,
    search: &HouseholdSearch,
    page: i64,
) -> QueryResult<(Vec<HouseholdSummary>, i64)> {
    let build = || {
        let mut q = households::table.inner_join(tambons::table).into_boxed();
        q = crate::within_scope!(q, scope);
        match search {
            HouseholdSearch::Everything => {}
            HouseholdSearch::Number(digits) => {
                let matching_members = members::table
                    .filter(members::national_id.eq(digits.clone()))
                    .select(members::household_id);
                q = q.filter(
                    households::registry_number
                        .like(format!("{digits}%"))
                        .or(households::id.eq_any(matching_members)),
                );
            }
            // One subquery of one shape: a person whose first name or surname holds every word
            // (a word not typed is `%`, which every name matches).
            HouseholdSearch::Words(words) => {
                let pattern = |i: usize| {
                    words
                        .get(i)
                        .map_or_else(|| "%".to_owned(), |w| format!("%{}%", escape_like(w)))
                };
                let named = |pattern: String| {
                    lower(members::first_name)
                        .like(pattern.clone())
                        .escape('\\')
                        .or(lower(members::last_name).like(pattern).escape('\\'))
                };
                const _: () = assert!(crate::domain::search::MAX_WORDS == 4, "one filter a word");
                let matching_members = members::table
                    .filter(named(pattern(0)))
                    .filter(named(pattern(1)))
                    .filter(named(pattern(2)))
                    .filter(named(pattern(3)))
                    .select(members::household_id);
                q = q.filter(households::id.eq_any(matching_members));
            }
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    let rows: Vec<(i32, String, i32, String, String)> = build()
        .select((
            households::id,
            households::registry_number,
            households::village_no,
            tambons::name_th,
            tambons::name_en,
        ))
        .order(households::registry_number)
        .limit(PAGE_SIZE)
        .offset((page.clamp(1, MAX_PAGE) - 1) * PAGE_SIZE)
        .load(conn)?;
    let ids: Vec<i32> = rows.iter().map(|r| r.0).collect();
    let heads: Vec<MemberRow> = members::table
        .filter(members::household_id.eq_any(&ids))
        .filter(members::is_head.eq(true))
        .load(conn)?;
    let summaries = rows
        .into_iter()
        .map(
            |(id, registry_number, village_no, tambon_name_th, tambon_name_en)| HouseholdSummary {
                id,
                registry_number,
                village_no,
                tambon_name_th,
                tambon_name_en,
                head: heads.iter().find(|m| m.household_id == id).cloned(),
            },
        )
        .collect();
    Ok((summaries, total))
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// A plot as entered on the officer's form, already parsed.
#[derive(Clone, Debug)]
pub struct PlotInput {
    pub label: String,
    pub tambon_code: String,
    pub area: Area,
    pub land_document: LandDocument,
    pub tenure: Tenure,
    pub irrigated: bool,
}

/// A planting as entered on the officer's form, already parsed.
#[derive(Clone, Debug)]
pub struct PlantingInput {
    pub crop: Crop,
    pub season_year: i32,
    pub season: Season,
    pub area: Area,
    pub planted_on: Option<NaiveDate>,
}

fn plot_fields(input: &PlotInput) -> [(&'static str, String); 6] {
    [
        ("label", input.label.clone()),
        ("tambon_code", input.tambon_code.clone()),
        ("area_sq_wa", input.area.sq_wa().to_string()),
        ("land_document", input.land_document.code().to_owned()),
        ("tenure", input.tenure.code().to_owned()),
        ("irrigated", input.irrigated.to_string()),
    ]
}

fn plot_row_fields(row: &PlotRow) -> [(&'static str, String); 6] {
    [
        ("label", row.label.clone()),
        ("tambon_code", row.tambon_code.clone()),
        ("area_sq_wa", row.area_sq_wa.to_string()),
        (
            "land_document",
            row.land_document.map_or("", |d| d.code()).to_owned(),
        ),
        ("tenure", row.tenure.code().to_owned()),
        ("irrigated", row.irrigated.to_string()),
    ]
}

fn planting_fields(input: &PlantingInput) -> [(&'static str, String); 5] {
    [
        ("crop", input.crop.code().to_owned()),
        ("season_year", input.season_year.to_string()),
        ("season", input.season.code().to_owned()),
        ("area_sq_wa", input.area.sq_wa().to_string()),
        (
            "planted_on",
            input.planted_on.map(|d| d.to_string()).unwrap_or_default(),
        ),
    ]
}

fn planting_row_fields(row: &PlantingRow) -> [(&'static str, String); 5] {
    [
        ("crop", row.crop.code().to_owned()),
        ("season_year", row.season_year.to_string()),
        ("season", row.season.code().to_owned()),
        ("area_sq_wa", row.area_sq_wa.to_string()),
        (
            "planted_on",
            row.planted_on.map(|d| d.to_string()).unwrap_or_default(),
        ),
    ]
}

/// What an edit touched, for its audit entries.
struct Edit<'a> {
    action: &'a str,
    entity: &'a str,
    entity_id: i32,
    household_id: i32,
    at: chrono::NaiveDateTime,
}

/// Writes one audit entry per field whose value differs (all fields when `old` is empty).
fn audit_changes(
    conn: &mut DbConn,
    actor: &Actor,
    edit: Edit<'_>,
    old: &[(&'static str, String)],
    new: &[(&'static str, String)],
) -> QueryResult<()> {
    for (index, (field, new_value)) in new.iter().enumerate() {
        let old_value = old.get(index).map(|(_, v)| v.clone());
        if old_value.as_ref() == Some(new_value) {
            continue;
        }
        audit::record(
            conn,
            actor,
            audit::Entry {
                action: edit.action,
                entity: edit.entity,
                entity_id: edit.entity_id.to_string(),
                household_id: Some(edit.household_id),
                field: Some(field),
                old_value,
                new_value: Some(new_value.clone()),
            },
            edit.at,
        )?;
    }
    Ok(())
}

fn touch_household(
    conn: &mut DbConn,
    household_id: i32,
    now: chrono::NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(households::table.find(household_id))
        .set(households::updated_at.eq(now))
        .execute(conn)
        .map(|_| ())
}

pub fn add_plot(
    conn: &mut DbConn,
    actor: &Actor,
    household_id: i32,
    input: &PlotInput,
    now: chrono::NaiveDateTime,
) -> QueryResult<i32> {
    super::write_transaction(conn, |conn| {
        let id = diesel::insert_into(plots::table)
            .values((
                plots::household_id.eq(household_id),
                plots::label.eq(&input.label),
                plots::tambon_code.eq(&input.tambon_code),
                plots::area_sq_wa.eq(input.area.sq_wa()),
                plots::land_document.eq(Some(input.land_document.code())),
                plots::tenure.eq(input.tenure.code()),
                plots::irrigated.eq(input.irrigated),
                plots::updated_at.eq(now),
            ))
            .returning(plots::id)
            .get_result(conn)?;
        audit_changes(
            conn,
            actor,
            Edit {
                action: "create",
                entity: "plot",
                entity_id: id,
                household_id,
                at: now,
            },
            &[],
            &plot_fields(input),
        )?;
        touch_household(conn, household_id, now)?;
        Ok(id)
    })
}

pub fn find_plot(
    conn: &mut DbConn,
    household_id: i32,
    plot_id: i32,
) -> QueryResult<Option<PlotRow>> {
    plots::table
        .filter(plots::id.eq(plot_id))
        .filter(plots::household_id.eq(household_id))
        .first(conn)
        .optional()
}

pub fn update_plot(
    conn: &mut DbConn,
    actor: &Actor,
    old: &PlotRow,
    input: &PlotInput,
    now: chrono::NaiveDateTime,
) -> QueryResult<()> {
    super::write_transaction(conn, |conn| {
        diesel::update(plots::table.find(old.id))
            .set((
                plots::label.eq(&input.label),
                plots::tambon_code.eq(&input.tambon_code),
                plots::area_sq_wa.eq(input.area.sq_wa()),
                plots::land_document.eq(Some(input.land_document.code())),
                plots::tenure.eq(input.tenure.code()),
                plots::irrigated.eq(input.irrigated),
                plots::updated_at.eq(now),
            ))
            .execute(conn)?;
        audit_changes(
            conn,
            actor,
            Edit {
                action: "update",
                entity: "plot",
                entity_id: old.id,
                household_id: old.household_id,
                at: now,
            },
            &plot_row_fields(old),
            &plot_fields(input),
        )?;
        touch_household(conn, old.household_id, now)
    })
}

pub fn add_planting(
    conn: &mut DbConn,
    actor: &Actor,
    plot: &PlotRow,
    input: &PlantingInput,
    now: chrono::NaiveDateTime,
) -> QueryResult<i32> {
    super::write_transaction(conn, |conn| {
        let id = diesel::insert_into(plantings::table)
            .values((
                plantings::plot_id.eq(plot.id),
                plantings::crop.eq(input.crop.code()),
                plantings::season_year.eq(input.season_year),
                plantings::season.eq(input.season.code()),
                plantings::area_sq_wa.eq(input.area.sq_wa()),
                plantings::planted_on.eq(input.planted_on),
                plantings::updated_at.eq(now),
            ))
            .returning(plantings::id)
            .get_result(conn)?;
        audit_changes(
            conn,
            actor,
            Edit {
                action: "create",
                entity: "planting",
                entity_id: id,
                household_id: plot.household_id,
                at: now,
            },
            &[],
            &planting_fields(input),
        )?;
        touch_household(conn, plot.household_id, now)?;
        Ok(id)
    })
}

pub fn find_planting(
    conn: &mut DbConn,
    plot_id: i32,
    planting_id: i32,
) -> QueryResult<Option<PlantingRow>> {
    plantings::table
        .filter(plantings::id.eq(planting_id))
        .filter(plantings::plot_id.eq(plot_id))
        .first(conn)
        .optional()
}

pub fn update_planting(
    conn: &mut DbConn,
    actor: &Actor,
    household_id: i32,
    old: &PlantingRow,
    input: &PlantingInput,
    now: chrono::NaiveDateTime,
) -> QueryResult<()> {
    super::write_transaction(conn, |conn| {
        diesel::update(plantings::table.find(old.id))
            .set((
                plantings::crop.eq(input.crop.code()),
                plantings::season_year.eq(input.season_year),
                plantings::season.eq(input.season.code()),
                plantings::area_sq_wa.eq(input.area.sq_wa()),
                plantings::planted_on.eq(input.planted_on),
                plantings::updated_at.eq(now),
            ))
            .execute(conn)?;
        audit_changes(
            conn,
            actor,
            Edit {
                action: "update",
                entity: "planting",
                entity_id: old.id,
                household_id,
                at: now,
            },
            &planting_row_fields(old),
            &planting_fields(input),
        )?;
        touch_household(conn, household_id, now)
    })
}

pub fn remove_planting(
    conn: &mut DbConn,
    actor: &Actor,
    household_id: i32,
    old: &PlantingRow,
    now: chrono::NaiveDateTime,
) -> QueryResult<()> {
    super::write_transaction(conn, |conn| {
        diesel::delete(plantings::table.find(old.id)).execute(conn)?;
        for (field, value) in planting_row_fields(old) {
            audit::record(
                conn,
                actor,
                audit::Entry {
                    action: "delete",
                    entity: "planting",
                    entity_id: old.id.to_string(),
                    household_id: Some(household_id),
                    field: Some(field),
                    old_value: Some(value),
                    new_value: None,
                },
                now,
            )?;
        }
        touch_household(conn, household_id, now)
    })
}

/// Sets the head count of every species at once (zero removes the species), auditing each change.
pub fn set_livestock(
    conn: &mut DbConn,
    actor: &Actor,
    household_id: i32,
    counts: &[(Species, i32)],
    now: chrono::NaiveDateTime,
) -> QueryResult<()> {
    super::write_transaction(conn, |conn| {
        let existing: Vec<LivestockRow> = livestock::table
            .filter(livestock::household_id.eq(household_id))
            .load(conn)?;
        for (species, count) in counts {
            let current = existing.iter().find(|l| l.species == *species);
            let old_count = current.map_or(0, |l| l.head_count);
            if old_count == *count {
                continue;
            }
            match current {
                Some(row) if *count == 0 => {
                    diesel::delete(livestock::table.find(row.id)).execute(conn)?;
                }
                Some(row) => {
                    diesel::update(livestock::table.find(row.id))
                        .set((
                            livestock::head_count.eq(count),
                            livestock::updated_at.eq(now),
                        ))
                        .execute(conn)?;
                }
                None => {
                    diesel::insert_into(livestock::table)
                        .values((
                            livestock::household_id.eq(household_id),
                            livestock::species.eq(species.code()),
                            livestock::head_count.eq(count),
                            livestock::updated_at.eq(now),
                        ))
                        .execute(conn)?;
                }
            }
            audit::record(
                conn,
                actor,
                audit::Entry {
                    action: "update",
                    entity: "livestock",
                    entity_id: species.code().to_owned(),
                    household_id: Some(household_id),
                    field: Some("head_count"),
                    old_value: Some(old_count.to_string()),
                    new_value: Some(count.to_string()),
                },
                now,
            )?;
        }
        touch_household(conn, household_id, now)
    })
}

pub fn household_count(conn: &mut DbConn) -> QueryResult<i64> {
    households::table.count().get_result(conn)
}

/// Household ids in order, a page at a time, for batch work.
pub fn household_ids_after(conn: &mut DbConn, after: i32, limit: i64) -> QueryResult<Vec<i32>> {
    households::table
        .filter(households::id.gt(after))
        .order(households::id)
        .select(households::id)
        .limit(limit)
        .load(conn)
}

/// Household ids inside a staff member's area, in order, a page at a time.
pub fn household_ids_in_scope_after(
    conn: &mut DbConn,
    scope: &AreaScope,
    after: i32,
    limit: i64,
) -> QueryResult<Vec<i32>> {
    let mut query = households::table
        .filter(households::id.gt(after))
        .order(households::id)
        .select(households::id)
        .limit(limit)
        .into_boxed();
    query = crate::within_scope!(query, scope);
    query.load(conn)
}
