//! Behaviour of the real generated models: unknown values, big ids, numbers in strings, all
//! control kinds, quirky keys, secrets.

use serde_json::{Value, json};
use wecom_models::approval::{
    GetApprovalDataResponse, GetApprovalDetailResponse, GetApprovalInfoResponse, NodeStatus, SpStatus,
};
use wecom_models::auth::{GetTokenRequest, GetTokenResponse};
use wecom_models::common::{Control, ControlValue};
use wecom_models::journal::{DownloadWedriveFileResponse, GetRecordDetailResponse};

fn example(name: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/examples").join(name))
        .unwrap()
}

#[test]
fn unknown_status_stays_99_and_known_ones_are_typed() {
    let detail: GetApprovalDetailResponse =
        serde_json::from_str(&example("approval.get_approval_detail.response.all_controls.json")).unwrap();
    assert_eq!(detail.info.sp_status, SpStatus::from(99));
    assert_eq!(detail.info.sp_status.code(), 99);
    assert!(detail.info.sp_status.is_unknown() && !detail.info.sp_status.is_known());
    assert_eq!(detail.info.sp_status.description(), None);
    assert_eq!(serde_json::to_value(detail.info.sp_status).unwrap(), json!(99));
    assert_eq!(detail.info.sp_record[1].sp_status, NodeStatus::ApprovedAndAdded);
    let node = detail.info.sp_record[1].details[1].sp_status;
    assert_eq!((node, node.code(), node.is_unknown()), (NodeStatus::from(21), 21, true));
    for s in SpStatus::KNOWN {
        assert_eq!(SpStatus::from_code(s.code()), *s);
        assert!(s.description().is_some());
    }
    assert_eq!(SpStatus::KNOWN.iter().map(|s| s.code()).collect::<Vec<_>>(), [1, 2, 3, 4, 6, 7, 10]);
    // A status sent as a string is read too.
    let lenient: SpStatus = serde_json::from_str("\"2\"").unwrap();
    assert_eq!(lenient, SpStatus::Approved);
}

#[test]
fn all_eighteen_approval_controls_are_typed_and_an_unknown_one_is_kept_raw() {
    let detail: GetApprovalDetailResponse =
        serde_json::from_str(&example("approval.get_approval_detail.response.all_controls.json")).unwrap();
    let tags: Vec<&str> = detail.info.apply_data.contents.iter().map(|c| c.value.tag()).collect();
    for tag in wecom_tests::APPROVAL_CONTROL_TAGS {
        assert!(tags.contains(&tag), "{tag} missing from the example");
        let c = detail.info.apply_data.contents.iter().find(|c| c.value.tag() == tag).unwrap();
        assert!(c.value.is_known(), "{tag} should be a typed variant");
    }
    let phone = detail.info.apply_data.contents.iter().find(|c| c.value.tag() == "PhoneNumber").unwrap();
    assert!(phone.value.is_unknown());
    assert_eq!(
        phone.value.unknown_payload(),
        Some(&json!({"phone_number": {"area_code": "+86", "number": "13800000000"}, "tips": []}))
    );
    let money = detail.info.apply_data.contents.iter().find(|c| c.value.tag() == "Money").unwrap();
    assert_eq!(money.value.unknown_payload(), None, "known kinds keep no raw payload");
    // Written back unchanged, padding included.
    let back = serde_json::to_value(phone).unwrap();
    assert_eq!(back["value"], json!({"phone_number": {"area_code": "+86", "number": "13800000000"}, "tips": []}));
    assert_eq!(back["control"], "PhoneNumber");
}

#[test]
fn typed_values_keep_numbers_as_text() {
    let detail: GetApprovalDetailResponse =
        serde_json::from_str(&example("approval.get_approval_detail.response.all_controls.json")).unwrap();
    let by_id = |id: &str| detail.info.apply_data.contents.iter().find(|c| c.id == id).unwrap().value.clone();
    match by_id("Money-1") {
        ControlValue::Money(m) => {
            assert_eq!(m.new_money.as_str(), "700.05");
            assert_eq!(m.new_money.to_fixed(2), Some(70005));
        }
        other => panic!("{other:?}"),
    }
    match by_id("Location-1") {
        ControlValue::Location(l) => assert_eq!(l.location.latitude.unwrap().as_str(), "30.547239"),
        other => panic!("{other:?}"),
    }
    match by_id("Table-1") {
        ControlValue::Table(t) => {
            assert_eq!(t.children.len(), 2);
            assert!(matches!(&t.children[1].list[1].value, ControlValue::Money(m) if m.new_money.as_str() == "30"));
        }
        other => panic!("{other:?}"),
    }
    match by_id("Date-1") {
        ControlValue::Date(d) => {
            assert_eq!(d.date.s_timestamp, 1569859200);
            assert_eq!(d.date.timezone_info.unwrap().zone_desc.as_deref(), Some("UTC+9"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(detail.info.applicant_userids(), "WuJunJie,LiuXiaoGang");
}

#[test]
fn value_before_control_key_is_still_typed() {
    let c: Control = serde_json::from_str(r#"{"value":{"new_money":"1.00"},"id":"m","control":"Money"}"#).unwrap();
    assert!(matches!(c.value, ControlValue::Money(ref m) if m.new_money.as_str() == "1.00"));
    let no_value: Control = serde_json::from_str(r#"{"control":"Tips","id":"t","title":[]}"#).unwrap();
    assert!(matches!(no_value.value, ControlValue::Tips(_)));
    assert!(
        serde_json::from_str::<Control>(r#"{"control":"Money","value":{"new_money":"1"}}"#).is_err(),
        "id is required"
    );
}

#[test]
fn big_journal_comment_ids_are_exact() {
    let detail: GetRecordDetailResponse =
        serde_json::from_str(&example("journal.get_record_detail.response.json")).unwrap();
    assert_eq!(detail.info.comments[0].commentid, 6899287783354824502);
    assert!(detail.info.comments[0].commentid > 1 << 53);
    let all: GetRecordDetailResponse =
        serde_json::from_str(&example("journal.get_record_detail.response.all_controls.json")).unwrap();
    assert_eq!(all.info.comments[0].commentid, u64::MAX);
    assert_eq!(all.info.comments[0].tocommentid, 6899287783354824502);
    let text = serde_json::to_string(&all).unwrap();
    assert!(text.contains("18446744073709551615"), "written back exactly");
    assert_eq!(all.info.wedrive_file_ids(), ["xxxx"]);
    // Approval comment ids come as strings: read as the same u64, written back as strings.
    let approval: GetApprovalDetailResponse =
        serde_json::from_str(&example("approval.get_approval_detail.response.json")).unwrap();
    assert_eq!(approval.info.comments[0].commentid, 6741314136717778040);
    assert!(serde_json::to_string(&approval).unwrap().contains(r#""commentid":"6741314136717778040""#));
    assert_eq!(approval.info.comments[0].comment_user_info.userid, "WuJunJie");
}

#[test]
fn built_in_journal_template_carries_rich_text() {
    let detail: GetRecordDetailResponse =
        serde_json::from_str(&example("journal.get_record_detail.response.sys_journal.json")).unwrap();
    assert!(detail.info.sys_journal_data.as_deref().unwrap().contains("接口联调"));
    assert!(detail.info.apply_data.unwrap().contents.is_empty());
}

#[test]
fn process_list_reads_both_key_casings() {
    let v: Value = json!({"node_type": 3, "sub_node_list": [{"userid": "a", "Speech": "ok", "Sptime": 5}]});
    let node: wecom_models::approval::ProcessNode = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(node.sub_node_list[0].speech.as_deref(), Some("ok"));
    assert_eq!(node.sub_node_list[0].sptime, Some(5));
    // Written back under the names that came.
    assert_eq!(serde_json::to_value(&node).unwrap(), v);
}

#[test]
fn legacy_data_parses_both_apply_data_forms() {
    let resp: GetApprovalDataResponse =
        serde_json::from_str(&example("approval.get_approval_data.response.json")).unwrap();
    assert_eq!((resp.count, resp.total, resp.next_spnum), (3, 5, Some(201704240001)));
    let items = resp.data[0].comm.as_ref().unwrap().items().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(
        (items[0].id.as_str(), items[0].title.as_str(), items[0].kind.as_str()),
        ("item-1492610773696", "abc", "text")
    );
    assert_eq!(resp.data[0].expense.as_ref().unwrap().item[0].sums.as_ref().unwrap().as_i64(), Some(9900));
    assert_eq!(resp.data[1].leave.as_ref().unwrap().duration, Some(144));
    let new_form: wecom_models::approval::LegacyComm = serde_json::from_value(
        json!({"apply_data": "[{\"id\":\"item-1492610773696\",\"type\":\"text\",\"value\":\"\",\"title\":\"abc\"}]"}),
    )
    .unwrap();
    assert_eq!(new_form.items().unwrap(), items);
}

#[test]
fn error_bodies_parse() {
    let resp: GetApprovalInfoResponse =
        serde_json::from_str(&example("approval.get_approval_info.response.error.json")).unwrap();
    assert_eq!(resp.errcode, 301025);
    assert!(resp.sp_no_list.is_empty());
    assert!(resp.new_next_cursor.is_none());
}

#[test]
fn secrets_never_show_in_debug() {
    let req = GetTokenRequest::new("wwcorp", "very-secret-value");
    assert!(!format!("{req:?}").contains("very-secret-value"));
    let resp: GetTokenResponse = serde_json::from_str(&example("auth.get_token.response.json")).unwrap();
    assert!(!format!("{resp:?}").contains("accesstoken000001"));
    assert_eq!(resp.access_token.as_ref().unwrap().expose(), "accesstoken000001");
    let dl: DownloadWedriveFileResponse =
        serde_json::from_str(&example("journal.download_wedrive_file.response.json")).unwrap();
    assert!(!format!("{dl:?}").contains("COOKIE_VALUE"));
    assert_eq!(dl.cookie_value.expose(), "COOKIE_VALUE");
}

#[test]
fn unknown_values_round_trip_byte_for_byte() {
    use wecom_models::approval::{ApprovalFilter, ApprovalFilterKey};

    // Int enum: a status this SDK does not know, in a number and in a string.
    for text in ["99", "-7", "9007199254740993"] {
        let s: SpStatus = serde_json::from_str(text).unwrap();
        assert!(s.is_unknown(), "{text}");
        assert_eq!(serde_json::to_string(&s).unwrap(), text);
    }
    // String enum: an unknown filter key keeps its exact text, whitespace and case included.
    let filter = r#"{"key":"Sp_Status ","value":"1"}"#;
    let f: ApprovalFilter = serde_json::from_str(filter).unwrap();
    assert_eq!((f.key.as_str(), f.key.is_unknown()), ("Sp_Status ", true));
    assert_eq!(f.key, ApprovalFilterKey::from("Sp_Status "));
    assert_eq!(serde_json::to_string(&f).unwrap(), filter);
    // Union: an unknown control kind keeps its tag and payload.
    let control = r#"{"control":"PhoneNumber","id":"Phone-1","title":[{"text":"电话","lang":"zh_CN"}],"value":{"phone_number":{"area_code":"+86","number":"13800000000"}}}"#;
    let c: Control = serde_json::from_str(control).unwrap();
    assert_eq!((c.value.tag(), c.value.is_known()), ("PhoneNumber", false));
    assert_eq!(serde_json::to_string(&c).unwrap(), control);
    // Known and unknown values compare by wire value.
    assert_eq!(SpStatus::from(2), SpStatus::Approved);
    assert_ne!(SpStatus::from(99), SpStatus::from(98));
    assert_eq!(format!("{:?}", SpStatus::from(99)), "Unknown(99)");
    assert!(!matches!(c.value, ControlValue::Money(_)));
}
