//! The emulator: one moto server per test binary (started on a free port, stopped when the
//! binary exits), the SDK pointed at it, and the portal's test configuration.

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region};
use aws_sdk_dynamodb::config::Credentials;
use shared::config::Config;

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// An emulator's base URL: the tests take turns over a few moto processes, started on first use
/// (`MOTO_PROCESSES`, 2 by default). One moto is one Python process, so one busy core: with one,
/// every test of the suite queued behind the others' requests; each portal has its own table
/// and bucket, so which emulator serves it does not matter.
pub fn moto_endpoint() -> &'static str {
    static ENDPOINTS: OnceLock<Vec<String>> = OnceLock::new();
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let endpoints = ENDPOINTS.get_or_init(|| {
        let count = std::env::var("MOTO_PROCESSES").ok().and_then(|n| n.parse().ok()).unwrap_or(2usize).max(1);
        // Started side by side: each takes a second or two to import moto.
        let starting: Vec<_> = (0..count).map(|_| std::thread::spawn(start_moto)).collect();
        starting.into_iter().map(|handle| handle.join().unwrap()).collect()
    });
    &endpoints[NEXT.fetch_add(1, Ordering::Relaxed) % endpoints.len()]
}

fn start_moto() -> String {
    // moto with DynamoDB's write isolation (tools/moto_server.py says why).
    let binary =
        std::env::var_os("MOTO_PYTHON").map(PathBuf::from).unwrap_or_else(|| workspace_root().join(".venv/bin/python"));
    assert!(binary.exists(), "{} not found: run `make test` (it creates .venv)", binary.display());
    let server = workspace_root().join("tools/moto_server.py");
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    // A watchdog shell stops moto when this test process exits, however it exits.
    let script = r#"MOTO_DISABLE_GLOBAL_CORS=1 "$0" "$2" -H 127.0.0.1 -p "$1" >/dev/null 2>&1 & moto=$!
parent=$PPID
while kill -0 "$parent" 2>/dev/null && kill -0 "$moto" 2>/dev/null; do sleep 1; done
kill "$moto" 2>/dev/null"#;
    // The watchdog lives as long as this process (a test binary exits without reaping it);
    // it stops moto itself.
    #[allow(clippy::zombie_processes)]
    let _watchdog = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(&binary)
        .arg(port.to_string())
        .arg(&server)
        .stdin(Stdio::null())
        .spawn()
        .expect("start moto_server");
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
        assert!(Instant::now() < deadline, "moto_server did not start on port {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
    format!("http://127.0.0.1:{port}")
}

/// SDK configuration for an endpoint, with the portal's production timeouts and retries.
pub async fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    shared::aws::load_sdk_config(
        aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(endpoint)
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("test", "test", None, None, "tests")),
    )
    .await
}

/// The SDK configuration the API tests run against moto with: production's, but patient. One
/// moto process serves every test on two shared cores and now and then stalls for more than
/// production's 2 s per attempt (DynamoDB answers in milliseconds). Tests of a dead or silent
/// dependency use `sdk_config`, with production's timeouts. Its HTTP client records the calls
/// functions make (`recorder`).
pub async fn moto_sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    let sdk = sdk_config(endpoint).await;
    let recording = super::recorder::wrap(sdk.http_client());
    let mut builder = sdk.into_builder();
    builder.set_http_client(recording);
    builder
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(std::time::Duration::from_secs(2))
                .operation_attempt_timeout(std::time::Duration::from_secs(10))
                .operation_timeout(std::time::Duration::from_secs(20))
                .build(),
        )
        .build()
}

pub const SENDER: &str = "portal@agency.example";
pub const PUBLIC_URL: &str = "https://portal.agency.example";

pub fn test_config(table: &str, bucket: &str) -> Config {
    let values: HashMap<&str, String> = HashMap::from([
        ("TABLE_NAME", table.to_owned()),
        ("FILES_BUCKET", bucket.to_owned()),
        ("SENDER_EMAIL", SENDER.to_owned()),
        ("PUBLIC_URL", PUBLIC_URL.to_owned()),
        ("JWT_SECRET", "test-secret-test-secret-test-secret!".to_owned()),
        ("AGENCY_NAME", "Brightside Studio".to_owned()),
        // The timing floor has a test of its own; elsewhere it would only slow every sign-in.
        ("LOGIN_RESPONSE_FLOOR_MS", "0".to_owned()),
        // Mail names a configuration set, as in production (and so the IAM check sees it).
        ("SES_CONFIGURATION_SET", devkit::CONFIGURATION_SET.to_owned()),
    ]);
    Config::from_lookup(|name| values.get(name).cloned()).unwrap()
}
