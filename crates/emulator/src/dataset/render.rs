//! Renders records to the JSON the docs show, from each record's seed.
//!
//! Built from `serde_json::json!` templates that follow the documented examples
//! key by key, quirks included (`applyer`, `notifyer`, `commentUserInfo`, string
//! `commentid` in approvals, numeric `commentid` above 2^53 in journals,
//! numbers carried as strings, empty-array padding inside control values).

use std::borrow::Cow;

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

use super::templates::{ControlDef, Kind, LegacyKind, phone_control};
use super::{ApprovalRec, Dataset, FLAG_BATCH, FLAG_PHONE};
use crate::ids;
use crate::quirks::Padding;
use crate::time::{self, DAY};

/// Keys every control `value` carries as empty arrays unless the control fills them
/// (from the documented examples of getapprovaldetail and journal get_record_detail).
pub(crate) const PAD_KEYS: [&str; 10] = [
    "tips",
    "members",
    "departments",
    "files",
    "children",
    "stat_field",
    "sum_field",
    "related_approval",
    "students",
    "classes",
];

/// Extra padding some journal records carry (newer responses, unconfirmed).
pub(crate) const JOURNAL_EXTRA_PAD: [&str; 2] = ["docs", "wedrive_files"];

/// First journal comment id of the documented example; every journal comment id is above it.
pub(crate) const JOURNAL_COMMENT_BASE: u64 = 6_899_287_783_354_824_502;

const TEXTS: &[&str] = &[
    "文本填写的内容",
    "客户拜访",
    "季度复盘会议",
    "项目需要",
    "参加行业大会",
    "系统升级维护",
    "办公用品补充",
    "新员工培训",
];
const TEXTAREAS: &[&str] = &[
    "项目上线前需要加班完成联调。\n预计两天。",
    "家中有事需要处理。",
    "身体不适，需要休息。",
    "客户现场支持，协助排查问题。",
    "完成接口联调，修复2个缺陷；\n明天继续压测。",
];
const JOURNAL_TEXTS: &[&str] = &[
    "今日暂无工作",
    "<div>完成接口联调</div><div>修复2个缺陷</div>",
    "跟进客户A的合同<br>整理周会纪要",
    "完成需求评审",
    "编写测试用例，执行回归测试",
];
pub(crate) const APPROVE_SPEECH: &[&str] = &["", "同意", "同意，注意控制预算", "OK"];
pub(crate) const REJECT_SPEECH: &[&str] = &["材料不全，请补充", "预算超标，驳回", "请重新提交"];
pub(crate) const COMMENTS: &[&str] = &["这是备注信息", "已补充发票", "请尽快处理", "加油", "收到", "辛苦了"];
const LOCATIONS: &[(&str, &str, &str, &str)] = &[
    ("30.547239", "104.063291", "天府软件园", "四川省成都市武侯区天府大道中段"),
    ("39.984154", "116.307490", "中关村", "北京市海淀区中关村大街"),
    ("31.230416", "121.473701", "人民广场", "上海市黄浦区人民大道"),
    ("22.543096", "114.057865", "深圳市民中心", "广东省深圳市福田区福中三路"),
    ("23.129110", "113.264385", "广州塔", "广东省广州市海珠区阅江西路"),
];
/// A bank for BankAccount values.
struct Bank {
    alias: &'static str,
    alias_code: &'static str,
    branch_id: &'static str,
    province: &'static str,
    province_code: i64,
    city: &'static str,
    city_code: i64,
    branch: &'static str,
}

const BANKS: &[Bank] = &[
    Bank {
        alias: "工商银行",
        alias_code: "1000009547",
        branch_id: "102290000121",
        province: "上海市",
        province_code: 2,
        city: "上海市",
        city_code: 21,
        branch: "中国工商银行股份有限公司上海市分行营业部",
    },
    Bank {
        alias: "建设银行",
        alias_code: "1000009548",
        branch_id: "105100000017",
        province: "北京市",
        province_code: 1,
        city: "北京市",
        city_code: 11,
        branch: "中国建设银行股份有限公司北京市分行",
    },
    Bank {
        alias: "招商银行",
        alias_code: "1000009561",
        branch_id: "308584000013",
        province: "广东省",
        province_code: 19,
        city: "深圳市",
        city_code: 1942,
        branch: "招商银行股份有限公司深圳分行",
    },
];
const VACATIONS: &[(&str, &str)] = &[
    ("1", "年假"),
    ("2", "事假"),
    ("3", "病假"),
    ("4", "调休假"),
    ("5", "婚假"),
    ("6", "产假"),
    ("7", "陪产假"),
    ("8", "其他"),
];
const PUNCH_STATES: &[&str] = &["迟到", "早退", "缺卡"];

fn pick<'a, T, R: Rng>(r: &mut R, items: &'a [T]) -> &'a T {
    &items[r.random_range(0..items.len())]
}

pub(crate) fn pick_str<R: Rng>(r: &mut R, items: &[&'static str]) -> &'static str {
    items[r.random_range(0..items.len())]
}

pub(crate) fn media_id(key: u64) -> String {
    format!("WWCISP_{}", ids::b58_noise(key, 60))
}

/// `[{"text","lang"}]`, or `[{"text"}]` without `lang` (the journal example's form).
fn title(def: &ControlDef, lang: bool) -> Value {
    let entry = |text: &str, l: &str| if lang { json!({"text": text, "lang": l}) } else { json!({"text": text}) };
    let mut t = vec![entry(def.title, "zh_CN")];
    if let Some(en) = def.title_en {
        t.push(entry(en, "en"));
    }
    Value::Array(t)
}

fn pad(mut m: Map<String, Value>, keys: &[&str], extra: bool) -> Value {
    for &k in keys {
        m.entry(k).or_insert_with(|| Value::Array(Vec::new()));
    }
    if extra {
        for k in JOURNAL_EXTRA_PAD {
            m.entry(k).or_insert_with(|| Value::Array(Vec::new()));
        }
    }
    Value::Object(m)
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// What a control renderer needs to know about the record it belongs to.
struct Ctx {
    /// Index of the approval being rendered (for RelatedApproval).
    approval: Option<usize>,
    /// (journal index, wedrive file count) of the journal being rendered.
    journal: Option<(usize, u8)>,
    /// Keys every value is padded with.
    pad: &'static [&'static str],
    /// Pad `docs`/`wedrive_files` too.
    extra_pad: bool,
    /// Titles carry `lang`.
    title_lang: bool,
    /// Record time: values are placed around it.
    base: i64,
}

fn date_range<R: Rng>(r: &mut R, base: i64, hour: bool) -> (Value, i64, i64) {
    let day0 = time::local_midnight(base) + DAY * r.random_range(0..7i64);
    let (b, e, dur) = if hour {
        let b = day0 + 3600 * r.random_range(9..15i64);
        let h = r.random_range(1..6i64);
        (b, b + h * 3600, h * 3600)
    } else {
        let half = r.random_range(1..6i64);
        let b = day0 + if r.random_bool(0.5) { 0 } else { 12 * 3600 };
        (b, b + half * 12 * 3600, half * 43_200)
    };
    let ty = if hour { "hour" } else { "halfday" };
    (json!({"type": ty, "new_begin": b, "new_end": e, "new_duration": dur}), b, dur)
}

impl Dataset {
    fn render_control(&self, def: &ControlDef, r: &mut ChaCha8Rng, cx: &Ctx) -> Value {
        let base = cx.base;
        let journal_mode = cx.journal.is_some();
        let data: Value = match &def.kind {
            Kind::Text => {
                let t = if journal_mode { pick(r, JOURNAL_TEXTS) } else { pick(r, TEXTS) };
                json!({"text": t})
            }
            Kind::Textarea => {
                let t = if journal_mode && r.random_bool(0.3) { pick(r, JOURNAL_TEXTS) } else { pick(r, TEXTAREAS) };
                json!({"text": t})
            }
            Kind::Number => {
                let n = if r.random_bool(0.7) {
                    r.random_range(1..1000u32).to_string()
                } else {
                    format!("{}.{}", r.random_range(0..100u32), r.random_range(1..10u32))
                };
                json!({"new_number": n})
            }
            Kind::Money => {
                let m = if r.random_bool(0.4) {
                    r.random_range(1..20_000u32).to_string()
                } else {
                    format!("{}.{:02}", r.random_range(1..20_000u32), r.random_range(0..100u32))
                };
                json!({"new_money": m})
            }
            Kind::Date { hour } => {
                let ts = if *hour {
                    let t = base + r.random_range(0..14 * DAY);
                    t - t.rem_euclid(60)
                } else {
                    time::local_midnight(base) + DAY * r.random_range(0..14i64)
                };
                let mut date = json!({"type": if *hour { "hour" } else { "day" }, "s_timestamp": ts.to_string()});
                if r.random_bool(0.05) {
                    date["timezone_info"] = json!({"zone_offset": "9", "zone_desc": "UTC+9"});
                }
                json!({"date": date})
            }
            Kind::Selector { multi, options } => {
                let mut chosen: Vec<usize> =
                    if *multi { (0..options.len()).filter(|_| r.random_bool(0.4)).collect() } else { Vec::new() };
                if chosen.is_empty() {
                    chosen.push(r.random_range(0..options.len()));
                }
                let opts: Vec<Value> = chosen
                    .iter()
                    .map(|&i| {
                        let key = 1_560_000_000_000
                            + ids::hash(&[self.seed, ids::hash_str(&def.id), i as u64]) % 100_000_000_000;
                        json!({"key": format!("option-{key}"), "value": [{"text": options[i], "lang": "zh_CN"}]})
                    })
                    .collect();
                json!({"selector": {"type": if *multi { "multi" } else { "single" }, "options": opts}})
            }
            Kind::Members => {
                let n = r.random_range(1..=3usize);
                let ms: Vec<Value> = (0..n)
                    .map(|_| {
                        let u = pick(r, &self.users);
                        json!({"userid": u.userid, "name": u.name})
                    })
                    .collect();
                json!({"members": ms})
            }
            Kind::Departments => {
                let n = r.random_range(1..=2usize);
                let ds: Vec<Value> = (0..n)
                    .map(|_| {
                        let d = pick(r, &self.departments);
                        json!({"openapi_id": d.id.to_string(), "name": d.name})
                    })
                    .collect();
                json!({"departments": ds})
            }
            Kind::Tips => json!({}),
            Kind::File => {
                let n = r.random_range(1..=3usize);
                let fs: Vec<Value> = (0..n).map(|_| json!({"file_id": media_id(r.random::<u64>())})).collect();
                json!({"files": fs})
            }
            Kind::Table(children) => {
                let rows = r.random_range(2..=4usize);
                let rows: Vec<Value> = (0..rows)
                    .map(|_| {
                        let list: Vec<Value> = children.iter().map(|c| self.render_control(c, r, cx)).collect();
                        json!({"list": list})
                    })
                    .collect();
                json!({"children": rows})
            }
            Kind::Vacation => {
                let (k, name) = *pick(r, VACATIONS);
                let hourly = r.random_bool(0.5);
                let (dr, _, dur) = date_range(r, base, hourly);
                let mut att = json!({"date_range": dr, "type": 1});
                if r.random_bool(0.5) {
                    att["slice_info"] = slice_info(r, &dr, dur);
                }
                json!({"vacation": {
                    "selector": {"type": "single", "options": [{"key": k, "value": [{"text": name, "lang": "zh_CN"}]}], "exp_type": 0},
                    "attendance": att
                }})
            }
            Kind::Attendance(ty) => {
                let hourly = r.random_bool(0.5);
                let (dr, _, dur) = date_range(r, base, hourly);
                let mut att = json!({"date_range": dr, "type": ty});
                if r.random_bool(0.6) {
                    att["slice_info"] = slice_info(r, &dr, dur);
                }
                json!({"attendance": att})
            }
            Kind::PunchCorrection => {
                let day = time::local_midnight(base) - DAY * r.random_range(0..5i64);
                let t = day + 9 * 3600 + r.random_range(0..1800i64);
                let mut pc = json!({"state": pick(r, PUNCH_STATES), "time": t});
                if r.random_bool(0.5) {
                    pc["version"] = json!(1);
                    pc["daymonthyear"] = json!(day);
                }
                json!({"punch_correction": pc})
            }
            Kind::DateRange { hour } => {
                let (mut dr, _, _) = date_range(r, base, *hour);
                if r.random_bool(0.3) {
                    dr["perday_duration"] = json!(86_400);
                }
                if r.random_bool(0.05) {
                    dr["timezone_info"] = json!({"zone_offset": "9", "zone_desc": "UTC+9"});
                }
                json!({"date_range": dr})
            }
            Kind::Location => {
                let (lat, lng, t, addr) = *pick(r, LOCATIONS);
                json!({"location": {"latitude": lat, "longitude": lng, "title": t, "address": addr, "time": base - r.random_range(0..3600i64)}})
            }
            Kind::RelatedApproval => {
                let me = cx.approval.unwrap_or(0);
                let other = if me > 0 {
                    r.random_range(0..me)
                } else if self.approvals.len() > 1 {
                    1
                } else {
                    0
                };
                let items = match self.approvals.get(other) {
                    Some(o) => {
                        let tpl = &self.approval_templates[o.template as usize];
                        vec![json!({
                            "template_names": [{"text": tpl.name, "lang": "zh_CN"}],
                            "sp_status": o.status,
                            "name": self.users[o.creator as usize].name,
                            "create_time": o.time,
                            "sp_no": self.sp_no(other),
                        })]
                    }
                    None => Vec::new(),
                };
                json!({"related_approval": items})
            }
            Kind::Formula => {
                json!({"formula": {"value": format!("{}.{}", r.random_range(0..5000u32), r.random_range(0..10u32))}})
            }
            Kind::BankAccount => {
                let bank = pick(r, BANKS);
                let personal = r.random_bool(0.5);
                json!({"bank_account": {
                    "account_type": if personal { 2 } else { 1 },
                    "account_name": if personal { "张伟" } else { "示例科技有限公司" },
                    "account_number": format!("6212{:015}", r.random_range(0..1_000_000_000_000_000u64)),
                    "remark": "备注",
                    "bank": {
                        "bank_alias": bank.alias, "bank_alias_code": bank.alias_code,
                        "province": bank.province, "province_code": bank.province_code,
                        "city": bank.city, "city_code": bank.city_code,
                        "bank_branch_name": bank.branch, "bank_branch_id": bank.branch_id
                    }
                }})
            }
            Kind::PhoneNumber => {
                json!({"phone_number": {"country_code": "86", "phone": format!("13{:09}", r.random_range(0..1_000_000_000u64))}})
            }
            Kind::Doc => {
                let n = r.random_range(1..=2usize);
                let docs: Vec<Value> = (0..n)
                    .map(|_| json!({"docid": format!("dc{}_j", ids::b58_noise(r.random::<u64>(), 40))}))
                    .collect();
                json!({"docs": docs})
            }
            Kind::WedriveFile => {
                let files: Vec<Value> = match cx.journal {
                    Some((j, n)) => (0..n).map(|k| json!({"fileid": self.wedrive_fileid(j, k)})).collect(),
                    None => Vec::new(),
                };
                json!({"wedrive_files": files})
            }
        };
        json!({
            "control": def.kind.control(),
            "id": def.id,
            "title": title(def, cx.title_lang),
            "value": pad(obj(data), cx.pad, cx.extra_pad),
        })
    }

    // ----- approvals -------------------------------------------------------

    /// The state of a seeded form as generated: flow (nodes, approvers, CC, 办理)
    /// from the record's stream 2, comments from stream 4.
    pub(crate) fn initial_state(&self, rec: &ApprovalRec) -> FormState {
        let mut r = ids::rng(rec.seed, 2);
        let n_users = self.users.len();
        let n_nodes = r.random_range(1..=3usize);
        let (stop, rejected) = match rec.status {
            2 | 6 | 7 | 10 => (n_nodes, None),
            3 => {
                let k = r.random_range(0..n_nodes);
                (k, Some(k))
            }
            _ => (r.random_range(0..n_nodes), None),
        };
        let mut used = vec![rec.creator];
        let mut fresh = |r: &mut ChaCha8Rng| -> u16 {
            for _ in 0..20 {
                let u = r.random_range(0..n_users) as u16;
                if !used.contains(&u) {
                    used.push(u);
                    return u;
                }
            }
            r.random_range(0..n_users) as u16
        };
        let mut t = rec.time;
        let mut nodes = Vec::with_capacity(n_nodes);
        // (node, detail, has media): media ids depend on the position, assigned at the end.
        for k in 0..n_nodes {
            let attr: u8 = if r.random_bool(0.7) { 1 } else { 2 };
            let n_app = if attr == 1 { r.random_range(1..=2usize) } else { r.random_range(2..=3usize) };
            let approvers: Vec<u16> = (0..n_app).map(|_| fresh(&mut r)).collect();
            let mut details = Vec::with_capacity(n_app + 1);
            let status;
            if k < stop {
                status = 2;
                t += r.random_range(300..2 * DAY);
                if r.random_bool(0.05) {
                    details.push(Detail::acted(fresh(&mut r), 4, "转交给同事处理", t - 60, false));
                }
                let actor = r.random_range(0..n_app);
                for (j, u) in approvers.iter().enumerate() {
                    let acted = attr == 2 || j == actor;
                    if acted {
                        t += r.random_range(0..3600i64);
                    }
                    let status = if !acted {
                        1
                    } else if r.random_bool(0.05) {
                        13
                    } else {
                        2
                    };
                    let speech = if acted { pick_str(&mut r, APPROVE_SPEECH) } else { "" };
                    let media = acted && r.random_bool(0.1);
                    details.push(Detail::acted(*u, status, speech, if acted { t } else { 0 }, media));
                }
            } else if rejected == Some(k) {
                status = 3;
                t += r.random_range(300..2 * DAY);
                let actor = r.random_range(0..n_app);
                for (j, u) in approvers.iter().enumerate() {
                    let acted = j == actor;
                    details.push(if acted {
                        Detail::acted(*u, 3, pick_str(&mut r, REJECT_SPEECH), t, false)
                    } else {
                        Detail::pending(*u)
                    });
                }
            } else {
                status = 1;
                details.extend(approvers.iter().map(|u| Detail::pending(*u)));
            }
            nodes.push(Node { attr, status, details });
        }
        let n_cc = r.random_range(0..=2usize);
        let notifyers: Vec<u16> = (0..n_cc).map(|_| fresh(&mut r)).collect();
        let handler =
            if matches!(rec.status, 2 | 10) && r.random_bool(0.15) { Some((fresh(&mut r), t + 600)) } else { None };
        for (k, n) in nodes.iter_mut().enumerate() {
            for (j, d) in n.details.iter_mut().enumerate() {
                if d.media.is_some() {
                    d.media = Some(media_id(ids::hash(&[rec.seed, k as u64, j as u64])));
                }
            }
        }
        // Comments: string commentid, camelCase commentUserInfo when rendered.
        let mut r = ids::rng(rec.seed, 4);
        let n_comments = match r.random_range(0..10u32) {
            0..=4 => 0,
            5..=7 => 1,
            _ => 2,
        };
        let mut ct = rec.time;
        let comments: Vec<Comment> = (0..n_comments)
            .map(|j| {
                ct += r.random_range(60..DAY);
                let user = if r.random_bool(0.5) { rec.creator } else { r.random_range(0..self.users.len()) as u16 };
                let id =
                    6_700_000_000_000_000_000u64 + ids::hash(&[rec.seed, j as u64, 0xC1]) % 100_000_000_000_000_000;
                let content = pick_str(&mut r, COMMENTS);
                let media = r.random_bool(0.3).then(|| media_id(ids::hash(&[rec.seed, j as u64, 0xC2])));
                Comment { user, time: ct, content: Cow::Borrowed(content), id: id.to_string(), media }
            })
            .collect();
        FormState { status: rec.status, nodes, notifyers, handler, end_time: t, comments }
    }

    /// The state of a form just submitted: the seeded flow with every node and
    /// approver pending, no CC time, no comments.
    pub(crate) fn submitted_state(&self, rec: &ApprovalRec) -> FormState {
        let mut st = self.initial_state(rec);
        st.status = 1;
        for n in &mut st.nodes {
            n.status = 1;
            n.details.retain(|d| d.status != 4);
            for d in &mut n.details {
                *d = Detail::pending(d.user);
            }
        }
        st.handler = None;
        st.end_time = rec.time;
        st.comments.clear();
        st
    }

    /// `apply_data.contents` of a form, values padded with `padding`; `idx` is its position
    /// (RelatedApproval points at an earlier seeded form).
    pub(crate) fn approval_contents(&self, rec: &ApprovalRec, idx: usize, padding: Padding) -> Vec<Value> {
        let tpl = &self.approval_templates[rec.template as usize];
        let mut r = ids::rng(rec.seed, 3);
        let cx = Ctx {
            approval: Some(idx),
            journal: None,
            pad: padding.keys(),
            extra_pad: false,
            title_lang: true,
            base: rec.time,
        };
        let mut out: Vec<Value> = tpl.controls.iter().map(|c| self.render_control(c, &mut r, &cx)).collect();
        if rec.flags & FLAG_PHONE != 0 {
            let phone = self.render_control(&phone_control(self.seed), &mut r, &cx);
            out.insert(out.len().min(1), phone);
        }
        out
    }

    /// The `info` object of getapprovaldetail of seeded approval `idx`, as generated.
    #[cfg(test)]
    pub(crate) fn approval_detail(&self, idx: usize) -> Value {
        let rec = &self.approvals[idx];
        self.render_detail(rec, idx, &self.initial_state(rec), Padding::default())
    }

    /// The `info` object of getapprovaldetail for a form in state `st`.
    pub(crate) fn render_detail(&self, rec: &ApprovalRec, idx: usize, st: &FormState, padding: Padding) -> Value {
        let tpl = &self.approval_templates[rec.template as usize];
        let creator = &self.users[rec.creator as usize];
        let uid = |u: u16| self.users[u as usize].userid.clone();
        let mut info = Map::new();
        info.insert("sp_no".into(), json!(self.sp_no_of(rec)));
        info.insert("sp_name".into(), json!(tpl.name));
        info.insert("sp_status".into(), json!(st.status));
        info.insert("template_id".into(), json!(tpl.id));
        info.insert("apply_time".into(), json!(rec.time));
        if rec.flags & FLAG_BATCH != 0 {
            let mut r = ids::rng(rec.seed, 7);
            let n = r.random_range(2..=3usize);
            let mut list = vec![json!({"userid": creator.userid})];
            for _ in 1..n {
                list.push(json!({"userid": pick(&mut r, &self.users).userid}));
            }
            info.insert("batch_applyer".into(), Value::Array(list));
        } else {
            info.insert("applyer".into(), json!({"userid": creator.userid, "partyid": creator.dept.to_string()}));
        }
        let media = |m: &Option<String>| -> Value { m.as_ref().map(|m| json!([m])).unwrap_or_else(|| json!([])) };
        let sp_record: Vec<Value> = st
            .nodes
            .iter()
            .map(|n| {
                let details: Vec<Value> = n
                    .details
                    .iter()
                    .map(|d| {
                        json!({
                            "approver": {"userid": uid(d.user)},
                            "speech": d.speech,
                            "sp_status": d.status,
                            "sptime": d.sptime,
                            "media_id": media(&d.media),
                        })
                    })
                    .collect();
                json!({"sp_status": n.status, "approverattr": n.attr, "details": details})
            })
            .collect();
        info.insert("sp_record".into(), Value::Array(sp_record));
        info.insert("notifyer".into(), Value::Array(st.notifyers.iter().map(|u| json!({"userid": uid(*u)})).collect()));
        info.insert("apply_data".into(), json!({"contents": self.approval_contents(rec, idx, padding)}));
        let comments: Vec<Value> = st
            .comments
            .iter()
            .map(|c| {
                json!({
                    "commentUserInfo": {"userid": uid(c.user)},
                    "commenttime": c.time,
                    "commentcontent": c.content,
                    "commentid": c.id,
                    "media_id": media(&c.media),
                })
            })
            .collect();
        info.insert("comments".into(), Value::Array(comments));
        // process_list: approver nodes, an optional 办理 node, then CC.
        let mut node_list: Vec<Value> = st
            .nodes
            .iter()
            .map(|n| {
                let subs: Vec<Value> = n
                    .details
                    .iter()
                    .map(|d| {
                        json!({"userid": uid(d.user), "speech": d.speech, "sp_yj": d.status, "sptime": d.sptime, "media_ids": []})
                    })
                    .collect();
                json!({"node_type": 1, "sp_status": n.status, "apv_rel": if n.attr == 1 { 2 } else { 1 }, "sub_node_list": subs})
            })
            .collect();
        if let Some((u, t)) = st.handler {
            node_list.push(json!({"node_type": 3, "sp_status": 14, "apv_rel": 2, "sub_node_list": [
                {"userid": uid(u), "speech": "已办理", "sp_yj": 14, "sptime": t, "media_ids": []}
            ]}));
        }
        if !st.notifyers.is_empty() {
            let cc_time = if matches!(st.status, 2 | 6 | 10) { st.end_time } else { 0 };
            let subs: Vec<Value> = st
                .notifyers
                .iter()
                .map(|u| json!({"userid": uid(*u), "speech": "", "sptime": cc_time, "media_ids": []}))
                .collect();
            node_list.push(json!({"node_type": 2, "sub_node_list": subs}));
        }
        info.insert("process_list".into(), json!({"node_list": node_list}));
        Value::Object(info)
    }

    /// One `data[]` entry of the legacy getapprovaldata of seeded approval `idx`, as generated.
    #[cfg(test)]
    pub(crate) fn legacy_record(&self, idx: usize) -> Value {
        let rec = &self.approvals[idx];
        self.render_legacy(rec, idx, &self.initial_state(rec))
    }

    /// One `data[]` entry of the legacy getapprovaldata for a form in state `st`.
    pub(crate) fn render_legacy(&self, rec: &ApprovalRec, idx: usize, st: &FormState) -> Value {
        let rec = *rec;
        let tpl = &self.approval_templates[rec.template as usize];
        let creator = &self.users[rec.creator as usize];
        let contents = self.approval_contents(&rec, idx, Padding::Full);
        let name = |u: u16| self.users[u as usize].name.clone();
        let mut approvers: Vec<String> = Vec::new();
        for n in &st.nodes {
            for d in &n.details {
                let nm = name(d.user);
                if !approvers.contains(&nm) {
                    approvers.push(nm);
                }
            }
        }
        let notify: Vec<String> = st.notifyers.iter().map(|u| name(*u)).collect();
        let mut r = ids::rng(rec.seed, 6);
        let old_form = (rec.seed >> 7) & 1 == 0;
        let apply_data = legacy_apply_data(&contents, old_form, rec.seed);
        let mut m = Map::new();
        m.insert("spname".into(), json!(tpl.name));
        m.insert("apply_name".into(), json!(creator.name));
        m.insert("apply_org".into(), json!(self.dept_name(creator.dept)));
        m.insert("approval_name".into(), json!(approvers));
        m.insert("notify_name".into(), json!(notify));
        m.insert("sp_status".into(), json!(st.status));
        m.insert("sp_num".into(), json!(self.sp_num_of(&rec)));
        if r.random_bool(0.5) {
            m.insert("mediaids".into(), json!([media_id(ids::hash(&[rec.seed, 0x3D]))]));
        }
        m.insert("apply_time".into(), json!(rec.time));
        m.insert("apply_user_id".into(), json!(creator.userid));
        match tpl.legacy {
            LegacyKind::Leave => {
                let vac = contents.first().and_then(|c| c.pointer("/value/vacation")).cloned().unwrap_or(Value::Null);
                let dr = vac.pointer("/attendance/date_range");
                let b = dr.and_then(|d| d.get("new_begin")).and_then(Value::as_i64).unwrap_or(rec.time);
                let e = dr.and_then(|d| d.get("new_end")).and_then(Value::as_i64).unwrap_or(rec.time);
                let hourly = dr.and_then(|d| d.get("type")).and_then(Value::as_str) == Some("hour");
                let leave_type: i64 = vac
                    .pointer("/selector/options/0/key")
                    .and_then(Value::as_str)
                    .and_then(|k| k.parse().ok())
                    .unwrap_or(8);
                let reason = contents.get(1).and_then(|c| c.pointer("/value/text")).cloned().unwrap_or(json!(""));
                m.insert(
                    "leave".into(),
                    json!({"timeunit": if hourly { 1 } else { 0 }, "leave_type": leave_type, "start_time": b, "end_time": e, "duration": (e - b) / 3600, "reason": reason}),
                );
            }
            LegacyKind::Expense => {
                let expense_type = contents
                    .first()
                    .and_then(|c| c.pointer("/value/selector/options/0/value/0/text"))
                    .and_then(Value::as_str)
                    .and_then(|t| ["差旅费", "交通费", "招待费", "其他报销"].iter().position(|x| *x == t))
                    .map(|p| p as i64 + 1)
                    .unwrap_or(4);
                let mut exp = json!({"expense_type": expense_type, "reason": pick(&mut r, TEXTS)});
                if r.random_bool(0.4) {
                    let n = r.random_range(1..=3usize);
                    let items: Vec<Value> = (0..n)
                        .map(|_| {
                            json!({"expenseitem_type": r.random_range(1..=10u32), "time": time::local_midnight(rec.time) - DAY * r.random_range(0..10i64), "sums": r.random_range(10..5000u32), "reason": ""})
                        })
                        .collect();
                    exp["item"] = Value::Array(items);
                }
                m.insert("expense".into(), exp);
            }
            LegacyKind::None => {}
        }
        m.insert("comm".into(), json!({"apply_data": apply_data}));
        Value::Object(m)
    }

    // ----- journals --------------------------------------------------------

    /// The `info` object of journal get_record_detail for journal `idx`; control titles carry
    /// `lang` only with `title_lang`.
    pub(crate) fn journal_detail(&self, idx: usize, title_lang: bool) -> Value {
        let rec = self.journals[idx];
        let tpl = &self.journal_templates[rec.template as usize];
        let mut r = ids::rng(rec.seed, 3);
        let uid = |u: u16| json!({"userid": self.users[u as usize].userid});
        let mut receivers: Vec<u16> = tpl.receivers.clone();
        if tpl.report_type.is_none() || r.random_bool(0.3) {
            let extra = r.random_range(0..self.users.len()) as u16;
            if extra != rec.submitter && !receivers.contains(&extra) {
                receivers.push(extra);
            }
        }
        receivers.retain(|u| *u != rec.submitter);
        if receivers.is_empty() {
            receivers.push(((rec.submitter as usize + 1) % self.users.len()) as u16);
        }
        let n_read = r.random_range(0..=receivers.len());
        let cx = Ctx {
            approval: None,
            journal: Some((idx, rec.wedrive)),
            pad: &PAD_KEYS,
            extra_pad: (rec.seed >> 11) & 1 == 1,
            title_lang,
            base: rec.time,
        };
        let mut info = Map::new();
        info.insert("journal_uuid".into(), json!(self.journal_uuid(idx)));
        info.insert("template_id".into(), json!(tpl.id));
        info.insert("template_name".into(), json!(tpl.name));
        info.insert("report_time".into(), json!(rec.time));
        info.insert("submitter".into(), uid(rec.submitter));
        info.insert("receivers".into(), Value::Array(receivers.iter().map(|u| uid(*u)).collect()));
        info.insert("readed_receivers".into(), Value::Array(receivers[..n_read].iter().map(|u| uid(*u)).collect()));
        let contents: Vec<Value> = tpl.controls.iter().map(|c| self.render_control(c, &mut r, &cx)).collect();
        info.insert("apply_data".into(), json!({"contents": contents}));
        if tpl.report_type.is_none() {
            let today = pick(&mut r, JOURNAL_TEXTS);
            let plan = pick(&mut r, TEXTAREAS).replace('\n', "<br>");
            info.insert(
                "sys_journal_data".into(),
                json!(format!(
                    "<div><b>今日工作</b></div><div>{today}</div><div><b>明日计划</b></div><div>{plan}</div>"
                )),
            );
        }
        let mut rc = ids::rng(rec.seed, 5);
        let n_comments = match rc.random_range(0..10u32) {
            0..=3 => 0,
            4..=6 => 1,
            7..=8 => 2,
            _ => 3,
        };
        let mut prev = 0u64;
        let mut ct = rec.time;
        let comments: Vec<Value> = (0..n_comments)
            .map(|j| {
                let id =
                    JOURNAL_COMMENT_BASE + ids::hash(&[self.seed, idx as u64, j as u64, 0xC3]) % 1_000_000_000_000_000;
                let to = if j > 0 && rc.random_bool(0.4) { prev } else { 0 };
                prev = id;
                ct += rc.random_range(60..DAY);
                json!({
                    "commentid": id,
                    "tocommentid": to,
                    "comment_userinfo": {"userid": pick(&mut rc, &self.users).userid},
                    "content": pick(&mut rc, COMMENTS),
                    "comment_time": ct,
                })
            })
            .collect();
        info.insert("comments".into(), Value::Array(comments));
        Value::Object(info)
    }

    /// Finished cycles of journal template `t` whose begin lies in `[start, end]`.
    pub(crate) fn stat_cycles(&self, t: usize, start: i64, end: i64) -> Vec<(i64, i64)> {
        let Some(tpl) = self.journal_templates.get(t) else {
            return Vec::new();
        };
        tpl.cycles
            .iter()
            .copied()
            // Dataset ends are inclusive, cycle ends exclusive.
            .filter(|&(b, e)| e <= self.end + 1 && b >= start && b <= end)
            .collect()
    }

    /// `stat_list` of get_stat_list for journal template `t` and window `[start, end]`.
    pub(crate) fn stat_list(&self, t: usize, start: i64, end: i64) -> Vec<Value> {
        let Some(tpl) = self.journal_templates.get(t) else {
            return Vec::new();
        };
        let Some(report_type) = tpl.report_type else {
            return Vec::new();
        };
        let uid = |u: u16| json!({"userid": self.users[u as usize].userid});
        let report_range = json!({
            "user_list": tpl.user_list.iter().map(|u| uid(*u)).collect::<Vec<_>>(),
            "party_list": tpl.party_list.iter().map(|p| json!({"open_partyid": p.to_string()})).collect::<Vec<_>>(),
            "tag_list": [],
        });
        let white_range = json!({
            "user_list": tpl.white_users.iter().map(|u| uid(*u)).collect::<Vec<_>>(),
            "party_list": [],
            "tag_list": [],
        });
        let receivers = json!({
            "user_list": tpl.receivers.iter().map(|u| uid(*u)).collect::<Vec<_>>(),
            "tag_list": [],
            "leader_list": tpl.leader_levels.iter().map(|l| json!({"level": l})).collect::<Vec<_>>(),
        });
        self.stat_cycles(t, start, end)
            .into_iter()
            .map(|(b, e)| {
                let deadline = tpl.deadline(b, e);
                let mut reporters: Vec<(u16, Vec<Value>)> = Vec::new();
                for j in self.journal_window(b, e - 1) {
                    let jr = &self.journals[j];
                    if jr.template as usize != t {
                        continue;
                    }
                    let item = json!({"journaluuid": self.journal_uuid(j), "reporttime": jr.time, "flag": if jr.time > deadline { 1 } else { 0 }});
                    match reporters.iter_mut().find(|x| x.0 == jr.submitter) {
                        Some(x) => x.1.push(item),
                        None => reporters.push((jr.submitter, vec![item])),
                    }
                }
                let report_list: Vec<Value> = reporters
                    .iter()
                    .map(|(u, items)| json!({"user": uid(*u), "itemlist": items}))
                    .collect();
                let unreport_list: Vec<Value> = tpl
                    .range_users
                    .iter()
                    .filter(|u| !reporters.iter().any(|x| x.0 == **u) && !tpl.white_users.contains(u))
                    .map(|u| json!({"user": uid(*u), "itemlist": [{"journaluuid": "", "reporttime": b, "flag": 0}]}))
                    .collect();
                json!({
                    "template_id": tpl.id,
                    "template_name": tpl.name,
                    "report_range": report_range,
                    "white_range": white_range,
                    "receivers": receivers,
                    "cycle_begin_time": b,
                    "cycle_end_time": e,
                    "stat_begin_time": b,
                    "stat_end_time": deadline,
                    "report_list": report_list,
                    "unreport_list": unreport_list,
                    "report_type": report_type,
                })
            })
            .collect()
    }
}

fn slice_info(r: &mut ChaCha8Rng, dr: &Value, dur: i64) -> Value {
    let b = dr.get("new_begin").and_then(Value::as_i64).unwrap_or(0);
    let e = dr.get("new_end").and_then(Value::as_i64).unwrap_or(b);
    let mut items = Vec::new();
    let mut day = time::local_midnight(b);
    while day <= e && items.len() < 10 {
        let from = b.max(day);
        let to = e.min(day + DAY);
        if to > from {
            items.push(json!({"daytime": day, "duration": to - from}));
        }
        day += DAY;
    }
    json!({"duration": dur, "state": if r.random_bool(0.8) { 1 } else { 2 }, "day_items": items})
}

/// Legacy `comm.apply_data`: a JSON *string* holding the old object map (注解2) or
/// the new array form (注解3).
fn legacy_apply_data(contents: &[Value], old_form: bool, seed: u64) -> String {
    let mut items: Vec<(String, String, &'static str, Value)> = Vec::new();
    for c in contents {
        let control = c.get("control").and_then(Value::as_str).unwrap_or("");
        let id = c.get("id").and_then(Value::as_str).unwrap_or("");
        let digits = id.rsplit('-').next().unwrap_or("0");
        let title = c.pointer("/title/0/text").and_then(Value::as_str).unwrap_or("").to_string();
        let v = c.get("value").cloned().unwrap_or(Value::Null);
        let s = |p: &str| v.pointer(p).and_then(Value::as_str).unwrap_or("").to_string();
        let (ty, value): (&'static str, Value) = match control {
            "Text" => ("text", json!(s("/text"))),
            "Textarea" => ("textarea", json!(s("/text"))),
            "Number" => ("number", json!(s("/new_number"))),
            "Money" => ("price", json!(s("/new_money"))),
            "Date" => {
                let ms = format!("{}000", s("/date/s_timestamp"));
                (if s("/date/type") == "hour" { "datehour" } else { "date" }, json!(ms))
            }
            "Selector" => {
                let texts: Vec<String> = v
                    .pointer("/selector/options")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|o| o.pointer("/value/0/text").and_then(Value::as_str))
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                (if s("/selector/type") == "multi" { "checkbox" } else { "select" }, json!(texts.join(",")))
            }
            "Tips" => ("tips", json!("")),
            "File" => {
                let n = v.get("files").and_then(Value::as_array).map(Vec::len).unwrap_or(0);
                let urls: Vec<String> = (0..n)
                    .map(|i| {
                        format!(
                            "https://p.qpic.cn/pic_wework/{}/{}/0",
                            ids::hash(&[seed, i as u64]) % 10_000_000_000,
                            ids::hex64(ids::hash(&[seed, i as u64, 1]))
                        )
                    })
                    .collect();
                ("image", json!(urls))
            }
            "Table" => {
                let n = v.get("children").and_then(Value::as_array).map(Vec::len).unwrap_or(0);
                ("list", json!(format!("共{n}条明细")))
            }
            "Formula" => ("expenseAmount", json!(s("/formula/value"))),
            _ => ("text", json!(describe(control, &v))),
        };
        items.push((format!("item-{digits}"), title, ty, value));
    }
    let v = if old_form {
        let mut m = Map::new();
        for (id, title, ty, value) in items {
            m.insert(id, json!({"title": title, "type": ty, "value": value}));
        }
        Value::Object(m)
    } else {
        Value::Array(
            items
                .into_iter()
                .map(|(id, title, ty, value)| json!({"id": id, "type": ty, "value": value, "title": title}))
                .collect(),
        )
    };
    v.to_string()
}

/// A one-line text rendering of a control without a legacy type.
fn describe(control: &str, v: &Value) -> String {
    let range = |dr: Option<&Value>| -> String {
        let t = |k: &str| dr.and_then(|d| d.get(k)).and_then(Value::as_i64).unwrap_or(0);
        format!("{} ~ {}", time::format_local(t("new_begin")), time::format_local(t("new_end")))
    };
    let names = |key: &str, field: &str| -> String {
        v.get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|x| x.get(field).and_then(Value::as_str)).collect::<Vec<_>>().join(","))
            .unwrap_or_default()
    };
    match control {
        "Vacation" => {
            let kind = v.pointer("/vacation/selector/options/0/value/0/text").and_then(Value::as_str).unwrap_or("");
            format!("{kind} {}", range(v.pointer("/vacation/attendance/date_range")))
        }
        "Attendance" => range(v.pointer("/attendance/date_range")),
        "DateRange" => range(v.get("date_range")),
        "PunchCorrection" => {
            let state = v.pointer("/punch_correction/state").and_then(Value::as_str).unwrap_or("");
            let t = v.pointer("/punch_correction/time").and_then(Value::as_i64).unwrap_or(0);
            format!("{state} {}", time::format_local(t))
        }
        "Location" => v.pointer("/location/address").and_then(Value::as_str).unwrap_or("").to_string(),
        "Contact" => {
            let m = names("members", "name");
            if m.is_empty() { names("departments", "name") } else { m }
        }
        "RelatedApproval" => names("related_approval", "sp_no"),
        "BankAccount" => format!(
            "{} {}",
            v.pointer("/bank_account/account_name").and_then(Value::as_str).unwrap_or(""),
            v.pointer("/bank_account/account_number").and_then(Value::as_str).unwrap_or("")
        ),
        "PhoneNumber" => v.pointer("/phone_number/phone").and_then(Value::as_str).unwrap_or("").to_string(),
        other => other.to_string(),
    }
}

/// One approval node (a `sp_record` entry).
#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// 1 或签, 2 会签.
    pub attr: u8,
    /// 1 审批中, 2 已同意, 3 已驳回, 4 已转审.
    pub status: u8,
    pub details: Vec<Detail>,
}

/// One approver of a node (a `details` entry).
#[derive(Debug, Clone)]
pub(crate) struct Detail {
    pub user: u16,
    pub status: u8,
    pub speech: Cow<'static, str>,
    /// 0 until the approver acts.
    pub sptime: i64,
    pub media: Option<String>,
}

impl Detail {
    /// An approver who has not acted yet.
    pub(crate) fn pending(user: u16) -> Detail {
        Detail { user, status: 1, speech: Cow::Borrowed(""), sptime: 0, media: None }
    }

    /// An approver who acted; `media` marks an attachment (its id is assigned by position).
    fn acted(user: u16, status: u8, speech: &'static str, sptime: i64, media: bool) -> Detail {
        Detail { user, status, speech: Cow::Borrowed(speech), sptime, media: media.then(String::new) }
    }
}

/// One comment of a form.
#[derive(Debug, Clone)]
pub(crate) struct Comment {
    pub user: u16,
    pub time: i64,
    pub content: Cow<'static, str>,
    /// String commentid (19 digits).
    pub id: String,
    pub media: Option<String>,
}

/// Everything about a form that changes over its life: status, flow, CC, comments.
#[derive(Debug, Clone)]
pub(crate) struct FormState {
    pub status: u8,
    pub nodes: Vec<Node>,
    pub notifyers: Vec<u16>,
    /// The 办理 (handler) node of some passed forms: (user, time).
    pub handler: Option<(u16, i64)>,
    /// When the flow last moved (the CC node's time once the form passed).
    pub end_time: i64,
    pub comments: Vec<Comment>,
}
