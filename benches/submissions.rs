//! Load benchmark: farmers submitting applications to a running release server, over HTTP on
//! 127.0.0.1, with everything a browser does (CSRF tokens, "Apply", the draft page, a multipart
//! submission) and each submission sent twice, as a double click would. Then it checks the
//! database: one application per submission, none lost, none duplicated.
//!
//!   cargo build --release && cargo bench --bench submissions -- [households] [clients]
//!
//! Defaults: 300 households, 8 concurrent clients. SQLite in a temporary directory, or the
//! database in BENCH_DATABASE_URL (an empty PostgreSQL database; it is seeded).

mod support;

use diesel::prelude::*;
use kaset::db::schema::{applications, members, plots, users};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{wait_until_up, Workspace};

const PASSWORD: &str = "bench-password-2026-kaset";
const PORT: u16 = 18091;
/// A programme every household with land can apply for, with no questions of its own.
const PROGRAMME: &str = "ldd-soil-analysis";

fn main() -> anyhow::Result<()> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let households = args.first().copied().unwrap_or(300);
    let clients = args.get(1).copied().unwrap_or(8);
    let work = Workspace::new()?;
    let database_url = work.database_url.clone();
    let server = work.start_server(PORT)?;
    let base = format!("http://127.0.0.1:{PORT}");
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(wait_until_up(&base, 300))?;

    // Farmer accounts for the household heads with land (one password hash serves them all).
    let pool = kaset::db::connect(&database_url, 2)?;
    let mut conn = pool.get()?;
    let hash = kaset::domain::Password::choose(PASSWORD, &[])
        .map_err(|e| anyhow::anyhow!("{e:?}"))?
        .hash();
    let heads: Vec<(i32, String)> = members::table
        .filter(members::is_head.eq(true))
        .filter(members::household_id.eq_any(plots::table.select(plots::household_id)))
        .filter(
            members::household_id.ne_all(
                users::table
                    .select(users::household_id.assume_not_null())
                    .filter(users::household_id.is_not_null()),
            ),
        )
        .select((members::household_id, members::national_id))
        .order(members::household_id)
        .limit(households as i64)
        .load(&mut conn)?;
    let now = kaset::domain::Clock::system().now();
    for (household, national_id) in &heads {
        kaset::db::users::insert(
            &mut conn,
            &kaset::db::users::NewUser {
                role: kaset::domain::Role::Farmer,
                email: None,
                national_id: Some(national_id),
                display_name: "bench",
                password_hash: &hash,
                household_id: Some(*household),
                scope_province_code: None,
                scope_amphoe_code: None,
                locale: "th",
                phone: None,
                created_at: now,
            },
        )?;
    }
    drop(conn);
    println!(
        "{} farmers, {clients} clients, {}",
        heads.len(),
        if database_url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );

    // The demo's year of history holds applications of its own: count only the new ones.
    let submitted = |conn: &mut kaset::db::DbConn| -> diesel::QueryResult<i64> {
        applications::table
            .filter(applications::reference.is_not_null())
            .filter(applications::programme_id.eq(PROGRAMME))
            .count()
            .get_result(conn)
    };
    let mut conn = pool.get()?;
    let before = submitted(&mut conn)?;
    let report = runtime.block_on(run(&base, heads, clients))?;
    let stored = submitted(&mut conn)? - before;
    let mut latencies = report.latencies.clone();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q) as usize];
    println!(
        "logins: {:.1} s; submissions: {} in {:.2} s = {:.0} per second (median {:?}, 99th {:?} per apply-and-submit)",
        report.login_secs,
        report.submitted,
        report.submit_secs,
        report.submitted as f64 / report.submit_secs,
        at(0.5),
        at(0.99),
    );
    println!(
        "errors: {}; double submissions answered with the same reference: {}/{}; applications stored: {stored}",
        report.errors, report.same_reference, report.submitted
    );
    drop(server);
    anyhow::ensure!(report.errors == 0, "{} requests failed", report.errors);
    anyhow::ensure!(
        stored as usize == report.submitted,
        "lost or duplicated applications"
    );
    anyhow::ensure!(
        report.same_reference == report.submitted,
        "a double submission made a second application"
    );
    Ok(())
}

#[derive(Default)]
struct Report {
    login_secs: f64,
    submit_secs: f64,
    submitted: usize,
    same_reference: usize,
    errors: usize,
    latencies: Vec<Duration>,
}

fn csrf(html: &str) -> String {
    let start = html
        .find("name=\"csrf_token\" value=\"")
        .map(|i| i + 25)
        .unwrap_or(0);
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn run(base: &str, heads: Vec<(i32, String)>, clients: usize) -> anyhow::Result<Report> {
    // Every farmer signs in first (argon2 is slow on purpose; it is not what is measured).
    let started = Instant::now();
    let queue = Arc::new(Mutex::new(heads));
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (queue, base) = (queue.clone(), base.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut signed_in = Vec::new();
            loop {
                let next = queue.lock().expect("queue").pop();
                let Some((_, national_id)) = next else { break };
                let browser = client();
                let page = browser
                    .get(format!("{base}/login"))
                    .send()
                    .await?
                    .text()
                    .await?;
                let response = browser
                    .post(format!("{base}/login"))
                    .form(&[
                        ("csrf_token", csrf(&page).as_str()),
                        ("login", &national_id),
                        ("password", PASSWORD),
                    ])
                    .send()
                    .await?;
                anyhow::ensure!(
                    response.status() == 303,
                    "login failed: {}",
                    response.status()
                );
                signed_in.push(browser);
            }
            Ok::<_, anyhow::Error>(signed_in)
        }));
    }
    let mut browsers = Vec::new();
    for task in tasks {
        browsers.push(task.await??);
    }
    let login_secs = started.elapsed().as_secs_f64();

    // Then, all at once, each applies and submits (twice).
    let started = Instant::now();
    let report = Arc::new(Mutex::new(Report::default()));
    let mut tasks = Vec::new();
    for group in browsers {
        let (report, base) = (report.clone(), base.to_owned());
        tasks.push(tokio::spawn(async move {
            for browser in group {
                let began = Instant::now();
                match apply_twice(&browser, &base).await {
                    Ok(same) => {
                        let mut r = report.lock().expect("report");
                        r.submitted += 1;
                        r.same_reference += usize::from(same);
                        r.latencies.push(began.elapsed());
                    }
                    Err(error) => {
                        eprintln!("{error}");
                        report.lock().expect("report").errors += 1;
                    }
                }
            }
        }));
    }
    for task in tasks {
        task.await?;
    }
    let mut report = Arc::try_unwrap(report)
        .map_err(|_| anyhow::anyhow!("report still shared"))?
        .into_inner()
        .map_err(|_| anyhow::anyhow!("report poisoned"))?;
    report.submit_secs = started.elapsed().as_secs_f64();
    report.login_secs = login_secs;
    Ok(report)
}

/// "Apply", the draft page, submit; then the same submission again. Whether both answered with
/// the same application.
async fn apply_twice(browser: &reqwest::Client, base: &str) -> anyhow::Result<bool> {
    let page = browser
        .get(format!("{base}/entitlements"))
        .send()
        .await?
        .text()
        .await?;
    let token = csrf(&page);
    let start = browser
        .post(format!("{base}/applications/start/{PROGRAMME}"))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await?;
    let draft = location(&start)?;
    let _form = browser
        .get(format!("{base}{draft}"))
        .send()
        .await?
        .text()
        .await?;
    let submit = || {
        let form = reqwest::multipart::Form::new()
            .text("csrf_token", token.clone())
            .text("declaration", "yes")
            .text("version", "0")
            .text("action", "submit");
        browser
            .post(format!("{base}{draft}"))
            .multipart(form)
            .send()
    };
    let first = location(&submit().await?)?;
    let second = location(&submit().await?)?;
    anyhow::ensure!(
        first.starts_with("/applications/KS-"),
        "not submitted: {first}"
    );
    Ok(first == second)
}

fn location(response: &reqwest::Response) -> anyhow::Result<String> {
    anyhow::ensure!(response.status() == 303, "HTTP {}", response.status());
    Ok(response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_owned())
}
