//! Integration tests: the real routers and SDK clients against a moto server over HTTP.
//! One binary (linking the SDK once), one table per test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod admin;
mod backup;
mod billing;
mod branding;
mod codebase;
mod files;
mod helpers;
mod http_errors;
mod iam;
mod invoices;
mod notifications;
mod operations;
mod passkeys;
mod portal;
mod privacy;
mod roles;
mod routes;
mod signin;
mod team;
mod tenancy;
