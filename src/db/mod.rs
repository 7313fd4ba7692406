//! The database: one connection type for PostgreSQL and SQLite, the pool, migrations, and one
//! module of queries per aggregate.

pub mod actions;
pub mod api_keys;
pub mod applications;
pub mod audit;
pub mod case_checks;
pub mod codes;
pub mod consents;
pub mod data_requests;
pub mod disasters;
pub mod entitlements;
pub mod geography;
pub mod logins;
pub mod notices;
pub mod one_time_codes;
pub mod open_data;
pub mod outbox;
pub mod outreach;
pub mod ratings;
pub mod registry;
pub mod registry_sync;
pub mod reminders;
pub mod schema;
pub mod seed;
pub mod sessions;
pub mod users;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::path::Path;

/// One connection to either backend; the variant is picked by the `DATABASE_URL` scheme.
/// PostgreSQL comes first because SQLite would accept any string as a file name.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs the same diesel expression on the concrete connection inside a `DbConn`, for the few
/// statements diesel's multi-backend connection cannot express (batch inserts).
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::DbConn::Pg($c) => $body,
            $crate::db::DbConn::Sqlite($c) => $body,
        }
    };
}

/// Narrows a boxed query joined with `households` to a staff member's area.
#[macro_export]
macro_rules! within_scope {
    ($query:expr, $scope:expr) => {
        match $scope {
            $crate::domain::AreaScope::National => $query,
            $crate::domain::AreaScope::Province(code) => {
                $query.filter($crate::db::schema::households::province_code.eq(code.clone()))
            }
            $crate::domain::AreaScope::Amphoe(code) => {
                $query.filter($crate::db::schema::households::amphoe_code.eq(code.clone()))
            }
        }
    };
}

/// Runs an insert that a unique key may refuse because someone inserted the same row first:
/// false then. It runs in a savepoint, as a refused insert must not end the caller's
/// transaction on PostgreSQL.
pub fn insert_once<F>(conn: &mut DbConn, insert: F) -> QueryResult<bool>
where
    F: FnOnce(&mut DbConn) -> QueryResult<usize>,
{
    match conn.transaction(insert) {
        Ok(_) => Ok(true),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e),
    }
}

/// A transaction that reads, then writes. On SQLite it takes the write lock at its start
/// (`BEGIN IMMEDIATE`): a deferred transaction that read first cannot upgrade its lock while
/// another connection writes, and fails at once instead of waiting its turn. PostgreSQL needs
/// nothing special. Inside another transaction it is a savepoint, as usual.
pub fn write_transaction<T, E, F>(conn: &mut DbConn, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let DbConn::Sqlite(inner) = conn else {
        return conn.transaction(work);
    };
    let nested = AnsiTransactionManager::transaction_manager_status_mut(inner)
        .transaction_depth()?
        .is_some();
    if nested {
        return conn.transaction(work);
    }
    AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
    match work(conn) {
        Ok(value) => {
            <DbConn as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => {
            // The work's error is the one worth reporting; a failed rollback leaves the
            // connection broken, and the pool discards broken connections.
            let _ = <DbConn as Connection>::TransactionManager::rollback_transaction(conn);
            Err(error)
        }
    }
}

/// What a transaction-scoped lock serialises: counts that must be checked and added to at once.
#[derive(Clone, Copy)]
pub enum LockSpace {
    LoginAccount = 1,
    LoginAddress = 2,
    PageVoter = 3,
}

/// Within a `write_transaction`, waits for other transactions holding the same key to end. On
/// SQLite the transaction's write lock already serialises everything; on PostgreSQL an
/// advisory lock does, released at commit or rollback.
pub fn lock_until_commit(conn: &mut DbConn, space: LockSpace, key: &str) -> QueryResult<()> {
    if let DbConn::Pg(_) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
            .bind::<diesel::sql_types::Integer, _>(space as i32)
            .bind::<diesel::sql_types::Text, _>(key)
            .execute(conn)?;
    }
    Ok(())
}

pub type Pool = r2d2::Pool<ConnectionManager>;
pub type PooledConn = r2d2::PooledConnection<ConnectionManager>;

const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("unsupported DATABASE_URL {0:?}: use postgres://… or sqlite://path")]
    UnsupportedUrl(String),
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("cannot prepare the SQLite connection: {0}")]
    Pragma(#[from] diesel::result::Error),
    #[error("cannot create the database directory {path}: {source}")]
    Directory {
        path: String,
        source: std::io::Error,
    },
    #[error("database pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("migrations failed: {0}")]
    Migration(String),
}

/// Where the data lives, parsed from `DATABASE_URL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    Postgres(String),
    Sqlite(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, DbSetupError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(url.to_owned()))
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            Ok(Self::Sqlite(path.to_owned()))
        } else {
            Err(DbSetupError::UnsupportedUrl(url.to_owned()))
        }
    }
}

/// An r2d2 manager that dispatches on the URL scheme and keeps the real connection error
/// (diesel's stock manager reduces it to "Invalid connection url").
#[derive(Debug)]
pub struct ConnectionManager {
    url: DatabaseUrl,
    /// The longest any one statement may run (PostgreSQL's `statement_timeout`), for the
    /// connections that serve requests; none for batch work.
    statement_timeout_ms: Option<u64>,
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConn;
    type Error = DbSetupError;

    fn connect(&self) -> Result<DbConn, DbSetupError> {
        match &self.url {
            DatabaseUrl::Postgres(url) => {
                let mut conn = PgConnection::establish(url)?;
                if let Some(ms) = self.statement_timeout_ms {
                    conn.batch_execute(&format!("SET statement_timeout = {ms}"))?;
                }
                Ok(DbConn::Pg(conn))
            }
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                // The busy timeout comes first so the other pragmas wait for a writer too.
                // Foreign keys are off by default in SQLite; WAL lets readers run beside a writer.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; \
                     PRAGMA synchronous = NORMAL;",
                )?;
                // WAL is a property of the database file: set once. Asking again while another
                // connection writes (the demo seed at first start) fails at once with "locked".
                #[derive(QueryableByName)]
                struct JournalMode {
                    #[diesel(sql_type = diesel::sql_types::Text)]
                    journal_mode: String,
                }
                let mode: Vec<JournalMode> =
                    diesel::sql_query("PRAGMA journal_mode").load(&mut conn)?;
                if !mode
                    .iter()
                    .any(|m| m.journal_mode.eq_ignore_ascii_case("wal"))
                {
                    conn.batch_execute("PRAGMA journal_mode = WAL;")?;
                }
                Ok(DbConn::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), DbSetupError> {
        conn.batch_execute("SELECT 1").map_err(DbSetupError::from)
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
    }
}

/// Opens the pool (creating the SQLite file's directory if needed) and runs pending migrations.
/// For batch work: a statement may run as long as it needs.
pub fn connect(url: &str, max_size: u32) -> Result<Pool, DbSetupError> {
    connect_with_timeout(url, max_size, None)
}

/// The pool that serves requests: on PostgreSQL a statement that runs longer than
/// `statement_timeout_ms` is cancelled (the request fails, the connection is free again).
/// SQLite has no equivalent that diesel reaches (`sqlite3_progress_handler` is not exposed);
/// there the bound is each query's shape (bounded search words, pages and batches).
pub fn connect_for_requests(
    url: &str,
    max_size: u32,
    statement_timeout_ms: u64,
) -> Result<Pool, DbSetupError> {
    connect_with_timeout(url, max_size, Some(statement_timeout_ms.max(1)))
}

fn connect_with_timeout(
    url: &str,
    max_size: u32,
    statement_timeout_ms: Option<u64>,
) -> Result<Pool, DbSetupError> {
    let url = DatabaseUrl::parse(url)?;
    if let DatabaseUrl::Sqlite(path) = &url {
        if let Some(dir) = Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|source| DbSetupError::Directory {
                path: dir.display().to_string(),
                source,
            })?;
        }
    }
    let pool = r2d2::Pool::builder()
        .max_size(max_size)
        // Connections are opened when first needed: opened all at once at start-up, SQLite's
        // ones raced each other setting WAL mode ("database is locked", retried, but logged).
        .min_idle(Some(0))
        .build(ConnectionManager {
            url,
            statement_timeout_ms,
        })?;
    let mut conn = pool.get()?;
    run_migrations(&mut conn)?;
    Ok(pool)
}

pub fn run_migrations(conn: &mut DbConn) -> Result<(), DbSetupError> {
    let result = match conn {
        DbConn::Pg(c) => c.run_pending_migrations(PG_MIGRATIONS).map(|_| ()),
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|_| ()),
    };
    result.map_err(|e| DbSetupError::Migration(e.to_string()))
}

/// Whether the database answers; used by `/healthz`.
pub fn ping(conn: &mut DbConn) -> QueryResult<()> {
    conn.batch_execute("SELECT 1")
}
