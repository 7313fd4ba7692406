//! Starts the real Kaset server on port 0 against a fresh database (SQLite file, or a new
//! PostgreSQL database when `TEST_DATABASE_URL` is set), with a real SMTP server beside it.
//!
//! Migrating and seeding the demo takes a few seconds, so it happens once per backend per test
//! run into a template; each test then gets its own copy (a file copy for SQLite,
//! `CREATE DATABASE … TEMPLATE` for PostgreSQL) and drops it at the end.

pub mod line;
pub mod registry;
pub mod sms;
pub mod smtp;
pub mod thaid;

use diesel::{Connection, PgConnection, RunQueryDsl};
use kaset::app::Application;
use kaset::config::{
    LineSettings, RegistrySyncSettings, Settings, SmsSettings, SmtpSecurity, SmtpSettings,
    ThaidSettings,
};
use kaset::domain::Clock;
use reqwest::redirect::Policy;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

pub use sms::SmsGateway;
pub use smtp::SmtpSink;

pub const DEMO_PASSWORD: &str = kaset::db::seed::DEMO_PASSWORD;
pub const FARMER_ID: &str = kaset::db::seed::DEMO_FARMER_NATIONAL_ID;
pub const FARMER_EMAIL: &str = kaset::db::seed::DEMO_FARMER_EMAIL;
pub const OFFICER_SURIN: &str = kaset::db::seed::DEMO_OFFICER_EMAIL;
pub const OFFICER_BURIRAM: &str = kaset::db::seed::DEMO_OFFICER_BURIRAM_EMAIL;
pub const ADMIN: &str = kaset::db::seed::DEMO_ADMIN_EMAIL;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Declares one test per backend for an `async fn(Backend)`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[actix_web::test]
                async fn sqlite() {
                    super::$name($crate::support::Backend::Sqlite).await
                }

                #[actix_web::test]
                async fn postgres() {
                    if $crate::support::postgres_url().is_some() {
                        super::$name($crate::support::Backend::Postgres).await
                    }
                }
            }
        )+
    };
}

/// Declares, for an `async fn(Backend, Clock)` whose outcome depends on the date, one test per
/// backend on today's clock and one per backend on each of the chosen days of `CHOSEN_DAYS`,
/// so the suite gives the same answer whatever day it runs on.
#[macro_export]
macro_rules! on_chosen_days {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                use $crate::support::{chosen_day, Backend::{Postgres, Sqlite}};

                #[actix_web::test]
                async fn sqlite() {
                    super::$name(Sqlite, kaset::domain::Clock::system()).await
                }

                #[actix_web::test]
                async fn postgres() {
                    if $crate::support::postgres_url().is_some() {
                        super::$name(Postgres, kaset::domain::Clock::system()).await
                    }
                }

                #[actix_web::test]
                async fn on_chosen_days_sqlite() {
                    for day in 0..$crate::support::CHOSEN_DAYS.len() {
                        eprintln!("on {:?} (Thai time)", $crate::support::CHOSEN_DAYS[day]);
                        super::$name(Sqlite, chosen_day(day)).await
                    }
                }

                #[actix_web::test]
                async fn on_chosen_days_postgres() {
                    if $crate::support::postgres_url().is_some() {
                        for day in 0..$crate::support::CHOSEN_DAYS.len() {
                            eprintln!("on {:?} (Thai time)", $crate::support::CHOSEN_DAYS[day]);
                            super::$name(Postgres, chosen_day(day)).await
                        }
                    }
                }
            }
        )+
    };
}

/// The days a date-dependent test also runs on, in Thai local time: the last day of a month,
/// the first day of the next at one in the morning (still the day before in UTC), 29 February,
/// and the turn of the crop year (1 May) at one in the morning.
pub const CHOSEN_DAYS: [(i32, u32, u32, u32); 4] = [
    (2027, 1, 31, 14),
    (2027, 2, 1, 1),
    (2028, 2, 29, 12),
    (2027, 5, 1, 1),
];

/// A clock reading one of `CHOSEN_DAYS` now, then running on.
pub fn chosen_day(index: usize) -> Clock {
    let (year, month, day, hour) = CHOSEN_DAYS[index];
    let date = chrono::NaiveDate::from_ymd_opt(year, month, day).expect("a chosen day is a date");
    let time = chrono::NaiveTime::from_hms_opt(hour, 0, 0).expect("a chosen hour is a time");
    Clock::starting_at_thai(date, time)
}

/// The PostgreSQL server for tests; a missing one is a loud skip, and a failure under CI.
/// Over loopback the tests do not use TLS unless the URL asks for it (`sslmode=`): with TLS,
/// libpq's OpenSSL clean-up at process exit raced with pool threads still holding connections
/// and crashed the finished test binary (SIGSEGV, seen once in a clean-clone CI run).
pub fn postgres_url() -> Option<String> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() && url.contains("sslmode=") => Some(url),
        Ok(url) if !url.is_empty() => Some(format!(
            "{url}{}sslmode=disable",
            if url.contains('?') { '&' } else { '?' }
        )),
        _ => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("CI=true but TEST_DATABASE_URL is not set: the PostgreSQL tests cannot be skipped");
            }
            eprintln!("SKIPPED: PostgreSQL test (set TEST_DATABASE_URL=postgres://… to run it)");
            None
        }
    }
}

pub struct TestApp {
    pub base: String,
    /// The server's clock: today's, or a chosen day's (see `on_chosen_days!`).
    pub clock: Clock,
    server: actix_web::dev::ServerHandle,
    pub client: reqwest::Client,
    pub smtp: SmtpSink,
    pub sms: SmsGateway,
    pub line: line::LineStandIn,
    /// ThaID's stand-in, for the tests that ask for it (see `Options::thaid`).
    pub thaid: Option<thaid::ThaidStandIn>,
    pub database_url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    SqliteDir(#[allow(dead_code)] tempfile::TempDir),
    PostgresDatabase { admin_url: String, name: String },
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Sends the stop at once; the workers then close their database connections.
        drop(self.server.stop(false));
        if let Cleanup::PostgresDatabase { admin_url, name } = &self.cleanup {
            if let Ok(mut conn) = PgConnection::establish(admin_url) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn);
            }
        }
    }
}

/// One seeded template per backend and Thai day: the demo is seeded relative to its day (the
/// crop year, plantings, ages), so a test on a chosen day starts from that day's demo.
type Templates<T> = Mutex<HashMap<chrono::NaiveDate, T>>;
static SQLITE_TEMPLATES: OnceLock<Templates<(tempfile::TempDir, PathBuf)>> = OnceLock::new();
static POSTGRES_TEMPLATES: OnceLock<Templates<String>> = OnceLock::new();
static POSTGRES_CREATE: Mutex<()> = Mutex::new(());

fn seed(database_url: &str, clock: Clock) {
    let pool = kaset::db::connect(database_url, 1).expect("migrate the template database");
    {
        let mut conn = pool.get().expect("template connection");
        kaset::db::seed::seed_demo_if_empty(&mut conn, false, &clock)
            .expect("seed the template database");
    }
    // The quiet first evaluation a fresh demo makes at start-up, done once here.
    let rules = kaset::app::load_rules(&rules_dir()).expect("the rule set loads");
    kaset::services::entitlements::catch_up_with_rules(
        &pool,
        &rules,
        clock.now(),
        "http://kaset.test",
    )
    .expect("baseline entitlements");
    let mut conn = pool.get().expect("template connection");
    if let kaset::db::DbConn::Sqlite(_) = &mut *conn {
        diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut *conn)
            .expect("checkpoint the template");
    }
}

pub fn rules_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules")
}

fn sqlite_template(clock: Clock) -> PathBuf {
    let mut templates = SQLITE_TEMPLATES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    templates
        .entry(clock.today())
        .or_insert_with(|| {
            let dir = tempfile::tempdir().expect("template dir");
            let path = dir.path().join("template.db");
            seed(&format!("sqlite://{}", path.display()), clock);
            (dir, path)
        })
        .1
        .clone()
}

/// Replaces the database name at the end of a PostgreSQL URL.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    format!("{server}/{name}{query}")
}

fn postgres_template(admin_url: &str, clock: Clock) -> String {
    let mut templates = POSTGRES_TEMPLATES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    templates
        .entry(clock.today())
        .or_insert_with(|| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let name = format!("kaset_tpl_{now}_{}", rand_suffix());
            let mut admin =
                PgConnection::establish(admin_url).expect("connect to TEST_DATABASE_URL");
            drop_stale_databases(&mut admin, now);
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .expect("create the template database");
            seed(&with_database(admin_url, &name), clock);
            name
        })
        .clone()
}

/// Templates of earlier runs (never dropped: they live until the process ends) and databases of
/// tests that were killed. Only those over two hours old go, so a concurrent run is left alone.
fn drop_stale_databases(admin: &mut PgConnection, now: u64) {
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    let names: Vec<Name> =
        diesel::sql_query("SELECT datname FROM pg_database WHERE datname LIKE 'kaset\\_tpl\\_%'")
            .load(admin)
            .unwrap_or_default();
    for Name { datname } in names {
        let created = datname
            .split('_')
            .nth(2)
            .and_then(|t| t.parse::<u64>().ok())
            .unwrap_or(0);
        if now.saturating_sub(created) > 2 * 3600 {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {datname}")).execute(admin);
        }
    }
}

fn rand_suffix() -> String {
    use rand::Rng;
    format!("{:08x}", rand::thread_rng().gen::<u32>())
}

pub struct Options {
    pub outbox_poll_ms: u64,
    /// Another rule set than the repository's `rules/`.
    pub rules_dir: Option<PathBuf>,
    pub reevaluate_every_secs: u64,
    /// The server's clock (the system's unless a test chose a day).
    pub clock: Clock,
    /// Proxies in front of the server, for tests that send `X-Forwarded-For` as one would.
    pub proxy_hops: u32,
    /// ThaID set up, with a provider answering with these ID tokens (if Node.js is there).
    pub thaid: Option<thaid::IdTokens>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            outbox_poll_ms: 200,
            rules_dir: None,
            reevaluate_every_secs: 86_400,
            clock: Clock::system(),
            proxy_hops: 0,
            thaid: None,
        }
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, Options::default()).await
}

/// The server on `clock`'s day, from a demo seeded on that day.
pub async fn spawn_app_on(backend: Backend, clock: Clock) -> TestApp {
    spawn_app_with(
        backend,
        Options {
            clock,
            ..Options::default()
        },
    )
    .await
}

pub async fn spawn_app_with(backend: Backend, options: Options) -> TestApp {
    let smtp = SmtpSink::start().await;
    let sms = SmsGateway::start().await;
    let line = line::LineStandIn::start().await;
    let (database_url, cleanup) = match backend {
        Backend::Sqlite => {
            let template = sqlite_template(options.clock);
            let dir = tempfile::tempdir().expect("test dir");
            let path = dir.path().join("kaset.db");
            std::fs::copy(&template, &path).expect("copy the template database");
            (
                format!("sqlite://{}", path.display()),
                Cleanup::SqliteDir(dir),
            )
        }
        Backend::Postgres => {
            let admin_url = postgres_url().expect("TEST_DATABASE_URL");
            let template = postgres_template(&admin_url, options.clock);
            let name = format!("kaset_test_{}", rand_suffix());
            {
                let _one_at_a_time = POSTGRES_CREATE.lock().unwrap_or_else(|e| e.into_inner());
                let mut admin =
                    PgConnection::establish(&admin_url).expect("connect to TEST_DATABASE_URL");
                diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    .execute(&mut admin)
                    .expect("copy the template database");
            }
            (
                with_database(&admin_url, &name),
                Cleanup::PostgresDatabase { admin_url, name },
            )
        }
    };
    let data_dir = tempfile::tempdir().expect("data dir").keep();
    // The provider must know Kaset's address, and Kaset the provider's: its port comes first.
    let thaid_port = options
        .thaid
        .filter(|_| thaid::available())
        .map(|tokens| (free_port(), tokens));
    let settings = Settings {
        database_url: database_url.clone(),
        bind: "127.0.0.1:0".to_owned(),
        public_url: None,
        secret_key: Some("test-secret-key-".repeat(5)),
        data_dir,
        rules_dir: options.rules_dir.clone().unwrap_or_else(rules_dir),
        reevaluate_every_secs: options.reevaluate_every_secs,
        upload_dir: None,
        csat_alert_percent: 70.0,
        seed_demo: false,
        proxy_hops: options.proxy_hops,
        db_pool_size: 4,
        db_statement_timeout_ms: 5000,
        smtp: SmtpSettings {
            host: Some("127.0.0.1".to_owned()),
            port: smtp.port,
            username: None,
            password: None,
            security: SmtpSecurity::None,
            from: "Kaset <no-reply@kaset.test>".to_owned(),
            outbox_poll_ms: options.outbox_poll_ms,
            // A retry a second after a failure, so an outage in a test ends quickly.
            outbox_retry_secs: 1,
        },
        // Tests run the registry sync themselves, against a server of their own.
        registry_sync: RegistrySyncSettings {
            url: None,
            token: None,
            every_secs: 3600,
            page_size: 500,
            timeout_secs: 30,
            tries: 5,
            backoff_ms: 1000,
        },
        sms: SmsSettings {
            url: Some(sms.url.clone()),
            username: sms::USERNAME.to_owned(),
            password: sms::PASSWORD.to_owned(),
            sender: sms::SENDER.to_owned(),
            callback_token: sms::CALLBACK_TOKEN.to_owned(),
        },
        line: LineSettings {
            login_channel_id: Some(line::LOGIN_CHANNEL_ID.to_owned()),
            login_channel_secret: Some(line::LOGIN_CHANNEL_SECRET.to_owned()),
            messaging_token: Some(line::MESSAGING_TOKEN.to_owned()),
            messaging_secret: Some(line::MESSAGING_SECRET.to_owned()),
            access_url: line.url.clone(),
            api_url: line.url.clone(),
        },
        thaid: match thaid_port {
            Some((port, _)) => ThaidSettings {
                issuer: Some(format!("http://127.0.0.1:{port}")),
                client_id: Some(thaid::CLIENT_ID.to_owned()),
                client_secret: Some(thaid::CLIENT_SECRET.to_owned()),
            },
            None => ThaidSettings::default(),
        },
    };
    let app = Application::build_with_clock(settings, options.clock)
        .await
        .expect("build the app");
    let base = format!("http://127.0.0.1:{}", app.port());
    let server = app.handle();
    actix_web::rt::spawn(app.run());
    let thaid = match thaid_port {
        Some((port, tokens)) => Some(
            thaid::ThaidStandIn::start(port, &kaset::services::thaid::redirect_uri(&base), tokens)
                .await,
        ),
        None => None,
    };
    TestApp {
        base,
        clock: options.clock,
        server,
        client: new_client(),
        smtp,
        sms,
        line,
        thaid,
        database_url,
        cleanup,
    }
}

/// A port nobody listens on now: for a provider whose issuer Kaset must know before it
/// starts, and for the browser tests' chromedriver.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .expect("HTTP client")
}

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Page {
    pub fn csrf_token(&self) -> String {
        self.input_value("csrf_token")
            .expect("the page has a form with a CSRF token")
    }

    /// The value of the first `<input name="…">` on the page.
    pub fn input_value(&self, name: &str) -> Option<String> {
        let html = scraper::Html::parse_document(&self.body);
        let selector = scraper::Selector::parse(&format!("input[name=\"{name}\"]")).ok()?;
        html.select(&selector)
            .next()
            .and_then(|e| e.value().attr("value").map(str::to_owned))
    }

    /// The names of the page's inputs whose name starts with `prefix`, in page order.
    pub fn input_names(&self, prefix: &str) -> Vec<String> {
        let html = scraper::Html::parse_document(&self.body);
        let selector = scraper::Selector::parse("input[name]").expect("valid selector");
        html.select(&selector)
            .filter_map(|e| e.value().attr("name"))
            .filter(|name| name.starts_with(prefix))
            .map(str::to_owned)
            .collect()
    }

    /// The text of every element matching a CSS selector.
    pub fn texts(&self, css: &str) -> Vec<String> {
        let html = scraper::Html::parse_document(&self.body);
        let selector = scraper::Selector::parse(css).expect("valid selector");
        html.select(&selector)
            .map(|e| e.text().collect::<String>().trim().to_owned())
            .collect()
    }

    pub fn h1(&self) -> String {
        self.texts("h1").join(" ")
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> Page {
        self.get_with(&self.client, path).await
    }

    pub async fn get_with(&self, client: &reqwest::Client, path: &str) -> Page {
        let response = client.get(self.url(path)).send().await.expect("GET");
        into_page(response).await
    }

    /// Posts exactly these fields (no CSRF token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let response = self
            .client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("POST");
        into_page(response).await
    }

    /// Posts a multipart form (as a browser does for a form with files): text fields, then
    /// files as (field, file name, bytes).
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, Vec<u8>)],
    ) -> Page {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        for (name, file_name, bytes) in files {
            form = form.part(
                name.to_string(),
                reqwest::multipart::Part::bytes(bytes.clone()).file_name(file_name.to_string()),
            );
        }
        let response = self
            .client
            .post(self.url(path))
            .multipart(form)
            .send()
            .await
            .expect("POST multipart");
        into_page(response).await
    }

    /// Opens `form_page`, takes its CSRF token, and posts the fields to `action`, as a browser does.
    pub async fn submit(&self, form_page: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.get(form_page).await;
        let token = page.csrf_token();
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(action, &all).await
    }

    pub async fn login(&self, login: &str, password: &str) -> Page {
        self.login_with(&self.client, login, password).await
    }

    /// Logs in with another browser (its own cookies), as a second person would.
    pub async fn login_with(&self, client: &reqwest::Client, login: &str, password: &str) -> Page {
        let token = self.get_with(client, "/login").await.csrf_token();
        let response = client
            .post(self.url("/login"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("login", login),
                ("password", password),
            ])
            .send()
            .await
            .expect("POST /login");
        into_page(response).await
    }

    pub async fn login_as(&self, login: &str) {
        let page = self.login(login, DEMO_PASSWORD).await;
        assert_eq!(page.status, 303, "demo login {login} failed: {}", page.body);
    }

    pub async fn logout(&self) {
        let page = self.get("/").await;
        let token = page.csrf_token();
        let response = self.post_raw("/logout", &[("csrf_token", &token)]).await;
        assert_eq!(response.status, 303);
    }

    /// Runs a query on this test's database.
    pub fn db(&self) -> kaset::db::PooledConn {
        let pool = kaset::db::connect(&self.database_url, 1).expect("connect to the test database");
        pool.get().expect("test database connection")
    }
}

pub async fn into_page(response: reqwest::Response) -> Page {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let location = headers
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.text().await.expect("body");
    Page {
        status,
        location,
        body,
        headers,
    }
}

/// The demo farmer's household id.
pub fn demo_household_id(app: &TestApp) -> i32 {
    use diesel::prelude::*;
    use kaset::db::schema::households;
    households::table
        .filter(households::registry_number.eq(kaset::db::seed::DEMO_FARMER_REGISTRY))
        .select(households::id)
        .first(&mut *app.db())
        .unwrap()
}

/// Owned form fields as `post_multipart` and `post_raw` take them.
pub fn as_fields(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// The administrator declares a flood over the demo farmer's tambon on the page (which
/// drafts the relief claims), begun 2 days ago, with damage reports accepted for
/// `reports_for_days` more days; signs out again. The page the declaration answered with.
pub async fn declare_flood_on_the_page(
    app: &TestApp,
    reports_for_days: i64,
    description: &str,
) -> Page {
    let today = app.clock.today();
    app.login_as(ADMIN).await;
    let declared = app
        .submit(
            "/admin/disasters",
            "/admin/disasters",
            &[
                ("hazard", "flood"),
                (
                    "started_on",
                    &(today - chrono::Duration::days(2)).to_string(),
                ),
                ("ended_on", ""),
                (
                    "claims_close_on",
                    &(today + chrono::Duration::days(reports_for_days)).to_string(),
                ),
                ("description", description),
                ("areas", "320101"),
            ],
        )
        .await;
    assert_eq!(declared.status, 200, "{}", declared.body);
    app.logout().await;
    declared
}

/// A flood declared over the demo farmer's tambon, straight into the database (as another
/// system would write it: no page re-decides anyone, no claim is drafted).
pub fn declare_flood(app: &TestApp) {
    with_flood(app, |conn, flood| {
        kaset::db::disasters::insert(conn, flood, app.clock.now()).unwrap();
    });
}

/// A flood declared over the demo farmer's tambon as the administrator's page declares it:
/// every household there is decided again and has its relief claim drafted.
pub fn declare_flood_and_draft_claims(app: &TestApp) {
    let rules = kaset::app::load_rules(&rules_dir()).unwrap();
    let notify = kaset::services::entitlements::Notify {
        enabled: true,
        public_url: app.base.clone(),
    };
    with_flood(app, |conn, flood| {
        kaset::services::disasters::declare(conn, &rules, &notify, flood, app.clock.now()).unwrap();
    });
}

fn with_flood(
    app: &TestApp,
    declare: impl FnOnce(&mut kaset::db::DbConn, &kaset::db::disasters::NewDisaster<'_>),
) {
    use diesel::prelude::*;
    use kaset::db::schema::users;
    let admin: i32 = users::table
        .filter(users::email.eq(crate::support::ADMIN))
        .select(users::id)
        .first(&mut *app.db())
        .unwrap();
    let tambons = ["320101".to_owned()];
    let flood = kaset::db::disasters::NewDisaster {
        hazard: "flood",
        started_on: app.clock.today() - chrono::Duration::days(3),
        ended_on: None,
        claims_close_on: app.clock.today() + chrono::Duration::days(27),
        description: "ประกาศจังหวัดสุรินทร์ ที่ 3/2569",
        declared_by: Some(admin),
        tambons: &tambons,
    };
    declare(&mut app.db(), &flood);
}
