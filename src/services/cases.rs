//! Every change to an application: checked by the state machine (`domain::case`), written with
//! its timeline event under optimistic locking, and told to whoever it concerns (an in-app
//! notice and an e-mail through the outbox), all in one transaction: nothing half-done, nothing
//! untold, nothing told twice.
//!
//! Over 500 lines because every step of the state machine shares the same locking, timeline,
//! audit and notice writing; split by step, each file would repeat them.

use super::notify::{tell_staff, Notice, Staff};
use crate::db::applications::{self as apps, ApplicationRow, Change, NewEvent};
use crate::db::audit::Actor;
use crate::db::users::UserRow;
use crate::db::{notices, registry, users, DbConn};
use crate::domain::attachment::StoredFile;
use crate::domain::calendar::WorkingCalendar;
use crate::domain::case::{self, CaseAction, Refusal};
use crate::domain::clock::thai_time;
use crate::domain::Clock;
use crate::domain::{CaseStatus, RejectionReason, Role};
use crate::i18n::{Locale, Tr};
use crate::rules::catalogue::CATALOGUE;
use crate::rules::evaluate::format_value;
use crate::rules::form::{reported_damage, RawAnswers};
use crate::rules::{explain, facts, Outcome, Programme, RuleSet, Status, Value};
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// What case work needs besides the database.
pub struct CaseContext<'a> {
    pub rules: &'a RuleSet,
    pub calendar: &'a WorkingCalendar,
    pub public_url: &'a str,
    /// The moment of the work, as stored (UTC).
    pub now: NaiveDateTime,
    /// Its Thai date: the business date of deadlines and decisions.
    pub today: NaiveDate,
}

/// What telling a farmer of a case needs: the programmes' titles, the links' address, the
/// moment.
pub struct Telling<'a> {
    pub rules: &'a RuleSet,
    pub public_url: &'a str,
    pub now: NaiveDateTime,
}

impl<'a> CaseContext<'a> {
    pub fn telling(&self) -> Telling<'a> {
        Telling {
            rules: self.rules,
            public_url: self.public_url,
            now: self.now,
        }
    }

    /// Reads `clock` once, so that the stored time and the business date agree.
    pub fn new(
        rules: &'a RuleSet,
        calendar: &'a WorkingCalendar,
        public_url: &'a str,
        clock: Clock,
    ) -> Self {
        let now = clock.now();
        Self {
            rules,
            calendar,
            public_url,
            now,
            today: thai_time(now).date(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// The state machine refused the step (its catalogue key says why).
    #[error("refused: {}", .0.key())]
    Refused(Refusal),
    /// Someone else changed the case since the page was loaded.
    #[error("the case was changed by someone else")]
    Stale,
    /// At submission the household no longer qualifies; the reasons, in the farmer's language.
    #[error("not eligible at submission")]
    NotEligible(Vec<String>),
    /// The officer chosen is not one of the area's.
    #[error("not an officer of this area")]
    NotAnOfficerHere,
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    /// The upload directory could not be written.
    #[error("storing files: {0}")]
    Files(#[from] std::io::Error),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// The officers' and farmers' steps other than submitting and assigning.
#[derive(Clone, Debug)]
pub enum Step {
    Withdraw,
    /// The farmer's answer, with the files it brings (already written to the upload directory).
    Reply {
        message: String,
        files: Vec<StoredFile>,
    },
    Appeal {
        reason: String,
    },
    RequestInfo {
        message: String,
    },
    Approve {
        message: String,
        /// The approved amount in satang with the reason when it is not the computed one
        /// (see `domain::case::approved_amount`); `None` for a programme that pays nothing.
        amount: Option<(i64, Option<String>)>,
    },
    Reject {
        reason: RejectionReason,
        message: String,
    },
    /// With the paying agency's transfer reference, if it gave one.
    MarkPaid {
        message: String,
        /// What the agency paid, in satang; the amount to pay when it does not say.
        amount: Option<i64>,
    },
    Complete,
}

impl Step {
    fn action(&self) -> CaseAction {
        match self {
            Step::Withdraw => CaseAction::Withdraw,
            Step::Reply { .. } => CaseAction::Reply,
            Step::Appeal { .. } => CaseAction::Appeal,
            Step::RequestInfo { .. } => CaseAction::RequestInfo,
            Step::Approve { .. } => CaseAction::Approve,
            Step::Reject { .. } => CaseAction::Reject,
            Step::MarkPaid { .. } => CaseAction::MarkPaid,
            Step::Complete => CaseAction::Complete,
        }
    }

    fn message(&self) -> &str {
        match self {
            Step::Reply { message, .. }
            | Step::RequestInfo { message }
            | Step::Approve { message, .. }
            | Step::Reject { message, .. }
            | Step::MarkPaid { message, .. } => message,
            Step::Appeal { reason } => reason,
            Step::Withdraw | Step::Complete => "",
        }
    }
}

/// The eligibility decided when the farmer submitted, kept with the case.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct Explained {
    pub lines: Vec<String>,
    pub working: Option<String>,
}

#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct SnapshotExplanation {
    pub th: Explained,
    pub en: Explained,
}

impl SnapshotExplanation {
    pub fn get(&self, locale: Locale) -> &Explained {
        locale.pick(&self.th, &self.en)
    }
}

/// The decision kept with a case, as stored: the rule's version, status and amount, the facts
/// it read and its explanation in both languages (JSON).
pub(super) struct Snapshot {
    pub rule_version: String,
    pub status: String,
    pub amount_satang: Option<i64>,
    pub facts: String,
    pub explanation: String,
}

impl Snapshot {
    pub(super) fn of(
        programme: &Programme,
        outcome: &Outcome,
        facts: &[Value],
        as_of: NaiveDate,
    ) -> Result<Self, CaseError> {
        let params = programme.parameters_at(as_of);
        let explained = |locale| {
            let e = explain(programme, outcome, facts, &params, locale);
            Explained {
                lines: e.lines.into_iter().map(|l| l.text).collect(),
                working: e.amount,
            }
        };
        let snapshot_facts: Vec<SnapshotFact> = programme
            .facts_read()
            .into_iter()
            .map(|i| SnapshotFact {
                name: CATALOGUE[i].name.to_owned(),
                th: format_value(facts[i], &Tr::new(Locale::Th)),
                en: format_value(facts[i], &Tr::new(Locale::En)),
            })
            .collect();
        let explanation = SnapshotExplanation {
            th: explained(Locale::Th),
            en: explained(Locale::En),
        };
        Ok(Self {
            rule_version: programme.version.clone(),
            status: outcome.status.code().to_owned(),
            amount_satang: outcome.amount,
            facts: to_json(&snapshot_facts)?,
            explanation: to_json(&explanation)?,
        })
    }
}

/// One fact the rule read, as shown in Thai and in English.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct SnapshotFact {
    pub name: String,
    pub th: String,
    pub en: String,
}

/// Submits a draft: eligibility checked again and kept as a snapshot, a reference given, the
/// deadline set, the farmer told. Submitting again (double click, back button, retry) returns
/// the same reference and changes nothing. `message` goes on the timeline with the step (an
/// officer recording a claim for the farmer says how the damage was checked).
pub fn submit(
    conn: &mut DbConn,
    cx: &CaseContext<'_>,
    actor: &Actor,
    draft: &ApplicationRow,
    answers_json: &str,
    message: &str,
) -> Result<String, CaseError> {
    if let Some(reference) = &draft.reference {
        return Ok(reference.clone());
    }
    let result = crate::db::write_transaction(conn, |conn| {
        let to = case::transition(
            &case_of(cx.rules, draft, &[]),
            CaseAction::Submit,
            Role::Farmer,
            cx.today,
        )
        .map_err(CaseError::Refused)?;
        let programme = cx
            .rules
            .programme(&draft.programme_id)
            .ok_or(CaseError::Refused(Refusal::NotNow))?;
        let farm = registry::load_farm(conn, draft.household_id)?;
        let record = registry::rules_record(conn, &farm, cx.today)?;
        let mut facts = facts::derive(&record, cx.today);
        if programme.form.damage_per_plot {
            // The farmer reports within the declaration's window; an officer may still record
            // a damage report the farmer made in time (at a field visit, say).
            let closed = record
                .disaster
                .as_ref()
                .and_then(|d| d.claims_close_on)
                .filter(|close| cx.today > *close);
            if let (Some(close), true) = (closed, actor.role == Role::Farmer.code()) {
                let tr = Tr::new(applicant_locale(conn, draft.applicant_id)?);
                let reason = tr.fmt("claim.window_closed", &[("date", &tr.date(&close))]);
                return Err(CaseError::NotEligible(vec![reason]));
            }
            let answers: RawAnswers = serde_json::from_str(answers_json).unwrap_or_default();
            facts::apply_reported_damage(&mut facts, &record, &reported_damage(&answers), cx.today);
        }
        let decision = cx
            .rules
            .evaluate(&facts, cx.today)
            .into_iter()
            .find(|d| cx.rules.programmes[d.index].id == programme.id)
            .ok_or(CaseError::Refused(Refusal::NotNow))?;
        let outcome = &decision.outcome;
        let params = programme.parameters_at(cx.today);
        let explained = |locale| {
            let e = explain(programme, outcome, &facts, &params, locale);
            Explained {
                lines: e.lines.into_iter().map(|l| l.text).collect(),
                working: e.amount,
            }
        };
        let applicant_locale = applicant_locale(conn, draft.applicant_id)?;
        // A farmer may apply when eligible, or when only information is missing (the officer
        // checks it); not when a condition fails or another programme of the group is theirs.
        let may_apply = matches!(outcome.status, Status::Eligible | Status::NeedInfo)
            && decision.excluded_by.is_none();
        if !may_apply {
            let reasons = explained(applicant_locale).lines;
            return Err(CaseError::NotEligible(reasons));
        }
        let snapshot = Snapshot::of(programme, outcome, &facts, cx.today)?;
        let reference = apps::next_reference(conn, cx.today.year() + 543)?;
        let change = Change {
            status: Some(to.code().to_owned()),
            reference: Some(Some(reference.clone())),
            answers: Some(answers_json.to_owned()),
            snapshot_rule_version: Some(Some(snapshot.rule_version)),
            snapshot_status: Some(Some(snapshot.status)),
            snapshot_amount_satang: Some(snapshot.amount_satang),
            snapshot_facts: Some(Some(snapshot.facts)),
            snapshot_explanation: Some(Some(snapshot.explanation)),
            due_on: Some(Some(deadline(cx, &draft.programme_id))),
            submitted_at: Some(Some(cx.now)),
            ..Change::default()
        };
        if !apps::change(conn, draft.id, draft.version, &change, cx.now)? {
            return Err(CaseError::Stale);
        }
        let event = NewEvent {
            kind: CaseAction::Submit.code(),
            reason: None,
            message,
            internal: false,
        };
        apps::add_event(conn, draft.id, actor, &event, cx.now)?;
        let status = (
            "status",
            Some(draft.status.code().to_owned()),
            to.code().to_owned(),
        );
        audit_change(conn, actor, draft, &reference, event.kind, status, cx.now)?;
        tell_farmer(conn, &cx.telling(), draft, &reference, to, "")?;
        Ok(reference)
    });
    match result {
        // The same draft submitted twice at once: the other request won; show its reference.
        Err(CaseError::Stale) => {
            match apps::find_for_household(conn, draft.household_id, draft.id)?
                .and_then(|now| now.reference)
            {
                Some(reference) => Ok(reference),
                None => Err(CaseError::Stale),
            }
        }
        other => other,
    }
}

/// A farmer's or officer's step on a case seen at version `seen`.
pub fn act(
    conn: &mut DbConn,
    cx: &CaseContext<'_>,
    actor: &Actor,
    role: Role,
    app: &ApplicationRow,
    seen: i32,
    step: &Step,
) -> Result<CaseStatus, CaseError> {
    crate::db::write_transaction(conn, |conn| {
        let action = step.action();
        // Said first: whatever else is missing, this officer is not the one to decide.
        let deciding = matches!(action, CaseAction::Approve | CaseAction::Reject);
        if deciding && app.appealed && app.rejected_by.is_some() && app.rejected_by == actor.user_id
        {
            return Err(CaseError::Refused(Refusal::DecidedItBefore));
        }
        let checks_done = super::case_checks::done(conn, app.id)?;
        let to = case::transition(
            &case_of(cx.rules, app, &checks_done),
            action,
            role,
            cx.today,
        )
        .map_err(CaseError::Refused)?;
        let mut change = Change {
            status: Some(to.code().to_owned()),
            ..Change::default()
        };
        match step {
            Step::Reply { .. } => change.due_on = Some(Some(deadline(cx, &app.programme_id))),
            Step::Appeal { .. } => {
                change.appealed = Some(true);
                change.due_on = Some(Some(deadline(cx, &app.programme_id)));
                change.escalated_at = Some(None);
                // An appeal is decided by someone other than the officer who rejected.
                let household = registry::find_household(conn, app.household_id)?;
                let other = apps::officers_for_amphoe(conn, &household.amphoe_code)?
                    .into_iter()
                    .map(|(id, _)| id)
                    .find(|id| Some(*id) != app.rejected_by);
                change.assigned_to = Some(other);
            }
            Step::Approve { amount, .. } => {
                change.decided_on = Some(Some(cx.today));
                change.due_on = Some(None);
                change.approved_amount_satang = Some(amount.as_ref().map(|(satang, _)| *satang));
                change.approved_amount_reason =
                    Some(amount.as_ref().and_then(|(_, reason)| reason.clone()));
            }
            Step::Reject { .. } => {
                change.decided_on = Some(Some(cx.today));
                change.rejected_by = Some(actor.user_id);
                change.due_on = Some(None);
            }
            Step::RequestInfo { .. } | Step::Withdraw => change.due_on = Some(None),
            Step::MarkPaid { amount, .. } => {
                change.paid_amount_satang = Some(amount.or(app.amount_to_pay()));
            }
            Step::Complete => {}
        }
        if !apps::change(conn, app.id, seen, &change, cx.now)? {
            return Err(CaseError::Stale);
        }
        let reason = match step {
            Step::Reject { reason, .. } => Some(reason.code()),
            _ => None,
        };
        let event = NewEvent {
            kind: action.code(),
            reason,
            message: step.message(),
            internal: false,
        };
        let event_id = apps::add_event(conn, app.id, actor, &event, cx.now)?;
        if let Step::Reply { files, .. } = step {
            record_files(conn, app, actor, Some(event_id), files, cx.now)?;
        }
        let reference = app.reference.clone().unwrap_or_default();
        let status = (
            "status",
            Some(app.status.code().to_owned()),
            to.code().to_owned(),
        );
        audit_change(conn, actor, app, &reference, event.kind, status, cx.now)?;
        tell_farmer(conn, &cx.telling(), app, &reference, to, step.message())?;
        // The farmer's answer or appeal is news for the officer who has the case.
        if matches!(step, Step::Reply { .. } | Step::Appeal { .. }) {
            let officer = change.assigned_to.unwrap_or(app.assigned_to);
            if let Some(officer) = officer {
                notices::insert(
                    conn,
                    officer,
                    &staff_notice(action),
                    &reference,
                    None,
                    cx.now,
                )?;
            }
        }
        Ok(to)
    })
}

/// Gives an open case to an officer of its area (oneself or another).
pub fn assign(
    conn: &mut DbConn,
    actor: &Actor,
    app: &ApplicationRow,
    seen: i32,
    officer_id: i32,
    now: NaiveDateTime,
) -> Result<(), CaseError> {
    crate::db::write_transaction(conn, |conn| {
        if !app.status.is_open() {
            return Err(CaseError::Refused(Refusal::NotNow));
        }
        let household = registry::find_household(conn, app.household_id)?;
        let officers = apps::officers_for_amphoe(conn, &household.amphoe_code)?;
        let Some((_, name)) = officers.iter().find(|(id, _)| *id == officer_id) else {
            return Err(CaseError::NotAnOfficerHere);
        };
        let change = Change {
            assigned_to: Some(Some(officer_id)),
            ..Change::default()
        };
        if !apps::change(conn, app.id, seen, &change, now)? {
            return Err(CaseError::Stale);
        }
        let event = NewEvent {
            kind: "assigned",
            reason: None,
            message: name,
            internal: true,
        };
        apps::add_event(conn, app.id, actor, &event, now)?;
        let reference = app.reference.clone().unwrap_or_default();
        let officer = (
            "assigned_to",
            app.assigned_to.map(|id| id.to_string()),
            officer_id.to_string(),
        );
        audit_change(conn, actor, app, &reference, "assigned", officer, now)?;
        if actor.user_id != Some(officer_id) {
            notices::insert(
                conn,
                officer_id,
                "staff_case.assigned",
                &reference,
                None,
                now,
            )?;
        }
        Ok(())
    })
}

/// An officer's internal note: on the timeline for staff only; the case itself is unchanged.
pub fn note(
    conn: &mut DbConn,
    actor: &Actor,
    app: &ApplicationRow,
    text: &str,
    now: NaiveDateTime,
) -> Result<(), CaseError> {
    let event = NewEvent {
        kind: "note",
        reason: None,
        message: text,
        internal: true,
    };
    apps::add_event(conn, app.id, actor, &event, now)?;
    Ok(())
}

/// Tells the responsible managers of every case past its deadline (once per case, until an
/// appeal restarts the clock): an in-app notice, an e-mail, and a line on the timeline.
pub fn escalate_overdue(conn: &mut DbConn, cx: &CaseContext<'_>) -> Result<usize, CaseError> {
    let overdue = apps::overdue_unescalated(conn, cx.today)?;
    let system = Actor::kaset();
    let mut escalated = 0;
    for app in overdue {
        let done = crate::db::write_transaction(conn, |conn| {
            if !apps::mark_escalated(conn, app.id, cx.now)? {
                return Ok::<_, CaseError>(false); // another server did it
            }
            let event = NewEvent {
                kind: "escalated",
                reason: None,
                message: "",
                internal: true,
            };
            apps::add_event(conn, app.id, &system, &event, cx.now)?;
            let household = registry::find_household(conn, app.household_id)?;
            let reference = app.reference.clone().unwrap_or_default();
            let notice = Notice {
                kind: "staff_case.escalated",
                subject: &reference,
            };
            let managers = Staff::ManagersOf(&household.amphoe_code);
            tell_staff(
                conn,
                managers,
                &notice,
                cx.now,
                |conn, tr, email, manager| {
                    let due = app.due_on.map(|d| tr.date(&d)).unwrap_or_default();
                    let overdue = super::emails::CaseOverdue {
                        reference: &reference,
                        title: cx.rules.title(&app.programme_id, tr.locale),
                        due: &due,
                        link: &format!("{}/officer/cases/{reference}", cx.public_url),
                    };
                    let name = &manager.display_name;
                    super::emails::queue_case_overdue(conn, tr, email, name, &overdue, cx.now)
                },
            )?;
            Ok(true)
        })?;
        escalated += usize::from(done);
    }
    Ok(escalated)
}

/// Stores the farmer's rating of an ended case with the case's dimensions (programme, area,
/// the officer who last acted, processing time, whether the deadline was missed), and alerts
/// the responsible managers of a rating of 1 or 2.
pub fn record_rating(
    conn: &mut DbConn,
    cx: &CaseContext<'_>,
    app: &ApplicationRow,
    rater_id: i32,
    satisfaction: crate::domain::rating::Score,
    effort: crate::domain::rating::Score,
    comment: &str,
) -> Result<(), CaseError> {
    let household = registry::find_household(conn, app.household_id)?;
    let officer_id = apps::last_officer(conn, app.id)?;
    let submitted = thai_time(app.submitted_at.unwrap_or(app.created_at)).date();
    let ended = app
        .decided_on
        .unwrap_or_else(|| thai_time(app.updated_at).date());
    let missed_deadline =
        app.escalated_at.is_some() || ended > deadline_from(cx, &app.programme_id, submitted);
    crate::db::write_transaction(conn, |conn| {
        let first_time = crate::db::ratings::save(
            conn,
            &crate::db::ratings::NewRating {
                application_id: app.id,
                user_id: rater_id,
                programme_id: &app.programme_id,
                province_code: &household.province_code,
                amphoe_code: &household.amphoe_code,
                officer_id,
                satisfaction: satisfaction.value(),
                effort: effort.value(),
                comment,
                processing_days: i32::try_from((ended - submitted).num_days()).unwrap_or(i32::MAX),
                missed_deadline,
            },
            cx.now,
        )?;
        if first_time && satisfaction.value() <= LOW_RATING {
            let reference = app.reference.clone().unwrap_or_default();
            let notice = Notice {
                kind: "staff_case.low_rating",
                subject: &reference,
            };
            let managers = Staff::ManagersOf(&household.amphoe_code);
            tell_staff(
                conn,
                managers,
                &notice,
                cx.now,
                |conn, tr, email, manager| {
                    let rating = super::emails::LowRating {
                        reference: &reference,
                        title: cx.rules.title(&app.programme_id, tr.locale),
                        satisfaction: satisfaction.value(),
                        comment,
                        link: &format!("{}/officer/cases/{reference}", cx.public_url),
                    };
                    let name = &manager.display_name;
                    super::emails::queue_low_rating(conn, tr, email, name, &rating, cx.now)
                },
            )?;
        }
        Ok(())
    })
}

/// Ratings at or below this alert the responsible managers.
pub const LOW_RATING: i32 = 2;

/// Records files written to the upload directory as the application's attachments.
pub(super) fn record_files(
    conn: &mut DbConn,
    app: &ApplicationRow,
    actor: &Actor,
    event_id: Option<i32>,
    files: &[StoredFile],
    now: NaiveDateTime,
) -> Result<(), CaseError> {
    let uploaded_by = actor
        .user_id
        .or(app.applicant_id)
        .ok_or_else(|| CaseError::Other(anyhow::anyhow!("a file is always uploaded by someone")))?;
    for file in files {
        apps::add_attachment(
            conn,
            &apps::NewAttachment {
                application_id: app.id,
                event_id,
                file_name: &file.file_name,
                content_type: file.content_type,
                size_bytes: file.size_bytes,
                sha256: &file.sha256,
                stored_as: &file.stored_as,
                uploaded_by,
            },
            now,
        )?;
    }
    Ok(())
}

/// Writes a case's change to the append-only audit log too, beside its timeline, so one log
/// answers "who changed what" across the registry and the cases.
fn audit_change(
    conn: &mut DbConn,
    actor: &Actor,
    app: &ApplicationRow,
    reference: &str,
    what: &str,
    (field, old_value, new_value): (&str, Option<String>, String),
    now: NaiveDateTime,
) -> Result<(), CaseError> {
    crate::db::audit::record(
        conn,
        actor,
        crate::db::audit::Entry {
            action: what,
            entity: "application",
            entity_id: reference.to_owned(),
            household_id: Some(app.household_id),
            field: Some(field),
            old_value,
            new_value: Some(new_value),
        },
        now,
    )?;
    Ok(())
}

/// The state machine's view of a stored application, with the checks recorded on it.
pub fn case_of(rules: &RuleSet, app: &ApplicationRow, checks_done: &[case::Check]) -> case::Case {
    let programme = rules.programme(&app.programme_id);
    case::Case {
        status: app.status,
        appealed: app.appealed,
        decided_on: app.decided_on,
        pays: programme.is_some_and(|p| p.amount.is_some()),
        checks_pending: programme
            .is_some_and(|p| case::next_check(&p.delivery.checks, checks_done).is_some()),
    }
}

/// The service deadline from today: the programme's working days (15 when it names none).
fn deadline(cx: &CaseContext<'_>, programme_id: &str) -> NaiveDate {
    deadline_from(cx, programme_id, cx.today)
}

fn deadline_from(cx: &CaseContext<'_>, programme_id: &str, start: NaiveDate) -> NaiveDate {
    let days = cx
        .rules
        .programme(programme_id)
        .and_then(|p| p.sla_working_days)
        .unwrap_or(DEFAULT_SERVICE_DAYS);
    cx.calendar.add_working_days(start, days)
}

/// Working days to decide a case when the programme's rule file does not say.
pub const DEFAULT_SERVICE_DAYS: u32 = 15;

fn staff_notice(action: CaseAction) -> String {
    format!("staff_case.{}", action.code())
}

fn applicant_locale(conn: &mut DbConn, applicant_id: Option<i32>) -> Result<Locale, CaseError> {
    let applicant = match applicant_id {
        Some(id) => users::find(conn, id)?,
        None => None,
    };
    Ok(applicant.map_or_else(Locale::default, |u| u.locale()))
}

/// Who hears of a case's changes: its applicant, or for a case Kaset opened by itself, every
/// farmer of the household who has an account.
fn farmers_told(conn: &mut DbConn, app: &ApplicationRow) -> Result<Vec<UserRow>, CaseError> {
    Ok(match app.applicant_id {
        Some(id) => users::find(conn, id)?.into_iter().collect(),
        None => users::farmers_of_household(conn, app.household_id)?,
    })
}

/// The applicant's notice and e-mail for a new status.
pub(super) fn tell_farmer(
    conn: &mut DbConn,
    cx: &Telling<'_>,
    app: &ApplicationRow,
    reference: &str,
    status: CaseStatus,
    message: &str,
) -> Result<(), CaseError> {
    // News of money says how much: what was approved, or what the agency paid.
    let amount = match status {
        CaseStatus::Approved | CaseStatus::Paid => {
            apps::find_by_reference_for_household(conn, app.household_id, reference)?.and_then(
                |now| match status {
                    CaseStatus::Paid => now.paid_amount_satang.or(now.amount_to_pay()),
                    _ => now.amount_to_pay(),
                },
            )
        }
        _ => None,
    };
    for applicant in farmers_told(conn, app)? {
        notices::insert(
            conn,
            applicant.id,
            &format!("case.{}", status.code()),
            reference,
            amount,
            cx.now,
        )?;
        let tr = Tr::new(applicant.locale());
        let title = cx.rules.title(&app.programme_id, tr.locale);
        super::emails::queue_case_update(
            conn,
            tr,
            &super::emails::Recipient::of(&applicant),
            &super::emails::CaseUpdate {
                reference,
                title,
                status,
                message,
                link: &format!("{}/applications/{reference}", cx.public_url),
            },
            cx.public_url,
            cx.now,
        )?;
    }
    Ok(())
}

fn to_json<T: Serialize>(value: &T) -> Result<String, CaseError> {
    serde_json::to_string(value).map_err(|e| CaseError::Other(e.into()))
}
