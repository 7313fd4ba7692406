//! Claims Kaset drafts for the farmer (delivery `confirm`, e.g. disaster relief): when a
//! disaster is declared, every household found eligible gets its claim filled in from the
//! registry and is told at once. The farmer (or an officer after a field visit) only reports
//! the damage of each crop in the zone and confirms; confirming is `cases::submit`.

use crate::db::applications as apps;
use crate::db::audit::{self, Actor};
use crate::db::entitlements as stored;
use crate::db::{notices, users, DbConn};
use crate::rules::delivery::Mode;
use crate::rules::{RuleSet, Status};
use chrono::NaiveDateTime;
use std::collections::{HashMap, HashSet};

/// The notice a farmer gets when Kaset has drafted a claim; its subject is the programme id.
pub const CLAIM_DRAFTED: &str = "claim_drafted";

/// Drafts the claims of these households for every confirm-mode programme they are eligible
/// for (as last decided) and have no live case of, and tells their farmers. Returns the
/// number of claims drafted. One transaction for the lot: callers pass a round of at most a
/// thousand households, so a big declaration never holds the write lock long.
pub fn draft_for(
    conn: &mut DbConn,
    rules: &RuleSet,
    household_ids: &[i32],
    now: NaiveDateTime,
) -> anyhow::Result<usize> {
    let confirm: Vec<&str> = rules
        .programmes
        .iter()
        .filter(|p| p.delivery.mode == Mode::Confirm)
        .map(|p| p.id.as_str())
        .collect();
    if confirm.is_empty() {
        return Ok(0);
    }
    let asked: HashSet<i32> = household_ids.iter().copied().collect();
    let to_draft: Vec<(i32, String)> = stored::for_households(conn, household_ids)?
        .into_iter()
        .filter(|e| {
            asked.contains(&e.household_id)
                && confirm.contains(&e.programme_id.as_str())
                && e.status == Status::Eligible.code()
        })
        .map(|e| (e.household_id, e.programme_id))
        .collect();
    if to_draft.is_empty() {
        return Ok(0);
    }
    let households: Vec<i32> = to_draft.iter().map(|(h, _)| *h).collect();
    let mut farmers: HashMap<i32, Vec<i32>> = HashMap::new();
    for farmer in users::farmers_of_households(conn, &households)? {
        if let Some(household) = farmer.household_id {
            farmers.entry(household).or_default().push(farmer.id);
        }
    }
    let kaset = Actor::kaset();
    crate::db::write_transaction(conn, |conn| {
        let mut drafted = 0;
        for (household_id, programme_id) in &to_draft {
            // A live case of the programme already (the farmer started one): nothing to draft.
            let Some(draft) = apps::open_draft(conn, *household_id, None, programme_id, "{}", now)?
            else {
                continue;
            };
            audit::record(
                conn,
                &kaset,
                audit::Entry {
                    action: "claim_drafted",
                    entity: "application",
                    entity_id: draft.id.to_string(),
                    household_id: Some(*household_id),
                    new_value: Some(programme_id.clone()),
                    ..Default::default()
                },
                now,
            )?;
            for farmer in farmers.get(household_id).into_iter().flatten() {
                notices::insert(conn, *farmer, CLAIM_DRAFTED, programme_id, None, now)?;
            }
            drafted += 1;
        }
        Ok::<_, anyhow::Error>(drafted)
    })
}
