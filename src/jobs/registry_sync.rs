//! The registry sync: pulls household changes from the external farmer registry, page by page
//! with its "changed since" cursor, stores each page with the cursor that follows it in one
//! transaction (see `db::registry_sync`), then re-decides the changed households' entitlements
//! and tells farmers what they newly qualify for.
//!
//! A page that does not arrive in time, a server error or a body that is not the documented
//! JSON is tried again after a growing wait; after the last try the sync stops and says why,
//! and the next run starts again from the saved cursor: nothing lost, nothing applied twice.

use crate::config::RegistrySyncSettings;
use crate::db::registry_sync::{self as store, PageError, Received, Refused};
use crate::db::Pool;
use crate::domain::registry_record::{HouseholdRecord, Rejection, WireHousehold};
use crate::jobs::entitlements::{self, Notify};
use crate::rules::RuleSet;
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
            Ok(store::cursor(&mut conn, store::REGISTRY)?)
        })
        .await
        .map_err(|e| anyhow::anyhow!(e))??;
        let page = fetch(&client, &url, settings, seen.as_deref()).await?;
        let more = page.has_more && !page.households.is_empty();
        let next = page.next_cursor.clone();
        let received = page.households.into_iter().map(read).collect::<Vec<_>>();
        let pool = cx.pool.clone();
        let rules = cx.rules.clone();
        let notify = cx.notify.clone();
        let clock = cx.clock;
        let (outcome, changes) = actix_web::web::block(move || -> Result<_, SyncError> {
            let mut conn = pool.get().map_err(|e| anyhow::anyhow!(e))?;
            let now = clock.now();
            let outcome = store::apply_page(
                &mut conn,
                store::REGISTRY,
                seen.as_deref(),
                &next,
                received,
                now,
            )?;
            // After the page is stored: an interruption here is made good by the daily
            // re-evaluation of everyone.
            let changes = entitlements::reevaluate_households(
                &mut conn,
                &rules,
                &outcome.stored(),
                now,
                &notify,
            )?;
            Ok((outcome, changes))
        })
        .await
        .map_err(|e| anyhow::anyhow!(e))??;
        report.pages += 1;
        report.households += outcome.stored().len();
        report.refused += outcome.refused();
        report.newly_eligible += changes.newly_eligible;
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

/// Reads one household of a page: parsed, or refused with where and why.
pub fn read(value: serde_json::Value) -> Received {
    let raw = value.to_string();
    let text_of = |name: &str| {
        value
            .get(name)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_owned()
    };
    let refused = |rejection: Rejection| {
        Received::Refused(Refused {
            registry_number: text_of("registry_number"),
            tambon_code: text_of("tambon_code"),
            rejection,
            record: raw.clone(),
        })
    };
    let wire: WireHousehold = match serde_json::from_value(value.clone()) {
        Ok(wire) => wire,
        Err(e) => return refused(Rejection::new(e.to_string(), "registry_sync.reject.shape")),
    };
    match HouseholdRecord::parse(&wire) {
        Ok(record) => Received::Household(Box::new(record), raw),
        Err(rejection) => refused(rejection),
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
