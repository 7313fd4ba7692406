//! Getting into an account: the throttle every password or identity check passes first, a
//! sign-in that succeeded, and single-use, expiring password links (a forgotten password, or a
//! new colleague choosing their first one).

use crate::db::{audit, logins, sessions, users, DbConn};
use crate::domain::sha256_hex;
use crate::i18n::Tr;
use crate::services::emails::{self, PasswordLinkKind};
use chrono::{Duration, NaiveDateTime};
use diesel::QueryResult;
use rand::RngCore;

/// Failed attempts allowed per account from one address, and per address, within
/// `THROTTLE_WINDOW_MINUTES`. The per-address limit is generous because many rural phones
/// share one carrier address (CGNAT). No count refuses an account from every address: that
/// would let anyone lock anyone out. Failures from everywhere slow the account down instead.
pub const MAX_ACCOUNT_FAILURES: i64 = 5;
pub const MAX_IP_FAILURES: i64 = 50;
/// Each failure of an account beyond `MAX_ACCOUNT_FAILURES` (from any address) makes its next
/// attempt wait this long more, up to `MAX_SLOWDOWN_SECS`.
const SLOWDOWN_SECS_PER_FAILURE: u64 = 1;
const MAX_SLOWDOWN_SECS: u64 = 10;
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;
const RESET_LINK_MINUTES: i64 = 30;
const RESETS_PER_HOUR: i64 = 3;
/// How long a new colleague's invitation link lasts.
const INVITATION_HOURS: i64 = 72;

/// Whether an attempt may go ahead.
pub enum Gate {
    /// Go ahead after waiting `wait` (the account has failed often from elsewhere); the attempt
    /// counts as a failure until `succeeded`.
    Open {
        attempt: i32,
        wait: std::time::Duration,
    },
    /// Paused at this address for this many more minutes.
    Paused { minutes: i64 },
}

/// Counts and reserves an attempt on `account_key` from `address` in one serialised write, so
/// attempts sent at once cannot all pass the count.
pub fn reserve(
    conn: &mut DbConn,
    account_key: &str,
    address: &str,
    now: NaiveDateTime,
) -> QueryResult<Gate> {
    let limits = logins::AttemptLimits {
        per_account_and_address: MAX_ACCOUNT_FAILURES,
        per_address: MAX_IP_FAILURES,
        since: now - Duration::minutes(THROTTLE_WINDOW_MINUTES),
    };
    Ok(
        match logins::reserve_attempt(conn, account_key, address, &limits, now)? {
            logins::Reservation::Reserved {
                attempt,
                account_failures,
            } => {
                let beyond = u64::try_from(account_failures - MAX_ACCOUNT_FAILURES).unwrap_or(0);
                let wait = (beyond * SLOWDOWN_SECS_PER_FAILURE).min(MAX_SLOWDOWN_SECS);
                Gate::Open {
                    attempt,
                    wait: std::time::Duration::from_secs(wait),
                }
            }
            logins::Reservation::Refused { oldest } => {
                let unlock = oldest + Duration::minutes(THROTTLE_WINDOW_MINUTES);
                let minutes = ((unlock - now).num_seconds() + 59) / 60;
                Gate::Paused {
                    minutes: minutes.max(1),
                }
            }
        },
    )
}

/// The attempt was not a failure: it no longer counts against the account.
pub fn not_a_failure(conn: &mut DbConn, attempt: i32, account_key: &str) -> QueryResult<()> {
    logins::mark_succeeded(conn, attempt, account_key)
}

/// A sign-in passed: it no longer counts as a failure, and the language the person signed in
/// with becomes the one of their notices and mail.
pub fn succeeded(
    conn: &mut DbConn,
    attempt: i32,
    account_key: &str,
    user_id: i32,
    locale: &str,
) -> QueryResult<()> {
    crate::db::write_transaction(conn, |conn| {
        logins::mark_succeeded(conn, attempt, account_key)?;
        users::set_locale(conn, user_id, locale)
    })
}

/// Who a password link goes to.
pub struct LinkFor<'a> {
    pub user_id: i32,
    pub email: &'a str,
    pub name: &'a str,
}

/// Makes a single-use link, stores only its hash, and queues the mail that carries it.
pub fn issue_password_link(
    conn: &mut DbConn,
    tr: Tr,
    kind: PasswordLinkKind,
    to: &LinkFor<'_>,
    public_url: &str,
    now: NaiveDateTime,
) -> anyhow::Result<()> {
    let mut token_bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut token_bytes);
    let token = hex::encode(token_bytes);
    let valid_for = match kind {
        PasswordLinkKind::Reset => Duration::minutes(RESET_LINK_MINUTES),
        PasswordLinkKind::StaffInvitation => Duration::hours(INVITATION_HOURS),
    };
    logins::insert_reset(conn, to.user_id, &sha256_hex(&token), now, now + valid_for)?;
    let link = format!("{public_url}/password/reset?token={token}");
    emails::queue_password_link(conn, tr, kind, to.email, to.name, &link, now)
}

/// "I forgot my password": queues a reset link if an active account has this address and
/// has not had three in the last hour (no mail-bombing through the form). Says whether a mail
/// was queued — for waking the mailer, never for telling the visitor.
pub fn send_password_reset(
    conn: &mut DbConn,
    tr: Tr,
    email: &str,
    public_url: &str,
    now: NaiveDateTime,
) -> anyhow::Result<bool> {
    let Some(user) = users::find_by_email(conn, email)? else {
        return Ok(false);
    };
    if user.disabled_at.is_some() {
        return Ok(false);
    }
    crate::db::write_transaction(conn, |conn| {
        if logins::resets_since(conn, user.id, now - Duration::hours(1))? >= RESETS_PER_HOUR {
            return Ok(false);
        }
        let to = LinkFor {
            user_id: user.id,
            email,
            name: &user.display_name,
        };
        issue_password_link(conn, tr, PasswordLinkKind::Reset, &to, public_url, now)?;
        Ok(true)
    })
}

/// The account a still-valid password link opens.
pub fn account_of_link(
    conn: &mut DbConn,
    token: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<i32>> {
    logins::valid_reset(conn, &sha256_hex(token), now)
}

/// Sets the new password (already hashed), uses up the account's links, and signs out
/// whoever knew the old password, everywhere.
pub fn reset_password(
    conn: &mut DbConn,
    user_id: i32,
    password_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    crate::db::write_transaction(conn, |conn| {
        users::set_password_hash(conn, user_id, password_hash)?;
        logins::use_resets(conn, user_id, now)?;
        sessions::delete_for_user(conn, user_id)?;
        audit::record(
            conn,
            &audit::Actor::user(Some(user_id), "user"),
            audit::Entry {
                action: "password_reset",
                entity: "user",
                entity_id: user_id.to_string(),
                ..Default::default()
            },
            now,
        )
    })
}
