//! The approval world over time, over real HTTP: new forms appear in
//! getapprovalinfo / getapprovaldetail / legacy getapprovaldata and the ground truth;
//! changes move forms through their flow consistently in every view; the event XML
//! agrees with the detail at that moment; the activity changes the world and stops.

mod common;
#[path = "common/receiver.rs"]
mod receiver;

use std::time::Duration;

use common::*;
use receiver::assert_agrees;
use serde_json::{Value, json};
use wecom_emulator::{ActivityMix, ApprovalFilter, Change, ChangeError, ChangeKind, Emulator};

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

async fn detail(api: &Api, sp_no: &str) -> Value {
    let v = api.post(APPROVAL_DETAIL, json!({"sp_no": sp_no})).await;
    assert_eq!(v["errcode"], 0, "{v}");
    v["info"].clone()
}

async fn list(api: &Api, start: i64, end: i64, filters: Value) -> Vec<String> {
    api.walk_approvals(start, end, filters, 100).await
}

#[tokio::test]
async fn submitted_forms_appear_everywhere_in_api_order() {
    let api = Api::start(Emulator::builder().approvals(300).journals(10)).await;
    let before = api.emu.approval_count();
    let t0 = now();
    let mut ids = Vec::new();
    for _ in 0..5 {
        let ev = api.emu.submit_approval().unwrap();
        assert_eq!((ev.kind, ev.statu_change_event, ev.sp_status), (ChangeKind::Submit, 1, 1));
        ids.push(ev.sp_no);
    }
    assert_eq!(api.emu.approval_count(), before + 5);
    // A window around "now" returns exactly the new forms, in submission order.
    let (s, e) = (t0 - DAY, t0 + DAY);
    assert_eq!(list(&api, s, e, json!([])).await, ids);
    assert_eq!(api.emu.approval_ids(s, e, &ApprovalFilter::new()), ids);
    assert_eq!(list(&api, s, e, json!([{"key": "sp_status", "value": "1"}])).await, ids);
    assert!(list(&api, s, e, json!([{"key": "sp_status", "value": "2"}])).await.is_empty());
    // Unique, ascending sp_no; apply_time is the wall clock.
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, ids);
    for id in &ids {
        let info = detail(&api, id).await;
        assert_eq!(info, api.emu.approval_detail(id).unwrap());
        assert_eq!(info["sp_status"], 1);
        let t = info["apply_time"].as_i64().unwrap();
        assert!(t >= t0 && t <= now() + 1, "{t} vs {t0}");
        assert!(t > api.emu.date_range().1);
        for node in info["sp_record"].as_array().unwrap() {
            assert_eq!(node["sp_status"], 1);
            for d in node["details"].as_array().unwrap() {
                assert_eq!((d["sp_status"].as_i64(), d["sptime"].as_i64()), (Some(1), Some(0)));
            }
        }
        assert!(info["comments"].as_array().unwrap().is_empty());
        assert!(api.emu.open_approvals().contains(id));
    }
    // The legacy API sees them too, in order.
    let v = api.post(APPROVAL_DATA, json!({"starttime": s, "endtime": e})).await;
    assert_eq!(v["errcode"], 0, "{v}");
    let nums: Vec<u64> = v["data"].as_array().unwrap().iter().map(|d| d["sp_num"].as_u64().unwrap()).collect();
    assert_eq!(nums, ids.iter().map(|i| i.parse::<u64>().unwrap()).collect::<Vec<_>>());
    assert_eq!(api.emu.legacy_sp_nums(s, e), nums);
    // The seeded range is untouched, and the operator's default window includes the new forms.
    let (a, b) = api.emu.date_range();
    assert_eq!(api.emu.approval_ids(a, b, &ApprovalFilter::new()).len(), before);
    let v: Value = api.http.get(api.path_url("/_emulator/ids")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["count"], before + 5);
    assert_eq!(api.emu.summary().approvals, before + 5);
    assert!(api.emu.latest_apply_time() >= t0);
}

#[tokio::test]
async fn a_form_moves_through_its_flow_to_passed() {
    let api = Api::start(Emulator::builder().approvals(100).journals(5)).await;
    let corp = api.emu.corp_id().to_string();
    let sub = api.emu.submit_approval().unwrap();
    let sp = sub.sp_no.clone();
    assert_agrees(&sub.xml, &detail(&api, &sp).await, &corp);
    let mut last = sub;
    for _ in 0..20 {
        if api.emu.approval_status(&sp) != Some(1) {
            break;
        }
        let ev = api.emu.approve(&sp).unwrap();
        assert_eq!(ev.statu_change_event, 2);
        let info = detail(&api, &sp).await;
        assert_agrees(&ev.xml, &info, &corp);
        // The acting approver's detail carries the event time.
        let acted: Vec<&Value> = info["sp_record"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|n| n["details"].as_array().unwrap())
            .filter(|d| d["approver"]["userid"] == ev.actor.as_str() && d["sptime"] == ev.time)
            .collect();
        assert_eq!(acted.len(), 1, "{info}");
        assert_eq!(acted[0]["sp_status"], 2);
        last = ev;
    }
    assert_eq!(last.sp_status, 2);
    let info = detail(&api, &sp).await;
    assert_eq!(info["sp_status"], 2);
    assert!(info["sp_record"].as_array().unwrap().iter().all(|n| n["sp_status"] == 2));
    // CC nodes get the pass time.
    for node in info["process_list"]["node_list"].as_array().unwrap() {
        if node["node_type"] == 2 {
            assert!(node["sub_node_list"].as_array().unwrap().iter().all(|s| s["sptime"] == last.time));
        }
    }
    assert!(!api.emu.open_approvals().contains(&sp));
    let t = info["apply_time"].as_i64().unwrap();
    assert_eq!(list(&api, t - 10, t + 10, json!([{"key": "sp_status", "value": "2"}])).await, vec![sp.clone()]);
    assert!(list(&api, t - 10, t + 10, json!([{"key": "sp_status", "value": "1"}])).await.is_empty());
    // A final form takes no approval, but a comment.
    assert!(matches!(api.emu.approve(&sp), Err(ChangeError::WrongStatus { sp_status: 2, .. })));
    let c = api.emu.comment(&sp, "归档").unwrap();
    assert_eq!((c.kind, c.statu_change_event, c.sp_status), (ChangeKind::Comment, 10, 2));
    let info = detail(&api, &sp).await;
    assert_agrees(&c.xml, &info, &corp);
    let comments = info["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0]["commentcontent"], "归档");
    assert!(comments[0]["commentid"].as_str().is_some_and(|s| s.len() == 19));
    // Withdrawn after passing: 2 → 6, StatuChangeEvent 8.
    let r = api.emu.apply(Change::revoke_after_pass(&sp)).unwrap();
    assert_eq!((r.statu_change_event, r.sp_status), (8, 6));
    assert_eq!(detail(&api, &sp).await["sp_status"], 6);
}

#[tokio::test]
async fn reject_revoke_transfer_urge_on_seeded_forms() {
    let api = Api::start(Emulator::builder().approvals(400).journals(5)).await;
    let corp = api.emu.corp_id().to_string();
    let open = api.emu.open_approvals();
    assert!(open.len() >= 5, "{open:?}");
    let (a, b) = api.emu.date_range();
    let all_open = api.emu.approval_ids(a, b, &ApprovalFilter::new().sp_status(1));
    assert_eq!(open, all_open);

    let ev = api.emu.reject(&open[0]).unwrap();
    assert_eq!((ev.statu_change_event, ev.sp_status), (3, 3));
    let info = detail(&api, &open[0]).await;
    assert_agrees(&ev.xml, &info, &corp);
    assert!(info["sp_record"].as_array().unwrap().iter().any(|n| n["sp_status"] == 3));

    let ev = api.emu.revoke(&open[1]).unwrap();
    assert_eq!((ev.statu_change_event, ev.sp_status), (6, 4));
    let info = detail(&api, &open[1]).await;
    assert_agrees(&ev.xml, &info, &corp);
    assert_eq!(
        ev.actor,
        info["applyer"]["userid"].as_str().unwrap_or_else(|| info["batch_applyer"][0]["userid"].as_str().unwrap())
    );

    let before = detail(&api, &open[2]).await;
    let ev = api.emu.apply(Change::transfer(&open[2])).unwrap();
    assert_eq!((ev.statu_change_event, ev.sp_status), (4, 1));
    let info = detail(&api, &open[2]).await;
    assert_agrees(&ev.xml, &info, &corp);
    let count = |v: &Value| {
        v["sp_record"].as_array().unwrap().iter().map(|n| n["details"].as_array().unwrap().len()).sum::<usize>()
    };
    assert_eq!(count(&info), count(&before) + 1);
    assert!(
        info["sp_record"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|n| n["details"].as_array().unwrap())
            .any(|d| d["sp_status"] == 4 && d["sptime"] == ev.time)
    );

    let before = detail(&api, &open[3]).await;
    let ev = api.emu.apply(Change::urge(&open[3])).unwrap();
    assert_eq!((ev.statu_change_event, ev.sp_status), (5, 1));
    assert_eq!(detail(&api, &open[3]).await, before);
    assert_agrees(&ev.xml, &before, &corp);

    // The lists follow: the rejected and revoked forms left sp_status 1.
    let now_open = api.emu.approval_ids(a, b, &ApprovalFilter::new().sp_status(1));
    assert_eq!(now_open.len(), open.len() - 2);
    assert!(api.emu.approval_ids(a, b, &ApprovalFilter::new().sp_status(3)).contains(&open[0]));
    let walked = {
        let t = detail(&api, &open[1]).await["apply_time"].as_i64().unwrap();
        list(&api, t - 5, t + 5, json!([{"key": "sp_status", "value": "4"}])).await
    };
    assert!(walked.contains(&open[1]));
    assert_eq!(api.emu.legacy_record(&open[1]).unwrap()["sp_status"], 4);

    // Refusals.
    assert!(matches!(api.emu.approve("209901010001"), Err(ChangeError::UnknownSpNo(_))));
    assert!(matches!(api.emu.revoke(&open[0]), Err(ChangeError::WrongStatus { sp_status: 3, .. })));
    assert!(matches!(
        api.emu.apply(Change::Approve { sp_no: open[4].clone(), approver: Some("nobody".into()), speech: None }),
        Err(ChangeError::UnknownUser(_))
    ));
    let deleted = api.emu.approval_ids(a, b, &ApprovalFilter::new().sp_status(7));
    assert!(matches!(api.emu.comment(&deleted[0], "x"), Err(ChangeError::WrongStatus { sp_status: 7, .. })));
    assert_eq!(api.emu.events().len(), 4);
    assert_eq!(api.emu.events().iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
}

#[tokio::test]
async fn operator_routes_change_the_world() {
    let api = Api::start(Emulator::builder().approvals(100).journals(5)).await;
    let post = |path: &str, body: Value| {
        let req = api.http.post(api.path_url(path)).body(body.to_string());
        async move {
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let user = api.emu.users()[5].userid.clone();
    let (s, ev) = post("/_emulator/submit", json!({"creator": user})).await;
    assert_eq!(s, 200, "{ev}");
    let sp = ev["sp_no"].as_str().unwrap().to_string();
    assert_eq!(ev["kind"], "submit");
    assert_eq!(ev["statu_change_event"], 1);
    assert!(ev["xml"].as_str().unwrap().contains(&format!("<SpNo>{sp}</SpNo>")));
    assert_eq!(api.emu.approval_detail(&sp).unwrap()["applyer"]["userid"], user.as_str());
    let (s, ev) = post(&format!("/_emulator/approval/{sp}/approve"), json!({"speech": "好的"})).await;
    assert_eq!(s, 200, "{ev}");
    assert!(
        api.emu.approval_detail(&sp).unwrap()["sp_record"][0]["details"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["speech"] == "好的")
    );
    let (s, _) = post(&format!("/_emulator/approval/{sp}/comment"), json!({"content": "<b>]]>&"})).await;
    assert_eq!(s, 200);
    assert_eq!(api.emu.approval_detail(&sp).unwrap()["comments"][0]["commentcontent"], "<b>]]>&");
    let (s, _) = post("/_emulator/changes", json!({"kind": "urge", "sp_no": sp})).await;
    assert_eq!(s, 200);
    assert_eq!(post("/_emulator/approval/209901010001/approve", json!({})).await.0, 404);
    assert_eq!(post(&format!("/_emulator/approval/{sp}/explode"), json!({})).await.0, 400);
    assert_eq!(post("/_emulator/submit", json!({"template_id": "nope"})).await.0, 400);
    let (s, ev) = post("/_emulator/step", json!({})).await;
    assert_eq!(s, 200, "{ev}");
    let v: Value = api.http.get(api.path_url("/_emulator/events?after=2")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["count"], 3);
    assert_eq!(v["events"][0]["seq"], 3);
    assert_eq!(v["events"][0]["kind"], "comment");
    assert_eq!(serde_json::to_value(api.emu.events_since(2)).unwrap(), v["events"]);
    let v: Value = api.http.get(api.path_url("/_emulator/open_approvals")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["ids"], json!(api.emu.open_approvals()));
    // The pushed comment text survives CDATA splitting.
    let x = receiver::Xml::parse(&api.emu.events()[2].xml);
    assert_eq!(x.get("ApprovalInfo").get("Comments").text_of("CommentContent"), "<b>]]>&");
}

#[tokio::test]
async fn activity_without_callback_changes_the_world_then_stops() {
    let emu = Emulator::builder()
        .approvals(200)
        .journals(5)
        .activity(1200)
        .activity_for(Duration::from_millis(600))
        .start()
        .await
        .unwrap();
    assert!(emu.settle(Duration::from_secs(10)).await);
    let status = emu.activity();
    assert!(!status.running);
    let n = emu.events().len();
    assert!(n >= 2, "{n} changes");
    assert_eq!(status.steps as usize, n);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(emu.events().len(), n, "no change after the activity ended");
    assert_eq!(emu.push_counts().no_target as usize, n);
    // The default mix only acts on open forms (comments included).
    for ev in emu.events() {
        assert_ne!(ev.kind, ChangeKind::RevokeAfterPass);
        let d = emu.approval_detail(&ev.sp_no).unwrap();
        assert_eq!(d["sp_status"].as_i64(), Some(emu.approval_status(&ev.sp_no).unwrap() as i64));
    }
    // Restarting it at run time.
    emu.set_activity(6000, Some(Duration::from_millis(200)));
    assert!(emu.wait_activity_finished(Duration::from_secs(10)).await);
    assert!(emu.events().len() > n);
}

#[tokio::test]
async fn activity_is_deterministic_for_a_seed() {
    let run = || {
        let emu = Emulator::builder().seed(9).approvals(300).journals(5).start_blocking().unwrap();
        let out: Vec<(String, ChangeKind, u8)> = (0..40)
            .map(|_| {
                let e = emu.step().unwrap();
                (e.sp_no, e.kind, e.sp_status)
            })
            .collect();
        out
    };
    let a = run();
    assert_eq!(a, run());
    let kinds: std::collections::BTreeSet<ChangeKind> = a.iter().map(|x| x.1).collect();
    assert!(kinds.contains(&ChangeKind::Approve) && kinds.contains(&ChangeKind::Submit), "{kinds:?}");
    // A mix with every weight at 0 makes nothing.
    let emu = Emulator::builder()
        .approvals(10)
        .journals(1)
        .activity_mix(ActivityMix {
            submit: 0,
            approve: 0,
            reject: 0,
            revoke: 0,
            comment: 0,
            transfer: 0,
            urge: 0,
            comment_closed: 0,
            revoke_after_pass: 0,
        })
        .start_blocking()
        .unwrap();
    assert_eq!(emu.step(), Err(ChangeError::NoChange));
}

#[test]
fn settle_blocking_without_a_runtime() {
    let emu = Emulator::builder()
        .approvals(50)
        .journals(1)
        .activity(6000)
        .activity_for(Duration::from_millis(800))
        .start_blocking()
        .unwrap();
    assert!(!emu.settle_blocking(Duration::from_millis(1)), "the activity is still running");
    assert!(emu.settle_blocking(Duration::from_secs(10)));
    let n = emu.events().len();
    assert!(n >= 2, "{n}");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(emu.events().len(), n);
}
