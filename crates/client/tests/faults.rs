//! Retries against every fault kind the emulator injects, a fault-injection soak, and limits.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::*;
use futures::TryStreamExt;
use wecom_client::{Error, RetryPolicy, TimeRange};
use wecom_emulator::{ApprovalFilter as Truth, FaultKind, Faults, JournalFilter as JTruth};

fn ids_range(emu: &wecom_emulator::EmulatorHandle) -> TimeRange {
    let (s, e) = emu.date_range();
    TimeRange::new(s as u64, e as u64).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_kind_is_retried_until_the_call_succeeds() {
    for kind in FaultKind::ALL {
        let faults = Faults { delay_duration: Duration::from_millis(20), ..Faults::only(kind, 0.15, 11) };
        let emu = start(emulator().approvals(300).faults(faults)).await;
        let client = common::client(&emu).timeout(Duration::from_secs(5)).build().unwrap();
        let range = ids_range(&emu);
        let details: Vec<_> =
            client.approvals().details(range, []).try_collect().await.unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        let (s, e) = emu.date_range();
        let truth = emu.approval_ids(s, e, &Truth::new());
        assert_eq!(details.iter().map(|d| d.sp_no.clone()).collect::<Vec<_>>(), truth, "{kind:?}");
        let injected = emu.fault_counts().values().sum::<u64>();
        assert!(injected > 5, "{kind:?}: {injected} faults injected");
        if kind != FaultKind::Delay {
            assert!(client.stats().retries >= injected, "{kind:?}: every fault was retried ({:?})", client.stats());
        }
    }
}

#[tokio::test]
async fn retries_are_bounded_and_the_last_failure_is_reported() {
    let emu = start(emulator().faults(Faults::only(FaultKind::Busy, 1.0, 1))).await;
    let policy = fast_retries().max_attempts(3);
    let client = common::client(&emu).retry_policy(policy).build().unwrap();
    let (s, e) = emu.date_range();
    let sp_no = emu.approval_ids(s, e, &Truth::new()).remove(0);
    let err = client.approvals().detail(sp_no).await.unwrap_err();
    match &err {
        Error::RetriesExhausted { attempts, last, .. } => {
            assert_eq!(*attempts, 3);
            assert_eq!(last.code(), Some(wecom_endpoints::ErrorCode::SystemBusy));
        }
        other => panic!("{other}"),
    }
    assert_eq!(err.code(), Some(wecom_endpoints::ErrorCode::SystemBusy));
    assert_eq!(emu.call_count("/cgi-bin/oa/getapprovaldetail"), 3);
    assert!(err.to_string().contains("gave up after 3 attempts"), "{err}");

    let none = common::client(&emu).retry_policy(RetryPolicy::none()).build().unwrap();
    let err = none.approvals().detail("202501010001").await.unwrap_err();
    assert!(matches!(err, Error::Api(_)), "no retries: the error itself ({err})");
}

#[tokio::test]
async fn timeouts_are_retried() {
    let faults = Faults { delay_duration: Duration::from_millis(1500), ..Faults::only(FaultKind::Delay, 0.2, 5) };
    let emu = start(emulator().approvals(50).faults(faults)).await;
    let client = common::client(&emu).timeout(Duration::from_millis(400)).build().unwrap();
    let details: Vec<_> = client.approvals().details(ids_range(&emu), []).try_collect().await.unwrap();
    assert_eq!(details.len(), 50);
    assert!(client.stats().retries > 0);
}

/// 10% mixed faults of every kind over thousands of records: none lost, none duplicated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_with_ten_percent_mixed_faults_loses_and_duplicates_nothing() {
    let faults =
        Faults { delay_duration: Duration::from_millis(30), include_gettoken: true, ..Faults::uniform(0.10, 2024) };
    let emu = start(emulator().approvals(2000).journals(1200).faults(faults)).await;
    let client = common::client(&emu).concurrency(8).build().unwrap();
    let range = ids_range(&emu);
    let (s, e) = emu.date_range();

    let approvals: Vec<_> = client.approvals().details(range, []).try_collect().await.unwrap();
    let got: Vec<String> = approvals.iter().map(|d| d.sp_no.clone()).collect();
    assert_eq!(got, emu.approval_ids(s, e, &Truth::new()));

    let journals: Vec<_> = client.journals().details(range, []).try_collect().await.unwrap();
    let got: Vec<String> = journals.iter().map(|d| d.journal_uuid.clone()).collect();
    assert_eq!(got, emu.journal_ids(s, e, &JTruth::new()));
    assert_eq!(got.iter().collect::<HashSet<_>>().len(), got.len());

    let legacy: Vec<_> = client.approvals().legacy(range).try_collect().await.unwrap();
    assert_eq!(legacy.iter().map(|f| f.approval.sp_num).collect::<Vec<_>>(), emu.legacy_sp_nums(s, e));

    let faults = emu.fault_counts();
    for kind in FaultKind::ALL {
        assert!(faults.get(kind.name()).copied().unwrap_or(0) > 0, "{kind:?} never injected: {faults:?}");
    }
    let injected: u64 = faults.values().sum();
    assert!(injected > 300, "{injected}");
    assert!(approvals.len() + journals.len() >= 3000);
}
