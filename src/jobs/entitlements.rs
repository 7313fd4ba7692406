//! Proactive entitlements: every programme decided for a household and stored; a change is
//! written only when the decision differs, and a household that becomes newly eligible is told
//! at once — an in-app notice and an e-mail through the outbox, in the same transaction.

use crate::db::entitlements::{self as stored, StoredEntitlement};
use crate::db::{notices, registry, users, DbConn, Pool};
use crate::i18n::{Locale, Tr};
use crate::rules::{facts, RuleSet, Status};
use chrono::NaiveDate;
use diesel::prelude::*;

/// What one re-evaluation changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Changes {
    pub households: usize,
    pub decisions_changed: usize,
    pub newly_eligible: usize,
}

impl std::ops::AddAssign for Changes {
    fn add_assign(&mut self, other: Self) {
        self.households += other.households;
        self.decisions_changed += other.decisions_changed;
        self.newly_eligible += other.newly_eligible;
    }
}

/// Where notices send the reader, and whether to send them at all (the demo's first
/// evaluation is a baseline, not news).
#[derive(Clone, Debug)]
pub struct Notify {
    pub enabled: bool,
    pub public_url: String,
}

/// Decides every programme for the household as of `as_of`, stores what changed and tells the
/// farmer about each programme they have newly become eligible for.
pub fn reevaluate_household(
    conn: &mut DbConn,
    rules: &RuleSet,
    household_id: i32,
    as_of: NaiveDate,
    notify: &Notify,
) -> anyhow::Result<Changes> {
    conn.transaction(|conn| {
        let farm = registry::load_farm(conn, household_id)?;
        let record = registry::rules_record(conn, &farm, as_of)?;
        let facts = facts::derive(&record, as_of);
        let previous = stored::for_households(conn, &[household_id])?;
        let now = crate::db::now();
        let mut changes = Changes {
            households: 1,
            ..Changes::default()
        };
        let mut newly_eligible = Vec::new();
        for decision in rules.evaluate(&facts, as_of) {
            let programme = &rules.programmes[decision.index];
            let outcome = &decision.outcome;
            let current = StoredEntitlement {
                household_id,
                programme_id: programme.id.clone(),
                rule_version: programme.version.clone(),
                status: outcome.status.code().to_owned(),
                amount_satang: outcome.amount,
                failing: outcome.failing(programme).join(","),
                evaluated_at: now,
            };
            let before = previous.iter().find(|p| p.programme_id == programme.id);
            if before.is_some_and(|b| b.same_decision(&current)) {
                continue;
            }
            stored::save(conn, &current)?;
            changes.decisions_changed += 1;
            let was_eligible = before.is_some_and(|b| b.status == Status::Eligible.code());
            if outcome.status == Status::Eligible && !was_eligible {
                newly_eligible.push((programme, outcome.amount));
            }
        }
        let programme_ids: Vec<String> = rules.programmes.iter().map(|p| p.id.clone()).collect();
        stored::delete_other_programmes(conn, household_id, &programme_ids)?;
        changes.newly_eligible = newly_eligible.len();
        if notify.enabled && !newly_eligible.is_empty() {
            for user in users::farmers_of_household(conn, household_id)? {
                let tr = Tr::new(Locale::parse(&user.locale).unwrap_or_default());
                for (programme, amount) in &newly_eligible {
                    notices::insert(
                        conn,
                        user.id,
                        notices::NEWLY_ELIGIBLE,
                        &programme.id,
                        *amount,
                    )?;
                    if let Some(email) = &user.email {
                        let title = programme.title.get(tr.locale);
                        super::emails::queue_new_entitlement(
                            conn,
                            tr,
                            email,
                            &user.display_name,
                            title,
                            *amount,
                            &notify.public_url,
                        )?;
                    }
                }
            }
        }
        Ok(changes)
    })
}

/// Re-evaluates many households, one transaction each, in pages of ids so memory stays flat.
/// Safe to interrupt and run again: unchanged decisions are not rewritten.
pub fn reevaluate_households(
    pool: &Pool,
    rules: &RuleSet,
    household_ids: &[i32],
    as_of: NaiveDate,
    notify: &Notify,
) -> anyhow::Result<Changes> {
    let mut conn = pool.get()?;
    let mut total = Changes::default();
    for id in household_ids {
        total += reevaluate_household(&mut conn, rules, *id, as_of, notify)?;
    }
    Ok(total)
}

/// Every household, streamed in pages of ids (memory does not grow with the registry).
pub fn reevaluate_all(
    pool: &Pool,
    rules: &RuleSet,
    as_of: NaiveDate,
    notify: &Notify,
) -> anyhow::Result<Changes> {
    const PAGE: i64 = 1000;
    let mut after = 0;
    let mut total = Changes::default();
    loop {
        let ids = registry::household_ids_after(&mut *pool.get()?, after, PAGE)?;
        let Some(last) = ids.last() else { break };
        after = *last;
        total += reevaluate_households(pool, rules, &ids, as_of, notify)?;
    }
    Ok(total)
}

/// `kaset evaluate --all`: every household now, telling the newly eligible — unless nothing was
/// ever stored, in which case this first run is the quiet baseline.
pub fn evaluate_everyone(
    pool: &Pool,
    rules: &RuleSet,
    as_of: NaiveDate,
    public_url: &str,
) -> anyhow::Result<Changes> {
    let baseline = stored::versions(&mut *pool.get()?)?.is_empty();
    let notify = Notify {
        enabled: !baseline,
        public_url: public_url.to_owned(),
    };
    reevaluate_all(pool, rules, as_of, &notify)
}

/// Brings the stored decisions up to date with the rule set at start-up: the first time (no
/// decision stored yet) quietly, as a baseline; after a rule change, with notices for whoever
/// became eligible. Does nothing when every decision was made with the current rules.
pub fn catch_up_with_rules(
    pool: &Pool,
    rules: &RuleSet,
    as_of: NaiveDate,
    public_url: &str,
) -> anyhow::Result<Option<Changes>> {
    let stored = stored::versions(&mut *pool.get()?)?;
    let mut current: Vec<(String, String)> = rules
        .programmes
        .iter()
        .map(|p| (p.id.clone(), p.version.clone()))
        .collect();
    current.sort();
    if stored == current {
        return Ok(None);
    }
    let notify = Notify {
        enabled: !stored.is_empty(),
        public_url: public_url.to_owned(),
    };
    reevaluate_all(pool, rules, as_of, &notify).map(Some)
}
