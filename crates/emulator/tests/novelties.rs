//! The novelty switch: with it on, getapprovaldetail answers carry exactly the documented
//! things no spec knows (README, "Novelties"); off, none of them. The unknown errcode comes on
//! every N-th call, only when asked for. Checked on the raw JSON text the wire carries.

mod common;

use common::*;
use serde_json::{Value, json};
use wecom_emulator::quirks::{
    NOVELTY_CONTROL, NOVELTY_CONTROL_ID, NOVELTY_DATE_ID, NOVELTY_DATE_TYPE, NOVELTY_ERRMSG, NOVELTY_NODE_STATUS,
    NOVELTY_TEXT_ID,
};
use wecom_emulator::{ApprovalFilter, Emulator, NOVELTY_ERRCODE, Novelties, Padding, Quirks};

/// Every novelty found in one raw getapprovaldetail answer, by name.
fn novelties_in(text: &str) -> Vec<&'static str> {
    let v: Value = serde_json::from_str(text).unwrap();
    let info = &v["info"];
    let contents = info["apply_data"]["contents"].as_array().unwrap();
    let mut found = Vec::new();
    if v.get("trace_id").is_some() {
        found.push("top-level trace_id");
    }
    if contents.iter().any(|c| c["value"].get("text_format").is_some()) {
        found.push("control value field");
    }
    if info["sp_record"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|n| n["details"].as_array().unwrap())
        .any(|d| d.get("sign_source").is_some())
    {
        found.push("details field");
    }
    if contents.iter().any(|c| c["control"] == NOVELTY_CONTROL) {
        found.push("control kind");
    }
    if info["sp_record"].as_array().unwrap().iter().any(|n| n["sp_status"] == NOVELTY_NODE_STATUS) {
        found.push("node status");
    }
    if contents.iter().any(|c| c["value"]["date"]["type"] == NOVELTY_DATE_TYPE) {
        found.push("date type");
    }
    // The text itself, so nothing hides behind a re-serialisation.
    for needle in ["\"trace_id\"", "\"text_format\"", "\"sign_source\"", "\"Signature\"", "\"month\""] {
        if text.contains(needle) {
            found.push(needle);
        }
    }
    found
}

#[tokio::test]
async fn novelties_on_carry_each_documented_novelty_off_none() {
    let api = Api::start(Emulator::builder().approvals(200).journals(10).rate_limit_per_minute(0)).await;
    let ids = api.emu.approval_ids(JAN1, JAN1 + 31 * DAY, &ApprovalFilter::new());
    let sample: Vec<&String> = ids.iter().step_by(4).collect();
    assert!(sample.len() > 5);
    let body = |id: &str| json!({"sp_no": id}).to_string();
    for id in &sample {
        let text = api.post_text(APPROVAL_DETAIL, Some(&api.token), &body(id)).await;
        assert_eq!(novelties_in(&text), Vec::<&str>::new(), "off by default: {id}");
    }
    api.emu.set_novelties(Novelties { enabled: true, errcode_every: None });
    for id in &sample {
        let text = api.post_text(APPROVAL_DETAIL, Some(&api.token), &body(id)).await;
        assert_eq!(novelties_in(&text).len(), 11, "every novelty, in the structure and in the text: {id}");
        let v: Value = serde_json::from_str(&text).unwrap();
        let info = &v["info"];
        // Exactly as documented.
        let trace = v["trace_id"].as_str().unwrap();
        assert_eq!(trace.len(), 16);
        assert!(trace.bytes().all(|b| b.is_ascii_hexdigit()));
        let contents = info["apply_data"]["contents"].as_array().unwrap();
        let n = contents.len();
        assert_eq!(contents[n - 3]["id"], NOVELTY_TEXT_ID);
        assert_eq!(contents[n - 3]["control"], "Text");
        assert_eq!(contents[n - 3]["value"]["text_format"], "markdown");
        assert_eq!(contents[n - 2]["id"], NOVELTY_DATE_ID);
        assert_eq!(contents[n - 2]["value"]["date"]["type"], "month");
        assert!(contents[n - 2]["value"]["date"]["s_timestamp"].is_string());
        assert_eq!(contents[n - 1]["id"], NOVELTY_CONTROL_ID);
        assert!(contents[n - 1]["value"]["signature"]["media_id"].as_str().unwrap().starts_with("WWCISP_"));
        for k in ["tips", "members", "departments", "files", "children", "stat_field"] {
            assert_eq!(contents[n - 1]["value"][k], json!([]), "padded like every control");
        }
        let nodes = info["sp_record"].as_array().unwrap();
        let last = nodes.last().unwrap();
        assert_eq!(last["sp_status"], 21);
        assert_eq!(last["details"][0]["sp_status"], 21);
        for d in nodes.iter().flat_map(|n| n["details"].as_array().unwrap()) {
            assert_eq!(d["sign_source"], "mobile");
        }
        // The handle's view agrees with the wire (all but the top-level field).
        assert_eq!(info, &api.emu.approval_detail(id).unwrap());
        // Same form, same novelties.
        assert_eq!(api.post_text(APPROVAL_DETAIL, Some(&api.token), &body(id)).await, text);
    }
    assert_eq!(api.emu.quirk_counts()["novelty.detail"], 2 * sample.len() as u64, "two calls per form");
    // Padding of the novelty controls follows the padding quirk.
    api.emu.set_quirks(Quirks { approval_padding: Padding::None, ..Quirks::default() });
    let v = api.post(APPROVAL_DETAIL, json!({"sp_no": sample[0]})).await;
    let contents = v["info"]["apply_data"]["contents"].as_array().unwrap();
    assert_eq!(contents.last().unwrap()["value"].as_object().unwrap().len(), 1);
    // Off again: none.
    api.emu.set_novelties(Novelties::default());
    let text = api.post_text(APPROVAL_DETAIL, Some(&api.token), &body(sample[0])).await;
    assert_eq!(novelties_in(&text), Vec::<&str>::new());
    // Other endpoints never carry them.
    api.emu.set_novelties(Novelties { enabled: true, errcode_every: None });
    let list = api
        .post_text(
            APPROVAL_INFO,
            Some(&api.token),
            &json!({"starttime": JAN1.to_string(), "endtime": (JAN1 + DAY).to_string(), "new_cursor": "", "size": 100})
                .to_string(),
        )
        .await;
    assert!(!list.contains("trace_id"), "{list}");
}

#[tokio::test]
async fn the_unknown_errcode_comes_every_nth_detail_call_only_when_asked() {
    let api = Api::start(Emulator::builder().approvals(50).journals(10).novelty_errcode_every(Some(3))).await;
    assert_eq!(api.emu.novelties(), Novelties { enabled: false, errcode_every: Some(3) });
    let ids = api.emu.approval_ids(JAN1, JAN1 + 31 * DAY, &ApprovalFilter::new());
    let mut codes = Vec::new();
    for id in ids.iter().take(9) {
        let v = api.post(APPROVAL_DETAIL, json!({"sp_no": id})).await;
        codes.push(v["errcode"].as_i64().unwrap());
        if v["errcode"] == NOVELTY_ERRCODE {
            assert_err(&v, NOVELTY_ERRCODE);
            assert!(v["errmsg"].as_str().unwrap().starts_with(NOVELTY_ERRMSG), "{v}");
            assert!(v.get("info").is_none());
        } else {
            assert!(v.get("trace_id").is_none(), "the errcode does not switch the other novelties on");
        }
    }
    assert_eq!(codes, [0, 0, 301_099, 0, 0, 301_099, 0, 0, 301_099]);
    assert_eq!(api.emu.errcode_count(NOVELTY_ERRCODE), 3);
    assert_eq!(api.emu.quirk_counts()["novelty.errcode"], 3);
    // Other endpoints are untouched.
    let v = api
        .post(APPROVAL_INFO, json!({"starttime": JAN1.to_string(), "endtime": (JAN1 + DAY).to_string(), "size": 100}))
        .await;
    assert_eq!(v["errcode"], 0);
    // Setting it again restarts the count; off is off.
    api.emu.set_novelties(Novelties { enabled: false, errcode_every: Some(2) });
    let first = api.post(APPROVAL_DETAIL, json!({"sp_no": ids[0]})).await;
    let second = api.post(APPROVAL_DETAIL, json!({"sp_no": ids[0]})).await;
    assert_eq!((first["errcode"].as_i64(), second["errcode"].as_i64()), (Some(0), Some(NOVELTY_ERRCODE)));
    api.emu.set_novelties(Novelties::default());
    for _ in 0..5 {
        assert_eq!(api.post(APPROVAL_DETAIL, json!({"sp_no": ids[0]})).await["errcode"], 0);
    }
    assert!(Emulator::builder().novelty_errcode_every(Some(0)).start().await.is_err());
}

#[tokio::test]
async fn novelties_over_the_operator_api() {
    let api = Api::start(Emulator::builder().approvals(20).journals(10)).await;
    let url = api.path_url("/_emulator/novelties");
    let post = |body: &'static str| {
        let http = api.http.clone();
        let url = url.clone();
        async move {
            let r = http.post(&url).body(body).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let v: Value = api.http.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(v, json!({"enabled": false, "errcode_every": null}));
    let (status, v) = post(r#"{"enabled":true}"#).await;
    assert_eq!((status, v), (200, json!({"enabled": true, "errcode_every": null})));
    let (status, v) = post(r#"{"errcode_every":5}"#).await;
    assert_eq!((status, v), (200, json!({"enabled": true, "errcode_every": 5})), "keys not given are kept");
    assert_eq!(api.emu.novelties(), Novelties { enabled: true, errcode_every: Some(5) });
    for bad in [r#"{"errcode_every":0}"#, r#"{"enable":true}"#, r#"{"enabled":"yes"}"#] {
        let (status, _) = post(bad).await;
        assert_eq!(status, 400, "{bad}");
    }
    let (status, _) = post("").await;
    assert_eq!(status, 200);
    assert_eq!(api.emu.novelties(), Novelties::default());
    let stats: Value = api.http.get(api.path_url("/_emulator/stats")).send().await.unwrap().json().await.unwrap();
    assert!(stats["quirk_counts"].is_object(), "{stats}");
}
