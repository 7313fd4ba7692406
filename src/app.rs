//! Builds the server: state, middleware, routes. `Application::build` binds (port 0 in tests)
//! and `run` serves until stopped, so tests start the real server exactly as `kaset serve` does.

use crate::config::Settings;
use crate::db;
use crate::domain::calendar::WorkingCalendar;
use crate::domain::comments::Lexicon;
use crate::domain::Clock;
use crate::jobs;
use crate::rules::RuleSet;
use crate::web::{self, session_store::DbSessionStore, AppState};
use actix_session::config::{CookieContentSecurity, PersistentSession, TtlExtensionPolicy};
use actix_session::SessionMiddleware;
use actix_web::cookie::{time::Duration, Key, SameSite};
use actix_web::dev::Server;
use actix_web::middleware::{DefaultHeaders, Logger};
use actix_web::{web as aw, App, HttpResponse, HttpServer};
use std::net::TcpListener;
use std::sync::Arc;
use tokio::sync::Notify;

pub const SESSION_COOKIE: &str = "kaset_session";

/// The public holidays file beside the rules. Without it deadlines count weekends only (and
/// say so in the log); a broken one stops the server, as a broken rule file does.
pub fn load_calendar(rules_dir: &std::path::Path) -> anyhow::Result<WorkingCalendar> {
    let path = rules_dir.join(HOLIDAYS_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            WorkingCalendar::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            tracing::warn!(path = %path.display(), "no public holidays file: deadlines skip weekends only");
            Ok(WorkingCalendar::empty())
        }
        Err(e) => Err(anyhow::anyhow!("{}: {e}", path.display())),
    }
}

/// The farm-service lexicon beside the rule files; like a rule file, a broken one stops the
/// server (naming the line) rather than misread every comment. Without one, comments are
/// listed but not read for themes (and the log says so).
pub fn load_lexicon(rules_dir: &std::path::Path) -> anyhow::Result<Lexicon> {
    let path = rules_dir.join(LEXICON_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => Lexicon::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            tracing::warn!(path = %path.display(), "no feedback lexicon: comments are not read for themes");
            Ok(Lexicon::default())
        }
        Err(e) => Err(anyhow::anyhow!("{}: {e}", path.display())),
    }
}

/// Beside the rule files, in a folder of its own (the rule loader reads every `*.toml` of
/// `rules/` as a programme).
pub const LEXICON_FILE: &str = "feedback/lexicon.toml";

/// Thai public holidays, beside the rule files (an administrator adds each year's).
pub const HOLIDAYS_FILE: &str = "public-holidays.csv";

pub struct Application {
    port: u16,
    public_url: String,
    server: Server,
}

impl Application {
    /// Connects to the database (running migrations), seeds the demo if asked and empty, binds,
    /// and starts the background work, on the system clock.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Clock::system()).await
    }

    /// As `build`, with every request and background task reading `clock` (tests run the
    /// server on chosen days this way).
    pub async fn build_with_clock(settings: Settings, clock: Clock) -> anyhow::Result<Self> {
        // A broken rule file would mean wrong entitlements: refuse to start instead.
        let rules = Arc::new(load_rules(&settings.rules_dir)?);
        let calendar = Arc::new(load_calendar(&settings.rules_dir)?);
        let lexicon = Arc::new(load_lexicon(&settings.rules_dir)?);
        let pool = db::connect_for_requests(
            &settings.database_url,
            settings.db_pool_size,
            settings.db_statement_timeout_ms,
        )?;
        // Background work (re-evaluating everyone, open data, the seed) runs statements that
        // may take longer than a request's: its own connections, one per core and a reader.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
        let batch_pool = db::connect(&settings.database_url, cores + 1)?;
        if settings.seed_demo {
            let seed_pool = batch_pool.clone();
            let report = aw::block(move || -> anyhow::Result<_> {
                let mut conn = seed_pool.get()?;
                db::seed::seed_demo_if_empty(&mut conn, true, &clock)
            })
            .await??;
            if let Some(report) = report {
                tracing::info!(households = report.households, "seeded the demo data set");
            }
        }
        // The decoy hash is made now, not on the first login for an unknown account, which
        // would otherwise take a hash's time longer than any other.
        aw::block(crate::domain::password::prepare_decoy).await?;
        let listener = TcpListener::bind(&settings.bind)?;
        let address = listener.local_addr()?;
        let port = address.port();
        let public_url = settings.public_url_for(&address.to_string());
        let key = Key::derive_from(&settings.secret_key()?);
        let mail_wake = Arc::new(Notify::new());
        jobs::spawn_background_work(jobs::Background {
            pool: batch_pool,
            settings: settings.clone(),
            rules: rules.clone(),
            calendar: calendar.clone(),
            public_url: public_url.clone(),
            mail_wake: mail_wake.clone(),
            clock,
        });
        let state = aw::Data::new(AppState {
            pool: pool.clone(),
            settings: settings.clone(),
            rules,
            calendar,
            lexicon,
            public_url: public_url.clone(),
            mail_wake,
            api_limits: Default::default(),
            clock,
        });
        let secure = settings.secure_cookies();
        let server = HttpServer::new(move || {
            let sessions =
                SessionMiddleware::builder(DbSessionStore::new(pool.clone(), clock), key.clone())
                    .cookie_name(SESSION_COOKIE.to_owned())
                    .cookie_content_security(CookieContentSecurity::Signed)
                    .cookie_http_only(true)
                    .cookie_same_site(SameSite::Lax)
                    .cookie_secure(secure)
                    .session_lifecycle(
                        PersistentSession::default()
                            .session_ttl(Duration::hours(12))
                            .session_ttl_extension_policy(TtlExtensionPolicy::OnStateChanges),
                    )
                    .build();
            App::new()
                .app_data(state.clone())
                .wrap(web::error_pages::handlers())
                .wrap(sessions)
                .wrap(security_headers(secure))
                // The path without its query: reset links carry their token in the query.
                .wrap(
                    Logger::new("%a \"%{method}xi %U\" %s %b %Dms")
                        .custom_request_replace("method", |req| req.method().to_string()),
                )
                // HEAD is GET without the body (RFC 9110 §9.3.2): answered as GET, and the HTTP
                // layer, which read the method off the wire, leaves the body out.
                .wrap_fn(|mut req, service| {
                    if req.method() == actix_web::http::Method::HEAD {
                        req.head_mut().method = actix_web::http::Method::GET;
                    }
                    actix_web::dev::Service::call(service, req)
                })
                .configure(web::routes)
                .default_service(aw::to(|| async { HttpResponse::NotFound().finish() }))
        })
        .listen(listener)?
        .run();
        Ok(Self {
            port,
            public_url,
            server,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server from outside (tests stop theirs when they end).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    pub async fn run(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Loads the rule set, or fails with every broken file's error (file:line:column: what).
pub fn load_rules(dir: &std::path::Path) -> anyhow::Result<RuleSet> {
    RuleSet::load_dir(dir).map_err(|errors| {
        let list: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        anyhow::anyhow!("the rule set is broken:\n{}", list.join("\n"))
    })
}

/// Headers on every response. The CSP allows no inline script at all (Kaset needs no script).
fn security_headers(secure: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "same-origin"))
        .add(("X-Frame-Options", "DENY"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=()",
        ));
    if secure {
        headers.add(("Strict-Transport-Security", "max-age=31536000"))
    } else {
        headers
    }
}
