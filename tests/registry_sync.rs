//! The national registry's changes reach Kaset on their own: page by page, through late pages,
//! server errors, broken JSON and interruptions, with nothing lost or applied twice; a bad
//! record waits for an officer instead of stopping the rest.

use crate::support::registry::{household, national_id, FakeRegistry, Fault};
use crate::support::{
    declare_flood, rules_dir, spawn_app, spawn_app_on, Backend, TestApp, FARMER_EMAIL,
    OFFICER_SURIN,
};
use crate::{on_both_databases, on_chosen_days};
use diesel::prelude::*;
use kaset::config::RegistrySyncSettings;
use kaset::domain::Clock;
use kaset::jobs::registry_sync::{sync, SyncContext, SyncError};
use serde_json::{json, Value};
use std::time::Duration;

on_chosen_days!(registry_changes_arrive_page_by_page_and_bad_records_wait_for_an_officer,);

on_both_databases!(an_interrupted_sync_resumes_where_it_stopped_without_loss_or_duplication,);

fn settings(url: &str) -> RegistrySyncSettings {
    RegistrySyncSettings {
        url: Some(url.to_owned()),
        token: Some("registry-token".to_owned()),
        every_secs: 3600,
        page_size: 100,
        timeout_secs: 1,
        tries: 3,
        backoff_ms: 50,
    }
}

fn context(app: &TestApp) -> SyncContext {
    SyncContext {
        pool: kaset::db::connect(&app.database_url, 2).expect("pool"),
        rules: std::sync::Arc::new(kaset::app::load_rules(&rules_dir()).expect("rules")),
        notify: kaset::services::entitlements::Notify {
            enabled: true,
            public_url: app.base.clone(),
        },
        clock: app.clock,
    }
}

fn synced_households(app: &TestApp) -> i64 {
    use kaset::db::schema::households;
    households::table
        .filter(households::registry_number.like("3201019%"))
        .count()
        .get_result(&mut *app.db())
        .unwrap()
}

fn synced_members(app: &TestApp) -> i64 {
    use kaset::db::schema::{households, members};
    members::table
        .inner_join(households::table)
        .filter(households::registry_number.like("3201019%"))
        .count()
        .get_result(&mut *app.db())
        .unwrap()
}

/// The demo farmer's household as the registry would send it: what Kaset holds already.
fn demo_farmer_record(app: &TestApp) -> Value {
    use kaset::db::schema::households;
    let mut conn = app.db();
    let id: i32 = households::table
        .filter(households::registry_number.eq(kaset::db::seed::DEMO_FARMER_REGISTRY))
        .select(households::id)
        .first(&mut *conn)
        .unwrap();
    let farm = kaset::db::registry::load_farm(&mut conn, id).unwrap();
    json!({
        "registry_number": farm.household.registry_number,
        "tambon_code": farm.household.tambon_code,
        "village_no": farm.household.village_no,
        "house_no": farm.household.house_no,
        "registered_on": farm.household.registered_on,
        "members": farm.members.iter().map(|m| json!({
            "national_id": m.national_id, "title": m.title, "first_name": m.first_name,
            "last_name": m.last_name, "birth_date": m.birth_date, "relation": m.relation,
            "phone": m.phone,
        })).collect::<Vec<_>>(),
        "plots": farm.plots.iter().map(|(p, plantings)| json!({
            "label": p.label, "tambon_code": p.tambon_code, "area_sq_wa": p.area_sq_wa,
            "land_document": p.land_document, "tenure": p.tenure, "irrigated": p.irrigated,
            "plantings": plantings.iter().map(|pl| json!({
                "crop": pl.crop, "season_year": pl.season_year, "season": pl.season,
                "area_sq_wa": pl.area_sq_wa, "planted_on": pl.planted_on,
                "registered_on": pl.registered_on,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "livestock": farm.livestock.iter().map(|l| json!({
            "species": l.species, "head_count": l.head_count,
        })).collect::<Vec<_>>(),
    })
}

async fn registry_changes_arrive_page_by_page_and_bad_records_wait_for_an_officer(
    backend: Backend,
    clock: Clock,
) {
    let app = spawn_app_on(backend, clock).await;
    // Declared straight into the database: only the sync's re-decision will notice it.
    declare_flood(&app);

    let mut bad_checksum = household(4);
    bad_checksum["members"][0]["national_id"] = json!("3100100000015");
    let mut unknown_tambon = household(7);
    unknown_tambon["tambon_code"] = json!("329999");
    let mut negative_area = household(8);
    negative_area["plots"][0]["area_sq_wa"] = json!(-800);
    let wrong_shape =
        json!({"registry_number": "320101900009", "tambon_code": "320101", "members": "none"});
    let registry = FakeRegistry::start(vec![
        vec![household(1), household(2), household(3), bad_checksum],
        vec![
            household(5),
            unknown_tambon,
            negative_area,
            wrong_shape,
            household(6),
        ],
        vec![demo_farmer_record(&app)],
    ]);
    // The first page comes late, the second fails once, the third is broken once.
    registry.fail_next(vec![
        Some(Fault::Slow(Duration::from_secs(3))),
        None,
        Some(Fault::ServerError),
        None,
        Some(Fault::MalformedJson),
    ]);

    let report = sync(&context(&app), &settings(&registry.url))
        .await
        .expect("the sync gets through");
    assert_eq!(
        (report.pages, report.households, report.refused),
        (3, 6, 4),
        "{report:?}"
    );
    // New households qualify for programmes, and the farmer for flood relief (told below).
    assert!(report.newly_eligible > 1, "{report:?}");
    let since = registry.requests();
    assert_eq!(
        since,
        vec![
            None,
            None,
            Some("p1".into()),
            Some("p1".into()),
            Some("p2".into()),
            Some("p2".into())
        ],
        "each failed page is asked for again from the same cursor"
    );
    assert_eq!(synced_households(&app), 5);

    // The synced households were decided by the rules engine.
    let decided: i64 = {
        use kaset::db::schema::{entitlements, households};
        entitlements::table
            .inner_join(households::table)
            .filter(households::registry_number.like("3201019%"))
            .count()
            .get_result(&mut *app.db())
            .unwrap()
    };
    assert!(decided >= 5, "{decided}");
    // The day each crop was reported comes with it.
    let reported: Vec<Option<chrono::NaiveDate>> = {
        use kaset::db::schema::{households, plantings, plots};
        plantings::table
            .inner_join(plots::table.inner_join(households::table))
            .filter(households::registry_number.like("3201019%"))
            .select(plantings::registered_on)
            .load(&mut *app.db())
            .unwrap()
    };
    assert_eq!(reported.len(), 5);
    assert!(
        reported
            .iter()
            .all(|day| day.map(|d| d.to_string()).as_deref() == Some("2026-06-20")),
        "{reported:?}"
    );
    // The demo farmer's re-decided household now qualifies for flood relief, and is told.
    let mail = app.smtp.wait_for(FARMER_EMAIL).await;
    assert!(
        mail.text().contains("ภัย") || mail.text().contains("flood"),
        "{}",
        mail.text()
    );

    // The refused records wait for Surin's officer, each with where and why.
    app.login_as(OFFICER_SURIN).await;
    let review = app.get("/officer/registry-rejects").await;
    assert_eq!(review.status, 200);
    let problems = review.texts(".reject .problem").join(" | ");
    assert_eq!(review.texts(".reject").len(), 4, "{problems}");
    for expected in ["ตรวจสอบ", "ไม่มีตำบล", "มากกว่าศูนย์", "รูปแบบ"]
    {
        assert!(problems.contains(expected), "{expected} in {problems}");
    }
    assert!(review.body.contains("members[0].national_id"));
    assert!(review.body.contains("plots[0].area_sq_wa"));
    // Marked reviewed once corrected at the source: off the list.
    let token = review.csrf_token();
    let first_id: i32 = {
        use kaset::db::schema::registry_rejects;
        registry_rejects::table
            .select(registry_rejects::id)
            .order(registry_rejects::id)
            .first(&mut *app.db())
            .unwrap()
    };
    let done = app
        .post_raw(
            &format!("/officer/registry-rejects/{first_id}/reviewed"),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(
        app.get("/officer/registry-rejects")
            .await
            .texts(".reject")
            .len(),
        3
    );

    // Plain HTTP to another machine is refused before anything is sent.
    let insecure = sync(
        &context(&app),
        &settings("http://registry.example.org/changes"),
    )
    .await;
    assert!(
        matches!(insecure, Err(SyncError::Insecure(_))),
        "{insecure:?}"
    );
}

async fn an_interrupted_sync_resumes_where_it_stopped_without_loss_or_duplication(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let pages: Vec<Vec<Value>> = (0..3)
        .map(|p| (0..4).map(|i| household(100 + p * 4 + i)).collect())
        .collect();
    let registry = FakeRegistry::start(pages);
    // The registry goes down after the first page.
    registry.break_page(1);
    let cx = context(&app);
    let stopped = sync(&cx, &settings(&registry.url)).await;
    assert!(
        matches!(stopped, Err(SyncError::Unavailable { tries: 3, .. })),
        "{stopped:?}"
    );
    assert_eq!(synced_households(&app), 4, "the first page is kept");
    let cursor: String = {
        use kaset::db::schema::sync_cursors;
        sync_cursors::table
            .select(sync_cursors::cursor)
            .first(&mut *app.db())
            .unwrap()
    };
    assert_eq!(cursor, "p1", "saved with the page it follows");

    // Back up: the next run starts at the second page.
    registry.repair();
    let resumed = sync(&cx, &settings(&registry.url)).await.expect("resumes");
    assert_eq!((resumed.pages, resumed.households), (2, 8));
    assert_eq!(
        registry.requests().last().cloned().flatten().as_deref(),
        Some("p2")
    );
    assert_eq!(synced_households(&app), 12);
    assert_eq!(synced_members(&app), 12);

    // A page received twice (the cursor lost, everything sent again) changes nothing.
    {
        use kaset::db::schema::sync_cursors;
        diesel::delete(sync_cursors::table)
            .execute(&mut *app.db())
            .unwrap();
    }
    let again = sync(&cx, &settings(&registry.url)).await.expect("again");
    assert_eq!(again.households, 12);
    assert_eq!(synced_households(&app), 12);
    assert_eq!(synced_members(&app), 12);
    let plots: i64 = {
        use kaset::db::schema::{households, plots};
        plots::table
            .inner_join(households::table)
            .filter(households::registry_number.like("3201019%"))
            .count()
            .get_result(&mut *app.db())
            .unwrap()
    };
    assert_eq!(plots, 12);
    // A member who moved is in their new household only.
    let moved = national_id(900_000 + 100);
    let mut record = household(200);
    record["members"][0]["national_id"] = json!(moved);
    let registry2 = FakeRegistry::start(vec![vec![record]]);
    {
        use kaset::db::schema::sync_cursors;
        diesel::delete(sync_cursors::table)
            .execute(&mut *app.db())
            .unwrap();
    }
    sync(&cx, &settings(&registry2.url)).await.expect("moves");
    let homes: i64 = {
        use kaset::db::schema::members;
        members::table
            .filter(members::national_id.eq(&moved))
            .count()
            .get_result(&mut *app.db())
            .unwrap()
    };
    assert_eq!(homes, 1);
}
