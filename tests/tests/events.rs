//! `wecom_models::event`: callback events decode from every example of the reference (copied
//! into `tests/fixtures/events/`), from generated variations of their repeated and wrapped
//! elements (0, 1, many, interleaved), from the XML the emulator pushes (checked against the
//! emulator's own detail JSON), and fail with a typed error — never a panic — on bad input.

use std::path::PathBuf;

use pretty_assertions::assert_eq;
use serde::Deserialize;
use wecom_emulator::{Change, ChangeKind, Emulator};
use wecom_models::approval::{ApprovalDetail, ApproverAttr, NodeStatus, SpStatus};
use wecom_models::event::{
    Event, EventError, OpenApprovalChange, OpenNodeType, StatuChangeEvent, SysApprovalChange, SysApprovalInfo,
};

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/events").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn sys(xml: &str) -> SysApprovalChange {
    match Event::from_xml(xml) {
        Ok(Event::SysApprovalChange(e)) => e,
        other => panic!("expected sys_approval_change, got {other:?}"),
    }
}

fn open(xml: &str) -> OpenApprovalChange {
    match Event::from_xml(xml) {
        Ok(Event::OpenApprovalChange(e)) => e,
        other => panic!("expected open_approval_change, got {other:?}"),
    }
}

fn user_ids<'a>(users: impl IntoIterator<Item = &'a wecom_models::event::EventUser>) -> Vec<&'a str> {
    users.into_iter().map(|u| u.user_id.as_str()).collect()
}

/// Removes every CDATA wrapper, keeping its content: the plain-text rendering of a payload.
fn without_cdata(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(i) = rest.find("<![CDATA[") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 9..];
        let end = after.find("]]>").expect("closed CDATA");
        out.push_str(&after[..end]);
        rest = &after[end + 3..];
    }
    out.push_str(rest);
    out
}

#[test]
fn example_a_reads_every_repeated_element() {
    let e = sys(&fixture("sys_approval_change.example_a.xml"));
    let h = &e.header;
    assert_eq!(
        (h.to_user_name.as_str(), h.from_user_name.as_str(), h.create_time, h.msg_type.as_str()),
        ("ww1cSD21f1e9c0caaa", "sys", 1571732272, "event")
    );
    assert_eq!((h.event.as_str(), h.agent_id.as_str()), ("sys_approval_change", "3010040"));
    let i = &e.approval_info;
    assert_eq!(i.sp_no.as_deref(), Some("201910220003"));
    assert_eq!(i.sp_no_str, None);
    assert_eq!(i.sp_name, "示例模板");
    assert_eq!(i.sp_status, SpStatus::InReview);
    assert_eq!(i.template_id, "3TkaH5KFbrG9heEQWLJjhgpFwmqAFB4dLEnapaB7aaa");
    assert_eq!(i.apply_time, 1571728713);
    assert_eq!((i.applyer.user_id.as_str(), i.applyer.party.as_str()), ("WuJunJie", "1"));

    assert_eq!(i.sp_record.len(), 2);
    assert_eq!(
        (i.sp_record[0].sp_status, i.sp_record[0].approver_attr),
        (NodeStatus::InReview, Some(ApproverAttr::All))
    );
    assert_eq!(user_ids(i.sp_record[0].details.iter().map(|d| &d.approver)), ["WangXiaoMing", "XiaoGangHuang"]);
    assert_eq!(i.sp_record[1].approver_attr, Some(ApproverAttr::AnyOne));
    assert_eq!(user_ids(i.sp_record[1].details.iter().map(|d| &d.approver)), ["XiaoHongLiu"]);
    let d = &i.sp_record[0].details[0];
    assert_eq!((d.speech.as_str(), d.sp_status, d.sp_time), ("", NodeStatus::InReview, 0));
    assert!(d.attach.is_empty() && d.media_id.is_empty());

    assert_eq!(user_ids(&i.notifyer), ["ChengLiang", "ChengLiang2"]);
    let ids: Vec<&str> = i.comments.iter().map(|c| c.comment_id.as_str()).collect();
    assert_eq!(ids, ["6750538708562308220", "6750538708562308221"]);
    assert_eq!(i.comments[0].comment_user_info.user_id, "LiuZhi");
    assert_eq!((i.comments[0].comment_time, i.comments[1].comment_time), (1571732272, 15717322723));
    assert_eq!(i.comments[0].comment_content, "这是一个备注");
    assert!(i.comments[0].attach.is_empty());
    assert_eq!(i.comments[1].attach, ["MediaId"]);
    assert_eq!(i.statu_change_event, StatuChangeEvent::Commented);
    assert_eq!(i.process_list, None);
}

#[test]
fn the_doc_copy_has_one_notifyer_and_one_comment() {
    let i = sys(&fixture("sys_approval_change.doc_copy.xml")).approval_info;
    assert_eq!(user_ids(&i.notifyer), ["ChengLiang"]);
    assert_eq!(i.comments.len(), 1);
    assert_eq!(i.comments[0].comment_id, "6750538708562308220");
    assert_eq!(i.sp_record.len(), 2);
}

#[test]
fn the_wxjava_1888_shape_has_no_notifyer_and_no_comments() {
    let i = sys(&fixture("sys_approval_change.wxjava_1888.xml")).approval_info;
    assert!(i.notifyer.is_empty() && i.comments.is_empty());
    assert_eq!(i.sp_record.iter().map(|r| r.details.len()).collect::<Vec<_>>(), [2, 1]);
}

#[test]
fn the_batch_approval_event_keeps_a_real_sp_time() {
    let i = sys(&fixture("sys_approval_change.pr_2880_batch.xml")).approval_info;
    assert_eq!((i.sp_status, i.statu_change_event), (SpStatus::Approved, StatuChangeEvent::Approved));
    assert_eq!(i.sp_record.len(), 1);
    assert_eq!(i.sp_record[0].details[0].sp_time, 1668557075);
    assert_eq!(i.sp_record[0].details[0].sp_status, NodeStatus::Approved);
}

#[test]
fn the_open_approval_change_example_reads_its_wrapped_lists() {
    let e = open(&fixture("open_approval_change.example.xml"));
    assert_eq!((e.header.to_user_name.as_str(), e.header.agent_id.as_str()), ("wwddddccc7775555aaa", "1"));
    let i = &e.approval_info;
    assert_eq!((i.third_no.as_str(), i.open_sp_name.as_str()), ("201806010001", "付款"));
    assert_eq!(i.open_template_id, "1234567890");
    assert_eq!(i.open_sp_status, SpStatus::InReview);
    assert_eq!(i.apply_time, 1527837645);
    assert_eq!(
        (i.apply_user_name.as_str(), i.apply_user_id.as_str(), i.apply_user_party.as_str()),
        ("xiaoming", "1", "产品部")
    );
    assert_eq!(i.apply_user_image, "http://www.qq.com/xxx.png");
    assert_eq!(i.approval_nodes.iter().map(|n| n.items.len()).collect::<Vec<_>>(), [1, 2]);
    let n = &i.approval_nodes[0];
    assert_eq!(
        (n.node_status, n.node_attr, n.node_type),
        (NodeStatus::InReview, Some(ApproverAttr::AnyOne), Some(OpenNodeType::FixedMembers))
    );
    let item = &n.items[0];
    assert_eq!(
        (item.item_name.as_str(), item.item_user_id.as_str(), item.item_party.as_deref()),
        ("xiaohong", "2", None)
    );
    assert_eq!((item.item_status, item.item_speech.as_str(), item.item_op_time), (NodeStatus::InReview, "", 0));
    assert_eq!(i.notify_nodes.len(), 1);
    assert_eq!((i.notify_nodes[0].item_name.as_str(), i.notify_nodes[0].item_user_id.as_str()), ("xiaogang", "3"));
    assert_eq!(i.approverstep, 0);
}

#[test]
fn plain_text_renderings_read_like_cdata() {
    // The Senparc rendering: no CDATA, and its spellings `ItemUserid` and `ApproverStep`.
    let senparc = open(&fixture("open_approval_change.plain_senparc.xml"));
    assert_eq!(senparc, open(&fixture("open_approval_change.example.xml")));
    for name in [
        "sys_approval_change.example_a.xml",
        "sys_approval_change.doc_copy.xml",
        "sys_approval_change.wxjava_1888.xml",
        "sys_approval_change.pr_2880_batch.xml",
        "open_approval_change.example.xml",
    ] {
        let xml = fixture(name);
        let plain = without_cdata(&xml);
        assert!(!plain.contains("CDATA") && xml.contains("CDATA"), "{name}");
        assert_eq!(Event::from_xml(&plain).unwrap(), Event::from_xml(&xml).unwrap(), "{name}");
    }
}

// ---------------------------------------------------------------- generated variations

/// A `sys_approval_change` with `records[i]` Details in SpRecord i, `notifyers` Notifyers and
/// `comments[i]` Attach in comment i; interleaved puts them round-robin with unknown elements
/// between, instead of in runs.
fn sys_variation(records: &[usize], notifyers: usize, comments: &[usize], interleaved: bool) -> String {
    let record = |r: usize| {
        let details: String = (0..records[r])
            .map(|d| {
                format!(
                    "<Details><Approver><UserId><![CDATA[u{r}_{d}]]></UserId></Approver><Speech/>\
                     <SpStatus>2</SpStatus><SpTime>{}</SpTime></Details>",
                    1_700_000_000 + r * 10 + d
                )
            })
            .collect();
        format!("<SpRecord><SpStatus>1</SpStatus><ApproverAttr>1</ApproverAttr>{details}</SpRecord>")
    };
    let notifyer = |n: usize| format!("<Notifyer><UserId>n{n}</UserId></Notifyer>");
    let comment = |c: usize| {
        let attach: String = (0..comments[c]).map(|a| format!("<Attach>m{c}_{a}</Attach>")).collect();
        format!(
            "<Comments><CommentUserInfo><UserId>x</UserId></CommentUserInfo><CommentTime>4294967296</CommentTime>\
             <CommentContent>c</CommentContent><CommentId>{}</CommentId>{attach}</Comments>",
            9_000_000_000_000_000_000u64 + c as u64
        )
    };
    let mut body = String::new();
    if interleaved {
        let most = records.len().max(notifyers).max(comments.len());
        for i in 0..most {
            if i < comments.len() {
                body.push_str(&comment(i));
            }
            body.push_str("<Extra><SpRecord>not a record</SpRecord></Extra>");
            if i < records.len() {
                body.push_str(&record(i));
            }
            if i < notifyers {
                body.push_str(&notifyer(i));
            }
        }
    } else {
        body.extend((0..records.len()).map(record));
        body.extend((0..notifyers).map(notifyer));
        body.extend((0..comments.len()).map(comment));
    }
    format!(
        "<xml><ToUserName>ww</ToUserName><FromUserName>sys</FromUserName><CreateTime>1</CreateTime>\
         <MsgType>event</MsgType><Event>sys_approval_change</Event><AgentID>1</AgentID><ApprovalInfo>\
         <SpNo>1</SpNo><SpName>n</SpName><SpStatus>1</SpStatus><TemplateId>t</TemplateId><ApplyTime>1</ApplyTime>\
         {body}<StatuChangeEvent>1</StatuChangeEvent></ApprovalInfo></xml>"
    )
}

#[test]
fn repeated_elements_read_zero_one_and_many_contiguous_or_interleaved() {
    let record_sets: [&[usize]; 5] = [&[], &[0], &[1], &[3], &[2, 0, 1]];
    let comment_sets: [&[usize]; 4] = [&[], &[0], &[1], &[0, 3, 1]];
    let mut parsed = 0;
    for records in record_sets {
        for notifyers in [0, 1, 3] {
            for comments in comment_sets {
                for interleaved in [false, true] {
                    let xml = sys_variation(records, notifyers, comments, interleaved);
                    let i: SysApprovalInfo = sys(&xml).approval_info;
                    let case = format!("{records:?} {notifyers} {comments:?} interleaved={interleaved}");
                    let got: Vec<Vec<&str>> =
                        i.sp_record.iter().map(|r| user_ids(r.details.iter().map(|d| &d.approver))).collect();
                    let want: Vec<Vec<String>> = records
                        .iter()
                        .enumerate()
                        .map(|(r, n)| (0..*n).map(|d| format!("u{r}_{d}")).collect())
                        .collect();
                    assert_eq!(got, want, "{case}");
                    for (r, rec) in i.sp_record.iter().enumerate() {
                        for (d, det) in rec.details.iter().enumerate() {
                            assert_eq!(det.sp_time, (1_700_000_000 + r * 10 + d) as i64, "{case}");
                        }
                    }
                    let want_n: Vec<String> = (0..notifyers).map(|n| format!("n{n}")).collect();
                    assert_eq!(user_ids(&i.notifyer), want_n, "{case}");
                    let got_c: Vec<(&str, Vec<&str>)> = i
                        .comments
                        .iter()
                        .map(|c| (c.comment_id.as_str(), c.attach.iter().map(String::as_str).collect()))
                        .collect();
                    let want_c: Vec<(String, Vec<String>)> = comments
                        .iter()
                        .enumerate()
                        .map(|(c, n)| {
                            (
                                (9_000_000_000_000_000_000u64 + c as u64).to_string(),
                                (0..*n).map(|a| format!("m{c}_{a}")).collect(),
                            )
                        })
                        .collect();
                    assert_eq!(
                        got_c
                            .iter()
                            .map(|(i, a)| (i.to_string(), a.iter().map(|s| s.to_string()).collect()))
                            .collect::<Vec<(String, Vec<String>)>>(),
                        want_c,
                        "{case}"
                    );
                    assert!(i.comments.iter().all(|c| c.comment_time == 4294967296), "{case}");
                    parsed += 1;
                }
            }
        }
    }
    assert_eq!(parsed, 5 * 3 * 4 * 2);
}

/// An `open_approval_change` whose wrappers are given as written (`None` leaves the wrapper out).
fn open_variation(nodes: Option<&str>, notify: Option<&str>) -> String {
    format!(
        "<xml><ToUserName>ww</ToUserName><Event>open_approval_change</Event><ApprovalInfo><ThirdNo>T1</ThirdNo>\
         <OpenSpStatus>2</OpenSpStatus>{}{}<approverstep>1</approverstep></ApprovalInfo></xml>",
        nodes.unwrap_or(""),
        notify.unwrap_or("")
    )
}

fn node(items: &str) -> String {
    format!(
        "<ApprovalNode><NodeStatus>2</NodeStatus><NodeAttr>2</NodeAttr><NodeType>3</NodeType>{items}</ApprovalNode>"
    )
}

fn item(id: &str) -> String {
    format!(
        "<Item><ItemName>n</ItemName><ItemUserId>{id}</ItemUserId><ItemStatus>2</ItemStatus><ItemOpTime>5</ItemOpTime></Item>"
    )
}

#[test]
fn wrapped_lists_read_absent_empty_one_many_and_skip_strangers() {
    let shape = |xml: &str| -> (Vec<Vec<String>>, Vec<String>) {
        let i = open(xml).approval_info;
        (
            i.approval_nodes.iter().map(|n| n.items.iter().map(|it| it.item_user_id.clone()).collect()).collect(),
            i.notify_nodes.iter().map(|n| n.item_user_id.clone()).collect(),
        )
    };
    let empty: (Vec<Vec<String>>, Vec<String>) = (vec![], vec![]);
    assert_eq!(shape(&open_variation(None, None)), empty);
    assert_eq!(shape(&open_variation(Some("<ApprovalNodes/>"), Some("<NotifyNodes/>"))), empty);
    assert_eq!(
        shape(&open_variation(Some("<ApprovalNodes>\n  </ApprovalNodes>"), Some("<NotifyNodes></NotifyNodes>"))),
        empty
    );

    let one = format!("<ApprovalNodes>{}</ApprovalNodes>", node(&format!("<Items>{}</Items>", item("a"))));
    let notify_one =
        "<NotifyNodes><NotifyNode><ItemName>c</ItemName><ItemUserId>c1</ItemUserId></NotifyNode></NotifyNodes>";
    assert_eq!(
        shape(&open_variation(Some(&one), Some(notify_one))),
        (vec![vec!["a".to_string()]], vec!["c1".to_string()])
    );

    // Many, with unknown elements between the children of each wrapper, and nodes whose Items
    // wrapper is absent or empty.
    let many = format!(
        "<ApprovalNodes><Stranger>1</Stranger>{}<Note/>{}{}{}<Stranger><Item>no</Item></Stranger></ApprovalNodes>",
        node(&format!("<Items>{}<Item2/>{}{}</Items>", item("a"), item("b"), item("c"))),
        node(""),
        node("<Items/>"),
        node(&format!("<Items><Extra>x</Extra>{}</Items>", item("d"))),
    );
    let notify_many = "<NotifyNodes><NotifyNode><ItemUserId>c1</ItemUserId></NotifyNode><Junk/>\
                       <NotifyNode><ItemUserid>c2</ItemUserid><ItemParty>7</ItemParty></NotifyNode></NotifyNodes>";
    let (nodes, notify) = shape(&open_variation(Some(&many), Some(notify_many)));
    assert_eq!(nodes, [vec!["a", "b", "c"], vec![], vec![], vec!["d"]]);
    assert_eq!(notify, ["c1", "c2"]);
    let i = open(&open_variation(Some(&many), Some(notify_many))).approval_info;
    assert_eq!(i.notify_nodes[1].item_party.as_deref(), Some("7"));
    assert_eq!(
        (i.approval_nodes[0].node_type, i.approval_nodes[0].node_attr),
        (Some(OpenNodeType::Superior), Some(ApproverAttr::All))
    );
    assert_eq!((i.open_sp_status, i.approverstep), (SpStatus::Approved, 1));
}

// ---------------------------------------------------------------- decoding rules

fn info_with(inner: &str) -> String {
    format!(
        "<xml><Event>sys_approval_change</Event><ApprovalInfo><SpStatus>1</SpStatus>\
         <StatuChangeEvent>1</StatuChangeEvent>{inner}</ApprovalInfo></xml>"
    )
}

#[test]
fn times_are_64_bit() {
    let xml = info_with(
        "<ApplyTime>4294967296</ApplyTime><SpRecord><SpStatus>2</SpStatus><ApproverAttr>1</ApproverAttr>\
         <Details><SpStatus>2</SpStatus><SpTime>9223372036854775807</SpTime></Details></SpRecord>\
         <Comments><CommentTime>15717322723</CommentTime><CommentId>1</CommentId></Comments>",
    )
    .replace("<Event>", "<CreateTime>4294967296</CreateTime><Event>");
    let e = sys(&xml);
    assert_eq!(e.header.create_time, 4294967296);
    assert_eq!(e.approval_info.apply_time, 4294967296);
    assert_eq!(e.approval_info.sp_record[0].details[0].sp_time, i64::MAX);
    assert_eq!(e.approval_info.comments[0].comment_time, 15717322723);
}

#[test]
fn empty_numbers_count_as_absent_and_a_required_status_must_be_there() {
    let e = sys(&info_with(
        "<ApplyTime></ApplyTime><SpRecord><SpStatus>1</SpStatus><ApproverAttr>1</ApproverAttr>\
         <Details><SpStatus>1</SpStatus><SpTime></SpTime></Details><Details><SpStatus>1</SpStatus><SpTime/></Details>\
         <Details><SpStatus>1</SpStatus></Details></SpRecord>\
         <ProcessList><NodeList><NodeType></NodeType><SpStatus/><SubNodeList><SpYj> </SpYj><Sptime/></SubNodeList></NodeList></ProcessList>",
    ));
    let i = &e.approval_info;
    assert_eq!(i.apply_time, 0);
    assert_eq!(i.sp_record[0].details.iter().map(|d| d.sp_time).collect::<Vec<_>>(), [0, 0, 0]);
    let node = &i.process_list.as_ref().unwrap().node_list[0];
    assert_eq!((node.node_type, node.sp_status, node.apv_rel), (None, None, None));
    assert_eq!((node.sub_node_list[0].sp_yj, node.sub_node_list[0].sptime), (None, 0));

    for (xml, path) in [
        (info_with("").replace("<SpStatus>1</SpStatus>", "<SpStatus></SpStatus>"), "ApprovalInfo.SpStatus"),
        (
            info_with("").replace("<StatuChangeEvent>1</StatuChangeEvent>", "<StatuChangeEvent/>"),
            "ApprovalInfo.StatuChangeEvent",
        ),
        (
            info_with("<SpRecord><ApproverAttr>1</ApproverAttr><SpStatus> </SpStatus></SpRecord>"),
            "ApprovalInfo.SpRecord[0].SpStatus",
        ),
    ] {
        let err = Event::from_xml(&xml).unwrap_err();
        assert_eq!(err.path(), Some(path), "{err}");
        assert!(err.to_string().contains("empty element"), "{err}");
    }
    let missing = Event::from_xml(&info_with("").replace("<StatuChangeEvent>1</StatuChangeEvent>", "")).unwrap_err();
    assert!(matches!(&missing, EventError::Element { event, .. } if event == "sys_approval_change"), "{missing:?}");
    assert!(missing.to_string().contains("missing field `StatuChangeEvent`"), "{missing}");
}

#[test]
fn statuses_are_the_json_apis_open_enums_and_keep_unknown_codes() {
    let e = sys(&info_with(
        "<SpRecord><SpStatus>99</SpStatus><ApproverAttr>7</ApproverAttr><Details><SpStatus>15</SpStatus></Details></SpRecord>",
    )
    .replace("<SpStatus>1</SpStatus><StatuChangeEvent>1</StatuChangeEvent>", "<SpStatus>42</SpStatus><StatuChangeEvent>16</StatuChangeEvent>"));
    let i = &e.approval_info;
    assert_eq!((i.sp_status.code(), i.sp_status.is_unknown()), (42, true));
    assert_eq!(i.sp_status, SpStatus::from(42));
    assert_eq!((i.statu_change_event.code(), i.statu_change_event.is_unknown()), (16, true));
    assert_eq!(i.sp_record[0].sp_status.code(), 99);
    assert_eq!(i.sp_record[0].approver_attr.map(ApproverAttr::code), Some(7));
    assert_eq!(i.sp_record[0].details[0].sp_status, NodeStatus::Forwarded);
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["approval_info"]["sp_status"], 42);
    assert_eq!(json["approval_info"]["statu_change_event"], 16);
    assert_eq!(json["approval_info"]["sp_record"][0]["sp_status"], 99);
}

#[derive(Debug, Deserialize)]
struct Statuses {
    #[serde(rename = "S")]
    one: SpStatus,
    #[serde(rename = "N", default)]
    many: Vec<NodeStatus>,
}

#[test]
fn an_open_enum_reads_json_numbers_and_xml_text_alike() {
    // The JSON API's form: a number (or a number in a string).
    assert_eq!(serde_json::from_str::<SpStatus>("2").unwrap(), SpStatus::Approved);
    assert_eq!(serde_json::from_str::<SpStatus>("\"3\"").unwrap(), SpStatus::Rejected);
    assert_eq!(serde_json::from_str::<SpStatus>("99").unwrap().code(), 99);
    assert!(serde_json::from_str::<SpStatus>("\"x\"").is_err());
    // The XML form, through quick-xml directly: text, CDATA, whitespace, repeated.
    let s: Statuses = quick_xml::de::from_str("<x><S> 2 </S><N>1</N><N><![CDATA[11]]></N><N>77</N></x>").unwrap();
    assert_eq!(s.one, SpStatus::Approved);
    assert_eq!(s.many, [NodeStatus::InReview, NodeStatus::Returned, NodeStatus::from(77)]);
    let s: Statuses = quick_xml::de::from_str("<x><S><![CDATA[10]]></S></x>").unwrap();
    assert_eq!((s.one, s.many.len()), (SpStatus::Paid, 0));
    assert!(quick_xml::de::from_str::<Statuses>("<x><S>two</S></x>").is_err());
    assert!(quick_xml::de::from_str::<Statuses>("<x><S><Inner>2</Inner></S></x>").is_err());
}

#[test]
fn both_spellings_of_the_disputed_elements_are_read() {
    let base = fixture("open_approval_change.example.xml");
    let lower = base
        .replace("ItemUserId", "ItemUserid")
        .replace("<approverstep>0</approverstep>", "<ApproverStep>3</ApproverStep>");
    let i = open(&lower).approval_info;
    assert_eq!(i.approval_nodes[1].items[1].item_user_id, "2");
    assert_eq!(i.notify_nodes[0].item_user_id, "3");
    assert_eq!(i.approverstep, 3);
    let sub = sys(&info_with(
        "<ProcessList><NodeList><SubNodeList><SpTime>5</SpTime></SubNodeList><SubNodeList><Sptime>6</Sptime></SubNodeList></NodeList></ProcessList>",
    ));
    let times: Vec<i64> =
        sub.approval_info.process_list.unwrap().node_list[0].sub_node_list.iter().map(|s| s.sptime).collect();
    assert_eq!(times, [5, 6]);
}

#[test]
fn unknown_elements_are_skipped_at_every_level() {
    let base = fixture("sys_approval_change.example_a.xml");
    let noisy = base
        .replace("<AgentID>", "<New a=\"1\"><Deep><Deeper>x</Deeper></Deep></New><AgentID>")
        .replace("<SpName>", "<SpNoStr>S-201910220003</SpNoStr><Future>1</Future><SpName>")
        .replace("<ApproverAttr>", "<NodeExtra/><ApproverAttr>")
        .replace("<Speech>", "<Hidden><![CDATA[x]]></Hidden><Speech>")
        .replace("<UserId><![CDATA[LiuZhi]]></UserId>", "<UserId><![CDATA[LiuZhi]]></UserId><Name>刘</Name>")
        .replace("<CommentTime>", "<CommentKind>2</CommentKind><CommentTime>");
    let quiet = sys(&base);
    let mut loud = sys(&noisy);
    assert_eq!(loud.approval_info.sp_no_str.take().as_deref(), Some("S-201910220003"));
    assert_eq!(loud, quiet);
}

#[test]
fn text_is_trimmed_and_cdata_kept_as_sent() {
    let e = sys(&info_with(
        "<SpName>\n      报销\n    </SpName><TemplateId>\n  <![CDATA[tpl]]>\n</TemplateId>\
         <Applyer><UserId>\n   WuJunJie\n  </UserId><Party><![CDATA[  2 ]]></Party></Applyer>\
         <Comments><CommentContent><![CDATA[a ]]]]><![CDATA[> b]]></CommentContent><CommentId>1</CommentId></Comments>",
    ));
    let i = &e.approval_info;
    assert_eq!((i.sp_name.as_str(), i.template_id.as_str()), ("报销", "tpl"));
    assert_eq!((i.applyer.user_id.as_str(), i.applyer.party.as_str()), ("WuJunJie", "  2 "));
    assert_eq!(i.comments[0].comment_content, "a ]]> b");
}

// ---------------------------------------------------------------- other events, bad input

#[test]
fn an_unknown_event_is_kept_whole() {
    let xml = fixture("change_contact.xml");
    let event = Event::from_xml(&xml).unwrap();
    assert!(event.is_unknown() && !event.is_known());
    assert_eq!(event.name(), "change_contact");
    assert_eq!(event.raw_xml(), Some(xml.as_str()));
    assert_eq!((event.header().to_user_name.as_str(), event.header().create_time), ("ww1cSD21f1e9c0caaa", 1403610513));
    assert!(!Event::KNOWN_NAMES.contains(&"change_contact"));
    let described = match &event {
        Event::SysApprovalChange(_) | Event::OpenApprovalChange(_) => unreachable!(),
        other => format!("{} ({} bytes)", other.name(), other.raw_xml().map_or(0, str::len)),
    };
    assert_eq!(described, format!("change_contact ({} bytes)", xml.len()));
    let json = serde_json::to_value(&event).unwrap();
    assert_eq!(json["header"]["event"], "change_contact");
    assert_eq!(json["raw_xml"], xml.as_str());

    // A message (no `Event` element) is not an error either: its name is empty.
    let message = fixture("message.text.xml");
    let event = Event::from_xml(&message).unwrap();
    assert_eq!(
        (event.name(), event.header().msg_type.as_str(), event.header().agent_id.as_str()),
        ("", "text", "1000002")
    );
    assert_eq!(event.raw_xml(), Some(message.as_str()));

    // Known events do not keep the XML.
    let known = Event::from_xml(&fixture("open_approval_change.example.xml")).unwrap();
    assert_eq!((known.name(), known.raw_xml(), known.is_known()), ("open_approval_change", None, true));
    assert_eq!(known.header().to_user_name, "wwddddccc7775555aaa");
}

#[test]
fn malformed_xml_is_a_typed_error() {
    for bad in [
        "",
        "   ",
        "not xml at all",
        "<xml>",
        "<xml><ToUserName>ww</ToUserName>",
        "<xml><a></b></xml>",
        "<xml><Event>sys_approval_change</Event><ApprovalInfo><SpNo>1</ApprovalInfo></xml>",
        "<xml><Event>&undefined;</Event></xml>",
        "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><xml><Event>&e;</Event></xml>",
    ] {
        match Event::from_xml(bad) {
            Err(EventError::Malformed { message }) => assert!(!message.is_empty(), "{bad:?}"),
            other => panic!("{bad:?}: expected Malformed, got {other:?}"),
        }
    }
    let err = Event::from_xml(&info_with("<ApplyTime>soon</ApplyTime>")).unwrap_err();
    assert_eq!(
        err,
        EventError::Element {
            event: "sys_approval_change".into(),
            path: "ApprovalInfo.ApplyTime".into(),
            message: "invalid value: string \"soon\", expected an integer".into()
        }
    );
    let err = Event::from_xml("<xml><CreateTime>99999999999999999999</CreateTime></xml>").unwrap_err();
    assert_eq!(
        err.to_string(),
        "callback event header: element `CreateTime`: 99999999999999999999 is out of range for i64"
    );
}

#[test]
fn no_input_panics_every_prefix_and_mutation_of_the_examples() {
    let mut seen = 0;
    for name in ["sys_approval_change.example_a.xml", "open_approval_change.example.xml"] {
        let xml = fixture(name);
        for (i, _) in xml.char_indices() {
            let _ = Event::from_xml(&xml[..i]);
            seen += 1;
        }
        // Replace every 7th character with each of a few troublemakers.
        let chars: Vec<char> = xml.chars().collect();
        for i in (0..chars.len()).step_by(7) {
            for c in ['<', '>', '&', '/', '9', '\u{0}', '"'] {
                let mut m = chars.clone();
                m[i] = c;
                let _ = Event::from_xml(&m.iter().collect::<String>());
                seen += 1;
            }
        }
    }
    assert!(seen > 5000, "{seen}");
}

#[test]
fn an_event_serializes_to_snake_case_json() {
    let e = Event::from_xml(&fixture("sys_approval_change.pr_2880_batch.xml")).unwrap();
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        serde_json::json!({
            "header": {
                "to_user_name": "ww1cSD21f1e9c0caaa",
                "from_user_name": "sys",
                "create_time": 1668557075,
                "msg_type": "event",
                "event": "sys_approval_change",
                "agent_id": "3010040"
            },
            "approval_info": {
                "sp_no": "202211160012",
                "sp_name": "报销",
                "sp_status": 2,
                "template_id": "3TkaH5KFbrG9heEQWLJjhgpFwmqAFB4dLEnapaB7aaa",
                "apply_time": 1668556321,
                "applyer": {"user_id": "WuJunJie", "party": "1"},
                "sp_record": [{
                    "sp_status": 2,
                    "approver_attr": 1,
                    "details": [{
                        "approver": {"user_id": "WangXiaoMing"},
                        "speech": "",
                        "sp_status": 2,
                        "sp_time": 1668557075,
                        "attach": [],
                        "media_id": []
                    }]
                }],
                "notifyer": [],
                "comments": [],
                "statu_change_event": 2
            }
        })
    );
    let open = serde_json::to_value(Event::from_xml(&fixture("open_approval_change.example.xml")).unwrap()).unwrap();
    assert_eq!(open["approval_info"]["approval_nodes"][1]["items"][1]["item_user_id"], "2");
    assert_eq!(open["approval_info"]["notify_nodes"][0]["item_name"], "xiaogang");
    assert_eq!(open["approval_info"]["approverstep"], 0);
    assert!(open["approval_info"]["approval_nodes"][0]["items"][0].get("item_party").is_none());
}

// ---------------------------------------------------------------- what the emulator pushes

/// The pushed XML of one emulator event decodes and agrees with the emulator's detail JSON
/// (read through the JSON models), taken right after the change.
fn agrees_with_the_detail(emu: &wecom_emulator::EmulatorHandle, ev: &wecom_emulator::ApprovalEvent) {
    let detail: ApprovalDetail =
        serde_json::from_value(emu.approval_detail(&ev.sp_no).expect("the form exists")).expect("detail decodes");
    let e = sys(&ev.xml);
    let case = format!("event {} ({:?})", ev.seq, ev.kind);
    assert_eq!(e.header.to_user_name, emu.corp_id(), "{case}");
    assert_eq!((e.header.from_user_name.as_str(), e.header.msg_type.as_str()), ("sys", "event"), "{case}");
    assert_eq!(e.header.create_time, ev.time, "{case}");
    assert!(!e.header.agent_id.is_empty(), "{case}");
    let i = &e.approval_info;
    assert_eq!(i.sp_no.as_deref(), Some(ev.sp_no.as_str()), "{case}");
    assert_eq!(i.sp_no.as_deref(), Some(detail.sp_no.as_str()), "{case}");
    assert_eq!(i.sp_status, detail.sp_status, "{case}");
    assert_eq!(i.sp_status.code(), i64::from(ev.sp_status), "{case}");
    assert_eq!(i.statu_change_event.code(), i64::from(ev.statu_change_event), "{case}");
    assert!(i.statu_change_event.is_known(), "{case}");
    assert_eq!(
        (i.sp_name.as_str(), i.template_id.as_str(), i.apply_time),
        (detail.sp_name.as_str(), detail.template_id.as_str(), detail.apply_time),
        "{case}"
    );
    match &detail.applyer {
        Some(a) => assert_eq!(i.applyer.user_id, a.userid, "{case}"),
        // A form submitted for others has `batch_applyer` in the detail; the push still names one applicant.
        None => assert!(!detail.batch_applyer.is_empty() && !i.applyer.user_id.is_empty(), "{case}"),
    }
    assert_eq!(i.sp_record.len(), detail.sp_record.len(), "{case}");
    for (r, (got, want)) in i.sp_record.iter().zip(&detail.sp_record).enumerate() {
        assert_eq!(got.sp_status, want.sp_status, "{case} record {r}");
        assert_eq!(got.approver_attr, want.approverattr, "{case} record {r}");
        assert_eq!(got.details.len(), want.details.len(), "{case} record {r}");
        for (g, w) in got.details.iter().zip(&want.details) {
            assert_eq!(
                (g.approver.user_id.as_str(), g.sp_status, g.sp_time, g.speech.as_str()),
                (w.approver.userid.as_str(), w.sp_status, i64::try_from(w.sptime).unwrap(), w.speech.as_str()),
                "{case} record {r}"
            );
        }
    }
    let notifyers: Vec<&str> = detail.notifyer.iter().map(|u| u.userid.as_str()).collect();
    assert_eq!(user_ids(&i.notifyer), notifyers, "{case}");
    // The push carries the comment id as text; the JSON models read it (number or string) as a u64.
    let got: Vec<(String, i64, &str, &[String])> = i
        .comments
        .iter()
        .map(|c| (c.comment_id.clone(), c.comment_time, c.comment_content.as_str(), c.attach.as_slice()))
        .collect();
    let want: Vec<(String, i64, &str, &[String])> = detail
        .comments
        .iter()
        .map(|c| (c.commentid.to_string(), c.commenttime, c.commentcontent.as_str(), c.media_id.as_slice()))
        .collect();
    assert_eq!(got, want, "{case}");
}

/// Every change kind the emulator makes is pushed as XML that decodes and agrees with the
/// emulator's detail at that moment; so does every event of a run of random steps.
#[test]
fn the_emulators_pushes_decode_and_agree_with_its_detail() {
    let emu = Emulator::builder().seed(11).approvals(200).journals(1).start_blocking().unwrap();
    let mut kinds = std::collections::BTreeSet::new();
    let mut apply = |change: Change| -> Option<String> {
        let ev = emu.apply(change).ok()?;
        agrees_with_the_detail(&emu, &ev);
        kinds.insert(format!("{:?}", ev.kind));
        Some(ev.sp_no)
    };
    let a = apply(Change::submit()).expect("submit");
    apply(Change::comment(a.clone(), Some("needs a ]]> and <b>&amp; too".into()))).expect("comment");
    apply(Change::urge(a.clone())).expect("urge");
    apply(Change::transfer(a.clone())).expect("transfer");
    for _ in 0..30 {
        if apply(Change::approve(a.clone())).is_none() {
            break;
        }
    }
    apply(Change::revoke_after_pass(a.clone())).expect("revoke after pass");
    let b = apply(Change::submit()).expect("submit");
    apply(Change::reject(b)).expect("reject");
    let c = apply(Change::submit()).expect("submit");
    apply(Change::revoke(c)).expect("revoke");
    for k in [
        ChangeKind::Submit,
        ChangeKind::Approve,
        ChangeKind::Reject,
        ChangeKind::Transfer,
        ChangeKind::Urge,
        ChangeKind::Revoke,
        ChangeKind::RevokeAfterPass,
        ChangeKind::Comment,
    ] {
        assert!(kinds.contains(&format!("{k:?}")), "no {k:?} event was checked: {kinds:?}");
    }
    let mut stepped = 0;
    for _ in 0..80 {
        if let Ok(ev) = emu.step() {
            agrees_with_the_detail(&emu, &ev);
            stepped += 1;
        }
    }
    assert!(stepped >= 60, "{stepped}");
    // The whole log, in order, decodes with the event's own facts.
    let log = emu.events();
    assert!(log.len() >= 70, "{}", log.len());
    for ev in &log {
        let e = sys(&ev.xml);
        assert_eq!(e.approval_info.sp_no.as_deref(), Some(ev.sp_no.as_str()));
        assert_eq!(e.approval_info.statu_change_event.code(), i64::from(ev.statu_change_event));
        assert_eq!(e.approval_info.sp_status.code(), i64::from(ev.sp_status));
    }
}

#[test]
fn deep_unknown_nesting_is_skipped_without_overflow() {
    let depth = 50_000;
    let deep = format!("{}x{}", "<Deep>".repeat(depth), "</Deep>".repeat(depth));
    let xml = info_with(&format!(
        "<Unknown>{deep}</Unknown><SpRecord><SpStatus>1</SpStatus><Extra>{deep}</Extra></SpRecord>"
    ));
    let e = sys(&xml);
    assert_eq!(e.approval_info.sp_record.len(), 1);
    // Unclosed, it is malformed, not a crash.
    assert!(matches!(Event::from_xml(&xml[..xml.len() / 2]), Err(EventError::Malformed { .. })));
}

#[test]
fn agent_id_is_text_that_may_be_empty_absent_or_beyond_32_bits() {
    let with = |agent: &str| sys(&info_with("").replace("<Event>", &format!("{agent}<Event>"))).header.agent_id;
    assert_eq!(with(""), "");
    assert_eq!(with("<AgentID></AgentID>"), "");
    assert_eq!(with("<AgentID/>"), "");
    assert_eq!(with("<AgentID>1013699173317</AgentID>"), "1013699173317");
    assert_eq!(with("<AgentID><![CDATA[1000002]]></AgentID>"), "1000002");
}
