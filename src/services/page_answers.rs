//! "Was this page useful?": one visitor's yes or no to a page, counted for managers within
//! limits, so that a script answering by the hundred is counted a few times only.

use crate::db::ratings::{self, PageAnswer, VoteLimits};
use crate::db::DbConn;
use crate::domain::clock::{start_of_thai_day, thai_time};
use crate::domain::sha256_hex;
use chrono::NaiveDateTime;

/// One visitor's answers to one page in a Thai day: a signed-in user's later answer replaces
/// the earlier; an address may be shared by many farmers (mobile networks put thousands behind
/// one), so several are allowed from it.
const MAX_ANSWERS_PER_PAGE_A_DAY: i64 = 5;
/// One visitor's answers to any pages within an hour: more than anyone reading would give.
const MAX_ANSWERS_AN_HOUR: i64 = 30;

/// Who answers: a signed-in user, or else the address the answer came from.
pub enum Voter<'a> {
    User(i32),
    Address(&'a str),
}

/// Counts the answer unless the voter is over a limit; says whether it was counted.
pub fn record(
    conn: &mut DbConn,
    path: &str,
    useful: bool,
    voter: Voter<'_>,
    now: NaiveDateTime,
) -> diesel::QueryResult<bool> {
    let (user_id, voter) = match voter {
        Voter::User(id) => (Some(id), format!("user:{id}")),
        // An address is personal data: only its hash is kept, and only for a day.
        Voter::Address(address) => (None, sha256_hex(address)),
    };
    let answer = PageAnswer {
        path: path.to_owned(),
        useful,
        user_id,
        voter,
    };
    let limits = VoteLimits {
        per_page_today: MAX_ANSWERS_PER_PAGE_A_DAY,
        today_since: start_of_thai_day(thai_time(now).date()),
        recent: MAX_ANSWERS_AN_HOUR,
        recent_since: now - chrono::Duration::hours(1),
    };
    ratings::record_page_answer(conn, &answer, &limits, now)
}
