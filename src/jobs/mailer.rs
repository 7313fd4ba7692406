//! Delivers the outbox through SMTP (lettre): the worker that wakes when mail is queued, and
//! the SMTP channel `services::delivery` sends each message through.

use crate::config::{SmtpSecurity, SmtpSettings};
use crate::db::outbox::Message as OutboxMessage;
use crate::db::Pool;
use crate::domain::Clock;
use crate::services::delivery::{self, Channel};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

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
        let pass = move || -> anyhow::Result<usize> {
            let mut conn = pool.get()?;
            delivery::deliver_due(&mut conn, &*sender, clock)
        };
        match actix_web::web::block(pass).await {
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
}

impl Channel for Sender {
    fn first_retry_secs(&self) -> i64 {
        self.first_retry_secs
    }

    fn send(&self, message: &OutboxMessage) -> anyhow::Result<()> {
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
