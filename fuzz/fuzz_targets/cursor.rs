//! Pagination cursors come back from clients: opening any string must either fail cleanly or
//! give back exactly a key that was sealed for this scope.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::http::{CursorKey, parse_limit};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let key = CursorKey::new(b"fuzz-cursor-key-fuzz-cursor-key-fuzz");
    if let Ok(item) = key.open("CLIENT#A#PROJECTS", text) {
        // Only something we sealed opens; sealing it again must open to the same key.
        let again = key.seal("CLIENT#A#PROJECTS", &item).expect("sealing an opened key");
        assert_eq!(key.open("CLIENT#A#PROJECTS", &again).ok(), Some(item));
    }
    let _ = parse_limit(Some(text));
});
