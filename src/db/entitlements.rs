//! Each household's latest decision per programme, so a change (newly eligible, amount changed)
//! can be noticed and told to the farmer.

use super::schema::entitlements;
use super::DbConn;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Queryable, Clone, Debug, PartialEq, Eq)]
pub struct StoredEntitlement {
    pub household_id: i32,
    pub programme_id: String,
    pub rule_version: String,
    pub status: String,
    pub amount_satang: Option<i64>,
    pub failing: String,
    pub evaluated_at: NaiveDateTime,
}

/// The stored decisions of these households (and of any others whose ids lie between them,
/// which callers ignore). A range on the key's first column stays an index scan even when the
/// planner's statistics are stale after a large batch; a thousand-value `IN` list did not.
pub fn for_households(
    conn: &mut DbConn,
    household_ids: &[i32],
) -> QueryResult<Vec<StoredEntitlement>> {
    let (Some(first), Some(last)) = (household_ids.iter().min(), household_ids.iter().max()) else {
        return Ok(Vec::new());
    };
    entitlements::table
        .filter(entitlements::household_id.between(*first, *last))
        .load(conn)
}

/// Refreshes PostgreSQL's statistics of the table after a batch wrote many rows, so that the
/// planner keeps choosing index scans. SQLite needs nothing here.
pub fn refresh_statistics(conn: &mut DbConn) -> QueryResult<()> {
    if let DbConn::Pg(_) = conn {
        diesel::sql_query("ANALYZE entitlements").execute(conn)?;
    }
    Ok(())
}

/// Rewrites a stored decision.
pub fn update(conn: &mut DbConn, e: &StoredEntitlement) -> QueryResult<()> {
    diesel::update(
        entitlements::table
            .filter(entitlements::household_id.eq(e.household_id))
            .filter(entitlements::programme_id.eq(&e.programme_id)),
    )
    .set((
        entitlements::rule_version.eq(&e.rule_version),
        entitlements::status.eq(&e.status),
        entitlements::amount_satang.eq(e.amount_satang),
        entitlements::failing.eq(&e.failing),
        entitlements::evaluated_at.eq(e.evaluated_at),
    ))
    .execute(conn)
    .map(|_| ())
}

/// Stores first decisions, many rows per statement.
pub fn insert_many(conn: &mut DbConn, rows: &[StoredEntitlement]) -> QueryResult<()> {
    // Seven values a row: well under SQLite's and PostgreSQL's limits on bound parameters.
    for chunk in rows.chunks(1000) {
        let values: Vec<_> = chunk
            .iter()
            .map(|e| {
                (
                    entitlements::household_id.eq(e.household_id),
                    entitlements::programme_id.eq(&e.programme_id),
                    entitlements::rule_version.eq(&e.rule_version),
                    entitlements::status.eq(&e.status),
                    entitlements::amount_satang.eq(e.amount_satang),
                    entitlements::failing.eq(&e.failing),
                    entitlements::evaluated_at.eq(e.evaluated_at),
                )
            })
            .collect();
        crate::on_backend!(conn, c => diesel::insert_into(entitlements::table).values(&values).execute(c))?;
    }
    Ok(())
}

/// The (programme, rule version) pairs the stored decisions were made with.
pub fn versions(conn: &mut DbConn) -> QueryResult<Vec<(String, String)>> {
    entitlements::table
        .select((entitlements::programme_id, entitlements::rule_version))
        .distinct()
        .order((entitlements::programme_id, entitlements::rule_version))
        .load(conn)
}
