//! The reminders already sent, so that each is sent once (see `services::reminders`), and the
//! cases and drafts that may need one.

use super::applications::ApplicationRow;
use super::schema::{application_events, applications, reminders};
use super::DbConn;
use crate::domain::CaseStatus;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// Records that the reminder `kind` about `subject` is being sent; `false` when it was sent
/// before (by this run, an earlier one or another server), and must not be sent again.
pub fn claim(
    conn: &mut DbConn,
    kind: &str,
    subject: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    super::insert_once(conn, |conn| {
        diesel::insert_into(reminders::table)
            .values((
                reminders::kind.eq(kind),
                reminders::subject.eq(subject),
                reminders::sent_at.eq(now),
            ))
            .execute(conn)
    })
}

/// How many reminders of `kind` were sent (for tests and the dashboard).
pub fn count(conn: &mut DbConn, kind: &str) -> QueryResult<i64> {
    reminders::table
        .filter(reminders::kind.eq(kind))
        .count()
        .get_result(conn)
}

/// The drafts of these programmes: claims Kaset drafted (or a farmer started) and nobody has
/// confirmed yet.
pub fn drafts_of(conn: &mut DbConn, programme_ids: &[&str]) -> QueryResult<Vec<ApplicationRow>> {
    applications::table
        .filter(applications::status.eq(CaseStatus::Draft.code()))
        .filter(applications::programme_id.eq_any(programme_ids))
        .order(applications::id)
        .load(conn)
}

/// Cases waiting for the farmer's answer, each with the id and day of the latest request.
pub fn waiting_for_answers(
    conn: &mut DbConn,
) -> QueryResult<Vec<(ApplicationRow, i32, NaiveDateTime)>> {
    let waiting: Vec<ApplicationRow> = applications::table
        .filter(applications::status.eq(CaseStatus::InfoRequested.code()))
        .order(applications::id)
        .load(conn)?;
    let mut out = Vec::with_capacity(waiting.len());
    for app in waiting {
        let latest: Option<(i32, NaiveDateTime)> = application_events::table
            .filter(application_events::application_id.eq(app.id))
            .filter(application_events::kind.eq("info_requested"))
            .order(application_events::id.desc())
            .select((application_events::id, application_events::at))
            .first(conn)
            .optional()?;
        if let Some((event, at)) = latest {
            out.push((app, event, at));
        }
    }
    Ok(out)
}

/// Rejected cases not appealed, decided on or after `since` (older ones can no longer be
/// appealed).
pub fn appealable(conn: &mut DbConn, since: NaiveDate) -> QueryResult<Vec<ApplicationRow>> {
    applications::table
        .filter(applications::status.eq(CaseStatus::Rejected.code()))
        .filter(applications::appealed.eq(false))
        .filter(applications::decided_on.ge(since))
        .order(applications::id)
        .load(conn)
}

/// Households eligible for a programme (as last decided) with no case of it at all.
pub fn eligible_without_a_case(conn: &mut DbConn, programme_id: &str) -> QueryResult<Vec<i32>> {
    use super::schema::entitlements;
    let with_a_case = applications::table
        .filter(applications::programme_id.eq(programme_id))
        .select(applications::household_id);
    entitlements::table
        .filter(entitlements::programme_id.eq(programme_id))
        .filter(entitlements::status.eq("eligible"))
        .filter(diesel::dsl::not(
            entitlements::household_id.eq_any(with_a_case),
        ))
        .select(entitlements::household_id)
        .order(entitlements::household_id)
        .load(conn)
}
