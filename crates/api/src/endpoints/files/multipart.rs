//! The upload body: `multipart/form-data` read part by part as it arrives
//! (poem-openapi's `Multipart`/`Upload` would first copy each file into a
//! temporary file), documented in the spec as the form it is.

use bytes::Bytes;
use confab_application::ValidationErrors;
use confab_application::files::UploadError;
use futures_util::Stream;
use poem::web::{Field, Multipart};
use poem::{FromRequest, Request, RequestBody, http::header};
use poem_openapi::registry::{MetaMediaType, MetaRequest, MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};
use tokio::io::{AsyncRead, AsyncReadExt};

/// The multipart body of `POST /uploads`, not yet read.
pub struct UploadBody {
    /// The parts, read as they arrive.
    pub multipart: Multipart,
    /// The request's `Content-Length`, when declared.
    pub declared: Option<u64>,
}

/// The request body as the spec shows it: a form with one binary part `file`.
fn schema() -> MetaSchemaRef {
    let file = MetaSchema {
        format: Some("binary"),
        description: Some("The file; its part's `filename` becomes the display name."),
        ..MetaSchema::new("string")
    };
    MetaSchemaRef::Inline(Box::new(MetaSchema {
        example: Some(serde_json::json!({"file": "(the file's bytes)"})),
        required: vec!["file"],
        properties: vec![("file", MetaSchemaRef::Inline(Box::new(file)))],
        ..MetaSchema::new("object")
    }))
}

impl<'a> ApiExtractor<'a> for UploadBody {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(_registry: &mut Registry) {}

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: "multipart/form-data",
                schema: schema(),
            }],
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let is_multipart = request
            .content_type()
            .is_some_and(|value| value.starts_with("multipart/form-data"));
        if !is_multipart {
            return Err(poem_openapi::error::ContentTypeError::NotSupported {
                content_type: request.content_type().unwrap_or_default().to_owned(),
            }
            .into());
        }
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse().ok());
        let multipart = <Multipart as FromRequest>::from_request(request, body).await?;
        Ok(Self {
            multipart,
            declared,
        })
    }
}

/// The part named `file`, skipping any other part before it.
pub(super) async fn file_part(multipart: &mut Multipart) -> Result<Field, UploadError> {
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => return Ok(field),
            Ok(Some(_)) => {}
            Ok(None) => {
                return Err(ValidationErrors::single("file", "is required").into());
            }
            Err(error) => {
                tracing::debug!(%error, "an upload's multipart body is malformed");
                return Err(UploadError::BodyUnreadable);
            }
        }
    }
}

/// The bytes of a part, in chunks of up to 64 KiB as they arrive.
pub(super) fn chunks(field: Field) -> impl Stream<Item = std::io::Result<Bytes>> + Send + Unpin {
    let reader: std::pin::Pin<Box<dyn AsyncRead + Send>> = Box::pin(field.into_async_read());
    Box::pin(futures_util::stream::try_unfold(
        reader,
        |mut reader| async move {
            let mut buffer = vec![0_u8; 64 * 1024];
            let read = reader.read(&mut buffer).await?;
            if read == 0 {
                return Ok(None);
            }
            buffer.truncate(read);
            Ok(Some((Bytes::from(buffer), reader)))
        },
    ))
}
