//! `int_or_string`: the approval `commentid`, `sptime`, `location.time`, punch-correction
//! `time` and `s_timestamp` are read from a JSON number or a string of digits into one `u64`,
//! exactly (no float on the way), and written back in the spelling they came in. Anything else
//! is a typed decode error at the field.

use serde_json::{Value, json};
use wecom_models::approval::{ApprovalComment, SpRecordDetail, SubNode};
use wecom_models::common::{DateField, Location, PunchCorrection};
use wecom_tests::fixture::models::login::{LoginRequest, LoginResponse};
use wecom_tests::fixture::models::records::Row;

fn comment(id: Value) -> Value {
    json!({"commentUserInfo": {"userid": "u"}, "commenttime": 1, "commentcontent": "c", "commentid": id})
}

fn decode<T: serde::de::DeserializeOwned>(v: &Value) -> Result<T, String> {
    serde_path_to_error::deserialize(v).map_err(|e| format!("{}: {}", e.path(), e.inner()))
}

#[test]
fn numbers_and_strings_read_the_same_and_write_back_as_they_came() {
    for (wire, value) in [
        (json!(6741314136717778040u64), 6741314136717778040),
        (json!("6741314136717778040"), 6741314136717778040),
        (json!(6899287783354824502u64), 6899287783354824502),
        (json!("18446744073709551615"), u64::MAX),
        (json!(u64::MAX), u64::MAX),
        (json!("0"), 0),
        (json!(0), 0),
        (json!(9007199254740993u64), 9007199254740993), // 2^53 + 1: a float would round it
    ] {
        let body = comment(wire.clone());
        let c: ApprovalComment = decode(&body).unwrap();
        assert_eq!(c.commentid, value, "{wire}");
        let back = serde_json::to_value(&c).unwrap();
        assert_eq!(back, body, "{wire} written back in its own spelling");
    }
    let a: ApprovalComment = decode(&comment(json!(7))).unwrap();
    let b: ApprovalComment = decode(&comment(json!("7"))).unwrap();
    assert_eq!(a, b, "one typed form: equal values whatever the spelling");
}

#[test]
fn every_field_of_the_issue_takes_both_forms() {
    let detail: SpRecordDetail = decode(
        &json!({"approver": {"userid": "u"}, "speech": "", "sp_status": 1, "sptime": "1605690500", "media_id": []}),
    )
    .unwrap();
    assert_eq!(detail.sptime, 1605690500);
    let sub: SubNode = decode(&json!({"userid": "u", "sptime": 1605690500})).unwrap();
    assert_eq!(sub.sptime, Some(1605690500));
    let loc: Location = decode(&json!({"time": "1605690460"})).unwrap();
    assert_eq!(loc.time, Some(1605690460));
    let punch: PunchCorrection = decode(&json!({"state": "迟到", "time": "1570550400"})).unwrap();
    assert_eq!(punch.time, 1570550400);
    let date: DateField = decode(&json!({"type": "day", "s_timestamp": 1569859200})).unwrap();
    assert_eq!(date.s_timestamp, 1569859200);
    assert_eq!(serde_json::to_value(&date).unwrap()["s_timestamp"], json!(1569859200));
}

#[test]
fn anything_else_is_an_error_at_the_field_never_a_float() {
    let cases = [
        (json!(-5), "integer `-5`"),
        (json!("-5"), "string \"-5\""),
        (json!(1.5), "floating point `1.5`"),
        (json!(1e3), "floating point `1000.0`"),
        (json!("1.0"), "string \"1.0\""),
        (json!("1e3"), "string \"1e3\""),
        (json!(" 7"), "string \" 7\""),
        (json!("+7"), "string \"+7\""),
        (json!(""), "string \"\""),
        (json!("abc"), "string \"abc\""),
        (json!("18446744073709551616"), "string \"18446744073709551616\""), // u64::MAX + 1
        (json!(true), "boolean `true`"),
        (json!({}), "map"),
    ];
    for (wire, shown) in cases {
        let e = decode::<ApprovalComment>(&comment(wire.clone())).unwrap_err();
        assert!(e.starts_with("commentid: "), "{wire}: {e}");
        assert!(e.contains(shown), "{wire}: {e}");
        assert!(e.contains("expected an unsigned integer (a JSON number or a string of digits)"), "{wire}: {e}");
    }
    // Deep in a response, the path names the place.
    let e = decode::<wecom_models::approval::GetApprovalDetailResponse>(&json!({"info": {
        "sp_no": "1", "sp_name": "n", "sp_status": 1, "template_id": "t", "apply_time": 1,
        "apply_data": {"contents": []}, "comments": [comment(json!("x1"))]}}))
    .unwrap_err();
    assert!(e.starts_with("info.comments[0].commentid: invalid value: string \"x1\""), "{e}");
}

#[test]
fn the_fixture_covers_both_sides() {
    // Faithful (response side): required and optional, both spellings.
    let row: Row = decode(&json!({"num": 1, "stamp": "12", "serial": 34})).unwrap();
    assert_eq!((row.stamp, row.serial), (Some(12), 34));
    assert_eq!(serde_json::to_value(&row).unwrap(), json!({"num": 1, "stamp": "12", "serial": 34}));
    let absent: Row = decode(&json!({"num": 1})).unwrap();
    assert_eq!((absent.stamp, absent.serial), (None, 0));
    assert_eq!(serde_json::to_value(&absent).unwrap(), json!({"num": 1}), "nothing invented");
    let resp: LoginResponse = decode(&json!({"nonce": "99", "errcode": 0})).unwrap();
    assert_eq!(resp.nonce, 99);
    assert!(decode::<LoginResponse>(&json!({"nonce": -1})).unwrap_err().starts_with("nonce: "));
    // Derived (request side): read in either form, sent as a number.
    let req: LoginRequest = decode(&json!({"user": "a", "password": "p", "remember": true, "nonce": "5"})).unwrap();
    assert_eq!(req.nonce, Some(5));
    assert_eq!(serde_json::to_value(req.clone().nonce(6)).unwrap()["nonce"], json!(6));
    assert!(decode::<LoginRequest>(&json!({"user": "a", "password": "p", "remember": true, "nonce": 2.5})).is_err());
}
