//! A case's status by its reference, for agencies following a farmer's application.

use super::partner::Partner;
use super::problem::{Problem, ProblemBody, Refusal};
use crate::db::applications as apps;
use crate::domain::ApiScope;
use actix_web::{get, web, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct CaseStatus {
    pub reference: String,
    pub programme_id: String,
    pub programme_title: String,
    /// `submitted`, `info_requested`, `approved`, `rejected`, `appealed`, `paid`, `completed`
    /// or `withdrawn`.
    pub status: String,
    pub submitted_at: Option<NaiveDateTime>,
    pub decided_on: Option<NaiveDate>,
    /// The service deadline while the case waits on the office.
    pub due_on: Option<NaiveDate>,
    /// The amount decided at submission, in satang.
    pub amount_satang: Option<i64>,
    /// The amount the officer approved, and the reason when it differs from `amount_satang`.
    pub approved_amount_satang: Option<i64>,
    pub approved_amount_reason: Option<String>,
    /// The amount the paying agency reports it paid.
    pub paid_amount_satang: Option<i64>,
    /// The public timeline, oldest first (officers' internal notes are not included).
    pub timeline: Vec<TimelineEvent>,
}

#[derive(Serialize, ToSchema)]
pub struct TimelineEvent {
    pub at: NaiveDateTime,
    /// The step: `submitted`, `info_requested`, `replied`, `approved`, `rejected`, `appealed`,
    /// `paid`, `completed`, `withdrawn`, …
    pub event: String,
}

/// A case's status and timeline by its reference number.
#[utoipa::path(
    tag = "cases",
    params(("reference" = String, Path, description = "The case's reference, e.g. `KS-2569-000123`")),
    responses(
        (status = 200, description = "The case's status", body = CaseStatus),
        (status = 401, description = "No valid API key", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks the `cases:read` scope, or the farmer has not consented to the key's purpose", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such case in the key's area", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Over the key's rate limit", body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[get("/cases/{reference}")]
pub async fn case_status(
    partner: Partner,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let reference = path.into_inner();
    let area = partner.area();
    let check = partner.require(ApiScope::CasesRead);
    let gate = partner.gate();
    let (app, events) = {
        let reference = reference.clone();
        partner
            .run("case_status", reference.clone(), move |conn, call| {
                check?;
                let app = apps::find_by_reference_in_scope(conn, &area, reference.trim())?
                    .ok_or_else(|| gate.problem(Refusal::NotFound))?;
                call.household_id = Some(app.household_id);
                gate.check_consent(conn, app.household_id)?;
                let events = apps::events(conn, app.id, false)?;
                Ok((app, events))
            })
            .await?
    };
    let title = partner
        .state
        .rules
        .title(&app.programme_id, partner.locale)
        .to_owned();
    Ok(HttpResponse::Ok().json(CaseStatus {
        reference: app.reference.clone().unwrap_or_default(),
        status: app.status.code().to_owned(),
        submitted_at: app.submitted_at,
        decided_on: app.decided_on,
        due_on: app.due_on,
        amount_satang: app.snapshot_amount_satang,
        approved_amount_satang: app.approved_amount_satang,
        approved_amount_reason: app.approved_amount_reason.clone(),
        paid_amount_satang: app.paid_amount_satang,
        timeline: events
            .into_iter()
            .map(|e| TimelineEvent {
                at: e.at,
                event: e.kind,
            })
            .collect(),
        programme_id: app.programme_id,
        programme_title: title,
    }))
}
