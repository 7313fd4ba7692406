//! Farmers apply online from start to finish and officers handle the case to a decision, with
//! every change told by e-mail and nothing lost or duplicated on the way.

use crate::{on_both_databases, on_chosen_days};

on_chosen_days!(
    an_overdue_case_is_highlighted_and_escalated_to_the_managers_once,
    farmer_rates_a_decided_case_and_may_change_the_rating_for_seven_days,
    farmer_applies_for_flood_relief_and_follows_it_to_payment,
);
use crate::support::{
    declare_flood, spawn_app, spawn_app_on, Backend, Page, TestApp, FARMER_EMAIL, FARMER_ID,
    OFFICER_SURIN,
};
use kaset::domain::Clock;

on_both_databases!(
    a_rejection_is_appealed_and_decided_by_another_officer,
    two_officers_deciding_the_same_case_at_once_cannot_both_win,
    a_farmer_cannot_see_another_households_application_nor_an_officer_another_areas_case,
    attachments_are_at_most_five_files_of_five_megabytes,
    answers_typed_when_the_session_expired_are_back_after_signing_in,
    an_officer_approves_several_cases_at_once_and_each_step_is_audited,
    a_farmer_withdraws_before_a_decision_and_may_apply_again,
    a_flood_drafts_the_claim_and_the_farmer_confirms_ten_rai_of_rice_in_the_zone,
    each_reminder_is_sent_once_when_it_falls_due,
    an_officer_records_the_flood_claim_after_visiting_the_plots_for_a_farmer_offline,
    a_relief_claim_is_approved_only_after_the_village_and_the_district_committee_check_it,
    an_officer_records_the_village_meeting_for_the_ticked_claims_at_once,
);

pub(crate) const RELIEF: &str = "disaster-relief-crops";
const OFFICER_SURIN_2: &str = kaset::db::seed::DEMO_OFFICER_SURIN_2_EMAIL;

/// The path a 303 sends the browser to.
pub(crate) fn location(page: &Page) -> String {
    assert_eq!(page.status, 303, "expected a redirect: {}", page.body);
    page.location.clone().expect("a Location header")
}

/// Starts the farmer's application for a programme from "My entitlements"; the draft's path.
pub(crate) async fn start(app: &TestApp, programme: &str) -> String {
    let page = app
        .submit(
            "/entitlements",
            &format!("/applications/start/{programme}"),
            &[],
        )
        .await;
    location(&page)
}

/// The field of the damaged rai of the demo farmer's rice field behind the house: the first
/// crop a relief claim lists (`None` on another programme's form).
pub(crate) fn rice_damage_field(claim: &Page) -> Option<String> {
    claim.input_names("q_damaged.").into_iter().next()
}

/// The relief answers: `rai` damaged on the rice field, the account and the insurance (other
/// programmes ignore them).
pub(crate) fn relief_answers(claim: &Page, rai: &str) -> Vec<(String, String)> {
    let mut answers = vec![
        ("q_baac_account".to_owned(), "020-1-23456-7".to_owned()),
        ("q_insured".to_owned(), "no".to_owned()),
    ];
    if let Some(field) = rice_damage_field(claim) {
        answers.push((field, rai.to_owned()));
    }
    answers
}

/// Submits the draft with the relief answers (8 rai of rice damaged) and the declaration; the
/// application's path.
pub(crate) async fn submit_relief(app: &TestApp, draft: &str) -> String {
    submit_relief_with(app, draft, "8").await
}

pub(crate) async fn submit_relief_with(app: &TestApp, draft: &str, rai: &str) -> String {
    let form = app.get(draft).await;
    let version = form.input_value("version").unwrap();
    let token = form.csrf_token();
    let answers = relief_answers(&form, rai);
    let mut fields = crate::support::as_fields(&answers);
    fields.extend([
        ("declaration", "yes"),
        ("version", version.as_str()),
        ("action", "submit"),
        ("csrf_token", token.as_str()),
    ]);
    location(&app.post_multipart(draft, &fields, &[]).await)
}

/// Posts an officer's or farmer's step (`approve`, `withdraw` …) from the page that shows it.
pub(crate) async fn step(
    app: &TestApp,
    page_path: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> Page {
    let action = format!("{page_path}/{action}");
    let page = app.get(page_path).await;
    let version = page.input_value("version").unwrap_or_default();
    let mut all: Vec<(&str, &str)> = vec![("version", version.as_str())];
    all.extend_from_slice(fields);
    let token = page.csrf_token();
    all.push(("csrf_token", &token));
    app.post_raw(&action, &all).await
}

/// The village certifies the damage list and the district committee approves it (Kor Sor 02,
/// Kor Sor 03): the officer records each on the case page, as a relief claim is approved only
/// after both.
pub(crate) async fn record_the_relief_checks(app: &TestApp, case_page: &str) {
    let today = app.clock.today().to_string();
    for (check, note) in [
        ("village", "ประชาคมหมู่ 3 รับรองรายชื่อ ปิดประกาศ 3 วัน"),
        (
            "district_committee",
            "คณะกรรมการอำเภอเมืองสุรินทร์ ครั้งที่ 12/2569 เห็นชอบ",
        ),
    ] {
        let token = app.get(case_page).await.csrf_token();
        let done = app
            .post_raw(
                &format!("{case_page}/check"),
                &[
                    ("csrf_token", &token),
                    ("check", check),
                    ("check_on", &today),
                    ("check_note", note),
                ],
            )
            .await;
        assert_eq!(done.status, 303, "{check}: {}", done.body);
    }
}

fn applications_count(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    use kaset::db::schema::applications;
    applications::table
        .filter(applications::reference.is_not_null())
        .count()
        .get_result(&mut *app.db())
        .unwrap()
}

async fn farmer_applies_for_flood_relief_and_follows_it_to_payment(backend: Backend, clock: Clock) {
    let app = spawn_app_on(backend, clock).await;
    declare_flood(&app);
    app.login_as(FARMER_ID).await;

    // The form asks only the programme's own questions; the registry is shown, not asked.
    let draft = start(&app, RELIEF).await;
    assert!(draft.starts_with("/applications/drafts/"), "{draft}");
    let form = app.get(&draft).await;
    assert!(
        form.body.contains("320101000001"),
        "the registry data is shown"
    );
    let rice = rice_damage_field(&form).expect("the claim asks the damage of each crop");
    assert!(
        form.input_value("national_id").is_none(),
        "never asked again"
    );

    // A second "Apply" finds the same draft.
    assert_eq!(start(&app, RELIEF).await, draft);

    // Missing answers and no declaration: refused, with what was typed kept and nothing stored.
    let token = form.csrf_token();
    let refused = app
        .post_multipart(
            &draft,
            &[
                ("csrf_token", &token),
                (rice.as_str(), "45"),
                ("q_baac_account", "020-1-23456-7"),
                ("version", "0"),
                ("action", "submit"),
            ],
            &[("files", "ผังแปลง.png", PNG.to_vec())],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.texts(".files a"),
        vec!["ผังแปลง.png"],
        "the file sent with a refused form is kept with the draft"
    );
    let errors = refused.texts(".field-error").join(" | ");
    assert!(
        errors.contains("มากกว่าพื้นที่ที่ปลูก"),
        "45 rai damaged on a 12-rai field: {errors}"
    );
    assert_eq!(refused.input_value(&rice).as_deref(), Some("45"));
    assert!(
        errors.contains("กรุณาเลือก") || errors.contains("กรุณากรอก"),
        "{errors}"
    );
    assert!(errors.contains("คำรับรอง"), "{errors}");
    assert_eq!(
        refused.input_value("q_baac_account").as_deref(),
        Some("020-1-23456-7")
    );
    assert_eq!(applications_count(&app), 0);

    // A saved draft keeps its answers for later.
    let saved = app
        .post_multipart(
            &draft,
            &[
                ("csrf_token", &token),
                ("q_baac_account", "020-1-23456-7"),
                ("version", "0"),
                ("action", "save"),
            ],
            &[],
        )
        .await;
    assert_eq!(location(&saved), format!("{draft}?saved=1"));
    assert_eq!(
        app.get(&draft)
            .await
            .input_value("q_baac_account")
            .as_deref(),
        Some("020-1-23456-7")
    );

    // Submitted with 9 rai of rice damaged: a reference, shown and e-mailed.
    let case_path = submit_relief_with(&app, &draft, "9").await;
    let reference = case_path.trim_start_matches("/applications/").to_owned();
    assert!(reference.starts_with("KS-25"), "{reference}");
    assert_eq!(reference.len(), "KS-2569-000001".len());
    let mine = app.get(&case_path).await;
    assert!(mine.texts(".reference").contains(&reference));
    let mail = app.smtp.wait_for(FARMER_EMAIL).await;
    assert!(mail.subject().contains(&reference), "{}", mail.subject());

    // Submitting the same draft again (back button, double click) makes no second application.
    let again = app
        .post_multipart(
            &draft,
            &[
                ("csrf_token", &mine.csrf_token()),
                ("declaration", "yes"),
                ("version", "0"),
                ("action", "submit"),
            ],
            &[],
        )
        .await;
    assert_eq!(location(&again), case_path);
    assert_eq!(applications_count(&app), 1);
    app.logout().await;

    // The officer finds it in the queue, takes it, and asks for more information.
    app.login_as(OFFICER_SURIN).await;
    let queue = app.get("/officer/cases?unassigned=1").await;
    assert!(
        queue.body.contains(&reference),
        "the new case is in the queue"
    );
    // The queue names the farmer, and finds the case by name, national ID or reference.
    assert!(
        queue
            .texts(".cases td.farmer")
            .iter()
            .any(|f| f.contains("สมชาย ใจดี")),
        "{:?}",
        queue.texts(".cases td.farmer")
    );
    for typed in [
        "สมชาย",
        "ใจดี สมชาย",
        FARMER_ID,
        &reference,
        &reference.to_lowercase(),
    ] {
        let found = app.get(&format!("/officer/cases?q={typed}")).await;
        assert_eq!(found.status, 200, "{typed}");
        assert!(found.body.contains(&reference), "{typed}");
        assert_eq!(
            found.input_value("q").as_deref(),
            Some(typed),
            "kept in the box"
        );
    }
    let nobody = app.get("/officer/cases?q=มาลี").await;
    assert!(!nobody.body.contains(&reference), "another farmer's name");
    let bad = app.get("/officer/cases?q=KS-<b>").await;
    assert_eq!(bad.status, 422);
    assert!(bad
        .texts(".field-error")
        .join(" ")
        .contains("KS-2569-000012"));
    let case_page = format!("/officer/cases/{reference}");
    let page = app.get(&case_page).await;
    assert!(page.body.contains("บันทึกภายใน") || page.body.contains("note"));
    assert!(
        page.texts(".snapshot li").len() >= 2,
        "the eligibility snapshot"
    );
    let assigned = step(
        &app,
        &case_page,
        "assign",
        &[("officer", &own_id(&app, OFFICER_SURIN))],
    )
    .await;
    assert_eq!(location(&assigned), case_page);
    let note = step(&app, &case_page, "note", &[("note", "โทรนัดตรวจแปลงแล้ว")]).await;
    assert_eq!(note.status, 303);
    let asked = step(
        &app,
        &case_page,
        "request-info",
        &[("request_info", "กรุณาส่งภาพถ่ายแปลงที่เสียหาย")],
    )
    .await;
    assert_eq!(location(&asked), case_page);
    // The officer reads the status in officer's words.
    let officers = app.get(&case_page).await;
    assert_eq!(officers.texts("dd.status"), vec!["รอเกษตรกรส่งข้อมูลเพิ่มเติม"]);
    app.logout().await;

    // The farmer is told, sees the request (not the internal note), and replies.
    let mail = wait_for_mail_containing(&app, "กรุณาส่งภาพถ่ายแปลงที่เสียหาย").await;
    assert!(mail.text().contains(&reference));
    app.login_as(FARMER_ID).await;
    let mine = app.get(&case_path).await;
    assert!(mine.body.contains("กรุณาส่งภาพถ่ายแปลงที่เสียหาย"));
    assert_eq!(mine.texts("dd.status"), vec!["รอข้อมูลเพิ่มเติมจากท่าน"]);
    // The question stands above the box she answers it in.
    assert_eq!(
        mine.texts("#reply-title ~ .officer-question .question-text"),
        vec!["กรุณาส่งภาพถ่ายแปลงที่เสียหาย"]
    );
    assert!(
        !mine.body.contains("โทรนัดตรวจแปลงแล้ว"),
        "internal notes stay internal"
    );
    // A program disguised as a photo is refused, and the answer typed is kept.
    let disguised = reply(
        &app,
        &case_path,
        "ส่งภาพถ่ายให้ที่สำนักงานเกษตรอำเภอแล้ว",
        vec![("photo.jpg", b"MZ\x90\x00 not a picture".to_vec())],
    )
    .await;
    assert_eq!(disguised.status, 422);
    assert!(disguised.body.contains("PDF, JPEG"), "{}", disguised.body);
    assert_eq!(
        disguised.texts("#reply").join(""),
        "ส่งภาพถ่ายให้ที่สำนักงานเกษตรอำเภอแล้ว"
    );
    let empty = reply(&app, &case_path, "  ", Vec::new()).await;
    assert_eq!(empty.status, 422);
    let replied = reply(
        &app,
        &case_path,
        "แนบภาพถ่ายแปลงที่เสียหายมาแล้ว",
        vec![("แปลงนา.jpg", JPEG.to_vec())],
    )
    .await;
    assert_eq!(location(&replied), case_path);
    let mine = app.get(&case_path).await;
    let files = mine.texts(".files a");
    assert_eq!(
        files,
        vec!["ผังแปลง.png", "แปลงนา.jpg"],
        "the draft's and the reply's files"
    );
    app.logout().await;

    // The officer opens the files; an officer of another area cannot.
    app.login_as(OFFICER_SURIN).await;
    let page = app.get(&case_page).await;
    let link = file_links(&page)[1].clone();
    let download = app.client.get(app.url(&link)).send().await.unwrap();
    assert_eq!(download.status().as_u16(), 200);
    assert_eq!(
        download.headers()["content-type"].to_str().unwrap(),
        "image/jpeg"
    );
    assert_eq!(download.bytes().await.unwrap().as_ref(), JPEG);
    app.logout().await;
    app.login_as(crate::support::OFFICER_BURIRAM).await;
    assert_eq!(app.get(&link).await.status, 404);
    app.logout().await;

    // The mail server goes down for a while: the approval is still mailed, once it is back.
    app.smtp.set_down(true);
    // The village and the district committee check the claim; the officer approves, then
    // records the payment.
    app.login_as(OFFICER_SURIN).await;
    record_the_relief_checks(&app, &case_page).await;
    // The computed amount is filled in; another amount needs its reason, kept with what was typed.
    let page = app.get(&case_page).await;
    let computed = page
        .input_value("approve_amount")
        .expect("the amount to approve");
    assert_eq!(computed, "12060.00", "9 rai × 1,340 baht");
    let no_reason = step(
        &app,
        &case_page,
        "approve",
        &[("approve_amount", "๑๐,๗๒๐ บาท"), ("approve_message", "")],
    )
    .await;
    assert_eq!(no_reason.status, 422, "{}", no_reason.body);
    assert!(no_reason
        .texts("#approve_reason-error")
        .join("")
        .contains("เหตุผล"));
    assert_eq!(
        no_reason.input_value("approve_amount").as_deref(),
        Some("๑๐,๗๒๐ บาท")
    );
    let approved = step(
        &app,
        &case_page,
        "approve",
        &[
            ("approve_amount", "๑๐,๗๒๐ บาท"),
            ("approve_reason", "ตรวจแปลงแล้ว นาเสียหาย 8 ไร่"),
            ("approve_message", ""),
        ],
    )
    .await;
    assert_eq!(location(&approved), case_page);
    let paid = step(&app, &case_page, "paid", &[("confirm", "yes")]).await;
    assert_eq!(location(&paid), case_page);
    app.logout().await;
    wait_for_failed_delivery(&app).await;
    assert!(
        !app.smtp
            .messages()
            .iter()
            .any(|m| m.subject().contains("อนุมัติแล้ว")),
        "nothing got through while the server was down"
    );
    app.smtp.set_down(false);
    let approved_mail = wait_for_mail_containing(&app, "อนุมัติแล้ว").await;
    assert!(approved_mail.subject().contains(&reference));
    wait_for_mail_containing(&app, "จ่ายเงินแล้ว").await;

    // The farmer's timeline tells the whole story; nothing more can be done to it.
    app.login_as(FARMER_ID).await;
    let mine = app.get(&case_path).await;
    let timeline = mine.texts(".timeline li strong").join(" | ");
    for event in [
        "ยื่นคำขอ",
        "ขอข้อมูลเพิ่มเติม",
        "ส่งข้อมูลเพิ่มเติม",
        "อนุมัติ",
        "จ่ายเงินแล้ว",
    ] {
        assert!(timeline.contains(event), "{event} missing from {timeline}");
    }
    assert!(mine
        .texts(".status")
        .iter()
        .any(|s| s.contains("จ่ายเงินแล้ว")));
    // Computed, approved with the officer's reason, paid: each amount as it was.
    let approved = mine.texts(".amount-approved").join("");
    assert!(approved.contains("10,720"), "{approved}");
    assert!(approved.contains("ตรวจแปลงแล้ว นาเสียหาย 8 ไร่"), "{approved}");
    assert!(mine.texts(".amount-paid").join("").contains("10,720"));
    let claimed = mine.texts(".amount-computed").join("");
    assert!(claimed.contains("12,060"), "{claimed}");
    assert!(app.get("/applications").await.body.contains(&reference));
    let notices = app.get("/notifications").await.texts(".notices li");
    assert!(
        notices.len() >= 5,
        "a notice for every change ({notices:?})"
    );
    // The news of money says how much, and every notice says when, to the minute.
    assert!(
        notices.iter().any(|n| n.contains("10,720")),
        "the approval and payment notices carry the amount: {notices:?}"
    );
    let timed = notices_with_a_time(&notices);
    assert_eq!(timed, notices.len(), "{notices:?}");
    let late = step(&app, &case_path, "withdraw", &[("confirm", "yes")]).await;
    assert_eq!(late.status, 409, "a paid application cannot be withdrawn");

    // "My entitlements" shows the relief as received, not as something to claim.
    let entitled = app.get("/entitlements").await;
    let received = entitled
        .texts(&format!("#programme-{RELIEF} .progress-received"))
        .join("");
    assert!(received.contains("ได้รับเงิน 10,720"), "{received}");
    assert!(entitled
        .texts(&format!("#programme-{RELIEF} form.apply button"))
        .is_empty());
}

/// The first bytes of real files of each kind are all the checks look at.
const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00 a small photo";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR a small map";

/// The farmer's answer to a request for information, with files.
async fn reply(app: &TestApp, case_path: &str, text: &str, files: Vec<(&str, Vec<u8>)>) -> Page {
    let page = app.get(case_path).await;
    let version = page.input_value("version").unwrap();
    let token = page.csrf_token();
    let files: Vec<(&str, &str, Vec<u8>)> = files
        .into_iter()
        .map(|(name, bytes)| ("files", name, bytes))
        .collect();
    app.post_multipart(
        &format!("{case_path}/reply"),
        &[
            ("csrf_token", &token),
            ("version", &version),
            ("reply", text),
        ],
        &files,
    )
    .await
}

/// The links of a page's attachment list.
fn file_links(page: &Page) -> Vec<String> {
    let html = scraper::Html::parse_document(&page.body);
    let selector = scraper::Selector::parse(".files a").unwrap();
    html.select(&selector)
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .collect()
}

/// Waits until the outbox has recorded a failed delivery attempt.
async fn wait_for_failed_delivery(app: &TestApp) {
    use diesel::prelude::*;
    use kaset::db::schema::outbox;
    for _ in 0..200 {
        let failed: i64 = outbox::table
            .filter(outbox::sent_at.is_null())
            .filter(outbox::attempts.gt(0))
            .count()
            .get_result(&mut *app.db())
            .unwrap();
        if failed > 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no delivery failed while the SMTP server was down");
}

/// The user id of a demo account.
fn own_id(app: &TestApp, email: &str) -> String {
    use diesel::prelude::*;
    use kaset::db::schema::users;
    users::table
        .filter(users::email.eq(email))
        .select(users::id)
        .first::<i32>(&mut *app.db())
        .unwrap()
        .to_string()
}

/// Waits for a mail whose text contains `needle` (the sink keeps every mail of the test).
async fn wait_for_mail_containing(
    app: &TestApp,
    needle: &str,
) -> crate::support::smtp::ReceivedMail {
    for _ in 0..200 {
        if let Some(mail) = app
            .smtp
            .messages()
            .into_iter()
            .find(|m| m.text().contains(needle))
        {
            return mail;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no e-mail containing {needle:?} arrived");
}

async fn a_rejection_is_appealed_and_decided_by_another_officer(backend: Backend) {
    let app = spawn_app(backend).await;
    declare_flood(&app);
    app.login_as(FARMER_ID).await;
    let draft = start(&app, RELIEF).await;
    let case_path = submit_relief(&app, &draft).await;
    let reference = case_path.trim_start_matches("/applications/").to_owned();
    app.logout().await;

    // The first officer rejects; a reason from the list is required.
    app.login_as(OFFICER_SURIN).await;
    let case_page = format!("/officer/cases/{reference}");
    let no_reason = step(
        &app,
        &case_page,
        "reject",
        &[("reason", ""), ("reject_message", "ตรวจแล้วไม่พบความเสียหาย")],
    )
    .await;
    assert_eq!(no_reason.status, 422);
    assert_eq!(
        no_reason.texts("#reject_message").join(""),
        "ตรวจแล้วไม่พบความเสียหาย",
        "what the officer typed is kept"
    );
    let rejected = step(
        &app,
        &case_page,
        "reject",
        &[
            ("reason", "data_mismatch"),
            ("reject_message", "ตรวจแล้วไม่พบความเสียหาย"),
        ],
    )
    .await;
    assert_eq!(location(&rejected), case_page);
    app.logout().await;

    // The farmer appeals with a reason.
    app.login_as(FARMER_ID).await;
    let mine = app.get(&case_path).await;
    assert!(
        mine.body.contains("ข้อมูลไม่ตรงกับทะเบียน"),
        "the reason is shown"
    );
    let appealed = step(
        &app,
        &case_path,
        "appeal",
        &[("appeal", "น้ำท่วมแปลงที่สองซึ่งเจ้าหน้าที่ยังไม่ได้ตรวจ")],
    )
    .await;
    assert_eq!(location(&appealed), case_path);
    let twice = step(&app, &case_path, "appeal", &[("appeal", "อีกครั้ง")]).await;
    assert_eq!(twice.status, 409, "one appeal only");
    app.logout().await;

    // The officer who rejected cannot decide the appeal; it went to the second officer.
    app.login_as(OFFICER_SURIN).await;
    let refused = step(&app, &case_page, "approve", &[("approve_message", "")]).await;
    assert_eq!(refused.status, 409);
    assert!(refused.body.contains("เจ้าหน้าที่ท่านอื่น"), "{}", refused.body);
    app.logout().await;

    app.login_as(OFFICER_SURIN_2).await;
    let mine = app.get("/officer/cases?mine=1").await;
    assert!(
        mine.body.contains(&reference),
        "the appeal is assigned to the second officer"
    );
    record_the_relief_checks(&app, &case_page).await;
    let approved = step(
        &app,
        &case_page,
        "approve",
        &[("approve_message", "ตรวจแปลงที่สองแล้ว อนุมัติ")],
    )
    .await;
    assert_eq!(location(&approved), case_page);
    let mail = wait_for_mail_containing(&app, "ตรวจแปลงที่สองแล้ว อนุมัติ").await;
    assert!(mail.text().contains(&reference));
}

async fn two_officers_deciding_the_same_case_at_once_cannot_both_win(backend: Backend) {
    let app = spawn_app(backend).await;
    declare_flood(&app);
    app.login_as(FARMER_ID).await;
    let draft = start(&app, RELIEF).await;
    let reference = submit_relief(&app, &draft)
        .await
        .trim_start_matches("/applications/")
        .to_owned();
    app.logout().await;

    // Both officers open the case page (same version), then both act.
    let case_page = format!("/officer/cases/{reference}");
    let second = crate::support::new_client();
    app.login_with(&second, OFFICER_SURIN_2, crate::support::DEMO_PASSWORD)
        .await;
    app.login_as(OFFICER_SURIN).await;
    record_the_relief_checks(&app, &case_page).await;
    let their_page = app.get_with(&second, &case_page).await;
    let approved = step(&app, &case_page, "approve", &[("approve_message", "")]).await;
    assert_eq!(location(&approved), case_page);

    let response = second
        .post(app.url(&format!("{case_page}/reject")))
        .form(&[
            ("csrf_token", their_page.csrf_token().as_str()),
            (
                "version",
                their_page.input_value("version").unwrap().as_str(),
            ),
            ("reason", "not_eligible"),
            ("reject_message", "ไม่เข้าเงื่อนไข"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        409,
        "the second decision is refused"
    );
    let body = response.text().await.unwrap();
    assert!(
        body.contains("อนุมัติแล้ว"),
        "and shown the case as it now stands"
    );

    use diesel::prelude::*;
    use kaset::db::schema::applications;
    let status: String = applications::table
        .filter(applications::reference.eq(&reference))
        .select(applications::status)
        .first(&mut *app.db())
        .unwrap();
    assert_eq!(status, "approved");
}

async fn a_farmer_cannot_see_another_households_application_nor_an_officer_another_areas_case(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    declare_flood(&app);
    app.login_as(FARMER_ID).await;
    let draft = start(&app, RELIEF).await;
    let case_path = submit_relief(&app, &draft).await;
    let reference = case_path.trim_start_matches("/applications/").to_owned();
    assert_eq!(app.get("/applications/KS-2569-999999").await.status, 404);
    assert_eq!(app.get("/applications/drafts/999999").await.status, 404);
    assert_eq!(
        app.get(&format!("/officer/cases/{reference}")).await.status,
        404
    );
    app.logout().await;

    app.login_as(crate::support::OFFICER_BURIRAM).await;
    assert_eq!(
        app.get(&format!("/officer/cases/{reference}")).await.status,
        404
    );
    assert!(!app.get("/officer/cases").await.body.contains(&reference));
    assert_eq!(app.get(&case_path).await.status, 404);

    // A forged form (no CSRF token) changes nothing.
    let forged = app
        .post_raw(
            &format!("/officer/cases/{reference}/approve"),
            &[("version", "1"), ("csrf_token", "forged")],
        )
        .await;
    assert_eq!(forged.status, 403);
}

async fn attachments_are_at_most_five_files_of_five_megabytes(backend: Backend) {
    let app = spawn_app(backend).await;
    declare_flood(&app);
    app.login_as(FARMER_ID).await;
    let draft = start(&app, RELIEF).await;
    let save = |files: Vec<(&'static str, Vec<u8>)>| {
        let (app, draft) = (&app, draft.clone());
        async move {
            let token = app.get(&draft).await.csrf_token();
            let files: Vec<(&str, &str, Vec<u8>)> =
                files.into_iter().map(|(n, b)| ("files", n, b)).collect();
            app.post_multipart(
                &draft,
                &[("csrf_token", &token), ("version", "0"), ("action", "save")],
                &files,
            )
            .await
        }
    };
    let mut too_big = PNG.to_vec();
    too_big.resize(5 * 1024 * 1024 + 1, 0);
    let page = save(vec![
        ("big.png", too_big),
        ("a.pdf", b"%PDF-1.4 a".to_vec()),
    ])
    .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("big.png"), "the refused file is named");
    assert_eq!(
        page.texts(".files a"),
        vec!["a.pdf"],
        "the good one is kept"
    );

    let four_more: Vec<(&'static str, Vec<u8>)> = ["b.pdf", "c.pdf", "d.pdf", "e.pdf", "f.pdf"]
        .into_iter()
        .map(|n| (n, b"%PDF-1.4 x".to_vec()))
        .collect();
    let page = save(four_more).await;
    assert_eq!(page.status, 422, "the sixth file is one too many");
    assert!(page.body.contains("f.pdf"));
    assert_eq!(page.texts(".files a").len(), 5);
    assert!(
        page.input_value("files").is_none(),
        "no more room: no file input"
    );
}

async fn an_overdue_case_is_highlighted_and_escalated_to_the_managers_once(
    backend: Backend,
    clock: Clock,
) {
    use diesel::prelude::*;
    use kaset::db::schema::applications;
    let app = spawn_app_on(backend, clock).await;
    declare_flood(&app);
    app.login_as(FARMER_ID).await;
    let draft = start(&app, RELIEF).await;
    let reference = submit_relief(&app, &draft)
        .await
        .trim_start_matches("/applications/")
        .to_owned();
    app.logout().await;

    // The deadline is the programme's 10 working days, weekends and public holidays skipped.
    let rules_dir = crate::support::rules_dir();
    let calendar = kaset::app::load_calendar(&rules_dir).unwrap();
    let today = app.clock.today();
    let due: chrono::NaiveDate = applications::table
        .filter(applications::reference.eq(&reference))
        .select(applications::due_on.assume_not_null())
        .first(&mut *app.db())
        .unwrap();
    assert_eq!(due, calendar.add_working_days(today, 10));

    // Past the deadline: the queue highlights it and the "overdue" filter finds it.
    diesel::update(applications::table.filter(applications::reference.eq(&reference)))
        .set(applications::due_on.eq(today - chrono::Duration::days(1)))
        .execute(&mut *app.db())
        .unwrap();
    app.login_as(OFFICER_SURIN).await;
    let overdue = app.get("/officer/cases?overdue=1").await;
    assert!(overdue.body.contains(&reference));
    assert_eq!(overdue.texts("tr.overdue").len(), 1);
    app.logout().await;

    // The hourly check tells the managers once, by notice and e-mail, and notes it on the timeline.
    let pool = kaset::db::connect(&app.database_url, 1).unwrap();
    let rules = kaset::app::load_rules(&rules_dir).unwrap();
    let cx =
        kaset::services::cases::CaseContext::new(&rules, &calendar, "http://kaset.test", app.clock);
    let mut conn = pool.get().unwrap();
    assert_eq!(
        kaset::services::cases::escalate_overdue(&mut conn, &cx).unwrap(),
        1
    );
    assert_eq!(
        kaset::services::cases::escalate_overdue(&mut conn, &cx).unwrap(),
        0
    );
    drop(conn);
    let mail = app.smtp.wait_for(kaset::db::seed::DEMO_MANAGER_EMAIL).await;
    assert!(mail.subject().contains(&reference), "{}", mail.subject());
    app.login_as(kaset::db::seed::DEMO_MANAGER_EMAIL).await;
    assert!(app.get("/notifications").await.body.contains(&reference));
    let case = app.get(&format!("/officer/cases/{reference}")).await;
    assert!(case
        .texts(".timeline li strong")
        .iter()
        .any(|t| t.contains("แจ้งผู้บริหาร")));
}

async fn answers_typed_when_the_session_expired_are_back_after_signing_in(backend: Backend) {
    use diesel::prelude::*;
    use kaset::db::schema::{applications, sessions};
    let app = spawn_app(backend).await;
    declare_flood(&app);
    app.login_as(FARMER_ID).await;
    let draft = start(&app, RELIEF).await;
    let form = app.get(&draft).await;
    let token = form.csrf_token();

    // The session ends (expired, or the server forgot it) while the farmer types.
    diesel::delete(sessions::table)
        .execute(&mut *app.db())
        .unwrap();
    let answers = relief_answers(&form, "8");
    let mut fields = crate::support::as_fields(&answers);
    fields.extend([
        ("csrf_token", token.as_str()),
        ("version", "0"),
        ("action", "submit"),
    ]);
    let posted = app.post_multipart(&draft, &fields, &[]).await;
    assert_eq!(location(&posted), format!("/login?next={draft}"));

    // Signed in again, the farmer is back on the draft with what they typed, not yet saved.
    let login = app.get(&format!("/login?next={draft}")).await;
    let signed_in = app
        .post_raw(
            "/login",
            &[
                ("csrf_token", &login.csrf_token()),
                ("login", FARMER_ID),
                ("password", crate::support::DEMO_PASSWORD),
                ("next", &draft),
            ],
        )
        .await;
    assert_eq!(location(&signed_in), draft);
    let back = app.get(&draft).await;
    let rice = rice_damage_field(&back).unwrap();
    assert_eq!(back.input_value(&rice).as_deref(), Some("8"));
    assert_eq!(
        back.input_value("q_baac_account").as_deref(),
        Some("020-1-23456-7")
    );
    assert!(back.body.contains("เก็บคำตอบ"), "the farmer is told why");
    let stored: String = applications::table
        .select(applications::answers)
        .first(&mut *app.db())
        .unwrap();
    assert_eq!(
        stored, "{}",
        "kept for the farmer to check, not saved behind their back"
    );
    // Shown once: a later visit shows the stored draft.
    assert_eq!(
        app.get(&draft).await.input_value(&rice).as_deref(),
        Some("")
    );
}

async fn an_officer_approves_several_cases_at_once_and_each_step_is_audited(backend: Backend) {
    use diesel::prelude::*;
    use kaset::db::schema::audit_log;
    let app = spawn_app(backend).await;
    declare_flood(&app);
    app.login_as(FARMER_ID).await;
    let mut references = Vec::new();
    for programme in [RELIEF, "ldd-soil-analysis"] {
        let draft = start(&app, programme).await;
        let path = submit_relief(&app, &draft).await;
        references.push(path.trim_start_matches("/applications/").to_owned());
    }
    app.logout().await;

    app.login_as(OFFICER_SURIN).await;
    // The relief claim is checked by the village and the committee; soil analysis needs none.
    record_the_relief_checks(&app, &format!("/officer/cases/{}", references[0])).await;
    let queue = app.get("/officer/cases").await;
    let token = queue.csrf_token();
    let mut fields: Vec<(String, String)> = vec![("csrf_token".into(), token)];
    for reference in &references {
        let field = format!("case_{reference}");
        let version = queue.input_value(&field).expect("a checkbox per case");
        fields.push((field, version));
    }
    // One of them was changed meanwhile: it is reported, the other approved.
    let stale = format!("case_{}", references[1]);
    for (name, value) in fields.iter_mut() {
        if *name == stale {
            *value = "99".into();
        }
    }
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let done = app.post_raw("/officer/cases/bulk-approve", &fields).await;
    assert_eq!(location(&done), "/officer/cases");
    let result = app
        .get("/officer/cases")
        .await
        .texts("[role=status]")
        .join(" ");
    assert!(result.contains("อนุมัติแล้ว 1 คำขอ"), "{result}");
    assert!(result.contains(&references[1]), "{result}");

    // The audit log holds every change: two submissions and one approval.
    let changes: Vec<(String, Option<String>)> = audit_log::table
        .filter(audit_log::entity.eq("application"))
        .filter(audit_log::field.eq("status"))
        .order(audit_log::id)
        .select((audit_log::action, audit_log::new_value))
        .load(&mut *app.db())
        .unwrap();
    assert_eq!(
        changes,
        vec![
            ("submitted".to_owned(), Some("submitted".to_owned())),
            ("submitted".to_owned(), Some("submitted".to_owned())),
            ("approved".to_owned(), Some("approved".to_owned())),
        ]
    );
}

async fn a_farmer_withdraws_before_a_decision_and_may_apply_again(backend: Backend) {
    let app = spawn_app(backend).await;
    app.login_as(FARMER_ID).await;
    let programme = "ldd-soil-analysis";

    // A draft thrown away leaves nothing in "My applications".
    let draft = start(&app, programme).await;
    let thrown = step(&app, &draft, "discard", &[]).await;
    assert_eq!(location(&thrown), "/applications");
    assert!(app
        .get("/applications")
        .await
        .texts(".applications li")
        .is_empty());

    // A submitted one is withdrawn before any decision; the farmer is told.
    let draft = start(&app, programme).await;
    let case_path = submit_relief(&app, &draft).await;
    // One click is not enough: the box says the farmer is sure.
    let unsure = step(&app, &case_path, "withdraw", &[]).await;
    assert_eq!(unsure.status, 422, "{}", unsure.body);
    assert!(unsure.texts("#confirm-error").join("").contains("ยืนยัน"));
    let withdrawn = step(&app, &case_path, "withdraw", &[("confirm", "yes")]).await;
    assert_eq!(location(&withdrawn), case_path);
    let page = app.get(&case_path).await;
    assert!(page.texts("dd.status").join("").contains("ถอนคำขอแล้ว"));
    assert!(
        !page.body.contains("/withdraw\""),
        "no second withdrawal offered"
    );
    let mail = wait_for_mail_containing(&app, "ถอนคำขอแล้ว").await;
    // Nothing was decided, so nothing asks the farmer to rate the service.
    assert!(!mail.text().contains("ให้คะแนน"), "{}", mail.text());
    assert!(page.input_value("satisfaction").is_none());
    let reference = case_path.trim_start_matches("/applications/");
    assert!(!app
        .get("/notifications")
        .await
        .body
        .contains(&format!("/applications/{reference}#rating")));

    // Withdrawn steps aside: applying again starts a new draft.
    let again = start(&app, programme).await;
    assert_ne!(again, draft);
    assert!(again.starts_with("/applications/drafts/"));
}

async fn farmer_rates_a_decided_case_and_may_change_the_rating_for_seven_days(
    backend: Backend,
    clock: Clock,
) {
    use diesel::prelude::*;
    use kaset::db::schema::ratings;
    let app = spawn_app_on(backend, clock).await;
    app.login_as(FARMER_ID).await;
    let draft = start(&app, "ldd-soil-analysis").await;
    let case_path = submit_relief(&app, &draft).await;
    let reference = case_path.trim_start_matches("/applications/").to_owned();

    // Not before the case ends.
    let page = app.get(&case_path).await;
    assert!(
        page.input_value("satisfaction").is_none(),
        "no rating form yet"
    );
    let early = step(
        &app,
        &case_path,
        "rating",
        &[("satisfaction", "5"), ("effort", "5")],
    )
    .await;
    assert_eq!(early.status, 409);

    // Once it is decided (not approved, here), the page, the notice and the e-mail ask for a
    // rating.
    app.logout().await;
    app.login_as(OFFICER_SURIN).await;
    let case_page = format!("/officer/cases/{reference}");
    let rejected = step(
        &app,
        &case_page,
        "reject",
        &[
            ("reason", "not_eligible"),
            ("reject_message", "แปลงนี้ตรวจดินไปแล้วเมื่อปีที่แล้ว"),
        ],
    )
    .await;
    assert_eq!(location(&rejected), case_page);
    app.logout().await;
    app.login_as(FARMER_ID).await;
    let mail = wait_for_mail_containing(&app, "ไม่อนุมัติ").await;
    assert!(mail.text().contains("ให้คะแนน"), "{}", mail.text());
    let notices = app.get("/notifications").await;
    assert!(notices
        .body
        .contains(&format!("/applications/{reference}#rating")));
    // Ten faces are drawn, not emoji that phones without an emoji font show as empty boxes.
    let form = app.get(&case_path).await;
    assert_eq!(form.body.matches("<svg class=\"face-icon\"").count(), 10);
    assert!(
        !form
            .body
            .chars()
            .any(|c| ('\u{1F300}'..='\u{1FAFF}').contains(&c)),
        "no emoji on the rating form"
    );
    let missing = step(&app, &case_path, "rating", &[("comment", "รอนานมาก")]).await;
    assert_eq!(missing.status, 422);
    assert_eq!(
        missing.texts("#comment").join(""),
        "รอนานมาก",
        "the comment is kept"
    );
    let rated = step(
        &app,
        &case_path,
        "rating",
        &[
            ("satisfaction", "2"),
            ("effort", "3"),
            ("comment", "รอนานมาก ไม่มีใครโทรแจ้ง"),
        ],
    )
    .await;
    assert_eq!(location(&rated), format!("{case_path}?rated=1#rating"));
    let stored: Vec<(i32, i32, String, String, String)> = ratings::table
        .select((
            ratings::satisfaction,
            ratings::effort,
            ratings::comment,
            ratings::programme_id,
            ratings::province_code,
        ))
        .load(&mut *app.db())
        .unwrap();
    assert_eq!(
        stored,
        vec![(
            2,
            3,
            "รอนานมาก ไม่มีใครโทรแจ้ง".to_owned(),
            "ldd-soil-analysis".to_owned(),
            "32".to_owned()
        )]
    );

    // A rating of 2 alerts the managers responsible for the area.
    let alert = app.smtp.wait_for(kaset::db::seed::DEMO_MANAGER_EMAIL).await;
    assert!(alert.subject().contains(&reference), "{}", alert.subject());

    // Changed within the week: still one rating.
    let changed = step(
        &app,
        &case_path,
        "rating",
        &[("satisfaction", "4"), ("effort", "4"), ("comment", "")],
    )
    .await;
    assert_eq!(changed.status, 303);
    let scores: Vec<i32> = ratings::table
        .select(ratings::satisfaction)
        .load(&mut *app.db())
        .unwrap();
    assert_eq!(scores, vec![4]);
    // The monthly counts the dashboard reads moved with it: one rating, now a 4.
    use kaset::db::schema::rating_counts;
    let counts: Vec<(i32, i64, i64)> = rating_counts::table
        .filter(rating_counts::ratings.ne(0))
        .select((
            rating_counts::satisfaction,
            rating_counts::ratings,
            rating_counts::effort_sum,
        ))
        .load(&mut *app.db())
        .unwrap();
    assert_eq!(counts, vec![(4, 1, 4)]);

    // After seven days it stands.
    diesel::update(ratings::table)
        .set(ratings::created_at.eq(app.clock.now() - chrono::Duration::days(8)))
        .execute(&mut *app.db())
        .unwrap();
    let page = app.get(&case_path).await;
    assert!(
        page.input_value("satisfaction").is_none(),
        "the form is gone"
    );
    assert!(page.body.contains("4/5"));
    let late = app
        .post_raw(
            &format!("{case_path}/rating"),
            &[
                ("csrf_token", &page.csrf_token()),
                ("satisfaction", "1"),
                ("effort", "1"),
            ],
        )
        .await;
    assert_eq!(late.status, 409);
}

async fn a_flood_drafts_the_claim_and_the_farmer_confirms_ten_rai_of_rice_in_the_zone(
    backend: Backend,
) {
    use diesel::prelude::*;
    use kaset::db::schema::applications;
    let app = spawn_app(backend).await;

    // The administrator declares a flood over the farmer's home tambon only; the rented
    // rice field lies in the next tambon.
    let declared =
        crate::support::declare_flood_on_the_page(&app, 14, "ประกาศจังหวัดสุรินทร์ ที่ 7/2569").await;
    let result = declared.texts("[role=status]").join("");
    assert!(!result.contains(" 0 ราย"), "claims were drafted: {result}");

    // Kaset drafted the claim by itself, for no applicant, and told the farmer.
    let drafted: Vec<(String, Option<i32>)> = applications::table
        .inner_join(kaset::db::schema::households::table)
        .filter(kaset::db::schema::households::registry_number.eq("320101000001"))
        .filter(applications::programme_id.eq(RELIEF))
        .select((applications::status, applications::applicant_id))
        .load(&mut *app.db())
        .unwrap();
    assert_eq!(drafted, vec![("draft".to_owned(), None)]);
    app.login_as(FARMER_ID).await;
    let notices = app
        .get("/notifications")
        .await
        .texts(".notices li")
        .join(" | ");
    assert!(notices.contains("ระบบกรอกคำขอ"), "{notices}");

    // Before any damage is reported, the card says the most it could be: all rice and cassava
    // inside the zone (12 rai 2 ngan × 1,340 + 8 rai × 1,980), not the rented field outside it.
    let entitled = app.get("/entitlements").await;
    let amount = entitled
        .texts(&format!("#programme-{RELIEF} .amount"))
        .join("");
    assert!(amount.contains("32,590"), "{amount}");

    // "Check and confirm" opens the claim Kaset drafted, listing only the crops in the zone.
    let draft = start(&app, RELIEF).await;
    let claim = app.get(&draft).await;
    assert!(claim.h1().contains("ตรวจและยืนยันคำขอ"), "{}", claim.h1());
    let crops = claim.input_names("q_damaged.");
    assert_eq!(
        crops.len(),
        2,
        "the rice field and the cassava field: {crops:?}"
    );
    let outside = claim.texts(".muted").join(" ");
    assert!(
        outside.contains("นาเช่า"),
        "the rented field is named as not counted: {outside}"
    );

    // Nothing damaged is refused; 10 rai of rice damaged is confirmed.
    let answers = |rice: &str| {
        vec![
            (crops[0].clone(), rice.to_owned()),
            ("q_baac_account".to_owned(), "020-1-23456-7".to_owned()),
            ("q_insured".to_owned(), "no".to_owned()),
            ("declaration".to_owned(), "yes".to_owned()),
            ("version".to_owned(), claim.input_value("version").unwrap()),
            ("action".to_owned(), "submit".to_owned()),
            ("csrf_token".to_owned(), claim.csrf_token()),
        ]
    };
    let post = |fields: Vec<(String, String)>| {
        let draft = draft.clone();
        let app = &app;
        async move {
            let fields = crate::support::as_fields(&fields);
            app.post_multipart(&draft, &fields, &[]).await
        }
    };
    let nothing = post(answers("")).await;
    assert_eq!(nothing.status, 422);
    assert!(nothing.body.contains("อย่างน้อยหนึ่งแปลง"));
    let case_path = location(&post(answers("๑๐ ไร่")).await);
    let case = app.get(&case_path).await;
    let claimed = case.texts(".amount-computed").join("");
    assert!(claimed.contains("13,400"), "10 rai × 1,340 baht: {claimed}");
    let reference = case_path.trim_start_matches("/applications/").to_owned();
    app.logout().await;

    // The village and the district committee check it; the officer approves the claimed
    // amount and records the agency's payment.
    app.login_as(OFFICER_SURIN).await;
    let case_page = format!("/officer/cases/{reference}");
    record_the_relief_checks(&app, &case_page).await;
    let page = app.get(&case_page).await;
    assert_eq!(
        page.input_value("approve_amount").as_deref(),
        Some("13400.00")
    );
    let approved = step(
        &app,
        &case_page,
        "approve",
        &[("approve_amount", "13400.00"), ("approve_message", "")],
    )
    .await;
    assert_eq!(location(&approved), case_page);
    let paid = step(&app, &case_page, "paid", &[("confirm", "yes")]).await;
    assert_eq!(location(&paid), case_page);
    app.logout().await;

    // The farmer sees it paid, and the relief as received.
    app.login_as(FARMER_ID).await;
    let mine = app.get(&case_path).await;
    assert!(mine.texts(".amount-paid").join("").contains("13,400"));
    let received = app
        .get("/entitlements")
        .await
        .texts(&format!("#programme-{RELIEF} .progress-received"))
        .join("");
    assert!(received.contains("ได้รับเงิน 13,400"), "{received}");
}

async fn each_reminder_is_sent_once_when_it_falls_due(backend: Backend) {
    use kaset::services::reminders::{self, Reminder};
    // The deployed rules, plus a programme the farmer can apply for that closes in 10 days.
    let rules_dir = crate::entitlements::copy_of_the_rules();
    let today = kaset::domain::Clock::system().today();
    let soil = std::fs::read_to_string(rules_dir.path().join("ldd-soil-analysis.toml")).unwrap();
    let closing = soil
        .replacen(
            "id = \"ldd-soil-analysis\"",
            "id = \"ldd-soil-analysis-closing\"",
            1,
        )
        .replacen(
            "valid_from = 2023-10-01",
            &format!(
                "valid_from = 2023-10-01\nvalid_to = {}",
                today + chrono::Duration::days(10)
            ),
            1,
        );
    assert!(closing.contains("valid_to"));
    std::fs::write(
        rules_dir.path().join("ldd-soil-analysis-closing.toml"),
        closing,
    )
    .unwrap();
    let app = crate::support::spawn_app_with(
        backend,
        crate::support::Options {
            rules_dir: Some(rules_dir.path().to_owned()),
            ..Default::default()
        },
    )
    .await;
    let rules = kaset::app::load_rules(rules_dir.path()).unwrap();
    let calendar = kaset::app::load_calendar(rules_dir.path()).unwrap();
    let run = |days_later: i64| {
        let clock = kaset::domain::Clock::starting_at(
            (app.clock.now() + chrono::Duration::days(days_later)).and_utc(),
        );
        let cx =
            kaset::services::cases::CaseContext::new(&rules, &calendar, "http://kaset.test", clock);
        reminders::send_due(&mut app.db(), &cx).unwrap()
    };
    let sent =
        |reminder: Reminder| kaset::db::reminders::count(&mut app.db(), reminder.code()).unwrap();
    // The start-up evaluation brings the stored decisions up to the new rule set first (and
    // tells the farmer of the new programme).
    app.smtp.wait_for(crate::support::FARMER_EMAIL).await;

    // A flood whose damage reports close in 2 days drafts the farmer's relief claim; the
    // farmer applies for soil analysis and the officer asks for more information.
    crate::support::declare_flood_on_the_page(&app, 2, "ประกาศจังหวัดสุรินทร์ ที่ 8/2569").await;
    app.login_as(FARMER_ID).await;
    let soil_case = submit_relief(&app, &start(&app, "ldd-soil-analysis").await).await;
    let soil_reference = soil_case.trim_start_matches("/applications/").to_owned();
    app.logout().await;
    app.login_as(OFFICER_SURIN).await;
    let soil_page = format!("/officer/cases/{soil_reference}");
    let asked = step(
        &app,
        &soil_page,
        "request-info",
        &[("request_info", "กรุณาแนบโฉนด")],
    )
    .await;
    assert_eq!(location(&asked), soil_page);
    app.logout().await;

    // Today: the claim closes in 2 days and the new programme in 10 (for every household
    // they concern); the information was asked just now. Running again sends nothing more.
    let first = run(0);
    assert_eq!(run(0), 0);
    assert!(sent(Reminder::ClaimClosing) >= 1 && sent(Reminder::ProgrammeClosing) >= 1);
    assert_eq!(
        first as i64,
        Reminder::ALL.into_iter().map(sent).sum::<i64>()
    );

    // The farmer confirms the claim; the officer rejects it.
    app.login_as(FARMER_ID).await;
    let relief_case = submit_relief(&app, &start(&app, RELIEF).await).await;
    let relief_reference = relief_case.trim_start_matches("/applications/").to_owned();
    let notices = app
        .get("/notifications")
        .await
        .texts(".notices li")
        .join(" | ");
    assert!(notices.contains("ยังไม่ได้ยืนยัน"), "{notices}");
    assert!(notices.contains("จะปิดรับวันที่"), "{notices}");
    app.logout().await;
    app.login_as(OFFICER_SURIN).await;
    let relief_page = format!("/officer/cases/{relief_reference}");
    let rejected = step(
        &app,
        &relief_page,
        "reject",
        &[
            ("reason", "data_mismatch"),
            ("reject_message", "ตรวจแล้วไม่พบความเสียหาย"),
        ],
    )
    .await;
    assert_eq!(location(&rejected), relief_page);
    app.logout().await;

    // Once the information is five working days overdue it is reminded; the appeal window
    // still has weeks left. 25 days on, five days are left to appeal.
    let farmer_reminders = || async {
        app.login_as(FARMER_ID).await;
        let notices = app.get("/notifications").await.texts(".notices li");
        app.logout().await;
        notices
            .into_iter()
            .filter(|n| n.contains("เตือน"))
            .collect::<Vec<String>>()
    };
    // Five working days after the request (holidays count as the office's calendar says).
    let info_due = (1..)
        .find(|days| {
            calendar.working_days_between(today, today + chrono::Duration::days(*days)) >= 5
        })
        .unwrap();
    assert!(info_due < 23, "before the appeal reminder falls due");
    run(info_due);
    assert_eq!(run(info_due), 0);
    let reminded = farmer_reminders().await;
    assert!(
        reminded
            .iter()
            .any(|n| n.contains(&soil_reference) && n.contains("ขอข้อมูลเพิ่มเติม")),
        "{reminded:?}"
    );
    assert!(
        !reminded.iter().any(|n| n.contains("อุทธรณ์")),
        "{reminded:?}"
    );
    run(25);
    assert_eq!(run(25), 0);

    // Each of the farmer's four reminders once: the claim, the closing programme, the
    // unanswered request and the appeal.
    let reminded = farmer_reminders().await;
    assert_eq!(reminded.len(), 4, "{reminded:?}");
    assert!(reminded
        .iter()
        .any(|n| n.contains(&relief_reference) && n.contains("อุทธรณ์ได้ถึงวันที่")));
    assert!(Reminder::ALL.into_iter().all(|r| sent(r) >= 1));
}

async fn an_officer_records_the_flood_claim_after_visiting_the_plots_for_a_farmer_offline(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    crate::support::declare_flood_and_draft_claims(&app);
    let household = crate::support::demo_household_id(&app);

    // The household page leads the officer to the claim Kaset drafted.
    app.login_as(OFFICER_SURIN).await;
    let page = app.get(&format!("/officer/households/{household}")).await;
    let html = scraper::Html::parse_document(&page.body);
    let selector =
        scraper::Selector::parse(&format!("#programme-{RELIEF} .progress-drafted a")).unwrap();
    let claim = html
        .select(&selector)
        .next()
        .and_then(|a| a.value().attr("href"))
        .expect("a link to record the drafted claim")
        .to_owned();
    assert!(
        claim.starts_with(&format!("/officer/households/{household}/claims/")),
        "{claim}"
    );
    let form = app.get(&claim).await;
    let crops = form.input_names("q_damaged.");
    assert_eq!(crops.len(), 2, "{crops:?}");

    // A field visit needs its photos, and the farmer's request must be ticked.
    let yesterday = (app.clock.today() - chrono::Duration::days(1)).to_string();
    let token = form.csrf_token();
    let base = [
        (crops[0].as_str(), "10"),
        ("q_baac_account", "020-1-23456-7"),
        ("q_insured", "no"),
        ("checked", "field_visit"),
        ("visited_on", yesterday.as_str()),
        ("csrf_token", token.as_str()),
    ];
    let refused = app.post_multipart(&claim, &base, &[]).await;
    assert_eq!(refused.status, 422);
    let errors = refused.texts(".field-error").join(" | ");
    assert!(errors.contains("ภาพถ่าย"), "{errors}");
    assert!(errors.contains("ขอให้ท่านดำเนินการแทน"), "{errors}");
    assert_eq!(refused.input_value(&crops[0]).as_deref(), Some("10"));

    let mut fields = base.to_vec();
    fields.push(("farmer_asked", "yes"));
    let recorded = app
        .post_multipart(
            &claim,
            &fields,
            &[("files", "แปลงนาน้ำท่วม.jpg", JPEG.to_vec())],
        )
        .await;
    let case_page = location(&recorded);
    assert!(case_page.starts_with("/officer/cases/KS-"), "{case_page}");
    let case = app.get(&case_page).await;
    assert!(case.texts(".amount-computed").join("").contains("13,400"));
    assert_eq!(case.texts(".files a"), vec!["แปลงนาน้ำท่วม.jpg"]);
    let timeline = case.texts(".timeline li").join(" | ");
    assert!(timeline.contains("หลังออกตรวจแปลงเมื่อ"), "{timeline}");
    app.logout().await;

    // The farmer sees the claim as theirs, with how it was recorded.
    app.login_as(FARMER_ID).await;
    let reference = case_page.trim_start_matches("/officer/cases/");
    let mine = app.get(&format!("/applications/{reference}")).await;
    assert_eq!(mine.status, 200);
    assert!(mine
        .texts(".timeline li")
        .join(" ")
        .contains("ตามที่เกษตรกรขอ"));
}

async fn a_relief_claim_is_approved_only_after_the_village_and_the_district_committee_check_it(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    declare_flood(&app);
    app.login_as(FARMER_ID).await;
    let draft = start(&app, RELIEF).await;
    let case_path = submit_relief(&app, &draft).await;
    let reference = case_path.trim_start_matches("/applications/").to_owned();
    // The farmer sees both checks ahead of the decision.
    let mine = app.get(&case_path).await;
    assert_eq!(
        mine.texts("#checks .check-waiting").len(),
        2,
        "{}",
        mine.body
    );
    app.logout().await;

    app.login_as(OFFICER_SURIN).await;
    let case_page = format!("/officer/cases/{reference}");
    let page = app.get(&case_page).await;
    assert!(
        page.input_value("approve_amount").is_none(),
        "no approval form before the checks"
    );
    let early = step(&app, &case_page, "approve", &[("approve_message", "")]).await;
    assert_eq!(early.status, 409);
    assert!(early.body.contains("ต้องบันทึกการตรวจสอบ"), "{}", early.body);
    let today = app.clock.today();
    let check = |check: &'static str, day: String, note: &'static str| {
        let app = &app;
        let case_page = case_page.clone();
        async move {
            let token = app.get(&case_page).await.csrf_token();
            app.post_raw(
                &format!("{case_page}/check"),
                &[
                    ("csrf_token", token.as_str()),
                    ("check", check),
                    ("check_on", day.as_str()),
                    ("check_note", note),
                ],
            )
            .await
        }
    };
    // The committee does not come before the village.
    let skipped = check("district_committee", today.to_string(), "เห็นชอบ").await;
    assert_eq!(skipped.status, 409);
    assert!(skipped.body.contains("ขั้นก่อนหน้า"), "{}", skipped.body);
    // A day before the claim and no note are refused, with what was typed kept.
    let before_the_claim = (today - chrono::Duration::days(1)).to_string();
    let refused = check("village", before_the_claim.clone(), "").await;
    assert_eq!(refused.status, 422);
    assert!(refused
        .texts("#check_on-error")
        .join("")
        .contains("ก่อนวันที่ยื่นคำขอ"));
    assert_eq!(refused.texts("#check_note-error").len(), 1);
    assert_eq!(
        refused.input_value("check_on").as_deref(),
        Some(before_the_claim.as_str())
    );

    record_the_relief_checks(&app, &case_page).await;
    let ready = app.get(&case_page).await;
    assert_eq!(ready.texts("#checks .check-done").len(), 2);
    assert!(ready.input_value("approve_amount").is_some());
    let approved = step(&app, &case_page, "approve", &[("approve_message", "")]).await;
    assert_eq!(approved.status, 303, "{}", approved.body);
    let audited: i64 = {
        use diesel::prelude::*;
        use kaset::db::schema::audit_log;
        audit_log::table
            .filter(audit_log::action.eq("checked"))
            .filter(audit_log::entity_id.eq(&reference))
            .count()
            .get_result(&mut *app.db())
            .unwrap()
    };
    assert_eq!(audited, 2);
    app.logout().await;

    // The farmer sees what the village found, and the approval.
    app.login_as(FARMER_ID).await;
    let mine = app.get(&case_path).await;
    assert_eq!(mine.texts("#checks .check-done").len(), 2);
    assert!(mine
        .texts("#checks .check-note")
        .join("")
        .contains("ประชาคมหมู่ 3"));
    assert!(mine
        .texts(".timeline li strong")
        .join("")
        .contains("ตรวจสอบตามระเบียบแล้ว"));
}

async fn an_officer_records_the_village_meeting_for_the_ticked_claims_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    declare_flood(&app);
    app.login_as(FARMER_ID).await;
    let mut references = Vec::new();
    for programme in [RELIEF, "ldd-soil-analysis"] {
        let draft = start(&app, programme).await;
        let path = submit_relief(&app, &draft).await;
        references.push(path.trim_start_matches("/applications/").to_owned());
    }
    app.logout().await;

    app.login_as(OFFICER_SURIN).await;
    let queue_path = format!("/officer/cases?programme={RELIEF}");
    let queue = app.get(&queue_path).await;
    assert!(
        queue
            .body
            .contains("formaction=\"/officer/cases/bulk-check\""),
        "the relief queue offers to record a check for the ticked claims"
    );
    let token = queue.csrf_token();
    let today = app.clock.today().to_string();
    // The soil analysis has no such check: ticked anyway (as a forged form could), it is named.
    let ticked: Vec<(String, String)> = references
        .iter()
        .map(|r| (format!("case_{r}"), "1".to_owned()))
        .collect();
    let post = |note: &'static str| {
        let mut fields: Vec<(&str, &str)> = vec![
            ("csrf_token", token.as_str()),
            ("programme", RELIEF),
            ("check", "village"),
            ("check_on", today.as_str()),
            ("check_note", note),
        ];
        fields.extend(ticked.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let app = &app;
        async move { app.post_raw("/officer/cases/bulk-check", &fields).await }
    };
    let no_note = post("").await;
    assert_eq!(no_note.status, 422);
    assert_eq!(
        no_note.texts("#check_note-error").len(),
        1,
        "{}",
        no_note.body
    );
    assert_eq!(
        no_note.input_value("check_on").as_deref(),
        Some(today.as_str())
    );

    let done = post("ประชาคมหมู่ 3 วันนี้ รับรองรายชื่อทั้งหมด ปิดประกาศ 3 วัน").await;
    assert_eq!(location(&done), queue_path);
    let result = app.get(&queue_path).await.texts("[role=status]").join(" ");
    assert!(result.contains("1 คำขอ"), "{result}");
    assert!(result.contains(&references[1]), "{result}");
    let case = app.get(&format!("/officer/cases/{}", references[0])).await;
    let done = case.texts("#checks .check-done").join("");
    assert!(done.contains("กษ.02"), "{done}");
    assert_eq!(case.texts("#checks .check-waiting").len(), 1);
}

/// How many of these notice texts carry a time of day (HH:MM).
fn notices_with_a_time(notices: &[String]) -> usize {
    notices
        .iter()
        .filter(|n| {
            n.as_bytes().windows(5).any(|w| {
                w[0].is_ascii_digit()
                    && w[1].is_ascii_digit()
                    && w[2] == b':'
                    && w[3].is_ascii_digit()
                    && w[4].is_ascii_digit()
            })
        })
        .count()
}
