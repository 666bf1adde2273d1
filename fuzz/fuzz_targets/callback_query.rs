//! A callback query string: `CallbackQuery::parse` never panics, round-trips through
//! percent-encoding, and a signed verification GET passes the signature check.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        wecom_fuzz::callback::query(text);
    }
});
