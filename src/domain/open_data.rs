//! Anonymised open data: counts per programme × province (× month), where a figure that rests
//! on fewer than five households is withheld, so that no farmer can be recognised in it.

use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// A figure built from fewer households than this is withheld.
pub const MIN_HOUSEHOLDS: usize = 5;

/// A figure and the households it rests on.
#[derive(Default, Debug, Clone)]
struct Tally {
    value: i64,
    households: HashSet<i32>,
}

impl Tally {
    fn add(&mut self, household: i32, value: i64) {
        self.value += value;
        self.households.insert(household);
    }

    fn published(&self) -> Option<i64> {
        publish(self.households.len(), self.value)
    }
}

/// A figure made from `households` households, or `None` when 1–4 make it (nothing to hide in
/// a zero).
fn publish(households: usize, value: i64) -> Option<i64> {
    match households {
        0 => Some(0),
        n if n < MIN_HOUSEHOLDS => None,
        _ => Some(value),
    }
}

/// One event of a case's life, with where and when it happened.
#[derive(Debug, Clone)]
pub struct CaseEvent {
    pub programme_id: String,
    pub province_code: String,
    pub household_id: i32,
    pub on: NaiveDate,
    pub kind: EventKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Submitted,
    Approved,
    /// With the amount paid, in satang.
    Paid(i64),
    /// With the satisfaction given, 1–5.
    Rated(i32),
}

/// A row of "applications, approvals, payments and satisfaction by programme, province and
/// month". `None` is a withheld figure.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ActivityRow {
    pub month: String,
    pub programme_id: String,
    pub province_code: String,
    pub applications: Option<i64>,
    pub approvals: Option<i64>,
    pub amount_paid_baht: Option<i64>,
    pub ratings: Option<i64>,
    /// Share of ratings of 4 or 5, in whole percent.
    pub satisfied_percent: Option<i64>,
}

#[derive(Default)]
struct ActivityCell {
    submitted: Tally,
    approved: Tally,
    paid: Tally,
    rated: Tally,
    satisfied: Tally,
}

pub fn activity(events: &[CaseEvent]) -> Vec<ActivityRow> {
    let mut cells: BTreeMap<(String, String, String), ActivityCell> = BTreeMap::new();
    for e in events {
        let key = (
            e.on.format("%Y-%m").to_string(),
            e.programme_id.clone(),
            e.province_code.clone(),
        );
        let cell = cells.entry(key).or_default();
        match e.kind {
            EventKind::Submitted => cell.submitted.add(e.household_id, 1),
            EventKind::Approved => cell.approved.add(e.household_id, 1),
            EventKind::Paid(satang) => cell.paid.add(e.household_id, satang),
            EventKind::Rated(score) => {
                cell.rated.add(e.household_id, 1);
                cell.satisfied.add(e.household_id, i64::from(score >= 4));
            }
        }
    }
    cells
        .into_iter()
        .map(|((month, programme_id, province_code), cell)| {
            let ratings = cell.rated.published();
            ActivityRow {
                month,
                programme_id,
                province_code,
                applications: cell.submitted.published(),
                approvals: cell.approved.published(),
                amount_paid_baht: cell.paid.published().map(|satang| satang / 100),
                satisfied_percent: ratings
                    .filter(|n| *n > 0)
                    .map(|n| (cell.satisfied.value * 100 + n / 2) / n),
                ratings,
            }
        })
        .collect()
}

/// A row of "entitlement uptake by programme and province".
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UptakeRow {
    pub programme_id: String,
    pub province_code: String,
    pub eligible_households: Option<i64>,
    /// Eligible households that have applied.
    pub applied_households: Option<i64>,
    pub uptake_percent: Option<i64>,
}

/// Eligible households of a programme in a province, and how many of them applied (each
/// household counted once).
#[derive(Debug, Clone)]
pub struct UptakeCount {
    pub programme_id: String,
    pub province_code: String,
    pub eligible: i64,
    pub applied: i64,
}

pub fn uptake(counts: &[UptakeCount]) -> Vec<UptakeRow> {
    let mut rows: Vec<UptakeRow> = counts
        .iter()
        .map(|c| {
            let households = |n: i64| usize::try_from(n).unwrap_or(0);
            let eligible_households = publish(households(c.eligible), c.eligible);
            let applied_households =
                eligible_households.and(publish(households(c.applied), c.applied));
            UptakeRow {
                uptake_percent: match (eligible_households, applied_households) {
                    (Some(e), Some(a)) if e > 0 => Some((a * 100 + e / 2) / e),
                    _ => None,
                },
                programme_id: c.programme_id.clone(),
                province_code: c.province_code.clone(),
                eligible_households,
                applied_households,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        (&a.programme_id, &a.province_code).cmp(&(&b.programme_id, &b.province_code))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(household: i32, kind: EventKind) -> CaseEvent {
        CaseEvent {
            programme_id: "rice".into(),
            province_code: "32".into(),
            household_id: household,
            on: NaiveDate::from_ymd_opt(2026, 11, 3).unwrap(),
            kind,
        }
    }

    #[test]
    fn a_figure_from_fewer_than_five_households_is_withheld_and_five_are_shown() {
        let mut events: Vec<CaseEvent> = (1..=5).map(|h| event(h, EventKind::Submitted)).collect();
        events.extend((1..=4).map(|h| event(h, EventKind::Approved)));
        // Five payments by the same household are still one household.
        events.extend((0..5).map(|_| event(9, EventKind::Paid(100_000))));
        let rows = activity(&events);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].applications, Some(5));
        assert_eq!(rows[0].approvals, None);
        assert_eq!(rows[0].amount_paid_baht, None);
        assert_eq!(rows[0].ratings, Some(0));
        assert_eq!(rows[0].satisfied_percent, None);
    }

    #[test]
    fn satisfaction_is_the_share_of_fours_and_fives() {
        let events: Vec<CaseEvent> = [5, 4, 4, 2, 1, 5]
            .iter()
            .enumerate()
            .map(|(h, s)| event(h as i32, EventKind::Rated(*s)))
            .collect();
        let row = &activity(&events)[0];
        assert_eq!(row.ratings, Some(6));
        assert_eq!(row.satisfied_percent, Some(67));
    }

    #[test]
    fn uptake_withholds_small_cells() {
        let count = |province: &str, eligible, applied| UptakeCount {
            programme_id: "rice".into(),
            province_code: province.into(),
            eligible,
            applied,
        };
        let rows = uptake(&[count("32", 10, 6), count("31", 3, 0), count("33", 9, 2)]);
        assert_eq!(rows[0].province_code, "31");
        assert_eq!(rows[0].eligible_households, None);
        assert_eq!(rows[0].uptake_percent, None);
        assert_eq!(rows[1].eligible_households, Some(10));
        assert_eq!(rows[1].applied_households, Some(6));
        assert_eq!(rows[1].uptake_percent, Some(60));
        assert_eq!(rows[2].eligible_households, Some(9));
        assert_eq!(rows[2].applied_households, None, "2 households applied");
        assert_eq!(rows[2].uptake_percent, None);
    }
}
