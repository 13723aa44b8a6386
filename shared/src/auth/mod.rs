//! Signing in and staying signed in: the magic-link rules (`signin`), sessions and the
//! extractors that turn a request into a verified principal (`session`), and the routes of the
//! `login`, `verify` and `session` functions.

pub mod access;
pub mod passkeys;
pub mod routes;
mod session;
pub mod signin;
mod views;

pub use access::{Access, Action};
pub use session::{
    AdminSession, AgencyOwner, Claims, ClientSession, JwtKeys, PendingSessionCheck, SESSION_COOKIE, Sessions, SignedIn,
    cleared_session_cookie, confirm_session, session_cookie,
};
pub use views::{ClientView, MeResponse, UserView};
