//! The farmer's personal-data rights (Thailand's PDPA): the privacy notice and their consents
//! (`/privacy`), everything Kaset holds about them as JSON, and who viewed it (`/my-data`).

use super::context::{redirect, render, render_invalid, Ctx, FieldErrors, Posted};
use super::routes::{Routes, FARMER};
use crate::db::{consents, data_requests, registry, users};
use crate::domain::data_request::{self, Details};
use crate::domain::partner::PRIVACY_NOTICE_VERSION;
use crate::domain::{ConsentPurpose, DataRequestKind, DataRequestStatus};
use crate::error::AppError;
use crate::services::personal_data::AccessLine;
use crate::services::{self, explained, personal_data};
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

pub fn routes(routes: &mut Routes) {
    routes
        .get("/privacy", FARMER, privacy)
        .post("/privacy/consents", FARMER, change_consent)
        .post("/privacy/corrections", FARMER, ask_correction)
        .post("/privacy/delete-account", FARMER, delete_account)
        .get("/my-data", FARMER, my_data)
        .get("/my-data/download", FARMER, download);
}

pub struct ConsentView {
    pub purpose: &'static str,
    pub label: String,
    pub given: bool,
    /// When it was last given or withdrawn, and under which notice.
    pub since: Option<String>,
}

pub struct RequestView {
    pub reference: String,
    pub status: String,
    pub open: bool,
    pub asked: String,
    pub due: String,
    pub details: String,
    pub resolution: String,
}

#[derive(Template)]
#[template(path = "privacy/privacy.html")]
struct PrivacyPage {
    ctx: Ctx,
    notice_version: &'static str,
    consents: Vec<ConsentView>,
    requests: Vec<RequestView>,
    /// What the farmer typed in the correction form (kept when it is refused).
    correction: String,
    errors: FieldErrors,
}

async fn privacy_page(
    ctx: Ctx,
    correction: String,
    errors: FieldErrors,
) -> Result<PrivacyPage, AppError> {
    let user_id = ctx.farmer()?.0.id;
    let (rows, requests) = ctx
        .db(move |conn| {
            Ok((
                consents::current(conn, user_id)?,
                data_requests::for_user(conn, user_id)?,
            ))
        })
        .await?;
    let tr = ctx.tr;
    let requests = requests
        .into_iter()
        .filter(|r| r.kind == DataRequestKind::Correction)
        .map(|r| RequestView {
            reference: data_request::reference(r.id),
            open: r.status == DataRequestStatus::Open,
            status: tr.t(r.status.label_key()).to_owned(),
            asked: tr.day_of(&r.created_at),
            due: tr.date(&r.due_on),
            details: r.details,
            resolution: r.resolution,
        })
        .collect();
    let consents = ConsentPurpose::ALL
        .iter()
        .map(|purpose| {
            let row = rows.iter().find(|r| r.purpose == *purpose);
            ConsentView {
                purpose: purpose.code(),
                label: tr.t(purpose.label_key()).to_owned(),
                given: row.is_some_and(|r| r.given),
                since: row.map(|r| {
                    tr.fmt(
                        if r.given {
                            "privacy.given_on"
                        } else {
                            "privacy.withdrawn_on"
                        },
                        &[("date", &tr.day_of(&r.at)), ("version", &r.notice_version)],
                    )
                }),
            }
        })
        .collect();
    Ok(PrivacyPage {
        ctx,
        notice_version: PRIVACY_NOTICE_VERSION,
        consents,
        requests,
        correction,
        errors,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PrivacyQuery {
    /// `<programme>.<condition>`: the explanation line the farmer said was wrong, whose
    /// facts pre-fill the correction form.
    about: String,
}

pub async fn privacy(ctx: Ctx, query: web::Query<PrivacyQuery>) -> Result<HttpResponse, AppError> {
    let about = query.into_inner().about;
    let correction = if about.is_empty() || about.len() > 200 {
        String::new()
    } else {
        let (_, household_id) = ctx.farmer()?;
        let (rules, today, locale) = (
            ctx.state.rules.clone(),
            ctx.state.clock.today(),
            ctx.tr.locale,
        );
        ctx.db(move |conn| {
            let farm = registry::load_farm(conn, household_id)?;
            let record = registry::rules_record(conn, &farm, today)?;
            Ok(
                explained::correction_text(&rules, &record, &about, today, locale)
                    .unwrap_or_default(),
            )
        })
        .await?
    };
    render(&privacy_page(ctx, correction, FieldErrors::default()).await?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CorrectionForm {
    details: String,
}

/// A correction of the registry record, for the district's officers.
pub async fn ask_correction(
    ctx: Ctx,
    Posted(form): Posted<CorrectionForm>,
) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let (user, household_id) = ctx.farmer()?;
    let (user_id, actor) = (user.id, user.actor());
    let details = match Details::parse(&form.details) {
        Ok(details) => details,
        Err(invalid) => {
            let mut errors = FieldErrors::default();
            errors.add("details", invalid.key);
            return render_invalid(&privacy_page(ctx, form.details, errors).await?);
        }
    };
    let public_url = ctx.state.public_url.clone();
    ctx.db(move |conn| {
        Ok(services::data_requests::ask_correction(
            conn,
            &actor,
            user_id,
            household_id,
            &details,
            &public_url,
            now,
        )?)
    })
    .await?;
    ctx.state.mail_wake.notify_one();
    Ok(redirect("/privacy?asked=1#requests"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeletionForm {
    password: String,
    confirm: String,
}

/// Deletes the farmer's account once they confirm with their password, and signs them out.
pub async fn delete_account(
    ctx: Ctx,
    Posted(form): Posted<DeletionForm>,
) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let (user, household_id) = ctx.farmer()?;
    let (user_id, actor) = (user.id, user.actor());
    let stored = ctx
        .db(move |conn| Ok(users::find(conn, user_id)?.map(|u| u.password_hash)))
        .await?;
    let password = form.password.clone();
    let right =
        web::block(move || crate::domain::verify_password(&password, stored.as_deref())).await?;
    let mut errors = FieldErrors::default();
    if form.confirm != "yes" {
        errors.add("confirm", "privacy.error.confirm_deletion");
    }
    if !right {
        errors.add("password", "privacy.error.password");
    }
    if !errors.is_empty() {
        return render_invalid(&privacy_page(ctx, String::new(), errors).await?);
    }
    ctx.db(move |conn| {
        Ok(services::data_requests::delete_account(
            conn,
            &actor,
            user_id,
            household_id,
            now,
        )?)
    })
    .await?;
    ctx.sign_out();
    Ok(redirect("/?account_deleted=1"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConsentForm {
    purpose: String,
    /// `give` or `withdraw`.
    choice: String,
}

pub async fn change_consent(
    ctx: Ctx,
    Posted(form): Posted<ConsentForm>,
) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let user = ctx.farmer()?.0.clone();
    let given = match form.choice.as_str() {
        "give" => Some(true),
        "withdraw" => Some(false),
        _ => None,
    };
    let (Ok(purpose), Some(given)) = (ConsentPurpose::parse(&form.purpose), given) else {
        let mut errors = FieldErrors::default();
        errors.add("consents", "error.choice");
        return render_invalid(&privacy_page(ctx, String::new(), errors).await?);
    };
    let actor = user.actor();
    let farmer = (user.id, user.household_id);
    ctx.db(move |conn| {
        Ok(personal_data::record_consent(
            conn, &actor, farmer, purpose, given, now,
        )?)
    })
    .await?;
    Ok(redirect("/privacy#consents"))
}

#[derive(Template)]
#[template(path = "privacy/my_data.html")]
struct MyDataPage {
    ctx: Ctx,
    accesses: Vec<AccessLine>,
}

pub async fn my_data(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let (_, household_id) = ctx.farmer()?;
    let tr = ctx.tr;
    let accesses = ctx
        .db(move |conn| {
            Ok(personal_data::accesses_to_household(
                conn,
                &tr,
                household_id,
            )?)
        })
        .await?;
    render(&MyDataPage { ctx, accesses })
}

/// Everything Kaset holds about the signed-in farmer and their household, as one JSON file.
pub async fn download(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let (user, household_id) = ctx.farmer()?;
    let user_id = user.id;
    let actor = user.actor();
    let tr = ctx.tr;
    let export = ctx
        .db(move |conn| {
            Ok(personal_data::export(
                conn,
                &tr,
                &actor,
                (user_id, household_id),
                now,
            )?)
        })
        .await?;
    let body = serde_json::to_string_pretty(&export).map_err(|e| AppError::Internal(e.into()))?;
    Ok(HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"kaset-my-data.json\"",
        ))
        .body(body))
}
