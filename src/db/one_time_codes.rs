//! One-time codes: stored as a salted hash, counted per phone and per address.

use super::schema::one_time_codes;
use super::DbConn;
use crate::domain::one_time_code::CodePurpose;
use chrono::NaiveDateTime;
use diesel::prelude::*;

pub struct NewCode<'a> {
    pub purpose: CodePurpose,
    pub user_id: Option<i32>,
    pub phone: &'a str,
    pub salt: &'a str,
    pub code_hash: &'a str,
    /// What waits for the code (a sign-up's claim as JSON), or empty.
    pub pending: &'a str,
    pub requested_from: &'a str,
    pub expires_at: NaiveDateTime,
}

#[derive(Queryable, Clone, Debug)]
pub struct CodeRow {
    pub id: i32,
    pub purpose: CodePurpose,
    pub user_id: Option<i32>,
    pub phone: String,
    pub salt: String,
    pub code_hash: String,
    pub pending: String,
    pub requested_from: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub tries: i32,
    pub used_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConn, code: &NewCode<'_>, now: NaiveDateTime) -> QueryResult<i32> {
    diesel::insert_into(one_time_codes::table)
        .values((
            one_time_codes::purpose.eq(code.purpose),
            one_time_codes::user_id.eq(code.user_id),
            one_time_codes::phone.eq(code.phone),
            one_time_codes::salt.eq(code.salt),
            one_time_codes::code_hash.eq(code.code_hash),
            one_time_codes::pending.eq(code.pending),
            one_time_codes::requested_from.eq(code.requested_from),
            one_time_codes::created_at.eq(now),
            one_time_codes::expires_at.eq(code.expires_at),
            one_time_codes::tries.eq(0),
        ))
        .returning(one_time_codes::id)
        .get_result(conn)
}

pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<CodeRow>> {
    one_time_codes::table.find(id).first(conn).optional()
}

/// Codes sent to the phone since `since`.
pub fn sent_to_phone_since(
    conn: &mut DbConn,
    phone: &str,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    one_time_codes::table
        .filter(one_time_codes::phone.eq(phone))
        .filter(one_time_codes::created_at.ge(since))
        .count()
        .get_result(conn)
}

/// Codes asked for from the address since `since`.
pub fn asked_from_since(
    conn: &mut DbConn,
    address: &str,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    one_time_codes::table
        .filter(one_time_codes::requested_from.eq(address))
        .filter(one_time_codes::created_at.ge(since))
        .count()
        .get_result(conn)
}

/// Counts a wrong guess.
pub fn add_try(conn: &mut DbConn, id: i32) -> QueryResult<()> {
    diesel::update(one_time_codes::table.find(id))
        .set(one_time_codes::tries.eq(one_time_codes::tries + 1))
        .execute(conn)
        .map(|_| ())
}

/// Uses the code up; false when it was used already (by a request at the same moment).
pub fn use_up(conn: &mut DbConn, id: i32, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        one_time_codes::table
            .filter(one_time_codes::id.eq(id))
            .filter(one_time_codes::used_at.is_null()),
    )
    .set((
        one_time_codes::used_at.eq(now),
        one_time_codes::pending.eq(""),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Forgets codes long expired, and what waited for them.
pub fn delete_expired(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(one_time_codes::table.filter(one_time_codes::expires_at.lt(before)))
        .execute(conn)
}
