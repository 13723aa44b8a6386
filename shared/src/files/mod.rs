//! Files both ways, in the private S3 bucket: uploads (multipart, presigned parts, under a
//! quarantine prefix until `inspect` passes them), a project's shared files, file requests,
//! and presigned downloads and previews. Browsers never get bucket access, only presigned URLs.

mod downloads;
pub mod form_uploads;
pub mod inspect;
mod multipart;
pub mod project_files;
pub mod requests;
pub mod routes;
pub mod svg;
pub mod transfers;
mod uploads;
pub mod views;

use std::sync::Arc;

use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_s3::config::ProvideCredentials;
use time::OffsetDateTime;

pub use downloads::{DOWNLOAD_TTL, DownloadLink, content_disposition, inline_disposition};
pub use inspect::{ALLOWED_CONTENT_TYPES, previewable};
pub use multipart::{PART_URL_TTL, StoredPart};
pub use uploads::{PolicyRequest, UPLOAD_TTL, UploadForm, safe_filename, sign_post_policy};

use crate::aws::LazyClient;
use crate::domain::{Actor, Error};

/// Who uploads or takes a step, as files and requests name them.
#[derive(Debug, Clone)]
pub struct Person {
    pub actor: Actor,
    pub name: String,
}

impl Person {
    fn is_client(&self) -> bool {
        matches!(self.actor, Actor::Contact(_))
    }
}

/// The bucket and what it takes to sign for it. Cheap to clone.
#[derive(Clone, Debug)]
pub struct FileStore {
    s3: LazyClient<aws_sdk_s3::Client>,
    bucket: Arc<str>,
    /// The function's own credentials, to sign upload forms (S3 POST policies).
    credentials: Option<SharedCredentialsProvider>,
    region: Arc<str>,
    /// Where browsers POST uploads: `UPLOAD_URL`, else a custom endpoint (the emulator), else S3.
    upload_base: Option<Arc<str>>,
    /// Largest file an upload form allows.
    pub max_upload_bytes: u64,
}

/// What S3 says about an uploaded object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    pub size: u64,
    pub content_type: String,
}

impl FileStore {
    pub fn new(
        s3: LazyClient<aws_sdk_s3::Client>,
        sdk: &aws_config::SdkConfig,
        bucket: &str,
        upload_url: Option<&str>,
        max_upload_bytes: u64,
    ) -> Self {
        Self {
            s3,
            bucket: Arc::from(bucket),
            credentials: sdk.credentials_provider(),
            region: Arc::from(sdk.region().map_or("us-east-1", |r| r.as_ref())),
            upload_base: upload_url.or(sdk.endpoint_url()).map(Arc::from),
            max_upload_bytes,
        }
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The S3 client, built on first use.
    pub fn client(&self) -> &aws_sdk_s3::Client {
        self.s3.get()
    }

    /// A five-minute GET link that downloads `key` as `filename`.
    pub async fn download_link(
        &self,
        key: &str,
        filename: &str,
        content_type: &str,
    ) -> Result<(String, OffsetDateTime), Error> {
        downloads::presign_download(self.s3.get(), &self.bucket, key, content_disposition(filename), content_type).await
    }

    /// A five-minute GET link that shows `key` in the page (images, PDFs).
    pub async fn preview_link(
        &self,
        key: &str,
        filename: &str,
        content_type: &str,
    ) -> Result<(String, OffsetDateTime), Error> {
        downloads::presign_download(self.s3.get(), &self.bucket, key, inline_disposition(filename), content_type).await
    }

    /// A presigned URL as the browser must call it: locally through `UPLOAD_URL` (the dev
    /// server's proxy to the emulator), in AWS unchanged.
    fn browser_url(&self, presigned: &str) -> String {
        let Some(base) = self.upload_base.as_deref() else { return presigned.to_owned() };
        match url::Url::parse(presigned) {
            Ok(url) => {
                let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
                format!("{}{}{query}", base.trim_end_matches('/'), url.path())
            }
            Err(_) => presigned.to_owned(),
        }
    }

    /// An upload form for exactly `key`, signed with the function's own credentials.
    pub async fn upload_form(&self, key: &str, upload_id: ulid::Ulid, content_type: &str) -> Result<UploadForm, Error> {
        let provider = self.credentials.as_ref().ok_or_else(|| Error::internal("no AWS credentials provider"))?;
        let credentials = provider.provide_credentials().await.map_err(Error::internal)?;
        let now = OffsetDateTime::now_utc();
        let (_, fields) = sign_post_policy(&PolicyRequest {
            bucket: &self.bucket,
            key,
            content_type,
            max_bytes: self.max_upload_bytes,
            region: &self.region,
            access_key: credentials.access_key_id(),
            secret_key: credentials.secret_access_key(),
            session_token: credentials.session_token(),
            now,
            ttl: UPLOAD_TTL,
        })?;
        let url = match self.upload_base.as_deref() {
            Some(base) => format!("{}/{}", base.trim_end_matches('/'), self.bucket),
            None => format!("https://{}.s3.{}.amazonaws.com/", self.bucket, self.region),
        };
        Ok(UploadForm { url, fields, upload_id, max_bytes: self.max_upload_bytes, expires_at: now + UPLOAD_TTL })
    }

    /// The object at `key`, if it is there (HeadObject).
    pub async fn stat(&self, key: &str) -> Result<Option<StoredObject>, Error> {
        match self.s3.get().head_object().bucket(&*self.bucket).key(key).send().await {
            Ok(head) => Ok(Some(StoredObject {
                size: u64::try_from(head.content_length().unwrap_or(0)).unwrap_or(0),
                content_type: head.content_type().unwrap_or("application/octet-stream").to_owned(),
            })),
            Err(error) if error.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(None),
            Err(error) => {
                tracing::warn!(error = %aws_smithy_types::error::display::DisplayErrorContext(&error), "HeadObject failed");
                Err(Error::Unavailable)
            }
        }
    }
}
