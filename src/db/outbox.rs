//! The outbox: every e-mail is first written here, in the same transaction as the change that
//! causes it, and a background worker delivers it (see `jobs::mailer`). Nothing is lost when the
//! SMTP server is down; delivery is retried with back-off.

use super::schema::outbox;
use super::DbConn;
use chrono::NaiveDateTime;
use diesel::prelude::*;

pub struct NewMessage<'a> {
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body_text: &'a str,
    pub body_html: &'a str,
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
        ))
        .returning(outbox::id)
        .get_result(conn)
}

pub fn due(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<Message>> {
    outbox::table
        .filter(outbox::sent_at.is_null())
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
