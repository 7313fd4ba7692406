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
