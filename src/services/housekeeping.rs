//! What Kaset forgets on schedule: ended sessions, old sign-in attempts, one-time codes a day
//! past their end (and the sign-ups that waited for them), and who answered "was this page
//! useful" (kept only as long as the limits need it).

use crate::db::{logins, one_time_codes, ratings, sessions, DbConn};
use chrono::NaiveDateTime;
use diesel::QueryResult;

#[derive(Debug)]
pub struct Forgotten {
    pub sessions: usize,
    pub attempts: usize,
    pub page_voters: usize,
    pub codes: usize,
}

pub fn forget_what_has_expired(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Forgotten> {
    let a_day_ago = now - chrono::Duration::days(1);
    Ok(Forgotten {
        sessions: sessions::delete_expired(conn, now)?,
        attempts: logins::delete_attempts_before(conn, a_day_ago)?,
        page_voters: ratings::forget_page_voters_before(conn, a_day_ago)?,
        codes: one_time_codes::delete_expired(conn, a_day_ago)?,
    })
}
