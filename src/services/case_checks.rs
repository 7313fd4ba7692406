//! An officer records a check the programme's regulation puts before approval (the village's
//! certification of the damage list, then the district committee's approval), each once and
//! in order, on the case's timeline and in the audit log. Approval waits for all of them
//! (`domain::case`).

use super::cases::{CaseContext, CaseError};
use crate::db::applications::{self as apps, ApplicationRow, NewEvent};
use crate::db::audit::Actor;
use crate::db::{case_checks, DbConn};
use crate::domain::case::{check_day, next_check, Check, Refusal};
use crate::domain::clock::thai_time;
use chrono::NaiveDate;

/// The checks recorded on a case so far.
pub fn done(conn: &mut DbConn, application_id: i32) -> Result<Vec<Check>, CaseError> {
    Ok(case_checks::of_case(conn, application_id)?
        .into_iter()
        .map(|row| row.step)
        .collect())
}

/// Records that `check` took place on `done_on`, with the officer's note (where, who took
/// part). Refused unless the case is open and `check` is the next one its programme needs.
pub fn record(
    conn: &mut DbConn,
    cx: &CaseContext<'_>,
    actor: &Actor,
    app: &ApplicationRow,
    check: Check,
    done_on: NaiveDate,
    note: &str,
) -> Result<(), CaseError> {
    crate::db::write_transaction(conn, |conn| {
        if !app.status.is_open() {
            return Err(CaseError::Refused(Refusal::NotNow));
        }
        let claimed_on = app.submitted_at.map(|at| thai_time(at).date());
        if check_day(claimed_on, done_on).is_err() {
            return Err(CaseError::Refused(Refusal::CheckBeforeClaim));
        }
        let required = cx
            .rules
            .programme(&app.programme_id)
            .map(|p| p.delivery.checks.clone())
            .unwrap_or_default();
        let already = done(conn, app.id)?;
        if next_check(&required, &already) != Some(check) {
            return Err(CaseError::Refused(Refusal::NotTheNextCheck));
        }
        // Another officer recording the same check at the same moment loses here.
        if !case_checks::record(conn, app.id, check, done_on, note, actor, cx.now)? {
            return Err(CaseError::Refused(Refusal::NotTheNextCheck));
        }
        let event = NewEvent {
            kind: "checked",
            reason: Some(check.code()),
            message: note,
            internal: false,
        };
        apps::add_event(conn, app.id, actor, &event, cx.now)?;
        crate::db::audit::record(
            conn,
            actor,
            crate::db::audit::Entry {
                action: "checked",
                entity: "application",
                entity_id: app.reference.clone().unwrap_or_default(),
                household_id: Some(app.household_id),
                field: Some(check.code()),
                old_value: None,
                new_value: Some(done_on.to_string()),
            },
            cx.now,
        )?;
        Ok(())
    })
}
