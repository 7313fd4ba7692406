//! The e-mails Kaset sends, each rendered in the recipient's language as text and HTML and
//! queued in the outbox.

use crate::db::outbox::{self, NewMessage};
use crate::db::DbConn;
use crate::i18n::Tr;
use askama::Template;

#[derive(Template)]
#[template(path = "email/password_reset.txt")]
struct PasswordResetText<'a> {
    tr: Tr,
    name: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "email/password_reset.html")]
struct PasswordResetHtml<'a> {
    tr: Tr,
    name: &'a str,
    link: &'a str,
}

pub fn queue_password_reset(
    conn: &mut DbConn,
    tr: Tr,
    recipient: &str,
    name: &str,
    link: &str,
) -> anyhow::Result<()> {
    let body_text = PasswordResetText { tr, name, link }.render()?;
    let body_html = PasswordResetHtml { tr, name, link }.render()?;
    outbox::enqueue(
        conn,
        &NewMessage {
            recipient,
            subject: tr.t("email.password_reset.subject"),
            body_text: &body_text,
            body_html: &body_html,
        },
    )?;
    Ok(())
}
