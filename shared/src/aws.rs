//! The AWS SDK set-up every function shares: one configuration (timeouts, retries, a deferred
//! TLS client), and SDK clients built on first use. Building makes no network call.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::{HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::shared::IntoShared;

/// An AWS SDK client built on first use instead of at cold start. Every function reads
/// DynamoDB, but few send mail or touch S3: those clients cost the others nothing at init, and
/// since only [`LazyClient::get`] builds one, a function that never calls it does not link the
/// client's construction either.
pub struct LazyClient<C> {
    sdk: Arc<SdkConfig>,
    client: Arc<OnceLock<C>>,
}

impl<C: SdkClient> LazyClient<C> {
    pub fn new(sdk: &Arc<SdkConfig>) -> Self {
        Self { sdk: Arc::clone(sdk), client: Arc::default() }
    }

    pub fn get(&self) -> &C {
        self.client.get_or_init(|| C::build(&self.sdk))
    }
}

impl<C> Clone for LazyClient<C> {
    fn clone(&self) -> Self {
        Self { sdk: Arc::clone(&self.sdk), client: Arc::clone(&self.client) }
    }
}

impl<C> std::fmt::Debug for LazyClient<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LazyClient").field("built", &self.client.get().is_some()).finish_non_exhaustive()
    }
}

/// How the portal builds each lazily made SDK client from the shared configuration.
pub trait SdkClient {
    fn build(sdk: &SdkConfig) -> Self;
}

impl SdkClient for aws_sdk_sesv2::Client {
    fn build(sdk: &SdkConfig) -> Self {
        Self::new(sdk)
    }
}

impl SdkClient for aws_sdk_s3::Client {
    fn build(sdk: &SdkConfig) -> Self {
        // Path-style addressing only against a custom endpoint (the local emulator).
        let config = aws_sdk_s3::config::Builder::from(sdk).force_path_style(sdk.endpoint_url().is_some()).build();
        Self::from_conf(config)
    }
}

/// Lambda puts the function's credentials and region in its environment. Reading them from
/// there, instead of walking the default provider chain (profile files, SSO, ECS, IMDS…),
/// takes a cold start's SDK set-up from about 4 ms to 0.1 ms (`make bench`). Anywhere else
/// (no credentials in the environment) the default chain applies.
pub fn lambda_config_loader() -> aws_config::ConfigLoader {
    let loader = aws_config::defaults(BehaviorVersion::latest());
    let in_env = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if !(in_env("AWS_ACCESS_KEY_ID") && in_env("AWS_SECRET_ACCESS_KEY") && in_env("AWS_REGION")) {
        return loader;
    }
    let region = std::env::var("AWS_REGION").unwrap_or_default();
    loader
        .region(aws_config::Region::new(region))
        .credentials_provider(aws_config::environment::EnvironmentVariableCredentialsProvider::new())
}

/// Applies the portal's timeouts and retries: a dead or silent dependency turns into a 503
/// within seconds instead of hanging until the Lambda times out.
pub async fn load_sdk_config(loader: aws_config::ConfigLoader) -> SdkConfig {
    loader
        .http_client(DeferredTlsClient::https())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(1))
                .operation_attempt_timeout(Duration::from_secs(2))
                .operation_timeout(Duration::from_secs(4))
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(2))
        .load()
        .await
}

/// The SDK's HTTPS client (hyper 1 + rustls on aws-lc, as `default-https-client` builds it),
/// minus its eager TLS set-up: the stock client builds a TLS configuration, parsing every
/// root certificate, each time an SDK client is constructed: about half of a function's init
/// time (`make bench`). Wrapped, the first AWS call builds it, once, and every client shares it
/// (their connector settings are the same).
#[derive(Debug)]
struct DeferredTlsClient(SharedHttpClient);

impl DeferredTlsClient {
    fn https() -> SharedHttpClient {
        let inner =
            aws_smithy_http_client::Builder::new().tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc)).build_https();
        Self(inner).into_shared()
    }
}

impl HttpClient for DeferredTlsClient {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        self.0.http_connector(settings, components)
    }

    // `validate_base_client_config` keeps its default (do nothing): that hook is where the stock
    // client loads certificates at construction time.

    fn connector_metadata(&self) -> Option<aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata> {
        self.0.connector_metadata()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sdk_clients_use_the_deferred_tls_client() {
        let loader = aws_config::defaults(BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url("http://127.0.0.1:1");
        let sdk = load_sdk_config(loader).await;
        let client = sdk.http_client().map(|c| format!("{c:?}")).unwrap_or_default();
        assert!(client.contains("DeferredTlsClient"), "the SDK would build TLS per client at init: {client}");
    }

    #[tokio::test]
    async fn lazy_clients_are_built_once_on_first_use_and_shared_by_clones() {
        let loader = aws_config::defaults(BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url("http://127.0.0.1:1");
        let sdk = Arc::new(load_sdk_config(loader).await);
        let files = LazyClient::<aws_sdk_s3::Client>::new(&sdk);
        let copy = files.clone();
        assert!(format!("{files:?}").contains("built: false"), "built before first use: {files:?}");
        let first: *const aws_sdk_s3::Client = copy.get();
        assert!(format!("{files:?}").contains("built: true"));
        assert!(std::ptr::eq(first, files.get()), "each clone built a client of its own");
    }
}
