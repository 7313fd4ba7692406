//! "You said, we did": what managers changed in answer to farmers' feedback.

use super::schema::improvement_actions;
use super::DbConn;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Queryable, Clone, Debug)]
pub struct ActionRow {
    pub id: i32,
    /// `theme` (of the feedback lexicon) or `programme`.
    pub subject_kind: String,
    pub subject: String,
    pub title_th: String,
    pub title_en: String,
    pub description_th: String,
    pub description_en: String,
    pub taken_on: NaiveDate,
    pub recorded_by: i32,
    pub created_at: NaiveDateTime,
}

pub struct NewAction<'a> {
    pub subject_kind: &'a str,
    pub subject: &'a str,
    pub title_th: &'a str,
    pub title_en: &'a str,
    pub description_th: &'a str,
    pub description_en: &'a str,
    pub taken_on: NaiveDate,
    pub recorded_by: i32,
}

pub fn insert(conn: &mut DbConn, a: &NewAction<'_>, now: chrono::NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(improvement_actions::table)
        .values((
            improvement_actions::subject_kind.eq(a.subject_kind),
            improvement_actions::subject.eq(a.subject),
            improvement_actions::title_th.eq(a.title_th),
            improvement_actions::title_en.eq(a.title_en),
            improvement_actions::description_th.eq(a.description_th),
            improvement_actions::description_en.eq(a.description_en),
            improvement_actions::taken_on.eq(a.taken_on),
            improvement_actions::recorded_by.eq(a.recorded_by),
            improvement_actions::created_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The newest first.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<ActionRow>> {
    improvement_actions::table
        .order((
            improvement_actions::taken_on.desc(),
            improvement_actions::id.desc(),
        ))
        .load(conn)
}
