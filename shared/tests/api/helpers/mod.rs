//! The test harness, by concern: the emulator, the in-process gateway, one portal per test
//! (`spawn_app`), and fixtures. Emulator set-up, the fake Harvest and the mailbox reader come
//! from the dev kit.

mod app;
mod emulator;
mod fixtures;
mod gateway;
pub mod recorder;

pub use app::{TestApp, spawn_app};
pub use emulator::{PUBLIC_URL, SENDER, moto_endpoint, moto_sdk_config, sdk_config, test_config, workspace_root};
pub use fixtures::Tenant;
pub use gateway::{ApiRequest, Route, TestResponse, route_for, template_routes};

/// Rate limits count in fixed 15-minute windows; a burst that straddles a window's end starts
/// counting again. Tests that count attempts call this first, so their burst fits one window.
pub async fn clear_of_rate_window_edge() {
    let span = shared::config::Config::LOGIN_RATE_WINDOW.as_secs();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let left = span - now % span;
    if left < 60 {
        tokio::time::sleep(std::time::Duration::from_secs(left + 1)).await;
    }
}
