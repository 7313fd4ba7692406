//! Farmers' personal-data requests, and the erasure of an account.

use super::schema::{
    data_requests, members, notices, outbox, password_resets, ratings, sessions, users,
};
use super::DbConn;
use crate::domain::{AreaScope, DataRequestKind, DataRequestStatus};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Queryable, Clone, Debug, serde::Serialize)]
pub struct DataRequestRow {
    pub id: i32,
    pub user_id: i32,
    pub household_id: i32,
    pub amphoe_code: String,
    pub kind: DataRequestKind,
    pub status: DataRequestStatus,
    pub details: String,
    pub due_on: NaiveDate,
    pub resolution: String,
    pub resolved_by: Option<i32>,
    pub created_at: NaiveDateTime,
    pub resolved_at: Option<NaiveDateTime>,
}

pub struct NewRequest<'a> {
    pub user_id: i32,
    pub household_id: i32,
    pub amphoe_code: &'a str,
    pub kind: DataRequestKind,
    pub status: DataRequestStatus,
    pub details: &'a str,
    pub due_on: NaiveDate,
    pub resolution: &'a str,
}

pub fn insert(
    conn: &mut DbConn,
    new: &NewRequest<'_>,
    now: chrono::NaiveDateTime,
) -> QueryResult<i32> {
    let done = new.status != DataRequestStatus::Open;
    diesel::insert_into(data_requests::table)
        .values((
            data_requests::user_id.eq(new.user_id),
            data_requests::household_id.eq(new.household_id),
            data_requests::amphoe_code.eq(new.amphoe_code),
            data_requests::kind.eq(new.kind.code()),
            data_requests::status.eq(new.status.code()),
            data_requests::details.eq(new.details),
            data_requests::due_on.eq(new.due_on),
            data_requests::resolution.eq(new.resolution),
            data_requests::created_at.eq(now),
            data_requests::resolved_at.eq(done.then_some(now)),
        ))
        .returning(data_requests::id)
        .get_result(conn)
}

/// The farmer's requests, newest first.
pub fn for_user(conn: &mut DbConn, user_id: i32) -> QueryResult<Vec<DataRequestRow>> {
    data_requests::table
        .filter(data_requests::user_id.eq(user_id))
        .order(data_requests::id.desc())
        .load(conn)
}

/// The district codes of a scope as a LIKE pattern (codes are digits only).
fn district_pattern(scope: &AreaScope) -> String {
    match scope {
        AreaScope::National => "%".to_owned(),
        AreaScope::Province(p) => format!("{p}%"),
        AreaScope::Amphoe(a) => a.clone(),
    }
}

/// Open corrections of the staff member's area, the earliest deadline first.
pub fn open_in_scope(conn: &mut DbConn, scope: &AreaScope) -> QueryResult<Vec<DataRequestRow>> {
    data_requests::table
        .filter(data_requests::amphoe_code.like(district_pattern(scope)))
        .filter(data_requests::status.eq(DataRequestStatus::Open.code()))
        .order((data_requests::due_on, data_requests::id))
        .load(conn)
}

pub fn find_in_scope(
    conn: &mut DbConn,
    scope: &AreaScope,
    id: i32,
) -> QueryResult<Option<DataRequestRow>> {
    data_requests::table
        .filter(data_requests::amphoe_code.like(district_pattern(scope)))
        .filter(data_requests::id.eq(id))
        .first(conn)
        .optional()
}

/// Closes an open request; false when someone closed it first.
pub fn resolve(
    conn: &mut DbConn,
    id: i32,
    status: DataRequestStatus,
    resolution: &str,
    by: i32,
    now: chrono::NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        data_requests::table
            .find(id)
            .filter(data_requests::status.eq(DataRequestStatus::Open.code())),
    )
    .set((
        data_requests::status.eq(status.code()),
        data_requests::resolution.eq(resolution),
        data_requests::resolved_by.eq(Some(by)),
        data_requests::resolved_at.eq(Some(now)),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Erases an account: sign-in details, contact details, sessions, notices and unsent mail go;
/// the row stays, nameless and disabled, because case records (kept as the law requires) point
/// to it. Rating comments are emptied (their scores stay in the statistics).
pub fn erase_account(
    conn: &mut DbConn,
    user_id: i32,
    national_id: Option<&str>,
    now: chrono::NaiveDateTime,
) -> QueryResult<()> {
    let email: Option<String> = users::table
        .find(user_id)
        .select(users::email)
        .first(conn)?;
    if let Some(email) = email {
        diesel::delete(
            outbox::table
                .filter(outbox::recipient.eq(email))
                .filter(outbox::sent_at.is_null()),
        )
        .execute(conn)?;
    }
    // Messages to their phone go too, and the record of them (which holds the number).
    diesel::delete(
        outbox::table
            .filter(outbox::user_id.eq(user_id))
            .filter(outbox::sent_at.is_null()),
    )
    .execute(conn)?;
    diesel::update(outbox::table.filter(outbox::user_id.eq(user_id)))
        .set((outbox::phone.eq(None::<String>), outbox::sms_text.eq("")))
        .execute(conn)?;
    if let Some(national_id) = national_id {
        diesel::update(members::table.filter(members::national_id.eq(national_id)))
            .set(members::phone.eq(None::<String>))
            .execute(conn)?;
    }
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(password_resets::table.filter(password_resets::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(notices::table.filter(notices::user_id.eq(user_id))).execute(conn)?;
    diesel::update(ratings::table.filter(ratings::user_id.eq(user_id)))
        .set(ratings::comment.eq(""))
        .execute(conn)?;
    diesel::update(users::table.find(user_id))
        .set((
            users::email.eq(None::<String>),
            users::national_id.eq(None::<String>),
            users::display_name.eq("—"),
            users::phone.eq(None::<String>),
            users::line_user_id.eq(None::<String>),
            // Matches no password: the account can never be signed in to again.
            users::password_hash.eq("!erased"),
            users::disabled_at.eq(Some(now)),
        ))
        .execute(conn)
        .map(|_| ())
}
