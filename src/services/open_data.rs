//! Publishes the open datasets: rebuilt from the database once a day (and at start-up when
//! missing), stored as they are published so that a day's downloads agree with each other.

use crate::db::{open_data, DbConn};
use crate::domain::open_data::{activity, uptake};
use chrono::NaiveDateTime;

/// Applications, approvals, payments and satisfaction by programme, province and month.
pub const CASE_ACTIVITY: &str = "case-activity";
/// Eligible households and how many of them applied, by programme and province.
pub const ENTITLEMENT_UPTAKE: &str = "entitlement-uptake";

/// Rebuilds and stores every dataset.
pub fn refresh(conn: &mut DbConn, now: NaiveDateTime) -> anyhow::Result<()> {
    let events = open_data::case_events(conn)?;
    let rows = serde_json::to_string(&activity(&events))?;
    open_data::store(conn, CASE_ACTIVITY, &rows, now)?;
    let rows = serde_json::to_string(&uptake(&open_data::uptake_counts(conn)?))?;
    open_data::store(conn, ENTITLEMENT_UPTAKE, &rows, now)?;
    Ok(())
}

/// Rebuilds the datasets unless they were built within the last `hours`.
pub fn refresh_if_older_than(
    conn: &mut DbConn,
    hours: i64,
    now: NaiveDateTime,
) -> anyhow::Result<bool> {
    let fresh = open_data::published(conn, CASE_ACTIVITY)?
        .is_some_and(|(at, _)| now - at < chrono::Duration::hours(hours));
    if fresh {
        return Ok(false);
    }
    refresh(conn, now)?;
    Ok(true)
}
