//! Checkpoints and resume: the one owner of the rules that decide what an export still has to
//! do in a database and when a range counts as done.
//!
//! - A checkpoint records that a range of one kind was exported in full under one filter set
//!   ([`Scope`]); an unfiltered checkpoint covers every filtered scope too.
//! - An export lists only the parts of its range no checkpoint covers, and (for kinds listed by
//!   id) skips ids already stored; `--refresh`, or an output that is not SQLite, does neither.
//! - A range is recorded (SQLite, `--refresh` included) when its run ended cleanly: not
//!   interrupted, nothing failed.
//!
//! Storage of the ranges is `SqliteStore`'s ([`SqliteStore::checkpoint_ranges`],
//! [`SqliteStore::update_checkpoints`]); everything that decides is here.

use crate::error::Result;
use crate::output::sqlite::SqliteStore;
use crate::records::Kind;

/// What a checkpoint is about: one kind of record under one filter set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    kind: Kind,
    filters: String,
}

impl Scope {
    /// Every record of a kind (no filters).
    pub fn all(kind: Kind) -> Scope {
        Scope { kind, filters: String::new() }
    }

    /// A kind under filters: `pairs` of flag name and value (unset ones ignored) and the
    /// departments (OR-ed). The filter set is canonical — sorted keys, departments sorted and
    /// de-duplicated, `""` for none — so the same filters always meet the same checkpoints.
    pub fn filtered(kind: Kind, pairs: &[(&str, Option<String>)], departments: &[String]) -> Scope {
        let mut map = serde_json::Map::new();
        for (k, v) in pairs {
            if let Some(v) = v {
                map.insert((*k).to_owned(), serde_json::Value::String(v.clone()));
            }
        }
        if !departments.is_empty() {
            let mut d = departments.to_vec();
            d.sort();
            d.dedup();
            map.insert("department".into(), serde_json::Value::from(d));
        }
        let filters = if map.is_empty() { String::new() } else { serde_json::Value::Object(map).to_string() };
        Scope { kind, filters }
    }

    /// The kind.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The canonical filter set (`""` for none).
    pub fn filters(&self) -> &str {
        &self.filters
    }

    /// The inclusive ranges a database holds in full for this scope (merged).
    pub fn covered(&self, store: &SqliteStore) -> Result<Vec<(u64, u64)>> {
        let mut filters = vec![self.filters.as_str()];
        if !self.filters.is_empty() {
            filters.push("");
        }
        Ok(merge(store.checkpoint_ranges(self.kind, &filters)?))
    }

    /// Records `[start, end]` as exported in full (merged with the ranges it overlaps or touches).
    pub fn record(&self, store: &mut SqliteStore, start: u64, end: u64) -> Result<()> {
        store.update_checkpoints(self.kind, &self.filters, |mut ranges| {
            ranges.push((start, end));
            merge(ranges)
        })
    }
}

/// What one export of a range has to do, and whether it may record a checkpoint after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resume {
    scope: Scope,
    range: (u64, u64),
    pieces: Vec<(u64, u64)>,
    skips_stored: bool,
    records: bool,
}

impl Resume {
    /// Plans an export of the inclusive `range` into `store` (`None`: not SQLite). With a store
    /// and without `refresh`, the parts already checkpointed are left out and stored ids are
    /// skipped; otherwise it is the whole range. With a store, a clean run records the range.
    pub fn plan(store: Option<&SqliteStore>, scope: Scope, range: (u64, u64), refresh: bool) -> Result<Resume> {
        let (start, end) = range;
        Ok(match store {
            Some(db) if !refresh => {
                let pieces = uncovered(start, end, &scope.covered(db)?);
                Resume { scope, range, pieces, skips_stored: true, records: true }
            }
            Some(_) => Resume { records: true, ..Resume::untracked(scope, range) },
            None => Resume::untracked(scope, range),
        })
    }

    /// The whole range, never skipping and never recording (exports that do not resume).
    pub fn untracked(scope: Scope, range: (u64, u64)) -> Resume {
        Resume { scope, range, pieces: vec![range], skips_stored: false, records: false }
    }

    /// The scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The whole range asked for.
    pub fn range(&self) -> (u64, u64) {
        self.range
    }

    /// The parts still to list, in order.
    pub fn pieces(&self) -> &[(u64, u64)] {
        &self.pieces
    }

    /// Everything is covered already: nothing to list.
    pub fn up_to_date(&self) -> bool {
        self.pieces.is_empty()
    }

    /// Ids already stored are not fetched again.
    pub fn skips_stored(&self) -> bool {
        self.skips_stored
    }

    /// After a run: records the whole range in `store` when the plan records, there was
    /// something to do and the run ended `clean` (not interrupted, nothing failed). Returns
    /// whether it recorded.
    pub fn finish(&self, store: Option<&mut SqliteStore>, clean: bool) -> Result<bool> {
        match store {
            Some(db) if self.records && clean && !self.up_to_date() => {
                self.scope.record(db, self.range.0, self.range.1)?;
                Ok(true)
            }
            _ => Ok(false),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_sets_are_canonical() {
        let key = |pairs: &[(&str, Option<String>)], d: &[String]| Scope::filtered(Kind::Approvals, pairs, d).filters;
        assert_eq!(key(&[("creator", None)], &[]), "");
        let a = key(&[("creator", Some("x".into()))], &["3".into(), "2".into(), "3".into()]);
        let b = key(&[("creator", Some("x".into()))], &["2".into(), "3".into()]);
        assert_eq!(a, b);
        assert_eq!(a, r#"{"creator":"x","department":["2","3"]}"#);
    }

    #[test]
    fn checkpoints_merge_and_cover() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(&dir.path().join("t.db"), 10).unwrap();
        let all = Scope::all(Kind::Approvals);
        let creator = |c: &str| Scope::filtered(Kind::Approvals, &[("creator", Some(c.into()))], &[]);
        all.record(&mut store, 100, 199).unwrap();
        all.record(&mut store, 200, 299).unwrap();
        creator("a").record(&mut store, 500, 599).unwrap();
        Scope::all(Kind::Journals).record(&mut store, 0, 1000).unwrap();
        assert_eq!(all.covered(&store).unwrap(), [(100, 299)]);
        assert_eq!(creator("a").covered(&store).unwrap(), [(100, 299), (500, 599)]);
        assert_eq!(creator("b").covered(&store).unwrap(), [(100, 299)], "unfiltered covers filtered");
        let rows: i64 = store.connection().query_row("SELECT COUNT(*) FROM checkpoints", [], |r| r.get(0)).unwrap();
        assert_eq!(rows, 3);
    }

    #[test]
    fn a_plan_lists_what_is_not_covered_and_records_only_clean_runs() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(&dir.path().join("t.db"), 10).unwrap();
        let all = Scope::all(Kind::Approvals);
        all.record(&mut store, 0, 49).unwrap();

        let plan = Resume::plan(Some(&store), all.clone(), (0, 100), false).unwrap();
        assert_eq!((plan.pieces(), plan.skips_stored()), (&[(50, 100)][..], true));
        assert!(!plan.finish(Some(&mut store), false).unwrap(), "an unclean run records nothing");
        assert_eq!(all.covered(&store).unwrap(), [(0, 49)]);
        assert!(plan.finish(Some(&mut store), true).unwrap());
        assert_eq!(all.covered(&store).unwrap(), [(0, 100)]);

        let again = Resume::plan(Some(&store), all.clone(), (10, 90), false).unwrap();
        assert!(again.up_to_date());
        assert!(!again.finish(Some(&mut store), true).unwrap());

        let refresh = Resume::plan(Some(&store), all.clone(), (90, 200), true).unwrap();
        assert_eq!((refresh.pieces(), refresh.skips_stored()), (&[(90, 200)][..], false));
        assert!(refresh.finish(Some(&mut store), true).unwrap(), "a clean --refresh run is recorded");
        assert_eq!(all.covered(&store).unwrap(), [(0, 200)]);

        let file = Resume::plan(None, all.clone(), (10, 90), false).unwrap();
        assert_eq!((file.pieces(), file.skips_stored()), (&[(10, 90)][..], false));
        let stats = Resume::untracked(all, (300, 400));
        assert!(!stats.finish(Some(&mut store), true).unwrap(), "untracked exports never record");
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
