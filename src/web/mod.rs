//! HTTP: routes, extractors, and the view models of the templates. Handlers are thin: extract,
//! parse into domain types, call one db function, render or redirect.

pub mod actions;
pub mod admin;
pub mod api;
pub mod applications;
pub mod auth;
pub mod cases;
pub mod charts;
pub mod context;
pub mod data_requests;
pub mod disasters;
pub mod entitlements;
pub mod error_pages;
pub mod farm;
pub mod impact;
pub mod notices;
pub mod officer;
pub mod open_data;
pub mod page_feedback;
pub mod pages;
pub mod partner_keys;
pub mod privacy;
pub mod registry_rejects;
pub mod satisfaction;
pub mod session_store;
pub mod uploads;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.configure(error_pages::extractor_errors)
        .route("/", web::get().to(pages::home))
        .route("/healthz", web::get().to(pages::healthz))
        .route("/lang/{code}", web::get().to(pages::switch_language))
        .route("/static/kaset.css", web::get().to(pages::stylesheet))
        .route("/favicon.svg", web::get().to(pages::favicon))
        .route("/favicon.ico", web::get().to(pages::favicon))
        .route("/login", web::get().to(auth::login_page))
        .route("/login", web::post().to(auth::login))
        .route("/logout", web::post().to(auth::logout))
        .route("/register", web::get().to(auth::register_page))
        .route("/register", web::post().to(auth::register))
        .route("/password/forgot", web::get().to(auth::forgot_page))
        .route("/password/forgot", web::post().to(auth::forgot))
        .route("/password/reset", web::get().to(auth::reset_page))
        .route("/password/reset", web::post().to(auth::reset))
        .route("/farm", web::get().to(farm::my_farm))
        .route(
            "/entitlements",
            web::get().to(entitlements::my_entitlements),
        )
        .route("/rules/facts", web::get().to(entitlements::fact_catalogue))
        .configure(officer::routes)
        .configure(applications::routes)
        .configure(cases::routes)
        .route("/notifications", web::get().to(notices::list))
        .route("/notifications/read", web::post().to(notices::mark_read))
        .route("/feedback/page", web::post().to(page_feedback::answer))
        .route("/manager/impact", web::get().to(impact::impact))
        .route(
            "/manager/satisfaction",
            web::get().to(satisfaction::dashboard),
        )
        .configure(admin::routes)
        .configure(actions::routes)
        .configure(disasters::routes)
        .configure(partner_keys::routes)
        .configure(privacy::routes)
        .configure(data_requests::routes)
        .configure(open_data::routes)
        .configure(registry_rejects::routes)
        .configure(api::routes);
}
