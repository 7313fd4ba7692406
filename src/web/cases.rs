//! The officers' case workspace: the queue of their area's cases and a case's page, where they
//! assign, note, ask for information and decide. The view of a case shared with the farmer's
//! page (`web::applications`) is built here too, with what each role may see.

use super::case_view::{
    case_context, case_error, confirmed, required_message, required_text, send_file, CaseView,
};
use super::context::{redirect, render_status, Ctx, CurrentUser, FieldErrors, Posted, Typed};
use super::officer::Choice;
use super::routes::{Routes, OFFICER, STAFF};
use crate::db::applications::{self as apps, ApplicationRow, QueueFilter};
use crate::domain::clock::thai_time;
use crate::domain::search::CaseSearch;
use crate::domain::{case, money, CaseStatus, RejectionReason, Role};
use crate::error::AppError;
use crate::services::case_checks;
use crate::services::cases::{self, CaseError, Step};
use crate::services::personal_data;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;
use std::collections::HashMap;

pub fn routes(routes: &mut Routes) {
    routes
        .get("/officer/cases", STAFF, queue)
        .post("/officer/cases/bulk-approve", OFFICER, bulk_approve)
        .post("/officer/cases/bulk-check", OFFICER, bulk_check)
        .get("/officer/cases/{reference}", STAFF, case_page)
        .get("/officer/cases/{reference}/files/{file}", STAFF, case_file)
        .post("/officer/cases/{reference}/{step}", OFFICER, officer_step);
}

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    #[serde(default)]
    programme: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    overdue: String,
    #[serde(default)]
    mine: String,
    #[serde(default)]
    unassigned: String,
    #[serde(default)]
    payment_failed: String,
    /// A reference, or the farmer's name, national ID or registry number.
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
}

pub struct QueueLine {
    pub reference: String,
    pub version: i32,
    pub title: String,
    /// The household head's name.
    pub farmer: String,
    pub registry_number: String,
    pub status: CaseStatus,
    pub due: String,
    pub overdue: bool,
    pub assigned: bool,
    /// Why the transfer failed, when it did.
    pub payment_failure: Option<&'static str>,
    /// Ticked in a refused bulk form, so it stays ticked.
    pub ticked: bool,
}

/// Failed transfers of one amphoe for one reason.
pub struct FailedPayments {
    pub amphoe: String,
    pub failure: &'static str,
    pub count: i64,
}

#[derive(Template)]
#[template(path = "officer/cases.html")]
struct QueuePage {
    ctx: Ctx,
    lines: Vec<QueueLine>,
    counts: Vec<(&'static str, String, i64)>,
    programmes: Vec<(String, String)>,
    query: QueueQuery,
    page: i64,
    pages: i64,
    total: i64,
    /// Query string of the filters without the page, for the pager's links.
    filters: String,
    bulk_result: Option<String>,
    failed_payments: Vec<FailedPayments>,
    /// The checks the filtered programme's regulation asks for, to record for ticked cases.
    checks: Vec<Choice>,
    /// A refused bulk check's errors, and what the officer typed.
    errors: FieldErrors,
    typed: Typed,
}

pub async fn queue(ctx: Ctx, query: web::Query<QueueQuery>) -> Result<HttpResponse, AppError> {
    show_queue(
        ctx,
        query.into_inner(),
        FieldErrors::default(),
        Typed::default(),
    )
    .await
}

async fn show_queue(
    ctx: Ctx,
    query: QueueQuery,
    errors: FieldErrors,
    typed: Typed,
) -> Result<HttpResponse, AppError> {
    let user = ctx.staff()?.clone();
    let today = ctx.state.clock.today();
    let mut errors = errors;
    let search = errors
        .check("q", CaseSearch::parse(&query.q))
        .unwrap_or_default();
    let filter = QueueFilter {
        programme_id: Some(query.programme.clone()).filter(|p| !p.is_empty()),
        status: CaseStatus::parse(&query.status).ok(),
        overdue_on: (query.overdue == "1").then_some(today),
        assigned_to: (query.mine == "1").then_some(user.id),
        unassigned: query.unassigned == "1",
        payment_failed: query.payment_failed == "1",
        search,
    };
    let page: i64 = query.page.parse().unwrap_or(1).max(1);
    let scope = user.scope.clone();
    let tr = ctx.tr;
    let ((rows, total, farmers), counts, failed) = ctx
        .db(move |conn| {
            let failed = apps::failed_payments_by_amphoe(conn, &scope)?;
            let amphoes: Vec<String> = failed.iter().map(|(a, _, _)| a.clone()).collect();
            let names = crate::db::geography::names(conn, &amphoes)?;
            let failed = failed
                .into_iter()
                .map(|(amphoe, failure, count)| FailedPayments {
                    amphoe: names
                        .get(&amphoe)
                        .map_or(amphoe.clone(), |n| n.name(tr.locale).to_owned()),
                    failure: failure.label_key(),
                    count,
                })
                .collect::<Vec<_>>();
            let (rows, total) = apps::queue(conn, &scope, &filter, page)?;
            let households: Vec<i32> = rows.iter().map(|(a, _)| a.household_id).collect();
            let farmers = crate::db::registry::head_names(conn, &households)?;
            Ok((
                (rows, total, farmers),
                apps::counts_by_status(conn, &scope)?,
                failed,
            ))
        })
        .await?;
    let rules = ctx.state.rules.clone();
    let title = |id: &str| rules.title(id, tr.locale).to_owned();
    let lines = rows
        .into_iter()
        .map(|(a, registry_number)| QueueLine {
            reference: a.reference.clone().unwrap_or_default(),
            version: a.version,
            title: title(&a.programme_id),
            farmer: farmers.get(&a.household_id).cloned().unwrap_or_default(),
            registry_number,
            status: a.status,
            due: a.due_on.map(|d| tr.date(&d)).unwrap_or_default(),
            overdue: a.due_on.is_some_and(|d| d < today),
            assigned: a.assigned_to.is_some(),
            payment_failure: a.payment_failure.map(|f| f.label_key()),
            ticked: a
                .reference
                .as_ref()
                .is_some_and(|r| typed.given(&format!("case_{r}")).is_some()),
        })
        .collect();
    let counts = CaseStatus::ALL
        .iter()
        .filter(|s| **s != CaseStatus::Draft)
        .map(|s| {
            let n = counts
                .iter()
                .find(|(code, _)| code == s.code())
                .map_or(0, |(_, n)| *n);
            (s.staff_label_key(), s.code().to_owned(), n)
        })
        .collect();
    let programmes = rules
        .programmes
        .iter()
        .map(|p| (p.id.clone(), p.title.get(tr.locale).to_owned()))
        .collect();
    let checks = rules
        .programme(&query.programme)
        .map(|p| {
            p.delivery
                .checks
                .iter()
                .map(|check| Choice {
                    value: check.code().to_owned(),
                    label: tr.t(check.label_key()).to_owned(),
                    selected: typed.get("check") == check.code(),
                })
                .collect()
        })
        .unwrap_or_default();
    let filters = reqwest::Url::parse_with_params(
        "http://kaset.invalid/",
        [
            ("programme", &query.programme),
            ("status", &query.status),
            ("overdue", &query.overdue),
            ("mine", &query.mine),
            ("unassigned", &query.unassigned),
            ("payment_failed", &query.payment_failed),
            ("q", &query.q),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty()),
    )
    .ok()
    .and_then(|url| url.query().map(str::to_owned))
    .unwrap_or_default();
    let bulk_result = ctx
        .session
        .remove_as::<String>("bulk_result")
        .and_then(Result::ok);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &QueuePage {
            ctx,
            lines,
            counts,
            programmes,
            page,
            pages: (total + apps::QUEUE_PAGE - 1) / apps::QUEUE_PAGE,
            total,
            query,
            filters,
            bulk_result,
            failed_payments: failed,
            checks,
            errors,
            typed,
        },
    )
}

#[derive(Template)]
#[template(path = "officer/case.html")]
struct CasePage {
    ctx: Ctx,
    case: CaseView,
    reasons: Vec<(&'static str, &'static str)>,
    refusal: Option<&'static str>,
    errors: FieldErrors,
    /// What the officer typed, kept when a step is refused.
    typed: Typed,
    me: i32,
    /// Officers act; managers read.
    acts: bool,
}

async fn case_in_scope(
    ctx: &Ctx,
    user: &CurrentUser,
    reference: String,
) -> Result<ApplicationRow, AppError> {
    let scope = user.scope.clone();
    ctx.db(move |conn| {
        apps::find_by_reference_in_scope(conn, &scope, &reference)?.ok_or(AppError::NotFound)
    })
    .await
}

pub async fn case_page(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let user = ctx.staff()?.clone();
    let app = case_in_scope(&ctx, &user, path.into_inner()).await?;
    let reference = app.reference.clone().unwrap_or_default();
    audit_view(&ctx, &user, &app, &reference).await?;
    show_case(
        ctx,
        user,
        app,
        None,
        FieldErrors::default(),
        Typed::default(),
    )
    .await
}

/// A file of a case of the officer's area; opening it is audited like the case page.
pub async fn case_file(ctx: Ctx, path: web::Path<(String, i32)>) -> Result<HttpResponse, AppError> {
    let user = ctx.staff()?.clone();
    let (reference, file) = path.into_inner();
    let app = case_in_scope(&ctx, &user, reference.clone()).await?;
    audit_view(&ctx, &user, &app, &format!("{reference}/files/{file}")).await?;
    send_file(&ctx, app.id, file).await
}

/// Staff looked at a farmer's personal data: that is written to the audit log.
async fn audit_view(
    ctx: &Ctx,
    user: &CurrentUser,
    app: &ApplicationRow,
    what: &str,
) -> Result<(), AppError> {
    let now = ctx.state.clock.now();
    let actor = user.actor();
    let viewed = personal_data::Viewed {
        entity: "application",
        entity_id: what.to_owned(),
        household_id: app.household_id,
    };
    ctx.db(move |conn| Ok(personal_data::record_view(conn, &actor, viewed, now)?))
        .await
}

async fn show_case(
    ctx: Ctx,
    user: CurrentUser,
    app: ApplicationRow,
    refusal: Option<&'static str>,
    errors: FieldErrors,
    typed: Typed,
) -> Result<HttpResponse, AppError> {
    let case = CaseView::load(&ctx, app, user.role).await?;
    let status = if refusal.is_some() {
        StatusCode::CONFLICT
    } else if !errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render_status(
        status,
        &CasePage {
            ctx,
            case,
            reasons: RejectionReason::ALL
                .iter()
                .map(|r| (r.code(), r.label_key()))
                .collect(),
            refusal,
            errors,
            typed,
            me: user.id,
            acts: user.role == Role::Officer,
        },
    )
}

/// An officer's step: `assign`, `note`, `check`, `request-info`, `approve`, `reject`, `paid`,
/// `complete`.
pub async fn officer_step(
    ctx: Ctx,
    path: web::Path<(String, String)>,
    Posted(form): Posted<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let user = ctx.officer()?.clone();
    let (reference, step_name) = path.into_inner();
    let app = case_in_scope(&ctx, &user, reference.clone()).await?;
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let seen: i32 = field("version").parse().unwrap_or(-1);
    let mut errors = FieldErrors::default();
    enum Work {
        Step(Step),
        Assign(i32),
        Note(String),
        Check(case::Check, chrono::NaiveDate, String),
    }
    let work = match step_name.as_str() {
        "assign" => field("officer").parse().ok().map(Work::Assign).or_else(|| {
            errors.add("officer", "error.choice");
            None
        }),
        "note" => errors
            .check("note", required_message(&field("note")))
            .map(Work::Note),
        "check" => {
            let check = case::Check::parse(&field("check")).map_err(|_| AppError::NotFound)?;
            let submitted_on = app.submitted_at.map(|at| thai_time(at).date());
            check_fields(&ctx, &form, submitted_on, &mut errors)
                .map(|(day, note)| Work::Check(check, day, note))
        }
        "request-info" => errors
            .check("request_info", required_message(&field("request_info")))
            .map(|message| Work::Step(Step::RequestInfo { message })),
        "approve" => {
            let typed = match field("approve_amount").trim() {
                "" => Some(None),
                text => errors
                    .check("approve_amount", money::parse_baht(text))
                    .map(Some),
            };
            let computed = app.snapshot_amount_satang;
            let reason = field("approve_reason");
            typed
                .and_then(|typed| {
                    errors.check(
                        "approve_reason",
                        case::approved_amount(computed, typed, &reason),
                    )
                })
                .map(|amount| {
                    Work::Step(Step::Approve {
                        message: field("approve_message").trim().to_owned(),
                        amount,
                    })
                })
        }
        "reject" => {
            let reason = errors.check("reason", RejectionReason::parse(&field("reason")));
            let message =
                errors.check("reject_message", required_message(&field("reject_message")));
            reason
                .zip(message)
                .map(|(reason, message)| Work::Step(Step::Reject { reason, message }))
        }
        "paid" => confirmed(&form, &mut errors).then_some(Work::Step(Step::MarkPaid {
            message: String::new(),
            amount: None,
        })),
        "complete" => Some(Work::Step(Step::Complete)),
        _ => return Err(AppError::NotFound),
    };
    let Some(work) = work else {
        return show_case(ctx, user, app, None, errors, Typed(form)).await;
    };
    let actor = user.actor();
    let state = ctx.state.clone();
    let target = app.clone();
    let result = ctx
        .db(move |conn| {
            let cx = case_context(&state);
            Ok(match work {
                Work::Step(step) => {
                    cases::act(conn, &cx, &actor, Role::Officer, &target, seen, &step).map(|_| ())
                }
                Work::Assign(officer) => cases::assign(conn, &actor, &target, seen, officer, now),
                Work::Note(text) => cases::note(conn, &actor, &target, &text, now),
                Work::Check(check, day, note) => {
                    case_checks::record(conn, &cx, &actor, &target, check, day, &note)
                }
            })
        })
        .await?;
    let refusal = match result {
        Ok(()) => {
            ctx.state.mail_wake.notify_one();
            return Ok(redirect(&format!("/officer/cases/{reference}")));
        }
        Err(CaseError::Refused(refusal)) => refusal.key(),
        Err(CaseError::Stale) => "case.stale",
        Err(CaseError::NotAnOfficerHere) => "case.not_an_officer_here",
        Err(other) => return Err(case_error(other)),
    };
    // Refused: the latest state of the case, with what the officer typed kept.
    let latest = case_in_scope(&ctx, &user, reference).await?;
    show_case(ctx, user, latest, Some(refusal), errors, Typed(form)).await
}

/// The day and note of a check as typed: a past day, not before the claim (`claimed_on`,
/// when one case is checked; each case of a bulk check is held to it by the service), and a
/// note of where and how.
fn check_fields(
    ctx: &Ctx,
    form: &HashMap<String, String>,
    claimed_on: Option<chrono::NaiveDate>,
    errors: &mut FieldErrors,
) -> Option<(chrono::NaiveDate, String)> {
    let field = |name: &str| form.get(name).map_or("", String::as_str);
    let day = errors.check(
        "check_on",
        crate::domain::date::past_date(field("check_on"), ctx.state.clock.today())
            .and_then(|day| case::check_day(claimed_on, day)),
    );
    let note = errors.check(
        "check_note",
        required_text(field("check_note"), case::MAX_CHECK_NOTE),
    );
    day.zip(note)
}

/// The most cases one bulk action takes: a queue page's worth and some.
const MAX_BULK: usize = 200;

/// The ticked cases of the queue (`case_<reference>` = the version the officer saw).
fn picked_cases(form: &HashMap<String, String>) -> Vec<(String, i32)> {
    form.iter()
        .filter_map(|(k, v)| {
            let reference = k.strip_prefix("case_")?;
            Some((reference.to_owned(), v.parse().ok()?))
        })
        .take(MAX_BULK)
        .collect()
}

/// Does `work` on each ticked case of the officer's area, each in its own transaction; the
/// references of those refused (not in the area, changed meanwhile, not due for it).
async fn for_each_picked<F>(
    ctx: &Ctx,
    user: &CurrentUser,
    picked: Vec<(String, i32)>,
    work: F,
) -> Result<(usize, Vec<String>), AppError>
where
    F: Fn(
            &mut crate::db::DbConn,
            &cases::CaseContext<'_>,
            &ApplicationRow,
            i32,
        ) -> Result<(), CaseError>
        + Send
        + 'static,
{
    let scope = user.scope.clone();
    let state = ctx.state.clone();
    let (done, refused) = ctx
        .db(move |conn| {
            let cx = case_context(&state);
            let mut done = 0;
            let mut refused = Vec::new();
            for (reference, seen) in picked {
                let Some(app) = apps::find_by_reference_in_scope(conn, &scope, &reference)? else {
                    refused.push(reference);
                    continue;
                };
                match work(conn, &cx, &app, seen) {
                    Ok(()) => done += 1,
                    Err(CaseError::Database(e)) => return Err(AppError::Database(e)),
                    Err(_) => refused.push(reference),
                }
            }
            Ok((done, refused))
        })
        .await?;
    if done > 0 {
        ctx.state.mail_wake.notify_one();
    }
    Ok((done, refused))
}

/// Tells the officer, on the queue they return to, what a bulk action did.
fn report_bulk(ctx: &Ctx, done_key: &str, refused_key: &str, done: usize, refused: &[String]) {
    let mut summary = ctx.tr.fmt(done_key, &[("count", &done.to_string())]);
    if !refused.is_empty() {
        summary.push(' ');
        summary.push_str(
            &ctx.tr
                .fmt(refused_key, &[("references", &refused.join(", "))]),
        );
    }
    let _ = ctx.session.insert("bulk_result", summary);
}

/// Approves the ticked cases, each at the version the officer saw; reports how many were
/// approved and which could not be (changed meanwhile, or not approvable).
pub async fn bulk_approve(
    ctx: Ctx,
    Posted(form): Posted<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let user = ctx.officer()?.clone();
    let actor = user.actor();
    let (approved, refused) = for_each_picked(
        &ctx,
        &user,
        picked_cases(&form),
        move |conn, cx, app, seen| {
            // Approving several at once approves each its computed amount.
            let step = Step::Approve {
                message: String::new(),
                amount: app.snapshot_amount_satang.map(|satang| (satang, None)),
            };
            cases::act(conn, cx, &actor, Role::Officer, app, seen, &step).map(|_| ())
        },
    )
    .await?;
    report_bulk(
        &ctx,
        "cases.bulk_done",
        "cases.bulk_refused",
        approved,
        &refused,
    );
    Ok(redirect("/officer/cases"))
}

/// Records one check (the village meeting, the district committee) for the ticked cases of
/// the filtered programme at once, as one meeting certifies a whole list; a refused form
/// comes back on the queue with what was typed.
pub async fn bulk_check(
    ctx: Ctx,
    Posted(form): Posted<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let user = ctx.officer()?.clone();
    let mut errors = FieldErrors::default();
    let check = errors.check(
        "check",
        case::Check::parse(form.get("check").map_or("", String::as_str)),
    );
    let fields = check_fields(&ctx, &form, None, &mut errors);
    let programme = form.get("programme").cloned().unwrap_or_default();
    let (Some(check), Some((day, note))) = (check, fields) else {
        let query = QueueQuery {
            programme,
            ..QueueQuery::default()
        };
        return show_queue(ctx, query, errors, Typed(form)).await;
    };
    let actor = user.actor();
    let (recorded, refused) =
        for_each_picked(&ctx, &user, picked_cases(&form), move |conn, cx, app, _| {
            case_checks::record(conn, cx, &actor, app, check, day, &note)
        })
        .await?;
    report_bulk(
        &ctx,
        "cases.bulk_checked",
        "cases.bulk_check_refused",
        recorded,
        &refused,
    );
    let programme: String = programme
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    Ok(redirect(&format!("/officer/cases?programme={programme}")))
}
