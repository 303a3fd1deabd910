//! The port on any `object_store` backend: keys become paths, ranges are resolved
//! here (one answer for every backend), writes go through `WriteMultipart` (parts
//! of 5 MiB, S3's smallest, uploaded while the client still sends).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use confab_application::ports::{
    ByteRange, Delivery, DownloadHeaders, ObjectStore, ObjectWriter, StoreError, StoredObject,
};
use futures_util::stream::{self, BoxStream};
use futures_util::{StreamExt, TryStreamExt, future};
use object_store::path::Path;
use object_store::signer::{Method, Signer};
use object_store::{
    Attribute, Attributes, GetOptions, GetRange, ObjectStore as Backend, ObjectStoreExt,
    PutMultipartOptions, WriteMultipart,
};

use super::range::resolve;

/// Parts of one upload in flight at once: enough to keep S3 busy, few enough that
/// an upload holds at most this many 5 MiB buffers.
const PARTS_IN_FLIGHT: usize = 2;

/// How clients download objects.
pub(super) enum Downloads {
    /// confab streams them (the directory, memory).
    Streamed,
    /// Through a URL this signer presigns; the objects keep their download headers
    /// so the store answers with them.
    Presigned(Arc<dyn Signer>),
}

/// The port over one backend.
pub(super) struct StoreAdapter {
    backend: Arc<dyn Backend>,
    downloads: Downloads,
}

impl StoreAdapter {
    pub(super) fn new(backend: Arc<dyn Backend>, downloads: Downloads) -> Self {
        Self { backend, downloads }
    }
}

#[async_trait]
impl ObjectStore for StoreAdapter {
    async fn writer(
        &self,
        key: &str,
        headers: &DownloadHeaders,
    ) -> Result<Box<dyn ObjectWriter>, StoreError> {
        let mut options = PutMultipartOptions::default();
        if matches!(self.downloads, Downloads::Presigned(_)) {
            options.attributes = download_attributes(headers);
        }
        let upload = self
            .backend
            .put_multipart_opts(&path(key)?, options)
            .await
            .map_err(classify)?;
        Ok(Box::new(Writer {
            upload: Some(WriteMultipart::new(upload)),
        }))
    }

    async fn get(&self, key: &str, range: Option<ByteRange>) -> Result<StoredObject, StoreError> {
        let path = path(key)?;
        let options = match range {
            None => GetOptions::default(),
            Some(range) => {
                let meta = self.backend.head(&path).await.map_err(classify)?;
                let (first, last) = resolve(range, meta.size)?;
                GetOptions {
                    range: Some(GetRange::Bounded(first..last + 1)),
                    // The object the size was read from, not one written since.
                    if_match: meta.e_tag,
                    ..GetOptions::default()
                }
            }
        };
        let found = self
            .backend
            .get_opts(&path, options)
            .await
            .map_err(classify)?;
        let size = found.meta.size;
        let served = found.range.clone();
        Ok(StoredObject {
            size,
            range: (!served.is_empty()).then(|| (served.start, served.end - 1)),
            body: found.into_stream().map_err(classify).boxed(),
        })
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self.backend.delete(&path(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(classify(error)),
        }
    }

    fn list(&self, prefix: &str) -> BoxStream<'static, Result<String, StoreError>> {
        // The backends list whole path segments; the port's prefix is any string,
        // so list its directory and keep the keys that start with it.
        let directory = match prefix.rsplit_once('/') {
            Some((directory, _)) if !directory.is_empty() => match path(directory) {
                Ok(directory) => Some(directory),
                Err(error) => return stream::once(async { Err(error) }).boxed(),
            },
            _ => None,
        };
        let prefix = prefix.to_owned();
        self.backend
            .list(directory.as_ref())
            .filter_map(move |listed| {
                let kept = match listed {
                    Ok(meta) => {
                        let key = meta.location.to_string();
                        key.starts_with(&prefix).then_some(Ok(key))
                    }
                    // A directory never written to is an empty listing.
                    Err(object_store::Error::NotFound { .. }) => None,
                    Err(error) => Some(Err(classify(error))),
                };
                future::ready(kept)
            })
            .boxed()
    }

    async fn delivery(&self, key: &str, valid_for: Duration) -> Result<Delivery, StoreError> {
        match &self.downloads {
            Downloads::Streamed => Ok(Delivery::Stream),
            Downloads::Presigned(signer) => {
                let url = signer
                    .signed_url(Method::GET, &path(key)?, valid_for)
                    .await
                    .map_err(classify)?;
                Ok(Delivery::Redirect(url.to_string()))
            }
        }
    }
}

/// Writes one object in parts. Until `finish` nothing is visible under the key;
/// dropped unfinished, it aborts the upload in the background.
struct Writer {
    /// `None` once finished or aborted.
    upload: Option<WriteMultipart>,
}

impl Writer {
    fn upload(&mut self) -> Result<&mut WriteMultipart, StoreError> {
        self.upload
            .as_mut()
            .ok_or_else(|| StoreError::Unavailable("the upload is already closed".to_owned()))
    }
}

#[async_trait]
impl ObjectWriter for Writer {
    async fn write(&mut self, chunk: Bytes) -> Result<(), StoreError> {
        let upload = self.upload()?;
        upload
            .wait_for_capacity(PARTS_IN_FLIGHT)
            .await
            .map_err(classify)?;
        upload.put(chunk);
        Ok(())
    }

    async fn finish(mut self: Box<Self>) -> Result<(), StoreError> {
        let upload = self.upload.take();
        match upload {
            Some(upload) => upload.finish().await.map(drop).map_err(classify),
            None => Err(StoreError::Unavailable(
                "the upload is already closed".to_owned(),
            )),
        }
    }

    async fn abort(mut self: Box<Self>) -> Result<(), StoreError> {
        match self.upload.take() {
            Some(upload) => upload.abort().await.map_err(classify),
            None => Ok(()),
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // A client that hangs up mid-upload drops the writer: give the parts back
        // (S3 keeps unfinished multipart uploads, and bills them, until aborted).
        if let Some(upload) = self.upload.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(async move {
                if let Err(error) = upload.abort().await {
                    tracing::warn!(%error, "could not abort an unfinished upload");
                }
            });
        }
    }
}

/// The headers a presigned download answers with.
fn download_attributes(headers: &DownloadHeaders) -> Attributes {
    let mut attributes = Attributes::new();
    attributes.insert(Attribute::ContentType, headers.content_type.clone().into());
    attributes.insert(
        Attribute::ContentDisposition,
        headers.content_disposition.clone().into(),
    );
    attributes
}

/// An application-chosen key as a store path (`uploads/<id>`).
fn path(key: &str) -> Result<Path, StoreError> {
    Path::parse(key)
        .map_err(|error| StoreError::Unavailable(format!("object key {key:?}: {error}")))
}

/// A backend error as the port's: a missing object is `NotFound`, the rest means
/// the store is unavailable.
fn classify(error: object_store::Error) -> StoreError {
    match error {
        object_store::Error::NotFound { .. } => StoreError::NotFound,
        other => StoreError::Unavailable(other.to_string()),
    }
}
