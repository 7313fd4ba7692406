//! Forms that carry files: `MultipartPost` reads a multipart form (its CSRF token checked like
//! `Posted`), keeping each file's bytes within the limits; and a stored file sent back as a
//! download. The files themselves are kept by `services::files`.

use super::context::check_csrf;
use crate::db::applications::AttachmentRow;
pub use crate::domain::attachment::Upload;
use crate::domain::attachment::{display_name, MAX_FILES, MAX_FILE_BYTES};
use crate::error::AppError;
use crate::services::files;
use actix_multipart::Multipart;
use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use std::collections::HashMap;
use std::path::PathBuf;

/// A text field longer than this is cut to it and marked (no form of Kaset has a longer
/// one), so the form's own check refuses it by name with what fits kept.
const MAX_TEXT_BYTES: usize = 64 * 1024;
/// More parts than any form of Kaset has (its questions, its files, the buttons).
const MAX_PARTS: usize = 100;
/// The whole body: the files a form may carry, and its text.
const MAX_BODY_BYTES: usize = MAX_FILES * MAX_FILE_BYTES + 1024 * 1024;

/// A multipart form whose CSRF token matched: its text fields and its files.
pub struct MultipartPost {
    pub fields: HashMap<String, String>,
    pub uploads: Vec<Upload>,
    /// The text fields that arrived longer than `MAX_TEXT_BYTES` and were cut to it.
    pub cut_short: Vec<String>,
}

impl MultipartPost {
    pub fn field(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

impl FromRequest for MultipartPost {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let unchecked = UncheckedPost::from_request(req, payload);
        Box::pin(async move {
            let UncheckedPost { post, csrf_ok } = unchecked.await?;
            if csrf_ok {
                Ok(post)
            } else {
                Err(AppError::Csrf)
            }
        })
    }
}

/// A multipart form read whether or not its CSRF token matched, for the one place that must
/// not lose what was typed when a session expired mid-form (a draft application). Everything
/// else takes `MultipartPost`.
pub struct UncheckedPost {
    pub post: MultipartPost,
    pub csrf_ok: bool,
}

impl FromRequest for UncheckedPost {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let session = req.get_session();
        let multipart = Multipart::new(req.headers(), payload.take());
        Box::pin(async move {
            let post = read(multipart).await?;
            let token = post.fields.get("csrf_token").map_or("", String::as_str);
            let csrf_ok = check_csrf(&session, token).is_ok();
            Ok(UncheckedPost { post, csrf_ok })
        })
    }
}

/// Reads the parts as they stream: at most `MAX_PARTS` parts and `MAX_BODY_BYTES` in all (else
/// the request is refused before the rest is read), and the bytes of at most `MAX_FILES` files
/// (the names of any more are kept, for the message that refuses them).
async fn read(mut multipart: Multipart) -> Result<MultipartPost, AppError> {
    let mut fields = HashMap::new();
    let mut uploads: Vec<Upload> = Vec::new();
    let mut cut_short = Vec::new();
    let (mut parts, mut body_bytes) = (0, 0);
    while let Some(field) = multipart.next().await {
        // A body that is not multipart, or breaks off: the form cannot be trusted.
        let mut field = field.map_err(|_| AppError::Csrf)?;
        parts += 1;
        if parts > MAX_PARTS {
            return Err(AppError::TooLarge);
        }
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_owned);
        let files_kept = uploads.iter().filter(|u| u.bytes.is_some()).count();
        let limit = match file_name {
            Some(_) if files_kept >= MAX_FILES => 0,
            Some(_) => MAX_FILE_BYTES,
            None => MAX_TEXT_BYTES,
        };
        let mut bytes = Vec::new();
        let mut too_large = false;
        // A part beyond its limit is read to its end (the browser is still sending it), within
        // the body's limit, so a refusal can still be answered with a page.
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| AppError::Csrf)?;
            body_bytes += chunk.len();
            if body_bytes > MAX_BODY_BYTES {
                return Err(AppError::TooLarge);
            }
            let room = limit.saturating_sub(bytes.len());
            if chunk.len() > room {
                too_large = true;
            }
            bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        match file_name {
            // A file input left empty still sends a part, with no name and no bytes.
            Some(file_name) if file_name.is_empty() && bytes.is_empty() => {}
            Some(file_name) => uploads.push(Upload {
                file_name: display_name(&file_name),
                bytes: (!too_large).then_some(bytes),
            }),
            None => {
                if too_large {
                    cut_short.push(name.clone());
                }
                fields.insert(name, text_of(&bytes));
            }
        }
    }
    Ok(MultipartPost {
        fields,
        uploads,
        cut_short,
    })
}

/// The text of a field's bytes; a character cut in two at the limit is dropped, not garbled.
fn text_of(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(error) if error.error_len().is_none() => {
            String::from_utf8_lossy(&bytes[..error.valid_up_to()]).into_owned()
        }
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Sends an attachment as a download, after checking it is the file that was stored.
pub async fn download(dir: PathBuf, row: AttachmentRow) -> Result<HttpResponse, AppError> {
    let bytes = {
        let row = row.clone();
        actix_web::web::block(move || files::read_verified(&dir, &row))
            .await?
            .map_err(AppError::Internal)?
    };
    let ascii_name: String = row
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{}",
        crate::error::percent_encode(&row.file_name)
    );
    Ok(HttpResponse::Ok()
        .content_type(row.content_type.clone())
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}
