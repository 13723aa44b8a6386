//! S3 operations of an upload: multipart create / presigned parts / list / complete / abort
//! under the quarantine prefix, then the reads the checks need and the move to the final key.
//! Every call goes through the function's own S3 client; browsers only ever hold presigned
//! URLs for one part of one upload.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use aws_smithy_types::error::display::DisplayErrorContext;
use futures_util::{StreamExt, TryStreamExt};

use super::FileStore;
use crate::domain::Error;

/// How long a part URL works: enough for one part on a slow line; the page asks for more as
/// it goes.
pub const PART_URL_TTL: Duration = Duration::from_secs(30 * 60);

/// Assembling parts and copying gigabytes take S3 seconds, not milliseconds: these calls get
/// one long attempt instead of the portal's default (2 s, then a retry). A retry would run a
/// second assembly beside the first.
const LONG_CALL: Duration = Duration::from_secs(25);

/// Above this, a checked file is copied to its final key in parallel ranges (UploadPartCopy)
/// rather than by one CopyObject, so even 5 GB moves within the API's time limit.
pub const COPY_IN_PARTS_ABOVE: u64 = 256 * 1024 * 1024;
/// The size of one copied range, and how many are copied at once.
const COPY_PART: u64 = 128 * 1024 * 1024;
const COPY_PARALLEL: usize = 16;

fn long_call() -> aws_sdk_s3::config::Builder {
    aws_sdk_s3::config::Builder::default()
        .timeout_config(
            TimeoutConfig::builder().operation_attempt_timeout(LONG_CALL).operation_timeout(LONG_CALL).build(),
        )
        .retry_config(RetryConfig::disabled())
}

/// A part S3 holds for an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPart {
    pub number: u32,
    pub size: u64,
    pub etag: String,
}

fn unavailable(what: &str, error: impl std::fmt::Display) -> Error {
    tracing::warn!(%error, "{what} failed");
    Error::Unavailable
}

impl FileStore {
    /// Starts a multipart upload at `key`; S3's upload id.
    pub async fn create_multipart(&self, key: &str, content_type: &str) -> Result<String, Error> {
        let output = self
            .client()
            .create_multipart_upload()
            .bucket(self.bucket())
            .key(key)
            .content_type(content_type)
            .send()
            .await
            .map_err(|e| unavailable("CreateMultipartUpload", DisplayErrorContext(&e)))?;
        output.upload_id.ok_or_else(|| Error::internal("CreateMultipartUpload returned no upload id"))
    }

    /// A PUT URL for one part, with its exact length signed in: S3 refuses any other size.
    pub async fn part_url(&self, key: &str, upload_id: &str, number: u32, length: u64) -> Result<String, Error> {
        let config = PresigningConfig::expires_in(PART_URL_TTL).map_err(Error::internal)?;
        let request = self
            .client()
            .upload_part()
            .bucket(self.bucket())
            .key(key)
            .upload_id(upload_id)
            .part_number(i32::try_from(number).map_err(Error::internal)?)
            .content_length(i64::try_from(length).map_err(Error::internal)?)
            .presigned(config)
            .await
            .map_err(|e| Error::internal(DisplayErrorContext(&e)))?;
        Ok(self.browser_url(request.uri()))
    }

    /// The parts S3 holds so far, in order; `None` when the multipart upload is gone (completed
    /// or aborted).
    pub async fn list_parts(&self, key: &str, upload_id: &str) -> Result<Option<Vec<StoredPart>>, Error> {
        let mut parts = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let result = self
                .client()
                .list_parts()
                .bucket(self.bucket())
                .key(key)
                .upload_id(upload_id)
                .set_part_number_marker(marker.take())
                .send()
                .await;
            let output = match result {
                Ok(output) => output,
                Err(error) if error.raw_response().is_some_and(|r| r.status().as_u16() == 404) => return Ok(None),
                Err(error) => return Err(unavailable("ListParts", DisplayErrorContext(&error))),
            };
            for part in output.parts() {
                parts.push(StoredPart {
                    number: part.part_number().and_then(|n| u32::try_from(n).ok()).unwrap_or(0),
                    size: part.size().and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
                    etag: part.e_tag().unwrap_or_default().to_owned(),
                });
            }
            match output.next_part_number_marker() {
                Some(next) if output.is_truncated() == Some(true) => marker = Some(next.to_owned()),
                _ => break,
            }
        }
        parts.sort_by_key(|p| p.number);
        Ok(Some(parts))
    }

    /// Assembles the parts into one object at `key`.
    pub async fn complete_multipart(&self, key: &str, upload_id: &str, parts: &[StoredPart]) -> Result<(), Error> {
        let completed = CompletedMultipartUpload::builder()
            .set_parts(Some(
                parts
                    .iter()
                    .map(|p| {
                        CompletedPart::builder()
                            .part_number(i32::try_from(p.number).unwrap_or(0))
                            .e_tag(&p.etag)
                            .build()
                    })
                    .collect(),
            ))
            .build();
        self.client()
            .complete_multipart_upload()
            .bucket(self.bucket())
            .key(key)
            .upload_id(upload_id)
            .multipart_upload(completed)
            .customize()
            .config_override(long_call())
            .send()
            .await
            .map_err(|e| unavailable("CompleteMultipartUpload", DisplayErrorContext(&e)))?;
        Ok(())
    }

    /// Drops a multipart upload and its parts (a gone one is fine).
    pub async fn abort_multipart(&self, key: &str, upload_id: &str) -> Result<(), Error> {
        match self.client().abort_multipart_upload().bucket(self.bucket()).key(key).upload_id(upload_id).send().await {
            Ok(_) => Ok(()),
            Err(error) if error.raw_response().is_some_and(|r| r.status().as_u16() == 404) => Ok(()),
            Err(error) => Err(unavailable("AbortMultipartUpload", DisplayErrorContext(&error))),
        }
    }

    /// The first `n` bytes of an object (a ranged GET).
    pub async fn first_bytes(&self, key: &str, n: u64) -> Result<Vec<u8>, Error> {
        let output = self
            .client()
            .get_object()
            .bucket(self.bucket())
            .key(key)
            .range(format!("bytes=0-{}", n.saturating_sub(1)))
            .send()
            .await
            .map_err(|e| unavailable("GetObject", DisplayErrorContext(&e)))?;
        let bytes = output.body.collect().await.map_err(|e| unavailable("GetObject body", e))?;
        let mut bytes = bytes.into_bytes().to_vec();
        bytes.truncate(usize::try_from(n).unwrap_or(usize::MAX));
        Ok(bytes)
    }

    /// An object's tags (a malware scanner's verdict is one).
    pub async fn tags(&self, key: &str) -> Result<Vec<(String, String)>, Error> {
        let output = self
            .client()
            .get_object_tagging()
            .bucket(self.bucket())
            .key(key)
            .send()
            .await
            .map_err(|e| unavailable("GetObjectTagging", DisplayErrorContext(&e)))?;
        Ok(output.tag_set().iter().map(|t| (t.key().to_owned(), t.value().to_owned())).collect())
    }

    /// Copies a checked object to its final key, with the type it was judged to be: one
    /// CopyObject, or for big files ranges copied in parallel.
    pub async fn copy(&self, from: &str, to: &str, size: u64, content_type: &str) -> Result<(), Error> {
        if size > COPY_IN_PARTS_ABOVE {
            return self.copy_in_parts(from, to, size, content_type).await;
        }
        self.client()
            .copy_object()
            .bucket(self.bucket())
            .copy_source(format!("{}/{}", self.bucket(), from))
            .key(to)
            .content_type(content_type)
            .metadata_directive(aws_sdk_s3::types::MetadataDirective::Replace)
            .customize()
            .config_override(long_call())
            .send()
            .await
            .map_err(|e| unavailable("CopyObject", DisplayErrorContext(&e)))?;
        Ok(())
    }

    async fn copy_in_parts(&self, from: &str, to: &str, size: u64, content_type: &str) -> Result<(), Error> {
        let upload_id = self.create_multipart(to, content_type).await?;
        let source = format!("{}/{}", self.bucket(), from);
        let ranges: Vec<(i32, u64, u64)> = (0..size.div_ceil(COPY_PART))
            .map(|i| (i32::try_from(i + 1).unwrap_or(i32::MAX), i * COPY_PART, ((i + 1) * COPY_PART).min(size) - 1))
            .collect();
        let copied: Result<Vec<StoredPart>, Error> = futures_util::stream::iter(ranges)
            .map(|(number, first, last)| {
                let (source, upload_id) = (&source, &upload_id);
                async move {
                    let output = self
                        .client()
                        .upload_part_copy()
                        .bucket(self.bucket())
                        .key(to)
                        .upload_id(upload_id)
                        .part_number(number)
                        .copy_source(source)
                        .copy_source_range(format!("bytes={first}-{last}"))
                        .customize()
                        .config_override(long_call())
                        .send()
                        .await
                        .map_err(|e| unavailable("UploadPartCopy", DisplayErrorContext(&e)))?;
                    let etag = output.copy_part_result().and_then(|r| r.e_tag()).unwrap_or_default().to_owned();
                    Ok(StoredPart { number: u32::try_from(number).unwrap_or(0), size: last - first + 1, etag })
                }
            })
            .buffer_unordered(COPY_PARALLEL)
            .try_collect()
            .await;
        match copied {
            Ok(mut parts) => {
                parts.sort_by_key(|p| p.number);
                self.complete_multipart(to, &upload_id, &parts).await
            }
            Err(error) => {
                let _ = self.abort_multipart(to, &upload_id).await;
                Err(error)
            }
        }
    }

    /// Deletes an object (a missing one is fine).
    pub async fn delete(&self, key: &str) -> Result<(), Error> {
        self.client()
            .delete_object()
            .bucket(self.bucket())
            .key(key)
            .send()
            .await
            .map_err(|e| unavailable("DeleteObject", DisplayErrorContext(&e)))?;
        Ok(())
    }
}
