//! `approval::GetApprovalDetailResponse` from any bytes: never a panic; decode → serialize → decode is stable; the
//! handwritten helpers on the decoded value never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(resp) = wecom_fuzz::json::round_trip::<wecom_models::approval::GetApprovalDetailResponse>(data) {
        wecom_fuzz::models::approval_detail(&resp);
    }
});
