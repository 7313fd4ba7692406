//! The officers' review list of records the registry sync refused (a bad national ID, an
//! unknown tambon, a negative area …): what, where in the record and why, until an officer
//! marks it reviewed once it is corrected at the source.

use super::context::{redirect, render, Ctx, NoFields, Posted};
use super::routes::{Routes, OFFICER, STAFF};
use crate::db::registry_sync;
use crate::error::AppError;
use actix_web::{web, HttpResponse};
use askama::Template;

pub fn routes(routes: &mut Routes) {
    routes.get("/officer/registry-rejects", STAFF, list).post(
        "/officer/registry-rejects/{id}/reviewed",
        OFFICER,
        reviewed,
    );
}

/// The most refused records one page lists.
const PAGE: i64 = 200;

pub struct RejectLine {
    pub id: i32,
    pub received: String,
    pub registry_number: String,
    pub field: String,
    pub problem: String,
    pub record: String,
}

#[derive(Template)]
#[template(path = "officer/registry_rejects.html")]
struct RejectsPage {
    ctx: Ctx,
    rejects: Vec<RejectLine>,
    can_review: bool,
}

pub async fn list(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let user = ctx.staff()?.clone();
    let tr = ctx.tr;
    let rows = ctx
        .db(move |conn| Ok(registry_sync::open_rejects(conn, &user.scope, PAGE)?))
        .await?;
    let rejects = rows
        .into_iter()
        .map(|row| RejectLine {
            id: row.id,
            received: tr.moment(&row.received_at),
            registry_number: row.registry_number,
            field: row.field,
            problem: tr.t(&row.problem).to_owned(),
            record: serde_json::from_str::<serde_json::Value>(&row.record)
                .and_then(|v| serde_json::to_string_pretty(&v))
                .unwrap_or(row.record),
        })
        .collect();
    let can_review = ctx.officer().is_ok();
    render(&RejectsPage {
        ctx,
        rejects,
        can_review,
    })
}

pub async fn reviewed(
    ctx: Ctx,
    path: web::Path<i32>,
    Posted(_): Posted<NoFields>,
) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    let user = ctx.officer()?.clone();
    let id = path.into_inner();
    let done = ctx
        .db(move |conn| {
            Ok(registry_sync::mark_reviewed(
                conn,
                &user.scope,
                id,
                user.id,
                now,
            )?)
        })
        .await?;
    if !done {
        return Err(AppError::NotFound);
    }
    Ok(redirect("/officer/registry-rejects"))
}
