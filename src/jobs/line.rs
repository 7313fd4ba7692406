//! The LINE channel: pushes through the LINE Messaging API (`POST {api}/v2/bot/message/push`,
//! Bearer channel access token). Each push carries a retry key made from the message's id, so
//! a retry after a timeout is never delivered twice (LINE answers 409 to a key it accepted).

use crate::config::LineSettings;
use crate::db::outbox::Message;
use crate::services::delivery::{self, Outcome};
use std::time::Duration;

const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// LINE's limit is 5,000 UTF-16 units per text; Kaset's messages are far shorter.
const MAX_TEXT_UNITS: usize = 4_900;

pub struct Pusher {
    client: reqwest::Client,
    push_url: String,
    token: String,
}

impl Pusher {
    /// The Messaging API client, when its channel access token is set.
    pub fn from_settings(settings: &LineSettings) -> Option<Self> {
        let token = settings.messaging_token.clone().filter(|t| !t.is_empty())?;
        let client = reqwest::Client::builder()
            .timeout(SEND_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| tracing::error!(%error, "cannot set up the LINE client"))
            .ok()?;
        Some(Self {
            client,
            push_url: format!(
                "{}/v2/bot/message/push",
                settings.api_url.trim_end_matches('/')
            ),
            token,
        })
    }

    pub async fn send(&self, message: &Message) -> Outcome {
        let Some(to) = message.line_user_id.as_deref() else {
            return Outcome::Refused("no LINE account linked".to_owned());
        };
        // The e-mail's text where there is one (LINE holds long texts), else the SMS.
        let text = if message.body_text.is_empty() {
            message.sms_text.clone()
        } else {
            message.body_text.clone()
        };
        let mut text = text;
        while text.encode_utf16().count() > MAX_TEXT_UNITS {
            text.pop();
        }
        let body = serde_json::json!({
            "to": to,
            "messages": [{ "type": "text", "text": text }],
        });
        let response = match self
            .client
            .post(&self.push_url)
            .bearer_auth(&self.token)
            .header("X-Line-Retry-Key", delivery::retry_key(message.id))
            .json(&body)
            .send()
            .await
        {
            Ok(response) => response,
            Err(error) => return Outcome::Retry(format!("LINE unreachable: {error}")),
        };
        let status = response.status();
        let request_id = response
            .headers()
            .get("x-line-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let detail = response.text().await.unwrap_or_default();
        match status.as_u16() {
            200..=299 => Outcome::Sent {
                provider_ref: request_id,
            },
            // The same retry key was accepted before: the first push went through.
            409 => Outcome::Sent {
                provider_ref: request_id,
            },
            429 if detail.contains("monthly limit") => {
                Outcome::Refused(format!("LINE monthly limit reached: {detail}"))
            }
            429 | 500..=599 => Outcome::Retry(format!("LINE answered {status}")),
            _ => Outcome::Refused(format!(
                "LINE refused it ({status}): {}",
                detail.chars().take(200).collect::<String>()
            )),
        }
    }
}
