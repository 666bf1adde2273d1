//! The two sides of the wire, built independently, agree: every record the emulator renders
//! (from its own doc-derived JSON templates, not from wecom-models) deserializes into the
//! typed models and serializes back exactly as it came, and the drift walk finds in it only the
//! novelties the emulator sends on purpose (an unknown status, an unknown control kind).

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wecom_emulator::{ApprovalFilter, Emulator, JournalFilter};
use wecom_models::approval::{ApprovalDetail, LegacyApproval};
use wecom_models::drift::{self, DriftKind, Inspect};
use wecom_models::journal::JournalRecord;

fn round_trip<T: DeserializeOwned + Serialize + Inspect>(what: &str, wire: &Value) -> T {
    let typed: T = serde_json::from_value(wire.clone()).unwrap_or_else(|e| panic!("{what}: {e}\n{wire}"));
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(&back, wire, "{what} changed on the way through");
    for f in drift::collect::<T>(wire) {
        let on_purpose = match f.kind {
            DriftKind::UnknownEnumValue => f.value == Some(serde_json::json!(99)),
            DriftKind::UnknownKind => f.value == Some(serde_json::json!("PhoneNumber")),
            _ => false,
        };
        assert!(on_purpose, "{what}: the emulator sends what the spec does not know: {f:?}");
    }
    typed
}

#[test]
fn every_emulated_record_round_trips_through_the_models() {
    let emu = Emulator::builder().seed(99).approvals(1500).journals(800).start_blocking().unwrap();
    let (s, e) = emu.date_range();

    let mut tags = std::collections::BTreeSet::new();
    let mut unknown_tags = 0;
    let mut unknown_status = 0;
    for sp_no in emu.approval_ids(s, e, &ApprovalFilter::new()) {
        let wire = emu.approval_detail(&sp_no).unwrap();
        let d: ApprovalDetail = round_trip(&sp_no, &wire);
        for c in d.apply_data.walk() {
            tags.insert(c.value.tag().to_string());
            if c.value.is_unknown() {
                unknown_tags += 1;
            }
        }
        if !d.sp_status.is_known() {
            unknown_status += 1;
        }
        if let Some(legacy) = emu.legacy_record(&sp_no) {
            let l: LegacyApproval = round_trip(&format!("legacy {sp_no}"), &legacy);
            let items = l.comm.expect("legacy forms carry comm").items().expect("both apply_data forms parse");
            assert!(!items.is_empty(), "{sp_no}");
        }
    }
    for tag in wecom_tests::APPROVAL_CONTROL_TAGS {
        assert!(tags.contains(tag), "no {tag} control in the emulated approvals: {tags:?}");
    }
    assert!(unknown_tags > 0 && unknown_status > 0, "unknown kinds and statuses occur and parse");

    let mut journal_tags = std::collections::BTreeSet::new();
    for uuid in emu.journal_ids(s, e, &JournalFilter::new()) {
        let wire = emu.journal_detail(&uuid).unwrap();
        let r: JournalRecord = round_trip(&uuid, &wire);
        if let Some(data) = &r.apply_data {
            journal_tags.extend(data.walk().iter().map(|c| c.value.tag().to_string()));
        }
    }
    assert!(journal_tags.contains("Doc") && journal_tags.contains("WedriveFile"), "{journal_tags:?}");
}
