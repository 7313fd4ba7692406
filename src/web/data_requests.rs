//! The officers' list of farmers' correction requests in their area: the earliest deadline
//! first, each with a link to the household's record (where the correction is made) and a
//! form to answer it, corrected or declined with the reason.

use super::context::{redirect, render, render_invalid, Ctx, FieldErrors, Posted};
use super::routes::{Routes, OFFICER, STAFF};
use crate::db::{data_requests, registry};
use crate::domain::data_request;
use crate::domain::DataRequestStatus;
use crate::error::AppError;
use crate::services;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

pub fn routes(routes: &mut Routes) {
    routes.get("/officer/data-requests", STAFF, list).post(
        "/officer/data-requests/{id}",
        OFFICER,
        answer,
    );
}

pub struct RequestLine {
    pub id: i32,
    pub reference: String,
    pub household_id: i32,
    pub registry_number: String,
    pub asked: String,
    pub due: String,
    pub overdue: bool,
    pub details: String,
    /// The officer's refused answer: why (catalogue keys), and what they typed.
    pub errors: Vec<&'static str>,
    pub typed: String,
}

#[derive(Template)]
#[template(path = "officer/data_requests.html")]
struct RequestsPage {
    ctx: Ctx,
    requests: Vec<RequestLine>,
    can_answer: bool,
}

async fn page(
    ctx: Ctx,
    failed: Option<(i32, String)>,
    errors: FieldErrors,
) -> Result<RequestsPage, AppError> {
    let scope = ctx.staff()?.scope.clone();
    let tr = ctx.tr;
    let today = ctx.state.clock.today();
    let requests: Vec<RequestLine> = ctx
        .db(move |conn| {
            let mut lines = Vec::new();
            for row in data_requests::open_in_scope(conn, &scope)? {
                let household = registry::find_household(conn, row.household_id)?;
                lines.push(RequestLine {
                    id: row.id,
                    reference: data_request::reference(row.id),
                    household_id: row.household_id,
                    registry_number: household.registry_number,
                    asked: tr.day_of(&row.created_at),
                    due: tr.date(&row.due_on),
                    overdue: row.due_on < today,
                    details: row.details,
                    errors: Vec::new(),
                    typed: String::new(),
                });
            }
            Ok(lines)
        })
        .await?;
    let mut requests = requests;
    if let Some((id, typed)) = failed {
        if let Some(line) = requests.iter_mut().find(|l| l.id == id) {
            line.errors = errors.all().iter().map(|(_, key)| *key).collect();
            line.typed = typed;
        }
    }
    let can_answer = ctx.officer().is_ok();
    Ok(RequestsPage {
        ctx,
        requests,
        can_answer,
    })
}

pub async fn list(ctx: Ctx) -> Result<HttpResponse, AppError> {
    render(&page(ctx, None, FieldErrors::default()).await?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AnswerForm {
    /// `done` or `declined`.
    outcome: String,
    message: String,
}

pub async fn answer(
    ctx: Ctx,
    path: web::Path<i32>,
    Posted(form): Posted<AnswerForm>,
) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let officer = ctx.officer()?.clone();
    let id = path.into_inner();
    // Another area's request is not found, whatever the form holds.
    let scope = officer.scope.clone();
    let request = ctx
        .db(move |conn| data_requests::find_in_scope(conn, &scope, id)?.ok_or(AppError::NotFound))
        .await?;
    let mut errors = FieldErrors::default();
    let outcome = match DataRequestStatus::parse(&form.outcome) {
        Ok(status) if status != DataRequestStatus::Open => Some(status),
        _ => {
            errors.add("outcome", "error.choice");
            None
        }
    };
    let message = form.message.trim().to_owned();
    if message.is_empty() {
        errors.add("message", "data_requests.error.answer_required");
    } else if message.chars().count() > 2000 {
        errors.add("message", "error.too_long");
    }
    let Some(outcome) = outcome.filter(|_| errors.is_empty()) else {
        return render_invalid(&page(ctx, Some((id, form.message)), errors).await?);
    };
    let public_url = ctx.state.public_url.clone();
    let actor = officer.actor();
    let answered = ctx
        .db(move |conn| {
            Ok(services::data_requests::answer(
                conn,
                &actor,
                &request,
                outcome,
                &message,
                &public_url,
                now,
            )?)
        })
        .await?;
    if answered {
        ctx.state.mail_wake.notify_one();
    }
    Ok(redirect("/officer/data-requests"))
}
