//! The two migration sets cannot drift apart: a fresh SQLite and a fresh PostgreSQL database,
//! each migrated as the server does at start-up, hold every table and column of `schema.rs`
//! with a compatible type and the same nullability, and the same tables and indexes by name;
//! and every coded column holds only the codes of its domain enum.

use crate::support::{postgres_url, with_database};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use std::collections::{BTreeMap, BTreeSet};

/// A column as `schema.rs` declares it: its diesel type and whether it may be null.
#[derive(Debug, Clone, PartialEq)]
struct Declared {
    sql_type: String,
    nullable: bool,
}

/// Tables and their columns, read from the text of `src/db/schema.rs` (the file diesel's
/// `table!` macros are compiled from).
fn declared_schema() -> BTreeMap<String, BTreeMap<String, Declared>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/db/schema.rs");
    let text = std::fs::read_to_string(path).expect("read schema.rs");
    let mut tables = BTreeMap::new();
    for block in text.split("diesel::table! {").skip(1) {
        let body = &block[..block.find("\n}").expect("a table block ends")];
        let mut lines = body.lines().map(str::trim).filter(|l| !l.is_empty());
        let header = lines.next().expect("a table name");
        let name = header.split([' ', '(']).next().unwrap().to_owned();
        let mut columns = BTreeMap::new();
        for line in lines {
            let Some((column, ty)) = line.trim_end_matches(',').split_once(" -> ") else {
                continue;
            };
            let (nullable, ty) = match ty.strip_prefix("Nullable<") {
                Some(inner) => (true, inner.trim_end_matches('>')),
                None => (false, ty),
            };
            columns.insert(
                column.trim().to_owned(),
                Declared {
                    sql_type: ty.to_owned(),
                    nullable,
                },
            );
        }
        tables.insert(name, columns);
    }
    tables
}

/// Whether a database's own type name can hold a diesel type.
fn compatible(diesel_type: &str, stored: &str, postgres: bool) -> bool {
    let stored = stored.to_lowercase();
    let accepted: &[&str] = match (diesel_type, postgres) {
        ("Integer", false) => &["integer"],
        ("Integer", true) => &["integer"],
        ("BigInt", false) => &["bigint", "integer"],
        ("BigInt", true) => &["bigint"],
        ("Text", false) => &["text"],
        ("Text", true) => &["text", "character varying"],
        ("Bool", false) => &["boolean", "bool"],
        ("Bool", true) => &["boolean"],
        ("Timestamp", false) => &["timestamp", "datetime"],
        ("Timestamp", true) => &["timestamp without time zone"],
        ("Date", false) => &["date"],
        ("Date", true) => &["date"],
        ("Double", false) => &["double", "real", "double precision"],
        ("Double", true) => &["double precision"],
        ("Binary", false) => &["blob"],
        ("Binary", true) => &["bytea"],
        _ => &[],
    };
    accepted.contains(&stored.as_str())
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
}

#[derive(QueryableByName)]
struct Named {
    #[diesel(sql_type = Text)]
    name: String,
}

/// What one migrated database holds: its columns by table, and its own indexes (not those a
/// primary key or unique constraint makes by itself, whose names differ between the two).
struct Found {
    columns: Vec<Column>,
    indexes: BTreeSet<String>,
}

impl Found {
    fn tables(&self) -> BTreeSet<String> {
        self.columns.iter().map(|c| c.table_name.clone()).collect()
    }
}

const NOT_OURS: &str = "'__diesel_schema_migrations', 'sqlite_sequence'";

fn sqlite_found(conn: &mut SqliteConnection) -> Found {
    let columns = diesel::sql_query(format!(
        "SELECT m.name AS table_name, c.name AS column_name, c.type AS data_type,
                (c.\"notnull\" = 0 AND c.pk = 0) AS nullable
         FROM sqlite_master m, pragma_table_info(m.name) c
         WHERE m.type = 'table' AND m.name NOT IN ({NOT_OURS})"
    ))
    .load(conn)
    .expect("SQLite columns");
    let indexes: Vec<Named> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
    )
    .load(conn)
    .expect("SQLite indexes");
    Found {
        columns,
        indexes: indexes.into_iter().map(|i| i.name).collect(),
    }
}

fn postgres_found(conn: &mut PgConnection) -> Found {
    let columns = diesel::sql_query(format!(
        "SELECT table_name::text, column_name::text, data_type::text,
                (is_nullable = 'YES') AS nullable
         FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name NOT IN ({NOT_OURS})"
    ))
    .load(conn)
    .expect("PostgreSQL columns");
    let indexes: Vec<Named> = diesel::sql_query(
        "SELECT i.relname::text AS name
         FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_namespace n ON n.oid = i.relnamespace
         WHERE n.nspname = 'public'
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
    )
    .load(conn)
    .expect("PostgreSQL indexes");
    Found {
        columns,
        indexes: indexes.into_iter().map(|i| i.name).collect(),
    }
}

/// Every declared column exists with a compatible type and the same nullability.
fn differences_from_declared(
    declared: &BTreeMap<String, BTreeMap<String, Declared>>,
    found: &Found,
    postgres: bool,
) -> Vec<String> {
    let backend = if postgres { "PostgreSQL" } else { "SQLite" };
    let mut wrong = Vec::new();
    for (table, columns) in declared {
        for (name, column) in columns {
            let stored = found
                .columns
                .iter()
                .find(|c| &c.table_name == table && &c.column_name == name);
            match stored {
                None => wrong.push(format!("{backend}: {table}.{name} is missing")),
                Some(stored) => {
                    if !compatible(&column.sql_type, &stored.data_type, postgres) {
                        wrong.push(format!(
                            "{backend}: {table}.{name} is {}, schema.rs says {}",
                            stored.data_type, column.sql_type
                        ));
                    }
                    if stored.nullable != column.nullable {
                        wrong.push(format!(
                            "{backend}: {table}.{name} nullable is {}, schema.rs says {}",
                            stored.nullable, column.nullable
                        ));
                    }
                }
            }
        }
    }
    for stored in &found.columns {
        let known = declared
            .get(&stored.table_name)
            .is_some_and(|columns| columns.contains_key(&stored.column_name));
        if !known {
            wrong.push(format!(
                "{backend}: {}.{} is not in schema.rs",
                stored.table_name, stored.column_name
            ));
        }
    }
    wrong
}

/// A fresh SQLite database, migrated as the server does at start-up.
fn fresh_sqlite(dir: &tempfile::TempDir) -> SqliteConnection {
    let path = dir.path().join("fresh.db");
    kaset::db::connect(&format!("sqlite://{}", path.display()), 1)
        .expect("migrate a fresh SQLite database");
    SqliteConnection::establish(path.to_str().unwrap()).unwrap()
}

/// A fresh PostgreSQL database, migrated as the server does at start-up; dropped at the end.
struct FreshPostgres {
    admin: PgConnection,
    name: String,
    conn: Option<PgConnection>,
}

impl FreshPostgres {
    fn create() -> Option<Self> {
        let admin_url = postgres_url()?;
        let name = format!("kaset_schema_{:08x}", rand::random::<u32>());
        let mut admin = PgConnection::establish(&admin_url).expect("connect to TEST_DATABASE_URL");
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .unwrap();
        let url = with_database(&admin_url, &name);
        drop(kaset::db::connect(&url, 1).expect("migrate a fresh PostgreSQL database"));
        let conn = PgConnection::establish(&url).unwrap();
        Some(Self {
            admin,
            name,
            conn: Some(conn),
        })
    }

    fn conn(&mut self) -> &mut PgConnection {
        self.conn.as_mut().expect("open until dropped")
    }
}

impl Drop for FreshPostgres {
    fn drop(&mut self) {
        self.conn = None;
        let _ = diesel::sql_query(format!("DROP DATABASE {} WITH (FORCE)", self.name))
            .execute(&mut self.admin);
    }
}

#[test]
fn both_databases_migrate_to_the_schema_the_code_is_compiled_against() {
    let declared = declared_schema();
    assert!(declared.len() > 20, "{} tables read", declared.len());
    let dir = tempfile::tempdir().unwrap();
    let sqlite = sqlite_found(&mut fresh_sqlite(&dir));
    let mut wrong = differences_from_declared(&declared, &sqlite, false);
    if let Some(mut postgres) = FreshPostgres::create() {
        let found = postgres_found(postgres.conn());
        wrong.extend(differences_from_declared(&declared, &found, true));
        for table in sqlite.tables().symmetric_difference(&found.tables()) {
            wrong.push(format!("table {table} is on one backend only"));
        }
        for index in sqlite.indexes.symmetric_difference(&found.indexes) {
            wrong.push(format!("index {index} is on one backend only"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} differences:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// The quoted codes of a CHECK clause, in order.
fn quoted(clause: &str) -> Vec<String> {
    clause
        .split('\'')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_coded_column_accepts_exactly_the_codes_of_its_enum() {
    let dir = tempfile::tempdir().unwrap();
    let mut sqlite = fresh_sqlite(&dir);
    let mut postgres = FreshPostgres::create();
    for (column, codes) in kaset::db::codes::coded_columns() {
        let (table, name) = column.split_once('.').unwrap();
        let sql: Vec<Named> = diesel::sql_query(format!(
            "SELECT sql AS name FROM sqlite_master WHERE type = 'table' AND name = '{table}'"
        ))
        .load(&mut sqlite)
        .unwrap();
        let marker = format!("CHECK ({name} IN (");
        let clause = sql[0]
            .name
            .split_once(&marker)
            .map(|(_, rest)| rest.split("))").next().unwrap_or_default())
            .unwrap_or_else(|| panic!("SQLite: {column} has no CHECK"));
        assert_eq!(quoted(clause), codes, "SQLite: {column}");
        if let Some(postgres) = postgres.as_mut() {
            let definition: Vec<Named> = diesel::sql_query(format!(
                "SELECT pg_get_constraintdef(oid) AS name FROM pg_constraint
                 WHERE conname = '{table}_{name}_code'"
            ))
            .load(postgres.conn())
            .unwrap();
            let definition = definition
                .first()
                .unwrap_or_else(|| panic!("PostgreSQL: {column} has no CHECK"));
            assert_eq!(quoted(&definition.name), codes, "PostgreSQL: {column}");
        }
    }
}

/// An error with the errors it wraps, as the server's log shows it.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(&format!(": {inner}"));
        cause = inner.source();
    }
    text
}

#[test]
fn a_stored_code_kaset_does_not_know_is_refused_and_never_read_as_another() {
    use diesel::dsl::sql;
    use kaset::domain::{CaseStatus, Role};
    let dir = tempfile::tempdir().unwrap();
    let mut sqlite = fresh_sqlite(&dir);
    let mut postgres = FreshPostgres::create();
    let insert = "INSERT INTO disasters (hazard, started_on, description, created_at)
                  VALUES ('meteor', '2027-01-01', 'x', '2027-01-01 00:00:00')";
    let refused = diesel::sql_query(insert).execute(&mut sqlite);
    assert!(refused.is_err(), "SQLite stored an unknown hazard");
    let unknown_role = diesel::select(sql::<Text>("'boss'")).get_result::<Role>(&mut sqlite);
    let error = with_causes(&unknown_role.expect_err("'boss' is no role"));
    assert!(
        error.contains("users.role") && error.contains("\"boss\""),
        "{error}"
    );
    if let Some(postgres) = postgres.as_mut() {
        let refused = diesel::sql_query(insert).execute(postgres.conn());
        assert!(refused.is_err(), "PostgreSQL stored an unknown hazard");
        let unknown =
            diesel::select(sql::<Text>("'lost'")).get_result::<CaseStatus>(postgres.conn());
        let error = with_causes(&unknown.expect_err("'lost' is no status"));
        assert!(
            error.contains("applications.status") && error.contains("\"lost\""),
            "{error}"
        );
    }
}
