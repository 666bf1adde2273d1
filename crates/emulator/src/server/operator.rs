//! The operator API under `/_emulator/` (ground truth, counters, controls) and the
//! wedrive download URL that download_wedrive_file hands out.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::handlers::{WEDRIVE_COOKIE, query_map, wedrive_cookie};
use super::state::{Shared, unix_now};
use crate::faults::Faults;
use crate::filter::{ApprovalFilter, JournalFilter};
use crate::wedrive::WedriveReader;
use crate::{summary, time};

/// Wire path counted for wedrive downloads.
pub(crate) const WEDRIVE_PATH: &str = "/_wedrive/download";

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_emulator", get(index))
        .route("/_emulator/", get(index))
        .route("/_emulator/dataset", get(dataset))
        .route("/_emulator/ids", get(ids))
        .route("/_emulator/stats", get(stats))
        .route("/_emulator/reset_counts", post(reset_counts))
        .route("/_emulator/revoke_tokens", post(revoke_tokens))
        .route("/_emulator/faults", get(get_faults).post(set_faults))
        .route("/_emulator/wedrive_files", get(wedrive_files))
        .route("/_emulator/approval/{sp_no}", get(approval))
        .route("/_emulator/journal/{uuid}", get(journal))
        .route("/_emulator/stat_cycles", get(stat_cycles))
        .route("/_wedrive/download/{fileid}", get(wedrive_download))
}

fn json_body(status: StatusCode, v: Value) -> Response {
    let mut r = Response::new(Body::from(serde_json::to_vec_pretty(&v).unwrap_or_default()));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=UTF-8"));
    r
}

fn bad_request(msg: &str) -> Response {
    json_body(StatusCode::BAD_REQUEST, json!({"error": msg}))
}

async fn index() -> Response {
    json_body(
        StatusCode::OK,
        json!({
            "endpoints": {
                "GET /_emulator/dataset": "corp, date range, users, departments, templates, counts",
                "GET /_emulator/ids?kind=approval|journal|legacy&start=&end=&template_id=&creator=&department=(repeatable)&sp_status=&record_type=": "ground-truth ids in API order (inclusive window; times as unix or YYYY-MM-DD[THH:MM:SS] UTC+8)",
                "GET /_emulator/stats": "call counts per path, errcode counts, injected faults, in-flight requests",
                "POST /_emulator/reset_counts": "zero every counter",
                "POST /_emulator/revoke_tokens": "invalidate every issued access_token (next OA call: 40014)",
                "GET /_emulator/faults": "current fault settings",
                "POST /_emulator/faults": "replace fault settings: {\"seed\":1,\"busy\":0.1,\"rate_limited\":0,\"http_502\":0,\"http_503\":0,\"delay\":0,\"delay_ms\":100,\"drop_connection\":0,\"truncated_body\":0,\"non_json\":0,\"include_gettoken\":false}",
                "GET /_emulator/wedrive_files": "every wedrive file: journaluuid, fileid, size, name",
                "GET /_emulator/approval/{sp_no}": "the getapprovaldetail info of a form, without a token",
                "GET /_emulator/journal/{journaluuid}": "the get_record_detail info of a journal, without a token",
                "GET /_emulator/stat_cycles?template_id=&start=&end=": "finished stat cycles [begin, end) of a journal template"
            }
        }),
    )
}

async fn dataset(State(sh): State<Arc<Shared>>) -> Response {
    json_body(StatusCode::OK, serde_json::to_value(summary(&sh.ds)).unwrap_or(Value::Null))
}

fn pairs(q: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(q.unwrap_or("").as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

fn time_param(q: &[(String, String)], key: &str, default: i64) -> Result<i64, String> {
    match q.iter().find(|(k, _)| k == key) {
        None => Ok(default),
        Some((_, v)) => time::parse_time(v).ok_or_else(|| format!("invalid {key}: {v}")),
    }
}

async fn ids(State(sh): State<Arc<Shared>>, RawQuery(q): RawQuery) -> Response {
    let q = pairs(q.as_deref());
    let get = |key: &str| q.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let ds = &sh.ds;
    let start = match time_param(&q, "start", ds.start) {
        Ok(t) => t,
        Err(m) => return bad_request(&m),
    };
    let end = match time_param(&q, "end", ds.end) {
        Ok(t) => t,
        Err(m) => return bad_request(&m),
    };
    let departments: Vec<String> = q.iter().filter(|(k, _)| k == "department").map(|(_, v)| v.clone()).collect();
    let kind = get("kind").unwrap_or_else(|| "approval".into());
    let ids: Vec<Value> = match kind.as_str() {
        "approval" => {
            let parse = |key: &str| -> Result<Option<i64>, String> {
                match get(key) {
                    None => Ok(None),
                    Some(v) => v.parse().map(Some).map_err(|_| format!("invalid {key}")),
                }
            };
            let sp_status = match parse("sp_status") {
                Ok(v) => v,
                Err(m) => return bad_request(&m),
            };
            let record_type = match parse("record_type") {
                Ok(v) => v,
                Err(m) => return bad_request(&m),
            };
            let f = ApprovalFilter {
                template_id: get("template_id"),
                creator: get("creator"),
                departments,
                sp_status,
                record_type,
            };
            ds.approval_indices(start, end, &f).into_iter().map(|i| json!(ds.sp_no(i))).collect()
        }
        "journal" => {
            let f = JournalFilter { template_id: get("template_id"), creator: get("creator"), departments };
            ds.journal_indices(start, end, &f).into_iter().map(|i| json!(ds.journal_uuid(i))).collect()
        }
        "legacy" => {
            ds.approval_window(start, end).filter(|&i| ds.legacy_visible(i)).map(|i| json!(ds.sp_num(i))).collect()
        }
        other => return bad_request(&format!("unknown kind {other}: use approval, journal or legacy")),
    };
    json_body(StatusCode::OK, json!({"kind": kind, "start": start, "end": end, "count": ids.len(), "ids": ids}))
}

async fn stats(State(sh): State<Arc<Shared>>) -> Response {
    let errcodes: serde_json::Map<String, Value> =
        sh.errcode_counts().into_iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
    json_body(
        StatusCode::OK,
        json!({
            "call_counts": sh.call_counts(),
            "errcode_counts": errcodes,
            "fault_counts": sh.fault_counts(),
            "in_flight": sh.in_flight_all(),
        }),
    )
}

async fn reset_counts(State(sh): State<Arc<Shared>>) -> Response {
    sh.reset_counts();
    json_body(StatusCode::OK, json!({"ok": true}))
}

async fn revoke_tokens(State(sh): State<Arc<Shared>>) -> Response {
    sh.revoke_tokens();
    json_body(StatusCode::OK, json!({"ok": true}))
}

async fn get_faults(State(sh): State<Arc<Shared>>) -> Response {
    json_body(StatusCode::OK, serde_json::to_value(sh.faults()).unwrap_or(Value::Null))
}

async fn set_faults(State(sh): State<Arc<Shared>>, body: Bytes) -> Response {
    let f: Faults = if body.iter().all(u8::is_ascii_whitespace) {
        Faults::none()
    } else {
        match serde_json::from_slice(&body) {
            Ok(f) => f,
            Err(e) => return bad_request(&format!("invalid faults JSON: {e}")),
        }
    };
    sh.set_faults(f.clone());
    json_body(StatusCode::OK, serde_json::to_value(f).unwrap_or(Value::Null))
}

async fn wedrive_files(State(sh): State<Arc<Shared>>) -> Response {
    let ds = &sh.ds;
    let files: Vec<Value> = ds
        .wedrive_all()
        .map(|(j, k)| {
            json!({
                "journaluuid": ds.journal_uuid(j),
                "fileid": ds.wedrive_fileid(j, k),
                "size": ds.wedrive_size(j, k),
                "name": ds.wedrive_name(j, k),
            })
        })
        .collect();
    json_body(StatusCode::OK, json!({"count": files.len(), "files": files}))
}

async fn approval(State(sh): State<Arc<Shared>>, Path(sp_no): Path<String>) -> Response {
    match sh.ds.approval_by_sp_no(&sp_no) {
        Some(i) => json_body(StatusCode::OK, sh.ds.approval_detail(i)),
        None => json_body(StatusCode::NOT_FOUND, json!({"error": "no such sp_no"})),
    }
}

async fn journal(State(sh): State<Arc<Shared>>, Path(uuid): Path<String>) -> Response {
    match sh.ds.journal_by_uuid(&uuid) {
        Some(i) => json_body(StatusCode::OK, sh.ds.journal_detail(i)),
        None => json_body(StatusCode::NOT_FOUND, json!({"error": "no such journaluuid"})),
    }
}

async fn stat_cycles(State(sh): State<Arc<Shared>>, RawQuery(q): RawQuery) -> Response {
    let q = pairs(q.as_deref());
    let ds = &sh.ds;
    let Some(tid) = q.iter().find(|(k, _)| k == "template_id").map(|(_, v)| v) else {
        return bad_request("template_id is required");
    };
    let start = match time_param(&q, "start", ds.start) {
        Ok(t) => t,
        Err(m) => return bad_request(&m),
    };
    let end = match time_param(&q, "end", ds.end) {
        Ok(t) => t,
        Err(m) => return bad_request(&m),
    };
    let cycles: Vec<Value> = match ds.journal_templates.iter().position(|t| &t.id == tid) {
        Some(t) => ds.stat_cycles(t, start, end).into_iter().map(|(b, e)| json!([b, e])).collect(),
        None => Vec::new(),
    };
    json_body(StatusCode::OK, json!({"count": cycles.len(), "cycles": cycles}))
}

fn forbidden(msg: &'static str) -> Response {
    (StatusCode::FORBIDDEN, msg).into_response()
}

/// `GET /_wedrive/download/{fileid}?expires=…`: the bytes, only with the cookie
/// download_wedrive_file returned.
async fn wedrive_download(
    State(sh): State<Arc<Shared>>,
    Path(fileid): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    sh.count_call(WEDRIVE_PATH);
    let q = query_map(q.as_deref());
    let Some(expires) = q.get("expires").and_then(|e| e.parse::<i64>().ok()) else {
        return forbidden("403 Forbidden: missing expires");
    };
    if expires < unix_now() {
        return forbidden("403 Forbidden: download url expired");
    }
    let expected = wedrive_cookie(&sh, &fileid, expires);
    let authorised = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .any(|(k, v)| k == WEDRIVE_COOKIE && v == expected);
    if !authorised {
        return forbidden("403 Forbidden: missing or wrong download cookie");
    }
    let Some((j, k)) = sh.ds.wedrive_lookup(&fileid) else {
        return (StatusCode::NOT_FOUND, "404 Not Found").into_response();
    };
    let size = sh.ds.wedrive_size(j, k);
    let name = sh.ds.wedrive_name(j, k);
    let reader = WedriveReader::new(sh.ds.wedrive_content_key(j, k), size);
    let stream = futures::stream::iter(reader.map(Ok::<Bytes, std::io::Error>));
    let mut r = Response::new(Body::from_stream(stream));
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    let disp = format!(
        "attachment; filename=\"file\"; filename*=UTF-8''{}",
        form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>()
    );
    if let Ok(v) = HeaderValue::from_str(&disp) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}
