//! In-app notices for a user (newly eligible for a programme, and later case events). Stored as
//! a kind and a subject, and worded in the reader's language when shown.

use super::schema::notices;
use super::DbConn;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Queryable, Clone, Debug, serde::Serialize)]
pub struct Notice {
    pub id: i32,
    pub user_id: i32,
    pub kind: String,
    pub subject: String,
    pub amount_satang: Option<i64>,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
}

pub const NEWLY_ELIGIBLE: &str = "newly_eligible";

pub fn insert(
    conn: &mut DbConn,
    user_id: i32,
    kind: &str,
    subject: &str,
    amount_satang: Option<i64>,
    now: chrono::NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(notices::table)
        .values((
            notices::user_id.eq(user_id),
            notices::kind.eq(kind),
            notices::subject.eq(subject),
            notices::amount_satang.eq(amount_satang),
            notices::created_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn for_user(conn: &mut DbConn, user_id: i32, limit: i64) -> QueryResult<Vec<Notice>> {
    notices::table
        .filter(notices::user_id.eq(user_id))
        .order(notices::id.desc())
        .limit(limit)
        .load(conn)
}

pub fn unread_count(conn: &mut DbConn, user_id: i32) -> QueryResult<i64> {
    notices::table
        .filter(notices::user_id.eq(user_id))
        .filter(notices::read_at.is_null())
        .count()
        .get_result(conn)
}

pub fn mark_all_read(conn: &mut DbConn, user_id: i32, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        notices::table
            .filter(notices::user_id.eq(user_id))
            .filter(notices::read_at.is_null()),
    )
    .set(notices::read_at.eq(at))
    .execute(conn)
    .map(|_| ())
}
