//! Client Portal core, shared by every Lambda function and the `portal` CLI.
//!
//! Features, each in one folder with its routes, services and views: `auth` (sign-in,
//! sessions, who may do what), `portal` (what a client sees and does), `invoices` (Harvest),
//! `admin` (the agency's side), `team` (contacts, staff, roles and assignments), `files` (S3
//! downloads and uploads), `mail` (SES and every message), `privacy` (a contact's data
//! exported or erased on request).
//! Plumbing below them: `http` (extractors, guards, errors to HTTP), `store` (DynamoDB),
//! `domain` (types and rules' errors), `config`, `aws` (SDK set-up). `app` composes it all.

pub mod admin;
pub mod app;
pub mod auth;
pub mod aws;
pub mod backup;
pub mod branding;
pub mod config;
pub mod domain;
pub mod files;
pub mod http;
pub mod invoices;
pub mod mail;
pub mod notify;
pub mod portal;
pub mod privacy;
pub mod store;
pub mod team;

pub use app::AppState;
