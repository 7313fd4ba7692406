//! Disaster declarations, entered by an administrator. Declaring re-evaluates every household
//! of the affected tambon at once, so each sees (and is told about) the relief it can claim.

use super::context::{render, render_invalid, Ctx, FieldErrors, Posted};
use super::officer::Choice;
use super::routes::{Routes, ADMIN};
use crate::db::{disasters, geography};
use crate::domain::{date, disaster, Hazard, Invalid};
use crate::error::AppError;
use crate::services;
use actix_web::HttpResponse;
use askama::Template;
use serde::Deserialize;

pub fn routes(routes: &mut Routes) {
    routes
        .get("/admin/disasters", ADMIN, list)
        .post("/admin/disasters", ADMIN, declare)
        .post("/admin/disasters/{id}", ADMIN, correct);
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DisasterForm {
    hazard: String,
    started_on: String,
    ended_on: String,
    claims_close_on: String,
    description: String,
    areas: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CorrectionForm {
    ended_on: String,
    claims_close_on: String,
    description: String,
}

pub struct DeclarationLine {
    pub id: i32,
    pub hazard: String,
    pub started_on: String,
    pub ended_on: String,
    pub claims_close_on: String,
    pub description: String,
    /// The tambon names, for reading.
    pub tambons: Vec<String>,
    /// The correction form's fields (name, label key, input type, value): as stored, or as
    /// typed when refused.
    pub correction: Vec<(&'static str, &'static str, &'static str, String)>,
    /// This line's correction was refused (its errors are the page's).
    pub refused: bool,
}

#[derive(Template)]
#[template(path = "admin/disasters.html")]
struct DisastersPage {
    ctx: Ctx,
    form: DisasterForm,
    errors: FieldErrors,
    hazards: Vec<Choice>,
    declarations: Vec<DeclarationLine>,
    result: Option<String>,
    /// Errors of a refused correction (keyed by its fields), kept apart from the new
    /// declaration's.
    correction_errors: FieldErrors,
}

async fn page(
    ctx: Ctx,
    form: DisasterForm,
    errors: FieldErrors,
    result: Option<String>,
) -> Result<DisastersPage, AppError> {
    page_with(ctx, form, errors, result, None).await
}

/// The page, with a refused correction of one declaration shown as typed.
async fn page_with(
    ctx: Ctx,
    form: DisasterForm,
    errors: FieldErrors,
    result: Option<String>,
    refused: Option<(i32, CorrectionForm, FieldErrors)>,
) -> Result<DisastersPage, AppError> {
    let rows = ctx.db(|conn| Ok(disasters::list(conn)?)).await?;
    let tr = ctx.tr;
    let (refused_id, refused_form, correction_errors) = match refused {
        Some((id, form, errors)) => (Some(id), Some(form), errors),
        None => (None, None, FieldErrors::default()),
    };
    let declarations = rows
        .into_iter()
        .map(|(row, places)| {
            let refused = refused_id == Some(row.id);
            let correction = match (&refused_form, refused) {
                (Some(typed), true) => typed.clone(),
                _ => CorrectionForm {
                    ended_on: row.ended_on.map(|d| d.to_string()).unwrap_or_default(),
                    claims_close_on: row
                        .claims_close_on
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                    description: row.description.clone(),
                },
            };
            let correction = vec![
                (
                    "ended_on",
                    "disasters.ended_on",
                    "date",
                    correction.ended_on,
                ),
                (
                    "claims_close_on",
                    "disasters.claims_close_on",
                    "date",
                    correction.claims_close_on,
                ),
                (
                    "description",
                    "disasters.description",
                    "text",
                    correction.description,
                ),
            ];
            DeclarationLine {
                id: row.id,
                hazard: tr.t(row.hazard.label_key()).to_owned(),
                started_on: tr.date(&row.started_on),
                ended_on: row
                    .ended_on
                    .map_or_else(|| tr.t("disasters.open_ended").to_owned(), |d| tr.date(&d)),
                claims_close_on: row.claims_close_on.map(|d| tr.date(&d)).unwrap_or_default(),
                description: row.description,
                tambons: places
                    .iter()
                    .map(|p| p.name(tr.locale).to_owned())
                    .collect(),
                correction,
                refused,
            }
        })
        .collect();
    let hazards = Hazard::ALL
        .iter()
        .map(|h| Choice {
            value: h.code().to_owned(),
            label: tr.t(h.label_key()).to_owned(),
            selected: h.code() == form.hazard,
        })
        .collect();
    Ok(DisastersPage {
        ctx,
        form,
        errors,
        hazards,
        declarations,
        result,
        correction_errors,
    })
}

pub async fn list(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.admin()?;
    render(&page(ctx, DisasterForm::default(), FieldErrors::default(), None).await?)
}

/// Tambon codes from what the administrator typed (`geography::expand_areas`), or why not.
fn expand_areas(
    conn: &mut crate::db::DbConn,
    text: &str,
) -> Result<Result<Vec<String>, Invalid>, AppError> {
    Ok(match geography::expand_areas(conn, text)? {
        None => Err(Invalid::new("error.disaster.areas")),
        Some(tambons) if tambons.is_empty() => Err(Invalid::new("error.disaster.no_areas")),
        Some(tambons) => Ok(tambons),
    })
}

pub async fn declare(
    ctx: Ctx,
    Posted(form): Posted<DisasterForm>,
) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let admin = ctx.admin()?.clone();
    let mut errors = FieldErrors::default();
    let hazard = errors.check("hazard", Hazard::parse(&form.hazard));
    let started_on = errors.check(
        "started_on",
        date::past_date(&form.started_on, ctx.state.clock.today()),
    );
    // A declaration may stay in force into the future.
    let claims_close_on = started_on.and_then(|started_on| {
        errors.check(
            "claims_close_on",
            disaster::claims_close_on(
                &form.claims_close_on,
                started_on,
                ctx.state.clock.today().max(started_on),
            ),
        )
    });
    let ended_on = match form.ended_on.trim() {
        "" => Some(None),
        text => errors.check("ended_on", date::parse(text).map(Some)),
    };
    if let (Some(start), Some(Some(end))) = (started_on, ended_on) {
        if end < start {
            errors.add("ended_on", "error.disaster.dates");
        }
    }
    if form.description.trim().is_empty() {
        errors.add("description", "error.required");
    }
    let areas = form.areas.clone();
    let tambons = ctx.db(move |conn| expand_areas(conn, &areas)).await?;
    let tambons = errors.check("areas", tambons);
    let (Some(hazard), Some(started_on), Some(ended_on), Some(claims_close_on), Some(tambons)) =
        (hazard, started_on, ended_on, claims_close_on, tambons)
    else {
        return render_invalid(&page(ctx, form, errors, None).await?);
    };
    if !errors.is_empty() {
        return render_invalid(&page(ctx, form, errors, None).await?);
    }

    let description = form.description.trim().to_owned();
    let (rules, notify) = (ctx.state.rules.clone(), ctx.state.notify());
    let declared = ctx
        .db(move |conn| {
            let declaration = disasters::NewDisaster {
                hazard: hazard.code(),
                started_on,
                ended_on,
                claims_close_on,
                description: &description,
                declared_by: Some(admin.id),
                tambons: &tambons,
            };
            Ok(services::disasters::declare(
                conn,
                &rules,
                &notify,
                &declaration,
                now,
            )?)
        })
        .await?;
    ctx.state.mail_wake.notify_one();
    let result = ctx.tr.fmt(
        "disasters.declared",
        &[
            ("households", &declared.households.to_string()),
            ("eligible", &declared.changes.newly_eligible.to_string()),
            ("claims", &declared.claims_drafted.to_string()),
        ],
    );
    render(
        &page(
            ctx,
            DisasterForm::default(),
            FieldErrors::default(),
            Some(result),
        )
        .await?,
    )
}

/// Ends or corrects a declaration: its end, its last day for damage reports, its details.
pub async fn correct(
    ctx: Ctx,
    path: actix_web::web::Path<i32>,
    Posted(form): Posted<CorrectionForm>,
) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let admin = ctx.admin()?.clone();
    let id = path.into_inner();
    let row = ctx
        .db(move |conn| disasters::find(conn, id)?.ok_or(AppError::NotFound))
        .await?;
    let mut errors = FieldErrors::default();
    let ended_on = match form.ended_on.trim() {
        "" => Some(None),
        text => errors.check("ended_on", date::parse(text).map(Some)),
    };
    if let Some(Some(end)) = ended_on {
        if end < row.started_on {
            errors.add("ended_on", "error.disaster.dates");
        }
    }
    let claims_close_on = errors.check(
        "claims_close_on",
        disaster::claims_close_on(&form.claims_close_on, row.started_on, row.started_on),
    );
    let description = form.description.trim().to_owned();
    if description.is_empty() {
        errors.add("description", "error.required");
    } else if description.chars().count() > 500 {
        errors.add("description", "error.too_long");
    }
    let (Some(ended_on), Some(claims_close_on), true) =
        (ended_on, claims_close_on, errors.is_empty())
    else {
        let refused = Some((id, form, errors));
        return render_invalid(
            &page_with(
                ctx,
                DisasterForm::default(),
                FieldErrors::default(),
                None,
                refused,
            )
            .await?,
        );
    };
    let (rules, notify, actor) = (ctx.state.rules.clone(), ctx.state.notify(), admin.actor());
    ctx.db(move |conn| {
        let correction = disasters::Correction {
            ended_on,
            claims_close_on,
            description: &description,
        };
        Ok(services::disasters::correct(
            conn,
            &rules,
            &notify,
            &actor,
            id,
            &correction,
            now,
        )?)
    })
    .await?;
    ctx.state.mail_wake.notify_one();
    let result = ctx.tr.t("disasters.corrected").to_owned();
    render(
        &page(
            ctx,
            DisasterForm::default(),
            FieldErrors::default(),
            Some(result),
        )
        .await?,
    )
}
