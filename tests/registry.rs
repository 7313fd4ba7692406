//! Farmers see their own registry record; officers see and edit only the households of their
//! area, and every change is audited with who, when, the old and the new value.

use crate::support::{
    spawn_app, spawn_app_on, Backend, TestApp, FARMER_ID, OFFICER_BURIRAM, OFFICER_SURIN,
};
use crate::{on_both_databases, on_chosen_days};
use diesel::prelude::*;
use kaset::domain::Clock;

on_chosen_days!(
    farmer_sees_household_plots_crops_livestock_and_memberships_on_my_farm,
    officer_adds_a_crop_and_sets_livestock_with_audit_entries,
);

on_both_databases!(
    farmer_sees_my_farm_in_english_when_chosen,
    officer_finds_households_of_the_area_by_name_national_id_or_registry_number,
    officer_cannot_open_a_household_outside_the_area,
    farmer_cannot_reach_staff_pages_and_staff_cannot_reach_my_farm,
    officer_edits_a_plot_and_the_change_is_audited_with_old_and_new_values,
    invalid_plot_edit_keeps_the_input_and_saves_nothing,
    an_officer_prints_the_households_of_a_tambon_that_have_not_claimed_what_they_can,
    rice_reported_after_the_round_closed_misses_it_though_the_household_joined_years_before,
);

/// The officer changes the area of the demo farmer's rice field behind the house (rai, ngan,
/// square wa), leaving the rest of the plot as it is.
pub(crate) async fn resize_the_rice_field(
    app: &TestApp,
    household: i32,
    plot: i32,
    (rai, ngan, wa): (&str, &str, &str),
) {
    let saved = app
        .submit(
            &format!("/officer/households/{household}/plots/{plot}/edit"),
            &format!("/officer/households/{household}/plots/{plot}"),
            &[
                ("label", "นาข้าวหลังบ้าน"),
                ("rai", rai),
                ("ngan", ngan),
                ("wa", wa),
                ("land_document", "chanote"),
                ("tenure", "owned"),
                ("tambon_code", "320101"),
                ("irrigated", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
}

/// The demo farmer's household id and their first plot's id.
fn demo_household(app: &TestApp) -> (i32, i32) {
    use kaset::db::schema::plots;
    let household = crate::support::demo_household_id(app);
    let mut conn = app.db();
    let plot: i32 = plots::table
        .filter(plots::household_id.eq(household))
        .order(plots::id)
        .select(plots::id)
        .first(&mut *conn)
        .unwrap();
    (household, plot)
}

/// (action, entity, field, old value, new value, actor)
type AuditLine = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i32>,
);

fn audit_entries(app: &TestApp, household: i32) -> Vec<AuditLine> {
    use kaset::db::schema::audit_log;
    audit_log::table
        .filter(audit_log::household_id.eq(household))
        .filter(audit_log::action.ne("view"))
        .order(audit_log::id)
        .select((
            audit_log::action,
            audit_log::entity,
            audit_log::field,
            audit_log::old_value,
            audit_log::new_value,
            audit_log::actor_user_id,
        ))
        .load(&mut *app.db())
        .unwrap()
}

async fn farmer_sees_household_plots_crops_livestock_and_memberships_on_my_farm(
    backend: Backend,
    clock: Clock,
) {
    let app = spawn_app_on(backend, clock).await;
    app.login_as(FARMER_ID).await;
    let farm = app.get("/farm").await;
    assert_eq!(farm.status, 200);
    assert_eq!(farm.h1(), "ฟาร์มของฉัน");
    let plots = farm.texts(".plot h3");
    assert_eq!(plots, ["นาข้าวหลังบ้าน", "ไร่มันสำปะหลัง", "นาเช่า"]);
    // Areas in rai-ngan-square wa; documents, tenure and irrigation as registered.
    assert!(farm.body.contains("12 ไร่ 2 งาน 0 ตารางวา"));
    assert!(farm.body.contains("5 ไร่ 2 งาน 50 ตารางวา"));
    assert!(farm.body.contains("โฉนดที่ดิน (น.ส.4)"));
    assert!(
        farm.body.contains("ยังไม่ได้บันทึก"),
        "the rented plot has no document on record"
    );
    assert!(farm.body.contains("อยู่ในเขตชลประทาน"));
    let year = kaset::rules::facts::crop_year(app.clock.today());
    assert!(
        farm.body
            .contains(&format!("นาปี {year}/{}", (year + 1) % 100)),
        "this crop year's rice"
    );
    assert!(farm.body.contains("โคเนื้อ: 4"));
    assert!(farm.body.contains("ลูกค้า ธ.ก.ส."));
    assert!(farm.body.contains("สหกรณ์การเกษตรเมืองสุรินทร์"));
    assert!(farm.body.contains("ตำบลในเมือง อำเภอเมืองสุรินทร์ จังหวัดสุรินทร์"));
    // National IDs are masked.
    assert!(farm.body.contains("3-1001-xxxxx-01-4"));
    assert!(!farm.body.contains(FARMER_ID));
}

async fn farmer_sees_my_farm_in_english_when_chosen(backend: Backend) {
    let app = spawn_app(backend).await;
    app.login_as(FARMER_ID).await;
    app.get("/lang/en?next=/farm").await;
    let farm = app.get("/farm").await;
    assert_eq!(farm.h1(), "My farm");
    assert!(farm.body.contains("12 rai 2 ngan 0 sq. wa"));
    assert!(farm.body.contains("Title deed (Chanote, Nor Sor 4)"));
    assert!(farm.body.contains("Mueang Surin District, Surin"));
}

async fn officer_finds_households_of_the_area_by_name_national_id_or_registry_number(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    app.login_as(OFFICER_SURIN).await;
    let all = app.get("/officer/households").await;
    assert_eq!(all.status, 200);
    assert!(
        all.body.contains("สุรินทร์"),
        "the page names the officer's area"
    );
    let rows = all.texts("tbody tr td:first-child");
    assert_eq!(rows.len(), 20, "the first page");
    assert!(
        rows.iter().all(|r| r.starts_with("32")),
        "only Surin households: {rows:?}"
    );

    let by_name = app.get("/officer/households?q=สมชาย%20ใจดี").await;
    assert!(by_name
        .texts("tbody td")
        .iter()
        .any(|t| t.contains("นายสมชาย ใจดี")));
    let by_id = app.get("/officer/households?q=3-1001-00000-01-4").await;
    assert_eq!(
        by_id.texts("tbody tr td:first-child"),
        [kaset::db::seed::DEMO_FARMER_REGISTRY]
    );
    let by_registry = app.get("/officer/households?q=320101000002").await;
    assert_eq!(
        by_registry.texts("tbody tr td:first-child"),
        ["320101000002"]
    );

    // The Buri Ram officer finds nobody from Surin, even by exact ID.
    app.logout().await;
    app.login_as(OFFICER_BURIRAM).await;
    let other_area = app.get("/officer/households?q=3100100000014").await;
    assert!(other_area.texts("tbody tr").is_empty());
}

async fn officer_cannot_open_a_household_outside_the_area(backend: Backend) {
    let app = spawn_app(backend).await;
    let (household, plot) = demo_household(&app);
    app.login_as(OFFICER_BURIRAM).await;
    for path in [
        format!("/officer/households/{household}"),
        format!("/officer/households/{household}/plots/{plot}/edit"),
        format!("/officer/households/{household}/livestock"),
    ] {
        assert_eq!(app.get(&path).await.status, 404, "{path}");
    }
    let token = app.get("/officer/households").await.csrf_token();
    let post = app
        .post_raw(
            &format!("/officer/households/{household}/livestock"),
            &[("csrf_token", &token), ("cattle", "99")],
        )
        .await;
    assert_eq!(post.status, 404);
    assert!(audit_entries(&app, household).is_empty(), "nothing changed");

    app.logout().await;
    app.login_as(OFFICER_SURIN).await;
    assert_eq!(
        app.get(&format!("/officer/households/{household}"))
            .await
            .status,
        200
    );
}

async fn farmer_cannot_reach_staff_pages_and_staff_cannot_reach_my_farm(backend: Backend) {
    let app = spawn_app(backend).await;
    let (household, _) = demo_household(&app);
    app.login_as(FARMER_ID).await;
    for path in [
        "/officer/households",
        &format!("/officer/households/{household}"),
        "/admin/users",
    ] {
        assert_eq!(app.get(path).await.status, 404, "{path}");
    }
    app.logout().await;
    app.login_as(OFFICER_SURIN).await;
    assert_eq!(app.get("/farm").await.status, 404);
    assert_eq!(app.get("/admin/users").await.status, 404);
}

async fn officer_edits_a_plot_and_the_change_is_audited_with_old_and_new_values(backend: Backend) {
    let app = spawn_app(backend).await;
    let (household, plot) = demo_household(&app);
    app.login_as(OFFICER_SURIN).await;
    let edit = format!("/officer/households/{household}/plots/{plot}/edit");
    let form = app.get(&edit).await;
    assert_eq!(form.input_value("rai").as_deref(), Some("12"));
    resize_the_rice_field(&app, household, plot, ("15", "1", "20")).await;
    let entries = audit_entries(&app, household);
    assert_eq!(entries.len(), 1, "only the area changed: {entries:?}");
    let (action, entity, field, old, new, actor) = &entries[0];
    assert_eq!(
        (action.as_str(), entity.as_str(), field.as_deref()),
        ("update", "plot", Some("area_sq_wa"))
    );
    assert_eq!(old.as_deref(), Some("5000"));
    assert_eq!(new.as_deref(), Some("6120"));
    assert!(actor.is_some());

    // The farmer sees the new area, and the household page shows the history.
    let page = app.get(&format!("/officer/households/{household}")).await;
    assert!(page.body.contains("15 ไร่ 1 งาน 20 ตารางวา"));
    assert!(
        page.body
            .contains("แก้ไข แปลง · เนื้อที่ (ตารางวา): 5000 → 6120"),
        "the history is in words"
    );
    // Every look at the household is audited too, but many looks do not push the changes out
    // of the history (which shows the last 30 changes).
    for _ in 0..31 {
        app.get(&format!("/officer/households/{household}")).await;
    }
    let page = app.get(&format!("/officer/households/{household}")).await;
    assert!(
        page.body.contains("5000 → 6120"),
        "the change is still in the history"
    );
}

async fn officer_adds_a_crop_and_sets_livestock_with_audit_entries(backend: Backend, clock: Clock) {
    let app = spawn_app_on(backend, clock).await;
    let (household, plot) = demo_household(&app);
    app.login_as(OFFICER_SURIN).await;
    let new_crop = format!("/officer/households/{household}/plots/{plot}/plantings/new");
    let added = app
        .submit(
            &new_crop,
            &format!("/officer/households/{household}/plots/{plot}/plantings"),
            &[
                ("crop", "rice"),
                ("season", "off"),
                // Thai digits are read like the others.
                ("season_year", "๒๕๖๘"),
                ("rai", "10"),
                ("ngan", ""),
                ("wa", ""),
                ("planted_on", "2026-01-15"),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let livestock = format!("/officer/households/{household}/livestock");
    let form = app.get(&livestock).await;
    assert_eq!(form.input_value("cattle").as_deref(), Some("4"));
    // A count out of range says what the range is, and keeps what was typed.
    let too_many = app
        .submit(
            &livestock,
            &livestock,
            &[("cattle", "๖"), ("chicken", "2000000")],
        )
        .await;
    assert_eq!(too_many.status, 422);
    assert!(
        too_many
            .texts(".field-error")
            .join(" ")
            .contains("0 ถึง 1,000,000"),
        "{}",
        too_many.body
    );
    assert_eq!(too_many.input_value("chicken").as_deref(), Some("2000000"));
    let set = app
        .submit(
            &livestock,
            &livestock,
            &[
                ("cattle", "๖"),
                ("buffalo", "2"),
                ("pig", "0"),
                ("chicken", "20"),
                ("duck", ""),
                ("goat", "0"),
            ],
        )
        .await;
    assert_eq!(set.status, 303, "{}", set.body);
    let entries = audit_entries(&app, household);
    assert!(entries.iter().any(|e| e.1 == "planting"
        && e.2.as_deref() == Some("season")
        && e.4.as_deref() == Some("off")));
    let cattle = entries
        .iter()
        .find(|e| e.1 == "livestock" && e.0 == "update" && e.3.as_deref() == Some("4"))
        .expect("cattle change");
    assert_eq!(cattle.4.as_deref(), Some("6"));
    assert!(
        entries.iter().any(|e| e.1 == "livestock"
            && e.3.as_deref() == Some("0")
            && e.4.as_deref() == Some("2")),
        "buffalo added"
    );
    assert!(
        !entries
            .iter()
            .any(|e| e.1 == "livestock" && e.3.as_deref() == Some("20")),
        "unchanged chickens are not audited"
    );

    app.logout().await;
    app.login_as(FARMER_ID).await;
    let farm = app.get("/farm").await;
    assert!(farm.body.contains("นาปรัง 2568/69"));
    assert!(farm.body.contains("โคเนื้อ: 6"));
    assert!(farm.body.contains("กระบือ: 2"));
}

async fn invalid_plot_edit_keeps_the_input_and_saves_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let (household, plot) = demo_household(&app);
    app.login_as(OFFICER_SURIN).await;
    let edit = format!("/officer/households/{household}/plots/{plot}/edit");
    let page = app
        .submit(
            &edit,
            &format!("/officer/households/{household}/plots/{plot}"),
            &[
                ("label", "แปลงใหม่"),
                ("rai", "3"),
                ("ngan", "5"),
                ("wa", "0"),
                ("land_document", "stolen"),
                ("tenure", "owned"),
                ("tambon_code", "310101"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    let errors = page.texts(".field-error");
    assert!(
        errors.iter().any(|e| e.contains("งานต้องอยู่ระหว่าง 0 ถึง 3")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("เลือกจากรายการ")),
        "{errors:?}"
    );
    assert_eq!(
        errors.len(),
        3,
        "area, document and a tambon outside the amphoe: {errors:?}"
    );
    assert_eq!(page.input_value("label").as_deref(), Some("แปลงใหม่"));
    assert_eq!(page.input_value("ngan").as_deref(), Some("5"));
    assert!(audit_entries(&app, household).is_empty());

    let crop = app
        .submit(
            &format!("/officer/households/{household}/plots/{plot}/plantings/new"),
            &format!("/officer/households/{household}/plots/{plot}/plantings"),
            &[
                ("crop", "rice"),
                ("season", "main"),
                ("season_year", "68"),
                ("rai", "99"),
            ],
        )
        .await;
    assert_eq!(crop.status, 422);
    let errors = crop.texts(".field-error");
    assert!(
        errors.iter().any(|e| e.contains("มากกว่าเนื้อที่ของแปลง")),
        "{errors:?}"
    );
    assert!(errors.iter().any(|e| e.contains("พ.ศ.")), "{errors:?}");
}

async fn an_officer_prints_the_households_of_a_tambon_that_have_not_claimed_what_they_can(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    app.login_as(OFFICER_SURIN).await;
    let soil = "/officer/outreach?programme=ldd-soil-analysis&tambon=320101";
    let list = app.get(soil).await;
    assert_eq!(list.status, 200);
    let rows = list.texts("table.outreach tbody tr").join(" | ");
    assert!(
        rows.contains("สมชาย ใจดี"),
        "the demo farmer has not applied: {rows}"
    );
    assert!(list
        .texts(".outreach-tambon h2")
        .join("")
        .contains("ในเมือง"));

    // The CSV holds the same households, readable by spreadsheet programs.
    let csv = app
        .client
        .get(app.url("/officer/outreach.csv?programme=ldd-soil-analysis&tambon=320101"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status().as_u16(), 200);
    let bytes = csv.bytes().await.unwrap();
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.starts_with("ตำบล,หมู่ที่,บ้านเลขที่"), "{text}");
    assert!(text.contains("สมชาย ใจดี"));
    assert_eq!(
        text.lines().count() - 1,
        list.texts("table.outreach tbody tr").len(),
        "one line per listed household"
    );

    // A mistyped tambon is named, and what was typed kept.
    let wrong = app.get("/officer/outreach?tambon=3201x").await;
    assert_eq!(wrong.status, 422);
    assert_eq!(wrong.input_value("tambon").as_deref(), Some("3201x"));
    app.logout().await;

    // Once the farmer applies, the household is no longer on the list for it.
    app.login_as(FARMER_ID).await;
    let draft = crate::applications::start(&app, "ldd-soil-analysis").await;
    crate::applications::submit_relief(&app, &draft).await;
    app.logout().await;
    app.login_as(OFFICER_SURIN).await;
    let after = app
        .get(soil)
        .await
        .texts("table.outreach tbody tr")
        .join(" | ");
    assert!(!after.contains("สมชาย ใจดี"), "{after}");
    let audited: i64 = {
        use kaset::db::schema::audit_log;
        audit_log::table
            .filter(audit_log::entity.eq("outreach_list"))
            .count()
            .get_result(&mut *app.db())
            .unwrap()
    };
    assert!(audited >= 3, "each list is audited ({audited})");
}

async fn rice_reported_after_the_round_closed_misses_it_though_the_household_joined_years_before(
    backend: Backend,
) {
    // 10 December 2024, in the 2024/25 round of rice support, which closed for rice reported
    // after 31 October 2024 (outside the South). The demo household joined the registry long
    // before; its rice was reported in July.
    let day = chrono::NaiveDate::from_ymd_opt(2024, 12, 10).unwrap();
    let nine = chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap();
    let app = spawn_app_on(backend, Clock::starting_at_thai(day, nine)).await;
    let household = crate::support::demo_household_id(&app);
    // Both of its main-season rice fields, the one behind the house first.
    let rice: Vec<(i32, i32)> = {
        use kaset::db::schema::{plantings, plots};
        plantings::table
            .inner_join(plots::table)
            .filter(plots::household_id.eq(household))
            .filter(plantings::crop.eq("rice"))
            .filter(plantings::season.eq("main"))
            .order(plantings::id)
            .select((plots::id, plantings::id))
            .load(&mut *app.db())
            .unwrap()
    };
    assert_eq!(rice.len(), 2, "{rice:?}");
    app.login_as(OFFICER_SURIN).await;
    let rice_support =
        |page: &crate::support::Page| page.texts("#programme-rice-support-2567").join("");
    let household_page = format!("/officer/households/{household}");
    let before = app.get(&household_page).await;
    assert!(rice_support(&before).contains("ทันรอบนี้"), "{}", before.body);

    // The paper reports in the office are dated 20 November: the officer types them in.
    for (plot, planting) in &rice {
        let edit = format!("/officer/households/{household}/plots/{plot}/plantings/{planting}");
        let form = app.get(&format!("{edit}/edit")).await;
        let kept = |name: &str| form.input_value(name).unwrap_or_default();
        assert_eq!(
            kept("registered_on").len(),
            10,
            "the seeded report day is shown"
        );
        let fields: Vec<(String, String)> = [
            ("crop", "rice".to_owned()),
            ("season", "main".to_owned()),
            ("season_year", kept("season_year")),
            ("rai", kept("rai")),
            ("ngan", kept("ngan")),
            ("wa", kept("wa")),
            ("planted_on", kept("planted_on")),
            ("registered_on", "2024-11-20".to_owned()),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect();
        let saved = app
            .submit(
                &format!("{edit}/edit"),
                &edit,
                &crate::support::as_fields(&fields),
            )
            .await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        if *planting == rice[0].1 {
            // One field reported in time is enough for the household to be on the list.
            let between = app.get(&household_page).await;
            assert!(
                rice_support(&between).contains("ทันรอบนี้"),
                "{}",
                between.body
            );
        }
    }
    let entries = audit_entries(&app, household);
    assert!(entries.iter().any(|e| e.1 == "planting"
        && e.2.as_deref() == Some("registered_on")
        && e.3.as_deref().is_some_and(|old| old < "2024-10-31")
        && e.4.as_deref() == Some("2024-11-20")));

    // Re-decided from the crop's report day, not the household's: the round was missed, and
    // the line says when the rice was reported.
    let after = app.get(&household_page).await;
    assert!(
        rice_support(&after).contains("แจ้งปลูกข้าวนาปีในทะเบียนเมื่อ 20 พฤศจิกายน 2567"),
        "{}",
        rice_support(&after)
    );
    assert!(after.body.contains("แจ้งปลูกเมื่อ 20 พฤศจิกายน 2567"));

    // A report day in the future is refused, naming the field and keeping what was typed.
    let (plot, planting) = rice[0];
    let edit = format!("/officer/households/{household}/plots/{plot}/plantings/{planting}");
    let future = app
        .submit(
            &format!("{edit}/edit"),
            &edit,
            &[
                ("crop", "rice"),
                ("season", "main"),
                ("season_year", "2567"),
                ("rai", "12"),
                ("ngan", "2"),
                ("wa", "0"),
                ("planted_on", ""),
                ("registered_on", "2025-01-05"),
            ],
        )
        .await;
    assert_eq!(future.status, 422);
    assert_eq!(
        future.texts("#registered_on-error").len(),
        1,
        "{}",
        future.body
    );
    assert_eq!(
        future.input_value("registered_on").as_deref(),
        Some("2025-01-05")
    );
}
