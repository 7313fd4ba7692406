//! Server-side session state. Only a SHA-256 hash of the session key is stored, so a copy of the
//! database does not hand out live sessions.

use super::schema::sessions;
use super::DbConn;
use chrono::NaiveDateTime;
use diesel::prelude::*;

pub fn load(conn: &mut DbConn, key_hash: &str, now: NaiveDateTime) -> QueryResult<Option<String>> {
    sessions::table
        .filter(sessions::key_hash.eq(key_hash))
        .filter(sessions::expires_at.gt(now))
        .select(sessions::state)
        .first(conn)
        .optional()
}

pub fn insert(
    conn: &mut DbConn,
    key_hash: &str,
    user_id: Option<i32>,
    state: &str,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::key_hash.eq(key_hash),
            sessions::user_id.eq(user_id),
            sessions::state.eq(state),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Returns false when the session no longer exists (expired, or ended by a logout elsewhere).
pub fn update(
    conn: &mut DbConn,
    key_hash: &str,
    user_id: Option<i32>,
    state: &str,
    expires_at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(sessions::table.filter(sessions::key_hash.eq(key_hash)))
        .set((
            sessions::user_id.eq(user_id),
            sessions::state.eq(state),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(|n| n > 0)
}

pub fn extend(conn: &mut DbConn, key_hash: &str, expires_at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(sessions::table.filter(sessions::key_hash.eq(key_hash)))
        .set(sessions::expires_at.eq(expires_at))
        .execute(conn)
        .map(|_| ())
}

pub fn delete(conn: &mut DbConn, key_hash: &str) -> QueryResult<()> {
    diesel::delete(sessions::table.filter(sessions::key_hash.eq(key_hash)))
        .execute(conn)
        .map(|_| ())
}

/// Ends every session of a user: after a password reset or when the account is disabled.
pub fn delete_for_user(conn: &mut DbConn, user_id: i32) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)
}

pub fn delete_expired(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)
}
