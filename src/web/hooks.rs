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
    )
    .service(
        web::resource("/hooks/line")
            .app_data(web::PayloadConfig::new(MAX_REPORT_BYTES))
            .route(web::post().to(line_webhook)),
    );
}

#[derive(serde::Deserialize)]
struct LineEvents {
    #[serde(default)]
    events: Vec<LineEvent>,
}

#[derive(serde::Deserialize)]
struct LineEvent {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    source: LineSource,
}

#[derive(serde::Deserialize, Default)]
struct LineSource {
    #[serde(rename = "userId", default)]
    user_id: String,
}

/// `POST /hooks/line`: LINE's webhook, signed with the Messaging API channel's secret
/// (`x-line-signature`: base64 of HMAC-SHA256 of the body). A user who blocks Kaset's account
/// (`unfollow`) can no longer be reached there: LINE leaves their channels. Other events, and
/// LINE's empty check, are answered 200 and change nothing.
pub async fn line_webhook(
    state: web::Data<AppState>,
    request: actix_web::HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, Problem> {
    let Some(secret) = state.settings.line.messaging_secret.as_deref() else {
        return Err(Problem::new(Refusal::NotFound, Locale::En));
    };
    let signature = request
        .headers()
        .get("x-line-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !crate::domain::constant_time_eq(signature, &line_signature(secret, &body)) {
        return Err(Problem::new(Refusal::Unauthorized, Locale::En));
    }
    let events: LineEvents = serde_json::from_slice(&body)
        .map_err(|_| Problem::new(Refusal::BadRequest("api.problem.bad_body"), Locale::En))?;
    let blocked: Vec<String> = events
        .events
        .into_iter()
        .filter(|e| e.kind == "unfollow" && !e.source.user_id.is_empty())
        .map(|e| e.source.user_id)
        .take(MAX_DETAILS)
        .collect();
    if !blocked.is_empty() {
        let now = state.clock.now();
        state
            .db(move |conn| {
                for user in &blocked {
                    crate::services::accounts::line_blocked(conn, user, now)?;
                }
                Ok(())
            })
            .await?;
    }
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}

/// `base64(HMAC-SHA256(secret, body))`, as LINE signs its webhooks.
fn line_signature(secret: &str, body: &[u8]) -> String {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
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
