//! The outbox worker: wakes when a message is queued (or every poll), claims what is due and
//! sends each message through the channel it is at — e-mail by SMTP, SMS by the gateway.

use super::{mailer, sms};
use crate::config::Settings;
use crate::db::outbox::Message;
use crate::db::Pool;
use crate::domain::{Channel, Clock};
use crate::services::delivery::{self, Outcome};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// The channels this server can send by (none set up: a channel's messages move on).
pub struct Channels {
    pub email: Option<Arc<mailer::Sender>>,
    pub sms: Option<sms::Gateway>,
}

impl Channels {
    pub fn from_settings(settings: &Settings, public_url: &str) -> Self {
        Self {
            email: mailer::Sender::from_settings(&settings.smtp).map(Arc::new),
            sms: sms::Gateway::from_settings(&settings.sms, public_url),
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
                Some(gateway) => gateway.send(message).await,
                None => Outcome::Refused("SMS is not set up on this server".to_owned()),
            },
            Some(Channel::Line) => Outcome::Refused("LINE is not set up on this server".to_owned()),
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
    if channels.email.is_none() && channels.sms.is_none() {
        tracing::warn!(
            "neither KASET_SMTP_HOST nor KASET_SMS_URL is set: messages wait in the outbox"
        );
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
