//! The home page, language switch, health check and the embedded static files.

use super::context::{render, safe_next, Ctx, LANG_COOKIE};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::web::AppState;
use actix_web::cookie::{time::Duration, Cookie, SameSite};
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: Ctx,
}

pub async fn home(ctx: Ctx) -> Result<HttpResponse, AppError> {
    render(&HomePage { ctx })
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Remembers the language in a cookie and returns to the page the visitor was on. Only a
/// preference cookie changes, so a plain link (no form, no JavaScript) is enough.
pub async fn switch_language(
    path: web::Path<String>,
    query: web::Query<NextQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let locale = Locale::parse(&path).unwrap_or_default();
    let cookie = Cookie::build(LANG_COOKIE, locale.code())
        .path("/")
        .max_age(Duration::days(365))
        .same_site(SameSite::Lax)
        .http_only(true)
        .secure(state.settings.secure_cookies())
        .finish();
    HttpResponse::SeeOther()
        .cookie(cookie)
        .insert_header((header::LOCATION, safe_next(query.next.as_deref())))
        .finish()
}

/// 200 when the database answers, 503 otherwise.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    match state.db(|conn| Ok(crate::db::ping(conn)?)).await {
        Ok(()) => HttpResponse::Ok().json(serde_json::json!({ "status": "ok", "database": "ok" })),
        Err(error) => {
            tracing::error!(?error, "health check failed");
            HttpResponse::ServiceUnavailable()
                .json(serde_json::json!({ "status": "unavailable", "database": "unreachable" }))
        }
    }
}

// Static files are compiled in, so the binary runs from any directory.
const STYLESHEET: &str = include_str!("../../static/kaset.css");
const FAVICON: &str = include_str!("../../static/favicon.svg");

/// The stylesheet's address, versioned by its content: a browser keeps it for a year and asks
/// again only when a new release changes it (rural links are slow and often metered).
pub fn stylesheet_url() -> &'static str {
    static URL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    URL.get_or_init(|| {
        let hash = crate::domain::sha256_hex(STYLESHEET);
        format!("/static/kaset.css?v={}", &hash[..12])
    })
}

#[derive(Deserialize)]
pub struct Version {
    v: Option<String>,
}

/// The stylesheet: kept a year when asked for by this release's address, otherwise (an old
/// page, or no version) checked again each time.
pub async fn stylesheet(query: web::Query<Version>) -> HttpResponse {
    let current = query
        .v
        .as_deref()
        .is_some_and(|v| stylesheet_url().ends_with(&format!("?v={v}")));
    let cache = if current {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    static_file("text/css; charset=utf-8", STYLESHEET, cache)
}

pub async fn favicon() -> HttpResponse {
    static_file("image/svg+xml", FAVICON, "public, max-age=86400")
}

fn static_file(content_type: &str, body: &'static str, cache: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, cache))
        .body(body)
}
