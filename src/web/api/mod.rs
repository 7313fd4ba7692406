//! The partner JSON API at `/api/v1`, for other agencies' systems. Every route is registered
//! through `utoipa_actix_web`, which takes its path and method from the route itself, so the
//! OpenAPI document at `/api/v1/openapi.json` is generated from the code and cannot drift.

pub mod cases;
pub mod households;
pub mod partner;
pub mod payments;
pub mod problem;
pub mod registry;

use actix_web::{get, web, HttpRequest, HttpResponse};
use std::sync::OnceLock;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::OpenApiFactory;

pub const PREFIX: &str = "/api/v1";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kaset partner API",
        version = "1",
        description = "For agencies that serve Thai farmers. Every call needs an API key (`Authorization: Bearer kst_…`) \
            issued by a Kaset administrator, with the scopes and area it may use. A farmer's personal data is only \
            returned where the farmer has consented to the key's purpose. Errors are RFC 9457 problem details; \
            lists are paged with opaque cursors. Texts are in Thai, or in English with `Accept-Language: en`."
    ),
    modifiers(&BearerKey),
    tags(
        (name = "households", description = "Registered households and their entitlements"),
        (name = "cases", description = "Applications' status"),
        (name = "payments", description = "For the paying agency"),
        (name = "registry", description = "Registry updates from partners' systems"),
        (name = "meta", description = "This document")
    )
)]
struct ApiDoc;

struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

fn endpoints(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(openapi_json)
        .service(households::household_entitlements)
        .service(cases::case_status)
        .service(payments::awaiting_payment)
        .service(payments::mark_paid)
        .service(registry::write_households);
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope(PREFIX)
            // Answers carry personal data: no cache along the way may keep them.
            .wrap(
                actix_web::middleware::DefaultHeaders::new()
                    .add((actix_web::http::header::CACHE_CONTROL, "no-store")),
            )
            .configure(endpoints)
            .default_service(web::to(no_such_route)),
    );
}

/// The OpenAPI 3 document of every route registered above.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOCUMENT: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let scope = utoipa_actix_web::scope(PREFIX).configure(endpoints);
        let mut doc = ApiDoc::openapi();
        doc.paths.merge(scope.paths());
        let mut schemas = Vec::new();
        scope.schemas(&mut schemas);
        doc.components
            .get_or_insert_with(Default::default)
            .schemas
            .extend(schemas);
        doc
    })
}

/// This API's OpenAPI 3 document.
#[utoipa::path(
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3 document of this API", content_type = "application/json"))
)]
#[get("/openapi.json")]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(document())
}

async fn no_such_route(req: HttpRequest) -> Result<HttpResponse, problem::Problem> {
    Err(problem::Problem::new(
        problem::Refusal::NotFound,
        partner::api_locale(&req),
    ))
}
