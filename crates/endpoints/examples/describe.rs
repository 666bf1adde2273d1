//! Prints what this crate knows about every endpoint (method, path, rate limit, window, page,
//! cursor), then checks requests before anything is sent: a window over the limit is refused
//! with the field and the limit named, and the window is split into valid requests.
//!
//! ```sh
//! cargo run -p wecom-endpoints --example describe
//! ```

use wecom_endpoints::{ALL, Endpoint, ErrorClass, ErrorCode, Validate, Windowed};
use wecom_models::approval::GetApprovalInfoRequest;

fn main() {
    for info in ALL {
        let window = info.window.map(|w| format!("{}..{} ≤ {}", w.start_field, w.end_field, w.max_span));
        let cursor = info.cursor.map(|c| format!("{:?} {} → {}", c.style, c.request_field, c.response_field));
        println!("{:32} {} {}", info.id, info.method, info.path);
        println!(
            "{:32} {}/min, window {}, page ≤ {}, cursor {}, {} documented errors",
            "",
            info.rate_limit_per_minute.map_or("?".into(), |n| n.to_string()),
            window.as_deref().unwrap_or("-"),
            info.page.map_or("-".into(), |p| p.max.to_string()),
            cursor.as_deref().unwrap_or("-"),
            info.errors.len()
        );
    }
    assert!(ALL.iter().any(|i| i.path == "/cgi-bin/oa/getapprovalinfo"));

    // 40 days in one getapprovalinfo request: over its 31-day window, refused before sending.
    let start = 1_735_660_800; // 2025-01-01 00:00 UTC+8
    let too_long = GetApprovalInfoRequest::new(start, start + 40 * 86_400);
    let err = too_long.validate().expect_err("a 40-day window must be refused");
    println!("\nrefused: {err}");
    assert_eq!(err.field(), "endtime");

    // The same 40 days as windows the endpoint accepts.
    let span = GetApprovalInfoRequest::INFO.window.expect("getapprovalinfo is windowed").max_span;
    let (mut from, end) = (start, start + 40 * 86_400);
    let mut requests = Vec::new();
    while from < end {
        let to = span.safe_end(from).min(end);
        let mut req = too_long.clone();
        req.set_window(from, to);
        req.validate().expect("each split window is valid");
        requests.push(req);
        from = to + 1;
    }
    println!("split into {} requests: {:?}", requests.len(), requests.iter().map(Windowed::window).collect::<Vec<_>>());
    assert_eq!(requests.len(), 2);

    // What a client does with an error code.
    let code = ErrorCode::from_code(42001);
    let (zh, en) = GetApprovalInfoRequest::INFO.meaning(code);
    println!("errcode 42001: {zh} ({en}) → {}", code.class().as_str());
    assert_eq!(code.class(), ErrorClass::TokenInvalid);
}
