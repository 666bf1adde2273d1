//! The synthetic company: departments, users, templates, approvals and journals.
//!
//! Records are stored as compact summaries (time, creator, template, status and a
//! per-record seed). Everything else — the JSON a detail endpoint returns — is
//! rendered on demand from the record's seed (see [`render`]), so 100 000
//! approvals cost a few megabytes and build in milliseconds.

pub(crate) mod render;
pub(crate) mod templates;

use std::collections::HashMap;

use rand::{Rng, RngCore};

use crate::filter::JournalFilter;
use crate::ids;
use crate::time;
pub(crate) use render::{Comment, Detail, FormState};
pub(crate) use templates::{ApprovalTemplate, JournalTemplate};

/// Prefix shared by every journal uuid (as in the documented examples).
pub(crate) const JOURNAL_UUID_PREFIX: &str = "41eJejN57EJNzr8HrZfmKy";

/// Approval `sp_status` values used by the dataset: the documented ones plus 99,
/// a value no SDK knows (open enum test).
pub(crate) const SP_STATUSES: [(u8, u32); 8] = [(1, 14), (2, 55), (3, 10), (4, 8), (6, 3), (7, 3), (10, 5), (99, 2)];

/// Record flag: the form was submitted for others (`batch_applyer` instead of `applyer`).
pub(crate) const FLAG_BATCH: u8 = 1;
/// Record flag: the form carries a `PhoneNumber` control (a control SDKs do not know).
pub(crate) const FLAG_PHONE: u8 = 2;

/// Size of the guaranteed large wedrive file (>= 8 MiB, for streaming tests).
pub(crate) const BIG_FILE_SIZE: u64 = 8 * 1024 * 1024 + 123_457;

/// Inputs of the generator.
#[derive(Debug, Clone)]
pub(crate) struct DatasetConfig {
    pub seed: u64,
    pub corp_id: String,
    pub approvals: usize,
    pub journals: usize,
    pub users: usize,
    pub start: i64,
    pub end: i64,
}

/// A department of the synthetic company.
#[derive(Debug, Clone)]
pub(crate) struct Department {
    pub id: u32,
    pub name: &'static str,
    pub parent: u32,
}

/// A member of the synthetic company.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub userid: String,
    pub name: String,
    pub dept: u32,
}

/// Compact summary of one approval form.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ApprovalRec {
    pub time: i64,
    pub seed: u64,
    pub day: u32,
    pub seq: u32,
    pub creator: u16,
    pub template: u8,
    pub status: u8,
    pub flags: u8,
}

/// Compact summary of one journal record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JournalRec {
    pub time: i64,
    pub seed: u64,
    pub submitter: u16,
    pub template: u8,
    /// Number of wedrive files attached (0 when the template has no WedriveFile control).
    pub wedrive: u8,
}

/// The whole synthetic company.
#[derive(Debug)]
pub(crate) struct Dataset {
    pub seed: u64,
    pub corp_id: String,
    pub start: i64,
    pub end: i64,
    pub departments: Vec<Department>,
    pub users: Vec<User>,
    pub user_index: HashMap<String, u16>,
    pub approval_templates: Vec<ApprovalTemplate>,
    pub journal_templates: Vec<JournalTemplate>,
    pub approvals: Vec<ApprovalRec>,
    /// (yyyymmdd, index of the first approval of that day), ascending.
    pub days: Vec<(u32, u32)>,
    pub seq_width: usize,
    pub journals: Vec<JournalRec>,
    /// (journal index, file number) of the large wedrive file.
    pub big_file: Option<(u32, u8)>,
    corp_tag: String,
}

const SURNAMES: [(&str, &str); 20] = [
    ("Zhang", "张"),
    ("Wang", "王"),
    ("Li", "李"),
    ("Liu", "刘"),
    ("Chen", "陈"),
    ("Yang", "杨"),
    ("Huang", "黄"),
    ("Zhao", "赵"),
    ("Wu", "吴"),
    ("Zhou", "周"),
    ("Xu", "徐"),
    ("Sun", "孙"),
    ("Ma", "马"),
    ("Zhu", "朱"),
    ("Hu", "胡"),
    ("Guo", "郭"),
    ("He", "何"),
    ("Lin", "林"),
    ("Luo", "罗"),
    ("Gao", "高"),
];

const GIVEN: [(&str, &str); 24] = [
    ("Wei", "伟"),
    ("Fang", "芳"),
    ("Na", "娜"),
    ("Min", "敏"),
    ("Jing", "静"),
    ("Lei", "磊"),
    ("Qiang", "强"),
    ("Yang", "洋"),
    ("Jie", "杰"),
    ("Juan", "娟"),
    ("Tao", "涛"),
    ("Ming", "明"),
    ("Chao", "超"),
    ("XiuYing", "秀英"),
    ("Xia", "霞"),
    ("Ping", "平"),
    ("Gang", "刚"),
    ("Hui", "慧"),
    ("JunJie", "俊杰"),
    ("XiaoMing", "小明"),
    ("Yan", "艳"),
    ("Hao", "浩"),
    ("Kai", "凯"),
    ("YiBo", "一博"),
];

const DEPARTMENTS: [(u32, &str, u32); 10] = [
    (1, "总部", 0),
    (2, "销售部", 1),
    (3, "研发部", 1),
    (4, "财务部", 1),
    (5, "人力资源部", 1),
    (6, "市场部", 1),
    (7, "运营部", 1),
    (8, "行政部", 1),
    (9, "研发一组", 3),
    (10, "研发二组", 3),
];

/// Picks an index from cumulative-weight table `weights`.
pub(crate) fn pick_weighted<R: Rng>(r: &mut R, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    if total == 0 {
        return 0;
    }
    let mut x = r.random_range(0..total);
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

impl Dataset {
    /// Generates the company for `cfg`. Deterministic in `cfg`.
    pub(crate) fn build(cfg: &DatasetConfig) -> Dataset {
        let seed = cfg.seed;
        let departments: Vec<Department> =
            DEPARTMENTS.iter().map(|&(id, name, parent)| Department { id, name, parent }).collect();

        // Users.
        let n_users = cfg.users.clamp(8, u16::MAX as usize);
        let mut r = ids::rng(seed, 100);
        let mut users = Vec::with_capacity(n_users);
        let mut user_index = HashMap::with_capacity(n_users);
        for i in 0..n_users {
            let (sp, sh) = SURNAMES[r.random_range(0..SURNAMES.len())];
            let (gp, gh) = GIVEN[r.random_range(0..GIVEN.len())];
            let mut userid = format!("{sp}{gp}");
            let mut name = format!("{sh}{gh}");
            let mut n = 2;
            while user_index.contains_key(&userid) {
                userid = format!("{sp}{gp}{n}");
                name = format!("{sh}{gh}{n}");
                n += 1;
            }
            let dept = if i < 2 {
                1
            } else if i < 11 {
                // One user in each non-root department first, so none is empty.
                (i - 2) as u32 + 2
            } else {
                r.random_range(2..=10)
            };
            user_index.insert(userid.clone(), i as u16);
            users.push(User { userid, name, dept });
        }

        let approval_templates = templates::approval_templates(seed);
        let journal_templates = templates::journal_templates(seed, &users, cfg.start, cfg.end);
        let corp_tag = ids::b58_noise(ids::hash(&[seed, 0xC0]), 10);

        let mut ds = Dataset {
            seed,
            corp_id: cfg.corp_id.clone(),
            start: cfg.start,
            end: cfg.end,
            departments,
            users,
            user_index,
            approval_templates,
            journal_templates,
            approvals: Vec::new(),
            days: Vec::new(),
            seq_width: 4,
            journals: Vec::new(),
            big_file: None,
            corp_tag,
        };
        ds.build_approvals(cfg.approvals);
        ds.build_journals(cfg.journals);
        ds
    }

    fn build_approvals(&mut self, n: usize) {
        let (start, end) = (self.start, self.end);
        let span = (end - start) as u64 + 1;
        let mut r = ids::rng(self.seed, 1);
        let tpl_weights: Vec<u32> = self.approval_templates.iter().map(|t| t.weight).collect();
        let status_weights: Vec<u32> = SP_STATUSES.iter().map(|s| s.1).collect();
        let n_users = self.users.len() as u32;
        let mut recs: Vec<ApprovalRec> = Vec::with_capacity(n);
        for _ in 0..n {
            let mut t = start + (r.next_u64() % span) as i64;
            if r.random_bool(0.75) {
                // Most forms are submitted during office hours.
                let cand = time::local_midnight(t) + 9 * 3600 + r.random_range(0..10 * 3600);
                if cand >= start && cand <= end {
                    t = cand;
                }
            }
            let template = pick_weighted(&mut r, &tpl_weights) as u8;
            let status = SP_STATUSES[pick_weighted(&mut r, &status_weights)].0;
            let creator = r.random_range(0..n_users) as u16;
            let roll = r.random_range(0..100u32);
            let flags = match roll {
                0 | 1 => FLAG_BATCH,
                2 | 3 => FLAG_PHONE,
                _ => 0,
            };
            recs.push(ApprovalRec { time: t, seed: r.next_u64(), day: 0, seq: 0, creator, template, status, flags });
        }
        // Small datasets still cover every status, template and quirk.
        if n >= 40 {
            for (k, (status, _)) in SP_STATUSES.iter().enumerate() {
                if !recs.iter().any(|x| x.status == *status) {
                    recs[(k * 5 + 3) % n].status = *status;
                }
            }
            for t in 0..self.approval_templates.len() {
                if !recs.iter().any(|x| x.template as usize == t) {
                    recs[(t * 3 + 1) % n].template = t as u8;
                }
            }
            for (k, flag) in [FLAG_BATCH, FLAG_PHONE].into_iter().enumerate() {
                if !recs.iter().any(|x| x.flags & flag != 0) {
                    recs[(k * 7 + 11) % n].flags = flag;
                }
            }
        }
        recs.sort_by_key(|x| x.time);
        let mut days: Vec<(u32, u32)> = Vec::new();
        let mut max_per_day = 0u32;
        for (i, rec) in recs.iter_mut().enumerate() {
            let day = time::yyyymmdd(rec.time);
            match days.last() {
                Some(&(d, _)) if d == day => {}
                _ => days.push((day, i as u32)),
            }
            let first = days.last().map(|x| x.1).unwrap_or(0);
            rec.day = day;
            rec.seq = i as u32 - first + 1;
            max_per_day = max_per_day.max(rec.seq);
        }
        self.seq_width = max_per_day.to_string().len().max(4);
        self.approvals = recs;
        self.days = days;
    }

    fn build_journals(&mut self, n: usize) {
        let mut r = ids::rng(self.seed, 2);
        let weights: Vec<u32> = self.journal_templates.iter().map(|t| t.weight).collect();
        let builtin = self.journal_templates.iter().position(|t| t.report_type.is_none()).unwrap_or(0);
        let span = (self.end - self.start) as u64 + 1;
        let n_users = self.users.len() as u32;
        let mut recs = Vec::with_capacity(n);
        for _ in 0..n {
            let mut template = pick_weighted(&mut r, &weights);
            let mut placed: Option<(i64, u16)> = None;
            for _attempt in 0..4 {
                let tpl = &self.journal_templates[template];
                if tpl.report_type.is_none() || tpl.cycles.is_empty() || tpl.range_users.is_empty() {
                    break;
                }
                let (begin, cend) = tpl.cycles[r.random_range(0..tpl.cycles.len())];
                let deadline = tpl.deadline(begin, cend);
                let t = if r.random_bool(0.9) {
                    let before = (8 * 3600).min(deadline - begin).max(1);
                    deadline - r.random_range(0..before)
                } else {
                    let after = (cend - deadline - 1).max(1);
                    deadline + 1 + r.random_range(0..after)
                };
                if t >= self.start && t <= self.end {
                    let u = tpl.range_users[r.random_range(0..tpl.range_users.len())];
                    placed = Some((t, u));
                    break;
                }
            }
            let (t, submitter) = match placed {
                Some(p) => p,
                None => {
                    template = builtin;
                    let t = self.start + (r.next_u64() % span) as i64;
                    (t, r.random_range(0..n_users) as u16)
                }
            };
            let tpl = &self.journal_templates[template];
            let wedrive = if tpl.has_wedrive() { r.random_range(0..4u32) as u8 } else { 0 };
            recs.push(JournalRec { time: t, seed: r.next_u64(), submitter, template: template as u8, wedrive });
        }
        // Guarantee a built-in 汇报 record and a wedrive file in non-trivial datasets.
        if n >= 10 {
            if !recs.iter().any(|x| x.template as usize == builtin) {
                recs[n / 2].template = builtin as u8;
                recs[n / 2].wedrive = 0;
            }
            if !recs.iter().any(|x| x.wedrive > 0) {
                let tpls = &self.journal_templates;
                if let Some(x) = recs.iter_mut().find(|x| tpls[x.template as usize].has_wedrive()) {
                    x.wedrive = 1;
                }
            }
        }
        recs.sort_by_key(|x| x.time);
        self.big_file = recs.iter().position(|x| x.wedrive > 0).map(|i| (i as u32, 0u8));
        self.journals = recs;
    }

    // ----- approvals -------------------------------------------------------

    /// The `sp_no` of approval `idx`: yyyymmdd (UTC+8) + zero-padded day sequence.
    pub(crate) fn sp_no(&self, idx: usize) -> String {
        self.sp_no_of(&self.approvals[idx])
    }

    /// The `sp_no` of a record (seeded or submitted later).
    pub(crate) fn sp_no_of(&self, r: &ApprovalRec) -> String {
        format!("{}{:0w$}", r.day, r.seq, w = self.seq_width)
    }

    /// The legacy numeric `sp_num` of approval `idx`.
    #[cfg(test)]
    pub(crate) fn sp_num(&self, idx: usize) -> u64 {
        self.sp_num_of(&self.approvals[idx])
    }

    /// The legacy numeric `sp_num` of a record.
    pub(crate) fn sp_num_of(&self, r: &ApprovalRec) -> u64 {
        r.day as u64 * 10u64.pow(self.seq_width as u32) + r.seq as u64
    }

    /// Number of seeded forms submitted on `day` (yyyymmdd).
    pub(crate) fn forms_on_day(&self, day: u32) -> u32 {
        match self.days.binary_search_by_key(&day, |d| d.0) {
            Ok(di) => self.days.get(di + 1).map(|d| d.1).unwrap_or(self.approvals.len() as u32) - self.days[di].1,
            Err(_) => 0,
        }
    }

    /// Finds an approval by `sp_no`.
    pub(crate) fn approval_by_sp_no(&self, sp_no: &str) -> Option<usize> {
        if sp_no.len() != 8 + self.seq_width || !sp_no.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let day: u32 = sp_no[..8].parse().ok()?;
        let seq: u32 = sp_no[8..].parse().ok()?;
        let di = self.days.binary_search_by_key(&day, |d| d.0).ok()?;
        let first = self.days[di].1;
        let next = self.days.get(di + 1).map(|d| d.1).unwrap_or(self.approvals.len() as u32);
        if seq == 0 || first + seq > next {
            return None;
        }
        Some((first + seq - 1) as usize)
    }

    /// Index range of approvals with `start <= time <= end`.
    pub(crate) fn approval_window(&self, start: i64, end: i64) -> std::ops::Range<usize> {
        if end < start {
            return 0..0;
        }
        let lo = self.approvals.partition_point(|r| r.time < start);
        let hi = self.approvals.partition_point(|r| r.time <= end);
        lo..hi
    }

    // ----- journals --------------------------------------------------------

    /// The uuid of journal `idx`: a fixed prefix, 22 base58 characters encoding
    /// the index under a keyed mask (decodable, tamper-evident), and noise.
    pub(crate) fn journal_uuid(&self, idx: usize) -> String {
        let check = ids::hash(&[self.seed, idx as u64, 0x10]);
        let v = ((check as u128) << 64) | (idx as u64 ^ ids::mix(check)) as u128;
        format!(
            "{JOURNAL_UUID_PREFIX}{}{}",
            ids::b58(v, 22),
            ids::b58_noise(ids::hash(&[self.seed, idx as u64, 0x11]), 23)
        )
    }

    /// Finds a journal by uuid.
    pub(crate) fn journal_by_uuid(&self, uuid: &str) -> Option<usize> {
        let rest = uuid.strip_prefix(JOURNAL_UUID_PREFIX)?;
        let v = ids::b58_decode(rest.get(..22)?)?;
        let check = (v >> 64) as u64;
        let idx = usize::try_from(v as u64 ^ ids::mix(check)).ok()?;
        if idx >= self.journals.len() {
            return None;
        }
        (self.journal_uuid(idx) == uuid).then_some(idx)
    }

    /// Index range of journals with `start <= time <= end`.
    pub(crate) fn journal_window(&self, start: i64, end: i64) -> std::ops::Range<usize> {
        if end < start {
            return 0..0;
        }
        let lo = self.journals.partition_point(|r| r.time < start);
        let hi = self.journals.partition_point(|r| r.time <= end);
        lo..hi
    }

    /// Compiles `f` against the dataset; returns a predicate over journal indices.
    pub(crate) fn journal_matcher(&self, f: &JournalFilter) -> impl Fn(usize) -> bool + '_ {
        // Unknown values match nothing; several values of one key are OR-ed.
        let templates: Vec<Option<u8>> = f
            .template_ids
            .iter()
            .map(|id| self.journal_templates.iter().position(|t| &t.id == id).map(|p| p as u8))
            .collect();
        let creators: Vec<Option<u16>> = f.creators.iter().map(|u| self.user_index.get(u).copied()).collect();
        let depts: Vec<Option<u32>> = f.departments.iter().map(|d| d.parse().ok()).collect();
        move |idx: usize| {
            let r = &self.journals[idx];
            if !templates.is_empty() && !templates.contains(&Some(r.template)) {
                return false;
            }
            if !creators.is_empty() && !creators.contains(&Some(r.submitter)) {
                return false;
            }
            if !depts.is_empty() {
                let d = self.users[r.submitter as usize].dept;
                if !depts.contains(&Some(d)) {
                    return false;
                }
            }
            true
        }
    }

    /// Indices of journals in the inclusive window matching `f`, in API order.
    pub(crate) fn journal_indices(&self, start: i64, end: i64, f: &JournalFilter) -> Vec<usize> {
        let m = self.journal_matcher(f);
        self.journal_window(start, end).filter(|&i| m(i)).collect()
    }

    // ----- wedrive ---------------------------------------------------------

    /// The wedrive `fileid` of file `k` of journal `jidx` (decodable like the uuids).
    pub(crate) fn wedrive_fileid(&self, jidx: usize, k: u8) -> String {
        let check = ids::hash(&[self.seed, jidx as u64, k as u64, 0x77]);
        let low = ((jidx as u64) << 8 | k as u64) ^ ids::mix(check);
        let v = ((check as u128) << 64) | low as u128;
        format!("s.{}.{}", self.corp_tag, ids::b58(v, 22))
    }

    /// Decodes a wedrive `fileid` to (journal index, file number).
    pub(crate) fn wedrive_lookup(&self, fileid: &str) -> Option<(usize, u8)> {
        let tail = fileid.rsplit('.').next()?;
        let v = ids::b58_decode(tail)?;
        let check = (v >> 64) as u64;
        let low = v as u64 ^ ids::mix(check);
        let jidx = usize::try_from(low >> 8).ok()?;
        let k = (low & 0xff) as u8;
        let rec = self.journals.get(jidx)?;
        if k >= rec.wedrive {
            return None;
        }
        (self.wedrive_fileid(jidx, k) == fileid).then_some((jidx, k))
    }

    /// Every (journal index, file number) with a wedrive file, in journal order.
    pub(crate) fn wedrive_all(&self) -> impl Iterator<Item = (usize, u8)> + '_ {
        self.journals.iter().enumerate().flat_map(|(i, r)| (0..r.wedrive).map(move |k| (i, k)))
    }

    /// Size in bytes of a wedrive file: a few KB mostly, some up to a few MB,
    /// and one of [`BIG_FILE_SIZE`].
    pub(crate) fn wedrive_size(&self, jidx: usize, k: u8) -> u64 {
        if self.big_file == Some((jidx as u32, k)) {
            return BIG_FILE_SIZE;
        }
        let h = ids::hash(&[self.seed, jidx as u64, k as u64, 0x51]);
        let h2 = ids::mix(h);
        match h % 100 {
            0..=69 => 2 * 1024 + h2 % (62 * 1024),
            70..=96 => 64 * 1024 + h2 % (960 * 1024),
            _ => 1024 * 1024 + h2 % (3 * 1024 * 1024),
        }
    }

    /// File name of a wedrive file.
    pub(crate) fn wedrive_name(&self, jidx: usize, k: u8) -> String {
        const EXT: [&str; 6] = ["pdf", "docx", "xlsx", "pptx", "zip", "png"];
        let h = ids::hash(&[self.seed, jidx as u64, k as u64, 0x52]);
        format!("附件{}-{}.{}", jidx + 1, k + 1, EXT[(h % 6) as usize])
    }

    /// Key of the byte generator of a wedrive file.
    pub(crate) fn wedrive_content_key(&self, jidx: usize, k: u8) -> u64 {
        ids::hash(&[self.seed, jidx as u64, k as u64, 0x53])
    }

    // ----- lookups ---------------------------------------------------------

    /// Name of department `id`.
    pub(crate) fn dept_name(&self, id: u32) -> &'static str {
        self.departments.iter().find(|d| d.id == id).map(|d| d.name).unwrap_or("未知部门")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(n: usize) -> DatasetConfig {
        DatasetConfig {
            seed: 7,
            corp_id: "wwtest".into(),
            approvals: n,
            journals: n / 2,
            users: 60,
            start: time::from_local(2025, 1, 1, 0),
            end: time::from_local(2025, 6, 30, 86_399),
        }
    }

    #[test]
    fn ids_roundtrip() {
        let ds = Dataset::build(&cfg(500));
        for i in [0usize, 1, 77, 499] {
            assert_eq!(ds.approval_by_sp_no(&ds.sp_no(i)), Some(i));
        }
        assert_eq!(ds.approval_by_sp_no("202501019999"), None);
        assert_eq!(ds.approval_by_sp_no("x"), None);
        for i in [0usize, 3, 249] {
            assert_eq!(ds.journal_by_uuid(&ds.journal_uuid(i)), Some(i));
        }
        assert_eq!(ds.journal_by_uuid("41eJejN57EJNzr8HrZfmKyzzzz"), None);
        let files: Vec<_> = ds.wedrive_all().collect();
        assert!(!files.is_empty());
        for (j, k) in files {
            assert_eq!(ds.wedrive_lookup(&ds.wedrive_fileid(j, k)), Some((j, k)));
        }
    }

    #[test]
    fn deterministic() {
        let a = Dataset::build(&cfg(300));
        let b = Dataset::build(&cfg(300));
        assert_eq!(a.sp_no(100), b.sp_no(100));
        assert_eq!(a.journal_uuid(10), b.journal_uuid(10));
        assert_eq!(a.users[5].userid, b.users[5].userid);
    }

    #[test]
    fn tiny_and_empty_configs() {
        for (approvals, journals, users, hours) in [(0, 0, 8, 1), (1, 1, 8, 1), (3, 5, 1, 2), (50, 50, 8, 24 * 40)] {
            let ds = Dataset::build(&DatasetConfig {
                seed: 3,
                corp_id: "ww".into(),
                approvals,
                journals,
                users,
                start: time::from_local(2025, 3, 1, 3600),
                end: time::from_local(2025, 3, 1, 3600) + hours * 3600,
            });
            assert_eq!(ds.approvals.len(), approvals);
            for i in 0..approvals {
                assert!(ds.approval_detail(i).is_object());
                assert!(ds.legacy_record(i).is_object());
            }
            for i in 0..journals {
                assert!(ds.journal_detail(i, false).is_object());
            }
            for t in 0..ds.journal_templates.len() {
                let _ = ds.stat_list(t, ds.start, ds.end);
            }
        }
    }

    #[test]
    fn ordered_by_time_then_id() {
        let ds = Dataset::build(&cfg(3000));
        for i in 1..ds.approvals.len() {
            assert!(ds.approvals[i - 1].time <= ds.approvals[i].time);
            assert!(ds.sp_num(i - 1) < ds.sp_num(i));
        }
    }
}
