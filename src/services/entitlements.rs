//! Proactive entitlements: every programme decided for every household and stored; a decision
//! is written only when it differs from the stored one, and a household that becomes newly
//! eligible is told at once — an in-app notice and an e-mail through the outbox, in the same
//! transaction as the stored change.

use super::cases::Telling;
use super::enrolment;
use crate::db::entitlements::{self as stored, StoredEntitlement};
use crate::db::{notices, registry, users, DbConn, Pool};
use crate::domain::clock::thai_time;
use crate::i18n::Tr;
use crate::rules::{facts, Programme, RuleSet, Status};
use chrono::NaiveDateTime;
use diesel::Connection;
use std::collections::HashMap;
use std::sync::Mutex;

/// What a re-evaluation did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Changes {
    pub households: usize,
    pub decisions_changed: usize,
    pub newly_eligible: usize,
    /// Households put on an automatic programme's payment list.
    pub enrolled: usize,
}

impl std::ops::AddAssign for Changes {
    fn add_assign(&mut self, other: Self) {
        self.households += other.households;
        self.decisions_changed += other.decisions_changed;
        self.newly_eligible += other.newly_eligible;
        self.enrolled += other.enrolled;
    }
}

impl Changes {
    /// Whether farmers were told of anything (a mail may be waiting in the outbox).
    pub fn told_anyone(&self) -> bool {
        self.newly_eligible + self.enrolled > 0
    }
}

/// Where notices send the reader, and whether to send them at all (the first evaluation of a
/// fresh database is a baseline, not news).
#[derive(Clone, Debug)]
pub struct Notify {
    pub enabled: bool,
    pub public_url: String,
}

/// A programme a household has just qualified for, with its amount in satang.
type NewlyEligible<'a> = (&'a Programme, Option<i64>);

/// Households decided per database round trip in batch work.
const PAGE: i64 = 1000;

/// Decides every programme for these households as of `now` (its Thai date is the business
/// date), stores what changed, and tells
/// each farmer about the programmes they newly qualify for.
///
/// The registry is read outside the write transaction so that, on SQLite, two batch workers
/// never need to upgrade a read lock (which fails at once instead of waiting).
pub fn reevaluate_households(
    conn: &mut DbConn,
    rules: &RuleSet,
    household_ids: &[i32],
    now: NaiveDateTime,
    notify: &Notify,
) -> anyhow::Result<Changes> {
    let as_of = thai_time(now).date();
    let farms = registry::load_farms(conn, household_ids)?;
    let disasters = registry::disasters_in_force(conn, &farms, as_of)?;
    let previous = stored::for_households(conn, household_ids)?;
    let previous: HashMap<(i32, &str), &StoredEntitlement> = previous
        .iter()
        .map(|p| ((p.household_id, p.programme_id.as_str()), p))
        .collect();
    let prepared = rules.prepare(as_of);

    let mut changes = Changes::default();
    let mut updates = Vec::new();
    let mut inserts = Vec::new();
    let mut deletes: Vec<(i32, &str)> = Vec::new();
    let mut news: Vec<(i32, Vec<NewlyEligible>)> = Vec::new();
    // (household, programme, outcome, facts) to put on a payment list.
    let mut to_enrol = Vec::new();
    for farm in &farms {
        let household_id = farm.household.id;
        changes.households += 1;
        let facts = facts::derive(&farm.rules_record(&disasters), as_of);
        let mut newly: Vec<NewlyEligible> = Vec::new();
        for decision in prepared.evaluate(&facts) {
            let programme = &rules.programmes[decision.index];
            let outcome = &decision.outcome;
            let before = previous.get(&(household_id, programme.id.as_str()));
            if !actionable(outcome.status) {
                if before.is_some() {
                    deletes.push((household_id, programme.id.as_str()));
                    changes.decisions_changed += 1;
                }
                continue;
            }
            // Compared field by field first: most decisions do not change, and building the
            // row to store would allocate for each of them.
            if before.is_some_and(|b| unchanged(b, programme, outcome)) {
                continue;
            }
            let current = StoredEntitlement {
                household_id,
                programme_id: programme.id.clone(),
                rule_version: programme.version.clone(),
                status: outcome.status.code().to_owned(),
                amount_satang: outcome.amount,
                failing: outcome.failing(programme).collect::<Vec<_>>().join(","),
                evaluated_at: now,
            };
            if before.is_some() {
                updates.push(current);
            } else {
                inserts.push(current);
            }
            changes.decisions_changed += 1;
            let was_eligible = before.is_some_and(|b| b.status == Status::Eligible.code());
            if enrolment::pays_by_itself(programme, outcome) {
                // Its farmers hear of it from the enrolment, with when to expect the money.
                to_enrol.push((household_id, programme, outcome.clone(), facts.clone()));
            } else if outcome.status == Status::Eligible && !was_eligible {
                newly.push((programme, outcome.amount));
            }
        }
        changes.newly_eligible += newly.len();
        if !newly.is_empty() {
            news.push((household_id, newly));
        }
    }
    if changes.decisions_changed == 0 {
        return Ok(changes);
    }
    conn.transaction(|conn| {
        for e in &updates {
            stored::update(conn, e)?;
        }
        for (household_id, programme_id) in &deletes {
            stored::delete(conn, *household_id, programme_id)?;
        }
        stored::insert_many(conn, &inserts)?;
        if notify.enabled {
            for (household_id, newly) in &news {
                tell(conn, *household_id, newly, notify, now)?;
            }
        }
        let telling = Telling {
            rules,
            public_url: &notify.public_url,
            now,
        };
        for (household_id, programme, outcome, facts) in &to_enrol {
            let decision = (*programme, outcome);
            if enrolment::enrol(
                conn,
                &telling,
                *household_id,
                decision,
                facts,
                notify.enabled,
            )?
            .is_some()
            {
                changes.enrolled += 1;
            }
        }
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(changes)
}

/// Whether a decision is worth keeping: one the farmer can act on (claim it, add what is
/// missing, or change the one thing short). The rest are the absence of a row.
fn actionable(status: Status) -> bool {
    matches!(status, Status::Eligible | Status::NeedInfo | Status::Almost)
}

/// Whether the stored decision says what the new outcome says.
fn unchanged(
    stored: &StoredEntitlement,
    programme: &Programme,
    outcome: &crate::rules::Outcome,
) -> bool {
    stored.rule_version == programme.version
        && stored.status == outcome.status.code()
        && stored.amount_satang == outcome.amount
        && stored
            .failing
            .split(',')
            .filter(|f| !f.is_empty())
            .eq(outcome.failing(programme))
}

/// The in-app notice and the e-mail for each programme a household newly qualifies for.
fn tell(
    conn: &mut DbConn,
    household_id: i32,
    newly: &[(&Programme, Option<i64>)],
    notify: &Notify,
    now: NaiveDateTime,
) -> anyhow::Result<()> {
    for user in users::farmers_of_household(conn, household_id)? {
        let tr = Tr::new(user.locale());
        for (programme, amount) in newly {
            notices::insert(
                conn,
                user.id,
                notices::NEWLY_ELIGIBLE,
                &programme.id,
                *amount,
                now,
            )?;
            let entitlement = super::emails::Entitlement {
                title: programme.title.get(tr.locale),
                amount_satang: *amount,
            };
            super::emails::queue_new_entitlement(
                conn,
                tr,
                &super::emails::Recipient::of(&user),
                entitlement,
                &notify.public_url,
                now,
            )?;
        }
    }
    Ok(())
}

/// Every household, streamed in pages of ids (memory does not grow with the registry) and
/// decided on every core, each worker with its own connection. Safe to interrupt and run
/// again: unchanged decisions are not rewritten and no one is told twice.
pub fn reevaluate_all(
    pool: &Pool,
    rules: &RuleSet,
    now: NaiveDateTime,
    notify: &Notify,
) -> anyhow::Result<Changes> {
    let changes = decide_all_pages(pool, rules, now, notify)?;
    let mut conn = pool.get()?;
    stored::record_versions(&mut conn, &rule_versions(rules), now)?;
    if changes.decisions_changed > 10_000 {
        stored::refresh_statistics(&mut conn)?;
    }
    Ok(changes)
}

fn decide_all_pages(
    pool: &Pool,
    rules: &RuleSet,
    now: NaiveDateTime,
    notify: &Notify,
) -> anyhow::Result<Changes> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // One connection per worker, and one for the thread that reads the pages of ids.
    let workers = cores.min(pool.max_size().saturating_sub(1) as usize);
    if workers < 2 {
        let mut conn = pool.get()?;
        let mut total = Changes::default();
        let mut after = 0;
        loop {
            let ids = registry::household_ids_after(&mut conn, after, PAGE)?;
            let Some(last) = ids.last() else {
                return Ok(total);
            };
            after = *last;
            total += reevaluate_households(&mut conn, rules, &ids, now, notify)?;
        }
    }
    let (pages_tx, pages_rx) = std::sync::mpsc::sync_channel::<Vec<i32>>(workers * 2);
    let pages_rx = Mutex::new(pages_rx);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| -> anyhow::Result<Changes> {
                    let mut conn = pool.get()?;
                    let mut total = Changes::default();
                    loop {
                        let page = pages_rx
                            .lock()
                            .map_err(|_| anyhow::anyhow!("page queue poisoned"))?
                            .recv();
                        let Ok(ids) = page else { return Ok(total) };
                        total += reevaluate_households(&mut conn, rules, &ids, now, notify)?;
                    }
                })
            })
            .collect();
        let produced = (|| -> anyhow::Result<()> {
            let mut conn = pool.get()?;
            let mut after = 0;
            loop {
                let ids = registry::household_ids_after(&mut conn, after, PAGE)?;
                let Some(last) = ids.last() else {
                    return Ok(());
                };
                after = *last;
                if pages_tx.send(ids).is_err() {
                    return Ok(()); // every worker stopped; their error is reported below
                }
            }
        })();
        drop(pages_tx);
        let mut total = Changes::default();
        for handle in handles {
            total += handle
                .join()
                .map_err(|_| anyhow::anyhow!("an evaluation worker panicked"))??;
        }
        produced?;
        Ok(total)
    })
}

/// `kaset evaluate --all`: every household now, telling the newly eligible — unless nothing was
/// ever stored, in which case this first run is the quiet baseline.
pub fn evaluate_everyone(
    pool: &Pool,
    rules: &RuleSet,
    now: NaiveDateTime,
    public_url: &str,
) -> anyhow::Result<Changes> {
    let baseline = stored::versions(&mut *pool.get()?)?.is_empty();
    let notify = Notify {
        enabled: !baseline,
        public_url: public_url.to_owned(),
    };
    reevaluate_all(pool, rules, now, &notify)
}

/// Brings the stored decisions up to date with the rule set at start-up: the first time (no
/// decision stored yet) quietly, as a baseline; after a rule change, with notices for whoever
/// became eligible. Does nothing when every decision was made with the current rules.
pub fn catch_up_with_rules(
    pool: &Pool,
    rules: &RuleSet,
    now: NaiveDateTime,
    public_url: &str,
) -> anyhow::Result<Option<Changes>> {
    let stored = stored::versions(&mut *pool.get()?)?;
    if stored == rule_versions(rules) {
        return Ok(None);
    }
    let notify = Notify {
        enabled: !stored.is_empty(),
        public_url: public_url.to_owned(),
    };
    reevaluate_all(pool, rules, now, &notify).map(Some)
}

/// The (programme, rule version) pairs of a rule set, in programme order.
fn rule_versions(rules: &RuleSet) -> Vec<(String, String)> {
    let mut versions: Vec<(String, String)> = rules
        .programmes
        .iter()
        .map(|p| (p.id.clone(), p.version.clone()))
        .collect();
    versions.sort();
    versions
}
