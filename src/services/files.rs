//! The store of applications' files: each under a random name in the upload directory (never
//! the farmer's name for it), with its SHA-256 checked whenever it is read back.

use crate::db::applications::AttachmentRow;
use crate::domain::attachment::{CheckedFile, StoredFile};
use rand::RngCore;
use std::path::Path;

/// Writes the files under random names; on any failure, removes what it wrote.
pub fn store(dir: &Path, files: Vec<CheckedFile>) -> std::io::Result<Vec<StoredFile>> {
    std::fs::create_dir_all(dir)?;
    let mut stored: Vec<StoredFile> = Vec::new();
    for file in files {
        let mut name = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut name);
        let stored_as = format!("{}.{}", hex::encode(name), file.kind.extension());
        if let Err(error) = std::fs::write(dir.join(&stored_as), &file.bytes) {
            discard(dir, &stored);
            return Err(error);
        }
        stored.push(StoredFile {
            file_name: file.file_name,
            content_type: file.kind.content_type(),
            size_bytes: i32::try_from(file.bytes.len()).unwrap_or(i32::MAX),
            sha256: crate::domain::sha256_hex(&file.bytes),
            stored_as,
        });
    }
    Ok(stored)
}

/// Removes stored files whose database record was not written (the change was refused).
pub fn discard(dir: &Path, files: &[StoredFile]) {
    for file in files {
        remove(dir, &file.stored_as);
    }
}

/// Removes one stored file; a failure only leaves an orphan file behind, so it is logged.
pub fn remove(dir: &Path, stored_as: &str) {
    if let Err(error) = std::fs::remove_file(dir.join(stored_as)) {
        tracing::warn!(%error, file = stored_as, "could not remove an upload");
    }
}

/// Stores `files`, then runs `record` with them; when `record` fails, the files are removed
/// again, so a refused change leaves no orphan file behind.
pub fn stored_then<T, E>(
    dir: &Path,
    files: Vec<CheckedFile>,
    record: impl FnOnce(&[StoredFile]) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<std::io::Error>,
{
    let stored = store(dir, files)?;
    let recorded = record(&stored);
    if recorded.is_err() {
        discard(dir, &stored);
    }
    recorded
}

/// A stored file's bytes, refused when they are not the file that was stored.
pub fn read_verified(dir: &Path, row: &AttachmentRow) -> anyhow::Result<Vec<u8>> {
    // The stored name is ours (hex and an extension), never the farmer's.
    let bytes = std::fs::read(dir.join(&row.stored_as))?;
    if crate::domain::sha256_hex(&bytes) != row.sha256 {
        anyhow::bail!("attachment {} does not match its checksum", row.id);
    }
    Ok(bytes)
}
