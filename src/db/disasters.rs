//! Disaster declarations: which tambon, which dates, which hazard. Entered by an administrator;
//! every household of a declared tambon is re-evaluated at once.

use super::geography::Place;
use super::schema::{disaster_tambons, disasters, households, plots};
use super::DbConn;
use crate::domain::Hazard;
use crate::rules::facts::DisasterRecord;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use std::collections::HashMap;

#[derive(Queryable, Clone, Debug)]
pub struct DisasterRow {
    pub id: i32,
    pub hazard: Hazard,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub description: String,
    pub declared_by: Option<i32>,
    pub created_at: NaiveDateTime,
    pub claims_close_on: Option<NaiveDate>,
}

pub struct NewDisaster<'a> {
    pub hazard: &'a str,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub claims_close_on: NaiveDate,
    pub description: &'a str,
    /// The administrator who declared it; `None` when it came from the command line.
    pub declared_by: Option<i32>,
    pub tambons: &'a [String],
}

pub fn insert(
    conn: &mut DbConn,
    disaster: &NewDisaster<'_>,
    now: chrono::NaiveDateTime,
) -> QueryResult<i32> {
    let id = diesel::insert_into(disasters::table)
        .values((
            disasters::hazard.eq(disaster.hazard),
            disasters::started_on.eq(disaster.started_on),
            disasters::ended_on.eq(disaster.ended_on),
            disasters::claims_close_on.eq(Some(disaster.claims_close_on)),
            disasters::description.eq(disaster.description),
            disasters::declared_by.eq(disaster.declared_by),
            disasters::created_at.eq(now),
        ))
        .returning(disasters::id)
        .get_result(conn)?;
    let rows: Vec<_> = disaster
        .tambons
        .iter()
        .map(|code| {
            (
                disaster_tambons::disaster_id.eq(id),
                disaster_tambons::tambon_code.eq(code),
            )
        })
        .collect();
    crate::on_backend!(conn, c => diesel::insert_into(disaster_tambons::table).values(&rows).execute(c))?;
    Ok(id)
}

/// The newest declaration in force on `as_of` for each of these tambon that has one.
pub fn in_force(
    conn: &mut DbConn,
    tambon_codes: &[String],
    as_of: NaiveDate,
) -> QueryResult<HashMap<String, DisasterRecord>> {
    let rows: Vec<(String, i32, String, NaiveDate, Option<NaiveDate>)> = disasters::table
        .inner_join(disaster_tambons::table)
        .filter(disaster_tambons::tambon_code.eq_any(tambon_codes))
        .filter(disasters::started_on.le(as_of))
        .filter(
            disasters::ended_on
                .is_null()
                .or(disasters::ended_on.ge(as_of)),
        )
        // Oldest first, so the newest declaration of a tambon is the one kept.
        .order((disasters::started_on, disasters::id))
        .select((
            disaster_tambons::tambon_code,
            disasters::id,
            disasters::hazard,
            disasters::started_on,
            disasters::claims_close_on,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(tambon, id, hazard, started_on, claims_close_on)| {
            (
                tambon,
                DisasterRecord {
                    id,
                    hazard,
                    started_on,
                    claims_close_on,
                },
            )
        })
        .collect())
}

/// Declarations, newest first, each with the names of its tambon.
pub fn list(conn: &mut DbConn) -> QueryResult<Vec<(DisasterRow, Vec<Place>)>> {
    use super::schema::tambons;
    let rows: Vec<DisasterRow> = disasters::table
        .order(disasters::id.desc())
        .limit(100)
        .load(conn)?;
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let named: Vec<(i32, Place)> = disaster_tambons::table
        .inner_join(tambons::table.on(tambons::code.eq(disaster_tambons::tambon_code)))
        .filter(disaster_tambons::disaster_id.eq_any(&ids))
        .order((disaster_tambons::disaster_id, tambons::code))
        .select((
            disaster_tambons::disaster_id,
            (tambons::code, tambons::name_th, tambons::name_en),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let places = named
                .iter()
                .filter(|(id, _)| *id == row.id)
                .map(|(_, place)| place.clone())
                .collect();
            (row, places)
        })
        .collect())
}

/// What an administrator may correct in a declaration: its end, the last day for damage
/// reports, and its details. Its tambon and start are what it declared; another zone is a
/// new declaration.
pub struct Correction<'a> {
    pub ended_on: Option<NaiveDate>,
    pub claims_close_on: NaiveDate,
    pub description: &'a str,
}

pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<DisasterRow>> {
    disasters::table.find(id).first(conn).optional()
}

pub fn correct(conn: &mut DbConn, id: i32, correction: &Correction<'_>) -> QueryResult<bool> {
    diesel::update(disasters::table.find(id))
        .set((
            disasters::ended_on.eq(correction.ended_on),
            disasters::claims_close_on.eq(Some(correction.claims_close_on)),
            disasters::description.eq(correction.description),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// The households living or farming in any of these tambon: a household with a plot in a
/// declared tambon is affected wherever it lives.
pub fn households_in(conn: &mut DbConn, tambons: &[String]) -> QueryResult<Vec<i32>> {
    let mut ids: Vec<i32> = households::table
        .filter(households::tambon_code.eq_any(tambons))
        .select(households::id)
        .load(conn)?;
    ids.extend(
        plots::table
            .filter(plots::tambon_code.eq_any(tambons))
            .select(plots::household_id)
            .load::<i32>(conn)?,
    );
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// The tambon codes of a declaration.
pub fn tambons_of(conn: &mut DbConn, disaster_id: i32) -> QueryResult<Vec<String>> {
    disaster_tambons::table
        .filter(disaster_tambons::disaster_id.eq(disaster_id))
        .select(disaster_tambons::tambon_code)
        .order(disaster_tambons::tambon_code)
        .load(conn)
}
