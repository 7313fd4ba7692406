//! The e-mails Kaset sends, each rendered in the recipient's language as text and HTML and
//! queued in the outbox.

use crate::db::outbox::{self, NewMessage};
use crate::db::DbConn;
use crate::i18n::Tr;
use askama::Template;

/// What both parts of a "choose your password" mail show.
struct PasswordLink<'a> {
    tr: Tr,
    /// `password_reset` or `staff_invitation`: the catalogue section of the wording.
    kind: &'static str,
    name: &'a str,
    link: &'a str,
}

impl PasswordLink<'_> {
    fn text(&self, part: &str) -> String {
        self.tr.t(&format!("email.{}.{part}", self.kind)).to_owned()
    }
}

#[derive(Template)]
#[template(path = "email/password_link.txt")]
struct PasswordLinkText<'a> {
    mail: &'a PasswordLink<'a>,
}

#[derive(Template)]
#[template(path = "email/password_link.html")]
struct PasswordLinkHtml<'a> {
    mail: &'a PasswordLink<'a>,
}

/// The "choose your password" mail, sent for a forgotten password and to new staff members.
/// `kind` picks the wording: `password_reset` or `staff_invitation`.
fn queue_password_link(
    conn: &mut DbConn,
    tr: Tr,
    kind: &'static str,
    recipient: &str,
    name: &str,
    link: &str,
) -> anyhow::Result<()> {
    let mail = PasswordLink {
        tr,
        kind,
        name,
        link,
    };
    let body_text = PasswordLinkText { mail: &mail }.render()?;
    let body_html = PasswordLinkHtml { mail: &mail }.render()?;
    outbox::enqueue(
        conn,
        &NewMessage {
            recipient,
            subject: &mail.text("subject"),
            body_text: &body_text,
            body_html: &body_html,
        },
    )?;
    Ok(())
}

pub fn queue_password_reset(
    conn: &mut DbConn,
    tr: Tr,
    recipient: &str,
    name: &str,
    link: &str,
) -> anyhow::Result<()> {
    queue_password_link(conn, tr, "password_reset", recipient, name, link)
}

pub fn queue_staff_invitation(
    conn: &mut DbConn,
    tr: Tr,
    recipient: &str,
    name: &str,
    link: &str,
) -> anyhow::Result<()> {
    queue_password_link(conn, tr, "staff_invitation", recipient, name, link)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn both_password_mails_are_fully_translated_in_both_languages() {
        for locale in Locale::ALL {
            for kind in ["password_reset", "staff_invitation"] {
                let mail = PasswordLink {
                    tr: Tr::new(locale),
                    kind,
                    name: "สมชาย",
                    link: "https://kaset.example/x?token=1",
                };
                let text = PasswordLinkText { mail: &mail }.render().unwrap();
                let html = PasswordLinkHtml { mail: &mail }.render().unwrap();
                for body in [&text, &html] {
                    assert!(
                        !body.contains("email."),
                        "untranslated key in {kind} ({locale:?}): {body}"
                    );
                    assert!(body.contains("https://kaset.example/x?token=1"));
                }
                assert!(!mail.text("subject").starts_with("email."));
            }
        }
    }
}
