//! The `/cgi-bin/` endpoints: request pipeline (counting, concurrency, faults,
//! token, rate limit, JSON parsing) and the per-endpoint logic.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use tokio::sync::Notify;

use super::state::{Endpoint, Shared, TokenCheck, unix_now};
use crate::MonthRule;
use crate::faults::FaultKind;
use crate::filter::{ApprovalFilter, JournalFilter};
use crate::ids;
use crate::quirks::{self, JournalCursor};
use crate::time::{self, DAY};
use crate::world::View;

/// Name of the cookie the wedrive download URL requires.
pub(crate) const WEDRIVE_COOKIE: &str = "wedrive_ticket";
/// Lifetime of a wedrive download URL ("有效期2个小时").
pub(crate) const WEDRIVE_URL_TTL: i64 = 2 * 3600;
/// Longest filter key or value, and longest id, the endpoints accept.
const MAX_FIELD: usize = 256;

/// Per-connection context, inserted into every request's extensions by the server.
#[derive(Clone)]
pub(crate) struct ConnCtx {
    pub peer: IpAddr,
    /// Notified to close the connection without answering (dropped-connection fault).
    pub kill: Arc<Notify>,
}

/// A business error: errcode plus English text (the hint/ip/url tail is added later).
#[derive(Debug)]
pub(crate) struct ApiErr {
    code: i64,
    text: String,
}

impl ApiErr {
    fn new(code: i64, text: impl Into<String>) -> Self {
        ApiErr { code, text: text.into() }
    }
}

type ApiResult = Result<Map<String, Value>, ApiErr>;

/// Builds WeCom-shaped bodies for one request.
pub(crate) struct Reply<'a> {
    pub sh: &'a Shared,
    pub ep: Option<Endpoint>,
    pub peer: IpAddr,
}

impl Reply<'_> {
    /// `"<text>, hint: [<id>], from ip: <ip>, more info at …?e=<code>"`.
    pub(crate) fn errmsg(&self, code: i64, text: &str) -> String {
        format!(
            "{text}, hint: [{}], from ip: {}, more info at https://open.work.weixin.qq.com/devtool/query?e={code}",
            self.sh.hint(),
            self.peer
        )
    }

    pub(crate) fn error(&self, code: i64, text: &str) -> Value {
        let mut m = Map::new();
        m.insert("errcode".into(), json!(code));
        m.insert("errmsg".into(), json!(self.errmsg(code, text)));
        if let Some(k) = self.ep.and_then(Endpoint::list_key) {
            m.insert(k.into(), json!([]));
        }
        Value::Object(m)
    }

    fn ok(&self, mut m: Map<String, Value>) -> Value {
        m.insert("errcode".into(), json!(0));
        m.insert("errmsg".into(), json!("ok"));
        Value::Object(m)
    }

    fn result(&self, r: ApiResult) -> Value {
        match r {
            Ok(m) => self.ok(m),
            Err(e) => self.error(e.code, &e.text),
        }
    }

    /// Serialises `v`, counts its errcode, and answers (optionally truncated).
    pub(crate) fn respond(&self, v: Value, truncate: bool) -> Response {
        if let Some(code) = v.get("errcode").and_then(Value::as_i64) {
            self.sh.count_errcode(code);
        }
        let bytes = Bytes::from(serde_json::to_vec(&v).unwrap_or_default());
        if truncate {
            return truncated(bytes);
        }
        json_response(bytes)
    }
}

fn json_response(bytes: Bytes) -> Response {
    let mut r = Response::new(Body::from(bytes));
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=UTF-8"));
    r
}

/// Headers announcing the full length, half the body, then the connection closes.
fn truncated(bytes: Bytes) -> Response {
    let full = bytes.len();
    let first = bytes.slice(..full / 2);
    let stream = futures::stream::unfold(0u8, move |state| {
        let first = first.clone();
        async move {
            match state {
                0 => Some((Ok::<Bytes, std::io::Error>(first), 1)),
                1 => {
                    // Let the first half reach the socket, then abort the body.
                    tokio::time::sleep(Duration::from_millis(30)).await;
                    Some((Err(std::io::Error::other("truncated body (injected fault)")), 2))
                }
                _ => None,
            }
        }
    });
    let mut r = Response::new(Body::from_stream(stream));
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=UTF-8"));
    r.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(full as u64));
    r
}

fn html(status: StatusCode, title: &str) -> Response {
    let body = format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>stgw</center>\r\n</body>\r\n</html>\r\n"
    );
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    r
}

/// Parses a query string into its first value per key.
pub(crate) fn query_map(q: Option<&str>) -> HashMap<String, String> {
    let mut m = HashMap::new();
    for (k, v) in form_urlencoded::parse(q.unwrap_or("").as_bytes()) {
        m.entry(k.into_owned()).or_insert_with(|| v.into_owned());
    }
    m
}

/// The handler of every `/cgi-bin/` path.
pub(crate) async fn cgi(State(sh): State<Arc<Shared>>, conn: Option<Extension<ConnCtx>>, req: Request) -> Response {
    let Some(ep) = Endpoint::from_path(req.uri().path()) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let peer = conn.as_ref().map(|c| c.peer).unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    sh.count_call(ep.path());
    let rc = Reply { sh: &sh, ep: Some(ep), peer };
    let Some(_in_flight) = sh.enter(ep) else {
        return rc.respond(rc.error(45033, "api concurrent out of limit"), false);
    };
    let mut truncate = false;
    if let Some((kind, delay)) = sh.draw_fault(ep == Endpoint::GetToken) {
        sh.count_fault(kind);
        match kind {
            FaultKind::Busy => return rc.respond(rc.error(-1, "system busy"), false),
            FaultKind::RateLimited => {
                return rc.respond(rc.error(45009, "api freq out of limit"), false);
            }
            FaultKind::Http502 => return html(StatusCode::BAD_GATEWAY, "502 Bad Gateway"),
            FaultKind::Http503 => {
                return html(StatusCode::SERVICE_UNAVAILABLE, "503 Service Unavailable");
            }
            FaultKind::Delay => tokio::time::sleep(delay).await,
            FaultKind::DropConnection => {
                if let Some(c) = &conn {
                    c.kill.notify_one();
                    // The connection task drops this future together with the socket.
                    std::future::pending::<()>().await;
                }
                return html(StatusCode::BAD_GATEWAY, "502 Bad Gateway");
            }
            FaultKind::TruncatedBody => truncate = true,
            FaultKind::NonJson => return html(StatusCode::OK, "企业微信 - 系统维护中"),
        }
    }
    let query = query_map(req.uri().query());
    let method = req.method().clone();
    let value = if ep == Endpoint::GetToken {
        gettoken(&rc, &query)
    } else {
        let body = axum::body::to_bytes(req.into_body(), 1 << 20).await.ok();
        oa(&rc, ep, &query, &method, body)
    };
    rc.respond(value, truncate)
}

fn gettoken(rc: &Reply<'_>, q: &HashMap<String, String>) -> Value {
    let sh = rc.sh;
    if !sh.rate_admit(Endpoint::GetToken) {
        return rc.error(45009, "api freq out of limit");
    }
    let corpid = q.get("corpid").map(String::as_str).unwrap_or("");
    let secret = q.get("corpsecret").map(String::as_str).unwrap_or("");
    if corpid.is_empty() {
        return rc.error(41002, "corpid missing");
    }
    if secret.is_empty() {
        return rc.error(41004, "corpsecret missing");
    }
    if corpid != sh.cfg.corp_id {
        return rc.error(40013, "invalid corpid");
    }
    if secret != sh.cfg.corp_secret {
        return rc.error(40001, "invalid credential");
    }
    let mut m = Map::new();
    m.insert("access_token".into(), json!(sh.issue_token()));
    m.insert("expires_in".into(), json!(sh.cfg.token_ttl.as_secs()));
    rc.ok(m)
}

fn oa(rc: &Reply<'_>, ep: Endpoint, q: &HashMap<String, String>, method: &Method, body: Option<Bytes>) -> Value {
    let sh = rc.sh;
    match sh.check_token(q.get("access_token").map(String::as_str)) {
        TokenCheck::Valid => {}
        TokenCheck::Missing => return rc.error(41001, "access_token missing"),
        TokenCheck::Invalid => return rc.error(40014, "invalid access_token"),
        TokenCheck::Expired => return rc.error(42001, "access_token expired"),
    }
    if !sh.rate_admit(ep) {
        return rc.error(45009, "api freq out of limit");
    }
    if sh.is_denied(ep.path()) {
        return match ep {
            Endpoint::JournalList | Endpoint::JournalDetail | Endpoint::JournalStat | Endpoint::JournalWedrive => {
                rc.error(301_065, "no journal data permission")
            }
            _ => rc.error(301_055, "no approval data permission"),
        };
    }
    if method != Method::POST {
        return rc.error(40058, "Warning: wrong json format. request method must be POST");
    }
    let parsed = body.and_then(|b| serde_json::from_slice::<Value>(&b).ok());
    let Some(Value::Object(req)) = parsed else {
        return rc.error(40058, "Warning: wrong json format. invalid json body");
    };
    let r = match ep {
        Endpoint::ApprovalInfo => approval_info(sh, &req),
        Endpoint::ApprovalDetail => approval_detail(sh, &req),
        Endpoint::ApprovalData => approval_data(sh, &req),
        Endpoint::JournalList => journal_list(sh, &req),
        Endpoint::JournalDetail => journal_detail(sh, &req),
        Endpoint::JournalStat => journal_stat(sh, &req),
        Endpoint::JournalWedrive => journal_wedrive(sh, &req),
        Endpoint::GetToken => Err(ApiErr::new(40058, "unexpected")),
    };
    rc.result(r)
}

// ----- request parsing ---------------------------------------------------------

/// A non-negative integer sent as a JSON number or a string of digits.
fn num(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64().filter(|x| *x >= 0),
        Value::String(s) => {
            let s = s.trim();
            if s.is_empty() || s.len() > 18 || !s.bytes().all(|b| b.is_ascii_digit()) { None } else { s.parse().ok() }
        }
        _ => None,
    }
}

/// A Unix time: [`num`] capped so that calendar arithmetic cannot overflow.
fn ts(v: Option<&Value>) -> Option<i64> {
    num(v).filter(|t| *t <= 100_000_000_000)
}

/// A string field (numbers accepted and rendered), at most [`MAX_FIELD`] bytes.
fn text(v: Option<&Value>) -> Option<String> {
    let s = match v? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!s.is_empty() && s.len() <= MAX_FIELD).then_some(s)
}

/// Parses `filters` with the documented rules: keys from `allowed`, key and value
/// at most 256 bytes, non-empty values, only `department` may repeat (any key with `any_repeat`).
fn parse_filters(
    v: Option<&Value>,
    allowed: &[&str],
    any_repeat: bool,
    err: &dyn Fn(&str) -> ApiErr,
) -> Result<Vec<(String, String)>, ApiErr> {
    let list = match v {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(_) => return Err(err("invalid filters")),
    };
    let mut out: Vec<(String, String)> = Vec::with_capacity(list.len());
    for f in list {
        let Value::Object(o) = f else {
            return Err(err("invalid filters"));
        };
        let key = match o.get("key") {
            Some(Value::String(s)) => s.clone(),
            _ => return Err(err("invalid filter key")),
        };
        if key.len() > MAX_FIELD {
            return Err(err("filter key too long"));
        }
        let value = match o.get("value") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(err("invalid filter value")),
        };
        if value.len() > MAX_FIELD {
            return Err(err("filter value too long"));
        }
        if value.is_empty() {
            return Err(err("empty filter value"));
        }
        if !allowed.contains(&key.as_str()) {
            return Err(err(&format!("invalid filter key: {key}")));
        }
        if !any_repeat && key != "department" && out.iter().any(|(k, _)| *k == key) {
            return Err(err(&format!("filter key repeated: {key}")));
        }
        out.push((key, value));
    }
    Ok(out)
}

/// Stable digest of a filter list (order of `department` values ignored).
fn filter_digest(filters: &[(String, String)]) -> u64 {
    let mut parts: Vec<String> = filters.iter().map(|(k, v)| format!("{k}\u{1}{v}")).collect();
    parts.sort();
    ids::hash_str(&parts.join("\u{2}"))
}

// ----- opaque approval cursor -----------------------------------------------------

fn encode_cursor(sh: &Shared, start: i64, end: i64, digest: u64, offset: u64) -> String {
    let mut b = Vec::with_capacity(41);
    b.push(1u8);
    b.extend_from_slice(&start.to_le_bytes());
    b.extend_from_slice(&end.to_le_bytes());
    b.extend_from_slice(&digest.to_le_bytes());
    b.extend_from_slice(&offset.to_le_bytes());
    let mac = mac(sh, &b);
    b.extend_from_slice(&mac.to_le_bytes());
    URL_SAFE_NO_PAD.encode(b)
}

fn mac(sh: &Shared, bytes: &[u8]) -> u64 {
    let words: Vec<u64> = bytes
        .chunks(8)
        .map(|c| {
            let mut w = [0u8; 8];
            w[..c.len()].copy_from_slice(c);
            u64::from_le_bytes(w)
        })
        .collect();
    let mut parts = vec![sh.secret];
    parts.extend(words);
    ids::hash(&parts)
}

/// Decodes a cursor; it must have been issued for the same window and filters.
fn decode_cursor(sh: &Shared, s: &str, start: i64, end: i64, digest: u64) -> Option<u64> {
    let b = URL_SAFE_NO_PAD.decode(s.as_bytes()).ok()?;
    if b.len() != 41 || b[0] != 1 {
        return None;
    }
    let word = |i: usize| -> Option<[u8; 8]> { b.get(i..i + 8)?.try_into().ok() };
    let (body, tail) = b.split_at(33);
    if u64::from_le_bytes(tail.try_into().ok()?) != mac(sh, body) {
        return None;
    }
    let c_start = i64::from_le_bytes(word(1)?);
    let c_end = i64::from_le_bytes(word(9)?);
    let c_digest = u64::from_le_bytes(word(17)?);
    let offset = u64::from_le_bytes(word(25)?);
    (c_start == start && c_end == end && c_digest == digest).then_some(offset)
}

// ----- approvals ---------------------------------------------------------------

fn approval_info(sh: &Shared, req: &Map<String, Value>) -> ApiResult {
    let inv = |t: &str| ApiErr::new(301_025, format!("get approval param error:{t}"));
    let window = || inv("invalid starttime or endtime");
    let start = ts(req.get("starttime")).ok_or_else(window)?;
    let end = ts(req.get("endtime")).ok_or_else(window)?;
    if end <= start || end - start > 31 * DAY {
        return Err(window());
    }
    let size = match req.get("size") {
        None | Some(Value::Null) => 100,
        v => num(v).ok_or_else(|| inv("invalid size"))?,
    };
    if size == 0 || size > 100 {
        return Err(inv("invalid size"));
    }
    let raw = parse_filters(
        req.get("filters"),
        &["template_id", "creator", "department", "sp_status", "record_type"],
        false,
        &inv,
    )?;
    let mut f = ApprovalFilter::default();
    for (k, v) in &raw {
        match k.as_str() {
            "template_id" => f.template_id = Some(v.clone()),
            "creator" => f.creator = Some(v.clone()),
            "department" => f.departments.push(v.clone()),
            "sp_status" => f.sp_status = Some(v.trim().parse().map_err(|_| inv("invalid sp_status"))?),
            _ => f.record_type = Some(v.trim().parse().map_err(|_| inv("invalid record_type"))?),
        }
    }
    let digest = filter_digest(&raw);
    // New opaque cursor; the retiring integer `cursor` is still honoured when
    // `new_cursor` is absent.
    let (offset, legacy_cursor) = match (req.get("new_cursor"), req.get("cursor")) {
        (Some(Value::String(s)), _) if !s.is_empty() => {
            (decode_cursor(sh, s, start, end, digest).ok_or_else(|| inv("invalid new_cursor"))?, false)
        }
        (Some(Value::String(_)) | Some(Value::Null), _) => (0, false),
        (Some(_), _) => return Err(inv("invalid new_cursor")),
        (None, Some(c)) => (num(Some(c)).ok_or_else(|| inv("invalid cursor"))? as u64, true),
        (None, None) => (0, false),
    };
    let w = sh.world();
    let v = View { ds: &sh.ds, w: &w };
    let m = v.matcher(&f);
    if let Some(max) = sh.cfg.narrow_range_above {
        if v.window(start, end).filter(|&i| m(i)).nth(max).is_some() {
            return Err(ApiErr::new(301_112, "please narrow the query time range and retry"));
        }
    }
    // With short pages a page scans `size` positions, hidden forms included (96509).
    let short = sh.quirks().short_pages;
    let key = (Endpoint::ApprovalInfo, start, end, digest, short, w.events().len());
    let records = sh.positions(key, || {
        quirks::positions(v.window(start, end).filter(|&i| m(i)), short.then_some((sh.secret, false))).collect()
    });
    let page = quirks::scan_sorted(&records, offset, size as usize, short.then_some(size as u64));
    count_page(sh, "getapprovalinfo", &page, size as usize);
    let mut out = Map::new();
    out.insert("sp_no_list".into(), Value::Array(page.items.iter().map(|&i| json!(v.sp_no(i))).collect()));
    if page.more {
        let next = page.next;
        if legacy_cursor {
            out.insert("next_cursor".into(), json!(next));
        } else {
            out.insert("new_next_cursor".into(), json!(encode_cursor(sh, start, end, digest, next)));
        }
    }
    Ok(out)
}

/// Counts a short or empty page that is not the last.
fn count_page(sh: &Shared, endpoint: &str, page: &quirks::Page, asked: usize) {
    if page.more && page.items.is_empty() {
        sh.count_quirk(&format!("{endpoint}.empty_page"));
    } else if page.more && page.items.len() < asked {
        sh.count_quirk(&format!("{endpoint}.short_page"));
    }
}

fn approval_detail(sh: &Shared, req: &Map<String, Value>) -> ApiResult {
    if sh.novelty_errcode_due() {
        sh.count_quirk("novelty.errcode");
        return Err(ApiErr::new(quirks::NOVELTY_ERRCODE, quirks::NOVELTY_ERRMSG));
    }
    let inv = |t: &str| ApiErr::new(301_025, format!("get approval detail param error:{t}"));
    let sp_no = text(req.get("sp_no")).ok_or_else(|| inv("invalid sp_no"))?;
    let info = sh.approval_detail(sp_no.trim()).ok_or_else(|| inv("sp_no not found"))?;
    let mut out = Map::new();
    if sh.novelties().enabled {
        sh.count_quirk("novelty.detail");
        out.insert("trace_id".into(), json!(quirks::trace_id(sp_no.trim())));
    }
    out.insert("info".into(), info);
    Ok(out)
}

fn approval_data(sh: &Shared, req: &Map<String, Value>) -> ApiResult {
    let window = || ApiErr::new(301_025, "invalid starttime or endtime");
    let start = ts(req.get("starttime")).ok_or_else(window)?;
    let end = ts(req.get("endtime")).ok_or_else(window)?;
    if end <= start || end - start > 30 * DAY {
        return Err(window());
    }
    let first = match req.get("next_spnum") {
        None | Some(Value::Null) => None,
        v => Some(num(v).ok_or_else(|| ApiErr::new(301_025, "invalid next_spnum"))? as u64),
    };
    let w = sh.world();
    let v = View { ds: &sh.ds, w: &w };
    let visible: Vec<usize> = v.window(start, end).filter(|&i| v.legacy_visible(i)).collect();
    // 【注解4】: deleted forms are never returned; with the quirk `total` still counts them.
    let total = if sh.quirks().legacy_total_includes_deleted { v.window(start, end).count() } else { visible.len() };
    let from = match first {
        // sp_num grows with (time, sequence), the list order.
        Some(n) => visible.partition_point(|&i| v.sp_num(i) < n),
        None => 0,
    };
    let page = &visible[from.min(visible.len())..(from + 100).min(visible.len())];
    let mut out = Map::new();
    out.insert("count".into(), json!(page.len()));
    out.insert("total".into(), json!(total));
    if let Some(&last) = page.last() {
        out.insert("next_spnum".into(), json!(v.sp_num(last)));
    }
    out.insert("data".into(), Value::Array(page.iter().map(|&i| v.legacy_record(i)).collect()));
    Ok(out)
}

// ----- journals ----------------------------------------------------------------

/// Whether `[start, end]` fits in "一个月" under `rule`.
pub(crate) fn month_ok(rule: MonthRule, start: i64, end: i64) -> bool {
    match rule {
        MonthRule::Calendar => end <= time::add_months(start, 1),
        MonthRule::Days(n) => end - start <= n as i64 * DAY,
    }
}

fn journal_list(sh: &Shared, req: &Map<String, Value>) -> ApiResult {
    let inv = |t: &str| ApiErr::new(301_066, format!("invalid param: {t}"));
    let start = ts(req.get("starttime")).ok_or_else(|| inv("invalid starttime or endtime"))?;
    let end = ts(req.get("endtime")).ok_or_else(|| inv("invalid starttime or endtime"))?;
    if end <= start || !month_ok(sh.cfg.month_rule, start, end) {
        return Err(inv("invalid starttime or endtime"));
    }
    let limit = num(req.get("limit")).ok_or_else(|| inv("invalid limit"))?;
    if limit == 0 || limit > 100 {
        return Err(inv("invalid limit"));
    }
    let cursor = match req.get("cursor") {
        None | Some(Value::Null) => 0,
        v => num(v).filter(|c| *c <= u32::MAX as i64).ok_or_else(|| inv("invalid cursor"))?,
    } as u64;
    let q = sh.quirks();
    let raw = parse_filters(
        req.get("filters"),
        &["creator", "department", "template_id"],
        !q.reject_repeated_journal_filters,
        &inv,
    )?;
    let digest = filter_digest(&raw);
    let mut f = JournalFilter::default();
    for (k, v) in raw {
        match k.as_str() {
            "template_id" => f.template_ids.push(v),
            "creator" => f.creators.push(v),
            _ => f.departments.push(v),
        }
    }
    let ds = &sh.ds;
    let m = ds.journal_matcher(&f);
    let limit = limit as usize;
    let opaque = q.journal_cursor == JournalCursor::Opaque;
    let key = (Endpoint::JournalList, start, end, digest, opaque, 0);
    let records = sh.positions(key, || {
        quirks::positions(ds.journal_window(start, end).filter(|&i| m(i)), opaque.then_some((sh.secret, true)))
            .collect()
    });
    let (max_items, span) = match (q.short_pages, opaque) {
        (false, _) => (limit, None),
        // Fill the page, but scan a bounded number of positions: short past long hidden runs.
        (true, true) => (limit, Some(limit as u64 * quirks::JOURNAL_SCAN_FACTOR)),
        // An offset cursor must move: short, never empty.
        (true, false) => {
            let key = ids::hash(&[start as u64, end as u64, digest]);
            (quirks::short_capacity(sh.secret, key, cursor, limit), None)
        }
    };
    let page = quirks::scan_sorted(&records, cursor, max_items, span);
    count_page(sh, "get_record_list", &page, limit);
    let mut out = Map::new();
    out.insert(
        "journaluuid_list".into(),
        Value::Array(page.items.iter().map(|&i| json!(ds.journal_uuid(i))).collect()),
    );
    out.insert("next_cursor".into(), json!(page.next.min(u64::from(u32::MAX))));
    out.insert("endflag".into(), json!(if page.more { 0 } else { 1 }));
    Ok(out)
}

/// The error for a journaluuid that names no journal ([`crate::Quirks::unknown_journal_errcode`]).
fn unknown_journal(sh: &Shared) -> ApiErr {
    match sh.quirks().unknown_journal_errcode {
        301_084 => ApiErr::new(301_084, "invalid journal_uuid"),
        code => ApiErr::new(code, "invalid param: journaluuid not found"),
    }
}

fn journal_detail(sh: &Shared, req: &Map<String, Value>) -> ApiResult {
    let uuid = text(req.get("journaluuid")).ok_or_else(|| ApiErr::new(301_066, "invalid param: journaluuid"))?;
    let idx = sh.ds.journal_by_uuid(&uuid).ok_or_else(|| unknown_journal(sh))?;
    let mut out = Map::new();
    out.insert("info".into(), sh.journal_detail(idx));
    Ok(out)
}

fn journal_stat(sh: &Shared, req: &Map<String, Value>) -> ApiResult {
    let inv = |t: &str| ApiErr::new(301_066, format!("invalid param: {t}"));
    let template_id = text(req.get("template_id")).ok_or_else(|| inv("template_id"))?;
    let start = ts(req.get("starttime")).ok_or_else(|| inv("invalid starttime or endtime"))?;
    let end = ts(req.get("endtime")).ok_or_else(|| inv("invalid starttime or endtime"))?;
    if end <= start || end > time::add_months(start, 12) {
        return Err(inv("invalid starttime or endtime"));
    }
    let ds = &sh.ds;
    let list = match ds.journal_templates.iter().position(|t| t.id == template_id) {
        Some(t) => ds.stat_list(t, start, end),
        None => Vec::new(),
    };
    let mut out = Map::new();
    out.insert("stat_list".into(), Value::Array(list));
    Ok(out)
}

/// The cookie value that unlocks `fileid` until `expires`.
pub(crate) fn wedrive_cookie(sh: &Shared, fileid: &str, expires: i64) -> String {
    let a = ids::hash(&[sh.secret, ids::hash_str(fileid), expires as u64]);
    format!("{}{}", ids::hex64(a), ids::hex64(ids::mix(a)))
}

fn journal_wedrive(sh: &Shared, req: &Map<String, Value>) -> ApiResult {
    let inv = |t: &str| ApiErr::new(301_066, format!("invalid param: {t}"));
    let uuid = text(req.get("journaluuid")).ok_or_else(|| inv("journaluuid"))?;
    let fileid = text(req.get("fileid")).ok_or_else(|| inv("fileid"))?;
    let jidx = sh.ds.journal_by_uuid(&uuid).ok_or_else(|| unknown_journal(sh))?;
    match sh.ds.wedrive_lookup(&fileid) {
        Some((j, _)) if j == jidx => {}
        _ => return Err(inv("fileid does not belong to the journal's wedrive_files")),
    }
    let expires = unix_now() + WEDRIVE_URL_TTL;
    let mut out = Map::new();
    out.insert(
        "download_url".into(),
        json!(format!("{}/_wedrive/download/{}?expires={}", sh.base_url, fileid, expires)),
    );
    out.insert("cookie_name".into(), json!(WEDRIVE_COOKIE));
    out.insert("cookie_value".into(), json!(wedrive_cookie(sh, &fileid, expires)));
    Ok(out)
}
