//! Administrators create staff accounts with their area and disable accounts.

use crate::on_both_databases;
use crate::support::{spawn_app, Backend, ADMIN, DEMO_PASSWORD, FARMER_ID, OFFICER_SURIN};

on_both_databases!(
    admin_creates_an_officer_who_chooses_a_password_from_the_email_and_sees_only_that_area,
    admin_disables_an_account_which_ends_its_sessions,
    staff_form_errors_keep_the_input,
);

async fn admin_creates_an_officer_who_chooses_a_password_from_the_email_and_sees_only_that_area(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    app.login_as(ADMIN).await;
    let created = app
        .submit(
            "/admin/users/new",
            "/admin/users",
            &[
                ("role", "officer"),
                ("display_name", "นายอดิศร ขยันดี"),
                ("email", "adisorn@doae.example"),
                ("province_code", "32"),
                ("amphoe_code", "3201"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let list = app.get("/admin/users").await;
    assert!(list.body.contains("นายอดิศร ขยันดี"));
    assert!(list.body.contains("เมืองสุรินทร์"));

    let mail = app.smtp.wait_for("adisorn@doae.example").await;
    let text = mail.text();
    let start = text
        .find("/password/reset?token=")
        .expect("a link to choose the password");
    let path: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    app.logout().await;
    let form = app.get(&path).await;
    assert_eq!(form.status, 200);
    let token = form.input_value("token").unwrap();
    let csrf = form.csrf_token();
    let chosen = app
        .post_raw(
            "/password/reset",
            &[
                ("csrf_token", &csrf),
                ("token", &token),
                ("password", "rice fields of surin"),
                ("password_confirm", "rice fields of surin"),
            ],
        )
        .await;
    assert_eq!(chosen.status, 303);
    assert_eq!(
        app.login("adisorn@doae.example", "rice fields of surin")
            .await
            .status,
        303
    );
    let households = app.get("/officer/households").await;
    let rows = households.texts("tbody tr td:first-child");
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|r| r.starts_with("3201")),
        "only Mueang Surin: {rows:?}"
    );
}

async fn admin_disables_an_account_which_ends_its_sessions(backend: Backend) {
    let app = spawn_app(backend).await;
    let officer = crate::support::new_client();
    let login = app.login_with(&officer, OFFICER_SURIN, DEMO_PASSWORD).await;
    assert_eq!(login.status, 303);
    assert_eq!(
        app.get_with(&officer, "/officer/households").await.status,
        200
    );

    app.login_as(ADMIN).await;
    let list = app.get("/admin/users").await;
    let html = scraper::Html::parse_document(&list.body);
    let row = html
        .select(&scraper::Selector::parse("tr").unwrap())
        .find(|tr| tr.text().collect::<String>().contains(OFFICER_SURIN))
        .expect("the officer is listed");
    let action = row
        .select(&scraper::Selector::parse("form").unwrap())
        .next()
        .and_then(|f| f.value().attr("action"))
        .unwrap()
        .to_owned();
    assert!(action.ends_with("/disable"));
    let disabled = app
        .post_raw(&action, &[("csrf_token", &list.csrf_token())])
        .await;
    assert_eq!(disabled.status, 303);

    assert_eq!(
        app.get_with(&officer, "/officer/households").await.status,
        303,
        "signed out at once"
    );
    let again = crate::support::new_client();
    let refused = app.login_with(&again, OFFICER_SURIN, DEMO_PASSWORD).await;
    assert_eq!(refused.status, 401);
    assert!(refused.body.contains("ถูกระงับ"));

    // Farmers' accounts are found by national ID and can be disabled too.
    let found = app.get(&format!("/admin/users?q={FARMER_ID}")).await;
    assert!(found.body.contains("นายสมชาย ใจดี"));
}

async fn staff_form_errors_keep_the_input(backend: Backend) {
    let app = spawn_app(backend).await;
    app.login_as(ADMIN).await;
    let page = app
        .submit(
            "/admin/users/new",
            "/admin/users",
            &[
                ("role", "officer"),
                ("display_name", "นางสาวใหม่ ใจดี"),
                ("email", OFFICER_SURIN),
                ("province_code", ""),
                ("amphoe_code", ""),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.texts(".field-error").join(" ").contains("ต้องมีจังหวัด"));
    assert_eq!(
        page.input_value("display_name").as_deref(),
        Some("นางสาวใหม่ ใจดี")
    );
    let taken = app
        .submit(
            "/admin/users/new",
            "/admin/users",
            &[
                ("role", "officer"),
                ("display_name", "นางสาวใหม่ ใจดี"),
                ("email", OFFICER_SURIN),
                ("province_code", "32"),
                ("amphoe_code", ""),
            ],
        )
        .await;
    assert_eq!(taken.status, 422);
    assert!(taken
        .texts(".field-error")
        .join(" ")
        .contains("ถูกใช้กับบัญชีอื่นแล้ว"));
}
