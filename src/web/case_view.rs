//! What a case looks like on a page, to its farmer and to officers alike: its timeline, answers,
//! files and the steps open to the reader; and the file links and messages both sides use.

use super::context::Ctx;
use super::context::FieldErrors;
use super::farm::{farm_view, FarmView};
use super::uploads;
use crate::db::applications::{self as apps, ApplicationRow};
use crate::db::{registry, users};
use crate::domain::attachment::{self, CheckedFile, Upload};
use crate::domain::case::{self, transition, CaseAction, Check};
use crate::domain::{CaseStatus, Invalid, PaymentFailure, RejectionReason, Role};
use crate::error::AppError;
use crate::rules::evaluate::format_value;
use crate::rules::form::RawAnswers;
use crate::rules::Value;
use crate::services::cases::{self, CaseContext, CaseError, SnapshotExplanation, SnapshotFact};
use crate::services::explained::{entitlements, EntitlementView};
use crate::web::AppState;
use actix_web::HttpResponse;
use std::collections::HashMap;

/// What case work needs from the application's state, at this moment.
pub fn case_context(state: &AppState) -> CaseContext<'_> {
    CaseContext::new(
        &state.rules,
        &state.calendar,
        &state.public_url,
        state.clock,
    )
}

/// A case error that is not the user's to fix becomes a server error; the rest are handled
/// where they happen.
pub fn case_error(error: CaseError) -> AppError {
    match error {
        CaseError::Database(e) => AppError::Database(e),
        other => AppError::Internal(anyhow::anyhow!(other)),
    }
}

pub struct EventView {
    pub at: String,
    pub who: &'static str,
    pub what: String,
    pub reason: Option<&'static str>,
    pub message: String,
    pub internal: bool,
}

/// A check of the regulation as the case page lists it: its name, and once done the day,
/// the note and (for staff) the officer who recorded it.
pub struct CheckView {
    pub name: &'static str,
    pub done: Option<(String, String, Option<String>)>,
}

pub struct AnswerView {
    pub label: String,
    pub value: String,
}

/// A case as a page shows it; staff see more (registry, notes, today's evaluation, officers).
pub struct CaseView {
    pub application: ApplicationRow,
    pub reference: String,
    pub title: String,
    pub status: CaseStatus,
    pub submitted: String,
    pub due: Option<String>,
    pub overdue: bool,
    pub assigned: Option<String>,
    pub answers: Vec<AnswerView>,
    pub snapshot_status: Option<&'static str>,
    pub snapshot_amount: Option<String>,
    /// What the officer approved, when it is not the computed amount, with the reason.
    pub approved_amount: Option<(String, String)>,
    /// What the agency paid, and whether it differs from what was approved.
    pub paid_amount: Option<(String, bool)>,
    /// Why the last payment failed (what the farmer must fix), until they say it is fixed.
    pub payment_failure: Option<PaymentFailure>,
    /// The computed amount, as an officer types it (e.g. "13400.00"), to pre-fill approval.
    pub computed_baht: String,
    pub snapshot: SnapshotExplanation,
    pub snapshot_facts: Vec<(String, String)>,
    pub timeline: Vec<EventView>,
    /// The officer's latest request for information (when, what), shown above the reply box.
    pub question: Option<(String, String)>,
    pub files: Vec<FileView>,
    /// Where the viewer downloads the files from (the farmer's pages or the officer's).
    pub files_url: String,
    /// The steps the viewer may take now.
    pub steps: Vec<CaseAction>,
    /// The regulation's checks before approval, in order, each with its record once done.
    pub checks: Vec<CheckView>,
    /// The check an officer may record now.
    pub next_check: Option<Check>,
    /// Staff only.
    pub farm: Option<FarmView>,
    pub today: Option<EntitlementView>,
    pub officers: Vec<(i32, String)>,
}

impl CaseView {
    pub fn may(&self, action: CaseAction) -> bool {
        self.steps.contains(&action)
    }

    pub fn may_assign(&self) -> bool {
        !self.officers.is_empty() && self.status.is_open()
    }

    pub async fn load(ctx: &Ctx, app: ApplicationRow, role: Role) -> Result<Self, AppError> {
        let tr = ctx.tr;
        let staff = role != Role::Farmer;
        let rules = ctx.state.rules.clone();
        let programme = rules
            .programme(&app.programme_id)
            .ok_or(AppError::NotFound)?;
        let (id, household_id, assigned_to) = (app.id, app.household_id, app.assigned_to);
        let today = ctx.state.clock.today();
        let (events, files, checks_done, farm_and_record, officers, assigned) = ctx
            .db(move |conn| {
                let events = apps::events(conn, id, staff)?;
                let files = apps::attachments_of(conn, id)?;
                let checks = crate::db::case_checks::of_case(conn, id)?;
                let assigned = match assigned_to {
                    Some(officer) => users::find(conn, officer)?.map(|u| u.display_name),
                    None => None,
                };
                if !staff {
                    return Ok((events, files, checks, None, Vec::new(), assigned));
                }
                let farm = registry::load_farm(conn, household_id)?;
                let record = registry::rules_record(conn, &farm, today)?;
                let officers = apps::officers_for_amphoe(conn, &farm.household.amphoe_code)?;
                let view = farm_view(conn, tr, &farm, today)?;
                Ok((
                    events,
                    files,
                    checks,
                    Some((view, record)),
                    officers,
                    assigned,
                ))
            })
            .await?;
        let (farm, today_view) = match farm_and_record {
            Some((view, record)) => {
                let list = entitlements(&rules, &record, today, tr.locale);
                let mine = list
                    .eligible
                    .into_iter()
                    .map(|(_, v)| v)
                    .chain(list.need_info)
                    .chain(list.almost)
                    .chain(list.other)
                    .find(|v| v.id == app.programme_id);
                (Some(view), mine)
            }
            None => (None, None),
        };
        let answers: RawAnswers = serde_json::from_str(&app.answers).unwrap_or_default();
        let answers = programme
            .form
            .questions
            .iter()
            .filter_map(|q| {
                answers.get(&q.id).map(|value| AnswerView {
                    label: q.label.get(tr.locale).to_owned(),
                    value: match &q.kind {
                        crate::rules::form::Kind::Choice { options } => options
                            .iter()
                            .find(|(v, _)| v == value)
                            .map_or(value.clone(), |(_, l)| l.get(tr.locale).to_owned()),
                        crate::rules::form::Kind::YesNo => tr
                            .t(if value == "yes" {
                                "form.yes"
                            } else {
                                "form.no"
                            })
                            .to_owned(),
                        _ => value.clone(),
                    },
                })
            })
            .collect();
        let snapshot: SnapshotExplanation = app
            .snapshot_explanation
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default();
        let snapshot_facts: Vec<SnapshotFact> = app
            .snapshot_facts
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default();
        let snapshot_facts = snapshot_facts
            .into_iter()
            .map(|f| {
                let meaning = crate::rules::catalogue::CATALOGUE
                    .iter()
                    .find(|c| c.name == f.name)
                    .map_or(f.name.clone(), |c| tr.locale.pick(c.th, c.en).to_owned());
                let value = tr.locale.pick(f.th, f.en);
                (meaning, value)
            })
            .collect();
        let status = app.status;
        let done: Vec<Check> = checks_done.iter().map(|row| row.step).collect();
        let case = cases::case_of(&ctx.state.rules, &app, &done);
        let next_check = case::next_check(&programme.delivery.checks, &done)
            .filter(|_| staff && app.status.is_open());
        let checks = programme
            .delivery
            .checks
            .iter()
            .map(|check| CheckView {
                name: check.label_key(),
                done: checks_done
                    .iter()
                    .find(|row| row.step == *check)
                    .map(|row| {
                        (
                            tr.date(&row.done_on),
                            row.note.clone(),
                            row.recorded_by.clone().filter(|_| staff),
                        )
                    }),
            })
            .collect();
        let steps = ALL_STEPS
            .into_iter()
            .filter(|a| transition(&case, *a, role, today).is_ok())
            .collect();
        let question = events
            .iter()
            .rev()
            .find(|e| e.kind == "info_requested" && !e.internal)
            .map(|e| (tr.moment(&e.at), e.message.clone()));
        let timeline = events
            .into_iter()
            .map(|e| EventView {
                at: tr.moment(&e.at),
                who: Role::parse(&e.actor_role).map_or("role.system", |r| r.label_key()),
                what: tr.t(&format!("case.event.{}", e.kind)).to_owned(),
                // A rejection's reason, or why a payment failed.
                reason: e.reason.as_deref().and_then(|r| {
                    RejectionReason::parse(r)
                        .map(|r| r.label_key())
                        .or_else(|_| PaymentFailure::parse(r).map(|f| f.label_key()))
                        .or_else(|_| Check::parse(r).map(|c| c.label_key()))
                        .ok()
                }),
                message: e.message,
                internal: e.internal,
            })
            .collect();
        let reference = app.reference.clone().unwrap_or_default();
        Ok(CaseView {
            reference: reference.clone(),
            title: programme.title.get(tr.locale).to_owned(),
            status,
            submitted: app
                .submitted_at
                .map(|at| tr.day_of(&at))
                .unwrap_or_default(),
            due: app.due_on.map(|d| tr.date(&d)),
            overdue: app.due_on.is_some_and(|d| d < today),
            assigned,
            answers,
            question,
            snapshot_status: app.snapshot_status.as_deref().map(|s| match s {
                "eligible" => "entitlements.eligible",
                _ => "entitlements.need_info",
            }),
            snapshot_amount: app
                .snapshot_amount_satang
                .map(|s| format_value(Value::Money(s), &tr)),
            approved_amount: app
                .approved_amount_satang
                .zip(app.approved_amount_reason.clone())
                .map(|(satang, reason)| (format_value(Value::Money(satang), &tr), reason)),
            paid_amount: app.paid_amount_satang.map(|satang| {
                (
                    format_value(Value::Money(satang), &tr),
                    Some(satang) != app.amount_to_pay(),
                )
            }),
            payment_failure: app.payment_failure,
            computed_baht: app
                .snapshot_amount_satang
                .map(|s| format!("{}.{:02}", s / 100, s % 100))
                .unwrap_or_default(),
            snapshot,
            snapshot_facts,
            timeline,
            files: file_views(&files),
            files_url: match role {
                Role::Farmer => format!("/applications/{reference}/files"),
                _ => format!("/officer/cases/{reference}/files"),
            },
            steps,
            checks,
            next_check,
            farm,
            today: today_view,
            officers,
            application: app,
        })
    }
}

const ALL_STEPS: [CaseAction; 8] = [
    CaseAction::Withdraw,
    CaseAction::Reply,
    CaseAction::Appeal,
    CaseAction::RequestInfo,
    CaseAction::Approve,
    CaseAction::Reject,
    CaseAction::MarkPaid,
    CaseAction::Complete,
];

/// An attachment as pages list it.
pub struct FileView {
    pub id: i32,
    pub name: String,
    pub size: String,
}

pub fn file_views(rows: &[apps::AttachmentRow]) -> Vec<FileView> {
    rows.iter()
        .map(|a| FileView {
            id: a.id,
            name: a.file_name.clone(),
            size: format!("{:.1} MB", f64::from(a.size_bytes) / 1_048_576.0),
        })
        .collect()
}

/// The longest reply, appeal or officer's message.
pub const MESSAGE_MAX: usize = 2000;

/// Checks a message the step needs: present and not too long.
pub fn required_message(text: &str) -> Result<String, Invalid> {
    required_text(text, MESSAGE_MAX)
}

/// A required text of at most `max` characters, trimmed.
pub fn required_text(text: &str, max: usize) -> Result<String, Invalid> {
    let text = text.trim();
    if text.is_empty() {
        Err(Invalid::new("error.required"))
    } else if text.chars().count() > max {
        Err(Invalid::new("error.too_long"))
    } else {
        Ok(text.to_owned())
    }
}

pub async fn send_file(
    ctx: &Ctx,
    application_id: i32,
    file: i32,
) -> Result<HttpResponse, AppError> {
    let row = ctx
        .db(move |conn| {
            apps::find_attachment(conn, application_id, file)?.ok_or(AppError::NotFound)
        })
        .await?;
    uploads::download(ctx.state.settings.upload_dir(), row).await
}

/// A draft's page, or a submitted application's.
pub fn location(app: &ApplicationRow) -> String {
    match &app.reference {
        Some(reference) => format!("/applications/{reference}"),
        None => format!("/applications/drafts/{}", app.id),
    }
}

/// A step that cannot be undone (withdrawing, recording a payment) is taken only with its
/// "yes, I am sure" box ticked; else the box's error says so.
pub fn confirmed(form: &HashMap<String, String>, errors: &mut FieldErrors) -> bool {
    let yes = form.get("confirm").is_some_and(|v| v == "yes");
    if !yes {
        errors.add("confirm", "form.confirm_required");
    }
    yes
}

pub fn stale_form() -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.add("form", "case.stale");
    errors
}

/// The uploads of a post checked against the kinds and the application's remaining room.
pub async fn checked_files(
    ctx: &Ctx,
    app: &ApplicationRow,
    uploads: Vec<Upload>,
) -> Result<(Vec<CheckedFile>, Vec<(String, &'static str)>), AppError> {
    let id = app.id;
    let already = ctx
        .db(move |conn| Ok(apps::attachments_of(conn, id)?.len()))
        .await?;
    Ok(attachment::check(uploads, already))
}
