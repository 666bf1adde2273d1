//! The compiled fixture output (tests/src/fixture) behaves as the spec says: this is where the
//! snapshots meet the compiler and the traits.

use wecom_endpoints::{ApiResponse, CursorStyle, Endpoint, MaxSpan, Paged, Validate, Windowed};
use wecom_tests::fixture::models::enums::{Color, Level};
use wecom_tests::fixture::models::login::LoginRequest;
use wecom_tests::fixture::models::offset::{Filter, ListByOffsetRequest, ListByOffsetResponse};
use wecom_tests::fixture::models::records::Row;
use wecom_tests::fixture::models::spnum::{ListByNumberRequest, ListByNumberResponse};
use wecom_tests::fixture::models::token::{ListByTokenRequest, ListByTokenResponse};
use wecom_tests::fixture::models::unions::WidgetValue;

#[test]
fn open_enums_keep_unknown_values() {
    let row: Row = serde_json::from_str(r#"{"num": 1, "level": 7}"#).unwrap();
    let level = row.level.unwrap();
    assert_eq!((level, level.code(), level.is_unknown()), (Level::from(7), 7, true));
    assert_eq!(serde_json::to_string(&row.level).unwrap(), "7");
    assert_eq!(Level::from_code(2), Level::High);
    assert_eq!(i64::from(Level::High), 2);

    let green = Color::from("green");
    assert_eq!((green.as_str(), green.is_known()), ("green", false));
    assert_eq!(green, Color::from(String::from("green")));
    assert_eq!(Color::from("red"), Color::Red);
    assert_eq!(serde_json::to_string(&green).unwrap(), "\"green\"");
    assert_eq!(serde_json::from_str::<Color>("\"green\"").unwrap(), green);
}

#[test]
fn union_reads_typed_payloads_in_any_key_order_and_keeps_unknown_kinds() {
    let row: Row = serde_json::from_str(
        r#"{"num": 2, "widgets": [
            {"kind": "Dial", "id": "a", "data": {"reading": "1.50"}},
            {"data": {"body": "hi"}, "id": "b", "kind": "Note"},
            {"kind": "Slider", "id": "c", "labels": [{"text": "x"}], "data": {"pos": [1, 2]}}
        ]}"#,
    )
    .unwrap();
    match &row.widgets[0].data {
        WidgetValue::Dial(d) => assert_eq!(d.reading.as_ref().unwrap().as_str(), "1.50"),
        other => panic!("{other:?}"),
    }
    match &row.widgets[1].data {
        WidgetValue::Memo(n) => assert_eq!(n.body.as_deref(), Some("hi")),
        other => panic!("{other:?}"),
    }
    assert_eq!(row.widgets[2].data.tag(), "Slider");
    assert!(row.widgets[2].data.is_unknown());
    assert_eq!(row.widgets[2].data.unknown_payload(), Some(&serde_json::json!({"pos": [1, 2]})));
    assert_eq!(row.widgets[0].data.unknown_payload(), None);
    assert_eq!(
        serde_json::to_string(&row.widgets[2]).unwrap(),
        r#"{"kind":"Slider","id":"c","labels":[{"text":"x"}],"data":{"pos":[1,2]}}"#
    );
    assert!(
        serde_json::from_str::<Row>(r#"{"num": 1, "widgets": [{"id": "x", "data": {}}]}"#).is_err(),
        "tag required"
    );
}

#[test]
fn renamed_field_reads_its_alias_and_json_string_is_kept() {
    let row: Row =
        serde_json::from_str(r#"{"num": 3, "CamelKey": "v", "blob": "{\"a\":1}", "amount": 12.50}"#).unwrap();
    assert_eq!(row.camel_key.as_deref(), Some("v"));
    assert_eq!(row.blob.as_ref().unwrap().parse::<serde_json::Value>().unwrap()["a"], 1);
    let back = serde_json::to_value(&row).unwrap();
    // Written back under the name it came in; the wire name otherwise.
    assert_eq!((back.get("CamelKey"), back.get("camelKey")), (Some(&serde_json::json!("v")), None));
    assert_eq!(back["blob"], "{\"a\":1}");
    assert_eq!(back["amount"], serde_json::json!(12.5));
    let plain: Row = serde_json::from_str(r#"{"num": 3, "camelKey": "w"}"#).unwrap();
    assert_eq!(serde_json::to_value(&plain).unwrap()["camelKey"], "w");
}

#[test]
fn secrets_stay_out_of_debug() {
    let req = LoginRequest::new("alice", "hunter2");
    let shown = format!("{req:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert_eq!(serde_json::to_value(&req).unwrap()["password"], "hunter2");
}

#[test]
fn three_cursor_styles() {
    assert_eq!(ListByOffsetRequest::STYLE, CursorStyle::Offset);
    let mut r = ListByOffsetRequest::new(0, 10);
    assert_eq!(r.page_cursor(), None);
    r.set_cursor(Some(34));
    assert_eq!(r.cursor, 34);
    let more: ListByOffsetResponse = serde_json::from_str(r#"{"ids":["a"],"next_cursor":35,"endflag":0}"#).unwrap();
    assert_eq!(ListByOffsetRequest::next_cursor(&more), Some(35));
    let last: ListByOffsetResponse = serde_json::from_str(r#"{"ids":[],"next_cursor":0,"endflag":1}"#).unwrap();
    assert_eq!(ListByOffsetRequest::next_cursor(&last), None);

    let mut t = ListByTokenRequest::new(1, 2);
    assert_eq!(t.page_size(), 50);
    t.set_cursor(Some("abc".into()));
    assert_eq!(serde_json::to_value(&t).unwrap()["new_cursor"], "abc");
    assert_eq!(serde_json::to_value(&t).unwrap()["from"], "1");
    let more: ListByTokenResponse = serde_json::from_str(r#"{"names":["x"],"new_next_cursor":"n2"}"#).unwrap();
    assert_eq!(ListByTokenRequest::next_cursor(&more).as_deref(), Some("n2"));
    let last: ListByTokenResponse = serde_json::from_str(r#"{"names":["x"]}"#).unwrap();
    assert_eq!(ListByTokenRequest::next_cursor(&last), None);

    let full: ListByNumberResponse =
        serde_json::from_str(r#"{"count":2,"next_num":9,"rows":[{"num":8},{"num":9}]}"#).unwrap();
    assert_eq!(ListByNumberRequest::next_cursor(&full), Some(9));
    assert_eq!(ListByNumberRequest::item_key(&full.rows[0]), "8");
    let short: ListByNumberResponse = serde_json::from_str(r#"{"count":1,"next_num":10,"rows":[{"num":10}]}"#).unwrap();
    assert_eq!(ListByNumberRequest::next_cursor(&short), None);
    assert_eq!(ListByNumberRequest::items(short).len(), 1);
    assert_eq!(full.errcode(), 0);
}

#[test]
fn windows_and_validation() {
    let day = 86_400;
    let mut r = ListByTokenRequest::new(1_700_000_000, 1_700_000_000 + 31 * day);
    assert!(r.validate().is_ok());
    r.set_window(1_700_000_000, 1_700_000_000 + 31 * day + 1);
    let e = r.validate().unwrap_err();
    assert_eq!(e.endpoint(), Some("token.list_by_token"));
    assert_eq!(e.field(), "to");
    assert!(e.to_string().contains("31 days"), "{e}");

    let bad_filter = ListByOffsetRequest::new(1_700_000_000, 1_700_000_100).filters([
        Filter::new(Color::Blue, "x"),
        Filter::new(Color::Red, "y"),
        Filter::new(Color::Blue, "z"),
    ]);
    let e = bad_filter.validate().unwrap_err();
    assert_eq!(e.field(), "filters[2].key");
    let ok = ListByOffsetRequest::new(1_700_000_000, 1_700_000_100)
        .filters([Filter::new(Color::Red, "x"), Filter::new(Color::Red, "y")]);
    assert!(ok.validate().is_ok(), "red may repeat");
    let long =
        ListByOffsetRequest::new(1_700_000_000, 1_700_000_100).filters([Filter::new(Color::Red, "v".repeat(17))]);
    assert_eq!(long.validate().unwrap_err().field(), "filters[0].value");
    let zero = ListByOffsetRequest::new(1_700_000_000, 1_700_000_100).limit(0);
    assert_eq!(zero.validate().unwrap_err().field(), "limit");

    assert_eq!(ListByOffsetRequest::INFO.window.unwrap().max_span, MaxSpan::Months(1));
    assert_eq!(ListByNumberRequest::INFO.page.unwrap().max, 2);
    assert_eq!(LoginRequest::INFO.method, wecom_endpoints::Method::Get);
    assert!(!LoginRequest::INFO.access_token);
    let code = ListByOffsetRequest::INFO.errors[0].code;
    assert_eq!(ListByOffsetRequest::INFO.hint(code), Some("Grant offsets."));
    assert_eq!(wecom_tests::fixture::endpoints::ALL.len(), 4);
    let fixture_code = wecom_tests::fixture::endpoints::errors::ErrorCode::from_code(45009);
    assert_eq!(fixture_code.class(), wecom_endpoints::ErrorClass::RateLimited);
    assert_eq!(fixture_code.hint(), Some("Slow down."));
}

#[test]
fn keyword_fields_signed_numbers_ranges_and_bool_defaults() {
    let row: Row =
        serde_json::from_str(r#"{"num": 1, "type": -3, "total": -5, "done": true, "extra": {"k": [1]}}"#).unwrap();
    assert_eq!((row.r#type, row.total, row.done), (Some(-3), Some(-5), Some(true)));
    let back = serde_json::to_value(&row).unwrap();
    assert_eq!((back["type"].clone(), back["extra"].clone()), (serde_json::json!(-3), serde_json::json!({"k": [1]})));

    let req = LoginRequest::new("alice", "hunter2");
    assert!(req.remember, "bool default");
    assert!(serde_json::to_value(&req).unwrap().get("ttl").is_none(), "unset optional fields are not sent");
    let short = req.clone().ttl(59).validate().unwrap_err();
    assert_eq!((short.endpoint(), short.field()), (Some("login.login"), "ttl"));
    assert!(req.clone().ttl(3600).validate().is_ok());
    assert_eq!(req.remember(false).ttl(3601).validate().unwrap_err().field(), "ttl");
    assert_eq!(LoginRequest::new("", "p").validate().unwrap_err().field(), "user");
}
