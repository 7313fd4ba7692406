//! The files of a farmer's draft application, before it is submitted: added (stored, then
//! recorded in one transaction) and taken off again. Submitting is `cases::submit`.

use crate::db::applications::{self as apps, ApplicationRow};
use crate::db::audit::Actor;
use crate::db::DbConn;
use crate::domain::attachment::CheckedFile;
use crate::services::cases::{record_files, CaseError};
use crate::services::files;
use chrono::NaiveDateTime;
use std::path::Path;

/// Stores the files and records them as the draft's attachments; if recording fails, the
/// stored files are removed again.
pub fn attach(
    conn: &mut DbConn,
    upload_dir: &Path,
    draft: &ApplicationRow,
    actor: &Actor,
    checked: Vec<CheckedFile>,
    now: NaiveDateTime,
) -> Result<(), CaseError> {
    files::stored_then(upload_dir, checked, |stored| {
        crate::db::write_transaction(conn, |conn| {
            record_files(conn, draft, actor, None, stored, now)
        })
    })
}

/// Takes a file off a draft and out of the store; says whether the draft had it. A submitted
/// application's files are part of its record and are never removed.
pub fn remove_file(
    conn: &mut DbConn,
    upload_dir: &Path,
    draft_id: i32,
    file_id: i32,
) -> diesel::QueryResult<bool> {
    let Some(removed) = apps::remove_draft_attachment(conn, draft_id, file_id)? else {
        return Ok(false);
    };
    files::remove(upload_dir, &removed.stored_as);
    Ok(true)
}
