//! The real endpoint descriptions: paths, limits, windows, cursors, error codes, validation.

use wecom_endpoints::{
    CursorStyle, Endpoint, ErrorClass, ErrorCode, MaxSpan, Method, Paged, Problem, Validate, Windowed,
};
use wecom_models::approval::{
    ApprovalFilter, ApprovalFilterKey, GetApprovalDataRequest, GetApprovalDataResponse, GetApprovalDetailRequest,
    GetApprovalInfoRequest, GetApprovalInfoResponse,
};
use wecom_models::auth::GetTokenRequest;
use wecom_models::journal::{
    DownloadWedriveFileRequest, GetRecordDetailRequest, GetRecordListRequest, GetRecordListResponse,
    GetStatListRequest, JournalFilter,
};

const DAY: u64 = 86_400;
/// 2025-01-01 00:00:00 +08:00.
const JAN1: u64 = 1_735_660_800;

#[test]
fn endpoint_facts_match_the_docs() {
    let info = GetApprovalInfoRequest::INFO;
    assert_eq!(
        (info.id, info.method, info.path),
        ("approval.get_approval_info", Method::Post, "/cgi-bin/oa/getapprovalinfo")
    );
    assert_eq!(info.rate_limit_per_minute, Some(600));
    assert_eq!(info.window.unwrap().max_span, MaxSpan::Days(31));
    assert_eq!(info.page.unwrap().max, 100);
    assert_eq!(info.cursor.unwrap().style, CursorStyle::Token);
    assert_eq!(GetRecordListRequest::INFO.window.unwrap().max_span, MaxSpan::Months(1));
    assert_eq!(GetRecordListRequest::STYLE, CursorStyle::Offset);
    assert_eq!(GetApprovalDataRequest::INFO.window.unwrap().max_span, MaxSpan::Days(30));
    assert_eq!(GetApprovalDataRequest::STYLE, CursorStyle::SpNum);
    assert!(GetApprovalDataRequest::INFO.deprecated.is_some());
    assert_eq!(GetStatListRequest::INFO.window.unwrap().max_span, MaxSpan::Years(1));
    assert_eq!(GetTokenRequest::INFO.method, Method::Get);
    assert!(!GetTokenRequest::INFO.access_token);
    assert_eq!(DownloadWedriveFileRequest::INFO.path, "/cgi-bin/oa/journal/download_wedrive_file");
    let paths: Vec<&str> = wecom_endpoints::ALL.iter().map(|e| e.path).collect();
    assert_eq!(paths.len(), 8);
    for p in [
        "/cgi-bin/gettoken",
        "/cgi-bin/oa/journal/get_record_list",
        "/cgi-bin/oa/journal/get_record_detail",
        "/cgi-bin/oa/journal/get_stat_list",
        "/cgi-bin/oa/getapprovaldetail",
        "/cgi-bin/corp/getapprovaldata",
    ] {
        assert!(paths.contains(&p), "{p}");
    }
}

#[test]
fn error_codes_have_meaning_and_class() {
    let expect = [
        (-1, ErrorClass::Retry),
        (45009, ErrorClass::RateLimited),
        (45033, ErrorClass::RateLimited),
        (40014, ErrorClass::TokenInvalid),
        (42001, ErrorClass::TokenInvalid),
        (40001, ErrorClass::Credential),
        (40013, ErrorClass::Credential),
        (40091, ErrorClass::Credential),
        (41001, ErrorClass::InvalidRequest),
        (41002, ErrorClass::Credential),
        (41004, ErrorClass::Credential),
        (48002, ErrorClass::Permission),
        (60011, ErrorClass::Permission),
        (60020, ErrorClass::Permission),
        (301055, ErrorClass::Permission),
        (301065, ErrorClass::Permission),
        (40058, ErrorClass::InvalidRequest),
        (301025, ErrorClass::InvalidRequest),
        (301066, ErrorClass::InvalidRequest),
        (301112, ErrorClass::InvalidRequest),
        (301026, ErrorClass::Internal),
        (301067, ErrorClass::Internal),
    ];
    for (code, class) in expect {
        let e = ErrorCode::from_code(code);
        assert!(e.is_known(), "{code}");
        assert_eq!(e.class(), class, "{code}");
        assert_eq!(e.code(), code);
        assert!(!e.meaning_zh().is_empty() && !e.meaning_en().is_empty());
    }
    let unknown = ErrorCode::from(123456);
    assert_eq!((unknown, unknown.code(), unknown.is_unknown()), (ErrorCode::from_code(123456), 123456, true));
    assert_eq!(unknown.class(), ErrorClass::Other);
    assert_eq!(unknown.hint(), None);
    assert_eq!(unknown.to_string(), "123456 (未知错误码 / unknown error code)");
    assert!(ErrorCode::KNOWN.len() >= 40);
    let hint = GetApprovalDetailRequest::INFO.hint(ErrorCode::from_code(301055)).unwrap();
    assert!(hint.contains("审批 → API → 可调用接口的应用"), "{hint}");
    let hint = GetRecordListRequest::INFO.hint(ErrorCode::from_code(301065)).unwrap();
    assert!(hint.contains("汇报 → API"), "{hint}");
    assert_eq!(GetApprovalInfoRequest::INFO.meaning(ErrorCode::from_code(301026)).0, "批量拉取审批单内部接口失败");
    assert_eq!(
        ErrorCode::from_code(301055).to_string(),
        "301055 (无审批应用权限/无审批应用数据拉取权限 / no permission for the approval app or to pull approval data)"
    );
}

#[test]
fn windows_are_checked_at_their_limits() {
    let ok = GetApprovalInfoRequest::new(JAN1, JAN1 + 31 * DAY);
    assert!(ok.validate().is_ok());
    let e = GetApprovalInfoRequest::new(JAN1, JAN1 + 31 * DAY + 1).validate().unwrap_err();
    assert_eq!(e.endpoint(), Some("approval.get_approval_info"));
    assert_eq!(e.field(), "endtime");
    assert!(matches!(e.problem(), Problem::WindowTooLong { max: MaxSpan::Days(31), .. }));
    assert!(e.to_string().contains("limit of 31 days"), "{e}");

    let e = GetApprovalInfoRequest::new(JAN1, JAN1).validate().unwrap_err();
    assert!(matches!(e.problem(), Problem::WindowInverted { .. }), "{e}");
    assert!(e.to_string().contains("must be after `starttime`"), "{e}");

    assert!(GetApprovalDataRequest::new(JAN1, JAN1 + 30 * DAY).validate().is_ok());
    let e = GetApprovalDataRequest::new(JAN1, JAN1 + 30 * DAY + 1).validate().unwrap_err();
    assert!(e.to_string().contains("30 days"), "{e}");

    // One calendar month from 2025-01-31 is 2025-02-28.
    let jan31 = JAN1 + 30 * DAY;
    let feb28 = jan31 + 28 * DAY;
    assert!(GetRecordListRequest::new(jan31 as u32, feb28 as u32).validate().is_ok());
    let e = GetRecordListRequest::new(jan31 as u32, (feb28 + 1) as u32).validate().unwrap_err();
    assert!(e.to_string().contains("1 month"), "{e}");
    assert!(e.to_string().contains("2025-02-28 00:00:00+08:00"), "{e}");

    assert!(GetStatListRequest::new("tpl", JAN1, JAN1 + 365 * DAY).validate().is_ok());
    assert!(GetStatListRequest::new("tpl", JAN1, JAN1 + 366 * DAY).validate().is_err());
}

#[test]
fn page_sizes_filters_and_required_fields_are_checked() {
    let base = || GetApprovalInfoRequest::new(JAN1, JAN1 + DAY);
    let e = base().size(0).validate().unwrap_err();
    assert_eq!(e.to_string(), "approval.get_approval_info: `size` is 0; it must be between 1 and 100");
    assert!(base().size(101).validate().is_err());
    assert!(base().size(100).validate().is_ok());
    let e = GetRecordListRequest::new(JAN1 as u32, (JAN1 + DAY) as u32).limit(101).validate().unwrap_err();
    assert_eq!(e.field(), "limit");

    let e = base().filter(ApprovalFilter::creator("x".repeat(257))).validate().unwrap_err();
    assert_eq!(e.field(), "filters[0].value");
    assert!(e.to_string().contains("the limit is 256 bytes"), "{e}");
    assert!(base().filter(ApprovalFilter::creator("x".repeat(256))).validate().is_ok());
    let long_key = ApprovalFilter::new(ApprovalFilterKey::from("k".repeat(300)), "v");
    assert_eq!(base().filter(long_key).validate().unwrap_err().field(), "filters[0].key");
    let e = GetRecordListRequest::new(JAN1 as u32, (JAN1 + DAY) as u32)
        .filter(JournalFilter::creator("é".repeat(129)))
        .validate()
        .unwrap_err();
    assert!(e.to_string().contains("258 bytes"), "bytes, not chars: {e}");

    let twice = base().filter(ApprovalFilter::creator("a")).filter(ApprovalFilter::creator("b"));
    let e = twice.validate().unwrap_err();
    assert_eq!(e.field(), "filters[1].key");
    assert!(e.to_string().contains("only department may appear more than once"), "{e}");
    let departments = base().filter(ApprovalFilter::department(1)).filter(ApprovalFilter::department(2));
    assert!(departments.validate().is_ok());

    for (req, field) in [
        (GetApprovalDetailRequest::new("").validate(), "sp_no"),
        (GetRecordDetailRequest::new("").validate(), "journaluuid"),
        (GetStatListRequest::new("", JAN1, JAN1 + DAY).validate(), "template_id"),
        (DownloadWedriveFileRequest::new("j", "").validate(), "fileid"),
        (GetTokenRequest::new("corp", "").validate(), "corpsecret"),
    ] {
        let e = req.unwrap_err();
        assert_eq!(e.field(), field);
        assert!(matches!(e.problem(), Problem::Missing));
    }
    let e = GetRecordDetailRequest::new("u".repeat(257)).validate().unwrap_err();
    assert!(matches!(e.problem(), Problem::TooLong { max_bytes: 256, actual: 257 }));
}

#[test]
fn paging_follows_each_cursor_style() {
    let mut req = GetApprovalInfoRequest::new(JAN1, JAN1 + DAY);
    assert_eq!(req.page_cursor(), None);
    req.set_cursor(Some("c2".into()));
    assert_eq!(serde_json::to_value(&req).unwrap()["new_cursor"], "c2");
    req.set_page_size(20);
    assert_eq!(req.size, 20);
    let page: GetApprovalInfoResponse =
        serde_json::from_str(r#"{"errcode":0,"errmsg":"ok","sp_no_list":["1","2"],"new_next_cursor":"c3"}"#).unwrap();
    assert_eq!(GetApprovalInfoRequest::next_cursor(&page).as_deref(), Some("c3"));
    assert_eq!(GetApprovalInfoRequest::items(page), ["1", "2"]);
    let last: GetApprovalInfoResponse = serde_json::from_str(r#"{"errcode":0,"sp_no_list":["3"]}"#).unwrap();
    assert_eq!(GetApprovalInfoRequest::next_cursor(&last), None);

    let page: GetRecordListResponse =
        serde_json::from_str(r#"{"journaluuid_list":["a"],"next_cursor":34,"endflag":0}"#).unwrap();
    assert_eq!(GetRecordListRequest::next_cursor(&page), Some(34));
    let last: GetRecordListResponse =
        serde_json::from_str(r#"{"journaluuid_list":[],"next_cursor":0,"endflag":1}"#).unwrap();
    assert_eq!(GetRecordListRequest::next_cursor(&last), None);

    let mut legacy = GetApprovalDataRequest::new(JAN1, JAN1 + DAY);
    assert_eq!(legacy.page_size(), 100);
    legacy.set_cursor(Some(202501010100));
    assert_eq!(serde_json::to_value(&legacy).unwrap()["next_spnum"], 202501010100u64);
    let rows: Vec<String> =
        (1..=100).map(|i| format!(r#"{{"sp_status":1,"sp_num":{}}}"#, 202501010000u64 + i)).collect();
    let full: GetApprovalDataResponse = serde_json::from_str(&format!(
        r#"{{"count":100,"total":250,"next_spnum":202501010100,"data":[{}]}}"#,
        rows.join(",")
    ))
    .unwrap();
    assert_eq!(GetApprovalDataRequest::next_cursor(&full), Some(202501010100));
    assert_eq!(GetApprovalDataRequest::item_key(&full.data[0]), "202501010001");
    let short: GetApprovalDataResponse = serde_json::from_str(
        r#"{"count":1,"total":250,"next_spnum":202501010200,"data":[{"sp_status":1,"sp_num":202501010200}]}"#,
    )
    .unwrap();
    assert_eq!(GetApprovalDataRequest::next_cursor(&short), None);
}

#[test]
fn windows_can_be_moved() {
    let mut req = GetRecordListRequest::new(1, 2);
    req.set_window(JAN1, JAN1 + DAY);
    assert_eq!(req.window(), (JAN1, JAN1 + DAY));
    assert_eq!(req.starttime as u64, JAN1);
    let mut info = GetApprovalInfoRequest::new(1, 2);
    info.set_window(JAN1, JAN1 + DAY);
    assert_eq!(serde_json::to_value(&info).unwrap()["starttime"], JAN1.to_string());
}
