//! Login attempts (for throttling) and password-reset tokens (stored as SHA-256 hashes).

use super::schema::{login_attempts, password_resets};
use super::DbConn;
use chrono::NaiveDateTime;
use diesel::prelude::*;

pub fn record_attempt(
    conn: &mut DbConn,
    account_key: &str,
    ip: &str,
    succeeded: bool,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::account_key.eq(account_key),
            login_attempts::ip.eq(ip),
            login_attempts::succeeded.eq(succeeded),
            login_attempts::at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Failed attempts since `since` for the account, and from the address; with the time of the
/// oldest counted failure so the message can say when to try again.
pub struct RecentFailures {
    pub account: i64,
    pub account_oldest: Option<NaiveDateTime>,
    pub ip: i64,
    pub ip_oldest: Option<NaiveDateTime>,
}

pub fn recent_failures(
    conn: &mut DbConn,
    account_key: &str,
    ip: &str,
    since: NaiveDateTime,
) -> QueryResult<RecentFailures> {
    let failures = login_attempts::table
        .filter(login_attempts::succeeded.eq(false))
        .filter(login_attempts::at.gt(since));
    let (account, account_oldest) = failures
        .filter(login_attempts::account_key.eq(account_key))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(login_attempts::at),
        ))
        .first::<(i64, Option<NaiveDateTime>)>(conn)?;
    let (ip, ip_oldest) = failures
        .filter(login_attempts::ip.eq(ip))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(login_attempts::at),
        ))
        .first::<(i64, Option<NaiveDateTime>)>(conn)?;
    Ok(RecentFailures {
        account,
        account_oldest,
        ip,
        ip_oldest,
    })
}

/// A successful login clears the account's failures so an earlier typo does not count later.
pub fn clear_failures(conn: &mut DbConn, account_key: &str) -> QueryResult<()> {
    diesel::delete(
        login_attempts::table
            .filter(login_attempts::account_key.eq(account_key))
            .filter(login_attempts::succeeded.eq(false)),
    )
    .execute(conn)
    .map(|_| ())
}

pub fn delete_attempts_before(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(login_attempts::table.filter(login_attempts::at.lt(before))).execute(conn)
}

pub fn insert_reset(
    conn: &mut DbConn,
    user_id: i32,
    token_hash: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(password_resets::table)
        .values((
            password_resets::user_id.eq(user_id),
            password_resets::token_hash.eq(token_hash),
            password_resets::created_at.eq(now),
            password_resets::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The user a reset token belongs to, if it is unused and not expired.
pub fn valid_reset(
    conn: &mut DbConn,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<i32>> {
    password_resets::table
        .filter(password_resets::token_hash.eq(token_hash))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(now))
        .select(password_resets::user_id)
        .first(conn)
        .optional()
}

/// Marks every open token of the user used: one reset spends them all.
pub fn use_resets(conn: &mut DbConn, user_id: i32, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        password_resets::table
            .filter(password_resets::user_id.eq(user_id))
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(now))
    .execute(conn)
    .map(|_| ())
}

/// How many reset links the user was sent since `since`.
pub fn resets_since(conn: &mut DbConn, user_id: i32, since: NaiveDateTime) -> QueryResult<i64> {
    password_resets::table
        .filter(password_resets::user_id.eq(user_id))
        .filter(password_resets::created_at.gt(since))
        .count()
        .get_result(conn)
}
