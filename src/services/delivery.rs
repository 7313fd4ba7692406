//! Delivering the outbox: each due message is claimed (so two servers never both send it),
//! sent through its channel, and marked sent; a failure schedules a retry with exponential
//! back-off, so an outage of the channel delays messages but never loses them.

use crate::db::outbox::{self, Message};
use crate::db::DbConn;
use crate::domain::Clock;

const BATCH: i64 = 20;
/// Retries wait at most this long.
const MAX_BACKOFF_SECS: i64 = 3600;
/// How long a claimed message is reserved for the worker that claimed it.
const LEASE_SECS: i64 = 300;

/// A way messages leave Kaset (SMTP today).
pub trait Channel {
    /// The wait after the first failure, doubled after each further one.
    fn first_retry_secs(&self) -> i64;
    fn send(&self, message: &Message) -> anyhow::Result<()>;
}

/// One pass over the messages that are due; returns how many were sent.
pub fn deliver_due(
    conn: &mut DbConn,
    channel: &impl Channel,
    clock: Clock,
) -> anyhow::Result<usize> {
    let now = clock.now();
    let mut sent = 0;
    for message in outbox::due(conn, now, BATCH)? {
        let lease = now + chrono::Duration::seconds(LEASE_SECS);
        if !outbox::claim(conn, &message, lease)? {
            continue; // another server took it
        }
        match channel.send(&message) {
            Ok(()) => {
                outbox::mark_sent(conn, message.id, clock.now())?;
                sent += 1;
            }
            Err(error) => {
                let attempts = message.attempts + 1;
                let retry_at = clock.now()
                    + chrono::Duration::seconds(backoff_secs(channel.first_retry_secs(), attempts));
                tracing::warn!(id = message.id, attempts, %error, "mail not delivered; will retry");
                outbox::mark_failed(conn, message.id, attempts, retry_at, &error.to_string())?;
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
