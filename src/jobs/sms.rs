//! The SMS channel: ANTS's HTTP API (`POST {url}/sms/send`, HTTP Basic authentication, JSON).
//! Each message asks for its delivery report at Kaset's own address; the report comes back to
//! `web::hooks` and moves an undelivered message on to the person's next channel.

use crate::config::SmsSettings;
use crate::db::outbox::Message;
use crate::domain::Phone;
use crate::services::ants::Details;
use crate::services::delivery::Outcome;
use serde::Serialize;
use std::time::Duration;

/// How long one send may take before it counts as failed for now.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Gateway {
    client: reqwest::Client,
    send_url: String,
    username: String,
    password: String,
    sender: String,
    report_url: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SendRequest<'a> {
    messages: [OneText<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OneText<'a> {
    from: &'a str,
    destinations: [Destination; 1],
    text: &'a str,
    notify_url: &'a str,
    notify_content_type: &'static str,
    callback_data: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Destination {
    to: String,
    message_id: String,
}

impl Gateway {
    /// The gateway, when its URL is set; `public_url` is where its reports come back.
    pub fn from_settings(settings: &SmsSettings, public_url: &str) -> Option<Self> {
        let url = settings.url.as_deref()?.trim_end_matches('/');
        let client = reqwest::Client::builder()
            .timeout(SEND_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| tracing::error!(%error, "cannot set up the SMS client"))
            .ok()?;
        if settings.callback_token.len() < 16 {
            tracing::warn!("KASET_SMS_CALLBACK_TOKEN is shorter than 16 characters: delivery reports are easy to forge");
        }
        Some(Self {
            client,
            send_url: format!("{url}/sms/send"),
            username: settings.username.clone(),
            password: settings.password.clone(),
            sender: settings.sender.clone(),
            report_url: format!("{public_url}/hooks/sms/{}", settings.callback_token),
        })
    }

    pub async fn send(&self, message: &Message) -> Outcome {
        let Some(phone) = message.phone.as_deref().and_then(|p| Phone::parse(p).ok()) else {
            return Outcome::Refused("no mobile number".to_owned());
        };
        if message.sms_text.is_empty() {
            return Outcome::Refused("no SMS text".to_owned());
        }
        // Our own id for the message: the gateway reports it back, and a resend after a
        // timeout is recognisably the same message.
        let ours = format!("kaset-{}", message.id);
        let request = SendRequest {
            messages: [OneText {
                from: &self.sender,
                destinations: [Destination {
                    to: phone.international(),
                    message_id: ours.clone(),
                }],
                text: &message.sms_text,
                notify_url: &self.report_url,
                notify_content_type: "application/json",
                callback_data: ours.clone(),
            }],
        };
        let response = match self
            .client
            .post(&self.send_url)
            .basic_auth(&self.username, Some(&self.password))
            .json(&request)
            .send()
            .await
        {
            Ok(response) => response,
            Err(error) => return Outcome::Retry(format!("SMS gateway unreachable: {error}")),
        };
        let status = response.status();
        if status.as_u16() == 429 || status.is_server_error() {
            return Outcome::Retry(format!("SMS gateway answered {status}"));
        }
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            return Outcome::Refused(format!(
                "SMS gateway refused it ({status}): {}",
                body.chars().take(200).collect::<String>()
            ));
        }
        match response.json::<Details>().await {
            Ok(answer) => match answer.details.into_iter().next() {
                Some(detail) if detail.status.name.eq_ignore_ascii_case("REJECTED") => {
                    Outcome::Refused(format!(
                        "REJECTED {} {}",
                        detail.status.code, detail.status.description
                    ))
                }
                Some(detail) if !detail.message_id.is_empty() => Outcome::Sent {
                    provider_ref: Some(detail.message_id),
                },
                _ => Outcome::Sent {
                    provider_ref: Some(ours),
                },
            },
            // Taken (200) but an answer we cannot read: sent, under our own id.
            Err(_) => Outcome::Sent {
                provider_ref: Some(ours),
            },
        }
    }
}
