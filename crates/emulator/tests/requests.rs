//! Request validation over HTTP: every window, page-size, filter, id and body
//! error of every endpoint, with the endpoint's documented errcode.

mod common;

use common::*;
use serde_json::{Value, json};
use wecom_emulator::{Emulator, MonthRule, Quirks, time};

async fn api() -> Api {
    Api::start(Emulator::builder().approvals(300).journals(200)).await
}

fn info(start: i64, end: i64) -> Value {
    json!({"starttime": start.to_string(), "endtime": end.to_string(), "new_cursor": "", "size": 100})
}

#[tokio::test]
async fn approval_info_windows() {
    let api = api().await;
    for (s, e) in [(JAN1, JAN1), (JAN1 + 10, JAN1), (JAN1, JAN1 + 31 * DAY + 1)] {
        let v = api.post(APPROVAL_INFO, info(s, e)).await;
        assert_err(&v, 301_025);
        assert!(v["errmsg"].as_str().unwrap().contains("invalid starttime or endtime"), "{v}");
        assert_eq!(v["sp_no_list"], json!([]), "{v}");
    }
    // Exactly 31 days is allowed, and numbers are accepted as well as strings.
    let v = api.post(APPROVAL_INFO, info(JAN1, JAN1 + 31 * DAY)).await;
    assert_eq!(v["errcode"], 0, "{v}");
    let v =
        api.post(APPROVAL_INFO, json!({"starttime": JAN1, "endtime": JAN1 + DAY, "new_cursor": "", "size": 10})).await;
    assert_eq!(v["errcode"], 0, "{v}");
    for body in [
        json!({"endtime": "1735747200", "size": 10}),
        json!({"starttime": "abc", "endtime": "1735747200", "size": 10}),
        json!({"starttime": "-5", "endtime": "1735747200", "size": 10}),
        json!({"starttime": 1.5, "endtime": "1735747200", "size": 10}),
        json!({"starttime": {"x": 1}, "endtime": "1735747200", "size": 10}),
    ] {
        let v = api.post(APPROVAL_INFO, body).await;
        assert_err(&v, 301_025);
    }
}

#[tokio::test]
async fn approval_info_page_size() {
    // Full pages, to see the size honoured exactly; short pages are below.
    let api = Api::start(Emulator::builder().approvals(2000).journals(10).short_pages(false)).await;
    for size in [json!(0), json!(101), json!(-1), json!("x"), json!(1000)] {
        let mut b = info(JAN1, JAN1 + 10 * DAY);
        b["size"] = size;
        let v = api.post(APPROVAL_INFO, b).await;
        assert_err(&v, 301_025);
        assert!(v["errmsg"].as_str().unwrap().contains("invalid size"), "{v}");
    }
    let mut b = info(JAN1, JAN1 + 30 * DAY);
    b["size"] = json!(100);
    let v = api.post(APPROVAL_INFO, b.clone()).await;
    assert_eq!(v["sp_no_list"].as_array().unwrap().len(), 100, "{v}");
    // size defaults to 100 (默认值为100).
    b.as_object_mut().unwrap().remove("size");
    let v = api.post(APPROVAL_INFO, b).await;
    assert_eq!(v["sp_no_list"].as_array().unwrap().len(), 100, "{v}");
    // "100" as a string is a number too.
    let mut b = info(JAN1, JAN1 + 30 * DAY);
    b["size"] = json!("5");
    let v = api.post(APPROVAL_INFO, b.clone()).await;
    assert_eq!(v["sp_no_list"].as_array().unwrap().len(), 5, "{v}");
    // With short pages (the default) a page never holds more than `size`.
    api.emu.set_quirks(Quirks::default());
    for size in [1, 5, 100] {
        b["size"] = json!(size);
        let v = api.post(APPROVAL_INFO, b.clone()).await;
        assert!(v["sp_no_list"].as_array().unwrap().len() <= size, "{v}");
        assert!(v["new_next_cursor"].is_string(), "a 30-day window of 2000 forms has more: {v}");
    }
}

#[tokio::test]
async fn approval_info_filters_validated() {
    let api = api().await;
    let long = "x".repeat(257);
    let bad_filters = [
        json!([{"key": "unknown", "value": "1"}]),
        json!([{"key": long, "value": "1"}]),
        json!([{"key": "creator", "value": long}]),
        json!([{"key": "creator", "value": "a"}, {"key": "creator", "value": "b"}]),
        json!([{"key": "template_id", "value": "a"}, {"key": "template_id", "value": "b"}]),
        json!([{"key": "sp_status", "value": "1"}, {"key": "sp_status", "value": "2"}]),
        json!([{"key": "sp_status", "value": "approved"}]),
        json!([{"key": "record_type", "value": "x"}]),
        json!([{"key": "creator", "value": ""}]),
        json!([{"key": "creator"}]),
        json!([{"value": "1"}]),
        json!(["creator"]),
        json!({"key": "creator", "value": "a"}),
    ];
    for f in bad_filters {
        let mut b = info(JAN1, JAN1 + 10 * DAY);
        b["filters"] = f.clone();
        let v = api.post(APPROVAL_INFO, b).await;
        assert_err(&v, 301_025);
        assert_eq!(v["sp_no_list"], json!([]));
    }
    // At the limits: 256-byte value, several departments, every documented key once.
    let ok_filters = [
        json!([{"key": "creator", "value": "y".repeat(256)}]),
        json!([{"key": "department", "value": "2"}, {"key": "department", "value": "3"}, {"key": "department", "value": "4"}]),
        json!([{"key": "template_id", "value": "t"}, {"key": "creator", "value": "c"}, {"key": "department", "value": "1"}, {"key": "sp_status", "value": "1"}, {"key": "record_type", "value": "1"}]),
        json!([]),
        Value::Null,
    ];
    for f in ok_filters {
        let mut b = info(JAN1, JAN1 + 10 * DAY);
        b["filters"] = f.clone();
        let v = api.post(APPROVAL_INFO, b).await;
        assert_eq!(v["errcode"], 0, "{f}: {v}");
    }
}

#[tokio::test]
async fn bad_json_and_method() {
    let api = api().await;
    for path in
        [APPROVAL_INFO, APPROVAL_DETAIL, APPROVAL_DATA, JOURNAL_LIST, JOURNAL_DETAIL, JOURNAL_STAT, JOURNAL_WEDRIVE]
    {
        for body in ["{", "", "not json", "[1,2]", "\"s\"", "{\"starttime\": }"] {
            let v = api.post_with(path, Some(&api.token), body).await;
            assert_err(&v, 40058);
            assert!(v["errmsg"].as_str().unwrap().contains("Warning: wrong json format."), "{v}");
        }
        let v: Value = api
            .http
            .get(api.path_url(path))
            .query(&[("access_token", &api.token)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_err(&v, 40058);
    }
    // The list endpoints keep their list field in error bodies.
    let v = api.post_with(JOURNAL_LIST, Some(&api.token), "{").await;
    assert_eq!(v["journaluuid_list"], json!([]));
}

#[tokio::test]
async fn approval_cursor_validated() {
    let api = api().await;
    let (s, e) = (JAN1, JAN1 + 30 * DAY);
    let mut b = info(s, e);
    b["size"] = json!(10);
    let first = api.post(APPROVAL_INFO, b.clone()).await;
    let cursor = first["new_next_cursor"].as_str().expect("more pages").to_string();
    // Tampered cursors.
    let mut chars: Vec<char> = cursor.chars().collect();
    let mid = chars.len() / 2;
    chars[mid] = if chars[mid] == 'A' { 'B' } else { 'A' };
    let tampered: String = chars.into_iter().collect();
    for c in [tampered.as_str(), "garbage", "!!!", &cursor[..cursor.len() - 2]] {
        b["new_cursor"] = json!(c);
        let v = api.post(APPROVAL_INFO, b.clone()).await;
        assert_err(&v, 301_025);
    }
    b["new_cursor"] = json!(12);
    assert_err(&api.post(APPROVAL_INFO, b.clone()).await, 301_025);
    // A cursor belongs to its window and filters.
    let mut other = info(s, e - 1);
    other["new_cursor"] = json!(cursor);
    assert_err(&api.post(APPROVAL_INFO, other).await, 301_025);
    let mut other = b.clone();
    other["new_cursor"] = json!(cursor);
    other["filters"] = json!([{"key": "sp_status", "value": "2"}]);
    assert_err(&api.post(APPROVAL_INFO, other).await, 301_025);
    // The genuine one works.
    b["new_cursor"] = json!(cursor);
    assert_eq!(api.post(APPROVAL_INFO, b).await["errcode"], 0);
}

#[tokio::test]
async fn approval_detail_ids() {
    let api = api().await;
    let ids = api.emu.approval_ids(JAN1, JAN1 + 30 * DAY, &Default::default());
    let v = api.post(APPROVAL_DETAIL, json!({"sp_no": ids[0]})).await;
    assert_eq!(v["errcode"], 0);
    // The 2020 doc sent sp_no as a bare number.
    let n: u64 = ids[0].parse().unwrap();
    let v = api.post(APPROVAL_DETAIL, json!({"sp_no": n})).await;
    assert_eq!(v["errcode"], 0, "{v}");
    assert_eq!(v["info"]["sp_no"], ids[0]);
    for body in [
        json!({}),
        json!({"sp_no": ""}),
        json!({"sp_no": "201909270001"}),
        json!({"sp_no": "x".repeat(300)}),
        json!({"sp_no": [1]}),
    ] {
        assert_err(&api.post(APPROVAL_DETAIL, body).await, 301_025);
    }
}

#[tokio::test]
async fn legacy_windows() {
    let api = api().await;
    for (s, e) in [(JAN1, JAN1), (JAN1 + 1, JAN1), (JAN1, JAN1 + 30 * DAY + 1)] {
        let v = api.post(APPROVAL_DATA, json!({"starttime": s, "endtime": e})).await;
        assert_err(&v, 301_025);
    }
    let v = api.post(APPROVAL_DATA, json!({"starttime": JAN1, "endtime": JAN1 + 30 * DAY})).await;
    assert_eq!(v["errcode"], 0, "{v}");
    for body in [json!({"endtime": JAN1}), json!({"starttime": JAN1, "endtime": JAN1 + DAY, "next_spnum": "abc"})] {
        assert_err(&api.post(APPROVAL_DATA, body).await, 301_025);
    }
}

#[tokio::test]
async fn journal_list_calendar_month() {
    let api = api().await;
    let list = |s: i64, e: i64| json!({"starttime": s, "endtime": e, "cursor": 0, "limit": 10});
    // Jan 31 10:00 + one calendar month = Feb 28 10:00 (clamped to month end).
    let jan31 = time::from_local(2025, 1, 31, 10 * 3600);
    let feb28 = time::from_local(2025, 2, 28, 10 * 3600);
    assert_eq!(api.post(JOURNAL_LIST, list(jan31, feb28)).await["errcode"], 0);
    let v = api.post(JOURNAL_LIST, list(jan31, feb28 + 1)).await;
    assert_err(&v, 301_066);
    assert_eq!(v["journaluuid_list"], json!([]));
    // Jan 1 → Feb 1 is 31 days; Feb 1 → Mar 1 is 28.
    let feb1 = time::from_local(2025, 2, 1, 0);
    let mar1 = time::from_local(2025, 3, 1, 0);
    assert_eq!(api.post(JOURNAL_LIST, list(JAN1, feb1)).await["errcode"], 0);
    assert_eq!(api.post(JOURNAL_LIST, list(feb1, mar1)).await["errcode"], 0);
    assert_err(&api.post(JOURNAL_LIST, list(feb1, mar1 + 1)).await, 301_066);
    for (s, e) in [(JAN1, JAN1), (JAN1 + 5, JAN1)] {
        assert_err(&api.post(JOURNAL_LIST, list(s, e)).await, 301_066);
    }
}

#[tokio::test]
async fn journal_list_days_rule() {
    let api = Api::start(Emulator::builder().approvals(10).journals(100).month_rule(MonthRule::Days(30))).await;
    let list = |s: i64, e: i64| json!({"starttime": s, "endtime": e, "cursor": 0, "limit": 10});
    assert_eq!(api.post(JOURNAL_LIST, list(JAN1, JAN1 + 30 * DAY)).await["errcode"], 0);
    assert_err(&api.post(JOURNAL_LIST, list(JAN1, JAN1 + 30 * DAY + 1)).await, 301_066);
}

#[tokio::test]
async fn journal_list_limit_cursor_filters() {
    let api = api().await;
    let base = || json!({"starttime": JAN1, "endtime": JAN1 + 20 * DAY, "cursor": 0, "limit": 10});
    for limit in [json!(0), json!(101), json!(null), json!("x"), json!(-3)] {
        let mut b = base();
        b["limit"] = limit;
        assert_err(&api.post(JOURNAL_LIST, b).await, 301_066);
    }
    let mut b = base();
    b.as_object_mut().unwrap().remove("limit");
    assert_err(&api.post(JOURNAL_LIST, b).await, 301_066);
    let mut b = base();
    b["cursor"] = json!(5_000_000_000u64);
    assert_err(&api.post(JOURNAL_LIST, b).await, 301_066);
    let mut b = base();
    b["limit"] = json!(100);
    assert_eq!(api.post(JOURNAL_LIST, b).await["errcode"], 0);
    let long = "z".repeat(257);
    for f in [
        json!([{"key": "sp_status", "value": "1"}]),
        json!([{"key": "creator", "value": long}]),
        json!([{"key": long, "value": "1"}]),
        json!([{"key": "template_id", "value": ""}]),
        json!("creator"),
    ] {
        let mut b = base();
        b["filters"] = f;
        assert_err(&api.post(JOURNAL_LIST, b).await, 301_066);
    }
    let mut b = base();
    b["filters"] = json!([{"key": "department", "value": "2"}, {"key": "department", "value": "3"}, {"key": "creator", "value": "w".repeat(256)}]);
    assert_eq!(api.post(JOURNAL_LIST, b).await["errcode"], 0);
    // A repeated key: no doc refuses it, so it is accepted (values OR-ed) unless the quirk says so.
    let repeated = json!([{"key": "creator", "value": "a"}, {"key": "creator", "value": "b"}]);
    let mut b = base();
    b["filters"] = repeated;
    assert_eq!(api.post(JOURNAL_LIST, b.clone()).await["errcode"], 0);
    api.emu.set_quirks(Quirks { reject_repeated_journal_filters: true, ..Quirks::default() });
    assert_err(&api.post(JOURNAL_LIST, b).await, 301_066);
}

#[tokio::test]
async fn journal_detail_ids() {
    let api = api().await;
    let ids = api.emu.journal_ids(JAN1, JAN1 + 30 * DAY, &Default::default());
    assert_eq!(api.post(JOURNAL_DETAIL, json!({"journaluuid": ids[0]})).await["errcode"], 0);
    for body in
        [json!({}), json!({"journaluuid": ""}), json!({"journaluuid": "u".repeat(257)}), json!({"journaluuid": 5})]
    {
        assert_err(&api.post(JOURNAL_DETAIL, body).await, 301_066);
    }
    let mut fake = ids[0].clone();
    fake.pop();
    fake.push('Z');
    // An unknown journal: 301066 请求参数错误, from the endpoint's own error table (93394 lists
    // only 301065/301066/301067); 301084 (journal_uuid非法, global table) as the other reading.
    let unknown = [fake.as_str(), "41eJejN57EJNzr8HrZfmKyJZ6E3W9NQbr94x6QEA6MwvK2sVqFQNWy4BaF4Ptyzk26", "nope"];
    for uuid in unknown {
        let v = api.post(JOURNAL_DETAIL, json!({"journaluuid": uuid})).await;
        assert_err(&v, 301_066);
    }
    api.emu.set_quirks(Quirks { unknown_journal_errcode: 301_084, ..Quirks::default() });
    for uuid in unknown {
        let v = api.post(JOURNAL_DETAIL, json!({"journaluuid": uuid})).await;
        assert_err(&v, 301_084);
        assert!(v["errmsg"].as_str().unwrap().starts_with("invalid journal_uuid"), "{v}");
    }
}

#[tokio::test]
async fn stat_list_validated() {
    let api = api().await;
    let tid = api.emu.stat_template_ids()[0].clone();
    let stat = |s: i64, e: i64| json!({"template_id": tid, "starttime": s, "endtime": e});
    let next_year = time::add_months(JAN1, 12);
    assert_eq!(api.post(JOURNAL_STAT, stat(JAN1, next_year)).await["errcode"], 0);
    assert_err(&api.post(JOURNAL_STAT, stat(JAN1, next_year + 1)).await, 301_066);
    assert_err(&api.post(JOURNAL_STAT, stat(JAN1, JAN1)).await, 301_066);
    for body in [
        json!({"starttime": JAN1, "endtime": JAN1 + DAY}),
        json!({"template_id": "", "starttime": JAN1, "endtime": JAN1 + DAY}),
        json!({"template_id": "t".repeat(257), "starttime": JAN1, "endtime": JAN1 + DAY}),
        json!({"template_id": tid, "endtime": JAN1 + DAY}),
    ] {
        assert_err(&api.post(JOURNAL_STAT, body).await, 301_066);
    }
    let v = api
        .post(JOURNAL_STAT, json!({"template_id": "unknown-template", "starttime": JAN1, "endtime": JAN1 + DAY}))
        .await;
    assert_eq!(v["errcode"], 0);
    assert_eq!(v["stat_list"], json!([]));
}

#[tokio::test]
async fn weird_bodies_never_crash() {
    let api = api().await;
    let weird = [
        json!({}),
        json!({"starttime": null, "endtime": null}),
        json!({"starttime": u64::MAX, "endtime": u64::MAX}),
        json!({"starttime": "99999999999999999999999", "endtime": "1"}),
        json!({"starttime": -1, "endtime": i64::MIN}),
        json!({"starttime": JAN1, "endtime": JAN1 + DAY, "size": 1e300, "limit": 1e300, "cursor": -1}),
        json!({"starttime": JAN1, "endtime": JAN1 + DAY, "next_spnum": u64::MAX, "new_cursor": null, "cursor": "x"}),
        json!({"sp_no": null, "journaluuid": {}, "fileid": [], "template_id": true}),
        json!({"filters": [null, 1, {"key": 1, "value": {}}]}),
    ];
    for path in
        [APPROVAL_INFO, APPROVAL_DETAIL, APPROVAL_DATA, JOURNAL_LIST, JOURNAL_DETAIL, JOURNAL_STAT, JOURNAL_WEDRIVE]
    {
        for body in &weird {
            let v = api.post(path, body.clone()).await;
            assert!(v["errcode"].is_i64(), "{path} {body}: {v}");
        }
    }
    // The server is still alive and well.
    let v = api.post(APPROVAL_INFO, info(JAN1, JAN1 + DAY)).await;
    assert_eq!(v["errcode"], 0);
}
