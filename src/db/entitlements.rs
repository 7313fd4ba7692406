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

impl StoredEntitlement {
    /// Whether `other` says the same thing (ignoring when it was worked out).
    pub fn same_decision(&self, other: &StoredEntitlement) -> bool {
        self.rule_version == other.rule_version
            && self.status == other.status
            && self.amount_satang == other.amount_satang
            && self.failing == other.failing
    }
}

pub fn for_households(
    conn: &mut DbConn,
    household_ids: &[i32],
) -> QueryResult<Vec<StoredEntitlement>> {
    entitlements::table
        .filter(entitlements::household_id.eq_any(household_ids))
        .load(conn)
}

/// Writes one decision: updates the row, or inserts it when there is none yet.
pub fn save(conn: &mut DbConn, e: &StoredEntitlement) -> QueryResult<()> {
    let updated = diesel::update(
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
    .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(entitlements::table)
            .values((
                entitlements::household_id.eq(e.household_id),
                entitlements::programme_id.eq(&e.programme_id),
                entitlements::rule_version.eq(&e.rule_version),
                entitlements::status.eq(&e.status),
                entitlements::amount_satang.eq(e.amount_satang),
                entitlements::failing.eq(&e.failing),
                entitlements::evaluated_at.eq(e.evaluated_at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Removes decisions of programmes that no longer exist in the rule set.
pub fn delete_other_programmes(
    conn: &mut DbConn,
    household_id: i32,
    keep: &[String],
) -> QueryResult<usize> {
    diesel::delete(
        entitlements::table
            .filter(entitlements::household_id.eq(household_id))
            .filter(entitlements::programme_id.ne_all(keep)),
    )
    .execute(conn)
}

/// The (programme, rule version) pairs the stored decisions were made with.
pub fn versions(conn: &mut DbConn) -> QueryResult<Vec<(String, String)>> {
    entitlements::table
        .select((entitlements::programme_id, entitlements::rule_version))
        .distinct()
        .order((entitlements::programme_id, entitlements::rule_version))
        .load(conn)
}
