//! What the HTTP load benchmarks share: the release server as a child process, stopped when
//! dropped, and waiting for it to answer.

use std::process::Child;
use std::time::Duration;

pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits until `/healthz` answers, trying every 200 ms up to `tries` times.
pub async fn wait_until_up(base: &str, tries: u32) -> anyhow::Result<()> {
    for _ in 0..tries {
        if reqwest::get(format!("{base}/healthz"))
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    anyhow::bail!("the server did not start")
}

/// Where a benchmark's server keeps its data: a temporary directory, and the database named
/// by BENCH_DATABASE_URL (an empty PostgreSQL database) or else a SQLite file in that directory.
pub struct Workspace {
    pub dir: tempfile::TempDir,
    pub database_url: String,
}

impl Workspace {
    pub fn new() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let database_url = std::env::var("BENCH_DATABASE_URL")
            .unwrap_or_else(|_| format!("sqlite://{}/bench.db", dir.path().display()));
        Ok(Self { dir, database_url })
    }

    /// Starts the release server (`KASET`, default `target/release/kaset`) on `port`.
    pub fn start_server(&self, port: u16) -> anyhow::Result<Server> {
        let kaset = std::env::var("KASET").unwrap_or_else(|_| "target/release/kaset".to_owned());
        Ok(Server(
            std::process::Command::new(kaset)
                .env("DATABASE_URL", &self.database_url)
                .env("KASET_DATA_DIR", self.dir.path().join("data"))
                .env("KASET_BIND", format!("127.0.0.1:{port}"))
                .env("RUST_LOG", "warn")
                .stdout(std::process::Stdio::null())
                .spawn()?,
        ))
    }
}
