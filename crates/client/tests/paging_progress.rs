//! Paging always ends: for each cursor style (journal offset, approval token, legacy spnum), a
//! server that cycles its cursors, ignores them while handing out fresh ones, or repeats the
//! same page makes the stream end with `Error::NoProgress` naming the endpoint and the window,
//! after a small, exact number of calls — while legitimate short pages, pages with some
//! repeats, and records repeated at a window edge go through untouched. Each server here is a
//! purpose-built loopback server (the emulator behaves).

mod common;

use common::loopback::{self, Answer, Loopback, Seen};
use common::*;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};
use wecom_client::{Client, Error, Stall, TimeRange};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// journal get_record_list: `cursor` → `next_cursor` + `endflag`.
    Offset,
    /// getapprovalinfo: `new_cursor` → `new_next_cursor`, absent at the end.
    Token,
    /// legacy getapprovaldata: `next_spnum` → `next_spnum` with `count`; pages of 100.
    SpNum,
}

const STYLES: [Style; 3] = [Style::Offset, Style::Token, Style::SpNum];

impl Style {
    fn path(self) -> &'static str {
        match self {
            Style::Offset => "/cgi-bin/oa/journal/get_record_list",
            Style::Token => "/cgi-bin/oa/getapprovalinfo",
            Style::SpNum => "/cgi-bin/corp/getapprovaldata",
        }
    }

    fn endpoint(self) -> &'static str {
        match self {
            Style::Offset => "journal.get_record_list",
            Style::Token => "approval.get_approval_info",
            Style::SpNum => "approval.get_approval_data",
        }
    }

    /// The cursor a request carries, `None` on a first page.
    fn cursor_of(self, body: &Value) -> Option<u64> {
        match self {
            Style::Offset => body["cursor"].as_u64().filter(|&c| c != 0),
            Style::Token => body["new_cursor"].as_str().filter(|c| !c.is_empty()).map(|c| c[1..].parse().unwrap()),
            Style::SpNum => body["next_spnum"].as_u64(),
        }
    }

    /// The cursor as the client's error prints it (`Debug` of the endpoint's cursor type).
    fn printed(self, cursor: u64) -> String {
        match self {
            Style::Token => format!("{:?}", format!("c{cursor}")),
            _ => cursor.to_string(),
        }
    }

    /// A page holding `keys`, with `next` as the next cursor (`None`: the last page).
    fn page(self, keys: &[u64], next: Option<u64>) -> Answer {
        match self {
            Style::Offset => json!({
                "errcode": 0, "errmsg": "ok",
                "journaluuid_list": keys.iter().map(|k| format!("id-{k}")).collect::<Vec<_>>(),
                "next_cursor": next.unwrap_or(0),
                "endflag": if next.is_some() { 0 } else { 1 },
            }),
            Style::Token => {
                let mut v = json!({
                    "errcode": 0, "errmsg": "ok",
                    "sp_no_list": keys.iter().map(|k| format!("id-{k}")).collect::<Vec<_>>(),
                });
                if let Some(n) = next {
                    v["new_next_cursor"] = json!(format!("c{n}"));
                }
                v
            }
            Style::SpNum => {
                // A next page is announced the documented way: a full page of 100 (a short page
                // is the last one, whatever `next_spnum` says).
                let count = if next.is_some() { keys.len().max(100) } else { keys.len() };
                json!({
                    "errcode": 0, "errmsg": "ok", "count": count, "total": 1000,
                    "next_spnum": next.or(keys.last().copied()),
                    "data": keys.iter().map(|k| json!({"spname": "报销", "sp_status": 2, "sp_num": k})).collect::<Vec<_>>(),
                })
            }
        }
        .into()
    }

    /// The keys a style's public stream yields over `range`.
    fn stream(self, client: &Client, range: TimeRange) -> BoxStream<'static, Result<u64, Error>> {
        let id = |s: String| s.trim_start_matches("id-").parse::<u64>().unwrap();
        match self {
            Style::Offset => client.journals().ids(range, []).map_ok(id).boxed(),
            Style::Token => client.approvals().ids(range, []).map_ok(id).boxed(),
            Style::SpNum => client.approvals().legacy(range).map_ok(|f| f.approval.sp_num).boxed(),
        }
    }
}

/// Keys `from..=to`.
fn keys(from: u64, to: u64) -> Vec<u64> {
    (from..=to).collect()
}

/// A loopback server answering gettoken and, for the style's list path, `pages`.
async fn server(style: Style, pages: impl Fn(Option<u64>, &Seen) -> Answer + Send + Sync + 'static) -> Loopback {
    loopback::serve(move |req| match req.path.as_str() {
        loopback::TOKEN_PATH => loopback::token_ok(),
        p if p == style.path() => pages(style.cursor_of(&req.body), req),
        _ => loopback::error(40058),
    })
    .await
}

/// One day: a single window for every endpoint.
fn one_day() -> TimeRange {
    TimeRange::new(JAN1, JAN1 + DAY).unwrap()
}

/// Runs the stream to its end: the keys it yielded, and the error it ended with (if any).
async fn drain(mut s: BoxStream<'static, Result<u64, Error>>) -> (Vec<u64>, Option<Error>) {
    let mut got = Vec::new();
    while let Some(r) = s.next().await {
        match r {
            Ok(k) => got.push(k),
            Err(e) => return (got, Some(e)),
        }
    }
    (got, None)
}

fn assert_no_progress(style: Style, err: Option<Error>, calls: u32) -> Stall {
    let err = err.unwrap_or_else(|| panic!("{style:?}: the stream ended without an error"));
    let text = err.to_string();
    match err {
        Error::NoProgress { endpoint, start, end, stall, calls: made } => {
            assert_eq!(endpoint, style.endpoint(), "{style:?}");
            assert_eq!((start, end), (JAN1, JAN1 + DAY), "{style:?}: the error names the window");
            assert_eq!(made, calls, "{style:?}: {text}");
            assert!(text.contains(style.endpoint()) && text.contains(&format!("{JAN1}–{}", JAN1 + DAY)), "{text}");
            stall
        }
        other => panic!("{style:?}: expected NoProgress, got {other}"),
    }
}

#[tokio::test]
async fn a_cursor_cycle_a_b_a_ends_with_an_error_after_three_calls() {
    for style in STYLES {
        // first page → A, A → B, B → A again. Pages overlap by one record, as legacy pages do.
        let srv = server(style, move |cursor, _| match cursor {
            None => style.page(&keys(1, 100), Some(100)),
            Some(100) => style.page(&keys(100, 199), Some(200)),
            _ => style.page(&keys(199, 298), Some(100)),
        })
        .await;
        let client = srv.client().build().unwrap();
        let (got, err) = drain(style.stream(&client, one_day())).await;
        let stall = assert_no_progress(style, err, 3);
        assert_eq!(stall, Stall::CursorRepeated { cursor: style.printed(100) }, "{style:?}");
        assert_eq!(srv.calls(style.path()), 3, "{style:?}: the repeated cursor is never requested");
        assert_eq!(got, keys(1, 298), "{style:?}: every record of the three pages came through once");
    }
}

#[tokio::test]
async fn an_ignored_cursor_with_fresh_cursors_ends_with_an_error_after_three_calls() {
    for style in STYLES {
        // Whatever the cursor, the first page again, with a new cursor each time.
        let srv = server(style, move |_, req| style.page(&keys(1, 100), Some(1000 + req.nth as u64))).await;
        let client = srv.client().build().unwrap();
        let (got, err) = drain(style.stream(&client, one_day())).await;
        let stall = assert_no_progress(style, err, 3);
        assert_eq!(stall, Stall::NoNewRecords { pages: 2 }, "{style:?}");
        assert_eq!(srv.calls(style.path()), 3, "{style:?}: one good page and two without progress");
        assert_eq!(got, keys(1, 100), "{style:?}");
        let asked: Vec<Option<u64>> = srv.requests(style.path()).iter().map(|r| style.cursor_of(&r.body)).collect();
        assert_eq!(
            asked,
            vec![None, Some(1000), Some(1001)],
            "{style:?}: the client followed the cursors it was given"
        );
    }
}

#[tokio::test]
async fn the_same_page_with_the_same_cursor_ends_with_an_error_after_two_calls() {
    for style in STYLES {
        let srv = server(style, move |_, _| style.page(&keys(1, 100), Some(500))).await;
        let client = srv.client().build().unwrap();
        let (got, err) = drain(style.stream(&client, one_day())).await;
        let stall = assert_no_progress(style, err, 2);
        assert_eq!(stall, Stall::CursorRepeated { cursor: style.printed(500) }, "{style:?}");
        assert_eq!(srv.calls(style.path()), 2, "{style:?}");
        assert_eq!(got, keys(1, 100), "{style:?}");
    }
}

#[tokio::test]
async fn pages_with_some_repeats_and_some_fresh_records_are_progress() {
    for style in STYLES {
        let srv = server(style, move |cursor, _| match cursor {
            None => style.page(&keys(1, 100), Some(100)),
            // Half repeats, half fresh.
            Some(100) => style.page(&keys(51, 150), Some(200)),
            // A short last page: three repeats, two fresh.
            _ => style.page(&[148, 149, 150, 151, 152], None),
        })
        .await;
        let client = srv.client().build().unwrap();
        let got: Vec<u64> =
            style.stream(&client, one_day()).try_collect().await.unwrap_or_else(|e| panic!("{style:?}: {e}"));
        assert_eq!(got, keys(1, 152), "{style:?}: each record once, in order");
        assert_eq!(srv.calls(style.path()), 3, "{style:?}");
    }
}

#[tokio::test]
async fn short_and_empty_pages_before_the_last_are_not_a_stall() {
    // The token and offset styles may answer fewer than `size` records — even none — before the
    // last page (forms outside the app's visibility are left out). Legacy pages of fewer than
    // 100 are the last by definition.
    for style in [Style::Offset, Style::Token] {
        let srv = server(style, move |cursor, _| match cursor {
            None => style.page(&[1, 2], Some(10)),
            Some(10) => style.page(&[], Some(20)),
            Some(20) => style.page(&[2, 3], Some(30)),
            Some(30) => style.page(&[], Some(40)),
            _ => style.page(&[4], None),
        })
        .await;
        let client = srv.client().build().unwrap();
        let got: Vec<u64> =
            style.stream(&client, one_day()).try_collect().await.unwrap_or_else(|e| panic!("{style:?}: {e}"));
        assert_eq!(got, vec![1, 2, 3, 4], "{style:?}");
        assert_eq!(srv.calls(style.path()), 5, "{style:?}");
    }
}

#[tokio::test]
async fn records_repeated_at_a_window_edge_over_several_pages_are_not_a_stall() {
    // Two windows; the second starts with the records that sat on the shared edge second, one
    // per page (short pages), before its own. They are dropped as repeats but are new to the
    // second window's walk, so they are not "no progress".
    for style in STYLES {
        let first_window = JAN1;
        let srv = server(style, move |cursor, req| {
            let start =
                req.body["starttime"].as_u64().or_else(|| req.body["starttime"].as_str().and_then(|s| s.parse().ok()));
            if start == Some(first_window) {
                return style.page(&[1, 2, 3], None);
            }
            match (style, cursor) {
                // Legacy: a page of just the edge record is short, hence the window's last.
                (Style::SpNum, _) => style.page(&[3], None),
                (_, None) => style.page(&[2], Some(10)),
                (_, Some(10)) => style.page(&[3], Some(20)),
                _ => style.page(&[4], None),
            }
        })
        .await;
        let client = srv.client().build().unwrap();
        let range = TimeRange::new(JAN1, JAN1 + 40 * DAY).unwrap();
        let got: Vec<u64> =
            style.stream(&client, range).try_collect().await.unwrap_or_else(|e| panic!("{style:?}: {e}"));
        let expected = if style == Style::SpNum { vec![1, 2, 3] } else { vec![1, 2, 3, 4] };
        assert_eq!(got, expected, "{style:?}");
        assert_eq!(client.stats().windows, 2, "{style:?}");
        let calls = if style == Style::SpNum { 2 } else { 4 };
        assert_eq!(srv.calls(style.path()), calls, "{style:?}");
    }
}
