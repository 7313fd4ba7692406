//! Kaset's integration tests: one binary, one module per area of the users' stories. Every
//! database test runs on SQLite and, with `TEST_DATABASE_URL` set, on PostgreSQL.

mod support;

mod access;
mod accounts;
mod admin;
mod api;
mod applications;
mod browser;
mod entitlements;
mod layers;
mod messages;
mod open_data;
mod pages;
mod privacy;
mod registry;
mod registry_sync;
mod satisfaction;
mod schema;
mod security;
mod thaid;
