//! Anyone can download anonymised figures about Kaset's services, in CSV that Excel opens in
//! Thai and in JSON with the portal's metadata, and no figure rests on fewer than 5 households.

use crate::on_chosen_days;
use crate::support::{spawn_app_on, Backend, TestApp, FARMER_ID};
use diesel::prelude::*;
use kaset::domain::Clock;
use serde_json::Value;

on_chosen_days!(open_data_publishes_figures_and_withholds_those_of_fewer_than_five_households,);

const PROGRAMME: &str = "ldd-soil-analysis";

/// `count` households of a province, each with a submitted application this month.
fn applications_in(app: &TestApp, province: &str, count: i64) {
    use kaset::db::schema::{applications, households, users};
    let mut conn = app.db();
    let applicant: i32 = users::table
        .filter(users::national_id.eq(FARMER_ID))
        .select(users::id)
        .first(&mut *conn)
        .unwrap();
    let ids: Vec<i32> = households::table
        .filter(households::province_code.eq(province))
        .select(households::id)
        .order(households::id)
        .limit(count)
        .load(&mut *conn)
        .unwrap();
    assert_eq!(ids.len() as i64, count);
    let now = app.clock.now();
    for (i, household) in ids.into_iter().enumerate() {
        diesel::insert_into(applications::table)
            .values((
                applications::reference.eq(format!("KS-2569-8{province}{i:03}")),
                applications::household_id.eq(household),
                applications::applicant_id.eq(applicant),
                applications::programme_id.eq(PROGRAMME),
                applications::status.eq("submitted"),
                applications::version.eq(1),
                applications::answers.eq("{}"),
                applications::appealed.eq(false),
                applications::created_at.eq(now),
                applications::submitted_at.eq(Some(now)),
                applications::updated_at.eq(now),
            ))
            .execute(&mut *conn)
            .unwrap();
    }
}

/// No published count may rest on 1–4 households; all counts here are households or cases of
/// distinct households, so a count of 1–4 would be one.
fn assert_no_small_cells(rows: &[Value]) {
    for row in rows {
        for field in [
            "applications",
            "approvals",
            "ratings",
            "eligible_households",
            "applied_households",
        ] {
            if let Some(n) = row.get(field).and_then(Value::as_i64) {
                assert!(n == 0 || n >= 5, "{field} = {n} in {row}");
            }
        }
    }
}

async fn open_data_publishes_figures_and_withholds_those_of_fewer_than_five_households(
    backend: Backend,
    clock: Clock,
) {
    let app = spawn_app_on(backend, clock).await;
    applications_in(&app, "32", 6);
    applications_in(&app, "31", 2);
    kaset::services::open_data::refresh(&mut app.db(), app.clock.now()).expect("publish");
    let month = app.clock.today().format("%Y-%m").to_string();

    // CSV: a byte-order mark for Excel, Thai names, and an empty cell where a figure is withheld.
    let response = reqwest::get(app.url("/open-data/case-activity.csv"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let bytes = response.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let row = |province: &str| {
        records
            .iter()
            .find(|r| {
                r[column("province_code")] == *province
                    && r[column("month")] == month
                    && r[column("programme_id")] == *PROGRAMME
            })
            .unwrap_or_else(|| panic!("a row for {province}"))
            .clone()
    };
    let surin = row("32");
    assert_eq!(&surin[column("applications")], "6");
    assert_eq!(&surin[column("province_name_th")], "สุรินทร์");
    let buriram = row("31");
    assert_eq!(
        &buriram[column("applications")],
        "",
        "2 households: withheld"
    );

    // JSON: the same rows (null where withheld) with the portal's metadata.
    let json: Value = reqwest::get(app.url("/open-data/case-activity.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let meta = &json["metadata"];
    assert_eq!(meta["license_id"], "CC-BY-4.0");
    assert_eq!(meta["update_frequency"], "daily");
    assert!(meta["title"]["th"].as_str().unwrap().contains("คำขอ"));
    let fields: Vec<&str> = meta["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"satisfied_percent"));
    let rows = json["rows"].as_array().unwrap();
    let buriram = rows
        .iter()
        .find(|r| {
            r["province_code"] == "31"
                && r["month"] == month.as_str()
                && r["programme_id"] == PROGRAMME
        })
        .unwrap();
    assert!(buriram["applications"].is_null());
    assert_no_small_cells(rows);

    // Uptake: eligible households from the registry, never fewer than five shown.
    let uptake: Value = reqwest::get(app.url("/open-data/entitlement-uptake.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rows = uptake["rows"].as_array().unwrap();
    assert!(
        rows.iter()
            .any(|r| r["eligible_households"].as_i64() >= Some(5)),
        "{uptake}"
    );
    assert_no_small_cells(rows);

    // The page lists both; the DCAT catalogue describes both with their downloads.
    let page = app.get("/open-data").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.texts(".dataset h2").len(), 2);
    let catalog: Value = reqwest::get(app.url("/open-data/catalog.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(catalog["@type"], "dcat:Catalog");
    let datasets = catalog["dcat:dataset"].as_array().unwrap();
    assert_eq!(datasets.len(), 2);
    for d in datasets {
        assert_eq!(
            d["dct:accrualPeriodicity"],
            "http://purl.org/cld/freq/daily"
        );
        assert_eq!(d["dcat:distribution"].as_array().unwrap().len(), 2);
    }
    assert_eq!(app.get("/open-data/nothing.csv").await.status, 404);
}
