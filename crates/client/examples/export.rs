//! Exports two months of approvals and a month of journals from an emulated WeCom on loopback,
//! the way a program would from the real one: real HTTP, tokens, windows, pages and rate limits
//! handled by the client. Checks the result against the emulator's ground truth.
//!
//! ```sh
//! cargo run -p wecom-client --example export
//! ```

use futures::TryStreamExt;
use wecom_client::{Client, TimeRange};
use wecom_emulator::{ApprovalFilter, Emulator, JournalFilter};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let wecom = Emulator::builder().seed(11).approvals(400).journals(200).start().await?;
    let client = Client::builder()
        .base_url(wecom.base_url())
        .corp_id(wecom.corp_id())
        .corp_secret(wecom.corp_secret())
        .record_drift(true)
        .build()?;

    // 2025-01-01 .. 2025-02-28 (UTC+8): longer than getapprovalinfo's 31 days, so two windows.
    let (start, end) = (1_735_660_800, 1_740_758_399);
    let details: Vec<_> = client.approvals().details(TimeRange::new(start, end)?, []).try_collect().await?;
    for d in details.iter().take(3) {
        let by = d.applyer.as_ref().map_or("?", |a| a.userid.as_str());
        println!("{} {} {:?} by {by}", d.sp_no, d.sp_name, d.sp_status);
    }
    let mut got: Vec<_> = details.iter().map(|d| d.sp_no.clone()).collect();
    let mut expected = wecom.approval_ids(start as i64, end as i64, &ApprovalFilter::new());
    got.sort();
    expected.sort();
    println!("… {} approvals in January and February", got.len());
    assert!(!got.is_empty());
    assert_eq!(got, expected, "every form exactly once");

    // Journal record ids of January.
    let january = TimeRange::new(start, 1_738_339_199)?;
    let mut journals: Vec<String> = client.journals().ids(january, []).try_collect().await?;
    let mut expected = wecom.journal_ids(start as i64, 1_738_339_199, &JournalFilter::new());
    journals.sort();
    expected.sort();
    println!("{} journal records in January", journals.len());
    assert_eq!(journals, expected);

    let stats = client.stats();
    println!(
        "{} calls, {} pages, {} windows, {} retries, {} token fetch(es)",
        stats.calls, stats.pages, stats.windows, stats.retries, stats.token_fetches
    );
    assert_eq!(stats.token_fetches, 1);
    // What the answers carried that this version's spec does not know (the emulator's dataset
    // has a few such values, as WeCom does), each with the spec file to edit.
    for f in client.drift().expect("drift recording is on").findings() {
        println!("drift: {:?} {:?} at {} ({}, {}×)", f.kind, f.value, f.path, f.spec_file, f.count);
        assert!(f.count > 0 && f.spec_file.starts_with("api-spec/"), "{f:?}");
    }
    Ok(())
}
