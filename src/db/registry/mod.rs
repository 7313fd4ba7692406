//! The farmer registry: households, their members, plots, plantings, livestock and memberships.
//! Staff queries take an `AreaScope`, so a household outside the officer's area is never returned.

mod edits;

pub use edits::{
    add_planting, add_plot, find_planting, find_plot, remove_planting, set_livestock,
    update_planting, update_plot, PlantingInput, PlotInput,
};

use super::schema::{households, livestock, members, memberships, plantings, plots, tambons};
use super::DbConn;
use crate::domain::search::HouseholdSearch;
use crate::domain::{
    AreaScope, Crop, LandDocument, MembershipKind, Relation, Season, Species, Tenure,
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
    /// The day the crop was reported to the registry, where it was recorded.
    pub registered_on: Option<NaiveDate>,
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

/// The record the rules engine reads on `as_of`: the registry data and the disasters declared
/// then for the household's tambon and its plots' tambons.
pub fn rules_record(
    conn: &mut DbConn,
    farm: &Farm,
    as_of: NaiveDate,
) -> QueryResult<HouseholdRecord> {
    let disasters = disasters_in_force(conn, std::slice::from_ref(farm), as_of)?;
    Ok(farm.rules_record(&disasters))
}

/// The disasters in force on `as_of` in any tambon where these households live or farm.
pub fn disasters_in_force(
    conn: &mut DbConn,
    farms: &[Farm],
    as_of: NaiveDate,
) -> QueryResult<DisastersByTambon> {
    let mut tambons: Vec<String> = farms
        .iter()
        .flat_map(|farm| {
            std::iter::once(&farm.household.tambon_code)
                .chain(farm.plots.iter().map(|(plot, _)| &plot.tambon_code))
        })
        .cloned()
        .collect();
    tambons.sort();
    tambons.dedup();
    super::disasters::in_force(conn, &tambons, as_of)
}

pub type DisastersByTambon = std::collections::HashMap<String, crate::rules::facts::DisasterRecord>;

impl Farm {
    /// The rules' record of this household, given the disasters in force by tambon.
    pub fn rules_record(&self, disasters: &DisastersByTambon) -> HouseholdRecord {
        let head = self.members.iter().find(|m| m.is_head);
        // The household's own tambon first, then its plots': a household farming in a
        // declared zone is in it even when it lives elsewhere.
        let disaster = std::iter::once(&self.household.tambon_code)
            .chain(self.plots.iter().map(|(plot, _)| &plot.tambon_code))
            .find_map(|tambon| disasters.get(tambon))
            .cloned();
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
                    id: plot.id,
                    area_sq_wa: i64::from(plot.area_sq_wa),
                    land_document: plot.land_document,
                    tenure: plot.tenure,
                    irrigated: plot.irrigated,
                    in_disaster_zone: disasters.contains_key(&plot.tambon_code),
                    plantings: plantings
                        .iter()
                        .map(|p| PlantingRecord {
                            id: p.id,
                            crop: p.crop,
                            season: p.season,
                            season_year: p.season_year,
                            area_sq_wa: i64::from(p.area_sq_wa),
                            registered_on: p.registered_on,
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
            disaster,
        }
    }
}

/// One household's row, without its people, plots and animals.
pub fn find_household(conn: &mut DbConn, household_id: i32) -> QueryResult<HouseholdRow> {
    households::table.find(household_id).first(conn)
}

/// The household's head.
pub fn head_of(conn: &mut DbConn, household_id: i32) -> QueryResult<Option<MemberRow>> {
    members::table
        .filter(members::household_id.eq(household_id))
        .filter(members::is_head.eq(true))
        .first(conn)
        .optional()
}

/// The household head with this national ID (a person heads one household at most).
pub fn head_with_national_id(
    conn: &mut DbConn,
    national_id: &str,
) -> QueryResult<Option<MemberRow>> {
    members::table
        .filter(members::national_id.eq(national_id))
        .filter(members::is_head.eq(true))
        .first(conn)
        .optional()
}

/// Records a member's mobile number.
pub fn set_member_phone(conn: &mut DbConn, member_id: i32, phone: &str) -> QueryResult<()> {
    diesel::update(members::table.find(member_id))
        .set(members::phone.eq(phone))
        .execute(conn)
        .map(|_| ())
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
        q = crate::matching_households!(q, search);
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

/// Narrows a boxed query joined with `households` to the households a `HouseholdSearch`
/// names: a national ID or the start of a registry number, or words that all appear in one
/// person's first name or surname. Used by the household search and the case queue.
#[macro_export]
macro_rules! matching_households {
    ($query:expr, $search:expr) => {{
        use $crate::db::registry::{escape_like, lower};
        use $crate::db::schema::{households, members};
        match $search {
            $crate::domain::search::HouseholdSearch::Everything => $query,
            $crate::domain::search::HouseholdSearch::Number(digits) => {
                let matching_members = members::table
                    .filter(members::national_id.eq(digits.clone()))
                    .select(members::household_id);
                $query.filter(
                    households::registry_number
                        .like(format!("{digits}%"))
                        .or(households::id.eq_any(matching_members)),
                )
            }
            // One subquery of one shape: a word not typed is `%`, which every name matches.
            $crate::domain::search::HouseholdSearch::Words(words) => {
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
                const _: () = assert!($crate::domain::search::MAX_WORDS == 4, "one filter a word");
                let matching_members = members::table
                    .filter(named(pattern(0)))
                    .filter(named(pattern(1)))
                    .filter(named(pattern(2)))
                    .filter(named(pattern(3)))
                    .select(members::household_id);
                $query.filter(households::id.eq_any(matching_members))
            }
        }
    }};
}

/// The names of the heads of these households, by household id.
pub fn head_names(
    conn: &mut DbConn,
    household_ids: &[i32],
) -> QueryResult<std::collections::HashMap<i32, String>> {
    let heads: Vec<MemberRow> = members::table
        .filter(members::household_id.eq_any(household_ids))
        .filter(members::is_head.eq(true))
        .load(conn)?;
    Ok(heads
        .into_iter()
        .map(|m| (m.household_id, m.full_name()))
        .collect())
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

pub(crate) fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
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
