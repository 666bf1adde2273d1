//! Every documented JSON example (kept in `tests/doc_examples/`) against what the
//! emulator emits over HTTP for that endpoint: same keys, same JSON types,
//! recursively. Plus the dataset coverage the docs call for: all 18 approval
//! controls, every sp_status (and one SDKs do not know), the unknown PhoneNumber
//! control, both legacy apply_data forms, journal Doc/WedriveFile controls,
//! comment ids above 2^53 and the built-in 汇报 template.

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::{Value, json};
use wecom_emulator::{ApprovalFilter, Emulator, JournalFilter};

fn doc(name: &str) -> Value {
    let path = format!("{}/tests/doc_examples/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default()
}

/// Keys every control value may carry as padding.
const PAD: [&str; 12] = [
    "tips",
    "members",
    "departments",
    "files",
    "children",
    "stat_field",
    "sum_field",
    "related_approval",
    "students",
    "classes",
    "docs",
    "wedrive_files",
];

#[tokio::test]
async fn gettoken_matches_doc() {
    let api = Api::start(Emulator::builder().approvals(10).journals(10)).await;
    let v = api.gettoken(&[("corpid", api.emu.corp_id()), ("corpsecret", api.emu.corp_secret())]).await;
    let d = doc("gettoken.json");
    shape_matches(&d, &v, "gettoken").unwrap();
    assert_eq!(keys(&d), keys(&v));
}

#[tokio::test]
async fn getapprovalinfo_matches_doc() {
    let api = Api::start(Emulator::builder()).await;
    // The documented request is accepted as is (2019: no forms then).
    let req = doc("getapprovalinfo_request.json");
    let v = api.post(APPROVAL_INFO, req).await;
    assert_eq!(v["errcode"], 0, "{v}");
    assert_eq!(v["sp_no_list"], json!([]));
    assert!(v.get("new_next_cursor").is_none());
    let v = api
        .post(APPROVAL_INFO, json!({"starttime": JAN1.to_string(), "endtime": (JAN1 + 20 * DAY).to_string(), "new_cursor": "", "size": 100}))
        .await;
    shape_matches(&doc("getapprovalinfo.json"), &v, "getapprovalinfo").unwrap();
    assert!(v["new_next_cursor"].is_string());
    let allowed: BTreeSet<String> = ["errcode", "errmsg", "sp_no_list", "new_next_cursor"].map(String::from).into();
    assert!(keys(&v).is_subset(&allowed));
    // sp_no format: yyyymmdd + zero-padded sequence.
    let first = v["sp_no_list"][0].as_str().unwrap();
    assert_eq!(first, "202501010001");
    // The observed error body.
    let e = api
        .post(APPROVAL_INFO, json!({"starttime": "1569718800", "endtime": "1569546000", "new_cursor": "", "size": 100}))
        .await;
    let d = doc("getapprovalinfo_error.json");
    shape_matches(&d, &e, "error").unwrap();
    assert_eq!(keys(&d), keys(&e));
}

#[tokio::test]
async fn getapprovaldetail_matches_doc() {
    let api = Api::start(Emulator::builder().rate_limit_per_minute(0)).await;
    let (start, end) = api.emu.date_range();
    let ids = api.emu.approval_ids(start, end, &ApprovalFilter::new());
    let d = doc("getapprovaldetail.json");
    let process = doc("approval_process_list.json");
    let allowed: BTreeSet<String> =
        keys(&d["info"]).into_iter().chain(["batch_applyer".to_string(), "process_list".to_string()]).collect();
    let mut whole_match = None;
    let mut process_match = false;
    let mut controls = Vec::new();
    // Over HTTP for a sample of forms…
    for id in ids.iter().step_by(5) {
        let v = api.post(APPROVAL_DETAIL, json!({"sp_no": id})).await;
        assert_eq!(v["errcode"], 0);
        assert_eq!(keys(&v), keys(&d), "top-level keys");
        let info = &v["info"];
        assert!(keys(info).is_subset(&allowed), "{:?}", keys(info));
        assert!(info.get("applyer").is_some() ^ info.get("batch_applyer").is_some());
        // …identical to what the library renders.
        assert_eq!(info, &api.emu.approval_detail(id).unwrap());
        if whole_match.is_none() && shape_matches(&d, &v, "detail").is_ok() {
            whole_match = Some(id.clone());
        }
        process_match |= shape_matches(&process, info, "process_list").is_ok();
        controls.extend(all_controls(&info["apply_data"]["contents"]));
    }
    assert!(whole_match.is_some(), "no form has the documented example's shape");
    assert!(process_match, "no form has the documented process_list shape");

    // 附1–附18: each documented value shape is emitted for its control.
    for ex in doc("approval_control_values.json").as_array().unwrap() {
        let control = ex["control"].as_str().unwrap();
        let found = controls
            .iter()
            .filter(|c| c["control"] == control)
            .any(|c| shape_matches(&ex["value"], &c["value"], control).is_ok());
        assert!(found, "{} ({control}) not emitted with the documented shape", ex["doc"]);
    }
    // Every control: {control, id, title[{text, lang}], value} with padding only
    // besides its own data key.
    for c in &controls {
        assert_eq!(keys(c), ["control", "id", "title", "value"].map(String::from).into());
        assert!(c["title"][0]["text"].is_string() && c["title"][0]["lang"] == "zh_CN");
        let data: Vec<String> = keys(&c["value"]).into_iter().filter(|k| !PAD.contains(&k.as_str())).collect();
        // Contact, File, Table and RelatedApproval carry their data in a padding key.
        let expected = match c["control"].as_str().unwrap() {
            "Tips" | "Contact" | "File" | "Table" | "RelatedApproval" => 0,
            _ => 1,
        };
        assert_eq!(data.len(), expected, "{c}");
        for k in ["tips", "members", "departments", "files", "children", "stat_field"] {
            assert!(c["value"][k].is_array(), "{k} padding missing in {c}");
        }
    }
}

#[test]
fn numbers_in_strings_and_quirks() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let api = Api::start(Emulator::builder()).await;
        let (start, end) = api.emu.date_range();
        let ids = api.emu.approval_ids(start, end, &ApprovalFilter::new());
        let mut statuses = BTreeSet::new();
        let mut node_statuses = BTreeSet::new();
        let mut control_types = BTreeSet::new();
        let mut seen = BTreeSet::new();
        for id in &ids {
            let info = api.emu.approval_detail(id).unwrap();
            statuses.insert(info["sp_status"].as_i64().unwrap());
            if let Some(a) = info.get("applyer") {
                assert!(a["partyid"].is_string());
                seen.insert("applyer");
            } else {
                assert!(info["batch_applyer"].as_array().unwrap().len() >= 2);
                seen.insert("batch_applyer");
            }
            for n in info["sp_record"].as_array().unwrap() {
                node_statuses.insert(n["sp_status"].as_i64().unwrap());
                for d in n["details"].as_array().unwrap() {
                    node_statuses.insert(d["sp_status"].as_i64().unwrap());
                }
            }
            if info["sp_record"].as_array().unwrap().len() > 1 {
                seen.insert("multi-node sp_record");
            }
            for c in info["comments"].as_array().unwrap() {
                assert!(c["commentid"].is_string(), "approval commentid is a string");
                assert!(c["commentUserInfo"]["userid"].is_string());
                seen.insert("comments");
            }
            if !info["notifyer"].as_array().unwrap().is_empty() {
                seen.insert("notifyer");
            }
            for n in info["process_list"]["node_list"].as_array().unwrap() {
                seen.insert(match n["node_type"].as_i64().unwrap() {
                    1 => "approver node",
                    2 => "cc node",
                    3 => "handler node",
                    _ => "other node",
                });
            }
            for c in all_controls(&info["apply_data"]["contents"]) {
                let ctl = c["control"].as_str().unwrap().to_string();
                let v = &c["value"];
                match ctl.as_str() {
                    "Number" => assert!(v["new_number"].is_string()),
                    "Money" => assert!(v["new_money"].is_string()),
                    "Date" => assert!(v["date"]["s_timestamp"].is_string()),
                    "Location" => {
                        assert!(v["location"]["latitude"].is_string() && v["location"]["longitude"].is_string())
                    }
                    "Formula" => assert!(v["formula"]["value"].is_string()),
                    "Contact" => {
                        if let Some(d) = v["departments"].as_array().and_then(|a| a.first()) {
                            assert!(d["openapi_id"].is_string());
                            seen.insert("contact departments");
                        }
                        if !v["members"].as_array().unwrap().is_empty() {
                            seen.insert("contact members");
                        }
                    }
                    "Table" => assert!(v["children"].as_array().unwrap().len() >= 2, "several rows"),
                    "Attendance" if v["attendance"].get("slice_info").is_some() => {
                        seen.insert("slice_info");
                    }
                    _ => {}
                }
                control_types.insert(ctl);
            }
        }
        let all18: BTreeSet<String> = [
            "Text",
            "Textarea",
            "Number",
            "Money",
            "Date",
            "Selector",
            "Contact",
            "Tips",
            "File",
            "Table",
            "Vacation",
            "Attendance",
            "PunchCorrection",
            "DateRange",
            "Location",
            "RelatedApproval",
            "Formula",
            "BankAccount",
        ]
        .map(String::from)
        .into();
        assert!(all18.is_subset(&control_types), "missing {:?}", all18.difference(&control_types).collect::<Vec<_>>());
        assert!(control_types.contains("PhoneNumber"), "a control SDKs do not know");
        assert_eq!(statuses, BTreeSet::from([1, 2, 3, 4, 6, 7, 10, 99]));
        for s in [1, 2, 3] {
            assert!(node_statuses.contains(&s));
        }
        assert!(node_statuses.iter().any(|s| [4, 11, 12, 13].contains(s)), "{node_statuses:?}");
        for s in [
            "applyer",
            "batch_applyer",
            "multi-node sp_record",
            "comments",
            "notifyer",
            "approver node",
            "cc node",
            "handler node",
            "contact departments",
            "contact members",
            "slice_info",
        ] {
            assert!(seen.contains(s), "never saw {s}");
        }
    });
}

#[tokio::test]
async fn getapprovaldata_matches_doc() {
    let api = Api::start(Emulator::builder()).await;
    let d = doc("getapprovaldata.json");
    let old = doc("getapprovaldata_apply_data_old.json");
    let new = doc("getapprovaldata_apply_data_new.json");
    let old_entry = old.as_object().unwrap().values().next().unwrap().clone();
    let image_entry = old["item-1490450399494"].clone();
    let (start, end) = api.emu.date_range();
    let mut data = Vec::new();
    for (s, e) in windows(start, end, 30 * DAY) {
        let v = api.post(APPROVAL_DATA, json!({"starttime": s, "endtime": e})).await;
        assert_eq!(v["errcode"], 0);
        assert_eq!(keys(&v), keys(&d));
        let mut stripped = d.clone();
        stripped["data"] = json!([]);
        shape_matches(&stripped, &v, "getapprovaldata").unwrap();
        data.extend(v["data"].as_array().unwrap().clone());
    }
    let all = Value::Array(data.clone());
    for (i, ex) in d["data"].as_array().unwrap().iter().enumerate() {
        shape_matches(&json!([ex]), &all, &format!("data[{i}]")).unwrap();
    }
    let (mut saw_old, mut saw_new, mut saw_image) = (false, false, false);
    for rec in &data {
        let s = rec["comm"]["apply_data"].as_str().expect("apply_data is a JSON string");
        let parsed: Value = serde_json::from_str(s).expect("apply_data string holds JSON");
        match &parsed {
            Value::Object(m) => {
                saw_old = true;
                for entry in m.values() {
                    shape_matches(&json!({"title": "", "type": ""}), entry, "old").unwrap();
                    assert!(entry.get("value").is_some());
                    if entry["type"] == "image" {
                        shape_matches(&image_entry, entry, "image").unwrap();
                        saw_image = true;
                    } else {
                        shape_matches(&old_entry, entry, "old entry").unwrap();
                    }
                }
            }
            Value::Array(a) => {
                saw_new = true;
                for entry in a {
                    if entry["type"] != "image" {
                        shape_matches(&new[0], entry, "new entry").unwrap();
                    }
                }
            }
            other => panic!("apply_data holds {other}"),
        }
        assert_ne!(rec["sp_status"], 7, "deleted forms are not returned");
    }
    assert!(saw_old && saw_new && saw_image);
    assert!(data.iter().any(|r| r.get("leave").is_some()));
    assert!(data.iter().any(|r| r.get("expense").is_some() && r["expense"].get("item").is_none()));
}

#[tokio::test]
async fn journal_list_and_detail_match_doc() {
    let api = Api::start(Emulator::builder()).await;
    let v =
        api.post(JOURNAL_LIST, json!({"starttime": JAN1, "endtime": JAN1 + 20 * DAY, "cursor": 0, "limit": 10})).await;
    let d = doc("journal_get_record_list.json");
    shape_matches(&d, &v, "get_record_list").unwrap();
    assert_eq!(keys(&d), keys(&v));
    assert_eq!(v["journaluuid_list"][0].as_str().unwrap().len(), 67, "same length as the doc's uuids");

    let d = doc("journal_get_record_detail.json");
    let controls_doc = doc("journal_control_values.json");
    let (start, end) = api.emu.date_range();
    let ids = api.emu.journal_ids(start, end, &JournalFilter::new());
    let allowed: BTreeSet<String> =
        keys(&d["info"]).into_iter().chain(["template_id".to_string(), "sys_journal_data".to_string()]).collect();
    let mut matched = false;
    let mut builtin = false;
    let mut controls = Vec::new();
    for id in ids.iter().step_by(4) {
        let text = api.post_text(JOURNAL_DETAIL, Some(&api.token), &json!({"journaluuid": id}).to_string()).await;
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["errcode"], 0);
        let info = &v["info"];
        assert!(keys(info).is_subset(&allowed), "{:?}", keys(info));
        assert_eq!(info["journal_uuid"], id.as_str());
        assert!(info["template_id"].is_string());
        matched |= shape_matches(&d, &v, "detail").is_ok();
        for c in info["comments"].as_array().unwrap() {
            // A JSON number above 2^53, written exactly.
            let n = c["commentid"].as_u64().expect("u64 commentid");
            assert!(n > 1 << 53);
            assert!(text.contains(&format!("\"commentid\":{n}")), "exact digits on the wire");
            assert!(c["tocommentid"].is_u64());
            assert!(c["comment_userinfo"]["userid"].is_string());
        }
        if let Some(s) = info.get("sys_journal_data") {
            builtin = true;
            assert!(s.as_str().unwrap().contains("<div>"));
            assert_eq!(info["apply_data"]["contents"], json!([]));
            assert_eq!(info["template_name"], "汇报");
        }
        controls.extend(all_controls(&info["apply_data"]["contents"]));
    }
    assert!(matched, "no journal has the documented example's shape");
    assert!(builtin, "no built-in 汇报 journal");
    let types: BTreeSet<String> = controls.iter().map(|c| c["control"].as_str().unwrap().to_string()).collect();
    let journal_controls: BTreeSet<String> = [
        "Text",
        "Textarea",
        "Number",
        "Money",
        "Date",
        "Selector",
        "Contact",
        "Tips",
        "File",
        "Table",
        "DateRange",
        "Doc",
        "WedriveFile",
    ]
    .map(String::from)
    .into();
    assert_eq!(types, journal_controls);
    for ex in controls_doc.as_array().unwrap() {
        let control = ex["control"].as_str().unwrap();
        assert!(
            controls.iter().filter(|c| c["control"] == control).any(|c| shape_matches(
                &ex["value"],
                &c["value"],
                control
            )
            .is_ok()),
            "{control}"
        );
    }
    // The documented padding (the journal example lists all ten keys).
    let text_doc = &d["info"]["apply_data"]["contents"][0]["value"];
    for c in &controls {
        for k in keys(text_doc).into_iter().filter(|k| k != "text") {
            assert!(c["value"][&k].is_array(), "{k} in {c}");
        }
    }
}

#[tokio::test]
async fn stat_list_and_wedrive_match_doc() {
    let api = Api::start(Emulator::builder()).await;
    let (start, end) = api.emu.date_range();
    let d = doc("journal_get_stat_list.json");
    for tid in api.emu.stat_template_ids() {
        let v = api.post(JOURNAL_STAT, json!({"template_id": tid, "starttime": start, "endtime": end})).await;
        shape_matches(&d, &v, "get_stat_list").unwrap();
        assert_eq!(keys(&v), keys(&d));
        for entry in v["stat_list"].as_array().unwrap() {
            assert_eq!(keys(entry), keys(&d["stat_list"][0]));
        }
    }
    let (uuid, fileid) = api.emu.wedrive_files()[0].clone();
    let v = api.post(JOURNAL_WEDRIVE, json!({"journaluuid": uuid, "fileid": fileid})).await;
    let d = doc("journal_download_wedrive_file.json");
    shape_matches(&d, &v, "download_wedrive_file").unwrap();
    assert_eq!(keys(&d), keys(&v));
}
