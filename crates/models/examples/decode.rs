//! Decodes what WeCom sends: a JSON response body (the documented `getapprovalinfo` example,
//! plus a key this SDK does not know, which the drift walk reports) and the XML of an approval
//! callback event (after decryption).
//!
//! ```sh
//! cargo run -p wecom-models --example decode
//! ```

use wecom_models::approval::{GetApprovalInfoResponse, SpStatus};
use wecom_models::drift::{self, DriftKind};
use wecom_models::event::{Event, StatuChangeEvent};

const BODY: &str = r#"{ "errcode": 0, "errmsg": "ok",
  "sp_no_list": ["201909270001", "201909270002", "201909270003"],
  "new_next_cursor": "TmV4dFBhZ2VDdXJzb3I=", "brand_new_key": true }"#;

const EVENT: &str = "<xml><ToUserName><![CDATA[ww1cSD21f1e9c0caaa]]></ToUserName>\
<FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1668557075</CreateTime>\
<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[sys_approval_change]]></Event><AgentID>3010040</AgentID>\
<ApprovalInfo><SpNo>202211160012</SpNo><SpName><![CDATA[报销]]></SpName><SpStatus>2</SpStatus>\
<TemplateId><![CDATA[3TkaH5KFbrG9heEQWLJjhgpFwmqAFB4dLEnapaB7aaa]]></TemplateId><ApplyTime>1668556321</ApplyTime>\
<Applyer><UserId><![CDATA[WuJunJie]]></UserId><Party><![CDATA[1]]></Party></Applyer>\
<StatuChangeEvent>2</StatuChangeEvent></ApprovalInfo></xml>";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A response body: typed, and checked beside the spec for what this version does not know.
    let page: GetApprovalInfoResponse = serde_json::from_str(BODY)?;
    println!("{} approvals, next cursor {:?}", page.sp_no_list.len(), page.new_next_cursor);
    assert_eq!(page.sp_no_list, ["201909270001", "201909270002", "201909270003"]);

    let drift = drift::collect::<GetApprovalInfoResponse>(&serde_json::from_str(BODY)?);
    for found in &drift {
        println!("drift: {} at `{}` (spec type {})", found.kind.as_str(), found.path, found.spec_type);
    }
    assert!(drift.iter().any(|f| f.kind == DriftKind::UnknownField && f.path == "brand_new_key"), "{drift:?}");

    // A callback event: the XML WeCom pushes, decrypted.
    let event = Event::from_xml(EVENT)?;
    let Event::SysApprovalChange(change) = &event else { panic!("not an approval change: {}", event.name()) };
    let info = &change.approval_info;
    println!("{:?} {}: {:?}, now {:?}", info.sp_no, info.sp_name, info.statu_change_event, info.sp_status);
    assert_eq!(info.sp_no.as_deref(), Some("202211160012"));
    assert_eq!(info.sp_status, SpStatus::Approved);
    assert_eq!(info.statu_change_event, StatuChangeEvent::Approved);
    assert_eq!(event.header().to_user_name, "ww1cSD21f1e9c0caaa");
    println!("as JSON: {}", serde_json::to_string(&event)?);
    Ok(())
}
