//! The registry sync: pulls household changes from the external farmer registry, page by page
//! with its "changed since" cursor, and hands each page to `services::registry_sync`, which
//! stores it with the cursor that follows it in one transaction, then re-decides the changed
//! households' entitlements and tells farmers what they newly qualify for.
//!
//! A page that does not arrive in time, a server error or a body that is not the documented
//! JSON is tried again after a growing wait; after the last try the sync stops and says why,
//! and the next run starts again from the saved cursor: nothing lost, nothing applied twice.

use crate::config::RegistrySyncSettings;
use crate::db::registry_sync::PageError;
use crate::db::Pool;
use crate::rules::RuleSet;
use crate::services::entitlements::Notify;
use crate::services::registry_sync as registry;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

/// One page as the registry sends it.
#[derive(Deserialize, Debug)]
pub struct WirePage {
    /// Each household as raw JSON: one that cannot be read is refused alone.
    pub households: Vec<serde_json::Value>,
    /// Where the next request starts (`since`); saved with this page.
    pub next_cursor: String,
    /// Whether more changes follow right now.
    pub has_more: bool,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SyncReport {
    pub pages: usize,
    pub households: usize,
    pub refused: usize,
    /// Farmers' new entitlements, counting a payment list a household was put on.
    pub newly_eligible: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("no registry URL is configured (KASET_REGISTRY_SYNC_URL)")]
    NotConfigured,
    #[error("the registry URL must use HTTPS (plain HTTP only to this machine): {0}")]
    Insecure(String),
    #[error("the registry did not deliver the page after {tries} tries: {last}")]
    Unavailable { tries: u32, last: String },
    #[error(transparent)]
    Page(#[from] PageError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<registry::ApplyError> for SyncError {
    fn from(error: registry::ApplyError) -> Self {
        match error {
            registry::ApplyError::Page(page) => SyncError::Page(page),
            registry::ApplyError::Other(other) => SyncError::Other(other),
        }
    }
}

/// What a sync needs besides its settings.
pub struct SyncContext {
    pub pool: Pool,
    pub rules: Arc<RuleSet>,
    pub notify: Notify,
    pub clock: crate::domain::Clock,
}

fn checked_url(settings: &RegistrySyncSettings) -> Result<reqwest::Url, SyncError> {
    let text = settings.url.as_deref().ok_or(SyncError::NotConfigured)?;
    let url = reqwest::Url::parse(text).map_err(|_| SyncError::Insecure(text.to_owned()))?;
    let local = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match url.scheme() {
        "https" => Ok(url),
        "http" if local => Ok(url),
        _ => Err(SyncError::Insecure(text.to_owned())),
    }
}

/// Syncs until the registry has no more changes (or a page cannot be had).
pub async fn sync(
    cx: &SyncContext,
    settings: &RegistrySyncSettings,
) -> Result<SyncReport, SyncError> {
    let url = checked_url(settings)?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(settings.timeout_secs.max(1)))
        .build()
        .map_err(|e| anyhow::anyhow!(e))?;
    let mut report = SyncReport::default();
    loop {
        let pool = cx.pool.clone();
        let seen = actix_web::web::block(move || -> anyhow::Result<_> {
            let mut conn = pool.get()?;
            Ok(registry::sync_cursor(&mut conn)?)
        })
        .await
        .map_err(|e| anyhow::anyhow!(e))??;
        let page = fetch(&client, &url, settings, seen.as_deref()).await?;
        let more = page.has_more && !page.households.is_empty();
        let next = page.next_cursor.clone();
        let received = page.households.into_iter().map(registry::read).collect();
        let pool = cx.pool.clone();
        let rules = cx.rules.clone();
        let notify = cx.notify.clone();
        let clock = cx.clock;
        let applied = actix_web::web::block(move || -> Result<_, SyncError> {
            let mut conn = pool.get().map_err(|e| anyhow::anyhow!(e))?;
            let page = registry::SyncedPage {
                seen: seen.as_deref(),
                next: &next,
                received,
            };
            Ok(registry::apply_synced_page(
                &mut conn,
                &rules,
                &notify,
                page,
                clock.now(),
            )?)
        })
        .await
        .map_err(|e| anyhow::anyhow!(e))??;
        let (outcome, changes) = (applied.outcome, applied.changes);
        report.pages += 1;
        report.households += outcome.stored().len();
        report.refused += outcome.refused();
        report.newly_eligible += changes.newly_eligible + changes.enrolled;
        tracing::info!(
            page = report.pages,
            stored = outcome.stored().len(),
            refused = outcome.refused(),
            "registry sync: page applied"
        );
        if !more {
            return Ok(report);
        }
    }
}

/// Fetches one page, trying again after a growing wait when it is late, fails, or is not the
/// documented JSON.
async fn fetch(
    client: &reqwest::Client,
    url: &reqwest::Url,
    settings: &RegistrySyncSettings,
    since: Option<&str>,
) -> Result<WirePage, SyncError> {
    let tries = settings.tries.max(1);
    let mut wait = Duration::from_millis(settings.backoff_ms);
    let mut last = String::new();
    for attempt in 1..=tries {
        let mut request = client
            .get(url.clone())
            .query(&[("limit", settings.page_size.max(1).to_string())]);
        if let Some(since) = since {
            request = request.query(&[("since", since)]);
        }
        if let Some(token) = &settings.token {
            request = request.bearer_auth(token);
        }
        let result = match request.send().await {
            Ok(response) if response.status().is_success() => match response.bytes().await {
                Ok(body) => serde_json::from_slice::<WirePage>(&body)
                    .map_err(|e| format!("not the documented JSON: {e}")),
                Err(e) => Err(format!("the page broke off: {e}")),
            },
            Ok(response) => Err(format!("HTTP {}", response.status())),
            Err(e) if e.is_timeout() => Err(format!("no page within {} s", settings.timeout_secs)),
            Err(e) => Err(e.to_string()),
        };
        match result {
            Ok(page) => return Ok(page),
            Err(why) => {
                tracing::warn!(attempt, tries, error = %why, "registry sync: page not delivered");
                last = why;
            }
        }
        if attempt < tries {
            tokio::time::sleep(wait).await;
            wait = wait.saturating_mul(2);
        }
    }
    Err(SyncError::Unavailable { tries, last })
}
