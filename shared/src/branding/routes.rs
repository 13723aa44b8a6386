//! The `branding` function: the public, cacheable branding every page starts with (and the
//! logo image), and the agency owners' routes that change it. Each change is audited.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRef, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};

use super::logo::{self, MAX_UPLOAD_BYTES};
use super::{BrandingInput, changes, current};
use crate::auth::{AgencyOwner, Sessions};
use crate::config::Config;
use crate::domain::{Actor, Error};
use crate::domain::{Branding, ratio_text};
use crate::http::{ApiError, ApiResult, Json, Query};
use crate::store::{Store, StoreError, StoredLogo};

/// Pages ask for the branding on every load: browsers and CloudFront may reuse it for a minute
/// (and serve it stale while asking again), so a change reaches every open portal within that.
const BRANDING_CACHE: &str = "public, max-age=60, stale-while-revalidate=600";
/// A versioned logo URL never changes meaning.
const VERSIONED_LOGO_CACHE: &str = "public, max-age=31536000, immutable";
const LOGO_CACHE: &str = "public, max-age=60";
/// Two owners saving at the same moment: the loser reads again and reapplies its change.
const SAVE_ATTEMPTS: usize = 3;

pub fn branding<S: Clone + Send + Sync + 'static>() -> Router<S>
where
    Store: FromRef<S>,
    Arc<Config>: FromRef<S>,
    Sessions: FromRef<S>,
{
    Router::new()
        .route("/api/branding", get(public_branding))
        .route("/api/branding/logo", get(logo_image))
        .route("/api/admin/branding", get(branding_settings).put(change_branding))
        .route(
            "/api/admin/branding/logo",
            axum::routing::put(upload_logo).delete(remove_logo).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 1)),
        )
}

/// What pages and the settings form show.
#[derive(Debug, Clone, Serialize)]
pub struct BrandingView {
    pub agency_name: String,
    pub accent: String,
    /// The accent lightened for text on the dark theme.
    pub accent_on_dark: String,
    /// Contrast of the accent against the page, like "7.24:1".
    pub accent_contrast: String,
    pub support_email: Option<String>,
    pub footer_links: Vec<crate::domain::FooterLink>,
    /// The uploaded logo (versioned, cacheable forever), or `null` for the portal's own mark.
    pub logo_url: Option<String>,
}

impl From<Branding> for BrandingView {
    fn from(branding: Branding) -> Self {
        Self {
            accent_on_dark: branding.accent.on_dark(),
            accent_contrast: ratio_text(branding.accent.contrast()),
            accent: branding.accent.as_str().to_owned(),
            agency_name: branding.agency_name,
            support_email: branding.support_email.map(|email| email.to_string()),
            footer_links: branding.footer_links,
            logo_url: branding.logo_version.map(|version| format!("/api/branding/logo?v={version}")),
        }
    }
}

fn cacheable(body: impl IntoResponse, policy: &'static str) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    response
}

async fn public_branding(State(store): State<Store>, State(config): State<Arc<Config>>) -> ApiResult<Response> {
    let view = BrandingView::from(current(&store, &config).await?);
    Ok(cacheable(axum::Json(view), BRANDING_CACHE))
}

#[derive(Deserialize)]
struct LogoVersion {
    v: Option<String>,
}

async fn logo_image(State(store): State<Store>, Query(asked): Query<LogoVersion>) -> ApiResult<Response> {
    let logo = store.logo().await?.ok_or(Error::NotFound)?;
    let policy = if asked.v.as_deref() == Some(logo.version.as_str()) { VERSIONED_LOGO_CACHE } else { LOGO_CACHE };
    Ok(cacheable(([(header::CONTENT_TYPE, "image/png")], logo.png), policy))
}

async fn branding_settings(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    _: AgencyOwner,
) -> ApiResult<axum::Json<BrandingView>> {
    Ok(axum::Json(current(&store, &config).await?.into()))
}

/// Reads the branding, applies `change` and saves it with its audit event; when another save
/// came in between, reads again and reapplies (a change never silently undoes another).
async fn save(
    store: &Store,
    config: &Config,
    mut change: impl FnMut(&Branding) -> Result<(Branding, Option<Option<StoredLogo>>, String, String), Error>,
    actor: &Actor,
) -> Result<Branding, Error> {
    for _ in 0..SAVE_ATTEMPTS {
        let before = current(store, config).await?;
        let (mut after, logo, action, summary) = change(&before)?;
        after.revision = before.revision + 1;
        let audit = actor.audit(None, &action, "agency:branding".to_owned(), summary);
        match store.save_branding(&after, logo.as_ref().map(Option::as_ref), &audit).await {
            Ok(()) => return Ok(after),
            Err(StoreError::ConditionFailed) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Err(Error::conflict("conflict", "The branding changed while you were saving. Reload and try again."))
}

async fn change_branding(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    AgencyOwner(actor): AgencyOwner,
    Json(input): Json<BrandingInput>,
) -> ApiResult<axum::Json<BrandingView>> {
    let saved = save(
        &store,
        &config,
        |before| {
            let after = input.clone().parse(before)?;
            let summary = changes(before, &after).join("; ");
            Ok((after, None, "branding.update".to_owned(), summary))
        },
        &actor,
    )
    .await?;
    Ok(axum::Json(saved.into()))
}

/// The body is the image itself: sent as an image type or as plain bytes (what it really is,
/// the bytes say). Anything else (a form, JSON, text) is 415.
fn logo_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let declared = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = declared.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if essence.is_empty() || essence == "application/octet-stream" || essence.starts_with("image/") {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType)
    }
}

async fn upload_logo(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    AgencyOwner(actor): AgencyOwner,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<axum::Json<BrandingView>> {
    logo_content_type(&headers)?;
    let prepared = logo::prepare(&body)?;
    let version = ulid::Ulid::new().to_string().to_lowercase();
    let stored = StoredLogo { version: version.clone(), png: prepared.png };
    let summary = format!("logo {}×{} px, {} bytes", prepared.width, prepared.height, stored.png.len());
    let saved = save(
        &store,
        &config,
        |before| {
            let after = Branding { logo_version: Some(version.clone()), ..before.clone() };
            Ok((after, Some(Some(stored.clone())), "branding.logo".to_owned(), summary.clone()))
        },
        &actor,
    )
    .await?;
    Ok(axum::Json(saved.into()))
}

/// Back to the portal's own mark. Removing when there is no logo is fine (nothing changes).
async fn remove_logo(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    AgencyOwner(actor): AgencyOwner,
) -> ApiResult<axum::Json<BrandingView>> {
    let before = current(&store, &config).await?;
    if before.logo_version.is_none() {
        return Ok(axum::Json(before.into()));
    }
    let saved = save(
        &store,
        &config,
        |before| {
            let after = Branding { logo_version: None, ..before.clone() };
            Ok((after, Some(None), "branding.logo_removed".to_owned(), String::new()))
        },
        &actor,
    )
    .await?;
    Ok(axum::Json(saved.into()))
}
