//! The farmer's applications: start one from "My entitlements", fill in the programme's own
//! questions (the registry's data is shown, never asked again), save a draft, submit, follow
//! the timeline, reply to a request for information, withdraw, appeal a rejection.

use super::case_view::{
    case_context, case_error, checked_files, confirmed, location, required_message, send_file,
    CaseView,
};
use super::context::{redirect, render, Ctx, FieldErrors, NoFields, Posted, Typed};
use super::routes::{Routes, FARMER};
use super::uploads::MultipartPost;
use crate::db::applications::{self as apps, ApplicationRow};
use crate::domain::{CaseStatus, Role};
use crate::error::AppError;
use crate::services::cases::{self, CaseError, Step};
use crate::services::{files, payments};
use actix_web::{web, HttpResponse};
use askama::Template;
use std::collections::HashMap;

pub fn routes(routes: &mut Routes) {
    routes.get("/applications", FARMER, list);
    // Before the routes by reference, which would take "drafts" for one.
    super::drafts::routes(routes);
    routes
        .get("/applications/{reference}", FARMER, show)
        .get(
            "/applications/{reference}/files/{file}",
            FARMER,
            application_file,
        )
        .post("/applications/{reference}/reply", FARMER, reply)
        .post("/applications/{reference}/rating", FARMER, rate)
        .post(
            "/applications/{reference}/payment-fixed",
            FARMER,
            payment_fixed,
        )
        .post("/applications/{reference}/{step}", FARMER, farmer_step);
}

pub struct ApplicationLine {
    pub link: String,
    pub reference: Option<String>,
    pub title: String,
    pub status: &'static str,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "applications/list.html")]
struct ListPage {
    ctx: Ctx,
    applications: Vec<ApplicationLine>,
}

/// "My applications": drafts and submitted ones, newest first.
pub async fn list(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let (_, household_id) = ctx.farmer()?;
    let rows = ctx
        .db(move |conn| Ok(apps::for_household(conn, household_id)?))
        .await?;
    let tr = ctx.tr;
    let rules = ctx.state.rules.clone();
    let applications = rows
        .iter()
        // A draft thrown away is nobody's business any more.
        .filter(|a| a.reference.is_some() || a.status == CaseStatus::Draft)
        .map(|a| ApplicationLine {
            link: location(a),
            reference: a.reference.clone(),
            title: rules.title(&a.programme_id, tr.locale).to_owned(),
            status: a.status.label_key(),
            updated: tr.day_of(&a.updated_at),
        })
        .collect();
    render(&ListPage { ctx, applications })
}

#[derive(Template)]
#[template(path = "applications/show.html")]
struct ShowPage {
    ctx: Ctx,
    case: CaseView,
    /// A refused step's message (catalogue key).
    refusal: Option<&'static str>,
    errors: FieldErrors,
    /// What the farmer typed, kept when a step is refused.
    typed: Typed,
    rating: RatingView,
}

impl ShowPage {}

/// The rating part of an application's page.
pub struct RatingView {
    /// The form is offered (the case ended, and a rating given is at most 7 days old).
    pub open: bool,
    /// The scores and comment given, if any.
    pub given: Option<(i32, i32, String)>,
    pub thanks: bool,
}

impl ShowPage {
    /// The score shown as chosen in the rating form: the one just sent, else the one given.
    fn chosen(&self, field: &str) -> i32 {
        let given = self.rating.given.as_ref().map(|(satisfaction, effort, _)| {
            if field == "satisfaction" {
                *satisfaction
            } else {
                *effort
            }
        });
        self.typed.get(field).parse().ok().or(given).unwrap_or(0)
    }

    /// The two questions of the rating form: field, question, and the scale's faces and words.
    fn scales(&self) -> [(&'static str, &'static str, &'static Scale); 2] {
        [
            (
                "satisfaction",
                "rating.satisfaction.question",
                &SATISFACTION_SCALE,
            ),
            ("effort", "rating.effort.question", &EFFORT_SCALE),
        ]
    }

    fn comment(&self) -> &str {
        match (self.typed.given("comment"), &self.rating.given) {
            (Some(typed), _) => typed,
            (None, Some((_, _, comment))) => comment,
            (None, None) => "",
        }
    }
}

/// The faces and words of the five scores, for readers who read little. A face is drawn (see
/// `mouth_path`), not an emoji: phones without an emoji font showed empty boxes.
type Scale = [(i32, &'static str); 5];
pub const SATISFACTION_SCALE: Scale = [
    (1, "rating.satisfaction.1"),
    (2, "rating.satisfaction.2"),
    (3, "rating.satisfaction.3"),
    (4, "rating.satisfaction.4"),
    (5, "rating.satisfaction.5"),
];
pub const EFFORT_SCALE: Scale = [
    (1, "rating.effort.1"),
    (2, "rating.effort.2"),
    (3, "rating.effort.3"),
    (4, "rating.effort.4"),
    (5, "rating.effort.5"),
];

/// The mouth of the face for a score of 1 (a frown) to 5 (a broad smile), in a 36 × 36 box.
pub fn mouth_path(score: i32) -> String {
    let bend = 23 + (score.clamp(1, 5) - 3) * 4;
    format!("M11 24Q18 {bend} 25 24")
}

/// The farmer rates an ended case (or changes the rating within 7 days).
pub async fn rate(
    ctx: Ctx,
    path: web::Path<String>,
    Posted(form): Posted<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    use crate::domain::rating::{may_rate, parse_comment, Score};
    let reference = path.into_inner();
    let app = own_by_reference(&ctx, reference.clone()).await?;
    let user_id = ctx.farmer()?.0.id;
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let mut errors = FieldErrors::default();
    let satisfaction = errors.check("satisfaction", Score::parse(&field("satisfaction")));
    let effort = errors.check("effort", Score::parse(&field("effort")));
    let comment = errors.check("comment", parse_comment(&field("comment")));
    let (Some(satisfaction), Some(effort), Some(comment)) = (satisfaction, effort, comment) else {
        return show_page(ctx, app, None, errors, Typed(form)).await;
    };
    let id = app.id;
    let given = ctx
        .db(move |conn| Ok(crate::db::ratings::for_application(conn, id)?))
        .await?;
    let allowed = may_rate(
        app.status,
        // A case Kaset opened by itself is rated by any farmer of the household.
        app.applicant_id
            .is_none_or(|applicant| applicant == user_id),
        given.map(|r| r.created_at),
        now,
    );
    if let Err(refusal) = allowed {
        return show_page(ctx, app, Some(refusal.key()), errors, Typed(form)).await;
    }
    let state = ctx.state.clone();
    let rated = app.clone();
    ctx.db(move |conn| {
        let cx = case_context(&state);
        cases::record_rating(conn, &cx, &rated, user_id, satisfaction, effort, &comment)
            .map_err(case_error)
    })
    .await?;
    ctx.state.mail_wake.notify_one();
    Ok(redirect(&format!(
        "/applications/{reference}?rated=1#rating"
    )))
}

async fn own_by_reference(ctx: &Ctx, reference: String) -> Result<ApplicationRow, AppError> {
    let (_, household_id) = ctx.farmer()?;
    ctx.db(move |conn| {
        apps::find_by_reference_for_household(conn, household_id, &reference)?
            .ok_or(AppError::NotFound)
    })
    .await
}

pub async fn show(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let app = own_by_reference(&ctx, path.into_inner()).await?;
    show_page(ctx, app, None, FieldErrors::default(), Typed::default()).await
}

async fn show_page(
    ctx: Ctx,
    app: ApplicationRow,
    refusal: Option<&'static str>,
    errors: FieldErrors,
    typed: Typed,
) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let id = app.id;
    let given = ctx
        .db(move |conn| Ok(crate::db::ratings::for_application(conn, id)?))
        .await?;
    let open = crate::domain::rating::may_rate(
        app.status,
        true,
        given.as_ref().map(|r| r.created_at),
        now,
    )
    .is_ok();
    let rating = RatingView {
        open,
        thanks: ctx.path.ends_with("?rated=1"),
        given: given.map(|r| (r.satisfaction, r.effort, r.comment)),
    };
    let case = CaseView::load(&ctx, app, Role::Farmer).await?;
    let page = ShowPage {
        ctx,
        case,
        refusal,
        errors,
        typed,
        rating,
    };
    if page.refusal.is_none() && page.errors.is_empty() {
        render(&page)
    } else {
        render_status(&page)
    }
}

fn render_status(page: &ShowPage) -> Result<HttpResponse, AppError> {
    let status = if page.refusal.is_some() {
        actix_web::http::StatusCode::CONFLICT
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    super::context::render_status(status, page)
}

/// The farmer's answer to a request for information: text, and files if they have them.
/// A refused file refuses the whole reply (nothing half-sent); the text is kept.
pub async fn reply(
    ctx: Ctx,
    path: web::Path<String>,
    form: MultipartPost,
) -> Result<HttpResponse, AppError> {
    let reference = path.into_inner();
    let app = own_by_reference(&ctx, reference.clone()).await?;
    let text = form.field("reply");
    let seen: i32 = form.field("version").parse().unwrap_or(-1);
    let mut errors = FieldErrors::default();
    let message = errors.check("reply", required_message(&text));
    let (files, refused) = checked_files(&ctx, &app, form.uploads).await?;
    for (_, key) in &refused {
        errors.add("files", key);
    }
    let Some(message) = message.filter(|_| errors.is_empty()) else {
        let typed = Typed(HashMap::from([("reply".to_owned(), text)]));
        return show_page(ctx, app, None, errors, typed).await;
    };
    let dir = ctx.state.settings.upload_dir();
    let actor = ctx.farmer()?.0.actor();
    let state = ctx.state.clone();
    let target = app.clone();
    let result = ctx
        .db(move |conn| {
            let cx = case_context(&state);
            Ok(files::stored_then(&dir, files, |stored| {
                let step = Step::Reply {
                    message,
                    files: stored.to_vec(),
                };
                cases::act(conn, &cx, &actor, Role::Farmer, &target, seen, &step)
            }))
        })
        .await?;
    finish_step(ctx, reference, result).await
}

/// After a farmer's step: back to the application, or its latest state with why not.
async fn finish_step(
    ctx: Ctx,
    reference: String,
    result: Result<CaseStatus, CaseError>,
) -> Result<HttpResponse, AppError> {
    let refusal = match result {
        Ok(_) => {
            ctx.state.mail_wake.notify_one();
            return Ok(redirect(&format!("/applications/{reference}")));
        }
        Err(CaseError::Refused(refusal)) => refusal.key(),
        Err(CaseError::Stale) => "case.stale",
        Err(other) => return Err(case_error(other)),
    };
    let latest = own_by_reference(&ctx, reference).await?;
    show_page(
        ctx,
        latest,
        Some(refusal),
        FieldErrors::default(),
        Typed::default(),
    )
    .await
}

/// The farmer says they fixed what made the payment fail: the case is on the payment list
/// again.
pub async fn payment_fixed(
    ctx: Ctx,
    path: web::Path<String>,
    _csrf_checked: Posted<NoFields>,
) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let reference = path.into_inner();
    let app = own_by_reference(&ctx, reference.clone()).await?;
    let actor = ctx.farmer()?.0.actor();
    ctx.db(move |conn| payments::fixed_by_farmer(conn, &actor, &app, now).map_err(case_error))
        .await?;
    Ok(redirect(&format!(
        "/applications/{reference}?fixed=1#payment"
    )))
}

/// The farmer's steps on a submitted application: `withdraw`, `appeal`.
pub async fn farmer_step(
    ctx: Ctx,
    path: web::Path<(String, String)>,
    Posted(form): Posted<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (reference, step_name) = path.into_inner();
    let app = own_by_reference(&ctx, reference.clone()).await?;
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let mut errors = FieldErrors::default();
    let step = match step_name.as_str() {
        "withdraw" => confirmed(&form, &mut errors).then_some(Step::Withdraw),
        "appeal" => errors
            .check("appeal", required_message(&field("appeal")))
            .map(|reason| Step::Appeal { reason }),
        _ => return Err(AppError::NotFound),
    };
    let Some(step) = step else {
        return show_page(ctx, app, None, errors, Typed(form)).await;
    };
    let seen: i32 = field("version").parse().unwrap_or(-1);
    let actor = ctx.farmer()?.0.actor();
    let state = ctx.state.clone();
    let target = app.clone();
    let result = ctx
        .db(move |conn| {
            let cx = case_context(&state);
            Ok(cases::act(
                conn,
                &cx,
                &actor,
                Role::Farmer,
                &target,
                seen,
                &step,
            ))
        })
        .await?;
    finish_step(ctx, reference, result).await
}

/// A file of the farmer's own application.
pub async fn application_file(
    ctx: Ctx,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, AppError> {
    let (reference, file) = path.into_inner();
    let app = own_by_reference(&ctx, reference).await?;
    send_file(&ctx, app.id, file).await
}
