//! The test harness, by concern: the emulator, the in-process gateway, one portal per test
//! (`spawn_app`), and fixtures. Emulator set-up, the fake Harvest and the mailbox reader come
//! from the dev kit.

mod app;
mod emulator;
mod fixtures;
mod gateway;

pub use app::{TestApp, spawn_app};
pub use emulator::{PUBLIC_URL, SENDER, moto_endpoint, sdk_config, test_config, workspace_root};
pub use fixtures::Tenant;
pub use gateway::{ApiRequest, Route, TestResponse, route_for, template_routes};
