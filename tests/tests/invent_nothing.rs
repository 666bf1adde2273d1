//! Round trips invent nothing, for every response type of the spec (and of the fixture spec).
//!
//! Samples are built from the resolved model, not written by hand, so a new field or type is
//! covered the day it lands. For every endpoint's response, four samples:
//!
//! - `bare`: only what decoding cannot do without (required fields without a default, union
//!   tags); every other field absent — the server at its most terse;
//! - `minimal`: every required field, no optional field, no list;
//! - `empty`: every list `[]`, every optional field `null`, union payloads padded with `[]`;
//! - `full`: everything, one item of every union kind, integers of `int_or_string` as strings.
//!
//! Each must decode and encode back to a JSON value equal to itself: nothing added (a default,
//! an empty list), nothing dropped (an explicit `[]` or `null`, a padding key), no spelling
//! changed. The drift walk finds nothing in them but the required fields a bare sample leaves
//! out, and finds exactly the keys added to every object of a `full` sample.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use wecom_models::drift::{self, Collected, DriftKind, Inspect};
use xtask::model::{EnumVariants, ItemRef, Model, Role, Scalar, Shape, StructId, Ty};
use xtask::{load_model, workspace_root};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Bare,
    Minimal,
    Empty,
    Full,
}

const MODES: [Mode; 4] = [Mode::Bare, Mode::Minimal, Mode::Empty, Mode::Full];
const NOVEL: &str = "zz_novel_key";

/// Builds samples of a model's types.
struct Samples<'m> {
    model: &'m Model,
    /// Add `NOVEL` to every struct and union object.
    novel: bool,
    /// Objects that got `NOVEL`.
    novel_count: usize,
    /// Required fields left out (bare samples).
    missing_count: usize,
}

impl Samples<'_> {
    fn has_default(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Scalar(Scalar::Number) => false,
            Ty::Scalar(_) => true,
            Ty::Named(t) => match t.item {
                ItemRef::Struct(id) => self.model.strukt(id).defaultable,
                _ => false,
            },
        }
    }

    fn scalar(s: Scalar, mode: Mode) -> Value {
        match s {
            Scalar::U32 | Scalar::U64 | Scalar::I32 | Scalar::I64 => json!(7),
            Scalar::Bool => json!(true),
            Scalar::String => json!("s"),
            Scalar::NumberString => json!("1.50"),
            Scalar::IntString => json!("123"),
            Scalar::IntOrString if mode == Mode::Full => json!("6899287783354824502"),
            Scalar::IntOrString => json!(6899287783354824502u64),
            Scalar::Number => json!(1.25),
            Scalar::Secret => json!("secret-value"),
            Scalar::JsonString => json!("{\"a\":1}"),
            Scalar::Json => json!({"k": [1]}),
        }
    }

    /// One value of an element type.
    fn element(&mut self, ty: &Ty, mode: Mode, depth: usize) -> Value {
        match ty {
            Ty::Scalar(s) => Self::scalar(*s, mode),
            Ty::Named(t) => match t.item {
                ItemRef::Struct(id) => self.strukt(id, mode, depth + 1),
                ItemRef::IntEnum(id) | ItemRef::StringEnum(id) => match &self.model.enumeration(id).variants {
                    EnumVariants::Int(v) => json!(v[0].value),
                    EnumVariants::String(v) => json!(v[0].value),
                },
                ItemRef::Union(id) => self.union(id, 0, mode, depth + 1),
                ItemRef::UnionContent(_) => panic!("a payload enum as a field type is not sampled"),
            },
        }
    }

    /// The items of a list: one (one per kind for unions) when full and not too deep.
    fn list(&mut self, ty: &Ty, mode: Mode, depth: usize) -> Option<Value> {
        match mode {
            Mode::Bare | Mode::Minimal => None,
            Mode::Empty => Some(json!([])),
            Mode::Full if depth > 3 => None,
            Mode::Full => Some(Value::Array(match ty {
                Ty::Named(t) if matches!(t.item, ItemRef::Union(_)) => {
                    let ItemRef::Union(id) = t.item else { unreachable!() };
                    let kinds = self.model.union(id).variants.len();
                    (0..kinds).map(|k| self.union(id, k, mode, depth + 1)).collect()
                }
                _ => vec![self.element(ty, mode, depth)],
            })),
        }
    }

    fn fields(
        &mut self,
        obj: &mut Map<String, Value>,
        fields: &[xtask::model::Field],
        lenient: bool,
        mode: Mode,
        depth: usize,
    ) {
        for f in fields {
            let value = match &f.shape {
                Shape::List => self.list(&f.ty, mode, depth),
                Shape::Optional => match mode {
                    Mode::Bare | Mode::Minimal => None,
                    Mode::Empty => Some(Value::Null),
                    Mode::Full => Some(self.element(&f.ty, mode, depth)),
                },
                Shape::Required { .. } => {
                    if mode == Mode::Bare && lenient && self.has_default(&f.ty) {
                        self.missing_count += 1;
                        None
                    } else {
                        Some(self.element(&f.ty, mode, depth))
                    }
                }
            };
            if let Some(v) = value {
                obj.insert(f.wire.clone(), v);
            }
        }
    }

    fn mark_novel(&mut self, obj: &mut Map<String, Value>) {
        if self.novel {
            obj.insert(NOVEL.into(), json!(1));
            self.novel_count += 1;
        }
    }

    fn strukt(&mut self, id: StructId, mode: Mode, depth: usize) -> Value {
        let s = self.model.strukt(id);
        let mut obj = Map::new();
        self.fields(&mut obj, &s.fields, true, mode, depth);
        if s.role == Role::Response && mode != Mode::Bare {
            obj.insert("errcode".into(), json!(0));
            obj.insert("errmsg".into(), json!("ok"));
        }
        if matches!(mode, Mode::Empty | Mode::Full) {
            for key in &s.padding {
                obj.insert(key.clone(), json!([]));
            }
        }
        self.mark_novel(&mut obj);
        Value::Object(obj)
    }

    /// A union value of kind `kind`.
    fn union(&mut self, id: xtask::model::UnionId, kind: usize, mode: Mode, depth: usize) -> Value {
        let u = self.model.union(id);
        let v = &u.variants[kind];
        let mut obj = Map::new();
        obj.insert(u.tag_key.clone(), json!(v.tag));
        self.fields(&mut obj, &u.fields, false, mode, depth);
        let payload = self.strukt(v.payload, mode, depth + 1);
        obj.insert(u.content_key.clone(), payload);
        self.mark_novel(&mut obj);
        Value::Object(obj)
    }
}

/// Decodes a body as `T` and encodes it back; also walks it for drift.
fn through<T: DeserializeOwned + Serialize + Inspect>(body: &Value) -> Result<(Value, Vec<Collected>), String> {
    let typed: T = serde_json::from_value(body.clone()).map_err(|e| format!("does not decode: {e}"))?;
    let back = serde_json::to_value(&typed).map_err(|e| format!("does not encode: {e}"))?;
    Ok((back, drift::collect::<T>(body)))
}

type Through = fn(&Value) -> Result<(Value, Vec<Collected>), String>;

fn check_model(spec_dir: &str, types: &[(&str, Through)]) {
    let model = load_model(&workspace_root(), std::path::Path::new(spec_dir)).expect("spec loads");
    let ids: Vec<&str> = model.endpoints().map(|(_, e)| e.id.as_str()).collect();
    let listed: Vec<&str> = types.iter().map(|(id, _)| *id).collect();
    assert_eq!(listed, ids, "{spec_dir}: the table lists every endpoint's response type, in id order");
    let mut checked = 0;
    for ((_, ep), (id, through)) in model.endpoints().zip(types) {
        for mode in MODES {
            let mut samples = Samples { model: &model, novel: false, novel_count: 0, missing_count: 0 };
            let body = samples.strukt(ep.response, mode, 0);
            let (back, found) = through(&body).unwrap_or_else(|e| panic!("{id} {mode:?}: {e}\n{body:#}"));
            pretty_assertions::assert_eq!(back, body, "{id} {mode:?}: changed on the way through");
            // A conforming body is no drift, but for the required fields a bare one leaves out.
            assert_eq!(found.len(), samples.missing_count, "{id} {mode:?}: {found:#?}");
            assert!(found.iter().all(|f| f.kind == DriftKind::MissingField), "{id} {mode:?}: {found:#?}");
            checked += 1;
        }
        // Every object of a full body gets a key the spec does not know: each is found, once.
        let mut samples = Samples { model: &model, novel: true, novel_count: 0, missing_count: 0 };
        let body = samples.strukt(ep.response, Mode::Full, 0);
        let (_, found) = through(&body).unwrap_or_else(|e| panic!("{id} novel: {e}"));
        assert_eq!(found.len(), samples.novel_count, "{id}: one finding per object with a novel key: {found:#?}");
        for f in &found {
            assert_eq!(f.kind, DriftKind::UnknownField, "{id}: {f:?}");
            assert!(f.path == NOVEL || f.path.ends_with(&format!(".{NOVEL}")), "{id}: {f:?}");
            assert_eq!(f.example, Some(json!(1)));
        }
    }
    assert_eq!(checked, ids.len() * MODES.len());
}

#[test]
fn every_response_of_the_spec_round_trips_as_sent() {
    use wecom_models::{approval, auth, journal};
    check_model(
        "api-spec",
        &[
            ("approval.get_approval_data", through::<approval::GetApprovalDataResponse>),
            ("approval.get_approval_detail", through::<approval::GetApprovalDetailResponse>),
            ("approval.get_approval_info", through::<approval::GetApprovalInfoResponse>),
            ("auth.get_token", through::<auth::GetTokenResponse>),
            ("journal.download_wedrive_file", through::<journal::DownloadWedriveFileResponse>),
            ("journal.get_record_detail", through::<journal::GetRecordDetailResponse>),
            ("journal.get_record_list", through::<journal::GetRecordListResponse>),
            ("journal.get_stat_list", through::<journal::GetStatListResponse>),
        ],
    );
}

#[test]
fn every_response_of_the_fixture_spec_round_trips_as_sent() {
    use wecom_tests::fixture::models::{login, offset, spnum, token};
    check_model(
        "tests/fixtures/spec",
        &[
            ("login.login", through::<login::LoginResponse>),
            ("offset.list_by_offset", through::<offset::ListByOffsetResponse>),
            ("spnum.list_by_number", through::<spnum::ListByNumberResponse>),
            ("token.list_by_token", through::<token::ListByTokenResponse>),
        ],
    );
}

/// The example: a CC entry of `process_list` that carries only `userid`.
#[test]
fn a_cc_entry_with_only_a_userid_comes_back_with_only_a_userid() {
    use wecom_models::approval::ProcessNode;
    let cc = json!({"node_type": 2, "sub_node_list": [{"userid": "LiuXiaoGang"}]});
    let node: ProcessNode = serde_json::from_value(cc.clone()).unwrap();
    let sub = &node.sub_node_list[0];
    assert_eq!((sub.speech.as_deref(), sub.sptime, sub.sp_yj), (None, None, None));
    assert_eq!(serde_json::to_value(&node).unwrap(), cc);
}

/// A required field the server leaves out reads as its default and is not written back; one
/// changed in code is.
#[test]
fn an_absent_required_field_is_not_written_back_unless_changed() {
    use wecom_models::approval::ApprovalComment;
    let body = json!({"commentUserInfo": {"userid": "a"}, "commentid": "1"});
    let mut c: ApprovalComment = serde_json::from_value(body.clone()).unwrap();
    assert_eq!((c.commenttime, c.commentcontent.as_str()), (0, ""));
    assert_eq!(serde_json::to_value(&c).unwrap(), body);
    c.commentcontent = "补充".into();
    assert_eq!(serde_json::to_value(&c).unwrap()["commentcontent"], "补充");
    // Equality is about values: the spelling marks never make two equal values differ.
    let sent_empty: ApprovalComment =
        serde_json::from_value(json!({"commentUserInfo": {"userid": "a"}, "commentid": 1, "media_id": []})).unwrap();
    let absent: ApprovalComment =
        serde_json::from_value(json!({"commentUserInfo": {"userid": "a"}, "commentid": "1"})).unwrap();
    assert_eq!(sent_empty, absent);
    assert_eq!(serde_json::to_value(&sent_empty).unwrap()["media_id"], json!([]));
    assert!(format!("{sent_empty:?}").starts_with("ApprovalComment { comment_user_info: "), "{sent_empty:?}");
    assert!(!format!("{sent_empty:?}").contains("__wire"));
}

/// A control without a `value` comes back without one (its payload reads as empty).
#[test]
fn a_control_without_a_value_comes_back_without_one() {
    use wecom_models::common::{Control, ControlValue};
    let tips = json!({"control": "Tips", "id": "t", "title": []});
    let c: Control = serde_json::from_value(tips.clone()).unwrap();
    assert!(matches!(c.value, ControlValue::Tips(_)));
    assert_eq!(serde_json::to_value(&c).unwrap(), tips);
    let unknown = json!({"control": "Signature", "id": "s"});
    let c: Control = serde_json::from_value(unknown.clone()).unwrap();
    assert_eq!(serde_json::to_value(&c).unwrap(), unknown);
}
