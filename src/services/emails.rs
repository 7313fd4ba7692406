//! The messages Kaset sends, each rendered in the recipient's language — an e-mail as text
//! and HTML, and for farmers an SMS of one or two segments — and queued in the outbox for the
//! channels the recipient chose, in their order.
//!
//! Over 500 lines because it holds every message Kaset sends, each a short template binding;
//! one file keeps their wording and their shared layout in one review.

use crate::db::outbox::{self, NewMessage};
use crate::db::users::UserRow;
use crate::db::DbConn;
use crate::domain::{sms, Channel, ChannelOrder};
use crate::i18n::Tr;
use askama::Template;

/// Whom a message goes to, and by which channels in their order.
pub struct Recipient<'a> {
    pub user_id: Option<i32>,
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub line: Option<&'a str>,
    pub order: ChannelOrder,
}

impl<'a> Recipient<'a> {
    /// A user, by the channels they chose.
    pub fn of(user: &'a UserRow) -> Self {
        Self {
            user_id: Some(user.id),
            name: &user.display_name,
            email: user.email.as_deref(),
            phone: user.phone.as_deref(),
            line: user.line_user_id.as_deref(),
            order: user.channel_order(),
        }
    }

    /// An address only (staff mail, a link asked for by e-mail).
    pub fn email(address: &'a str, name: &'a str) -> Self {
        Self {
            user_id: None,
            name,
            email: Some(address),
            phone: None,
            line: None,
            order: ChannelOrder::default(),
        }
    }
}

/// Renders the message and queues it for the recipient's channels that can carry it (e-mail
/// where they have an address, SMS where they have a phone and the message has a text); with
/// none, only the in-app notice tells them.
fn enqueue(
    conn: &mut DbConn,
    to: &Recipient<'_>,
    subject: &str,
    text: &impl Template,
    html: &impl Template,
    sms_text: Option<String>,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<()> {
    let sms_text = sms_text.map(|t| sms::fit(&t));
    let chain: Vec<&str> = to
        .order
        .channels()
        .iter()
        .filter(|channel| match channel {
            Channel::Email => to.email.is_some(),
            Channel::Sms => to.phone.is_some() && sms_text.is_some(),
            Channel::Line => to.line.is_some(),
        })
        .map(|channel| channel.code())
        .collect();
    if chain.is_empty() {
        return Ok(());
    }
    outbox::enqueue(
        conn,
        &NewMessage {
            recipient: to.email.unwrap_or_default(),
            subject,
            body_text: &text.render()?,
            body_html: &html.render()?,
            user_id: to.user_id,
            channels: &chain.join(","),
            phone: to.phone,
            sms_text: sms_text.as_deref().unwrap_or_default(),
            line_user_id: to.line,
        },
        now,
    )?;
    Ok(())
}

/// Queues an SMS alone (a one-time code: never by another channel, never to an address).
pub fn queue_sms(
    conn: &mut DbConn,
    user_id: Option<i32>,
    phone: &str,
    text: &str,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<()> {
    outbox::enqueue(
        conn,
        &NewMessage {
            recipient: "",
            subject: "",
            body_text: "",
            body_html: "",
            user_id,
            channels: Channel::Sms.code(),
            phone: Some(phone),
            sms_text: &sms::fit(text),
            line_user_id: None,
        },
        now,
    )?;
    Ok(())
}

/// Kaset's public address (or a page of it) as an SMS shows it: no scheme, so it reads as
/// the one site.
pub fn site(public_url: &str) -> &str {
    public_url
        .trim_start_matches("https://")
        .trim_start_matches("http://")
}

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

/// Why someone is sent a link to choose a password.
#[derive(Clone, Copy, Debug)]
pub enum PasswordLinkKind {
    /// They forgot theirs.
    Reset,
    /// An administrator created their staff account.
    StaffInvitation,
}

impl PasswordLinkKind {
    /// The catalogue section holding this mail's wording.
    fn section(self) -> &'static str {
        match self {
            PasswordLinkKind::Reset => "password_reset",
            PasswordLinkKind::StaffInvitation => "staff_invitation",
        }
    }
}

/// Queues the "choose your password" mail in the recipient's language.
pub fn queue_password_link(
    conn: &mut DbConn,
    tr: Tr,
    kind: PasswordLinkKind,
    recipient: &str,
    name: &str,
    link: &str,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<()> {
    let mail = PasswordLink {
        tr,
        kind: kind.section(),
        name,
        link,
    };
    enqueue(
        conn,
        &Recipient::email(recipient, name),
        &mail.text("subject"),
        &PasswordLinkText { mail: &mail },
        &PasswordLinkHtml { mail: &mail },
        None,
        now,
    )
}

/// "You are now entitled to …", sent when a household newly qualifies for a programme.
struct NewEntitlement<'a> {
    tr: Tr,
    name: &'a str,
    title: &'a str,
    amount: Option<String>,
    link: String,
}

#[derive(Template)]
#[template(path = "email/new_entitlement.txt")]
struct NewEntitlementText<'a> {
    mail: &'a NewEntitlement<'a>,
}

#[derive(Template)]
#[template(path = "email/new_entitlement.html")]
struct NewEntitlementHtml<'a> {
    mail: &'a NewEntitlement<'a>,
}

/// A programme a farmer newly qualifies for, for the mail that tells them.
pub struct Entitlement<'a> {
    pub title: &'a str,
    pub amount_satang: Option<i64>,
}

pub fn queue_new_entitlement(
    conn: &mut DbConn,
    tr: Tr,
    to: &Recipient<'_>,
    Entitlement {
        title,
        amount_satang,
    }: Entitlement<'_>,
    public_url: &str,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<()> {
    let amount = amount_satang.map(|satang| {
        crate::rules::evaluate::format_value(crate::rules::Value::Money(satang), &tr)
    });
    let sms = match &amount {
        Some(amount) => tr.fmt(
            "sms.new_entitlement",
            &[("amount", amount), ("site", site(public_url))],
        ),
        None => tr.fmt(
            "sms.new_entitlement_no_amount",
            &[("site", site(public_url))],
        ),
    };
    let mail = NewEntitlement {
        tr,
        name: to.name,
        title,
        amount,
        link: format!("{public_url}/entitlements"),
    };
    enqueue(
        conn,
        to,
        &tr.fmt("email.new_entitlement.subject", &[("title", title)]),
        &NewEntitlementText { mail: &mail },
        &NewEntitlementHtml { mail: &mail },
        Some(sms),
        now,
    )
}

/// What changed in a farmer's application, for the mail that tells them.
pub struct CaseUpdate<'a> {
    pub reference: &'a str,
    pub title: &'a str,
    pub status: crate::domain::CaseStatus,
    /// The officer's (or the farmer's own) words with the change, if any.
    pub message: &'a str,
    pub link: &'a str,
}

struct CaseUpdateMail<'a> {
    tr: Tr,
    name: &'a str,
    update: &'a CaseUpdate<'a>,
}

#[derive(Template)]
#[template(path = "email/case_update.txt")]
struct CaseUpdateText<'a> {
    mail: &'a CaseUpdateMail<'a>,
}

#[derive(Template)]
#[template(path = "email/case_update.html")]
struct CaseUpdateHtml<'a> {
    mail: &'a CaseUpdateMail<'a>,
}

/// "Your application KS-… is now …", sent on every change of its status.
pub fn queue_case_update(
    conn: &mut DbConn,
    tr: Tr,
    to: &Recipient<'_>,
    update: &CaseUpdate<'_>,
    public_url: &str,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<()> {
    let mail = CaseUpdateMail {
        tr,
        name: to.name,
        update,
    };
    let sms = tr.fmt(
        "sms.case_update",
        &[
            ("reference", update.reference),
            ("status", tr.t(update.status.label_key())),
            ("site", site(public_url)),
        ],
    );
    let subject = tr.fmt(
        "email.case_update.subject",
        &[
            ("reference", update.reference),
            ("status", tr.t(update.status.label_key())),
        ],
    );
    enqueue(
        conn,
        to,
        &subject,
        &CaseUpdateText { mail: &mail },
        &CaseUpdateHtml { mail: &mail },
        Some(sms),
        now,
    )
}

/// A case past its deadline, for the managers responsible for its area.
pub struct CaseOverdue<'a> {
    pub reference: &'a str,
    pub title: &'a str,
    pub due: &'a str,
    pub link: &'a str,
}

struct CaseOverdueMail<'a> {
    tr: Tr,
    name: &'a str,
    case: &'a CaseOverdue<'a>,
}

#[derive(Template)]
#[template(path = "email/case_overdue.txt")]
struct CaseOverdueText<'a> {
    mail: &'a CaseOverdueMail<'a>,
}

#[derive(Template)]
#[template(path = "email/case_overdue.html")]
struct CaseOverdueHtml<'a> {
    mail: &'a CaseOverdueMail<'a>,
}

pub fn queue_case_overdue(
    conn: &mut DbConn,
    tr: Tr,
    recipient: &str,
    name: &str,
    case: &CaseOverdue<'_>,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<()> {
    let mail = CaseOverdueMail { tr, name, case };
    let subject = tr.fmt(
        "email.case_overdue.subject",
        &[("reference", case.reference)],
    );
    enqueue(
        conn,
        &Recipient::email(recipient, name),
        &subject,
        &CaseOverdueText { mail: &mail },
        &CaseOverdueHtml { mail: &mail },
        None,
        now,
    )
}

/// A rating of 1 or 2, for the managers responsible for the case's area.
pub struct LowRating<'a> {
    pub reference: &'a str,
    pub title: &'a str,
    pub satisfaction: i32,
    pub comment: &'a str,
    pub link: &'a str,
}

struct LowRatingMail<'a> {
    tr: Tr,
    name: &'a str,
    rating: &'a LowRating<'a>,
}

#[derive(Template)]
#[template(path = "email/low_rating.txt")]
struct LowRatingText<'a> {
    mail: &'a LowRatingMail<'a>,
}

#[derive(Template)]
#[template(path = "email/low_rating.html")]
struct LowRatingHtml<'a> {
    mail: &'a LowRatingMail<'a>,
}

pub fn queue_low_rating(
    conn: &mut DbConn,
    tr: Tr,
    recipient: &str,
    name: &str,
    rating: &LowRating<'_>,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<()> {
    let mail = LowRatingMail { tr, name, rating };
    let subject = tr.fmt(
        "email.low_rating.subject",
        &[("reference", rating.reference)],
    );
    enqueue(
        conn,
        &Recipient::email(recipient, name),
        &subject,
        &LowRatingText { mail: &mail },
        &LowRatingHtml { mail: &mail },
        None,
        now,
    )
}

/// A programme or office whose satisfaction fell below the threshold last month.
pub struct SatisfactionAlert<'a> {
    pub month: &'a str,
    pub label: &'a str,
    pub csat: &'a str,
    pub ratings: i64,
    pub link: &'a str,
}

struct SatisfactionAlertMail<'a> {
    tr: Tr,
    name: &'a str,
    alert: &'a SatisfactionAlert<'a>,
}

#[derive(Template)]
#[template(path = "email/satisfaction_alert.txt")]
struct SatisfactionAlertText<'a> {
    mail: &'a SatisfactionAlertMail<'a>,
}

#[derive(Template)]
#[template(path = "email/satisfaction_alert.html")]
struct SatisfactionAlertHtml<'a> {
    mail: &'a SatisfactionAlertMail<'a>,
}

pub fn queue_satisfaction_alert(
    conn: &mut DbConn,
    tr: Tr,
    recipient: &str,
    name: &str,
    alert: &SatisfactionAlert<'_>,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<()> {
    let mail = SatisfactionAlertMail { tr, name, alert };
    let subject = tr.fmt(
        "email.satisfaction_alert.subject",
        &[("label", alert.label), ("month", alert.month)],
    );
    enqueue(
        conn,
        &Recipient::email(recipient, name),
        &subject,
        &SatisfactionAlertText { mail: &mail },
        &SatisfactionAlertHtml { mail: &mail },
        None,
        now,
    )
}

/// The longest public address (without `https://`) the SMS texts are written for; a longer
/// one makes `sms::fit` cut the text.
pub const SMS_SITE_BUDGET: usize = 24;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    /// Every SMS text in both languages, with each placeholder at its longest, fits two
    /// segments: the reference, the longest status name and month, ten million baht, an
    /// address of `SMS_SITE_BUDGET` characters and the longest page of it an SMS links to.
    #[test]
    fn every_sms_fits_two_segments_in_both_languages() {
        let site = "k".repeat(SMS_SITE_BUDGET);
        let reference = "KS-2569-000000";
        let longest = |texts: Vec<String>| {
            texts
                .into_iter()
                .max_by_key(|t| t.encode_utf16().count())
                .unwrap_or_default()
        };
        let mut checked = 0;
        for locale in Locale::ALL {
            let tr = Tr::new(locale);
            let status = longest(
                crate::domain::CaseStatus::ALL
                    .iter()
                    .map(|s| tr.t(s.label_key()).to_owned())
                    .collect(),
            );
            let date = longest(
                (1..=12)
                    .filter_map(|m| chrono::NaiveDate::from_ymd_opt(2569 - 543, m, 28))
                    .map(|d| tr.date(&d))
                    .collect(),
            );
            let amount = crate::rules::evaluate::format_value(
                crate::rules::Value::Money(1_000_000_000),
                &tr,
            );
            let link = format!("{site}/applications/{reference}");
            for key in crate::i18n::keys(locale) {
                if !key.starts_with("sms.") {
                    continue;
                }
                let text = tr.fmt(
                    &key,
                    &[
                        ("reference", reference),
                        ("status", &status),
                        ("date", &date),
                        ("amount", &amount),
                        ("site", &site),
                        ("link", &link),
                        ("code", "000000"),
                        ("minutes", "5"),
                    ],
                );
                assert!(
                    !text.contains('{'),
                    "{key} ({locale:?}) has an unknown placeholder: {text}"
                );
                let segments = sms::segments(&text);
                assert!(
                    segments <= sms::MAX_SEGMENTS,
                    "{key} ({locale:?}) takes {segments} segments ({} characters): {text}",
                    text.encode_utf16().count()
                );
                checked += 1;
            }
        }
        assert!(checked >= 24, "only {checked} SMS texts found");
    }

    #[test]
    fn both_password_mails_are_fully_translated_in_both_languages() {
        for locale in Locale::ALL {
            for kind in [PasswordLinkKind::Reset, PasswordLinkKind::StaffInvitation] {
                let mail = PasswordLink {
                    tr: Tr::new(locale),
                    kind: kind.section(),
                    name: "สมชาย",
                    link: "https://kaset.example/x?token=1",
                };
                let text = PasswordLinkText { mail: &mail }.render().unwrap();
                let html = PasswordLinkHtml { mail: &mail }.render().unwrap();
                for body in [&text, &html] {
                    assert!(
                        !body.contains("email."),
                        "untranslated key in {kind:?} ({locale:?}): {body}"
                    );
                    assert!(body.contains("https://kaset.example/x?token=1"));
                }
                assert!(!mail.text("subject").starts_with("email."));
            }
        }
    }

    #[test]
    fn case_mails_are_fully_translated_in_both_languages() {
        for locale in Locale::ALL {
            let tr = Tr::new(locale);
            let update = CaseUpdate {
                reference: "KS-2569-000123",
                title: "โครงการ",
                status: crate::domain::CaseStatus::InfoRequested,
                message: "กรุณาส่งภาพถ่าย",
                link: "https://kaset.example/applications/KS-2569-000123",
            };
            let mail = CaseUpdateMail {
                tr,
                name: "สมชาย",
                update: &update,
            };
            let overdue = CaseOverdue {
                reference: "KS-2569-000123",
                title: "โครงการ",
                due: "1 ธันวาคม 2569",
                link: "https://kaset.example/officer/cases/KS-2569-000123",
            };
            let overdue_mail = CaseOverdueMail {
                tr,
                name: "พรทิพย์",
                case: &overdue,
            };
            let bodies = [
                CaseUpdateText { mail: &mail }.render().unwrap(),
                CaseUpdateHtml { mail: &mail }.render().unwrap(),
                CaseOverdueText {
                    mail: &overdue_mail,
                }
                .render()
                .unwrap(),
                CaseOverdueHtml {
                    mail: &overdue_mail,
                }
                .render()
                .unwrap(),
            ];
            for body in &bodies {
                assert!(
                    !body.contains("email."),
                    "untranslated key ({locale:?}): {body}"
                );
                assert!(body.contains("KS-2569-000123"));
            }
            assert!(
                bodies[0].contains("กรุณาส่งภาพถ่าย"),
                "the officer's message is in the mail"
            );
            assert!(bodies[0].contains(tr.t("case.status.info_requested")));
        }
    }
}

/// News of a personal-data request: a new one for the area's officers, or its answer for the
/// farmer. `section` is the catalogue section of the wording (`email.<section>.*`).
pub struct DataRequestNews<'a> {
    pub section: &'static str,
    pub reference: &'a str,
    /// What the farmer asked, or the officer's answer.
    pub text: &'a str,
    pub link: &'a str,
}

struct DataRequestMail<'a> {
    tr: Tr,
    name: &'a str,
    news: &'a DataRequestNews<'a>,
}

impl DataRequestMail<'_> {
    fn words(&self, part: &str) -> String {
        self.tr.fmt(
            &format!("email.{}.{part}", self.news.section),
            &[("reference", self.news.reference)],
        )
    }
}

#[derive(Template)]
#[template(path = "email/data_request.txt")]
struct DataRequestText<'a> {
    mail: &'a DataRequestMail<'a>,
}

#[derive(Template)]
#[template(path = "email/data_request.html")]
struct DataRequestHtml<'a> {
    mail: &'a DataRequestMail<'a>,
}

pub fn queue_data_request(
    conn: &mut DbConn,
    tr: Tr,
    to: &Recipient<'_>,
    news: &DataRequestNews<'_>,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<()> {
    let mail = DataRequestMail {
        tr,
        name: to.name,
        news,
    };
    // Only the farmer's answer has a phone to go to; officers' news is mail.
    let sms = tr.fmt(
        "sms.data_request",
        &[("reference", news.reference), ("link", site(news.link))],
    );
    enqueue(
        conn,
        to,
        &mail.words("subject"),
        &DataRequestText { mail: &mail },
        &DataRequestHtml { mail: &mail },
        Some(sms),
        now,
    )
}

/// A reminder, already worded in the recipient's language (`services::reminders`).
struct ReminderMail<'a> {
    tr: Tr,
    name: &'a str,
    text: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "email/reminder.txt")]
struct ReminderText<'a> {
    mail: &'a ReminderMail<'a>,
}

#[derive(Template)]
#[template(path = "email/reminder.html")]
struct ReminderHtml<'a> {
    mail: &'a ReminderMail<'a>,
}

pub fn queue_reminder(
    conn: &mut DbConn,
    tr: Tr,
    to: &Recipient<'_>,
    text: &str,
    sms: String,
    link: &str,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<()> {
    let mail = ReminderMail {
        tr,
        name: to.name,
        text,
        link,
    };
    enqueue(
        conn,
        to,
        tr.t("email.reminder.subject"),
        &ReminderText { mail: &mail },
        &ReminderHtml { mail: &mail },
        Some(sms),
        now,
    )
}
