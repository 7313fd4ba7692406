//! What providers post back: the SMS gateway's delivery reports. Not pages (no session, no
//! CSRF): the gateway is recognised by the secret in the address only it was given.

use super::api::problem::{Problem, Refusal};
use super::AppState;
use crate::domain::Channel;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::services::ants::{Details, MAX_DETAILS};
use crate::services::delivery;
use actix_web::{web, HttpResponse};

/// A delivery report is a few hundred bytes per message.
const MAX_REPORT_BYTES: usize = 256 * 1024;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/hooks/sms/{token}")
            .app_data(web::PayloadConfig::new(MAX_REPORT_BYTES))
            .route(web::post().to(sms_report)),
    );
}

/// `POST /hooks/sms/{token}`: the gateway's delivery reports; an undelivered SMS moves on to
/// the person's next channel at once.
pub async fn sms_report(
    state: web::Data<AppState>,
    token: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, Problem> {
    let expected = &state.settings.sms.callback_token;
    if expected.is_empty() || !crate::domain::constant_time_eq(&token, expected) {
        return Err(Problem::new(Refusal::NotFound, Locale::En));
    }
    let report: Details = serde_json::from_slice(&body)
        .map_err(|_| Problem::new(Refusal::BadRequest("api.problem.bad_body"), Locale::En))?;
    if report.details.len() > MAX_DETAILS {
        return Err(Problem::new(
            Refusal::BadRequest("api.problem.batch_size"),
            Locale::En,
        ));
    }
    let now = state.clock.now();
    let moved_on = state
        .db(move |conn| {
            let mut moved_on = false;
            for detail in &report.details {
                let outcome = detail.status.report();
                let known = delivery::report(conn, Channel::Sms, &detail.message_id, &outcome, now)
                    .map_err(AppError::Internal)?;
                moved_on |= known && matches!(outcome, delivery::Report::Undelivered(_));
            }
            Ok(moved_on)
        })
        .await?;
    if moved_on {
        state.mail_wake.notify_one();
    }
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ok" })))
}
