//! The e-mail channel: the outbox's messages through SMTP (lettre).

use crate::config::{SmtpSecurity, SmtpSettings};
use crate::db::outbox::Message as OutboxMessage;
use crate::services::delivery::Outcome;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};
use std::time::Duration;

pub struct Sender {
    transport: SmtpTransport,
    from: Mailbox,
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
        })
    }
}

impl Sender {
    /// Hands the message to the SMTP server (blocking: run it off the async threads). A 5xx
    /// answer or an address that is not one refuses it; anything else is tried again.
    pub fn send(&self, message: &OutboxMessage) -> Outcome {
        let Ok(to) = message.recipient.parse::<Mailbox>() else {
            return Outcome::Refused(format!("not an e-mail address: {:?}", message.recipient));
        };
        let email = match Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                message.body_text.clone(),
                message.body_html.clone(),
            )) {
            Ok(email) => email,
            Err(error) => return Outcome::Refused(error.to_string()),
        };
        match self.transport.send(&email) {
            Ok(_) => Outcome::Sent { provider_ref: None },
            Err(error) if error.is_permanent() => Outcome::Refused(error.to_string()),
            Err(error) => Outcome::Retry(error.to_string()),
        }
    }
}
