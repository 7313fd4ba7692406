//! An officer records a relief claim for a farmer who does not come online: at the office with
//! the farmer, or after visiting the plots (the visit's date and photos kept with the claim).
//! The farmer's request to act for them is recorded on the timeline with the step.

use super::household_in_scope;
use crate::db::applications::{self as apps, ApplicationRow};
use crate::db::registry;
use crate::domain::{date, CaseStatus, Invalid};
use crate::error::AppError;
use crate::services::cases::{self, CaseError};
use crate::web::case_view::{case_context, case_error, stale_form};
use crate::web::context::{redirect, render, render_invalid, Ctx, FieldErrors};
use crate::web::drafts::{
    claim_line_views, claimable, keep_files, question_views, read_answers, ClaimLineView,
    QuestionView,
};
use crate::web::farm::{farm_view, FarmView};
use crate::web::uploads::UncheckedPost;
use actix_web::{web, HttpResponse};
use askama::Template;

/// How the officer knows the damage.
const AT_THE_OFFICE: &str = "office";
const FIELD_VISIT: &str = "field_visit";

#[derive(Template)]
#[template(path = "officer/claim.html")]
struct ClaimPage {
    ctx: Ctx,
    application: ApplicationRow,
    title: String,
    farm: FarmView,
    damage_per_plot: bool,
    claim_lines: Vec<ClaimLineView>,
    plots_outside: Vec<String>,
    questions: Vec<QuestionView>,
    checked: String,
    visited_on: String,
    farmer_asked: bool,
    not_eligible: Vec<String>,
    refused_files: Vec<(String, &'static str)>,
    errors: FieldErrors,
}

/// What the last post held, to show again.
#[derive(Default)]
struct Posted {
    answers: crate::rules::form::RawAnswers,
    checked: String,
    visited_on: String,
    farmer_asked: bool,
    not_eligible: Vec<String>,
    refused_files: Vec<(String, &'static str)>,
    errors: FieldErrors,
}

async fn draft_of(ctx: &Ctx, household: i32, id: i32) -> Result<ApplicationRow, AppError> {
    let officer = ctx.officer()?.clone();
    household_in_scope(ctx, &officer, household).await?;
    ctx.db(move |conn| apps::find_for_household(conn, household, id)?.ok_or(AppError::NotFound))
        .await
}

async fn page(
    ctx: Ctx,
    application: ApplicationRow,
    posted: Posted,
) -> Result<HttpResponse, AppError> {
    let programme = ctx
        .state
        .rules
        .programme(&application.programme_id)
        .ok_or(AppError::NotFound)?;
    let tr = ctx.tr;
    let questions = question_views(&tr, programme, &posted.answers, &posted.errors);
    let (title, damage_per_plot) = (
        programme.title.get(tr.locale).to_owned(),
        programme.form.damage_per_plot,
    );
    let (household_id, today) = (application.household_id, ctx.state.clock.today());
    let (farm, claimable) = ctx
        .db(move |conn| {
            let farm = registry::load_farm(conn, household_id)?;
            let record = registry::rules_record(conn, &farm, today)?;
            Ok((
                farm_view(conn, tr, &farm, today)?,
                claimable(&record, today),
            ))
        })
        .await?;
    let (claim_lines, plots_outside) =
        claim_line_views(&farm, &claimable, &posted.answers, &posted.errors);
    let invalid = !posted.errors.is_empty()
        || !posted.not_eligible.is_empty()
        || !posted.refused_files.is_empty();
    let page = ClaimPage {
        ctx,
        application,
        title,
        farm,
        damage_per_plot,
        claim_lines,
        plots_outside,
        questions,
        checked: posted.checked,
        visited_on: posted.visited_on,
        farmer_asked: posted.farmer_asked,
        not_eligible: posted.not_eligible,
        refused_files: posted.refused_files,
        errors: posted.errors,
    };
    if invalid {
        render_invalid(&page)
    } else {
        render(&page)
    }
}

pub async fn claim(ctx: Ctx, path: web::Path<(i32, i32)>) -> Result<HttpResponse, AppError> {
    let (household, id) = path.into_inner();
    let app = draft_of(&ctx, household, id).await?;
    if app.status != CaseStatus::Draft {
        return Ok(redirect(&format!(
            "/officer/cases/{}",
            app.reference.unwrap_or_default()
        )));
    }
    page(ctx, app, Posted::default()).await
}

/// Records the claim for the farmer: the damage and answers checked as the farmer's own are,
/// how the officer knows the damage (a field visit needs its date and at least one photo),
/// and the farmer's request, then submitted as the farmer would.
pub async fn record(
    ctx: Ctx,
    path: web::Path<(i32, i32)>,
    form: UncheckedPost,
) -> Result<HttpResponse, AppError> {
    let UncheckedPost {
        post: form,
        csrf_ok: true,
    } = form
    else {
        return Err(AppError::Csrf);
    };
    let (household, id) = path.into_inner();
    let app = draft_of(&ctx, household, id).await?;
    if app.status != CaseStatus::Draft {
        return Ok(redirect(&format!(
            "/officer/cases/{}",
            app.reference.unwrap_or_default()
        )));
    }
    let programme = ctx
        .state
        .rules
        .programme(&app.programme_id)
        .ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    let (raw, answers) = read_answers(&ctx, &app, programme, &form, true, &mut errors).await?;
    let checked = form.field("checked");
    let visited_on = form.field("visited_on");
    let farmer_asked = form.field("farmer_asked") == "yes";
    let today = ctx.state.clock.today();
    let visit = match checked.as_str() {
        AT_THE_OFFICE => None,
        FIELD_VISIT => errors.check("visited_on", date::past_date(&visited_on, today)),
        _ => {
            errors.add("checked", Invalid::new("error.choice").key);
            None
        }
    };
    if checked == FIELD_VISIT && form.uploads.is_empty() {
        errors.add("files", "claim.officer.photos_required");
    }
    if !farmer_asked {
        errors.add("farmer_asked", "claim.officer.farmer_asked_required");
    }
    let officer = ctx.officer()?.clone();
    let refused_files = if errors.is_empty() {
        keep_files(&ctx, &app, officer.actor(), form.uploads).await?
    } else {
        Vec::new()
    };
    let posted = |errors, not_eligible| Posted {
        answers: raw.clone(),
        checked: checked.clone(),
        visited_on: visited_on.clone(),
        farmer_asked,
        not_eligible,
        refused_files: refused_files.clone(),
        errors,
    };
    if !errors.is_empty() || !refused_files.is_empty() {
        return page(ctx, app, posted(errors, Vec::new())).await;
    }
    let tr = ctx.tr;
    let how = match visit {
        Some(day) => tr.fmt(
            "claim.officer.recorded_after_visit",
            &[("date", &tr.date(&day))],
        ),
        None => tr.t("claim.officer.recorded_at_office").to_owned(),
    };
    let answers_json = serde_json::to_string(&answers).map_err(anyhow::Error::from)?;
    let (state, draft, actor) = (ctx.state.clone(), app.clone(), officer.actor());
    let submitted = ctx
        .db(move |conn| {
            let cx = case_context(&state);
            Ok(cases::submit(
                conn,
                &cx,
                &actor,
                &draft,
                &answers_json,
                &how,
            ))
        })
        .await?;
    match submitted {
        Ok(reference) => {
            ctx.state.mail_wake.notify_one();
            Ok(redirect(&format!("/officer/cases/{reference}")))
        }
        Err(CaseError::NotEligible(reasons)) => page(ctx, app, posted(errors, reasons)).await,
        Err(CaseError::Stale) => page(ctx, app, posted(stale_form(), Vec::new())).await,
        Err(other) => Err(case_error(other)),
    }
}
