//! The client against the emulator under both readings of every quirk the docs leave open
//! (the emulator's `Quirks`): opaque journal cursors or offsets, short and empty pages or full
//! ones, approval padding as the example / full / none, journal titles with or without `lang`,
//! repeated journal filter keys accepted or refused, 301066 or 301084 for an unknown journal,
//! legacy `total` counting deleted forms or not — and with the novelty switch on. Each stream's
//! complete id set must equal the emulator's ground truth, without duplicates or losses, and
//! the emulator's own counters prove each quirk was actually met.

mod common;

use std::collections::HashSet;

use common::*;
use futures::{StreamExt, TryStreamExt};
use wecom_client::{Client, Error, TimeRange};
use wecom_emulator::{
    ApprovalFilter as Truth, EmulatorHandle, JournalCursor, JournalFilter as JTruth, NOVELTY_ERRCODE, Novelties,
    Padding, Quirks,
};
use wecom_endpoints::ErrorCode;
use wecom_models::approval::{ApprovalDetail, ApprovalFilter, GetApprovalInfoRequest, SpStatus};
use wecom_models::journal::{GetRecordListRequest, JournalFilter, JournalRecord};

fn whole(emu: &EmulatorHandle) -> (TimeRange, i64, i64) {
    let (s, e) = emu.date_range();
    (TimeRange::new(s as u64, e as u64).unwrap(), s, e)
}

fn assert_unique<T: std::hash::Hash + Eq + std::fmt::Debug>(ids: &[T], what: &str) {
    let set: HashSet<&T> = ids.iter().collect();
    assert_eq!(set.len(), ids.len(), "{what}: duplicates in the stream");
}

/// `v` without any empty array, at any depth.
fn without_empty_arrays(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, x)| !x.as_array().is_some_and(Vec::is_empty))
                .map(|(k, x)| (k, without_empty_arrays(x)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(without_empty_arrays).collect()),
        other => other,
    }
}

fn counted(emu: &EmulatorHandle, key: &str) -> u64 {
    emu.quirk_counts().get(key).copied().unwrap_or(0)
}

/// Journal ids of the whole range (pages of 100), and of one month in pages of 7.
async fn journal_walks(client: &Client, emu: &EmulatorHandle) {
    let (range, s, e) = whole(emu);
    let ids: Vec<String> = client.journals().ids(range, []).try_collect().await.unwrap();
    assert_unique(&ids, "journals");
    assert_eq!(ids, emu.journal_ids(s, e, &JTruth::new()));
    let month = TimeRange::new(s as u64, s as u64 + 28 * DAY).unwrap();
    let small = GetRecordListRequest::new(month.start() as u32, month.end() as u32).limit(7);
    let ids: Vec<String> = client.windowed_items(small, month).try_collect().await.unwrap();
    assert_unique(&ids, "journals, limit 7");
    assert_eq!(ids, emu.journal_ids(s, s + 28 * DAY as i64, &JTruth::new()));
}

#[tokio::test]
async fn journal_ids_are_complete_under_opaque_or_offset_cursors_and_short_or_full_pages() {
    for cursor in [JournalCursor::Opaque, JournalCursor::Offset] {
        for short in [true, false] {
            let emu = start(emulator().journals(1500).journal_cursor(cursor).short_pages(short)).await;
            let client = client(&emu).build().unwrap();
            journal_walks(&client, &emu).await;
            let (shorts, empties) =
                (counted(&emu, "get_record_list.short_page"), counted(&emu, "get_record_list.empty_page"));
            let what = format!("{cursor:?}, short pages {short}: {:?}", emu.quirk_counts());
            if short {
                assert!(shorts > 0, "short pages were met: {what}");
            } else {
                assert_eq!(shorts + empties, 0, "{what}");
            }
            // Empty pages only where the cursor can still move: an opaque position.
            assert_eq!(empties > 0, short && cursor == JournalCursor::Opaque, "{what}");
        }
    }
}

#[tokio::test]
async fn approval_ids_are_complete_with_short_and_empty_pages_or_full_ones() {
    for short in [true, false] {
        let emu = start(emulator().approvals(2500).short_pages(short)).await;
        let client = client(&emu).build().unwrap();
        let (range, s, e) = whole(&emu);
        let ids: Vec<String> = client.approvals().ids(range, []).try_collect().await.unwrap();
        assert_unique(&ids, "approvals");
        assert_eq!(ids, emu.approval_ids(s, e, &Truth::new()), "short pages {short}");
        // Filters and a small page size on one window.
        let dept = emu.departments()[2].id.to_string();
        let filters = [ApprovalFilter::department(&dept), ApprovalFilter::sp_status(SpStatus::Approved)];
        let ids: Vec<String> = client.approvals().ids(range, filters.clone()).try_collect().await.unwrap();
        assert_eq!(ids, emu.approval_ids(s, e, &Truth::new().department(&dept).sp_status(2)));
        let window = TimeRange::new(s as u64, s as u64 + 31 * DAY).unwrap();
        let small = GetApprovalInfoRequest::new(window.start(), window.end()).size(9);
        let ids: Vec<String> = client.windowed_items(small, window).try_collect().await.unwrap();
        assert_unique(&ids, "approvals, size 9");
        assert_eq!(ids, emu.approval_ids(s, s + 31 * DAY as i64, &Truth::new()));
        let (shorts, empties) =
            (counted(&emu, "getapprovalinfo.short_page"), counted(&emu, "getapprovalinfo.empty_page"));
        if short {
            assert!(shorts > 0 && empties > 0, "short and empty pages were met: {:?}", emu.quirk_counts());
        } else {
            assert_eq!(shorts + empties, 0);
        }
    }
}

#[tokio::test]
async fn approval_details_follow_the_ids_and_padding_carries_nothing() {
    let emu = start(emulator().approvals(400)).await;
    let client = client(&emu).concurrency(4).build().unwrap();
    let range = TimeRange::new(JAN1, JAN1 + 40 * DAY).unwrap();
    let truth = emu.approval_ids(JAN1 as i64, (JAN1 + 40 * DAY) as i64, &Truth::new());
    let mut by_padding: Vec<Vec<ApprovalDetail>> = Vec::new();
    for padding in [Padding::Example, Padding::Full, Padding::None] {
        emu.set_quirks(Quirks { approval_padding: padding, ..Quirks::default() });
        let details: Vec<ApprovalDetail> = client.approvals().details(range, []).try_collect().await.unwrap();
        let got: Vec<String> = details.iter().map(|d| d.sp_no.clone()).collect();
        assert_eq!(got, truth, "{padding:?}");
        for d in &details {
            let wire = emu.approval_detail(&d.sp_no).unwrap();
            let n = wire["apply_data"]["contents"].as_array().unwrap().len();
            assert_eq!(d.apply_data.contents.len(), n, "{padding:?} {}: every control parsed", d.sp_no);
        }
        by_padding.push(details);
    }
    // A known control drops the padding; an unknown kind keeps its payload raw, padding and all.
    let mut compared = 0;
    for other in [1, 2] {
        for (a, b) in by_padding[0].iter().zip(&by_padding[other]) {
            if a.apply_data.walk().iter().all(|c| c.value.is_known()) {
                assert_eq!(a, b, "{}: the paddings read the same", a.sp_no);
                compared += 1;
            } else {
                let (ja, jb) = (serde_json::to_value(a).unwrap(), serde_json::to_value(b).unwrap());
                assert_eq!(without_empty_arrays(ja), without_empty_arrays(jb), "{}", a.sp_no);
            }
        }
    }
    assert!(compared > 100, "{compared}");
}

#[tokio::test]
async fn journal_details_read_titles_with_or_without_lang() {
    let emu = start(emulator().journals(400)).await;
    let client = client(&emu).build().unwrap();
    let range = TimeRange::new(JAN1, JAN1 + 25 * DAY).unwrap();
    let truth = emu.journal_ids(JAN1 as i64, (JAN1 + 25 * DAY) as i64, &JTruth::new());
    let mut runs: Vec<Vec<JournalRecord>> = Vec::new();
    for lang in [false, true] {
        emu.set_quirks(Quirks { journal_title_lang: lang, ..Quirks::default() });
        let records: Vec<JournalRecord> = client.journals().details(range, []).try_collect().await.unwrap();
        assert_eq!(records.iter().map(|r| r.journal_uuid.clone()).collect::<Vec<_>>(), truth);
        let controls: Vec<_> = records.iter().filter_map(|r| r.apply_data.as_ref()).flat_map(|a| a.walk()).collect();
        assert!(controls.len() > 100);
        for c in &controls {
            assert!(c.title.iter().all(|t| t.lang.is_some() == lang), "lang {lang}: {:?}", c.title);
            assert_eq!(c.title_in("zh_CN"), c.title[0].text, "the Chinese title is found either way");
        }
        runs.push(records);
    }
    // Apart from `lang`, the two readings carry the same records.
    let titles = |r: &[JournalRecord]| -> Vec<String> {
        r.iter()
            .filter_map(|r| r.apply_data.as_ref())
            .flat_map(|a| a.walk())
            .map(|c| c.title_in("zh_CN").to_string())
            .collect()
    };
    assert_eq!(titles(&runs[0]), titles(&runs[1]));
}

#[tokio::test]
async fn an_unknown_journal_is_reported_with_the_code_sent_and_not_retried() {
    let emu = start(emulator()).await;
    let client = client(&emu).build().unwrap();
    let (journal, fileid) = emu.wedrive_files()[0].clone();
    let mut fake = journal.clone();
    fake.pop();
    fake.push(if journal.ends_with('x') { 'y' } else { 'x' });
    for (code, expected) in [(301_066, ErrorCode::JournalInvalidParameter), (301_084, ErrorCode::InvalidJournalUuid)] {
        emu.set_quirks(Quirks { unknown_journal_errcode: code, ..Quirks::default() });
        emu.reset_counts();
        let err = client.journals().detail(&fake).await.unwrap_err();
        assert_eq!(err.code(), Some(expected), "{err}");
        assert!(err.to_string().contains(&code.to_string()), "{err}");
        assert_eq!(emu.call_count("/cgi-bin/oa/journal/get_record_detail"), 1, "{code} is not retried");
        let mut sink = Vec::new();
        let err = client.journals().download_wedrive_file(&fake, &fileid, &mut sink).await.unwrap_err();
        assert_eq!(err.code(), Some(expected), "{err}");
        assert!(sink.is_empty());
    }
    assert_eq!(Quirks::default().unknown_journal_errcode, 301_066, "the endpoint's own table");
}

#[tokio::test]
async fn repeated_journal_filter_keys_are_or_ed_or_refused() {
    let emu = start(emulator().journals(900)).await;
    let client = client(&emu).build().unwrap();
    let (range, s, e) = whole(&emu);
    let templates = emu.journal_templates();
    let (a, b) = (templates[0].report_users[0].clone(), templates[1].report_users[1].clone());
    assert_ne!(a, b);
    let filters = || [JournalFilter::creator(&a), JournalFilter::creator(&b)];
    let ids: Vec<String> = client.journals().ids(range, filters()).try_collect().await.unwrap();
    let truth = emu.journal_ids(s, e, &JTruth::new().creator(&a).creator(&b));
    assert!(truth.len() > emu.journal_ids(s, e, &JTruth::new().creator(&a)).len());
    assert_eq!(ids, truth);
    emu.set_quirks(Quirks { reject_repeated_journal_filters: true, ..Quirks::default() });
    emu.reset_counts();
    let err = client.journals().ids(range, filters()).try_collect::<Vec<_>>().await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::JournalInvalidParameter), "{err}");
    assert_eq!(emu.call_count("/cgi-bin/oa/journal/get_record_list"), 1);
}

#[tokio::test]
async fn legacy_forms_are_complete_whether_total_counts_deleted_forms_or_not() {
    for counts_deleted in [true, false] {
        let emu = start(emulator().approvals(1200).legacy_total_includes_deleted(counts_deleted)).await;
        let client = client(&emu).build().unwrap();
        let (range, s, e) = whole(&emu);
        let forms: Vec<_> = client.approvals().legacy(range).try_collect().await.unwrap();
        let nums: Vec<u64> = forms.iter().map(|f| f.approval.sp_num).collect();
        assert_unique(&nums, "legacy");
        assert_eq!(nums, emu.legacy_sp_nums(s, e), "total counts deleted forms: {counts_deleted}");
        assert!(nums.len() < emu.approval_ids(s, e, &Truth::new()).len(), "deleted forms exist and are never returned");
    }
}

#[tokio::test]
async fn novelties_keep_every_record_and_their_unknowns() {
    let emu = start(emulator().approvals(300).novelties(true)).await;
    let client = client(&emu).concurrency(4).build().unwrap();
    let range = TimeRange::new(JAN1, JAN1 + 30 * DAY).unwrap();
    let truth = emu.approval_ids(JAN1 as i64, (JAN1 + 30 * DAY) as i64, &Truth::new());
    let details: Vec<ApprovalDetail> = client.approvals().details(range, []).try_collect().await.unwrap();
    assert_eq!(details.iter().map(|d| d.sp_no.clone()).collect::<Vec<_>>(), truth);
    for d in &details {
        let last = d.apply_data.contents.last().unwrap();
        assert!(!last.value.is_known(), "the unknown control kind is kept: {:?}", last.value);
        assert_eq!(last.value.tag(), "Signature");
        assert!(!d.sp_record.last().unwrap().sp_status.is_known(), "node status 21 is kept");
    }
    assert_eq!(emu.quirk_counts()["novelty.detail"], truth.len() as u64);

    // The unknown errcode: a record error naming the form, not retried; the stream goes on.
    emu.set_novelties(Novelties { enabled: false, errcode_every: Some(4) });
    emu.reset_counts();
    let client = client.clone();
    let results: Vec<Result<ApprovalDetail, Error>> = client
        .approvals()
        .details_for(Box::pin(futures::stream::iter(truth.clone().into_iter().map(Ok))))
        .collect()
        .await;
    let failed: Vec<&Error> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(failed.len(), truth.len() / 4, "every 4th call");
    for err in &failed {
        assert!(matches!(err, Error::Record { .. }), "{err}");
        assert_eq!(err.code().map(|c| c.code()), Some(NOVELTY_ERRCODE), "{err}");
    }
    assert_eq!(results.len(), truth.len());
    assert_eq!(emu.call_count("/cgi-bin/oa/getapprovaldetail"), truth.len() as u64, "an unknown code is not retried");
}
