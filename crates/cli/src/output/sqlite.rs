//! SQLite: records, their form fields, approval nodes and comments, upserted by key, committed
//! in batches, plus checkpoints of the ranges fully exported (what makes re-runs resume).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};
use wecom_client::LegacyForm;
use wecom_models::approval::ApprovalDetail;
use wecom_models::journal::{JournalRecord, StatCycle};

use crate::dates::{cst, format_cst};
use crate::error::{CliError, Result};
use crate::records::{self, Kind, Record};

/// The schema. `json` holds the full typed record (what NDJSON would have); child tables are
/// replaced whenever their record is.
pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS approvals (
    sp_no           TEXT PRIMARY KEY,
    sp_name         TEXT NOT NULL,
    template_id     TEXT NOT NULL,
    applicant       TEXT NOT NULL,
    department      TEXT NOT NULL,
    status          INTEGER NOT NULL,
    status_text     TEXT NOT NULL,
    apply_time      INTEGER NOT NULL,
    apply_time_text TEXT NOT NULL,
    approvers       TEXT NOT NULL,
    cc              TEXT NOT NULL,
    form            TEXT NOT NULL,
    json            TEXT NOT NULL,
    fetched_at      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS approvals_by_time ON approvals (apply_time);
CREATE TABLE IF NOT EXISTS approval_fields (
    sp_no      TEXT NOT NULL,
    idx        INTEGER NOT NULL,
    parent_idx INTEGER,
    row        INTEGER,
    control_id TEXT NOT NULL,
    control    TEXT NOT NULL,
    title      TEXT NOT NULL,
    value_text TEXT NOT NULL,
    PRIMARY KEY (sp_no, idx)
);
CREATE TABLE IF NOT EXISTS approval_nodes (
    sp_no        TEXT NOT NULL,
    node         INTEGER NOT NULL,
    idx          INTEGER NOT NULL,
    node_status  INTEGER NOT NULL,
    approverattr INTEGER,
    approver     TEXT NOT NULL,
    status       INTEGER NOT NULL,
    sptime       INTEGER NOT NULL,
    speech       TEXT NOT NULL,
    PRIMARY KEY (sp_no, node, idx)
);
CREATE TABLE IF NOT EXISTS approval_comments (
    sp_no     TEXT NOT NULL,
    idx       INTEGER NOT NULL,
    commentid TEXT NOT NULL,
    userid    TEXT NOT NULL,
    time      INTEGER NOT NULL,
    content   TEXT NOT NULL,
    PRIMARY KEY (sp_no, idx)
);
CREATE TABLE IF NOT EXISTS journals (
    journal_uuid     TEXT PRIMARY KEY,
    template_name    TEXT NOT NULL,
    template_id      TEXT NOT NULL,
    submitter        TEXT NOT NULL,
    report_time      INTEGER NOT NULL,
    report_time_text TEXT NOT NULL,
    receivers        TEXT NOT NULL,
    read_by          TEXT NOT NULL,
    form             TEXT NOT NULL,
    json             TEXT NOT NULL,
    fetched_at       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS journals_by_time ON journals (report_time);
CREATE TABLE IF NOT EXISTS journal_fields (
    journal_uuid TEXT NOT NULL,
    idx          INTEGER NOT NULL,
    parent_idx   INTEGER,
    row          INTEGER,
    control_id   TEXT NOT NULL,
    control      TEXT NOT NULL,
    title        TEXT NOT NULL,
    value_text   TEXT NOT NULL,
    PRIMARY KEY (journal_uuid, idx)
);
CREATE TABLE IF NOT EXISTS journal_comments (
    journal_uuid TEXT NOT NULL,
    commentid    TEXT NOT NULL,
    tocommentid  TEXT NOT NULL,
    userid       TEXT NOT NULL,
    time         INTEGER NOT NULL,
    content      TEXT NOT NULL,
    PRIMARY KEY (journal_uuid, commentid)
);
CREATE TABLE IF NOT EXISTS legacy_approvals (
    sp_num          INTEGER PRIMARY KEY,
    spname          TEXT NOT NULL,
    apply_name      TEXT NOT NULL,
    apply_org       TEXT NOT NULL,
    apply_user_id   TEXT NOT NULL,
    status          INTEGER NOT NULL,
    apply_time      INTEGER NOT NULL,
    apply_time_text TEXT NOT NULL,
    form            TEXT NOT NULL,
    json            TEXT NOT NULL,
    fetched_at      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS legacy_fields (
    sp_num     INTEGER NOT NULL,
    idx        INTEGER NOT NULL,
    item_id    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    value_text TEXT NOT NULL,
    PRIMARY KEY (sp_num, idx)
);
CREATE TABLE IF NOT EXISTS stat_cycles (
    template_id   TEXT NOT NULL,
    cycle_begin   INTEGER NOT NULL,
    cycle_end     INTEGER NOT NULL,
    template_name TEXT NOT NULL,
    report_type   INTEGER,
    stat_begin    INTEGER NOT NULL,
    stat_end      INTEGER NOT NULL,
    reported      INTEGER NOT NULL,
    unreported    INTEGER NOT NULL,
    late          INTEGER NOT NULL,
    json          TEXT NOT NULL,
    fetched_at    TEXT NOT NULL,
    PRIMARY KEY (template_id, cycle_begin, cycle_end)
);
CREATE TABLE IF NOT EXISTS checkpoints (
    kind         TEXT NOT NULL,
    filters      TEXT NOT NULL,
    start        INTEGER NOT NULL,
    end          INTEGER NOT NULL,
    completed_at TEXT NOT NULL,
    PRIMARY KEY (kind, filters, start, end)
);
";

/// The schema version written to `meta`.
pub const SCHEMA_VERSION: &str = "1";

/// A SQLite output: upserts in batched transactions, checkpoints, resume queries.
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    batch: usize,
    pending: usize,
    in_tx: bool,
}

impl SqliteStore {
    /// Opens or creates the database and its tables.
    pub fn open(path: &Path, batch: usize) -> Result<SqliteStore> {
        let conn = Connection::open(path)
            .map_err(|e| CliError::runtime(format!("cannot open {} as SQLite: {e}", path.display())))?;
        let store = SqliteStore { conn, path: path.to_owned(), batch: batch.max(1), pending: 0, in_tx: false };
        store
            .conn
            .busy_timeout(std::time::Duration::from_secs(10))
            .and_then(|_| store.conn.pragma_update(None, "journal_mode", "WAL"))
            .and_then(|_| store.conn.pragma_update(None, "synchronous", "NORMAL"))
            .and_then(|_| store.conn.execute_batch(SCHEMA))
            .and_then(|_| {
                store
                    .conn
                    .execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?1)", [SCHEMA_VERSION])
            })
            .map_err(|e| store.error("set up", e))?;
        Ok(store)
    }

    fn error(&self, what: &str, e: rusqlite::Error) -> CliError {
        CliError::runtime(format!("SQLite {}: cannot {what}: {e}", self.path.display()))
    }

    /// The connection (read-only use: queries in tests and summaries).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Ties the database to one corp: a file holding another corp's data is refused, so two
    /// companies never mix in one database.
    pub fn bind_corp(&mut self, corp_id: &str) -> Result<()> {
        let existing: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'corp_id'", [], |r| r.get(0))
            .optional()
            .map_err(|e| self.error("read meta", e))?;
        match existing {
            Some(id) if id == corp_id => Ok(()),
            Some(id) => Err(CliError::usage(format!(
                "{} holds data of corp {id}, not {corp_id}: use another --out file",
                self.path.display()
            ))),
            None => self
                .conn
                .execute("INSERT INTO meta (key, value) VALUES ('corp_id', ?1)", [corp_id])
                .map(|_| ())
                .map_err(|e| self.error("write meta", e)),
        }
    }

    /// Upserts a record; commits every `batch` records.
    pub fn write<R: Record>(&mut self, record: &R) -> Result<()> {
        if !self.in_tx {
            self.conn.execute_batch("BEGIN IMMEDIATE").map_err(|e| self.error("begin a transaction", e))?;
            self.in_tx = true;
        }
        record.upsert(&self.conn).map_err(|e| self.error(&format!("store {}", record.key()), e))?;
        self.pending += 1;
        if self.pending >= self.batch {
            self.commit()?;
        }
        Ok(())
    }

    /// Commits the open batch.
    pub fn commit(&mut self) -> Result<()> {
        if self.in_tx {
            self.conn.execute_batch("COMMIT").map_err(|e| self.error("commit", e))?;
            self.in_tx = false;
            self.pending = 0;
        }
        Ok(())
    }

    /// The keys already stored for a kind.
    pub fn existing_keys(&self, kind: Kind) -> Result<HashSet<String>> {
        let sql = format!("SELECT CAST({} AS TEXT) FROM {}", kind.key_column(), kind.table());
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.error("read keys", e))?;
        let keys = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<HashSet<String>>>())
            .map_err(|e| self.error("read keys", e))?;
        Ok(keys)
    }

    /// Rows of a kind.
    pub fn count(&self, kind: Kind) -> Result<u64> {
        self.conn
            .query_row(&format!("SELECT COUNT(*) FROM {}", kind.table()), [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|e| self.error("count rows", e))
    }

    /// Inclusive ranges already fully exported for `kind` with these filters; an export without
    /// filters covers every filtered one too.
    pub fn covered(&self, kind: Kind, filters: &str) -> Result<Vec<(u64, u64)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT start, end FROM checkpoints WHERE kind = ?1 AND (filters = ?2 OR filters = '')")
            .map_err(|e| self.error("read checkpoints", e))?;
        let ranges = stmt
            .query_map(params![kind.table(), filters], |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.error("read checkpoints", e))?;
        Ok(merge(ranges))
    }

    /// Records that `[start, end]` was fully exported (merged with touching ranges).
    pub fn add_checkpoint(&mut self, kind: Kind, filters: &str, start: u64, end: u64) -> Result<()> {
        self.commit()?;
        let run = || -> rusqlite::Result<()> {
            let tx = self.conn.unchecked_transaction()?;
            let mut existing: Vec<(u64, u64)> = {
                let mut stmt = tx.prepare("SELECT start, end FROM checkpoints WHERE kind = ?1 AND filters = ?2")?;
                stmt.query_map(params![kind.table(), filters], |r| {
                    Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?
            };
            existing.push((start, end));
            tx.execute("DELETE FROM checkpoints WHERE kind = ?1 AND filters = ?2", params![kind.table(), filters])?;
            let now = now_text();
            for (s, e) in merge(existing) {
                tx.execute(
                    "INSERT INTO checkpoints (kind, filters, start, end, completed_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![kind.table(), filters, s as i64, e as i64, now],
                )?;
            }
            tx.commit()
        };
        run().map_err(|e| self.error("write the checkpoint", e))
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        // Every upsert in the open batch is complete: keep them whatever made us stop.
        if self.in_tx {
            let _ = self.conn.execute_batch("COMMIT");
        }
    }
}

/// Merges inclusive ranges that overlap or touch.
pub fn merge(mut ranges: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    ranges.retain(|(s, e)| s <= e);
    ranges.sort_unstable();
    let mut out: Vec<(u64, u64)> = Vec::with_capacity(ranges.len());
    for (s, e) in ranges {
        match out.last_mut() {
            Some(last) if s <= last.1.saturating_add(1) => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// The parts of the inclusive range `[start, end]` not inside any of `covered` (merged).
pub fn uncovered(start: u64, end: u64, covered: &[(u64, u64)]) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let mut cursor = start;
    for &(s, e) in covered {
        if e < cursor || s > end {
            continue;
        }
        if s > cursor {
            out.push((cursor, s - 1));
        }
        cursor = e.saturating_add(1);
        if cursor > end {
            return out;
        }
    }
    if cursor <= end {
        out.push((cursor, end));
    }
    out
}

fn now_text() -> String {
    chrono::Utc::now().with_timezone(&cst()).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// `INSERT … ON CONFLICT (key) DO UPDATE SET every other column`.
fn upsert_sql(table: &str, key: &[&str], columns: &[&str]) -> String {
    let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
    let updates: Vec<String> =
        columns.iter().filter(|c| !key.contains(c)).map(|c| format!("{c} = excluded.{c}")).collect();
    format!(
        "INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET {}",
        columns.join(", "),
        placeholders.join(", "),
        key.join(", "),
        updates.join(", ")
    )
}

fn write_fields(
    conn: &Connection,
    table: &str,
    key_col: &str,
    key: &str,
    rows: &[records::FieldRow],
) -> rusqlite::Result<()> {
    conn.prepare_cached(&format!("DELETE FROM {table} WHERE {key_col} = ?1"))?.execute([key])?;
    let mut insert = conn.prepare_cached(&format!(
        "INSERT INTO {table} ({key_col}, idx, parent_idx, row, control_id, control, title, value_text) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    ))?;
    for f in rows {
        insert.execute(params![key, f.idx, f.parent_idx, f.row, f.control_id, f.control, f.title, f.value_text])?;
    }
    Ok(())
}

fn json_of<T: serde::Serialize>(v: &T) -> rusqlite::Result<String> {
    serde_json::to_string(v).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// Upserts an approval form and replaces its fields, nodes and comments.
pub fn upsert_approval(conn: &Connection, d: &ApprovalDetail) -> rusqlite::Result<()> {
    const COLUMNS: &[&str] = &[
        "sp_no",
        "sp_name",
        "template_id",
        "applicant",
        "department",
        "status",
        "status_text",
        "apply_time",
        "apply_time_text",
        "approvers",
        "cc",
        "form",
        "json",
        "fetched_at",
    ];
    conn.prepare_cached(&upsert_sql("approvals", &["sp_no"], COLUMNS))?.execute(params![
        d.sp_no,
        d.sp_name,
        d.template_id,
        d.applicant_userids(),
        records::approval_department(d),
        d.sp_status.code(),
        records::status_text(d.sp_status),
        d.apply_time,
        format_cst(d.apply_time),
        records::approvers_text(d),
        d.notifyer.iter().map(|u| u.userid.as_str()).collect::<Vec<_>>().join(", "),
        records::form_text(&d.apply_data),
        json_of(d)?,
        now_text(),
    ])?;
    write_fields(conn, "approval_fields", "sp_no", &d.sp_no, &records::field_rows(&d.apply_data))?;
    conn.prepare_cached("DELETE FROM approval_nodes WHERE sp_no = ?1")?.execute([&d.sp_no])?;
    let mut node_insert = conn.prepare_cached(
        "INSERT INTO approval_nodes (sp_no, node, idx, node_status, approverattr, approver, status, sptime, speech) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (n, node) in d.sp_record.iter().enumerate() {
        for (i, a) in node.details.iter().enumerate() {
            node_insert.execute(params![
                d.sp_no,
                n as i64,
                i as i64,
                node.sp_status.code(),
                node.approverattr.map(|x| x.code()),
                a.approver.userid,
                a.sp_status.code(),
                a.sptime,
                a.speech
            ])?;
        }
    }
    conn.prepare_cached("DELETE FROM approval_comments WHERE sp_no = ?1")?.execute([&d.sp_no])?;
    let mut comment_insert = conn.prepare_cached(
        "INSERT INTO approval_comments (sp_no, idx, commentid, userid, time, content) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (i, c) in d.comments.iter().enumerate() {
        comment_insert.execute(params![
            d.sp_no,
            i as i64,
            c.commentid,
            c.comment_user_info.userid,
            c.commenttime,
            c.commentcontent
        ])?;
    }
    Ok(())
}

/// Upserts a journal record and replaces its fields and comments.
pub fn upsert_journal(conn: &Connection, j: &JournalRecord) -> rusqlite::Result<()> {
    const COLUMNS: &[&str] = &[
        "journal_uuid",
        "template_name",
        "template_id",
        "submitter",
        "report_time",
        "report_time_text",
        "receivers",
        "read_by",
        "form",
        "json",
        "fetched_at",
    ];
    let users =
        |u: &[wecom_models::common::UserRef]| u.iter().map(|u| u.userid.as_str()).collect::<Vec<_>>().join(", ");
    conn.prepare_cached(&upsert_sql("journals", &["journal_uuid"], COLUMNS))?.execute(params![
        j.journal_uuid,
        j.template_name,
        j.template_id.clone().unwrap_or_default(),
        j.submitter.userid,
        j.report_time,
        format_cst(j.report_time),
        users(&j.receivers),
        users(&j.readed_receivers),
        records::journal_form_text(j),
        json_of(j)?,
        now_text(),
    ])?;
    let fields = j.apply_data.as_ref().map(records::field_rows).unwrap_or_default();
    write_fields(conn, "journal_fields", "journal_uuid", &j.journal_uuid, &fields)?;
    conn.prepare_cached("DELETE FROM journal_comments WHERE journal_uuid = ?1")?.execute([&j.journal_uuid])?;
    let mut insert = conn.prepare_cached(
        "INSERT OR REPLACE INTO journal_comments (journal_uuid, commentid, tocommentid, userid, time, content) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for c in &j.comments {
        // Comment ids pass 2^53 (and may pass i64): kept exact as text.
        insert.execute(params![
            j.journal_uuid,
            c.commentid.to_string(),
            c.tocommentid.to_string(),
            c.comment_userinfo.userid,
            c.comment_time,
            c.content
        ])?;
    }
    Ok(())
}

/// Upserts a legacy form and replaces its items.
pub fn upsert_legacy(conn: &Connection, f: &LegacyForm, json: &str) -> rusqlite::Result<()> {
    const COLUMNS: &[&str] = &[
        "sp_num",
        "spname",
        "apply_name",
        "apply_org",
        "apply_user_id",
        "status",
        "apply_time",
        "apply_time_text",
        "form",
        "json",
        "fetched_at",
    ];
    let a = &f.approval;
    let sp_num = i64::try_from(a.sp_num).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    conn.prepare_cached(&upsert_sql("legacy_approvals", &["sp_num"], COLUMNS))?.execute(params![
        sp_num,
        a.spname,
        a.apply_name,
        a.apply_org,
        a.apply_user_id,
        a.sp_status.code(),
        a.apply_time,
        format_cst(a.apply_time),
        records::legacy_form_text(f),
        json,
        now_text(),
    ])?;
    conn.prepare_cached("DELETE FROM legacy_fields WHERE sp_num = ?1")?.execute([sp_num])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO legacy_fields (sp_num, idx, item_id, kind, title, value_text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (i, item) in f.items.iter().enumerate() {
        insert.execute(params![
            sp_num,
            i as i64,
            item.id,
            item.kind,
            item.title,
            records::legacy_value_text(&item.value)
        ])?;
    }
    Ok(())
}

/// Upserts a statistics cycle.
pub fn upsert_stat_cycle(conn: &Connection, c: &StatCycle) -> rusqlite::Result<()> {
    const COLUMNS: &[&str] = &[
        "template_id",
        "cycle_begin",
        "cycle_end",
        "template_name",
        "report_type",
        "stat_begin",
        "stat_end",
        "reported",
        "unreported",
        "late",
        "json",
        "fetched_at",
    ];
    conn.prepare_cached(&upsert_sql("stat_cycles", &["template_id", "cycle_begin", "cycle_end"], COLUMNS))?.execute(
        params![
            c.template_id,
            c.cycle_begin_time as i64,
            c.cycle_end_time as i64,
            c.template_name,
            c.report_type.map(|t| t.code()),
            c.stat_begin_time as i64,
            c.stat_end_time as i64,
            c.report_list.len() as i64,
            c.unreport_list.len() as i64,
            records::late_users(c) as i64,
            json_of(c)?,
            now_text(),
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::tests::sample_approval;

    fn count(conn: &Connection, table: &str) -> i64 {
        conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn upserts_replace_children_and_never_duplicate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite");
        let mut store = SqliteStore::open(&path, 2).unwrap();
        let mut d = sample_approval();
        store.write(&d).unwrap();
        store.write(&d).unwrap();
        d.comments.clear();
        store.write(&d).unwrap();
        store.commit().unwrap();
        let c = store.connection();
        assert_eq!(count(c, "approvals"), 1);
        assert_eq!(count(c, "approval_fields"), 6);
        assert_eq!(count(c, "approval_nodes"), 3);
        assert_eq!(count(c, "approval_comments"), 0, "children follow the latest version");
        let (status, json): (i64, String) =
            c.query_row("SELECT status, json FROM approvals", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        assert_eq!(status, 2);
        let back: ApprovalDetail = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d);
        assert_eq!(store.existing_keys(Kind::Approvals).unwrap(), HashSet::from(["202501010001".to_string()]));
    }

    #[test]
    fn an_open_batch_is_committed_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite");
        {
            let mut store = SqliteStore::open(&path, 1000).unwrap();
            store.write(&sample_approval()).unwrap();
        }
        let store = SqliteStore::open(&path, 1000).unwrap();
        assert_eq!(store.count(Kind::Approvals).unwrap(), 1);
    }

    #[test]
    fn the_database_belongs_to_one_corp() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(&dir.path().join("t.db"), 10).unwrap();
        store.bind_corp("ww1").unwrap();
        store.bind_corp("ww1").unwrap();
        let e = store.bind_corp("ww2").unwrap_err();
        assert!(e.message().contains("holds data of corp ww1"), "{e}");
    }

    #[test]
    fn checkpoints_merge_and_cover() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(&dir.path().join("t.db"), 10).unwrap();
        store.add_checkpoint(Kind::Approvals, "", 100, 199).unwrap();
        store.add_checkpoint(Kind::Approvals, "", 200, 299).unwrap();
        store.add_checkpoint(Kind::Approvals, r#"{"creator":"a"}"#, 500, 599).unwrap();
        store.add_checkpoint(Kind::Journals, "", 0, 1000).unwrap();
        assert_eq!(store.covered(Kind::Approvals, "").unwrap(), [(100, 299)]);
        assert_eq!(store.covered(Kind::Approvals, r#"{"creator":"a"}"#).unwrap(), [(100, 299), (500, 599)]);
        assert_eq!(store.covered(Kind::Approvals, r#"{"creator":"b"}"#).unwrap(), [(100, 299)]);
        assert_eq!(count(store.connection(), "checkpoints"), 3);
    }

    #[test]
    fn uncovered_parts_of_a_range() {
        assert_eq!(uncovered(0, 100, &[]), [(0, 100)]);
        assert_eq!(uncovered(0, 100, &[(0, 100)]), []);
        assert_eq!(uncovered(0, 100, &[(0, 49)]), [(50, 100)]);
        assert_eq!(uncovered(0, 100, &[(10, 19), (30, 39)]), [(0, 9), (20, 29), (40, 100)]);
        assert_eq!(uncovered(50, 60, &[(0, 10), (70, 80)]), [(50, 60)]);
        assert_eq!(uncovered(50, 60, &[(0, 55)]), [(56, 60)]);
        assert_eq!(merge(vec![(5, 6), (0, 4), (8, 9), (2, 3)]), [(0, 6), (8, 9)]);
    }
}
