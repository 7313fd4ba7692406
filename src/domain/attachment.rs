//! What a farmer may attach to an application: PDF, JPEG or PNG, told apart by their first
//! bytes (a name or a browser's content type can say anything).

use super::Invalid;

pub const MAX_FILES: usize = 5;
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

/// A file as it arrived: its name, and its bytes unless it was too large to keep.
pub struct Upload {
    pub file_name: String,
    pub bytes: Option<Vec<u8>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
}

impl FileKind {
    /// The kind the content is, or why it is refused.
    pub fn sniff(bytes: &[u8]) -> Result<Self, Invalid> {
        if bytes.is_empty() {
            Err(Invalid::new("error.file.empty"))
        } else if bytes.len() > MAX_FILE_BYTES {
            Err(Invalid::new("error.file.too_large"))
        } else if bytes.starts_with(b"%PDF-") {
            Ok(FileKind::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Ok(FileKind::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Ok(FileKind::Png)
        } else {
            Err(Invalid::new("error.file.kind"))
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Jpeg => "jpg",
            FileKind::Png => "png",
        }
    }
}

/// A file name safe to show and to offer back in a download: the last path part, without
/// control characters or quotes, at most 100 characters.
pub fn display_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';'))
        .take(100)
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        "file".to_owned()
    } else {
        cleaned.to_owned()
    }
}

/// A file checked and ready to be stored.
pub struct CheckedFile {
    pub file_name: String,
    pub kind: FileKind,
    pub bytes: Vec<u8>,
}

/// Checks the uploads of one form against the kinds and limits, given how many files the
/// application already has. The accepted ones, and a message per refused one.
pub fn check(
    uploads: Vec<Upload>,
    already: usize,
) -> (Vec<CheckedFile>, Vec<(String, &'static str)>) {
    let mut accepted = Vec::new();
    let mut refused = Vec::new();
    for upload in uploads {
        let kind = match &upload.bytes {
            None => Err(Invalid::new("error.file.too_large")),
            Some(bytes) => FileKind::sniff(bytes),
        };
        match kind {
            _ if already + accepted.len() >= MAX_FILES => {
                refused.push((upload.file_name, "error.file.too_many"));
            }
            Ok(kind) => accepted.push(CheckedFile {
                file_name: upload.file_name,
                kind,
                bytes: upload.bytes.unwrap_or_default(),
            }),
            Err(invalid) => refused.push((upload.file_name, invalid.key)),
        }
    }
    (accepted, refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_comes_from_the_content_not_the_name() {
        assert_eq!(FileKind::sniff(b"%PDF-1.7\n..."), Ok(FileKind::Pdf));
        assert_eq!(
            FileKind::sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0]),
            Ok(FileKind::Jpeg)
        );
        assert_eq!(FileKind::sniff(b"\x89PNG\r\n\x1a\n\0\0"), Ok(FileKind::Png));
        // An executable named photo.jpg, and a text file, are refused.
        assert_eq!(
            FileKind::sniff(b"MZ\x90\0\x03"),
            Err(Invalid::new("error.file.kind"))
        );
        assert_eq!(
            FileKind::sniff(b"hello"),
            Err(Invalid::new("error.file.kind"))
        );
        assert_eq!(FileKind::sniff(b""), Err(Invalid::new("error.file.empty")));
    }

    #[test]
    fn a_file_over_five_megabytes_is_refused() {
        let mut big = b"%PDF-".to_vec();
        big.resize(MAX_FILE_BYTES + 1, b' ');
        assert_eq!(
            FileKind::sniff(&big),
            Err(Invalid::new("error.file.too_large"))
        );
    }

    #[test]
    fn file_names_lose_their_paths_and_quotes() {
        assert_eq!(display_name("C:\\Users\\a\\โฉนด.pdf"), "โฉนด.pdf");
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(display_name("a\"b;.png"), "ab.png");
        assert_eq!(display_name(""), "file");
    }
}

/// A file written to the upload directory, to be recorded in the database.
#[derive(Clone, Debug)]
pub struct StoredFile {
    pub file_name: String,
    pub content_type: &'static str,
    pub size_bytes: i32,
    pub sha256: String,
    pub stored_as: String,
}
