//! Payments: the paying agency's report of a payment it made, recorded against the case it
//! pays (idempotent, so a batch retried after a timeout changes nothing twice), and the
//! farmer's "where is my money", every payment of the household.

use super::explained::{progress, ProgressView};
use crate::db::applications as apps;
use crate::db::audit;
use crate::db::audit::Actor;
use crate::db::notices;
use crate::db::users;
use crate::db::DbConn;
use crate::domain::{AreaScope, CaseStatus, PaymentFailure, Role};
use crate::i18n::{Locale, Tr};
use crate::rules::RuleSet;
use crate::services::cases::{self, CaseContext, CaseError, Step};

/// A payment as the agency reports it.
pub struct Payment<'a> {
    pub programme_id: &'a str,
    /// The case's reference.
    pub reference: &'a str,
    /// The agency's own reference for the transfer, shown to the farmer on the case timeline.
    pub transfer_reference: &'a str,
    /// What it paid, in satang, when it says; else the amount it was asked to pay.
    pub amount_satang: Option<i64>,
    /// Set when the transfer failed: why, which tells the farmer what to fix.
    pub failed: Option<PaymentFailure>,
}

/// What recording one payment did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    Paid,
    /// By an earlier call (or the same batch sent twice at once).
    AlreadyPaid,
    /// Not this programme's case, or outside the agency's area.
    NotFound,
    /// Not waiting for payment.
    NotApproved,
    /// The transfer failed; the farmer is told what to fix, and the case leaves the payment
    /// list until they say it is fixed.
    Failed,
}

impl Recorded {
    pub fn code(self) -> &'static str {
        match self {
            Recorded::Paid => "paid",
            Recorded::AlreadyPaid => "already_paid",
            Recorded::NotFound => "not_found",
            Recorded::NotApproved => "not_approved",
            Recorded::Failed => "failed",
        }
    }
}

/// The longest transfer reference kept.
const MAX_TRANSFER_REFERENCE: usize = 100;

/// Marks the case paid, unless it is not one the agency may pay or is not waiting for payment.
pub fn record(
    conn: &mut DbConn,
    cx: &CaseContext<'_>,
    actor: &Actor,
    area: &AreaScope,
    payment: &Payment<'_>,
) -> Result<Recorded, CaseError> {
    let reference = payment.reference.trim();
    let find = |conn: &mut DbConn| {
        apps::find_by_reference_in_scope(conn, area, reference)
            .map(|app| app.filter(|app| app.programme_id == payment.programme_id))
    };
    let Some(app) = find(conn)? else {
        return Ok(Recorded::NotFound);
    };
    if app.status == CaseStatus::Paid {
        return Ok(Recorded::AlreadyPaid);
    }
    if let Some(failure) = payment.failed {
        return failed(conn, cx, actor, &app, failure);
    }
    let message = payment
        .transfer_reference
        .trim()
        .chars()
        .take(MAX_TRANSFER_REFERENCE)
        .collect();
    let step = Step::MarkPaid {
        message,
        amount: payment.amount_satang,
    };
    match cases::act(conn, cx, actor, Role::Partner, &app, app.version, &step) {
        Ok(_) => Ok(Recorded::Paid),
        Err(CaseError::Refused(_)) => Ok(Recorded::NotApproved),
        // Changed meanwhile, perhaps paid by the same batch sent twice at once.
        Err(CaseError::Stale) => match find(conn)? {
            Some(app) if app.status == CaseStatus::Paid => Ok(Recorded::AlreadyPaid),
            _ => Ok(Recorded::NotApproved),
        },
        Err(other) => Err(other),
    }
}

/// A failed transfer: kept with the case (which leaves the payment list), on its timeline and
/// in the audit log, and each farmer of the household is told what to fix.
fn failed(
    conn: &mut DbConn,
    cx: &CaseContext<'_>,
    actor: &Actor,
    app: &apps::ApplicationRow,
    failure: PaymentFailure,
) -> Result<Recorded, CaseError> {
    if app.status != CaseStatus::Approved {
        return Ok(Recorded::NotApproved);
    }
    // The same failure reported again (a retried batch) changes nothing twice.
    if app.payment_failure == Some(failure) {
        return Ok(Recorded::Failed);
    }
    let reference = app.reference.clone().unwrap_or_default();
    crate::db::write_transaction(conn, |conn| {
        let change = apps::Change {
            payment_failure: Some(Some(failure)),
            ..apps::Change::default()
        };
        if !apps::change(conn, app.id, app.version, &change, cx.now)? {
            return Err(CaseError::Stale);
        }
        let event = apps::NewEvent {
            kind: "payment_failed",
            reason: Some(failure.code()),
            message: "",
            internal: false,
        };
        apps::add_event(conn, app.id, actor, &event, cx.now)?;
        audit::record(
            conn,
            actor,
            audit::Entry {
                action: "payment_failed",
                entity: "application",
                entity_id: reference.clone(),
                household_id: Some(app.household_id),
                field: Some("payment_failure"),
                new_value: Some(failure.code().to_owned()),
                ..Default::default()
            },
            cx.now,
        )?;
        for farmer in users::farmers_of_household(conn, app.household_id)? {
            notices::insert(
                conn,
                farmer.id,
                &format!("payment_failed.{}", failure.code()),
                &reference,
                app.amount_to_pay(),
                cx.now,
            )?;
        }
        Ok(Recorded::Failed)
    })
}

/// The farmer says they fixed what made the payment fail: the case is on the payment list
/// again. `false` when no failed payment waits on them (already fixed, or changed meanwhile).
pub fn fixed_by_farmer(
    conn: &mut DbConn,
    actor: &Actor,
    app: &apps::ApplicationRow,
    now: chrono::NaiveDateTime,
) -> Result<bool, CaseError> {
    let Some(failure) = app.payment_failure else {
        return Ok(false);
    };
    crate::db::write_transaction(conn, |conn| {
        let change = apps::Change {
            payment_failure: Some(None),
            ..apps::Change::default()
        };
        if !apps::change(conn, app.id, app.version, &change, now)? {
            return Ok(false);
        }
        let event = apps::NewEvent {
            kind: "payment_fixed",
            reason: Some(failure.code()),
            message: "",
            internal: false,
        };
        apps::add_event(conn, app.id, actor, &event, now)?;
        audit::record(
            conn,
            actor,
            audit::Entry {
                action: "payment_fixed",
                entity: "application",
                entity_id: app.reference.clone().unwrap_or_default(),
                household_id: Some(app.household_id),
                field: Some("payment_failure"),
                old_value: Some(failure.code().to_owned()),
                ..Default::default()
            },
            now,
        )?;
        Ok(true)
    })
}

/// One payment of the household: the programme, and where its money is.
pub struct PaymentLine {
    pub title: String,
    pub progress: ProgressView,
}

/// Every payment of the household, newest first: approved and on its way, or paid.
pub fn of_household(
    conn: &mut DbConn,
    rules: &RuleSet,
    household_id: i32,
    locale: Locale,
) -> diesel::QueryResult<Vec<PaymentLine>> {
    let tr = Tr::new(locale);
    let mut lines = Vec::new();
    for case in apps::for_household(conn, household_id)? {
        let money = case.paid_amount_satang.or(case.amount_to_pay()).is_some();
        if !money || !matches!(case.status, CaseStatus::Approved | CaseStatus::Paid) {
            continue;
        }
        let Some(programme) = rules.programme(&case.programme_id) else {
            continue;
        };
        if let Some(progress) = progress(conn, &tr, programme, &case)? {
            lines.push(PaymentLine {
                title: programme.title.get(locale).to_owned(),
                progress,
            });
        }
    }
    Ok(lines)
}
