//! The use cases: what happens when a farmer submits, an officer decides, the registry changes
//! or a farmer asks about their data. Each owns its transaction and its notices, and is called
//! alike by the web handlers, the partner API and the background jobs. Services use `db`,
//! `rules`, `domain` and `i18n`; they never see HTTP.

pub mod accounts;
pub mod ants;
pub mod case_checks;
pub mod cases;
pub mod claims;
pub mod dashboard;
pub mod data_requests;
pub mod delivery;
pub mod disasters;
pub mod drafts;
pub mod emails;
pub mod enrolment;
pub mod entitlements;
pub mod explained;
pub mod files;
pub mod housekeeping;
pub mod line_login;
pub mod notify;
pub mod one_time_codes;
pub mod open_data;
pub mod outreach;
pub mod page_answers;
pub mod partner_keys;
pub mod payments;
pub mod personal_data;
pub mod registry_edits;
pub mod registry_sync;
pub mod reminders;
pub mod satisfaction;
pub mod sign_in;
pub mod staff;
pub mod thaid;
