//! The legacy `comm.apply_data` parser (`LegacyComm::items`) on any text: never a panic;
//! parsed items written back in the array form parse to the same items.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        wecom_fuzz::legacy::items(text);
    }
});
