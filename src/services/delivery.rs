//! Delivering the outbox: each due message is claimed (so two servers never both send it),
//! sent through the channel it is at, and recorded. A channel that fails for now is retried
//! with exponential back-off; one that refuses the message, keeps failing, or whose provider
//! reports it undelivered hands the message to the person's next channel. Nothing is lost
//! when a provider is down, and no channel is used twice for one message.

use crate::db::outbox::{self, Delivery, Message};
use crate::db::DbConn;
use crate::domain::{Channel, DeliveryStatus};
use chrono::NaiveDateTime;

const BATCH: i64 = 20;
/// Retries wait at most this long.
const MAX_BACKOFF_SECS: i64 = 3600;
/// How long a claimed message is reserved for the worker that claimed it.
const LEASE_SECS: i64 = 300;
/// Failures for now before the next channel is tried (the last channel keeps retrying).
const TRIES_BEFORE_FAILOVER: i32 = 3;

/// What a channel did with a message.
#[derive(Debug)]
pub enum Outcome {
    /// Handed to the provider; `provider_ref` is its id in the provider's delivery reports.
    Sent { provider_ref: Option<String> },
    /// Failed for now (provider down, slow or busy): try again later.
    Retry(String),
    /// Refused for good (no such number, channel not set up): try the next channel.
    Refused(String),
}

/// Claims the messages that are due, for this worker alone.
pub fn claim_due(conn: &mut DbConn, now: NaiveDateTime) -> anyhow::Result<Vec<Message>> {
    let lease = now + chrono::Duration::seconds(LEASE_SECS);
    let mut claimed = Vec::new();
    for message in outbox::due(conn, now, BATCH)? {
        if outbox::claim(conn, &message, lease)? {
            claimed.push(message);
        } // else another server took it
    }
    Ok(claimed)
}

/// Records what the channel did; says whether the message was sent.
pub fn record(
    conn: &mut DbConn,
    message: &Message,
    outcome: Outcome,
    first_retry_secs: i64,
    now: NaiveDateTime,
) -> anyhow::Result<bool> {
    let Some(channel) = message.channel() else {
        outbox::give_up(conn, message.id, now, "no channel to send it by")?;
        return Ok(false);
    };
    crate::db::write_transaction(conn, |conn| {
        fn status<'a>(
            channel: Channel,
            status: DeliveryStatus,
            detail: Option<&'a str>,
            provider_ref: Option<&'a str>,
        ) -> Delivery<'a> {
            Delivery {
                channel,
                status,
                provider_ref,
                detail,
            }
        }
        match &outcome {
            Outcome::Sent { provider_ref } => {
                let sent = status(channel, DeliveryStatus::Sent, None, provider_ref.as_deref());
                outbox::set_delivery(conn, message.id, &sent, now)?;
                outbox::mark_sent(conn, message.id, now)?;
            }
            Outcome::Retry(error) => {
                let attempts = message.attempts + 1;
                if attempts >= TRIES_BEFORE_FAILOVER && message.has_next_channel() {
                    let failed = status(channel, DeliveryStatus::Failed, Some(error), None);
                    outbox::set_delivery(conn, message.id, &failed, now)?;
                    outbox::fail_over(conn, message.id, message.channel_index, now, error)?;
                } else {
                    let queued = status(channel, DeliveryStatus::Queued, Some(error), None);
                    outbox::set_delivery(conn, message.id, &queued, now)?;
                    let retry_at =
                        now + chrono::Duration::seconds(backoff_secs(first_retry_secs, attempts));
                    outbox::mark_failed(conn, message.id, attempts, retry_at, error)?;
                }
            }
            Outcome::Refused(error) => {
                let failed = status(channel, DeliveryStatus::Failed, Some(error), None);
                outbox::set_delivery(conn, message.id, &failed, now)?;
                move_on(conn, message, now, error)?;
            }
        }
        Ok::<_, anyhow::Error>(())
    })?;
    match &outcome {
        Outcome::Sent { .. } => Ok(true),
        Outcome::Retry(error) | Outcome::Refused(error) => {
            tracing::warn!(id = message.id, channel = channel.code(), %error, "message not delivered");
            Ok(false)
        }
    }
}

/// The next channel, or the end when there is none.
fn move_on(
    conn: &mut DbConn,
    message: &Message,
    now: NaiveDateTime,
    error: &str,
) -> diesel::QueryResult<()> {
    if message.has_next_channel() {
        outbox::fail_over(conn, message.id, message.channel_index, now, error).map(|_| ())
    } else {
        outbox::give_up(conn, message.id, now, error)
    }
}

/// What a provider's delivery report says of a message.
#[derive(Debug, PartialEq, Eq)]
pub enum Report {
    Delivered,
    /// Not delivered, with the provider's reason.
    Undelivered(String),
    /// Still on its way.
    Pending,
}

/// Applies a provider's delivery report to the message it names; an undelivered message
/// moves on to the person's next channel. Says whether the report named a message of ours.
pub fn report(
    conn: &mut DbConn,
    channel: Channel,
    provider_ref: &str,
    report: &Report,
    now: NaiveDateTime,
) -> anyhow::Result<bool> {
    crate::db::write_transaction(conn, |conn| {
        let Some((outbox_id, known)) = outbox::by_provider_ref(conn, channel, provider_ref)? else {
            return Ok(false);
        };
        let (status, detail) = match report {
            Report::Delivered => (DeliveryStatus::Delivered, None),
            Report::Undelivered(reason) => (DeliveryStatus::Failed, Some(reason.as_str())),
            Report::Pending => return Ok(true),
        };
        // A final report stays final: a late "pending" or a repeat changes nothing.
        if matches!(known, DeliveryStatus::Delivered | DeliveryStatus::Failed) {
            return Ok(true);
        }
        let delivery = Delivery {
            channel,
            status,
            provider_ref: None,
            detail,
        };
        outbox::set_delivery(conn, outbox_id, &delivery, now)?;
        if let (Some(reason), Some(message)) = (detail, outbox::find(conn, outbox_id)?) {
            if message.channel() == Some(channel) {
                move_on(conn, &message, now, reason)?;
            }
        }
        Ok::<_, anyhow::Error>(true)
    })
}

/// A UUID-shaped key from a message's id, the same on every retry of it: a provider that
/// takes retry keys (LINE's `X-Line-Retry-Key`) then delivers a retried message once.
pub fn retry_key(outbox_id: i32) -> String {
    let hash = crate::domain::sha256_hex(format!("kaset-outbox-{outbox_id}"));
    format!(
        "{}-{}-4{}-8{}-{}",
        &hash[0..8],
        &hash[8..12],
        &hash[13..16],
        &hash[17..20],
        &hash[20..32]
    )
}

/// The wait after the `attempts`-th failure: the first wait, doubled per further failure.
fn backoff_secs(first: i64, attempts: i32) -> i64 {
    let exponent = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(16);
    (first.max(1) << exponent).min(MAX_BACKOFF_SECS)
}

#[cfg(test)]
mod tests {
    use super::{backoff_secs, retry_key};

    #[test]
    fn a_message_keeps_one_retry_key_in_the_uuid_shape_line_asks_for() {
        let key = retry_key(42);
        assert_eq!(key, retry_key(42));
        assert_ne!(key, retry_key(43));
        let parts: Vec<usize> = key.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12]);
    }

    #[test]
    fn retries_back_off_exponentially_up_to_an_hour() {
        assert_eq!(backoff_secs(30, 1), 30);
        assert_eq!(backoff_secs(30, 2), 60);
        assert_eq!(backoff_secs(30, 5), 480);
        assert_eq!(backoff_secs(30, 20), 3600);
    }
}
