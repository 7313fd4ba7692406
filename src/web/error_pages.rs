//! Friendly error pages (404, 403, 500 …) in the visitor's language, for every error response
//! that does not already carry its own body.

use super::context::{request_locale, CurrentUser};
use crate::i18n::Tr;
use actix_web::dev::ServiceResponse;
use actix_web::http::{header, StatusCode};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::HttpResponse;
use askama::Template;

/// What the base layout needs, for pages rendered outside a handler (no session access here).
pub struct ErrorCtx {
    pub tr: Tr,
    pub user: Option<CurrentUser>,
    pub path: String,
}

impl ErrorCtx {
    pub fn csrf_token(&self) -> String {
        String::new()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: ErrorCtx,
    status: u16,
    title_key: &'static str,
    message_key: &'static str,
}

pub fn handlers<B: 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(render_error_page)
}

fn keys(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::NOT_FOUND => ("error.not_found.title", "error.not_found.message"),
        StatusCode::FORBIDDEN => ("error.forbidden.title", "error.forbidden.message"),
        StatusCode::TOO_MANY_REQUESTS => ("error.too_many.title", "error.too_many.message"),
        StatusCode::PAYLOAD_TOO_LARGE => ("error.too_large.title", "error.too_large.message"),
        StatusCode::SERVICE_UNAVAILABLE => ("error.unavailable.title", "error.unavailable.message"),
        s if s.is_client_error() => ("error.bad_request.title", "error.bad_request.message"),
        _ => ("error.server.title", "error.server.message"),
    }
}

fn render_error_page<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    if res.headers().contains_key(header::CONTENT_TYPE) {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let (title_key, message_key) = keys(status);
    let page = ErrorPage {
        ctx: ErrorCtx {
            tr: Tr::new(request_locale(res.request())),
            user: None,
            path: res.request().path().to_owned(),
        },
        status: status.as_u16(),
        title_key,
        message_key,
    };
    let body = page.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "error page failed to render");
        String::from("Error")
    });
    let (req, _) = res.into_parts();
    let response = HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body);
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body::<B>(),
    ))
}

/// What actix's extractors answer when a query, path, form or JSON body cannot be read (or is
/// too large) is plain text naming Rust types. Here it becomes the friendly page of its status
/// (an empty body, which `render_error_page` fills in), or problem JSON under the API.
pub fn extractor_errors(cfg: &mut actix_web::web::ServiceConfig) {
    use actix_web::web;
    cfg.app_data(web::QueryConfig::default().error_handler(|e, req| unreadable(e.into(), req)))
        .app_data(web::PathConfig::default().error_handler(|e, req| unreadable(e.into(), req)))
        .app_data(web::FormConfig::default().error_handler(|e, req| unreadable(e.into(), req)))
        .app_data(web::JsonConfig::default().error_handler(|e, req| unreadable(e.into(), req)));
}

fn unreadable(error: actix_web::Error, req: &actix_web::HttpRequest) -> actix_web::Error {
    use super::api::{partner::api_locale, problem, PREFIX};
    let status = error.as_response_error().status_code();
    let response = if req.path().starts_with(PREFIX) {
        actix_web::ResponseError::error_response(&problem::Problem::new(
            problem::Refusal::BadRequest("api.problem.unreadable"),
            api_locale(req),
        ))
    } else {
        HttpResponse::build(status).finish()
    };
    actix_web::error::InternalError::from_response(error, response).into()
}
