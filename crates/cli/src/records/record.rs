//! The kinds of records and what every record can do: its key, its JSON line, its columns.

use super::columns::{ChildTable, Column};
use crate::mirror::Progress;

/// The kinds of records the CLI writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Approval forms (getapprovaldetail), keyed by `sp_no`.
    Approvals,
    /// Journal records (get_record_detail), keyed by `journal_uuid`.
    Journals,
    /// Legacy approval data (corp/getapprovaldata), keyed by `sp_num`.
    LegacyApprovals,
    /// Journal statistics cycles, keyed by template and cycle.
    StatCycles,
}

impl Kind {
    /// The SQLite table of the records; also the name used in checkpoints.
    pub fn table(self) -> &'static str {
        match self {
            Kind::Approvals => "approvals",
            Kind::Journals => "journals",
            Kind::LegacyApprovals => "legacy_approvals",
            Kind::StatCycles => "stat_cycles",
        }
    }

    /// What a person calls them, plural.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Approvals => "approvals",
            Kind::Journals => "journals",
            Kind::LegacyApprovals => "legacy approvals",
            Kind::StatCycles => "stat cycles",
        }
    }
}

/// A record the CLI can write in every format.
pub trait Record: Sized + Send + 'static {
    /// Its kind.
    const KIND: Kind;
    /// Its columns, key columns marked: the one list the SQLite table, the upsert and the CSV
    /// header and row come from.
    const COLUMNS: &'static [Column<Self>];
    /// Tables of rows it owns (SQLite only), replaced with it.
    const CHILDREN: &'static [&'static dyn ChildTable<Self>];

    /// The full typed record as one line of JSON.
    fn to_json(&self) -> serde_json::Result<String>;

    /// What only grows over the record's life, for records whose writes are guarded so an older
    /// copy never overwrites a newer one (approval forms; see [`crate::mirror`]). `None`: every
    /// write replaces the stored copy.
    fn progress(&self) -> Option<Progress> {
        None
    }

    /// Its unique key (what upserts and resume go by): the key columns' values joined by `:`.
    fn key(&self) -> String {
        Self::COLUMNS.iter().filter(|c| c.def.key).map(|c| (c.get)(self).raw_text()).collect::<Vec<_>>().join(":")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::tests::sample_approval;

    #[test]
    fn keys_join_the_key_columns() {
        use wecom_models::journal::StatCycle;
        let d = sample_approval();
        assert_eq!(d.key(), "202501010001");
        let c: StatCycle = serde_json::from_value(serde_json::json!({
            "template_id": "tpl", "template_name": "日报", "cycle_begin_time": 100, "cycle_end_time": 200,
            "stat_begin_time": 100, "stat_end_time": 200, "report_list": [], "unreport_list": []
        }))
        .unwrap();
        assert_eq!(c.key(), "tpl:100:200");
    }
}
