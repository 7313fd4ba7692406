//! Farmers see, without asking, what they are entitled to and why; a registry change shows at
//! once; a broken rule file keeps the server from starting.

use crate::support::{spawn_app, spawn_app_on, Backend, TestApp, FARMER_ID, OFFICER_SURIN};
use crate::{on_both_databases, on_chosen_days};
use kaset::domain::Clock;

on_chosen_days!(
    farmer_sees_entitlements_worked_out_from_the_registry_with_reasons,
    an_officers_registry_edit_changes_the_farmers_entitlements,
    admin_declares_a_disaster_and_affected_farmers_see_relief_and_are_told,
    admin_ends_a_declaration_and_its_households_no_longer_see_relief,
    a_closed_programme_the_household_received_shows_what_it_paid,
    a_disaster_declaration_with_an_unknown_area_is_refused_and_keeps_the_input,
    evaluating_everyone_twice_changes_nothing_the_second_time,
    manager_previews_the_impact_of_a_parameter_change_without_changing_anything,
    decisions_that_stop_being_actionable_are_forgotten_and_a_return_is_news_again,
    the_periodic_re_evaluation_tells_farmers_of_changes_no_page_made,
);

on_both_databases!(
    the_fact_catalogue_is_published_from_the_code,
    each_programme_says_what_happens_next_and_only_what_the_farmer_starts_has_a_button,
);

fn section_ids(page: &crate::support::Page, class: &str) -> Vec<String> {
    let html = scraper::Html::parse_document(&page.body);
    let selector = scraper::Selector::parse(&format!("article.{class}")).unwrap();
    html.select(&selector)
        .filter_map(|a| {
            a.value()
                .attr("id")
                .map(|id| id.trim_start_matches("programme-").to_owned())
        })
        .collect()
}

async fn farmer_sees_entitlements_worked_out_from_the_registry_with_reasons(
    backend: Backend,
    clock: Clock,
) {
    let app = spawn_app_on(backend, clock).await;
    app.login_as(FARMER_ID).await;
    let page = app.get("/entitlements").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.h1(), "สิทธิ์ของฉัน");
    let eligible = section_ids(&page, "entitlement-eligible");
    // Four head of cattle: free vaccination; land: free soil analysis.
    assert!(
        eligible.contains(&"livestock-vaccination".to_owned()),
        "{eligible:?}"
    );
    assert!(
        eligible.contains(&"ldd-soil-analysis".to_owned()),
        "{eligible:?}"
    );
    // The rented plot has no land document on record, so the farm pond (which needs titled
    // land) asks for it rather than saying no.
    let need_info = section_ids(&page, "entitlement-need-info");
    assert!(
        need_info.contains(&"ldd-farm-pond".to_owned()),
        "{need_info:?}"
    );
    assert!(page.body.contains("เนื้อที่ที่มีเอกสารสิทธิ์"), "names what to add");
    // Programmes whose window has closed are not offered.
    assert!(!page.body.contains("programme-rice-support-2566"));
    // Every reason is written out, marked met / not met / unknown for screen readers too.
    assert!(!page.texts(".reasons li").is_empty());
    assert!(page.body.contains("class=\"visually-hidden\">ผ่าน:"));

    app.get("/lang/en").await;
    let english = app.get("/entitlements").await;
    assert_eq!(english.h1(), "My entitlements");
    assert!(english.body.contains("Land with a title document"));
}

/// Sets the demo household's cattle and buffalo through the officer's form.
async fn set_large_animals(app: &TestApp, household: i32, cattle: &str) {
    let path = format!("/officer/households/{household}/livestock");
    let page = app
        .submit(
            &path,
            &path,
            &[
                ("cattle", cattle),
                ("buffalo", "0"),
                ("pig", "0"),
                ("chicken", "20"),
                ("duck", "0"),
                ("goat", "0"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
}

async fn an_officers_registry_edit_changes_the_farmers_entitlements(
    backend: Backend,
    clock: Clock,
) {
    let app = spawn_app_on(backend, clock).await;
    let household = crate::support::demo_household_id(&app);
    app.login_as(OFFICER_SURIN).await;
    // The officer sees the same entitlements as the farmer.
    let before = app.get(&format!("/officer/households/{household}")).await;
    assert!(
        section_ids(&before, "entitlement-eligible").contains(&"livestock-vaccination".to_owned())
    );
    set_large_animals(&app, household, "0").await;
    let after = app.get(&format!("/officer/households/{household}")).await;
    assert!(
        !section_ids(&after, "entitlement-eligible").contains(&"livestock-vaccination".to_owned())
    );
    app.logout().await;

    app.login_as(FARMER_ID).await;
    let page = app.get("/entitlements").await;
    assert!(
        !section_ids(&page, "entitlement-eligible").contains(&"livestock-vaccination".to_owned())
    );
    app.logout().await;

    app.login_as(OFFICER_SURIN).await;
    set_large_animals(&app, household, "3").await;
    app.logout().await;
    app.login_as(FARMER_ID).await;
    let page = app.get("/entitlements").await;
    assert!(
        section_ids(&page, "entitlement-eligible").contains(&"livestock-vaccination".to_owned())
    );
}

async fn the_fact_catalogue_is_published_from_the_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let page = app.get("/rules/facts").await;
    assert_eq!(page.status, 200);
    let names = page.texts("tbody td:first-child code");
    assert_eq!(names.len(), kaset::rules::catalogue::CATALOGUE.len());
    assert!(names.contains(&"rice_area_main".to_owned()));
    assert!(
        page.body.contains("rice-support-2566"),
        "lists the loaded programmes"
    );
}

#[actix_web::test]
async fn a_broken_rule_file_stops_the_server_naming_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let good =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules/ldd-soil-analysis.toml");
    let text = std::fs::read_to_string(good).unwrap();
    let when = text.find("when = ").expect("a condition");
    let line = text[..when].matches('\n').count() + 1;
    let broken = format!(
        "{}when = \"no_such_fact > 0 rai\"{}",
        &text[..when],
        &text[when..]
            .split_once('\n')
            .map(|(_, rest)| format!("\n{rest}"))
            .unwrap()
    );
    std::fs::write(dir.path().join("ldd-soil-analysis.toml"), broken).unwrap();
    let error = kaset::app::load_rules(dir.path())
        .expect_err("a broken rule set is refused")
        .to_string();
    assert!(
        error.contains(&format!(
            "ldd-soil-analysis.toml:{line}:9: unknown fact or parameter `no_such_fact`"
        )),
        "{error}"
    );
}

fn days_ago(app: &TestApp, days: i64) -> String {
    (app.clock.today() - chrono::Duration::days(days)).to_string()
}

async fn admin_declares_a_disaster_and_affected_farmers_see_relief_and_are_told(
    backend: Backend,
    clock: Clock,
) {
    let app = spawn_app_on(backend, clock).await;
    app.login_as(FARMER_ID).await;
    let before = app.get("/entitlements").await;
    assert!(
        !section_ids(&before, "entitlement-eligible").contains(&"disaster-relief-crops".to_owned())
    );
    app.logout().await;

    app.login_as(crate::support::ADMIN).await;
    let started = days_ago(&app, 3);
    let page = app
        .submit(
            "/admin/disasters",
            "/admin/disasters",
            &[
                ("hazard", "flood"),
                ("started_on", &started),
                ("ended_on", ""),
                ("claims_close_on", &days_ago(&app, -27)),
                ("description", "ประกาศจังหวัดสุรินทร์ ที่ 1/2569"),
                ("areas", "320101, 320102"),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let result = page.texts("[role=status]").join(" ");
    assert!(result.contains("มีสิทธิ์ใหม่"), "{result}");
    assert!(page.body.contains("อุทกภัย"), "the declaration is listed");
    app.logout().await;

    // The farmer in the flooded tambon sees the relief with its amount, and was told.
    app.login_as(FARMER_ID).await;
    let after = app.get("/entitlements").await;
    assert!(
        section_ids(&after, "entitlement-eligible").contains(&"disaster-relief-crops".to_owned()),
        "{:?}",
        section_ids(&after, "entitlement-eligible")
    );
    // The amount is the most the household could receive, and says so.
    let amount = after
        .texts("#programme-disaster-relief-crops .amount")
        .join("");
    assert!(amount.starts_with("ได้สูงสุด"), "{amount}");
    assert!(amount.contains("ตามความเสียหายที่ท่านแจ้ง"), "{amount}");
    let total = after.texts(".notice[role=status] strong").join("");
    assert!(
        total.starts_with("สูงสุด"),
        "the total includes a maximum: {total}"
    );
    let mail = app.smtp.wait_for(crate::support::FARMER_EMAIL).await;
    assert!(
        mail.text().contains("บาท"),
        "the mail names the amount: {}",
        mail.text()
    );
    assert!(app.get("/notifications").await.body.contains("ท่านมีสิทธิ์ใหม่:"));

    // A farmer outside the area is not affected: farmers only see their own household anyway,
    // so compare the stored decisions of the flooded Surin tambon with Buri Ram's.
    use diesel::prelude::*;
    use kaset::db::schema::{entitlements, households};
    let eligible_for_relief = |province: &str| -> i64 {
        entitlements::table
            .inner_join(households::table)
            .filter(households::province_code.eq(province))
            .filter(entitlements::programme_id.eq("disaster-relief-crops"))
            .filter(entitlements::status.eq("eligible"))
            .count()
            .get_result(&mut *app.db())
            .unwrap()
    };
    assert!(eligible_for_relief("32") > 0, "Surin's flooded tambons");
    assert_eq!(eligible_for_relief("31"), 0, "Buri Ram was not declared");
}

async fn a_disaster_declaration_with_an_unknown_area_is_refused_and_keeps_the_input(
    backend: Backend,
    clock: Clock,
) {
    let app = spawn_app_on(backend, clock).await;
    app.login_as(FARMER_ID).await;
    assert_eq!(
        app.get("/admin/disasters").await.status,
        404,
        "farmers cannot declare"
    );
    app.logout().await;
    app.login_as(crate::support::ADMIN).await;
    let page = app
        .submit(
            "/admin/disasters",
            "/admin/disasters",
            &[
                ("hazard", "drought"),
                ("started_on", &days_ago(&app, 1)),
                ("ended_on", &days_ago(&app, 5)),
                ("claims_close_on", &days_ago(&app, -400)),
                ("description", "ภัยแล้ง"),
                ("areas", "999999"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    let errors = page.texts(".field-error").join(" ");
    assert!(errors.contains("ไม่พบรหัสตำบลหรืออำเภอนี้"), "{errors}");
    assert!(errors.contains("วันที่สิ้นสุดต้องไม่ก่อนวันที่เกิดภัย"), "{errors}");
    assert!(errors.contains("ไม่เกิน 180 วัน"), "{errors}");
    assert_eq!(page.input_value("areas").as_deref(), Some("999999"));
    assert!(page.texts("ul.list li").is_empty(), "nothing was declared");
}

async fn evaluating_everyone_twice_changes_nothing_the_second_time(backend: Backend, clock: Clock) {
    let app = spawn_app_on(backend, clock).await;
    let pool = kaset::db::connect(&app.database_url, 2).unwrap();
    let rules = kaset::app::load_rules(&crate::support::rules_dir()).unwrap();
    let now = app.clock.now();
    let first =
        kaset::services::entitlements::evaluate_everyone(&pool, &rules, now, "http://kaset.test")
            .unwrap();
    assert_eq!(first.households, 333);
    assert_eq!(
        first.decisions_changed, 0,
        "the template's baseline is already current"
    );
    // Idempotent: a rerun (say after an interruption) writes nothing and tells no one twice.
    let again =
        kaset::services::entitlements::evaluate_everyone(&pool, &rules, now, "http://kaset.test")
            .unwrap();
    assert_eq!((again.decisions_changed, again.newly_eligible), (0, 0));
}

on_both_databases!(a_new_programme_in_the_rule_set_reaches_the_farmers_it_fits);

async fn a_new_programme_in_the_rule_set_reaches_the_farmers_it_fits(backend: Backend) {
    // The rule set as deployed, plus one new programme the demo farmer qualifies for.
    let rules = copy_of_the_rules();
    let soil = std::fs::read_to_string(rules.path().join("ldd-soil-analysis.toml")).unwrap();
    let new_programme = soil.replacen(
        "id = \"ldd-soil-analysis\"",
        "id = \"ldd-soil-analysis-2570\"",
        1,
    );
    assert_ne!(soil, new_programme);
    std::fs::write(
        rules.path().join("ldd-soil-analysis-2570.toml"),
        new_programme,
    )
    .unwrap();

    let app = crate::support::spawn_app_with(
        backend,
        crate::support::Options {
            rules_dir: Some(rules.path().to_owned()),
            ..Default::default()
        },
    )
    .await;
    // At start-up the stored decisions are brought up to the new rule set, and the farmer is told.
    let mail = app.smtp.wait_for(crate::support::FARMER_EMAIL).await;
    assert!(mail.text().contains("/entitlements"));
    app.login_as(FARMER_ID).await;
    let page = app.get("/entitlements").await;
    assert!(
        section_ids(&page, "entitlement-eligible").contains(&"ldd-soil-analysis-2570".to_owned())
    );
    assert_eq!(
        app.get("/notifications").await.texts(".notices li").len(),
        1,
        "one notice, for the one new programme"
    );
}

async fn manager_previews_the_impact_of_a_parameter_change_without_changing_anything(
    backend: Backend,
    clock: Clock,
) {
    use diesel::prelude::*;
    use kaset::db::schema::entitlements;
    let app = spawn_app_on(backend, clock).await;
    app.login_as(OFFICER_SURIN).await;
    assert_eq!(
        app.get("/manager/impact").await.status,
        404,
        "officers do not see it"
    );
    app.logout().await;

    app.login_as(kaset::db::seed::DEMO_MANAGER_EMAIL).await;
    let stored_before: i64 = entitlements::table
        .count()
        .get_result(&mut *app.db())
        .unwrap();
    let now = app.get("/manager/impact?programme=ldd-farm-pond").await;
    assert_eq!(now.status, 200);
    assert_eq!(now.input_value("min_land").as_deref(), Some("2"));
    // Labelled in words, with the value now and the unit to type in.
    assert_eq!(
        now.texts("label[for=param-min_land]"),
        vec!["ที่ดินขั้นต่ำ (ปัจจุบัน 2 ไร่)"]
    );
    assert!(!now.body.contains("<code>min_land"));
    let totals = now.texts("tfoot td");
    let eligible_now: i64 = totals[0].parse().unwrap();
    assert!(eligible_now > 0, "{totals:?}");
    assert_eq!(totals[0], totals[2], "unedited, before and after agree");

    let stricter = app
        .get("/manager/impact?programme=ldd-farm-pond&min_land=200%20rai")
        .await;
    let totals = stricter.texts("tfoot td");
    assert_eq!(totals[0].parse::<i64>().unwrap(), eligible_now);
    assert_eq!(totals[2], "0", "no demo household has 200 rai: {totals:?}");
    assert!(
        stricter.texts("tbody th").iter().any(|p| p == "สุรินทร์"),
        "by province"
    );
    // Areas as people write them, in Thai digits or words, or the rule file's own way.
    for typed in ["200", "๒๐๐ ไร่", "200%20rai"] {
        let page = app
            .get(&format!(
                "/manager/impact?programme=ldd-farm-pond&min_land={typed}"
            ))
            .await;
        assert_eq!(page.status, 200, "{typed}");
        assert_eq!(page.texts("tfoot td")[2], "0", "{typed}");
    }
    // Money, with or without its unit.
    let relief = app.get("/manager/impact?programme=baac-debt-pause").await;
    assert_eq!(relief.input_value("max_debt").as_deref(), Some("300000"));
    for typed in ["1500", "1500 บาท", "1,500 baht"] {
        let page = app
            .get(&format!(
                "/manager/impact?programme=baac-debt-pause&max_debt={typed}"
            ))
            .await;
        assert_eq!(page.status, 200, "{typed}: {}", page.body);
    }

    let wrong = app
        .get("/manager/impact?programme=ldd-farm-pond&min_land=1000%20baht")
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.texts(".field-error").join(" ").contains("พื้นที่เป็นไร่"));
    assert_eq!(
        wrong.input_value("min_land").as_deref(),
        Some("1000 baht"),
        "the input is kept"
    );

    let stored_after: i64 = entitlements::table
        .count()
        .get_result(&mut *app.db())
        .unwrap();
    assert_eq!(stored_before, stored_after, "a preview stores nothing");
}

/// A copy of the deployed rule set (with its forms) to change in a test.
/// The deployed rule set, with its forms and feedback files, in a directory a test may change.
pub(crate) fn copy_of_the_rules() -> tempfile::TempDir {
    fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
        for entry in std::fs::read_dir(from).unwrap().flatten() {
            let target = to.join(entry.file_name());
            if entry.path().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
                copy_dir(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&crate::support::rules_dir(), copy.path());
    copy
}

async fn decisions_that_stop_being_actionable_are_forgotten_and_a_return_is_news_again(
    backend: Backend,
    clock: Clock,
) {
    use diesel::prelude::*;
    use kaset::db::schema::entitlements;
    let app = spawn_app_on(backend, clock).await;
    let pool = kaset::db::connect(&app.database_url, 2).unwrap();
    let deployed = kaset::app::load_rules(&crate::support::rules_dir()).unwrap();
    let stored_soil_analysis = || -> i64 {
        entitlements::table
            .filter(entitlements::programme_id.eq("ldd-soil-analysis"))
            .count()
            .get_result(&mut *app.db())
            .unwrap()
    };
    let open = stored_soil_analysis();
    assert!(open > 0, "households with land can send their soil");

    // The programme is given an end date in the past: closed, nothing to act on, nothing kept.
    let ended = copy_of_the_rules();
    let file = ended.path().join("ldd-soil-analysis.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let closed = text.replacen(
        "valid_from = 2023-10-01",
        "valid_from = 2023-10-01\nvalid_to = 2025-09-30",
        1,
    );
    assert_ne!(text, closed);
    std::fs::write(&file, closed).unwrap();
    let ended = kaset::app::load_rules(ended.path()).unwrap();
    let now = app.clock.now();
    let notify = kaset::services::entitlements::Notify {
        enabled: true,
        public_url: "http://kaset.test".into(),
    };
    let changes =
        kaset::services::entitlements::reevaluate_all(&pool, &ended, now, &notify).unwrap();
    assert!(changes.decisions_changed as i64 >= open);
    assert_eq!(stored_soil_analysis(), 0);

    // Opened again, it is news again: the farmer is told.
    let again =
        kaset::services::entitlements::reevaluate_all(&pool, &deployed, now, &notify).unwrap();
    assert_eq!(stored_soil_analysis(), open);
    assert!(again.newly_eligible as i64 >= 1);
    let mail = app.smtp.wait_for(crate::support::FARMER_EMAIL).await;
    assert!(mail.text().contains("/entitlements"));
}

async fn the_periodic_re_evaluation_tells_farmers_of_changes_no_page_made(
    backend: Backend,
    clock: Clock,
) {
    // Every second instead of every day, so the test sees the timer's second pass.
    let app = crate::support::spawn_app_with(
        backend,
        crate::support::Options {
            reevaluate_every_secs: 1,
            clock,
            ..Default::default()
        },
    )
    .await;
    // A declaration that reached the database without a page re-deciding anyone (as another
    // system or a database fix would write it).
    crate::support::declare_flood(&app);
    let mail = app.smtp.wait_for(crate::support::FARMER_EMAIL).await;
    assert!(mail.text().contains("บาท"), "{}", mail.text());
}

async fn each_programme_says_what_happens_next_and_only_what_the_farmer_starts_has_a_button(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    app.login_as(FARMER_ID).await;
    let page = app.get("/entitlements").await;
    let card = |id: &str, css: &str| page.texts(&format!("#programme-{id} {css}")).join(" | ");

    // Vaccination is done by the livestock office: where, when and what to bring, no button.
    let vaccination = card("livestock-vaccination", ".delivery-in_person");
    assert!(vaccination.contains("ขั้นตอนต่อไป:"), "{vaccination}");
    assert!(vaccination.contains("สำนักงานปศุสัตว์อำเภอ"), "{vaccination}");
    assert!(vaccination.contains("เวลาทำการ:"), "{vaccination}");
    assert!(vaccination.contains("สิ่งที่ต้องนำไป:"), "{vaccination}");
    assert_eq!(card("livestock-vaccination", "form.apply button"), "");

    // A soil test is asked for online: it says so and has the button.
    assert!(card("ldd-soil-analysis", ".delivery-apply").contains("ขอตรวจดินที่นี่"));
    assert_eq!(
        card("ldd-soil-analysis", "form.apply button"),
        "ยื่นคำขอออนไลน์"
    );
    // Still needing information, the farm pond may be applied for with what is missing.
    assert!(card("ldd-farm-pond", "form.apply button").contains("เจ้าหน้าที่จะตรวจข้อมูลที่ยังขาด"));

    // Programmes the household does not qualify for say nothing of what happens next, and
    // relief outside any disaster zone asks for nothing to be added to the registry.
    let other = page.texts(".entitlement-other .delivery").join("");
    assert_eq!(other, "", "no next step for a programme not offered");
    let relief = page.texts("#programme-disaster-relief-crops").join("");
    assert!(relief.contains("ไม่อยู่ในเขตที่ประกาศภัยพิบัติ"), "{relief}");
    assert!(!relief.contains("วันที่เกิดภัยตามประกาศ"), "{relief}");

    // The officer sees the same, the programmes not qualified for included, with reasons.
    app.logout().await;
    app.login_as(OFFICER_SURIN).await;
    let household = crate::support::demo_household_id(&app);
    let officer = app.get(&format!("/officer/households/{household}")).await;
    assert!(
        section_ids(&officer, "entitlement-other").contains(&"disaster-relief-crops".to_owned()),
        "{:?}",
        section_ids(&officer, "entitlement-other")
    );
    app.logout().await;
    app.login_as(FARMER_ID).await;

    // Once a case is under way the card follows it instead of offering another.
    let draft = crate::applications::start(&app, "ldd-soil-analysis").await;
    let page = app.get("/entitlements").await;
    let progress = page
        .texts("#programme-ldd-soil-analysis .progress-draft")
        .join("");
    assert!(progress.contains("ท่านเริ่มกรอกคำขอนี้ไว้แล้ว"), "{progress}");
    assert!(page.body.contains(&format!("href=\"{draft}\"")));
    assert!(page
        .texts("#programme-ldd-soil-analysis form.apply button")
        .is_empty());

    app.get("/lang/en").await;
    let english = app.get("/entitlements").await;
    let vaccination = english
        .texts("#programme-livestock-vaccination .delivery")
        .join("");
    assert!(vaccination.contains("What happens next:"), "{vaccination}");
    assert!(
        vaccination.contains("district livestock office"),
        "{vaccination}"
    );
}

async fn admin_ends_a_declaration_and_its_households_no_longer_see_relief(
    backend: Backend,
    clock: Clock,
) {
    let app = spawn_app_on(backend, clock).await;
    crate::support::declare_flood_and_draft_claims(&app);
    app.login_as(crate::support::ADMIN).await;
    let list = app.get("/admin/disasters").await;
    let tambons = list.texts(".declarations .tambons").join("");
    assert!(tambons.contains("1 "), "{tambons}");
    assert!(tambons.contains("ในเมือง"), "the tambon is named: {tambons}");
    let id: i32 = {
        use diesel::prelude::*;
        use kaset::db::schema::disasters;
        disasters::table
            .select(disasters::id)
            .first(&mut *app.db())
            .unwrap()
    };
    let action = format!("/admin/disasters/{id}");

    // An end before the start is refused, and what was typed is kept in that declaration.
    let refused = app
        .submit(
            "/admin/disasters",
            &action,
            &[
                ("ended_on", &days_ago(&app, 30)),
                ("claims_close_on", &days_ago(&app, -27)),
                ("description", "ประกาศจังหวัดสุรินทร์ ที่ 3/2569 (แก้ไข)"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    let typed = {
        let html = scraper::Html::parse_document(&refused.body);
        let selector = scraper::Selector::parse(&format!("#description-{id}")).unwrap();
        html.select(&selector)
            .next()
            .and_then(|e| e.value().attr("value").map(str::to_owned))
    };
    assert_eq!(typed.as_deref(), Some("ประกาศจังหวัดสุรินทร์ ที่ 3/2569 (แก้ไข)"));
    assert!(!refused.texts(&format!("#ended_on-{id}-error")).is_empty());

    // Ended yesterday: from today the households are no longer in a zone.
    let ended = app
        .submit(
            "/admin/disasters",
            &action,
            &[
                ("ended_on", &days_ago(&app, 1)),
                ("claims_close_on", &days_ago(&app, -27)),
                ("description", "ประกาศจังหวัดสุรินทร์ ที่ 3/2569 (สิ้นสุดแล้ว)"),
            ],
        )
        .await;
    assert_eq!(ended.status, 200, "{}", ended.body);
    assert!(ended.body.contains("(สิ้นสุดแล้ว)"));
    app.logout().await;
    app.login_as(FARMER_ID).await;
    let page = app.get("/entitlements").await;
    assert!(
        !section_ids(&page, "entitlement-eligible").contains(&"disaster-relief-crops".to_owned())
    );
    use diesel::prelude::*;
    use kaset::db::schema::{audit_log, entitlements};
    let stored: i64 = entitlements::table
        .filter(entitlements::programme_id.eq("disaster-relief-crops"))
        .filter(entitlements::status.eq("eligible"))
        .count()
        .get_result(&mut *app.db())
        .unwrap();
    assert_eq!(stored, 0, "the stored decisions were re-decided too");
    let audited: i64 = audit_log::table
        .filter(audit_log::entity.eq("disaster"))
        .count()
        .get_result(&mut *app.db())
        .unwrap();
    assert_eq!(audited, 2, "the end and the details");
}

async fn a_closed_programme_the_household_received_shows_what_it_paid(
    backend: Backend,
    clock: Clock,
) {
    use diesel::prelude::*;
    use kaset::db::schema::applications;
    let app = spawn_app_on(backend, clock).await;
    // An earlier round of rice support (closed on 30 September 2024) paid the demo household.
    let household = crate::support::demo_household_id(&app);
    let paid_at = chrono::NaiveDate::from_ymd_opt(2024, 3, 1)
        .unwrap()
        .and_hms_opt(3, 0, 0)
        .unwrap();
    diesel::insert_into(applications::table)
        .values((
            applications::reference.eq("KS-2567-009999"),
            applications::household_id.eq(household),
            applications::programme_id.eq("rice-support-2566"),
            applications::status.eq("paid"),
            applications::version.eq(0),
            applications::answers.eq("{}"),
            applications::appealed.eq(false),
            applications::snapshot_amount_satang.eq(Some(1_000_000i64)),
            applications::paid_amount_satang.eq(Some(1_000_000i64)),
            applications::created_at.eq(paid_at),
            applications::submitted_at.eq(Some(paid_at)),
            applications::updated_at.eq(paid_at),
        ))
        .execute(&mut *app.db())
        .unwrap();

    app.login_as(FARMER_ID).await;
    let page = app.get("/entitlements").await;
    let received = page
        .texts("#programme-rice-support-2566.entitlement-received")
        .join("");
    assert!(received.contains("10,000"), "{received}");
    assert!(
        page.texts("#programme-rice-crop-insurance").is_empty(),
        "a closed programme the household never received stays out of the way"
    );
    app.logout().await;
    app.login_as(OFFICER_SURIN).await;
    let officer = app.get(&format!("/officer/households/{household}")).await;
    assert!(officer
        .texts("#programme-rice-support-2566")
        .join("")
        .contains("10,000"));
}
