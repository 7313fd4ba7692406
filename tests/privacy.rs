//! Farmers' personal-data rights: a correction request answered by their district's officer,
//! and the deletion of their account, which keeps the case records the law requires.

use crate::applications::{location, start, submit_relief};
use crate::on_both_databases;
use crate::support::{
    new_client, spawn_app, Backend, TestApp, DEMO_PASSWORD, FARMER_EMAIL, FARMER_ID,
    OFFICER_BURIRAM, OFFICER_SURIN,
};
use diesel::prelude::*;

on_both_databases!(
    a_farmer_asks_for_a_correction_and_the_districts_officer_answers_it,
    a_farmer_deletes_their_account_and_the_case_records_stay,
    this_is_wrong_on_a_plots_area_becomes_a_correction_and_the_corrected_record_decides_again,
);

const DETAILS: &str = "นาข้าวหลังบ้านมีพื้นที่ 14 ไร่ ไม่ใช่ 12 ไร่ครึ่ง";

async fn post_form(
    app: &TestApp,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> crate::support::Page {
    app.submit(page, action, fields).await
}

async fn a_farmer_asks_for_a_correction_and_the_districts_officer_answers_it(backend: Backend) {
    let app = spawn_app(backend).await;
    app.login_as(FARMER_ID).await;

    // Too short to act on: refused, with what was typed kept.
    let refused = post_form(
        &app,
        "/privacy",
        "/privacy/corrections",
        &[("details", "ผิด")],
    )
    .await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.texts("textarea#details"), vec!["ผิด"]);
    assert!(!refused.texts(".field-error").is_empty());

    let asked = post_form(
        &app,
        "/privacy",
        "/privacy/corrections",
        &[("details", DETAILS)],
    )
    .await;
    assert_eq!(location(&asked), "/privacy?asked=1#requests");
    let privacy = app.get("/privacy").await;
    let requests = privacy.texts(".request").join(" | ");
    assert!(
        requests.contains("PD-000001") && requests.contains("กำลังดำเนินการ"),
        "{requests}"
    );
    let received = app.smtp.wait_for(FARMER_EMAIL).await;
    assert!(
        received.subject().contains("PD-000001"),
        "{}",
        received.subject()
    );
    let to_officer = app.smtp.wait_for(OFFICER_SURIN).await;
    assert!(to_officer.text().contains(DETAILS));
    app.logout().await;

    // Another province's officer does not see it.
    let buriram = new_client();
    app.login_with(&buriram, OFFICER_BURIRAM, DEMO_PASSWORD)
        .await;
    assert!(app
        .get_with(&buriram, "/officer/data-requests")
        .await
        .texts(".request")
        .is_empty());

    // Surin's officer sees it with its deadline; an answer needs words.
    app.login_as(OFFICER_SURIN).await;
    let list = app.get("/officer/data-requests").await;
    assert_eq!(list.texts(".request").len(), 1);
    assert!(list.body.contains(DETAILS));
    let id: i32 = {
        use kaset::db::schema::data_requests;
        data_requests::table
            .select(data_requests::id)
            .first(&mut *app.db())
            .unwrap()
    };
    let action = format!("/officer/data-requests/{id}");
    let empty = post_form(
        &app,
        "/officer/data-requests",
        &action,
        &[("outcome", "done"), ("message", " ")],
    )
    .await;
    assert_eq!(empty.status, 422);
    let answered = post_form(
        &app,
        "/officer/data-requests",
        &action,
        &[("outcome", "done"), ("message", "แก้ไขพื้นที่แปลงเป็น 14 ไร่แล้ว")],
    )
    .await;
    assert_eq!(location(&answered), "/officer/data-requests");
    assert!(app
        .get("/officer/data-requests")
        .await
        .texts(".request")
        .is_empty());
    app.logout().await;

    // The farmer is told, by e-mail and on the Privacy page.
    let mails: Vec<_> = {
        for _ in 0..100 {
            if app
                .smtp
                .messages()
                .iter()
                .filter(|m| m.recipients.iter().any(|r| r == FARMER_EMAIL))
                .count()
                >= 2
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        app.smtp
            .messages()
            .into_iter()
            .filter(|m| m.recipients.iter().any(|r| r == FARMER_EMAIL))
            .collect()
    };
    assert_eq!(mails.len(), 2);
    assert!(mails[1].text().contains("14 ไร่แล้ว"));
    app.login_as(FARMER_ID).await;
    let privacy = app.get("/privacy").await;
    let requests = privacy.texts(".request").join(" | ");
    assert!(
        requests.contains("แก้ไขแล้ว") && requests.contains("14 ไร่แล้ว"),
        "{requests}"
    );
    let audited: i64 = {
        use kaset::db::schema::audit_log;
        audit_log::table
            .filter(audit_log::entity.eq("data_request"))
            .count()
            .get_result(&mut *app.db())
            .unwrap()
    };
    assert_eq!(audited, 2, "asked and answered");
}

async fn a_farmer_deletes_their_account_and_the_case_records_stay(backend: Backend) {
    let app = spawn_app(backend).await;
    app.login_as(FARMER_ID).await;
    let consent = post_form(
        &app,
        "/privacy",
        "/privacy/consents",
        &[("purpose", "payment"), ("choice", "give")],
    )
    .await;
    assert_eq!(consent.status, 303);
    let draft = start(&app, "ldd-soil-analysis").await;
    let case = submit_relief(&app, &draft).await;
    assert!(case.starts_with("/applications/KS-"), "{case}");

    // The download holds the farmer's own national ID, and masks the other members'.
    let download = app.get("/my-data/download").await;
    let export: serde_json::Value = serde_json::from_str(&download.body).unwrap();
    let ids: Vec<&str> = export["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["national_id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&FARMER_ID), "{ids:?}");
    assert_eq!(
        ids.iter().filter(|id| id.contains("xxxxx")).count(),
        ids.len() - 1,
        "{ids:?}"
    );

    // A wrong password or no confirmation: nothing happens.
    let wrong = post_form(
        &app,
        "/privacy",
        "/privacy/delete-account",
        &[("confirm", "yes"), ("password", "not-mine")],
    )
    .await;
    assert_eq!(wrong.status, 422);
    let unconfirmed = post_form(
        &app,
        "/privacy",
        "/privacy/delete-account",
        &[("password", DEMO_PASSWORD)],
    )
    .await;
    assert_eq!(unconfirmed.status, 422);
    assert_eq!(app.get("/privacy").await.status, 200, "still signed in");

    let deleted = post_form(
        &app,
        "/privacy",
        "/privacy/delete-account",
        &[("confirm", "yes"), ("password", DEMO_PASSWORD)],
    )
    .await;
    assert_eq!(location(&deleted), "/?account_deleted=1");
    assert_eq!(app.get("/privacy").await.status, 303, "signed out");
    assert_eq!(
        app.login(FARMER_ID, DEMO_PASSWORD).await.status,
        401,
        "the account is gone"
    );

    // Sign-in and contact details are erased; the case stays, with its applicant's row.
    use kaset::db::schema::{applications, members, users};
    let mut conn = app.db();
    let erased: (Option<String>, Option<String>, bool) = users::table
        .inner_join(applications::table.on(applications::applicant_id.eq(users::id.nullable())))
        .select((
            users::email,
            users::national_id,
            users::disabled_at.is_not_null(),
        ))
        .first(&mut *conn)
        .unwrap();
    assert_eq!(erased, (None, None, true));
    let phone: Option<String> = members::table
        .filter(members::national_id.eq(FARMER_ID))
        .select(members::phone)
        .first(&mut *conn)
        .unwrap();
    assert_eq!(phone, None);
    let household: i32 = members::table
        .filter(members::national_id.eq(FARMER_ID))
        .select(members::household_id)
        .first(&mut *conn)
        .unwrap();
    assert!(!kaset::db::consents::household_consents(
        &mut conn,
        household,
        kaset::domain::ConsentPurpose::Payment
    )
    .unwrap());
}

async fn this_is_wrong_on_a_plots_area_becomes_a_correction_and_the_corrected_record_decides_again(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    app.login_as(FARMER_ID).await;

    // Soil analysis rests on the land the household farms: that line says "this is wrong".
    let entitled = app.get("/entitlements").await;
    let line = "#programme-ldd-soil-analysis .reasons li";
    let before = entitled.texts(line).join(" ");
    assert!(before.contains("26 ไร่ 50 ตารางวา"), "{before}");
    let html = scraper::Html::parse_document(&entitled.body);
    let selector =
        scraper::Selector::parse("#programme-ldd-soil-analysis a.this-is-wrong").unwrap();
    let link = html
        .select(&selector)
        .next()
        .and_then(|a| a.value().attr("href"))
        .expect("a 'this is wrong' link")
        .to_owned();
    assert_eq!(link, "/privacy?about=ldd-soil-analysis.has_land#correction");

    // The correction form is pre-filled with the fact and the value Kaset holds; the farmer
    // adds what is right.
    let form = app.get(link.trim_end_matches("#correction")).await;
    let prefilled = form.texts("textarea#details").join("");
    assert!(
        prefilled.contains("เนื้อที่ถือครองทั้งหมด: ในระบบเป็น 26 ไร่ 50 ตารางวา"),
        "{prefilled}"
    );
    assert!(prefilled.ends_with("ที่ถูกต้องคือ:"), "{prefilled}");
    let details = format!("{prefilled} นาข้าวหลังบ้านมี 14 ไร่ ไม่ใช่ 12 ไร่ 2 งาน");
    let asked = post_form(
        &app,
        "/privacy",
        "/privacy/corrections",
        &[("details", &details)],
    )
    .await;
    assert_eq!(location(&asked), "/privacy?asked=1#requests");
    app.logout().await;

    // The district's officer reads it, corrects the plot, and answers.
    app.login_as(OFFICER_SURIN).await;
    let list = app.get("/officer/data-requests").await;
    assert!(list.body.contains("นาข้าวหลังบ้านมี 14 ไร่"), "{}", list.body);
    let (household, plot): (i32, i32) = {
        use kaset::db::schema::{households, plots};
        plots::table
            .inner_join(households::table)
            .filter(households::registry_number.eq(kaset::db::seed::DEMO_FARMER_REGISTRY))
            .filter(plots::label.eq("นาข้าวหลังบ้าน"))
            .select((households::id, plots::id))
            .first(&mut *app.db())
            .unwrap()
    };
    crate::registry::resize_the_rice_field(&app, household, plot, ("14", "0", "0")).await;
    let id: i32 = {
        use kaset::db::schema::data_requests;
        data_requests::table
            .select(data_requests::id)
            .first(&mut *app.db())
            .unwrap()
    };
    let answered = post_form(
        &app,
        "/officer/data-requests",
        &format!("/officer/data-requests/{id}"),
        &[
            ("outcome", "done"),
            ("message", "แก้พื้นที่นาข้าวหลังบ้านเป็น 14 ไร่แล้ว"),
        ],
    )
    .await;
    assert_eq!(location(&answered), "/officer/data-requests");
    app.logout().await;

    // The farmer is told, and the line is decided on the corrected record.
    app.login_as(FARMER_ID).await;
    let notices = app
        .get("/notifications")
        .await
        .texts(".notices li")
        .join(" | ");
    assert!(notices.contains("PD-000001"), "{notices}");
    let after = app.get("/entitlements").await.texts(line).join(" ");
    assert!(after.contains("27 ไร่ 2 งาน 50 ตารางวา"), "{after}");
}
