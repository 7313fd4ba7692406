//! Farmers create accounts by proving who they are; everyone logs in and out; forgotten
//! passwords are reset through an e-mailed link; forms refuse forged requests.

use crate::on_both_databases;
use crate::support::sms::code_in;
use crate::support::{spawn_app, Backend, DEMO_PASSWORD, FARMER_EMAIL, FARMER_ID, OFFICER_SURIN};
use kaset::db::seed::{
    DEMO_FARMER_PHONE, DEMO_PHONE_ONLY_NATIONAL_ID, DEMO_PHONE_ONLY_PHONE,
    DEMO_PHONE_ONLY_REGISTRY, DEMO_UNREGISTERED_NATIONAL_ID, DEMO_UNREGISTERED_PHONE,
    DEMO_UNREGISTERED_REGISTRY,
};

on_both_databases!(
    farmer_creates_an_account_by_matching_the_registry_and_lands_on_my_farm,
    a_farmer_with_a_phone_and_no_email_signs_up_with_the_code_sent_to_her_registry_phone,
    farmer_signs_in_with_a_code_by_sms_instead_of_a_password,
    farmer_chooses_a_new_password_with_a_code_by_sms,
    a_code_works_once_five_wrong_guesses_end_it_and_it_expires_after_five_minutes,
    an_officer_enrols_a_farmer_at_the_office_who_then_signs_in_with_a_code_by_sms,
    registration_with_a_wrong_birth_date_is_refused_and_keeps_the_input,
    registration_with_a_bad_checksum_names_the_field,
    registration_refuses_a_common_password,
    registration_for_an_already_registered_farmer_says_so,
    farmer_logs_in_with_national_id_and_staff_with_email_then_logs_out,
    wrong_password_is_refused_without_saying_which_part_was_wrong,
    repeated_failures_from_one_address_pause_the_account_there_with_a_clear_message,
    farmer_resets_a_forgotten_password_through_the_emailed_link_once,
    forms_without_the_csrf_token_are_refused,
    session_cookie_is_http_only_and_renewed_at_login,
);

/// The six fields of the sign-up form, the password typed twice.
fn registration<'a>(
    national_id: &'a str,
    birth_date: &'a str,
    registry_number: &'a str,
    email: &'a str,
    password: &'a str,
) -> [(&'static str, &'a str); 6] {
    [
        ("national_id", national_id),
        ("birth_date", birth_date),
        ("registry_number", registry_number),
        ("email", email),
        ("password", password),
        ("password_confirm", password),
    ]
}

async fn register(app: &crate::support::TestApp, fields: &[(&str, &str)]) -> crate::support::Page {
    app.submit("/register", "/register", fields).await
}

async fn farmer_creates_an_account_by_matching_the_registry_and_lands_on_my_farm(backend: Backend) {
    let app = spawn_app(backend).await;
    let page = register(
        &app,
        &registration(
            "3-3201-00123-45-9",
            "1982-07-09",
            DEMO_UNREGISTERED_REGISTRY,
            "Malee@Example.com",
            "ข้าวหอมมะลิสุรินทร์",
        ),
    )
    .await;
    assert_eq!(page.location.as_deref(), Some("/code"), "{}", page.body);
    // The code goes to the phone the registry holds for her, and the page says which.
    let sms = app.sms.wait_for(DEMO_UNREGISTERED_PHONE, "Kaset").await;
    let code_page = app.get("/code").await;
    assert!(
        code_page.body.contains("08x-xxx-5432"),
        "{}",
        code_page.body
    );
    let wrong = if code_in(&sms.text) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let refused = app.submit("/code", "/code", &[("code", wrong)]).await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.texts("#code-error").len(), 1);
    let page = app
        .submit("/code", "/code", &[("code", &code_in(&sms.text))])
        .await;
    assert_eq!(page.location.as_deref(), Some("/farm"), "{}", page.body);
    let farm = app.get("/farm").await;
    assert_eq!(farm.status, 200);
    assert!(farm.body.contains("นางมาลี ศรีสุข"));
    assert!(farm.body.contains("นาแปลงใหญ่"));

    // The new account works with the national ID and with the e-mail, in any case.
    app.logout().await;
    assert_eq!(
        app.login(DEMO_UNREGISTERED_NATIONAL_ID, "ข้าวหอมมะลิสุรินทร์")
            .await
            .status,
        303
    );
    app.logout().await;
    assert_eq!(
        app.login("malee@example.com", "ข้าวหอมมะลิสุรินทร์")
            .await
            .status,
        303
    );
}

async fn registration_with_a_wrong_birth_date_is_refused_and_keeps_the_input(backend: Backend) {
    let app = spawn_app(backend).await;
    let page = register(
        &app,
        &registration(
            DEMO_UNREGISTERED_NATIONAL_ID,
            "1982-07-10",
            DEMO_UNREGISTERED_REGISTRY,
            "malee@example.com",
            "ข้าวหอมมะลิสุรินทร์",
        ),
    )
    .await;
    assert_eq!(page.status, 422);
    assert!(page
        .texts("[role=alert]")
        .join(" ")
        .contains("ข้อมูลไม่ตรงกับทะเบียนเกษตรกร"));
    assert_eq!(
        page.input_value("national_id").as_deref(),
        Some(DEMO_UNREGISTERED_NATIONAL_ID)
    );
    assert_eq!(
        page.input_value("birth_date").as_deref(),
        Some("1982-07-10")
    );
    assert_eq!(
        page.input_value("email").as_deref(),
        Some("malee@example.com")
    );
    assert_eq!(
        page.input_value("password").as_deref(),
        Some(""),
        "passwords are never echoed"
    );
    // Nothing was half-saved: the household head still has no account.
    assert_eq!(
        app.login(DEMO_UNREGISTERED_NATIONAL_ID, "ข้าวหอมมะลิสุรินทร์")
            .await
            .status,
        401
    );
}

async fn registration_with_a_bad_checksum_names_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let page = register(
        &app,
        &registration(
            "3320100123450",
            "09/07/2525",
            "123",
            "not-an-email",
            "ข้าวหอมมะลิสุรินทร์",
        ),
    )
    .await;
    assert_eq!(page.status, 422);
    let errors = page.texts(".field-error");
    assert!(
        errors.iter().any(|e| e.contains("เลขตรวจสอบไม่ตรง")),
        "{errors:?}"
    );
    assert!(errors.iter().any(|e| e.contains("12 หลัก")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("อีเมล")), "{errors:?}");
    // A Buddhist-era date typed by hand is understood, so it has no error of its own.
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(page.body.contains("id=\"national_id-error\""));
    assert!(page.body.contains("aria-invalid=\"true\""));
}

async fn registration_refuses_a_common_password(backend: Backend) {
    let app = spawn_app(backend).await;
    let page = register(
        &app,
        &registration(
            DEMO_UNREGISTERED_NATIONAL_ID,
            "1982-07-09",
            DEMO_UNREGISTERED_REGISTRY,
            "malee@example.com",
            "password123",
        ),
    )
    .await;
    assert_eq!(page.status, 422);
    assert!(page.texts(".field-error").join(" ").contains("เดาง่าย"));
    let short = register(&app, &[("password", "short")]).await;
    assert!(short
        .texts(".field-error")
        .join(" ")
        .contains("อย่างน้อย 10 ตัวอักษร"));
}

async fn registration_for_an_already_registered_farmer_says_so(backend: Backend) {
    let app = spawn_app(backend).await;
    let page = register(
        &app,
        &registration(
            FARMER_ID,
            "1975-03-15",
            kaset::db::seed::DEMO_FARMER_REGISTRY,
            "someone.else@example.com",
            "ข้าวหอมมะลิสุรินทร์",
        ),
    )
    .await;
    assert_eq!(page.status, 422);
    assert!(page
        .texts("[role=alert]")
        .join(" ")
        .contains("มีบัญชีของเลขประจำตัวประชาชนนี้แล้ว"));
}

async fn farmer_logs_in_with_national_id_and_staff_with_email_then_logs_out(backend: Backend) {
    let app = spawn_app(backend).await;
    let page = app.login(FARMER_ID, DEMO_PASSWORD).await;
    assert_eq!(page.status, 303);
    assert_eq!(page.location.as_deref(), Some("/farm"));
    assert_eq!(app.get("/farm").await.status, 200);
    app.logout().await;
    let after = app.get("/farm").await;
    assert_eq!(
        after.status, 303,
        "signed out: the farm page asks to log in"
    );
    assert_eq!(after.location.as_deref(), Some("/login?next=/farm"));

    let officer = app.login("Officer.Surin@demo.kaset", DEMO_PASSWORD).await;
    assert_eq!(officer.location.as_deref(), Some("/officer/households"));
}

async fn wrong_password_is_refused_without_saying_which_part_was_wrong(backend: Backend) {
    let app = spawn_app(backend).await;
    let wrong_password = app.login(FARMER_ID, "not-the-password").await;
    let unknown_user = app.login("1111111111119", "not-the-password").await;
    assert_eq!(wrong_password.status, 401);
    assert_eq!(unknown_user.status, 401);
    assert_eq!(
        wrong_password.texts("[role=alert]"),
        unknown_user.texts("[role=alert]")
    );
    assert_eq!(
        wrong_password.input_value("login").as_deref(),
        Some(FARMER_ID),
        "the login is kept"
    );
}

async fn repeated_failures_from_one_address_pause_the_account_there_with_a_clear_message(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    for _ in 0..kaset::services::sign_in::MAX_ACCOUNT_FAILURES {
        assert_eq!(
            app.login(OFFICER_SURIN, "wrong password here").await.status,
            401
        );
    }
    // Now even the right password is refused until the window has passed.
    let locked = app.login(OFFICER_SURIN, DEMO_PASSWORD).await;
    assert_eq!(locked.status, 429);
    let alert = locked.texts("[role=alert]").join(" ");
    assert!(alert.contains("กรุณาลองใหม่ในอีก 15 นาที"), "{alert}");
    // Another account from the same address is not locked by these failures.
    assert_eq!(app.login(FARMER_ID, DEMO_PASSWORD).await.status, 303);
}

async fn farmer_resets_a_forgotten_password_through_the_emailed_link_once(backend: Backend) {
    let app = spawn_app(backend).await;
    app.get("/lang/en").await;
    let page = app
        .submit(
            "/password/forgot",
            "/password/forgot",
            &[("email", "FARMER@demo.kaset")],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("If an account uses this e-mail"));

    let mail = app.smtp.wait_for(FARMER_EMAIL).await;
    assert!(
        mail.subject().contains("new password"),
        "{}",
        mail.subject()
    );
    let text = mail.text();
    let start = text
        .find(&format!("{}/password/reset?token=", app.base))
        .expect("link in mail");
    let link: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<')
        .collect();
    let path = link.trim_start_matches(&app.base).to_owned();

    let form = app.get(&path).await;
    assert_eq!(form.status, 200);
    let token = form.input_value("token").unwrap();
    let csrf = form.csrf_token();
    let weak = app
        .post_raw(
            "/password/reset",
            &[
                ("csrf_token", &csrf),
                ("token", &token),
                ("password", "12345678"),
                ("password_confirm", "12345678"),
            ],
        )
        .await;
    assert_eq!(weak.status, 422, "a weak new password is refused");
    let done = app
        .post_raw(
            "/password/reset",
            &[
                ("csrf_token", &csrf),
                ("token", &token),
                ("password", "buffalo ploughs the paddy"),
                ("password_confirm", "buffalo ploughs the paddy"),
            ],
        )
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(done.location.as_deref(), Some("/login?reset=done"));

    assert_eq!(
        app.login(FARMER_ID, DEMO_PASSWORD).await.status,
        401,
        "the old password is gone"
    );
    assert_eq!(
        app.login(FARMER_ID, "buffalo ploughs the paddy")
            .await
            .status,
        303
    );
    // The link works once.
    assert_eq!(app.get(&path).await.status, 410);

    // Asking for an unknown address looks the same and sends nothing.
    let before = app.smtp.messages().len();
    let unknown = app
        .submit(
            "/password/forgot",
            "/password/forgot",
            &[("email", "nobody@example.com")],
        )
        .await;
    assert!(unknown.body.contains("If an account uses this e-mail"));
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(app.smtp.messages().len(), before);
}

async fn forms_without_the_csrf_token_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    app.get("/login").await; // a session exists, with its token
    let forged = app
        .post_raw(
            "/login",
            &[("login", FARMER_ID), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(forged.h1().contains("ไม่สามารถส่งแบบฟอร์มได้"));
    let wrong = app
        .post_raw(
            "/login",
            &[
                ("csrf_token", "forged-token"),
                ("login", FARMER_ID),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(wrong.status, 403);
    app.login_as(FARMER_ID).await;
    let logout = app.post_raw("/logout", &[("csrf_token", "forged")]).await;
    assert_eq!(logout.status, 403);
    assert_eq!(app.get("/farm").await.status, 200, "still signed in");
}

async fn session_cookie_is_http_only_and_renewed_at_login(backend: Backend) {
    let app = spawn_app(backend).await;
    let login_page = app.get("/login").await;
    let before =
        cookie_value(&login_page.headers, "kaset_session").expect("a session for the form token");
    let page = app.login(FARMER_ID, DEMO_PASSWORD).await;
    let set_cookie: Vec<_> = page
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let session = set_cookie
        .iter()
        .find(|c| c.starts_with("kaset_session="))
        .expect("new session cookie at login");
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Lax"), "{session}");
    let after = cookie_value(&page.headers, "kaset_session").unwrap();
    assert_ne!(before, after, "a new session id at login");
}

fn cookie_value(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers.get_all("set-cookie").iter().find_map(|v| {
        let text = v.to_str().ok()?;
        let (pair, _) = text.split_once(';').unwrap_or((text, ""));
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| value.to_owned())
    })
}

on_both_databases!(
    guessing_birth_dates_for_registration_is_throttled,
    many_failures_from_one_address_lock_that_address,
);

async fn guessing_birth_dates_for_registration_is_throttled(backend: Backend) {
    let app = spawn_app(backend).await;
    let guess = |day: u32| format!("1982-07-{:02}", day + 10);
    for day in 0..kaset::services::sign_in::MAX_ACCOUNT_FAILURES as u32 {
        let date = guess(day);
        let page = register(
            &app,
            &registration(
                DEMO_UNREGISTERED_NATIONAL_ID,
                &date,
                DEMO_UNREGISTERED_REGISTRY,
                "malee@example.com",
                "ข้าวหอมมะลิสุรินทร์",
            ),
        )
        .await;
        assert_eq!(page.status, 422);
    }
    // Even the right birth date is refused for now, with a message saying when to come back.
    let page = register(
        &app,
        &registration(
            DEMO_UNREGISTERED_NATIONAL_ID,
            "1982-07-09",
            DEMO_UNREGISTERED_REGISTRY,
            "malee@example.com",
            "ข้าวหอมมะลิสุรินทร์",
        ),
    )
    .await;
    assert_eq!(page.status, 429);
    assert!(page.texts("[role=alert]").join(" ").contains("15 นาที"));
    assert_eq!(
        page.input_value("email").as_deref(),
        Some("malee@example.com")
    );
}

async fn many_failures_from_one_address_lock_that_address(backend: Backend) {
    let app = spawn_app(backend).await;
    // Different accounts each time, so no single account reaches its own limit.
    for n in 0..kaset::services::sign_in::MAX_IP_FAILURES {
        let login = format!("nobody{n}@example.com");
        assert_eq!(app.login(&login, "wrong password here").await.status, 401);
    }
    assert_eq!(app.login(FARMER_ID, DEMO_PASSWORD).await.status, 429);
}

/// Gives the code of the latest SMS to `phone` on the code page, with `fields` besides.
async fn give_the_code(
    app: &crate::support::TestApp,
    phone: &str,
    needle: &str,
    fields: &[(&str, &str)],
) -> crate::support::Page {
    let sms = app.sms.wait_for(phone, needle).await;
    let code = code_in(&sms.text);
    let mut all = vec![("code", code.as_str())];
    all.extend_from_slice(fields);
    app.submit("/code", "/code", &all).await
}

async fn a_farmer_with_a_phone_and_no_email_signs_up_with_the_code_sent_to_her_registry_phone(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let page = register(
        &app,
        &registration(
            DEMO_PHONE_ONLY_NATIONAL_ID,
            "1969-11-02",
            DEMO_PHONE_ONLY_REGISTRY,
            "",
            "นาหลังวัดปลูกข้าวหอม",
        ),
    )
    .await;
    assert_eq!(page.location.as_deref(), Some("/code"), "{}", page.body);
    let sms = app.sms.wait_for(DEMO_PHONE_ONLY_PHONE, "Kaset").await;
    assert!(kaset::domain::sms::segments(&sms.text) <= 2, "{}", sms.text);
    let done = give_the_code(&app, DEMO_PHONE_ONLY_PHONE, "Kaset", &[]).await;
    assert_eq!(done.location.as_deref(), Some("/farm"), "{}", done.body);
    assert!(app.get("/farm").await.body.contains("นายบุญมา ทองคำ"));
    // With no e-mail, SMS is how Kaset reaches him.
    let channels = app.get("/account/messages").await;
    assert!(channels.texts("#phone").join("").contains("08x-xxx-4567"));
    assert_eq!(
        channels
            .body
            .matches("<option value=\"sms\" selected>")
            .count(),
        1,
        "{}",
        channels.body
    );
}

async fn farmer_signs_in_with_a_code_by_sms_instead_of_a_password(backend: Backend) {
    let app = spawn_app(backend).await;
    let asked = app
        .submit("/login/code", "/login/code", &[("national_id", FARMER_ID)])
        .await;
    assert_eq!(asked.location.as_deref(), Some("/code"), "{}", asked.body);
    let signed_in = give_the_code(&app, DEMO_FARMER_PHONE, "Kaset", &[]).await;
    assert_eq!(
        signed_in.location.as_deref(),
        Some("/farm"),
        "{}",
        signed_in.body
    );
    assert_eq!(app.get("/farm").await.status, 200);

    // An ID with no account gets the same page, and no SMS goes anywhere.
    app.logout().await;
    let before = app.sms.received().len();
    let unknown = app
        .submit(
            "/login/code",
            "/login/code",
            &[("national_id", "1101700230708")],
        )
        .await;
    assert_eq!(unknown.location.as_deref(), Some("/code"));
    assert!(app
        .get("/code")
        .await
        .body
        .contains("ถ้ามีบัญชีของเลขประจำตัวประชาชนนี้"));
    let guessed = app.submit("/code", "/code", &[("code", "123456")]).await;
    assert_eq!(guessed.status, 422);
    assert_eq!(app.sms.received().len(), before);
}

async fn farmer_chooses_a_new_password_with_a_code_by_sms(backend: Backend) {
    let app = spawn_app(backend).await;
    let asked = app
        .submit(
            "/password/forgot",
            "/password/code",
            &[("national_id", FARMER_ID)],
        )
        .await;
    assert_eq!(asked.location.as_deref(), Some("/code"), "{}", asked.body);
    // A weak password is refused before the code is spent.
    let weak = give_the_code(
        &app,
        DEMO_FARMER_PHONE,
        "Kaset",
        &[("password", "12345678"), ("password_confirm", "12345678")],
    )
    .await;
    assert_eq!(weak.status, 422);
    assert_eq!(weak.texts("#password-error").len(), 1);
    let done = give_the_code(
        &app,
        DEMO_FARMER_PHONE,
        "Kaset",
        &[
            ("password", "มะม่วงน้ำดอกไม้หน้าบ้าน"),
            ("password_confirm", "มะม่วงน้ำดอกไม้หน้าบ้าน"),
        ],
    )
    .await;
    assert_eq!(
        done.location.as_deref(),
        Some("/login?reset=done"),
        "{}",
        done.body
    );
    assert_eq!(app.login(FARMER_ID, DEMO_PASSWORD).await.status, 401);
    assert_eq!(app.login(FARMER_ID, "มะม่วงน้ำดอกไม้หน้าบ้าน").await.status, 303);
}

async fn a_code_works_once_five_wrong_guesses_end_it_and_it_expires_after_five_minutes(
    backend: Backend,
) {
    use kaset::services::one_time_codes::{check, Checked};
    let app = spawn_app(backend).await;
    let ask = || app.submit("/login/code", "/login/code", &[("national_id", FARMER_ID)]);

    // Used once: the same code again finds it gone.
    ask().await;
    let sms = app.sms.wait_for(DEMO_FARMER_PHONE, "Kaset").await;
    let code = code_in(&sms.text);
    assert_eq!(
        app.submit("/code", "/code", &[("code", &code)])
            .await
            .status,
        303
    );
    app.logout().await;
    let mut conn = app.db();
    let latest = |conn: &mut kaset::db::DbConn| -> i32 {
        use diesel::prelude::*;
        use kaset::db::schema::one_time_codes::dsl::*;
        one_time_codes
            .select(diesel::dsl::max(id))
            .first::<Option<i32>>(conn)
            .unwrap()
            .unwrap()
    };
    let now = app.clock.now();
    let first = latest(&mut conn);
    assert!(matches!(
        check(&mut conn, first, &code, now).unwrap(),
        Checked::Gone
    ));

    // A new code: wrong five times, then even the right one is refused.
    ask().await;
    let second = loop {
        let all = app.sms.to_phone_with(DEMO_FARMER_PHONE, "Kaset");
        if all.len() >= 2 {
            break code_in(&all[all.len() - 1].text);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let wrong = if second == "000000" {
        "111111"
    } else {
        "000000"
    };
    let second_id = latest(&mut conn);
    for _ in 0..5 {
        assert!(matches!(
            check(&mut conn, second_id, wrong, now).unwrap(),
            Checked::Wrong
        ));
    }
    assert!(matches!(
        check(&mut conn, second_id, &second, now).unwrap(),
        Checked::Gone
    ));

    // A third code, given six minutes later, has expired.
    ask().await;
    let third = loop {
        let all = app.sms.to_phone_with(DEMO_FARMER_PHONE, "Kaset");
        if all.len() >= 3 {
            break code_in(&all[all.len() - 1].text);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let later = now + chrono::Duration::minutes(6);
    let third_id = latest(&mut conn);
    assert!(matches!(
        check(&mut conn, third_id, &third, later).unwrap(),
        Checked::Gone
    ));
    // A fourth within 15 minutes is one too many for the phone.
    let fourth = ask().await;
    assert_eq!(fourth.status, 429);
}

async fn an_officer_enrols_a_farmer_at_the_office_who_then_signs_in_with_a_code_by_sms(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let household: i32 = {
        use diesel::prelude::*;
        use kaset::db::schema::households::dsl::*;
        households
            .filter(registry_number.eq(DEMO_PHONE_ONLY_REGISTRY))
            .select(id)
            .first(&mut *app.db())
            .unwrap()
    };
    let page_path = format!("/officer/households/{household}");
    let action = format!("{page_path}/enrol");
    app.login_as(OFFICER_SURIN).await;
    let page = app.get(&page_path).await;
    assert!(
        page.body.contains(&format!("action=\"{action}\"")),
        "{}",
        page.body
    );
    assert_eq!(
        page.input_value("enrol_phone").as_deref(),
        Some(DEMO_PHONE_ONLY_PHONE)
    );

    // Without having seen the ID card, no account; what was typed is kept.
    let refused = app
        .submit(&page_path, &action, &[("enrol_phone", "086 123 4567")])
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.texts("#seen_id-error").len(), 1);
    assert_eq!(
        refused.input_value("enrol_phone").as_deref(),
        Some("086 123 4567")
    );

    let made = app
        .submit(
            &page_path,
            &action,
            &[("seen_id", "yes"), ("enrol_phone", "086 123 4567")],
        )
        .await;
    assert_eq!(
        made.location.as_deref(),
        Some(format!("{page_path}?enrolled=1").as_str())
    );
    let after = app.get(&format!("{page_path}?enrolled=1")).await;
    assert_eq!(after.texts("[role=status]").len(), 1);
    assert!(
        !after.body.contains(&format!("action=\"{action}\"")),
        "enrolled once"
    );
    let told = app.sms.wait_for(DEMO_PHONE_ONLY_PHONE, "/login/code").await;
    assert!(
        kaset::domain::sms::segments(&told.text) <= 2,
        "{}",
        told.text
    );
    app.logout().await;

    // The farmer signs in with a code; no password was ever set.
    assert_eq!(
        app.login(DEMO_PHONE_ONLY_NATIONAL_ID, "!no-password")
            .await
            .status,
        401
    );
    app.submit(
        "/login/code",
        "/login/code",
        &[("national_id", DEMO_PHONE_ONLY_NATIONAL_ID)],
    )
    .await;
    let sms = loop {
        let all = app.sms.to_phone_with(DEMO_PHONE_ONLY_PHONE, "Kaset");
        if let Some(code) = all.iter().find(|s| !s.text.contains("/login/code")) {
            break code.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let signed_in = app
        .submit("/code", "/code", &[("code", &code_in(&sms.text))])
        .await;
    assert_eq!(
        signed_in.location.as_deref(),
        Some("/farm"),
        "{}",
        signed_in.body
    );
    let enrolled: i64 = {
        use diesel::prelude::*;
        use kaset::db::schema::audit_log;
        audit_log::table
            .filter(audit_log::action.eq("enrolled_at_office"))
            .count()
            .get_result(&mut *app.db())
            .unwrap()
    };
    assert_eq!(enrolled, 1);
}
