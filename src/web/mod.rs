//! HTTP: routes, extractors, and the view models of the templates. Handlers are thin: extract,
//! parse into domain types, call one db function, render or redirect.

pub mod account;
pub mod actions;
pub mod admin;
pub mod api;
pub mod applications;
pub mod auth;
pub mod case_view;
pub mod cases;
pub mod charts;
pub mod codes;
pub mod context;
pub mod data_requests;
pub mod disasters;
pub mod drafts;
pub mod entitlements;
pub mod error_pages;
pub mod farm;
pub mod hooks;
pub mod impact;
pub mod notices;
pub mod officer;
pub mod open_data;
pub mod outreach;
pub mod page_feedback;
pub mod pages;
pub mod partner_keys;
pub mod payments;
pub mod privacy;
pub mod registry_rejects;
pub mod routes;
pub mod satisfaction;
pub mod session_store;
pub mod state;
pub mod thaid;
pub mod uploads;

pub use state::AppState;

use actix_web::web;
use routes::{Access, Routes, FARMER, MANAGER};

/// Every route of the server: the pages (from the route table), then the partner API.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.configure(error_pages::extractor_errors)
        .configure(routes::register)
        .configure(hooks::routes)
        .configure(api::routes);
}

/// The page routes, each with who may use it (see `routes`).
fn page_routes(routes: &mut Routes) {
    routes
        .get("/", Access::Public, pages::home)
        .get("/healthz", Access::Public, pages::healthz)
        .get("/lang/{code}", Access::Public, pages::switch_language)
        .get("/static/kaset.css", Access::Public, pages::stylesheet)
        .get("/favicon.svg", Access::Public, pages::favicon)
        .get("/favicon.ico", Access::Public, pages::favicon)
        .get("/login", Access::Public, auth::login_page)
        .post("/login", Access::Public, auth::login)
        .post("/logout", Access::Public, auth::logout)
        .get("/register", Access::Public, auth::register_page)
        .post("/register", Access::Public, auth::register)
        .get("/password/forgot", Access::Public, auth::forgot_page)
        .post("/password/forgot", Access::Public, auth::forgot)
        .get("/password/reset", Access::Public, auth::reset_page)
        .post("/password/reset", Access::Public, auth::reset)
        .get("/farm", FARMER, farm::my_farm)
        .get("/entitlements", FARMER, entitlements::my_entitlements)
        .get("/payments", FARMER, payments::my_payments)
        .get("/rules/facts", Access::Public, entitlements::fact_catalogue)
        .get("/notifications", Access::SignedIn, notices::list)
        .post("/notifications/read", Access::SignedIn, notices::mark_read)
        .post("/feedback/page", Access::Public, page_feedback::answer)
        .get("/manager/impact", MANAGER, impact::impact)
        .get("/manager/satisfaction", MANAGER, satisfaction::dashboard);
    account::routes(routes);
    codes::routes(routes);
    thaid::routes(routes);
    officer::routes(routes);
    applications::routes(routes);
    cases::routes(routes);
    admin::routes(routes);
    actions::routes(routes);
    disasters::routes(routes);
    partner_keys::routes(routes);
    privacy::routes(routes);
    data_requests::routes(routes);
    open_data::routes(routes);
    outreach::routes(routes);
    registry_rejects::routes(routes);
}
