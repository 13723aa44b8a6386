//! The composition root: configuration and clients built once per cold start (`AppState`),
//! handed to each feature's router as the pieces it asks for (`FromRef`), wrapped in the
//! layers every function gets, and served by `lambda_http`.

mod lambda;
pub mod metrics;
pub mod telemetry;

use std::sync::Arc;

use aws_config::SdkConfig;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::middleware;

pub use lambda::run;

use crate::auth::{JwtKeys, Sessions};
use crate::aws::LazyClient;
use crate::config::{Config, ConfigError};
use crate::files::FileStore;
use crate::http::{self, CursorKey};
use crate::invoices::{Billing, Harvest};
use crate::mail::Mailer;
use crate::store::Store;

/// Everything a request may need, built once per cold start. Building makes no network call
/// (credentials and endpoints resolve lazily; SES and S3 clients are built on first use).
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    pub mailer: Mailer,
    pub files: FileStore,
    pub jwt: Arc<JwtKeys>,
    pub cursors: Arc<CursorKey>,
    /// Harvest (`None` when not configured) and the invoice cache's lifetime.
    pub billing: Billing,
}

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error(transparent)]
    Config(#[from] ConfigError),
}

impl AppState {
    /// Reads configuration from the environment and builds the SDK clients.
    pub async fn from_env() -> Result<Self, InitError> {
        let config = Config::from_env()?;
        let sdk = crate::aws::load_sdk_config(crate::aws::lambda_config_loader()).await;
        Ok(Self::new(config, &sdk))
    }

    pub fn new(config: Config, sdk: &SdkConfig) -> Self {
        let store = Store::new(aws_sdk_dynamodb::Client::new(sdk), config.table_name.as_str());
        let shared_sdk = Arc::new(sdk.clone());
        let mailer = Mailer::new(LazyClient::new(&shared_sdk), &config.sender_email)
            .with_configuration_set(config.notifications.configuration_set.clone());
        let files = FileStore::new(
            LazyClient::new(&shared_sdk),
            sdk,
            &config.files_bucket,
            config.upload_url.as_deref(),
            config.upload_max_bytes,
        );
        Self {
            jwt: Arc::new(JwtKeys::new(&config)),
            cursors: Arc::new(CursorKey::new(config.jwt_secret.as_bytes())),
            billing: Billing {
                harvest: config.harvest.as_ref().map(Harvest::new),
                cache_ttl: config.invoice_cache_ttl,
                agency: config.agency_name.as_str().into(),
            },
            config: Arc::new(config),
            store,
            mailer,
            files,
        }
    }
}

impl FromRef<AppState> for Arc<Config> {
    fn from_ref(state: &AppState) -> Self {
        Arc::clone(&state.config)
    }
}

impl FromRef<AppState> for Store {
    fn from_ref(state: &AppState) -> Self {
        state.store.clone()
    }
}

impl FromRef<AppState> for Mailer {
    fn from_ref(state: &AppState) -> Self {
        state.mailer.clone()
    }
}

impl FromRef<AppState> for FileStore {
    fn from_ref(state: &AppState) -> Self {
        state.files.clone()
    }
}

impl FromRef<AppState> for Sessions {
    fn from_ref(state: &AppState) -> Self {
        Sessions { store: state.store.clone(), keys: Arc::clone(&state.jwt), cursors: Arc::clone(&state.cursors) }
    }
}

impl FromRef<AppState> for Billing {
    fn from_ref(state: &AppState) -> Self {
        state.billing.clone()
    }
}

/// Wraps a feature's routes with what every function needs: JSON 404/405, the deferred
/// session check, the same-origin and edge guards, the default body limit, response headers.
pub fn finish(routes: Router<AppState>, state: AppState) -> Router {
    let config = Arc::clone(&state.config);
    routes
        .fallback(http::not_found)
        .method_not_allowed_fallback(http::method_not_allowed)
        .layer(middleware::from_fn(crate::auth::confirm_session))
        .layer(middleware::from_fn_with_state(Arc::clone(&config), http::same_origin_guard))
        .layer(middleware::from_fn_with_state(config, http::edge_guard))
        .layer(DefaultBodyLimit::max(http::MAX_BODY_BYTES))
        .layer(middleware::from_fn(http::response_headers))
        .with_state(state)
}

/// One router per Lambda function, by the function's name in `template.yaml`.
pub fn function_router(function: &str) -> Option<fn() -> Router<AppState>> {
    Some(match function {
        "login" => crate::auth::routes::login,
        "verify" => crate::auth::routes::verify,
        "session" => crate::auth::routes::session,
        "passkeys" => crate::auth::routes::passkeys,
        "projects" => crate::portal::routes::projects,
        "dashboard" => crate::portal::routes::dashboard,
        "messages" => crate::portal::routes::messages,
        "invoices" => crate::invoices::routes::invoices,
        "admin" => crate::admin::routes::admin,
        "team" => crate::team::routes::team,
        "files" => crate::files::routes::files,
        "notifications" => crate::notify::routes::notifications,
        "branding" => crate::branding::routes::branding,
        _ => return None,
    })
}

/// The finished router of one function, as its Lambda serves it.
pub fn router(routes: fn() -> Router<AppState>, state: AppState) -> Router {
    finish(routes(), state)
}
