//! Starts an emulated WeCom on loopback and talks to it over plain HTTP, as any client would:
//! a token, then every approval id of January 2025 page by page, compared with the emulator's
//! ground truth; then the world changes (a new form) and the next walk sees it.
//!
//! ```sh
//! cargo run -p wecom-emulator --example serve
//! ```

use serde_json::{Value, json};
use wecom_emulator::{ApprovalFilter, Emulator};

const JANUARY: (i64, i64) = (1_735_660_800, 1_738_339_199); // 2025-01-01 .. 01-31 23:59:59 UTC+8

/// Every `sp_no` of the window, following `new_next_cursor` until it is empty.
async fn walk(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    (start, end): (i64, i64),
) -> reqwest::Result<Vec<String>> {
    let (mut ids, mut cursor) = (Vec::new(), String::new());
    loop {
        let body =
            json!({ "starttime": start.to_string(), "endtime": end.to_string(), "new_cursor": cursor, "size": 100 });
        let page: Value = http
            .post(format!("{base}/cgi-bin/oa/getapprovalinfo"))
            .query(&[("access_token", token)])
            .json(&body)
            .send()
            .await?
            .json()
            .await?;
        assert_eq!(page["errcode"], 0, "{page}");
        ids.extend(page["sp_no_list"].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(String::from)));
        cursor = page["new_next_cursor"].as_str().unwrap_or_default().to_owned();
        if cursor.is_empty() {
            return Ok(ids);
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let wecom = Emulator::builder().seed(7).approvals(300).journals(0).start().await?;
    let base = wecom.base_url();
    println!("emulated WeCom at {base}, {} approvals", wecom.approval_count());

    let http = reqwest::Client::new();
    let token: Value = http
        .get(format!("{base}/cgi-bin/gettoken"))
        .query(&[("corpid", wecom.corp_id()), ("corpsecret", wecom.corp_secret())])
        .send()
        .await?
        .json()
        .await?;
    let token = token["access_token"].as_str().ok_or("no access_token")?.to_owned();

    let mut ids = walk(&http, &base, &token, JANUARY).await?;
    let mut expected = wecom.approval_ids(JANUARY.0, JANUARY.1, &ApprovalFilter::new());
    ids.sort();
    expected.sort();
    println!("January: {} approvals in {} calls", ids.len(), wecom.call_count("/cgi-bin/oa/getapprovalinfo"));
    assert!(!ids.is_empty());
    assert_eq!(ids, expected, "the walk must find exactly the ground truth");

    // The world changes: a new form is submitted now, and the walk over its day finds it.
    let submitted = wecom.submit_approval()?;
    let latest = wecom.latest_apply_time();
    let found = walk(&http, &base, &token, (latest - 86_400, latest)).await?;
    println!(
        "submitted {} ({:?}); the walk over its last day finds {} forms",
        submitted.sp_no,
        submitted.kind,
        found.len()
    );
    assert!(found.contains(&submitted.sp_no));
    assert_eq!(wecom.call_count("/cgi-bin/gettoken"), 1);
    Ok(())
}
