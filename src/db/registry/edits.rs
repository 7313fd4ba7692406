//! An officer's corrections to the registry: plots, plantings and livestock, each change
//! written with its old and new value to the audit log in the same transaction.

use super::{LivestockRow, PlantingRow, PlotRow};
use crate::db::audit::{self, Actor};
use crate::db::schema::{households, livestock, plantings, plots};
use crate::db::DbConn;
use crate::domain::{Area, Crop, LandDocument, Season, Species, Tenure};
use chrono::NaiveDate;
use diesel::prelude::*;

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
    /// The day the farmer reported the crop (Tor Bor Kor 01), when it is known.
    pub registered_on: Option<NaiveDate>,
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

fn planting_fields(input: &PlantingInput) -> [(&'static str, String); 6] {
    [
        ("crop", input.crop.code().to_owned()),
        ("season_year", input.season_year.to_string()),
        ("season", input.season.code().to_owned()),
        ("area_sq_wa", input.area.sq_wa().to_string()),
        (
            "planted_on",
            input.planted_on.map(|d| d.to_string()).unwrap_or_default(),
        ),
        (
            "registered_on",
            input
                .registered_on
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ),
    ]
}

fn planting_row_fields(row: &PlantingRow) -> [(&'static str, String); 6] {
    [
        ("crop", row.crop.code().to_owned()),
        ("season_year", row.season_year.to_string()),
        ("season", row.season.code().to_owned()),
        ("area_sq_wa", row.area_sq_wa.to_string()),
        (
            "planted_on",
            row.planted_on.map(|d| d.to_string()).unwrap_or_default(),
        ),
        (
            "registered_on",
            row.registered_on.map(|d| d.to_string()).unwrap_or_default(),
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
    crate::db::write_transaction(conn, |conn| {
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
    crate::db::write_transaction(conn, |conn| {
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
    crate::db::write_transaction(conn, |conn| {
        let id = diesel::insert_into(plantings::table)
            .values((
                plantings::plot_id.eq(plot.id),
                plantings::crop.eq(input.crop.code()),
                plantings::season_year.eq(input.season_year),
                plantings::season.eq(input.season.code()),
                plantings::area_sq_wa.eq(input.area.sq_wa()),
                plantings::planted_on.eq(input.planted_on),
                plantings::registered_on.eq(input.registered_on),
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
    crate::db::write_transaction(conn, |conn| {
        diesel::update(plantings::table.find(old.id))
            .set((
                plantings::crop.eq(input.crop.code()),
                plantings::season_year.eq(input.season_year),
                plantings::season.eq(input.season.code()),
                plantings::area_sq_wa.eq(input.area.sq_wa()),
                plantings::planted_on.eq(input.planted_on),
                plantings::registered_on.eq(input.registered_on),
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
    crate::db::write_transaction(conn, |conn| {
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
    crate::db::write_transaction(conn, |conn| {
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
