//! The regulation's checks recorded on a case (the village's certification, the district
//! committee's approval): each once per case, with the day it took place, the officer's note
//! and who recorded it.

use super::audit::Actor;
use super::schema::{case_checks, users};
use super::DbConn;
use crate::domain::case::Check;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Queryable, Clone, Debug)]
pub struct CheckRow {
    pub step: Check,
    pub done_on: NaiveDate,
    pub note: String,
    pub recorded_by: Option<String>,
}

/// The checks recorded on a case, in the order they were recorded.
pub fn of_case(conn: &mut DbConn, application_id: i32) -> QueryResult<Vec<CheckRow>> {
    case_checks::table
        .left_join(users::table.on(users::id.nullable().eq(case_checks::recorded_by)))
        .filter(case_checks::application_id.eq(application_id))
        .order(case_checks::recorded_at)
        .select((
            case_checks::step,
            case_checks::done_on,
            case_checks::note,
            users::display_name.nullable(),
        ))
        .load(conn)
}

/// Records a check; false when it was recorded already (by another officer meanwhile).
pub fn record(
    conn: &mut DbConn,
    application_id: i32,
    step: Check,
    done_on: NaiveDate,
    note: &str,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    super::insert_once(conn, |conn| {
        diesel::insert_into(case_checks::table)
            .values((
                case_checks::application_id.eq(application_id),
                case_checks::step.eq(step),
                case_checks::done_on.eq(done_on),
                case_checks::note.eq(note),
                case_checks::recorded_by.eq(actor.user_id),
                case_checks::recorded_at.eq(now),
            ))
            .execute(conn)
    })
}
