//! Declaring a disaster: the declaration is stored, then every household living or farming in
//! the affected tambons is decided again at once, and each found eligible gets its relief
//! claim drafted and is told.

use super::claims;
use crate::db::audit::{self, Actor};
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

/// An administrator's correction of a declaration (its end, its last day for damage reports,
/// its details), audited with the old and new values; the households of its tambons are then
/// decided again (an ended declaration no longer offers relief from the day after its end).
/// False when there is no such declaration.
pub fn correct(
    conn: &mut DbConn,
    rules: &RuleSet,
    notify: &Notify,
    actor: &Actor,
    id: i32,
    correction: &disasters::Correction<'_>,
    now: NaiveDateTime,
) -> anyhow::Result<bool> {
    let corrected = crate::db::write_transaction(conn, |conn| {
        let Some(before) = disasters::find(conn, id)? else {
            return Ok::<_, anyhow::Error>(false);
        };
        disasters::correct(conn, id, correction)?;
        let changes = [
            (
                "ended_on",
                before.ended_on.map(|d| d.to_string()),
                correction.ended_on.map(|d| d.to_string()),
            ),
            (
                "claims_close_on",
                before.claims_close_on.map(|d| d.to_string()),
                Some(correction.claims_close_on.to_string()),
            ),
            (
                "description",
                Some(before.description.clone()),
                Some(correction.description.to_owned()),
            ),
        ];
        for (field, old_value, new_value) in changes {
            if old_value == new_value {
                continue;
            }
            audit::record(
                conn,
                actor,
                audit::Entry {
                    action: "update",
                    entity: "disaster",
                    entity_id: id.to_string(),
                    field: Some(field),
                    old_value,
                    new_value,
                    ..Default::default()
                },
                now,
            )?;
        }
        Ok(true)
    })?;
    if corrected {
        let tambons = disasters::tambons_of(conn, id)?;
        let households = disasters::households_in(conn, &tambons)?;
        for round in households.chunks(HOUSEHOLDS_PER_ROUND) {
            reevaluate_households(conn, rules, round, now, notify)?;
        }
    }
    Ok(corrected)
}
