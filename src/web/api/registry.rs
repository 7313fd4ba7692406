//! Registry updates from a partner's system (e.g. a provincial office's own registry), in the
//! registry sync's format: each household stored alone or refused with where and why, then
//! re-decided by the rules engine.

use super::partner::Partner;
use super::problem::{Problem, ProblemBody, Refusal};
use crate::domain::ApiScope;
use crate::i18n::Tr;
use crate::services::registry_sync as registry;
use actix_web::{post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The most households one call may send.
pub const MAX_HOUSEHOLDS: usize = 500;

#[derive(Deserialize, ToSchema)]
pub struct HouseholdUpdates {
    /// Each household's whole current state, in the registry sync format (see the README).
    #[schema(value_type = Vec<Object>)]
    pub households: Vec<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct UpdateResults {
    pub results: Vec<UpdateResult>,
}

#[derive(Serialize, ToSchema)]
pub struct UpdateResult {
    pub registry_number: String,
    /// `stored` or `refused`.
    pub outcome: String,
    /// For a refused household: where in the record, e.g. `members[0].national_id`.
    pub field: Option<String>,
    /// For a refused household: why, in words.
    pub problem: Option<String>,
}

/// Stores households sent by a partner's registry, each alone, within the key's area.
#[utoipa::path(
    tag = "registry",
    request_body = HouseholdUpdates,
    responses(
        (status = 200, description = "The outcome for each household, in the order given", body = UpdateResults),
        (status = 400, description = "A body that cannot be read, or more than 500 households", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "No valid API key", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks the `registry:write` scope", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Over the key's rate limit", body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
#[post("/registry/households")]
pub async fn write_households(partner: Partner, body: web::Bytes) -> Result<HttpResponse, Problem> {
    let check = partner.require(ApiScope::RegistryWrite);
    let gate = partner.gate();
    let area = partner.area();
    let actor = partner.actor();
    let source = format!("api:{}", partner.key.id);
    let rules = partner.state.rules.clone();
    let notify = partner.state.notify();
    let tr = Tr::new(partner.locale);
    let now = partner.state.clock.now();
    let updates: Result<HouseholdUpdates, _> = serde_json::from_slice(&body);
    let outcome = partner
        .run("registry_update", String::new(), move |conn, _| {
            check?;
            let updates =
                updates.map_err(|_| gate.problem(Refusal::BadRequest("api.problem.bad_body")))?;
            if updates.households.is_empty() || updates.households.len() > MAX_HOUSEHOLDS {
                return Err(gate.problem(Refusal::BadRequest("api.problem.registry_batch_size")));
            }
            let received = updates.households.into_iter().map(registry::read).collect();
            let writer = registry::Writer {
                source: &source,
                actor: &actor,
                area: &area,
            };
            let applied =
                registry::store_partner_records(conn, &rules, &notify, &writer, received, now)
                    .map_err(|e| Problem::from(crate::error::AppError::Internal(e.into())))?;
            Ok(applied.outcome)
        })
        .await?;
    Ok(HttpResponse::Ok().json(UpdateResults {
        results: outcome
            .records
            .into_iter()
            .map(|r| match r.stored {
                Ok(_) => UpdateResult {
                    registry_number: r.registry_number,
                    outcome: "stored".to_owned(),
                    field: None,
                    problem: None,
                },
                Err(rejection) => UpdateResult {
                    registry_number: r.registry_number,
                    outcome: "refused".to_owned(),
                    problem: Some(tr.t(rejection.key).to_owned()),
                    field: Some(rejection.field),
                },
            })
            .collect(),
    }))
}
