//! Login attempts (for throttling) and password-reset tokens (stored as SHA-256 hashes).

use super::schema::{login_attempts, password_resets};
use super::{DbConn, LockSpace};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// How many failed attempts one account may have from one address, and one address in all,
/// since `since`, before an attempt is refused.
pub struct AttemptLimits {
    pub per_account_and_address: i64,
    pub per_address: i64,
    pub since: NaiveDateTime,
}

/// Whether an attempt may go ahead. A reserved attempt is already counted as a failure until
/// `mark_succeeded` says otherwise, so attempts sent at once cannot all pass the count.
pub enum Reservation {
    Reserved {
        attempt: i32,
        /// Failures of the account from every address: what slows the next attempt down.
        account_failures: i64,
    },
    /// Refused until the oldest counted failure leaves the window.
    Refused { oldest: NaiveDateTime },
}

/// Counts the recent failures and reserves the attempt in one transaction, serialised per
/// account, then per address (always in that order, so two attempts never wait on each other
/// in a circle).
pub fn reserve_attempt(
    conn: &mut DbConn,
    account_key: &str,
    ip: &str,
    limits: &AttemptLimits,
    now: NaiveDateTime,
) -> QueryResult<Reservation> {
    super::write_transaction(conn, |conn| {
        super::lock_until_commit(conn, LockSpace::LoginAccount, account_key)?;
        super::lock_until_commit(conn, LockSpace::LoginAddress, ip)?;
        let failures = login_attempts::table
            .filter(login_attempts::succeeded.eq(false))
            .filter(login_attempts::at.gt(limits.since));
        let count_and_oldest = (
            diesel::dsl::count_star(),
            diesel::dsl::min(login_attempts::at),
        );
        let (pair, pair_oldest) = failures
            .filter(login_attempts::account_key.eq(account_key))
            .filter(login_attempts::ip.eq(ip))
            .select(count_and_oldest)
            .first::<(i64, Option<NaiveDateTime>)>(conn)?;
        let (address, address_oldest) = failures
            .filter(login_attempts::ip.eq(ip))
            .select(count_and_oldest)
            .first::<(i64, Option<NaiveDateTime>)>(conn)?;
        let refused_since = if pair >= limits.per_account_and_address {
            pair_oldest
        } else if address >= limits.per_address {
            address_oldest
        } else {
            None
        };
        if let Some(oldest) = refused_since {
            return Ok(Reservation::Refused { oldest });
        }
        let account_failures: i64 = failures
            .filter(login_attempts::account_key.eq(account_key))
            .count()
            .get_result(conn)?;
        let attempt = diesel::insert_into(login_attempts::table)
            .values((
                login_attempts::account_key.eq(account_key),
                login_attempts::ip.eq(ip),
                login_attempts::succeeded.eq(false),
                login_attempts::at.eq(now),
            ))
            .returning(login_attempts::id)
            .get_result(conn)?;
        Ok(Reservation::Reserved {
            attempt,
            account_failures,
        })
    })
}

/// The reserved attempt succeeded; the account's earlier failures are forgotten, so an earlier
/// typo (or someone else's guesses) does not count against the next sign-in.
pub fn mark_succeeded(conn: &mut DbConn, attempt: i32, account_key: &str) -> QueryResult<()> {
    diesel::update(login_attempts::table.find(attempt))
        .set(login_attempts::succeeded.eq(true))
        .execute(conn)?;
    clear_failures(conn, account_key)
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
