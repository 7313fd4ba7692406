//! Load benchmark: the managers' satisfaction dashboard over many ratings. Starts the release
//! server on a fresh demo database, adds N ended cases with a rating each (spread over the
//! last twelve months, the demo's programmes, areas and officers), then times the dashboard
//! page for the national manager: median and worst of 15 loads over HTTP on 127.0.0.1.
//!
//!   cargo build --release && cargo bench --bench dashboard -- [ratings]
//!
//! Default 1,000,000. SQLite in a temporary directory, or BENCH_DATABASE_URL (an empty
//! PostgreSQL database).

mod support;

use diesel::prelude::*;
use kaset::db::schema::{applications, households, ratings, users};
use std::time::Instant;
use support::{wait_until_up, Workspace};

const PORT: u16 = 18092;
const LOADS: usize = 15;
const PROGRAMMES: [&str; 4] = [
    "ldd-soil-analysis",
    "livestock-vaccination",
    "smart-farmer",
    "gap-certification",
];

fn main() -> anyhow::Result<()> {
    let count: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let work = Workspace::new()?;
    let database_url = work.database_url.clone();
    let start_server = || work.start_server(PORT);
    let runtime = tokio::runtime::Runtime::new()?;
    let base = format!("http://127.0.0.1:{PORT}");
    // First start: migrations and the demo seed; then the ratings are added with the server down.
    let server = start_server()?;
    runtime.block_on(wait_until_up(&base, 600))?;
    drop(server);

    let pool = kaset::db::connect(&database_url, 1)?;
    let mut conn = pool.get()?;
    let started = Instant::now();
    add_ratings(&mut conn, count)?;
    // Loaded in bulk, past `save`: the monthly counts are made in one pass.
    kaset::db::ratings::rebuild_counts(&mut conn)?;
    println!(
        "{count} rated cases added in {:.1} s ({})",
        started.elapsed().as_secs_f64(),
        if database_url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    drop(conn);

    let _server = start_server()?;
    runtime.block_on(async {
        wait_until_up(&base, 600).await?;
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let login = client
            .get(format!("{base}/login"))
            .send()
            .await?
            .text()
            .await?;
        let token = login
            .split("name=\"csrf_token\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default()
            .to_owned();
        let signed_in = client
            .post(format!("{base}/login"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("login", kaset::db::seed::DEMO_MANAGER_EMAIL),
                ("password", kaset::db::seed::DEMO_PASSWORD),
            ])
            .send()
            .await?;
        anyhow::ensure!(signed_in.status() == 303, "manager login failed");
        let mut times = Vec::new();
        for _ in 0..LOADS {
            let began = Instant::now();
            let page = client
                .get(format!("{base}/manager/satisfaction"))
                .send()
                .await?;
            anyhow::ensure!(page.status().is_success(), "HTTP {}", page.status());
            let body = page.text().await?;
            times.push(began.elapsed());
            anyhow::ensure!(body.contains("id=\"ratings\""), "not the dashboard");
        }
        times.sort();
        println!(
            "dashboard over {count} ratings: median {:?}, worst {:?} ({LOADS} loads)",
            times[LOADS / 2],
            times[LOADS - 1]
        );
        Ok::<_, anyhow::Error>(())
    })
}

/// N ended cases, each rated, in chunks (cases first, then their ratings).
fn add_ratings(conn: &mut kaset::db::DbConn, count: usize) -> anyhow::Result<()> {
    let homes: Vec<(i32, String, String)> = households::table
        .select((
            households::id,
            households::province_code,
            households::amphoe_code,
        ))
        .load(conn)?;
    let farmer: i32 = users::table
        .filter(users::email.eq(kaset::db::seed::DEMO_FARMER_EMAIL))
        .select(users::id)
        .first(conn)?;
    let officers: Vec<i32> = users::table
        .filter(users::role.eq("officer"))
        .select(users::id)
        .load(conn)?;
    let now = kaset::domain::Clock::system().now();
    let mut state: u64 = 2569;
    let mut next = move |n: u64| {
        // xorshift: the same data set each run, no extra dependency.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    const CHUNK: usize = 1000;
    let mut done = 0;
    while done < count {
        let size = CHUNK.min(count - done);
        let mut cases = Vec::with_capacity(size);
        let mut picks = Vec::with_capacity(size);
        for i in 0..size {
            let home = &homes[next(homes.len() as u64) as usize];
            let when = now - chrono::Duration::minutes(next(360 * 24 * 60) as i64);
            let reference = format!("KS-BENCH-{:07}", done + i);
            picks.push((home.clone(), when, reference.clone()));
            cases.push((
                applications::reference.eq(Some(reference)),
                applications::household_id.eq(home.0),
                applications::applicant_id.eq(farmer),
                applications::programme_id.eq(PROGRAMMES[next(4) as usize]),
                // Withdrawn steps aside from the one-live-application rule, so any number fit.
                applications::status.eq("withdrawn"),
                applications::version.eq(2),
                applications::answers.eq("{}"),
                applications::appealed.eq(false),
                applications::created_at.eq(when),
                applications::updated_at.eq(when),
            ));
        }
        kaset::on_backend!(conn, c => diesel::insert_into(applications::table).values(&cases).execute(c))?;
        let first = format!("KS-BENCH-{:07}", done);
        let ids: Vec<(i32, String)> = applications::table
            .filter(applications::reference.ge(&first))
            .filter(applications::reference.like("KS-BENCH-%"))
            .order(applications::reference)
            .limit(size as i64)
            .select((applications::id, applications::reference.assume_not_null()))
            .load(conn)?;
        let mut rows = Vec::with_capacity(size);
        for ((id, _), ((_, province, amphoe), when, _)) in ids.iter().zip(&picks) {
            let satisfaction = 1 + next(5) as i32;
            let days = next(45) as i32;
            rows.push((
                ratings::application_id.eq(*id),
                ratings::user_id.eq(farmer),
                ratings::programme_id.eq(PROGRAMMES[next(4) as usize]),
                ratings::province_code.eq(province.clone()),
                ratings::amphoe_code.eq(amphoe.clone()),
                ratings::officer_id.eq(officers
                    .get(next(officers.len().max(1) as u64) as usize)
                    .copied()),
                ratings::satisfaction.eq(satisfaction),
                ratings::effort.eq((satisfaction + next(3) as i32 - 1).clamp(1, 5)),
                ratings::comment.eq(if satisfaction <= 2 {
                    "รอนานมาก เงินยังไม่เข้า"
                } else {
                    ""
                }),
                ratings::processing_days.eq(days),
                ratings::missed_deadline.eq(days > 21),
                ratings::created_at.eq(*when),
                ratings::updated_at.eq(*when),
            ));
        }
        kaset::on_backend!(conn, c => diesel::insert_into(ratings::table).values(&rows).execute(c))?;
        done += size;
    }
    Ok(())
}
