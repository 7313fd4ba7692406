//! Throughput of the registry sync: households per second pulled from a local registry server
//! (the tests' stand-in, serving the documented format), parsed, stored page by page with the
//! cursor, and re-decided by the rules engine.
//!
//!   cargo bench --bench registry_sync -- [households] [page size]
//!
//! Defaults: 20,000 households in pages of 500. SQLite in a temporary directory, or the
//! database in BENCH_DATABASE_URL (an empty PostgreSQL database; the geography is loaded).

// The tests' registry stand-in; the benchmark needs only its well-behaved pages.
#[allow(dead_code)]
#[path = "../tests/support/registry.rs"]
mod registry;

use kaset::config::RegistrySyncSettings;
use kaset::jobs::registry_sync::{sync, SyncContext};
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    // RUST_LOG=info shows each page as it is applied.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let households = args.first().copied().unwrap_or(20_000);
    let page_size = args.get(1).copied().unwrap_or(500);
    let work = tempfile::tempdir()?;
    let database_url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db", work.path().display()));
    let pool = kaset::db::connect(&database_url, 3)?;
    {
        let mut conn = pool.get()?;
        if !kaset::db::geography::is_loaded(&mut conn)? {
            kaset::db::geography::load(&mut conn)?;
        }
    }
    let pages: Vec<Vec<serde_json::Value>> = (0..households as u64)
        .collect::<Vec<_>>()
        .chunks(page_size)
        .map(|chunk| {
            chunk
                .iter()
                .map(|serial| registry::household(*serial))
                .collect()
        })
        .collect();
    let rules = std::sync::Arc::new(kaset::app::load_rules(std::path::Path::new("rules"))?);
    actix_web::rt::System::new().block_on(async move {
        let server = registry::FakeRegistry::start(pages);
        let cx = SyncContext {
            pool,
            rules,
            notify: kaset::services::entitlements::Notify {
                enabled: true,
                public_url: "http://127.0.0.1".to_owned(),
            },
            clock: kaset::domain::Clock::system(),
        };
        let settings = RegistrySyncSettings {
            url: Some(server.url.clone()),
            token: None,
            every_secs: 3600,
            page_size: page_size as u32,
            timeout_secs: 60,
            tries: 3,
            backoff_ms: 500,
        };
        let started = Instant::now();
        let report = sync(&cx, &settings).await?;
        let elapsed = started.elapsed().as_secs_f64();
        println!(
            "registry sync: {} households in {} pages in {elapsed:.1} s = {:.0} households/s ({} refused)",
            report.households,
            report.pages,
            report.households as f64 / elapsed,
            report.refused
        );
        anyhow::ensure!(report.households == households, "not every household was stored");
        Ok(())
    })
}
