//! The readings the emulator takes where the docs allow several ([`Quirks`]): each one over
//! HTTP under both of its settings, switched at build time, on the handle and over the
//! operator API.

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::{Value, json};
use wecom_emulator::{ApprovalFilter, Emulator, JournalCursor, JournalFilter, Padding, Quirks, time};

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default()
}

/// Control types whose data lives in what is otherwise a padding key.
fn data_keys(control: &str) -> &'static [&'static str] {
    match control {
        "Contact" => &["members", "departments"],
        "File" => &["files"],
        "Table" => &["children"],
        "RelatedApproval" => &["related_approval"],
        _ => &[],
    }
}

const EXAMPLE_PAD: [&str; 6] = ["tips", "members", "departments", "files", "children", "stat_field"];
const FULL_PAD: [&str; 10] = [
    "tips",
    "members",
    "departments",
    "files",
    "children",
    "stat_field",
    "sum_field",
    "related_approval",
    "students",
    "classes",
];

#[tokio::test]
async fn approval_padding_follows_the_example_by_default_and_can_be_full_or_none() {
    let api = Api::start(Emulator::builder().approvals(300).journals(10)).await;
    let ids = api.emu.approval_ids(JAN1, JAN1 + 31 * DAY, &ApprovalFilter::new());
    for padding in [Padding::Example, Padding::Full, Padding::None] {
        api.emu.set_quirks(Quirks { approval_padding: padding, ..Quirks::default() });
        let mut seen = 0;
        for id in ids.iter().step_by(3) {
            let v = api.post(APPROVAL_DETAIL, json!({"sp_no": id})).await;
            assert_eq!(v["errcode"], 0);
            assert_eq!(v["info"], api.emu.approval_detail(id).unwrap(), "the handle renders what the wire sends");
            for c in all_controls(&v["info"]["apply_data"]["contents"]) {
                let control = c["control"].as_str().unwrap();
                let value = &c["value"];
                let empty_arrays: BTreeSet<String> = keys(value)
                    .into_iter()
                    .filter(|k| value[k].as_array().is_some_and(Vec::is_empty))
                    .filter(|k| !data_keys(control).contains(&k.as_str()))
                    .collect();
                let expected: BTreeSet<String> = match padding {
                    Padding::Example => EXAMPLE_PAD.iter(),
                    Padding::Full => FULL_PAD.iter(),
                    Padding::None => [].iter(),
                }
                .filter(|k| !data_keys(control).contains(k))
                .map(|k| k.to_string())
                .collect();
                assert_eq!(empty_arrays, expected, "{padding:?} {c}");
                seen += 1;
            }
        }
        assert!(seen > 100);
    }
    // The default is the getapprovaldetail example's padding.
    assert_eq!(Quirks::default().approval_padding, Padding::Example);
}

#[tokio::test]
async fn journal_titles_come_without_lang_unless_switched_on() {
    let api = Api::start(Emulator::builder().approvals(10).journals(200)).await;
    let (s, e) = api.emu.date_range();
    let ids = api.emu.journal_ids(s, e, &JournalFilter::new());
    for lang in [false, true] {
        api.emu.set_quirks(Quirks { journal_title_lang: lang, ..Quirks::default() });
        let mut titles = 0;
        for id in ids.iter().step_by(7) {
            let v = api.post(JOURNAL_DETAIL, json!({"journaluuid": id})).await;
            assert_eq!(v["info"], api.emu.journal_detail(id).unwrap());
            for c in all_controls(&v["info"]["apply_data"]["contents"]) {
                for t in c["title"].as_array().unwrap() {
                    assert!(t["text"].is_string());
                    assert_eq!(t.get("lang").is_some(), lang, "{t}");
                    titles += 1;
                }
            }
        }
        assert!(titles > 50);
    }
    // Approval titles keep theirs either way (the getapprovaldetail example has lang).
    let sp_no = api.emu.approval_ids(s, e, &ApprovalFilter::new())[0].clone();
    let d = api.emu.approval_detail(&sp_no).unwrap();
    assert_eq!(d["apply_data"]["contents"][0]["title"][0]["lang"], "zh_CN");
}

#[tokio::test]
async fn repeated_journal_filter_keys_are_or_ed_like_departments() {
    let api = Api::start(Emulator::builder().approvals(10).journals(1200)).await;
    let (s, e) = (JAN1, time::add_months(JAN1, 1));
    let t = api.emu.journal_templates();
    let (a, b) = (t[0].report_users[0].clone(), t[1].report_users[1].clone());
    let creator = |u: &str| json!({"key": "creator", "value": u});
    let only_a = api.walk_journals(s, e, json!([creator(&a)]), 50).await;
    let only_b = api.walk_journals(s, e, json!([creator(&b)]), 50).await;
    let both = api.walk_journals(s, e, json!([creator(&a), creator(&b)]), 50).await;
    assert!(!only_a.is_empty() && !only_b.is_empty() && a != b);
    assert_eq!(both.len(), only_a.len() + only_b.len());
    assert_eq!(both, api.emu.journal_ids(s, e, &JournalFilter::new().creator(&a).creator(&b)));
    let tpl = |id: &str| json!({"key": "template_id", "value": id});
    let two = api.walk_journals(s, e, json!([tpl(&t[0].template_id), tpl(&t[2].template_id)]), 50).await;
    assert_eq!(
        two,
        api.emu.journal_ids(s, e, &JournalFilter::new().template_id(&t[0].template_id).template_id(&t[2].template_id))
    );
    // The other reading refuses them.
    api.emu.set_quirks(Quirks { reject_repeated_journal_filters: true, ..Quirks::default() });
    let v = api
        .post(
            JOURNAL_LIST,
            json!({"starttime": s, "endtime": e, "cursor": 0, "limit": 10, "filters": [creator(&a), creator(&b)]}),
        )
        .await;
    assert_err(&v, 301_066);
    // Departments may repeat under both readings.
    let dep = |d: &str| json!({"key": "department", "value": d});
    assert_eq!(api.walk_journals(s, e, json!([dep("2"), dep("3")]), 50).await.len(), {
        api.emu.journal_ids(s, e, &JournalFilter::new().department("2").department("3")).len()
    });
}

#[tokio::test]
async fn plain_quirks_are_the_lenient_readings() {
    let api =
        Api::start(Emulator::builder().approvals(400).journals(400).quirks(Quirks::plain()).rate_limit_per_minute(0))
            .await;
    assert_eq!(api.emu.quirks(), Quirks::plain());
    let (s, e) = (JAN1, JAN1 + 31 * DAY);
    // Full pages and offset cursors.
    let v = api.post(JOURNAL_LIST, json!({"starttime": s, "endtime": e, "cursor": 0, "limit": 10})).await;
    assert_eq!(v["next_cursor"], 10);
    let v = api
        .post(
            APPROVAL_INFO,
            json!({"starttime": s.to_string(), "endtime": e.to_string(), "new_cursor": "", "size": 10}),
        )
        .await;
    assert_eq!(v["sp_no_list"].as_array().unwrap().len(), 10);
    assert_err(&api.post(JOURNAL_DETAIL, json!({"journaluuid": "nope"})).await, 301_084);
    // Walks under every combination of the paging quirks give the ground truth.
    for (cursor, short) in [
        (JournalCursor::Opaque, true),
        (JournalCursor::Opaque, false),
        (JournalCursor::Offset, true),
        (JournalCursor::Offset, false),
    ] {
        api.emu.set_quirks(Quirks { journal_cursor: cursor, short_pages: short, ..Quirks::default() });
        for limit in [1, 7, 100] {
            assert_eq!(
                api.walk_journals(s, e - DAY, json!([]), limit).await,
                api.emu.journal_ids(s, e - DAY, &JournalFilter::new()),
                "{cursor:?} short={short} limit={limit}"
            );
        }
        for size in [1, 9, 100] {
            assert_eq!(
                api.walk_approvals(s, e, json!([]), size).await,
                api.emu.approval_ids(s, e, &ApprovalFilter::new()),
                "short={short} size={size}"
            );
        }
    }
}

#[tokio::test]
async fn quirks_over_the_operator_api() {
    let api = Api::start(Emulator::builder().approvals(10).journals(10)).await;
    let url = api.path_url("/_emulator/quirks");
    let get = || async { api.http.get(&url).send().await.unwrap().json::<Value>().await.unwrap() };
    let post = |body: &'static str| {
        let http = api.http.clone();
        let url = url.clone();
        async move {
            let r = http.post(&url).body(body).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    assert_eq!(get().await, serde_json::to_value(Quirks::default()).unwrap());
    assert_eq!(
        get().await,
        json!({"journal_cursor": "opaque", "short_pages": true, "journal_title_lang": false,
               "approval_padding": "example", "reject_repeated_journal_filters": false,
               "unknown_journal_errcode": 301066, "legacy_total_includes_deleted": true})
    );
    // A POST merges the keys it names.
    let (status, v) = post(r#"{"journal_cursor":"offset","approval_padding":"none"}"#).await;
    assert_eq!(status, 200, "{v}");
    let q = api.emu.quirks();
    assert_eq!((q.journal_cursor, q.approval_padding, q.short_pages), (JournalCursor::Offset, Padding::None, true));
    assert_eq!(get().await, v);
    for bad in
        [r#"{"journal_cursor":"sideways"}"#, r#"{"unknown_journal_errcode":0}"#, r#"{"short_page":false}"#, "[1]", "{"]
    {
        let (status, _) = post(bad).await;
        assert_eq!(status, 400, "{bad}");
    }
    assert_eq!(api.emu.quirks().journal_cursor, JournalCursor::Offset, "a refused POST changes nothing");
    // An empty body restores the defaults.
    let (status, _) = post("").await;
    assert_eq!(status, 200);
    assert_eq!(api.emu.quirks(), Quirks::default());
}

#[tokio::test]
async fn the_binary_takes_every_quirk_and_novelty_flag() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    /// Stops the child even when an assertion fails first.
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            self.0.kill().ok();
            self.0.wait().ok();
        }
    }
    let child = Command::new(env!("CARGO_BIN_EXE_wecom-emulator"))
        .args(["--addr", "127.0.0.1:0", "--approvals", "20", "--journals", "10", "--plain"])
        .args(["--journal-cursor", "opaque", "--short-pages", "true", "--approval-padding", "none"])
        .args(["--unknown-journal-errcode", "301067", "--novelties", "--novelty-errcode-every", "7"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut child = Kill(child);
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let base = first.strip_prefix("wecom-emulator listening on ").expect("the first line names the URL").to_string();
    let printed: Vec<String> = lines.by_ref().take(8).map(|l| l.unwrap()).collect();
    let http = http();
    let quirks: Value = http.get(format!("{base}/_emulator/quirks")).send().await.unwrap().json().await.unwrap();
    let novelties: Value = http.get(format!("{base}/_emulator/novelties")).send().await.unwrap().json().await.unwrap();
    drop(child);
    // --plain, then each flag given on top.
    let expected = Quirks {
        journal_cursor: JournalCursor::Opaque,
        short_pages: true,
        approval_padding: Padding::None,
        unknown_journal_errcode: 301_067,
        ..Quirks::plain()
    };
    assert_eq!(quirks, serde_json::to_value(expected).unwrap());
    assert_eq!(novelties, json!({"enabled": true, "errcode_every": 7}));
    assert!(printed.iter().any(|l| l.contains("quirks:") && l.contains("Opaque")), "{printed:?}");
    assert!(printed.iter().any(|l| l.contains("novelties:") && l.contains("every 7")), "{printed:?}");
}
