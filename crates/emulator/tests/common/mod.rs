//! Shared helpers of the integration tests: a plain reqwest client over loopback.
#![allow(dead_code)]

use std::time::Duration;

use serde_json::{Value, json};
use wecom_emulator::{EmulatorBuilder, EmulatorHandle};

pub const APPROVAL_INFO: &str = "/cgi-bin/oa/getapprovalinfo";
pub const APPROVAL_DETAIL: &str = "/cgi-bin/oa/getapprovaldetail";
pub const APPROVAL_DATA: &str = "/cgi-bin/corp/getapprovaldata";
pub const JOURNAL_LIST: &str = "/cgi-bin/oa/journal/get_record_list";
pub const JOURNAL_DETAIL: &str = "/cgi-bin/oa/journal/get_record_detail";
pub const JOURNAL_STAT: &str = "/cgi-bin/oa/journal/get_stat_list";
pub const JOURNAL_WEDRIVE: &str = "/cgi-bin/oa/journal/download_wedrive_file";
pub const GETTOKEN: &str = "/cgi-bin/gettoken";

pub const DAY: i64 = 86_400;
/// 2025-01-01T00:00:00+08:00, the default dataset start.
pub const JAN1: i64 = 1_735_660_800;

/// A test client bound to one emulator.
pub struct Api {
    pub emu: EmulatorHandle,
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(60)).build().expect("client")
}

impl Api {
    /// Starts `builder` and fetches a token over HTTP.
    pub async fn start(builder: EmulatorBuilder) -> Api {
        let emu = builder.start().await.expect("emulator starts");
        let http = http();
        let base = emu.base_url();
        let mut api = Api { emu, http, base, token: String::new() };
        api.token = api.fetch_token().await;
        api
    }

    pub async fn fetch_token(&self) -> String {
        let v = self.gettoken(&[("corpid", self.emu.corp_id()), ("corpsecret", self.emu.corp_secret())]).await;
        assert_eq!(v["errcode"], 0, "{v}");
        v["access_token"].as_str().expect("token").to_string()
    }

    pub async fn gettoken(&self, query: &[(&str, &str)]) -> Value {
        self.http
            .get(format!("{}{GETTOKEN}", self.base))
            .query(query)
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json")
    }

    /// POSTs `body` with the current token and parses the JSON answer.
    pub async fn post(&self, path: &str, body: Value) -> Value {
        self.post_with(path, Some(&self.token), &body.to_string()).await
    }

    /// POSTs a raw body with an optional token.
    pub async fn post_with(&self, path: &str, token: Option<&str>, body: &str) -> Value {
        let text = self.post_text(path, token, body).await;
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    }

    pub async fn post_text(&self, path: &str, token: Option<&str>, body: &str) -> String {
        let mut req = self.http.post(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.query(&[("access_token", t)]);
        }
        req.header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("send")
            .text()
            .await
            .expect("text")
    }

    pub fn path_url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Every sp_no of `[start, end]` (one ≤31-day window) through new_cursor paging.
    pub async fn walk_approvals(&self, start: i64, end: i64, filters: Value, size: u32) -> Vec<String> {
        let mut out = Vec::new();
        let mut cursor = String::new();
        for _ in 0..100_000 {
            let v = self
                .post(
                    APPROVAL_INFO,
                    json!({"starttime": start.to_string(), "endtime": end.to_string(), "new_cursor": cursor, "size": size, "filters": filters}),
                )
                .await;
            assert_eq!(v["errcode"], 0, "{v}");
            for id in v["sp_no_list"].as_array().expect("sp_no_list") {
                out.push(id.as_str().expect("string sp_no").to_string());
            }
            match v.get("new_next_cursor") {
                None => return out,
                Some(c) => cursor = c.as_str().expect("string cursor").to_string(),
            }
        }
        panic!("approval walk did not end");
    }

    /// Every journal uuid of `[start, end]` through cursor/endflag paging.
    pub async fn walk_journals(&self, start: i64, end: i64, filters: Value, limit: u32) -> Vec<String> {
        let mut out = Vec::new();
        let mut cursor = 0u64;
        for _ in 0..100_000 {
            let v = self
                .post(
                    JOURNAL_LIST,
                    json!({"starttime": start, "endtime": end, "cursor": cursor, "limit": limit, "filters": filters}),
                )
                .await;
            assert_eq!(v["errcode"], 0, "{v}");
            for id in v["journaluuid_list"].as_array().expect("journaluuid_list") {
                out.push(id.as_str().expect("string uuid").to_string());
            }
            if v["endflag"] == 1 {
                return out;
            }
            assert_eq!(v["endflag"], 0, "{v}");
            cursor = v["next_cursor"].as_u64().expect("next_cursor");
        }
        panic!("journal walk did not end");
    }
}

/// Windows of at most `span` seconds covering `[start, end]`.
pub fn windows(start: i64, end: i64, span: i64) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let mut s = start;
    while s <= end {
        let e = (s + span).min(end);
        out.push((s, e));
        s = e + 1;
    }
    out
}

/// Asserts `v` is an error with `code` and the WeCom errmsg shape.
pub fn assert_err(v: &Value, code: i64) {
    assert_eq!(v["errcode"], code, "{v}");
    let msg = v["errmsg"].as_str().expect("errmsg");
    assert!(msg.contains(", hint: ["), "{msg}");
    assert!(msg.contains("from ip: 127.0.0.1"), "{msg}");
    assert!(msg.ends_with(&format!("more info at https://open.work.weixin.qq.com/devtool/query?e={code}")), "{msg}");
}

/// JSON type name, integers apart from floats.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "float",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Whether `actual` has every key of `doc` with the same JSON type, recursively.
/// Arrays: every element of the doc array must match at least one element of the
/// actual array (examples show one representative element). Empty doc arrays only
/// require an array.
pub fn shape_matches(doc: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (doc, actual) {
        (Value::Object(d), Value::Object(a)) => {
            for (k, dv) in d {
                let av =
                    a.get(k).ok_or_else(|| format!("{path}.{k}: missing (have {:?})", a.keys().collect::<Vec<_>>()))?;
                shape_matches(dv, av, &format!("{path}.{k}"))?;
            }
            Ok(())
        }
        (Value::Array(d), Value::Array(a)) => {
            for (i, dv) in d.iter().enumerate() {
                let mut last = format!("{path}[{i}]: actual array is empty");
                if !a.iter().any(|av| match shape_matches(dv, av, &format!("{path}[{i}]")) {
                    Ok(()) => true,
                    Err(e) => {
                        last = e;
                        false
                    }
                }) {
                    return Err(last);
                }
            }
            Ok(())
        }
        (Value::Null, _) => Ok(()),
        _ if kind(doc) == kind(actual) => Ok(()),
        _ => Err(format!("{path}: doc has {} ({doc}), emulator has {} ({actual})", kind(doc), kind(actual))),
    }
}

/// Every control object (`{control, id, title, value}`) in `contents`, Table rows included.
pub fn all_controls(contents: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    if let Some(list) = contents.as_array() {
        for c in list {
            out.push(c.clone());
            if let Some(rows) = c.pointer("/value/children").and_then(Value::as_array) {
                for row in rows {
                    out.extend(all_controls(&row["list"]));
                }
            }
        }
    }
    out
}
