//! The outbox worker: wakes when a message is queued (or every poll), claims what is due and
//! sends each message through the channel it is at — e-mail by SMTP, SMS by the gateway.

use super::{line, mailer, sms};
use crate::config::Settings;
use crate::db::outbox::Message;
use crate::db::Pool;
use crate::domain::{Channel, Clock};
use crate::services::delivery::{self, Outcome};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// How SMS leave this server.
pub enum SmsChannel {
    Gateway(sms::Gateway),
    /// The demo without a gateway: each SMS is written to the server's log, so a visitor can
    /// finish a sign-up with its code. Never where a gateway is set.
    Log,
}

/// The channels this server can send by (none set up: a channel's messages move on).
pub struct Channels {
    pub email: Option<Arc<mailer::Sender>>,
    pub sms: Option<SmsChannel>,
    pub line: Option<line::Pusher>,
}

impl Channels {
    pub fn from_settings(settings: &Settings, public_url: &str) -> Self {
        let sms = match sms::Gateway::from_settings(&settings.sms, public_url) {
            Some(gateway) => Some(SmsChannel::Gateway(gateway)),
            None if settings.seed_demo => {
                tracing::warn!("KASET_SMS_URL is not set: the demo writes each SMS to this log instead of sending it");
                Some(SmsChannel::Log)
            }
            None => None,
        };
        Self {
            email: mailer::Sender::from_settings(&settings.smtp).map(Arc::new),
            sms,
            line: line::Pusher::from_settings(&settings.line),
        }
    }

    async fn send(&self, message: &Message) -> Outcome {
        match message.channel() {
            Some(Channel::Email) => match &self.email {
                Some(sender) => {
                    let sender = sender.clone();
                    let message = message.clone();
                    actix_web::web::block(move || sender.send(&message))
                        .await
                        .unwrap_or_else(|error| Outcome::Retry(error.to_string()))
                }
                None => Outcome::Refused("e-mail is not set up on this server".to_owned()),
            },
            Some(Channel::Sms) => match &self.sms {
                Some(SmsChannel::Gateway(gateway)) => gateway.send(message).await,
                Some(SmsChannel::Log) => {
                    tracing::warn!(
                        phone = message.phone.as_deref().unwrap_or_default(),
                        text = %message.sms_text,
                        "SMS (demo: not sent to a phone)"
                    );
                    Outcome::Sent { provider_ref: None }
                }
                None => Outcome::Refused("SMS is not set up on this server".to_owned()),
            },
            Some(Channel::Line) => match &self.line {
                Some(pusher) => pusher.send(message).await,
                None => Outcome::Refused("LINE is not set up on this server".to_owned()),
            },
            None => Outcome::Refused("no channel to send it by".to_owned()),
        }
    }
}

pub async fn run_outbox_worker(
    pool: Pool,
    channels: Channels,
    settings: crate::config::SmtpSettings,
    wake: Arc<Notify>,
    clock: Clock,
) {
    if channels.email.is_none() && channels.sms.is_none() && channels.line.is_none() {
        tracing::warn!("no channel is set up (KASET_SMTP_HOST, KASET_SMS_URL, KASET_LINE_*): messages wait in the outbox");
        return;
    }
    let poll = Duration::from_millis(settings.outbox_poll_ms.max(50));
    loop {
        match pass(&pool, &channels, settings.outbox_retry_secs, clock).await {
            Ok(0) => {}
            Ok(sent) => tracing::info!(sent, "outbox delivered"),
            Err(error) => tracing::warn!(%error, "outbox pass failed"),
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(poll) => {}
        }
    }
}

/// One pass over the due messages; how many were sent.
async fn pass(
    pool: &Pool,
    channels: &Channels,
    first_retry_secs: i64,
    clock: Clock,
) -> anyhow::Result<usize> {
    let claimed = {
        let pool = pool.clone();
        actix_web::web::block(move || delivery::claim_due(&mut *pool.get()?, clock.now())).await??
    };
    let mut sent = 0;
    for message in claimed {
        let outcome = channels.send(&message).await;
        let pool = pool.clone();
        let was_sent = actix_web::web::block(move || {
            delivery::record(
                &mut *pool.get()?,
                &message,
                outcome,
                first_retry_secs,
                clock.now(),
            )
        })
        .await??;
        sent += usize::from(was_sent);
    }
    Ok(sent)
}
