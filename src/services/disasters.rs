//! Declaring a disaster: the declaration is stored, then every household living or farming in
//! the affected tambons is decided again at once, and each found eligible gets its relief
//! claim drafted and is told.

use super::claims;
use crate::db::{disasters, DbConn};
use crate::rules::RuleSet;
use crate::services::entitlements::{reevaluate_households, Changes, Notify};
use chrono::NaiveDateTime;

/// Households re-decided per round: keeps each transaction short on a big declaration.
const HOUSEHOLDS_PER_ROUND: usize = 1000;

pub struct Declared {
    /// Households living or farming in the declared tambons.
    pub households: usize,
    pub changes: Changes,
    /// Relief claims drafted for the farmers to confirm.
    pub claims_drafted: usize,
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
    let mut claims_drafted = 0;
    for round in households.chunks(HOUSEHOLDS_PER_ROUND) {
        changes += reevaluate_households(conn, rules, round, now, notify)?;
        claims_drafted += claims::draft_for(conn, rules, round, now)?;
    }
    Ok(Declared {
        households: households.len(),
        changes,
        claims_drafted,
    })
}
