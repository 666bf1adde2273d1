//! How awkward the emulator is where the docs allow more than one reading ([`Quirks`]), what
//! it sends that no spec knows yet ([`Novelties`]), and where list pages start and end.
//!
//! The emulator is our own reading of the docs: where a client test passes only because
//! client and emulator share an assumption, it proves nothing. So by default the emulator
//! takes the most awkward reading the docs support — opaque cursors that are not offsets,
//! pages shorter than asked for (even empty ones) before the last, journal titles without
//! `lang`, approval padding exactly as the documented example — and each quirk can be
//! switched to the plain reading, so a client can be tested under both.
//!
//! **Pages.** A list endpoint walks the records of a window (after filters) in API order.
//! With [`Quirks::short_pages`] (or an opaque journal cursor) every record has a *position*:
//! before it lie a few records the app may not see (outside its visibility, 96509), so
//! positions have gaps, and the cursor a page hands back is the position to continue from.
//! - getapprovalinfo scans exactly `size` positions per page and returns the visible records
//!   among them: short pages, and empty ones where a long run of hidden records lies
//!   (96509: "返回的sp_no_list个数可能和size不一致，开发者需用next_cursor判断表单记录是否拉取完").
//! - journal get_record_list fills its page up to `limit`, scanning at most
//!   [`JOURNAL_SCAN_FACTOR`] × `limit` positions (short or empty pages past long hidden runs);
//!   `next_cursor` is the position after the last record returned — seed 93393 answers
//!   cursor 0, limit 10 with ten ids and `next_cursor: 34`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::ids;

/// The errcode the novelty switch answers on some getapprovaldetail calls: not in
/// `api-spec/errors.toml`, nor in WeCom's published tables.
pub const NOVELTY_ERRCODE: i64 = 301_099;
/// The errmsg text of [`NOVELTY_ERRCODE`] (the hint/ip/url tail is added like every errmsg).
pub const NOVELTY_ERRMSG: &str = "approval data archived, query it in the admin console";

/// journal get_record_list scans at most this many positions per `limit` with short pages
/// (about as many as `limit` records take, so about half the pages come back short).
pub const JOURNAL_SCAN_FACTOR: u64 = 3;

/// Long runs of hidden records: (before every n-th record, shortest run, number of lengths).
const APPROVAL_LONG_RUN: (u64, u64, u64) = (64, 100, 151);
const JOURNAL_LONG_RUN: (u64, u64, u64) = (40, 100, 501);

/// What journal get_record_list's `next_cursor` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalCursor {
    /// A position in a list that also holds records the app cannot see: it grows by more than
    /// the page's count (seed 93393: cursor 0, limit 10 → ten ids, `next_cursor` 34). A uint32.
    #[default]
    Opaque,
    /// `cursor + count`: the plain offset reading.
    Offset,
}

/// The empty arrays getapprovaldetail pads every control `value` with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Padding {
    /// The keys of the getapprovaldetail example: `tips`, `members`, `departments`, `files`,
    /// `children`, `stat_field` [D91983-2020].
    #[default]
    Example,
    /// The ten keys of the journal example (adds `sum_field`, `related_approval`, `students`,
    /// `classes`) [PERL 93394].
    Full,
    /// No padding: each value holds only its own data, as the appendix tables (附1–附18) show.
    None,
}

impl Padding {
    /// The keys padded, in order.
    pub(crate) fn keys(self) -> &'static [&'static str] {
        match self {
            Padding::Example => &APPROVAL_EXAMPLE_PAD,
            Padding::Full => &crate::dataset::render::PAD_KEYS,
            Padding::None => &[],
        }
    }
}

/// Padding keys of the getapprovaldetail example value.
pub(crate) const APPROVAL_EXAMPLE_PAD: [&str; 6] =
    ["tips", "members", "departments", "files", "children", "stat_field"];

/// The readings the emulator takes where the docs allow more than one. The default is the
/// awkward one wherever the docs support it; [`Quirks::plain`] is the lenient one of earlier
/// versions. Settable at build time, with [`crate::EmulatorHandle::set_quirks`] and over
/// `POST /_emulator/quirks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Quirks {
    /// journal get_record_list `next_cursor`: [`JournalCursor::Opaque`] by default.
    pub journal_cursor: JournalCursor,
    /// Pages hold fewer records than `size`/`limit` before the last, some none at all
    /// (getapprovalinfo and journal get_record_list). Default `true` (96509).
    pub short_pages: bool,
    /// Journal control titles carry `lang` (`[{"text","lang"}]`). Default `false`: the 93394
    /// example has `[{"text": "工作内容"}]`.
    pub journal_title_lang: bool,
    /// getapprovaldetail control value padding; default [`Padding::Example`].
    pub approval_padding: Padding,
    /// A repeated journal filter key (other than `department`) is refused with 301066. Default
    /// `false`: no doc says so; repeated keys are OR-ed, like approvals' same-type filters.
    pub reject_repeated_journal_filters: bool,
    /// errcode for an unknown `journaluuid` (get_record_detail, download_wedrive_file). Default
    /// 301066 (请求参数错误), from the endpoints' own error tables (301065/301066/301067) [93393,
    /// 93394]; 301084 (journal_uuid非法, global table) is the other reading.
    pub unknown_journal_errcode: i64,
    /// legacy getapprovaldata `total` also counts forms an admin deleted, which the API never
    /// returns (【注解4】), so `total` can exceed every form a walk gets — as the 91530 example
    /// shows `count` 3 with `total` 5. Default `true`.
    pub legacy_total_includes_deleted: bool,
}

impl Default for Quirks {
    fn default() -> Self {
        Quirks {
            journal_cursor: JournalCursor::Opaque,
            short_pages: true,
            journal_title_lang: false,
            approval_padding: Padding::Example,
            reject_repeated_journal_filters: false,
            unknown_journal_errcode: 301_066,
            legacy_total_includes_deleted: true,
        }
    }
}

impl Quirks {
    /// The awkward readings (the default).
    pub fn awkward() -> Self {
        Quirks::default()
    }

    /// The plain readings: offset journal cursor, full pages, journal titles with `lang`, the
    /// ten-key padding, repeated journal filter keys refused, 301084 for an unknown journal,
    /// legacy `total` = forms returned.
    pub fn plain() -> Self {
        Quirks {
            journal_cursor: JournalCursor::Offset,
            short_pages: false,
            journal_title_lang: true,
            approval_padding: Padding::Full,
            reject_repeated_journal_filters: true,
            unknown_journal_errcode: 301_084,
            legacy_total_includes_deleted: false,
        }
    }
}

/// Things the spec does not know yet, sent so that a client's drift report can be tested
/// (see the crate README, "Novelties", for every path and value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Novelties {
    /// getapprovaldetail answers carry an unknown top-level field, unknown fields inside a
    /// control value and inside `sp_record[].details[]`, an unknown control kind and unknown
    /// enum values. Default off.
    pub enabled: bool,
    /// Every N-th getapprovaldetail call (counted from when this was set) answers
    /// [`NOVELTY_ERRCODE`] instead. Independent of `enabled`; default `None`. A client does not
    /// retry an unknown code, so a details run has failed records while this is on.
    pub errcode_every: Option<u32>,
}

// ----- novelties ----------------------------------------------------------------

/// Id of the novelty `Text` control (its value carries an unknown field).
pub const NOVELTY_TEXT_ID: &str = "Text-1700000000001";
/// Id of the novelty `Date` control (`date.type` is a value no spec knows).
pub const NOVELTY_DATE_ID: &str = "Date-1700000000002";
/// Id of the novelty control of an unknown kind.
pub const NOVELTY_CONTROL_ID: &str = "Signature-1700000000003";
/// The unknown control kind.
pub const NOVELTY_CONTROL: &str = "Signature";
/// The unknown node status of the appended `sp_record` node and its approver.
pub const NOVELTY_NODE_STATUS: u8 = 21;
/// The unknown `date.type`.
pub const NOVELTY_DATE_TYPE: &str = "month";

/// Adds the documented novelties to a getapprovaldetail `info` (values padded with `padding`,
/// like the real controls): see the README, "Novelties".
pub(crate) fn decorate_approval(info: &mut Value, padding: Padding) {
    let applicant = info
        .pointer("/applyer/userid")
        .or_else(|| info.pointer("/batch_applyer/0/userid"))
        .cloned()
        .unwrap_or_else(|| json!(""));
    let apply_time = info.get("apply_time").and_then(Value::as_i64).unwrap_or(0);
    let key = ids::hash_str(info.get("sp_no").and_then(Value::as_str).unwrap_or(""));
    if let Some(Value::Array(nodes)) = info.get_mut("sp_record") {
        nodes.push(json!({
            "sp_status": NOVELTY_NODE_STATUS,
            "approverattr": 1,
            "details": [{"approver": {"userid": applicant}, "speech": "", "sp_status": NOVELTY_NODE_STATUS, "sptime": 0, "media_id": []}],
        }));
        for node in nodes.iter_mut() {
            if let Some(Value::Array(details)) = node.get_mut("details") {
                for d in details.iter_mut().filter_map(Value::as_object_mut) {
                    d.insert("sign_source".into(), json!("mobile"));
                }
            }
        }
    }
    let padded = |mut m: Map<String, Value>| {
        for &k in padding.keys() {
            m.entry(k).or_insert_with(|| json!([]));
        }
        Value::Object(m)
    };
    let control = |kind: &str, id: &str, title: &str, value: Value| {
        let value = match value {
            Value::Object(m) => padded(m),
            other => other,
        };
        json!({"control": kind, "id": id, "title": [{"text": title, "lang": "zh_CN"}], "value": value})
    };
    let month = crate::time::local_month_start(apply_time);
    let added = [
        control("Text", NOVELTY_TEXT_ID, "补充说明", json!({"text": "见附件", "text_format": "markdown"})),
        control(
            "Date",
            NOVELTY_DATE_ID,
            "生效月份",
            json!({"date": {"type": NOVELTY_DATE_TYPE, "s_timestamp": month.to_string()}}),
        ),
        control(
            NOVELTY_CONTROL,
            NOVELTY_CONTROL_ID,
            "手写签名",
            json!({"signature": {"media_id": format!("WWCISP_{}", ids::b58_noise(key, 60))}}),
        ),
    ];
    if let Some(Value::Array(contents)) = info.pointer_mut("/apply_data/contents") {
        contents.extend(added);
    }
}

/// The unknown top-level field of a getapprovaldetail answer: `trace_id`, 16 hex digits.
pub(crate) fn trace_id(sp_no: &str) -> String {
    ids::hex64(ids::hash(&[ids::hash_str(sp_no), 0x7ACE]))
}

// ----- positions and pages ------------------------------------------------------

/// Records the app cannot see just before a record: mostly 0–3 (getapprovalinfo) or 0–4
/// (journals, whose example skips 24 positions in 10 ids), and a long run before every 64th
/// approval / 40th journal (by id), so that any walk over that many records meets pages that
/// come back empty (a getapprovalinfo page scans at most 100 positions, a journal page
/// [`JOURNAL_SCAN_FACTOR`] × `limit`).
pub(crate) fn hidden_before(secret: u64, journal: bool, id: usize) -> u64 {
    let h = ids::hash(&[secret, if journal { 0x6A } else { 0xA9 }, id as u64]);
    let (every, lo, span) = if journal { JOURNAL_LONG_RUN } else { APPROVAL_LONG_RUN };
    if (id as u64).wrapping_add(secret) % every == 0 {
        return lo + (h >> 8) % span;
    }
    if journal {
        (h >> 16) % 5
    } else {
        match (h >> 16) % 20 {
            0..=16 => 0,
            17 => 1,
            18 => 2,
            _ => 3,
        }
    }
}

/// `(position, id)` of each record, in order: offsets, or positions with hidden records between.
pub(crate) fn positions(
    ids: impl Iterator<Item = usize>,
    gaps: Option<(u64, bool)>,
) -> impl Iterator<Item = (u64, usize)> {
    let mut next = 0u64;
    ids.map(move |id| {
        if let Some((secret, journal)) = gaps {
            next += hidden_before(secret, journal, id);
        }
        let p = next;
        next += 1;
        (p, id)
    })
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Page {
    /// Record ids on the page.
    pub items: Vec<usize>,
    /// Where the next page starts.
    pub next: u64,
    /// Whether any record lies at or after `next`.
    pub more: bool,
}

/// Reads the page starting at position `from`: at most `max_items` records, and with `span`
/// only those below `from + span`.
pub(crate) fn scan(
    records: impl Iterator<Item = (u64, usize)>,
    from: u64,
    max_items: usize,
    span: Option<u64>,
) -> Page {
    let mut items = Vec::new();
    let mut last = None;
    for (pos, id) in records {
        if pos < from {
            continue;
        }
        let full = items.len() >= max_items;
        let beyond = span.is_some_and(|s| pos >= from.saturating_add(s));
        if full || beyond {
            let next = match (full, last) {
                (true, Some(l)) => l + 1,
                _ => span.map_or(pos, |s| from.saturating_add(s)),
            };
            return Page { items, next, more: true };
        }
        items.push(id);
        last = Some(pos);
    }
    Page { items, next: last.map_or(from, |l| l + 1), more: false }
}

/// [`scan`] over a list sorted by position, starting at the first record at or after `from`.
pub(crate) fn scan_sorted(records: &[(u64, usize)], from: u64, max_items: usize, span: Option<u64>) -> Page {
    let at = records.partition_point(|r| r.0 < from);
    scan(records[at..].iter().copied(), from, max_items, span)
}

/// How many records an offset-cursor page holds with short pages: `limit` mostly, fewer on
/// about one page in three, never none (the cursor must move).
pub(crate) fn short_capacity(secret: u64, key: u64, from: u64, limit: usize) -> usize {
    let h = ids::hash(&[secret, 0x5C, key, from]);
    if limit > 1 && h % 3 == 0 { 1 + ((h >> 8) % limit as u64) as usize } else { limit }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_fills_up_to_max_items_and_continues_after_the_last() {
        let recs = || positions(0..10usize, None);
        let p = scan(recs(), 0, 4, None);
        assert_eq!(p, Page { items: vec![0, 1, 2, 3], next: 4, more: true });
        let p = scan(recs(), 8, 4, None);
        assert_eq!(p, Page { items: vec![8, 9], next: 10, more: false });
        let p = scan(recs(), 6, 4, None);
        assert_eq!(p, Page { items: vec![6, 7, 8, 9], next: 10, more: false }, "a page ending at the end says so");
        let p = scan(recs(), 50, 4, None);
        assert_eq!(p, Page { items: vec![], next: 50, more: false });
    }

    #[test]
    fn scan_with_a_span_can_be_short_or_empty() {
        // Records at positions 0, 1, 10, 11, 12.
        let recs = || [(0u64, 0usize), (1, 1), (10, 2), (11, 3), (12, 4)].into_iter();
        assert_eq!(scan(recs(), 0, 5, Some(5)), Page { items: vec![0, 1], next: 5, more: true });
        assert_eq!(scan(recs(), 5, 5, Some(5)), Page { items: vec![], next: 10, more: true });
        assert_eq!(scan(recs(), 10, 5, Some(5)), Page { items: vec![2, 3, 4], next: 13, more: false });
        assert_eq!(scan(recs(), 10, 2, Some(8)), Page { items: vec![2, 3], next: 12, more: true });
    }

    #[test]
    fn gapped_positions_grow_faster_than_the_count_and_are_stable() {
        let a: Vec<(u64, usize)> = positions(0..2000usize, Some((7, true))).collect();
        let b: Vec<(u64, usize)> = positions(0..2000usize, Some((7, true))).collect();
        assert_eq!(a, b);
        assert!(a.windows(2).all(|w| w[1].0 > w[0].0));
        let last = a.last().unwrap().0;
        assert!(last > 3 * 2000, "journal gaps average about 2 hidden records ({last})");
        let long_runs = (0..2000).filter(|&i| hidden_before(7, true, i) >= 100).count();
        assert!(long_runs > 3, "{long_runs}");
        let approvals: Vec<(u64, usize)> = positions(0..2000usize, Some((7, false))).collect();
        assert!(approvals.last().unwrap().0 > 2000);
    }

    #[test]
    fn short_capacity_is_never_zero() {
        for from in 0..500 {
            let c = short_capacity(3, 1, from, 10);
            assert!((1..=10).contains(&c));
        }
        assert!((0..500).any(|f| short_capacity(3, 1, f, 10) < 10));
        assert_eq!(short_capacity(3, 1, 0, 1), 1);
    }
}
