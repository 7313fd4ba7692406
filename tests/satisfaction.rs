//! Managers read what farmers think: figures worked out from the ratings of their scope,
//! checked against hand-computed values, with officers below 5 ratings hidden, and exports.

use crate::support::{spawn_app, spawn_app_on, Backend, TestApp};
use crate::{on_both_databases, on_chosen_days};
use diesel::prelude::*;
use kaset::db::schema::{applications, households, users};
use kaset::domain::Clock;

on_chosen_days!(
    a_provincial_manager_sees_figures_computed_from_the_ratings_of_the_province,
    the_demo_history_gives_the_dashboard_something_to_say_on_first_start,
    a_manager_records_what_was_done_and_the_public_sees_it_with_figures,
    a_month_of_low_satisfaction_alerts_the_managers_once,
);

on_both_databases!(
    a_manager_of_an_area_without_ratings_sees_no_figures_rather_than_zeros,
    anyone_says_whether_a_page_was_useful_and_managers_see_the_counts,
);

/// A province manager account (password: the demo one).
fn manager_of(app: &TestApp, province: &str) -> String {
    let email = format!("manager.{province}@demo.kaset");
    let hash = kaset::domain::Password::choose(crate::support::DEMO_PASSWORD, &[])
        .unwrap()
        .hash();
    kaset::db::users::insert(
        &mut app.db(),
        &kaset::db::users::NewUser {
            role: kaset::domain::Role::Manager,
            email: Some(&email),
            national_id: None,
            display_name: "ผู้จัดการจังหวัด",
            password_hash: &hash,
            household_id: None,
            scope_province_code: Some(province),
            scope_amphoe_code: None,
            locale: "th",
            phone: None,
            created_at: app.clock.now(),
        },
    )
    .unwrap();
    email
}

fn user_id(app: &TestApp, email: &str) -> i32 {
    users::table
        .filter(users::email.eq(email))
        .select(users::id)
        .first(&mut *app.db())
        .unwrap()
}

/// An ended (paid) case of a household of the province, rated or not.
fn ended_case(app: &TestApp, province: &str, n: usize, rating: Option<(i32, i32, i32)>) {
    let (household, amphoe): (i32, String) = households::table
        .filter(households::province_code.eq(province))
        .order(households::id)
        .offset(n as i64)
        .select((households::id, households::amphoe_code))
        .first(&mut *app.db())
        .unwrap();
    let farmer = user_id(app, crate::support::FARMER_EMAIL);
    let now = app.clock.now();
    let reference = format!("KS-2569-9{province}{n:03}");
    diesel::insert_into(applications::table)
        .values((
            applications::reference.eq(&reference),
            applications::household_id.eq(household),
            applications::applicant_id.eq(farmer),
            applications::programme_id.eq("ldd-soil-analysis"),
            applications::status.eq("completed"),
            applications::version.eq(3),
            applications::answers.eq("{}"),
            applications::appealed.eq(false),
            applications::created_at.eq(now),
            applications::submitted_at.eq(now),
            applications::updated_at.eq(now),
        ))
        .execute(&mut *app.db())
        .unwrap();
    let Some((satisfaction, effort, officer)) = rating else {
        return;
    };
    let id: i32 = applications::table
        .filter(applications::reference.eq(&reference))
        .select(applications::id)
        .first(&mut *app.db())
        .unwrap();
    kaset::db::ratings::save(
        &mut app.db(),
        &kaset::db::ratings::NewRating {
            application_id: id,
            user_id: farmer,
            programme_id: "ldd-soil-analysis",
            province_code: province,
            amphoe_code: &amphoe,
            officer_id: Some(officer),
            satisfaction,
            effort,
            comment: if satisfaction <= 2 {
                "รอนานมาก"
            } else {
                ""
            },
            processing_days: 5,
            missed_deadline: false,
        },
        now,
    )
    .unwrap();
}

async fn a_provincial_manager_sees_figures_computed_from_the_ratings_of_the_province(
    backend: Backend,
    clock: Clock,
) {
    let app = spawn_app_on(backend, clock).await;
    let manager = manager_of(&app, "32");
    let first = user_id(&app, crate::support::OFFICER_SURIN);
    let second = user_id(&app, kaset::db::seed::DEMO_OFFICER_SURIN_2_EMAIL);
    // Ten ratings in Surin: scores 1 2 3 3 4 4 | 4 5 5 5, ease summing to 34; the first officer
    // has six of them, the second four (too few to be shown).
    let surin = [
        (1, 2, first),
        (2, 1, first),
        (3, 3, first),
        (3, 3, first),
        (4, 4, first),
        (4, 4, first),
        (4, 4, second),
        (5, 4, second),
        (5, 4, second),
        (5, 5, second),
    ];
    for (n, rating) in surin.into_iter().enumerate() {
        ended_case(&app, "32", n, Some(rating));
    }
    // Two ended cases in Surin not rated (response rate), and Buri Ram ratings (not in scope).
    ended_case(&app, "32", 10, None);
    ended_case(&app, "32", 11, None);
    ended_case(&app, "31", 0, Some((1, 1, first)));

    app.login_as(&manager).await;
    let page = app.get("/manager/satisfaction").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let figure = |id: &str| page.texts(&format!("#{id}")).join("");
    assert_eq!(figure("ratings"), "10");
    assert_eq!(figure("csat"), "60.0%"); // 6 of 10 gave 4 or 5
    assert_eq!(figure("mean"), "3.60"); // 36 / 10
    assert_eq!(figure("effort"), "3.40"); // 34 / 10
    assert_eq!(figure("response-rate"), "83.3%"); // 10 of 12 ended cases
                                                  // The first officer: scores 1 2 3 3 4 4 and ease 2 1 3 3 4 4.
    let cells = page.texts("#table-officer tbody td");
    assert_eq!(cells[..4], ["6", "33.3%", "2.83", "2.83"], "{cells:?}");
    assert!(
        cells[4].contains("ไม่ถึง 5"),
        "the second officer is hidden: {cells:?}"
    );
    assert_eq!(cells.len(), 5);
    assert!(page.body.contains("<svg"), "charts are drawn");
    // The two low ratings said "รอนานมาก": waiting time, negative both times.
    assert_eq!(page.texts("#table-themes tbody td"), ["2", "2"]);
    assert!(page.texts("#table-themes tbody th")[0].contains("ระยะเวลารอคอย"));

    // The exports hold the same figures.
    let csv = app.get("/manager/satisfaction?format=csv").await;
    assert!(csv.body.starts_with('\u{feff}'), "a BOM for Excel");
    assert!(
        csv.body.contains("overall,,,10,60.00,3.60,3.40"),
        "{}",
        csv.body
    );
    let json = app.get("/manager/satisfaction?format=json").await;
    let value: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(value["overall"]["ratings"], 10);
    assert_eq!(
        value["overall"]["distribution"],
        serde_json::json!([1, 1, 2, 3, 3])
    );
    let officer_lines = value["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "officer")
        .unwrap()["lines"]
        .as_array()
        .unwrap()
        .clone();
    let hidden: Vec<&serde_json::Value> = officer_lines
        .iter()
        .filter(|l| l["hidden"] == true)
        .collect();
    assert_eq!(hidden.len(), 1);
    assert_eq!(value["comments"]["themes"][0]["id"], "waiting_time");
    assert_eq!(value["comments"]["negative"], 2);
    assert!(hidden[0]["csat"].is_null() && hidden[0]["ratings"] == 0);
}

async fn a_manager_of_an_area_without_ratings_sees_no_figures_rather_than_zeros(backend: Backend) {
    let app = spawn_app(backend).await;
    let manager = manager_of(&app, "50");
    app.login_as(&manager).await;
    let page = app.get("/manager/satisfaction").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.texts("#csat").join(""), "—");
    assert_eq!(page.texts("#response-rate").join(""), "—");
    assert_eq!(page.texts("#ratings").join(""), "0");
    // Officers and farmers cannot open it.
    app.logout().await;
    app.login_as(crate::support::OFFICER_SURIN).await;
    assert_eq!(app.get("/manager/satisfaction").await.status, 404);
}

async fn the_demo_history_gives_the_dashboard_something_to_say_on_first_start(
    backend: Backend,
    clock: Clock,
) {
    let app = spawn_app_on(backend, clock).await;
    let rated = kaset::db::seed::seed_history(&mut app.db(), &app.clock).unwrap();
    assert!(rated > 50, "{rated} ratings");
    app.login_as(kaset::db::seed::DEMO_MANAGER_EMAIL).await;
    let page = app.get("/manager/satisfaction").await;
    assert_eq!(page.texts("#ratings").join(""), rated.to_string());
    assert_ne!(page.texts("#csat").join(""), "—");
    let themes = page.texts("#table-themes tbody th");
    assert!(themes.len() >= 4, "{themes:?}");
    assert!(page.texts("#table-trend tbody tr").len() == 12);
    // The accounts seeded for the history cannot log in: only the demo farmer can.
    let seeded: String = users::table
        .filter(users::role.eq("farmer"))
        .filter(users::email.is_null())
        .select(users::national_id.assume_not_null())
        .first(&mut *app.db())
        .unwrap();
    app.logout().await;
    let refused = app.login(&seeded, crate::support::DEMO_PASSWORD).await;
    assert_ne!(refused.status, 303);
}

async fn anyone_says_whether_a_page_was_useful_and_managers_see_the_counts(backend: Backend) {
    let app = spawn_app(backend).await;
    let home = app.get("/register").await;
    assert!(
        home.body.contains("action=\"/feedback/page\""),
        "on every page"
    );
    let answer = |origin: String, useful: &'static str| {
        let app = &app;
        async move {
            app.client
                .post(app.url("/feedback/page"))
                .header("Origin", origin)
                .form(&[("path", "/register?next=/x"), ("useful", useful)])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let own = app.base.clone();
    assert_eq!(answer(own.clone(), "no").await, 200);
    assert_eq!(answer(own.clone(), "no").await, 200);
    assert_eq!(answer(own, "yes").await, 200);
    // Another site cannot post answers.
    assert_eq!(answer("https://evil.example".to_owned(), "no").await, 403);

    app.login_as(kaset::db::seed::DEMO_MANAGER_EMAIL).await;
    let page = app.get("/manager/satisfaction").await;
    assert_eq!(
        page.texts("#table-pages tbody th"),
        ["/register"],
        "the query is left out"
    );
    assert_eq!(page.texts("#table-pages tbody td"), ["1", "2"]);
}

async fn a_manager_records_what_was_done_and_the_public_sees_it_with_figures(
    backend: Backend,
    clock: Clock,
) {
    let app = spawn_app_on(backend, clock).await;
    let officer = user_id(&app, crate::support::OFFICER_SURIN);
    for (n, score) in [5, 3, 1].into_iter().enumerate() {
        ended_case(&app, "32", n, Some((score, 3, officer)));
    }
    app.login_as(kaset::db::seed::DEMO_MANAGER_EMAIL).await;
    let ten_days_ago = (app.clock.today() - chrono::Duration::days(10)).to_string();

    // Missing texts: refused, what was typed kept.
    let refused = app
        .submit(
            "/manager/actions",
            "/manager/actions",
            &[
                ("subject", "theme:waiting_time"),
                ("title_th", "เพิ่มเจ้าหน้าที่ตอบโทรศัพท์"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.input_value("title_th").as_deref(),
        Some("เพิ่มเจ้าหน้าที่ตอบโทรศัพท์")
    );
    assert!(refused.texts(".field-error").len() >= 4);

    for (subject, th, en) in [
        (
            "theme:waiting_time",
            "เพิ่มเจ้าหน้าที่ตอบโทรศัพท์",
            "More staff on the phone",
        ),
        (
            "programme:ldd-soil-analysis",
            "รถตรวจดินเคลื่อนที่",
            "Mobile soil-testing vans",
        ),
    ] {
        let done = app
            .submit(
                "/manager/actions",
                "/manager/actions",
                &[
                    ("subject", subject),
                    ("title_th", th),
                    ("title_en", en),
                    ("description_th", "รายละเอียด"),
                    ("description_en", "Details"),
                    ("taken_on", &ten_days_ago),
                ],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
    }
    app.logout().await;

    // Anyone sees them, with the figures before and after (the three ratings came after).
    let public = app.get("/you-said-we-did").await;
    assert_eq!(public.status, 200);
    assert_eq!(
        public.texts("article.action h2"),
        ["รถตรวจดินเคลื่อนที่", "เพิ่มเจ้าหน้าที่ตอบโทรศัพท์"]
    );
    // Soil analysis: 1 of 3 satisfied after, nothing before.
    assert_eq!(public.texts(".after"), ["33%", "100%"]); // the one comment speaks of waiting
    assert_eq!(public.texts(".before"), ["—", "—"]);
}

async fn a_month_of_low_satisfaction_alerts_the_managers_once(backend: Backend, clock: Clock) {
    use kaset::db::schema::ratings;
    let app = spawn_app_on(backend, clock).await;
    let officer = user_id(&app, crate::support::OFFICER_SURIN);
    // Last month, five ratings of soil analysis in Surin: 1 2 3 4 5, so 40% satisfied.
    for (n, score) in [1, 2, 3, 4, 5].into_iter().enumerate() {
        ended_case(&app, "32", n, Some((score, 3, officer)));
    }
    let today = app.clock.today();
    let last_month = today - chrono::Duration::days(i64::from(chrono::Datelike::day(&today)) + 3);
    // All from one amphoe office (เมืองสุรินทร์), so the office has 5 ratings too.
    diesel::update(ratings::table)
        .set((
            ratings::created_at.eq(last_month.and_hms_opt(10, 0, 0).unwrap()),
            ratings::amphoe_code.eq("3201"),
        ))
        .execute(&mut *app.db())
        .unwrap();
    // Changed behind `save`'s back: count them again.
    kaset::db::ratings::rebuild_counts(&mut app.db()).unwrap();
    let rules = kaset::app::load_rules(&crate::support::rules_dir()).unwrap();
    let alert = |threshold: f64| {
        kaset::services::satisfaction::alert_low_months(
            &mut app.db(),
            &rules,
            "http://kaset.test",
            app.clock.now(),
            threshold,
        )
        .unwrap()
    };
    assert_eq!(alert(30.0), 0, "40% is above a 30% threshold");
    // The programme country-wide, and the amphoe office: each alerted once.
    assert_eq!(alert(70.0), 2);
    assert_eq!(alert(70.0), 0, "not twice");
    let mail = app.smtp.wait_for(kaset::db::seed::DEMO_MANAGER_EMAIL).await;
    assert!(
        mail.subject().contains("ความพอใจต่ำกว่าเกณฑ์"),
        "{}",
        mail.subject()
    );
    assert!(mail.text().contains("40%"), "{}", mail.text());
    app.login_as(kaset::db::seed::DEMO_MANAGER_EMAIL).await;
    let notices = app.get("/notifications").await.texts(".notices li");
    assert_eq!(notices.len(), 2, "{notices:?}");
}
