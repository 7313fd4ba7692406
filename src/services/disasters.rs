//! Declaring a disaster: the declaration is stored, then every household of the affected
//! tambons is decided again at once, so each sees (and is told about) the relief it can claim.

use crate::db::{disasters, DbConn};
use crate::rules::RuleSet;
use crate::services::entitlements::{reevaluate_households, Changes, Notify};
use chrono::NaiveDateTime;

/// Households re-decided per round: keeps each transaction short on a big declaration.
const HOUSEHOLDS_PER_ROUND: usize = 1000;

pub struct Declared {
    /// Households living in the declared tambons.
    pub households: usize,
    pub changes: Changes,
}

pub fn declare(
    conn: &mut DbConn,
    rules: &RuleSet,
    notify: &Notify,
    declaration: &disasters::NewDisaster<'_>,
    now: NaiveDateTime,
) -> anyhow::Result<Declared> {
    disasters::insert(conn, declaration, now)?;
    let households = disasters::households_in(conn, declaration.tambons)?;
    let mut changes = Changes::default();
    for round in households.chunks(HOUSEHOLDS_PER_ROUND) {
        changes += reevaluate_households(conn, rules, round, now, notify)?;
    }
    Ok(Declared {
        households: households.len(),
        changes,
    })
}
