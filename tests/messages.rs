//! Messages that reach people: the farmer chooses SMS first, the news of her case comes from
//! the SMS gateway (stand-in speaking ANTS's API), the gateway's delivery reports are kept per
//! channel, and a message the phone never got — or the gateway refused, or could not take
//! while it was down — comes by e-mail instead, once.

use crate::applications::{start, step, submit_relief};
use crate::on_both_databases;
use crate::support::sms::{Mode, ReceivedSms, CALLBACK_TOKEN, SENDER};
use crate::support::{spawn_app, Backend, TestApp, FARMER_EMAIL, FARMER_ID, OFFICER_SURIN};
use kaset::db::seed::DEMO_FARMER_PHONE;
use kaset::domain::{Channel, DeliveryStatus};

on_both_databases!(
    a_farmer_who_puts_sms_first_gets_her_case_news_on_her_phone_from_kaset,
    an_sms_the_phone_never_received_comes_by_email_instead,
    when_the_sms_gateway_is_down_the_news_comes_by_email_after_three_tries,
    a_number_the_gateway_refuses_gets_the_news_by_email_at_once,
    a_farmer_links_her_line_account_and_gets_the_news_on_line,
    an_sms_the_gateway_refuses_comes_by_line_instead,
    when_line_is_down_the_news_comes_by_the_next_channel,
    line_webhooks_are_believed_only_with_lines_signature_and_a_block_unlinks_line,
);

pub(crate) const ASKED: &str = "กรุณาส่งภาพถ่ายแปลงที่เสียหาย";

/// The farmer chooses SMS first, then e-mail, on her account page.
async fn farmer_puts_sms_first(app: &TestApp) {
    app.login_as(FARMER_ID).await;
    let page = app.get("/account/messages").await;
    assert!(
        page.texts("#phone").join("").contains("08x-xxx-5678"),
        "{}",
        page.body
    );
    let saved = app
        .submit(
            "/account/messages",
            "/account/messages",
            &[("first", "sms"), ("second", "email")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = app.get("/account/messages?saved=1").await;
    assert_eq!(page.texts("[role=status]").len(), 1);
}

/// The farmer applies for soil analysis and the officer asks her for photos; the reference.
pub(crate) async fn officer_asks_her_for_information(app: &TestApp) -> String {
    let draft = start(app, "ldd-soil-analysis").await;
    let path = submit_relief(app, &draft).await;
    let reference = path.trim_start_matches("/applications/").to_owned();
    app.logout().await;
    app.login_as(OFFICER_SURIN).await;
    let case_page = format!("/officer/cases/{reference}");
    let asked = step(app, &case_page, "request-info", &[("request_info", ASKED)]).await;
    assert_eq!(asked.status, 303, "{}", asked.body);
    app.logout().await;
    reference
}

/// The status Kaset holds for the message the gateway knows as `sms`, on `channel`.
fn delivery_status(app: &TestApp, sms: &ReceivedSms, channel: Channel) -> Option<DeliveryStatus> {
    let mut conn = app.db();
    let (outbox_id, _) =
        kaset::db::outbox::by_provider_ref(&mut conn, Channel::Sms, &sms.message_id)
            .expect("read the deliveries")?;
    kaset::db::outbox::deliveries_of(&mut conn, outbox_id)
        .expect("read the deliveries")
        .into_iter()
        .find(|(c, _, _)| *c == channel)
        .map(|(_, status, _)| status)
}

/// The SMS with the officer's request, once Kaset has recorded the gateway's answer to it: the
/// gateway has the message a moment before the worker stores its id, and an operator's report
/// comes seconds after that in life.
async fn the_sent_request(app: &TestApp) -> ReceivedSms {
    let asked = kaset::i18n::Tr::new(kaset::i18n::Locale::Th)
        .t(kaset::domain::CaseStatus::InfoRequested.label_key());
    let sms = app.sms.wait_for(DEMO_FARMER_PHONE, asked).await;
    delivery_status_soon(app, &sms, Channel::Sms, DeliveryStatus::Sent).await;
    sms
}

/// The delivery status of `sms`'s message on `channel` once it is `expected`, or as it stands
/// after 20 s.
async fn delivery_status_soon(
    app: &TestApp,
    sms: &ReceivedSms,
    channel: Channel,
    expected: DeliveryStatus,
) -> Option<DeliveryStatus> {
    for _ in 0..200 {
        let status = delivery_status(app, sms, channel);
        if status == Some(expected) {
            return status;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    delivery_status(app, sms, channel)
}

/// The e-mails to the farmer that carry the officer's request.
fn mails_asking(app: &TestApp) -> usize {
    app.smtp
        .messages()
        .iter()
        .filter(|m| m.recipients.iter().any(|r| r == FARMER_EMAIL))
        .filter(|m| m.text().contains(ASKED))
        .count()
}

async fn a_farmer_who_puts_sms_first_gets_her_case_news_on_her_phone_from_kaset(backend: Backend) {
    let app = spawn_app(backend).await;
    farmer_puts_sms_first(&app).await;
    let reference = officer_asks_her_for_information(&app).await;

    let sms = the_sent_request(&app).await;
    assert_eq!(sms.from, SENDER, "always the same sender");
    assert!(sms.text.contains(&reference), "{}", sms.text);
    assert!(
        sms.text.contains(&format!("/applications/{reference}")),
        "{}",
        sms.text
    );
    assert!(kaset::domain::sms::segments(&sms.text) <= 2, "{}", sms.text);
    assert_eq!(
        delivery_status(&app, &sms, Channel::Sms),
        Some(DeliveryStatus::Sent)
    );

    // The operator's report: delivered. A forged report, to another address, is not heard.
    let forged = reqwest::Client::new()
        .post(format!("{}/hooks/sms/not-the-token", app.base))
        .json(&serde_json::json!({ "details": [] }))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 404);
    assert!(sms
        .notify_url
        .ends_with(&format!("/hooks/sms/{CALLBACK_TOKEN}")));
    assert_eq!(
        app.sms
            .report(&sms, "DELIVERED", "000", "Successfully sent to phone")
            .await,
        200
    );
    assert_eq!(
        delivery_status(&app, &sms, Channel::Sms),
        Some(DeliveryStatus::Delivered)
    );
    // A repeated report changes nothing, and no e-mail follows a delivered SMS.
    assert_eq!(
        app.sms
            .report(&sms, "DELIVERED", "000", "Successfully sent to phone")
            .await,
        200
    );
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(mails_asking(&app), 0);
}

async fn an_sms_the_phone_never_received_comes_by_email_instead(backend: Backend) {
    let app = spawn_app(backend).await;
    farmer_puts_sms_first(&app).await;
    officer_asks_her_for_information(&app).await;
    let sms = the_sent_request(&app).await;

    let status = app
        .sms
        .report(&sms, "UNDELIVERED", "402", "Absent subscriber")
        .await;
    assert_eq!(status, 200);
    wait_for_the_mail_asking(&app).await;
    assert_eq!(mails_asking(&app), 1, "the news comes by e-mail, once");
    assert_eq!(
        delivery_status(&app, &sms, Channel::Sms),
        Some(DeliveryStatus::Failed)
    );
    // The mail server has the e-mail a moment before the worker records it.
    assert_eq!(
        delivery_status_soon(&app, &sms, Channel::Email, DeliveryStatus::Sent).await,
        Some(DeliveryStatus::Sent)
    );
    assert_eq!(
        app.sms.to_phone_with(DEMO_FARMER_PHONE, &sms.text).len(),
        1,
        "never twice by SMS"
    );
}

/// Waits (up to 20 s) for the e-mail that carries the officer's request.
async fn wait_for_the_mail_asking(app: &TestApp) {
    for _ in 0..200 {
        if mails_asking(app) > 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no e-mail with the officer's request within 20 s");
}

async fn when_the_sms_gateway_is_down_the_news_comes_by_email_after_three_tries(backend: Backend) {
    let app = spawn_app(backend).await;
    farmer_puts_sms_first(&app).await;
    app.sms.set_mode(Mode::Down);
    officer_asks_her_for_information(&app).await;
    wait_for_the_mail_asking(&app).await;
    assert_eq!(mails_asking(&app), 1);
    assert!(
        app.sms.attempts.load(std::sync::atomic::Ordering::SeqCst) >= 3,
        "tried three times before the next channel"
    );
    assert!(app.sms.received().is_empty());
}

async fn a_number_the_gateway_refuses_gets_the_news_by_email_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    farmer_puts_sms_first(&app).await;
    app.sms.set_mode(Mode::Reject);
    let before = app.sms.attempts.load(std::sync::atomic::Ordering::SeqCst);
    officer_asks_her_for_information(&app).await;
    wait_for_the_mail_asking(&app).await;
    // The submission's news and the request's: one try each, no retry of a refused number.
    let tries = app.sms.attempts.load(std::sync::atomic::Ordering::SeqCst) - before;
    assert!(tries <= 2, "{tries} tries");
    assert_eq!(mails_asking(&app), 1);
}

/// The farmer links LINE from her account page, through LINE Login (the stand-in agrees at
/// once): Kaset's address, LINE's authorization page, back to Kaset with the code.
pub(crate) async fn farmer_links_line(app: &TestApp) {
    let page = app.get("/account/messages").await;
    assert!(
        page.body.contains("href=\"/account/line/link\""),
        "{}",
        page.body
    );
    let to_line = app.get("/account/line/link").await;
    let authorize = to_line.location.clone().expect("sent to LINE Login");
    assert!(authorize.starts_with(&app.line.url), "{authorize}");
    assert!(
        authorize.contains("code_challenge_method=S256"),
        "{authorize}"
    );
    let back = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(&authorize)
        .send()
        .await
        .unwrap();
    let callback = back.headers()["location"].to_str().unwrap().to_owned();
    let path = callback.trim_start_matches(&app.base).to_owned();
    let linked = app.get(&path).await;
    assert_eq!(
        linked.location.as_deref(),
        Some("/account/messages?linked=1"),
        "{}",
        linked.body
    );
    let page = app.get("/account/messages?linked=1").await;
    assert_eq!(page.texts("#line").len(), 1, "{}", page.body);
}

async fn a_farmer_links_her_line_account_and_gets_the_news_on_line(backend: Backend) {
    let app = spawn_app(backend).await;
    app.login_as(FARMER_ID).await;
    farmer_links_line(&app).await;
    // A replayed callback (its state used up) links nothing.
    let replay = app.get("/account/line/callback?code=x&state=y").await;
    assert_eq!(
        replay.location.as_deref(),
        Some("/account/messages?line_failed=1")
    );
    officer_asks_her_for_information(&app).await;
    let pushed = app.line.wait_for_push(ASKED).await;
    assert_eq!(pushed.to, crate::support::line::LINE_USER_ID);
    assert!(!pushed.retry_key.is_empty(), "pushes carry a retry key");
    assert!(app.sms.to_phone_with(DEMO_FARMER_PHONE, ASKED).is_empty());
    assert_eq!(mails_asking(&app), 0, "LINE first, so no e-mail");
}

async fn an_sms_the_gateway_refuses_comes_by_line_instead(backend: Backend) {
    let app = spawn_app(backend).await;
    app.login_as(FARMER_ID).await;
    farmer_links_line(&app).await;
    let saved = app
        .submit(
            "/account/messages",
            "/account/messages",
            &[("first", "sms"), ("second", "line"), ("third", "email")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    app.sms.set_mode(Mode::Reject);
    officer_asks_her_for_information(&app).await;
    app.line.wait_for_push(ASKED).await;
    assert_eq!(mails_asking(&app), 0);
}

async fn line_webhooks_are_believed_only_with_lines_signature_and_a_block_unlinks_line(
    backend: Backend,
) {
    use crate::support::line::{signature, signed_unfollow, LINE_USER_ID, MESSAGING_SECRET};
    let app = spawn_app(backend).await;
    app.login_as(FARMER_ID).await;
    farmer_links_line(&app).await;
    let client = reqwest::Client::new();
    let post = |body: String, signature: String| {
        client
            .post(format!("{}/hooks/line", app.base))
            .header("content-type", "application/json")
            .header("x-line-signature", signature)
            .body(body)
            .send()
    };
    // LINE's connectivity check: no events, signed.
    let empty = r#"{"destination":"U0","events":[]}"#.to_owned();
    let signed = signature(MESSAGING_SECRET, empty.as_bytes());
    assert_eq!(post(empty, signed).await.unwrap().status(), 200);
    // Forged: signed with another secret.
    let (body, _) = signed_unfollow(LINE_USER_ID, MESSAGING_SECRET);
    let forged = signature("not-the-secret", body.as_bytes());
    assert_eq!(post(body, forged).await.unwrap().status(), 401);
    assert_eq!(app.get("/account/messages").await.texts("#line").len(), 1);
    // Signed: the farmer blocked Kaset's LINE account, so LINE is unlinked.
    let (body, signed) = signed_unfollow(LINE_USER_ID, MESSAGING_SECRET);
    assert_eq!(post(body, signed).await.unwrap().status(), 200);
    let page = app.get("/account/messages").await;
    assert!(page.texts("#line").is_empty(), "{}", page.body);
}

async fn when_line_is_down_the_news_comes_by_the_next_channel(backend: Backend) {
    let app = spawn_app(backend).await;
    app.login_as(FARMER_ID).await;
    // Linking puts LINE first, before her e-mail and SMS.
    farmer_links_line(&app).await;
    app.line.set_push_down(true);
    officer_asks_her_for_information(&app).await;
    wait_for_the_mail_asking(&app).await;
    assert!(app.line.pushed().is_empty());
    assert!(app.sms.to_phone_with(DEMO_FARMER_PHONE, ASKED).is_empty());
}
