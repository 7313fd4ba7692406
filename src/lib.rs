//! Kaset: Thai farmers' government services, online and proactive.
//!
//! Layout: `web` (HTTP), `domain` (valid-by-construction types), `db` (schema and queries),
//! `jobs` (outbox and background work), `i18n` (Thai and English catalogues).

pub mod app;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod jobs;
pub mod rules;
pub mod services;
pub mod web;
