//! Settings, read from the environment (or the equivalent command-line flags), with defaults
//! that give a working demo on a fresh machine.

use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

#[derive(Args, Clone, Debug)]
pub struct Settings {
    /// `sqlite://path/to/file.db` (created if missing) or `postgres://user@host/db`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/kaset.db")]
    pub database_url: String,

    /// Address and port to listen on.
    #[arg(long, env = "KASET_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// The address users reach Kaset at, used in e-mailed links; defaults to http://<bind>.
    #[arg(long, env = "KASET_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Key that signs session cookies (at least 64 characters). When unset, a random key is
    /// created once and kept in `<data dir>/session.key`.
    #[arg(long, env = "KASET_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,

    /// Directory of the programme rule files (`*.toml`).
    #[arg(long, env = "KASET_RULES_DIR", default_value = "rules")]
    pub rules_dir: PathBuf,

    /// How often every household is re-decided, in seconds (a day: time alone changes
    /// entitlements as crop years turn and programmes open and close).
    #[arg(long, env = "KASET_REEVALUATE_EVERY_SECS", default_value_t = 86_400)]
    pub reevaluate_every_secs: u64,

    /// Directory for generated files (the default SQLite database, the session key).
    #[arg(long, env = "KASET_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// A programme or office whose share of satisfied farmers (4–5) last month fell below this
    /// percentage alerts its managers.
    #[arg(long, env = "KASET_CSAT_ALERT_PERCENT", default_value_t = 70.0)]
    pub csat_alert_percent: f64,

    /// Where applications' attachments are kept (default: `uploads` in the data directory).
    #[arg(long, env = "KASET_UPLOAD_DIR")]
    pub upload_dir: Option<PathBuf>,

    /// Seed the demo data set when the database is empty.
    #[arg(long, env = "KASET_SEED_DEMO", default_value_t = true, action = clap::ArgAction::Set)]
    pub seed_demo: bool,

    /// How many reverse proxies of ours stand in front of Kaset, each appending the address it
    /// saw to X-Forwarded-For. The visitor's address is the entry that many places from the
    /// right (the entries to its left are the client's to write). 0: no proxy, the peer's.
    #[arg(long, env = "KASET_PROXY_HOPS", default_value_t = 0)]
    pub proxy_hops: u32,

    /// Maximum database connections.
    #[arg(long, env = "KASET_DB_POOL_SIZE", default_value_t = 10)]
    pub db_pool_size: u32,

    /// The longest a request's database statement may run, in milliseconds (PostgreSQL).
    #[arg(long, env = "KASET_DB_STATEMENT_TIMEOUT_MS", default_value_t = 5000)]
    pub db_statement_timeout_ms: u64,

    #[command(flatten)]
    pub smtp: SmtpSettings,

    #[command(flatten)]
    pub registry_sync: RegistrySyncSettings,

    #[command(flatten)]
    pub sms: SmsSettings,

    #[command(flatten)]
    pub line: LineSettings,

    #[command(flatten)]
    pub thaid: ThaidSettings,
}

/// ThaID, the government's digital ID, as an OpenID provider: Kaset is registered with DOPA as
/// a client (id and secret) with `{public url}/login/thaid/callback` as its redirect address.
/// Unset: "sign in with ThaID" is not offered.
#[derive(Args, Clone, Debug, Default)]
pub struct ThaidSettings {
    /// The provider's issuer, e.g. `https://imauth.bora.dopa.go.th` (its discovery document is
    /// at `{issuer}/.well-known/openid-configuration`).
    #[arg(id = "thaid_issuer", long = "thaid-issuer", env = "KASET_THAID_ISSUER")]
    pub issuer: Option<String>,

    #[arg(
        id = "thaid_client_id",
        long = "thaid-client-id",
        env = "KASET_THAID_CLIENT_ID"
    )]
    pub client_id: Option<String>,

    #[arg(
        id = "thaid_client_secret",
        long = "thaid-client-secret",
        env = "KASET_THAID_CLIENT_SECRET",
        hide_env_values = true
    )]
    pub client_secret: Option<String>,
}

impl ThaidSettings {
    /// Whether "sign in with ThaID" is offered.
    pub fn offered(&self) -> bool {
        self.issuer.is_some() && self.client_id.is_some() && self.client_secret.is_some()
    }
}

/// LINE: LINE Login (linking a farmer's account) and the Messaging API (pushing messages,
/// webhooks signed with the channel secret). Both channels under one LINE provider, so a user
/// has one id for both. Unset: LINE is not offered.
#[derive(Args, Clone, Debug)]
pub struct LineSettings {
    #[arg(long = "line-login-channel-id", env = "KASET_LINE_LOGIN_CHANNEL_ID")]
    pub login_channel_id: Option<String>,

    #[arg(
        long = "line-login-channel-secret",
        env = "KASET_LINE_LOGIN_CHANNEL_SECRET",
        hide_env_values = true
    )]
    pub login_channel_secret: Option<String>,

    /// The Messaging API channel's access token.
    #[arg(
        long = "line-messaging-token",
        env = "KASET_LINE_MESSAGING_TOKEN",
        hide_env_values = true
    )]
    pub messaging_token: Option<String>,

    /// The Messaging API channel's secret, which signs its webhooks.
    #[arg(
        long = "line-messaging-secret",
        env = "KASET_LINE_MESSAGING_SECRET",
        hide_env_values = true
    )]
    pub messaging_secret: Option<String>,

    /// Where LINE Login's authorization page is.
    #[arg(
        long = "line-access-url",
        env = "KASET_LINE_ACCESS_URL",
        default_value = "https://access.line.me"
    )]
    pub access_url: String,

    /// Where LINE's APIs are (token, verify, push).
    #[arg(
        long = "line-api-url",
        env = "KASET_LINE_API_URL",
        default_value = "https://api.line.me"
    )]
    pub api_url: String,
}

impl LineSettings {
    /// Whether a farmer can link LINE and be reached there.
    pub fn offered(&self) -> bool {
        self.login_channel_id.is_some() && self.messaging_token.is_some()
    }
}

/// The SMS gateway (ANTS's HTTP API: `POST {url}/sms/send`, delivery reports posted back to
/// `{public url}/hooks/sms/{callback token}`). When the URL is unset, no SMS is sent and
/// messages go by the person's next channel.
#[derive(Args, Clone, Debug, Default)]
pub struct SmsSettings {
    /// The gateway's address, e.g. `https://api-service.ants.co.th`.
    #[arg(id = "sms_url", long = "sms-url", env = "KASET_SMS_URL")]
    pub url: Option<String>,

    #[arg(
        id = "sms_username",
        long = "sms-username",
        env = "KASET_SMS_USERNAME",
        default_value = ""
    )]
    pub username: String,

    #[arg(
        id = "sms_password",
        long = "sms-password",
        env = "KASET_SMS_PASSWORD",
        hide_env_values = true,
        default_value = ""
    )]
    pub password: String,

    /// The sender name registered with the gateway (at most 11 letters and digits). Every SMS
    /// carries it, so farmers learn that only this sender is Kaset.
    #[arg(
        id = "sms_sender",
        long = "sms-sender",
        env = "KASET_SMS_SENDER",
        default_value = "KASET"
    )]
    pub sender: String,

    /// The secret part of the delivery-report address: only the gateway knows it.
    #[arg(
        id = "sms_callback_token",
        long = "sms-callback-token",
        env = "KASET_SMS_CALLBACK_TOKEN",
        hide_env_values = true,
        default_value = ""
    )]
    pub callback_token: String,
}

/// Where household changes come from (the registry sync; its format is in the README).
#[derive(Args, Clone, Debug)]
pub struct RegistrySyncSettings {
    /// The external registry's changes endpoint (HTTPS; plain HTTP only on this machine).
    /// When unset, there is no scheduled sync.
    #[arg(long = "registry-sync-url", env = "KASET_REGISTRY_SYNC_URL")]
    pub url: Option<String>,

    /// Sent as `Authorization: Bearer …` to the registry.
    #[arg(
        long = "registry-sync-token",
        env = "KASET_REGISTRY_SYNC_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,

    /// How often the server syncs, in seconds.
    #[arg(
        long = "registry-sync-every-secs",
        env = "KASET_REGISTRY_SYNC_EVERY_SECS",
        default_value_t = 3600
    )]
    pub every_secs: u64,

    /// Households asked for per page.
    #[arg(
        long = "registry-sync-page-size",
        env = "KASET_REGISTRY_SYNC_PAGE_SIZE",
        default_value_t = 500
    )]
    pub page_size: u32,

    /// How long one page may take to arrive, in seconds.
    #[arg(
        long = "registry-sync-timeout-secs",
        env = "KASET_REGISTRY_SYNC_TIMEOUT_SECS",
        default_value_t = 30
    )]
    pub timeout_secs: u64,

    /// Tries per page before the sync stops (and resumes there next time).
    #[arg(
        long = "registry-sync-tries",
        env = "KASET_REGISTRY_SYNC_TRIES",
        default_value_t = 5
    )]
    pub tries: u32,

    /// The wait before the second try, in milliseconds; doubled after each failure.
    #[arg(
        long = "registry-sync-backoff-ms",
        env = "KASET_REGISTRY_SYNC_BACKOFF_MS",
        default_value_t = 1000
    )]
    pub backoff_ms: u64,
}

#[derive(Args, Clone, Debug)]
pub struct SmtpSettings {
    /// SMTP server for outgoing mail; when unset, mail waits in the outbox until it is set.
    #[arg(long = "smtp-host", env = "KASET_SMTP_HOST")]
    pub host: Option<String>,

    #[arg(long = "smtp-port", env = "KASET_SMTP_PORT", default_value_t = 587)]
    pub port: u16,

    #[arg(long = "smtp-username", env = "KASET_SMTP_USERNAME")]
    pub username: Option<String>,

    #[arg(
        long = "smtp-password",
        env = "KASET_SMTP_PASSWORD",
        hide_env_values = true
    )]
    pub password: Option<String>,

    /// `starttls` (port 587), `tls` (port 465) or `none` (only for a local relay or tests).
    #[arg(long = "smtp-security", env = "KASET_SMTP_SECURITY", value_enum, default_value_t = SmtpSecurity::Starttls)]
    pub security: SmtpSecurity,

    /// The sender of every message.
    #[arg(
        long = "mail-from",
        env = "KASET_MAIL_FROM",
        default_value = "Kaset <no-reply@kaset.local>"
    )]
    pub from: String,

    /// How often the outbox worker looks for mail to send, in milliseconds.
    #[arg(long, env = "KASET_OUTBOX_POLL_MS", default_value_t = 2000)]
    pub outbox_poll_ms: u64,

    /// The wait before retrying a message the SMTP server did not take, in seconds; doubled
    /// after each failure, up to an hour.
    #[arg(long, env = "KASET_OUTBOX_RETRY_SECS", default_value_t = 30)]
    pub outbox_retry_secs: i64,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpSecurity {
    Starttls,
    Tls,
    None,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("KASET_SECRET_KEY must be at least 64 characters long")]
    ShortSecret,
    #[error("cannot read or create the session key file {path}: {source}")]
    SecretFile {
        path: String,
        source: std::io::Error,
    },
}

impl Settings {
    /// The public address: the setting, or else `http://` and the address actually bound.
    pub fn public_url_for(&self, bound: &str) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{bound}"),
        }
    }

    pub fn upload_dir(&self) -> PathBuf {
        self.upload_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("uploads"))
    }

    /// Cookies are marked Secure whenever users reach Kaset over TLS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"))
    }

    /// The cookie-signing key, from the setting or from a key file created on first start.
    pub fn secret_key(&self) -> Result<Vec<u8>, ConfigError> {
        if let Some(key) = &self.secret_key {
            if key.len() < 64 {
                return Err(ConfigError::ShortSecret);
            }
            return Ok(key.as_bytes().to_vec());
        }
        let path = self.data_dir.join("session.key");
        read_or_create_key(&path).map_err(|source| ConfigError::SecretFile {
            path: path.display().to_string(),
            source,
        })
    }
}

fn read_or_create_key(path: &Path) -> std::io::Result<Vec<u8>> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        if let Ok(key) = hex::decode(existing.trim()) {
            if key.len() >= 64 {
                return Ok(key);
            }
        }
    }
    use rand::RngCore;
    let mut key = vec![0u8; 64];
    rand::rngs::OsRng.fill_bytes(&mut key);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, hex::encode(&key))?;
    Ok(key)
}
