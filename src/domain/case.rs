//! The life of an application, as one state machine: every change of a case's status in Kaset
//! goes through [`transition`], so an illegal step is refused the same way wherever it is asked.
//!
//! ```text
//! draft ──submit──▶ submitted ◀──reply── info_requested
//!                     │  ▲ └──request_info──▲    │ (reply returns to appealed if under appeal)
//!                     │  └───────────────────────┘
//!            approve / reject
//!        approved      rejected ──appeal (once, within 30 days)──▶ appealed ──approve / reject──▶
//!   mark_paid / complete
//!     paid / completed
//! Any state before a decision ──withdraw──▶ withdrawn
//! ```
//!
//! A programme whose regulation puts checks before the decision (disaster relief: the
//! village's certification, then the district committee's) is approved only once each of
//! them is recorded, in order; rejecting needs none.

use super::{CaseStatus, Role};
use chrono::NaiveDate;

/// Days after a rejection in which the farmer may appeal.
pub const APPEAL_DAYS: i64 = 30;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseAction {
    Submit,
    Withdraw,
    Reply,
    Appeal,
    RequestInfo,
    Approve,
    Reject,
    MarkPaid,
    Complete,
}

impl CaseAction {
    /// The event code written to the case's timeline (and the catalogue key `case.event.<code>`).
    pub fn code(self) -> &'static str {
        match self {
            CaseAction::Submit => "submitted",
            CaseAction::Withdraw => "withdrawn",
            CaseAction::Reply => "replied",
            CaseAction::Appeal => "appealed",
            CaseAction::RequestInfo => "info_requested",
            CaseAction::Approve => "approved",
            CaseAction::Reject => "rejected",
            CaseAction::MarkPaid => "paid",
            CaseAction::Complete => "completed",
        }
    }

    /// Farmers act on their own applications; officers decide them.
    fn by_farmer(self) -> bool {
        matches!(
            self,
            CaseAction::Submit | CaseAction::Withdraw | CaseAction::Reply | CaseAction::Appeal
        )
    }
}

/// What the state machine needs to know about a case besides its status.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    pub status: CaseStatus,
    /// Whether the case has been appealed (an appeal is allowed once).
    pub appealed: bool,
    /// When it was last approved or rejected.
    pub decided_on: Option<NaiveDate>,
    /// Whether the programme pays money (approved cases end "paid"; others "completed").
    pub pays: bool,
    /// Whether a check the programme's regulation requires before approval is still to do.
    pub checks_pending: bool,
}

/// A check the regulation puts between a claim and its approval, recorded by an officer
/// with the day it took place. For disaster relief: the village headman and committee
/// certify the list of damaged farmers (Kor Sor 02), then the district committee approves the
/// district's list (Kor Sor 03).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    Village,
    DistrictCommittee,
}

impl Check {
    pub const ALL: [Check; 2] = [Check::Village, Check::DistrictCommittee];

    pub fn code(self) -> &'static str {
        match self {
            Check::Village => "village",
            Check::DistrictCommittee => "district_committee",
        }
    }

    pub fn parse(code: &str) -> Result<Self, super::Invalid> {
        Self::ALL
            .into_iter()
            .find(|c| c.code() == code)
            .ok_or(super::Invalid::new("error.choice"))
    }

    /// The catalogue key of its name (`case.check.<code>`).
    pub fn label_key(self) -> &'static str {
        match self {
            Check::Village => "case.check.village",
            Check::DistrictCommittee => "case.check.district_committee",
        }
    }
}

/// The next check to record: the first of the required ones, in order, not yet done.
pub fn next_check(required: &[Check], done: &[Check]) -> Option<Check> {
    required.iter().copied().find(|c| !done.contains(c))
}

/// The longest note an officer gives with a check (where and how it was done).
pub const MAX_CHECK_NOTE: usize = 500;

/// The day a check took place: not before the claim it examined was made (`claimed_on`, a
/// Thai date; none for a claim not yet submitted).
pub fn check_day(
    claimed_on: Option<NaiveDate>,
    day: NaiveDate,
) -> Result<NaiveDate, super::Invalid> {
    match claimed_on {
        Some(claimed) if day < claimed => Err(super::Invalid::new("case.error.check_before_claim")),
        _ => Ok(day),
    }
}

/// Why a step was refused; each is a catalogue key the page shows as it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    NotYourStep,
    NotNow,
    AppealTooLate,
    AlreadyAppealed,
    WrongEnding,
    /// The officer who rejected a case does not decide its appeal.
    DecidedItBefore,
    /// The regulation's checks before approval are not all recorded.
    ChecksPending,
    /// That check is not the next one due on this case (done already, out of order, or not
    /// the programme's).
    NotTheNextCheck,
    /// The check's day is before the claim was made.
    CheckBeforeClaim,
}

impl Refusal {
    pub fn key(self) -> &'static str {
        match self {
            Refusal::NotYourStep => "case.refused.role",
            Refusal::NotNow => "case.refused.state",
            Refusal::AppealTooLate => "case.refused.appeal_window",
            Refusal::AlreadyAppealed => "case.refused.appeal_once",
            Refusal::WrongEnding => "case.refused.paid_or_completed",
            Refusal::DecidedItBefore => "case.refused.same_officer",
            Refusal::ChecksPending => "case.refused.checks_pending",
            Refusal::NotTheNextCheck => "case.refused.not_the_next_check",
            Refusal::CheckBeforeClaim => "case.error.check_before_claim",
        }
    }
}

/// The status after `action` by someone of `role` on `today`, or why it is not allowed.
pub fn transition(
    case: &Case,
    action: CaseAction,
    role: Role,
    today: NaiveDate,
) -> Result<CaseStatus, Refusal> {
    use CaseAction as A;
    use CaseStatus as S;
    // The paying agency's system may record a payment; every other decision is an officer's.
    let allowed_role = if action.by_farmer() {
        role == Role::Farmer
    } else {
        role == Role::Officer || (role == Role::Partner && action == CaseAction::MarkPaid)
    };
    if !allowed_role {
        return Err(Refusal::NotYourStep);
    }
    let under_review = if case.appealed {
        S::Appealed
    } else {
        S::Submitted
    };
    match (case.status, action) {
        (S::Draft, A::Submit) => Ok(S::Submitted),
        (S::Draft | S::Submitted | S::InfoRequested | S::Appealed, A::Withdraw) => Ok(S::Withdrawn),
        (S::InfoRequested, A::Reply) => Ok(under_review),
        (S::Submitted | S::Appealed, A::RequestInfo) => Ok(S::InfoRequested),
        (S::Submitted | S::Appealed, A::Approve) if case.checks_pending => {
            Err(Refusal::ChecksPending)
        }
        (S::Submitted | S::Appealed, A::Approve) => Ok(S::Approved),
        (S::Submitted | S::Appealed, A::Reject) => Ok(S::Rejected),
        (S::Rejected, A::Appeal) => {
            if case.appealed {
                return Err(Refusal::AlreadyAppealed);
            }
            let in_time = case
                .decided_on
                .is_some_and(|decided| (today - decided).num_days() <= APPEAL_DAYS);
            if in_time {
                Ok(S::Appealed)
            } else {
                Err(Refusal::AppealTooLate)
            }
        }
        (S::Approved, A::MarkPaid) if case.pays => Ok(S::Paid),
        (S::Approved, A::Complete) if !case.pays => Ok(S::Completed),
        (S::Approved, A::MarkPaid | A::Complete) => Err(Refusal::WrongEnding),
        _ => Err(Refusal::NotNow),
    }
}

impl CaseStatus {
    /// Open for an officer's work: submitted, waiting on the farmer, or under appeal.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            CaseStatus::Submitted | CaseStatus::InfoRequested | CaseStatus::Appealed
        )
    }

    /// Decided and done, so the farmer is asked how the service was: paid, completed or
    /// rejected. A case the farmer withdrew before any decision is not.
    pub fn asks_for_a_rating(self) -> bool {
        matches!(
            self,
            CaseStatus::Paid | CaseStatus::Completed | CaseStatus::Rejected
        )
    }

    /// The status as staff read it: the farmer's words say "you" where staff mean the farmer.
    pub fn staff_label_key(self) -> &'static str {
        match self {
            CaseStatus::InfoRequested => "case.status_staff.info_requested",
            other => other.label_key(),
        }
    }

    /// The officer's clock runs: the case waits on Kaset, not on the farmer.
    pub fn waits_on_officer(self) -> bool {
        matches!(self, CaseStatus::Submitted | CaseStatus::Appealed)
    }
}

/// The longest reason an officer may give for approving another amount than the computed one.
pub const MAX_AMOUNT_REASON: usize = 500;

/// What an officer approves, in satang: the computed amount unless they type another, which
/// needs its reason (kept with the case and shown to the farmer). `None` for a programme that
/// pays nothing.
pub fn approved_amount(
    computed: Option<i64>,
    typed: Option<i64>,
    reason: &str,
) -> Result<Option<(i64, Option<String>)>, super::Invalid> {
    let reason = reason.trim();
    match typed {
        None => Ok(computed.map(|satang| (satang, None))),
        Some(satang) if Some(satang) == computed => Ok(Some((satang, None))),
        Some(_) if reason.is_empty() => Err(super::Invalid::new("case.error.amount_reason")),
        Some(_) if reason.chars().count() > MAX_AMOUNT_REASON => {
            Err(super::Invalid::new("error.too_long"))
        }
        Some(satang) => Ok(Some((satang, Some(reason.to_owned())))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseAction as A;
    use CaseStatus as S;

    const ACTIONS: [CaseAction; 9] = [
        A::Submit,
        A::Withdraw,
        A::Reply,
        A::Appeal,
        A::RequestInfo,
        A::Approve,
        A::Reject,
        A::MarkPaid,
        A::Complete,
    ];

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn case(status: CaseStatus) -> Case {
        Case {
            status,
            appealed: false,
            decided_on: Some(day(1)),
            pays: true,
            checks_pending: false,
        }
    }

    fn role_of(action: CaseAction) -> Role {
        if action.by_farmer() {
            Role::Farmer
        } else {
            Role::Officer
        }
    }

    /// Every (status, action) pair a case may take, with where it leads; all others are refused.
    const ALLOWED: [(CaseStatus, CaseAction, CaseStatus); 14] = [
        (S::Draft, A::Submit, S::Submitted),
        (S::Draft, A::Withdraw, S::Withdrawn),
        (S::Submitted, A::Withdraw, S::Withdrawn),
        (S::InfoRequested, A::Withdraw, S::Withdrawn),
        (S::Appealed, A::Withdraw, S::Withdrawn),
        (S::InfoRequested, A::Reply, S::Submitted),
        (S::Submitted, A::RequestInfo, S::InfoRequested),
        (S::Appealed, A::RequestInfo, S::InfoRequested),
        (S::Submitted, A::Approve, S::Approved),
        (S::Appealed, A::Approve, S::Approved),
        (S::Submitted, A::Reject, S::Rejected),
        (S::Appealed, A::Reject, S::Rejected),
        (S::Rejected, A::Appeal, S::Appealed),
        (S::Approved, A::MarkPaid, S::Paid),
    ];

    #[test]
    fn every_allowed_step_leads_where_the_diagram_says_and_every_other_is_refused() {
        for status in CaseStatus::ALL {
            for action in ACTIONS {
                let expected = ALLOWED
                    .iter()
                    .find(|(from, a, _)| from == status && *a == action)
                    .map(|(_, _, to)| *to);
                let got = transition(&case(*status), action, role_of(action), day(10));
                match expected {
                    Some(to) => assert_eq!(got, Ok(to), "{status:?} --{action:?}-->"),
                    None => assert!(got.is_err(), "{status:?} --{action:?}--> must be refused"),
                }
            }
        }
    }

    #[test]
    fn an_officer_cannot_take_a_farmers_step_nor_a_farmer_an_officers() {
        for (from, action, _) in ALLOWED {
            let wrong = if action.by_farmer() {
                Role::Officer
            } else {
                Role::Farmer
            };
            for role in [wrong, Role::Manager, Role::Admin] {
                assert_eq!(
                    transition(&case(from), action, role, day(10)),
                    Err(Refusal::NotYourStep),
                    "{role:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn a_paying_agency_may_record_a_payment_and_take_no_other_step() {
        assert_eq!(
            transition(&case(S::Approved), A::MarkPaid, Role::Partner, day(10)),
            Ok(S::Paid)
        );
        for (from, action, _) in ALLOWED {
            if action != A::MarkPaid {
                assert_eq!(
                    transition(&case(from), action, Role::Partner, day(10)),
                    Err(Refusal::NotYourStep),
                    "{action:?}"
                );
            }
        }
    }

    #[test]
    fn a_reply_during_an_appeal_returns_the_case_to_the_appeal() {
        let waiting = Case {
            appealed: true,
            ..case(S::InfoRequested)
        };
        assert_eq!(
            transition(&waiting, A::Reply, Role::Farmer, day(10)),
            Ok(S::Appealed)
        );
    }

    #[test]
    fn an_appeal_is_allowed_once_and_only_within_thirty_days_of_the_rejection() {
        let rejected = Case {
            decided_on: Some(day(1)),
            ..case(S::Rejected)
        };
        let thirtieth_day = day(1) + chrono::Duration::days(APPEAL_DAYS);
        assert_eq!(
            transition(&rejected, A::Appeal, Role::Farmer, thirtieth_day),
            Ok(S::Appealed)
        );
        assert_eq!(
            transition(
                &rejected,
                A::Appeal,
                Role::Farmer,
                thirtieth_day + chrono::Duration::days(1)
            ),
            Err(Refusal::AppealTooLate)
        );
        let rejected_again = Case {
            appealed: true,
            ..rejected
        };
        assert_eq!(
            transition(&rejected_again, A::Appeal, Role::Farmer, day(2)),
            Err(Refusal::AlreadyAppealed)
        );
    }

    #[test]
    fn a_programme_without_money_ends_completed_not_paid() {
        let approved = Case {
            pays: false,
            ..case(S::Approved)
        };
        assert_eq!(
            transition(&approved, A::Complete, Role::Officer, day(10)),
            Ok(S::Completed)
        );
        assert_eq!(
            transition(&approved, A::MarkPaid, Role::Officer, day(10)),
            Err(Refusal::WrongEnding)
        );
        assert_eq!(
            transition(&case(S::Approved), A::Complete, Role::Officer, day(10)),
            Err(Refusal::WrongEnding)
        );
    }

    #[test]
    fn an_officer_approves_the_computed_amount_or_another_with_its_reason() {
        assert_eq!(
            approved_amount(Some(1_340_000), None, ""),
            Ok(Some((1_340_000, None)))
        );
        assert_eq!(
            approved_amount(Some(1_340_000), Some(1_340_000), ""),
            Ok(Some((1_340_000, None)))
        );
        assert_eq!(
            approved_amount(Some(1_340_000), Some(1_000_000), " "),
            Err(crate::domain::Invalid::new("case.error.amount_reason"))
        );
        assert_eq!(
            approved_amount(Some(1_340_000), Some(1_000_000), "ตรวจแปลงแล้วเสียหาย 7.5 ไร่"),
            Ok(Some((
                1_000_000,
                Some("ตรวจแปลงแล้วเสียหาย 7.5 ไร่".to_owned())
            )))
        );
        assert_eq!(approved_amount(None, None, ""), Ok(None));
    }

    #[test]
    fn a_claim_is_approved_only_after_its_checks_and_they_come_in_order() {
        let waiting = Case {
            checks_pending: true,
            ..case(S::Submitted)
        };
        assert_eq!(
            transition(&waiting, A::Approve, Role::Officer, day(10)),
            Err(Refusal::ChecksPending)
        );
        assert_eq!(
            transition(&waiting, A::Reject, Role::Officer, day(10)),
            Ok(S::Rejected),
            "a claim the village finds untrue is rejected without the committee"
        );
        let both = [Check::Village, Check::DistrictCommittee];
        assert_eq!(next_check(&both, &[]), Some(Check::Village));
        assert_eq!(
            next_check(&both, &[Check::Village]),
            Some(Check::DistrictCommittee)
        );
        assert_eq!(next_check(&both, &both), None);
        assert_eq!(next_check(&[], &[]), None);
    }
}
