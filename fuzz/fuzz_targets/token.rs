//! Magic-link tokens and session cookies come from the outside: parsing must never panic, and
//! no arbitrary input may verify as a session.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::domain::LoginToken;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Some(token) = LoginToken::parse(text) {
        assert_eq!(token.as_str(), text);
        let _ = token.hash();
    }
    let _ = shared::domain::EmailAddress::parse(text);
});
