//! The generator's spec loader on any text, as one or several spec files (`#@ name.toml` lines
//! split them): parsing and validation never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        wecom_fuzz::spec::check(text);
    }
});
