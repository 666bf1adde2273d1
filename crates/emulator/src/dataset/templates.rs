//! Approval and journal templates of the synthetic company, with their controls.

use crate::dataset::User;
use crate::ids;
use crate::time;

/// A control type, with what the renderer needs to fill it.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Text,
    Textarea,
    Number,
    Money,
    Date {
        hour: bool,
    },
    Selector {
        multi: bool,
        options: &'static [&'static str],
    },
    /// `Contact` in member mode.
    Members,
    /// `Contact` in department mode.
    Departments,
    Tips,
    File,
    Table(Vec<ControlDef>),
    Vacation,
    /// `Attendance` with its `attendance.type` (1 请假 … 5 加班).
    Attendance(u8),
    PunchCorrection,
    DateRange {
        hour: bool,
    },
    Location,
    RelatedApproval,
    Formula,
    BankAccount,
    /// Listed by create_template but absent from the detail appendix: SDKs do not know it.
    PhoneNumber,
    /// Journal only.
    Doc,
    /// Journal only.
    WedriveFile,
}

impl Kind {
    /// The wire `control` name.
    pub(crate) fn control(&self) -> &'static str {
        match self {
            Kind::Text => "Text",
            Kind::Textarea => "Textarea",
            Kind::Number => "Number",
            Kind::Money => "Money",
            Kind::Date { .. } => "Date",
            Kind::Selector { .. } => "Selector",
            Kind::Members | Kind::Departments => "Contact",
            Kind::Tips => "Tips",
            Kind::File => "File",
            Kind::Table(_) => "Table",
            Kind::Vacation => "Vacation",
            Kind::Attendance(_) => "Attendance",
            Kind::PunchCorrection => "PunchCorrection",
            Kind::DateRange { .. } => "DateRange",
            Kind::Location => "Location",
            Kind::RelatedApproval => "RelatedApproval",
            Kind::Formula => "Formula",
            Kind::BankAccount => "BankAccount",
            Kind::PhoneNumber => "PhoneNumber",
            Kind::Doc => "Doc",
            Kind::WedriveFile => "WedriveFile",
        }
    }
}

/// One control of a template.
#[derive(Debug, Clone)]
pub(crate) struct ControlDef {
    pub kind: Kind,
    pub id: String,
    pub title: &'static str,
    pub title_en: Option<&'static str>,
}

/// Which legacy getapprovaldata block a template's forms carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LegacyKind {
    None,
    Leave,
    Expense,
}

/// An approval template.
#[derive(Debug, Clone)]
pub(crate) struct ApprovalTemplate {
    pub id: String,
    pub name: &'static str,
    /// `record_type` filter value (0 = none of the documented types).
    pub record_type: u8,
    pub weight: u32,
    pub legacy: LegacyKind,
    pub controls: Vec<ControlDef>,
}

/// A journal (汇报) template.
#[derive(Debug, Clone)]
pub(crate) struct JournalTemplate {
    pub id: String,
    pub name: &'static str,
    /// 2 daily, 3 weekly, 4 monthly; `None` for the built-in 汇报 template.
    pub report_type: Option<u8>,
    pub weight: u32,
    pub controls: Vec<ControlDef>,
    pub party_list: Vec<u32>,
    pub user_list: Vec<u16>,
    pub white_users: Vec<u16>,
    pub receivers: Vec<u16>,
    pub leader_levels: Vec<u32>,
    /// Everyone who must report: members of `party_list` (and sub-departments) plus `user_list`.
    pub range_users: Vec<u16>,
    /// Reporting cycles `[begin, end)` whose begin lies in the dataset range.
    pub cycles: Vec<(i64, i64)>,
}

impl JournalTemplate {
    /// The statistics deadline (`stat_end_time`) of a cycle: reports after it are late.
    pub(crate) fn deadline(&self, begin: i64, end: i64) -> i64 {
        match self.report_type {
            Some(2) => begin + 23 * 3600,
            Some(3) => begin + 4 * time::DAY + 23 * 3600,
            _ => end - 3600,
        }
    }

    /// Whether the template has a WedriveFile control.
    pub(crate) fn has_wedrive(&self) -> bool {
        self.controls.iter().any(|c| matches!(c.kind, Kind::WedriveFile))
    }
}

struct Ids {
    seed: u64,
    tag: u64,
    n: u64,
}

impl Ids {
    fn c(&mut self, kind: Kind, title: &'static str, en: Option<&'static str>) -> ControlDef {
        self.n += 1;
        let digits = 1_560_000_000_000 + ids::hash(&[self.seed, self.tag, self.n]) % 100_000_000_000;
        ControlDef { id: format!("{}-{}", kind.control(), digits), kind, title, title_en: en }
    }
}

const VEHICLES: &[&str] = &["飞机", "火车", "汽车", "轮船"];
const GOODS: &[&str] = &["电脑", "显示器", "办公桌椅", "打印耗材", "软件授权"];
const UNITS: &[&str] = &["台", "套", "个", "箱"];
const EXPENSE_TYPES: &[&str] = &["差旅费", "交通费", "招待费", "其他报销"];
const SEALS: &[&str] = &["公章", "合同章", "财务章", "法人章"];
const ROOMS: &[&str] = &["1号会议室", "2号会议室", "大会议室", "洽谈室"];
const STATES: &[&str] = &["已完成", "进行中", "有风险"];
const FOCUS: &[&str] = &["需求", "开发", "测试", "发布", "运维"];
const OPTIONS: &[&str] = &["选项1", "选项2", "选项3", "选项4"];

/// The approval templates (ids derived from `seed`).
pub(crate) fn approval_templates(seed: u64) -> Vec<ApprovalTemplate> {
    let mut out = Vec::new();
    let mut add = |i: u64,
                   name: &'static str,
                   record_type: u8,
                   weight: u32,
                   legacy: LegacyKind,
                   build: &dyn Fn(&mut Ids) -> Vec<ControlDef>| {
        let mut g = Ids { seed, tag: 0xA000 + i, n: 0 };
        out.push(ApprovalTemplate {
            id: ids::b58_noise(ids::hash(&[seed, 0xA7, i]), 42),
            name,
            record_type,
            weight,
            legacy,
            controls: build(&mut g),
        });
    };
    add(0, "请假", 1, 20, LegacyKind::Leave, &|g| {
        vec![
            g.c(Kind::Vacation, "请假类型", Some("Leave type")),
            g.c(Kind::Textarea, "请假事由", Some("Reason")),
            g.c(Kind::File, "附件", None),
        ]
    });
    add(1, "补卡申请", 2, 12, LegacyKind::None, &|g| {
        vec![g.c(Kind::PunchCorrection, "补卡", None), g.c(Kind::Textarea, "补卡事由", None)]
    });
    add(2, "出差", 3, 8, LegacyKind::None, &|g| {
        vec![
            g.c(Kind::Attendance(3), "出差", Some("Business trip")),
            g.c(Kind::Text, "出差地点", None),
            g.c(Kind::Selector { multi: false, options: VEHICLES }, "交通工具", None),
            g.c(Kind::Location, "位置", None),
            g.c(Kind::Money, "预算", None),
            g.c(Kind::Members, "同行人", None),
        ]
    });
    add(3, "外出", 4, 6, LegacyKind::None, &|g| {
        vec![
            g.c(Kind::Attendance(4), "外出", None),
            g.c(Kind::Location, "外出地点", None),
            g.c(Kind::Text, "外出事由", None),
        ]
    });
    add(4, "加班", 5, 10, LegacyKind::None, &|g| {
        vec![g.c(Kind::Attendance(5), "加班", None), g.c(Kind::Textarea, "加班理由", None)]
    });
    add(5, "报销", 0, 15, LegacyKind::Expense, &|g| {
        let detail = vec![
            g.c(Kind::Text, "费用事项", None),
            g.c(Kind::Money, "金额", None),
            g.c(Kind::Date { hour: false }, "发生日期", None),
        ];
        vec![
            g.c(Kind::Selector { multi: false, options: EXPENSE_TYPES }, "报销类型", None),
            g.c(Kind::Table(detail), "费用明细", Some("Expense items")),
            g.c(Kind::Formula, "合计", None),
            g.c(Kind::Money, "报销总额", None),
            g.c(Kind::BankAccount, "收款账户", None),
            g.c(Kind::File, "票据", None),
            g.c(Kind::RelatedApproval, "关联审批单", None),
        ]
    });
    add(6, "采购申请", 0, 8, LegacyKind::None, &|g| {
        let detail = vec![
            g.c(Kind::Text, "物品名称", None),
            g.c(Kind::Number, "数量", None),
            g.c(Kind::Money, "单价", None),
            g.c(Kind::Selector { multi: false, options: UNITS }, "单位", None),
        ];
        vec![
            g.c(Kind::Text, "采购事由", None),
            g.c(Kind::Selector { multi: true, options: GOODS }, "物品类型", None),
            g.c(Kind::Number, "数量", None),
            g.c(Kind::Money, "预算", None),
            g.c(Kind::Table(detail), "采购明细", None),
            g.c(Kind::Departments, "使用部门", None),
            g.c(Kind::Date { hour: true }, "期望交付时间", None),
            g.c(Kind::Tips, "说明", None),
        ]
    });
    add(7, "全字段", 0, 6, LegacyKind::None, &|g| {
        let detail = vec![
            g.c(Kind::Text, "明细文本", None),
            g.c(Kind::Number, "明细数字", None),
            g.c(Kind::Money, "明细金额", None),
            g.c(Kind::Date { hour: true }, "明细日期", None),
            g.c(Kind::Selector { multi: false, options: OPTIONS }, "明细单选", None),
            g.c(Kind::Members, "明细成员", None),
            g.c(Kind::File, "明细附件", None),
            g.c(Kind::DateRange { hour: true }, "明细时长", None),
        ];
        vec![
            g.c(Kind::Text, "文本控件", Some("Text")),
            g.c(Kind::Textarea, "多行文本控件", None),
            g.c(Kind::Number, "数字控件", None),
            g.c(Kind::Money, "金额控件", None),
            g.c(Kind::Date { hour: false }, "日期控件", None),
            g.c(Kind::Selector { multi: true, options: OPTIONS }, "多选控件", None),
            g.c(Kind::Members, "成员控件", None),
            g.c(Kind::Departments, "部门控件", None),
            g.c(Kind::Tips, "说明文字控件", None),
            g.c(Kind::File, "附件控件", None),
            g.c(Kind::Table(detail), "明细控件", None),
            g.c(Kind::Vacation, "假勤组件-请假", None),
            g.c(Kind::Attendance(1), "假勤组件-出差/外出/加班", None),
            g.c(Kind::PunchCorrection, "补卡控件", None),
            g.c(Kind::DateRange { hour: false }, "时长控件", None),
            g.c(Kind::Location, "位置控件", None),
            g.c(Kind::RelatedApproval, "关联审批单控件", None),
            g.c(Kind::Formula, "公式控件", None),
            g.c(Kind::BankAccount, "收款账户控件", None),
        ]
    });
    add(8, "用章申请", 0, 5, LegacyKind::None, &|g| {
        vec![
            g.c(Kind::Selector { multi: false, options: SEALS }, "用章类型", None),
            g.c(Kind::Text, "文件名称", None),
            g.c(Kind::Number, "用印份数", None),
            g.c(Kind::Departments, "用章部门", None),
            g.c(Kind::Date { hour: false }, "用章日期", None),
            g.c(Kind::Tips, "用章须知", None),
            g.c(Kind::File, "用印文件", None),
        ]
    });
    add(9, "会议室预定", 7, 6, LegacyKind::None, &|g| {
        vec![
            g.c(Kind::DateRange { hour: true }, "预定时段", None),
            g.c(Kind::Text, "会议主题", None),
            g.c(Kind::Selector { multi: false, options: ROOMS }, "会议室", None),
            g.c(Kind::Members, "参会人", None),
        ]
    });
    add(10, "调班", 6, 4, LegacyKind::None, &|g| {
        vec![
            g.c(Kind::Date { hour: false }, "原班次日期", None),
            g.c(Kind::Date { hour: false }, "调班日期", None),
            g.c(Kind::Textarea, "调班原因", None),
        ]
    });
    out
}

/// The extra control spliced into forms flagged with [`crate::dataset::FLAG_PHONE`].
pub(crate) fn phone_control(seed: u64) -> ControlDef {
    let mut g = Ids { seed, tag: 0xF0, n: 0 };
    g.c(Kind::PhoneNumber, "联系电话", Some("Phone"))
}

/// The journal templates, their report ranges (from `users`) and cycles.
pub(crate) fn journal_templates(seed: u64, users: &[User], start: i64, end: i64) -> Vec<JournalTemplate> {
    let members = |depts: &[u32]| -> Vec<u16> {
        users.iter().enumerate().filter(|(_, u)| depts.contains(&u.dept)).map(|(i, _)| i as u16).collect()
    };
    let first_in = |dept: u32, nth: usize| -> u16 {
        users.iter().enumerate().filter(|(_, u)| u.dept == dept).nth(nth).map(|(i, _)| i as u16).unwrap_or(0)
    };
    let mut out = Vec::new();
    let mut mk = |i: u64,
                  name: &'static str,
                  report_type: Option<u8>,
                  weight: u32,
                  party_list: Vec<u32>,
                  party_members: Vec<u32>,
                  user_list: Vec<u16>,
                  white_users: Vec<u16>,
                  receivers: Vec<u16>,
                  leader_levels: Vec<u32>,
                  build: &dyn Fn(&mut Ids) -> Vec<ControlDef>| {
        let mut g = Ids { seed, tag: 0xB000 + i, n: 0 };
        let mut range_users = if report_type.is_some() { members(&party_members) } else { Vec::new() };
        for u in &user_list {
            if !range_users.contains(u) {
                range_users.push(*u);
            }
        }
        let cycles = match report_type {
            Some(rt) => cycles(rt, start, end),
            None => Vec::new(),
        };
        out.push(JournalTemplate {
            id: ids::b58_noise(ids::hash(&[seed, 0xB7, i]), 41),
            name,
            report_type,
            weight,
            controls: build(&mut g),
            party_list,
            user_list,
            white_users,
            receivers,
            leader_levels,
            range_users,
            cycles,
        });
    };
    let ceo = first_in(1, 0);
    let vp = first_in(1, 1);
    let rd_white = first_in(9, 0);
    let finance_extra = first_in(4, 0);
    let ops_extra = first_in(3, 1);
    mk(
        0,
        "日报",
        Some(2),
        55,
        vec![3],
        vec![3, 9, 10],
        vec![finance_extra],
        vec![rd_white],
        vec![ceo],
        vec![1],
        &|g| {
            vec![
                g.c(Kind::Text, "今日工作", Some("Today")),
                g.c(Kind::Textarea, "明日计划", None),
                g.c(Kind::Number, "工时(小时)", None),
                g.c(Kind::Selector { multi: false, options: STATES }, "完成情况", None),
                g.c(Kind::File, "附件", None),
                g.c(Kind::WedriveFile, "微盘附件", None),
            ]
        },
    );
    mk(1, "周报", Some(3), 20, vec![2, 6], vec![2, 6], vec![ops_extra], vec![], vec![vp], vec![], &|g| {
        let detail = vec![
            g.c(Kind::Text, "事项", None),
            g.c(Kind::DateRange { hour: false }, "耗时", None),
            g.c(Kind::Number, "进度(%)", None),
        ];
        vec![
            g.c(Kind::Textarea, "本周总结", None),
            g.c(Kind::Table(detail), "工作明细", None),
            g.c(Kind::Money, "本周费用", None),
            g.c(Kind::Date { hour: false }, "下周开始", None),
            g.c(Kind::Members, "协作人", None),
            g.c(Kind::Doc, "相关文档", None),
            g.c(Kind::Tips, "填写说明", None),
        ]
    });
    mk(
        2,
        "月报",
        Some(4),
        10,
        vec![4, 5, 7, 8],
        vec![4, 5, 7, 8],
        vec![vp],
        vec![],
        vec![ceo, vp],
        vec![1, 2],
        &|g| {
            vec![
                g.c(Kind::Textarea, "本月总结", None),
                g.c(Kind::DateRange { hour: false }, "统计周期", None),
                g.c(Kind::Selector { multi: true, options: FOCUS }, "重点工作", None),
                g.c(Kind::Departments, "协作部门", None),
                g.c(Kind::Doc, "月度文档", None),
                g.c(Kind::File, "附件", None),
                g.c(Kind::WedriveFile, "微盘资料", None),
            ]
        },
    );
    mk(3, "汇报", None, 15, vec![], vec![], vec![], vec![], vec![ceo], vec![], &|_| Vec::new());
    out
}

/// Cycles `[begin, end)` of a report type whose begin lies in `[start, end]`.
fn cycles(report_type: u8, start: i64, end: i64) -> Vec<(i64, i64)> {
    let first = match report_type {
        2 => time::local_midnight(start),
        3 => time::local_week_start(start),
        _ => time::local_month_start(start),
    };
    let next = |b: i64| match report_type {
        2 => b + time::DAY,
        3 => b + 7 * time::DAY,
        _ => time::add_months(b, 1),
    };
    let mut out = Vec::new();
    let mut b = first;
    if b < start {
        b = next(b);
    }
    while b <= end {
        let e = next(b);
        out.push((b, e));
        b = e;
    }
    out
}
