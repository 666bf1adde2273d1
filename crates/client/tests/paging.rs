//! Streams over the emulator: every cursor style walked to the end, ranges of any length split
//! into windows, results equal to the emulator's ground truth, in order, without duplicates.

mod common;

use std::collections::HashSet;

use common::*;
use futures::TryStreamExt;
use wecom_client::{Error, TimeRange};
use wecom_emulator::{ApprovalFilter as Truth, JournalFilter as JTruth, MonthRule};
use wecom_models::approval::{ApprovalFilter, SpStatus};
use wecom_models::journal::JournalFilter;

fn assert_no_duplicates(ids: &[String]) {
    let set: HashSet<&String> = ids.iter().collect();
    assert_eq!(set.len(), ids.len(), "duplicates in the stream");
}

#[tokio::test]
async fn a_95_day_approval_range_is_split_into_windows_and_equals_ground_truth() {
    let emu = start(emulator().approvals(1500)).await;
    let client = client(&emu).build().unwrap();
    let range = TimeRange::new(JAN1, JAN1 + 95 * DAY).unwrap();
    let ids: Vec<String> = client.approvals().ids(range, []).try_collect().await.unwrap();
    let truth = emu.approval_ids(JAN1 as i64, (JAN1 + 95 * DAY) as i64, &Truth::new());
    assert!(truth.len() > 500, "the range holds several pages per window ({})", truth.len());
    assert_no_duplicates(&ids);
    assert_eq!(ids, truth);
    let stats = client.stats();
    assert_eq!(stats.windows, 4, "95 days in windows of at most 31");
    assert!(stats.pages >= 8, "{stats:?}");
    assert_eq!(emu.errcode_count(301025), 0, "no window was refused");
}

#[tokio::test]
async fn approval_filters_combine_as_documented() {
    let emu = start(emulator()).await;
    let client = client(&emu).build().unwrap();
    let (s, e) = emu.date_range();
    let range = TimeRange::new(s as u64, e as u64).unwrap();
    let departments: Vec<String> = emu.departments().iter().take(2).map(|d| d.id.to_string()).collect();
    let ids: Vec<String> = client
        .approvals()
        .ids(
            range,
            [
                ApprovalFilter::department(&departments[0]),
                ApprovalFilter::department(&departments[1]),
                ApprovalFilter::sp_status(SpStatus::Approved),
            ],
        )
        .try_collect()
        .await
        .unwrap();
    let truth =
        emu.approval_ids(s, e, &Truth::new().department(&departments[0]).department(&departments[1]).sp_status(2));
    assert!(!truth.is_empty());
    assert_eq!(ids, truth);

    let user = emu.users()[0].userid.clone();
    let mine: Vec<String> =
        client.approvals().ids(range, [ApprovalFilter::creator(&user)]).try_collect().await.unwrap();
    assert_eq!(mine, emu.approval_ids(s, e, &Truth::new().creator(&user)));
}

#[tokio::test]
async fn approval_details_come_in_order_one_per_id() {
    let emu = start(emulator()).await;
    let client = client(&emu).concurrency(6).build().unwrap();
    let range = TimeRange::new(JAN1, JAN1 + 40 * DAY).unwrap();
    let details: Vec<_> = client.approvals().details(range, []).try_collect().await.unwrap();
    let truth = emu.approval_ids(JAN1 as i64, (JAN1 + 40 * DAY) as i64, &Truth::new());
    let got: Vec<String> = details.iter().map(|d| d.sp_no.clone()).collect();
    assert_eq!(got, truth);
    assert!(details.iter().any(|d| !d.sp_status.is_known()), "the dataset has unknown statuses and they parse");
    assert!(
        details.iter().flat_map(|d| d.apply_data.contents.iter()).any(|c| !c.value.is_known()),
        "the dataset has unknown control kinds and they parse"
    );
}

#[tokio::test]
async fn journal_ids_in_month_windows_under_either_reading_of_one_month() {
    for rule in [MonthRule::Calendar, MonthRule::Days(30), MonthRule::Days(28)] {
        let emu = start(emulator().month_rule(rule)).await;
        let client = client(&emu).build().unwrap();
        let (s, e) = emu.date_range();
        let range = TimeRange::new(s as u64, e as u64).unwrap();
        let result: Result<Vec<String>, Error> = client.journals().ids(range, []).try_collect().await;
        match rule {
            MonthRule::Days(28) => {
                // Stricter than any reading the docs allow: the server refuses, the error says so.
                let err = result.unwrap_err();
                assert_eq!(err.code(), Some(wecom_endpoints::ErrorCode::JournalInvalidParameter), "{err}");
            }
            _ => {
                let ids = result.unwrap();
                assert_no_duplicates(&ids);
                assert_eq!(ids, emu.journal_ids(s, e, &JTruth::new()), "{rule:?}");
            }
        }
    }
}

#[tokio::test]
async fn journal_filters_and_details() {
    let emu = start(emulator()).await;
    let client = client(&emu).build().unwrap();
    let (s, e) = emu.date_range();
    let range = TimeRange::new(s as u64, e as u64).unwrap();
    let template = emu.journal_templates()[0].template_id.clone();
    let ids: Vec<String> =
        client.journals().ids(range, [JournalFilter::template_id(&template)]).try_collect().await.unwrap();
    assert_eq!(ids, emu.journal_ids(s, e, &JTruth::new().template_id(&template)));
    let short = TimeRange::new(s as u64, s as u64 + 20 * DAY).unwrap();
    let details: Vec<_> = client.journals().details(short, []).try_collect().await.unwrap();
    let truth = emu.journal_ids(s, s + 20 * DAY as i64, &JTruth::new());
    assert_eq!(details.iter().map(|d| d.journal_uuid.clone()).collect::<Vec<_>>(), truth);
    let big_ids = details.iter().flat_map(|d| d.comments.iter()).filter(|c| c.commentid > 1 << 53).count();
    assert!(big_ids > 0, "comment ids above 2^53 come through exact");
}

#[tokio::test]
async fn legacy_data_is_walked_with_its_inclusive_cursor_and_both_apply_data_forms() {
    let emu = start(emulator().approvals(900)).await;
    let client = client(&emu).build().unwrap();
    let (s, e) = emu.date_range();
    let range = TimeRange::new(s as u64, e as u64).unwrap();
    let forms: Vec<_> = client.approvals().legacy(range).try_collect().await.unwrap();
    let nums: Vec<u64> = forms.iter().map(|f| f.approval.sp_num).collect();
    assert_eq!(nums, emu.legacy_sp_nums(s, e));
    let set: HashSet<u64> = nums.iter().copied().collect();
    assert_eq!(set.len(), nums.len(), "the page-edge repeat is dropped");
    let old_form = forms
        .iter()
        .filter(|f| f.approval.comm.as_ref().is_some_and(|c| c.apply_data.as_str().starts_with('{')))
        .count();
    let new_form = forms
        .iter()
        .filter(|f| f.approval.comm.as_ref().is_some_and(|c| c.apply_data.as_str().starts_with('[')))
        .count();
    assert!(old_form > 0 && new_form > 0, "both apply_data forms occur ({old_form}/{new_form})");
    assert!(forms.iter().all(|f| f.items_error.is_none()));
    assert!(forms.iter().filter(|f| !f.items.is_empty()).count() > forms.len() / 2);
}

#[tokio::test]
async fn stats_over_a_range_longer_than_a_year() {
    let emu = start(emulator().date_range(JAN1 as i64, (JAN1 + 400 * DAY) as i64).approvals(100).journals(200)).await;
    let client = client(&emu).build().unwrap();
    let template = emu.stat_template_ids()[0].clone();
    let range = TimeRange::new(JAN1, JAN1 + 400 * DAY).unwrap();
    let cycles: Vec<_> = client.journals().stats(&template, range).try_collect().await.unwrap();
    let got: Vec<(i64, i64)> = cycles.iter().map(|c| (c.cycle_begin_time as i64, c.cycle_end_time as i64)).collect();
    let truth = emu.stat_cycles(&template, JAN1 as i64, (JAN1 + 400 * DAY) as i64);
    assert!(!truth.is_empty());
    let got_set: HashSet<_> = got.iter().collect();
    assert_eq!(got_set.len(), got.len(), "each cycle once");
    assert_eq!(got_set, truth.iter().collect::<HashSet<_>>());
    assert_eq!(client.stats().windows, 2);
}

#[tokio::test]
async fn a_bad_request_costs_no_call() {
    let emu = start(emulator()).await;
    let client = client(&emu).build().unwrap();
    let range = TimeRange::new(JAN1, JAN1 + 10 * DAY).unwrap();
    let err = client
        .approvals()
        .ids(range, [ApprovalFilter::creator("x".repeat(300))])
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err}");
    assert!(err.to_string().contains("filters[0].value"), "{err}");
    let too_long = wecom_models::approval::GetApprovalInfoRequest::new(JAN1, JAN1 + 40 * DAY);
    let err = client.execute(&too_long).await.unwrap_err();
    assert!(err.to_string().contains("31 days"), "{err}");
    assert_eq!(emu.call_counts().values().sum::<u64>(), 0, "not even gettoken");
}

#[tokio::test]
async fn a_window_wecom_finds_too_long_is_halved_until_it_fits() {
    // 301112 for any window holding more than 40 forms: 31-day windows are far too crowded.
    let emu = start(emulator().approvals(1200).narrow_range_above(Some(40))).await;
    let client = client(&emu).build().unwrap();
    let range = TimeRange::new(JAN1, JAN1 + 62 * DAY).unwrap();
    let ids: Vec<String> = client.approvals().ids(range, []).try_collect().await.unwrap();
    assert_no_duplicates(&ids);
    assert_eq!(ids, emu.approval_ids(JAN1 as i64, (JAN1 + 62 * DAY) as i64, &Truth::new()));
    assert!(client.stats().window_splits >= 8, "{:?}", client.stats());
    assert!(emu.errcode_count(301112) > 0);
}

#[tokio::test]
async fn a_permission_error_says_what_to_do_in_the_admin_console() {
    let emu = start(
        emulator()
            .deny_permission("/cgi-bin/oa/getapprovalinfo")
            .deny_permission("/cgi-bin/oa/journal/get_record_list"),
    )
    .await;
    let client = client(&emu).build().unwrap();
    let range = TimeRange::new(JAN1, JAN1 + DAY).unwrap();
    let err = client.approvals().ids(range, []).try_collect::<Vec<_>>().await.unwrap_err();
    assert!(err.is_permission());
    let text = err.to_string();
    assert!(text.contains("301055") && text.contains("审批 → API → 可调用接口的应用"), "{text}");
    let err = client.journals().ids(range, []).try_collect::<Vec<_>>().await.unwrap_err();
    assert!(err.to_string().contains("汇报 → API → 可调用接口的应用"), "{err}");
    assert_eq!(emu.call_count("/cgi-bin/oa/getapprovalinfo"), 1, "permission errors are not retried");
}
