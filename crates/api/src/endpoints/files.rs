//! `/uploads` and `/files/{id}`: uploads streamed into the object store, and
//! downloads with the headers that keep a browser from running what it fetched.

use confab_application::files::{
    DownloadError, FileBody, FileService, UploadError, Variant, content_disposition,
};
use confab_application::ports::ByteRange;
use confab_domain::{Upload, UploadId};
use futures_util::TryStreamExt;
use poem::Body;
use poem::http::{HeaderValue, StatusCode, header};
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi, Tags as DeriveTags};

use crate::dto::bounds::PathId;
use crate::dto::files::UploadDto;
use crate::error::Refused;
use crate::security::BearerAuth;

mod multipart;
mod response;

pub use multipart::UploadBody;
pub use response::FileResponse;

/// The upload route, whose body is a file of up to `CONFAB_MAX_UPLOAD_BYTES`: the
/// 1 MiB body limit does not apply to it (the upload counts the bytes itself).
pub const UPLOADS_PATH: &str = "/api/v1/uploads";

#[derive(DeriveTags)]
enum ApiTags {
    /// Uploads and downloads.
    Files,
}

/// `201` with the stored upload.
#[derive(ApiResponse)]
pub enum UploadCreated {
    /// The file is stored; attach it to a message with `attachment_ids`.
    #[oai(status = 201)]
    Created(Json<UploadDto>),
}

/// The file endpoints.
pub struct FilesApi {
    files: FileService,
}

impl FilesApi {
    /// Serves `files`.
    pub fn new(files: FileService) -> Self {
        Self { files }
    }
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Files")]
impl FilesApi {
    /// Upload a file
    ///
    /// A `multipart/form-data` body with one part `file`. The file is streamed to
    /// the store, never held whole in memory; over the upload limit
    /// (`CONFAB_MAX_UPLOAD_BYTES`, 25 MiB by default) it is refused with `413
    /// payload_too_large` (at once when `Content-Length` says so), over my quota
    /// with `413 quota_exceeded`. The content type is sniffed from the bytes; the
    /// part's file name is kept as a display name only. An empty file, or an image
    /// that cannot be decoded, is `422 validation_failed`.
    #[oai(path = "/uploads", method = "post", operation_id = "createUpload")]
    async fn create(
        &self,
        auth: BearerAuth,
        body: UploadBody,
    ) -> Result<UploadCreated, Refused<UploadError>> {
        let UploadBody {
            mut multipart,
            declared,
        } = body;
        let file = multipart::file_part(&mut multipart).await?;
        let filename = file.file_name().map(str::to_owned);
        let upload = self
            .files
            .upload(
                auth.caller().user_id,
                filename.as_deref(),
                declared,
                multipart::chunks(file),
            )
            .await?;
        Ok(UploadCreated::Created(Json(upload.into())))
    }

    /// Download a file
    ///
    /// To its uploader, and to the members of a chat holding a message with it;
    /// anyone else, or once the message is deleted or expired, `404
    /// file_not_found`. Images are served `inline`, everything else as an
    /// `attachment`, with `X-Content-Type-Options: nosniff` and a sandboxing CSP.
    /// `ETag` is the SHA-256 (`If-None-Match` → 304); a single `Range` is answered
    /// with 206 (416 when it does not overlap). With an S3 store, 302 to a
    /// presigned URL valid for 5 minutes.
    #[oai(path = "/files/:id", method = "get", operation_id = "getFile")]
    async fn get(
        &self,
        auth: BearerAuth,
        /// The upload's id.
        id: Path<PathId<UploadId>>,
        /// One byte range, `bytes=start-end`, `bytes=start-` or `bytes=-suffix`.
        #[oai(name = "Range")]
        range: Header<Option<String>>,
        /// The `ETag` of a copy I hold.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> Result<FileResponse, Refused<DownloadError>> {
        let range = range.0.as_deref().and_then(parse_range);
        self.serve(&auth, id.0.id(), Variant::Original, range, if_none_match.0)
            .await
    }

    /// Download an image's thumbnail
    ///
    /// A JPEG (for JPEG images) or PNG at most 320 px on its long side, made at
    /// upload. Readable as the file is; `404 file_not_found` for files that are
    /// not images.
    #[oai(
        path = "/files/:id/thumbnail",
        method = "get",
        operation_id = "getFileThumbnail"
    )]
    async fn thumbnail(
        &self,
        auth: BearerAuth,
        /// The upload's id.
        id: Path<PathId<UploadId>>,
        /// The `ETag` of a copy I hold.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> Result<FileResponse, Refused<DownloadError>> {
        self.serve(&auth, id.0.id(), Variant::Thumbnail, None, if_none_match.0)
            .await
    }
}

impl FilesApi {
    async fn serve(
        &self,
        auth: &BearerAuth,
        id: UploadId,
        variant: Variant,
        range: Option<ByteRange>,
        if_none_match: Option<String>,
    ) -> Result<FileResponse, Refused<DownloadError>> {
        let upload = self.files.file(auth.caller().user_id, id, variant).await?;
        let etag = etag(&upload, variant);
        if if_none_match.is_some_and(|tags| matches_etag(&tags, &etag)) {
            return Ok(FileResponse::not_modified(&etag));
        }
        let body = self.files.open(&upload, variant, range).await?;
        Ok(match body {
            FileBody::Redirect(url) => FileResponse::redirect(&url),
            FileBody::Stream(object) => {
                let mut response = poem::Response::builder()
                    .status(StatusCode::OK)
                    .header(header::ACCEPT_RANGES, "bytes");
                if let (Some(_), Some((start, end))) = (range, object.range) {
                    response = response.status(StatusCode::PARTIAL_CONTENT).header(
                        header::CONTENT_RANGE,
                        format!("bytes {start}-{end}/{}", object.size),
                    );
                }
                let length = object.range.map_or(0, |(start, end)| end - start + 1);
                let stream = object.body.map_err(std::io::Error::other);
                let mut response = response
                    .header(header::CONTENT_LENGTH, length)
                    .body(Body::from_bytes_stream(stream));
                download_headers(response.headers_mut(), &upload, variant, &etag);
                FileResponse(response)
            }
        })
    }
}

/// The headers of a download: what it is, how to show it, and that nothing in it
/// may run.
fn download_headers(
    headers: &mut poem::http::HeaderMap,
    upload: &Upload,
    variant: Variant,
    etag: &str,
) {
    let (content_type, disposition) = match variant {
        Variant::Original => (upload.content_type.clone(), content_disposition(upload)),
        Variant::Thumbnail => (thumbnail_type(upload).to_owned(), "inline".to_owned()),
    };
    let values = [
        (header::CONTENT_TYPE, content_type),
        (header::CONTENT_DISPOSITION, disposition),
        (header::CACHE_CONTROL, "private".to_owned()),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; sandbox".to_owned(),
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        (header::ETAG, etag.to_owned()),
    ];
    for (name, value) in values {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
}

/// The media type of an image's thumbnail: JPEG for JPEG, PNG for the rest.
fn thumbnail_type(upload: &Upload) -> &'static str {
    if upload.content_type == "image/jpeg" {
        "image/jpeg"
    } else {
        "image/png"
    }
}

/// The strong `ETag` of a download: the file's SHA-256 (its thumbnail's is
/// derived from it).
fn etag(upload: &Upload, variant: Variant) -> String {
    match variant {
        Variant::Original => format!("\"{}\"", upload.sha256),
        Variant::Thumbnail => format!("\"{}-thumbnail\"", upload.sha256),
    }
}

/// Whether an `If-None-Match` list names `etag` (or is `*`).
fn matches_etag(list: &str, etag: &str) -> bool {
    list.split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// One range of a `Range` header; anything else (several ranges, other units,
/// nonsense) is ignored, and the whole file is sent, as RFC 9110 allows.
fn parse_range(value: &str) -> Option<ByteRange> {
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (start, end) = spec.split_once('-')?;
    let (start, end) = (start.trim(), end.trim());
    match (start.is_empty(), end.is_empty()) {
        (true, false) => end.parse().ok().map(ByteRange::Suffix),
        (false, true) => start.parse().ok().map(ByteRange::From),
        (false, false) => {
            let (start, end) = (start.parse().ok()?, end.parse().ok()?);
            (start <= end).then_some(ByteRange::Closed { start, end })
        }
        (true, true) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_as_rfc_9110_writes_them() {
        assert_eq!(
            parse_range("bytes=0-9"),
            Some(ByteRange::Closed { start: 0, end: 9 })
        );
        assert_eq!(parse_range("bytes=5-"), Some(ByteRange::From(5)));
        assert_eq!(parse_range("bytes=-3"), Some(ByteRange::Suffix(3)));
        assert_eq!(parse_range("bytes=9-0"), None);
        assert_eq!(parse_range("bytes=0-1,3-4"), None);
        assert_eq!(parse_range("items=0-1"), None);
    }

    #[test]
    fn etags_match_in_lists_and_weakly() {
        assert!(matches_etag("\"a\", \"b\"", "\"b\""));
        assert!(matches_etag("W/\"b\"", "\"b\""));
        assert!(matches_etag("*", "\"b\""));
        assert!(!matches_etag("\"c\"", "\"b\""));
    }
}
