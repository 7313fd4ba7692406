//! The outbox: every message (e-mail, SMS) is first written here, in the same transaction as
//! the change that causes it, and a background worker delivers it (see `services::delivery`).
//! A message carries its chain of channels, the person's choice in order; the worker tries
//! one at a time and moves to the next when one fails. Each channel's delivery status is a
//! row of `deliveries`, so a message is never sent twice on one channel.

use super::schema::{deliveries, outbox};
use super::DbConn;
use crate::domain::{Channel, DeliveryStatus};
use chrono::NaiveDateTime;
use diesel::prelude::*;

pub struct NewMessage<'a> {
    /// The e-mail address, or empty when the message has no e-mail channel.
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body_text: &'a str,
    pub body_html: &'a str,
    pub user_id: Option<i32>,
    /// The channels to try, in order (`sms,email`).
    pub channels: &'a str,
    pub phone: Option<&'a str>,
    pub sms_text: &'a str,
    pub line_user_id: Option<&'a str>,
}

#[derive(Queryable, Clone, Debug)]
pub struct Message {
    pub id: i32,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub created_at: NaiveDateTime,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub user_id: Option<i32>,
    pub channels: String,
    pub channel_index: i32,
    pub phone: Option<String>,
    pub sms_text: String,
    pub failed_at: Option<NaiveDateTime>,
    pub line_user_id: Option<String>,
}

impl Message {
    /// The channels to try, in order (codes Kaset does not know are skipped).
    pub fn chain(&self) -> Vec<Channel> {
        self.channels
            .split(',')
            .filter_map(|code| Channel::parse(code).ok())
            .collect()
    }

    /// The channel being tried now.
    pub fn channel(&self) -> Option<Channel> {
        usize::try_from(self.channel_index)
            .ok()
            .and_then(|i| self.chain().get(i).copied())
    }

    /// Whether another channel follows the one being tried.
    pub fn has_next_channel(&self) -> bool {
        usize::try_from(self.channel_index + 1).is_ok_and(|next| next < self.chain().len())
    }
}

pub fn enqueue(
    conn: &mut DbConn,
    message: &NewMessage<'_>,
    now: chrono::NaiveDateTime,
) -> QueryResult<i32> {
    diesel::insert_into(outbox::table)
        .values((
            outbox::recipient.eq(message.recipient),
            outbox::subject.eq(message.subject),
            outbox::body_text.eq(message.body_text),
            outbox::body_html.eq(message.body_html),
            outbox::created_at.eq(now),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(now),
            outbox::user_id.eq(message.user_id),
            outbox::channels.eq(message.channels),
            outbox::channel_index.eq(0),
            outbox::phone.eq(message.phone),
            outbox::sms_text.eq(message.sms_text),
            outbox::line_user_id.eq(message.line_user_id),
        ))
        .returning(outbox::id)
        .get_result(conn)
}

pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<Message>> {
    outbox::table.find(id).first(conn).optional()
}

pub fn due(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<Message>> {
    outbox::table
        .filter(outbox::sent_at.is_null())
        .filter(outbox::failed_at.is_null())
        .filter(outbox::next_attempt_at.le(now))
        .order(outbox::id)
        .limit(limit)
        .load(conn)
}

/// Takes a message for sending by moving its next attempt past `lease_until`; only one worker
/// (of several servers) wins the claim.
pub fn claim(
    conn: &mut DbConn,
    message: &Message,
    lease_until: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        outbox::table
            .filter(outbox::id.eq(message.id))
            .filter(outbox::sent_at.is_null())
            .filter(outbox::failed_at.is_null())
            .filter(outbox::next_attempt_at.eq(message.next_attempt_at)),
    )
    .set(outbox::next_attempt_at.eq(lease_until))
    .execute(conn)
    .map(|n| n == 1)
}

pub fn mark_sent(conn: &mut DbConn, id: i32, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::sent_at.eq(at),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The channel failed for now: try it again at `retry_at`.
pub fn mark_failed(
    conn: &mut DbConn,
    id: i32,
    attempts: i32,
    retry_at: NaiveDateTime,
    error: &str,
) -> QueryResult<()> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::attempts.eq(attempts),
            outbox::next_attempt_at.eq(retry_at),
            outbox::last_error.eq(error),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Moves the message on to its next channel, due at once. Only the channel `from` moves on,
/// so a late report about an earlier channel cannot skip one.
pub fn fail_over(
    conn: &mut DbConn,
    id: i32,
    from: i32,
    now: NaiveDateTime,
    error: &str,
) -> QueryResult<bool> {
    diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::channel_index.eq(from)),
    )
    .set((
        outbox::channel_index.eq(from + 1),
        outbox::attempts.eq(0),
        outbox::next_attempt_at.eq(now),
        outbox::sent_at.eq(None::<NaiveDateTime>),
        outbox::last_error.eq(error),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Every channel failed: the message stays, with why, for the record.
pub fn give_up(conn: &mut DbConn, id: i32, now: NaiveDateTime, error: &str) -> QueryResult<()> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::failed_at.eq(now),
            outbox::sent_at.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(error),
        ))
        .execute(conn)
        .map(|_| ())
}

/// What one channel did with a message.
pub struct Delivery<'a> {
    pub channel: Channel,
    pub status: DeliveryStatus,
    /// The provider's id for the message, which its delivery reports name.
    pub provider_ref: Option<&'a str>,
    pub detail: Option<&'a str>,
}

/// Records where the message stands on a channel (one row per message and channel).
pub fn set_delivery(
    conn: &mut DbConn,
    outbox_id: i32,
    delivery: &Delivery<'_>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let row = deliveries::table
        .filter(deliveries::outbox_id.eq(outbox_id))
        .filter(deliveries::channel.eq(delivery.channel));
    let updated = match delivery.provider_ref {
        Some(reference) => diesel::update(row)
            .set((
                deliveries::status.eq(delivery.status),
                deliveries::provider_ref.eq(reference),
                deliveries::detail.eq(delivery.detail),
                deliveries::updated_at.eq(now),
            ))
            .execute(conn)?,
        None => diesel::update(row)
            .set((
                deliveries::status.eq(delivery.status),
                deliveries::detail.eq(delivery.detail),
                deliveries::updated_at.eq(now),
            ))
            .execute(conn)?,
    };
    if updated == 0 {
        diesel::insert_into(deliveries::table)
            .values((
                deliveries::outbox_id.eq(outbox_id),
                deliveries::channel.eq(delivery.channel),
                deliveries::status.eq(delivery.status),
                deliveries::provider_ref.eq(delivery.provider_ref),
                deliveries::detail.eq(delivery.detail),
                deliveries::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The message a provider's report is about, by the provider's id for it.
pub fn by_provider_ref(
    conn: &mut DbConn,
    channel: Channel,
    provider_ref: &str,
) -> QueryResult<Option<(i32, DeliveryStatus)>> {
    deliveries::table
        .filter(deliveries::channel.eq(channel))
        .filter(deliveries::provider_ref.eq(provider_ref))
        .select((deliveries::outbox_id, deliveries::status))
        .first(conn)
        .optional()
}

/// Each channel's status of a message: channel, status, detail.
pub fn deliveries_of(
    conn: &mut DbConn,
    outbox_id: i32,
) -> QueryResult<Vec<(Channel, DeliveryStatus, Option<String>)>> {
    deliveries::table
        .filter(deliveries::outbox_id.eq(outbox_id))
        .select((deliveries::channel, deliveries::status, deliveries::detail))
        .load(conn)
}
