//! Farmers' consents, append-only: the newest row per user and purpose is the one that holds.

use super::schema::{consents, users};
use super::DbConn;
use crate::domain::ConsentPurpose;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Queryable, Clone, Debug, serde::Serialize)]
pub struct ConsentRow {
    pub id: i32,
    pub user_id: i32,
    pub purpose: ConsentPurpose,
    pub notice_version: String,
    pub given: bool,
    pub at: NaiveDateTime,
}

pub fn record(
    conn: &mut DbConn,
    user_id: i32,
    purpose: ConsentPurpose,
    notice_version: &str,
    given: bool,
    now: chrono::NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(consents::table)
        .values((
            consents::user_id.eq(user_id),
            consents::purpose.eq(purpose.code()),
            consents::notice_version.eq(notice_version),
            consents::given.eq(given),
            consents::at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Every consent the user gave or withdrew, oldest first.
pub fn history(conn: &mut DbConn, user_id: i32) -> QueryResult<Vec<ConsentRow>> {
    consents::table
        .filter(consents::user_id.eq(user_id))
        .order(consents::id.asc())
        .load(conn)
}

/// The consent that holds now for each purpose the user ever answered.
pub fn current(conn: &mut DbConn, user_id: i32) -> QueryResult<Vec<ConsentRow>> {
    let mut latest: Vec<ConsentRow> = Vec::new();
    for row in history(conn, user_id)? {
        latest.retain(|r| r.purpose != row.purpose);
        latest.push(row);
    }
    Ok(latest)
}

/// Whether a member of the household with an account has consent for `purpose` in force.
/// Without an account there is no consent, so nothing personal leaves.
pub fn household_consents(
    conn: &mut DbConn,
    household_id: i32,
    purpose: ConsentPurpose,
) -> QueryResult<bool> {
    let accounts: Vec<i32> = users::table
        .filter(users::household_id.eq(household_id))
        .filter(users::disabled_at.is_null())
        .select(users::id)
        .load(conn)?;
    for user_id in accounts {
        let newest: Option<bool> = consents::table
            .filter(consents::user_id.eq(user_id))
            .filter(consents::purpose.eq(purpose.code()))
            .order(consents::id.desc())
            .select(consents::given)
            .first(conn)
            .optional()?;
        if newest == Some(true) {
            return Ok(true);
        }
    }
    Ok(false)
}
