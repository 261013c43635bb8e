//! Arbitrary bytes as a tenant's answers: the picture parser (raw bytes under any content
//! type, or the JSON form with base64), the whoami parser, and the error-text cleaner. None may
//! panic, and whatever they return for display must be free of control characters.
//!
//! The first byte picks the content type; the rest is the body.
#![no_main]

use libfuzzer_sys::fuzz_target;

use xc_avatar_core::api;

const CONTENT_TYPES: [&str; 8] = [
    "image/jpeg",
    "image/png",
    "application/json",
    "application/json; charset=utf-8",
    "text/html",
    "application/octet-stream",
    "",
    "image/\u{1b}[31mpng",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let content_type = CONTENT_TYPES[usize::from(pick) % CONTENT_TYPES.len()];
    match api::parse_picture(content_type, body) {
        Ok(Some(picture)) => {
            assert!(picture.content_type.starts_with("image/"));
            assert!(!picture.bytes.is_empty());
        }
        Ok(None) => {}
        Err(error) => assert_shown_clean(&error.to_string()),
    }
    match api::parse_whoami(body) {
        Ok(me) => assert_shown_clean(&me.display_name()),
        Err(error) => assert_shown_clean(&error.to_string()),
    }
    if let Some(text) = api::server_text(body) {
        assert_shown_clean(&text);
    }
});

fn assert_shown_clean(text: &str) {
    assert!(!text.chars().any(char::is_control), "{text:?}");
}
