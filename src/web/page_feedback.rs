//! "Was this page useful?" on every page: a yes or a no, counted per page for managers.
//!
//! The little form carries no CSRF token: a token would give every anonymous visitor a session
//! (a database row) just for reading a page. Instead the post must come from one of Kaset's
//! own pages (its Origin, or else its Referer, names this host), which stops other sites from
//! posting it; the worst a forged answer could do is one vote. A script posting answers by
//! the thousand is stopped by per-visitor limits.

use super::context::{client_ip, render, render_status, Ctx};
use crate::error::AppError;
use crate::services::page_answers::{self, Voter};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct PageAnswer {
    #[serde(default)]
    path: String,
    #[serde(default)]
    useful: String,
}

#[derive(Template)]
#[template(path = "page_feedback.html")]
struct ThanksPage {
    ctx: Ctx,
    back: String,
    /// False when the voter was over a limit and the answer was not counted.
    counted: bool,
}

/// Whether the request came from a page of this host.
fn from_this_site(req: &HttpRequest) -> bool {
    let host = req.connection_info().host().to_owned();
    let origin = req
        .headers()
        .get("origin")
        .or_else(|| req.headers().get("referer"))
        .and_then(|v| v.to_str().ok());
    origin.is_some_and(|o| {
        let rest = o.split_once("://").map_or("", |(_, rest)| rest);
        rest.split('/').next() == Some(host.as_str())
    })
}

pub async fn answer(
    ctx: Ctx,
    req: HttpRequest,
    form: web::Form<PageAnswer>,
) -> Result<HttpResponse, AppError> {
    let now = ctx.state.clock.now();
    if !from_this_site(&req) {
        return Err(AppError::Csrf);
    }
    let useful = match form.useful.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(AppError::NotFound),
    };
    // Only a path of Kaset, without its query (which may hold a token), at most 200 characters.
    let path = super::context::safe_next(Some(&form.path));
    let path: String = path
        .split(['?', '#'])
        .next()
        .unwrap_or("/")
        .chars()
        .take(200)
        .collect();
    let user_id = ctx.user.as_ref().map(|u| u.id);
    let address = client_ip(&req, ctx.state.settings.proxy_hops);
    let counted = {
        let path = path.clone();
        ctx.db(move |conn| {
            let voter = match user_id {
                Some(id) => Voter::User(id),
                None => Voter::Address(&address),
            };
            Ok(page_answers::record(conn, &path, useful, voter, now)?)
        })
        .await?
    };
    let page = ThanksPage {
        ctx,
        back: path,
        counted,
    };
    if counted {
        render(&page)
    } else {
        render_status(StatusCode::TOO_MANY_REQUESTS, &page)
    }
}
