//! Load benchmark: a partner agency's system asking for a household's entitlements through the
//! partner API of a running release server, over HTTP on 127.0.0.1, with a real key (checked,
//! rate-limited, every call audited) and the farmer's consent on record.
//!
//!   cargo build --release && cargo bench --bench partner_api -- [seconds] [clients]
//!
//! Defaults: 20 seconds, 16 concurrent clients. SQLite in a temporary directory, or the
//! database in BENCH_DATABASE_URL (an empty PostgreSQL database; it is seeded).

mod support;

use diesel::prelude::*;
use kaset::db::schema::users;
use kaset::domain::partner::{ApiKey, PRIVACY_NOTICE_VERSION};
use kaset::domain::ConsentPurpose;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{wait_until_up, Workspace};

const PORT: u16 = 18092;

fn main() -> anyhow::Result<()> {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let seconds = args.first().copied().unwrap_or(20);
    let clients = args.get(1).copied().unwrap_or(16);
    let work = Workspace::new()?;
    let database_url = work.database_url.clone();
    let _server = work.start_server(PORT)?;
    let base = format!("http://127.0.0.1:{PORT}");
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(wait_until_up(&base, 300))?;

    // A key with room to spare, and the demo farmer's consent.
    let pool = kaset::db::connect(&database_url, 1)?;
    let mut conn = pool.get()?;
    let admin: i32 = users::table
        .filter(users::email.eq(kaset::db::seed::DEMO_ADMIN_EMAIL))
        .select(users::id)
        .first(&mut conn)?;
    let farmer: i32 = users::table
        .filter(users::national_id.eq(kaset::db::seed::DEMO_FARMER_NATIONAL_ID))
        .select(users::id)
        .first(&mut conn)?;
    let key = ApiKey::generate();
    kaset::db::api_keys::insert(
        &mut conn,
        &kaset::db::api_keys::NewApiKey {
            name: "Benchmark",
            key_prefix: key.prefix(),
            secret_sha256: &key.sha256(),
            scopes: "entitlements:read",
            purpose: ConsentPurpose::AgencyServices.code(),
            scope_province_code: None,
            scope_amphoe_code: None,
            requests_per_minute: 10_000_000,
            created_by: admin,
            created_at: kaset::domain::Clock::system().now(),
        },
    )?;
    kaset::db::consents::record(
        &mut conn,
        farmer,
        ConsentPurpose::AgencyServices,
        PRIVACY_NOTICE_VERSION,
        true,
        kaset::domain::Clock::system().now(),
    )?;
    drop(conn);

    let url = format!(
        "{base}/api/v1/households/{}/entitlements",
        kaset::db::seed::DEMO_FARMER_REGISTRY
    );
    let secret = key.reveal().to_owned();
    let report = runtime.block_on(async move {
        let stop = Arc::new(AtomicBool::new(false));
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..clients {
            let (url, secret, stop) = (url.clone(), secret.clone(), stop.clone());
            tasks.push(tokio::spawn(async move {
                let client = reqwest::Client::new();
                let mut latencies = Vec::new();
                let mut failures = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let sent = Instant::now();
                    let ok = match client.get(&url).bearer_auth(&secret).send().await {
                        Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                        Err(_) => false,
                    };
                    if ok {
                        latencies.push(sent.elapsed());
                    } else {
                        failures += 1;
                    }
                }
                (latencies, failures)
            }));
        }
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        stop.store(true, Ordering::Relaxed);
        let mut latencies = Vec::new();
        let mut failures = 0;
        for task in tasks {
            let (l, f) = task.await.expect("client task");
            latencies.extend(l);
            failures += f;
        }
        (latencies, failures, started.elapsed())
    });
    let (mut latencies, failures, elapsed) = report;
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    println!(
        "partner API entitlements: {} requests in {:.1} s = {:.0} req/s with {clients} clients; median {:.1} ms, p99 {:.1} ms; {failures} failed",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        at(0.5).as_secs_f64() * 1000.0,
        at(0.99).as_secs_f64() * 1000.0,
    );
    // Every call was audited under the key.
    let mut conn = pool.get()?;
    let audited: i64 = kaset::db::schema::audit_log::table
        .filter(kaset::db::schema::audit_log::action.eq("api_call"))
        .count()
        .get_result(&mut conn)?;
    println!("audit log: {audited} API calls recorded");
    anyhow::ensure!(failures == 0, "{failures} requests failed");
    anyhow::ensure!(
        audited as usize >= latencies.len(),
        "calls missing from the audit log"
    );
    Ok(())
}
