//! Each household's latest actionable decision per programme (eligible, need more information,
//! almost eligible), so a change can be noticed and told to the farmer. A programme with no row
//! for a household is not for it (ineligible or closed): most pairs, and not worth a row each.

use super::schema::{decided_rules, entitlements};
use super::DbConn;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Queryable, Insertable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = entitlements, treat_none_as_default_value = false)]
pub struct StoredEntitlement {
    pub household_id: i32,
    pub programme_id: String,
    pub rule_version: String,
    pub status: String,
    pub amount_satang: Option<i64>,
    pub failing: String,
    pub evaluated_at: NaiveDateTime,
}

/// The stored decisions of these households (and possibly of others, which callers ignore).
/// Ids close together (a batch of consecutive households) are read as a range on the key's
/// first column, which stays an index scan even when the planner's statistics are stale after
/// a large batch (a thousand-value `IN` list did not); ids scattered over the registry (the
/// households of a declared disaster zone) are read by the list, in bounded chunks.
pub fn for_households(
    conn: &mut DbConn,
    household_ids: &[i32],
) -> QueryResult<Vec<StoredEntitlement>> {
    let (Some(first), Some(last)) = (household_ids.iter().min(), household_ids.iter().max()) else {
        return Ok(Vec::new());
    };
    let span = i64::from(*last) - i64::from(*first) + 1;
    if span <= 4 * household_ids.len() as i64 {
        return entitlements::table
            .filter(entitlements::household_id.between(*first, *last))
            .load(conn);
    }
    let mut rows = Vec::new();
    for chunk in household_ids.chunks(500) {
        rows.extend(
            entitlements::table
                .filter(entitlements::household_id.eq_any(chunk))
                .load::<StoredEntitlement>(conn)?,
        );
    }
    Ok(rows)
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

/// Forgets a decision that is no longer actionable.
pub fn delete(conn: &mut DbConn, household_id: i32, programme_id: &str) -> QueryResult<()> {
    diesel::delete(
        entitlements::table
            .filter(entitlements::household_id.eq(household_id))
            .filter(entitlements::programme_id.eq(programme_id)),
    )
    .execute(conn)
    .map(|_| ())
}

/// Stores first decisions: on PostgreSQL with `COPY` (binary), several times faster than
/// multi-row inserts for the millions of rows of a first evaluation; on SQLite in multi-row
/// inserts of a thousand rows (seven bound values a row stays well under its limit).
pub fn insert_many(conn: &mut DbConn, rows: &[StoredEntitlement]) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    match conn {
        DbConn::Pg(c) => diesel::copy_from(entitlements::table)
            .from_insertable(rows)
            .execute(c)
            .map(|_| ()),
        DbConn::Sqlite(c) => {
            for chunk in rows.chunks(1000) {
                diesel::insert_into(entitlements::table)
                    .values(chunk)
                    .execute(c)?;
            }
            Ok(())
        }
    }
}

/// The (programme, rule version) pairs of the last complete evaluation, sorted (in Rust: a
/// database's collation may order text otherwise); empty before the first.
pub fn versions(conn: &mut DbConn) -> QueryResult<Vec<(String, String)>> {
    let mut versions: Vec<(String, String)> = decided_rules::table
        .select((decided_rules::programme_id, decided_rules::rule_version))
        .load(conn)?;
    versions.sort();
    Ok(versions)
}

/// Records that every household has been decided with these rule versions, and forgets the
/// decisions of programmes no longer in the rule set.
pub fn record_versions(
    conn: &mut DbConn,
    versions: &[(String, String)],
    at: NaiveDateTime,
) -> QueryResult<()> {
    conn.transaction(|conn| {
        let programmes: Vec<&str> = versions.iter().map(|(id, _)| id.as_str()).collect();
        diesel::delete(entitlements::table.filter(entitlements::programme_id.ne_all(&programmes)))
            .execute(conn)?;
        diesel::delete(decided_rules::table).execute(conn)?;
        let rows: Vec<_> = versions
            .iter()
            .map(|(id, version)| {
                (
                    decided_rules::programme_id.eq(id),
                    decided_rules::rule_version.eq(version),
                    decided_rules::decided_at.eq(at),
                )
            })
            .collect();
        crate::on_backend!(conn, c => diesel::insert_into(decided_rules::table).values(&rows).execute(c))?;
        Ok(())
    })
}
