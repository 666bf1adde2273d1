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
use crate::activity::ActivitySettings;
use crate::faults::Faults;
use crate::filter::{ApprovalFilter, JournalFilter};
use crate::push::{Delivery, PushFaults};
use crate::quirks::{Novelties, Quirks};
use crate::wedrive::WedriveReader;
use crate::world::{ActivityMix, ApprovalEvent, Change, ChangeError, View};
use crate::{callback_target, summary, time};

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
        .route("/_emulator/quirks", get(get_quirks).post(set_quirks))
        .route("/_emulator/novelties", get(get_novelties).post(set_novelties))
        .route("/_emulator/wedrive_files", get(wedrive_files))
        .route("/_emulator/approval/{sp_no}", get(approval))
        .route("/_emulator/journal/{uuid}", get(journal))
        .route("/_emulator/stat_cycles", get(stat_cycles))
        .route("/_emulator/approval/{sp_no}/{action}", post(approval_action))
        .route("/_emulator/changes", post(change))
        .route("/_emulator/submit", post(submit))
        .route("/_emulator/step", post(step))
        .route("/_emulator/events", get(events))
        .route("/_emulator/open_approvals", get(open_approvals))
        .route("/_emulator/deliveries", get(deliveries))
        .route("/_emulator/deliveries/wait", post(wait_deliveries))
        .route("/_emulator/settle", post(settle))
        .route("/_emulator/push_faults", get(get_push_faults).post(set_push_faults))
        .route("/_emulator/delivery", get(get_delivery).post(set_delivery))
        .route("/_emulator/callback", get(get_callback).post(set_callback))
        .route("/_emulator/activity", get(get_activity).post(set_activity))
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
                "GET|POST /_emulator/quirks": "readings where the docs allow several: {\"journal_cursor\":\"opaque|offset\",\"short_pages\":true,\"journal_title_lang\":false,\"approval_padding\":\"example|full|none\",\"reject_repeated_journal_filters\":false,\"unknown_journal_errcode\":301066,\"legacy_total_includes_deleted\":true}; POST merges the keys given (empty body = the defaults)",
                "GET|POST /_emulator/novelties": "what no spec knows: {\"enabled\":false,\"errcode_every\":null}; POST merges the keys given (empty body = off)",
                "GET /_emulator/wedrive_files": "every wedrive file: journaluuid, fileid, size, name",
                "GET /_emulator/approval/{sp_no}": "the getapprovaldetail info of a form, without a token",
                "GET /_emulator/journal/{journaluuid}": "the get_record_detail info of a journal, without a token",
                "GET /_emulator/stat_cycles?template_id=&start=&end=": "finished stat cycles [begin, end) of a journal template",
                "POST /_emulator/submit": "submit a new form; optional body {\"creator\":\"userid\",\"template_id\":\"…\"}; answers the event",
                "POST /_emulator/approval/{sp_no}/{approve|reject|transfer|urge|revoke|revoke_after_pass|comment}": "change a form; optional body {\"approver\",\"speech\"} | {\"from\",\"to\"} | {\"userid\",\"content\"}; answers the event (404 unknown form, 409 wrong status)",
                "POST /_emulator/changes": "apply a change given as JSON: {\"kind\":\"approve\",\"sp_no\":\"…\",…}",
                "POST /_emulator/step": "one random change, as the activity makes them",
                "GET /_emulator/events?after=SEQ": "the ground-truth event log: seq, sp_no, kind, statu_change_event, sp_status, time, actor, xml",
                "GET /_emulator/open_approvals": "sp_nos of the forms still open (sp_status 1)",
                "GET /_emulator/deliveries?after=SEQ": "per pushed event: fault flags, copies, attempts with outcomes, accepted, done",
                "POST /_emulator/deliveries/wait?timeout_ms=": "wait until no delivery is pending: {\"idle\":bool,\"pending\":n}",
                "POST /_emulator/settle?timeout_ms=": "wait until the activity has stopped and no delivery is pending",
                "GET|POST /_emulator/push_faults": "push faults: {\"seed\":1,\"drop\":0,\"duplicate\":0,\"delay\":0,\"reorder\":0,\"delay_ms\":500,\"copies\":2,\"reorder_hold_ms\":500}",
                "GET|POST /_emulator/delivery": "delivery settings: {\"timeout_ms\":5000,\"attempts\":3,\"retry_delay_ms\":1000,\"retry_on\":\"not_ok|connection_failure\"}",
                "GET|POST /_emulator/callback": "callback target: POST {\"url\",\"token\",\"aes_key\"} (or {} to stop pushing); GET shows the URL only",
                "GET|POST /_emulator/activity": "activity: POST {\"changes_per_minute\":N,\"for_ms\":M,\"mix\":{…}}; GET shows rate, running, steps, end, mix"
            }
        }),
    )
}

async fn dataset(State(sh): State<Arc<Shared>>) -> Response {
    json_body(StatusCode::OK, serde_json::to_value(sh.view(summary)).unwrap_or(Value::Null))
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
    let w = sh.world();
    let v = View { ds, w: &w };
    let start = match time_param(&q, "start", ds.start) {
        Ok(t) => t,
        Err(m) => return bad_request(&m),
    };
    let end = match time_param(&q, "end", v.last_time()) {
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
            v.indices(start, end, &f).into_iter().map(|i| json!(v.sp_no(i))).collect()
        }
        "journal" => {
            let all = |key: &str| q.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect();
            let f = JournalFilter { template_ids: all("template_id"), creators: all("creator"), departments };
            ds.journal_indices(start, end, &f).into_iter().map(|i| json!(ds.journal_uuid(i))).collect()
        }
        "legacy" => v.window(start, end).filter(|&i| v.legacy_visible(i)).map(|i| json!(v.sp_num(i))).collect(),
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
            "quirk_counts": sh.quirk_counts(),
            "in_flight": sh.in_flight_all(),
            "push_counts": sh.pusher.counts(),
            "pending_deliveries": sh.pusher.pending(),
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

/// Overlays the keys of a JSON object body on `current` (an empty body gives `reset`).
fn merged<T: serde::Serialize + serde::de::DeserializeOwned>(current: &T, reset: T, body: &Bytes) -> Result<T, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(reset);
    }
    let patch = object_body(body)?;
    let mut v = serde_json::to_value(current).map_err(|e| e.to_string())?;
    if let Value::Object(m) = &mut v {
        m.extend(patch);
    }
    serde_json::from_value(v).map_err(|e| e.to_string())
}

async fn get_quirks(State(sh): State<Arc<Shared>>) -> Response {
    json_body(StatusCode::OK, serde_json::to_value(sh.quirks()).unwrap_or(Value::Null))
}

async fn set_quirks(State(sh): State<Arc<Shared>>, body: Bytes) -> Response {
    let q: Quirks = match merged(&sh.quirks(), Quirks::default(), &body) {
        Ok(q) => q,
        Err(e) => return bad_request(&format!("invalid quirks: {e}")),
    };
    if q.unknown_journal_errcode == 0 {
        return bad_request("unknown_journal_errcode must not be 0 (success)");
    }
    sh.set_quirks(q);
    json_body(StatusCode::OK, serde_json::to_value(q).unwrap_or(Value::Null))
}

async fn get_novelties(State(sh): State<Arc<Shared>>) -> Response {
    json_body(StatusCode::OK, serde_json::to_value(sh.novelties()).unwrap_or(Value::Null))
}

async fn set_novelties(State(sh): State<Arc<Shared>>, body: Bytes) -> Response {
    let n: Novelties = match merged(&sh.novelties(), Novelties::default(), &body) {
        Ok(n) => n,
        Err(e) => return bad_request(&format!("invalid novelties: {e}")),
    };
    if n.errcode_every == Some(0) {
        return bad_request("errcode_every must be at least 1 (or null)");
    }
    sh.set_novelties(n);
    json_body(StatusCode::OK, serde_json::to_value(n).unwrap_or(Value::Null))
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
    match sh.approval_detail(&sp_no) {
        Some(info) => json_body(StatusCode::OK, info),
        None => json_body(StatusCode::NOT_FOUND, json!({"error": "no such sp_no"})),
    }
}

async fn journal(State(sh): State<Arc<Shared>>, Path(uuid): Path<String>) -> Response {
    match sh.ds.journal_by_uuid(&uuid) {
        Some(i) => json_body(StatusCode::OK, sh.journal_detail(i)),
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

// ----- the world over time ------------------------------------------------------

/// A JSON object body; empty means `{}`.
fn object_body(body: &Bytes) -> Result<serde_json::Map<String, Value>, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err("the body must be a JSON object".into()),
        Err(e) => Err(format!("invalid JSON: {e}")),
    }
}

fn change_result(r: Result<ApprovalEvent, ChangeError>) -> Response {
    match r {
        Ok(ev) => json_body(StatusCode::OK, serde_json::to_value(ev).unwrap_or(Value::Null)),
        Err(e) => {
            let status = match e {
                ChangeError::UnknownSpNo(_) => StatusCode::NOT_FOUND,
                ChangeError::UnknownUser(_) | ChangeError::UnknownTemplate(_) => StatusCode::BAD_REQUEST,
                _ => StatusCode::CONFLICT,
            };
            json_body(status, json!({"error": e.to_string()}))
        }
    }
}

fn apply_json(sh: &Shared, m: serde_json::Map<String, Value>) -> Response {
    match serde_json::from_value::<Change>(Value::Object(m)) {
        Ok(c) => change_result(sh.apply(&c)),
        Err(e) => bad_request(&format!("invalid change: {e}")),
    }
}

async fn approval_action(
    State(sh): State<Arc<Shared>>,
    Path((sp_no, action)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let mut m = match object_body(&body) {
        Ok(m) => m,
        Err(m) => return bad_request(&m),
    };
    if action == "submit" {
        return bad_request("use POST /_emulator/submit to submit a form");
    }
    m.insert("kind".into(), json!(action));
    m.insert("sp_no".into(), json!(sp_no));
    apply_json(&sh, m)
}

async fn change(State(sh): State<Arc<Shared>>, body: Bytes) -> Response {
    match object_body(&body) {
        Ok(m) => apply_json(&sh, m),
        Err(m) => bad_request(&m),
    }
}

async fn submit(State(sh): State<Arc<Shared>>, body: Bytes) -> Response {
    let mut m = match object_body(&body) {
        Ok(m) => m,
        Err(m) => return bad_request(&m),
    };
    m.insert("kind".into(), json!("submit"));
    apply_json(&sh, m)
}

async fn step(State(sh): State<Arc<Shared>>) -> Response {
    let mix = sh.activity.borrow().mix;
    change_result(sh.step(&mix).unwrap_or(Err(ChangeError::NoChange)))
}

fn after_param(q: Option<&str>) -> Result<u64, String> {
    match pairs(q).into_iter().find(|(k, _)| k == "after") {
        None => Ok(0),
        Some((_, v)) => v.parse().map_err(|_| "after must be an event seq".to_string()),
    }
}

fn timeout_param(q: Option<&str>) -> Result<std::time::Duration, String> {
    match pairs(q).into_iter().find(|(k, _)| k == "timeout_ms") {
        None => Ok(std::time::Duration::from_secs(30)),
        Some((_, v)) => {
            v.parse().map(std::time::Duration::from_millis).map_err(|_| "timeout_ms must be milliseconds".to_string())
        }
    }
}

async fn events(State(sh): State<Arc<Shared>>, RawQuery(q): RawQuery) -> Response {
    let after = match after_param(q.as_deref()) {
        Ok(a) => a,
        Err(m) => return bad_request(&m),
    };
    let ev = sh.events_since(after);
    json_body(StatusCode::OK, json!({"count": ev.len(), "events": ev}))
}

async fn open_approvals(State(sh): State<Arc<Shared>>) -> Response {
    let ids = sh.open_sp_nos();
    json_body(StatusCode::OK, json!({"count": ids.len(), "ids": ids}))
}

async fn deliveries(State(sh): State<Arc<Shared>>, RawQuery(q): RawQuery) -> Response {
    let after = match after_param(q.as_deref()) {
        Ok(a) => a,
        Err(m) => return bad_request(&m),
    };
    let d = sh.pusher.log_since(after);
    json_body(
        StatusCode::OK,
        json!({"count": d.len(), "pending": sh.pusher.pending(), "counts": sh.pusher.counts(), "deliveries": d}),
    )
}

async fn wait_deliveries(State(sh): State<Arc<Shared>>, RawQuery(q): RawQuery) -> Response {
    let timeout = match timeout_param(q.as_deref()) {
        Ok(t) => t,
        Err(m) => return bad_request(&m),
    };
    let idle = sh.pusher.wait_idle(timeout).await;
    json_body(StatusCode::OK, json!({"idle": idle, "pending": sh.pusher.pending()}))
}

async fn settle(State(sh): State<Arc<Shared>>, RawQuery(q): RawQuery) -> Response {
    let timeout = match timeout_param(q.as_deref()) {
        Ok(t) => t,
        Err(m) => return bad_request(&m),
    };
    let start = std::time::Instant::now();
    let stopped = sh.wait_activity_stopped(timeout).await;
    let idle = stopped && sh.pusher.wait_idle(timeout.saturating_sub(start.elapsed())).await;
    json_body(
        StatusCode::OK,
        json!({"settled": idle, "activity_stopped": stopped, "pending": sh.pusher.pending(), "events": sh.events_since(0).len()}),
    )
}

async fn get_push_faults(State(sh): State<Arc<Shared>>) -> Response {
    json_body(StatusCode::OK, serde_json::to_value(sh.pusher.settings().faults).unwrap_or(Value::Null))
}

async fn set_push_faults(State(sh): State<Arc<Shared>>, body: Bytes) -> Response {
    let f: PushFaults = if body.iter().all(u8::is_ascii_whitespace) {
        PushFaults::none()
    } else {
        match serde_json::from_slice(&body) {
            Ok(f) => f,
            Err(e) => return bad_request(&format!("invalid push faults JSON: {e}")),
        }
    };
    sh.pusher.set_faults(f.clone());
    json_body(StatusCode::OK, serde_json::to_value(f).unwrap_or(Value::Null))
}

async fn get_delivery(State(sh): State<Arc<Shared>>) -> Response {
    json_body(StatusCode::OK, serde_json::to_value(sh.pusher.settings().delivery).unwrap_or(Value::Null))
}

async fn set_delivery(State(sh): State<Arc<Shared>>, body: Bytes) -> Response {
    let d: Delivery = match serde_json::from_slice(&body) {
        Ok(d) => d,
        Err(e) => return bad_request(&format!("invalid delivery JSON: {e}")),
    };
    if d.attempts == 0 || d.timeout.is_zero() {
        return bad_request("delivery needs at least 1 attempt and a positive timeout_ms");
    }
    sh.pusher.set_delivery(d);
    json_body(StatusCode::OK, serde_json::to_value(d).unwrap_or(Value::Null))
}

async fn get_callback(State(sh): State<Arc<Shared>>) -> Response {
    let url = sh.pusher.settings().target.map(|t| t.url);
    json_body(StatusCode::OK, json!({"url": url, "agent_id": sh.pusher.agent_id, "receive_id": sh.pusher.corp_id}))
}

async fn set_callback(State(sh): State<Arc<Shared>>, body: Bytes) -> Response {
    let m = match object_body(&body) {
        Ok(m) => m,
        Err(m) => return bad_request(&m),
    };
    let s = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("");
    if m.is_empty() {
        sh.pusher.set_target(None);
        return json_body(StatusCode::OK, json!({"url": null}));
    }
    match callback_target(s("url"), s("token"), s("aes_key")) {
        Ok(t) => {
            let url = t.url.clone();
            sh.pusher.set_target(Some(t));
            json_body(StatusCode::OK, json!({"url": url}))
        }
        Err(e) => bad_request(&e.to_string()),
    }
}

fn activity_json(sh: &Shared) -> Value {
    let s = *sh.activity.borrow();
    json!({
        "changes_per_minute": s.per_minute,
        "running": *sh.activity_running.borrow() && s.per_minute > 0,
        "steps": sh.activity_steps.load(std::sync::atomic::Ordering::Relaxed),
        "ends_at_ms": s.until_unix_ms,
        "mix": s.mix,
    })
}

async fn get_activity(State(sh): State<Arc<Shared>>) -> Response {
    json_body(StatusCode::OK, activity_json(&sh))
}

async fn set_activity(State(sh): State<Arc<Shared>>, body: Bytes) -> Response {
    let m = match object_body(&body) {
        Ok(m) => m,
        Err(m) => return bad_request(&m),
    };
    let current = *sh.activity.borrow();
    let rate = match m.get("changes_per_minute") {
        None => current.per_minute,
        Some(v) => match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => n,
            None => return bad_request("changes_per_minute must be a non-negative integer"),
        },
    };
    let duration = match m.get("for_ms") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64() {
            Some(ms) => Some(std::time::Duration::from_millis(ms)),
            None => return bad_request("for_ms must be milliseconds"),
        },
    };
    let mix = match m.get("mix") {
        None => current.mix,
        Some(v) => match serde_json::from_value::<ActivityMix>(v.clone()) {
            Ok(mix) => mix,
            Err(e) => return bad_request(&format!("invalid mix: {e}")),
        },
    };
    sh.activity.send_replace(ActivitySettings::new(rate, duration, mix));
    json_body(StatusCode::OK, activity_json(&sh))
}
