//! One-time codes sent by SMS: six digits, only a salted hash kept, five minutes, used once,
//! five wrong guesses at most. Sending is limited per phone and per address (each costs an
//! SMS and could pester a stranger's phone); guessing passes the sign-in throttle too
//! (`web::codes`).

use crate::db::one_time_codes::{self, CodeRow, NewCode};
use crate::db::DbConn;
use crate::domain::one_time_code::CodePurpose;
use crate::domain::{constant_time_eq, sha256_hex, Phone};
use crate::i18n::Tr;
use chrono::{Duration, NaiveDateTime};
use rand::{Rng, RngCore};

/// How long a code can be used.
pub const CODE_MINUTES: i64 = 5;
const TRIES_PER_CODE: i32 = 5;
/// Codes per phone, and per address, within `WINDOW_MINUTES`. Generous per address because
/// many rural phones share one carrier address.
const CODES_PER_PHONE: i64 = 3;
const CODES_PER_ADDRESS: i64 = 30;
pub const WINDOW_MINUTES: i64 = 15;

/// Whom a code goes to and what it opens.
pub struct CodeFor<'a> {
    pub purpose: CodePurpose,
    pub user_id: Option<i32>,
    pub phone: &'a Phone,
    /// What waits for the code (a sign-up's claim), or empty.
    pub pending: &'a str,
    /// The address that asked.
    pub address: &'a str,
}

pub enum Issued {
    /// Sent; the code's id, which the visitor's session keeps.
    Sent(i32),
    TooMany,
}

/// Makes a code, keeps its hash, and queues the SMS that carries it.
pub fn issue(
    conn: &mut DbConn,
    tr: Tr,
    to: &CodeFor<'_>,
    now: NaiveDateTime,
) -> anyhow::Result<Issued> {
    crate::db::write_transaction(conn, |conn| {
        let since = now - Duration::minutes(WINDOW_MINUTES);
        if one_time_codes::sent_to_phone_since(conn, to.phone.as_str(), since)? >= CODES_PER_PHONE
            || one_time_codes::asked_from_since(conn, to.address, since)? >= CODES_PER_ADDRESS
        {
            return Ok(Issued::TooMany);
        }
        let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000));
        let mut salt = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        let salt = hex::encode(salt);
        let id = one_time_codes::insert(
            conn,
            &NewCode {
                purpose: to.purpose,
                user_id: to.user_id,
                phone: to.phone.as_str(),
                salt: &salt,
                code_hash: &hashed(&salt, &code),
                pending: to.pending,
                requested_from: to.address,
                expires_at: now + Duration::minutes(CODE_MINUTES),
            },
            now,
        )?;
        let text = tr.fmt(
            &format!("sms.code.{}", to.purpose.code()),
            &[("code", &code), ("minutes", &CODE_MINUTES.to_string())],
        );
        super::emails::queue_sms(conn, to.user_id, to.phone.as_str(), &text, now)?;
        Ok(Issued::Sent(id))
    })
}

fn hashed(salt: &str, code: &str) -> String {
    sha256_hex(format!("{salt}:{code}"))
}

pub enum Checked {
    /// Right: the code is used up; what it was for.
    Passed(CodeRow),
    Wrong,
    /// Used, expired, guessed too often, or never sent: a new code is needed.
    Gone,
}

/// Checks the typed code against code `id`; a right one is used up at once.
pub fn check(
    conn: &mut DbConn,
    id: i32,
    typed: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<Checked> {
    crate::db::write_transaction(conn, |conn| {
        let Some(row) = one_time_codes::find(conn, id)? else {
            return Ok(Checked::Gone);
        };
        if row.used_at.is_some() || row.expires_at <= now || row.tries >= TRIES_PER_CODE {
            return Ok(Checked::Gone);
        }
        if !constant_time_eq(&hashed(&row.salt, typed), &row.code_hash) {
            one_time_codes::add_try(conn, id)?;
            return Ok(Checked::Wrong);
        }
        if !one_time_codes::use_up(conn, id, now)? {
            return Ok(Checked::Gone);
        }
        Ok(Checked::Passed(row))
    })
}

/// The code's purpose and phone, for the page that asks for it (none once it is gone).
pub fn waiting(
    conn: &mut DbConn,
    id: i32,
    now: NaiveDateTime,
) -> diesel::QueryResult<Option<(CodePurpose, String)>> {
    Ok(one_time_codes::find(conn, id)?
        .filter(|row| row.used_at.is_none() && row.expires_at > now)
        .map(|row| (row.purpose, row.phone)))
}
