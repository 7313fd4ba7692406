//! The paying agency's side of a case: a payment it made, recorded against the case it pays.
//! Recording is idempotent, so a batch retried after a timeout changes nothing twice.

use crate::db::applications as apps;
use crate::db::audit::Actor;
use crate::db::DbConn;
use crate::domain::{AreaScope, CaseStatus, Role};
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
}

impl Recorded {
    pub fn code(self) -> &'static str {
        match self {
            Recorded::Paid => "paid",
            Recorded::AlreadyPaid => "already_paid",
            Recorded::NotFound => "not_found",
            Recorded::NotApproved => "not_approved",
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
