//! Delivers the outbox through SMTP (lettre). Each message is claimed, sent, and marked sent;
//! a failure schedules a retry with exponential back-off, so an SMTP outage delays mail but
//! never loses it.

use crate::config::{SmtpSecurity, SmtpSettings};
use crate::db::{outbox, Pool};
use crate::domain::Clock;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

const BATCH: i64 = 20;
/// Retries wait at most this long.
const MAX_BACKOFF_SECS: i64 = 3600;
/// How long a claimed message is reserved for the worker that claimed it.
const LEASE_SECS: i64 = 300;

pub async fn run_outbox_worker(pool: Pool, smtp: SmtpSettings, wake: Arc<Notify>, clock: Clock) {
    let Some(sender) = Sender::from_settings(&smtp) else {
        tracing::warn!("KASET_SMTP_HOST is not set: e-mail waits in the outbox until it is");
        return;
    };
    let sender = Arc::new(sender);
    let poll = Duration::from_millis(smtp.outbox_poll_ms.max(50));
    loop {
        let pool = pool.clone();
        let sender = sender.clone();
        match actix_web::web::block(move || deliver_due(&pool, &sender, clock)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(sent)) => tracing::info!(sent, "outbox delivered"),
            Ok(Err(error)) => tracing::warn!(%error, "outbox pass failed"),
            Err(error) => tracing::warn!(%error, "outbox task failed"),
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(poll) => {}
        }
    }
}

/// One pass over the messages that are due; returns how many were sent.
pub fn deliver_due(pool: &Pool, sender: &Sender, clock: Clock) -> anyhow::Result<usize> {
    let mut conn = pool.get()?;
    let now = clock.now();
    let mut sent = 0;
    for message in outbox::due(&mut conn, now, BATCH)? {
        let lease = now + chrono::Duration::seconds(LEASE_SECS);
        if !outbox::claim(&mut conn, &message, lease)? {
            continue; // another server took it
        }
        match sender.send(&message) {
            Ok(()) => {
                outbox::mark_sent(&mut conn, message.id, clock.now())?;
                sent += 1;
            }
            Err(error) => {
                let attempts = message.attempts + 1;
                let retry_at = clock.now()
                    + chrono::Duration::seconds(backoff_secs(sender.first_retry_secs, attempts));
                tracing::warn!(id = message.id, attempts, %error, "mail not delivered; will retry");
                outbox::mark_failed(
                    &mut conn,
                    message.id,
                    attempts,
                    retry_at,
                    &error.to_string(),
                )?;
            }
        }
    }
    Ok(sent)
}

/// The wait after the `attempts`-th failure: the first wait, doubled per further failure.
fn backoff_secs(first: i64, attempts: i32) -> i64 {
    let exponent = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(16);
    (first.max(1) << exponent).min(MAX_BACKOFF_SECS)
}

pub struct Sender {
    transport: SmtpTransport,
    from: Mailbox,
    first_retry_secs: i64,
}

impl Sender {
    pub fn from_settings(smtp: &SmtpSettings) -> Option<Self> {
        let host = smtp.host.as_deref()?;
        let from = match smtp.from.parse::<Mailbox>() {
            Ok(from) => from,
            Err(error) => {
                tracing::error!(%error, from = %smtp.from, "KASET_MAIL_FROM is not an address");
                return None;
            }
        };
        let builder = match smtp.security {
            SmtpSecurity::None => Ok(SmtpTransport::builder_dangerous(host)),
            SmtpSecurity::Starttls => SmtpTransport::starttls_relay(host),
            SmtpSecurity::Tls => SmtpTransport::relay(host),
        };
        let builder = match builder {
            Ok(builder) => builder,
            Err(error) => {
                tracing::error!(%error, host, "cannot set up the SMTP transport");
                return None;
            }
        };
        let mut builder = builder
            .port(smtp.port)
            .timeout(Some(Duration::from_secs(15)));
        if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Some(Self {
            transport: builder.build(),
            from,
            first_retry_secs: smtp.outbox_retry_secs,
        })
    }

    fn send(&self, message: &outbox::Message) -> anyhow::Result<()> {
        let email = Message::builder()
            .from(self.from.clone())
            .to(message.recipient.parse()?)
            .subject(message.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                message.body_text.clone(),
                message.body_html.clone(),
            ))?;
        self.transport.send(&email)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::backoff_secs;

    #[test]
    fn retries_back_off_exponentially_up_to_an_hour() {
        assert_eq!(backoff_secs(30, 1), 30);
        assert_eq!(backoff_secs(30, 2), 60);
        assert_eq!(backoff_secs(30, 5), 480);
        assert_eq!(backoff_secs(30, 20), 3600);
    }
}
