//! The compiled fixture events (`tests/src/fixture/models/hooks.rs`, from
//! `tests/fixtures/spec/hooks.toml`) behave as the spec says: every child type in every
//! multiplicity, defaults, aliases, renames, the catch-all and the JSON export.

use pretty_assertions::assert_eq;
use wecom_models::EventError;
use wecom_tests::fixture::models::enums::{Color, Level};
use wecom_tests::fixture::models::hooks::{Event, Note, Ping, TaskFinished};

fn ping(inner: &str) -> Result<Ping, EventError> {
    let xml = format!(
        "<xml><ToUserName>to</ToUserName><CreateTime>7</CreateTime><Event>ping</Event><Info>{inner}</Info>\
         <Tags><Tag>a</Tag><Junk/><Tag> b </Tag></Tags></xml>"
    );
    match Event::from_xml(&xml)? {
        Event::Ping(p) => Ok(p),
        other => panic!("{other:?}"),
    }
}

fn task(inner: &str) -> Result<TaskFinished, EventError> {
    let xml = format!("<xml><Event>task_done</Event><Task>{inner}</Task></xml>");
    match Event::from_xml(&xml)? {
        Event::TaskFinished(t) => Ok(t),
        other => panic!("{other:?}"),
    }
}

const LEVEL_AND_COLOR: &str = "<Level>1</Level><Color>red</Color>";

#[test]
fn single_children_of_every_type() {
    let p = ping(
        "<Text> hi </Text><Small>-5</Small><Count>4294967295</Count><Big>18446744073709551615</Big>\
         <Time>-9223372036854775808</Time><MaybeTime>3</MaybeTime><MaybeText/><Level>2</Level>\
         <MaybeLevel>9</MaybeLevel><Color><![CDATA[blue]]></Color><MaybeColor>green</MaybeColor>\
         <Type>kind</Type><Where><Text>here</Text></Where>",
    )
    .unwrap();
    assert_eq!((p.header.to_user_name.as_str(), p.header.create_time, p.header.agent_id.as_deref()), ("to", 7, None));
    let i = &p.info;
    assert_eq!((i.text.as_str(), i.small, i.count, i.big, i.time), ("hi", -5, u32::MAX, u64::MAX, i64::MIN));
    assert_eq!((i.maybe_time, i.maybe_text.as_deref()), (Some(3), Some("")));
    assert_eq!((i.level, i.maybe_level.map(Level::code)), (Level::High, Some(9)));
    assert_eq!((i.color.clone(), i.maybe_color.as_ref().map(Color::as_str)), (Color::Blue, Some("green")));
    assert_eq!((i.r#type.as_str(), i.r#where.text.as_str()), ("kind", "here"));
    assert_eq!(p.tags, ["a", "b"]);
}

#[test]
fn absent_and_empty_children_take_their_defaults() {
    let p = ping(&format!(
        "{LEVEL_AND_COLOR}<Small></Small><MaybeTime> </MaybeTime><MaybeLevel/><MaybeColor></MaybeColor>"
    ))
    .unwrap();
    let i = &p.info;
    assert_eq!((i.text.as_str(), i.small, i.count, i.big, i.time), ("", 0, 0, 0, 0));
    assert_eq!((i.maybe_time, i.maybe_text.as_deref(), i.maybe_level, i.maybe_color.clone()), (None, None, None, None));
    assert_eq!(i.r#where, Note::default());

    // Out of range and required-but-absent fail, naming the element.
    let err = ping(&format!("{LEVEL_AND_COLOR}<Small>2147483648</Small>")).unwrap_err();
    assert_eq!(err.path(), Some("Info.Small"), "{err}");
    assert!(err.to_string().contains("out of range for i32"), "{err}");
    assert!(ping(&format!("{LEVEL_AND_COLOR}<Count>-1</Count>")).is_err());
    let err = ping("<Color>red</Color>").unwrap_err();
    assert!(err.to_string().contains("missing field `Level`"), "{err}");
    let err = ping("<Level>1</Level><Color> </Color>").unwrap_err();
    assert_eq!(err.path(), Some("Info.Color"), "{err}");
}

#[test]
fn lists_of_every_kind_and_the_renamed_and_aliased_children() {
    let t = task(
        "<Id>T-1</Id><Lead><Name>lead</Name><Level>1</Level></Lead>\
         <Step><Name>a</Name><Level>1</Level><Done>5</Done></Step><Code>1</Code><Level>2</Level>\
         <Step><StepName>b</StepName><Level>7</Level></Step><Code> 2 </Code><Level>3</Level><Code>3</Code>\
         <Mark>m1</Mark><Mark/><Mark><![CDATA[ m3 ]]></Mark>\
         <Owners><Owner><Text>x</Text><Reply><Text>y</Text><Reply><Text>z</Text></Reply></Reply></Owner><Owner/></Owners>\
         <Labels><Label>red</Label><Label>teal</Label></Labels>",
    )
    .unwrap();
    let k = &t.task;
    assert_eq!(k.task_id, "T-1");
    assert_eq!(k.lead.name, "lead");
    let steps: Vec<(&str, i64, i64)> = k.step.iter().map(|s| (s.name.as_str(), s.level.code(), s.done)).collect();
    assert_eq!(steps, [("a", 1, 5), ("b", 7, 0)]);
    assert_eq!(k.code, [1, 2, 3]);
    assert_eq!(k.mark, ["m1", "", " m3 "]);
    assert_eq!(k.level, [Level::High, Level::from(3)]);
    assert_eq!(k.owners.len(), 2);
    assert_eq!(k.owners[0].reply[0].reply[0].text, "z");
    assert_eq!(k.owners[1], Note::default());
    assert_eq!(k.labels, [Color::Red, Color::from("teal")]);
    assert_eq!(t.note, None);

    let empty = task("<Lead><Level>2</Level></Lead><Owners/>").unwrap();
    assert!(empty.task.step.is_empty() && empty.task.code.is_empty() && empty.task.owners.is_empty());
    // A required element without a default must be there.
    let err = task("<Id>x</Id>").unwrap_err();
    assert!(err.to_string().contains("missing field `Lead`"), "{err}");
    assert!(task("<Lead><Level>1</Level></Lead><Code>x</Code>").is_err());
}

#[test]
fn other_events_are_kept_whole_and_everything_serializes() {
    let xml = "<xml><Event>pong</Event><ToUserName>t</ToUserName><Whatever/></xml>";
    let e = Event::from_xml(xml).unwrap();
    assert_eq!((e.name(), e.raw_xml(), e.is_unknown()), ("pong", Some(xml), true));
    assert_eq!(e.header().to_user_name, "t");
    assert_eq!(Event::KNOWN_NAMES, ["ping", "task_done"]);

    let t =
        Event::from_xml("<xml><Event>task_done</Event><Seq>4</Seq><Task><Lead><Level>1</Level></Lead></Task></xml>")
            .unwrap();
    assert_eq!((t.name(), t.raw_xml(), t.header().seq), ("task_done", None, Some(4)));
    assert_eq!(
        serde_json::to_value(&t).unwrap(),
        serde_json::json!({
            "header": {"to_user_name": "", "create_time": 0, "event": "task_done", "seq": 4},
            "task": {
                "task_id": "",
                "lead": {"name": "", "level": 1, "done": 0},
                "step": [], "code": [], "mark": [], "level": [], "owners": [], "labels": []
            }
        })
    );
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        serde_json::json!({"header": {"to_user_name": "t", "create_time": 0, "event": "pong"}, "raw_xml": xml})
    );
}
