//! `journal::GetRecordListResponse` from any bytes: never a panic; decode → serialize → decode is stable.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = wecom_fuzz::json::round_trip::<wecom_models::journal::GetRecordListResponse>(data);
});
