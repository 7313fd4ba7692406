//! The farmer's personal-data rights (Thailand's PDPA): the privacy notice and their consents
//! (`/privacy`), everything Kaset holds about them as JSON, and who viewed it (`/my-data`).

use super::context::{redirect, render, render_invalid, Ctx, FieldErrors, Posted};
use super::routes::{Routes, FARMER};
use crate::db::{
    self, api_keys, applications, audit, consents, data_requests, notices, ratings, registry, users,
};
use crate::domain::data_request::{self, Details};
use crate::domain::partner::PRIVACY_NOTICE_VERSION;
use crate::domain::{ConsentPurpose, DataRequestKind, DataRequestStatus, NationalId, Role};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::services;
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

/// How many accesses "My data" lists.
const ACCESS_LOG_LINES: i64 = 200;

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

pub async fn privacy(ctx: Ctx) -> Result<HttpResponse, AppError> {
    render(&privacy_page(ctx, String::new(), FieldErrors::default()).await?)
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
    ctx.db(move |conn| {
        db::write_transaction(conn, |conn| {
            consents::record(conn, user.id, purpose, PRIVACY_NOTICE_VERSION, given, now)?;
            audit::record(
                conn,
                &actor,
                audit::Entry {
                    action: if given { "consent" } else { "withdraw_consent" },
                    entity: "consent",
                    entity_id: purpose.code().to_owned(),
                    household_id: user.household_id,
                    field: Some("purpose"),
                    new_value: Some(PRIVACY_NOTICE_VERSION.to_owned()),
                    ..audit::Entry::default()
                },
                now,
            )
        })
        .map_err(AppError::from)
    })
    .await?;
    Ok(redirect("/privacy#consents"))
}

pub struct AccessLine {
    pub at: String,
    pub who: String,
    pub what: String,
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
        .db(move |conn| access_log(conn, &tr, household_id))
        .await?;
    render(&MyDataPage { ctx, accesses })
}

/// Who viewed the household's data, in words: a staff member by name and role, a partner by
/// its key's name.
fn access_log(
    conn: &mut db::DbConn,
    tr: &Tr,
    household_id: i32,
) -> Result<Vec<AccessLine>, AppError> {
    let rows = audit::accesses_to_household(conn, household_id, ACCESS_LOG_LINES)?;
    let user_ids: Vec<i32> = rows.iter().filter_map(|r| r.actor_user_id).collect();
    let key_ids: Vec<i32> = rows.iter().filter_map(|r| r.api_key_id).collect();
    let people = users::names(conn, &user_ids)?;
    let partners: std::collections::HashMap<i32, String> =
        api_keys::names(conn, &key_ids)?.into_iter().collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let role = Role::parse(&row.actor_role)
                .map(|r| tr.t(r.label_key()).to_owned())
                .unwrap_or_else(|_| row.actor_role.clone());
            let name = row
                .api_key_id
                .and_then(|id| partners.get(&id))
                .or_else(|| row.actor_user_id.and_then(|id| people.get(&id)))
                .cloned()
                .unwrap_or_default();
            let refused = row
                .new_value
                .as_deref()
                .is_some_and(|status| status != "200");
            AccessLine {
                at: tr.moment(&row.at),
                who: format!("{name} ({role})"),
                what: tr
                    .t(match (row.action.as_str(), refused) {
                        ("api_call", false) => "my_data.access.api",
                        ("api_call", true) => "my_data.access.api_refused",
                        _ => "my_data.access.view",
                    })
                    .to_owned(),
            }
        })
        .collect())
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
            let account = users::find(conn, user_id)?.ok_or(AppError::NotFound)?;
            let farm = registry::load_farm(conn, household_id)?;
            let mut cases = Vec::new();
            for app in applications::for_household(conn, household_id)? {
                cases.push(serde_json::json!({
                    "events": applications::events(conn, app.id, false)?,
                    "attachments": applications::attachments_of(conn, app.id)?
                        .into_iter()
                        .map(|a| serde_json::json!({
                            "file_name": a.file_name,
                            "content_type": a.content_type,
                            "size_bytes": a.size_bytes,
                            "uploaded_at": a.created_at,
                        }))
                        .collect::<Vec<_>>(),
                    "rating": ratings::for_application(conn, app.id)?,
                    "application": app,
                }));
            }
            let accesses: Vec<serde_json::Value> = access_log(conn, &tr, household_id)?
                .into_iter()
                .map(|a| serde_json::json!({"at": a.at, "who": a.who, "what": a.what}))
                .collect();
            audit::record(
                conn,
                &actor,
                audit::Entry {
                    action: "export",
                    entity: "my_data",
                    entity_id: user_id.to_string(),
                    household_id: Some(household_id),
                    ..audit::Entry::default()
                },
                now,
            )?;
            Ok(serde_json::json!({
                "exported_at": now,
                "account": {
                    "id": account.id,
                    "role": account.role,
                    "email": account.email,
                    "national_id": account.national_id,
                    "display_name": account.display_name,
                    "language": account.locale,
                    "created_at": account.created_at,
                },
                "household": farm.household,
                // Other members' national IDs are their personal data, not the farmer's.
                "members": farm.members.iter().map(|m| {
                    let mut member = serde_json::json!(m);
                    if account.national_id.as_deref() != Some(m.national_id.as_str()) {
                        member["national_id"] = NationalId::mask_stored(&m.national_id).into();
                    }
                    member
                }).collect::<Vec<_>>(),
                "plots": farm.plots.into_iter().map(|(plot, plantings)| serde_json::json!({
                    "plot": plot,
                    "plantings": plantings,
                })).collect::<Vec<_>>(),
                "livestock": farm.livestock,
                "memberships": farm.memberships,
                "applications": cases,
                "notices": notices::for_user(conn, user_id, i64::MAX)?,
                "consents": consents::history(conn, user_id)?,
                "data_requests": data_requests::for_user(conn, user_id)?,
                "accesses": accesses,
            }))
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
