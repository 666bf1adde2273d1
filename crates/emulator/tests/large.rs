//! A 100 000-approval company: builds quickly (compact records, details rendered
//! on demand) and a full id walk over HTTP returns every form exactly once.

mod common;

use std::collections::HashSet;

use common::*;
use serde_json::json;
use wecom_emulator::{ApprovalFilter, Emulator, JournalFilter, time};

#[tokio::test]
async fn hundred_thousand_approvals_full_walk() {
    let api = Api::start(Emulator::builder().approvals(100_000).journals(20_000).rate_limit_per_minute(0)).await;
    let (start, end) = api.emu.date_range();
    assert_eq!(api.emu.approval_count(), 100_000);
    let mut seen = HashSet::with_capacity(100_000);
    let mut total = 0usize;
    for (s, e) in windows(start, end, 31 * DAY) {
        let ids = api.walk_approvals(s, e, json!([]), 100).await;
        total += ids.len();
        seen.extend(ids);
    }
    assert_eq!(total, 100_000);
    assert_eq!(seen.len(), 100_000);
    assert_eq!(api.emu.approval_ids(start, end, &ApprovalFilter::new()).len(), 100_000);
    // Details render on demand for any of them.
    let v = api.post(APPROVAL_DETAIL, json!({"sp_no": seen.iter().next().unwrap()})).await;
    assert_eq!(v["errcode"], 0);

    let mut journals = 0usize;
    let mut s = start;
    while s <= end {
        let e = time::add_months(s, 1).min(end);
        journals += api.walk_journals(s, e, json!([]), 100).await.len();
        s = e + 1;
    }
    assert_eq!(journals, 20_000);
    assert_eq!(api.emu.journal_ids(start, end, &JournalFilter::new()).len(), 20_000);
}
