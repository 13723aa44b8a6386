//! Client Portal core, shared by every Lambda function and the `portal` CLI.

pub mod admin;
pub mod api;
pub mod app;
pub mod auth;
pub mod config;
pub mod domain;
pub mod email;
pub mod error;
pub mod files;
pub mod harvest;
pub mod http;
pub mod invoices;
pub mod lambda;
pub mod local;
pub mod markdown;
pub mod models;
pub mod pagination;
pub mod portal;
pub mod signin;
pub mod store;
pub mod telemetry;
pub mod uploads;

pub use app::AppState;
