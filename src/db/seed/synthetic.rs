//! Large, realistic registries for benchmarks: `kaset seed-synthetic --households N` adds N
//! households spread over every tambon of Thailand, written many rows per statement.

use super::names;
use crate::db::schema::{households, livestock, members, memberships, plantings, plots, tambons};
use crate::db::DbConn;
use crate::domain::{Crop, LandDocument, MembershipKind, NationalId, Season, Species, Tenure};
use crate::on_backend;
use chrono::NaiveDate;
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Households written per transaction.
const CHUNK: usize = 1000;
/// Synthetic registry numbers and national IDs start here, far from the demo's.
const REGISTRY_BASE: i64 = 900_000_000_000;

/// Adds `count` households (with members, plots, crops, livestock and memberships); returns
/// how many rows were written.
pub fn seed_synthetic(
    conn: &mut DbConn,
    count: usize,
    seed: u64,
    clock: &crate::domain::Clock,
) -> anyhow::Result<usize> {
    let tambon_codes: Vec<String> = tambons::table
        .select(tambons::code)
        .order(tambons::code)
        .load(conn)?;
    anyhow::ensure!(
        !tambon_codes.is_empty(),
        "load the geography first (kaset seed-demo)"
    );
    let mut rng = StdRng::seed_from_u64(seed);
    let crop_year = i32::try_from(crate::rules::facts::crop_year(clock.today())).unwrap_or(2568);
    let mut written = 0;
    let mut done = 0;
    while done < count {
        let n = CHUNK.min(count - done);
        written += conn.transaction(|conn| {
            write_chunk(conn, &mut rng, &tambon_codes, n, crop_year, clock.now())
        })?;
        done += n;
    }
    reset_sequences(conn)?;
    // Fresh statistics, or PostgreSQL's planner scans whole tables for the batch's look-ups
    // (a rerun over a million households took 227 s before and 27 s after).
    diesel::sql_query("ANALYZE").execute(conn)?;
    Ok(written)
}

fn next_id(conn: &mut DbConn, table: &str) -> QueryResult<i32> {
    #[derive(QueryableByName)]
    struct Max {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        next: i32,
    }
    let row: Max = diesel::sql_query(format!(
        "SELECT COALESCE(MAX(id), 0) + 1 AS next FROM {table}"
    ))
    .get_result(conn)?;
    Ok(row.next)
}

/// PostgreSQL's id sequences must continue after the ids written here.
fn reset_sequences(conn: &mut DbConn) -> QueryResult<()> {
    if let DbConn::Pg(_) = conn {
        for table in ["households", "plots"] {
            diesel::sql_query(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            ))
            .execute(conn)?;
        }
    }
    Ok(())
}

fn national_id(number: i64) -> String {
    let digits = format!("5{:011}", number % 100_000_000_000);
    (0..10)
        .map(|check| format!("{digits}{check}"))
        .find(|id| NationalId::parse(id).is_ok())
        .unwrap_or_default()
}

fn date(rng: &mut StdRng, years: std::ops::RangeInclusive<i32>) -> NaiveDate {
    NaiveDate::from_ymd_opt(
        rng.gen_range(years),
        rng.gen_range(1..=12),
        rng.gen_range(1..=28),
    )
    .unwrap_or_default()
}

fn write_chunk(
    conn: &mut DbConn,
    rng: &mut StdRng,
    tambon_codes: &[String],
    n: usize,
    crop_year: i32,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<usize> {
    let first_household = next_id(conn, "households")?;
    let mut first_plot = next_id(conn, "plots")?;
    let mut household_rows = Vec::with_capacity(n);
    let mut member_rows = Vec::new();
    let mut plot_rows = Vec::new();
    let mut planting_rows = Vec::new();
    let mut livestock_rows = Vec::new();
    let mut membership_rows = Vec::new();
    for i in 0..n {
        let id = first_household + i as i32;
        let tambon = tambon_codes[rng.gen_range(0..tambon_codes.len())].clone();
        household_rows.push((
            households::id.eq(id),
            households::registry_number.eq(format!("{}", REGISTRY_BASE + i64::from(id))),
            households::amphoe_code.eq(tambon[..4].to_owned()),
            households::province_code.eq(tambon[..2].to_owned()),
            households::tambon_code.eq(tambon.clone()),
            households::village_no.eq(rng.gen_range(1..=20)),
            households::house_no.eq(rng.gen_range(1..=300).to_string()),
            households::registered_on.eq(date(rng, 2005..=2024)),
            households::created_at.eq(now),
            households::updated_at.eq(now),
        ));
        let surname = names::SURNAMES[rng.gen_range(0..names::SURNAMES.len())];
        for k in 0..rng.gen_range(1..=4) {
            let male = rng.gen_bool(0.5);
            let given = if male {
                names::MALE_GIVEN_NAMES
            } else {
                names::FEMALE_GIVEN_NAMES
            };
            member_rows.push((
                members::household_id.eq(id),
                members::national_id.eq(national_id(i64::from(id) * 4 + k)),
                members::title.eq(if male { "นาย" } else { "นาง" }),
                members::first_name.eq(given[rng.gen_range(0..given.len())]),
                members::last_name.eq(surname),
                members::birth_date.eq(date(rng, if k == 0 { 1950..=1995 } else { 1960..=2010 })),
                members::relation.eq(if k == 0 { "head" } else { "child" }),
                members::is_head.eq(k == 0),
                members::phone.eq(None::<String>),
            ));
        }
        for index in 0..rng.gen_range(1..=3) {
            let plot_id = first_plot;
            first_plot += 1;
            let area = rng.gen_range(800..=16_000);
            let document = LandDocument::ALL[rng.gen_range(0..LandDocument::ALL.len())];
            let irrigated = rng.gen_bool(0.35);
            plot_rows.push((
                plots::id.eq(plot_id),
                plots::household_id.eq(id),
                plots::label.eq(format!("แปลงที่ {}", index + 1)),
                plots::tambon_code.eq(tambon.clone()),
                plots::area_sq_wa.eq(area),
                plots::land_document.eq(rng.gen_bool(0.92).then(|| document.code())),
                plots::tenure.eq(if rng.gen_bool(0.8) {
                    Tenure::Owned
                } else {
                    Tenure::Rented
                }
                .code()),
                plots::irrigated.eq(irrigated),
                plots::updated_at.eq(now),
            ));
            let crop = Crop::ALL[rng.gen_range(0..Crop::ALL.len())];
            let season = if matches!(crop, Crop::Rubber | Crop::Fruit) {
                Season::Perennial
            } else {
                Season::Main
            };
            planting_rows.push((
                plantings::plot_id.eq(plot_id),
                plantings::crop.eq(crop.code()),
                plantings::season_year.eq(crop_year),
                plantings::season.eq(season.code()),
                plantings::area_sq_wa.eq(rng.gen_range(area / 2..=area)),
                plantings::planted_on.eq(None::<NaiveDate>),
                plantings::registered_on.eq(None::<NaiveDate>),
                plantings::updated_at.eq(now),
            ));
        }
        if rng.gen_bool(0.5) {
            let species = Species::ALL[rng.gen_range(0..Species::ALL.len())];
            livestock_rows.push((
                livestock::household_id.eq(id),
                livestock::species.eq(species.code()),
                livestock::head_count.eq(rng.gen_range(1..=30)),
                livestock::updated_at.eq(now),
            ));
        }
        if rng.gen_bool(0.6) {
            membership_rows.push((
                memberships::household_id.eq(id),
                memberships::kind.eq(MembershipKind::Baac.code()),
                memberships::organisation.eq("ธ.ก.ส."),
                memberships::member_number.eq(None::<String>),
                memberships::since.eq(None::<NaiveDate>),
            ));
        }
    }
    // Rows per statement kept well under the bound-parameter limits (SQLite 32,766).
    for chunk in household_rows.chunks(300) {
        on_backend!(conn, c => diesel::insert_into(households::table).values(chunk).execute(c))?;
    }
    for chunk in member_rows.chunks(300) {
        on_backend!(conn, c => diesel::insert_into(members::table).values(chunk).execute(c))?;
    }
    for chunk in plot_rows.chunks(300) {
        on_backend!(conn, c => diesel::insert_into(plots::table).values(chunk).execute(c))?;
    }
    for chunk in planting_rows.chunks(300) {
        on_backend!(conn, c => diesel::insert_into(plantings::table).values(chunk).execute(c))?;
    }
    for chunk in livestock_rows.chunks(300) {
        on_backend!(conn, c => diesel::insert_into(livestock::table).values(chunk).execute(c))?;
    }
    for chunk in membership_rows.chunks(300) {
        on_backend!(conn, c => diesel::insert_into(memberships::table).values(chunk).execute(c))?;
    }
    Ok(household_rows.len()
        + member_rows.len()
        + plot_rows.len()
        + planting_rows.len()
        + livestock_rows.len()
        + membership_rows.len())
}
