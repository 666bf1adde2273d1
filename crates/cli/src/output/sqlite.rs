//! SQLite: records, their form fields, approval nodes and comments, upserted by key and
//! committed in batches, plus the storage of checkpoints (the rules are `crate::checkpoint`'s).
//!
//! Every table is derived from the records' column tables; this module adds only what is
//! storage: `json` and `fetched_at` on each record table, indexes, `meta` and `checkpoints`,
//! and the mirror's tables ([`MIRROR_SCHEMA`]: the version of each stored form, the callback
//! inbox and the event log of `wecom approvals sync`), so an export and a sync can share a file.
//! Approval forms are written through [`guarded_upsert`]: an older detail never replaces a
//! newer one ([`crate::mirror`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::types::{ToSqlOutput, Value};
use rusqlite::{Connection, OpenFlags, OptionalExtension, ToSql, params, params_from_iter};
use wecom_client::LegacyForm;
use wecom_models::approval::ApprovalDetail;
use wecom_models::journal::{JournalRecord, StatCycle};

use crate::dates::cst;
use crate::error::{CliError, Result};
use crate::mirror::{Clock, Decision, Progress, Stamp, Version, decide};
use crate::records::{Cell, ColumnDef, Kind, Record, text};

/// The schema version written to `meta`.
pub const SCHEMA_VERSION: &str = "1";

const META: &str = "CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
";

const INDEXES: &str = "CREATE INDEX IF NOT EXISTS approvals_by_time ON approvals (apply_time);
CREATE INDEX IF NOT EXISTS journals_by_time ON journals (report_time);
";

const CHECKPOINTS: &str = "CREATE TABLE IF NOT EXISTS checkpoints (
    kind         TEXT NOT NULL,
    filters      TEXT NOT NULL,
    start        INTEGER NOT NULL,
    end          INTEGER NOT NULL,
    completed_at TEXT NOT NULL,
    PRIMARY KEY (kind, filters, start, end)
);
";

/// The mirror's tables, created in every database (`IF NOT EXISTS`, so files written by earlier
/// versions gain them when opened):
///
/// - `approval_versions`: for each stored form, the stamp and progress of the detail stored
///   ([`crate::mirror`]); the guard of every approval write.
/// - `callback_inbox`: every callback event `sync` accepted, written before WeCom got its 200,
///   keyed by the SHA-256 of the decrypted plaintext (a repeat is a no-op, across restarts too);
///   `state` is `pending` until its form's detail is stored, then `done`; `ignored` for events
///   that name no approval form (other events, XML that could not be typed: kept with the
///   `error`); `failed` when WeCom refused the form's detail (retried by the next run).
/// - `approval_events`: the event log, one row per callback event applied (`key` unique: an
///   event is applied once) and per reconcile re-read that changed a form (`key` NULL); what the
///   event said, the form's status after, and whether the fetched detail was `stored` or the
///   mirror `kept` a newer one.
pub const MIRROR_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS approval_versions (
    sp_no    TEXT PRIMARY KEY,
    stamp    INTEGER NOT NULL,
    closed   INTEGER NOT NULL,
    acted    INTEGER NOT NULL,
    comments INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS callback_inbox (
    key          TEXT PRIMARY KEY,
    event        TEXT NOT NULL,
    sp_no        TEXT,
    change_event INTEGER,
    event_status INTEGER,
    create_time  INTEGER,
    xml          TEXT NOT NULL,
    error        TEXT,
    state        TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    received_at  TEXT NOT NULL,
    done_at      TEXT
);
CREATE INDEX IF NOT EXISTS callback_inbox_by_state ON callback_inbox (state, sp_no);
CREATE TABLE IF NOT EXISTS approval_events (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    key          TEXT UNIQUE,
    source       TEXT NOT NULL,
    sp_no        TEXT NOT NULL,
    change_event INTEGER,
    event_status INTEGER,
    create_time  INTEGER,
    status       INTEGER NOT NULL,
    outcome      TEXT NOT NULL,
    fetch_stamp  INTEGER NOT NULL,
    applied_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS approval_events_by_form ON approval_events (sp_no, seq);
";

/// The full typed record, as NDJSON would have it.
const JSON: ColumnDef = text("json").sqlite_only();
/// When the record was stored (RFC 3339, UTC+8).
const FETCHED_AT: ColumnDef = text("fetched_at").sqlite_only();

/// The columns of the table of records `R`: its SQLite columns, then `json` and `fetched_at`.
pub fn record_columns<R: Record>() -> Vec<&'static ColumnDef> {
    let mut cols: Vec<&'static ColumnDef> = R::COLUMNS.iter().map(|c| &c.def).filter(|d| d.in_sqlite()).collect();
    cols.extend([&JSON, &FETCHED_AT]);
    cols
}

/// The key columns of records `R`.
fn key_columns<R: Record>() -> Vec<&'static ColumnDef> {
    R::COLUMNS.iter().map(|c| &c.def).filter(|d| d.key).collect()
}

/// Every table of records `R` (the record table first, then its child tables), with columns.
pub fn tables<R: Record>() -> Vec<(&'static str, Vec<&'static ColumnDef>)> {
    let mut out = vec![(R::KIND.table(), record_columns::<R>())];
    for child in R::CHILDREN {
        let mut cols = key_columns::<R>();
        cols.extend(child.columns());
        out.push((child.table(), cols));
    }
    out
}

/// `CREATE TABLE IF NOT EXISTS`: a single key column is the inline `PRIMARY KEY`, several are a
/// table constraint (their columns `NOT NULL`).
fn create_table(name: &str, columns: &[&ColumnDef]) -> String {
    let keys: Vec<&str> = columns.iter().filter(|c| c.key).map(|c| c.name).collect();
    let width = columns.iter().map(|c| c.name.len()).max().unwrap_or(0);
    let mut lines: Vec<String> = columns
        .iter()
        .map(|c| {
            let constraint = match (c.key, keys.len(), c.nullable) {
                (true, 1, _) => " PRIMARY KEY",
                (_, _, true) => "",
                _ => " NOT NULL",
            };
            format!("    {:width$} {}{constraint}", c.name, c.ty.sql())
        })
        .collect();
    if keys.len() > 1 {
        lines.push(format!("    PRIMARY KEY ({})", keys.join(", ")));
    }
    format!("CREATE TABLE IF NOT EXISTS {name} (\n{}\n);\n", lines.join(",\n"))
}

/// The whole schema: `meta`, every kind's tables, indexes and `checkpoints`.
pub fn schema() -> String {
    let mut sql = String::from(META);
    let all = [tables::<ApprovalDetail>(), tables::<JournalRecord>(), tables::<LegacyForm>(), tables::<StatCycle>()];
    for (name, columns) in all.iter().flatten() {
        sql.push_str(&create_table(name, columns));
    }
    sql.push_str(INDEXES);
    sql.push_str(CHECKPOINTS);
    sql
}

impl ToSql for Cell {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Cell::Null => ToSqlOutput::Owned(Value::Null),
            Cell::Text(s) => ToSqlOutput::from(s.as_str()),
            Cell::Int(n) | Cell::Time(n) => ToSqlOutput::from(*n),
            Cell::UInt(n) => {
                ToSqlOutput::from(i64::try_from(*n).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?)
            }
        })
    }
}

fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ")
}

fn names(columns: &[&ColumnDef]) -> String {
    columns.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
}

/// `INSERT … ON CONFLICT (key) DO UPDATE SET every other column`.
pub fn upsert_sql(table: &str, columns: &[&ColumnDef]) -> String {
    let key: Vec<&str> = columns.iter().filter(|c| c.key).map(|c| c.name).collect();
    let updates: Vec<String> =
        columns.iter().filter(|c| !c.key).map(|c| format!("{0} = excluded.{0}", c.name)).collect();
    format!(
        "INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET {}",
        names(columns),
        placeholders(columns.len()),
        key.join(", "),
        updates.join(", ")
    )
}

/// A child row's insert; a key a record repeats (WeCom may send a comment twice) keeps the last.
pub fn insert_sql(table: &str, columns: &[&ColumnDef]) -> String {
    format!("INSERT OR REPLACE INTO {table} ({}) VALUES ({})", names(columns), placeholders(columns.len()))
}

/// `a = ?1 AND b = ?2` over the key columns.
fn key_match(keys: &[&ColumnDef]) -> String {
    keys.iter().enumerate().map(|(i, c)| format!("{} = ?{}", c.name, i + 1)).collect::<Vec<_>>().join(" AND ")
}

/// Inserts or updates a record and replaces its child rows, on `conn` (inside the caller's
/// transaction, so a record and its children land together).
pub fn upsert<R: Record>(conn: &Connection, record: &R) -> rusqlite::Result<()> {
    let json = record.to_json().map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let mut values: Vec<Cell> = R::COLUMNS.iter().filter(|c| c.def.in_sqlite()).map(|c| (c.get)(record)).collect();
    values.extend([Cell::Text(json), Cell::Text(now_text())]);
    conn.prepare_cached(&upsert_sql(R::KIND.table(), &record_columns::<R>()))?.execute(params_from_iter(&values))?;

    let keys = key_columns::<R>();
    let key: Vec<Cell> = R::COLUMNS.iter().filter(|c| c.def.key).map(|c| (c.get)(record)).collect();
    for child in R::CHILDREN {
        let table = child.table();
        conn.prepare_cached(&format!("DELETE FROM {table} WHERE {}", key_match(&keys)))?
            .execute(params_from_iter(&key))?;
        let mut columns = keys.clone();
        columns.extend(child.columns());
        let mut insert = conn.prepare_cached(&insert_sql(table, &columns))?;
        for row in child.rows(record) {
            insert.execute(params_from_iter(key.iter().chain(&row)))?;
        }
    }
    Ok(())
}

/// What a guarded write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Stored, or the stored copy kept (it is newer).
    pub decision: Decision,
    /// The record was stored and differs from what was stored before (or nothing was).
    pub changed: bool,
    /// The `status` column of the row after the write (`None` if the record has no such column).
    pub status: Option<i64>,
}

fn stored_version(conn: &Connection, key: &str) -> rusqlite::Result<Option<Version>> {
    conn.prepare_cached("SELECT stamp, closed, acted, comments FROM approval_versions WHERE sp_no = ?1")?
        .query_row([key], |r| {
            Ok(Version {
                stamp: r.get(0)?,
                progress: Progress { closed: r.get::<_, i64>(1)? != 0, acted: r.get(2)?, comments: r.get(3)? },
            })
        })
        .optional()
}

/// Writes a record whose copies are ordered ([`Record::progress`]) only if it is newer than
/// the stored copy ([`crate::mirror::decide`] on `stamp`, when its fetch started, and its
/// progress), on `conn` inside the caller's transaction; records without progress are plain
/// upserts. The form's version row is written with it.
pub fn guarded_upsert<R: Record>(conn: &Connection, record: &R, stamp: Stamp) -> rusqlite::Result<Applied> {
    let Some(progress) = record.progress() else {
        upsert(conn, record)?;
        return Ok(Applied { decision: Decision::Store, changed: true, status: None });
    };
    let key = record.key();
    let table = R::KIND.table();
    let key_column = key_columns::<R>().first().map_or("sp_no", |c| c.name);
    let new = Version { stamp, progress };
    let previous: Option<(String, i64)> = conn
        .prepare_cached(&format!("SELECT json, status FROM {table} WHERE {key_column} = ?1"))?
        .query_row([&key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    // A row written before versions were kept is older than any fetch now.
    let stored = match previous {
        Some(_) => stored_version(conn, &key)?,
        None => None,
    };
    match decide(new, stored) {
        Decision::Keep => {
            Ok(Applied { decision: Decision::Keep, changed: false, status: previous.map(|(_, status)| status) })
        }
        Decision::Store => {
            let json = record.to_json().map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
            let changed = previous.as_ref().is_none_or(|(old, _)| *old != json);
            upsert(conn, record)?;
            conn.prepare_cached(
                "INSERT INTO approval_versions (sp_no, stamp, closed, acted, comments) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (sp_no) DO UPDATE SET stamp = excluded.stamp, closed = excluded.closed, \
                 acted = excluded.acted, comments = excluded.comments",
            )?
            .execute(params![key, stamp, progress.closed, progress.acted, progress.comments])?;
            let status = conn
                .prepare_cached(&format!("SELECT status FROM {table} WHERE {key_column} = ?1"))?
                .query_row([&key], |r| r.get(0))
                .optional()?;
            Ok(Applied { decision: Decision::Store, changed, status })
        }
    }
}

/// The largest stamp stored: a new run's [`Clock`] starts above it.
pub fn max_stamp(conn: &Connection) -> rusqlite::Result<Stamp> {
    conn.query_row("SELECT COALESCE(MAX(stamp), 0) FROM approval_versions", [], |r| r.get(0))
}

/// Opens a connection to the database the way every writer of this crate does: WAL, a busy
/// timeout (other writers hold the lock for one short transaction at a time), `synchronous`
/// as given (`NORMAL`: a commit survives the process being killed; `FULL`: a power cut too).
pub fn connect(path: &Path, synchronous: &str) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", synchronous)?;
    Ok(conn)
}

/// `SELECT 1 … WHERE key = ?1` for records with a one-column key (the kinds exports list by id).
fn lookup_sql<R: Record>() -> Result<String> {
    match key_columns::<R>()[..] {
        [key] => Ok(format!("SELECT 1 FROM {} WHERE {} = ?1", R::KIND.table(), key.name)),
        _ => Err(CliError::runtime(format!("{} have a composite key: they cannot be looked up by id", R::KIND.noun()))),
    }
}

fn is_stored(conn: &Connection, sql: &str, key: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached(sql)?.query_row([key], |_| Ok(())).optional().map(|found| found.is_some())
}

/// A SQLite output: upserts in batched transactions, key lookups, checkpoint storage.
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    batch: usize,
    pending: usize,
    in_tx: bool,
    clock: Arc<Clock>,
}

impl SqliteStore {
    /// Opens or creates the database and its tables; `batch` records go in one transaction.
    pub fn open(path: &Path, batch: usize) -> Result<SqliteStore> {
        let conn = Connection::open(path)
            .map_err(|e| CliError::runtime(format!("cannot open {} as SQLite: {e}", path.display())))?;
        let mut store = SqliteStore {
            conn,
            path: path.to_owned(),
            batch: batch.max(1),
            pending: 0,
            in_tx: false,
            clock: Arc::default(),
        };
        let floor = store
            .conn
            .busy_timeout(std::time::Duration::from_secs(10))
            .and_then(|_| store.conn.pragma_update(None, "journal_mode", "WAL"))
            .and_then(|_| store.conn.pragma_update(None, "synchronous", "NORMAL"))
            .and_then(|_| store.conn.execute_batch(&schema()))
            .and_then(|_| store.conn.execute_batch(MIRROR_SCHEMA))
            .and_then(|_| {
                store
                    .conn
                    .execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?1)", [SCHEMA_VERSION])
            })
            .and_then(|_| max_stamp(&store.conn))
            .map_err(|e| store.error("set up", e))?;
        store.clock = Arc::new(Clock::above(floor));
        Ok(store)
    }

    fn error(&self, what: &str, e: rusqlite::Error) -> CliError {
        sqlite_error(&self.path, what, e)
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

    /// The fetch-start clock of this database's writers (its stamps are above every stamp
    /// stored when the file was opened); share it with every task that fetches for it.
    pub fn clock(&self) -> Arc<Clock> {
        self.clock.clone()
    }

    /// Uses `clock` for stamps from now on (raised above this file's stamps), so several stores
    /// of one run stamp in one order.
    pub fn share_clock(&mut self, clock: Arc<Clock>) {
        clock.raise(self.clock.next());
        self.clock = clock;
    }

    /// Upserts a record (see [`upsert`]), guarded for records with progress as if its fetch
    /// started now; commits every `batch` records.
    pub fn write<R: Record>(&mut self, record: &R) -> Result<()> {
        self.write_fetched(record, None)
    }

    /// [`SqliteStore::write`] for a record whose fetch started at `stamp` (a stamp of
    /// [`SqliteStore::clock`]); `None`: now.
    pub fn write_fetched<R: Record>(&mut self, record: &R, stamp: Option<Stamp>) -> Result<()> {
        if !self.in_tx {
            self.conn.execute_batch("BEGIN IMMEDIATE").map_err(|e| self.error("begin a transaction", e))?;
            self.in_tx = true;
        }
        let stamp = stamp.unwrap_or_else(|| self.clock.next());
        guarded_upsert(&self.conn, record, stamp).map_err(|e| self.error(&format!("store {}", record.key()), e))?;
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

    /// Whether a record `R` with this key is stored (uncommitted writes of this store included).
    pub fn contains<R: Record>(&self, key: &str) -> Result<bool> {
        is_stored(&self.conn, &lookup_sql::<R>()?, key).map_err(|e| self.error("look up a key", e))
    }

    /// A read-only handle that answers [`StoredKeys::contains`] for records `R` on its own
    /// connection, so a stream of ids can be filtered while this store writes. It sees what was
    /// committed.
    pub fn stored_keys<R: Record>(&self) -> Result<StoredKeys> {
        let sql = lookup_sql::<R>()?;
        let conn = Connection::open_with_flags(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .and_then(|c| c.busy_timeout(std::time::Duration::from_secs(10)).map(|()| c))
            .map_err(|e| self.error("open a reader", e))?;
        Ok(StoredKeys { conn, sql, path: self.path.clone() })
    }

    /// Rows of a kind.
    pub fn count(&self, kind: Kind) -> Result<u64> {
        self.conn
            .query_row(&format!("SELECT COUNT(*) FROM {}", kind.table()), [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|e| self.error("count rows", e))
    }

    /// The checkpoint ranges stored for `kind` under any of the filter sets `filters`.
    pub fn checkpoint_ranges(&self, kind: Kind, filters: &[&str]) -> Result<Vec<(u64, u64)>> {
        let sql = format!(
            "SELECT start, end FROM checkpoints WHERE kind = ?1 AND filters IN ({})",
            (2..filters.len() + 2).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ")
        );
        let table = kind.table();
        let args: Vec<&dyn ToSql> =
            std::iter::once(&table as &dyn ToSql).chain(filters.iter().map(|f| f as &dyn ToSql)).collect();
        let read = || -> rusqlite::Result<Vec<(u64, u64)>> {
            let mut stmt = self.conn.prepare(&sql)?;
            let rows = stmt.query_map(&args[..], |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)))?;
            rows.collect()
        };
        read().map_err(|e| self.error("read checkpoints", e))
    }

    /// Replaces the checkpoint ranges of (`kind`, `filters`) with what `update` makes of them,
    /// in one transaction, after committing the records written so far.
    pub fn update_checkpoints(
        &mut self,
        kind: Kind,
        filters: &str,
        update: impl FnOnce(Vec<(u64, u64)>) -> Vec<(u64, u64)>,
    ) -> Result<()> {
        self.commit()?;
        let run = || -> rusqlite::Result<()> {
            let tx = self.conn.unchecked_transaction()?;
            let existing: Vec<(u64, u64)> = {
                let mut stmt = tx.prepare("SELECT start, end FROM checkpoints WHERE kind = ?1 AND filters = ?2")?;
                stmt.query_map(params![kind.table(), filters], |r| {
                    Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?
            };
            tx.execute("DELETE FROM checkpoints WHERE kind = ?1 AND filters = ?2", params![kind.table(), filters])?;
            let now = now_text();
            for (s, e) in update(existing) {
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

/// Key lookups on a read-only connection of their own (see [`SqliteStore::stored_keys`]).
pub struct StoredKeys {
    conn: Connection,
    sql: String,
    path: PathBuf,
}

impl StoredKeys {
    /// Whether a record with this key was committed.
    pub fn contains(&self, key: &str) -> Result<bool> {
        is_stored(&self.conn, &self.sql, key).map_err(|e| sqlite_error(&self.path, "look up a key", e))
    }
}

fn sqlite_error(path: &Path, what: &str, e: rusqlite::Error) -> CliError {
    CliError::runtime(format!("SQLite {}: cannot {what}: {e}", path.display()))
}

fn now_text() -> String {
    chrono::Utc::now().with_timezone(&cst()).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Used;
    use crate::records::tests::sample_approval;

    fn count(conn: &Connection, table: &str) -> i64 {
        conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)).unwrap()
    }

    /// A column as `PRAGMA table_info` has it: name, type, not null, default, position in the key.
    type ColumnInfo = (String, String, bool, Option<String>, i64);

    /// Each table's columns, and its indexes with their columns.
    fn shape(conn: &Connection) -> Vec<(String, Vec<ColumnInfo>, Vec<String>)> {
        let tables: Vec<String> = {
            let mut s = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").unwrap();
            s.query_map([], |r| r.get(0)).unwrap().map(std::result::Result::unwrap).collect()
        };
        tables
            .into_iter()
            .map(|t| {
                let mut s = conn.prepare(&format!("PRAGMA table_info({t})")).unwrap();
                let cols = s
                    .query_map([], |r| Ok((r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
                    .unwrap()
                    .map(std::result::Result::unwrap)
                    .collect();
                let mut s = conn
                    .prepare(
                        "SELECT il.name || ':' || il.\"unique\" || ':' || group_concat(ii.name) \
                         FROM pragma_index_list(?1) il JOIN pragma_index_info(il.name) ii GROUP BY il.name ORDER BY il.name",
                    )
                    .unwrap();
                let indexes = s.query_map([&t], |r| r.get(0)).unwrap().map(std::result::Result::unwrap).collect();
                (t, cols, indexes)
            })
            .collect()
    }

    #[test]
    fn the_derived_schema_is_the_one_databases_already_have() {
        let old = Connection::open_in_memory().unwrap();
        old.execute_batch(include_str!("schema_v1.sql")).unwrap();
        let new = Connection::open_in_memory().unwrap();
        new.execute_batch(&schema()).unwrap();
        assert_eq!(shape(&new), shape(&old));
    }

    /// The column list of an `INSERT INTO t (a, b) …` statement.
    fn insert_columns(sql: &str) -> Vec<String> {
        let open = sql.find('(').unwrap();
        let close = sql[open..].find(')').unwrap() + open;
        sql[open + 1..close].split(", ").map(str::to_owned).collect()
    }

    fn table_columns(conn: &Connection, table: &str) -> Vec<String> {
        let mut s = conn.prepare(&format!("PRAGMA table_info({table})")).unwrap();
        s.query_map([], |r| r.get(1)).unwrap().map(std::result::Result::unwrap).collect()
    }

    fn one_table_drives_all<R: Record>(conn: &Connection) {
        let csv = crate::output::csv::header::<R>();
        for (i, (table, columns)) in tables::<R>().into_iter().enumerate() {
            let schema = table_columns(conn, table);
            let sql = if i == 0 { upsert_sql(table, &columns) } else { insert_sql(table, &columns) };
            assert_eq!(insert_columns(&sql), schema, "{table}: upsert columns = schema columns");
            if i == 0 {
                // The record table: CSV shows its columns but the SQLite-only ones, plus CSV-only
                // summaries; in the same order.
                let shared: Vec<&str> =
                    R::COLUMNS.iter().map(|c| &c.def).filter(|d| d.used == Used::Everywhere).map(|d| d.name).collect();
                let csv_shared: Vec<&str> = csv.iter().copied().filter(|n| shared.contains(n)).collect();
                let schema_shared: Vec<&str> =
                    schema.iter().map(String::as_str).filter(|n| shared.contains(n)).collect();
                assert_eq!(csv_shared, shared, "{table}: CSV header");
                assert_eq!(schema_shared, shared, "{table}: schema");
                let from_table: Vec<&str> =
                    R::COLUMNS.iter().map(|c| &c.def).filter(|d| d.in_sqlite()).map(|d| d.name).collect();
                assert_eq!(schema[..schema.len() - 2], from_table[..], "{table}");
                assert_eq!(schema[schema.len() - 2..], ["json", "fetched_at"], "{table}");
                let from_table: Vec<&str> =
                    R::COLUMNS.iter().map(|c| &c.def).filter(|d| d.in_csv()).map(|d| d.name).collect();
                assert_eq!(csv, from_table, "{table}");
            }
        }
    }

    #[test]
    fn schema_upserts_and_csv_come_from_one_table_per_kind() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(&schema()).unwrap();
        one_table_drives_all::<ApprovalDetail>(&conn);
        one_table_drives_all::<JournalRecord>(&conn);
        one_table_drives_all::<LegacyForm>(&conn);
        one_table_drives_all::<StatCycle>(&conn);
    }

    #[test]
    fn upserts_replace_children_and_never_duplicate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite");
        let mut store = SqliteStore::open(&path, 2).unwrap();
        let mut d = sample_approval();
        store.write(&d).unwrap();
        store.write(&d).unwrap();
        let more = d.comments[0].clone();
        d.comments.push(more);
        store.write(&d).unwrap();
        // A copy with fewer comments is behind the stored one (crate::mirror): kept out.
        let mut older = d.clone();
        older.comments.clear();
        store.write(&older).unwrap();
        store.commit().unwrap();
        let c = store.connection();
        assert_eq!(count(c, "approvals"), 1);
        assert_eq!(count(c, "approval_fields"), 6);
        assert_eq!(count(c, "approval_nodes"), 3);
        assert_eq!(count(c, "approval_comments"), 2, "children follow the newest version");
        let (status, text, json): (i64, String, String) = c
            .query_row("SELECT status, apply_time_text, json FROM approvals", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!((status, text.as_str()), (2, "2025-01-01T00:00:00+08:00"));
        let back: ApprovalDetail = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d);
        assert!(store.contains::<ApprovalDetail>("202501010001").unwrap());
        assert!(!store.contains::<ApprovalDetail>("202501010002").unwrap());
        let reader = store.stored_keys::<ApprovalDetail>().unwrap();
        assert!(reader.contains("202501010001").unwrap());
        assert!(!reader.contains("x").unwrap());
        assert!(store.stored_keys::<StatCycle>().is_err(), "a composite key has no id lookup");
    }

    #[test]
    fn the_reader_sees_committed_records_only() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(&dir.path().join("t.db"), 100).unwrap();
        let reader = store.stored_keys::<ApprovalDetail>().unwrap();
        store.write(&sample_approval()).unwrap();
        assert!(store.contains::<ApprovalDetail>("202501010001").unwrap());
        assert!(!reader.contains("202501010001").unwrap());
        store.commit().unwrap();
        assert!(reader.contains("202501010001").unwrap());
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
    fn a_legacy_number_beyond_i64_is_refused_not_wrapped() {
        let conn = Connection::open_in_memory().unwrap();
        let n: i64 = conn.query_row("SELECT ?1", [Cell::UInt(7)], |r| r.get(0)).unwrap();
        assert_eq!(n, 7);
        assert!(conn.query_row("SELECT ?1", [Cell::UInt(u64::MAX)], |r| r.get::<_, i64>(0)).is_err());
    }
}
