//! The three cursor styles walked to the end over HTTP and compared with the
//! ground truth, filters (AND across keys, OR within department), cursor
//! stability, and get_stat_list against the journals it summarises.

mod common;

use std::collections::{BTreeSet, HashMap};

use common::*;
use serde_json::{Value, json};
use wecom_emulator::{ApprovalFilter, Emulator, JournalCursor, JournalFilter, Quirks, time};

#[tokio::test]
async fn approval_new_cursor_walk_matches_ground_truth() {
    let api = Api::start(Emulator::builder()).await;
    let (start, end) = api.emu.date_range();
    let mut all = Vec::new();
    let wins = windows(start, end, 31 * DAY);
    assert!(wins.len() >= 6, "default range needs several windows");
    for (s, e) in wins {
        let got = api.walk_approvals(s, e, json!([]), 100).await;
        assert_eq!(got, api.emu.approval_ids(s, e, &ApprovalFilter::new()), "window {s}..{e}");
        all.extend(got);
    }
    assert_eq!(all.len(), 2000);
    assert_eq!(all, api.emu.approval_ids(start, end, &ApprovalFilter::new()));
    // Ordered by time then id, unique.
    let set: BTreeSet<_> = all.iter().collect();
    assert_eq!(set.len(), all.len());
}

#[tokio::test]
async fn approval_pages_and_end_marker() {
    let api = Api::start(Emulator::builder().approvals(400)).await;
    let (s, e) = (JAN1, JAN1 + 31 * DAY);
    let truth = api.emu.approval_ids(s, e, &ApprovalFilter::new());
    assert!(truth.len() > 30, "{}", truth.len());
    // Full pages (the plain reading), then short ones (the default, 96509).
    for short in [false, true] {
        api.emu.set_quirks(Quirks { short_pages: short, ..Quirks::default() });
        let mut cursor = String::new();
        let mut pages = Vec::new();
        let mut cursors = BTreeSet::new();
        loop {
            let req = json!({"starttime": s.to_string(), "endtime": e.to_string(), "new_cursor": cursor, "size": 7});
            let v = api.post(APPROVAL_INFO, req.clone()).await;
            // Stable: the same request gives the same page.
            assert_eq!(api.post(APPROVAL_INFO, req).await, v);
            let page: Vec<String> = serde_json::from_value(v["sp_no_list"].clone()).unwrap();
            assert!(page.len() <= 7);
            pages.push(page.clone());
            match v.get("new_next_cursor") {
                Some(c) => {
                    if !short {
                        assert_eq!(page.len(), 7);
                    }
                    let c = c.as_str().unwrap();
                    assert!(!c.is_empty());
                    assert!(page.iter().all(|id| !c.contains(id.as_str())), "cursor is opaque");
                    assert!(cursors.insert(c.to_string()), "a cursor is never handed out twice in a walk");
                    cursor = c.to_string();
                }
                None => break,
            }
        }
        assert_eq!(pages.concat(), truth, "short pages: {short}");
        let before_last = &pages[..pages.len() - 1];
        if short {
            assert!(before_last.iter().any(|p| p.len() < 7), "some pages before the last are short");
            assert!(before_last.iter().any(|p| p.is_empty()), "some page before the last is empty");
        } else {
            assert!(before_last.iter().all(|p| p.len() == 7));
        }
    }
    // An empty window: one page, no cursor.
    let v =
        api.post(APPROVAL_INFO, json!({"starttime": "1000", "endtime": "2000", "new_cursor": "", "size": 100})).await;
    assert_eq!(v["sp_no_list"], json!([]));
    assert!(v.get("new_next_cursor").is_none());
}

#[tokio::test]
async fn approval_legacy_int_cursor() {
    let api = Api::start(Emulator::builder().approvals(300)).await;
    let (s, e) = (JAN1, JAN1 + 31 * DAY);
    let mut cursor = 0u64;
    let mut got = Vec::new();
    loop {
        let v = api
            .post(
                APPROVAL_INFO,
                json!({"starttime": s.to_string(), "endtime": e.to_string(), "cursor": cursor, "size": 20}),
            )
            .await;
        assert_eq!(v["errcode"], 0, "{v}");
        assert!(v.get("new_next_cursor").is_none());
        for id in v["sp_no_list"].as_array().unwrap() {
            got.push(id.as_str().unwrap().to_string());
        }
        match v.get("next_cursor") {
            Some(c) => cursor = c.as_u64().expect("integer next_cursor"),
            None => break,
        }
    }
    assert_eq!(got, api.emu.approval_ids(s, e, &ApprovalFilter::new()));
}

#[tokio::test]
async fn inclusive_window_bounds() {
    let api = Api::start(Emulator::builder().approvals(500).journals(300)).await;
    let all = api.emu.approval_ids(JAN1, JAN1 + 31 * DAY, &ApprovalFilter::new());
    let t = api.emu.approval_detail(&all[10]).unwrap()["apply_time"].as_i64().unwrap();
    let ids = api.walk_approvals(t, t + DAY, json!([]), 100).await;
    assert!(ids.contains(&all[10]), "start bound is inclusive");
    let ids = api.walk_approvals(t - DAY, t, json!([]), 100).await;
    assert!(ids.contains(&all[10]), "end bound is inclusive");
    let ids = api.walk_approvals(t + 1, t + DAY, json!([]), 100).await;
    assert!(!ids.contains(&all[10]));
}

#[tokio::test]
async fn approval_filters_and_or() {
    let api = Api::start(Emulator::builder().approvals(1500)).await;
    let (s, e) = (JAN1 + 31 * DAY, JAN1 + 62 * DAY);
    let users = api.emu.users();
    let templates = api.emu.approval_templates();
    let walk = |f: Value| api.walk_approvals(s, e, f, 100);
    let dep = |d: &str| json!({"key": "department", "value": d});

    // OR within department.
    let d2 = walk(json!([dep("2")])).await;
    let d3 = walk(json!([dep("3")])).await;
    let d23 = walk(json!([dep("2"), dep("3")])).await;
    assert!(!d2.is_empty() && !d3.is_empty());
    let union: BTreeSet<_> = d2.iter().chain(d3.iter()).cloned().collect();
    assert_eq!(d23.iter().cloned().collect::<BTreeSet<_>>(), union);
    assert_eq!(d23.len(), d2.len() + d3.len());
    assert_eq!(d23, api.emu.approval_ids(s, e, &ApprovalFilter::new().department("2").department("3")));

    // AND across keys.
    let creator = users[5].userid.clone();
    let by_creator = walk(json!([{"key": "creator", "value": creator}])).await;
    let approved = walk(json!([{"key": "sp_status", "value": "2"}])).await;
    let both = walk(json!([{"key": "creator", "value": creator}, {"key": "sp_status", "value": "2"}])).await;
    let inter: Vec<String> = by_creator.iter().filter(|x| approved.contains(x)).cloned().collect();
    assert_eq!(both, inter);
    assert_eq!(both, api.emu.approval_ids(s, e, &ApprovalFilter::new().creator(&creator).sp_status(2)));

    // Each key against ground truth, and against the details themselves.
    let user_dept: HashMap<String, u32> = users.iter().map(|u| (u.userid.clone(), u.department)).collect();
    let leave = templates.iter().find(|t| t.record_type == Some(1)).unwrap();
    let cases: Vec<(Value, ApprovalFilter)> = vec![
        (
            json!([{"key": "template_id", "value": templates[5].template_id}]),
            ApprovalFilter::new().template_id(&templates[5].template_id),
        ),
        (json!([{"key": "record_type", "value": "1"}]), ApprovalFilter::new().record_type(1)),
        (json!([{"key": "sp_status", "value": "99"}]), ApprovalFilter::new().sp_status(99)),
        (json!([dep("4"), {"key": "sp_status", "value": "1"}]), ApprovalFilter::new().department("4").sp_status(1)),
        (json!([{"key": "creator", "value": "NoSuchUser"}]), ApprovalFilter::new().creator("NoSuchUser")),
        (json!([{"key": "template_id", "value": "nope"}]), ApprovalFilter::new().template_id("nope")),
    ];
    for (wire, lib) in cases {
        let got = walk(wire.clone()).await;
        assert_eq!(got, api.emu.approval_ids(s, e, &lib), "{wire}");
        for id in got.iter().take(15) {
            let d = api.post(APPROVAL_DETAIL, json!({"sp_no": id})).await["info"].clone();
            let creator = d["applyer"]["userid"].as_str().or(d["batch_applyer"][0]["userid"].as_str()).unwrap();
            if let Some(t) = &lib.template_id {
                assert_eq!(&d["template_id"], t);
            }
            if let Some(st) = lib.sp_status {
                assert_eq!(d["sp_status"], st);
            }
            if lib.record_type.is_some() {
                assert_eq!(d["template_id"], leave.template_id.as_str());
            }
            for dep in &lib.departments {
                assert_eq!(user_dept[creator].to_string(), *dep);
            }
        }
    }
}

#[tokio::test]
async fn journal_cursor_walk_matches_ground_truth() {
    let api = Api::start(Emulator::builder()).await;
    let (start, end) = api.emu.date_range();
    let mut all = Vec::new();
    let mut s = start;
    while s <= end {
        let e = time::add_months(s, 1).min(end);
        let got = api.walk_journals(s, e, json!([]), 37).await;
        assert_eq!(got, api.emu.journal_ids(s, e, &JournalFilter::new()));
        all.extend(got);
        s = e + 1;
    }
    assert_eq!(all.len(), 1000);
    assert_eq!(all, api.emu.journal_ids(start, end, &JournalFilter::new()));
}

#[tokio::test]
async fn journal_opaque_cursor_semantics() {
    // Seed 93393: cursor 0, limit 10 → ten ids and next_cursor 34: a position, not an offset.
    let api = Api::start(Emulator::builder().journals(400).short_pages(false)).await;
    let (s, e) = (JAN1, time::add_months(JAN1, 1));
    let truth = api.emu.journal_ids(s, e, &JournalFilter::new());
    assert!(truth.len() > 20);
    let req = |c: u64| json!({"starttime": s, "endtime": e, "cursor": c, "limit": 10});
    let v = api.post(JOURNAL_LIST, req(0)).await;
    assert_eq!(v["endflag"], 0);
    assert_eq!(v["journaluuid_list"].as_array().unwrap().len(), 10, "pages are filled up to limit");
    let next = v["next_cursor"].as_u64().unwrap();
    assert!(next > 10, "not cursor + count: {next}");
    assert!(next <= u64::from(u32::MAX));
    assert_eq!(api.post(JOURNAL_LIST, req(0)).await, v, "stable");
    let v2 = api.post(JOURNAL_LIST, req(next)).await;
    assert_eq!(v2["journaluuid_list"][0], truth[10].as_str(), "the cursor continues after the page");
    // Any position continues with the first record at or after it: cursor 10 is not record 10.
    let v3 = api.post(JOURNAL_LIST, req(10)).await;
    let first = v3["journaluuid_list"][0].as_str().unwrap();
    let at = truth.iter().position(|t| t == first).unwrap();
    assert!(at < 10, "position 10 lies among the first ten records ({at})");
    // Steps between cursors vary: they are not a multiple of the page size.
    let mut cursor = 0;
    let mut steps = BTreeSet::new();
    loop {
        let v = api.post(JOURNAL_LIST, req(cursor)).await;
        let n = v["next_cursor"].as_u64().unwrap();
        if v["endflag"] == 1 {
            break;
        }
        steps.insert(n - cursor);
        cursor = n;
    }
    assert!(steps.len() > 1, "{steps:?}");
    let v = api.post(JOURNAL_LIST, req(u64::from(u32::MAX))).await;
    assert_eq!(v["journaluuid_list"], json!([]));
    assert_eq!(v["endflag"], 1);
}

#[tokio::test]
async fn journal_short_and_empty_pages_page_to_the_end() {
    // Pages fill up to `limit` but scan a bounded stretch of positions: past a long run of
    // hidden records a page is short, or empty with endflag 0.
    for cursor in [JournalCursor::Opaque, JournalCursor::Offset] {
        let api = Api::start(Emulator::builder().journals(1000).journal_cursor(cursor)).await;
        let (s, e) = (JAN1, time::add_months(JAN1, 1));
        let truth = api.emu.journal_ids(s, e, &JournalFilter::new());
        let mut c = 0u64;
        let mut got = Vec::new();
        let mut sizes = Vec::new();
        loop {
            let v = api.post(JOURNAL_LIST, json!({"starttime": s, "endtime": e, "cursor": c, "limit": 10})).await;
            let page = v["journaluuid_list"].as_array().unwrap();
            got.extend(page.iter().map(|x| x.as_str().unwrap().to_string()));
            if v["endflag"] == 1 {
                break;
            }
            sizes.push(page.len());
            let n = v["next_cursor"].as_u64().unwrap();
            assert!(n > c, "{cursor:?}: the cursor moves");
            c = n;
        }
        assert_eq!(got, truth, "{cursor:?}");
        assert!(sizes.iter().any(|n| *n < 10), "{cursor:?}: short pages before the last: {sizes:?}");
        if cursor == JournalCursor::Opaque {
            assert!(sizes.contains(&0), "an empty page before the last: {sizes:?}");
        } else {
            assert!(!sizes.contains(&0), "an offset cursor must move, so no page is empty");
        }
        let counts = api.emu.quirk_counts();
        assert!(counts.get("get_record_list.short_page").is_some_and(|n| *n > 0), "{counts:?}");
    }
}

#[tokio::test]
async fn journal_cursor_semantics() {
    // The plain reading: next_cursor = cursor + count, full pages.
    let api = Api::start(Emulator::builder().journals(400).quirks(Quirks::plain())).await;
    let (s, e) = (JAN1, time::add_months(JAN1, 1));
    let truth = api.emu.journal_ids(s, e, &JournalFilter::new());
    assert!(truth.len() > 20);
    let req = |c: u64| json!({"starttime": s, "endtime": e, "cursor": c, "limit": 10});
    let v = api.post(JOURNAL_LIST, req(0)).await;
    assert_eq!(v["endflag"], 0);
    assert_eq!(v["next_cursor"], 10);
    assert_eq!(api.post(JOURNAL_LIST, req(0)).await, v, "stable");
    let v2 = api.post(JOURNAL_LIST, req(10)).await;
    assert_eq!(v2["journaluuid_list"][0], truth[10].as_str());
    // The last page sets endflag 1; past the end is an empty last page.
    let last = (truth.len() as u64 / 10) * 10;
    let v = api.post(JOURNAL_LIST, req(last)).await;
    assert_eq!(v["endflag"], 1, "{v}");
    let v = api.post(JOURNAL_LIST, req(truth.len() as u64 + 50)).await;
    assert_eq!(v["journaluuid_list"], json!([]));
    assert_eq!(v["endflag"], 1);
    // A page that ends exactly at the end says so.
    let v = api.post(JOURNAL_LIST, json!({"starttime": s, "endtime": e, "cursor": truth.len() - 5, "limit": 5})).await;
    assert_eq!(v["journaluuid_list"].as_array().unwrap().len(), 5);
    assert_eq!(v["endflag"], 1);
}

#[tokio::test]
async fn journal_filters_and_or() {
    let api = Api::start(Emulator::builder().journals(1200)).await;
    let (s, e) = (JAN1, time::add_months(JAN1, 1));
    let templates = api.emu.journal_templates();
    let users = api.emu.users();
    let dep = |d: &str| json!({"key": "department", "value": d});
    let d3 = api.walk_journals(s, e, json!([dep("3")]), 50).await;
    let d9 = api.walk_journals(s, e, json!([dep("9")]), 50).await;
    let both = api.walk_journals(s, e, json!([dep("3"), dep("9")]), 50).await;
    assert_eq!(both.len(), d3.len() + d9.len());
    assert_eq!(both, api.emu.journal_ids(s, e, &JournalFilter::new().department("3").department("9")));
    let daily = &templates[0].template_id;
    let submitter = &templates[0].report_users[0];
    let f = json!([{"key": "template_id", "value": daily}, {"key": "creator", "value": submitter}]);
    let got = api.walk_journals(s, e, f, 50).await;
    assert_eq!(got, api.emu.journal_ids(s, e, &JournalFilter::new().template_id(daily).creator(submitter)));
    for id in &got {
        let d = api.post(JOURNAL_DETAIL, json!({"journaluuid": id})).await["info"].clone();
        assert_eq!(&d["template_id"], daily.as_str());
        assert_eq!(&d["submitter"]["userid"], submitter.as_str());
    }
    let _ = users;
}

#[tokio::test]
async fn legacy_next_spnum_walk() {
    let api = Api::start(Emulator::builder().approvals(1500)).await;
    let (start, end) = api.emu.date_range();
    let mut all: Vec<u64> = Vec::new();
    for (s, e) in windows(start, end, 30 * DAY) {
        let truth = api.emu.legacy_sp_nums(s, e);
        let mut got: Vec<u64> = Vec::new();
        let mut next: Option<u64> = None;
        let mut calls = 0;
        loop {
            calls += 1;
            assert!(calls < 1000);
            let mut body = json!({"starttime": s, "endtime": e});
            if let Some(n) = next {
                body["next_spnum"] = json!(n);
            }
            let v = api.post(APPROVAL_DATA, body).await;
            assert_eq!(v["errcode"], 0, "{v}");
            let data = v["data"].as_array().unwrap();
            assert_eq!(v["count"].as_u64().unwrap() as usize, data.len());
            assert!(data.len() <= 100);
            // `total` counts the window's deleted forms too, which never come back (91530: count 3, total 5).
            assert_eq!(v["total"].as_u64().unwrap() as usize, api.emu.approval_ids(s, e, &ApprovalFilter::new()).len());
            let nums: Vec<u64> = data.iter().map(|d| d["sp_num"].as_u64().unwrap()).collect();
            if let Some(n) = next {
                // Literal doc reading: next_spnum is the first form pulled (inclusive).
                assert_eq!(nums.first(), Some(&n));
            }
            match nums.last() {
                Some(last) => assert_eq!(v["next_spnum"].as_u64(), Some(*last)),
                None => assert!(v.get("next_spnum").is_none()),
            }
            let before = got.len();
            for n in nums {
                if got.last() != Some(&n) {
                    got.push(n);
                }
            }
            if data.len() < 100 || got.len() == before {
                break;
            }
            next = got.last().copied();
        }
        assert_eq!(got, truth, "window {s}..{e}");
        all.extend(got);
    }
    assert_eq!(all, api.emu.legacy_sp_nums(start, end));
    assert_eq!(all.len(), api.emu.summary().legacy_approvals);
    assert!(all.len() < 1500, "deleted forms (sp_status 7) are not visible to the legacy API");
    // The plain reading: total = the forms the API returns.
    api.emu.set_quirks(Quirks { legacy_total_includes_deleted: false, ..Quirks::default() });
    let (s, e) = windows(start, end, 30 * DAY)[0];
    let v = api.post(APPROVAL_DATA, json!({"starttime": s, "endtime": e})).await;
    assert_eq!(v["total"].as_u64().unwrap() as usize, api.emu.legacy_sp_nums(s, e).len());
    assert!(api.emu.legacy_sp_nums(s, e).len() < api.emu.approval_ids(s, e, &ApprovalFilter::new()).len());
    // Empty window.
    let v = api.post(APPROVAL_DATA, json!({"starttime": 1000, "endtime": 2000})).await;
    assert_eq!(v["count"], 0);
    assert_eq!(v["total"], 0);
    assert_eq!(v["data"], json!([]));
    assert!(v.get("next_spnum").is_none());
}

#[tokio::test]
async fn stat_list_matches_journals() {
    let api = Api::start(Emulator::builder()).await;
    let (start, end) = api.emu.date_range();
    let templates = api.emu.journal_templates();
    let mut seen_late = false;
    let mut seen_types = BTreeSet::new();
    for tpl in templates.iter().filter(|t| t.report_type.is_some()) {
        let v =
            api.post(JOURNAL_STAT, json!({"template_id": tpl.template_id, "starttime": start, "endtime": end})).await;
        assert_eq!(v["errcode"], 0, "{v}");
        let list = v["stat_list"].as_array().unwrap();
        let cycles: Vec<(i64, i64)> = list
            .iter()
            .map(|c| (c["cycle_begin_time"].as_i64().unwrap(), c["cycle_end_time"].as_i64().unwrap()))
            .collect();
        assert_eq!(cycles, api.emu.stat_cycles(&tpl.template_id, start, end));
        assert!(!cycles.is_empty());
        let mut reported = BTreeSet::new();
        for c in list {
            let (b, e) = (c["cycle_begin_time"].as_i64().unwrap(), c["cycle_end_time"].as_i64().unwrap());
            assert!(e <= end + 1, "only finished cycles");
            assert_eq!(c["report_type"], tpl.report_type.unwrap());
            seen_types.insert(tpl.report_type.unwrap());
            assert_eq!(c["template_id"], tpl.template_id.as_str());
            let deadline = c["stat_end_time"].as_i64().unwrap();
            let mut users = BTreeSet::new();
            for r in c["report_list"].as_array().unwrap() {
                let uid = r["user"]["userid"].as_str().unwrap();
                users.insert(uid.to_string());
                for item in r["itemlist"].as_array().unwrap() {
                    let uuid = item["journaluuid"].as_str().unwrap();
                    let d = api.emu.journal_detail(uuid).expect("real journal");
                    assert_eq!(d["template_id"], tpl.template_id.as_str());
                    assert_eq!(d["submitter"]["userid"], uid);
                    let t = item["reporttime"].as_i64().unwrap();
                    assert_eq!(d["report_time"], t);
                    assert!(b <= t && t < e);
                    let late = item["flag"].as_i64().unwrap();
                    assert_eq!(late, i64::from(t > deadline));
                    seen_late |= late == 1;
                    reported.insert(uuid.to_string());
                }
            }
            for r in c["unreport_list"].as_array().unwrap() {
                let uid = r["user"]["userid"].as_str().unwrap();
                assert!(users.insert(uid.to_string()), "{uid} both reported and not");
                assert_eq!(r["itemlist"][0]["journaluuid"], "");
            }
            let white: BTreeSet<String> = c["white_range"]["user_list"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["userid"].as_str().unwrap().to_string())
                .collect();
            for u in &tpl.report_users {
                assert!(users.contains(u) || white.contains(u), "{u} missing from cycle {b}");
            }
        }
        // Every journal of the template in a finished cycle is in some report_list.
        let last_end = cycles.last().unwrap().1;
        let ids = api.emu.journal_ids(start, last_end - 1, &JournalFilter::new().template_id(&tpl.template_id));
        assert_eq!(ids.iter().cloned().collect::<BTreeSet<_>>(), reported);
    }
    assert!(seen_late, "some reports are late");
    assert_eq!(seen_types, BTreeSet::from([2, 3, 4]));
    // Built-in 汇报 template has no statistics.
    let builtin = templates.iter().find(|t| t.report_type.is_none()).unwrap();
    let v =
        api.post(JOURNAL_STAT, json!({"template_id": builtin.template_id, "starttime": start, "endtime": end})).await;
    assert_eq!(v["stat_list"], json!([]));
    // A window selects cycles by their begin time.
    let daily = &templates[0].template_id;
    let v =
        api.post(JOURNAL_STAT, json!({"template_id": daily, "starttime": JAN1, "endtime": JAN1 + 3 * DAY - 1})).await;
    assert_eq!(v["stat_list"].as_array().unwrap().len(), 3);
}
