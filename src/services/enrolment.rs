//! Programmes whose real scheme pays by itself from the registry list (delivery `automatic`,
//! e.g. rice support, which BAAC pays from the Department of Agricultural Extension's list).
//! No one applies: a household found eligible is put on the paying agency's list as an
//! approved case, which the partner payments API lists, and its farmers are told when to
//! expect the money. Paying it goes through `services::payments` like any approved case.

use super::cases::{tell_farmer, CaseError, Snapshot, Telling};
use crate::db::applications::{self as apps, NewEnrolment};
use crate::db::audit::{self, Actor};
use crate::db::DbConn;
use crate::domain::clock::thai_time;
use crate::domain::CaseStatus;
use crate::rules::delivery::Mode;
use crate::rules::{Outcome, Programme, Status, Value};
use chrono::Datelike;

/// Whether an outcome puts the household on the programme's payment list.
pub fn pays_by_itself(programme: &Programme, outcome: &Outcome) -> bool {
    matches!(programme.delivery.mode, Mode::Automatic { .. })
        && outcome.status == Status::Eligible
        && outcome.amount.is_some_and(|satang| satang > 0)
}

/// Puts the household on the programme's payment list and, when `tell`, tells its farmers
/// (the first decision of a new database is quiet); returns the case's reference, or `None`
/// when the household already has a live or paid case for the programme.
pub fn enrol(
    conn: &mut DbConn,
    telling: &Telling<'_>,
    household_id: i32,
    decision: (&Programme, &Outcome),
    facts: &[Value],
    tell: bool,
) -> Result<Option<String>, CaseError> {
    let (programme, outcome) = decision;
    let today = thai_time(telling.now).date();
    if apps::find_live(conn, household_id, &programme.id)?.is_some() {
        return Ok(None);
    }
    let snapshot = Snapshot::of(programme, outcome, facts, today)?;
    let reference = apps::next_reference(conn, today.year() + 543)?;
    let enrolment = NewEnrolment {
        household_id,
        programme_id: &programme.id,
        reference: &reference,
        rule_version: &snapshot.rule_version,
        status: &snapshot.status,
        amount_satang: snapshot.amount_satang,
        facts: &snapshot.facts,
        explanation: &snapshot.explanation,
        decided_on: today,
    };
    let Some(id) = apps::open_enrolled(conn, &enrolment, telling.now)? else {
        return Ok(None);
    };
    let kaset = Actor::kaset();
    let event = apps::NewEvent {
        kind: "enrolled",
        reason: None,
        message: "",
        internal: false,
    };
    apps::add_event(conn, id, &kaset, &event, telling.now)?;
    audit::record(
        conn,
        &kaset,
        audit::Entry {
            action: "enrolled",
            entity: "application",
            entity_id: reference.clone(),
            household_id: Some(household_id),
            field: Some("status"),
            new_value: Some(CaseStatus::Approved.code().to_owned()),
            ..Default::default()
        },
        telling.now,
    )?;
    if tell {
        let case = apps::find_for_household(conn, household_id, id)?
            .ok_or(diesel::result::Error::NotFound)?;
        tell_farmer(conn, telling, &case, &reference, CaseStatus::Approved, "")?;
    }
    Ok(Some(reference))
}
